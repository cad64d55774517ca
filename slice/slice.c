// SPDX-License-Identifier: GPL-2.0
/*
 * slice: slab pools of equal-size objects over a pages instance.
 *
 * A slab is one block of 2^order pages from the pages layer:
 *
 *   base                                                   base + 2^order pages
 *   | obj 0 | obj 1 | ... | obj n-1 | waste |struct slice_slab + free map|
 *     slot    slot          slot              header: list, pool, freelist,
 *   (object [+ red zone], aligned)            inuse, one bit per object
 *
 * Objects start at the slab's first byte, so power-of-two sizes up to a page
 * are naturally aligned.  Every page descriptor of the slab points at the
 * header (memlab_page_set_owner()), so free finds the slab from any object
 * in O(1).  A free object's first word links the slab's free list; the link
 * is stored XORed with a per-pool secret and its own address, and checked
 * when followed.  The free map has a bit per object, set while the object
 * is free (on the free list or in a magazine): a free of an object whose
 * bit is already set is a double free, exactly.
 *
 * Slabs sit on three lists by fullness (full, partial, empty); allocation
 * prefers partial slabs, a slab whose last object comes back goes to the
 * empty list, and shrink gives empty slabs back to the pages layer.
 *
 * Per-CPU magazines (Bonwick) hold up to SLICE_MAG free objects each; alloc
 * and free touch only the local magazine and the object's free-map bit,
 * and exchange half a magazine with the slabs when it runs empty or full.
 * Pools in debug mode bypass magazines, so every free and alloc is checked.
 *
 * Locking:
 *	slice_pools_lock (mutex: the list of pools, for debugfs)
 *	slice_cpu.lock (per CPU and pool, irqs off)
 *	  memlab_slice_pool.lock (slab lists, free lists, counters)
 *	    the pages instance's locks
 * Free-map bits change with atomic bitops, without the pool lock.
 */

#define pr_fmt(fmt) "memlab: " fmt

#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "common/misuse.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "slice/slice_internal.h"

#define SLICE_POISON_FREE	0x6b	/* fills a free object, as SLUB's POISON_FREE */
#define SLICE_REDZONE_BYTE	0xbb	/* fills a red zone, as SLUB's SLUB_RED_ACTIVE */
#define SLICE_REDZONE		16	/* red-zone bytes after an object */
#define SLICE_MAX_EMPTY		2	/* empty slabs kept before giving back */

static LIST_HEAD(slice_pools);
static DEFINE_MUTEX(slice_pools_lock);

static const char * const slice_misuse_names[] = {
	[MEMLAB_SLICE_MISUSE_DOUBLE_FREE]	= "double free",
	[MEMLAB_SLICE_MISUSE_NOT_OBJECT]	= "pointer not at an object boundary",
	[MEMLAB_SLICE_MISUSE_WRONG_POOL]	= "object of another pool",
	[MEMLAB_SLICE_MISUSE_FOREIGN]		= "pointer not from memlab's slabs",
	[MEMLAB_SLICE_MISUSE_USE_AFTER_FREE]	= "free object written (use after free)",
	[MEMLAB_SLICE_MISUSE_OVERFLOW]		= "red zone overwritten (overflow)",
	[MEMLAB_SLICE_MISUSE_FREELIST]		= "free-list pointer corrupted",
};

static_assert(ARRAY_SIZE(slice_misuse_names) == MEMLAB_SLICE_NR_MISUSE);

/* ------------------------------------------------------------------------
 * Geometry
 * ------------------------------------------------------------------------
 */

static size_t slice_hdr_size(unsigned int objs)
{
	return ALIGN(sizeof(struct slice_slab) + BITS_TO_LONGS(objs) * sizeof(long),
		     sizeof(long));
}

static size_t slice_slot_size(size_t size, size_t align, unsigned int debug)
{
	return ALIGN(size + (debug & MEMLAB_SLICE_REDZONE ? SLICE_REDZONE : 0), align);
}

/* Objects of @slot bytes that fit in @bytes along with the header. */
static unsigned int slice_fit(size_t bytes, size_t slot)
{
	unsigned int n = bytes / slot;

	while (n && n * slot + slice_hdr_size(n) > bytes)
		n--;
	return n;
}

/**
 * memlab_slice_order_for() - the slab order a pool of this geometry uses
 * @size: object size.
 * @align: object alignment (a power of two).
 * @debug: MEMLAB_SLICE_* flags (a red zone makes slots larger).
 * @max_order: the largest order allowed.
 * @objs: set to the objects per slab at that order.
 *
 * The smallest order whose slab wastes at most 1/8 of itself - counting
 * every byte outside the objects' slots - and holds at least one object.
 *
 * Return: the order, or UINT_MAX if no order up to @max_order qualifies.
 */
