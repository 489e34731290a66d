#!/bin/sh
# bench.sh: the benchmark suite's driver, in a guest (busybox sh) or, for
# tests/bench --native, on a machine of one's own.  For each configuration
# it sets the machine up, runs every workload that configuration applies
# to RUNS times, and prints one line per run:
#
#   @@R {"config":..,"workload":..,"run":N,"res":{fabench's JSON},"ff":{faultctl stats -j}}
#
# (config "ioa0-NAME" when the kernel was booted with init_on_alloc=0)
#
# plus "@@N text" notes (skipped configurations and why) and "@@I" facts
# about the machine.  tests/bench collects the lines and makes the tables.
# Every setting it changes is put back at the end; fastfault is left
# unloaded.
#
#   bench.sh [RUNS [FILTER]]    FILTER: a regex over "config workload"
#
# Environment: FABENCH_INSMOD=PATH.ko loads the module with insmod instead
# of modprobe (native runs).

runs=${1:-3}
filter=${2:-.}
# Booted with init_on_alloc=0 (the allocator clears only on request, and
# the pool clears with non-temporal stores): configurations are reported
# as ioa0-CONFIG, beside the default boot's.
ioa0=
grep -qw 'init_on_alloc=0' /proc/cmdline && ioa0=ioa0-
fail=0
rm -f /tmp/bench.fail
thp=/sys/kernel/mm/transparent_hugepage
fab=/sys/kernel/debug/fault_around_bytes

note() { echo "@@N $*"; }
loaded() { grep -q '^fastfault ' /proc/modules; }
mod_on() {
	loaded && return 0
	if [ -n "$FABENCH_INSMOD" ]; then
		insmod "$FABENCH_INSMOD"
	else
		modprobe fastfault
	fi
}
mod_off() { ! loaded || rmmod fastfault; }

# the machine's settings, to put back at the end
thp0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled 2>/dev/null)
fab0=$(cat $fab 2>/dev/null)
mthp_sizes=
for s in 16 64; do
	[ -e $thp/hugepages-${s}kB/enabled ] && mthp_sizes="$mthp_sizes $s"
done
restore() {
	mod_off
	cgroups_off
	[ -n "$thp0" ] && echo "$thp0" >$thp/enabled
	[ -n "$fab0" ] && echo "$fab0" >$fab
	for s in $mthp_sizes; do echo never >$thp/hugepages-${s}kB/enabled; done
}

# the cgroups of the scoped configurations: the workload's, and 8 others
cgb=/sys/fs/cgroup/ffbench
cgroups_off() {
	for d in $cgb $cgb-[0-9]; do
		[ -d "$d" ] && rmdir "$d"
	done
	return 0
}

# reset: module off, THP never, mTHP never, kernel fault-around 64 KiB
reset() {
	mod_off || { note "cannot unload fastfault"; fail=1; }
	cgroups_off
	echo never >$thp/enabled
	for s in $mthp_sizes; do echo never >$thp/hugepages-${s}kB/enabled; done
	[ -e $fab ] && echo 65536 >$fab
}

# setup CONFIG: 0 if applied, 1 (with a note) if it cannot be here
setup() {
	reset
	case $1 in
	stock|map-populate|madv-populate) ;;
	thp-always|zo-thp|zph-thp) echo always >$thp/enabled ;;
	mthp-16k|mthp-64k|zo-mthp-64k)
		s=${1#*mthp-}
		s=${s%k}
		if [ ! -e $thp/hugepages-${s}kB/enabled ]; then
			note "$1: no anonymous mTHP on $(uname -r) (6.8 and later)"
			return 1
		fi
		echo always >$thp/hugepages-${s}kB/enabled
		;;
	fab-4096)
		if [ ! -w $fab ]; then
			note "$1: no $fab (debugfs not mounted, or lockdown)"
			return 1
		fi
		echo 4096 >$fab
		;;
	pool-on-clear)
		if [ -z "$ioa0" ]; then
			note "$1: only booted with init_on_alloc=0 (with it on, every pool clears with clear_page)"
			return 1
		fi
		;;
	esac
	case $1 in
	ff-*|pool-on*|zo-*|zph-*)
		mod_on || { note "$1: cannot load fastfault"; fail=1; return 1; }
		case $1 in
		ff-16-cg)
			# a scope: the workload's cgroup only
			mkdir -p $cgb &&
				faultctl set fault-around 16 cgroup $cgb >/dev/null ;;
		ff-16-8scopes)
			# system-wide, and 8 scopes the workload is not in, each
			# setting the same key: every fault walks all of them
			faultctl set fault-around 16 >/dev/null &&
			for i in 1 2 3 4 5 6 7 8; do
				mkdir -p $cgb-$i &&
					faultctl set fault-around 16 cgroup $cgb-$i >/dev/null ||
					{ note "$1: scope $i failed"; return 1; }
			done ;;
		ff-*) faultctl set fault-around "${1#ff-}" >/dev/null ;;
		zo-*) faultctl set zero-once 1 >/dev/null ;;
		zph-*) faultctl set zero-pool-huge 64M >/dev/null ;;
		pool-on) faultctl set zero-pool 8M >/dev/null ;;
		pool-on-ff16)
			faultctl set fault-around 16 zero-pool 8M >/dev/null ;;
		pool-on-clear)
			faultctl set zero-pool 8M zero-nontemporal 0 >/dev/null ;;
		esac || { note "$1: faultctl set failed"; fail=1; return 1; }
		;;
	stock|map-populate|madv-populate|thp-always|mthp-*|fab-*) ;;
	*) note "$1: unknown configuration"; return 1 ;;
	esac
	return 0
}

