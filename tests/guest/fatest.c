// SPDX-License-Identifier: GPL-2.0
/*
 * fatest: guest-side tests for anonymous fault-around, TAP output.
 *
 *   fatest semantics N   memory semantics must not change (N = the
 *                        fault-around configured now; it only picks which
 *                        assertions apply)
 *   fatest seqfaults N   traps per page of a sequential write stream
 *   fatest old N         pages prefaulted ahead of a stream and never
 *                        touched are mapped old (not Referenced)
 *   fatest softdirty N   after clear_refs, only the pages written are
 *                        soft-dirty; fresh mappings still get windows
 *   fatest sparse STRIDE touch 1 page in STRIDE: no RSS bloat
 *   fatest memcg PCT     touch PCT% of this cgroup's memory.max
 *   fatest uffd-hold SECONDS  keep a fault asleep in the kernel that long
 *   fatest memcg-margin KB  touch pages in sequence until the cgroup is
 *                        within KB KiB of its memory.max
 *   fatest memcg-threads KB  the same with 8 threads writing at once
 *   fatest loop SECONDS  fault, verify and unmap fresh mappings until time
 *                        is up
 *
 * Traps are counted with perf's software PAGE_FAULTS event on this task:
 * the module's extra handle_mm_fault() calls are not traps and do not
 * show there (they do in /proc/vmstat pgfault and getrusage).  Every test
 * mapping is MADV_NOHUGEPAGE: Debian's THP=always would hide 4 KiB faults.
 *
 * Exit status: 0 if every test passed, 1 if one failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PS	4096UL
#define MiB	(1024UL * 1024UL)

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	0x01
#endif

static unsigned int N = 1;	/* fault-around configured */

/* ---- TAP ---- */

#include "ttap.h"

static int done_testing(void)
{
	printf("1..%d\n", tests);
	if (failed)
		diag("%d of %d failed", failed, tests);
	fflush(stdout);
	return failed ? 1 : 0;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bail(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(e));
	fflush(stdout);
	exit(1);
}

/* ---- counting ---- */

static int perf_fd = -1;

static void perf_init(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.exclude_hv = 1;
	perf_fd = syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
	if (perf_fd < 0)
		bail("perf_event_open(PERF_COUNT_SW_PAGE_FAULTS)");
}

/* Traps taken by this thread so far. */
static uint64_t traps(void)
{
	uint64_t v;

	if (read(perf_fd, &v, sizeof(v)) != sizeof(v))
		bail("read perf counter");
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Anonymous RSS in pages, exact: smaps walks the page tables (statm and
 * status lag behind per-CPU or per-task caches).  Anonymous only: code
 * pages the file fault-around maps while we run are not what we measure.
 */
static long rss_pages(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		bail("open /proc/self/smaps_rollup");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Anonymous: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		bail("no Anonymous in smaps_rollup");
	return kb / 4;
}

/* Resident pages among [first, first + n) of the mapping at @base. */
static size_t resident(char *base, size_t first, size_t n)
{
	static unsigned char vec[16384];
	size_t i, r = 0;

	if (n > sizeof(vec))
		bail("resident: %zu pages", n);
	if (mincore(base + first * PS, n * PS, vec))
		bail("mincore");
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	return r;
}

static int is_resident(char *base, size_t page)
{
	return resident(base, page, 1) == 1;
}

/* ---- mappings and patterns ---- */

static char *map_anon(size_t pages)
{
	char *p = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail("mmap %zu pages", pages);
	if (madvise(p, pages * PS, MADV_NOHUGEPAGE))
		bail("madvise(MADV_NOHUGEPAGE)");
	return p;
}

static uint64_t seed = 0x5eed;

/* Page i holds tag(i) at off(i), zeros elsewhere. */
static size_t off(size_t i)
{
	return (i * 72) % PS & ~7UL;
}

static uint64_t tag(size_t i)
{
	return 0xfa57fa0000000000ULL ^ (seed << 24) ^ (i + 1);
}

static void put(char *base, size_t i)
{
	*(volatile uint64_t *)(base + i * PS + off(i)) = tag(i);
}

static const char zero_page[PS];

/* Is page @p zero except maybe the 8 bytes at @o (-1: none)? */
static int zero_except(const char *p, long o)
{
	if (o < 0)
		return !memcmp(p, zero_page, PS);
	return !memcmp(p, zero_page, o) &&
	       !memcmp(p + o + 8, zero_page, PS - o - 8);
}

/*
 * Check pages [0, n) of @base: pages with touched[i] hold their tag and
 * zeros, the rest zeros.  Returns the number of bad pages; the first few
 * are reported.
 */
static size_t verify(const char *what, char *base, size_t n,
		     const unsigned char *touched)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		char *p = base + i * PS;
		int good;

		if (touched[i])
			good = *(uint64_t *)(p + off(i)) == tag(i) &&
			       zero_except(p, off(i));
		else
			good = zero_except(p, -1);
		if (!good && bad++ < 4)
			diag("%s: page %zu (%s) holds %#llx at %zu", what, i,
			     touched[i] ? "written" : "untouched",
			     (unsigned long long)*(uint64_t *)(p + off(i)),
			     off(i));
	}
	return bad;
}

/* ---- signal probes ---- */

static __thread sigjmp_buf probe_jb;
static __thread volatile int probe_armed;

