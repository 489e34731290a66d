#!/bin/sh
# lockdown.sh: fastfault under kernel lockdown (integrity), as on a
# Secure Boot machine, where debugfs is closed.  The guest cannot load an
# unsigned module once locked down, so the module is loaded first and
# lockdown raised after, which closes debugfs the same way.  The file
# fault-around knob must still be set (seen in the traps a file read
# takes, since debugfs can no longer be read) and put back on unload.
# TAP output; expects fastfault unloaded and leaves it unloaded.
#
#   tests/vm/run --kernel 6.12 -- lockdown.sh

. tap.sh

lk=/sys/kernel/security/lockdown
fab=/sys/kernel/debug/fault_around_bytes
mountpoint -q /sys/kernel/security 2>/dev/null ||
	mount -t securityfs securityfs /sys/kernel/security

# fpp KIND: traps per page of a 32 MiB tmpfs file read or written through
# a private mapping
fpp() {
	fabench file "$1" -m 32 | sed -n 's/.*"faults_per_page":\([0-9.]*\).*/\1/p'
}
# near GOT WANT: GOT within 10% of WANT
near() { awk -v g="$1" -v w="$2" 'BEGIN { exit !(g != "" && g >= w * 0.9 && g <= w * 1.1) }'; }
# le GOT MAX
le() { awk -v g="$1" -v m="$2" 'BEGIN { exit !(g != "" && g <= m) }'; }

check "the kernel has the lockdown LSM ($(cat $lk 2>/dev/null))" [ -w $lk ]
check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault
stock=$(fpp priv-read)
check "file read before: 1/16 traps per page, the kernel's default ($stock)" near "$stock" 0.0625

echo integrity >$lk
check "lockdown is now integrity ($(cat $lk))" grep -q '\[integrity\]' $lk
check "debugfs is closed ($fab)" sh -c "! cat $fab >/dev/null 2>&1"

check "faultctl set fault-around 8 file-fault-around 8 under lockdown" \
	faultctl set fault-around 8 file-fault-around 8
check "show: file-fault-around 8" sh -c 'faultctl show | grep -q "^file-fault-around  *8 pages$"'
got=$(fpp priv-read)
check "file read with fault-around 8: 1/8 traps per page ($got)" near "$got" 0.125
anon=$(fabench anon -n -m 32 | sed -n 's/.*"faults_per_page":\([0-9.]*\).*/\1/p')
check "anonymous writes with fault-around 8: at most 1.05/8 traps per page ($anon)" \
	le "$anon" 0.132
check "modprobe -r fastfault under lockdown" modprobe -r fastfault
after=$(fpp priv-read)
check "file read after unload: the kernel's 1/16 is back ($after)" near "$after" 0.0625
check "fastfault is unloaded at the end" unloaded
finish
