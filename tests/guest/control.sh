#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest tests of the control plane: every faultctl command and option,
# round trips, JSON, the config file, refused input, privilege, the module
# absent, and the raw-netlink fuzzer.  Runs as root in the guest with the
# module not loaded; loads it and leaves it unloaded.  Prints TAP; exits
# non-zero if any test failed.
#
#	tests/vm/run --kernel 6.1 -- control.sh

NOMOD="faultctl: fastfault module is not loaded (modprobe fastfault; dkms status fastfault)"
T=/tmp/control
mkdir -p $T
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
	# show what faultctl said, as TAP comments
	[ -s $T/out ] && sed 's/^/#   out: /' $T/out | head -n 20
	[ -s $T/err ] && sed 's/^/#   err: /' $T/err | head -n 20
}

# check DESC COMMAND...: ok if COMMAND succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else nok "$desc"; fi
}

# fc ARGS...: run faultctl, output in $T/out and $T/err, status in $rc
fc() {
	faultctl "$@" >$T/out 2>$T/err
	rc=$?
}

# fcu ARGS...: the same as uid 65534
fcu() {
	runas 65534 faultctl "$@" >$T/out 2>$T/err
	rc=$?
}

rc_is() { [ "$rc" = "$1" ]; }
out_has() { grep -q -- "$1" $T/out; }
err_has() { grep -q -- "$1" $T/err; }
err_is() { [ "$(cat $T/err)" = "$1" ]; }
out_empty() { [ ! -s $T/out ]; }
json_ok() { jsoncheck <$T/out; }
# jkey KEY: the value of KEY in $T/out
jkey() { jsoncheck "$1" <$T/out; }

conf() {
	faultctl showconf 2>/dev/null | grep -v '^#'
}

debugfs_pages() {
	f=/sys/kernel/debug/fault_around_bytes
	[ -r $f ] && echo $(($(cat $f) / 4096))
}

# ---- the module absent ----

module_absent_tests() {
	when=$1
	for c in "show" "" "-j show" "set fault-around 8" "stats" "stats --per-cpu" \
		"stats --reset" "monitor" "monitor --count 1" "showconf" "apply $T/good.conf"; do
		# shellcheck disable=SC2086
		fc $c
		check "$when: 'faultctl $c' says the module is not loaded, exit 3" \
			eval 'rc_is 3 && err_is "$NOMOD" && out_empty'
	done
	fc version
	check "$when: version works without the module" \
		eval 'rc_is 0 && out_has "^module *not loaded" && out_has "^faultctl *[0-9]"'
	fc -j version
	check "$when: version -j: module null" \
		eval 'rc_is 0 && json_ok && [ "$(jkey module)" = null ] && [ "$(jkey abi)" = 1 ]'
	fc --help
	check "$when: --help works without the module" eval 'rc_is 0 && out_has "^Usage: faultctl"'
	fcu apply --check $T/good.conf
	check "$when: apply --check FILE needs neither the module nor privilege" \
		eval 'rc_is 0 && out_empty && [ ! -s $T/err ]'
	printf 'fault-around 99\n' >$T/bad99.conf
	fcu apply --check $T/bad99.conf
	check "$when: apply --check of a bad file: exit 1, file and line named" \
		eval 'rc_is 1 && err_has "bad99.conf:1: invalid value '"'"'99'"'"'"'
}

printf 'fault-around 1\n' >$T/good.conf
grep -q '^fastfault ' /proc/modules && modprobe -r fastfault
module_absent_tests "not loaded"

# ---- load ----

orig_file=$(debugfs_pages)
modprobe fastfault
check "modprobe fastfault" grep -q '^fastfault ' /proc/modules

fc show
def_file=${orig_file:-16}
check "show: defaults change nothing (1, kernel's $def_file, no pool)" \
	eval 'rc_is 0 && ! out_has "^fault-around " &&
	out_has "^anon-fault-around  *1 page (off)$" &&
	out_has "^file-fault-around  *$def_file pages$" &&
	out_has "^zero-pool  *0 bytes (off)$"'
cp $T/out $T/show1
fc
check "no command is show" eval 'rc_is 0 && cmp -s $T/out $T/show1'

fc -j show
check "show -j is valid JSON with the uapi key names" \
	eval 'rc_is 0 && json_ok && ! grep -q "\"fault-around\"" $T/out &&
	[ "$(jkey anon-fault-around)" = 1 ] && [ "$(jkey file-fault-around)" = $def_file ]'
