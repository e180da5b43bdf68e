#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest mode check-n: the kernel built from the whole series with
# CONFIG_TEXTPOOL=n.  Its users behave as on the base kernel: BPF programs
# share bpf_prog_pack's packs (one pack is 2 MiB per node, mapped with
# 4 KiB pages, however many small programs it holds, and is freed with its
# last program), a dynamic ftrace trampoline takes a 4 KiB page of its own,
# kprobes fire.  KTAP on the console.
T=/sys/kernel/tracing
n=0
failed=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}
x4k() { tp-mappings | sed -n 's/^x4k=\([0-9]*\) .*/\1/p'; }
workload() {
	for i in 1 2 3 4 5; do
		cat /proc/self/status >/dev/null
		ls / >/dev/null
		sleep 0.01
	done
}
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

echo 'p:tp_n_kp vfs_read+9' >>$T/kprobe_events 2>/dev/null ||
	echo 'p:tp_n_kp vfs_read+5' >>$T/kprobe_events
echo 1 >$T/events/kprobes/tp_n_kp/enable
workload
kp=$(awk '$1 == "tp_n_kp" { print $2 }' $T/kprobe_profile)
[ "${kp:-0}" -gt 0 ]
result $? "a kprobe event fires (${kp:-0} hits)"
echo 0 >$T/events/kprobes/tp_n_kp/enable
echo '-:tp_n_kp' >>$T/kprobe_events

exit $failed
