// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_slice": slice pools and the generic allocator.
 *
 * Fixture: a 4 MiB buffer aligned to 1 MiB; an LMM pool over it; a pages
 * instance with max order 8 (1 MiB blocks).  The exit runs the pages and
 * LMM validators, destroys everything and checks that every byte is back
 * in the LMM, and that the misuse the case announced was seen; each misuse
 * case checks every report's kind and address in the "slice_misuse" log
 * (the generic allocator reports there too).
 */

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kasan.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "common/rand.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "slice/slice_internal.h"
#include "kunit/memlab_kunit.h"

#define SK_BUF		(4UL << 20)
#define SK_ORDER	8
#define SK_BLOCK	(PAGE_SIZE << SK_ORDER)

struct slice_fixture {
	struct lmm lmm;
	struct lmm_region reg;
	char *raw, *buf;
	struct memlab_pages *mp;
	size_t avail0;
	struct memlab_misuse_log misuse;
	int expected_misuse;
	struct kunit_resource res;
};

static const struct memlab_zone_desc sk_zones[] = { { .name = "normal" } };

static int slice_suite_init(struct kunit *test)
{
	struct slice_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->raw = vmalloc(SK_BUF + SK_BLOCK);
	if (!fx->raw)
		return -ENOMEM;
	fx->buf = PTR_ALIGN(fx->raw, SK_BLOCK);
	lmm_init(&fx->lmm);
	if (lmm_add_region(&fx->lmm, &fx->reg, fx->buf, SK_BUF, 0, 0) ||
	    lmm_add_free(&fx->lmm, fx->buf, SK_BUF))
		return -EINVAL;
	fx->avail0 = lmm_avail(&fx->lmm, 0);
	fx->mp = memlab_pages_create("slice-kunit", &fx->lmm, fx->buf, SK_BUF, SK_ORDER,
				     sk_zones, 1);
	if (IS_ERR(fx->mp))
		return PTR_ERR(fx->mp);
	test->priv = fx;
	return memlab_kunit_misuse_log(test, &fx->res, "slice_misuse", &fx->misuse);
}

static void slice_suite_exit(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, fx->misuse.count, fx->expected_misuse);
	KUNIT_EXPECT_EQ(test, memlab_pages_check(fx->mp), 0);
	/* teardown, not destroy: the instance goes even after a failed case */
	KUNIT_EXPECT_EQ(test, memlab_pages_teardown(fx->mp), 0);
	KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0, "all memory back in the LMM");
	KUNIT_EXPECT_EQ(test, lmm_check(&fx->lmm), 0);
	lmm_destroy(&fx->lmm);
	vfree(fx->raw);
}

static struct memlab_slice_pool *make_pool(struct kunit *test, size_t size, size_t align,
					   unsigned int debug)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = memlab_slice_create(fx->mp, "kunit", size, align, 0,
							     debug, NULL);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pool), "create size %zu: %ld", size, PTR_ERR(pool));
	return pool;
}

static void destroy_pool(struct kunit *test, struct memlab_slice_pool *pool)
{
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_destroy(pool), 0);
}

static int cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static const size_t sweep_sizes[] = {
	8, 16, 24, 32, 40, 48, 64, 72, 96, 100, 128, 192, 200, 256, 300, 384, 500, 512, 700,
	1000, 1024, 1400, 2000, 2048, 3000, 4096, 5000, 6000, 8192, 10000, 12000, 16384,
};

static void sweep_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu", *size);
}

KUNIT_ARRAY_PARAM(sweep, sweep_sizes, sweep_desc);

/*
 * For each size: three slabs' worth of objects.  Expect no two objects to
 * overlap, each aligned as promised, the waste per slab within 1/8, and
 * after freeing and shrinking the pages instance back where it started.
 */
static void slice_size_classes(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, size, 0, 0);
	struct memlab_slice_stats st;
	unsigned long *objs, n, i;
	size_t align;

	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_LE(test, st.waste_per_slab, (PAGE_SIZE * st.pages_per_slab) / 8);
	KUNIT_EXPECT_GE(test, st.objs_per_slab, 1);
	align = is_power_of_2(size) && size <= PAGE_SIZE ? size : sizeof(long);
	KUNIT_EXPECT_EQ(test, st.align, align);
	n = 3 * st.objs_per_slab;
	objs = kunit_kmalloc_array(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		void *p = memlab_slice_alloc(pool);

		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "object %lu of %lu", i, n);
		KUNIT_EXPECT_EQ(test, (unsigned long)p & (align - 1), 0);
		KUNIT_EXPECT_TRUE(test, (char *)p >= fx->buf &&
				  (char *)p + size <= fx->buf + SK_BUF);
		/* KASAN sees nothing wrong; neighbours stay intact */
		memset(p, 0x5a, size);
		objs[i] = (unsigned long)p;
	}
	sort(objs, n, sizeof(*objs), cmp_ptr, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE_MSG(test, objs[i], objs[i - 1] + size,
				    "objects %lu and %lu overlap", i - 1, i);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.active_objs, n);
	/*
	 * a magazine refill (half a magazine) may have opened more slabs ahead
	 * of need, on each CPU the case ran on
	 */
	KUNIT_EXPECT_GE(test, st.num_slabs, 3);
	KUNIT_EXPECT_LE(test, st.num_slabs,
			3 + DIV_ROUND_UP(pool->mag_max / 2 * num_possible_cpus(),
					 st.objs_per_slab));
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, (void *)objs[i]), 0);
	KUNIT_EXPECT_GT(test, memlab_slice_shrink(pool), 0);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.num_slabs, 0);
	destroy_pool(test, pool);
}

