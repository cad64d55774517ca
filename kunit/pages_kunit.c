// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_pages": the buddy allocator over a private LMM pool.
 *
 * Fixture: a 1 MiB vmalloc buffer; an LMM pool with a low region (the first
 * 256 KiB, flag LOW, priority -1) and a normal region (the rest, priority
 * 0); a pages instance over the whole buffer with max order 4 (64 KiB
 * blocks) and zones "normal" (no flag) then "low" (LOW).  Sixteen
 * max-order blocks: four low, twelve normal.  The suite's exit runs both
 * validators and checks the misuse count the case announced; each misuse
 * case checks every report's kind and address in the "pages_misuse" log.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "common/rand.h"
#include "pages/pages.h"
#include "kunit/memlab_kunit.h"

#define PK_BUF		(1024 * 1024)
#define PK_LOW		(256 * 1024)
#define PK_ORDER	4
#define PK_BLOCK	(PAGE_SIZE << PK_ORDER)
#define PK_NBLOCKS	(PK_BUF / PK_BLOCK)
#define LOW		0x2

struct pages_fixture {
	struct lmm lmm;
	struct lmm_region low, normal;
	char *buf;
	struct memlab_pages *mp;
	size_t avail0;
	struct memlab_misuse_log misuse;
	int expected_misuse;
	struct kunit_resource res;
};

static const struct memlab_zone_desc pk_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
	{ .name = "low", .lmm_flags = LOW },
};

static int pages_suite_init(struct kunit *test)
{
	struct pages_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->buf = vmalloc(PK_BUF);
	if (!fx->buf)
		return -ENOMEM;
	lmm_init(&fx->lmm);
	if (lmm_add_region(&fx->lmm, &fx->low, fx->buf, PK_LOW, LOW, -1) ||
	    lmm_add_region(&fx->lmm, &fx->normal, fx->buf + PK_LOW, PK_BUF - PK_LOW, 0, 0) ||
	    lmm_add_free(&fx->lmm, fx->buf, PK_BUF))
		return -EINVAL;
	fx->avail0 = lmm_avail(&fx->lmm, 0);
	fx->mp = memlab_pages_create("kunit", &fx->lmm, fx->buf, PK_BUF, PK_ORDER,
				     pk_zones, ARRAY_SIZE(pk_zones));
	if (IS_ERR(fx->mp))
		return PTR_ERR(fx->mp);
	test->priv = fx;
	return memlab_kunit_misuse_log(test, &fx->res, "pages_misuse", &fx->misuse);
}

static void pages_suite_exit(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, memlab_pages_check(fx->mp), 0, "pages validator");
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->lmm), 0, "lmm validator");
	KUNIT_EXPECT_EQ(test, fx->misuse.count, fx->expected_misuse);
	/* teardown, not destroy: the instance goes even after a failed case */
	KUNIT_EXPECT_EQ(test, memlab_pages_teardown(fx->mp), 0);
	KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0,
			    "all memory back in the LMM");
	lmm_destroy(&fx->lmm);
	vfree(fx->buf);
}

static unsigned long off_of(struct pages_fixture *fx, const void *p)
{
	return (const char *)p - fx->buf;
}

static void zone_stats(struct pages_fixture *fx, unsigned int zi,
		       struct memlab_pages_zone_stats *zs)
{
	struct memlab_pages_stats st;

	memlab_pages_stats(fx->mp, &st);
	*zs = st.zone[zi];
}

/*
 * One order-0 page from an empty instance:
 *   take block [0..15] from the LMM, split 16 -> 8 + 8 -> 4 + 4 -> 2 + 2 -> 1 + 1
 *   [p|1|2.|4...|8.......]   free: one block each of orders 0, 1, 2, 3
 * Expect that buddyinfo row, then a free that merges everything back and,
 * with no reserve, returns the block to the LMM.
 */
