# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's KTAP scripts (check-off.sh, check-n.sh): numbered
# results, a small workload that calls vfs_read(), and a kprobe event that
# counts its hits.  $failed is 1 once a result failed.
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
