// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous fault-around: after a user write fault on private anonymous
 * memory, map the neighbouring pages in the same trip, so that a stream
 * of N pages costs one trap instead of N.
 *
 * The window adapts with almost no state of its own: the page tables
 * are the history.  The run of mapped pages just behind the fault (or
 * just ahead of it, for a stream that walks down) says how sequential
 * the access is, and the window is twice that run, up to the configured
 * maximum.  A first or random touch, or a run shorter than FF_MIN_RUN,
 * gets no neighbours; a stream reaches the full window after about
 * log2(N) faults.  So sparse access never bloats memory, and nothing is
 * shared between CPUs on the fault path.
 *
 * The hook asks three questions before the fault, so that every other
 * fault goes its way untouched (ff_fault_around_wanted()): is this a user
 * write fault on private anonymous memory (ff_eligible()) by a task whose
 * window (its cgroup scope's, or the system-wide one) is more than a
 * page, is it the page
 * next to the last one this CPU faulted in that mm (ff_next_to_last(), a
 * per-CPU word that spares sparse and random faults the page-table
 * walk), and are the pages next to it mapped already (ff_stream())?
 * After the fault the window is sized and filled (ff_fault_around()).
 *
 * Neighbours are faulted with the original call's write and VMA-lock
 * flags only (no retry, no user flag): the kernel does the work,
 * charges memcg and honours mempolicy as for any fault.  A neighbour
 * call that returns RETRY or COMPLETED has dropped the lock: we stop
 * and hand that back to the caller.  Prefaulted PTEs are made old so
 * that reclaim takes untouched pages first.
 *
 * Page tables: the caller holds the mmap lock or the VMA's lock, which
 * keeps the VMA and, for private anonymous memory, its page tables (a
 * table is freed by munmap or khugepaged's collapse, both of which
 * exclude us).  Kernels with PT_RECLAIM (6.15 on) also free an empty
 * table on MADV_DONTNEED under the read lock, deferred by RCU: there the
 * walks are RCU readers (ff_pt_walk_begin()).  Their result is a hint,
 * which handle_mm_fault() checks again under the PTE lock.
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

/*
 * VMA flags fault-around requires, and those it never touches.
 * VM_SOFTDIRTY is clear on a VMA whose soft-dirty bits are being tracked
 * (clear_refs, CRIU): there a prefaulted page would be reported as
 * written by a program that never wrote it, so fault-around keeps out.
 * It is 0 without CONFIG_MEM_SOFT_DIRTY, where nothing is tracked.
 */
#define FF_VM_MASK	(VM_WRITE | VM_SHARED | VM_LOCKED | VM_LOCKONFAULT | \
			 VM_PFNMAP | VM_IO | VM_MIXEDMAP | VM_HUGETLB | \
			 FF_VM_UFFD | VM_SOFTDIRTY)
#define FF_VM_WANT	(VM_WRITE | VM_SOFTDIRTY)

/* The fault flags fault-around requires. */
#define FF_FLAGS_WANT	(FAULT_FLAG_USER | FAULT_FLAG_WRITE | FAULT_FLAG_ALLOW_RETRY)

/*
 * The window is filled in chunks of this many pages, each after a fresh
 * look at memcg headroom: windows that race in one cgroup overshoot what
 * the check saw by at most one chunk each.
 */
#define FF_CHUNK	8

/*
 * A stream is this many mapped pages in a row next to the fault.  Two
 * pages written side by side and no more are common in a short-lived
 * process (a few variables, a buffer): a window after them is mostly
 * never touched (make bench's exec-loop: 1.8 pages a window, four in
 * five of them wasted), while a real stream loses one trap at its start.
 */
#define FF_MIN_RUN	2

/*
 * The last eligible fault taken on this CPU, or the last page of the
 * window it filled: a stream's next fault is one page on from there, a
 * sparse or random one is not, and need not walk the page tables to find
 * that out.  Per CPU, so the fault path shares no line; a hint only (read
 * and written a word at a time, preemptible, stale after a migration),
 * which ff_stream() checks against the page tables.
 */
