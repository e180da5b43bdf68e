#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# BPF programs loaded from a CPU of node 1 land in node 1's pool: bpf_load
# under numactl --cpunodebind=1 checks that node1/allocations rises.

. "$(dirname "$0")/textpool_lib.sh"

NODE=${NODE:-1}

if ! command -v numactl >/dev/null; then
	ktap_print_header
	ktap_skip_all "no numactl"
	exit "$KSFT_SKIP"
fi
if [ ! -d /sys/devices/system/node/node$NODE ] ||
   [ -z "$(cat /sys/devices/system/node/node$NODE/cpulist 2>/dev/null)" ]; then
	ktap_print_header
	ktap_skip_all "no CPUs on node $NODE"
	exit "$KSFT_SKIP"
fi
exec numactl --cpunodebind="$NODE" "$(dirname "$0")/bpf_load" -n "${NPROGS:-600}" -N "$NODE"
