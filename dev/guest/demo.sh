#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo workload of `make run`: a few hundred BPF programs, a few ftrace
# instances with filtered function tracers, a few kprobe events; what
# happened to kernel text is printed after each step.
NPROGS=${NPROGS:-400}
NINST=${NINST:-4}
NKPROBES=${NKPROBES:-4}
T=/sys/kernel/tracing

report() {
	echo "textpool-demo: $1: $(tp-mappings)"
	[ -d /sys/kernel/mm/textpool ] && command -v textpoolctl >/dev/null &&
		textpoolctl stats | sed 's/^/textpool-demo:     /'
	return 0
}

report "boot"

# BPF: half of the programs from each node's CPU.
mkfifo /tmp/hold0 /tmp/hold1
for node in 0 1; do
	numactl --cpunodebind=$node tp-bpf-load $((NPROGS / 2)) </tmp/hold$node >/tmp/bpf$node.out &
done
exec 3>/tmp/hold0 4>/tmp/hold1
for node in 0 1; do
	while ! grep -q loaded /tmp/bpf$node.out 2>/dev/null; do sleep 0.2; done
	echo "textpool-demo: node $node: $(cat /tmp/bpf$node.out)"
done
report "$NPROGS BPF programs"

# ftrace: instances with a filtered function tracer get a trampoline each.
# Distinct functions, the busiest first.
funcs="vfs_read ksys_read vfs_write ksys_write do_sys_openat2 vfs_statx $(grep -E '^(vfs_|ksys_|do_sys|__x64_sys_)[a-z0-9_]*$' $T/available_filter_functions | sort -u | head -n $((NINST + NKPROBES)) | tr '\n' ' ')"
i=0
for f in $funcs; do
	[ $i -ge "$NINST" ] && break
	d=$T/instances/demo$i
	mkdir $d && echo $f >$d/set_ftrace_filter && echo function >$d/current_tracer &&
		echo "textpool-demo: instance demo$i traces $f"
	i=$((i + 1))
done
cat /proc/self/status >/dev/null; ls / >/dev/null
# kprobes
i=0
for f in $funcs; do
	[ $i -ge "$NKPROBES" ] && break
	echo "p:demo_kp$i $f" >>$T/kprobe_events && echo 1 >$T/events/kprobes/demo_kp$i/enable
	i=$((i + 1))
done
cat /proc/self/status >/dev/null; ls / >/dev/null; sleep 0.1
echo "textpool-demo: kprobe hits: $(awk '{printf "%s=%s ", $1, $2}' $T/kprobe_profile)"
for d in $T/instances/demo*; do
	echo 0 >$d/tracing_on
	echo "textpool-demo: $(basename $d) recorded $(grep -vc '^#' $d/trace) events"
done
report "+ $NINST ftrace instances + $NKPROBES kprobes"

# Take everything down again.
echo 0 >$T/events/kprobes/enable 2>/dev/null
echo >$T/kprobe_events
for d in $T/instances/demo*; do
	echo nop >$d/current_tracer
	rmdir $d
done
exec 3>&- 4>&-
wait
sleep 1
report "everything removed"
