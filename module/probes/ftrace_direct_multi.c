// SPDX-License-Identifier: GPL-2.0
/*
 * A direct trampoline is attached to an ftrace_ops' filter by
 * register_ftrace_direct_multi() (5.16 to 6.4); before, only one address
 * at a time, by register_ftrace_direct(ip, addr).
 */
#include <linux/ftrace.h>

int ff_probe(struct ftrace_ops *ops, unsigned long addr);

int ff_probe(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct_multi(ops, addr);
}
