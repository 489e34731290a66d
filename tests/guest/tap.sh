# shellcheck shell=sh
# tap.sh: what the guest test scripts share (sourced: `. tap.sh`).
# TAP lines, a failure count, the module's state and its counters.

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; fails=$((fails + 1)); }
check() {	# check DESC COMMAND...: one test, passes if COMMAND does
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
diag() { echo "# $*"; }
loaded() { grep -q '^fastfault ' /proc/modules; }
unloaded() { ! loaded; }

# sub DESC COMMAND...: one test for a whole program run, its TAP indented
sub() {
	d=$1
	shift
	"$@" >/tmp/sub.out 2>&1
	rc=$?
	sed 's/^/    /' /tmp/sub.out
	if [ $rc = 0 ]; then ok "$d"; else nok "$d (exit $rc)"; fi
}

# stat KEY: a counter from `faultctl stats -j` (empty if missing)
stat() {
	faultctl stats -j | tr ',{}[]' '\n\n\n\n\n' |
		sed -n "s/^ *\"$1\" *: *\([0-9][0-9]*\).*/\1/p" | head -n 1
}

# cpustat CPU KEY: a counter of one CPU, from `faultctl stats --per-cpu`
cpustat() {
	faultctl stats --per-cpu |
		awk -v c="cpu $1:" -v k="$2" '$0 == c { f = 1; next }
			/^cpu / { f = 0 }
			f && $1 == k { print $2; exit }'
}

# pool_pages [huge-pool-node]: the zero pool's pages (of 4 KiB) held now,
# summed over the nodes; or the huge pool's
pool_pages() {
	faultctl stats -j |
		sed -n "s/.*\"${1:-pool-node}\":\\[\\([^]]*\\)\\].*/\\1/p" |
		tr ',{}' '\n\n\n' |
		sed -n 's/^ *"pages" *: *\([0-9][0-9]*\).*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# wait_full PAGES [SECONDS]: until the pool holds at least PAGES (30 s at
# most, or SECONDS); the seconds it waited in $wf_secs
wait_full() {
	wf_i=0	# sh has no locals: a name of its own, not the caller's i
	while [ "$(pool_pages)" -lt "$1" ] && [ $wf_i -lt $((${2:-30} * 5)) ]; do
		sleep 0.2
		wf_i=$((wf_i + 1))
	done
	wf_secs=$((wf_i / 5))
	[ "$(pool_pages)" -ge "$1" ]
}

# set_under_load DESC SECONDS KEY VALUE...: faultctl set KEY to each VALUE
# in turn, half a second apart, while `pooltest loop SECONDS` faults and
# checks fresh memory; one test: every set worked and every page was zero
set_under_load() {
	d=$1 secs=$2 key=$3
	shift 3
	rm -f /tmp/pl.rc
	( pooltest loop "$secs"; echo $? >/tmp/pl.rc ) &
	pl=$!
	sl_fail=0
	for v in "$@"; do
		faultctl set "$key" "$v" || sl_fail=$((sl_fail + 1))
		sleep 0.5
	done
	wait $pl
	check "$d under a faulting load: every page still zero ($(cat /tmp/pl.rc)), $sl_fail failed sets" \
		[ "$(cat /tmp/pl.rc)" = 0 -a $sl_fail = 0 ]
}

# finish NAME: the plan line and the exit status
finish() {
	echo "1..$n"
	[ $fails = 0 ] || { diag "$fails of $n failed"; exit 1; }
	exit 0
}