fc show -j -p
check "show -j -p is valid indented JSON" \
	eval 'rc_is 0 && json_ok && [ $(wc -l <$T/out) -ge 5 ] && out_has "^    \"anon-fault-around\": 1,$"'
fc --json --pretty
check "--json --pretty before the implicit show" eval 'rc_is 0 && json_ok'

fc version
modver=$(cat /sys/module/fastfault/version 2>/dev/null)
check "version: tool, module ($modver) and ABI" \
	eval 'rc_is 0 && out_has "^module  *$modver$" && out_has "^abi  *1$"'
fc -V
check "-V is version" eval 'rc_is 0 && out_has "^module  *$modver$"'
fc -j -p version
check "version -j -p" eval 'rc_is 0 && json_ok && [ "$(jkey module)" = "$modver" ] && [ "$(jkey module-abi)" = 1 ]'

# ---- set / show round trips ----

fc set fault-around 8
check "set fault-around 8: silent success" eval 'rc_is 0 && out_empty && [ ! -s $T/err ]'
fc show
check "fault-around 8 sets anon 8 and never lowers the file window ($def_file)" \
	eval 'out_has "^anon-fault-around  *8 pages$" &&
	out_has "^file-fault-around  *$def_file pages$"'
check "fault-around is a request, not a value show reports" eval '! out_has "^fault-around "'
if [ -n "$orig_file" ]; then
	check "fault-around 8 left the kernel's knob at $orig_file" [ "$(debugfs_pages)" = "$orig_file" ]
fi
fc -j show
check "show -j after set" eval 'json_ok && [ "$(jkey anon-fault-around)" = 8 ] && ! grep -q "\"fault-around\"" $T/out'
fc set fault-around 32
fc -j show
check "fault-around 32 raises the file window to 32" \
	eval 'rc_is 0 && [ "$(jkey anon-fault-around)" = 32 ] && [ "$(jkey file-fault-around)" = 32 ]'
if [ -n "$orig_file" ]; then
	check "fault-around 32 reached the kernel's knob" [ "$(debugfs_pages)" = 32 ]
fi
fc set fault-around 1
fc -j show
check "fault-around 1 is off: anon 1, file back to the kernel's $def_file, not 1" \
	eval 'json_ok && [ "$(jkey anon-fault-around)" = 1 ] && [ "$(jkey file-fault-around)" = $def_file ]'
if [ -n "$orig_file" ]; then
	check "fault-around 1 put the kernel's knob back to $orig_file" [ "$(debugfs_pages)" = "$orig_file" ]
fi
fc set fault-around 1 file-fault-around 1
check "fault-around 1 file-fault-around 1 still gives one page" \
	eval 'rc_is 0 && [ "$(faultctl -j show | jsoncheck file-fault-around)" = 1 ]'
fc set fault-around 8

fc set anon-fault-around 16 file-fault-around 4
fc show
check "set two keys at once" \
	eval 'out_has "^anon-fault-around  *16 pages$" && out_has "^file-fault-around  *4 pages$"'

fc set fault-around 4 anon-fault-around 32
fc -j show
check "explicit anon-fault-around wins over fault-around, file at least the kernel's" \
	eval 'rc_is 0 && [ "$(jkey anon-fault-around)" = 32 ] &&
	[ "$(jkey file-fault-around)" = $def_file ]'
fc set anon-fault-around 8
fc show
check "no stale fault-around after a later anon-fault-around" \
	eval 'rc_is 0 && ! out_has "^fault-around " && out_has "^anon-fault-around  *8 pages$"'
check "showconf writes no fault-around line" sh -c '! faultctl showconf | grep -q "^fault-around"'

fc set file-fault-around 3
check "file-fault-around 3: success, with a note that the kernel made it 2" \
	eval 'rc_is 0 && err_has "file-fault-around is 2, not 3"'
fc -j show
check "show reports the effective file-fault-around 2" eval '[ "$(jkey file-fault-around)" = 2 ]'

for v in 1 64; do
	fc set anon-fault-around $v file-fault-around $v
	fc -j show
	check "bounds: anon and file $v" \
		eval '[ "$(jkey anon-fault-around)" = $v ] && [ "$(jkey file-fault-around)" = $v ]'
done

# ---- the zero pool: a u64 size ----

