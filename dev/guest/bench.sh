#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench` in the guest: the workload of shared/baseline-6.12.md (2,000
# BPF programs, 40 ftrace instances, 40 kprobe events, then all removed)
# with the counts after each step, then the in-kernel microbenchmark when
# the kernel has it.  The host compares base and textpool kernels.
NPROGS=2000 NINST=40 NKPROBES=40 /tp/demo.sh
# CONFIG_TEXTPOOL_BENCH=y: built in, runs (and blocks) when poked.
if [ -w /sys/module/textpool_bench/parameters/run ]; then
	echo 1 >/sys/module/textpool_bench/parameters/run
fi