# The workloads: name, fabench arguments, configurations.  Sizes are for
# QEMU TCG (10-50x slower than hardware).
CFG_ANON="stock thp-always mthp-16k mthp-64k map-populate madv-populate ff-1 ff-8 ff-16"
CFG_FILE="stock fab-4096 map-populate ff-1 ff-8 ff-16"
CFG_PROC="stock thp-always mthp-16k mthp-64k fab-4096 ff-1 ff-8 ff-16"
CFG_POOL="stock pool-on pool-on-clear pool-on-ff16 ff-16"
workloads="anon-seq|anon -m 32|$CFG_ANON ff-64 zo-thp zo-mthp-64k ff-16-cg ff-16-8scopes
anon-seq-2t|anon -m 32 -t 2|$CFG_ANON ff-64
anon-seq-2p|anon -m 32 -p 2|$CFG_ANON ff-64
anon-sparse-8|anon -m 32 -s 8|$CFG_ANON ff-16-cg ff-16-8scopes
anon-sparse-64|anon -m 64 -s 64|$CFG_ANON
file-priv-read|file priv-read -m 32|$CFG_FILE
file-priv-write|file priv-write -m 32|$CFG_FILE
file-shared-read|file shared-read -m 32|$CFG_FILE
file-shared-write|file shared-write -m 32|$CFG_FILE
exec-loop|spawn 60 sh -c 'kmod --version >/dev/null; exec fabench child'|$CFG_PROC
pool-paced|anon -m 32 -c 256 -g 2000 -K|$CFG_POOL
pool-burst|anon -m 32 -K|$CFG_POOL
pool-thp|anon -m 32 -K|stock thp-always zo-thp zph-thp"
configs="stock thp-always mthp-16k mthp-64k map-populate madv-populate fab-4096 ff-1 ff-8 ff-16 ff-64 pool-on pool-on-clear pool-on-ff16 zo-thp zo-mthp-64k zph-thp ff-16-cg ff-16-8scopes"

# run CONFIG NAME ARGS: RUNS runs, one @@R line each
run() {
	cfg=$1
	name=$2
	args=$3
	case $cfg in
	map-populate) args="$args -P map" ;;
	madv-populate) args="$args -P madv" ;;
	esac
	pin=
	# pool workloads: one CPU for the workload and the pool's thread
	# (under icount a task's clock also counts what another vCPU ran
	# meanwhile)
	case $name in pool-*) pin="taskset 1" ;; esac
	r=1
	while [ "$r" -le "$runs" ]; do
		case $cfg in
		pool-on*|zph-*)
			# every run from a full pool, its thread asleep
			case $cfg in
			zph-*) k=zero-pool-huge v=64M ;;
			*) k=zero-pool v=8M ;;
			esac
			faultctl set $k 0 >/dev/null &&
				faultctl set $k $v >/dev/null
			for p in $(grep -l '^fastfault' /proc/[0-9]*/comm 2>/dev/null); do
				p=${p#/proc/}
				taskset -p 1 "${p%/comm}" >/dev/null 2>&1
			done
			fabench poolwait || note "$cfg $name: the pool did not fill"
			;;
		esac
		loaded && faultctl stats --reset >/dev/null
		# ff-16-cg: the workload is a task of the scoped cgroup
		inc=
		[ "$cfg" = ff-16-cg ] &&
			inc="sh -c 'echo \$\$ >$cgb/cgroup.procs && exec \"\$@\"' sh"
		# shellcheck disable=SC2086
		j=$(eval "$pin $inc fabench $args") || {
			note "$cfg $name: fabench $args failed"
			: >/tmp/bench.fail
			j='{}'
		}
		st='{}'
		loaded && st=$(faultctl stats -j)
		echo "@@R {\"config\":\"$ioa0$cfg\",\"workload\":\"$name\",\"run\":$r,\"res\":$j,\"ff\":$st}"
		r=$((r + 1))
	done
}

echo "@@I {\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"mem_kb\":$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo),\"cmdline\":\"$(cat /proc/cmdline)\",\"runs\":$runs}"

# Warm up: just after boot the first runs cost up to twice as much (seen
# on 6.12 under icount).  Repeat until two runs in a row agree within 1%.
reset
prev=0
i=1
while [ $i -le 8 ]; do
	cur=$(fabench anon -m 32 | sed -n 's/.*"ns":\([0-9]*\).*/\1/p')
	[ "$prev" != 0 ] && awk -v a="$prev" -v b="$cur" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < a / 100) }' && break
	prev=$cur
	i=$((i + 1))
done
echo "@@N warm-up: $i runs of anon -m 32"
fabench spawn 10 sh -c 'kmod --version >/dev/null; exec fabench child' >/dev/null
fabench file priv-read -m 32 >/dev/null
# the pool needs its module: load once so that its first load is not timed
mod_on && mod_off

for cfg in $configs; do
	list=$(echo "$workloads" | while IFS='|' read -r name args cfgs; do
		for c in $cfgs; do
			[ "$c" = "$cfg" ] && echo "$cfg $name" | grep -Eq "$filter" &&
				echo "$name|$args"
		done
	done)
	[ -n "$list" ] || continue
	setup "$cfg" || continue
	echo "$list" | while IFS='|' read -r name args; do
		run "$cfg" "$name" "$args"
	done
done
restore
[ -e /tmp/bench.fail ] && fail=1
[ -e /dev/shm/fabench-32 ] && rm -f /dev/shm/fabench-*
exit $fail
