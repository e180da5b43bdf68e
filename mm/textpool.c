// SPDX-License-Identifier: GPL-2.0
/*
 * textpool: per-NUMA-node pools of read-only + executable memory for
 * dynamically generated kernel text (BPF JIT images, BPF trampolines and
 * dispatchers, ftrace trampolines, kprobe instruction slots).
 *
 * Layout
 * ------
 *
 *   arch range [start, end) (execmem's, randomised start under KASLR)
 *   |<- lo (2 MiB aligned)                                   hi ->|
 *   |  ...  | chunk (node 1) | chunk (node 0) |  ...  | modules ... |
 *           ^ base: a random 2 MiB position of [lo, hi) under KASLR
 *
 *   one chunk: 2 MiB, one PMD, one 2 MiB page of its node
 *   | slot | slot | slot | ... 32768 slots of 64 bytes ...   | slot |
 *   |<-- alloc A -->|<- B ->|   free   |<-- C -->|  freed, dirty  |
 *          ^ cursor: the first chunk of a node is first used from a
 *            random slot on (under KASLR)
 *
 * Chunks
 * ------
 * Each node has a pool of 2 MiB chunks.  A chunk is one physically
 * contiguous 2 MiB page of the node (never 4 KiB pages: mapping those
 * read-only would split the direct map around each of them), mapped by a
 * single PMD in a vmap area of the range the architecture gives
 * (arch_textpool_info(): on x86 the execmem range, within rel32 reach of
 * the kernel image).  It is filled with INT3 while it is still writable
 * and then made read-only + executable for its whole life
 * (arch_textpool_protect(), set_memory_rox() on x86, which also makes the
 * 2 MiB direct-map alias read-only without splitting it).  It is never
 * writable and executable at once: every later write goes through
 * text_poke (textpool_copy(), textpool_set()), and freed space is filled
 * with INT3 again before it can be handed out anew (see "Refill").  When a
 * chunk is given back, arch_textpool_unprotect() restores both mappings for
 * the whole 2 MiB and flushes the TLBs before the page is freed.
 *
 * Placement.  Under KASLR (arch_textpool_info()->randomize) the pools get
 * a per-boot random base, a 2 MiB-aligned position of [lo, hi): chunks are
 * placed at the lowest free 2 MiB at or above the base, then below it.
 * The first chunk of each node is also used from a random slot on (its
 * free space starts as two extents split at the cursor, never merged, and
 * allocation prefers space at or above the cursor), so the first program
 * lands on one of about (hi - lo) / 64 addresses.  Without KASLR, chunks
 * take the lowest free 2 MiB and are used from their start.
 *
 * Where a chunk comes from (policy).  The reserve_chunks of each node are
 * made at boot, while memory is not fragmented.  A new chunk takes a 2 MiB
 * page of the node with __GFP_NORETRY (one round of compaction); after a
 * failure the node only looks at its free lists for TEXTPOOL_GROW_BACKOFF,
 * so a fragmented node does not pay for compaction on every allocation.
 * A node that cannot grow serves its allocations from the free space of
 * the nearest node that has some (or can grow) before anything leaves the
 * pools; only then does the execmem fallback (below) take over, counted by
 * cause.  max_chunks bounds each node, max_total_chunks all of them, so
 * that the pools never crowd out module loading from the module area.
 * Under memory pressure a shrinker gives the empty chunks of the node
 * short of memory back (shrunk_chunks); the reserve chunks among them are
 * made again, from free 2 MiB pages only, once the pressure is over.
 *
 * Chunks are tracked by the vmap_area tree: each is a vm_struct flagged
 * VM_TEXTPOOL whose ->textpool points to its struct textpool_chunk.  An
 * address finds its chunk with find_vm_area() of its 2 MiB-aligned start,
 * which is the start of the vmap_area, so the first vmap node probed holds
 * it: O(log n) under one vmap-node lock, whatever the number of vmap
 * nodes.  textpool_contains() answers first from a bitmap of the range's
 * 2 MiB slots, without a lock.  The vm_struct is shared by all the
 * allocations of the chunk and refcounted (->textpool_refs): the pool
 * holds one reference while the chunk is in it, each live allocation
 * holds one, and so does each write or free in progress.
 *
 * Slots and free space
 * --------------------
 * A chunk is cut into 64-byte slots; an allocation is a run of slots.  Per
 * chunk, alloc_map has one bit per slot in use, and a 9-bit value per
 * slot (the byte meta[] and the bit meta_hi) is 0, or, at the first slot of
 * a live allocation, 1 + (user << 6 | bytes requested in its last slot -
 * 1).  Free needs no size (the allocation ends at the next first slot or
 * the next free slot), an address that is not the first slot of a live
 * allocation is recognised, and the user is checked.  That is 10 bits per
 * 64-byte slot: 40 KiB of metadata per 2 MiB chunk (under 2 %).
 *
 * The free space of the chunks of a node is a set of extents in augmented
 * rbtrees keyed by address (like vmalloc's free_vmap_area_root): each tree
 * node caches the largest extent size of its subtree, so the lowest-address
 * extent that fits is found in O(log n).  Extents merge with neighbouring
 * extents of the same chunk and tree (never across chunks).  A node has
 * three trees:
 *
 *  - clean_root: free space no code was freed into since the last
 *    completed predictor flush (textpool_flush_end()),
 *  - free_root: the rest of the allocatable space: space that held code
 *    since that flush, and new chunks (their addresses may have held
 *    code),
 *  - dirty_root: freed space that still holds its code and waits for its
 *    INT3 refill; no allocation finds it.
 *
 * Allocations take free_root first and clean_root last, keeping clean
 * space for textpool_alloc_clean() (classic BPF), which takes clean_root
 * first and tells its caller whether it had to take stale space and must
 * flush.  Each extent remembers the flush sequence at which it last may
 * have held code, so a free that races with a flush stays stale.
 *
 * Refill
 * ------
 * A free does not write the freed slots itself: text_poke switches to the
 * poking mm and flushes the TLB, which would make every free cost as much
 * as the allocation it replaces.  The freed slots go into dirty_root and
 * are refilled with INT3 in batches of at most TEXTPOOL_REFILL_RANGES
 * extents (arch_textpool_fill_ranges(), one text_poke session each), with
 * text_mutex dropped and the CPU given up between batches.  Only the
 * ranges the architecture reports as written go back to free_root; the
 * others stay dirty and are retried.  A node is refilled
 *
 *  - by the free that brings its dirty space to TEXTPOOL_REFILL_FREES frees
 *    or TEXTPOOL_REFILL_BYTES bytes (one batch, if text_mutex is free),
 *  - by an allocation that finds no clean space while dirty space waits,
 *  - by a work item, TEXTPOOL_REFILL_DELAY after the first free since the
 *    last refill, which waits for text_mutex.
 *
 * Freed code therefore stays in place, executable but unreachable (its
 * user has stopped calling it before freeing it), for at most
 * TEXTPOOL_REFILL_DELAY plus the time the work item waits for text_mutex:
 * mutex hand-off bounds that wait by the hold times of the tasks queued
 * before it, and each batch drops text_mutex, so the refill neither starves
 * nor is starved.  An empty chunk given back beyond the reserve takes its
 * freed code with it: its mapping is made non-executable first.
 *
 * Fallback
 * --------
 * Requests larger than a chunk, requests while textpool is disabled
 * (sysfs, textpool=off) or before it is initialised, and requests that no
 * pool can serve go to execmem_alloc() and come back with the same
 * contract: INT3-filled, read-only + executable, freed and written with
 * textpool_free()/textpool_copy()/textpool_set().  They are kept in an
 * rbtree of their own under textpool_fallback_lock, so a repeated or racing
 * free of one finds it at most once.
 *
 * Fault injection
 * ---------------
 * With CONFIG_FAULT_INJECTION, fail_textpool (the kernel's fault_attr, in
 * debugfs and on the command line) fails the steps of making a chunk
 * (metadata, 2 MiB page, protection) and the execmem fallback, selected by
 * the mask fail_textpool/steps: each failure takes the path a real one
 * would.
 *
 * Locking
 * -------
 * Each node has two mutexes.  node->lock protects its trees, its chunk
 * list, the bitmaps and counters of its chunks and its statistics, and is
 * only held for bookkeeping: no page allocation, no memset of a chunk, no
 * set_memory_*() and no text_poke happens under it.  node->grow_lock
 * serialises the making of the node's chunks (mm/percpu.c's
 * pcpu_alloc_mutex): it is held while a chunk is allocated, mapped, filled
 * and protected, without node->lock, which is then taken briefly to link
 * the chunk in.  No path holds two node locks.  The lock order is:
 *
 *	text_mutex
 *	  -> node->grow_lock
 *	    -> node->lock
 *
 * textpool_fallback_lock, which protects the tree of fallback allocations,
 * is never held with another of textpool's locks.
 * A refill takes text_mutex, then node->lock to take a batch of dirty
 * extents, writes them without node->lock, and takes node->lock again to
 * put them back.  textpool_alloc() and textpool_free() may be called with
 * text_mutex held: they never wait for it (a due refill is tried with
 * mutex_trylock() and otherwise left to the work item).  Callers that hold
 * text_mutex and want freed space reused use textpool_alloc_text_locked(),
 * which refills in place.  textpool_copy()/textpool_set() take text_mutex:
 * their callers must not hold it.  Statistics are updated under node->lock
 * and read without it (READ_ONCE), per node; per-user counters are per
 * node too.
 *
 * The vm_struct found for an address is safe to use because the caller's
 * allocation keeps it alive; a free or a write through a stale pointer that
 * races with the release of the very same chunk is, as with vfree(), a bug
 * that textpool cannot always catch.
 *
 * Architecture contract
 * ---------------------
 * arch_textpool_info() gives the range and whether to randomise; generic
 * code rounds and validates it.  arch_textpool_protect() must make a
 * 2 MiB-aligned, 2 MiB page read-only + executable without splitting the
 * direct map below 2 MiB; arch_textpool_fill_ranges() writes with text_poke
 * and reports, per range, whether it wrote all of it.
 */

#define pr_fmt(fmt) "textpool: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cacheflush.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/execmem.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pgtable.h>
#include <linux/random.h>
#include <linux/rbtree_augmented.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/textpool.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "textpool_arch.h"
#include "textpool_internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/textpool.h>

#define TEXTPOOL_CHUNK_ORDER	(TEXTPOOL_CHUNK_SHIFT - PAGE_SHIFT)
#define TEXTPOOL_SLOTS		(TEXTPOOL_CHUNK_SIZE >> TEXTPOOL_SLOT_SHIFT)
#define TEXTPOOL_MAX_RESERVE	64
#define TEXTPOOL_MAP_CHARS	64
#define TEXTPOOL_MAP_SLOTS	(TEXTPOOL_SLOTS / TEXTPOOL_MAP_CHARS)

/* When a node's freed space is refilled (see "Refill" above). */
#define TEXTPOOL_REFILL_FREES	64
#define TEXTPOOL_REFILL_BYTES	SZ_256K
#define TEXTPOOL_REFILL_DELAY	msecs_to_jiffies(4)
/* Retry of ranges the architecture could not write. */
#define TEXTPOOL_REFILL_RETRY	msecs_to_jiffies(100)
/* Extents refilled per batch, that is per text_poke session. */
#define TEXTPOOL_REFILL_RANGES	64
/* How long a node that found no 2 MiB page skips compaction. */
#define TEXTPOOL_GROW_BACKOFF	(5 * HZ)
/* After the shrinker gave reserve chunks back, when to make them again. */
#define TEXTPOOL_RESERVE_DELAY	(2 * HZ)

/* The 2 MiB-aligned part of the module range: textpool_contains()'s map. */
#define TEXTPOOL_VA_START	ALIGN(MODULES_VADDR, TEXTPOOL_CHUNK_SIZE)
#define TEXTPOOL_VA_END		ALIGN_DOWN(MODULES_END, TEXTPOOL_CHUNK_SIZE)
#define TEXTPOOL_MAX_CHUNKS	\
	((TEXTPOOL_VA_END - TEXTPOOL_VA_START) >> TEXTPOOL_CHUNK_SHIFT)

/* The steps fault injection can fail, bits of fail_textpool/steps. */
enum textpool_fail_step {
	TEXTPOOL_FAIL_META,	/* a chunk's metadata */
	TEXTPOOL_FAIL_PAGE,	/* a chunk's 2 MiB page */
	TEXTPOOL_FAIL_PROTECT,	/* making a chunk read-only + executable */
	TEXTPOOL_FAIL_FALLBACK,	/* the execmem fallback */
	TEXTPOOL_FAIL_NR
};

#define TEXTPOOL_FAIL_ALL	(BIT(TEXTPOOL_FAIL_NR) - 1)

/* Per first slot of an allocation: 1 + (user << 6 | tail bytes - 1). */
#define TEXTPOOL_META_TAIL_BITS	TEXTPOOL_SLOT_SHIFT
#define TEXTPOOL_META_TAIL_MASK	((1U << TEXTPOOL_META_TAIL_BITS) - 1)
#define TEXTPOOL_MAP_LONGS	BITS_TO_LONGS(TEXTPOOL_SLOTS)

/* What a VM_TEXTPOOL vm_struct's ->textpool points to. */
struct textpool_area {
	int nid;
};

