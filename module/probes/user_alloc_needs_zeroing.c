// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel clears a user huge page only where the allocator did not
 * (user_alloc_needs_zeroing(), 6.13 on): zero-once has nothing to skip.
 */
#include <linux/mm.h>

bool ff_probe(void);

bool ff_probe(void)
{
	return user_alloc_needs_zeroing();
}
