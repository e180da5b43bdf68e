/* SPDX-License-Identifier: GPL-2.0 */
/*
 * textpool's architecture contract: what an architecture that selects
 * ARCH_HAS_TEXTPOOL implements (arch/x86/mm/textpool_x86.c), for
 * mm/textpool.c only.  Not for the users of textpool, which only see
 * include/linux/textpool.h.
 *
 * The architecture describes the range chunks live in; generic code rounds
 * and validates it.  It fills fresh, still writable memory with traps,
 * protects and unprotects a chunk (read-only + executable, without
 * splitting the direct map below 2 MiB), writes into read-only executable
 * memory (copy and set take text_mutex) and refills freed ranges of it with
 * traps (the caller holds text_mutex).
 */
#ifndef _MM_TEXTPOOL_ARCH_H
#define _MM_TEXTPOOL_ARCH_H

#include <linux/types.h>

/**
 * struct textpool_range - a range of textpool memory
 * @addr: first byte
 * @len: number of bytes
 * @done: set by arch_textpool_fill_ranges() when all of it was written
 */
struct textpool_range {
	void *addr;
	size_t len;
	bool done;
};

/**
 * struct textpool_arch_info - what the architecture tells textpool
 * @start: lowest address a chunk may use (the execmem range's start, which
 *	is randomised under KASLR)
 * @end: end of the range chunks may use; every address in [@start, @end)
 *	must be within rel32 reach of the kernel image
 * @randomize: place chunks at a random position of the range (KASLR)
 *
 * mm/textpool.c rounds the range to 2 MiB and checks it lies inside the
 * module area; an invalid range disables textpool.
 */
struct textpool_arch_info {
	unsigned long start;
	unsigned long end;
	bool randomize;
};

void arch_textpool_info(struct textpool_arch_info *info);
void arch_textpool_fill_new(void *addr, size_t len);
int arch_textpool_protect(void *addr, size_t len);
int arch_textpool_unprotect(void *addr, size_t len);
int arch_textpool_copy(void *dst, const void *src, size_t len);
int arch_textpool_set(void *dst, int c, size_t len);
void arch_textpool_fill_ranges(struct textpool_range *ranges,
			       unsigned int nr);
u8 arch_textpool_fill_byte(void);

#endif /* _MM_TEXTPOOL_ARCH_H */
