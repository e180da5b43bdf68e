// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of textpool (mm/textpool.c).
 *
 * They run at boot, before user space, when nothing else allocates from
 * textpool, and assume so where they compare statistics or addresses.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/pgtable_types.h>
#include <asm/text-patching.h>

#include "textpool_internal.h"

#define INT3 INT3_INSN_OPCODE

static unsigned long node_stat(int nid, size_t field)
{
	struct textpool_stats st;

	textpool_get_stats(nid, &st);
	return *(unsigned long *)((char *)&st + field);
}

#define STAT(nid, f)	node_stat(nid, offsetof(struct textpool_stats, f))

static bool all_bytes(const void *p, u8 c, size_t len)
{
	return !memchr_inv(p, c, len);
}

/* Alignment, rounding to 64-byte slots, and the statistics that follow. */
static void textpool_test_alignment(struct kunit *test)
{
	static const size_t sizes[] = { 1, 63, 64, 65, 100, 1000, 4096, 5000 };
	struct textpool_user_stats u0, u1;
	struct textpool_stats s0, s1;
	u8 buf[2] = { 0x90, 0x90 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i], rounded = round_up(size, 64);
		void *p;

		textpool_get_stats(0, &s0);
		textpool_get_user_stats(TEXTPOOL_OTHER, &u0);
		p = textpool_alloc_node(size, 0, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, p);
		textpool_get_stats(0, &s1);
		textpool_get_user_stats(TEXTPOOL_OTHER, &u1);

		KUNIT_EXPECT_EQ(test, (unsigned long)p % 64, 0UL);
		KUNIT_EXPECT_TRUE(test, textpool_contains(p));
		KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
		KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations + 1);
		KUNIT_EXPECT_EQ(test, s1.allocated_bytes,
				s0.allocated_bytes + rounded);
		KUNIT_EXPECT_EQ(test, s1.requested_bytes,
				s0.requested_bytes + size);
		KUNIT_EXPECT_EQ(test, s1.alloc_total, s0.alloc_total + 1);
		KUNIT_EXPECT_EQ(test, u1.allocations, u0.allocations + 1);
		KUNIT_EXPECT_EQ(test, u1.allocated_bytes,
				u0.allocated_bytes + rounded);
		/* The whole last slot is the allocation's, and no more. */
		KUNIT_EXPECT_EQ(test, textpool_copy(p + rounded - 1, buf, 1), 0);
		KUNIT_EXPECT_EQ(test, textpool_copy(p + rounded - 1, buf, 2),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 0), 0);

		textpool_free(p);
		textpool_get_stats(0, &s1);
		textpool_get_user_stats(TEXTPOOL_OTHER, &u1);
		KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations);
		KUNIT_EXPECT_EQ(test, s1.allocated_bytes, s0.allocated_bytes);
		KUNIT_EXPECT_EQ(test, s1.requested_bytes, s0.requested_bytes);
		KUNIT_EXPECT_EQ(test, s1.free_total, s0.free_total + 1);
		KUNIT_EXPECT_EQ(test, u1.allocations, u0.allocations);
		KUNIT_EXPECT_EQ(test, u1.allocated_bytes, u0.allocated_bytes);
	}
	KUNIT_EXPECT_STREQ(test, textpool_user_name(TEXTPOOL_BPF), "bpf");
	KUNIT_EXPECT_STREQ(test, textpool_user_name(TEXTPOOL_KPROBES),
			   "kprobes");
}

/* New memory is INT3; freed memory is INT3 again before reuse. */
static void textpool_test_int3(struct kunit *test)
{
	void *pin, *p, *q;

	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	p = textpool_alloc_node(300, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 320));
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 320), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 320));

	/* @pin keeps the chunk mapped, so the freed slots can be read. */
	KUNIT_ASSERT_PTR_EQ(test, textpool_chunk_of(p), textpool_chunk_of(pin));
	textpool_free(p);
	textpool_refill_all();
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 320));
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);

	q = textpool_alloc_node(320, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3, 320));
	textpool_free(q);
	textpool_free(pin);
}

