// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for faultctl's parsing and output: value parsing, the
 * configuration file (including malformed input) and the human and JSON
 * formats.  Prints TAP; exits non-zero if anything failed.
 *
 *	make -C tools/faultctl test
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultctl.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - ", cond ? "" : "not ", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

/* ---- values ---- */

static void test_values(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "1", 1 }, { "8", 8 }, { "64", 64 }, { "064", 64 },
	};
	static const char *const bad[] = {
		"0", "65", "-1", "+1", " 8", "8 ", "0x10", "abc", "8abc",
		"1e3", "4294967296", "99999999999999999999999", "8.0", "\t",
		"\xef\xbc\x98",
	};
	const struct ff_key *k = ff_key_by_name("fault-around");
	char err[256];
	uint64_t v;
	size_t i;

	ok(k && k->attr == FASTFAULT_A_FAULT_AROUND, "fault-around is FASTFAULT_A_FAULT_AROUND");
	ok(ff_key_by_name("anon-fault-around")->attr == FASTFAULT_A_ANON_FAULT_AROUND,
	   "anon-fault-around is FASTFAULT_A_ANON_FAULT_AROUND");
	ok(ff_key_by_name("file-fault-around")->attr == FASTFAULT_A_FILE_FAULT_AROUND,
	   "file-fault-around is FASTFAULT_A_FILE_FAULT_AROUND");
	ok(!ff_key_by_name("fault_around") && !ff_key_by_name("Fault-Around") &&
	   !ff_key_by_name(""), "key names are exact");
	ok(k->max == FASTFAULT_FAULT_AROUND_MAX && k->min == 1, "fault-around range is 1..FASTFAULT_FAULT_AROUND_MAX");

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		ok(ff_parse_value(k, good[i].s, &v, err, sizeof(err)) == 0 &&
		   v == good[i].v, "value '%s' parses as %u", good[i].s,
		   (unsigned int)good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		v = 12345;
		ok(ff_parse_value(k, bad[i], &v, err, sizeof(err)) == -1 &&
		   v == 12345 && contains(err, "fault-around") &&
		   contains(err, bad[i]) && contains(err, "64"),
		   "value '%s' is refused naming key, value and range: %s",
		   bad[i], err);
	}
	ok(ff_parse_value(k, "", &v, err, sizeof(err)) == -1 &&
	   contains(err, "missing value for fault-around"),
	   "empty value: %s", err);
	ok(ff_parse_value(k, "65", &v, err, sizeof(err)) == -1 &&
	   contains(err, "out of range"), "65 is out of range: %s", err);
	ok(ff_parse_value(k, "8K", &v, err, sizeof(err)) == -1 &&
	   contains(err, "invalid value '8K'"), "a page count takes no size suffix");
}