/**
 * struct textpool_chunk - a 2 MiB chunk of one node
 * @area: what the chunk's vm_struct points to
 * @start: address of the chunk
 * @vm: the chunk's vm_struct
 * @page: its 2 MiB page
 * @node: the pool the chunk belongs to
 * @list: entry in @node's chunk list
 * @huge: mapped by one PMD (else by PTEs, on CPUs without PSE)
 * @split: the node's cursor, if it is in this chunk: extents never merge
 *	across it, so that allocation keeps starting there (0: none)
 * @nr_allocs: live allocations
 * @dirty_bytes: freed bytes waiting for a refill in @node->dirty_root
 * @refill_bytes: freed bytes being refilled (in no tree)
 * @used_bytes: slot-rounded bytes of live allocations
 * @alloc_map: one bit per slot in use
 * @meta_hi: bit 8 of the per-slot value, see "Slots and free space"
 * @meta: bits 0..7 of the per-slot value
 *
 * Everything but @area, @start, @vm, @page and @huge is protected by
 * @node->lock.
 */
struct textpool_chunk {
	struct textpool_area area;
	unsigned long start;
	struct vm_struct *vm;
	struct page *page;
	struct textpool_node *node;
	struct list_head list;
	bool huge;
	unsigned long split;
	unsigned int nr_allocs;
	unsigned long dirty_bytes;
	unsigned long refill_bytes;
	unsigned long used_bytes;
	unsigned long *alloc_map;
	unsigned long *meta_hi;
	u8 *meta;
};

/**
 * struct textpool_fallback - an allocation served by execmem
 * @rb: node in textpool_fallbacks, keyed by @addr
 * @addr: the allocation
 * @end: end of its pages
 * @user: who asked for it
 * @nid: the node it was asked for
 * @size: slot-rounded size
 * @requested: size asked for
 * @counted: accounted in its node's statistics (not an early one)
 * @refs: the tree's reference and those of writes in progress
 */
struct textpool_fallback {
	struct rb_node rb;
	void *addr;
	unsigned long end;
	enum textpool_user user;
	int nid;
	unsigned long size;
	unsigned long requested;
	bool counted;
	refcount_t refs;
};

/**
 * struct textpool_extent - free space inside one chunk
 * @rb: node in one of the node's trees, keyed by @start
 * @start: first byte
 * @size: bytes, a multiple of the slot size
 * @subtree_max: largest @size in the subtree rooted here
 * @seq: textpool_flush_begin() sequence when it last may have held code
 * @chunk: the chunk the extent lies in
 */
struct textpool_extent {
	struct rb_node rb;
	unsigned long start;
	unsigned long size;
	unsigned long subtree_max;
	unsigned long seq;
	struct textpool_chunk *chunk;
};

/* Live allocations of one user on one node. */
struct textpool_user_count {
	unsigned long allocations;
	unsigned long allocated_bytes;
};

/**
 * struct textpool_node - the pool of one NUMA node
 * @lock: protects everything below but @grow_lock and @grow_fail_until
 * @grow_lock: serialises the making of chunks
 * @nid: the node
 * @clean_root: free extents no code was freed into since the last flush
 * @free_root: the other allocatable extents
 * @dirty_root: freed extents not yet refilled with INT3
 * @dirty_bytes: bytes in @dirty_root
 * @dirty_frees: frees since the last refill
 * @cursor: allocations prefer space at or above it (0: none yet)
 * @grow_fail_until: until then, a new chunk skips compaction
 * @shrunk: reserve chunks the shrinker gave back, to be made again
 * @chunks: the chunks of the node
 * @nr_empty: chunks without allocations and without a refill in progress
 * @stats: statistics, written under @lock, read with READ_ONCE()
 * @users: per-user live allocations, like @stats
 */
struct textpool_node {
	struct mutex lock;	/* see "Locking" at the top of the file */
	struct mutex grow_lock;	/* see "Locking" at the top of the file */
	int nid;
	struct rb_root clean_root;
	struct rb_root free_root;
	struct rb_root dirty_root;
	unsigned long dirty_bytes;
	unsigned int dirty_frees;
	unsigned long cursor;
	unsigned long grow_fail_until;
	unsigned int shrunk;
	struct list_head chunks;
	unsigned int nr_empty;
	struct textpool_stats stats;
	struct textpool_user_count users[TEXTPOOL_NR_USERS];
};

/* Update a statistic, under node->lock, for lockless readers. */
static inline void textpool_stat_inc(unsigned long *stat, long delta)
{
	WRITE_ONCE(*stat, *stat + delta);
}

#define textpool_stat_add(node, field, delta)				\
	textpool_stat_inc(&(node)->stats.field, delta)

static struct textpool_node *textpool_nodes[MAX_NUMNODES] __read_mostly;
static struct kmem_cache *textpool_extent_cache __read_mostly;
static bool textpool_ready __read_mostly;
static bool textpool_on __read_mostly = true;
static unsigned int textpool_reserve __read_mostly = 1;
static unsigned int textpool_max __read_mostly;
static unsigned int textpool_max_total __read_mostly = TEXTPOOL_MAX_CHUNKS / 2;
static atomic_t textpool_nr_chunks;
static atomic_t textpool_nr_made;	/* since boot, for the tests */
/* [textpool_lo, textpool_hi): where chunks go; textpool_base: see top. */
static unsigned long textpool_lo __ro_after_init;
static unsigned long textpool_hi __ro_after_init;
static unsigned long textpool_base __ro_after_init;
static bool textpool_randomize __ro_after_init;
static DECLARE_BITMAP(textpool_present, TEXTPOOL_MAX_CHUNKS);
static atomic_long_t textpool_bad_frees;
static atomic_long_t textpool_flush_started;
/* Refills, their extents and the time spent writing them, for the bench. */
static atomic_long_t textpool_refills, textpool_refill_extents;
static atomic64_t textpool_refill_ns;
/*
 * Fault injection (CONFIG_FAULT_INJECTION): fail_textpool= on the command
 * line or debugfs fail_textpool/, the kernel's fault_attr, and a mask of
 * the steps it may fail (fail_textpool/steps, enum textpool_fail_step).
 */
static DECLARE_FAULT_ATTR(textpool_fail_attr);
static u32 textpool_fail_steps = TEXTPOOL_FAIL_ALL;

/* Does fault injection fail this @step now? */
static bool textpool_should_fail(enum textpool_fail_step step)
{
	if (!(READ_ONCE(textpool_fail_steps) & BIT(step)))
		return false;
	return should_fail(&textpool_fail_attr, 1);
}

/* fail_textpool=<interval>,<probability>,<space>,<times> */
static int __init textpool_fail_setup(char *str)
{
	/* setup_fault_attr() returns 1 on success, as __setup() wants. */
	return setup_fault_attr(&textpool_fail_attr, str) ? 0 : -EINVAL;
}
early_param("fail_textpool", textpool_fail_setup);

/* Test hook: the next N ranges of refills and writes report a failure. */
static atomic_t textpool_arch_fail_next;
/* Test hook: chunk creation signals the first and waits for the second. */
static struct completion *textpool_grow_started, *textpool_grow_resume;

/* The ranges and extents of one refill batch, protected by text_mutex. */
static struct textpool_range textpool_refill_ranges[TEXTPOOL_REFILL_RANGES];
static struct textpool_extent *textpool_refill_extents_batch[TEXTPOOL_REFILL_RANGES];

static void textpool_refill_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(textpool_refill_work, textpool_refill_workfn);
static void textpool_reserve_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(textpool_reserve_work, textpool_reserve_workfn);
static struct shrinker *textpool_shrinker;

/* Allocations served by execmem, by address. */
static DEFINE_MUTEX(textpool_fallback_lock);
static struct rb_root textpool_fallbacks = RB_ROOT;

static const char * const textpool_user_names[TEXTPOOL_NR_USERS] = {
	[TEXTPOOL_BPF]		= "bpf",
	[TEXTPOOL_FTRACE]	= "ftrace",
	[TEXTPOOL_KPROBES]	= "kprobes",
	[TEXTPOOL_MODULES]	= "modules",
	[TEXTPOOL_OTHER]	= "other",
};

static const char * const textpool_fallback_names[TEXTPOOL_FB_NR] = {
	[TEXTPOOL_FB_LARGE]	= "large",
	[TEXTPOOL_FB_DISABLED]	= "disabled",
	[TEXTPOOL_FB_EARLY]	= "early",
	[TEXTPOOL_FB_LIMIT]	= "limit",
	[TEXTPOOL_FB_NOMEM]	= "nomem",
};

static const enum execmem_type textpool_execmem_types[TEXTPOOL_NR_USERS] = {
	[TEXTPOOL_BPF]		= EXECMEM_BPF,
	[TEXTPOOL_FTRACE]	= EXECMEM_FTRACE,
	[TEXTPOOL_KPROBES]	= EXECMEM_KPROBES,
	[TEXTPOOL_MODULES]	= EXECMEM_MODULE_TEXT,
	[TEXTPOOL_OTHER]	= EXECMEM_DEFAULT,
};

/* textpool=on|off; anything else is reported and changes nothing. */
static int __init textpool_setup(char *str)
{
	if (str && !strcmp(str, "off"))
		textpool_on = false;
	else if (str && !strcmp(str, "on"))
		textpool_on = true;
	else
		pr_warn("ignoring textpool=%s (expected on or off), textpool stays %s\n",
			str ?: "", textpool_on ? "on" : "off");
	return 0;
}
early_param("textpool", textpool_setup);

/* ---- Free-extent trees --------------------------------------------------- */

static inline unsigned long textpool_extent_size(struct textpool_extent *e)
{
	return e->size;
}

RB_DECLARE_CALLBACKS_MAX(static, textpool_extent_cb, struct textpool_extent,
			 rb, unsigned long, subtree_max, textpool_extent_size)

static inline struct textpool_extent *textpool_rb_extent(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct textpool_extent, rb) : NULL;
}

static inline unsigned long textpool_subtree_max(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct textpool_extent, rb)->subtree_max : 0;
}

/* The free extent of lowest address that has at least @size bytes. */
static struct textpool_extent *textpool_lowest_fit(struct rb_root *root,
						   unsigned long size)
{
	struct rb_node *rb = root->rb_node;

	while (rb) {
		struct textpool_extent *e = textpool_rb_extent(rb);

		if (textpool_subtree_max(rb->rb_left) >= size)
			rb = rb->rb_left;
		else if (e->size >= size)
			return e;
		else if (textpool_subtree_max(rb->rb_right) >= size)
			rb = rb->rb_right;
		else
			return NULL;
	}
	return NULL;
}

/*
 * The extent of lowest address at or above @from that has at least @size
 * bytes.  A subtree all at or above @from is searched by
 * textpool_lowest_fit()'s rule, so this costs O(log^2 n) at most.
 */
static struct textpool_extent *textpool_fit_from(struct rb_node *rb,
						 unsigned long size,
						 unsigned long from)
{
	struct textpool_extent *e, *found;

	while (rb && textpool_subtree_max(rb) >= size) {
		e = textpool_rb_extent(rb);
		if (e->start < from) {
			rb = rb->rb_right;
			continue;
		}
		found = textpool_fit_from(rb->rb_left, size, from);
		if (found)
			return found;
		if (e->size >= size)
			return e;
		rb = rb->rb_right;
	}
	return NULL;
}

/* Where an allocation of @size goes in @root: at the cursor or above. */
static struct textpool_extent *textpool_find_fit(struct textpool_node *node,
						 struct rb_root *root,
						 unsigned long size)
{
	struct textpool_extent *e = NULL;

	if (node->cursor)
		e = textpool_fit_from(root->rb_node, size, node->cursor);
	return e ?: textpool_lowest_fit(root, size);
}