/* Freed slots are found again, and merge with their free neighbours. */
static void textpool_test_reuse(struct kunit *test)
{
	void *pin, *a, *b, *c;

	/* No freed space of earlier tests waits below the allocations. */
	textpool_refill_all();
	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	a = textpool_alloc_node(128, 0, TEXTPOOL_OTHER);
	b = textpool_alloc_node(128, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_TRUE(test, b >= a + 128 || a >= b + 128);

	textpool_free(a);
	textpool_refill_all();
	c = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_PTR_EQ(test, c, a);	/* lowest address first fit */
	textpool_free(c);

	if (b == a + 128) {
		/* a and b free again form one extent of 256 bytes at a. */
		textpool_free(b);
		textpool_refill_all();
		c = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
		KUNIT_EXPECT_PTR_EQ(test, c, a);
		textpool_free(c);
	} else {
		kunit_info(test, "allocations not adjacent, merge not checked");
		textpool_free(b);
	}
	textpool_free(pin);
}

/* An empty chunk beyond the reserve is given back; within it, it is kept. */
static void textpool_test_release(struct kunit *test)
{
	unsigned int old = textpool_reserve_chunks();
	unsigned long chunks;
	void *p;

	KUNIT_ASSERT_EQ(test, textpool_set_reserve_chunks(0), 0);
	chunks = STAT(0, chunks);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(p), p);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks + 1);
	textpool_free(p);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks);
	KUNIT_EXPECT_FALSE(test, textpool_contains(p));
	KUNIT_EXPECT_NULL(test, find_vm_area(p));

	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(64), 0);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_free(p);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks + 1);
	KUNIT_EXPECT_TRUE(test, textpool_contains(p));
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(p), p);

	/* Lowering the reserve gives the excess back at once. */
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks);
	KUNIT_EXPECT_FALSE(test, textpool_contains(p));

	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(65), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(old), 0);
}

static void check_node_pages(struct kunit *test, int nid)
{
	unsigned long start, pfn0;
	unsigned int level, i;
	void *p, *c;

	p = textpool_alloc_node(512, nid, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
	KUNIT_EXPECT_EQ(test, page_to_nid(vmalloc_to_page(p)), nid);
	c = textpool_chunk_of(p);
	KUNIT_ASSERT_NOT_NULL(test, c);
	start = (unsigned long)c;
	KUNIT_EXPECT_EQ(test, start % TEXTPOOL_CHUNK_SIZE, 0UL);
	KUNIT_EXPECT_TRUE(test, start >= MODULES_VADDR &&
			  start + TEXTPOOL_CHUNK_SIZE <= MODULES_END);
	for (i = 0; i < TEXTPOOL_CHUNK_SIZE / PAGE_SIZE; i += 37)
		KUNIT_EXPECT_EQ(test,
				page_to_nid(vmalloc_to_page(c + i * PAGE_SIZE)),
				nid);

	/* At boot, memory is not fragmented: one PMD, one 2 MiB page. */
	KUNIT_EXPECT_TRUE(test, textpool_chunk_is_huge(p));
	if (textpool_chunk_is_huge(p)) {
		KUNIT_EXPECT_NOT_NULL(test, lookup_address(start, &level));
		KUNIT_EXPECT_EQ(test, level, (unsigned int)PG_LEVEL_2M);
		pfn0 = page_to_pfn(vmalloc_to_page(c));
		KUNIT_EXPECT_EQ(test, pfn0 % (TEXTPOOL_CHUNK_SIZE / PAGE_SIZE),
				0UL);
		KUNIT_EXPECT_EQ(test,
				page_to_pfn(vmalloc_to_page(c + TEXTPOOL_CHUNK_SIZE -
							    PAGE_SIZE)),
				pfn0 + TEXTPOOL_CHUNK_SIZE / PAGE_SIZE - 1);
	}
	textpool_free(p);
}

/* Allocations for a node sit on pages of that node. */
static void textpool_test_node_placement(struct kunit *test)
{
	check_node_pages(test, 0);
	if (!node_online(1) || !node_state(1, N_MEMORY))
		kunit_skip(test, "no node 1 with memory");
	check_node_pages(test, 1);
}

/* Any byte of a chunk finds the chunk; any byte of an allocation is its. */
static void textpool_test_lookup(struct kunit *test)
{
	static const size_t offs[] = { 0, 500, 999, 1023 };
	u8 byte = 0x90;
	unsigned int i;
	void *p, *c;

	p = textpool_alloc_node(1000, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	c = textpool_chunk_of(p);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_TRUE(test, p >= c && p < c + TEXTPOOL_CHUNK_SIZE);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(p + offs[i]), c);
		KUNIT_EXPECT_TRUE(test, textpool_contains(p + offs[i]));
		KUNIT_EXPECT_EQ(test, textpool_copy(p + offs[i], &byte, 1), 0);
		KUNIT_EXPECT_EQ(test, *(u8 *)(p + offs[i]), byte);
	}
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(c), c);
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(c + TEXTPOOL_CHUNK_SIZE / 2),
			    c);
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(c + TEXTPOOL_CHUNK_SIZE - 1),
			    c);
	KUNIT_EXPECT_TRUE(test, textpool_contains(c + TEXTPOOL_CHUNK_SIZE - 1));
	KUNIT_EXPECT_PTR_NE(test, textpool_chunk_of(c + TEXTPOOL_CHUNK_SIZE), c);
	KUNIT_EXPECT_FALSE(test, textpool_contains(&byte));
	KUNIT_EXPECT_NULL(test, textpool_chunk_of(&byte));
	textpool_free(p);
}

