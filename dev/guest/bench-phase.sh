#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench-phase.sh PHASE: called by tp-bench-load after each phase, with the
# programs still loaded.  After the last phase of the last step
# ($trace_after, from bench.sh), ftrace instances and kprobe events come
# and go (phases "tracing" and "untraced").
phase=$1
# Frees of BPF programs wait for an RCU grace period and run from a work
# item: with tens of thousands of them under TCG that takes many seconds,
# and a bpf_prog_pack (or an execmem cache block) leaves the Modules area
# only with the last program in it, so that area alone can stand still
# for seconds while frees go on.  Each program's struct bpf_prog is
# vmalloc()ed (bpf_prog_alloc_no_stats, bpf_prog_realloc) and vfree()d as
# its image is freed: read the state once neither those nor the Modules
# area changed for 4 s (300 s at most).
sig() {
	awk '/^0xffffffff[c-f]/ || / bpf_prog_(alloc_no_stats|realloc)\+/' /proc/vmallocinfo | md5sum
}
settle() {
	local a b i=0 same=0
	b=$(sig)
	while [ $i -lt 150 ] && [ $same -lt 2 ]; do
		sleep 2
		a=$b
		b=$(sig)
		if [ "$a" = "$b" ]; then
			same=$((same + 1))
		else
			same=0
		fi
		i=$((i + 1))
	done
	[ $same -ge 2 ] || echo "tp-bench: error: text still changing after 300 s"
}
settle
/tp/bench-state.sh "$phase"
[ "$phase" = "${trace_after:?}" ] || exit 0

t0=$(date +%s)
# Syscall entry points: distinct, rarely called functions.
funcs=$(grep -E '^__x64_sys_[a-z0-9_]*$' $T/available_filter_functions | sort -u | head -n $((NINST + NKPROBES)))
i=0
for f in $funcs; do
	[ $i -ge "$NINST" ] && break
	d=$T/instances/bench$i
	mkdir $d && echo $f >$d/set_ftrace_filter && echo function >$d/current_tracer ||
		echo "tp-bench: error: instance $i on $f"
	i=$((i + 1))
done
ninst=$i
# kprobes: half at function entry (on the ftrace site), half a few
# instructions in, where the kernel optimizes them into a jump.
i=0 k=0
for f in $funcs; do
	k=$((k + 1))
	[ $k -le "$NINST" ] && continue
	[ $i -ge "$NKPROBES" ] && break
	if [ $((i % 2)) = 0 ]; then
		echo "p:bench_kp$i $f" >>$T/kprobe_events 2>/dev/null || continue
	else
		ok=
		for off in 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
			echo "p:bench_kp$i $f+$off" >>$T/kprobe_events 2>/dev/null && ok=1 && break
		done
		[ -n "$ok" ] || continue
	fi
	echo 1 >$T/events/kprobes/bench_kp$i/enable
	i=$((i + 1))
done
nkp=$i
# Optimization runs from a delayed work (5 jiffies), then waits for RCU.
sleep 3
echo "tp-bench: tracing instances=$ninst kprobes=$nkp setup_s=$(($(date +%s) - t0))"
[ "$ninst" = "$NINST" ] && [ "$nkp" = "$NKPROBES" ] ||
	echo "tp-bench: error: wanted $NINST instances and $NKPROBES kprobes"
/tp/bench-state.sh tracing
for d in $T/instances/bench*; do
	[ -d "$d" ] || continue
	echo nop >$d/current_tracer
	rmdir "$d"
done
i=0
while [ $i -lt "$nkp" ]; do
	echo 0 >$T/events/kprobes/bench_kp$i/enable
	echo "-:bench_kp$i" >>$T/kprobe_events
	i=$((i + 1))
done
settle
/tp/bench-state.sh untraced