/* Expect Koowaldah's bad cases refused at create, never a panic. */
static void slice_create_refuses(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	unsigned int objs;

	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(fx->mp, "x", 0, 0, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(fx->mp, "x", 4, 0, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(fx->mp, "x", MEMLAB_SLICE_MAX_SIZE + 1,
							   0, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(fx->mp, "x", 64, 3, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(fx->mp, "x", 64, 0, 0, 0x10, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_slice_create(NULL, "x", 64, 0, 0, 0, NULL)));
	/* Koowaldah's 1400-byte case: 2 per page, 32% lost; here within 1/8 */
	KUNIT_EXPECT_NE(test, memlab_slice_order_for(1400, 8, 0, SK_ORDER, &objs), UINT_MAX);
	KUNIT_EXPECT_LE(test, (PAGE_SIZE << memlab_slice_order_for(1400, 8, 0, SK_ORDER, &objs)) -
			objs * 1400, (PAGE_SIZE << memlab_slice_order_for(1400, 8, 0, SK_ORDER,
									  &objs)) / 8);
}

/* Expect shrink to give empty slabs back and the pages instance to drop them. */
static void slice_shrink_returns_slabs(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 256, 0, 0);
	struct memlab_pages_stats *before = kunit_kzalloc(test, 2 * sizeof(*before), GFP_KERNEL);
	void **objs = kunit_kcalloc(test, 200, sizeof(*objs), GFP_KERNEL);
	struct memlab_pages_stats *after = before + 1;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	memlab_pages_stats(fx->mp, before);
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_NOT_NULL(test, objs[i] = memlab_slice_alloc(pool));
	for (i = 0; i < 200; i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	KUNIT_EXPECT_GT(test, memlab_slice_shrink(pool), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_shrink(pool), 0);
	memlab_pages_stats(fx->mp, after);
	KUNIT_EXPECT_EQ(test, after->zone[0].pages_free + after->zone[0].pages_cached,
			after->zone[0].blocks_held << SK_ORDER);
	KUNIT_EXPECT_EQ(test, after->zone[0].pages_free, before->zone[0].pages_free +
			((after->zone[0].blocks_held - before->zone[0].blocks_held) << SK_ORDER));
	destroy_pool(test, pool);
}

/* Expect destroy with live objects refused with -EBUSY, the pool intact. */
static void slice_destroy_busy(struct kunit *test)
{
	struct memlab_slice_pool *pool = make_pool(test, 64, 0, 0);
	void *a = memlab_slice_alloc(pool), *b = memlab_slice_alloc(pool);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, memlab_slice_destroy(pool), -EBUSY);
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, a), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, b), 0);
	destroy_pool(test, pool);
}

/* A constructor runs once per object, when its slab is made. */
static int ctor_calls;

static void count_ctor(void *obj)
{
	ctor_calls++;
	*(u64 *)obj = 0xc0ffee;
}

static void slice_ctor_runs_per_object(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool;
	struct memlab_slice_stats st;
	u64 *p;

	ctor_calls = 0;
	pool = memlab_slice_create(fx->mp, "ctor", 128, 0, 0, 0, count_ctor);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	p = memlab_slice_alloc(pool);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memlab_slice_stats(pool, &st);
	/* once per object of every slab made (a refill may make more than one) */
	KUNIT_EXPECT_GE(test, st.num_slabs, 1);
	KUNIT_EXPECT_EQ(test, ctor_calls, st.num_slabs * st.objs_per_slab);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, p), 0);
	destroy_pool(test, pool);
}

/* ---- misuse ------------------------------------------------------------------ */

/*
 *   slab: [obj x (64)][...]
 *          ^ x + 8
 * Expect a free of a pointer inside an object refused as not an object,
 * the report naming the pointer and its offset in the object.
 */
static void slice_misuse_not_object(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *a = make_pool(test, 64, 0, 0);
	char *x = memlab_slice_alloc(a);

	KUNIT_ASSERT_NOT_NULL(test, x);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, x + 8), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_NOT_OBJECT, x + 8, 8);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, x), 0);
	destroy_pool(test, a);
}

/* Expect a free of another pool's object refused as of the wrong pool, naming it. */
static void slice_misuse_wrong_pool(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *a = make_pool(test, 64, 0, 0), *b = make_pool(test, 96, 0, 0);
	struct memlab_slice_stats st;
	char *y = memlab_slice_alloc(b);

	KUNIT_ASSERT_NOT_NULL(test, y);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, y), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_WRONG_POOL, y);
	memlab_slice_stats(b, &st);
	KUNIT_EXPECT_EQ(test, st.active_objs, 1);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(b, y), 0);
	destroy_pool(test, a);
	destroy_pool(test, b);
}

/*
 * Expect a kmalloc pointer, and an arena address outside every slab,
 * refused as not from memlab's slabs, each report naming the pointer.
 */
static void slice_misuse_foreign(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *a = make_pool(test, 64, 0, 0);
	void *k = kunit_kmalloc(test, 64, GFP_KERNEL);
	char *x = memlab_slice_alloc(a);

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, x);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, k), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, fx->buf + SK_BUF - 64), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_FOREIGN, k);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_SLICE_MISUSE_FOREIGN,
			     fx->buf + SK_BUF - 64);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, x), 0);
	destroy_pool(test, a);
}

/*
 * An object freed twice while it sits in the per-CPU magazine, and again
 * once it is back on its slab's free list.  Expect both refused as double
 * frees naming the object, and nothing left allocated.
 */
static void slice_misuse_double_free(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *a = make_pool(test, 64, 0, 0);
	struct memlab_slice_stats st;
	char *x = memlab_slice_alloc(a), *z;

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, x), 0);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, x), -EINVAL);	/* in the magazine */
	memlab_slice_shrink(a);
	z = memlab_slice_alloc(a);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, z), 0);
	memlab_slice_check(a);					/* drains the magazine */
	KUNIT_EXPECT_EQ(test, memlab_slice_free(a, z), -EINVAL);	/* on the free list */
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_DOUBLE_FREE, x);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_SLICE_MISUSE_DOUBLE_FREE, z);
	memlab_slice_stats(a, &st);
	KUNIT_EXPECT_EQ(test, st.active_objs, 0);
	destroy_pool(test, a);
}

/*
 * Debug pool: write into an object after freeing it, then allocate it
 * again.  Expect a use-after-free report naming the object and the offset
 * of the byte written.  KASAN cannot see it (the arena is valid memory to
 * it); the write is bracketed anyway, as lib/slub_kunit.c does.
 */
static void slice_debug_use_after_free(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 100, 0, MEMLAB_SLICE_POISON);
	char *p = memlab_slice_alloc(pool), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, p), 0);
	fx->expected_misuse = 1;
	kasan_disable_current();
	p[40] = 0x11;
	kasan_enable_current();
	q = memlab_slice_alloc(pool);		/* the same object comes back first */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_USE_AFTER_FREE, p, 40);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, q), 0);
	destroy_pool(test, pool);
}