struct ff_last_fault {
	struct mm_struct *mm;
	unsigned long addr;
};

static DEFINE_PER_CPU(struct ff_last_fault, ff_last_fault);

/*
 * Is @address (page aligned) the page next to the last fault this CPU
 * took in @mm, or that page again?  Remembers it for the next fault.
 */
static __always_inline bool ff_next_to_last(struct mm_struct *mm,
					    unsigned long address)
{
	unsigned long last = this_cpu_read(ff_last_fault.addr);
	bool next = this_cpu_read(ff_last_fault.mm) == mm &&
		    address - last + PAGE_SIZE <= 2 * PAGE_SIZE;

	if (!next)
		this_cpu_write(ff_last_fault.mm, mm);
	this_cpu_write(ff_last_fault.addr, address);
	return next;
}

/*
 * A user write fault on memory fault-around may fill?  Other user faults
 * are counted here, as they never reach ff_fault_around(); faults from
 * the kernel (GUP, our own neighbour calls) are not user faults.
 */
static __always_inline bool ff_eligible(struct vm_area_struct *vma,
					unsigned int flags)
{
	/*
	 * anon_vma must exist: on 6.4 and later, preparing it from a fault
	 * under the VMA lock drops that lock.
	 */
	if ((flags & FF_FLAGS_WANT) == FF_FLAGS_WANT &&
	    vma_is_anonymous(vma) && vma->anon_vma &&
	    (vma->vm_flags & FF_VM_MASK) == FF_VM_WANT)
		return true;
	if (!(flags & FAULT_FLAG_USER))
		return false;
	ff_stat_inc(FASTFAULT_STAT_FAULTS);
	ff_stat_inc(FASTFAULT_STAT_SKIP_INELIGIBLE);
	return false;
}

/*
 * The PTE for @addr, or NULL if its table is not there (none, huge or
 * being changed).  Between ff_pt_walk_begin() and _end().  The upper
 * levels are checked as handle_mm_fault() checks them: a user address's
 * PGD and P4D entries are tables or none, and a PUD entry may be a leaf
 * (DAX) but never is in anonymous memory; the _bad() tests, which cost
 * more than the rest of the walk, are left to the kernel's own walk.
 */
static __always_inline pte_t *ff_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud, pudval;
	pmd_t *pmd, pmdval;

	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	pudval = READ_ONCE(*pud);
	if (pud_none(pudval) || pud_leaf(pudval))
		return NULL;
	pmd = pmd_offset(pud, addr);
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval) || !pmd_present(pmdval) ||
	    pmd_trans_huge(pmdval) || pmd_bad(pmdval))
		return NULL;
	return pte_offset_kernel(&pmdval, addr);
}

/*
 * Mapped pages in a row next to @addr, whose PTE is @pte (NULL if its
 * table is missing), in steps of @step, at most @max.  Under
 * ff_pt_walk_begin(); the table of @addr is indexed directly, the next one
 * walked to only where the run crosses into it.
 */
static unsigned int notrace ff_run(struct vm_area_struct *vma, pte_t *pte,
				   unsigned long addr, long step,
				   unsigned int max)
{
	unsigned int n;

	for (n = 0; n < max; n++) {
		unsigned long next = addr + step;

		if (next < vma->vm_start || next >= vma->vm_end)
			break;
		if ((next ^ addr) & PMD_MASK)
			pte = ff_pte(vma->vm_mm, next);
		else if (pte)
			pte += step > 0 ? 1 : -1;
		if (!pte || !pte_present(ptep_get(pte)))
			break;
		addr = next;
	}
	return n;
}

/*
 * Are the FF_MIN_RUN pages behind or ahead of @address mapped?  A stream
 * has mapped the ones it touched last; a first or random touch has no
 * such run, gets no window and so need not enter fastfault at all.
 * And is this not our own call to the original, from the wrapper?
 * Out of line, so that the faults turned away earlier save no registers.
 */
