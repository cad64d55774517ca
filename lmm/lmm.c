// SPDX-License-Identifier: GPL-2.0
/*
 * lmm: the List-based Memory Manager, with an O(log n) first fit.
 *
 * A pool is a list of regions sorted by descending priority (equal
 * priorities: larger regions first).  Each region keeps its free space as
 * fully coalesced extents of whole 16-byte granules.  Allocation walks the
 * regions in order and takes, in the first region that has one, the lowest
 * address that satisfies the request - exactly OSKit's answer.
 *
 * The index of a region's free extents lives inside the extents themselves:
 * the first granule of every free extent holds a 16-byte node.  Nodes refer
 * to each other by granule number relative to the region's start, which is
 * what lets a node fit in one granule:
 *
 *   region min                                                   region max
 *   |  used  |N......free.......|  used   |N.free.|   used   |N...free...|
 *             ^ struct lmm_node            ^                  ^
 *             { left, right, size, max }   granule numbers, 32 bits each
 *
 * How the nodes are arranged and searched is the pool's policy (struct
 * lmm_policy in lmm.h: an index and a search, as genalloc's algorithms are
 * functions); the core here keeps regions, coalescing, misuse detection,
 * locking, statistics and debug records, and reaches the index only through
 * the policy's operations.  "fast" and "best_fit" arrange the nodes as a
 * treap: a binary search tree by address whose heap priorities are a hash of
 * each node's granule number (salted per region), so its expected depth is
 * O(log n) whatever the order of operations.  Each node also records the
 * largest extent in its subtree ("max", the augmentation vmalloc uses), so a
 * search skips every subtree too small for the request.  "linear" chains
 * the same nodes into OSKit's address-sorted list ("right" is the next
 * pointer) and scans it.  Other modules may register their own
 * (lmm_register_policy()).
 *
 * Consequences of keeping the index in free memory: no allocation ever needs
 * metadata from elsewhere, so freeing never fails for lack of it; the
 * metadata costs nothing beyond the free bytes themselves; and, as in OSKit,
 * free memory must be writable and a write to freed memory corrupts the
 * pool (lmm_check() finds it).
 *
 * Cost, with n free extents in a region: insert, erase, resize and neighbour
 * lookups O(log n) expected.  The first-fit search is O(log n) when the
 * request has no alignment beyond the granule; with alignment, extents large
 * enough by size but unable to host the aligned address ("near misses") are
 * visited on the way, each at O(1) amortised within the in-order walk.
 *
 * Lock order:
 *   1. lmm_policy_lock (global spinlock)
 *   2. lmm->lock (per-pool spinlock, irq-safe)
 *
 *   The two never nest inside lmm: an entry point that needs both (a policy
 *   switch, a pool's destruction) takes and drops the registry's lock before
 *   or after the pool's.  lmm->lock is the innermost lock of memlab: the
 *   pages layer calls lmm_alloc_gen() and lmm_free() under its instance
 *   lock, and nothing called with lmm->lock held takes another lock (the
 *   slab allocator included: see below) but KUnit's resource lock, when a
 *   case that provokes a misuse records it (common/misuse.h).
 *
 *   lmm_policy_lock
 *
 *   Protects the list of registered policies (lmm_policies) and the @users
 *   count of every registered policy.  The built-in policies are constant
 *   and never on the list.  It is taken in process context only, with
 *   interrupts on, so the entry points that take it (policy registration,
 *   lmm_set_policy(), lmm_policy_list(), lmm_destroy() of a pool on a registered
 *   policy) are process context.
 *
 *   lmm->lock
 *
 *   Protects every field of struct lmm and of its regions: the region list
 *   and each region's index (the nodes inside the free extents, @root,
 *   @cursor), the regions' @free and @nr_free, @policy, @name, @warned, the
 *   debug records (@debug_tree, @spare, @nr_spare), the walk hint (@gen,
 *   @hint_reg, @hint_g, @hint_gen), the fault hook and @stats.  @debug
 *   mirrors @debug_tree != NULL: written under the lock, read without it
 *   (READ_ONCE()) to decide whether to allocate a record first.  Only the
 *   exported entry points take it; every helper below them says "Context:
 *   caller holds lmm->lock" and asserts it with lockdep_assert_held().  A
 *   policy's operations run under it and get the region, not the pool.
 *
 *   No entry point allocates or frees memory with the lock held: debug
 *   records are allocated before the lock is taken and freed after it is
 *   dropped, and not at all where the slab allocator may not be called
 *   (PREEMPT_RT with interrupts or preemption off; see lmm_may_alloc()).
 *   Listings walk the free space in bounded chunks, one lock hold each
 *   (lmm_walk_free_from()).
 *
 * The file builds unchanged in user space, over the kernel shims of
 * tools/testing/shim (the fuzzers and tools/testing/lmm-user).
 */

#define pr_fmt(fmt) "memlab: " fmt
#include <linux/export.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mmdebug.h>
#include <linux/module.h>
#include <linux/prefetch.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "common/check.h"
#include "common/fault_hook.h"
#include "common/memlab_export.h"
#include "common/memlab_trace.h"
#include "common/misuse.h"
#include "lmm/lmm.h"

/* ------------------------------------------------------------------------
 * Data
 * ------------------------------------------------------------------------
 */

static_assert(sizeof(struct lmm_node) <= LMM_GRANULE);

static const char * const lmm_misuse_names[] = {
	[LMM_MISUSE_ZERO_SIZE]		= "zero size",
	[LMM_MISUSE_OUTSIDE]		= "block outside every region",
	[LMM_MISUSE_DOUBLE_FREE]	= "double free",
	[LMM_MISUSE_OVERLAP_FREE]	= "free overlapping free space",
	[LMM_MISUSE_BAD_REGION]		= "bad region",
	[LMM_MISUSE_BAD_ALIGN]		= "alignment bits out of range",
	[LMM_MISUSE_BAD_RANGE]		= "empty or wrapping address range",
	[LMM_MISUSE_NOT_ALLOCATED]	= "free of a block never allocated",
	[LMM_MISUSE_WRONG_SIZE]		= "free with the wrong size",
};

static_assert(ARRAY_SIZE(lmm_misuse_names) == LMM_NR_MISUSE);

