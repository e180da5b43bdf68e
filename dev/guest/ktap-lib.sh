# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's KTAP scripts (check-off.sh, check-n.sh): numbered
# results, a small workload that calls vfs_read(), a kprobe event that
# counts its hits, the workload of shared/baseline-6.12.md whose figures
# make check compares between the two boots, and the bpf_prog_pack checks.
# $failed is 1 once a result failed.
T=/sys/kernel/tracing
n=0
failed=0

# result STATUS DESCRIPTION: one KTAP result line.
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

workload() {
	for i in 1 2 3 4 5; do
		cat /proc/self/status >/dev/null
		ls / >/dev/null
		sleep 0.01
	done
}

# kprobe_hits NAME: hits of a kprobe event NAME inside vfs_read() (an
# offset that is an instruction boundary on this build) over the workload;
# the event is removed again.
kprobe_hits() {
	local hits
	echo "p:$1 vfs_read+9" >>$T/kprobe_events 2>/dev/null ||
		echo "p:$1 vfs_read+5" >>$T/kprobe_events
	echo 1 >$T/events/kprobes/$1/enable
	workload
	hits=$(awk -v e="$1" '$1 == e { print $2 }' $T/kprobe_profile)
	echo 0 >$T/events/kprobes/$1/enable
	echo "-:$1" >>$T/kprobe_events
	echo "${hits:-0}"
}

x4k() { tp-mappings | sed -n 's/^x4k=\([0-9]*\) .*/\1/p'; }

# base_figures: the workload of shared/baseline-6.12.md (2,000 BPF
# programs, half from each node, 40 ftrace instances, 40 kprobe events, all
# removed again), with the "textpool-demo: STEP: x4k=..." lines make check
# compares between the textpool=off and the CONFIG_TEXTPOOL=n boots.
base_figures() {
	NPROGS=2000 NINST=40 NKPROBES=40 /tp/demo.sh >/tmp/figures.out 2>&1
	result $? "the workload of the base figures runs"
	grep 'textpool-demo: [^:]*: x4k=' /tmp/figures.out
}

# pack_checks: 200 small BPF programs share one bpf_prog_pack, 2 MiB per
# node mapped with 4 KiB pages, freed with its last program: 3 results.
pack_checks() {
	local nodes pack m0 m1 m2 pid i

	nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
	pack=$((nodes * 512))
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
	rm -f /tmp/hold
	# Programs are freed from a work item after an RCU grace period.
	i=0
	while [ "$(x4k)" != "$m0" ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	m2=$(x4k)
	[ "$m2" = "$m0" ]
	result $? "the pack is freed with its last program ($m1 -> $m2)"
}
