// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP congestion control, "tp_reno", as a struct_ops map of BPF
 * programs: registering it builds one BPF trampoline per operation.
 * Slow start then one segment per window, halving on loss; each
 * operation counts its calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u64 init_calls;
__u64 cong_avoid_calls;
__u64 ssthresh_calls;
__u64 undo_calls;

SEC("struct_ops")
void BPF_PROG(tp_ca_init, struct sock *sk)
{
	init_calls++;
}

SEC("struct_ops")
__u32 BPF_PROG(tp_ca_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = (struct tcp_sock *)sk;

	ssthresh_calls++;
	return tp->snd_cwnd > 4 ? tp->snd_cwnd >> 1 : 2;
}

SEC("struct_ops")
void BPF_PROG(tp_ca_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	cong_avoid_calls++;
	if (tp->snd_cwnd < tp->snd_cwnd_clamp &&
	    (tp->snd_cwnd < tp->snd_ssthresh || ++tp->snd_cwnd_cnt >= tp->snd_cwnd)) {
		tp->snd_cwnd_cnt = 0;
		tp->snd_cwnd++;
	}
}

SEC("struct_ops")
__u32 BPF_PROG(tp_ca_undo_cwnd, struct sock *sk)
{
	const struct tcp_sock *tp = (struct tcp_sock *)sk;

	undo_calls++;
	return tp->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops tp_reno = {
	.init		= (void *)tp_ca_init,
	.ssthresh	= (void *)tp_ca_ssthresh,
	.cong_avoid	= (void *)tp_ca_cong_avoid,
	.undo_cwnd	= (void *)tp_ca_undo_cwnd,
	.name		= "tp_reno",
};
