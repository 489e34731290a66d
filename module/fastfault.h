/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fastfault: what the module's parts share.  One file per concern:
 *
 *   main.c          init and exit
 *   config.c        the settings, validated and applied all or nothing
 *   scope.c         the settings of a cgroup subtree
 *   netlink.c       the generic netlink family
 *   stats.c         per-CPU counters
 *   knob.c          the kernel's own file fault-around knob
 *   hook.c          the hooks: direct ftrace trampolines
 *   fault_around.c  anonymous fault-around
 *   zero_pool.c     the pre-zeroed page pools, small and huge
 *   zero_once.c     huge pages cleared once, not twice
 *   ksym.c          kernel symbols found by name
 *   compat.h        differences between kernel versions
 */
#ifndef _FASTFAULT_H
#define _FASTFAULT_H

#include <linux/types.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/vmstat.h>
#include <linux/fastfault.h>

struct netlink_ext_ack;
struct ff_scope;
struct ff_scope_edit;

/*
 * Is there room for @pages more pages of kind @gfp on node @nid without
 * waking reclaim?  Asked of the zone such a page comes from first, the
 * highest populated one @gfp may use, and against its high watermark:
 * lower zones are the allocator's fallback, kept for it by
 * lowmem_reserve, and their free pages say nothing about pressure where
 * that memory lives.
 */
static inline bool ff_node_has_room(int nid, unsigned long pages, gfp_t gfp)
{
	struct pglist_data *pgdat = NODE_DATA(nid);
	int i;

	for (i = gfp_zone(gfp); i >= 0; i--) {
		struct zone *z = &pgdat->node_zones[i];

		if (populated_zone(z))
			return zone_page_state(z, NR_FREE_PAGES) >
			       high_wmark_pages(z) + pages;
	}
	return false;
}

/* config.c */
/*
 * FASTFAULT_A_FAULT_AROUND is a request only: it sets the two windows
 * below and is not kept, so it can never stand for a value that a later
 * request changed.
 */
struct ff_config {
	u32 anon_fault_around;	/* FASTFAULT_A_ANON_FAULT_AROUND */
	u32 file_fault_around;	/* FASTFAULT_A_FILE_FAULT_AROUND */
	u64 zero_pool;		/* FASTFAULT_A_ZERO_POOL, bytes */
	u32 zero_nontemporal;	/* FASTFAULT_A_ZERO_NONTEMPORAL, 0 or 1 */
	u32 zero_once;		/* FASTFAULT_A_ZERO_ONCE, 0 or 1 */
	u64 zero_pool_huge;	/* FASTFAULT_A_ZERO_POOL_HUGE, bytes */
	u32 pool_access;	/* FASTFAULT_A_POOL_ACCESS, 0 or 1 */
};

/*
 * The system-wide values the fault path reads (a scope may replace them
 * for its tasks: ff_scoped()); written only under the config mutex.
 */
extern unsigned int ff_anon_window;
extern bool ff_sys_zero_once;
extern bool ff_sys_pool_access;

int ff_config_init(void);
void ff_config_exit(void);
void ff_config_get(struct ff_config *cfg);
/*
 * Apply @cfg (a full configuration: start from ff_config_get()) and the
 * @n scope edits @e, or nothing.  Returns 0, or a negative errno with
 * @extack set.
 */
int ff_config_set(const struct ff_config *cfg, const struct ff_scope_edit *e,
		  unsigned int n, struct netlink_ext_ack *extack);
/* The scopes in effect, under the config mutex: as ff_scopes_for_each() */
int ff_config_scopes(int (*fn)(const struct ff_scope *s, void *arg), void *arg);
/* Drop the scopes of removed cgroups; returns how many, or an errno */
int ff_config_prune_scopes(void);
/* At unload, first: the scopes' work item stopped */
void ff_config_stop(void);

/* scope.c: settings for the tasks of a cgroup subtree */
enum ff_scope_key {
	FF_SCOPE_ANON_FAULT_AROUND,	/* FASTFAULT_A_ANON_FAULT_AROUND */
	FF_SCOPE_ZERO_ONCE,		/* FASTFAULT_A_ZERO_ONCE */
	FF_SCOPE_POOL_ACCESS,		/* FASTFAULT_A_POOL_ACCESS */
	FF_SCOPE_KEYS
};

struct cgroup;

struct ff_scope {
	struct cgroup *cgrp;		/* a reference */
	u32 has;			/* BIT(enum ff_scope_key) it sets */
	u32 val[FF_SCOPE_KEYS];
};

struct ff_scopes {
	unsigned int nr;
	struct ff_scope s[FASTFAULT_SCOPES_MAX];	/* deepest first */
};

/* A request's change to one cgroup's scope. */
struct ff_scope_edit {
	struct cgroup *cgrp;		/* the caller's reference */
	u32 set;			/* BIT(key): set to val[key] */
	u32 unset;			/* BIT(key): remove */
	u32 val[FF_SCOPE_KEYS];
	const struct nlattr *nla;	/* its FASTFAULT_A_SCOPE, for errors */
};

extern struct ff_scopes __rcu *ff_scopes;

u32 ff_scope_lookup(enum ff_scope_key key, u32 dflt);

/* Are there scopes?  The one thing the fault path reads while there are none. */
static __always_inline bool ff_scopes_exist(void)
{
	return unlikely(rcu_access_pointer(ff_scopes));
}

/* The current task's value of @key: @dflt, the system-wide one, or its scope's. */
static __always_inline u32 ff_scoped(enum ff_scope_key key, u32 dflt)
{
	return ff_scopes_exist() ? ff_scope_lookup(key, dflt) : dflt;
}