/*
 *   slot: [object: 100 bytes][red zone: 16][pad to 120]
 *                             ^ byte 100 written
 * Debug pool: write one byte past an object's end, then free it.  Expect an
 * overflow report naming the object and the offset of the byte.
 */
static void slice_debug_overflow(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 100, 0, MEMLAB_SLICE_REDZONE);
	struct memlab_slice_stats st;
	char *p = memlab_slice_alloc(pool);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.slot_size, 120);
	fx->expected_misuse = 1;
	kasan_disable_current();
	p[100] = 0x22;
	kasan_enable_current();
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, p), 0);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_OVERFLOW, p, 100);
	destroy_pool(test, pool);
}

/*
 * Poisoning turned on for a pool whose slabs already hold free objects:
 * they are poisoned at once, so allocating them reports nothing (the
 * suite's exit checks that no misuse was counted).
 */
static void slice_poison_turned_on_later(struct kunit *test)
{
	struct memlab_slice_pool *pool = make_pool(test, 128, 0, 0);
	void *objs[40];
	int i;

	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_NOT_NULL(test, objs[i] = memlab_slice_alloc(pool));
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	KUNIT_ASSERT_EQ(test, memlab_slice_set_debug(pool, MEMLAB_SLICE_POISON), 0);
	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_NOT_NULL(test, objs[i] = memlab_slice_alloc(pool));
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	destroy_pool(test, pool);
}

/*
 * A corrupted free-list link (a write after free hitting the first word,
 * which poisoning leaves alone) is caught when followed: the rest of that
 * slab's list is abandoned, allocation moves to a fresh slab, and the
 * broken slab goes back once its last reachable object is freed.
 */
static void slice_freelist_corruption(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 64, 0, MEMLAB_SLICE_POISON);
	struct memlab_slice_stats st;
	void **p = memlab_slice_alloc(pool), *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, p), 0);
	kasan_disable_current();
	*p = (void *)0xdead000000000000UL;
	kasan_enable_current();
	a = memlab_slice_alloc(pool);
	b = memlab_slice_alloc(pool);
	KUNIT_EXPECT_PTR_EQ(test, a, (void *)p);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* the report names the object whose link failed */
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_FREELIST, p);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.misuse[MEMLAB_SLICE_MISUSE_FREELIST], 1);
	KUNIT_EXPECT_EQ(test, st.num_slabs, 2);
	KUNIT_EXPECT_EQ(test, st.active_objs, 2);
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, a), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, b), 0);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.num_slabs, 1);
	destroy_pool(test, pool);
}

/*
 * Free-list walks other than allocation: turning poisoning on and the
 * validator both follow every free list.  Each walk must validate every
 * link as allocation does and stop after the slab's object count.
 *
 *   slab:  [o0 o1 o2 o3 | o4 o5 o6 o7 | free ...]   o4..o7 live, 0x5a
 *   free list: H -> H2 -> ...   (after o0..o3 were freed and drained)
 *
 * One link is corrupted the way a write after free would (the first word
 * of a freed object, which poisoning leaves alone):
 *   live:       H -> o5, a live object (o5's first word made to end a list)
 *   wild:       H's first word is 0xdead000000000000, not a link at all
 *   misaligned: H -> H2 + 8, inside an object
 *   cycle:      H -> H2 -> H, both genuinely free objects
 * Expect: one FREELIST misuse counted, the slab abandoned (still held,
 * never followed again), the live objects untouched, the validator clean,
 * and the slab given back once its live objects are freed.
 */
enum sk_corruption { SK_LIVE, SK_WILD, SK_MISALIGNED, SK_CYCLE };

struct sk_walk_case {
	const char *name;
	enum sk_corruption kind;
	bool via_poison;	/* walk by turning poisoning on, else by the validator */
};

static const struct sk_walk_case sk_walk_cases[] = {
	{ "validator, link to a live object", SK_LIVE, false },
	{ "validator, wild link", SK_WILD, false },
	{ "validator, misaligned link", SK_MISALIGNED, false },
	{ "validator, cycle", SK_CYCLE, false },
	{ "poison on, link to a live object", SK_LIVE, true },
	{ "poison on, wild link", SK_WILD, true },
	{ "poison on, misaligned link", SK_MISALIGNED, true },
	{ "poison on, cycle", SK_CYCLE, true },
};

static void sk_walk_desc(const struct sk_walk_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sk_walk, sk_walk_cases, sk_walk_desc);

/* A free-list link as slice.c stores it (hardened with the pool's secret). */
static void sk_link_set(struct memlab_slice_pool *pool, void *obj, void *next)
{
	kasan_disable_current();
	*(unsigned long *)obj = (unsigned long)next ^ pool->random ^ (unsigned long)obj;
	kasan_enable_current();
}

static void *sk_link_get(struct memlab_slice_pool *pool, void *obj)
{
	return (void *)(*(unsigned long *)obj ^ pool->random ^ (unsigned long)obj);
}