/* The extent of lowest address at or above @addr. */
static struct textpool_extent *textpool_extent_ge(struct rb_root *root,
						  unsigned long addr)
{
	struct rb_node *rb = root->rb_node;
	struct textpool_extent *best = NULL;

	while (rb) {
		struct textpool_extent *e = textpool_rb_extent(rb);

		if (e->start >= addr) {
			best = e;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

static void textpool_extent_link(struct rb_root *root,
				 struct textpool_extent *new)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	new->subtree_max = new->size;
	while (*link) {
		struct textpool_extent *e = textpool_rb_extent(*link);

		/* Keep the cached maxima on the way down up to date. */
		if (e->subtree_max < new->size)
			e->subtree_max = new->size;
		parent = *link;
		link = new->start < e->start ? &parent->rb_left :
					       &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, link);
	rb_insert_augmented(&new->rb, root, &textpool_extent_cb);
}

static void textpool_extent_unlink(struct rb_root *root,
				   struct textpool_extent *e)
{
	rb_erase_augmented(&e->rb, root, &textpool_extent_cb);
}

static void textpool_extent_erase(struct rb_root *root,
				  struct textpool_extent *e)
{
	textpool_extent_unlink(root, e);
	kmem_cache_free(textpool_extent_cache, e);
}

/*
 * Put [@addr, @addr + @size) of @chunk, which last held code at flush
 * sequence @seq, into @root, merging it with the extents of the same chunk
 * on either side (the merged extent keeps the newest @seq).  @spare, or a
 * new extent if @spare is NULL, is used if no merge is possible; @spare is
 * freed otherwise.
 */
static void textpool_extent_insert(struct rb_root *root,
				   struct textpool_chunk *chunk,
				   unsigned long addr, unsigned long size,
				   unsigned long seq,
				   struct textpool_extent *spare)
{
	struct textpool_extent *next, *prev;

	next = textpool_extent_ge(root, addr);
	prev = textpool_rb_extent(next ? rb_prev(&next->rb) : rb_last(root));
	if (next && (next->chunk != chunk || next->start != addr + size ||
		     next->start == chunk->split))
		next = NULL;
	if (prev && (prev->chunk != chunk || prev->start + prev->size != addr ||
		     addr == chunk->split))
		prev = NULL;

	if (prev && next) {
		size += next->size;
		seq = max(seq, next->seq);
		textpool_extent_erase(root, next);
		prev->size += size;
		prev->seq = max(prev->seq, seq);
		textpool_extent_cb_propagate(&prev->rb, NULL);
	} else if (prev) {
		prev->size += size;
		prev->seq = max(prev->seq, seq);
		textpool_extent_cb_propagate(&prev->rb, NULL);
	} else if (next) {
		next->start = addr;
		next->size += size;
		next->seq = max(next->seq, seq);
		textpool_extent_cb_propagate(&next->rb, NULL);
	} else {
		if (!spare)
			spare = kmem_cache_alloc(textpool_extent_cache,
						 GFP_KERNEL | __GFP_NOFAIL);
		spare->start = addr;
		spare->size = size;
		spare->seq = seq;
		spare->chunk = chunk;
		textpool_extent_link(root, spare);
		spare = NULL;
	}
	if (spare)
		kmem_cache_free(textpool_extent_cache, spare);
}

/* Keep the node's largest_free statistic up to date.  node->lock held. */
static void textpool_node_update_largest(struct textpool_node *node)
{
	unsigned long largest;

	largest = max3(textpool_subtree_max(node->clean_root.rb_node),
		       textpool_subtree_max(node->free_root.rb_node),
		       textpool_subtree_max(node->dirty_root.rb_node));
	WRITE_ONCE(node->stats.largest_free, largest);
}

static void textpool_node_unlock(struct textpool_node *node)
{
	textpool_node_update_largest(node);
	mutex_unlock(&node->lock);
}

/* ---- Slot metadata ------------------------------------------------------- */

static inline unsigned int textpool_meta_get(struct textpool_chunk *chunk,
					     unsigned int slot)
{
	return chunk->meta[slot] | (test_bit(slot, chunk->meta_hi) << 8);
}

static inline void textpool_meta_set(struct textpool_chunk *chunk,
				     unsigned int slot, unsigned int val)
{
	chunk->meta[slot] = val & 0xff;
	if (val >> 8)
		__set_bit(slot, chunk->meta_hi);
	else
		__clear_bit(slot, chunk->meta_hi);
}

static inline unsigned int textpool_meta_pack(enum textpool_user user,
					      size_t size)
{
	return 1 + (user << TEXTPOOL_META_TAIL_BITS |
		    ((size - 1) & TEXTPOOL_META_TAIL_MASK));
}

static inline enum textpool_user textpool_meta_user(unsigned int val)
{
	return (val - 1) >> TEXTPOOL_META_TAIL_BITS;
}

static inline unsigned int textpool_meta_tail(unsigned int val)
{
	return ((val - 1) & TEXTPOOL_META_TAIL_MASK) + 1;
}

/* The next first slot of an allocation in [@from, @to), or @to. */
static unsigned int textpool_next_first(struct textpool_chunk *chunk,
					unsigned int from, unsigned int to)
{
	const u8 *p;
	unsigned int hi;

	if (from >= to)
		return to;
	p = memchr_inv(chunk->meta + from, 0, to - from);
	hi = find_next_bit(chunk->meta_hi, to, from);
	return min_t(unsigned int, p ? p - chunk->meta : to, hi);
}

/* End (exclusive slot index) of the allocation that starts at @first. */
static unsigned int textpool_alloc_end(struct textpool_chunk *chunk,
				       unsigned int first)
{
	unsigned int hole;

	hole = find_next_zero_bit(chunk->alloc_map, TEXTPOOL_SLOTS, first + 1);
	return textpool_next_first(chunk, first + 1, hole);
}

/* First slot of the live allocation that contains @slot, or -1. */
static int textpool_alloc_first(struct textpool_chunk *chunk,
				unsigned int slot)
{
	int i;

	for (i = slot; i >= 0 && test_bit(i, chunk->alloc_map); i--)
		if (textpool_meta_get(chunk, i))
			return i;
	return -1;
}

/* Bytes of metadata a chunk costs (struct, map and meta allocations). */
static size_t textpool_chunk_meta_size(void)
{
	return kmalloc_size_roundup(sizeof(struct textpool_chunk)) +
	       kmalloc_size_roundup(2 * TEXTPOOL_MAP_LONGS * sizeof(long)) +
	       kmalloc_size_roundup(TEXTPOOL_SLOTS);
}

/* ---- Chunks -------------------------------------------------------------- */

static inline unsigned long textpool_va_index(unsigned long addr)
{
	return (addr - TEXTPOOL_VA_START) >> TEXTPOOL_CHUNK_SHIFT;
}

static void textpool_chunk_free_meta(struct textpool_chunk *chunk)
{
	kvfree(chunk->meta);
	kvfree(chunk->alloc_map);
	kfree(chunk);
}

static void textpool_chunk_destroy(struct textpool_chunk *chunk)
{
	void *addr = (void *)chunk->start;

	/*
	 * Restore the permissions of the mapping and of the direct map for
	 * the whole chunk (this flushes the TLBs, so no executable
	 * translation survives), then give the page back.  If that fails,
	 * leak the chunk rather than free a read-only page.
	 */
	if (WARN_ON_ONCE(arch_textpool_unprotect(addr, TEXTPOOL_CHUNK_SIZE)))
		return;
	chunk->vm->flags &= ~VM_TEXTPOOL;
	WRITE_ONCE(chunk->vm->textpool, NULL);
	vunmap(addr);
	__free_pages(chunk->page, TEXTPOOL_CHUNK_ORDER);
	atomic_dec(&textpool_nr_chunks);
	textpool_chunk_free_meta(chunk);
}

/* Drop a reference to a chunk; the last one releases it. */
static void textpool_chunk_put(struct textpool_chunk *chunk)
{
	if (refcount_dec_and_test(&chunk->vm->textpool_refs))
		textpool_chunk_destroy(chunk);
}

/*
 * The chunk that contains @addr, or NULL.  The chunk is looked up by its
 * start, which is the start of its vmap_area: the first vmap node probed
 * holds it.
 */
static struct textpool_chunk *textpool_find_chunk(const void *addr)
{
	unsigned long start = ALIGN_DOWN((unsigned long)addr,
					 TEXTPOOL_CHUNK_SIZE);
	struct textpool_area *area;
	struct vm_struct *vm;

	if (!textpool_contains(addr))
		return NULL;
	vm = find_vm_area((void *)start);
	if (!vm || !(vm->flags & VM_TEXTPOOL) || vm->addr != (void *)start)
		return NULL;
	area = READ_ONCE(vm->textpool);
	return area ? container_of(area, struct textpool_chunk, area) : NULL;
}

/* Reserve room for one more chunk under max_total_chunks. */
static bool textpool_chunk_budget(void)
{
	unsigned int max = READ_ONCE(textpool_max_total);

	if (atomic_inc_return(&textpool_nr_chunks) <= max)
		return true;
	atomic_dec(&textpool_nr_chunks);
	return false;
}

/*
 * A 2 MiB page of the node.  One round of compaction at most
 * (__GFP_NORETRY), and none at all for TEXTPOOL_GROW_BACKOFF after a
 * failure: then only the free lists are looked at (kswapd and kcompactd
 * are still woken up).
 */
static struct page *textpool_chunk_page(struct textpool_node *node,
					bool reclaim)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY | __GFP_NOWARN;
	struct page *page;

	if (!reclaim || time_before(jiffies, READ_ONCE(node->grow_fail_until)))
		gfp &= ~__GFP_DIRECT_RECLAIM;
	if (node_state(node->nid, N_MEMORY) &&
	    !textpool_should_fail(TEXTPOOL_FAIL_PAGE))
		page = alloc_pages_node(node->nid, gfp, TEXTPOOL_CHUNK_ORDER);
	else
		page = NULL;
	if (!page)
		WRITE_ONCE(node->grow_fail_until,
			   jiffies + TEXTPOOL_GROW_BACKOFF);
	return page;
}

/* A 2 MiB-aligned vmap area for a chunk: at or above the base, or below. */
static struct vm_struct *textpool_chunk_area(int nid)
{
	const void *caller = __builtin_return_address(0);
	unsigned long flags = VM_TEXTPOOL | VM_NO_GUARD;
	struct vm_struct *vm;

	/* A full range is a fallback cause, counted, not worth a warning. */
	vm = __get_vm_area_node(TEXTPOOL_CHUNK_SIZE, TEXTPOOL_CHUNK_SIZE,
				TEXTPOOL_CHUNK_SHIFT, flags, textpool_base,
				textpool_hi, nid, GFP_KERNEL | __GFP_NOWARN,
				caller);
	if (!vm && textpool_base > textpool_lo)
		vm = __get_vm_area_node(TEXTPOOL_CHUNK_SIZE,
					TEXTPOOL_CHUNK_SIZE,
					TEXTPOOL_CHUNK_SHIFT, flags,
					textpool_lo, textpool_hi, nid,
					GFP_KERNEL | __GFP_NOWARN, caller);
	return vm;
}

/* A chunk could not be made: no 2 MiB page, or a step of making it failed. */
static void textpool_count_grow_failure(struct textpool_node *node)
{
	mutex_lock(&node->lock);
	textpool_stat_add(node, grow_failures, 1);
	mutex_unlock(&node->lock);
}

/* Map the 2 MiB @page at @addr with one PMD (or PTEs without PSE). */
static int textpool_chunk_map(void *addr, struct page *page)
{
	unsigned int nr = 1U << TEXTPOOL_CHUNK_ORDER, i;
	struct page **pages;
	int err;

	/* Only pages[0] is mapped, but KMSAN looks at every entry. */
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		pages[i] = nth_page(page, i);
	err = vmap_pages_range_noflush((unsigned long)addr,
				       (unsigned long)addr + TEXTPOOL_CHUNK_SIZE,
				       PAGE_KERNEL, pages, TEXTPOOL_CHUNK_SHIFT);
	kvfree(pages);
	if (!err)
		flush_cache_vmap((unsigned long)addr,
				 (unsigned long)addr + TEXTPOOL_CHUNK_SIZE);
	return err;
}

/*
 * Make a new chunk for @node: a 2 MiB page, mapped, filled with INT3 and
 * protected.  Called with node->grow_lock held and node->lock not held:
 * nothing here is done under node->lock.  Without @reclaim, the 2 MiB page
 * must be free already.  Returns NULL and sets @cause if no chunk could be
 * made.
 */
static struct textpool_chunk *
textpool_chunk_create(struct textpool_node *node,
		      enum textpool_fallback_cause *cause, bool reclaim)
{
	int nid = node->nid;
	struct textpool_chunk *chunk;
	struct vm_struct *vm;
	struct page *page;
	void *addr;

	lockdep_assert_held(&node->grow_lock);
	*cause = TEXTPOOL_FB_LIMIT;
	if (!textpool_chunk_budget())
		return NULL;
	*cause = TEXTPOOL_FB_NOMEM;
	if (textpool_should_fail(TEXTPOOL_FAIL_META))
		goto unbudget;
	chunk = kzalloc_node(sizeof(*chunk), GFP_KERNEL, nid);
	if (!chunk)
		goto unbudget;
	chunk->alloc_map = kvzalloc_node(2 * TEXTPOOL_MAP_LONGS * sizeof(long),
					 GFP_KERNEL, nid);
	chunk->meta = kvzalloc_node(TEXTPOOL_SLOTS, GFP_KERNEL, nid);
	if (!chunk->alloc_map || !chunk->meta)
		goto free_meta;
	chunk->meta_hi = chunk->alloc_map + TEXTPOOL_MAP_LONGS;

	page = textpool_chunk_page(node, reclaim);
	if (page && unlikely(READ_ONCE(textpool_grow_started))) {
		struct completion *started = READ_ONCE(textpool_grow_started);
		struct completion *resume = READ_ONCE(textpool_grow_resume);

		if (started && resume) {
			complete(started);
			wait_for_completion(resume);
		}
	}
	if (!page)
		goto free_meta;
	vm = textpool_chunk_area(nid);
	if (!vm)
		goto free_page;
	addr = vm->addr;
	if (textpool_chunk_map(addr, page))
		goto free_area;
	arch_textpool_fill_new(addr, TEXTPOOL_CHUNK_SIZE);
	if (textpool_should_fail(TEXTPOOL_FAIL_PROTECT) ||
	    arch_textpool_protect(addr, TEXTPOOL_CHUNK_SIZE)) {
		if (WARN_ON_ONCE(arch_textpool_unprotect(addr,
							 TEXTPOOL_CHUNK_SIZE))) {
			/* Leak page and area (and budget), not RO pages. */
			textpool_chunk_free_meta(chunk);
			textpool_count_grow_failure(node);
			return NULL;
		}
		goto free_area;
	}

	chunk->area.nid = nid;
	chunk->start = (unsigned long)addr;
	chunk->vm = vm;
	chunk->page = page;
	chunk->node = node;
	chunk->huge = arch_vmap_pmd_supported(PAGE_KERNEL);
	refcount_set(&vm->textpool_refs, 1);	/* the pool's reference */
	WRITE_ONCE(vm->textpool, &chunk->area);
	atomic_inc(&textpool_nr_made);
	return chunk;

free_area:
	vunmap(addr);
free_page:
	__free_pages(page, TEXTPOOL_CHUNK_ORDER);
free_meta:
	textpool_chunk_free_meta(chunk);
unbudget:
	atomic_dec(&textpool_nr_chunks);
	textpool_count_grow_failure(node);
	return NULL;
}

/*
 * Put a new chunk into @node's pool, its space into free_root (its
 * addresses may have held code: stale).  The first chunk of a node under
 * KASLR is split at a random slot, the node's cursor.  node->lock held.
 */
static void textpool_chunk_link(struct textpool_node *node,
				struct textpool_chunk *chunk)
{
	unsigned long seq = atomic_long_read(&textpool_flush_started);
	unsigned long split = 0;

	lockdep_assert_held(&node->lock);
	if (!node->cursor) {
		if (textpool_randomize)
			split = (unsigned long)get_random_u32_below(TEXTPOOL_SLOTS)
				<< TEXTPOOL_SLOT_SHIFT;
		node->cursor = chunk->start + split;
	}
	if (split) {
		/* Two extents, never merged: allocation starts at the cursor. */
		struct textpool_extent *e;

		chunk->split = node->cursor;
		e = kmem_cache_alloc(textpool_extent_cache,
				     GFP_KERNEL | __GFP_NOFAIL);
		e->start = chunk->start;
		e->size = split;
		e->seq = seq;
		e->chunk = chunk;
		textpool_extent_link(&node->free_root, e);
		e = kmem_cache_alloc(textpool_extent_cache,
				     GFP_KERNEL | __GFP_NOFAIL);
		e->start = chunk->start + split;
		e->size = TEXTPOOL_CHUNK_SIZE - split;
		e->seq = seq;
		e->chunk = chunk;
		textpool_extent_link(&node->free_root, e);
	} else {
		textpool_extent_insert(&node->free_root, chunk, chunk->start,
				       TEXTPOOL_CHUNK_SIZE, seq, NULL);
	}
	list_add_tail(&chunk->list, &node->chunks);
	node->nr_empty++;
	textpool_stat_add(node, chunks, 1);
	textpool_stat_add(node, free_bytes, TEXTPOOL_CHUNK_SIZE);
	set_bit(textpool_va_index(chunk->start), textpool_present);
	trace_textpool_chunk_map(chunk->start, node->nid, node->stats.chunks);
}

/* Bytes of the extents of @chunk in @root; erase them if @erase. */
static unsigned long textpool_chunk_extents(struct rb_root *root,
					    struct textpool_chunk *chunk,
					    bool erase)
{
	struct textpool_extent *e, *next;
	unsigned long bytes = 0;

	for (e = textpool_extent_ge(root, chunk->start); e && e->chunk == chunk;
	     e = next) {
		next = textpool_rb_extent(rb_next(&e->rb));
		bytes += e->size;
		if (erase)
			textpool_extent_erase(root, e);
	}
	return bytes;
}

/*
 * Take an empty chunk out of its pool, with the freed space that still
 * waits for a refill: its page goes back to the page allocator.  Called
 * with node->lock held; the caller drops the pool's reference once the
 * lock is released.
 */
static void textpool_chunk_unlink(struct textpool_node *node,
				  struct textpool_chunk *chunk,
				  struct list_head *release)
{
	lockdep_assert_held(&node->lock);
	if (WARN_ON_ONCE(textpool_chunk_extents(&node->free_root, chunk,
						false) +
			 textpool_chunk_extents(&node->clean_root, chunk,
						false) +
			 chunk->dirty_bytes != TEXTPOOL_CHUNK_SIZE))
		return;
	textpool_chunk_extents(&node->free_root, chunk, true);
	textpool_chunk_extents(&node->clean_root, chunk, true);
	textpool_chunk_extents(&node->dirty_root, chunk, true);
	node->dirty_bytes -= chunk->dirty_bytes;
	chunk->dirty_bytes = 0;
	if (RB_EMPTY_ROOT(&node->dirty_root))
		node->dirty_frees = 0;
	clear_bit(textpool_va_index(chunk->start), textpool_present);
	list_move(&chunk->list, release);
	node->nr_empty--;
	textpool_stat_add(node, chunks, -1);
	textpool_stat_add(node, free_bytes, -(long)TEXTPOOL_CHUNK_SIZE);
	trace_textpool_chunk_unmap(chunk->start, node->nid, node->stats.chunks);
}

/* No allocation, and no refill in progress: the chunk may be given back. */
static inline bool textpool_chunk_empty(struct textpool_chunk *chunk)
{
	return !chunk->nr_allocs && !chunk->refill_bytes;
}

/* Is @node at max_chunks (0: no bound)? */
static bool textpool_node_at_max(struct textpool_node *node)
{
	unsigned int max = READ_ONCE(textpool_max);

	return max && READ_ONCE(node->stats.chunks) >= max;
}

/*
 * Give back empty chunks while the node keeps more than reserve_chunks of
 * them or has more than max_chunks chunks.  Called with node->lock held.
 */
static void textpool_node_trim(struct textpool_node *node,
			       struct list_head *release)
{
	unsigned int reserve = READ_ONCE(textpool_reserve);
	unsigned int max = READ_ONCE(textpool_max);
	struct textpool_chunk *chunk, *tmp;

	list_for_each_entry_safe_reverse(chunk, tmp, &node->chunks, list) {
		if (node->nr_empty <= reserve &&
		    (!max || node->stats.chunks <= max))
			break;
		if (textpool_chunk_empty(chunk))
			textpool_chunk_unlink(node, chunk, release);
	}
}

static void textpool_release_chunks(struct list_head *release)
{
	struct textpool_chunk *chunk, *tmp;

	list_for_each_entry_safe(chunk, tmp, release, list) {
		list_del(&chunk->list);
		textpool_chunk_put(chunk);
	}
}

/* ---- Helpers ------------------------------------------------------------- */

static inline bool textpool_is_ready(void)
{
	/* Pairs with textpool_init(): ready means the pools are seen too. */
	return smp_load_acquire(&textpool_ready);
}

static int textpool_nid(int nid)
{
	if (nid == NUMA_NO_NODE)
		return numa_mem_id();
	if (WARN_ON_ONCE(nid < 0 || nid >= nr_node_ids || !node_possible(nid)))
		return numa_mem_id();
	return nid;
}

static void textpool_user_account(struct textpool_node *node,
				  enum textpool_user user, long allocs,
				  long bytes)
{
	struct textpool_user_count *u = &node->users[user];

	WRITE_ONCE(u->allocations, u->allocations + allocs);
	WRITE_ONCE(u->allocated_bytes, u->allocated_bytes + bytes);
}

/* A test hook: does the next write or refill range fail? */
static bool textpool_arch_should_fail(void)
{
	return atomic_add_unless(&textpool_arch_fail_next, -1, 0);
}

/* Count a rejected free or write on @nid's pool and warn, once. */
static void textpool_reject(int nid, const void *addr, bool wrong_user,
			    const char *what)
{
	struct textpool_node *node = textpool_is_ready() ?
				     textpool_nodes[textpool_nid(nid)] : NULL;

	atomic_long_inc(&textpool_bad_frees);
	if (node) {
		mutex_lock(&node->lock);
		if (wrong_user)
			textpool_stat_add(node, wrong_user, 1);
		else
			textpool_stat_add(node, bad_frees, 1);
		mutex_unlock(&node->lock);
	}
	WARN_ONCE(1, "textpool: %s of %p\n", what, addr);
}

/* ---- Fallback path ------------------------------------------------------- */

static int textpool_fallback_cmp(const void *key, const struct rb_node *rb)
{
	unsigned long addr = (unsigned long)key;
	const struct textpool_fallback *fb =
		rb_entry(rb, struct textpool_fallback, rb);

	if (addr < (unsigned long)fb->addr)
		return -1;
	if (addr >= fb->end)
		return 1;
	return 0;
}

static bool textpool_fallback_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct textpool_fallback, rb)->addr <
	       rb_entry(b, struct textpool_fallback, rb)->addr;
}

