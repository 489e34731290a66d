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
unsigned int ff_anon_window __read_mostly = 1;
bool ff_sys_zero_once __read_mostly;
bool ff_sys_pool_access __read_mostly = true;

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
	if (cfg->pool_access > 1) {
		NL_SET_ERR_MSG(extack, "pool-access out of range");
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
	ff_config_cur.pool_access = 1;
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
	WRITE_ONCE(ff_sys_zero_once, false);
	WRITE_ONCE(ff_sys_pool_access, true);
	mutex_unlock(&ff_config_lock);
	return 0;
}

/*
 * The hook and the file knob put themselves back in their own exit
 * functions; the values read on the fault path and the scopes (with
 * their cgroup references) are left to reset.
 */
void ff_config_stop(void)
{
	ff_scopes_stop_gc(&ff_config_lock);
}

void ff_config_exit(void)
{
	mutex_lock(&ff_config_lock);
	WRITE_ONCE(ff_anon_window, 1);
	WRITE_ONCE(ff_sys_zero_once, false);
	WRITE_ONCE(ff_sys_pool_access, true);
	ff_zero_once_set(false, false);
	ff_scopes_publish(&ff_config_lock, NULL);
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

/* The hooks that @cfg with the scopes @sc needs. */
static unsigned int ff_config_hooks(const struct ff_config *cfg,
				    const struct ff_scopes *sc)
{
	unsigned int hooks = 0;

	if (cfg->anon_fault_around > 1 ||
	    ff_scopes_max(sc, FF_SCOPE_ANON_FAULT_AROUND) > 1)
		hooks |= FF_HOOK_FAULT;
	/* the pool holds whole pages: less than one is no pool */
	if (cfg->zero_pool >= PAGE_SIZE)
		hooks |= FF_HOOK_ALLOC;
	if (cfg->zero_once || ff_scopes_max(sc, FF_SCOPE_ZERO_ONCE) ||
	    cfg->zero_pool_huge >= HPAGE_PMD_SIZE)
		hooks |= FF_HOOK_ALLOC | FF_HOOK_CLEAR;
	return hooks;
}

/*
 * May the clear hook skip a clear, for zero-once (for some task: the
 * system-wide setting or a scope's) and for the huge pool?
 */
static void ff_config_skips(const struct ff_config *cfg,
			    const struct ff_scopes *sc, bool *once, bool *pool)
{
	*once = cfg->zero_once || ff_scopes_max(sc, FF_SCOPE_ZERO_ONCE);
	*pool = cfg->zero_pool_huge >= HPAGE_PMD_SIZE;
}

/*
 * Under the lock: the hooks for @cfg and the scopes @next, then @next
 * itself in effect (it is consumed either way).  The zero pools' sizes
 * and the file knob are the caller's.
 */
static int ff_config_apply(const struct ff_config *cfg, struct ff_scopes *next,
			   struct netlink_ext_ack *extack)
{
	struct ff_scopes *cur = rcu_dereference_protected(ff_scopes,
				lockdep_is_held(&ff_config_lock));
	bool once, pool, old_once, old_pool, skips_change;
	int err;

	/*
	 * What the clear hook may skip goes on before the hooks and off
	 * after them (in between, both the old and the new): a clear
	 * skipped must find its note, a note never outlives its
	 * enablement.
	 */
	ff_config_skips(&ff_config_cur, cur, &old_once, &old_pool);
	ff_config_skips(cfg, next, &once, &pool);
	skips_change = once != old_once || pool != old_pool;
	if (skips_change)
		ff_zero_once_set(once || old_once, pool || old_pool);
	err = ff_hook_update(ff_config_hooks(cfg, next), extack);
	if (err) {
		if (skips_change)
			ff_zero_once_set(old_once, old_pool);
		kfree(next);
		return err;
	}

	/* nothing below can fail */
	ff_scopes_publish(&ff_config_lock, next);
	if (skips_change)
		ff_zero_once_set(once, pool);
	ff_pool_set_nontemporal(cfg->zero_nontemporal);
	WRITE_ONCE(ff_anon_window, cfg->anon_fault_around);
	WRITE_ONCE(ff_sys_zero_once, cfg->zero_once);
	WRITE_ONCE(ff_sys_pool_access, cfg->pool_access);
	ff_config_cur = *cfg;
	return 0;
}

int ff_config_set(const struct ff_config *cfg, const struct ff_scope_edit *e,
		  unsigned int n, struct netlink_ext_ack *extack)
{
	struct ff_scopes *next;
	u64 old_pool, old_huge;
	u32 old_file;
	int err;

	if (!ff_config_valid(cfg, extack))
		return -EINVAL;

	mutex_lock(&ff_config_lock);

	/* the scopes first: building them may fail, and changes nothing */
	err = ff_scopes_build(&ff_config_lock, e, n, &next, extack);
	if (err)
		goto out;
	if (disable && ff_config_hooks(cfg, next)) {
		NL_SET_ERR_MSG(extack,
			       "fastfault.disable=1 was given at boot: nothing is hooked until the module is loaded without it");
		err = -EOPNOTSUPP;
		goto free_next;
	}

	old_file = ff_knob_get();
	if (cfg->file_fault_around != old_file) {
		err = ff_knob_set(cfg->file_fault_around, extack);
		if (err)
			goto free_next;
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

	err = ff_config_apply(cfg, next, extack);
	next = NULL;	/* consumed, applied or not */
	if (err)
		goto undo_huge;
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
free_next:
	kfree(next);
out:
	mutex_unlock(&ff_config_lock);
	return err;
}

int ff_config_scopes(int (*fn)(const struct ff_scope *s, void *arg), void *arg)
{
	int ret;

	mutex_lock(&ff_config_lock);
	ret = ff_scopes_for_each(&ff_config_lock, fn, arg);
	mutex_unlock(&ff_config_lock);
	return ret;
}

/*
 * From scope.c's work item: the scopes of removed cgroups dropped, and
 * the hooks only they needed turned off.
 */
int ff_config_prune_scopes(void)
{
	struct ff_scopes *next, *cur;
	unsigned int before, after;
	int err;

	mutex_lock(&ff_config_lock);
	cur = rcu_dereference_protected(ff_scopes,
					lockdep_is_held(&ff_config_lock));
	before = cur ? cur->nr : 0;
	err = ff_scopes_build(&ff_config_lock, NULL, 0, &next, NULL);
	if (err)
		goto out;
	after = next ? next->nr : 0;
	if (!ff_scopes_changed(&ff_config_lock, next)) {
		kfree(next);
		goto out;
	}
	/* fewer hooks than before: turning hooks off cannot fail */
	err = ff_config_apply(&ff_config_cur, next, NULL);
	if (!err)
		err = before - after;
out:
	mutex_unlock(&ff_config_lock);
	return err;
}