/* A u64 size key, the shape the zero pool's size will have. */
static void test_sizes(void)
{
	static const struct ff_key sz = {
		.name = "some-size", .attr = 99, .width = 8, .size = true,
		.min = 0, .max = UINT64_MAX / 2, .unit = "byte", .help = "",
	};
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "4K", 4096 }, { "4k", 4096 },
		{ "4KiB", 4096 }, { "4KB", 4096 }, { "256M", 256ULL << 20 },
		{ "256MiB", 256ULL << 20 }, { "2G", 2ULL << 30 }, { "1T", 1ULL << 40 },
		{ "9223372036854775807", UINT64_MAX / 2 },
	};
	static const char *const bad[] = {
		"", "M", "-1M", "1.5G", "1 G", "1GG", "1X", "1Kb2", "1P",
		"9223372036854775808", "18446744073709551616", "8388608T",
		"1 ", "64 ", "1 B", "1\tM",
	};
	const struct ff_key *k;
	char err[256];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 1;
		ok(ff_parse_value(&sz, good[i].s, &v, err, sizeof(err)) == 0 &&
		   v == good[i].v, "size '%s' parses as %" PRIu64, good[i].s,
		   good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 1;
		ok(ff_parse_value(&sz, bad[i], &v, err, sizeof(err)) == -1 &&
		   v == 1 && contains(err, "some-size"),
		   "size '%s' refused: %s", bad[i], err);
	}
	k = ff_key_by_name("zero-pool");
	ok(k && k->attr == FASTFAULT_A_ZERO_POOL && k->width == 8 && k->size,
	   "zero-pool is FASTFAULT_A_ZERO_POOL, a u64 size");
	ok(ff_parse_value(k, "256M", &v, err, sizeof(err)) == 0 && v == 256ULL << 20,
	   "zero-pool 256M");
	ok(ff_parse_value(k, "18446744073709551615", &v, err, sizeof(err)) == 0 &&
	   v == UINT64_MAX, "zero-pool takes any u64 (the kernel checks RAM)");
	ok(ff_parse_value(k, "16777216T", &v, err, sizeof(err)) == -1 &&
	   contains(err, "too large"), "zero-pool 16777216T is too large: %s", err);
	ok(ff_parse_value(k, "1.5G", &v, err, sizeof(err)) == -1 &&
	   contains(err, "expected a size in bytes"), "zero-pool 1.5G: %s", err);
	k = ff_key_by_name("zero-nontemporal");
	ok(k && k->attr == FASTFAULT_A_ZERO_NONTEMPORAL && k->width == 4 &&
	   ff_parse_value(k, "0", &v, err, sizeof(err)) == 0 && v == 0 &&
	   ff_parse_value(k, "1", &v, err, sizeof(err)) == 0 && v == 1,
	   "zero-nontemporal is FASTFAULT_A_ZERO_NONTEMPORAL, 0 or 1");
	ok(ff_parse_value(k, "2", &v, err, sizeof(err)) == -1 &&
	   contains(err, "out of range (0 to 1)"), "zero-nontemporal 2: %s", err);
	ok(ff_parse_value(k, "yes", &v, err, sizeof(err)) == -1 &&
	   contains(err, "zero-nontemporal"), "zero-nontemporal yes: %s", err);
	k = ff_key_by_name("zero-once");
	ok(k && k->attr == FASTFAULT_A_ZERO_ONCE && k->width == 4 &&
	   ff_parse_value(k, "0", &v, err, sizeof(err)) == 0 && v == 0 &&
	   ff_parse_value(k, "1", &v, err, sizeof(err)) == 0 && v == 1,
	   "zero-once is FASTFAULT_A_ZERO_ONCE, 0 or 1");
	ok(ff_parse_value(k, "2", &v, err, sizeof(err)) == -1 &&
	   contains(err, "out of range (0 to 1)"), "zero-once 2: %s", err);
	k = ff_key_by_name("zero-pool-huge");
	ok(k && k->attr == FASTFAULT_A_ZERO_POOL_HUGE && k->width == 8 && k->size,
	   "zero-pool-huge is FASTFAULT_A_ZERO_POOL_HUGE, a u64 size");
	ok(ff_parse_value(k, "64M", &v, err, sizeof(err)) == 0 && v == 64ULL << 20,
	   "zero-pool-huge 64M");
	ok(ff_parse_value(k, "-2M", &v, err, sizeof(err)) == -1 &&
	   contains(err, "zero-pool-huge"), "zero-pool-huge -2M: %s", err);
	ok(strcmp(ff_human_size(256ULL << 20), "256 MiB") == 0 &&
	   strcmp(ff_human_size(1536ULL << 20), "1.5 GiB") == 0 &&
	   strcmp(ff_human_size(1000), "1000 B") == 0,
	   "human sizes");
}

static void test_settings(void)
{
	struct ff_settings set;
	char err[256];

	memset(&set, 0, sizeof(set));
	ok(ff_settings_add(&set, "fault-around", "8", err, sizeof(err)) == 0 &&
	   set.has[FASTFAULT_A_FAULT_AROUND] &&
	   set.val[FASTFAULT_A_FAULT_AROUND] == 8, "set fault-around 8");
	ok(ff_settings_add(&set, "fault-around", "9", err, sizeof(err)) == -1 &&
	   contains(err, "more than once") &&
	   set.val[FASTFAULT_A_FAULT_AROUND] == 8,
	   "a key given twice is refused: %s", err);
	ok(ff_settings_add(&set, "bogus", "1", err, sizeof(err)) == -1 &&
	   contains(err, "unknown key 'bogus'") &&
	   contains(err, "anon-fault-around"),
	   "unknown key is refused and the keys listed: %s", err);
	ok(ff_settings_add(&set, "version", "1", err, sizeof(err)) == -1 &&
	   contains(err, "unknown key"), "reply-only names are not keys");
	ok(ff_settings_add(&set, "anon-fault-around", "", err, sizeof(err)) == -1 &&
	   contains(err, "missing value for anon-fault-around") &&
	   !set.has[FASTFAULT_A_ANON_FAULT_AROUND],
	   "missing value: %s", err);
	ok(strcmp(ff_key_list(), "fault-around, anon-fault-around, file-fault-around, zero-pool, zero-nontemporal, zero-once, zero-pool-huge, pool-access") == 0,
	   "key list: %s", ff_key_list());
}

/* ---- configuration file ---- */

static int read_conf(const char *text, struct ff_settings *set, char *err,
		     size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	memset(set, 0, sizeof(*set));
	err[0] = '\0';
	if (!f)
		return -2;
	ret = ff_conf_read(f, "test.conf", set, err, errlen);
	fclose(f);
	return ret;
}

