// SPDX-License-Identifier: GPL-2.0
/*
 * faultctl: the vocabulary.  One row per configuration key and one per
 * counter; parsing, output, the configuration file, --help and the
 * completion all come from these tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "faultctl.h"

static const char *const zero_method_names[] = { "clear_page", "non-temporal", NULL };

const struct ff_key ff_keys[] = {
	{
		.name = "fault-around",
		.attr = FASTFAULT_A_FAULT_AROUND,
		.width = 4,
		.min = 1,
		.max = FASTFAULT_FAULT_AROUND_MAX,
		.unit = "page",
		.scoped = true,
		.help = "pages per fault: sets anon-fault-around, and "
			"file-fault-around to at least the kernel's default "
			"(1 = off); not shown itself",
	},
	{
		.name = "anon-fault-around",
		.attr = FASTFAULT_A_ANON_FAULT_AROUND,
		.width = 4,
		.min = 1,
		.max = FASTFAULT_FAULT_AROUND_MAX,
		.unit = "page",
		.scoped = true,
		.help = "pages per fault, private anonymous memory (1 = off)",
	},
	{
		.name = "file-fault-around",
		.attr = FASTFAULT_A_FILE_FAULT_AROUND,
		.width = 4,
		.min = 1,
		.max = FASTFAULT_FAULT_AROUND_MAX,
		.unit = "page",
		.help = "pages per read fault on files (the kernel's own "
			"fault-around; rounded down to a power of two)",
	},
	{
		.name = "zero-pool",
		.attr = FASTFAULT_A_ZERO_POOL,
		.width = 8,
		.size = true,
		.min = 0,
		.max = UINT64_MAX,
		.unit = "byte",
		.help = "bytes of pre-zeroed pages kept ready (0 = off; "
			"K, M, G, T; at most half of RAM)",
	},
	{
		.name = "zero-nontemporal",
		.attr = FASTFAULT_A_ZERO_NONTEMPORAL,
		.width = 4,
		.min = 0,
		.max = 1,
		.unit = "",
		.value_names = zero_method_names,
		.help = "1: the pool clears pages with non-temporal stores "
			"(needs init_on_alloc=0); 0: clear_page",
	},
	{
		.name = "zero-once",
		.attr = FASTFAULT_A_ZERO_ONCE,
		.width = 4,
		.min = 0,
		.max = 1,
		.unit = "",
		.scoped = true,
		.help = "1: an anonymous THP or mTHP folio the allocator "
			"cleared (init_on_alloc=1) is not cleared again",
	},
	{
		.name = "zero-pool-huge",
		.attr = FASTFAULT_A_ZERO_POOL_HUGE,
		.width = 8,
		.size = true,
		.min = 0,
		.max = UINT64_MAX,
		.unit = "byte",
		.help = "bytes of pre-zeroed 2 MiB folios kept ready for THP "
			"faults (0 = off; K, M, G, T; whole folios; with "
			"zero-pool, at most half of RAM)",
	},
	{
		.name = "pool-access",
		.attr = FASTFAULT_A_POOL_ACCESS,
		.width = 4,
		.min = 0,
		.max = 1,
		.unit = "",
		.scoped = true,
		.help = "1: faults may take pages from the zero pools; 0: "
			"not (with 1 for a cgroup: the pools are its own)",
	},
};

const size_t ff_nkeys = sizeof(ff_keys) / sizeof(ff_keys[0]);

const struct ff_stat_name ff_stat_names[] = {
	{ "faults", FASTFAULT_STAT_FAULTS,
	  "user faults seen" },
	{ "batches", FASTFAULT_STAT_BATCHES,
	  "faults that mapped at least one neighbour" },
	{ "prefaulted", FASTFAULT_STAT_PREFAULTED,
	  "neighbouring pages mapped ahead of use" },
	{ "skip-ineligible", FASTFAULT_STAT_SKIP_INELIGIBLE,
	  "faults on memory fault-around never touches" },
	{ "skip-not-sequential", FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL,
	  "faults outside a sequential stream" },
	{ "skip-pressure", FASTFAULT_STAT_SKIP_PRESSURE,
	  "windows cut short by memory pressure" },
	{ "skip-present", FASTFAULT_STAT_SKIP_PRESENT,
	  "windows stopped at a page already mapped" },
	{ "lock-lost", FASTFAULT_STAT_LOCK_LOST,
	  "prefaults that returned with the lock dropped" },
	{ "window-total", FASTFAULT_STAT_WINDOW_TOTAL,
	  "sum of the windows used (divide by batches for the mean)" },
	{ "pool-hits", FASTFAULT_STAT_POOL_HITS,
	  "zeroed-page allocations served from the pool" },
	{ "pool-misses", FASTFAULT_STAT_POOL_MISSES,
	  "eligible allocations that found the pool empty" },
	{ "pool-ineligible", FASTFAULT_STAT_POOL_INELIGIBLE,
	  "zeroed-page allocations the pool may not serve" },
	{ "pool-refilled", FASTFAULT_STAT_POOL_REFILLED,
	  "pages the pool's threads allocated and zeroed" },
	{ "pool-shrunk", FASTFAULT_STAT_POOL_SHRUNK,
	  "pool pages given back under memory pressure" },
	{ "pool-zero-ns", FASTFAULT_STAT_POOL_ZERO_NS,
	  "time the pool's threads spent allocating and zeroing, in ns" },
	{ "zero-once-skipped", FASTFAULT_STAT_ZERO_ONCE_SKIPPED,
	  "huge-page clears skipped: the allocator had cleared the folio" },
	{ "zero-once-cleared", FASTFAULT_STAT_ZERO_ONCE_CLEARED,
	  "anonymous huge-page clears that ran (no note of the allocator's)" },
	{ "huge-pool-hits", FASTFAULT_STAT_HUGE_POOL_HITS,
	  "THP allocations served from the huge pool" },
	{ "huge-pool-misses", FASTFAULT_STAT_HUGE_POOL_MISSES,
	  "eligible THP allocations that found the huge pool empty" },
	{ "huge-pool-ineligible", FASTFAULT_STAT_HUGE_POOL_INELIGIBLE,
	  "THP allocations the huge pool may not serve" },
	{ "huge-pool-refilled", FASTFAULT_STAT_HUGE_POOL_REFILLED,
	  "2 MiB folios the huge pool's threads allocated and zeroed" },
	{ "huge-pool-shrunk", FASTFAULT_STAT_HUGE_POOL_SHRUNK,
	  "huge pool folios given back under memory pressure" },
	{ "huge-pool-zero-ns", FASTFAULT_STAT_HUGE_POOL_ZERO_NS,
	  "time the huge pool's threads spent allocating and zeroing, in ns" },
};

const size_t ff_nstats = sizeof(ff_stat_names) / sizeof(ff_stat_names[0]);

const struct ff_key *ff_key_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ff_nkeys; i++)
		if (!strcmp(ff_keys[i].name, name))
			return &ff_keys[i];
	return NULL;
}

const struct ff_key *ff_key_by_attr(unsigned int attr)
{
	size_t i;

	for (i = 0; i < ff_nkeys; i++)
		if (ff_keys[i].attr == attr)
			return &ff_keys[i];
	return NULL;
}

const char *ff_key_list(void)
{
	static char buf[512];
	size_t i, len = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < ff_nkeys; i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%s",
				 i ? ", " : "", ff_keys[i].name);

		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			break;
		len += n;
	}
	return buf;
}

const char *ff_value_name(const struct ff_key *k, uint64_t v)
{
	uint64_t i;

	for (i = 0; k->value_names && k->value_names[i]; i++)
		if (i == v)
			return k->value_names[i];
	return "unknown";
}

/* Long input is cut short in messages so the reason stays visible. */
#define SHORT_FMT "%.40s%s"
#define SHORT(s) (s), strlen(s) > 40 ? "..." : ""

