#!/bin/sh
# offline.sh: memory offlining with the zero pool full, in a guest (busybox
# sh) booted with a movable zone.  TAP output; exits non-zero if any test
# failed.  Expects fastfault unloaded at the start and leaves it unloaded.
#
# Every online memory block of ZONE_MOVABLE is offlined (echo offline >
# memoryN/state) and onlined again (online_movable), first with fastfault
# loaded and its pool empty, then with a 512 MiB pool full.  The pool must
# not stand in the way: as many blocks must go offline with it full as
# with it empty (its pages kept out of ZONE_MOVABLE, or given back when a
# block goes offline), every block must come back online, and the pool
# must still hand out zeroed pages and fill up again afterwards.
#
#   tests/vm/run --kernel 6.12 --mem 2G --append movablecore=768M -- offline.sh [POOL_MB]

. tap.sh

pool_mb=${1:-512}
full=$((pool_mb * 256 * 9 / 10))
mem=/sys/devices/system/memory

meminfo() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
# movable_blocks: the memory blocks online in ZONE_MOVABLE, one a line
movable_blocks() {
	for b in $mem/memory[0-9]*; do
		[ "$(cat $b/state 2>/dev/null)" = online ] || continue
		[ "$(cat $b/valid_zones 2>/dev/null)" = Movable ] && echo "${b##*/}"
	done
}
# offline_all TAG: try to offline each of $blocks, three times at most
# (a page held for a moment, on a per-CPU list or in flight, makes one try
# fail; 20 s each at most; the page cache is dropped between tries, but not
# the slab: that would run the pool's shrinker); the ones that went offline in /tmp/off.TAG,
# their count in $offlined
offline_all() {
	: >/tmp/off.$1
	for b in $blocks; do
		for try in 1 2 3; do
			if timeout 20 sh -c "echo offline >$mem/$b/state" 2>/dev/null; then
				echo $b >>/tmp/off.$1
				break
			fi
			echo 1 >/proc/sys/vm/drop_caches
			sleep 1
		done
	done
	offlined=$(wc -l </tmp/off.$1)
	diag "$1: offlined $offlined of $nblocks: $(tr '\n' ' ' </tmp/off.$1)"
}
# online_again TAG: online (movable) what offline_all TAG offlined;
# the count that failed in $stuck
online_again() {
	stuck=0
	for b in $(cat /tmp/off.$1); do
		echo online_movable >$mem/$b/state 2>/dev/null || stuck=$((stuck + 1))
	done
}

start=$(date +%s)
check "booted with movablecore ($(cat /proc/cmdline))" \
	grep -qw 'movablecore=[0-9]*[MG]' /proc/cmdline
check "fastfault is not loaded at the start" unloaded
blocks=$(movable_blocks)
nblocks=$(echo $blocks | wc -w)
bs=$(( $(cat $mem/block_size_bytes | sed 's/^/0x/') / 1048576 ))
diag "memory blocks of $bs MiB online in ZONE_MOVABLE: $(echo $blocks)"
check "ZONE_MOVABLE has online memory blocks ($nblocks)" [ "$nblocks" -gt 0 ]
total0=$(meminfo MemTotal)

check "modprobe fastfault" modprobe fastfault

# ---- the pool empty ----
echo 3 >/proc/sys/vm/drop_caches
offline_all empty
empty=$offlined
online_again empty
check "pool empty: some movable blocks go offline ($empty of $nblocks)" \
	[ "$empty" -gt 0 ]
check "pool empty: every offlined block comes back online ($stuck did not)" \
	[ $stuck = 0 ]

# ---- the pool full ----
check "faultctl set zero-pool ${pool_mb}M" faultctl set zero-pool ${pool_mb}M
wait_full $full 90
check "the pool fills to $full pages within 90 s ($(pool_pages) in $wf_secs s)" [ $? = 0 ]
held=$(pool_pages)
# the page cache only: 2 or 3 would run the shrinkers, and so empty the pool
echo 1 >/proc/sys/vm/drop_caches
offline_all full
fullc=$offlined
after=$(pool_pages)
diag "pool pages: $held before offlining, $after after; stats $(faultctl stats -j)"
check "the pool stayed full while the blocks went offline ($after of $held pages)" \
	[ "$after" -ge $full ]
online_again full
check "pool full: as many movable blocks go offline as with it empty ($fullc vs $empty of $nblocks)" \
	[ "$fullc" -ge "$empty" ]
check "pool full: every offlined block comes back online ($stuck did not)" \
	[ $stuck = 0 ]

# ---- afterwards ----
now=$(movable_blocks)
check "every movable block is online in ZONE_MOVABLE again ($(echo $now | wc -w) of $nblocks)" \
	[ "$(echo $now)" = "$(echo $blocks)" ]
check "MemTotal is back ($total0 -> $(meminfo MemTotal) kB)" \
	[ "$(meminfo MemTotal)" = "$total0" ]
faultctl stats --reset >/dev/null
sub "the pool still hands out zeroed pages (fatest loop 2)" fatest loop 2
check "the pool served faults after offlining (pool-hits $(stat pool-hits))" \
	[ "$(stat pool-hits)" -gt 0 ]
# 470 MB cleared again under TCG, after offlining moved the movable zone's
# pages into the pool's zones: as slow as the first fill, or slower
wait_full $full 90
check "the pool fills up again to $full pages within 90 s ($(pool_pages) in $wf_secs s)" [ $? = 0 ]

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
diag "offline.sh: $(($(date +%s) - start)) s"
finish