static void pages_split_and_merge(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_zone_stats zs;
	struct memlab_page *pg;
	unsigned int o;

	KUNIT_ASSERT_EQ(test, memlab_pages_set_reserve(fx->mp, 0), 0);
	pg = memlab_alloc_pages(fx->mp, 0, 1);		/* order 1: no per-CPU cache */
	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, off_of(fx, memlab_page_to_addr(fx->mp, pg)), PK_LOW);
	zone_stats(fx, 0, &zs);
	for (o = 0; o <= PK_ORDER; o++)
		KUNIT_EXPECT_EQ_MSG(test, zs.nr_free[o], o >= 1 && o < PK_ORDER ? 1 : 0,
				    "order %u", o);
	KUNIT_EXPECT_EQ(test, zs.blocks_held, 1);
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, pg), 1);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0 - PK_BLOCK);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, pg), 0);
	zone_stats(fx, 0, &zs);
	KUNIT_EXPECT_EQ(test, zs.blocks_held, 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0);
}

/*
 * Expect every allocation, at every order, naturally aligned relative to
 * the buffer and inside it; exhausting the instance order by order and
 * freeing everything gives every byte back to the LMM.
 */
static void pages_every_order_exhaust_and_return(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	unsigned int order;

	KUNIT_ASSERT_EQ(test, memlab_pages_set_reserve(fx->mp, 0), 0);
	for (order = 0; order <= PK_ORDER; order++) {
		unsigned long n = PK_BUF / (PAGE_SIZE << order), i;
		void **v = kunit_kcalloc(test, n + 1, sizeof(*v), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, v);
		for (i = 0; i < n; i++) {
			v[i] = memlab_get_pages(fx->mp, 0, order);
			KUNIT_ASSERT_NOT_NULL_MSG(test, v[i], "order %u block %lu", order, i);
			KUNIT_EXPECT_EQ(test, off_of(fx, v[i]) & ((PAGE_SIZE << order) - 1), 0);
			KUNIT_EXPECT_LT(test, off_of(fx, v[i]), PK_BUF);
		}
		KUNIT_EXPECT_NULL(test, memlab_get_pages(fx->mp, 0, order));
		KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), 0);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, v[i]), 0);
		memlab_pages_shrink(fx->mp);
		KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0, "order %u", order);
		KUNIT_EXPECT_EQ(test, memlab_pages_check(fx->mp), 0);
	}
}

/*
 * Zones: LOW must come from the low region; no flag prefers normal and
 * falls back to low once normal is exhausted (the zonelist order).
 */
static void pages_zones_and_fallback(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	void *v[PK_NBLOCKS];
	unsigned int i, nlow = PK_LOW / PK_BLOCK;

	for (i = 0; i < nlow; i++) {
		v[i] = memlab_get_pages(fx->mp, LOW, PK_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, v[i]);
		KUNIT_EXPECT_LT(test, off_of(fx, v[i]), PK_LOW);
	}
	KUNIT_EXPECT_NULL(test, memlab_get_pages(fx->mp, LOW, 0));
	for (i = 0; i < nlow; i++)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, v[i]), 0);
	memlab_pages_shrink(fx->mp);	/* the low zone's reserve block goes back too */
	for (i = 0; i < PK_NBLOCKS; i++) {
		v[i] = memlab_get_pages(fx->mp, 0, PK_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, v[i]);
		if (i < PK_NBLOCKS - nlow)
			KUNIT_EXPECT_GE_MSG(test, off_of(fx, v[i]), PK_LOW, "block %u", i);
	}
	KUNIT_EXPECT_NULL(test, memlab_get_pages(fx->mp, 0, 0));
	KUNIT_EXPECT_NULL(test, memlab_get_pages(fx->mp, 0x4, 0));	/* no zone has 0x4 */
	for (i = 0; i < PK_NBLOCKS; i++)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, v[i]), 0);
}

/*
 * Reserve 1: the first whole free max-order block stays held, the second
 * goes back to the LMM.
 */
