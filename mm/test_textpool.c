// SPDX-License-Identifier: GPL-2.0
/*
 * Stress test of textpool (mm/textpool.c), in the style of
 * lib/test_vmalloc.c: threads bound round-robin to the online CPUs
 * allocate, write, verify and free textpool memory, case by case.
 *
 * A module for test kernels (CONFIG_TEST_TEXTPOOL=m): textpool exports the
 * functions it calls to it alone, in the TEXTPOOL_TEST namespace.  Loaded,
 * it runs its cases and then fails to load (-EAGAIN), so that it is gone
 * again; the module parameters choose the run:
 *
 *   nr_threads     threads per case, 1..64 (thread i runs on the i-th
 *                  online CPU, round-robin)
 *   nr_iterations  operations per thread and case, 1..1000000
 *   min_size       smallest allocation, 1..2 MiB, <= max_size
 *   max_size       largest allocation, 1..2 MiB, >= min_size
 *   node           node to allocate on, -1: all the nodes with memory
 *   run_test_mask  the cases to run, bit N - 1 for case N
 *   sequential     1: cases in their order, 0: in a random order
 *
 *   insmod test_textpool.ko nr_threads=4 nr_iterations=2000 run_test_mask=5
 *
 * A bad value makes insmod fail (-EINVAL) with a line in the kernel log
 * that names the parameter and says why.  Results go to the kernel log as
 * KTAP, each line prefixed with "test_textpool: ", one result per case
 * with the operations done and the milliseconds taken:
 *
 *   test_textpool: KTAP version 1
 *   test_textpool: 1..9
 *   test_textpool: ok 1 random_alloc_free # ops=4000 ms=812
 *   ...
 *
 * Every case fails if a thread saw something wrong, if textpool rejected
 * a free it should have taken (or, in bad_free, did not reject exactly
 * the bad ones), or if TEXTPOOL_OTHER's live allocations are not back to
 * what they were at its start.
 *
 * With fragment_node=N the module runs no case: it leaves node N without a
 * free 2 MiB page, for tools/testing/selftests/textpool/fragmented.sh.  It
 * takes the free space of node N's chunks, so that the node's next
 * allocation needs a new chunk, then every free 4 KiB page of the node and
 * gives every other one back (by pfn), checks that no free block of 2 MiB
 * or more is left on the node, and stays loaded, holding all of it until
 * it is removed.  Keeping compaction from making a 2 MiB page again out of
 * movable pages (vm.extfrag_threshold=1000) is up to the caller.
 */

#define pr_fmt(fmt) "test_textpool: " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/random.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "textpool_arch.h"
#include "textpool_internal.h"

#define TT_MAX_THREADS		64
#define TT_MAX_ITERATIONS	1000000
#define TT_LIVE			64	/* live allocations per thread */
#define TT_RING			16	/* short-lived ones in fragmentation */
#define TT_QUEUE_MAX		256	/* hand-over queue depth */
#define TT_TAG			16	/* bytes of the tag some cases write */
#define TT_USER			TEXTPOOL_OTHER
#define TT_NR_CASES		9

static unsigned int tt_nr_threads = 4;
static unsigned int tt_nr_iterations = 1000;
static unsigned int tt_min_size = 1;
static unsigned int tt_max_size = 4096;
static int tt_node = NUMA_NO_NODE;
static unsigned int tt_run_test_mask = GENMASK(TT_NR_CASES - 1, 0);
static bool tt_sequential = true;
static int tt_fragment_node = NUMA_NO_NODE;
static unsigned int tt_fill;

struct tt_obj {
	void *p;
	size_t size;
	u32 seed;
};

struct tt_item {
	struct llist_node node;
	void *p;
	size_t size;
};

struct tt_run;

struct tt_thread {
	struct tt_run *run;
	struct task_struct *task;
	struct completion done;
	unsigned int idx;
	int cpu;
	int nid;			/* the node of @cpu */
	unsigned long ops;
	unsigned long errors;
	unsigned long bad;		/* bad frees and writes made on purpose */
	unsigned long large;		/* fallback allocations: too large */
	unsigned long disabled;		/* fallback allocations: disabled */
	struct tt_obj live[TT_LIVE];
	u8 *buf;			/* max(max_size, TT_TAG) bytes */
	struct llist_head queue;	/* hand-over (cross_node_free) */
	atomic_t queued;
	unsigned long expect;		/* items to take from @queue */
};

struct tt_case {
	const char *name;
	void (*fn)(struct tt_thread *t);
	void (*setup)(struct tt_run *r);
	/* Called once all threads wait in tt_hold(); they go on after it. */
	void (*hold)(struct tt_run *r);
	void (*teardown)(struct tt_run *r);
	bool cross;	/* odd threads run on another node than the even ones */
	bool splat;	/* makes rejected frees: warns, may make bad frees */
};

struct tt_run {
	unsigned int nr_threads;
	unsigned int iters;
	size_t min_size;
	size_t max_size;
	int node;
	const struct tt_case *c;
	struct tt_thread *th;
	int *cpus;
	unsigned int nr_cpus;
	int nids[MAX_NUMNODES];
	unsigned int nr_nids;
	atomic_long_t errors;		/* found by the main thread */
	atomic_t held;
	struct completion all_held;
	struct completion release;
	struct rw_semaphore sem;
	int wnid;			/* the writer's node (set_vs_free) */
	bool enabled;			/* saved tunables */
	unsigned int reserve;
	unsigned int max_chunks;
	unsigned long causes[TEXTPOOL_FB_NR];
	struct textpool_user_stats u0;
	char note[96];
};

/* ---- Helpers ------------------------------------------------------------- */

/* A thread found something wrong: say what (the first few times). */
static __printf(2, 3) void tt_fail(struct tt_thread *t, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (t->errors++ >= 3)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("# %s: thread %u: %pV\n", t->run->c->name, t->idx, &vaf);
	va_end(args);
}

/* The main thread found something wrong. */
static __printf(2, 3) void tt_run_fail(struct tt_run *r, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&r->errors);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("# %s: %pV\n", r->c->name, &vaf);
	va_end(args);
}

static size_t tt_size(struct tt_run *r)
{
	return r->min_size + get_random_u32_below(r->max_size - r->min_size + 1);
}

static int tt_pick_nid(struct tt_thread *t)
{
	struct tt_run *r = t->run;

	if (r->node != NUMA_NO_NODE)
		return r->node;
	return r->nids[get_random_u32_below(r->nr_nids)];
}

