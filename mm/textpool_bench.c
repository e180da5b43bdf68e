// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel microbenchmark of textpool (mm/textpool.c) against the paths it
 * replaces: execmem_alloc() + set_memory_rox() + execmem_free() (ftrace,
 * kprobes and BPF trampolines on the base kernel) and 6.12's bpf_prog_pack
 * (BPF programs on the base kernel, BPF's fallback with textpool).
 *
 * Run it at boot with textpool_bench.run=1 on the kernel command line, or
 * later with "echo 1 > /sys/module/textpool_bench/parameters/run".  It
 * prints one line per measurement to the console (here folded):
 *
 *   textpool-bench: impl=textpool size=64 live=10000 nodes=2 threads=1
 *                   iters=4000 ns_per_op=N alloc_ns=A free_ns=F
 *   textpool-bench: impl=execmem size=64 live=10000 nodes=2 threads=1
 *                   iters=200 ns_per_op=N alloc_ns=A free_ns=F
 *   textpool-bench: done
 *
 * An op is one allocation plus one free of @size bytes (ns_per_op =
 * alloc_ns + free_ns, each per call), made while @live
 * other allocations of the same implementation (random sizes of 64 B to
 * 4 KiB, spread over the nodes with memory) are kept alive.  Both
 * implementations are measured with 100 and 10,000 live allocations,
 * textpool with 1,000 too to show how it scales.  bpf_prog_pack frees
 * need the size, so every implementation's free is given it.  threads=N
 * lines are the contended case: one thread on each online CPU (both vCPUs
 * of the guest), each allocating on its own node, all at once; their ns
 * are the mean of the threads' per-op times.
 */

#define pr_fmt(fmt) "textpool-bench: " fmt

#include <linux/execmem.h>
#include <linux/completion.h>
#include <linux/filter.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/set_memory.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <linux/vmalloc.h>

#include "textpool_internal.h"

#define BENCH_MAX_LIVE	10000
#define BENCH_BATCH	16

static const size_t bench_sizes[] = { 64, 256, 1024, 4096 };
static const unsigned int bench_live[] = { 100, 1000, BENCH_MAX_LIVE };
#define BENCH_MAX_THREADS	8

static DEFINE_MUTEX(bench_lock);
static bool bench_run_at_boot;
static int bench_nids[MAX_NUMNODES];
static unsigned int bench_nr_nids;

struct bench_impl {
	const char *name;
	void *(*alloc)(size_t size, int nid);
	void (*free)(void *p, size_t size);
	unsigned int iters;
};

/* A live allocation of the benchmark and its size. */
struct bench_obj {
	void *p;
	size_t size;
};

static void *bench_textpool_alloc(size_t size, int nid)
{
	return textpool_alloc_node(size, nid, TEXTPOOL_OTHER);
}

static void bench_textpool_free(void *p, size_t size)
{
	textpool_free(p, TEXTPOOL_OTHER);
}

/* What BPF, ftrace and kprobes do on the base kernel. */
static void *bench_execmem_alloc(size_t size, int nid)
{
	void *p = execmem_alloc(EXECMEM_BPF, size);

	if (!p)
		return NULL;
	memset(p, 0xcc, PAGE_ALIGN(size));
	if (set_memory_rox((unsigned long)p, PAGE_ALIGN(size) >> PAGE_SHIFT)) {
		execmem_free(p);
		return NULL;
	}
	return p;
}

static void bench_execmem_free(void *p, size_t size)
{
	execmem_free(p);
}

#ifdef CONFIG_BPF_JIT
/* 6.12's bpf_prog_pack, as BPF uses it: int3 in the holes. */
static void bench_pack_fill(void *area, unsigned int size)
{
	memset(area, 0xcc, size);
}

static void *bench_pack_alloc(size_t size, int nid)
{
	return bpf_prog_pack_fallback_alloc(size, bench_pack_fill);
}

static void bench_pack_free(void *p, size_t size)
{
	bpf_prog_pack_fallback_free(p, size);
}
#endif

static const struct bench_impl bench_impls[] = {
	{ "textpool", bench_textpool_alloc, bench_textpool_free, 4000 },
	{ "execmem", bench_execmem_alloc, bench_execmem_free, 200 },
#ifdef CONFIG_BPF_JIT
	{ "bpf_prog_pack", bench_pack_alloc, bench_pack_free, 4000 },
#endif
};

static struct bench_obj *bench_populate(const struct bench_impl *impl,
					unsigned int live)
{
	struct bench_obj *o = vcalloc(live, sizeof(*o));
	unsigned int i;

	if (!o)
		return NULL;
	for (i = 0; i < live; i++) {
		o[i].size = 64 + get_random_u32_below(4096 - 64 + 1);
		o[i].p = impl->alloc(o[i].size, bench_nids[i % bench_nr_nids]);
		if (!o[i].p)
			pr_warn("impl=%s populate failed at %u\n", impl->name, i);
		cond_resched();
	}
	return o;
}

static void bench_depopulate(const struct bench_impl *impl,
			     struct bench_obj *o, unsigned int live)
{
	unsigned int i;

	for (i = 0; i < live; i++) {
		if (o[i].p)
			impl->free(o[i].p, o[i].size);
		cond_resched();
	}
	vfree(o);
}

struct bench_result {
	u64 alloc_ns;	/* per allocation */
	u64 free_ns;	/* per free */
};

/*
 * Time allocations and frees of @size, in batches, on node @nid, or
 * alternating nodes with NUMA_NO_NODE.
 */
static void bench_ops(const struct bench_impl *impl, size_t size,
		      unsigned int iters, int nid, struct bench_result *r)
{
	void *batch[BENCH_BATCH];
	unsigned int i, j, n = 0;
	u64 t0, t1, ta = 0, tf = 0;

	for (i = 0; i < iters; i += BENCH_BATCH) {
		t0 = ktime_get_ns();
		for (j = 0; j < BENCH_BATCH; j++)
			batch[j] = impl->alloc(size, nid != NUMA_NO_NODE ? nid :
					       bench_nids[(i + j) % bench_nr_nids]);
		t1 = ktime_get_ns();
		/* Free in another order than allocated: no easy merging. */
		for (j = 0; j < BENCH_BATCH; j++) {
			void *p = batch[(j * 7) % BENCH_BATCH];

			if (p)
				impl->free(p, size);
		}
		ta += t1 - t0;
		tf += ktime_get_ns() - t1;
		for (j = 0; j < BENCH_BATCH; j++)
			n += !!batch[j];
		cond_resched();
	}
	r->alloc_ns = n ? div_u64(ta, n) : 0;
	r->free_ns = n ? div_u64(tf, n) : 0;
}

static void bench_one(const struct bench_impl *impl, unsigned int live,
		      bool all_sizes)
{
	unsigned long refills0, refills1, extents0, extents1;
	struct bench_result r;
	struct bench_obj *p;
	u64 ns0, ns1;
	unsigned int s;

	p = bench_populate(impl, live);
	if (!p) {
		pr_warn("impl=%s live=%u: out of memory\n", impl->name, live);
		return;
	}
	for (s = 0; s < ARRAY_SIZE(bench_sizes); s++) {
		if (!all_sizes && bench_sizes[s] != 256)
			continue;
		textpool_refill_counts(&refills0, &extents0, &ns0);
		bench_ops(impl, bench_sizes[s], impl->iters, NUMA_NO_NODE, &r);
		textpool_refill_counts(&refills1, &extents1, &ns1);
		pr_info("impl=%s size=%zu live=%u nodes=%u threads=1 iters=%u ns_per_op=%llu alloc_ns=%llu free_ns=%llu refills=%lu refill_extents=%lu refill_ns=%llu\n",
			impl->name, bench_sizes[s], live, bench_nr_nids,
			impl->iters, r.alloc_ns + r.free_ns, r.alloc_ns,
			r.free_ns, refills1 - refills0, extents1 - extents0,
			refills1 == refills0 ? 0 :
			div_u64(ns1 - ns0, refills1 - refills0));
	}
	bench_depopulate(impl, p, live);
}

struct bench_thread {
	const struct bench_impl *impl;
	int nid;
	struct completion *start;
	struct bench_result r;
	struct completion done;
};

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;

	/* Start together: the point is that the threads run at once. */
	wait_for_completion(t->start);
	bench_ops(t->impl, 256, t->impl->iters, t->nid, &t->r);
	complete(&t->done);
	return 0;
}