static void pages_reserve_hysteresis(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_zone_stats zs;
	void *a = memlab_get_pages(fx->mp, 0, PK_ORDER);
	void *b = memlab_get_pages(fx->mp, 0, PK_ORDER);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a), 0);
	zone_stats(fx, 0, &zs);
	KUNIT_EXPECT_EQ(test, zs.blocks_held, 2);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, b), 0);
	zone_stats(fx, 0, &zs);
	KUNIT_EXPECT_EQ(test, zs.blocks_held, 1);
	KUNIT_EXPECT_EQ(test, zs.nr_free[PK_ORDER], 1);
	KUNIT_EXPECT_EQ(test, memlab_pages_set_reserve(fx->mp, 65), -EINVAL);
	memlab_pages_shrink(fx->mp);
	zone_stats(fx, 0, &zs);
	KUNIT_EXPECT_EQ(test, zs.blocks_held, 0);
}

/*
 * The demand reserve: six max-order blocks taken from the LMM and freed
 * stay held (demand 6), so taking them again costs no LMM round trip.
 * Then each idle decay step halves the demand and gives back the surplus,
 * down to the fixed reserve of one block:
 *   held after the frees 6; steps: busy (no decay) 6, 3, 1, 1 (demand 0)
 */
static void pages_reserve_follows_demand(struct kunit *test)
{
	static const unsigned long held[] = { 6, 3, 1, 1 };
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct memlab_pages_zone_stats zs;
	void *v[6];
	u64 takes;
	unsigned int i, round;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, memlab_pages_set_demand(fx->mp, MEMLAB_PAGES_DEMAND + 1), -EINVAL);
	memlab_pages_set_decay_every(fx->mp, 3600 * HZ);	/* the case takes the steps */
	KUNIT_ASSERT_EQ(test, memlab_pages_set_demand(fx->mp, 8), 0);
	for (round = 0; round < 2; round++) {
		memlab_pages_stats(fx->mp, st);
		takes = st->lmm_takes;
		for (i = 0; i < ARRAY_SIZE(v); i++) {
			v[i] = memlab_get_pages(fx->mp, 0, PK_ORDER);
			KUNIT_ASSERT_NOT_NULL(test, v[i]);
		}
		for (i = 0; i < ARRAY_SIZE(v); i++)
			KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, v[i]), 0);
		memlab_pages_stats(fx->mp, st);
		KUNIT_EXPECT_EQ_MSG(test, st->zone[0].nr_free[PK_ORDER], 6,
				    "round %u: free blocks held", round);
		KUNIT_EXPECT_EQ_MSG(test, st->lmm_takes - takes, round ? 0 : 6,
				    "round %u: blocks taken from the LMM", round);
	}
	KUNIT_EXPECT_EQ(test, st->zone[0].demand, 6);
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		bool again = memlab_pages_decay_tick(fx->mp);

		zone_stats(fx, 0, &zs);
		KUNIT_EXPECT_EQ_MSG(test, zs.nr_free[PK_ORDER], held[i], "after decay step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, again, i + 1 < ARRAY_SIZE(held), "step %u", i);
		KUNIT_EXPECT_EQ(test, memlab_pages_check(fx->mp), 0);
	}
	KUNIT_EXPECT_EQ(test, zs.demand, 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_set_demand(fx->mp, 0), 0);
}

/*
 * Order-0 pages pass through the per-CPU cache: after one allocation the
 * cache holds the rest of a batch; a snapshot drains it, so buddyinfo
 * shows every free page.
 */
static void pages_pcp_batches_and_drains(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_zone_stats zs;
	struct memlab_page *pg = memlab_alloc_page(fx->mp, 0);
	unsigned long o, free = 0;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, pg), 0);
	zone_stats(fx, 0, &zs);
	KUNIT_EXPECT_EQ(test, zs.pages_cached, 0);
	for (o = 0; o <= PK_ORDER; o++)
		free += zs.nr_free[o] << o;
	KUNIT_EXPECT_EQ(test, free, (1UL << PK_ORDER) - 1);
	KUNIT_EXPECT_EQ(test, memlab_free_page(fx->mp, pg), 0);
	KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, memlab_get_page(fx->mp, 0)), 0);
}

