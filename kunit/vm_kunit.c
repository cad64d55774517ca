// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_vm": virtually contiguous areas over a private pages
 * instance.
 *
 * Fixture: a 1 MiB vmalloc buffer, an LMM pool with one region over it, a
 * pages instance over the whole buffer with max order 4 (64 KiB blocks, 16
 * of them) and one zone, and a vm instance over that.  The suite's exit runs
 * the vm validator, checks the misuse count the case announced, frees what a
 * failed case left behind, runs the pages and LMM validators, and checks
 * that destroying everything gives the LMM back every byte.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kunit/memlab_kunit.h"
#include "pages/pages.h"
#include "vm/vm.h"

#define VK_BUF		(1024 * 1024)
#define VK_PAGES	(VK_BUF / PAGE_SIZE)
#define VK_ORDER	4
#define VK_BLOCK_PAGES	BIT(VK_ORDER)

struct vm_fixture {
	struct lmm lmm;
	struct lmm_region region;
	char *buf;
	struct memlab_pages *mp;
	struct memlab_vm *vm;
	size_t avail0;
	void **held;		/* pages taken straight from the pages layer */
	unsigned long nr_held;
	struct memlab_misuse_log misuse;
	int expected_misuse;
	struct kunit_resource res;
};

static const struct memlab_zone_desc vk_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
};

static int vm_suite_init(struct kunit *test)
{
	struct vm_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->held = kunit_kcalloc(test, VK_PAGES, sizeof(*fx->held), GFP_KERNEL);
	fx->buf = vmalloc(VK_BUF);
	if (!fx->held || !fx->buf)
		return -ENOMEM;
	lmm_init(&fx->lmm);
	if (lmm_add_region(&fx->lmm, &fx->region, fx->buf, VK_BUF, 0, 0) ||
	    lmm_add_free(&fx->lmm, fx->buf, VK_BUF))
		return -EINVAL;
	fx->avail0 = lmm_avail(&fx->lmm, 0);
	fx->mp = memlab_pages_create("vm-kunit", &fx->lmm, fx->buf, VK_BUF, VK_ORDER,
				     vk_zones, ARRAY_SIZE(vk_zones));
	if (IS_ERR(fx->mp))
		return PTR_ERR(fx->mp);
	fx->vm = memlab_vm_create(fx->mp, "kunit");
	if (IS_ERR(fx->vm))
		return PTR_ERR(fx->vm);
	test->priv = fx;
	return memlab_kunit_misuse_log(test, &fx->res, "vm_misuse", &fx->misuse);
}

struct vk_live {
	const void *addr[64];
	unsigned int n;
};

static void vk_collect(void *arg, const struct memlab_vm_area_info *a)
{
	struct vk_live *l = arg;

	if (l->n < ARRAY_SIZE(l->addr))
		l->addr[l->n++] = a->addr;
}

static void vm_suite_exit(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct vk_live *live;
	unsigned int i;

	if (!fx)		/* the init failed before the fixture was complete */
		return;
	/* a case that stopped early may have left a hook pointing at its stack */
	memlab_pages_set_fault_hook(fx->mp, NULL, NULL);
	memlab_vm_set_fault_hook(fx->vm, NULL, NULL);
	live = kzalloc(sizeof(*live), GFP_KERNEL);
	KUNIT_EXPECT_EQ_MSG(test, memlab_vm_check(fx->vm), 0, "vm validator");
	KUNIT_EXPECT_EQ(test, fx->misuse.count, fx->expected_misuse);
	/* what a case that stopped early left behind */
	if (live) {
		memlab_vm_walk(fx->vm, vk_collect, live);
		for (i = 0; i < live->n; i++)
			memlab_vm_free(fx->vm, live->addr[i]);
		kfree(live);
	}
	while (fx->nr_held)
		KUNIT_EXPECT_EQ(test, memlab_put_page(fx->mp, fx->held[--fx->nr_held]), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_destroy(fx->vm), 0);
	KUNIT_EXPECT_EQ_MSG(test, memlab_pages_check(fx->mp), 0, "pages validator");
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->lmm), 0, "lmm validator");
	/* teardown, not destroy: the instance goes even after a failed case */
	KUNIT_EXPECT_EQ(test, memlab_pages_teardown(fx->mp), 0);
	KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0,
			    "all memory back in the LMM");
	lmm_destroy(&fx->lmm);
	vfree(fx->buf);
}

/* ---- helpers ---------------------------------------------------------------- */

static unsigned long vk_off(struct vm_fixture *fx, const void *p)
{
	return (const char *)p - fx->buf;
}

/* Pages of the pages instance allocated to anyone (the vm included). */
static unsigned long vk_in_use(struct vm_fixture *fx)
{
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long n;

	if (!st)
		return ULONG_MAX;
	memlab_pages_stats(fx->mp, st);
	n = (st->zone[0].blocks_held << st->max_order) - st->zone[0].pages_free;
	kfree(st);
	return n;
}

