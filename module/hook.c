// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: a direct ftrace trampoline per hooked function, called from
 * the function's fentry site.  It asks the hook's decide function, from
 * the call's own arguments and before the call does anything, whether
 * fastfault acts on it; only then does the call go to fastfault's
 * wrapper, which calls the original (its own call passes through
 * untouched: the decide function sees it come from this module).
 *
 *   handle_mm_fault   -> ff_handle_mm_fault: fault-around after the fault,
 *                        only for a user write fault on private anonymous
 *                        memory next to pages already mapped
 *   vma_alloc_folio   -> ff_vma_alloc_folio: a pre-zeroed page, only for
 *                        the anonymous fault's zeroed order-0 page while
 *                        the pool is on and may serve the task; a large
 *                        folio's note for zero-once while that is on
 *   clear_huge_page / -> ff_zero_once_skip: nothing, for the anonymous
 *   folio_zero_user      huge-page fault's folio the allocator cleared
 *
 * Every other call (file and shared memory, userfaultfd, FUSE, NFS,
 * random touches) costs the trampoline and the decide function's checks
 * and nothing else: it never enters a wrapper, so it can never sleep in
 * module text.
 *
 * Each hook is attached only while something needs it, so fastfault
 * costs nothing while it is off.  Unload waits for the wrappers still
 * running: a per-CPU count (no shared cache line on the fault path) and
 * two RCU-tasks grace periods, for the instructions before the count
 * goes up and after it comes down, and for a task preempted in a
 * trampoline.  What runs in a wrapper is an anonymous fault and its
 * neighbours, which never wait for user space (userfaultfd ranges and
 * file mappings are never redirected), so the wait is as long as the
 * kernel takes for such a fault.
 */
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/gfp.h>
#include <linux/linkage.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/netlink.h>
#include <asm/asm-offsets.h>

#include "fastfault.h"
#include "compat.h"

static DEFINE_PER_CPU(long, ff_inflight);

/*
 * The wrappers, where a call the hook acts on goes instead of the hooked
 * function.  Called from the trampolines only (hence not static).
 */
__visible vm_fault_t ff_handle_mm_fault(struct vm_area_struct *vma,
					unsigned long address,
					unsigned int flags,
					struct pt_regs *regs)
{
	vm_fault_t ret;

	this_cpu_inc(ff_inflight);
	ret = handle_mm_fault(vma, address, flags, regs);
	ret = ff_fault_around(vma, address, flags, ret);
	this_cpu_dec(ff_inflight);
	return ret;
}

/*
 * The hooked allocation's arguments (vma_alloc_folio()'s, or before
 * folios alloc_pages_vma()'s: compat.h).  An order-0 call is the
 * anonymous fault's zeroed page, for the small pool; a larger one, the
 * anonymous fault's huge folio: from the huge pool where it may serve,
 * and noted for its clear either way.
 */
__visible struct folio *ff_vma_alloc_folio(gfp_t gfp, int order,
					   struct vm_area_struct *vma,
					   unsigned long addr,
					   ff_alloc_arg4_t a4,
					   ff_alloc_arg5_t a5);
__visible struct folio *ff_vma_alloc_folio(gfp_t gfp, int order,
					   struct vm_area_struct *vma,
					   unsigned long addr,
					   ff_alloc_arg4_t a4,
					   ff_alloc_arg5_t a5)
{
	struct folio *folio = NULL;
	bool zero;

	this_cpu_inc(ff_inflight);
	if (!order) {
		folio = ff_pool_take(FF_POOL_SMALL);
		if (!folio)
			folio = ff_vma_alloc_folio_call(gfp, order, vma, addr,
							a4, a5);
		goto out;
	}
	if (ff_pool_huge_wanted(order, vma))
		folio = ff_pool_take(FF_POOL_HUGE);
	zero = folio;
	if (!folio) {
		folio = ff_vma_alloc_folio_call(gfp, order, vma, addr, a4,
						a5);
		zero = ff_zero_once_cleared(gfp);
	}
	ff_zero_once_note(folio, zero);
out:
	this_cpu_dec(ff_inflight);
	return folio;
}

/* The allocation hook's decision: for the small pool, or a huge folio? */
bool notrace ff_alloc_wanted(gfp_t gfp, int order, struct vm_area_struct *vma,
			     unsigned long addr, unsigned long unused,
			     unsigned long caller)
{
	if (!order)
		return ff_pool_wanted(gfp, order, vma, caller);
	return ff_zero_once_wanted(gfp, order, caller);
}

/*
 * The trampoline, entered from the hooked function's first instruction
 * (the fentry call) with its @nargs arguments in place and two return
 * addresses on the stack: into the function's body, and to its caller.
 * It saves the argument registers, calls @decide with the first five
 * and, in %r9, the caller (a sixth argument, alloc_pages_vma()'s
 * hugepage, is saved and restored but never decided on), and restores
 * them.  If @decide said no, it returns into the body; if yes, into
 * @wrapper, which then runs as if called in the function's place.
 * %rax, %r10, %r11 and the registers past the arguments are dead at a
 * function's entry.
 *
 * @decide runs on every call of the hooked function, so it decides with
 * the cheapest test first, calls only notrace code that calls no hooked
 * function (it cannot recurse), and leaves the test for our own call to
 * the original from @wrapper (ff_own_call()) for last.
 *
 * Aligned as SYM_FUNC_START aligns a function: 7.x's ftrace takes an
 * odd direct-call address for a request to jump (bit 0,
 * ftrace_is_jmp()) and would enter the byte before an odd trampoline.
 *
 * IBT- and ORC-correct by construction: ENDBR (its address is taken),
 * plain pushes and pops that objtool follows (and a frame where frame
 * pointers are the unwinder), no stack switch, the kernel's own RET
 * (return thunks), and it counts the call that reached it for call depth
 * tracking, as the kernel's direct-call samples do.
 */
