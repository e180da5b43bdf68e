# SPDX-License-Identifier: GPL-2.0
# Shared settings of the textpool driver scripts; sourced, never run.

set -euo pipefail

TP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TP_BASE_PKG=linux-source-6.12
TP_BASE_VERSION=6.12.117-1~deb12u1
TP_BASE_SHA256=e849faf31ca3555757f3a8877cb01af92122f744f75d1f3102734651c4e14703
TP_BASE_DEB=${TP_BASE_PKG}_${TP_BASE_VERSION}_all.deb
TP_CACHE=${TEXTPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textpool}
TP_BASE_GIT=$TP_CACHE/linux-6.12.117.git
TP_BUILD=${TP_BUILD:-$TP_TOP/build}
# TP_TREE_DIR: another textpool tree (make check-debug's build/linux-debug).
TP_TREE=${TP_TREE_DIR:-$TP_BUILD/linux}
TP_DEBUG_TREE=$TP_BUILD/linux-debug
TP_BASE_TREE=$TP_BUILD/linux-base
# The mainline peer of make bench: Debian's linux-source-7.3 from
# trixie-backports (2026-12-02: 7.3.4-1~bpo13+1; only experimental had a 7.3,
# an -rc, when the bench was first written), fetched with apt through a
# private configuration (dev/fetch-base.sh --mainline) that adds that suite
# of the archive this machine uses, pinned by version and sha256 like the base.
TP_ML_PKG=linux-source-7.3
TP_ML_VERSION=7.3.4-1~bpo13+1
TP_ML_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
TP_ML_SUITE=trixie-backports
TP_ML_DEB=${TP_ML_PKG}_${TP_ML_VERSION}_all.deb
TP_ML_GIT=$TP_CACHE/linux-7.3.4.git
TP_ML_TREE=$TP_BUILD/linux-7.3
TP_OUT=$TP_TOP/out

# Directories of the repository that hold new kernel files (the overlay).
TP_OVERLAY_DIRS="Documentation arch include kernel lib mm tools"

# The project's one identity: the From: and Signed-off-by: of every patch,
# and the identity of commits made in the kernel trees, so that patches
# exported from them do not depend on who ran the scripts.
TP_IDENT_NAME="Seed 8ec68ea5 maintainers"
TP_IDENT_EMAIL="maintainers@users.noreply.r-seed-8ec68ea5.example"
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-$TP_IDENT_NAME}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-$TP_IDENT_EMAIL}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
export GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL

tp_die() {
	echo "error: $*" >&2
	exit 1
}

tp_info() {
	echo "  $*" >&2
}

# The patches of patches/series, in order.
tp_series() {
	[ -f "$TP_TOP/patches/series" ] || return 0
	sed -e 's/#.*//' "$TP_TOP/patches/series" | awk 'NF {print $1}'
}

# Install Debian packages that are missing; say so clearly when not root.
tp_need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		tp_die "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
	fi
	tp_info "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$TP_CACHE/apt.log" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$TP_CACHE/apt.log" 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$TP_CACHE/apt.log" 2>&1 ||
			{ tail -n 20 "$TP_CACHE/apt.log" >&2; tp_die "apt-get install ${missing[*]} failed"; }
	fi
}

# Everything the build and the guest need from Debian.
TP_HOST_PKGS="build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils
kmod ccache qemu-system-x86 busybox-static numactl python3 python3-docutils git
perl jq shellcheck util-linux rsync python3-ply python3-git gnuplot-nox
dwarves clang bpftool libbpf-dev zlib1g-dev libzstd-dev binutils-dev"

# tp_summary RESULTS LOGDIR [PREFIX [SUFFIX]]: the failed tests by name,
# then "PREFIXN passed, N failed, N skipped SUFFIX"; false if any failed.
tp_summary() {
	local results=$1 npass nfail nskip
	npass=$(grep -c '^PASS' "$results" || true)
	nfail=$(grep -c '^FAIL' "$results" || true)
	nskip=$(grep -c '^SKIP' "$results" || true)
	if [ "$nfail" -gt 0 ]; then
		echo
		echo "Failed:"
		grep '^FAIL' "$results" | sed 's/^FAIL /  /'
	fi
	echo "logs: $2"
	echo "${3:-}$npass passed, $nfail failed, $nskip skipped${4:-}"
	[ "$nfail" = 0 ]
}

mkdir -p "$TP_CACHE"

# tp_worktree DIR COMMIT: DIR is a worktree of the kernel tree's repository
# with COMMIT checked out (an export commit of make patch: base, patches and
# new files as real files).  Only changed files are rewritten, so builds in
# DIR stay incremental.  A worktree orphaned by a rebuilt tree is redone.
tp_worktree() {
	local dir=$1 commit=$2
	if ! git -C "$dir" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
		[ "$(git -C "$dir" rev-parse --git-common-dir 2>/dev/null)" != "$TP_TREE/.git" ]; then
		rm -rf "$dir"
		git -C "$TP_TREE" worktree prune
		git -C "$TP_TREE" worktree add -q --detach "$dir" "$commit" ||
			tp_die "cannot make a worktree in $dir"
	fi
	git -C "$dir" checkout -q --detach "$commit" ||
		tp_die "cannot check out $commit in $dir"
}
