// SPDX-License-Identifier: GPL-2.0
/*
 * The generic allocator: memlab_alloc(size) / memlab_free(ptr) without a
 * size, the "generic allocator" the Koowaldah document left for later.
 *
 * Sizes up to a page are served by slice pools of kmalloc-like size classes
 * (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096); power-of-two
 * classes are aligned to their size (slabs start on a page and objects at
 * multiples of their size), the others to a word.  Larger sizes take
 * 2^order pages straight from the
 * pages layer; the head descriptor's owner tag marks them as the generic
 * allocator's, and the pages layer records the order.  Free finds out which
 * from the page descriptor in O(1), so no size needs to be remembered.
 *
 * Lock order:
 *   1. memlab_generic.lock (per instance; spinlock_t, irq-safe)
 *
 *   memlab_generic.lock
 *
 *   Protects the instance's own counters (@large_allocs, @large_frees,
 *   @refused, @foreign) and @warned, and nothing else: it is never held
 *   across a call into the slice or pages layer, whose locks (slice/slice.c,
 *   pages/pages.c) therefore never nest with it.  The pools and the fault
 *   hook are set at creation and by the setters, while no allocation is in
 *   flight.
 */

#define pr_fmt(fmt) "memlab: " fmt

#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "common/memlab_export.h"
#include "common/memlab_trace.h"
#include "common/misuse.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "slice/slice_internal.h"

static const unsigned int generic_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};

#define GENERIC_NR_CLASSES	ARRAY_SIZE(generic_sizes)
#define GENERIC_MAX_SLICE	4096

/* Class of sizes 1..192 by (size - 1) / 8, as kmalloc's size_index. */
static const u8 generic_small_index[24] = {
	0,			/*   8 */
	1,			/*  16 */
	2, 2,			/*  32 */
	3, 3, 3, 3,		/*  64 */
	4, 4, 4, 4,		/*  96 */
	5, 5, 5, 5,		/* 128 */
	6, 6, 6, 6, 6, 6, 6, 6,	/* 192 */
};

/**
 * struct memlab_generic - a generic allocator instance
 * @pages: where large blocks and every slab come from.
 * @name: prefix of its pools' names.
 * @pools: one slice pool per size class.
 * @names: storage for the pools' names.
 * @large_tag: its address tags the head descriptor of large blocks.
 * @fault: fault injection for large blocks (pools have their own).
 * @lock: protects the counters below.
 * @large_allocs: large blocks allocated.
 * @large_frees: large blocks freed.
 * @refused: zero or impossible sizes asked for.
 * @foreign: frees of pointers that are none of its objects.
 * @warned: misuse kinds already warned about (of enum memlab_slice_misuse:
 *	only MEMLAB_SLICE_MISUSE_FOREIGN is the instance's own).
 */
struct memlab_generic {
	struct memlab_pages *pages;
	const char *name;
	struct memlab_slice_pool *pools[GENERIC_NR_CLASSES];
	char names[GENERIC_NR_CLASSES][32];
	u8 large_tag;
	struct memlab_fault_hook fault;
	spinlock_t lock;	/* protects the counters below */
	u64 large_allocs;
	u64 large_frees;
	u64 refused;
	u64 foreign;
	unsigned long warned;
};

static struct memlab_generic *memlab_default;

static unsigned int generic_class(size_t size)
{
	if (size <= 192)
		return generic_small_index[(size - 1) / 8];
	return ilog2(size - 1);		/* 193..256 -> 7, ... 2049..4096 -> 11 */
}

/**
 * memlab_generic_create() - create a generic allocator over a pages instance
 * @pages: the pages instance.
 * @name: prefix for its pools' names ("<name>-64", ...); must outlive it.
 * @debug: MEMLAB_SLICE_* debug flags for all its pools.
 *
 * Context: process context.
 * Return: the instance, or an ERR_PTR.
 */
