#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults injected into textpool (/sys/kernel/debug/fail_textpool) while
# BPF programs, ftrace trampolines and kprobe slots come and go.  For each
# step that may fail (the chunk's metadata, its 2 MiB page, its protection,
# the execmem fallback), with K failures armed:
#   - BPF loads that reach the step either still succeed (a chunk that
#     cannot be made sends them to another node or to bpf_prog_pack) or
#     fail cleanly with ENOMEM or ENOTSUPP, and the statistics count it;
#     BPF never reaches the step of textpool's execmem fallback, ftrace
#     and kprobes do (below);
#   - once the injection stops, the same loads succeed again;
#   - a tracing instance with a filtered function tracer and a kprobe event
#     made under injection either work or fail with an error.
# Then the kernel's own fault points fail the allocations of the loads
# (task-filter=Y: the loader's task only, while it loads):
#   - fail_page_alloc with min-order=9 fails the 2 MiB pages of new chunks:
#     the loads go on from the fallback, grow_failures counts it;
#   - fail_page_alloc (every order) and failslab fail each allocation of a
#     load in turn, space moving the fault one allocation further each
#     time, until a load gets through: with enabled=0 the loads go to BPF's
#     own fallback, bpf_prog_pack, so none of textpool's allocations fails
#     (alloc_failures stays) and each load is counted in fallback_allocs;
#     every load succeeds or fails with ENOMEM, ENOTSUPP (no JIT image) or
#     EINVAL (bpf_prog_load()'s answer to a failed bpf_prog_alloc()), and
#     the next loads succeed.
# At the end, with everything closed and each node's pool grown and shrunk
# back to its reserve as before the baseline, the statistics, the textpool
# areas of /proc/vmallocinfo and the kmemleak suspects are back to where
# they were.

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/textpool_lib.sh

