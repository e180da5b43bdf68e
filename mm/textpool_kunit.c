// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of textpool (mm/textpool.c).
 *
 * They run at boot, before user space, when nothing else allocates from
 * textpool, and assume so where they compare statistics or addresses.
 * One allocation is made before textpool_init() (early_initcall), for
 * textpool_test_early().
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
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
		KUNIT_EXPECT_EQ(test, textpool_copy(p + rounded - 1, buf, 1, TEXTPOOL_OTHER), 0);
		KUNIT_EXPECT_EQ(test, textpool_copy(p + rounded - 1, buf, 2, TEXTPOOL_OTHER),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 0, TEXTPOOL_OTHER), 0);

		textpool_free(p, TEXTPOOL_OTHER);
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
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 320, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 320));

	/* @pin keeps the chunk mapped, so the freed slots can be read. */
	KUNIT_ASSERT_PTR_EQ(test, textpool_chunk_of(p), textpool_chunk_of(pin));
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_refill_all();
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 320));
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);

	q = textpool_alloc_node(320, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3, 320));
	textpool_free(q, TEXTPOOL_OTHER);
	textpool_free(pin, TEXTPOOL_OTHER);
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

	textpool_free(a, TEXTPOOL_OTHER);
	textpool_refill_all();
	c = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_PTR_EQ(test, c, a);	/* lowest address first fit */
	textpool_free(c, TEXTPOOL_OTHER);

	if (b == a + 128) {
		/* a and b free again form one extent of 256 bytes at a. */
		textpool_free(b, TEXTPOOL_OTHER);
		textpool_refill_all();
		c = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
		KUNIT_EXPECT_PTR_EQ(test, c, a);
		textpool_free(c, TEXTPOOL_OTHER);
	} else {
		kunit_info(test, "allocations not adjacent, merge not checked");
		textpool_free(b, TEXTPOOL_OTHER);
	}
	textpool_free(pin, TEXTPOOL_OTHER);
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
	textpool_free(p, TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks);
	KUNIT_EXPECT_FALSE(test, textpool_contains(p));
	KUNIT_EXPECT_NULL(test, find_vm_area(p));

	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(64), 0);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_free(p, TEXTPOOL_OTHER);
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
	textpool_free(p, TEXTPOOL_OTHER);
}

/* Allocations for a node sit on pages of that node. */
static void textpool_test_node_placement(struct kunit *test)
{
	check_node_pages(test, 0);
}

/*
 * Node 1 in a case of its own: a case that skips must not hide a failed
 * expectation of the same case.
 */
