// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-zeroed page pool.  A kernel thread per NUMA node keeps each of
 * its CPUs' caches stocked with zeroed order-0 pages, and the anonymous
 * fault's zeroed-page allocation (vma_alloc_folio with
 * GFP_HIGHUSER_MOVABLE | __GFP_ZERO at order 0) takes one from the
 * local CPU's cache instead of clearing a page inline.
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

#define FF_POOL_GFP	((GFP_HIGHUSER | __GFP_RECLAIMABLE | __GFP_ZERO | \
			  __GFP_THISNODE | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define FF_FAULT_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_ZERO)
#define FF_REFILL_BATCH	32

struct ff_pcp {
	spinlock_t lock;		/* taken by its own CPU, but for refill and shrink */
	unsigned int count;
	unsigned int target;		/* pages this CPU's cache holds */
	struct list_head pages;
};

struct ff_pool_node {
	struct task_struct *thread;
	wait_queue_head_t wait;
	unsigned long kick;		/* bit 0: a cache ran low */
	unsigned long target;
	unsigned long pressure;		/* jiffies until refill resumes */
};

static DEFINE_PER_CPU(struct ff_pcp, ff_pcp);
static struct ff_pool_node *ff_nodes;	/* nr_node_ids of them */
static DEFINE_MUTEX(ff_pool_lock);	/* size changes */
static u64 ff_pool_bytes;
static bool ff_pool_on;			/* read on the fault path */
static bool ff_pool_nontemporal;	/* read by the refill threads */
static int ff_pool_cpuhp_state;

#if FF_SHRINKER_ALLOC
static struct shrinker *ff_shrinker;
#else
static struct shrinker ff_shrinker_s;
#endif

/* ---- the fault path ---- */

/* A pool page leaves the pool: it is no longer reclaimable memory. */
static void ff_pool_unaccount(struct page *page)
{
	mod_node_page_state(page_pgdat(page), NR_KERNEL_MISC_RECLAIMABLE, -1);
}

/*
 * From the hook, before the allocation: the anonymous fault's zeroed
 * order-0 page, for a task and VMA with the default memory policy whose
 * cpuset allows the local node?
 */
bool notrace ff_pool_wanted(gfp_t gfp, int order, struct vm_area_struct *vma,
			    unsigned long addr, bool hugepage,
			    unsigned long caller)
{
	if (gfp != FF_FAULT_GFP || order || !vma || !READ_ONCE(ff_pool_on))
		return false;
	if (!vma->vm_policy && !current->mempolicy &&
	    node_isset(numa_node_id(), current->mems_allowed))
		return !ff_own_call(caller);
	ff_stat_inc(FASTFAULT_STAT_POOL_INELIGIBLE);
	return false;
}

/* A zeroed page from this CPU's cache, or NULL. */
struct folio *ff_pool_take(void)
{
	struct ff_pcp *pcp;
	struct page *page;
	unsigned int left;
	int cpu, nid;

	cpu = raw_smp_processor_id();
	nid = cpu_to_node(cpu);
	/* moved since the hook looked: to a node the task may not use? */
	if (unlikely(!node_isset(nid, current->mems_allowed)))
		return NULL;

	pcp = per_cpu_ptr(&ff_pcp, cpu);
	spin_lock(&pcp->lock);
	page = list_first_entry_or_null(&pcp->pages, struct page, lru);
	if (page) {
		list_del(&page->lru);
		pcp->count--;
	}
	left = pcp->count;
	spin_unlock(&pcp->lock);

	if (page) {
		ff_pool_unaccount(page);
		/*
		 * Memory that failed while it waited here is never handed
		 * out: the free path keeps a poisoned page out of the
		 * allocator for good.
		 */
		if (unlikely(PageHWPoison(page))) {
			__free_page(page);
			page = NULL;
		}
	}

	ff_stat_inc(page ? FASTFAULT_STAT_POOL_HITS : FASTFAULT_STAT_POOL_MISSES);
	/* at or below half (a target of 1 too): wake the node's thread, once */
	if (left <= READ_ONCE(pcp->target) / 2 &&
	    !test_and_set_bit(0, &ff_nodes[nid].kick))
		wake_up(&ff_nodes[nid].wait);
	return page ? page_folio(page) : NULL;
}

/* ---- the refill threads ---- */

/*
 * Clear a page with non-temporal stores: the lines go to memory without
 * being allocated in the cache.  The caller orders them (wmb(), an
 * sfence on x86) before the page is published.
 */
