#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-series: the series is bisectable.
#   1. make patch exports the series as commits of the kernel tree's
#      repository, one per mail, new files included (what `git am` of
#      out/series/ gives);
#   2. build/series, a worktree of that repository, checks out each of them
#      in turn and builds it with the guest's configuration, incrementally
#      (ccache): every prefix of the series must build.  Options a patch
#      does not have yet stay off (the first patches have no textpool);
#      without debug information and BTF (dev/no-btf.config), which the
#      guest has for bpf_users.sh but which would make 22 builds slower;
#   3. the whole series again with CONFIG_TEXTPOOL=y but without the KUnit
#      suites, the microbenchmark and the stress test.
# (The CONFIG_TEXTPOOL=n build, and its boot, are part of make check.)
# Prints the time of each build and the first patch that breaks; ends with
# "check-series: N passed, N failed, N skipped in S s" and exits non-zero on a failure.
# FROM=NNNN starts at that patch (when the ones before passed already).

. "$(dirname "$0")/common.sh"

"$TP_TOP/dev/tree-status.sh" ||
	tp_die "refusing to run on unsaved edits in the kernel tree"
out=$TP_BUILD/check-series
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
start=$(date +%s)

"$TP_TOP/dev/mkpatch.sh" >"$out/mkpatch.log" 2>&1 ||
	{ cat "$out/mkpatch.log" >&2; tp_die "make patch failed"; }
export_commit=$(cat "$TP_OUT/.export-commit")
commits=$(git -C "$TP_TREE" rev-list --reverse "base..$export_commit")
names=$(tp_series)
[ "$(echo "$commits" | wc -l)" = "$(echo "$names" | wc -l)" ] ||
	tp_die "make patch exported $(echo "$commits" | wc -l) commits for $(echo "$names" | wc -l) patches"

# Start from a clean worktree: objects left by an earlier run must not
# stand in for a file that an early patch does not have yet (ccache makes
# the first build cheap again).
stree=$TP_BUILD/series
if [ -d "$stree" ]; then
	git -C "$stree" clean -fdxq 2>/dev/null || rm -rf "$stree"
fi
broken=
set -- $names
for c in $commits; do
	name=$1
	shift
	if [ -n "${FROM:-}" ] && [[ $name < $FROM ]]; then
		echo "SKIP check-series: $name builds (FROM=$FROM)" | tee -a "$results" >&2
		continue
	fi
	t0=$(date +%s)
	if tp_worktree "$stree" "$c" 2>"$out/$name.log" &&
		TP_KCONFIG_LAX=1 TP_KCONFIG_EXTRA="$TP_TOP/dev/no-btf.config" \
			"$TP_TOP/dev/kbuild.sh" "$stree" build 2>>"$out/$name.log"; then
		echo "PASS check-series: $name builds ($(( $(date +%s) - t0 )) s)" | tee -a "$results" >&2
	else
		echo "FAIL check-series: $name builds" | tee -a "$results" >&2
		sed 's/^/    /' "$out/$name.log" | tail -n 30 >&2
		cp "$stree/build.log" "$out/$name.build.log" 2>/dev/null || true
		broken=$name
		break
	fi
done

if [ -z "$broken" ]; then
	t0=$(date +%s)
	if TP_KCONFIG_EXTRA="$TP_TOP/dev/series-nokunit.config $TP_TOP/dev/no-btf.config" \
		"$TP_TOP/dev/kbuild.sh" "$stree" build 2>"$out/nokunit.log" &&
		grep -q '^CONFIG_TEXTPOOL=y' "$stree/.config" &&
		! grep -qE '^CONFIG_(TEXTPOOL_KUNIT_TEST|BPF_PROG_PACK_KUNIT_TEST|TEXTPOOL_BENCH|TEST_TEXTPOOL)=[ym]' \
			"$stree/.config"; then
		echo "PASS check-series: CONFIG_TEXTPOOL=y without the KUnit suites, the benchmark and the stress test builds ($(( $(date +%s) - t0 )) s)" |
			tee -a "$results" >&2
	else
		echo "FAIL check-series: CONFIG_TEXTPOOL=y without the KUnit suites, the benchmark and the stress test builds" |
			tee -a "$results" >&2
		sed 's/^/    /' "$out/nokunit.log" | tail -n 30 >&2
	fi
fi

[ -n "$broken" ] && echo "the first patch that breaks the build: $broken (log: $out/$broken.log)"
tp_summary "$results" "$out" "check-series: " " in $(( $(date +%s) - start )) s"