static void textpool_test_node1_placement(struct kunit *test)
{
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
		KUNIT_EXPECT_EQ(test, textpool_copy(p + offs[i], &byte, 1, TEXTPOOL_OTHER), 0);
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
	textpool_free(p, TEXTPOOL_OTHER);
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
	KUNIT_EXPECT_EQ(test, textpool_set(p + size - 1, 0x90, 1, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_EQ(test, *(u8 *)(p + size - 1), 0x90);
	KUNIT_EXPECT_EQ(test, textpool_set(p + round_up(size, 64) - 1, 0x90, 2, TEXTPOOL_OTHER),
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
	KUNIT_EXPECT_EQ(test, s1.fallback_causes[TEXTPOOL_FB_LARGE],
			s0.fallback_causes[TEXTPOOL_FB_LARGE] + 1);
	/* The live gauges count it while it lives, the counters for good. */
	KUNIT_EXPECT_EQ(test, s1.fallback_allocations,
			s0.fallback_allocations + 1);
	KUNIT_EXPECT_EQ(test, s1.fallback_allocated_bytes,
			s0.fallback_allocated_bytes + round_up(size, 64));
	KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations + 1);
	KUNIT_EXPECT_EQ(test, s1.requested_bytes, s0.requested_bytes + size);
	KUNIT_EXPECT_EQ(test, s1.chunks, s0.chunks);
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_get_stats(0, &s1);
	KUNIT_EXPECT_EQ(test, s1.fallback_allocations, s0.fallback_allocations);
	KUNIT_EXPECT_EQ(test, s1.fallback_allocated_bytes,
			s0.fallback_allocated_bytes);
	KUNIT_EXPECT_EQ(test, s1.fallback_allocs, s0.fallback_allocs + 1);
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
	unsigned long chunks, limit, total;
	void *p, *pin, **pins;
	int nid;

	textpool_set_enabled(false);
	KUNIT_EXPECT_FALSE(test, textpool_enabled());
	p = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	textpool_set_enabled(true);
	KUNIT_EXPECT_TRUE(test, textpool_enabled());
	check_fallback(test, p, 100);
	KUNIT_EXPECT_EQ(test, STAT(0, fallback_allocs), fallbacks + 1);
	textpool_free(p, TEXTPOOL_OTHER);

	/*
	 * Every node at max_chunks, with no room left: fallback, counted as
	 * such, no new chunk.
	 */
	pins = kunit_kcalloc(test, nr_node_ids, sizeof(*pins), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pins);
	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	for_each_node_state(nid, N_MEMORY) {
		pins[nid] = textpool_alloc_node(64, nid, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, pins[nid]);
	}
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);
	chunks = STAT(0, chunks);
	KUNIT_EXPECT_GE(test, chunks, 1UL);
	for_each_node_state(nid, N_MEMORY)
		chunks = max(chunks, STAT(nid, chunks));
	limit = STAT(0, fallback_causes[TEXTPOOL_FB_LIMIT]);
	total = STAT(NUMA_NO_NODE, chunks);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(chunks), 0);
	KUNIT_EXPECT_EQ(test, textpool_max_chunks(), (unsigned int)chunks);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	check_fallback(test, p, TEXTPOOL_CHUNK_SIZE);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, chunks), total);
	KUNIT_EXPECT_EQ(test, STAT(0, fallback_allocs), fallbacks + 2);
	KUNIT_EXPECT_EQ(test, STAT(0, fallback_causes[TEXTPOOL_FB_LIMIT]),
			limit + 1);
	textpool_free(p, TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, textpool_set_max_chunks(0), 0);
	KUNIT_EXPECT_EQ(test,
			textpool_set_max_chunks(textpool_max_chunks_limit() + 1),
			-EINVAL);
	KUNIT_EXPECT_GE(test, textpool_max_chunks_limit(), 64U);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);
	textpool_free(pin, TEXTPOOL_OTHER);
	for_each_node_state(nid, N_MEMORY)
		textpool_free(pins[nid], TEXTPOOL_OTHER);
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

	KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 128, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 128));
	KUNIT_EXPECT_EQ(test, textpool_copy(p, buf, 129, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p + 64, buf, 65, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p - 1, buf, 2, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(p + 1, buf, SIZE_MAX, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(p + 127, 0xcc, 1, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_EQ(test, textpool_set(p + 127, 0xcc, 2, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0xcc, 256, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_copy(NULL, buf, 1, TEXTPOOL_OTHER), -EINVAL);

	kbuf = kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	KUNIT_EXPECT_EQ(test, textpool_copy(kbuf, buf, 1, TEXTPOOL_OTHER), -EINVAL);
	kfree(kbuf);

	/* A freed allocation takes no writes. */
	textpool_free(q, TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, textpool_copy(q, buf, 1, TEXTPOOL_OTHER), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set(q, 0x90, 1, TEXTPOOL_OTHER), -EINVAL);
	/* The failed writes changed nothing. */
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 127));
	textpool_free(p, TEXTPOOL_OTHER);
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
	textpool_free(p, TEXTPOOL_OTHER);
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
	KUNIT_EXPECT_EQ(test, textpool_copy(p, code, len, TEXTPOOL_OTHER), 0);
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
	textpool_free(a, TEXTPOOL_OTHER);
	textpool_free(b, TEXTPOOL_OTHER);
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
	textpool_free(a->p, TEXTPOOL_OTHER);
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
		if (textpool_set(a->p, a->stamp, a->size, TEXTPOOL_OTHER))
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
	unsigned long bad_stat = STAT(NUMA_NO_NODE, bad_frees);
	unsigned long wrong = STAT(NUMA_NO_NODE, wrong_user);
	unsigned long allocs, frees;
	void *pin, *p, *fb, *v;
	u8 *kbuf;

	KUNIT_EXPECT_NULL(test, textpool_alloc(0, TEXTPOOL_OTHER));
	allocs = STAT(NUMA_NO_NODE, allocations);
	frees = STAT(NUMA_NO_NODE, free_total);
	textpool_free(NULL, TEXTPOOL_OTHER);
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
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 256, TEXTPOOL_OTHER), 0);
	allocs = STAT(NUMA_NO_NODE, allocations);

	pr_info("textpool-test: expect-splat-begin\n");
	textpool_free(kbuf, TEXTPOOL_OTHER);			/* not textpool's */
	textpool_free(v, TEXTPOOL_OTHER);			/* vmalloc, not textpool's */
	textpool_free(p + 64, TEXTPOOL_OTHER);			/* inside an allocation */
	textpool_free(p + 1, TEXTPOOL_OTHER);			/* misaligned */
	textpool_free(fb + 64, TEXTPOOL_OTHER);			/* inside a fallback */
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_free(p, TEXTPOOL_OTHER);			/* double free */
	textpool_free(fb, TEXTPOOL_OTHER);
	textpool_free(fb, TEXTPOOL_OTHER);			/* double free of a fallback */
	pr_info("textpool-test: expect-splat-end\n");

	KUNIT_EXPECT_EQ(test, textpool_bad_free_count(), bad + 7);
	/* Each one counted in stats/bad_frees, not just the first warning. */
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, bad_frees), bad_stat + 7);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, wrong_user), wrong);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs - 2);
	textpool_refill_all();
	/* The pin and the memory of others are untouched. */
	KUNIT_EXPECT_TRUE(test, all_bytes(pin, INT3, 64));
	KUNIT_EXPECT_EQ(test, textpool_set(pin, 0x90, 64, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 256));
	memset(kbuf, 0x5a, 64);
	KUNIT_EXPECT_TRUE(test, all_bytes(kbuf, 0x5a, 64));
	kfree(kbuf);
	vfree(v);
	/* The slots of p are free exactly once: two allocations, two places. */
	p = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	fb = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_TRUE(test, p && fb && p != fb);
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_free(fb, TEXTPOOL_OTHER);
	textpool_free(pin, TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs - 3);
}

/* Print the records of textpool_chunks_sops from @pos on, as seq_read() does. */
static void chunks_dump(struct seq_file *m, loff_t pos, unsigned int *records)
{
	int locked;
	void *v;

	m->private = &locked;
	m->count = 0;
	*records = 0;
	for (v = textpool_chunks_sops.start(m, &pos); v;
	     v = textpool_chunks_sops.next(m, v, &pos)) {
		textpool_chunks_sops.show(m, v);
		(*records)++;
	}
	textpool_chunks_sops.stop(m, v);
	m->buf[min(m->count, m->size - 1)] = '\0';
}

/*
 * The debugfs listing has the format textpoolctl parses, one record per
 * chunk (a record that does not fit is printed again alone, not the whole
 * listing), and prints its addresses with %pK, as /proc/vmallocinfo does:
 * real ones under kptr_restrict=1 (the KUnit thread has CAP_SYSLOG), none
 * under kptr_restrict=2.
 */
