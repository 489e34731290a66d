// SPDX-License-Identifier: GPL-2.0
/* vma_alloc_folio() without the hugepage argument (7.x). */
#include <linux/gfp.h>
#include <linux/mm.h>

struct folio *ff_probe(struct vm_area_struct *vma);

struct folio *ff_probe(struct vm_area_struct *vma)
{
	return vma_alloc_folio(GFP_KERNEL, 0, vma, 0);
}
