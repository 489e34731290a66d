#!/bin/sh
# stress.sh: stress-ng's fault-heavy stressors against fastfault while its
# settings change every second, in a guest (busybox sh).  TAP output;
# exits non-zero if any test failed.  Expects fastfault unloaded at the
# start and leaves it unloaded.
#
# stress-ng runs twice for SECONDS each (default 60): once on the stock
# kernel (fastfault not loaded), for the baseline exit status, then with
# fastfault loaded while two loops set fault-around (1, 8, 64) and
# zero-pool (0, 32M, 128M), each a second after the last.  It runs
# unprivileged (runas 65534: as root the madvise stressor poisons
# pages), in a memory cgroup (1G), with its data segment limited so that
# brk, stack and bigheap fail allocations instead of calling the OOM
# killer over and over.  Asserts: stress-ng
# succeeds with fastfault (or ends as it did on stock), every faultctl
# set succeeded, the module did fault-around and served pool pages, it
# unloads, and the kernel log did not wrap (the rig checks all of it for
# splats).  Needs stress-ng in the guest (tests/vm/run copies it when the
# host has it; tests/vm/setup installs it).
#
#   tests/vm/run --kernel 6.12 -- stress.sh [SECONDS]

. tap.sh

secs=${1:-60}
want="fault vm mmap madvise userfaultfd fork brk stack bigheap pagemove"
cg=/sys/fs/cgroup/ffstress

start=$(date +%s)
check "fastfault is not loaded at the start" unloaded
if ! command -v stress-ng >/dev/null; then
	nok "stress-ng is in the guest (install it on the host: tests/vm/setup)"
	finish
fi
diag "$(stress-ng --version)"

# The stressors of $want this stress-ng has, with their instance count.
have=$(stress-ng --stressors)
args=
missing=
for s in $want; do
	case " $have " in
	*" $s "*) args="$args --$s 1" ;;
	*) missing="$missing $s" ;;
	esac
done
[ -n "$missing" ] && diag "not in this stress-ng:$missing"
check "stress-ng has fault-heavy stressors ($args)" [ -n "$args" ]

# Unprivileged userfaultfd, so that its stressor runs as nobody.
echo 1 >/proc/sys/vm/unprivileged_userfaultfd 2>/dev/null
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mkdir -p $cg
echo 1G >$cg/memory.max
echo 0 >$cg/memory.swap.max 2>/dev/null
check "memcg $cg with memory.max 1G ($(cat $cg/memory.max 2>/dev/null))" \
	[ "$(cat $cg/memory.max 2>/dev/null)" = 1073741824 ]

# run_stress TAG: stress-ng in the background as nobody in $cg; its pid
# in $spid, its output in /tmp/sng.TAG.log, its status in /tmp/sng.TAG.rc
run_stress() {
	rm -f /tmp/sng.$1.rc
	# shellcheck disable=SC2016,SC2086
	(
		sh -c 'echo $$ >'$cg'/cgroup.procs && cd /tmp && ulimit -d 262144 &&
			exec runas 65534 stress-ng '"$args"' \
			--vm-bytes 32M --mmap-bytes 16M --userfaultfd-bytes 16M \
			--pagemove-bytes 16M --temp-path /tmp --verify \
			--metrics-brief --timeout '"$secs"'s' \
			>/tmp/sng.$1.log 2>&1
		echo $? >/tmp/sng.$1.rc
	) &
	spid=$!
}

# ---- stock: the baseline ----
oom0=$(sed -n 's/^oom_kill //p' $cg/memory.events)
run_stress stock
wait $spid
stock=$(cat /tmp/sng.stock.rc)
sed 's/^/    /' /tmp/sng.stock.log | tail -n 20
diag "stock: stress-ng exited $stock; memcg oom_kill $oom0 -> $(sed -n 's/^oom_kill //p' $cg/memory.events)"
check "stock: stress-ng ran its stressors to the end ($stock)" \
	grep -q 'run completed' /tmp/sng.stock.log

