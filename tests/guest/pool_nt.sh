#!/bin/sh
# pool_nt.sh: the zero pool clearing pages itself with non-temporal
# stores (zero-nontemporal 1), in a guest booted with init_on_alloc=0,
# where the allocator no longer clears pages and the pool's own clearing
# is all that stands between a program and another's old data.  TAP
# output; expects fastfault unloaded and leaves it unloaded.
#
#   tests/vm/run --kernel 6.12 --append init_on_alloc=0 -- pool_nt.sh

. tap.sh

start=$(date +%s)
check "booted with init_on_alloc=0 ($(cat /proc/cmdline))" \
	grep -qw 'init_on_alloc=0' /proc/cmdline
check "fastfault is not loaded at the start" unloaded
check "modprobe fastfault" modprobe fastfault

check "zero-nontemporal is 1 by default where the allocator clears nothing" \
	sh -c 'faultctl show -j | grep -q "\"zero-nontemporal\": *1"'
faultctl set zero-nontemporal 0 >/dev/null
faultctl set zero-nontemporal 1 >/tmp/nt.out 2>&1
rc=$?
check "faultctl set zero-nontemporal 1 is accepted here ($rc: $(cat /tmp/nt.out))" [ $rc = 0 ]
check "show reports zero-nontemporal 1" \
	sh -c 'faultctl show -j | grep -q "\"zero-nontemporal\": *1"'

# Free memory full of a pattern first, so that the pages the pool takes
# are dirty and only its clearing makes them zero.
pooltest dirty 512 >/dev/null
check "faultctl set zero-pool 64M" faultctl set zero-pool 64M
wait_full 14745
check "the pool fills to 90% of 64 MiB within 30 s ($(pool_pages) pages)" [ $? = 0 ]

for fa in 1 8; do
	faultctl set fault-around $fa >/dev/null
	pooltest dirty 256 >/dev/null
	sub "non-temporal, fault-around $fa: every page reads zero" pooltest zero 64
done
check "pool-hits > 0 ($(stat pool-hits))" [ "$(stat pool-hits)" -gt 0 ]
check "pool-zero-ns > 0 ($(stat pool-zero-ns))" [ "$(stat pool-zero-ns)" -gt 0 ]

# Back to clear_page (the allocator's __GFP_ZERO) with the pool full.
check "faultctl set zero-nontemporal 0 with the pool on" \
	faultctl set zero-nontemporal 0 fault-around 1
pooltest dirty 256 >/dev/null
sub "clear_page again: every page reads zero" pooltest zero 64

set_under_load "method changes" 6 zero-nontemporal 1 0 1 0 1

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded at the end" unloaded
diag "pool_nt.sh: $(($(date +%s) - start)) s"
finish
