#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in the QEMU test guest:
#   guest.sh TREE MODE LOG [TIMEOUT] [EXTRA-CMDLINE]
# MODE is check, check-off, check-n, check-debug, run, bench or shell (see
# dev/guest/init).  The guest has 2 vCPUs and 2 NUMA nodes of 1 CPU + 1 GiB
# each (TP_GUEST_NODE_MEM=2G: 2 GiB each, what make bench gives every kernel
# it compares), runs under single-threaded TCG (see below; set TP_ACCEL=kvm
# to try KVM) and its serial console goes to LOG (and to the terminal).  A
# guest that does not finish within TIMEOUT seconds, or that ends without
# saying "textpool-guest: done", fails with the last console lines printed.

. "$(dirname "$0")/common.sh"

tree=$1
mode=$2
log=$3
timeout=${4:-600}
extra=${5:-}
kernel=$tree/arch/x86/boot/bzImage
initrd=$TP_BUILD/initramfs-$(basename "$tree").cpio.gz
[ -f "$kernel" ] || tp_die "no kernel at $kernel: run 'make kernel'"
"$TP_TOP/dev/mkinitramfs.sh" "$tree" "$initrd"

# One host thread runs both vCPUs (TP_TCG_THREAD=multi gives one each).
# QEMU 7.2's multi-threaded TCG can run a stale translation of code that
# the other vCPU has just patched: the INT3 of text_poke_bp() executes
# after the patch is complete and the kernel dies with "Oops: int3".  The
# pristine 6.12 base does too: set_ftrace_pid written 400 times while the
# traced function runs on the other vCPU crashes either kernel within
# seconds with thread=multi, neither with thread=single.
accel="-accel tcg,thread=${TP_TCG_THREAD:-single} -cpu max"
[ "${TP_ACCEL:-tcg}" = kvm ] && accel="-accel kvm -cpu host"
cmdline="console=ttyS0 panic=-1 oops=panic loglevel=7 tp.mode=$mode $extra"
case $mode in
# The early user of textpool (early_users.sh): the boot tracer, set up in
# start_kernel() before textpool_init(), on one rarely called function (the
# guest runs under TCG: tracing more would slow every test down).  An
# ftrace_filter= that matches nothing would trace every function: check the
# symbol first.
check | check-debug)
	cmdline="$cmdline kunit.enable=1 textpool=bogus"
	if grep -q ' __x64_sys_newuname$' "$tree/System.map" 2>/dev/null; then
		cmdline="$cmdline ftrace=function ftrace_filter=__x64_sys_newuname"
	fi
	;;
check-off) cmdline="$cmdline kunit.enable=1 textpool=off" ;;
esac
mem=${TP_GUEST_NODE_MEM:-1G}
total=$(( ${mem%G} * 2 ))G
qemu=(qemu-system-x86_64 $accel -smp 2,sockets=2,cores=1,threads=1 -m "$total" -nodefaults -no-reboot
	-object memory-backend-ram,size="$mem",id=m0
	-object memory-backend-ram,size="$mem",id=m1
	-numa node,nodeid=0,cpus=0,memdev=m0
	-numa node,nodeid=1,cpus=1,memdev=m1
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -nographic -serial mon:stdio
fi

: >"$log"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$timeout" "${qemu[@]}" -display none -serial stdio \
	-monitor none </dev/null 2>&1 | tee "$log" | { [ -n "${TP_QUIET:-}" ] && cat >/dev/null || cat; }
rc=${PIPESTATUS[0]}
set -e
secs=$(( $(date +%s) - start ))
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "error: the guest did not finish within ${timeout}s; its last console lines:" >&2
	tail -n 40 "$log" | sed 's/^/    /' >&2
	exit 1
fi
if ! grep -q '^textpool-guest: done' "$log"; then
	echo "error: the guest ended without finishing (crash or panic?); its last console lines:" >&2
	tail -n 40 "$log" | sed 's/^/    /' >&2
	exit 1
fi
tp_info "guest ($mode) finished in ${secs}s; console log: $log"