/* The fallback allocation that contains @addr.  textpool_fallback_lock. */
static struct textpool_fallback *textpool_fallback_find(const void *addr)
{
	struct rb_node *rb;

	lockdep_assert_held(&textpool_fallback_lock);
	rb = rb_find(addr, &textpool_fallbacks, textpool_fallback_cmp);
	return rb ? rb_entry(rb, struct textpool_fallback, rb) : NULL;
}

static void textpool_fallback_put(struct textpool_fallback *fb)
{
	if (!refcount_dec_and_test(&fb->refs))
		return;
	/* execmem memory is VM_FLUSH_RESET_PERMS: vfree() resets it. */
	execmem_free(fb->addr);
	kfree(fb);
}

/* An allocation the pools could not serve, for @cause: node->lock held. */
static void textpool_count_fallback(struct textpool_node *node,
				    enum textpool_fallback_cause cause)
{
	lockdep_assert_held(&node->lock);
	textpool_stat_add(node, fallback_allocs, 1);
	textpool_stat_add(node, fallback_causes[cause], 1);
}

static void *textpool_alloc_fallback(size_t size, int nid,
				     enum textpool_user user,
				     enum textpool_fallback_cause cause)
{
	struct textpool_node *node = textpool_is_ready() ?
				     textpool_nodes[nid] : NULL;
	unsigned long rounded = round_up(size, TEXTPOOL_SLOT_SIZE);
	struct textpool_fallback *fb;
	struct vm_struct *vm;
	void *addr = NULL;

	fb = kzalloc(sizeof(*fb), GFP_KERNEL);
	if (fb && size <= ULONG_MAX - PAGE_SIZE &&
	    !textpool_should_fail(TEXTPOOL_FAIL_FALLBACK))
		addr = execmem_alloc(textpool_execmem_types[user], size);
	if (!addr)
		goto fail;
	trace_textpool_fallback(addr, size, nid, user, cause);
	arch_textpool_fill_new(addr, PAGE_ALIGN(size));
	vm = find_vm_area(addr);
	if (WARN_ON_ONCE(!vm) ||
	    arch_textpool_protect(addr, PAGE_ALIGN(size))) {
		execmem_free(addr);
		goto fail;
	}
	vm->flags |= VM_TEXTPOOL;

	fb->addr = addr;
	fb->end = (unsigned long)addr + PAGE_ALIGN(size);
	fb->user = user;
	fb->nid = nid;
	fb->size = rounded;
	fb->requested = size;
	fb->counted = !!node;
	refcount_set(&fb->refs, 1);	/* the tree's reference */
	mutex_lock(&textpool_fallback_lock);
	rb_add(&fb->rb, &textpool_fallbacks, textpool_fallback_less);
	mutex_unlock(&textpool_fallback_lock);

	if (fb->counted) {
		mutex_lock(&node->lock);
		textpool_stat_add(node, allocations, 1);
		textpool_stat_add(node, allocated_bytes, rounded);
		textpool_stat_add(node, requested_bytes, size);
		textpool_stat_add(node, alloc_total, 1);
		textpool_count_fallback(node, cause);
		textpool_stat_add(node, fallback_allocations, 1);
		textpool_stat_add(node, fallback_allocated_bytes, rounded);
		textpool_user_account(node, user, 1, rounded);
		mutex_unlock(&node->lock);
	}
	return addr;

fail:
	kfree(fb);
	trace_textpool_fallback(NULL, size, nid, user, cause);
	if (node) {
		mutex_lock(&node->lock);
		textpool_stat_add(node, alloc_failures, 1);
		mutex_unlock(&node->lock);
	}
	return NULL;
}

/* Free @addr if it is a fallback allocation; false if it is none. */
static bool textpool_free_fallback(void *addr, enum textpool_user user)
{
	struct textpool_fallback *fb;
	struct textpool_node *node;

	mutex_lock(&textpool_fallback_lock);
	fb = textpool_fallback_find(addr);
	if (!fb) {
		mutex_unlock(&textpool_fallback_lock);
		return false;
	}
	if (fb->addr != addr || fb->user != user) {
		int nid = fb->nid;
		bool inside = fb->addr != addr;

		mutex_unlock(&textpool_fallback_lock);
		textpool_reject(nid, addr, !inside,
				inside ? "free inside an allocation" :
					 "free by another user");
		return true;
	}
	/* Out of the tree under the lock: a second free finds nothing. */
	rb_erase(&fb->rb, &textpool_fallbacks);
	mutex_unlock(&textpool_fallback_lock);

	trace_textpool_free(addr, fb->size, fb->nid, user, true);
	if (fb->counted) {
		node = textpool_nodes[fb->nid];
		mutex_lock(&node->lock);
		textpool_stat_add(node, allocations, -1);
		textpool_stat_add(node, allocated_bytes, -(long)fb->size);
		textpool_stat_add(node, requested_bytes, -(long)fb->requested);
		textpool_stat_add(node, free_total, 1);
		textpool_stat_add(node, fallback_allocations, -1);
		textpool_stat_add(node, fallback_allocated_bytes,
				  -(long)fb->size);
		textpool_user_account(node, fb->user, -1, -(long)fb->size);
		mutex_unlock(&node->lock);
	}
	textpool_fallback_put(fb);
	return true;
}

/* ---- Refill -------------------------------------------------------------- */

/* Change @chunk's bytes being refilled, keeping node->nr_empty right. */
static void textpool_chunk_refilling(struct textpool_node *node,
				     struct textpool_chunk *chunk, long bytes)
{
	bool was_empty = textpool_chunk_empty(chunk);

	chunk->refill_bytes += bytes;
	if (was_empty && !textpool_chunk_empty(chunk))
		node->nr_empty--;
	else if (!was_empty && textpool_chunk_empty(chunk))
		node->nr_empty++;
}

