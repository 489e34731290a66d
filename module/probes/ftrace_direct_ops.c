// SPDX-License-Identifier: GPL-2.0
/*
 * register_ftrace_direct() takes the ftrace_ops (6.5 on) rather than an
 * address (where the ops form is register_ftrace_direct_multi()).
 */
#include <linux/ftrace.h>

int ff_probe(struct ftrace_ops *ops, unsigned long addr);

int ff_probe(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct(ops, addr);
}