static void ff_clear_page_nt(struct page *page)
{
	unsigned long *p = kmap_local_page(page);
	unsigned long *end = p + PAGE_SIZE / sizeof(*p);
	unsigned long *q;

	for (q = p; q < end; q += 4)
		asm volatile("movnti %1, 0(%0)\n\t"
			     "movnti %1, 8(%0)\n\t"
			     "movnti %1, 16(%0)\n\t"
			     "movnti %1, 24(%0)"
			     : : "r" (q), "r" (0UL) : "memory");
	kunmap_local(p);
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

/* One page for the pool, zero by the time the batch is published. */
static struct page *ff_pool_alloc(int nid, bool nt)
{
	struct page *page;

	if (!nt)
		return ff_alloc_pages_node(nid, FF_POOL_GFP, 0);
	page = ff_alloc_pages_node(nid, FF_POOL_GFP & ~__GFP_ZERO, 0);
	if (page)
		ff_clear_page_nt(page);
	return page;
}

/* Fill one CPU's cache up to its target; false if memory ran short. */
static bool ff_refill_cpu(int nid, int cpu)
{
	struct ff_pcp *pcp = per_cpu_ptr(&ff_pcp, cpu);

	for (;;) {
		unsigned int want = READ_ONCE(pcp->target) - READ_ONCE(pcp->count);
		LIST_HEAD(batch);
		unsigned int n = 0;
		bool nt;
		u64 t0;

		if ((int)want <= 0 || kthread_should_stop())
			return true;
		want = min_t(unsigned int, want, FF_REFILL_BATCH);
		if (time_before(jiffies, READ_ONCE(ff_nodes[nid].pressure)) ||
		    !ff_node_has_room(nid, want, FF_POOL_GFP))
			return false;

		nt = READ_ONCE(ff_pool_nontemporal);
		t0 = ktime_get_ns();
		while (n < want) {
			struct page *page = ff_pool_alloc(nid, nt);

			if (!page)
				break;
			list_add(&page->lru, &batch);
			n++;
		}
		if (nt)
			wmb();	/* the stores reach memory before the pages are handed out */
		ff_stat_add(FASTFAULT_STAT_POOL_ZERO_NS, ktime_get_ns() - t0);
		ff_stat_add(FASTFAULT_STAT_POOL_REFILLED, n);
		mod_node_page_state(NODE_DATA(nid), NR_KERNEL_MISC_RECLAIMABLE, n);

		spin_lock(&pcp->lock);
		list_splice(&batch, &pcp->pages);
		pcp->count += n;
		spin_unlock(&pcp->lock);

		if (n < want)
			return false;
		cond_resched();
	}
}

static int ff_pool_thread(void *data)
{
	struct ff_pool_node *node = data;
	int nid = node - ff_nodes;

	sched_set_normal(current, MAX_NICE);
	while (!kthread_should_stop()) {
		bool full = true;
		int cpu;

		clear_bit(0, &node->kick);
		for_each_cpu(cpu, cpumask_of_node(nid))
			if (cpu_online(cpu) && !ff_refill_cpu(nid, cpu))
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

/* ---- giving pages back ---- */

/*
 * Free pages above @keep in @cpu's cache, at most @max, and only those
 * whose frame lies in [@start_pfn, @end_pfn); returns how many.
 */
static unsigned long ff_trim_cpu_range(int cpu, unsigned int keep,
				       unsigned long max,
				       unsigned long start_pfn,
				       unsigned long end_pfn)
{
	struct ff_pcp *pcp = per_cpu_ptr(&ff_pcp, cpu);
	struct page *page, *tmp;
	unsigned long n = 0;
	LIST_HEAD(victims);

	spin_lock(&pcp->lock);
	list_for_each_entry_safe_reverse(page, tmp, &pcp->pages, lru) {
		if (pcp->count <= keep || n >= max)
			break;
		if (page_to_pfn(page) < start_pfn ||
		    page_to_pfn(page) >= end_pfn)
			continue;
		list_move(&page->lru, &victims);
		pcp->count--;
		n++;
	}
	spin_unlock(&pcp->lock);

	list_for_each_entry_safe(page, tmp, &victims, lru) {
		list_del(&page->lru);
		ff_pool_unaccount(page);
		__free_page(page);
	}
	return n;
}

/* Free pages above @keep in @cpu's cache, at most @max; returns how many. */
static unsigned long ff_trim_cpu(int cpu, unsigned int keep,
				 unsigned long max)
{
	return ff_trim_cpu_range(cpu, keep, max, 0, ULONG_MAX);
}

/* Pages held for node @nid, by every CPU of it, online or not. */
static unsigned long ff_pool_pages(int nid)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		if (cpu_to_node(cpu) == nid)
			n += READ_ONCE(per_cpu_ptr(&ff_pcp, cpu)->count);
	return n;
}

static unsigned long ff_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long n = ff_pool_pages(sc->nid);

	return n ? n : SHRINK_EMPTY;
}

static unsigned long ff_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long freed = 0;
	int cpu;

	/* memory is short on this node: no refilling there for a second */
	WRITE_ONCE(ff_nodes[sc->nid].pressure, jiffies + HZ);
	for_each_possible_cpu(cpu) {
		if (freed >= sc->nr_to_scan)
			break;
		if (cpu_to_node(cpu) == sc->nid)
			freed += ff_trim_cpu(cpu, 0, sc->nr_to_scan - freed);
	}
	ff_stat_add(FASTFAULT_STAT_POOL_SHRUNK, freed);
	return freed ? freed : SHRINK_STOP;
}

