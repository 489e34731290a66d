// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault: the settings.
 *
 * One struct ff_config holds every setting.  Readers take a copy under
 * the mutex; a writer hands over a complete new configuration, which is
 * applied in full or not at all: every step that can fail is undone
 * when a later one fails, so a refused request changes nothing.
 *
 * At load the settings change nothing: anonymous fault-around is off
 * (one page), the file window is whatever the kernel already uses and
 * the zero pool is empty (its clearing method, which matters only once
 * it has a size, is the measured best the kernel allows).
 *
 * A change is applied in the order file knob, zero pool, huge zero pool,
 * hooks, and undone in reverse if a later step fails; the zeroing method and the
 * anonymous window, which cannot fail, come last.
 */
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include "fastfault.h"
#include "compat.h"

/*
 * fastfault.disable=1 on the kernel command line (or disable=1 to
 * modprobe): the module loads, but this boot nothing is hooked, as with
 * LKRG's kill switch.  Read-only once loaded.
 */
static bool disable;
module_param(disable, bool, 0444);
MODULE_PARM_DESC(disable, "1: hook nothing this boot (fastfault.disable=1 on the kernel command line)");

/* Read locklessly on the fault path, written under ff_config_lock. */
unsigned int ff_anon_window = 1;

static DEFINE_MUTEX(ff_config_lock);
static struct ff_config ff_config_cur;

static bool ff_config_valid(const struct ff_config *cfg,
			    struct netlink_ext_ack *extack)
{
	if (cfg->anon_fault_around < 1 ||
	    cfg->anon_fault_around > FASTFAULT_FAULT_AROUND_MAX) {
		NL_SET_ERR_MSG(extack, "anon-fault-around out of range");
		return false;
	}
	if (cfg->zero_nontemporal > 1 ||
	    (cfg->zero_nontemporal && !ff_pool_nontemporal_allowed())) {
		NL_SET_ERR_MSG(extack,
			       "zero-nontemporal needs init_on_alloc=0 and init_on_free=0");
		return false;
	}
	if (cfg->zero_once > 1 ||
	    (cfg->zero_once && ff_zero_once_unsupported())) {
		NL_SET_ERR_MSG(extack, "zero-once is not supported here");
		return false;
	}
	if (cfg->zero_pool_huge >= HPAGE_PMD_SIZE && ff_zero_once_unsupported()) {
		NL_SET_ERR_MSG(extack,
			       "zero-pool-huge needs the huge-page clear hook, which is not supported here");
		return false;
	}
	if ((cfg->zero_pool >> PAGE_SHIFT) + (cfg->zero_pool_huge >> PAGE_SHIFT) >
	    totalram_pages() / 2) {
		NL_SET_ERR_MSG(extack,
			       "zero-pool and zero-pool-huge together are larger than half of RAM");
		return false;
	}
	/* 0 is the current value where the kernel's knob was not found */
	if (cfg->file_fault_around != ff_knob_get() &&
	    (cfg->file_fault_around < 1 ||
	     cfg->file_fault_around > FASTFAULT_FAULT_AROUND_MAX)) {
		NL_SET_ERR_MSG(extack, "file-fault-around out of range");
		return false;
	}
	return true;
}

int ff_config_init(void)
{
	if (disable)
		pr_info("disabled (fastfault.disable=1): nothing will be hooked\n");
	mutex_lock(&ff_config_lock);
	ff_config_cur.anon_fault_around = 1;
	ff_config_cur.file_fault_around = ff_knob_get();
	ff_config_cur.zero_pool = ff_pool_get_size(FF_POOL_SMALL);
	ff_config_cur.zero_pool_huge = ff_pool_get_size(FF_POOL_HUGE);
	/*
	 * Where the allocator leaves clearing to us, non-temporal stores:
	 * measured (make bench-zeroing) to clear a page in less than half
	 * the time of clear_page and to leave a hot working set's cache
	 * alone, for the same cost of use once a page has waited in the
	 * pool.  Elsewhere the allocator's own clear is the only one.
	 */
	ff_config_cur.zero_nontemporal = ff_pool_nontemporal_allowed();
	ff_pool_set_nontemporal(ff_config_cur.zero_nontemporal);
	WRITE_ONCE(ff_anon_window, 1);
	mutex_unlock(&ff_config_lock);
	return 0;
}

/*
 * The hook and the file knob put themselves back in their own exit
 * functions; only the window read on the fault path is left to reset.
 */
void ff_config_exit(void)
{
	mutex_lock(&ff_config_lock);
	WRITE_ONCE(ff_anon_window, 1);
	ff_zero_once_set(false, false);
	mutex_unlock(&ff_config_lock);
}

