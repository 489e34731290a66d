#!/bin/sh
# memcg_smp.sh: fault-around in one memcg from many CPUs at once, in a
# guest booted with 8 vCPUs (busybox sh).  TAP output; exits non-zero if
# any test failed.  Expects fastfault unloaded at the start and leaves it
# unloaded.
#
# Eight threads write their own streams until the 64M group is within
# 512 KiB of memory.max.  What they write fits; the windows they fill at
# the same moment must not add up past the headroom each one saw (every
# window checked once, then charged in full, pushed the group to its
# limit and into the OOM killer).  A task being killed gets no more pages.
#
#   tests/vm/run --kernel 6.12 --smp 8 -- memcg_smp.sh

. tap.sh

start=$(date +%s)
check "fastfault is not loaded at the start" unloaded
check "at least 8 CPUs online ($(grep -c ^processor /proc/cpuinfo))" \
	[ "$(grep -c ^processor /proc/cpuinfo)" -ge 8 ]
check "modprobe fastfault" modprobe fastfault
check "faultctl set fault-around 64" faultctl set fault-around 64

cg=/sys/fs/cgroup/ffsmp
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
for round in 1 2 3 4 5; do
	mkdir -p $cg
	echo 64M >$cg/memory.max
	echo 0 >$cg/memory.swap.max 2>/dev/null
	faultctl stats --reset >/dev/null
	# shellcheck disable=SC2016
	sub "round $round: fatest memcg-threads 512 in 64M at fault-around 64" \
		sh -c 'echo $$ >'$cg'/cgroup.procs && exec fatest memcg-threads 512'
	ev=$(tr '\n' ' ' <$cg/memory.events)
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
	check "round $round: the group never reached memory.max, no OOM kill ($ev)" \
		[ "$(sed -n 's/^max //p' $cg/memory.events)" = 0 -a \
		  "$(sed -n 's/^oom_kill //p' $cg/memory.events)" = 0 ]
	rmdir $cg
done

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
diag "memcg_smp.sh: $(($(date +%s) - start)) s"
finish
