// SPDX-License-Identifier: GPL-2.0
/*
 * BPF trampoline users of bpf_users: four fentry programs and one fexit
 * program on bpf_fentry_test1(), an fmod_ret and an fexit program on
 * bpf_modify_return_test().  BPF_PROG_TEST_RUN of a tracing program calls
 * these functions (net/bpf/test_run.c); each program counts its calls, so
 * the loader can tell which of them the current trampoline image runs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

__u64 fentry_hits[4];
__u64 fexit_hits;
__u64 fmod_hits;
__u64 fexit_mod_hits;
int fexit_mod_ret;
/* What tp_fmod_ret makes bpf_modify_return_test() return; 0: run it. */
int fmod_ret_value;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(tp_fentry0, int a)
{
	if (a == 1)
		fentry_hits[0]++;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(tp_fentry1, int a)
{
	if (a == 1)
		fentry_hits[1]++;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(tp_fentry2, int a)
{
	if (a == 1)
		fentry_hits[2]++;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(tp_fentry3, int a)
{
	if (a == 1)
		fentry_hits[3]++;
	return 0;
}

SEC("fexit/bpf_fentry_test1")
int BPF_PROG(tp_fexit, int a, int ret)
{
	if (a == 1 && ret == 2)
		fexit_hits++;
	return 0;
}

SEC("fmod_ret/bpf_modify_return_test")
int BPF_PROG(tp_fmod_ret, int a, int *b, int ret)
{
	fmod_hits++;
	return ret ? ret : fmod_ret_value;
}

SEC("fexit/bpf_modify_return_test")
int BPF_PROG(tp_fexit_mod, int a, int *b, int ret)
{
	fexit_mod_hits++;
	fexit_mod_ret = ret;
	return 0;
}
