// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault: the generic netlink family "fastfault".
 *
 * include/uapi/linux/fastfault.h is the contract.  Ranges are checked by
 * the policy, so the core's extended ack names the attribute and its
 * bounds; what the policy cannot express is refused here with a message
 * naming the attribute.  Reply-only attributes are rejected in requests,
 * and so is anything unknown: every command validates strictly.
 *
 * Reading the configuration and the statistics is open to everyone, as
 * /proc/vmstat is.  Changing settings or resetting the counters needs
 * CAP_SYS_ADMIN in the initial user namespace, checked in the handlers
 * (GENL_ADMIN_PERM would ask for CAP_NET_ADMIN, which has nothing to do
 * with memory management).  The knobs are host-wide: the family only
 * exists in the initial network namespace.
 *
 * Requests are serialised by the genetlink mutex (no parallel_ops), so a
 * set reads, changes and writes the configuration without racing another.
 *
 * There is deliberately no MODULE_ALIAS_GENL_FAMILY: looking the family
 * up must not load a module that hooks the page fault path.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <net/genetlink.h>
#include "fastfault.h"
#include "compat.h"

enum ff_mcgrp {
	FF_MCGRP_CONFIG,
};

/*
 * The configuration attributes, one row each; adding a setting is adding
 * a row here, a member to struct ff_config and a policy entry.  The
 * policy's type says the member's width: NLA_U32 for a u32, NLA_U64 for
 * a u64 (asserted below the table).  FASTFAULT_A_FAULT_AROUND has no row:
 * it is a request only, which sets the anonymous window and, through
 * ff_knob_follow(), the file window, unless the request gives them.
 */
struct ff_nl_key {
	int attr;
	size_t offset;		/* of the member in struct ff_config */
};

#define FF_KEY(_attr, _member) {					\
	.attr = (_attr),						\
	.offset = offsetof(struct ff_config, _member),			\
}

static const struct ff_nl_key ff_nl_keys[] = {
	FF_KEY(FASTFAULT_A_ANON_FAULT_AROUND, anon_fault_around),
	FF_KEY(FASTFAULT_A_FILE_FAULT_AROUND, file_fault_around),
	FF_KEY(FASTFAULT_A_ZERO_POOL, zero_pool),
	FF_KEY(FASTFAULT_A_ZERO_NONTEMPORAL, zero_nontemporal),
	FF_KEY(FASTFAULT_A_ZERO_ONCE, zero_once),
	FF_KEY(FASTFAULT_A_ZERO_POOL_HUGE, zero_pool_huge),
	FF_KEY(FASTFAULT_A_POOL_ACCESS, pool_access),
};

/* The keys a cgroup scope may set, by enum ff_scope_key. */
static const int ff_nl_scope_attrs[FF_SCOPE_KEYS] = {
	[FF_SCOPE_ANON_FAULT_AROUND] = FASTFAULT_A_ANON_FAULT_AROUND,
	[FF_SCOPE_ZERO_ONCE] = FASTFAULT_A_ZERO_ONCE,
	[FF_SCOPE_POOL_ACCESS] = FASTFAULT_A_POOL_ACCESS,
};

static_assert(sizeof_field(struct ff_config, anon_fault_around) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, file_fault_around) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_pool) == sizeof(u64));
static_assert(sizeof_field(struct ff_config, zero_nontemporal) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_once) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_pool_huge) == sizeof(u64));
static_assert(sizeof_field(struct ff_config, pool_access) == sizeof(u32));

static const struct nla_policy ff_nl_policy[FASTFAULT_A_MAX + 1];

static bool ff_nl_key_u64(const struct ff_nl_key *k)
{
	return ff_nl_policy[k->attr].type == NLA_U64;
}

static u64 ff_nl_key_get(const struct ff_config *cfg, const struct ff_nl_key *k)
{
	const void *p = (const char *)cfg + k->offset;

	return ff_nl_key_u64(k) ? *(const u64 *)p : *(const u32 *)p;
}

