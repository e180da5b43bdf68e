#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the pinned base (Debian's linux-source-6.12 package), check it by
# sha256 and unpack it once into a bare git repository in the cache whose
# only commit, tagged "base", is the pristine source.  Idempotent.
#   fetch-base.sh              the 6.12 base
#   fetch-base.sh --mainline   mainline 7.3 for make bench (TP_ML_* of
#                              common.sh), from a suite this machine's apt
#                              does not list: apt runs with a private
#                              configuration (sources, lists and cache in
#                              the textpool cache), the system's apt state
#                              is neither read for it nor changed.

. "$(dirname "$0")/common.sh"

pkg=$TP_BASE_PKG version=$TP_BASE_VERSION sha=$TP_BASE_SHA256
debname=$TP_BASE_DEB gitdir=$TP_BASE_GIT
apt=(apt-get)
if [ "${1:-}" = --mainline ]; then
	pkg=$TP_ML_PKG version=$TP_ML_VERSION sha=$TP_ML_SHA256
	debname=$TP_ML_DEB gitdir=$TP_ML_GIT
	priv=$TP_CACHE/apt-$TP_ML_SUITE
	mkdir -p "$priv/etc" "$priv/lists/partial" "$priv/archives/partial"
	# The archive this machine already uses, with the suite added.
	mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -oE 'https?://[^ ]*/debian/?( |$)' | head -n 1 || true)
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} $TP_ML_SUITE main" \
		>"$priv/etc/sources.list"
	apt=(apt-get -o "Dir::Etc::sourcelist=$priv/etc/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$priv/lists" -o "Dir::Cache=$priv" -o "Dir::Cache::archives=$priv/archives"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
fi

if git -C "$gitdir" rev-parse -q --verify base >/dev/null 2>&1; then
	exit 0
fi

cd "$TP_CACHE"
deb=$TP_CACHE/$debname
if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --quiet - 2>/dev/null; then
	rm -f "$deb"
	tp_info "downloading $pkg=$version"
	if ! "${apt[@]}" download "$pkg=$version" >"$TP_CACHE/download.log" 2>&1; then
		"${apt[@]}" update -q >>"$TP_CACHE/download.log" 2>&1 || true
		"${apt[@]}" download "$pkg=$version" >>"$TP_CACHE/download.log" 2>&1 ||
			tp_die "cannot download Debian package $pkg version $version (pinned); see $TP_CACHE/download.log"
	fi
	[ -f "$deb" ] || tp_die "apt-get download did not produce $debname"
	echo "$sha  $deb" | sha256sum -c --quiet - ||
		tp_die "$debname does not have the pinned sha256 $sha"
fi

tp_info "unpacking $debname"
work=$(mktemp -d "$TP_CACHE/unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$work" "./usr/src/$pkg.tar.xz"
tar -xf "$work/usr/src/$pkg.tar.xz" -C "$work"
src=$work/$pkg
[ -f "$src/Makefile" ] || tp_die "unexpected layout in $debname"

tp_info "creating $gitdir"
git -C "$src" init -q
git -C "$src" config core.autocrlf false
# Take every file of the package, even those upstream's .gitignore names.
git -C "$src" add -f -A .
GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
	git -C "$src" commit -q -m "Linux ${pkg#linux-source-} (Debian $pkg $version)"
git -C "$src" tag base
rm -rf "$gitdir.tmp"
git clone -q --bare "$src" "$gitdir.tmp"
mv "$gitdir.tmp" "$gitdir"
