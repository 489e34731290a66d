// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: generic netlink transport over libmnl.
 *
 * Requests ask for extended acks (NETLINK_EXT_ACK) without the request
 * echoed back (NETLINK_CAP_ACK).  The offset the kernel reports for a
 * bad attribute is looked up in the request we sent, so an error can
 * name the key, like iproute2 does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "faultctl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define FF_NL_BUFSIZE 65536

struct ff_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	unsigned int version;
	unsigned int mcgrp;
	/* the paths of the last request's scopes, to name them in errors */
	size_t nscopes;
	const char *scope_path[FF_MAX_SCOPES];
	char req[4096 + FF_MAX_SCOPES * 128];
	char buf[FF_NL_BUFSIZE];
};

typedef int (*ff_msg_fn)(const struct nlmsghdr *nlh, void *data);

static struct nlmsghdr *req_start(struct ff_nl *nl, uint16_t type,
				  uint16_t flags, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* The name of attribute @a of a request, for an error. */
static void attr_name(const struct nlattr *a, struct ff_err *err)
{
	unsigned int t = mnl_attr_get_type(a);
	const struct ff_key *k = ff_key_by_attr(t);

	if (k)
		snprintf(err->attr, sizeof(err->attr), "%s", k->name);
	else if (t == FASTFAULT_A_SCOPE)
		snprintf(err->attr, sizeof(err->attr), "cgroup scope");
	else if (t == FASTFAULT_A_CGROUP_FD)
		snprintf(err->attr, sizeof(err->attr), "cgroup");
	else if (t == FASTFAULT_A_UNSET)
		snprintf(err->attr, sizeof(err->attr), "unset");
	else
		snprintf(err->attr, sizeof(err->attr), "type %u", t);
}

/*
 * Which attribute of our request starts at @offs (from the nlmsghdr)?
 * One inside a cgroup scope is named with the scope's path.
 */
static void name_attr(const struct ff_nl *nl, uint32_t offs,
		      struct ff_err *err)
{
	const struct nlmsghdr *req = (const void *)nl->req;
	const struct nlattr *a, *b;
	size_t scope = 0;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if ((uint32_t)((const char *)a - nl->req) == offs) {
			attr_name(a, err);
			return;
		}
		if (mnl_attr_get_type(a) != FASTFAULT_A_SCOPE)
			continue;
		mnl_attr_for_each_nested(b, a) {
			if ((uint32_t)((const char *)b - nl->req) != offs)
				continue;
			attr_name(b, err);
			if (scope < nl->nscopes) {
				size_t len = strlen(err->attr);

				snprintf(err->attr + len, sizeof(err->attr) - len,
					 " for cgroup %.40s",
					 nl->scope_path[scope]);
			}
			return;
		}
		scope++;
	}
}

static void parse_error(const struct ff_nl *nl, const struct nlmsghdr *nlh,
			struct ff_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		err->errnum = EPROTO;
		return;
	}
	err->errnum = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;

	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;

	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(err->msg, sizeof(err->msg), "%s",
					 mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				name_attr(nl, mnl_attr_get_u32(a), err);
			break;
		}
	}
}

static int errno_status(const struct ff_err *err)
{
	if (err->errnum == EPERM || err->errnum == EACCES)
		return FF_EXIT_PERM;
	/* the family went away between lookup and request */
	if (err->errnum == ENOENT && !err->msg[0])
		return FF_EXIT_NOMODULE;
	return FF_EXIT_KERNEL;
}

static int sys_error(struct ff_err *err)
{
	err->errnum = errno;
	return FF_EXIT_KERNEL;
}

/* Send the request in nl->req, hand each reply to @fn, wait for the end. */
static int nl_talk(struct ff_nl *nl, ff_msg_fn fn, void *data,
		   struct ff_err *err)
{
	const struct nlmsghdr *req = (const void *)nl->req;
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int n;

	memset(err, 0, sizeof(*err));
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
		return sys_error(err);

