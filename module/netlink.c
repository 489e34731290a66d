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
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/stddef.h>
#include <net/genetlink.h>
#include "fastfault.h"

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
};

static_assert(sizeof_field(struct ff_config, anon_fault_around) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, file_fault_around) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_pool) == sizeof(u64));
static_assert(sizeof_field(struct ff_config, zero_nontemporal) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_once) == sizeof(u32));
static_assert(sizeof_field(struct ff_config, zero_pool_huge) == sizeof(u64));

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
};

static struct genl_family ff_family;

static int ff_nl_fill_config(struct sk_buff *skb, const struct ff_config *cfg,
			     u32 portid, u32 seq, u8 cmd)
{
	unsigned int i;
	void *hdr;

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

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int ff_nl_reply_config(struct genl_info *info, u8 cmd)
{
	struct ff_config cfg;
	struct sk_buff *skb;
	int err;

	skb = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;

	ff_config_get(&cfg);
	err = ff_nl_fill_config(skb, &cfg, info->snd_portid, info->snd_seq,
				cmd);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	return genlmsg_reply(skb, info);
}

void ff_netlink_notify_config(void)
{
	struct ff_config cfg;
	struct sk_buff *skb;

	if (!genl_has_listeners(&ff_family, &init_net, FF_MCGRP_CONFIG))
		return;

	skb = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;

	ff_config_get(&cfg);
	if (ff_nl_fill_config(skb, &cfg, 0, 0, FASTFAULT_CMD_CONFIG_NTF)) {
		nlmsg_free(skb);
		return;
	}
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

/* The policy cannot see an attribute given twice; the last would win. */
static int ff_nl_check_once(struct genl_info *info)
{
	DECLARE_BITMAP(seen, __FASTFAULT_A_MAX) = { 0 };
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		int type = nla_type(nla);

		if (type <= 0 || type > FASTFAULT_A_MAX)
			continue;
		if (__test_and_set_bit(type, seen)) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "attribute given more than once");
			return -EINVAL;
		}
	}
	return 0;
}

static int ff_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	return ff_nl_reply_config(info, FASTFAULT_CMD_CONFIG_GET);
}

static int ff_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct ff_config old, cfg;
	unsigned int i;
	int err;

	if (!ff_nl_may_change(skb, info))
		return -EPERM;

	err = ff_nl_check_once(info);
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

	/* the reason is this kernel's, a static string: not a literal */
	if (tb[FASTFAULT_A_ZERO_ONCE] &&
	    nla_get_u32(tb[FASTFAULT_A_ZERO_ONCE]) &&
	    ff_zero_once_unsupported()) {
		NL_SET_BAD_ATTR(info->extack, tb[FASTFAULT_A_ZERO_ONCE]);
		if (info->extack)
			info->extack->_msg = ff_zero_once_unsupported();
		return -EOPNOTSUPP;
	}

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

	err = ff_config_set(&cfg, info->extack);
	if (err)
		return err;

	/*
	 * The reply carries the values in effect, as read back.  The change
	 * is made: a reply that cannot be sent (no memory, a full socket)
	 * must not report it as refused, so the caller then gets a bare ack.
	 */
	if (ff_nl_reply_config(info, FASTFAULT_CMD_CONFIG_SET))
		pr_debug("config set: the reply could not be sent\n");

	ff_config_get(&cfg);
	if (!ff_nl_config_equal(&cfg, &old))
		ff_netlink_notify_config();

	return 0;
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

static int ff_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	if (!ff_nl_may_change(skb, info))
		return -EPERM;

	ff_stats_reset();
	return 0;
}

static const struct genl_small_ops ff_nl_ops[] = {
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
	.small_ops = ff_nl_ops,
	.n_small_ops = ARRAY_SIZE(ff_nl_ops),
	/* every command is new: strict attributes, reserved header bits */
	.resv_start_op = FASTFAULT_CMD_CONFIG_GET,
	.mcgrps = ff_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ff_nl_mcgrps),
};

int __init ff_netlink_init(void)
{
	return genl_register_family(&ff_family);
}

void ff_netlink_exit(void)
{
	genl_unregister_family(&ff_family);
}
