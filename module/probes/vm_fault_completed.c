// SPDX-License-Identifier: GPL-2.0
/*
 * A fault can return VM_FAULT_COMPLETED (5.19 on): done, and the mmap
 * lock dropped.  An enum value, which no macro test sees.
 */
#include <linux/mm_types.h>

int ff_probe(void);

int ff_probe(void)
{
	return VM_FAULT_COMPLETED;
}
