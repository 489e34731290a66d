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
#include <linux/shrinker.h>
#include <asm/ibt.h>
#include <asm/linkage.h>
#include <asm/nospec-branch.h>

#include "probes.h"

/*
 * Each hook is a direct trampoline called from the hooked function's
 * fentry site (hook.c), which needs ftrace's direct calls.
 */
#ifndef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
#error "fastfault needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS (x86-64)"
#endif

/*
 * Attaching a direct trampoline to the functions in an ops' filter:
 * register_ftrace_direct() from 6.5, when the ops form took that name
 * from register_ftrace_direct_multi() (whose unregister never freed
 * the filter; keep it, the hook comes and goes with the settings).
 */
#ifdef FF_HAVE_FTRACE_DIRECT_OPS
#define ff_ftrace_direct_register(ops, addr)	register_ftrace_direct(ops, addr)
#define ff_ftrace_direct_unregister(ops, addr)	\
	unregister_ftrace_direct(ops, addr, false)
#else
#define ff_ftrace_direct_register(ops, addr)	\
	register_ftrace_direct_multi(ops, addr)
#define ff_ftrace_direct_unregister(ops, addr)	\
	unregister_ftrace_direct_multi(ops, addr)
#endif

/*
 * Call depth tracking (6.2 on, a retbleed mitigation) counts calls in
 * the callee's padding; a trampoline reached from an fentry site must
 * count its own.  Before it the macro does not exist.
 */
#ifndef CALL_DEPTH_ACCOUNT
#define CALL_DEPTH_ACCOUNT	""
#endif

/*
 * A trampoline sets up a frame only where the unwinder follows frame
 * pointers (objtool requires one before a call there); ORC, Debian's
 * unwinder, needs none.  FF_ASM_FRAME_WORDS is what it pushes.
 */
#ifdef CONFIG_FRAME_POINTER
#define FF_ASM_FRAME_BEGIN	"pushq %rbp\n\tmovq %rsp, %rbp\n\t"
#define FF_ASM_FRAME_END	"popq %rbp\n\t"
#define FF_ASM_FRAME_WORDS	"1"
#else
#define FF_ASM_FRAME_BEGIN	""
#define FF_ASM_FRAME_END	""
#define FF_ASM_FRAME_WORDS	"0"
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
 * Its arguments: (gfp, order, vma, addr, hugepage) up to 6.x, without
 * hugepage in 7.x (probe vma_alloc_folio_hugepage).  The wrapper and the
 * hook's decide function are declared with five either way; in 7.x the
 * fifth is whatever the register holds, and never read.
 */
#ifdef FF_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE
#define FF_VMA_ALLOC_NARGS		5
#define ff_vma_alloc_folio_call(gfp, order, vma, addr, hugepage) \
	ff_vma_alloc_folio_orig(gfp, order, vma, addr, hugepage)
#else
#define FF_VMA_ALLOC_NARGS		4
#define ff_vma_alloc_folio_call(gfp, order, vma, addr, hugepage) \
	ff_vma_alloc_folio_orig(gfp, order, vma, addr)
#endif

/*
 * Where allocation profiling exists (6.10 on), the allocator's entry
 * points are alloc_hooks() macros that tag each page with its call site.
 * The pool's pages outlive the module in the programs they are handed
 * to, so they must not carry a tag in the module: call the untagged
 * function.  __folio_alloc() gives a large folio the shape the fault
 * path expects of vma_alloc_folio()'s (6.1 prep_transhuge_page(), 6.12
 * large_rmappable and an empty deferred list).
 */
#ifdef alloc_hooks
#define ff_folio_alloc_node(gfp, order, nid) \
	__folio_alloc_noprof(gfp, order, nid, NULL)
#else
#define ff_folio_alloc_node(gfp, order, nid) \
	__folio_alloc(gfp, order, nid, NULL)
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

/*
 * The anonymous huge-page fault's clear: clear_huge_page() up to 6.10,
 * folio_zero_user() from 6.11 (which also clears mTHP folios).  From
 * 6.13 the kernel skips it where the allocator cleared already
 * (user_alloc_needs_zeroing()): zero-once has nothing to do there.
 */
#ifdef FF_HAVE_FOLIO_ZERO_USER
#define FF_CLEAR_HUGE_NAME	"folio_zero_user"
#else
#define FF_CLEAR_HUGE_NAME	"clear_huge_page"
#endif
#ifdef FF_HAVE_USER_ALLOC_NEEDS_ZEROING
#define FF_CLEARS_HUGE_ONCE	1
#else
#define FF_CLEARS_HUGE_ONCE	0
#endif

/*
 * A NUMA-aware shrinker with a pointer of ours: allocated by the core
 * from 6.7 (shrinker_alloc(), its private_data), embedded before.
 */
typedef unsigned long (*ff_shrink_fn)(struct shrinker *,
				      struct shrink_control *);
#ifdef SHRINKER_ALLOCATED
struct ff_shrinker {
	struct shrinker *s;
};

static inline int ff_shrinker_add(struct ff_shrinker *fs, const char *name,
				  ff_shrink_fn count, ff_shrink_fn scan,
				  int seeks, void *data)
{
	fs->s = shrinker_alloc(SHRINKER_NUMA_AWARE, "%s", name);
	if (!fs->s)
		return -ENOMEM;
	fs->s->count_objects = count;
	fs->s->scan_objects = scan;
	fs->s->seeks = seeks;
	fs->s->private_data = data;
	shrinker_register(fs->s);
	return 0;
}

static inline void ff_shrinker_remove(struct ff_shrinker *fs)
{
	shrinker_free(fs->s);
}

static inline void *ff_shrinker_data(struct shrinker *s)
{
	return s->private_data;
}
#else
struct ff_shrinker {
	struct shrinker s;
	void *data;
};

static inline int ff_shrinker_add(struct ff_shrinker *fs, const char *name,
				  ff_shrink_fn count, ff_shrink_fn scan,
				  int seeks, void *data)
{
	fs->s.count_objects = count;
	fs->s.scan_objects = scan;
	fs->s.seeks = seeks;
	fs->s.flags = SHRINKER_NUMA_AWARE;
	fs->data = data;
	return register_shrinker(&fs->s, "%s", name);
}

static inline void ff_shrinker_remove(struct ff_shrinker *fs)
{
	unregister_shrinker(&fs->s);
}

static inline void *ff_shrinker_data(struct shrinker *s)
{
	return container_of(s, struct ff_shrinker, s)->data;
}
#endif

#endif /* _FASTFAULT_COMPAT_H */