FT=/sys/kernel/debug/fail_textpool
FT_FILES="probability interval times space verbose task-filter steps"
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
FA_FILES="probability interval times space verbose task-filter ignore-gfp-wait
ignore-gfp-highmem min-order"
# How far space moves on per load of a sweep, no more than the smallest
# allocation of textpool's fallback: failslab counts bytes (a 96-byte
# kmalloc), fail_page_alloc pages.
SLAB_STEP=64
PAGE_STEP=1
MAX_SWEEP=${MAX_SWEEP:-2000}
KL=/sys/kernel/debug/kmemleak
LOADER=$DIR/fault_load
# Failures armed per step.
K=${K:-3}
# Steps and their bits in fail_textpool/steps.
STEPS="metadata:1 page:2 protect:4 fallback:8"
# Text of a long program of fault_load (-b): 8192 4-byte instructions.
PROG=32768
INST=$T/instances/tp_fault
KPROBE=tp_fault_kp
HOLD_PID=
SAVED=

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -d "$TP" ] || { ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"; exit "$KSFT_SKIP"; }
[ -d "$FT" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ ! -d "$FT" ]; then
	ktap_skip_all "no $FT: no textpool fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	exit "$KSFT_SKIP"
fi
[ -x "$LOADER" ] || ktap_exit_fail_msg "$LOADER is missing"
# Three tests per step, two per fault of the allocators, five at the end.
ktap_set_plan $((3 * 4 + 2 * 3 + 5))

ORIG_ENABLED=$(cat "$TP/enabled")
ORIG_RESERVE=$(cat "$TP/reserve_chunks")
SAVED=$(mktemp -d)
for f in $FT_FILES; do
	cat "$FT/$f" >"$SAVED/$f" 2>/dev/null
done
for d in $FS $FP; do
	mkdir "$SAVED/${d##*/}"
	for f in $FA_FILES; do
		cat "$d/$f" >"$SAVED/${d##*/}/$f" 2>/dev/null
	done
done

# Take down what a step may have left: the instance, the kprobe event.
teardown_tracing() {
	if [ -d "$INST" ]; then
		echo nop >"$INST/current_tracer" 2>/dev/null
		rmdir "$INST" 2>/dev/null
	fi
	if grep -q ":kprobes/$KPROBE " "$T/kprobe_events" 2>/dev/null; then
		echo 0 >"$T/events/kprobes/$KPROBE/enable" 2>/dev/null
		echo "-:$KPROBE" >>"$T/kprobe_events" 2>/dev/null
	fi
}

hold_stop() {
	[ -n "$HOLD_PID" ] || return 0
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
}

# No more faults; the fail_textpool files as they were.
inject_off() {
	echo 0 >"$FT/probability"
	echo 0 >"$FT/times"
}

restore() {
	inject_off 2>/dev/null
	for d in $FS $FP; do
		echo 0 >"$d/probability" 2>/dev/null
	done
	if [ -n "$SAVED" ]; then
		for f in $FT_FILES; do
			[ -s "$SAVED/$f" ] && cat "$SAVED/$f" >"$FT/$f" 2>/dev/null
		done
		# probability first: nothing fails while the others come back.
		for d in $FS $FP; do
			for f in probability $FA_FILES; do
				[ -s "$SAVED/${d##*/}/$f" ] &&
					cat "$SAVED/${d##*/}/$f" >"$d/$f" 2>/dev/null
			done
		done
	fi
	echo "$ORIG_ENABLED" >"$TP/enabled"
	echo "$ORIG_RESERVE" >"$TP/reserve_chunks"
}

cleanup() {
	hold_stop
	teardown_tracing
	restore
	[ -n "$SAVED" ] && rm -rf "$SAVED"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# inject BIT: the next K passes through step BIT fail.
inject() {
	echo 1 >"$FT/verbose"
	echo N >"$FT/task-filter"
	echo 0 >"$FT/space"
	echo 1 >"$FT/interval"
	echo "$1" >"$FT/steps"
	echo "$K" >"$FT/times"
	echo 100 >"$FT/probability"
}

# Failures injected since inject(): K less what is left of times.
injected() {
	echo $((K - $(tp_num "$FT/times")))
}

st() {
	tp_num "$TP/stats/$1"
}

# Areas of textpool in /proc/vmallocinfo: chunks and fallback allocations.
vm_count() {
	grep -c -E ' textpool|textpool_' /proc/vmallocinfo
}

# Suspected leaks kmemleak reports after a scan, -1 without kmemleak.
leaks() {
	if [ -w "$KL" ] && echo scan >"$KL" 2>/dev/null; then
		grep -c '^unreferenced object' "$KL"
	else
		echo -1
	fi
}

# What the statistics say, to wait until it stops changing.
state() {
	echo "$(st allocations) $(st allocated_bytes) $(st chunks) $(vm_count)"
}

# Wait (up to 10 s) until state() has not changed for one second.
settle() {
	i=0
	same=0
	last=$(state)
	while [ $same -lt 5 ] && [ $i -lt 100 ]; do
		sleep 0.2
		now=$(state)
		if [ "$now" = "$last" ]; then
			same=$((same + 1))
		else
			same=0
			last=$now
		fi
		i=$((i + 2))
	done
}

# The counters a step may move.
COUNTERS="alloc_failures grow_failures fallback_allocs fallback_nomem remote_allocs chunks"
snap() {
	for c in $COUNTERS; do
		printf '%s ' "$(st "$c")"
	done
}

# delta BEFORE AFTER NAME: how much counter NAME moved between two snap()s.
delta() {
	echo "$COUNTERS" | awk -v b="$1" -v a="$2" -v name="$3" '{
		split(b, vb, " ")
		split(a, va, " ")
		for (i = 1; i <= NF; i++)
			if ($i == name)
				print va[i] - vb[i]
	}'
}

# load ARGS...: run the loader, set LOADED, NFAILED and ERRNOS.
load() {
	out=$("$LOADER" "$@")
	LOADED=$(echo "$out" | awk '$1 == "loaded" { print $2 }')
	NFAILED=$(echo "$out" | awk '$1 == "loaded" { print $4 }')
	ERRNOS=$(echo "$out" | awk '$1 == "loaded" { $1 = $2 = $3 = $4 = ""; print }' |
		 sed 's/^ *//')
	LOADED=${LOADED:--1}
	NFAILED=${NFAILED:--1}
}

# Every failed load failed with ENOMEM or ENOTSUPP (or $1).
clean_errnos() {
	for e in $ERRNOS; do
		case ${e%:*} in
		ENOMEM|ENOTSUPP|"${1:-ENOMEM}") ;;
		*) return 1 ;;
		esac
	done
	return 0
}

