// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the BPF program pack allocator's predictor-flush rule.
 *
 * A classic BPF program may carry a crafted gadget, so it must not land in
 * memory that held other code since the last branch predictor flush unless
 * the allocator flushes first. The tests install a counting flush routine
 * (calling the real one, if any, as well), free code of several kinds, then
 * allocate cBPF and eBPF images and check where they landed against the code
 * freed since the last flush.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include <linux/static_call.h>
#include <linux/textpool.h>

#define PACK_TEST_NR		32
#define PACK_TEST_PROGLEN	100

struct pack_test_range {
	unsigned long start;
	unsigned long end;
};

/*
 * Code freed since the last flush (the flush routine empties it), and all
 * code freed by the current test case (to see that freed code is reused).
 */
static struct pack_test_range pack_test_dirty[8 * PACK_TEST_NR];
static unsigned int pack_test_nr_dirty;
static struct pack_test_range pack_test_freed[8 * PACK_TEST_NR];
static unsigned int pack_test_nr_freed;
static unsigned int pack_test_flushes;
static void (*pack_test_real_flush)(void);
static bool pack_test_was_enabled;

static void pack_test_flush(void)
{
	if (pack_test_real_flush)
		pack_test_real_flush();
	pack_test_flushes++;
	pack_test_nr_dirty = 0;
}

static void pack_test_fill(void *area, unsigned int size)
{
	memset(area, 0xcc, size);
}

static void pack_test_mark_dirty(struct kunit *test, void *addr, u32 size)
{
	struct pack_test_range r = {
		.start = (unsigned long)addr,
		.end = (unsigned long)addr + size,
	};

	KUNIT_ASSERT_LT(test, pack_test_nr_dirty, ARRAY_SIZE(pack_test_dirty));
	KUNIT_ASSERT_LT(test, pack_test_nr_freed, ARRAY_SIZE(pack_test_freed));
	pack_test_dirty[pack_test_nr_dirty++] = r;
	pack_test_freed[pack_test_nr_freed++] = r;
}

/* Does [addr, addr + size) overlap one of the nr ranges r? */
static bool pack_test_overlaps(const struct pack_test_range *r, unsigned int nr,
			       void *addr, u32 size)
{
	unsigned long start = (unsigned long)addr, end = start + size;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (start < r[i].end && r[i].start < end)
			return true;
	return false;
}

/* A finalized JIT image, as the JIT leaves it. */
static struct bpf_binary_header *pack_test_image(struct kunit *test,
						 bool was_classic)
{
	struct bpf_binary_header *ro_header, *rw_header;
	u8 *ro_image, *rw_image;

	ro_header = bpf_jit_binary_pack_alloc(PACK_TEST_PROGLEN, &ro_image, 1,
					      &rw_header, &rw_image,
					      pack_test_fill, was_classic);
	KUNIT_ASSERT_NOT_NULL(test, ro_header);
	memset(rw_image, 0xc3, PACK_TEST_PROGLEN);	/* ret */
	KUNIT_ASSERT_EQ(test, bpf_jit_binary_pack_finalize(ro_header, rw_header), 0);
	KUNIT_EXPECT_EQ(test, ro_header->size % TEXTPOOL_SLOT_SIZE, 0);
	return ro_header;
}

static void pack_test_free_image(struct kunit *test,
				 struct bpf_binary_header *hdr)
{
	u32 size = hdr->size;

	bpf_jit_binary_pack_free(hdr, NULL);
	pack_test_mark_dirty(test, hdr, size);
}

/*
 * Allocate PACK_TEST_NR cBPF images where code was just freed: none may land
 * on code freed since the last flush (the flush empties that list). Some must
 * land on freed code, or the test proves nothing.
 */
static void pack_test_classic_round(struct kunit *test)
{
	struct bpf_binary_header *hdr[PACK_TEST_NR];
	unsigned int i, reused = 0;

	/*
	 * textpool hands freed space out again once it has refilled it with
	 * INT3, which its work item does a few milliseconds after a free.
	 */
	msleep(100);
	for (i = 0; i < PACK_TEST_NR; i++) {
		hdr[i] = pack_test_image(test, true);
		if (pack_test_overlaps(pack_test_dirty, pack_test_nr_dirty,
				       hdr[i], hdr[i]->size))
			KUNIT_FAIL(test, "cBPF image %u landed on code freed since the last flush",
				   i);
		if (pack_test_overlaps(pack_test_freed, pack_test_nr_freed,
				       hdr[i], hdr[i]->size))
			reused++;
	}
	kunit_info(test, "%u of %u cBPF images reuse freed code, %u flushes\n",
		   reused, PACK_TEST_NR, pack_test_flushes);
	KUNIT_EXPECT_GT(test, reused, 0);
	for (i = 0; i < PACK_TEST_NR; i++)
		pack_test_free_image(test, hdr[i]);
}

/* cBPF after cBPF: freed classic programs are replaced by new ones. */
static void pack_test_classic_after_classic(struct kunit *test)
{
	struct bpf_binary_header *hdr[PACK_TEST_NR];
	unsigned int i, flushes;

	for (i = 0; i < PACK_TEST_NR; i++)
		hdr[i] = pack_test_image(test, true);
	for (i = 0; i < PACK_TEST_NR; i++)
		pack_test_free_image(test, hdr[i]);

	flushes = pack_test_flushes;
	pack_test_classic_round(test);
	/* Code was freed before the round: at least one flush was due. */
	KUNIT_EXPECT_GT(test, pack_test_flushes, flushes);
}