static void ff_nl_key_set(struct ff_config *cfg, const struct ff_nl_key *k,
			  const struct nlattr *nla)
{
	void *p = (char *)cfg + k->offset;

	if (ff_nl_key_u64(k))
		*(u64 *)p = nla_get_u64(nla);
	else
		*(u32 *)p = nla_get_u32(nla);
}

static int ff_nl_key_put(struct sk_buff *skb, const struct ff_config *cfg,
			 const struct ff_nl_key *k)
{
	u64 v = ff_nl_key_get(cfg, k);

	if (ff_nl_key_u64(k))
		return nla_put_u64_64bit(skb, k->attr, v, FASTFAULT_A_PAD);
	return nla_put_u32(skb, k->attr, (u32)v);
}

static bool ff_nl_config_equal(const struct ff_config *a,
			       const struct ff_config *b)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ff_nl_keys); i++)
		if (ff_nl_key_get(a, &ff_nl_keys[i]) !=
		    ff_nl_key_get(b, &ff_nl_keys[i]))
			return false;
	return true;
}

#define FF_NL_SYSTEM_WIDE(_key) {					\
	.type = NLA_REJECT,						\
	.reject_message = _key " is system-wide: it cannot be set for a cgroup", \
}

/*
 * Inside a request's FASTFAULT_A_SCOPE: the cgroup, the scoped keys and
 * the keys to unset (which bits: checked in ff_nl_scope_edit()).
 */
static const struct nla_policy ff_nl_scope_policy[FASTFAULT_A_MAX + 1] = {
	[FASTFAULT_A_PAD] = {
		.type = NLA_REJECT,
		.reject_message = "padding is not a request attribute",
	},
	[FASTFAULT_A_FAULT_AROUND] =
		NLA_POLICY_RANGE(NLA_U32, 1, FASTFAULT_FAULT_AROUND_MAX),
	[FASTFAULT_A_ANON_FAULT_AROUND] =
		NLA_POLICY_RANGE(NLA_U32, 1, FASTFAULT_FAULT_AROUND_MAX),
	[FASTFAULT_A_FILE_FAULT_AROUND] = FF_NL_SYSTEM_WIDE("file-fault-around"),
	[FASTFAULT_A_ZERO_POOL] = FF_NL_SYSTEM_WIDE("zero-pool"),
	[FASTFAULT_A_ZERO_NONTEMPORAL] = FF_NL_SYSTEM_WIDE("zero-nontemporal"),
	[FASTFAULT_A_ZERO_ONCE] = NLA_POLICY_MAX(NLA_U32, 1),
	[FASTFAULT_A_ZERO_POOL_HUGE] = FF_NL_SYSTEM_WIDE("zero-pool-huge"),
	[FASTFAULT_A_POOL_ACCESS] = NLA_POLICY_MAX(NLA_U32, 1),
	[FASTFAULT_A_SCOPE] = {
		.type = NLA_REJECT,
		.reject_message = "a scope cannot hold another",
	},
	[FASTFAULT_A_CGROUP_FD] = { .type = NLA_U32 },
	[FASTFAULT_A_UNSET] = { .type = NLA_U64 },
	[FASTFAULT_A_CGROUP_PATH] = {
		.type = NLA_REJECT,
		.reject_message = "cgroup-path is reply only: give cgroup-fd",
	},
	[FASTFAULT_A_CGROUP_ID] = {
		.type = NLA_REJECT,
		.reject_message = "cgroup-id is reply only: give cgroup-fd",
	},
	[FASTFAULT_A_UNSUPPORTED] = {
		.type = NLA_REJECT,
		.reject_message = "unsupported is reply only",
	},
};

