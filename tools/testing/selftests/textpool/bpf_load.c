// SPDX-License-Identifier: GPL-2.0
/*
 * Load many small BPF programs through the raw bpf() syscall (no libbpf)
 * and check that their text sits in textpool:
 *   - every program loads, and a sample runs (BPF_PROG_TEST_RUN) with the
 *     expected result;
 *   - users/bpf/allocations and allocated_bytes rise accordingly (and, with
 *     -N NODE, nodeNODE/allocations: run it under numactl --cpunodebind);
 *   - no new executable 4 KiB PTE shows up in the Modules area of the
 *     kernel page tables, only 2 MiB PMDs;
 *   - /proc/vmstat direct_map_level2_splits does not grow;
 *   - after closing them and a grace period, allocations return to where
 *     they were and chunks fall back to the reserve.
 *
 * The first BIG programs are long (BIG_INSNS instructions, about 32 KiB of
 * text each), enough to need more chunks than the pools keep in reserve.
 *
 * Usage: bpf_load [-n COUNT] [-b BIG] [-N NODE]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest.h"

#define TP_SYSFS	"/sys/kernel/mm/textpool"
#define PTDUMP		"/sys/kernel/debug/page_tables/kernel"
#define SZ_4K		4096UL
#define SZ_2M		(2UL << 20)
#define MAX_NODES	64
#define BIG_INSNS	8192

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/*
 * r0 = value; r0 += 1 (len times); exit: distinct programs that return a
 * known value. Long ones take several KiB of text each.
 */
static int load_prog(unsigned int value, unsigned int len)
{
	struct bpf_insn *insns;
	union bpf_attr attr;
	unsigned int i;
	int fd;

	insns = calloc(len + 2, sizeof(*insns));
	if (!insns)
		return -1;
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
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	free(insns);
	return fd;
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

/* Read one unsigned number from a file; -1 if it cannot be read. */
static long read_num(const char *fmt, ...)
{
	char path[PATH_MAX];
	unsigned long v;
	va_list ap;
	FILE *f;
	int n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%lu", &v);
	fclose(f);
	return n == 1 ? (long)v : -1;
}

static long read_vmstat(const char *name)
{
	char key[128];
	unsigned long v;
	long ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%127s %lu", key, &v) == 2) {
		if (!strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

struct mappings {
	bool ok;
	unsigned long x4k;	/* executable 4 KiB PTEs in Modules */
	unsigned long x2m;	/* executable 2 MiB PMDs in Modules */
};

static void read_mappings(struct mappings *m)
{
	char line[512];
	bool inmod = false;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen(PTDUMP, "r");
	if (!f)
		return;
	m->ok = true;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char *tok, *level = NULL, *save;
		bool x = false;

		if (!strncmp(line, "---[", 4)) {
			inmod = !!strstr(line, "Modules");
			continue;
		}
		if (!inmod || sscanf(line, "0x%lx-0x%lx", &start, &end) != 2)
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(tok, "x"))
				x = true;
			level = tok;
		}
		if (!x || !level)
			continue;
		if (!strcmp(level, "pte"))
			m->x4k += (end - start) / SZ_4K;
		else if (!strcmp(level, "pmd"))
			m->x2m += (end - start) / SZ_2M;
	}
	fclose(f);
}

struct tp_state {
	long allocs, bytes;		/* users/bpf */
	long node_allocs[MAX_NODES];	/* nodeN/allocations */
	long node_chunks[MAX_NODES];	/* nodeN/chunks */
	long l2;			/* direct_map_level2_splits */
	struct mappings map;
};

static int nr_nodes;

static void read_state(struct tp_state *s)
{
	int i;

	s->allocs = read_num(TP_SYSFS "/users/bpf/allocations");
	s->bytes = read_num(TP_SYSFS "/users/bpf/allocated_bytes");
	for (i = 0; i < nr_nodes; i++) {
		s->node_allocs[i] = read_num(TP_SYSFS "/node%d/allocations", i);
		s->node_chunks[i] = read_num(TP_SYSFS "/node%d/chunks", i);
	}
	s->l2 = read_vmstat("direct_map_level2_splits");
	read_mappings(&s->map);
}

