#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The users of textpool that come before it.  make check boots its first
# guest with
#
#   ftrace=function ftrace_filter=__x64_sys_newuname
#
# The boot tracer starts in start_kernel() (early_trace_init()), long
# before textpool_init() (core_initcall): the trampoline of its ftrace_ops,
# the static global_ops, is an execmem fallback allocation, counted under
# fallback_early once the pools exist.  ftrace keeps that trampoline for
# good (it frees the trampolines of dynamic ftrace_ops only) and patches
# it in place each time the function tracer starts again.  This test
# checks that:
#   - the early trampoline lies outside every chunk, in a textpool fallback
#     area of /proc/vmallocinfo, and is counted (fallback_early, users/ftrace);
#   - the boot tracer traces its function through it;
#   - stopping the tracer frees nothing and rejects nothing; starting it
#     again reuses the same trampoline, which still works;
#   - a new ftrace user now gets its trampoline from a chunk and gives it
#     back when it goes away;
#   - no free was rejected (bad_frees, wrong_user) along the way.
# kprobes have no early user in 6.12: init_kprobes() (early_initcall)
# allocates no slot, and the kprobe_event= boot parameter is set up at
# fs_initcall, after textpool_init(), so its slots come from a chunk like
# any other (kprobes.sh).

. "$(dirname "$0")/textpool_lib.sh"

CHUNKS=/sys/kernel/debug/textpool/chunks
INST=$T/instances/tp_early
N=5

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -d "$TP" ] || { ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"; exit "$KSFT_SKIP"; }
[ -r "$CHUNKS" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -r "$CHUNKS" ] || { ktap_skip_all "no $CHUNKS"; exit "$KSFT_SKIP"; }

# The value of boot parameter $1, empty without it.
boot_param() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1
}
BOOT_TRACER=$(boot_param ftrace)
FUNC=$(boot_param ftrace_filter)
if [ "$BOOT_TRACER" != function ] || [ -z "$FUNC" ]; then
	ktap_skip_all "booted without ftrace=function ftrace_filter=FUNC"
	exit "$KSFT_SKIP"
fi
if [ "$(cat "$TP/enabled")" != 1 ]; then
	ktap_skip_all "textpool is disabled"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 6

st() {
	tp_num "$TP/stats/$1"
}

# /proc/vmallocinfo prints %pK: real addresses only with kptr_restrict=1.
KPTR=$(cat /proc/sys/kernel/kptr_restrict)
echo 1 >/proc/sys/kernel/kptr_restrict

cleanup() {
	echo "$KPTR" >/proc/sys/kernel/kptr_restrict
	if [ -d "$INST" ]; then
		echo nop >"$INST/current_tracer" 2>/dev/null
		rmdir "$INST" 2>/dev/null
	fi
	echo nop >"$T/current_tracer" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The /proc/vmallocinfo line of the area that holds address $1.
vm_area() {
	awk -v a="$1" '{
		split($1, r, "-")
		s = substr(r[1], 3)
		e = substr(r[2], 3)
		if (length(s) == 16 && s <= a && a < e) print
	}' /proc/vmallocinfo
}

# Lines of the top-level trace buffer that record a call of $FUNC.
hits() {
	grep -c " $FUNC <-" "$T/trace"
}

call_func() {
	for i in $(seq $N); do
		uname >/dev/null
	done
}

BF0=$(st bad_frees)
WU0=$(st wrong_user)

# --- 1. the boot tracer's trampoline came before textpool ------------------

TRAMPS0=$(tp_syms ftrace_trampoline)
EARLY=
for a in $TRAMPS0; do
	tp_in_chunk "$a" || EARLY="$EARLY $a"
done
EARLY=${EARLY# }
FE=$(st fallback_early)
FTA0=$(tp_user_allocs ftrace)
A0=$(st allocations)
ktap_print_msg "boot tracer: $(cat "$T/current_tracer"), filter $(cat "$T/set_ftrace_filter")"
ktap_print_msg "ftrace_trampoline symbols: $(echo $TRAMPS0), outside the chunks: ${EARLY:-none}"
ktap_print_msg "fallback_early $FE, users/ftrace allocations $FTA0"
AREA=
case $EARLY in
''|*' '*)
	bad "not exactly one trampoline outside the chunks"
	;;
*)
	AREA=$(vm_area "$EARLY")
	ktap_print_msg "its area: $AREA"
	case $AREA in
	*' textpool'*) ;;
	*) bad "the early trampoline is not in a textpool fallback area" ;;
	esac
	;;