/* A byte pattern of its own for each seed (xorshift32). */
static void tt_pattern(u8 *buf, size_t size, u32 seed)
{
	u32 x = seed | 1;
	size_t i;

	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

/* A new allocation: 64-byte aligned and all INT3. */
static void *tt_alloc(struct tt_thread *t, size_t size, int nid)
{
	void *p = textpool_alloc_node(size, nid, TT_USER);
	u8 *bad;

	if (!p) {
		tt_fail(t, "allocation of %zu bytes on node %d failed", size,
			nid);
		return NULL;
	}
	if (!IS_ALIGNED((unsigned long)p, TEXTPOOL_SLOT_SIZE))
		tt_fail(t, "allocation %p of %zu bytes is not aligned", p,
			size);
	bad = memchr_inv(p, tt_fill, size);
	if (bad)
		tt_fail(t, "new allocation %p of %zu bytes holds %#x at +%td",
			p, size, *bad, bad - (u8 *)p);
	return p;
}

static void tt_new(struct tt_thread *t, struct tt_obj *o, size_t size,
		   int nid)
{
	o->size = size;
	o->seed = 0;
	o->p = tt_alloc(t, size, nid);
}

static void tt_free(struct tt_obj *o)
{
	textpool_free(o->p, TT_USER);
	o->p = NULL;
}

/* Free @o after checking it is still all INT3 (nobody wrote into it). */
static void tt_free_checked(struct tt_thread *t, struct tt_obj *o)
{
	u8 *bad;

	if (!o->p)
		return;
	bad = memchr_inv(o->p, tt_fill, o->size);
	if (bad)
		tt_fail(t, "allocation %p of %zu bytes changed: %#x at +%td",
			o->p, o->size, *bad, bad - (u8 *)o->p);
	tt_free(o);
}

/* Write @o's own pattern (its seed) with textpool_copy(). */
static void tt_write(struct tt_thread *t, struct tt_obj *o, size_t len)
{
	int ret;

	o->seed = get_random_u32();
	tt_pattern(t->buf, len, o->seed);
	ret = textpool_copy(o->p, t->buf, len, TT_USER);
	if (ret)
		tt_fail(t, "textpool_copy() of %zu bytes to %p: %d", len, o->p,
			ret);
}

/* Is @o's pattern still there, on the read-only executable mapping? */
static void tt_verify(struct tt_thread *t, struct tt_obj *o, size_t len)
{
	size_t i;

	tt_pattern(t->buf, len, o->seed);
	if (!memcmp(o->p, t->buf, len))
		return;
	for (i = 0; i < len && ((u8 *)o->p)[i] == t->buf[i]; i++)
		;
	tt_fail(t, "allocation %p of %zu bytes overwritten at +%zu: %#x, not %#x",
		o->p, o->size, i, ((u8 *)o->p)[i], t->buf[i]);
}

static void tt_free_all(struct tt_thread *t)
{
	unsigned int i;

	for (i = 0; i < TT_LIVE; i++)
		if (t->live[i].p)
			tt_free(&t->live[i]);
}

/* Wait, like all the threads, until the case's hold() ran. */
static void tt_hold(struct tt_thread *t)
{
	struct tt_run *r = t->run;

	if (atomic_inc_return(&r->held) == r->nr_threads)
		complete(&r->all_held);
	while (!wait_for_completion_timeout(&r->release, HZ))
		;
}

/* One op of random_alloc_free: fill or empty a random live slot. */
static void tt_random_op(struct tt_thread *t, int nid, bool check)
{
	struct tt_obj *o = &t->live[get_random_u32_below(TT_LIVE)];

	if (!o->p)
		tt_new(t, o, tt_size(t->run), nid);
	else if (check)
		tt_free_checked(t, o);
	else
		tt_free(o);
	t->ops++;
}

/* ---- 1: random alloc/free on all the nodes -------------------------------- */

static void tt_random_alloc_free(struct tt_thread *t)
{
	unsigned int i;

	for (i = 0; i < t->run->iters; i++) {
		tt_random_op(t, tt_pick_nid(t), true);
		cond_resched();
	}
	tt_free_all(t);
}

/* ---- 2: alloc on one CPU, free on another node's ------------------------- */

static void tt_cross_setup(struct tt_run *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_threads; i++) {
		init_llist_head(&r->th[i].queue);
		atomic_set(&r->th[i].queued, 0);
		r->th[i].expect = (i & 1) ? r->iters : 0;
	}
}

static void tt_cross_produce(struct tt_thread *t, struct tt_thread *to)
{
	struct tt_run *r = t->run;
	int nid = r->node == NUMA_NO_NODE ? t->nid : r->node;
	struct tt_item *it;
	unsigned int i;

	for (i = 0; i < r->iters; i++) {
		while (atomic_read(&to->queued) >= TT_QUEUE_MAX)
			usleep_range(20, 50);
		it = kmalloc(sizeof(*it), GFP_KERNEL | __GFP_NOFAIL);
		it->size = tt_size(r);
		it->p = tt_alloc(t, it->size, nid);
		atomic_inc(&to->queued);
		llist_add(&it->node, &to->queue);	/* NULL p: count only */
		t->ops++;
		cond_resched();
	}
}

static void tt_cross_consume(struct tt_thread *t)
{
	struct llist_node *list;
	struct tt_item *it, *tmp;
	unsigned long got = 0;
	u8 *bad;

	while (got < t->expect) {
		list = llist_del_all(&t->queue);
		if (!list) {
			usleep_range(20, 50);
			continue;
		}
		llist_for_each_entry_safe(it, tmp, list, node) {
			if (it->p) {
				if (textpool_contains(it->p) &&
				    textpool_space_state(it->p) !=
				    TEXTPOOL_SPACE_ALLOCATED)
					tt_fail(t, "handed-over %p is not allocated",
						it->p);
				bad = memchr_inv(it->p, tt_fill, it->size);
				if (bad)
					tt_fail(t, "handed-over %p changed at +%td",
						it->p, bad - (u8 *)it->p);
				textpool_free(it->p, TT_USER);
				t->ops++;
			}
			atomic_dec(&t->queued);
			kfree(it);
			got++;
		}
		cond_resched();
	}
}

static void tt_cross_node_free(struct tt_thread *t)
{
	struct tt_run *r = t->run;
	unsigned int i;

	if (t->idx & 1) {
		tt_cross_consume(t);
	} else if (t->idx + 1 < r->nr_threads) {
		tt_cross_produce(t, &r->th[t->idx + 1]);
	} else {
		/* The odd one out hands over to itself. */
		for (i = 0; i < r->iters; i++) {
			tt_random_op(t, tt_pick_nid(t), true);
			cond_resched();
		}
		tt_free_all(t);
	}
}

