// SPDX-License-Identifier: GPL-2.0
/*
 * hugetest: huge pages stay correct while fastfault skips or takes over
 * their clearing (zero-once).  TAP output.
 *
 *   hugetest thp       THP (the shell sets THP to always): memory written
 *                      and freed, then faulted again, reads zero where the
 *                      new owner did not write, and a THP backs it
 *                      (AnonHugePages); the same after a partial
 *                      MADV_DONTNEED and after a split; fork and copy-on-
 *                      write keep both sides' data; khugepaged's collapse
 *                      (MADV_COLLAPSE) keeps the data and zeroes the rest
 *   hugetest mthp KB   the dirty-reuse test with mTHP folios of KB KiB
 *                      (the shell enables that size only)
 *   hugetest hugetlb   MAP_HUGETLB (the shell reserves pages): reused
 *                      huge pages still read zero, their clear must run
 *   hugetest shmem     shmem THP (memfd): the same for shmem's own clear
 *
 * Every test writes the whole of a region with a pattern, frees it, and
 * faults a new region of the same size with one byte per folio: every
 * other byte must be zero, whoever cleared it.
 *
 * Exit status: 0 if every test passed, 1 if one failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PS	4096UL
#define HPS	(2UL * 1024 * 1024)
#define MiB	(1024UL * 1024UL)

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC	1U
#endif

#include "ttap.h"

static void __attribute__((noreturn)) bail(const char *what)
{
	printf("Bail out! %s (%s)\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

/* An anonymous region of @len bytes aligned to 2 MiB. */
static char *map_aligned(size_t len, int flags, int advice)
{
	char *p = mmap(NULL, len + HPS, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		bail("mmap");
	a = (char *)(((uintptr_t)p + HPS - 1) & ~(HPS - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + len, p + HPS - a);
	if (advice >= 0 && madvise(a, len, advice))
		bail("madvise");
	return a;
}

/* kB of smaps field @key ("AnonHugePages") in the VMA holding @addr */
static long smaps_kb(const void *addr, const char *key)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char k[64];
		long v;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && sscanf(line, "%63[^:]: %ld kB", k, &v) == 2 &&
		    !strcmp(k, key)) {
			kb = v;
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Bytes of [p, p + len) that are not zero, skipping one per @step at @off. */
static size_t nonzero(const char *p, size_t len, size_t step, size_t off)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (p[i] && i % step != off)
			n++;
	return n;
}

static void touch(char *p, size_t len, size_t step, size_t off, char v)
{
	size_t i;

	for (i = off; i < len; i += step)
		p[i] = v;
}

/*
 * Write @len bytes of a mapping made by @map with a pattern and free it,
 * @rounds times, then fault a fresh one with one byte per @folio: the
 * rest must read zero.  Returns the fresh mapping (to be unmapped).
 */
static char *dirty_reuse(const char *what, size_t len, size_t folio,
			 char *(*map)(size_t), int rounds)
{
	char *p;
	size_t bad;
	int r;

	for (r = 0; r < rounds; r++) {
		p = map(len);
		memset(p, 0xa5, len);
		munmap(p, len);
	}
	p = map(len);
	touch(p, len, folio, 100, 0x5a);
	bad = nonzero(p, len, folio, 100);
	ok(bad == 0, "%s: %zu MiB faulted after dirty memory was freed reads zero (%zu bytes not)",
	   what, len / MiB, bad);
	return p;
}

static char *map_thp(size_t len)
{
	return map_aligned(len, 0, MADV_HUGEPAGE);
}

static char *map_plain(size_t len)
{
	return map_aligned(len, 0, -1);
}

static char *map_hugetlb(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED)
		bail("mmap(MAP_HUGETLB)");
	return p;
}