static const struct nla_policy ff_nl_policy[FASTFAULT_A_MAX + 1] = {
	[FASTFAULT_A_PAD] = {
		.type = NLA_REJECT,
		.reject_message = "padding is not a request attribute",
	},
	[FASTFAULT_A_FAULT_AROUND] =
		NLA_POLICY_RANGE(NLA_U32, 1, FASTFAULT_FAULT_AROUND_MAX),
	[FASTFAULT_A_ANON_FAULT_AROUND] =
		NLA_POLICY_RANGE(NLA_U32, 1, FASTFAULT_FAULT_AROUND_MAX),
	[FASTFAULT_A_FILE_FAULT_AROUND] =
		NLA_POLICY_RANGE(NLA_U32, 1, FASTFAULT_FAULT_AROUND_MAX),
	[FASTFAULT_A_VERSION] = {
		.type = NLA_REJECT,
		.reject_message = "version is reply only",
	},
	[FASTFAULT_A_CPU] = {
		.type = NLA_REJECT,
		.reject_message = "cpu is reply only",
	},
	[FASTFAULT_A_STATS] = {
		.type = NLA_REJECT,
		.reject_message = "statistics are reply only",
	},
	/* at most half of RAM: checked in ff_nl_config_set() */
	[FASTFAULT_A_ZERO_POOL] = { .type = NLA_U64 },
	[FASTFAULT_A_POOL_NODE] = {
		.type = NLA_REJECT,
		.reject_message = "pool-node is reply only",
	},
	/* 1 needs init_on_alloc=0: checked in ff_nl_config_set() */
	[FASTFAULT_A_ZERO_NONTEMPORAL] = NLA_POLICY_MAX(NLA_U32, 1),
	/* 1 needs a kernel that clears huge pages twice: ff_nl_config_set() */
	[FASTFAULT_A_ZERO_ONCE] = NLA_POLICY_MAX(NLA_U32, 1),
	/* at most half of RAM with zero-pool: checked in ff_nl_config_set() */
	[FASTFAULT_A_ZERO_POOL_HUGE] = { .type = NLA_U64 },
	[FASTFAULT_A_HUGE_POOL_NODE] = {
		.type = NLA_REJECT,
		.reject_message = "huge-pool-node is reply only",
	},
	[FASTFAULT_A_POOL_ACCESS] = NLA_POLICY_MAX(NLA_U32, 1),
	[FASTFAULT_A_SCOPE] = NLA_POLICY_NESTED(ff_nl_scope_policy),
	[FASTFAULT_A_CGROUP_FD] = {
		.type = NLA_REJECT,
		.reject_message = "cgroup-fd goes inside a scope",
	},
	[FASTFAULT_A_UNSET] = {
		.type = NLA_REJECT,
		.reject_message = "unset goes inside a scope",
	},
	[FASTFAULT_A_CGROUP_PATH] = {
		.type = NLA_REJECT,
		.reject_message = "cgroup-path is reply only",
	},
	[FASTFAULT_A_CGROUP_ID] = {
		.type = NLA_REJECT,
		.reject_message = "cgroup-id is reply only",
	},
	[FASTFAULT_A_UNSUPPORTED] = {
		.type = NLA_REJECT,
		.reject_message = "unsupported is reply only",
	},
};

static struct genl_family ff_family;

struct ff_nl_fill {
	struct sk_buff *skb;
	char *path;		/* PATH_MAX bytes */
};

/* One scope in effect: its cgroup and the keys it sets. */
static int ff_nl_put_scope(const struct ff_scope *s, void *arg)
{
	struct ff_nl_fill *f = arg;
	struct nlattr *nest;
	unsigned int k;
	int len;

	len = cgroup_path_ns(s->cgrp, f->path, PATH_MAX,
			     current->nsproxy->cgroup_ns);
	if (len < 0 || len >= PATH_MAX)
		strscpy(f->path, "?", PATH_MAX);	/* unnamed: id only */

	nest = nla_nest_start(f->skb, FASTFAULT_A_SCOPE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(f->skb, FASTFAULT_A_CGROUP_PATH, f->path) ||
	    nla_put_u64_64bit(f->skb, FASTFAULT_A_CGROUP_ID, cgroup_id(s->cgrp),
			      FASTFAULT_A_PAD))
		goto cancel;
	for (k = 0; k < FF_SCOPE_KEYS; k++)
		if ((s->has & BIT(k)) &&
		    nla_put_u32(f->skb, ff_nl_scope_attrs[k], s->val[k]))
			goto cancel;
	nla_nest_end(f->skb, nest);
	return 0;

cancel:
	nla_nest_cancel(f->skb, nest);
	return -EMSGSIZE;
}

