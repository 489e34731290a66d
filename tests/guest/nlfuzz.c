// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: throw malformed generic netlink requests at the fastfault
 * family over raw sockets (no faultctl, no libmnl) and check that
 *
 *   - every one of them is refused (an error ack, or for a message whose
 *     length field lies, silence), never answered or acked with 0;
 *   - the configuration never changes (read back after every request);
 *   - the kernel log gains no warning, BUG, Oops or call trace (the
 *     core's own rate-limited "netlink: ..." notes about malformed
 *     attributes are expected and allowed).
 *
 * The first half runs as root; then a child drops to an unprivileged
 * uid and repeats it, adding well-formed set and reset requests, which
 * must fail with EPERM.  Exit status 0 if all held, 1 if not, 2 if the
 * test could not run (no module, no /dev/kmsg).
 *
 *	nlfuzz [-n COUNT] [-s SEED] [-u UID]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/fastfault.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define BUFSZ (128 * 1024)
/*
 * the configuration attributes: three u32 windows, the u64 zero-pool and
 * the u32 zero-nontemporal; a reply carries all but fault-around, which
 * is a request only
 */
#define NCFG (FASTFAULT_A_ZERO_NONTEMPORAL + 1)
#define CFG_FIRST FASTFAULT_A_FAULT_AROUND
#define CFG_LAST_U32 FASTFAULT_A_FILE_FAULT_AROUND
#define NCFG_SEEN (CFG_LAST_U32 - CFG_FIRST + 2)

struct nl {
	int fd;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
};

struct counts {
	unsigned long sent, refused, silent, bad;
	unsigned long by_errno[256];
};

static unsigned char msgbuf[BUFSZ], rxbuf[BUFSZ];
static uint64_t baseline[NCFG];
static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *what)
{
	fprintf(stderr, "nlfuzz: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	socklen_t len = sizeof(sa);
	int one = 1, rcvbuf = 1 << 20;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -1;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &len))
		return -1;
	nl->portid = sa.nl_pid;
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

/* ---- message building ---- */

static struct nlmsghdr *msg_start(uint16_t type, uint16_t flags, uint8_t cmd,
				  uint16_t reserved, uint32_t seq)
{
	struct nlmsghdr *nlh = (void *)msgbuf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(msgbuf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = FASTFAULT_FAMILY_VERSION;
	g->reserved = reserved;
	return nlh;
}

/* Append an attribute whose header says @len bytes of payload. */
static void put_attr(struct nlmsghdr *nlh, uint16_t type, size_t len,
		     const void *data)
{
	struct nlattr *a = (void *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	size_t total = NLA_HDRLEN + len;

	if (NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(total) > BUFSZ - 64)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)total;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	else
		for (size_t i = 0; i < len; i++)
			((unsigned char *)a)[NLA_HDRLEN + i] = (unsigned char)rnd();
	memset((char *)a + total, 0, NLA_ALIGN(total) - total);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(total);
}

static void put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	put_attr(nlh, type, 4, &v);
}

static uint16_t cfg_attr(void)
{
	return FASTFAULT_A_FAULT_AROUND + rnd_below(3);
}

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	put_attr(nlh, type, 8, &v);
}

/* A value the policy accepts. */
static void put_valid(struct nlmsghdr *nlh)
{
	if (rnd_below(4) == 0)
		put_u64(nlh, FASTFAULT_A_ZERO_POOL,
			(uint64_t)rnd_below(1 << 14) << 12);
	else
		put_u32(nlh, cfg_attr(),
			1 + rnd_below(FASTFAULT_FAULT_AROUND_MAX));
}

