#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The ABI of /sys/kernel/mm/textpool (Documentation/ABI/testing/
# sysfs-kernel-mm-textpool): every file with its mode, strict parsing of the
# tunables (bad input rejected with the right errno and the value kept),
# writes need CAP_SYS_ADMIN, and the tunables take effect: enabled=0 sends
# new allocations to the fallback, max_chunks bounds a node's chunks,
# max_total_chunks those of all nodes together, reserve_chunks keeps empty
# chunks mapped, and the fallbacks are counted by cause. Allocations are made
# by loading BPF socket filters with sysfs_helper (raw bpf() syscall), and
# by ftrace instances for the live fallback gauges (BPF falls back to its
# own bpf_prog_pack). Run as root.

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/textpool_lib.sh

TP=/sys/kernel/mm/textpool
HELPER=$DIR/sysfs_helper
STATS="chunks allocations allocated_bytes requested_bytes free_bytes largest_free
alloc_total free_total alloc_failures fallback_allocs fallback_large
fallback_disabled fallback_early fallback_limit fallback_nomem
fallback_allocations fallback_allocated_bytes remote_allocs grow_failures
shrunk_chunks bad_frees wrong_user"
# fallback_allocs by cause: each fallback is counted under one of them.
CAUSES="fallback_large fallback_disabled fallback_early fallback_limit
fallback_nomem"
TUNABLES="enabled reserve_chunks max_chunks max_total_chunks"
USERS="bpf ftrace kprobes modules"
CHUNK=2097152
# Instructions of the big BPF programs: about 6 bytes of x86 code each.
BIG_INSNS=40000
CPU=0
HOLD_PID=
HOLD_OUT=

ktap_print_header

tp_need_root_textpool
[ -x "$HELPER" ] || ktap_exit_fail_msg "$HELPER is missing"

# The nodes that have memory, from a list such as 0-1,3.
expand_list() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r a b; do
		[ -n "$a" ] || continue
		seq "$a" "${b:-$a}"
	done
}
NODES=$(expand_list "$(cat /sys/devices/system/node/has_memory 2>/dev/null || echo 0)")
NR_NODES=$(echo "$NODES" | wc -w)
NODE=$(ls -d /sys/devices/system/cpu/cpu$CPU/node* 2>/dev/null | head -n 1)
NODE=${NODE##*/node}
[ -n "$NODE" ] || NODE=$(echo "$NODES" | head -n 1)

# 26 tests + one per node directory.
ktap_set_plan $((26 + NR_NODES))

ORIG_ENABLED=$(cat $TP/enabled)
ORIG_RESERVE=$(cat $TP/reserve_chunks)
ORIG_MAX=$(cat $TP/max_chunks)
ORIG_TOTAL=$(cat $TP/max_total_chunks)

cleanup() {
	hold_stop
	"$HELPER" write $TP/enabled "$ORIG_ENABLED" >/dev/null
	"$HELPER" write $TP/max_chunks "$ORIG_MAX" >/dev/null
	"$HELPER" write $TP/max_total_chunks "$ORIG_TOTAL" >/dev/null
	"$HELPER" write $TP/reserve_chunks "$ORIG_RESERVE" >/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# set NAME VALUE: a write that must succeed and read back as VALUE.
set_ok() {
	local res

	res=$("$HELPER" write "$TP/$1" "$2")
	[ "$res" = OK ] || bad "$1: writing '$2' gave $res, want OK"
}

# expect NAME VALUE ERRNO...: a write that must fail with one of ERRNO and
# leave the value as it was.
expect() {
	local name=$1 val=$2 before after res e shown
	shift 2

	before=$(cat "$TP/$name")
	res=$("$HELPER" write "$TP/$name" "$val")
	after=$(cat "$TP/$name")
	for e in "$@"; do
		[ "$res" = "$e" ] && break
	done
	shown=$(printf '%s' "$val" | cut -c1-40)
	[ "$res" = "$e" ] || bad "$name: writing '$shown' gave $res, want $*"
	[ "$before" = "$after" ] ||
		bad "$name: writing '$shown' changed it from $before to $after"
}

# check_list DIR NAME...: DIR holds NAME... and nothing else.
check_list() {
	local dir=$1 want got
	shift

	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(ls "$dir" 2>/dev/null | sort | tr '\n' ' ')
	[ "$want" = "$got" ] || bad "$dir holds '$got', want '$want'"
}

# check_files DIR MODE NAME...: DIR holds NAME..., each with mode MODE
# (dir: a 0755 directory); check_exact: and nothing else.
check_exact() {
	local dir=$1 mode=$2
	shift 2

	check_list "$dir" "$@"
	check_files "$dir" "$mode" "$@"
}

check_files() {
	local dir=$1 mode=$2 f m
	shift 2

	for f in "$@"; do
		if [ ! -e "$dir/$f" ]; then
			bad "$dir/$f is missing"
			continue
		fi
		m=$(stat -c %a "$dir/$f")
		case $mode in
		dir)	[ -d "$dir/$f" ] && [ "$m" = 755 ] ||
				bad "$dir/$f: not a 0755 directory ($m)" ;;
		*)	[ -f "$dir/$f" ] && [ "$m" = "$mode" ] ||
				bad "$dir/$f: mode $m, want $mode" ;;
		esac
	done
}