static noinline bool notrace ff_stream(struct vm_area_struct *vma,
				       unsigned long address,
				       unsigned long caller)
{
	unsigned long addr = address & PAGE_MASK;
	unsigned long idx = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	bool mapped;
	pte_t *pte;

	/* the fast path below reads FF_MIN_RUN neighbours each way by hand */
	BUILD_BUG_ON(FF_MIN_RUN != 2);
	ff_pt_walk_begin();
	pte = ff_pte(vma->vm_mm, addr);
	if (idx >= FF_MIN_RUN && idx + FF_MIN_RUN < PTRS_PER_PTE) {
		/* the run's pages are all in this table (none if it is missing) */
		mapped = pte &&
			 ((addr - FF_MIN_RUN * PAGE_SIZE >= vma->vm_start &&
			   pte_present(ptep_get(pte - 1)) &&
			   pte_present(ptep_get(pte - 2))) ||
			  (addr + FF_MIN_RUN * PAGE_SIZE < vma->vm_end &&
			   pte_present(ptep_get(pte + 1)) &&
			   pte_present(ptep_get(pte + 2))));
	} else {
		/* near a table's edge: the run may reach into the next one */
		mapped = ff_run(vma, pte, addr, -PAGE_SIZE, FF_MIN_RUN) ==
			 FF_MIN_RUN ||
			 ff_run(vma, pte, addr, PAGE_SIZE, FF_MIN_RUN) ==
			 FF_MIN_RUN;
	}
	ff_pt_walk_end();
	if (!mapped) {
		ff_stat_inc(FASTFAULT_STAT_FAULTS);
		ff_stat_inc(FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL);
	}
	return mapped && !ff_own_call(caller);
}

/*
 * Before the fault, from the hook's trampoline, with handle_mm_fault()'s
 * arguments and @caller, the address it returns to: does fault-around
 * act on this fault?  The cheapest test first; our own call to the
 * original (from the wrapper) last, as only the faults let in pay for it.
 */
bool notrace ff_fault_around_wanted(struct vm_area_struct *vma,
				    unsigned long address, unsigned int flags,
				    struct pt_regs *regs, unsigned long unused,
				    unsigned long caller)
{
	if (!ff_eligible(vma, flags))
		return false;
	/* a scope may turn fault-around off (or on) for this task */
	if (ff_scopes_exist() &&
	    ff_scope_lookup(FF_SCOPE_ANON_FAULT_AROUND,
			    READ_ONCE(ff_anon_window)) <= 1) {
		ff_stat_inc(FASTFAULT_STAT_FAULTS);
		ff_stat_inc(FASTFAULT_STAT_SKIP_INELIGIBLE);
		return false;
	}
	if (ff_next_to_last(vma->vm_mm, address & PAGE_MASK))
		return ff_stream(vma, address, caller);
	ff_stat_inc(FASTFAULT_STAT_FAULTS);
	ff_stat_inc(FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL);
	return false;
}

/*
 * Room in the task's memcg and each of its ancestors for @pages more,
 * and for what every other CPU may charge to the group before ours land:
 * a CPU whose charge stock runs dry takes a whole batch from the counter
 * at once (MEMCG_CHARGE_BATCH, kept on that CPU), and a window being
 * filled there adds up to a chunk before it looks again.  With room for
 * a batch and a chunk per online CPU, what windows charge never takes
 * the counter to the limit, which would cost a charge there reclaim, a
 * "max" event and perhaps the OOM killer.  (With room for one batch in all, windows went
 * on to 540 KiB from the limit on eight CPUs, whose batches alone may
 * take 2 MiB.)
 */
