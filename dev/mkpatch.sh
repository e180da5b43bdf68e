#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make patch: export textpool as
#   out/textpool-6.12.patch  one patch, applies with `patch -p1` to the base
#   out/series/              the same in `git format-patch` form, one logical
#                            change per mail
# Each mail is a patch of patches/series plus the new files that
# patches/overlay assigns to it, and out/series/0000-cover-letter.patch is
# patches/cover-letter (its first line is the subject) with the shortlog,
# the diffstat and, as Cc, what scripts/get_maintainer.pl names for every
# mail.  Nothing in the working tree is touched: the export is built in a
# private index of the kernel tree's repository.

. "$(dirname "$0")/common.sh"

[ -d "$TP_TREE/.git" ] || tp_die "no kernel tree: run 'make tree' first"
map=$TP_TOP/patches/overlay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Which mail does each new file belong to?  (first matching glob wins)
overlay=$(cd "$TP_TOP" && git ls-files -co --exclude-standard -- $TP_OVERLAY_DIRS)
: >"$tmp/assign"
for f in $overlay; do
	p=$(sed -e 's/#.*//' "$map" 2>/dev/null | awk -v f="$f" 'NF == 2 {print $1, $2}' |
		while read -r glob patch; do
			# shellcheck disable=SC2053
			[[ $f == $glob ]] && { echo "$patch"; break; }
		done || true)
	[ -n "$p" ] || { echo "$f" >>"$tmp/unassigned"; continue; }
	tp_series | grep -qxF "$p" || tp_die "patches/overlay assigns $f to $p, which is not in patches/series"
	echo "$p $f" >>"$tmp/assign"
done
[ -s "$tmp/unassigned" ] &&
	tp_die "new files not assigned to a patch in patches/overlay: $(tr '\n' ' ' <"$tmp/unassigned")"

export GIT_DIR=$TP_TREE/.git
export GIT_INDEX_FILE=$tmp/index

# The tree's commits base..HEAD are the patches of the series, in order.
commits=$(git rev-list --reverse base..HEAD)
[ "$(echo "$commits" | grep -c .)" = "$(tp_series | grep -c .)" ] ||
	tp_die "the tree does not match patches/series: run 'make tree' (or 'make refresh')"
parent=$(git rev-parse base)
git read-tree base
set -- $(tp_series)
for c in $commits; do
	p=$1
	shift
	git read-tree "$c"
	awk -v p="$p" '$1 == p {print $2}' "$tmp/assign" >>"$tmp/added"
	while read -r f; do
		mode=100644
		[ -x "$TP_TOP/$f" ] && mode=100755
		git update-index --add --cacheinfo "$mode,$(git hash-object -w "$TP_TOP/$f"),$f"
	done <"$tmp/added"
	tree=$(git write-tree)
	git log -1 --format=%B "$c" >"$tmp/msg"
	parent=$(GIT_AUTHOR_NAME="$(git log -1 --format=%an "$c")" \
		GIT_AUTHOR_EMAIL="$(git log -1 --format=%ae "$c")" \
		GIT_AUTHOR_DATE="$(git log -1 --format=%aD "$c")" \
		GIT_COMMITTER_DATE="$(git log -1 --format=%aD "$c")" \
		git commit-tree "$tree" -p "$parent" -F "$tmp/msg")
done

rm -rf "$TP_OUT/series"
mkdir -p "$TP_OUT/series"
git diff --no-color --no-renames base "$parent" >"$TP_OUT/textpool-6.12.patch"
cover=$TP_TOP/patches/cover-letter
[ -s "$cover" ] || tp_die "no patches/cover-letter"
git format-patch -q --numbered --zero-commit --no-signature --no-renames \
	--cover-letter -o "$TP_OUT/series" base.."$parent"
# Cc: everyone get_maintainer.pl names for any mail, in one folded header.
(cd "$TP_TREE" && for mail in "$TP_OUT"/series/0*.patch; do
	case $mail in */0000-cover-letter.patch) continue ;; esac
	perl scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats \
		--no-tree "$mail"
done) | awk '!seen[$0]++' >"$tmp/cc"
[ -s "$tmp/cc" ] || tp_die "scripts/get_maintainer.pl named nobody"
python3 - "$TP_OUT/series/0000-cover-letter.patch" "$cover" "$tmp/cc" <<'PY'
import sys
mail_path, cover_path, cc_path = sys.argv[1:]
mail = open(mail_path).read()
lines = open(cover_path).read().rstrip('\n').split('\n')
subject, body = lines[0], '\n'.join(lines[1:]).strip('\n')
cc = [l for l in open(cc_path).read().split('\n') if l]
for placeholder in ('*** SUBJECT HERE ***', '*** BLURB HERE ***'):
    if mail.count(placeholder) != 1:
        sys.exit('mkpatch: no %s in the cover letter git wrote' % placeholder)
mail = mail.replace('*** SUBJECT HERE ***', subject)
mail = mail.replace('*** BLURB HERE ***', body)
head, sep, rest = mail.partition('\n\n')
head += '\nCc: ' + ',\n    '.join(cc)
open(mail_path, 'w').write(head + sep + rest)
PY
echo "$parent" >"$TP_OUT/.export-commit"
tp_info "wrote out/textpool-6.12.patch ($(grep -c '^diff --git' "$TP_OUT/textpool-6.12.patch") files) and $(ls "$TP_OUT/series" | wc -l) mails in out/series/ (with the cover letter)"
