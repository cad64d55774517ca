/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lmm: the List-based Memory Manager, as a pool ADT.
 *
 * The OSKit LMM's interface and answers, kept so that OSKit code ports by
 * recompiling: a pool (struct lmm) holds regions of address space, each with
 * flags and a priority; free memory is added to regions; allocations take
 * any size with a power-of-two alignment, an offset ("phase") beyond that
 * boundary and an address range.  Allocations carry no header: the caller
 * remembers each block's size and passes it back to lmm_free().
 *
 * Differences from OSKit: every call that can be misused returns an error
 * (double free, foreign or overlapping blocks, impossible constraints), a
 * pool is locked internally and may be used from any context, and the free
 * space of each region is indexed so that the lowest fitting address is found
 * in O(log n) of the number of free extents (policy "fast").  OSKit's linear
 * first fit remains as "linear" and gives the same answers; the index and
 * the search are a pluggable policy (struct lmm_policy, at the end), which
 * other modules may register.
 *
 * Lock hold times: every entry point holds the pool's irq-safe spinlock for
 * O(log n) work with the tree ("linear": O(n), by definition of OSKit's
 * algorithm; a registered policy: what its operations cost), except
 * lmm_check() (O(n), a validator).  Listings are walked in
 * chunks of at most a caller-given number of extents per lock hold
 * (lmm_walk_free_from()), and a policy switch that would re-index more than
 * LMM_REINDEX_MAX extents is refused.
 *
 * The caller provides the storage for the pool and its regions, as in OSKit:
 * the LMM needs no other allocator.  Its index lives inside the free memory
 * it manages, so free memory must be writable, exactly as in OSKit.
 *
 * Fields of the structures below are private: use the functions.
 */
#ifndef MEMLAB_LMM_H
#define MEMLAB_LMM_H

#include <linux/bits.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

#include "common/fault_hook.h"
#include "common/memlab_export.h"	/* MEMLAB_NS, for MODULE_IMPORT_NS() */

struct lmm_record;
struct lmm_policy;
struct module;

typedef u32 lmm_flags_t;
typedef s32 lmm_pri_t;

/*
 * Granule: every free extent starts and ends on a multiple of it, and every
 * allocation occupies whole granules.  16 bytes, as OSKit on 64-bit: the
 * smallest free extent must hold one index node (struct lmm_node).
 */
#define LMM_GRANULE_SHIFT	4
#define LMM_GRANULE		BIT(LMM_GRANULE_SHIFT)

/* A region spans at most this many granules (64 GiB less one granule). */
#define LMM_REGION_MAX_GRANULES	0xfffffffeUL

/* "No extent": granule numbers are below LMM_REGION_MAX_GRANULES. */
#define LMM_NIL			0xffffffffU

/*
 * The most free extents a policy switch between two index layouts (e.g. the
 * list of "linear" and the tree of "fast" and "best_fit") re-indexes; beyond
 * it lmm_set_policy() refuses with -EBUSY.  The re-indexing runs with the
 * pool lock held and interrupts off: measured on the UML test kernel
 * (KASAN, lockdep), list to tree costs 160-290 ns per extent (660-780 us at
 * 4096 extents, 2 ms at 8192, 543 ms at 1M) and tree to list 20-40 ns, so
 * 4096 keeps the switch within ~1 ms.
 */
#define LMM_REINDEX_MAX		4096

/*
 * Extents per lock hold that the pool's own chunked walks (lmm_walk_free(),
 * lmm_histogram(), lmm_dump()) visit: 256 take about 0.1 ms with the tree on
 * the UML test kernel, so other CPUs wait at most that long.
 */
#define LMM_WALK_CHUNK		256

/* Longest policy name, with its NUL. */
#define LMM_POLICY_NAME_MAX	16

/**
 * enum lmm_misuse - kinds of caller error a pool detects and counts
 * @LMM_MISUSE_ZERO_SIZE: a size of zero.
 * @LMM_MISUSE_OUTSIDE: a block not inside one region.
 * @LMM_MISUSE_DOUBLE_FREE: a free of a block that is already entirely free.
 * @LMM_MISUSE_OVERLAP_FREE: a free that overlaps free space in part.
 * @LMM_MISUSE_BAD_REGION: a region overlapping another, or too large.
 * @LMM_MISUSE_BAD_ALIGN: alignment bits >= the word size.
 * @LMM_MISUSE_BAD_RANGE: an address range that is empty or wraps.
 * @LMM_MISUSE_NOT_ALLOCATED: debug mode: a free of a block never handed out.
 * @LMM_MISUSE_WRONG_SIZE: debug mode: a free with another size than allocated.
 * @LMM_NR_MISUSE: number of kinds.
 */
