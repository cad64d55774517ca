// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for slice/slice.c over pages/pages.c and lmm/lmm.c.
 *
 * Each input builds a pages instance (max order 3 to 6, two to twelve
 * blocks, sometimes a low zone) and up to four pools of random geometry
 * (size, alignment, poison, red zone, constructor, zone), refusals of bad
 * geometry included, then runs operations.  The model knows every live
 * object, its pool and the tag written over it.  It checks that
 * - every object returned is unique, aligned, inside a live slab of its
 *   pool on a slot boundary, poisoned and red-zoned as the pool's debug
 *   flags say, and keeps its tag until freed;
 * - a failed allocation had no free object in its pool's slabs and no
 *   slab to get from the pages layer;
 * - every free of a live object succeeds; a double free, an interior
 *   pointer, an object of another pool, a pointer not from memlab or
 *   into a slab header is refused with the right kind and changes nothing;
 *   an overflow into the red zone is reported exactly once, at the free;
 *   a write after free is never reported more often than it happened;
 * - statistics (objects, allocations, misuse by kind), debug-flag changes
 *   (-EBUSY for a red zone while slabs exist, can_set_debug agreeing),
 *   describe() and for_each() agree with the model, and
 *   memlab_slice_check(), memlab_pages_check() and lmm_check() find
 *   nothing, periodically and at the end, when every pool is destroyed
 *   and nothing has leaked.
 * Corrupting a free object's free-list link (FUZZ_SKIP=corrupt to leave
 * it out) must be detected, never followed.  A pool torn down with objects
 * live (memlab_slice_teardown()) must count them, free its own memory, and
 * refuse them from then on as foreign; the pages instance then goes with
 * memlab_pages_teardown().  CPUs migrate and go down and up, and other
 * operations preempt at any point the kernel could.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"

#define FS_LOWF		0x2
#define FS_POOLS	4
#define FS_MAX_LIVE	4096
#define FS_HASH		8192
#define FS_ARENA	((size_t)13 << (PAGE_SHIFT + 6))
#define FS_POISON	0x6b
#define FS_REDZONE	0xbb
#define FS_RZ		16

struct fs_obj {
	char *p;
	unsigned int pool;
	u64 tag;
	bool overflowed;
};

struct fs_pool {
	struct memlab_slice_pool *pool;
	char name[16];
	size_t size, align, slot;
	unsigned int debug, order, objs;
	lmm_flags_t flags;
	bool ctor, corrupted;
	unsigned long live;
	u64 misuse[MEMLAB_SLICE_NR_MISUSE];
	u64 misuse_free;	/* a stale pointer: double free, foreign, wrong pool */
	u64 uaf_writes, link_writes;
	char *freed[32];
	unsigned int nr_freed;
};

static struct {
	char *arena;
	struct lmm lmm;
	struct lmm_region low, normal;
	struct memlab_pages *pages;
	uintptr_t base;
	unsigned long nr_pages, low_pages;
	unsigned int max_order;
	bool low_zone;
	struct fs_pool pools[FS_POOLS];
	unsigned int nr_pools;
	struct fs_obj live[FS_MAX_LIVE];
	unsigned int nr_live;
	int hash[FS_HASH];		/* live index + 1, open addressing */
	void *direct[16];		/* blocks taken straight from the pages layer */
	unsigned int nr_direct;
	unsigned int hook_fire;
	u64 serial, fired;
	u64 debug_epoch;		/* successful debug changes so far */
	unsigned int debug_changing;	/* 1 + the pool whose set_debug is running */
	bool in_nested;
	bool torn;			/* a pool was torn down with objects live */
	char *stale[64];		/* their objects: invalid now */
	unsigned int nr_stale;
} fs;

static bool fs_inited;

/* ------------------------------------------------------------------------
 * The live-object set
 * ------------------------------------------------------------------------
 */

static FZ_NOCOV unsigned int fs_slot(const void *p)
{
	return (fz_mix((uintptr_t)p) & (FS_HASH - 1));
}

static FZ_NOCOV int fs_find(const void *p)
{
	unsigned int h;

	for (h = fs_slot(p); fs.hash[h]; h = (h + 1) & (FS_HASH - 1))
		if (fs.live[fs.hash[h] - 1].p == p)
			return fs.hash[h] - 1;
	return -1;
}

static FZ_NOCOV void fs_hash_set(const void *p, int v)
{
	unsigned int h;

	for (h = fs_slot(p); fs.hash[h]; h = (h + 1) & (FS_HASH - 1))
		if (fs.live[fs.hash[h] - 1].p == p)
			break;
	fs.hash[h] = v;
}

