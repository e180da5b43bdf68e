#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real users of ftrace and kprobes on textpool text, where their
# trampolines are patched again after they were made:
#   - function_graph on an instance with a filter, stopped and started
#     again: fgraph's ftrace_ops is static and keeps its trampoline, which
#     is re-poked (text_poke_bp) when it starts again;
#   - set_ftrace_pid on an instance: the call in the instance's trampoline
#     is re-poked to ftrace_pid_func, and only the chosen pid is traced,
#     before and after the pid changes;
#   - many instances on the same function (ftrace's list function), then
#     all but one gone: the last one runs on its own trampoline again;
#   - samples/kprobes: kprobe_example (a post_handler: kprobes' ftrace_ops
#     with SAVE_REGS and IPMODIFY) on kernel_clone, alone and with a
#     function tracer, kretprobe_example and a kprobe event inside the same
#     function; an optimized kprobe event ([OPTIMIZED] in kprobes/list);
#   - samples/ftrace: ftrace-direct (shared with a function tracer),
#     ftrace-direct-multi, ftrace-direct-modify (the direct call modified
#     every 2 s);
#   - samples/livepatch: livepatch-sample patches and unpatches
#     /proc/cmdline (klp's IPMODIFY ftrace_ops).
# Every trampoline and kprobe slot page that appears (/proc/kallsyms:
# ftrace_trampoline, kprobe_insn_page, kprobe_optinsn_page) must lie in a
# textpool chunk.  After teardown users/ftrace and users/kprobes are back
# where they were, less what static ftrace_ops keep for good.
#
# With TP_EXPECT_OFF=1 (the textpool=off boot, dev/guest/check-off.sh)
# textpool must be disabled and none of that text may lie in a chunk;
# everything else is checked the same way.

. "$(dirname "$0")/textpool_lib.sh"

