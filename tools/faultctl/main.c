// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: configure fastfault and read its statistics.
 *
 *	faultctl [-j [-p]] [show]
 *	faultctl set KEY VALUE [KEY VALUE]... [cgroup PATH]
 *	faultctl unset [KEY]... cgroup PATH
 *	faultctl stats [--per-cpu | --reset]
 *	faultctl monitor [--count N]
 *	faultctl showconf
 *	faultctl apply FILE
 *	faultctl version
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faultctl.h"

#ifndef FAULTCTL_VERSION
#define FAULTCTL_VERSION "unknown"
#endif

struct opts {
	bool json, pretty, help;
	bool reset, per_cpu, timestamp, check;
	long count, interval;
};

enum {
	OPT_RESET = 1 << 0,
	OPT_PER_CPU = 1 << 1,
	OPT_COUNT = 1 << 2,
	OPT_INTERVAL = 1 << 3,
	OPT_TIMESTAMP = 1 << 4,
	OPT_CHECK = 1 << 5,
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct opts *o);
	unsigned int opts;	/* OPT_* the command takes */
	const char *args;
	const char *summary;
	const char *help;
};

static const struct cmd cmds[];
static const struct cmd *find_cmd(const char *name);

static const char exit_status_help[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  usage error or invalid input (nothing was sent), or the output\n"
	"     could not be written\n"
	"  2  the kernel refused the request\n"
	"  3  the fastfault module is not loaded\n"
	"  4  permission denied (changing settings needs CAP_SYS_ADMIN)\n";

static void print_keys(FILE *f)
{
	size_t i;

	fprintf(f, "Keys:\n");
	for (i = 0; i < ff_nkeys; i++) {
		const struct ff_key *k = &ff_keys[i];
		char range[48];

		if (k->size)
			snprintf(range, sizeof(range), "SIZE");
		else
			snprintf(range, sizeof(range), "%" PRIu64 "..%" PRIu64,
				 k->min, k->max);
		fprintf(f, "  %-18s %-6s %s\n", k->name, range, k->help);
	}
	fprintf(f, "\nFor a cgroup (set ... cgroup PATH):");
	for (i = 0; i < ff_nkeys; i++)
		if (ff_keys[i].scoped)
			fprintf(f, " %s", ff_keys[i].name);
	fprintf(f, "\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'faultctl --help'.\n");
	return FF_EXIT_USAGE;
}

static int cmd_usage_error(const struct cmd *c, const char *fmt,
			   const char *arg)
{
	fprintf(stderr, "faultctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nUsage: faultctl %s%s%s\nTry 'faultctl %s --help'.\n",
		c->name, *c->args ? " " : "", c->args, c->name);
	return FF_EXIT_USAGE;
}

static void help_main(FILE *f)
{
	const struct cmd *c;

	fprintf(f,
		"Usage: faultctl [OPTIONS] [COMMAND [ARGS]...]\n"
		"\n"
		"Configure the fastfault module and read its statistics.\n"
		"Without a command, 'show'.\n"
		"\n"
		"Commands:\n");
	for (c = cmds; c->name; c++) {
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s", c->name,
			 *c->args ? " " : "", c->args);
		if (strlen(left) > 28)	/* the summary on a line of its own */
			fprintf(f, "  %s\n  %-28s %s\n", left, "", c->summary);
		else
			fprintf(f, "  %-28s %s\n", left, c->summary);
	}
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json      JSON output\n"
		"  -p, --pretty    indented JSON output (with -j)\n"
		"  -h, --help      this help; 'faultctl COMMAND --help' for a command\n"
		"  -V, --version   same as 'faultctl version'\n"
		"\n");
	print_keys(f);
	fprintf(f, "\n%s\nSee faultctl(8).\n", exit_status_help);
}

static int help_cmd(const struct cmd *c)
{
	printf("Usage: faultctl %s%s%s\n\n%s\n", c->name, *c->args ? " " : "",
	       c->args, c->help);
	if (!strcmp(c->name, "set") || !strcmp(c->name, "apply")) {
		printf("\n");
		print_keys(stdout);
	}
	printf("\n%s", exit_status_help);
	return FF_EXIT_OK;
}

/* A whole positive number, for --count. */
static int parse_count(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1)
		return -1;
	*out = v;
	return 0;
}

