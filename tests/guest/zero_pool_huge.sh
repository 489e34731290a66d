#!/bin/sh
# zero_pool_huge.sh: the pool of pre-zeroed 2 MiB folios, in a guest
# (busybox sh).  TAP output; exits non-zero if any test failed.  Expects
# fastfault unloaded at the start and leaves it unloaded.
#
# With zero-pool-huge on, THP faults take pre-zeroed folios and skip
# their clear, exactly those and no other: every skipped clear is a pool
# hit (zero-once off), hugetlb's and shmem's clears run, and memory reads
# zero after dirty reuse (hugetest: THP, partial MADV_DONTNEED, split,
# fork and copy-on-write, MADV_COLLAPSE).  The pool fills only while free
# 2 MiB blocks are plentiful (64 besides twice what it holds), counts as
# reclaimable, gives its folios to the shrinker, refuses bad sizes with
# nothing changed, and unloading with it full returns its memory.
#
#   tests/vm/run --kernel 6.12 -- zero_pool_huge.sh

. tap.sh

thp=/sys/kernel/mm/transparent_hugepage
T=/sys/kernel/tracing
thp0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
shm0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/shmem_enabled)

meminfo() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
efgrep() { grep -A1 "^$1 " $T/enabled_functions 2>/dev/null | grep -q "$2"; }
nohook() { ! efgrep "$1" fastfault; }
no_huge_thread() { ! grep -qs '^fastfault-huge' /proc/[0-9]*/comm; }
clear_fn=clear_huge_page
grep -q '^folio_zero_user$' $T/available_filter_functions 2>/dev/null &&
	clear_fn=folio_zero_user
huge_pages() { pool_pages huge-pool-node; }
# free 2 MiB blocks: the free blocks of order 9 and up, in the zones below
# Movable (where the pool takes its folios), in units of 2 MiB
free_huge() {
	awk '$4 != "Movable" { m = 1
			for (o = 9; o + 5 <= NF; o++) { n += $(o + 5) * m; m *= 2 } }
		END { print n + 0 }' /proc/buddyinfo
}
# wait_huge PAGES [SECONDS]: until the huge pool holds PAGES (60 s at most)
wait_huge() {
	wh_i=0
	while [ "$(huge_pages)" -lt "$1" ] && [ $wh_i -lt $((${2:-60} * 5)) ]; do
		sleep 0.2
		wh_i=$((wh_i + 1))
	done
	[ "$(huge_pages)" -ge "$1" ]
}
# wait_settled: until the huge pool stops growing for 3 s (90 s at most)
wait_settled() {
	ws_last=-1 ws_same=0 ws_i=0
	while [ $ws_same -lt 3 ] && [ $ws_i -lt 90 ]; do
		sleep 1
		ws_now=$(huge_pages)
		if [ "$ws_now" = "$ws_last" ]; then
			ws_same=$((ws_same + 1))
		else
			ws_same=0
		fi
		ws_last=$ws_now
		ws_i=$((ws_i + 1))
	done
}

check "fastfault is not loaded at the start" unloaded
echo 1 >/proc/sys/vm/drop_caches
free0=$(meminfo MemFree)
check "modprobe fastfault" modprobe fastfault
echo always >$thp/enabled
echo always >$thp/shmem_enabled
echo 8 >/proc/sys/vm/nr_hugepages
check "8 hugetlb pages reserved ($(cat /proc/sys/vm/nr_hugepages))" \
	[ "$(cat /proc/sys/vm/nr_hugepages)" = 8 ]

# A kernel that cannot host it (its folios skip a clear, through the hook
# zero-once needs; 7.x clears a huge page once itself): refused with the
# reason, nothing started, THP faults read zero.
# 6.13 on clears a huge page once itself (user_alloc_needs_zeroing()):
# there, and only there, the module must call zero-pool-huge unsupported
kv=$(uname -r | awk -F'[.-]' '{ print $1 * 1000 + $2 }')
marked=0
faultctl show | grep -q "^zero-pool-huge .*\[unsupported here: " && marked=1
check "show calls zero-pool-huge unsupported ($marked) on $(uname -r) iff it is 6.13 or later" \
	[ $marked = $((kv >= 6013)) ]
