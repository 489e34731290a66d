// SPDX-License-Identifier: GPL-2.0
/*
 * pooltest: what the pre-zeroed page pool must never get wrong, and the
 * loads its tests need.  Runs in the guest (static).
 *
 *   pooltest dirty MB      fill MB of anonymous memory with a pattern and
 *                          free it, so freed pages are not zero
 *   pooltest zero MB       fault MB of fresh anonymous memory and check
 *                          every byte of every page is zero (TAP)
 *   pooltest touch MB      fault MB of fresh anonymous memory, one write
 *                          per page, and free it
 *   pooltest hog MB        fault MB, verify it, hold it for a moment
 *   pooltest loop SECONDS  fault, verify and free 8 MiB again and again
 *
 * Exit status: 0 ok, 1 a check failed, 2 usage or a system call failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PS 4096UL
#define MB (1024UL * 1024)

static char *map(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "pooltest: mmap %zu: %s\n", bytes,
			strerror(errno));
		exit(2);
	}
	/* 4 KiB faults: THP would take one fault for 2 MiB */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

/*
 * Pages of [p, p + bytes) with a nonzero byte where nothing was written:
 * each page's first touch is a write of its tag in the first word (a
 * read first would map the shared zero page, and the page a later write
 * fault got, from the pool or not, would never be looked at), then the
 * rest of the page is checked.
 */
static size_t first_touch_nonzero(char *p, size_t bytes, uint64_t tag)
{
	size_t bad = 0, i, w;

	for (i = 0; i < bytes; i += PS) {
		const uint64_t *q = (const uint64_t *)(p + i);
		uint64_t acc = 0;

		*(uint64_t *)(p + i) = tag ^ i;
		for (w = 1; w < PS / 8; w++)
			acc |= q[w];
		if (acc) {
			if (bad < 5)
				fprintf(stderr,
					"# page at offset %zu not zero on first touch\n",
					i);
			bad++;
		}
	}
	return bad;
}

static size_t verify_tags(char *p, size_t bytes, uint64_t tag)
{
	size_t bad = 0, i;

	for (i = 0; i < bytes; i += PS)
		if (*(uint64_t *)(p + i) != (tag ^ i))
			bad++;
	return bad;
}

static int cmd_dirty(size_t bytes)
{
	char *p = map(bytes);

	memset(p, 0xa5, bytes);
	munmap(p, bytes);
	return 0;
}

static int cmd_zero(size_t bytes)
{
	char *p = map(bytes);
	size_t bad = first_touch_nonzero(p, bytes, 0x1234567887654321ULL);
	size_t lost = verify_tags(p, bytes, 0x1234567887654321ULL);

	printf("%s 1 - every page of %zu MiB reads zero on first touch (%zu not)\n",
	       bad ? "not ok" : "ok", bytes / MB, bad);
	printf("%s 2 - every page keeps what was written (%zu lost)\n",
	       lost ? "not ok" : "ok", lost);
	printf("1..2\n");
	munmap(p, bytes);
	return bad || lost;
}

static int cmd_touch(size_t bytes)
{
	char *p = map(bytes);
	size_t i;

	for (i = 0; i < bytes; i += PS)
		p[i] = 1;
	munmap(p, bytes);
	return 0;
}

static int cmd_hog(size_t bytes)
{
	char *p = map(bytes);
	size_t bad = first_touch_nonzero(p, bytes, 0xfeedULL);

	bad += verify_tags(p, bytes, 0xfeedULL);
	sleep(1);
	bad += verify_tags(p, bytes, 0xfeedULL);
	munmap(p, bytes);
	if (bad)
		fprintf(stderr, "pooltest: hog: %zu bad pages\n", bad);
	return bad != 0;
}

static int cmd_loop(long seconds)
{
	time_t end = time(NULL) + seconds;
	size_t bad = 0;
	uint64_t round = 0;

	while (time(NULL) < end) {
		char *p = map(8 * MB);

		bad += first_touch_nonzero(p, 8 * MB, round);
		bad += verify_tags(p, 8 * MB, round);
		munmap(p, 8 * MB);
		round++;
	}
	if (bad)
		fprintf(stderr, "pooltest: loop: %zu bad pages\n", bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	long n;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr,
			"usage: pooltest dirty|zero|touch|hog MB | loop SECONDS\n");
		return 2;
	}
	if (!strcmp(argv[1], "dirty"))
		return cmd_dirty(n * MB);
	if (!strcmp(argv[1], "zero"))
		return cmd_zero(n * MB);
	if (!strcmp(argv[1], "touch"))
		return cmd_touch(n * MB);
	if (!strcmp(argv[1], "hog"))
		return cmd_hog(n * MB);
	if (!strcmp(argv[1], "loop"))
		return cmd_loop(n);
	fprintf(stderr, "pooltest: unknown command '%s'\n", argv[1]);
	return 2;
}
