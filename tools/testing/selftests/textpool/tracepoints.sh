#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tracepoints of textpool (include/trace/events/textpool.h), read
# through tracefs as perf, trace-cmd and bpftrace users would: the six
# events are there with their fields; BPF programs loaded and closed give a
# textpool_alloc and a textpool_free per allocation and free (as many as
# alloc_total and free_total count); a node that grows and, with
# reserve_chunks=0, shrinks again gives textpool_chunk_map and
# textpool_chunk_unmap; freed space is refilled (textpool_refill); with
# enabled=0, each allocation gives a textpool_fallback with cause=disabled,
# without an address for BPF (which falls back to its bpf_prog_pack), with
# the execmem page's for an ftrace trampoline.  Run as root.

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/textpool_lib.sh

HELPER=$DIR/sysfs_helper
EVENTS="textpool_alloc textpool_free textpool_chunk_map textpool_chunk_unmap
textpool_fallback textpool_refill"
INST=$T/instances/textpool_tracepoints
BIG_INSNS=40000
CPU=0
HOLD_PID=
HOLD_OUT=

ktap_print_header

tp_need_root_textpool
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
if [ ! -d "$T/events/textpool" ]; then
	ktap_skip_all "no $T/events/textpool: no tracefs or no event tracing"
	exit "$KSFT_SKIP"
fi
[ -x "$HELPER" ] || ktap_exit_fail_msg "$HELPER is missing"

ktap_set_plan 5

NODE=$(ls -d /sys/devices/system/cpu/cpu$CPU/node* 2>/dev/null | head -n 1)
NODE=${NODE##*/node}
[ -n "$NODE" ] || NODE=0
ORIG_ENABLED=$(cat $TP/enabled)
ORIG_RESERVE=$(cat $TP/reserve_chunks)
ORIG_MAX=$(cat $TP/max_chunks)

cleanup() {
	hold_stop
	echo "$ORIG_ENABLED" >$TP/enabled
	echo "$ORIG_MAX" >$TP/max_chunks
	echo "$ORIG_RESERVE" >$TP/reserve_chunks
	if [ -d "$INST" ]; then
		echo 0 >"$INST/events/textpool/enable" 2>/dev/null
		rmdir "$INST" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

st() {
	cat $TP/$1
}

# wait_stat FILE MIN: wait up to 30 s until stats FILE is MIN or more.
wait_stat() {
	local i=0
	while [ "$(st "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le 300 ] || { bad "$1 is $(st "$1"), want $2 or more"; return 1; }
		sleep 0.1
	done
}

# events NAME [REGEX]: the lines of event NAME in the trace, that match REGEX
events() {
	grep -E " $1: ${2:-}" "$TMP_TRACE"
}

count() {
	events "$@" | wc -l
}

# --- 1: the events and their fields ---------------------------------------

for e in $EVENTS; do
	f=$T/events/textpool/$e/format
	if [ ! -r "$f" ]; then
		bad "no $f"
		continue
	fi
	case $e in
	textpool_alloc) fields="addr size bytes nid user" ;;
	textpool_free) fields="addr bytes nid user fallback" ;;
	textpool_chunk_*) fields="start nid chunks" ;;
	textpool_fallback) fields="addr size nid user cause" ;;
	textpool_refill) fields="nid extents bytes failed" ;;
	esac
	for x in $fields; do
		grep -q -E "field:[^;]* $x;" "$f" || bad "$e: no field $x in its format"
	done
done
grep -q '"disabled"' $T/events/textpool/textpool_fallback/format ||
	bad "textpool_fallback does not print its cause by name"
grep -q '"bpf"' $T/events/textpool/textpool_alloc/format ||
	bad "textpool_alloc does not print its user by name"
check "tracefs: events/textpool/ has the six events with their fields"

# --- record -----------------------------------------------------------------

mkdir "$INST" || ktap_exit_fail_msg "cannot make the tracing instance $INST"
echo 8192 >"$INST/buffer_size_kb"
echo 1 >"$INST/events/textpool/enable"
TMP_TRACE=$(mktemp)

