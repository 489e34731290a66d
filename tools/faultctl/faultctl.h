/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faultctl: configure fastfault and read its statistics.
 *
 * keys.c    the vocabulary: configuration keys and counter names
 * conf.c    the configuration file (showconf / apply)
 * cgroup.c  cgroup v2 directories, for scopes
 * output.c  human and JSON output
 * nl.c      generic netlink transport (libmnl)
 * main.c    commands and options
 */
#ifndef FAULTCTL_H
#define FAULTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/fastfault.h>

/* Exit status; documented in faultctl.8 and in --help. */
enum {
	FF_EXIT_OK = 0,
	FF_EXIT_USAGE = 1,	/* bad usage or input; nothing was sent */
	FF_EXIT_KERNEL = 2,	/* the kernel refused the request */
	FF_EXIT_NOMODULE = 3,	/* the fastfault module is not loaded */
	FF_EXIT_PERM = 4,	/* permission denied */
};

#define FF_MSG_NOMODULE \
	"fastfault module is not loaded (modprobe fastfault; dkms status fastfault)"

/*
 * A configuration key.  The name is the attribute's name in lower case
 * with '-' for '_', minus the FASTFAULT_A_ prefix: the same word on the
 * command line, in JSON, in the configuration file and in the header.
 */
struct ff_key {
	const char *name;
	uint16_t attr;		/* FASTFAULT_A_* */
	uint8_t width;		/* on the wire: 4 (u32) or 8 (u64) */
	bool size;		/* a size in bytes: accepts K, M, G, T */
	uint64_t min, max;
	const char *unit;	/* singular; "" for none */
	/* what each value from 0 up means, in human output; or NULL */
	const char *const *value_names;
	/* may be set for a cgroup (FASTFAULT_A_SCOPE) */
	bool scoped;
	const char *help;
};

extern const struct ff_key ff_keys[];
extern const size_t ff_nkeys;

/* A counter inside FASTFAULT_A_STATS. */
struct ff_stat_name {
	const char *name;
	uint16_t attr;		/* FASTFAULT_STAT_* */
	const char *help;
};

extern const struct ff_stat_name ff_stat_names[];
extern const size_t ff_nstats;

/* Scopes in one request or reply: each cgroup once, set and unset */
#define FF_MAX_SCOPES (2 * FASTFAULT_SCOPES_MAX)
#define FF_PATH_MAX 4096

/* A cgroup scope (FASTFAULT_A_SCOPE): keys for one cgroup subtree. */
struct ff_scope_set {
	/*
	 * As given (a request), or the cgroup's absolute path under the
	 * cgroup v2 mount (a reply; its path from the root if none is)
	 */
	char path[FF_PATH_MAX];
	uint64_t id;		/* FASTFAULT_A_CGROUP_ID, in replies */
	uint64_t val[FASTFAULT_A_MAX + 1];
	bool has[FASTFAULT_A_MAX + 1];
	uint64_t unset;		/* FASTFAULT_A_UNSET: bit N, attribute N */
};

/* A set of configuration values, indexed by attribute, and scopes. */
struct ff_settings {
	uint64_t val[FASTFAULT_A_MAX + 1];
	bool has[FASTFAULT_A_MAX + 1];
	char version[64];	/* FASTFAULT_A_VERSION, "" if absent */
	/* FASTFAULT_A_UNSUPPORTED: why this kernel cannot host a key, or "" */
	char unsupported[FASTFAULT_A_MAX + 1][256];
	size_t nscopes;
	struct ff_scope_set scope[FF_MAX_SCOPES];
};

#define FF_MAX_NODES 64

/* FASTFAULT_A_POOL_NODE, _HUGE_POOL_NODE: a zero pool on one node */
struct ff_pool_node {
	uint32_t id;
	uint64_t pages, target;
};