static void check_fallback(struct kunit *test, void *p, size_t size)
{
	u64 v = 0;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, textpool_is_fallback(p));
	KUNIT_EXPECT_NULL(test, textpool_chunk_of(p));
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, size));
	KUNIT_EXPECT_EQ(test, copy_to_kernel_nofault(p, &v, sizeof(v)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, textpool_set(p + size - 1, 0x90, 1), 0);
	KUNIT_EXPECT_EQ(test, *(u8 *)(p + size - 1), 0x90);
	KUNIT_EXPECT_EQ(test, textpool_set(p + round_up(size, 64) - 1, 0x90, 2),
			-EINVAL);
}

/* Larger than a chunk: served by execmem, same contract. */
static void textpool_test_fallback_oversized(struct kunit *test)
{
	size_t size = TEXTPOOL_CHUNK_SIZE + 1;
	struct textpool_stats s0, s1;
	void *p;

	textpool_get_stats(0, &s0);
	p = textpool_alloc_node(size, 0, TEXTPOOL_OTHER);
	textpool_get_stats(0, &s1);
	check_fallback(test, p, size);
	KUNIT_EXPECT_EQ(test, s1.fallback_allocs, s0.fallback_allocs + 1);
	KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations + 1);
	KUNIT_EXPECT_EQ(test, s1.requested_bytes, s0.requested_bytes + size);
	KUNIT_EXPECT_EQ(test, s1.chunks, s0.chunks);
	textpool_free(p);
	textpool_get_stats(0, &s1);
	KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations);
	KUNIT_EXPECT_EQ(test, s1.allocated_bytes, s0.allocated_bytes);
	KUNIT_EXPECT_EQ(test, s1.requested_bytes, s0.requested_bytes);
	KUNIT_EXPECT_NULL(test, find_vm_area(p));
}

/* Disabled, or a node at max_chunks: served by execmem. */
static void textpool_test_fallback_disabled(struct kunit *test)
{
	unsigned int reserve = textpool_reserve_chunks();
	unsigned long fallbacks = STAT(0, fallback_allocs);
	unsigned long chunks;
	void *p, *pin;

	textpool_set_enabled(false);
	KUNIT_EXPECT_FALSE(test, textpool_enabled());
	p = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	textpool_set_enabled(true);
	KUNIT_EXPECT_TRUE(test, textpool_enabled());
	check_fallback(test, p, 100);
	KUNIT_EXPECT_EQ(test, STAT(0, fallback_allocs), fallbacks + 1);
	textpool_free(p);

	/* At max_chunks, with no room left: fallback, no new chunk. */
	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);
	chunks = STAT(0, chunks);
	KUNIT_EXPECT_GE(test, chunks, 1UL);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(chunks), 0);
	KUNIT_EXPECT_EQ(test, textpool_max_chunks(), (unsigned int)chunks);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	check_fallback(test, p, TEXTPOOL_CHUNK_SIZE);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks);
	KUNIT_EXPECT_EQ(test, STAT(0, fallback_allocs), fallbacks + 2);
	textpool_free(p);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(0), 0);
	KUNIT_EXPECT_EQ(test,
			textpool_set_max_chunks(textpool_max_chunks_limit() + 1),
			-EINVAL);
	KUNIT_EXPECT_GE(test, textpool_max_chunks_limit(), 64U);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);
	textpool_free(pin);
}