/* The largest order with a free block in the pages instance, or -1. */
static int vk_largest_free_order(struct vm_fixture *fx)
{
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	int o = -1, i;

	if (!st)
		return -2;
	memlab_pages_stats(fx->mp, st);
	for (i = 0; i <= VK_ORDER; i++)
		if (st->zone[0].nr_free[i])
			o = i;
	kfree(st);
	return o;
}

/*
 * Fragment the instance: take every page as an order-0 page, then give back
 * those at odd page indices.
 *   [H.H.H.H.H.H.H.H.H. ... ]  H held, . free: no two free pages are buddies
 * Return: the number of free pages, VK_PAGES / 2.
 */
static unsigned long vk_fragment(struct kunit *test, struct vm_fixture *fx)
{
	void **all = kunit_kcalloc(test, VK_PAGES + 1, sizeof(*all), GFP_KERNEL);
	unsigned long n = 0, i, freed = 0;

	KUNIT_ASSERT_NOT_NULL(test, all);
	while (n <= VK_PAGES && (all[n] = memlab_get_page(fx->mp, 0)))
		n++;
	KUNIT_ASSERT_EQ(test, n, VK_PAGES);
	for (i = 0; i < n; i++) {
		if ((vk_off(fx, all[i]) >> PAGE_SHIFT) & 1) {
			KUNIT_ASSERT_EQ(test, memlab_put_page(fx->mp, all[i]), 0);
			freed++;
		} else {
			fx->held[fx->nr_held++] = all[i];
		}
	}
	return freed;
}

/* A copy of one area's description, found by address with memlab_vm_walk(). */
struct vk_area {
	const void *addr;
	struct memlab_vm_area_info info;
	struct memlab_vm_block blocks[VK_PAGES];
	bool found;
};

static void vk_find(void *arg, const struct memlab_vm_area_info *a)
{
	struct vk_area *v = arg;

	if (a->addr != v->addr || a->nr_blocks > ARRAY_SIZE(v->blocks))
		return;
	v->info = *a;
	memcpy(v->blocks, a->blocks, a->nr_blocks * sizeof(*a->blocks));
	v->info.blocks = v->blocks;
	v->found = true;
}

static struct vk_area *vk_area(struct kunit *test, struct memlab_vm *vm, const void *addr)
{
	struct vk_area *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	v->addr = addr;
	memlab_vm_walk(vm, vk_find, v);
	KUNIT_ASSERT_TRUE_MSG(test, v->found, "area not listed by memlab_vm_walk()");
	return v;
}

/* Word @i of an area filled with tag @tag. */
static inline u32 vk_word(u32 tag, unsigned long i)
{
	return tag ^ (u32)(i * 0x9e3779b1UL);
}

static void vk_fill(void *p, size_t bytes, u32 tag)
{
	u32 *w = p;
	unsigned long i;

	for (i = 0; i < bytes / sizeof(*w); i++)
		w[i] = vk_word(tag, i);
}

/* The index of the first word that does not carry @tag, or -1. */
static long vk_verify(const void *p, size_t bytes, u32 tag)
{
	const u32 *w = p;
	unsigned long i;

	for (i = 0; i < bytes / sizeof(*w); i++)
		if (w[i] != vk_word(tag, i))
			return i;
	return -1;
}

/* Stats that misuse must leave alone, compared field by field. */
static void vk_expect_same(struct kunit *test, const struct memlab_vm_stats *a,
			   const struct memlab_vm_stats *b)
{
	KUNIT_EXPECT_EQ(test, a->nr_areas, b->nr_areas);
	KUNIT_EXPECT_EQ(test, a->nr_pages, b->nr_pages);
	KUNIT_EXPECT_EQ(test, a->nr_blocks, b->nr_blocks);
	KUNIT_EXPECT_EQ(test, a->requested, b->requested);
	KUNIT_EXPECT_EQ(test, a->allocs, b->allocs);
	KUNIT_EXPECT_EQ(test, a->frees, b->frees);
	KUNIT_EXPECT_EQ(test, a->failures, b->failures);
}

static struct memlab_vm_stats *vk_stats(struct kunit *test, struct memlab_vm *vm)
{
	struct memlab_vm_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	memlab_vm_stats(vm, st);
	return st;
}

/* ---- areas larger than any free block ---------------------------------------- */

static const size_t vk_frag_sizes[] = {
	17 * PAGE_SIZE + 1,		/* a partial last page */
	VK_PAGES / 2 * PAGE_SIZE,	/* every free page of the instance */
};

static void vk_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(vk_frag_size, vk_frag_sizes, vk_size_desc);

/*
 * The instance fragmented to single free pages (see vk_fragment()): the
 * pages layer refuses even two contiguous pages.  Expect the vm to serve
 * @size from scattered order-0 pages at odd indices, written and read back
 * in full - through the area, across every page boundary, and through the
 * arena behind each page.
 */