echo 1 >$TP/enabled
echo 0 >$TP/max_chunks
# No empty chunk kept: a chunk that empties is unmapped at once.
echo 0 >$TP/reserve_chunks
a0=$(st stats/alloc_total)
f0=$(st stats/free_total)
d0=$(st node$NODE/fallback_disabled)
c0=$(st node$NODE/chunks)

# One big program, to know its size; then as many as it takes to make node
# $NODE map a new chunk.
b0=$(st users/bpf/allocated_bytes)
PROG=
if hold_start 1 $BIG_INSNS; then
	PROG=$(( $(st users/bpf/allocated_bytes) - b0 ))
	hold_stop
fi
[ -n "$PROG" ] && [ "$PROG" -gt 0 ] || PROG=$((BIG_INSNS * 4))
count=$(( $(st node$NODE/free_bytes) / PROG + 2 ))
ktap_print_msg "node $NODE: $c0 chunks, $(st node$NODE/free_bytes) bytes free;" \
	"$count programs of $PROG bytes"
if hold_start $count $BIG_INSNS; then
	c1=$(st node$NODE/chunks)
	ktap_print_msg "node $NODE: $c1 chunks with them loaded"
	[ "$c1" -gt "$c0" ] || bad "node $NODE did not grow ($c0 -> $c1 chunks)"
	ft=$(st stats/free_total)
	hold_stop
	wait_stat stats/free_total $((ft + count))
