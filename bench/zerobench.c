// SPDX-License-Identifier: GPL-2.0
/*
 * zerobench: how should a background thread clear the pages of a pool of
 * pre-zeroed pages?  The kernel's clear_page (x86-64: "rep stosb",
 * clear_page_erms, on CPUs with ERMS, else "rep stosq", clear_page_rep)
 * against non-temporal stores (movnti of 8-byte zeros, 4 per loop
 * iteration, one sfence per batch).  The same instructions behave the same
 * in user space, so this measures the CPU it runs on.
 *
 *   zerobench [-c CPU] [-r RUNS] [-w KIB] [-m MIB] [-j]
 *
 *   -c CPU   pin to this CPU (default: the last one)
 *   -r RUNS  repeat every measurement RUNS times (default 7); min and
 *            median over the runs are reported
 *   -w KIB   hot working set of the pollution test (default 256); it is
 *            also run at the L2 size read from sysfs
 *   -m MIB   size of the buffer the cleared pages come from (default: the
 *            larger of 256 MiB and 4x the LLC)
 *   -j       one JSON object on stdout instead of the markdown table
 *
 * Measurements (batch = 32 pages, what the pool's refill clears at once):
 *   clear      ns per page to clear cold pages
 *   use-soon   clear a batch, then write every 8-byte word of its pages at
 *              once; only the writes are timed (ns per page)
 *   use-late   clear a batch, evict the caches by reading 2x LLC of another
 *              buffer, then the same timed writes (ns per page)
 *   pollution  ns per read pass (one load per 64-byte line) over a hot
 *              working set, when between passes a batch is cleared with
 *              each method, or not at all (none)
 */
#if !defined(__x86_64__)
#error "zerobench measures x86-64 instructions (rep stosb/stosq, movnti)"
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE		4096UL
#define LINE		64UL
#define BATCH		32UL
#define MIB		(1024UL * 1024UL)

/* Work per run, chosen so that the defaults finish well within a minute. */
#define CLEAR_BATCHES	2048	/* 256 MiB cleared per run */
#define SOON_BATCHES	512
#define LATE_BATCHES	16	/* each one reads 2x LLC to evict */
#define POLL_PASSES	1000

/* ---- the three ways to clear a page ---------------------------------- */

/* clear_page_erms */
static inline void clear_stosb(void *page)
{
	void *d = page;
	unsigned long c = PAGE;

	asm volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
}

/* clear_page_rep */
static inline void clear_stosq(void *page)
{
	void *d = page;
	unsigned long c = PAGE / 8;

	asm volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0UL) : "memory");
}

/* movnti of 8-byte zeros, 4 per iteration; the caller fences the batch */
static inline void clear_movnti(void *page)
{
	void *d = page;
	unsigned long c = PAGE / 32;

	asm volatile("1:\n\t"
		     "movnti %2, 0(%0)\n\t"
		     "movnti %2, 8(%0)\n\t"
		     "movnti %2, 16(%0)\n\t"
		     "movnti %2, 24(%0)\n\t"
		     "addq $32, %0\n\t"
		     "decq %1\n\t"
		     "jnz 1b"
		     : "+r"(d), "+r"(c) : "r"(0UL) : "memory", "cc");
}

enum method { M_NONE, M_STOSB, M_STOSQ, M_MOVNTI, M_COUNT };
static const char *const method_name[M_COUNT] = {
	"none", "stosb", "stosq", "movnti",
};

static void clear_batch(enum method m, char *p)
{
	unsigned long i;

	switch (m) {
	case M_NONE:
		break;
	case M_STOSB:
		for (i = 0; i < BATCH; i++)
			clear_stosb(p + i * PAGE);
		break;
	case M_STOSQ:
		for (i = 0; i < BATCH; i++)
			clear_stosq(p + i * PAGE);
		break;
	case M_MOVNTI:
		for (i = 0; i < BATCH; i++)
			clear_movnti(p + i * PAGE);
		asm volatile("sfence" ::: "memory");
		break;
	default:
		abort();
	}
}