/* A key this kernel cannot host, @attr, and why. */
static int ff_nl_put_unsupported(struct sk_buff *skb, int attr,
				 const char *why)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, FASTFAULT_A_UNSUPPORTED);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FASTFAULT_UNSUPPORTED_A_KEY, attr) ||
	    nla_put_string(skb, FASTFAULT_UNSUPPORTED_A_REASON, why)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ff_nl_fill_config(struct sk_buff *skb, const struct ff_config *cfg,
			     u32 portid, u32 seq, u8 cmd)
{
	const char *why;
	struct ff_nl_fill f = { .skb = skb };
	unsigned int i;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &ff_family, 0, cmd);
	if (!hdr)
		return -EMSGSIZE;

	for (i = 0; i < ARRAY_SIZE(ff_nl_keys); i++) {
		/* no knob, no file window: nothing a request could set */
		if (ff_nl_keys[i].attr == FASTFAULT_A_FILE_FAULT_AROUND &&
		    !ff_knob_found())
			continue;
		if (ff_nl_key_put(skb, cfg, &ff_nl_keys[i]))
			goto cancel;
	}
	if (nla_put_string(skb, FASTFAULT_A_VERSION, FASTFAULT_VERSION))
		goto cancel;
	/* the huge pool's folios skip their clear: zero-once's reason */
	why = ff_zero_once_unsupported();
	if (why &&
	    (ff_nl_put_unsupported(skb, FASTFAULT_A_ZERO_ONCE, why) ||
	     ff_nl_put_unsupported(skb, FASTFAULT_A_ZERO_POOL_HUGE, why)))
		goto cancel;

	f.path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!f.path) {
		genlmsg_cancel(skb, hdr);
		return -ENOMEM;
	}
	err = ff_config_scopes(ff_nl_put_scope, &f);
	kfree(f.path);
	if (err)
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The configuration in a new message: in the default size, or, where
 * the scopes' paths do not fit, in room for the longest ones.
 */
static struct sk_buff *ff_nl_config_msg(u32 portid, u32 seq, u8 cmd)
{
	static const size_t sizes[] = {
		GENLMSG_DEFAULT_SIZE,
		GENLMSG_DEFAULT_SIZE + FASTFAULT_SCOPES_MAX * (PATH_MAX + 128),
	};
	struct ff_config cfg;
	struct sk_buff *skb;
	unsigned int i;
	int err = -EMSGSIZE;

	for (i = 0; i < ARRAY_SIZE(sizes) && err == -EMSGSIZE; i++) {
		skb = genlmsg_new(sizes[i], GFP_KERNEL);
		if (!skb)
			return ERR_PTR(-ENOMEM);
		ff_config_get(&cfg);
		err = ff_nl_fill_config(skb, &cfg, portid, seq, cmd);
		if (!err)
			return skb;
		nlmsg_free(skb);
	}
	return ERR_PTR(err);
}

static int ff_nl_reply_config(struct genl_info *info, u8 cmd)
{
	struct sk_buff *skb;

	skb = ff_nl_config_msg(info->snd_portid, info->snd_seq, cmd);
	if (IS_ERR(skb))
		return PTR_ERR(skb);
	return genlmsg_reply(skb, info);
}

void ff_netlink_notify_config(void)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&ff_family, &init_net, FF_MCGRP_CONFIG))
		return;

	skb = ff_nl_config_msg(0, 0, FASTFAULT_CMD_CONFIG_NTF);
	if (IS_ERR(skb))
		return;
	genlmsg_multicast(&ff_family, skb, 0, FF_MCGRP_CONFIG, GFP_KERNEL);
}

