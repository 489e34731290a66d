// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-zeroed page pools.  A kernel thread per NUMA node keeps each of
 * its CPUs' caches stocked with zeroed folios, and the anonymous fault's
 * allocation takes one from the local CPU's cache instead of clearing
 * inline.  Two pools, one mechanism (struct ff_pool): the small pool
 * (zero-pool) holds order-0 pages for the zeroed-page allocation
 * (vma_alloc_folio with GFP_HIGHUSER_MOVABLE | __GFP_ZERO at order 0);
 * the huge pool (zero-pool-huge) holds PMD-size folios of the shape
 * vma_alloc_folio() returns (__folio_alloc()) for the anonymous THP
 * fault, whose clear zero-once's hook then skips (zero_once.c).  The
 * huge pool refills only while free 2 MiB blocks are plentiful on the
 * node (FF_HUGE_FREE_MIN), so that THP faults, khugepaged and compaction
 * keep most of them, and is given back first under pressure.
 *
 * The fault path takes only its own CPU's cache lock (taken remotely
 * only by the shrinker and the refill thread), never waits, and falls
 * through to the kernel's allocator when the cache is empty.  A page is
 * only handed out to a task and VMA with the default memory policy,
 * taken on the local node, and only if the task's cpuset allows that
 * node: it is then exactly the page the allocator would have chosen, but
 * already zero.  The caller charges it to memcg as usual.
 *
 * The threads run at nice 19, allocate without reclaim (so they can
 * never cause reclaim or OOM), stop while the zone is below its high
 * watermark, and give pages back to a NUMA-aware shrinker under
 * pressure, which pauses refilling on that node only.  The pages held
 * count as reclaimable kernel memory (NR_KERNEL_MISC_RECLAIMABLE), so
 * MemAvailable and the OOM daemons that read it still see them.
 *
 * Pool pages are neither on the LRU nor movable while they wait, so they
 * are taken from ZONE_NORMAL, never ZONE_MOVABLE (whose memory must stay
 * offlinable), and from reclaimable pageblocks (__GFP_RECLAIMABLE), which
 * keeps them together in as few pageblocks as the allocator can; a
 * memory block going offline gets its pages back first (a memory
 * notifier).  A CPU that comes online gets its share of the pool, and
 * one that goes offline gives its cache back (CPU hotplug callbacks).
 * Pages
 * are zeroed by the allocator itself (__GFP_ZERO: clear_page, once, and
 * not at all where init_on_free already did it), or, with
 * zero-nontemporal on a kernel that does not clear pages on allocation
 * (init_on_alloc=0), by the thread with non-temporal stores, which keep
 * the cleared lines out of the caches of whatever else runs on that CPU.
 * The time spent is a statistic, so the pool's cost is visible next to
 * its hits.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmstat.h>
#include <linux/wait.h>
#include <net/netlink.h>

#include "fastfault.h"
#include "compat.h"

#define FF_FAULT_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_ZERO)
#define FF_REFILL_BATCH	32

/*
 * The huge pool takes a free 2 MiB block only while this many others
 * stay free on the node, and twice as many as it holds there: THP
 * faults, khugepaged and compaction keep most of them.
 */
#define FF_HUGE_FREE_MIN	64

struct ff_pcp {
	spinlock_t lock;		/* taken by its own CPU, but for refill and shrink */
	unsigned int count;		/* folios */
	unsigned int target;		/* folios this CPU's cache holds */
	struct list_head folios;
};

struct ff_pool_node {
	struct ff_pool *pool;
	struct task_struct *thread;
	wait_queue_head_t wait;
	unsigned long kick;		/* bit 0: a cache ran low */
	unsigned long target;		/* folios */
	unsigned long pressure;		/* jiffies until refill resumes */
};

/*
 * One pool: the small one (order 0, for the anonymous fault's zeroed
 * page) or the huge one (PMD order, for the anonymous THP fault).  The
 * same mechanism, told apart only by what is here.
 */
struct ff_pool {
	const char *too_big, *no_thread;	/* refusals */
	const char *thread_name;	/* with the node's number */
	unsigned int order;
	gfp_t gfp;			/* the refill's allocation */
	int seeks;			/* the shrinker's */
	bool refill_each;		/* wake the thread for every folio taken */
	enum fastfault_stat hits, misses, refilled, shrunk, zero_ns;
	struct ff_pcp __percpu *pcp;
	struct ff_pool_node *nodes;	/* nr_node_ids of them */
	u64 bytes;
	bool on;			/* read on the fault path */
	struct ff_shrinker shrinker;
};

