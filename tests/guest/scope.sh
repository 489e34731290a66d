#!/bin/sh
# scope.sh: settings scoped to a cgroup v2 subtree, in a guest (busybox
# sh).  TAP output; exits non-zero if any test failed.  Expects fastfault
# unloaded at the start and leaves it unloaded.
#
# A task in a scoped cgroup (or below it) gets the scope's fault-around
# (traps per page about 1/N), one outside gets the system-wide value;
# the deepest scope wins, unset gives the value back; pool-access and
# zero-once by scope; bad input is refused and changes nothing; a cgroup
# removed while its task faults drops its scope, its reference on the
# cgroup and the hook it alone needed, with a clean log.
#
#   tests/vm/run --kernel 6.12 -- scope.sh

. tap.sh

CG=/sys/fs/cgroup
S=$CG/ffscope		# the scoped subtree (no controllers: it dies at once)
O=$CG/ffother		# a cgroup outside it
T=/sys/kernel/tracing
thp=/sys/kernel/mm/transparent_hugepage

# runin CGROUP COMMAND...: COMMAND run as a task of CGROUP
runin() {
	in_cg=$1
	shift
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$in_cg" "$@"
}
efgrep() { grep -A1 "^$1 " $T/enabled_functions 2>/dev/null | grep -q "$2"; }
hooked() { efgrep handle_mm_fault ff_fault_entry; }
unhooked() { ! hooked; }
scopes() { faultctl show | grep -c '^cgroup '; }
# fails ST PATTERN COMMAND...: COMMAND exits ST, its stderr matches PATTERN
fails() {
	f_st=$1 f_pat=$2
	shift 2
	"$@" >/tmp/fails.out 2>&1
	f_rc=$?
	diag "$* -> $f_rc: $(cat /tmp/fails.out)"
	[ $f_rc = "$f_st" ] && grep -q "$f_pat" /tmp/fails.out
}
dying() { sed -n 's/^nr_dying_descendants //p' $S/cgroup.stat; }

start=$(date +%s)
check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault
mkdir -p $S/inner $O $S/victim

# ---- fault-around for one subtree only ----
check "faultctl set fault-around 8 cgroup $S" \
	faultctl set fault-around 8 cgroup $S
faultctl show | sed 's/^/# show: /'
check "show lists the scope under its path" \
	sh -c "faultctl show | grep -A1 '^cgroup $S\$' | grep -q '^  anon-fault-around  8 pages'"
check "the system-wide window is still 1" \
	sh -c "faultctl -j show | grep -q '\"anon-fault-around\":1,'"
check "show -j lists it in scopes[] with its cgroup id" \
	sh -c "faultctl -j show | grep -q '\"scopes\":\[{\"cgroup\":\"$S\",\"cgroup-id\":[0-9]*,\"anon-fault-around\":8}\]'"
check "handle_mm_fault is hooked for the scope" hooked
sub "inside $S: 1/8 traps per page (fatest seqfaults 8)" runin $S fatest seqfaults 8
sub "below it, in $S/inner: the scope applies (fatest seqfaults 8)" \
	runin $S/inner fatest seqfaults 8
sub "outside, in $O: no batching (fatest seqfaults 1)" runin $O fatest seqfaults 1
sub "in the root cgroup: no batching (fatest seqfaults 1)" fatest seqfaults 1

# ---- the deepest scope wins; the system-wide value elsewhere ----
check "faultctl set fault-around 1 cgroup $S/inner" \
	faultctl set fault-around 1 cgroup $S/inner
check "faultctl set anon-fault-around 16 (system-wide)" \
	faultctl set anon-fault-around 16
sub "in $S/inner: its own scope, off (fatest seqfaults 1)" \
	runin $S/inner fatest seqfaults 1
sub "in $S: still 8 (fatest seqfaults 8)" runin $S fatest seqfaults 8
sub "in $O: the system-wide 16 (fatest seqfaults 16)" runin $O fatest seqfaults 16
check "faultctl unset fault-around cgroup $S/inner" \
	faultctl unset fault-around cgroup $S/inner