static void vm_alloc_beyond_largest_free_block(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	size_t size = *(const size_t *)test->param_value;
	unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT, i;
	struct memlab_vm_stats *st;
	struct vk_area *v;
	char *a;

	KUNIT_ASSERT_EQ(test, vk_fragment(test, fx), VK_PAGES / 2);
	KUNIT_ASSERT_EQ(test, vk_largest_free_order(fx), 0);
	KUNIT_ASSERT_NULL(test, memlab_get_pages(fx->mp, 0, 1));

	a = memlab_vm_alloc(fx->vm, size, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memlab_vm_size(fx->vm, a), nr << PAGE_SHIFT);
	vk_fill(a, nr << PAGE_SHIFT, 0x5eed);
	KUNIT_EXPECT_EQ(test, vk_verify(a, nr << PAGE_SHIFT, 0x5eed), -1);
	/* a string straddling the first page boundary */
	memcpy(a + PAGE_SIZE - 3, "memlab", 6);
	KUNIT_EXPECT_EQ(test, memcmp(a + PAGE_SIZE - 3, "memlab", 6), 0);
	vk_fill(a, nr << PAGE_SHIFT, 0xc0ffee);

	v = vk_area(test, fx->vm, a);
	KUNIT_EXPECT_EQ(test, v->info.nr_pages, nr);
	KUNIT_EXPECT_EQ(test, v->info.nr_blocks, nr);	/* all order 0 */
	KUNIT_EXPECT_GE(test, v->info.nr_runs, 1);
	KUNIT_EXPECT_LE(test, v->info.nr_runs, nr);
	for (i = 0; i < nr; i++) {
		const char *back = v->blocks[i].addr;

		KUNIT_EXPECT_EQ(test, v->blocks[i].order, 0);
		KUNIT_EXPECT_EQ_MSG(test, (vk_off(fx, back) >> PAGE_SHIFT) & 1, 1, "page %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(back, a + (i << PAGE_SHIFT), PAGE_SIZE), 0,
				    "page %lu: the arena behind it differs", i);
	}
	st = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, st->blocks_by_order[0], nr);
	KUNIT_EXPECT_EQ(test, st->nr_areas, 1);
	KUNIT_EXPECT_EQ(test, st->requested, size);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->vm), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), VK_PAGES / 2);
}

/*
 * Every free page taken by one area: expect the next request, even one
 * page, to fail cleanly (a failure, not misuse), and to succeed again
 * once the area is freed.
 */
static void vm_alloc_fails_when_pages_run_out(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_vm_stats *st;
	void *a, *b;

	KUNIT_ASSERT_EQ(test, vk_fragment(test, fx), VK_PAGES / 2);
	a = memlab_vm_alloc(fx->vm, VK_PAGES / 2 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, 1, 0));
	st = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, st->failures, 1);
	KUNIT_EXPECT_EQ(test, st->nr_areas, 1);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	b = memlab_vm_alloc(fx->vm, 1, 0);
	KUNIT_EXPECT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, b), 0);
}

/*
 * An unfragmented instance: 21 pages = 16 + 4 + 1.
 *   area  [0 ............ 15][16 .. 19][20]
 *   blocks   order 4            order 2   order 0
 * Expect those three blocks, largest first; with max order 0, 21 blocks of
 * one page (plain vmalloc's way); an order above the pages layer's refused.
 */
