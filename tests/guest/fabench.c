// SPDX-License-Identifier: GPL-2.0
/*
 * fabench: the benchmark workloads, one JSON line per run.  The suite
 * (tests/bench, tests/guest/bench.sh) runs them; they also run alone.
 *
 *   fabench anon [-m MIB] [-s STRIDE] [-t N | -p N] [-P map|madv] [-n]
 *                [-c PAGES -g USEC] [-K]
 *       N threads (default 1) or N processes each map MIB/N of private
 *       anonymous memory, write one byte per STRIDE pages, and unmap:
 *       will-it-scale's page_fault1.  -P map: MAP_POPULATE, -P madv:
 *       MADV_POPULATE_WRITE instead of touching.  -n: MADV_NOHUGEPAGE
 *       (otherwise THP follows /sys/kernel/mm/transparent_hugepage).
 *       -c/-g: pause USEC after every PAGES pages (a steady fault rate).
 *       -K: also count the zero pools' threads (fastfault/N and
 *       fastfault-huge/N): their CPU
 *       time over the run, and how long after the unmap they take to go
 *       back to sleep (the refill).
 *   fabench file KIND [-m MIB] [-P map]
 *       KIND: priv-read, priv-write (COW), shared-read, shared-write over
 *       a MIB file in /dev/shm (tmpfs), created before counting:
 *       page_fault2 (private) and page_fault3 (shared) shapes.
 *   fabench spawn N COMMAND [ARG]...
 *       N times fork+exec COMMAND (PATH searched) and wait.
 *   fabench anon-seq | anon-sparse STRIDE | forkexec N   (older forms:
 *       anon -n -m 64 [-s STRIDE]; N x fork+exec of "fabench child")
 *   fabench child        touch a little heap and stack, exit
 *   fabench now          CLOCK_MONOTONIC in ns
 *   fabench poolwait     wait until the zero pools' threads sleep
 *
 * Keys: pages (touched), faults (hardware traps: perf's software
 * PAGE_FAULTS event, which fastfault's extra handler calls do not bump),
 * rss_pages (growth of Anonymous -- Rss for file -- in smaps_rollup while
 * touching), ns (CLOCK_MONOTONIC from before the workers start to after
 * they are gone, less the smaps reads), task_ns (perf's task-clock of this
 * process, its threads and children), cycles (hardware CPU cycles of the
 * same, when the CPU exposes them; absent otherwise), and per-page
 * (per-process for spawn) values of each.  Counters inherit into threads
 * and children.
 *
 * Under QEMU -icount shift=0,sleep=off a guest nanosecond is one guest
 * instruction, summed over the vCPUs: ns is then the whole guest's
 * instructions over the run (idle sleeps aside).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PS		4096UL
#define MAXW		64

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* ---- counters ---- */

struct counters {
	int faults, task, cycles;	/* perf fds; cycles -1 if absent */
};

struct sample {
	uint64_t faults, task, cycles, ns;
};

static int perf_open(uint32_t type, uint64_t config, int must)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.size = sizeof(a);
	a.config = config;
	a.exclude_hv = 1;
	a.inherit = 1;
	fd = syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0 && must)
		die("perf_event_open");
	return fd;
}

static void counters_open(struct counters *c)
{
	c->faults = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 1);
	c->task = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 1);
	c->cycles = perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0);
}

static uint64_t rd(int fd)
{
	uint64_t v;

	if (fd < 0)
		return 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		die("read perf counter");
	return v;
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sample(const struct counters *c, struct sample *s)
{
	s->faults = rd(c->faults);
	s->task = rd(c->task);
	s->cycles = rd(c->cycles);
	s->ns = now();
}

/* d += b - a */
static void add_delta(struct sample *d, const struct sample *a,
		      const struct sample *b)
{
	d->faults += b->faults - a->faults;
	d->task += b->task - a->task;
	d->cycles += b->cycles - a->cycles;
	d->ns += b->ns - a->ns;
}

/* The common keys: totals less what the smaps reads cost. */
static void print_counts(const struct counters *c, const struct sample *tot,
			 const char *unit, double n)
{
	printf("\"faults\":%llu,\"faults_per_%s\":%.4f,"
	       "\"ns\":%llu,\"ns_per_%s\":%.1f,"
	       "\"task_ns\":%llu,\"task_ns_per_%s\":%.1f",
	       (unsigned long long)tot->faults, unit, tot->faults / n,
	       (unsigned long long)tot->ns, unit, tot->ns / n,
	       (unsigned long long)tot->task, unit, tot->task / n);
	if (c->cycles >= 0)
		printf(",\"cycles\":%llu,\"cycles_per_%s\":%.1f",
		       (unsigned long long)tot->cycles, unit, tot->cycles / n);
}

/* ---- memory ---- */

/* A smaps_rollup field of PID (0: self) in pages; a page-table walk. */
static long smaps_pages(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long kb = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps_rollup");
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			kb = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb / 4;
}

/* ---- the zero pool's threads ---- */

static pid_t pool_pids[64];
static int npool;

static void pool_find(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], comm[64];

	if (!d)
		die("/proc");
	while ((e = readdir(d)) && npool < 64) {
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    (!strncmp(comm, "fastfault/", 10) ||
		     !strncmp(comm, "fastfault-huge/", 15)))
			pool_pids[npool++] = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
}