	for (;;) {
		const struct nlmsghdr *nlh;

		n = mnl_socket_recvfrom(nl->sk, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return sys_error(err);

		for (nlh = (const void *)nl->buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != nl->portid)
				continue;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				parse_error(nl, nlh, err);
				return err->errnum ? errno_status(err) : 0;
			case NLMSG_DONE:
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) &&
				    *(const int *)mnl_nlmsg_get_payload(nlh) < 0) {
					err->errnum = -*(const int *)
						mnl_nlmsg_get_payload(nlh);
					return errno_status(err);
				}
				return 0;
			default:
				if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
					continue;
				if (mnl_nlmsg_get_payload_len(nlh) <
				    sizeof(struct genlmsghdr))
					continue;
				if (fn(nlh, data)) {
					err->errnum = ENOMEM;
					return FF_EXIT_KERNEL;
				}
				if (!dump && !(req->nlmsg_flags & NLM_F_ACK))
					return 0;
			}
		}
	}
}

static int ctrl_parse(const struct nlmsghdr *nlh, void *data)
{
	struct ff_nl *nl = data;
	const struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				nl->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				nl->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a) {
				const char *name = NULL;
				uint32_t id = 0;

				mnl_attr_for_each_nested(ga, g) {
					int t = mnl_attr_get_type(ga);

					if (t == CTRL_ATTR_MCAST_GRP_NAME &&
					    !mnl_attr_validate(ga, MNL_TYPE_NUL_STRING))
						name = mnl_attr_get_str(ga);
					if (t == CTRL_ATTR_MCAST_GRP_ID &&
					    !mnl_attr_validate(ga, MNL_TYPE_U32))
						id = mnl_attr_get_u32(ga);
				}
				if (name && !strcmp(name, FASTFAULT_MCGRP_CONFIG))
					nl->mcgrp = id;
			}
			break;
		}
	}
	return 0;
}

int ff_nl_open(struct ff_nl **nlp, struct ff_err *err)
{
	struct nlmsghdr *nlh;
	struct ff_nl *nl;
	int one = 1, status;

	memset(err, 0, sizeof(*err));
	*nlp = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return sys_error(err);

	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		status = sys_error(err);
		free(nl);
		return status;
	}
	/* Best effort: old kernels lack them and still work. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		status = sys_error(err);
		ff_nl_close(nl);
		return status;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);

	nlh = req_start(nl, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FASTFAULT_FAMILY_NAME);
	status = nl_talk(nl, ctrl_parse, nl, err);
	if (status == 0 && !nl->family) {
		err->errnum = ENOENT;
		status = FF_EXIT_NOMODULE;
	}
	if (status != 0 && err->errnum == ENOENT) {
		status = FF_EXIT_NOMODULE;
		/* loaded, but the family is not in this network namespace */
		if (access("/sys/module/fastfault/initstate", F_OK) == 0) {
			snprintf(err->msg, sizeof(err->msg),
				 "fastfault is loaded but can only be reached from the initial network namespace");
			status = FF_EXIT_KERNEL;
		}
	}
	if (status) {
		ff_nl_close(nl);
		return status;
	}
	*nlp = nl;
	return 0;
}

void ff_nl_close(struct ff_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sk);
	free(nl);
}

unsigned int ff_nl_family_version(const struct ff_nl *nl)
{
	return nl->version;
}

/* A key's value from attribute @a into @val and @has, if it is one. */
static void key_parse(const struct nlattr *a, uint64_t *val, bool *has)
{
	unsigned int t = mnl_attr_get_type(a);
	const struct ff_key *k = ff_key_by_attr(t);

	if (!k)
		return;
	if (k->width == 8 && !mnl_attr_validate(a, MNL_TYPE_U64))
		val[t] = mnl_attr_get_u64(a);
	else if (k->width == 4 && !mnl_attr_validate(a, MNL_TYPE_U32))
		val[t] = mnl_attr_get_u32(a);
	else
		return;
	has[t] = true;
}

/* A reply's FASTFAULT_A_SCOPE: the cgroup and the keys it sets. */
static void scope_parse(const struct nlattr *nest, struct ff_scope_set *sc)
{
	const struct nlattr *a;

	memset(sc, 0, sizeof(*sc));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case FASTFAULT_A_CGROUP_PATH:
			if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				ff_cgroup_abs(mnl_attr_get_str(a), sc->path,
					      sizeof(sc->path));
			break;
		case FASTFAULT_A_CGROUP_ID:
			if (!mnl_attr_validate(a, MNL_TYPE_U64))
				sc->id = mnl_attr_get_u64(a);
			break;
		default:
			key_parse(a, sc->val, sc->has);
		}
	}
}

