// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_lmm": the LMM's API, edges, misuse and a differential
 * test of the fast policy against OSKit's linear first fit.
 *
 * Every case gets a fresh pool over a private vmalloc buffer ("buf", page
 * aligned).  Pictures show granule-scaled layouts: '#' allocated or outside
 * free space, '.' free.  The suite's exit runs lmm_check() and verifies that
 * exactly the misuse the case announced was reported; each misuse case
 * checks every report's kind and address in the "lmm_misuse" log
 * (common/misuse.h), one kind of misuse per case.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/vmalloc.h>

#include "common/rand.h"
#include "lmm/lmm.h"
#include "kunit/memlab_kunit.h"

#define BUF_SIZE	(256 * 1024)
#define G		LMM_GRANULE

struct lmm_fixture {
	struct lmm pool;
	struct lmm_region reg[4];
	char *buf;
	struct memlab_misuse_log misuse;	/* what "lmm_misuse" recorded */
	int expected_misuse;
	struct kunit_resource res;
};

static int lmm_suite_init(struct kunit *test)
{
	struct lmm_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->buf = vmalloc(BUF_SIZE);
	if (!fx->buf)
		return -ENOMEM;
	lmm_init(&fx->pool);
	lmm_set_name(&fx->pool, "kunit");
	test->priv = fx;
	return memlab_kunit_misuse_log(test, &fx->res, "lmm_misuse", &fx->misuse);
}

static void lmm_suite_exit(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->pool), 0, "validator after the case");
	KUNIT_EXPECT_EQ_MSG(test, fx->misuse.count, fx->expected_misuse,
			    "misuse reports seen vs expected");
	lmm_destroy(&fx->pool);
	vfree(fx->buf);
}

/* One region over the whole buffer, all of it free. */
static struct lmm_fixture *setup_one(struct kunit *test, lmm_flags_t flags)
{
	struct lmm_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf, BUF_SIZE,
					     flags, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf, BUF_SIZE), 0);
	return fx;
}

static uintptr_t ua(const void *p)
{
	return (uintptr_t)p;
}

/* Expect an empty pool to give nothing and report nothing free. */
static void lmm_init_empty(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;
	uintptr_t a = 0;
	size_t size = 1;
	lmm_flags_t flags = 1;

	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, 16, 0));
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), 0);
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, UINTPTR_MAX);
	KUNIT_EXPECT_EQ(test, size, 0);
	KUNIT_EXPECT_EQ(test, flags, 0);
}

/*
 * buf+5 .. buf+5+100: rounded inward to [buf+16, buf+96).
 * Expect a region with no whole granule dropped without error.
 */
static void lmm_add_region_rounds_inward(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;
	struct lmm_stats st;
	uintptr_t a = 0;
	size_t size;

	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf + 5, 100, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], fx->buf + 200, 10, 0, 0), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.nr_regions, 1);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, fx->buf, 4096), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), 80);
	lmm_find_free(&fx->pool, &a, &size, NULL);
	KUNIT_EXPECT_EQ(test, a, ua(fx->buf + 16));
	KUNIT_EXPECT_EQ(test, size, 80);
}

/*
 * Regions A (pri 0, 4 KiB), B (pri 0, 8 KiB), C (pri 1, 4 KiB), D (pri -1).
 * Expect search order C, B, A, D: priority first, then the larger region.
 */
static void lmm_region_search_order(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;
	char *a = fx->buf, *b = fx->buf + 8192, *c = fx->buf + 32768, *d = fx->buf + 65536;
	char *p;

	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], a, 4096, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], b, 8192, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[2], c, 4096, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[3], d, 4096, 0, -1), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf, BUF_SIZE), 0);

	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)c);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)b);
	p = lmm_alloc(&fx->pool, 8192, 0);	/* only B's rest + nothing: no region has 8K */
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)(b + 4096));
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)a);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)d);
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, 16, 0));
}

/*
 * Region 0 flags 0x3, region 1 flags 0x1 at higher priority.
 * Expect flags 0x2 to skip region 1, and flags 0x4 to find nothing.
 */
static void lmm_alloc_flags_select_regions(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf, 4096, 3, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], fx->buf + 4096, 4096, 1, 5),
			0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf, 8192), 0);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 32, 1), (void *)(fx->buf + 4096));
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 32, 2), (void *)fx->buf);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 32, 3), (void *)(fx->buf + 32));
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, 32, 4));
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 2), 4096 - 64);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), 8192 - 96);
}

/*
 * add_free [buf-4096, buf+8192) over a region [buf, buf+4096):
 * Expect only the region's 4 KiB free; a 2-byte unaligned add is a no-op.
 */
static void lmm_add_free_clips(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf + 4096, 4096, 0, 0),
			0);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, fx->buf, 3 * 4096), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), 4096);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 4096, 0), (void *)(fx->buf + 4096));
	/* OSKit issue #1: tiny unaligned block */
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, fx->buf + 4096 + 0x45, 2), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), 0);
}

/*
 *   alloc 3 x 48:   [AAA|BBB|CCC|.......]
 *   free B:         [AAA|...|CCC|.......]   2 extents
 *   alloc 32:       [AAA|XX.|CCC|.......]   lowest fit: B's place
 *   free A, X, C:   [...................]   one extent again
 * Expect first fit by address and full coalescing.
 */
static void lmm_alloc_first_fit_and_coalesce(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	struct lmm_stats st;
	char *a, *b, *c, *x;

	a = lmm_alloc(&fx->pool, 48, 0);
	b = lmm_alloc(&fx->pool, 48, 0);
	c = lmm_alloc(&fx->pool, 48, 0);
	KUNIT_EXPECT_PTR_EQ(test, a, fx->buf);
	KUNIT_EXPECT_PTR_EQ(test, b, fx->buf + 48);
	KUNIT_EXPECT_PTR_EQ(test, c, fx->buf + 96);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 48), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, 2);
	x = lmm_alloc(&fx->pool, 32, 0);
	KUNIT_EXPECT_PTR_EQ(test, x, b);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 48), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, c, 48), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, x, 32), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, 1);
	KUNIT_EXPECT_EQ(test, st.free_bytes, BUF_SIZE);
	KUNIT_EXPECT_EQ(test, st.largest_free, BUF_SIZE);
}

/*
 * Sizes that are not granule multiples occupy whole granules:
 * alloc 1 -> [buf, buf+16), next alloc at buf+16.
 * Expect lmm_free with the same size to give back exactly those granules.
 */
static void lmm_alloc_rounds_to_granules(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = lmm_alloc(&fx->pool, 1, 0), *q = lmm_alloc(&fx->pool, 17, 0);

	KUNIT_EXPECT_PTR_EQ(test, p, fx->buf);
	KUNIT_EXPECT_PTR_EQ(test, q, fx->buf + 16);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE - 48);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, q, 17), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 1), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/*
 * Alignment 2^k with phase: the address is phase mod 2^k, the lowest such.
 * Phase 4 with 3 bits gives an address inside a granule: it occupies the
 * granule it starts in, and frees back exactly.
 */
static void lmm_alloc_aligned_phase(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p, *q, *r, *s;

	p = lmm_alloc(&fx->pool, 16, 0);			/* buf */
	q = lmm_alloc_aligned(&fx->pool, 100, 0, 12, 0);	/* buf + 4096 */
	r = lmm_alloc_aligned(&fx->pool, 8, 0, 3, 4);		/* buf + 16 + 4 */
	s = lmm_alloc_aligned(&fx->pool, 64, 0, 8, 0x40);	/* buf + 0x40 */
	KUNIT_EXPECT_PTR_EQ(test, p, fx->buf);
	KUNIT_EXPECT_PTR_EQ(test, q, fx->buf + 4096);
	KUNIT_EXPECT_PTR_EQ(test, r, fx->buf + 20);
	KUNIT_EXPECT_PTR_EQ(test, s, fx->buf + 0x40);
	/* OSKit malloc's idiom: header just below an aligned user pointer. */
	p = lmm_alloc_aligned(&fx->pool, 128 + 8, 0, 7, 128 - 8);
	KUNIT_EXPECT_EQ(test, (ua(p) + 8) & 127, 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 136), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, r, 8), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, q, 100), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, s, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc_page(&fx->pool, 0), (void *)fx->buf);
	KUNIT_EXPECT_EQ(test, lmm_free_page(&fx->pool, fx->buf), 0);
}

