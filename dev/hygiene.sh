#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Patch hygiene, a layer of make check:  hygiene.sh OUTDIR RESULTS
#   - make patch works and out/textpool-6.12.patch applies with patch -p1
#     to the pristine base;
#   - scripts/checkpatch.pl --strict is clean on every mail of out/series;
#   - scripts/kernel-doc -none reports nothing on our kernel files.

. "$(dirname "$0")/common.sh"

out=$1
results=$2
pass() { echo "PASS hygiene: $*" >>"$results"; }
fail() { echo "FAIL hygiene: $*" >>"$results"; echo "FAIL hygiene: $*" >&2; }

if ! "$TP_TOP/dev/mkpatch.sh" 2>"$out/mkpatch.log"; then
	cat "$out/mkpatch.log" >&2
	fail "make patch"
	exit 1
fi
pass "make patch"

# Apply to the pristine base: the files the patch touches, taken from the
# base commit, with patch(1) itself.
base=$out/pristine
rm -rf "$base"
mkdir -p "$base"
files=$(sed -n 's|^--- a/||p' "$TP_OUT/textpool-6.12.patch" | sort -u)
if [ -n "$files" ]; then
	git -C "$TP_BASE_GIT" archive base -- $files | tar -x -C "$base"
fi
if (cd "$base" && patch -p1 -s --dry-run <"$TP_OUT/textpool-6.12.patch") >"$out/apply.log" 2>&1 &&
	(cd "$base" && patch -p1 -s <"$TP_OUT/textpool-6.12.patch") >>"$out/apply.log" 2>&1; then
	pass "out/textpool-6.12.patch applies to the pristine base with patch -p1"
else
	cat "$out/apply.log" >&2
	fail "out/textpool-6.12.patch applies to the pristine base with patch -p1"
fi

cd "$TP_TREE"
for mail in "$TP_OUT"/series/*.patch; do
	[ -e "$mail" ] || continue
	name=$(basename "$mail")
	# spdxcheck.py wants the python3 of Debian (python3-ply).
	if PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --no-signoff --quiet --show-types \
		--ignore FILE_PATH_CHANGES "$mail" >"$out/checkpatch-$name.log" 2>&1; then
		pass "checkpatch --strict $name"
	else
		sed 's/^/    /' "$out/checkpatch-$name.log" | head -n 30 >&2
		fail "checkpatch --strict $name"
	fi
done

kfiles=$(cd "$TP_TOP" && git ls-files -co --exclude-standard -- mm arch kernel lib include | grep -E '\.[ch]$' || true)
for f in $kfiles; do
	if perl scripts/kernel-doc -none -Wall "$f" >"$out/kdoc.log" 2>&1 && ! [ -s "$out/kdoc.log" ]; then
		pass "kernel-doc $f"
	else
		sed 's/^/    /' "$out/kdoc.log" | head -n 20 >&2
		fail "kernel-doc $f"
	fi
done
