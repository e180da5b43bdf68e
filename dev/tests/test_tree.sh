#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the tree workflow (make tree / refresh / patch and the
# unsaved-edits guard) on a tiny fake base, so that they run in seconds.
# TAP output.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
check() { local d=$1; shift; "$@" >>"$T/log" 2>&1; ok $? "$d"; }
refuse() { local d=$1; shift; ! "$@" >>"$T/log" 2>&1; ok $? "$d"; }

export TEXTPOOL_CACHE=$T/cache GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
R=$T/repo
export TP_BUILD=$R/build
mkdir -p "$R/patches" "$T/base/mm" "$T/base/include/linux"
cp -r "$here" "$R/dev"
printf 'obj-y += a.o\n' >"$T/base/mm/Makefile"
printf '#define A 1\n' >"$T/base/include/linux/a.h"
# The fake base's get_maintainer.pl names one maintainer per mail.
mkdir -p "$T/base/scripts"
printf 'print "Mm Maintainer <mm\\@example.org>\\n";\n' >"$T/base/scripts/get_maintainer.pl"
git -C "$T/base" init -q && git -C "$T/base" add -A &&
	git -C "$T/base" commit -qm base && git -C "$T/base" tag base
mkdir -p "$T/cache" && git clone -q --bare "$T/base" "$T/cache/linux-6.12.117.git"
git -C "$R" init -q
printf '/build/\n/out/\n' >"$R/.gitignore"
mkdir -p "$R/mm" && printf 'int b;\n' >"$R/mm/b.c"
printf '# series\n' >"$R/patches/series"
printf 'mm: the b subsystem\n\nWhy b.\n' >"$R/patches/cover-letter"
printf 'mm/*  0001-mm-build-b.patch\n' >"$R/patches/overlay"
tree=$TP_BUILD/linux

check "make tree makes a tree" "$R/dev/mktree.sh"
[ -L "$tree/mm/b.c" ] && [ "$(readlink "$tree/mm/b.c")" = "$R/mm/b.c" ]
ok $? "new files are links into the repository"
check "a fresh tree is clean" "$R/dev/tree-status.sh"
[ -z "$(git -C "$tree" status --porcelain)" ]
ok $? "overlay links are invisible to the tree's git"

echo 'obj-y += b.o' >>"$tree/mm/Makefile"
refuse "an unsaved edit is reported" "$R/dev/tree-status.sh"
refuse "refresh without a patch asks for NEW" "$R/dev/refresh.sh"
check "refresh NEW= saves the edit as a patch" env NEW="mm: build b" "$R/dev/refresh.sh"
[ -f "$R/patches/0001-mm-build-b.patch" ] && grep -qx '0001-mm-build-b.patch' "$R/patches/series"
ok $? "the patch is written and listed in the series"
check "after refresh the tree is clean" "$R/dev/tree-status.sh"

echo 'obj-y += c.o' >>"$tree/mm/Makefile"
check "refresh folds an edit into the top patch" "$R/dev/refresh.sh"
grep -q '^+obj-y += c.o' "$R/patches/0001-mm-build-b.patch"
ok $? "the top patch holds the new edit"
[ "$(git -C "$tree" rev-list --count base..HEAD)" = 1 ]
ok $? "still one patch"

printf 'int d;\n' >"$tree/mm/d.c"
check "refresh moves a new file of the tree into the repository" "$R/dev/refresh.sh"
[ -f "$R/mm/d.c" ] && [ -L "$tree/mm/d.c" ]
ok $? "the new file is in the repository and linked back"

echo 'obj-y += e.o' >"$tree/mm/Makefile.e"
git -C "$tree" add mm/Makefile.e && git -C "$tree" commit -qm "mm: second" &&
	GIT_SEQUENCE_EDITOR='f() { grep ^pick "$1" | tac >"$1.n"; mv "$1.n" "$1"; }; f' \
	git -C "$tree" rebase -q -i base >>"$T/log" 2>&1
check "refresh after reordering the tree's commits" "$R/dev/refresh.sh"
[ "$(grep -v '^#' "$R/patches/series" | tr '\n' ' ')" = "0001-mm-second.patch 0002-mm-build-b.patch " ]
ok $? "the series is renumbered in the new order"
grep -q '^mm/\*  0002-mm-build-b.patch$' "$R/patches/overlay"
ok $? "patches/overlay follows the renumbered patch"
GIT_SEQUENCE_EDITOR='f() { grep ^pick "$1" | tac | head -n 1 >"$1.n"; mv "$1.n" "$1"; }; f' \
	git -C "$tree" rebase -q -i base >>"$T/log" 2>&1
check "refresh after dropping a commit" "$R/dev/refresh.sh"
[ ! -e "$R/patches/0001-mm-second.patch" ] && grep -q '^mm/\*  0001-mm-build-b.patch$' "$R/patches/overlay"
ok $? "a dropped patch is removed and the other renumbered"

check "make patch" "$R/dev/mkpatch.sh"
mkdir -p "$T/pristine" && git -C "$T/base" archive base | tar -x -C "$T/pristine"
(cd "$T/pristine" && patch -p1 -s <"$R/out/textpool-6.12.patch") >>"$T/log" 2>&1
ok $? "out/textpool-6.12.patch applies with patch -p1 to the base"
grep -q 'int d;' "$T/pristine/mm/d.c" && grep -q 'c.o' "$T/pristine/mm/Makefile"
ok $? "the patch carries new files and upstream edits"
[ "$(ls "$R/out/series" | wc -l)" = 2 ] && grep -q '^Subject: \[PATCH[^]]*\] mm: build b' "$R/out/series/0001-"*.patch
ok $? "out/series has one mail per logical change and a cover letter"
c=$R/out/series/0000-cover-letter.patch
grep -q '^Subject: \[PATCH 0/1\] mm: the b subsystem$' "$c" && grep -qx 'Why b.' "$c" &&
	grep -qx 'Cc: Mm Maintainer <mm@example.org>' "$c" && ! grep -q '\*\*\*' "$c"
ok $? "the cover letter is patches/cover-letter with get_maintainer.pl's Cc"
mv "$R/patches/cover-letter" "$T/cover-letter"
refuse "make patch refuses without patches/cover-letter" "$R/dev/mkpatch.sh"
mv "$T/cover-letter" "$R/patches/cover-letter"

mkdir -p "$R/include/linux" && printf 'x\n' >"$R/include/linux/new.h"
refuse "make patch refuses a new file assigned to no patch" "$R/dev/mkpatch.sh"
rm -f "$R/include/linux/new.h"
mkdir -p "$R/include/linux" && printf '#define A 2\n' >"$R/include/linux/a.h"
refuse "make tree refuses a repository file that exists upstream" "$R/dev/mktree.sh"
rm -f "$R/include/linux/a.h"

echo '# unsaved' >>"$tree/mm/Makefile"
printf '# changed\n' >>"$R/patches/series"
refuse "make tree will not drop unsaved edits when patches/ changed" "$R/dev/mktree.sh"
git -C "$tree" checkout -q -- mm/Makefile
check "make tree re-applies a changed series" "$R/dev/mktree.sh"

rm -rf "$TP_BUILD"
check "a new tree from patches/ alone" "$R/dev/mktree.sh"
grep -q 'c.o' "$tree/mm/Makefile"
ok $? "the new tree has the saved edits"
[ "$(git -C "$tree" log -1 --format=%s)" = "mm: build b" ]
ok $? "one commit per patch, with its subject"

echo "1..$n"
[ "$failed" = 0 ] || { echo "# log:"; sed 's/^/# /' "$T/log" | tail -n 30; }
exit "$failed"