/* Ask the architecture to fill @nr ranges with traps; a test may fail some. */
static void textpool_fill_ranges(struct textpool_range *ranges,
				 unsigned int nr)
{
	unsigned int i;

	arch_textpool_fill_ranges(ranges, nr);
	for (i = 0; i < nr; i++)
		if (textpool_arch_should_fail())
			ranges[i].done = false;
}

/*
 * Refill one batch of @node's dirty extents (at most
 * TEXTPOOL_REFILL_RANGES, lowest addresses first) with INT3 and make the
 * ranges the architecture wrote allocatable again; the others go back to
 * dirty_root.  Chunks this leaves empty beyond the reserve go onto
 * @release, for the caller to release without text_mutex.  Returns the
 * number of ranges that could not be written, and sets @more if dirty
 * extents that were not in this batch remain.
 */
static unsigned int textpool_refill_batch(struct textpool_node *node,
					  struct list_head *release,
					  bool *more)
{
	struct textpool_range *ranges = textpool_refill_ranges;
	struct textpool_extent **batch = textpool_refill_extents_batch;
	struct textpool_extent *e;
	unsigned int i, n = 0, failed = 0;
	unsigned long bytes = 0;
	struct rb_node *rb;
	u64 t0;

	lockdep_assert_held(&text_mutex);

	mutex_lock(&node->lock);
	while (n < TEXTPOOL_REFILL_RANGES &&
	       (rb = rb_first(&node->dirty_root))) {
		e = textpool_rb_extent(rb);
		textpool_extent_unlink(&node->dirty_root, e);
		node->dirty_bytes -= e->size;
		e->chunk->dirty_bytes -= e->size;
		textpool_chunk_refilling(node, e->chunk, e->size);
		batch[n] = e;
		ranges[n].addr = (void *)e->start;
		ranges[n].len = e->size;
		ranges[n].done = false;
		bytes += e->size;
		n++;
	}
	if (RB_EMPTY_ROOT(&node->dirty_root))
		node->dirty_frees = 0;
	textpool_node_unlock(node);
	if (!n) {
		*more = false;
		return 0;
	}

	t0 = ktime_get_ns();
	textpool_fill_ranges(ranges, n);
	atomic_long_inc(&textpool_refills);
	atomic_long_add(n, &textpool_refill_extents);
	atomic64_add(ktime_get_ns() - t0, &textpool_refill_ns);

	mutex_lock(&node->lock);
	for (i = 0; i < n; i++) {
		struct textpool_chunk *chunk = batch[i]->chunk;

		e = batch[i];
		textpool_chunk_refilling(node, chunk, -(long)e->size);
		if (ranges[i].done) {
			textpool_extent_insert(&node->free_root, chunk,
					       e->start, e->size, e->seq, e);
			continue;
		}
		/* Not written: still holds code, stays dirty. */
		failed++;
		chunk->dirty_bytes += e->size;
		node->dirty_bytes += e->size;
		textpool_extent_insert(&node->dirty_root, chunk, e->start,
				       e->size, e->seq, e);
	}
	textpool_node_trim(node, release);
	*more = node->dirty_bytes > 0 && !failed;
	textpool_node_unlock(node);
	trace_textpool_refill(node->nid, n, bytes, failed);
	return failed;
}

/*
 * Refill @node batch after batch, dropping text_mutex and giving up the
 * CPU in between.  With @wait, wait for text_mutex (the caller must not
 * hold it); otherwise stop as soon as it is busy.  Returns false if dirty
 * space remains (text_mutex was busy or a range could not be written).
 */
static bool textpool_refill_node(struct textpool_node *node, bool wait)
{
	unsigned int failed;
	LIST_HEAD(release);
	bool more;

	do {
		if (wait)
			mutex_lock(&text_mutex);
		else if (!mutex_trylock(&text_mutex))
			return false;
		failed = textpool_refill_batch(node, &release, &more);
		mutex_unlock(&text_mutex);
		textpool_release_chunks(&release);
		if (failed) {
			/* Retry later, not in a loop. */
			schedule_delayed_work(&textpool_refill_work,
					      TEXTPOOL_REFILL_RETRY);
			return false;
		}
		if (more)
			cond_resched();
	} while (more);
	return true;
}

static void textpool_refill_workfn(struct work_struct *work)
{
	int nid;

	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (node && READ_ONCE(node->dirty_bytes))
			textpool_refill_node(node, true);
	}
}

/* Refill @node one batch at a time; the caller holds text_mutex. */
static void textpool_refill_node_locked(struct textpool_node *node)
{
	LIST_HEAD(release);
	bool more;

	lockdep_assert_held(&text_mutex);
	do {
		if (textpool_refill_batch(node, &release, &more)) {
			schedule_delayed_work(&textpool_refill_work,
					      TEXTPOOL_REFILL_RETRY);
			break;
		}
		cond_resched();
	} while (more);
	textpool_release_chunks(&release);
}

/* ---- Allocation and free ------------------------------------------------- */

/* Carve @bytes for @user from the front of @e in @root.  node->lock held. */
static void *textpool_take(struct textpool_node *node, struct rb_root *root,
			   struct textpool_extent *e, unsigned long bytes,
			   size_t size, enum textpool_user user)
{
	struct textpool_chunk *chunk = e->chunk;
	unsigned long addr = e->start;
	unsigned int first = (addr - chunk->start) >> TEXTPOOL_SLOT_SHIFT;
	unsigned int nslots = bytes >> TEXTPOOL_SLOT_SHIFT;

	e->start += bytes;
	e->size -= bytes;
	if (e->size)
		textpool_extent_cb_propagate(&e->rb, NULL);
	else
		textpool_extent_erase(root, e);

	bitmap_set(chunk->alloc_map, first, nslots);
	textpool_meta_set(chunk, first, textpool_meta_pack(user, size));
	if (textpool_chunk_empty(chunk))
		node->nr_empty--;
	chunk->nr_allocs++;
	chunk->used_bytes += bytes;
	refcount_inc(&chunk->vm->textpool_refs);

	textpool_stat_add(node, allocations, 1);
	textpool_stat_add(node, allocated_bytes, bytes);
	textpool_stat_add(node, requested_bytes, size);
	textpool_stat_add(node, free_bytes, -(long)bytes);
	textpool_stat_add(node, alloc_total, 1);
	textpool_user_account(node, user, 1, bytes);
	trace_textpool_alloc((void *)addr, size, bytes, node->nid, user);
	return (void *)addr;
}

/* Move all of @node's clean extents to free_root.  node->lock held. */
static void textpool_node_unclean(struct textpool_node *node)
{
	struct textpool_extent *e;
	struct rb_node *rb;

	while ((rb = rb_first(&node->clean_root))) {
		e = textpool_rb_extent(rb);
		textpool_extent_unlink(&node->clean_root, e);
		textpool_extent_insert(&node->free_root, e->chunk, e->start,
				       e->size, e->seq, e);
	}
}

/* How an allocation is asked for. */
struct textpool_request {
	size_t size;			/* bytes asked for */
	unsigned long bytes;		/* rounded to slots */
	enum textpool_user user;
	bool clean;			/* prefers clean space */
	bool stale;			/* out: got stale space */
	bool text_locked;		/* the caller holds text_mutex */
	bool pooled;			/* no execmem fallback: NULL instead */
};

/*
 * Take space from @node's trees: clean space first for a clean request,
 * last otherwise.  Returns NULL if none fits.  node->lock held.
 */
static void *textpool_take_fit(struct textpool_node *node,
			       struct textpool_request *req)
{
	struct rb_root *first, *second;
	struct textpool_extent *e;

	if (req->clean) {
		first = &node->clean_root;
		second = &node->free_root;
	} else {
		first = &node->free_root;
		second = &node->clean_root;
	}
	e = textpool_find_fit(node, first, req->bytes);
	if (e) {
		req->stale = !req->clean;
		return textpool_take(node, first, e, req->bytes, req->size,
				     req->user);
	}
	e = textpool_find_fit(node, second, req->bytes);
	if (e) {
		req->stale = req->clean;
		return textpool_take(node, second, e, req->bytes, req->size,
				     req->user);
	}
	if (!req->clean && !RB_EMPTY_ROOT(&node->clean_root)) {
		/* Clean and stale pieces may fit together. */
		textpool_node_unclean(node);
		e = textpool_find_fit(node, &node->free_root, req->bytes);
		if (e) {
			req->stale = true;
			return textpool_take(node, &node->free_root, e,
					     req->bytes, req->size, req->user);
		}
	}
	return NULL;
}

/*
 * Serve @req from @node's pool: its free space, then its freed space once
 * refilled, then a new chunk of its own.  Returns NULL with @cause set if
 * the node can do none of that.
 */
static void *textpool_alloc_from(struct textpool_node *node,
				 struct textpool_request *req,
				 enum textpool_fallback_cause *cause)
{
	struct textpool_chunk *chunk;
	unsigned int max;
	void *addr;

	mutex_lock(&node->lock);
	addr = textpool_take_fit(node, req);
	if (!addr && node->dirty_bytes) {
		/* Freed space waits for its INT3: refill it if we can. */
		textpool_node_unlock(node);
		if (req->text_locked)
			textpool_refill_node_locked(node);
		else if (!textpool_refill_node(node, false))
			mod_delayed_work(system_wq, &textpool_refill_work, 0);
		mutex_lock(&node->lock);
		addr = textpool_take_fit(node, req);
	}
	textpool_node_unlock(node);
	if (addr)
		return addr;

	/* Grow: one chunk at a time per node, without node->lock. */
	mutex_lock(&node->grow_lock);
	mutex_lock(&node->lock);
	addr = textpool_take_fit(node, req);	/* someone else grew it */
	max = READ_ONCE(textpool_max);
	textpool_node_unlock(node);
	if (addr)
		goto out;
	*cause = TEXTPOOL_FB_LIMIT;
	if (max && READ_ONCE(node->stats.chunks) >= max)
		goto out;
	chunk = textpool_chunk_create(node, cause, true);
	if (!chunk)
		goto out;
	mutex_lock(&node->lock);
	textpool_chunk_link(node, chunk);
	addr = textpool_take_fit(node, req);
	textpool_node_unlock(node);
out:
	mutex_unlock(&node->grow_lock);
	return addr;
}

/* The next node after @prev (NUMA_NO_NODE: none yet) by distance from @nid. */
static int textpool_next_nearest(int nid, int prev)
{
	int n, best = NUMA_NO_NODE, d, best_d = INT_MAX;
	int prev_d = prev == NUMA_NO_NODE ? -1 : node_distance(nid, prev);

	for_each_node_state(n, N_MEMORY) {
		if (n == nid || !textpool_nodes[n])
			continue;
		d = node_distance(nid, n);
		/* Order by (distance, node id), strictly after prev. */
		if (d < prev_d || (d == prev_d && n <= prev))
			continue;
		if (d < best_d || (d == best_d && n < best)) {
			best = n;
			best_d = d;
		}
	}
	return best;
}

/*
 * The pools cannot serve @req, for @cause: the execmem fallback serves it,
 * unless the caller has a fallback of its own (textpool_alloc_pooled()),
 * which gets NULL; the cause is counted either way.
 */
static void *textpool_fallback(struct textpool_request *req, int nid,
			       enum textpool_fallback_cause cause)
{
	struct textpool_node *node;

	if (!req->pooled)
		return textpool_alloc_fallback(req->size, nid, req->user, cause);
	trace_textpool_fallback(NULL, req->size, nid, req->user, cause);
	if (!textpool_is_ready())
		return NULL;
	node = textpool_nodes[nid];
	mutex_lock(&node->lock);
	textpool_count_fallback(node, cause);
	mutex_unlock(&node->lock);
	return NULL;
}

static void *__textpool_alloc(struct textpool_request *req, int nid)
{
	enum textpool_fallback_cause cause = TEXTPOOL_FB_NOMEM, c;
	struct textpool_node *node;
	void *addr;
	int other;

	might_sleep();
	req->stale = true;
	if (!req->size)
		return NULL;
	if (WARN_ON_ONCE((unsigned int)req->user >= TEXTPOOL_NR_USERS))
		req->user = TEXTPOOL_OTHER;
	nid = textpool_nid(nid);
	if (req->size > TEXTPOOL_CHUNK_SIZE)
		cause = TEXTPOOL_FB_LARGE;
	else if (!textpool_is_ready())
		cause = TEXTPOOL_FB_EARLY;
	else if (!READ_ONCE(textpool_on))
		cause = TEXTPOOL_FB_DISABLED;
	if (cause != TEXTPOOL_FB_NOMEM)
		return textpool_fallback(req, nid, cause);

	req->bytes = round_up(req->size, TEXTPOOL_SLOT_SIZE);
	node = textpool_nodes[nid];
	addr = textpool_alloc_from(node, req, &cause);
	if (addr)
		return addr;

	/* The nearest node that has room before the fallback. */
	for (other = textpool_next_nearest(nid, NUMA_NO_NODE);
	     other != NUMA_NO_NODE; other = textpool_next_nearest(nid, other)) {
		c = TEXTPOOL_FB_NOMEM;
		addr = textpool_alloc_from(textpool_nodes[other], req, &c);
		if (addr) {
			mutex_lock(&node->lock);
			textpool_stat_add(node, remote_allocs, 1);
			mutex_unlock(&node->lock);
			return addr;
		}
		if (c == TEXTPOOL_FB_NOMEM)
			cause = c;
	}
	req->stale = true;
	return textpool_fallback(req, nid, cause);
}

