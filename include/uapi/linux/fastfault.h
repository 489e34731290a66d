/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * fastfault: generic netlink interface.
 *
 * This header is the contract between fastfault.ko and faultctl: both
 * compile against this copy.  Attribute names in lower case with '-' for
 * '_' (minus the prefix) are the keys used by faultctl, its JSON output
 * and its configuration file.
 *
 * Changing settings needs CAP_SYS_ADMIN in the initial user namespace;
 * reading the configuration and the statistics does not.
 */
#ifndef _UAPI_LINUX_FASTFAULT_H
#define _UAPI_LINUX_FASTFAULT_H

#define FASTFAULT_FAMILY_NAME		"fastfault"
#define FASTFAULT_FAMILY_VERSION	1

#define FASTFAULT_MCGRP_CONFIG		"config"

/* Largest fault-around window, in pages (one eighth of a PTE table). */
#define FASTFAULT_FAULT_AROUND_MAX	64

/* Cgroup scopes (FASTFAULT_A_SCOPE) at most. */
#define FASTFAULT_SCOPES_MAX		8

enum fastfault_cmd {
	/* do: reply carries every FASTFAULT_A_* configuration attribute */
	FASTFAULT_CMD_CONFIG_GET = 1,
	/* do: any subset of configuration attributes, all or nothing */
	FASTFAULT_CMD_CONFIG_SET,
	/* do: totals in FASTFAULT_A_STATS; dump: one message per CPU */
	FASTFAULT_CMD_STATS_GET,
	/* do: zero every counter */
	FASTFAULT_CMD_STATS_RESET,
	/* notification on FASTFAULT_MCGRP_CONFIG after a successful set */
	FASTFAULT_CMD_CONFIG_NTF,

	__FASTFAULT_CMD_MAX,
	FASTFAULT_CMD_MAX = __FASTFAULT_CMD_MAX - 1
};