/* textpool_copy()/textpool_set() stay inside one live allocation. */
static void textpool_test_bounds(struct kunit *test)
{
	u8 buf[256], *kbuf;
	void *p, *q;

	memset(buf, 0x90, sizeof(buf));
	p = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	q = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);

	KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 128), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 128));
	KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 129), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p + 64, buf, 65), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p - 1, buf, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p + 1, buf, SIZE_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(p + 127, 0xcc, 1), 0);
	KUNIT_EXPECT_EQ(test, textpool_set(p + 127, 0xcc, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0xcc, 256), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(NULL, buf, 1), -EINVAL);

	kbuf = kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	KUNIT_EXPECT_EQ(test, textpool_copy(kbuf, buf, 1), -EINVAL);
	kfree(kbuf);

	/* A freed allocation takes no writes. */
	textpool_free(q);
	KUNIT_EXPECT_EQ(test, textpool_copy(q, buf, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(q, 0x90, 1), -EINVAL);
	/* The failed writes changed nothing. */
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 127));
	textpool_free(p);
}

/* Memory is read-only: a plain store faults. */
static void textpool_test_store_faults(struct kunit *test)
{
	u64 v = 0x9090909090909090ULL;
	void *p;

	p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, copy_to_kernel_nofault(p, &v, sizeof(v)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, copy_to_kernel_nofault(p + 56, &v, sizeof(v)),
			-EFAULT);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 64));
	textpool_free(p);
}

typedef int (*textpool_test_fn)(void);

/* The code is generated: no CFI type hash precedes it. */
static noinline int __nocfi call_generated(textpool_test_fn fn)
{
	return fn();
}

static void *emit_mov_ret(struct kunit *test, int nid, u32 imm)
{
	u8 code[16];
	size_t len = 0;
	void *p;

	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT)) {
		static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

		memcpy(code, endbr64, sizeof(endbr64));
		len = sizeof(endbr64);
	}
	code[len++] = 0xb8;			/* mov $imm, %eax */
	memcpy(&code[len], &imm, sizeof(imm));
	len += sizeof(imm);
	code[len++] = 0xc3;			/* ret */

	p = textpool_alloc_node(len, nid, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, textpool_copy(p, code, len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p, code, len), 0);
	return p;
}

/* Code copied in runs. */
static void textpool_test_code_runs(struct kunit *test)
{
	void *a, *b;

	a = emit_mov_ret(test, 0, 0x12345678);
	b = emit_mov_ret(test, NUMA_NO_NODE, 0x0badc0de);
	KUNIT_EXPECT_EQ(test, call_generated(a), 0x12345678);
	KUNIT_EXPECT_EQ(test, call_generated(b), 0x0badc0de);
	textpool_free(a);
	textpool_free(b);
}

#define STRESS_THREADS	4
#define STRESS_LIVE	24
#define STRESS_OPS	300

struct stress_ctx {
	int id;
	struct completion done;
	atomic_t errors;
	unsigned long ops;
};

struct stress_alloc {
	void *p;
	size_t size;
	u8 stamp;
};

static void stress_error(struct stress_ctx *ctx, const char *what, void *p)
{
	if (atomic_inc_return(&ctx->errors) <= 3)
		pr_err("textpool-test: thread %d: %s at %p\n", ctx->id, what, p);
}

static void stress_release(struct stress_ctx *ctx, struct stress_alloc *a)
{
	if (memchr_inv(a->p, a->stamp, a->size))
		stress_error(ctx, "stamp overwritten", a->p);
	textpool_free(a->p);
	a->p = NULL;
}