/**
 * textpool_alloc_node() - allocate read-only executable memory on a node
 * @size: bytes wanted
 * @nid: NUMA node, or NUMA_NO_NODE for the node of the calling CPU
 * @user: who asks; frees and writes must name the same user
 *
 * Carves @size bytes, rounded up to 64-byte slots, out of a 2 MiB chunk of
 * node @nid's pool, making a new chunk when no chunk has room, or out of
 * the nearest node's pool when @nid can have no new chunk.  Requests larger
 * than a chunk, requests while textpool is disabled and requests no pool
 * can serve are served by execmem_alloc() instead, with the same contract.
 * The memory is filled with INT3 and is read-only and executable: write it
 * with textpool_copy() or textpool_set(), free it with textpool_free().
 *
 * Context: process context, may sleep.  May hold text_mutex: the
 * allocation never waits for it, and makes a new chunk rather than wait
 * for freed space to be refilled (see textpool_alloc_text_locked()).
 * Return: a 64-byte aligned address, or NULL if @size is 0 or no memory
 * could be found.
 */
void *textpool_alloc_node(size_t size, int nid, enum textpool_user user)
{
	struct textpool_request req = { .size = size, .user = user };

	return __textpool_alloc(&req, nid);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_alloc_node);

/**
 * textpool_alloc() - allocate read-only executable memory on the local node
 * @size: bytes wanted
 * @user: who asks; frees and writes must name the same user
 *
 * textpool_alloc_node() on the node of the calling CPU.
 *
 * Context: process context, may sleep.  May hold text_mutex.
 * Return: a 64-byte aligned address filled with INT3, or NULL.
 */
void *textpool_alloc(size_t size, enum textpool_user user)
{
	return textpool_alloc_node(size, NUMA_NO_NODE, user);
}

/**
 * textpool_alloc_text_locked() - allocate with text_mutex held
 * @size: bytes wanted
 * @user: who asks; frees and writes must name the same user
 *
 * textpool_alloc() for callers that hold text_mutex (kprobes): freed space
 * that waits for its INT3 refill is refilled here, under the caller's
 * text_mutex, and reused, instead of a new chunk being made each time.
 *
 * Context: process context, may sleep.  The caller holds text_mutex.
 * Return: a 64-byte aligned address filled with INT3, or NULL.
 */
void *textpool_alloc_text_locked(size_t size, enum textpool_user user)
{
	struct textpool_request req = {
		.size = size, .user = user, .text_locked = true,
	};

	lockdep_assert_held(&text_mutex);
	return __textpool_alloc(&req, NUMA_NO_NODE);
}

/**
 * textpool_alloc_clean() - allocate space no code ran in since the last flush
 * @size: bytes wanted
 * @user: who asks; frees and writes must name the same user
 * @stale: set to false if the space returned held no code since the last
 *	completed textpool_flush_end(), to true otherwise
 *
 * For code that must not inherit branch predictor state from earlier code
 * at the same addresses (classic BPF): prefers space into which no code
 * was freed since the last predictor flush.  When *@stale is true, the
 * caller must flush (textpool_flush_begin(), the flush, then
 * textpool_flush_end()) before the code runs.
 *
 * Context: process context, may sleep.  May hold text_mutex.
 * Return: a 64-byte aligned address filled with INT3, or NULL.
 */
void *textpool_alloc_clean(size_t size, enum textpool_user user, bool *stale)
{
	struct textpool_request req = {
		.size = size, .user = user, .clean = true,
	};
	void *addr = __textpool_alloc(&req, NUMA_NO_NODE);

	*stale = req.stale;
	return addr;
}

/**
 * textpool_alloc_pooled() - allocate from the pools only
 * @size: bytes wanted
 * @user: who asks; frees and writes must name the same user
 * @stale: NULL, or as for textpool_alloc_clean()
 *
 * textpool_alloc(), or textpool_alloc_clean() if @stale is not NULL, for a
 * user with a fallback allocator of its own (BPF's bpf_prog_pack): when the
 * pools cannot serve the request (too large, textpool disabled or not up
 * yet, max_chunks reached, no memory for a chunk), it returns NULL instead
 * of taking a page from execmem.  The cause is counted in the fallback
 * statistics all the same (but not in the live fallback_allocations), so
 * that the admin sees why text left the pools.
 *
 * Context: process context, may sleep.  May hold text_mutex.
 * Return: a 64-byte aligned address filled with INT3, or NULL: the caller
 * falls back.
 */
void *textpool_alloc_pooled(size_t size, enum textpool_user user, bool *stale)
{
	struct textpool_request req = {
		.size = size, .user = user, .clean = !!stale, .pooled = true,
	};
	void *addr = __textpool_alloc(&req, NUMA_NO_NODE);

	if (stale)
		*stale = req.stale;
	return addr;
}

/**
 * textpool_flush_begin() - a predictor flush is about to start
 *
 * Space freed from now on is not covered by the flush.
 *
 * Return: the sequence number to hand to textpool_flush_end().
 */
unsigned long textpool_flush_begin(void)
{
	return atomic_long_inc_return(&textpool_flush_started);
}

/**
 * textpool_flush_end() - a predictor flush is complete
 * @seq: what textpool_flush_begin() returned before the flush
 *
 * Space whose code was freed before the flush began is clean again.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 */
void textpool_flush_end(unsigned long seq)
{
	struct textpool_extent *e, *next;
	int nid;

	if (!textpool_is_ready())
		return;
	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (!node)
			continue;
		mutex_lock(&node->lock);
		for (e = textpool_rb_extent(rb_first(&node->free_root)); e;
		     e = next) {
			next = textpool_rb_extent(rb_next(&e->rb));
			if ((long)(e->seq - seq) >= 0)
				continue;
			textpool_extent_unlink(&node->free_root, e);
			textpool_extent_insert(&node->clean_root, e->chunk,
					       e->start, e->size, e->seq, e);
		}
		textpool_node_unlock(node);
		cond_resched();
	}
}

static void textpool_free_chunk(struct textpool_chunk *chunk, void *addr,
				enum textpool_user user)
{
	struct textpool_node *node = chunk->node;
	unsigned long off = (unsigned long)addr - chunk->start;
	unsigned int first = off >> TEXTPOOL_SLOT_SHIFT;
	unsigned int nslots, meta;
	unsigned long bytes, requested;
	LIST_HEAD(release);
	bool refill, first_dirty;

	if (off & (TEXTPOOL_SLOT_SIZE - 1)) {
		textpool_reject(node->nid, addr, false,
				"free inside an allocation");
		return;
	}

	mutex_lock(&node->lock);
	meta = textpool_meta_get(chunk, first);
	if (!meta || textpool_meta_user(meta) != user) {
		bool inside = test_bit(first, chunk->alloc_map);

		mutex_unlock(&node->lock);
		textpool_reject(node->nid, addr, meta,
				meta ? "free by another user" :
				inside ? "free inside an allocation" :
					 "invalid or double free");
		return;
	}
	/*
	 * Take the allocation out and queue its slots for a refill: they are
	 * free, but not allocatable before they are INT3 again.
	 */
	nslots = textpool_alloc_end(chunk, first) - first;
	bytes = (unsigned long)nslots << TEXTPOOL_SLOT_SHIFT;
	requested = bytes - TEXTPOOL_SLOT_SIZE + textpool_meta_tail(meta);
	bitmap_clear(chunk->alloc_map, first, nslots);
	textpool_meta_set(chunk, first, 0);
	chunk->nr_allocs--;
	chunk->used_bytes -= bytes;
	textpool_stat_add(node, allocations, -1);
	textpool_stat_add(node, allocated_bytes, -(long)bytes);
	textpool_stat_add(node, requested_bytes, -(long)requested);
	textpool_stat_add(node, free_bytes, bytes);
	textpool_stat_add(node, free_total, 1);
	textpool_user_account(node, user, -1, -(long)bytes);
	trace_textpool_free(addr, bytes, node->nid, user, false);
	/* Allocates an extent only if no merge is possible (never fails). */
	textpool_extent_insert(&node->dirty_root, chunk, (unsigned long)addr,
			       bytes, atomic_long_read(&textpool_flush_started),
			       NULL);
	first_dirty = !node->dirty_bytes;
	chunk->dirty_bytes += bytes;
	node->dirty_bytes += bytes;
	node->dirty_frees++;
	if (textpool_chunk_empty(chunk)) {
		node->nr_empty++;
		textpool_node_trim(node, &release);
	}
	refill = node->dirty_frees >= TEXTPOOL_REFILL_FREES ||
		 node->dirty_bytes >= TEXTPOOL_REFILL_BYTES;
	textpool_node_unlock(node);

	textpool_release_chunks(&release);
	textpool_chunk_put(chunk);	/* the allocation's reference */

	/* The first free into clean space schedules the next refill. */
	if (!refill && first_dirty)
		schedule_delayed_work(&textpool_refill_work,
				      TEXTPOOL_REFILL_DELAY);
	else if (refill && !textpool_refill_node(node, false))
		mod_delayed_work(system_wq, &textpool_refill_work, 0);
}

/**
 * textpool_free() - free memory from textpool_alloc()
 * @addr: the address textpool_alloc() returned, or NULL
 * @user: the user that allocated it
 *
 * Gives the allocation back to its chunk (or to execmem for a fallback
 * allocation).  The freed slots are filled with INT3 again before they
 * can be allocated again: in batches, a few milliseconds later at most,
 * or at once when an allocation needs them.  An empty chunk is unmapped
 * when its node already keeps reserve_chunks empty chunks.  Freeing an
 * address that is not a live allocation, freeing twice, or freeing another
 * user's allocation warns once, is counted, and changes nothing.
 *
 * Context: process context, may sleep.  May hold text_mutex: the free
 * never waits for it.
 */
void textpool_free(void *addr, enum textpool_user user)
{
	struct textpool_chunk *chunk;

	if (!addr)
		return;
	might_sleep();
	chunk = textpool_find_chunk(addr);
	if (chunk) {
		textpool_free_chunk(chunk, addr, user);
		return;
	}
	if (!textpool_free_fallback(addr, user))
		textpool_reject(NUMA_NO_NODE, addr, false,
				"free of memory it did not allocate");
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_free);

/*
 * If [@dst, @dst + @len) lies inside one live allocation of @user, take a
 * reference that keeps it mapped while it is written.  Returns 0, -EINVAL
 * (not inside one live allocation) or -EPERM (another user's).
 */
static int textpool_get_range(void *dst, size_t len, enum textpool_user user,
			      struct textpool_chunk **chunkp,
			      struct textpool_fallback **fbp)
{
	struct textpool_chunk *chunk = textpool_find_chunk(dst);
	struct textpool_fallback *fb;
	unsigned long off, end;
	unsigned int meta = 0;
	int first, ret = -EINVAL;

	*chunkp = NULL;
	*fbp = NULL;
	if (!chunk) {
		mutex_lock(&textpool_fallback_lock);
		fb = textpool_fallback_find(dst);
		if (fb) {
			off = (unsigned long)dst - (unsigned long)fb->addr;
			if (fb->user != user) {
				ret = -EPERM;
			} else if (len <= fb->size && off <= fb->size - len) {
				refcount_inc(&fb->refs);
				*fbp = fb;
				ret = 0;
			}
		}
		mutex_unlock(&textpool_fallback_lock);
		goto out;
	}

	off = (unsigned long)dst - chunk->start;
	mutex_lock(&chunk->node->lock);
	first = textpool_alloc_first(chunk, off >> TEXTPOOL_SLOT_SHIFT);
	if (first >= 0) {
		meta = textpool_meta_get(chunk, first);
		end = (unsigned long)textpool_alloc_end(chunk, first) <<
		      TEXTPOOL_SLOT_SHIFT;
		if (textpool_meta_user(meta) != user) {
			ret = -EPERM;
		} else if (len <= end - off) {
			refcount_inc(&chunk->vm->textpool_refs);
			*chunkp = chunk;
			ret = 0;
		}
	}
	mutex_unlock(&chunk->node->lock);
out:
	if (ret == -EPERM)
		textpool_reject(chunk ? chunk->node->nid : NUMA_NO_NODE, dst,
				true, "write by another user");
	return ret;
}

static void textpool_put_range(struct textpool_chunk *chunk,
			       struct textpool_fallback *fb)
{
	if (chunk)
		textpool_chunk_put(chunk);
	if (fb)
		textpool_fallback_put(fb);
}

/**
 * textpool_copy() - write into textpool memory
 * @dst: where to write, inside a live allocation
 * @src: what to write
 * @len: bytes to write
 * @user: the user that allocated it
 *
 * Copies with text_poke: the memory stays read-only and executable.  Not
 * safe against concurrent execution of the bytes written.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0; -EINVAL if [@dst, @dst + @len) is not inside one live
 * allocation, -EPERM if it is another user's (both change nothing), or
 * the architecture's error.
 */
int textpool_copy(void *dst, const void *src, size_t len,
		  enum textpool_user user)
{
	struct textpool_fallback *fb;
	struct textpool_chunk *chunk;
	int ret;

	ret = textpool_get_range(dst, len, user, &chunk, &fb);
	if (ret)
		return ret;
	ret = textpool_arch_should_fail() ? -EFAULT :
	      arch_textpool_copy(dst, src, len);
	textpool_put_range(chunk, fb);
	return ret;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_copy);