static void textpool_test_show_chunks(struct kunit *test)
{
	int restrict_was = kptr_restrict;
	unsigned int records, again;
	struct seq_file m = {};
	char needle[64];
	void *p;

	m.size = 64 * 1024;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE / 64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kptr_restrict = 1;
	chunks_dump(&m, 0, &records);
	KUNIT_EXPECT_LT(test, m.count, m.size);
	KUNIT_EXPECT_EQ(test, records, STAT(NUMA_NO_NODE, chunks));
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

	/* From position 1 on: all the records but the first. */
	chunks_dump(&m, 1, &again);
	KUNIT_EXPECT_EQ(test, again, records - 1);

	kptr_restrict = 2;
	chunks_dump(&m, 0, &records);
	kptr_restrict = restrict_was;
	KUNIT_EXPECT_NULL(test, strstr(m.buf, needle));
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(m.buf, "start=0x0000000000000000 end=0x0000000000000000 "));
	textpool_free(p, TEXTPOOL_OTHER);
}

/*
 * textpool_alloc_clean() prefers space no code was freed into since the
 * last flush and reports stale space; freed space is stale until a flush
 * that began after the free has ended, and plain allocations take stale
 * space first.
 */
static void textpool_test_clean_space(struct kunit *test)
{
	unsigned long seq;
	void *p, *q, *r;
	bool stale;

	/* Everything allocatable so far becomes clean. */
	textpool_refill_all();
	seq = textpool_flush_begin();
	textpool_flush_end(seq);

	p = textpool_alloc_clean(64, TEXTPOOL_OTHER, &stale);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, stale);
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_ALLOCATED);
	textpool_free(p, TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_DIRTY);
	textpool_refill_all();
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_STALE);

	/* Clean space is preferred over p's stale slot. */
	q = textpool_alloc_clean(64, TEXTPOOL_OTHER, &stale);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_FALSE(test, stale);
	KUNIT_EXPECT_PTR_NE(test, q, p);

	/* A plain allocation on p's node takes stale space first. */
	r = textpool_alloc_node(64, page_to_nid(vmalloc_to_page(p)),
				TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_PTR_EQ(test, r, p);
	textpool_free(r, TEXTPOOL_OTHER);

	/* Freed while a flush runs: not covered by it, stays stale. */
	seq = textpool_flush_begin();
	textpool_free(q, TEXTPOOL_OTHER);
	textpool_refill_all();
	textpool_flush_end(seq);
	KUNIT_EXPECT_EQ(test, textpool_space_state(q), TEXTPOOL_SPACE_STALE);
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_STALE);
	/* The next flush covers both. */
	seq = textpool_flush_begin();
	textpool_flush_end(seq);
	KUNIT_EXPECT_EQ(test, textpool_space_state(q), TEXTPOOL_SPACE_CLEAN);
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_CLEAN);
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

	KUNIT_EXPECT_EQ(test, textpool_set(b, 0x90, 4096, TEXTPOOL_OTHER), 0);
	textpool_free(b, TEXTPOOL_OTHER);
	q = textpool_alloc_node(4096, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3, 4096));
	/* The only 4 KiB of node 0 are b's, unless text_mutex was busy. */
	if (!textpool_is_fallback(q))
		KUNIT_EXPECT_PTR_EQ(test, q, b);
	textpool_free(q, TEXTPOOL_OTHER);

	for (i = 0; i < n; i++)
		textpool_free(fill[i], TEXTPOOL_OTHER);
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
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 256, TEXTPOOL_OTHER), 0);
	textpool_refill_all();
	free_bytes = STAT(0, free_bytes);

	textpool_free(p, TEXTPOOL_OTHER);
	/* Free at once, whether or not refilled yet. */
	KUNIT_EXPECT_EQ(test, STAT(0, free_bytes), free_bytes + 256);
	for (i = 0; i < 100 && textpool_dirty_bytes(0); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 256));
	KUNIT_EXPECT_EQ(test, STAT(0, free_bytes), free_bytes + 256);
	textpool_free(pin, TEXTPOOL_OTHER);
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
		textpool_free(p[i], TEXTPOOL_OTHER);
	/* Beyond the refill thresholds, but text_mutex is ours. */
	KUNIT_EXPECT_GE(test, textpool_dirty_bytes(0), MUTEX_ALLOCS * 4096UL);
	q = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE / 2, 0, TEXTPOOL_OTHER);
	KUNIT_EXPECT_NOT_NULL(test, q);
	if (q)
		KUNIT_EXPECT_TRUE(test, all_bytes(q, INT3,
						  TEXTPOOL_CHUNK_SIZE / 2));
	textpool_free(q, TEXTPOOL_OTHER);
	KUNIT_EXPECT_GE(test, textpool_dirty_bytes(0), MUTEX_ALLOCS * 4096UL);
	mutex_unlock(&text_mutex);

	/* The work item, kicked by the frees, refills now. */
	for (i = 0; i < 100 && textpool_dirty_bytes(0); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);
	for (i = 0; i < MUTEX_ALLOCS; i++)
		if (p[i] && textpool_chunk_of(p[i]) == textpool_chunk_of(pin))
			KUNIT_EXPECT_TRUE(test, all_bytes(p[i], INT3, 4096));
	textpool_free(pin, TEXTPOOL_OTHER);
}

/*
 * Placement (KASLR): chunks go into the architecture's range, rounded to
 * 2 MiB; the per-boot base can be any 2 MiB position of it, and is the
 * range's start without KASLR.
 */