/* The option getopt_long() did not know, as the user wrote it. */
static const char *bad_option(char **argv, char *buf, size_t len)
{
	if (optopt) {
		snprintf(buf, len, "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

/*
 * Options after the command, parsed with getopt_long() as the tools
 * admins know do it (-jp bundled, --count=N, "--" ends them): the ones
 * every command takes and those @c->opts names.  Returns the index of
 * the first operand, or -1 after printing a usage error.
 */
static int parse_cmd_opts(const struct cmd *c, int argc, char **argv,
			  struct opts *o)
{
	struct option lo[10] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
	};
	char so[20] = "+:jph", buf[8];
	int n = 3, ch;

	if (c->opts & OPT_RESET)
		lo[n++] = (struct option){ "reset", no_argument, NULL, 'r' };
	if (c->opts & OPT_PER_CPU) {
		lo[n++] = (struct option){ "per-cpu", no_argument, NULL, 'c' };
		strcat(so, "c");
	}
	if (c->opts & OPT_COUNT) {
		lo[n++] = (struct option){ "count", required_argument, NULL, 'n' };
		strcat(so, "n:");
	}
	if (c->opts & OPT_INTERVAL) {
		lo[n++] = (struct option){ "interval", required_argument, NULL, 'i' };
		strcat(so, "i:");
	}
	if (c->opts & OPT_TIMESTAMP) {
		lo[n++] = (struct option){ "timestamp", no_argument, NULL, 't' };
		strcat(so, "t");
	}
	if (c->opts & OPT_CHECK)
		lo[n++] = (struct option){ "check", no_argument, NULL, 'k' };
	opterr = 0;
	optind = 0;	/* a fresh scan (glibc) */
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->pretty = true;
			break;
		case 'h':
			o->help = true;
			break;
		case 'r':
			o->reset = true;
			break;
		case 'c':
			o->per_cpu = true;
			break;
		case 'n':
			if (parse_count(optarg, &o->count)) {
				cmd_usage_error(c,
						"invalid count '%s': expected a whole number from 1",
						optarg);
				return -1;
			}
			break;
		case 'i':
			if (parse_count(optarg, &o->interval)) {
				cmd_usage_error(c,
						"invalid interval '%s': expected whole seconds from 1",
						optarg);
				return -1;
			}
			break;
		case 't':
			o->timestamp = true;
			break;
		case 'k':
			o->check = true;
			break;
		case ':':
			cmd_usage_error(c, "%s needs a number", argv[optind - 1]);
			return -1;
		default:
			cmd_usage_error(c, "unknown option '%s'",
					bad_option(argv, buf, sizeof(buf)));
			return -1;
		}
	}
	return optind;
}

static int open_nl(struct ff_nl **nl)
{
	struct ff_err err;
	int status = ff_nl_open(nl, &err);

	if (status)
		ff_report(status, &err);
	return status;
}

static int no_operands(const struct cmd *c, int argc, char **argv)
{
	if (argc > 0)
		return cmd_usage_error(c, "unexpected argument '%s'", argv[0]);
	return 0;
}

static struct ff_out out_of(const struct opts *o)
{
	struct ff_out out = { stdout, o->json, o->pretty };

	return out;
}

static int get_config(struct ff_settings *set)
{
	struct ff_nl *nl;
	struct ff_err err;
	int status;

	status = open_nl(&nl);
	if (status)
		return status;
	status = ff_nl_config_get(nl, set, &err);
	if (status)
		ff_report(status, &err);
	ff_nl_close(nl);
	return status;
}

static int cmd_show(int argc, char **argv, struct opts *o)
{
	static struct ff_settings set;
	struct ff_out out = out_of(o);
	int status;

	status = no_operands(find_cmd("show"), argc, argv);
	if (status)
		return status;
	status = get_config(&set);
	if (!status)
		ff_print_config(&out, &set);
	return status;
}

static int cmd_showconf(int argc, char **argv, struct opts *o)
{
	static struct ff_settings set;
	int status;

	status = no_operands(find_cmd("showconf"), argc, argv);
	if (status)
		return status;
	status = get_config(&set);
	if (status)
		return status;
	if (o->json) {
		struct ff_out out = out_of(o);

		ff_print_config(&out, &set);
	} else {
		ff_conf_write(stdout, &set);
	}
	return 0;
}