struct ff_stats {
	uint64_t v[FASTFAULT_STAT_MAX + 1];
	bool has[FASTFAULT_STAT_MAX + 1];
	int cpu;		/* -1 for totals */
	size_t nnodes;
	struct ff_pool_node node[FF_MAX_NODES];
	size_t nhnodes;		/* FASTFAULT_A_HUGE_POOL_NODE */
	struct ff_pool_node hnode[FF_MAX_NODES];
};

/* keys.c */
const struct ff_key *ff_key_by_name(const char *name);
const struct ff_key *ff_key_by_attr(unsigned int attr);
/* Comma-separated list of the key names, for messages. */
const char *ff_key_list(void);
/* @k's name for value @v (k->value_names), "unknown" past the list. */
const char *ff_value_name(const struct ff_key *k, uint64_t v);
/*
 * Parse a value for @k.  Returns 0, or -1 with a complete message
 * (naming the key and the value) in @err.
 */
int ff_parse_value(const struct ff_key *k, const char *s, uint64_t *out,
		   char *err, size_t errlen);
/*
 * Add "KEY VALUE" to @set: unknown key, missing or bad value and a key
 * given twice are refused with a message in @err.
 */
int ff_settings_add(struct ff_settings *set, const char *key,
		    const char *value, char *err, size_t errlen);
/*
 * The scope for cgroup @path in @set, added if it is not there; NULL
 * with a message in @err when there is no room for it.
 */
struct ff_scope_set *ff_settings_scope(struct ff_settings *set,
				       const char *path, char *err,
				       size_t errlen);
/* "KEY VALUE" for a scope: as ff_settings_add(), only scoped keys. */
int ff_scope_add(struct ff_scope_set *sc, const char *key, const char *value,
		 char *err, size_t errlen);
/* KEY removed from a scope ("unset KEY cgroup PATH"); scoped keys only. */
int ff_scope_unset(struct ff_scope_set *sc, const char *key, char *err,
		   size_t errlen);
/* Every scoped key, as FASTFAULT_A_UNSET bits: the whole scope. */
uint64_t ff_scope_all_keys(void);
/* Nothing to send: no key and no scope. */
bool ff_settings_empty(const struct ff_settings *set);

/* cgroup.c */
/*
 * Open cgroup v2 directory @path for a request (FASTFAULT_A_CGROUP_FD).
 * Returns the descriptor, or -1 with a message naming @path in @err.
 */
int ff_cgroup_open(const char *path, char *err, size_t errlen);
/*
 * The mount point of the cgroup v2 hierarchy's root in @mountinfo (as
 * /proc/self/mountinfo: "ID PARENT DEV ROOT MOUNTPOINT OPTIONS... -
 * FSTYPE ..."), octal escapes decoded, in @mnt.  0, or -1 if none.
 */
int ff_cgroup2_mount_in(FILE *mountinfo, char *mnt, size_t len);
/*
 * @kpath, a cgroup's path from the cgroup v2 root (a reply's
 * FASTFAULT_A_CGROUP_PATH), as a path under the cgroup v2 mount in @out;
 * @kpath itself where cgroup v2 is not mounted.
 */
void ff_cgroup_abs(const char *kpath, char *out, size_t len);

/* conf.c */
/*
 * Read a configuration file: "key value" or "key = value" lines, '#'
 * comments, blank lines.  Returns 0, or -1 with "NAME:LINE: message" in
 * @err; nothing is partially valid.
 */
int ff_conf_read(FILE *f, const char *name, struct ff_settings *set,
		 char *err, size_t errlen);
/*
 * The system's configuration under @root ("" for /): etc/fastfault.conf
 * (if there is one), then etc/fastfault.d/ *.conf in name order, a later
 * file's value for a key replacing an earlier one's.  Returns 0 (an empty
 * @set if there is none), or -1 with the file and line in @err.
 */
int ff_conf_read_system(const char *root, struct ff_settings *set,
			char *err, size_t errlen);
void ff_conf_write(FILE *f, const struct ff_settings *set);

