// SPDX-License-Identifier: GPL-2.0
/*
 * tp-bench-load: the BPF workload of `make bench`, the same static binary
 * on every kernel compared.
 *
 *   tp-bench-load STEPS CHURN SEED HOOK
 *
 * STEPS is a comma-separated list of program counts (1000,10000,50000).
 * Two workers, one pinned to the first CPU of node 0 and one to that of
 * node 1, each load half of the programs through the raw bpf() syscall (no
 * libbpf).  They take turns, node 0's half of a phase then node 1's, and
 * never run at once: the guest's two vCPUs share one host thread
 * (single-threaded TCG), so a load timed while the other vCPU works too
 * also counts the other's time slices, and the median of the first phase
 * after boot moved by a factor of 2.5 between boots of one kernel.  With
 * one loader at a time the other vCPU idles.  (Contention is measured by
 * the in-kernel microbenchmark, both vCPUs at once.)  After each step the
 * workers do CHURN rounds in all of
 * unload-one-load-one at that count, then everything is unloaded.  After
 * each phase the parent prints one "tp-bench-load:" line of key=value pairs
 * and runs "HOOK PHASE" (the guest script that reads the kernel's state)
 * while every program is still loaded.
 *
 * Image sizes are drawn with a fixed seed from the distribution published
 * for a large fleet: half under 500 bytes, three quarters under 2 KiB, a
 * tail to 16 KiB (log-uniform within each part).  An eBPF program is a
 * straight line of 11-byte stores of immediates to the stack (x86-64 JIT:
 * mov qword [rbp-disp32], imm32), padded with 4-byte adds; its real size is
 * read back with BPF_OBJ_GET_INFO_BY_FD (jited_prog_len).  One program in
 * ten is classic BPF, attached with SO_ATTACH_FILTER to a socket of its
 * own, which makes the kernel convert and JIT it: a straight line of
 * "A += k" (5 bytes each).  A classic program has no fd to ask its size:
 * its requested size is that of its eBPF conversion, loaded through bpf()
 * at two lengths at start-up (the JIT is affine in the length).
 *
 * Times are per syscall: bpf(BPF_PROG_LOAD) or setsockopt() for a load,
 * close() for an unload (the kernel frees the image after an RCU grace
 * period, outside of the timed call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EINSNS	1600	/* 11 bytes each: over 16 KiB */
#define MAX_CINSNS	3300	/* 5 bytes each, under BPF_MAXINSNS */
#define MAX_SAMPLES	200000

struct prog {
	int fd;			/* bpf prog fd, or the socket of a classic one */
	unsigned int bytes;	/* jited_prog_len (classic: its eBPF twin's) */
	unsigned char classic;
};

/* Shared between the parent and the two workers. */
struct worker {
	int nprogs, nclassic;
	long long requested;	/* sum of bytes of the live programs */
	long long ebpf_requested;
	int nload, nunload;
	double load_us[MAX_SAMPLES];
	double unload_us[MAX_SAMPLES];
	unsigned int sizes[MAX_SAMPLES];	/* jited size of each load */
	int nsizes;
	int twin_a, twin_b;	/* classic twin: bytes = a + b * insns */
	int failed;
	char error[160];
};

static struct worker *workers;
static uint64_t rng_state;
static int twin_a, twin_b;	/* classic twin: bytes = a + b * insns */

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double urand(void)
{
	return (rng() >> 11) * (1.0 / 9007199254740992.0);
}

/* Half under 500 B, a quarter 500 B - 2 KiB, a quarter 2 - 16 KiB. */
static unsigned int draw_size(void)
{
	double u = urand(), lo, hi;

	if (u < 0.5) {
		lo = 64;
		hi = 500;
	} else if (u < 0.75) {
		lo = 500;
		hi = 2048;
	} else {
		lo = 2048;
		hi = 16384;
	}
	return (unsigned int)exp(log(lo) + urand() * (log(hi) - log(lo)));
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static struct bpf_insn insns[MAX_EINSNS + 8];

static int ebpf_build(unsigned int target)
{
	int n = 0, i, nstore, nadd;
	/* prologue + epilogue of the x86-64 JIT: about 40 bytes */
	int body = target > 60 ? (int)target - 40 : 20;

	nstore = body / 11;
	if (nstore > MAX_EINSNS - 4)
		nstore = MAX_EINSNS - 4;
	nadd = (body - nstore * 11) / 4;
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 };
	for (i = 0; i < nstore; i++)
		insns[n++] = (struct bpf_insn){
			.code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10,
			.off = -136 - 8 * (i % 46), .imm = (int)(rng() & 0x7fffffff) };
	for (i = 0; i < nadd; i++)
		insns[n++] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 + (i & 63) };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	return n;
}

