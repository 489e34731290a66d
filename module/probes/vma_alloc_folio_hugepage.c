// SPDX-License-Identifier: GPL-2.0
/*
 * vma_alloc_folio() still takes the hugepage argument (up to 6.x; 7.x
 * dropped it).
 */
#include <linux/gfp.h>
#include <linux/mm.h>

struct folio *ff_probe(struct vm_area_struct *vma);

struct folio *ff_probe(struct vm_area_struct *vma)
{
	return vma_alloc_folio(GFP_KERNEL, 0, vma, 0, false);
}