/*
 * Max order 0 over five pages: every block is one page and none has a
 * parent, so the tail-placement look-up must not look past the map.
 */
static void pages_max_order_zero(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages *mp;
	void *p[5];
	int i;

	mp = memlab_pages_create("order0", &fx->lmm, fx->buf + PK_LOW, 5 * PAGE_SIZE, 0,
				 pk_zones, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mp));
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_NOT_NULL(test, p[i] = memlab_get_pages(mp, 0, 0));
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, p[i]), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_check(mp), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(mp), 0);
}

/* ---- misuse ---------------------------------------------------------------- */

/*
 *   [HHHH|TTTT|TTTT|TTTT]  an order-2 block: its second page is a tail.
 * Expect a free of the tail refused as a tail free, naming the page and
 * its offset in the span; the block stays allocated.
 */
static void pages_misuse_tail_page(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	char *a = memlab_get_pages(fx->mp, 0, 2);

	KUNIT_ASSERT_NOT_NULL(test, a);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a + PAGE_SIZE), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_TAIL, a + PAGE_SIZE,
				off_of(fx, a) + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, a)), 2);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a), 0);
}

/* Expect a free of an address inside a page refused as unaligned, naming it. */
static void pages_misuse_unaligned(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	char *a = memlab_get_pages(fx->mp, 0, 2);

	KUNIT_ASSERT_NOT_NULL(test, a);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a + 8), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_UNALIGNED, a + 8,
				off_of(fx, a) + 8);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a), 0);
}

/*
 * Expect an address just past the span, and a descriptor that is not one
 * of the instance's, refused as foreign, each report naming what was passed.
 */
static void pages_misuse_foreign(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_page *fake = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fake);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, fx->buf + PK_BUF), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, fake), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_FOREIGN,
				fx->buf + PK_BUF, 0);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_PAGES_MISUSE_FOREIGN, fake);
}

/*
 * Nothing allocated: no max-order block is held, the last page of the span
 * is the LMM's.  Expect its free refused as not held, naming the page.
 */
static void pages_misuse_not_held(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	char *last = fx->buf + PK_BUF - PAGE_SIZE;

	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, last), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_NOT_HELD, last,
				off_of(fx, last));
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0);
}

/* Expect an order above the maximum refused as misuse, naming no address. */
static void pages_misuse_bad_order(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_stats st;

	fx->expected_misuse = 1;
	KUNIT_EXPECT_NULL(test, memlab_alloc_pages(fx->mp, 0, PK_ORDER + 1));
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_BAD_ORDER, NULL);
	memlab_pages_stats(fx->mp, &st);
	KUNIT_EXPECT_EQ(test, st.failures, 0);
}

/*
 * An order-2 block freed, then freed again by its descriptor and by its
 * address.  Expect both repeats refused as double frees naming the block,
 * and the block no longer reported as allocated.
 */
static void pages_misuse_double_free(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_page *pg;
	char *a = memlab_get_pages(fx->mp, 0, 2);

	KUNIT_ASSERT_NOT_NULL(test, a);
	pg = memlab_addr_to_page(fx->mp, a);
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, pg), 2);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, pg), 0);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, pg), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_DOUBLE_FREE, a,
				off_of(fx, a));
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, MEMLAB_PAGES_MISUSE_DOUBLE_FREE, a,
				off_of(fx, a));
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, pg), -EINVAL);
}

/* An order-0 page freed twice: the second free finds it in the per-CPU cache. */
static void pages_misuse_double_free_cached(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	void *p = memlab_get_page(fx->mp, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, p), 0);
	KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, p), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_DOUBLE_FREE, p);
}

/*
 * A page freed into the per-CPU cache, then a snapshot (which drains the
 * caches back to the buddy lists), then freed again: the second free must
 * be refused.  A drained page is free, never "allocated": a racing claim of
 * the lock-free order-0 free path must not be able to take it.
 */