struct memlab_generic *memlab_generic_create(struct memlab_pages *pages, const char *name,
					     unsigned int debug)
{
	struct memlab_generic *g = kzalloc(sizeof(*g), GFP_KERNEL);
	unsigned int i;
	int ret;

	if (!g)
		return ERR_PTR(-ENOMEM);
	g->pages = pages;
	g->name = name;
	spin_lock_init(&g->lock);
	for (i = 0; i < GENERIC_NR_CLASSES; i++) {
		snprintf(g->names[i], sizeof(g->names[i]), "%s-%u", name, generic_sizes[i]);
		g->pools[i] = memlab_slice_create(pages, g->names[i], generic_sizes[i], 0, 0,
						  debug, NULL);
		if (IS_ERR(g->pools[i])) {
			ret = PTR_ERR(g->pools[i]);
			g->pools[i] = NULL;
			memlab_generic_teardown(g);
			return ERR_PTR(ret);
		}
		g->pools[i]->owner = g;
	}
	return g;
}
EXPORT_SYMBOL_NS_GPL(memlab_generic_create, MEMLAB_NS);

/**
 * memlab_generic_destroy() - destroy a generic allocator whose memory is all free
 * @g: the instance.
 *
 * Context: process context.
 * Return: 0, or -EBUSY while objects are allocated (nothing is destroyed).
 */
int memlab_generic_destroy(struct memlab_generic *g)
{
	struct memlab_slice_stats st;
	unsigned long flags;
	unsigned int i;
	bool busy;

	for (i = 0; i < GENERIC_NR_CLASSES; i++) {
		if (!g->pools[i])
			continue;
		memlab_slice_shrink(g->pools[i]);
		memlab_slice_stats(g->pools[i], &st);
		if (st.active_objs || st.num_slabs)
			return -EBUSY;
	}
	spin_lock_irqsave(&g->lock, flags);
	busy = g->large_allocs != g->large_frees;
	spin_unlock_irqrestore(&g->lock, flags);
	if (busy)
		return -EBUSY;
	memlab_generic_teardown(g);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_generic_destroy, MEMLAB_NS);

/* memlab_pages_walk() callback: untag a large block of the instance torn down. */
static void generic_forget_large(void *arg, void *addr, unsigned int order, bool free,
				 void *owner)
{
	struct memlab_generic *g = arg;

	if (!free && owner == &g->large_tag)
		memlab_page_set_owner(memlab_addr_to_page(g->pages, addr), NULL);
}

/**
 * memlab_generic_teardown() - free a generic allocator, even with memory still allocated
 * @g: the instance; invalid afterwards.
 *
 * Always frees memlab's own metadata: the instance, its size-class pools
 * and their per-CPU magazines (memlab_slice_teardown() on each).  What
 * callers still hold stays allocated in the pages layer, untagged: slabs
 * with live objects and large blocks.  Those pointers become invalid -
 * freeing one later is refused as not memlab's - and the memory goes away
 * with the pages instance or the arena.  The numbers are printed once.
 *
 * Context: process context; nothing else may use @g meanwhile.
 * Return: objects and large blocks that were still allocated.
 */
unsigned long memlab_generic_teardown(struct memlab_generic *g)
{
	unsigned long flags, small = 0, large;
	unsigned int i;

	cmpxchg(&memlab_default, g, NULL);
	for (i = 0; i < GENERIC_NR_CLASSES; i++)
		if (g->pools[i])
			small += memlab_slice_teardown_quiet(g->pools[i]);
	spin_lock_irqsave(&g->lock, flags);
	large = g->large_allocs - g->large_frees;
	spin_unlock_irqrestore(&g->lock, flags);
	/* a large block's tag points into @g: clear them before @g goes */
	if (large)
		memlab_pages_walk(g->pages, generic_forget_large, g);
	if (small || large)
		pr_warn("generic %s: torn down with %lu objects and %lu large blocks still allocated; they stay allocated in the pages layer and are invalid from now on\n",
			g->name, small, large);
	kfree(g);
	return small + large;
}

