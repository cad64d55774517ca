// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_arena": parameter parsing and the arena's report of its
 * own physical layout.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "arena/arena.h"

struct size_case {
	const char *str;
	int ret;
	size_t size;	/* expected when ret == 0 */
};

static const struct size_case size_cases[] = {
	{ "16M", 0, SZ_16M },
	{ "16m", 0, SZ_16M },
	{ "4096", 0, 4096 },
	{ "0x2000", 0, 0x2000 },
	{ "64K\n", 0, SZ_64K },
	{ "1M", 0, SZ_1M },
	{ "", -EINVAL },
	{ "0", -EINVAL },
	{ "0K", -EINVAL },
	{ "abc", -EINVAL },
	{ "M", -EINVAL },
	{ "-16M", -EINVAL },
	{ "16MB", -EINVAL },
	{ "16 M", -EINVAL },
	{ "100", -EINVAL },		/* smaller than a page */
	{ "4097", -EINVAL },		/* not a page multiple */
	{ "16E", -EINVAL },		/* larger than any machine */
	{ "99999999999999999999", -EINVAL },	/* overflows u64 */
	{ "1000000000000000000000000", -EINVAL },
	{ "0x", -EINVAL },
};

static void size_case_desc(const struct size_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" -> %d", c->str, c->ret);
	strreplace(desc, '\n', ' ');
}

KUNIT_ARRAY_PARAM(size, size_cases, size_case_desc);

/* Every listed arena_size= value parses to the expected size or is refused. */
static void memlab_parse_size_values(struct kunit *test)
{
	const struct size_case *c = test->param_value;
	const char *why = NULL;
	size_t size = 12345;
	int ret;

	ret = memlab_parse_size(c->str, &size, &why);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (c->ret) {
		KUNIT_EXPECT_EQ(test, size, 12345);	/* untouched */
		KUNIT_EXPECT_NOT_NULL(test, why);
	} else {
		KUNIT_EXPECT_EQ(test, size, c->size);
	}
}

/*
 * The arena is pinned for the module's life, so it may take at most half of
 * the machine's RAM (page aligned); more would leave the rest of the system
 * to the OOM killer.  Expect exactly the ceiling accepted, a page more, and
 * all of RAM, refused with a reason; the ceiling is the same for the
 * vmalloc and cma backings and applies before anything is allocated.
 */
static void memlab_parse_size_machine_limit(struct kunit *test)
{
	size_t ram = (size_t)totalram_pages() << PAGE_SHIFT, size;
	size_t max = memlab_arena_max_size(MEMLAB_BACKING_VMALLOC);
	struct memlab_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	const char *why = NULL;
	char buf[32];

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, max, (ram / 2) & PAGE_MASK);
	KUNIT_EXPECT_EQ(test, memlab_arena_max_size(MEMLAB_BACKING_CMA), max);
	snprintf(buf, sizeof(buf), "%zu", max);
	KUNIT_EXPECT_EQ(test, memlab_parse_size(buf, &size, &why), 0);
	KUNIT_EXPECT_EQ(test, size, max);
	snprintf(buf, sizeof(buf), "%zu", max + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_parse_size(buf, &size, &why), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, why);
	snprintf(buf, sizeof(buf), "%zu", ram);
	why = NULL;
	KUNIT_EXPECT_EQ(test, memlab_parse_size(buf, &size, &why), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, memlab_parse_size(NULL, &size, &why), -EINVAL);
	/* reserve() refuses it too, before allocating anything */
	why = NULL;
	KUNIT_EXPECT_EQ(test, memlab_arena_reserve(a, max + PAGE_SIZE, MEMLAB_BACKING_VMALLOC,
						   &why), -EINVAL);
	KUNIT_EXPECT_NULL(test, a->base);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

