#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel stress test (mm/test_textpool.c, CONFIG_TEST_TEXTPOOL), in
# the way of selftests/mm/test_vmalloc.sh: run it with short parameters
# through /sys/module/test_textpool/parameters, report each of its cases
# from the KTAP it prints to the kernel log, check that bad parameters are
# refused with a reason, and put the parameters back.

. "$(dirname "$0")/textpool_lib.sh"

P=/sys/module/test_textpool/parameters
PARAMS="nr_threads nr_iterations min_size max_size node run_test_mask sequential"
NR_CASES=9
# Threads x operations per case: short enough for QEMU TCG with 2 vCPUs.
THREADS=4
ITERATIONS=2000

ktap_print_header

if [ ! -d "$P" ]; then
	ktap_skip_all "no $P (CONFIG_TEST_TEXTPOOL=n)"
	exit "$KSFT_SKIP"
fi

ktap_set_plan $((NR_CASES + 12))

# 1: the parameters exist and can be read.
saved=
for p in $PARAMS; do
	v=$(cat "$P/$p" 2>/dev/null) || { bad "cannot read $P/$p"; continue; }
	saved="$saved $p=$v"
done
[ -w "$P/run" ] || bad "no writable $P/run"
check "the parameters of test_textpool exist"

# Write $2 to parameter $1; the status of the write.
tp_param() {
	echo "$2" >"$P/$1" 2>/dev/null
}

# 2: a run with the short parameters, then one result per case.
tp_param max_size 4096
tp_param min_size 1
for kv in nr_threads=$THREADS nr_iterations=$ITERATIONS node=-1 \
	  run_test_mask=$(((1 << NR_CASES) - 1)) sequential=1; do
	tp_param "${kv%%=*}" "${kv#*=}" || bad "cannot set ${kv%%=*} to ${kv#*=}"
done
t0=$(date +%s)
tp_param run 1 || bad "the write to run failed"
t1=$(date +%s)
[ -z "$FAILED" ] || ktap_print_msg "parameters:$saved"
check "the stress test runs ($THREADS threads x $ITERATIONS ops, $((t1 - t0)) s)"

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

# A bad value: the write fails, the value stays, the kernel log says why.
tp_refused() {
	p=$1 v=$2 why=$3
	old=$(cat "$P/$p")
	if tp_param "$p" "$v"; then
		bad "$p=$v was taken"
	fi
	[ "$(cat "$P/$p")" = "$old" ] || bad "$p changed to $(cat "$P/$p")"
	dmesg | tail -n 5 | grep -q "test_textpool: $p=$v: " ||
		bad "no reason for $p=$v in the kernel log"
	check "$p=$v is refused ($why)"
}

tp_refused nr_threads 0 "no thread"
tp_refused nr_threads 65 "more than 64 threads"
tp_refused min_size 0 "size 0"
tp_refused max_size 2097153 "more than 2 MiB"
tp_refused min_size 4097 "min_size > max_size 4096"
tp_refused node 999 "not an online node"
tp_refused run_test_mask 0 "no case"
tp_refused nr_iterations 0 "no iteration"

# Put the parameters back.
for kv in $saved; do
	case $kv in
	max_size=*) tp_param max_size 2097152 ;;
	esac
done
for kv in $saved; do
	case $kv in
	max_size=*) ;;
	*) tp_param "${kv%%=*}" "${kv#*=}" || bad "cannot restore $kv" ;;
	esac
done
for kv in $saved; do
	case $kv in
	max_size=*) tp_param max_size "${kv#*=}" || bad "cannot restore $kv" ;;
	esac
done
now=
for p in $PARAMS; do
	now="$now $p=$(cat "$P/$p")"
done
[ "$now" = "$saved" ] || bad "parameters$now, not$saved"
check "the parameters are restored"
rm -f /tmp/test_textpool.ktap
ktap_finished