# A string of N copies of C.
repeat() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# --- files and modes --------------------------------------------------------

node_dirs=
for n in $NODES; do
	node_dirs="$node_dirs node$n"
done
check_list $TP $TUNABLES chunk_size slot_size max_chunks_limit stats users $node_dirs
check_files $TP dir stats users $node_dirs
check_files $TP 644 $TUNABLES
check_files $TP 444 chunk_size slot_size max_chunks_limit
check "top level: tunables 0644, constants 0444, one nodeN/ per node with memory ($NODES)"

check_exact $TP/stats 444 $STATS
check "stats/: the 22 statistics, 0444"

for n in $NODES; do
	check_exact $TP/node$n 444 $STATS
	check "node$n/: the 22 statistics, 0444"
done

check_exact $TP/users dir $USERS
for u in $USERS; do
	check_exact $TP/users/$u 444 allocations allocated_bytes
done
check "users/{bpf,ftrace,kprobes,modules}/: allocations and allocated_bytes, 0444"

# --- read-only files --------------------------------------------------------

[ "$(cat $TP/chunk_size)" = $CHUNK ] || bad "chunk_size is $(cat $TP/chunk_size)"
[ "$(cat $TP/slot_size)" = 64 ] || bad "slot_size is $(cat $TP/slot_size)"
for f in $TP/stats/* $TP/node*/* $TP/users/*/*; do
	grep -q -x -E '[0-9]+' "$f" || bad "$f does not hold a number: $(cat "$f")"
done
check "constants: chunk_size=$CHUNK slot_size=64; statistics are numbers"

for f in chunk_size slot_size max_chunks_limit stats/chunks stats/fallback_allocs \
	 stats/fallback_allocations node$NODE/fallback_allocated_bytes \
	 stats/fallback_limit node$NODE/alloc_total node$NODE/remote_allocs \
	 node$NODE/wrong_user stats/shrunk_chunks node$NODE/shrunk_chunks \
	 users/bpf/allocations; do
	expect "$f" 1 EACCES EPERM EIO
	expect "$f" 0 EACCES EPERM EIO
done
check "writes to constants and statistics fail"

# --- enabled ----------------------------------------------------------------

for v in 0 1 n y off on '0\n' '1\n' 'n\n' 'y\n' 'off\n' 'on\n'; do
	set_ok enabled "$v"
	want=1
	case $v in 0*|n*|off*) want=0 ;; esac
	[ "$(cat $TP/enabled)" = $want ] || bad "enabled: wrote '$v', reads $(cat $TP/enabled)"
done
check "enabled accepts exactly 0 1 n y off on, with or without a newline"

for start in 0 1; do
	set_ok enabled $start
	for v in 1x 0x yes no true false Y N ON OFF On o of onn offf 2 10 00 \
		 -1 -0 +1 ' 1' '1 ' ' ' '\n' '\n\n' '1\n\n' '1\0' '\0' 'on\0' \
		 '0x1' 1.0 "$(repeat 40 0)1" "$(repeat 4000 1)"; do
		expect enabled "$v" EINVAL
	done
	expect enabled "$(repeat 5000 1)" EINVAL E2BIG
	[ "$(cat $TP/enabled)" = $start ] || bad "enabled is $(cat $TP/enabled), want $start"
done
set_ok enabled 1
check "enabled rejects anything else with EINVAL and keeps its value"

# --- numbers: reserve_chunks, max_chunks and max_total_chunks -----------------

# bad_numbers NAME: what no unsigned decimal tunable accepts.
bad_numbers() {
	local v

	for v in -1 -0 abc 1x 0x1 0x10 '1 ' ' 1' '1\t' '\t1' '+-1' '--1' 1.0 \
		 1e3 '1,0' '\n' '\n\n' '1\n\n' '\n1' '1\0' '\0' '1\02' ' ' \
		 "$(repeat 40 0)1" "$(repeat 33 0)" "$(repeat 4000 0)"; do
		expect "$1" "$v" EINVAL
	done
	expect "$1" "$(repeat 5000 0)" EINVAL E2BIG
	for v in 4294967296 18446744073709551615 18446744073709551616 \
		 99999999999999999999 "$(repeat 32 9)"; do
		expect "$1" "$v" ERANGE
	done
}

for v in 0 64 '5\n' 1 '+2' 00000000000000000000000000000003; do
	set_ok reserve_chunks "$v"
	want=$(printf '%s\n' "$v" | sed 's/\\n//; s/^+//; s/^0*\([0-9]\)/\1/')
	[ "$(cat $TP/reserve_chunks)" = "$want" ] ||
		bad "reserve_chunks: wrote '$v', reads $(cat $TP/reserve_chunks)"
done
check "reserve_chunks accepts 0..64 in decimal"

set_ok reserve_chunks 7
for v in 65 100 4294967295; do
	expect reserve_chunks $v EINVAL
done
bad_numbers reserve_chunks
[ "$(cat $TP/reserve_chunks)" = 7 ] || bad "reserve_chunks is $(cat $TP/reserve_chunks), want 7"
set_ok reserve_chunks "$ORIG_RESERVE"
check "reserve_chunks rejects bad input (EINVAL, ERANGE on overflow) and keeps its value"

# The limit of max_chunks is max_chunks_limit; check it by bisection.
lo=0
hi=4294967295
res=$("$HELPER" write $TP/max_chunks $hi)
[ "$res" = EINVAL ] || bad "max_chunks: writing $hi gave $res, want EINVAL"
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	res=$("$HELPER" write $TP/max_chunks $mid)
	case $res in
	OK)	lo=$mid ;;
	EINVAL)	hi=$mid ;;
	*)	bad "max_chunks: writing $mid gave $res"; break ;;
	esac
done
LIMIT=$lo
ktap_print_msg "max_chunks limit: $LIMIT chunks ($((LIMIT * 2)) MiB)"
[ "$LIMIT" -ge 1 ] && [ "$LIMIT" -le 65536 ] || bad "implausible limit $LIMIT"
[ "$(cat $TP/max_chunks_limit)" = "$LIMIT" ] ||
	bad "max_chunks_limit reads $(cat $TP/max_chunks_limit), max_chunks takes up to $LIMIT"
for v in 0 "$LIMIT" 1 "$LIMIT\\n" 0; do
	set_ok max_chunks "$v"
	[ "$(cat $TP/max_chunks)" = "${v%\\n}" ] ||
		bad "max_chunks: wrote '$v', reads $(cat $TP/max_chunks)"
done
check "max_chunks accepts 0..max_chunks_limit in decimal, max_chunks_limit is that bound"

set_ok max_chunks 3
expect max_chunks $((LIMIT + 1)) EINVAL
expect max_chunks $((LIMIT + 1000)) EINVAL
bad_numbers max_chunks
[ "$(cat $TP/max_chunks)" = 3 ] || bad "max_chunks is $(cat $TP/max_chunks), want 3"
set_ok max_chunks "$ORIG_MAX"
check "max_chunks rejects bad input (EINVAL, ERANGE on overflow) and keeps its value"

# max_total_chunks has the same limit, but 1 at least: 0 would leave the
# pools no chunk at all.
ktap_print_msg "max_total_chunks: $ORIG_TOTAL (the default is $((LIMIT / 2)), half the limit)"
[ "$ORIG_TOTAL" -ge 1 ] && [ "$ORIG_TOTAL" -le "$LIMIT" ] ||
	bad "max_total_chunks is $ORIG_TOTAL, out of 1..$LIMIT"
for v in 1 "$LIMIT" '2\n' "$((LIMIT / 2))" '+5' 0000000000000000000000000000004; do
	set_ok max_total_chunks "$v"
	want=$(printf '%s\n' "$v" | sed 's/\\n//; s/^+//; s/^0*\([0-9]\)/\1/')
	[ "$(cat $TP/max_total_chunks)" = "$want" ] ||
		bad "max_total_chunks: wrote '$v', reads $(cat $TP/max_total_chunks)"
done
set_ok max_total_chunks "$ORIG_TOTAL"
check "max_total_chunks accepts 1..limit in decimal"

set_ok max_total_chunks 3
expect max_total_chunks 0 EINVAL
expect max_total_chunks '0\n' EINVAL
expect max_total_chunks 00 EINVAL
expect max_total_chunks $((LIMIT + 1)) EINVAL
expect max_total_chunks $((LIMIT + 1000)) EINVAL
expect max_total_chunks 4294967295 EINVAL
bad_numbers max_total_chunks
[ "$(cat $TP/max_total_chunks)" = 3 ] ||
	bad "max_total_chunks is $(cat $TP/max_total_chunks), want 3"
set_ok max_total_chunks "$ORIG_TOTAL"
[ "$(cat $TP/max_total_chunks)" = "$ORIG_TOTAL" ] ||
	bad "max_total_chunks is $(cat $TP/max_total_chunks), not restored to $ORIG_TOTAL"
check "max_total_chunks rejects 0, limit+1 and bad input and keeps its value"

# --- permissions --------------------------------------------------------------

for f in $TUNABLES; do
	before=$(cat $TP/$f)
	res=$("$HELPER" write-as 65534 $TP/$f "$before" 2>&1)
	case $res in
	EACCES|EPERM) ;;
	*) bad "$f: write as uid 65534 gave $res, want EACCES or EPERM" ;;
	esac
	# A value the tunable takes, other than the one it has.
	v=0
	[ $f = max_total_chunks ] && v=$((before == 1 ? 2 : 1))
	res=$("$HELPER" write-as 65534 $TP/$f $v 2>&1)
	[ "$(cat $TP/$f)" = "$before" ] || bad "$f: changed by uid 65534"
done
check "a write by uid 65534 fails and changes nothing"

for f in $TUNABLES; do
	before=$(cat $TP/$f)
	for v in 0 1 "$before"; do
		res=$("$HELPER" write-nocap $TP/$f "$v" 2>&1)
		[ "$res" = EPERM ] ||
			bad "$f: write of $v without CAP_SYS_ADMIN gave $res, want EPERM"
	done
	[ "$(cat $TP/$f)" = "$before" ] || bad "$f: changed without CAP_SYS_ADMIN"
done
check "a write by root without CAP_SYS_ADMIN fails with EPERM"

# --- statistics -----------------------------------------------------------------

# stats/ is the sum of the nodes (largest_free: the largest). The system is
# idle, but give background allocations a few chances.
sum_ok() {
	local f s n v sum
	for f in $STATS; do
		s=$(cat $TP/stats/$f)
		sum=0
		for n in $NODES; do
			v=$(cat $TP/node$n/$f)
			if [ $f = largest_free ]; then
				[ "$v" -gt "$sum" ] && sum=$v
			else
				sum=$((sum + v))
			fi
		done
		if [ "$s" != "$sum" ]; then
			SUM_DIFF="stats/$f is $s, the nodes give $sum"
			return 1
		fi
	done
	return 0
}
tries=0
until sum_ok; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { bad "$SUM_DIFF"; break; }
	sleep 1
done
# The live fallback allocations are among the live allocations.
for d in stats $node_dirs; do
	[ "$(cat $TP/$d/fallback_allocations)" -le "$(cat $TP/$d/allocations)" ] ||
		bad "$d: fallback_allocations $(cat $TP/$d/fallback_allocations) >" \
			"allocations $(cat $TP/$d/allocations)"
	[ "$(cat $TP/$d/fallback_allocated_bytes)" -le "$(cat $TP/$d/allocated_bytes)" ] ||
		bad "$d: fallback_allocated_bytes > allocated_bytes"
done

# fallback_allocs is the sum of its causes, in stats/ and in each node.
causes_ok() {
	local d f sum
	for d in stats $node_dirs; do
		sum=0
		for f in $CAUSES; do
			sum=$((sum + $(cat $TP/$d/$f)))
		done
		if [ "$(cat $TP/$d/fallback_allocs)" != "$sum" ]; then
			SUM_DIFF="$d/fallback_allocs $(cat $TP/$d/fallback_allocs), causes $sum"
			return 1
		fi
	done
	return 0
}
tries=0
until causes_ok; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { bad "$SUM_DIFF"; break; }
	sleep 1
done
check "stats/ sums nodeN/; fallback_allocs = sum of causes; live fallbacks <= live allocations"

# --- debugfs -------------------------------------------------------------------

DBG=/sys/kernel/debug/textpool/chunks
TMP_DBG=/tmp/sysfs_abi.$$
[ -e $DBG ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
LINE='^node=[0-9]+ start=0x[0-9a-f]+ end=0x[0-9a-f]+ mapping=(2M|4K) allocations=[0-9]+ '
LINE="${LINE}used_bytes=[0-9]+ largest_free=[0-9]+ map=[.o#]{64}\$"

# A line per chunk: as many as nodeN/chunks says, each mapped by a PMD.
dbg_ok() {
	local n want got
	for n in $NODES; do
		want=$(cat $TP/node$n/chunks)
		got=$(grep -c "^node=$n " $DBG)
		if [ "$want" != "$got" ]; then
			DBG_DIFF="node $n: $got lines in $DBG, node$n/chunks is $want"
			return 1
		fi
	done
	got=$(grep -c -v ' mapping=2M ' $DBG)
	if [ "$got" != 0 ]; then
		DBG_DIFF="$got lines of $DBG without mapping=2M"
		return 1
	fi
	return 0
}

# The starts of the chunks in $DBG, sorted.
dbg_starts() {
	sed -n 's/.* start=0x\([0-9a-f]*\) .*/\1/p' $DBG | sort
}