static void tt_cross_teardown(struct tt_run *r)
{
	unsigned int i, pairs = 0, cross = 0;

	for (i = 1; i < r->nr_threads; i += 2) {
		pairs++;
		cross += r->th[i].nid != r->th[i - 1].nid;
	}
	snprintf(r->note, sizeof(r->note), " cross_node_pairs=%u/%u", cross,
		 pairs);
}

/* ---- 3: own pattern in each allocation, verified ------------------------- */

static void tt_pattern_verify(struct tt_thread *t)
{
	struct tt_obj *o;
	unsigned int i;

	for (i = 0; i < t->run->iters; i++) {
		o = &t->live[get_random_u32_below(TT_LIVE)];
		if (o->p) {
			tt_verify(t, o, o->size);
			tt_free(o);
		} else {
			tt_new(t, o, tt_size(t->run), tt_pick_nid(t));
			if (o->p) {
				tt_write(t, o, o->size);
				tt_verify(t, o, o->size);
			}
		}
		/* And one of the others, written earlier. */
		o = &t->live[get_random_u32_below(TT_LIVE)];
		if (o->p)
			tt_verify(t, o, o->size);
		t->ops++;
		cond_resched();
	}
	for (i = 0; i < TT_LIVE; i++) {
		o = &t->live[i];
		if (o->p) {
			tt_verify(t, o, o->size);
			tt_free(o);
		}
	}
}

/* ---- 4: freed space is INT3 again once refilled -------------------------- */

static void tt_refill_setup(struct tt_run *r)
{
	init_rwsem(&r->sem);
}

/* Free a written allocation, refill, check the space and a new one. */
static void tt_refill_check(struct tt_thread *t, size_t size, int nid)
{
	enum textpool_space st;
	struct tt_obj o;
	void *q;
	u8 *bad;

	tt_new(t, &o, size, nid);
	if (!o.p)
		return;
	if (textpool_set(o.p, 0x90, size, TT_USER))
		tt_fail(t, "textpool_set() of %p failed", o.p);
	textpool_free(o.p, TT_USER);
	textpool_refill_all();
	st = textpool_space_state(o.p);
	if (st == TEXTPOOL_SPACE_ALLOCATED || st == TEXTPOOL_SPACE_DIRTY ||
	    st == TEXTPOOL_SPACE_REFILLING) {
		tt_fail(t, "freed %p is in state %d after the refill", o.p, st);
	} else if (st != TEXTPOOL_SPACE_NONE) {
		/* Still mapped (the chunk was not given back): read it. */
		bad = NULL;
		if (copy_from_kernel_nofault(t->buf, o.p, size))
			tt_fail(t, "freed %p cannot be read", o.p);
		else
			bad = memchr_inv(t->buf, tt_fill, size);
		if (bad)
			tt_fail(t, "freed %p not refilled: %#x at +%td", o.p,
				*bad, bad - t->buf);
	}
	q = tt_alloc(t, size, nid);	/* checks it is all INT3 */
	textpool_free(q, TT_USER);
}

static void tt_refill_int3(struct tt_thread *t)
{
	struct tt_run *r = t->run;
	int nid = r->node == NUMA_NO_NODE ? t->nid : r->node;
	struct tt_obj o;
	unsigned int i;
	size_t size;
	u8 *bad;

	for (i = 0; i < r->iters; i++) {
		size = tt_size(r);
		if (i % 16 == 15) {
			/* Alone, so that nobody takes the freed space. */
			down_write(&r->sem);
			tt_refill_check(t, size, nid);
			up_write(&r->sem);
		} else {
			down_read(&r->sem);
			tt_new(t, &o, size, nid);
			if (o.p) {
				if (textpool_set(o.p, 0x90, size, TT_USER))
					tt_fail(t, "textpool_set() of %p failed",
						o.p);
				bad = memchr_inv(o.p, 0x90, size);
				if (bad)
					tt_fail(t, "%p not written at +%td", o.p,
						bad - (u8 *)o.p);
				tt_free(&o);
			}
			up_read(&r->sem);
		}
		t->ops++;
		cond_resched();
	}
}

/* ---- 5: long-lived + short-lived (fragmentation) -------------------------- */

struct tt_span {
	unsigned long start, end;
};