/* Send @set as one request; mention values the kernel adjusted. */
static int send_set(const struct ff_settings *set)
{
	static struct ff_settings now;
	int fds[FF_MAX_SCOPES];
	struct ff_nl *nl;
	struct ff_err err;
	char msg[FF_PATH_MAX + 128];
	size_t i, nfds;
	int status;

	/* every cgroup is opened before anything is sent */
	for (nfds = 0; nfds < set->nscopes; nfds++) {
		fds[nfds] = ff_cgroup_open(set->scope[nfds].path, msg,
					   sizeof(msg));
		if (fds[nfds] < 0) {
			fprintf(stderr, "faultctl: %s\n", msg);
			status = FF_EXIT_USAGE;
			goto out;
		}
	}
	status = open_nl(&nl);
	if (status)
		goto out;
	status = ff_nl_config_set(nl, set, fds, &now, &err);
	ff_nl_close(nl);
	if (status) {
		ff_report(status, &err);
		goto out;
	}
	for (i = 0; i < ff_nkeys; i++) {
		unsigned int a = ff_keys[i].attr;

		if (set->has[a] && now.has[a] && now.val[a] != set->val[a])
			fprintf(stderr,
				"faultctl: %s is %" PRIu64 ", not %" PRIu64 ": the kernel adjusted it\n",
				ff_keys[i].name, now.val[a], set->val[a]);
	}
out:
	while (nfds--)
		close(fds[nfds]);
	return status;
}

/*
 * "cgroup PATH" among @argc words of KEY VALUE pairs (or, @pairs false,
 * of keys): its path in *@path (NULL if absent), and the words without
 * it.  Returns the new word count, or -1 after a usage error.
 */
static int take_cgroup(const struct cmd *c, int argc, char **argv,
		       bool pairs, const char **path)
{
	int i, step = pairs ? 2 : 1;

	*path = NULL;
	for (i = 0; i < argc; i += step) {
		if (strcmp(argv[i], "cgroup"))
			continue;
		if (*path)
			return cmd_usage_error(c, "%s",
					       "cgroup given more than once"), -1;
		if (i + 1 >= argc || !*argv[i + 1])
			return cmd_usage_error(c, "%s", "cgroup needs a PATH"), -1;
		*path = argv[i + 1];
		memmove(&argv[i], &argv[i + 2],
			sizeof(*argv) * (size_t)(argc - i - 2));
		argc -= 2;
		i -= step;
	}
	return argc;
}

static int cmd_set(int argc, char **argv, struct opts *o)
{
	const struct cmd *c = find_cmd("set");
	static struct ff_settings set;
	struct ff_scope_set *sc = NULL;
	const char *path;
	char err[384];
	int i, n = 0;

	memset(&set, 0, sizeof(set));
	/* "--" ends the options, as anywhere: the pairs follow */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			memmove(&argv[i], &argv[i + 1],
				sizeof(*argv) * (size_t)(argc - i - 1));
			argc--;
			break;
		}
	}
	/* the words without the options, in place */
	for (i = 0; i < argc; i++) {
		/*
		 * Options may stand where a key would: no key starts with
		 * '-', and no value either (values are unsigned).
		 */
		if (n % 2 == 0 &&
		    (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		     (argv[i][0] == '-' && argv[i][1] != '-' &&
		      strchr(argv[i], 'h') &&
		      strspn(argv[i] + 1, "jph") == strlen(argv[i] + 1))))
			return help_cmd(c);
		if (n % 2 == 0 &&
		    (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--pretty") ||
		     (argv[i][0] == '-' && argv[i][1] && argv[i][1] != '-' &&
		      strspn(argv[i] + 1, "jp") == strlen(argv[i] + 1))))
			continue;	/* set prints nothing: accepted, no effect */
		argv[n++] = argv[i];
	}
	argc = take_cgroup(c, n, argv, true, &path);
	if (argc < 0)
		return FF_EXIT_USAGE;
	if (path) {
		sc = ff_settings_scope(&set, path, err, sizeof(err));
		if (!sc) {
			fprintf(stderr, "faultctl: %s\n", err);
			return FF_EXIT_USAGE;
		}
	}
	for (i = 0; i < argc; i += 2) {
		const char *value = i + 1 < argc ? argv[i + 1] : "";

		if (sc ? ff_scope_add(sc, argv[i], value, err, sizeof(err)) :
		    ff_settings_add(&set, argv[i], value, err, sizeof(err))) {
			fprintf(stderr, "faultctl: %s\n", err);
			return FF_EXIT_USAGE;
		}
	}
	if (!argc)
		return cmd_usage_error(c, "%s", "set needs at least one KEY VALUE");
	(void)o;
	return send_set(&set);
}

