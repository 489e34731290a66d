// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous fault-around: after a user write fault on private anonymous
 * memory, map the neighbouring pages in the same trip, so that a stream
 * of N pages costs one trap instead of N.
 *
 * The window adapts with no state of its own: the page tables are the
 * history.  The run of mapped pages just behind the fault (or just ahead
 * of it, for a stream that walks down) says how sequential the access
 * is, and the window is twice that run, up to the configured maximum.
 * A first or random touch has no run and gets no neighbours; a stream
 * reaches the full window after log2(N) faults.  So sparse access never
 * bloats memory, and nothing is shared between CPUs on the fault path.
 *
 * Neighbours are faulted with the original call's write and VMA-lock
 * flags only (no retry, no user flag): the kernel does the work,
 * charges memcg and honours mempolicy as for any fault.  A neighbour
 * call that returns RETRY or COMPLETED has dropped the lock: we stop
 * and hand that back to the caller.  Prefaulted PTEs are made old so
 * that reclaim takes untouched pages first.
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/vmstat.h>

#include "fastfault.h"
#include "compat.h"

/* VMA flags fault-around requires, and those it never touches. */
#define FF_VM_MASK	(VM_WRITE | VM_SHARED | VM_LOCKED | VM_LOCKONFAULT | \
			 VM_PFNMAP | VM_IO | VM_MIXEDMAP | VM_HUGETLB | FF_VM_UFFD)

static bool ff_vma_eligible(struct vm_area_struct *vma, unsigned int flags)
{
	if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_ALLOW_RETRY)) !=
	    (FAULT_FLAG_WRITE | FAULT_FLAG_ALLOW_RETRY))
		return false;
	/*
	 * anon_vma must exist: on 6.4 and later, preparing it from a fault
	 * under the VMA lock drops that lock.
	 */
	return vma_is_anonymous(vma) && vma->anon_vma &&
	       (vma->vm_flags & FF_VM_MASK) == VM_WRITE;
}

/*
 * The PTE for @addr, or NULL if its table is not there (none, huge or
 * being changed).  Under rcu_read_lock(); a hint, rechecked by
 * handle_mm_fault() itself.
 */
static pte_t *ff_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd, pmdval;

	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval) || !pmd_present(pmdval) ||
	    pmd_trans_huge(pmdval) || pmd_bad(pmdval))
		return NULL;
	return pte_offset_kernel(&pmdval, addr);
}

/*
 * Mapped pages in a row next to @addr, whose PTE is @pte, in steps of
 * @step, at most @max.  Under rcu_read_lock(); the table of @addr is
 * indexed directly, the next one walked to only where the run crosses
 * into it.
 */
static unsigned int ff_run(struct vm_area_struct *vma, pte_t *pte,
			   unsigned long addr, long step, unsigned int max)
{
	unsigned int n;

	for (n = 0; n < max; n++) {
		addr += step;
		if (addr < vma->vm_start || addr >= vma->vm_end)
			break;
		if (step > 0 ? !(addr & ~PMD_MASK) :
			       (addr & ~PMD_MASK) == PMD_SIZE - PAGE_SIZE)
			pte = ff_pte(vma->vm_mm, addr);
		else
			pte += step > 0 ? 1 : -1;
		if (!pte || !pte_present(ptep_get(pte)))
			break;
	}
	return n;
}

/* Room for @pages more without reclaim, a memcg limit or OOM? */
static bool ff_room_for(unsigned int pages)
{
	struct mem_cgroup *memcg;
	bool room = true;

	if (!ff_node_has_room(numa_node_id(), pages))
		return false;
	if (mem_cgroup_disabled())
		return true;

	/* charges come in batches: keep one batch spare below each limit */
	pages += MEMCG_CHARGE_BATCH;
	rcu_read_lock();
	for (memcg = mem_cgroup_from_task(current);
	     memcg;
	     memcg = parent_mem_cgroup(memcg)) {
		unsigned long limit = min(READ_ONCE(memcg->memory.max),
					  READ_ONCE(memcg->memory.high));

		if (page_counter_read(&memcg->memory) + pages > limit) {
			room = false;
			break;
		}
	}
	rcu_read_unlock();
	return room;
}