static void slice_freelist_walks_validated(struct kunit *test)
{
	const struct sk_walk_case *c = test->param_value;
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 64, 0, 0);
	struct memlab_slice_stats st;
	struct slice_slab *slab;
	char *objs[8], *h, *h2;
	int i;

	for (i = 0; i < 8; i++) {
		objs[i] = memlab_slice_alloc(pool);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0x5a, 64);
	}
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	KUNIT_ASSERT_EQ(test, memlab_slice_check(pool), 0);	/* drains the magazine */
	slab = memlab_slice_lookup(fx->mp, objs[0]);
	KUNIT_ASSERT_NOT_NULL(test, slab);
	for (i = 1; i < 8; i++)
		KUNIT_ASSERT_PTR_EQ(test, memlab_slice_lookup(fx->mp, objs[i]), slab);
	h = slab->freelist;
	KUNIT_ASSERT_NOT_NULL(test, h);
	h2 = sk_link_get(pool, h);
	KUNIT_ASSERT_NOT_NULL(test, h2);

	fx->expected_misuse = 1;
	switch (c->kind) {
	case SK_LIVE:
		sk_link_set(pool, h, objs[5]);
		sk_link_set(pool, objs[5], NULL);	/* the caller's data, ending a list */
		break;
	case SK_WILD:
		kasan_disable_current();
		*(unsigned long *)h = 0xdead000000000000UL;
		kasan_enable_current();
		break;
	case SK_MISALIGNED:
		sk_link_set(pool, h, h2 + 8);
		break;
	case SK_CYCLE:
		sk_link_set(pool, h2, h);
		break;
	}
	if (c->via_poison)
		KUNIT_EXPECT_EQ(test, memlab_slice_set_debug(pool, MEMLAB_SLICE_POISON), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	/*
	 * The report names the object whose link failed: H, except in the
	 * cycle, where the walk runs H, H2, H, ... until the list's length is
	 * spent, the objs - 4 free ones: it stops on the last of them.
	 */
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_FREELIST,
			     c->kind == SK_CYCLE && !((pool->objs - 4) & 1) ? h2 : h);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.misuse[MEMLAB_SLICE_MISUSE_FREELIST], 1);
	KUNIT_EXPECT_EQ(test, st.num_slabs, 1);
	KUNIT_EXPECT_EQ(test, st.active_objs, 4);
	KUNIT_EXPECT_TRUE_MSG(test, slab->broken, "the corrupted slab is abandoned");
	KUNIT_EXPECT_NULL(test, slab->freelist);
	for (i = 4; i < 8; i++)
		KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(objs[i] + 8, 0x5a, 56),
				      "live object %d overwritten by the walk", i);
	/* a new allocation never comes from the abandoned slab */
	h = memlab_slice_alloc(pool);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_PTR_NE(test, memlab_slice_lookup(fx->mp, h), slab);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, h), 0);
	for (i = 4; i < 8; i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_check(pool), 0);
	memlab_slice_shrink(pool);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.num_slabs, 0,
			    "the abandoned slab goes back with its last object");
	destroy_pool(test, pool);
}

/*
 * Poisoning turned on over ~950 slabs (~95 in a plain load), each holding
 * one live object and free ones:
 *
 *   partial list: [S1: live + free] [S2: live + free] ... [Sk]   (tail = next)
 *
 * Expect one chunk per slab with the pool lock dropped in between (the
 * pause is a static stub here); a free in the middle of the walk poisons
 * its own object; an allocation in the middle reports nothing; at the end
 * every free object is poisoned.  The longest chunk is printed beside the
 * whole walk.
 */
struct sk_pause {
	struct memlab_slice_pool *pool;
	void **kept;
	unsigned long nkept;
	unsigned long pauses;
	bool locked_seen;
	void *freed_mid;
	void *alloc_mid;
	u64 last, first, longest;
};

static struct sk_pause *sk_pause_ctx;

static void sk_poison_pause(struct memlab_slice_pool *pool)
{
	struct sk_pause *x = sk_pause_ctx;
	struct slice_slab *done;
	u64 now = ktime_get_ns();
	unsigned long i, flags;

	/* the first interval also drains the magazines */
	if (!x->pauses)
		x->first = now - x->last;
	else
		x->longest = max(x->longest, now - x->last);
	x->pauses++;
	if (spin_trylock_irqsave(&pool->lock, flags))
		spin_unlock_irqrestore(&pool->lock, flags);
	else
		x->locked_seen = true;
	if (x->pauses == 1) {
		/* the slab just poisoned went to the head of the partial list */
		done = list_first_entry(&pool->lists[SLICE_PARTIAL], struct slice_slab, list);
		for (i = 0; i < x->nkept; i++) {
			if (x->kept[i] && memlab_slice_lookup(pool->pages, x->kept[i]) == done) {
				x->freed_mid = x->kept[i];
				x->kept[i] = NULL;
				break;
			}
		}
		if (x->freed_mid)
			memlab_slice_free(pool, x->freed_mid);
		x->alloc_mid = memlab_slice_alloc(pool);
	}
	x->last = ktime_get_ns();
}

static void slice_poison_on_in_chunks(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 64, 0, 0);
	struct sk_pause *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	/* ~950 slabs with kunit_slow=1, ~95 otherwise: a plain load stays quick */
	unsigned long want = memlab_kunit_slow ? 60000 : 6000;
	unsigned long n = 0, i, free_objs = 0, poisoned = 0;
	struct memlab_slice_stats st;
	struct slice_slab *slab;
	void **objs = vmalloc(want * sizeof(void *));
	unsigned int l;
	u64 t0, total;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	while (n < want && (objs[n] = memlab_slice_alloc(pool)))
		n++;
	/* keep the first object of each slab, free the others */
	for (i = 0; i < n; i++) {
		slab = memlab_slice_lookup(fx->mp, objs[i]);
		KUNIT_ASSERT_NOT_NULL(test, slab);
		if (objs[i] == (void *)slab->base)
			continue;
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
		objs[i] = NULL;
	}
	x->kept = objs;
	x->nkept = n;
	KUNIT_ASSERT_EQ(test, memlab_slice_check(pool), 0);	/* drains the magazines */
	memlab_slice_stats(pool, &st);
	KUNIT_ASSERT_GT(test, st.num_slabs, 50);

	x->pool = pool;
	sk_pause_ctx = x;
	kunit_activate_static_stub(test, memlab_slice_poison_pause, sk_poison_pause);
	t0 = ktime_get_ns();
	x->last = t0;
	KUNIT_EXPECT_EQ(test, memlab_slice_set_debug(pool, MEMLAB_SLICE_POISON), 0);
	total = ktime_get_ns() - t0;
	kunit_deactivate_static_stub(test, memlab_slice_poison_pause);

	KUNIT_EXPECT_EQ_MSG(test, x->pauses, st.num_slabs, "one chunk per slab with free objects");
	KUNIT_EXPECT_FALSE_MSG(test, x->locked_seen, "the pool lock is dropped between chunks");
	KUNIT_ASSERT_NOT_NULL(test, x->freed_mid);
	KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv((char *)x->freed_mid + 8, 0x6b, 56),
			      "an object freed during the walk is poisoned");
	KUNIT_EXPECT_NOT_NULL(test, x->alloc_mid);
	/* every free object on every list is poisoned now */
	for (l = 0; l < SLICE_NR_LISTS; l++) {
		list_for_each_entry(slab, &pool->lists[l], list) {
			char *obj;

			for (obj = slab->freelist; obj; obj = sk_link_get(pool, obj)) {
				free_objs++;
				poisoned += !memchr_inv(obj + 8, 0x6b, 56);
			}
		}
	}
	KUNIT_EXPECT_GT(test, free_objs, 0);
	KUNIT_EXPECT_EQ(test, poisoned, free_objs);
	kunit_info(test, "poison on over %lu free objects in %lu slabs, one slab per lock hold: whole walk %llu us, %llu us a chunk on average, longest chunk %llu us (first, with the magazine drain, %llu us)\n",
		   free_objs, st.num_slabs, total / 1000, total / 1000 / max(x->pauses, 1UL),
		   x->longest / 1000, x->first / 1000);
	/* allocations check the poison: nothing to report (the fixture expects no misuse) */
	for (i = 0; i < 200; i++) {
		p = memlab_slice_alloc(pool);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, p), 0);
	}
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, x->alloc_mid), 0);
	for (i = 0; i < n; i++)
		if (objs[i])
			KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	vfree(objs);
	destroy_pool(test, pool);
}

