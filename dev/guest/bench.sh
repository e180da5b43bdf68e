#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench` in the guest, the same on every kernel compared (base 6.12,
# textpool, mainline 7.3): tp-bench-load loads BPF_STEPS programs in steps
# (half from each node's CPU, one in ten classic), churns BPF_CHURN rounds
# of unload-one-load-one at each step; at the last step NINST ftrace
# instances with filtered function tracers and NKPROBES kprobe events (half
# of them off the ftrace site, to be optimized) come and go; then
# everything is unloaded.  bench-state.sh prints the state of kernel text
# after each phase.  Last, the in-kernel microbenchmark when the kernel has
# it.  dev/bench.sh reads the console.
BPF_STEPS=${BPF_STEPS:-1000,10000,50000}
BPF_CHURN=${BPF_CHURN:-10000}
NINST=${NINST:-100}
NKPROBES=${NKPROBES:-100}
MICRO=${MICRO:-1}
# tp.bench=STEPS:CHURN:INSTANCES:KPROBES:MICRO (make check's smoke run)
for arg in $(cat /proc/cmdline); do
	case $arg in
	tp.bench=*)
		# shellcheck disable=SC2046 # split on purpose
		set -- $(echo "${arg#tp.bench=}" | tr ':' ' ')
		BPF_STEPS=$1 BPF_CHURN=$2 NINST=$3 NKPROBES=$4 MICRO=$5 ;;
	esac
done
T=/sys/kernel/tracing
# Tracing comes and goes after the last phase of the last step.
trace_after=churn-${BPF_STEPS##*,}
[ "$BPF_CHURN" = 0 ] && trace_after=load-${BPF_STEPS##*,}
export T NINST NKPROBES trace_after

echo "tp-bench: kernel=$(uname -r) steps=$BPF_STEPS churn=$BPF_CHURN ninst=$NINST nkprobes=$NKPROBES mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
# The BPF predictor flush of classic programs, counted where the kernel
# wired it up (bugs.c: "Enabling IBPB for BPF"): no flush happens otherwise.
if dmesg | grep -q 'Enabling IBPB for BPF'; then
	echo 'p:tp_flush bpf_arch_ibpb' >>$T/kprobe_events &&
		echo 1 >$T/events/kprobes/tp_flush/enable ||
		echo "tp-bench: error: cannot count predictor flushes"
	echo "tp-bench: predictor flush enabled"
else
	echo "tp-bench: predictor flush not enabled on this CPU"
fi
# /proc/vmallocinfo shows real addresses to root only with kptr_restrict=1
echo 1 >/proc/sys/kernel/kptr_restrict
/tp/bench-state.sh boot
tp-bench-load "$BPF_STEPS" "$BPF_CHURN" 1 /tp/bench-phase.sh
rc=$?
# CONFIG_TEXTPOOL_BENCH=y: built in, runs (and blocks) when poked.
if [ "$MICRO" = 1 ] && [ -w /sys/module/textpool_bench/parameters/run ]; then
	echo 1 >/sys/module/textpool_bench/parameters/run
fi
exit $rc
