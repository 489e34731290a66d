#!/bin/sh
# memcg_smp.sh: fault-around in one memcg from many CPUs at once, in a
# guest booted with 8 vCPUs (busybox sh).  TAP output; exits non-zero if
# any test failed.  Expects fastfault unloaded at the start and leaves it
# unloaded.
#
# Eight threads write their own streams until the 64M group is within
# 3 MiB of memory.max.  What they write fits; the windows they fill at
# the same moment must not add up past the headroom each one saw (every
# window checked once, then charged in full, pushed the group to its
# limit and into the OOM killer).  A task being killed gets no more pages.
# 3 MiB, because the kernel promises no closer: each of 8 CPUs may take a
# charge batch (64 pages) between a thread's look at memory.current and
# its next 8 pages, 2.25 MiB in all.  At 512 KiB, 3 rounds in 820 reached
# memory.max although windows had stopped 2.3 MiB short (without
# fastfault 0 in 1000: one host thread runs the vCPUs by turns, so the
# threads seldom overlap).  The one writer checks the windows' margin.
#
#   tests/vm/run --kernel 6.12 --smp 8 -- memcg_smp.sh [ROUNDS]   (5)

. tap.sh

start=$(date +%s)
check "fastfault is not loaded at the start" unloaded
check "at least 8 CPUs online ($(grep -c ^processor /proc/cpuinfo))" \
	[ "$(grep -c ^processor /proc/cpuinfo)" -ge 8 ]
check "modprobe fastfault" modprobe fastfault
check "faultctl set fault-around 64" faultctl set fault-around 64

cg=/sys/fs/cgroup/ffsmp
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null

# run_in_group DESC ARGS: a fresh 64M group, no swap, stats reset, and
# `fatest ARGS` in it as one sub-test
run_in_group() {
	mkdir -p $cg
	echo 64M >$cg/memory.max
	echo 0 >$cg/memory.swap.max 2>/dev/null
	faultctl stats --reset >/dev/null
	# shellcheck disable=SC2016
	sub "$1: fatest $2 in 64M at fault-around 64" \
		sh -c 'echo $$ >'$cg'/cgroup.procs && exec fatest '"$2"
	ev=$(tr '\n' ' ' <$cg/memory.events)
}

# never_max DESC: the group never reached memory.max, nobody was killed
never_max() {
	check "$1: the group never reached memory.max, no OOM kill ($ev)" \
		[ "$(sed -n 's/^max //p' $cg/memory.events)" = 0 -a \
		  "$(sed -n 's/^oom_kill //p' $cg/memory.events)" = 0 ]
}

# One writer up to 64 KiB from the limit: with 8 CPUs that may each take
# a charge batch, windows must stop about 2 MiB short (fatest checks where
# the last was filled: 1152 KiB or more).  With room for one batch in all
# they went on to 540 KiB.
run_in_group "one writer" "memcg-margin 64"
check "one writer: windows were cut short (skip-pressure $(stat skip-pressure))" \
	[ "$(stat skip-pressure)" -gt 0 ]
never_max "one writer"
rmdir $cg

for round in $(seq "${1:-5}"); do
	run_in_group "round $round" "memcg-threads 3072"
	diag "round $round: memory.events: $ev peak $(cat $cg/memory.peak 2>/dev/null)"
	# where the group's memory was when it hit the limit, to tell a
	# window's overshoot from the kernel's own charges (seen once in 25
	# rounds on trixie's 6.12): the kernel's OOM report has memory.stat
	[ "$(sed -n 's/^max //p' $cg/memory.events)" = 0 ] || {
		diag "round $round: memory.stat now: $(grep -E '^(anon|file|kernel|percpu|slab) ' $cg/memory.stat | tr '\n' ' ')"
		dmesg | grep -A40 'Memory cgroup stats for /ffsmp' |
			grep -E 'stats for|^ *(\[ *[0-9.]*\] *)?(anon|file|kernel|kernel_stack|pagetables|percpu|sock|shmem|slab|slab_unreclaimable) ' |
			sed 's/^/# OOM report: /'
	}
	diag "round $round: stats $(faultctl stats -j)"
	check "round $round: windows were filled (prefaulted $(stat prefaulted))" \
		[ "$(stat prefaulted)" -gt 0 ]
	never_max "round $round"
	rmdir $cg
done

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
diag "memcg_smp.sh: $(($(date +%s) - start)) s"
finish