static void vm_alloc_largest_blocks_first(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	static const unsigned int orders[] = { 4, 2, 0 }, pgoffs[] = { 0, 16, 20 };
	struct vk_area *v;
	unsigned int i;
	void *a;

	a = memlab_vm_alloc(fx->vm, 21 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	v = vk_area(test, fx->vm, a);
	KUNIT_ASSERT_EQ(test, v->info.nr_blocks, 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, v->blocks[i].order, orders[i]);
		KUNIT_EXPECT_EQ(test, v->blocks[i].pgoff, pgoffs[i]);
		KUNIT_EXPECT_EQ(test, vk_off(fx, v->blocks[i].addr) &
				((PAGE_SIZE << orders[i]) - 1), 0);
	}
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);

	KUNIT_EXPECT_EQ(test, memlab_vm_set_max_order(fx->vm, VK_ORDER + 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, memlab_vm_set_max_order(fx->vm, 0), 0);
	a = memlab_vm_alloc(fx->vm, 21 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	v = vk_area(test, fx->vm, a);
	KUNIT_EXPECT_EQ(test, v->info.nr_blocks, 21);
	KUNIT_EXPECT_EQ(test, vk_stats(test, fx->vm)->blocks_by_order[0], 21);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/*
 * 37 pages = 16 + 16 + 4 + 1.  Expect memlab_vm_to_page() of every page -
 * its first, second and last byte - to be the pages layer's descriptor of
 * the page behind it, and that descriptor's address to hold what was
 * written through the area; no page for the guard page, the byte before
 * the area or memory that is not an area.
 */
static void vm_to_page_matches_pages_layer(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	static const size_t offs[] = { 0, 1, PAGE_SIZE - 1 };
	unsigned long nr = 37, i, k;
	void *other = kunit_kmalloc(test, 64, GFP_KERNEL);
	struct vk_area *v;
	char *a;

	KUNIT_ASSERT_NOT_NULL(test, other);
	a = memlab_vm_alloc(fx->vm, nr * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	vk_fill(a, nr * PAGE_SIZE, 0xabcd);
	v = vk_area(test, fx->vm, a);
	KUNIT_ASSERT_EQ(test, v->info.nr_blocks, 4);
	for (i = 0; i < nr; i++) {
		const struct memlab_vm_block *b = v->blocks;
		struct memlab_page *want;

		while (b + 1 < v->blocks + v->info.nr_blocks && b[1].pgoff <= i)
			b++;
		want = memlab_addr_to_page(fx->mp, b->addr + ((i - b->pgoff) << PAGE_SHIFT));
		KUNIT_ASSERT_NOT_NULL(test, want);
		for (k = 0; k < ARRAY_SIZE(offs); k++) {
			char *byte = a + (i << PAGE_SHIFT) + offs[k];

			KUNIT_EXPECT_PTR_EQ_MSG(test, memlab_vm_to_page(fx->vm, byte), want,
						"page %lu byte %zu", i, offs[k]);
		}
		KUNIT_EXPECT_EQ_MSG(test, memcmp(memlab_page_to_addr(fx->mp, want),
						 a + (i << PAGE_SHIFT), PAGE_SIZE), 0,
				    "page %lu", i);
	}
	KUNIT_EXPECT_NULL(test, memlab_vm_to_page(fx->vm, a + nr * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, memlab_vm_to_page(fx->vm, a - 1));
	KUNIT_EXPECT_NULL(test, memlab_vm_to_page(fx->vm, other));
	KUNIT_EXPECT_NULL(test, memlab_vm_to_page(fx->vm, fx->buf));
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/*
 * Two areas side by side in vmalloc space:
 *   [ a: 3 pages ][guard] ... [ b: 3 pages ][guard]
 * Expect each area's last page mapped and the page after it not (vmap's
 * guard page, looked up in the page tables, never touched), and the areas
 * apart by at least a guard page.
 */
static void vm_guard_page_unmapped(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	char *a = memlab_vm_alloc(fx->vm, 3 * PAGE_SIZE, 0);
	char *b = memlab_vm_alloc(fx->vm, 3 * PAGE_SIZE, 0);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(a));
	KUNIT_EXPECT_NOT_NULL(test, vmalloc_to_page(a + 2 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(a + 3 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(b + 3 * PAGE_SIZE));
	KUNIT_EXPECT_GE(test, (unsigned long)abs(b - a), 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, b), 0);
}

/* Expect the caller recorded for an area to be the function that allocated it. */
static void vm_caller_recorded(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	char *got = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	char *want = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	void *a = memlab_vm_alloc(fx->vm, PAGE_SIZE, 0);
	struct vk_area *v;

	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, a);
	v = vk_area(test, fx->vm, a);
	KUNIT_EXPECT_NOT_NULL(test, v->info.caller);
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		snprintf(got, KSYM_SYMBOL_LEN, "%ps", v->info.caller);
		snprintf(want, KSYM_SYMBOL_LEN, "%ps", vm_caller_recorded);
		KUNIT_EXPECT_STREQ(test, got, want);
	}
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/* ---- misuse: refused, counted by kind, nothing changed -------------------------- */

/* Expect a second free of an area to be a double free, changing nothing. */
static void vm_free_double_refused(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	void *keep = memlab_vm_alloc(fx->vm, 2 * PAGE_SIZE, 0);
	void *a = memlab_vm_alloc(fx->vm, 5 * PAGE_SIZE, 0);
	struct memlab_vm_stats *before, *after;
	unsigned long used;

	KUNIT_ASSERT_NOT_NULL(test, keep);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	before = vk_stats(test, fx->vm);
	used = vk_in_use(fx);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_DOUBLE_FREE, a);
	after = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_DOUBLE_FREE], 1);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_FOREIGN], 0);
	vk_expect_same(test, before, after);
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), used);
	KUNIT_EXPECT_EQ(test, memlab_vm_size(fx->vm, keep), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, keep), 0);
}

/*
 * Expect a free of an address inside an area (a page in, a byte in, the
 * last byte) refused as interior each time, the area intact and its
 * contents kept.
 */
