// SPDX-License-Identifier: GPL-2.0
/*
 * textpool: per-NUMA-node pools of read-only + executable memory for
 * dynamically generated kernel text (BPF JIT images, BPF trampolines and
 * dispatchers, ftrace trampolines, kprobe instruction slots).
 *
 * Chunks
 * ------
 * Each node has a pool of 2 MiB chunks.  A chunk is a vmalloc area in the
 * module range (MODULES_VADDR..MODULES_END, so that rel32 calls and jumps
 * reach the kernel image), allocated with VM_ALLOW_HUGE_VMAP and
 * __GFP_THISNODE: on x86_64 it is one physically contiguous 2 MiB page of
 * the node, mapped by a single PMD.  When the node has no free 2 MiB page,
 * vmalloc builds the chunk from 4 KiB pages of the node instead (a "fallback
 * chunk", counted as such).  The chunk is filled with INT3 while it is still
 * writable and then made read-only + executable for its whole life
 * (arch_textpool_protect(), set_memory_rox() on x86, which also makes the
 * 2 MiB direct-map alias read-only without splitting it below 2 MiB).  It is
 * never writable and executable at once: every later write goes through
 * text_poke (textpool_copy(), textpool_set()), and freed space is filled
 * with INT3 again before it can be handed out anew (see "Refill" below).
 * When a chunk is given
 * back, arch_textpool_unprotect() (set_memory_nx() + set_memory_rw())
 * restores both mappings for the whole 2 MiB and flushes the TLBs before
 * vfree() returns the pages.  VM_FLUSH_RESET_PERMS is not used: it resets
 * the direct map 4 KiB page by 4 KiB page and would split it.
 *
 * Chunks are tracked by the vmap_area tree: each is a vm_struct flagged
 * VM_TEXTPOOL whose ->textpool points to its struct textpool_chunk, so
 * textpool_free() and textpool_copy() find the chunk of any address with
 * find_vm_area() in O(log n), without a size and without walking a list.
 * The vm_struct is shared by all the allocations of the chunk and
 * refcounted (->textpool_refs): the pool holds one reference while the
 * chunk is in it, each live allocation holds one, and so does each write or
 * free in progress.  When an allocation is freed and leaves its chunk
 * empty, the chunk stays in the pool if the node keeps fewer than
 * reserve_chunks empty chunks; otherwise it leaves the pool, and whoever
 * drops the last reference unmaps and frees it.
 *
 * Slots and free space
 * --------------------
 * A chunk is cut into 64-byte slots; an allocation is a run of slots.  As in
 * mm/percpu.c, each chunk has an alloc_map (one bit per slot in use) and a
 * bound_map (one bit at the first slot of each live allocation): free needs
 * no size (the allocation ends at the next bound bit or the next free slot)
 * and an address that is not the start of a live allocation - never handed
 * out, or already freed - is recognised, warned about and left alone.
 * Per first slot, a u16 remembers the user and the requested size.
 *
 * The free space of all the chunks of a node is a set of extents in an
 * augmented rbtree keyed by address (like vmalloc's free_vmap_area_root):
 * each node caches the largest extent size of its subtree, so the
 * lowest-address extent that fits is found in O(log n) and the tree's root
 * knows the node's largest free extent.  Allocation takes the front of the
 * extent.  Extents merge with the neighbouring extents of the same chunk
 * (never across chunks, which may be adjacent).
 *
 * Refill
 * ------
 * A free does not write the freed slots itself: writing through text_poke
 * switches to the poking mm and flushes the TLB, which would make every
 * free cost as much as the allocation it replaces.  Instead the freed slots
 * go into a second tree of the node, dirty_root (same extents, merged the
 * same way), where no allocation finds them, and are refilled with INT3 in
 * batches by textpool_refill_locked(): all the dirty extents of the node in
 * one text_poke session (arch_textpool_fill_ranges(), text_poke_set_ranges()
 * on x86, one switch to the poking mm per 32 pages).  Only then do they go
 * back into free_root.  A node is refilled
 *
 *  - by the free that brings its dirty space to TEXTPOOL_REFILL_FREES frees
 *    or TEXTPOOL_REFILL_BYTES bytes,
 *  - by an allocation that finds no clean space while dirty space waits,
 *  - by a delayed work item, TEXTPOOL_REFILL_DELAY after a free, so that
 *    freed space waits a few milliseconds at most.
 *
 * Dirty space counts as free in the statistics (free_bytes: allocated plus
 * free bytes are always the size of the chunks), but largest_free only
 * sees extents as they are, dirty or clean, not yet merged with each other.
 * A chunk whose last allocation is freed while its node already keeps
 * reserve_chunks empty chunks is given back without a refill: its pages go
 * back to the page allocator, not to another allocation.
 *
 * Fallback
 * --------
 * Requests larger than a chunk, and all requests while textpool is disabled
 * (sysfs, textpool=off), before it is initialised, or while a node is at
 * max_chunks and has no room, go to execmem_alloc() and come back with the
 * same contract: INT3-filled, read-only + executable, freed and written with
 * textpool_free()/textpool_copy()/textpool_set().  Their vm_struct is flagged
 * VM_TEXTPOOL too and points to a struct textpool_fallback.
 *
 * Locking
 * -------
 * Each node has a mutex, node->lock, that protects its free-extent trees,
 * its chunk list, the bitmaps and counters of its chunks and its statistics.
 * No path holds two node locks.  The lock order is:
 *
 *	text_mutex
 *	  -> node->lock
 *	    -> vmalloc's locks, the page allocator, CPA (set_memory_*)
 *
 * text_mutex (taken by text_poke) is never taken under node->lock.  A
 * refill takes text_mutex, then node->lock to take the node's dirty
 * extents out of dirty_root, writes them without node->lock, and puts them
 * into free_root under node->lock again before it drops text_mutex (so
 * whoever takes text_mutex next sees every earlier refill complete).
 * textpool_copy()/textpool_set() check the range and take a reference under
 * node->lock and write without it, taking text_mutex: their callers must
 * not hold text_mutex.
 *
 * textpool_alloc() and textpool_free() may be called with text_mutex held
 * (kprobes does): they never wait for text_mutex.  A free only queues the
 * slots; when a refill is due it tries mutex_trylock(&text_mutex), and if
 * that fails (text_mutex is held, perhaps by the caller) it leaves the
 * refill to the work item.  An allocation that finds no clean space tries
 * the same and, if it cannot refill, maps a new chunk (or takes the
 * fallback) as if the dirty space were not there.  Creating a chunk
 * (vmalloc + set_memory_rox) happens under node->lock; releasing one
 * happens without it, by the last reference.
 * Per-user statistics are atomics.  textpool_contains() takes no lock: it
 * reads a bitmap of the 2 MiB slots of the module range that are chunks,
 * so it can be called from any context.
 *
 * The vm_struct found by find_vm_area() is safe to use because the caller's
 * allocation keeps it alive; a free or a write through a stale pointer that
 * races with the release of the very same chunk is, as with vfree(), a bug
 * that textpool cannot always catch.
 */