enum lmm_misuse {
	LMM_MISUSE_ZERO_SIZE,
	LMM_MISUSE_OUTSIDE,
	LMM_MISUSE_DOUBLE_FREE,
	LMM_MISUSE_OVERLAP_FREE,
	LMM_MISUSE_BAD_REGION,
	LMM_MISUSE_BAD_ALIGN,
	LMM_MISUSE_BAD_RANGE,
	LMM_MISUSE_NOT_ALLOCATED,
	LMM_MISUSE_WRONG_SIZE,
	LMM_NR_MISUSE,
};

/**
 * struct lmm_region - a range of address space managed by a pool
 *
 * Caller-provided storage, untouched by the caller between lmm_add_region()
 * and lmm_destroy().  All fields are protected by the owning pool's lock.
 */
struct lmm_region {
	/* private: */
	struct lmm_region *next;	/* pool list: priority desc, then size desc */
	uintptr_t min;			/* first byte, granule aligned */
	uintptr_t max;			/* one past the last byte, granule aligned */
	lmm_flags_t flags;
	lmm_pri_t pri;
	size_t free;			/* free bytes */
	unsigned long nr_free;		/* free extents */
	u32 root;			/* the policy's: its index's root; LMM_NIL when empty */
	u32 seed;			/* a random per-region salt (the treap's priorities) */
	u32 cursor;			/* the policy's: 0 whenever the index is rebuilt */
};

/**
 * struct lmm_stats - a consistent snapshot of a pool's state and counters
 * @allocs: successful allocations.
 * @frees: successful lmm_free() calls.
 * @failures: allocations that found no fitting free space (injected ones included).
 * @injected: failures injected by the fault hook.
 * @splits: free extents split by an allocation into two.
 * @merges: free extents joined by a free.
 * @misuse: caller errors caught, by enum lmm_misuse.
 * @nr_regions: regions in the pool.
 * @free_bytes: free bytes in all regions.
 * @free_extents: free extents in all regions.
 * @largest_free: the largest free extent, bytes.
 * @meta_bytes: bytes of index metadata; they live inside free extents (one
 *	16-byte node at the start of each), so they are also free bytes.
 * @debug_records: debug mode: live allocations recorded.
 * @debug_bytes: debug mode: memory the records take, spares included
 *	(outside the pool).
 * @policy: the name of the pool's search policy.
 * @debug: whether debug mode is on.
 */
struct lmm_stats {
	u64 allocs;
	u64 frees;
	u64 failures;
	u64 injected;
	u64 splits;
	u64 merges;
	u64 misuse[LMM_NR_MISUSE];
	unsigned long nr_regions;
	size_t free_bytes;
	unsigned long free_extents;
	size_t largest_free;
	size_t meta_bytes;
	unsigned long debug_records;
	size_t debug_bytes;
	char policy[LMM_POLICY_NAME_MAX];
	bool debug;
};

/**
 * struct lmm - a pool
 *
 * Caller-provided storage; initialise with lmm_init() and tear down with
 * lmm_destroy().  Every field is protected by @lock.
 */
struct lmm {
	/* private: */
	spinlock_t lock;
	struct lmm_region *regions;
	const struct lmm_policy *policy;
	const char *name;
	bool debug;			/* mirrors debug_tree != NULL, read unlocked */
	unsigned long warned;		/* misuse kinds already warned about */
	void *debug_tree;		/* debug mode: live allocations */
	struct lmm_record *spare;	/* debug mode: records kept, not freed */
	unsigned long nr_spare;
	unsigned long gen;		/* bumped when an index node goes away */
	struct lmm_region *hint_reg;	/* walks: the last extent visited, */
	u32 hint_g;			/* valid while gen == hint_gen */
	unsigned long hint_gen;
	struct memlab_fault_hook fault;	/* fault injection: fail this allocation? */
	struct lmm_stats stats;		/* counters; the state part is derived */
};