static void vm_free_interior_refused(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_vm_stats *before, *after;
	char *a = memlab_vm_alloc(fx->vm, 4 * PAGE_SIZE, 0);

	KUNIT_ASSERT_NOT_NULL(test, a);
	vk_fill(a, 4 * PAGE_SIZE, 7);
	before = vk_stats(test, fx->vm);
	fx->expected_misuse = 3;
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a + PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a + 4 * PAGE_SIZE - 1), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_INTERIOR, a + PAGE_SIZE);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_VM_MISUSE_INTERIOR, a + 1);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, MEMLAB_VM_MISUSE_INTERIOR,
			     a + 4 * PAGE_SIZE - 1);
	after = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_INTERIOR], 3);
	vk_expect_same(test, before, after);
	KUNIT_EXPECT_EQ(test, memlab_vm_size(fx->vm, a), 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vk_verify(a, 4 * PAGE_SIZE, 7), -1);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/*
 * Expect frees of memory that is no area of the instance - kmalloc memory,
 * a block of the pages layer, an area's guard page, another vm instance's
 * area - refused as foreign, and those memories left alone.
 */
static void vm_free_foreign_refused(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_vm_stats *before, *after;
	void *k = kunit_kmalloc(test, 64, GFP_KERNEL);
	void *pg = memlab_get_pages(fx->mp, 0, 1);
	char *a = memlab_vm_alloc(fx->vm, PAGE_SIZE, 0);
	struct memlab_vm *other = memlab_vm_create(fx->mp, "kunit-other");
	void *o;

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	o = memlab_vm_alloc(other, PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, o);
	before = vk_stats(test, fx->vm);
	fx->expected_misuse = 4;
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, k), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, pg), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a + PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, o), -EINVAL);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_FOREIGN, k);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 1, MEMLAB_VM_MISUSE_FOREIGN, pg);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 2, MEMLAB_VM_MISUSE_FOREIGN, a + PAGE_SIZE);
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 3, MEMLAB_VM_MISUSE_FOREIGN, o);
	after = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_FOREIGN], 4);
	vk_expect_same(test, before, after);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(other), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(other, o), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_destroy(other), 0);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, pg), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, NULL), 0);	/* like vfree(NULL) */
}

/* Expect a size of 0 refused before any page is taken. */
static void vm_alloc_zero_refused(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_vm_stats *before, *after;

	before = vk_stats(test, fx->vm);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, 0, 0));
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_ZERO_SIZE, NULL, 0);
	after = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_ZERO_SIZE], 1);
	vk_expect_same(test, before, after);
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0);
}

/*
 * Expect sizes above the pages instance's span - one byte above, and
 * SIZE_MAX, which would overflow a page count - refused before any page
 * is taken; the span itself is a legal (if here impossible) request.
 */
static void vm_alloc_above_span_refused(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_vm_stats *before, *after;

	before = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, before->span, VK_BUF);
	fx->expected_misuse = 2;
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, VK_BUF + 1, 0));
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, SIZE_MAX, 0));
	/* the reports name the size asked for */
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_TOO_LARGE, NULL,
				VK_BUF + 1);
	MEMLAB_EXPECT_REPORT_AT(test, &fx->misuse, 1, MEMLAB_VM_MISUSE_TOO_LARGE, NULL, SIZE_MAX);
	after = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, after->misuse[MEMLAB_VM_MISUSE_TOO_LARGE], 2);
	vk_expect_same(test, before, after);
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0);
}

/* Expect destroy refused while an area lives, the area untouched. */
static void vm_destroy_busy(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	void *a = memlab_vm_alloc(fx->vm, PAGE_SIZE, 0);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memlab_vm_destroy(fx->vm), -EBUSY);
	KUNIT_EXPECT_EQ(test, memlab_vm_size(fx->vm, a), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_vm_create(NULL, "x")));
	KUNIT_EXPECT_TRUE(test, IS_ERR(memlab_vm_create(fx->mp, NULL)));
}

/* ---- failures unwind completely --------------------------------------------------- */

/* Expect every page back, and the LMM whole once the pages layer shrinks. */
static void vk_expect_unwound(struct kunit *test, struct vm_fixture *fx,
			      unsigned long used_before)
{
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), used_before);
	KUNIT_EXPECT_EQ(test, vk_stats(test, fx->vm)->nr_areas, 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->vm), 0);
	if (!used_before) {
		memlab_pages_shrink(fx->mp);
		KUNIT_EXPECT_EQ(test, lmm_avail(&fx->lmm, 0), fx->avail0);
	}
}

/*
 * 15 of the 16 max-order blocks taken: 16 pages free.  Expect a 20-page
 * area to fail after taking all 16 (falling back from order 2 to 0 for the
 * last ones), give them all back, and a 16-page area to succeed then.
 */