unsigned int memlab_slice_order_for(size_t size, size_t align, unsigned int debug,
				    unsigned int max_order, unsigned int *objs)
{
	size_t slot = slice_slot_size(size, align, debug);
	unsigned int o, n;

	for (o = 0; o <= max_order; o++) {
		size_t bytes = PAGE_SIZE << o;

		n = slice_fit(bytes, slot);
		if (n && bytes - n * slot <= bytes / 8) {
			*objs = n;
			return o;
		}
	}
	return UINT_MAX;
}
EXPORT_SYMBOL_GPL(memlab_slice_order_for);

static inline void *slice_obj(const struct memlab_slice_pool *pool,
			      const struct slice_slab *slab, unsigned int idx)
{
	return slab->base + (size_t)idx * pool->slot;
}

/* Free-list links, hardened the way SLAB_FREELIST_HARDENED does. */
static inline void *slice_link_get(const struct memlab_slice_pool *pool, void *obj)
{
	return (void *)(*(unsigned long *)obj ^ pool->random ^ (unsigned long)obj);
}

static inline void slice_link_set(const struct memlab_slice_pool *pool, void *obj, void *next)
{
	*(unsigned long *)obj = (unsigned long)next ^ pool->random ^ (unsigned long)obj;
}

/* ------------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------------
 */

/*
 * Count a caller error and warn about the first of each kind per pool,
 * naming pool, object and offset; a KUnit case that provokes it on purpose
 * holds "slice_misuse" and is counted instead.
 * Context: caller holds pool->lock.
 */
static void slice_misuse_locked(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
				const void *obj, long offset)
{
	lockdep_assert_held(&pool->lock);
	pool->st.misuse[kind]++;
	if (memlab_misuse_expected("slice_misuse") || (pool->warned & (1UL << kind)))
		return;
	pool->warned |= 1UL << kind;
	pr_warn("slice %s: %s: object 0x%lx offset %ld (further ones counted, not shown)\n",
		pool->name, slice_misuse_names[kind], (unsigned long)obj, offset);
}

/**
 * slice_misuse() - count a caller error and warn about the first of its kind
 * @pool: the pool the error was made on.
 * @kind: what was wrong.
 * @obj: the object or pointer concerned.
 * @offset: the offset in @obj the message names (a bad byte), or 0.
 *
 * slice_misuse_locked() for callers that do not hold @pool's lock; shared
 * with generic.c.
 *
 * Context: any context; takes @pool's lock, so the caller must not hold it.
 */
void slice_misuse(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
		  const void *obj, long offset)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	slice_misuse_locked(pool, kind, obj, offset);
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* ------------------------------------------------------------------------
 * Finding an object's slab
 * ------------------------------------------------------------------------
 */

/**
 * slice_lookup() - the live slab that contains @ptr, in O(1)
 * @pages: the pages instance the slab would come from.
 * @ptr: any pointer.
 *
 * Follows the page descriptor's owner tag to a slab header and believes it
 * only if the header's block is an allocated block tagged with that same
 * header and @ptr lies among its objects - so a stale or foreign tag is
 * never dereferenced beyond memory of the instance.
 *
 * Return: the slab, or NULL.
 */
struct slice_slab *slice_lookup(struct memlab_pages *pages, const void *ptr)
{
	struct slice_slab *slab = memlab_pages_owner_at(pages, ptr);

	if (!slab || ((unsigned long)slab & (sizeof(long) - 1)) ||
	    !memlab_pages_contains(pages, slab, sizeof(*slab)))
		return NULL;
	if (READ_ONCE(slab->magic) != SLICE_MAGIC)
		return NULL;
	if (memlab_pages_block_owner(pages, slab->base) != slab)
		return NULL;
	if ((const char *)ptr < slab->base || (const char *)ptr >= (const char *)slab)
		return NULL;
	return slab;
}

/* Index of @obj in @slab, or -1 if it is not on an object boundary. */
static long slice_index(const struct memlab_slice_pool *pool, const struct slice_slab *slab,
			const void *obj)
{
	u32 off = (const char *)obj - slab->base;
	u32 idx = reciprocal_divide(off, pool->recip);

	if (idx >= pool->objs || idx * pool->slot != off)
		return -1;
	return idx;
}

/* ------------------------------------------------------------------------
 * Debug checks
 * ------------------------------------------------------------------------
 */

/* First offset in [from, to) of @obj not equal to @byte, or -1. */
static long slice_find_bad(const u8 *obj, size_t from, size_t to, u8 byte)
{
	size_t i;

	for (i = from; i < to; i++)
		if (obj[i] != byte)
			return i;
	return -1;
}

