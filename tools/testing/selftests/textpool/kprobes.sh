#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kprobe events added through tracefs get their instruction slots from
# textpool (counted under users/kprobes, no executable 4 KiB page of their
# own) and still fire: their hit counts in kprobe_profile rise.

. "$(dirname "$0")/textpool_lib.sh"

NPROBES=${NPROBES:-8}

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -w "$T/kprobe_events" ] || { ktap_skip_all "no $T/kprobe_events"; exit "$KSFT_SKIP"; }
ktap_set_plan 6

allocs0=$(tp_user_allocs kprobes)
x4k0=$(tp_modules_x4k)
l20=$(tp_l2_splits)

# Probe past the function's entry (endbr64 and the __fentry__ call site)
# so that the probes single-step from an instruction slot instead of
# riding on ftrace.
n=0
for f in $(tp_functions); do
	[ $n -ge "$NPROBES" ] && break
	for off in 9 5 4 8; do
		if echo "p:tp_kp$n $f+$off" >>"$T/kprobe_events" 2>/dev/null; then
			if echo 1 >"$T/events/kprobes/tp_kp$n/enable"; then
				n=$((n + 1))
				break
			fi
			echo "-:tp_kp$n" >>"$T/kprobe_events"
		fi
	done
done
tp_workload
# Let the optimizer turn the probes into optprobes too.
sleep 1
tp_workload
[ $n -gt 0 ] && ktap_test_pass "$n kprobe events added and enabled" ||
	ktap_test_fail "no kprobe event could be added"

allocs1=$(tp_user_allocs kprobes)
x4k1=$(tp_modules_x4k)
ktap_print_msg "users/kprobes allocations $allocs0 -> $allocs1"
ktap_print_msg "executable 4K in Modules $x4k0 -> $x4k1"
KL=/sys/kernel/debug/kprobes/list
ktap_print_msg "$(grep -c . $KL 2>/dev/null) kprobes listed," \
	"$(grep -c FTRACE $KL 2>/dev/null) on ftrace," \
	"$(grep -c OPTIMIZED $KL 2>/dev/null) optimized"

if [ "$allocs0" -lt 0 ]; then
	ktap_test_skip "slots served from textpool (no $TP/users/kprobes)"
elif [ "$allocs1" -ge 1 ] && [ "$allocs1" -ge "$allocs0" ]; then
	ktap_test_pass "slots served from textpool ($allocs1 slot pages under users/kprobes)"
else
	ktap_test_fail "slots served from textpool ($allocs0 -> $allocs1 under users/kprobes)"
fi

if [ "$x4k0" -lt 0 ]; then
	ktap_test_skip "no executable 4K page for the slots (no $PTDUMP)"
elif [ "$x4k1" -le "$x4k0" ]; then
	ktap_test_pass "no executable 4K page for the slots"
else
	ktap_test_fail "no executable 4K page for the slots"
fi

hits_ok=1
i=0
while [ $i -lt $n ]; do
	hits=$(awk -v e="tp_kp$i" '$1 == e || $1 == "kprobes/" e { print $2 }' "$T/kprobe_profile")
	if [ "${hits:-0}" -le 0 ]; then
		hits_ok=0
		ktap_print_msg "tp_kp$i: no hits"
	fi
	i=$((i + 1))
done
ktap_print_msg "$(awk '/tp_kp/ { printf "%s=%s ", $1, $2 }' "$T/kprobe_profile")"
[ $hits_ok = 1 ] && [ $n -gt 0 ] && ktap_test_pass "every kprobe fires" ||
	ktap_test_fail "every kprobe fires"

echo 0 >"$T/events/kprobes/enable" 2>/dev/null
i=0
while [ $i -lt $n ]; do
	echo "-:tp_kp$i" >>"$T/kprobe_events"
	i=$((i + 1))
done
# The slot cache keeps its last page for the next probe: allow for that.
allocs2=$(tp_user_allocs kprobes)
ktap_print_msg "users/kprobes allocations after removal: $allocs2"
if [ "$allocs0" -lt 0 ]; then
	ktap_test_skip "removing the probes keeps no more than the slot cache (no users/kprobes)"
elif [ "$allocs2" -le "$allocs1" ]; then
	ktap_test_pass "removing the probes keeps no more than the slot cache"
else
	ktap_test_fail "removing the probes: $allocs1 -> $allocs2 slot pages"
fi

tp_test_l2_unchanged "$l20"

ktap_finished