static int ebpf_load(int n, unsigned int *bytes)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = n;
	attr.license = (unsigned long)"GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0 || !bytes)
		return fd;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		close(fd);
		return -1;
	}
	*bytes = info.jited_prog_len;
	return fd;
}

static struct sock_filter cinsns[MAX_CINSNS + 1];

static int classic_build(unsigned int target)
{
	int n = ((int)target - 30) / 5, i;

	if (n < 1)
		n = 1;
	if (n > MAX_CINSNS)
		n = MAX_CINSNS;
	for (i = 0; i < n; i++)
		cinsns[i] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_ADD | BPF_K,
							 1000 + (unsigned int)(rng() & 0xffff));
	cinsns[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return n;
}

static int classic_load(int n)
{
	struct sock_fprog fprog = { .len = n + 1, .filter = cinsns };
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (s < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog))) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * The eBPF conversion of a classic socket filter of n "A += k": A = 0,
 * X = 0, ctx saved, n 32-bit adds to A (r0), exit.
 */
static int twin_bytes(int n)
{
	struct bpf_insn *p = insns;
	unsigned int bytes;
	int i, fd;

	/* w = 0 is JITed as the xor of the conversion (which the verifier
	 * would refuse: it reads a register never written)
	 */
	*p++ = (struct bpf_insn){ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 };
	*p++ = (struct bpf_insn){ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_7 };
	*p++ = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1 };
	for (i = 0; i < n; i++)
		*p++ = (struct bpf_insn){ .code = BPF_ALU | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1000 };
	*p++ = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	fd = ebpf_load(p - insns, &bytes);
	if (fd < 0)
		return -1;
	close(fd);
	return bytes;
}

static void fail(struct worker *w, const char *what, int i)
{
	snprintf(w->error, sizeof(w->error), "%s %d: %s", what, i, strerror(errno));
	w->failed = 1;
}

static int load_one(struct worker *w, struct prog *p)
{
	unsigned int target = draw_size();
	double t0, t1;
	int n;

	p->classic = rng() % 10 == 0;
	if (p->classic) {
		n = classic_build(target);
		t0 = now_us();
		p->fd = classic_load(n);
		t1 = now_us();
		p->bytes = twin_a + twin_b * n;
	} else {
		n = ebpf_build(target);
		t0 = now_us();
		p->fd = ebpf_load(n, NULL);
		t1 = now_us();
		if (p->fd >= 0) {
			/* the fd is valid: ask its size outside of the timing */
			struct bpf_prog_info info;
			union bpf_attr attr;

			memset(&info, 0, sizeof(info));
			memset(&attr, 0, sizeof(attr));
			attr.info.bpf_fd = p->fd;
			attr.info.info_len = sizeof(info);
			attr.info.info = (unsigned long)&info;
			if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
				return -1;
			p->bytes = info.jited_prog_len;
		}
	}
	if (p->fd < 0)
		return -1;
	if (w->nload < MAX_SAMPLES)
		w->load_us[w->nload++] = t1 - t0;
	if (w->nsizes < MAX_SAMPLES)
		w->sizes[w->nsizes++] = p->bytes;
	w->nprogs++;
	w->nclassic += p->classic;
	w->requested += p->bytes;
	if (!p->classic)
		w->ebpf_requested += p->bytes;
	return 0;
}

static void unload_one(struct worker *w, struct prog *p)
{
	double t0 = now_us();

	close(p->fd);
	if (w->nunload < MAX_SAMPLES)
		w->unload_us[w->nunload++] = now_us() - t0;
	w->nprogs--;
	w->nclassic -= p->classic;
	w->requested -= p->bytes;
	if (!p->classic)
		w->ebpf_requested -= p->bytes;
	p->fd = -1;
}

