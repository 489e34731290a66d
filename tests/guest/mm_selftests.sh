#!/bin/sh
# mm_selftests.sh: the kernel's own mm selftests (built by
# tests/vm/mm-selftests, copied to /work/mm-selftests), a fixed subset that
# runs in this busybox initramfs, in one configuration of fastfault:
#   stock      the module not loaded
#   fa8        faultctl set fault-around 8
#   fa64pool   faultctl set fault-around 64 zero-pool 64M
# Each test runs with a bounded timeout; its result is printed as one line
#   @@mm CONFIG ROUND RESULT SECONDS TEST
# RESULT: pass (exit 0), skip (exit 4, kselftest's skip), fail, timeout.
# Failing sub-test lines of a test are printed after it as "#   ...".
# tests/check-mm compares the configurations; this script only fails (exit
# 1) if the configuration could not be set up or, with the module, if the
# module did no work at all (no fault-around batch, no pool hit).
#
#   tests/vm/run --kernel 6.1 --file ~/.cache/fastfault/mm-selftests/REL/mm-selftests \
#       -- mm_selftests.sh CONFIG [ROUNDS [TEST...]]
#
# ROUNDS runs the list that many times in this boot (default 1); TEST...
# (exact names as printed) runs only those.
#
# Left out, and why:
#   test_vmalloc.sh, test_hmm.sh, hmm-tests: need the test_vmalloc and
#     test_hmm modules, which the initramfs does not hold (only fastfault.ko)
#   charge_reserved_hugetlb.sh, hugetlb_reparenting_test.sh,
#     va_128TBswitch.sh / va_high_addr_switch.sh: bash scripts (no bash
#     here); the va_* binaries they wrap are run directly instead
#   hugetlb-soft-offline, hugetlb-read-hwpoison (6.12): destructive
#     (run_vmtests.sh runs them only with -d): they poison pages for the
#     rest of the boot
#   transhuge-stress (6.1): has no duration option, runs until killed
#   userfaultfd MODE:dev (6.1): the same tests with the fd from
#     /dev/userfaultfd instead of the syscall; left out for time (TCG)
#   (and userfaultfd / uffd-stress hugetlb* run 4 bounces, not 32: 200 s
#     each under TCG)
#   protection_keys_32: not built (no 32-bit libc on the build machine)
#   gup_benchmark (5.10): Debian's 5.10 has no CONFIG_GUP_BENCHMARK
#   transhuge-stress (5.10): as on 6.1, runs until killed
#   write_to_hugetlbfs, seal_elf, mseal_test, prctl_thp_disable: helpers
#     or tests run_vmtests.sh does not run (droppable: not before 7.x)
#   memory-failure (7.x): poisons pages for the rest of the boot, as
#     hugetlb-read-hwpoison does
#   khugepaged all:shmem, all:file (7.x): shmem and files, which
#     fastfault does not touch; file needs XFS
#   test_page_frag.sh (7.x): needs the page_frag_test module

. tap.sh

config=${1:?usage: mm_selftests.sh CONFIG [ROUNDS [TEST...]]}
rounds=${2:-1}
[ $# -ge 2 ] && shift 2 || shift $#
dir=/work/mm-selftests
[ -d "$dir" ] || { echo "mm_selftests: no $dir (tests/vm/run --file .../mm-selftests)"; exit 2; }
cd "$dir" || exit 2
export LD_LIBRARY_PATH=$dir/lib
# keep the kernel's messages off the console our result lines go to (the
# rig still reads the whole log afterwards)
echo 1 >/proc/sys/kernel/printk

case $(uname -r) in
5.10.*) kv=5.10 ;;
6.1.*) kv=6.1 ;;
7.*) kv=7 ;;
*) kv=6.12 ;;
esac

# The list: TIMEOUT FLAGS COMMAND...; FLAGS h = drop caches and compact
# first (run_vmtests.sh does so for its hugetlb and thp tests).
# Lines starting with @ change the system between tests:
#   @hugepages N      vm.nr_hugepages
#   @sysctl PATH VAL  /proc/sys/PATH
# 5.10: what its run_vmtests runs (userfaultfd with fewer bounces, as on
# the later kernels), and khugepaged, which it builds but does not run
list_5_10() {
	cat <<'EOF'
@hugepages 128
300 h hugepage-mmap
@sysctl kernel/shmmax 268435456
@sysctl kernel/shmall 4194304
300 h hugepage-shm
300 h map_hugetlb
300 - map_fixed_noreplace
300 - userfaultfd anon 20 16
300 h userfaultfd hugetlb 128 4 huge/uffd-test
300 h userfaultfd hugetlb_shared 128 4 huge/uffd-test-shared
300 - userfaultfd shmem 20 16
@hugepages 0
600 - compaction_test
300 - runas 65534 ./on-fault-limit
300 - map_populate
300 - mlock-random-test
300 - mlock2-tests
300 h thuge-gen
@sysctl vm/overcommit_memory 1
300 - virtual_address_range
@sysctl vm/overcommit_memory 0
300 - va_128TBswitch
300 - mremap_dontunmap
300 - protection_keys_64
900 h khugepaged
EOF
}