/* Delete with backward shift, so that probes never cross a hole. */
static FZ_NOCOV void fs_hash_del(const void *p)
{
	unsigned int h, j, want;

	for (h = fs_slot(p); fs.live[fs.hash[h] - 1].p != p; h = (h + 1) & (FS_HASH - 1))
		;
	fs.hash[h] = 0;
	for (j = (h + 1) & (FS_HASH - 1); fs.hash[j]; j = (j + 1) & (FS_HASH - 1)) {
		want = fs_slot(fs.live[fs.hash[j] - 1].p);
		if (((j - want) & (FS_HASH - 1)) >= ((j - h) & (FS_HASH - 1))) {
			fs.hash[h] = fs.hash[j];
			fs.hash[j] = 0;
			h = j;
		}
	}
}

static void fs_remove(unsigned int k)
{
	struct fs_obj *o = &fs.live[k];
	struct fs_pool *fp = &fs.pools[o->pool];

	fp->live--;
	fp->freed[fp->nr_freed++ % ARRAY_SIZE(fp->freed)] = o->p;
	fs_hash_del(o->p);
	if (k != --fs.nr_live) {
		*o = fs.live[fs.nr_live];
		fs_hash_set(o->p, k + 1);
	}
}

/* ------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------
 */

static void fs_ctor(void *obj)
{
	memset(obj, 0x5c, sizeof(long));
}

static bool fs_hook(void *arg)
{
	if (!fs.hook_fire)
		return false;
	fs.hook_fire = 0;
	fs.fired = fs.serial;
	return true;
}

/* A pool of random geometry; false if the geometry was (rightly) refused. */
static bool fs_pool_create(unsigned int i, bool plain)
{
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slice_stats st;
	size_t size, align, a;
	unsigned int debug, objs, order;
	bool bad = false;
	void *p;

	memset(fp, 0, sizeof(*fp));
	snprintf(fp->name, sizeof(fp->name), "fuzz-%u", i);
	size = fz_size(MEMLAB_SLICE_MAX_SIZE);
	align = fz_one_in(2) ? 0 : 1UL << fz_below(PAGE_SHIFT + 1);
	debug = fz_below(4);
	fp->ctor = fz_one_in(8);
	fp->flags = fs.low_zone && fz_one_in(4) ? FS_LOWF : 0;
	if (plain) {		/* when the input asks for nothing that works */
		size = 64;
		align = 0;
		debug = 0;
	}
	switch (plain ? 15 : fz_below(16)) {		/* geometry that must be refused */
	case 0:
		size = fz_below(MEMLAB_SLICE_MIN_SIZE);
		bad = true;
		break;
	case 1:
		size = MEMLAB_SLICE_MAX_SIZE + 1 + fz_below(1 << 20);
		bad = true;
		break;
	case 2:
		align = 3 + 2 * fz_below(PAGE_SIZE);	/* odd: not a power of two */
		bad = true;
		break;
	case 3:
		align = PAGE_SIZE << (1 + fz_below(4));
		bad = true;
		break;
	case 4:
		debug |= 4 << fz_below(28);
		bad = true;
		break;
	default:
		bad = size < MEMLAB_SLICE_MIN_SIZE;
		break;
	}
	p = FZ_CALL(memlab_slice_create(fs.pages, fp->name, size, align, fp->flags, debug,
					fp->ctor ? fs_ctor : NULL));
	if (bad) {
		FZ_CHECK(p == ERR_PTR(-EINVAL), "bad geometry (size %zu align %zu debug %u): %ld",
			 size, align, debug, PTR_ERR(p));
		return false;
	}
	a = align ? align : is_power_of_2(size) && size <= PAGE_SIZE ? size : sizeof(long);
	a = max_t(size_t, a, sizeof(long));
	order = memlab_slice_order_for(size, a, debug, fs.max_order, &objs);
	if (order == UINT_MAX) {
		FZ_CHECK(p == ERR_PTR(-EINVAL), "create with no slab order: %ld", PTR_ERR(p));
		return false;
	}
	FZ_CHECK(!IS_ERR(p), "create (size %zu align %zu debug %u): %ld", size, align, debug,
		 PTR_ERR(p));
	fp->pool = p;
	fp->size = size;
	fp->align = a;
	fp->debug = debug;
	memlab_slice_stats(fp->pool, &st);
	fp->slot = st.slot_size;
	fp->order = order;
	fp->objs = objs;
	FZ_CHECK(st.object_size == size && st.align == a && st.slot_size >= size +
		 (debug & MEMLAB_SLICE_REDZONE ? FS_RZ : 0) && !(st.slot_size % a) &&
		 st.pages_per_slab == 1U << order && st.objs_per_slab == objs && objs &&
		 (size_t)objs * st.slot_size <= PAGE_SIZE << order &&
		 (PAGE_SIZE << order) - (size_t)objs * st.slot_size <= (PAGE_SIZE << order) / 8,
		 "geometry: size %zu slot %zu align %zu, %u objects in %u pages", size,
		 st.slot_size, a, objs, st.pages_per_slab);
	FZ_CHECK(memlab_slice_size(fp->pool) == size, "memlab_slice_size");
	memlab_slice_set_fault_hook(fp->pool, fs_hook, NULL);
	fz_trace("pool %u: size %zu align %zu slot %zu debug %u ctor %d, %u objects, order %u",
		 i, size, a, fp->slot, debug, fp->ctor, objs, order);
	return true;
}

