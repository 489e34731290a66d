// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: an ftrace ops with IPMODIFY per hooked function.  Its
 * callback (the thunk) runs on every call of the function and decides,
 * from the call's own arguments and before the call does anything,
 * whether fastfault acts on it; only then does it send the call to
 * fastfault's wrapper, which calls the original (its own call passes
 * through untouched: the thunk sees it come from this module).
 *
 *   handle_mm_fault   -> ff_handle_mm_fault: fault-around after the fault,
 *                        only for a user write fault on private anonymous
 *                        memory next to pages already mapped
 *   vma_alloc_folio   -> ff_vma_alloc_folio: a pre-zeroed page, only for
 *                        the anonymous fault's zeroed order-0 page while
 *                        the pool is on and may serve the task
 *
 * Every other call (file and shared memory, userfaultfd, FUSE, NFS,
 * random touches) costs the thunk's checks and nothing else: it never
 * enters a wrapper, so it can never sleep in module text.
 *
 * Each ops is registered only while something needs it, so fastfault
 * costs nothing while it is off.  Unload waits for the wrappers still
 * running: a per-CPU count (no shared cache line on the fault path) and
 * two RCU-tasks grace periods, for the instructions before the count
 * goes up and after it comes down.  What runs in a wrapper is an
 * anonymous fault and its neighbours, which never wait for user space
 * (userfaultfd ranges and file mappings are never redirected), so the
 * wait is as long as the kernel takes for such a fault.
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
	folio = ff_pool_take();
	if (!folio)
		folio = ff_vma_alloc_folio_orig(gfp, order, vma, addr,
						hugepage);
	this_cpu_dec(ff_inflight);
	return folio;
}

/*
 * The thunks run from the ftrace trampoline on every call of a hooked
 * function, so they decide with the cheapest test first and call only
 * notrace code.  None of them calls a hooked function, so they cannot
 * recurse and the ops do not ask ftrace for recursion protection, which
 * would put ftrace's assist function (a recursion lock and a
 * preempt-disable) on every call.  The test for our own call to the
 * original (within_module(), a loop over the module's memory ranges)
 * comes last: the wrapper's own call passes the other tests again, but
 * the faults turned away never pay for it.
 */
static void notrace ff_fault_thunk(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *ops,
				   struct ftrace_regs *fregs)
{
	struct vm_area_struct *vma = (void *)ff_ftrace_arg(fregs, 0);
	unsigned long address = ff_ftrace_arg(fregs, 1);
	unsigned int flags = ff_ftrace_arg(fregs, 2);

	if (!ff_fault_around_eligible(vma, flags) ||
	    !ff_fault_around_stream(vma, address) ||
	    within_module(parent_ip, THIS_MODULE))
		return;
	ff_ftrace_set_ip(fregs, (unsigned long)ff_handle_mm_fault);
}

static void notrace ff_alloc_thunk(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *ops,
				   struct ftrace_regs *fregs)
{
	gfp_t gfp = (__force gfp_t)ff_ftrace_arg(fregs, 0);
	int order = ff_ftrace_arg(fregs, 1);
	struct vm_area_struct *vma = (void *)ff_ftrace_arg(fregs, 2);

	if (!ff_pool_wanted(gfp, order, vma) ||
	    within_module(parent_ip, THIS_MODULE))
		return;
	ff_ftrace_set_ip(fregs, (unsigned long)ff_vma_alloc_folio);
}

struct ff_hook {
	const char *name;
	unsigned long target;
	struct ftrace_ops ops;
	bool on;
};

#define FF_HOOK(_name, _target, _thunk) {				\
	.name		= _name,					\
	.target		= (unsigned long)(_target),			\
	.ops		= {						\
		.func	= _thunk,					\
		.flags	= FTRACE_OPS_FL_IPMODIFY,			\
	},								\
}

/* Indexed by FF_HOOK_FAULT_NR and FF_HOOK_ALLOC_NR. */
static struct ff_hook ff_hooks[] = {
	FF_HOOK("handle_mm_fault", handle_mm_fault, ff_fault_thunk),
	FF_HOOK(FF_VMA_ALLOC_FOLIO_NAME, ff_vma_alloc_folio_orig,
		ff_alloc_thunk),
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
 * inside a wrapper (in reclaim, say) makes this wait until it is done:
 * unload waits, it never pulls the text from under it.  Only anonymous
 * faults are ever redirected, so nothing in a wrapper waits for user
 * space.
 */
void ff_hook_exit(void)
{
	unsigned int i, waited = 0;

	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		if (ff_hooks[i].on)
			ff_hook_off(&ff_hooks[i]);
	synchronize_rcu_tasks();
	while (ff_inflight_sum()) {
		if (++waited % 250 == 0)	/* every 5 s */
			pr_info("unload waits for %ld faults in progress\n",
				ff_inflight_sum());
		msleep(20);
	}
	synchronize_rcu_tasks();
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++)
		ftrace_free_filter(&ff_hooks[i].ops);
}