/*
 * A free runs lockless: it finds the slab, then claims the object's bit in
 * the slab's free map.  If the slab were given back to the pages layer in
 * between and reused, that bit would land in someone else's memory - a
 * double free racing a shrink would corrupt another slab.  So a slab given
 * back waits for an RCU grace period:
 *
 *   reader (a free in flight):  rcu_read_lock ... lookup(S) ... claim bit
 *   meanwhile:                  X freed, S empty beyond the cache -> S unlinked
 *   Expect: S's block still allocated in the pages layer until the reader
 *   is done; back in the pages layer after memlab_slice_shrink().
 */
static void slice_slab_release_waits_for_readers(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_slice_pool *pool = make_pool(test, 64, 0, 0);
	struct memlab_slice_stats st;
	struct slice_slab *s = NULL;
	unsigned long n = 0, i, want = 4 * 63 + 32;
	void **objs = kunit_kcalloc(test, want, sizeof(*objs), GFP_KERNEL), *x;
	int freed, checked, order;
	struct slice_slab *found;
	char *base;

	/* about five slabs' worth; keep one object, X, of one of them: S */
	KUNIT_ASSERT_NOT_NULL(test, objs);
	while (n < want && (objs[n] = memlab_slice_alloc(pool)))
		n++;
	KUNIT_ASSERT_EQ(test, n, want);
	x = objs[4 * 63 - 1];
	s = memlab_slice_lookup(fx->mp, x);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < n; i++)
		if (objs[i] != x && memlab_slice_lookup(fx->mp, objs[i]) != s)
			KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	for (i = 0; i < n; i++)
		if (objs[i] != x && memlab_slice_lookup(fx->mp, objs[i]) == s)
			KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, objs[i]), 0);
	KUNIT_ASSERT_EQ(test, memlab_slice_check(pool), 0);	/* drains; S holds only X */
	memlab_slice_stats(pool, &st);
	KUNIT_ASSERT_EQ(test, st.active_objs, 1);
	KUNIT_ASSERT_GE(test, pool->nr_on[SLICE_EMPTY], 2);
	base = s->base;

	/*
	 * Poisoning on: frees bypass the magazines, so X goes straight back to
	 * S, which empties beyond the cache, inside the reader's section (the
	 * validator, which drains magazines, may sleep: it runs after).
	 * (KUnit may sleep on a failed expectation: look inside, judge outside.)
	 */
	KUNIT_ASSERT_EQ(test, memlab_slice_set_debug(pool, MEMLAB_SLICE_POISON), 0);
	rcu_read_lock();
	freed = memlab_slice_free(pool, x);
	memlab_slice_stats(pool, &st);
	found = memlab_slice_lookup(fx->mp, x);
	order = memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, base));
	rcu_read_unlock();
	checked = memlab_slice_check(pool);
	KUNIT_EXPECT_EQ(test, freed, 0);
	KUNIT_EXPECT_EQ(test, checked, 0);
	KUNIT_EXPECT_EQ(test, st.num_slabs, 2);
	KUNIT_EXPECT_NULL(test, found);
	KUNIT_EXPECT_GE_MSG(test, order, 0,
			    "a slab given back stays allocated while a reader may hold it");

	memlab_slice_shrink(pool);
	KUNIT_EXPECT_LT_MSG(test, memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, base)), 0,
			    "after the grace period it is back in the pages layer");
	destroy_pool(test, pool);
}

/* ---- per-CPU magazines: contention and CPU hotplug ------------------------- */

/*
 * This CPU's magazine is held, as the code an interrupt arrives in (or, on
 * PREEMPT_RT, a drain from another CPU) holds it.  Expect an allocation and
 * a free on this CPU to go straight to the slabs (no spinning, nothing
 * taken with interrupts off), the magazine untouched.  Also on a
 * uniprocessor kernel: an interrupt there finds the magazine busy the same way.
 */
static void slice_magazine_busy_goes_to_slabs(struct kunit *test)
{
	struct memlab_slice_pool *pool;
	struct memlab_slice_stats st;
	unsigned int before, after;
	struct slice_cpu *c;
	void *p, *q;
	int ret;

	pool = make_pool(test, 64, 0, 0);
	p = memlab_slice_alloc(pool);
	KUNIT_ASSERT_NOT_NULL(test, p);
	c = slice_cpu_get(pool);
	KUNIT_ASSERT_NOT_NULL(test, c);
	before = c->count;
	q = memlab_slice_alloc(pool);
	ret = memlab_slice_free(pool, p);
	after = c->count;
	slice_cpu_put(c);
	KUNIT_EXPECT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ_MSG(test, after, before, "a busy magazine is left alone");
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.active_objs, 1);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(pool, q), 0);
	destroy_pool(test, pool);
}

struct sk_fill {
	struct memlab_slice_pool *pool;
	unsigned int cpu;
	int n;
};

/* On the CPU it runs on: allocate n objects and free them, into its magazine. */
static long sk_fill_magazine(void *arg)
{
	struct sk_fill *f = arg;
	void *objs[16];
	int i, got = 0;

	f->cpu = raw_smp_processor_id();
	for (i = 0; i < f->n && i < ARRAY_SIZE(objs); i++) {
		objs[i] = memlab_slice_alloc(f->pool);
		got += !!objs[i];
	}
	for (i = 0; i < got; i++)
		memlab_slice_free(f->pool, objs[i]);
	return got;
}

