// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of fault.sh: load BPF socket filters through the raw bpf() syscall
 * and go on past the loads that fail, which a fault injected into textpool
 * or into the kernel's allocators may cause.
 *
 *   fault_load [-n COUNT] [-b BIG] [-c CPU] [-f]
 *
 * Loads COUNT programs (default 1), the first BIG of them long ones (about
 * 32 KiB of text each), on CPU if given.  With -f it writes 1 to
 * /proc/self/make-it-fail for the loads, and only for them: the fault
 * attributes with task-filter=Y (failslab, fail_page_alloc) then fail the
 * kernel's allocations for these loads, not those of the helper's start,
 * of its page faults (its memory is touched before) or of its output.
 * Prints one line:
 *
 *   loaded L failed F [ERRNO:N ...]
 *
 * with the errno names of the failed loads and how often each was seen
 * (ENOTSUPP is the kernel's 524), closes the programs and exits 0 (1 on
 * an error of its own).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#define BIG_INSNS	8192
#define MAX_ERRNO	4096
#define KERNEL_ENOTSUPP	524	/* not in user space headers */

/* r0 = value; r0 += 1 (len times); exit; in @insns, room for BIG_INSNS + 2 */
static int load_prog(struct bpf_insn *insns, unsigned int value,
		     unsigned int len)
{
	union bpf_attr attr;
	unsigned int i;

	memset(insns, 0, (len + 2) * sizeof(*insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = (int)value;
	for (i = 1; i <= len; i++) {
		insns[i].code = BPF_ALU64 | BPF_ADD | BPF_K;
		insns[i].dst_reg = BPF_REG_0;
		insns[i].imm = 1;
	}
	insns[len + 1].code = BPF_JMP | BPF_EXIT;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = len + 2;
	attr.license = (unsigned long)"GPL";
	return syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/*
 * Mark (1) or unmark (0) this task for the task-filtered fault attributes,
 * through @fd, /proc/self/make-it-fail opened before: the write allocates
 * nothing.
 */
static int make_it_fail(int fd, int on)
{
	return pwrite(fd, on ? "1" : "0", 1, 0) == 1 ? 0 : -1;
}

static const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case ENOMEM:	return "ENOMEM";
	case KERNEL_ENOTSUPP:	return "ENOTSUPP";
	case EINVAL:	return "EINVAL";
	case EPERM:	return "EPERM";
	case EFAULT:	return "EFAULT";
	case ENOSPC:	return "ENOSPC";
	case EMFILE:	return "EMFILE";
	case E2BIG:	return "E2BIG";
	}
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void print_usage(void)
{
	fprintf(stderr, "usage: fault_load [-n COUNT] [-b BIG] [-c CPU] [-f]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned int count = 1, nbig = 0, i, loaded = 0, failed = 0;
	static unsigned int seen[MAX_ERRNO + 1];
	struct bpf_insn *insns;
	int opt, err, cpu = -1, fail = 0, mif = -1, *fds;
	struct rlimit rl;
	cpu_set_t set;

	while ((opt = getopt(argc, argv, "n:b:c:f")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			nbig = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'f':
			fail = 1;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || !count || count > 100000 || nbig > count)
		print_usage();

	setvbuf(stdout, NULL, _IOLBF, 0);

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("fault_load: sched_setaffinity");
			return 1;
		}
	}

	rl.rlim_cur = count + 64;
	rl.rlim_max = count + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("fault_load: setrlimit");
	fds = calloc(count, sizeof(*fds));
	insns = calloc(BIG_INSNS + 2, sizeof(*insns));
	if (!fds || !insns) {
		perror("fault_load");
		return 1;
	}
	/* Touch the memory the loads write: no page fault during them. */
	memset(fds, 0xff, count * sizeof(*fds));
	memset(insns, 0xff, (BIG_INSNS + 2) * sizeof(*insns));
	memset(seen, 0, sizeof(seen));
	if (fail) {
		mif = open("/proc/self/make-it-fail", O_WRONLY);
		if (mif < 0 || make_it_fail(mif, 1)) {
			perror("fault_load: /proc/self/make-it-fail");
			return 1;
		}
	}

	for (i = 0; i < count; i++) {
		fds[i] = load_prog(insns, 1000 + i, i < nbig ? BIG_INSNS : 0);
		if (fds[i] >= 0) {
			loaded++;
			continue;
		}
		err = errno;
		failed++;
		seen[err > 0 && err < MAX_ERRNO ? err : MAX_ERRNO]++;
	}
	if (fail && make_it_fail(mif, 0)) {
		perror("fault_load: /proc/self/make-it-fail");
		return 1;
	}

	printf("loaded %u failed %u", loaded, failed);
	for (i = 1; i <= MAX_ERRNO; i++)
		if (seen[i])
			printf(" %s:%u", i == MAX_ERRNO ? "E?" : errno_name(i),
			       seen[i]);
	printf("\n");

	for (i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(insns);
	free(fds);
	return 0;
}