static struct ff_pool ff_pools[FF_POOL_NR] = {
	[FF_POOL_SMALL] = {
		.too_big = "zero-pool is larger than half of RAM",
		.no_thread = "cannot start the zero-pool thread",
		.thread_name = "fastfault/%d",
		.order = 0,
		.gfp = (GFP_HIGHUSER | __GFP_RECLAIMABLE | __GFP_ZERO |
			__GFP_THISNODE | __GFP_NOWARN) & ~__GFP_RECLAIM,
		.seeks = DEFAULT_SEEKS,
		.hits = FASTFAULT_STAT_POOL_HITS,
		.misses = FASTFAULT_STAT_POOL_MISSES,
		.refilled = FASTFAULT_STAT_POOL_REFILLED,
		.shrunk = FASTFAULT_STAT_POOL_SHRUNK,
		.zero_ns = FASTFAULT_STAT_POOL_ZERO_NS,
	},
	/*
	 * No reclaim, no compaction, no kswapd (GFP_TRANSHUGE_LIGHT but for
	 * the zone and migratetype, which are the small pool's: a pooled
	 * folio is neither on the LRU nor movable), and only on the node.
	 */
	[FF_POOL_HUGE] = {
		.too_big = "zero-pool-huge is larger than half of RAM",
		.no_thread = "cannot start the zero-pool-huge thread",
		.thread_name = "fastfault-huge/%d",
		.order = HPAGE_PMD_ORDER,
		.gfp = (GFP_HIGHUSER | __GFP_RECLAIMABLE | __GFP_ZERO |
			__GFP_COMP | __GFP_NOMEMALLOC | __GFP_THISNODE |
			__GFP_NORETRY | __GFP_NOWARN) & ~__GFP_RECLAIM,
		/* given back before the small pool: a folio is 512 pages */
		.seeks = 1,
		/* a THP fault is rare and its folio dear: replace each one */
		.refill_each = true,
		.hits = FASTFAULT_STAT_HUGE_POOL_HITS,
		.misses = FASTFAULT_STAT_HUGE_POOL_MISSES,
		.refilled = FASTFAULT_STAT_HUGE_POOL_REFILLED,
		.shrunk = FASTFAULT_STAT_HUGE_POOL_SHRUNK,
		.zero_ns = FASTFAULT_STAT_HUGE_POOL_ZERO_NS,
	},
};

static DEFINE_MUTEX(ff_pool_lock);	/* size changes */
static bool ff_pool_nontemporal;	/* read by the refill threads */
static int ff_pool_cpuhp_state;

static unsigned long ff_pool_folio_pages(const struct ff_pool *pool)
{
	return 1UL << pool->order;
}

/* ---- the fault path ---- */

/* A pool folio leaves the pool: it is no longer reclaimable memory. */
static void ff_pool_unaccount(struct folio *folio)
{
	node_stat_mod_folio(folio, NR_KERNEL_MISC_RECLAIMABLE,
			    -folio_nr_pages(folio));
}

/* The task and VMA take pages the local node's way: default policy, cpuset. */
static __always_inline bool ff_pool_local_ok(struct vm_area_struct *vma)
{
	return !vma->vm_policy && !current->mempolicy &&
	       node_isset(numa_node_id(), current->mems_allowed);
}

/*
 * From the hook, before the allocation: the anonymous fault's zeroed
 * order-0 page, for a task and VMA with the default memory policy whose
 * cpuset allows the local node?
 */
bool notrace ff_pool_wanted(gfp_t gfp, int order, struct vm_area_struct *vma,
			    unsigned long caller)
{
	if (gfp != FF_FAULT_GFP || order || !vma ||
	    !READ_ONCE(ff_pools[FF_POOL_SMALL].on))
		return false;
	if (ff_scoped(FF_SCOPE_POOL_ACCESS, READ_ONCE(ff_sys_pool_access)) &&
	    ff_pool_local_ok(vma))
		return !ff_own_call(caller);
	ff_stat_inc(FASTFAULT_STAT_POOL_INELIGIBLE);
	return false;
}

/*
 * From the allocation wrapper, for an anonymous huge-page fault's
 * allocation (zero-once's test of the caller): may the huge pool serve
 * it?  Only at PMD order, on the same terms as the small pool.
 */