static void vm_alloc_pages_exhausted_midway_unwinds(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	void *blocks[VK_PAGES / VK_BLOCK_PAGES], *a;
	unsigned long used;
	unsigned int i, nb = VK_PAGES / VK_BLOCK_PAGES - 1;

	for (i = 0; i < nb; i++) {
		blocks[i] = memlab_get_pages(fx->mp, 0, VK_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, blocks[i]);
	}
	used = vk_in_use(fx);
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, 20 * PAGE_SIZE, 0));
	vk_expect_unwound(test, fx, used);
	KUNIT_EXPECT_EQ(test, vk_stats(test, fx->vm)->failures, 1);
	KUNIT_EXPECT_GE(test, vk_stats(test, fx->vm)->fallbacks, 1);
	a = memlab_vm_alloc(fx->vm, 16 * PAGE_SIZE, 0);
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
	for (i = 0; i < nb; i++)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, blocks[i]), 0);
}

struct vk_fail_at {
	int calls;
	int fail_from;		/* fail this call and every later one */
};

static bool vk_fail_hook(void *arg)
{
	struct vk_fail_at *f = arg;

	return ++f->calls >= f->fail_from;
}

/*
 * The pages layer fails from its third request on: a 40-page area gets
 * two order-4 blocks, then every order down to 0 is refused.  Expect both
 * blocks given back.
 */
static void vm_alloc_pages_fault_midway_unwinds(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct vk_fail_at f = { .fail_from = 3 };

	memlab_pages_set_fault_hook(fx->mp, vk_fail_hook, &f);	/* the exit removes it */
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, 40 * PAGE_SIZE, 0));
	KUNIT_EXPECT_EQ(test, f.calls, 2 + 4);	/* orders 4, 4, then 3, 2, 1, 0 refused */
	memlab_pages_set_fault_hook(fx->mp, NULL, NULL);
	vk_expect_unwound(test, fx, 0);
	KUNIT_EXPECT_EQ(test, vk_stats(test, fx->vm)->fallbacks, 3);
}

static const int vk_steps[] = { 1, 2 };

static void vk_step_desc(const int *step, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *step == 1 ? "page array allocation fails" : "vmap fails");
}

KUNIT_ARRAY_PARAM(vk_step, vk_steps, vk_step_desc);

/*
 * All 37 pages taken, then the page array (step 1) or the mapping (step 2)
 * fails.  Expect the allocation counted as failed and injected, and every
 * page given back.
 */
static void vm_alloc_step_failure_unwinds(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct vk_fail_at f = { .fail_from = *(const int *)test->param_value };
	struct memlab_vm_stats *st;
	void *a;

	memlab_vm_set_fault_hook(fx->vm, vk_fail_hook, &f);	/* the exit removes it */
	KUNIT_EXPECT_NULL(test, memlab_vm_alloc(fx->vm, 37 * PAGE_SIZE, 0));
	KUNIT_EXPECT_EQ(test, f.calls, f.fail_from);
	memlab_vm_set_fault_hook(fx->vm, NULL, NULL);
	st = vk_stats(test, fx->vm);
	KUNIT_EXPECT_EQ(test, st->failures, 1);
	KUNIT_EXPECT_EQ(test, st->injected, 1);
	vk_expect_unwound(test, fx, 0);
	a = memlab_vm_alloc(fx->vm, 37 * PAGE_SIZE, 0);		/* and it works again */
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/* ---- the validator finds what it should ------------------------------------------- */

/*
 * A backing block's owner tag cleared behind the vm's back: expect the
 * validator to report it twice (the block's tag, and the pages layer's count
 * of tagged blocks), and to be content again once the tag is back.
 */
static void vm_check_catches_lost_owner_tag(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	char *a = memlab_vm_alloc(fx->vm, 5 * PAGE_SIZE, 0);
	struct kunit_resource *res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	struct memlab_misuse_log *reports = kunit_kzalloc(test, sizeof(*reports), GFP_KERNEL);
	struct memlab_page *head;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_NOT_NULL(test, reports);
	KUNIT_ASSERT_EQ(test, memlab_kunit_misuse_log(test, res, "memlab_check", reports), 0);
	head = memlab_vm_to_page(fx->vm, a);
	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_ASSERT_PTR_EQ(test, memlab_page_owner(head), (void *)fx->vm);
	memlab_page_set_owner(head, NULL);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->vm), 2);
	KUNIT_EXPECT_EQ(test, reports->count, 2);	/* counted, kept out of the log */
	memlab_page_set_owner(head, fx->vm);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->vm), 0);
	KUNIT_EXPECT_EQ(test, reports->count, 2);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, a), 0);
}

/* ---- the module's default instance ------------------------------------------------- */