/* K, M, G, T (powers of 1024, "KiB" and "KB" too) after a size. */
static int size_shift(const char *p)
{
	static const char units[] = "KMGT";
	int c = *p & ~0x20;
	/* only a letter: strchr() would find the NUL for ' ' (0x20) */
	const char *u = c >= 'A' && c <= 'Z' ? strchr(units, c) : NULL;

	if (!u)
		return -1;
	p++;
	if ((*p & ~0x20) == 'I')
		p++;
	if ((*p & ~0x20) == 'B')
		p++;
	return *p ? -1 : 10 * (int)(u - units + 1);
}

static void range_text(const struct ff_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " to %" PRIu64, k->min, k->max);
}

/*
 * Only plain decimal (no sign, spaces or base prefixes), and for sizes
 * a K, M, G or T after it.
 */
int ff_parse_value(const struct ff_key *k, const char *s, uint64_t *out,
		   char *err, size_t errlen)
{
	bool overflow = false;
	uint64_t v = 0;
	char range[64];
	const char *p;
	int shift = 0;

	range_text(k, range, sizeof(range));
	if (!s || !*s) {
		snprintf(err, errlen, "missing value for %s", k->name);
		return -1;
	}
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (p == s || (*p && (!k->size || (shift = size_shift(p)) < 0))) {
		if (k->size)
			snprintf(err, errlen,
				 "invalid value '" SHORT_FMT "' for %s: expected a size in bytes, such as 65536, 512K, 256M or 2G",
				 SHORT(s), k->name);
		else
			snprintf(err, errlen,
				 "invalid value '" SHORT_FMT "' for %s: expected a whole number from %s",
				 SHORT(s), k->name, range);
		return -1;
	}
	if (shift && v > UINT64_MAX >> shift)
		overflow = true;
	v <<= shift;
	if (overflow && k->max == UINT64_MAX) {
		snprintf(err, errlen,
			 "invalid value '" SHORT_FMT "' for %s: too large",
			 SHORT(s), k->name);
		return -1;
	}
	if (overflow || v < k->min || v > k->max) {
		snprintf(err, errlen,
			 "invalid value '" SHORT_FMT "' for %s: out of range (%s)",
			 SHORT(s), k->name, range);
		return -1;
	}
	*out = v;
	return 0;
}