bool ff_pool_huge_wanted(int order, struct vm_area_struct *vma)
{
	if (order != HPAGE_PMD_ORDER || !vma ||
	    !READ_ONCE(ff_pools[FF_POOL_HUGE].on))
		return false;
	if (ff_scoped(FF_SCOPE_POOL_ACCESS, READ_ONCE(ff_sys_pool_access)) &&
	    ff_pool_local_ok(vma))
		return true;
	ff_stat_inc(FASTFAULT_STAT_HUGE_POOL_INELIGIBLE);
	return false;
}

/* A zeroed folio from this CPU's cache of pool @kind, or NULL. */
struct folio *ff_pool_take(enum ff_pool_kind kind)
{
	struct ff_pool *pool = &ff_pools[kind];
	struct folio *folio;
	struct ff_pcp *pcp;
	unsigned int left;
	int cpu, nid;

	cpu = raw_smp_processor_id();
	nid = cpu_to_node(cpu);
	/* moved since the hook looked: to a node the task may not use? */
	if (unlikely(!node_isset(nid, current->mems_allowed)))
		return NULL;

	pcp = per_cpu_ptr(pool->pcp, cpu);
	spin_lock(&pcp->lock);
	folio = list_first_entry_or_null(&pcp->folios, struct folio, lru);
	if (folio) {
		list_del(&folio->lru);
		pcp->count--;
	}
	left = pcp->count;
	spin_unlock(&pcp->lock);

	if (folio) {
		ff_pool_unaccount(folio);
		/*
		 * Memory that failed while it waited here is never handed
		 * out: the free path keeps a poisoned page out of the
		 * allocator for good.
		 */
		if (unlikely(ff_folio_hwpoisoned(folio))) {
			folio_put(folio);
			folio = NULL;
		}
	}

	ff_stat_inc(folio ? pool->hits : pool->misses);
	/*
	 * At or below half (a target of 1 too), or for the huge pool below
	 * full: wake the node's thread, once.
	 */
	if ((pool->refill_each ? left < READ_ONCE(pcp->target) :
				 left <= READ_ONCE(pcp->target) / 2) &&
	    !test_and_set_bit(0, &pool->nodes[nid].kick))
		wake_up(&pool->nodes[nid].wait);
	return folio;
}

/* ---- the refill threads ---- */

/*
 * Clear a page with non-temporal stores: the lines go to memory without
 * being allocated in the cache.  The caller orders them (wmb(), an
 * sfence on x86) before the page is published.
 */
static void ff_clear_page_nt(struct page *page)
{
	unsigned long *p = ff_kmap_local_page(page);
	unsigned long *end = p + PAGE_SIZE / sizeof(*p);
	unsigned long *q;

	for (q = p; q < end; q += 4)
		asm volatile("movnti %1, 0(%0)\n\t"
			     "movnti %1, 8(%0)\n\t"
			     "movnti %1, 16(%0)\n\t"
			     "movnti %1, 24(%0)"
			     : : "r" (q), "r" (0UL) : "memory");
	ff_kunmap_local(p);
}

/*
 * Non-temporal clearing is only ever the one clear of a page: where the
 * allocator clears pages itself (init_on_alloc, or init_on_free before
 * them), it would be a second pass.
 */
bool ff_pool_nontemporal_allowed(void)
{
	return !want_init_on_alloc(0) && !want_init_on_free();
}

void ff_pool_set_nontemporal(bool on)
{
	WRITE_ONCE(ff_pool_nontemporal, on && ff_pool_nontemporal_allowed());
}

/*
 * Free 2 MiB blocks (free blocks of PMD order or more, in PMD-size
 * units) in the zones @gfp takes from on node @nid.  Read without the
 * zone lock: a hint.
 */
static unsigned long ff_node_free_huge(int nid, gfp_t gfp)
{
	struct pglist_data *pgdat = NODE_DATA(nid);
	unsigned long n = 0;
	int i, o;

	for (i = gfp_zone(gfp); i >= 0; i--) {
		struct zone *z = &pgdat->node_zones[i];

		for (o = HPAGE_PMD_ORDER; o < (int)ARRAY_SIZE(z->free_area); o++)
			n += READ_ONCE(z->free_area[o].nr_free) <<
			     (o - HPAGE_PMD_ORDER);
	}
	return n;
}