/*
 * Make a PTE we just had the kernel map old, if it is still there.
 * Under rcu_read_lock().
 */
static void ff_mkold(pte_t *pte)
{
	if (pte_present(ptep_get(pte)))
		ff_pte_mkold(pte);
}

/*
 * Called after handle_mm_fault() returned @ret for a user fault; returns
 * what the caller must see.
 */
vm_fault_t ff_fault_around(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, vm_fault_t ret)
{
	unsigned int max = READ_ONCE(ff_anon_window);
	unsigned int behind = 0, ahead = 0, window, done = 0, i;
	unsigned int nflags = flags & (FAULT_FLAG_WRITE | FF_FAULT_FLAG_VMA_LOCK);
	unsigned long lo, hi, addr, last = 0;
	pte_t *pte;
	long step;

	ff_stat_inc(FASTFAULT_STAT_FAULTS);
	/* failed, or the lock is gone: the VMA must not be touched */
	if (max <= 1 || (ret & (VM_FAULT_ERROR | VM_FAULT_RETRY |
				VM_FAULT_COMPLETED)))
		return ret;
	if (!ff_vma_eligible(vma, flags)) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_INELIGIBLE);
		return ret;
	}

	/* one walk to the fault's PTE; the runs index its table */
	address &= PAGE_MASK;
	rcu_read_lock();
	pte = ff_pte(vma->vm_mm, address);
	if (pte) {
		behind = ff_run(vma, pte, address, -PAGE_SIZE, max / 2);
		ahead = ff_run(vma, pte, address, PAGE_SIZE, max / 2);
	}
	rcu_read_unlock();
	if (!behind && !ahead) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL);
		return ret;
	}
	/* a stream walks away from the pages it has already touched */
	step = behind >= ahead ? PAGE_SIZE : -PAGE_SIZE;
	window = min(max, 2 * max(behind, ahead));

	lo = max(vma->vm_start, address & PMD_MASK);
	hi = min(vma->vm_end, (address & PMD_MASK) + PMD_SIZE);

	if (!ff_room_for(window - 1)) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_PRESSURE);
		return ret;
	}

	/*
	 * Every neighbour lies in the fault's page table ([lo, hi) is within
	 * one PMD), so the walk that finds a neighbour's PTE also makes the
	 * one mapped the time before (@last, one step back) old.
	 */
	for (i = 1, addr = address + step; i < window && addr >= lo &&
	     addr < hi; i++, addr += step) {
		vm_fault_t r;
		bool none;

		rcu_read_lock();
		pte = ff_pte(vma->vm_mm, addr);
		if (pte && last)
			ff_mkold(step > 0 ? pte - 1 : pte + 1);
		none = pte && pte_none(ptep_get(pte));
		rcu_read_unlock();
		last = 0;
		if (!pte)
			break;
		if (!none) {
			ff_stat_inc(FASTFAULT_STAT_SKIP_PRESENT);
			continue;
		}

		r = handle_mm_fault(vma, addr, nflags, NULL);
		if (r & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) {
			/* the lock is gone: the caller must not drop it */
			ff_stat_inc(FASTFAULT_STAT_LOCK_LOST);
			ret = r;
			break;
		}
		if (r & VM_FAULT_ERROR)
			break;
		last = addr;
		done++;
	}
	if (last) {
		rcu_read_lock();
		pte = ff_pte(vma->vm_mm, last);
		if (pte)
			ff_mkold(pte);
		rcu_read_unlock();
	}

	if (done) {
		ff_stat_inc(FASTFAULT_STAT_BATCHES);
		ff_stat_add(FASTFAULT_STAT_PREFAULTED, done);
		ff_stat_add(FASTFAULT_STAT_WINDOW_TOTAL, window);
	}
	return ret;
}