static void fs_setup(void)
{
	static const struct memlab_zone_desc zones[] = {
		{ .name = "normal", .lmm_flags = 0 },
		{ .name = "low", .lmm_flags = FS_LOWF },
	};
	unsigned long blocks;
	unsigned int i, n;
	char *arena = fs.arena;

	memset(&fs, 0, sizeof(fs));
	fs.arena = arena;
	fs.max_order = 3 + fz_below(4);
	blocks = 2 + fz_below(11);
	fs.nr_pages = (blocks << fs.max_order) + fz_below(8);
	fs.base = (uintptr_t)fs.arena + (fz_below(8) << PAGE_SHIFT);
	fs.low_zone = fz_one_in(3);
	fs.low_pages = fs.low_zone ? (1 + fz_below(blocks - 1)) << fs.max_order : 0;
	lmm_init(&fs.lmm);
	if (fs.low_pages)
		FZ_CHECK(!lmm_add_region(&fs.lmm, &fs.low, (void *)fs.base,
					 fs.low_pages << PAGE_SHIFT, FS_LOWF, -1), "low region");
	FZ_CHECK(!lmm_add_region(&fs.lmm, &fs.normal,
				 (void *)(fs.base + (fs.low_pages << PAGE_SHIFT)),
				 (fs.nr_pages - fs.low_pages) << PAGE_SHIFT, 0, 0), "region");
	FZ_CHECK(!lmm_add_free(&fs.lmm, (void *)fs.base, fs.nr_pages << PAGE_SHIFT), "add_free");
	fs.pages = memlab_pages_create("fuzz", &fs.lmm, (void *)fs.base, fs.nr_pages << PAGE_SHIFT,
				       fs.max_order, zones, fs.low_zone ? 2 : 1);
	FZ_CHECK(!IS_ERR(fs.pages), "pages create");
	FZ_CHECK(IS_ERR(memlab_slice_create(NULL, "x", 64, 0, 0, 0, NULL)), "pool without pages");
	fz_trace("setup: max order %u, %lu pages, low %lu", fs.max_order, fs.nr_pages,
		 fs.low_pages);
	n = 1 + fz_below(FS_POOLS);
	for (i = 0; i < n; i++)
		if (fs_pool_create(fs.nr_pools, false))
			fs.nr_pools++;
	if (!fs.nr_pools)
		fs.nr_pools = fs_pool_create(0, true);
}

/* ------------------------------------------------------------------------
 * Checks
 * ------------------------------------------------------------------------
 */

static void fs_stats(unsigned int i, struct memlab_slice_stats *st)
{
	FZ_VCALL(memlab_slice_stats(fs.pools[i].pool, st));
}

static void fs_check_pool(unsigned int i)
{
	static const int stale[] = {
		MEMLAB_SLICE_MISUSE_DOUBLE_FREE, MEMLAB_SLICE_MISUSE_NOT_OBJECT,
		MEMLAB_SLICE_MISUSE_WRONG_POOL, MEMLAB_SLICE_MISUSE_FOREIGN,
	};
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slice_stats st;
	u64 seen = 0, want = fp->misuse_free;
	unsigned int k;

	/*
	 * A link corrupted and not yet found is corruption the validator must
	 * report: check such a pool only once every corrupted link was found.
	 */
	fs_stats(i, &st);
	if (st.misuse[MEMLAB_SLICE_MISUSE_FREELIST] == fp->link_writes)
		FZ_CHECK(!FZ_CALL(memlab_slice_check(fp->pool)), "memlab_slice_check(pool %u)", i);
	else
		FZ_CALL(memlab_slice_shrink(fp->pool));		/* drains the magazines */
	fs_stats(i, &st);
	FZ_CHECK(st.allocs - st.frees == fp->live, "pool %u: %llu allocs - %llu frees, %lu live",
		 i, st.allocs, st.frees, fp->live);
	if (!fp->corrupted)
		FZ_CHECK(st.active_objs == fp->live && !st.cpu_cached,
			 "pool %u: %lu active, %lu cached after a check, model %lu", i,
			 st.active_objs, st.cpu_cached, fp->live);
	FZ_CHECK(st.num_objs == st.num_slabs * fp->objs && st.active_slabs <= st.num_slabs,
		 "pool %u: %lu objects in %lu slabs", i, st.num_objs, st.num_slabs);
	for (k = 0; k < ARRAY_SIZE(stale); k++) {
		FZ_CHECK(st.misuse[stale[k]] >= fp->misuse[stale[k]],
			 "pool %u: misuse %s %llu, model at least %llu", i,
			 memlab_slice_misuse_name(stale[k]), st.misuse[stale[k]],
			 fp->misuse[stale[k]]);
		seen += st.misuse[stale[k]];
		want += fp->misuse[stale[k]];
	}
	FZ_CHECK(seen == want, "pool %u: %llu stale-pointer misuses counted, model %llu", i,
		 seen, want);
	FZ_CHECK(st.misuse[MEMLAB_SLICE_MISUSE_OVERFLOW] ==
		 fp->misuse[MEMLAB_SLICE_MISUSE_OVERFLOW],
		 "pool %u: %llu overflows reported, model %llu", i,
		 st.misuse[MEMLAB_SLICE_MISUSE_OVERFLOW], fp->misuse[MEMLAB_SLICE_MISUSE_OVERFLOW]);
	FZ_CHECK(st.misuse[MEMLAB_SLICE_MISUSE_USE_AFTER_FREE] <= fp->uaf_writes,
		 "pool %u: %llu use-after-free reports, %llu writes", i,
		 st.misuse[MEMLAB_SLICE_MISUSE_USE_AFTER_FREE], fp->uaf_writes);
	FZ_CHECK(st.misuse[MEMLAB_SLICE_MISUSE_FREELIST] <= fp->link_writes,
		 "pool %u: %llu corrupted links reported, %llu written", i,
		 st.misuse[MEMLAB_SLICE_MISUSE_FREELIST], fp->link_writes);
}

