/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fastfault: what differs between the kernels it builds for.  Every
 * choice is made here, by probing for the feature (a macro, a Kconfig
 * symbol) rather than comparing version numbers, and the rest of the
 * module uses only the ff_* names below.
 */
#ifndef _FASTFAULT_COMPAT_H
#define _FASTFAULT_COMPAT_H

#include <linux/build_bug.h>
#include <linux/ftrace.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/shrinker.h>
#include <linux/vmstat.h>
#include <asm/linkage.h>
#include <asm/nospec-branch.h>

#include "probes.h"

/*
 * Indirect branch tracking (asm/ibt.h, 5.18 on): a function whose
 * address is taken starts with ENDBR where the kernel enforces it.
 * Before, there is no such instruction to emit or step over.
 */
#ifdef FF_HAVE_ASM_IBT
#include <asm/ibt.h>
#else
#define ASM_ENDBR		""
#define ENDBR_INSN_SIZE		0
#endif

/*
 * Each hook is a direct trampoline called from the hooked function's
 * fentry site (hook.c), which needs ftrace's direct calls.
 */
#ifndef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
#error "fastfault needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS (x86-64)"
#endif
/* kprobes find the kernel symbols it needs by name (ksym.c) */
#ifndef CONFIG_KPROBES
#error "fastfault needs CONFIG_KPROBES"
#endif
/* fault-around keeps within memcg limits (fault_around.c), scopes are cgroups */
#ifndef CONFIG_MEMCG
#error "fastfault needs CONFIG_MEMCG"
#endif

/*
 * Attaching a direct trampoline to a hooked function at @ip:
 *  - register_ftrace_direct(ops, addr) from 6.5, for the functions in
 *    the ops' filter;
 *  - register_ftrace_direct_multi(ops, addr) from 5.16 to 6.4 (whose
 *    unregister never freed the filter; keep it, the hook comes and
 *    goes with the settings);
 *  - before, register_ftrace_direct(ip, addr), one address at a time:
 *    no ops, no filter (ftrace_free_filter() is not even exported);
 *    whether @ip can be traced is asked of kprobes (ff_ftrace_location()).
 * ff_ftrace_direct_init() fails where @ip cannot be traced.
 */
#if defined(FF_HAVE_FTRACE_DIRECT_OPS) || defined(FF_HAVE_FTRACE_DIRECT_MULTI)
static inline int ff_ftrace_direct_init(struct ftrace_ops *ops,
					unsigned long ip)
{
	return ftrace_set_filter_ip(ops, ip, 0, 0);
}

static inline void ff_ftrace_direct_free(struct ftrace_ops *ops)
{
	ftrace_free_filter(ops);
}
#else
static inline int ff_ftrace_direct_init(struct ftrace_ops *ops,
					unsigned long ip)
{
	return ff_ftrace_location(ip) ? 0 : -ENODEV;
}

static inline void ff_ftrace_direct_free(struct ftrace_ops *ops)
{
}
#endif

#if defined(FF_HAVE_FTRACE_DIRECT_OPS)
#define ff_ftrace_direct_register(ops, ip, addr)	\
	register_ftrace_direct(ops, addr)
#define ff_ftrace_direct_unregister(ops, ip, addr)	\
	unregister_ftrace_direct(ops, addr, false)
#elif defined(FF_HAVE_FTRACE_DIRECT_MULTI)
#define ff_ftrace_direct_register(ops, ip, addr)	\
	register_ftrace_direct_multi(ops, addr)
#define ff_ftrace_direct_unregister(ops, ip, addr)	\
	unregister_ftrace_direct_multi(ops, addr)
#else
#define ff_ftrace_direct_register(ops, ip, addr)	\
	register_ftrace_direct(ip, addr)
#define ff_ftrace_direct_unregister(ops, ip, addr)	\
	unregister_ftrace_direct(ip, addr)
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

/*
 * A fault that returns VM_FAULT_COMPLETED (5.19 on) is done and has
 * dropped the lock, as one that returns VM_FAULT_RETRY; before, no
 * fault returns it.
 */