if [ $marked = 1 ]; then
	why=$(faultctl set zero-pool-huge 64M 2>&1)
	check "faultctl set zero-pool-huge 64M fails (exit 2)" [ $? = 2 ]
	check "zero-pool-huge is refused with the kernel's reason ($why)" \
		sh -c "echo '$why' | grep -q '^Error: .*(attribute zero-pool-huge)'"
	check "no fastfault-huge thread" no_huge_thread
	sub "hugetest thp" hugetest thp
	check "modprobe -r fastfault" modprobe -r fastfault
	echo 0 >/proc/sys/vm/nr_hugepages
	echo "$thp0" >$thp/enabled
	echo "$shm0" >$thp/shmem_enabled
	finish
fi

# ---- bad sizes change nothing ----
half=$(($(meminfo MemTotal) / 2 / 2048 * 2048))	# kB, whole folios
out=$(faultctl set zero-pool-huge $((half + 4096))K 2>&1)
rc=$?
check "zero-pool-huge above half of RAM is refused, exit 2 ($rc: $out)" \
	sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'zero-pool-huge'"
out=$(faultctl set zero-pool ${half}K zero-pool-huge 4M 2>&1)
rc=$?
check "zero-pool and zero-pool-huge together above half of RAM are refused ($rc: $out)" \
	sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'together'"
check "nothing changed: zero-pool 0 and zero-pool-huge 0" \
	sh -c "faultctl -j show | grep -q '\"zero-pool\": *0,' &&
	       faultctl -j show | grep -q '\"zero-pool-huge\": *0'"
check "nothing changed: $clear_fn is not hooked" nohook $clear_fn
check "no huge pool thread without a size" no_huge_thread

# ---- on: fills, hooks, counts as reclaimable ----
kr0=$(meminfo KReclaimable)
check "faultctl set zero-pool-huge 64M" faultctl set zero-pool-huge 64M
check "faultctl -j show says zero-pool-huge 67108864" \
	sh -c "faultctl -j show | grep -q '\"zero-pool-huge\": *67108864'"
check "zero-pool-huge 5M is rounded down to whole folios (4 MiB)" \
	sh -c "faultctl set zero-pool-huge 5M >/dev/null &&
	       faultctl -j show | grep -q '\"zero-pool-huge\": *4194304' &&
	       faultctl set zero-pool-huge 64M >/dev/null"
wait_huge 16384
check "the huge pool fills to 64 MiB (16384 pages: $(huge_pages))" [ $? = 0 ]
check "a fastfault-huge thread runs" grep -qs '^fastfault-huge' /proc/[0-9]*/comm
kr1=$(meminfo KReclaimable)
check "the huge pool counts as reclaimable (KReclaimable $kr0 -> $kr1 kB)" \
	[ $((kr1 - kr0)) -ge 60000 ]
check "$clear_fn calls ff_clear_entry" efgrep $clear_fn 'direct-->ff_clear_entry'
check "the small pool is empty (it is not the huge one: $(pool_pages))" \
	[ "$(pool_pages)" = 0 ]

# ---- THP faults take pool folios and skip exactly their clears ----
faultctl stats --reset >/dev/null
sub "zero-pool-huge: hugetest thp" hugetest thp
h=$(stat huge-pool-hits)
s=$(stat zero-once-skipped)
diag "stats: $(faultctl stats -j)"
check "THP faults were served from the huge pool (huge-pool-hits ${h:-missing})" \
	[ "${h:-0}" -ge 8 ]
check "every skipped clear was a pool folio's (skipped ${s:-missing}, hits ${h:-missing})" \
	[ "${s:-x}" = "${h:-y}" ]
