#!/bin/sh
# cycles.sh: N load/unload cycles (default 100) of fastfault with both
# features on and the pool full, each unload while a program faults, in
# a guest (busybox sh).  TAP output; exits non-zero if any test failed.
# Expects fastfault unloaded at the start and leaves it unloaded.
#
# Each cycle: modprobe fastfault; faultctl set fault-around 64 zero-pool
# 64M; wait until the pool holds 90% of 64 MiB; start `fatest loop 1`
# (fresh mappings written in streams up, down and from the middle, every
# page checked: the tag where written, zero everywhere else); 0.2 s
# later, while it faults, modprobe -r fastfault.  Asserts: every load,
# set, fill and unload worked, the program was still faulting when each
# unload began, it saw zeroed memory every time, the pool served some of
# its faults, and free memory (MemFree plus the per-CPU lists, as
# pool.sh counts it) and MemAvailable are back within 1% of the start
# after dropping caches.
#
#   tests/vm/run --kernel 6.12 -- cycles.sh [N]

. tap.sh

cycles=${1:-100}
pool_mb=64
full=$((pool_mb * 256 * 9 / 10))

meminfo() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
# A KASAN kernel (make check-debug) keeps freed slab objects in its
# quarantine, up to 1/32 of RAM, still counted as unreclaimable slab
# (seen: SUnreclaim +58 MB after 20 cycles, kmemleak clean): there that
# slab counts as free, and its growth must stay within the quarantine.
kasan=0
grep -q ' __asan_load8$' /proc/kallsyms && kasan=1
quarantine_kb() { [ $kasan = 1 ] && meminfo SUnreclaim || echo 0; }
# MemFree plus the pages on the allocator's per-CPU lists (as pool.sh)
free_kb() {
	echo $(($(meminfo MemFree) + $(awk '/ count:/ { s += $2 } END { print s * 4 }' /proc/zoneinfo) + $(quarantine_kb)))
}
# MemAvailable plus the per-CPU lists: it counts free pages as MemFree does
avail_kb() {
	echo $(($(meminfo MemAvailable) + $(awk '/ count:/ { s += $2 } END { print s * 4 }' /proc/zoneinfo) + $(quarantine_kb)))
}
# within1 A B: A and B differ by at most 1% of A
within1() {
	wd=$(($1 - $2))
	[ $wd -lt 0 ] && wd=$((-wd))
	[ $((wd * 100)) -le "$1" ]
}

start=$(date +%s)
check "fastfault is not loaded at the start" unloaded

# The baseline after the same load ran without the module, so that the
# allocator's per-CPU lists are as warm before as after.
fatest loop 1 >/dev/null
echo 3 >/proc/sys/vm/drop_caches
sleep 1
free0=$(free_kb)
avail0=$(avail_kb)
# where the kernel's own memory is, to tell a leak from a debug kernel's
# bookkeeping (KASAN's quarantine and stack depot, kmemleak's objects)
kmem() {
	for k in Slab SReclaimable SUnreclaim KernelStack PageTables Percpu \
		VmallocUsed KReclaimable; do
		printf '%s %s ' $k "$(meminfo $k)"
	done
}
kmem0=$(kmem)
sunr0=$(meminfo SUnreclaim)

load_fail=0 set_fail=0 fill_fail=0 unload_fail=0 late=0 bad=0 hit=0
cyc=1	# not i: wait_full (tap.sh) counts with i
while [ $cyc -le "$cycles" ]; do
	if ! modprobe fastfault; then
		diag "cycle $cyc: modprobe fastfault failed"
		load_fail=$((load_fail + 1))
		cyc=$((cyc + 1))
		continue
	fi
	if ! faultctl set fault-around 64 zero-pool ${pool_mb}M >/dev/null; then
		diag "cycle $cyc: faultctl set fault-around 64 zero-pool ${pool_mb}M failed"
		set_fail=$((set_fail + 1))
	fi
	if ! wait_full $full; then
		diag "cycle $cyc: the pool holds $(pool_pages) pages after 30 s"
		fill_fail=$((fill_fail + 1))
	fi
	fatest loop 1 >/tmp/cyc.out 2>&1 &
	fl=$!
	sleep 0.2
	if ! kill -0 $fl 2>/dev/null; then
		diag "cycle $cyc: fatest loop had already ended at unload"
		late=$((late + 1))
	fi
	h=$(stat pool-hits)
	[ "${h:-0}" -gt 0 ] && hit=$((hit + 1))
	if ! modprobe -r fastfault; then
		diag "cycle $cyc: modprobe -r fastfault failed"
		unload_fail=$((unload_fail + 1))
		wait $fl
		modprobe -r fastfault
	fi
	if ! wait $fl; then
		diag "cycle $cyc: fatest loop failed:"
		sed 's/^/    /' /tmp/cyc.out | tail -n 8
		bad=$((bad + 1))
	fi
	cyc=$((cyc + 1))
done
diag "$cycles cycles in $(($(date +%s) - start)) s"

check "$cycles times modprobe fastfault ($load_fail failed)" [ $load_fail = 0 ]
check "$cycles times faultctl set fault-around 64 zero-pool ${pool_mb}M ($set_fail failed)" \
	[ $set_fail = 0 ]
check "the pool filled to $full pages in every cycle ($fill_fail did not)" \
	[ $fill_fail = 0 ]
check "$cycles times modprobe -r fastfault while a program faults ($unload_fail failed)" \
	[ $unload_fail = 0 ]
check "the program was still faulting when each unload began ($late were not)" \
	[ $late = 0 ]
check "the program saw zeroed memory in every cycle ($bad failed)" [ $bad = 0 ]
check "the pool served its faults before the unload ($hit of $cycles cycles)" \
	[ $hit -gt 0 ]
check "fastfault is unloaded at the end" unloaded
diag "MemFree $(meminfo MemFree) kB, MemAvailable $(meminfo MemAvailable) kB, per-CPU lists $(awk '/ count:/ { s += $2 } END { print s * 4 }' /proc/zoneinfo) kB (before: $free0 / $avail0 with them)"

echo 3 >/proc/sys/vm/drop_caches
sleep 1
free1=$(free_kb)
avail1=$(avail_kb)
diag "kernel memory before: $kmem0"
diag "kernel memory after:  $(kmem)"
if [ $kasan = 1 ]; then
	grow=$(($(meminfo SUnreclaim) - sunr0))
	cap=$(($(meminfo MemTotal) / 32))
	check "KASAN: unreclaimable slab grew by no more than its quarantine holds ($grow of $cap kB)" \
		[ $grow -le $cap ]
fi
check "free memory after the cycles within 1% of before ($free0 -> $free1 kB)" \
	within1 "$free0" "$free1"
check "MemAvailable (plus the per-CPU lists) after the cycles within 1% of before ($avail0 -> $avail1 kB)" \
	within1 "$avail0" "$avail1"
diag "cycles.sh: $(($(date +%s) - start)) s"
finish