static bool ff_nl_may_change(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return true;
	NL_SET_ERR_MSG(info->extack,
		       "changing fastfault needs CAP_SYS_ADMIN in the initial user namespace");
	return false;
}

/*
 * The policy cannot see an attribute given twice; the last would win.
 * Among @len bytes of attributes at @head; FASTFAULT_A_SCOPE may repeat.
 */
static int ff_nl_check_once(const struct nlattr *head, int len,
			    struct netlink_ext_ack *extack)
{
	DECLARE_BITMAP(seen, __FASTFAULT_A_MAX) = { 0 };
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, head, len, rem) {
		int type = nla_type(nla);

		if (type <= 0 || type > FASTFAULT_A_MAX ||
		    type == FASTFAULT_A_SCOPE)
			continue;
		if (__test_and_set_bit(type, seen)) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "attribute given more than once");
			return -EINVAL;
		}
	}
	return 0;
}

/* Is zero-once refused here?  Then say why, at @nla. */
static bool ff_nl_zero_once_refused(const struct nlattr *nla,
				    struct netlink_ext_ack *extack)
{
	/* the reason is this kernel's, a static string: not a literal */
	if (!nla || !nla_get_u32(nla) || !ff_zero_once_unsupported())
		return false;
	NL_SET_BAD_ATTR(extack, nla);
	if (extack)
		extack->_msg = ff_zero_once_unsupported();
	return true;
}

/* The scope keys of FASTFAULT_A_UNSET's bits, or -1 for a bit that is none. */
static int ff_nl_unset_keys(u64 mask)
{
	u32 keys = 0;
	unsigned int k;

	/* fault-around is the anonymous window's, as in a request */
	if (mask & BIT_ULL(FASTFAULT_A_FAULT_AROUND)) {
		keys |= BIT(FF_SCOPE_ANON_FAULT_AROUND);
		mask &= ~BIT_ULL(FASTFAULT_A_FAULT_AROUND);
	}
	for (k = 0; k < FF_SCOPE_KEYS; k++) {
		if (mask & BIT_ULL(ff_nl_scope_attrs[k])) {
			keys |= BIT(k);
			mask &= ~BIT_ULL(ff_nl_scope_attrs[k]);
		}
	}
	return mask ? -1 : keys;
}

/*
 * One FASTFAULT_A_SCOPE of a request, @nla, as an edit; on success
 * @e->cgrp is a reference for the caller to put.
 */
static int ff_nl_scope_edit(const struct nlattr *nla, struct ff_scope_edit *e,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FASTFAULT_A_MAX + 1];
	struct cgroup *cgrp;
	unsigned int k;
	int err, keys;

	err = nla_parse_nested(tb, FASTFAULT_A_MAX, nla, ff_nl_scope_policy,
			       extack);
	if (err)
		return err;
	err = ff_nl_check_once(nla_data(nla), nla_len(nla), extack);
	if (err)
		return err;
	if (!tb[FASTFAULT_A_CGROUP_FD]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "a scope needs cgroup-fd");
		return -EINVAL;
	}
	if (ff_nl_zero_once_refused(tb[FASTFAULT_A_ZERO_ONCE], extack))
		return -EOPNOTSUPP;

	memset(e, 0, sizeof(*e));
	e->nla = nla;
	if (tb[FASTFAULT_A_FAULT_AROUND]) {
		e->set |= BIT(FF_SCOPE_ANON_FAULT_AROUND);
		e->val[FF_SCOPE_ANON_FAULT_AROUND] =
			nla_get_u32(tb[FASTFAULT_A_FAULT_AROUND]);
	}
	for (k = 0; k < FF_SCOPE_KEYS; k++) {
		if (tb[ff_nl_scope_attrs[k]]) {
			e->set |= BIT(k);
			e->val[k] = nla_get_u32(tb[ff_nl_scope_attrs[k]]);
		}
	}
	if (tb[FASTFAULT_A_UNSET]) {
		keys = ff_nl_unset_keys(nla_get_u64(tb[FASTFAULT_A_UNSET]));
		if (keys < 0) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FASTFAULT_A_UNSET],
					    "unset names a key that is not scoped (only anon-fault-around, zero-once and pool-access are)");
			return -EINVAL;
		}
		if (keys & e->set) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FASTFAULT_A_UNSET],
					    "unset names a key the same scope sets");
			return -EINVAL;
		}
		e->unset = keys;
	}
	if (!e->set && !e->unset) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a scope with nothing to set or unset");
		return -EINVAL;
	}

	cgrp = cgroup_get_from_fd(nla_get_u32(tb[FASTFAULT_A_CGROUP_FD]));
	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FASTFAULT_A_CGROUP_FD],
				    "cgroup-fd is not an open cgroup v2 directory");
		return PTR_ERR(cgrp);
	}
	if (!cgroup_parent(cgrp)) {
		cgroup_put(cgrp);
		NL_SET_ERR_MSG_ATTR(extack, tb[FASTFAULT_A_CGROUP_FD],
				    "cgroup-fd is the root cgroup, whose scope is the system-wide setting");
		return -EINVAL;
	}
	e->cgrp = cgrp;
	return 0;
}