static unsigned long ff_pool_held(struct ff_pool *pool, int nid);

/*
 * May the refill take @want more folios on @nid?  Never below the high
 * watermark; the huge pool, only while free 2 MiB blocks are plentiful.
 */
static bool ff_pool_has_room(struct ff_pool *pool, int nid, unsigned int want)
{
	unsigned long pages = want * ff_pool_folio_pages(pool);

	if (!ff_node_has_room(nid, pages, pool->gfp))
		return false;
	if (!pool->order)
		return true;
	return ff_node_free_huge(nid, pool->gfp) >=
	       FF_HUGE_FREE_MIN + 2 * (ff_pool_held(pool, nid) + want);
}

/* One folio for the pool, zero by the time the batch is published. */
static struct folio *ff_pool_alloc(struct ff_pool *pool, int nid, bool nt)
{
	struct folio *folio;
	long i;

	if (!nt)
		return ff_folio_alloc_node(pool->gfp, pool->order, nid);
	folio = ff_folio_alloc_node(pool->gfp & ~__GFP_ZERO, pool->order, nid);
	if (folio)
		for (i = 0; i < folio_nr_pages(folio); i++)
			ff_clear_page_nt(folio_page(folio, i));
	return folio;
}

/* Fill one CPU's cache up to its target; false if memory ran short. */
static bool ff_refill_cpu(struct ff_pool *pool, int nid, int cpu)
{
	struct ff_pcp *pcp = per_cpu_ptr(pool->pcp, cpu);

	for (;;) {
		unsigned int want = READ_ONCE(pcp->target) - READ_ONCE(pcp->count);
		LIST_HEAD(batch);
		unsigned int n = 0;
		bool nt;
		u64 t0;

		if ((int)want <= 0 || kthread_should_stop())
			return true;
		/* a batch is at most FF_REFILL_BATCH pages, or one folio */
		want = min_t(unsigned int, want,
			     max(FF_REFILL_BATCH >> pool->order, 1));
		if (time_before(jiffies, READ_ONCE(pool->nodes[nid].pressure)) ||
		    !ff_pool_has_room(pool, nid, want))
			return false;

		nt = READ_ONCE(ff_pool_nontemporal);
		t0 = ktime_get_ns();
		while (n < want) {
			struct folio *folio = ff_pool_alloc(pool, nid, nt);

			if (!folio)
				break;
			list_add(&folio->lru, &batch);
			n++;
		}
		if (nt)
			wmb();	/* the stores reach memory before the folios are handed out */
		ff_stat_add(pool->zero_ns, ktime_get_ns() - t0);
		ff_stat_add(pool->refilled, n);
		mod_node_page_state(NODE_DATA(nid), NR_KERNEL_MISC_RECLAIMABLE,
				    n * ff_pool_folio_pages(pool));

		spin_lock(&pcp->lock);
		list_splice(&batch, &pcp->folios);
		pcp->count += n;
		spin_unlock(&pcp->lock);

		if (n < want)
			return false;
		/*
		 * Faults can drain the cache as fast as this refills it,
		 * and then the thread never sleeps.  A preemption is no
		 * quiescent state for RCU Tasks, so without this report
		 * every synchronize_rcu_tasks() in the system (ftrace's
		 * unregister, so our own unload) waits for the faults to
		 * stop: modprobe -r hung under a steady faulting load.
		 */
		cond_resched_tasks_rcu_qs();
	}
}

static int ff_pool_thread(void *data)
{
	struct ff_pool_node *node = data;
	struct ff_pool *pool = node->pool;
	int nid = node - pool->nodes;

	sched_set_normal(current, MAX_NICE);
	while (!kthread_should_stop()) {
		bool full = true;
		int cpu;

		clear_bit(0, &node->kick);
		for_each_cpu(cpu, cpumask_of_node(nid))
			if (cpu_online(cpu) && !ff_refill_cpu(pool, nid, cpu))
				full = false;
		/*
		 * Full: sleep until a fault finds a cache low.  Short of
		 * memory: look again in a second, not sooner.
		 */
		wait_event_interruptible_timeout(node->wait,
						 kthread_should_stop() ||
						 (full && test_bit(0, &node->kick)),
						 full ? MAX_SCHEDULE_TIMEOUT : HZ);
	}
	return 0;
}

/* ---- giving folios back ---- */

