// SPDX-License-Identifier: GPL-2.0
/*
 * fabench: fault-around benchmark workloads, one JSON line per run.
 *
 *   fabench anon-seq             write one byte per page of a fresh 64 MiB
 *                                MADV_NOHUGEPAGE private anonymous mapping
 *   fabench anon-sparse STRIDE   the same, one page in STRIDE
 *   fabench forkexec COUNT       COUNT fork+execve of "fabench child"
 *   fabench child                touch a little heap and stack, exit
 *
 * Keys: pages (touched), faults (hardware traps: perf's software
 * PAGE_FAULTS event, which the module's extra handler calls do not
 * bump), faults_per_page, rss_pages (growth of Anonymous in smaps_rollup
 * while touching), rss_per_page, touch_ns (CLOCK_MONOTONIC around the touch
 * loop), ns (mmap to munmap, less the time spent reading smaps) and
 * their per-page values.  forkexec gives
 * procs, faults, faults_per_proc (a counter with inherit=1 over the
 * children), ns and ns_per_proc.
 *
 * Under QEMU -icount shift=0,sleep=off a guest nanosecond is one guest
 * instruction: the caller knows which clock it ran under and labels it.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PS		4096UL
#define MAP_BYTES	(64UL << 20)

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int perf_open(int inherit)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.exclude_hv = 1;
	a.inherit = inherit;
	fd = syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		die("perf_event_open");
	return fd;
}

static uint64_t count(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		die("read perf counter");
	return v;
}

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Anonymous RSS from smaps_rollup (a page-table walk, exact), in pages. */
static long rss_pages(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		die("/proc/self/smaps_rollup");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Anonymous: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb / 4;
}

static int anon(const char *name, unsigned long stride)
{
	const size_t n = MAP_BYTES / PS;
	uint64_t f0, f1, t0, t1, t2, t3, t4;
	size_t i, pages = 0;
	long r0, r1;
	char *m;
	int fd = perf_open(0);

	rss_pages();	/* the first call grows the heap */
	r0 = rss_pages();
	f0 = count(fd);
	t0 = ns();
	m = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	if (madvise(m, MAP_BYTES, MADV_NOHUGEPAGE))
		die("madvise");
	t1 = ns();
	for (i = 0; i < n; i += stride) {
		*(volatile char *)(m + i * PS) = 1;
		pages++;
	}
	t2 = ns();
	/* reading smaps walks the page tables: keep it out of the times */
	f1 = count(fd);
	r1 = rss_pages();
	t3 = ns();
	munmap(m, MAP_BYTES);
	t4 = ns();
	printf("{\"mode\":\"%s\",\"stride\":%lu,\"pages\":%zu,\"faults\":%llu,"
	       "\"faults_per_page\":%.4f,\"rss_pages\":%ld,\"rss_per_page\":%.4f,"
	       "\"touch_ns\":%llu,\"touch_ns_per_page\":%.1f,"
	       "\"ns\":%llu,\"ns_per_page\":%.1f}\n",
	       name, stride, pages, (unsigned long long)(f1 - f0),
	       (double)(f1 - f0) / pages, r1 - r0, (double)(r1 - r0) / pages,
	       (unsigned long long)(t2 - t1), (double)(t2 - t1) / pages,
	       (unsigned long long)(t2 - t0 + t4 - t3),
	       (double)(t2 - t0 + t4 - t3) / pages);
	return 0;
}

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

static int forkexec(long procs)
{
	char *argv[] = { "fabench", "child", NULL };
	char *envp[] = { NULL };
	uint64_t f0, f1, t0, t1;
	int fd = perf_open(1);
	long i, failed = 0;

	f0 = count(fd);
	t0 = ns();
	for (i = 0; i < procs; i++) {
		pid_t pid = vfork();
		int st;

		if (pid < 0)
			die("vfork");
		if (pid == 0) {
			execve("/proc/self/exe", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failed++;
	}
	t1 = ns();
	f1 = count(fd);
	printf("{\"mode\":\"forkexec\",\"procs\":%ld,\"failed\":%ld,"
	       "\"faults\":%llu,\"faults_per_proc\":%.1f,"
	       "\"ns\":%llu,\"ns_per_proc\":%.0f}\n",
	       procs, failed, (unsigned long long)(f1 - f0),
	       (double)(f1 - f0) / procs, (unsigned long long)(t1 - t0),
	       (double)(t1 - t0) / procs);
	return failed ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fabench anon-seq | anon-sparse STRIDE | forkexec COUNT | child\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "child"))
		return child();
	if (argc == 2 && !strcmp(argv[1], "anon-seq"))
		return anon("anon-seq", 1);
	if (argc == 3 && !strcmp(argv[1], "anon-sparse") && atol(argv[2]) > 0)
		return anon("anon-sparse", atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "forkexec") && atol(argv[2]) > 0)
		return forkexec(atol(argv[2]));
	usage();
	return 2;
}
