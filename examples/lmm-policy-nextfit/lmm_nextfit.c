// SPDX-License-Identifier: GPL-2.0
/*
 * lmm_nextfit: an example LMM policy, next fit, in a module of its own.
 *
 * Next fit (Knuth, TAOCP 2.5) is first fit that starts where the previous
 * search stopped instead of at the lowest address, and wraps around: it
 * spreads allocations over the region and leaves the low addresses no more
 * fragmented than the high ones.  Its index is a doubly linked list of the
 * free extents in address order, kept in the 16-byte node that the LMM
 * places in the first granule of every free extent: @left is the previous
 * extent, @right the next, as granule numbers in the region (LMM_NIL: none).
 * The rover, where the last allocation ended, is the region's @cursor.
 *
 * Uses lmm.h only.  Load it after memlab.ko, then:
 *   echo nextfit > /sys/kernel/debug/memlab/knobs/lmm_policy
 * While a pool uses it the module is pinned: rmmod fails with EBUSY.
 */
#include <linux/module.h>
#include <linux/printk.h>

#include "lmm/lmm.h"

/* ---- the index: a doubly linked list by address ---- */

static u32 nf_floor(const struct lmm_region *reg, u32 g)
{
	u32 t, best = LMM_NIL;

	for (t = reg->root; t != LMM_NIL && t <= g; t = lmm_node(reg, t)->right)
		best = t;
	return best;
}

static u32 nf_ceil(const struct lmm_region *reg, u32 g)
{
	u32 t = reg->root;

	while (t != LMM_NIL && t < g)
		t = lmm_node(reg, t)->right;
	return t;
}

static u32 nf_next(const struct lmm_region *reg, u32 g)
{
	return lmm_node(reg, g)->right;
}

static void nf_insert(struct lmm_region *reg, u32 g)
{
	u32 prev = g ? nf_floor(reg, g - 1) : LMM_NIL;
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

static void nf_erase(struct lmm_region *reg, u32 g)
{
	struct lmm_node *n = lmm_node(reg, g);

	if (n->left == LMM_NIL)
		reg->root = n->right;
	else
		lmm_node(reg, n->left)->right = n->right;
	if (n->right != LMM_NIL)
		lmm_node(reg, n->right)->left = n->left;
}

static void nf_resized(struct lmm_region *reg, u32 g)
{
}

static u32 nf_largest(const struct lmm_region *reg)
{
	u32 t, best = 0;

	for (t = reg->root; t != LMM_NIL; t = lmm_node(reg, t)->right)
		best = max(best, lmm_node(reg, t)->size);
	return best;
}

/* The back links mirror the forward ones; the walk is bounded. */
static int nf_check(const struct lmm_region *reg, const char *pool, unsigned long *nodes)
{
	u32 t, prev = LMM_NIL, ng = (reg->max - reg->min) / LMM_GRANULE;

	for (t = reg->root; t != LMM_NIL; prev = t, t = lmm_node(reg, t)->right) {
		if (t >= ng || *nodes >= ng || lmm_node(reg, t)->left != prev) {
			pr_err("lmm %s: nextfit: extent %u after %u: bad link\n", pool, t, prev);
			return 1;
		}
		(*nodes)++;
	}
	return 0;
}

static const struct lmm_index_ops nf_index = {
	.insert = nf_insert, .erase = nf_erase, .resized = nf_resized,
	.floor = nf_floor, .ceil = nf_ceil, .next = nf_next,
	.largest = nf_largest, .check = nf_check,
};

/* ---- the search: first fit from the rover on, then from the start ---- */

static bool nf_scan(struct lmm_region *reg, u32 from, u32 to, const struct lmm_req *rq,
		    uintptr_t *addr, u32 *ext)
{
	u32 t;

	for (t = from; t != to; t = lmm_node(reg, t)->right) {
		if (lmm_node(reg, t)->size >= rq->min_g &&
		    lmm_fit_in(rq, lmm_addr(reg, t), lmm_end(reg, t), addr)) {
			*ext = t;
			return true;
		}
	}
	return false;
}

static bool nf_find(struct lmm_region *reg, const struct lmm_req *rq, uintptr_t *addr,
		    u32 *ext)
{
	u32 start = nf_floor(reg, reg->cursor);

	/* the extent holding the rover, else the first one above it */
	if (start == LMM_NIL || lmm_end(reg, start) <= lmm_addr(reg, reg->cursor))
		start = start == LMM_NIL ? reg->root : lmm_node(reg, start)->right;
	if (start == LMM_NIL)
		start = reg->root;
	if (!nf_scan(reg, start, LMM_NIL, rq, addr, ext) &&
	    !nf_scan(reg, reg->root, start, rq, addr, ext))
		return false;
	/* the rover moves to the end of this allocation */
	reg->cursor = (*addr + rq->size - reg->min + LMM_GRANULE - 1) / LMM_GRANULE;
	return true;
}

static struct lmm_policy nf_policy = {
	.name = "nextfit",
	.owner = THIS_MODULE,
	.index = &nf_index,
	.find = nf_find,
};

static int __init nf_init(void)
{
	int ret = lmm_register_policy(&nf_policy);

	if (ret)
		pr_err("lmm_nextfit: register refused: %d\n", ret);
	return ret;
}

static void __exit nf_exit(void)
{
	/* no pool can use it here: each one that does holds a module reference */
	WARN_ON(lmm_unregister_policy(&nf_policy));
}

module_init(nf_init);
module_exit(nf_exit);
MODULE_LICENSE("GPL");
/* memlab exports its API in the namespace MEMLAB (lmm.h defines MEMLAB_NS) */
MODULE_IMPORT_NS(MEMLAB_NS);
MODULE_DESCRIPTION("memlab example: a next-fit LMM policy in its own module");