# Set up the pools for step $1 and set COUNT and BIG: enough long programs
# that new chunks must be made (reserve_chunks=0), or, for the fallback,
# enabled=0 and a few short ones.
prepare() {
	if [ "$1" = fallback ]; then
		echo 0 >"$TP/enabled"
		COUNT=10
		BIG=0
		return
	fi
	echo 1 >"$TP/enabled"
	echo 0 >"$TP/reserve_chunks"
	# A load and a free to let the pools trim, then wait for them.
	load -n 1
	settle
	COUNT=$(($(st free_bytes) / PROG + 8))
	BIG=$COUNT
}

# A tracing instance with a filtered function tracer and a kprobe event,
# made while the faults are armed; they work or fail with an error.  Sets
# TRACING to what happened.
tracing_under_injection() {
	funcs=$(tp_functions | head -n 2)
	f1=$(echo "$funcs" | head -n 1)
	f2=$(echo "$funcs" | tail -n 1)
	ft=none
	kp=none
	if [ -d "$T/instances" ] && [ -n "$f1" ]; then
		if mkdir "$INST" 2>/dev/null && echo 64 >"$INST/buffer_size_kb" &&
		   echo "$f1" >"$INST/set_ftrace_filter" &&
		   echo function >"$INST/current_tracer" 2>/dev/null; then
			ft=works
		else
			ft=failed
		fi
	fi
	if [ -w "$T/kprobe_events" ] && [ -n "$f2" ]; then
		kp=failed
		for off in 9 5 4 8; do
			echo "p:$KPROBE $f2+$off" >>"$T/kprobe_events" 2>/dev/null || continue
			if echo 1 >"$T/events/kprobes/$KPROBE/enable" 2>/dev/null; then
				kp=works
				break
			fi
			echo "-:$KPROBE" >>"$T/kprobe_events" 2>/dev/null
		done
	fi
	tp_workload
	TRACING="ftrace instance $ft, kprobe event $kp"
	if [ $ft = works ]; then
		TRACING="$TRACING ($(tp_instance_entries "$INST") entries)"
	fi
}