/**
 * textpool_set() - memset textpool memory
 * @dst: where to write, inside a live allocation
 * @c: byte value
 * @len: bytes to write
 * @user: the user that allocated it
 *
 * Like textpool_copy(), with one byte value.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0, -EINVAL, -EPERM or the architecture's error, as
 * textpool_copy().
 */
int textpool_set(void *dst, int c, size_t len, enum textpool_user user)
{
	struct textpool_fallback *fb;
	struct textpool_chunk *chunk;
	int ret;

	ret = textpool_get_range(dst, len, user, &chunk, &fb);
	if (ret)
		return ret;
	ret = textpool_arch_should_fail() ? -EFAULT :
	      arch_textpool_set(dst, c, len);
	textpool_put_range(chunk, fb);
	return ret;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_set);

/**
 * textpool_contains() - is this address inside a textpool chunk?
 * @addr: any address
 *
 * Lock-free; may be called from any context, NMI included.  Allocations
 * served by the execmem fallback are not inside a chunk.
 *
 * Return: true if @addr lies in a chunk of one of the pools.
 */
bool textpool_contains(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (a < TEXTPOOL_VA_START || a >= TEXTPOOL_VA_END)
		return false;
	return test_bit(textpool_va_index(a), textpool_present);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_contains);

/* ---- Memory pressure ----------------------------------------------------- */

/*
 * Under memory pressure on a node, the shrinker gives back the node's empty
 * chunks (each a free 2 MiB page); TEXTPOOL_RESERVE_DELAY after the last
 * shrink, the reserve chunks given back are made again if 2 MiB pages can
 * be had without reclaim, else later.
 */
static unsigned long textpool_shrink_count(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	struct textpool_node *node;
	unsigned int empty;

	if (!textpool_is_ready() || sc->nid < 0 || sc->nid >= MAX_NUMNODES)
		return 0;
	node = textpool_nodes[sc->nid];
	empty = node ? READ_ONCE(node->nr_empty) : 0;
	return empty ?: SHRINK_EMPTY;
}

static unsigned long textpool_shrink_scan(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	struct textpool_chunk *chunk, *tmp;
	struct textpool_node *node;
	unsigned long freed = 0;
	LIST_HEAD(release);

	if (!textpool_is_ready() || sc->nid < 0 || sc->nid >= MAX_NUMNODES)
		return SHRINK_STOP;
	node = textpool_nodes[sc->nid];
	/* Reclaim may run under node->lock (an extent allocation): no wait. */
	if (!node || !mutex_trylock(&node->lock))
		return SHRINK_STOP;
	list_for_each_entry_safe_reverse(chunk, tmp, &node->chunks, list) {
		if (freed >= sc->nr_to_scan)
			break;
		if (textpool_chunk_empty(chunk)) {
			textpool_chunk_unlink(node, chunk, &release);
			freed++;
		}
	}
	if (freed) {
		textpool_stat_add(node, shrunk_chunks, freed);
		node->shrunk += freed;
	}
	textpool_node_unlock(node);
	textpool_release_chunks(&release);
	sc->nr_scanned = freed;
	if (!freed)
		return SHRINK_STOP;
	mod_delayed_work(system_wq, &textpool_reserve_work,
			 TEXTPOOL_RESERVE_DELAY);
	return freed;
}

/* Make again the reserve chunks the shrinker gave back, without reclaim. */
static void textpool_reserve_workfn(struct work_struct *work)
{
	enum textpool_fallback_cause cause;
	struct textpool_chunk *chunk;
	bool again = false;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		struct textpool_node *node = textpool_nodes[nid];

		while (node && READ_ONCE(node->shrunk)) {
			mutex_lock(&node->grow_lock);
			mutex_lock(&node->lock);
			if (node->nr_empty >= READ_ONCE(textpool_reserve) ||
			    !READ_ONCE(textpool_on) ||
			    textpool_node_at_max(node))
				node->shrunk = 0;
			mutex_unlock(&node->lock);
			chunk = node->shrunk ?
				textpool_chunk_create(node, &cause, false) :
				NULL;
			if (chunk) {
				mutex_lock(&node->lock);
				textpool_chunk_link(node, chunk);
				node->shrunk--;
				textpool_node_unlock(node);
			}
			mutex_unlock(&node->grow_lock);
			if (!chunk) {
				again = READ_ONCE(node->shrunk);
				break;
			}
		}
	}
	if (again)	/* still short of memory: try later */
		schedule_delayed_work(&textpool_reserve_work,
				      TEXTPOOL_RESERVE_DELAY);
}

/* ---- Administration ------------------------------------------------------ */

/**
 * textpool_enabled() - are new allocations served from the pools?
 *
 * Return: false after textpool=off or textpool_set_enabled(false).
 */
bool textpool_enabled(void)
{
	return READ_ONCE(textpool_on);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_enabled);

/**
 * textpool_set_enabled() - serve new allocations from the pools or not
 * @enabled: false sends every new allocation to the execmem fallback
 *
 * Live allocations stay where they are.
 */
void textpool_set_enabled(bool enabled)
{
	WRITE_ONCE(textpool_on, enabled);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_set_enabled);

/**
 * textpool_reserve_chunks() - empty chunks each node keeps mapped
 *
 * Return: the current setting (default 1).
 */
unsigned int textpool_reserve_chunks(void)
{
	return READ_ONCE(textpool_reserve);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_reserve_chunks);

/* Refill all the nodes and give back the empty chunks beyond the limits. */
static void textpool_trim_all(void)
{
	LIST_HEAD(release);
	int nid;

	if (!textpool_is_ready())
		return;
	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (!node)
			continue;
		textpool_refill_node(node, true);
		mutex_lock(&node->lock);
		textpool_node_trim(node, &release);
		textpool_node_unlock(node);
		textpool_release_chunks(&release);
	}
}

/**
 * textpool_set_reserve_chunks() - set the empty chunks each node keeps
 * @nr: 0..64
 *
 * Empty chunks beyond the new reserve are unmapped at once.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0, or -EINVAL if @nr is out of range.
 */
int textpool_set_reserve_chunks(unsigned int nr)
{
	if (nr > TEXTPOOL_MAX_RESERVE)
		return -EINVAL;
	WRITE_ONCE(textpool_reserve, nr);
	textpool_trim_all();
	return 0;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_set_reserve_chunks);

/**
 * textpool_max_chunks() - chunks a node may have at most
 *
 * Return: the current setting, 0 for no limit.
 */
unsigned int textpool_max_chunks(void)
{
	return READ_ONCE(textpool_max);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_max_chunks);

/**
 * textpool_max_chunks_limit() - the largest possible max_chunks
 *
 * Return: how many chunks the module area can hold.
 */
unsigned int textpool_max_chunks_limit(void)
{
	return TEXTPOOL_MAX_CHUNKS;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_max_chunks_limit);

/**
 * textpool_set_max_chunks() - limit the chunks of each node
 * @nr: 0 (no limit) .. textpool_max_chunks_limit()
 *
 * A node at the limit serves allocations it has no room for from another
 * node or the execmem fallback; its empty chunks beyond the limit are
 * unmapped at once.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0, or -EINVAL if @nr is out of range.
 */
int textpool_set_max_chunks(unsigned int nr)
{
	if (nr > TEXTPOOL_MAX_CHUNKS)
		return -EINVAL;
	WRITE_ONCE(textpool_max, nr);
	textpool_trim_all();
	return 0;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_set_max_chunks);

/**
 * textpool_max_total_chunks() - chunks all the nodes may have together
 *
 * Return: the current setting (default: half of the module area).
 */
unsigned int textpool_max_total_chunks(void)
{
	return READ_ONCE(textpool_max_total);
}

/**
 * textpool_set_max_total_chunks() - limit the chunks of all nodes together
 * @nr: 1 .. textpool_max_chunks_limit()
 *
 * Bounds what the pools take of the module area, whatever the number of
 * nodes and their reserve_chunks, so that module loading always finds room.
 * Chunks beyond a lowered limit stay until they are empty.
 *
 * Return: 0, or -EINVAL if @nr is out of range.
 */
int textpool_set_max_total_chunks(unsigned int nr)
{
	if (!nr || nr > TEXTPOOL_MAX_CHUNKS)
		return -EINVAL;
	WRITE_ONCE(textpool_max_total, nr);
	return 0;
}

/* Lockless: each field is written under node->lock with WRITE_ONCE(). */
static void textpool_add_stats(struct textpool_node *node,
			       struct textpool_stats *sum)
{
	const struct textpool_stats *s = &node->stats;
	int i;

	sum->chunks += READ_ONCE(s->chunks);
	sum->allocations += READ_ONCE(s->allocations);
	sum->allocated_bytes += READ_ONCE(s->allocated_bytes);
	sum->requested_bytes += READ_ONCE(s->requested_bytes);
	sum->free_bytes += READ_ONCE(s->free_bytes);
	sum->largest_free = max(sum->largest_free, READ_ONCE(s->largest_free));
	sum->alloc_total += READ_ONCE(s->alloc_total);
	sum->free_total += READ_ONCE(s->free_total);
	sum->alloc_failures += READ_ONCE(s->alloc_failures);
	sum->fallback_allocs += READ_ONCE(s->fallback_allocs);
	for (i = 0; i < TEXTPOOL_FB_NR; i++)
		sum->fallback_causes[i] += READ_ONCE(s->fallback_causes[i]);
	sum->fallback_allocations += READ_ONCE(s->fallback_allocations);
	sum->fallback_allocated_bytes +=
		READ_ONCE(s->fallback_allocated_bytes);
	sum->remote_allocs += READ_ONCE(s->remote_allocs);
	sum->grow_failures += READ_ONCE(s->grow_failures);
	sum->shrunk_chunks += READ_ONCE(s->shrunk_chunks);
	sum->bad_frees += READ_ONCE(s->bad_frees);
	sum->wrong_user += READ_ONCE(s->wrong_user);
}

/**
 * textpool_get_stats() - statistics of one node's pool or of all of them
 * @nid: a node, or NUMA_NO_NODE for the sum over all nodes
 * @stats: filled in (largest_free is the largest over the nodes summed)
 *
 * Takes no lock: each value is exact, the set of them is a snapshot that
 * allocations and frees running at the same time may make slightly
 * inconsistent.
 */
void textpool_get_stats(int nid, struct textpool_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!textpool_is_ready())
		return;
	if (nid == NUMA_NO_NODE) {
		for_each_node(nid)
			if (textpool_nodes[nid])
				textpool_add_stats(textpool_nodes[nid], stats);
	} else if (nid >= 0 && nid < MAX_NUMNODES && textpool_nodes[nid]) {
		textpool_add_stats(textpool_nodes[nid], stats);
	}
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_get_stats);

/**
 * textpool_get_user_stats() - live allocations of one user
 * @user: the user
 * @stats: filled in
 *
 * Takes no lock, like textpool_get_stats().
 */
void textpool_get_user_stats(enum textpool_user user,
			     struct textpool_user_stats *stats)
{
	int nid;

	memset(stats, 0, sizeof(*stats));
	if ((unsigned int)user >= TEXTPOOL_NR_USERS || !textpool_is_ready())
		return;
	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (!node)
			continue;
		stats->allocations += READ_ONCE(node->users[user].allocations);
		stats->allocated_bytes +=
			READ_ONCE(node->users[user].allocated_bytes);
	}
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_get_user_stats);

/**
 * textpool_user_name() - name of a user
 * @user: the user
 *
 * Return: "bpf", "ftrace", "kprobes", "modules", "other", or "unknown".
 */
const char *textpool_user_name(enum textpool_user user)
{
	if ((unsigned int)user >= TEXTPOOL_NR_USERS)
		return "unknown";
	return textpool_user_names[user];
}

/**
 * textpool_fallback_cause_name() - name of a fallback cause
 * @cause: the cause
 *
 * Return: "large", "disabled", "early", "limit", "nomem", or "unknown".
 */
const char *textpool_fallback_cause_name(enum textpool_fallback_cause cause)
{
	if ((unsigned int)cause >= TEXTPOOL_FB_NR)
		return "unknown";
	return textpool_fallback_names[cause];
}

static unsigned long textpool_chunk_largest(struct rb_root *root,
					    struct textpool_chunk *chunk)
{
	struct textpool_extent *e;
	unsigned long largest = 0;

	for (e = textpool_extent_ge(root, chunk->start);
	     e && e->chunk == chunk; e = textpool_rb_extent(rb_next(&e->rb)))
		largest = max(largest, e->size);
	return largest;
}

static unsigned long textpool_chunk_largest_free(struct textpool_node *node,
						 struct textpool_chunk *chunk)
{
	return max3(textpool_chunk_largest(&node->free_root, chunk),
		    textpool_chunk_largest(&node->clean_root, chunk),
		    textpool_chunk_largest(&node->dirty_root, chunk));
}

/*
 * debugfs textpool/chunks, one record per chunk: the seq_file position is
 * the index of a chunk counted over the nodes in order, so that a record
 * that does not fit in the seq_file buffer is printed again alone.  From
 * start() to stop() the node of the current chunk is locked; m->private
 * points to an int, the locked node or NUMA_NO_NODE.
 */

/* The chunk @skip chunks into the nodes from @nid on, its node locked. */
static struct textpool_chunk *textpool_chunks_from(int *locked, int nid,
						   loff_t skip)
{
	struct textpool_chunk *chunk;

	for (; nid < MAX_NUMNODES; nid++) {
		struct textpool_node *node = textpool_nodes[nid];

		if (!node)
			continue;
		mutex_lock(&node->lock);
		list_for_each_entry(chunk, &node->chunks, list) {
			if (!skip--) {
				*locked = nid;
				return chunk;
			}
		}
		mutex_unlock(&node->lock);
	}
	return NULL;
}

