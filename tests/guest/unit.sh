#!/bin/sh
# unit.sh: fastfault.service's own commands, in a guest (busybox sh, no
# systemd): ExecStart= lines in order, then ExecStopPost=, as systemd runs
# a oneshot unit's start and stop.  TAP output; exits non-zero if any
# test failed.  Expects fastfault unloaded at the start and leaves it
# unloaded.  At start the module must load and the configuration in
# /etc/fastfault.conf and /etc/fastfault.d/ apply; at stop everything
# must be as before the start; a configuration the kernel refuses must
# fail the start and leave the module unloaded (systemd runs
# ExecStopPost= after a failed start too).
#
#   tests/vm/run --kernel 6.12 -- unit.sh

. tap.sh

unit=/usr/lib/systemd/system/fastfault.service
debugfs_pages() {
	f=/sys/kernel/debug/fault_around_bytes
	[ -r $f ] && echo $(($(cat $f) / 4096))
}
# cmds KEY: the unit's KEY= command lines, in order
cmds() { sed -n "s/^$1=//p" $unit; }
# run_cmds KEY: run each (a leading '-' ignores its failure, as systemd
# does); 1 at the first that fails
run_cmds() {
	cmds "$1" >/tmp/unit.cmds
	while read -r c; do
		case $c in
		-*) sh -c "${c#-}" || true ;;
		*) echo "# $1: $c"; sh -c "$c" || return 1 ;;
		esac
	done </tmp/unit.cmds
	return 0
}

check "the unit is there ($unit)" [ -r $unit ]
check "it is a oneshot that stays active" \
	sh -c "grep -qx 'Type=oneshot' $unit && grep -qx 'RemainAfterExit=yes' $unit"
check "it does not start when booted with fastfault.disable=1" \
	grep -qx 'ConditionKernelCommandLine=!fastfault.disable=1' $unit
check "fastfault is not loaded at the start" unloaded
file0=$(debugfs_pages)

mkdir -p /etc/fastfault.d
printf '# as saved by faultctl showconf\nanon-fault-around 16\nzero-pool 8M\n' >/etc/fastfault.conf
printf 'file-fault-around 32\n' >/etc/fastfault.d/10-file.conf
mkdir -p /sys/fs/cgroup/ffbuild
printf 'fault-around 8 cgroup /sys/fs/cgroup/ffbuild\n' >/etc/fastfault.d/15-build.conf

check "start: every ExecStart= succeeds" run_cmds ExecStart
check "start: fastfault is loaded" loaded
check "start: anon-fault-around 16 from /etc/fastfault.conf" \
	sh -c 'faultctl -j show | grep -q "\"anon-fault-around\": *16"'
check "start: zero-pool 8M from /etc/fastfault.conf" \
	sh -c 'faultctl -j show | grep -q "\"zero-pool\": *8388608"'
check "start: file-fault-around 32 from the drop-in" \
	sh -c 'faultctl -j show | grep -q "\"file-fault-around\": *32"'
check "start: the cgroup's scope from the drop-in" \
	sh -c 'faultctl show | grep -A1 "^cgroup /sys/fs/cgroup/ffbuild\$" | grep -q "anon-fault-around  8 pages"'
if [ -n "$file0" ]; then
	check "start: the kernel's file window is 32 pages ($(debugfs_pages))" \
		[ "$(debugfs_pages)" = 32 ]
fi
check "stop: every ExecStopPost= succeeds" run_cmds ExecStopPost
check "stop: fastfault is unloaded" unloaded
if [ -n "$file0" ]; then
	check "stop: the kernel's file window is back ($file0: $(debugfs_pages))" \
		[ "$(debugfs_pages)" = "$file0" ]
fi

# a configuration the kernel refuses: start fails, stop leaves nothing
printf 'zero-pool 100T\n' >/etc/fastfault.d/20-too-big.conf
run_cmds ExecStart
rc=$?
check "start with zero-pool 100T: an ExecStart= fails ($rc)" [ $rc = 1 ]
run_cmds ExecStopPost
check "after the failed start, ExecStopPost= leaves fastfault unloaded" unloaded
rm -rf /etc/fastfault.conf /etc/fastfault.d
rmdir /sys/fs/cgroup/ffbuild
finish