/*
 * Cheap to make again, but not free: DEFAULT_SEEKS asks for a share of
 * the pool in proportion to the pressure, where 0 would hand over half
 * of it on every pass.
 */
static int ff_shrinker_register(void)
{
#if FF_SHRINKER_ALLOC
	ff_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE, "fastfault-zero-pool");
	if (!ff_shrinker)
		return -ENOMEM;
	ff_shrinker->count_objects = ff_shrink_count;
	ff_shrinker->scan_objects = ff_shrink_scan;
	ff_shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(ff_shrinker);
	return 0;
#else
	ff_shrinker_s.count_objects = ff_shrink_count;
	ff_shrinker_s.scan_objects = ff_shrink_scan;
	ff_shrinker_s.seeks = DEFAULT_SEEKS;
	ff_shrinker_s.flags = SHRINKER_NUMA_AWARE;
	return register_shrinker(&ff_shrinker_s, "fastfault-zero-pool");
#endif
}

static void ff_shrinker_unregister(void)
{
#if FF_SHRINKER_ALLOC
	shrinker_free(ff_shrinker);
#else
	unregister_shrinker(&ff_shrinker_s);
#endif
}

/*
 * A memory block going offline: give back the pool's pages in it, which
 * would otherwise keep the offline from ever completing.  Isolation of
 * the range has already begun, so no refill lands there again.
 */
static int ff_pool_memory_notify(struct notifier_block *nb,
				 unsigned long action, void *arg)
{
	struct memory_notify *mn = arg;
	unsigned long freed = 0;
	int cpu;

	if (action != MEM_GOING_OFFLINE)
		return NOTIFY_OK;
	for_each_possible_cpu(cpu)
		freed += ff_trim_cpu_range(cpu, 0, ULONG_MAX, mn->start_pfn,
					   mn->start_pfn + mn->nr_pages);
	ff_stat_add(FASTFAULT_STAT_POOL_SHRUNK, freed);
	return NOTIFY_OK;
}

static struct notifier_block ff_pool_memory_nb = {
	.notifier_call = ff_pool_memory_notify,
};

/* ---- size ---- */

static void ff_pool_stop_threads(void)
{
	int nid;

	for_each_node(nid) {
		if (ff_nodes[nid].thread) {
			kthread_stop(ff_nodes[nid].thread);
			ff_nodes[nid].thread = NULL;
		}
	}
}

/*
 * Split @pages over the online CPUs but @leaving (going offline, or -1);
 * each node's target is its share.  Under ff_pool_lock.
 */
static void ff_pool_set_targets(unsigned long pages, int leaving)
{
	unsigned int ncpu = num_online_cpus() - (leaving >= 0);
	unsigned int per_cpu = pages && ncpu ? DIV_ROUND_UP(pages, ncpu) : 0;
	int cpu, nid;

	for_each_node(nid)
		ff_nodes[nid].target = 0;
	for_each_possible_cpu(cpu) {
		unsigned int t = cpu_online(cpu) && cpu != leaving ? per_cpu : 0;

		WRITE_ONCE(per_cpu_ptr(&ff_pcp, cpu)->target, t);
		ff_nodes[cpu_to_node(cpu)].target += t;
	}
}

u64 ff_pool_get_size(void)
{
	return ff_pool_bytes;
}

/* Wake every node's thread: there is work even for one at rest. */
static void ff_pool_kick_all(nodemask_t started)
{
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		if (!ff_nodes[nid].thread)
			continue;
		set_bit(0, &ff_nodes[nid].kick);
		if (node_isset(nid, started))
			wake_up_process(ff_nodes[nid].thread);
		else
			wake_up(&ff_nodes[nid].wait);
	}
}

/*
 * Starting the threads is the one step that can fail, so it comes first:
 * a failure stops only the threads this call started and leaves the pool
 * as it was.  Everything after it cannot fail.  The CPU hotplug lock is
 * taken before ff_pool_lock, in the order the hotplug callbacks take
 * them.
 */