static void textpool_test_placement(struct kunit *test)
{
	unsigned long lo, hi, base, nr, i, start;
	bool randomize;
	void *p;

	textpool_placement(&lo, &hi, &base, &randomize);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(lo, TEXTPOOL_CHUNK_SIZE));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(hi, TEXTPOOL_CHUNK_SIZE));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(base, TEXTPOOL_CHUNK_SIZE));
	KUNIT_EXPECT_GE(test, lo, (unsigned long)MODULES_VADDR);
	KUNIT_EXPECT_LE(test, hi, (unsigned long)MODULES_END);
	KUNIT_EXPECT_TRUE(test, lo <= base && base < hi);
	if (!randomize)
		KUNIT_EXPECT_EQ(test, base, lo);
	nr = (hi - lo) >> TEXTPOOL_CHUNK_SHIFT;
	/* More 2 MiB positions than the base kernel has page offsets / 4. */
	KUNIT_EXPECT_GE(test, nr, 256UL);

	/* Every position of the range can be the base, nothing outside it. */
	KUNIT_EXPECT_EQ(test, textpool_place_base(lo, hi, 0), lo);
	KUNIT_EXPECT_EQ(test, textpool_place_base(lo, hi, U32_MAX),
			hi - TEXTPOOL_CHUNK_SIZE);
	for (i = 0; i < nr; i++) {
		u32 rnd = div64_u64(((u64)i << 32) + nr - 1, nr);

		KUNIT_EXPECT_EQ(test, textpool_place_base(lo, hi, rnd),
				lo + (i << TEXTPOOL_CHUNK_SHIFT));
	}

	p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	start = (unsigned long)textpool_chunk_of(p);
	KUNIT_EXPECT_TRUE(test, lo <= start && start < hi);
	KUNIT_EXPECT_NE(test, textpool_node_cursor(0), 0UL);
	if (!randomize)
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(textpool_node_cursor(0),
						   TEXTPOOL_CHUNK_SIZE));
	kunit_info(test, "%lu chunk positions x %lu slots, randomised: %d\n",
		   nr, TEXTPOOL_CHUNK_SIZE / TEXTPOOL_SLOT_SIZE, randomize);
	textpool_free(p, TEXTPOOL_OTHER);
}

/*
 * Ownership: a free or a write that names another user than the one that
 * allocated is refused, counted, and changes nothing: a BPF double free
 * never turns a live ftrace trampoline into INT3.
 */
static void textpool_test_wrong_user(struct kunit *test)
{
	static const u8 nop = 0x90;
	unsigned long wrong, allocs;
	void *t, *fb;

	t = textpool_alloc_node(64, 0, TEXTPOOL_FTRACE);
	fb = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE + 64, 0, TEXTPOOL_FTRACE);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, fb);
	KUNIT_EXPECT_EQ(test, textpool_copy(t, &nop, 1, TEXTPOOL_FTRACE), 0);
	KUNIT_EXPECT_EQ(test, textpool_copy(fb, &nop, 1, TEXTPOOL_FTRACE), 0);
	wrong = STAT(NUMA_NO_NODE, wrong_user);
	allocs = STAT(NUMA_NO_NODE, allocations);

	pr_info("textpool-test: expect-splat-begin\n");
	textpool_free(t, TEXTPOOL_BPF);
	KUNIT_EXPECT_EQ(test, textpool_set(t, INT3, 1, TEXTPOOL_BPF), -EPERM);
	KUNIT_EXPECT_EQ(test, textpool_copy(t, &nop, 1, TEXTPOOL_KPROBES),
			-EPERM);
	textpool_free(fb, TEXTPOOL_BPF);
	KUNIT_EXPECT_EQ(test, textpool_set(fb, INT3, 1, TEXTPOOL_BPF), -EPERM);
	pr_info("textpool-test: expect-splat-end\n");

	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, wrong_user), wrong + 5);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs);
	textpool_refill_all();
	KUNIT_EXPECT_EQ(test, textpool_space_state(t), TEXTPOOL_SPACE_ALLOCATED);
	KUNIT_EXPECT_EQ(test, *(u8 *)t, nop);
	KUNIT_EXPECT_EQ(test, *(u8 *)fb, nop);
	textpool_free(t, TEXTPOOL_FTRACE);
	textpool_free(fb, TEXTPOOL_FTRACE);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs - 2);
}

struct race_ctx {
	void *p;
	struct completion go, done;
	atomic_t *ready;
};

static int race_free_fn(void *arg)
{
	struct race_ctx *ctx = arg;

	atomic_inc(ctx->ready);
	wait_for_completion(&ctx->go);
	textpool_free(ctx->p, TEXTPOOL_OTHER);
	complete(&ctx->done);
	return 0;
}

/* Two frees of one fallback allocation racing: one frees, one is refused. */
static void textpool_test_fallback_free_race(struct kunit *test)
{
	struct race_ctx ctx[2];
	struct task_struct *t;
	unsigned long bad = textpool_bad_free_count();
	unsigned long allocs = STAT(NUMA_NO_NODE, allocations);
	unsigned int round, i;
	atomic_t ready;

	pr_info("textpool-test: expect-splat-begin\n");
	for (round = 0; round < 50; round++) {
		void *p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE + 64,
					      round & 1, TEXTPOOL_OTHER);

		KUNIT_ASSERT_NOT_NULL(test, p);
		atomic_set(&ready, 0);
		for (i = 0; i < 2; i++) {
			ctx[i].p = p;
			ctx[i].ready = &ready;
			init_completion(&ctx[i].go);
			init_completion(&ctx[i].done);
			t = kthread_run_on_cpu(race_free_fn, &ctx[i],
					       i % num_online_cpus(),
					       "textpool-race/%u");
			KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		}
		while (atomic_read(&ready) < 2)
			cond_resched();
		complete(&ctx[0].go);
		complete(&ctx[1].go);
		wait_for_completion(&ctx[0].done);
		wait_for_completion(&ctx[1].done);
		KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
	}
	pr_info("textpool-test: expect-splat-end\n");
	KUNIT_EXPECT_EQ(test, textpool_bad_free_count(), bad + 50);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs);
}

