// SPDX-License-Identifier: GPL-2.0
/* The huge-page clear is folio_zero_user() (6.11 on), not clear_huge_page(). */
#include <linux/mm.h>

void ff_probe(struct folio *folio, unsigned long addr);

void ff_probe(struct folio *folio, unsigned long addr)
{
	folio_zero_user(folio, addr);
}