static void memlab_parse_backing_values(struct kunit *test)
{
	enum memlab_backing b = MEMLAB_NR_BACKINGS;

	KUNIT_EXPECT_EQ(test, memlab_parse_backing("vmalloc", &b), 0);
	KUNIT_EXPECT_EQ(test, b, MEMLAB_BACKING_VMALLOC);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("pages\n", &b), 0);
	KUNIT_EXPECT_EQ(test, b, MEMLAB_BACKING_PAGES);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("cma", &b), 0);
	KUNIT_EXPECT_EQ(test, b, MEMLAB_BACKING_CMA);

	b = MEMLAB_BACKING_PAGES;
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("", &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("VMALLOC", &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("vmallocx", &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing("kmalloc", &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_parse_backing(NULL, &b), -EINVAL);
	KUNIT_EXPECT_EQ(test, b, MEMLAB_BACKING_PAGES);	/* untouched */
	KUNIT_EXPECT_STREQ(test, memlab_backing_name(MEMLAB_BACKING_CMA), "cma");
	KUNIT_EXPECT_STREQ(test, memlab_backing_name(MEMLAB_NR_BACKINGS), "?");
}

/* Extents must tile the arena in order, with no two adjacent ones mergeable. */
static void expect_extents_well_formed(struct kunit *test,
				       const struct memlab_arena *a)
{
	unsigned long i, pages = 0;

	KUNIT_ASSERT_GT(test, a->nr_extents, 0);
	for (i = 0; i < a->nr_extents; i++) {
		const struct memlab_extent *e = &a->extents[i];

		KUNIT_EXPECT_EQ(test, e->offset, pages << PAGE_SHIFT);
		KUNIT_EXPECT_GT(test, e->nr_pages, 0);
		if (i)
			KUNIT_EXPECT_NE(test, e->pfn, e[-1].pfn + e[-1].nr_pages);
		pages += e->nr_pages;
	}
	KUNIT_EXPECT_EQ(test, pages, a->size >> PAGE_SHIFT);
}

static void release_arena(void *arena)
{
	memlab_arena_release(arena);
}

/* Expect the extents of a vmalloc arena to agree with vmalloc_to_pfn(). */
static void memlab_arena_vmalloc_extents(struct kunit *test)
{
	struct memlab_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	const char *why = NULL;
	size_t off;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, memlab_arena_reserve(a, SZ_2M, MEMLAB_BACKING_VMALLOC,
						   &why), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_arena, a), 0);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(a->base));
	KUNIT_EXPECT_EQ(test, a->size, SZ_2M);
	expect_extents_well_formed(test, a);
	for (off = 0; off < a->size; off += PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, memlab_arena_pfn(a, off),
				vmalloc_to_pfn(a->base + off));
	KUNIT_EXPECT_EQ(test, memlab_arena_pfn(a, a->size), 0);
}

/* Expect a pages arena to be one extent, and the limit of one max-order block. */
static void memlab_arena_pages_contiguous(struct kunit *test)
{
	struct memlab_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	size_t max = memlab_arena_max_size(MEMLAB_BACKING_PAGES);
	const char *why = NULL;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memlab_arena_reserve(a, max + PAGE_SIZE,
						   MEMLAB_BACKING_PAGES, &why), -EINVAL);
	KUNIT_EXPECT_NULL(test, a->base);

	/* Three pages: alloc_pages_exact() must trim the order-2 block. */
	KUNIT_ASSERT_EQ(test, memlab_arena_reserve(a, 3 * PAGE_SIZE,
						   MEMLAB_BACKING_PAGES, &why), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_arena, a), 0);
	expect_extents_well_formed(test, a);
	KUNIT_EXPECT_EQ(test, a->nr_extents, 1);
	KUNIT_EXPECT_EQ(test, a->extents[0].pfn, page_to_pfn(virt_to_page(a->base)));
}

/* Expect backing=cma refused cleanly on a kernel without DMA_CMA. */
static void memlab_arena_cma_absent(struct kunit *test)
{
	struct memlab_arena a;
	const char *why = NULL;

	if (IS_ENABLED(CONFIG_DMA_CMA) && IS_ENABLED(CONFIG_HAS_DMA))
		kunit_skip(test, "this kernel has CMA");
	KUNIT_EXPECT_EQ(test, memlab_arena_reserve(&a, SZ_1M, MEMLAB_BACKING_CMA,
						   &why), -ENODEV);
	KUNIT_EXPECT_NULL(test, a.base);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

static struct kunit_case memlab_arena_cases[] = {
	KUNIT_CASE_PARAM(memlab_parse_size_values, size_gen_params),
	KUNIT_CASE(memlab_parse_size_machine_limit),
	KUNIT_CASE(memlab_parse_backing_values),
	KUNIT_CASE(memlab_arena_vmalloc_extents),
	KUNIT_CASE(memlab_arena_pages_contiguous),
	KUNIT_CASE(memlab_arena_cma_absent),
	{}
};

static struct kunit_suite memlab_arena_suite = {
	.name = "memlab_arena",
	.test_cases = memlab_arena_cases,
};

kunit_test_suites(&memlab_arena_suite);