/* textpool_copy()/textpool_set() return the architecture's failure. */
static void textpool_test_write_failure(struct kunit *test)
{
	static const u8 nop = 0x90;
	void *p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);

	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_fail_arch_next(1);
	KUNIT_EXPECT_EQ(test, textpool_copy(p, &nop, 1, TEXTPOOL_OTHER),
			-EFAULT);
	textpool_fail_arch_next(1);
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 1, TEXTPOOL_OTHER),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, textpool_copy(p, &nop, 1, TEXTPOOL_OTHER), 0);
	textpool_fail_arch_next(0);
	textpool_free(p, TEXTPOOL_OTHER);
}

/*
 * A refill range the architecture could not write stays dirty (it still
 * holds code) and is retried; text_poke_set_ranges() reports a range with
 * an unmapped page as not done.
 */
static void textpool_test_refill_failure(struct kunit *test)
{
	struct text_poke_range r[2];
	struct vm_struct *hole;
	void *pin, *p;

	pin = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	p = textpool_alloc_node(256, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, pin);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 256, TEXTPOOL_OTHER), 0);
	textpool_refill_all();

	textpool_fail_arch_next(1);
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_refill_all();
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_DIRTY);
	KUNIT_EXPECT_GE(test, textpool_dirty_bytes(0), 256UL);
	textpool_refill_all();
	KUNIT_EXPECT_EQ(test, textpool_space_state(p), TEXTPOOL_SPACE_STALE);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, INT3, 256));

	/* The architecture's report. */
	hole = get_vm_area(PAGE_SIZE, VM_IOREMAP);
	KUNIT_ASSERT_NOT_NULL(test, hole);
	r[0] = (struct text_poke_range){ .addr = pin, .len = 64 };
	r[1] = (struct text_poke_range){ .addr = hole->addr, .len = 64 };
	mutex_lock(&text_mutex);
	text_poke_set_ranges(r, 2, INT3);
	mutex_unlock(&text_mutex);
	KUNIT_EXPECT_TRUE(test, r[0].done);
	KUNIT_EXPECT_FALSE(test, r[1].done);
	free_vm_area(hole);
	textpool_free(pin, TEXTPOOL_OTHER);
}