/* unset [KEY]... cgroup PATH: a cgroup's keys, or all of its scope. */
static int cmd_unset(int argc, char **argv, struct opts *o)
{
	const struct cmd *c = find_cmd("unset");
	static struct ff_settings set;
	struct ff_scope_set *sc;
	const char *path;
	char err[384];
	int i;

	(void)o;
	memset(&set, 0, sizeof(set));
	argc = take_cgroup(c, argc, argv, false, &path);
	if (argc < 0)
		return FF_EXIT_USAGE;
	if (!path)
		return cmd_usage_error(c, "%s",
				       "unset needs cgroup PATH (system-wide settings are changed with set)");
	sc = ff_settings_scope(&set, path, err, sizeof(err));
	if (!sc) {
		fprintf(stderr, "faultctl: %s\n", err);
		return FF_EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		if (ff_scope_unset(sc, argv[i], err, sizeof(err))) {
			fprintf(stderr, "faultctl: %s\n", err);
			return FF_EXIT_USAGE;
		}
	}
	if (!argc)
		sc->unset = ff_scope_all_keys();
	return send_set(&set);
}

static int cmd_apply(int argc, char **argv, struct opts *o)
{
	const struct cmd *c = find_cmd("apply");
	static struct ff_settings set;
	const char *name;
	char err[512];
	FILE *f;
	int ret;

	if (argc > 1)
		return cmd_usage_error(c, "%s", "apply takes one FILE at most");

	memset(&set, 0, sizeof(set));
	if (!argc) {
		/* the system's: /etc/fastfault.conf, then /etc/fastfault.d/ */
		if (ff_conf_read_system("", &set, err, sizeof(err))) {
			fprintf(stderr, "faultctl: %s\n", err);
			return FF_EXIT_USAGE;
		}
		if (o->check)
			return FF_EXIT_OK;
		if (ff_settings_empty(&set))
			return FF_EXIT_OK;	/* nothing configured */
		return send_set(&set);
	}

	name = argv[0];
	if (!strcmp(name, "-")) {
		f = stdin;
		name = "<stdin>";
	} else {
		f = fopen(name, "r");
		if (!f) {
			fprintf(stderr, "faultctl: %s: %s\n", name,
				strerror(errno));
			return FF_EXIT_USAGE;
		}
	}
	ret = ff_conf_read(f, name, &set, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret) {
		fprintf(stderr, "faultctl: %s\n", err);
		return FF_EXIT_USAGE;
	}
	if (o->check)
		return FF_EXIT_OK;	/* valid: nothing sent, no module needed */
	return send_set(&set);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The local time, to the millisecond: 2026-12-03T14:05:01.123 */
static const char *stamp_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
	return buf;
}

/*
 * stats --interval SECS [--count N]: one line per interval, as vmstat
 * does, the rates over that interval; until interrupted or N lines.
 */
static int stats_live(struct ff_nl *nl, const struct opts *o,
		      struct ff_err *err)
{
	struct ff_out out = out_of(o);
	struct ff_stats *a, *b, *t;
	uint64_t t0, t1;
	long lines = 0;
	int status;

	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		fprintf(stderr, "faultctl: out of memory\n");
		return FF_EXIT_USAGE;
	}
	status = ff_nl_stats_get(nl, a, err);
	t0 = now_ns();
	while (!status) {
		struct timespec ts = { o->interval, 0 };
		struct ff_live l;
		char stamp[40];

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		status = ff_nl_stats_get(nl, b, err);
		if (status)
			break;
		t1 = now_ns();
		ff_live_compute(a, b, t1 - t0, &l);
		ff_print_live(&out, &l, lines % 20 == 0,
			      o->timestamp ? stamp_now(stamp, sizeof(stamp)) : NULL);
		if (ferror(stdout))
			break;	/* main() says so */
		t = a;
		a = b;
		b = t;
		t0 = t1;
		if (o->count && ++lines >= o->count)
			break;
		if (!o->count)
			lines++;
	}
	free(a);
	free(b);
	return status;
}

