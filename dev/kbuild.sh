#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build a kernel tree for the guest:
#   kbuild.sh TREE config   tinyconfig + the selftest fragment + dev/guest.config
#   kbuild.sh TREE build    bzImage and modules, incrementally, with ccache
#   kbuild.sh TREE w1 OBJ.. those objects rebuilt with W=1, warning-free
# TP_KCONFIG_EXTRA names more fragments, merged last (make check-debug, the
# CONFIG_TEXTPOOL=n build of make check); a symbol's last value wins.
# TP_KCONFIG_LAX=1 lets a textpool tree lack what the fragments ask for
# (make check-series: the first patches have no textpool options yet).
# The configuration is redone only when one of its fragments changed.

. "$(dirname "$0")/common.sh"

tree=$(cd "$1" && pwd)
what=$2
cd "$tree"
frags="$TP_TOP/tools/testing/selftests/textpool/config $TP_TOP/dev/guest.config ${TP_KCONFIG_EXTRA:-}"
export CCACHE_BASEDIR=$TP_BUILD CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros,include_file_mtime
export KBUILD_BUILD_USER=textpool KBUILD_BUILD_HOST=guest
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
jobs=$(( $(nproc) + 1 ))

config() {
	local sum
	# Redo it when a fragment or the tree's patches (Kconfig) changed.
	sum=$({ cat $frags; git rev-parse HEAD 2>/dev/null; } | sha256sum | cut -d' ' -f1)
	if [ -f .config ] && [ "$(cat .config.textpool 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	tp_info "configuring $(basename "$tree")"
	make -s CC="$cc" tinyconfig >/dev/null
	KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -O . .config $frags >/dev/null
	make -s CC="$cc" olddefconfig >/dev/null
	# What the fragments asked for but this tree could not give: an error
	# on the textpool tree (a test would silently not be built), a note on
	# the pristine base (which has no textpool options).
	local sym val got missing="" strict="" kind=note
	if [ -z "${TP_KCONFIG_LAX:-}" ] && { git cat-file -e HEAD:mm/textpool.c 2>/dev/null || [ -e mm/textpool.c ]; }; then
		strict=1
		kind=error
	fi
	while IFS== read -r sym val; do
		got=$(grep -E "^$sym=" .config | cut -d= -f2- || true)
		[ "$val" = n ] && [ -z "$got" ] && continue
		[ "$got" = "$val" ] && continue
		[ -z "$strict" ] && [ "${sym#CONFIG_TEXTPOOL}" != "$sym" ] && continue
		echo "  $kind: $sym=$val requested, got '${got:-unset}'" >&2
		missing="$missing $sym"
	done < <(cat $frags | grep -E '^CONFIG_[A-Z0-9_]+=' |
		awk -F= '!($1 in v) { k[++n] = $1 } { v[$1] = $0 } END { for (i = 1; i <= n; i++) print v[k[i]] }')
	if [ -n "$strict" ] && [ -n "$missing" ]; then
		rm -f .config.textpool
		tp_die "the configuration lacks what the test fragments ask for:$missing"
	fi
	echo "$sum" >.config.textpool
}

case $what in
config) config ;;
build)
	config
	tp_info "building $(basename "$tree") (make -j$jobs)"
	if ! make -s -j"$jobs" CC="$cc" bzImage modules >"$tree/build.log" 2>&1; then
		grep -E -B2 -A6 'error:|Error [0-9]' "$tree/build.log" | head -n 60 >&2
		tp_die "kernel build failed; the whole log is $tree/build.log"
	fi
	grep -E 'warning:' "$tree/build.log" | head -n 20 >&2 || true
	;;
w1)
	# Our objects again with W=1 (make check): they must be warning-free.
	shift 2
	config
	make -s -j"$jobs" CC="$cc" W=1 "$@" >"$tree/build-w1.log" 2>&1 ||
		{ tail -n 30 "$tree/build-w1.log" >&2; tp_die "W=1 build failed"; }
	if grep -E 'warning:' "$tree/build-w1.log" >&2; then
		tp_die "W=1 warnings in $*"
	fi
	;;
*) tp_die "usage: kbuild.sh TREE config|build|w1 OBJ..." ;;
esac