/* One attribute the policy must refuse; returns what it is, for logs. */
static const char *put_invalid(struct nlmsghdr *nlh)
{
	static const uint16_t reply_only[] = {
		FASTFAULT_A_PAD, FASTFAULT_A_VERSION, FASTFAULT_A_CPU,
		FASTFAULT_A_STATS,
	};
	uint32_t v;
	size_t len;

	switch (rnd_below(9)) {
	case 8:
		v = 2 + rnd_below(UINT32_MAX - 2);
		put_u32(nlh, FASTFAULT_A_ZERO_NONTEMPORAL, v);
		return "zero-nontemporal out of range";
	case 7:
		do
			len = rnd_below(2) ? rnd_below(17) : 100 + rnd_below(400);
		while (len == 8);
		put_attr(nlh, FASTFAULT_A_ZERO_POOL, len, NULL);
		return "zero-pool of the wrong length";
	case 0:
		v = rnd_below(2) ? 0 : FASTFAULT_FAULT_AROUND_MAX + 1 +
			rnd_below(UINT32_MAX - FASTFAULT_FAULT_AROUND_MAX);
		put_u32(nlh, cfg_attr(), v);
		return "out of range";
	case 1:
		do
			len = rnd_below(2) ? rnd_below(17) : 100 + rnd_below(4000);
		while (len == 4);
		put_attr(nlh, cfg_attr(), len, NULL);
		return "wrong length";
	case 2:
		len = rnd_below(3) ? rnd_below(16) : rnd_below(8000);
		put_attr(nlh, reply_only[rnd_below(4)] |
			 (rnd_below(2) ? NLA_F_NESTED : 0), len, NULL);
		return "reply-only attribute";
	case 3:
		v = rnd_below(2) ? 0 : FASTFAULT_A_MAX + 1 +
			rnd_below(0x3fff - FASTFAULT_A_MAX);
		put_attr(nlh, (uint16_t)v, rnd_below(4) * 4, NULL);
		return "unknown attribute";
	case 4:
		v = 1 + rnd_below(FASTFAULT_FAULT_AROUND_MAX);
		put_attr(nlh, cfg_attr() | NLA_F_NESTED, 4, &v);
		return "u32 flagged nested";
	case 5: {
		/* last attribute claims more than the message holds */
		struct nlattr *a = (void *)((char *)nlh + nlh->nlmsg_len);

		put_valid(nlh);
		a->nla_len = (uint16_t)(NLA_HDRLEN + 12 + rnd_below(200));
		return "attribute overruns the message";
	}
	default: {
		/* a header too short to be an attribute */
		struct nlattr *a = (void *)((char *)nlh + nlh->nlmsg_len);

		a->nla_len = (uint16_t)rnd_below(NLA_HDRLEN);
		a->nla_type = cfg_attr();
		nlh->nlmsg_len += NLA_HDRLEN;
		return "attribute shorter than its header";
	}
	}
}

/* ---- talking ---- */

static int nl_send(struct nl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa,
		      sizeof(sa)) < 0 ? -1 : 0;
}

static int ctrl_family(struct nl *nl)
{
	struct nlmsghdr *nlh = msg_start(GENL_ID_CTRL, NLM_F_ACK,
					 CTRL_CMD_GETFAMILY, 0, ++nl->seq);
	ssize_t n;

	((struct genlmsghdr *)NLMSG_DATA(nlh))->version = 1;
	put_attr(nlh, CTRL_ATTR_FAMILY_NAME, sizeof(FASTFAULT_FAMILY_NAME),
		 FASTFAULT_FAMILY_NAME);
	if (nl_send(nl, msgbuf, nlh->nlmsg_len))
		return -1;
	while ((n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0)) > 0) {
		for (nlh = (void *)rxbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct nlattr *a;
			int rem;

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (e->error) {
					errno = -e->error;
					return -1;
				}
				return nl->family ? 0 : -1;
			}
			a = (void *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
			rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= rem;
			     rem -= NLA_ALIGN(a->nla_len),
			     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
				if ((a->nla_type & NLA_TYPE_MASK) ==
				    CTRL_ATTR_FAMILY_ID)
					nl->family = *(uint16_t *)
						((char *)a + NLA_HDRLEN);
		}
	}
	return -1;
}

/* Parse a config reply into cfg[]; returns the number of values seen. */
static int parse_config(const struct nlmsghdr *nlh, uint64_t *cfg)
{
	const struct nlattr *a;
	int rem, seen = 0;

	a = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		int t = a->nla_type & NLA_TYPE_MASK;

		if (t >= CFG_FIRST && t <= CFG_LAST_U32 &&
		    a->nla_len == NLA_HDRLEN + 4) {
			uint32_t v;

			memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
			cfg[t] = v;
			seen++;
		} else if (t == FASTFAULT_A_ZERO_POOL &&
			   a->nla_len == NLA_HDRLEN + 8) {
			memcpy(&cfg[t], (const char *)a + NLA_HDRLEN, 8);
			seen++;
		} else if (t == FASTFAULT_A_ZERO_NONTEMPORAL &&
			   a->nla_len == NLA_HDRLEN + 4) {
			uint32_t v;

			memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
			cfg[t] = v;
			seen++;
		}
	}
	return seen;
}

