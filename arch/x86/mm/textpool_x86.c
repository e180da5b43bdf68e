// SPDX-License-Identifier: GPL-2.0
/*
 * x86 hooks of textpool (mm/textpool.c): how a chunk is filled, protected
 * and unprotected, and how text is written into it.
 *
 * A chunk is filled with INT3 while it is still writable, then made read-only
 * and executable with set_memory_rox().  For a chunk mapped by one PMD, CPA
 * changes that PMD and makes the 2 MiB direct-map alias read-only as a whole,
 * so the direct map is not split below 2 MiB.  Before the chunk's pages are
 * given back, set_memory_nx() and set_memory_rw() restore both mappings (and
 * flush the TLBs, so that no executable translation of the pages survives).
 * Everything written afterwards goes through text_poke, which maps the target
 * page writable in a temporary mm only: textpool memory is never writable
 * and executable at once.  Freed space is refilled with INT3 in batches by
 * text_poke_set_ranges(), many pages per switch to the poking mm.
 */

#include <linux/build_bug.h>
#include <linux/execmem.h>
#include <linux/set_memory.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <asm/setup.h>
#include <asm/text-patching.h>

/* mm/textpool_arch.h: the Makefile puts mm/ on this file's include path. */
#include "textpool_arch.h"

/**
 * arch_textpool_info() - where chunks go on x86
 * @info: filled in
 *
 * The execmem range of BPF (on x86 the range of all execmem types): from
 * MODULES_VADDR, plus a random 1..1024 pages under KASLR, to MODULES_END,
 * all within rel32 reach of the kernel image.  Chunk placement is
 * randomised under KASLR, like that range's start.
 */
void arch_textpool_info(struct textpool_arch_info *info)
{
	execmem_range_bounds(EXECMEM_BPF, &info->start, &info->end);
	info->randomize = kaslr_enabled();
}

/**
 * arch_textpool_fill_new() - fill fresh, still writable memory with traps
 * @addr: start of the memory
 * @len: bytes to fill
 */
void arch_textpool_fill_new(void *addr, size_t len)
{
	memset(addr, INT3_INSN_OPCODE, len);
}

/**
 * arch_textpool_protect() - make memory read-only and executable
 * @addr: page-aligned start
 * @len: bytes, a multiple of PAGE_SIZE
 *
 * Return: 0 or a negative errno from set_memory_rox().
 */
int arch_textpool_protect(void *addr, size_t len)
{
	return set_memory_rox((unsigned long)addr, len >> PAGE_SHIFT);
}

/**
 * arch_textpool_unprotect() - make memory writable and non-executable again
 * @addr: page-aligned start
 * @len: bytes, a multiple of PAGE_SIZE
 *
 * Restores the permissions of the mapping and of its direct-map alias, so
 * that the pages can be given back to the page allocator.
 *
 * Return: 0 or a negative errno from set_memory_nx()/set_memory_rw().
 */
int arch_textpool_unprotect(void *addr, size_t len)
{
	int ret;

	ret = set_memory_nx((unsigned long)addr, len >> PAGE_SHIFT);
	if (ret)
		return ret;
	return set_memory_rw((unsigned long)addr, len >> PAGE_SHIFT);
}

/**
 * arch_textpool_copy() - copy into read-only executable memory
 * @dst: destination
 * @src: source
 * @len: bytes to copy
 *
 * Takes text_mutex.
 *
 * Return: 0, or -EINVAL if text_poke_copy() refused the address.
 */
int arch_textpool_copy(void *dst, const void *src, size_t len)
{
	return text_poke_copy(dst, src, len) ? 0 : -EINVAL;
}

/**
 * arch_textpool_set() - memset read-only executable memory
 * @dst: destination
 * @c: byte value
 * @len: bytes to set
 *
 * Takes text_mutex.
 *
 * Return: 0, or -EINVAL if text_poke_set() refused the address.
 */
int arch_textpool_set(void *dst, int c, size_t len)
{
	return text_poke_set(dst, c, len) ? 0 : -EINVAL;
}

/* textpool's ranges are handed to text_poke_set_ranges() as they are. */
static_assert(sizeof(struct textpool_range) == sizeof(struct text_poke_range));
static_assert(offsetof(struct textpool_range, addr) ==
	      offsetof(struct text_poke_range, addr));
static_assert(offsetof(struct textpool_range, len) ==
	      offsetof(struct text_poke_range, len));
static_assert(offsetof(struct textpool_range, done) ==
	      offsetof(struct text_poke_range, done));

/**
 * arch_textpool_fill_ranges() - refill read-only executable memory with traps
 * @ranges: the ranges to fill
 * @nr: number of ranges
 *
 * All the ranges are written in one text_poke session (one switch to the
 * poking mm per 32 pages).  ->done is set for each range that was written
 * completely; a range with a page that is not mapped is left with ->done
 * false.
 *
 * Context: the caller holds text_mutex.
 */
void arch_textpool_fill_ranges(struct textpool_range *ranges,
			       unsigned int nr)
{
	text_poke_set_ranges((struct text_poke_range *)ranges, nr,
			     INT3_INSN_OPCODE);
}

/**
 * arch_textpool_fill_byte() - the byte free textpool memory is filled with
 *
 * Return: the trap instruction's opcode (INT3).
 */
u8 arch_textpool_fill_byte(void)
{
	return INT3_INSN_OPCODE;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(arch_textpool_fill_byte);