static void on_fault(int sig)
{
	if (probe_armed) {
		probe_armed = 0;
		siglongjmp(probe_jb, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_faults(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* 0 if the access went through, else the signal it raised. */
static int probe(volatile char *p, int write)
{
	int sig = sigsetjmp(probe_jb, 1);

	if (sig)
		return sig;
	probe_armed = 1;
	if (write)
		*p = 1;
	else
		(void)*p;
	probe_armed = 0;
	return 0;
}

static const char *signame(int sig)
{
	return sig == 0 ? "no signal" : sig == SIGSEGV ? "SIGSEGV" :
	       sig == SIGBUS ? "SIGBUS" : "other signal";
}

/* ---- semantics ---- */

/*
 * Sequential, reverse and strided write streams over a 1024-page
 * mapping: data intact, every page not written reads zero, the window
 * never overshoots by more than N-1 pages, and streams take fewer traps
 * than pages while strided writes get no neighbours.
 */
static void t_streams(void)
{
	const size_t n = 1024;
	static unsigned char touched[1024];
	static const struct {
		const char *name;
		size_t first, count;
		long step;
	} s[] = {
		{ "sequential", 0, 512, 1 },
		{ "reverse", 767, 512, -1 },
		{ "strided (1 in 3)", 0, 342, 3 },
	};
	unsigned int k;

	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		char *m = map_anon(n);
		uint64_t t0, t;
		size_t i, extra, pg;

		memset(touched, 0, sizeof(touched));
		t0 = traps();
		for (i = 0, pg = s[k].first; i < s[k].count;
		     i++, pg += s[k].step) {
			put(m, pg);
			touched[pg] = 1;
		}
		t = traps() - t0;
		extra = resident(m, 0, n) - s[k].count;
		diag("%s: %zu pages written, %llu traps, %zu untouched pages resident",
		     s[k].name, s[k].count, (unsigned long long)t, extra);
		ok(verify(s[k].name, m, n, touched) == 0,
		   "%s writes: data intact, untouched pages read zero",
		   s[k].name);
		if (s[k].step == 3) {
			ok(extra == 0,
			   "strided writes map no neighbours (%zu extra resident)",
			   extra);
			ok(t >= s[k].count, "strided writes: one trap per page (%llu for %zu)",
			   (unsigned long long)t, s[k].count);
		} else {
			ok(extra <= N - 1,
			   "%s writes: at most N-1 = %u pages mapped ahead (%zu)",
			   s[k].name, N - 1, extra);
			if (N > 1)
				ok(t <= s[k].count / 2,
				   "%s writes take fewer traps than pages (%llu for %zu)",
				   s[k].name, (unsigned long long)t, s[k].count);
			else
				ok(t >= s[k].count,
				   "%s writes: one trap per page when off (%llu for %zu)",
				   s[k].name, (unsigned long long)t, s[k].count);
		}
		/* and everything is still intact when read a second time */
		ok(verify(s[k].name, m, n, touched) == 0,
		   "%s: intact on a second read", s[k].name);
		munmap(m, n * PS);
	}
}

static void xwrite(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		bail("pipe write");
}

static char xread(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		bail("pipe read");
	return c;
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		bail("waitpid");
	if (WIFSIGNALED(st))
		diag("child killed by signal %d", WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * fork() with pages fault-around mapped but nobody touched: copy on
 * write must still separate parent and child, both ways.
 */
static void t_fork_cow(void)
{
	const size_t n = 64;
	char *m = map_anon(n);
	int up[2], down[2];
	size_t i, p, q, k = 12;
	pid_t pid;
	int st;

	for (i = 0; i < k; i++)
		put(m, i);
	for (p = k; p < n && !is_resident(m, p); p++)
		;
	/*
	 * A window can end exactly at the last page written (where depends
	 * on the mapping's place in its page table): write on until a trap
	 * has mapped pages ahead.
	 */
	while (N > 1 && p >= n && k < n - 16) {
		put(m, k++);
		for (p = k; p < n && !is_resident(m, p); p++)
			;
	}
	if (N > 1)
		ok(p < n, "fork: pages after the %zu written were prefaulted (first: %zu)",
		   k, p);
	if (p >= n - 1)
		p = k;
	q = p + 1;	/* prefaulted too when the window reached it */
	diag("fork: neighbour page %zu (resident %d), page %zu (resident %d)",
	     p, is_resident(m, p), q, is_resident(m, q));

	if (pipe(up) || pipe(down))
		bail("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail("fork");
	if (pid == 0) {
		int bad = 0;

		for (i = 0; i < k; i++)
			bad += *(uint64_t *)(m + i * PS + off(i)) != tag(i);
		bad += !zero_except(m + p * PS, -1);
		bad += !zero_except(m + q * PS, -1);
		put(m, p);		/* child writes the untouched neighbour */
		xwrite(up[1], 'c');
		xread(down[0]);		/* parent has written page 0 and q */
		bad += *(uint64_t *)(m + p * PS + off(p)) != tag(p);
		bad += *(uint64_t *)(m + off(0)) != tag(0);
		bad += !zero_except(m + q * PS, -1);
		_exit(bad ? 1 : 0);
	}
	xread(up[0]);
	ok(zero_except(m + p * PS, -1),
	   "fork: child's write to an untouched neighbour is not seen by the parent");
	*(uint64_t *)(m + off(0)) = ~tag(0);
	put(m, q);
	xwrite(down[1], 'p');
	st = wait_child(pid);
	ok(st == 0, "fork: child saw the parent's data before, not its writes after (status %d)",
	   st);
	ok(*(uint64_t *)(m + off(0)) == ~tag(0) &&
	   *(uint64_t *)(m + q * PS + off(q)) == tag(q) &&
	   zero_except(m + p * PS, -1),
	   "fork: parent keeps its own writes");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	munmap(m, n * PS);
}

static void t_dontneed(void)
{
	const size_t n = 256;
	static unsigned char touched[256];
	char *m = map_anon(n);
	size_t i;

	memset(touched, 1, n);
	for (i = 0; i < n; i++)
		put(m, i);
	if (madvise(m, n * PS, MADV_DONTNEED))
		bail("madvise(MADV_DONTNEED)");
	memset(touched, 0, n);
	ok(verify("dontneed", m, n, touched) == 0,
	   "MADV_DONTNEED: every page reads zero afterwards");

	/* a hole in the middle, written again in sequence into present pages */
	seed++;
	for (i = 0; i < n; i++)
		put(m, i);
	if (madvise(m + 100 * PS, 50 * PS, MADV_DONTNEED))
		bail("madvise(MADV_DONTNEED)");
	memset(touched, 1, n);
	memset(touched + 100, 0, 50);
	ok(verify("dontneed hole", m, n, touched) == 0,
	   "MADV_DONTNEED on a hole: the hole reads zero, the rest intact");
	if (madvise(m + 100 * PS, 50 * PS, MADV_DONTNEED))
		bail("madvise(MADV_DONTNEED)");
	seed++;
	for (i = 100; i < 150; i++)
		put(m, i);
	memset(touched, 0, n);
	memset(touched + 100, 1, 50);
	/* pages outside the hole hold the previous seed's tags */
	seed--;
	{
		size_t bad = 0;

		for (i = 0; i < n; i++) {
			if (i >= 100 && i < 150)
				continue;
			bad += *(uint64_t *)(m + i * PS + off(i)) != tag(i);
		}
		seed++;
		for (i = 100; i < 150; i++)
			bad += *(uint64_t *)(m + i * PS + off(i)) != tag(i) ||
			       !zero_except(m + i * PS, off(i));
		ok(bad == 0,
		   "refaulting the hole in sequence leaves present pages alone (%zu bad)",
		   bad);
	}
	munmap(m, n * PS);
}

/*
 * [0,16) RW | [16,32) PROT_NONE | [32,48) PROT_READ | [48,64) RW: writing
 * the RW parts in sequence towards the others must map nothing there,
 * and the other parts still fault.
 */
static void t_protections(void)
{
	const size_t n = 64;
	char *m = map_anon(n);
	size_t i;
	int sig;

	if (mprotect(m + 16 * PS, 16 * PS, PROT_NONE) ||
	    mprotect(m + 32 * PS, 16 * PS, PROT_READ))
		bail("mprotect");
	for (i = 0; i < 16; i++)
		put(m, i);
	for (i = 63; i >= 48; i--)
		put(m, i);
	ok(resident(m, 16, 32) == 0,
	   "PROT_NONE and read-only neighbours are not mapped (%zu resident)",
	   resident(m, 16, 32));
	sig = probe(m + 16 * PS, 1);
	ok(sig == SIGSEGV, "write to PROT_NONE neighbour: %s", signame(sig));
	sig = probe(m + 31 * PS, 0);
	ok(sig == SIGSEGV, "read of PROT_NONE neighbour: %s", signame(sig));
	sig = probe(m + 47 * PS, 1);
	ok(sig == SIGSEGV, "write to read-only neighbour: %s", signame(sig));
	sig = probe(m + 32 * PS, 1);
	ok(sig == SIGSEGV, "write to read-only page: %s", signame(sig));
	sig = probe(m + 40 * PS, 0);
	ok(sig == 0 && zero_except(m + 40 * PS, -1),
	   "read of read-only page: zero, %s", signame(sig));
	/* opening it up again: the pages are ordinary zero pages */
	if (mprotect(m, n * PS, PROT_READ | PROT_WRITE))
		bail("mprotect");
	for (i = 16; i < 48; i++)
		put(m, i);
	{
		static unsigned char touched[64];

		memset(touched, 1, n);
		ok(verify("protections", m, n, touched) == 0,
		   "after mprotect(RW) every page holds what was written");
	}
	munmap(m, n * PS);
}

static int tmpfile_fd(size_t bytes, int fill)
{
	char path[] = "/tmp/fatest.XXXXXX";
	int fd = mkstemp(path);
	char *buf;
	size_t i;

	if (fd < 0)
		bail("mkstemp");
	unlink(path);
	buf = malloc(bytes);
	for (i = 0; i < bytes; i++)
		buf[i] = fill ? (char)(i / PS + 1 + i % 7) : 0;
	if (write(fd, buf, bytes) != (ssize_t)bytes)
		bail("write %s", path);
	free(buf);
	return fd;
}

static char fbyte(size_t i)
{
	return (char)(i / PS + 1 + i % 7);
}

/* A file of 2 pages + 100 bytes, mapped 8 pages: past EOF is SIGBUS. */
static void t_file_eof(void)
{
	const size_t fsize = 2 * PS + 100;
	int fd = tmpfile_fd(fsize, 1);
	int flags[2] = { MAP_PRIVATE, MAP_SHARED };
	int k;

	for (k = 0; k < 2; k++) {
		const char *kind = k ? "MAP_SHARED" : "MAP_PRIVATE";
		char *m = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE, flags[k],
			       fd, 0);
		size_t i, bad = 0;
		int sig;

		if (m == MAP_FAILED)
			bail("mmap file");
		for (i = 0; i < 3; i++)
			m[i * PS + 50] = fbyte(i * PS + 50);	/* same byte */
		for (i = 0; i < fsize; i++)
			bad += m[i] != fbyte(i);
		for (i = fsize; i < 3 * PS; i++)
			bad += m[i] != 0;
		ok(bad == 0, "%s file: contents intact, tail of last page zero",
		   kind);
		sig = probe(m + 3 * PS, 1);
		ok(sig == SIGBUS, "%s write past EOF: %s", kind, signame(sig));
		sig = probe(m + 4 * PS + 8, 0);
		ok(sig == SIGBUS, "%s read past EOF: %s", kind, signame(sig));
		sig = probe(m + 7 * PS, 1);
		ok(sig == SIGBUS, "%s write to last page past EOF: %s", kind,
		   signame(sig));
		munmap(m, 8 * PS);
	}
	close(fd);
}

/* Writes to a MAP_PRIVATE file mapping never reach the file. */
static void t_file_private(void)
{
	const size_t n = 32;
	int fd = tmpfile_fd(n * PS, 1);
	char *m = mmap(NULL, n * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		       0);
	char *buf = malloc(n * PS);
	size_t i, bad = 0;

	if (m == MAP_FAILED)
		bail("mmap file");
	for (i = 0; i < 16; i++)
		put(m, i);
	for (i = 0; i < n * PS; i++) {
		size_t pg = i / PS;

		if (pg < 16 && i - pg * PS >= off(pg) &&
		    i - pg * PS < off(pg) + 8)
			continue;
		bad += m[i] != fbyte(i);
	}
	for (i = 0; i < 16; i++)
		bad += *(uint64_t *)(m + i * PS + off(i)) != tag(i);
	ok(bad == 0, "MAP_PRIVATE file: written pages hold the writes over the file's data, the rest the file's data (%zu bad bytes)",
	   bad);
	munmap(m, n * PS);
	if (pread(fd, buf, n * PS, 0) != (ssize_t)(n * PS))
		bail("pread");
	for (i = 0, bad = 0; i < n * PS; i++)
		bad += buf[i] != fbyte(i);
	ok(bad == 0, "MAP_PRIVATE file: the file is unchanged (%zu bad bytes)",
	   bad);
	free(buf);
	close(fd);
}

/* MAP_SHARED|MAP_ANONYMOUS: writes are seen across fork, both ways. */
static void t_shared_anon(void)
{
	const size_t n = 128;
	char *m = mmap(NULL, n * PS, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	static unsigned char touched[128];
	pid_t pid;
	size_t i;
	int st;

	if (m == MAP_FAILED)
		bail("mmap shared");
	madvise(m, n * PS, MADV_NOHUGEPAGE);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail("fork");
	if (pid == 0) {
		for (i = 0; i < 64; i++)
			put(m, i);
		_exit(0);
	}
	st = wait_child(pid);
	memset(touched, 0, n);
	memset(touched, 1, 64);
	ok(st == 0 && verify("shared", m, n, touched) == 0,
	   "shared anonymous: the parent sees the child's writes, zeros elsewhere");
	for (i = 64; i < n; i++)
		put(m, i);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail("fork");
	if (pid == 0) {
		memset(touched, 1, n);
		_exit(verify("shared child", m, n, touched) ? 1 : 0);
	}
	st = wait_child(pid);
	ok(st == 0, "shared anonymous: a child sees the parent's writes");
	munmap(m, n * PS);
}

/* ---- userfaultfd ---- */

struct uffd_ctx {
	int fd;
	volatile int stop;
	unsigned long events, copies, zeros, errors;
	char *base;
	char *src;
};

static void *uffd_handler(void *arg)
{
	struct uffd_ctx *c = arg;

	while (!c->stop) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		struct uffd_msg msg;
		unsigned long addr;
		int r = poll(&pfd, 1, 50);

		if (r <= 0)
			continue;
		if (read(c->fd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT) {
			c->errors++;
			continue;
		}
		c->events++;
		addr = msg.arg.pagefault.address & ~(PS - 1);
		if (((addr - (unsigned long)c->base) / PS) % 2 == 0) {
			struct uffdio_copy cp = {
				.dst = addr, .src = (unsigned long)c->src,
				.len = PS, .mode = 0,
			};
			size_t i;

			for (i = 0; i < PS / 8; i++)
				((uint64_t *)c->src)[i] = addr + i;
			if (ioctl(c->fd, UFFDIO_COPY, &cp) && errno != EEXIST)
				c->errors++;
			c->copies++;
		} else {
			struct uffdio_zeropage zp = {
				.range = { .start = addr, .len = PS },
				.mode = 0,
			};

			if (ioctl(c->fd, UFFDIO_ZEROPAGE, &zp) &&
			    errno != EEXIST)
				c->errors++;
			c->zeros++;
		}
	}
	return NULL;
}

static void t_userfaultfd(void)
{
	const size_t n = 128, k = 64;
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct uffdio_register reg;
	struct uffd_ctx c;
	pthread_t th;
	size_t i, bad = 0, res;
	char *m;

	memset(&c, 0, sizeof(c));
	c.fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (c.fd < 0) {
		skip("userfaultfd unavailable");
		return;
	}
	if (ioctl(c.fd, UFFDIO_API, &api))
		bail("UFFDIO_API");
	m = map_anon(n);
	c.base = m;
	c.src = aligned_alloc(PS, PS);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (unsigned long)m;
	reg.range.len = n * PS;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(c.fd, UFFDIO_REGISTER, &reg))
		bail("UFFDIO_REGISTER");
	if (pthread_create(&th, NULL, uffd_handler, &c))
		bail("pthread_create");
	for (i = 0; i < k; i++)
		put(m, i);
	c.stop = 1;
	pthread_join(th, NULL);
	res = resident(m, k, n - k);
	diag("userfaultfd: %lu events (%lu copies, %lu zero pages, %lu errors), %zu untouched resident",
	     c.events, c.copies, c.zeros, c.errors, res);
	ok(c.events == k && c.errors == 0,
	   "userfaultfd: %zu sequential writes give exactly %zu missing events (%lu)",
	   k, k, c.events);
	ok(res == 0, "userfaultfd: no page past the written ones is mapped (%zu)",
	   res);
	for (i = 0; i < k; i++) {
		uint64_t *p = (uint64_t *)(m + i * PS);
		size_t w;

		for (w = 0; w < PS / 8; w++) {
			uint64_t want = w * 8 == off(i) ? tag(i) :
					i % 2 ? 0 : (uint64_t)(m + i * PS) + w;

			bad += p[w] != want;
		}
	}
	ok(bad == 0, "userfaultfd: pages hold what the handler supplied plus the write (%zu bad words)",
	   bad);
	close(c.fd);
	free(c.src);
	munmap(m, n * PS);
}

/* ---- mremap, mlock ---- */

static void t_mremap(void)
{
	static unsigned char touched[64];
	char *m = map_anon(32), *m2, *t, *m3;
	size_t i;
	int sig;

	for (i = 0; i < 16; i++)
		put(m, i);
	m2 = mremap(m, 32 * PS, 64 * PS, MREMAP_MAYMOVE);
	if (m2 == MAP_FAILED)
		bail("mremap grow");
	memset(touched, 0, 64);
	memset(touched, 1, 16);
	ok(verify("mremap grow", m2, 64, touched) == 0,
	   "mremap grow: data kept, the rest reads zero");
	for (i = 16; i < 64; i++)
		put(m2, i);
	memset(touched, 1, 64);
	ok(verify("mremap grown", m2, 64, touched) == 0,
	   "mremap grow: writing the grown part in sequence");

	t = mmap(NULL, 64 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		bail("mmap target");
	m3 = mremap(m2, 64 * PS, 64 * PS, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	if (m3 != t)
		bail("mremap move");
	ok(verify("mremap move", m3, 64, touched) == 0,
	   "mremap move: data kept");
	sig = probe(m2, 0);
	ok(sig == SIGSEGV, "mremap move: the old range is gone (%s)",
	   signame(sig));
	/* shrink, then grow in place: the regrown part reads zero */
	m3 = mremap(m3, 64 * PS, 16 * PS, 0);
	if (m3 != t)
		bail("mremap shrink");
	m3 = mremap(m3, 16 * PS, 64 * PS, 0);
	if (m3 == MAP_FAILED) {
		m3 = t;
		diag("mremap: could not regrow in place");
		munmap(m3, 16 * PS);
		return;
	}
	memset(touched + 16, 0, 48);
	ok(verify("mremap regrow", m3, 64, touched) == 0,
	   "mremap shrink then grow: old tail reads zero");
	munmap(m3, 64 * PS);
}

static void t_mlock(void)
{
	static unsigned char touched[64];
	const size_t n = 64;
	char *m = map_anon(n);
	uint64_t t0, t;
	size_t i, res;

	if (mlock(m, n * PS)) {
		skip("mlock failed");
	} else {
		for (i = 0; i < n; i++)
			put(m, i);
		memset(touched, 1, n);
		ok(verify("mlock", m, n, touched) == 0 &&
		   resident(m, 0, n) == n, "mlock: data intact, all resident");
		munlock(m, n * PS);
	}
	munmap(m, n * PS);

	m = map_anon(n);
	if (syscall(__NR_mlock2, m, n * PS, MLOCK_ONFAULT)) {
		skip("mlock2(MLOCK_ONFAULT) failed");
		munmap(m, n * PS);
		return;
	}
	ok(resident(m, 0, n) == 0, "mlock2(MLOCK_ONFAULT): nothing resident before use");
	t0 = traps();
	for (i = 0; i < 16; i++)
		put(m, i);
	t = traps() - t0;
	res = resident(m, 16, n - 16);
	ok(res == 0, "mlock2(MLOCK_ONFAULT): untouched pages stay non-resident after sequential writes (%zu resident)",
	   res);
	ok(t >= 16, "mlock2(MLOCK_ONFAULT): one trap per page (%llu for 16)",
	   (unsigned long long)t);
	memset(touched, 0, n);
	memset(touched, 1, 16);
	ok(verify("mlock2", m, n, touched) == 0, "mlock2(MLOCK_ONFAULT): data intact");
	munlock(m, n * PS);
	munmap(m, n * PS);
}

/* ---- racing munmap / MAP_FIXED remap ---- */

#define RACE_PAGES	64
#define RACE_WORKERS	2

struct race {
	char *base;
	volatile int stop;
	unsigned long writes[RACE_WORKERS], bad[RACE_WORKERS],
		      sigs[RACE_WORKERS];
	unsigned long remaps;
};

struct worker_arg {
	struct race *r;
	int id;
};

static void *race_worker(void *a)
{
	struct worker_arg *w = a;
	struct race *r = w->r;
	const size_t per = RACE_PAGES / RACE_WORKERS;
	volatile uint64_t v = ((uint64_t)w->id + 1) << 48;

	while (!r->stop) {
		size_t i;

		if (sigsetjmp(probe_jb, 1)) {
			r->sigs[w->id]++;
			continue;
		}
		probe_armed = 1;
		for (i = 0; i < per && !r->stop; i++) {
			char *pg = r->base + (w->id * per + i) * PS;
			volatile uint64_t *p = (volatile uint64_t *)pg;
			uint64_t got, other;

			v++;
			p[0] = v;
			got = p[0];
			other = p[1 + i % (PS / 8 - 1)];
			if ((got != v && got != 0) || other != 0)
				r->bad[w->id]++;
			r->writes[w->id]++;
		}
		probe_armed = 0;
	}
	probe_armed = 0;
	return NULL;
}

static void t_race(void)
{
	const unsigned long iters = 1500;
	const double limit = 8.0;
	struct race r;
	struct worker_arg wa[RACE_WORKERS];
	pthread_t th[RACE_WORKERS];
	unsigned long writes = 0, bad = 0, sigs = 0, i;
	double t0 = now();
	int k;

	memset(&r, 0, sizeof(r));
	r.base = map_anon(RACE_PAGES);
	for (k = 0; k < RACE_WORKERS; k++) {
		wa[k].r = &r;
		wa[k].id = k;
		if (pthread_create(&th[k], NULL, race_worker, &wa[k]))
			bail("pthread_create");
	}
	for (i = 0; i < iters && now() - t0 < limit; i++) {
		if (i % 2 && munmap(r.base, RACE_PAGES * PS))
			bail("munmap");
		if (mmap(r.base, RACE_PAGES * PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    r.base)
			bail("mmap MAP_FIXED");
		madvise(r.base, RACE_PAGES * PS, MADV_NOHUGEPAGE);
		r.remaps++;
		/* let the workers fault the new mapping */
		if (i % 8 == 0)
			usleep(100);
		else
			sched_yield();
	}
	r.stop = 1;
	for (k = 0; k < RACE_WORKERS; k++) {
		pthread_join(th[k], NULL);
		writes += r.writes[k];
		bad += r.bad[k];
		sigs += r.sigs[k];
	}
	diag("race: %lu remaps in %.1f s, %lu writes, %lu SIGSEGVs, %lu bad values",
	     r.remaps, now() - t0, writes, sigs, bad);
	ok(bad == 0, "munmap/MAP_FIXED race: every value read back was the one written or 0 (%lu bad)",
	   bad);
	ok(writes > r.remaps, "munmap/MAP_FIXED race: the workers made progress (%lu writes)",
	   writes);
	munmap(r.base, RACE_PAGES * PS);
}

/*
 * Two threads write alternate 4-page chunks of one region in sequence, so
 * that one's fault-around lands on pages the other is about to write:
 * every page must end up holding its writer's value and zeros.
 */
#define IL_PAGES	2048
#define IL_CHUNK	4

struct il_arg {
	char *base;
	int id;
	volatile int *go;
	unsigned long bad;
};

static void *il_worker(void *a)
{
	struct il_arg *w = a;
	size_t i;

	while (!*w->go)
		;
	for (i = 0; i < IL_PAGES; i++) {
		if ((i / IL_CHUNK) % 2 != (size_t)w->id)
			continue;
		put(w->base, i);
		if (*(volatile uint64_t *)(w->base + i * PS + off(i)) != tag(i))
			w->bad++;
	}
	return NULL;
}

static void t_interleave(void)
{
	static unsigned char touched[IL_PAGES];
	struct il_arg w[2];
	pthread_t th[2];
	volatile int go = 0;
	char *m = map_anon(IL_PAGES);
	int k;

	for (k = 0; k < 2; k++) {
		w[k].base = m;
		w[k].id = k;
		w[k].go = &go;
		w[k].bad = 0;
		if (pthread_create(&th[k], NULL, il_worker, &w[k]))
			bail("pthread_create");
	}
	go = 1;
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	memset(touched, 1, sizeof(touched));
	ok(w[0].bad + w[1].bad == 0 &&
	   verify("interleave", m, IL_PAGES, touched) == 0,
	   "two threads writing alternate chunks: every page holds its writer's value (%lu bad reads)",
	   w[0].bad + w[1].bad);
	munmap(m, IL_PAGES * PS);
}

static int semantics(void)
{
	catch_faults();
	diag("semantics with fault-around %u", N);
	t_streams();
	t_fork_cow();
	t_dontneed();
	t_protections();
	t_file_eof();
	t_file_private();
	t_shared_anon();
	t_userfaultfd();
	t_mremap();
	t_mlock();
	t_interleave();
	t_race();
	return done_testing();
}

/* ---- seqfaults, sparse, memcg, loop ---- */

static int seqfaults(void)
{
	const size_t n = 16 * MiB / PS;
	static unsigned char touched[16 * MiB / PS];
	char *m = map_anon(n);
	uint64_t t0, t;
	double per, limit;
	size_t i;

	t0 = traps();
	for (i = 0; i < n; i++)
		put(m, i);
	t = traps() - t0;
	per = (double)t / n;
	diag("fault-around %u: %llu traps for %zu pages, %.4f per page",
	     N, (unsigned long long)t, n, per);
	memset(touched, 1, n);
	ok(verify("seqfaults", m, n, touched) == 0, "sequential 16 MiB: data intact");
	if (N > 1) {
		limit = 1.05 / N + 0.01;
		ok(per <= limit, "sequential writes: %.4f traps per page <= 1.05/%u + 0.01 = %.4f",
		   per, N, limit);
	} else {
		ok(per >= 0.99 && per <= 1.01,
		   "sequential writes, fault-around off: %.4f traps per page, about 1",
		   per);
	}
	munmap(m, n * PS);
	return done_testing();
}

static int sparse(unsigned long stride)
{
	const size_t n = 16 * MiB / PS;
	char *m = map_anon(n);
	size_t i, touched = 0, res;
	long r0, grow;

	rss_pages();	/* the first call grows the heap */
	r0 = rss_pages();
	for (i = 0; i < n; i += stride) {
		put(m, i);
		touched++;
	}
	grow = rss_pages() - r0;
	res = resident(m, 0, n);
	diag("stride %lu: %zu pages touched, anonymous RSS grew %ld pages (%.3f per touched page), %zu resident in the mapping",
	     stride, touched, grow, (double)grow / touched, res);
	ok(grow <= 1.05 * touched,
	   "1 page in %lu: RSS growth %ld <= 1.05 x %zu touched", stride, grow,
	   touched);
	ok(res <= 1.05 * touched,
	   "1 page in %lu: %zu pages resident in the mapping <= 1.05 x %zu",
	   stride, res, touched);
	{
		size_t bad = 0;

		for (i = 0; i < n; i++)
			bad += i % stride ?
			       !zero_except(m + i * PS, -1) :
			       *(uint64_t *)(m + i * PS + off(i)) != tag(i);
		ok(bad == 0, "1 page in %lu: data intact", stride);
	}
	munmap(m, n * PS);
	return done_testing();
}

static long memcg_limit(char *path, size_t len)
{
	char line[512], buf[64];
	FILE *f = fopen("/proc/self/cgroup", "r");
	long v = -1;

	if (!f)
		bail("open /proc/self/cgroup");
	path[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, len, "/sys/fs/cgroup%s/memory.max",
				 line + 3);
		}
	fclose(f);
	f = path[0] ? fopen(path, "r") : NULL;
	if (f) {
		if (fgets(buf, sizeof(buf), f) && strncmp(buf, "max", 3))
			v = atol(buf);
		fclose(f);
	}
	return v;
}

static int memcg(unsigned long pct)
{
	char path[600];
	long limit = memcg_limit(path, sizeof(path));
	size_t n, i, bad = 0;
	char *m;

	if (limit <= 0) {
		ok(0, "memcg: no memory.max limit for this cgroup (%s)", path);
		return done_testing();
	}
	n = (size_t)limit / 100 * pct / PS;
	diag("memcg: %s = %ld, touching %zu pages (%lu%%)", path, limit, n,
	     pct);
	m = map_anon(n);
	for (i = 0; i < n; i++)
		put(m, i);
	for (i = 0; i < n; i++)
		bad += *(uint64_t *)(m + i * PS + off(i)) != tag(i);
	ok(bad == 0, "memcg: %zu pages written in sequence under the limit, data intact",
	   n);
	munmap(m, n * PS);
	return done_testing();
}

/* memory.current of the cgroup whose memory.max is @maxpath */
static long memcg_current(const char *maxpath)
{
	char path[600], buf[64];
	size_t len = strlen(maxpath) - strlen("memory.max");
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "%.*scurrent", (int)(len + 7), maxpath);
	f = fopen(path, "r");
	if (!f)
		bail("open memory.current");
	if (fgets(buf, sizeof(buf), f))
		v = atol(buf);
	fclose(f);
	return v;
}

/*
 * Write pages in sequence until the cgroup is within @kb KiB of its
 * memory.max, as a program that sizes itself to its limit would.  What
 * the program touches fits; a prefault that ignored the headroom would
 * not.
 *
 * The module fills a window only with room for its chunk and a charge
 * batch and a chunk per online CPU (MEMCG_CHARGE_BATCH + FF_CHUNK 8
 * pages each): after the last chunk it filled, which may have taken one
 * batch, the group is at least (batch + 8) * CPUs - batch pages from its
 * limit.  The batch is the kernel's (64 since 6.1, 32 on 5.10): the bound
 * takes the smaller.  The page after a burst being resident before we
 * write it means a window filled it: where that was seen closest to the
 * limit is checked against the bound.
 */
static int memcg_margin(unsigned long kb)
{
	char path[600];
	long limit = memcg_limit(path, sizeof(path));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long batch = 32, bound = ((batch + 8) * cpus - batch) * PS;
	long cur, closest = LONG_MAX;
	size_t n, i = 0, bad = 0, k;
	char *m;

	if (limit <= 0) {
		ok(0, "memcg: no memory.max limit for this cgroup (%s)", path);
		return done_testing();
	}
	n = (size_t)limit / PS;
	m = map_anon(n);
	while (i < n) {
		cur = memcg_current(path);
		if (cur + (long)kb * 1024 >= limit)
			break;
		if (i && is_resident(m, i) && limit - cur < closest)
			closest = limit - cur;
		for (k = 0; k < 8 && i < n; k++, i++)
			put(m, i);
	}
	diag("memcg: %s = %ld, stopped %lu KiB short after %zu pages",
	     path, limit, kb, i);
	for (k = 0; k < i; k++)
		bad += *(uint64_t *)(m + k * PS + off(k)) != tag(k);
	ok(bad == 0 && i > 0, "memcg: %zu pages written up to %lu KiB from the limit, data intact",
	   i, kb);
	if (closest == LONG_MAX)
		diag("memcg: no window was filled");
	else
		ok(closest >= bound,
		   "memcg: windows were filled only %ld KiB or more from the limit (%ld KiB closest; %ld CPUs)",
		   bound / 1024, closest / 1024, cpus);
	munmap(m, n * PS);
	return done_testing();
}

#define MEMCG_THREADS	8

struct memcg_writer {
	pthread_t th;
	pthread_barrier_t *start;
	const char *path;
	long limit, kb;
	size_t n, written, bad;
	char *m;
};

static void *memcg_writer(void *arg)
{
	struct memcg_writer *w = arg;
	size_t i = 0, k;

	pthread_barrier_wait(w->start);
	while (i < w->n && memcg_current(w->path) + w->kb * 1024 < w->limit)
		for (k = 0; k < 8 && i < w->n; k++, i++)
			put(w->m, i);
	w->written = i;
	for (k = 0; k < i; k++)
		w->bad += *(uint64_t *)(w->m + k * PS + off(k)) != tag(k);
	return NULL;
}

/*
 * memcg_margin() with MEMCG_THREADS threads writing at once, each its own
 * stream: windows filled at the same moment in one cgroup must not add
 * up to more than the headroom each of them saw.
 */
static int memcg_threads(unsigned long kb)
{
	struct memcg_writer w[MEMCG_THREADS];
	pthread_barrier_t start;
	char path[600];
	long limit = memcg_limit(path, sizeof(path));
	size_t t, written = 0, bad = 0;

	if (limit <= 0) {
		ok(0, "memcg: no memory.max limit for this cgroup (%s)", path);
		return done_testing();
	}
	pthread_barrier_init(&start, NULL, MEMCG_THREADS);
	for (t = 0; t < MEMCG_THREADS; t++) {
		w[t] = (struct memcg_writer){
			.start = &start, .path = path, .limit = limit,
			.kb = (long)kb, .n = (size_t)limit / PS,
		};
		w[t].m = map_anon(w[t].n);
		if (pthread_create(&w[t].th, NULL, memcg_writer, &w[t]))
			bail("pthread_create");
	}
	/* all of them first: an unmap would give the others room again */
	for (t = 0; t < MEMCG_THREADS; t++) {
		pthread_join(w[t].th, NULL);
		written += w[t].written;
		bad += w[t].bad;
	}
	for (t = 0; t < MEMCG_THREADS; t++)
		munmap(w[t].m, w[t].n * PS);
	diag("memcg: %s = %ld, %d threads stopped %lu KiB short after %zu pages",
	     path, limit, MEMCG_THREADS, kb, written);
	ok(bad == 0 && written > 0,
	   "memcg: %d threads wrote %zu pages up to %lu KiB from the limit, data intact",
	   MEMCG_THREADS, written, kb);
	return done_testing();
}

/* Rss and Referenced of the mapping that starts at @base, in pages. */
static void smaps_of(char *base, long *rss, long *ref)
{
	unsigned long start, end;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long kb;

	if (!f)
		bail("open /proc/self/smaps");
	*rss = *ref = -1;
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's header: "start-end perms offset dev inode [path]" */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (unsigned long)base;
		else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			*rss = kb / 4;
		else if (in && sscanf(line, "Referenced: %ld kB", &kb) == 1)
			*ref = kb / 4;
	}
	fclose(f);
	if (*rss < 0 || *ref < 0)
		bail("no Rss/Referenced for %p in smaps", base);
}

/*
 * Prefaulted pages are mapped old (accessed bit clear), so that reclaim
 * takes the untouched ones first: after a sequential stream, the pages
 * mapped ahead of it and never touched must not count as Referenced.
 */
#define KPF_REFERENCED	2

/* /proc/kpageflags of the page at @p (mapped), or 0 if unreadable. */
static uint64_t kpageflags_of(const char *p)
{
	uint64_t e = 0, f = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (pm >= 0 && kf >= 0 &&
	    pread(pm, &e, sizeof(e), (uintptr_t)p / PS * sizeof(e)) == sizeof(e) &&
	    (e & (1ULL << 63)) && (e & ((1ULL << 55) - 1)))
		if (pread(kf, &f, sizeof(f),
			  (off_t)((e & ((1ULL << 55) - 1)) * sizeof(f))) != sizeof(f))
			f = 0;
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	return f;
}

/*
 * Does this kernel leave every folio a fault adds PG_referenced?  A page
 * faulted in a fresh mapping with fault-around out of the way (a lone
 * touch) says, and so must every resident page of @m past @touched up to
 * @rss: then smaps' Referenced counts them whatever their PTE says.
 */
static bool fault_sets_referenced(char *m, size_t touched, long rss)
{
	char *c = map_anon(8);
	bool all = true;
	size_t i;

	put(c, 4);
	if (!(kpageflags_of(c + 4 * PS) & (1ULL << KPF_REFERENCED)))
		all = false;
	munmap(c, 8 * PS);
	for (i = touched; all && i < (size_t)rss; i++)
		if (!(kpageflags_of(m + i * PS) & (1ULL << KPF_REFERENCED)))
			all = false;
	return all;
}

static int old(void)
{
	const size_t n = 512;
	size_t i, touched = 200;
	long rss, ref;
	char *m = map_anon(n);

	for (i = 0; i < touched; i++)
		put(m, i);
	smaps_of(m, &rss, &ref);
	/*
	 * The last window may have ended exactly at the last page written
	 * (where it lies depends on the mapping's place in its page table):
	 * write on until a trap maps pages ahead.
	 */
	while (N > 1 && rss == (long)touched && touched < n - 64) {
		put(m, touched++);
		smaps_of(m, &rss, &ref);
	}
	diag("old: %zu pages written, Rss %ld pages, Referenced %ld pages",
	     touched, rss, ref);
	ok(rss >= (long)touched, "old: every written page is resident (%ld >= %zu)",
	   rss, touched);
	if (N > 1)
		ok(rss > (long)touched,
		   "old: fault-around %u mapped pages past the stream (%ld)",
		   N, rss - (long)touched);
	if (ref <= (long)touched || !fault_sets_referenced(m, touched, rss)) {
		ok(ref <= (long)touched,
		   "old: no untouched page counts as Referenced (%ld referenced, %zu touched, %ld resident)",
		   ref, touched, rss);
	} else {
		/*
		 * MGLRU on 7.x sets PG_referenced on every folio a fault adds
		 * (the kernel's own faults too), and smaps counts it with the
		 * PTE's accessed bit: it cannot show an old PTE there.
		 */
		diag("old: this kernel marks every faulted folio PG_referenced (kpageflags), a lone fault's page as much as a prefaulted one: smaps cannot show an old PTE");
		ok(1, "old: every Referenced page past the %zu touched is PG_referenced, as the kernel's own faults leave a page (%ld referenced) # SKIP smaps cannot see the PTE here",
		   touched, ref);
	}
	munmap(m, n * PS);
	return done_testing();
}

/* The pagemap entry of the page at @p (bit 55 soft-dirty, 63 present). */
static uint64_t pagemap_of(int fd, const char *p)
{
	uint64_t e;

	if (pread(fd, &e, sizeof(e), (uintptr_t)p / PS * sizeof(e)) != sizeof(e))
		bail("pread /proc/self/pagemap");
	return e;
}

#define PM_SOFT_DIRTY	(1ULL << 55)

/*
 * Soft-dirty tracking (CRIU, clear_refs 4) must see exactly the pages a
 * program writes: after the bits are cleared, a stream of writes marks
 * its own pages and no page past it.  A mapping made afterwards is not
 * being tracked, and fault-around still batches there.
 */
static int softdirty(void)
{
	const size_t n = 512, lo = 100;
	size_t i, missed = 0, extra = 0, touched, hi;
	long rss, ref;
	char *m, *f;
	int fd, cr;

	/*
	 * Where the last window of a stream ends depends on where it started:
	 * streams that stop at four neighbouring pages cannot all end flush
	 * with a window.
	 */
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		bail("open /proc/self/pagemap");
	for (hi = 300; hi < 304; hi++) {
		m = map_anon(n);
		for (i = 0; i < 16; i++)
			put(m, i);
		cr = open("/proc/self/clear_refs", O_WRONLY);
		if (cr < 0 || write(cr, "4", 1) != 1)
			bail("clear_refs 4");
		close(cr);
		for (i = lo; i < hi; i++)
			put(m, i);
		for (i = 16; i < n; i++) {
			int sd = !!(pagemap_of(fd, m + i * PS) & PM_SOFT_DIRTY);

			if (i >= lo && i < hi)
				missed += !sd;
			else
				extra += sd;
		}
		munmap(m, n * PS);
	}
	close(fd);
	ok(missed == 0, "softdirty: every page written after clear_refs is soft-dirty (%zu not)",
	   missed);
	ok(extra == 0, "softdirty: no page left unwritten is soft-dirty (%zu are)", extra);

	/* the tracked mappings are gone, so the new one cannot merge with them */
	f = map_anon(n);
	for (touched = 0; touched < 200; touched++)
		put(f, touched);
	smaps_of(f, &rss, &ref);
	while (N > 1 && rss == (long)touched && touched < n - 64) {
		put(f, touched++);
		smaps_of(f, &rss, &ref);
	}
	if (N > 1)
		ok(rss > (long)touched,
		   "softdirty: a mapping made after clear_refs still gets windows (%ld resident for %zu written)",
		   rss, touched);
	munmap(f, n * PS);
	return done_testing();
}

static void *uffd_toucher(void *arg)
{
	*(volatile char *)arg = 1;	/* sleeps in the kernel until resolved */
	return NULL;
}

/*
 * A fault that sleeps inside the kernel's fault handler for @seconds: a
 * userfaultfd-registered page that a thread writes and that is resolved
 * only afterwards.  It is shaped like a stream (the page before it is
 * written first, so the VMA has its anon_vma and a mapped neighbour):
 * only the userfaultfd registration keeps fastfault's hook out of it.
 * Prints "holding" once the fault is pending.
 */
static int uffd_hold(unsigned long seconds)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zp;
	struct uffd_msg msg;
	pthread_t th;
	char *m;
	int fd;

	fd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api))
		bail("userfaultfd");
	m = map_anon(2);
	m[0] = 1;
	reg.range.start = (unsigned long)m;
	reg.range.len = 2 * PS;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		bail("UFFDIO_REGISTER");
	m += PS;
	if (pthread_create(&th, NULL, uffd_toucher, m))
		bail("pthread_create");
	if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
		bail("read uffd");
	printf("holding\n");
	fflush(stdout);
	sleep(seconds);
	zp.range.start = (unsigned long)m;
	zp.range.len = PS;
	zp.mode = 0;
	if (ioctl(fd, UFFDIO_ZEROPAGE, &zp))
		bail("UFFDIO_ZEROPAGE");
	pthread_join(th, NULL);
	ok(m[0] == 1, "uffd-hold: the fault held for %lu s completed", seconds);
	return done_testing();
}

static int loop(double seconds)
{
	const size_t n = 256;
	static unsigned char touched[256];
	double t0 = now();
	unsigned long rounds = 0, bad = 0;

	while (now() - t0 < seconds) {
		char *m = map_anon(n);
		size_t i, first = rounds % 3 == 2 ? n / 2 : 0;

		seed = rounds;
		memset(touched, 0, n);
		if (rounds % 3 == 1) {	/* descending */
			for (i = n; i-- > 0;) {
				put(m, i);
				touched[i] = 1;
			}
		} else {
			for (i = first; i < n; i++) {
				put(m, i);
				touched[i] = 1;
			}
		}
		bad += verify("loop", m, n, touched) != 0;
		munmap(m, n * PS);
		rounds++;
	}
	diag("loop: %lu rounds in %.1f s", rounds, now() - t0);
	ok(bad == 0 && rounds > 0, "loop: %lu rounds, %lu with bad data", rounds,
	   bad);
	return done_testing();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fatest semantics N | seqfaults N | old N | softdirty N | sparse STRIDE | memcg PCT | memcg-margin KB | memcg-threads KB | uffd-hold SECONDS | loop SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long arg;

	if (argc != 3)
		usage();
	arg = atol(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	perf_init();
	if (!strcmp(argv[1], "semantics") || !strcmp(argv[1], "seqfaults") ||
	    !strcmp(argv[1], "old") || !strcmp(argv[1], "softdirty")) {
		if (arg < 1 || arg > 64)
			usage();
		N = arg;
		if (!strcmp(argv[1], "old"))
			return old();
		if (!strcmp(argv[1], "softdirty"))
			return softdirty();
		return !strcmp(argv[1], "semantics") ? semantics() :
		       seqfaults();
	}
	if (!strcmp(argv[1], "sparse") && arg >= 2)
		return sparse(arg);
	if (!strcmp(argv[1], "memcg") && arg > 0 && arg <= 100)
		return memcg(arg);
	if (!strcmp(argv[1], "uffd-hold") && arg > 0)
		return uffd_hold(arg);
	if (!strcmp(argv[1], "memcg-margin") && arg > 0)
		return memcg_margin(arg);
	if (!strcmp(argv[1], "memcg-threads") && arg > 0)
		return memcg_threads(arg);
	if (!strcmp(argv[1], "loop") && arg > 0)
		return loop(arg);
	usage();
	return 2;
}
