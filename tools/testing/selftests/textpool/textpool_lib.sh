#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers of the textpool shell selftests (sourced).

TP=/sys/kernel/mm/textpool
T=/sys/kernel/tracing
PTDUMP=/sys/kernel/debug/page_tables/kernel

. "$(dirname "$0")/../kselftest/ktap_helpers.sh"

# Skip the whole test (after the KTAP header) unless it runs as root on a
# kernel with textpool.
tp_need_root_textpool() {
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_all "must be run as root"
		exit "$KSFT_SKIP"
	fi
	if [ ! -d "$TP" ]; then
		ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"
		exit "$KSFT_SKIP"
	fi
}

# The number in a file, or -1 when it cannot be read.
tp_num() {
	v=$(cat "$1" 2>/dev/null) || v=
	case $v in
	''|*[!0-9]*) echo -1 ;;
	*) echo "$v" ;;
	esac
}

# FAILED collects the reasons of the current test; check() reports it.
FAILED=
bad() {
	ktap_print_msg "$*"
	FAILED=1
}

check() {
	if [ -z "$FAILED" ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
	fi
	FAILED=
}

tp_user_allocs() {
	tp_num "$TP/users/$1/allocations"
}

tp_l2_splits() {
	awk '$1 == "direct_map_level2_splits" { print $2; f = 1 }
	     END { if (!f) print -1 }' /proc/vmstat
}

# The test that direct_map_level2_splits is still what it was ($1).
tp_test_l2_unchanged() {
	l2=$(tp_l2_splits)
	if [ "$1" -lt 0 ]; then
		ktap_test_skip "direct map not split (no direct_map_level2_splits)"
	elif [ "$l2" -eq "$1" ]; then
		ktap_test_pass "direct_map_level2_splits stays at $1"
	else
		ktap_test_fail "direct_map_level2_splits $1 -> $l2"
	fi
}

# Executable 4 KiB PTEs in the Modules area, -1 without the page table dump.
tp_modules_x4k() {
	[ -r "$PTDUMP" ] || { echo -1; return; }
	awk '
	/^---\[ / { inmod = ($0 ~ /Modules/); next }
	inmod && /^0x/ {
		x = 0
		for (i = 2; i <= NF; i++) if ($i == "x") x = 1
		if (!x || $NF != "pte") next
		s = $2; v = s + 0
		if (s ~ /K$/) v *= 1024; else if (s ~ /M$/) v *= 1048576
		n += v / 4096
	}
	END { print n + 0 }' "$PTDUMP"
}

# Wait up to $3 seconds (default 30) until the number in file $1 is <= $2.
tp_wait_le() {
	i=0
	max=$((${3:-30} * 10))
	while [ "$(tp_num "$1")" -gt "$2" ] && [ $i -lt "$max" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(tp_num "$1")" -le "$2" ]
}

# Some kernel work that calls the functions the tests trace and probe.
tp_workload() {
	for i in 1 2 3 4 5; do
		cat /proc/self/status >/dev/null
		ls / >/dev/null
		echo x >/dev/null
		sleep 0.01
	done
}

# Functions of the kernel that the workload calls and ftrace can trace.
tp_functions() {
	awk '
	BEGIN {
		n = split("vfs_read vfs_write do_sys_openat2 ksys_read ksys_write " \
			  "vfs_statx do_nanosleep __x64_sys_getpid do_filp_open " \
			  "path_openat getname_flags __fput vfs_open " \
			  "do_dentry_open filp_close __x64_sys_read " \
			  "__x64_sys_write __x64_sys_openat", want, " ")
		for (i = 1; i <= n; i++) order[want[i]] = i
	}
	{ sub(/ .*/, "") }
	($0 in order) && !($0 in seen) { seen[$0] = 1; found[order[$0]] = $0 }
	END { for (i = 1; i <= n; i++) if (i in found) print found[i] }
	' "$T/available_filter_functions" 2>/dev/null
}

# Entries recorded by a tracing instance, summed over its CPUs.
tp_instance_entries() {
	cat "$1"/per_cpu/cpu*/stats 2>/dev/null |
		awk '$1 == "entries:" { n += $2 } END { print n + 0 }'
}

# Addresses (16 hex digits, no 0x) of the symbols named $1 in /proc/kallsyms,
# sorted: dynamic text shows there as ftrace_trampoline, kprobe_insn_page
# and kprobe_optinsn_page.
tp_syms() {
	awk -v s="$1" '$3 == s && $1 !~ /^0+$/ { print $1 }' /proc/kallsyms | sort
}

# Does address $1 (16 hex digits) lie inside a textpool chunk?  debugfs
# textpool/chunks prints real addresses only under kptr_restrict=1.  The
# addresses are compared as fixed-width hex strings: awk's numbers cannot
# hold them.
tp_in_chunk() {
	awk -v a="$1" '{
		s = e = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^start=0x/) s = substr($i, 9)
			if ($i ~ /^end=0x/) e = substr($i, 7)
		}
		if (length(s) == 16 && s <= a && a < e) f = 1
	} END { exit !f }' /sys/kernel/debug/textpool/chunks
}

# tp_insmod NAME [PARAM...]: load module NAME from /modules (the test
# guest's initramfs) or with modprobe.
tp_insmod() {
	local m=$1
	shift
	if [ -f "/modules/$m.ko" ]; then
		insmod "/modules/$m.ko" "$@"
	else
		modprobe "$m" "$@"
	fi
}

# hold_start COUNT INSNS: load COUNT BPF programs of INSNS instructions on
# $CPU with $HELPER and keep them loaded until hold_stop; false (with a
# bad line) if they could not be loaded.  Uses $HOLD_PID, $HOLD_OUT and
# $HOLD_BPF0 (users/bpf/allocations before).
hold_start() {
	local i=0
	HOLD_BPF0=$(tp_num "$TP/users/bpf/allocations")
	HOLD_OUT=$(mktemp)
	"$HELPER" bpf-hold $CPU "$1" "$2" >"$HOLD_OUT" 2>&1 &
	HOLD_PID=$!
	while ! grep -q -E '^(ready|failed)' "$HOLD_OUT"; do
		i=$((i + 1))
		if [ $i -gt 6000 ] || ! kill -0 $HOLD_PID 2>/dev/null; then
			bad "BPF loader did not get ready: $(cat "$HOLD_OUT")"
			hold_stop
			return 1
		fi
		sleep 0.1
	done
	grep -q '^ready' "$HOLD_OUT" && return 0
	bad "BPF loads failed: $(cat "$HOLD_OUT")"
	hold_stop
	return 1
}

# hold_stop: unload the programs of hold_start, if any.
hold_stop() {
	[ -n "$HOLD_PID" ] || return 0
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
	rm -f "$HOLD_OUT"
}