static void pages_misuse_double_free_after_drain(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_stats st;
	void *p = memlab_get_page(fx->mp, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, p), 0);
	memlab_pages_stats(fx->mp, &st);		/* drains every cache */
	KUNIT_EXPECT_EQ(test, st.zone[0].pages_cached, 0);
	KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, p), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_DOUBLE_FREE, p);
	memlab_pages_stats(fx->mp, &st);
	KUNIT_EXPECT_EQ(test, st.misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE], 1);
}

/*
 * A block split off by an allocation of a higher order, or left by a merge,
 * is free: freeing any free block head is a double free, whichever path
 * put it there.  Order-0 pages in the buddy lists (here: the high half of
 * a split) are the case a bare HEAD once made look allocated.
 */
static void pages_misuse_free_of_split_half(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_stats st;
	char *a;

	KUNIT_ASSERT_EQ(test, memlab_pages_set_reserve(fx->mp, 0), 0);
	a = memlab_get_pages(fx->mp, 0, 1);	/* leaves free blocks of orders 1..3 */
	KUNIT_ASSERT_NOT_NULL(test, a);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a + 2 * PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a + 4 * PAGE_SIZE), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_PAGES_MISUSE_DOUBLE_FREE,
			     a + 2 * PAGE_SIZE);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_PAGES_MISUSE_DOUBLE_FREE,
			     a + 4 * PAGE_SIZE);
	memlab_pages_stats(fx->mp, &st);
	KUNIT_EXPECT_EQ(test, st.misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE], 2);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, a), 0);
}

/*
 * Which order fits a zone of a small arena, blocks aligned relative to the
 * base (4 KiB pages: order 10 = 4 MiB, 8 = 1 MiB):
 *   [0, 4M)        holds order 10        [1M, 4M)  holds order 9 at 2M
 *   [0, 1M)        holds order 8         [2M, 8M)  holds order 10 at 4M
 *   [2M, 7M)       holds order 9 at 2M, 4M
 *   [4K, 8K)       holds order 0 only    [4K, 4K)  holds nothing
 */
static void pages_fit_order_of_small_zones(struct kunit *test)
{
	const size_t m = 1024 * 1024;

	if (PAGE_SIZE != 4096)
		kunit_skip(test, "figures are for 4 KiB pages");
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(0, 4 * m, 10), 10);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(m, 3 * m, 10), 9);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(0, m, 10), 8);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(2 * m, 6 * m, 10), 10);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(2 * m, 5 * m, 10), 9);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(2 * m, 6 * m, 5), 5);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(4096, 4096, 10), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(4096, 0, 10), -1);
	KUNIT_EXPECT_EQ(test, memlab_pages_fit_order(3 * 4096, 6 * 4096, 10), 2);
}

/* Expect destroy refused while a page is allocated, and bad create arguments refused. */
static void pages_destroy_busy(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	void *p = memlab_get_pages(fx->mp, 0, 3);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(fx->mp), -EBUSY);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, p), 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_pages_create("x", &fx->lmm, fx->buf + 1, PK_BUF,
							   4, pk_zones, 2)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_pages_create("x", &fx->lmm, fx->buf, PK_BUF,
							   MEMLAB_PAGES_MAX_ORDER + 1,
							   pk_zones, 2)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_pages_create("x", &fx->lmm, fx->buf, PK_BUF,
							   4, pk_zones, 0)));
}

/* ---- fragmentation indices --------------------------------------------------- */

/*
 * Hand-computed, with Linux's formulas (x1000):
 *   nr_free = {4, 2, 1, 0, 0}: free pages 4 + 4 + 4 = 12, blocks 7
 *   unusable(0) = 0;  unusable(1) = (12 - 4*2... suitable blocks 2+2=4 of
 *   order 1 -> 8 pages) = 4/12 = 333;  unusable(2) = (12 - 1*4)/12 = 666;
 *   unusable(3) = 12/12 = 1000.
 *   extfrag(2) = -1000 (an order-2 block is free);
 *   extfrag(3) = 1000 - (1000 + 12*1000/8) / 7 = 1000 - 2500/7 = 1000 - 357 = 643;
 *   extfrag(4) = 1000 - (1000 + 750) / 7 = 1000 - 250 = 750.
 *   Nothing free: unusable 1000, extfrag 0.
 */
