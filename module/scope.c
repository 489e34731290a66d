// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup scopes: settings for the tasks of one cgroup v2 subtree.
 *
 * A scope names a cgroup and sets some of the scoped keys (enum
 * ff_scope_key); a task takes each key from the deepest scope above its
 * cgroup that sets it, else the system-wide value.  At most
 * FASTFAULT_SCOPES_MAX scopes, in one table, deepest first.
 *
 * The fault path reads the table under RCU, without a lock and without
 * a write, so CPUs share no line that bounces; while there is no scope
 * it reads one pointer, and nothing else (ff_scoped()).
 *
 * The table is changed only under the config mutex (config.c), and only
 * by replacing it: a new table is built (ff_scopes_build(), which can
 * fail and then changes nothing), and published (ff_scopes_publish(),
 * which cannot fail).  The old table is freed, and the references it
 * held on cgroups the new one no longer names are put, only after an
 * RCU grace period, so a reader never sees a freed table or cgroup.
 *
 * A scope holds a reference on its struct cgroup, not on the directory:
 * the cgroup can be removed.  No task can be in a removed cgroup, so its
 * scope matches nothing; it is dropped at the next change of the
 * configuration, or within FF_SCOPE_GC_SECS by a work item that runs
 * only while scopes exist, and replies never list it.
 */
#include <linux/cgroup.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "fastfault.h"

#define FF_SCOPE_GC_SECS	5

struct ff_scopes __rcu *ff_scopes __read_mostly;

/*
 * The scoped value of @key for the current task, @dflt where no scope
 * sets it: the slow half of ff_scoped(), taken only while scopes exist.
 * Called from the hooks' decide functions: notrace, calls no hooked
 * function.
 */
u32 notrace ff_scope_lookup(enum ff_scope_key key, u32 dflt)
{
	const struct ff_scopes *t;
	struct cgroup *cgrp;
	unsigned int i;
	u32 v = dflt;

	rcu_read_lock();
	t = rcu_dereference(ff_scopes);
	if (t) {
		cgrp = task_dfl_cgroup(current);
		for (i = 0; i < t->nr; i++) {
			const struct ff_scope *s = &t->s[i];

			if ((s->has & BIT(key)) &&
			    cgroup_is_descendant(cgrp, s->cgrp)) {
				v = s->val[key];
				break;
			}
		}
	}
	rcu_read_unlock();
	return v;
}

/* The table in effect; under the config mutex. */
static struct ff_scopes *ff_scopes_cur(struct mutex *lock)
{
	return rcu_dereference_protected(ff_scopes, lockdep_is_held(lock));
}

/*
 * Was the scope's cgroup removed?  The test cgroup_is_dead() makes
 * (kernel/cgroup/cgroup-internal.h, and linux/cgroup.h from 7.x): rmdir
 * takes CSS_ONLINE off the cgroup's own css, on every kernel; 6.12's
 * css_is_dying() looks at a flag only the controllers' csses get.
 */
static bool ff_scope_gone(const struct ff_scope *s)
{
	return !(READ_ONCE(s->cgrp->self.flags) & CSS_ONLINE);
}

static int ff_scope_cmp(const void *a, const void *b)
{
	const struct ff_scope *x = a, *y = b;

	/* deepest first: the first match is the most specific */
	return y->cgrp->level - x->cgrp->level;
}

static struct ff_scope *ff_scope_find(struct ff_scopes *t, struct cgroup *cgrp)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->s[i].cgrp == cgrp)
			return &t->s[i];
	return NULL;
}

/*
 * Under the config mutex @lock: the table that @n edits make of the one
 * in effect, less the scopes of removed cgroups, in *@next (NULL for no
 * scope: free it with kfree()).  Changes nothing; the edits' cgroups are
 * the caller's references, the new table takes its own when published.
 */
int ff_scopes_build(struct mutex *lock, const struct ff_scope_edit *e,
		    unsigned int n, struct ff_scopes **next,
		    struct netlink_ext_ack *extack)
{
	struct ff_scopes *cur = ff_scopes_cur(lock), *t;
	unsigned int i, j, k;

	*next = NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	if (cur)
		*t = *cur;

