#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fragmented memory: test_textpool.ko fragment_node=NODE takes the free
# space of node NODE's chunks (and keeps no spare chunk), pins every other
# free 4 KiB page of the node and holds them until rmmod, so that no free
# 2 MiB page is left there.  Compaction is kept from making one again out
# of movable pages and the free pages between the pinned ones
# (vm.extfrag_threshold 1000, vm.compaction_proactiveness 0, until the
# end).  Then BPF programs and an ftrace trampoline are made from a CPU of
# that node: every load succeeds, node NODE makes no chunk (not even one of
# 4 KiB pages), the direct map is not split, and the allocations are
# served by another node's pool or by the fallback, as node NODE's
# remote_allocs and fallback_allocs show.

. "$(dirname "$0")/textpool_lib.sh"

KO=${TP_TEST_MODULE:-/modules/test_textpool.ko}
NODE=${NODE:-1}
NPROGS=${NPROGS:-64}
N=$TP/node$NODE

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -f "$KO" ] || { ktap_skip_all "no $KO (CONFIG_TEST_TEXTPOOL=m)"; exit "$KSFT_SKIP"; }
command -v numactl >/dev/null || { ktap_skip_all "no numactl"; exit "$KSFT_SKIP"; }
[ -d "$N" ] || { ktap_skip_all "no $N"; exit "$KSFT_SKIP"; }
cpu=$(cut -d, -f1 /sys/devices/system/node/node$NODE/cpulist 2>/dev/null)
cpu=${cpu%%-*}
[ -n "$cpu" ] || { ktap_skip_all "no CPU on node $NODE"; exit "$KSFT_SKIP"; }
[ "$(ls -d "$TP"/node* | wc -l)" -gt 1 ] ||
	{ ktap_skip_all "one node: nowhere else to serve node $NODE"; exit "$KSFT_SKIP"; }
[ -d /sys/module/test_textpool ] &&
	{ ktap_skip_all "test_textpool is loaded already"; exit "$KSFT_SKIP"; }
ktap_set_plan 8

INST=$T/instances/tp_fragmented
VM=/proc/sys/vm
SYSCTLS="extfrag_threshold=1000 compaction_proactiveness=0"
saved=
for kv in $SYSCTLS; do
	[ -w "$VM/${kv%%=*}" ] && saved="$saved ${kv%%=*}=$(cat "$VM/${kv%%=*}")"
done
cleanup() {
	if [ -d "$INST" ]; then
		echo nop >"$INST/current_tracer"
		rmdir "$INST"
	fi
	[ -d /sys/module/test_textpool ] && rmmod test_textpool
	for kv in $saved; do
		echo "${kv#*=}" >"$VM/${kv%%=*}"
	done
	saved=
}
trap cleanup EXIT
for kv in $SYSCTLS; do
	[ -w "$VM/${kv%%=*}" ] && echo "${kv#*=}" >"$VM/${kv%%=*}"
done

# Free blocks of 2 MiB (order 9) and more of node $1 in /proc/buddyinfo.
tp_free_2m_blocks() {
	awk -v node="$1," '$1 == "Node" && $2 == node {
		for (i = 5 + 9; i <= NF; i++) n += $i
	} END { print n + 0 }' /proc/buddyinfo
}

# The sum of node $NODE's statistics named in $@.
tp_node_sum() {
	s=0
	for f in "$@"; do
		s=$((s + $(tp_num "$N/$f")))
	done
	echo $s
}

# Chunks not mapped by one PMD, from debugfs textpool/chunks (0 without it).
pte_chunks() {
	c=/sys/kernel/debug/textpool/chunks
	if [ -r $c ]; then
		awk '!/ mapping=2M / { n++ } END { print n + 0 }' $c
	else
		echo 0
	fi
}

# Compaction and migration, from /proc/vmstat.
tp_compaction() {
	awk '$1 ~ /^(compact_(stall|success|fail)|pgmigrate_success)$/ {
		printf "%s %s ", $1, $2 }' /proc/vmstat
}

reserve0=$(tp_num "$TP/reserve_chunks")
other0=$(tp_user_allocs other)
ktap_print_msg "node $NODE before: chunks $(tp_num "$N/chunks")," \
	"free 2 MiB blocks $(tp_free_2m_blocks "$NODE")"

# 1: the module fragments the node and stays loaded.
dmesg_n=$(dmesg | wc -l)
if ! "$(dirname "$0")/insmod_once" "$KO" fragment_node="$NODE"; then
	bad "insmod $KO fragment_node=$NODE failed"
elif [ ! -d /sys/module/test_textpool ]; then
	bad "test_textpool is not loaded"
