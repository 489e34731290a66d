// SPDX-License-Identifier: GPL-2.0
/*
 * zero-once: an anonymous huge page cleared once, not twice.
 *
 * Debian boots with init_on_alloc=1: the allocator clears every page it
 * hands out (post_alloc_hook()), and the anonymous THP fault, and on
 * 6.12 the mTHP fault, then clears the whole folio again (6.1
 * clear_huge_page(), 6.12 folio_zero_user()).  Upstream stopped that in
 * 6.13 (user_alloc_needs_zeroing()); there zero-once is refused.  Here
 * the fact that the allocator cleared a folio is carried from the
 * allocation to the clear, and the second clear is skipped:
 *
 *  - the allocation hook (vma_alloc_folio, order above 0, called from
 *    the anonymous fault path) notes, for the current task, the folio it
 *    got back, when the allocation cleared it: want_init_on_alloc(gfp)
 *    && !want_init_on_free(), the test post_alloc_hook() makes (both are
 *    boot-time static keys), or when it came from the huge pool
 *    (zero-pool-huge), cleared by the pool's thread;
 *  - the clear hook skips a clear only if it is called from the
 *    anonymous fault path (do_huge_pmd_anonymous_page(), or
 *    do_anonymous_page() for mTHP), for the folio noted, by the task
 *    that noted it, under this enablement; a note is used once.
 *
 * Everything else clears as before: hugetlb and hugetlbfs (their own
 * callers), shmem THP and khugepaged (they never call the hooked clear),
 * a THP copy-on-write (split into small pages), a boot with
 * init_on_alloc=0 (no note), a folio the task did not just allocate.
 *
 * The note is per task, not per CPU: between the allocation and the
 * clear the fault charges the memcg and allocates a page table, and may
 * sleep and move.  Notes live in a small table indexed by a hash of the
 * task, a cache line per slot, so tasks on different CPUs share no line
 * unless they collide; a collision overwrites another task's note, whose
 * clear then runs (fail safe).  A slot is written without a lock: a slot
 * torn between two writers pairs a task with a folio it did not just
 * allocate, which matches no clear.
 */
#include <linux/cache.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "fastfault.h"
#include "compat.h"

#define FF_ZO_BITS	6

struct ff_zo_note {
	struct task_struct *task;
	void *folio;
	unsigned long gen;
} ____cacheline_aligned_in_smp;

static struct ff_zo_note ff_zo_notes[1 << FF_ZO_BITS];

/*
 * Read locklessly on the fault path, written under the config mutex:
 * whether the clear hook skips anything (zero-once, or the huge pool),
 * whether an allocator-cleared folio is noted (zero-once), and the
 * generation of the notes.
 */
static bool ff_zo_active;
static bool ff_zo_on;
static unsigned long ff_zo_gen;

/* The anonymous fault paths that call the clear: [start, start + size) */
static struct {
	const char *name;
	unsigned long start, size;
} ff_zo_callers[] = {
	{ "do_huge_pmd_anonymous_page" },
	{ "__do_huge_pmd_anonymous_page" },	/* where not inlined */
	{ "do_anonymous_page" },		/* mTHP (6.8 on) */
};

/* why zero-once cannot work here, as the refused request says it */
enum { FF_ZO_OK, FF_ZO_CLEARS_ONCE, FF_ZO_NO_CLEAR, FF_ZO_NO_FAULT };
static const char *const ff_zo_reasons[] = {
	[FF_ZO_CLEARS_ONCE] =
		"this kernel already clears a huge page only where the allocator did not (user_alloc_needs_zeroing()): zero-once has nothing to skip",
	[FF_ZO_NO_CLEAR] =
		"zero-once: the kernel's huge-page clear (clear_huge_page, folio_zero_user) was not found",
	[FF_ZO_NO_FAULT] =
		"zero-once: the kernel's anonymous huge-page fault (do_huge_pmd_anonymous_page) was not found",
};

static unsigned long ff_zo_target;
static const char *ff_zo_why_not;

static struct ff_zo_note *ff_zo_slot(void)
{
	return &ff_zo_notes[hash_ptr(current, FF_ZO_BITS)];
}

static bool notrace ff_zo_anon_caller(unsigned long caller)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_zo_callers); i++)
		if (caller - ff_zo_callers[i].start < ff_zo_callers[i].size)
			return true;
	return false;
}

/*
 * Did an allocation with @gfp come back cleared by the allocator, and
 * does zero-once skip the clear of such a folio?
 */