static char *map_shmem(size_t len)
{
	int fd = memfd_create("hugetest", MFD_CLOEXEC);
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		bail("memfd");
	p = mmap(NULL, len + HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		bail("mmap(memfd)");
	munmap(p, len + HPS);
	/* again at a 2 MiB boundary, where shmem can map a PMD */
	p = (char *)(((uintptr_t)p + HPS - 1) & ~(HPS - 1));
	p = mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		bail("mmap(memfd, fixed)");
	close(fd);
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void test_thp(void)
{
	const size_t len = 16 * MiB;
	char *p;
	long kb;
	size_t bad, i;
	pid_t pid;
	int st;

	p = dirty_reuse("thp", len, HPS, map_thp, 3);
	kb = smaps_kb(p, "AnonHugePages");
	ok(kb == (long)(len / 1024), "thp: THPs back it (AnonHugePages %ld of %zu kB)",
	   kb, len / 1024);
	munmap(p, len);

	/* a partial MADV_DONTNEED splits the PMD; the hole reads zero */
	p = map_thp(4 * MiB);
	memset(p, 0xa5, 4 * MiB);
	if (madvise(p, MiB, MADV_DONTNEED))
		bail("MADV_DONTNEED");
	bad = nonzero(p, MiB, MiB, MiB);
	ok(bad == 0, "thp: a MADV_DONTNEED hole in a THP reads zero (%zu bytes not)", bad);
	touch(p, MiB, PS, 7, 0x5a);
	bad = nonzero(p, MiB, PS, 7);
	ok(bad == 0, "thp: the hole faulted again reads zero where not written (%zu bytes not)",
	   bad);
	for (i = MiB, bad = 0; i < 4 * MiB; i++)
		bad += (unsigned char)p[i] != 0xa5;
	ok(bad == 0, "thp: the rest of the THP kept its data (%zu bytes lost)", bad);
	munmap(p, 4 * MiB);

	/* a split (mprotect of part of a PMD) keeps the data */
	p = map_thp(4 * MiB);
	touch(p, 4 * MiB, PS, 3, 0x77);
	if (mprotect(p + MiB, MiB, PROT_READ))
		bail("mprotect");
	bad = nonzero(p, 4 * MiB, PS, 3);
	for (i = 3; i < 4 * MiB; i += PS)
		bad += p[i] != 0x77;
	ok(bad == 0, "thp: split by mprotect, data and zeroes intact (%zu bytes wrong)", bad);
	munmap(p, 4 * MiB);

	/* fork: copy-on-write keeps both sides' data */
	p = map_thp(4 * MiB);
	memset(p, 0x11, 4 * MiB);
	pid = fork();
	if (pid < 0)
		bail("fork");
	if (!pid) {
		memset(p, 0x22, 2 * MiB);
		for (i = 0, bad = 0; i < 4 * MiB; i++)
			bad += p[i] != (i < 2 * MiB ? 0x22 : 0x11);
		_exit(bad ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		bail("waitpid");
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "thp: the child's copy-on-write writes are its own (status %d)", st);
	for (i = 0, bad = 0; i < 4 * MiB; i++)
		bad += p[i] != 0x11;
	ok(bad == 0, "thp: the parent's THP kept its data after the child wrote (%zu bytes)",
	   bad);
	munmap(p, 4 * MiB);

	/* khugepaged's collapse of half-written small pages */
	p = map_aligned(HPS, 0, MADV_NOHUGEPAGE);
	touch(p, HPS, 2 * PS, 5, 0x33);
	if (madvise(p, HPS, MADV_HUGEPAGE))
		bail("MADV_HUGEPAGE");
	if (madvise(p, HPS, MADV_COLLAPSE)) {
		skip("MADV_COLLAPSE not supported here");
	} else {
		kb = smaps_kb(p, "AnonHugePages");
		bad = nonzero(p, HPS, 2 * PS, 5);
		for (i = 5; i < HPS; i += 2 * PS)
			bad += p[i] != 0x33;
		ok(bad == 0 && kb == 2048,
		   "thp: MADV_COLLAPSE kept the data and zeroed the rest (%zu bytes wrong, AnonHugePages %ld kB)",
		   bad, kb);
	}
	munmap(p, HPS);
}

int main(int argc, char **argv)
{
	size_t mthp_folio;
	char *p;

	if (argc == 2 && !strcmp(argv[1], "thp")) {
		test_thp();
	} else if (argc == 3 && !strcmp(argv[1], "mthp")) {
		mthp_folio = strtoul(argv[2], NULL, 10) * 1024;
		if (mthp_folio < 2 * PS || mthp_folio >= HPS) {
			fprintf(stderr, "hugetest: mthp wants KB from 8 to 1024\n");
			return 2;
		}
		/* plain anonymous memory: the one mTHP size enabled applies */
		p = dirty_reuse("mthp", 16 * MiB, mthp_folio, map_plain, 3);
		munmap(p, 16 * MiB);
	} else if (argc == 2 && !strcmp(argv[1], "hugetlb")) {
		p = dirty_reuse("hugetlb", 4 * MiB, HPS, map_hugetlb, 3);
		munmap(p, 4 * MiB);
	} else if (argc == 2 && !strcmp(argv[1], "shmem")) {
		p = dirty_reuse("shmem", 4 * MiB, HPS, map_shmem, 3);
		diag("shmem: ShmemPmdMapped %ld kB, FilePmdMapped %ld kB",
		     smaps_kb(p, "ShmemPmdMapped"), smaps_kb(p, "FilePmdMapped"));
		munmap(p, 4 * MiB);
	} else {
		fprintf(stderr, "usage: hugetest thp | mthp KB | hugetlb | shmem\n");
		return 2;
	}
	printf("1..%d\n", tests);
	if (failed)
		diag("%d of %d failed", failed, tests);
	return failed ? 1 : 0;
}
