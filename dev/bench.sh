#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the same workload (dev/guest/bench.sh, one static binary) on
# the three kernels a user chooses between, booted the same way in the same
# run: the pristine 6.12 base (build/linux-base), textpool
# (build/linux) and mainline 7.3 (build/linux-7.3), all three configured
# alike (tinyconfig + the same fragments, dev/kbuild.sh), in the same guest
# with 2 GiB per node (50,000 programs do not fit in 1 GiB per node on the
# base), with the same command line.  Writes out/bench.md (the table),
# out/bench.json (every raw number) and out/bench.png (gnuplot).
#
#   bench.sh            the full run (about 45 minutes on 2 cores, TCG)
#   bench.sh --report   the report again from the logs of the last run
#                       (build/bench-*.log)
#   bench.sh --smoke DIR RESULTS
#                       make check's smoke run: textpool only, small
#                       counts, the report written to DIR and validated;
#                       PASS/FAIL lines appended to RESULTS

. "$(dirname "$0")/common.sh"

export TP_GUEST_NODE_MEM=2G
if [ "${1:-}" = --smoke ]; then
	dir=$2 results=$3
	mkdir -p "$dir"
	# STEPS:CHURN:INSTANCES:KPROBES:MICROBENCHMARK (the microbenchmark
	# takes minutes under TCG: not in the smoke run)
	if TP_QUIET=1 "$TP_TOP/dev/guest.sh" "$TP_TREE" bench "$dir/bench-textpool.log" 400 \
		"tp.bench=200,400:200:4:4:0" 2>"$dir/guest.err" &&
		python3 "$TP_TOP/dev/bench_report.py" "$dir" textpool="$dir/bench-textpool.log" 2>>"$dir/guest.err" &&
		python3 "$TP_TOP/dev/bench_report.py" --validate "$dir/bench.json" >"$dir/validate.log" 2>&1 &&
		[ -s "$dir/bench.png" ] && grep -q '^| load-400 | executable 4 KiB mappings' "$dir/bench.md"; then
		echo "PASS bench: smoke run (200 and 400 programs, churn, tracing): the report is complete" >>"$results"
	else
		echo "FAIL bench: smoke run (200 and 400 programs, churn, tracing): the report is complete" >>"$results"
		tail -n 20 "$dir/guest.err" "$dir/validate.log" >&2 2>/dev/null || true
	fi
	exit 0
fi

mkdir -p "$TP_OUT"
start=$(date +%s)
logs=()
for k in base:linux-base textpool:linux mainline:linux-7.3; do
	name=${k%%:*} tree=$TP_BUILD/${k#*:}
	log=$TP_BUILD/bench-$name.log
	if [ "${1:-}" != --report ]; then
		tp_info "bench: $name ($tree)"
		TP_QUIET=1 "$TP_TOP/dev/guest.sh" "$tree" bench "$log" 2700
	fi
	[ -f "$log" ] && logs+=("$name=$log")
done
python3 "$TP_TOP/dev/bench_report.py" "$TP_OUT" "${logs[@]}"
cat "$TP_OUT/bench.md"
tp_info "bench: out/bench.md, out/bench.json, out/bench.png in $(( $(date +%s) - start )) s"