enum expect {
	EXPECT_ERROR,		/* an error ack */
	EXPECT_ERROR_OR_SILENCE,	/* the length lies: may be dropped */
	EXPECT_EPERM,
};

/*
 * Send the message in msgbuf (@len bytes on the wire), then a
 * well-formed config get as a probe, and read until the probe's ack.
 * Returns true if the fuzz message was handled as expected and the
 * probe's configuration equals the baseline.
 */
static bool exchange(struct nl *nl, size_t len, enum expect want,
		     const char *what, struct counts *c)
{
	uint32_t fseq = ((struct nlmsghdr *)msgbuf)->nlmsg_seq, pseq;
	uint64_t cfg[NCFG] = { 0 };
	bool answered = false, ok = true, probe_done = false;
	struct nlmsghdr *nlh;
	ssize_t n;

	c->sent++;
	if (nl_send(nl, msgbuf, len)) {
		/* the kernel may refuse the send itself (e.g. too short) */
		c->refused++;
		return true;
	}
	pseq = ++nl->seq;
	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_GET, 0,
			pseq);
	if (nl_send(nl, msgbuf, nlh->nlmsg_len))
		die("send probe");

	while (!probe_done) {
		n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "nlfuzz: no answer to the probe after %s: %s\n",
				what, strerror(errno));
			c->bad++;
			return false;
		}
		for (nlh = (void *)rxbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq == pseq) {
				if (nlh->nlmsg_type == NLMSG_ERROR) {
					struct nlmsgerr *e = NLMSG_DATA(nlh);

					if (e->error) {
						fprintf(stderr, "nlfuzz: probe failed: %s\n",
							strerror(-e->error));
						ok = false;
					}
					probe_done = true;
				} else if (nlh->nlmsg_type == nl->family) {
					parse_config(nlh, cfg);
				}
				continue;
			}
			if (nlh->nlmsg_seq != fseq)
				continue;
			answered = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (e->error >= 0) {
					fprintf(stderr, "nlfuzz: %s: acked with 0\n",
						what);
					ok = false;
				} else if (want == EXPECT_EPERM &&
					   e->error != -EPERM) {
					fprintf(stderr, "nlfuzz: %s: %s, not EPERM\n",
						what, strerror(-e->error));
					ok = false;
				} else {
					c->refused++;
					if (-e->error < 256)
						c->by_errno[-e->error]++;
				}
			} else {
				fprintf(stderr, "nlfuzz: %s: answered (type %u)\n",
					what, nlh->nlmsg_type);
				ok = false;
			}
		}
	}
	if (!answered) {
		if (want == EXPECT_ERROR_OR_SILENCE) {
			c->silent++;
		} else {
			fprintf(stderr, "nlfuzz: %s: no error\n", what);
			ok = false;
		}
	}
	if (memcmp(cfg + CFG_FIRST, baseline + CFG_FIRST,
		   sizeof(uint64_t) * (NCFG - CFG_FIRST))) {
		fprintf(stderr, "nlfuzz: configuration changed after %s: %llu %llu %llu %llu %llu\n",
			what, (unsigned long long)cfg[FASTFAULT_A_FAULT_AROUND],
			(unsigned long long)cfg[FASTFAULT_A_ANON_FAULT_AROUND],
			(unsigned long long)cfg[FASTFAULT_A_FILE_FAULT_AROUND],
			(unsigned long long)cfg[FASTFAULT_A_ZERO_POOL],
			(unsigned long long)cfg[FASTFAULT_A_ZERO_NONTEMPORAL]);
		ok = false;
	}
	if (!ok)
		c->bad++;
	return ok;
}

static const uint8_t real_cmds[] = {
	FASTFAULT_CMD_CONFIG_GET, FASTFAULT_CMD_CONFIG_SET,
	FASTFAULT_CMD_STATS_GET, FASTFAULT_CMD_STATS_RESET,
};

