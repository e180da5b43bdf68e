#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Does the kernel tree hold edits that are not saved in the repository?
# Edits to upstream files (committed in the tree or not) are saved by
# `make refresh`; new files belong in the repository, linked into the tree.
# Exits 0 when everything is saved, 1 (listing what is not) otherwise.

. "$(dirname "$0")/common.sh"

quiet=
[ "${1:-}" = --quiet ] && quiet=1
[ -d "$TP_TREE/.git" ] || exit 0
cd "$TP_TREE"
dirty=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
saved=$(cat .git/textpool-head 2>/dev/null || true)
head=$(git rev-parse HEAD)
[ -z "$dirty" ] && { [ -z "$saved" ] || [ "$saved" = "$head" ]; } && exit 0
if [ -z "$quiet" ]; then
	echo "The kernel tree $TP_TREE has edits that are not saved in patches/:" >&2
	[ -n "$dirty" ] && echo "$dirty" | head -n 20 | sed 's/^/    /' >&2
	[ -n "$saved" ] && [ "$saved" != "$head" ] &&
		git log --oneline "$saved..$head" | sed 's/^/    new commit: /' >&2
	echo "Save them with 'make refresh' (new files: move them into the repository)." >&2
fi
exit 1