/* cBPF after eBPF programs went away. */
static void pack_test_classic_after_ebpf(struct kunit *test)
{
	struct bpf_binary_header *hdr[PACK_TEST_NR];
	unsigned int i, flushes;

	for (i = 0; i < PACK_TEST_NR; i++)
		hdr[i] = pack_test_image(test, false);
	for (i = 0; i < PACK_TEST_NR; i++)
		pack_test_free_image(test, hdr[i]);

	flushes = pack_test_flushes;
	pack_test_classic_round(test);
	KUNIT_EXPECT_GT(test, pack_test_flushes, flushes);
}

/* cBPF after text of another textpool user (ftrace, kprobes...) was freed. */
static void pack_test_classic_after_other_user(struct kunit *test)
{
	static const u8 ret = 0xc3;
	void *text[PACK_TEST_NR];
	unsigned int i, flushes;
	u32 size;

	size = round_up(PACK_TEST_PROGLEN + sizeof(struct bpf_binary_header) + 16,
			TEXTPOOL_SLOT_SIZE);
	for (i = 0; i < PACK_TEST_NR; i++) {
		text[i] = textpool_alloc(size, TEXTPOOL_OTHER);
		KUNIT_ASSERT_NOT_NULL(test, text[i]);
		KUNIT_ASSERT_EQ(test, textpool_copy(text[i], &ret, 1), 0);
	}
	for (i = 0; i < PACK_TEST_NR; i++) {
		textpool_free(text[i]);
		pack_test_mark_dirty(test, text[i], size);
	}

	flushes = pack_test_flushes;
	pack_test_classic_round(test);
	KUNIT_EXPECT_GT(test, pack_test_flushes, flushes);
}

/* eBPF never flushes, even where code was freed. */
static void pack_test_ebpf_never_flushes(struct kunit *test)
{
	struct bpf_binary_header *hdr[PACK_TEST_NR];
	unsigned int i, flushes = pack_test_flushes;

	for (i = 0; i < PACK_TEST_NR; i++)
		hdr[i] = pack_test_image(test, false);
	for (i = 0; i < PACK_TEST_NR; i++)
		pack_test_free_image(test, hdr[i]);
	for (i = 0; i < PACK_TEST_NR; i++)
		hdr[i] = pack_test_image(test, false);
	KUNIT_EXPECT_EQ(test, pack_test_flushes, flushes);
	for (i = 0; i < PACK_TEST_NR; i++)
		pack_test_free_image(test, hdr[i]);
}

/* A real classic filter, JITed by the arch JIT, takes the cBPF path. */
static void pack_test_real_filter(struct kunit *test)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_RET | BPF_K, 0x1234),
	};
	struct sock_fprog_kern fprog = {
		.len = ARRAY_SIZE(insns),
		.filter = insns,
	};
	struct bpf_binary_header *hdr;
	struct bpf_prog *prog;
	unsigned int flushes;
	int err;

	/* Make the next cBPF allocation due for a flush. */
	hdr = pack_test_image(test, false);
	pack_test_free_image(test, hdr);

	flushes = pack_test_flushes;
	err = bpf_prog_create(&prog, &fprog);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, prog->jited);
	if (textpool_enabled())
		KUNIT_EXPECT_TRUE(test, textpool_contains(prog->bpf_func));
	KUNIT_EXPECT_GT(test, pack_test_flushes, flushes);
	bpf_prog_destroy(prog);
}

static int pack_test_init(struct kunit *test)
{
	pack_test_nr_freed = 0;
	/*
	 * Let textpool refill what the previous case freed, so that this
	 * case's allocations take the lowest free space and its frees are
	 * what the cBPF round reuses.
	 */
	msleep(100);
	return 0;
}

static int pack_test_suite_init(struct kunit_suite *suite)
{
	pack_test_was_enabled = static_key_enabled(&bpf_pred_flush_enabled);
	pack_test_real_flush = static_call_query(bpf_arch_pred_flush);
	static_call_update(bpf_arch_pred_flush, pack_test_flush);
	static_branch_enable(&bpf_pred_flush_enabled);
	return 0;
}

static void pack_test_suite_exit(struct kunit_suite *suite)
{
	if (!pack_test_was_enabled)
		static_branch_disable(&bpf_pred_flush_enabled);
	static_call_update(bpf_arch_pred_flush, pack_test_real_flush);
}

static struct kunit_case pack_test_cases[] = {
	KUNIT_CASE(pack_test_classic_after_classic),
	KUNIT_CASE(pack_test_classic_after_ebpf),
	KUNIT_CASE(pack_test_classic_after_other_user),
	KUNIT_CASE(pack_test_ebpf_never_flushes),
	KUNIT_CASE(pack_test_real_filter),
	{}
};

static struct kunit_suite pack_test_suite = {
	.name = "bpf_prog_pack",
	.suite_init = pack_test_suite_init,
	.suite_exit = pack_test_suite_exit,
	.init = pack_test_init,
	.test_cases = pack_test_cases,
};

kunit_test_suite(pack_test_suite);

MODULE_DESCRIPTION("KUnit tests of the BPF program pack allocator");
MODULE_LICENSE("GPL");