static int stress_thread(void *arg)
{
	struct stress_ctx *ctx = arg;
	struct stress_alloc live[STRESS_LIVE] = {};
	unsigned int i, n;
	u8 stamp = 1;

	for (i = 0; i < STRESS_OPS; i++) {
		struct stress_alloc *a = &live[get_random_u32_below(STRESS_LIVE)];
		int nid;

		if (a->p) {
			stress_release(ctx, a);
			continue;
		}
		a->size = 1 + get_random_u32_below(get_random_u32_below(8) ?
						   512 : 8192);
		nid = get_random_u32_below(3);
		if (nid == 2 || !node_online(nid) || !node_state(nid, N_MEMORY))
			nid = NUMA_NO_NODE;
		a->p = textpool_alloc_node(a->size, nid, TEXTPOOL_OTHER);
		if (!a->p) {
			stress_error(ctx, "allocation failed", NULL);
			continue;
		}
		if ((unsigned long)a->p % 64)
			stress_error(ctx, "misaligned", a->p);
		if (memchr_inv(a->p, INT3, round_up(a->size, 64)))
			stress_error(ctx, "not INT3", a->p);
		/* A stamp of its own: thread id in the high bits. */
		a->stamp = ctx->id << 5 | (stamp++ & 0x1f);
		if (textpool_set(a->p, a->stamp, a->size))
			stress_error(ctx, "textpool_set failed", a->p);
		ctx->ops++;
		/* Re-verify a random other live allocation. */
		n = get_random_u32_below(STRESS_LIVE);
		if (live[n].p && memchr_inv(live[n].p, live[n].stamp,
					    live[n].size))
			stress_error(ctx, "stamp overwritten", live[n].p);
		cond_resched();
	}
	for (i = 0; i < STRESS_LIVE; i++)
		if (live[i].p)
			stress_release(ctx, &live[i]);
	complete(&ctx->done);
	return 0;
}

/* Several threads allocate and free at once; nothing overlaps. */
static void textpool_test_concurrent(struct kunit *test)
{
	struct stress_ctx *ctx;
	unsigned long allocs;
	struct task_struct *t;
	int i;

	ctx = kunit_kcalloc(test, STRESS_THREADS, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	allocs = STAT(NUMA_NO_NODE, allocations);
	for (i = 0; i < STRESS_THREADS; i++) {
		ctx[i].id = i + 1;
		init_completion(&ctx[i].done);
		t = kthread_run(stress_thread, &ctx[i], "textpool-test/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < STRESS_THREADS; i++) {
		wait_for_completion(&ctx[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx[i].errors), 0);
		KUNIT_EXPECT_GT(test, ctx[i].ops, 0UL);
	}
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs);
}

/* Bad input is refused and corrupts nothing. */
static void textpool_test_bad_input(struct kunit *test)
{
	unsigned long bad = textpool_bad_free_count();
	unsigned long allocs, frees;
	void *pin, *p, *fb, *v;
	u8 *kbuf;

	KUNIT_EXPECT_NULL(test, textpool_alloc(0, TEXTPOOL_OTHER));
	allocs = STAT(NUMA_NO_NODE, allocations);
	frees = STAT(NUMA_NO_NODE, free_total);
	textpool_free(NULL);
	KUNIT_EXPECT_EQ(test, textpool_bad_free_count(), bad);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, free_total), frees);

	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	p = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	fb = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE + 64, 0, TEXTPOOL_OTHER);
	kbuf = kmalloc(64, GFP_KERNEL);
	v = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, fb);
	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 256), 0);
	allocs = STAT(NUMA_NO_NODE, allocations);

	pr_info("textpool-test: expect-splat-begin\n");
	textpool_free(kbuf);			/* not textpool's */
	textpool_free(v);			/* vmalloc, not textpool's */
	textpool_free(p + 64);			/* inside an allocation */
	textpool_free(p + 1);			/* misaligned */
	textpool_free(fb + 64);			/* inside a fallback */
	textpool_free(p);
	textpool_free(p);			/* double free */
	textpool_free(fb);
	textpool_free(fb);			/* double free of a fallback */
	pr_info("textpool-test: expect-splat-end\n");

	KUNIT_EXPECT_EQ(test, textpool_bad_free_count(), bad + 7);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs - 2);
	textpool_refill_all();
	/* The pin and the memory of others are untouched. */
	KUNIT_EXPECT_TRUE(test, all_bytes(pin, INT3, 64));
	KUNIT_EXPECT_EQ(test, textpool_set(pin, 0x90, 64), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 256));
	memset(kbuf, 0x5a, 64);
	KUNIT_EXPECT_TRUE(test, all_bytes(kbuf, 0x5a, 64));
	kfree(kbuf);
	vfree(v);
	/* The slots of p are free exactly once: two allocations, two places. */
	p = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	fb = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_TRUE(test, p && fb && p != fb);
	textpool_free(p);
	textpool_free(fb);
	textpool_free(pin);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs - 3);
}