fc set zero-pool 64M
check "set zero-pool 64M" eval 'rc_is 0 && out_empty'
fc show
check "show: zero-pool in bytes, with a human size" out_has "^zero-pool  *67108864 bytes (64 MiB)$"
fc -j show
check "show -j: zero-pool as a number of bytes" eval '[ "$(jkey zero-pool)" = 67108864 ]'
sleep 1
fc -j stats
check "stats -j: pool-node array, counters" \
	eval 'rc_is 0 && json_ok && grep -q "\"pool-node\":\[{\"id\":0,\"pages\":[0-9]*,\"target\":" $T/out &&
	jkey pool-refilled | grep -qx "[0-9][0-9]*"'
fc stats
check "stats: a pool-node line per node" out_has "^pool-node 0: [0-9]* of [0-9]* pages$"
fc set zero-pool 1048577
check "zero-pool 1048577: rounded down to pages, with a note" \
	eval 'rc_is 0 && err_has "zero-pool is 1048576, not 1048577" && [ "$(faultctl -j show | jsoncheck zero-pool)" = 1048576 ]'
before=$(conf)
fc set zero-pool 1T
check "zero-pool 1T: the kernel refuses (exit 2) naming the attribute; nothing changes" \
	eval 'rc_is 2 && err_is "Error: zero-pool is larger than half of RAM (attribute zero-pool)" && [ "$(conf)" = "$before" ]'
fc set fault-around 2 zero-pool 1T
check "a refused pool size refuses the whole request" eval 'rc_is 2 && [ "$(conf)" = "$before" ]'
fc set zero-pool 1.5G
check "zero-pool 1.5G: exit 1, caught before sending" \
	eval 'rc_is 1 && err_has "invalid value .1.5G. for zero-pool: expected a size in bytes" && [ "$(conf)" = "$before" ]'
fc set zero-pool 0
fc show
check "zero-pool 0 turns the pool off" eval 'rc_is 0 && out_has "^zero-pool  *0 bytes (off)$"'

# ---- zero-nontemporal: only where the allocator does not clear pages ----

fc show
if grep -qw 'init_on_alloc=0' /proc/cmdline; then
	check "show: zero-nontemporal 1 by default (init_on_alloc=0)" out_has "^zero-nontemporal  *1 (non-temporal)$"
else
	check "show: zero-nontemporal 0 by default (init_on_alloc on)" out_has "^zero-nontemporal  *0 (clear_page)$"
fi
before=$(conf)
if grep -qw 'init_on_alloc=0' /proc/cmdline; then
	echo "# booted with init_on_alloc=0: the refusal is not tested here"
	fc set zero-nontemporal 0
	before=$(conf)
else
	fc set zero-nontemporal 1
	check "zero-nontemporal 1 with init_on_alloc on: the kernel refuses (exit 2) naming the attribute; nothing changes" \
		eval 'rc_is 2 && err_is "Error: zero-nontemporal needs a kernel booted with init_on_alloc=0 and init_on_free=0 (the allocator clears every page itself) (attribute zero-nontemporal)" && [ "$(conf)" = "$before" ]'
	fc set fault-around 4 zero-nontemporal 1
	check "a refused zero-nontemporal refuses the whole request" eval 'rc_is 2 && [ "$(conf)" = "$before" ]'
fi
fc set zero-nontemporal 2
check "zero-nontemporal 2: exit 1, caught before sending" \
	eval 'rc_is 1 && err_has "invalid value .2. for zero-nontemporal: out of range (0 to 1)" && [ "$(conf)" = "$before" ]'
fc set zero-nontemporal 0
check "zero-nontemporal 0 is always accepted" eval 'rc_is 0 && [ "$(conf)" = "$before" ]'

# ---- refused input: nothing changes ----

