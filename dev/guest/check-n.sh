#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest mode check-n: the kernel built from the whole series with
# CONFIG_TEXTPOOL=n.  Its users behave as on the base kernel: BPF programs
# share bpf_prog_pack's packs (one pack is 2 MiB per node, mapped with
# 4 KiB pages, however many small programs it holds, and is freed with its
# last program), a dynamic ftrace trampoline takes a 4 KiB page of its own,
# kprobes fire.  KTAP on the console.
. /tp/ktap-lib.sh
x4k() { tp-mappings | sed -n 's/^x4k=\([0-9]*\) .*/\1/p'; }
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
pack=$((nodes * 512))

echo "KTAP version 1"
echo "1..8"
[ ! -e /sys/kernel/mm/textpool ]
result $? "CONFIG_TEXTPOOL=n: no /sys/kernel/mm/textpool"
! grep -q ' textpool_alloc$' /proc/kallsyms
result $? "CONFIG_TEXTPOOL=n: no textpool code in the kernel"

m0=$(x4k)
mkfifo /tmp/hold
tp-bpf-load 200 </tmp/hold >/tmp/bpf.out 2>&1 &
pid=$!
exec 3>/tmp/hold
i=0
while ! grep -q '^loaded' /tmp/bpf.out && kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
sed 's/^/# /' /tmp/bpf.out
grep -q 'the last returned 1199 (expected 1199)' /tmp/bpf.out
result $? "200 BPF programs load and run"
m1=$(x4k)
[ $((m1 - m0)) = $pack ]
result $? "the 200 programs share one bpf_prog_pack: $pack executable 4 KiB mappings ($m0 -> $m1)"
exec 3>&-
wait $pid
# Programs are freed from a work item after an RCU grace period.
i=0
while [ "$(x4k)" != "$m0" ] && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
m2=$(x4k)
[ "$m2" = "$m0" ]
result $? "the pack is freed with its last program ($m1 -> $m2)"

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