/*
 * Free folios above @keep in @cpu's cache, at most @max, and only those
 * that start in [@start_pfn, @end_pfn); returns how many.
 */
static unsigned long ff_trim_cpu_range(struct ff_pool *pool, int cpu,
				       unsigned int keep, unsigned long max,
				       unsigned long start_pfn,
				       unsigned long end_pfn)
{
	struct ff_pcp *pcp = per_cpu_ptr(pool->pcp, cpu);
	struct folio *folio, *tmp;
	unsigned long n = 0;
	LIST_HEAD(victims);

	spin_lock(&pcp->lock);
	list_for_each_entry_safe_reverse(folio, tmp, &pcp->folios, lru) {
		if (pcp->count <= keep || n >= max)
			break;
		if (folio_pfn(folio) < start_pfn || folio_pfn(folio) >= end_pfn)
			continue;
		list_move(&folio->lru, &victims);
		pcp->count--;
		n++;
	}
	spin_unlock(&pcp->lock);

	list_for_each_entry_safe(folio, tmp, &victims, lru) {
		list_del(&folio->lru);
		ff_pool_unaccount(folio);
		folio_put(folio);
	}
	return n;
}

/* Free folios above @keep in @cpu's cache, at most @max; returns how many. */
static unsigned long ff_trim_cpu(struct ff_pool *pool, int cpu,
				 unsigned int keep, unsigned long max)
{
	return ff_trim_cpu_range(pool, cpu, keep, max, 0, ULONG_MAX);
}

/* Folios held for node @nid, by every CPU of it, online or not. */
static unsigned long ff_pool_held(struct ff_pool *pool, int nid)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		if (cpu_to_node(cpu) == nid)
			n += READ_ONCE(per_cpu_ptr(pool->pcp, cpu)->count);
	return n;
}

/* Counted in pages, so that the pressure asks a folio's worth of each. */
static unsigned long ff_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	struct ff_pool *pool = ff_shrinker_data(s);
	unsigned long n = ff_pool_held(pool, sc->nid) * ff_pool_folio_pages(pool);

	return n ? n : SHRINK_EMPTY;
}

static unsigned long ff_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	struct ff_pool *pool = ff_shrinker_data(s);
	unsigned long want = DIV_ROUND_UP(sc->nr_to_scan, ff_pool_folio_pages(pool));
	unsigned long freed = 0;
	int cpu;

	/* memory is short on this node: no refilling there for a second */
	WRITE_ONCE(pool->nodes[sc->nid].pressure, jiffies + HZ);
	for_each_possible_cpu(cpu) {
		if (freed >= want)
			break;
		if (cpu_to_node(cpu) == sc->nid)
			freed += ff_trim_cpu(pool, cpu, 0, want - freed);
	}
	ff_stat_add(pool->shrunk, freed);
	return freed ? freed * ff_pool_folio_pages(pool) : SHRINK_STOP;
}

/*
 * A memory block going offline: give back the pools' folios in it, which
 * would otherwise keep the offline from ever completing.  Isolation of
 * the range has already begun, so no refill lands there again.
 */
static int ff_pool_memory_notify(struct notifier_block *nb,
				 unsigned long action, void *arg)
{
	struct memory_notify *mn = arg;
	struct ff_pool *pool;
	int cpu;

	if (action != MEM_GOING_OFFLINE)
		return NOTIFY_OK;
	for (pool = ff_pools; pool < ff_pools + FF_POOL_NR; pool++) {
		unsigned long freed = 0;

		for_each_possible_cpu(cpu)
			freed += ff_trim_cpu_range(pool, cpu, 0, ULONG_MAX,
						   mn->start_pfn,
						   mn->start_pfn + mn->nr_pages);
		ff_stat_add(pool->shrunk, freed);
	}
	return NOTIFY_OK;
}

static struct notifier_block ff_pool_memory_nb = {
	.notifier_call = ff_pool_memory_notify,
};

/* ---- size ---- */

static void ff_pool_stop_threads(struct ff_pool *pool)
{
	int nid;

	for_each_node(nid) {
		if (pool->nodes[nid].thread) {
			kthread_stop(pool->nodes[nid].thread);
			pool->nodes[nid].thread = NULL;
		}
	}
}

/*
 * Split @folios over the online CPUs but @leaving (going offline, or
 * -1); each node's target is its share.  Under ff_pool_lock.
 */