/*
 * The largest alignments: 2^(BITS_PER_LONG-1).  Without a phase no address
 * of the buffer qualifies (expect NULL, counted as a failure); with the
 * buffer's own address as phase, expect the buffer's first byte.
 */
static void lmm_alloc_aligned_top_bit(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	int bits = BITS_PER_LONG - 1;
	uintptr_t mask = (1UL << bits) - 1;
	void *p;

	p = lmm_alloc_aligned(&fx->pool, 64, 0, bits, (ua(fx->buf) & mask) ? 0 : 16);
	KUNIT_EXPECT_NULL(test, p);
	p = lmm_alloc_aligned(&fx->pool, 64, 0, bits, ua(fx->buf));
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)fx->buf);
	p = lmm_alloc_aligned(&fx->pool, 64, 0, bits, ua(fx->buf) + 4096);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)(fx->buf + 4096));
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf + 4096, 64), 0);
}

/*
 *   [....##.........]   in_min = buf+64, in_size = 64
 * Expect exactly in_min when in_size == size and it is free, NULL once
 * taken, and a block that ends inside the range only.
 */
static void lmm_alloc_gen_exact_address(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	uintptr_t at = ua(fx->buf) + 64;

	KUNIT_EXPECT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 64, 0, 0, 0, at, 64)), at);
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 64, 0, 0, 0, at, 64));
	/* range [buf+32, buf+160): free [buf+32, +64) and [buf+128, +160), 32 bytes each */
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 48, 0, 0, 0, at - 32, 128));
	KUNIT_EXPECT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 32, 0, 0, 0, at - 32, 128)),
			at - 32);
	/* unaligned exact address: occupies the granules under it */
	KUNIT_EXPECT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 10, 0, 0, 0, at + 1000 + 3, 10)),
			at + 1003);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, (void *)(at + 1003), 10), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, (void *)at, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, (void *)(at - 32), 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/*
 * Ranges at both ends of the address space: [0, buf) holds nothing; a range
 * from the buffer's middle to the very top (in_min + in_size == 2^BITS) is
 * legal and gives the middle.
 */
static void lmm_alloc_gen_range_edges(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	uintptr_t mid = ua(fx->buf) + BUF_SIZE / 2;

	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, 0, ua(fx->buf)));
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, 0, ua(fx->buf) + 15));
	KUNIT_EXPECT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, 0, ua(fx->buf) + 16)),
			ua(fx->buf));
	KUNIT_EXPECT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, mid, 0 - mid)), mid);
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, UINTPTR_MAX - 15, 16));
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 32, 0, 0, 0, mid, 16));
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, (void *)mid, 16), 0);
}

/*
 * remove_free [buf+8, buf+40): granules 0, 1 and 2 all overlap it.
 * Expect all three unavailable (OSKit left granule 0 allocatable), and
 * an allocated middle untouched.
 */
static void lmm_remove_free_unaligned_start(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	uintptr_t a = 0;
	size_t size;

	KUNIT_EXPECT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 8, 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE - 48);
	lmm_find_free(&fx->pool, &a, &size, NULL);
	KUNIT_EXPECT_EQ(test, a, ua(fx->buf) + 48);
	/* removing already-unavailable memory again changes nothing */
	KUNIT_EXPECT_EQ(test, lmm_remove_free(&fx->pool, fx->buf, 48), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE - 48);
	/* a hole in the middle of a larger removal */
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 64, 0), (void *)(fx->buf + 48));
	KUNIT_EXPECT_EQ(test, lmm_remove_free(&fx->pool, fx->buf, 4096), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE - 4096);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, fx->buf, 48), 0);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, fx->buf + 112, 4096 - 112), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf + 48, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/*
 *   [##....##..####]
 * Expect find_free to round up, report the lowest free address at or above
 * it and the bytes to that extent's end, and the region's flags.
 */
static void lmm_find_free_walks_extents(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 7);
	uintptr_t b = ua(fx->buf), a;
	lmm_flags_t flags;
	size_t size;

	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf, 32), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 96, 32), 0);
	a = b;
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, b + 32);
	KUNIT_EXPECT_EQ(test, size, 64);
	KUNIT_EXPECT_EQ(test, flags, 7);
	a = b + 33;
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, b + 48);
	KUNIT_EXPECT_EQ(test, size, 48);
	a = b + 100;
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, b + 128);
	KUNIT_EXPECT_EQ(test, size, BUF_SIZE - 128);
	a = b + BUF_SIZE;
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, UINTPTR_MAX);
	KUNIT_EXPECT_EQ(test, size, 0);
	a = UINTPTR_MAX - 3;
	lmm_find_free(&fx->pool, &a, &size, &flags);
	KUNIT_EXPECT_EQ(test, a, UINTPTR_MAX);
}

/* Build a comb of free extents: [free 16][used 16]... over @n extents. */
static void make_comb(struct kunit *test, struct lmm *pool, char *base, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, lmm_remove_free(pool, base + 32 * i + 16, 16), 0);
}

/*
 * Best fit picks the smallest extent that fits, lowest among equals:
 *   [..##....##..##......]  extents 32, 64, 32, 96 bytes... request 48
 * Expect the 64-byte extent; first fit picks the same here, so also ask 16.
 */
static void lmm_best_fit_smallest_extent(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);

	KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, "best_fit"), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 64, 16), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 112, 16), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 160, 16), 0);
	/* free: [0,64) 64, [80,112) 32, [128,160) 32, [176, ...) big */
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 20, 0), (void *)(fx->buf + 80));
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 48, 0), (void *)fx->buf);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 100, 0), (void *)(fx->buf + 176));
	KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, "slowest"), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, ""), -EINVAL);
}

#define DEEP_NODES	70

/* Free the used granule after spine node @k: the extent grows by one (a resize). */
static void deep_resize(struct kunit *test, struct lmm_fixture *fx, const u32 *chain, u32 k)
{
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf + (size_t)(chain[k] + 1) * G, G), 0);
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->pool), 0, "after resizing node %u", k);
}

/* Allocate spine node @k's two granules by their address (an erase). */
static void deep_erase(struct kunit *test, struct lmm_fixture *fx, const u32 *chain, u32 k)
{
	char *p = fx->buf + (size_t)chain[k] * G;

	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc_gen(&fx->pool, 2 * G, 0, 0, 0, ua(p), 2 * G),
			    (void *)p);
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->pool), 0, "after erasing node %u", k);
}

/*
 * A treap path deeper than the iterative updates remember (64 nodes):
 * DEEP_NODES one-granule extents at increasing addresses whose priorities
 * decrease form a single right spine, node k at depth k + 1.  Resizes (a free
 * that merges into a node) and erases (the allocation that takes it) are
 * made at the boundary - node 63 with 63 ancestors, node 64 with exactly 64,
 * node 65 - and at the bottom, where lmm.c falls back to its recursive
 * updates.
 *   [.###.###.#### ... #.###]  each '.' one granule, deeper to the right
 * Expect the exact answers, the right extent counts and a clean validator
 * (and, under KASAN, no access outside the path buffer).
 */
static void lmm_treap_deeper_than_path(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;
	struct lmm_region *reg = &fx->reg[0];
	u64 band = (1ULL << 32) / DEEP_NODES;
	u32 chain[DEEP_NODES], g = 0, k, t, depth = 0;
	struct lmm_stats st;

	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, reg, fx->buf, BUF_SIZE, 0, 0), 0);
	for (k = 0; k < DEEP_NODES; k++, g += 4) {
		u64 lo = (DEEP_NODES - 1 - k) * band;

		/* the next granule, three used ones on, whose priority is in band k */
		for (; g < BUF_SIZE / G - 1; g += 2) {
			u32 pr = lmm_treap_priority(reg->seed, g);

			if (pr >= lo && pr < lo + band)
				break;
		}
		KUNIT_ASSERT_LT_MSG(test, g, BUF_SIZE / G - 1, "no granule for band %u", k);
		KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf + (size_t)g * G, G), 0);
		chain[k] = g;
	}
	for (t = reg->root; t != LMM_NIL; t = lmm_node(reg, t)->right)
		depth++;
	KUNIT_ASSERT_EQ_MSG(test, depth, DEEP_NODES, "the extents do not form one spine");

	deep_resize(test, fx, chain, 63);
	deep_resize(test, fx, chain, 64);
	deep_resize(test, fx, chain, 65);
	deep_resize(test, fx, chain, DEEP_NODES - 1);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, DEEP_NODES);
	KUNIT_EXPECT_EQ(test, st.free_bytes, (size_t)(DEEP_NODES + 4) * G);

	deep_erase(test, fx, chain, DEEP_NODES - 1);
	deep_erase(test, fx, chain, 65);
	deep_erase(test, fx, chain, 64);
	deep_erase(test, fx, chain, 63);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, DEEP_NODES - 4);
	KUNIT_EXPECT_EQ(test, st.free_bytes, (size_t)(DEEP_NODES - 4) * G);
	/* and the first fit of one granule is still the lowest extent */
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, G, 0),
			    (void *)(fx->buf + (size_t)chain[0] * G));
}