static void pages_fragmentation_indices(struct kunit *test)
{
	static const unsigned long row[] = { 4, 2, 1, 0, 0 };
	static const unsigned long none[] = { 0, 0, 0, 0, 0 };

	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(row, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(row, 5, 1), 333);
	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(row, 5, 2), 666);
	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(row, 5, 3), 1000);
	KUNIT_EXPECT_EQ(test, memlab_frag_extfrag_index(row, 5, 2), -1000);
	KUNIT_EXPECT_EQ(test, memlab_frag_extfrag_index(row, 5, 3), 643);
	KUNIT_EXPECT_EQ(test, memlab_frag_extfrag_index(row, 5, 4), 750);
	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(none, 5, 2), 1000);
	KUNIT_EXPECT_EQ(test, memlab_frag_extfrag_index(none, 5, 2), 0);
}

/* The indices of a real state: one order-0 page taken from one block. */
static void pages_fragmentation_of_instance(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct memlab_pages_zone_stats zs;
	void *p = memlab_get_pages(fx->mp, 0, 1);

	KUNIT_ASSERT_NOT_NULL(test, p);
	zone_stats(fx, 0, &zs);
	/* free: orders 1, 2, 3 one block each = 14 pages, 3 blocks */
	KUNIT_EXPECT_EQ(test, memlab_frag_unusable_index(zs.nr_free, PK_ORDER + 1, 3), 428);
	KUNIT_EXPECT_EQ(test, memlab_frag_extfrag_index(zs.nr_free, PK_ORDER + 1, 4),
			1000 - (1000 + 14 * 1000 / 16) / 3);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, p), 0);
}

/* ---- stress with a reference model ------------------------------------------- */

#define STRESS_LIVE	256

struct stress_block {
	void *addr;
	unsigned int order;
	bool lmm;		/* allocated straight from the LMM */
	size_t size;
};

static u64 stress_rnd(struct rnd_state *s)
{
	return memlab_rand_u64(s);
}

static const u64 stress_seeds[] = { 3, 77, 0xfeed, 123456789 };

static void stress_seed_desc(const u64 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %llu", *seed);
}

KUNIT_ARRAY_PARAM(stress_seed, stress_seeds, stress_seed_desc);

/*
 * 25,000 operations per seed: page blocks of random order and zone, and
 * LMM allocations from the same pool, freed in random order.  A shadow map
 * of the buffer (one byte per 16 bytes) catches any overlap at once; the
 * validators run every 2,500 steps; at the end all memory is back.
 */
