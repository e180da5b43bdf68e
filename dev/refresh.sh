#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make refresh: save edits to upstream files made in the kernel tree back
# into patches/.  Each commit base..HEAD of the tree becomes one patch (a
# mail in `git format-patch` form) and patches/series lists them in order.
#
# Edits not yet committed in the tree are first folded into a commit:
#   make refresh                  into the top patch (as quilt refresh does)
#   make refresh PATCH=NNNN-x     into that patch (fixup + autosquash)
#   make refresh NEW="subject"    as a new patch on top
# New files created in the tree are moved into the repository (they are
# ours, not upstream's) and linked back.

. "$(dirname "$0")/common.sh"

[ -d "$TP_TREE/.git" ] || tp_die "no kernel tree: run 'make tree' first"
cd "$TP_TREE"

# New files: move them into the repository, leave a link behind.
git ls-files --others --exclude-standard | while read -r f; do
	case " $TP_OVERLAY_DIRS " in
	*" ${f%%/*} "*) ;;
	*) tp_die "new file $f is outside the overlay directories ($TP_OVERLAY_DIRS)" ;;
	esac
	mkdir -p "$TP_TOP/$(dirname "$f")"
	mv "$f" "$TP_TOP/$f"
	ln -s "$TP_TOP/$f" "$f"
	echo "/$f" >>.git/info/exclude
	echo "$f" >>.git/textpool-overlay
	tp_info "moved new file $f into the repository"
done

if ! git diff --quiet HEAD; then
	if [ -n "${NEW:-}" ]; then
		git commit -q -a -s -m "$NEW"
		tp_info "new patch: $NEW"
	elif [ -n "${PATCH:-}" ]; then
		subject=$(git mailinfo -k /dev/null /dev/null <"$TP_TOP/patches/${PATCH%.patch}.patch" | sed -n 's/^Subject: //p')
		[ -n "$subject" ] || tp_die "no patch patches/${PATCH%.patch}.patch"
		target=$(git log --format='%H %s' base..HEAD | awk -v s="$subject" '{h=$1; $1=""; if (substr($0,2)==s) {print h; exit}}')
		[ -n "$target" ] || tp_die "no commit '$subject' in the tree"
		git commit -q -a --fixup="$target"
		GIT_SEQUENCE_EDITOR=: git rebase -q -i --autosquash base
	else
		[ "$(git rev-list --count base..HEAD)" -gt 0 ] ||
			tp_die "no patch to refresh yet: use make refresh NEW=\"subsys: subject\""
		git commit -q -a --amend --no-edit
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git format-patch -q --zero-commit --no-signature --no-stat --keep-subject \
	--full-index -o "$tmp" base..HEAD
# Keep the names stable: NNNN-subject.patch, numbered in series order.
{
	echo "# quilt series: our changes to upstream files, applied in this order."
	echo "# Each patch is a mail in git format-patch form; see README.md."
	(cd "$tmp" && ls -- *.patch 2>/dev/null || true)
} >"$TP_TOP/patches/series.new"
for f in "$TP_TOP"/patches/*.patch; do
	[ -e "$f" ] || continue
	[ -e "$tmp/$(basename "$f")" ] || { rm -f "$f"; tp_info "removed patches/$(basename "$f")"; }
done
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || continue
	cmp -s "$f" "$TP_TOP/patches/$(basename "$f")" || {
		cp "$f" "$TP_TOP/patches/"
		tp_info "wrote patches/$(basename "$f")"
	}
done
# Patches renumbered by the new order keep their lines in patches/overlay:
# a name is matched by what follows its number.
if [ -f "$TP_TOP/patches/overlay" ]; then
	for f in $(tp_series); do
		slug=${f#[0-9][0-9][0-9][0-9]-}
		to=$(grep -x "[0-9][0-9][0-9][0-9]-$slug" "$TP_TOP/patches/series.new" || true)
		if [ -n "$to" ] && [ "$to" != "$f" ] && [ "$(echo "$to" | wc -l)" = 1 ]; then
			sed -i "s/\b$f\b/@@$to/" "$TP_TOP/patches/overlay"
		fi
	done
	sed -i 's/@@//' "$TP_TOP/patches/overlay"
fi
mv "$TP_TOP/patches/series.new" "$TP_TOP/patches/series"
# The tree now matches patches/: record that, so make tree does not redo it.
(cd "$TP_TOP/patches" && cat series $(tp_series)) | sha256sum | cut -d' ' -f1 >.git/textpool-series
git rev-parse HEAD >.git/textpool-head
