#!/bin/sh
# make demo, inside the guest: what a user sees.
set -e
say() { printf '\n$ %s\n' "$*"; "$@"; }

say faultctl version
say modprobe fastfault
dmesg | grep 'fastfault:' | tail -n 1
say faultctl show
if command -v fabench >/dev/null; then
	echo
	echo "# 64 MiB written one byte per page, fault-around 1 (off):"
	say fabench anon-seq
fi
say faultctl set fault-around 8
say faultctl show
if command -v fabench >/dev/null; then
	echo
	echo "# the same with fault-around 8: one trap maps up to 8 pages"
	say fabench anon-seq
fi
say faultctl stats
say modprobe -r fastfault
say faultctl show || true