	for (i = 0; i < n; i++) {
		struct ff_scope *s = ff_scope_find(t, e[i].cgrp);

		if (!s && !e[i].set) {
			NL_SET_ERR_MSG_ATTR(extack, e[i].nla,
					    "this cgroup has no scope to unset");
			goto noscope;
		}
		if (!s) {
			if (t->nr == FASTFAULT_SCOPES_MAX)
				goto full;
			s = &t->s[t->nr++];
			memset(s, 0, sizeof(*s));
			s->cgrp = e[i].cgrp;
		}
		s->has &= ~e[i].unset;
		for (k = 0; k < FF_SCOPE_KEYS; k++) {
			if (e[i].set & BIT(k)) {
				s->has |= BIT(k);
				s->val[k] = e[i].val[k];
			}
		}
	}

	/* a scope that sets nothing, or whose cgroup is gone, is dropped */
	for (i = 0, j = 0; i < t->nr; i++)
		if (t->s[i].has && !ff_scope_gone(&t->s[i]))
			t->s[j++] = t->s[i];
	t->nr = j;
	if (!t->nr) {
		kfree(t);
		return 0;
	}
	sort(t->s, t->nr, sizeof(t->s[0]), ff_scope_cmp, NULL);
	*next = t;
	return 0;

full:
	NL_SET_ERR_MSG_ATTR(extack, e[i].nla,
			    "no room for another cgroup scope (at most 8)");
	kfree(t);
	return -ENOSPC;
noscope:
	kfree(t);
	return -ENOENT;
}

/* Does @next differ from the table in effect? */
bool ff_scopes_changed(struct mutex *lock, const struct ff_scopes *next)
{
	const struct ff_scopes *cur = ff_scopes_cur(lock);

	if (!cur || !next)
		return cur != next;
	return cur->nr != next->nr ||
	       memcmp(cur->s, next->s, cur->nr * sizeof(cur->s[0]));
}

/* The largest value of @key a scope in @t sets, 0 if none does. */
u32 ff_scopes_max(const struct ff_scopes *t, enum ff_scope_key key)
{
	unsigned int i;
	u32 m = 0;

	for (i = 0; t && i < t->nr; i++)
		if (t->s[i].has & BIT(key))
			m = max(m, t->s[i].val[key]);
	return m;
}

static void ff_scope_gc(struct work_struct *work);
static DECLARE_DELAYED_WORK(ff_scope_gc_work, ff_scope_gc);
static bool ff_scope_gc_stopped;

/*
 * Under the config mutex @lock: @next (from ff_scopes_build()) in
 * effect.  Sleeps for an RCU grace period when it replaces a table.
 */
void ff_scopes_publish(struct mutex *lock, struct ff_scopes *next)
{
	struct ff_scopes *old = ff_scopes_cur(lock);
	unsigned int i;

	if (!ff_scopes_changed(lock, next)) {
		kfree(next);
		return;
	}
	for (i = 0; next && i < next->nr; i++)
		if (!old || !ff_scope_find(old, next->s[i].cgrp))
			cgroup_get(next->s[i].cgrp);
	rcu_assign_pointer(ff_scopes, next);
	synchronize_rcu();
	for (i = 0; old && i < old->nr; i++)
		if (!next || !ff_scope_find(next, old->s[i].cgrp))
			cgroup_put(old->s[i].cgrp);
	kfree(old);
	if (next && !ff_scope_gc_stopped)
		mod_delayed_work(system_wq, &ff_scope_gc_work,
				 FF_SCOPE_GC_SECS * HZ);
}

/*
 * Every FF_SCOPE_GC_SECS while scopes exist: drop the scopes of removed
 * cgroups (config.c does it, with the hooks they needed).
 */
static void ff_scope_gc(struct work_struct *work)
{
	if (ff_config_prune_scopes() > 0)
		ff_netlink_notify_config();
}

/*
 * Under the config mutex @lock: call @fn for each scope in effect whose
 * cgroup is still there; stop at its first non-zero return.
 */
int ff_scopes_for_each(struct mutex *lock,
		       int (*fn)(const struct ff_scope *s, void *arg),
		       void *arg)
{
	struct ff_scopes *t = ff_scopes_cur(lock);
	unsigned int i;
	int ret;

	for (i = 0; t && i < t->nr; i++) {
		if (ff_scope_gone(&t->s[i]))
			continue;
		ret = fn(&t->s[i], arg);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * At unload, before the netlink family goes (the work item notifies
 * through it): no work item runs or is queued after this, as the flag,
 * set under the config mutex @lock, keeps ff_scopes_publish() from
 * queueing another.
 */
void ff_scopes_stop_gc(struct mutex *lock)
{
	mutex_lock(lock);
	ff_scope_gc_stopped = true;
	mutex_unlock(lock);
	cancel_delayed_work_sync(&ff_scope_gc_work);
}