/* A reply's FASTFAULT_A_UNSUPPORTED: a key and the kernel's reason. */
static void unsupported_parse(const struct nlattr *nest, struct ff_settings *set)
{
	const struct nlattr *a;
	const char *why = NULL;
	uint32_t key = 0;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == FASTFAULT_UNSUPPORTED_A_KEY &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			key = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == FASTFAULT_UNSUPPORTED_A_REASON &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			why = mnl_attr_get_str(a);
	}
	if (why && *why && key > 0 && key <= FASTFAULT_A_MAX)
		snprintf(set->unsupported[key], sizeof(set->unsupported[key]),
			 "%s", why);
}

static int config_parse(const struct nlmsghdr *nlh, void *data)
{
	struct ff_settings *set = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int t = mnl_attr_get_type(a);

		if (t == FASTFAULT_A_VERSION &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			snprintf(set->version, sizeof(set->version), "%s",
				 mnl_attr_get_str(a));
		else if (t == FASTFAULT_A_SCOPE && set->nscopes < FF_MAX_SCOPES)
			scope_parse(a, &set->scope[set->nscopes++]);
		else if (t == FASTFAULT_A_UNSUPPORTED)
			unsupported_parse(a, set);
		else
			key_parse(a, set->val, set->has);
	}
	return 0;
}

/* The keys of @val and @has into the request @nlh. */
static void keys_put(struct nlmsghdr *nlh, const uint64_t *val,
		     const bool *has)
{
	size_t i;

	for (i = 0; i < ff_nkeys; i++) {
		const struct ff_key *k = &ff_keys[i];

		if (!has[k->attr])
			continue;
		if (k->width == 8)
			mnl_attr_put_u64(nlh, k->attr, val[k->attr]);
		else
			mnl_attr_put_u32(nlh, k->attr, (uint32_t)val[k->attr]);
	}
}

int ff_nl_config_get(struct ff_nl *nl, struct ff_settings *out,
		     struct ff_err *err)
{
	memset(out, 0, sizeof(*out));
	req_start(nl, nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_GET,
		  FASTFAULT_FAMILY_VERSION);
	return nl_talk(nl, config_parse, out, err);
}

int ff_nl_config_set(struct ff_nl *nl, const struct ff_settings *in,
		     const int *fds, struct ff_settings *out,
		     struct ff_err *err)
{
	struct nlmsghdr *nlh;
	size_t i;

	memset(out, 0, sizeof(*out));
	nlh = req_start(nl, nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET,
			FASTFAULT_FAMILY_VERSION);
	keys_put(nlh, in->val, in->has);
	nl->nscopes = in->nscopes;
	for (i = 0; i < in->nscopes; i++) {
		const struct ff_scope_set *sc = &in->scope[i];
		struct nlattr *nest;

		nl->scope_path[i] = sc->path;
		nest = mnl_attr_nest_start(nlh, FASTFAULT_A_SCOPE);
		mnl_attr_put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)fds[i]);
		keys_put(nlh, sc->val, sc->has);
		if (sc->unset)
			mnl_attr_put_u64(nlh, FASTFAULT_A_UNSET, sc->unset);
		mnl_attr_nest_end(nlh, nest);
	}
	return nl_talk(nl, config_parse, out, err);
}

static void pool_node_parse(const struct nlattr *nest, struct ff_pool_node *n)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case FASTFAULT_POOL_NODE_A_ID:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				n->id = mnl_attr_get_u32(a);
			break;
		case FASTFAULT_POOL_NODE_A_PAGES:
			if (!mnl_attr_validate(a, MNL_TYPE_U64))
				n->pages = mnl_attr_get_u64(a);
			break;
		case FASTFAULT_POOL_NODE_A_TARGET:
			if (!mnl_attr_validate(a, MNL_TYPE_U64))
				n->target = mnl_attr_get_u64(a);
			break;
		}
	}
}

static void stats_parse_one(const struct nlmsghdr *nlh, struct ff_stats *st)
{
	const struct nlattr *a, *s;

	memset(st, 0, sizeof(*st));
	st->cpu = -1;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case FASTFAULT_A_CPU:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				st->cpu = (int)mnl_attr_get_u32(a);
			break;
		case FASTFAULT_A_POOL_NODE:
			if (st->nnodes < FF_MAX_NODES)
				pool_node_parse(a, &st->node[st->nnodes++]);
			break;
		case FASTFAULT_A_HUGE_POOL_NODE:
			if (st->nhnodes < FF_MAX_NODES)
				pool_node_parse(a, &st->hnode[st->nhnodes++]);
			break;
		case FASTFAULT_A_STATS:
			mnl_attr_for_each_nested(s, a) {
				unsigned int t = mnl_attr_get_type(s);

				if (t > FASTFAULT_STAT_PAD &&
				    t <= FASTFAULT_STAT_MAX &&
				    !mnl_attr_validate(s, MNL_TYPE_U64)) {
					st->v[t] = mnl_attr_get_u64(s);
					st->has[t] = true;
				}
			}
			break;
		}
	}
}