/* ---- machine ----------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static char cpu_model[256] = "unknown";
static bool has_erms, has_fsrm, has_hypervisor;

static bool has_flag(const char *flags, const char *name)
{
	size_t n = strlen(name);
	const char *s = flags;

	while ((s = strstr(s, name))) {
		bool start = s == flags || s[-1] == ' ' || s[-1] == '\t';
		bool end = s[n] == ' ' || s[n] == '\n' || s[n] == '\0';

		if (start && end)
			return true;
		s += n;
	}
	return false;
}

static void read_cpuinfo(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	bool got_model = false, got_flags = false;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && !(got_model && got_flags)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!got_model && !strncmp(line, "model name", 10)) {
			snprintf(cpu_model, sizeof(cpu_model), "%s", v);
			cpu_model[strcspn(cpu_model, "\n")] = '\0';
			got_model = true;
		} else if (!got_flags && !strncmp(line, "flags", 5)) {
			has_erms = has_flag(v, "erms");
			has_fsrm = has_flag(v, "fsrm");
			has_hypervisor = has_flag(v, "hypervisor");
			got_flags = true;
		}
	}
	fclose(f);
}

static bool read_sys(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* "2048K", "32M" -> bytes */
static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v *= 1024;
	else if (*end == 'M' || *end == 'm')
		v *= MIB;
	else if (*end == 'G' || *end == 'g')
		v *= 1024 * MIB;
	return v;
}

/* L2 and last-level data cache of cpu0, from sysfs; 0 when unknown */
static void read_caches(unsigned long *l2, unsigned long *llc)
{
	int i, llc_level = 0;

	*l2 = *llc = 0;
	for (i = 0; i < 16; i++) {
		char path[128], buf[64];
		int level;
		unsigned long size;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		if (!read_sys(path, buf, sizeof(buf)))
			break;
		level = atoi(buf);
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		if (!read_sys(path, buf, sizeof(buf)) ||
		    !strcmp(buf, "Instruction"))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		if (!read_sys(path, buf, sizeof(buf)))
			continue;
		size = parse_size(buf);
		if (level == 2)
			*l2 = size;
		if (level >= llc_level) {
			llc_level = level;
			*llc = size;
		}
	}
}

/*
 * 4 KiB pages, all present before timing.  MADV_NOHUGEPAGE has to come
 * before the pages are faulted in, so this maps, advises, then populates
 * (MADV_POPULATE_WRITE, or touching every page on kernels without it)
 * rather than mapping with MAP_POPULATE.
 */
static char *map_buffer(unsigned long bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long off;

	if (p == MAP_FAILED) {
		fprintf(stderr, "zerobench: mmap %lu MiB: %s\n",
			bytes / MIB, strerror(errno));
		exit(1);
	}
	if (madvise(p, bytes, MADV_NOHUGEPAGE))
		fprintf(stderr, "zerobench: MADV_NOHUGEPAGE: %s\n",
			strerror(errno));
	if (madvise(p, bytes, MADV_POPULATE_WRITE))
		for (off = 0; off < bytes; off += PAGE)
			p[off] = 1;
	return p;
}

/* ---- the buffers and the walk through them ------------------------------ */

static char *buf;		/* pages to clear, walked cyclically */
static unsigned long buf_pages;
static unsigned long cursor;	/* next page of buf to hand out */
static char *evict;		/* read to push everything out of the caches */
static unsigned long evict_bytes;
static volatile uint64_t sink;

static char *next_batch(void)
{
	char *p;

	if (cursor + BATCH > buf_pages)
		cursor = 0;
	p = buf + cursor * PAGE;
	cursor += BATCH;
	return p;
}

static void evict_caches(void)
{
	const uint64_t *q = (const uint64_t *)evict;
	unsigned long i, n = evict_bytes / 8;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (i = 0; i < n; i += 4 * LINE / 8) {
		s0 += q[i];
		s1 += q[i + LINE / 8];
		s2 += q[i + 2 * LINE / 8];
		s3 += q[i + 3 * LINE / 8];
	}
	sink = s0 + s1 + s2 + s3;
}

/* A program filling memory it just got: every 8-byte word, in order. */
static void use_batch(char *p, uint64_t v)
{
	volatile uint64_t *q = (volatile uint64_t *)p;
	unsigned long i;

	for (i = 0; i < BATCH * PAGE / 8; i++)
		q[i] = v + i;
}

/* One read pass over a working set, one load per line. */
static void read_pass(const char *ws, unsigned long bytes)
{
	const volatile uint64_t *q = (const volatile uint64_t *)ws;
	unsigned long i;
	uint64_t s = 0;

	for (i = 0; i < bytes / 8; i += LINE / 8)
		s += q[i];
	sink = s;
}

/* ---- one run of each measurement, returning its figure ------------------ */

static const enum method clearers[] = { M_STOSB, M_STOSQ, M_MOVNTI };
#define NCLEARERS (sizeof(clearers) / sizeof(clearers[0]))

/* ns per page */
static double run_clear(enum method m)
{
	uint64_t total = 0;
	int b;

	for (b = 0; b < CLEAR_BATCHES; b++) {
		char *p = next_batch();
		uint64_t t0 = now_ns();

		clear_batch(m, p);
		total += now_ns() - t0;
	}
	return (double)total / (CLEAR_BATCHES * BATCH);
}