# flip NAME KEY VALUE...: until stress-ng ends, faultctl set KEY to each
# VALUE in turn, a second apart; "sets failures" in /tmp/flip.NAME
flip() {
	name=$1 key=$2
	shift 2
	sets=0 fail=0
	while kill -0 $spid 2>/dev/null; do
		for v in "$@"; do
			kill -0 $spid 2>/dev/null || break
			read -r up0 _ </proc/uptime
			if ! faultctl set "$key" "$v" >/dev/null 2>>/tmp/set.err; then
				fail=$((fail + 1))
				echo "faultctl set $key $v failed" >>/tmp/set.err
			fi
			read -r up1 _ </proc/uptime
			echo "$up0 $up1 $key $v" >>/tmp/flip.$name.log
			sets=$((sets + 1))
			sleep 1
		done
	done
	echo "$sets $fail" >/tmp/flip.$name
}

# ---- fastfault, its settings changing every second ----
check "modprobe fastfault" modprobe fastfault
check "faultctl set fault-around 8 zero-pool 32M" \
	faultctl set fault-around 8 zero-pool 32M
faultctl stats --reset >/dev/null
oom0=$(sed -n 's/^oom_kill //p' $cg/memory.events)
run_stress ff
# Ten stressors share two vCPUs: the loops (and faultctl) run at nice -10.
# Even so a faultctl set takes 0.3-0.5 s here (zero-pool 0 up to 4 s),
# so each key has a loop of its own.
renice -n -10 -p $$ >/dev/null 2>&1
rm -f /tmp/set.err /tmp/flip.*
t0=$(date +%s)
flip fa fault-around 1 8 64 &
fa_pid=$!
flip zp zero-pool 0 32M 128M &
zp_pid=$!
wait $fa_pid
wait $zp_pid
t1=$(date +%s)
renice -n 10 -p $$ >/dev/null 2>&1
wait $spid
rc=$(cat /tmp/sng.ff.rc)
read -r fa_sets fa_fail </tmp/flip.fa
read -r zp_sets zp_fail </tmp/flip.zp
diag "in $((t1 - t0)) s: $fa_sets sets of fault-around, $zp_sets of zero-pool"
diag "slowest sets (s): $(cat /tmp/flip.fa.log /tmp/flip.zp.log |
	awk '{ printf "%.2f %s %s\n", $2 - $1, $3, $4 }' | sort -rn | head -n 4 | tr '\n' ',')"
sed 's/^/    /' /tmp/sng.ff.log | tail -n 20
[ -s /tmp/set.err ] && sed 's/^/    set: /' /tmp/set.err | head -n 10
diag "fastfault: stress-ng exited $rc; memcg oom_kill $oom0 -> $(sed -n 's/^oom_kill //p' $cg/memory.events)"
diag "stats: $(faultctl stats -j)"
check "fastfault: stress-ng ran its stressors to the end ($rc)" \
	grep -q 'run completed' /tmp/sng.ff.log
check "fastfault: stress-ng succeeded or ended as on stock ($rc, stock $stock)" \
	[ "$rc" = 0 -o "$rc" = "$stock" ]
check "every faultctl set fault-around under stress succeeded ($fa_fail of $fa_sets failed)" \
	[ "$fa_sets" -gt 0 -a "$fa_fail" = 0 ]
check "every faultctl set zero-pool under stress succeeded ($zp_fail of $zp_sets failed)" \
	[ "$zp_sets" -gt 0 -a "$zp_fail" = 0 ]
check "fault-around mapped neighbours under stress (prefaulted $(stat prefaulted))" \
	[ "$(stat prefaulted)" -gt 0 ]
check "the pool served faults under stress (pool-hits $(stat pool-hits))" \
	[ "$(stat pool-hits)" -gt 0 ]

check "faultctl set fault-around 1 zero-pool 0" \
	faultctl set fault-around 1 zero-pool 0
check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
rmdir $cg 2>/dev/null
# A wrapped ring buffer would hide a splat from the rig's check.
check "the kernel log still starts at boot (no splat lost to a wrap)" \
	sh -c 'dmesg | head -n 3 | grep -q "Linux version"'
diag "stress.sh: $(($(date +%s) - start)) s"
finish