/**
 * struct lmm_info - a pool's settings, in one snapshot
 * @name: the pool's name.
 * @policy: the name of its search policy.
 * @debug: whether debug mode is on.
 * @nr_regions: regions in the pool.
 */
struct lmm_info {
	const char *name;
	char policy[LMM_POLICY_NAME_MAX];
	bool debug;
	unsigned int nr_regions;
};

/**
 * struct lmm_region_info - one region, in one snapshot
 * @min: first byte.
 * @max: one past the last byte.
 * @flags: the region's flags.
 * @pri: its priority.
 * @free: free bytes in it.
 * @nr_free: free extents in it.
 */
struct lmm_region_info {
	uintptr_t min;
	uintptr_t max;
	lmm_flags_t flags;
	lmm_pri_t pri;
	size_t free;
	unsigned long nr_free;
};

/**
 * struct lmm_histogram - free extents by power-of-two size
 * @count: extents with size in [2^i, 2^(i+1)) bytes, at index i.
 * @bytes: their total size.
 * @free: free bytes in all regions.
 * @largest: the largest free extent.
 * @extents: the number of free extents.
 */
struct lmm_histogram {
	unsigned long count[BITS_PER_LONG];
	size_t bytes[BITS_PER_LONG];
	size_t free;
	size_t largest;
	unsigned long extents;
};

/**
 * typedef lmm_walk_fn - callback of lmm_walk_free()
 * @arg: the caller's cookie.
 * @start: first byte of a free extent.
 * @size: its size.
 * @flags: its region's flags.
 */
typedef void (*lmm_walk_fn)(void *arg, uintptr_t start, size_t size, lmm_flags_t flags);

/**
 * typedef lmm_walk_step_fn - callback of lmm_walk_free_from()
 * @arg: the caller's cookie.
 * @start: first byte of a piece of free memory.
 * @size: its size.
 * @flags: its region's flags.
 *
 * Return: true to take the piece and go on; false to stop before it (the
 * walk then returns @start).
 */
typedef bool (*lmm_walk_step_fn)(void *arg, uintptr_t start, size_t size, lmm_flags_t flags);

/* Pool life cycle */
void lmm_init(struct lmm *lmm);
void lmm_set_name(struct lmm *lmm, const char *name);
void lmm_destroy(struct lmm *lmm);
int lmm_set_policy(struct lmm *lmm, const char *name);
int lmm_set_debug(struct lmm *lmm, bool on);
void lmm_set_fault_hook(struct lmm *lmm, memlab_fault_fn hook, void *arg);

/* Regions and free memory */
int lmm_add_region(struct lmm *lmm, struct lmm_region *reg, void *addr,
		   size_t size, lmm_flags_t flags, lmm_pri_t pri);
int lmm_add_free(struct lmm *lmm, void *block, size_t size);
int lmm_remove_free(struct lmm *lmm, void *block, size_t size);

/* Allocation */
void *lmm_alloc(struct lmm *lmm, size_t size, lmm_flags_t flags);
void *lmm_alloc_aligned(struct lmm *lmm, size_t size, lmm_flags_t flags,
			int align_bits, uintptr_t align_ofs);
void *lmm_alloc_gen(struct lmm *lmm, size_t size, lmm_flags_t flags,
		    int align_bits, uintptr_t align_ofs,
		    uintptr_t in_min, size_t in_size);
void *lmm_alloc_page(struct lmm *lmm, lmm_flags_t flags);
int lmm_free(struct lmm *lmm, void *block, size_t size);
int lmm_free_page(struct lmm *lmm, void *block);

/* Inspection */
size_t lmm_avail(struct lmm *lmm, lmm_flags_t flags);
void lmm_find_free(struct lmm *lmm, uintptr_t *inout_addr, size_t *out_size,
		   lmm_flags_t *out_flags);
int lmm_check(struct lmm *lmm);
void lmm_stats(struct lmm *lmm, struct lmm_stats *stats);
void lmm_histogram(struct lmm *lmm, struct lmm_histogram *h);
void lmm_walk_free(struct lmm *lmm, lmm_walk_fn fn, void *arg);
uintptr_t lmm_walk_free_from(struct lmm *lmm, uintptr_t from, unsigned long max,
			     lmm_walk_step_fn fn, void *arg);