/* Expect switching policies back and forth to keep the free space exactly. */
static void lmm_set_policy_reindexes(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	static const char * const order[] = {
		"linear", "best_fit", "linear", "fast",
	};
	struct lmm_stats before, after;
	unsigned int i;

	make_comb(test, &fx->pool, fx->buf, 500);
	lmm_stats(&fx->pool, &before);
	KUNIT_EXPECT_EQ(test, before.free_extents, 501);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, order[i]), 0);
		KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
		lmm_stats(&fx->pool, &after);
		KUNIT_EXPECT_EQ(test, after.free_bytes, before.free_bytes);
		KUNIT_EXPECT_EQ(test, after.free_extents, before.free_extents);
		KUNIT_EXPECT_EQ(test, after.largest_free, before.largest_free);
		KUNIT_EXPECT_STREQ(test, after.policy, order[i]);
		/* both layouts answer the same */
		KUNIT_EXPECT_PTR_EQ(test, lmm_alloc_aligned(&fx->pool, 16, 0, 6, 0),
				    (void *)fx->buf);
		KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf, 16), 0);
	}
}

/*
 * A switch between the list and the tree re-indexes every free extent with
 * the pool lock held.  Expect it refused with -EBUSY above LMM_REINDEX_MAX
 * free extents (nothing changed, the pool answers as before), fast <->
 * best_fit (same index) allowed whatever the count, and the switch allowed
 * again at exactly the limit.
 */
static void lmm_set_policy_refuses_long_reindex(struct kunit *test)
{
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	unsigned long n = LMM_REINDEX_MAX;	/* comb: n extents + the tail */
	size_t size = 32 * n + 4096;
	char *base = vmalloc(size);
	struct lmm_stats st;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, base);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, base, size, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, base, size), 0);
	make_comb(test, pool, base, n);
	lmm_stats(pool, &st);
	KUNIT_ASSERT_EQ(test, st.free_extents, LMM_REINDEX_MAX + 1);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "linear"), -EBUSY);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "best_fit"), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "linear"), -EBUSY);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "fast"), 0);
	lmm_stats(pool, &st);
	KUNIT_EXPECT_STREQ(test, st.policy, "fast");
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	/* one extent fewer: exactly the limit */
	KUNIT_ASSERT_EQ(test, lmm_remove_free(pool, base, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "linear"), 0);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(pool, 16, 0), (void *)(base + 32));
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "fast"), 0);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(base);
}

/* ---- a policy registered by the tests: last fit on a sorted list ----
 *
 * The index is the built-in lmm_list_index, OSKit's list (@right the next
 * extent, @root the head), as a registered policy may share it; the search
 * takes the highest fitting extent, an answer no built-in policy gives, so
 * a case can tell that the pool really asks this policy.  The list has no
 * check operation (optional): the pool's own checks of the extents run.
 */

static bool kl_find(struct lmm_region *reg, const struct lmm_req *rq, uintptr_t *addr,
		    u32 *ext)
{
	uintptr_t a;
	u32 t;

	*ext = LMM_NIL;
	for (t = reg->root; t != LMM_NIL; t = lmm_node(reg, t)->right) {
		if (lmm_fit_in(rq, lmm_addr(reg, t), lmm_end(reg, t), &a)) {
			*ext = t;
			*addr = a;
		}
	}
	return *ext != LMM_NIL;
}

static struct lmm_policy kl_policy = {
	.name = "kunit_lastfit", .owner = THIS_MODULE, .index = &lmm_list_index, .find = kl_find,
};

/* Deferred: the policy goes even when a case stops early (-ENOENT if gone). */
static void kl_unregister(void *policy)
{
	lmm_unregister_policy(policy);
}

static void kl_register(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, lmm_register_policy(&kl_policy), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kl_unregister, &kl_policy), 0);
}

static bool kl_listed(const char *name)
{
	char names[16][LMM_POLICY_NAME_MAX];
	unsigned int i, n = lmm_policy_list(names, ARRAY_SIZE(names));

	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(names)); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* Expect a duplicate name refused with -EEXIST, the policy listed once. */
static void lmm_policy_register_refuses_duplicate(struct kunit *test)
{
	struct lmm_policy fast = { .name = "fast", .index = &lmm_list_index, .find = kl_find };
	struct lmm_policy twin = { .name = "kunit_lastfit", .index = &lmm_list_index,
				   .find = kl_find };

	KUNIT_EXPECT_EQ(test, lmm_register_policy(&fast), -EEXIST);
	KUNIT_EXPECT_FALSE(test, kl_listed("kunit_lastfit"));
	kl_register(test);
	KUNIT_EXPECT_TRUE(test, kl_listed("kunit_lastfit"));
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&kl_policy), -EEXIST);
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&twin), -EEXIST);
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&twin), -ENOENT);
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), 0);
	KUNIT_EXPECT_FALSE(test, kl_listed("kunit_lastfit"));
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), -ENOENT);
}

/* Expect a policy without its operations or with a bad name refused with -EINVAL. */
static void lmm_policy_register_refuses_missing_ops(struct kunit *test)
{
	struct lmm_index_ops no_floor = lmm_list_index;
	struct lmm_policy p = { .name = "kunit_bad", .index = &lmm_list_index };

	no_floor.floor = NULL;
	KUNIT_EXPECT_EQ(test, lmm_register_policy(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);	/* no find */
	p.find = kl_find;
	p.index = NULL;
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	p.index = &no_floor;
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	p.index = &lmm_list_index;
	p.name = NULL;
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	p.name = "";
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	p.name = "two words";
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	p.name = "sixteen_chars_xx";
	KUNIT_EXPECT_EQ(test, lmm_register_policy(&p), -EINVAL);
	KUNIT_EXPECT_FALSE(test, kl_listed("kunit_bad"));
}

/*
 * Expect unregister refused with -EBUSY while a pool uses the policy, and
 * allowed once the pool has switched away or been destroyed; a name no
 * longer registered is refused by lmm_set_policy().
 */
static void lmm_policy_unregister_refused_in_use(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	struct lmm_stats st;

	kl_register(test);
	KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, "kunit_lastfit\n"), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_STREQ(test, st.policy, "kunit_lastfit");
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), -EBUSY);
	KUNIT_EXPECT_TRUE(test, kl_listed("kunit_lastfit"));
	KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, "fast"), 0);
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, "kunit_lastfit"), -EINVAL);
	/* lmm_destroy() lets go of it too */
	KUNIT_ASSERT_EQ(test, lmm_register_policy(&kl_policy), 0);
	KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, "kunit_lastfit"), 0);
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), -EBUSY);
	lmm_destroy(&fx->pool);
	KUNIT_EXPECT_EQ(test, lmm_unregister_policy(&kl_policy), 0);
	lmm_init(&fx->pool);
}

/*
 * Free extents [0,64) [80,112) [128,160), the rest removed:
 *   [....#..#..#######...]
 * Expect the registered last-fit policy to answer (20 B -> +128, 48 B -> +0,
 * 16 B -> +80), the validator to pass on its index, the statistics to use
 * it, and the switches into it and back to fast to keep the free space.
 */