/* Fill @cpu's magazine of a new pool with at least 10 objects. */
static struct memlab_slice_pool *sk_pool_with_full_magazine(struct kunit *test, unsigned int cpu)
{
	struct memlab_slice_pool *pool = make_pool(test, 128, 0, 0);
	struct sk_fill f = { .pool = pool, .n = 10 };
	struct memlab_slice_stats st;

	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, sk_fill_magazine, &f), 10);
	KUNIT_ASSERT_EQ(test, f.cpu, cpu);
	KUNIT_ASSERT_GE(test, READ_ONCE(per_cpu_ptr(pool->cpu, cpu)->count), 10);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.active_objs, 0);
	KUNIT_EXPECT_GE(test, st.cpu_cached, 10);
	return pool;
}

/* After the objects of @cpu's magazine went back: nothing cached, all on the slabs. */
static void sk_expect_drained(struct kunit *test, struct memlab_slice_pool *pool, unsigned int cpu)
{
	struct memlab_slice_stats st;

	KUNIT_EXPECT_EQ(test, READ_ONCE(per_cpu_ptr(pool->cpu, cpu)->count), 0);
	memlab_slice_stats(pool, &st);
	KUNIT_EXPECT_EQ(test, st.cpu_cached, 0);
	KUNIT_EXPECT_EQ(test, st.active_objs, 0);
	KUNIT_EXPECT_EQ_MSG(test, pool->nr_inuse, 0, "every object is on a slab's free list");
}

/*
 * The CPU-hotplug teardown callback, called directly for a CPU whose
 * magazine holds objects (this runs on uniprocessor UML too).  Expect the
 * objects back on their slabs' free lists.
 */
static void slice_cpu_dead_callback_drains(struct kunit *test)
{
	unsigned int cpu = cpumask_first(cpu_online_mask);
	struct memlab_slice_pool *pool = sk_pool_with_full_magazine(test, cpu);

	KUNIT_EXPECT_EQ(test, memlab_slice_cpu_dead(cpu, &pool->cpuhp_node), 0);
	sk_expect_drained(test, pool, cpu);
	destroy_pool(test, pool);
}

/*
 * A CPU whose magazine holds objects goes offline for real: expect its
 * magazine drained by the cpuhp callback, then the CPU back online.
 */
static void slice_cpu_offline_drains_magazine(struct kunit *test)
{
	struct memlab_slice_pool *pool;
	unsigned int cpu;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test,
			   "needs CPU hotplug and 2 online CPUs (UML has one: the dead-callback case covers it)");
	cpu = cpumask_last(cpu_online_mask);
	pool = sk_pool_with_full_magazine(test, cpu);
	ret = remove_cpu(cpu);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "remove_cpu(%u)", cpu);
	if (!ret) {
		sk_expect_drained(test, pool, cpu);
		KUNIT_EXPECT_EQ_MSG(test, add_cpu(cpu), 0, "add_cpu(%u)", cpu);
	}
	destroy_pool(test, pool);
}

/* ---- the generic allocator ------------------------------------------------- */

/*
 * Sizes 1 .. 2 MiB: expect ksize >= size, power-of-two sizes aligned to
 * themselves (relative to the buffer, which is aligned to a max block),
 * free without a size, zero and oversized requests refused.
 */
static void generic_alloc_free_ksize(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g = memlab_generic_create(fx->mp, "gk", 0);
	static const size_t sizes[] = { 1, 7, 8, 9, 100, 192, 193, 256, 1000, 4096, 4097,
					8192, 65536, 100000, 1UL << 20 };
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(g));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = memlab_generic_alloc(g, sizes[i], 0);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p[i], "size %zu", sizes[i]);
		KUNIT_EXPECT_GE(test, memlab_generic_ksize(g, p[i]), sizes[i]);
		if (is_power_of_2(sizes[i]))
			KUNIT_EXPECT_EQ_MSG(test, ((char *)p[i] - fx->buf) & (sizes[i] - 1), 0,
					    "size %zu", sizes[i]);
		memset(p[i], 0x77, sizes[i]);
	}
	KUNIT_EXPECT_EQ(test, memlab_generic_ksize(g, p[0]), 8);
	KUNIT_EXPECT_EQ(test, memlab_generic_ksize(g, p[6]), 256);
	KUNIT_EXPECT_EQ(test, memlab_generic_ksize(g, p[10]), 8192);
	KUNIT_EXPECT_NULL(test, memlab_generic_alloc(g, 0, 0));
	KUNIT_EXPECT_NULL(test, memlab_generic_alloc(g, SK_BLOCK + 1, 0));
	KUNIT_EXPECT_NULL(test, memlab_generic_alloc(g, SIZE_MAX, 0));
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ(test, memlab_generic_free(g, p[i]), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, NULL), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_check(g), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

/*
 * Expect generic frees of a kmalloc pointer and of a large block's second
 * page refused as foreign (neither is an allocation of the instance), each
 * report naming the pointer.
 */
static void generic_misuse_foreign(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g = memlab_generic_create(fx->mp, "gm", 0);
	void *k = kunit_kmalloc(test, 32, GFP_KERNEL);
	char *l;

	KUNIT_ASSERT_FALSE(test, IS_ERR(g));
	KUNIT_ASSERT_NOT_NULL(test, k);
	l = memlab_generic_alloc(g, 3 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, l);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, k), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, l + PAGE_SIZE), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_FOREIGN, k);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_SLICE_MISUSE_FOREIGN, l + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_generic_ksize(g, k), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, l), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

/* A generic allocator "gm" over the fixture's pages, in *@g, and a 50-byte object of it. */
static char *generic_small_object(struct kunit *test, struct memlab_generic **g)
{
	struct slice_fixture *fx = test->priv;
	char *s;

	*g = memlab_generic_create(fx->mp, "gm", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(*g));
	s = memlab_generic_alloc(*g, 50, 0);
	KUNIT_ASSERT_NOT_NULL(test, s);
	return s;
}

/* Expect a generic free of a pointer inside a small object refused, naming it. */
static void generic_misuse_interior(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g;
	char *s = generic_small_object(test, &g);

	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, s + 1), -EINVAL);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_NOT_OBJECT, s + 1, 1);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, s), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