#define FF_TRAMPOLINE(entry, decide, wrapper, nargs)			\
	asm(".pushsection .text, \"ax\", @progbits\n"			\
	    ".balign 16\n"						\
	    ".type " #entry ", @function\n"				\
	    ".globl " #entry "\n"					\
	    #entry ":\n\t"						\
	    ASM_ENDBR							\
	    FF_ASM_FRAME_BEGIN						\
	    CALL_DEPTH_ACCOUNT						\
	    "pushq %rdi\n\t"						\
	    "pushq %rsi\n\t"						\
	    "pushq %rdx\n\t"						\
	    "pushq %rcx\n\t"						\
	    ".if " #nargs " > 4\n\t"					\
	    "pushq %r8\n\t"						\
	    ".endif\n\t"						\
	    ".if " #nargs " > 5\n\t"					\
	    "pushq %r9\n\t"						\
	    ".endif\n\t"						\
	    "movq 8*(" #nargs "+" FF_ASM_FRAME_WORDS "+1)(%rsp), %r9\n\t" \
	    "call " #decide "\n\t"					\
	    ".if " #nargs " > 5\n\t"					\
	    "popq %r9\n\t"						\
	    ".endif\n\t"						\
	    ".if " #nargs " > 4\n\t"					\
	    "popq %r8\n\t"						\
	    ".endif\n\t"						\
	    "popq %rcx\n\t"						\
	    "popq %rdx\n\t"						\
	    "popq %rsi\n\t"						\
	    "popq %rdi\n\t"						\
	    "testb %al, %al\n\t"					\
	    "jz 1f\n\t"							\
	    "leaq " #wrapper "(%rip), %rax\n\t"				\
	    "movq %rax, 8*" FF_ASM_FRAME_WORDS "(%rsp)\n"		\
	    "1:\n\t"							\
	    FF_ASM_FRAME_END						\
	    ASM_RET							\
	    ".size " #entry ", .-" #entry "\n"				\
	    ".popsection\n")

FF_TRAMPOLINE(ff_fault_entry, ff_fault_around_wanted, ff_handle_mm_fault, 4);
/* the number of arguments expanded first: #nargs would not expand it */
#define FF_TRAMPOLINE_N(entry, decide, wrapper, nargs)			\
	FF_TRAMPOLINE(entry, decide, wrapper, nargs)
FF_TRAMPOLINE_N(ff_alloc_entry, ff_alloc_wanted, ff_vma_alloc_folio,
		FF_VMA_ALLOC_NARGS);
FF_TRAMPOLINE(ff_clear_entry, ff_zero_once_skip_wanted, ff_zero_once_skip, 4);

struct ff_hook {
	const char *name;
	unsigned long target;
	unsigned long entry;
	struct ftrace_ops ops;
	bool on;
};

#define FF_HOOK(_name, _target, _entry) {				\
	.name		= _name,					\
	.target		= (unsigned long)(_target),			\
	.entry		= (unsigned long)(_entry),			\
}

/*
 * Indexed by FF_HOOK_*_NR.  The clear function is not exported: its
 * address comes from zero_once.c at init (0 where zero-once cannot work;
 * that hook is then never asked for).
 */
static struct ff_hook ff_hooks[] = {
	FF_HOOK("handle_mm_fault", handle_mm_fault, ff_fault_entry),
	FF_HOOK(FF_VMA_ALLOC_FOLIO_NAME, ff_vma_alloc_folio_orig,
		ff_alloc_entry),
	FF_HOOK(FF_CLEAR_HUGE_NAME, 0, ff_clear_entry),
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

	ret = ff_ftrace_direct_register(&h->ops, h->target, h->entry);
	if (ret) {
		/*
		 * -EBUSY: livepatch, a BPF trampoline or another module
		 * got there first
		 */
		pr_warn("cannot hook %s: %d\n", h->name, ret);
		NL_SET_ERR_MSG(extack,
			       "cannot hook the kernel's fault path (livepatch, a BPF program or another module may own it; see dmesg)");
		return ret;
	}
	h->on = true;
	return 0;
}

static void ff_hook_off(struct ff_hook *h)
{
	int ret = ff_ftrace_direct_unregister(&h->ops, h->target, h->entry);

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
	ff_hooks[FF_HOOK_CLEAR_NR].target = ff_zero_once_target();
	for (i = 0; i < ARRAY_SIZE(ff_hooks); i++) {
		struct ff_hook *h = &ff_hooks[i];

		if (!h->target)
			continue;
		ret = ff_ftrace_direct_init(&h->ops, h->target);
		if (ret && i == FF_HOOK_CLEAR_NR) {
			/* zero-once only: the rest works without it */
			pr_info("%s cannot be traced (%d): no zero-once\n",
				h->name, ret);
			h->target = 0;
		} else if (ret) {
			pr_err("%s cannot be traced: %d\n", h->name, ret);
			goto err;
		}
	}
	return 0;
err:
	while (i--)
		if (ff_hooks[i].target)
			ff_ftrace_direct_free(&ff_hooks[i].ops);
	return ret;
}

/* Can hook @nr be turned on here? */
bool ff_hook_available(unsigned int nr)
{
	return ff_hooks[nr].target;
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
		if (ff_hooks[i].target)
			ff_ftrace_direct_free(&ff_hooks[i].ops);
}
