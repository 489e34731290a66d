// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: an ftrace ops with IPMODIFY per hooked function sends every
 * call to fastfault's wrapper, which calls the original (its own call
 * passes through untouched: the callback sees it come from this module).
 *
 *   handle_mm_fault   -> ff_handle_mm_fault: fault-around after the fault
 *   vma_alloc_folio   -> ff_vma_alloc_folio: a pre-zeroed page if the
 *                        pool has one, else the original
 *
 * Each ops is registered only while something needs it, so fastfault
 * costs nothing while it is off.  Unload waits for the wrappers still
 * running: a per-CPU count (no shared cache line on the fault path) and
 * two RCU-tasks grace periods, for the instructions before the count
 * goes up and after it comes down.
 */
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/netlink.h>

#include "fastfault.h"
#include "compat.h"

static DEFINE_PER_CPU(long, ff_inflight);

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

/* same arguments as vma_alloc_folio() on every kernel we build for */
static struct folio *ff_vma_alloc_folio(gfp_t gfp, int order,
					struct vm_area_struct *vma,
					unsigned long addr, bool hugepage)
{
	struct folio *folio;

	this_cpu_inc(ff_inflight);
	folio = ff_pool_take(gfp, order, vma);
	if (!folio)
		folio = ff_vma_alloc_folio_orig(gfp, order, vma, addr,
						hugepage);
	this_cpu_dec(ff_inflight);
	return folio;
}

struct ff_hook {
	const char *name;
	unsigned long target;
	unsigned long wrapper;
	struct ftrace_ops ops;
	bool on;
};

/*
 * Called from the ftrace trampoline on every call of a hooked function,
 * twice per fault (the fault, then the wrapper's own call), so it is
 * kept to a compare and a store.  It calls nothing that can be traced
 * (within_module() is inline), so it cannot recurse and the ops does not
 * ask ftrace for recursion protection, which would put ftrace's assist
 * function (a recursion lock and a preempt-disable) on every call.
 */
static void notrace ff_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	struct ff_hook *h = container_of(ops, struct ff_hook, ops);

	/* our own call to the original goes through */
	if (!within_module(parent_ip, THIS_MODULE))
		ff_ftrace_set_ip(fregs, h->wrapper);
}

#define FF_HOOK(_name, _target, _wrapper) {				\
	.name		= _name,					\
	.target		= (unsigned long)(_target),			\
	.wrapper	= (unsigned long)(_wrapper),			\
	.ops		= {						\
		.func	= ff_ftrace_thunk,				\
		.flags	= FTRACE_OPS_FL_IPMODIFY,				\
	},								\
}

/* Indexed by FF_HOOK_FAULT_NR and FF_HOOK_ALLOC_NR. */
static struct ff_hook ff_hooks[] = {
	FF_HOOK("handle_mm_fault", handle_mm_fault, ff_handle_mm_fault),
	FF_HOOK(FF_VMA_ALLOC_FOLIO_NAME, ff_vma_alloc_folio_orig,
		ff_vma_alloc_folio),
};

static long ff_inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(ff_inflight, cpu);
	return sum;
}

static int ff_hook_on(struct ff_hook *h, struct netlink_ext_ack *extack)
{
	int ret;

	ret = register_ftrace_function(&h->ops);
	if (ret) {
		/* -EBUSY: livepatch or another IPMODIFY user got there first */
		pr_warn("cannot hook %s: %d\n", h->name, ret);
		NL_SET_ERR_MSG(extack,
			       "cannot hook the kernel's fault path (livepatch or another module may own it; see dmesg)");
		return ret;
	}
	h->on = true;
	return 0;
}

static void ff_hook_off(struct ff_hook *h)
{
	int ret = unregister_ftrace_function(&h->ops);

	if (ret)
		pr_warn("cannot unhook %s: %d\n", h->name, ret);
	h->on = false;
}

/*
 * Under the config mutex: turn on the hooks in @wanted (FF_HOOK_* bits)
 * and off the others, all or nothing.
 */
int ff_hook_update(unsigned int wanted, struct netlink_ext_ack *extack)
{
	unsigned int i, turned_on = 0;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++) {
		struct ff_hook *h = &ff_hooks[i];

		if (!(wanted & BIT(i)) || h->on)
			continue;
		ret = ff_hook_on(h, extack);
		if (ret)
			goto undo;
		turned_on |= BIT(i);
	}
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		if (!(wanted & BIT(i)) && ff_hooks[i].on)
			ff_hook_off(&ff_hooks[i]);
	return 0;

undo:
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		if (turned_on & BIT(i))
			ff_hook_off(&ff_hooks[i]);
	return ret;
}

int ff_hook_init(void)
{
	unsigned int i;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(ff_hooks) != FF_HOOK_NR);
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++) {
		ret = ftrace_set_filter_ip(&ff_hooks[i].ops, ff_hooks[i].target,
					   0, 0);
		if (ret) {
			pr_err("%s cannot be traced: %d\n", ff_hooks[i].name,
			       ret);
			goto err;
		}
	}
	return 0;
err:
	while (i--)
		ftrace_free_filter(&ff_hooks[i].ops);
	return ret;
}

/*
 * After the config is gone, so nothing turns a hook back on.  A task
 * asleep inside a wrapper (userfaultfd, FUSE, memcg reclaim) makes this
 * wait until it wakes: unload waits, it never pulls the text from under
 * it.
 */
void ff_hook_exit(void)
{
	unsigned int i, waited = 0;

	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		if (ff_hooks[i].on)
			ff_hook_off(&ff_hooks[i]);
	synchronize_rcu_tasks();
	while (ff_inflight_sum()) {
		if (++waited % 250 == 0)
			pr_info("unload waits for %ld faults in progress\n",
				ff_inflight_sum());
		msleep(20);
	}
	synchronize_rcu_tasks();
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		ftrace_free_filter(&ff_hooks[i].ops);
}
