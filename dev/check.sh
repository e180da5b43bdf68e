#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test layer, host and guest.
#   1. host unit tests (dev/tests, tools/textpoolctl tests)
#   2. patch hygiene: the series applies to the pristine base with patch -p1,
#      checkpatch.pl --strict on every mail, kernel-doc on our files
#   3. the kernel build
#   4. the guest: KUnit suites (built in) and the textpool kselftests, then
#      a second boot with textpool=off: the users work through the fallback;
#      every test the sources define must have reported (dev/expect.py);
#      under KASLR the two boots must place the first chunk differently
#   5. a smoke run of make bench on the textpool kernel (small counts): the
#      report parses, its JSON has every field, and after the unload the
#      kernel holds no BPF program it did not hold at boot
#      (dev/bench.sh --smoke)
#   6. the whole series built with CONFIG_TEXTPOOL=n, booted: its users
#      behave as on the base kernel (dev/guest/check-n.sh)
# Prints each failing test by name and ends with "N passed, N failed,
# N skipped"; exits non-zero on any failure, kernel splat, crash or hang.

. "$(dirname "$0")/common.sh"

"$TP_TOP/dev/tree-status.sh" ||
	tp_die "refusing to run on unsaved edits in the kernel tree"

out=$TP_BUILD/check
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"

pass() { echo "PASS $*" >>"$results"; }
fail() { echo "FAIL $*" >>"$results"; echo "FAIL $*" >&2; }
layer() { echo "== $*" >&2; }

# Feed TAP/KTAP output to the results under a prefix.
tap() {
	local prefix=$1 file=$2
	python3 "$TP_TOP/dev/ktap.py" --prefix "$prefix" "$file" >>"$results"
}

# boot NAME TREE MODE LOG TIMEOUT: boot TREE's kernel in guest MODE; the
# boot and the KTAP results of its console count under NAME.
boot() {
	local name=$1 tree=$2 mode=$3 log=$4
	if TP_QUIET=1 "$TP_TOP/dev/guest.sh" "$tree" "$mode" "$log" "$5" 2>"$log.err"; then
		pass "$name: boots and finishes"
	else
		cat "$log.err" >&2
		fail "$name: boots and finishes"
	fi
	[ -f "$log" ] && tap "$name" "$log"
	return 0
}

# The "textpool-chunk-base: 0x..." line of a console log (the lowest chunk
# start, dev/guest/chunk-base.sh), or nothing.
chunk_base() {
	grep -aoE 'textpool-chunk-base: 0x[0-9a-f]+' "$1" 2>/dev/null | tail -n 1 | sed 's/.* //' || true
}

# Under KASLR the chunks of the two boots must not land at the same place.
chunk_placement() {
	local name="guest: chunk placement differs between boots" a b
	a=$(chunk_base "$1")
	b=$(chunk_base "$2")
	if [ -z "$a" ] && [ -z "$b" ]; then
		fail "$name (no textpool-chunk-base line in either boot)"
	elif [ -z "$a" ]; then
		fail "$name (no textpool-chunk-base line in the check boot)"
	elif [ -z "$b" ]; then
		fail "$name (no textpool-chunk-base line in the textpool=off boot)"
	elif [[ $a != 0xffff* || $b != 0xffff* ]]; then
		# debugfs prints %pK: a hashed value would always differ.
		fail "$name (not kernel addresses: $a, $b)"
	elif [ "$a" = "$b" ]; then
		fail "$name (both boots placed it at $a)"
	else
		pass "$name ($a, $b)"
	fi
}

layer "host unit tests"
for t in "$TP_TOP"/dev/tests/test_*.py; do
	name=$(basename "$t" .py)
	# -b: a passing test's own output is dropped, so that its "... ok"
	# stays on its line (a failing test's goes to the report at the end)
	python3 "$t" -v -b >"$out/$name.log" 2>&1 || true
	sed -n -E 's/^(test_[a-z0-9_]+) \(.*\) \.\.\. (ok|FAIL|ERROR|skipped.*)$/\2 \1/p' "$out/$name.log" |
		while read -r st tname; do
			case $st in
			ok) pass "host: $name: $tname" ;;
			skipped*) echo "SKIP host: $name: $tname" >>"$results" ;;
			*) fail "host: $name: $tname" ;;
			esac
		done
	grep -qE '^(OK|FAILED)' "$out/$name.log" || fail "host: $name: did not run to the end"
	# failures the loop above did not name (a setUpClass, a docstring)
	if grep -q '^FAILED' "$out/$name.log" &&
		! grep -qE '^test_[a-z0-9_]+ \(.*\) \.\.\. (FAIL|ERROR)$' "$out/$name.log"; then
		grep -E '^(FAIL|ERROR): ' "$out/$name.log" | while read -r line; do
			fail "host: $name: $line"
		done
		fail "host: $name: $(grep '^FAILED' "$out/$name.log")"
	fi