/* memlab_generic_alloc() without its trace event. */
static void *generic_alloc(struct memlab_generic *g, size_t size, lmm_flags_t flags)
{
	struct memlab_page *page;
	unsigned long irqflags;
	unsigned int order;

	if (likely(size && size <= GENERIC_MAX_SLICE))
		return memlab_slice_alloc(g->pools[generic_class(size)]);
	order = size ? (unsigned int)get_order(size) : UINT_MAX;
	if (!size || order > memlab_pages_max_order(g->pages)) {
		spin_lock_irqsave(&g->lock, irqflags);
		g->refused++;
		spin_unlock_irqrestore(&g->lock, irqflags);
		return NULL;
	}
	if (memlab_fault_hook_fires(&g->fault))
		return NULL;
	page = memlab_alloc_pages(g->pages, flags, order);
	if (!page)
		return NULL;
	memlab_page_set_owner(page, &g->large_tag);
	spin_lock_irqsave(&g->lock, irqflags);
	g->large_allocs++;
	spin_unlock_irqrestore(&g->lock, irqflags);
	return memlab_page_to_addr(g->pages, page);
}

/**
 * memlab_generic_alloc() - allocate @size bytes
 * @g: the instance.
 * @size: bytes, > 0; up to a max-order block of the pages instance.
 * @flags: zone flags for large blocks (size classes use any zone).
 *
 * Power-of-two sizes are aligned to their size: naturally up to a page,
 * relative to the pages instance's base above.
 *
 * Every call is a memlab_generic_alloc trace event, failed ones too, after
 * the memlab_slice_alloc or memlab_pages_alloc event of the layer below.
 *
 * Context: any context.
 * Return: the memory, or NULL (zero and impossible sizes are counted).
 */
void *memlab_generic_alloc(struct memlab_generic *g, size_t size, lmm_flags_t flags)
{
	void *p = generic_alloc(g, size, flags);

	if (trace_memlab_generic_alloc_enabled())
		trace_memlab_generic_alloc(_RET_IP_, g->name, p, size,
					   !p ? 0 : size <= GENERIC_MAX_SLICE ?
					   generic_sizes[generic_class(size)] :
					   PAGE_SIZE << get_order(size), flags);
	return p;
}
EXPORT_SYMBOL_NS_GPL(memlab_generic_alloc, MEMLAB_NS);

/* The pool of @slab if it is one of @g's size classes (tagged at create). */
static struct memlab_slice_pool *generic_pool_of(struct memlab_generic *g,
						 const struct slice_slab *slab)
{
	return slab->pool->owner == g ? slab->pool : NULL;
}

/*
 * Count and refuse a free of a pointer that is none of @g's allocations,
 * warning about the first (memlab_misuse_warn_once()); a KUnit case holding
 * the "slice_misuse" log finds it there as MEMLAB_SLICE_MISUSE_FOREIGN.
 * Return: -EINVAL.
 */
static int generic_foreign(struct memlab_generic *g, const void *ptr)
{
	unsigned long flags;
	bool warn;

	spin_lock_irqsave(&g->lock, flags);
	g->foreign++;
	warn = memlab_misuse_warn_once(&g->warned, "slice_misuse", MEMLAB_SLICE_MISUSE_FOREIGN,
				       ptr, 0);
	spin_unlock_irqrestore(&g->lock, flags);
	trace_memlab_misuse("generic", g->name, "not one of its objects", ptr, 0, 0);
	if (warn)
		pr_warn("generic %s: free of %p, not one of its objects (further ones counted)\n",
			g->name, ptr);
	return -EINVAL;
}

/**
 * memlab_generic_free() - free memory from memlab_generic_alloc()
 * @g: the instance.
 * @ptr: the memory; NULL is ignored.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted) for a pointer that is not an object of
 * @g, a double free or an interior pointer.
 */
