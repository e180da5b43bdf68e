/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of mm/textpool.c that its KUnit suite (mm/textpool_kunit.c),
 * its benchmark and its stress test (mm/test_textpool.c) look at.
 */
#ifndef _MM_TEXTPOOL_INTERNAL_H
#define _MM_TEXTPOOL_INTERNAL_H

#include <linux/types.h>

/* Frees and writes of addresses that were rejected, since boot. */
unsigned long textpool_bad_free_count(void);
/* Start of the chunk that contains @addr, or NULL. */
void *textpool_chunk_of(const void *addr);
/* Is @addr inside a live allocation served by the execmem fallback? */
bool textpool_is_fallback(const void *addr);
/* Is the chunk that contains @addr mapped by one PMD? */
bool textpool_chunk_is_huge(const void *addr);
/* Refill the freed space of all nodes now, and trim them. */
void textpool_refill_all(void);
/* Refills since boot, the extents they wrote and the ns they took. */
void textpool_refill_counts(unsigned long *refills, unsigned long *extents,
			    u64 *ns);
/* Freed bytes of node @nid that wait for a refill. */
unsigned long textpool_dirty_bytes(int nid);
/* Make the next @nr refilled ranges and writes report a failure. */
void textpool_fail_arch_next(unsigned int nr);
/* Bytes of metadata one chunk costs. */
size_t textpool_chunk_meta_bytes(void);
/* Where chunks go: [@lo, @hi), from @base, randomised or not. */
void textpool_placement(unsigned long *lo, unsigned long *hi,
			unsigned long *base, bool *randomize);
/* The base placement picks for the random value @rnd. */
unsigned long textpool_place_base(unsigned long lo, unsigned long hi, u32 rnd);
/* Node @nid's allocation cursor (0 before its first chunk). */
unsigned long textpool_node_cursor(int nid);
/* Hold node @nid's lock, as allocations and frees do. */
void textpool_node_lock(int nid);
bool textpool_node_trylock_test(int nid);
void textpool_node_unlock_test(int nid);
struct completion;
/* Make chunk creation signal @started and wait for @resume (NULL: don't). */
void textpool_grow_pause(struct completion *started,
			 struct completion *resume);
/* Chunks of all the nodes. */
unsigned int textpool_nr_chunks_total(void);
/* Chunks made since boot. */
unsigned int textpool_chunks_made(void);
/* Run the shrinker on node @nid for @nr objects; @count: what it counted. */
unsigned long textpool_shrink_node(int nid, unsigned long nr,
				   unsigned long *count);
/*
 * Fail the next @times times the steps of @steps (bits: metadata, page,
 * protect, fallback) may fail; 0 stops.  Needs CONFIG_FAULT_INJECTION.
 */
void textpool_fail_inject(u32 steps, int times);
/* Make the reserve chunks the shrinker gave back, now. */
void textpool_reserve_now(void);

/* What the slot at @addr is, see textpool_space_state(). */
enum textpool_space {
	TEXTPOOL_SPACE_NONE,		/* not in a chunk */
	TEXTPOOL_SPACE_ALLOCATED,	/* in a live allocation */
	TEXTPOOL_SPACE_DIRTY,		/* freed, waits for its refill */
	TEXTPOOL_SPACE_STALE,		/* free, held code since the last flush */
	TEXTPOOL_SPACE_CLEAN,		/* free, no code since the last flush */
	TEXTPOOL_SPACE_REFILLING,	/* being refilled */
};

enum textpool_space textpool_space_state(const void *addr);

#endif /* _MM_TEXTPOOL_INTERNAL_H */