static void lmm_policy_registered_works(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *b = fx->buf;
	struct lmm_stats st;

	kl_register(test);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, b + 64, 16), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, b + 112, 16), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, b + 160, BUF_SIZE - 160), 0);
	KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, "kunit_lastfit"), 0);
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, 3);
	KUNIT_EXPECT_EQ(test, st.free_bytes, 128);
	KUNIT_EXPECT_EQ(test, st.largest_free, 64);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 20, 0), (void *)(b + 128));
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 48, 0), (void *)b);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 16, 0), (void *)(b + 80));
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, 32, 0));
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b + 128, 20), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 48), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b + 80, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, 3);
	KUNIT_EXPECT_EQ(test, st.free_bytes, 128);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(&fx->pool, "fast"), 0);
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
	KUNIT_EXPECT_PTR_EQ(test, lmm_alloc(&fx->pool, 20, 0), (void *)b);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 20), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_extents, 3);
}

/* Regions and free space at the edges of the address space, untouched memory. */
static void lmm_add_region_address_space_edges(struct kunit *test)
{
	struct lmm_fixture *fx = test->priv;
	struct lmm_stats st;

	/* ends exactly at the top: accepted, rounded down */
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0],
					     (void *)(UINTPTR_MAX - 4095), 4096, 0, 0), 0);
	/* starts at 0 */
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], NULL, 4096, 0, 0), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.nr_regions, 2);
	KUNIT_EXPECT_EQ(test, st.free_bytes, 0);
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, UINTPTR_MAX - 4095, 4096));
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, 0, 4096));
}

/* ---- misuse: each is refused, counted, and changes nothing --------------- */

static void expect_unchanged(struct kunit *test, struct lmm_fixture *fx, size_t avail)
{
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), avail);
}

/* Expect an allocation of 0 bytes refused, the report naming its range's start. */
static void lmm_misuse_alloc_zero_size(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	struct lmm_stats st;

	fx->expected_misuse = 2;
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, 0, 0));
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 0, 0, 4, 0, ua(fx->buf), BUF_SIZE));
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_ZERO_SIZE, NULL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, LMM_MISUSE_ZERO_SIZE, fx->buf, 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.misuse[LMM_MISUSE_ZERO_SIZE], 2);
	KUNIT_EXPECT_EQ(test, st.failures, 0);
	expect_unchanged(test, fx, BUF_SIZE);
}

/* Expect a free or a removal of 0 bytes refused, the report naming the block. */
static void lmm_misuse_free_zero_size(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = lmm_alloc(&fx->pool, 64, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 4096, 0), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, LMM_MISUSE_ZERO_SIZE, p, p - fx->buf);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, LMM_MISUSE_ZERO_SIZE, fx->buf + 4096,
				4096);
	expect_unchanged(test, fx, BUF_SIZE - 64);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 64), 0);
}

/*
 *   ....[region: buf .. buf + BUF_SIZE)....
 *   ^ buf - 16 (straddles the start)      ^ buf + BUF_SIZE (just past the end)
 * Expect frees outside every region, straddling its start, or wrapping past
 * the top of the address space refused as outside, each report naming the
 * block passed.
 */
static void lmm_misuse_free_outside(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = lmm_alloc(&fx->pool, 64, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx->expected_misuse = 3;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf + BUF_SIZE, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, fx->buf - 16, 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, (void *)(UINTPTR_MAX - 7), 16), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_OUTSIDE, fx->buf + BUF_SIZE);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, LMM_MISUSE_OUTSIDE, fx->buf - 16);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, LMM_MISUSE_OUTSIDE, UINTPTR_MAX - 7);
	expect_unchanged(test, fx, BUF_SIZE - 64);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 64), 0);
}

/*
 *   [AAAA|BBBB|......]  -> [AAAA|....|......]
 * A and B allocated, 64 bytes each, then B freed; A is returned, B is A + 64.
 */
static char *setup_a_b_freed(struct kunit *test, struct lmm_fixture *fx)
{
	char *a = lmm_alloc(&fx->pool, 64, 0), *b = lmm_alloc(&fx->pool, 64, 0);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 64);
	KUNIT_ASSERT_EQ(test, lmm_free(&fx->pool, b, 64), 0);
	return a;
}

/*
 *   [AAAA|....|......]  free B again (the exact repeat OSKit misses), then
 *   free a granule inside the freed B.
 * Expect both refused as double frees naming the block and its offset in
 * the region, the free bytes unchanged.
 */
static void lmm_misuse_double_free(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a = setup_a_b_freed(test, fx), *b = a + 64;

	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b + 16, 16), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, LMM_MISUSE_DOUBLE_FREE, b, b - fx->buf);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, LMM_MISUSE_DOUBLE_FREE, b + 16,
				b + 16 - fx->buf);
	expect_unchanged(test, fx, BUF_SIZE - 64);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 64), 0);
}

/*
 *   [AAAA|....|......]  free [A's tail + B's head], then give [A + B] back
 *   with lmm_add_free().
 * Expect both refused as overlapping free space, naming the block, with
 * nothing added.
 */
static void lmm_misuse_overlap_free(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a = setup_a_b_freed(test, fx);

	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a + 32, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, a, 128), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_OVERLAP_FREE, a + 32);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, LMM_MISUSE_OVERLAP_FREE, a);
	expect_unchanged(test, fx, BUF_SIZE - 64);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 64), 0);
}

/*
 * Expect overlapping, duplicate and wrapping regions refused as bad
 * regions, each report naming the range's start.
 */
static void lmm_misuse_bad_region(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	void *top = (void *)(UINTPTR_MAX - 15);

	fx->expected_misuse = 4;
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], fx->buf + 4096, 16, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], fx->buf - 16, 32, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf + BUF_SIZE,
					     4096, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], top, 64, 0, 0), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_BAD_REGION, fx->buf + 4096);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, LMM_MISUSE_BAD_REGION, fx->buf - 16);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, LMM_MISUSE_BAD_REGION, fx->buf + BUF_SIZE);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 3, LMM_MISUSE_BAD_REGION, top);
	expect_unchanged(test, fx, BUF_SIZE);
}

/*
 * Expect alignment bits outside [0, BITS_PER_LONG) refused; the report
 * names the phase asked for.
 */
static void lmm_misuse_bad_align(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);

	fx->expected_misuse = 2;
	KUNIT_EXPECT_NULL(test, lmm_alloc_aligned(&fx->pool, 16, 0, BITS_PER_LONG, 0x30));
	KUNIT_EXPECT_NULL(test, lmm_alloc_aligned(&fx->pool, 16, 0, -1, 0));
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_BAD_ALIGN, 0x30);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, LMM_MISUSE_BAD_ALIGN, NULL);
	expect_unchanged(test, fx, BUF_SIZE);
}

/*
 * Expect an empty range, and ranges that wrap past the top of the address
 * space, refused as bad ranges naming the range's start.
 */
static void lmm_misuse_bad_range(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	void *top = (void *)(UINTPTR_MAX - 15);

	fx->expected_misuse = 3;
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, ua(fx->buf), 0));
	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 16, 0, 0, 0, ua(top), 32));
	KUNIT_EXPECT_EQ(test, lmm_remove_free(&fx->pool, top, 32), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_BAD_RANGE, fx->buf);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, LMM_MISUSE_BAD_RANGE, top);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, LMM_MISUSE_BAD_RANGE, top);
	expect_unchanged(test, fx, BUF_SIZE);
}

/* Expect impossible but well-formed requests to be plain failures, not misuse. */
static void lmm_alloc_impossible_fails_quietly(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	struct lmm_stats st;

	KUNIT_EXPECT_NULL(test, lmm_alloc_gen(&fx->pool, 64, 0, 0, 0, ua(fx->buf), 32));
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, SIZE_MAX, 0));
	KUNIT_EXPECT_NULL(test, lmm_alloc(&fx->pool, BUF_SIZE + 1, 0));
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.failures, 3);
	expect_unchanged(test, fx, BUF_SIZE);
}

/* Debug mode on, one block of 100 bytes (7 granules) live: return it. */
static char *setup_debug_block(struct kunit *test, struct lmm_fixture *fx)
{
	char *p;

	KUNIT_ASSERT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	p = lmm_alloc(&fx->pool, 100, 0);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* Debug mode: expect frees with a size other than the allocation's refused. */
static void lmm_misuse_debug_wrong_size(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = setup_debug_block(test, fx);
	struct lmm_stats st;

	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 96), -EINVAL);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 112), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, LMM_MISUSE_WRONG_SIZE, p, p - fx->buf);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, LMM_MISUSE_WRONG_SIZE, p, p - fx->buf);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.debug_records, 1);
	KUNIT_EXPECT_GT(test, st.debug_bytes, 0);
	expect_unchanged(test, fx, BUF_SIZE - 112);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 100), 0);
}

