#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the guest kernel built a second time, in its own tree
# (build/linux-debug), with the debug options of dev/guest-debug.config
# (KASAN + KASAN_VMALLOC, kmemleak, DEBUG_VM, DEBUG_PAGEALLOC, KFENCE, UBSAN,
# PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, DEBUG_WX), then one boot that runs the
# KUnit suites, the textpool kselftests with a long stress test (at least
# TP_DEBUG_MIN_OPS operations over TP_STRESS_THREADS threads on all the
# nodes) and a kmemleak scan (dev/guest/check-debug.sh).  Any failed test,
# missing test, splat or leak fails it.  Prints "N passed, N failed,
# N skipped" and the wall time; logs in build/check-debug/.

. "$(dirname "$0")/common.sh"

start=$(date +%s)
out=$TP_BUILD/check-debug
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
threads=${TP_STRESS_THREADS:-4}
iterations=${TP_STRESS_ITERATIONS:-35000}
min_ops=${TP_DEBUG_MIN_OPS:-1000000}

pass() { echo "PASS $*" >>"$results"; }
fail() { echo "FAIL $*" >>"$results"; echo "FAIL $*" >&2; }
layer() { echo "== $*" >&2; }

# The stress test must have done enough: the sum of the operations of its
# cases (the "ops=N" of each), with the threads asked for, on every node.
stress_ops() {
	local name="guest(debug): the stress test ran at least $min_ops operations" ops nodes
	ops=$(grep -E '^(PASS|FAIL) guest\(debug\): selftests: textpool: test_textpool\.sh\.case ' "$results" |
		sed -n 's/.*: ops=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
	nodes=$(grep -aoE 'textpool-guest: mode check-debug, [0-9]+ CPUs, nodes: .*' "$out/console.log" |
		tr -d '\r' | grep -oE 'node[0-9]+' | wc -l)
	if [ "$ops" -ge "$min_ops" ] && [ "$nodes" -ge 2 ]; then
		pass "$name ($ops operations, $threads threads, $nodes nodes)"
	else
		fail "$name ($ops operations, $threads threads, $nodes nodes)"
	fi
}

layer "debug kernel tree"
"$TP_TOP/dev/mktree.sh" --debug

layer "debug kernel build"
if TP_KCONFIG_EXTRA="$TP_TOP/dev/guest-debug.config" \
	"$TP_TOP/dev/kbuild.sh" "$TP_DEBUG_TREE" build 2>"$out/build.err"; then
	pass "build: debug kernel"
	layer "guest: debug kernel"
	if TP_QUIET=1 "$TP_TOP/dev/guest.sh" "$TP_DEBUG_TREE" check-debug "$out/console.log" \
		"${TP_GUEST_TIMEOUT:-5400}" \
		"tp.stress_threads=$threads tp.stress_iterations=$iterations" 2>"$out/guest.err"; then
		pass "guest(debug): boots and finishes"
	else
		cat "$out/guest.err" >&2
		fail "guest(debug): boots and finishes"
	fi
	[ -f "$out/console.log" ] &&
		python3 "$TP_TOP/dev/ktap.py" --prefix "guest(debug)" "$out/console.log" >>"$results"
	python3 "$TP_TOP/dev/expect.py" --debug "$TP_TOP" "$results" >"$out/expect.out"
	cat "$out/expect.out" >>"$results"
	grep '^FAIL' "$out/expect.out" >&2 || true
	stress_ops
else
	cat "$out/build.err" >&2
	fail "build: debug kernel"
fi

tp_summary "$results" "$out" "check-debug: " " in $(( $(date +%s) - start )) s"
