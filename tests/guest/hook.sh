#!/bin/sh
# hook.sh: how fastfault attaches to the fault path, in a guest (busybox
# sh).  TAP output; exits non-zero if any test failed.
#
# Each hook is a direct ftrace trampoline (register_ftrace_direct), called
# from the hooked function's fentry site, attached only while a setting
# needs it.  Other ftrace users on the same function (a kprobe, the
# function tracer) share the site: ftrace then calls the trampoline from
# its own, and both must keep working, fault-around included, in either
# order of attaching.
#
#   tests/vm/run --kernel 6.12 -- hook.sh

. tap.sh

T=/sys/kernel/tracing
# the anonymous fault's allocation: alloc_pages_vma before folios (5.10)
ALLOC='(vma_alloc_folio(_noprof)?|alloc_pages_vma)'

# efline FUNC-REGEX: FUNC's entry in enabled_functions, its continuation
# lines (a direct call's "direct-->" is one) joined (empty if not traced)
efline() {
	awk -v re="^$1 " '$0 ~ re { f = 1; printf "%s", $0; next }
		f && /^\t/ { printf " %s", $0; next }
		{ f = 0 }' $T/enabled_functions 2>/dev/null
}
# hooked FUNC-REGEX ENTRY: FUNC's fentry site calls fastfault's ENTRY
hooked() { efline "$1" | grep -q "direct-->$2"; }
nothooked() { ! efline "$1" | grep -q 'direct-->ff_'; }
kprobe_hits() { awk '$1 == "ffprobe" { print $2 }' $T/kprobe_profile; }

check "fastfault is not loaded at the start" unloaded
check "tracefs is mounted ($T/enabled_functions)" [ -r $T/enabled_functions ]
check "modprobe fastfault" modprobe fastfault
check "loaded, all off: handle_mm_fault is not hooked" nothooked handle_mm_fault
check "loaded, all off: $ALLOC is not hooked" nothooked "$ALLOC"

check "faultctl set fault-around 8" faultctl set fault-around 8
diag "enabled_functions: $(efline handle_mm_fault)"
check "fault-around 8: handle_mm_fault calls the direct trampoline ff_fault_entry" \
	hooked handle_mm_fault ff_fault_entry
check "fault-around 8: $ALLOC is not hooked (the pool is off)" \
	nothooked "$ALLOC"
check "faultctl set zero-pool 8M" faultctl set zero-pool 8M
diag "enabled_functions: $(efline "$ALLOC")"
check "zero-pool 8M: $ALLOC calls the direct trampoline ff_alloc_entry" \
	hooked "$ALLOC" ff_alloc_entry
sub "fatest semantics 8 (pool on)" fatest semantics 8
check "faultctl set zero-pool 0" faultctl set zero-pool 0
check "zero-pool 0: $ALLOC is not hooked any more" nothooked "$ALLOC"

# A kprobe on handle_mm_fault attached after fastfault: ftrace now calls
# the trampoline from its own (ftrace_regs_caller); the trampoline's
# return into the wrapper must survive that.
check "a kprobe on handle_mm_fault" \
	sh -c "echo 'p:ffprobe handle_mm_fault' >>$T/kprobe_events"
check "the kprobe is enabled" \
	sh -c "echo 1 >$T/events/kprobes/ffprobe/enable"
diag "enabled_functions: $(efline handle_mm_fault)"
check "with the kprobe: handle_mm_fault still calls ff_fault_entry" \
	hooked handle_mm_fault ff_fault_entry
sub "fatest seqfaults 8 with a kprobe on handle_mm_fault" fatest seqfaults 8
sub "fatest semantics 8 with a kprobe on handle_mm_fault" fatest semantics 8
h=$(kprobe_hits)
check "the kprobe fired (${h:-missing} hits)" [ "${h:-0}" -gt 0 ]

# fastfault off and on again while the kprobe stays: attaching to a site
# that is already traced.
check "faultctl set fault-around 1 (the kprobe stays)" \
	faultctl set fault-around 1
check "fault-around 1: handle_mm_fault is not hooked" nothooked handle_mm_fault
sub "fatest seqfaults 1 with only the kprobe" fatest seqfaults 1
check "faultctl set fault-around 8 (after the kprobe)" \
	faultctl set fault-around 8
check "attached after the kprobe: handle_mm_fault calls ff_fault_entry" \
	hooked handle_mm_fault ff_fault_entry
sub "fatest seqfaults 8 attached after the kprobe" fatest seqfaults 8
h0=$(kprobe_hits)
sub "fatest semantics 8 attached after the kprobe" fatest semantics 8
h=$(kprobe_hits)
check "the kprobe still fires (${h0:-missing} -> ${h:-missing})" \
	[ "${h:-0}" -gt "${h0:-0}" ]
check "the kprobe is disabled" \
	sh -c "echo 0 >$T/events/kprobes/ffprobe/enable"
check "the kprobe is removed" sh -c "echo '-:ffprobe' >>$T/kprobe_events"
sub "fatest seqfaults 8 after the kprobe left" fatest seqfaults 8

# The function tracer on handle_mm_fault: another ops on the same site.
check "function tracer on handle_mm_fault" sh -c "
	echo handle_mm_fault >$T/set_ftrace_filter &&
	echo function >$T/current_tracer"
sub "fatest seqfaults 8 under the function tracer" fatest seqfaults 8
sub "fatest semantics 8 under the function tracer" fatest semantics 8
check "the function tracer traced handle_mm_fault" \
	grep -q handle_mm_fault $T/trace
check "function tracer off" sh -c "
	echo nop >$T/current_tracer && echo >$T/set_ftrace_filter"

check "modprobe -r fastfault" modprobe -r fastfault
check "fastfault is unloaded" unloaded
check "after unload: handle_mm_fault is not hooked" nothooked handle_mm_fault
check "after unload: nothing calls into fastfault" \
	sh -c "! grep -q 'fastfault' $T/enabled_functions"
finish
