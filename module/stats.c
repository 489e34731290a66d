// SPDX-License-Identifier: GPL-2.0
/*
 * fastfault: per-CPU counters.
 *
 * The fault path only ever adds to its own CPU's counters.  A reset
 * does not write them (that would race with the adds on other CPUs);
 * it records what they read instead, and readers subtract that base.
 */
#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include "fastfault.h"

DEFINE_PER_CPU(struct ff_stats, ff_stats);

/* Counter values at the last reset; only touched under ff_stats_lock. */
static DEFINE_PER_CPU(struct ff_stats, ff_stats_base);
static DEFINE_MUTEX(ff_stats_lock);

static void ff_stats_read_cpu(int cpu, struct ff_stats *out)
{
	const struct ff_stats *cur = per_cpu_ptr(&ff_stats, cpu);
	const struct ff_stats *base = per_cpu_ptr(&ff_stats_base, cpu);
	int i;

	for (i = 0; i < __FASTFAULT_STAT_MAX; i++)
		out->v[i] = READ_ONCE(cur->v[i]) - base->v[i];
}

void ff_stats_cpu(int cpu, struct ff_stats *out)
{
	mutex_lock(&ff_stats_lock);
	ff_stats_read_cpu(cpu, out);
	mutex_unlock(&ff_stats_lock);
}

void ff_stats_sum(struct ff_stats *sum)
{
	struct ff_stats one;
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	mutex_lock(&ff_stats_lock);
	for_each_possible_cpu(cpu) {
		ff_stats_read_cpu(cpu, &one);
		for (i = 0; i < __FASTFAULT_STAT_MAX; i++)
			sum->v[i] += one.v[i];
	}
	mutex_unlock(&ff_stats_lock);
}

void ff_stats_reset(void)
{
	int cpu, i;

	mutex_lock(&ff_stats_lock);
	for_each_possible_cpu(cpu) {
		const struct ff_stats *cur = per_cpu_ptr(&ff_stats, cpu);
		struct ff_stats *base = per_cpu_ptr(&ff_stats_base, cpu);

		for (i = 0; i < __FASTFAULT_STAT_MAX; i++)
			base->v[i] = READ_ONCE(cur->v[i]);
	}
	mutex_unlock(&ff_stats_lock);
}