/* Debug mode: expect a free of an address never handed out refused. */
static void lmm_misuse_debug_not_allocated(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = setup_debug_block(test, fx);

	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p + 16, 16), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, LMM_MISUSE_NOT_ALLOCATED, p + 16,
				p + 16 - fx->buf);
	expect_unchanged(test, fx, BUF_SIZE - 112);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 100), 0);
}

/* Expect debug mode refused while a block is live, and accepted once it is freed. */
static void lmm_set_debug_refused_while_live(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *p = setup_debug_block(test, fx);
	struct lmm_stats st;

	/* -EBUSY only when enabling */
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, false), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, p, 100), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.debug_records, 0);
}

/*
 * Debug mode needs to know that nothing is live: A and B allocated, A
 * freed OSKit-style in two halves - B is still live, so expect -EBUSY.
 * Memory given back with lmm_add_free() drops the records it covers.
 */
static void lmm_set_debug_needs_nothing_live(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a = lmm_alloc(&fx->pool, 32, 0), *b = lmm_alloc(&fx->pool, 32, 0), *c;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a + 16, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 32), 0);
	KUNIT_ASSERT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	c = lmm_alloc(&fx->pool, 64, 0);
	KUNIT_ASSERT_PTR_EQ(test, c, fx->buf);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, c, 64), 0);	/* drops c's record */
	c = lmm_alloc(&fx->pool, 32, 0);
	KUNIT_ASSERT_PTR_EQ(test, c, fx->buf);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, c, 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/*
 * OSKit lets lmm_free() give back memory that lmm_remove_free() took:
 *   [AA|XX|.......]   A allocated, X removed (never allocated)
 *   [AA|..|.......]   lmm_free(X): A is still live
 * Expect debug mode refused while A is live (a record-less A could never
 * be freed again), and allowed once A is back.
 */
static void lmm_set_debug_refused_after_free_of_removed(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a = lmm_alloc(&fx->pool, 32, 0);

	KUNIT_ASSERT_PTR_EQ(test, a, fx->buf);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 32, 32), 0);
	KUNIT_ASSERT_EQ(test, lmm_free(&fx->pool, fx->buf + 32, 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/*
 *   [AA|..........]   A allocated
 *   [..|..........]   lmm_add_free(A): the memory is free again, nothing is live
 * Expect debug mode allowed now, and a block allocated afterwards freed
 * exactly.
 */
static void lmm_set_debug_allowed_after_add_free_over_live(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a = lmm_alloc(&fx->pool, 64, 0);

	KUNIT_ASSERT_PTR_EQ(test, a, fx->buf);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, a, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	a = lmm_alloc(&fx->pool, 64, 0);
	KUNIT_ASSERT_PTR_EQ(test, a, fx->buf);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
}

/* ---- chunked walks -------------------------------------------------------- */

#define WALK_MAX	256

struct walk_log {
	unsigned int n;
	uintptr_t stop;			/* decline pieces at or above this */
	uintptr_t start[WALK_MAX];
	size_t size[WALK_MAX];
	lmm_flags_t flags[WALK_MAX];
};

static bool walk_collect(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct walk_log *w = arg;

	if (start >= w->stop || w->n == WALK_MAX)
		return false;
	w->start[w->n] = start;
	w->size[w->n] = size;
	w->flags[w->n++] = flags;
	return true;
}

static uintptr_t walk(struct lmm *pool, struct walk_log *w, uintptr_t from, unsigned long max)
{
	w->n = 0;
	if (!w->stop)
		w->stop = UINTPTR_MAX;
	return lmm_walk_free_from(pool, from, max, walk_collect, w);
}

/*
 * Region A [buf, +4K) flags 1 pri 0, region B [buf+8K, +4K) flags 2 pri 1
 * (searched first, but higher in memory):
 *   A: [..##....####...]   free [0, 64) and [128, 4K)
 *   B: [..#####........]   free [8K, 8K+32) and [8K+1K, 12K)
 * Expect pieces in address order over both regions, the one holding the
 * start clipped to it, @max and a declining callback both stopping the walk
 * at the next piece's start, UINTPTR_MAX at the end - under every policy.
 */
static void lmm_walk_free_from_address_order(struct kunit *test)
{
	static const char * const pols[] = {
		"fast", "linear", "best_fit",
	};
	struct lmm_fixture *fx = test->priv;
	struct walk_log *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	uintptr_t b = ua(fx->buf);
	unsigned int p;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[0], fx->buf, 4096, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(&fx->pool, &fx->reg[1], fx->buf + 8192, 4096, 2, 1),
			0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf, 3 * 4096), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 64, 64), 0);
	KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 8192 + 32, 1024 - 32), 0);
	for (p = 0; p < ARRAY_SIZE(pols); p++) {
		KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, pols[p]), 0);
		w->stop = 0;
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, 0, 10), UINTPTR_MAX);
		KUNIT_ASSERT_EQ(test, w->n, 4);
		KUNIT_EXPECT_EQ(test, w->start[0], b);
		KUNIT_EXPECT_EQ(test, w->size[0], 64);
		KUNIT_EXPECT_EQ(test, w->flags[0], 1);
		KUNIT_EXPECT_EQ(test, w->start[1], b + 128);
		KUNIT_EXPECT_EQ(test, w->size[1], 4096 - 128);
		KUNIT_EXPECT_EQ(test, w->start[2], b + 8192);
		KUNIT_EXPECT_EQ(test, w->size[2], 32);
		KUNIT_EXPECT_EQ(test, w->flags[2], 2);
		KUNIT_EXPECT_EQ(test, w->start[3], b + 8192 + 1024);
		KUNIT_EXPECT_EQ(test, w->size[3], 3072);
		/* from inside an extent, unaligned: clipped, rounded up to the granule */
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, b + 130, 1), b + 8192);
		KUNIT_ASSERT_EQ(test, w->n, 1);
		KUNIT_EXPECT_EQ(test, w->start[0], b + 144);
		KUNIT_EXPECT_EQ(test, w->size[0], 4096 - 144);
		/* from allocated memory: the next extent */
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, b + 64, 1), b + 8192);
		KUNIT_EXPECT_EQ(test, w->start[0], b + 128);
		/* max pieces: stops at the next piece's start */
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, 0, 2), b + 8192);
		KUNIT_EXPECT_EQ(test, w->n, 2);
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, b + 8192, 0), b + 8192);
		KUNIT_EXPECT_EQ(test, w->n, 0);
		/* the callback declines: the walk returns that piece's start */
		w->stop = b + 4096;
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, 0, 10), b + 8192);
		KUNIT_EXPECT_EQ(test, w->n, 2);
		w->stop = 0;
		/* nothing above */
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, b + 3 * 4096, 10), UINTPTR_MAX);
		KUNIT_EXPECT_EQ(test, w->n, 0);
		KUNIT_EXPECT_EQ(test, walk(&fx->pool, w, UINTPTR_MAX - 3, 10), UINTPTR_MAX);
		KUNIT_EXPECT_EQ(test, w->n, 0);
	}
}

/*
 * A comb of 300 free 16-byte extents, walked 7 pieces per call while the
 * pool changes between calls: on even calls the last extent reported is
 * allocated and freed again (its index node goes away and comes back, so a
 * LINEAR resume hint must not be trusted), and the extent three ahead of the
 * cursor is taken away for good.  Expect, with both index layouts, every
 * extent still free ahead of the cursor reported once, in order, and none
 * that was taken away.
 */