/* A refill is cut into batches of at most 64 extents. */
static void textpool_test_refill_batches(struct kunit *test)
{
	unsigned long refills0, refills1, extents0, extents1;
	void **p;
	unsigned int i;
	u64 ns;

	p = kunit_kcalloc(test, 400, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 400; i++) {
		p[i] = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	textpool_refill_all();
	textpool_refill_counts(&refills0, &extents0, &ns);
	/*
	 * Every other one: 200 extents that cannot merge, freed while
	 * text_mutex is held, so that none is refilled before all are freed.
	 */
	mutex_lock(&text_mutex);
	for (i = 0; i < 400; i += 2)
		textpool_free(p[i], TEXTPOOL_OTHER);
	mutex_unlock(&text_mutex);
	textpool_refill_all();
	textpool_refill_counts(&refills1, &extents1, &ns);
	kunit_info(test, "%lu extents refilled in %lu batches\n",
		   extents1 - extents0, refills1 - refills0);
	KUNIT_EXPECT_GE(test, extents1 - extents0, 200UL);
	KUNIT_EXPECT_GE(test, refills1 - refills0,
			DIV_ROUND_UP(extents1 - extents0, 64));
	for (i = 1; i < 400; i += 2)
		textpool_free(p[i], TEXTPOOL_OTHER);
}

static int text_mutex_hog(void *arg)
{
	while (!kthread_should_stop()) {
		mutex_lock(&text_mutex);
		usleep_range(1000, 2000);
		mutex_unlock(&text_mutex);
		cond_resched();
	}
	return 0;
}

/*
 * Freed code is refilled within a bounded time even while text_mutex is
 * taken over and over by others: the work item waits for it in turn.
 */
static void textpool_test_refill_contended(struct kunit *test)
{
	struct task_struct *hog[2];
	unsigned long deadline;
	void *p[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = textpool_alloc_node(128, 0, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	textpool_refill_all();
	for (i = 0; i < ARRAY_SIZE(hog); i++) {
		hog[i] = kthread_run(text_mutex_hog, NULL, "textpool-hog/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(hog[i]));
	}
	msleep(20);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		textpool_free(p[i], TEXTPOOL_OTHER);
	deadline = jiffies + 2 * HZ;
	while (textpool_dirty_bytes(0) && time_before(jiffies, deadline))
		msleep(20);
	KUNIT_EXPECT_EQ(test, textpool_dirty_bytes(0), 0UL);
	for (i = 0; i < ARRAY_SIZE(hog); i++)
		kthread_stop(hog[i]);
}

/*
 * Allocations made with text_mutex held (kprobes) refill freed space under
 * it and reuse it, instead of mapping a new chunk each time.
 */
static void textpool_test_text_locked_reuse(struct kunit *test)
{
	unsigned int chunks, made, i;
	void *p;

	textpool_refill_all();
	chunks = textpool_nr_chunks_total();
	made = textpool_chunks_made();
	mutex_lock(&text_mutex);
	for (i = 0; i < 16; i++) {
		p = textpool_alloc_text_locked(TEXTPOOL_CHUNK_SIZE / 2,
					       TEXTPOOL_KPROBES);
		if (!p)
			break;
		textpool_free(p, TEXTPOOL_KPROBES);
	}
	mutex_unlock(&text_mutex);
	KUNIT_EXPECT_EQ(test, i, 16U);
	made = textpool_chunks_made() - made;
	kunit_info(test, "chunks: %u before, %u after 16 x 1 MiB, %u made\n",
		   chunks, textpool_nr_chunks_total(), made);
	KUNIT_EXPECT_LE(test, textpool_nr_chunks_total(), chunks + 1);
	KUNIT_EXPECT_LE(test, made, 1U);
	textpool_refill_all();
}

/* Statistics are read without the nodes' locks. */
static void textpool_test_stats_lockless(struct kunit *test)
{
	struct textpool_user_stats us;
	struct textpool_stats st;
	void *p = textpool_alloc_node(64, 0, TEXTPOOL_KPROBES);

	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_node_lock(0);
	textpool_get_stats(0, &st);
	textpool_get_stats(NUMA_NO_NODE, &st);
	textpool_get_user_stats(TEXTPOOL_KPROBES, &us);
	textpool_node_unlock_test(0);
	KUNIT_EXPECT_GE(test, us.allocations, 1UL);
	KUNIT_EXPECT_GE(test, st.allocations, 1UL);
	textpool_free(p, TEXTPOOL_KPROBES);
}

/* max_total_chunks bounds all the nodes together; the rest is counted. */
static void textpool_test_max_total(struct kunit *test)
{
	unsigned int max = textpool_max_total_chunks(), i, n;
	unsigned int limit_max = textpool_max_chunks_limit();
	unsigned long limit;
	void *p[8];

	limit = STAT(NUMA_NO_NODE, fallback_causes[TEXTPOOL_FB_LIMIT]);

	KUNIT_EXPECT_EQ(test, textpool_set_max_total_chunks(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, textpool_set_max_total_chunks(limit_max + 1),
			-EINVAL);
	KUNIT_EXPECT_LE(test, max, limit_max / 2);
	n = textpool_nr_chunks_total();
	KUNIT_ASSERT_EQ(test, textpool_set_max_total_chunks(n), 0);
	for (n = 0; n < ARRAY_SIZE(p); n++) {
		p[n] = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0,
					   TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, p[n]);
		if (textpool_is_fallback(p[n])) {
			n++;
			break;
		}
	}
	KUNIT_EXPECT_TRUE(test, textpool_is_fallback(p[n - 1]));
	KUNIT_EXPECT_GT(test, STAT(NUMA_NO_NODE, fallback_causes[TEXTPOOL_FB_LIMIT]), limit);
	KUNIT_EXPECT_LE(test, textpool_nr_chunks_total(),
			textpool_max_total_chunks());
	for (i = 0; i < n; i++)
		textpool_free(p[i], TEXTPOOL_OTHER);
	KUNIT_EXPECT_EQ(test, textpool_set_max_total_chunks(max), 0);
}

/* A chunk's metadata is at most 2 % of the chunk. */
static void textpool_test_metadata(struct kunit *test)
{
	size_t bytes = textpool_chunk_meta_bytes();

	kunit_info(test, "metadata: %zu bytes per chunk (%zu.%02zu %%)\n",
		   bytes, bytes * 100 / TEXTPOOL_CHUNK_SIZE,
		   bytes * 10000 / TEXTPOOL_CHUNK_SIZE % 100);
	KUNIT_EXPECT_LE(test, bytes, TEXTPOOL_CHUNK_SIZE / 50);
}

/* Every address of a chunk finds it, by the chunk's start. */
static void textpool_test_lookup_start(struct kunit *test)
{
	unsigned long off;
	void *p, *start;

	p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	start = textpool_chunk_of(p);
	KUNIT_ASSERT_NOT_NULL(test, start);
	KUNIT_EXPECT_PTR_EQ(test, find_vm_area(start)->addr, start);
	for (off = 0; off < TEXTPOOL_CHUNK_SIZE; off += SZ_64K)
		KUNIT_EXPECT_PTR_EQ(test, textpool_chunk_of(start + off), start);
	textpool_free(p, TEXTPOOL_OTHER);
}

struct grow_ctx {
	void *p;
	struct completion done;
};

static int grow_fn(void *arg)
{
	struct grow_ctx *ctx = arg;

	ctx->p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
	complete(&ctx->done);
	return 0;
}

/*
 * A chunk is made without node->lock: while one is being made (held at
 * its slowest point, after its page was allocated), the node's lock is
 * free, so refills, frees and statistics do not wait for it.
 */
static void textpool_test_grow_unlocked(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(started);
	DECLARE_COMPLETION_ONSTACK(resume);
	struct grow_ctx ctx = { };
	void *fill[4];
	unsigned int n = 0, i;
	bool locked;

	init_completion(&ctx.done);
	/* Take node 0's free space, so that the next big allocation grows. */
	while (n < ARRAY_SIZE(fill) && STAT(0, largest_free)) {
		fill[n] = textpool_alloc_node(STAT(0, largest_free), 0,
					      TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, fill[n]);
		n++;
	}
	textpool_grow_pause(&started, &resume);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(grow_fn, &ctx,
						    "textpool-grow")));
	if (!wait_for_completion_timeout(&started, 10 * HZ)) {
		textpool_grow_pause(NULL, NULL);
		KUNIT_FAIL(test, "no chunk was made");
	} else {
		locked = textpool_node_trylock_test(0);
		if (locked)
			textpool_node_unlock_test(0);
		KUNIT_EXPECT_TRUE(test, locked);
		textpool_grow_pause(NULL, NULL);
		complete(&resume);
	}
	wait_for_completion(&ctx.done);
	KUNIT_EXPECT_NOT_NULL(test, ctx.p);
	textpool_free(ctx.p, TEXTPOOL_OTHER);
	for (i = 0; i < n; i++)
		textpool_free(fill[i], TEXTPOOL_OTHER);
}

/*
 * Fragmented memory: with no free 2 MiB page on node 0, no chunk is built
 * of 4 KiB pages and the direct map is not split: node 0's allocations are
 * served by another node's pool, or by the counted fallback.
 */
static void textpool_test_fragmented(struct kunit *test)
{
	gfp_t gfp = (GFP_KERNEL & ~__GFP_DIRECT_RECLAIM) | __GFP_THISNODE |
		    __GFP_NOWARN;
	unsigned long grow0, remote0, fb0, nr = 0, i, max, *ev;
	unsigned long splits0, splits1;
	struct page **pages, *page;
	unsigned int n, reserve = textpool_reserve_chunks();
	void *p[6];
	int nid = NUMA_NO_NODE;

	ev = kunit_kcalloc(test, NR_VM_EVENT_ITEMS, sizeof(*ev), GFP_KERNEL);
	max = node_present_pages(0);
	pages = vcalloc(max, sizeof(*pages));
	KUNIT_ASSERT_NOT_NULL(test, ev);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	/* No empty chunk anywhere: the pools must grow. */
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(0), 0);

	/* Take every free page of node 0, give back those of even pfn. */
	while (nr < max && (page = alloc_pages_node(0, gfp, 0)))
		pages[nr++] = page;
	for (i = 0; i < nr; i++) {
		if (!(page_to_pfn(pages[i]) & 1)) {
			__free_page(pages[i]);
			pages[i] = NULL;
		}
	}
	all_vm_events(ev);
	splits0 = ev[DIRECT_MAP_LEVEL2_SPLIT];
	grow0 = STAT(0, grow_failures);
	remote0 = STAT(0, remote_allocs);
	fb0 = STAT(0, fallback_allocs);

	for (n = 0; n < ARRAY_SIZE(p); n++) {
		p[n] = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0,
					   TEXTPOOL_OTHER);
		if (!p[n])
			break;
		if (textpool_is_fallback(p[n]))
			continue;
		KUNIT_EXPECT_TRUE(test, textpool_chunk_is_huge(p[n]));
		nid = page_to_nid(vmalloc_to_page(p[n]));
		if (nid != 0) {
			n++;
			break;
		}
	}
	all_vm_events(ev);
	splits1 = ev[DIRECT_MAP_LEVEL2_SPLIT];
	kunit_info(test, "%lu pages of node 0 pinned; %u chunk-sized allocations: grow failures %lu, remote %lu, fallback %lu, new direct-map splits %lu\n",
		   nr / 2, n, STAT(0, grow_failures) - grow0,
		   STAT(0, remote_allocs) - remote0,
		   STAT(0, fallback_allocs) - fb0, splits1 - splits0);
	KUNIT_EXPECT_EQ(test, splits1, splits0);
	KUNIT_EXPECT_GT(test, STAT(0, grow_failures), grow0);
	KUNIT_EXPECT_TRUE(test, nid != 0 || STAT(0, fallback_allocs) > fb0);
	if (num_node_state(N_MEMORY) > 1)
		KUNIT_EXPECT_GT(test, STAT(0, remote_allocs), remote0);

	for (i = 0; i < n; i++)
		textpool_free(p[i], TEXTPOOL_OTHER);
	for (i = 0; i < nr; i++)
		if (pages[i])
			__free_page(pages[i]);
	vfree(pages);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);
}