if [ -e $DBG ]; then
	m=$(stat -c %a $DBG)
	[ "$m" = 444 ] || bad "$DBG: mode $m, want 444"
	junk=$(grep -v -E "$LINE" $DBG | head -n 3)
	[ -z "$junk" ] || bad "$DBG: lines not in the format: $junk"
	tries=0
	until dbg_ok; do
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { bad "$DBG_DIFF"; break; }
		sleep 1
	done
	res=$("$HELPER" write $DBG 1)
	[ "$res" != OK ] || bad "$DBG: a write succeeded"
	check "debugfs textpool/chunks: 0444, a line per chunk of each node"

	# Addresses as /proc/vmallocinfo prints them (%pK): the real ones for
	# root under kptr_restrict=1 (each the start of a vmalloc area),
	# zeros under 2, hashed under 0.  Read in 7-byte pieces, the records
	# come out whole, as with one read.
	# A chunk to print, if no test before this one left one mapped.
	held=
	if [ "$(st stats/chunks)" = 0 ] && hold_start 1 2; then
		held=1
	fi
	KPTR=$(cat /proc/sys/kernel/kptr_restrict)
	echo 1 >/proc/sys/kernel/kptr_restrict
	real=$(dbg_starts)
	vmi=$(cat /proc/vmallocinfo)
	cat $DBG >"$TMP_DBG.whole"
	dd if=$DBG bs=7 2>/dev/null >"$TMP_DBG.pieces"
	echo 2 >/proc/sys/kernel/kptr_restrict
	hidden=$(sed -n 's/.* start=0x\([0-9a-f]*\) end=0x\([0-9a-f]*\) .*/\1 \2/p' $DBG |
		sort -u)
	echo 0 >/proc/sys/kernel/kptr_restrict
	hashed=$(dbg_starts)
	echo "$KPTR" >/proc/sys/kernel/kptr_restrict
	[ -z "$held" ] || hold_stop
	[ -n "$real" ] || bad "no chunk in $DBG"
	for a in $real; do
		echo "$vmi" | grep -q "^0x$a-" ||
			bad "start 0x$a (kptr_restrict=1) is no area of /proc/vmallocinfo"
		echo "$hashed" | grep -q -x "$a" &&
			bad "start 0x$a printed as it is under kptr_restrict=0"
	done
	[ "$hidden" = "0000000000000000 0000000000000000" ] ||
		bad "kptr_restrict=2: starts and ends '$hidden', want only zeros"
	[ "$(echo "$hashed" | wc -l)" = "$(echo "$real" | wc -l)" ] ||
		bad "kptr_restrict=0: not a line per chunk"
	cmp -s "$TMP_DBG.whole" "$TMP_DBG.pieces" ||
		bad "$DBG read 7 bytes at a time differs from one read"
	rm -f "$TMP_DBG.whole" "$TMP_DBG.pieces"
	check "debugfs textpool/chunks prints addresses with %pK, honouring kptr_restrict"