static void lmm_walk_free_from_resumes_under_change(struct kunit *test)
{
	static const char * const pols[] = { "fast", "linear" };
	struct lmm_fixture *fx = test->priv;
	struct walk_log *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	unsigned long *gone = kunit_kcalloc(test, BITS_TO_LONGS(301), sizeof(long), GFP_KERNEL);
	unsigned int p, i, calls, next;
	uintptr_t b = ua(fx->buf), pos;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	setup_one(test, 0);
	make_comb(test, &fx->pool, fx->buf, 300);
	for (p = 0; p < ARRAY_SIZE(pols); p++) {
		KUNIT_ASSERT_EQ(test, lmm_set_policy(&fx->pool, pols[p]), 0);
		bitmap_zero(gone, 301);
		next = 0;
		w->stop = 0;
		for (pos = b, calls = 0; pos != UINTPTR_MAX; calls++) {
			pos = walk(&fx->pool, w, pos, 7);
			for (i = 0; i < w->n; i++) {
				while (next < 300 && test_bit(next, gone))
					next++;
				KUNIT_ASSERT_EQ_MSG(test, w->start[i], b + 32 * next,
						    "call %u piece %u", calls, i);
				KUNIT_EXPECT_EQ(test, w->size[i],
						next < 300 ? 16 : BUF_SIZE - 32 * 300);
				next++;
			}
			if (!w->n || calls % 2 || next >= 297)
				continue;
			/* the last one reported: away and back */
			KUNIT_ASSERT_EQ(test, ua(lmm_alloc_gen(&fx->pool, 16, 0, 0, 0,
							       w->start[w->n - 1], 16)),
					w->start[w->n - 1]);
			KUNIT_ASSERT_EQ(test, lmm_free(&fx->pool, (void *)w->start[w->n - 1], 16),
					0);
			/* one ahead: away for good */
			__set_bit(next + 2, gone);
			KUNIT_ASSERT_EQ(test, lmm_remove_free(&fx->pool, fx->buf + 32 * (next + 2),
							      16), 0);
		}
		KUNIT_EXPECT_EQ(test, next, 301);
		KUNIT_EXPECT_EQ(test, lmm_check(&fx->pool), 0);
		/* give the removed ones back for the next layout */
		for (i = 0; i < 300; i++)
			if (test_bit(i, gone))
				KUNIT_ASSERT_EQ(test, lmm_add_free(&fx->pool, fx->buf + 32 * i, 16),
						0);
	}
}

/*
 * lmm_dump() prints batches gathered under the lock: expect the header, the
 * region line and all 301 extents of a comb, in order.
 */
struct dump_count {
	unsigned int lines, extents;
	uintptr_t last;
	bool ordered;
};

static __printf(2, 3) void dump_count_print(void *arg, const char *fmt, ...)
{
	struct dump_count *d = arg;
	unsigned long s = 0, e = 0;
	char line[128];
	va_list args;

	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	d->lines++;
	if (sscanf(line, "  free 0x%lx-0x%lx", &s, &e) == 2) {
		d->ordered &= s >= d->last;
		d->last = e;
		d->extents++;
	}
}

static void lmm_dump_lists_every_extent(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	struct dump_count d = { .ordered = true };

	make_comb(test, &fx->pool, fx->buf, 300);
	lmm_dump(&fx->pool, dump_count_print, &d);
	KUNIT_EXPECT_EQ(test, d.extents, 301);
	KUNIT_EXPECT_EQ(test, d.lines, 301 + 2);
	KUNIT_EXPECT_TRUE(test, d.ordered);
}

/*
 * Debug mode: lmm_add_free() over part of a block drops that block's
 * record, found from the last record starting below the range:
 *   [AAAA|BBBB|CCCC|......]   add_free [B+32, B+48)
 * Expect B's record gone (B's later free refused as never allocated), A's
 * and C's kept and freed exactly.
 */
static void lmm_add_free_drops_overlapped_record(struct kunit *test)
{
	struct lmm_fixture *fx = setup_one(test, 0);
	char *a, *b, *c;
	struct lmm_stats st;

	KUNIT_ASSERT_EQ(test, lmm_set_debug(&fx->pool, true), 0);
	a = lmm_alloc(&fx->pool, 64, 0);
	b = lmm_alloc(&fx->pool, 64, 0);
	c = lmm_alloc(&fx->pool, 64, 0);
	KUNIT_ASSERT_PTR_EQ(test, b, a + 64);
	KUNIT_ASSERT_PTR_EQ(test, c, a + 128);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, b + 32, 16), 0);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.debug_records, 2);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, b, 32), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, LMM_MISUSE_NOT_ALLOCATED, b);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, a, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->pool, c, 64), 0);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, b, 32), 0);
	KUNIT_EXPECT_EQ(test, lmm_add_free(&fx->pool, b + 48, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->pool, 0), BUF_SIZE);
	lmm_stats(&fx->pool, &st);
	KUNIT_EXPECT_EQ(test, st.debug_records, 0);
	KUNIT_EXPECT_EQ(test, st.misuse[LMM_MISUSE_NOT_ALLOCATED], 1);
	KUNIT_EXPECT_EQ(test, lmm_set_debug(&fx->pool, false), 0);
}

/* ---- differential: fast and linear side by side ----------------------------- */

#define DIFF_BUF	(1024 * 1024)
#define DIFF_LIVE	2048

struct diff_side {
	struct lmm pool;
	struct lmm_region low, high;
	char *base;
};

struct diff_state {
	struct diff_side side[2];
	struct { u32 off, size; } live[DIFF_LIVE];
	int nlive;
	struct rnd_state rng;
};

static u64 diff_rnd(struct diff_state *d)
{
	return memlab_rand_u64(&d->rng);
}

static void diff_free(void *p)
{
	struct diff_state *d = p;

	vfree(d->side[0].base);
	vfree(d->side[1].base);
	vfree(d);
}

static const u64 diff_seeds[] = { 1, 0x5eed, 0xdeadbeef, 20261122 };

static void diff_seed_desc(const u64 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %llu", *seed);
}

KUNIT_ARRAY_PARAM(diff_seed, diff_seeds, diff_seed_desc);

/*
 * 25,000 random operations per seed on two pools laid out alike (a low
 * region flagged 1 at priority -1, the rest at 0): alloc_gen with mixed
 * sizes, alignments up to a page, phases and ranges, and frees in random
 * order.  Expect the same offset from both at every step, lmm_check()
 * clean every 1000 steps, and one free extent per region at the end.
 * Half way, the pools swap policies.
 */