/*
 * Memory pressure: the shrinker gives node 0's empty chunks back, counted
 * in shrunk_chunks; the reserve returns when the pressure is over.
 */
static void textpool_test_shrinker(struct kunit *test)
{
	unsigned long chunks, shrunk, count, freed;
	void *p;

	/* Whatever earlier pressure gave back is made again first. */
	textpool_reserve_now();
	/* Node 0 keeps the chunk this empties, as its reserve. */
	KUNIT_ASSERT_GE(test, textpool_reserve_chunks(), 1U);
	p = textpool_alloc_node(64, 0, TEXTPOOL_OTHER);
	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_free(p, TEXTPOOL_OTHER);
	textpool_refill_all();
	chunks = STAT(0, chunks);
	shrunk = STAT(0, shrunk_chunks);
	freed = textpool_shrink_node(0, 1000, &count);
	kunit_info(test, "node 0: %lu chunks, %lu empty, %lu given back\n",
		   chunks, count, freed);
	KUNIT_ASSERT_NE(test, count, SHRINK_EMPTY);
	KUNIT_EXPECT_GT(test, count, 0UL);
	KUNIT_EXPECT_EQ(test, freed, count);
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks - freed);
	KUNIT_EXPECT_EQ(test, STAT(0, shrunk_chunks), shrunk + freed);
	textpool_shrink_node(0, 1000, &count);
	KUNIT_EXPECT_EQ(test, count, SHRINK_EMPTY);

	/* Pressure over: the reserve is made again. */
	textpool_reserve_now();
	KUNIT_EXPECT_EQ(test, STAT(0, chunks), chunks);
}

/*
 * Fault injection fails each step of making a chunk and the fallback: the
 * allocation takes the next path (another node, the fallback) or fails
 * cleanly, counted, and nothing leaks.
 */
static void textpool_test_fault_injection(struct kunit *test)
{
	unsigned int reserve = textpool_reserve_chunks(), step, made;
	unsigned long allocs, failures, grow, chunks;
	void *p;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "no CONFIG_FAULT_INJECTION");
	KUNIT_ASSERT_EQ(test, textpool_set_reserve_chunks(0), 0);
	textpool_refill_all();
	allocs = STAT(NUMA_NO_NODE, allocations);
	chunks = STAT(NUMA_NO_NODE, chunks);

	/* Metadata, page, protect: every node fails to grow: fallback. */
	for (step = 0; step < 3; step++) {
		grow = STAT(NUMA_NO_NODE, grow_failures);
		made = textpool_chunks_made();
		textpool_fail_inject(BIT(step), 64);
		p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
		textpool_fail_inject(0, 0);
		KUNIT_EXPECT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE(test, textpool_is_fallback(p));
		KUNIT_EXPECT_EQ(test, textpool_chunks_made(), made);
		/* Every failed step is a chunk that could not be made. */
		KUNIT_EXPECT_GT(test, STAT(NUMA_NO_NODE, grow_failures), grow);
		textpool_free(p, TEXTPOOL_OTHER);
		/* Without injection, the same request gets a chunk again. */
		p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE, 0, TEXTPOOL_OTHER);
		KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
		textpool_free(p, TEXTPOOL_OTHER);
	}

	/* The fallback itself: the allocation fails, counted. */
	failures = STAT(0, alloc_failures);
	textpool_fail_inject(BIT(3), 1);
	p = textpool_alloc_node(TEXTPOOL_CHUNK_SIZE + 64, 0, TEXTPOOL_OTHER);
	textpool_fail_inject(0, 0);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, STAT(0, alloc_failures), failures + 1);

	textpool_refill_all();
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, allocations), allocs);
	KUNIT_EXPECT_EQ(test, STAT(NUMA_NO_NODE, chunks), chunks);
	KUNIT_EXPECT_EQ(test, textpool_set_reserve_chunks(reserve), 0);
}