else
	ktap_test_skip "debugfs textpool/chunks (no debugfs)"
	ktap_test_skip "debugfs textpool/chunks prints addresses with %pK (no debugfs)"
fi

# --- max_chunks below reserve_chunks ---------------------------------------------

# Both are taken and read back as written; max_chunks wins: a node keeps no
# more chunks than it, its empty reserve ones included (chunks in use stay).
set_ok reserve_chunks 4
set_ok max_chunks 1
[ "$(cat $TP/reserve_chunks)" = 4 ] || bad "reserve_chunks reads $(cat $TP/reserve_chunks)"
[ "$(cat $TP/max_chunks)" = 1 ] || bad "max_chunks reads $(cat $TP/max_chunks)"
for n in $NODES; do
	c=$(cat $TP/node$n/chunks)
	used=1
	[ -r $DBG ] && used=$(grep -c -E "^node=$n .* allocations=[1-9]" $DBG)
	[ "$used" -ge 1 ] || used=1
	ktap_print_msg "reserve_chunks=4 max_chunks=1: node $n has $c chunks ($used in use)"
	[ "$c" -le "$used" ] || bad "node $n keeps $c chunks, max_chunks 1, $used in use"
done
set_ok max_chunks "$ORIG_MAX"
set_ok reserve_chunks "$ORIG_RESERVE"
check "max_chunks below reserve_chunks: taken, and a node keeps at most max_chunks chunks"