fc set fault-around 8
before=$(conf)
refuse() {	# refuse DESC PATTERN ARGS...
	desc=$1
	pat=$2
	shift 2
	fc "$@"
	check "$desc: exit 1, clear message, config unchanged" \
		eval 'rc_is 1 && err_has "$pat" && out_empty && [ "$(conf)" = "$before" ]'
}
refuse "out of range 65" "invalid value '65' for fault-around: out of range (1 to 64)" set fault-around 65
refuse "out of range 0" "invalid value '0' for anon-fault-around: out of range" set anon-fault-around 0
refuse "out of range 2^32" "out of range" set file-fault-around 4294967296
refuse "unknown key" "unknown key 'bogus'" set bogus 1
refuse "unknown key (underscore)" "unknown key 'fault_around'" set fault_around 1
refuse "missing value" "missing value for fault-around" set fault-around
refuse "missing second value" "missing value for file-fault-around" set anon-fault-around 2 file-fault-around
refuse "garbage value" "invalid value 'abc' for fault-around: expected a whole number from 1 to 64" set fault-around abc
refuse "negative value" "invalid value '-1' for fault-around" set fault-around -1
refuse "hex value" "invalid value '0x8'" set fault-around 0x8
refuse "empty value" "missing value for fault-around" set fault-around ""
refuse "key given twice" "fault-around given more than once" set fault-around 2 fault-around 3
refuse "one bad pair refuses the good one" "out of range" set anon-fault-around 2 fault-around 99
refuse "set with nothing" "set needs at least one KEY VALUE" set
refuse "unknown command" "unknown command 'sett'" sett fault-around 2
refuse "unknown option" "unknown option '--bogus'" show --bogus
refuse "unknown global option" "unknown option '-x'" -x show
refuse "extra argument" "unexpected argument 'now'" show now
refuse "stats --reset with --per-cpu" "do not go together" stats --reset --per-cpu
refuse "monitor --count garbage" "invalid count 'x'" monitor --count x
refuse "monitor --count missing" "needs a number" monitor --count
refuse "apply with two files" "apply takes one FILE at most" apply $T/a.conf $T/b.conf
refuse "apply of a missing file" "No such file" apply /nonexistent.conf

# ---- config file ----

faultctl showconf >$T/saved.conf
check "showconf output is a config file" \
	eval 'grep -q "^anon-fault-around 8$" $T/saved.conf &&
	grep -q "^file-fault-around $def_file$" $T/saved.conf && ! grep -q "^fault-around" $T/saved.conf'

faultctl monitor --count 1 >$T/mon 2>&1 &
mpid=$!
sleep 1
fc apply $T/saved.conf
check "apply of showconf output succeeds" eval 'rc_is 0 && out_empty'
check "apply of showconf output is a no-op" [ "$(conf)" = "$before" ]
fc set fault-around 8
check "set to the current value succeeds" rc_is 0
fc set anon-fault-around 9
wait $mpid
check "monitor saw the real change and not the no-ops" \
	[ "$(cat $T/mon)" = "config anon-fault-around 9 file-fault-around $def_file zero-pool 0 zero-nontemporal 0 zero-once 0 zero-pool-huge 0 pool-access 1" ]

cat >$T/styled.conf <<CONF
# a comment

  fault-around = 2   # two pages
anon-fault-around=6
	file-fault-around 4
CONF
fc apply $T/styled.conf
fc -j show
check "apply: key = value, key=value, tabs, comments" \
	eval '[ "$(jkey anon-fault-around)" = 6 ] && [ "$(jkey file-fault-around)" = 4 ]'

printf 'anon-fault-around 12\n' | faultctl apply - >$T/out 2>$T/err
rc=$?
check "apply - reads stdin" eval 'rc_is 0 && [ "$(faultctl -j show | jsoncheck anon-fault-around)" = 12 ]'

before=$(conf)
badconf() {	# badconf DESC PATTERN CONTENT
	bpat=$2
	printf "$3" >$T/bad.conf
	fc apply $T/bad.conf
	check "apply, $1: exit 1, names file and line, nothing applied" \
		eval 'rc_is 1 && err_has "$bpat" && [ "$(conf)" = "$before" ]'
}
badconf "unknown key on line 2" "bad.conf:2: unknown key 'bogus'" 'fault-around 3\nbogus 1\n'
badconf "out of range on line 3" "bad.conf:3: invalid value '99'" 'fault-around 3\n\nanon-fault-around 99\n'
badconf "missing value" "bad.conf:1: missing value for fault-around" 'fault-around\n'
badconf "garbage value" "bad.conf:1: invalid value 'eight'" 'fault-around eight\n'
badconf "extra words" "bad.conf:1: unexpected" 'fault-around 3 4\n'
badconf "key twice" "bad.conf:2: fault-around given more than once" 'fault-around 3\nfault-around 4\n'
badconf "binary data" "bad.conf:1: binary data" 'fault-around 3\000\n'

# ---- the system's configuration: /etc/fastfault.conf and its drop-ins ----