list_6_1() {
	cat <<'EOF'
@hugepages 128
300 h hugepage-mmap
@sysctl kernel/shmmax 268435456
@sysctl kernel/shmall 4194304
300 h hugepage-shm
300 h map_hugetlb
300 h hugepage-mremap huge/huge_mremap
300 h hugepage-vmemmap
300 h hugetlb-madvise huge/madvise-test
300 - map_fixed_noreplace
300 - gup_test -u
300 - gup_test -a
300 - gup_test -ct -F 0x1 0 19 0x1000
300 - userfaultfd anon 20 16
300 h userfaultfd hugetlb 128 4
300 h userfaultfd hugetlb_shared 128 4 huge/uffd-test
300 - userfaultfd shmem 20 16
@hugepages 0
600 - compaction_test
300 - runas 65534 ./on-fault-limit
300 - map_populate
300 - mlock-random-test
300 - mlock2-tests
300 - mrelease_test
300 - mremap_test
300 h thuge-gen
@sysctl vm/overcommit_memory 1
300 - virtual_address_range
@sysctl vm/overcommit_memory 0
300 - va_128TBswitch
300 - mremap_dontunmap
300 - madv_populate
300 - memfd_secret
300 - ksm_tests -M -p 10
300 - ksm_tests -U
300 - ksm_tests -Z -p 10 -z 0
300 - ksm_tests -Z -p 10 -z 1
300 - ksm_tests -N -m 1
300 - ksm_tests -N -m 0
300 - protection_keys_64
300 - soft-dirty
900 h khugepaged
300 h split_huge_page_test
300 - migration
EOF
}

list_6_12() {
	cat <<'EOF'
@hugepages 128
300 h hugepage-mmap
@sysctl kernel/shmmax 268435456
@sysctl kernel/shmall 4194304
300 h hugepage-shm
300 h map_hugetlb
300 h hugepage-mremap
300 h hugepage-vmemmap
300 h hugetlb-madvise
300 h hugetlb_dio
300 h hugetlb_fault_after_madv
300 h hugetlb_madv_vs_map
300 - map_fixed_noreplace
300 - gup_test -u
300 - gup_test -a
300 - gup_test -ct -F 0x1 0 19 0x1000
600 - gup_longterm
600 - uffd-unit-tests
300 - uffd-stress anon 20 16
300 h uffd-stress hugetlb 128 4
300 h uffd-stress hugetlb-private 128 4
300 - uffd-stress shmem 20 16
300 - uffd-stress shmem-private 20 16
@hugepages 0
600 - compaction_test
300 - runas 65534 ./on-fault-limit
300 - map_populate
300 - mlock-random-test
300 - mlock2-tests
300 - mrelease_test
300 - mremap_test
@hugepages 128
300 h thuge-gen
@sysctl vm/overcommit_memory 1
300 - virtual_address_range
@sysctl vm/overcommit_memory 0
300 - va_high_addr_switch
300 - mremap_dontunmap
300 - madv_populate
300 - memfd_secret
600 - ksm_tests -H -s 100
600 - ksm_tests -P -s 100
300 - ksm_tests -M -p 10
300 - ksm_tests -U
300 - ksm_tests -Z -p 10 -z 0
300 - ksm_tests -Z -p 10 -z 1
300 - ksm_tests -N -m 1
300 - ksm_tests -N -m 0
300 - ksm_functional_tests
300 - protection_keys_64
300 - pkey_sighandler_tests_64
300 - soft-dirty
300 - pagemap_ioctl
900 - cow
900 h khugepaged
900 h khugepaged -s 2
300 h transhuge-stress -d 20
900 h split_huge_page_test
300 - migration
300 - mkdirty
300 - mdwe_test
EOF
}