/* output.c: a small JSON writer, like iproute2's json_print */
struct ff_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first;
};

void ff_json_init(struct ff_json *j, FILE *f, bool pretty);
void ff_json_obj_begin(struct ff_json *j, const char *key);
void ff_json_obj_end(struct ff_json *j);
void ff_json_arr_begin(struct ff_json *j, const char *key);
void ff_json_arr_end(struct ff_json *j);
void ff_json_u64(struct ff_json *j, const char *key, uint64_t v);
void ff_json_str(struct ff_json *j, const char *key, const char *s);
void ff_json_null(struct ff_json *j, const char *key);
void ff_json_dec1(struct ff_json *j, const char *key, double v);
/* ends the document with a newline */
void ff_json_done(struct ff_json *j);

struct ff_out {
	FILE *f;
	bool json;
	bool pretty;
};

const char *ff_human_size(uint64_t v);
void ff_print_config(const struct ff_out *o, const struct ff_settings *set);
void ff_print_event(const struct ff_out *o, const struct ff_settings *set,
		    const char *stamp);
void ff_print_stats(const struct ff_out *o, const struct ff_stats *st);
void ff_print_stats_percpu(const struct ff_out *o, const struct ff_stats *st,
			   size_t n);
struct ff_version {
	const char *tool;
	const char *module;	/* NULL when not loaded */
	unsigned int abi;
	int module_abi;		/* -1 when not loaded */
};

void ff_print_version(const struct ff_out *o, const struct ff_version *v);

struct ff_err {
	int errnum;		/* positive errno */
	char msg[256];		/* the kernel's extack message, or "" */
	char attr[64];		/* the offending attribute's key, or "" */
};

/* nl.c */
struct ff_nl;

/*
 * Each returns an FF_EXIT_* status; on failure @err says why (use
 * ff_report() to print it the standard way).
 */
int ff_nl_open(struct ff_nl **nlp, struct ff_err *err);
void ff_nl_close(struct ff_nl *nl);
unsigned int ff_nl_family_version(const struct ff_nl *nl);
int ff_nl_config_get(struct ff_nl *nl, struct ff_settings *out,
		     struct ff_err *err);
/* @fds: an open cgroup directory for each of @in's scopes */
int ff_nl_config_set(struct ff_nl *nl, const struct ff_settings *in,
		     const int *fds, struct ff_settings *out,
		     struct ff_err *err);
int ff_nl_stats_get(struct ff_nl *nl, struct ff_stats *out,
		    struct ff_err *err);
/* *@out is malloc()ed, one entry per CPU */
int ff_nl_stats_dump(struct ff_nl *nl, struct ff_stats **out, size_t *n,
		     struct ff_err *err);
int ff_nl_stats_reset(struct ff_nl *nl, struct ff_err *err);
/* Calls @fn for every notification; stops when @fn returns non-zero. */
int ff_nl_monitor(struct ff_nl *nl,
		  int (*fn)(const struct ff_settings *set, void *data),
		  void *data, struct ff_err *err);
/* Print @err for a failed request that ended with status @status. */
void ff_report(int status, const struct ff_err *err);
void ff_report_to(FILE *f, int status, const struct ff_err *err);

/* stats --interval: one line from two samples @dt_ns apart */
struct ff_live {
	double faults_s, prefaulted_s;
	double window;		/* mean, -1 if no batch */
	double hit_pct;		/* both pools, -1 if no eligible allocation */
	uint64_t pool_pages;	/* held now, both pools, 4 KiB pages */
	double clear_cpu_pct;	/* the pools' clearing, % of one CPU */
};

void ff_live_compute(const struct ff_stats *a, const struct ff_stats *b,
		     uint64_t dt_ns, struct ff_live *l);
/* @header: print the column names first; @stamp: NULL or a time */
void ff_print_live(const struct ff_out *o, const struct ff_live *l,
		   bool header, const char *stamp);

#endif /* FAULTCTL_H */