void lmm_info(struct lmm *lmm, struct lmm_info *info);
int lmm_region_info(struct lmm *lmm, unsigned int idx, struct lmm_region_info *ri);
const char *lmm_misuse_name(enum lmm_misuse kind);

/**
 * typedef lmm_print_fn - output callback of lmm_dump()
 * @arg: the caller's cookie.
 * @fmt: printf format.
 */
__printf(2, 3) typedef void (*lmm_print_fn)(void *arg, const char *fmt, ...);
void lmm_dump(struct lmm *lmm, lmm_print_fn print, void *arg);

/* ------------------------------------------------------------------------
 * Policies: the index of a region's free extents and the search in it
 * ------------------------------------------------------------------------
 *
 * A policy decides how a region's free extents are indexed and which one a
 * request takes; the pool does everything else (regions and their order,
 * coalescing, misuse detection, locking, statistics, debug records).  The
 * index lives inside the free memory: the first granule of every free
 * extent holds a struct lmm_node, and extents are named by their granule
 * number relative to the region's start (lmm_node(), lmm_addr()).  The
 * pool sets a node's @size; its other three words are the policy's, and so
 * are a region's @root (LMM_NIL when the pool hands over an empty index)
 * and @cursor (0 when the index is rebuilt).
 *
 * Every operation is called with the pool lock held and interrupts off:
 * it must not sleep, allocate or take locks, and should stay within
 * O(log n) (a list index is O(n), as OSKit's).  The built-in policies are
 * "fast" (a treap by address with the largest extent of each subtree:
 * first fit in O(log n), the default), "linear" (OSKit's address-sorted
 * list and first fit) and "best_fit" (the treap, smallest fitting extent).
 */

/**
 * struct lmm_node - the index node in the first granule of a free extent
 * @left: the policy's (tree: child with lower addresses).
 * @right: the policy's (tree: child with higher addresses; list: next).
 * @size: extent size in granules, >= 1; set by the pool, read-only for
 *	the policy.
 * @max: the policy's (tree: the largest @size in the subtree).
 */
struct lmm_node {
	u32 left;
	u32 right;
	u32 size;
	u32 max;
};

/**
 * struct lmm_req - an allocation request, in bytes, validated by the pool
 * @size: bytes asked for, > 0.
 * @mask: alignment - 1.
 * @phase: the wanted (address & @mask).
 * @lo: lowest acceptable address.
 * @hi: the block must end at or below it (addr + size <= hi).
 * @min_g: granules that any fitting extent has at least.
 */
struct lmm_req {
	uintptr_t size;
	uintptr_t mask;
	uintptr_t phase;
	uintptr_t lo;
	uintptr_t hi;
	u32 min_g;
};

/* The node of the extent at granule @g of @reg. */
static inline struct lmm_node *lmm_node(const struct lmm_region *reg, u32 g)
{
	return (struct lmm_node *)(reg->min + ((uintptr_t)g << LMM_GRANULE_SHIFT));
}

/* The first byte of granule @g of @reg. */
static inline uintptr_t lmm_addr(const struct lmm_region *reg, u32 g)
{
	return reg->min + ((uintptr_t)g << LMM_GRANULE_SHIFT);
}

/* One past the last byte of the free extent at granule @g. */
static inline uintptr_t lmm_end(const struct lmm_region *reg, u32 g)
{
	return lmm_addr(reg, g) + ((uintptr_t)lmm_node(reg, g)->size << LMM_GRANULE_SHIFT);
}

/*
 * The lowest address in the free extent [s, e) that satisfies @rq, in
 * *@addr; false if it has none.  The lowest candidate is the first address
 * >= max(s, lo) with the right phase; every other condition only gets
 * harder as the address grows, so if that one fails the extent has none.
 * @e is granule aligned, so "addr + size <= e" also keeps the rounded-up
 * end inside the extent.
 */
static inline bool lmm_fit_in(const struct lmm_req *rq, uintptr_t s, uintptr_t e,
			      uintptr_t *addr)
{
	uintptr_t a = s > rq->lo ? s : rq->lo, d = (rq->phase - a) & rq->mask;

	if (a + d < a)
		return false;
	a += d;
	if (a >= e || rq->size > e - a || a >= rq->hi || rq->size > rq->hi - a)
		return false;
	*addr = a;
	return true;
}