static bool ff_memcg_room(unsigned int pages)
{
	struct mem_cgroup *memcg;
	bool room = true;

	if (mem_cgroup_disabled())
		return true;

	pages += (MEMCG_CHARGE_BATCH + FF_CHUNK) * num_online_cpus();
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
 * Between ff_pt_walk_begin() and _end().
 */
static void ff_mkold(pte_t *pte)
{
	if (pte_present(ptep_get(pte)))
		ff_pte_mkold(pte);
}

/*
 * Called by the hook after handle_mm_fault() returned @ret for a fault
 * that ff_fault_around_wanted() let in;
 * returns what the caller must see.
 */
vm_fault_t ff_fault_around(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, vm_fault_t ret)
{
	unsigned int max = ff_scoped(FF_SCOPE_ANON_FAULT_AROUND,
				     READ_ONCE(ff_anon_window));
	unsigned int behind = 0, ahead = 0, window = 0, n = 0, done = 0, i;
	unsigned int nflags = flags & (FAULT_FLAG_WRITE | FF_FAULT_FLAG_VMA_LOCK);
	unsigned long lo, hi, addr;
	long step = 1;
	pte_t *pte;

	ff_stat_inc(FASTFAULT_STAT_FAULTS);
	/* failed, or the lock is gone: the VMA must not be touched */
	if (max <= 1 || (ret & (VM_FAULT_ERROR | VM_FAULT_RETRY |
				FF_VM_FAULT_COMPLETED)))
		return ret;

	/* every neighbour lies in the fault's page table */
	address &= PAGE_MASK;
	lo = max(vma->vm_start, address & PMD_MASK);
	hi = min(vma->vm_end, (address & PMD_MASK) + PMD_SIZE);

	/*
	 * One walk to the fault's PTE.  The runs around it size the window;
	 * the empty slots in the stream's direction, up to the first mapped
	 * one, are what it fills.
	 */
	ff_pt_walk_begin();
	pte = ff_pte(vma->vm_mm, address);
	if (pte) {
		behind = ff_run(vma, pte, address, -PAGE_SIZE, max / 2);
		ahead = ff_run(vma, pte, address, PAGE_SIZE, max / 2);
		/* a stream walks away from the pages it has already touched */
		step = behind >= ahead ? 1 : -1;
		window = min(max, 2 * max(behind, ahead));
		for (n = 0; n + 1 < window; n++) {
			addr = address + (n + 1) * step * PAGE_SIZE;
			if (addr < lo || addr >= hi ||
			    !pte_none(ptep_get(pte + (n + 1) * step)))
				break;
		}
	}
	ff_pt_walk_end();
	if (max(behind, ahead) < FF_MIN_RUN) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL);
		return ret;
	}
	if (!n) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_PRESENT);
		return ret;
	}
	if (!ff_node_has_room(numa_node_id(), n, GFP_HIGHUSER_MOVABLE)) {
		ff_stat_inc(FASTFAULT_STAT_SKIP_PRESSURE);
		return ret;
	}

	for (i = 1; i <= n; i++) {
		vm_fault_t r;

		/* a task being killed frees what it has: give it nothing more */
		if (fatal_signal_pending(current))
			break;
		if (i % FF_CHUNK == 1 &&
		    !ff_memcg_room(min_t(unsigned int, n - i + 1, FF_CHUNK))) {
			ff_stat_inc(FASTFAULT_STAT_SKIP_PRESSURE);
			break;
		}
		addr = address + i * step * PAGE_SIZE;
		r = handle_mm_fault(vma, addr, nflags, NULL);
		if (r & (VM_FAULT_RETRY | FF_VM_FAULT_COMPLETED)) {
			/* the lock is gone: the caller must not drop it */
			ff_stat_inc(FASTFAULT_STAT_LOCK_LOST);
			ret = r;
			break;
		}
		if (r & VM_FAULT_ERROR)
			break;
		done++;
	}
	if (!done)
		return ret;
	/* the stream's next fault is the page after the window */
	this_cpu_write(ff_last_fault.mm, vma->vm_mm);
	this_cpu_write(ff_last_fault.addr, address + done * step * PAGE_SIZE);

	/* with the lock still held: one more walk makes them all old */
	if (!(ret & (VM_FAULT_RETRY | FF_VM_FAULT_COMPLETED))) {
		ff_pt_walk_begin();
		pte = ff_pte(vma->vm_mm, address);
		for (i = 1; pte && i <= done; i++)
			ff_mkold(pte + i * step);
		ff_pt_walk_end();
	}
	ff_stat_inc(FASTFAULT_STAT_BATCHES);
	ff_stat_add(FASTFAULT_STAT_PREFAULTED, done);
	ff_stat_add(FASTFAULT_STAT_WINDOW_TOTAL, window);
	return ret;
}