int memlab_generic_free(struct memlab_generic *g, void *ptr)
{
	struct memlab_page *page;
	struct memlab_slice_pool *pool;
	struct slice_slab *slab;
	unsigned long flags;
	int ret;

	if (!ptr)
		return 0;
	if (trace_memlab_generic_free_enabled())	/* no loads for it while off */
		trace_memlab_generic_free(_RET_IP_, g->name, ptr);
	/* the common case first: an object of one of the size classes */
	slice_read_lock();
	slab = memlab_slice_lookup(g->pages, ptr);
	if (likely(slab)) {
		pool = generic_pool_of(g, slab);
		/* the pool's own event, as memlab_slice_free() has */
		if (pool && trace_memlab_slice_free_enabled())
			trace_memlab_slice_free(_THIS_IP_, pool->name, ptr);
		ret = pool ? memlab_slice_free_checked(pool, slab, ptr) : -EINVAL;
		slice_read_unlock();
		return pool ? ret : generic_foreign(g, ptr);
	}
	slice_read_unlock();
	page = memlab_addr_to_page(g->pages, ptr);
	if (page && memlab_page_owner(page) == &g->large_tag &&
	    memlab_page_to_addr(g->pages, page) == ptr) {
		ret = memlab_free_pages(g->pages, page);
		if (!ret) {
			spin_lock_irqsave(&g->lock, flags);
			g->large_frees++;
			spin_unlock_irqrestore(&g->lock, flags);
		}
		return ret;
	}
	return generic_foreign(g, ptr);
}
EXPORT_SYMBOL_NS_GPL(memlab_generic_free, MEMLAB_NS);

/**
 * memlab_generic_ksize() - the usable size of an allocation
 * @g: the instance.
 * @ptr: memory from memlab_generic_alloc().
 *
 * Context: any context.
 * Return: the size class or block size, or 0 for a pointer that is not an
 * allocation of @g.
 */
size_t memlab_generic_ksize(struct memlab_generic *g, const void *ptr)
{
	struct memlab_page *page = memlab_addr_to_page(g->pages, ptr);
	struct memlab_slice_pool *pool;
	struct slice_slab *slab;
	int order;

	if (!page)
		return 0;
	if (memlab_page_owner(page) == &g->large_tag &&
	    memlab_page_to_addr(g->pages, page) == ptr) {
		order = memlab_page_order(g->pages, page);
		return order < 0 ? 0 : PAGE_SIZE << order;
	}
	rcu_read_lock();
	slab = memlab_slice_lookup(g->pages, ptr);
	pool = slab ? generic_pool_of(g, slab) : NULL;
	rcu_read_unlock();
	return pool ? memlab_slice_size(pool) : 0;
}

/**
 * memlab_generic_shrink() - shrink every pool of the instance
 * @g: the instance.
 *
 * Context: process context.
 */
void memlab_generic_shrink(struct memlab_generic *g)
{
	unsigned int i;

	for (i = 0; i < GENERIC_NR_CLASSES; i++)
		memlab_slice_shrink(g->pools[i]);
}

/**
 * memlab_generic_check() - validate every pool of the instance
 * @g: the instance.
 *
 * Context: task context.
 * Return: the number of violations found.
 */
int memlab_generic_check(struct memlab_generic *g)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < GENERIC_NR_CLASSES; i++)
		bad += memlab_slice_check(g->pools[i]);
	return bad;
}

/**
 * memlab_generic_set_debug() - set debug checks on every pool of the instance
 * @g: the instance.
 * @debug: MEMLAB_SLICE_* flags.
 *
 * Every pool is asked first, so a refusal changes nothing (short of a
 * pool taking its first slab in between).
 *
 * Context: process context.
 * Return: 0, or memlab_slice_set_debug()'s error.
 */
