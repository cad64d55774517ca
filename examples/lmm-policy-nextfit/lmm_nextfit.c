// SPDX-License-Identifier: GPL-2.0
/*
 * lmm_nextfit: an example LMM policy, next fit, in a module of its own.
 *
 * Next fit (Knuth, TAOCP 2.5) is first fit that starts where the previous
 * search stopped instead of at the lowest address, and wraps around: it
 * spreads allocations over the region and leaves the low addresses no more
 * fragmented than the high ones.  It brings only its search: its index is
 * the LMM's own lmm_list_index, the free extents in address order, linked
 * through the 16-byte node the LMM keeps in the first granule of every free
 * extent (@right the next extent, as a granule number in the region;
 * LMM_NIL: none).  A policy with an index of its own fills in a struct
 * lmm_index_ops as well (Documentation/lmm-policies.rst).  The rover, where
 * the last allocation ended, is the region's @cursor.
 *
 * Uses lmm.h only.  Load it after memlab.ko, then:
 *   echo nextfit > /sys/kernel/debug/memlab/knobs/lmm_policy
 * While a pool uses it the module is pinned: rmmod fails with EBUSY.
 */
#include <linux/module.h>
#include <linux/printk.h>

#include "lmm/lmm.h"

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
	u32 start = lmm_list_index.floor(reg, reg->cursor);

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
	.index = &lmm_list_index,
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