/* One malformed request of a random kind. */
static void fuzz_one(struct nl *nl, bool privileged, struct counts *c)
{
	uint8_t cmd = real_cmds[rnd_below(4)];
	uint16_t flags = NLM_F_ACK;
	enum expect want = EXPECT_ERROR;
	struct nlmsghdr *nlh;
	const char *what;
	size_t len;
	char desc[128];
	unsigned int i, n;

	if (rnd_below(8) == 0 && cmd == FASTFAULT_CMD_STATS_GET)
		flags |= NLM_F_DUMP;
	nlh = msg_start(nl->family, flags, cmd, 0, ++nl->seq);

	switch (rnd_below(privileged ? 10 : 12)) {
	case 0:	/* unknown command, anything inside */
		((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd =
			(uint8_t)(rnd_below(2) ? rnd_below(1) :
				  FASTFAULT_CMD_CONFIG_NTF + rnd_below(251));
		for (n = rnd_below(4), i = 0; i < n; i++)
			put_valid(nlh);
		what = "unknown command";
		break;
	case 1:	/* reserved header bits */
		((struct genlmsghdr *)NLMSG_DATA(nlh))->reserved =
			(uint16_t)(1 + rnd_below(0xffff));
		if (rnd_below(2))
			put_valid(nlh);
		what = "reserved header bits";
		break;
	case 2:	/* genl header cut short */
		nlh->nlmsg_len = NLMSG_HDRLEN + rnd_below(GENL_HDRLEN);
		what = "truncated genl header";
		break;
	case 3:	/* the netlink length claims more than is sent */
		for (n = rnd_below(3), i = 0; i < n; i++)
			put_valid(nlh);
		len = nlh->nlmsg_len;
		nlh->nlmsg_len += 4 + rnd_below(1000);
		snprintf(desc, sizeof(desc), "nlmsg_len overruns the datagram");
		exchange(nl, len, EXPECT_ERROR_OR_SILENCE, desc, c);
		return;
	case 4:	/* oversized: thousands of attributes, one bad */
		for (n = 1000 + rnd_below(6000), i = 0; i < n; i++)
			put_valid(nlh);
		what = put_invalid(nlh);
		snprintf(desc, sizeof(desc), "oversized (%u bytes), %s",
			 nlh->nlmsg_len, what);
		what = desc;
		break;
	case 5:	/* a dump where there is no dump */
		if (cmd == FASTFAULT_CMD_STATS_GET)
			cmd = FASTFAULT_CMD_CONFIG_GET;
		((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd = cmd;
		nlh->nlmsg_flags |= NLM_F_DUMP;
		what = "dump of a do-only command";
		break;
	case 8:	/* a pool larger than half of any RAM, as root */
		if (cmd != FASTFAULT_CMD_CONFIG_SET) {
			what = put_invalid(nlh);
			break;
		}
		if (rnd_below(2))
			put_valid(nlh);
		put_u64(nlh, FASTFAULT_A_ZERO_POOL,
			UINT64_MAX - rnd_below(1 << 30));
		what = "zero-pool larger than RAM";
		break;
	case 6:	/* an attribute given twice */
		if (!privileged || cmd != FASTFAULT_CMD_CONFIG_SET) {
			what = put_invalid(nlh);
			break;
		}
		{
			uint16_t t = cfg_attr();

			put_u32(nlh, t, 1 + rnd_below(FASTFAULT_FAULT_AROUND_MAX));
			if (rnd_below(2))
				put_valid(nlh);
			put_u32(nlh, t, 1 + rnd_below(FASTFAULT_FAULT_AROUND_MAX));
		}
		what = "attribute given twice";
		break;
	case 10:
	case 11:	/* unprivileged: a well-formed change */
		cmd = rnd_below(2) ? FASTFAULT_CMD_CONFIG_SET :
			FASTFAULT_CMD_STATS_RESET;
		nlh = msg_start(nl->family, NLM_F_ACK, cmd, 0, nl->seq);
		if (cmd == FASTFAULT_CMD_CONFIG_SET) {
			for (n = 1 + rnd_below(3), i = 0; i < n; i++)
				put_u32(nlh, FASTFAULT_A_FAULT_AROUND + i,
					1 + rnd_below(FASTFAULT_FAULT_AROUND_MAX));
			if (rnd_below(2))
				put_u64(nlh, FASTFAULT_A_ZERO_POOL, 1 << 20);
		}
		want = EXPECT_EPERM;
		what = cmd == FASTFAULT_CMD_CONFIG_SET ?
			"unprivileged set" : "unprivileged reset";
		break;
	default:	/* valid attributes around one bad one */
		for (n = rnd_below(3), i = 0; i < n; i++)
			put_valid(nlh);
		what = put_invalid(nlh);
		for (n = rnd_below(2), i = 0; i < n; i++)
			put_valid(nlh);
		break;
	}
	exchange(nl, nlh->nlmsg_len, want, what, c);
}

static int get_baseline(struct nl *nl)
{
	struct nlmsghdr *nlh = msg_start(nl->family, NLM_F_ACK,
					 FASTFAULT_CMD_CONFIG_GET, 0,
					 ++nl->seq);
	ssize_t n;
	int seen = 0;

	if (nl_send(nl, msgbuf, nlh->nlmsg_len))
		return -1;
	while ((n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0)) > 0)
		for (nlh = (void *)rxbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return seen == NCFG_SEEN ? 0 : -1;
			if (nlh->nlmsg_type == nl->family)
				seen = parse_config(nlh, baseline);
		}
	return -1;
}

/*
 * The error for the request in msgbuf must carry an extended ack whose
 * message contains @msg and whose offset points at the attribute that
 * starts @offs bytes into the request.
 */
static bool expect_extack(struct nl *nl, const char *what, uint32_t offs,
			  const char *msg)
{
	uint32_t seq = ((struct nlmsghdr *)msgbuf)->nlmsg_seq;
	const char *got_msg = NULL;
	int64_t got_offs = -1;
	struct nlmsghdr *nlh;
	ssize_t n;

	if (nl_send(nl, msgbuf, ((struct nlmsghdr *)msgbuf)->nlmsg_len))
		die("send");
	while ((n = recv(nl->fd, rxbuf, sizeof(rxbuf), 0)) > 0) {
		for (nlh = (void *)rxbuf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct nlmsgerr *e = NLMSG_DATA(nlh);
			const struct nlattr *a;
			size_t off;
			int rem;

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type != NLMSG_ERROR || e->error >= 0) {
				fprintf(stderr, "nlfuzz: %s: not refused\n", what);
				return false;
			}
			off = NLMSG_HDRLEN + sizeof(*e);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			a = (const void *)((const char *)nlh + off);
			rem = (int)nlh->nlmsg_len - (int)off;
			if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
				rem = 0;
			for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= rem;
			     rem -= NLA_ALIGN(a->nla_len),
			     a = (const void *)((const char *)a +
						NLA_ALIGN(a->nla_len))) {
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					got_msg = (const char *)a + NLA_HDRLEN;
				if (a->nla_type == NLMSGERR_ATTR_OFFS &&
				    a->nla_len == NLA_HDRLEN + 4)
					got_offs = *(const uint32_t *)
						((const char *)a + NLA_HDRLEN);
			}
			if (!got_msg || !strstr(got_msg, msg) ||
			    got_offs != offs) {
				fprintf(stderr,
					"nlfuzz: %s: %s, extack \"%s\" at offset %lld; want \"%s\" at %u\n",
					what, strerror(-e->error),
					got_msg ? got_msg : "(none)",
					(long long)got_offs, msg, offs);
				return false;
			}
			printf("# extack ok: %s: %s: \"%s\"\n", what,
			       strerror(-e->error), got_msg);
			return true;
		}
	}
	fprintf(stderr, "nlfuzz: %s: no answer\n", what);
	return false;
}

/* Close the nest begun at offset @start of the message. */
static void nest_end(struct nlmsghdr *nlh, uint32_t start)
{
	struct nlattr *a = (void *)((char *)nlh + start);

	a->nla_len = (uint16_t)(nlh->nlmsg_len - start);
}

/* A FASTFAULT_A_SCOPE nest begun: its offset, for nest_end(). */
static uint32_t scope_start(struct nlmsghdr *nlh)
{
	uint32_t start = NLMSG_ALIGN(nlh->nlmsg_len);

	put_attr(nlh, FASTFAULT_A_SCOPE | NLA_F_NESTED, 0, NULL);
	return start;
}

/*
 * Inside a cgroup scope too: the nested attribute is named, whether the
 * policy or the module refuses it.  Needs a cgroup v2 directory.
 */
static int check_scope_extacks(struct nl *nl)
{
	const uint32_t a1 = NLMSG_HDRLEN + GENL_HDRLEN;
	/* in a scope at a1: its first attribute, and the one after a u32 */
	const uint32_t n1 = a1 + NLA_HDRLEN, n2 = n1 + NLA_HDRLEN + 4;
	const char *dir = "/sys/fs/cgroup/nlfuzz";
	struct nlmsghdr *nlh;
	int cg, tmp, bad = 0;
	uint32_t st;

	mkdir(dir, 0755);
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0 || tmp < 0) {
		printf("# no cgroup v2 directory (%s): scope extacks skipped\n",
		       strerror(errno));
		return 0;
	}

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)cg);
	put_u64(nlh, FASTFAULT_A_ZERO_POOL, 1 << 20);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope with zero-pool", n2, "system-wide");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)cg);
	put_u32(nlh, FASTFAULT_A_ANON_FAULT_AROUND, FASTFAULT_FAULT_AROUND_MAX + 1);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope with anon-fault-around 65", n2,
			      "out of range");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_ANON_FAULT_AROUND, 8);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope without cgroup-fd", a1,
			      "needs cgroup-fd");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)tmp);
	put_u32(nlh, FASTFAULT_A_ANON_FAULT_AROUND, 8);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope of /tmp", n1, "not an open cgroup v2");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)cg);
	put_u64(nlh, FASTFAULT_A_UNSET, 1ULL << FASTFAULT_A_ZERO_POOL);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope unsetting zero-pool", n2,
			      "not scoped");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	st = scope_start(nlh);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)cg);
	put_u32(nlh, FASTFAULT_A_ZERO_ONCE, 0);
	put_u32(nlh, FASTFAULT_A_ZERO_ONCE, 0);
	nest_end(nlh, st);
	bad += !expect_extack(nl, "scope with zero-once twice",
			      n2 + NLA_HDRLEN + 4, "more than once");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u32(nlh, FASTFAULT_A_CGROUP_FD, (uint32_t)cg);
	bad += !expect_extack(nl, "cgroup-fd outside a scope", a1,
			      "inside a scope");

	close(cg);
	close(tmp);
	rmdir(dir);
	return bad;
}