/* Expect a second generic free of a small object refused as a double free. */
static void generic_misuse_double_free(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g;
	char *s = generic_small_object(test, &g);

	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, s), 0);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g, s), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_DOUBLE_FREE, s);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

/*
 * Unload with objects still allocated: a small object, a 1000-byte one and
 * a 3-page block stay live while the instance is torn down.  Expect the
 * instance, its pools and magazines freed (kmemleak, read by the guest
 * check after the suites, stays clean), the count of live allocations
 * returned, the slabs and the block still allocated in the pages layer but
 * no longer tagged, and the old pointers refused by another instance.  The
 * pages layer's blocks are then freed by hand, as its own teardown would.
 */
static void generic_teardown_with_live_objects(struct kunit *test)
{
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g = memlab_generic_create(fx->mp, "gtd", 0), *g2;
	struct memlab_slab_info si, ti;
	char *s, *t, *l, *tmp[20];
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(g));
	s = memlab_generic_alloc(g, 50, 0);
	t = memlab_generic_alloc(g, 1000, 0);
	l = memlab_generic_alloc(g, 3 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, l);
	/* and some freed ones, cached in magazines or back on slabs */
	for (i = 0; i < 20; i++)
		tmp[i] = memlab_generic_alloc(g, 16 << (i % 8), 0);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, memlab_generic_free(g, tmp[i]), 0);
	KUNIT_ASSERT_EQ(test, memlab_slice_describe(fx->mp, s, &si), 0);
	KUNIT_ASSERT_EQ(test, memlab_slice_describe(fx->mp, t, &ti), 0);

	KUNIT_EXPECT_EQ(test, memlab_generic_teardown(g), 3);

	KUNIT_EXPECT_NULL(test, memlab_slice_lookup(fx->mp, s));
	KUNIT_EXPECT_NULL(test, memlab_slice_lookup(fx->mp, t));
	KUNIT_EXPECT_EQ(test, memlab_slice_describe(fx->mp, s, &si), -ENOENT);
	KUNIT_EXPECT_GE(test, memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, si.base)), 0);
	KUNIT_EXPECT_GE(test, memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, ti.base)), 0);
	KUNIT_EXPECT_EQ(test, memlab_page_order(fx->mp, memlab_addr_to_page(fx->mp, l)), 2);
	KUNIT_EXPECT_NULL(test, memlab_pages_block_owner(fx->mp, si.base));
	KUNIT_EXPECT_NULL(test, memlab_pages_block_owner(fx->mp, ti.base));
	KUNIT_EXPECT_NULL(test, memlab_pages_block_owner(fx->mp, l));

	g2 = memlab_generic_create(fx->mp, "gtd2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(g2));
	fx->expected_misuse = 3;
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g2, s), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g2, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(g2, l), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_SLICE_MISUSE_FOREIGN, s);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_SLICE_MISUSE_FOREIGN, t);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, MEMLAB_SLICE_MISUSE_FOREIGN, l);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g2), 0);

	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, memlab_addr_to_page(fx->mp, si.base)), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, memlab_addr_to_page(fx->mp, ti.base)), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, memlab_addr_to_page(fx->mp, l)), 0);
}

/* The module's own instance, through the size-less API. */
static void generic_module_default(struct kunit *test)
{
	void *p = memlab_alloc(40, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_ksize(p), 64);
	KUNIT_EXPECT_EQ(test, memlab_free(p), 0);
	KUNIT_EXPECT_NULL(test, memlab_alloc(0, 0));
}

/* ---- stress ------------------------------------------------------------------ */

#define SS_LIVE		512
#define SS_POOLS	6

static const u64 ss_seeds[] = { 11, 2027, 0xabcdef, 31337 };

static void ss_desc(const u64 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %llu", *seed);
}

KUNIT_ARRAY_PARAM(ss_seed, ss_seeds, ss_desc);

struct ss_obj {
	char *p;
	size_t size;
	int pool;		/* -1: generic */
	u8 tag;
};

/*
 * 25,000 operations per seed over six pools of odd sizes and the generic
 * allocator: each object is filled with a tag and checked intact at free,
 * so any overlap shows; validators every 5,000 steps; everything freed,
 * shrunk and destroyed at the end, and the fixture checks the LMM is whole.
 */
static void slice_stress_with_model(struct kunit *test)
{
	static const size_t psize[SS_POOLS] = { 8, 24, 72, 200, 1400, 3000 };
	struct slice_fixture *fx = test->priv;
	struct rnd_state rs;
	u64 rng;
	struct memlab_slice_pool *pools[SS_POOLS];
	struct memlab_generic *g;
	struct ss_obj *live;
	int nlive = 0, i;
	long op;

	memlab_kunit_need_slow(test);
	memlab_rand_seed(&rs, *(const u64 *)test->param_value);
	g = memlab_generic_create(fx->mp, "gs", 0);
	live = kunit_kcalloc(test, SS_LIVE, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(g));
	KUNIT_ASSERT_NOT_NULL(test, live);
	for (i = 0; i < SS_POOLS; i++)
		pools[i] = make_pool(test, psize[i], 0, 0);
	for (op = 0; op < 25000; op++) {
		rng = memlab_rand_u64(&rs);
		if (nlive < SS_LIVE && (rng % 100 < 55 || !nlive)) {
			struct ss_obj o = { .pool = (int)((rng >> 8) % (SS_POOLS + 1)) - 1,
					    .tag = rng >> 20 };

			if (o.pool < 0) {
				o.size = 1 + (rng >> 24) % ((rng >> 40) % 8 ? 2048 : 40000);
				o.p = memlab_generic_alloc(g, o.size, 0);
			} else {
				o.size = psize[o.pool];
				o.p = memlab_slice_alloc(pools[o.pool]);
			}
			if (!o.p)
				continue;
			memset(o.p, o.tag, o.size);
			live[nlive++] = o;
		} else {
			struct ss_obj *o = &live[(rng >> 16) % nlive];

			KUNIT_ASSERT_TRUE_MSG(test, !memchr_inv(o->p, o->tag, o->size),
					      "op %ld: object 0x%lx of %zu bytes overwritten", op,
					      (unsigned long)o->p, o->size);
			KUNIT_ASSERT_EQ(test, o->pool < 0 ? memlab_generic_free(g, o->p) :
					memlab_slice_free(pools[o->pool], o->p), 0);
			*o = live[--nlive];
		}
		if (op % 5000 == 4999) {
			for (i = 0; i < SS_POOLS; i++)
				KUNIT_ASSERT_EQ(test, memlab_slice_check(pools[i]), 0);
			KUNIT_ASSERT_EQ(test, memlab_generic_check(g), 0);
			KUNIT_ASSERT_EQ(test, memlab_pages_check(fx->mp), 0);
		}
	}
	while (nlive--) {
		struct ss_obj *o = &live[nlive];

		KUNIT_EXPECT_EQ(test, o->pool < 0 ? memlab_generic_free(g, o->p) :
				memlab_slice_free(pools[o->pool], o->p), 0);
	}
	for (i = 0; i < SS_POOLS; i++)
		destroy_pool(test, pools[i]);
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

/* ---- measurements (printed, not asserted) --------------------------------- */

/*
 * Objects per slab and waste for sizes 8..4096, to set beside the kernel's
 * own /proc/slabinfo kmalloc lines (the guest script saves those).
 */
static void slice_waste_table(struct kunit *test)
{
	static const size_t sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 };
	unsigned int i, objs, order;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t slab, waste;

		order = memlab_slice_order_for(sizes[i], is_power_of_2(sizes[i]) ? sizes[i] : 8, 0,
					       10, &objs);
		slab = PAGE_SIZE << order;
		waste = slab - objs * sizes[i];
		kunit_info(test, "size %4zu: %3u objects per %u-page slab, waste %zu bytes (%zu.%zu%%)\n",
			   sizes[i], objs, 1U << order, waste, waste * 100 / slab,
			   waste * 1000 / slab % 10);
	}
}

