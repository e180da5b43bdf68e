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
#include <linux/build_bug.h>
#include <linux/export.h>
#include <linux/types.h>
#include <linux/numa.h>

/*
 * textpool hands out read-only executable memory and writes into it, so it
 * exports nothing to modules, with one exception for test kernels: when its
 * stress test is a module (CONFIG_TEST_TEXTPOOL=m, mm/test_textpool.c), the
 * functions the test calls are exported GPL-only in the TEXTPOOL_TEST
 * namespace, which only the test imports.  Like EXPORT_SYMBOL_IF_KUNIT().
 * Otherwise the macro only checks that @sym is declared.
 */
#if IS_MODULE(CONFIG_TEST_TEXTPOOL)
#define EXPORT_SYMBOL_IF_TEXTPOOL_TEST(sym)	EXPORT_SYMBOL_NS_GPL(sym, TEXTPOOL_TEST)
#else
#define EXPORT_SYMBOL_IF_TEXTPOOL_TEST(sym)	static_assert(sizeof(typeof(sym) *))
#endif

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
 * enum textpool_fallback_cause - why an allocation left the pools
 * @TEXTPOOL_FB_LARGE: larger than a chunk
 * @TEXTPOOL_FB_DISABLED: textpool is disabled (textpool=off or sysfs)
 * @TEXTPOOL_FB_EARLY: made before textpool was initialised
 * @TEXTPOOL_FB_LIMIT: every node with room is at max_chunks or the pools
 *	are at max_total_chunks
 * @TEXTPOOL_FB_NOMEM: no node had a free 2 MiB page for a new chunk
 * @TEXTPOOL_FB_NR: number of causes
 */
enum textpool_fallback_cause {
	TEXTPOOL_FB_LARGE,
	TEXTPOOL_FB_DISABLED,
	TEXTPOOL_FB_EARLY,
	TEXTPOOL_FB_LIMIT,
	TEXTPOOL_FB_NOMEM,
	TEXTPOOL_FB_NR
};

/**
 * struct textpool_stats - a snapshot of one node's pool, or of all of them
 * @chunks: mapped chunks
 * @allocations: live allocations (chunk and fallback)
 * @allocated_bytes: slot-rounded bytes of live allocations
 * @requested_bytes: bytes asked for by live allocations
 * @free_bytes: free bytes inside mapped chunks
 * @largest_free: largest free extent inside one chunk, in bytes
 * @alloc_total: allocations since boot
 * @free_total: frees since boot
 * @alloc_failures: allocations that returned NULL
 * @fallback_allocs: allocations served by the execmem fallback path
 * @fallback_causes: @fallback_allocs by enum textpool_fallback_cause
 * @fallback_allocations: live allocations served by the execmem fallback
 * @fallback_allocated_bytes: slot-rounded bytes of @fallback_allocations
 * @remote_allocs: allocations for this node served by another node's pool
 *	(counted on the node that asked)
 * @grow_failures: chunks that could not be made: no 2 MiB page, or a step
 *	of making one (metadata, mapping, protection) failed
 * @shrunk_chunks: empty chunks given back under memory pressure
 * @bad_frees: frees of addresses that were not live allocations
 * @wrong_user: frees and writes rejected because the live allocation
 *	belongs to another user
 */
struct textpool_stats {
	unsigned long chunks;
	unsigned long allocations;
	unsigned long allocated_bytes;
	unsigned long requested_bytes;
	unsigned long free_bytes;
	unsigned long largest_free;
	unsigned long alloc_total;
	unsigned long free_total;
	unsigned long alloc_failures;
	unsigned long fallback_allocs;
	unsigned long fallback_causes[TEXTPOOL_FB_NR];
	unsigned long fallback_allocations;
	unsigned long fallback_allocated_bytes;
	unsigned long remote_allocs;
	unsigned long grow_failures;
	unsigned long shrunk_chunks;
	unsigned long bad_frees;
	unsigned long wrong_user;
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
void *textpool_alloc_text_locked(size_t size, enum textpool_user user);
void *textpool_alloc_clean(size_t size, enum textpool_user user,
			   bool *stale);
void *textpool_alloc_pooled(size_t size, enum textpool_user user, bool *stale);
void textpool_free(void *addr, enum textpool_user user);
int textpool_copy(void *dst, const void *src, size_t len,
		  enum textpool_user user);
int textpool_set(void *dst, int c, size_t len, enum textpool_user user);
bool textpool_contains(const void *addr);
unsigned long textpool_flush_begin(void);
void textpool_flush_end(unsigned long seq);

/* Administration, for mm/textpool_sysfs.c. */
bool textpool_enabled(void);
void textpool_set_enabled(bool enabled);
unsigned int textpool_reserve_chunks(void);
int textpool_set_reserve_chunks(unsigned int nr);
unsigned int textpool_max_chunks(void);
unsigned int textpool_max_chunks_limit(void);
int textpool_set_max_chunks(unsigned int nr);
unsigned int textpool_max_total_chunks(void);
int textpool_set_max_total_chunks(unsigned int nr);
void textpool_get_stats(int nid, struct textpool_stats *stats);
void textpool_get_user_stats(enum textpool_user user,
			     struct textpool_user_stats *stats);
const char *textpool_user_name(enum textpool_user user);
const char *textpool_fallback_cause_name(enum textpool_fallback_cause cause);

/* debugfs textpool/chunks: one record per chunk, see mm/textpool.c. */
extern const struct seq_operations textpool_chunks_sops;

#else /* !CONFIG_TEXTPOOL */

static inline bool textpool_contains(const void *addr)
{
	return false;
}

#endif /* CONFIG_TEXTPOOL */

#endif /* _LINUX_TEXTPOOL_H */