done
for t in "$TP_TOP"/dev/tests/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	bash "$t" >"$out/$name.log" 2>&1 || grep -q '^not ok' "$out/$name.log" ||
		fail "host: $name: exited with an error"
	tap "host: $name" "$out/$name.log"
done
if [ -f "$TP_TOP/tools/textpoolctl/Makefile" ]; then
	make -s -C "$TP_TOP/tools/textpoolctl" test >"$out/textpoolctl.log" 2>&1 ||
		grep -q '^not ok' "$out/textpoolctl.log" ||
		fail "host: textpoolctl: test run failed (see $out/textpoolctl.log)"
	tap "host: textpoolctl" "$out/textpoolctl.log"
fi

layer "patch hygiene"
"$TP_TOP/dev/hygiene.sh" "$out" "$results" || true

layer "kernel build"
if "$TP_TOP/dev/kbuild.sh" "$TP_TREE" build 2>"$out/build.err"; then
	pass "build: kernel"
	# Our C files, each with W=1.
	objs=$(cd "$TP_TOP" && git ls-files -co --exclude-standard -- mm arch kernel lib |
		grep -E '\.c$' | sed 's/\.c$/.o/')
	if "$TP_TOP/dev/kbuild.sh" "$TP_TREE" w1 $objs 2>"$out/build-w1.err"; then
		pass "build: W=1 is clean for $(echo $objs | wc -w) files of ours"
	else
		sed 's/^/    /' "$out/build-w1.err" | head -n 30 >&2
		fail "build: W=1 is clean for our files"
	fi
	layer "guest"
	boot guest "$TP_TREE" check "$out/console.log" "${TP_GUEST_TIMEOUT:-1500}"
	grep -q 'KTAP version\|TAP version' "$out/console.log" 2>/dev/null ||
		fail "guest: printed no test results"
	layer "guest booted with textpool=off"
	boot "guest(textpool=off)" "$TP_TREE" check-off "$out/console-off.log" 1200
	chunk_placement "$out/console.log" "$out/console-off.log"
	layer "make bench, smoke run"
	"$TP_TOP/dev/bench.sh" --smoke "$out/bench" "$results"
else
	cat "$out/build.err" >&2
	fail "build: kernel"
fi

# The whole series with CONFIG_TEXTPOOL=n, built from what make patch
# exported (the mails as applied, new files included) in a worktree of its
# own: it must build and its users must behave as on the base kernel.
layer "CONFIG_TEXTPOOL=n"
ntree=$TP_BUILD/linux-n
if [ -s "$TP_OUT/.export-commit" ] &&
	(tp_worktree "$ntree" "$(cat "$TP_OUT/.export-commit")") 2>"$out/build-n.err" &&
	TP_KCONFIG_EXTRA="$TP_TOP/dev/textpool-n.config $TP_TOP/dev/no-btf.config" \
		"$TP_TOP/dev/kbuild.sh" "$ntree" build 2>>"$out/build-n.err"; then
	if grep -q '^CONFIG_TEXTPOOL=y' "$ntree/.config" || grep -q ' textpool_alloc$' "$ntree/System.map"; then
		fail "build: CONFIG_TEXTPOOL=n (textpool is in the kernel all the same)"
	else
		pass "build: CONFIG_TEXTPOOL=n"
		boot "guest(CONFIG_TEXTPOOL=n)" "$ntree" check-n "$out/console-n.log" 600
		# textpool=off costs what the base costs (BPF in bpf_prog_pack).
		python3 "$TP_TOP/dev/figures.py" "guest(textpool=off) figures" \
			"$out/console-off.log" "$out/console-n.log" >>"$results" || true
	fi
else
	tail -n 30 "$out/build-n.err" >&2
	fail "build: CONFIG_TEXTPOOL=n"
fi

# Every test the sources define must have reported, in its boot.
if grep -q '^PASS build: kernel$' "$results"; then
	python3 "$TP_TOP/dev/expect.py" "$TP_TOP" "$results" >"$out/expect.out"
	cat "$out/expect.out" >>"$results"
	grep '^FAIL' "$out/expect.out" >&2 || true
fi

tp_summary "$results" "$out"