/* At most this many scopes in one request: each cgroup once. */
#define FF_NL_EDITS_MAX		(2 * FASTFAULT_SCOPES_MAX)

/*
 * The request's scopes as edits in @e, *@n of them; the caller puts
 * their cgroups (ff_nl_put_edits()) whatever this returns.
 */
static int ff_nl_scope_edits(struct genl_info *info, struct ff_scope_edit *e,
			     unsigned int *n)
{
	const struct nlattr *nla;
	unsigned int i;
	int rem, err;

	nla_for_each_attr(nla, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(nla) != FASTFAULT_A_SCOPE)
			continue;
		if (*n == FF_NL_EDITS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "too many scopes in one request");
			return -E2BIG;
		}
		err = ff_nl_scope_edit(nla, &e[*n], info->extack);
		if (err)
			return err;
		for (i = 0; i < *n; i++) {
			if (e[i].cgrp == e[*n].cgrp) {
				cgroup_put(e[*n].cgrp);
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "the same cgroup in two scopes of one request");
				return -EINVAL;
			}
		}
		(*n)++;
	}
	return 0;
}

static void ff_nl_put_edits(struct ff_scope_edit *e, unsigned int n)
{
	while (n--)
		cgroup_put(e[n].cgrp);
}

/*
 * Reserved genetlink header bits are refused, as the core refuses them
 * for a family with resv_start_op; where the core cannot, here, first
 * thing in every command (compat.h).
 */
static int ff_nl_hdr_check(const struct genlmsghdr *hdr,
			   struct netlink_ext_ack *extack)
{
	if (likely(!ff_genl_hdr_reserved(hdr)))
		return 0;
	NL_SET_ERR_MSG(extack, "reserved genetlink header bits are set");
	return -EINVAL;
}

static int ff_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	int err = ff_nl_hdr_check(info->genlhdr, info->extack);

	if (err)
		return err;
	return ff_nl_reply_config(info, FASTFAULT_CMD_CONFIG_GET);
}