fi
dmesg | tail -n +$((dmesg_n + 1)) | sed -n 's/.*test_textpool: //p' | while read -r line; do
	ktap_print_msg "$line"
done
check "test_textpool fragment_node=$NODE fragments node $NODE"
if [ ! -d /sys/module/test_textpool ]; then
	ktap_print_msg "nothing to test without the fragmented node"
	ktap_finished
	exit
fi

# 2: the kernel's view agrees.
left=$(tp_free_2m_blocks "$NODE")
[ "$left" -eq 0 ] && ktap_test_pass "no free 2 MiB page on node $NODE in /proc/buddyinfo" ||
	ktap_test_fail "no free 2 MiB page on node $NODE in /proc/buddyinfo ($left left)"

chunks0=$(tp_num "$N/chunks")
served0=$(tp_node_sum remote_allocs fallback_allocs)
grow0=$(tp_num "$N/grow_failures")
fbchunks0=$(pte_chunks)
l20=$(tp_l2_splits)
comp0=$(tp_compaction)

# 3: BPF programs from node $NODE's CPU, the first 4 of them long.
out=$("$(dirname "$0")/fault_load" -n "$NPROGS" -b 4 -c "$cpu")
ktap_print_msg "fault_load on CPU $cpu: $out"
[ "$out" = "loaded $NPROGS failed 0" ] || bad "not every program loaded"
check "$NPROGS BPF programs load on node $NODE's CPU"

# 4: an ftrace trampoline from node $NODE's CPU.
ftrace0=$(tp_user_allocs ftrace)
f=$(tp_functions | head -n 1)
if [ -z "$f" ] || [ ! -d "$T/instances" ]; then
	bad "no traceable function or no $T/instances"
elif ! numactl --cpunodebind="$NODE" sh -c "mkdir '$INST' &&
	echo 64 >'$INST/buffer_size_kb' && echo '$f' >'$INST/set_ftrace_filter' &&
	echo function >'$INST/current_tracer'"; then
	bad "the tracing instance could not be set up"
else
	ktap_print_msg "tracing $f"
	tp_workload
	[ "$(tp_user_allocs ftrace)" -gt "$ftrace0" ] ||
		bad "users/ftrace allocations $ftrace0 -> $(tp_user_allocs ftrace)"
	[ "$(tp_instance_entries "$INST")" -gt 0 ] || bad "the instance recorded nothing"
fi
check "an ftrace trampoline is made on node $NODE's CPU and traces"

# 5, 6: served elsewhere; node $NODE made no chunk, not even of 4 KiB pages.
chunks1=$(tp_num "$N/chunks")
served1=$(tp_node_sum remote_allocs fallback_allocs)
grow1=$(tp_num "$N/grow_failures")
fbchunks1=$(pte_chunks)
ktap_print_msg "node $NODE: chunks $chunks0 -> $chunks1, grow_failures $grow0 -> $grow1"
ktap_print_msg "compaction: $comp0-> $(tp_compaction)"
ktap_print_msg "node $NODE: remote_allocs + fallback_allocs $served0 -> $served1" \
	"(remote $(tp_num "$N/remote_allocs"), fallback $(tp_num "$N/fallback_allocs"))"
[ "$served1" -gt "$served0" ] ||
	bad "no allocation of node $NODE was served by another node or the fallback"
[ "$grow1" -gt "$grow0" ] || bad "node $NODE never failed to grow"
check "node $NODE's allocations are served by another node's pool or the fallback"
[ "$chunks1" -le "$chunks0" ] || bad "node $NODE made $((chunks1 - chunks0)) chunks"
[ "$fbchunks1" -eq "$fbchunks0" ] || bad "chunks of 4 KiB pages $fbchunks0 -> $fbchunks1"
check "no new chunk on node $NODE, no chunk of 4 KiB pages"

# 7: the direct map is not split.
tp_test_l2_unchanged "$l20"

# 8: rmmod gives everything back.
echo nop >"$INST/current_tracer" 2>/dev/null
rmdir "$INST" 2>/dev/null
rmmod test_textpool || bad "rmmod test_textpool failed"
[ -d /sys/module/test_textpool ] && bad "test_textpool is still loaded"
[ "$(tp_num "$TP/reserve_chunks")" -eq "$reserve0" ] ||
	bad "reserve_chunks $(tp_num "$TP/reserve_chunks"), was $reserve0"
tp_wait_le "$TP/users/other/allocations" "$other0" ||
	bad "users/other allocations $(tp_user_allocs other), were $other0"
check "rmmod test_textpool gives the pages and the chunks' space back"
ktap_finished
