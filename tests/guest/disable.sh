#!/bin/sh
# disable.sh: the kill switch, in a guest (busybox sh) booted with
# fastfault.disable=1.  TAP output; exits non-zero if any test failed.
# The module loads and unloads, says it is disabled, and refuses every
# setting that would hook something (exit 2, the reason named), so that
# nothing is hooked that boot; showing the configuration still works.
#
#   tests/vm/run --kernel 6.12 --append fastfault.disable=1 -- disable.sh

. tap.sh

T=/sys/kernel/tracing
hooked() { grep -q fastfault $T/enabled_functions 2>/dev/null; }
# refused DESC ARGS...: faultctl set ARGS exits 2 naming the kill switch
refused() {
	d=$1
	shift
	out=$(faultctl set "$@" 2>&1)
	rc=$?
	check "$d: refused, exit 2 ($rc: $out)" \
		sh -c "[ $rc = 2 ] && echo '$out' | grep -q 'fastfault.disable=1'"
}

check "booted with fastfault.disable=1 ($(cat /proc/cmdline))" \
	grep -qw 'fastfault.disable=1' /proc/cmdline
check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault
check "the parameter reads Y ($(cat /sys/module/fastfault/parameters/disable))" \
	[ "$(cat /sys/module/fastfault/parameters/disable)" = Y ]
check "the kernel log says it is disabled" \
	sh -c 'dmesg | grep -q "fastfault: disabled (fastfault.disable=1)"'
refused "fault-around 8" fault-around 8
refused "zero-pool 8M" zero-pool 8M
# where this kernel cannot host the huge pool at all, that reason comes first
if faultctl show | grep -q '^zero-pool-huge .*\[unsupported here: '; then
	out=$(faultctl set zero-pool-huge 4M 2>&1)
	rc=$?
	check "zero-pool-huge 4M: refused with the kernel's reason, exit 2 ($rc: $out)" \
		sh -c "[ $rc = 2 ] && echo '$out' | grep -q '(attribute zero-pool-huge)'"
else
	refused "zero-pool-huge 4M" zero-pool-huge 4M
fi
why=$(faultctl set zero-once 1 2>&1)
check "zero-once 1 is refused ($why)" sh -c '! faultctl set zero-once 1 2>/dev/null'
check "nothing is hooked" sh -c '! grep -q fastfault /sys/kernel/tracing/enabled_functions'
check "show still works" sh -c 'faultctl -j show | grep -q "\"anon-fault-around\": *1"'
check "stats still work" sh -c 'faultctl -j stats >/dev/null'
check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded" unloaded
check "modprobe fastfault disable=0 (no longer disabled)" modprobe fastfault disable=0
check "fault-around 8 then works" faultctl set fault-around 8
check "modprobe -r fastfault again" modprobe -r fastfault
finish