/*
 * Every node gave its emptied chunks back beyond the reserve: it keeps at
 * most reserve_chunks empty chunks, so at most that many more than before
 * (chunks that were not empty before, e.g. holding kprobe slots, stay).
 */
static bool chunks_back(const struct tp_state *before,
			const struct tp_state *after, long reserve)
{
	int n;

	for (n = 0; n < nr_nodes; n++)
		if (after->node_chunks[n] > before->node_chunks[n] + reserve)
			return false;
	return true;
}

static void die_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n COUNT] [-b BIG] [-N NODE]\n", prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct tp_state before, loaded, after;
	unsigned int count = 1200, nbig = 144, i, sample_ok = 0, samples = 0;
	struct rlimit rl;
	bool have_users, have_nodes;
	long reserve;
	int node = -1, opt, *fds;
	int waited;

	while ((opt = getopt(argc, argv, "n:b:N:h")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			nbig = strtoul(optarg, NULL, 0);
			break;
		case 'N':
			node = atoi(optarg);
			break;
		default:
			die_usage(argv[0]);
		}
	}
	if (!count || nbig > count || node >= MAX_NODES)
		die_usage(argv[0]);

	ksft_print_header();
	ksft_set_plan(node >= 0 ? 9 : 8);

	if (geteuid())
		ksft_exit_skip("needs root\n");
	while (nr_nodes < MAX_NODES &&
	       read_num(TP_SYSFS "/node%d/chunks", nr_nodes) >= 0)
		nr_nodes++;
	have_users = read_num(TP_SYSFS "/users/bpf/allocations") >= 0;
	have_nodes = nr_nodes > 0;
	reserve = read_num(TP_SYSFS "/reserve_chunks");

	rl.rlim_cur = count + 64;
	rl.rlim_max = count + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		ksft_exit_fail_msg("setrlimit(NOFILE, %u): %s\n", count + 64,
				   strerror(errno));
	fds = calloc(count, sizeof(*fds));
	if (!fds)
		ksft_exit_fail_msg("out of memory\n");

	read_state(&before);
	ksft_print_msg("before: bpf allocations=%ld bytes=%ld x4k=%lu x2m=%lu l2=%ld\n",
		       before.allocs, before.bytes, before.map.x4k,
		       before.map.x2m, before.l2);

	/* 1: all programs load */
	for (i = 0; i < count; i++) {
		fds[i] = load_prog(1000 + i, i < nbig ? BIG_INSNS : 0);
		if (fds[i] < 0) {
			ksft_print_msg("program %u: %s\n", i, strerror(errno));
			break;
		}
	}
	ksft_test_result(i == count, "load %u BPF programs (%u long ones)\n",
			 count, nbig);
	if (i != count) {
		while (i--)
			close(fds[i]);
		ksft_exit_fail();
	}

	/* 2: a sample runs and returns what it should */
	for (i = 0; i < count; i += 97) {
		unsigned int retval = 0, want = 1000 + i;

		if (i < nbig)
			want += BIG_INSNS;
		samples++;
		if (test_run(fds[i], &retval))
			ksft_print_msg("test run of program %u: %s\n", i,
				       strerror(errno));
		else if (retval != want)
			ksft_print_msg("program %u returned %u, not %u\n", i,
				       retval, want);
		else
			sample_ok++;
	}
	ksft_test_result(sample_ok == samples, "%u of %u sampled programs run right\n",
			 sample_ok, samples);

	read_state(&loaded);
	ksft_print_msg("loaded: bpf allocations=%ld bytes=%ld x4k=%lu x2m=%lu l2=%ld\n",
		       loaded.allocs, loaded.bytes, loaded.map.x4k,
		       loaded.map.x2m, loaded.l2);

	/* 3: counted under users/bpf */
	if (have_users)
		ksft_test_result(loaded.allocs - before.allocs >= count &&
				 loaded.bytes - before.bytes >= (long)count * 64,
				 "users/bpf: +%ld allocations, +%ld bytes for %u programs\n",
				 loaded.allocs - before.allocs,
				 loaded.bytes - before.bytes, count);
	else
		ksft_test_result_skip("users/bpf: no " TP_SYSFS "/users/bpf\n");

	/* 4: only 2 MiB executable mappings in Modules */
	if (loaded.map.ok)
		ksft_test_result(loaded.map.x4k <= before.map.x4k &&
				 loaded.map.x2m >= 1,
				 "Modules: executable 4K %lu -> %lu, 2M %lu -> %lu\n",
				 before.map.x4k, loaded.map.x4k,
				 before.map.x2m, loaded.map.x2m);
	else
		ksft_test_result_skip("Modules mappings: no " PTDUMP "\n");

	/* 5: the long programs needed more chunks than the reserve */
	if (have_nodes) {
		long c0 = 0, c1 = 0;
		int n;

		for (n = 0; n < nr_nodes; n++) {
			c0 += before.node_chunks[n];
			c1 += loaded.node_chunks[n];
		}
		ksft_test_result(!nbig || c1 > c0, "chunks %ld -> %ld while loaded\n",
				 c0, c1);
	} else {
		ksft_test_result_skip("chunks: no " TP_SYSFS "/nodeN\n");
	}

	/* 6 (with -N): on the node the loader ran on */
	if (node >= 0) {
		if (node < nr_nodes)
			ksft_test_result(loaded.node_allocs[node] -
					 before.node_allocs[node] >= count,
					 "node%d: +%ld allocations for %u programs\n",
					 node, loaded.node_allocs[node] -
					 before.node_allocs[node], count);
		else
			ksft_test_result_skip("no " TP_SYSFS "/node%d\n", node);
	}

	for (i = 0; i < count; i++)
		close(fds[i]);

	/* Programs go away after an RCU grace period and a work item. */
	for (waited = 0; waited < 300; waited++) {
		read_state(&after);
		if ((!have_users || after.allocs <= before.allocs) &&
		    chunks_back(&before, &after, reserve))
			break;
		usleep(100 * 1000);
	}
	ksft_print_msg("after: bpf allocations=%ld bytes=%ld x4k=%lu x2m=%lu l2=%ld (%d ms)\n",
		       after.allocs, after.bytes, after.map.x4k, after.map.x2m,
		       after.l2, waited * 100);

	/* 7: allocations back to where they were */
	if (have_users)
		ksft_test_result(after.allocs <= before.allocs &&
				 after.bytes <= before.bytes,
				 "users/bpf back to %ld allocations, %ld bytes (were %ld, %ld)\n",
				 after.allocs, after.bytes, before.allocs,
				 before.bytes);
	else
		ksft_test_result_skip("users/bpf: no " TP_SYSFS "/users/bpf\n");

	/* 8: chunks fall back to the reserve */
	if (have_nodes && reserve >= 0) {
		int n;

		for (n = 0; n < nr_nodes; n++)
			ksft_print_msg("node%d: chunks %ld -> %ld -> %ld (reserve %ld)\n",
				       n, before.node_chunks[n],
				       loaded.node_chunks[n],
				       after.node_chunks[n], reserve);
		ksft_test_result(chunks_back(&before, &after, reserve),
				 "chunks fall back to the reserve\n");
	} else {
		ksft_test_result_skip("chunks: no " TP_SYSFS "/nodeN\n");
	}

	/* 9: the direct map was not split */
	if (before.l2 >= 0)
		ksft_test_result(after.l2 == before.l2 && loaded.l2 == before.l2,
				 "direct_map_level2_splits %ld -> %ld -> %ld\n",
				 before.l2, loaded.l2, after.l2);
	else
		ksft_test_result_skip("no direct_map_level2_splits in /proc/vmstat\n");

	free(fds);
	ksft_finished();
}