/* The debugfs listing has the format textpoolctl parses. */
static void textpool_test_show_chunks(struct kunit *test)
{
	struct seq_file m = {};
	char needle[64];
	void *p;

	m.size = 64 * 1024;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE / 64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_show_chunks(&m);
	KUNIT_EXPECT_LT(test, m.count, m.size);
	m.buf[min(m.count, m.size - 1)] = '\0';
	snprintf(needle, sizeof(needle), "start=0x%lx end=0x%lx mapping=",
		 (unsigned long)textpool_chunk_of(p),
		 (unsigned long)textpool_chunk_of(p) + TEXTPOOL_CHUNK_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, needle));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "node=0 start=0x"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, " allocations="));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, " map="));
	/* A 32 KiB allocation at a 32 KiB boundary fills one map cell. */
	if (((unsigned long)p & (TEXTPOOL_CHUNK_SIZE / 64 - 1)) == 0)
		KUNIT_EXPECT_NOT_NULL(test, strchr(m.buf, '#'));
	textpool_free(p);
}

/*
 * The reuse sequence advances on frees, refills, new chunks and fallback
 * allocations, and not on an allocation from clean space.
 */
static void textpool_test_reuse_seq(struct kunit *test)
{
	unsigned int reserve = textpool_reserve_chunks();
	unsigned long seq;
	void *pin, *p;

	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	textpool_refill_all();
	seq = textpool_reuse_seq();
	p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(p), textpool_chunk_of(pin));
	KUNIT_EXPECT_EQ(test, textpool_reuse_seq(), seq);

	textpool_free(p);
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);
	seq = textpool_reuse_seq();
	textpool_refill_all();		/* p's slots become allocatable */
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);

	/* No empty chunk left: a whole chunk needs a new one. */
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);
	seq = textpool_reuse_seq();
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);
	seq = textpool_reuse_seq();
	textpool_free(p);
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);

	/* Fallback allocations and their frees. */
	seq = textpool_reuse_seq();
	textpool_set_enabled(false);
	p = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	textpool_set_enabled(true);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, textpool_is_fallback(p));
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);
	seq = textpool_reuse_seq();
	textpool_free(p);
	KUNIT_EXPECT_GT(test, textpool_reuse_seq(), seq);
	textpool_free(pin);
}

/*
 * Freed space is INT3 before it is handed out again, even when it is
 * wanted at once, before the refill that the free scheduled: node 0 is
 * filled up to its last slot, one allocation freed and the same size asked
 * for again while no chunk may be added.
 */
static void textpool_test_immediate_reuse(struct kunit *test)
{
	unsigned int reserve = textpool_reserve_chunks();
	void **fill;
	unsigned long largest;
	unsigned int n = 0, i;
	void *b, *q;

	fill = kunit_kcalloc(test, 1024, sizeof(*fill), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fill);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(STAT(0, chunks) + 1), 0);
	/* Fill every free extent of node 0. */
	while (n < 1023 && (largest = STAT(0, largest_free))) {
		fill[n] = textpool_alloc_node(largest, 0, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, fill[n]);
		KUNIT_ASSERT_FALSE(test, textpool_is_fallback(fill[n]));
		n++;
	}
	KUNIT_ASSERT_EQ(test, STAT(0, largest_free), 0UL);
	/* The last chunk allowed: 4 KiB at its start, the rest behind. */
	b = textpool_alloc_node(4096, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_PTR_EQ(test, textpool_chunk_of(b), b);
	fill[n] = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE - 4096, 0,
				      TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, fill[n]);
	KUNIT_ASSERT_PTR_EQ(test, fill[n], b + 4096);
	n++;

	KUNIT_EXPECT_EQ(test, textpool_set(b, 0x90, 4096), 0);
	textpool_free(b);
	q = textpool_alloc_node(4096, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3, 4096));
	/* The only 4 KiB of node 0 are b's, unless text_mutex was busy. */
	if (!textpool_is_fallback(q))
		KUNIT_EXPECT_PTR_EQ(test, q, b);
	textpool_free(q);

	for (i = 0; i < n; i++)
		textpool_free(fill[i]);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(0), 0);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);
}