static void lmm_differential_fast_vs_linear(struct kunit *test)
{
	const u64 *seed = test->param_value;
	struct diff_state *d;
	long i, ops = 25000;
	int s;

	memlab_kunit_need_slow(test);
	d = vzalloc(sizeof(*d));
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->side[0].base = vmalloc(DIFF_BUF);
	d->side[1].base = vmalloc(DIFF_BUF);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, diff_free, d), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->side[0].base);
	KUNIT_ASSERT_NOT_NULL(test, d->side[1].base);
	memlab_rand_seed(&d->rng, *seed);
	for (s = 0; s < 2; s++) {
		struct diff_side *sd = &d->side[s];

		lmm_init(&sd->pool);
		lmm_set_policy(&sd->pool, s ? "linear" : "fast");
		KUNIT_ASSERT_EQ(test, lmm_add_region(&sd->pool, &sd->low, sd->base,
						     DIFF_BUF / 8, 1, -1), 0);
		KUNIT_ASSERT_EQ(test, lmm_add_region(&sd->pool, &sd->high, sd->base + DIFF_BUF / 8,
						     DIFF_BUF - DIFF_BUF / 8, 0, 0), 0);
		KUNIT_ASSERT_EQ(test, lmm_add_free(&sd->pool, sd->base, DIFF_BUF), 0);
	}

	for (i = 0; i < ops; i++) {
		u64 r = diff_rnd(d);

		if (d->nlive < DIFF_LIVE && (r % 100 < 55 || !d->nlive)) {
			size_t size = 1 + diff_rnd(d) % ((r & 1) ? 64 : 4096);
			int bits = diff_rnd(d) % 4 ? diff_rnd(d) % 13 : 0;
			uintptr_t ofs = diff_rnd(d) % 3 ? 0 : diff_rnd(d);
			lmm_flags_t flags = diff_rnd(d) % 8 == 0;
			uintptr_t lo = 0, hi = DIFF_BUF;
			long off[2];

			if (diff_rnd(d) % 4 == 0) {
				lo = diff_rnd(d) % DIFF_BUF;
				hi = lo + diff_rnd(d) % (DIFF_BUF - lo) + 1;
			}
			for (s = 0; s < 2; s++) {
				char *base = d->side[s].base;
				char *p = lmm_alloc_gen(&d->side[s].pool, size, flags, bits, ofs,
							ua(base) + lo, hi - lo);

				off[s] = p ? p - base : -1;
			}
			if (off[0] != off[1]) {
				KUNIT_FAIL(test,
					   "op %ld: alloc_gen(%zu, %u, %d, 0x%lx, [0x%lx, 0x%lx)): fast %ld, linear %ld",
					   i, size, flags, bits, (unsigned long)ofs,
					   (unsigned long)lo, (unsigned long)hi, off[0], off[1]);
				return;
			}
			if (off[0] >= 0) {
				d->live[d->nlive].off = off[0];
				d->live[d->nlive++].size = size;
			}
		} else {
			int k = diff_rnd(d) % d->nlive;

			for (s = 0; s < 2; s++)
				KUNIT_ASSERT_EQ(test, lmm_free(&d->side[s].pool,
							       d->side[s].base + d->live[k].off,
							       d->live[k].size), 0);
			d->live[k] = d->live[--d->nlive];
		}
		if (i % 1000 == 999) {
			KUNIT_ASSERT_EQ(test, lmm_check(&d->side[0].pool), 0);
			KUNIT_ASSERT_EQ(test, lmm_check(&d->side[1].pool), 0);
		}
		if (i == ops / 2) {
			lmm_set_policy(&d->side[0].pool, "linear");
			lmm_set_policy(&d->side[1].pool, "fast");
		}
	}
	while (d->nlive--)
		for (s = 0; s < 2; s++)
			KUNIT_ASSERT_EQ(test, lmm_free(&d->side[s].pool,
						       d->side[s].base + d->live[d->nlive].off,
						       d->live[d->nlive].size), 0);
	for (s = 0; s < 2; s++) {
		struct lmm_stats st;

		lmm_stats(&d->side[s].pool, &st);
		KUNIT_EXPECT_EQ(test, st.free_bytes, DIFF_BUF);
		KUNIT_EXPECT_EQ(test, st.free_extents, 2);
		KUNIT_EXPECT_EQ(test, lmm_check(&d->side[s].pool), 0);
	}
	kunit_info(test, "%ld operations, identical answers\n", ops);
}

/* ---- scaling: alloc_gen cost against the number of free extents ------------ */

static u64 time_alloc_gen(struct lmm *pool, char *base, unsigned long n, int reps)
{
	uintptr_t lo = ua(base) + 32 * n / 2;	/* range: upper half of the comb and beyond */
	u64 t0, best = U64_MAX;
	int r, k;

	for (r = 0; r < 3; r++) {
		t0 = ktime_get_ns();
		for (k = 0; k < reps; k++) {
			/* 64 bytes aligned to 64 in the range: only the tail can host it */
			void *p = lmm_alloc_gen(pool, 64, 0, 6, 0, lo, UINTPTR_MAX - lo);

			if (p)
				lmm_free(pool, p, 64);
		}
		best = min(best, (ktime_get_ns() - t0) / reps);
	}
	return best;
}

/*
 * A pool over @size bytes holding a comb of @n free 16-byte extents at
 * 32-byte steps and the tail, built for @policy: with the list, by freeing
 * from the top down, so that each insertion is at the head (O(1)) - a switch
 * of policy would be refused above LMM_REINDEX_MAX extents.
 */
static struct lmm *comb_pool(struct kunit *test, const char *policy, char *base,
			     size_t size, unsigned long n)
{
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_set_policy(pool, policy), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, base, size, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, base + 32 * n, size - 32 * n), 0);
	for (i = n; i-- > 0;)
		KUNIT_ASSERT_EQ(test, lmm_add_free(pool, base + 32 * i, 16), 0);
	return pool;
}

/*
 * Not a pass/fail timing: prints ns per alloc_gen+free pair at 100, 10,000
 * and 100,000 free extents for the fast and linear policies.
 */
static void lmm_alloc_gen_scaling(struct kunit *test)
{
	static const unsigned long counts[] = { 100, 10000, 100000 };
	unsigned int i;

	memlab_kunit_need_slow(test);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		unsigned long n = counts[i];
		size_t size = 32 * n + 65536;
		char *base = vmalloc(size);
		struct lmm *pool;
		u64 fast, linear;

		KUNIT_ASSERT_NOT_NULL(test, base);
		pool = comb_pool(test, "fast", base, size, n);
		fast = time_alloc_gen(pool, base, n, 200);
		KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
		lmm_destroy(pool);
		pool = comb_pool(test, "linear", base, size, n);
		linear = time_alloc_gen(pool, base, n, n > 10000 ? 5 : 50);
		KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
		kunit_info(test, "%6lu extents: fast %llu ns, linear %llu ns per alloc_gen+free (x%llu)\n",
			   n, fast, linear, fast ? linear / fast : 0);
		lmm_destroy(pool);
		vfree(base);
	}
}

/* ---- lock hold times at 1M extents -------------------------------------------- */

#define HOLD_EXTENTS	BIT(20)
#define HOLD_PASSES	5
#define HOLD_LIMIT_NS	(1000 * 1000)	/* the project's bound: ~1 ms with irqs off */

struct hold_walk {
	unsigned long n;
};

static bool hold_count(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	((struct hold_walk *)arg)->n++;
	return true;
}

/*
 * Time every chunk of a full walk, in HOLD_PASSES passes; a chunk's figure
 * is its fastest pass (a host preempting UML inflates a chunk in one pass,
 * hardly the same chunk in every pass; repeating a chunk at once instead
 * would let one long stall cover all tries, and defeat the list's resume
 * hint), and the walk's figure is its slowest chunk.  Returns that, in ns.
 */
static u64 hold_worst_chunk(struct kunit *test, struct lmm *pool, unsigned long *chunks)
{
	unsigned long nr = DIV_ROUND_UP(HOLD_EXTENTS + 1, LMM_WALK_CHUNK) + 1, c;
	u64 *best = kunit_kmalloc_array(test, nr, sizeof(u64), GFP_KERNEL), worst = 0, t0;
	struct hold_walk w = { 0 };
	uintptr_t pos;
	int pass;

	KUNIT_ASSERT_NOT_NULL(test, best);
	for (c = 0; c < nr; c++)
		best[c] = U64_MAX;
	for (pass = 0; pass < HOLD_PASSES; pass++) {
		for (pos = 0, c = 0; pos != UINTPTR_MAX && c < nr; c++) {
			t0 = ktime_get_ns();
			pos = lmm_walk_free_from(pool, pos, LMM_WALK_CHUNK, hold_count, &w);
			best[c] = min(best[c], ktime_get_ns() - t0);
		}
		*chunks = c;
	}
	for (c = 0; c < *chunks; c++)
		worst = max(worst, best[c]);
	KUNIT_EXPECT_EQ(test, w.n, HOLD_PASSES * (HOLD_EXTENTS + 1));
	return worst;
}

/* The fastest of HOLD_PASSES runs of one policy switch, in ns. */
static u64 hold_switch(struct lmm *pool, const char *to, const char *back, int *ret)
{
	u64 best = U64_MAX, t0;
	int pass;

	for (pass = 0; pass < HOLD_PASSES; pass++) {
		t0 = ktime_get_ns();
		*ret |= lmm_set_policy(pool, to);
		best = min(best, ktime_get_ns() - t0);
		*ret |= lmm_set_policy(pool, back);
	}
	return best;
}

/* The slowest over @n positions of the fastest of HOLD_PASSES alloc_gen/free pairs, in ns. */
static u64 hold_worst_op(struct kunit *test, struct lmm *pool, char *base, unsigned long n)
{
	u64 worst = 0, best, t0, t1;
	unsigned long i;
	int pass;

	for (i = 0; i < n; i++) {
		/* comb extents spread over the whole address range */
		uintptr_t at = ua(base) + 32 * ((HOLD_EXTENTS - 1 - i * 997) % HOLD_EXTENTS);
		void *p;

		for (best = U64_MAX, pass = 0; pass < HOLD_PASSES; pass++) {
			t0 = ktime_get_ns();
			p = lmm_alloc_gen(pool, 16, 0, 0, 0, at, 16);
			t1 = ktime_get_ns();
			KUNIT_ASSERT_EQ(test, ua(p), at);
			best = min(best, t1 - t0);
			t0 = ktime_get_ns();
			KUNIT_ASSERT_EQ(test, lmm_free(pool, p, 16), 0);
			best = min(best, ktime_get_ns() - t0);
		}
		worst = max(worst, best);
	}
	return worst;
}