static int node_cpu(int node)
{
	char path[80];
	FILE *f;
	int cpu = -1;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &cpu) != 1)
		cpu = -1;
	fclose(f);
	return cpu;
}

/* A worker: commands from the parent on cmd, "done" on ack. */
static void worker(int node, int max, int cmd, int ack, unsigned long long seed)
{
	struct worker *w = &workers[node];
	struct prog *progs = calloc(max, sizeof(*progs));
	int cpu = node_cpu(node), i, arg;
	cpu_set_t set;
	char c;

	rng_state = seed * 2 + node;
	if (!progs || cpu < 0) {
		fail(w, "set-up, node", node);
		goto out;
	}
	for (i = 0; i < max; i++)
		progs[i].fd = -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fail(w, "sched_setaffinity, cpu", cpu);
		goto out;
	}
	twin_a = twin_bytes(10);
	twin_b = twin_bytes(20);
	if (twin_a < 0 || twin_b < 0) {
		fail(w, "classic twin, node", node);
		goto out;
	}
	twin_b = (twin_b - twin_a) / 10;
	twin_a -= 10 * twin_b;
	w->twin_a = twin_a;
	w->twin_b = twin_b;
	if (write(ack, "r", 1) != 1)
		exit(1);
	while (read(cmd, &c, 1) == 1 && read(cmd, &arg, sizeof(arg)) == sizeof(arg)) {
		w->nload = w->nunload = w->nsizes = 0;
		if (c == 'g') {		/* grow to arg programs */
			for (i = w->nprogs; i < arg && !w->failed; i++)
				if (load_one(w, &progs[i]))
					fail(w, "load of program", i);
		} else if (c == 'c') {	/* arg rounds of churn */
			for (i = 0; i < arg && w->nprogs && !w->failed; i++) {
				int k = rng() % w->nprogs;

				unload_one(w, &progs[k]);
				if (load_one(w, &progs[k]))
					fail(w, "churn load, round", i);
			}
		} else if (c == 'u') {	/* unload everything */
			for (i = 0; i < max; i++)
				if (progs[i].fd >= 0)
					unload_one(w, &progs[i]);
		}
		if (write(ack, "d", 1) != 1)
			exit(1);
	}
out:
	if (write(ack, "x", 1) != 1)
		exit(1);
	exit(w->failed);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static double *merged;

static void stats(const char *name, int which)
{
	int n = 0, i, k;

	for (k = 0; k < 2; k++) {
		const double *src = which ? workers[k].unload_us : workers[k].load_us;
		int cnt = which ? workers[k].nunload : workers[k].nload;

		for (i = 0; i < cnt; i++)
			merged[n++] = src[i];
	}
	if (!n) {
		printf(" %s_n=0", name);
		return;
	}
	qsort(merged, n, sizeof(*merged), cmp_double);
	printf(" %s_n=%d %s_us_med=%.1f %s_us_p99=%.1f", name, n, name, merged[n / 2],
	       name, merged[(int)((n - 1) * 0.99)]);
}

static void size_stats(void)
{
	static unsigned int all[2 * MAX_SAMPLES];
	int n = 0, i, k, lt500 = 0, lt2k = 0;

	for (k = 0; k < 2; k++)
		for (i = 0; i < workers[k].nsizes; i++)
			all[n++] = workers[k].sizes[i];
	if (!n)
		return;
	qsort(all, n, sizeof(*all), cmp_uint);
	for (i = 0; i < n; i++) {
		lt500 += all[i] < 500;
		lt2k += all[i] < 2048;
	}
	printf(" jit_p50=%u jit_p75=%u jit_max=%u jit_lt500_pct=%.1f jit_lt2k_pct=%.1f",
	       all[n / 2], all[(n - 1) * 3 / 4], all[n - 1], 100.0 * lt500 / n, 100.0 * lt2k / n);
}