esac
[ "$FE" -ge 1 ] || bad "fallback_early is $FE"
[ "$FTA0" -ge 1 ] || bad "users/ftrace counts $FTA0 allocations"
check "the boot tracer's trampoline is an early fallback allocation, counted"

# --- 2. the boot tracer works ------------------------------------------------

[ "$(cat "$T/current_tracer")" = function ] || bad "current_tracer is not function"
echo >"$T/trace"
call_func
h=$(hits)
ktap_print_msg "$N calls of $FUNC, $h recorded"
[ "$h" -ge $N ] || bad "$h of $N calls of $FUNC recorded"
check "the boot tracer traces $FUNC"

# --- 3. stopping it frees nothing, rejects nothing ---------------------------

echo nop >"$T/current_tracer"
echo >"$T/trace"
call_func
h=$(hits)
FTA1=$(tp_user_allocs ftrace)
A1=$(st allocations)
TRAMPS1=$(tp_syms ftrace_trampoline)
ktap_print_msg "after nop: $h calls recorded, users/ftrace $FTA0 -> $FTA1," \
	"allocations $A0 -> $A1, bad_frees $BF0 -> $(st bad_frees)"
[ "$h" = 0 ] || bad "the stopped tracer still records"
[ "$FTA1" = "$FTA0" ] || bad "users/ftrace moved"
[ "$A1" = "$A0" ] || bad "stats/allocations moved"
[ "$TRAMPS1" = "$TRAMPS0" ] || bad "the trampolines changed: $(echo $TRAMPS1)"
[ "$(st bad_frees)" = "$BF0" ] || bad "bad_frees rose"
check "stopping the boot tracer keeps its trampoline: no free, nothing rejected"

# --- 4. starting it again reuses the early trampoline ------------------------

echo function >"$T/current_tracer"
echo >"$T/trace"
call_func
h=$(hits)
echo nop >"$T/current_tracer"
FTA1=$(tp_user_allocs ftrace)
TRAMPS1=$(tp_syms ftrace_trampoline)
ktap_print_msg "function again: $h of $N calls recorded, users/ftrace $FTA0 -> $FTA1"
[ "$h" -ge $N ] || bad "$h of $N calls of $FUNC recorded"
[ "$FTA1" = "$FTA0" ] || bad "a new trampoline was allocated"
[ "$TRAMPS1" = "$TRAMPS0" ] || bad "the trampolines changed: $(echo $TRAMPS1)"
check "the function tracer started again runs on the early trampoline"

# --- 5. a new ftrace user gets a chunk's slots, and gives them back ----------

if mkdir "$INST" && echo 64 >"$INST/buffer_size_kb" &&
   echo "$FUNC" >"$INST/set_ftrace_filter" &&
   echo function >"$INST/current_tracer"; then
	call_func
	h=$(tp_instance_entries "$INST")
	NEW=$(tp_syms ftrace_trampoline | grep -v -x -F "$(echo "$TRAMPS0" | tr ' ' '\n')")
	FTA1=$(tp_user_allocs ftrace)
	ktap_print_msg "instance: $h entries, new trampoline ${NEW:-none}," \
		"users/ftrace $FTA0 -> $FTA1"
	[ "$h" -ge $N ] || bad "the instance recorded $h of $N calls"
	[ -n "$NEW" ] || bad "no new trampoline"
	for a in $NEW; do
		tp_in_chunk "$a" || bad "trampoline $a is not in a chunk"
	done
	[ "$FTA1" -gt "$FTA0" ] || bad "users/ftrace did not rise"
	echo nop >"$INST/current_tracer"
	rmdir "$INST"
	tp_wait_le "$TP/users/ftrace/allocations" "$FTA0" 10 ||
		bad "users/ftrace $(tp_user_allocs ftrace) after the instance went, was $FTA0"
	[ "$(tp_syms ftrace_trampoline)" = "$TRAMPS0" ] ||
		bad "trampolines left: $(echo $(tp_syms ftrace_trampoline))"
	[ "$(st allocations)" = "$A0" ] ||
		bad "stats/allocations $A0 -> $(st allocations)"
else
	bad "could not set up $INST"
fi
check "a new ftrace user's trampoline comes from a chunk and goes back"

# --- 6. nothing rejected -------------------------------------------------------

BF1=$(st bad_frees)
WU1=$(st wrong_user)
if [ "$BF1" = "$BF0" ] && [ "$WU1" = "$WU0" ]; then
	ktap_test_pass "no free rejected (bad_frees $BF1, wrong_user $WU1)"
else
	ktap_test_fail "no free rejected (bad_frees $BF0 -> $BF1, wrong_user $WU0 -> $WU1)"
fi

ktap_finished
