// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the BPF program pack allocator's predictor-flush rule.
 *
 * A classic BPF program may carry a crafted gadget, so it must not land in
 * memory that held other code since the last branch predictor flush unless
 * the allocator flushes first. The tests install a counting flush routine
 * (calling the real one, if any, as well), free code of several kinds, then
 * allocate cBPF and eBPF images and check where they landed against the code
 * freed since the last flush, and that a mixed workload flushes no more
 * often than this kernel's pack allocator would (one flush per cBPF load
 * after BPF code was freed, as its packs are shared by all BPF programs).
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
static struct pack_test_range pack_test_dirty[64 * PACK_TEST_NR];
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

/*
 * With textpool serving the programs, clean space is preferred and flushes
 * are rare. Disabled (textpool=off), the programs go to bpf_prog_pack,
 * which flushes by its own rule.
 */
static void pack_test_expect_flushes_le(struct kunit *test, unsigned int max)
{
	if (textpool_enabled())
		KUNIT_EXPECT_LE(test, pack_test_flushes, max);
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
	/* Clean space is left: the round needs one flush at most. */
	pack_test_expect_flushes_le(test, flushes + 1);
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
	pack_test_expect_flushes_le(test, flushes + 1);
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
		KUNIT_ASSERT_EQ(test, textpool_copy(text[i], &ret, 1,
						    TEXTPOOL_OTHER), 0);
	}
	for (i = 0; i < PACK_TEST_NR; i++) {
		textpool_free(text[i], TEXTPOOL_OTHER);
		pack_test_mark_dirty(test, text[i], size);
	}

	flushes = pack_test_flushes;
	pack_test_classic_round(test);
	pack_test_expect_flushes_le(test, flushes + 1);
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

	/* Code freed since the last flush, which the filter must not reuse. */
	hdr = pack_test_image(test, false);
	pack_test_free_image(test, hdr);

	flushes = pack_test_flushes;
	err = bpf_prog_create(&prog, &fprog);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, prog->jited);
	if (textpool_enabled())
		KUNIT_EXPECT_TRUE(test, textpool_contains(prog->bpf_func));
	if (pack_test_flushes == flushes)
		KUNIT_EXPECT_FALSE(test,
				   pack_test_overlaps(pack_test_dirty,
						      pack_test_nr_dirty,
						      prog->bpf_func, 1));
	pack_test_expect_flushes_le(test, flushes + 1);
	bpf_prog_destroy(prog);
}

/*
 * A mixed workload of eBPF programs, cBPF programs and ftrace trampolines
 * coming and going. This kernel's pack allocator flushes when a cBPF
 * program lands in a pack where BPF code was freed since the last flush
 * (or in a new pack): with all the programs of this test in one pack, that
 * is the first cBPF load after any BPF free. Trampolines live outside its
 * packs. Count what that rule gives (base) and what happens (flushes):
 * textpool, which tracks freed space per extent and keeps clean space for
 * cBPF, must not flush more often, and the rule must still hold.
 */
static void pack_test_mixed_workload(struct kunit *test)
{
	static const u8 ret = 0xc3;
	struct bpf_binary_header *ebpf[8], *cbpf[3];
	unsigned int round, i, j, base = 0, flushes = pack_test_flushes;
	bool base_dirty = true;		/* the first pack is new */
	void *tramp;

	for (round = 0; round < 8; round++) {
		for (i = 0; i < ARRAY_SIZE(ebpf); i++)
			ebpf[i] = pack_test_image(test, false);
		for (i = 0; i < ARRAY_SIZE(cbpf); i++) {
			/* A trampoline comes and goes before each cBPF load. */
			tramp = textpool_alloc(64, TEXTPOOL_FTRACE);
			KUNIT_ASSERT_NOT_NULL(test, tramp);
			KUNIT_EXPECT_EQ(test, textpool_copy(tramp, &ret, 1,
							    TEXTPOOL_FTRACE), 0);
			textpool_free(tramp, TEXTPOOL_FTRACE);
			pack_test_mark_dirty(test, tramp, 64);
			/* Half the eBPF programs go away before the last. */
			if (i == ARRAY_SIZE(cbpf) - 1) {
				for (j = 0; j < ARRAY_SIZE(ebpf) / 2; j++)
					pack_test_free_image(test, ebpf[j]);
				base_dirty = true;
			}

			if (base_dirty)
				base++;
			base_dirty = false;
			cbpf[i] = pack_test_image(test, true);
			if (pack_test_overlaps(pack_test_dirty,
					       pack_test_nr_dirty, cbpf[i],
					       cbpf[i]->size))
				KUNIT_FAIL(test, "round %u: cBPF %u on freed code",
					   round, i);
		}
		for (j = ARRAY_SIZE(ebpf) / 2; j < ARRAY_SIZE(ebpf); j++)
			pack_test_free_image(test, ebpf[j]);
		for (i = 0; i < ARRAY_SIZE(cbpf); i++)
			pack_test_free_image(test, cbpf[i]);
		base_dirty = true;
		/* Let freed space be refilled, so that it can be reused. */
		msleep(20);
		pack_test_nr_freed = 0;
	}
	flushes = pack_test_flushes - flushes;
	kunit_info(test, "predictor flushes: %u, the pack allocator's rule: %u\n",
		   flushes, base);
	if (textpool_enabled())
		KUNIT_EXPECT_LE(test, flushes, base);
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
	KUNIT_CASE(pack_test_mixed_workload),
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