static void slice_debug_check(struct memlab_slice_pool *pool, void *obj, bool free_obj)
{
	long bad;

	if (pool->debug & MEMLAB_SLICE_REDZONE) {
		bad = slice_find_bad(obj, pool->size, pool->size + SLICE_REDZONE,
				     SLICE_REDZONE_BYTE);
		if (bad >= 0) {
			slice_misuse(pool, MEMLAB_SLICE_MISUSE_OVERFLOW, obj, bad);
			memset(obj + pool->size, SLICE_REDZONE_BYTE, SLICE_REDZONE);
		}
	}
	if (free_obj && (pool->debug & MEMLAB_SLICE_POISON) && !pool->ctor) {
		bad = slice_find_bad(obj, sizeof(long), pool->size, SLICE_POISON_FREE);
		if (bad >= 0)
			slice_misuse(pool, MEMLAB_SLICE_MISUSE_USE_AFTER_FREE, obj, bad);
	}
}

static void slice_debug_poison(struct memlab_slice_pool *pool, void *obj)
{
	if ((pool->debug & MEMLAB_SLICE_POISON) && !pool->ctor)
		memset(obj + sizeof(long), SLICE_POISON_FREE, pool->size - sizeof(long));
}

/* ------------------------------------------------------------------------
 * Slabs.  Context: caller holds pool->lock.
 * ------------------------------------------------------------------------
 */

static struct slice_slab *slice_new_slab(struct memlab_slice_pool *pool)
{
	struct memlab_page *head = memlab_alloc_pages(pool->pages, pool->flags, pool->order);
	struct slice_slab *slab;
	unsigned int i;
	char *base;

	lockdep_assert_held(&pool->lock);
	if (!head)
		return NULL;
	base = memlab_page_to_addr(pool->pages, head);
	slab = (struct slice_slab *)(base + pool->hdr_off);
	memset(slab, 0, slice_hdr_size(pool->objs));
	slab->magic = SLICE_MAGIC;
	slab->pool = pool;
	slab->base = base;
	for (i = 0; i < 1U << pool->order; i++)
		memlab_page_set_owner(memlab_addr_to_page(pool->pages, base + i * PAGE_SIZE), slab);
	/* Thread the free list from the last object down, so it pops in address order. */
	for (i = pool->objs; i--; ) {
		void *obj = slice_obj(pool, slab, i);

		if (pool->ctor)
			pool->ctor(obj);
		if (pool->debug & MEMLAB_SLICE_REDZONE)
			memset(obj + pool->size, SLICE_REDZONE_BYTE, SLICE_REDZONE);
		slice_debug_poison(pool, obj);
		slice_link_set(pool, obj, slab->freelist);
		slab->freelist = obj;
	}
	bitmap_fill(slab->map, pool->objs);
	slab->which = SLICE_EMPTY;
	list_add(&slab->list, &pool->empty);
	pool->nr_slabs++;
	pool->nr_empty++;
	return slab;
}

static void slice_free_slab(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	struct memlab_page *head = memlab_addr_to_page(pool->pages, slab->base);
	unsigned int i;

	lockdep_assert_held(&pool->lock);
	list_del(&slab->list);
	pool->nr_empty -= slab->which == SLICE_EMPTY;
	slab->magic = 0;
	for (i = 0; i < 1U << pool->order; i++)
		memlab_page_set_owner(memlab_addr_to_page(pool->pages, slab->base + i * PAGE_SIZE),
				      NULL);
	pool->nr_slabs--;
	WARN_ON_ONCE(memlab_free_pages(pool->pages, head));
}

/* Move @slab to the list its fill level calls for. */
static enum slice_list slice_list_for(const struct memlab_slice_pool *pool,
				      const struct slice_slab *slab)
{
	if (!slab->inuse)
		return SLICE_EMPTY;
	if (slab->inuse == pool->objs || slab->broken)
		return SLICE_FULL;
	return SLICE_PARTIAL;
}

static void slice_relist(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	struct list_head *lists[] = {
		[SLICE_FULL] = &pool->full,
		[SLICE_PARTIAL] = &pool->partial,
		[SLICE_EMPTY] = &pool->empty,
	};
	enum slice_list to = slice_list_for(pool, slab);

	if (to == slab->which)
		return;
	pool->nr_empty += (to == SLICE_EMPTY) - (slab->which == SLICE_EMPTY);
	slab->which = to;
	list_move(&slab->list, lists[to]);
}

/* Take one object off a slab's free list (the caller clears its map bit). */
static void *slice_pop(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	void *obj = slab->freelist, *next;

	lockdep_assert_held(&pool->lock);
	next = slice_link_get(pool, obj);
	if (next && (slice_lookup(pool->pages, next) != slab ||
		     slice_index(pool, slab, next) < 0 ||
		     !test_bit(slice_index(pool, slab, next), slab->map))) {
		/* A write after free hit the link: stop trusting this slab's list. */
		slice_misuse_locked(pool, MEMLAB_SLICE_MISUSE_FREELIST, obj, 0);
		slab->lost = pool->objs - slab->inuse - 1;
		slab->inuse = pool->objs - 1;
		slab->broken = true;
		next = NULL;
	}
	slab->freelist = next;
	slab->inuse++;
	return obj;
}