# Grow each node's pool from one of its CPUs and let it shrink back: then
# every node keeps reserve_chunks empty chunks besides those in use, however
# its chunks came and went before (raising reserve_chunks makes none).
regrow() {
	for d in /sys/devices/system/node/node[0-9]*; do
		n=${d##*node}
		cpu=$(sed 's/[-,].*//' "$d/cpulist" 2>/dev/null)
		if [ -z "$cpu" ] || [ ! -d "$TP/node$n" ]; then
			continue
		fi
		c=$(($(tp_num "$TP/node$n/free_bytes") / PROG + 8))
		load -c "$cpu" -n "$c" -b "$c"
		[ "$NFAILED" = 0 ] || ktap_print_msg "regrow node $n: $out"
	done
	settle
}

# --- baseline ---------------------------------------------------------------

# The kprobe slot caches keep their last page when their probes go away:
# let them have it before the baseline.  Optimized probes take theirs from
# a second cache, after the optimizer's delay.
tracing_under_injection
sleep 1
tp_workload
teardown_tracing
ktap_print_msg "warm-up: $TRACING"
regrow
A0=$(st allocations)
B0=$(st allocated_bytes)
C0=$(st chunks)
V0=$(vm_count)
L0=$(leaks)
ktap_print_msg "baseline: allocations $A0, allocated_bytes $B0, chunks $C0," \
	"vmallocinfo textpool areas $V0, kmemleak suspects $L0"

# --- each step ----------------------------------------------------------------

for s in $STEPS; do
	name=${s%:*}
	bit=${s#*:}
	prepare "$name"

	# 1. Loads under injection.
	s0=$(snap)
	inject "$bit"
	load -n "$COUNT" -b "$BIG"
	n=$(injected)
	inject_off
	settle
	s1=$(snap)
	af=$(delta "$s0" "$s1" alloc_failures)
	gf=$(delta "$s0" "$s1" grow_failures)
	fa=$(delta "$s0" "$s1" fallback_allocs)
	fn=$(delta "$s0" "$s1" fallback_nomem)
	ra=$(delta "$s0" "$s1" remote_allocs)
	ktap_print_msg "$name: $n of $K faults injected; $LOADED of $COUNT loads" \
		"succeeded, $NFAILED failed ${ERRNOS:+($ERRNOS)}"
	ktap_print_msg "$name: alloc_failures +$af, grow_failures +$gf," \
		"fallback_allocs +$fa, fallback_nomem +$fn, remote_allocs +$ra"
	[ "$LOADED" -ge 0 ] || bad "$name: the loader failed: $out"
	[ "$NFAILED" -le "$n" ] || bad "$name: $NFAILED loads failed for $n faults"
	clean_errnos || bad "$name: loads failed with $ERRNOS, not ENOMEM or ENOTSUPP"
	case $name in
	page)
		[ "$n" -ge 1 ] || bad "$name: the step was not reached"
		[ "$gf" -ge 1 ] || bad "$name: grow_failures did not rise"
		;;
	fallback)
		# BPF falls back to its own bpf_prog_pack, never to
		# textpool's: the loads succeed, counted by cause, and the
		# step is left for the ftrace and kprobe users (3. below).
		[ "$n" = 0 ] || bad "$name: BPF loads reached textpool's fallback ($n faults)"
		[ "$NFAILED" = 0 ] || bad "$name: $NFAILED loads failed in bpf_prog_pack"
		[ "$fa" -ge "$COUNT" ] ||
			bad "$name: fallback_allocs +$fa for $COUNT loads with enabled=0"
		[ "$af" = 0 ] || bad "$name: alloc_failures +$af"
		;;
	*)
		# Not a grow_failure (no 2 MiB page missing): the loads that
		# found no chunk went to another node or to the fallback.
		[ "$n" -ge 1 ] || bad "$name: the step was not reached"
		[ $((af + gf + fn + ra)) -ge 1 ] ||
			bad "$name: no failure, fallback or remote allocation counted"
		;;
	esac
	check "$name: $n faults injected, loads fall back or fail cleanly, counted"

	# 2. The same loads without injection.
	s0=$(snap)
	load -n "$COUNT" -b "$BIG"
	settle
	s1=$(snap)
	af=$(delta "$s0" "$s1" alloc_failures)
	ktap_print_msg "$name: injection off: $LOADED of $COUNT loads succeeded" \
		"${ERRNOS:+($ERRNOS)}, alloc_failures +$af"
	[ "$LOADED" = "$COUNT" ] || bad "$name: $NFAILED loads failed without injection"
	[ "$af" = 0 ] || bad "$name: alloc_failures rose without injection"
	check "$name: with injection off, $COUNT loads succeed again"

	# 3. Tracing under injection; taken down without it.
	inject "$bit"
	tracing_under_injection
	n=$(injected)
	inject_off
	teardown_tracing
	ktap_print_msg "$name: under injection ($n faults used): $TRACING"
	if [ "$name" = fallback ]; then
		[ "$n" -ge 1 ] || bad "$name: ftrace and kprobes did not reach the step"
	fi
	[ ! -d "$INST" ] || bad "$name: $INST could not be removed"
	if grep -q ":kprobes/$KPROBE " "$T/kprobe_events" 2>/dev/null; then
		bad "$name: $KPROBE could not be removed"
	fi
	check "$name: ftrace instance and kprobe event under injection work or fail cleanly"

	echo "$ORIG_ENABLED" >"$TP/enabled"
	echo "$ORIG_RESERVE" >"$TP/reserve_chunks"
done

# --- the allocators' fault points ---------------------------------------------