check "a scope left with no key is gone (1 scope listed: $(scopes))" \
	[ "$(scopes)" = 1 ]
sub "in $S/inner again: the parent's scope (fatest seqfaults 8)" \
	runin $S/inner fatest seqfaults 8
check "faultctl set anon-fault-around 1 (system-wide)" \
	faultctl set anon-fault-around 1

# ---- bad input: a clear error, nothing changed ----
before=$(faultctl -j show)
check "zero-pool for a cgroup: refused, exit 1" \
	fails 1 "zero-pool is system-wide" faultctl set zero-pool 16M cgroup $S
check "a cgroup that does not exist: exit 1" \
	fails 1 "No such file or directory" faultctl set fault-around 8 cgroup $CG/nonexistent
check "a directory that is not a cgroup: exit 1" \
	fails 1 "not a cgroup v2 directory" faultctl set fault-around 8 cgroup /tmp
check "the root cgroup: the kernel refuses it, exit 2" \
	fails 2 "root cgroup" faultctl set fault-around 8 cgroup $CG
check "unset of a cgroup without a scope: exit 2" \
	fails 2 "has no scope" faultctl unset cgroup $O
check "unset without cgroup: exit 1" \
	fails 1 "unset needs cgroup PATH" faultctl unset fault-around
check "an unprivileged caller cannot set a scope: exit 4" \
	fails 4 "CAP_SYS_ADMIN" runas 65534 faultctl set fault-around 8 cgroup $O
check "an out-of-range value: exit 1" \
	fails 1 "out of range" faultctl set fault-around 65 cgroup $S
printf 'fault-around 4 cgroup %s\nzero-nontemporal 1\n' $O >/tmp/bad.conf
if grep -q 'init_on_alloc=0' /proc/cmdline; then
	printf 'fault-around 4 cgroup %s\nzero-once 2\n' $O >/tmp/bad.conf
	bad_st=1 bad_msg="out of range"
else
	bad_st=2 bad_msg="zero-nontemporal"
fi
check "apply: a scope with a refused system-wide key: exit $bad_st" \
	fails $bad_st "$bad_msg" faultctl apply /tmp/bad.conf
check "nothing of all that changed anything" [ "$(faultctl -j show)" = "$before" ]
i=1
while [ $i -le 8 ]; do
	mkdir -p $CG/ffmany$i
	i=$((i + 1))
done
i=1
while [ $i -le 7 ] && faultctl set zero-once 0 cgroup $CG/ffmany$i; do
	i=$((i + 1))
done
check "eight scopes at most ($(scopes) listed)" [ "$(scopes)" = 8 ]
check "the ninth is refused, exit 2" \
	fails 2 "no room for another cgroup scope" faultctl set zero-once 0 cgroup $CG/ffmany8
check "still eight, the first one unchanged" \
	sh -c "[ \"\$(faultctl show | grep -c '^cgroup ')\" = 8 ] && faultctl show | grep -A1 '^cgroup $S\$' | grep -q 'anon-fault-around  8'"
i=1
while [ $i -le 8 ]; do
	faultctl unset cgroup $CG/ffmany$i 2>/dev/null
	rmdir $CG/ffmany$i
	i=$((i + 1))
done
check "unset cgroup PATH removed them (1 scope left: $(scopes))" [ "$(scopes)" = 1 ]

# ---- pool-access: the pool for one subtree ----
check "faultctl set zero-pool 16M pool-access 0" faultctl set zero-pool 16M pool-access 0
check "faultctl set pool-access 1 cgroup $S" faultctl set pool-access 1 cgroup $S
check "the pool filled up" wait_full 3500 60
faultctl stats --reset >/dev/null
pooltest touch 8 >/dev/null
check "outside: no page from the pool (pool-hits $(stat pool-hits), ineligible $(stat pool-ineligible))" \
	[ "$(stat pool-hits)" = 0 -a "$(stat pool-ineligible)" -ge 1000 ]