# --- the tunables take effect ---------------------------------------------------

st() {
	cat $TP/$1
}

# Wait until the frees of the programs closed so far are done: frees of BPF
# programs go through RCU and a workqueue.
# wait_frees N: until free_total is at least N.
wait_frees() {
	local want=$1 i=0
	while [ "$(st stats/free_total)" -lt "$want" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			bad "frees did not happen: free_total $(st stats/free_total), want $want"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# hold_release: close the programs of hold_start and wait until textpool
# has freed those it served: users/bpf/allocations back to where it was
# before hold_start (those that fell back are bpf_prog_pack's to free).
hold_release() {
	local i=0
	hold_stop
	while [ "$(st users/bpf/allocations)" -gt "$HOLD_BPF0" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			bad "frees did not happen: users/bpf/allocations" \
				"$(st users/bpf/allocations), want $HOLD_BPF0"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

set_ok enabled 1
set_ok max_chunks 0
a0=$(st stats/alloc_total)
f0=$(st stats/fallback_allocs)
u0=$(st users/bpf/allocations)
b0=$(st users/bpf/allocated_bytes)
BPF_OK=
if hold_start 1 $BIG_INSNS; then
	PROG=$(( $(st users/bpf/allocated_bytes) - b0 ))
	a1=$(st stats/alloc_total)
	f1=$(st stats/fallback_allocs)
	u1=$(st users/bpf/allocations)
	ktap_print_msg "a BPF program of $BIG_INSNS instructions takes $PROG bytes"
	[ $((a1 - a0)) -ge 1 ] || bad "alloc_total did not rise ($a0 -> $a1)"
	[ "$f1" = "$f0" ] || bad "fallback_allocs rose ($f0 -> $f1) with enabled=1"
	[ $((u1 - u0)) -ge 1 ] || bad "users/bpf/allocations did not rise ($u0 -> $u1)"
	[ "$PROG" -ge $((BIG_INSNS * 4)) ] && [ "$PROG" -lt $CHUNK ] ||
		bad "users/bpf/allocated_bytes rose by $PROG"
	[ -z "$FAILED" ] && BPF_OK=1
	hold_release 1
fi
check "enabled=1: a BPF program is served by the pool"

if [ -n "$BPF_OK" ]; then
	set_ok enabled 0
	[ "$(st enabled)" = 0 ] || bad "enabled reads $(st enabled)"
	f0=$(st stats/fallback_allocs)
	n0=$(st node$NODE/fallback_allocs)
	d0=$(st node$NODE/fallback_disabled)
	"$HELPER" bpf-load $CPU 5 2 >/dev/null || bad "BPF loads failed with enabled=0"
	f1=$(st stats/fallback_allocs)
	n1=$(st node$NODE/fallback_allocs)
	d1=$(st node$NODE/fallback_disabled)
	[ $((f1 - f0)) -ge 5 ] ||
		bad "stats/fallback_allocs rose by $((f1 - f0)) for 5 programs with enabled=0"
	[ $((n1 - n0)) -ge 5 ] ||
		bad "node$NODE/fallback_allocs rose by $((n1 - n0)) for 5 programs on node $NODE"
	[ $((d1 - d0)) -ge 5 ] ||
		bad "node$NODE/fallback_disabled rose by $((d1 - d0)) for 5 programs on node $NODE"
	set_ok enabled 1
	f0=$(st stats/fallback_allocs)
	"$HELPER" bpf-load $CPU 5 2 >/dev/null || bad "BPF loads failed with enabled=1"
	f1=$(st stats/fallback_allocs)
	[ "$f1" = "$f0" ] || bad "fallback_allocs rose ($f0 -> $f1) again with enabled=1"
	check "enabled=0: new allocations take the fallback, enabled=1 brings them back"

	# The live gauges count what textpool itself serves on the fallback
	# path.  BPF has a fallback of its own, 6.12's bpf_prog_pack: its
	# programs are counted by cause but are not textpool's to hold.  A
	# dynamic ftrace trampoline takes an execmem page: up while its
	# instance traces, down again when it stops; the counters stay.
	set_ok enabled 0
	fa0=$(st node$NODE/fallback_allocations)
	fb0=$(st node$NODE/fallback_allocated_bytes)
	fc0=$(st node$NODE/fallback_allocs)
	if hold_start 5 2; then
		fa1=$(st node$NODE/fallback_allocations)
		[ "$fa1" = "$fa0" ] ||
			bad "fallback_allocations $fa0 -> $fa1 for 5 BPF programs in bpf_prog_pack"
		[ $(($(st node$NODE/fallback_allocs) - fc0)) -ge 5 ] ||
			bad "fallback_allocs did not count the 5 BPF programs"
		# Freed by bpf_prog_pack, not by textpool: no free_total.
		hold_stop
	fi
	funcs=$(tp_functions | head -n 3)
	ninst=0
	for f in $funcs; do
		d=$T/instances/tp_abi$ninst
		mkdir "$d" && echo "$f" >"$d/set_ftrace_filter" &&
			numactl --cpunodebind="$NODE" sh -c "echo function >$d/current_tracer" ||
			bad "instance $ninst ($f) could not be set up"
		ninst=$((ninst + 1))
	done
	fa1=$(st node$NODE/fallback_allocations)
	fb1=$(st node$NODE/fallback_allocated_bytes)
	ktap_print_msg "node $NODE: $ninst ftrace instances: fallback_allocations" \
		"$fa0 -> $fa1, fallback_allocated_bytes $fb0 -> $fb1"
	[ "$ninst" -ge 1 ] || bad "no traceable function for an ftrace instance"
	[ $((fa1 - fa0)) -ge "$ninst" ] ||
		bad "fallback_allocations rose by $((fa1 - fa0)) for $ninst live trampolines"
	[ $((fb1 - fb0)) -ge $((ninst * 64)) ] ||
		bad "fallback_allocated_bytes rose by $((fb1 - fb0)) for $ninst live trampolines"
	set_ok enabled 1
	for d in $T/instances/tp_abi*; do
		[ -d "$d" ] || continue
		echo nop >"$d/current_tracer"
		rmdir "$d"
	done
	fa2=$(st node$NODE/fallback_allocations)
	fb2=$(st node$NODE/fallback_allocated_bytes)
	[ "$fa2" -le "$fa0" ] ||
		bad "fallback_allocations $fa0 -> $fa2 after the instances were removed"
	[ "$fb2" -le "$fb0" ] ||
		bad "fallback_allocated_bytes $fb0 -> $fb2 after the instances were removed"
	[ $(($(st node$NODE/fallback_allocs) - fc0)) -ge $((5 + ninst)) ] ||
		bad "fallback_allocs did not keep counting them"
	set_ok enabled 1
	check "fallback_allocations and fallback_allocated_bytes: live fallbacks now"
else
	ktap_test_skip "enabled=0: new allocations take the fallback (BPF does not use the pool)"
	ktap_test_skip "fallback_allocations, fallback_allocated_bytes (BPF does not use the pool)"
fi

# room M: ROOM, the bytes the pools have for new allocations with at most M
# chunks per node, and OTHER_CAN_GROW, set when a node other than $NODE can
# still map a chunk.
room() {
	local n c
	ROOM=0
	OTHER_CAN_GROW=
	for n in $NODES; do
		c=$(st node$n/chunks)
		ROOM=$((ROOM + $(st node$n/free_bytes)))
		if [ "$c" -lt "$1" ]; then
			ROOM=$((ROOM + ($1 - c) * CHUNK))
			[ "$n" = "$NODE" ] || OTHER_CAN_GROW=1
		fi
	done
}

# max_chunks=M with M the chunks node $NODE has (at least 1): allocating more
# than fits in the chunks all nodes may have goes first to the other nodes
# (remote_allocs of node $NODE, when one of them can grow), then falls back
# (fallback_limit), and node $NODE gets no new chunk. Then with max_chunks=0
# the same allocations get new chunks on node $NODE and do not fall back.
if [ -n "$BPF_OK" ]; then
	c=$(st node$NODE/chunks)
	M=$c
	[ "$M" -ge 1 ] || M=1
	set_ok max_chunks $M
	room $M
	count=$(( (ROOM + CHUNK / 2) / PROG + 2 ))
	ktap_print_msg "node $NODE: $c chunks, max_chunks=$M," \
		"loading $count programs of $PROG bytes"
	f0=$(st stats/fallback_allocs)
	l0=$(st node$NODE/fallback_limit)
	r0=$(st node$NODE/remote_allocs)
	if hold_start $count $BIG_INSNS; then
		f1=$(st stats/fallback_allocs)
		l1=$(st node$NODE/fallback_limit)
		r1=$(st node$NODE/remote_allocs)
		c1=$(st node$NODE/chunks)
		[ "$c1" -le "$M" ] || bad "node $NODE has $c1 chunks with max_chunks=$M"
		[ "$f1" -gt "$f0" ] ||
			bad "fallback_allocs did not rise ($f0 -> $f1) with max_chunks=$M reached"
		[ "$l1" -gt "$l0" ] ||
			bad "node$NODE/fallback_limit stayed ($l0 -> $l1) at max_chunks=$M"
		if [ -n "$OTHER_CAN_GROW" ]; then
			[ "$r1" -gt "$r0" ] ||
				bad "node$NODE/remote_allocs stayed ($r0 -> $r1)"
		fi
		hold_release $count
	fi
	set_ok max_chunks 0
	f0=$(st stats/fallback_allocs)
	if hold_start $count $BIG_INSNS; then
		f1=$(st stats/fallback_allocs)
		c1=$(st node$NODE/chunks)
		[ "$c1" -gt "$M" ] ||
			bad "node $NODE has $c1 chunks with max_chunks=0, want more than $M"
		[ "$f1" = "$f0" ] || bad "fallback_allocs rose ($f0 -> $f1) with max_chunks=0"
		hold_release $count
	fi
	check "max_chunks bounds a node's chunks; beyond: other nodes, then the fallback"
else
	ktap_test_skip "max_chunks bounds a node's chunks (BPF does not use the pool)"
fi

# max_total_chunks=T with T the chunks all nodes have (at least 1):
# allocating more than fits in them falls back (fallback_limit) and no node
# gets a new chunk beyond T.
if [ -n "$BPF_OK" ]; then
	set_ok max_chunks 0
	c=$(st stats/chunks)
	T=$c
	[ "$T" -ge 1 ] || T=1
	count=$(( ($(st stats/free_bytes) + (T - c) * CHUNK + CHUNK / 2) / PROG + 2 ))
	ktap_print_msg "$c chunks in all, max_total_chunks=$T," \
		"loading $count programs of $PROG bytes"
	set_ok max_total_chunks $T
	f0=$(st stats/fallback_allocs)
	l0=$(st stats/fallback_limit)
	if hold_start $count $BIG_INSNS; then
		f1=$(st stats/fallback_allocs)
		l1=$(st stats/fallback_limit)
		c1=$(st stats/chunks)
		[ "$c1" -le "$T" ] || bad "$c1 chunks in all with max_total_chunks=$T"
		[ "$f1" -gt "$f0" ] ||
			bad "fallback_allocs stayed ($f0 -> $f1) at max_total_chunks=$T"
		[ "$l1" -gt "$l0" ] ||
			bad "fallback_limit stayed ($l0 -> $l1) at max_total_chunks=$T"
		hold_release $count
	fi
	set_ok max_total_chunks "$ORIG_TOTAL"
	check "max_total_chunks bounds the chunks of all nodes, beyond it allocations fall back"
else
	ktap_test_skip "max_total_chunks bounds the chunks of all nodes (BPF does not use the pool)"
fi

# reserve_chunks=64: the chunks emptied by closing the programs stay mapped;
# reserve_chunks=0: they are given back.
if [ -n "$BPF_OK" ]; then
	set_ok max_chunks 0
	set_ok reserve_chunks 64
	c=$(st node$NODE/chunks)
	count=$(( ($(st node$NODE/free_bytes) + CHUNK / 2) / PROG + 2 ))
	H=
	if hold_start $count $BIG_INSNS; then
		H=$(st node$NODE/chunks)
		[ "$H" -gt "$c" ] ||
			bad "node $NODE: $count programs did not map a chunk ($c -> $H)"
		if [ -e $DBG ]; then
			[ "$(grep -c "^node=$NODE " $DBG)" = "$H" ] ||
				bad "$DBG: not $H lines of node $NODE: $(cat $DBG)"
			grep -q -E "^node=$NODE .* allocations=[1-9][0-9]* .*map=.*[o#]" $DBG ||
				bad "$DBG: no chunk of node $NODE shows the programs: $(cat $DBG)"
		fi
		hold_release $count
		sleep 1
		c1=$(st node$NODE/chunks)
		[ "$c1" = "$H" ] ||
			bad "node $NODE: chunks $H -> $c1 after the frees, with reserve_chunks=64"
	fi
	check "reserve_chunks=64 keeps emptied chunks mapped"

	if [ -n "$H" ]; then
		set_ok reserve_chunks 0
		# One more allocation and free, in case the core trims on free.
		ft=$(st stats/free_total)
		"$HELPER" bpf-load $CPU 1 2 >/dev/null || bad "BPF load failed"
		wait_frees $((ft + 1))
		i=0
		while [ "$(st node$NODE/chunks)" -ge "$H" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		c1=$(st node$NODE/chunks)
		[ "$c1" -lt "$H" ] || bad "node $NODE: still $c1 chunks with reserve_chunks=0"
		set_ok reserve_chunks "$ORIG_RESERVE"
		check "reserve_chunks=0 gives emptied chunks back"
	else
		ktap_test_skip "reserve_chunks=0 gives emptied chunks back (no chunk was mapped)"
	fi
else
	ktap_test_skip "reserve_chunks=64 keeps emptied chunks mapped (BPF does not use the pool)"
	ktap_test_skip "reserve_chunks=0 gives emptied chunks back (BPF does not use the pool)"
fi

ktap_finished