#define pr_fmt(fmt) "textpool: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/execmem.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pgtable.h>
#include <linux/rbtree_augmented.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/textpool.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "textpool_internal.h"

#define TEXTPOOL_SLOTS		(TEXTPOOL_CHUNK_SIZE >> TEXTPOOL_SLOT_SHIFT)
#define TEXTPOOL_MAX_RESERVE	64
#define TEXTPOOL_MAP_CHARS	64
#define TEXTPOOL_MAP_SLOTS	(TEXTPOOL_SLOTS / TEXTPOOL_MAP_CHARS)

/* When a node's freed space is refilled (see "Refill" above). */
#define TEXTPOOL_REFILL_FREES	64
#define TEXTPOOL_REFILL_BYTES	SZ_256K
#define TEXTPOOL_REFILL_DELAY	msecs_to_jiffies(4)
/* Ranges handed to the architecture at once. */
#define TEXTPOOL_REFILL_RANGES	64

/* The 2 MiB-aligned part of the module range that chunks can occupy. */
#define TEXTPOOL_VA_START	ALIGN(MODULES_VADDR, TEXTPOOL_CHUNK_SIZE)
#define TEXTPOOL_VA_END		ALIGN_DOWN(MODULES_END, TEXTPOOL_CHUNK_SIZE)
#define TEXTPOOL_MAX_CHUNKS	\
	((TEXTPOOL_VA_END - TEXTPOOL_VA_START) >> TEXTPOOL_CHUNK_SHIFT)

/* Per first slot of an allocation: the user and the bytes of its last slot. */
#define TEXTPOOL_META_TAIL_BITS	TEXTPOOL_SLOT_SHIFT
#define TEXTPOOL_META_TAIL_MASK	((1U << TEXTPOOL_META_TAIL_BITS) - 1)

enum textpool_area_kind {
	TEXTPOOL_AREA_CHUNK,
	TEXTPOOL_AREA_FALLBACK,
};

/* What a VM_TEXTPOOL vm_struct's ->textpool points to. */
struct textpool_area {
	enum textpool_area_kind kind;
	int nid;
};

/**
 * struct textpool_chunk - a 2 MiB chunk of one node
 * @area: common part, kind TEXTPOOL_AREA_CHUNK
 * @start: address of the chunk
 * @vm: the chunk's vm_struct
 * @node: the pool the chunk belongs to
 * @list: entry in @node's chunk list
 * @huge: mapped by one PMD (else built from 4 KiB pages)
 * @nr_allocs: live allocations
 * @dirty_bytes: freed bytes waiting for a refill in @node->dirty_root
 * @refill_bytes: freed bytes being refilled (in neither tree)
 * @used_bytes: slot-rounded bytes of live allocations
 * @alloc_map: one bit per slot in use
 * @bound_map: one bit at the first slot of each live allocation
 * @meta: per first slot: user << TEXTPOOL_META_TAIL_BITS | (bytes requested
 *	in the last slot - 1)
 *
 * Everything but @area, @start, @vm and @huge is protected by @node->lock.
 */
struct textpool_chunk {
	struct textpool_area area;
	unsigned long start;
	struct vm_struct *vm;
	struct textpool_node *node;
	struct list_head list;
	bool huge;
	unsigned int nr_allocs;
	unsigned long dirty_bytes;
	unsigned long refill_bytes;
	unsigned long used_bytes;
	DECLARE_BITMAP(alloc_map, TEXTPOOL_SLOTS);
	DECLARE_BITMAP(bound_map, TEXTPOOL_SLOTS);
	u16 meta[TEXTPOOL_SLOTS];
};

/**
 * struct textpool_fallback - an allocation served by execmem
 * @area: common part, kind TEXTPOOL_AREA_FALLBACK
 * @addr: the allocation
 * @user: who asked for it
 * @size: slot-rounded size
 * @requested: size asked for
 * @counted: accounted in its node's statistics (not an early-boot one)
 * @freed: textpool_free() was called on it
 */
struct textpool_fallback {
	struct textpool_area area;
	void *addr;
	enum textpool_user user;
	unsigned long size;
	unsigned long requested;
	bool counted;
	atomic_t freed;
};

/**
 * struct textpool_extent - free space inside one chunk
 * @rb: node in the node's free-extent tree, keyed by @start
 * @start: first byte
 * @size: bytes, a multiple of the slot size
 * @subtree_max: largest @size in the subtree rooted here
 * @chunk: the chunk the extent lies in
 */
struct textpool_extent {
	struct rb_node rb;
	unsigned long start;
	unsigned long size;
	unsigned long subtree_max;
	struct textpool_chunk *chunk;
};

/**
 * struct textpool_node - the pool of one NUMA node
 * @lock: protects everything below
 * @nid: the node
 * @free_root: free extents of all chunks of the node, by address
 * @dirty_root: freed extents not yet refilled with INT3, by address
 * @dirty_bytes: bytes in @dirty_root
 * @dirty_frees: frees since the last refill
 * @chunks: the chunks of the node
 * @nr_empty: chunks without allocations and without a refill in progress
 * @stats: statistics (largest_free is computed when read)
 */
struct textpool_node {
	struct mutex lock;	/* see "Locking" at the top of the file */
	int nid;
	struct rb_root free_root;
	struct rb_root dirty_root;
	unsigned long dirty_bytes;
	unsigned int dirty_frees;
	struct list_head chunks;
	unsigned int nr_empty;
	struct textpool_stats stats;
};