before=$(conf)
fc apply
check "apply without a FILE and no /etc/fastfault.conf: nothing to do, exit 0" \
	eval 'rc_is 0 && out_empty && [ "$(conf)" = "$before" ]'
mkdir -p /etc/fastfault.d
printf 'anon-fault-around 4\nzero-once 0\n' >/etc/fastfault.conf
printf 'anon-fault-around 12\n' >/etc/fastfault.d/50-more.conf
printf 'file-fault-around 32\n' >/etc/fastfault.d/10-file.conf
printf 'bogus 1\n' >/etc/fastfault.d/90-old.conf.dpkg-old
fcu apply --check
check "apply --check: the system's files are valid (no module, no privilege needed)" \
	eval 'rc_is 0 && out_empty'
fc apply
fc -j show
check "apply: /etc/fastfault.conf, then the drop-ins in name order, a later value wins" \
	eval 'rc_is 0 && [ "$(jkey anon-fault-around)" = 12 ] && [ "$(jkey file-fault-around)" = 32 ]'
printf 'zero-pool 1X\n' >/etc/fastfault.d/60-bad.conf
before=$(conf)
fc apply
check "apply: one bad drop-in refuses them all, file and line named, nothing changed" \
	eval 'rc_is 1 && err_has "/etc/fastfault.d/60-bad.conf:1:" && [ "$(conf)" = "$before" ]'
rm -rf /etc/fastfault.conf /etc/fastfault.d

# ---- statistics ----

fc set anon-fault-around 16
dd if=/dev/zero of=/dev/null bs=4M count=8 2>/dev/null
fc stats
check "stats: every counter, aligned" \
	eval 'rc_is 0 && [ $(wc -l <$T/out) -ge 9 ] && out_has "^faults  *[0-9][0-9]*$" &&
	out_has "^skip-not-sequential  *[0-9][0-9]*$" && out_has "^window-total  *[0-9][0-9]*$"'
faults_before=$(faultctl -j stats | jsoncheck faults)
fc -j stats
check "stats -j: valid JSON, numeric counters" \
	eval 'rc_is 0 && json_ok && jkey faults | grep -qx "[0-9][0-9]*" && jkey lock-lost | grep -qx "[0-9][0-9]*"'
fc -j -p stats
check "stats -j -p" eval 'rc_is 0 && json_ok'
ncpu=$(grep -c '^processor' /proc/cpuinfo)
possible=$(cat /sys/devices/system/cpu/possible)
fc stats --per-cpu
check "stats --per-cpu: one block per possible CPU ($possible)" \
	eval 'rc_is 0 && out_has "^cpu 0:$" && out_has "^  faults  *[0-9]"'
fc -j stats -c
check "stats --per-cpu -j: a JSON array of CPUs" \
	eval 'rc_is 0 && json_ok && grep -q "^\[{\"cpu\":0," $T/out'
fc stats --reset
check "stats --reset: silent success" eval 'rc_is 0 && out_empty'
faults_after=$(faultctl -j stats | jsoncheck faults)
check "counters went down after reset ($faults_before -> $faults_after)" \
	[ "$faults_after" -le "$faults_before" ]

# ---- monitor ----

faultctl -j monitor --count 2 >$T/mon 2>&1 &
mpid=$!
sleep 1
faultctl set fault-around 2
faultctl set file-fault-around 8
wait $mpid
mrc=$?
check "monitor -j --count 2: exits 0 after two events" [ $mrc = 0 ]
check "monitor -j: one valid JSON object per line" \
	eval '[ $(wc -l <$T/mon) = 2 ] && head -n 1 $T/mon | jsoncheck && tail -n 1 $T/mon | jsoncheck &&
	[ "$(head -n 1 $T/mon | jsoncheck anon-fault-around)" = 2 ] &&
	[ "$(tail -n 1 $T/mon | jsoncheck file-fault-around)" = 8 ] &&
	[ "$(head -n 1 $T/mon | jsoncheck event)" = config ]'

runas 65534 faultctl monitor -n 1 >$T/mon 2>&1 &
mpid=$!
sleep 1
faultctl set fault-around 3
wait $mpid
mrc=$?
check "an unprivileged monitor sees changes" eval '[ $mrc = 0 ] && grep -q "^config anon-fault-around 3 " $T/mon'

# ---- the live view ----