#ifdef FF_HAVE_VM_FAULT_COMPLETED
#define FF_VM_FAULT_COMPLETED	VM_FAULT_COMPLETED
#else
#define FF_VM_FAULT_COMPLETED	0
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
 * Folios (5.16 on).  Before them a compound page is its head page, and
 * the anonymous fault's allocation returns that page: struct folio here
 * is the head page under the folio's name, its list head where the
 * kernel's folio has it, with the few folio functions the module calls,
 * in terms of the page.
 */
#ifndef FF_HAVE_FOLIO
struct folio {
	union {
		struct {
			unsigned long flags;
			struct list_head lru;
		};
		struct page page;
	};
};

static_assert(offsetof(struct folio, flags) == offsetof(struct page, flags));
static_assert(offsetof(struct folio, lru) == offsetof(struct page, lru));

static inline struct folio *page_folio(struct page *page)
{
	return (struct folio *)compound_head(page);
}

static inline struct page *folio_page(struct folio *folio, unsigned long n)
{
	return nth_page(&folio->page, n);
}

static inline long folio_nr_pages(struct folio *folio)
{
	return compound_nr(&folio->page);
}

static inline unsigned long folio_pfn(struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline bool folio_test_large(struct folio *folio)
{
	return PageCompound(&folio->page);
}

static inline void folio_put(struct folio *folio)
{
	put_page(&folio->page);
}

static inline void node_stat_mod_folio(struct folio *folio,
				       enum node_stat_item item, long nr)
{
	mod_node_page_state(page_pgdat(&folio->page), item, nr);
}

/*
 * Poisoned memory in a folio: before PG_has_hwpoisoned (5.15) only the
 * failed page itself says so, so each page is asked.
 */
static inline bool ff_folio_hwpoisoned(struct folio *folio)
{
	long i;

	for (i = 0; i < folio_nr_pages(folio); i++)
		if (PageHWPoison(folio_page(folio, i)))
			return true;
	return false;
}
#else
static inline bool ff_folio_hwpoisoned(struct folio *folio)
{
	return folio_test_hwpoison(folio) ||
	       (folio_test_large(folio) && folio_test_has_hwpoisoned(folio));
}
#endif

/*
 * The allocation behind an anonymous fault's zeroed page, and its
 * arguments, which the hook's trampoline passes through and the wrapper
 * takes as ff_alloc_arg4_t and ff_alloc_arg5_t (types, but macros: no
 * new typedefs):
 *  - alloc_pages_vma(gfp, order, vma, addr, node, hugepage) up to 6.0
 *    (probe alloc_pages_vma), a page;
 *  - vma_alloc_folio(gfp, order, vma, addr, hugepage) up to 6.x (probe
 *    vma_alloc_folio_hugepage), vma_alloc_folio_noprof() from 6.10, when
 *    allocation profiling turned the old name into an alloc_hooks()
 *    macro;
 *  - the same without hugepage in 7.x (probe vma_alloc_folio).
 * An argument the function does not take is whatever its register
 * holds, and never read.
 */
#if !defined(FF_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE) && \
	!defined(FF_HAVE_VMA_ALLOC_FOLIO)
#define ff_vma_alloc_folio_orig		alloc_pages_vma
#define FF_VMA_ALLOC_FOLIO_NAME		"alloc_pages_vma"
#elif defined(alloc_hooks)
#define ff_vma_alloc_folio_orig		vma_alloc_folio_noprof
#define FF_VMA_ALLOC_FOLIO_NAME		"vma_alloc_folio_noprof"
#else
#define ff_vma_alloc_folio_orig		vma_alloc_folio
#define FF_VMA_ALLOC_FOLIO_NAME		"vma_alloc_folio"
#endif

#if defined(FF_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE)
#define FF_VMA_ALLOC_NARGS		5
#define ff_alloc_arg4_t			bool		/* hugepage */
#define ff_alloc_arg5_t			unsigned long	/* none */
#define ff_vma_alloc_folio_call(gfp, order, vma, addr, a4, a5) \
	ff_vma_alloc_folio_orig(gfp, order, vma, addr, a4)
#elif defined(FF_HAVE_ALLOC_PAGES_VMA)
#define FF_VMA_ALLOC_NARGS		6
#define ff_alloc_arg4_t			int		/* node */
#define ff_alloc_arg5_t			bool		/* hugepage */
#define ff_vma_alloc_folio_call(gfp, order, vma, addr, a4, a5) \
	((struct folio *)alloc_pages_vma(gfp, order, vma, addr, a4, a5))
#elif defined(FF_HAVE_VMA_ALLOC_FOLIO)
#define FF_VMA_ALLOC_NARGS		4
#define ff_alloc_arg4_t			unsigned long	/* none */
#define ff_alloc_arg5_t			unsigned long	/* none */
#define ff_vma_alloc_folio_call(gfp, order, vma, addr, a4, a5) \
	ff_vma_alloc_folio_orig(gfp, order, vma, addr)
#else
#error "fastfault: no anonymous-fault allocation it knows (alloc_pages_vma, vma_alloc_folio)"
#endif

/*
 * Where allocation profiling exists (6.10 on), the allocator's entry
 * points are alloc_hooks() macros that tag each page with its call site.
 * The pool's pages outlive the module in the programs they are handed
 * to, so they must not carry a tag in the module: call the untagged
 * function.  __folio_alloc() gives a large folio the shape the fault
 * path expects of vma_alloc_folio()'s (6.1 prep_transhuge_page(), 6.12
 * large_rmappable and an empty deferred list).  Before folios, the fault
 * path prepares the huge page it got itself (prep_transhuge_page()
 * after alloc_pages_vma()): a compound page is all it needs.
 */
#ifndef FF_HAVE_FOLIO
#define ff_folio_alloc_node(gfp, order, nid) \
	((struct folio *)__alloc_pages_node(nid, gfp, order))
#elif defined(alloc_hooks)
#define ff_folio_alloc_node(gfp, order, nid) \
	__folio_alloc_noprof(gfp, order, nid, NULL)
#else
#define ff_folio_alloc_node(gfp, order, nid) \
	__folio_alloc(gfp, order, nid, NULL)
#endif

/*
 * A page's mapping for the pool's own clear: kmap_local_page() (5.11
 * on); before, its kernel address, which is its mapping on x86-64 (no
 * highmem).
 */
#ifdef FF_HAVE_KMAP_LOCAL_PAGE
#define ff_kmap_local_page(page)	kmap_local_page(page)
#define ff_kunmap_local(addr)		kunmap_local(addr)
#else
#define ff_kmap_local_page(page)	page_address(page)
#define ff_kunmap_local(addr)		do { } while (0)
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
 * from 6.7 (shrinker_alloc(), its private_data), embedded before, and
 * named from 6.0 (register_shrinker()'s name, for debugfs).
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
#ifdef FF_HAVE_REGISTER_SHRINKER_NAME
	return register_shrinker(&fs->s, "%s", name);
#else
	return register_shrinker(&fs->s);	/* unnamed before 6.0 */
#endif
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

/*
 * Generic netlink: which commands a family validates strictly.  From 6.1
 * the family says from which command on (resv_start_op): all of ours,
 * and their reserved header bits with them.  Before, every small op
 * validates its attributes strictly unless it asks not to, as none of
 * ours does, and nothing looks at the reserved bits.
 */
#ifdef FF_HAVE_GENL_RESV_START_OP
#define ff_genl_strict_from(family, cmd)	((family)->resv_start_op = (cmd))
#else
#define ff_genl_strict_from(family, cmd)	do { } while (0)
#endif

/*
 * A request whose genetlink header has reserved bits set: the core
 * refuses it where the family says resv_start_op; before, the family
 * must (netlink.c).
 */
#ifdef FF_HAVE_GENL_RESV_START_OP
#define ff_genl_hdr_reserved(hdr)		false
#else
#define ff_genl_hdr_reserved(hdr)		((hdr)->reserved)
#endif

#endif /* _FASTFAULT_COMPAT_H */