static void test_conf(void)
{
	static const struct {
		const char *text, *why, *want;	/* want: in the message */
	} bad[] = {
		{ "fault-around\n", "missing value", "test.conf:1: missing value for fault-around" },
		{ "fault-around =\n", "'=' and no value", "test.conf:1: missing value" },
		{ "\n\nfault-around 8 9\n", "extra word", "test.conf:3: unexpected '9'" },
		{ "= 8\n", "no key", "test.conf:1: expected 'key value'" },
		{ "bogus 1\n", "unknown key", "test.conf:1: unknown key 'bogus'" },
		{ "fault-around abc\n", "garbage value", "invalid value 'abc' for fault-around" },
		{ "fault-around 0\n", "below range", "out of range" },
		{ "fault-around 65\n", "above range", "out of range" },
		{ "fault-around -1\n", "negative", "invalid value '-1'" },
		{ "fault-around 8\nfault-around 8\n", "key twice", "test.conf:2: fault-around given more than once" },
		{ "fault-around 8 # c\nanon-fault-around 1 1\n", "extra word, line 2", "test.conf:2:" },
		{ "FAULT-AROUND 8\n", "upper case key", "unknown key 'FAULT-AROUND'" },
		{ "fault_around 8\n", "underscore key", "unknown key 'fault_around'" },
		{ "fault-around = = 8\n", "two '='", "test.conf:1:" },
		{ "fault-around 8;\n", "trailing ';'", "invalid value '8;'" },
	};
	struct ff_settings set, back;
	char err[512], *buf = NULL;
	size_t i, len = 0;
	FILE *f;

	ok(read_conf("", &set, err, sizeof(err)) == 0 &&
	   !set.has[FASTFAULT_A_FAULT_AROUND], "empty file is valid and sets nothing");
	ok(read_conf("# only a comment\n\n   \n\t# indented\n", &set, err,
		     sizeof(err)) == 0, "comments and blank lines");
	ok(read_conf("fault-around 8\n"
		     "  anon-fault-around   =   16   # comment\n"
		     "file-fault-around=4\r\n", &set, err, sizeof(err)) == 0 &&
	   set.val[FASTFAULT_A_FAULT_AROUND] == 8 &&
	   set.val[FASTFAULT_A_ANON_FAULT_AROUND] == 16 &&
	   set.val[FASTFAULT_A_FILE_FAULT_AROUND] == 4,
	   "key value, key = value, key=value, comments, CRLF: %s", err);
	ok(read_conf("fault-around 8", &set, err, sizeof(err)) == 0 &&
	   set.val[FASTFAULT_A_FAULT_AROUND] == 8, "no final newline");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(read_conf(bad[i].text, &set, err, sizeof(err)) == -1 &&
		   contains(err, bad[i].want),
		   "malformed (%s) refused: %s", bad[i].why, err);

	{
		static const char nul[] = "fault-around 8\0garbage\n";

		f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
		memset(&set, 0, sizeof(set));
		ok(f && ff_conf_read(f, "nul.conf", &set, err, sizeof(err)) == -1 &&
		   contains(err, "nul.conf:1: binary data"),
		   "NUL byte refused: %s", err);
		if (f)
			fclose(f);
	}
	{
		/* a 1 MiB line */
		size_t n = 1 << 20;
		char *big = malloc(n + 20);

		memset(big, 'a', n);
		strcpy(big + n, " 1\n");
		ok(read_conf(big, &set, err, sizeof(err)) == -1 &&
		   contains(err, "unknown key"), "a 1 MiB key is refused");
		memcpy(big, "fault-around ", 13);
		memset(big + 13, '9', n - 13);
		strcpy(big + n, "\n");
		ok(read_conf(big, &set, err, sizeof(err)) == -1 &&
		   contains(err, "out of range"), "a 1 MiB number is out of range: %.60s", err);
		free(big);
	}

	/* showconf output reads back to the same settings */
	memset(&set, 0, sizeof(set));
	set.val[FASTFAULT_A_FAULT_AROUND] = 3;
	set.val[FASTFAULT_A_ANON_FAULT_AROUND] = 64;
	set.val[FASTFAULT_A_FILE_FAULT_AROUND] = 2;
	set.has[FASTFAULT_A_FAULT_AROUND] = true;
	set.has[FASTFAULT_A_ANON_FAULT_AROUND] = true;
	set.has[FASTFAULT_A_FILE_FAULT_AROUND] = true;
	f = open_memstream(&buf, &len);
	ff_conf_write(f, &set);
	fclose(f);
	ok(strcmp(buf, "# fastfault configuration; load with: faultctl apply FILE\n"
		  "fault-around 3\nanon-fault-around 64\nfile-fault-around 2\n") == 0,
	   "showconf format");
	ok(read_conf(buf, &back, err, sizeof(err)) == 0 &&
	   !memcmp(back.val, set.val, sizeof(set.val)) &&
	   !memcmp(back.has, set.has, sizeof(set.has)),
	   "showconf output reads back unchanged");
	free(buf);
}

/* ---- output ---- */

static char *capture_config(bool json, bool pretty,
			    const struct ff_settings *set)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ff_out o = { f, json, pretty };

	ff_print_config(&o, set);
	fclose(f);
	return buf;
}