/* Freed space is refilled by the work item a few milliseconds later. */
static void textpool_test_delayed_refill(struct kunit *test)
{
	unsigned long free_bytes;
	void *pin, *p;
	int i;

	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	p = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_PTR_EQ(test, textpool_chunk_of(p), textpool_chunk_of(pin));
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 256), 0);
	textpool_refill_all();
	free_bytes = STAT(0, free_bytes);

	textpool_free(p);
	/* Free at once, whether or not refilled yet. */
	KUNIT_EXPECT_EQ(test, STAT(0, free_bytes), free_bytes + 256);
	for (i = 0; i < 100 && textpool_dirty_bytes(0); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 256));
	KUNIT_EXPECT_EQ(test, STAT(0, free_bytes), free_bytes + 256);
	textpool_free(pin);
}

#define MUTEX_ALLOCS	80

/*
 * kprobes allocates and frees with text_mutex held: that neither waits for
 * text_mutex nor refills, and the refill happens once it is released.
 */
static void textpool_test_text_mutex(struct kunit *test)
{
	void **p, *pin, *q;
	unsigned int i;

	p = kunit_kcalloc(test, MUTEX_ALLOCS, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	textpool_refill_all();

	mutex_lock(&text_mutex);
	for (i = 0; i < MUTEX_ALLOCS; i++) {
		p[i] = textpool_alloc_node(4096, 0, TEXTPOOL_OTHER);
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
		if (p[i])
			KUNIT_EXPECT_TRUE(test, all_bytes(p[i], INT3, 4096));
	}
	for (i = 0; i < MUTEX_ALLOCS; i++)
		textpool_free(p[i]);
	/* Beyond the refill thresholds, but text_mutex is ours. */
	KUNIT_EXPECT_GE(test, textpool_dirty_bytes(0), MUTEX_ALLOCS * 4096UL);
	q = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE / 2, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_NOT_NULL(test, q);
	if (q)
		KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3,
						  TEXTPOOL_CHUNK_SIZE / 2));
	textpool_free(q);
	KUNIT_EXPECT_GE(test, textpool_dirty_bytes(0), MUTEX_ALLOCS * 4096UL);
	mutex_unlock(&text_mutex);

	/* The work item, kicked by the frees, refills now. */
	for (i = 0; i < 100 && textpool_dirty_bytes(0); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);
	for (i = 0; i < MUTEX_ALLOCS; i++)
		if (p[i] && textpool_chunk_of(p[i]) == textpool_chunk_of(pin))
			KUNIT_EXPECT_TRUE(test, all_bytes(p[i], INT3, 4096));
	textpool_free(pin);
}

static struct kunit_case textpool_test_cases[] = {
	KUNIT_CASE(textpool_test_alignment),
	KUNIT_CASE(textpool_test_int3),
	KUNIT_CASE(textpool_test_reuse),
	KUNIT_CASE(textpool_test_release),
	KUNIT_CASE(textpool_test_node_placement),
	KUNIT_CASE(textpool_test_lookup),
	KUNIT_CASE(textpool_test_fallback_oversized),
	KUNIT_CASE(textpool_test_fallback_disabled),
	KUNIT_CASE(textpool_test_bounds),
	KUNIT_CASE(textpool_test_store_faults),
	KUNIT_CASE(textpool_test_code_runs),
	KUNIT_CASE(textpool_test_concurrent),
	KUNIT_CASE(textpool_test_bad_input),
	KUNIT_CASE(textpool_test_show_chunks),
	KUNIT_CASE(textpool_test_reuse_seq),
	KUNIT_CASE(textpool_test_immediate_reuse),
	KUNIT_CASE(textpool_test_delayed_refill),
	KUNIT_CASE(textpool_test_text_mutex),
	{}
};

/* The cases are about the pools: with textpool=off there are none. */
static int textpool_test_init(struct kunit *test)
{
	if (!textpool_enabled())
		kunit_skip(test, "textpool is disabled (textpool=off or enabled=0)");
	return 0;
}

static struct kunit_suite textpool_test_suite = {
	.name = "textpool",
	.init = textpool_test_init,
	.test_cases = textpool_test_cases,
};

kunit_test_suite(textpool_test_suite);

MODULE_DESCRIPTION("KUnit tests for textpool");
MODULE_LICENSE("GPL");