static struct textpool_node *textpool_nodes[MAX_NUMNODES] __read_mostly;
static struct kmem_cache *textpool_extent_cache __read_mostly;
static bool textpool_ready __read_mostly;
static bool textpool_on __read_mostly = true;
static unsigned int textpool_reserve __read_mostly = 1;
static unsigned int textpool_max __read_mostly;
static DECLARE_BITMAP(textpool_present, TEXTPOOL_MAX_CHUNKS);
static atomic_long_t textpool_bad_frees;
static atomic_long_t textpool_reuse_gen;
/* Refills, their extents and the time spent writing them, for the bench. */
static atomic_long_t textpool_refills, textpool_refill_extents;
static atomic64_t textpool_refill_ns;

/* The ranges of one refill, protected by text_mutex. */
static struct textpool_range textpool_refill_ranges[TEXTPOOL_REFILL_RANGES];

static void textpool_refill_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(textpool_refill_work, textpool_refill_workfn);

static struct {
	atomic_long_t allocations;
	atomic_long_t allocated_bytes;
} textpool_users[TEXTPOOL_NR_USERS];

static const char * const textpool_user_names[TEXTPOOL_NR_USERS] = {
	[TEXTPOOL_BPF]		= "bpf",
	[TEXTPOOL_FTRACE]	= "ftrace",
	[TEXTPOOL_KPROBES]	= "kprobes",
	[TEXTPOOL_MODULES]	= "modules",
	[TEXTPOOL_OTHER]	= "other",
};

static const enum execmem_type textpool_execmem_types[TEXTPOOL_NR_USERS] = {
	[TEXTPOOL_BPF]		= EXECMEM_BPF,
	[TEXTPOOL_FTRACE]	= EXECMEM_FTRACE,
	[TEXTPOOL_KPROBES]	= EXECMEM_KPROBES,
	[TEXTPOOL_MODULES]	= EXECMEM_MODULE_TEXT,
	[TEXTPOOL_OTHER]	= EXECMEM_DEFAULT,
};

static int __init textpool_setup(char *str)
{
	if (!str)
		return -EINVAL;
	if (!strcmp(str, "off"))
		textpool_on = false;
	else if (!strcmp(str, "on"))
		textpool_on = true;
	else
		return -EINVAL;
	return 0;
}
early_param("textpool", textpool_setup);

/* ---- Free-extent tree ---------------------------------------------------- */

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

/* The free extent of lowest address at or above @addr. */
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

static void textpool_extent_erase(struct rb_root *root,
				  struct textpool_extent *e)
{
	rb_erase_augmented(&e->rb, root, &textpool_extent_cb);
	kmem_cache_free(textpool_extent_cache, e);
}

/*
 * Put [@addr, @addr + @size) of @chunk into @root (free_root or dirty_root
 * of the chunk's node), merging it with the extents of the same chunk on
 * either side.  @spare, or a new extent if @spare is NULL, is used if no
 * merge is possible; @spare is freed otherwise.
 */
static void textpool_extent_insert(struct rb_root *root,
				   struct textpool_chunk *chunk,
				   unsigned long addr, unsigned long size,
				   struct textpool_extent *spare)
{
	struct textpool_extent *next, *prev;

	next = textpool_extent_ge(root, addr);
	prev = textpool_rb_extent(next ? rb_prev(&next->rb) : rb_last(root));
	if (next && (next->chunk != chunk || next->start != addr + size))
		next = NULL;
	if (prev && (prev->chunk != chunk || prev->start + prev->size != addr))
		prev = NULL;

	if (prev && next) {
		size += next->size;
		textpool_extent_erase(root, next);
		prev->size += size;
		textpool_extent_cb_propagate(&prev->rb, NULL);
	} else if (prev) {
		prev->size += size;
		textpool_extent_cb_propagate(&prev->rb, NULL);
	} else if (next) {
		next->start = addr;
		next->size += size;
		textpool_extent_cb_propagate(&next->rb, NULL);
	} else {
		if (!spare)
			spare = kmem_cache_alloc(textpool_extent_cache,
						 GFP_KERNEL | __GFP_NOFAIL);
		spare->start = addr;
		spare->size = size;
		spare->chunk = chunk;
		textpool_extent_link(root, spare);
		spare = NULL;
	}
	if (spare)
		kmem_cache_free(textpool_extent_cache, spare);
}

/* ---- Chunks -------------------------------------------------------------- */

static inline unsigned long textpool_va_index(unsigned long addr)
{
	return (addr - TEXTPOOL_VA_START) >> TEXTPOOL_CHUNK_SHIFT;
}

static void textpool_chunk_destroy(struct textpool_chunk *chunk)
{
	void *addr = (void *)chunk->start;

	/*
	 * Restore the permissions of the mapping and of the direct map for
	 * the whole chunk (this flushes the TLBs, so no executable
	 * translation survives), then give the pages back.  If that fails,
	 * leak the chunk rather than free read-only pages.
	 */
	if (WARN_ON_ONCE(arch_textpool_unprotect(addr, TEXTPOOL_CHUNK_SIZE)))
		return;
	chunk->vm->flags &= ~VM_TEXTPOOL;
	WRITE_ONCE(chunk->vm->textpool, NULL);
	vfree(addr);
	kvfree(chunk);
}

static void textpool_fallback_destroy(struct textpool_fallback *fb)
{
	/* execmem memory is VM_FLUSH_RESET_PERMS: vfree() resets it. */
	execmem_free(fb->addr);
	kfree(fb);
}

/* Drop a reference to a textpool vm_struct; the last one releases it. */
static void textpool_vm_put(struct vm_struct *vm)
{
	struct textpool_area *area = READ_ONCE(vm->textpool);

	if (!refcount_dec_and_test(&vm->textpool_refs))
		return;
	if (area->kind == TEXTPOOL_AREA_CHUNK)
		textpool_chunk_destroy(container_of(area, struct textpool_chunk,
						    area));
	else
		textpool_fallback_destroy(container_of(area,
						       struct textpool_fallback,
						       area));
}

/* The textpool vm_struct that contains @addr, or NULL. */
static struct vm_struct *textpool_find_vm(const void *addr)
{
	struct vm_struct *vm = find_vm_area(addr);

	if (!vm || !(vm->flags & VM_TEXTPOOL) || !READ_ONCE(vm->textpool))
		return NULL;
	return vm;
}

static bool textpool_pages_on_node(struct vm_struct *vm, int nid)
{
	unsigned int i;

	for (i = 0; i < vm->nr_pages; i++)
		if (page_to_nid(vm->pages[i]) != nid)
			return false;
	return true;
}