static void test_output(void)
{
	struct ff_settings set;
	struct ff_stats st[2];
	struct ff_version v = { "0.1.0", NULL, 1, -1 };
	struct ff_err err;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	memset(&set, 0, sizeof(set));
	set.val[FASTFAULT_A_FAULT_AROUND] = 1;
	set.val[FASTFAULT_A_ANON_FAULT_AROUND] = 8;
	set.val[FASTFAULT_A_FILE_FAULT_AROUND] = 16;
	set.has[FASTFAULT_A_FAULT_AROUND] = true;
	set.has[FASTFAULT_A_ANON_FAULT_AROUND] = true;
	set.has[FASTFAULT_A_FILE_FAULT_AROUND] = true;

	buf = capture_config(false, false, &set);
	ok(strcmp(buf, "fault-around       1 page (off)\n"
		       "anon-fault-around  8 pages\n"
		       "file-fault-around  16 pages\n") == 0,
	   "show: aligned human output");
	free(buf);
	set.val[FASTFAULT_A_ZERO_NONTEMPORAL] = 1;
	set.has[FASTFAULT_A_ZERO_NONTEMPORAL] = true;
	buf = capture_config(false, false, &set);
	ok(strstr(buf, "\nzero-nontemporal   1 (non-temporal)\n") != NULL,
	   "show: zero-nontemporal 1 is named, not a count");
	free(buf);
	set.val[FASTFAULT_A_ZERO_NONTEMPORAL] = 0;
	buf = capture_config(false, false, &set);
	ok(strstr(buf, "\nzero-nontemporal   0 (clear_page)\n") != NULL,
	   "show: zero-nontemporal 0 is clear_page, not off");
	free(buf);
	set.has[FASTFAULT_A_ZERO_NONTEMPORAL] = false;
	buf = capture_config(true, false, &set);
	ok(strcmp(buf, "{\"fault-around\":1,\"anon-fault-around\":8,"
		       "\"file-fault-around\":16,\"scopes\":[]}\n") == 0, "show -j");
	free(buf);
	buf = capture_config(true, true, &set);
	ok(strcmp(buf, "{\n    \"fault-around\": 1,\n    \"anon-fault-around\": 8,\n"
		       "    \"file-fault-around\": 16,\n    \"scopes\": []\n}\n") == 0,
	   "show -j -p");
	free(buf);

	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, false, false };

		ff_print_event(&o, &set, NULL);
		o.json = true;
		ff_print_event(&o, &set, NULL);
	}
	fclose(f);
	ok(strcmp(buf, "config fault-around 1 anon-fault-around 8 file-fault-around 16\n"
		       "{\"event\":\"config\",\"fault-around\":1,\"anon-fault-around\":8,"
		       "\"file-fault-around\":16,\"scopes\":[]}\n") == 0,
	   "monitor: human and JSON lines");
	free(buf);

	memset(st, 0, sizeof(st));
	for (i = 0; i < ff_nstats; i++) {
		st[0].v[ff_stat_names[i].attr] = i;
		st[0].has[ff_stat_names[i].attr] = true;
		st[1].v[ff_stat_names[i].attr] = UINT64_MAX;
		st[1].has[ff_stat_names[i].attr] = true;
	}
	st[0].cpu = 0;
	st[1].cpu = 1;
	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, false, false };

		ff_print_stats(&o, &st[1]);
	}
	fclose(f);
	ok(contains(buf, "faults                18446744073709551615\n") &&
	   contains(buf, "skip-not-sequential   18446744073709551615\n") &&
	   contains(buf, "window-total          18446744073709551615\n"),
	   "stats: aligned, full u64");
	free(buf);

	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, true, false };

		ff_print_stats_percpu(&o, st, 2);
	}
	fclose(f);
	ok(strncmp(buf, "[{\"cpu\":0,\"faults\":0,\"batches\":1,", 33) == 0 &&
	   contains(buf, "},{\"cpu\":1,\"faults\":18446744073709551615,") &&
	   contains(buf, "\"window-total\":18446744073709551615") &&
	   strcmp(buf + strlen(buf) - 3, "}]\n") == 0,
	   "stats --per-cpu -j");
	free(buf);

	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, true, false };

		ff_print_stats_percpu(&o, st, 0);
	}
	fclose(f);
	ok(strcmp(buf, "[]\n") == 0, "empty per-CPU list is []");
	free(buf);

	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, true, false };

		ff_print_version(&o, &v);
		v.module = "0.2.0\"\\\n";
		v.module_abi = 2;
		ff_print_version(&o, &v);
		o.json = false;
		ff_print_version(&o, &v);
	}
	fclose(f);
	ok(strcmp(buf, "{\"faultctl\":\"0.1.0\",\"module\":null,\"abi\":1,\"module-abi\":null}\n"
		       "{\"faultctl\":\"0.1.0\",\"module\":\"0.2.0\\\"\\\\\\n\",\"abi\":1,\"module-abi\":2}\n"
		       "faultctl  0.1.0\nmodule    0.2.0\"\\\n\nabi       1 (module: 2)\n") == 0,
	   "version, JSON null and string escapes");
	free(buf);

	/* error reports */
	memset(&err, 0, sizeof(err));
	f = open_memstream(&buf, &len);
	err.errnum = EINVAL;
	snprintf(err.msg, sizeof(err.msg), "integer out of range");
	snprintf(err.attr, sizeof(err.attr), "fault-around");
	ff_report_to(f, FF_EXIT_KERNEL, &err);
	err.msg[0] = err.attr[0] = '\0';
	ff_report_to(f, FF_EXIT_KERNEL, &err);
	ff_report_to(f, FF_EXIT_NOMODULE, &err);
	ff_report_to(f, FF_EXIT_PERM, &err);
	fclose(f);
	ok(contains(buf, "Error: integer out of range (attribute fault-around)\n"),
	   "kernel error names the attribute");
	ok(contains(buf, "Error: Invalid argument\n"), "no extack: strerror");
	ok(contains(buf, "faultctl: fastfault module is not loaded (modprobe fastfault; dkms status fastfault)\n"),
	   "module not loaded message");
	ok(contains(buf, "CAP_SYS_ADMIN"), "permission message names the capability");
	free(buf);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* /etc/fastfault.conf and /etc/fastfault.d/ *.conf, under a scratch root */