/**
 * struct lmm_index_ops - a layout of the free extents of a region
 * @insert: add extent @g (its @size set, not adjacent to another extent)
 *	to the index; the node's other words are the index's to set.
 * @erase: remove extent @g; its node is the pool's again afterwards.
 * @resized: extent @g changed size (its start did not move).
 * @floor: the last extent starting at or below granule @g, or LMM_NIL.
 * @ceil: the first extent starting at or above granule @g, or LMM_NIL.
 * @next: the extent after @g in address order, or LMM_NIL (walks).
 * @largest: the size of the largest extent, in granules (0 if none).
 * @drain: optional: empty the index in O(n), returning its extents chained
 *	by @right in descending address order (LMM_NIL ends the chain).
 *	Without it, a switch away erases the first extent until none is left.
 * @check: optional: count the index's own violations (printing each, with
 *	the pool's name @pool) and the nodes it holds in *@nodes; the pool
 *	then checks the extents in address order, their sizes and counts.
 *	May be given corrupt nodes: it must bound its walk.
 *
 * Policies whose &lmm_policy.index is the same table share the layout, so
 * a pool switches between them in O(1); any other switch drains the old
 * index and inserts every extent into the new one in descending address
 * order (a list then prepends in O(1)).
 */
struct lmm_index_ops {
	void (*insert)(struct lmm_region *reg, u32 g);
	void (*erase)(struct lmm_region *reg, u32 g);
	void (*resized)(struct lmm_region *reg, u32 g);
	u32 (*floor)(const struct lmm_region *reg, u32 g);
	u32 (*ceil)(const struct lmm_region *reg, u32 g);
	u32 (*next)(const struct lmm_region *reg, u32 g);
	u32 (*largest)(const struct lmm_region *reg);
	u32 (*drain)(struct lmm_region *reg);
	int (*check)(const struct lmm_region *reg, const char *pool, unsigned long *nodes);
};

/**
 * struct lmm_policy - a pluggable LMM policy: an index and a search
 * @name: what lmm_set_policy() and knobs/lmm_policy call it: 1 to
 *	LMM_POLICY_NAME_MAX - 1 characters, no white space.
 * @owner: THIS_MODULE; pinned (try_module_get()) while a pool uses it.
 * @index: the index operations, all but @check required.
 * @find: the free extent of @reg a request takes and the address in it:
 *	*@ext and *@addr (lmm_fit_in() on the extent gives the lowest
 *	satisfying address); false if none.  The pool has already checked
 *	that the region has a free extent and meets [@rq->lo, @rq->hi).  May
 *	update @reg->cursor (e.g. next fit's rover).
 *
 * Register with lmm_register_policy(); the fields below are the pool's.
 */
struct lmm_policy {
	const char *name;
	struct module *owner;
	const struct lmm_index_ops *index;
	bool (*find)(struct lmm_region *reg, const struct lmm_req *rq,
		     uintptr_t *addr, u32 *ext);
	/* private: */
	struct list_head list;
	unsigned long users;		/* pools using it */
};

/*
 * The index of the built-in "linear" policy, OSKit's address-sorted list
 * (@right the next extent, @left the previous one, @root the head), for a
 * registered policy that brings only its own search: with it as its
 * &lmm_policy.index, a pool switches between that policy and "linear" in
 * O(1).  examples/lmm-policy-nextfit/ is such a policy.
 */
extern const struct lmm_index_ops lmm_list_index;

/**
 * lmm_treap_priority() - the fast index's heap priority of a free extent
 * @seed: the region's salt (&lmm_region.seed).
 * @g: the extent's first granule in the region.
 *
 * A 32-bit finaliser (murmur3's) of the salted granule number: the treap is
 * a max-heap on it.  In this header so that a test can build a tree of the
 * shape it needs.
 *
 * Return: the priority.
 */
static inline u32 lmm_treap_priority(u32 seed, u32 g)
{
	u32 h = g ^ seed;

	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

int lmm_register_policy(struct lmm_policy *policy);
int lmm_unregister_policy(struct lmm_policy *policy);
unsigned int lmm_policy_list(char names[][LMM_POLICY_NAME_MAX], unsigned int max);

#endif /* MEMLAB_LMM_H */