enum fastfault_attr {
	FASTFAULT_A_PAD = 1,
	/*
	 * u32, pages, request only: sets the anonymous window below to the
	 * value, and the file window to the larger of the value and the
	 * kernel's own (never smaller: 1 gives the kernel's own back),
	 * unless the same request carries them.  Not kept, not in replies:
	 * the two below are what is in effect.
	 */
	FASTFAULT_A_FAULT_AROUND,
	/* u32, pages: window for private anonymous faults (1 = off) */
	FASTFAULT_A_ANON_FAULT_AROUND,
	/*
	 * u32, pages: the kernel's own file fault-around (fault_around_bytes
	 * or fault_around_pages), rounded down to a power of two as the
	 * kernel does.  Restored to its original value on unload.  Absent
	 * from replies where the kernel's knob was not found.
	 */
	FASTFAULT_A_FILE_FAULT_AROUND,
	/* string, reply only: the module's version */
	FASTFAULT_A_VERSION,
	/* u32, stats dump reply only: the CPU a FASTFAULT_A_STATS belongs to */
	FASTFAULT_A_CPU,
	/* nest of FASTFAULT_STAT_*, reply only */
	FASTFAULT_A_STATS,
	/*
	 * u64, bytes: the pre-zeroed page pool's size, 0 = off.  Up to half
	 * of RAM; rounded down to whole pages.
	 */
	FASTFAULT_A_ZERO_POOL,
	/* nest of FASTFAULT_POOL_NODE_A_*, stats reply only, one per node */
	FASTFAULT_A_POOL_NODE,
	/*
	 * u32, 0 or 1: how the pool's threads clear pages.  0: the kernel's
	 * clear_page, through the allocator (__GFP_ZERO); 1: non-temporal
	 * stores, which leave the CPU's caches to the programs running
	 * there.  1 needs a kernel booted with init_on_alloc=0 and
	 * init_on_free=0: otherwise the allocator clears every page itself
	 * and a second pass would only add work.
	 */
	FASTFAULT_A_ZERO_NONTEMPORAL,
	/*
	 * u32, 0 or 1: clear an anonymous THP or mTHP folio once.  Where
	 * the allocator cleared it already (init_on_alloc=1, Debian's
	 * default), the fault's own clear of the whole folio is skipped.
	 * Refused on a kernel that does that itself (6.13 on).
	 */
	FASTFAULT_A_ZERO_ONCE,
	/*
	 * u64, bytes: the pool of pre-zeroed PMD-size (2 MiB) folios for
	 * anonymous THP faults, 0 = off.  Rounded down to whole folios;
	 * with FASTFAULT_A_ZERO_POOL, up to half of RAM.  A fault served
	 * from it skips its clear, as with FASTFAULT_A_ZERO_ONCE.
	 */
	FASTFAULT_A_ZERO_POOL_HUGE,
	/* nest of FASTFAULT_POOL_NODE_A_*, stats reply only: the huge pool */
	FASTFAULT_A_HUGE_POOL_NODE,
	/*
	 * u32, 0 or 1: may faults take pre-zeroed pages from the pools
	 * (both of them)?  1 by default; 0 with 1 in a cgroup's scope keeps
	 * the pools for that cgroup.
	 */
	FASTFAULT_A_POOL_ACCESS,
	/*
	 * nest, one per cgroup scope: settings for the tasks of one cgroup
	 * v2 subtree, in place of the system-wide ones.  Only the scoped
	 * keys go inside: FASTFAULT_A_FAULT_AROUND (request only: sets the
	 * anonymous window; the file window is system-wide),
	 * FASTFAULT_A_ANON_FAULT_AROUND, FASTFAULT_A_ZERO_ONCE and
	 * FASTFAULT_A_POOL_ACCESS.  A task takes each key from the deepest
	 * scope above it that sets it, else the system-wide value.
	 * In a request: FASTFAULT_A_CGROUP_FD says which cgroup, the keys
	 * given are set, FASTFAULT_A_UNSET removes keys; a scope left with
	 * no key is removed.  Several may go in one FASTFAULT_CMD_CONFIG_SET
	 * with system-wide keys: all of it applies or nothing.  In replies:
	 * FASTFAULT_A_CGROUP_PATH and FASTFAULT_A_CGROUP_ID, and the keys
	 * the scope sets.  A cgroup removed drops its scope.
	 */
	FASTFAULT_A_SCOPE,
	/* u32, in a request's FASTFAULT_A_SCOPE: an open cgroup v2 directory */
	FASTFAULT_A_CGROUP_FD,
	/*
	 * u64, in a request's FASTFAULT_A_SCOPE: the keys to remove from
	 * the scope, bit N for attribute N; all of them: the whole scope
	 */
	FASTFAULT_A_UNSET,
	/*
	 * string, in a reply's FASTFAULT_A_SCOPE: the cgroup's path from
	 * the cgroup v2 root of the reader's cgroup namespace
	 */
	FASTFAULT_A_CGROUP_PATH,
	/* u64, in a reply's FASTFAULT_A_SCOPE: the cgroup's id (inode) */
	FASTFAULT_A_CGROUP_ID,
	/*
	 * nest of FASTFAULT_UNSUPPORTED_A_*, config reply only, one per key
	 * this kernel cannot host: which, and why (the message a request
	 * to turn it on is refused with)
	 */
	FASTFAULT_A_UNSUPPORTED,

	__FASTFAULT_A_MAX,
	FASTFAULT_A_MAX = __FASTFAULT_A_MAX - 1
};

