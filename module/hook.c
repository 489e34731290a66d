// SPDX-License-Identifier: GPL-2.0
/*
 * The hook on handle_mm_fault(): an ftrace ops with IPMODIFY sends every
 * call to ff_handle_mm_fault(), which calls the original (its own call
 * passes through untouched: the callback sees it come from this module)
 * and then does fault-around.
 *
 * The ops is registered only while something needs it, so fastfault
 * costs nothing while it is off.  Unregistering waits for the wrappers
 * still running: a per-CPU count (no shared cache line on the fault
 * path) and two RCU-tasks grace periods, for the instructions before the
 * count goes up and after it comes down.
 */
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/netlink.h>

#include "fastfault.h"
#include "compat.h"

static DEFINE_PER_CPU(long, ff_inflight);
static bool ff_hook_on;

static vm_fault_t ff_handle_mm_fault(struct vm_area_struct *vma,
				     unsigned long address, unsigned int flags,
				     struct pt_regs *regs)
{
	vm_fault_t ret;

	this_cpu_inc(ff_inflight);
	ret = handle_mm_fault(vma, address, flags, regs);
	if (flags & FAULT_FLAG_USER)
		ret = ff_fault_around(vma, address, flags, ret);
	this_cpu_dec(ff_inflight);
	return ret;
}

static void notrace ff_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	/* our own call to the original goes through */
	if (!within_module(parent_ip, THIS_MODULE))
		ff_ftrace_set_ip(fregs, (unsigned long)ff_handle_mm_fault);
}

static struct ftrace_ops ff_ops = {
	.func	= ff_ftrace_thunk,
	.flags	= FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_RECURSION,
};

static long ff_inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(ff_inflight, cpu);
	return sum;
}

static int ff_hook_register(struct netlink_ext_ack *extack)
{
	int ret;

	ret = register_ftrace_function(&ff_ops);
	if (ret) {
		/* -EBUSY: livepatch or another IPMODIFY user got there first */
		pr_warn("cannot hook handle_mm_fault: %d\n", ret);
		NL_SET_ERR_MSG(extack,
			       "cannot hook handle_mm_fault (livepatch or another module may own it; see dmesg)");
	}
	return ret;
}

static void ff_hook_unregister(void)
{
	int ret = unregister_ftrace_function(&ff_ops);

	if (ret)
		pr_warn("unregister_ftrace_function: %d\n", ret);
}

/* Under the config mutex. */
int ff_hook_update(bool wanted, struct netlink_ext_ack *extack)
{
	int ret = 0;

	if (wanted == ff_hook_on)
		return 0;
	if (wanted)
		ret = ff_hook_register(extack);
	else
		ff_hook_unregister();
	if (!ret)
		ff_hook_on = wanted;
	return ret;
}

int ff_hook_init(void)
{
	int ret;

	ret = ftrace_set_filter_ip(&ff_ops, (unsigned long)handle_mm_fault,
				   0, 0);
	if (ret)
		pr_err("handle_mm_fault cannot be traced: %d\n", ret);
	return ret;
}

/*
 * After the config is gone, so nothing turns the hook back on.  A task
 * asleep inside the wrapper (userfaultfd, FUSE, memcg reclaim) makes
 * this wait until it wakes: unload waits, it never pulls the text from
 * under it.
 */
void ff_hook_exit(void)
{
	unsigned int waited = 0;

	if (ff_hook_on)
		ff_hook_unregister();
	ff_hook_on = false;
	synchronize_rcu_tasks();
	while (ff_inflight_sum()) {
		if (++waited % 250 == 0)
			pr_info("unload waits for %ld faults in progress\n",
				ff_inflight_sum());
		msleep(20);
	}
	synchronize_rcu_tasks();
	ftrace_free_filter(&ff_ops);
}