int memlab_generic_set_debug(struct memlab_generic *g, unsigned int debug)
{
	unsigned int i;
	int ret;

	for (i = 0; i < GENERIC_NR_CLASSES; i++) {
		ret = memlab_slice_can_set_debug(g->pools[i], debug);
		if (ret)
			return ret;
	}
	for (i = 0; i < GENERIC_NR_CLASSES; i++) {
		ret = memlab_slice_set_debug(g->pools[i], debug);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * memlab_generic_set_fault_hook() - make the instance's allocations fail on purpose
 * @g: the instance.
 * @hook: see memlab_slice_set_fault_hook(); applies to every pool and to
 *	large blocks.
 * @arg: passed to @hook.
 *
 * Context: process context, while no allocation is in flight.
 */
void memlab_generic_set_fault_hook(struct memlab_generic *g, memlab_fault_fn hook, void *arg)
{
	unsigned int i;

	for (i = 0; i < GENERIC_NR_CLASSES; i++)
		memlab_slice_set_fault_hook(g->pools[i], hook, arg);
	memlab_fault_hook_set(&g->fault, hook, arg);
}

/**
 * memlab_generic_owns_block() - whether a pages block's owner tag is @g's
 * @g: the instance.
 * @owner: a tag from memlab_page_owner().
 *
 * Return: true for the tag of @g's large blocks.
 */
bool memlab_generic_owns_block(struct memlab_generic *g, const void *owner)
{
	return owner == &g->large_tag;
}

/**
 * memlab_generic_nr_pools() - the number of size classes
 * @g: the instance.
 *
 * Return: the number of pools.
 */
unsigned int memlab_generic_nr_pools(const struct memlab_generic *g)
{
	return GENERIC_NR_CLASSES;
}

/**
 * memlab_generic_pool() - one size class's pool
 * @g: the instance.
 * @i: index, below memlab_generic_nr_pools().
 *
 * Return: the pool, or NULL for an index out of range.
 */
struct memlab_slice_pool *memlab_generic_pool(struct memlab_generic *g, unsigned int i)
{
	return i < GENERIC_NR_CLASSES ? g->pools[i] : NULL;
}

/**
 * memlab_generic_set_default() - the instance memlab_alloc() and friends use
 * @g: the instance, or NULL.
 *
 * Context: called by the module at load and unload.
 */
void memlab_generic_set_default(struct memlab_generic *g)
{
	WRITE_ONCE(memlab_default, g);
}

/**
 * memlab_alloc() - allocate from the memlab module's arena
 * @size: bytes, > 0.
 * @flags: zone flags for blocks above a page.
 *
 * Context: any context.
 * Return: the memory, or NULL.
 */
void *memlab_alloc(size_t size, lmm_flags_t flags)
{
	struct memlab_generic *g = READ_ONCE(memlab_default);

	return g ? memlab_generic_alloc(g, size, flags) : NULL;
}
EXPORT_SYMBOL_NS_GPL(memlab_alloc, MEMLAB_NS);

/**
 * memlab_free() - free memory from memlab_alloc()
 * @ptr: the memory, or NULL.
 *
 * Context: any context.
 * Return: see memlab_generic_free().
 */
int memlab_free(void *ptr)
{
	struct memlab_generic *g = READ_ONCE(memlab_default);

	if (!ptr)
		return 0;
	return g ? memlab_generic_free(g, ptr) : -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(memlab_free, MEMLAB_NS);

/**
 * memlab_ksize() - the usable size of memory from memlab_alloc()
 * @ptr: the memory.
 *
 * Context: any context.
 * Return: bytes, or 0 if @ptr is not memlab's.
 */
size_t memlab_ksize(const void *ptr)
{
	struct memlab_generic *g = READ_ONCE(memlab_default);

	return g ? memlab_generic_ksize(g, ptr) : 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_ksize, MEMLAB_NS);