bool ff_zero_once_cleared(gfp_t gfp)
{
	return READ_ONCE(ff_zo_on) && want_init_on_alloc(gfp) &&
	       !want_init_on_free() &&
	       ff_scoped(FF_SCOPE_ZERO_ONCE, READ_ONCE(ff_sys_zero_once));
}

/*
 * From the allocation hook, before the allocation: a huge folio for an
 * anonymous fault, while a clear may be skipped?  Then every such
 * allocation goes through the wrapper, and each one rewrites its task's
 * note (ff_zero_once_note()): a note left behind by a fault that never
 * reached its clear (a failed memcg charge frees the folio) cannot be
 * taken for a later folio at the same address.
 */
bool notrace ff_zero_once_wanted(gfp_t gfp, int order, unsigned long caller)
{
	return READ_ONCE(ff_zo_active) && order > 0 && ff_zo_anon_caller(caller);
}

/*
 * From the allocation wrapper, for every allocation the hook let in:
 * @folio (NULL if it failed) is @zero, cleared by the allocator or taken
 * from the huge pool, so its clear may be skipped; or it is not, and no
 * older note of this task's may stand for it.
 */
void ff_zero_once_note(struct folio *folio, bool zero)
{
	struct ff_zo_note *n = ff_zo_slot();

	if (folio && zero) {
		WRITE_ONCE(n->task, current);
		WRITE_ONCE(n->folio, folio);
		WRITE_ONCE(n->gen, READ_ONCE(ff_zo_gen));
	} else if (READ_ONCE(n->task) == current) {
		WRITE_ONCE(n->task, NULL);
	}
}

/*
 * From the clear hook's trampoline, with the clear's arguments (the
 * folio, or on 6.1 its head page, at the same address) and its caller:
 * skip this clear?
 */
bool notrace ff_zero_once_skip_wanted(void *folio, unsigned long addr,
				      unsigned long a2, unsigned long a3,
				      unsigned long a4, unsigned long caller)
{
	struct ff_zo_note *n;

	if (!ff_zo_anon_caller(caller))
		return false;
	n = ff_zo_slot();
	if (READ_ONCE(n->task) == current && READ_ONCE(n->folio) == folio &&
	    READ_ONCE(n->gen) == READ_ONCE(ff_zo_gen)) {
		WRITE_ONCE(n->task, NULL);
		return true;
	}
	ff_stat_inc(FASTFAULT_STAT_ZERO_ONCE_CLEARED);
	return false;
}

/* Where the skipped clear goes: it returns at once, the folio is zero. */
void ff_zero_once_skip(void)
{
	ff_stat_inc(FASTFAULT_STAT_ZERO_ONCE_SKIPPED);
}

/*
 * Under the config mutex, whenever zero-once or the huge pool goes on or
 * off: a new generation voids every older note.
 */
void ff_zero_once_set(bool once, bool pool)
{
	WRITE_ONCE(ff_zo_gen, ff_zo_gen + 1);
	WRITE_ONCE(ff_zo_on, once);
	WRITE_ONCE(ff_zo_active, once || pool);
}

/* NULL if zero-once can work here, else why not (for the request's error) */
const char *ff_zero_once_unsupported(void)
{
	if (!ff_zo_why_not && !ff_hook_available(FF_HOOK_CLEAR_NR))
		return "zero-once: the kernel's huge-page clear cannot be traced";
	return ff_zo_why_not;
}

/* The hooked clear function, or 0 where zero-once cannot work. */
unsigned long ff_zero_once_target(void)
{
	return ff_zo_target;
}

int ff_zero_once_init(void)
{
	unsigned long size;
	unsigned int i;
	bool found = false;

	if (FF_CLEARS_HUGE_ONCE) {
		ff_zo_why_not = ff_zo_reasons[FF_ZO_CLEARS_ONCE];
		goto out;
	}
	ff_zo_target = ff_ksym(FF_CLEAR_HUGE_NAME, &size);
	if (!ff_zo_target) {
		ff_zo_why_not = ff_zo_reasons[FF_ZO_NO_CLEAR];
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(ff_zo_callers); i++) {
		ff_zo_callers[i].start = ff_ksym(ff_zo_callers[i].name,
						 &ff_zo_callers[i].size);
		if (ff_zo_callers[i].start)
			found = true;
		else
			ff_zo_callers[i].size = 0;
	}
	if (!found) {
		ff_zo_target = 0;
		ff_zo_why_not = ff_zo_reasons[FF_ZO_NO_FAULT];
	}
out:
	if (ff_zo_why_not)
		pr_info("%s\n", ff_zo_why_not);
	return 0;
}
