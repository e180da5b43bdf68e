#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Patch hygiene, a layer of make check:  hygiene.sh OUTDIR RESULTS
#   - make patch works and out/textpool-6.12.patch applies with patch -p1
#     to the pristine base;
#   - `git am` of out/series/ on a git checkout of the pristine base applies
#     every mail, and gives byte for byte what patch -p1 gave;
#   - every mail is signed off by its author, and scripts/checkpatch.pl
#     --strict is clean on it;
#   - the cover letter is complete: subject, Cc, table, no placeholder;
#   - scripts/kernel-doc -none reports nothing on our kernel files, and
#     every function of include/linux/textpool.h has kernel-doc.

. "$(dirname "$0")/common.sh"

out=$1
results=$2
pass() { echo "PASS hygiene: $*" >>"$results"; }
xbit() { if [ -x "$1" ]; then echo x; else echo -; fi; }
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

# git am, as a reader of the mails would, on a git checkout of the pristine
# base that holds the files the series touches (sparse, to stay fast); the
# cover letter carries no diff (--empty=drop).
am=$out/am
rm -rf "$am"
allfiles=$(sed -n -e 's|^--- a/||p' -e 's|^+++ b/||p' "$TP_OUT/textpool-6.12.patch" | sort -u)
if git clone -q --shared --no-checkout "$TP_BASE_GIT" "$am" 2>"$out/am.log" &&
	git -C "$am" sparse-checkout set --no-cone $allfiles >>"$out/am.log" 2>&1 &&
	git -C "$am" checkout -q -b am base >>"$out/am.log" 2>&1 &&
	git -C "$am" -c user.name=hygiene -c user.email=hygiene@localhost \
		am -q --empty=drop "$TP_OUT"/series/*.patch >>"$out/am.log" 2>&1; then
	pass "git am out/series/*.patch applies every mail to a git checkout of the base"
	same=1
	for f in $allfiles; do
		if ! cmp -s "$am/$f" "$base/$f" ||
			[ "$(xbit "$am/$f")" != "$(xbit "$base/$f")" ]; then
			echo "    differs: $f" >&2
			same=0
		fi
	done
	if [ "$(git -C "$am" rev-list --count base..am)" != "$(tp_series | grep -c .)" ]; then
		echo "    git am made $(git -C "$am" rev-list --count base..am) commits" >&2
		same=0
	fi
	if [ "$same" = 1 ]; then
		pass "git am of out/series gives the same files as patch -p1 of out/textpool-6.12.patch"
	else
		fail "git am of out/series gives the same files as patch -p1 of out/textpool-6.12.patch"
	fi
else
	sed 's/^/    /' "$out/am.log" | tail -n 20 >&2
	fail "git am out/series/*.patch applies every mail to a git checkout of the base"
fi

# The cover letter: patches/cover-letter with a subject, Cc from
# get_maintainer.pl, the shortlog and the measured table.
cover=$TP_OUT/series/0000-cover-letter.patch
nmails=$(ls "$TP_OUT"/series/0*.patch | grep -vc '/0000-cover-letter.patch$' || true)
why=
[ -f "$cover" ] || why="missing"
[ -z "$why" ] && grep -q '\*\*\*' "$cover" && why="a placeholder of git format-patch is left"
[ -z "$why" ] && ! grep -q "^Subject: \[PATCH 00/$nmails\] [a-z]" "$cover" && why="no subject [PATCH 00/$nmails]"
[ -z "$why" ] && ! grep -q '^Cc: .*<.*@.*>' "$cover" && why="no Cc"
[ -z "$why" ] && ! grep -q 'executable 4 KiB mappings' "$cover" && why="no table of measurements"
[ -z "$why" ] && ! grep -q "($nmails):\$" "$cover" && why="no shortlog of $nmails patches"
# It names nothing of ours that a reader of the mails cannot run.
[ -z "$why" ] && grep -nE 'make (check|bench|run|tree|patch|shell)|dev/|\.ci/' "$cover" >"$out/cover.log" &&
	why="it names tools that are not in the series: $(head -n 1 "$out/cover.log")"
if [ -z "$why" ]; then
	pass "cover letter out/series/0000-cover-letter.patch"
else
	fail "cover letter out/series/0000-cover-letter.patch: $why"
fi

cd "$TP_TREE"
for mail in "$TP_OUT"/series/*.patch; do
	[ -e "$mail" ] || continue
	name=$(basename "$mail")
	[ "$name" = 0000-cover-letter.patch ] && continue
	from=$(git mailinfo /dev/null /dev/null <"$mail" | sed -n -e 's/^Author: //p' -e 's/^Email: \(.*\)/<\1>/p' |
		paste -sd' ')
	if grep -qxF "Signed-off-by: $from" "$mail"; then
		pass "signed off by its author: $name"
	else
		fail "signed off by its author: $name (From: $from)"
	fi
	# spdxcheck.py wants the python3 of Debian (python3-ply).
	if PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --quiet --show-types \
		--ignore FILE_PATH_CHANGES "$mail" >"$out/checkpatch-$name.log" 2>&1; then
		pass "checkpatch --strict $name"
	else
		sed 's/^/    /' "$out/checkpatch-$name.log" | head -n 30 >&2
		fail "checkpatch --strict $name"
	fi
done

# Every function the public header declares has kernel-doc where it is
# defined (or in the header, for inline ones).
hdr=include/linux/textpool.h
declared=$(sed -e ':a' -e '/,$/{N;ba' -e '}' "$TP_TOP/$hdr" |
	sed -n -E 's/^(static inline )?[a-z_ ]+[ *]+([a-z_0-9]+)\(.*/\2/p' | sort -u)
srcs=$(cd "$TP_TOP" && git ls-files -co --exclude-standard -- mm arch | grep -E '\.c$' || true)
documented=$(cd "$TP_TOP" && perl "$TP_TREE/scripts/kernel-doc" -rst $hdr $srcs 2>/dev/null |
	sed -n -E 's/^\.\. c:function:: .*[ *]([a-z_0-9]+) ?\(.*/\1/p' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$documented"))
if [ -n "$declared" ] && [ -z "$missing" ]; then
	pass "kernel-doc for every function of $hdr ($(echo "$declared" | wc -l))"
else
	fail "kernel-doc for every function of $hdr: missing for $(echo $missing)"
fi

kfiles=$(cd "$TP_TOP" && git ls-files -co --exclude-standard -- mm arch kernel lib include | grep -E '\.[ch]$' || true)
for f in $kfiles; do
	if perl scripts/kernel-doc -none -Wall "$f" >"$out/kdoc.log" 2>&1 && ! [ -s "$out/kdoc.log" ]; then
		pass "kernel-doc $f"
	else
		sed 's/^/    /' "$out/kdoc.log" | head -n 20 >&2
		fail "kernel-doc $f"
	fi
done