fi
# The emptied chunk goes at once; wait for the refill of the rest.
i=0
while [ "$(st node$NODE/chunks)" -gt "$c0" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5

# A refill: small programs closed in a chunk that stays (a reserve of one).
echo 1 >$TP/reserve_chunks
ft=$(st stats/free_total)
"$HELPER" bpf-load $CPU 8 2 >/dev/null || bad "BPF loads failed"
wait_stat stats/free_total $((ft + 8))
sleep 0.5

# Fallbacks: enabled=0.  Two small BPF programs loaded and closed: BPF
# falls back to its own bpf_prog_pack, so their events carry no address;
# and an ftrace instance whose trampoline takes an execmem page.
ft=$(st stats/free_total)
echo 0 >$TP/enabled
"$HELPER" bpf-load $CPU 2 2 >/dev/null || bad "BPF loads failed with enabled=0"
FB=$T/instances/tp_tracepoints_fb
mkdir "$FB" && echo "$(tp_functions | head -n 1)" >"$FB/set_ftrace_filter" &&
	numactl --cpunodebind="$NODE" sh -c "echo function >$FB/current_tracer" ||
	bad "no ftrace instance with a function tracer"
echo 1 >$TP/enabled
d1=$(st node$NODE/fallback_disabled)
echo nop >"$FB/current_tracer"
rmdir "$FB"
wait_stat stats/free_total $((ft + 1))
sleep 0.5
echo 0 >"$INST/events/textpool/enable"
a1=$(st stats/alloc_total)
f1=$(st stats/free_total)
cat "$INST/trace" >"$TMP_TRACE"
ktap_print_msg "$(grep -c ': textpool_' "$TMP_TRACE") events; alloc_total $a0 -> $a1," \
	"free_total $f0 -> $f1"
events textpool_alloc | head -n 2 | while read -r l; do ktap_print_msg "$l"; done
grep -q 'LOST EVENTS' "$TMP_TRACE" && bad "the trace lost events"

# --- 2: alloc and free --------------------------------------------------------

n_alloc=$(count textpool_alloc)
n_fb=$(events textpool_fallback | grep -c -v -E 'addr=(\(null\)|0+) ')
n_free=$(count textpool_free)
[ $((n_alloc + n_fb)) = $((a1 - a0)) ] ||
	bad "$n_alloc textpool_alloc + $n_fb textpool_fallback, alloc_total rose by $((a1 - a0))"
[ "$n_free" = $((f1 - f0)) ] || bad "$n_free textpool_free, free_total rose by $((f1 - f0))"
n=$(count textpool_alloc "addr=[^ ]+ size=[0-9]+ bytes=[0-9]+ nid=$NODE user=bpf$")
[ "$n" -ge "$count" ] ||
	bad "fewer than $count textpool_alloc of user bpf on node $NODE"
n=$(count textpool_free "addr=[^ ]+ bytes=[0-9]+ nid=$NODE user=bpf fallback=0$")
[ "$n" -ge "$count" ] ||
	bad "fewer than $count textpool_free of user bpf on node $NODE"
events textpool_alloc | sed 's/.* size=\([0-9]*\) bytes=\([0-9]*\) .*/\1 \2/' |
	awk '$2 % 64 || $1 > $2 || $2 - $1 >= 64 { print; bad = 1 } END { exit bad }' >/dev/null ||
	bad "a textpool_alloc whose bytes are not its size rounded up to 64"
check "textpool_alloc and textpool_free: one per allocation and free of the pools"

# --- 3: chunk map and unmap ---------------------------------------------------

n_map=$(count textpool_chunk_map "start=[^ ]+ nid=$NODE chunks=[0-9]+$")
n_unmap=$(count textpool_chunk_unmap "start=[^ ]+ nid=$NODE chunks=[0-9]+$")
ktap_print_msg "node $NODE: $n_map textpool_chunk_map, $n_unmap textpool_chunk_unmap"
[ "$n_map" -ge 1 ] || bad "no textpool_chunk_map on node $NODE when it grew"
[ "$n_unmap" -ge 1 ] || bad "no textpool_chunk_unmap on node $NODE with reserve_chunks=0"
last=$(grep -E " textpool_chunk_(map|unmap): .* nid=$NODE " "$TMP_TRACE" | tail -n 1 |
	sed 's/.* chunks=//')
[ "$last" = "$(st node$NODE/chunks)" ] ||
	bad "the last chunk event of node $NODE says $last chunks," \
		"node$NODE/chunks $(st node$NODE/chunks)"
check "textpool_chunk_map and textpool_chunk_unmap: a node grows and shrinks"

# --- 4: refill ------------------------------------------------------------------

[ "$(count textpool_refill "nid=[0-9]+ extents=[1-9][0-9]* bytes=[1-9][0-9]* failed=0$")" -ge 1 ] ||
	bad "no textpool_refill of freed space"
check "textpool_refill: freed space is refilled with INT3"

# --- 5: fallback with its cause -------------------------------------------------

n=$(count textpool_fallback "addr=[^ ]+ size=[0-9]+ nid=$NODE user=[a-z]+ cause=disabled$")
[ "$n" = $((d1 - d0)) ] && [ "$n" -ge 3 ] ||
	bad "$n textpool_fallback cause=disabled, fallback_disabled rose by $((d1 - d0))"
NOADDR='addr=(\(null\)|0+) '
n=$(count textpool_fallback "${NOADDR}size=[0-9]+ nid=$NODE user=bpf cause=disabled$")
[ "$n" -ge 2 ] ||
	bad "BPF's fallbacks (to bpf_prog_pack) are not textpool_fallback without an address"
n=$(events textpool_fallback "addr=[^ ]+ size=[0-9]+ nid=$NODE user=ftrace cause=disabled$" |
	grep -c -v -E "$NOADDR")
[ "$n" -ge 1 ] || bad "the trampoline's fallback is not a textpool_fallback with its address"
[ "$(count textpool_fallback "cause=(large|early|limit|nomem)$")" = 0 ] ||
	bad "textpool_fallback of another cause:" \
		"$(events textpool_fallback | grep -v disabled | head -n 1)"
[ "$(count textpool_free "addr=[^ ]+ bytes=[0-9]+ nid=$NODE user=ftrace fallback=1$")" -ge 1 ] ||
	bad "the free of the fallback allocation is not a textpool_free with fallback=1"
[ "$(count textpool_free "addr=[^ ]+ bytes=[0-9]+ nid=[0-9]+ user=bpf fallback=1$")" = 0 ] ||
	bad "a textpool_free of a BPF fallback: BPF's fallbacks are bpf_prog_pack's"
check "textpool_fallback: with enabled=0, each allocation with cause=disabled"

rm -f "$TMP_TRACE"
ktap_finished