int ff_pool_set_size(u64 bytes, struct netlink_ext_ack *extack)
{
	unsigned long pages = bytes >> PAGE_SHIFT;
	nodemask_t started = NODE_MASK_NONE;
	int cpu, nid, ret;

	if (pages > totalram_pages() / 2) {
		NL_SET_ERR_MSG(extack, "zero-pool is larger than half of RAM");
		return -ERANGE;
	}

	cpus_read_lock();
	mutex_lock(&ff_pool_lock);
	for_each_node_state(nid, N_MEMORY) {
		struct task_struct *t;

		if (!pages || ff_nodes[nid].thread)
			continue;
		t = kthread_create_on_node(ff_pool_thread, &ff_nodes[nid],
					   nid, "fastfault/%d", nid);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			NL_SET_ERR_MSG(extack, "cannot start the zero-pool thread");
			goto err_stop;
		}
		set_cpus_allowed_ptr(t, cpumask_of_node(nid));
		ff_nodes[nid].thread = t;
		node_set(nid, started);
	}

	if (!pages) {
		WRITE_ONCE(ff_pool_on, false);
		ff_pool_stop_threads();
	}
	ff_pool_set_targets(pages, -1);
	/* a smaller pool gives the excess back now */
	for_each_possible_cpu(cpu)
		ff_trim_cpu(cpu, per_cpu_ptr(&ff_pcp, cpu)->target, ULONG_MAX);
	if (pages) {
		ff_pool_kick_all(started);
		WRITE_ONCE(ff_pool_on, true);
	}
	ff_pool_bytes = (u64)pages << PAGE_SHIFT;
	mutex_unlock(&ff_pool_lock);
	cpus_read_unlock();
	return 0;

err_stop:
	/* never woken: kthread_stop() ends them before they run */
	for_each_node_mask(nid, started) {
		kthread_stop(ff_nodes[nid].thread);
		ff_nodes[nid].thread = NULL;
	}
	mutex_unlock(&ff_pool_lock);
	cpus_read_unlock();
	return ret;
}

/*
 * CPU hotplug, in the hotplug thread of @cpu with the hotplug lock held:
 * share the pool out again over the CPUs online after the change.  A CPU
 * going away frees its whole cache, which nothing could take from any
 * more (its target is now 0).
 */
static int ff_pool_cpu_change(unsigned int cpu, bool online)
{
	int c;

	mutex_lock(&ff_pool_lock);
	ff_pool_set_targets(ff_pool_bytes >> PAGE_SHIFT, online ? -1 : (int)cpu);
	/* the pool keeps its size: what a share lost is freed, then refilled */
	for_each_possible_cpu(c)
		ff_trim_cpu(c, per_cpu_ptr(&ff_pcp, c)->target, ULONG_MAX);
	if (ff_pool_bytes)
		ff_pool_kick_all(NODE_MASK_NONE);
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

void ff_pool_node(int nid, u64 *pages, u64 *target)
{
	*pages = ff_pool_pages(nid);
	*target = ff_nodes[nid].target;
}

int ff_pool_init(void)
{
	int cpu, nid, ret;

	ff_nodes = kcalloc(nr_node_ids, sizeof(*ff_nodes), GFP_KERNEL);
	if (!ff_nodes)
		return -ENOMEM;
	for_each_node(nid)
		init_waitqueue_head(&ff_nodes[nid].wait);
	for_each_possible_cpu(cpu) {
		struct ff_pcp *pcp = per_cpu_ptr(&ff_pcp, cpu);

		spin_lock_init(&pcp->lock);
		INIT_LIST_HEAD(&pcp->pages);
	}
	ret = ff_shrinker_register();
	if (ret)
		goto err_free;
	ret = register_memory_notifier(&ff_pool_memory_nb);
	if (ret)
		goto err_shrinker;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"fastfault/zero_pool:online",
					ff_pool_cpu_online, ff_pool_cpu_offline);
	if (ret < 0)
		goto err_memory;
	ff_pool_cpuhp_state = ret;
	return 0;

err_memory:
	unregister_memory_notifier(&ff_pool_memory_nb);
err_shrinker:
	ff_shrinker_unregister();
err_free:
	kfree(ff_nodes);
	return ret;
}

/* After the hook is gone: nobody takes pages any more. */
void ff_pool_exit(void)
{
	int cpu;

	WRITE_ONCE(ff_pool_on, false);
	cpuhp_remove_state_nocalls(ff_pool_cpuhp_state);
	ff_pool_stop_threads();
	unregister_memory_notifier(&ff_pool_memory_nb);
	ff_shrinker_unregister();
	for_each_possible_cpu(cpu)
		ff_trim_cpu(cpu, 0, ULONG_MAX);
	kfree(ff_nodes);
}