/*
 * Map a new chunk for @node and put it into the pool.  Called with
 * node->lock held; returns the chunk's free extent, or NULL.
 */
static struct textpool_extent *textpool_chunk_create(struct textpool_node *node)
{
	int nid = node->nid;
	struct textpool_extent *e;
	struct textpool_chunk *chunk;
	struct vm_struct *vm;
	void *addr;

	lockdep_assert_held(&node->lock);

	chunk = kvzalloc_node(sizeof(*chunk), GFP_KERNEL, nid);
	if (!chunk)
		return NULL;
	e = kmem_cache_zalloc(textpool_extent_cache, GFP_KERNEL);
	if (!e)
		goto free_chunk;

	/*
	 * One 2 MiB page of the node mapped by one PMD; vmalloc falls back
	 * to 4 KiB pages of the node by itself when it has no free 2 MiB
	 * page.  No guard page: chunks may sit next to each other.
	 */
	addr = __vmalloc_node_range(TEXTPOOL_CHUNK_SIZE, TEXTPOOL_CHUNK_SIZE,
				    TEXTPOOL_VA_START, TEXTPOOL_VA_END,
				    GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN,
				    PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP | VM_NO_GUARD | VM_TEXTPOOL,
				    nid, __builtin_return_address(0));
	if (!addr)
		goto free_extent;
	vm = find_vm_area(addr);
	if (WARN_ON_ONCE(!vm || !textpool_pages_on_node(vm, nid))) {
		vfree(addr);
		goto free_extent;
	}

	arch_textpool_fill_new(addr, TEXTPOOL_CHUNK_SIZE);
	if (arch_textpool_protect(addr, TEXTPOOL_CHUNK_SIZE)) {
		if (!WARN_ON_ONCE(arch_textpool_unprotect(addr,
							  TEXTPOOL_CHUNK_SIZE)))
			vfree(addr);
		goto free_extent;
	}

	chunk->area.kind = TEXTPOOL_AREA_CHUNK;
	chunk->area.nid = nid;
	chunk->start = (unsigned long)addr;
	chunk->vm = vm;
	chunk->node = node;
	chunk->huge = is_vm_area_hugepages(addr);
	refcount_set(&vm->textpool_refs, 1);	/* the pool's reference */
	WRITE_ONCE(vm->textpool, &chunk->area);

	/* The addresses may have held code before: see textpool_reuse_seq(). */
	atomic_long_inc(&textpool_reuse_gen);
	e->start = chunk->start;
	e->size = TEXTPOOL_CHUNK_SIZE;
	e->chunk = chunk;
	textpool_extent_link(&node->free_root, e);
	list_add_tail(&chunk->list, &node->chunks);
	node->nr_empty++;
	node->stats.chunks++;
	if (chunk->huge)
		node->stats.huge_chunks++;
	else
		node->stats.fallback_chunks++;
	node->stats.free_bytes += TEXTPOOL_CHUNK_SIZE;
	set_bit(textpool_va_index(chunk->start), textpool_present);
	return e;

free_extent:
	kmem_cache_free(textpool_extent_cache, e);
free_chunk:
	kvfree(chunk);
	return NULL;
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
 * waits for a refill: its pages go back to the page allocator.  Called
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
			 chunk->dirty_bytes != TEXTPOOL_CHUNK_SIZE))
		return;
	textpool_chunk_extents(&node->free_root, chunk, true);
	textpool_chunk_extents(&node->dirty_root, chunk, true);
	node->dirty_bytes -= chunk->dirty_bytes;
	chunk->dirty_bytes = 0;
	clear_bit(textpool_va_index(chunk->start), textpool_present);
	list_move(&chunk->list, release);
	node->nr_empty--;
	node->stats.chunks--;
	if (chunk->huge)
		node->stats.huge_chunks--;
	else
		node->stats.fallback_chunks--;
	node->stats.free_bytes -= TEXTPOOL_CHUNK_SIZE;
}

/* No allocation, and no refill in progress: the chunk may be given back. */
static inline bool textpool_chunk_empty(struct textpool_chunk *chunk)
{
	return !chunk->nr_allocs && !chunk->refill_bytes;
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
		textpool_vm_put(chunk->vm);
	}
}

/* End (exclusive slot index) of the allocation that starts at @first. */
static unsigned int textpool_alloc_end(struct textpool_chunk *chunk,
				       unsigned int first)
{
	unsigned int bound, hole;

	bound = find_next_bit(chunk->bound_map, TEXTPOOL_SLOTS, first + 1);
	hole = find_next_zero_bit(chunk->alloc_map, TEXTPOOL_SLOTS, first + 1);
	return min(bound, hole);
}

/* ---- Statistics ---------------------------------------------------------- */

static void textpool_user_account(enum textpool_user user, long allocs,
				  long bytes)
{
	atomic_long_add(allocs, &textpool_users[user].allocations);
	atomic_long_add(bytes, &textpool_users[user].allocated_bytes);
}

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

/* ---- Fallback path ------------------------------------------------------- */

static void *textpool_alloc_fallback(size_t size, int nid,
				     enum textpool_user user)
{
	struct textpool_node *node = READ_ONCE(textpool_nodes[nid]);
	unsigned long rounded = round_up(size, TEXTPOOL_SLOT_SIZE);
	struct textpool_fallback *fb;
	struct vm_struct *vm;
	void *addr = NULL;

	fb = kzalloc(sizeof(*fb), GFP_KERNEL);
	if (fb && size <= ULONG_MAX - PAGE_SIZE)
		addr = execmem_alloc(textpool_execmem_types[user], size);
	if (!addr)
		goto fail;
	arch_textpool_fill_new(addr, PAGE_ALIGN(size));
	vm = find_vm_area(addr);
	if (WARN_ON_ONCE(!vm) ||
	    arch_textpool_protect(addr, PAGE_ALIGN(size))) {
		execmem_free(addr);
		goto fail;
	}

	fb->area.kind = TEXTPOOL_AREA_FALLBACK;
	fb->area.nid = nid;
	fb->addr = addr;
	fb->user = user;
	fb->size = rounded;
	fb->requested = size;
	fb->counted = textpool_is_ready() && node;
	refcount_set(&vm->textpool_refs, 1);
	WRITE_ONCE(vm->textpool, &fb->area);
	vm->flags |= VM_TEXTPOOL;
	/* The addresses may have held code before: see textpool_reuse_seq(). */
	atomic_long_inc(&textpool_reuse_gen);

