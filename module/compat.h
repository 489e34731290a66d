/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fastfault: what differs between the kernels it builds for.  Every
 * choice is made here, by probing for the feature (a macro, a Kconfig
 * symbol) rather than comparing version numbers, and the rest of the
 * module uses only the ff_* names below.
 */
#ifndef _FASTFAULT_COMPAT_H
#define _FASTFAULT_COMPAT_H

#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>

/*
 * The hooks redirect a call from the ftrace callback, which needs ftrace
 * with the ARGS API: without CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS,
 * <linux/ftrace.h> defines the IP setter as a no-op and the hooks would
 * silently do nothing.
 */
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#error "fastfault needs CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS (x86-64)"
#endif

/*
 * Point an ftrace callback's return at another function: 6.1 calls it
 * ftrace_instruction_pointer_set(), 6.6 on
 * ftrace_regs_set_instruction_pointer().  Both are macros on x86.
 */
#if defined(ftrace_regs_set_instruction_pointer)
#define ff_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define ff_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#endif

/*
 * The hooked function's @n-th argument, from the callback: 6.6 on have
 * ftrace_regs_get_argument(); before it struct ftrace_regs is a pt_regs.
 */
#ifdef ftrace_regs_get_argument
#define ff_ftrace_arg(fregs, n)	ftrace_regs_get_argument(fregs, n)
#else
#define ff_ftrace_arg(fregs, n)	regs_get_kernel_argument(&(fregs)->regs, n)
#endif

/*
 * A fault taken under the per-VMA lock (6.4 on) must keep saying so on
 * every call made with that lock.
 */
#ifdef CONFIG_PER_VMA_LOCK
#define FF_FAULT_FLAG_VMA_LOCK	FAULT_FLAG_VMA_LOCK
#else
#define FF_FAULT_FLAG_VMA_LOCK	0
#endif

/* userfaultfd's VMA flags; VM_UFFD_MINOR is VM_NONE where unsupported */
#ifndef VM_UFFD_MINOR
#define VM_UFFD_MINOR		VM_NONE
#endif
#define FF_VM_UFFD		(VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/*
 * Clear a PTE's accessed bit as x86's ptep_test_and_clear_young() does
 * (that one is not exported): an atomic bit clear, safe against the
 * hardware setting it concurrently.
 */
static inline void ff_pte_mkold(pte_t *ptep)
{
	clear_bit(_PAGE_BIT_ACCESSED, (unsigned long *)&ptep->pte);
}

/*
 * The allocation behind an anonymous fault's zeroed page: vma_alloc_folio()
 * up to 6.9, vma_alloc_folio_noprof() from 6.10, when allocation profiling
 * turned the old name into an alloc_hooks() macro.
 */
#ifdef alloc_hooks
#define ff_vma_alloc_folio_orig		vma_alloc_folio_noprof
#define FF_VMA_ALLOC_FOLIO_NAME		"vma_alloc_folio_noprof"
#else
#define ff_vma_alloc_folio_orig		vma_alloc_folio
#define FF_VMA_ALLOC_FOLIO_NAME		"vma_alloc_folio"
#endif

/*
 * Where allocation profiling exists (6.10 on), the allocator's entry
 * points are alloc_hooks() macros that tag each page with its call site.
 * The pool's pages outlive the module in the programs they are handed
 * to, so they must not carry a tag in the module: call the untagged
 * function.
 */
#ifdef alloc_hooks
#define ff_alloc_pages_node	alloc_pages_node_noprof
#else
#define ff_alloc_pages_node	alloc_pages_node
#endif

/*
 * Walking a private anonymous VMA's page tables: the caller's mmap or
 * VMA lock keeps them, except where PT_RECLAIM (6.15 on) lets
 * MADV_DONTNEED free an empty PTE table under the read lock; that table
 * is freed after an RCU grace period, so the walk must be an RCU reader
 * there, and only there (rcu_read_lock() is two calls with PREEMPT_RCU,
 * on every fault the hook looks at).
 */
#ifdef CONFIG_PT_RECLAIM
#define ff_pt_walk_begin()	rcu_read_lock()
#define ff_pt_walk_end()	rcu_read_unlock()
#else
#define ff_pt_walk_begin()	do { } while (0)
#define ff_pt_walk_end()	do { } while (0)
#endif

/* Shrinkers are allocated by the core from 6.7 (shrinker_alloc()). */
#ifdef SHRINKER_ALLOCATED
#define FF_SHRINKER_ALLOC	1
#else
#define FF_SHRINKER_ALLOC	0
#endif

#endif /* _FASTFAULT_COMPAT_H */