static void fs_count_fn(struct memlab_slice_pool *pool, void *arg)
{
	unsigned int i, *n = arg;

	for (i = 0; i < fs.nr_pools; i++)
		if (fs.pools[i].pool == pool)
			(*n)++;
}

static void fs_check_all(void)
{
	unsigned int i, n = 0;
	int bad;

	fz_arm_preempt(0);		/* validators are for quiescent pools */
	for (i = 0; i < fs.nr_pools; i++)
		fs_check_pool(i);
	bad = FZ_CALL(memlab_pages_check(fs.pages));
	FZ_CHECK(!bad, "memlab_pages_check: %d", bad);
	FZ_CHECK(!FZ_CALL(lmm_check(&fs.lmm)), "lmm_check");
	FZ_VCALL(memlab_slice_for_each(fs_count_fn, &n));
	FZ_CHECK(n == fs.nr_pools, "for_each saw %u of %u pools", n, fs.nr_pools);
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------
 */

static FZ_NOCOV void fs_add(unsigned int i, char *p, bool debug_stable)
{
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slab_info info;
	struct fs_obj *o;
	bool same_layout;
	long bad;

	FZ_CHECK(fs_find(p) < 0, "pool %u handed out live object 0x%lx twice", i,
		 (unsigned long)((uintptr_t)p - fs.base));
	FZ_CHECK(!((uintptr_t)p % fp->align), "pool %u: object misaligned for %zu", i, fp->align);
	FZ_CHECK(!memlab_slice_describe(fs.pages, p, &info), "object in no live slab");
	/*
	 * An allocation that preempts this pool's set_debug may already get
	 * the new layout and flags (set in one lock hold, with no slab left),
	 * which the model learns only when set_debug returns: judge the
	 * layout, the red zone and the poison only outside that window.
	 */
	if (fs.debug_changing == i + 1)
		debug_stable = false;
	same_layout = !((p - (char *)info.base) % fp->slot) &&
		      info.bytes == PAGE_SIZE << fp->order && info.objs == fp->objs;
	FZ_CHECK(!strcmp(info.pool, fp->name) && p >= (char *)info.base && p < (char *)info.hdr &&
		 (!debug_stable || same_layout) && info.inuse >= 1 && info.inuse <= info.objs,
		 "pool %u: object at offset %ld of a slab of %s, %u/%u in use", i,
		 (long)(p - (char *)info.base), info.pool, info.inuse, info.objs);
	/* an allocation that began before poisoning was turned on is not poisoned */
	if ((fp->debug & MEMLAB_SLICE_POISON) && !fp->ctor && !fp->uaf_writes && debug_stable) {
		char *b = memchr_inv(p + sizeof(long), FS_POISON, fp->size - sizeof(long));

		bad = b ? b - p : -1;
		FZ_CHECK(bad < 0, "pool %u: new object not poisoned at offset %ld", i, bad);
	}
	if ((fp->debug & MEMLAB_SLICE_REDZONE) && debug_stable)
		FZ_CHECK(!memchr_inv(p + fp->size, FS_REDZONE, FS_RZ), "pool %u: red zone", i);
	FZ_CHECK(fs.nr_live < FS_MAX_LIVE, "model full");
	o = &fs.live[fs.nr_live];
	*o = (struct fs_obj){ .p = p, .pool = i, .tag = fz_mix(fs.serial ^ (uintptr_t)p) };
	fs_hash_set(p, ++fs.nr_live);
	fp->live++;
	fz_fill(p, fp->size, o->tag);
	fz_trace("alloc pool %u -> 0x%lx", i, (unsigned long)((uintptr_t)p - fs.base));
}

/*
 * After a failure: no free object in the pool's slabs, and no slab to be
 * had - unless slabs given back during the call were released since.
 */
static void fs_check_failure(unsigned int i, unsigned long gps)
{
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slice_stats st;
	struct memlab_page *page;

	fs_stats(i, &st);
	if (!fp->corrupted)
		FZ_CHECK(st.num_objs == st.active_objs + st.cpu_cached,
			 "pool %u: allocation failed with %lu of %lu objects free in its slabs",
			 i, st.num_objs - st.active_objs - st.cpu_cached, st.num_objs);
	if (gps != shim_rcu_gps)
		return;
	page = memlab_alloc_pages(fs.pages, fp->flags, fp->order);
	FZ_CHECK(!page, "pool %u: allocation failed, but the pages layer has an order-%u block",
		 i, fp->order);
	fz_after("probe");
}

static void fs_op_alloc(void)
{
	unsigned int i = fz_below(fs.nr_pools);
	u64 me = ++fs.serial, epoch = fs.debug_epoch, nested = fz_nested;
	unsigned long gps = shim_rcu_gps;
	char *p;

	if (fz_one_in(32))
		fs.hook_fire = 1;
	p = FZ_CALL(memlab_slice_alloc(fs.pools[i].pool));
	fs.hook_fire = 0;
	if (!p && fs.fired != me && nested != fz_nested && !fs.in_nested) {
		/* a preempting task may have freed what was missing: once more, alone */
		fz_arm_preempt(0);
		p = FZ_CALL(memlab_slice_alloc(fs.pools[i].pool));
	}
	if (p) {
		FZ_CHECK(fs.fired != me, "an injected failure returned an object");
		fs_add(i, p, epoch == fs.debug_epoch);
		return;
	}
	fz_trace("alloc pool %u failed%s", i, fs.fired == me ? " (injected)" : "");
	if (fs.fired != me && !fs.in_nested) {
		fz_arm_preempt(0);
		fs_check_failure(i, gps);
	}
}

static void fs_op_free(void)
{
	struct fs_obj o;
	struct fs_pool *fp;
	size_t bad;
	u64 before = 0;
	int ret;

	if (!fs.nr_live)
		return;
	o = fs.live[fz_below(fs.nr_live)];
	fp = &fs.pools[o.pool];
	FZ_CHECK(fz_verify(o.p, fp->size, o.tag, &bad) || o.overflowed,
		 "pool %u: object 0x%lx overwritten at offset %zu while allocated", o.pool,
		 (unsigned long)((uintptr_t)o.p - fs.base), bad);
	if (o.overflowed) {
		struct memlab_slice_stats st;

		fz_arm_preempt(0);
		fs_stats(o.pool, &st);
		before = st.misuse[MEMLAB_SLICE_MISUSE_OVERFLOW];
	}
	fs_remove(fs_find(o.p));	/* the allocator's from the call on */
	fz_trace("free pool %u 0x%lx", o.pool, (unsigned long)((uintptr_t)o.p - fs.base));
	ret = FZ_CALL(memlab_slice_free(fp->pool, o.p));
	FZ_CHECK(!ret, "pool %u: free of a live object: %d", o.pool, ret);
	if (o.overflowed) {
		struct memlab_slice_stats st;

		fs_stats(o.pool, &st);
		FZ_CHECK(st.misuse[MEMLAB_SLICE_MISUSE_OVERFLOW] == before + 1,
			 "pool %u: an overflow into the red zone not reported at the free", o.pool);
		fp->misuse[MEMLAB_SLICE_MISUSE_OVERFLOW]++;
		FZ_CHECK(!memchr_inv(o.p + fp->size, FS_REDZONE, FS_RZ), "red zone not repaired");
	}
}

static void fs_refused(unsigned int i, int ret, const char *what, int kind, const void *p)
{
	fz_trace("%s on pool %u at 0x%lx: %d", what, i,
		 (unsigned long)((uintptr_t)p - fs.base), ret);
	FZ_CHECK(ret == -EINVAL, "%s on pool %u: %d", what, i, ret);
	if (kind < 0)
		fs.pools[i].misuse_free++;
	else
		fs.pools[i].misuse[kind]++;
}

static void fs_op_misuse(void)
{
	unsigned int i = fz_below(fs.nr_pools), j;
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slab_info info;
	struct fs_obj *o = fs.nr_live ? &fs.live[fz_below(fs.nr_live)] : NULL;
	char stack[64], *p;
	int k;

	switch (fz_below(7)) {
	case 0:		/* a freed object not reused since */
		if (!fp->nr_freed)
			return;
		p = fp->freed[fz_below(min_t(unsigned int, fp->nr_freed, ARRAY_SIZE(fp->freed)))];
		k = fs_find(p);
		if (k >= 0)
			return;		/* handed out again */
		fs_refused(i, FZ_CALL(memlab_slice_free(fp->pool, p)), "double free", -1, p);
		return;
	case 1:		/* inside a live object */
		if (!o || fs.pools[o->pool].size == 1)
			return;
		i = o->pool;
		p = o->p + 1 + fz_below(fs.pools[i].slot - 1);
		fs_refused(i, FZ_CALL(memlab_slice_free(fs.pools[i].pool, p)), "interior free",
			   MEMLAB_SLICE_MISUSE_NOT_OBJECT, p);
		return;
	case 2:		/* an object of another pool */
		if (!o || fs.nr_pools < 2)
			return;
		j = (o->pool + 1 + fz_below(fs.nr_pools - 1)) % fs.nr_pools;
		fs_refused(j, FZ_CALL(memlab_slice_free(fs.pools[j].pool, o->p)), "wrong-pool free",
			   MEMLAB_SLICE_MISUSE_WRONG_POOL, o->p);
		return;
	case 3:		/* not memlab's at all, or of a pool torn down */
		p = fz_one_in(2) ? stack : (char *)&fs;
		if (fs.nr_stale && fz_one_in(2))
			p = fs.stale[fz_below(fs.nr_stale)];
		fs_refused(i, FZ_CALL(memlab_slice_free(fp->pool, p)), "foreign free",
			   MEMLAB_SLICE_MISUSE_FOREIGN, p);
		return;
	case 4:		/* a slab's header */
		if (!o)
			return;
		FZ_CHECK(!memlab_slice_describe(fs.pages, o->p, &info), "describe");
		i = o->pool;
		p = (char *)info.hdr + fz_below((char *)info.base + info.bytes - (char *)info.hdr);
		fs_refused(i, FZ_CALL(memlab_slice_free(fs.pools[i].pool, p)), "header free",
			   MEMLAB_SLICE_MISUSE_FOREIGN, p);
		return;
	default:	/* anywhere in the arena: freed only if it is a live object of the pool */
		p = (char *)fs.base + fz_below(fs.nr_pages << PAGE_SHIFT);
		if (fz_one_in(2) && o)
			p = o->p;
		k = fs_find(p);
		if (k >= 0 && fs.live[k].pool == i) {
			struct fs_obj c = fs.live[k];
			size_t bad;

			if (c.overflowed)
				return;
			FZ_CHECK(fz_verify(c.p, fp->size, c.tag, &bad), "object overwritten");
			fs_remove(k);
			FZ_CHECK(!FZ_CALL(memlab_slice_free(fp->pool, p)), "free of a live object");
			return;
		}
		fs_refused(i, FZ_CALL(memlab_slice_free(fp->pool, p)), "free of an arena address",
			   k >= 0 ? MEMLAB_SLICE_MISUSE_WRONG_POOL : -1, p);
		return;
	}
}

/* Writes a buggy caller makes: past the object, after the free, on the link. */
static void fs_op_write(void)
{
	unsigned int i = fz_below(fs.nr_pools), n;
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slab_info info;
	struct fs_obj *o;
	char *p;

	switch (fz_below(3)) {
	case 0:		/* overflow into the red zone */
		if (!fs.nr_live)
			return;
		o = &fs.live[fz_below(fs.nr_live)];
		fp = &fs.pools[o->pool];
		if (!(fp->debug & MEMLAB_SLICE_REDZONE) || o->overflowed)
			return;
		o->p[fp->size + fz_below(FS_RZ)] ^= 1 + fz_below(255);
		o->overflowed = true;
		fz_trace("overflow past 0x%lx", (unsigned long)((uintptr_t)o->p - fs.base));
		return;
	default:	/* into a freed object whose slab lives: its body or its link */
		n = min_t(unsigned int, fp->nr_freed, ARRAY_SIZE(fp->freed));
		if (!n)
			return;
		p = fp->freed[fz_below(n)];
		if (fs_find(p) >= 0 || memlab_slice_describe(fs.pages, p, &info) ||
		    strcmp(info.pool, fp->name) || (p - (char *)info.base) % fp->slot)
			return;
		if (fz_one_in(2)) {
			if (fp->size <= sizeof(long) || fz_skip("uaf"))
				return;
			p[sizeof(long) + fz_below(fp->size - sizeof(long))] ^= 1 + fz_below(255);
			fp->uaf_writes++;
			fz_trace("write after free into 0x%lx",
				 (unsigned long)((uintptr_t)p - fs.base));
			return;
		}
		if (fz_skip("corrupt"))
			return;
		*(unsigned long *)p ^= (unsigned long)fz_u64() | 1;
		fp->link_writes++;
		fp->corrupted = true;
		fz_trace("free-list link of 0x%lx corrupted",
			 (unsigned long)((uintptr_t)p - fs.base));
		return;
	}
}

/* Unload with objects live: counted, refused afterwards, the pool's memory freed. */
static void fs_pool_teardown(unsigned int i)
{
	struct fs_pool *fp = &fs.pools[i];
	unsigned long n;
	unsigned int k;

	fz_arm_preempt(0);
	n = FZ_CALL(memlab_slice_teardown(fp->pool));
	FZ_CHECK(n == fp->live, "teardown of pool %u counted %lu live, model %lu", i, n,
		 fp->live);
	fz_trace("pool %u torn down with %lu objects", i, n);
	fs.torn |= n;
	for (k = 0; k < fs.nr_live; ) {
		if (fs.live[k].pool != i) {
			k++;
			continue;
		}
		if (fs.nr_stale < ARRAY_SIZE(fs.stale))
			fs.stale[fs.nr_stale++] = fs.live[k].p;
		fs_remove(k);
	}
	fs.pools[i] = fs.pools[--fs.nr_pools];
	for (k = 0; k < fs.nr_live; k++)
		if (fs.live[k].pool == fs.nr_pools)
			fs.live[k].pool = i;
}

static void fs_op_knob(void)
{
	unsigned int i = fz_below(fs.nr_pools), debug;
	struct fs_pool *fp = &fs.pools[i];
	struct memlab_slice_stats st;
	unsigned long long nested;
	int can, ret;

	switch (fz_below(5)) {
	case 0:
		debug = fz_below(4);
		if (fz_one_in(8))
			debug |= 4;
		fz_arm_preempt(0);
		fs_stats(i, &st);
		can = FZ_CALL(memlab_slice_can_set_debug(fp->pool, debug));
		if (!fz_skip("debug-race"))
			fz_arm_preempt(1 + fz_below(4));
		fs.debug_changing = i + 1;
		nested = fz_nested;
		ret = FZ_CALL(memlab_slice_set_debug(fp->pool, debug));
		fs.debug_changing = 0;
		fz_trace("pool %u: set_debug %u -> %d (can: %d)", i, debug, ret, can);
		if (debug & 4) {
			FZ_CHECK(ret == -EINVAL && can == -EINVAL, "unknown debug flag: %d", ret);
			return;
		}
		if ((debug ^ fp->debug) & MEMLAB_SLICE_REDZONE && st.num_slabs)
			FZ_CHECK(can == -EBUSY,
				 "red zone change with %lu slabs: can_set_debug said %d",
				 st.num_slabs, can);
		/* Both give the same answer: they test in the same order. */
		if (fz_skip("debug-race") && !fs.in_nested)
			FZ_CHECK(ret == can, "set_debug %u: %d, can_set_debug said %d",
				 debug, ret, can);
		else	/* slabs may come and go while it runs */
			FZ_CHECK(!ret == !can || (ret == -EBUSY && !can) || (!ret && can == -EBUSY),
				 "set_debug %u: %d, can_set_debug said %d", debug, ret, can);
		if (!ret) {
			/*
			 * Its flags took effect in one lock hold, not at its
			 * return: a set_debug that preempted it after that hold
			 * has the last word.  Alone, it must have had it.
			 */
			fs_stats(i, &st);
			FZ_CHECK(nested != fz_nested || st.debug == debug,
				 "set_debug %u returned 0, the pool has %u", debug, st.debug);
			debug = st.debug;
			if ((debug ^ fp->debug) & MEMLAB_SLICE_REDZONE) {
				fp->nr_freed = 0;	/* new slots: old addresses mean nothing */
				fp->slot = st.slot_size;
				fp->order = memlab_slice_order_for(fp->size, fp->align, debug,
								   fs.max_order, &fp->objs);
			}
			fp->debug = debug;
			fs.debug_epoch++;
		}
		return;
	case 1:
		fz_trace("pool %u: shrink: %lu slabs", i, FZ_CALL(memlab_slice_shrink(fp->pool)));
		return;
	case 2:		/* destroy refuses while objects live, and changes nothing */
		if (!fp->live || fs.in_nested)
			return;
		fz_arm_preempt(0);
		if (fz_one_in(8) && fs.nr_pools > 1) {
			fs_pool_teardown(i);
			return;
		}
		FZ_CHECK(FZ_CALL(memlab_slice_destroy(fp->pool)) == -EBUSY,
			 "destroy of pool %u with %lu objects", i, fp->live);
		return;
	case 3:		/* a pool with nothing live goes, and another comes */
		fz_arm_preempt(0);
		if (fp->live || fs.in_nested)
			return;
		FZ_CHECK(!FZ_CALL(memlab_slice_destroy(fp->pool)), "destroy of empty pool %u", i);
		if (!fs_pool_create(i, false)) {
			unsigned int k;

			fs.pools[i] = fs.pools[--fs.nr_pools];
			for (k = 0; k < fs.nr_live; k++)
				if (fs.live[k].pool == fs.nr_pools)
					fs.live[k].pool = i;
			if (!fs.nr_pools)
				fs.nr_pools = fs_pool_create(0, true);
		}
		return;
	default:	/* another user of the pages layer */
		fz_arm_preempt(0);
		if (fs.nr_direct && fz_one_in(2)) {
			FZ_CHECK(!memlab_put_pages(fs.pages, fs.direct[--fs.nr_direct]),
				 "put_pages");
		} else if (fs.nr_direct < ARRAY_SIZE(fs.direct)) {
			void *p = memlab_get_pages(fs.pages, 0, fz_below(fs.max_order + 1));

			if (p)
				fs.direct[fs.nr_direct++] = p;
		}
		fz_after("pages");
		return;
	}
}

static void fs_nested(void)
{
	u64 fired = fs.fired;	/* the interrupted allocation's own record */

	fs.in_nested = true;
	switch (fz_below(3)) {
	case 0:
		fs_op_alloc();
		break;
	case 1:
		fs_op_free();
		break;
	default:
		if (fz_one_in(4) && !fz_skip("debug-race"))
			fs_op_knob();
		else
			fs_op_alloc();
		break;
	}
	fs.in_nested = false;
	fs.fired = fired;
}

static void fs_teardown(void)
{
	struct memlab_pages_stats st;
	unsigned long held = 0, n;
	unsigned int i;

	fz_arm_preempt(0);
	if (fs.nr_live && fz_one_in(4)) {	/* unload with objects live */
		while (fs.nr_pools)
			fs_pool_teardown(fs.nr_pools - 1);
		memlab_pages_stats(fs.pages, &st);
		for (i = 0; i < st.nr_zones; i++)
			held += (st.zone[i].blocks_held << st.max_order) - st.zone[i].pages_free;
		FZ_CHECK(FZ_CALL(memlab_pages_destroy(fs.pages)) == -EBUSY,
			 "pages destroy with slabs of torn-down pools");
		n = FZ_CALL(memlab_pages_teardown(fs.pages));
		FZ_CHECK(n == held && n, "pages teardown counted %lu, %lu allocated", n, held);
		lmm_destroy(&fs.lmm);
		return;
	}
	while (fs.nr_live) {
		struct fs_obj o = fs.live[fs.nr_live - 1];
		size_t bad;

		FZ_CHECK(fz_verify(o.p, fs.pools[o.pool].size, o.tag, &bad) || o.overflowed,
			 "object overwritten at offset %zu", bad);
		fs_remove(fs.nr_live - 1);
		FZ_CHECK(!FZ_CALL(memlab_slice_free(fs.pools[o.pool].pool, o.p)), "final free");
		if (o.overflowed)
			fs.pools[o.pool].misuse[MEMLAB_SLICE_MISUSE_OVERFLOW]++;
	}
	while (fs.nr_direct)
		FZ_CHECK(!memlab_put_pages(fs.pages, fs.direct[--fs.nr_direct]), "final put_pages");
	fs_check_all();
	for (i = 0; i < fs.nr_pools; i++)
		FZ_CHECK(!FZ_CALL(memlab_slice_destroy(fs.pools[i].pool)), "destroy of pool %u", i);
	FZ_CHECK(!FZ_CALL(memlab_pages_check(fs.pages)), "pages check at the end");
	if (fs.torn) {		/* the slabs of torn-down pools stay allocated */
		FZ_CHECK(FZ_CALL(memlab_pages_teardown(fs.pages)), "pages teardown");
		lmm_destroy(&fs.lmm);
		return;
	}
	FZ_CHECK(!FZ_CALL(memlab_pages_destroy(fs.pages)), "pages destroy");
	FZ_CHECK(lmm_avail(&fs.lmm, 0) == fs.nr_pages << PAGE_SHIFT, "the LMM got it all back");
	lmm_destroy(&fs.lmm);
}

const char *fz_name = "slice";

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	if (!fs.arena) {
		fs.arena = mmap(NULL, FS_ARENA, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fs.arena == MAP_FAILED)
			abort();
	}
	if (!fs_inited) {
		FZ_CHECK(!memlab_pages_init() && !memlab_slice_init(), "init");
		fs_inited = true;
	}
	fz_begin(data, size);
	fz_nested_op = fs_nested;
	fs_setup();
	while (fz_more()) {
		unsigned int op = fz_u8();

		fz_op_index++;
		if (!fz_skip("preempt") && op & 0x80)
			fz_arm_preempt(1 + fz_below(4));
		switch ((op & 0x7f) % 16) {
		case 0 ... 6:
			fs_op_alloc();
			break;
		case 7 ... 10:
			fs_op_free();
			break;
		case 11:
			fz_arm_preempt(0);
			fs_op_misuse();
			break;
		case 12:
			fz_arm_preempt(0);
			fs_op_write();
			break;
		case 13:
			fs_op_knob();
			break;
		case 14:
			fz_arm_preempt(0);
			fz_cpu_op();
			break;
		default:
			fs_check_all();
			break;
		}
		fz_arm_preempt(0);
		if (!(fz_op_index % 64))
			fs_check_all();
	}
	fs_teardown();
	fz_end();
	return 0;
}
