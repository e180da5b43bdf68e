#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Apply one patch of patches/ (a mail in `git format-patch` form) to the
# tree in the current directory as a commit of its own, keeping its author,
# date and message.  Unlike `git am` it also takes a mail with no diff: a
# change made only of new files of the overlay (see patches/overlay).

. "$(dirname "$0")/common.sh"

mail=$1
[ -f "$mail" ] || tp_die "no such patch: $mail"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git mailinfo -k "$tmp/msg" "$tmp/patch" <"$mail" >"$tmp/info"
subject=$(sed -n 's/^Subject: //p' "$tmp/info")
author=$(sed -n 's/^Author: //p' "$tmp/info")
email=$(sed -n 's/^Email: //p' "$tmp/info")
date=$(sed -n 's/^Date: //p' "$tmp/info")
[ -n "$subject" ] || tp_die "$mail has no Subject"
if [ -s "$tmp/patch" ]; then
	git apply --index --whitespace=nowarn "$tmp/patch" ||
		tp_die "$(basename "$mail") does not apply to $(pwd)"
fi
{ echo "$subject"; echo; cat "$tmp/msg"; } | git stripspace >"$tmp/commit"
GIT_AUTHOR_NAME="${author:-$GIT_AUTHOR_NAME}" GIT_AUTHOR_EMAIL="${email:-$GIT_AUTHOR_EMAIL}" \
GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" \
	git commit -q --allow-empty --no-verify -F "$tmp/commit"
