// SPDX-License-Identifier: GPL-2.0
/* The kernel has folios (5.16 on): before, a compound page is its head page. */
#include <linux/mm.h>

long ff_probe(struct page *page);

long ff_probe(struct page *page)
{
	return folio_nr_pages(page_folio(page));
}