void ff_config_get(struct ff_config *cfg)
{
	mutex_lock(&ff_config_lock);
	*cfg = ff_config_cur;
	/* The kernel's own knob, as it is now: it rounds what it is given. */
	cfg->file_fault_around = ff_knob_get();
	/* in whole pages or folios, as the pools hold them */
	cfg->zero_pool = ff_pool_get_size(FF_POOL_SMALL);
	cfg->zero_pool_huge = ff_pool_get_size(FF_POOL_HUGE);
	mutex_unlock(&ff_config_lock);
}

static unsigned int ff_config_hooks(const struct ff_config *cfg)
{
	unsigned int hooks = 0;

	if (cfg->anon_fault_around > 1)
		hooks |= FF_HOOK_FAULT;
	/* the pool holds whole pages: less than one is no pool */
	if (cfg->zero_pool >= PAGE_SIZE)
		hooks |= FF_HOOK_ALLOC;
	if (cfg->zero_once || cfg->zero_pool_huge >= HPAGE_PMD_SIZE)
		hooks |= FF_HOOK_ALLOC | FF_HOOK_CLEAR;
	return hooks;
}

/* May the clear hook skip a clear, for zero-once and for the huge pool? */
static void ff_config_skips(const struct ff_config *cfg, bool *once,
			    bool *pool)
{
	*once = cfg->zero_once;
	*pool = cfg->zero_pool_huge >= HPAGE_PMD_SIZE;
}

int ff_config_set(const struct ff_config *cfg, struct netlink_ext_ack *extack)
{
	bool once, pool, old_once, old_pool_huge_on, skips_change;
	u64 old_pool, old_huge;
	u32 old_file;
	int err;

	if (!ff_config_valid(cfg, extack))
		return -EINVAL;
	if (disable && ff_config_hooks(cfg)) {
		NL_SET_ERR_MSG(extack,
			       "fastfault.disable=1 was given at boot: nothing is hooked until the module is loaded without it");
		return -EOPNOTSUPP;
	}

	mutex_lock(&ff_config_lock);

	old_file = ff_knob_get();
	if (cfg->file_fault_around != old_file) {
		err = ff_knob_set(cfg->file_fault_around, extack);
		if (err)
			goto out;
	}

	old_pool = ff_pool_get_size(FF_POOL_SMALL);
	if (cfg->zero_pool != old_pool) {
		err = ff_pool_set_size(FF_POOL_SMALL, cfg->zero_pool, extack);
		if (err)
			goto undo_knob;
	}

	old_huge = ff_pool_get_size(FF_POOL_HUGE);
	if (cfg->zero_pool_huge != old_huge) {
		err = ff_pool_set_size(FF_POOL_HUGE, cfg->zero_pool_huge, extack);
		if (err)
			goto undo_pool;
	}

	/*
	 * What the clear hook may skip goes on before the hooks and off
	 * after them (in between, both the old and the new): a clear
	 * skipped must find its note, a note never outlives its
	 * enablement.
	 */
	ff_config_skips(&ff_config_cur, &old_once, &old_pool_huge_on);
	ff_config_skips(cfg, &once, &pool);
	skips_change = once != old_once || pool != old_pool_huge_on;
	if (skips_change)
		ff_zero_once_set(once || old_once, pool || old_pool_huge_on);
	err = ff_hook_update(ff_config_hooks(cfg), extack);
	if (err) {
		if (skips_change)
			ff_zero_once_set(old_once, old_pool_huge_on);
		goto undo_huge;
	}
	if (skips_change)
		ff_zero_once_set(once, pool);

	/* nothing below can fail */
	ff_pool_set_nontemporal(cfg->zero_nontemporal);
	WRITE_ONCE(ff_anon_window, cfg->anon_fault_around);
	ff_config_cur = *cfg;
	ff_config_cur.file_fault_around = ff_knob_get();
	ff_config_cur.zero_pool = ff_pool_get_size(FF_POOL_SMALL);
	ff_config_cur.zero_pool_huge = ff_pool_get_size(FF_POOL_HUGE);
	goto out;

	/* The request is refused as a whole: put back what it changed. */
undo_huge:
	if (cfg->zero_pool_huge != old_huge &&
	    ff_pool_set_size(FF_POOL_HUGE, old_huge, NULL))
		pr_warn("could not restore zero-pool-huge %llu\n", old_huge);
undo_pool:
	if (cfg->zero_pool != old_pool &&
	    ff_pool_set_size(FF_POOL_SMALL, old_pool, NULL))
		pr_warn("could not restore zero-pool %llu\n", old_pool);
undo_knob:
	if (cfg->file_fault_around != old_file && ff_knob_set(old_file, NULL))
		pr_warn("could not restore file-fault-around %u\n", old_file);
out:
	mutex_unlock(&ff_config_lock);
	return err;
}