# arm_alloc DIR TIMES SPACE [MIN-ORDER]: the next TIMES allocations of a
# marked task (fault_load -f), after SPACE of them (bytes for failslab,
# pages for fail_page_alloc), fail: those that may sleep too, and vmalloc's
# pages (__GFP_HIGHMEM) too.
arm_alloc() {
	echo 0 >"$1/probability"
	echo 1 >"$1/verbose"
	echo Y >"$1/task-filter"
	echo N >"$1/ignore-gfp-wait"
	[ -e "$1/ignore-gfp-highmem" ] && echo N >"$1/ignore-gfp-highmem"
	echo 1 >"$1/interval"
	[ -n "${4:-}" ] && echo "$4" >"$1/min-order"
	echo "$3" >"$1/space"
	echo "$2" >"$1/times"
	echo 100 >"$1/probability"
}

disarm_alloc() {
	echo 0 >"$1/probability"
	echo 0 >"$1/times"
}

# The allocation failures the kernel reported (warn_alloc(), for the
# allocations without __GFP_NOWARN): expected from the injected faults, and
# not splats (no WARNING).
warn_alloc_reports() {
	dmesg | grep -c -E 'page allocation failure|vmalloc error'
}

# sweep DIR STEP TIMES: one short load at a time, TIMES allocations in a
# row failing from the one found after 0, STEP, 2 * STEP, ... (space) of
# its allocations on, until a load gets through without a fault.  Sets
# SWEPT (loads), NINJ (faults injected), NFAILED (failed loads), ERRNOS
# (their errnos) and OUT (the loader's error, if any).
sweep() {
	SWEPT=0
	NINJ=0
	nfail=0
	errs=
	OUT=
	while [ $SWEPT -lt "$MAX_SWEEP" ]; do
		arm_alloc "$1" "$3" $((SWEPT * $2))
		load -f
		SWEPT=$((SWEPT + 1))
		if [ "$LOADED" -lt 0 ]; then
			OUT=$out
			break
		fi
		if [ "$NFAILED" -gt 0 ]; then
			nfail=$((nfail + NFAILED))
			errs="$errs $ERRNOS"
		fi
		left=$(tp_num "$1/times")
		[ "$left" -lt "$3" ] || break
		NINJ=$((NINJ + $3 - left))
	done
	disarm_alloc "$1"
	NFAILED=$nfail
	# Sum the errno counts: "ENOMEM:1 ENOMEM:1" -> "ENOMEM:2".
	ERRNOS=$(echo "$errs" | tr ' ' '\n' | awk -F: 'NF == 2 {
		if (!($1 in n)) o[++k] = $1
		n[$1] += $2
	} END { for (i = 1; i <= k; i++) printf "%s%s:%d", (i > 1 ? " " : ""), o[i], n[o[i]] }')
}