faultctl stats --reset >/dev/null
sub "zero-pool-huge: hugetest hugetlb" hugetest hugetlb
sub "zero-pool-huge: hugetest shmem" hugetest shmem
s=$(stat zero-once-skipped)
h=$(stat huge-pool-hits)
check "hugetlb and shmem took nothing and skipped no clear (skipped ${s:-missing}, hits ${h:-missing})" \
	[ "$s/$h" = 0/0 ]

# ---- with zero-once too, and the semantic suite with everything on ----
check "faultctl set zero-once 1" faultctl set zero-once 1
faultctl stats --reset >/dev/null
sub "zero-pool-huge + zero-once: hugetest thp" hugetest thp
if [ -e $thp/hugepages-64kB/enabled ]; then
	echo never >$thp/enabled
	echo always >$thp/hugepages-64kB/enabled
	sub "zero-pool-huge + zero-once: hugetest mthp 64" hugetest mthp 64
	echo never >$thp/hugepages-64kB/enabled
	echo always >$thp/enabled
fi
check "faultctl set fault-around 8 zero-pool 16M" \
	faultctl set fault-around 8 zero-pool 16M
sub "fatest semantics 8 with both pools and zero-once" fatest semantics 8
sub "fatest seqfaults 8 with both pools and zero-once" fatest seqfaults 8
check "faultctl set zero-once 0 fault-around 1 zero-pool 0" \
	faultctl set zero-once 0 fault-around 1 zero-pool 0
check "$clear_fn is still hooked for the huge pool" \
	efgrep $clear_fn 'direct-->ff_clear_entry'

# ---- the shrinker gives the folios back ----
wait_huge 16384
held=$(huge_pages)
faultctl stats --reset >/dev/null
echo 2 >/proc/sys/vm/drop_caches
sh=$(stat huge-pool-shrunk)
check "drop_caches 2 runs the shrinker: folios given back (huge-pool-shrunk ${sh:-missing}, $held pages held before)" \
	[ "${sh:-0}" -gt 0 ]

# ---- the refill leaves free 2 MiB blocks plentiful ----
check "faultctl set zero-pool-huge ${half}K (half of RAM)" \
	faultctl set zero-pool-huge ${half}K
wait_settled
held=$(($(huge_pages) / 512))
fh=$(free_huge)
diag "half of RAM asked: $held folios held, $fh free 2 MiB blocks left; $(cat /proc/buddyinfo | tr '\n' ';')"
check "the pool stopped short of half of RAM ($held of $((half / 2048)) folios)" \
	[ $held -lt $((half / 2048)) ]
check "free 2 MiB blocks stay at 64 besides twice the pool ($fh >= 64 + 2 x $held, 8 of slack)" \
	[ $((fh + 8)) -ge $((64 + 2 * held)) ]
check "the pool still took folios ($held)" [ $held -gt 0 ]

# ---- unload with it full returns its memory ----
check "faultctl set zero-pool-huge 256M" faultctl set zero-pool-huge 256M
wait_settled
held_kb=$(($(huge_pages) * 4))
echo 1 >/proc/sys/vm/drop_caches
free1=$(meminfo MemFree)
diag "before unload: $held_kb kB held, MemFree $free1 kB"
check "modprobe -r fastfault with the huge pool full" modprobe -r fastfault
check "fastfault is unloaded" unloaded
check "no fastfault-huge thread is left" no_huge_thread
free2=$(meminfo MemFree)
# what the pool held is free again, but for what the per-CPU lists keep
# (the rest of the run's memory need not be: on a KASAN kernel its
# quarantine and kmemleak keep freed objects)
check "unload gave the pool's $held_kb kB back to MemFree ($free1 -> $free2 kB)" \
	[ $held_kb -ge 200000 -a $((free2 - free1)) -ge $((held_kb * 3 / 4)) ]
echo 0 >/proc/sys/vm/nr_hugepages
diag "MemFree at the start $free0 kB, now $(meminfo MemFree) kB"

echo "$thp0" >$thp/enabled
echo "$shm0" >$thp/shmem_enabled
finish