/* Put a free object (map bit already set) back on its slab's free list. */
static void slice_push(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj)
{
	lockdep_assert_held(&pool->lock);
	slice_link_set(pool, obj, slab->freelist);
	slab->freelist = obj;
	slab->inuse--;
	if (unlikely(slab->broken)) {
		/* only the lost objects remain: nobody can reach the slab any more */
		if (slab->inuse == slab->lost)
			slice_free_slab(pool, slab);
		return;
	}
	slice_relist(pool, slab);
	if (!slab->inuse && pool->nr_empty > SLICE_MAX_EMPTY)
		slice_free_slab(pool, slab);
}

/* A slab with a free object: partial first, then empty, then a new one. */
static struct slice_slab *slice_get_slab(struct memlab_slice_pool *pool)
{
	struct slice_slab *slab;

	list_for_each_entry(slab, &pool->partial, list)
		if (slab->freelist)
			return slab;
	list_for_each_entry(slab, &pool->empty, list)
		if (slab->freelist)
			return slab;
	return slice_new_slab(pool);
}

/* ------------------------------------------------------------------------
 * Magazines
 * ------------------------------------------------------------------------
 */

/* Give up to @nr magazine entries back to their slabs. */
static void slice_mag_flush(struct memlab_slice_pool *pool, struct slice_cpu *c, unsigned int nr)
{
	lockdep_assert_held(&c->lock);
	spin_lock(&pool->lock);
	while (nr-- && c->count) {
		struct slice_mag_entry *e = &c->mag[--c->count];

		/* poisoning may have been turned on while it sat in the magazine */
		slice_debug_poison(pool, e->obj);
		slice_push(pool, e->slab, e->obj);
	}
	spin_unlock(&pool->lock);
}

static void slice_drain_all(struct memlab_slice_pool *pool)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct slice_cpu *c = per_cpu_ptr(pool->cpu, cpu);
		unsigned long flags;

		spin_lock_irqsave(&c->lock, flags);
		slice_mag_flush(pool, c, SLICE_MAG);
		spin_unlock_irqrestore(&c->lock, flags);
	}
}

/* Fill half a magazine from the slabs. */
static void slice_mag_refill(struct memlab_slice_pool *pool, struct slice_cpu *c)
{
	lockdep_assert_held(&c->lock);
	spin_lock(&pool->lock);
	while (c->count < SLICE_MAG / 2) {
		struct slice_slab *slab = slice_get_slab(pool);
		struct slice_mag_entry *e;

		if (!slab)
			break;
		e = &c->mag[c->count++];
		e->obj = slice_pop(pool, slab);
		e->slab = slab;
		e->idx = slice_index(pool, slab, e->obj);
		slice_relist(pool, slab);
	}
	spin_unlock(&pool->lock);
}

/* ------------------------------------------------------------------------
 * Public interface
 * ------------------------------------------------------------------------
 */

/**
 * memlab_slice_create() - create a pool of equal-size objects
 * @pages: the pages instance slabs come from.
 * @name: for messages and statistics; must outlive the pool.
 * @size: object size, MEMLAB_SLICE_MIN_SIZE to MEMLAB_SLICE_MAX_SIZE.
 * @align: object alignment, a power of two up to PAGE_SIZE, or 0 for the
 *	natural one (a power-of-two @size up to a page aligns to itself, any
 *	other size to sizeof(long)).
 * @flags: zone flags passed to the pages layer for every slab.
 * @debug: MEMLAB_SLICE_POISON and/or MEMLAB_SLICE_REDZONE.
 * @ctor: called once on every object when its slab is made, with the pool's
 *	spinlock held and interrupts off, so it must not sleep; may be NULL.
 *
 * Context: process context.
 * Return: the pool, or an ERR_PTR: -EINVAL for a size, alignment or debug
 * flag the pool cannot serve (never a panic); -ENOMEM.
 */
struct memlab_slice_pool *memlab_slice_create(struct memlab_pages *pages, const char *name,
					      size_t size, size_t align, lmm_flags_t flags,
					      unsigned int debug, void (*ctor)(void *obj))
{
	struct memlab_slice_pool *pool;
	unsigned int order, objs;
	int cpu;

	if (!pages || size < MEMLAB_SLICE_MIN_SIZE || size > MEMLAB_SLICE_MAX_SIZE ||
	    (align && (!is_power_of_2(align) || align > PAGE_SIZE)) ||
	    (debug & ~(MEMLAB_SLICE_POISON | MEMLAB_SLICE_REDZONE)))
		return ERR_PTR(-EINVAL);
	if (!align)
		align = is_power_of_2(size) && size <= PAGE_SIZE ? size : sizeof(long);
	align = max_t(size_t, align, sizeof(long));
	order = memlab_slice_order_for(size, align, debug, memlab_pages_max_order(pages), &objs);
	if (order == UINT_MAX)
		return ERR_PTR(-EINVAL);

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->cpu = alloc_percpu(struct slice_cpu);
	if (!pool->cpu) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(pool->cpu, cpu)->lock);
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->full);
	INIT_LIST_HEAD(&pool->partial);
	INIT_LIST_HEAD(&pool->empty);
	pool->name = name;
	pool->pages = pages;
	pool->size = size;
	pool->align = align;
	pool->flags = flags;
	pool->ctor = ctor;
	pool->debug = debug;
	pool->slot = slice_slot_size(size, align, debug);
	pool->order = order;
	pool->objs = objs;
	pool->hdr_off = (PAGE_SIZE << order) - slice_hdr_size(objs);
	pool->recip = reciprocal_value(pool->slot);
	pool->random = get_random_long();

	mutex_lock(&slice_pools_lock);
	list_add_tail(&pool->node, &slice_pools);
	mutex_unlock(&slice_pools_lock);
	return pool;
}
EXPORT_SYMBOL_GPL(memlab_slice_create);

