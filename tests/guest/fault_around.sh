#!/bin/sh
# fault_around.sh: anonymous fault-around, end to end, in a guest (busybox
# sh).  TAP output; exits non-zero if any test failed.
#
# Expects fastfault unloaded at the start and leaves it unloaded.  Covers:
# memory semantics and trap counts (fatest) at fault-around 1, 8 and 64,
# no RSS bloat on sparse access, the module's own counters, a memcg at its
# limit, and 20 load/unload cycles under a faulting load.
#
#   tests/vm/run --kernel 6.12 -- fault_around.sh

. tap.sh

nap() { sleep 0.2 2>/dev/null || sleep 1; }

start=$(date +%s)

check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault

for N in 1 8 64; do
	check "faultctl set fault-around $N" faultctl set fault-around $N
	faultctl stats --reset >/dev/null 2>&1
	sub "fatest semantics $N" fatest semantics $N
	sub "fatest seqfaults $N" fatest seqfaults $N
	sub "fatest old $N" fatest old $N
	sub "fatest softdirty $N" fatest softdirty $N
	if [ $N -gt 1 ]; then
		sub "fatest sparse 8 at fault-around $N" fatest sparse 8
		sub "fatest sparse 64 at fault-around $N" fatest sparse 64
	fi
	diag "stats at fault-around $N: $(faultctl stats -j)"
	lost=$(stat lock-lost)
	pre=$(stat prefaulted)
	check "fault-around $N: lock-lost is 0 (${lost:-missing})" [ "$lost" = 0 ]
	if [ $N -gt 1 ]; then
		check "fault-around $N: prefaulted > 0 (${pre:-missing})" \
			[ "${pre:-0}" -gt 0 ]
	else
		check "fault-around off: prefaulted stays 0 (${pre:-missing})" \
			[ "$pre" = 0 ]
	fi
done

# A 64M memcg, 90% of it written in sequence at the largest window: the
# speculative pages must not push the group into OOM.
cg=/sys/fs/cgroup/fftest
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mkdir -p $cg
echo 64M >$cg/memory.max
echo 0 >$cg/memory.swap.max 2>/dev/null
check "memcg: $cg has memory.max 64M ($(cat $cg/memory.max 2>/dev/null))" \
	[ "$(cat $cg/memory.max 2>/dev/null)" = 67108864 ]
check "memcg: faultctl set fault-around 64" faultctl set fault-around 64
faultctl stats --reset >/dev/null 2>&1
# shellcheck disable=SC2016
sub "memcg: fatest memcg 90 at fault-around 64" \
	sh -c 'echo $$ >'$cg'/cgroup.procs && exec fatest memcg 90'
oom=$(sed -n 's/^oom_kill //p' $cg/memory.events)
diag "memcg: memory.events: $(tr '\n' ' ' <$cg/memory.events)"
diag "memcg: peak $(cat $cg/memory.peak 2>/dev/null) stats $(faultctl stats -j)"
check "memcg: oom_kill stays 0 (${oom:-missing})" [ "$oom" = 0 ]
rmdir $cg 2>/dev/null

# A program that writes in sequence until its 40M group is within 64 KiB
# of memory.max: what it touches fits, but a 64-page (256 KiB) window near
# the end would not, so the headroom check must cut windows short
# (skip-pressure) and the group must never reach its limit.  The module
# keeps the chunk plus a charge batch and a chunk per CPU (64 + 8 pages)
# free, so on 2 vCPUs it refuses windows from about 600 KiB below the
# limit: that band is wider than the 256 KiB the usage can jump in one
# trap (a whole charge batch), so some trap always lands in it.  (With a
# 256 KiB margin the band was narrower than one jump, and whether a trap
# landed in it depended on alignment.)
mkdir -p $cg
echo 40M >$cg/memory.max
echo 0 >$cg/memory.swap.max 2>/dev/null
faultctl stats --reset >/dev/null 2>&1
# shellcheck disable=SC2016
sub "memcg near its limit: fatest memcg-margin 64 in 40M at fault-around 64" \
	sh -c 'echo $$ >'$cg'/cgroup.procs && exec fatest memcg-margin 64'
ev=$(tr '\n' ' ' <$cg/memory.events)
diag "memcg 40M: memory.events: $ev peak $(cat $cg/memory.peak 2>/dev/null)"
press=$(stat skip-pressure)
check "memcg near its limit: the window was cut short (skip-pressure ${press:-missing})" \
	[ "${press:-0}" -gt 0 ]
check "memcg near its limit: never at memory.max, no OOM ($ev)" \
	[ "$(sed -n 's/^max //p' $cg/memory.events)" = 0 -a \
	  "$(sed -n 's/^oom_kill //p' $cg/memory.events)" = 0 ]
rmdir $cg 2>/dev/null

check "modprobe -r fastfault" modprobe -r fastfault

# Unload while a userfaultfd fault sleeps with no answer (the server
# replies only after 10 s): the hook never sends such a fault into
# fastfault, so modprobe -r does not wait for it (it used to, for as long
# as the server took, unkillably), and the fault completes normally.
check "modprobe fastfault (uffd unload)" modprobe fastfault
faultctl set fault-around 8 >/dev/null
fatest uffd-hold 10 >/tmp/hold.out 2>&1 &
hold=$!
i=0
while ! grep -q holding /tmp/hold.out && [ $i -lt 50 ]; do nap; i=$((i + 1)); done
t0=$(date +%s)
modprobe -r fastfault
rrc=$?
t1=$(date +%s)
check "unload with a userfaultfd fault asleep does not wait for it ($((t1 - t0)) s) and succeeds ($rrc)" \
	[ $rrc = 0 -a $((t1 - t0)) -le 3 ]
wait $hold
hrc=$?
sed 's/^/    /' /tmp/hold.out
check "the sleeping fault completed normally ($hrc)" [ $hrc = 0 ]
check "fastfault is unloaded after the uffd unload" unloaded

# 20 load/unload cycles while fresh mappings fault and are checked
rm -f /tmp/loop.stop /tmp/loop.rc
(
	rc=0
	while [ ! -e /tmp/loop.stop ]; do
		fatest loop 2 >>/tmp/loop.log 2>&1 || rc=1
	done
	echo $rc >/tmp/loop.rc
) &
loop_pid=$!
cyc_fail=0
i=1
while [ $i -le 20 ]; do
	if ! modprobe fastfault; then
		diag "cycle $i: modprobe fastfault failed"
		cyc_fail=$((cyc_fail + 1))
	elif ! faultctl set fault-around 8; then
		diag "cycle $i: faultctl set fault-around 8 failed"
		cyc_fail=$((cyc_fail + 1))
	fi
	nap
	if ! modprobe -r fastfault; then
		diag "cycle $i: modprobe -r fastfault failed"
		cyc_fail=$((cyc_fail + 1))
		nap
		modprobe -r fastfault
	fi
	i=$((i + 1))
done
touch /tmp/loop.stop
wait $loop_pid
check "20 load/unload cycles under load ($cyc_fail failures)" [ $cyc_fail = 0 ]
rounds=$(grep -c '^ok' /tmp/loop.log)
grep -v '^ok' /tmp/loop.log | sed 's/^/    /' | tail -n 5
check "fatest loop ran and passed throughout ($rounds runs, status $(cat /tmp/loop.rc))" \
	[ "$(cat /tmp/loop.rc)" = 0 -a "$rounds" -gt 0 ]

check "fastfault is unloaded at the end" unloaded
diag "fault_around.sh: $(($(date +%s) - start)) s"
finish