faultctl set fault-around 8 zero-pool 8M >/dev/null
fatest loop 4 >/dev/null 2>&1 &
lpid=$!
fc stats --interval 1 --count 3
wait $lpid
check "stats --interval 1 --count 3: a header and three lines" \
	eval 'rc_is 0 && [ $(wc -l <$T/out) = 4 ] &&
	head -n 1 $T/out | grep -q "faults/s  prefault/s  window  pool-hit%  pool-pages  clear-cpu%"'
diag "$(cat $T/out)"
check "stats --interval: pages were prefaulted each second of a faulting load" \
	sh -c "tail -n 3 $T/out | awk '\$2 <= 0 { bad = 1 } END { exit bad }'"
check "stats --interval: the pool's pages are held" \
	sh -c "tail -n 1 $T/out | awk '{ exit !(\$5 > 0) }'"
fc -j stats -i 1 -n 2 -t
check "stats -j -i 1 -n 2 -t: one JSON object a line, with the time" \
	eval 'rc_is 0 && [ $(wc -l <$T/out) = 2 ] && head -n 1 $T/out | jsoncheck &&
	tail -n 1 $T/out | jsoncheck && [ -n "$(head -n 1 $T/out | jsoncheck time)" ] &&
	[ -n "$(tail -n 1 $T/out | jsoncheck pool-pages)" ]'
fc stats --count 2
check "stats --count without --interval is refused" \
	eval 'rc_is 1 && err_has "need --interval"'
fc stats --interval 1 --reset
check "stats --interval --reset is refused" eval 'rc_is 1 && err_has "goes with neither"'
fc stats --interval 0
check "stats --interval 0 is refused" eval 'rc_is 1 && err_has "invalid interval"'
faultctl monitor -t --count 1 >$T/mon 2>&1 &
mpid=$!
sleep 1
faultctl set fault-around 4
wait $mpid
check "monitor -t: the event begins with the local time ($(cat $T/mon))" \
	grep -q "^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9] config anon-fault-around 4 " $T/mon
faultctl set fault-around 3 zero-pool 0 >/dev/null	# as the monitor tests left it

# ---- privilege ----

before=$(conf)
fcu show
check "uid 65534 can show" eval 'rc_is 0 && out_has "^anon-fault-around  *3 pages$"'
fcu -j stats
check "uid 65534 can read stats" eval 'rc_is 0 && json_ok'
fcu stats --per-cpu
check "uid 65534 can read per-CPU stats" rc_is 0
fcu version
check "uid 65534 can read the version" eval 'rc_is 0 && out_has "^module  *$modver$"'
fcu set fault-around 4
check "uid 65534 cannot set: exit 4, names CAP_SYS_ADMIN" \
	eval 'rc_is 4 && err_has "permission denied" && err_has "CAP_SYS_ADMIN" && [ "$(conf)" = "$before" ]'
fcu apply $T/saved.conf
check "uid 65534 cannot apply: exit 4" eval 'rc_is 4 && [ "$(conf)" = "$before" ]'
fcu stats --reset
check "uid 65534 cannot reset stats: exit 4" eval 'rc_is 4 && err_has "CAP_SYS_ADMIN"'

# CAP_SYS_ADMIN is what counts, not CAP_NET_ADMIN (12) nor root's uid.
before=$(conf)
capdrop 12 faultctl set fault-around 5 >$T/out 2>$T/err
rc=$?
check "root without CAP_NET_ADMIN can set" eval 'rc_is 0 && [ "$(conf)" != "$before" ]'
faultctl set fault-around 3 >/dev/null
before=$(conf)
capdrop 21 faultctl set fault-around 6 >$T/out 2>$T/err
rc=$?
check "root without CAP_SYS_ADMIN cannot set: exit 4" \
	eval 'rc_is 4 && err_has "CAP_SYS_ADMIN" && [ "$(conf)" = "$before" ]'
capdrop 21 faultctl stats --reset >$T/out 2>$T/err
rc=$?
check "root without CAP_SYS_ADMIN cannot reset stats: exit 4" rc_is 4

# ---- host-wide: only the initial network namespace ----

if unshare -n true 2>/dev/null; then
	unshare -n faultctl show >$T/out 2>$T/err
	rc=$?
	check "another network namespace: exit 2, says why (not 'not loaded')" \
		eval 'rc_is 2 && err_is "Error: fastfault is loaded but can only be reached from the initial network namespace"'
fi

# ---- help everywhere ----

