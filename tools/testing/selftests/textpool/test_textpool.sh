#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel stress test (mm/test_textpool.c, CONFIG_TEST_TEXTPOOL=m),
# the way selftests/mm/test_vmalloc.sh runs test_vmalloc.ko: insmod it with
# short parameters, which runs its cases and fails the load (-EAGAIN) so
# that it is gone again, report each case from the KTAP it printed to the
# kernel log, and check that bad parameters make insmod fail (-EINVAL)
# with the reason in the kernel log.
#
# TP_STRESS_THREADS and TP_STRESS_ITERATIONS override the threads per case
# and the operations per thread and case (4 and 2000: short enough for
# QEMU TCG with 2 vCPUs); TP_TEST_MODULE is the module's path.

. "$(dirname "$0")/textpool_lib.sh"

KO=${TP_TEST_MODULE:-/modules/test_textpool.ko}
# insmod, once: busybox's would load test_textpool.ko a second time.
INSMOD=$(dirname "$0")/insmod_once
NR_CASES=9
THREADS=${TP_STRESS_THREADS:-4}
ITERATIONS=${TP_STRESS_ITERATIONS:-2000}
ERR=/tmp/test_textpool.err

ktap_print_header

if [ "$(id -u)" != 0 ]; then
	ktap_skip_all "needs root"
	exit "$KSFT_SKIP"
fi
if [ ! -f "$KO" ]; then
	ktap_skip_all "no $KO (CONFIG_TEST_TEXTPOOL=m)"
	exit "$KSFT_SKIP"
fi
if [ -d /sys/module/test_textpool ]; then
	ktap_skip_all "test_textpool is loaded already"
	exit "$KSFT_SKIP"
fi

ktap_set_plan $((NR_CASES + 11))

# Lines "test_textpool: KTAP version 1" in the kernel log: runs started.
tp_runs() {
	dmesg | grep -c 'test_textpool: KTAP version'
}

# 1: a run with the short parameters: insmod fails with EAGAIN, the module
# is gone, and the kernel log has one result per case.
t0=$(date +%s)
if "$INSMOD" "$KO" nr_threads="$THREADS" nr_iterations="$ITERATIONS" \
	min_size=1 max_size=4096 node=-1 \
	run_test_mask=$(((1 << NR_CASES) - 1)) sequential=1 2>"$ERR"; then
	bad "insmod succeeded: the module should fail with EAGAIN after its run"
	rmmod test_textpool 2>/dev/null
elif ! grep -q ': EAGAIN ' "$ERR"; then
	bad "insmod failed, but not with EAGAIN: $(cat "$ERR")"
fi
t1=$(date +%s)
[ -d /sys/module/test_textpool ] && bad "test_textpool is still loaded"
ktap_print_msg "$THREADS threads x $ITERATIONS operations per case: $((t1 - t0)) s"
check "test_textpool.ko runs its cases and unloads itself"

# The KTAP of the last run: from its last "KTAP version" line on.
dmesg | sed -n 's/.*test_textpool: //p' |
	awk '/^KTAP version/ { n = 0 } { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
	>/tmp/test_textpool.ktap
grep '^#' /tmp/test_textpool.ktap | while read -r line; do
	ktap_print_msg "${line#\# }"
done
n=0
while IFS= read -r line; do
	case $line in
	"not ok "*) res=fail rest=${line#not ok } ;;
	"ok "*) res=pass rest=${line#ok } ;;
	*) continue ;;
	esac
	n=$((n + 1))
	num=${rest%% *}
	rest=${rest#* }
	name=${rest%% \#*}
	info=${rest#*\# }
	if [ "$res" = pass ]; then
		ktap_test_pass "case $num $name: $info"
	else
		ktap_test_fail "case $num $name: $info"
	fi
done <<EOF
$(grep -E '^(not )?ok ' /tmp/test_textpool.ktap)
EOF
n=$(grep -cE '^(not )?ok ' /tmp/test_textpool.ktap)
# Cases that did not report (the plan has NR_CASES of them).
while [ "$n" -lt $NR_CASES ]; do
	n=$((n + 1))
	ktap_test_fail "case $n: no result in the kernel log"
done
plan=$(sed -n 's/^1\.\.//p' /tmp/test_textpool.ktap)
if [ "$plan" = $NR_CASES ] && [ "$n" -eq $NR_CASES ]; then
	ktap_test_pass "the kernel log has the plan 1..$NR_CASES and $n results"
else
	ktap_test_fail "the kernel log has the plan 1..$plan and $n results, not $NR_CASES"
fi

# A bad value: insmod fails with EINVAL before any case runs, the module
# is not loaded, and the kernel log names the parameter and says why.  The
# bad value comes last, after a run that would be short if it were taken.
tp_refused() {
	p=$1 v=$2 why=$3
	runs=$(tp_runs)
	if "$INSMOD" "$KO" nr_threads=1 nr_iterations=1 run_test_mask=1 \
		"$p=$v" 2>"$ERR"; then
		bad "insmod with $p=$v succeeded"
		rmmod test_textpool 2>/dev/null
	elif ! grep -q ': EINVAL ' "$ERR"; then
		bad "insmod with $p=$v failed, but not with EINVAL: $(cat "$ERR")"
	fi
	[ -d /sys/module/test_textpool ] && bad "test_textpool is loaded"
	[ "$(tp_runs)" = "$runs" ] || bad "a run started with $p=$v"
	dmesg | tail -n 5 | grep -q "test_textpool: $p=$v: " ||
		bad "no reason for $p=$v in the kernel log"
	check "insmod refuses $p=$v ($why)"
}

tp_refused nr_threads 0 "no thread"
tp_refused nr_threads 65 "more than 64 threads"
tp_refused nr_iterations 0 "no iteration"
tp_refused min_size 0 "size 0"
tp_refused max_size 2097153 "more than 2 MiB"
tp_refused min_size 4097 "min_size > max_size 4096"
tp_refused node 999 "not an online node"
tp_refused run_test_mask 0 "no case"
tp_refused fragment_node 999 "not an online node"
rm -f /tmp/test_textpool.ktap "$ERR"
ktap_finished