static int cmd_stats(int argc, char **argv, struct opts *o)
{
	const struct cmd *c = find_cmd("stats");
	struct ff_out out = out_of(o);
	struct ff_nl *nl;
	struct ff_err err;
	int status;

	status = no_operands(c, argc, argv);
	if (status)
		return status;
	if (o->reset && o->per_cpu)
		return cmd_usage_error(c, "%s",
				       "--reset and --per-cpu do not go together");
	if (o->interval && (o->reset || o->per_cpu))
		return cmd_usage_error(c, "%s",
				       "--interval goes with neither --reset nor --per-cpu");
	if ((o->count || o->timestamp) && !o->interval)
		return cmd_usage_error(c, "%s",
				       "--count and --timestamp need --interval");

	status = open_nl(&nl);
	if (status)
		return status;

	if (o->interval) {
		status = stats_live(nl, o, &err);
	} else if (o->reset) {
		status = ff_nl_stats_reset(nl, &err);
	} else if (o->per_cpu) {
		struct ff_stats *st;
		size_t n;

		status = ff_nl_stats_dump(nl, &st, &n, &err);
		if (!status) {
			ff_print_stats_percpu(&out, st, n);
			free(st);
		}
	} else {
		struct ff_stats st;

		status = ff_nl_stats_get(nl, &st, &err);
		if (!status)
			ff_print_stats(&out, &st);
	}
	if (status)
		ff_report(status, &err);
	ff_nl_close(nl);
	return status;
}

struct monitor_state {
	struct ff_out out;
	long left;		/* events to go, 0 = forever */
	bool timestamp;
};

static int monitor_event(const struct ff_settings *set, void *data)
{
	struct monitor_state *m = data;
	char stamp[40];

	ff_print_event(&m->out, set,
		       m->timestamp ? stamp_now(stamp, sizeof(stamp)) : NULL);
	return m->left && --m->left == 0;
}

static int cmd_monitor(int argc, char **argv, struct opts *o)
{
	struct monitor_state m = { out_of(o), o->count, o->timestamp };
	struct ff_nl *nl;
	struct ff_err err;
	int status;

	status = no_operands(find_cmd("monitor"), argc, argv);
	if (status)
		return status;
	status = open_nl(&nl);
	if (status)
		return status;
	status = ff_nl_monitor(nl, monitor_event, &m, &err);
	if (status)
		ff_report(status, &err);
	ff_nl_close(nl);
	return status;
}

static int cmd_version(int argc, char **argv, struct opts *o)
{
	struct ff_version v = {
		.tool = FAULTCTL_VERSION,
		.abi = FASTFAULT_FAMILY_VERSION,
		.module_abi = -1,
	};
	struct ff_out out = out_of(o);
	struct ff_settings set;
	struct ff_nl *nl;
	struct ff_err err;
	int status;

	status = no_operands(find_cmd("version"), argc, argv);
	if (status)
		return status;

	/* Works without the module: then it is simply "not loaded". */
	if (ff_nl_open(&nl, &err) == 0) {
		v.module_abi = (int)ff_nl_family_version(nl);
		if (ff_nl_config_get(nl, &set, &err) == 0 && set.version[0])
			v.module = set.version;
		else
			v.module = "unknown";
		ff_nl_close(nl);
	}
	ff_print_version(&out, &v);
	return 0;
}

static int cmd_help(int argc, char **argv, struct opts *o)
{
	const struct cmd *c;

	(void)o;
	if (argc == 0) {
		help_main(stdout);
		return 0;
	}
	c = find_cmd(argv[0]);
	if (!c)
		return usage_error("unknown command '%s'", argv[0]);
	return help_cmd(c);
}

