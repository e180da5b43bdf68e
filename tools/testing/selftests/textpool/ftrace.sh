#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tracing instances with the function tracer and a set_ftrace_filter each
# get a dynamic ftrace trampoline: it is counted under users/ftrace, takes
# no executable 4 KiB page of its own, tracing still records hits, and
# removing the instances gives the slots back.

. "$(dirname "$0")/textpool_lib.sh"

NINST=${NINST:-8}

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -d "$T/instances" ] || { ktap_skip_all "no $T/instances"; exit "$KSFT_SKIP"; }
grep -qw function "$T/available_tracers" ||
	{ ktap_skip_all "no function tracer"; exit "$KSFT_SKIP"; }
funcs=$(tp_functions | head -n "$NINST")
n=$(echo "$funcs" | wc -w)
[ "$n" -gt 0 ] || { ktap_skip_all "no traceable functions found"; exit "$KSFT_SKIP"; }
ktap_set_plan 6

allocs0=$(tp_user_allocs ftrace)
x4k0=$(tp_modules_x4k)
l20=$(tp_l2_splits)
tramps0=$(awk '$3 == "ftrace_trampoline"' /proc/kallsyms | wc -l)

ok=1
i=0
for f in $funcs; do
	d=$T/instances/tp_ftrace$i
	if ! { mkdir "$d" && echo 64 >"$d/buffer_size_kb" &&
	       echo "$f" >"$d/set_ftrace_filter" &&
	       echo function >"$d/current_tracer"; }; then
		ktap_print_msg "instance $i ($f) could not be set up"
		ok=0
	fi
	i=$((i + 1))
done
tp_workload
[ $ok = 1 ] && ktap_test_pass "$n tracing instances with filtered function tracers" ||
	ktap_test_fail "$n tracing instances with filtered function tracers"

allocs1=$(tp_user_allocs ftrace)
x4k1=$(tp_modules_x4k)
tramps1=$(awk '$3 == "ftrace_trampoline"' /proc/kallsyms | wc -l)
ktap_print_msg "users/ftrace allocations $allocs0 -> $allocs1"
ktap_print_msg "ftrace_trampoline symbols $tramps0 -> $tramps1"
ktap_print_msg "executable 4K in Modules $x4k0 -> $x4k1"

if [ "$allocs0" -lt 0 ]; then
	ktap_test_skip "trampolines counted under users/ftrace (no $TP/users/ftrace)"
elif [ $((allocs1 - allocs0)) -ge "$n" ] && [ $((tramps1 - tramps0)) -ge "$n" ]; then
	ktap_test_pass "a dynamic trampoline per instance, counted under users/ftrace"
else
	ktap_test_fail "a dynamic trampoline per instance, counted under users/ftrace"
fi

if [ "$x4k0" -lt 0 ]; then
	ktap_test_skip "no executable 4K page per trampoline (no $PTDUMP)"
elif [ "$x4k1" -le "$x4k0" ]; then
	ktap_test_pass "no executable 4K page per trampoline"
else
	ktap_test_fail "no executable 4K page per trampoline"
fi

hits_ok=1
for d in "$T"/instances/tp_ftrace*; do
	hits=$(tp_instance_entries "$d")
	[ "$hits" -gt 0 ] || { hits_ok=0; ktap_print_msg "$(basename "$d") recorded nothing"; }
done
[ $hits_ok = 1 ] && ktap_test_pass "every instance records hits" ||
	ktap_test_fail "every instance records hits"

for d in "$T"/instances/tp_ftrace*; do
	echo nop >"$d/current_tracer"
	rmdir "$d"
done
if [ "$allocs0" -lt 0 ]; then
	ktap_test_skip "removing the instances gives the slots back (no $TP/users/ftrace)"
elif tp_wait_le "$TP/users/ftrace/allocations" "$allocs0"; then
	ktap_test_pass "removing the instances gives the slots back"
else
	ktap_print_msg "$(tp_user_allocs ftrace) trampolines left, were $allocs0"
	ktap_test_fail "removing the instances gives the slots back"
fi

tp_test_l2_unchanged "$l20"

ktap_finished