/* Validators: MEMLAB_CHECK() for a pool named @pool_name, counting in @bad. */
#define LMM_CHECK(cond, fmt, ...) \
	MEMLAB_CHECK(bad, "lmm", pool_name, cond, fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------------
 * Granules
 * ------------------------------------------------------------------------
 */

static inline uintptr_t lmm_round_down(uintptr_t a)
{
	return a & ~(LMM_GRANULE - 1);
}

/* Granule number of a granule-aligned address inside @reg. */
static inline u32 lmm_gran(const struct lmm_region *reg, uintptr_t a)
{
	return (a - reg->min) >> LMM_GRANULE_SHIFT;
}

/* ------------------------------------------------------------------------
 * The treap: the index of "fast" and "best_fit"
 *
 * A binary search tree by address whose heap priorities are a hash of each
 * node's granule number (salted per region), so its expected depth is
 * O(log n) whatever the order of operations.  Each node also records the
 * largest extent in its subtree (@max, the augmentation vmalloc uses), so a
 * search skips every subtree too small for the request.
 * ------------------------------------------------------------------------
 */

/* Treap heap priority of extent @g in @reg (lmm.h: lmm_treap_priority()). */
static inline u32 lmm_prio(const struct lmm_region *reg, u32 g)
{
	return lmm_treap_priority(reg->seed, g);
}

static inline u32 lmm_max_of(const struct lmm_region *reg, u32 t)
{
	return t == LMM_NIL ? 0 : lmm_node(reg, t)->max;
}

static inline void lmm_tree_update(const struct lmm_region *reg, u32 t)
{
	struct lmm_node *n = lmm_node(reg, t);

	n->max = max3(n->size, lmm_max_of(reg, n->left), lmm_max_of(reg, n->right));
}

/* Split subtree @t into nodes below @key (*@l) and at or above it (*@r). */
static void lmm_tree_split(const struct lmm_region *reg, u32 t, u32 key,
			   u32 *l, u32 *r)
{
	struct lmm_node *n;

	if (t == LMM_NIL) {
		*l = LMM_NIL;
		*r = LMM_NIL;
		return;
	}
	n = lmm_node(reg, t);
	if (t < key) {
		lmm_tree_split(reg, n->right, key, &n->right, r);
		*l = t;
	} else {
		lmm_tree_split(reg, n->left, key, l, &n->left);
		*r = t;
	}
	lmm_tree_update(reg, t);
}

/* Join two treaps, every node of @a below every node of @b. */
static u32 lmm_tree_merge(const struct lmm_region *reg, u32 a, u32 b)
{
	struct lmm_node *n;

	if (a == LMM_NIL)
		return b;
	if (b == LMM_NIL)
		return a;
	if (lmm_prio(reg, a) > lmm_prio(reg, b)) {
		n = lmm_node(reg, a);
		n->right = lmm_tree_merge(reg, n->right, b);
		lmm_tree_update(reg, a);
		return a;
	}
	n = lmm_node(reg, b);
	n->left = lmm_tree_merge(reg, a, n->left);
	lmm_tree_update(reg, b);
	return b;
}

/* Remove node @g from under @t; returns the new root. */
static u32 lmm_tree_erase(const struct lmm_region *reg, u32 t, u32 g)
{
	struct lmm_node *n = lmm_node(reg, t);

	if (t == g)
		return lmm_tree_merge(reg, n->left, n->right);
	if (g < t)
		n->left = lmm_tree_erase(reg, n->left, g);
	else
		n->right = lmm_tree_erase(reg, n->right, g);
	lmm_tree_update(reg, t);
	return t;
}

/* Node @g changed size: recompute the maxima on its path. */
static void lmm_tree_resized(const struct lmm_region *reg, u32 t, u32 g)
{
	struct lmm_node *n = lmm_node(reg, t);

	if (t != g)
		lmm_tree_resized(reg, g < t ? n->left : n->right, g);
	lmm_tree_update(reg, t);
}

/*
 * The update paths below descend iteratively, remember the nodes above @g
 * (at most LMM_TREAP_PATH of them; a deeper path, improbable at any size a
 * region can have, takes the recursive functions above instead), and
 * recompute the maxima from the bottom up, stopping at the first node whose
 * maximum does not change: nothing above it can change either.  The profile
 * (tools/testing/lmm-bench) showed the recursion, not cache misses, as the
 * cost that grows with the depth.
 */
#define LMM_TREAP_PATH	64

/* Recompute the maxima of @path[@depth - 1] .. @path[0], bottom up. */
static void lmm_tree_fix_path(const struct lmm_region *reg, const u32 *path,
			      unsigned int depth)
{
	while (depth--) {
		struct lmm_node *n = lmm_node(reg, path[depth]);
		u32 old = n->max;

		lmm_tree_update(reg, path[depth]);
		if (n->max == old)
			break;
	}
}

/*
 * Insert node @g (its size already set): down the search path while the
 * nodes there outrank it, raising their maxima on the way, then split the
 * subtree it takes over.  The same tree the recursive textbook insert makes.
 */
static void lmm_treap_insert(struct lmm_region *reg, u32 g)
{
	struct lmm_node *n = lmm_node(reg, g), *c;
	u32 *link = &reg->root, prio = lmm_prio(reg, g);

	n->left = LMM_NIL;
	n->right = LMM_NIL;
	n->max = n->size;
	while (*link != LMM_NIL && prio <= lmm_prio(reg, *link)) {
		c = lmm_node(reg, *link);
		c->max = max(c->max, n->size);
		link = g < *link ? &c->left : &c->right;
	}
	lmm_tree_split(reg, *link, g, &n->left, &n->right);
	lmm_tree_update(reg, g);
	*link = g;
}

static void lmm_treap_erase(struct lmm_region *reg, u32 g)
{
	u32 path[LMM_TREAP_PATH], *link = &reg->root, t;
	unsigned int depth = 0;
	struct lmm_node *n;

	while ((t = *link) != g) {
		if (t == LMM_NIL)
			return;		/* not in the tree: the pool never asks that */
		if (depth == LMM_TREAP_PATH) {
			reg->root = lmm_tree_erase(reg, reg->root, g);
			return;
		}
		path[depth++] = t;
		n = lmm_node(reg, t);
		link = g < t ? &n->left : &n->right;
	}
	n = lmm_node(reg, g);
	*link = lmm_tree_merge(reg, n->left, n->right);
	lmm_tree_fix_path(reg, path, depth);
}

static void lmm_treap_resized(struct lmm_region *reg, u32 g)
{
	u32 path[LMM_TREAP_PATH], t = reg->root, old;
	unsigned int depth = 0;
	struct lmm_node *n;

	while (t != g) {
		if (t == LMM_NIL)
			return;
		if (depth == LMM_TREAP_PATH) {
			lmm_tree_resized(reg, reg->root, g);
			return;
		}
		path[depth++] = t;
		t = g < t ? lmm_node(reg, t)->left : lmm_node(reg, t)->right;
	}
	/* @g itself first: the path holds only its ancestors, up to all 64 */
	n = lmm_node(reg, g);
	old = n->max;
	lmm_tree_update(reg, g);
	if (n->max != old)
		lmm_tree_fix_path(reg, path, depth);
}

static u32 lmm_treap_floor(const struct lmm_region *reg, u32 g)
{
	u32 t = reg->root, best = LMM_NIL;

	while (t != LMM_NIL) {
		if (t <= g) {
			best = t;
			t = lmm_node(reg, t)->right;
		} else {
			t = lmm_node(reg, t)->left;
		}
	}
	return best;
}

static u32 lmm_treap_ceil(const struct lmm_region *reg, u32 g)
{
	u32 t = reg->root, best = LMM_NIL;

	while (t != LMM_NIL) {
		if (t >= g) {
			best = t;
			t = lmm_node(reg, t)->left;
		} else {
			t = lmm_node(reg, t)->right;
		}
	}
	return best;
}

static u32 lmm_treap_next(const struct lmm_region *reg, u32 g)
{
	return g == LMM_NIL - 1 ? LMM_NIL : lmm_treap_ceil(reg, g + 1);
}

static u32 lmm_treap_largest(const struct lmm_region *reg)
{
	return lmm_max_of(reg, reg->root);
}

/*
 * In order, prepending each node to *@head, so the chain comes out in
 * descending order; a node's @right is read before it is overwritten.
 */
static void lmm_tree_drain(struct lmm_region *reg, u32 t, u32 *head)
{
	while (t != LMM_NIL) {
		struct lmm_node *n = lmm_node(reg, t);
		u32 right = n->right;

		lmm_tree_drain(reg, n->left, head);
		n->right = *head;
		*head = t;
		t = right;
	}
}

static u32 lmm_treap_drain(struct lmm_region *reg)
{
	u32 head = LMM_NIL;

	lmm_tree_drain(reg, reg->root, &head);
	reg->root = LMM_NIL;
	return head;
}

/*
 * Tree invariants under @t: addresses ordered, keys within (lo, hi),
 * priorities form a max-heap, max is the largest size below.  Returns the
 * number of violations; *@count accumulates nodes.
 */
static int lmm_check_tree(const struct lmm_region *reg, const char *pool_name,
			  u32 t, u32 lo, u32 hi, unsigned long *count, int depth)
{
	const struct lmm_node *n;
	int bad = 0;

	if (t == LMM_NIL)
		return 0;
	LMM_CHECK(depth < 256, "region %p: tree deeper than 256", (void *)reg->min);
	if (depth >= 256)
		return bad;
	n = lmm_node(reg, t);
	LMM_CHECK(lo == LMM_NIL || t > lo, "node %u not above %u", t, lo);
	LMM_CHECK(hi == LMM_NIL || t < hi, "node %u not below %u", t, hi);
	LMM_CHECK((n->left == LMM_NIL || n->left < lmm_gran(reg, reg->max)) &&
		  (n->right == LMM_NIL || n->right < lmm_gran(reg, reg->max)),
		  "node %u: a child outside the region", t);
	if (bad)
		return bad;
	LMM_CHECK(n->max == max3(n->size, lmm_max_of(reg, n->left), lmm_max_of(reg, n->right)),
		  "node %u max %u wrong", t, n->max);
	LMM_CHECK(n->left == LMM_NIL || lmm_prio(reg, n->left) <= lmm_prio(reg, t),
		  "node %u: left child breaks the heap", t);
	LMM_CHECK(n->right == LMM_NIL || lmm_prio(reg, n->right) <= lmm_prio(reg, t),
		  "node %u: right child breaks the heap", t);
	(*count)++;
	if (bad)
		return bad;
	bad += lmm_check_tree(reg, pool_name, n->left, lo, t, count, depth + 1);
	bad += lmm_check_tree(reg, pool_name, n->right, t, hi, count, depth + 1);
	return bad;
}

static int lmm_treap_check(const struct lmm_region *reg, const char *pool_name,
			   unsigned long *nodes)
{
	return lmm_check_tree(reg, pool_name, reg->root, LMM_NIL, LMM_NIL, nodes, 0);
}

static const struct lmm_index_ops lmm_treap = {
	.insert		= lmm_treap_insert,
	.erase		= lmm_treap_erase,
	.resized	= lmm_treap_resized,
	.floor		= lmm_treap_floor,
	.ceil		= lmm_treap_ceil,
	.next		= lmm_treap_next,
	.largest	= lmm_treap_largest,
	.drain		= lmm_treap_drain,
	.check		= lmm_treap_check,
};

/*
 * Lowest fitting address under subtree @t: in-order, skipping subtrees
 * whose largest extent is too small and those entirely outside [lo, hi).
 * Left children hold extents ending at or below this node's start; right
 * children start beyond its end.
 */
static bool lmm_tree_first_fit(const struct lmm_region *reg, u32 t,
			       const struct lmm_req *rq, uintptr_t *addr, u32 *ext)
{
	while (t != LMM_NIL) {
		const struct lmm_node *n = lmm_node(reg, t);
		uintptr_t s = lmm_addr(reg, t);
		uintptr_t e = s + ((uintptr_t)n->size << LMM_GRANULE_SHIFT);

		if (n->max < rq->min_g)
			return false;
		/* the right child is likely next: fetch it while the left is examined */
		if (n->right != LMM_NIL)
			prefetch(lmm_node(reg, n->right));
		/* look at the left child's maximum before paying for a call */
		if (s > rq->lo && n->left != LMM_NIL &&
		    lmm_node(reg, n->left)->max >= rq->min_g &&
		    lmm_tree_first_fit(reg, n->left, rq, addr, ext))
			return true;
		if (n->size >= rq->min_g && lmm_fit_in(rq, s, e, addr)) {
			*ext = t;
			return true;
		}
		if (e >= rq->hi)
			return false;
		t = n->right;
	}
	return false;
}

static bool lmm_fast_find(struct lmm_region *reg, const struct lmm_req *rq,
			  uintptr_t *addr, u32 *ext)
{
	return lmm_tree_first_fit(reg, reg->root, rq, addr, ext);
}

/*
 * Smallest fitting extent under @t, lowest address among equals; the
 * in-order walk meets lower addresses first, so only a strictly smaller
 * extent replaces the best so far.
 */
static void lmm_tree_best_fit(const struct lmm_region *reg, u32 t,
			      const struct lmm_req *rq, uintptr_t *addr, u32 *ext)
{
	uintptr_t a;

	while (t != LMM_NIL) {
		const struct lmm_node *n = lmm_node(reg, t);
		uintptr_t s = lmm_addr(reg, t);
		uintptr_t e = s + ((uintptr_t)n->size << LMM_GRANULE_SHIFT);

		if (n->max < rq->min_g)
			return;
		if (*ext != LMM_NIL && lmm_node(reg, *ext)->size == rq->min_g)
			return;		/* nothing can beat an exact fit */
		if (s > rq->lo)
			lmm_tree_best_fit(reg, n->left, rq, addr, ext);
		if (n->size >= rq->min_g &&
		    (*ext == LMM_NIL || n->size < lmm_node(reg, *ext)->size) &&
		    lmm_fit_in(rq, s, e, &a)) {
			*ext = t;
			*addr = a;
		}
		if (e >= rq->hi)
			return;
		t = n->right;
	}
}

static bool lmm_best_fit_find(struct lmm_region *reg, const struct lmm_req *rq,
			      uintptr_t *addr, u32 *ext)
{
	*ext = LMM_NIL;
	lmm_tree_best_fit(reg, reg->root, rq, addr, ext);
	return *ext != LMM_NIL;
}

/* ------------------------------------------------------------------------
 * OSKit's address-sorted list: the index of "linear"
 *
 * The same nodes chained by address, @right the next extent, @left the
 * previous one (OSKit's list is singly linked; the back link makes erase
 * O(1)), @root the head.  Exported for policies that bring only a search.
 * ------------------------------------------------------------------------
 */

static u32 lmm_list_floor(const struct lmm_region *reg, u32 g)
{
	u32 t, best = LMM_NIL;

	for (t = reg->root; t != LMM_NIL && t <= g; t = lmm_node(reg, t)->right)
		best = t;
	return best;
}

static u32 lmm_list_ceil(const struct lmm_region *reg, u32 g)
{
	u32 t = reg->root;

	while (t != LMM_NIL && t < g)
		t = lmm_node(reg, t)->right;
	return t;
}

static u32 lmm_list_next(const struct lmm_region *reg, u32 g)
{
	return lmm_node(reg, g)->right;
}

static void lmm_list_insert(struct lmm_region *reg, u32 g)
{
	u32 prev = g ? lmm_list_floor(reg, g - 1) : LMM_NIL;
	struct lmm_node *n = lmm_node(reg, g);

	n->left = prev;
	n->right = prev == LMM_NIL ? reg->root : lmm_node(reg, prev)->right;
	n->max = 0;
	if (n->right != LMM_NIL)
		lmm_node(reg, n->right)->left = g;
	if (prev == LMM_NIL)
		reg->root = g;
	else
		lmm_node(reg, prev)->right = g;
}

static void lmm_list_erase(struct lmm_region *reg, u32 g)
{
	struct lmm_node *n = lmm_node(reg, g);

	if (n->left == LMM_NIL)
		reg->root = n->right;
	else
		lmm_node(reg, n->left)->right = n->right;
	if (n->right != LMM_NIL)
		lmm_node(reg, n->right)->left = n->left;
}

static void lmm_list_resized(struct lmm_region *reg, u32 g)
{
}

static u32 lmm_list_largest(const struct lmm_region *reg)
{
	u32 t, best = 0;

	for (t = reg->root; t != LMM_NIL; t = lmm_node(reg, t)->right)
		best = max(best, lmm_node(reg, t)->size);
	return best;
}

/* Every back link mirrors a forward one; the walk is bounded by the granules. */
static int lmm_list_check(const struct lmm_region *reg, const char *pool,
			  unsigned long *nodes)
{
	u32 t, prev = LMM_NIL, ng = (reg->max - reg->min) / LMM_GRANULE;

	for (t = reg->root; t != LMM_NIL; prev = t, t = lmm_node(reg, t)->right) {
		if (t >= ng || *nodes >= ng || lmm_node(reg, t)->left != prev) {
			pr_err("lmm %s: list: extent %u after %u: bad link\n", pool, t, prev);
			return 1;
		}
		(*nodes)++;
	}
	return 0;
}

const struct lmm_index_ops lmm_list_index = {
	.insert		= lmm_list_insert,
	.erase		= lmm_list_erase,
	.resized	= lmm_list_resized,
	.floor		= lmm_list_floor,
	.ceil		= lmm_list_ceil,
	.next		= lmm_list_next,
	.largest	= lmm_list_largest,
	.check		= lmm_list_check,
};
EXPORT_SYMBOL_NS_GPL(lmm_list_index, MEMLAB_NS);

/* OSKit's way: walk the address-sorted list. */
static bool lmm_linear_find(struct lmm_region *reg, const struct lmm_req *rq,
			    uintptr_t *addr, u32 *ext)
{
	u32 t;

	for (t = reg->root; t != LMM_NIL; t = lmm_node(reg, t)->right) {
		uintptr_t s = lmm_addr(reg, t);

		if (s >= rq->hi)
			return false;
		if (lmm_fit_in(rq, s, lmm_end(reg, t), addr)) {
			*ext = t;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------------
 * The built-in policies and the registry of the others
 * ------------------------------------------------------------------------
 */

static const struct lmm_policy lmm_policy_fast = {
	.name = "fast", .index = &lmm_treap, .find = lmm_fast_find,
};

static const struct lmm_policy lmm_policy_linear = {
	.name = "linear", .index = &lmm_list_index, .find = lmm_linear_find,
};

static const struct lmm_policy lmm_policy_best_fit = {
	.name = "best_fit", .index = &lmm_treap, .find = lmm_best_fit_find,
};

static const struct lmm_policy * const lmm_builtin_policies[] = {
	&lmm_policy_fast, &lmm_policy_linear, &lmm_policy_best_fit,
};

/*
 * The registered policies.  lmm_policy_lock protects the list and every
 * registered policy's @users; it nests inside no other lock (a pool's lock
 * is never held while it is taken).
 */
static LIST_HEAD(lmm_policies);
static DEFINE_SPINLOCK(lmm_policy_lock);

static bool lmm_policy_builtin(const struct lmm_policy *p)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lmm_builtin_policies); i++)
		if (p == lmm_builtin_policies[i])
			return true;
	return false;
}

/* The policy called @name, or NULL.  Context: caller holds lmm_policy_lock. */
static struct lmm_policy *lmm_policy_find_locked(const char *name)
{
	struct lmm_policy *p;

	lockdep_assert_held(&lmm_policy_lock);
	list_for_each_entry(p, &lmm_policies, list)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/*
 * The policy called @name (a trailing newline is ignored, as sysfs_streq()
 * does), with a use counted and its module pinned; NULL if there is none or
 * its module is going away.
 */
static const struct lmm_policy *lmm_policy_get(const char *name)
{
	struct lmm_policy *p;
	char buf[LMM_POLICY_NAME_MAX];
	size_t len = strlen(name);
	unsigned int i;

	if (len && name[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (i = 0; i < ARRAY_SIZE(lmm_builtin_policies); i++)
		if (!strcmp(buf, lmm_builtin_policies[i]->name))
			return lmm_builtin_policies[i];
	spin_lock(&lmm_policy_lock);
	p = lmm_policy_find_locked(buf);
	if (p && try_module_get(p->owner))
		p->users++;
	else
		p = NULL;
	spin_unlock(&lmm_policy_lock);
	return p;
}

/* Drop what lmm_policy_get() took.  Context: no pool lock held. */
static void lmm_policy_put(const struct lmm_policy *policy)
{
	struct lmm_policy *p = (struct lmm_policy *)policy;

	if (lmm_policy_builtin(policy))
		return;
	spin_lock(&lmm_policy_lock);
	p->users--;
	spin_unlock(&lmm_policy_lock);
	module_put(p->owner);
}

static bool lmm_policy_valid(const struct lmm_policy *p)
{
	const struct lmm_index_ops *ix = p->index;
	size_t i, len;

	if (!p->name || !p->find || !ix || !ix->insert || !ix->erase || !ix->resized ||
	    !ix->floor || !ix->ceil || !ix->next || !ix->largest)
		return false;
	len = strnlen(p->name, LMM_POLICY_NAME_MAX);
	if (!len || len == LMM_POLICY_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)	/* no white space, no control characters */
		if ((unsigned char)p->name[i] <= ' ' || p->name[i] == 0x7f)
			return false;
	return true;
}

/**
 * lmm_register_policy() - make a policy available to every pool
 * @policy: the policy, with @name, @owner, @index and @find set; it must
 *	stay in place until lmm_unregister_policy() succeeds.
 *
 * The policy can then be chosen by name with lmm_set_policy() (and so in
 * knobs/lmm_policy, the workload runner's policy= and the benchmark).
 * A pool that switches to it pins @owner, so its module cannot be unloaded
 * while a pool uses it.
 *
 * Context: process context: takes lmm_policy_lock, which no interrupt or
 * softirq handler may take, since it is held with interrupts on.
 * Return: 0; -EINVAL for a missing name or operation, or a name that is
 * empty, too long (LMM_POLICY_NAME_MAX) or has white space in it; -EEXIST
 * when the name is taken (a built-in one or another registered policy) or
 * @policy is registered already.
 */
int lmm_register_policy(struct lmm_policy *policy)
{
	unsigned int i;
	int ret = 0;

	if (!policy || !lmm_policy_valid(policy))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(lmm_builtin_policies); i++)
		if (!strcmp(policy->name, lmm_builtin_policies[i]->name))
			return -EEXIST;
	spin_lock(&lmm_policy_lock);
	if (lmm_policy_find_locked(policy->name)) {
		ret = -EEXIST;
	} else {
		policy->users = 0;
		list_add_tail(&policy->list, &lmm_policies);
	}
	spin_unlock(&lmm_policy_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(lmm_register_policy, MEMLAB_NS);

/**
 * lmm_unregister_policy() - withdraw a policy
 * @policy: a policy given to lmm_register_policy().
 *
 * Refused while any pool uses the policy: switch those pools to another
 * policy (or destroy them) first.  A module's policy cannot be in use when
 * its exit function runs, since every pool using it holds a reference to
 * the module.
 *
 * Context: process context: takes lmm_policy_lock, which no interrupt or
 * softirq handler may take, since it is held with interrupts on.
 * Return: 0; -EBUSY (nothing changed) while a pool uses it; -ENOENT if it
 * is not registered.
 */
int lmm_unregister_policy(struct lmm_policy *policy)
{
	unsigned long users = 0;
	int ret = 0;

	spin_lock(&lmm_policy_lock);
	if (!policy || !policy->name || lmm_policy_find_locked(policy->name) != policy)
		ret = -ENOENT;
	else if (policy->users)
		ret = -EBUSY;
	else
		list_del(&policy->list);
	if (ret == -EBUSY)
		users = policy->users;
	spin_unlock(&lmm_policy_lock);
	if (ret == -EBUSY)
		pr_info_ratelimited("lmm policy %s: unregister refused: %lu pools use it\n",
				    policy->name, users);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(lmm_unregister_policy, MEMLAB_NS);

/**
 * lmm_policy_list() - the names of every policy a pool can use
 * @names: filled in with up to @max names, the built-in ones first, then
 *	the registered ones in registration order.
 * @max: room in @names.
 *
 * Context: process context: takes lmm_policy_lock, which no interrupt or
 * softirq handler may take, since it is held with interrupts on.
 * Return: the number of policies, which may exceed @max.
 */
unsigned int lmm_policy_list(char names[][LMM_POLICY_NAME_MAX], unsigned int max)
{
	const struct lmm_policy *p;
	unsigned int n = 0, i;

	for (i = 0; i < ARRAY_SIZE(lmm_builtin_policies); i++, n++)
		if (n < max)
			strscpy(names[n], lmm_builtin_policies[i]->name, LMM_POLICY_NAME_MAX);
	spin_lock(&lmm_policy_lock);
	list_for_each_entry(p, &lmm_policies, list) {
		if (n < max)
			strscpy(names[n], p->name, LMM_POLICY_NAME_MAX);
		n++;
	}
	spin_unlock(&lmm_policy_lock);
	return n;
}
EXPORT_SYMBOL_NS_GPL(lmm_policy_list, MEMLAB_NS);

/* ------------------------------------------------------------------------
 * The index of a pool: its policy's operations, with the free counters.
 * The default policy's functions are named, so that a kernel with
 * retpolines calls them directly (linux/indirect_call_wrapper.h).
 * Context: caller holds lmm->lock.
 * ------------------------------------------------------------------------
 */

/* Last extent starting at or below granule @g, or LMM_NIL. */
static u32 lmm_idx_floor(const struct lmm *lmm, const struct lmm_region *reg, u32 g)
{
	lockdep_assert_held(&lmm->lock);
	return INDIRECT_CALL_1(lmm->policy->index->floor, lmm_treap_floor, reg, g);
}

/* First extent starting at or above granule @g, or LMM_NIL. */
static u32 lmm_idx_ceil(const struct lmm *lmm, const struct lmm_region *reg, u32 g)
{
	lockdep_assert_held(&lmm->lock);
	return INDIRECT_CALL_1(lmm->policy->index->ceil, lmm_treap_ceil, reg, g);
}

static u32 lmm_idx_next(const struct lmm *lmm, const struct lmm_region *reg, u32 g)
{
	lockdep_assert_held(&lmm->lock);
	return INDIRECT_CALL_1(lmm->policy->index->next, lmm_treap_next, reg, g);
}

static u32 lmm_idx_first(const struct lmm *lmm, const struct lmm_region *reg)
{
	lockdep_assert_held(&lmm->lock);
	return lmm_idx_ceil(lmm, reg, 0);
}

/* Add a free extent of @size granules at granule @g (not adjacent to another). */
static void lmm_ext_add(struct lmm *lmm, struct lmm_region *reg, u32 g, u32 size)
{
	lockdep_assert_held(&lmm->lock);
	lmm_node(reg, g)->size = size;
	INDIRECT_CALL_1(lmm->policy->index->insert, lmm_treap_insert, reg, g);
	reg->nr_free++;
	reg->free += (size_t)size << LMM_GRANULE_SHIFT;
}

/* Remove extent @g; its node stops existing, so walk hints are stale. */
static void lmm_ext_del(struct lmm *lmm, struct lmm_region *reg, u32 g)
{
	lockdep_assert_held(&lmm->lock);
	lmm->gen++;
	reg->nr_free--;
	reg->free -= (size_t)lmm_node(reg, g)->size << LMM_GRANULE_SHIFT;
	INDIRECT_CALL_1(lmm->policy->index->erase, lmm_treap_erase, reg, g);
}

static void lmm_ext_resize(struct lmm *lmm, struct lmm_region *reg, u32 g, u32 size)
{
	struct lmm_node *n = lmm_node(reg, g);

	lockdep_assert_held(&lmm->lock);
	reg->free -= (size_t)n->size << LMM_GRANULE_SHIFT;
	reg->free += (size_t)size << LMM_GRANULE_SHIFT;
	n->size = size;
	INDIRECT_CALL_1(lmm->policy->index->resized, lmm_treap_resized, reg, g);
}

/* ------------------------------------------------------------------------
 * Searching
 * ------------------------------------------------------------------------
 */

/* Context: caller holds lmm->lock. */
static bool lmm_region_find(const struct lmm *lmm, struct lmm_region *reg,
			    const struct lmm_req *rq, uintptr_t *addr, u32 *ext)
{
	lockdep_assert_held(&lmm->lock);
	/* Cheap rejections: the range misses the region, or nothing is big enough. */
	if (rq->hi <= reg->min || rq->lo >= reg->max || !reg->nr_free)
		return false;
	return INDIRECT_CALL_2(lmm->policy->find, lmm_best_fit_find, lmm_fast_find,
			       reg, rq, addr, ext);
}

/*
 * Take the granules under [a, a + size) out of free extent @g.
 * Context: caller holds lmm->lock.
 */
static void lmm_carve(struct lmm *lmm, struct lmm_region *reg, u32 g,
		      uintptr_t a, uintptr_t size)
{
	uintptr_t s = lmm_addr(reg, g), e = lmm_end(reg, g);
	uintptr_t a0 = lmm_round_down(a), a1 = lmm_round_down(a + size - 1) + LMM_GRANULE;
	u32 head = (a0 - s) >> LMM_GRANULE_SHIFT;
	u32 tail = (e - a1) >> LMM_GRANULE_SHIFT;

	lockdep_assert_held(&lmm->lock);
	if (!head)
		lmm_ext_del(lmm, reg, g);
	else
		lmm_ext_resize(lmm, reg, g, head);
	if (tail)
		lmm_ext_add(lmm, reg, lmm_gran(reg, a1), tail);
	if (head && tail)
		lmm->stats.splits++;
}

/* ------------------------------------------------------------------------
 * Misuse and debug records
 * ------------------------------------------------------------------------
 */

/* The region holding the granule range [a0, a1), or NULL.  Context: caller holds lmm->lock. */
static struct lmm_region *lmm_region_of(const struct lmm *lmm, uintptr_t a0,
					uintptr_t a1)
{
	struct lmm_region *reg;

	lockdep_assert_held(&lmm->lock);
	for (reg = lmm->regions; reg; reg = reg->next)
		if (a0 >= reg->min && a1 <= reg->max)
			return reg;
	return NULL;
}

/* The region holding byte @a, or NULL.  Context: caller holds lmm->lock. */
static struct lmm_region *lmm_region_at(const struct lmm *lmm, uintptr_t a)
{
	struct lmm_region *reg;

	lockdep_assert_held(&lmm->lock);
	for (reg = lmm->regions; reg; reg = reg->next)
		if (a >= reg->min && a < reg->max)
			return reg;
	return NULL;
}

/*
 * Count a caller error and warn about the first of each kind per pool
 * (memlab_misuse_warn_once()), naming the pool and the block: hashed (%p),
 * and as an offset into the region that holds it, so that no kernel address
 * reaches the log.  A KUnit case that provokes it on purpose holds the
 * "lmm_misuse" log and finds the kind, the block and that offset there.
 * Context: caller holds lmm->lock.
 */
static void lmm_misuse(struct lmm *lmm, enum lmm_misuse kind, uintptr_t addr,
		       size_t size)
{
	const struct lmm_region *reg;
	unsigned long ofs;

	lockdep_assert_held(&lmm->lock);
	lmm->stats.misuse[kind]++;
	trace_memlab_misuse("lmm", lmm->name, lmm_misuse_names[kind], (void *)addr, size, 0);
	reg = lmm_region_at(lmm, addr);
	ofs = reg ? addr - reg->min : 0;
	if (!memlab_misuse_warn_once(&lmm->warned, "lmm_misuse", kind, (void *)addr, ofs))
		return;
	if (reg)
		pr_warn("lmm %s: %s: block %p (region flags 0x%x + 0x%lx) size %zu (further ones counted, not shown)\n",
			lmm->name, lmm_misuse_names[kind], (void *)addr, reg->flags, ofs, size);
	else
		pr_warn("lmm %s: %s: block %p (in no region) size %zu (further ones counted, not shown)\n",
			lmm->name, lmm_misuse_names[kind], (void *)addr, size);
}

/*
 * Debug mode: one record per live allocation, by address.  Records are
 * allocated before the pool lock is taken and freed after it is dropped;
 * where the slab allocator may not be called at all they are kept on the
 * pool's spare list instead, and reused by the next allocation.
 */
struct lmm_record {
	struct rb_node rb;
	uintptr_t addr;
	size_t size;
	struct lmm_record *next;	/* on a list to free, or on the spares */
};

/*
 * Whether the slab allocator may be called here.  On PREEMPT_RT it takes
 * sleeping locks, so not with interrupts or preemption disabled (a caller
 * holding a spinlock_t is fine: that leaves both on under RT).  Elsewhere
 * GFP_ATOMIC works in any context lmm is used from.
 */
static inline bool lmm_may_alloc(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

/* A record for an allocation about to be made, before the lock. */
static struct lmm_record *lmm_record_prealloc(struct lmm *lmm)
{
	if (!READ_ONCE(lmm->debug) || !lmm_may_alloc())
		return NULL;
	return kmalloc(sizeof(struct lmm_record), GFP_ATOMIC | __GFP_NOWARN);
}

/* Free a list of records; called without the pool lock. */
static void lmm_records_release(struct lmm_record *r)
{
	struct lmm_record *next;

	for (; r; r = next) {
		next = r->next;
		kfree(r);
	}
}

/* Context: caller holds lmm->lock. */
static struct lmm_record *lmm_record_find(struct lmm *lmm, uintptr_t addr)
{
	struct rb_node *p = ((struct rb_root *)lmm->debug_tree)->rb_node;

	lockdep_assert_held(&lmm->lock);
	while (p) {
		struct lmm_record *r = rb_entry(p, struct lmm_record, rb);

		if (addr == r->addr)
			return r;
		p = addr < r->addr ? p->rb_left : p->rb_right;
	}
	return NULL;
}

/* Context: caller holds lmm->lock. */
static struct lmm_record *lmm_spare_take(struct lmm *lmm)
{
	struct lmm_record *r = lmm->spare;

	lockdep_assert_held(&lmm->lock);
	if (r) {
		lmm->spare = r->next;
		lmm->nr_spare--;
	}
	return r;
}

/* Record [addr, addr + size) in @r.  Context: caller holds lmm->lock. */
static void lmm_record_insert(struct lmm *lmm, struct lmm_record *r, uintptr_t addr,
			      size_t size)
{
	struct rb_node **p = &((struct rb_root *)lmm->debug_tree)->rb_node, *parent = NULL;

	lockdep_assert_held(&lmm->lock);
	r->addr = addr;
	r->size = size;
	while (*p) {
		parent = *p;
		p = addr < rb_entry(parent, struct lmm_record, rb)->addr ?
		    &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&r->rb, parent, p);
	rb_insert_color(&r->rb, lmm->debug_tree);
	lmm->stats.debug_records++;
}

/*
 * Unlink @r; it goes on *@dead for the caller to free after unlocking, or
 * to the spares where nothing may be freed.
 * Context: caller holds lmm->lock.
 */
static void lmm_record_del(struct lmm *lmm, struct lmm_record *r, struct lmm_record **dead)
{
	lockdep_assert_held(&lmm->lock);
	rb_erase(&r->rb, lmm->debug_tree);
	lmm->stats.debug_records--;
	if (lmm_may_alloc()) {
		r->next = *dead;
		*dead = r;
	} else {
		r->next = lmm->spare;
		lmm->spare = r;
		lmm->nr_spare++;
	}
}

/*
 * Drop the records of blocks overlapping [a0, a1): that memory is free now.
 * Records never overlap, so they start at the last one below @a0.
 * Context: caller holds lmm->lock.
 */
static void lmm_records_drop(struct lmm *lmm, uintptr_t a0, uintptr_t a1,
			     struct lmm_record **dead)
{
	struct rb_node *p = ((struct rb_root *)lmm->debug_tree)->rb_node, *first = NULL, *next;

	lockdep_assert_held(&lmm->lock);
	while (p) {			/* the last record starting below a0 */
		if (rb_entry(p, struct lmm_record, rb)->addr < a0) {
			first = p;
			p = p->rb_right;
		} else {
			p = p->rb_left;
		}
	}
	p = first ? first : rb_first(lmm->debug_tree);
	for (; p; p = next) {
		struct lmm_record *r = rb_entry(p, struct lmm_record, rb);

		next = rb_next(p);
		if (r->addr >= a1)
			break;
		if (lmm_round_down(r->addr + r->size - 1) + LMM_GRANULE > a0)
			lmm_record_del(lmm, r, dead);
	}
}

/* What lmm_records_detach() took away, to free without the lock. */
struct lmm_records {
	struct rb_root *root;
	struct lmm_record *spare;
};

/*
 * Take the record tree and the spares out of the pool in O(1), so that
 * freeing them (O(records)) happens after the lock is dropped.
 * Context: caller holds lmm->lock.
 */
static struct lmm_records lmm_records_detach(struct lmm *lmm)
{
	struct lmm_records old = { lmm->debug_tree, lmm->spare };

	lockdep_assert_held(&lmm->lock);
	lmm->debug_tree = NULL;
	WRITE_ONCE(lmm->debug, false);
	lmm->spare = NULL;
	lmm->nr_spare = 0;
	lmm->stats.debug_records = 0;
	return old;
}

/* Free what lmm_records_detach() returned.  Context: may call kfree(). */
static void lmm_records_free(struct lmm_records old)
{
	struct lmm_record *r, *n;

	if (old.root) {
		rbtree_postorder_for_each_entry_safe(r, n, old.root, rb)
			kfree(r);
		kfree(old.root);
	}
	lmm_records_release(old.spare);
}

/* ------------------------------------------------------------------------
 * Pool life cycle
 * ------------------------------------------------------------------------
 */

/**
 * lmm_init() - initialise an empty pool
 * @lmm: caller-provided storage.
 *
 * The pool starts with no regions, the fast policy and debug mode off.  A
 * pool that used a registered policy is lmm_destroy()ed first, which lets
 * the policy go.
 *
 * Context: any context.
 */
void lmm_init(struct lmm *lmm)
{
	memset(lmm, 0, sizeof(*lmm));
	spin_lock_init(&lmm->lock);
	lmm->policy = &lmm_policy_fast;
	lmm->name = "lmm";
}
EXPORT_SYMBOL_NS_GPL(lmm_init, MEMLAB_NS);

/**
 * lmm_set_name() - name a pool in warnings and dumps
 * @lmm: the pool.
 * @name: a string that outlives the pool.
 *
 * Context: any context.
 */
void lmm_set_name(struct lmm *lmm, const char *name)
{
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	lmm->name = name;
	spin_unlock_irqrestore(&lmm->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(lmm_set_name, MEMLAB_NS);

/**
 * lmm_destroy() - release what a pool holds besides the caller's storage
 * @lmm: the pool.
 *
 * Frees debug records, forgets every region and goes back to the fast
 * policy, releasing a registered one; the memory the regions described is
 * the caller's again.  The pool may be reinitialised.
 *
 * Context: any context where kfree() may be called (with debug mode on, the
 * records are freed after the lock is dropped); process context while the
 * pool uses a registered policy, whose release takes lmm_policy_lock.
 */
void lmm_destroy(struct lmm *lmm)
{
	const struct lmm_policy *policy;
	struct lmm_records old;
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	old = lmm_records_detach(lmm);
	lmm->regions = NULL;
	lmm->hint_reg = NULL;
	lmm->gen++;
	lmm->stats.nr_regions = 0;
	policy = lmm->policy;
	lmm->policy = &lmm_policy_fast;		/* no region left to re-index */
	spin_unlock_irqrestore(&lmm->lock, flags);
	lmm_policy_put(policy);
	lmm_records_free(old);
}
EXPORT_SYMBOL_NS_GPL(lmm_destroy, MEMLAB_NS);

/*
 * Rebuild a region's index for another layout: drain the old index into a
 * chain by @right in descending address order (its drain operation, O(n);
 * or its first extent erased at a time, O(1) each with a list), then insert
 * the extents into the new index highest first (a list then prepends each
 * in O(1)).
 */
static void lmm_reindex(struct lmm_region *reg, const struct lmm_index_ops *from,
			const struct lmm_index_ops *to)
{
	u32 t, next, chain = LMM_NIL;

	if (from->drain) {
		chain = from->drain(reg);
	} else {
		while ((t = from->ceil(reg, 0)) != LMM_NIL) {
			from->erase(reg, t);
			lmm_node(reg, t)->right = chain;
			chain = t;
		}
	}
	reg->root = LMM_NIL;
	reg->cursor = 0;
	for (t = chain; t != LMM_NIL; t = next) {
		next = lmm_node(reg, t)->right;
		to->insert(reg, t);
	}
}

/*
 * Switch @lmm to @policy, re-indexing if the layout differs.  Returns the
 * policy it leaves, or NULL (nothing changed) when that is too much work.
 * Context: caller holds lmm->lock.
 */
static const struct lmm_policy *lmm_switch(struct lmm *lmm, const struct lmm_policy *policy,
					   unsigned long *extents)
{
	const struct lmm_policy *old = lmm->policy;
	struct lmm_region *reg;

	lockdep_assert_held(&lmm->lock);
	*extents = 0;
	if (old->index != policy->index) {
		for (reg = lmm->regions; reg; reg = reg->next)
			*extents += reg->nr_free;
		if (*extents > LMM_REINDEX_MAX)
			return NULL;
		for (reg = lmm->regions; reg; reg = reg->next)
			lmm_reindex(reg, old->index, policy->index);
		lmm->gen++;		/* walk hints name nodes of the old layout */
	}
	lmm->policy = policy;
	return old;
}

/**
 * lmm_set_policy() - change how a pool indexes and searches, at any time
 * @lmm: the pool.
 * @name: "fast", "linear", "best_fit" or a policy given to
 *	lmm_register_policy(); a trailing newline is ignored.
 *
 * Switching between policies of different index layouts (the list of
 * "linear" and the tree of "fast" and "best_fit", or a registered
 * policy's) re-indexes every region: O(n log n) in the number of free
 * extents, all of it with the pool lock held and interrupts off, since
 * every operation relies on one layout per pool.  So a switch that would
 * re-index more than LMM_REINDEX_MAX extents (about 1 ms) is refused: an
 * index half converted between lock holds would need every operation to
 * handle both layouts at once, for a setting meant to be chosen while a
 * pool is young.  Policies that share a layout ("fast" and "best_fit")
 * switch in O(1) at any size.  A registered policy's module is pinned
 * until the pool switches away or is destroyed.
 *
 * Context: process context (takes lmm_policy_lock, held with interrupts on,
 * then the pool's lock).
 * Return: 0; -EINVAL for an unknown policy; -EBUSY (nothing changed, a
 * message names the count and the limit) when the pool holds more than
 * LMM_REINDEX_MAX free extents to re-index.
 */
int lmm_set_policy(struct lmm *lmm, const char *name)
{
	const struct lmm_policy *policy = lmm_policy_get(name), *old;
	unsigned long flags, extents;

	if (!policy)
		return -EINVAL;
	spin_lock_irqsave(&lmm->lock, flags);
	old = lmm_switch(lmm, policy, &extents);
	spin_unlock_irqrestore(&lmm->lock, flags);
	if (!old) {
		pr_info_ratelimited("lmm %s: policy %s refused: %lu free extents to re-index, at most %d (LMM_REINDEX_MAX, about 1 ms with interrupts off)\n",
				    lmm->name, policy->name, extents, LMM_REINDEX_MAX);
		lmm_policy_put(policy);
		return -EBUSY;
	}
	lmm_policy_put(old);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(lmm_set_policy, MEMLAB_NS);

/**
 * lmm_set_debug() - record every live allocation, to catch wrong frees exactly
 * @lmm: the pool.
 * @on: true to record, false to stop and drop the records.
 *
 * With debug mode on, lmm_free() of an address never handed out, or with a
 * size other than the one allocated, is refused and counted.  Each record
 * takes memory outside the pool (counted in lmm_stats.debug_bytes),
 * allocated with GFP_ATOMIC before the pool lock is taken; when none can be
 * had the allocation fails and counts as a failure.  Memory given back with
 * lmm_add_free() drops the records it overlaps.
 *
 * Turning it on needs every byte of every region free: the pool cannot tell
 * an allocated block from memory taken with lmm_remove_free() or never
 * given with lmm_add_free(), and a block live without a record could never
 * be freed again.  The test compares each region's size with its free
 * bytes, both exact, so it cannot drift whatever the order of calls.
 *
 * Context: process context (allocates with GFP_KERNEL, frees the records).
 * Return: 0; -EBUSY when turning it on while any byte of a region is not
 * free; -ENOMEM if the record tree cannot be set up.
 */
int lmm_set_debug(struct lmm *lmm, bool on)
{
	struct lmm_records old = { NULL, NULL };
	struct rb_root *root = NULL;
	struct lmm_region *reg;
	unsigned long flags;
	int ret = 0;

	if (on) {
		root = kmalloc(sizeof(*root), GFP_KERNEL);
		if (!root)
			return -ENOMEM;
		*root = RB_ROOT;
	}
	spin_lock_irqsave(&lmm->lock, flags);
	if (on && !lmm->debug_tree) {
		for (reg = lmm->regions; reg; reg = reg->next)
			if (reg->free != reg->max - reg->min)
				ret = -EBUSY;
		if (!ret) {
			lmm->debug_tree = root;
			WRITE_ONCE(lmm->debug, true);
			root = NULL;
		}
	} else if (!on) {
		old = lmm_records_detach(lmm);
	}
	spin_unlock_irqrestore(&lmm->lock, flags);
	lmm_records_free(old);
	kfree(root);
	return ret;
}

/**
 * lmm_set_fault_hook() - make allocations fail on purpose
 * @lmm: the pool.
 * @hook: asked before every well-formed allocation; true makes it fail
 *	(counted as a failure and as injected).  NULL removes it.  Must not
 *	sleep or use the pool.
 * @arg: passed to @hook.
 *
 * Context: any context.
 */
void lmm_set_fault_hook(struct lmm *lmm, memlab_fault_fn hook, void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	memlab_fault_hook_set(&lmm->fault, hook, arg);
	spin_unlock_irqrestore(&lmm->lock, flags);
}

/* ------------------------------------------------------------------------
 * Regions and free memory
 * ------------------------------------------------------------------------
 */

/* Region list order: priority descending, then size descending. */
static bool lmm_region_before(const struct lmm_region *a, const struct lmm_region *b)
{
	if (a->pri != b->pri)
		return a->pri > b->pri;
	return a->max - a->min > b->max - b->min;
}

/**
 * lmm_add_region() - add a range of address space to a pool
 * @lmm: the pool.
 * @reg: caller storage for the region, untouched until lmm_destroy().
 * @addr: first byte; rounded up to the granule.
 * @size: bytes; the end is rounded down to the granule.  A range ending
 *	exactly at the top of the address space is accepted.
 * @flags: the region's flags; requests must ask for a subset of them.
 * @pri: priority; higher priorities are searched first.
 *
 * No memory is touched, and none becomes free: use lmm_add_free().
 * As in OSKit, a range with no whole granule in it is silently ignored.
 *
 * Context: any context.
 * Return: 0; -EINVAL (counted as bad region) for a range that wraps or
 * overlaps a region of the pool; -E2BIG for more than
 * LMM_REGION_MAX_GRANULES granules.
 */
int lmm_add_region(struct lmm *lmm, struct lmm_region *reg, void *addr,
		   size_t size, lmm_flags_t flags, lmm_pri_t pri)
{
	uintptr_t a = (uintptr_t)addr, min, max = a + size;
	struct lmm_region **pp, *r;
	unsigned long irqflags;
	int ret = 0;

	if (max < a && !max)		/* ends exactly at the top */
		max = UINTPTR_MAX;
	min = a > UINTPTR_MAX - (LMM_GRANULE - 1) ? UINTPTR_MAX :
	      lmm_round_down(a + LMM_GRANULE - 1);

	spin_lock_irqsave(&lmm->lock, irqflags);
	if (max < a) {
		lmm_misuse(lmm, LMM_MISUSE_BAD_REGION, a, size);
		ret = -EINVAL;
		goto out;
	}
	max = lmm_round_down(max);
	if (min >= max)
		goto out;
	if ((max - min) >> LMM_GRANULE_SHIFT > LMM_REGION_MAX_GRANULES) {
		lmm_misuse(lmm, LMM_MISUSE_BAD_REGION, a, size);
		ret = -E2BIG;
		goto out;
	}
	for (r = lmm->regions; r; r = r->next) {
		if (r == reg || (min < r->max && r->min < max)) {
			lmm_misuse(lmm, LMM_MISUSE_BAD_REGION, a, size);
			ret = -EINVAL;
			goto out;
		}
	}
	memset(reg, 0, sizeof(*reg));
	reg->min = min;
	reg->max = max;
	reg->flags = flags;
	reg->pri = pri;
	reg->root = LMM_NIL;
	reg->seed = get_random_u32();
	for (pp = &lmm->regions; *pp && !lmm_region_before(reg, *pp); pp = &(*pp)->next)
		;
	reg->next = *pp;
	*pp = reg;
	lmm->stats.nr_regions++;
out:
	spin_unlock_irqrestore(&lmm->lock, irqflags);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(lmm_add_region, MEMLAB_NS);

/*
 * Free the granule range [a0, a1) of @reg, merging with free neighbours.
 * The callers (lmm_free(), lmm_add_free()) have refused every caller
 * misuse: the range is whole granules inside @reg and overlaps no free
 * space.  A failed precondition here is an lmm bug.
 * Context: caller holds lmm->lock.
 */
static void lmm_region_free(struct lmm *lmm, struct lmm_region *reg,
			    uintptr_t a0, uintptr_t a1)
{
	u32 g, size, prev, next;

	lockdep_assert_held(&lmm->lock);
	VM_WARN_ON_ONCE(a0 >= a1 || ((a0 | a1) & (LMM_GRANULE - 1)));
	VM_WARN_ON_ONCE(a0 < reg->min || a1 > reg->max);
	g = lmm_gran(reg, a0);
	size = (a1 - a0) >> LMM_GRANULE_SHIFT;
	prev = g ? lmm_idx_floor(lmm, reg, g - 1) : LMM_NIL;
	next = a1 < reg->max ? lmm_idx_ceil(lmm, reg, lmm_gran(reg, a1)) : LMM_NIL;
	if (next != LMM_NIL && lmm_addr(reg, next) == a1) {
		size += lmm_node(reg, next)->size;
		lmm_ext_del(lmm, reg, next);
		lmm->stats.merges++;
	}
	if (prev != LMM_NIL && lmm_end(reg, prev) == a0) {
		lmm_ext_resize(lmm, reg, prev, lmm_node(reg, prev)->size + size);
		lmm->stats.merges++;
	} else {
		lmm_ext_add(lmm, reg, g, size);
	}
}

/*
 * Whether the granule range [a0, a1) of @reg overlaps free space; how.
 * Context: caller holds lmm->lock.
 */
static enum lmm_misuse lmm_region_overlap(const struct lmm *lmm,
					  const struct lmm_region *reg,
					  uintptr_t a0, uintptr_t a1)
{
	u32 p = lmm_idx_floor(lmm, reg, lmm_gran(reg, a1 - LMM_GRANULE));

	lockdep_assert_held(&lmm->lock);
	if (p == LMM_NIL || lmm_end(reg, p) <= a0)
		return LMM_NR_MISUSE;
	if (lmm_addr(reg, p) <= a0 && lmm_end(reg, p) >= a1)
		return LMM_MISUSE_DOUBLE_FREE;
	return LMM_MISUSE_OVERLAP_FREE;
}

/* The granule range [*a0, *a1) clipped to @reg; false if they do not meet. */
static bool lmm_clip(const struct lmm_region *reg, uintptr_t a0, uintptr_t a1,
		     uintptr_t *c0, uintptr_t *c1)
{
	*c0 = max(a0, reg->min);
	*c1 = min(a1, reg->max);
	return *c0 < *c1;
}

/**
 * lmm_add_free() - make memory available for allocation
 * @lmm: the pool.
 * @block: first byte; rounded up to the granule.
 * @size: bytes; the end is rounded down to the granule.
 *
 * The range is clipped to every region it overlaps; parts outside all
 * regions are ignored, as in OSKit, and so is a range with no whole granule.
 *
 * Context: any context (in debug mode, where kfree() may be called or the
 * dropped records are kept as spares).
 * Return: 0; -EINVAL (counted) if any part is already free, in which case
 * nothing is added.
 */
int lmm_add_free(struct lmm *lmm, void *block, size_t size)
{
	uintptr_t b = (uintptr_t)block, a0, a1, c0, c1;
	struct lmm_record *dead = NULL;
	struct lmm_region *reg;
	enum lmm_misuse bad;
	unsigned long flags;
	int ret = 0;

	if (b > UINTPTR_MAX - (LMM_GRANULE - 1))
		return 0;
	a0 = lmm_round_down(b + LMM_GRANULE - 1);
	a1 = lmm_round_down(b + size < b ? UINTPTR_MAX : b + size);
	if (a0 >= a1)
		return 0;

	spin_lock_irqsave(&lmm->lock, flags);
	for (reg = lmm->regions; reg; reg = reg->next) {
		if (!lmm_clip(reg, a0, a1, &c0, &c1))
			continue;
		bad = lmm_region_overlap(lmm, reg, c0, c1);
		if (bad != LMM_NR_MISUSE) {
			lmm_misuse(lmm, bad, b, size);
			ret = -EINVAL;
			goto out;
		}
	}
	for (reg = lmm->regions; reg; reg = reg->next)
		if (lmm_clip(reg, a0, a1, &c0, &c1))
			lmm_region_free(lmm, reg, c0, c1);
	if (lmm->debug_tree)
		lmm_records_drop(lmm, a0, a1, &dead);
out:
	spin_unlock_irqrestore(&lmm->lock, flags);
	lmm_records_release(dead);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(lmm_add_free, MEMLAB_NS);

/**
 * lmm_remove_free() - make a range unavailable for allocation
 * @lmm: the pool.
 * @block: first byte.
 * @size: bytes.
 *
 * Every free granule overlapping [@block, @block + @size) is taken out of
 * the free space, in every region; allocated parts are left alone.  Unlike
 * OSKit, a partial granule at an unaligned start is removed too.
 *
 * Context: any context.
 * Return: 0; -EINVAL (counted) for a zero size or a range that wraps.
 */
int lmm_remove_free(struct lmm *lmm, void *block, size_t size)
{
	uintptr_t b = (uintptr_t)block, a0, a1, c0, c1;
	struct lmm_region *reg;
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	if (!size || b + size - 1 < b) {
		lmm_misuse(lmm, size ? LMM_MISUSE_BAD_RANGE : LMM_MISUSE_ZERO_SIZE,
			   b, size);
		spin_unlock_irqrestore(&lmm->lock, flags);
		return -EINVAL;
	}
	a0 = lmm_round_down(b);
	a1 = lmm_round_down(b + size - 1) + LMM_GRANULE;	/* 0 at the very top */
	for (reg = lmm->regions; reg; reg = reg->next) {
		u32 t;

		if (!lmm_clip(reg, a0, a1 ? a1 : UINTPTR_MAX, &c0, &c1))
			continue;
		/* Cut the overlap out of each free extent, highest first. */
		t = lmm_idx_floor(lmm, reg, lmm_gran(reg, c1 - LMM_GRANULE));
		while (t != LMM_NIL && lmm_end(reg, t) > c0) {
			uintptr_t s = max(lmm_addr(reg, t), c0);
			u32 prev = t ? lmm_idx_floor(lmm, reg, t - 1) : LMM_NIL;

			lmm_carve(lmm, reg, t, s, min(lmm_end(reg, t), c1) - s);
			t = prev;
		}
	}
	spin_unlock_irqrestore(&lmm->lock, flags);
	return 0;
}

/* ------------------------------------------------------------------------
 * Allocation
 * ------------------------------------------------------------------------
 */

/**
 * lmm_alloc_gen() - allocate with alignment, phase and address range
 * @lmm: the pool.
 * @size: bytes, > 0.
 * @flags: region flags the memory must come from (every bit).
 * @align_bits: the address must be congruent to @align_ofs modulo
 *	2^@align_bits; 0 to BITS_PER_LONG - 1.
 * @align_ofs: the phase; only its low @align_bits bits count.
 * @in_min: lowest acceptable address.
 * @in_size: the block must lie in [@in_min, @in_min + @in_size); with
 *	@in_size == @size the only acceptable address is @in_min.
 *
 * Regions are searched in priority order; in the first one that has any,
 * the policy chooses: the lowest satisfying address ("fast", "linear"),
 * the lowest satisfying address of the smallest fitting extent
 * ("best_fit"), or a registered policy's answer.  The block occupies
 * whole granules: from @addr rounded down to @addr + @size rounded up.
 *
 * In debug mode the allocation's record is allocated (GFP_ATOMIC) before
 * the pool lock is taken, and not at all where the slab allocator may not be
 * called (PREEMPT_RT with interrupts or preemption off): then a record kept
 * from an earlier free is used, or the allocation fails.
 *
 * Context: any context.
 * Return: the address, or NULL when nothing fits or on bad arguments
 * (counted): zero size, @align_bits out of range, an empty or wrapping
 * range.
 */
void *lmm_alloc_gen(struct lmm *lmm, size_t size, lmm_flags_t flags,
		    int align_bits, uintptr_t align_ofs,
		    uintptr_t in_min, size_t in_size)
{
	struct lmm_record *rec = lmm_record_prealloc(lmm);
	bool retried = false;
	struct lmm_req rq;
	struct lmm_region *reg;
	unsigned long irqflags;
	uintptr_t addr = 0;
	u32 ext;

again:
	spin_lock_irqsave(&lmm->lock, irqflags);
	if (!size) {
		lmm_misuse(lmm, LMM_MISUSE_ZERO_SIZE, in_min, size);
		goto fail;
	}
	if (align_bits < 0 || align_bits >= BITS_PER_LONG) {
		lmm_misuse(lmm, LMM_MISUSE_BAD_ALIGN, align_ofs, size);
		goto fail;
	}
	if (!in_size || (in_min + in_size < in_min && in_min + in_size)) {
		lmm_misuse(lmm, LMM_MISUSE_BAD_RANGE, in_min, in_size);
		goto fail;
	}
	rq.size = size;
	rq.mask = (1UL << align_bits) - 1;
	rq.phase = align_ofs & rq.mask;
	rq.lo = in_min;
	rq.hi = in_min + in_size ? in_min + in_size : UINTPTR_MAX;
	if (size > UINTPTR_MAX - LMM_GRANULE ||
	    (size + LMM_GRANULE - 1) >> LMM_GRANULE_SHIFT > LMM_REGION_MAX_GRANULES)
		goto nomem;
	rq.min_g = (size + LMM_GRANULE - 1) >> LMM_GRANULE_SHIFT;
	if (!retried && memlab_fault_hook_fires(&lmm->fault)) {
		lmm->stats.injected++;
		goto nomem;
	}

	for (reg = lmm->regions; reg; reg = reg->next) {
		if (flags & ~reg->flags)
			continue;
		if (!lmm_region_find(lmm, reg, &rq, &addr, &ext))
			continue;
		if (lmm->debug_tree) {
			if (!rec)
				rec = lmm_spare_take(lmm);
			if (!rec && !retried && lmm_may_alloc()) {
				/* debug mode came on since we looked: get a record, search again */
				spin_unlock_irqrestore(&lmm->lock, irqflags);
				retried = true;
				rec = kmalloc(sizeof(*rec), GFP_ATOMIC | __GFP_NOWARN);
				goto again;
			}
			if (!rec)
				goto nomem;
			lmm_record_insert(lmm, rec, addr, size);
			rec = NULL;
		}
		lmm_carve(lmm, reg, ext, addr, size);
		lmm->stats.allocs++;
		spin_unlock_irqrestore(&lmm->lock, irqflags);
		kfree(rec);		/* debug mode went off since we looked */
		trace_memlab_lmm_alloc(_RET_IP_, lmm->name, (void *)addr, size,
				       lmm_round_down(addr + size - 1) + LMM_GRANULE -
				       lmm_round_down(addr), flags);
		return (void *)addr;
	}
nomem:
	lmm->stats.failures++;
fail:
	spin_unlock_irqrestore(&lmm->lock, irqflags);
	kfree(rec);
	trace_memlab_lmm_alloc(_RET_IP_, lmm->name, NULL, size, 0, flags);
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(lmm_alloc_gen, MEMLAB_NS);

/**
 * lmm_alloc() - allocate anywhere
 * @lmm: the pool.
 * @size: bytes, > 0.
 * @flags: region flags the memory must come from.
 *
 * Context: any context.
 * Return: the lowest free address of the first qualifying region that has
 * room, granule aligned; NULL if none.
 */
void *lmm_alloc(struct lmm *lmm, size_t size, lmm_flags_t flags)
{
	return lmm_alloc_gen(lmm, size, flags, 0, 0, 0, UINTPTR_MAX);
}
EXPORT_SYMBOL_NS_GPL(lmm_alloc, MEMLAB_NS);

/**
 * lmm_alloc_aligned() - allocate with alignment and phase
 * @lmm: the pool.
 * @size: bytes, > 0.
 * @flags: region flags the memory must come from.
 * @align_bits: log2 of the alignment.
 * @align_ofs: the phase: the address is @align_ofs modulo the alignment.
 *
 * Context: any context.
 * Return: see lmm_alloc_gen().
 */
void *lmm_alloc_aligned(struct lmm *lmm, size_t size, lmm_flags_t flags,
			int align_bits, uintptr_t align_ofs)
{
	return lmm_alloc_gen(lmm, size, flags, align_bits, align_ofs, 0, UINTPTR_MAX);
}

/**
 * lmm_alloc_page() - allocate one page-aligned page
 * @lmm: the pool.
 * @flags: region flags the memory must come from.
 *
 * Context: any context.
 * Return: the page's address, or NULL.
 */
void *lmm_alloc_page(struct lmm *lmm, lmm_flags_t flags)
{
	return lmm_alloc_gen(lmm, PAGE_SIZE, flags, PAGE_SHIFT, 0, 0, UINTPTR_MAX);
}

/**
 * lmm_free() - give a block back
 * @lmm: the pool.
 * @block: the address an allocation returned (or any part of free-able
 *	memory, as in OSKit, when debug mode is off).
 * @size: the size it was allocated with.
 *
 * The granules from @block rounded down to @block + @size rounded up
 * become free and merge with their free neighbours.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed)
 * for a zero size, a block not inside one region, a block that is already
 * free in whole or in part, and in debug mode a block never allocated or a
 * size that differs from the allocation's.
 */
int lmm_free(struct lmm *lmm, void *block, size_t size)
{
	uintptr_t b = (uintptr_t)block, a0, a1;
	struct lmm_record *rec = NULL, *dead = NULL;
	struct lmm_region *reg;
	enum lmm_misuse bad;
	unsigned long flags;

	trace_memlab_lmm_free(_RET_IP_, lmm->name, block);
	spin_lock_irqsave(&lmm->lock, flags);
	if (!size) {
		bad = LMM_MISUSE_ZERO_SIZE;
		goto misuse;
	}
	a0 = lmm_round_down(b);
	a1 = lmm_round_down(b + size - 1) + LMM_GRANULE;
	reg = b + size - 1 >= b && a1 ? lmm_region_of(lmm, a0, a1) : NULL;
	if (!reg) {
		bad = LMM_MISUSE_OUTSIDE;
		goto misuse;
	}
	bad = lmm_region_overlap(lmm, reg, a0, a1);
	if (bad != LMM_NR_MISUSE)
		goto misuse;
	if (lmm->debug_tree) {
		rec = lmm_record_find(lmm, b);
		bad = !rec ? LMM_MISUSE_NOT_ALLOCATED :
		      rec->size != size ? LMM_MISUSE_WRONG_SIZE : LMM_NR_MISUSE;
		if (bad != LMM_NR_MISUSE)
			goto misuse;
		lmm_record_del(lmm, rec, &dead);
	}
	lmm_region_free(lmm, reg, a0, a1);
	lmm->stats.frees++;
	spin_unlock_irqrestore(&lmm->lock, flags);
	lmm_records_release(dead);
	return 0;

misuse:
	lmm_misuse(lmm, bad, b, size);
	spin_unlock_irqrestore(&lmm->lock, flags);
	return -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(lmm_free, MEMLAB_NS);

/**
 * lmm_free_page() - give back a page from lmm_alloc_page()
 * @lmm: the pool.
 * @block: the page.
 *
 * Context: any context.
 * Return: see lmm_free().
 */
int lmm_free_page(struct lmm *lmm, void *block)
{
	return lmm_free(lmm, block, PAGE_SIZE);
}

/* ------------------------------------------------------------------------
 * Inspection
 * ------------------------------------------------------------------------
 */

/**
 * lmm_avail() - free bytes in the regions a request with @flags may use
 * @lmm: the pool.
 * @flags: region flags, as for lmm_alloc().
 *
 * Context: any context.
 * Return: bytes; they may be scattered over many extents.
 */
size_t lmm_avail(struct lmm *lmm, lmm_flags_t flags)
{
	struct lmm_region *reg;
	unsigned long irqflags;
	size_t sum = 0;

	spin_lock_irqsave(&lmm->lock, irqflags);
	for (reg = lmm->regions; reg; reg = reg->next)
		if (!(flags & ~reg->flags))
			sum += reg->free;
	spin_unlock_irqrestore(&lmm->lock, irqflags);
	return sum;
}

/**
 * lmm_find_free() - the lowest free memory at or above an address
 * @lmm: the pool.
 * @inout_addr: in: where to start, rounded up to the granule; out: the
 *	lowest free address at or above it, or (uintptr_t)-1 if none.
 * @out_size: free bytes from there to the end of that free extent; 0 if none.
 * @out_flags: flags of the region it lies in; 0 if none.
 *
 * All regions are considered, whatever their priority.
 *
 * Context: any context.
 */
void lmm_find_free(struct lmm *lmm, uintptr_t *inout_addr, size_t *out_size,
		   lmm_flags_t *out_flags)
{
	uintptr_t a = *inout_addr, best = UINTPTR_MAX;
	struct lmm_region *reg;
	unsigned long flags;
	size_t best_size = 0;
	lmm_flags_t best_flags = 0;

	spin_lock_irqsave(&lmm->lock, flags);
	if (a > UINTPTR_MAX - (LMM_GRANULE - 1))
		goto out;
	a = lmm_round_down(a + LMM_GRANULE - 1);
	for (reg = lmm->regions; reg; reg = reg->next) {
		uintptr_t s, e;
		u32 t;

		if (a >= reg->max || !reg->nr_free)
			continue;
		if (a <= reg->min) {
			t = lmm_idx_first(lmm, reg);
		} else {
			t = lmm_idx_floor(lmm, reg, lmm_gran(reg, a));
			if (t == LMM_NIL || lmm_end(reg, t) <= a)
				t = lmm_idx_ceil(lmm, reg, lmm_gran(reg, a));
		}
		if (t == LMM_NIL)
			continue;
		s = max(a, lmm_addr(reg, t));
		e = lmm_end(reg, t);
		if (s < best) {
			best = s;
			best_size = e - s;
			best_flags = reg->flags;
		}
	}
out:
	spin_unlock_irqrestore(&lmm->lock, flags);
	*inout_addr = best;
	*out_size = best_size;
	if (out_flags)
		*out_flags = best_flags;
}

/**
 * lmm_misuse_name() - a short description of a misuse kind
 * @kind: the kind.
 *
 * Return: a static string; "?" for an unknown kind.
 */
const char *lmm_misuse_name(enum lmm_misuse kind)
{
	if ((unsigned int)kind >= LMM_NR_MISUSE)
		return "?";
	return lmm_misuse_names[kind];
}

/* Largest extent of a region, in bytes.  Context: caller holds lmm->lock. */
static size_t lmm_region_largest(const struct lmm *lmm, const struct lmm_region *reg)
{
	lockdep_assert_held(&lmm->lock);
	return (size_t)lmm->policy->index->largest(reg) << LMM_GRANULE_SHIFT;
}

/**
 * lmm_stats() - a consistent snapshot of a pool's counters and free space
 * @lmm: the pool.
 * @stats: filled in.
 *
 * Context: any context; O(regions) with the tree, O(n) with the list.
 */
void lmm_stats(struct lmm *lmm, struct lmm_stats *stats)
{
	struct lmm_region *reg;
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	*stats = lmm->stats;
	strscpy(stats->policy, lmm->policy->name, sizeof(stats->policy));
	stats->debug = !!lmm->debug_tree;
	stats->free_bytes = 0;
	stats->free_extents = 0;
	stats->largest_free = 0;
	for (reg = lmm->regions; reg; reg = reg->next) {
		stats->free_bytes += reg->free;
		stats->free_extents += reg->nr_free;
		stats->largest_free = max(stats->largest_free, lmm_region_largest(lmm, reg));
	}
	stats->meta_bytes = stats->free_extents * sizeof(struct lmm_node);
	stats->debug_bytes = (stats->debug_records + lmm->nr_spare) * sizeof(struct lmm_record);
	spin_unlock_irqrestore(&lmm->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(lmm_stats, MEMLAB_NS);

/*
 * The first extent of @reg that ends above the granule-aligned @from, or
 * LMM_NIL.  A walk resumes from the hint the last chunk left when no index
 * node has gone away since (lmm->gen unchanged): the extent it visited last
 * or the next one is the answer when the walk goes on where it stopped, so
 * a listing of a quiet "linear" pool costs O(1) per chunk instead of
 * O(position).
 * Context: caller holds lmm->lock.
 */
static u32 lmm_walk_start(struct lmm *lmm, const struct lmm_region *reg, uintptr_t from)
{
	u32 t;

	lockdep_assert_held(&lmm->lock);
	if (from <= reg->min)
		return lmm_idx_first(lmm, reg);
	if (from >= reg->max)
		return LMM_NIL;
	if (lmm->hint_reg == reg && lmm->hint_gen == lmm->gen &&
	    lmm_addr(reg, lmm->hint_g) < from) {
		t = lmm->hint_g;
		if (lmm_end(reg, t) > from)
			return t;
		t = lmm_idx_next(lmm, reg, t);
		if (t == LMM_NIL || lmm_end(reg, t) > from)
			return t;
	}
	t = lmm_idx_floor(lmm, reg, lmm_gran(reg, from));
	if (t != LMM_NIL && lmm_end(reg, t) > from)
		return t;
	return lmm_idx_ceil(lmm, reg, lmm_gran(reg, from));
}

/**
 * lmm_walk_free_from() - visit free memory from an address on, a chunk at a time
 * @lmm: the pool.
 * @from: where to start; rounded up to the granule.
 * @max: the most pieces to visit in this call (the pool lock is held
 *	throughout, so this bounds the time other CPUs wait).
 * @fn: called for each piece of free memory at or above @from, in address
 *	order over all regions: each free extent, except that the one holding
 *	@from is reported from @from on.  Called with the pool lock held, so it
 *	must not sleep or use the pool; it returns false to stop before a piece.
 * @arg: passed to @fn.
 *
 * A listing calls it again with the address it returned until that is
 * UINTPTR_MAX.  Each call sees one consistent state; between calls the pool
 * may change, and then a listing shows the free memory above its position
 * as it is at the next call (never a byte twice).
 *
 * Context: any context; one lock hold of O(@max log n) (tree) or O(@max)
 * (list, when no extent went away since the previous call).
 * Return: the start of the piece @fn declined or the first piece beyond
 * @max, where to continue; UINTPTR_MAX when no free memory is left above.
 */
uintptr_t lmm_walk_free_from(struct lmm *lmm, uintptr_t from, unsigned long max,
			     lmm_walk_step_fn fn, void *arg)
{
	uintptr_t ret = UINTPTR_MAX;
	struct lmm_region *reg, *r;
	unsigned long flags, n = 0;
	u32 t;

	if (from > UINTPTR_MAX - (LMM_GRANULE - 1))
		return UINTPTR_MAX;
	from = lmm_round_down(from + LMM_GRANULE - 1);
	spin_lock_irqsave(&lmm->lock, flags);
	for (;;) {
		/* regions are disjoint: the lowest one ending above @from holds it or is next */
		reg = NULL;
		for (r = lmm->regions; r; r = r->next)
			if (r->max > from && (!reg || r->min < reg->min))
				reg = r;
		if (!reg)
			break;
		for (t = lmm_walk_start(lmm, reg, from); t != LMM_NIL;
		     t = lmm_idx_next(lmm, reg, t)) {
			uintptr_t s = max(lmm_addr(reg, t), from), e = lmm_end(reg, t);

			if (n == max || !fn(arg, s, e - s, reg->flags)) {
				ret = s;
				goto out;
			}
			n++;
			from = e;
			lmm->hint_reg = reg;
			lmm->hint_g = t;
			lmm->hint_gen = lmm->gen;
		}
		from = reg->max;
	}
out:
	spin_unlock_irqrestore(&lmm->lock, flags);
	return ret;
}

struct lmm_walk_adapter {
	lmm_walk_fn fn;
	void *arg;
};

static bool lmm_walk_adapt(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct lmm_walk_adapter *w = arg;

	w->fn(w->arg, start, size, flags);
	return true;
}

/**
 * lmm_walk_free() - visit every free extent, LMM_WALK_CHUNK at a time
 * @lmm: the pool.
 * @fn: called for each extent, in address order; with the pool lock held,
 *	so it must not sleep or use the pool.
 * @arg: passed to @fn.
 *
 * The lock is taken once per LMM_WALK_CHUNK extents (see
 * lmm_walk_free_from()): each chunk is consistent; on a pool that changes
 * meanwhile the whole is not one snapshot.
 *
 * Context: any context; O(n log n) with the tree, in bounded lock holds.
 */
void lmm_walk_free(struct lmm *lmm, lmm_walk_fn fn, void *arg)
{
	struct lmm_walk_adapter w = { fn, arg };
	uintptr_t pos = 0;

	while (pos != UINTPTR_MAX)
		pos = lmm_walk_free_from(lmm, pos, LMM_WALK_CHUNK, lmm_walk_adapt, &w);
}

/**
 * lmm_info() - a pool's name, policy, debug mode and number of regions
 * @lmm: the pool.
 * @info: filled in.
 *
 * Context: any context; O(1).
 */
void lmm_info(struct lmm *lmm, struct lmm_info *info)
{
	unsigned long flags;

	spin_lock_irqsave(&lmm->lock, flags);
	info->name = lmm->name;
	strscpy(info->policy, lmm->policy->name, sizeof(info->policy));
	info->debug = !!lmm->debug_tree;
	info->nr_regions = lmm->stats.nr_regions;
	spin_unlock_irqrestore(&lmm->lock, flags);
}

/**
 * lmm_region_info() - one region of a pool, by its place in search order
 * @lmm: the pool.
 * @idx: 0 for the region searched first.
 * @ri: filled in.
 *
 * Context: any context; O(@idx).
 * Return: 0, or -ENOENT when the pool has no region @idx.
 */
int lmm_region_info(struct lmm *lmm, unsigned int idx, struct lmm_region_info *ri)
{
	struct lmm_region *reg;
	unsigned long flags;
	int ret = -ENOENT;

	spin_lock_irqsave(&lmm->lock, flags);
	for (reg = lmm->regions; reg && idx; reg = reg->next)
		idx--;
	if (reg) {
		*ri = (struct lmm_region_info) {
			.min = reg->min, .max = reg->max, .flags = reg->flags,
			.pri = reg->pri, .free = reg->free, .nr_free = reg->nr_free,
		};
		ret = 0;
	}
	spin_unlock_irqrestore(&lmm->lock, flags);
	return ret;
}

static void lmm_histogram_add(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct lmm_histogram *h = arg;
	int bin = BITS_PER_LONG - 1 - __builtin_clzl(size);

	h->count[bin]++;
	h->bytes[bin] += size;
	h->free += size;
	h->extents++;
	h->largest = max(h->largest, size);
}

/**
 * lmm_histogram() - free extents of a pool by power-of-two size
 * @lmm: the pool.
 * @h: filled in (zeroed first).
 *
 * Context: any context; the pool lock is taken once per LMM_WALK_CHUNK
 * extents, so on a busy pool the figures are a sum of consistent chunks.
 */
void lmm_histogram(struct lmm *lmm, struct lmm_histogram *h)
{
	memset(h, 0, sizeof(*h));
	lmm_walk_free(lmm, lmm_histogram_add, h);
}

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------
 */

/*
 * The index's own invariants (its check operation), then what every index
 * must give: extents in address order inside the region, none empty or
 * touching the next, as many and as large as the region counts.
 * Context: caller holds lmm->lock.
 */
static int lmm_check_region(const struct lmm *lmm, const struct lmm_region *reg)
{
	const struct lmm_index_ops *ix = lmm->policy->index;
	const char *pool_name = lmm->name;
	unsigned long count = 0, nodes = 0;
	uintptr_t prev_end = 0;
	size_t free = 0;
	int bad = 0;
	u32 t;

	lockdep_assert_held(&lmm->lock);
	LMM_CHECK(reg->min < reg->max && !(reg->min & (LMM_GRANULE - 1)) &&
		  !(reg->max & (LMM_GRANULE - 1)),
		  "region %p size 0x%lx malformed", (void *)reg->min,
		  (unsigned long)(reg->max - reg->min));
	LMM_CHECK(reg->root == LMM_NIL || reg->root < lmm_gran(reg, reg->max),
		  "region %p: index root %u outside it", (void *)reg->min, reg->root);
	if (bad)
		return bad;
	if (ix->check) {
		bad += ix->check(reg, pool_name, &nodes);
		if (bad)
			return bad;
	}
	for (t = lmm_idx_first(lmm, reg); t != LMM_NIL; t = lmm_idx_next(lmm, reg, t)) {
		uintptr_t s = lmm_addr(reg, t), e;
		u32 size;

		LMM_CHECK(s < reg->max, "region %p: index names granule %u, outside it",
			  (void *)reg->min, t);
		if (bad)
			return bad;
		size = lmm_node(reg, t)->size;

		LMM_CHECK(size > 0, "region %p: extent at +0x%lx has size 0", (void *)reg->min,
			  (unsigned long)(s - reg->min));
		LMM_CHECK(s >= prev_end && (!count || s > prev_end),
			  "region %p: extent at +0x%lx overlaps or touches the one before (end +0x%lx)",
			  (void *)reg->min, (unsigned long)(s - reg->min),
			  (unsigned long)(prev_end - reg->min));
		if (!size || bad)
			return bad;
		e = s + ((uintptr_t)size << LMM_GRANULE_SHIFT);
		LMM_CHECK(e <= reg->max && e > s, "region %p: extent at +0x%lx runs past its end",
			  (void *)reg->min, (unsigned long)(s - reg->min));
		free += (size_t)size << LMM_GRANULE_SHIFT;
		prev_end = e;
		if (++count > reg->nr_free + 1)
			break;	/* a cycle in the list */
	}
	LMM_CHECK(count == reg->nr_free, "region %p: %lu extents, %lu counted",
		  (void *)reg->min, count, reg->nr_free);
	LMM_CHECK(!ix->check || nodes == count,
		  "region %p: %lu index nodes, %lu in order", (void *)reg->min, nodes, count);
	LMM_CHECK(free == reg->free, "region %p: %zu free bytes, %zu counted",
		  (void *)reg->min, free, reg->free);
	return bad;
}

/**
 * lmm_check() - re-derive every invariant of a pool
 * @lmm: the pool.
 *
 * Regions: sorted by priority then size, granule aligned, disjoint.  Free
 * extents of each region: inside it, sorted, never touching (fully
 * coalesced), their count and byte sum equal to the region's counters, the
 * index free of cycles; and what the policy's index checks of its own (the
 * tree: ordered by address, a heap by priority, every max correct).  Each
 * violation is printed.
 *
 * Context: any context; O(n) in the free extents.
 * Return: the number of violations found; 0 means healthy.
 */
int lmm_check(struct lmm *lmm)
{
	struct lmm_region *reg, *r;
	unsigned long flags, nr = 0;
	const char *pool_name;
	int bad = 0;

	spin_lock_irqsave(&lmm->lock, flags);
	pool_name = lmm->name;
	for (reg = lmm->regions; reg; reg = reg->next) {
		nr++;
		LMM_CHECK(!reg->next || !lmm_region_before(reg->next, reg),
			  "regions %p and %p out of order", (void *)reg->min,
			  (void *)reg->next->min);
		for (r = reg->next; r; r = r->next)
			LMM_CHECK(reg->max <= r->min || r->max <= reg->min,
				  "regions %p and %p overlap", (void *)reg->min, (void *)r->min);
		bad += lmm_check_region(lmm, reg);
	}
	LMM_CHECK(nr == lmm->stats.nr_regions, "%lu regions, %lu counted", nr,
		  lmm->stats.nr_regions);
	spin_unlock_irqrestore(&lmm->lock, flags);
	return bad;
}

/* ------------------------------------------------------------------------
 * Dumping
 * ------------------------------------------------------------------------
 */

/* lmm_dump(): a batch of extents of one region, gathered under the lock. */
#define LMM_DUMP_BATCH	32

struct lmm_dump_batch {
	uintptr_t end;			/* the region's end: stop there */
	unsigned int n;
	struct {
		uintptr_t start;
		size_t size;
	} ext[LMM_DUMP_BATCH];
};

static bool lmm_dump_take(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct lmm_dump_batch *b = arg;

	if (start >= b->end || b->n == LMM_DUMP_BATCH)
		return false;
	b->ext[b->n].start = start;
	b->ext[b->n++].size = size;
	return true;
}

/**
 * lmm_dump() - print a pool's regions and free extents
 * @lmm: the pool.
 * @print: called once per line, without the pool lock (it may sleep if the
 *	caller's context allows).
 * @arg: passed to @print.
 *
 * Regions in search order, each followed by its free extents by address.
 * The extents are gathered LMM_DUMP_BATCH per lock hold
 * (lmm_walk_free_from()), so a large pool is never locked for long; a
 * pool that changes meanwhile is printed as a sequence of consistent
 * batches.
 *
 * Context: any context that @print allows.
 */
void lmm_dump(struct lmm *lmm, lmm_print_fn print, void *arg)
{
	struct lmm_dump_batch b;
	struct lmm_region_info ri;
	struct lmm_info info;
	unsigned int idx, i;
	uintptr_t pos;

	lmm_info(lmm, &info);
	print(arg, "pool %s: policy %s, debug %s\n", info.name, info.policy,
	      info.debug ? "on" : "off");
	for (idx = 0; !lmm_region_info(lmm, idx, &ri); idx++) {
		print(arg, "region 0x%016lx-0x%016lx flags 0x%08x pri %d free %zu in %lu extents\n",
		      (unsigned long)ri.min, (unsigned long)ri.max, ri.flags, ri.pri, ri.free,
		      ri.nr_free);
		for (pos = ri.min; pos < ri.max;) {
			b.end = ri.max;
			b.n = 0;
			pos = lmm_walk_free_from(lmm, pos, LMM_DUMP_BATCH, lmm_dump_take, &b);
			for (i = 0; i < b.n; i++)
				print(arg, "  free 0x%016lx-0x%016lx %zu\n",
				      (unsigned long)b.ext[i].start,
				      (unsigned long)(b.ext[i].start + b.ext[i].size),
				      b.ext[i].size);
		}
	}
}
