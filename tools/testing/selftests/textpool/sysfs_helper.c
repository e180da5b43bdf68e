// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of sysfs_abi.sh: the things a busybox shell cannot do.
 *
 *   sysfs_helper write FILE VALUE          write VALUE, print OK or the errno
 *   sysfs_helper write-as UID FILE VALUE   the same as user UID (and group)
 *   sysfs_helper write-nocap FILE VALUE    the same as root without
 *                                          CAP_SYS_ADMIN
 *   sysfs_helper bpf-load CPU COUNT INSNS  load COUNT socket filters of INSNS
 *                                          instructions on CPU, close them
 *   sysfs_helper bpf-hold CPU COUNT INSNS  the same, but keep them loaded
 *                                          until killed
 *
 * VALUE is written as given, in one write(), with the escapes \n, \t, \0
 * and \\ turned into a newline, a tab, a NUL and a backslash; nothing is
 * appended.
 * write* print the result (OK, or the errno's name such as EINVAL) and exit 0
 * when they could try; bpf-load prints "loaded N" and exits 1 unless all
 * COUNT loads succeeded; bpf-hold prints "ready N" (or "failed N ERRNO") and
 * then waits for a signal.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>

static const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0:		return "OK";
	case EINVAL:	return "EINVAL";
	case ERANGE:	return "ERANGE";
	case EPERM:	return "EPERM";
	case EACCES:	return "EACCES";
	case E2BIG:	return "E2BIG";
	case ENOENT:	return "ENOENT";
	case EIO:	return "EIO";
	case ENOSPC:	return "ENOSPC";
	case ENOMEM:	return "ENOMEM";
	}
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: sysfs_helper write FILE VALUE\n"
		"       sysfs_helper write-as UID FILE VALUE\n"
		"       sysfs_helper write-nocap FILE VALUE\n"
		"       sysfs_helper bpf-load CPU COUNT INSNS\n"
		"       sysfs_helper bpf-hold CPU COUNT INSNS\n");
	exit(2);
}

static unsigned long parse_num(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end)
		print_usage();
	return v;
}

/* Undo the escapes of VALUE; returns its length. */
static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (in[0] == '\\' && in[1]) {
			switch (in[1]) {
			case 'n':
				out[n++] = '\n';
				break;
			case '0':
				out[n++] = '\0';
				break;
			case 't':
				out[n++] = '\t';
				break;
			default:
				out[n++] = in[1];
				break;
			}
			in += 2;
		} else {
			out[n++] = *in++;
		}
	}
	return n;
}

static int do_write(const char *file, const char *value)
{
	char *buf = malloc(strlen(value) + 1);
	size_t len;
	ssize_t ret;
	int fd, err = 0;

	if (!buf) {
		perror("sysfs_helper");
		exit(1);
	}
	len = unescape(value, buf);
	fd = open(file, O_WRONLY);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	ret = write(fd, buf, len);
	if (ret < 0)
		err = errno;
	else if ((size_t)ret != len)
		err = EIO;
	close(fd);
out:
	free(buf);
	printf("%s\n", errno_name(err));
	return 0;
}

static void drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("sysfs_helper: cannot change user");
		exit(1);
	}
	if (getuid() != uid || geteuid() != uid) {
		fprintf(stderr, "sysfs_helper: still uid %d\n", geteuid());
		exit(1);
	}
}

/* Stay root but lose CAP_SYS_ADMIN from every set. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int idx = CAP_TO_INDEX(CAP_SYS_ADMIN);
	__u32 mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0)) {
		perror("sysfs_helper: PR_CAPBSET_DROP");
		exit(1);
	}
	if (syscall(SYS_capget, &hdr, data)) {
		perror("sysfs_helper: capget");
		exit(1);
	}
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data)) {
		perror("sysfs_helper: capset");
		exit(1);
	}
	if (syscall(SYS_capget, &hdr, data) ||
	    (data[idx].effective & mask)) {
		fprintf(stderr, "sysfs_helper: CAP_SYS_ADMIN still there\n");
		exit(1);
	}
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sysfs_helper: sched_setaffinity");
		exit(1);
	}
}

/*
 * A socket filter of @nr instructions: r0 = 0; r0 += 0x1234567 ...; exit.
 * Each addition is 6 bytes of x86 code, so @nr sets the size of the image.
 */
static int bpf_load(unsigned int nr, int *err)
{
	struct bpf_insn *insns = calloc(nr, sizeof(*insns));
	union bpf_attr attr;
	unsigned int i;
	int fd;

	if (!insns) {
		*err = ENOMEM;
		return -1;
	}
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	for (i = 1; i < nr - 1; i++) {
		insns[i].code = BPF_ALU64 | BPF_ADD | BPF_K;
		insns[i].dst_reg = BPF_REG_0;
		insns[i].imm = 0x1234567;
	}
	insns[nr - 1].code = BPF_JMP | BPF_EXIT;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = nr;
	attr.license = (unsigned long)"GPL";
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	*err = fd < 0 ? errno : 0;
	free(insns);
	return fd;
}

static int do_bpf(int argc, char **argv, int hold)
{
	unsigned long cpu, count, nr, i;
	int fd, err = 0;

	if (argc != 5)
		print_usage();
	cpu = parse_num(argv[2]);
	count = parse_num(argv[3]);
	nr = parse_num(argv[4]);
	if (nr < 2 || nr > 1000000)
		print_usage();
	pin_cpu(cpu);
	for (i = 0; i < count; i++) {
		fd = bpf_load(nr, &err);
		if (fd < 0)
			break;
		if (!hold)
			close(fd);
	}
	if (!hold) {
		printf("loaded %lu\n", i);
		if (i < count)
			fprintf(stderr, "sysfs_helper: BPF_PROG_LOAD: %s\n",
				errno_name(err));
		return i == count ? 0 : 1;
	}
	if (i < count)
		printf("failed %lu %s\n", i, errno_name(err));
	else
		printf("ready %lu\n", i);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		print_usage();
	if (!strcmp(argv[1], "write") && argc == 4)
		return do_write(argv[2], argv[3]);
	if (!strcmp(argv[1], "write-as") && argc == 5) {
		drop_to(parse_num(argv[2]));
		return do_write(argv[3], argv[4]);
	}
	if (!strcmp(argv[1], "write-nocap") && argc == 4) {
		drop_sys_admin();
		return do_write(argv[2], argv[3]);
	}
	if (!strcmp(argv[1], "bpf-load"))
		return do_bpf(argc, argv, 0);
	if (!strcmp(argv[1], "bpf-hold"))
		return do_bpf(argc, argv, 1);
	print_usage();
	return 2;
}
