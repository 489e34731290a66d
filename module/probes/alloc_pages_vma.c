// SPDX-License-Identifier: GPL-2.0
/*
 * The anonymous fault's allocation is alloc_pages_vma() with a node and a
 * hugepage argument (up to 6.0; vma_alloc_folio() after).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/topology.h>

struct page *ff_probe(struct vm_area_struct *vma);

struct page *ff_probe(struct vm_area_struct *vma)
{
	return alloc_pages_vma(GFP_KERNEL, 0, vma, 0, numa_node_id(), false);
}