static u64 pair_ns(struct memlab_slice_pool *pool, struct kmem_cache *kc, struct memlab_generic *g,
		   size_t size, int mode, int n)
{
	u64 t0 = ktime_get_ns();
	int i;

	for (i = 0; i < n; i++) {
		void *p;

		switch (mode) {
		case 0:
			p = memlab_slice_alloc(pool);
			memlab_slice_free(pool, p);
			break;
		case 1:
			p = kmem_cache_alloc(kc, GFP_KERNEL);
			kmem_cache_free(kc, p);
			break;
		case 2:
			p = memlab_generic_alloc(g, size, 0);
			memlab_generic_free(g, p);
			break;
		default:
			p = kmalloc(size, GFP_KERNEL);
			kfree(p);
			break;
		}
	}
	return (ktime_get_ns() - t0) / n;
}

static void slice_pairs_vs_kmem_cache(struct kunit *test)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 2048 };
	struct slice_fixture *fx = test->priv;
	struct memlab_generic *g;
	unsigned int i;

	memlab_kunit_need_slow(test);
	g = memlab_generic_create(fx->mp, "gt", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(g));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct memlab_slice_pool *pool = make_pool(test, sizes[i], 0, 0);
		struct kmem_cache *kc = kmem_cache_create("memlab_kunit", sizes[i], 0, 0, NULL);
		u64 t[4];
		int m;

		KUNIT_ASSERT_NOT_NULL(test, kc);
		/* debug kernels make kmem_cache tens of times slower: fewer rounds */
		for (m = 0; m < 4; m++) {
			pair_ns(pool, kc, g, sizes[i], m, 200);
			t[m] = pair_ns(pool, kc, g, sizes[i], m,
				       IS_ENABLED(CONFIG_KASAN) ? 1000 : 20000);
		}
		kunit_info(test, "size %4zu pair: slice %llu ns, kmem_cache %llu ns (x%llu.%02llu); generic %llu ns, kmalloc %llu ns (x%llu.%02llu)\n",
			   sizes[i],
			   t[0], t[1], t[0] / max(t[1], 1ULL), t[0] * 100 / max(t[1], 1ULL) % 100,
			   t[2], t[3], t[2] / max(t[3], 1ULL), t[2] * 100 / max(t[3], 1ULL) % 100);
		kmem_cache_destroy(kc);
		destroy_pool(test, pool);
	}
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(g), 0);
}

static struct kunit_case memlab_slice_cases[] = {
	KUNIT_CASE_PARAM(slice_size_classes, sweep_gen_params),
	KUNIT_CASE(slice_create_refuses),
	KUNIT_CASE(slice_shrink_returns_slabs),
	KUNIT_CASE(slice_destroy_busy),
	KUNIT_CASE(slice_ctor_runs_per_object),
	KUNIT_CASE(slice_misuse_not_object),
	KUNIT_CASE(slice_misuse_wrong_pool),
	KUNIT_CASE(slice_misuse_foreign),
	KUNIT_CASE(slice_misuse_double_free),
	KUNIT_CASE(slice_debug_use_after_free),
	KUNIT_CASE(slice_debug_overflow),
	KUNIT_CASE(slice_freelist_corruption),
	KUNIT_CASE(slice_poison_turned_on_later),
	KUNIT_CASE_PARAM(slice_freelist_walks_validated, sk_walk_gen_params),
	KUNIT_CASE(slice_poison_on_in_chunks),
	KUNIT_CASE(slice_slab_release_waits_for_readers),
	KUNIT_CASE(slice_magazine_busy_goes_to_slabs),
	KUNIT_CASE(slice_cpu_dead_callback_drains),
	KUNIT_CASE(slice_cpu_offline_drains_magazine),
	KUNIT_CASE(generic_alloc_free_ksize),
	KUNIT_CASE(generic_misuse_foreign),
	KUNIT_CASE(generic_misuse_interior),
	KUNIT_CASE(generic_misuse_double_free),
	KUNIT_CASE(generic_teardown_with_live_objects),
	KUNIT_CASE(generic_module_default),
	KUNIT_CASE_PARAM_ATTR(slice_stress_with_model, ss_seed_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(slice_waste_table),
	KUNIT_CASE_SLOW(slice_pairs_vs_kmem_cache),
	{}
};

static struct kunit_suite memlab_slice_suite = {
	.name = "memlab_slice",
	.init = slice_suite_init,
	.exit = slice_suite_exit,
	.test_cases = memlab_slice_cases,
};

kunit_test_suites(&memlab_slice_suite);