static void pages_stress_with_model(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	struct rnd_state rng;
	struct stress_block *live;
	int nlive = 0;
	long i;
	u8 *shadow;

	memlab_kunit_need_slow(test);
	memlab_rand_seed(&rng, *(const u64 *)test->param_value);
	live = kunit_kcalloc(test, STRESS_LIVE, sizeof(*live), GFP_KERNEL);
	shadow = vzalloc(PK_BUF / 16);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, shadow);
	for (i = 0; i < 25000; i++) {
		u64 r = stress_rnd(&rng);

		if (nlive < STRESS_LIVE && (r % 100 < 52 || !nlive)) {
			struct stress_block b = { .lmm = r % 5 == 0 };
			unsigned long g;

			if (b.lmm) {
				b.size = 16 + stress_rnd(&rng) % 3000;
				b.addr = lmm_alloc(&fx->lmm, b.size, 0);
			} else {
				b.order = stress_rnd(&rng) % 8 == 0 ?
					  stress_rnd(&rng) % (PK_ORDER + 1) :
					  stress_rnd(&rng) % 2;
				b.size = PAGE_SIZE << b.order;
				b.addr = memlab_get_pages(fx->mp, r % 7 == 0 ? LOW : 0, b.order);
				if (b.addr)
					KUNIT_ASSERT_EQ(test, off_of(fx, b.addr) & (b.size - 1), 0);
			}
			if (!b.addr)
				continue;
			for (g = off_of(fx, b.addr) / 16;
			     g < (off_of(fx, b.addr) + b.size + 15) / 16; g++) {
				KUNIT_ASSERT_EQ_MSG(test, shadow[g], 0, "op %ld: overlap at 0x%lx",
						    i, g * 16);
				shadow[g] = 1;
			}
			live[nlive++] = b;
		} else {
			int k = stress_rnd(&rng) % nlive;
			struct stress_block *b = &live[k];
			unsigned long g;

			for (g = off_of(fx, b->addr) / 16;
			     g < (off_of(fx, b->addr) + b->size + 15) / 16; g++)
				shadow[g] = 0;
			if (b->lmm)
				KUNIT_ASSERT_EQ(test, lmm_free(&fx->lmm, b->addr, b->size), 0);
			else
				KUNIT_ASSERT_EQ(test, memlab_put_pages(fx->mp, b->addr), 0);
			*b = live[--nlive];
		}
		if (i % 2500 == 2499) {
			KUNIT_ASSERT_EQ(test, memlab_pages_check(fx->mp), 0);
			KUNIT_ASSERT_EQ(test, lmm_check(&fx->lmm), 0);
		}
	}
	while (nlive--) {
		struct stress_block *b = &live[nlive];

		if (b->lmm)
			KUNIT_EXPECT_EQ(test, lmm_free(&fx->lmm, b->addr, b->size), 0);
		else
			KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, b->addr), 0);
	}
	vfree(shadow);
	/* the suite exit checks that destroy leaves the LMM as it started */
}

/* ---- a quick measurement against the kernel's buddy allocator --------------- */

static u64 time_pairs(struct memlab_pages *mp, unsigned int order, bool kernel, int n)
{
	u64 t0 = ktime_get_ns();
	int i;

	for (i = 0; i < n; i++) {
		if (kernel) {
			struct page *pg = alloc_pages(GFP_KERNEL, order);

			if (pg)
				__free_pages(pg, order);
		} else {
			struct memlab_page *pg = memlab_alloc_pages(mp, 0, order);

			if (pg)
				memlab_free_pages(mp, pg);
		}
	}
	return (ktime_get_ns() - t0) / n;
}

/* Not pass/fail: ns per alloc+free pair, memlab vs alloc_pages, same boot. */
static void pages_pairs_vs_alloc_pages(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	static const unsigned int orders[] = { 0, 3 };
	unsigned int i;

	memlab_kunit_need_slow(test);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		u64 ml, k;

		time_pairs(fx->mp, orders[i], false, 1000);	/* warm up */
		time_pairs(fx->mp, orders[i], true, 1000);
		ml = time_pairs(fx->mp, orders[i], false, 20000);
		k = time_pairs(fx->mp, orders[i], true, 20000);
		kunit_info(test, "order %u pair: memlab %llu ns, alloc_pages %llu ns, ratio %llu.%02llu\n",
			   orders[i], ml, k, k ? ml / k : 0, k ? (ml * 100 / k) % 100 : 0);
	}
}

/* A descriptor inside the block it describes, as a slab's header is. */
struct pk_desc {
	u64 pad;
	void *base;
	u64 more;
};

/*
 * memlab_pages_owner_of_block() believes a tag only when the block proves
 * it.  An order-1 block whose two pages are tagged with a descriptor in its
 * second page that records the block's first byte: expect the descriptor
 * from either page.  Then each lie on its own, expect NULL: a descriptor
 * too short to hold the base or with the base beyond it, a tag outside
 * the span, a misaligned one, one whose bytes run past the span's end, a
 * recorded base that is not page aligned, is a tail page, lies outside the
 * span, a head tagged with something else, and the block freed.
 */
