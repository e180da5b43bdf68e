#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the pinned base (Debian's linux-source-6.12 package), check it by
# sha256 and unpack it once into a bare git repository in the cache whose
# only commit, tagged "base", is the pristine source.  Idempotent.

. "$(dirname "$0")/common.sh"

if git -C "$TP_BASE_GIT" rev-parse -q --verify base >/dev/null 2>&1; then
	exit 0
fi

cd "$TP_CACHE"
deb=$TP_CACHE/$TP_BASE_DEB
if [ ! -f "$deb" ] || ! echo "$TP_BASE_SHA256  $deb" | sha256sum -c --quiet - 2>/dev/null; then
	rm -f "$deb"
	tp_info "downloading $TP_BASE_PKG=$TP_BASE_VERSION"
	if ! apt-get download "$TP_BASE_PKG=$TP_BASE_VERSION" >"$TP_CACHE/download.log" 2>&1; then
		apt-get update -q >>"$TP_CACHE/download.log" 2>&1 || true
		apt-get download "$TP_BASE_PKG=$TP_BASE_VERSION" >>"$TP_CACHE/download.log" 2>&1 ||
			tp_die "cannot download Debian package $TP_BASE_PKG version $TP_BASE_VERSION (the pinned base); see $TP_CACHE/download.log"
	fi
	[ -f "$deb" ] || tp_die "apt-get download did not produce $TP_BASE_DEB"
	echo "$TP_BASE_SHA256  $deb" | sha256sum -c --quiet - ||
		tp_die "$TP_BASE_DEB does not have the pinned sha256 $TP_BASE_SHA256"
fi

tp_info "unpacking $TP_BASE_DEB"
work=$(mktemp -d "$TP_CACHE/unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$work" ./usr/src/linux-source-6.12.tar.xz
tar -xf "$work/usr/src/linux-source-6.12.tar.xz" -C "$work"
src=$work/linux-source-6.12
[ -f "$src/Makefile" ] || tp_die "unexpected layout in $TP_BASE_DEB"

tp_info "creating $TP_BASE_GIT"
git -C "$src" init -q
git -C "$src" config core.autocrlf false
# Take every file of the package, even those upstream's .gitignore names.
git -C "$src" add -f -A .
GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
	git -C "$src" commit -q -m "Linux 6.12.117 (Debian $TP_BASE_PKG $TP_BASE_VERSION)"
git -C "$src" tag base
rm -rf "$TP_BASE_GIT.tmp"
git clone -q --bare "$src" "$TP_BASE_GIT.tmp"
mv "$TP_BASE_GIT.tmp" "$TP_BASE_GIT"
