#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The state of kernel text after a phase of `make bench` (bench-state.sh
# PHASE), on one line of key=value pairs for dev/bench.sh:
#   x4k x2m       executable 4 KiB / 2 MiB mappings of the Modules area
#   l2 l3 dm4k    direct-map splits (/proc/vmstat), DirectMap4k (kB)
#   areas         vmalloc areas in the Modules area (/proc/vmallocinfo),
#   text_bytes    and the bytes of memory they hold (pages, or the area
#   text_pages    without its guard page when it has no page array), the
#   packs         4 KiB pages among them; packs: areas of bpf_prog_pack's
#                 size (2 MiB per possible node)
#   n0 n1         pages of those areas on each node
#   bpf_progs     BPF programs the kernel still holds, loaded or waiting to
#                 be freed: vmalloc areas of their struct bpf_prog
#                 (bpf_prog_alloc_no_stats, bpf_prog_realloc)
#   tp_*          textpool: /sys/kernel/mm/textpool/stats and node<N>
#   kp_opt kp_*   kprobes: optimized, on ftrace, others (debugfs list)
#   flushes       BPF predictor flushes (kprobe event on bpf_arch_ibpb,
#                 when the kernel wired the flush up: else 0 by design)
# Modules are not loaded in the bench guest: everything executable in the
# Modules area is dynamic text.
phase=$1
T=/sys/kernel/tracing
packsize=$((2097152 * $(ls -d /sys/devices/system/node/node[0-9]* | wc -l)))
line="tp-bench-state: phase=$phase $(tp-mappings)"
line="$line $(awk -v pack="$packsize" '
/ bpf_prog_(alloc_no_stats|realloc)\+/ { progs++ }
{
	# MODULES_VADDR..MODULES_END of x86-64; fixed-width addresses compare
	# as strings (busybox awk would read them as floating point numbers)
	a = substr($0, 1, 18)
	if (a < "0xffffffffc0000000" || a >= "0xffffffffff000000") next
	size = $2; pages = 0
	for (i = 3; i <= NF; i++) {
		if ($i ~ /^pages=/) pages = substr($i, 7) + 0
		if ($i ~ /^N0=/) n0 += substr($i, 4)
		if ($i ~ /^N1=/) n1 += substr($i, 4)
	}
	areas++
	if (pages) { bytes += pages * 4096; tpages += pages }
	else if (size % 2097152) bytes += size - 4096	# the guard page
	else bytes += size				# VM_NO_GUARD
	if (size == pack + 4096 || size == pack) packs++
}
END {
	printf "areas=%d text_bytes=%.0f text_pages=%d packs=%d n0=%d n1=%d bpf_progs=%d",
		areas, bytes, tpages, packs, n0, n1, progs
}
' /proc/vmallocinfo)"
if [ -d /sys/kernel/mm/textpool/stats ]; then
	for f in chunks allocations requested_bytes allocated_bytes free_bytes fallback_allocs \
		fallback_large fallback_disabled fallback_early fallback_limit fallback_nomem; do
		[ -r /sys/kernel/mm/textpool/stats/$f ] && line="$line tp_$f=$(cat /sys/kernel/mm/textpool/stats/$f)"
	done
	for d in /sys/kernel/mm/textpool/node[0-9]*; do
		n=${d##*node}
		for f in chunks requested_bytes allocated_bytes; do
			[ -r $d/$f ] && line="$line tp_${f}_n$n=$(cat $d/$f)"
		done
	done
fi
if [ -r /sys/kernel/debug/kprobes/list ]; then
	line="$line $(awk '/^[0-9a-f]/ { if (/OPTIMIZED/) o++; else if (/FTRACE/) f++; else k++ }
		END { printf "kp_opt=%d kp_ftrace=%d kp_other=%d", o, f, k }' /sys/kernel/debug/kprobes/list)"
fi
flushes=0
if [ -e $T/events/kprobes/tp_flush ]; then
	flushes=$(awk '$1 == "tp_flush" {print $2}' $T/kprobe_profile)
fi
line="$line flushes=$flushes"
echo "$line"
