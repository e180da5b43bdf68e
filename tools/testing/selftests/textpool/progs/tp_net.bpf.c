// SPDX-License-Identifier: GPL-2.0
/*
 * Networking BPF users of bpf_users:
 *   - tp_xdp_count, an XDP program for a veth device (the XDP dispatcher):
 *     counts and drops the frames of TP_ETH_P, passes the others;
 *   - tp_tail_entry, a tail call through slot 0 of tp_jmp_table with a
 *     constant index: the JIT emits a direct jump that each update of the
 *     slot patches (bpf_arch_text_poke()); tp_tail_a, tp_tail_b its
 *     targets, 99 without one;
 *   - tp_subprogs, BPF-to-BPF calls to static and global subprograms (one
 *     JIT image per function): returns TP_SUBPROGS_SUM + the packet length.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TP_ETH_P	0x88b5	/* IEEE 802 local experimental */

char _license[] SEC("license") = "GPL";

__u64 xdp_frames;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} tp_jmp_table SEC(".maps");

SEC("xdp")
int tp_xdp_count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(TP_ETH_P))
		return XDP_PASS;
	__sync_fetch_and_add(&xdp_frames, 1);
	return XDP_DROP;
}

SEC("tc")
int tp_tail_a(struct __sk_buff *skb)
{
	return 11;
}

SEC("tc")
int tp_tail_b(struct __sk_buff *skb)
{
	return 22;
}

SEC("tc")
int tp_tail_entry(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &tp_jmp_table, 0);
	return 99;
}

static __noinline int tp_sub_mul(int x, int y)
{
	return x * y + 1;
}

static __noinline int tp_sub_sum(int n)
{
	int i, s = 0;

	for (i = 0; i < n && i < 16; i++)
		s += tp_sub_mul(i, 3);
	return s;
}

__noinline int tp_sub_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tc")
int tp_subprogs(struct __sk_buff *skb)
{
	return tp_sub_sum(10) + tp_sub_len(skb);
}