int main(int argc, char **argv)
{
	int cmd[2][2], ack[2][2], steps[16], nsteps = 0, churn, k, max = 0, rc = 0;
	unsigned long long seed;
	char *s, *tok, c, phase[64], hook[256];
	struct rlimit rl;
	pid_t pid[2];

	if (argc != 5) {
		fprintf(stderr, "usage: tp-bench-load STEPS CHURN SEED HOOK\n");
		return 2;
	}
	for (s = argv[1]; (tok = strtok(s, ",")) && nsteps < 16; s = NULL) {
		steps[nsteps] = atoi(tok);
		if (steps[nsteps] > max)
			max = steps[nsteps];
		nsteps++;
	}
	churn = atoi(argv[2]);
	seed = strtoull(argv[3], NULL, 0);
	if (max / 2 + 1 > MAX_SAMPLES || churn > MAX_SAMPLES) {
		fprintf(stderr, "tp-bench-load: at most %d programs\n", 2 * MAX_SAMPLES);
		return 2;
	}
	/* One fd per program, and some for the rest. */
	rl.rlim_cur = rl.rlim_max = max + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("tp-bench-load: setrlimit(RLIMIT_NOFILE)");
		return 1;
	}
	workers = mmap(NULL, 2 * sizeof(*workers), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	merged = malloc(2 * MAX_SAMPLES * sizeof(*merged));
	if (workers == MAP_FAILED || !merged) {
		perror("tp-bench-load: memory");
		return 1;
	}
	for (k = 0; k < 2; k++) {
		if (pipe(cmd[k]) || pipe(ack[k])) {
			perror("tp-bench-load: pipe");
			return 1;
		}
		pid[k] = fork();
		if (pid[k] == 0) {
			/* An earlier worker sees the end of its commands only
			 * if no one else holds their pipe open.
			 */
			for (int j = 0; j < k; j++) {
				close(cmd[j][1]);
				close(ack[j][0]);
			}
			close(cmd[k][1]);
			close(ack[k][0]);
			worker(k, max / 2 + 1, cmd[k][0], ack[k][1], seed);
		}
		close(cmd[k][0]);
		close(ack[k][1]);
	}
	for (k = 0; k < 2; k++)
		if (read(ack[k][0], &c, 1) != 1 || c != 'r') {
			fprintf(stderr, "tp-bench-load: worker %d: %s\n", k, workers[k].error);
			return 1;
		}
	printf("tp-bench-load: seed=%llu classic_twin_bytes=%d+%d*insns\n", seed,
	       workers[0].twin_a, workers[0].twin_b);

	for (int st = 0; st <= 2 * nsteps && !rc; st++) {
		int arg;
		double t0, t1;

		if (st == 2 * nsteps) {
			c = 'u';
			arg = 0;
			snprintf(phase, sizeof(phase), "unload");
		} else if (st % 2 == 0) {
			c = 'g';
			arg = steps[st / 2] / 2;
			snprintf(phase, sizeof(phase), "load-%d", steps[st / 2]);
		} else {
			if (!churn)
				continue;
			c = 'c';
			arg = churn / 2;
			snprintf(phase, sizeof(phase), "churn-%d", steps[st / 2]);
		}
		/* One worker at a time: see the header comment. */
		t0 = now_us();
		for (k = 0; k < 2; k++) {
			char op = c;

			if (write(cmd[k][1], &op, 1) != 1 ||
			    write(cmd[k][1], &arg, sizeof(arg)) != sizeof(arg))
				return 1;
			if (read(ack[k][0], &op, 1) != 1 || op != 'd' || workers[k].failed) {
				fprintf(stderr, "tp-bench-load: %s: worker %d: %s\n", phase, k,
					workers[k].error);
				rc = 1;
			}
		}
		t1 = now_us();
		printf("tp-bench-load: phase=%s progs=%d classic=%d requested=%lld requested_n0=%lld requested_n1=%lld ebpf_requested=%lld wall_s=%.2f",
		       phase, workers[0].nprogs + workers[1].nprogs,
		       workers[0].nclassic + workers[1].nclassic,
		       workers[0].requested + workers[1].requested,
		       workers[0].requested, workers[1].requested,
		       workers[0].ebpf_requested + workers[1].ebpf_requested, (t1 - t0) / 1e6);
		stats("load", 0);
		stats("unload", 1);
		size_stats();
		printf("\n");
		fflush(stdout);
		snprintf(hook, sizeof(hook), "%s %s", argv[4], phase);
		if (system(hook))
			rc = 1;
	}
	for (k = 0; k < 2; k++) {
		close(cmd[k][1]);
		waitpid(pid[k], NULL, 0);
	}
	return rc;
}