/* ns per page of writing freshly cleared pages, used at once or late */
static double run_use(enum method m, bool late, int batches)
{
	uint64_t total = 0;
	int b;

	for (b = 0; b < batches; b++) {
		char *p = next_batch();
		uint64_t t0;

		clear_batch(m, p);
		if (late)
			evict_caches();
		t0 = now_ns();
		use_batch(p, (uint64_t)b << 32);
		total += now_ns() - t0;
	}
	return (double)total / ((double)batches * BATCH);
}

/* ns per read pass over the working set, a batch cleared before each */
static double run_pollution(enum method m, const char *ws, unsigned long ws_bytes)
{
	uint64_t total = 0;
	int i;

	read_pass(ws, ws_bytes);
	read_pass(ws, ws_bytes);
	for (i = 0; i < POLL_PASSES; i++) {
		uint64_t t0;

		clear_batch(m, next_batch());
		t0 = now_ns();
		read_pass(ws, ws_bytes);
		total += now_ns() - t0;
	}
	return (double)total / POLL_PASSES;
}

/* ---- results ------------------------------------------------------------ */

struct result {
	char metric[48];
	const char *method;
	const char *unit;
	double *runs;
	double min, median;
};

static struct result results[32];
static int nresults;
static int nruns = 7;

static struct result *new_result(const char *metric, enum method m,
				 const char *unit)
{
	struct result *r = &results[nresults++];

	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->method = method_name[m];
	r->unit = unit;
	r->runs = calloc((size_t)nruns, sizeof(double));
	if (!r->runs)
		abort();
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void summarize(struct result *r)
{
	double *s = calloc((size_t)nruns, sizeof(double));

	if (!s)
		abort();
	memcpy(s, r->runs, (size_t)nruns * sizeof(double));
	qsort(s, (size_t)nruns, sizeof(double), cmp_double);
	r->min = s[0];
	r->median = nruns % 2 ? s[nruns / 2]
			      : (s[nruns / 2 - 1] + s[nruns / 2]) / 2;
	free(s);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void usage(FILE *f)
{
	fprintf(f, "usage: zerobench [-c CPU] [-r RUNS] [-w KIB] [-m MIB] [-j]\n");
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = (int)ncpu - 1, opt, run, w, nws;
	unsigned long ws_kib = 256, buf_mib = 0, l2, llc, llc_used, ws_sizes[2];
	bool json = false;
	cpu_set_t set;
	char *ws;
	uint64_t t_start = now_ns();

	while ((opt = getopt(argc, argv, "c:r:w:m:jh")) != -1) {
		switch (opt) {
		case 'c': cpu = atoi(optarg); break;
		case 'r': nruns = atoi(optarg); break;
		case 'w': ws_kib = strtoul(optarg, NULL, 10); break;
		case 'm': buf_mib = strtoul(optarg, NULL, 10); break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || nruns < 1 || ws_kib < 4 || cpu < 0) {
		usage(stderr);
		return 2;
	}

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "zerobench: pin to CPU %d: %s\n", cpu,
			strerror(errno));
		return 1;
	}

	read_cpuinfo();
	read_caches(&l2, &llc);
	llc_used = llc ? llc : 64 * MIB;	/* a guess when sysfs says nothing */
	if (!buf_mib) {
		buf_mib = 4 * llc_used / MIB;
		if (buf_mib < 256)
			buf_mib = 256;
	}
	buf_pages = buf_mib * MIB / PAGE;
	buf_pages -= buf_pages % BATCH;
	if (buf_pages < BATCH) {
		fprintf(stderr, "zerobench: -m too small\n");
		return 2;
	}
	if (buf_pages * PAGE < 4 * llc_used)
		fprintf(stderr, "zerobench: warning: buffer (%lu MiB) is less "
			"than 4x the LLC (%lu MiB); cleared pages may be cached\n",
			buf_pages * PAGE / MIB, llc_used / MIB);
	evict_bytes = 2 * llc_used;

	nws = 0;
	ws_sizes[nws++] = ws_kib * 1024;
	if (l2 && l2 != ws_kib * 1024)
		ws_sizes[nws++] = l2;

	fprintf(stderr, "zerobench: CPU %d, mapping %lu + %lu MiB\n", cpu,
		buf_pages * PAGE / MIB, evict_bytes / MIB);
	buf = map_buffer(buf_pages * PAGE);
	evict = map_buffer(evict_bytes);
	ws = map_buffer(ws_sizes[0] > ws_sizes[nws - 1] ? ws_sizes[0]
							: ws_sizes[nws - 1]);
	memset(ws, 1, ws_sizes[0] > ws_sizes[nws - 1] ? ws_sizes[0]
						       : ws_sizes[nws - 1]);

	/* warm-up: one pass through the buffer with each method */
	for (size_t i = 0; i < NCLEARERS; i++)
		for (unsigned long p = 0; p < buf_pages; p += BATCH)
			clear_batch(clearers[i], next_batch());

	/* runs are interleaved across methods so drift hits all of them */
	{
		struct result *r[NCLEARERS];
		size_t i;

		fprintf(stderr, "zerobench: clear\n");
		for (i = 0; i < NCLEARERS; i++)
			r[i] = new_result("clear", clearers[i], "ns/page");
		for (run = 0; run < nruns; run++)
			for (i = 0; i < NCLEARERS; i++)
				r[i]->runs[run] = run_clear(clearers[i]);

		fprintf(stderr, "zerobench: use-soon\n");
		for (i = 0; i < NCLEARERS; i++)
			r[i] = new_result("use-soon", clearers[i], "ns/page");
		for (run = 0; run < nruns; run++)
			for (i = 0; i < NCLEARERS; i++)
				r[i]->runs[run] = run_use(clearers[i], false,
							  SOON_BATCHES);

		fprintf(stderr, "zerobench: use-late\n");
		for (i = 0; i < NCLEARERS; i++)
			r[i] = new_result("use-late", clearers[i], "ns/page");
		for (run = 0; run < nruns; run++)
			for (i = 0; i < NCLEARERS; i++)
				r[i]->runs[run] = run_use(clearers[i], true,
							  LATE_BATCHES);
	}
	for (w = 0; w < nws; w++) {
		struct result *r[M_COUNT];
		char metric[48];
		int m;

		snprintf(metric, sizeof(metric), "pollution %lu KiB%s",
			 ws_sizes[w] / 1024,
			 ws_sizes[w] == l2 ? " (L2)" : "");
		fprintf(stderr, "zerobench: %s\n", metric);
		for (m = 0; m < M_COUNT; m++)
			r[m] = new_result(metric, (enum method)m, "ns/pass");
		for (run = 0; run < nruns; run++)
			for (m = 0; m < M_COUNT; m++)
				r[m]->runs[run] = run_pollution((enum method)m,
								ws, ws_sizes[w]);
	}
	for (int i = 0; i < nresults; i++)
		summarize(&results[i]);

	if (json) {
		printf("{\"cpu_model\":");
		json_string(cpu_model);
		printf(",\"erms\":%s,\"fsrm\":%s,\"hypervisor\":%s",
		       has_erms ? "true" : "false", has_fsrm ? "true" : "false",
		       has_hypervisor ? "true" : "false");
		printf(",\"cpu\":%d,\"l2_bytes\":%lu,\"llc_bytes\":%lu", cpu, l2,
		       llc);
		printf(",\"buffer_bytes\":%lu,\"evict_bytes\":%lu,\"batch_pages\":%lu",
		       buf_pages * PAGE, evict_bytes, BATCH);
		printf(",\"runs\":%d,\"seconds\":%.1f,\"results\":[", nruns,
		       (double)(now_ns() - t_start) / 1e9);
		for (int i = 0; i < nresults; i++) {
			struct result *r = &results[i];

			printf("%s{\"metric\":", i ? "," : "");
			json_string(r->metric);
			printf(",\"method\":\"%s\",\"min\":%.1f,\"median\":%.1f,"
			       "\"unit\":\"%s\",\"runs\":[",
			       r->method, r->min, r->median, r->unit);
			for (run = 0; run < nruns; run++)
				printf("%s%.1f", run ? "," : "", r->runs[run]);
			printf("]}");
		}
		printf("]}\n");
		return 0;
	}

	printf("CPU: %s (pinned to CPU %d of %ld)\n", cpu_model, cpu, ncpu);
	printf("flags: erms %s, fsrm %s%s\n", has_erms ? "yes" : "no",
	       has_fsrm ? "yes" : "no",
	       has_hypervisor ? "; hypervisor flag set (a virtual machine)" : "");
	printf("caches: L2 %lu KiB, LLC %lu KiB; buffer %lu MiB of 4 KiB pages, "
	       "evict %lu MiB; batch %lu pages; %d runs; %.1f s\n\n",
	       l2 / 1024, llc / 1024, buf_pages * PAGE / MIB, evict_bytes / MIB,
	       BATCH, nruns, (double)(now_ns() - t_start) / 1e9);
	printf("| metric | method | min | median | unit |\n");
	printf("|---|---|---:|---:|---|\n");
	for (int i = 0; i < nresults; i++)
		printf("| %s | %s | %.1f | %.1f | %s |\n", results[i].metric,
		       results[i].method, results[i].min, results[i].median,
		       results[i].unit);
	return 0;
}