/*
 * An allocation made before textpool_init(), as the boot tracer makes one
 * (ftrace=function): textpool_test_early() frees it.
 */
static void *textpool_early_alloc;

static int __init textpool_test_early_alloc(void)
{
	textpool_early_alloc = textpool_alloc_node(100, 0, TEXTPOOL_OTHER);
	return 0;
}
early_initcall(textpool_test_early_alloc);

/*
 * The allocation made before textpool_init() is an execmem fallback,
 * accounted to its node and user once the pools exist; freed later, it is
 * taken off their statistics like any other, and nothing is rejected.
 */
static void textpool_test_early(struct kunit *test)
{
	struct textpool_user_stats u0, u1;
	struct textpool_stats s0, s1;
	void *p = textpool_early_alloc;

	KUNIT_ASSERT_NOT_NULL(test, p);
	textpool_early_alloc = NULL;
	KUNIT_EXPECT_FALSE(test, textpool_contains(p));
	KUNIT_EXPECT_TRUE(test, textpool_is_fallback(p));
	textpool_get_stats(0, &s0);
	textpool_get_user_stats(TEXTPOOL_OTHER, &u0);
	KUNIT_EXPECT_GE(test, s0.fallback_causes[TEXTPOOL_FB_EARLY], 1UL);
	KUNIT_EXPECT_GE(test, u0.allocations, 1UL);
	/* Live, and OTHER's. */
	KUNIT_EXPECT_EQ(test, textpool_set(p, 0x90, 100, TEXTPOOL_OTHER), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 0x90, 100));

	textpool_free(p, TEXTPOOL_OTHER);
	textpool_get_stats(0, &s1);
	textpool_get_user_stats(TEXTPOOL_OTHER, &u1);
	KUNIT_EXPECT_FALSE(test, textpool_is_fallback(p));
	KUNIT_EXPECT_EQ(test, s1.allocations, s0.allocations - 1);
	KUNIT_EXPECT_EQ(test, s1.allocated_bytes, s0.allocated_bytes - 128);
	KUNIT_EXPECT_EQ(test, s1.requested_bytes, s0.requested_bytes - 100);
	KUNIT_EXPECT_EQ(test, s1.free_total, s0.free_total + 1);
	KUNIT_EXPECT_EQ(test, s1.bad_frees, s0.bad_frees);
	KUNIT_EXPECT_EQ(test, s1.wrong_user, s0.wrong_user);
	KUNIT_EXPECT_EQ(test, u1.allocations, u0.allocations - 1);
	KUNIT_EXPECT_EQ(test, u1.allocated_bytes, u0.allocated_bytes - 128);
}

static struct kunit_case textpool_test_cases[] = {
	KUNIT_CASE(textpool_test_alignment),
	KUNIT_CASE(textpool_test_int3),
	KUNIT_CASE(textpool_test_reuse),
	KUNIT_CASE(textpool_test_release),
	KUNIT_CASE(textpool_test_node_placement),
	KUNIT_CASE(textpool_test_node1_placement),
	KUNIT_CASE(textpool_test_lookup),
	KUNIT_CASE(textpool_test_fallback_oversized),
	KUNIT_CASE(textpool_test_fallback_disabled),
	KUNIT_CASE(textpool_test_early),
	KUNIT_CASE(textpool_test_bounds),
	KUNIT_CASE(textpool_test_store_faults),
	KUNIT_CASE(textpool_test_code_runs),
	KUNIT_CASE(textpool_test_concurrent),
	KUNIT_CASE(textpool_test_bad_input),
	KUNIT_CASE(textpool_test_show_chunks),
	KUNIT_CASE(textpool_test_clean_space),
	KUNIT_CASE(textpool_test_immediate_reuse),
	KUNIT_CASE(textpool_test_delayed_refill),
	KUNIT_CASE(textpool_test_text_mutex),
	KUNIT_CASE(textpool_test_placement),
	KUNIT_CASE(textpool_test_wrong_user),
	KUNIT_CASE(textpool_test_fallback_free_race),
	KUNIT_CASE(textpool_test_write_failure),
	KUNIT_CASE(textpool_test_refill_failure),
	KUNIT_CASE(textpool_test_refill_batches),
	KUNIT_CASE(textpool_test_refill_contended),
	KUNIT_CASE(textpool_test_text_locked_reuse),
	KUNIT_CASE(textpool_test_stats_lockless),
	KUNIT_CASE(textpool_test_max_total),
	KUNIT_CASE(textpool_test_metadata),
	KUNIT_CASE(textpool_test_lookup_start),
	KUNIT_CASE(textpool_test_grow_unlocked),
	KUNIT_CASE(textpool_test_fragmented),
	KUNIT_CASE(textpool_test_shrinker),
	KUNIT_CASE(textpool_test_fault_injection),
	{}
};

/* The cases are about the pools: with textpool=off there are none. */
static int textpool_test_init(struct kunit *test)
{
	if (!textpool_enabled()) {
		/* textpool_test_early() will not run: free its allocation. */
		textpool_free(textpool_early_alloc, TEXTPOOL_OTHER);
		textpool_early_alloc = NULL;
		kunit_skip(test, "textpool is disabled (textpool=off or enabled=0)");
	}
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