/**
 * memlab_slice_alloc() - allocate one object
 * @pool: the pool.
 *
 * Context: any context.
 * Return: the object, or NULL when the pages layer has no memory.
 */
void *memlab_slice_alloc(struct memlab_slice_pool *pool)
{
	struct slice_mag_entry e = { };
	struct slice_cpu *c;
	unsigned long flags;

	if (unlikely(READ_ONCE(pool->fail_hook)) && pool->fail_hook(pool->fail_arg)) {
		spin_lock_irqsave(&pool->lock, flags);
		pool->st.injected++;
		pool->st.failures++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return NULL;
	}
	if (unlikely(pool->debug)) {
		struct slice_slab *slab;

		spin_lock_irqsave(&pool->lock, flags);
		slab = slice_get_slab(pool);
		if (slab) {
			e.obj = slice_pop(pool, slab);
			e.slab = slab;
			slice_relist(pool, slab);
			pool->st.allocs++;
		} else {
			pool->st.failures++;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!e.obj)
			return NULL;
		clear_bit(slice_index(pool, e.slab, e.obj), e.slab->map);
		slice_debug_check(pool, e.obj, true);
		return e.obj;
	}

	local_irq_save(flags);
	c = this_cpu_ptr(pool->cpu);
	spin_lock(&c->lock);
	if (unlikely(!c->count))
		slice_mag_refill(pool, c);
	if (likely(c->count)) {
		e = c->mag[--c->count];
		c->allocs++;
	}
	spin_unlock(&c->lock);
	local_irq_restore(flags);
	if (unlikely(!e.obj)) {
		spin_lock_irqsave(&pool->lock, flags);
		pool->st.failures++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return NULL;
	}
	clear_bit(e.idx, e.slab->map);
	return e.obj;
}
EXPORT_SYMBOL_GPL(memlab_slice_alloc);

/* Free an object already known to be of @slab at @idx. */
static int slice_free_in(struct memlab_slice_pool *pool, struct slice_slab *slab,
			 unsigned int idx, void *obj)
{
	struct slice_cpu *c;
	unsigned long flags;

	if (unlikely(test_and_set_bit(idx, slab->map))) {
		slice_misuse(pool, MEMLAB_SLICE_MISUSE_DOUBLE_FREE, obj, 0);
		return -EINVAL;
	}
	if (unlikely(pool->debug)) {
		slice_debug_check(pool, obj, false);
		slice_debug_poison(pool, obj);
		spin_lock_irqsave(&pool->lock, flags);
		slice_push(pool, slab, obj);
		pool->st.frees++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return 0;
	}

	local_irq_save(flags);
	c = this_cpu_ptr(pool->cpu);
	spin_lock(&c->lock);
	if (unlikely(c->count == SLICE_MAG))
		slice_mag_flush(pool, c, SLICE_MAG / 2);
	c->mag[c->count++] = (struct slice_mag_entry) { .obj = obj, .slab = slab, .idx = idx };
	c->frees++;
	spin_unlock(&c->lock);
	local_irq_restore(flags);
	return 0;
}

/* Which misuse a failed lookup of @obj for @pool means. */
static enum memlab_slice_misuse slice_classify(struct memlab_slice_pool *pool, const void *obj)
{
	struct slice_slab *slab = slice_lookup(pool->pages, obj);

	if (!slab)
		return MEMLAB_SLICE_MISUSE_FOREIGN;
	if (slab->pool != pool)
		return MEMLAB_SLICE_MISUSE_WRONG_POOL;
	return MEMLAB_SLICE_MISUSE_NOT_OBJECT;
}

/**
 * slice_free_checked() - free an object of a slab already looked up
 * @pool: the pool @slab belongs to.
 * @slab: the slab that contains @obj, from slice_lookup().
 * @obj: the pointer to free.
 *
 * The common tail of memlab_slice_free() and memlab_generic_free(): refuses
 * a pointer not at an object boundary, then frees as memlab_slice_free().
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed) for
 * a pointer not at an object boundary or a double free.
 */
