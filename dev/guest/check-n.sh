#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest mode check-n: the kernel built from the whole series with
# CONFIG_TEXTPOOL=n.  Its users behave as on the base kernel: BPF programs
# share bpf_prog_pack's packs (one pack is 2 MiB per node, mapped with
# 4 KiB pages, however many small programs it holds, and is freed with its
# last program), a dynamic ftrace trampoline takes a 4 KiB page of its own,
# kprobes fire.  It also runs the workload of the base figures, which make
# check compares with the textpool=off boot's.  KTAP on the console.
. /tp/ktap-lib.sh

echo "KTAP version 1"
echo "1..9"
[ ! -e /sys/kernel/mm/textpool ]
result $? "CONFIG_TEXTPOOL=n: no /sys/kernel/mm/textpool"
! grep -q ' textpool_alloc$' /proc/kallsyms
result $? "CONFIG_TEXTPOOL=n: no textpool code in the kernel"
base_figures

pack_checks

d=$T/instances/tp_n
mkdir $d && echo vfs_read >$d/set_ftrace_filter
m0=$(x4k)
echo function >$d/current_tracer
m1=$(x4k)
workload
hits=$(cat $d/per_cpu/cpu*/stats | awk '$1 == "entries:" { n += $2 } END { print n + 0 }')
[ "$hits" -gt 0 ]
result $? "a filtered function tracer records hits ($hits)"
[ $((m1 - m0)) = 1 ]
result $? "its trampoline takes a 4 KiB page of its own ($m0 -> $m1)"
echo nop >$d/current_tracer
rmdir $d

kp=$(kprobe_hits tp_n_kp)
[ "$kp" -gt 0 ]
result $? "a kprobe event fires ($kp hits)"

exit $failed