	if (fb->counted) {
		mutex_lock(&node->lock);
		node->stats.allocations++;
		node->stats.allocated_bytes += rounded;
		node->stats.requested_bytes += size;
		node->stats.alloc_total++;
		node->stats.fallback_allocs++;
		mutex_unlock(&node->lock);
		textpool_user_account(user, 1, rounded);
	}
	return addr;

fail:
	kfree(fb);
	if (textpool_is_ready() && node) {
		mutex_lock(&node->lock);
		node->stats.alloc_failures++;
		mutex_unlock(&node->lock);
	}
	return NULL;
}

static void textpool_bad_free(const void *addr, const char *what)
{
	atomic_long_inc(&textpool_bad_frees);
	WARN_ONCE(1, "textpool: %s of %p\n", what, addr);
}

static void textpool_free_fallback(struct vm_struct *vm,
				   struct textpool_fallback *fb, void *addr)
{
	struct textpool_node *node = READ_ONCE(textpool_nodes[fb->area.nid]);

	if (addr != fb->addr) {
		textpool_bad_free(addr, "free inside an allocation");
		return;
	}
	if (atomic_xchg(&fb->freed, 1)) {
		textpool_bad_free(addr, "double free");
		return;
	}
	if (fb->counted) {
		mutex_lock(&node->lock);
		node->stats.allocations--;
		node->stats.allocated_bytes -= fb->size;
		node->stats.requested_bytes -= fb->requested;
		node->stats.free_total++;
		mutex_unlock(&node->lock);
		textpool_user_account(fb->user, -1, -(long)fb->size);
	}
	atomic_long_inc(&textpool_reuse_gen);
	textpool_vm_put(vm);
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

/*
 * Fill all the dirty extents of @node with INT3 and make them allocatable
 * again; give back the chunks that this leaves empty beyond the reserve
 * (onto @release, for the caller to release without text_mutex).
 */
static void textpool_refill_locked(struct textpool_node *node,
				   struct list_head *release)
{
	struct textpool_extent *e, *tmp;
	struct rb_root batch;
	struct rb_node *rb;
	unsigned int n = 0;
	u64 t0;

	lockdep_assert_held(&text_mutex);

	mutex_lock(&node->lock);
	batch = node->dirty_root;
	node->dirty_root = RB_ROOT;
	node->dirty_bytes = 0;
	node->dirty_frees = 0;
	rbtree_postorder_for_each_entry_safe(e, tmp, &batch, rb) {
		atomic_long_inc(&textpool_refill_extents);
		e->chunk->dirty_bytes -= e->size;
		textpool_chunk_refilling(node, e->chunk, e->size);
	}
	mutex_unlock(&node->lock);

	/* One text_poke session per TEXTPOOL_REFILL_RANGES extents. */
	t0 = ktime_get_ns();
	for (rb = rb_first(&batch); rb; rb = rb_next(rb)) {
		e = textpool_rb_extent(rb);
		textpool_refill_ranges[n].addr = (void *)e->start;
		textpool_refill_ranges[n].len = e->size;
		if (++n == TEXTPOOL_REFILL_RANGES) {
			arch_textpool_fill_ranges(textpool_refill_ranges, n);
			n = 0;
		}
	}
	if (n)
		arch_textpool_fill_ranges(textpool_refill_ranges, n);

	mutex_lock(&node->lock);
	if (!RB_EMPTY_ROOT(&batch)) {
		/* Code was here: see textpool_reuse_seq(). */
		atomic_long_inc(&textpool_reuse_gen);
		atomic_long_inc(&textpool_refills);
		atomic64_add(ktime_get_ns() - t0, &textpool_refill_ns);
	}
	rbtree_postorder_for_each_entry_safe(e, tmp, &batch, rb) {
		struct textpool_chunk *chunk = e->chunk;

		textpool_chunk_refilling(node, chunk, -(long)e->size);
		textpool_extent_insert(&node->free_root, chunk, e->start,
				       e->size, e);
	}
	textpool_node_trim(node, release);
	mutex_unlock(&node->lock);
}

/*
 * Refill @node's dirty extents.  With @wait, wait for text_mutex (the
 * caller must not hold it); else give up if text_mutex is held.  Returns
 * false if it gave up.
 */
static bool textpool_refill_node(struct textpool_node *node, bool wait)
{
	LIST_HEAD(release);

	if (wait)
		mutex_lock(&text_mutex);
	else if (!mutex_trylock(&text_mutex))
		return false;
	textpool_refill_locked(node, &release);
	mutex_unlock(&text_mutex);
	textpool_release_chunks(&release);
	return true;
}

static void textpool_refill_workfn(struct work_struct *work)
{
	int nid;

	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];
		bool dirty;

		if (!node)
			continue;
		mutex_lock(&node->lock);
		dirty = !RB_EMPTY_ROOT(&node->dirty_root);
		mutex_unlock(&node->lock);
		if (dirty)
			textpool_refill_node(node, true);
	}
}

/* ---- Allocation and free ------------------------------------------------- */

/* Carve @bytes for @user from the front of @e.  node->lock held. */
static void *textpool_take(struct textpool_node *node,
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
		textpool_extent_erase(&node->free_root, e);

	bitmap_set(chunk->alloc_map, first, nslots);
	__set_bit(first, chunk->bound_map);
	chunk->meta[first] = user << TEXTPOOL_META_TAIL_BITS |
			     ((size - 1) & TEXTPOOL_META_TAIL_MASK);
	if (textpool_chunk_empty(chunk))
		node->nr_empty--;
	chunk->nr_allocs++;
	chunk->used_bytes += bytes;
	refcount_inc(&chunk->vm->textpool_refs);

	node->stats.allocations++;
	node->stats.allocated_bytes += bytes;
	node->stats.requested_bytes += size;
	node->stats.free_bytes -= bytes;
	node->stats.alloc_total++;
	return (void *)addr;
}