struct mutex;
int ff_scopes_build(struct mutex *lock, const struct ff_scope_edit *e,
		    unsigned int n, struct ff_scopes **next,
		    struct netlink_ext_ack *extack);
bool ff_scopes_changed(struct mutex *lock, const struct ff_scopes *next);
u32 ff_scopes_max(const struct ff_scopes *t, enum ff_scope_key key);
void ff_scopes_publish(struct mutex *lock, struct ff_scopes *next);
int ff_scopes_for_each(struct mutex *lock,
		       int (*fn)(const struct ff_scope *s, void *arg),
		       void *arg);
void ff_scopes_stop_gc(struct mutex *lock);

/* stats.c */
struct ff_stats {
	u64 v[__FASTFAULT_STAT_MAX];
};

DECLARE_PER_CPU(struct ff_stats, ff_stats);

static inline void ff_stat_add(enum fastfault_stat s, u64 n)
{
	this_cpu_add(ff_stats.v[s], n);
}

static inline void ff_stat_inc(enum fastfault_stat s)
{
	this_cpu_inc(ff_stats.v[s]);
}

void ff_stats_sum(struct ff_stats *sum);
void ff_stats_cpu(int cpu, struct ff_stats *out);
void ff_stats_reset(void);

/* knob.c: the kernel's file fault-around, in pages */
int ff_knob_init(void);
void ff_knob_exit(void);
u32 ff_knob_get(void);
bool ff_knob_found(void);
u32 ff_knob_follow(u32 fault_around);
int ff_knob_set(u32 pages, struct netlink_ext_ack *extack);

/*
 * The hook's decide functions (the *_wanted() below) get the hooked
 * function's arguments and, last, the address the call returns to: a
 * call from this module is our own call to the original, never acted on.
 */
static inline bool ff_own_call(unsigned long caller)
{
	return within_module(caller, THIS_MODULE);
}

/* fault_around.c: the first is called from the hook, before the fault */
struct vm_area_struct;
struct pt_regs;
bool ff_fault_around_wanted(struct vm_area_struct *vma,
			    unsigned long address, unsigned int flags,
			    struct pt_regs *regs, unsigned long unused,
			    unsigned long caller);
vm_fault_t ff_fault_around(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, vm_fault_t ret);

/* zero_pool.c: the small pool (order 0) and the huge one (PMD order) */
enum ff_pool_kind {
	FF_POOL_SMALL,		/* zero-pool */
	FF_POOL_HUGE,		/* zero-pool-huge */
	FF_POOL_NR
};

/* called from the hook, before the allocation */
bool ff_pool_wanted(gfp_t gfp, int order, struct vm_area_struct *vma,
		    unsigned long caller);
bool ff_pool_huge_wanted(int order, struct vm_area_struct *vma);
struct folio *ff_pool_take(enum ff_pool_kind kind);
int ff_pool_init(void);
void ff_pool_exit(void);
u64 ff_pool_get_size(enum ff_pool_kind kind);
int ff_pool_set_size(enum ff_pool_kind kind, u64 bytes,
		     struct netlink_ext_ack *extack);
void ff_pool_node(enum ff_pool_kind kind, int nid, u64 *pages, u64 *target);
bool ff_pool_nontemporal_allowed(void);
void ff_pool_set_nontemporal(bool on);

/* zero_once.c */
bool ff_zero_once_wanted(gfp_t gfp, int order, unsigned long caller);
bool ff_zero_once_cleared(gfp_t gfp);
void ff_zero_once_note(struct folio *folio, bool zero);
bool ff_zero_once_skip_wanted(void *folio, unsigned long addr,
			      unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long caller);
void ff_zero_once_skip(void);
void ff_zero_once_set(bool once, bool pool);
const char *ff_zero_once_unsupported(void);
unsigned long ff_zero_once_target(void);
int ff_zero_once_init(void);

/* ksym.c */
unsigned long ff_ksym(const char *name, unsigned long *size);
bool ff_ftrace_location(unsigned long addr);

/* hook.c */
enum {
	FF_HOOK_FAULT_NR,	/* handle_mm_fault: fault-around */
	FF_HOOK_ALLOC_NR,	/* vma_alloc_folio: the zero pools, zero-once */
	FF_HOOK_CLEAR_NR,	/* the huge-page clear: zero-once, the huge pool */
	FF_HOOK_NR
};

#define FF_HOOK_FAULT	BIT(FF_HOOK_FAULT_NR)
#define FF_HOOK_ALLOC	BIT(FF_HOOK_ALLOC_NR)
#define FF_HOOK_CLEAR	BIT(FF_HOOK_CLEAR_NR)

int ff_hook_init(void);
void ff_hook_exit(void);
bool ff_hook_available(unsigned int nr);

/* the trampolines (asm) and the wrappers they send calls to */
void ff_fault_entry(void);
void ff_alloc_entry(void);
void ff_clear_entry(void);
bool ff_alloc_wanted(gfp_t gfp, int order, struct vm_area_struct *vma,
		     unsigned long addr, unsigned long unused,
		     unsigned long caller);
__visible vm_fault_t ff_handle_mm_fault(struct vm_area_struct *vma,
					unsigned long address,
					unsigned int flags,
					struct pt_regs *regs);
/* ff_vma_alloc_folio(): in hook.c, its arguments compat.h's */
int ff_hook_update(unsigned int wanted, struct netlink_ext_ack *extack);

/* netlink.c */
int ff_netlink_init(void);
void ff_netlink_exit(void);
void ff_netlink_notify_config(void);

#endif /* _FASTFAULT_H */
