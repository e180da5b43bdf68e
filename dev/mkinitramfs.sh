#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs for a kernel tree:
#   mkinitramfs.sh TREE OUT.cpio.gz
# busybox-static, our /init and guest scripts, statically linked test
# programs (dev/guest/*.c, textpoolctl, the textpool kselftests), numactl
# with the libraries it needs, and the tree's modules.

. "$(dirname "$0")/common.sh"

tree=$1
out=$2
work=$TP_BUILD/initramfs.$(basename "$tree")
rm -rf "$work"
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,tp,proc,sys,dev,tmp,run,modules,lib64}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$TP_TOP/dev/guest/init" "$root/init"
for f in "$TP_TOP"/dev/guest/*.sh; do
	install -m 755 "$f" "$root/tp/"
done
install -m 755 "$TP_TOP/dev/guest/tp-mappings" "$root/usr/bin/"
for c in "$TP_TOP"/dev/guest/*.c; do
	gcc -static -O2 -Wall -Werror -o "$root/usr/bin/$(basename "$c" .c)" "$c" -lm
done

# install_bin BIN NAME: BIN as /usr/bin/NAME, with what it links against.
install_bin() {
	install -m 755 "$1" "$root/usr/bin/$2"
	ldd "$1" | awk '/=>/ {print $3} /ld-linux/ {print $1}' | while read -r lib; do
		[ -f "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# numactl and Debian's bpftool (bpf_users.sh).
install_bin /usr/bin/numactl numactl
install_bin /usr/sbin/bpftool bpftool

# The tree's own bpftool, for bpf_users.sh's "bpftool prog dump jited":
# Debian's bpftool is built without a disassembler and refuses it ("No
# libbfd support").  With libbfd (binutils-dev), not LLVM, so that the
# initramfs stays small; without skeletons (they serve "prog profile" and
# pids, unused here); kept out of $work so that a rebuild is incremental.
# Only for a kernel with BTF, the kernels that get the kselftests (below).
btf=
grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$tree/.config" && btf=1
if [ -n "$btf" ] && [ -f "$tree/tools/testing/selftests/textpool/bpf_users.sh" ]; then
	bt=$TP_BUILD/bpftool.$(basename "$tree")
	mkdir -p "$bt"
	make -s -C "$tree/tools/bpf/bpftool" OUTPUT="$bt/" feature-llvm=0 \
		VMLINUX_BTF= -j"$(nproc)" >"$bt/build.log" 2>&1 ||
		{ tail -n 30 "$bt/build.log" >&2; tp_die "building the tree's bpftool failed"; }
	"$bt/bpftool" version | grep -q 'features:.*libbfd' ||
		tp_die "the tree's bpftool has no libbfd: install binutils-dev"
	install_bin "$bt/bpftool" bpftool-jited
fi

# textpoolctl, statically linked.
if [ -f "$TP_TOP/tools/textpoolctl/Makefile" ]; then
	mkdir -p "$work/textpoolctl"
	make -s -C "$TP_TOP/tools/textpoolctl" STATIC=1 OUTPUT="$work/textpoolctl/" >"$work/textpoolctl.log" 2>&1 ||
		{ cat "$work/textpoolctl.log" >&2; tp_die "building textpoolctl failed"; }
	install -m 755 "$work/textpoolctl/textpoolctl" "$root/usr/bin/"
fi

# The kselftests, installed the standard way (run_kselftest.sh); the BPF
# objects of bpf_users are built against the BTF of the tree's vmlinux.  A
# kernel without BTF (the CONFIG_TEXTPOOL=n build, whose boot runs
# dev/guest/check-n.sh and no kselftest) gets none.
if [ -n "$btf" ] && [ -f "$tree/tools/testing/selftests/textpool/Makefile" ]; then
	make -s -C "$tree" headers >/dev/null
	if ! make -s -C "$tree/tools/testing/selftests" TARGETS=textpool \
		O="$work/kselftest-build" KHDR_INCLUDES="-isystem $tree/usr/include" \
		VMLINUX_BTF="$tree/vmlinux" INSTALL_PATH="$root/selftests" install >"$work/kselftest.log" 2>&1; then
		tail -n 30 "$work/kselftest.log" >&2
		tp_die "building the textpool kselftests failed"
	fi
fi

# Modules of the tree (stress tests): those its configuration builds, as
# listed in modules.order; a module not rebuilt since the configuration
# was last redone is still one of them.
if [ -f "$tree/modules.order" ]; then
	sed 's/\.o$/.ko/' "$tree/modules.order" | while read -r ko; do
		cp "$tree/$ko" "$root/modules/" || tp_die "no $tree/$ko, in modules.order"
	done
fi

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