/**
 * textpool_alloc_node() - allocate read-only executable memory on a node
 * @size: bytes wanted
 * @nid: NUMA node, or NUMA_NO_NODE for the node of the calling CPU
 * @user: who asks, for the statistics
 *
 * Carves @size bytes, rounded up to 64-byte slots, out of a 2 MiB chunk of
 * node @nid's pool, mapping a new chunk when no chunk has room.  Requests
 * larger than a chunk, and all requests while textpool is disabled or the
 * node is at max_chunks, are served by execmem_alloc() instead, with the
 * same contract.  The memory is filled with INT3 and is read-only and
 * executable: write it with textpool_copy() or textpool_set(), free it
 * with textpool_free().
 *
 * Context: process context, may sleep.  May hold text_mutex: the
 * allocation never waits for it, and maps a new chunk rather than wait for
 * freed space to be refilled.
 * Return: a 64-byte aligned address, or NULL if @size is 0 or no memory
 * could be found.
 */
void *textpool_alloc_node(size_t size, int nid, enum textpool_user user)
{
	struct textpool_extent *e;
	struct textpool_node *node;
	bool refilled = true;
	unsigned long bytes;
	unsigned int max;
	void *addr;

	might_sleep();
	if (!size)
		return NULL;
	if (WARN_ON_ONCE((unsigned int)user >= TEXTPOOL_NR_USERS))
		user = TEXTPOOL_OTHER;
	nid = textpool_nid(nid);
	if (size > TEXTPOOL_CHUNK_SIZE || !READ_ONCE(textpool_on) ||
	    !textpool_is_ready())
		return textpool_alloc_fallback(size, nid, user);

	node = textpool_nodes[nid];
	bytes = round_up(size, TEXTPOOL_SLOT_SIZE);
	mutex_lock(&node->lock);
	e = textpool_lowest_fit(&node->free_root, bytes);
	if (!e && !RB_EMPTY_ROOT(&node->dirty_root)) {
		/* Freed space waits for its INT3: refill it, if text_mutex is free. */
		mutex_unlock(&node->lock);
		refilled = textpool_refill_node(node, false);
		mutex_lock(&node->lock);
		e = textpool_lowest_fit(&node->free_root, bytes);
		if (!refilled)
			mod_delayed_work(system_wq, &textpool_refill_work, 0);
	}
	if (!e) {
		max = READ_ONCE(textpool_max);
		if (!max || node->stats.chunks < max)
			e = textpool_chunk_create(node);
		if (!e) {
			mutex_unlock(&node->lock);
			return textpool_alloc_fallback(size, nid, user);
		}
	}
	addr = textpool_take(node, e, bytes, size, user);
	mutex_unlock(&node->lock);
	textpool_user_account(user, 1, bytes);
	return addr;
}
EXPORT_SYMBOL_GPL(textpool_alloc_node);

/**
 * textpool_alloc() - allocate read-only executable memory on the local node
 * @size: bytes wanted
 * @user: who asks, for the statistics
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
EXPORT_SYMBOL_GPL(textpool_alloc);

static void textpool_free_chunk(struct textpool_chunk *chunk, void *addr)
{
	struct textpool_node *node = chunk->node;
	unsigned long off = (unsigned long)addr - chunk->start;
	unsigned int first = off >> TEXTPOOL_SLOT_SHIFT;
	unsigned int nslots, tail;
	unsigned long bytes, requested;
	enum textpool_user user;
	LIST_HEAD(release);
	bool refill, first_dirty;

	if (off & (TEXTPOOL_SLOT_SIZE - 1)) {
		textpool_bad_free(addr, "free inside an allocation");
		return;
	}

	mutex_lock(&node->lock);
	if (!test_bit(first, chunk->bound_map) ||
	    !test_bit(first, chunk->alloc_map)) {
		bool inside = test_bit(first, chunk->alloc_map);

		mutex_unlock(&node->lock);
		textpool_bad_free(addr, inside ? "free inside an allocation" :
					"invalid or double free");
		return;
	}
	/*
	 * Take the allocation out and queue its slots for a refill: they are
	 * free, but not allocatable before they are INT3 again.
	 */
	nslots = textpool_alloc_end(chunk, first) - first;
	bytes = (unsigned long)nslots << TEXTPOOL_SLOT_SHIFT;
	user = chunk->meta[first] >> TEXTPOOL_META_TAIL_BITS;
	tail = (chunk->meta[first] & TEXTPOOL_META_TAIL_MASK) + 1;
	requested = bytes - TEXTPOOL_SLOT_SIZE + tail;
	bitmap_clear(chunk->alloc_map, first, nslots);
	__clear_bit(first, chunk->bound_map);
	chunk->nr_allocs--;
	chunk->used_bytes -= bytes;
	node->stats.allocations--;
	node->stats.allocated_bytes -= bytes;
	node->stats.requested_bytes -= requested;
	node->stats.free_bytes += bytes;
	node->stats.free_total++;
	atomic_long_inc(&textpool_reuse_gen);
	/* Allocates an extent only if no merge is possible (never fails). */
	textpool_extent_insert(&node->dirty_root, chunk, (unsigned long)addr,
			       bytes, NULL);
	chunk->dirty_bytes += bytes;
	node->dirty_bytes += bytes;
	first_dirty = !node->dirty_frees++;
	if (textpool_chunk_empty(chunk)) {
		node->nr_empty++;
		textpool_node_trim(node, &release);
	}
	refill = node->dirty_frees >= TEXTPOOL_REFILL_FREES ||
		 node->dirty_bytes >= TEXTPOOL_REFILL_BYTES;
	mutex_unlock(&node->lock);
	textpool_user_account(user, -1, -(long)bytes);

	textpool_release_chunks(&release);
	textpool_vm_put(chunk->vm);	/* the allocation's reference */

	/* The first free since the last refill schedules the next one. */
	if (!refill && first_dirty)
		schedule_delayed_work(&textpool_refill_work,
				      TEXTPOOL_REFILL_DELAY);
	else if (refill && !textpool_refill_node(node, false))
		mod_delayed_work(system_wq, &textpool_refill_work, 0);
}

/**
 * textpool_free() - free memory from textpool_alloc()
 * @addr: the address textpool_alloc() returned, or NULL
 *
 * Gives the allocation back to its chunk (or to execmem for a fallback
 * allocation).  The freed slots are filled with INT3 again before they
 * can be allocated again: in batches, a few milliseconds later at most,
 * or at once when an allocation needs them.  An empty chunk is unmapped
 * when its node already keeps reserve_chunks empty chunks.  Freeing an
 * address that textpool did not hand out, or freeing twice, warns and
 * changes nothing.
 *
 * Context: process context, may sleep.  May hold text_mutex: the free
 * never waits for it.
 */
