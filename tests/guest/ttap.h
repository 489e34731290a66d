/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttap.h: the TAP lines the guest test programs print (fatest, hugetest).
 * Each program has one translation unit: the counters live here.
 */
#ifndef FF_TTAP_H
#define FF_TTAP_H

#include <stdarg.h>
#include <stdio.h>

static int tests, failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void skip(const char *why)
{
	tests++;
	printf("ok %d # SKIP %s\n", tests, why);
	fflush(stdout);
}

#endif /* FF_TTAP_H */