static void test_conf_system(void)
{
	char root[] = "/tmp/faultctl-unit-XXXXXX", path[512], err[512];
	struct ff_settings set;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	ok(ff_conf_read_system(root, &set, err, sizeof(err)) == 0 &&
	   !set.has[FASTFAULT_A_ANON_FAULT_AROUND],
	   "system config: none at all is an empty configuration");
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/fastfault.conf", root);
	write_file(path, "anon-fault-around 8\nzero-pool 16M\n");
	snprintf(path, sizeof(path), "%s/etc/fastfault.d", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/fastfault.d/20-late.conf", root);
	write_file(path, "anon-fault-around 32\n");
	snprintf(path, sizeof(path), "%s/etc/fastfault.d/10-early.conf", root);
	write_file(path, "anon-fault-around 16\nzero-once 1\n");
	snprintf(path, sizeof(path), "%s/etc/fastfault.d/30-ignored.conf.dpkg-old", root);
	write_file(path, "bogus line\n");
	ok(ff_conf_read_system(root, &set, err, sizeof(err)) == 0 &&
	   set.val[FASTFAULT_A_ANON_FAULT_AROUND] == 32 &&
	   set.val[FASTFAULT_A_ZERO_POOL] == 16ULL << 20 &&
	   set.has[FASTFAULT_A_ZERO_ONCE] && set.val[FASTFAULT_A_ZERO_ONCE] == 1,
	   "system config: drop-ins in name order, a later value wins, other names ignored (%s)",
	   err);
	snprintf(path, sizeof(path), "%s/etc/fastfault.d/15-bad.conf", root);
	write_file(path, "zero-once 2\n");
	ok(ff_conf_read_system(root, &set, err, sizeof(err)) == -1 &&
	   contains(err, "15-bad.conf:1:"),
	   "system config: a bad drop-in refuses it all, naming file and line: %s", err);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path))
		ok(0, "cleanup of %s", root);
}

/*
 * A line too long for the memory there is: getline() fails with ENOMEM
 * and no error flag.  That is no end of file: nothing applies.
 */
static void test_conf_enomem(void)
{
	char path[] = "/tmp/faultctl-unit-big-XXXXXX";
	int fd = mkstemp(path), status = -1;
	pid_t pid;

	if (fd < 0) {
		ok(0, "mkstemp: %s", strerror(errno));
		return;
	}
	{
		FILE *f = fdopen(fd, "w");
		static char chunk[1 << 16];
		int i;

		fputs("anon-fault-around 9\n# ", f);
		memset(chunk, 'x', sizeof(chunk));
		for (i = 0; i < 1024; i++)	/* a 64 MiB comment line */
			fwrite(chunk, 1, sizeof(chunk), f);
		fputs("\n", f);
		fclose(f);
	}
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 48 << 20, 48 << 20 };
		struct ff_settings set;
		char err[512];
		FILE *f;
		int ret;

		setrlimit(RLIMIT_AS, &rl);
		f = fopen(path, "r");
		if (!f)
			_exit(3);
		memset(&set, 0, sizeof(set));
		ret = ff_conf_read(f, "big.conf", &set, err, sizeof(err));
		_exit(ret == -1 && contains(err, "big.conf") ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a read that runs out of memory is an error, not the end of the file (status %d)",
	   status);
}

