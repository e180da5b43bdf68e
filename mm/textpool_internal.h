/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of mm/textpool.c that its KUnit suite (mm/textpool_kunit.c)
 * and its benchmark look at.
 */
#ifndef _MM_TEXTPOOL_INTERNAL_H
#define _MM_TEXTPOOL_INTERNAL_H

#include <linux/types.h>

/* Frees of addresses that were not live allocations, since boot. */
unsigned long textpool_bad_free_count(void);
/* Start of the chunk that contains @addr, or NULL. */
void *textpool_chunk_of(const void *addr);
/* Is @addr a live allocation served by the execmem fallback? */
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

#endif /* _MM_TEXTPOOL_INTERNAL_H */
