#!/bin/sh
# fabench.sh: the fault-around benchmark, in a guest (busybox sh).
#
# For each configuration -- stock (module not loaded), fault-around 8,
# fault-around 16 -- runs every fabench workload RUNS times (default 3),
# prints each run's JSON line, the module's counters after each
# configuration, and at the end a markdown table with min / median / max.
# Unloads the module at the end.
#
#   tests/vm/run --kernel 6.12 --icount -- fabench.sh [RUNS]
#
# Times are CLOCK_MONOTONIC in the guest.  Under --icount (QEMU -icount
# shift=0,sleep=off) a guest nanosecond is one guest instruction: the
# table then counts instructions, deterministically, not real time.
# Without --icount, TCG times are noise.

runs=${1:-3}
dat=/tmp/fabench.dat
: >$dat
fail=0

# workloads, one per line: a label and fabench's arguments
workloads='anon-seq|anon-seq
anon-sparse-8|anon-sparse 8
forkexec-100|forkexec 100'

# field KEY JSON
field() { echo "$2" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

# bench ORDER CONFIG: every workload RUNS times, results into $dat
bench() {
	order=$1
	cfg=$2
	w=0
	echo "$workloads" | while IFS='|' read -r label args; do
		w=$((w + 1))
		r=1
		while [ $r -le "$runs" ]; do
			# shellcheck disable=SC2086
			j=$(fabench $args) || {
				echo "# fabench $args failed"
				echo fail >>/tmp/fabench.fail
			}
			echo "$cfg $label: $j"
			k=$order.$w
			case $label in
			forkexec*)
				echo "$k $cfg $label faults/proc $(field faults_per_proc "$j")" >>$dat
				echo "$k $cfg $label ns/proc $(field ns_per_proc "$j")" >>$dat
				;;
			*)
				echo "$k $cfg $label faults/page $(field faults_per_page "$j")" >>$dat
				echo "$k $cfg $label anon-rss/page $(field rss_per_page "$j")" >>$dat
				echo "$k $cfg $label touch-ns/page $(field touch_ns_per_page "$j")" >>$dat
				echo "$k $cfg $label mmap-to-munmap-ns/page $(field ns_per_page "$j")" >>$dat
				;;
			esac
			r=$((r + 1))
		done
	done
}

stats() {
	echo "# faultctl stats -j after $1: $(faultctl stats -j 2>&1)"
}

rm -f /tmp/fabench.fail
if grep -q '^fastfault ' /proc/modules; then
	modprobe -r fastfault || fail=1
fi
echo "# kernel $(uname -r), $(nproc) CPU(s), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"

# Warm up: just after boot the first 64 MiB runs cost up to twice as
# much (seen on 6.12 under icount).  Repeat anon-seq until two runs in
# a row agree within 1% (at most 8), then one run of each workload.
prev=0
i=1
while [ $i -le 8 ]; do
	j=$(fabench anon-seq)
	cur=$(field ns "$j")
	echo "# warm-up $i: anon-seq ns $cur"
	[ "$prev" != 0 ] && awk -v a="$prev" -v b="$cur" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < a / 100) }' && break
	prev=$cur
	i=$((i + 1))
done
echo "$workloads" | while IFS='|' read -r label args; do
	# shellcheck disable=SC2086
	fabench $args >/dev/null
done

bench 1 stock
modprobe fastfault || { echo "# modprobe fastfault failed"; exit 1; }
n=2
for fa in 8 16; do
	faultctl set fault-around $fa || fail=1
	faultctl stats --reset >/dev/null
	bench $n fault-around-$fa
	stats "fault-around $fa"
	n=$((n + 1))
done
modprobe -r fastfault || fail=1
[ -e /tmp/fabench.fail ] && fail=1

echo
echo "| config | workload | metric | min | median | max |"
echo "|---|---|---|---:|---:|---:|"
# group by (order, config, workload, metric) in the order they came
awk '{ key = $1 " " $2 " " $3 " " $4
       if (!(key in n)) { keys[++nk] = key }
       v[key, ++n[key]] = $5 }
     END {
       for (i = 1; i <= nk; i++) {
         k = keys[i]; m = n[k]
         for (a = 1; a <= m; a++)	# insertion sort
           for (b = a; b > 1 && v[k, b - 1] + 0 > v[k, b] + 0; b--) {
             t = v[k, b]; v[k, b] = v[k, b - 1]; v[k, b - 1] = t }
         split(k, f, " ")
         printf "| %s | %s | %s | %s | %s | %s |\n", f[2], f[3], f[4],
                v[k, 1], v[k, int((m + 1) / 2)], v[k, m]
       }
     }' $dat
exit $fail