int ff_settings_add(struct ff_settings *set, const char *key,
		    const char *value, char *err, size_t errlen)
{
	const struct ff_key *k = ff_key_by_name(key);
	uint64_t v;

	if (!k) {
		snprintf(err, errlen, "unknown key '" SHORT_FMT "' (keys: %s)",
			 SHORT(key), ff_key_list());
		return -1;
	}
	if (set->has[k->attr]) {
		snprintf(err, errlen, "%s given more than once", k->name);
		return -1;
	}
	if (ff_parse_value(k, value, &v, err, errlen))
		return -1;
	set->val[k->attr] = v;
	set->has[k->attr] = true;
	return 0;
}

struct ff_scope_set *ff_settings_scope(struct ff_settings *set,
				       const char *path, char *err,
				       size_t errlen)
{
	struct ff_scope_set *sc;
	size_t i;

	if (!*path) {
		snprintf(err, errlen, "cgroup needs a path");
		return NULL;
	}
	if (strlen(path) >= FF_PATH_MAX) {
		snprintf(err, errlen, "cgroup path too long: '" SHORT_FMT "'",
			 SHORT(path));
		return NULL;
	}
	for (i = 0; i < set->nscopes; i++)
		if (!strcmp(set->scope[i].path, path))
			return &set->scope[i];
	if (set->nscopes == FF_MAX_SCOPES) {
		snprintf(err, errlen, "too many cgroups (at most %d in one request)",
			 FF_MAX_SCOPES);
		return NULL;
	}
	sc = &set->scope[set->nscopes++];
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	return sc;
}

/* @key as a scoped key, or NULL with a message in @err. */
static const struct ff_key *scoped_key(const char *key, char *err,
				       size_t errlen)
{
	const struct ff_key *k = ff_key_by_name(key);

	if (!k) {
		snprintf(err, errlen, "unknown key '" SHORT_FMT "' (keys: %s)",
			 SHORT(key), ff_key_list());
		return NULL;
	}
	if (!k->scoped) {
		snprintf(err, errlen,
			 "%s is system-wide: it cannot be set for a cgroup (only fault-around, anon-fault-around, zero-once and pool-access can)",
			 k->name);
		return NULL;
	}
	return k;
}

/* fault-around and anon-fault-around are one key in a scope */
static bool same_in_scope(const struct ff_scope_set *sc, unsigned int attr)
{
	unsigned int other = attr == FASTFAULT_A_FAULT_AROUND ?
			     FASTFAULT_A_ANON_FAULT_AROUND :
			     attr == FASTFAULT_A_ANON_FAULT_AROUND ?
			     FASTFAULT_A_FAULT_AROUND : 0;

	return other && (sc->has[other] || (sc->unset & (1ULL << other)));
}

int ff_scope_add(struct ff_scope_set *sc, const char *key, const char *value,
		 char *err, size_t errlen)
{
	const struct ff_key *k = scoped_key(key, err, errlen);
	uint64_t v;

	if (!k)
		return -1;
	if (sc->has[k->attr] || (sc->unset & (1ULL << k->attr)) ||
	    same_in_scope(sc, k->attr)) {
		snprintf(err, errlen, "%s given more than once for cgroup %s",
			 k->name, sc->path);
		return -1;
	}
	if (ff_parse_value(k, value, &v, err, errlen))
		return -1;
	/* in a scope, fault-around is the anonymous window: say so */
	if (k->attr == FASTFAULT_A_FAULT_AROUND)
		k = ff_key_by_attr(FASTFAULT_A_ANON_FAULT_AROUND);
	sc->val[k->attr] = v;
	sc->has[k->attr] = true;
	return 0;
}

int ff_scope_unset(struct ff_scope_set *sc, const char *key, char *err,
		   size_t errlen)
{
	const struct ff_key *k = scoped_key(key, err, errlen);

	if (!k)
		return -1;
	if (k->attr == FASTFAULT_A_FAULT_AROUND)
		k = ff_key_by_attr(FASTFAULT_A_ANON_FAULT_AROUND);
	if (sc->has[k->attr] || (sc->unset & (1ULL << k->attr))) {
		snprintf(err, errlen, "%s given more than once for cgroup %s",
			 k->name, sc->path);
		return -1;
	}
	sc->unset |= 1ULL << k->attr;
	return 0;
}

uint64_t ff_scope_all_keys(void)
{
	uint64_t all = 0;
	size_t i;

	for (i = 0; i < ff_nkeys; i++)
		if (ff_keys[i].scoped)
			all |= 1ULL << ff_keys[i].attr;
	return all;
}

bool ff_settings_empty(const struct ff_settings *set)
{
	unsigned int i;

	for (i = 0; i <= FASTFAULT_A_MAX; i++)
		if (set->has[i])
			return false;
	return set->nscopes == 0;
}