int slice_free_checked(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj)
{
	long idx = slice_index(pool, slab, obj);

	if (unlikely(idx < 0)) {
		slice_misuse(pool, MEMLAB_SLICE_MISUSE_NOT_OBJECT, obj,
			     ((char *)obj - slab->base) % pool->slot);
		return -EINVAL;
	}
	return slice_free_in(pool, slab, idx, obj);
}

/**
 * memlab_slice_free() - free one object
 * @pool: the pool it came from.
 * @obj: the object.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed) for
 * a double free, a pointer not at an object boundary, an object of another
 * pool, or a pointer not from memlab.
 */
int memlab_slice_free(struct memlab_slice_pool *pool, void *obj)
{
	struct slice_slab *slab = slice_lookup(pool->pages, obj);

	if (unlikely(!slab || slab->pool != pool)) {
		slice_misuse(pool, slice_classify(pool, obj), obj, 0);
		return -EINVAL;
	}
	return slice_free_checked(pool, slab, obj);
}
EXPORT_SYMBOL_GPL(memlab_slice_free);

/**
 * memlab_slice_shrink() - give empty slabs back to the pages layer
 * @pool: the pool.
 *
 * Empties every per-CPU magazine first.
 *
 * Context: any context.
 * Return: the number of slabs given back.
 */
