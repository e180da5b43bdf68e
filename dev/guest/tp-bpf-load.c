// SPDX-License-Identifier: GPL-2.0
/*
 * tp-bpf-load: load N small socket-filter BPF programs through the raw
 * bpf() syscall (no libbpf), run one with BPF_PROG_TEST_RUN, report, and
 * keep them loaded until standard input reaches end of file.
 * Used by the demo workload of `make run`.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* r0 = seed; r0 += i; exit: distinct programs that return a known value. */
static int load_prog(unsigned int value)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = value },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static int test_run(int fd, unsigned int *retval)
{
	unsigned char pkt[64] = { 0 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (unsigned long)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -1;
	*retval = attr.test.retval;
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	unsigned int retval;
	char buf[64];
	struct timespec t0, t1;
	double us;
	int i, fd = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		fd = load_prog(1000 + i);
		if (fd < 0) {
			fprintf(stderr, "tp-bpf-load: program %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
	if (fd >= 0 && test_run(fd, &retval) == 0)
		printf("loaded %d programs (%.0f us per load); the last returned %u (expected %d)\n",
		       n, n ? us / n : 0.0, retval, 1000 + n - 1);
	else
		printf("loaded %d programs; test run failed: %s\n", n, strerror(errno));
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