static int ff_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct ff_scope_edit *edits;
	struct ff_config old, cfg;
	unsigned int i, n = 0;
	int err;

	err = ff_nl_hdr_check(info->genlhdr, info->extack);
	if (err)
		return err;
	if (!ff_nl_may_change(skb, info))
		return -EPERM;

	err = ff_nl_check_once(genlmsg_data(info->genlhdr),
			       genlmsg_len(info->genlhdr), info->extack);
	if (err)
		return err;

	if (tb[FASTFAULT_A_ZERO_POOL] &&
	    nla_get_u64(tb[FASTFAULT_A_ZERO_POOL]) >> PAGE_SHIFT >
	    totalram_pages() / 2) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[FASTFAULT_A_ZERO_POOL],
				    "zero-pool is larger than half of RAM");
		return -ERANGE;
	}

	if (tb[FASTFAULT_A_ZERO_POOL_HUGE] &&
	    nla_get_u64(tb[FASTFAULT_A_ZERO_POOL_HUGE]) >> PAGE_SHIFT >
	    totalram_pages() / 2) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[FASTFAULT_A_ZERO_POOL_HUGE],
				    "zero-pool-huge is larger than half of RAM");
		return -ERANGE;
	}

	/* the huge pool's folios skip their clear: the clear hook's reason */
	if (tb[FASTFAULT_A_ZERO_POOL_HUGE] &&
	    nla_get_u64(tb[FASTFAULT_A_ZERO_POOL_HUGE]) >= HPAGE_PMD_SIZE &&
	    ff_zero_once_unsupported()) {
		NL_SET_BAD_ATTR(info->extack, tb[FASTFAULT_A_ZERO_POOL_HUGE]);
		if (info->extack)
			info->extack->_msg = ff_zero_once_unsupported();
		return -EOPNOTSUPP;
	}

	if (tb[FASTFAULT_A_ZERO_NONTEMPORAL] &&
	    nla_get_u32(tb[FASTFAULT_A_ZERO_NONTEMPORAL]) &&
	    !ff_pool_nontemporal_allowed()) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[FASTFAULT_A_ZERO_NONTEMPORAL],
				    "zero-nontemporal needs a kernel booted with init_on_alloc=0 and init_on_free=0 (the allocator clears every page itself)");
		return -EOPNOTSUPP;
	}

	if (ff_nl_zero_once_refused(tb[FASTFAULT_A_ZERO_ONCE], info->extack))
		return -EOPNOTSUPP;

	edits = kcalloc(FF_NL_EDITS_MAX, sizeof(*edits), GFP_KERNEL);
	if (!edits)
		return -ENOMEM;
	err = ff_nl_scope_edits(info, edits, &n);
	if (err)
		goto out;

	ff_config_get(&old);
	cfg = old;

	for (i = 0; i < ARRAY_SIZE(ff_nl_keys); i++) {
		const struct ff_nl_key *k = &ff_nl_keys[i];

		if (tb[k->attr])
			ff_nl_key_set(&cfg, k, tb[k->attr]);
	}
	if (tb[FASTFAULT_A_FAULT_AROUND]) {
		u32 n = nla_get_u32(tb[FASTFAULT_A_FAULT_AROUND]);

		if (!tb[FASTFAULT_A_ANON_FAULT_AROUND])
			cfg.anon_fault_around = n;
		if (!tb[FASTFAULT_A_FILE_FAULT_AROUND])
			cfg.file_fault_around = ff_knob_follow(n);
	}

	err = ff_config_set(&cfg, edits, n, info->extack);
	if (err)
		goto out;

	/*
	 * The reply carries the values in effect, as read back.  The change
	 * is made: a reply that cannot be sent (no memory, a full socket)
	 * must not report it as refused, so the caller then gets a bare ack.
	 */
	if (ff_nl_reply_config(info, FASTFAULT_CMD_CONFIG_SET))
		pr_debug("config set: the reply could not be sent\n");

	ff_config_get(&cfg);
	if (n || !ff_nl_config_equal(&cfg, &old))
		ff_netlink_notify_config();

out:
	ff_nl_put_edits(edits, n);
	kfree(edits);
	return err;
}