faultctl stats --reset >/dev/null
runin $S pooltest touch 8 >/dev/null
check "inside $S: pages from the pool (pool-hits $(stat pool-hits))" \
	[ "$(stat pool-hits)" -ge 1000 ]
sub "inside $S: every page from the pool reads zero" runin $S pooltest zero 8
check "faultctl set zero-pool 0 pool-access 1; unset pool-access cgroup $S" \
	sh -c "faultctl set zero-pool 0 pool-access 1 && faultctl unset pool-access cgroup $S"

# ---- zero-once for one subtree ----
if why=$(faultctl set zero-once 1 cgroup $S 2>&1); then
	thp0=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
	echo always >$thp/enabled
	faultctl stats --reset >/dev/null
	sub "outside: hugetest thp" hugetest thp
	check "outside: no clear skipped (zero-once-skipped $(stat zero-once-skipped))" \
		[ "$(stat zero-once-skipped)" = 0 ]
	faultctl stats --reset >/dev/null
	sub "inside $S: hugetest thp" runin $S hugetest thp
	if grep -q 'init_on_alloc=0' /proc/cmdline; then
		check "inside, init_on_alloc=0: nothing to skip ($(stat zero-once-skipped))" \
			[ "$(stat zero-once-skipped)" = 0 ]
	else
		check "inside: second clears skipped (zero-once-skipped $(stat zero-once-skipped))" \
			[ "$(stat zero-once-skipped)" -ge 8 ]
	fi
	echo "$thp0" >$thp/enabled
	faultctl unset zero-once cgroup $S
else
	diag "zero-once is refused here: $why"
	check "zero-once for a cgroup is refused as system-wide zero-once is" \
		fails 2 "zero-once" faultctl set zero-once 1 cgroup $S
fi

# ---- a cgroup removed while its task faults ----
check "faultctl unset cgroup $S; set fault-around 8 cgroup $S/victim" \
	sh -c "faultctl unset cgroup $S && faultctl set fault-around 8 cgroup $S/victim"
check "the victim's scope is the one listed" \
	sh -c "faultctl show | grep -q '^cgroup $S/victim\$' && [ \$(faultctl show | grep -c '^cgroup ') = 1 ]"
d0=$(dying)
# a simple command in the background: $! is the process that execs fatest
# shellcheck disable=SC2016
sh -c 'echo $$ >"$0/cgroup.procs" && exec fatest loop 12' $S/victim \
	>/tmp/loop.out 2>&1 &
pid=$!
sleep 2
echo $pid >$CG/cgroup.procs
rmdir $S/victim
check "rmdir $S/victim while its task faults on" [ ! -d $S/victim ]
diag "nr_dying_descendants of $S: $d0 before, $(dying) after rmdir"
check "show no longer lists the removed cgroup" [ "$(scopes)" = 0 ]
i=0
while { hooked || [ "$(dying)" != 0 ]; } && [ $i -lt 75 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "within 15 s the scope is dropped: handle_mm_fault unhooked ($((i / 5)) s)" unhooked
check "and its reference put: nr_dying_descendants $(dying)" [ "$(dying)" = 0 ]
wait $pid
rc=$?
sed 's/^/    /' /tmp/loop.out | tail -3
check "the task went on faulting, every page right (exit $rc)" [ $rc = 0 ]

# ---- unload with scopes in place ----
check "faultctl set fault-around 4 zero-once 0 cgroup $S" \
	faultctl set fault-around 4 zero-once 0 cgroup $S/inner
check "modprobe -r fastfault with a scope in place" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
check "handle_mm_fault is no longer hooked" unhooked
rmdir $S/inner 2>/dev/null
i=0
while [ "$(dying)" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "unload put the scope's reference: nr_dying_descendants $(dying)" [ "$(dying)" = 0 ]
rmdir $S $O
diag "scope.sh: $(($(date +%s) - start)) s"
finish