unsigned long memlab_slice_shrink(struct memlab_slice_pool *pool)
{
	struct slice_slab *slab, *tmp;
	unsigned long flags, n = 0;

	slice_drain_all(pool);
	spin_lock_irqsave(&pool->lock, flags);
	list_for_each_entry_safe(slab, tmp, &pool->empty, list) {
		slice_free_slab(pool, slab);
		n++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(memlab_slice_shrink);

/**
 * memlab_slice_destroy() - destroy a pool whose objects are all free
 * @pool: the pool.
 *
 * Context: process context.
 * Return: 0; -EBUSY if objects are still allocated (their number is
 * printed; the pool stays usable).
 */
int memlab_slice_destroy(struct memlab_slice_pool *pool)
{
	struct memlab_slice_stats st;

	memlab_slice_shrink(pool);
	memlab_slice_stats(pool, &st);
	if (st.active_objs || st.num_slabs) {
		pr_warn("slice %s: destroy refused: %lu objects still allocated\n",
			pool->name, st.active_objs);
		return -EBUSY;
	}
	mutex_lock(&slice_pools_lock);
	list_del(&pool->node);
	mutex_unlock(&slice_pools_lock);
	free_percpu(pool->cpu);
	kfree(pool);
	return 0;
}
EXPORT_SYMBOL_GPL(memlab_slice_destroy);

/**
 * memlab_slice_can_set_debug() - whether memlab_slice_set_debug() would succeed now
 * @pool: the pool.
 * @debug: the flags.
 *
 * Context: any context.
 * Return: 0, -EINVAL or -EBUSY, as memlab_slice_set_debug() would.
 */
int memlab_slice_can_set_debug(struct memlab_slice_pool *pool, unsigned int debug)
{
	unsigned int objs;
	unsigned long flags;
	int ret = 0;

	if (debug & ~(MEMLAB_SLICE_POISON | MEMLAB_SLICE_REDZONE))
		return -EINVAL;
	spin_lock_irqsave(&pool->lock, flags);
	if ((debug ^ pool->debug) & MEMLAB_SLICE_REDZONE) {
		if (memlab_slice_order_for(pool->size, pool->align, debug,
					   memlab_pages_max_order(pool->pages), &objs) == UINT_MAX)
			ret = -EINVAL;
		else if (pool->nr_slabs)
			ret = -EBUSY;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(memlab_slice_can_set_debug);

/**
 * memlab_slice_set_debug() - change a pool's debug checks
 * @pool: the pool.
 * @debug: MEMLAB_SLICE_POISON and/or MEMLAB_SLICE_REDZONE, or 0.
 *
 * Poisoning may change at any time: turning it on poisons every object that
 * is free at that moment.  The red zone changes the slab layout, so it
 * can only change while the pool holds no slabs.
 *
 * Context: any context.
 * Return: 0; -EINVAL for unknown flags; -EBUSY for a red-zone change with
 * slabs held.
 */
int memlab_slice_set_debug(struct memlab_slice_pool *pool, unsigned int debug)
{
	unsigned long flags;
	int ret = 0;

	if (debug & ~(MEMLAB_SLICE_POISON | MEMLAB_SLICE_REDZONE))
		return -EINVAL;
	slice_drain_all(pool);
	spin_lock_irqsave(&pool->lock, flags);
	if ((debug ^ pool->debug) & MEMLAB_SLICE_REDZONE) {
		unsigned int order, objs;

		order = memlab_slice_order_for(pool->size, pool->align, debug,
					       memlab_pages_max_order(pool->pages), &objs);
		if (pool->nr_slabs) {
			ret = -EBUSY;
		} else if (order == UINT_MAX) {
			ret = -EINVAL;
		} else {
			pool->slot = slice_slot_size(pool->size, pool->align, debug);
			pool->order = order;
			pool->objs = objs;
			pool->hdr_off = (PAGE_SIZE << order) - slice_hdr_size(objs);
			pool->recip = reciprocal_value(pool->slot);
		}
	}
	if (!ret && (debug & ~pool->debug & MEMLAB_SLICE_POISON)) {
		/* poison what is free now, so that its next allocation checks clean */
		struct list_head *lists[] = { &pool->partial, &pool->empty };
		struct slice_slab *slab;
		unsigned int i;
		void *obj;

		pool->debug = debug;
		for (i = 0; i < ARRAY_SIZE(lists); i++)
			list_for_each_entry(slab, lists[i], list)
				for (obj = slab->freelist; obj; obj = slice_link_get(pool, obj))
					slice_debug_poison(pool, obj);
	}
	if (!ret)
		pool->debug = debug;
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(memlab_slice_set_debug);

/**
 * memlab_slice_set_fault_hook() - make a pool's allocations fail on purpose
 * @pool: the pool.
 * @hook: asked before every allocation; true makes it fail (counted as a
 *	failure and as injected).  NULL removes it.  Must not sleep.
 * @arg: passed to @hook.
 *
 * Context: process context, while no allocation is in flight.
 */
void memlab_slice_set_fault_hook(struct memlab_slice_pool *pool, bool (*hook)(void *arg),
				 void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	pool->fail_arg = arg;
	WRITE_ONCE(pool->fail_hook, hook);
	spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(memlab_slice_set_fault_hook);

/**
 * memlab_slice_describe() - describe the live slab that holds an address
 * @pages: the pages instance.
 * @addr: any address.
 * @info: filled in.
 *
 * Context: process context; takes the pool registry's mutex and the pool lock.
 * Return: 0, or -ENOENT if @addr is in no live slab.
 */
int memlab_slice_describe(struct memlab_pages *pages, const void *addr,
			  struct memlab_slab_info *info)
{
	struct slice_slab *slab = slice_lookup(pages, addr);
	struct memlab_slice_pool *pool, *p;
	unsigned long flags;
	int ret = -ENOENT;

	if (!slab)
		return -ENOENT;
	/*
	 * Nothing stops the slab from being freed now, so its pool pointer is
	 * only a guess: believe it if it names a live pool (the registry's
	 * mutex keeps that pool alive), then look again under its lock.
	 */
	pool = READ_ONCE(slab->pool);
	mutex_lock(&slice_pools_lock);
	list_for_each_entry(p, &slice_pools, node) {
		if (p != pool)
			continue;
		spin_lock_irqsave(&pool->lock, flags);
		if (slice_lookup(pages, addr) == slab && slab->pool == pool) {
			info->pool = pool->name;
			info->base = slab->base;
			info->bytes = PAGE_SIZE << pool->order;
			info->hdr = slab;
			info->inuse = slab->inuse - slab->lost;
			info->objs = pool->objs;
			ret = 0;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
		break;
	}
	mutex_unlock(&slice_pools_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(memlab_slice_describe);

/**
 * memlab_slice_size() - the object size of a pool
 * @pool: the pool.
 *
 * Return: the size given at creation.
 */
size_t memlab_slice_size(const struct memlab_slice_pool *pool)
{
	return pool->size;
}
EXPORT_SYMBOL_GPL(memlab_slice_size);

/**
 * memlab_slice_misuse_name() - a short description of a misuse kind
 * @kind: the kind.
 *
 * Return: a static string; "?" for an unknown kind.
 */
const char *memlab_slice_misuse_name(enum memlab_slice_misuse kind)
{
	if ((unsigned int)kind >= MEMLAB_SLICE_NR_MISUSE)
		return "?";
	return slice_misuse_names[kind];
}
EXPORT_SYMBOL_GPL(memlab_slice_misuse_name);

/**
 * memlab_slice_stats() - a snapshot of a pool
 * @pool: the pool.
 * @st: filled in.
 *
 * Context: any context.
 */
void memlab_slice_stats(struct memlab_slice_pool *pool, struct memlab_slice_stats *st)
{
	struct slice_slab *slab;
	unsigned long flags, inuse = 0;
	int cpu;

	spin_lock_irqsave(&pool->lock, flags);
	*st = pool->st;
	st->name = pool->name;
	st->object_size = pool->size;
	st->slot_size = pool->slot;
	st->align = pool->align;
	st->objs_per_slab = pool->objs;
	st->pages_per_slab = 1U << pool->order;
	st->waste_per_slab = (PAGE_SIZE << pool->order) - pool->objs * pool->size;
	st->debug = pool->debug;
	st->num_slabs = pool->nr_slabs;
	st->num_objs = pool->nr_slabs * pool->objs;
	st->active_slabs = 0;
	list_for_each_entry(slab, &pool->full, list) {
		inuse += slab->inuse;
		st->active_slabs++;
	}
	list_for_each_entry(slab, &pool->partial, list) {
		inuse += slab->inuse;
		st->active_slabs++;
	}
	st->cpu_cached = 0;
	for_each_possible_cpu(cpu) {
		struct slice_cpu *c = per_cpu_ptr(pool->cpu, cpu);

		st->cpu_cached += READ_ONCE(c->count);
		st->allocs += READ_ONCE(c->allocs);
		st->frees += READ_ONCE(c->frees);
	}
	list_for_each_entry(slab, &pool->full, list)
		inuse -= slab->lost;
	st->active_objs = inuse - min(inuse, st->cpu_cached);
	spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(memlab_slice_stats);

#define SLICE_CHECK(cond, fmt, ...) do {				\
	if (unlikely(!(cond))) {					\
		pr_err("slice %s: check failed: " fmt "\n",		\
		       pool->name, ##__VA_ARGS__);			\
		bad++;							\
	}								\
} while (0)

static int slice_check_slab(struct memlab_slice_pool *pool, struct slice_slab *slab,
			    struct list_head *list, struct list_head **lists)
{
	unsigned int n = 0, mapped = bitmap_weight(slab->map, pool->objs);
	void *obj;
	int bad = 0;

	SLICE_CHECK(slab->magic == SLICE_MAGIC && slab->pool == pool,
		    "slab 0x%lx: bad header", (unsigned long)slab);
	SLICE_CHECK(slice_lookup(pool->pages, slab->base) == slab,
		    "slab 0x%lx: not found from its own base", (unsigned long)slab);
	SLICE_CHECK(list == lists[slice_list_for(pool, slab)] &&
		    slab->which == slice_list_for(pool, slab),
		    "slab 0x%lx: inuse %u on the wrong list", (unsigned long)slab, slab->inuse);
	if (slab->broken)
		return bad;
	for (obj = slab->freelist; obj && n <= pool->objs; obj = slice_link_get(pool, obj)) {
		long idx = slice_index(pool, slab, obj);

		SLICE_CHECK(idx >= 0 && test_bit(idx, slab->map),
			    "slab 0x%lx: free list holds 0x%lx, not a free object",
			    (unsigned long)slab, (unsigned long)obj);
		if (idx < 0)
			break;
		n++;
	}
	SLICE_CHECK(n == pool->objs - slab->inuse, "slab 0x%lx: %u on the free list, inuse %u",
		    (unsigned long)slab, n, slab->inuse);
	/* with magazines drained, free map bits are exactly the free list */
	SLICE_CHECK(mapped == n, "slab 0x%lx: %u free bits, %u on the free list",
		    (unsigned long)slab, mapped, n);
	return bad;
}

/**
 * memlab_slice_check() - re-derive every invariant of a pool
 * @pool: the pool.
 *
 * With the magazines drained: each slab's header is intact and found from
 * its own objects; it sits on the list its use count calls for; its free
 * list holds exactly the objects whose free-map bit is set, each on an
 * object boundary, and their number is objects minus use count; the slab
 * count matches the lists.
 *
 * Context: any context.
 * Return: the number of violations; 0 means healthy.
 */
int memlab_slice_check(struct memlab_slice_pool *pool)
{
	struct list_head *lists[] = {
		[SLICE_FULL] = &pool->full,
		[SLICE_PARTIAL] = &pool->partial,
		[SLICE_EMPTY] = &pool->empty,
	};
	struct slice_slab *slab;
	unsigned long flags, n = 0, empty = 0;
	unsigned int i;
	int bad = 0;

	slice_drain_all(pool);
	spin_lock_irqsave(&pool->lock, flags);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		list_for_each_entry(slab, lists[i], list) {
			bad += slice_check_slab(pool, slab, lists[i], lists);
			n++;
			empty += i == SLICE_EMPTY;
		}
	}
	SLICE_CHECK(n == pool->nr_slabs, "%lu slabs listed, %lu counted", n, pool->nr_slabs);
	SLICE_CHECK(empty == pool->nr_empty, "%lu empty slabs listed, %lu counted", empty,
		    pool->nr_empty);
	spin_unlock_irqrestore(&pool->lock, flags);
	return bad;
}
EXPORT_SYMBOL_GPL(memlab_slice_check);

/**
 * memlab_slice_for_each() - visit every live pool, for reporting
 * @fn: called for each pool, under a mutex: it may sleep, not destroy.
 * @arg: passed to @fn.
 *
 * Context: process context.
 */
void memlab_slice_for_each(void (*fn)(struct memlab_slice_pool *pool, void *arg), void *arg)
{
	struct memlab_slice_pool *pool;

	mutex_lock(&slice_pools_lock);
	list_for_each_entry(pool, &slice_pools, node)
		fn(pool, arg);
	mutex_unlock(&slice_pools_lock);
}
EXPORT_SYMBOL_GPL(memlab_slice_for_each);