/* Counters, all u64, inside FASTFAULT_A_STATS. */
enum fastfault_stat {
	FASTFAULT_STAT_PAD = 1,
	/* user faults seen by the hook (any memory) */
	FASTFAULT_STAT_FAULTS,
	/* faults that mapped at least one neighbour */
	FASTFAULT_STAT_BATCHES,
	/* neighbouring pages mapped ahead of use */
	FASTFAULT_STAT_PREFAULTED,
	/* user faults fault-around never touches (shared, locked, read, ...) */
	FASTFAULT_STAT_SKIP_INELIGIBLE,
	/* faults where the adaptive window was 1: not a sequential stream */
	FASTFAULT_STAT_SKIP_NOT_SEQUENTIAL,
	/* windows cut short by memcg headroom or the zone watermark */
	FASTFAULT_STAT_SKIP_PRESSURE,
	/* faults whose window found the next page already mapped (it stops there) */
	FASTFAULT_STAT_SKIP_PRESENT,
	/* prefault calls that returned with the mmap or VMA lock dropped */
	FASTFAULT_STAT_LOCK_LOST,
	/* sum of the windows used; WINDOW_TOTAL / BATCHES is the mean */
	FASTFAULT_STAT_WINDOW_TOTAL,
	/* zeroed-page allocations served from the pool */
	FASTFAULT_STAT_POOL_HITS,
	/* eligible allocations that found this CPU's pool empty */
	FASTFAULT_STAT_POOL_MISSES,
	/* zeroed-page allocations the pool may not serve (mempolicy, cpuset) */
	FASTFAULT_STAT_POOL_INELIGIBLE,
	/* pages the pool's threads allocated and zeroed */
	FASTFAULT_STAT_POOL_REFILLED,
	/* pool pages given back to the system under memory pressure */
	FASTFAULT_STAT_POOL_SHRUNK,
	/* time the pool's threads spent allocating and zeroing, in ns */
	FASTFAULT_STAT_POOL_ZERO_NS,
	/* huge-page clears skipped: the allocator had cleared the folio */
	FASTFAULT_STAT_ZERO_ONCE_SKIPPED,
	/* anonymous huge-page clears that ran: no note of the allocator's */
	FASTFAULT_STAT_ZERO_ONCE_CLEARED,
	/* anonymous THP allocations served from the huge pool */
	FASTFAULT_STAT_HUGE_POOL_HITS,
	/* eligible THP allocations that found this CPU's huge pool empty */
	FASTFAULT_STAT_HUGE_POOL_MISSES,
	/* THP allocations the huge pool may not serve (mempolicy, cpuset) */
	FASTFAULT_STAT_HUGE_POOL_INELIGIBLE,
	/* folios the huge pool's threads allocated and zeroed */
	FASTFAULT_STAT_HUGE_POOL_REFILLED,
	/* huge pool folios given back under memory pressure or offlining */
	FASTFAULT_STAT_HUGE_POOL_SHRUNK,
	/* time the huge pool's threads spent allocating and zeroing, in ns */
	FASTFAULT_STAT_HUGE_POOL_ZERO_NS,

	__FASTFAULT_STAT_MAX,
	FASTFAULT_STAT_MAX = __FASTFAULT_STAT_MAX - 1
};

/*
 * Inside FASTFAULT_A_POOL_NODE and FASTFAULT_A_HUGE_POOL_NODE: a zero
 * pool on one NUMA node, in pages of 4 KiB for both pools.
 */
enum fastfault_pool_node_attr {
	FASTFAULT_POOL_NODE_A_PAD = 1,
	/* u32: the node */
	FASTFAULT_POOL_NODE_A_ID,
	/* u64: zeroed pages held now */
	FASTFAULT_POOL_NODE_A_PAGES,
	/* u64: pages the node's thread keeps it filled to */
	FASTFAULT_POOL_NODE_A_TARGET,

	__FASTFAULT_POOL_NODE_A_MAX,
	FASTFAULT_POOL_NODE_A_MAX = __FASTFAULT_POOL_NODE_A_MAX - 1
};

/* Inside FASTFAULT_A_UNSUPPORTED. */
enum fastfault_unsupported_attr {
	FASTFAULT_UNSUPPORTED_A_PAD = 1,
	/* u32: the key's attribute, FASTFAULT_A_* */
	FASTFAULT_UNSUPPORTED_A_KEY,
	/* string: the reason */
	FASTFAULT_UNSUPPORTED_A_REASON,

	__FASTFAULT_UNSUPPORTED_A_MAX,
	FASTFAULT_UNSUPPORTED_A_MAX = __FASTFAULT_UNSUPPORTED_A_MAX - 1
};

#endif /* _UAPI_LINUX_FASTFAULT_H */