/* CPU time of the pool threads so far (schedstat: sum_exec_runtime). */
static uint64_t pool_cpu_ns(void)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < npool; i++) {
		char path[64];
		unsigned long long v = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pool_pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &v) == 1)
			sum += v;
		fclose(f);
	}
	return sum;
}

/* Are all pool threads asleep (state S or I)? */
static int pool_idle(void)
{
	int i;

	for (i = 0; i < npool; i++) {
		char path[64], buf[256], *p;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pool_pids[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] != 'S' && p[2] != 'I')
			return 0;
	}
	return 1;
}

/* ---- anonymous ---- */

struct anon_opts {
	size_t bytes;
	unsigned long stride;
	int workers, procs, populate, nohuge, pool;
	unsigned long chunk, gap_us;
};

static struct anon_opts ao;
static int p_ready[2], p_start[2], p_done[2], p_go[2];
static size_t *w_pages;		/* shared with the worker processes */

static void put(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("pipe write");
}

static void get(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("pipe read");
}

static void *anon_worker(void *arg)
{
	long idx = (long)arg;
	size_t size = ao.bytes / ao.workers, i, n = size / PS, pages = 0;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *m;

	if (ao.populate == 1)
		flags |= MAP_POPULATE;
	put(p_ready[1]);
	get(p_start[0]);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	if (ao.nohuge && madvise(m, size, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	if (ao.populate == 2 && madvise(m, size, MADV_POPULATE_WRITE))
		die("madvise(MADV_POPULATE_WRITE)");
	for (i = 0; i < n; i += ao.stride) {
		if (!ao.populate)
			*(volatile char *)(m + i * PS) = 1;
		pages++;
		if (ao.chunk && pages % ao.chunk == 0) {
			struct timespec ts = {
				.tv_sec = ao.gap_us / 1000000,
				.tv_nsec = (ao.gap_us % 1000000) * 1000,
			};
			nanosleep(&ts, NULL);
		}
	}
	w_pages[idx] = pages;
	put(p_done[1]);
	get(p_go[0]);
	munmap(m, size);
	return NULL;
}

static int anon(const char *name)
{
	pthread_t th[MAXW];
	pid_t pid[MAXW];
	struct counters c;
	struct sample s0, s1, a, b, excl = { 0 }, tot = { 0 };
	uint64_t t_start, t_done, pool0 = 0, pool1 = 0, t_end = 0, t_idle = 0;
	long rss0 = 0, rss1 = 0;
	size_t pages = 0;
	int w;

	if (pipe(p_ready) || pipe(p_start) || pipe(p_done) || pipe(p_go))
		die("pipe");
	w_pages = mmap(NULL, PS, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w_pages == MAP_FAILED)
		die("mmap");
	if (ao.pool)
		pool_find();
	smaps_pages(0, "Anonymous");	/* the first call grows the heap */
	counters_open(&c);
	if (ao.pool)
		pool0 = pool_cpu_ns();

	sample(&c, &s0);
	for (w = 0; w < ao.workers; w++) {
		if (ao.procs) {
			pid[w] = fork();
			if (pid[w] < 0)
				die("fork");
			if (!pid[w]) {
				anon_worker((void *)(long)w);
				_exit(0);
			}
		} else if (pthread_create(&th[w], NULL, anon_worker,
					  (void *)(long)w)) {
			die("pthread_create");
		}
	}
	for (w = 0; w < ao.workers; w++)
		get(p_ready[0]);

	sample(&c, &a);
	if (ao.procs)
		for (w = 0; w < ao.workers; w++)
			rss0 += smaps_pages(pid[w], "Anonymous");
	else
		rss0 = smaps_pages(0, "Anonymous");
	sample(&c, &b);
	add_delta(&excl, &a, &b);

	t_start = now();
	for (w = 0; w < ao.workers; w++)
		put(p_start[1]);
	for (w = 0; w < ao.workers; w++)
		get(p_done[0]);
	t_done = now();

	sample(&c, &a);
	if (ao.procs)
		for (w = 0; w < ao.workers; w++)
			rss1 += smaps_pages(pid[w], "Anonymous");
	else
		rss1 = smaps_pages(0, "Anonymous");
	sample(&c, &b);
	add_delta(&excl, &a, &b);

	for (w = 0; w < ao.workers; w++)
		put(p_go[1]);
	for (w = 0; w < ao.workers; w++) {
		if (ao.procs) {
			int st;

			if (waitpid(pid[w], &st, 0) != pid[w] ||
			    !WIFEXITED(st) || WEXITSTATUS(st))
				die("worker");
		} else {
			pthread_join(th[w], NULL);
		}
		pages += w_pages[w];
	}
	sample(&c, &s1);
	if (ao.pool) {
		/* the work the pool moved: refilling after the workload */
		t_end = now();
		while (!pool_idle()) {
			/* sparse polls: on one CPU each one delays the thread */
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
		}
		t_idle = now();
		pool1 = pool_cpu_ns();
	}

	add_delta(&tot, &s0, &s1);
	tot.faults -= excl.faults;
	tot.task -= excl.task;
	tot.cycles -= excl.cycles;
	tot.ns -= excl.ns;
	if (!pages)
		pages = 1;
	printf("{\"mode\":\"%s\",\"stride\":%lu,\"workers\":%d,\"procs\":%d,"
	       "\"populate\":%d,\"pages\":%zu,", name, ao.stride, ao.workers,
	       ao.procs, ao.populate, pages);
	print_counts(&c, &tot, "page", pages);
	printf(",\"rss_pages\":%ld,\"rss_per_page\":%.4f,"
	       "\"touch_ns\":%llu,\"touch_ns_per_page\":%.1f",
	       rss1 - rss0, (double)(rss1 - rss0) / pages,
	       (unsigned long long)(t_done - t_start),
	       (double)(t_done - t_start) / pages);
	if (ao.pool)
		printf(",\"pool_threads\":%d,\"pool_cpu_ns\":%llu,"
		       "\"pool_cpu_ns_per_page\":%.1f,\"refill_ns\":%llu",
		       npool, (unsigned long long)(pool1 - pool0),
		       (double)(pool1 - pool0) / pages,
		       (unsigned long long)(t_idle - t_end));
	printf("}\n");
	return 0;
}

static int anon_main(int argc, char **argv)
{
	int o;

	ao.bytes = 64UL << 20;
	ao.stride = 1;
	ao.workers = 1;
	while ((o = getopt(argc, argv, "m:s:t:p:P:nc:g:K")) != -1) {
		switch (o) {
		case 'm': ao.bytes = strtoul(optarg, NULL, 0) << 20; break;
		case 's': ao.stride = strtoul(optarg, NULL, 0); break;
		case 't': ao.workers = atoi(optarg); ao.procs = 0; break;
		case 'p': ao.workers = atoi(optarg); ao.procs = 1; break;
		case 'P':
			if (!strcmp(optarg, "map"))
				ao.populate = 1;
			else if (!strcmp(optarg, "madv"))
				ao.populate = 2;
			else
				return 2;
			break;
		case 'n': ao.nohuge = 1; break;
		case 'c': ao.chunk = strtoul(optarg, NULL, 0); break;
		case 'g': ao.gap_us = strtoul(optarg, NULL, 0); break;
		case 'K': ao.pool = 1; break;
		default: return 2;
		}
	}
	if (!ao.bytes || !ao.stride || ao.workers < 1 || ao.workers > MAXW)
		return 2;
	return anon("anon");
}

/* ---- file ---- */

static int file_main(int argc, char **argv)
{
	const char *kind;
	size_t bytes = 32UL << 20, i, n, pages = 0;
	int o, populate = 0, shared, write_, fd, flags;
	struct counters c;
	struct sample s0, s1, a, b, tot = { 0 };
	char path[64];
	struct stat st;
	long rss0, rss1;
	char *m;

	if (argc < 2)
		return 2;
	kind = argv[1];
	optind = 2;
	while ((o = getopt(argc, argv, "m:P:")) != -1) {
		switch (o) {
		case 'm': bytes = strtoul(optarg, NULL, 0) << 20; break;
		case 'P': populate = !strcmp(optarg, "map"); break;
		default: return 2;
		}
	}
	if (!strcmp(kind, "priv-read")) {
		shared = 0; write_ = 0;
	} else if (!strcmp(kind, "priv-write")) {
		shared = 0; write_ = 1;
	} else if (!strcmp(kind, "shared-read")) {
		shared = 1; write_ = 0;
	} else if (!strcmp(kind, "shared-write")) {
		shared = 1; write_ = 1;
	} else {
		return 2;
	}
	n = bytes / PS;
	/* the file, in the page cache before counting */
	snprintf(path, sizeof(path), "/dev/shm/fabench-%zu", bytes >> 20);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		die(path);
	if (fstat(fd, &st))
		die("fstat");
	if ((size_t)st.st_size != bytes) {
		static char buf[PS];

		memset(buf, 7, sizeof(buf));
		if (ftruncate(fd, 0))
			die("ftruncate");
		for (i = 0; i < n; i++)
			if (write(fd, buf, PS) != PS)
				die("write");
	}
	smaps_pages(0, "Rss");
	counters_open(&c);

	rss0 = smaps_pages(0, "Rss");
	sample(&c, &s0);
	flags = (shared ? MAP_SHARED : MAP_PRIVATE) | (populate ? MAP_POPULATE : 0);
	/* read workloads map read-only, as a reader would (and populate) */
	m = mmap(NULL, bytes, write_ ? PROT_READ | PROT_WRITE : PROT_READ,
		 flags, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	b = s0;
	for (i = 0; i < n; i++) {
		if (write_)
			*(volatile char *)(m + i * PS) = 1;
		else
			(void)*(volatile char *)(m + i * PS);
		pages++;
	}
	sample(&c, &a);
	add_delta(&tot, &b, &a);
	rss1 = smaps_pages(0, "Rss");
	sample(&c, &b);
	munmap(m, bytes);
	sample(&c, &s1);
	add_delta(&tot, &b, &s1);
	close(fd);

	printf("{\"mode\":\"file-%s\",\"populate\":%d,\"pages\":%zu,", kind,
	       populate, pages);
	print_counts(&c, &tot, "page", pages);
	printf(",\"rss_pages\":%ld,\"rss_per_page\":%.4f}\n", rss1 - rss0,
	       (double)(rss1 - rss0) / pages);
	return 0;
}

/* ---- processes ---- */

/* The process forkexec starts: a little heap and stack. */
static int child(void)
{
	volatile char stack[32 * 1024];
	char *heap = malloc(64 * 1024);
	size_t i;

	if (!heap)
		return 1;
	for (i = 0; i < sizeof(stack); i += 512)
		stack[i] = (char)i;
	memset(heap, 1, 64 * 1024);
	return stack[512] + heap[100] == 1 ? 0 : 1;
}

static int spawn(const char *name, long procs, char **argv, int path)
{
	struct counters c;
	struct sample s0, s1, tot = { 0 };
	volatile long i, failed = 0;

	counters_open(&c);
	sample(&c, &s0);
	for (i = 0; i < procs; i++) {
		pid_t pid = vfork();
		int st;

		if (pid < 0)
			die("vfork");
		if (pid == 0) {
			if (path)
				execvp(argv[0], argv);
			else
				execv("/proc/self/exe", argv);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failed++;
	}
	sample(&c, &s1);
	add_delta(&tot, &s0, &s1);
	printf("{\"mode\":\"%s\",\"procs\":%ld,\"failed\":%ld,", name, procs,
	       failed);
	print_counts(&c, &tot, "proc", procs);
	printf("}\n");
	return failed ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fabench anon [-m MIB] [-s STRIDE] [-t N|-p N] [-P map|madv] [-n] [-c PAGES -g USEC] [-K]\n"
		"       fabench file priv-read|priv-write|shared-read|shared-write [-m MIB] [-P map]\n"
		"       fabench spawn N COMMAND [ARG]...\n"
		"       fabench anon-seq | anon-sparse STRIDE | forkexec N | child | now | poolwait\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *child_argv[] = { "fabench", "child", NULL };
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (argc == 2 && !strcmp(argv[1], "child"))
		return child();
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%llu\n", (unsigned long long)now());
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "poolwait")) {
		/* until the pool's threads sleep (filled), 10 s at most */
		struct timespec ts = { 0, 1000000 };
		int i;

		pool_find();
		for (i = 0; i < 10000; i++) {
			nanosleep(&ts, NULL);
			if (i >= 5 && pool_idle())
				return 0;
		}
		return 1;
	}
	if (!strcmp(argv[1], "anon")) {
		rc = anon_main(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "file")) {
		rc = file_main(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "spawn") && argc >= 4 && atol(argv[2]) > 0) {
		rc = spawn("spawn", atol(argv[2]), argv + 3, 1);
	} else if (argc == 2 && !strcmp(argv[1], "anon-seq")) {
		ao = (struct anon_opts){ .bytes = 64UL << 20, .stride = 1,
					 .workers = 1, .nohuge = 1 };
		rc = anon("anon-seq");
	} else if (argc == 3 && !strcmp(argv[1], "anon-sparse") &&
		   atol(argv[2]) > 0) {
		ao = (struct anon_opts){ .bytes = 64UL << 20,
					 .stride = atol(argv[2]),
					 .workers = 1, .nohuge = 1 };
		rc = anon("anon-sparse");
	} else if (argc == 3 && !strcmp(argv[1], "forkexec") &&
		   atol(argv[2]) > 0) {
		rc = spawn("forkexec", atol(argv[2]), child_argv, 0);
	}
	if (rc == 2)
		usage();
	return rc;
}