static const struct cmd cmds[] = {
	{ "show", cmd_show, 0, "",
	  "print the configuration (the default command)",
	  "Print the configuration: one key per line, or a JSON object with -j." },
	{ "set", cmd_set, 0, "KEY VALUE [KEY VALUE]... [cgroup PATH]",
	  "change settings, all or nothing",
	  "Change one or more settings in one request: either all of them\n"
	  "change or none does.  Values are checked before anything is sent.\n"
	  "fault-around N sets anon-fault-around N and file-fault-around to\n"
	  "N or the kernel's default, whichever is larger, unless the same\n"
	  "command gives them.  Needs CAP_SYS_ADMIN.\n"
	  "With cgroup PATH (a cgroup v2 directory, such as\n"
	  "/sys/fs/cgroup/build.slice), the keys apply only to the tasks in\n"
	  "that subtree, in place of the system-wide values: fault-around\n"
	  "(there the anonymous window only), anon-fault-around, zero-once\n"
	  "and pool-access.  At most 8 cgroups; a removed cgroup drops its\n"
	  "settings." },
	{ "unset", cmd_unset, 0, "[KEY]... cgroup PATH",
	  "remove a cgroup's settings",
	  "Remove KEY from the settings of cgroup PATH, so that its tasks take\n"
	  "the system-wide value again; without KEY, all of them.  Needs\n"
	  "CAP_SYS_ADMIN." },
	{ "stats", cmd_stats,
	  OPT_RESET | OPT_PER_CPU | OPT_INTERVAL | OPT_COUNT | OPT_TIMESTAMP,
	  "[--per-cpu | --reset | --interval SECS [--count N] [-t]]",
	  "print the counters, per CPU, live, or reset them",
	  "Print the counters summed over all CPUs.\n"
	  "  -c, --per-cpu        one set of counters per CPU\n"
	  "  --reset              zero the counters (needs CAP_SYS_ADMIN); prints nothing\n"
	  "  -i, --interval SECS  a line every SECS seconds, as vmstat does: fastfault's\n"
	  "                       user faults/s, pages prefaulted/s, mean window, pool\n"
	  "                       hit %, pool pages held, the pools' clearing in % of\n"
	  "                       one CPU (one JSON object a line with -j)\n"
	  "  -n, --count N        stop after N lines\n"
	  "  -t, --timestamp      begin each line with the local time" },
	{ "monitor", cmd_monitor, OPT_COUNT | OPT_TIMESTAMP, "[--count N] [-t]",
	  "print configuration changes as they happen",
	  "Print the configuration each time it changes, one line per change\n"
	  "(one JSON object per line with -j), until interrupted.\n"
	  "  -n, --count N     exit after N changes\n"
	  "  -t, --timestamp   begin each line with the local time (JSON: \"time\")" },
	{ "showconf", cmd_showconf, 0, "",
	  "print the configuration as a configuration file",
	  "Print the configuration in the form 'faultctl apply' reads:\n"
	  "  faultctl showconf > /etc/fastfault.conf" },
	{ "apply", cmd_apply, OPT_CHECK, "[--check] [FILE]",
	  "apply a configuration file ('-' for stdin), all or nothing",
	  "Apply a configuration file ('-' reads stdin): 'key value' or\n"
	  "'key = value' lines, '#' comments, blank lines.  The whole file is\n"
	  "checked first and sent as one request: all of it applies or none.\n"
	  "Keys it does not name keep their values.  Needs CAP_SYS_ADMIN.\n"
	  "Without FILE, the system's: /etc/fastfault.conf, then\n"
	  "/etc/fastfault.d/*.conf in name order (a later file's value wins).\n"
	  "  --check   only check it: no privilege, no module needed" },
	{ "version", cmd_version, 0, "",
	  "print the faultctl, module and ABI versions",
	  "Print the versions of faultctl and of the loaded module, and the\n"
	  "netlink ABI version of each.  Works without the module." },
	{ "help", cmd_help, 0, "[COMMAND]", "show help", "Show help." },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};

static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const struct option global_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int run(int argc, char **argv)
{
	struct opts o = { 0 };
	bool version = false;
	const struct cmd *c;
	int i, first, ch;
	char buf[8];

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+jphV", global_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.json = true;
			break;
		case 'p':
			o.pretty = true;
			break;
		case 'h':
			help_main(stdout);
			return 0;
		case 'V':
			version = true;
			break;
		default:
			return usage_error("unknown option '%s'",
					   bad_option(argv, buf, sizeof(buf)));
		}
	}
	i = optind;

	if (version) {
		if (i < argc)
			return usage_error("unexpected argument '%s' after --version",
					   argv[i]);
		return cmd_version(0, NULL, &o);
	}

	c = find_cmd(i < argc ? argv[i] : "show");
	if (!c)
		return usage_error("unknown command '%s'", argv[i]);
	if (i >= argc)
		i--;	/* the implicit "show" takes the place of argv[i] */

	/* set reads its options among its KEY VALUE pairs itself */
	if (c->fn == cmd_set)
		return cmd_set(argc - i - 1, argv + i + 1, &o);
	/* nor does unset, whose words are keys and cgroup PATH */
	if (c->fn == cmd_unset) {
		if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") ||
				     !strcmp(argv[i + 1], "--help")))
			return help_cmd(c);
		return cmd_unset(argc - i - 1, argv + i + 1, &o);
	}

	first = parse_cmd_opts(c, argc - i, argv + i, &o);
	if (first < 0)
		return FF_EXIT_USAGE;
	if (o.help)
		return help_cmd(c);
	return c->fn(argc - i - first, argv + i + first, &o);
}

int main(int argc, char **argv)
{
	int status = run(argc, argv);

	/* output that did not reach its file (a full disk, a closed pipe) */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "faultctl: cannot write the output: %s\n",
			strerror(errno));
		if (status == FF_EXIT_OK)
			status = FF_EXIT_USAGE;
	}
	return status;
}