void textpool_free(void *addr)
{
	struct textpool_area *area;
	struct vm_struct *vm;

	if (!addr)
		return;
	might_sleep();
	vm = textpool_find_vm(addr);
	if (!vm) {
		textpool_bad_free(addr, "free of memory it did not allocate");
		return;
	}
	area = READ_ONCE(vm->textpool);
	if (area->kind == TEXTPOOL_AREA_FALLBACK)
		textpool_free_fallback(vm, container_of(area,
							struct textpool_fallback,
							area), addr);
	else
		textpool_free_chunk(container_of(area, struct textpool_chunk,
						 area), addr);
}
EXPORT_SYMBOL_GPL(textpool_free);

/*
 * If [@dst, @dst + @len) lies inside one live allocation, take a reference
 * to its vm_struct (so that it stays mapped while it is written) and
 * return the vm_struct; else return NULL.
 */
static struct vm_struct *textpool_get_range(void *dst, size_t len)
{
	struct vm_struct *vm = textpool_find_vm(dst);
	struct textpool_fallback *fb;
	struct textpool_chunk *chunk;
	struct textpool_area *area;
	unsigned int slot, first;
	unsigned long off, end;
	bool ok;

	if (!vm)
		return NULL;
	area = READ_ONCE(vm->textpool);
	if (area->kind == TEXTPOOL_AREA_FALLBACK) {
		fb = container_of(area, struct textpool_fallback, area);
		off = (unsigned long)dst - (unsigned long)fb->addr;
		if ((unsigned long)dst < (unsigned long)fb->addr ||
		    off >= fb->size || len > fb->size - off ||
		    atomic_read(&fb->freed) ||
		    !refcount_inc_not_zero(&vm->textpool_refs))
			return NULL;
		return vm;
	}

	chunk = container_of(area, struct textpool_chunk, area);
	off = (unsigned long)dst - chunk->start;
	if (off >= TEXTPOOL_CHUNK_SIZE)
		return NULL;
	slot = off >> TEXTPOOL_SLOT_SHIFT;
	mutex_lock(&chunk->node->lock);
	ok = test_bit(slot, chunk->alloc_map);
	if (ok) {
		first = find_last_bit(chunk->bound_map, slot + 1);
		ok = first <= slot;
	}
	if (ok) {
		end = (unsigned long)textpool_alloc_end(chunk, first) <<
		      TEXTPOOL_SLOT_SHIFT;
		ok = len <= end - off;
	}
	if (ok)
		refcount_inc(&vm->textpool_refs);
	mutex_unlock(&chunk->node->lock);
	return ok ? vm : NULL;
}

/**
 * textpool_copy() - write into textpool memory
 * @dst: where to write, inside a live allocation
 * @src: what to write
 * @len: bytes to write
 *
 * Copies with text_poke: the memory stays read-only and executable.  Not
 * safe against concurrent execution of the bytes written.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0, or -EINVAL if [@dst, @dst + @len) is not inside one live
 * allocation.
 */
int textpool_copy(void *dst, const void *src, size_t len)
{
	struct vm_struct *vm = textpool_get_range(dst, len);

	if (!vm)
		return -EINVAL;
	arch_textpool_copy(dst, src, len);
	textpool_vm_put(vm);
	return 0;
}
EXPORT_SYMBOL_GPL(textpool_copy);

/**
 * textpool_set() - memset textpool memory
 * @dst: where to write, inside a live allocation
 * @c: byte value
 * @len: bytes to write
 *
 * Like textpool_copy(), with one byte value.
 *
 * Context: process context, may sleep.  Must not hold text_mutex.
 * Return: 0, or -EINVAL if [@dst, @dst + @len) is not inside one live
 * allocation.
 */
int textpool_set(void *dst, int c, size_t len)
{
	struct vm_struct *vm = textpool_get_range(dst, len);

	if (!vm)
		return -EINVAL;
	arch_textpool_set(dst, c, len);
	textpool_vm_put(vm);
	return 0;
}
EXPORT_SYMBOL_GPL(textpool_set);

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
EXPORT_SYMBOL_GPL(textpool_contains);

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

/**
 * textpool_reserve_chunks() - empty chunks each node keeps mapped
 *
 * Return: the current setting (default 1).
 */
unsigned int textpool_reserve_chunks(void)
{
	return READ_ONCE(textpool_reserve);
}

/* Refill all the nodes and give back the empty chunks beyond the limits. */
static void textpool_trim_all(void)
{
	int nid;

	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (node)
			textpool_refill_node(node, true);
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

/**
 * textpool_max_chunks() - chunks a node may have at most
 *
 * Return: the current setting, 0 for no limit.
 */
unsigned int textpool_max_chunks(void)
{
	return READ_ONCE(textpool_max);
}

/**
 * textpool_max_chunks_limit() - the largest possible max_chunks
 *
 * Return: how many chunks the module area can hold.
 */
unsigned int textpool_max_chunks_limit(void)
{
	return TEXTPOOL_MAX_CHUNKS;
}

/**
 * textpool_set_max_chunks() - limit the chunks of each node
 * @nr: 0 (no limit) .. textpool_max_chunks_limit()
 *
 * A node at the limit sends allocations it has no room for to the execmem
 * fallback; its empty chunks beyond the limit are unmapped at once.
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

static void textpool_add_stats(struct textpool_node *node,
			       struct textpool_stats *sum)
{
	const struct textpool_stats *s = &node->stats;
	unsigned long largest;

	mutex_lock(&node->lock);
	/* Dirty extents are free too, they only wait for their INT3. */
	largest = max(textpool_subtree_max(node->free_root.rb_node),
		      textpool_subtree_max(node->dirty_root.rb_node));
	sum->chunks += s->chunks;
	sum->huge_chunks += s->huge_chunks;
	sum->fallback_chunks += s->fallback_chunks;
	sum->allocations += s->allocations;
	sum->allocated_bytes += s->allocated_bytes;
	sum->requested_bytes += s->requested_bytes;
	sum->free_bytes += s->free_bytes;
	sum->largest_free = max(sum->largest_free, largest);
	sum->alloc_total += s->alloc_total;
	sum->free_total += s->free_total;
	sum->alloc_failures += s->alloc_failures;
	sum->fallback_allocs += s->fallback_allocs;
	mutex_unlock(&node->lock);
}

/**
 * textpool_get_stats() - statistics of one node's pool or of all of them
 * @nid: a node, or NUMA_NO_NODE for the sum over all nodes
 * @stats: filled in (largest_free is the largest over the nodes summed)
 *
 * Context: process context, may sleep.
 */