CHUNKS=/sys/kernel/debug/textpool/chunks
KL=/sys/kernel/debug/kprobes/list
EF=$T/enabled_functions
LP=/sys/kernel/livepatch/livepatch_sample
OFF=${TP_EXPECT_OFF:-0}
WORK=$(mktemp -d)

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -d "$TP" ] || { ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"; exit "$KSFT_SKIP"; }
ktap_set_plan 17

# Missing prerequisites fail: the configuration asks for all of them.
[ -r "$CHUNKS" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
for f in "$CHUNKS" "$KL" "$EF" "$T/kprobe_events"; do
	[ -e "$f" ] || ktap_exit_fail_msg "no $f"
done
grep -qw function_graph "$T/available_tracers" ||
	ktap_exit_fail_msg "no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER)"
if [ "$OFF" = 1 ]; then
	[ "$(cat "$TP/enabled")" = 0 ] ||
		ktap_exit_fail_msg "TP_EXPECT_OFF=1 but textpool is enabled"
else
	[ "$(cat "$TP/enabled")" = 1 ] || ktap_exit_fail_msg "textpool is disabled"
fi

KPTR=$(cat /proc/sys/kernel/kptr_restrict)
echo 1 >/proc/sys/kernel/kptr_restrict
LOOPS=

cleanup() {
	for p in $LOOPS; do
		kill "$p" 2>/dev/null
	done
	for d in "$T"/instances/tp_fu_*; do
		[ -d "$d" ] || continue
		echo nop >"$d/current_tracer" 2>/dev/null
		echo 0 >"$d/events/enable" 2>/dev/null
	done
	[ -d "$T/events/kprobes" ] && echo 0 >"$T/events/kprobes/enable"
	for e in tp_fu_opt tp_fu_kc; do
		echo "-:$e" >>"$T/kprobe_events" 2>/dev/null
	done
	for d in "$T"/instances/tp_fu_*; do
		[ -d "$d" ] && rmdir "$d"
	done
	[ -d "$LP" ] && echo 0 >"$LP/enabled" 2>/dev/null
	for m in kprobe_example kretprobe_example ftrace_direct \
		 ftrace_direct_multi ftrace_direct_modify livepatch_sample; do
		grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
	done
	echo "$KPTR" >/proc/sys/kernel/kptr_restrict
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Counts for the summary.
NINST=0
NATTACH=0
NDETACH=0
NPOKES=0

have_func() {
	grep -q "^$1\( \|$\)" "$T/available_filter_functions"
}

# first_func NAME...: the first of the functions that ftrace can trace.
first_func() {
	for f in "$@"; do
		have_func "$f" && { echo "$f"; return 0; }
	done
	return 1
}

# inst NAME FUNC TRACER: a tracing instance tp_fu_NAME running TRACER on FUNC.
inst() {
	local d=$T/instances/tp_fu_$1
	mkdir "$d" && echo 256 >"$d/buffer_size_kb" &&
		echo "$2" >"$d/set_ftrace_filter" && echo "$3" >"$d/current_tracer" ||
		{ bad "instance $1 ($3 on $2) could not be set up"; return 1; }
	NINST=$((NINST + 1))
	NATTACH=$((NATTACH + 1))
}

inst_rm() {
	local d=$T/instances/tp_fu_$1
	echo nop >"$d/current_tracer" && rmdir "$d" || bad "instance $1 could not be removed"
	NDETACH=$((NDETACH + 1))
}

ientries() {
	tp_instance_entries "$T/instances/tp_fu_$1"
}

# Text placement: each time place_check looks, every ftrace trampoline
# that was not there when the test started (the boot tracer's is an early
# fallback, early_users.sh) and every kprobe slot page (kprobes have no
# early user) lies in a chunk, outside every chunk with textpool=off.
# $WORK/seen lists them.  ("none": grep -v -f of an empty file would
# drop every line with busybox.)
{ echo none; tp_syms ftrace_trampoline; } >"$WORK/start"
: >"$WORK/seen"
MISPLACED=

place_check() {
	local kind a
	for kind in ftrace_trampoline kprobe_insn_page kprobe_optinsn_page; do
		for a in $(tp_syms $kind | grep -v -x -F -f "$WORK/start"); do
			grep -q "^$kind $a$" "$WORK/seen" || echo "$kind $a" >>"$WORK/seen"
			if [ "$OFF" = 1 ]; then
				tp_in_chunk "$a" && MISPLACED="$MISPLACED $kind@$a(in a chunk)"
			else
				tp_in_chunk "$a" || MISPLACED="$MISPLACED $kind@$a(not in a chunk)"
			fi
		done
	done
}

# Hits of kprobe event $1 (kprobe_profile).
kp_hits() {
	awk -v e="$1" '$1 == e || $1 == "kprobes/" e { n = $2 } END { print n + 0 }' \
		"$T/kprobe_profile"
}

# Lines of the kernel log since mark NAME was written.
mark() {
	echo "textpool-ftrace-users: mark $1" >/dev/kmsg
}

since() {
	dmesg | sed -n "/textpool-ftrace-users: mark $1\$/,\$p"
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds, polling every 0.2 s.
wait_for() {
	local i=0 max=$(($1 * 5))
	shift
	until "$@"; do
		i=$((i + 1))
		[ $i -le $max ] || return 1
		sleep 0.2
	done
}

# Forks (kernel_clone), reads, writes and wake-ups.
work() {
	tp_workload
	tp_workload
}

mappings() {
	[ -r "$PTDUMP" ] || { echo "no $PTDUMP"; return; }
	awk '
	/^---\[ / { inmod = ($0 ~ /Modules/); next }
	inmod && / x / {
		v = $2 + 0
		if ($2 ~ /K$/) v *= 1024; else if ($2 ~ /M$/) v *= 1048576
		if ($NF == "pte") x4k += v / 4096
		else if ($NF == "pmd") x2m += v / 2097152
	}
	END { printf "x4k=%d x2m=%d", x4k, x2m }' "$PTDUMP"
}

FA0=$(tp_user_allocs ftrace)
KA0=$(tp_user_allocs kprobes)
AF0=$(tp_num "$TP/stats/alloc_failures")
BF0=$(tp_num "$TP/stats/bad_frees")
MAP0=$(mappings)
ktap_print_msg "textpool $([ "$OFF" = 1 ] && echo off || echo on):" \
	"users/ftrace $FA0, users/kprobes $KA0, $MAP0," \
	"$(($(grep -c . "$WORK/start") - 1)) ftrace trampolines before"

place_check

FUNC=$(first_func vfs_read ksys_read vfs_statx) ||
	ktap_exit_fail_msg "none of vfs_read ksys_read vfs_statx can be traced"

# --- 1-2. function_graph on an instance, stopped and started again ---------

inst graph "$FUNC" function_graph
work
place_check
TR1=$(tp_syms ftrace_trampoline)
# Entries, not the trace: its filter leaves only $FUNC's entries and returns.
h1=$(ientries graph)
ktap_print_msg "function_graph on $FUNC: $h1 entries," \
	"$(grep "^$FUNC " "$EF" | head -n 1)"
[ "$h1" -gt 0 ] || bad "function_graph recorded no call of $FUNC"
check "function_graph on an instance filtered on $FUNC records its calls"

echo nop >"$T/instances/tp_fu_graph/current_tracer"
echo >"$T/instances/tp_fu_graph/trace"
NDETACH=$((NDETACH + 1))
TR2=$(tp_syms ftrace_trampoline)
echo function_graph >"$T/instances/tp_fu_graph/current_tracer"
NATTACH=$((NATTACH + 1))
work
NPOKES=$((NPOKES + 1))
h2=$(ientries graph)
TR3=$(tp_syms ftrace_trampoline)
ktap_print_msg "started again: $h2 entries," \
	"trampolines $(echo "$TR1" | grep -c .) -> $(echo "$TR2" | grep -c .) (stopped)" \
	"-> $(echo "$TR3" | grep -c .)"
[ "$h2" -gt 0 ] || bad "function_graph started again recorded nothing"
[ "$TR3" = "$TR2" ] || bad "a new trampoline was made: fgraph's was not reused"
check "function_graph started again reuses its trampoline, re-poked"
inst_rm graph
place_check
# What static ftrace_ops keep for good (fgraph's, kprobes'): allowed at the end.
KEPT=$(tp_syms ftrace_trampoline | grep -v -x -F -f "$WORK/start")

# --- 3-4. set_ftrace_pid on an instance ------------------------------------

# Not a function of the read path: each read of the instance's trace
# would record more for the reader to read.
PFUNC=$(first_func do_sys_openat2 do_filp_open) || PFUNC=$FUNC
# Two shells opening a file with a builtin: the opens are their own.
sh -c 'while :; do read -r l </proc/uptime; sleep 0.05; done' &
PA=$!
sh -c 'while :; do read -r l </proc/uptime; sleep 0.05; done' &
PB=$!
LOOPS="$PA $PB"

# pids_seen: the pids of the loops that the pid instance recorded.
pids_seen() {
	sed -n 's/.*-\([0-9][0-9]*\) *\[[0-9]*\].*/\1/p' "$T/instances/tp_fu_pid/trace" |
		sort -u | grep -x -e "$PA" -e "$PB" | tr '\n' ' '
}

# pid_phase LABEL WANT: clear, let the loops run, then the loops' pids
# recorded must be WANT ("A B", "A" or "B"); other pids must not show
# when a pid is set.
pid_phase() {
	local want=$2 got others
	echo >"$T/instances/tp_fu_pid/trace"
	sleep 1
	got=$(pids_seen)
	others=$(sed -n 's/.*-\([0-9][0-9]*\) *\[[0-9]*\].*/\1/p' "$T/instances/tp_fu_pid/trace" |
		sort -u | grep -v -x -e "$PA" -e "$PB" | grep -c .)
	ktap_print_msg "pid filter $1: loop pids recorded: ${got:-none}, other pids: $others"
	want=$(echo "$want" | sed "s/A/$PA/; s/B/$PB/")
	[ "$(echo $got)" = "$want" ] || bad "pid filter $1: want $want, got ${got:-none}"
	case $1 in
	none) ;;
	*) [ "$others" = 0 ] || bad "pid filter $1: $others other pids recorded" ;;
	esac
}

p=0
# callback LABEL FUNC: $PFUNC calls the instance's trampoline, and the
# trampoline's callback (what its call was re-poked to) is FUNC.
CBBAD=
callback() {
	local l
	l=$(grep "^$PFUNC " "$EF" | head -n 1)
	ktap_print_msg "pid filter $1: $l"
	case $l in
	*"tramp: "*"($2+"*) ;;
	*) CBBAD="$CBBAD pid filter $1: $PFUNC does not call a trampoline calling $2;" ;;
	esac
}

if inst pid "$PFUNC" function; then
	place_check
	TRP=$(tp_syms ftrace_trampoline | grep -v -x -F -f "$WORK/start" |
		grep -v -x -F "$(echo "$KEPT" | grep . || echo none)")
	ktap_print_msg "instance trampoline: ${TRP:-none}"
	[ -n "$TRP" ] || bad "the pid instance has no trampoline of its own"
	pid_phase none "A B"
	callback none function_trace_call
	echo "$PA" >"$T/instances/tp_fu_pid/set_ftrace_pid"
	pid_phase "$PA" "A"
	callback "$PA" ftrace_pid_func
	echo "$PB" >"$T/instances/tp_fu_pid/set_ftrace_pid"
	pid_phase "$PB" "B"
	callback "$PB" ftrace_pid_func
	echo >"$T/instances/tp_fu_pid/set_ftrace_pid"
	pid_phase none "A B"
	callback none function_trace_call
	p=3
	NPOKES=$((NPOKES + p))
fi
check "set_ftrace_pid on an instance traces only the chosen pid, before and after a change"
ktap_print_msg "$p pid writes re-poked the call in the instance's trampoline"
[ -z "$CBBAD" ] || bad "$CBBAD"
place_check
check "set_ftrace_pid re-pokes the instance's trampoline in place"
inst_rm pid
kill $LOOPS 2>/dev/null
wait $LOOPS 2>/dev/null
LOOPS=

# --- 5-6. many instances on the same function -------------------------------

MFUNC=$(first_func vfs_write ksys_write) || MFUNC=$FUNC
NSAME=${NSAME:-4}
ta=$(tp_syms ftrace_trampoline | grep -c .)
i=0
while [ $i -lt $NSAME ]; do
	inst "same$i" "$MFUNC" function || break
	i=$((i + 1))
done
work
place_check
tb=$(tp_syms ftrace_trampoline | grep -c .)
for i in $(seq 0 $((NSAME - 1))); do
	h=$(ientries "same$i")
	[ "$h" -gt 0 ] || bad "instance same$i recorded nothing"
done
ktap_print_msg "$NSAME instances on $MFUNC: trampolines $ta -> $tb," \
	"$(grep "^$MFUNC " "$EF" | head -n 1)"
[ $((tb - ta)) -ge "$NSAME" ] || bad "not a trampoline per instance"
check "$NSAME instances on $MFUNC each record, each with its trampoline"

i=1
while [ $i -lt $NSAME ]; do
	inst_rm "same$i"
	i=$((i + 1))
done
echo >"$T/instances/tp_fu_same0/trace"
work
h=$(ientries same0)
ktap_print_msg "the last instance: $h entries, $(grep "^$MFUNC " "$EF" | head -n 1)"
[ "$h" -gt 0 ] || bad "the last instance on $MFUNC recorded nothing"
grep "^$MFUNC " "$EF" | grep -q 'tramp:' || bad "$MFUNC does not call a trampoline"
inst_rm same0
check "with all other instances gone, the last one still records through its trampoline"

# --- 7-10. kprobes: an ftrace-based IPMODIFY kprobe, a kretprobe, a kprobe
# inside a traced function, an optimized kprobe --------------------------------

KFUNC=kernel_clone
have_func $KFUNC || ktap_exit_fail_msg "$KFUNC cannot be traced"
mark kprobe
if tp_insmod kprobe_example symbol=$KFUNC; then
	NATTACH=$((NATTACH + 1))
	work
	place_check
	pre=$(since kprobe | grep -c "<$KFUNC> p->addr = 0x[0-9a-f]*, ip = ")
	post=$(since kprobe | grep "<$KFUNC> p->addr = " | grep -v -c ", ip = ")
	onftrace=$(awk -v f="$KFUNC" '$2 == "k" && index($3, f "+") == 1 && /FTRACE/' "$KL")
	ktap_print_msg "kprobe_example alone: $pre pre, $post post handler calls; $onftrace"
	ktap_print_msg "$(grep "^$KFUNC " "$EF" | head -n 1)"
	[ "$pre" -gt 0 ] && [ "$post" -gt 0 ] || bad "kprobe_example's handlers did not run"
	[ -n "$onftrace" ] || bad "the kprobe is not on ftrace"
	grep "^$KFUNC " "$EF" | grep -q ' I ' || bad "$KFUNC has no IPMODIFY ops"
	grep "^$KFUNC " "$EF" | grep -q 'tramp:' || bad "$KFUNC does not call a trampoline"
else
	bad "kprobe_example could not be loaded"
fi
check "kprobe_example (SAVE_REGS|IPMODIFY ops) fires on $KFUNC through a trampoline"

mark kretprobe
tp_insmod kretprobe_example func=$KFUNC || bad "kretprobe_example could not be loaded"
NATTACH=$((NATTACH + 1))
inst traced "$KFUNC" function
KOFF=
for off in 9 5 4 8; do
	if echo "p:tp_fu_kc $KFUNC+$off" >>"$T/kprobe_events" 2>/dev/null; then
		if echo 1 >"$T/events/kprobes/tp_fu_kc/enable"; then
			KOFF=$off
			break
		fi
		echo "-:tp_fu_kc" >>"$T/kprobe_events"
	fi
done
[ -n "$KOFF" ] || bad "no kprobe event could be placed inside $KFUNC"
NATTACH=$((NATTACH + 1))
work
sleep 1
work
place_check
ret=$(since kretprobe | grep -c "$KFUNC returned")
pre=$(since kretprobe | grep -c "<$KFUNC> p->addr = 0x[0-9a-f]*, ip = ")
kc=$(kp_hits tp_fu_kc)
tr=$(ientries traced)
ktap_print_msg "on $KFUNC: $ret returns, $pre kprobe_example calls, ${kc:-0} hits at +$KOFF," \
	"$tr tracer entries; $(grep " $KFUNC+" "$KL" | tr -s ' \n' ' ')"
[ "$ret" -gt 0 ] || bad "kretprobe_example saw no return of $KFUNC"
check "kretprobe_example fires on $KFUNC's returns"
[ "${kc:-0}" -gt 0 ] || bad "the kprobe event at $KFUNC+$KOFF did not fire"
[ "$pre" -gt 0 ] || bad "kprobe_example stopped firing beside the tracer"
[ "$tr" -gt 0 ] || bad "the function tracer on $KFUNC recorded nothing"
check "kprobes inside and at $KFUNC fire while a function tracer on it records"
echo 0 >"$T/events/kprobes/tp_fu_kc/enable"
echo "-:tp_fu_kc" >>"$T/kprobe_events"
inst_rm traced
rmmod kretprobe_example || bad "kretprobe_example could not be removed"
rmmod kprobe_example || bad "kprobe_example could not be removed"
NDETACH=$((NDETACH + 3))
place_check
KEPT=$(tp_syms ftrace_trampoline | grep -v -x -F -f "$WORK/start")

# An optimized kprobe: try function+offset until the optimizer takes one.
OPT=
for f in $(tp_functions | head -n 4); do
	for off in 9 5 4 8; do
		echo "p:tp_fu_opt $f+$off" >>"$T/kprobe_events" 2>/dev/null || continue
		if echo 1 >"$T/events/kprobes/tp_fu_opt/enable" &&
		   wait_for 5 grep -q " $f+0x$off .*OPTIMIZED" "$KL"; then
			OPT="$f+$off"
			break 2
		fi
		echo 0 >"$T/events/kprobes/tp_fu_opt/enable"
		echo "-:tp_fu_opt" >>"$T/kprobe_events"
	done
done
if [ -n "$OPT" ]; then
	NATTACH=$((NATTACH + 1))
	work
	place_check
	hits=$(kp_hits tp_fu_opt)
	ktap_print_msg "optimized kprobe at $OPT: ${hits:-0} hits;" \
		"$(grep -c . "$WORK/seen") trampolines and slot pages seen so far"
	[ "${hits:-0}" -gt 0 ] || bad "the optimized kprobe at $OPT did not fire"
	tp_syms kprobe_optinsn_page | grep -q . || bad "no kprobe_optinsn_page in /proc/kallsyms"
	echo 0 >"$T/events/kprobes/tp_fu_opt/enable"
	echo "-:tp_fu_opt" >>"$T/kprobe_events"
	NDETACH=$((NDETACH + 1))
else
	bad "no kprobe event got optimized"
fi
check "an optimized kprobe ([OPTIMIZED] in kprobes/list) fires"

# --- 11-13. ftrace direct calls ----------------------------------------------

echo >"$T/trace"
if tp_insmod ftrace-direct; then
	NATTACH=$((NATTACH + 1))
	work
	place_check
	d1=$(grep -c 'waking up ' "$T/trace")
	inst wake wake_up_process function
	echo >"$T/trace"
	work
	d2=$(grep -c 'waking up ' "$T/trace")
	w=$(ientries wake)
	ktap_print_msg "ftrace-direct: $d1 calls alone, $d2 beside a function tracer" \
		"($w entries); $(grep '^wake_up_process ' "$EF" | head -n 1)"
	[ "$d1" -gt 0 ] && [ "$d2" -gt 0 ] || bad "the direct call did not run"
	[ "$w" -gt 0 ] || bad "the function tracer on wake_up_process recorded nothing"
	inst_rm wake
	rmmod ftrace_direct || bad "ftrace-direct could not be removed"
	NDETACH=$((NDETACH + 1))
else
	bad "ftrace-direct could not be loaded"
fi
check "ftrace-direct on wake_up_process, alone and beside a function tracer"

echo >"$T/trace"
if tp_insmod ftrace-direct-multi; then
	NATTACH=$((NATTACH + 1))
	work
	place_check
	ips=$(sed -n 's/.* ip \([0-9a-f]*\)$/\1/p' "$T/trace" | sort -u | grep -c .)
	ktap_print_msg "ftrace-direct-multi: $(grep -c ' ip ' "$T/trace") calls from $ips functions"
	[ "$ips" -ge 2 ] || bad "the direct calls ran from $ips functions, want 2"
	rmmod ftrace_direct_multi || bad "ftrace-direct-multi could not be removed"
	NDETACH=$((NDETACH + 1))
else
	bad "ftrace-direct-multi could not be loaded"
fi
check "ftrace-direct-multi on wake_up_process and schedule"

both() {
	grep -q 'my direct func1' "$T/trace" && grep -q 'my direct func2' "$T/trace"
}
echo >"$T/trace"
if tp_insmod ftrace-direct-modify; then
	NATTACH=$((NATTACH + 1))
	wait_for 10 both || bad "the direct call was not modified (func1 and func2 not both seen)"
	place_check
	ktap_print_msg "ftrace-direct-modify: $(grep -c 'my direct func1' "$T/trace") calls of" \
		"func1, $(grep -c 'my direct func2' "$T/trace") of func2"
	rmmod ftrace_direct_modify || bad "ftrace-direct-modify could not be removed"
	NDETACH=$((NDETACH + 1))
else
	bad "ftrace-direct-modify could not be loaded"
fi
check "ftrace-direct-modify: the direct call on schedule is modified while it runs"

# --- 14-15. livepatch ----------------------------------------------------------

CMDLINE=$(cat /proc/cmdline)
lp_done() {
	[ "$(cat "$LP/transition" 2>/dev/null)" = 0 ]
}
lp_gone() {
	[ ! -d "$LP" ]
}
if tp_insmod livepatch-sample; then
	NATTACH=$((NATTACH + 1))
	wait_for 60 lp_done || bad "the livepatch transition did not finish"
	place_check
	now=$(cat /proc/cmdline)
	ktap_print_msg "patched: /proc/cmdline reads '$now';" \
		"$(grep '^cmdline_proc_show ' "$EF" | head -n 1)"
	[ "$now" = "this has been live patched" ] || bad "/proc/cmdline is not patched"
	grep '^cmdline_proc_show ' "$EF" | grep -q ' I ' ||
		bad "no IPMODIFY ops on cmdline_proc_show"
else
	bad "livepatch-sample could not be loaded"
fi
check "livepatch-sample patches cmdline_proc_show through its IPMODIFY ftrace_ops"

if [ -d "$LP" ]; then
	echo 0 >"$LP/enabled"
	wait_for 60 lp_gone || bad "the livepatch was not disabled"
	rmmod livepatch_sample || bad "livepatch-sample could not be removed"
	NDETACH=$((NDETACH + 1))
fi
now=$(cat /proc/cmdline)
[ "$now" = "$CMDLINE" ] || bad "/proc/cmdline reads '$now' after the patch went"
grep -q '^cmdline_proc_show ' "$EF" && bad "cmdline_proc_show is still hooked"
check "livepatch-sample disabled and removed: /proc/cmdline is the boot's again"

# --- 16-17. placement, and nothing left ----------------------------------------

place_check
nt=$(grep -c '^ftrace_trampoline ' "$WORK/seen")
nk=$(grep -c '^kprobe_' "$WORK/seen")
where=$([ "$OFF" = 1 ] && echo "outside the chunks (textpool=off)" || echo "in textpool chunks")
ktap_print_msg "$nt new ftrace trampolines and $nk new kprobe slot pages seen:" \
	"$(sed 's/ \(.*\)/@\1/' "$WORK/seen" | tr '\n' ' ')"
[ -z "$MISPLACED" ] || bad "misplaced:$MISPLACED"
[ "$nt" -ge $((NSAME + 2)) ] || bad "only $nt new trampolines seen"
[ "$nk" -ge 1 ] || bad "no new kprobe slot page seen"
check "every new trampoline and kprobe slot page lies $where"

KEPT=$(tp_syms ftrace_trampoline | grep -v -x -F -f "$WORK/start")
nkept=$(echo "$KEPT" | grep -c .)
tp_wait_le "$TP/users/ftrace/allocations" $((FA0 + nkept)) 10
FA1=$(tp_user_allocs ftrace)
KA1=$(tp_user_allocs kprobes)
MAP1=$(mappings)
ktap_print_msg "after teardown: users/ftrace $FA0 -> $FA1 ($nkept trampolines kept by" \
	"static ftrace_ops: fgraph's, kprobes'), users/kprobes $KA0 -> $KA1, $MAP0 -> $MAP1"
ktap_print_msg "totals: $NINST instances, $NATTACH attaches, $NDETACH detaches," \
	"$NPOKES re-pokes of trampolines (fgraph restarted, pid writes)"
[ "$nkept" -le 3 ] || bad "$nkept trampolines left, at most 3 static ftrace_ops may keep one"
[ "$FA1" = $((FA0 + nkept)) ] || bad "users/ftrace $FA1, want $FA0 + $nkept"
# Each kprobe slot cache keeps its last page (insn and optinsn).
[ "$KA1" -le $((KA0 + 2)) ] || bad "users/kprobes $KA1, want at most $KA0 + 2"
[ "$(tp_num "$TP/stats/alloc_failures")" = "$AF0" ] || bad "alloc_failures rose"
[ "$(tp_num "$TP/stats/bad_frees")" = "$BF0" ] || bad "bad_frees rose"
check "after teardown users/ftrace and users/kprobes are back, nothing failed"

ktap_finished