# alloc_step NAME: the fault of the allocators NAME under injection, then
# the same loads without it.
alloc_step() {
	name=$1
	case $name in
	chunk-pages)
		dir=$FP
		prepare page
		s0=$(snap)
		arm_alloc "$FP" "$K" 0 9
		load -f -n "$COUNT" -b "$BIG"
		n=$((K - $(tp_num "$FP/times")))
		disarm_alloc "$FP"
		what="$n of $K faults injected; $LOADED of $COUNT loads succeeded"
		;;
	pages|slab)
		w0=$(warn_alloc_reports)
		if [ "$name" = pages ]; then
			dir=$FP
			echo 0 >"$FP/min-order"
			step=$PAGE_STEP
			# vmalloc retries a page the bulk allocator could
			# not give with the single page allocator.
			times=2
		else
			dir=$FS
			step=$SLAB_STEP
			times=1
		fi
		prepare fallback
		s0=$(snap)
		sweep "$dir" "$step" "$times"
		n=$NINJ
		what="$SWEPT loads, $n faults injected (up to $times per load)"
		ktap_print_msg "${dir##*/} $name: $(($(warn_alloc_reports) - w0))" \
			"allocation failure reports (warn_alloc) in the kernel log"
		[ -z "$OUT" ] || bad "$name: the loader failed: $OUT"
		[ "$SWEPT" -lt "$MAX_SWEEP" ] ||
			bad "$name: no load got through after $SWEPT faults"
		;;
	esac
	settle
	s1=$(snap)
	af=$(delta "$s0" "$s1" alloc_failures)
	gf=$(delta "$s0" "$s1" grow_failures)
	fa=$(delta "$s0" "$s1" fallback_allocs)
	ktap_print_msg "${dir##*/} $name: $what, $NFAILED loads failed ${ERRNOS:+($ERRNOS)}"
	ktap_print_msg "${dir##*/} $name: alloc_failures +$af, grow_failures +$gf," \
		"fallback_allocs +$fa"
	[ "$n" -ge 1 ] || bad "$name: no fault injected"
	[ "$LOADED" -ge 0 ] || bad "$name: the loader failed: $out"
	[ "$NFAILED" -le "$n" ] || bad "$name: $NFAILED loads failed for $n faults"
	# bpf_prog_load() fails with EINVAL when bpf_prog_alloc() fails.
	clean_errnos EINVAL ||
		bad "$name: loads failed with $ERRNOS, not ENOMEM, ENOTSUPP or EINVAL"
	if [ "$name" = chunk-pages ]; then
		[ "$gf" -ge 1 ] || bad "$name: grow_failures did not rise"
	else
		# With enabled=0 the loads go to bpf_prog_pack: what fails
		# is BPF's, none of it textpool's; the loads that got as far
		# as their JIT image are counted.
		[ "$af" = 0 ] || bad "$name: $af allocations of textpool failed"
		[ "$fa" -ge 1 ] ||
			bad "$name: fallback_allocs +$fa for $SWEPT loads with enabled=0"
	fi
	check "${dir##*/} $name: $n faults injected, loads succeed or fail cleanly"

	s0=$(snap)
	load -n "$COUNT" -b "$BIG"
	settle
	s1=$(snap)
	af=$(delta "$s0" "$s1" alloc_failures)
	ktap_print_msg "${dir##*/} $name: injection off: $LOADED of $COUNT loads" \
		"succeeded ${ERRNOS:+($ERRNOS)}, alloc_failures +$af"
	[ "$LOADED" = "$COUNT" ] || bad "$name: $NFAILED loads failed without injection"
	[ "$af" = 0 ] || bad "$name: alloc_failures rose without injection"
	check "${dir##*/} $name: with injection off, $COUNT loads succeed again"

	echo "$ORIG_ENABLED" >"$TP/enabled"
	echo "$ORIG_RESERVE" >"$TP/reserve_chunks"
}

if [ -d "$FS" ] && [ -d "$FP" ]; then
	alloc_step chunk-pages
	alloc_step pages
	alloc_step slab
else
	for t in "fail_page_alloc chunk-pages" "fail_page_alloc pages" "failslab slab"; do
		ktap_test_skip "$t: no $FS or $FP (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)"
		ktap_test_skip "$t: injection off"
	done
fi

# --- back to the baseline -----------------------------------------------------

restore
regrow
at_base() {
	[ "$(st allocations)" = "$A0" ] && [ "$(st allocated_bytes)" = "$B0" ] &&
		[ "$(st chunks)" = "$C0" ] && [ "$(vm_count)" = "$V0" ]
}
i=0
until at_base || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ktap_print_msg "settled after $((i / 10)).$((i % 10)) s"

# back NAME BEFORE AFTER: the test that NAME is back to BEFORE.
back() {
	if [ "$3" = "$2" ]; then
		ktap_test_pass "$1 back to the baseline ($2 -> $3)"
	else
		ktap_test_fail "$1 back to the baseline ($2 -> $3)"
	fi
}
A1=$(st allocations)
B1=$(st allocated_bytes)
C1=$(st chunks)
V1=$(vm_count)
back "stats/allocations" "$A0" "$A1"
back "stats/allocated_bytes" "$B0" "$B1"
back "stats/chunks" "$C0" "$C1"
back "textpool areas in /proc/vmallocinfo" "$V0" "$V1"

if [ "$L0" -lt 0 ]; then
	ktap_test_skip "no new kmemleak suspects (no $KL)"
else
	# kmemleak reports objects a few seconds old: give them time.
	sleep 6
	leaks >/dev/null
	L1=$(leaks)
	if [ "$L1" -le "$L0" ]; then
		ktap_test_pass "no new kmemleak suspects ($L0 -> $L1)"
	else
		ktap_test_fail "no new kmemleak suspects ($L0 -> $L1)"
	fi
fi

ktap_finished