static int tt_span_cmp(const void *a, const void *b)
{
	const struct tt_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void tt_fragmentation(struct tt_thread *t)
{
	struct tt_obj ring[TT_RING] = {};
	unsigned int i, k = 0;
	struct tt_obj *o;

	for (i = 0; i < t->run->iters; i++) {
		if (!get_random_u32_below(8)) {
			o = &t->live[get_random_u32_below(TT_LIVE)];
			if (o->p)	/* full there: some churn of long ones */
				tt_free_checked(t, o);
			tt_new(t, o, tt_size(t->run), tt_pick_nid(t));
		} else {
			tt_free_checked(t, &ring[k]);
			tt_new(t, &ring[k], tt_size(t->run), tt_pick_nid(t));
			k = (k + 1) % TT_RING;
		}
		t->ops++;
		cond_resched();
	}
	for (k = 0; k < TT_RING; k++)
		tt_free_checked(t, &ring[k]);
	/* Only the long-lived ones are left: see tt_frag_hold(). */
	tt_hold(t);
	for (i = 0; i < TT_LIVE; i++)
		tt_free_checked(t, &t->live[i]);
}

static void tt_frag_setup(struct tt_run *r)
{
	textpool_get_user_stats(TT_USER, &r->u0);
}

/*
 * With only the long-lived allocations live: they must not overlap, the
 * user's live allocations must be those, and the pools' utilisation is
 * reported.
 */
static void tt_frag_hold(struct tt_run *r)
{
	struct textpool_user_stats u;
	unsigned long n = 0, util = 0;
	struct textpool_stats st;
	struct tt_span *s;
	unsigned int i, j;

	s = kvcalloc(r->nr_threads * TT_LIVE, sizeof(*s), GFP_KERNEL);
	if (!s) {
		tt_run_fail(r, "no memory for the overlap check");
		return;
	}
	for (i = 0; i < r->nr_threads; i++) {
		for (j = 0; j < TT_LIVE; j++) {
			struct tt_obj *o = &r->th[i].live[j];

			if (!o->p)
				continue;
			s[n].start = (unsigned long)o->p;
			s[n].end = s[n].start + o->size;
			n++;
		}
	}
	sort(s, n, sizeof(*s), tt_span_cmp, NULL);
	for (i = 1; i < n; i++)
		if (s[i].start < s[i - 1].end)
			tt_run_fail(r, "live allocations overlap at %#lx",
				    s[i].start);
	kvfree(s);

	textpool_get_user_stats(TT_USER, &u);
	if (u.allocations - r->u0.allocations != n)
		tt_run_fail(r, "%lu live allocations counted, %lu held",
			    u.allocations - r->u0.allocations, n);
	textpool_get_stats(NUMA_NO_NODE, &st);
	if (st.chunks)
		util = div_u64((u64)st.allocated_bytes * 100,
			       st.chunks * TEXTPOOL_CHUNK_SIZE);
	snprintf(r->note, sizeof(r->note),
		 " live=%lu chunks=%lu util=%lu%%", n, st.chunks, util);
}

/* ---- 6: textpool_set() racing with frees of the neighbours --------------- */

static void tt_set_setup(struct tt_run *r)
{
	r->wnid = r->node == NUMA_NO_NODE ? r->th[0].nid : r->node;
}

static void tt_set_writer(struct tt_thread *t)
{
	struct tt_run *r = t->run;
	struct tt_obj w, n = {};
	size_t size = tt_size(r);
	unsigned int i;
	u8 v, *bad;
	int ret;

	tt_new(t, &w, size, r->wnid);
	if (!w.p)
		return;
	for (i = 0; i < r->iters; i++) {
		v = 0x10 + i % 0x80;	/* never INT3 */
		ret = textpool_set(w.p, v, size, TT_USER);
		if (ret)
			tt_fail(t, "textpool_set() of %p: %d", w.p, ret);
		bad = memchr_inv(w.p, v, size);
		if (bad)
			tt_fail(t, "own %p changed at +%td: %#x, not %#x", w.p,
				bad - (u8 *)w.p, *bad, v);
		if (i % 16 == 0 && textpool_contains(w.p)) {
			/* Past the allocation: refused, nothing written. */
			ret = textpool_set(w.p, 0x90,
					   round_up(size, TEXTPOOL_SLOT_SIZE) + 1,
					   TT_USER);
			if (ret != -EINVAL)
				tt_fail(t, "textpool_set() past %p: %d", w.p,
					ret);
			if (memchr_inv(w.p, v, size))
				tt_fail(t, "refused set of %p wrote", w.p);
		}
		if (r->nr_threads == 1) {	/* its own neighbours */
			if (n.p)
				tt_free_checked(t, &n);
			else
				tt_new(t, &n, tt_size(r), r->wnid);
		}
		t->ops++;
		cond_resched();
	}
	tt_free_checked(t, &n);
	tt_free(&w);
}

static void tt_set_vs_free(struct tt_thread *t)
{
	unsigned int i;

	if (!t->idx) {
		tt_set_writer(t);
		return;
	}
	/* Neighbours on the writer's node, checked to be INT3 still. */
	for (i = 0; i < t->run->iters; i++) {
		tt_random_op(t, t->run->wnid, true);
		cond_resched();
	}
	for (i = 0; i < TT_LIVE; i++)
		tt_free_checked(t, &t->live[i]);
}

/* ---- 7: tunables flipping while allocators run ---------------------------- */

static void tt_save_tunables(struct tt_run *r)
{
	r->enabled = textpool_enabled();
	r->reserve = textpool_reserve_chunks();
	r->max_chunks = textpool_max_chunks();
}

static void tt_restore_tunables(struct tt_run *r)
{
	textpool_set_enabled(r->enabled);
	if (textpool_set_reserve_chunks(r->reserve) ||
	    textpool_set_max_chunks(r->max_chunks))
		tt_run_fail(r, "could not restore the tunables");
	if (textpool_enabled() != r->enabled ||
	    textpool_reserve_chunks() != r->reserve ||
	    textpool_max_chunks() != r->max_chunks)
		tt_run_fail(r, "tunables not restored");
}

static void tt_flip(struct tt_thread *t)
{
	int ret;

	textpool_set_enabled(get_random_u32_below(2));
	ret = textpool_set_reserve_chunks(get_random_u32_below(3));
	if (ret)
		tt_fail(t, "textpool_set_reserve_chunks(): %d", ret);
	ret = textpool_set_max_chunks(get_random_u32_below(4));
	if (ret)
		tt_fail(t, "textpool_set_max_chunks(): %d", ret);
}

static void tt_tunables(struct tt_thread *t)
{
	struct tt_obj *o;
	unsigned int i;
	size_t len;

	if (!t->idx) {
		/* Out of range: refused. */
		if (textpool_set_reserve_chunks(65) != -EINVAL ||
		    textpool_set_max_chunks(textpool_max_chunks_limit() + 1) !=
		    -EINVAL)
			tt_fail(t, "an out-of-range tunable was taken");
	}
	for (i = 0; i < t->run->iters; i++) {
		if (!t->idx && i % 8 == 0)
			tt_flip(t);
		o = &t->live[get_random_u32_below(TT_LIVE)];
		if (o->p) {
			tt_verify(t, o, min_t(size_t, o->size, TT_TAG));
			tt_free(o);
		} else {
			tt_new(t, o, tt_size(t->run), tt_pick_nid(t));
			len = min_t(size_t, o->size, TT_TAG);
			if (o->p) {
				tt_write(t, o, len);
				tt_verify(t, o, len);
			}
		}
		t->ops++;
		cond_resched();
	}
	for (i = 0; i < TT_LIVE; i++) {
		o = &t->live[i];
		if (o->p) {
			tt_verify(t, o, min_t(size_t, o->size, TT_TAG));
			tt_free(o);
		}
	}
}

/* ---- 8: the fallback path ----------------------------------------------- */

static void tt_fallback_setup(struct tt_run *r)
{
	struct textpool_stats st;

	tt_save_tunables(r);
	textpool_set_enabled(true);
	textpool_get_stats(NUMA_NO_NODE, &st);
	memcpy(r->causes, st.fallback_causes, sizeof(r->causes));
}

/* Between the phases: textpool disabled for the second. */
static void tt_fallback_hold(struct tt_run *r)
{
	textpool_set_enabled(false);
}

static void tt_fallback_one(struct tt_thread *t, size_t size,
			    unsigned long *count)
{
	struct tt_obj o;
	size_t len = min_t(size_t, size, TT_TAG);

	tt_new(t, &o, size, tt_pick_nid(t));
	if (!o.p)
		return;
	(*count)++;
	if (!textpool_is_fallback(o.p) || textpool_contains(o.p))
		tt_fail(t, "%zu bytes at %p not served by the fallback", size,
			o.p);
	/* Written at the end: all of it is mapped and writable by text_poke. */
	o.p += size - len;
	tt_write(t, &o, len);
	tt_verify(t, &o, len);
	o.p -= size - len;
	tt_free(&o);
	t->ops++;
}

static void tt_fallback(struct tt_thread *t)
{
	unsigned int i;

	/* Larger than a chunk, textpool enabled. */
	for (i = 0; i < t->run->iters / 64 + 1; i++) {
		tt_fallback_one(t, TEXTPOOL_CHUNK_SIZE + 1 +
				get_random_u32_below(SZ_64K), &t->large);
		cond_resched();
	}
	tt_hold(t);
	/* Any size, textpool disabled. */
	for (i = 0; i < t->run->iters / 16 + 1; i++) {
		tt_fallback_one(t, tt_size(t->run), &t->disabled);
		cond_resched();
	}
}

static void tt_fallback_teardown(struct tt_run *r)
{
	unsigned long large, disabled, n_large = 0, n_disabled = 0;
	struct textpool_stats st;
	unsigned int i;

	tt_restore_tunables(r);
	for (i = 0; i < r->nr_threads; i++) {
		n_large += r->th[i].large;
		n_disabled += r->th[i].disabled;
	}
	textpool_get_stats(NUMA_NO_NODE, &st);
	large = st.fallback_causes[TEXTPOOL_FB_LARGE] -
		r->causes[TEXTPOOL_FB_LARGE];
	disabled = st.fallback_causes[TEXTPOOL_FB_DISABLED] -
		   r->causes[TEXTPOOL_FB_DISABLED];
	if (large < n_large || disabled < n_disabled)
		tt_run_fail(r, "fallback causes large %lu, disabled %lu; made %lu, %lu",
			    large, disabled, n_large, n_disabled);
	snprintf(r->note, sizeof(r->note), " large=%lu disabled=%lu", large,
		 disabled);
}

/* ---- 9: bad frees and double frees while others run ---------------------- */

/* One kind of bad free or write, on an allocation of its own. */
static void tt_bad_one(struct tt_thread *t, unsigned int kind)
{
	struct tt_run *r = t->run;
	int nid = tt_pick_nid(t);
	struct tt_obj o, pin;
	int ret;

	switch (kind) {
	case 0:		/* double free; no other thread allocates meanwhile */
		down_write(&r->sem);
		tt_new(t, &pin, TEXTPOOL_SLOT_SIZE, nid);
		tt_new(t, &o, tt_size(r), nid);
		if (o.p) {
			textpool_free(o.p, TT_USER);
			textpool_free(o.p, TT_USER);
			t->bad++;
		}
		textpool_free(pin.p, TT_USER);
		up_write(&r->sem);
		break;
	case 1:		/* inside a live allocation */
		tt_new(t, &o, TEXTPOOL_SLOT_SIZE + 1 + tt_size(r), nid);
		if (!o.p)
			break;
		textpool_free(o.p + TEXTPOOL_SLOT_SIZE, TT_USER);
		t->bad++;
		if (textpool_contains(o.p) &&
		    textpool_space_state(o.p) != TEXTPOOL_SPACE_ALLOCATED)
			tt_fail(t, "a free inside %p freed it", o.p);
		tt_free_checked(t, &o);
		break;
	case 2:		/* by another user: free and write refused */
		tt_new(t, &o, tt_size(r), nid);
		if (!o.p)
			break;
		textpool_free(o.p, TEXTPOOL_BPF);
		t->bad++;
		ret = textpool_set(o.p, 0x90, 1, TEXTPOOL_BPF);
		t->bad++;
		if (ret != -EPERM)
			tt_fail(t, "write by another user to %p: %d", o.p, ret);
		tt_free_checked(t, &o);	/* still live, still INT3 */
		break;
	case 3:		/* of memory textpool did not hand out */
		textpool_free(t->buf, TT_USER);
		t->bad++;
		break;
	default:	/* double free of a fallback allocation */
		down_write(&r->sem);
		tt_new(t, &o, TEXTPOOL_CHUNK_SIZE + 1, nid);
		if (o.p) {
			textpool_free(o.p, TT_USER);
			textpool_free(o.p, TT_USER);
			t->bad++;
		}
		up_write(&r->sem);
		break;
	}
}

static void tt_bad_free(struct tt_thread *t)
{
	struct tt_run *r = t->run;
	unsigned int i;

	for (i = 0; i < r->iters; i++) {
		if (!t->idx && i % 4 == 0) {
			tt_bad_one(t, i % 64 == 32 ? 4 : (i / 4) % 4);
			t->ops++;
		} else {
			down_read(&r->sem);
			tt_random_op(t, tt_pick_nid(t), true);
			up_read(&r->sem);
		}
		cond_resched();
	}
	down_read(&r->sem);
	tt_free_all(t);
	up_read(&r->sem);
}

/* ---- The cases and the runner ------------------------------------------- */

static const struct tt_case tt_cases[TT_NR_CASES] = {
	{ "random_alloc_free", tt_random_alloc_free },
	{ "cross_node_free", tt_cross_node_free, tt_cross_setup, NULL,
	  tt_cross_teardown, .cross = true },
	{ "pattern_verify", tt_pattern_verify },
	{ "refill_int3", tt_refill_int3, tt_refill_setup },
	{ "fragmentation", tt_fragmentation, tt_frag_setup, tt_frag_hold },
	{ "set_vs_neighbour_free", tt_set_vs_free, tt_set_setup },
	{ "tunables", tt_tunables, tt_save_tunables, NULL,
	  tt_restore_tunables },
	{ "fallback", tt_fallback, tt_fallback_setup, tt_fallback_hold,
	  tt_fallback_teardown },
	{ "bad_free", tt_bad_free, tt_refill_setup, .splat = true },
};

static int tt_thread_fn(void *data)
{
	struct tt_thread *t = data;

	t->run->c->fn(t);
	complete(&t->done);
	return 0;
}

/* The CPU of thread @i: round-robin, another node for cross's odd ones. */
static int tt_thread_cpu(struct tt_run *r, unsigned int i)
{
	int cpu = r->cpus[i % r->nr_cpus], prev, other = 0;
	unsigned int j, k;

	if (!r->c->cross || !(i & 1))
		return cpu;
	prev = r->cpus[(i - 1) % r->nr_cpus];
	for (j = 0; j < r->nr_cpus; j++)
		other += cpu_to_node(r->cpus[j]) != cpu_to_node(prev);
	if (!other)
		return cpu;
	k = (i / 2) % other;
	for (j = 0; j < r->nr_cpus; j++)
		if (cpu_to_node(r->cpus[j]) != cpu_to_node(prev) && !k--)
			return r->cpus[j];
	return cpu;
}

static void tt_wait(struct completion *done)
{
	/* In steps: a long run is not a hung task. */
	while (!wait_for_completion_timeout(done, HZ))
		;
}

/* Run case @c as result @num of the plan; returns true if it passed. */
static bool tt_run_case(struct tt_run *r, const struct tt_case *c,
			unsigned int num)
{
	unsigned long bad0, bad1, errors = 0, ops = 0, expected_bad = 0;
	struct textpool_user_stats u0, u1;
	unsigned int i, started = 0;
	u64 t0, ms = 0;

	r->c = c;
	r->note[0] = '\0';
	atomic_long_set(&r->errors, 0);
	atomic_set(&r->held, 0);
	init_completion(&r->all_held);
	init_completion(&r->release);
	memset(r->th, 0, r->nr_threads * sizeof(*r->th));
	for (i = 0; i < r->nr_threads; i++) {
		struct tt_thread *t = &r->th[i];

		t->run = r;
		t->idx = i;
		t->cpu = tt_thread_cpu(r, i);
		t->nid = cpu_to_node(t->cpu);
		init_completion(&t->done);
		t->buf = vmalloc(max_t(size_t, r->max_size, TT_TAG));
		if (!t->buf) {
			tt_run_fail(r, "out of memory");
			goto out;
		}
	}
	textpool_get_user_stats(TT_USER, &u0);
	bad0 = textpool_bad_free_count();
	if (c->setup)
		c->setup(r);

	for (i = 0; i < r->nr_threads; i++) {
		struct tt_thread *t = &r->th[i];

		t->task = kthread_create(tt_thread_fn, t, "test_textpool/%u", i);
		if (IS_ERR(t->task)) {
			t->task = NULL;
			break;
		}
		get_task_struct(t->task);
		kthread_bind(t->task, t->cpu);
	}
	if (i < r->nr_threads) {
		for (i = 0; i < r->nr_threads && r->th[i].task; i++)
			kthread_stop_put(r->th[i].task);
		tt_run_fail(r, "could not start %u threads", r->nr_threads);
		goto teardown;
	}
	if (c->splat)
		pr_info("textpool-test: expect-splat-begin\n");
	t0 = ktime_get_ns();
	for (i = 0; i < r->nr_threads; i++)
		wake_up_process(r->th[i].task);
	started = r->nr_threads;
	if (c->hold) {
		tt_wait(&r->all_held);
		c->hold(r);
		complete_all(&r->release);
	}
	for (i = 0; i < started; i++) {
		tt_wait(&r->th[i].done);
		kthread_stop_put(r->th[i].task);
	}
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	if (c->splat)
		pr_info("textpool-test: expect-splat-end\n");

teardown:
	if (c->teardown)
		c->teardown(r);
	for (i = 0; i < r->nr_threads; i++) {
		errors += r->th[i].errors;
		ops += r->th[i].ops;
		expected_bad += r->th[i].bad;
	}
	textpool_get_user_stats(TT_USER, &u1);
	if (u1.allocations != u0.allocations)
		tt_run_fail(r, "live allocations %lu at the start, %lu at the end",
			    u0.allocations, u1.allocations);
	bad1 = textpool_bad_free_count();
	if (bad1 - bad0 != expected_bad)
		tt_run_fail(r, "%lu frees and writes rejected, %lu expected",
			    bad1 - bad0, expected_bad);
out:
	for (i = 0; i < r->nr_threads; i++) {
		vfree(r->th[i].buf);
		r->th[i].buf = NULL;
	}
	errors += atomic_long_read(&r->errors);
	pr_info("%sok %u %s # ops=%lu ms=%llu%s\n", errors ? "not " : "", num,
		c->name, ops, ms, r->note);
	return !errors;
}

/* Run the cases chosen by the parameters; -ENOMEM if it could not. */
static int tt_run(void)
{
	unsigned int order[TT_NR_CASES], n = 0, i, j, failed = 0;
	struct tt_run *r;
	int nid, cpu, ret = 0;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->nr_threads = tt_nr_threads;
	r->iters = tt_nr_iterations;
	r->min_size = tt_min_size;
	r->max_size = tt_max_size;
	r->node = tt_node;
	tt_fill = arch_textpool_fill_byte();
	for_each_node_state(nid, N_MEMORY)
		r->nids[r->nr_nids++] = nid;
	r->th = vcalloc(r->nr_threads, sizeof(*r->th));
	r->cpus = kcalloc(nr_cpu_ids, sizeof(*r->cpus), GFP_KERNEL);
	if (!r->th || !r->cpus || !r->nr_nids) {
		pr_err("# out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	cpus_read_lock();
	for_each_online_cpu(cpu)
		r->cpus[r->nr_cpus++] = cpu;
	cpus_read_unlock();

	for (i = 0; i < TT_NR_CASES; i++)
		if (tt_run_test_mask & BIT(i))
			order[n++] = i;
	if (!tt_sequential) {
		for (i = n; i > 1; i--) {
			j = get_random_u32_below(i);
			swap(order[i - 1], order[j]);
		}
	}
	pr_info("KTAP version 1\n");
	pr_info("# nr_threads=%u nr_iterations=%u min_size=%zu max_size=%zu\n",
		r->nr_threads, r->iters, r->min_size, r->max_size);
	pr_info("# node=%d cpus=%u nodes=%u sequential=%d\n", r->node,
		r->nr_cpus, r->nr_nids, tt_sequential);
	pr_info("1..%u\n", n);
	for (i = 0; i < n; i++)
		failed += !tt_run_case(r, &tt_cases[order[i]], i + 1);
	pr_info("# %u passed, %u failed\n", n - failed, failed);
out:
	kfree(r->cpus);
	vfree(r->th);
	kfree(r);
	return ret;
}

/* ---- Parameters ---------------------------------------------------------- */

static int tt_get_uint(const char *val, unsigned int *v, const char *name)
{
	if (kstrtouint(val, 0, v)) {
		pr_err("%s: '%s' is not a number\n", name, val);
		return -EINVAL;
	}
	return 0;
}

static int tt_set_nr_threads(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (tt_get_uint(val, &v, "nr_threads"))
		return -EINVAL;
	if (!v || v > TT_MAX_THREADS) {
		pr_err("nr_threads=%u: must be 1..%u\n", v, TT_MAX_THREADS);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int tt_set_nr_iterations(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (tt_get_uint(val, &v, "nr_iterations"))
		return -EINVAL;
	if (!v || v > TT_MAX_ITERATIONS) {
		pr_err("nr_iterations=%u: must be 1..%u\n", v,
		       TT_MAX_ITERATIONS);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int tt_set_size(const char *val, const struct kernel_param *kp)
{
	bool is_min = kp->arg == &tt_min_size;
	const char *name = is_min ? "min_size" : "max_size";
	unsigned int v;

	if (tt_get_uint(val, &v, name))
		return -EINVAL;
	if (!v || v > TEXTPOOL_CHUNK_SIZE) {
		pr_err("%s=%u: must be 1..%lu (2 MiB)\n", name, v,
		       TEXTPOOL_CHUNK_SIZE);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int tt_set_node(const char *val, const struct kernel_param *kp)
{
	bool frag = kp->arg == &tt_fragment_node;
	const char *name = frag ? "fragment_node" : "node";
	int v;

	if (kstrtoint(val, 0, &v)) {
		pr_err("%s: '%s' is not a number\n", name, val);
		return -EINVAL;
	}
	if (v != NUMA_NO_NODE &&
	    (v < 0 || v >= MAX_NUMNODES || !node_online(v) ||
	     !node_state(v, N_MEMORY))) {
		pr_err("%s=%d: not an online node with memory (-1: %s)\n",
		       name, v, frag ? "none" : "all");
		return -EINVAL;
	}
	*(int *)kp->arg = v;
	return 0;
}

static int tt_set_mask(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (tt_get_uint(val, &v, "run_test_mask"))
		return -EINVAL;
	if (!v || v >> TT_NR_CASES) {
		pr_err("run_test_mask=%u: must select cases of 1..%u (bits 0..%u)\n",
		       v, TT_NR_CASES, TT_NR_CASES - 1);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int tt_set_sequential(const char *val, const struct kernel_param *kp)
{
	if (kstrtobool(val, kp->arg)) {
		pr_err("sequential: '%s' is not 0 or 1\n", val);
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops tt_nr_threads_ops = {
	.set = tt_set_nr_threads,
	.get = param_get_uint,
};

static const struct kernel_param_ops tt_nr_iterations_ops = {
	.set = tt_set_nr_iterations,
	.get = param_get_uint,
};

static const struct kernel_param_ops tt_size_ops = {
	.set = tt_set_size,
	.get = param_get_uint,
};

static const struct kernel_param_ops tt_node_ops = {
	.set = tt_set_node,
	.get = param_get_int,
};

static const struct kernel_param_ops tt_mask_ops = {
	.set = tt_set_mask,
	.get = param_get_uint,
};

static const struct kernel_param_ops tt_sequential_ops = {
	.set = tt_set_sequential,
	.get = param_get_bool,
};

module_param_cb(nr_threads, &tt_nr_threads_ops, &tt_nr_threads, 0444);
MODULE_PARM_DESC(nr_threads, "threads per case, 1..64 (default 4)");
module_param_cb(nr_iterations, &tt_nr_iterations_ops, &tt_nr_iterations,
		0444);
MODULE_PARM_DESC(nr_iterations,
		 "operations per thread and case, 1..1000000 (default 1000)");
module_param_cb(min_size, &tt_size_ops, &tt_min_size, 0444);
MODULE_PARM_DESC(min_size, "smallest allocation in bytes, <= max_size (default 1)");
module_param_cb(max_size, &tt_size_ops, &tt_max_size, 0444);
MODULE_PARM_DESC(max_size, "largest allocation in bytes, <= 2 MiB (default 4096)");
module_param_cb(node, &tt_node_ops, &tt_node, 0444);
MODULE_PARM_DESC(node, "node to allocate on, -1 for all the nodes (default)");
module_param_cb(run_test_mask, &tt_mask_ops, &tt_run_test_mask, 0444);
MODULE_PARM_DESC(run_test_mask, "cases to run, bit N - 1 for case N (default: all)");
module_param_cb(sequential, &tt_sequential_ops, &tt_sequential, 0444);
MODULE_PARM_DESC(sequential, "run the cases in order (1, default) or shuffled (0)");
module_param_cb(fragment_node, &tt_node_ops, &tt_fragment_node, 0444);
MODULE_PARM_DESC(fragment_node,
		 "run no case: leave this node without a free 2 MiB page until rmmod");

/* ---- fragment_node: no free 2 MiB page on a node ------------------------- */

#define TT_CHUNK_ORDER	(TEXTPOOL_CHUNK_SHIFT - PAGE_SHIFT)
#define TT_FILL_MAX	64	/* allocations that take the chunks' space */
#define TT_ROUNDS	4	/* of taking free pages, see tt_pin_pages() */

/* What fragment_node holds until the module is removed. */
static struct {
	struct page **pages;		/* the pinned pages */
	unsigned long nr_pages;
	unsigned long max_pages;	/* the node's present pages */
	void *fill[TT_FILL_MAX];	/* the free space of the node's chunks */
	unsigned int nr_fill;
	unsigned int reserve;		/* reserve_chunks before */
} tt_frag;

/* Free blocks of 2 MiB and more in the zones of node @nid. */
static unsigned long tt_free_chunk_blocks(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long flags, n = 0;
	unsigned int order;
	struct zone *zone;

	for (zone = pgdat->node_zones;
	     zone < pgdat->node_zones + MAX_NR_ZONES; zone++) {
		if (!populated_zone(zone))
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		for (order = TT_CHUNK_ORDER; order < NR_PAGE_ORDERS; order++)
			n += zone->free_area[order].nr_free;
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	return n;
}

static void tt_unfragment(void)
{
	unsigned long i;

	for (i = 0; i < tt_frag.nr_pages; i++)
		__free_page(tt_frag.pages[i]);
	vfree(tt_frag.pages);
	tt_frag.pages = NULL;
	tt_frag.nr_pages = 0;
	while (tt_frag.nr_fill)
		textpool_free(tt_frag.fill[--tt_frag.nr_fill], TT_USER);
	if (textpool_set_reserve_chunks(tt_frag.reserve))
		pr_err("fragment_node: could not restore reserve_chunks=%u\n",
		       tt_frag.reserve);
}

/*
 * Take the free space of node @nid's chunks (and keep no spare chunk), so
 * that the node's next allocation needs a new chunk.
 */
static int tt_fill_chunks(int nid)
{
	struct textpool_stats st;
	void *p;

	tt_frag.reserve = textpool_reserve_chunks();
	if (textpool_set_reserve_chunks(0))
		return -EINVAL;
	textpool_refill_all();	/* freed space is free space again */
	for (;;) {
		textpool_get_stats(nid, &st);
		if (!st.largest_free || tt_frag.nr_fill == TT_FILL_MAX)
			break;
		p = textpool_alloc_node(st.largest_free, nid, TT_USER);
		if (!p)
			break;
		tt_frag.fill[tt_frag.nr_fill++] = p;
	}
	if (st.largest_free) {
		pr_err("fragment_node=%d: %lu bytes of its chunks still free after %u allocations\n",
		       nid, st.free_bytes, tt_frag.nr_fill);
		return -EBUSY;
	}
	return 0;
}

/* Take blocks of @order of node @nid while there are, split into pages. */
static void tt_take_order(int nid, gfp_t gfp, unsigned int order)
{
	unsigned long i;
	struct page *page;

	while (tt_frag.nr_pages + (1UL << order) <= tt_frag.max_pages &&
	       (page = alloc_pages_node(nid, gfp, order))) {
		if (order)
			split_page(page, order);
		for (i = 0; i < 1UL << order; i++)
			tt_frag.pages[tt_frag.nr_pages++] = page + i;
	}
}

/*
 * Take every free page of node @nid that this CPU can get: the free lists,
 * then, past the watermarks, what they keep, and this CPU's lists of free
 * pages of each order it keeps (they are not on the free lists, but go
 * back to them when drained, and merge there).
 */
static long tt_take_pages(void *arg)
{
	gfp_t gfp = (GFP_KERNEL & ~__GFP_DIRECT_RECLAIM) | __GFP_THISNODE |
		    __GFP_NOWARN;
	int nid = (long)arg;
	unsigned int order;

	tt_take_order(nid, gfp, 0);
	for (order = 0; order <= MAX_PAGE_ORDER; order++)
		tt_take_order(nid, gfp | __GFP_MEMALLOC, order);
	return 0;
}

/* Give back the pages of even pfn among those taken since @from. */
static void tt_free_even(unsigned long from)
{
	unsigned long i, kept = from;
	struct page *page;

	for (i = from; i < tt_frag.nr_pages; i++) {
		page = tt_frag.pages[i];
		if (page_to_pfn(page) & 1)
			tt_frag.pages[kept++] = page;
		else
			__free_page(page);
	}
	tt_frag.nr_pages = kept;
}

/*
 * Take the 2 MiB pages compaction can still make on node @nid, asked for
 * the way textpool asks for a chunk's page (one round, __GFP_NORETRY),
 * until it makes none, and pin every other page of them; returns how many.
 */
static unsigned long tt_take_compacted(int nid)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN;
	unsigned long from = tt_frag.nr_pages, n;

	tt_take_order(nid, gfp, TT_CHUNK_ORDER);
	n = (tt_frag.nr_pages - from) >> TT_CHUNK_ORDER;
	tt_free_even(from);
	return n;
}

/*
 * Pin every other free page of node @nid (by pfn): every free page of the
 * node is then alone between two pinned ones, and the node has no free
 * block of 2 MiB or more.  Unmovable kernel pages, as the KUnit case
 * textpool_test_fragmented pins: compaction cannot move them.  The free
 * pages are taken on every CPU, with its per-CPU lists, and what went back
 * to the free lists and merged meanwhile is taken again, for a few rounds.
 * What compaction can make of movable pages and the free pages between the
 * pinned ones is taken too; keeping compaction from making more later
 * (vm.extfrag_threshold) is up to the caller.
 */
static int tt_pin_pages(int nid)
{
	unsigned long from, taken = 0, compacted = 0, left = 0;
	unsigned int round;
	int cpu;

	tt_frag.max_pages = node_present_pages(nid);
	tt_frag.pages = vcalloc(tt_frag.max_pages, sizeof(*tt_frag.pages));
	if (!tt_frag.pages)
		return -ENOMEM;
	for (round = 0; round < TT_ROUNDS; round++) {
		from = tt_frag.nr_pages;
		cpus_read_lock();
		for_each_online_cpu(cpu)
			work_on_cpu(cpu, tt_take_pages, (void *)(long)nid);
		cpus_read_unlock();
		taken += tt_frag.nr_pages - from;
		tt_free_even(from);
		compacted += tt_take_compacted(nid);
		left = tt_free_chunk_blocks(nid);
		if (!left)
			break;
	}
	pr_info("fragment_node=%d: %lu free pages of its %lu taken in %u rounds, and %lu 2 MiB pages compaction made; %lu pages pinned\n",
		nid, taken, tt_frag.max_pages, round + !left, compacted,
		tt_frag.nr_pages);
	if (left) {
		pr_err("fragment_node=%d: %lu free blocks of 2 MiB or more left\n",
		       nid, left);
		return -EBUSY;
	}
	return 0;
}

static int tt_fragment(int nid)
{
	int ret;

	ret = tt_fill_chunks(nid);
	if (!ret)
		ret = tt_pin_pages(nid);
	if (ret) {
		tt_unfragment();
		return ret;
	}
	pr_info("fragment_node=%d: no free 2 MiB page left, %u allocations hold the free space of its chunks, until rmmod\n",
		nid, tt_frag.nr_fill);
	return 0;
}

/* ---- Module ------------------------------------------------------------- */

static int __init tt_init(void)
{
	int ret;

	if (tt_min_size > tt_max_size) {
		pr_err("min_size=%u: larger than max_size=%u\n", tt_min_size,
		       tt_max_size);
		return -EINVAL;
	}
	if (tt_fragment_node != NUMA_NO_NODE)
		return tt_fragment(tt_fragment_node);

	ret = tt_run();
	/* The results are in the kernel log: fail, so nothing stays loaded. */
	return ret ?: -EAGAIN;
}

static void __exit tt_exit(void)
{
	tt_unfragment();
}

module_init(tt_init);
module_exit(tt_exit);

MODULE_DESCRIPTION("Stress test of textpool");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(TEXTPOOL_TEST);