static void test_live(void)
{
	static struct ff_stats a, b;
	struct ff_live l;
	char *buf;
	size_t len;
	FILE *f;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.v[FASTFAULT_STAT_FAULTS] = 100;
	b.v[FASTFAULT_STAT_FAULTS] = 300;		/* 200 in 2 s */
	b.v[FASTFAULT_STAT_PREFAULTED] = 1400;
	b.v[FASTFAULT_STAT_BATCHES] = 100;
	b.v[FASTFAULT_STAT_WINDOW_TOTAL] = 1500;	/* mean 15 */
	b.v[FASTFAULT_STAT_POOL_HITS] = 30;
	b.v[FASTFAULT_STAT_POOL_MISSES] = 10;
	b.v[FASTFAULT_STAT_HUGE_POOL_HITS] = 10;	/* 40 of 50 */
	b.v[FASTFAULT_STAT_POOL_ZERO_NS] = 100000000;	/* 0.1 s */
	b.v[FASTFAULT_STAT_HUGE_POOL_ZERO_NS] = 100000000;
	b.nnodes = 2;
	b.node[0].pages = 10;
	b.node[1].pages = 20;
	b.nhnodes = 1;
	b.hnode[0].pages = 512;
	ff_live_compute(&a, &b, 2000000000ULL, &l);
	ok(l.faults_s == 100 && l.prefaulted_s == 700 && l.window == 15 &&
	   l.hit_pct == 80 && l.pool_pages == 542 && l.clear_cpu_pct == 10,
	   "live: rates over the interval (%.1f %.1f %.1f %.1f %llu %.1f)",
	   l.faults_s, l.prefaulted_s, l.window, l.hit_pct,
	   (unsigned long long)l.pool_pages, l.clear_cpu_pct);
	ff_live_compute(&b, &a, 1000000000ULL, &l);
	ok(l.faults_s == 100 && l.window < 0 && l.hit_pct < 0,
	   "live: a reset in between counts from zero; no batch, no pool: none");

	f = open_memstream(&buf, &len);
	{
		struct ff_out o = { f, false, false };

		ff_live_compute(&a, &b, 2000000000ULL, &l);
		ff_print_live(&o, &l, true, NULL);
		ff_print_live(&o, &l, false, "2026-12-03T14:05:01.123");
		o.json = true;
		ff_print_live(&o, &l, false, "2026-12-03T14:05:01.123");
		ff_live_compute(&b, &a, 1000000000ULL, &l);
		ff_print_live(&o, &l, false, NULL);
	}
	fclose(f);
	ok(contains(buf, "  faults/s  prefault/s  window  pool-hit%  pool-pages  clear-cpu%\n"
			 "       100         700    15.0       80.0         542        10.0\n") &&
	   contains(buf, "2026-12-03T14:05:01.123       100         700") &&
	   contains(buf, "{\"time\":\"2026-12-03T14:05:01.123\",\"faults-per-s\":100.0,"
			 "\"prefaulted-per-s\":700.0,\"window\":15.0,\"pool-hit-pct\":80.0,"
			 "\"pool-pages\":542,\"clear-cpu-pct\":10.0}\n") &&
	   contains(buf, "\"window\":null,\"pool-hit-pct\":null"),
	   "live: the human columns and one JSON object a line");
	if (!contains(buf, "clear-cpu-pct"))
		printf("# %s", buf);
	free(buf);
}

/* ---- cgroup scopes ---- */