/* Errors name the attribute: by the policy, and by the module itself. */
static int check_extacks(struct nl *nl)
{
	const uint32_t a1 = NLMSG_HDRLEN + GENL_HDRLEN, a2 = a1 + NLA_HDRLEN + 4;
	struct nlmsghdr *nlh;
	int bad = 0;

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u32(nlh, FASTFAULT_A_ANON_FAULT_AROUND, 8);
	put_u32(nlh, FASTFAULT_A_FAULT_AROUND, FASTFAULT_FAULT_AROUND_MAX + 1);
	bad += !expect_extack(nl, "set fault-around 65", a2, "out of range");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u32(nlh, FASTFAULT_A_FILE_FAULT_AROUND, 4);
	put_u32(nlh, FASTFAULT_A_FILE_FAULT_AROUND, 4);
	bad += !expect_extack(nl, "set file-fault-around twice", a2,
			      "more than once");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_GET, 0,
			++nl->seq);
	put_attr(nlh, FASTFAULT_A_VERSION, 2, "x");
	bad += !expect_extack(nl, "get with a version attribute", a1,
			      "reply only");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u32(nlh, FASTFAULT_A_FAULT_AROUND, 2);
	put_u32(nlh, FASTFAULT_A_MAX + 1, 2);
	bad += !expect_extack(nl, "set with an unknown attribute", a2,
			      "Unknown attribute");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u64(nlh, FASTFAULT_A_ZERO_POOL, UINT64_MAX);
	bad += !expect_extack(nl, "set zero-pool beyond RAM", a1,
			      "larger than half of RAM");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_CONFIG_SET, 0,
			++nl->seq);
	put_u32(nlh, FASTFAULT_A_ANON_FAULT_AROUND, 8);
	put_u32(nlh, FASTFAULT_A_ZERO_NONTEMPORAL, 2);
	bad += !expect_extack(nl, "set zero-nontemporal 2", a2,
			      "out of range");

	nlh = msg_start(nl->family, NLM_F_ACK, FASTFAULT_CMD_STATS_GET, 0,
			++nl->seq);
	put_attr(nlh, FASTFAULT_A_CPU, 4, NULL);
	bad += !expect_extack(nl, "stats with a cpu attribute", a1,
			      "reply only");
	return bad + check_scope_extacks(nl);
}