static int ff_nl_put_stats(struct sk_buff *skb, const struct ff_stats *st)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, FASTFAULT_A_STATS);
	if (!nest)
		return -EMSGSIZE;

	for (i = FASTFAULT_STAT_PAD + 1; i <= FASTFAULT_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, st->v[i], FASTFAULT_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A zero pool on each node with memory: what it holds, what it aims at;
 * in @attr (FASTFAULT_A_POOL_NODE or FASTFAULT_A_HUGE_POOL_NODE).
 */
static int ff_nl_put_pool_nodes(struct sk_buff *skb, enum ff_pool_kind kind,
				int attr)
{
	struct nlattr *nest;
	u64 pages, target;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		ff_pool_node(kind, nid, &pages, &target);
		nest = nla_nest_start(skb, attr);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, FASTFAULT_POOL_NODE_A_ID, nid) ||
		    nla_put_u64_64bit(skb, FASTFAULT_POOL_NODE_A_PAGES, pages,
				      FASTFAULT_POOL_NODE_A_PAD) ||
		    nla_put_u64_64bit(skb, FASTFAULT_POOL_NODE_A_TARGET, target,
				      FASTFAULT_POOL_NODE_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int ff_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ff_stats st;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = ff_nl_hdr_check(info->genlhdr, info->extack);
	if (err)
		return err;
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &ff_family, 0,
				FASTFAULT_CMD_STATS_GET);
	if (!hdr)
		goto nospace;

	ff_stats_sum(&st);
	if (ff_nl_put_stats(msg, &st) ||
	    ff_nl_put_pool_nodes(msg, FF_POOL_SMALL, FASTFAULT_A_POOL_NODE) ||
	    ff_nl_put_pool_nodes(msg, FF_POOL_HUGE, FASTFAULT_A_HUGE_POOL_NODE))
		goto nospace;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* One message per possible CPU; cb->args[0] is the next CPU to send. */
static int ff_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ff_stats st;
	unsigned int cpu;
	void *hdr;

	for (cpu = cb->args[0]; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &ff_family, NLM_F_MULTI,
				  FASTFAULT_CMD_STATS_GET);
		if (!hdr)
			break;

		ff_stats_cpu(cpu, &st);
		if (nla_put_u32(skb, FASTFAULT_A_CPU, cpu) ||
		    ff_nl_put_stats(skb, &st)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = cpu;

	return skb->len;
}

/* Before the dump: a refusal here is the request's error, not the dump's */
static int ff_nl_stats_dump_start(struct netlink_callback *cb)
{
	return ff_nl_hdr_check(nlmsg_data(cb->nlh), cb->extack);
}

static int ff_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	int err = ff_nl_hdr_check(info->genlhdr, info->extack);

	if (err)
		return err;
	if (!ff_nl_may_change(skb, info))
		return -EPERM;

	ff_stats_reset();
	return 0;
}

/* not genl_small_ops: a dump's start callback, ff_nl_stats_dump_start() */
static const struct genl_ops ff_nl_ops[] = {
	{
		.cmd = FASTFAULT_CMD_CONFIG_GET,
		.doit = ff_nl_config_get,
	},
	{
		.cmd = FASTFAULT_CMD_CONFIG_SET,
		.doit = ff_nl_config_set,
	},
	{
		.cmd = FASTFAULT_CMD_STATS_GET,
		.doit = ff_nl_stats_get,
		.start = ff_nl_stats_dump_start,
		.dumpit = ff_nl_stats_dump,
	},
	{
		.cmd = FASTFAULT_CMD_STATS_RESET,
		.doit = ff_nl_stats_reset,
	},
};

static const struct genl_multicast_group ff_nl_mcgrps[] = {
	[FF_MCGRP_CONFIG] = { .name = FASTFAULT_MCGRP_CONFIG },
};

static struct genl_family ff_family __ro_after_init = {
	.name = FASTFAULT_FAMILY_NAME,
	.version = FASTFAULT_FAMILY_VERSION,
	.maxattr = FASTFAULT_A_MAX,
	.policy = ff_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = ff_nl_ops,
	.n_ops = ARRAY_SIZE(ff_nl_ops),
	.mcgrps = ff_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ff_nl_mcgrps),
};

int __init ff_netlink_init(void)
{
	/* every command is new: strict attributes, reserved header bits */
	ff_genl_strict_from(&ff_family, FASTFAULT_CMD_CONFIG_GET);
	return genl_register_family(&ff_family);
}

void ff_netlink_exit(void)
{
	genl_unregister_family(&ff_family);
}
