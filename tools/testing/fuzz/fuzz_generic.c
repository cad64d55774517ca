// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for slice/generic.c over slice/slice.c, pages/pages.c and
 * lmm/lmm.c.
 *
 * Each input builds a pages instance, one or two generic allocators (the
 * first sometimes the module-wide default behind memlab_alloc()), and
 * sometimes a plain slice pool beside them on the same pages; creation
 * runs out of memory at a random point now and then.  The model keeps
 * every live allocation as an address range, sorted.  It checks that
 * - sizes of 1 to a max-order block succeed unless memory ran out or a
 *   failure was injected; zero and larger sizes are refused;
 * - memlab_ksize() is the size class (8 ... 4096) or the block size of
 *   the request, never less than asked, and 0 for what is not the
 *   instance's; the whole of it can be written and keeps its content;
 * - power-of-two sizes are aligned to themselves (relative to the pages
 *   instance's base above a page), other sizes to a word; no allocation
 *   overlaps another, and large ones honour the low-zone flag;
 * - a double free, an interior pointer, another instance's or a plain
 *   pool's object, a pointer from elsewhere are refused and change
 *   nothing, in both directions (memlab_slice_free() of a generic object
 *   too), and NULL is accepted;
 * - debug flags, shrink, destroy while objects live (-EBUSY), the pool
 *   table and the validators (memlab_generic_check(),
 *   memlab_pages_check(), lmm_check()) behave, and at the end everything
 *   is destroyed without a leak - or, with allocations still live, torn
 *   down: memlab_generic_teardown(), memlab_slice_teardown() and
 *   memlab_pages_teardown() count them and free all of memlab's memory.
 * CPUs migrate and go down and up; other operations preempt at any point
 * the kernel could.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"

#define FG_LOWF		0x2
#define FG_MAX_LIVE	4096
#define FG_ARENA	((size_t)13 << (PAGE_SHIFT + 6))
#define FG_POISON	0x6b
#define FG_NR_CLASSES	12

static const unsigned int fg_classes[FG_NR_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};

struct fg_obj {
	char *p;
	size_t size, ksize;
	unsigned int owner;	/* 0, 1: a generic instance; 2: the plain pool */
	u64 tag;
};

static struct {
	char *arena;
	struct lmm lmm;
	struct lmm_region low, normal;
	struct memlab_pages *pages;
	struct memlab_generic *g[2];
	unsigned int nr_g;
	struct memlab_slice_pool *plain;
	size_t plain_size;
	bool is_default;
	uintptr_t base;
	unsigned long nr_pages, low_pages;
	unsigned int max_order, debug;
	struct fg_obj live[FG_MAX_LIVE];	/* sorted by address */
	unsigned int nr_live;
	char *freed[64];
	unsigned int nr_freed;
	unsigned int hook_fire;
	u64 serial, fired, debug_epoch;
	bool in_nested;
} fg;

static bool fg_inited;

/* ------------------------------------------------------------------------
 * The model: live ranges sorted by address
 * ------------------------------------------------------------------------
 */

/* Index of the first live range starting at or above @p. */
static FZ_NOCOV unsigned int fg_lower(const char *p)
{
	unsigned int lo = 0, hi = fg.nr_live, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (fg.live[mid].p < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static FZ_NOCOV int fg_find(const char *p)
{
	unsigned int k = fg_lower(p);

	return k < fg.nr_live && fg.live[k].p == p ? (int)k : -1;
}

static FZ_NOCOV void fg_insert(const struct fg_obj *o)
{
	unsigned int k = fg_lower(o->p);

	FZ_CHECK(fg.nr_live < FG_MAX_LIVE, "model full");
	FZ_CHECK(k == fg.nr_live || o->p + o->ksize <= fg.live[k].p,
		 "allocation at 0x%lx (%zu bytes) overlaps 0x%lx",
		 (unsigned long)(o->p - (char *)fg.base), o->ksize,
		 (unsigned long)(fg.live[k].p - (char *)fg.base));
	FZ_CHECK(!k || fg.live[k - 1].p + fg.live[k - 1].ksize <= o->p,
		 "allocation at 0x%lx overlaps 0x%lx (%zu bytes)",
		 (unsigned long)(o->p - (char *)fg.base),
		 (unsigned long)(fg.live[k - 1].p - (char *)fg.base), fg.live[k - 1].ksize);
	memmove(&fg.live[k + 1], &fg.live[k], (fg.nr_live - k) * sizeof(fg.live[0]));
	fg.live[k] = *o;
	fg.nr_live++;
}

static void fg_remove(unsigned int k)
{
	fg.freed[fg.nr_freed++ % ARRAY_SIZE(fg.freed)] = fg.live[k].p;
	memmove(&fg.live[k], &fg.live[k + 1], (fg.nr_live - k - 1) * sizeof(fg.live[0]));
	fg.nr_live--;
}

/* Objects carry their tag everywhere; large blocks at each page's start and at the end. */
static FZ_NOCOV void fg_tag(const struct fg_obj *o, bool check)
{
	size_t off, n, bad;

	for (off = 0; off < o->ksize; off += n) {
		n = o->owner == 2 || o->ksize <= PAGE_SIZE ? o->ksize : 32;
		if (n == 32 && off + PAGE_SIZE >= o->ksize)
			off = o->ksize - 32;
		if (!check)
			fz_fill(o->p + off, n, o->tag + off);
		else
			FZ_CHECK(fz_verify(o->p + off, n, o->tag + off, &bad),
				 "%zu-byte allocation at 0x%lx overwritten at offset %zu", o->size,
				 (unsigned long)(o->p - (char *)fg.base), off + bad);
		if (n == 32)
			off = ALIGN_DOWN(off, PAGE_SIZE) + PAGE_SIZE - 32;
	}
}

static size_t fg_expected_ksize(size_t size)
{
	unsigned int i;

	for (i = 0; i < FG_NR_CLASSES; i++)
		if (size <= fg_classes[i])
			return fg_classes[i];
	return PAGE_SIZE << get_order(size);
}

/* ------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------
 */

static bool fg_hook(void *arg)
{
	if (!fg.hook_fire)
		return false;
	fg.hook_fire = 0;
	fg.fired = fg.serial;
	return true;
}

static void fg_setup(void)
{
	static const struct memlab_zone_desc zones[] = {
		{ .name = "normal", .lmm_flags = 0 },
		{ .name = "low", .lmm_flags = FG_LOWF },
	};
	static const char * const names[] = { "fuzz", "fuzz2" };
	char *arena = fg.arena;
	unsigned long blocks;
	unsigned int i;
	bool low;

	memset(&fg, 0, sizeof(fg));
	fg.arena = arena;
	fg.max_order = 3 + fz_below(4);
	blocks = 2 + fz_below(11);
	fg.nr_pages = (blocks << fg.max_order) + fz_below(8);
	fg.base = (uintptr_t)fg.arena + (fz_below(8) << PAGE_SHIFT);
	low = fz_one_in(3);
	fg.low_pages = low ? (1 + fz_below(blocks - 1)) << fg.max_order : 0;
	lmm_init(&fg.lmm);
	if (fg.low_pages)
		FZ_CHECK(!lmm_add_region(&fg.lmm, &fg.low, (void *)fg.base,
					 fg.low_pages << PAGE_SHIFT, FG_LOWF, -1), "low region");
	FZ_CHECK(!lmm_add_region(&fg.lmm, &fg.normal,
				 (void *)(fg.base + (fg.low_pages << PAGE_SHIFT)),
				 (fg.nr_pages - fg.low_pages) << PAGE_SHIFT, 0, 0), "region");
	FZ_CHECK(!lmm_add_free(&fg.lmm, (void *)fg.base, fg.nr_pages << PAGE_SHIFT), "add_free");
	fg.pages = memlab_pages_create("fuzz", &fg.lmm, (void *)fg.base, fg.nr_pages << PAGE_SHIFT,
				       fg.max_order, zones, low ? 2 : 1);
	FZ_CHECK(!IS_ERR(fg.pages), "pages create");
	fg.debug = fz_below(4);
	if (fg.debug & MEMLAB_SLICE_REDZONE) {
		unsigned int objs;

		/* a red zone makes the 4096 class's slots 8 KiB: not every max order fits it */
		if (memlab_slice_order_for(4096, 4096, fg.debug, fg.max_order, &objs) == UINT_MAX) {
			struct memlab_generic *g;

			g = memlab_generic_create(fg.pages, names[0], fg.debug);
			FZ_CHECK(g == ERR_PTR(-EINVAL), "create with an impossible class: %ld",
				 PTR_ERR(g));
			fg.debug &= ~MEMLAB_SLICE_REDZONE;
		}
	}

	/* creation that runs out of memory half way fails cleanly */
	if (fz_one_in(4)) {
		unsigned int fails = fz_kmalloc_failures;
		struct memlab_generic *g;

		fz_fail_kmalloc(1 + fz_below(40));
		g = FZ_CALL(memlab_generic_create(fg.pages, names[0], fg.debug));
		fz_fail_kmalloc(0);
		if (fz_kmalloc_failures != fails) {
			FZ_CHECK(g == ERR_PTR(-ENOMEM), "create under ENOMEM: %ld", PTR_ERR(g));
		} else {
			FZ_CHECK(!IS_ERR(g), "create: %ld", PTR_ERR(g));
			FZ_CHECK(!memlab_generic_destroy(g), "destroy of a fresh instance");
		}
	}
	fg.nr_g = 1 + fz_one_in(4);
	for (i = 0; i < fg.nr_g; i++) {
		fg.g[i] = FZ_CALL(memlab_generic_create(fg.pages, names[i], fg.debug));
		FZ_CHECK(!IS_ERR(fg.g[i]), "generic create (debug %u): %ld", fg.debug,
			 PTR_ERR(fg.g[i]));
		memlab_generic_set_fault_hook(fg.g[i], fg_hook, NULL);
		FZ_CHECK(memlab_generic_nr_pools(fg.g[i]) == FG_NR_CLASSES, "pool count");
	}
	if (fz_one_in(3)) {
		fg.plain_size = 8 + fz_below(4096);
		fg.plain = memlab_slice_create(fg.pages, "plain", fg.plain_size, 0, 0, 0, NULL);
		FZ_CHECK(!IS_ERR(fg.plain), "plain pool");
	}
	fg.is_default = fz_one_in(2);
	memlab_generic_set_default(fg.is_default ? fg.g[0] : NULL);
	fz_trace("setup: max order %u, %lu pages, low %lu, %u instances, debug %u%s%s",
		 fg.max_order, fg.nr_pages, fg.low_pages, fg.nr_g, fg.debug,
		 fg.plain ? ", a plain pool" : "", fg.is_default ? ", default" : "");
}

/* ------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------
 */

static void fg_check_all(void)
{
	struct memlab_slice_stats st;
	unsigned long small[2] = { 0, 0 }, active[2] = { 0, 0 };
	unsigned int i, k;

	fz_arm_preempt(0);
	for (i = 0; i < fg.nr_g; i++) {
		FZ_CHECK(!FZ_CALL(memlab_generic_check(fg.g[i])), "memlab_generic_check(%u)", i);
		for (k = 0; k < FG_NR_CLASSES; k++) {
			struct memlab_slice_pool *pool = memlab_generic_pool(fg.g[i], k);

			FZ_CHECK(pool && memlab_slice_size(pool) == fg_classes[k], "class %u", k);
			memlab_slice_stats(pool, &st);
			active[i] += st.active_objs;
			FZ_CHECK(!st.cpu_cached, "cached after a check");
		}
		FZ_CHECK(!memlab_generic_pool(fg.g[i], FG_NR_CLASSES), "pool past the table");
	}
	for (k = 0; k < fg.nr_live; k++)
		if (fg.live[k].owner < 2 && fg.live[k].ksize <= PAGE_SIZE)
			small[fg.live[k].owner]++;
	for (i = 0; i < fg.nr_g; i++)
		FZ_CHECK(active[i] == small[i], "instance %u: %lu objects active, model %lu", i,
			 active[i], small[i]);
	if (fg.plain)
		FZ_CHECK(!FZ_CALL(memlab_slice_check(fg.plain)), "plain pool check");
	FZ_CHECK(!FZ_CALL(memlab_pages_check(fg.pages)), "memlab_pages_check");
	FZ_CHECK(!FZ_CALL(lmm_check(&fg.lmm)), "lmm_check");
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------
 */

static size_t fg_size(void)
{
	size_t block = PAGE_SIZE << fg.max_order;

	switch (fz_below(32)) {
	case 0:
		return 0;
	case 1:
		return block + 1 + fz_below(1 << 20);
	case 2 ... 5:
		return 1UL << fz_below(fls64(block));	/* powers of two */
	case 6 ... 9:
		return PAGE_SIZE + 1 + fz_below(block - PAGE_SIZE);
	default:
		return 1 + fz_below(PAGE_SIZE);
	}
}

static void fg_add(unsigned int gi, char *p, size_t size, lmm_flags_t flags, bool stable)
{
	struct fg_obj o = { .p = p, .size = size, .owner = gi };
	size_t ks = fg_expected_ksize(size);
	uintptr_t a = (uintptr_t)p;

	o.ksize = FZ_CALL(memlab_generic_ksize(fg.g[gi], p));
	FZ_CHECK(o.ksize == ks, "ksize %zu for %zu bytes, expected %zu", o.ksize, size, ks);
	if (fg.is_default && !gi)
		FZ_CHECK(memlab_ksize(p) == ks, "memlab_ksize");
	if (fg.nr_g == 2)
		FZ_CHECK(!memlab_generic_ksize(fg.g[!gi], p), "the other instance claims it");
	FZ_CHECK(a >= fg.base && a + ks <= fg.base + (fg.nr_pages << PAGE_SHIFT),
		 "%zu bytes at 0x%lx outside the arena", size, (unsigned long)(a - fg.base));
	if (is_power_of_2(size))
		FZ_CHECK(size <= PAGE_SIZE ? !(a % size) : !((a - fg.base) % size),
			 "%zu bytes at 0x%lx not aligned to their size", size,
			 (unsigned long)(a - fg.base));
	FZ_CHECK(!(a % sizeof(long)), "misaligned");
	if (ks > PAGE_SIZE) {
		struct memlab_page *page = memlab_addr_to_page(fg.pages, p);

		FZ_CHECK(memlab_generic_owns_block(fg.g[gi], memlab_page_owner(page)),
			 "large block not tagged as the instance's");
		if (fg.nr_g == 2)
			FZ_CHECK(!memlab_generic_owns_block(fg.g[!gi], memlab_page_owner(page)),
				 "the other instance owns it");
		FZ_CHECK(!(flags & FG_LOWF) || a + ks <= fg.base + (fg.low_pages << PAGE_SHIFT),
			 "low block outside the low region");
	} else if ((fg.debug & MEMLAB_SLICE_POISON) && stable) {
		FZ_CHECK(!memchr_inv(p + sizeof(long), FG_POISON, ks - sizeof(long)),
			 "new %zu-byte object not poisoned", ks);
	}
	o.tag = fz_mix(++fg.serial ^ a);
	fg_insert(&o);
	fg_tag(&o, false);
	fz_trace("alloc %zu on %u -> 0x%lx (%zu)", size, gi, (unsigned long)(a - fg.base), ks);
}

static void fg_op_alloc(void)
{
	unsigned int gi = fz_below(fg.nr_g);
	size_t size = fg_size(), block = PAGE_SIZE << fg.max_order;
	lmm_flags_t flags = fg.low_pages && fz_one_in(4) ? FG_LOWF : 0;
	u64 me = ++fg.serial, epoch = fg.debug_epoch;
	bool dflt = fg.is_default && !gi && fz_one_in(2);
	char *p;

	if (fz_one_in(32))
		fg.hook_fire = 1;
	p = dflt ? FZ_CALL(memlab_alloc(size, flags)) :
	    FZ_CALL(memlab_generic_alloc(fg.g[gi], size, flags));
	fg.hook_fire = 0;
	if (!size || size > block) {
		FZ_CHECK(!p, "a %zu-byte allocation succeeded", size);
		return;
	}
	if (p) {
		FZ_CHECK(fg.fired != me, "an injected failure returned memory");
		fg_add(gi, p, size, flags, epoch == fg.debug_epoch);
		return;
	}
	fz_trace("alloc %zu on %u failed%s", size, gi, fg.fired == me ? " (injected)" : "");
}

static void fg_op_free(void)
{
	struct fg_obj o;
	int ret;

	if (!fg.nr_live)
		return;
	o = fg.live[fz_below(fg.nr_live)];
	fg_tag(&o, true);
	fg_remove(fg_find(o.p));
	fz_trace("free 0x%lx (%zu on %u)", (unsigned long)((uintptr_t)o.p - fg.base), o.size,
		 o.owner);
	if (o.owner == 2)
		ret = FZ_CALL(memlab_slice_free(fg.plain, o.p));
	else if (fg.is_default && !o.owner && fz_one_in(2))
		ret = FZ_CALL(memlab_free(o.p));
	else
		ret = FZ_CALL(memlab_generic_free(fg.g[o.owner], o.p));
	FZ_CHECK(!ret, "free of a live allocation: %d", ret);
}

static void fg_op_plain(void)
{
	struct fg_obj o = { .size = fg.plain_size, .ksize = fg.plain_size, .owner = 2 };

	if (!fg.plain)
		return;
	o.p = FZ_CALL(memlab_slice_alloc(fg.plain));
	if (!o.p)
		return;
	FZ_CHECK(!memlab_generic_ksize(fg.g[0], o.p), "ksize of a plain pool's object");
	o.tag = fz_mix(++fg.serial ^ (uintptr_t)o.p);
	fg_insert(&o);
	fg_tag(&o, false);
	fz_trace("plain pool alloc -> 0x%lx (%zu)", (unsigned long)((uintptr_t)o.p - fg.base),
		 o.size);
}

static void fg_refused(int ret, const char *what, const void *p)
{
	fz_trace("%s at 0x%lx: %d", what, (unsigned long)((uintptr_t)p - fg.base), ret);
	FZ_CHECK(ret == -EINVAL, "%s: %d", what, ret);
}

static void fg_op_misuse(void)
{
	unsigned int gi = fz_below(fg.nr_g);
	struct fg_obj *o = fg.nr_live ? &fg.live[fz_below(fg.nr_live)] : NULL;
	char stack[32], *p;
	int k;

	switch (fz_below(7)) {
	case 0:		/* a freed pointer not handed out since */
		if (!fg.nr_freed)
			return;
		p = fg.freed[fz_below(min_t(unsigned int, fg.nr_freed, ARRAY_SIZE(fg.freed)))];
		k = fg_lower(p);
		if (k < (int)fg.nr_live && fg.live[k].p == p)
			return;		/* reused */
		if (k && fg.live[k - 1].p + fg.live[k - 1].ksize > p && fg.live[k - 1].owner == gi)
			return;		/* inside one of ours: another case */
		fg_refused(FZ_CALL(memlab_generic_free(fg.g[gi], p)), "double free", p);
		return;
	case 1:		/* inside a live allocation */
		if (!o || o->ksize < 2 || o->owner == 2)
			return;
		p = o->p + 1 + fz_below(o->ksize - 1);
		fg_refused(FZ_CALL(memlab_generic_free(fg.g[o->owner], p)), "interior free", p);
		return;
	case 2:		/* another instance's, or the plain pool's */
		if (!o || (o->owner < 2 && fg.nr_g == 1))
			return;
		gi = o->owner == 2 ? fz_below(fg.nr_g) : !o->owner;
		fg_refused(FZ_CALL(memlab_generic_free(fg.g[gi], o->p)), "free by another", o->p);
		return;
	case 3:		/* a generic object given to the plain pool */
		if (!o || o->owner == 2 || !fg.plain)
			return;
		fg_refused(FZ_CALL(memlab_slice_free(fg.plain, o->p)), "plain pool free", o->p);
		return;
	case 4:		/* memory that is not memlab's, and NULL */
		p = fz_one_in(2) ? stack : (char *)&fg;
		fg_refused(FZ_CALL(memlab_generic_free(fg.g[gi], p)), "foreign free", p);
		FZ_CHECK(!memlab_generic_ksize(fg.g[gi], p), "ksize of a foreign pointer");
		FZ_CHECK(!FZ_CALL(memlab_generic_free(fg.g[gi], NULL)), "free of NULL");
		if (fg.is_default)
			fg_refused(FZ_CALL(memlab_free(p)), "memlab_free of a foreign pointer", p);
		return;
	case 5:		/* destroy refuses while anything lives, and changes nothing */
		for (k = 0; k < (int)fg.nr_live && fg.live[k].owner != gi; k++)
			;
		if (k == (int)fg.nr_live)
			return;
		FZ_CHECK(FZ_CALL(memlab_generic_destroy(fg.g[gi])) == -EBUSY,
			 "destroy of instance %u with objects live", gi);
		return;
	default:	/* any arena address: freed only if it starts an allocation of ours */
		p = (char *)fg.base + fz_below(fg.nr_pages << PAGE_SHIFT);
		k = fg_find(p);
		if (k >= 0 && fg.live[k].owner == gi) {
			struct fg_obj c = fg.live[k];

			fg_tag(&c, true);
			fg_remove(k);
			FZ_CHECK(!FZ_CALL(memlab_generic_free(fg.g[gi], p)), "free of a live one");
			return;
		}
		fg_refused(FZ_CALL(memlab_generic_free(fg.g[gi], p)), "arena address free", p);
		return;
	}
}

static void fg_op_knob(void)
{
	unsigned int gi = fz_below(fg.nr_g), debug = fz_below(4);
	int ret;

	/* two instances keep equal flags: only poisoning, which never fails, changes */
	if (fg.nr_g == 2)
		debug = (fg.debug & MEMLAB_SLICE_REDZONE) | (debug & MEMLAB_SLICE_POISON);

	switch (fz_below(3)) {
	case 0:
		ret = FZ_CALL(memlab_generic_set_debug(fg.g[gi], debug));
		fz_trace("instance %u: set_debug %u -> %d", gi, debug, ret);
		FZ_CHECK(!ret || ret == -EBUSY || ret == -EINVAL, "set_debug: %d", ret);
		if (fg.nr_g == 2)
			FZ_CHECK(!ret && !FZ_CALL(memlab_generic_set_debug(fg.g[!gi], debug)),
				 "poisoning change: %d", ret);
		if (!ret) {
			fg.debug = debug;
			fg.debug_epoch++;
		}
		return;
	case 1:
		FZ_VCALL(memlab_generic_shrink(fg.g[gi]));
		return;
	default:
		fg_op_plain();
		return;
	}
}

static void fg_nested(void)
{
	u64 fired = fg.fired;

	fg.in_nested = true;
	if (fz_one_in(2))
		fg_op_alloc();
	else
		fg_op_free();
	fg.in_nested = false;
	fg.fired = fired;
}

/* Unload with allocations live: each layer counts them and frees its own memory. */
static bool fg_forced_teardown(void)
{
	struct memlab_pages_stats st;
	unsigned long want[3] = { 0, 0, 0 }, held = 0, n;
	unsigned int i, k;

	if (!fg.nr_live || !fz_one_in(4))
		return false;
	for (k = 0; k < fg.nr_live; k++)
		want[fg.live[k].owner]++;
	for (i = fg.nr_g; i--; ) {
		n = FZ_CALL(memlab_generic_teardown(fg.g[i]));
		FZ_CHECK(n == want[i], "generic teardown %u counted %lu, model %lu", i, n, want[i]);
	}
	if (fg.plain) {
		n = FZ_CALL(memlab_slice_teardown(fg.plain));
		FZ_CHECK(n == want[2], "plain teardown counted %lu, model %lu", n, want[2]);
	}
	FZ_CHECK(!memlab_alloc(16, 0), "memlab_alloc after the default instance went");
	memlab_pages_stats(fg.pages, &st);
	for (i = 0; i < st.nr_zones; i++)
		held += (st.zone[i].blocks_held << st.max_order) - st.zone[i].pages_free;
	n = FZ_CALL(memlab_pages_teardown(fg.pages));
	FZ_CHECK(n == held && n, "pages teardown counted %lu, %lu allocated", n, held);
	memlab_generic_set_default(NULL);
	lmm_destroy(&fg.lmm);
	fg.nr_live = 0;
	return true;
}

static void fg_teardown(void)
{
	unsigned int i;
	char stack[8];

	fz_arm_preempt(0);
	if (fg_forced_teardown())
		return;
	while (fg.nr_live) {
		struct fg_obj o = fg.live[fg.nr_live - 1];

		fg_tag(&o, true);
		fg_remove(fg.nr_live - 1);
		FZ_CHECK(!(o.owner == 2 ? memlab_slice_free(fg.plain, o.p) :
			   memlab_generic_free(fg.g[o.owner], o.p)), "final free");
	}
	fg_check_all();
	if (fg.plain)
		FZ_CHECK(!memlab_slice_destroy(fg.plain), "plain pool destroy");
	for (i = fg.nr_g; i--; )
		FZ_CHECK(!FZ_CALL(memlab_generic_destroy(fg.g[i])), "destroy of instance %u", i);
	memlab_generic_set_default(NULL);
	FZ_CHECK(!memlab_alloc(16, 0), "memlab_alloc without a default instance");
	FZ_CHECK(memlab_free(stack) == -EINVAL && !memlab_free(NULL), "memlab_free without one");
	FZ_CHECK(!memlab_ksize(stack), "memlab_ksize without one");
	FZ_CHECK(!FZ_CALL(memlab_pages_check(fg.pages)), "pages check at the end");
	FZ_CHECK(!FZ_CALL(memlab_pages_destroy(fg.pages)), "pages destroy");
	FZ_CHECK(lmm_avail(&fg.lmm, 0) == fg.nr_pages << PAGE_SHIFT, "the LMM got it all back");
	lmm_destroy(&fg.lmm);
}

const char *fz_name = "generic";

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	if (!fg.arena) {
		fg.arena = mmap(NULL, FG_ARENA, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fg.arena == MAP_FAILED)
			abort();
	}
	if (!fg_inited) {
		FZ_CHECK(!memlab_pages_init() && !memlab_slice_init(), "init");
		fg_inited = true;
	}
	fz_begin(data, size);
	fz_nested_op = fg_nested;
	fg_setup();
	while (fz_more()) {
		unsigned int op = fz_u8();

		fz_op_index++;
		if (!fz_skip("preempt") && op & 0x80)
			fz_arm_preempt(1 + fz_below(4));
		switch ((op & 0x7f) % 16) {
		case 0 ... 6:
			fg_op_alloc();
			break;
		case 7 ... 10:
			fg_op_free();
			break;
		case 11:
		case 12:
			fz_arm_preempt(0);
			fg_op_misuse();
			break;
		case 13:
			if (fz_skip("debug-race"))
				fz_arm_preempt(0);
			fg_op_knob();
			break;
		case 14:
			fz_arm_preempt(0);
			fz_cpu_op();
			break;
		default:
			fg_check_all();
			break;
		}
		fz_arm_preempt(0);
		if (!(fz_op_index % 64))
			fg_check_all();
	}
	fg_teardown();
	fz_end();
	return 0;
}