# 7.x: 6.12's list as 7.3's run_vmtests.sh runs it: hugepage-mmap, -shm
# and -mremap are hugetlb-*; map_hugetlb, hugepage-vmemmap and
# virtual_address_range are gone; new are uffd-wp-mremap, droppable,
# guard-regions, process_madv, merge, pfnmap, khugepaged's anonymous mTHP
# collapse, folio_split_race_test and rmap
list_7() {
	cat <<'EOF'
@hugepages 128
300 h hugetlb-mmap
@sysctl kernel/shmmax 268435456
@sysctl kernel/shmall 4194304
300 h hugetlb-shm
300 h hugetlb-mremap
300 h hugetlb-madvise
300 h hugetlb_dio
300 h hugetlb_fault_after_madv
300 h hugetlb_madv_vs_map
300 - map_fixed_noreplace
300 - gup_test -u
300 - gup_test -a
300 - gup_test -ct -F 0x1 0 19 0x1000
600 - gup_longterm
600 - uffd-unit-tests
300 - uffd-stress anon 20 16
300 h uffd-stress hugetlb 128 4
300 h uffd-stress hugetlb-private 128 4
300 - uffd-stress shmem 20 16
300 - uffd-stress shmem-private 20 16
300 - uffd-wp-mremap
@hugepages 0
600 - compaction_test
300 - runas 65534 ./on-fault-limit
300 - map_populate
300 - droppable
300 - mlock-random-test
300 - mlock2-tests
300 - mrelease_test
300 - mremap_test
@hugepages 128
300 h thuge-gen
300 - va_high_addr_switch
300 - mremap_dontunmap
300 - guard-regions
300 - madv_populate
300 - process_madv
300 - merge
300 - memfd_secret
600 - ksm_tests -H -s 100
600 - ksm_tests -P -s 100
300 - ksm_tests -M -p 10
300 - ksm_tests -U
300 - ksm_tests -Z -p 10 -z 0
300 - ksm_tests -Z -p 10 -z 1
300 - ksm_tests -N -m 1
300 - ksm_tests -N -m 0
300 - ksm_functional_tests
300 - protection_keys_64
300 - pkey_sighandler_tests_64
300 - soft-dirty
300 - pagemap_ioctl
300 - pfnmap
900 - cow
900 h khugepaged
900 h khugepaged -s 2
900 h khugepaged -c 4 mthp_khugepaged:anon
300 h transhuge-stress -d 20
300 h folio_split_race_test
900 h split_huge_page_test
300 - migration
300 - mkdirty
300 - mdwe_test
300 - rmap
EOF
}

# want NAME: no TEST... was given, or NAME is one of them
only_list=$(for t in "$@"; do printf '%s\n' "$t"; done)
want() {
	[ -z "$only_list" ] || printf '%s\n' "$only_list" | grep -qxF "$1"
}

mkdir -p huge
mount -t hugetlbfs none huge || { echo "mm_selftests: cannot mount hugetlbfs"; exit 2; }
echo 0 >/proc/sys/kernel/yama/ptrace_scope 2>/dev/null

case $config in
stock)
	loaded && modprobe -r fastfault
	unloaded || { echo "mm_selftests: fastfault still loaded"; exit 2; }
	;;
fa8)
	modprobe fastfault && faultctl set fault-around 8 || exit 2
	;;
fa64pool)
	modprobe fastfault && faultctl set fault-around 64 zero-pool 64M || exit 2
	wait_full 14000 || diag "the pool did not fill within 30 s ($(pool_pages) pages)"
	;;
*) echo "mm_selftests: unknown config '$config' (stock, fa8, fa64pool)"; exit 2 ;;
esac
[ "$config" = stock ] || faultctl show

r=1
while [ $r -le "$rounds" ]; do
	list_$(echo $kv | tr . _) | while read -r t flags cmd; do
		case $t in
		@hugepages)
			echo 3 >/proc/sys/vm/drop_caches
			echo "$flags" >/proc/sys/vm/nr_hugepages
			diag "nr_hugepages $flags: $(cat /proc/sys/vm/nr_hugepages)"
			continue ;;
		@sysctl) echo "$cmd" >"/proc/sys/$flags"; continue ;;
		esac
		want "$cmd" || continue
		if [ "$flags" = h ]; then
			echo 3 >/proc/sys/vm/drop_caches
			echo 1 >/proc/sys/vm/compact_memory
		fi
		rm -f huge/uffd-test huge/huge_mremap huge/madvise-test
		case $cmd in
		runas*) prog=$cmd ;;
		*) prog=./$cmd ;;
		esac
		diag "running $cmd"
		s=$(date +%s)
		# shellcheck disable=SC2086
		timeout -k 10 "$t" $prog </dev/null >/tmp/mm.log 2>&1
		rc=$?
		secs=$(($(date +%s) - s))
		if [ $secs -ge "$t" ]; then
			res=timeout
		elif [ $rc = 0 ]; then
			res=pass
		elif [ $rc = 4 ]; then
			res=skip
		else
			res=fail
		fi
		echo "@@mm $config $r $res $secs $cmd"
		# what failed inside it, and how it ended
		if [ $res != pass ]; then
			grep -E '^not ok|\[FAIL\]|Fail|FAIL|Unexpected|Bail out|[Ee]rror|SKIP|skip' /tmp/mm.log |
				head -n 30 | sed 's/^/#   /'
			echo "#   -- exit $rc, last lines:"
			tail -n 4 /tmp/mm.log | sed 's/^/#   /'
		fi
	done
	r=$((r + 1))
done

status=0
if [ "$config" != stock ]; then
	faultctl stats
	b=$(stat batches)
	diag "fault-around batches: $b, prefaulted $(stat prefaulted)"
	[ "${b:-0}" -gt 0 ] || { diag "the module mapped no neighbour at all"; status=1; }
	if [ "$config" = fa64pool ]; then
		h=$(stat pool-hits)
		diag "pool hits: $h"
		[ "${h:-0}" -gt 0 ] || { diag "the pool served no page at all"; status=1; }
	fi
	modprobe -r fastfault || { diag "modprobe -r fastfault failed"; status=1; }
fi
umount huge
echo "@@mm-done $config $status"
exit $status