static void ff_pool_set_targets(struct ff_pool *pool, unsigned long folios,
				int leaving)
{
	unsigned int ncpu = num_online_cpus() - (leaving >= 0);
	unsigned int per_cpu = folios && ncpu ? DIV_ROUND_UP(folios, ncpu) : 0;
	int cpu, nid;

	for_each_node(nid)
		pool->nodes[nid].target = 0;
	for_each_possible_cpu(cpu) {
		unsigned int t = cpu_online(cpu) && cpu != leaving ? per_cpu : 0;

		WRITE_ONCE(per_cpu_ptr(pool->pcp, cpu)->target, t);
		pool->nodes[cpu_to_node(cpu)].target += t;
	}
}

u64 ff_pool_get_size(enum ff_pool_kind kind)
{
	return ff_pools[kind].bytes;
}

/* Wake every node's thread: there is work even for one at rest. */
static void ff_pool_kick_all(struct ff_pool *pool, nodemask_t started)
{
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		if (!pool->nodes[nid].thread)
			continue;
		set_bit(0, &pool->nodes[nid].kick);
		if (node_isset(nid, started))
			wake_up_process(pool->nodes[nid].thread);
		else
			wake_up(&pool->nodes[nid].wait);
	}
}

/*
 * Pool @kind holds @bytes, rounded down to whole folios.  Starting the
 * threads is the one step that can fail, so it comes first: a failure
 * stops only the threads this call started and leaves the pool as it
 * was.  Everything after it cannot fail.  The CPU hotplug lock is taken
 * before ff_pool_lock, in the order the hotplug callbacks take them.
 */
int ff_pool_set_size(enum ff_pool_kind kind, u64 bytes,
		     struct netlink_ext_ack *extack)
{
	struct ff_pool *pool = &ff_pools[kind];
	unsigned long folios = bytes >> (PAGE_SHIFT + pool->order);
	nodemask_t started = NODE_MASK_NONE;
	int cpu, nid, ret;

	if (folios << pool->order > totalram_pages() / 2) {
		if (extack)	/* a static string, but not a literal */
			extack->_msg = pool->too_big;
		return -ERANGE;
	}

	cpus_read_lock();
	mutex_lock(&ff_pool_lock);
	for_each_node_state(nid, N_MEMORY) {
		struct task_struct *t;

		if (!folios || pool->nodes[nid].thread)
			continue;
		t = kthread_create_on_node(ff_pool_thread, &pool->nodes[nid],
					   nid, pool->thread_name, nid);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			if (extack)
				extack->_msg = pool->no_thread;
			goto err_stop;
		}
		set_cpus_allowed_ptr(t, cpumask_of_node(nid));
		pool->nodes[nid].thread = t;
		node_set(nid, started);
	}

	if (!folios) {
		WRITE_ONCE(pool->on, false);
		ff_pool_stop_threads(pool);
	}
	ff_pool_set_targets(pool, folios, -1);
	/* a smaller pool gives the excess back now */
	for_each_possible_cpu(cpu)
		ff_trim_cpu(pool, cpu, per_cpu_ptr(pool->pcp, cpu)->target,
			    ULONG_MAX);
	if (folios) {
		ff_pool_kick_all(pool, started);
		WRITE_ONCE(pool->on, true);
	}
	pool->bytes = (u64)folios << (PAGE_SHIFT + pool->order);
	mutex_unlock(&ff_pool_lock);
	cpus_read_unlock();
	return 0;

err_stop:
	/* never woken: kthread_stop() ends them before they run */
	for_each_node_mask(nid, started) {
		kthread_stop(pool->nodes[nid].thread);
		pool->nodes[nid].thread = NULL;
	}
	mutex_unlock(&ff_pool_lock);
	cpus_read_unlock();
	return ret;
}

/*
 * CPU hotplug, in the hotplug thread of @cpu with the hotplug lock held:
 * share each pool out again over the CPUs online after the change.  A
 * CPU going away frees its whole cache, which nothing could take from
 * any more (its target is now 0).
 */