static void test_scopes(void)
{
	static struct ff_settings set, back;
	struct ff_scope_set *sc, *sc2;
	char err[512], *buf = NULL, tmpl[] = "/tmp/faultctl-unit-cg-XXXXXX";
	size_t len = 0;
	FILE *f;
	int fd;

	memset(&set, 0, sizeof(set));
	sc = ff_settings_scope(&set, "/sys/fs/cgroup/build.slice", err,
			       sizeof(err));
	ok(sc && set.nscopes == 1, "scope: added for a new path");
	ok(ff_settings_scope(&set, "/sys/fs/cgroup/build.slice", err,
			     sizeof(err)) == sc && set.nscopes == 1,
	   "scope: the same path is the same scope");
	ok(ff_scope_add(sc, "fault-around", "8", err, sizeof(err)) == 0 &&
	   sc->has[FASTFAULT_A_ANON_FAULT_AROUND] &&
	   sc->val[FASTFAULT_A_ANON_FAULT_AROUND] == 8 &&
	   !sc->has[FASTFAULT_A_FAULT_AROUND],
	   "scope: fault-around is the anonymous window there");
	ok(ff_scope_add(sc, "anon-fault-around", "4", err, sizeof(err)) == -1 &&
	   contains(err, "more than once for cgroup /sys/fs/cgroup/build.slice"),
	   "scope: fault-around and anon-fault-around are one key: %s", err);
	ok(ff_scope_add(sc, "file-fault-around", "32", err, sizeof(err)) == -1 &&
	   contains(err, "file-fault-around is system-wide"),
	   "scope: a system-wide key is refused: %s", err);
	ok(ff_scope_add(sc, "zero-pool", "1M", err, sizeof(err)) == -1 &&
	   contains(err, "zero-pool is system-wide"),
	   "scope: zero-pool is refused: %s", err);
	ok(ff_scope_add(sc, "zero-once", "2", err, sizeof(err)) == -1 &&
	   contains(err, "out of range"), "scope: values are checked: %s", err);
	ok(ff_scope_add(sc, "pool-access", "0", err, sizeof(err)) == 0 &&
	   ff_scope_unset(sc, "pool-access", err, sizeof(err)) == -1,
	   "scope: a key set and unset at once is refused: %s", err);
	ok(ff_scope_unset(sc, "zero-once", err, sizeof(err)) == 0 &&
	   sc->unset == 1ULL << FASTFAULT_A_ZERO_ONCE,
	   "scope: unset KEY is its attribute's bit");
	ok(ff_scope_unset(sc, "zero-pool", err, sizeof(err)) == -1 &&
	   contains(err, "system-wide"), "scope: unset of a system-wide key refused");
	ok(ff_scope_all_keys() == (1ULL << FASTFAULT_A_FAULT_AROUND |
				   1ULL << FASTFAULT_A_ANON_FAULT_AROUND |
				   1ULL << FASTFAULT_A_ZERO_ONCE |
				   1ULL << FASTFAULT_A_POOL_ACCESS),
	   "scope: unset without KEY names every scoped key");
	ok(!ff_settings_empty(&set), "scope: settings with a scope are not empty");
	ok(ff_settings_scope(&set, "", err, sizeof(err)) == NULL &&
	   contains(err, "cgroup needs a path"), "scope: an empty path is refused");
	memset(&set, 0, sizeof(set));
	while (set.nscopes < FF_MAX_SCOPES) {
		char p[32];

		snprintf(p, sizeof(p), "/cg/%zu", set.nscopes);
		if (!ff_settings_scope(&set, p, err, sizeof(err)))
			break;
	}
	ok(set.nscopes == FF_MAX_SCOPES &&
	   !ff_settings_scope(&set, "/cg/one-more", err, sizeof(err)) &&
	   contains(err, "too many cgroups"), "scope: at most %d in a request: %s",
	   FF_MAX_SCOPES, err);

	/* the configuration file: KEY VALUE cgroup PATH */
	ok(read_conf("anon-fault-around 4\n"
		     "fault-around 16 cgroup /sys/fs/cgroup/a.slice\n"
		     "zero-once = 1 cgroup /sys/fs/cgroup/a.slice # c\n"
		     "pool-access 0 cgroup /sys/fs/cgroup/b.slice\n",
		     &set, err, sizeof(err)) == 0 && set.nscopes == 2 &&
	   set.val[FASTFAULT_A_ANON_FAULT_AROUND] == 4 &&
	   set.scope[0].val[FASTFAULT_A_ANON_FAULT_AROUND] == 16 &&
	   set.scope[0].has[FASTFAULT_A_ZERO_ONCE] &&
	   !strcmp(set.scope[1].path, "/sys/fs/cgroup/b.slice") &&
	   set.scope[1].has[FASTFAULT_A_POOL_ACCESS] &&
	   set.scope[1].val[FASTFAULT_A_POOL_ACCESS] == 0,
	   "conf: scope lines, grouped by cgroup (%s)", err);
	ok(read_conf("fault-around 8 cgroup\n", &set, err, sizeof(err)) == -1 &&
	   contains(err, "test.conf:1: cgroup needs a PATH"),
	   "conf: cgroup without PATH: %s", err);
	ok(read_conf("fault-around 8 cgroup /a /b\n", &set, err, sizeof(err)) == -1 &&
	   contains(err, "unexpected '/b'"), "conf: a word after PATH: %s", err);
	ok(read_conf("zero-pool 8M cgroup /a\n", &set, err, sizeof(err)) == -1 &&
	   contains(err, "zero-pool is system-wide"),
	   "conf: a system-wide key for a cgroup: %s", err);
	ok(read_conf("fault-around 8 cgroup /a\nanon-fault-around 8 cgroup /a\n",
		     &set, err, sizeof(err)) == -1 &&
	   contains(err, "test.conf:2:"), "conf: a scope's key twice: %s", err);

	/* showconf writes what apply reads back */
	memset(&set, 0, sizeof(set));
	set.has[FASTFAULT_A_ZERO_ONCE] = true;
	sc = ff_settings_scope(&set, "/sys/fs/cgroup/x.slice", err, sizeof(err));
	sc->has[FASTFAULT_A_ANON_FAULT_AROUND] = true;
	sc->val[FASTFAULT_A_ANON_FAULT_AROUND] = 32;
	sc->has[FASTFAULT_A_POOL_ACCESS] = true;
	sc->val[FASTFAULT_A_POOL_ACCESS] = 1;
	sc2 = ff_settings_scope(&set, "/sys/fs/cgroup/with space", err,
				sizeof(err));
	sc2->id = 77;
	sc2->has[FASTFAULT_A_ZERO_ONCE] = true;
	f = open_memstream(&buf, &len);
	ff_conf_write(f, &set);
	fclose(f);
	ok(contains(buf, "\nzero-once 0\n") &&
	   contains(buf, "\nanon-fault-around 32 cgroup /sys/fs/cgroup/x.slice\n") &&
	   contains(buf, "\npool-access 1 cgroup /sys/fs/cgroup/x.slice\n") &&
	   contains(buf, "# cgroup id 77 left out"),
	   "showconf: scope lines; a path the file cannot hold is a comment");
	ok(read_conf(buf, &back, err, sizeof(err)) == 0 && back.nscopes == 1 &&
	   back.scope[0].val[FASTFAULT_A_ANON_FAULT_AROUND] == 32 &&
	   back.scope[0].has[FASTFAULT_A_POOL_ACCESS] &&
	   back.has[FASTFAULT_A_ZERO_ONCE],
	   "showconf | apply: the scopes read back (%s)", err);
	free(buf);

	/* show: human and JSON */
	set.nscopes = 1;
	sc->id = 1234;
	buf = capture_config(false, false, &set);
	ok(contains(buf, "zero-once          0 (off)\ncgroup /sys/fs/cgroup/x.slice\n"
		    "  anon-fault-around  32 pages\n  pool-access        1\n"),
	   "show: a scope's keys under its cgroup: %s", buf);
	free(buf);
	buf = capture_config(true, false, &set);
	ok(!strcmp(buf, "{\"zero-once\":0,\"scopes\":[{\"cgroup\":"
		   "\"/sys/fs/cgroup/x.slice\",\"cgroup-id\":1234,"
		   "\"anon-fault-around\":32,\"pool-access\":1}]}\n"),
	   "show -j: scopes: %s", buf);
	free(buf);

	/* a key this kernel cannot host: marked, with the kernel's reason */
	memset(&set, 0, sizeof(set));
	set.has[FASTFAULT_A_ZERO_ONCE] = true;
	snprintf(set.unsupported[FASTFAULT_A_ZERO_ONCE],
		 sizeof(set.unsupported[0]), "this kernel already clears once");
	buf = capture_config(false, false, &set);
	ok(!strcmp(buf, "zero-once          0 (off) [unsupported here: this kernel already clears once]\n"),
	   "show: an unsupported key says why: %s", buf);
	free(buf);
	buf = capture_config(true, false, &set);
	ok(!strcmp(buf, "{\"zero-once\":0,\"unsupported\":{\"zero-once\":"
		   "\"this kernel already clears once\"},\"scopes\":[]}\n"),
	   "show -j: unsupported{}: %s", buf);
	free(buf);

	/* opening a cgroup: what is not one is refused, naming it */
	ok(ff_cgroup_open("/nonexistent/cg", err, sizeof(err)) == -1 &&
	   contains(err, "cgroup /nonexistent/cg: No such file or directory"),
	   "cgroup: a missing directory: %s", err);
	if (mkdtemp(tmpl)) {
		ok(ff_cgroup_open(tmpl, err, sizeof(err)) == -1 &&
		   contains(err, "not a cgroup v2 directory"),
		   "cgroup: a directory that is not a cgroup: %s", err);
		rmdir(tmpl);
	}
	{
		static const char mi[] =
			"22 1 0:21 / /proc rw - proc proc rw\n"
			"30 25 0:26 /sub /mnt/bind rw - cgroup2 cgroup2 rw\n"
			"31 25 0:26 / /sys/fs/cgroup\\040v2 rw,nosuid - cgroup2 cgroup2 rw\n"
			"32 25 0:26 / /second rw - cgroup2 cgroup2 rw\n";
		static const char none[] = "22 1 0:21 / /proc rw - proc proc rw\n";
		char out[FF_PATH_MAX];

		f = fmemopen((void *)mi, sizeof(mi) - 1, "r");
		ok(f && ff_cgroup2_mount_in(f, out, sizeof(out)) == 0 &&
		   !strcmp(out, "/sys/fs/cgroup v2"),
		   "cgroup: the first cgroup2 mount of its root, escapes decoded: '%s'",
		   out);
		if (f)
			fclose(f);
		f = fmemopen((void *)none, sizeof(none) - 1, "r");
		ok(f && ff_cgroup2_mount_in(f, out, sizeof(out)) == -1 && !out[0],
		   "cgroup: no cgroup2 mount");
		if (f)
			fclose(f);
		ff_cgroup_abs("?", out, sizeof(out));
		ok(!strcmp(out, "?"), "cgroup: an unnamed cgroup stays '?'");
	}
	(void)fd;
}

int main(void)
{
	test_values();
	test_sizes();
	test_live();
	test_conf_system();
	test_conf_enomem();
	test_settings();
	test_conf();
	test_output();
	test_scopes();
	printf("1..%d\n", n_tests);
	if (n_failed)
		printf("# %d of %d failed\n", n_failed, n_tests);
	return n_failed ? 1 : 0;
}