/* Expect memlab_vmalloc() and friends to work on the module's own arena. */
static void vm_default_instance(struct kunit *test)
{
	struct vm_fixture *fx = test->priv;
	struct memlab_page *pg;
	char *p = memlab_vmalloc(3 * PAGE_SIZE + 1);

	KUNIT_ASSERT_NOT_NULL(test, p);
	vk_fill(p, 4 * PAGE_SIZE, 99);
	KUNIT_EXPECT_EQ(test, vk_verify(p, 4 * PAGE_SIZE, 99), -1);
	pg = memlab_vmalloc_to_page(p + 3 * PAGE_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, pg);
	KUNIT_EXPECT_NULL(test, memlab_vmalloc_to_page(p + 4 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, memlab_vm_to_page(fx->vm, p));	/* not the fixture's */
	KUNIT_EXPECT_EQ(test, memlab_vfree(p), 0);
	KUNIT_EXPECT_EQ(test, memlab_vfree(NULL), 0);
	fx->expected_misuse = 1;
	KUNIT_EXPECT_NULL(test, memlab_vmalloc(0));
	MEMLAB_EXPECT_REPORT(test, &fx->misuse, 0, MEMLAB_VM_MISUSE_ZERO_SIZE, NULL);
}

/* ---- stress against a model ----------------------------------------------------------- */

#define VS_LIVE		48

struct vs_area {
	char *addr;
	size_t size;
	u32 tag;
};

static u64 vs_rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly 1-4 pages, sometimes up to 48, with a random tail of bytes. */
static size_t vs_size(u64 *rng)
{
	u64 r = vs_rnd(rng);
	size_t pages = r % 8 ? 1 + r % 4 : 1 + (r >> 8) % 48;

	return (pages - 1) * PAGE_SIZE + 1 + (vs_rnd(rng) % PAGE_SIZE);
}

/*
 * @ops random allocations and frees with random sizes and block orders;
 * every area is filled with its own tag and verified in full before it is
 * freed; a spot check of memlab_vm_to_page() against the arena on each
 * allocation; the counters against the model, and the validator, every 250
 * operations and at the end; a NULL allowed only when the pages layer is out of memory
 * and then with every page back.
 */
static void vs_run(struct kunit *test, u64 rng, long ops)
{
	struct vm_fixture *fx = test->priv;
	struct vs_area *live = kunit_kcalloc(test, VS_LIVE, sizeof(*live), GFP_KERNEL);
	struct memlab_vm_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	unsigned long pages = 0;
	size_t requested = 0;
	int nlive = 0;
	long i;

	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, st);
	for (i = 0; i < ops; i++) {
		u64 r = vs_rnd(&rng);

		if (r % 64 == 0)
			KUNIT_ASSERT_EQ(test, memlab_vm_set_max_order(fx->vm, (r >> 8) %
								      (VK_ORDER + 1)), 0);
		if (nlive < VS_LIVE && (r % 100 < 55 || !nlive)) {
			struct vs_area a = { .size = vs_size(&rng), .tag = (u32)vs_rnd(&rng) };
			unsigned long used = 0, np = PAGE_ALIGN(a.size) >> PAGE_SHIFT, k;
			struct memlab_page *pg;

			if (r % 16 == 0)
				used = vk_in_use(fx);
			a.addr = memlab_vm_alloc(fx->vm, a.size, 0);
			if (!a.addr) {
				/* only for want of pages: fewer free than asked for */
				KUNIT_ASSERT_GT_MSG(test, np, VK_PAGES - vk_in_use(fx),
						    "op %ld: refused with enough pages free", i);
				continue;
			}
			if (r % 16 == 0)
				KUNIT_ASSERT_EQ(test, vk_in_use(fx), used + np);
			KUNIT_ASSERT_EQ(test, memlab_vm_size(fx->vm, a.addr), np << PAGE_SHIFT);
			vk_fill(a.addr, a.size & ~3UL, a.tag);
			k = vs_rnd(&rng) % np;
			pg = memlab_vm_to_page(fx->vm, a.addr + (k << PAGE_SHIFT));
			KUNIT_ASSERT_NOT_NULL(test, pg);
			KUNIT_ASSERT_EQ_MSG(test, memcmp(memlab_page_to_addr(fx->mp, pg),
							 a.addr + (k << PAGE_SHIFT),
							 min_t(size_t, PAGE_SIZE,
							       a.size - (k << PAGE_SHIFT))), 0,
					    "op %ld: page %lu not behind the area", i, k);
			live[nlive++] = a;
			pages += np;
			requested += a.size;
		} else {
			int k = vs_rnd(&rng) % nlive;
			struct vs_area *a = &live[k];

			KUNIT_ASSERT_EQ_MSG(test, vk_verify(a->addr, a->size & ~3UL, a->tag), -1,
					    "op %ld: area of %zu bytes overwritten", i, a->size);
			KUNIT_ASSERT_EQ(test, memlab_vm_free(fx->vm, a->addr), 0);
			pages -= PAGE_ALIGN(a->size) >> PAGE_SHIFT;
			requested -= a->size;
			*a = live[--nlive];
		}
		if (i % 250 == 249 || i == ops - 1) {
			memlab_vm_stats(fx->vm, st);
			KUNIT_ASSERT_EQ(test, st->nr_areas, nlive);
			KUNIT_ASSERT_EQ(test, st->nr_pages, pages);
			KUNIT_ASSERT_EQ(test, st->requested, requested);
			KUNIT_ASSERT_EQ(test, memlab_vm_check(fx->vm), 0);
			KUNIT_ASSERT_EQ(test, memlab_pages_check(fx->mp), 0);
		}
	}
	while (nlive--) {
		KUNIT_EXPECT_EQ(test, vk_verify(live[nlive].addr, live[nlive].size & ~3UL,
						live[nlive].tag), -1);
		KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, live[nlive].addr), 0);
	}
	KUNIT_EXPECT_EQ(test, vk_in_use(fx), 0);
}

