#!/bin/sh
# zero_once.sh: zero-once in a guest (busybox sh).  TAP output; exits
# non-zero if any test failed.  Expects fastfault unloaded at the start
# and leaves it unloaded.
#
# With zero-once off and on: huge pages written, freed and faulted again
# read zero (hugetest: THP, a partial MADV_DONTNEED, a split, fork and
# copy-on-write, MADV_COLLAPSE; mTHP 64K where the kernel has it;
# hugetlb and shmem THP, whose own clears must keep running).  With it
# on, THP faults skip their second clear (zero-once-skipped) and nothing
# else does: hugetlb's and shmem's clears are not skipped, and booted
# with init_on_alloc=0 (the allocator clears nothing) no clear is.  The
# hooks are there only while zero-once is on.
#
#   tests/vm/run --kernel 6.12 -- zero_once.sh

. tap.sh

thp=/sys/kernel/mm/transparent_hugepage
T=/sys/kernel/tracing
thp0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
shm0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/shmem_enabled)
m64=$thp/hugepages-64kB/enabled

efgrep() { grep -A1 "^$1 " $T/enabled_functions 2>/dev/null | grep -q "$2"; }
nohook() { ! efgrep "$1" fastfault; }
clear_fn=clear_huge_page
grep -q '^folio_zero_user$' $T/available_filter_functions 2>/dev/null &&
	clear_fn=folio_zero_user

check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault
echo always >$thp/enabled
echo always >$thp/shmem_enabled
echo 8 >/proc/sys/vm/nr_hugepages
check "8 hugetlb pages reserved ($(cat /proc/sys/vm/nr_hugepages))" \
	[ "$(cat /proc/sys/vm/nr_hugepages)" = 8 ]

suites() {	# suites LABEL: every hugetest mode
	sub "$1: hugetest thp" hugetest thp
	sub "$1: hugetest hugetlb" hugetest hugetlb
	sub "$1: hugetest shmem" hugetest shmem
	if [ -e $m64 ]; then
		echo never >$thp/enabled
		echo always >$m64
		a0=$(cat $thp/hugepages-64kB/stats/anon_fault_alloc 2>/dev/null)
		sub "$1: hugetest mthp 64" hugetest mthp 64
		a1=$(cat $thp/hugepages-64kB/stats/anon_fault_alloc 2>/dev/null)
		check "$1: 64K mTHP folios backed it (anon_fault_alloc $a0 -> $a1)" \
			[ "${a1:-0}" -gt "${a0:-0}" ]
		echo never >$m64
		echo always >$thp/enabled
	fi
}

# A kernel that cannot host zero-once (7.x clears a huge page once itself):
# refused with its reason, marked in show, nothing hooked, data intact.
# 6.13 on clears a huge page once itself (user_alloc_needs_zeroing()):
# there, and only there, the module must call zero-once unsupported
kv=$(uname -r | awk -F'[.-]' '{ print $1 * 1000 + $2 }')
marked=0
faultctl show | grep -q "^zero-once .*\[unsupported here: " && marked=1
check "show calls zero-once unsupported ($marked) on $(uname -r) iff it is 6.13 or later" \
	[ $marked = $((kv >= 6013)) ]
if [ $marked = 1 ]; then
	why=$(faultctl set zero-once 1 2>&1)
	check "faultctl set zero-once 1 fails (exit 2)" [ $? = 2 ]
	check "zero-once 1 is refused with the kernel's reason ($why)" \
		sh -c "echo '$why' | grep -q '^Error: .*zero-once\|^Error: .*clears'"
	check "show -j: unsupported names zero-once and zero-pool-huge" \
		sh -c "faultctl -j show | grep -q '\"unsupported\":{\"zero-once\":\"[^\"]*\",\"zero-pool-huge\":'"
	check "the kernel log said so once at load" \
		[ "$(dmesg | grep -c 'fastfault: .*zero-once\|fastfault: this kernel already clears')" -ge 1 ]
	check "$clear_fn is not hooked" nohook $clear_fn
	suites "unsupported here"
	check "modprobe -r fastfault" modprobe -r fastfault
	echo 0 >/proc/sys/vm/nr_hugepages
	echo "$thp0" >$thp/enabled
	echo "$shm0" >$thp/shmem_enabled
	finish
fi

check "zero-once 0: $clear_fn is not hooked" nohook $clear_fn
suites "zero-once 0"

why=$(faultctl set zero-once 1 2>&1)
check "faultctl set zero-once 1 ($why)" [ -z "$why" ]
diag "$(grep -A1 "^$clear_fn " $T/enabled_functions | tr '\n\t' '  ')"
check "zero-once 1: $clear_fn calls ff_clear_entry" \
	efgrep $clear_fn 'direct-->ff_clear_entry'
check "faultctl -j show says zero-once 1" \
	sh -c "faultctl -j show | grep -q '\"zero-once\": *1'"
faultctl stats --reset >/dev/null
sub "zero-once 1: hugetest thp" hugetest thp
s=$(stat zero-once-skipped)
c=$(stat zero-once-cleared)
if grep -q 'init_on_alloc=0' /proc/cmdline; then
	# the allocator clears nothing: every fault's own clear must run
	check "init_on_alloc=0: no clear skipped (zero-once-skipped ${s:-missing})" \
		[ "$s" = 0 ]
	check "init_on_alloc=0: THP faults cleared (zero-once-cleared ${c:-missing})" \
		[ "${c:-0}" -ge 8 ]
else
	check "THP faults skipped their second clear (zero-once-skipped ${s:-missing})" \
		[ "${s:-0}" -ge 8 ]
fi
faultctl stats --reset >/dev/null
sub "zero-once 1: hugetest hugetlb" hugetest hugetlb
sub "zero-once 1: hugetest shmem" hugetest shmem
s=$(stat zero-once-skipped)
check "hugetlb and shmem clears were not skipped (zero-once-skipped ${s:-missing})" \
	[ "$s" = 0 ]
suites "zero-once 1"
diag "stats: $(faultctl stats -j)"

# the semantic suite with everything on
check "faultctl set fault-around 8 zero-pool 16M zero-once 1" \
	faultctl set fault-around 8 zero-pool 16M zero-once 1
sub "fatest semantics 8 with zero-once on" fatest semantics 8
sub "fatest seqfaults 8 with zero-once on" fatest seqfaults 8

check "faultctl set zero-once 0 fault-around 1 zero-pool 0" \
	faultctl set zero-once 0 fault-around 1 zero-pool 0
check "zero-once 0 again: $clear_fn is not hooked" nohook $clear_fn
check "bad value: faultctl set zero-once 2 is refused" \
	sh -c '! faultctl set zero-once 2 2>/dev/null'

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded" unloaded
echo 0 >/proc/sys/vm/nr_hugepages
echo "$thp0" >$thp/enabled
echo "$shm0" >$thp/shmem_enabled
finish