for c in show set stats monitor showconf apply version help; do
	fc $c --help
	check "$c --help" eval 'rc_is 0 && out_has "^Usage: faultctl $c"'
	fc help $c
	check "help $c" eval 'rc_is 0 && out_has "^Usage: faultctl $c"'
done
fc -h
check "--help documents the exit status and keys" \
	eval 'rc_is 0 && out_has "3  the fastfault module is not loaded" && out_has "^  anon-fault-around "'
fc help bogus
check "help of an unknown command: exit 1" rc_is 1
fc set fault-around 8 --help
check "set KEY VALUE --help: the help, not an unknown key" eval 'rc_is 0 && out_has "^Usage: faultctl set"'
before=$(conf)
fc set -j anon-fault-around 3 -p
check "set takes -j/-p among its pairs (and prints nothing)" \
	eval 'rc_is 0 && out_empty && [ "$(faultctl -j show | jsoncheck anon-fault-around)" = 3 ]'

# options as getopt_long parses them
fc stats -jp
check "stats -jp: bundled short options (valid JSON)" eval 'rc_is 0 && json_ok'
fc -jp stats
check "-jp stats: the same before the command" eval 'rc_is 0 && json_ok'
fc stats -c -j
check "stats -c -j: per-CPU JSON" eval 'rc_is 0 && json_ok'
fc set -- anon-fault-around 5
check "set -- KEY VALUE: '--' ends the options" \
	eval 'rc_is 0 && [ "$(faultctl -j show | jsoncheck anon-fault-around)" = 5 ]'
fc set -jp anon-fault-around 3
check "set -jp KEY VALUE: bundled options among the pairs" \
	eval 'rc_is 0 && [ "$(faultctl -j show | jsoncheck anon-fault-around)" = 3 ]'
fc monitor --count=x
check "monitor --count=x: the value after '=' is checked" \
	eval 'rc_is 1 && err_has "invalid count '"'"'x'"'"'"'
fc stats -jx
check "stats -jx: the unknown option in a bundle is named" \
	eval 'rc_is 1 && err_has "unknown option '"'"'-x'"'"'"'
fc set anon-fault-around "$(echo "$before" | sed -n 's/^anon-fault-around //p')"
faultctl show >/dev/full 2>$T/err
rc=$?
check "output that cannot be written: exit 1, said ($(cat $T/err))" \
	eval 'rc_is 1 && err_has "cannot write the output"'
fc -V junk
check "--version then an argument: exit 1" rc_is 1

# ---- raw netlink fuzzing ----

nlfuzz -n 3000 >$T/fuzz.out 2>$T/fuzz.err
frc=$?
cat $T/fuzz.out
head -n 30 $T/fuzz.err | sed 's/^/#   /'
check "nlfuzz: malformed requests as root and uid 65534 all refused, config unchanged, kernel log clean" [ $frc = 0 ]

# ---- unload ----

faultctl set fault-around 1 file-fault-around ${orig_file:-16}
faultctl monitor >$T/mon 2>$T/monerr &
mpid=$!
sleep 1
modprobe -r fastfault
check "modprobe -r fastfault" eval '! grep -q "^fastfault " /proc/modules'
wait $mpid
mrc=$?
check "a running monitor notices the unload: exit 3" \
	eval '[ $mrc = 3 ] && [ "$(cat $T/monerr)" = "$NOMOD" ]'
if [ -n "$orig_file" ]; then
	check "the kernel's file fault-around is back to $orig_file pages" [ "$(debugfs_pages)" = "$orig_file" ]
fi
module_absent_tests "unloaded"

# unload itself puts back a knob left changed, but keeps a later change
# made by other means
if [ -n "$orig_file" ]; then
	modprobe fastfault && faultctl set fault-around 4
	modprobe -r fastfault
	check "unload puts a changed file knob back to $orig_file pages ($(debugfs_pages))" \
		[ "$(debugfs_pages)" = "$orig_file" ]
	modprobe fastfault && faultctl set fault-around 4
	echo 131072 >/sys/kernel/debug/fault_around_bytes
	modprobe -r fastfault
	check "unload keeps a value set through debugfs after fastfault's (32 pages: $(debugfs_pages))" \
		[ "$(debugfs_pages)" = 32 ]
	echo $((orig_file * 4096)) >/sys/kernel/debug/fault_around_bytes
fi

echo "1..$n"
[ $failed = 0 ] || echo "# $failed of $n failed"
[ $failed = 0 ]