/* A short run of the model stress, in every load (the long one is slow). */
static void vm_stress_short(struct kunit *test)
{
	vs_run(test, 42, 150);
}

static const u64 vs_seeds[] = { 3, 0xfeed, 123456789 };

static void vs_seed_desc(const u64 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %llu", *seed);
}

KUNIT_ARRAY_PARAM(vs_seed, vs_seeds, vs_seed_desc);

/* 6,000 operations per seed. */
static void vm_stress_with_model(struct kunit *test)
{
	memlab_kunit_need_slow(test);
	vs_run(test, *(const u64 *)test->param_value, 6000);
}

/* ---- a quick measurement against the kernel's vmalloc ------------------------------- */

static u64 vk_time_pairs(size_t size, bool kernel, int n)
{
	u64 t0 = ktime_get_ns();
	int i;

	for (i = 0; i < n; i++) {
		if (kernel) {
			vfree(vmalloc(size));
		} else {
			void *p = memlab_vmalloc(size);

			if (!p)
				return 0;
			memlab_vfree(p);
		}
	}
	return (ktime_get_ns() - t0) / n;
}

/*
 * Not pass/fail: ns per alloc+free pair on the module's default instance,
 * memlab_vmalloc/memlab_vfree against vmalloc/vfree, same boot.
 */
static void vm_pairs_vs_vmalloc(struct kunit *test)
{
	static const size_t sizes[] = { 16 * 1024, 256 * 1024, 4 * 1024 * 1024 };
	static const int reps[] = { 400, 100, 20 };
	unsigned int i;

	memlab_kunit_need_slow(test);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 ml, k;

		vk_time_pairs(sizes[i], false, reps[i] / 10 + 1);	/* warm up */
		vk_time_pairs(sizes[i], true, reps[i] / 10 + 1);
		ml = vk_time_pairs(sizes[i], false, reps[i]);
		k = vk_time_pairs(sizes[i], true, reps[i]);
		if (!ml) {
			kunit_info(test, "%zu KiB: memlab_vmalloc failed\n", sizes[i] >> 10);
			continue;
		}
		kunit_info(test, "%zu KiB pair: memlab_vm %llu ns, vmalloc %llu ns, ratio %llu.%02llu\n",
			   sizes[i] >> 10, ml, k, k ? ml / k : 0, k ? (ml * 100 / k) % 100 : 0);
	}
}

static struct kunit_case memlab_vm_cases[] = {
	KUNIT_CASE_PARAM(vm_alloc_beyond_largest_free_block, vk_frag_size_gen_params),
	KUNIT_CASE(vm_alloc_fails_when_pages_run_out),
	KUNIT_CASE(vm_alloc_largest_blocks_first),
	KUNIT_CASE(vm_to_page_matches_pages_layer),
	KUNIT_CASE(vm_guard_page_unmapped),
	KUNIT_CASE(vm_caller_recorded),
	KUNIT_CASE(vm_free_double_refused),
	KUNIT_CASE(vm_free_interior_refused),
	KUNIT_CASE(vm_free_foreign_refused),
	KUNIT_CASE(vm_alloc_zero_refused),
	KUNIT_CASE(vm_alloc_above_span_refused),
	KUNIT_CASE(vm_destroy_busy),
	KUNIT_CASE(vm_alloc_pages_exhausted_midway_unwinds),
	KUNIT_CASE(vm_alloc_pages_fault_midway_unwinds),
	KUNIT_CASE_PARAM(vm_alloc_step_failure_unwinds, vk_step_gen_params),
	KUNIT_CASE(vm_check_catches_lost_owner_tag),
	KUNIT_CASE(vm_default_instance),
	KUNIT_CASE(vm_stress_short),
	KUNIT_CASE_PARAM_ATTR(vm_stress_with_model, vs_seed_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(vm_pairs_vs_vmalloc),
	{}
};

static struct kunit_suite memlab_vm_suite = {
	.name = "memlab_vm",
	.init = vm_suite_init,
	.exit = vm_suite_exit,
	.test_cases = memlab_vm_cases,
};

kunit_test_suites(&memlab_vm_suite);
