/* SPDX-License-Identifier: GPL-2.0 */
/*
 * textpool: a shared home for dynamically generated kernel text.
 *
 * See mm/textpool.c for the design and Documentation/admin-guide/textpool.rst
 * for the administrator's view.
 */
#ifndef _LINUX_TEXTPOOL_H
#define _LINUX_TEXTPOOL_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/numa.h>

/**
 * enum textpool_user - who asked for the text, for per-user accounting
 * @TEXTPOOL_BPF: BPF JIT images, trampolines and dispatchers
 * @TEXTPOOL_FTRACE: dynamic ftrace trampolines
 * @TEXTPOOL_KPROBES: kprobe instruction slots
 * @TEXTPOOL_MODULES: module text
 * @TEXTPOOL_OTHER: anything else (tests, benchmarks)
 * @TEXTPOOL_NR_USERS: number of users
 */
enum textpool_user {
	TEXTPOOL_BPF,
	TEXTPOOL_FTRACE,
	TEXTPOOL_KPROBES,
	TEXTPOOL_MODULES,
	TEXTPOOL_OTHER,
	TEXTPOOL_NR_USERS
};

/* Size of one chunk (mapped by one PMD) and of one slot inside it. */
#define TEXTPOOL_CHUNK_SHIFT	21
#define TEXTPOOL_CHUNK_SIZE	BIT(TEXTPOOL_CHUNK_SHIFT)
#define TEXTPOOL_SLOT_SHIFT	6
#define TEXTPOOL_SLOT_SIZE	BIT(TEXTPOOL_SLOT_SHIFT)

/**
 * struct textpool_stats - a snapshot of one node's pool, or of all of them
 * @chunks: mapped chunks
 * @huge_chunks: chunks mapped by one PMD
 * @fallback_chunks: chunks built from 4 KiB pages
 * @allocations: live allocations (chunk and fallback)
 * @allocated_bytes: slot-rounded bytes of live allocations
 * @requested_bytes: bytes asked for by live allocations
 * @free_bytes: free bytes inside mapped chunks
 * @largest_free: largest free extent inside one chunk, in bytes
 * @alloc_total: allocations since boot
 * @free_total: frees since boot
 * @alloc_failures: allocations that returned NULL
 * @fallback_allocs: allocations served by the execmem fallback path
 */
struct textpool_stats {
	unsigned long chunks;
	unsigned long huge_chunks;
	unsigned long fallback_chunks;
	unsigned long allocations;
	unsigned long allocated_bytes;
	unsigned long requested_bytes;
	unsigned long free_bytes;
	unsigned long largest_free;
	unsigned long alloc_total;
	unsigned long free_total;
	unsigned long alloc_failures;
	unsigned long fallback_allocs;
};

/**
 * struct textpool_user_stats - live allocations of one user
 * @allocations: live allocations
 * @allocated_bytes: slot-rounded bytes of live allocations
 */
struct textpool_user_stats {
	unsigned long allocations;
	unsigned long allocated_bytes;
};

#ifdef CONFIG_TEXTPOOL

void *textpool_alloc(size_t size, enum textpool_user user);
void *textpool_alloc_node(size_t size, int nid, enum textpool_user user);
void textpool_free(void *addr);
int textpool_copy(void *dst, const void *src, size_t len);
int textpool_set(void *dst, int c, size_t len);
bool textpool_contains(const void *addr);
unsigned long textpool_reuse_seq(void);

/* Administration, for mm/textpool_sysfs.c. */
bool textpool_enabled(void);
void textpool_set_enabled(bool enabled);
unsigned int textpool_reserve_chunks(void);
int textpool_set_reserve_chunks(unsigned int nr);
unsigned int textpool_max_chunks(void);
unsigned int textpool_max_chunks_limit(void);
int textpool_set_max_chunks(unsigned int nr);
void textpool_get_stats(int nid, struct textpool_stats *stats);
void textpool_get_user_stats(enum textpool_user user,
			     struct textpool_user_stats *stats);
const char *textpool_user_name(enum textpool_user user);

struct seq_file;
void textpool_show_chunks(struct seq_file *m);

/**
 * struct textpool_range - a range of textpool memory
 * @addr: first byte
 * @len: number of bytes
 */
struct textpool_range {
	void *addr;
	size_t len;
};

/*
 * Architecture hooks (arch/x86/mm/textpool_x86.c), for mm/textpool.c only:
 * fill fresh writable memory with traps, protect/unprotect a chunk, write
 * into read-only executable memory (copy and set take text_mutex), and
 * refill freed ranges of it with traps (the caller holds text_mutex).
 */
void arch_textpool_fill_new(void *addr, size_t len);
int arch_textpool_protect(void *addr, size_t len);
int arch_textpool_unprotect(void *addr, size_t len);
void arch_textpool_copy(void *dst, const void *src, size_t len);
void arch_textpool_set(void *dst, int c, size_t len);
void arch_textpool_fill_ranges(const struct textpool_range *ranges,
			       unsigned int nr);
u8 arch_textpool_fill_byte(void);

#else /* !CONFIG_TEXTPOOL */

static inline bool textpool_contains(const void *addr)
{
	return false;
}

#endif /* CONFIG_TEXTPOOL */

#endif /* _LINUX_TEXTPOOL_H */
