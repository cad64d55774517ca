// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for pages/pages.c over lmm/lmm.c.
 *
 * Each input builds an instance - max order 3 to 6, one to sixteen
 * max-order blocks and a partial one, a low region of any page count,
 * one or two zones in either fallback order, sometimes a hole the LMM
 * never frees and sometimes LMM debug mode - and runs operations on it.
 * The model is a map of the span's pages: free, in a live block of the
 * fuzzer, in a direct LMM allocation, or in the hole.  It checks that
 * - every block returned is in the span, aligned to its order relative to
 *   the base, in the low region when asked, overlapping nothing live, and
 *   in debug mode still poisoned where the model freed it in debug mode;
 * - the content written into a block survives until it is freed;
 * - a failed allocation, once caches are drained, had no way to succeed;
 * - every free of a live block succeeds, and every misuse (double free,
 *   tail page, foreign address or descriptor, unaligned address, order
 *   above the maximum, destroy with pages live) is refused with the right
 *   kind and changes nothing;
 * - statistics, the walk, order and owner queries agree with the model,
 *   and memlab_pages_check() and lmm_check() find nothing, periodically
 *   and at the end, when everything is freed and the instance destroyed
 *   without leaking.
 * Operations run on four CPUs that migrate, go down and come up (a CPU
 * that went down must have nothing left in its caches), and another
 * operation may run at any point where the kernel could preempt.  An input
 * ends with everything freed and the instance destroyed, or with blocks
 * still live and memlab_pages_teardown() (it must count them, and free all
 * of memlab's metadata).  memlab_pages_fit_order() is checked against a
 * brute force.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "lmm/lmm.h"
#include "pages/pages.h"

#define FP_LOWF		0x2		/* the arena's low-region flag */
#define FP_MAX_BLOCKS	16
#define FP_MAX_PAGES	((FP_MAX_BLOCKS + 1) << 6)
#define FP_MAX_LIVE	FP_MAX_PAGES
#define FP_POISON	0xaa
#define FP_ARENA	((size_t)(FP_MAX_PAGES + 16) << PAGE_SHIFT)
#define FP_FREE		(-1)
#define FP_HOLE		(-2)
#define FP_DIRECT	(-3)

struct fp_block {
	uintptr_t addr;
	struct memlab_page *page;
	unsigned int order;
	u64 tag;
	void *owner;
};

struct fp_direct {
	uintptr_t addr;
	unsigned long pages;
};

static struct {
	char *arena;
	struct lmm lmm;
	struct lmm_region low, normal;
	struct memlab_pages *mp;
	uintptr_t base;
	unsigned long nr_pages, low_pages, full_pages;
	unsigned int max_order, nr_zones;
	bool has_low_zone, debug, debug_uncertain, inject;
	int owner[FP_MAX_PAGES];
	/* freed in debug mode, untouched since: holds the poison, bar an LMM node */
	bool poison[FP_MAX_PAGES];
	struct fp_block live[FP_MAX_LIVE];
	unsigned int nr_live;
	struct fp_direct direct[32];
	unsigned int nr_direct;
	uintptr_t freed[64];
	unsigned int nr_freed;
	u64 next_tag;
	u64 misuse[MEMLAB_PAGES_NR_MISUSE];
	u64 misuse_free;		/* of free pages: TAIL, DOUBLE_FREE or NOT_HELD */
	u64 uaf_writes;
	u64 injected;
	unsigned int hook_fire;
	u64 serial, fired;		/* which allocation the hook failed */
	bool inited;
	bool in_nested;
} fp;

static const char * const fp_zone_names[] = { "normal", "low" };

static bool fp_hook(void *arg)
{
	if (!fp.hook_fire)
		return false;
	fp.hook_fire = 0;
	fp.injected++;
	fp.fired = fp.serial;
	return true;
}

static unsigned long fp_idx(uintptr_t a)
{
	return (a - fp.base) >> PAGE_SHIFT;
}

static FZ_NOCOV void fp_mark(unsigned long idx, unsigned long n, int v)
{
	while (n--)
		fp.owner[idx++] = v;
}

static bool fp_in_low(unsigned long idx, unsigned long n)
{
	return idx + n <= fp.low_pages;
}

/* Write a block's tag where it is cheap to check: each page's first and last words. */
static FZ_NOCOV void fp_tag(const struct fp_block *b, bool check)
{
	unsigned long i, n = 1UL << b->order;
	size_t bad;

	for (i = 0; i < n; i++) {
		char *p = (char *)b->addr + (i << PAGE_SHIFT);
		u64 t = b->tag + i;

		if (!check) {
			fz_fill(p, 16, t);
			fz_fill(p + PAGE_SIZE - 16, 16, ~t);
			continue;
		}
		FZ_CHECK(fz_verify(p, 16, t, &bad) && fz_verify(p + PAGE_SIZE - 16, 16, ~t, &bad),
			 "block at page %lu order %u: page %lu overwritten while allocated",
			 fp_idx(b->addr), b->order, i);
	}
}

/* ------------------------------------------------------------------------
 * Setup and teardown
 * ------------------------------------------------------------------------
 */

/* lmm's built-in policies */
static const char * const fp_policies[] = { "fast", "linear", "best_fit" };

static bool fp_setup(void)
{
	struct memlab_zone_desc zones[2];
	unsigned long blocks, extra, off;
	unsigned int i;

	char *arena = fp.arena;

	memset(&fp, 0, offsetof(typeof(fp), owner));
	fp.arena = arena;
	fp.max_order = 3 + fz_below(4);
	blocks = 1 + fz_below(FP_MAX_BLOCKS);
	extra = fz_below(1U << fp.max_order);
	off = fz_below(16);
	fp.full_pages = blocks << fp.max_order;
	fp.nr_pages = fp.full_pages + extra;
	fp.low_pages = fz_one_in(3) ? 0 : fz_below(fp.nr_pages);
	fp.base = (uintptr_t)fp.arena + (off << PAGE_SHIFT);
	fp.nr_live = 0;
	fp.nr_direct = 0;
	fp.nr_freed = 0;
	fp.misuse_free = 0;
	fp.uaf_writes = 0;
	fp.injected = 0;
	fp.next_tag = fz_mix(fz_in.n);
	memset(fp.misuse, 0, sizeof(fp.misuse));
	fp.hook_fire = 0;
	fp_mark(0, fp.nr_pages, FP_FREE);
	memset(fp.poison, 0, sizeof(fp.poison));

	lmm_init(&fp.lmm);
	lmm_set_policy(&fp.lmm, fp_policies[fz_below(ARRAY_SIZE(fp_policies))]);
	if (fp.low_pages)
		FZ_CHECK(!lmm_add_region(&fp.lmm, &fp.low, (void *)fp.base,
					 fp.low_pages << PAGE_SHIFT, FP_LOWF, -1), "low region");
	FZ_CHECK(!lmm_add_region(&fp.lmm, &fp.normal,
				 (void *)(fp.base + (fp.low_pages << PAGE_SHIFT)),
				 (fp.nr_pages - fp.low_pages) << PAGE_SHIFT, 0, 0), "normal");
	FZ_CHECK(!lmm_add_free(&fp.lmm, (void *)fp.base, fp.nr_pages << PAGE_SHIFT), "add_free");
	/* LMM debug mode: possible only while every byte of every region is free */
	if (fz_one_in(4))
		FZ_CHECK(!lmm_set_debug(&fp.lmm, true), "lmm debug");
	if (fz_one_in(4)) {		/* memory the LMM never hands out */
		unsigned long h = fz_below(fp.nr_pages), n = 1 + fz_below(8);

		n = min(n, fp.nr_pages - h);
		FZ_CHECK(!lmm_remove_free(&fp.lmm, (void *)(fp.base + (h << PAGE_SHIFT)),
					  n << PAGE_SHIFT), "remove_free");
		fp_mark(h, n, FP_HOLE);
	}

	fp.nr_zones = 1 + fz_below(2);
	fp.has_low_zone = fp.nr_zones == 2;
	i = fz_below(2);
	zones[0] = (struct memlab_zone_desc){ .name = fp_zone_names[0], .lmm_flags = 0 };
	zones[1] = (struct memlab_zone_desc){ .name = fp_zone_names[1], .lmm_flags = FP_LOWF };
	if (fp.nr_zones == 2 && i)
		swap(zones[0], zones[1]);

	/* creation that runs out of memory fails cleanly */
	if (fz_one_in(4)) {
		unsigned int fails = fz_kmalloc_failures;

		fz_fail_kmalloc(1 + fz_below(4));
		fp.mp = FZ_CALL(memlab_pages_create("fuzz", &fp.lmm, (void *)fp.base,
						    fp.nr_pages << PAGE_SHIFT, fp.max_order,
						    zones, fp.nr_zones));
		fz_fail_kmalloc(0);
		if (fz_kmalloc_failures != fails) {
			FZ_CHECK(fp.mp == ERR_PTR(-ENOMEM), "create under ENOMEM: %ld",
				 PTR_ERR(fp.mp));
		} else {
			FZ_CHECK(!IS_ERR(fp.mp), "create: %ld", PTR_ERR(fp.mp));
			FZ_CHECK(!memlab_pages_destroy(fp.mp), "destroy of a fresh instance");
		}
	}
	/* bad arguments are refused */
	switch (fz_below(8)) {
	case 0:
		FZ_CHECK(memlab_pages_create("fuzz", &fp.lmm, (void *)(fp.base + 1), PAGE_SIZE, 3,
					     zones, 1) == ERR_PTR(-EINVAL), "unaligned base");
		break;
	case 1:
		FZ_CHECK(memlab_pages_create("fuzz", &fp.lmm, (void *)fp.base, PAGE_SIZE,
					     MEMLAB_PAGES_MAX_ORDER + 1 + fz_below(8), zones, 1) ==
			 ERR_PTR(-EINVAL), "order above the maximum");
		break;
	case 2:
		FZ_CHECK(memlab_pages_create("fuzz", &fp.lmm, (void *)fp.base, 0, 3, zones, 1) ==
			 ERR_PTR(-EINVAL), "empty span");
		break;
	case 3:
		FZ_CHECK(memlab_pages_create("fuzz", &fp.lmm, (void *)fp.base, PAGE_SIZE, 3, zones,
					     MEMLAB_PAGES_MAX_ZONES + 1) == ERR_PTR(-EINVAL),
			 "too many zones");
		break;
	default:
		break;
	}
	fp.mp = FZ_CALL(memlab_pages_create("fuzz", &fp.lmm, (void *)fp.base,
					    fp.nr_pages << PAGE_SHIFT, fp.max_order,
					    zones, fp.nr_zones));
	FZ_CHECK(!IS_ERR(fp.mp), "create: %ld", PTR_ERR(fp.mp));
	fz_trace("setup: max order %u, %lu pages (%lu in full blocks), low %lu, zones %s%s%s",
		 fp.max_order, fp.nr_pages, fp.full_pages, fp.low_pages, zones[0].name,
		 fp.nr_zones > 1 ? "," : "", fp.nr_zones > 1 ? zones[1].name : "");
	FZ_CHECK(memlab_pages_max_order(fp.mp) == fp.max_order, "max order");
	memlab_pages_set_fault_hook(fp.mp, fp_hook, NULL);
	fp.inject = fz_one_in(2);
	if (fz_one_in(3))
		FZ_CHECK(!memlab_pages_set_reserve(fp.mp, fz_below(4)), "reserve");
	if (fz_one_in(4)) {
		FZ_CHECK(!memlab_pages_set_debug(fp.mp, true), "debug");
		fp.debug = true;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * Checks against the model
 * ------------------------------------------------------------------------
 */

static FZ_NOCOV void fp_walk_fn(void *arg, void *addr, unsigned int order, bool free, void *owner)
{
	unsigned long *seen = arg, idx = fp_idx((uintptr_t)addr), i;

	FZ_CHECK((uintptr_t)addr >= fp.base && idx + (1UL << order) <= fp.full_pages &&
		 !(idx & ((1UL << order) - 1)), "walk: block at page %lu order %u", idx, order);
	if (free) {
		for (i = 0; i < 1UL << order; i++)
			FZ_CHECK(fp.owner[idx + i] == FP_FREE,
				 "walk: free block at page %lu order %u covers page %lu (%d)",
				 idx, order, idx + i, fp.owner[idx + i]);
		return;
	}
	FZ_CHECK(fp.owner[idx] >= 0 && fp.live[fp.owner[idx]].addr == (uintptr_t)addr &&
		 fp.live[fp.owner[idx]].order == order && fp.live[fp.owner[idx]].owner == owner,
		 "walk: allocated block at page %lu order %u is not the model's", idx, order);
	(*seen)++;
}

static FZ_NOCOV void fp_check_all(void)
{
	struct memlab_pages_stats st;
	unsigned long held = 0, free = 0, live_pages = 0, seen = 0;
	unsigned int zi, k;
	int bad;

	/*
	 * No preempting operation here: the validators drain the per-CPU
	 * caches before they lock, so concurrent order-0 traffic makes them
	 * report a cache "not drained"; they are meant for quiescent use.
	 */
	fz_arm_preempt(0);
	bad = FZ_CALL(memlab_pages_check(fp.mp));
	FZ_CHECK(!bad || bad == -ENOMEM, "memlab_pages_check: %d violations", bad);
	FZ_CHECK(!FZ_CALL(lmm_check(&fp.lmm)), "lmm_check");
	FZ_VCALL(memlab_pages_stats(fp.mp, &st));
	for (zi = 0; zi < st.nr_zones; zi++) {
		held += st.zone[zi].blocks_held << st.max_order;
		free += st.zone[zi].pages_free;
		FZ_CHECK(!st.zone[zi].pages_cached, "pages cached after a drain");
	}
	for (k = 0; k < fp.nr_live; k++)
		live_pages += 1UL << fp.live[k].order;
	FZ_CHECK(held - free == live_pages, "stats: %lu pages held, %lu free, model %lu live",
		 held, free, live_pages);
	FZ_CHECK(st.allocs - st.frees == fp.nr_live, "stats: %llu allocs - %llu frees, %u live",
		 st.allocs, st.frees, fp.nr_live);
	FZ_CHECK(st.injected == fp.injected, "stats: %llu injected, model %llu",
		 st.injected, fp.injected);
	for (k = 0; k < MEMLAB_PAGES_NR_MISUSE; k++) {
		if (k == MEMLAB_PAGES_MISUSE_DOUBLE_FREE || k == MEMLAB_PAGES_MISUSE_NOT_HELD ||
		    k == MEMLAB_PAGES_MISUSE_TAIL)
			continue;
		if (k == MEMLAB_PAGES_MISUSE_USE_AFTER_FREE) {
			FZ_CHECK(st.misuse[k] <= fp.uaf_writes,
				 "%llu use-after-free reports, %llu writes", st.misuse[k],
				 fp.uaf_writes);
			continue;
		}
		FZ_CHECK(st.misuse[k] == fp.misuse[k], "misuse %s: %llu counted, model %llu",
			 memlab_pages_misuse_name(k), st.misuse[k], fp.misuse[k]);
	}
	/* a free page is reported as a tail, double free or not held: LMM's choice */
	FZ_CHECK(st.misuse[MEMLAB_PAGES_MISUSE_TAIL] >= fp.misuse[MEMLAB_PAGES_MISUSE_TAIL] &&
		 st.misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE] +
		 st.misuse[MEMLAB_PAGES_MISUSE_NOT_HELD] + st.misuse[MEMLAB_PAGES_MISUSE_TAIL] ==
		 fp.misuse_free + fp.misuse[MEMLAB_PAGES_MISUSE_TAIL],
		 "tail + double free + not held: %llu + %llu + %llu, model %llu tails + %llu",
		 st.misuse[MEMLAB_PAGES_MISUSE_TAIL], st.misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE],
		 st.misuse[MEMLAB_PAGES_MISUSE_NOT_HELD], fp.misuse[MEMLAB_PAGES_MISUSE_TAIL],
		 fp.misuse_free);
	FZ_VCALL(memlab_pages_walk(fp.mp, fp_walk_fn, &seen));
	FZ_CHECK(seen == fp.nr_live, "walk: %lu allocated blocks, model %u", seen, fp.nr_live);
}

/*
 * After a failed allocation, with caches drained and free max-order blocks
 * back in the LMM: is there memory the allocation had to get?  A free
 * naturally aligned range of 2^order pages in a held block (one with live
 * pages) is on a free list, by the buddy invariant, and a request without
 * flags may use any zone; a wholly free max-order block inside one region
 * can be taken from the LMM by a zone whose flags the region has.
 */
static FZ_NOCOV void fp_check_failure(unsigned int order, lmm_flags_t flags)
{
	unsigned long blk, r, i, bp = 1UL << fp.max_order, n = 1UL << order;

	for (blk = 0; blk < fp.full_pages; blk += bp) {
		bool held = false, whole = true;

		for (i = blk; i < blk + bp; i++) {
			held |= fp.owner[i] >= 0;
			whole &= fp.owner[i] == FP_FREE;
		}
		if (whole) {
			bool in_low = fp_in_low(blk, bp), in_normal = blk >= fp.low_pages;

			FZ_CHECK(!(flags ? fp.has_low_zone && in_low : in_low || in_normal),
				 "order-%u allocation (flags %u) failed with max-order block at page %lu free in the LMM",
				 order, flags, blk);
			continue;
		}
		if (!held || flags)
			continue;
		for (r = blk; r < blk + bp; r += n) {
			for (i = r; i < r + n && fp.owner[i] == FP_FREE; i++)
				;
			FZ_CHECK(i < r + n,
				 "order-%u allocation failed with pages %lu-%lu free in a held block",
				 order, r, r + n - 1);
		}
	}
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------
 */

static struct memlab_page *fp_do_alloc(unsigned int order, lmm_flags_t flags, unsigned int how)
{
	struct memlab_page *page;
	void *addr;

	switch (how) {
	case 0:
		return FZ_CALL(memlab_alloc_pages(fp.mp, flags, order));
	case 1:
		addr = FZ_CALL(memlab_get_pages(fp.mp, flags, order));
		if (!addr)
			return NULL;
		page = memlab_addr_to_page(fp.mp, addr);
		FZ_CHECK(page && memlab_page_to_addr(fp.mp, page) == addr, "page <-> address");
		return page;
	case 2:
		if (!order)
			return FZ_CALL(memlab_alloc_page(fp.mp, flags));
		return FZ_CALL(memlab_alloc_pages(fp.mp, flags, order));
	default:
		if (!order) {
			addr = FZ_CALL(memlab_get_page(fp.mp, flags));
			return addr ? memlab_addr_to_page(fp.mp, addr) : NULL;
		}
		return FZ_CALL(memlab_alloc_pages(fp.mp, flags, order));
	}
}

static FZ_NOCOV void fp_add_live(struct memlab_page *page, unsigned int order, lmm_flags_t flags)
{
	uintptr_t a = (uintptr_t)memlab_page_to_addr(fp.mp, page);
	unsigned long idx = fp_idx(a), i;
	struct fp_block *b;

	FZ_CHECK(a && a >= fp.base && idx + (1UL << order) <= fp.full_pages,
		 "order-%u block at page %lu outside the usable span", order, idx);
	FZ_CHECK(!(idx & ((1UL << order) - 1)), "order-%u block at page %lu misaligned",
		 order, idx);
	FZ_CHECK(!(flags & FP_LOWF) || fp_in_low(idx, 1UL << order),
		 "low allocation at page %lu outside the low region", idx);
	for (i = idx; i < idx + (1UL << order); i++)
		FZ_CHECK(fp.owner[i] == FP_FREE,
			 "order-%u block at page %lu overlaps page %lu (%d)", order, idx, i,
			 fp.owner[i]);
	FZ_CHECK(memlab_page_order(fp.mp, page) == (int)order, "order %d, asked %u",
		 memlab_page_order(fp.mp, page), order);
	FZ_CHECK(!memlab_page_owner(page), "a new block has an owner tag");
	/*
	 * Debug mode checks only what it poisoned, and so does the model: a
	 * page it freed in debug mode holds the poison - but for its first
	 * granule, where the LMM's index node sits while the page is in an
	 * LMM free extent (every LMM user here takes whole pages).  Memory
	 * fresh from the LMM is never poisoned, by design.
	 */
	for (i = idx; i < idx + (1UL << order); i++) {
		if (fp.debug && !fp.debug_uncertain && fp.poison[i])
			FZ_CHECK(!memchr_inv((void *)(fp.base + (i << PAGE_SHIFT) + LMM_GRANULE),
					     FP_POISON, PAGE_SIZE - LMM_GRANULE),
				 "debug mode: order-%u block at page %lu handed out with page %lu unpoisoned",
				 order, idx, i);
		fp.poison[i] = false;
	}
	FZ_CHECK(fp.nr_live < FP_MAX_LIVE, "model full");
	fz_trace("alloc order %u flags %u -> page %lu", order, flags, idx);
	b = &fp.live[fp.nr_live];
	*b = (struct fp_block){ .addr = a, .page = page, .order = order, .tag = fp.next_tag++ };
	fp_mark(idx, 1UL << order, fp.nr_live++);
	fp_tag(b, false);
	if (fz_one_in(4)) {
		b->owner = (void *)(uintptr_t)(fz_mix(b->tag) | 1);
		memlab_page_set_owner(page, b->owner);
	}
}

static void fp_op_alloc(void)
{
	unsigned int order = fz_below(fp.max_order + 1), how = fz_below(4);
	lmm_flags_t flags = fz_one_in(4) ? FP_LOWF : 0;
	unsigned int fails = fz_kmalloc_failures;
	struct memlab_page *page;
	u64 me = ++fp.serial;

	if (order > 1 && fz_one_in(2))
		order = fz_below(2);		/* most allocations are small */
	/* the hook runs before any lock: no preempting operation comes first */
	if (fp.inject && fz_one_in(16))
		fp.hook_fire = 1;
	page = fp_do_alloc(order, flags, how);
	fp.hook_fire = 0;
	if (page) {
		FZ_CHECK(fp.fired != me, "an injected failure returned a block");
		fp_add_live(page, order, flags);
		return;
	}
	if (fp.fired == me || fz_kmalloc_failures != fails || fp.in_nested)
		return;
	/*
	 * Retry with the caches drained and every free max-order block in the
	 * LMM, with nobody else running: a preempting order-0 allocation inside
	 * the drain could refill a cache, rightly.
	 */
	fz_arm_preempt(0);
	FZ_VCALL(memlab_pages_shrink(fp.mp));
	page = fp_do_alloc(order, flags, how);
	if (page) {
		fp_add_live(page, order, flags);
		return;
	}
	fz_trace("alloc order %u flags %u failed", order, flags);
	if (fz_kmalloc_failures == fails)
		fp_check_failure(order, flags);
}

static void fp_remove_live(unsigned int k)
{
	struct fp_block *b = &fp.live[k];
	unsigned long idx = fp_idx(b->addr);

	fp_mark(idx, 1UL << b->order, FP_FREE);
	if (fp.debug && !fp.debug_uncertain)
		memset(&fp.poison[idx], 1, (1UL << b->order) * sizeof(fp.poison[0]));
	fp.freed[fp.nr_freed++ % ARRAY_SIZE(fp.freed)] = b->addr;
	if (k != --fp.nr_live) {
		*b = fp.live[fp.nr_live];
		fp_mark(fp_idx(b->addr), 1UL << b->order, k);
	}
}

static void fp_op_free(void)
{
	struct fp_block b;
	int ret;

	if (!fp.nr_live)
		return;
	/* the block is the allocator's from the moment the call begins */
	b = fp.live[fz_below(fp.nr_live)];
	fp_tag(&b, true);
	fp_remove_live(fp.owner[fp_idx(b.addr)]);
	fz_trace("free page %lu order %u", fp_idx(b.addr), b.order);
	switch (fz_below(4)) {
	case 0:
		ret = FZ_CALL(memlab_free_pages(fp.mp, b.page));
		break;
	case 1:
		ret = FZ_CALL(memlab_put_pages(fp.mp, (void *)b.addr));
		break;
	case 2:
		ret = FZ_CALL(memlab_free_page(fp.mp, b.page));
		break;
	default:
		ret = FZ_CALL(memlab_put_page(fp.mp, (void *)b.addr));
		break;
	}
	FZ_CHECK(!ret, "free of a live order-%u block at page %lu: %d", b.order,
		 fp_idx(b.addr), ret);
}

/* Free an address or descriptor the model says is not a live block head. */
static void fp_expect_refusal(int ret, const char *what, int kind, uintptr_t a)
{
	fz_trace("%s at 0x%lx: %d", what, (unsigned long)(a - fp.base), ret);
	FZ_CHECK(ret == -EINVAL, "%s at 0x%lx: %d", what, (unsigned long)(a - fp.base), ret);
	if (kind < 0)
		fp.misuse_free++;
	else
		fp.misuse[kind]++;
}

static void fp_op_misuse(void)
{
	struct memlab_page *page;
	unsigned long idx;
	uintptr_t a;
	int ret, kind;

	switch (fz_below(7)) {
	case 0:		/* double free of a freed block that was not reused */
		if (!fp.nr_freed)
			return;
		a = fp.freed[fz_below(min_t(unsigned int, fp.nr_freed, ARRAY_SIZE(fp.freed)))];
		idx = fp_idx(a);
		if (fp.owner[idx] >= 0 && fp.live[fp.owner[idx]].addr == a)
			return;		/* reused: a real block again */
		kind = fp.owner[idx] >= 0 ? MEMLAB_PAGES_MISUSE_TAIL : -1;
		ret = FZ_CALL(fz_one_in(2) ? memlab_put_pages(fp.mp, (void *)a) :
			      memlab_free_pages(fp.mp, memlab_addr_to_page(fp.mp, (void *)a)));
		fp_expect_refusal(ret, "double free", kind, a);
		return;
	case 1:		/* a tail page */
		if (!fp.nr_live)
			return;
		idx = fz_below(fp.nr_live);
		if (!fp.live[idx].order)
			return;
		a = fp.live[idx].addr +
		    ((1 + fz_below((1U << fp.live[idx].order) - 1)) << PAGE_SHIFT);
		ret = FZ_CALL(memlab_put_pages(fp.mp, (void *)a));
		fp_expect_refusal(ret, "tail free", MEMLAB_PAGES_MISUSE_TAIL, a);
		return;
	case 2:		/* addresses outside the span */
		a = fz_one_in(2) ? fp.base - PAGE_SIZE * (1 + fz_below(4)) :
		    fp.base + ((fp.nr_pages + fz_below(4)) << PAGE_SHIFT);
		ret = FZ_CALL(memlab_put_pages(fp.mp, (void *)a));
		fp_expect_refusal(ret, "foreign free", MEMLAB_PAGES_MISUSE_FOREIGN, a);
		return;
	case 3:		/* a descriptor that is not the instance's */
		page = (struct memlab_page *)&fp.live[0];
		ret = FZ_CALL(memlab_free_pages(fp.mp, page));
		fp_expect_refusal(ret, "foreign descriptor", MEMLAB_PAGES_MISUSE_FOREIGN, fp.base);
		return;
	case 4:		/* an unaligned address inside the span */
		a = fp.base + fz_below(fp.nr_pages << PAGE_SHIFT);
		if (!(a & ~PAGE_MASK))
			a++;
		ret = FZ_CALL(memlab_put_pages(fp.mp, (void *)a));
		fp_expect_refusal(ret, "unaligned free", MEMLAB_PAGES_MISUSE_UNALIGNED, a);
		return;
	case 5:		/* an order above the maximum */
		page = FZ_CALL(memlab_alloc_pages(fp.mp, 0, fp.max_order + 1 + fz_below(32)));
		FZ_CHECK(!page, "allocation above the maximum order");
		fp.misuse[MEMLAB_PAGES_MISUSE_BAD_ORDER]++;
		return;
	default:	/* any page of the span: freed if and only if it heads a live block */
		idx = fz_below(fp.nr_pages);
		a = fp.base + (idx << PAGE_SHIFT);
		if (fp.owner[idx] >= 0 && fp.live[fp.owner[idx]].addr == a) {
			struct fp_block b = fp.live[fp.owner[idx]];

			fp_tag(&b, true);
			FZ_CHECK(!FZ_CALL(memlab_put_pages(fp.mp, (void *)a)), "free of a block");
			fp_remove_live(fp.owner[idx]);
			return;
		}
		kind = fp.owner[idx] >= 0 ? MEMLAB_PAGES_MISUSE_TAIL : -1;
		ret = FZ_CALL(memlab_put_pages(fp.mp, (void *)a));
		fp_expect_refusal(ret, "free of a page not heading a block", kind, a);
		return;
	}
}

static void fp_op_direct(void)
{
	struct fp_direct *d;
	unsigned long n, idx, i;
	void *p;

	if (fp.nr_direct && fz_one_in(2)) {
		d = &fp.direct[fz_below(fp.nr_direct)];
		FZ_CHECK(!FZ_CALL(lmm_free(&fp.lmm, (void *)d->addr, d->pages << PAGE_SHIFT)),
			 "LMM free of a direct allocation");
		fp_mark(fp_idx(d->addr), d->pages, FP_FREE);
		*d = fp.direct[--fp.nr_direct];
		return;
	}
	if (fp.nr_direct == ARRAY_SIZE(fp.direct))
		return;
	n = 1 + fz_below(4);
	p = FZ_CALL(lmm_alloc_gen(&fp.lmm, n << PAGE_SHIFT, 0, PAGE_SHIFT, fp.base, fp.base,
				  fp.nr_pages << PAGE_SHIFT));
	if (!p)
		return;
	idx = fp_idx((uintptr_t)p);
	FZ_CHECK(!((uintptr_t)p & ~PAGE_MASK) && idx + n <= fp.nr_pages,
		 "direct LMM allocation outside the span");
	for (i = idx; i < idx + n; i++)
		FZ_CHECK(fp.owner[i] == FP_FREE, "the LMM handed out page %lu, which is %d",
			 i, fp.owner[i]);
	fp_mark(idx, n, FP_DIRECT);
	d = &fp.direct[fp.nr_direct++];
	d->addr = (uintptr_t)p;
	d->pages = n;
}

static void fp_op_query(void)
{
	struct fp_block *b;
	unsigned long idx;
	uintptr_t a;

	if (!fp.nr_live)
		return;
	b = &fp.live[fz_below(fp.nr_live)];
	FZ_CHECK(memlab_page_order(fp.mp, b->page) == (int)b->order, "order query");
	FZ_CHECK(memlab_pages_block_owner(fp.mp, (void *)b->addr) == b->owner, "block owner");
	FZ_CHECK(memlab_page_owner(memlab_addr_to_page(fp.mp, (void *)b->addr)) == b->owner,
		 "owner of the page at the address");
	FZ_CHECK(memlab_pages_contains(fp.mp, (void *)b->addr, PAGE_SIZE << b->order),
		 "contains");
	FZ_CHECK(!memlab_pages_contains(fp.mp, (void *)b->addr,
					(fp.nr_pages << PAGE_SHIFT) + 1), "contains too much");
	if (b->order) {
		idx = fp_idx(b->addr) + 1 + fz_below((1U << b->order) - 1);
		a = fp.base + (idx << PAGE_SHIFT);
		FZ_CHECK(memlab_page_order(fp.mp, memlab_addr_to_page(fp.mp, (void *)a)) == -EINVAL,
			 "order of a tail page");
		FZ_CHECK(!memlab_pages_block_owner(fp.mp, (void *)a), "owner of a tail page");
	}
	FZ_CHECK(!memlab_addr_to_page(fp.mp, (void *)(fp.base - 1)), "page below the span");
	FZ_CHECK(!memlab_addr_to_page(fp.mp, (void *)(fp.base + (fp.nr_pages << PAGE_SHIFT))),
		 "page above the span");
	fz_after("queries");
}

/* Write into a free block the instance holds: reported, if at all, only then. */
static FZ_NOCOV void fp_uaf_fn(void *arg, void *addr, unsigned int order, bool free, void *owner)
{
	void **pick = arg;

	if (free && !*pick)
		*pick = (char *)addr + fz_below(PAGE_SIZE << order);
}

static void fp_op_uaf(void)
{
	void *pick = NULL;

	FZ_VCALL(memlab_pages_walk(fp.mp, fp_uaf_fn, &pick));
	if (!pick)
		return;
	*(u8 *)pick ^= 1 + fz_below(255);
	fp.uaf_writes++;
	/* reported and repoisoned, or not checked */
	fp.poison[fp_idx((uintptr_t)pick)] = false;
	fz_trace("write after free at 0x%lx", (unsigned long)((uintptr_t)pick - fp.base));
}

static void fp_op_knob(void)
{
	const char *policy;
	bool on;

	switch (fz_below(6)) {
	case 0:
		on = fz_one_in(2);
		fz_trace("set_debug %d", on);
		/* defect 3 of issue 11: a cache refilled during the switch */
		if (fz_skip("debug-race"))
			fz_arm_preempt(0);
		fp.debug_uncertain = true;	/* for operations preempting it */
		FZ_CHECK(!FZ_CALL(memlab_pages_set_debug(fp.mp, on)), "set_debug");
		fp.debug_uncertain = false;
		fp.debug = on;
		break;
	case 1:
		FZ_CHECK(!FZ_CALL(memlab_pages_set_reserve(fp.mp, fz_below(4))), "set_reserve");
		break;
	case 2:
		FZ_CHECK(FZ_CALL(memlab_pages_set_reserve(fp.mp, 65 + fz_below(1000))) == -EINVAL,
			 "reserve above 64");
		break;
	case 3:
		FZ_VCALL(memlab_pages_shrink(fp.mp));
		fz_trace("shrink");
		break;
	case 4:
		policy = fp_policies[fz_below(ARRAY_SIZE(fp_policies))];
		FZ_CHECK(!FZ_CALL(lmm_set_policy(&fp.lmm, policy)), "policy %s", policy);
		break;
	default:
		if (!fp.nr_live)
			break;
		fz_arm_preempt(0);	/* nobody may free while the instance goes */
		FZ_CHECK(FZ_CALL(memlab_pages_destroy(fp.mp)) == -EBUSY,
			 "destroy with %u blocks live", fp.nr_live);
		break;
	}
}

static void fp_nested(void)
{
	u64 fired = fp.fired;	/* the interrupted allocation's own record */

	fp.in_nested = true;
	switch (fz_below(4)) {
	case 0:
		fp_op_alloc();
		break;
	case 1:
		fp_op_free();
		break;
	case 2:
		fp_op_query();
		break;
	default:
		if (fz_one_in(2))
			fp_op_alloc();
		else
			fp_op_free();
		break;
	}
	fp.in_nested = false;
	fp.fired = fired;
}

static void fp_cpu_down(unsigned int cpu)
{
	FZ_CHECK(!memlab_pages_pcp_count(fp.mp, cpu), "CPU %u went down with pages cached", cpu);
}

/* Module unload with blocks still live: they are counted, the metadata goes. */
static bool fp_forced_teardown(void)
{
	unsigned long live = 0, k;

	if (!fp.nr_live || !fz_one_in(4))
		return false;
	for (k = 0; k < fp.nr_live; k++)
		live += 1UL << fp.live[k].order;
	k = FZ_CALL(memlab_pages_teardown(fp.mp));
	FZ_CHECK(k == live, "teardown counted %lu live pages, model %lu", k, live);
	fp.nr_live = 0;
	lmm_destroy(&fp.lmm);
	return true;
}

static void fp_check_fit_order(void)
{
	size_t off = fz_below(1 << 20) << PAGE_SHIFT, size = fz_below(1 << 20) << PAGE_SHIFT;
	unsigned int max = fz_below(MEMLAB_PAGES_MAX_ORDER + 1);
	int want = -1, o;

	for (o = max; o >= 0 && want < 0; o--) {
		size_t b = PAGE_SIZE << o, start = (off + b - 1) / b * b;

		if (start + b <= off + size)
			want = o;
	}
	FZ_CHECK(memlab_pages_fit_order(off, size, max) == want,
		 "fit_order(%#zx, %#zx, %u): %d, brute force %d", off, size, max,
		 memlab_pages_fit_order(off, size, max), want);
}

static void fp_teardown(void)
{
	struct lmm_stats st;
	size_t hole = 0;
	unsigned long i;

	if (fp_forced_teardown())
		return;

	while (fp.nr_live) {
		fp_tag(&fp.live[fp.nr_live - 1], true);
		FZ_CHECK(!FZ_CALL(memlab_free_pages(fp.mp, fp.live[fp.nr_live - 1].page)),
			 "final free");
		fp_remove_live(fp.nr_live - 1);
	}
	while (fp.nr_direct) {
		struct fp_direct *d = &fp.direct[--fp.nr_direct];

		FZ_CHECK(!lmm_free(&fp.lmm, (void *)d->addr, d->pages << PAGE_SHIFT),
			 "direct free");
		fp_mark(fp_idx(d->addr), d->pages, FP_FREE);
	}
	fp_check_all();
	FZ_CHECK(!FZ_CALL(memlab_pages_destroy(fp.mp)), "destroy with nothing live");
	for (i = 0; i < fp.nr_pages; i++)
		hole += fp.owner[i] == FP_HOLE;
	lmm_stats(&fp.lmm, &st);
	FZ_CHECK(st.free_bytes == (fp.nr_pages - hole) << PAGE_SHIFT,
		 "the LMM got %zu bytes back of %lu", st.free_bytes,
		 (fp.nr_pages - hole) << PAGE_SHIFT);
	FZ_CHECK(!lmm_check(&fp.lmm), "lmm_check at the end");
	lmm_destroy(&fp.lmm);
}

const char *fz_name = "pages";

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	if (!fp.arena) {
		fp.arena = mmap(NULL, FP_ARENA, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fp.arena == MAP_FAILED)
			abort();
	}
	if (!fp.inited) {
		FZ_CHECK(!memlab_pages_init(), "memlab_pages_init");
		fp.inited = true;
	}
	fz_begin(data, size);
	fz_nested_op = fp_nested;
	fz_cpu_down_check = fp_cpu_down;
	fp_setup();
	fp_check_fit_order();
	while (fz_more()) {
		unsigned int op = fz_u8();

		fz_op_index++;
		if (!fz_skip("preempt") && op & 0x80)
			fz_arm_preempt(1 + fz_below(4));
		switch ((op & 0x7f) % 16) {
		case 0 ... 5:
			fp_op_alloc();
			break;
		case 6 ... 9:
			fp_op_free();
			break;
		case 10:
			fz_arm_preempt(0);
			fp_op_misuse();
			break;
		case 11:
			fz_arm_preempt(0);
			fp_op_direct();
			break;
		case 12:
			fz_arm_preempt(0);
			fp_op_query();
			break;
		case 13:
			fz_arm_preempt(0);
			if (fp.debug && !fz_skip("uaf"))
				fp_op_uaf();
			else
				fp_op_knob();
			break;
		case 14:
			fp_op_knob();
			break;
		default:
			if (fz_one_in(2)) {
				fz_arm_preempt(0);
				fz_cpu_op();
			} else {
				fp_check_all();
			}
			break;
		}
		fz_arm_preempt(0);
		if (!(fz_op_index % 64))
			fp_check_all();
	}
	fp_teardown();
	fz_end();
	return 0;
}
