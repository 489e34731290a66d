#!/bin/sh
# leakcheck.sh: run COMMAND (a TAP suite) under kmemleak, on a kernel
# built with CONFIG_DEBUG_KMEMLEAK (tests/vm/debug-kernel).  Before it,
# a scan and a clear silence what was suspect already (the boot's own);
# after it, fastfault is unloaded (its memory goes, and with it the only
# reference to anything it leaked) and kmemleak scans twice (an object is
# reported only once it is older than 5 s and unchanged between two
# scans).  Any leak reported then, whoever allocated it, fails: one more
# TAP line after COMMAND's, with the reports as diagnostics.  Exit status:
# COMMAND's, or 1 if it passed and a leak was found.
#
#   tests/vm/run --kernel debug -- leakcheck.sh control.sh

kl=/sys/kernel/debug/kmemleak
[ $# -gt 0 ] || { echo "usage: leakcheck.sh COMMAND..." >&2; exit 2; }
if [ -w $kl ]; then
	echo scan >$kl
	echo clear >$kl
fi
{ "$@"; echo $? >/tmp/leakcheck.rc; } | tee /tmp/leakcheck.out
rc=$(cat /tmp/leakcheck.rc)
# our line is numbered after COMMAND's own (top-level) TAP lines
n=$(grep -cE '^(not )?ok ' /tmp/leakcheck.out)
n=$((n + 1))
if [ ! -w $kl ]; then
	echo "not ok $n - kmemleak: no $kl (not a CONFIG_DEBUG_KMEMLEAK kernel?)"
	exit 1
fi
if grep -q '^fastfault ' /proc/modules; then
	modprobe -r fastfault || echo "# leakcheck: fastfault would not unload"
fi
sleep 6
echo scan >$kl
sleep 1
echo scan >$kl
cat $kl >/tmp/leaks
nl=$(grep -c '^unreferenced object' /tmp/leaks)
if [ "$nl" = 0 ]; then
	echo "ok $n - kmemleak: no leak during $*"
else
	echo "not ok $n - kmemleak: $nl objects leaked during $*"
	sed 's/^/# /' /tmp/leaks | head -n 200
	[ $rc = 0 ] && rc=1
fi
exit $rc