static int ff_pool_cpu_change(unsigned int cpu, bool online)
{
	struct ff_pool *pool;
	int c;

	mutex_lock(&ff_pool_lock);
	for (pool = ff_pools; pool < ff_pools + FF_POOL_NR; pool++) {
		ff_pool_set_targets(pool, pool->bytes >> (PAGE_SHIFT + pool->order),
				    online ? -1 : (int)cpu);
		/* the pool keeps its size: what a share lost is freed, then refilled */
		for_each_possible_cpu(c)
			ff_trim_cpu(pool, c, per_cpu_ptr(pool->pcp, c)->target,
				    ULONG_MAX);
		if (pool->bytes)
			ff_pool_kick_all(pool, NODE_MASK_NONE);
	}
	mutex_unlock(&ff_pool_lock);
	return 0;
}

static int ff_pool_cpu_online(unsigned int cpu)
{
	return ff_pool_cpu_change(cpu, true);
}

static int ff_pool_cpu_offline(unsigned int cpu)
{
	return ff_pool_cpu_change(cpu, false);
}

/* Pool @kind on node @nid, in pages: held now, and the target. */
void ff_pool_node(enum ff_pool_kind kind, int nid, u64 *pages, u64 *target)
{
	struct ff_pool *pool = &ff_pools[kind];

	*pages = ff_pool_held(pool, nid) * ff_pool_folio_pages(pool);
	*target = pool->nodes[nid].target * ff_pool_folio_pages(pool);
}

static void ff_pool_free(struct ff_pool *pool)
{
	free_percpu(pool->pcp);
	kfree(pool->nodes);
}

static int ff_pool_alloc_one(struct ff_pool *pool)
{
	int cpu, nid;

	pool->nodes = kcalloc(nr_node_ids, sizeof(*pool->nodes), GFP_KERNEL);
	pool->pcp = alloc_percpu(struct ff_pcp);
	if (!pool->nodes || !pool->pcp) {
		ff_pool_free(pool);
		return -ENOMEM;
	}
	for_each_node(nid) {
		pool->nodes[nid].pool = pool;
		init_waitqueue_head(&pool->nodes[nid].wait);
	}
	for_each_possible_cpu(cpu) {
		struct ff_pcp *pcp = per_cpu_ptr(pool->pcp, cpu);

		spin_lock_init(&pcp->lock);
		INIT_LIST_HEAD(&pcp->folios);
	}
	return 0;
}

/*
 * Cheap to make again, but not free: DEFAULT_SEEKS asks for a share of
 * the small pool in proportion to the pressure, where 0 would hand over
 * half of it on every pass; the huge pool's 1 asks twice that share.
 */
int ff_pool_init(void)
{
	int i, ret;

	for (i = 0; i < FF_POOL_NR; i++) {
		struct ff_pool *pool = &ff_pools[i];

		ret = ff_pool_alloc_one(pool);
		if (ret)
			goto err_pools;
		ret = ff_shrinker_add(&pool->shrinker,
				      i ? "fastfault-zero-pool-huge" :
					  "fastfault-zero-pool",
				      ff_shrink_count, ff_shrink_scan,
				      pool->seeks, pool);
		if (ret) {
			ff_pool_free(pool);
			goto err_pools;
		}
	}
	ret = register_memory_notifier(&ff_pool_memory_nb);
	if (ret)
		goto err_pools;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"fastfault/zero_pool:online",
					ff_pool_cpu_online, ff_pool_cpu_offline);
	if (ret < 0)
		goto err_memory;
	ff_pool_cpuhp_state = ret;
	return 0;

err_memory:
	unregister_memory_notifier(&ff_pool_memory_nb);
err_pools:
	while (i--) {
		ff_shrinker_remove(&ff_pools[i].shrinker);
		ff_pool_free(&ff_pools[i]);
	}
	return ret;
}

/* After the hook is gone: nobody takes folios any more. */
void ff_pool_exit(void)
{
	struct ff_pool *pool;
	int cpu;

	for (pool = ff_pools; pool < ff_pools + FF_POOL_NR; pool++)
		WRITE_ONCE(pool->on, false);
	cpuhp_remove_state_nocalls(ff_pool_cpuhp_state);
	for (pool = ff_pools; pool < ff_pools + FF_POOL_NR; pool++)
		ff_pool_stop_threads(pool);
	unregister_memory_notifier(&ff_pool_memory_nb);
	for (pool = ff_pools; pool < ff_pools + FF_POOL_NR; pool++) {
		ff_shrinker_remove(&pool->shrinker);
		for_each_possible_cpu(cpu)
			ff_trim_cpu(pool, cpu, 0, ULONG_MAX);
		ff_pool_free(pool);
	}
}