static int stats_parse(const struct nlmsghdr *nlh, void *data)
{
	stats_parse_one(nlh, data);
	return 0;
}

int ff_nl_stats_get(struct ff_nl *nl, struct ff_stats *out,
		    struct ff_err *err)
{
	memset(out, 0, sizeof(*out));
	out->cpu = -1;
	req_start(nl, nl->family, NLM_F_ACK, FASTFAULT_CMD_STATS_GET,
		  FASTFAULT_FAMILY_VERSION);
	return nl_talk(nl, stats_parse, out, err);
}

struct dump_acc {
	struct ff_stats *v;
	size_t n, cap;
};

static int stats_dump_parse(const struct nlmsghdr *nlh, void *data)
{
	struct dump_acc *acc = data;

	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		struct ff_stats *v = realloc(acc->v, cap * sizeof(*v));

		if (!v)
			return -1;
		acc->v = v;
		acc->cap = cap;
	}
	stats_parse_one(nlh, &acc->v[acc->n++]);
	return 0;
}

int ff_nl_stats_dump(struct ff_nl *nl, struct ff_stats **out, size_t *n,
		     struct ff_err *err)
{
	struct dump_acc acc = { 0 };
	int status;

	req_start(nl, nl->family, NLM_F_DUMP, FASTFAULT_CMD_STATS_GET,
		  FASTFAULT_FAMILY_VERSION);
	status = nl_talk(nl, stats_dump_parse, &acc, err);
	if (status) {
		free(acc.v);
		acc.v = NULL;
		acc.n = 0;
	}
	*out = acc.v;
	*n = acc.n;
	return status;
}

static int no_reply(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return 0;
}

int ff_nl_stats_reset(struct ff_nl *nl, struct ff_err *err)
{
	req_start(nl, nl->family, NLM_F_ACK, FASTFAULT_CMD_STATS_RESET,
		  FASTFAULT_FAMILY_VERSION);
	return nl_talk(nl, no_reply, NULL, err);
}

/* nlctrl announces families coming and going on its "notify" group. */
#define FF_CTRL_NOTIFY_GROUP GENL_ID_CTRL

static bool family_removed(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != GENL_ID_CTRL || g->cmd != CTRL_CMD_DELFAMILY)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING) &&
		    !strcmp(mnl_attr_get_str(a), FASTFAULT_FAMILY_NAME))
			return true;
	return false;
}

int ff_nl_monitor(struct ff_nl *nl,
		  int (*fn)(const struct ff_settings *set, void *data),
		  void *data, struct ff_err *err)
{
	unsigned int grp = nl->mcgrp, ctrl = FF_CTRL_NOTIFY_GROUP;

	memset(err, 0, sizeof(*err));
	if (!grp) {
		err->errnum = EPROTONOSUPPORT;
		snprintf(err->msg, sizeof(err->msg),
			 "the module has no \"%s\" multicast group",
			 FASTFAULT_MCGRP_CONFIG);
		return FF_EXIT_KERNEL;
	}
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return sys_error(err);
	/* Only to notice an unload; monitoring works without it. */
	mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &ctrl,
			      sizeof(ctrl));

	for (;;) {
		const struct nlmsghdr *nlh;
		int n;

		n = mnl_socket_recvfrom(nl->sk, nl->buf, sizeof(nl->buf));
		if (n < 0) {
			if (errno == ENOBUFS || errno == EINTR)
				continue;	/* overrun: keep going */
			return sys_error(err);
		}
		for (nlh = (const void *)nl->buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct genlmsghdr *g;
			struct ff_settings set;

			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
				continue;
			if (family_removed(nlh)) {
				err->errnum = ENOENT;
				return FF_EXIT_NOMODULE;
			}
			g = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_type != nl->family ||
			    g->cmd != FASTFAULT_CMD_CONFIG_NTF)
				continue;
			memset(&set, 0, sizeof(set));
			config_parse(nlh, &set);
			if (fn(&set, data))
				return 0;
		}
	}
}