/* 256 B ops of @impl from every online CPU at once, @live kept alive. */
static void bench_contended(const struct bench_impl *impl, unsigned int live)
{
	struct bench_thread *t;
	struct task_struct *task;
	unsigned int n = 0, i;
	struct completion start;
	struct bench_obj *p;
	u64 a = 0, f = 0;
	int cpu;

	t = kcalloc(BENCH_MAX_THREADS, sizeof(*t), GFP_KERNEL);
	p = t ? bench_populate(impl, live) : NULL;
	if (!p) {
		pr_warn("impl=%s live=%u threads: out of memory\n", impl->name, live);
		kfree(t);
		return;
	}
	init_completion(&start);
	for_each_online_cpu(cpu) {
		if (n == BENCH_MAX_THREADS)
			break;
		t[n].impl = impl;
		t[n].nid = cpu_to_node(cpu);
		t[n].start = &start;
		init_completion(&t[n].done);
		task = kthread_run_on_cpu(bench_thread_fn, &t[n], cpu,
					  "textpool_bench/%u");
		if (IS_ERR(task)) {
			pr_warn("impl=%s: no thread on CPU %d\n", impl->name, cpu);
			break;
		}
		n++;
	}
	complete_all(&start);
	for (i = 0; i < n; i++) {
		wait_for_completion(&t[i].done);
		a += t[i].r.alloc_ns;
		f += t[i].r.free_ns;
	}
	if (n)
		pr_info("impl=%s size=256 live=%u nodes=%u threads=%u iters=%u ns_per_op=%llu alloc_ns=%llu free_ns=%llu\n",
			impl->name, live, bench_nr_nids, n, impl->iters,
			div_u64(a + f, n), div_u64(a, n), div_u64(f, n));
	bench_depopulate(impl, p, live);
	kfree(t);
}