static void pages_owner_of_block_proves_tags(struct kunit *test)
{
	struct pages_fixture *fx = test->priv;
	size_t off = offsetof(struct pk_desc, base), len = sizeof(struct pk_desc);
	struct memlab_page *head, *tail;
	struct pk_desc *d, *outside;
	char *base, *last;

	KUNIT_ASSERT_EQ(test, memlab_pages_set_reserve(fx->mp, 0), 0);
	head = memlab_alloc_pages(fx->mp, 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, head);
	base = memlab_page_to_addr(fx->mp, head);
	tail = memlab_addr_to_page(fx->mp, base + PAGE_SIZE);
	d = (struct pk_desc *)(base + 2 * PAGE_SIZE - 64);
	d->base = base;
	memlab_page_set_owner(head, d);
	memlab_page_set_owner(tail, d);
	KUNIT_EXPECT_PTR_EQ(test, memlab_pages_owner_of_block(fx->mp, base + 8, len, off), d);
	KUNIT_EXPECT_PTR_EQ(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off),
			    d);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, fx->buf - 1, len, off));
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base, len, len));
	d->pad = (uintptr_t)base;	/* a base at offset 0, but in 4 bytes there is no room */
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base, 4, 0));

	outside = kunit_kzalloc(test, sizeof(*outside), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, outside);
	outside->base = base;
	memlab_page_set_owner(tail, outside);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off));
	memlab_page_set_owner(tail, (char *)d + 1);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off));
	last = fx->buf + PK_BUF - 8;
	memlab_page_set_owner(tail, last);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off));
	memlab_page_set_owner(tail, d);

	d->base = base + 64;
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base, len, off));
	d->base = base + PAGE_SIZE;
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base, len, off));
	d->base = outside;
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base, len, off));
	d->base = base;
	memlab_page_set_owner(head, NULL);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off));
	memlab_page_set_owner(head, d);
	KUNIT_EXPECT_PTR_EQ(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off),
			    d);

	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, head), 0);
	KUNIT_EXPECT_NULL(test, memlab_pages_owner_of_block(fx->mp, base + PAGE_SIZE, len, off));
}

static struct kunit_case memlab_pages_cases[] = {
	KUNIT_CASE(pages_split_and_merge),
	KUNIT_CASE(pages_every_order_exhaust_and_return),
	KUNIT_CASE(pages_zones_and_fallback),
	KUNIT_CASE(pages_reserve_hysteresis),
	KUNIT_CASE(pages_reserve_follows_demand),
	KUNIT_CASE(pages_pcp_batches_and_drains),
	KUNIT_CASE(pages_max_order_zero),
	KUNIT_CASE(pages_misuse_tail_page),
	KUNIT_CASE(pages_misuse_unaligned),
	KUNIT_CASE(pages_misuse_foreign),
	KUNIT_CASE(pages_misuse_not_held),
	KUNIT_CASE(pages_misuse_bad_order),
	KUNIT_CASE(pages_misuse_double_free),
	KUNIT_CASE(pages_misuse_double_free_cached),
	KUNIT_CASE(pages_misuse_double_free_after_drain),
	KUNIT_CASE(pages_misuse_free_of_split_half),
	KUNIT_CASE(pages_fit_order_of_small_zones),
	KUNIT_CASE(pages_destroy_busy),
	KUNIT_CASE(pages_fragmentation_indices),
	KUNIT_CASE(pages_fragmentation_of_instance),
	KUNIT_CASE(pages_owner_of_block_proves_tags),
	KUNIT_CASE_PARAM_ATTR(pages_stress_with_model, stress_seed_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(pages_pairs_vs_alloc_pages),
	{}
};

static struct kunit_suite memlab_pages_suite = {
	.name = "memlab_pages",
	.init = pages_suite_init,
	.exit = pages_suite_exit,
	.test_cases = memlab_pages_cases,
};

kunit_test_suites(&memlab_pages_suite);