void textpool_get_stats(int nid, struct textpool_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (nid == NUMA_NO_NODE) {
		for_each_node(nid)
			if (textpool_nodes[nid])
				textpool_add_stats(textpool_nodes[nid], stats);
	} else if (nid >= 0 && nid < MAX_NUMNODES && textpool_nodes[nid]) {
		textpool_add_stats(textpool_nodes[nid], stats);
	}
}

/**
 * textpool_get_user_stats() - live allocations of one user
 * @user: the user
 * @stats: filled in
 */
void textpool_get_user_stats(enum textpool_user user,
			     struct textpool_user_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if ((unsigned int)user >= TEXTPOOL_NR_USERS)
		return;
	stats->allocations = atomic_long_read(&textpool_users[user].allocations);
	stats->allocated_bytes =
		atomic_long_read(&textpool_users[user].allocated_bytes);
}

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
	return max(textpool_chunk_largest(&node->free_root, chunk),
		   textpool_chunk_largest(&node->dirty_root, chunk));
}

/**
 * textpool_show_chunks() - one line per chunk, for debugfs
 * @m: where to print
 *
 * Prints, per chunk, "node=N start=0x... end=0x... mapping=2M|4K
 * allocations=N used_bytes=N largest_free=N map=..." where each of the 64
 * characters of the map covers 1/64 of the chunk: '.' empty, 'o' partly
 * used, '#' full.
 */
void textpool_show_chunks(struct seq_file *m)
{
	char map[TEXTPOOL_MAP_CHARS + 1];
	struct textpool_chunk *chunk;
	unsigned int i, used;
	int nid;

	for_each_node(nid) {
		struct textpool_node *node = textpool_nodes[nid];

		if (!node)
			continue;
		mutex_lock(&node->lock);
		list_for_each_entry(chunk, &node->chunks, list) {
			for (i = 0; i < TEXTPOOL_MAP_CHARS; i++) {
				used = bitmap_weight(chunk->alloc_map +
						     i * TEXTPOOL_MAP_SLOTS /
						     BITS_PER_LONG,
						     TEXTPOOL_MAP_SLOTS);
				map[i] = !used ? '.' :
					 used == TEXTPOOL_MAP_SLOTS ? '#' : 'o';
			}
			map[TEXTPOOL_MAP_CHARS] = '\0';
			seq_printf(m, "node=%d start=0x%lx end=0x%lx mapping=%s allocations=%u used_bytes=%lu largest_free=%lu map=%s\n",
				   nid, chunk->start,
				   chunk->start + TEXTPOOL_CHUNK_SIZE,
				   chunk->huge ? "2M" : "4K", chunk->nr_allocs,
				   chunk->used_bytes,
				   textpool_chunk_largest_free(node, chunk),
				   map);
		}
		mutex_unlock(&node->lock);
	}
}

/**
 * textpool_reuse_seq() - generation of text memory that may hold stale code
 *
 * Advances every time memory that held code may be handed out again: on
 * each free (chunk slot or fallback) before the freed space becomes
 * allocatable, and whenever new memory is mapped (a new chunk or a fallback
 * execmem allocation).  A caller that reads it after textpool_alloc()
 * returned and finds it unchanged since its last predictor flush knows the
 * memory it got held no code since that flush.
 *
 * Freed chunk space becomes allocatable when it has been refilled with
 * INT3; the sequence advances both at the free and at the refill.
 *
 * Return: the current sequence number.
 */
unsigned long textpool_reuse_seq(void)
{
	return atomic_long_read(&textpool_reuse_gen);
}

/* ---- For the KUnit tests (mm/textpool_kunit.c) --------------------------- */

void textpool_refill_all(void)
{
	textpool_trim_all();
}

void textpool_refill_counts(unsigned long *refills, unsigned long *extents,
			    u64 *ns)
{
	*refills = atomic_long_read(&textpool_refills);
	*extents = atomic_long_read(&textpool_refill_extents);
	*ns = atomic64_read(&textpool_refill_ns);
}

unsigned long textpool_dirty_bytes(int nid)
{
	struct textpool_node *node = textpool_nodes[nid];
	unsigned long bytes;

	mutex_lock(&node->lock);
	bytes = node->dirty_bytes;
	mutex_unlock(&node->lock);
	return bytes;
}

unsigned long textpool_bad_free_count(void)
{
	return atomic_long_read(&textpool_bad_frees);
}

void *textpool_chunk_of(const void *addr)
{
	struct vm_struct *vm = textpool_find_vm(addr);
	struct textpool_area *area;

	if (!vm)
		return NULL;
	area = READ_ONCE(vm->textpool);
	if (area->kind != TEXTPOOL_AREA_CHUNK)
		return NULL;
	return (void *)container_of(area, struct textpool_chunk, area)->start;
}

bool textpool_is_fallback(const void *addr)
{
	struct vm_struct *vm = textpool_find_vm(addr);

	return vm && READ_ONCE(vm->textpool)->kind == TEXTPOOL_AREA_FALLBACK;
}

bool textpool_chunk_is_huge(const void *addr)
{
	struct vm_struct *vm = textpool_find_vm(addr);
	struct textpool_area *area;

	if (!vm)
		return false;
	area = READ_ONCE(vm->textpool);
	return area->kind == TEXTPOOL_AREA_CHUNK &&
	       container_of(area, struct textpool_chunk, area)->huge;
}

/* ---- Initialisation ------------------------------------------------------ */

static int __init textpool_init(void)
{
	struct textpool_node *node;
	int nid;

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
		node->nid = nid;
		node->free_root = RB_ROOT;
		node->dirty_root = RB_ROOT;
		INIT_LIST_HEAD(&node->chunks);
		WRITE_ONCE(textpool_nodes[nid], node);
	}
	/* Publish the pools; pairs with textpool_is_ready(). */
	smp_store_release(&textpool_ready, true);
	pr_info("%u KiB chunks of %lu-byte slots, up to %u chunks%s\n",
		(unsigned int)(TEXTPOOL_CHUNK_SIZE >> 10), TEXTPOOL_SLOT_SIZE,
		(unsigned int)TEXTPOOL_MAX_CHUNKS,
		READ_ONCE(textpool_on) ? "" : ", disabled (textpool=off)");
	return 0;
}
core_initcall(textpool_init);