/*
 * A comb of 1M free extents (a 32 MiB region; lock hold times depend on the
 * number of extents, not on the bytes), with the tree.  Expect each to hold
 * the pool lock (interrupts off) for less than 1 ms: every chunk of a walk,
 * an allocation and a free, a statistics snapshot, and a policy switch at
 * exactly LMM_REINDEX_MAX extents (a switch at 1M extents is refused).
 * Prints the figures, and for information the list's (LINEAR, O(n) by
 * OSKit's algorithm): a walk chunk resumed from its hint, and a first fit
 * that has to scan the whole list.  Before the chunked walk one listing
 * held the lock for all 1M extents (lmm_dump 1.6 s, lmm_walk_free 264 ms on
 * this kernel) and a switch re-indexed them all (110 ms to the list, 543 ms
 * to the tree).
 */
static void lmm_lock_hold_at_1m_extents(struct kunit *test)
{
	size_t size = 32 * HOLD_EXTENTS + 65536, small = 32 * LMM_REINDEX_MAX + 4096;
	u64 walk, lwalk, stats = U64_MAX, to_list, to_tree, op, lscan, t0;
	unsigned long chunks = 0, lchunks = 0;
	struct lmm_stats st;
	char *base, *sbase;
	struct lmm *pool;
	int ret = 0, pass;

	memlab_kunit_need_slow(test);
	/*
	 * On PREEMPT_RT the pool lock is a sleeping lock and interrupts stay
	 * on: there is no irqs-off section to measure (and a million extents
	 * under emulated SMP with KASAN take minutes).  The figures come from
	 * the other kernels.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "measures irqs-off lock holds; on PREEMPT_RT interrupts stay on");
	base = vmalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, base);
	pool = comb_pool(test, "fast", base, size, HOLD_EXTENTS);
	walk = hold_worst_chunk(test, pool, &chunks);
	KUNIT_EXPECT_EQ(test, lmm_set_policy(pool, "linear"), -EBUSY);
	for (pass = 0; pass < HOLD_PASSES; pass++) {
		t0 = ktime_get_ns();
		lmm_stats(pool, &st);
		stats = min(stats, ktime_get_ns() - t0);
	}
	KUNIT_EXPECT_EQ(test, st.free_extents, HOLD_EXTENTS + 1);
	KUNIT_EXPECT_STREQ(test, st.policy, "fast");
	op = hold_worst_op(test, pool, base, 1000);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);

	/* the list, for information */
	pool = comb_pool(test, "linear", base, size, HOLD_EXTENTS);
	lwalk = hold_worst_chunk(test, pool, &lchunks);
	t0 = ktime_get_ns();
	KUNIT_EXPECT_NULL(test, lmm_alloc(pool, 65536 + 16, 0));
	lscan = ktime_get_ns() - t0;
	lmm_destroy(pool);
	vfree(base);

	sbase = vmalloc(small);
	KUNIT_ASSERT_NOT_NULL(test, sbase);
	pool = comb_pool(test, "fast", sbase, small, LMM_REINDEX_MAX - 1);
	to_list = hold_switch(pool, "linear", "fast", &ret);
	KUNIT_ASSERT_EQ(test, lmm_set_policy(pool, "linear"), 0);
	to_tree = hold_switch(pool, "fast", "linear", &ret);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(sbase);

	kunit_info(test, "fast, %lu extents: worst walk chunk (%d extents) %llu us over %lu chunks; lmm_stats %llu us; worst alloc_gen or free %llu us\n",
		   HOLD_EXTENTS + 1, LMM_WALK_CHUNK, walk / 1000, chunks, stats / 1000, op / 1000);
	kunit_info(test, "%d extents: switch to linear %llu us, to fast %llu us\n",
		   LMM_REINDEX_MAX, to_list / 1000, to_tree / 1000);
	kunit_info(test, "linear, %lu extents (for information): worst walk chunk %llu us over %lu chunks; a failing first fit %llu us\n",
		   HOLD_EXTENTS + 1, lwalk / 1000, lchunks, lscan / 1000);
	/*
	 * A measurement, not a timed assertion: the bounds themselves (chunks
	 * of LMM_WALK_CHUNK, the re-index limit) are what the cases above
	 * check.  Say how the figures compare with the 1 ms goal.
	 */
	kunit_info(test, "worst hold %llu us: %s the 1 ms goal\n",
		   max3(max(walk, stats), max(op, to_list), to_tree) / 1000,
		   max3(max(walk, stats), max(op, to_list), to_tree) < HOLD_LIMIT_NS ?
		   "within" : "over");
}

static struct kunit_case memlab_lmm_cases[] = {
	KUNIT_CASE(lmm_init_empty),
	KUNIT_CASE(lmm_add_region_rounds_inward),
	KUNIT_CASE(lmm_region_search_order),
	KUNIT_CASE(lmm_alloc_flags_select_regions),
	KUNIT_CASE(lmm_add_free_clips),
	KUNIT_CASE(lmm_alloc_first_fit_and_coalesce),
	KUNIT_CASE(lmm_alloc_rounds_to_granules),
	KUNIT_CASE(lmm_alloc_aligned_phase),
	KUNIT_CASE(lmm_alloc_aligned_top_bit),
	KUNIT_CASE(lmm_alloc_gen_exact_address),
	KUNIT_CASE(lmm_alloc_gen_range_edges),
	KUNIT_CASE(lmm_remove_free_unaligned_start),
	KUNIT_CASE(lmm_find_free_walks_extents),
	KUNIT_CASE(lmm_best_fit_smallest_extent),
	KUNIT_CASE(lmm_treap_deeper_than_path),
	KUNIT_CASE(lmm_set_policy_reindexes),
	KUNIT_CASE(lmm_set_policy_refuses_long_reindex),
	KUNIT_CASE(lmm_policy_register_refuses_duplicate),
	KUNIT_CASE(lmm_policy_register_refuses_missing_ops),
	KUNIT_CASE(lmm_policy_unregister_refused_in_use),
	KUNIT_CASE(lmm_policy_registered_works),
	KUNIT_CASE(lmm_add_region_address_space_edges),
	KUNIT_CASE(lmm_misuse_alloc_zero_size),
	KUNIT_CASE(lmm_misuse_free_zero_size),
	KUNIT_CASE(lmm_misuse_free_outside),
	KUNIT_CASE(lmm_misuse_double_free),
	KUNIT_CASE(lmm_misuse_overlap_free),
	KUNIT_CASE(lmm_misuse_bad_region),
	KUNIT_CASE(lmm_misuse_bad_align),
	KUNIT_CASE(lmm_misuse_bad_range),
	KUNIT_CASE(lmm_alloc_impossible_fails_quietly),
	KUNIT_CASE(lmm_misuse_debug_wrong_size),
	KUNIT_CASE(lmm_misuse_debug_not_allocated),
	KUNIT_CASE(lmm_set_debug_refused_while_live),
	KUNIT_CASE(lmm_set_debug_needs_nothing_live),
	KUNIT_CASE(lmm_set_debug_refused_after_free_of_removed),
	KUNIT_CASE(lmm_set_debug_allowed_after_add_free_over_live),
	KUNIT_CASE(lmm_add_free_drops_overlapped_record),
	KUNIT_CASE(lmm_walk_free_from_address_order),
	KUNIT_CASE(lmm_walk_free_from_resumes_under_change),
	KUNIT_CASE(lmm_dump_lists_every_extent),
	KUNIT_CASE_PARAM_ATTR(lmm_differential_fast_vs_linear, diff_seed_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(lmm_alloc_gen_scaling),
	KUNIT_CASE_SLOW(lmm_lock_hold_at_1m_extents),
	{}
};

static struct kunit_suite memlab_lmm_suite = {
	.name = "memlab_lmm",
	.init = lmm_suite_init,
	.exit = lmm_suite_exit,
	.test_cases = memlab_lmm_cases,
};

kunit_test_suites(&memlab_lmm_suite);