static void *textpool_chunks_start(struct seq_file *m, loff_t *pos)
{
	int *locked = m->private;

	*locked = NUMA_NO_NODE;
	if (!textpool_is_ready())
		return NULL;
	return textpool_chunks_from(locked, 0, *pos);
}

static void *textpool_chunks_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct textpool_chunk *chunk = v;
	struct textpool_node *node = chunk->node;
	int *locked = m->private;

	++*pos;
	if (!list_is_last(&chunk->list, &node->chunks))
		return list_next_entry(chunk, list);
	mutex_unlock(&node->lock);
	*locked = NUMA_NO_NODE;
	return textpool_chunks_from(locked, node->nid + 1, 0);
}

static void textpool_chunks_stop(struct seq_file *m, void *v)
{
	int *locked = m->private;

	if (*locked != NUMA_NO_NODE)
		mutex_unlock(&textpool_nodes[*locked]->lock);
	*locked = NUMA_NO_NODE;
}

/*
 * "node=N start=0x... end=0x... mapping=2M|4K allocations=N used_bytes=N
 * largest_free=N map=..." where each of the 64 characters of the map
 * covers 1/64 of the chunk: '.' empty, 'o' partly used, '#' full.  The
 * addresses are printed like those of /proc/vmallocinfo, with %pK: real
 * ones only under kptr_restrict=1 for readers with CAP_SYSLOG.
 */
static int textpool_chunks_show(struct seq_file *m, void *v)
{
	struct textpool_chunk *chunk = v;
	char map[TEXTPOOL_MAP_CHARS + 1];
	unsigned int i, used;

	for (i = 0; i < TEXTPOOL_MAP_CHARS; i++) {
		used = bitmap_weight(chunk->alloc_map +
				     i * TEXTPOOL_MAP_SLOTS / BITS_PER_LONG,
				     TEXTPOOL_MAP_SLOTS);
		map[i] = !used ? '.' : used == TEXTPOOL_MAP_SLOTS ? '#' : 'o';
	}
	map[TEXTPOOL_MAP_CHARS] = '\0';
	seq_printf(m, "node=%d start=0x%pK end=0x%pK mapping=%s allocations=%u used_bytes=%lu largest_free=%lu map=%s\n",
		   chunk->node->nid, (void *)chunk->start,
		   (void *)(chunk->start + TEXTPOOL_CHUNK_SIZE),
		   chunk->huge ? "2M" : "4K", chunk->nr_allocs,
		   chunk->used_bytes,
		   textpool_chunk_largest_free(chunk->node, chunk), map);
	return 0;
}

const struct seq_operations textpool_chunks_sops = {
	.start = textpool_chunks_start,
	.next = textpool_chunks_next,
	.stop = textpool_chunks_stop,
	.show = textpool_chunks_show,
};

/* ---- For the KUnit tests (mm/textpool_kunit.c) --------------------------- */

void textpool_refill_all(void)
{
	textpool_trim_all();
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_refill_all);

void textpool_refill_counts(unsigned long *refills, unsigned long *extents,
			    u64 *ns)
{
	*refills = atomic_long_read(&textpool_refills);
	*extents = atomic_long_read(&textpool_refill_extents);
	*ns = atomic64_read(&textpool_refill_ns);
}

unsigned long textpool_dirty_bytes(int nid)
{
	return READ_ONCE(textpool_nodes[nid]->dirty_bytes);
}

unsigned long textpool_bad_free_count(void)
{
	return atomic_long_read(&textpool_bad_frees);
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_bad_free_count);

void *textpool_chunk_of(const void *addr)
{
	struct textpool_chunk *chunk = textpool_find_chunk(addr);

	return chunk ? (void *)chunk->start : NULL;
}

bool textpool_is_fallback(const void *addr)
{
	bool found;

	mutex_lock(&textpool_fallback_lock);
	found = textpool_fallback_find(addr);
	mutex_unlock(&textpool_fallback_lock);
	return found;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_is_fallback);

bool textpool_chunk_is_huge(const void *addr)
{
	struct textpool_chunk *chunk = textpool_find_chunk(addr);

	return chunk && chunk->huge;
}

/* Does an extent of @root contain @addr? */
static bool textpool_extent_has(struct rb_root *root, unsigned long addr)
{
	struct textpool_extent *e;
	struct rb_node *rb;

	e = textpool_extent_ge(root, addr + 1);
	rb = e ? rb_prev(&e->rb) : rb_last(root);
	e = textpool_rb_extent(rb);
	return e && e->start <= addr && addr < e->start + e->size;
}

enum textpool_space textpool_space_state(const void *addr)
{
	struct textpool_chunk *chunk = textpool_find_chunk(addr);
	unsigned long a = (unsigned long)addr;
	struct textpool_node *node;
	enum textpool_space state;

	if (!chunk)
		return TEXTPOOL_SPACE_NONE;
	node = chunk->node;
	mutex_lock(&node->lock);
	if (test_bit((a - chunk->start) >> TEXTPOOL_SLOT_SHIFT,
		     chunk->alloc_map))
		state = TEXTPOOL_SPACE_ALLOCATED;
	else if (textpool_extent_has(&node->dirty_root, a))
		state = TEXTPOOL_SPACE_DIRTY;
	else if (textpool_extent_has(&node->free_root, a))
		state = TEXTPOOL_SPACE_STALE;
	else if (textpool_extent_has(&node->clean_root, a))
		state = TEXTPOOL_SPACE_CLEAN;
	else
		state = TEXTPOOL_SPACE_REFILLING;
	mutex_unlock(&node->lock);
	return state;
}
EXPORT_SYMBOL_IF_TEXTPOOL_TEST(textpool_space_state);

void textpool_fail_arch_next(unsigned int nr)
{
	atomic_set(&textpool_arch_fail_next, nr);
}

size_t textpool_chunk_meta_bytes(void)
{
	return textpool_chunk_meta_size();
}

void textpool_placement(unsigned long *lo, unsigned long *hi,
			unsigned long *base, bool *randomize)
{
	*lo = textpool_lo;
	*hi = textpool_hi;
	*base = textpool_base;
	*randomize = textpool_randomize;
}

unsigned long textpool_place_base(unsigned long lo, unsigned long hi, u32 rnd)
{
	unsigned long nr = (hi - lo) >> TEXTPOOL_CHUNK_SHIFT;

	/* rnd is uniform in [0, 2^32): scale it onto the nr positions. */
	return lo + (((u64)rnd * nr) >> 32 << TEXTPOOL_CHUNK_SHIFT);
}

unsigned long textpool_node_cursor(int nid)
{
	return READ_ONCE(textpool_nodes[nid]->cursor);
}

void textpool_node_lock(int nid)
{
	mutex_lock(&textpool_nodes[nid]->lock);
}

bool textpool_node_trylock_test(int nid)
{
	return mutex_trylock(&textpool_nodes[nid]->lock);
}

void textpool_grow_pause(struct completion *started,
			 struct completion *resume)
{
	WRITE_ONCE(textpool_grow_resume, resume);
	WRITE_ONCE(textpool_grow_started, started);
}

void textpool_node_unlock_test(int nid)
{
	mutex_unlock(&textpool_nodes[nid]->lock);
}

unsigned int textpool_nr_chunks_total(void)
{
	return atomic_read(&textpool_nr_chunks);
}

unsigned int textpool_chunks_made(void)
{
	return atomic_read(&textpool_nr_made);
}

unsigned long textpool_shrink_node(int nid, unsigned long nr,
				   unsigned long *count)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = nid, .nr_to_scan = nr,
	};

	*count = textpool_shrink_count(textpool_shrinker, &sc);
	return textpool_shrink_scan(textpool_shrinker, &sc);
}

void textpool_fail_inject(u32 steps, int times)
{
#ifdef CONFIG_FAULT_INJECTION
	WRITE_ONCE(textpool_fail_steps, steps);
	textpool_fail_attr.verbose = 0;
	textpool_fail_attr.interval = 1;
	textpool_fail_attr.probability = times ? 100 : 0;
	atomic_set(&textpool_fail_attr.times, times);
#endif
}

void textpool_reserve_now(void)
{
	mod_delayed_work(system_wq, &textpool_reserve_work, 0);
	flush_delayed_work(&textpool_reserve_work);
}

/* ---- Initialisation ------------------------------------------------------ */

/* The range of the architecture, rounded to 2 MiB and checked. */
static bool __init textpool_setup_range(void)
{
	struct textpool_arch_info info = { };

	arch_textpool_info(&info);
	textpool_lo = ALIGN(info.start, TEXTPOOL_CHUNK_SIZE);
	textpool_hi = ALIGN_DOWN(info.end, TEXTPOOL_CHUNK_SIZE);
	if (textpool_lo < TEXTPOOL_VA_START || textpool_hi > TEXTPOOL_VA_END ||
	    textpool_lo >= textpool_hi) {
		pr_err("invalid range [0x%lx, 0x%lx) from the architecture\n",
		       info.start, info.end);
		return false;
	}
	textpool_randomize = info.randomize;
	textpool_base = textpool_lo;
	if (textpool_randomize)
		textpool_base = textpool_place_base(textpool_lo, textpool_hi,
						    get_random_u32());
	return true;
}

/*
 * Account the fallback allocations made before the pools existed (early
 * ftrace, early kprobes) to their nodes, so that their frees are counted
 * too.  The nodes are not published yet: nobody else looks at them.
 */
static void __init textpool_count_early(void)
{
	struct textpool_fallback *fb;
	struct textpool_node *node;
	struct rb_node *rb;

	mutex_lock(&textpool_fallback_lock);
	for (rb = rb_first(&textpool_fallbacks); rb; rb = rb_next(rb)) {
		fb = rb_entry(rb, struct textpool_fallback, rb);
		node = textpool_nodes[fb->nid];
		if (fb->counted || !node)
			continue;
		fb->counted = true;
		node->stats.allocations++;
		node->stats.allocated_bytes += fb->size;
		node->stats.requested_bytes += fb->requested;
		node->stats.alloc_total++;
		node->stats.fallback_allocs++;
		node->stats.fallback_causes[TEXTPOOL_FB_EARLY]++;
		node->stats.fallback_allocations++;
		node->stats.fallback_allocated_bytes += fb->size;
		node->users[fb->user].allocations++;
		node->users[fb->user].allocated_bytes += fb->size;
	}
	mutex_unlock(&textpool_fallback_lock);
}

/* Make the reserve chunks of every node now, while memory is not fragmented. */
static void __init textpool_make_reserve(void)
{
	enum textpool_fallback_cause cause;
	struct textpool_chunk *chunk;
	unsigned int i;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		struct textpool_node *node = textpool_nodes[nid];

		for (i = 0; i < READ_ONCE(textpool_reserve); i++) {
			mutex_lock(&node->grow_lock);
			chunk = textpool_chunk_create(node, &cause, true);
			if (chunk) {
				mutex_lock(&node->lock);
				textpool_chunk_link(node, chunk);
				textpool_node_unlock(node);
			}
			mutex_unlock(&node->grow_lock);
			if (!chunk) {
				pr_warn("node %d: no reserve chunk (%s)\n",
					nid, textpool_fallback_cause_name(cause));
				break;
			}
		}
	}
}

static int __init textpool_init(void)
{
	struct textpool_node *node;
	int nid;

	if (!textpool_setup_range()) {
		textpool_on = false;
		return -EINVAL;
	}
	textpool_extent_cache = KMEM_CACHE(textpool_extent, 0);
	if (!textpool_extent_cache)
		return -ENOMEM;

	for_each_node(nid) {
		node = kzalloc_node(sizeof(*node), GFP_KERNEL,
				    node_state(nid, N_MEMORY) ? nid :
				    NUMA_NO_NODE);
		if (!node)
			return -ENOMEM;
		mutex_init(&node->lock);
		mutex_init(&node->grow_lock);
		node->nid = nid;
		node->clean_root = RB_ROOT;
		node->free_root = RB_ROOT;
		node->dirty_root = RB_ROOT;
		INIT_LIST_HEAD(&node->chunks);
		WRITE_ONCE(textpool_nodes[nid], node);
	}
	textpool_count_early();
	if (READ_ONCE(textpool_on))
		textpool_make_reserve();
	textpool_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE, "textpool");
	if (textpool_shrinker) {
		textpool_shrinker->count_objects = textpool_shrink_count;
		textpool_shrinker->scan_objects = textpool_shrink_scan;
		shrinker_register(textpool_shrinker);
	}
	/* Publish the pools; pairs with textpool_is_ready(). */
	smp_store_release(&textpool_ready, true);
	pr_info("%u KiB chunks of %lu-byte slots, up to %u chunks%s%s\n",
		(unsigned int)(TEXTPOOL_CHUNK_SIZE >> 10), TEXTPOOL_SLOT_SIZE,
		READ_ONCE(textpool_max_total),
		textpool_randomize ? ", randomised placement" : "",
		READ_ONCE(textpool_on) ? "" : ", disabled (textpool=off)");
	return 0;
}
core_initcall(textpool_init);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static int __init textpool_fail_debugfs(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_textpool", NULL,
					&textpool_fail_attr);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	debugfs_create_x32("steps", 0600, dir, &textpool_fail_steps);
	return 0;
}
late_initcall(textpool_fail_debugfs);
#endif