static void bench_run(void)
{
	struct textpool_stats st;
	unsigned int l, i;
	int nid;

	mutex_lock(&bench_lock);
	bench_nr_nids = 0;
	for_each_node_state(nid, N_MEMORY)
		bench_nids[bench_nr_nids++] = nid;

	/* Sizes at 10,000 live allocations, every implementation. */
	for (i = 0; i < ARRAY_SIZE(bench_impls); i++)
		bench_one(&bench_impls[i], BENCH_MAX_LIVE, true);
	/* Scaling with the live allocations, 256 B ops. */
	for (l = 0; l < ARRAY_SIZE(bench_live) - 1; l++)
		for (i = 0; i < ARRAY_SIZE(bench_impls); i++)
			if (i == 0 || bench_live[l] == 100)
				bench_one(&bench_impls[i], bench_live[l], false);
	/* Contention: every CPU at once. */
	for (i = 0; i < ARRAY_SIZE(bench_impls); i++)
		bench_contended(&bench_impls[i], BENCH_MAX_LIVE);

	textpool_get_stats(NUMA_NO_NODE, &st);
	pr_info("stats chunks=%lu allocations=%lu fallback_allocs=%lu fallback_allocations=%lu alloc_failures=%lu chunk_meta_bytes=%zu\n",
		st.chunks, st.allocations, st.fallback_allocs,
		st.fallback_allocations, st.alloc_failures,
		textpool_chunk_meta_bytes());
	pr_info("done\n");
	mutex_unlock(&bench_lock);
}

static int bench_set_run(const char *val, const struct kernel_param *kp)
{
	bool run;
	int ret;

	ret = kstrtobool(val, &run);
	if (ret || !run)
		return ret;
	if (system_state != SYSTEM_RUNNING)
		bench_run_at_boot = true;	/* too early: see bench_init() */
	else
		bench_run();
	return 0;
}

static const struct kernel_param_ops bench_run_ops = {
	.set = bench_set_run,
};
module_param_cb(run, &bench_run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "write 1 to run the benchmark (blocks until done)");

static int __init bench_init(void)
{
	if (bench_run_at_boot)
		bench_run();
	return 0;
}
late_initcall_sync(bench_init);
