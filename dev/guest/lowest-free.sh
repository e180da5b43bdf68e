#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the lowest 2 MiB-aligned address of the module area where a 2 MiB
# chunk fits between the vmalloc areas of /proc/vmallocinfo: where a
# lowest-fit allocator would map the next chunk.  Exits 1 if none fits.
SZ=$((0x200000))
# ALIGN(MODULES_VADDR, 2 MiB) and MODULES_END of x86_64; busybox sh
# arithmetic is signed 64-bit, which keeps these addresses in order.
START=$((0xffffffffc0000000))
END=$((0xffffffffff000000))
# vmallocinfo prints %pK: real addresses only with kptr_restrict=1.
k=$(cat /proc/sys/kernel/kptr_restrict)
echo 1 >/proc/sys/kernel/kptr_restrict
areas=$(sed -n 's/^\(0x[0-9a-f]\{16\}\)-\(0x[0-9a-f]\{16\}\) .*/\1 \2/p' /proc/vmallocinfo | sort)
echo "$k" >/proc/sys/kernel/kptr_restrict
[ -n "$areas" ] || exit 1
slot=$START
while read -r s e; do
	[ $((s >= slot + SZ)) = 1 ] && break
	[ $((e > slot)) = 1 ] && slot=$(((e + SZ - 1) & ~(SZ - 1)))
done <<AREAS
$areas
AREAS
[ $((slot + SZ <= END)) = 1 ] || exit 1
printf '0x%x\n' "$slot"