static int run(const char *who, unsigned long count, bool privileged)
{
	struct counts c = { 0 };
	struct nl nl = { 0 };
	unsigned long i;
	int e;

	if (nl_open(&nl) || ctrl_family(&nl)) {
		fprintf(stderr, "nlfuzz: %s: cannot reach the fastfault family: %s\n",
			who, strerror(errno));
		return 2;
	}
	for (i = 0; i < count; i++)
		fuzz_one(&nl, privileged, &c);
	close(nl.fd);

	printf("# %s: %lu sent, %lu refused, %lu dropped silently, %lu wrong\n",
	       who, c.sent, c.refused, c.silent, c.bad);
	printf("# %s: errors:", who);
	for (e = 1; e < 256; e++)
		if (c.by_errno[e])
			printf(" %s=%lu", strerrorname_np(e) ? strerrorname_np(e) : "?",
			       c.by_errno[e]);
	printf("\n");
	fflush(stdout);
	return c.bad || !c.refused ? 1 : 0;
}

/* Kernel log lines since @fd was opened that should not be there. */
static int check_kmsg(int fd)
{
	static const char *const allowed[] = {
		"bytes leftover after parsing attributes",
		"has an invalid length",
		"callbacks suppressed",
	};
	static const char *const alarming[] = {
		"BUG", "WARNING", "Oops", "Call Trace", "general protection",
		"UBSAN", "KASAN", "refcount_t", "list_add", "list_del",
		"stack-protector", "fastfault",
	};
	char rec[8192];
	int bad = 0;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		const char *text;
		bool flag;
		size_t i;
		int level;

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten: keep reading */
				continue;
			if (errno == EINTR)
				continue;
			break;		/* EAGAIN: the end */
		}
		rec[n] = '\0';
		level = atoi(rec) & 7;
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		flag = level <= 4;
		for (i = 0; i < sizeof(alarming) / sizeof(alarming[0]); i++)
			if (strstr(text, alarming[i]))
				flag = true;
		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strstr(text, allowed[i]) && !strstr(text, "fastfault"))
				flag = false;
		if (flag) {
			fprintf(stderr, "nlfuzz: kernel log: <%d>%s", level, text);
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long count = 3000;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	uid_t uid = 65534;
	uint64_t after[NCFG];
	struct nl nl = { 0 };
	int opt, kmsg, status, ret = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:s:u:h")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			uid = (uid_t)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] [-u UID]\n");
			return 2;
		}
	}
	if (!seed)
		seed = 1;
	printf("# nlfuzz: seed %llu, %lu requests per half\n",
	       (unsigned long long)seed, count);
	fflush(stdout);

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		die("/dev/kmsg");
	lseek(kmsg, 0, SEEK_END);

	if (nl_open(&nl) || ctrl_family(&nl) || get_baseline(&nl)) {
		fprintf(stderr, "nlfuzz: cannot read the fastfault configuration (module loaded?): %s\n",
			strerror(errno));
		return 2;
	}
	printf("# configuration: fault-around %llu anon-fault-around %llu file-fault-around %llu zero-pool %llu\n",
	       (unsigned long long)baseline[FASTFAULT_A_FAULT_AROUND],
	       (unsigned long long)baseline[FASTFAULT_A_ANON_FAULT_AROUND],
	       (unsigned long long)baseline[FASTFAULT_A_FILE_FAULT_AROUND],
	       (unsigned long long)baseline[FASTFAULT_A_ZERO_POOL]);

	if (check_extacks(&nl))
		ret = 1;

	rng_state = seed;
	if (run("root", count, true))
		ret = 1;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		rng_state = seed ^ 0x9e3779b97f4a7c15ULL;
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			die("dropping privileges");
		_exit(run("unprivileged", count, false));
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "nlfuzz: unprivileged half failed\n");
		ret = 1;
	}

	memcpy(after, baseline, sizeof(after));
	if (get_baseline(&nl) || memcmp(after, baseline, sizeof(after))) {
		fprintf(stderr, "nlfuzz: configuration changed or unreadable at the end\n");
		ret = 1;
	}
	if (check_kmsg(kmsg)) {
		fprintf(stderr, "nlfuzz: the kernel log is not clean\n");
		ret = 1;
	}
	printf("# nlfuzz: %s\n", ret ? "FAILED" : "passed");
	return ret;
}
