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
 * is stored XORed with a per-pool secret and its own address.  The free map
 * has a bit per object, set while the object is free (on the free list or
 * in a magazine): a free of an object whose bit is already set is a double
 * free, exactly, also when two CPUs race (test_and_set_bit() lets one win).
 *
 * Free lists are followed only through slice_next_free(): a link must
 * decode to an object of the same slab, on an object boundary, whose free
 * bit is set, and the list must end exactly after objs - inuse objects, so
 * every walk (allocation, poisoning, the validator) ends within objs steps
 * even on a cycle.  A slab whose list fails that is counted as FREELIST
 * misuse and abandoned: what was left on its list is lost for good, and the
 * slab goes back to the pages layer once its other objects are freed.
 *
 * Slabs sit on three lists by fullness (full, partial, empty); allocation
 * prefers partial slabs, a slab whose last object comes back goes to the
 * empty list, and shrink gives empty slabs back to the pages layer.
 *
 * Per-CPU magazines (Bonwick) hold up to @mag_max free objects each; alloc
 * and free touch only the local magazine and the object's free-map bit,
 * and exchange half a magazine with the slabs when it runs empty or full.
 * Pools in debug mode bypass magazines, so every free and alloc is checked.
 *
 * Poisoning can be turned on at any time.  The flag is set first, then the
 * magazines are drained and the free lists poisoned one slab per lock hold,
 * so the pool lock is never held for more than one slab's worth of work.
 * Each slab carries the poison generation it was last fully poisoned in;
 * an allocation checks the poison only of a slab that is up to date, so a
 * free object not yet reached by the walk is never reported, and any free
 * after the flag is set poisons its object itself.  A slab that would move
 * to another list while out of date is poisoned first, so those still to
 * do always sit at the tail of their list, where the walk takes them.
 *
 * Lock order:
 *   1. slice_pools_lock (global mutex)
 *   2. cpu_hotplug_lock (cpus_read_lock(), by drains of every CPU)
 *   3. a magazine (per CPU and pool: the busy flag, or on PREEMPT_RT a
 *      spinlock_t; never taken with irqs off, except by a drain's IPI)
 *   4. memlab_slice_pool.lock (per pool; spinlock_t, irq-safe)
 *   5. the pages instance's locks, then the LMM's (pages/pages.c)
 *
 *   slice_pools_lock
 *
 *   Protects the global list of pools (slice_pools, each pool's @node),
 *   walked by debugfs and memlab_slice_describe().  It is a mutex: nothing
 *   that holds it runs in atomic context.
 *
 *   The magazine
 *
 *   Protects one CPU's magazine of one pool: @mag, @count, @allocs and
 *   @frees (the last three also read without it, with READ_ONCE(), by
 *   snapshots).  The holder stays on its CPU; slice_cpu_get() fails,
 *   rather than waits, when the magazine is held already, and the
 *   operation then goes to the slabs under the pool lock.  On PREEMPT_RT
 *   it is a spinlock_t taken with spin_trylock() under migrate_disable(),
 *   the pcp_spin_lock pattern of mm/page_alloc.c, valid there because it
 *   is never taken with interrupts disabled; drains take any CPU's with
 *   spin_lock() from task context.  Elsewhere it is a busy flag written
 *   with plain stores under preempt_disable(), only ever on its own CPU
 *   while that CPU is online: an interrupt that finds it set goes to the
 *   slabs, and a drain of an online CPU runs on that CPU in an IPI
 *   (smp_call_function_single()), retrying while the code it interrupted
 *   holds the magazine; an offline CPU's is drained directly, with
 *   cpus_read_lock() (or the hotplug callback of the dead CPU) keeping it
 *   offline.  So the fast path has no atomic instruction and no lock call.
 *
 *   memlab_slice_pool.lock
 *
 *   Taken with spin_lock_irqsave() (so interrupts stay on under
 *   PREEMPT_RT).  Protects the slab lists (@lists, @nr_on, @nr_slabs), every
 *   slab's free list and counters (@freelist, @inuse, @lost, @which,
 *   @broken, @poison_gen), the pool's @nr_inuse, @nr_lost, @poison_gen,
 *   @debug (also read without it), @warned and @st.  It nests inside a
 *   magazine when a magazine refills or flushes, never the other way
 *   round; the pages instance's locks nest inside it when a slab is made.
 *   Every slab helper says "Context: caller holds pool->lock" and asserts
 *   it.
 *
 * Free-map bits change with atomic bitops, without any lock.
 *
 * RCU protects slab memory from the lockless free path: a free looks its
 * slab up and claims the object's bit inside an RCU read-side section
 * (slice_read_lock(): preempt_disable() where that is one, see there), and
 * a slab given back is unlinked at once (no lookup finds it) but released
 * to the pages layer only after a grace period (call_rcu), so that claim
 * never lands in reused memory.  Shrink, destroy and teardown wait for the
 * pending releases (rcu_barrier()).
 */

#define pr_fmt(fmt) "memlab: " fmt

/*
 * Older kernels (Debian 12's 6.1) have no kunit/static_stub.h; without
 * KUnit the redirect is a no-op anyway, as the header itself defines it.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)
#endif
#include <linux/bitops.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/mmdebug.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "common/check.h"
#include "common/fault_hook.h"
#include "common/memlab_export.h"
#include "common/memlab_trace.h"
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

/* The dynamic CPU-hotplug state of slice pools; > 0 once memlab_slice_init() ran. */
static int slice_cpuhp_state;

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

/* Magazine capacity for objects of @slot bytes (see SLICE_MAG). */
static unsigned int slice_mag_max(size_t slot)
{
	return clamp_t(size_t, SLICE_MAG_BYTES / slot, SLICE_MAG_MIN, SLICE_MAG);
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

static inline void *slice_obj(const struct memlab_slice_pool *pool,
			      const struct slice_slab *slab, unsigned int idx)
{
	return slab->base + (size_t)idx * pool->slot;
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
 * Free-list links
 * ------------------------------------------------------------------------
 */

/* Links are hardened the way SLAB_FREELIST_HARDENED does. */
static inline void *slice_link_get(const struct memlab_slice_pool *pool, void *obj)
{
	return (void *)(*(unsigned long *)obj ^ pool->random ^ (unsigned long)obj);
}

static inline void slice_link_set(const struct memlab_slice_pool *pool, void *obj, void *next)
{
	*(unsigned long *)obj = (unsigned long)next ^ pool->random ^ (unsigned long)obj;
}

/*
 * Whether @obj may stand on @slab's free list with @left objects from it on
 * (itself included): NULL exactly when @left is 0; otherwise an object of
 * @slab, on an object boundary, whose free-map bit is set.  The one test
 * every free-list walk applies to every pointer before following it.
 */
static bool slice_free_ok(const struct memlab_slice_pool *pool, const struct slice_slab *slab,
			  const void *obj, unsigned int left)
{
	long idx;

	if (!obj)
		return !left;
	if (!left || (const char *)obj < slab->base ||
	    (const char *)obj >= slab->base + (size_t)pool->objs * pool->slot)
		return false;
	idx = slice_index(pool, slab, obj);
	return idx >= 0 && test_bit(idx, slab->map);
}

/*
 * The object after @obj on @slab's free list, @left objects being due after
 * @obj: the one step of every free-list walk.  Since @left falls by one at
 * each step and the list must end when it reaches 0, no walk takes more
 * than the slab's object count steps, whatever a corrupted link says.
 * Return: the next object, NULL at the end, or ERR_PTR(-EFAULT) for a link
 * that fails slice_free_ok().
 */
static void *slice_next_free(const struct memlab_slice_pool *pool,
			     const struct slice_slab *slab, void *obj, unsigned int left)
{
	void *next = slice_link_get(pool, obj);

	return slice_free_ok(pool, slab, next, left) ? next : ERR_PTR(-EFAULT);
}

/* ------------------------------------------------------------------------
 * Reporting
 * ------------------------------------------------------------------------
 */

/*
 * Count a caller error and warn about the first of each kind per pool
 * (memlab_misuse_warn_once()), naming pool, object and offset; a KUnit case
 * that provokes it on purpose holds the "slice_misuse" log and finds the
 * kind, the object and the offset there.
 * Context: caller holds pool->lock.
 */
static void slice_misuse_locked(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
				const void *obj, long offset)
{
	lockdep_assert_held(&pool->lock);
	pool->st.misuse[kind]++;
	trace_memlab_misuse("slice", pool->name, slice_misuse_names[kind], obj, 0, offset);
	if (!memlab_misuse_warn_once(&pool->warned, "slice_misuse", kind, obj, offset))
		return;
	pr_warn("slice %s: %s: object %p offset %ld (further ones counted, not shown)\n",
		pool->name, slice_misuse_names[kind], obj, offset);
}

/**
 * memlab_slice_misuse() - count a caller error and warn about the first of its kind
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
void memlab_slice_misuse(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
			 const void *obj, long offset)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	slice_misuse_locked(pool, kind, obj, offset);
	spin_unlock_irqrestore(&pool->lock, flags);
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

/* Red zone of @obj, and its poison if @poisoned (it came from an up-to-date slab). */
static void slice_debug_check(struct memlab_slice_pool *pool, void *obj, bool poisoned)
{
	long bad;

	if (READ_ONCE(pool->debug) & MEMLAB_SLICE_REDZONE) {
		bad = slice_find_bad(obj, pool->size, pool->size + SLICE_REDZONE,
				     SLICE_REDZONE_BYTE);
		if (bad >= 0) {
			memlab_slice_misuse(pool, MEMLAB_SLICE_MISUSE_OVERFLOW, obj, bad);
			memset(obj + pool->size, SLICE_REDZONE_BYTE, SLICE_REDZONE);
		}
	}
	if (poisoned) {
		bad = slice_find_bad(obj, sizeof(long), pool->size, SLICE_POISON_FREE);
		if (bad >= 0)
			memlab_slice_misuse(pool, MEMLAB_SLICE_MISUSE_USE_AFTER_FREE, obj, bad);
	}
}

/* Whether free objects are poisoned now.  Context: caller holds pool->lock. */
static bool slice_poisoning(const struct memlab_slice_pool *pool)
{
	lockdep_assert_held(&pool->lock);
	return (pool->debug & MEMLAB_SLICE_POISON) && !pool->ctor;
}

/* Poison @obj, all but the link word.  Context: caller holds pool->lock. */
static void slice_poison_obj(struct memlab_slice_pool *pool, void *obj)
{
	lockdep_assert_held(&pool->lock);
	if (slice_poisoning(pool))
		memset(obj + sizeof(long), SLICE_POISON_FREE, pool->size - sizeof(long));
}

/* Whether @slab still waits for the current poisoning walk.  Context: pool->lock. */
static bool slice_poison_due(const struct memlab_slice_pool *pool, const struct slice_slab *slab)
{
	lockdep_assert_held(&pool->lock);
	return slice_poisoning(pool) && slab->poison_gen != pool->poison_gen;
}

/* ------------------------------------------------------------------------
 * Slabs.  Context: caller holds pool->lock.
 * ------------------------------------------------------------------------
 */

static enum slice_list slice_list_for(const struct memlab_slice_pool *pool,
				      const struct slice_slab *slab)
{
	lockdep_assert_held(&pool->lock);
	if (!slab->inuse)
		return SLICE_EMPTY;
	if (slab->inuse == pool->objs || slab->broken)
		return SLICE_FULL;
	return SLICE_PARTIAL;
}

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
	slab->poison_gen = pool->poison_gen;
	for (i = 0; i < 1U << pool->order; i++)
		memlab_page_set_owner(memlab_addr_to_page(pool->pages, base + i * PAGE_SIZE), slab);
	/* Thread the free list from the last object down, so it pops in address order. */
	for (i = pool->objs; i--; ) {
		void *obj = slice_obj(pool, slab, i);

		if (pool->ctor)
			pool->ctor(obj);
		if (pool->debug & MEMLAB_SLICE_REDZONE)
			memset(obj + pool->size, SLICE_REDZONE_BYTE, SLICE_REDZONE);
		slice_poison_obj(pool, obj);
		slice_link_set(pool, obj, slab->freelist);
		slab->freelist = obj;
	}
	bitmap_fill(slab->map, pool->objs);
	slab->which = SLICE_EMPTY;
	list_add(&slab->list, &pool->lists[SLICE_EMPTY]);
	pool->nr_on[SLICE_EMPTY]++;
	pool->nr_slabs++;
	return slab;
}

/*
 * Take @slab off the pool's books: off its list, out of the counters, and
 * no longer found from its pages (their owner tags are cleared).  The
 * block itself stays allocated in the pages layer.
 */
static void slice_unlink_slab(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	unsigned int i;

	lockdep_assert_held(&pool->lock);
	list_del(&slab->list);
	pool->nr_on[slab->which]--;
	pool->nr_slabs--;
	pool->nr_inuse -= slab->inuse;
	pool->nr_lost -= slab->lost;
	WRITE_ONCE(slab->magic, 0);
	for (i = 0; i < 1U << pool->order; i++)
		memlab_page_set_owner(memlab_addr_to_page(pool->pages, slab->base + i * PAGE_SIZE),
				      NULL);
}

/* The grace period of an unlinked slab is over: give its block back. */
static void slice_slab_release(struct rcu_head *rcu)
{
	struct slice_slab *slab = container_of(rcu, struct slice_slab, rcu);
	struct memlab_slice_pool *pool = slab->pool;

	WARN_ON_ONCE(memlab_free_pages(pool->pages, memlab_addr_to_page(pool->pages, slab->base)));
	atomic_dec(&pool->dying);
}

/*
 * Give a slab back to the pages layer; only lost objects, if any, remain on
 * it.  Unlinked now, released after an RCU grace period: a free running
 * lockless on another CPU may have found the slab just before and still
 * test its free map, so the memory must not be reused under it.
 */
static void slice_free_slab(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	lockdep_assert_held(&pool->lock);
	slice_unlink_slab(pool, slab);
	atomic_inc(&pool->dying);
	call_rcu(&slab->rcu, slice_slab_release);
}

/* Wait until the slabs given back so far are in the pages layer.  Context: process. */
static void slice_wait_released(struct memlab_slice_pool *pool)
{
	if (atomic_read(&pool->dying))
		rcu_barrier();
}

/*
 * Stop trusting @slab's free list, whose link in @at (or whose head, @at
 * being the header) failed validation: count it, and write off whatever the
 * list still held - those objects count as in use forever.  The slab is never
 * allocated from again; the caller relists it (to the full list) and frees
 * it once only lost objects remain.
 */
static void slice_abandon(struct memlab_slice_pool *pool, struct slice_slab *slab,
			  const void *at)
{
	unsigned int left = pool->objs - slab->inuse;

	lockdep_assert_held(&pool->lock);
	slice_misuse_locked(pool, MEMLAB_SLICE_MISUSE_FREELIST, at, 0);
	slab->lost += left;
	pool->nr_lost += left;
	slab->inuse += left;
	pool->nr_inuse += left;
	slab->freelist = NULL;
	slab->broken = true;
}

/*
 * Poison every object on @slab's free list, validating each link on the
 * way, and mark the slab up to date.  One slab's worth of work.
 * Return: false if the list was corrupted and abandoned.
 */
static bool slice_poison_slab(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	unsigned int left = pool->objs - slab->inuse;
	void *obj = slab->freelist, *next;

	lockdep_assert_held(&pool->lock);
	if (!slice_free_ok(pool, slab, obj, left)) {
		slice_abandon(pool, slab, slab);
		return false;
	}
	for (; obj; obj = next) {
		next = slice_next_free(pool, slab, obj, --left);
		if (IS_ERR(next)) {
			slice_abandon(pool, slab, obj);
			return false;
		}
		slice_poison_obj(pool, obj);
	}
	slab->poison_gen = pool->poison_gen;
	return true;
}

/*
 * Move @slab to the list its fill level calls for.  A slab still waiting
 * for the poisoning walk is poisoned before it moves, so that slabs waiting
 * stay at the tail of their lists (see memlab_slice_set_debug()).
 */
static void slice_relist(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	enum slice_list to = slice_list_for(pool, slab);

	lockdep_assert_held(&pool->lock);
	if (to == slab->which)
		return;
	if (to != SLICE_FULL && slice_poison_due(pool, slab)) {
		slice_poison_slab(pool, slab);
		to = slice_list_for(pool, slab);
		if (to == slab->which)
			return;
	}
	pool->nr_on[slab->which]--;
	pool->nr_on[to]++;
	slab->which = to;
	list_move(&slab->list, &pool->lists[to]);
}

/*
 * Take one object off a slab's free list (the caller clears its map bit,
 * or keeps it set in a magazine, and relists the slab).  The link to the
 * next object is validated; if it is bad, the rest of the list is abandoned.
 */
static void *slice_pop(struct memlab_slice_pool *pool, struct slice_slab *slab)
{
	void *obj = slab->freelist, *next;

	lockdep_assert_held(&pool->lock);
	slab->inuse++;
	pool->nr_inuse++;
	next = slice_next_free(pool, slab, obj, pool->objs - slab->inuse);
	if (IS_ERR(next))
		slice_abandon(pool, slab, obj);
	else
		slab->freelist = next;
	return obj;
}

/*
 * Put a free object (map bit already set) back on its slab's free list.
 * Every caller has screened @obj (slice_free_in() claimed its bit, or it
 * comes out of a magazine): a failed precondition is a memlab bug.
 * Context: caller holds pool->lock.
 */
static void slice_push(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj)
{
	bool was_full = !slab->freelist;

	lockdep_assert_held(&pool->lock);
	VM_WARN_ON_ONCE(slab->pool != pool || slab->magic != SLICE_MAGIC);
	VM_WARN_ON_ONCE(!slab->inuse || slab->inuse <= slab->lost);
	VM_WARN_ON_ONCE(slice_index(pool, slab, obj) < 0);
	/* under the lock, so that a free racing a change of the flag ends up consistent */
	slice_poison_obj(pool, obj);
	slice_link_set(pool, obj, slab->freelist);
	slab->freelist = obj;
	slab->inuse--;
	pool->nr_inuse--;
	if (likely(!slab->broken)) {
		/* a list of only this object is as poisoned as can be */
		if (was_full && slice_poisoning(pool))
			slab->poison_gen = pool->poison_gen;
		slice_relist(pool, slab);
	}
	if (unlikely(slab->broken)) {
		/* only the lost objects remain: nobody can reach the slab any more */
		if (slab->inuse == slab->lost)
			slice_free_slab(pool, slab);
		return;
	}
	if (!slab->inuse && pool->nr_on[SLICE_EMPTY] > SLICE_MAX_EMPTY)
		slice_free_slab(pool, slab);
}

/* A slab with a free object: partial first, then empty, then a new one. */
static struct slice_slab *slice_get_slab(struct memlab_slice_pool *pool)
{
	struct slice_slab *slab;

	lockdep_assert_held(&pool->lock);
	list_for_each_entry(slab, &pool->lists[SLICE_PARTIAL], list)
		if (slab->freelist)
			return slab;
	list_for_each_entry(slab, &pool->lists[SLICE_EMPTY], list)
		if (slab->freelist)
			return slab;
	return slice_new_slab(pool);
}

/* ------------------------------------------------------------------------
 * Magazines
 * ------------------------------------------------------------------------
 */

/* The magazine @c is held by the caller (slice_cpu_get(), or a drain). */
static inline void slice_cpu_assert_held(struct slice_cpu *c)
{
#ifdef CONFIG_PREEMPT_RT
	lockdep_assert_held(&c->lock);
#else
	VM_WARN_ON_ONCE(!READ_ONCE(c->busy));
#endif
}

/* Give up to @nr magazine entries back to their slabs.  Context: caller holds @c. */
static void slice_mag_flush(struct memlab_slice_pool *pool, struct slice_cpu *c, unsigned int nr)
{
	unsigned long flags;

	slice_cpu_assert_held(c);
	spin_lock_irqsave(&pool->lock, flags);
	while (nr-- && c->count) {
		struct slice_mag_entry *e = &c->mag[c->count - 1];

		WRITE_ONCE(c->count, c->count - 1);
		slice_push(pool, e->slab, e->obj);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* Fill half a magazine from the slabs.  Context: caller holds @c. */
static void slice_mag_refill(struct memlab_slice_pool *pool, struct slice_cpu *c)
{
	unsigned long flags;

	slice_cpu_assert_held(c);
	spin_lock_irqsave(&pool->lock, flags);
	while (c->count < pool->mag_max / 2) {
		struct slice_slab *slab = slice_get_slab(pool);
		struct slice_mag_entry *e;

		if (!slab)
			break;
		e = &c->mag[c->count];
		e->obj = slice_pop(pool, slab);
		e->slab = slab;
		e->idx = slice_index(pool, slab, e->obj);
		WRITE_ONCE(c->count, c->count + 1);
		slice_relist(pool, slab);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
}

#ifdef CONFIG_PREEMPT_RT
/*
 * Empty @cpu's magazine, which may be another CPU's: its lock is a
 * spinlock_t that any CPU may take.  Context: task context.
 */
static void slice_drain_cpu(struct memlab_slice_pool *pool, unsigned int cpu)
{
	struct slice_cpu *c = per_cpu_ptr(pool->cpu, cpu);

	spin_lock(&c->lock);
	slice_mag_flush(pool, c, SLICE_MAG);
	spin_unlock(&c->lock);
}
#else
struct slice_drain {
	struct memlab_slice_pool *pool;
	bool busy;
};

/*
 * Empty @c unless it is held; return whether it was.  Context: on @c's
 * CPU with nothing there able to take it meanwhile (interrupts off), or
 * @c's CPU offline.
 */
static bool slice_drain_unless_held(struct memlab_slice_pool *pool, struct slice_cpu *c)
{
	if (READ_ONCE(c->busy))
		return true;
	WRITE_ONCE(c->busy, 1);
	slice_mag_flush(pool, c, SLICE_MAG);
	WRITE_ONCE(c->busy, 0);
	return false;
}

/*
 * On the CPU whose magazine is to be emptied, interrupts disabled (an IPI,
 * or smp_call_function_single() calling it here): empty it unless the code
 * this interrupted holds it, which the caller then retries.
 */
static void slice_drain_here(void *arg)
{
	struct slice_drain *d = arg;

	d->busy = slice_drain_unless_held(d->pool, this_cpu_ptr(d->pool->cpu));
}

/*
 * Empty @cpu's magazine.  An online CPU's is emptied on that CPU, since only
 * it may write the busy flag; a holder it interrupts is in a short section
 * with preemption disabled, so the retry soon finds the magazine free.  An
 * offline CPU runs nothing that could hold its magazine.
 * Context: task context, interrupts enabled; @cpu stays online or offline
 * meanwhile (cpus_read_lock(), or the CPU-hotplug callback of a dead CPU).
 */
static void slice_drain_cpu(struct memlab_slice_pool *pool, unsigned int cpu)
{
	struct slice_drain d = { .pool = pool };

	if (cpu_online(cpu)) {
		do {
			if (smp_call_function_single(cpu, slice_drain_here, &d, 1))
				break;	/* not online after all: as below */
			if (!d.busy)
				return;
			cpu_relax();
		} while (true);
	}
	WARN_ON_ONCE(slice_drain_unless_held(pool, per_cpu_ptr(pool->cpu, cpu)));
}
#endif

/* Empty every CPU's magazine.  Context: process context (may sleep). */
static void slice_drain_all(struct memlab_slice_pool *pool)
{
	unsigned int cpu;

	might_sleep();
	cpus_read_lock();
	for_each_possible_cpu(cpu)
		slice_drain_cpu(pool, cpu);
	cpus_read_unlock();
}

/**
 * memlab_slice_cpu_dead() - CPU-hotplug teardown: empty a dead CPU's magazine
 * @cpu: the CPU that went offline.
 * @node: the pool's node on the slice cpuhp state.
 *
 * Nothing runs on @cpu any more, so nothing refills its magazine after
 * this; the objects in it go back to their slabs instead of staying
 * stranded until the CPU returns.
 *
 * Context: the CPU-hotplug control thread (task context), or a KUnit case.
 * Return: 0.
 */
int memlab_slice_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct memlab_slice_pool *pool = hlist_entry(node, struct memlab_slice_pool, cpuhp_node);

	slice_drain_cpu(pool, cpu);
	return 0;
}

/* ------------------------------------------------------------------------
 * The slow paths: straight to the slabs, for debug pools and busy magazines
 * ------------------------------------------------------------------------
 */

static void *slice_alloc_slow(struct memlab_slice_pool *pool)
{
	struct slice_slab *slab;
	unsigned long flags;
	bool poisoned = false;
	void *obj = NULL;
	long idx = 0;

	spin_lock_irqsave(&pool->lock, flags);
	slab = slice_get_slab(pool);
	if (slab) {
		/* the poison is checked only where the poisoning walk has been */
		poisoned = slice_poisoning(pool) && slab->poison_gen == pool->poison_gen;
		obj = slice_pop(pool, slab);
		idx = slice_index(pool, slab, obj);
		slice_relist(pool, slab);
		pool->st.allocs++;
	} else {
		pool->st.failures++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	if (!obj)
		return NULL;
	clear_bit(idx, slab->map);
	if (unlikely(READ_ONCE(pool->debug)))
		slice_debug_check(pool, obj, poisoned);
	return obj;
}

static void slice_free_slow(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj)
{
	unsigned long flags;

	if (unlikely(READ_ONCE(pool->debug)))
		slice_debug_check(pool, obj, false);
	spin_lock_irqsave(&pool->lock, flags);
	slice_push(pool, slab, obj);
	pool->st.frees++;
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* ------------------------------------------------------------------------
 * Public interface
 * ------------------------------------------------------------------------
 */

/**
 * memlab_slice_init() - set up the slice layer
 *
 * Registers the CPU-hotplug state through which every pool empties a dead
 * CPU's magazine.  Must run before the first memlab_slice_create() (the
 * memlab module calls it first thing at load).
 *
 * Context: process context.
 * Return: 0, or the error of cpuhp_setup_state_multi().
 */
int memlab_slice_init(void)
{
	int ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "memlab/slice:dead", NULL,
					  memlab_slice_cpu_dead);

	if (ret < 0)
		return ret;
	slice_cpuhp_state = ret;
	return 0;
}

/**
 * memlab_slice_exit() - undo memlab_slice_init()
 *
 * Every pool must have been destroyed or torn down before.
 *
 * Context: process context.
 */
void memlab_slice_exit(void)
{
	if (slice_cpuhp_state > 0)
		cpuhp_remove_multi_state(slice_cpuhp_state);
	slice_cpuhp_state = 0;
}

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
 *	spinlock held (interrupts off unless PREEMPT_RT), so it must not
 *	sleep or use the pool; may be NULL.
 *
 * Context: process context.
 * Return: the pool, or an ERR_PTR: -EINVAL for a size, alignment or debug
 * flag the pool cannot serve (never a panic); -ENODEV before
 * memlab_slice_init(); -ENOMEM.
 */
struct memlab_slice_pool *memlab_slice_create(struct memlab_pages *pages, const char *name,
					      size_t size, size_t align, lmm_flags_t flags,
					      unsigned int debug, void (*ctor)(void *obj))
{
	struct memlab_slice_pool *pool;
	unsigned int order, objs, i;
	int __maybe_unused cpu;
	int ret;

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
	if (slice_cpuhp_state <= 0) {
		pr_err("slice %s: memlab_slice_init() has not run\n", name);
		return ERR_PTR(-ENODEV);
	}

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->cpu = alloc_percpu(struct slice_cpu);
	if (!pool->cpu) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
#ifdef CONFIG_PREEMPT_RT
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(pool->cpu, cpu)->lock);
#endif
	spin_lock_init(&pool->lock);
	for (i = 0; i < SLICE_NR_LISTS; i++)
		INIT_LIST_HEAD(&pool->lists[i]);
	pool->name = name;
	pool->pages = pages;
	pool->size = size;
	pool->align = align;
	pool->flags = flags;
	pool->ctor = ctor;
	pool->debug = debug;
	pool->slot = slice_slot_size(size, align, debug);
	pool->mag_max = slice_mag_max(pool->slot);
	pool->order = order;
	pool->objs = objs;
	pool->hdr_off = (PAGE_SIZE << order) - slice_hdr_size(objs);
	pool->recip = reciprocal_value(pool->slot);
	pool->random = get_random_long();

	ret = cpuhp_state_add_instance_nocalls(slice_cpuhp_state, &pool->cpuhp_node);
	if (ret) {
		free_percpu(pool->cpu);
		kfree(pool);
		return ERR_PTR(ret);
	}
	mutex_lock(&slice_pools_lock);
	list_add_tail(&pool->node, &slice_pools);
	mutex_unlock(&slice_pools_lock);
	return pool;
}
EXPORT_SYMBOL_NS_GPL(memlab_slice_create, MEMLAB_NS);

/* memlab_slice_alloc() without its trace event. */
static __always_inline void *slice_alloc_obj(struct memlab_slice_pool *pool)
{
	struct slice_mag_entry e = { };
	struct slice_cpu *c;
	unsigned long flags;

	if (memlab_fault_hook_fires(&pool->fault)) {
		spin_lock_irqsave(&pool->lock, flags);
		pool->st.injected++;
		pool->st.failures++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return NULL;
	}
	if (unlikely(READ_ONCE(pool->debug)))
		return slice_alloc_slow(pool);
	c = slice_cpu_get(pool);
	if (unlikely(!c))
		return slice_alloc_slow(pool);
	if (unlikely(!c->count))
		slice_mag_refill(pool, c);
	if (likely(c->count)) {
		e = c->mag[c->count - 1];
		WRITE_ONCE(c->count, c->count - 1);
		WRITE_ONCE(c->allocs, c->allocs + 1);
	}
	slice_cpu_put(c);
	if (unlikely(!e.obj)) {
		spin_lock_irqsave(&pool->lock, flags);
		pool->st.failures++;
		spin_unlock_irqrestore(&pool->lock, flags);
		return NULL;
	}
	clear_bit(e.idx, e.slab->map);
	return e.obj;
}

/**
 * memlab_slice_alloc() - allocate one object
 * @pool: the pool.
 *
 * Context: any context but NMI (on PREEMPT_RT, not hard interrupt context:
 * the pool lock is a spinlock_t).
 * Return: the object, or NULL when the pages layer has no memory.
 */
void *memlab_slice_alloc(struct memlab_slice_pool *pool)
{
	void *obj = slice_alloc_obj(pool);

	/* the fast path: not even the arguments' loads while the event is off */
	if (trace_memlab_slice_alloc_enabled())
		trace_memlab_slice_alloc(_RET_IP_, pool->name, obj, pool->size,
					 obj ? pool->slot : 0, 0);
	return obj;
}
EXPORT_SYMBOL_NS_GPL(memlab_slice_alloc, MEMLAB_NS);

/*
 * Free an object already known to be of @slab at @idx: the lookup and the
 * boundary test (caller misuse, counted and refused) are behind; a failed
 * precondition here is a memlab bug.
 */
static __always_inline int slice_free_in(struct memlab_slice_pool *pool,
					 struct slice_slab *slab, unsigned int idx, void *obj)
{
	struct slice_cpu *c;

	VM_WARN_ON_ONCE(slab->pool != pool || idx >= pool->objs);
	VM_WARN_ON_ONCE(obj != slice_obj(pool, slab, idx));
	/* exactly one of two racing frees of an object sets the bit */
	if (unlikely(test_and_set_bit(idx, slab->map))) {
		memlab_slice_misuse(pool, MEMLAB_SLICE_MISUSE_DOUBLE_FREE, obj, 0);
		return -EINVAL;
	}
	c = unlikely(READ_ONCE(pool->debug)) ? NULL : slice_cpu_get(pool);
	if (unlikely(!c)) {
		slice_free_slow(pool, slab, obj);
		return 0;
	}
	if (unlikely(c->count >= pool->mag_max))
		slice_mag_flush(pool, c, pool->mag_max / 2);
	c->mag[c->count] = (struct slice_mag_entry) { .obj = obj, .slab = slab, .idx = idx };
	WRITE_ONCE(c->count, c->count + 1);
	WRITE_ONCE(c->frees, c->frees + 1);
	slice_cpu_put(c);
	return 0;
}

/* Which misuse a failed lookup of @obj for @pool means. */
static enum memlab_slice_misuse slice_classify(struct memlab_slice_pool *pool, const void *obj)
{
	struct slice_slab *slab = memlab_slice_lookup(pool->pages, obj);

	if (!slab)
		return MEMLAB_SLICE_MISUSE_FOREIGN;
	if (slab->pool != pool)
		return MEMLAB_SLICE_MISUSE_WRONG_POOL;
	return MEMLAB_SLICE_MISUSE_NOT_OBJECT;
}

/* memlab_slice_free_checked(), inline in memlab_slice_free(). */
static __always_inline int slice_free_checked(struct memlab_slice_pool *pool,
					      struct slice_slab *slab, void *obj)
{
	long idx = slice_index(pool, slab, obj);

	if (unlikely(idx < 0)) {
		memlab_slice_misuse(pool, MEMLAB_SLICE_MISUSE_NOT_OBJECT, obj,
				    ((char *)obj - slab->base) % pool->slot);
		return -EINVAL;
	}
	return slice_free_in(pool, slab, idx, obj);
}

/**
 * memlab_slice_free_checked() - free an object of a slab already looked up
 * @pool: the pool @slab belongs to.
 * @slab: the slab that contains @obj, from memlab_slice_lookup().
 * @obj: the pointer to free.
 *
 * The common tail of memlab_slice_free() and memlab_generic_free(): refuses
 * a pointer not at an object boundary, then frees as memlab_slice_free().
 *
 * Context: as memlab_slice_free(), inside the slice_read_lock() section
 * in which @slab was looked up (a slab given back waits for a grace period).
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed) for
 * a pointer not at an object boundary or a double free.
 */
int memlab_slice_free_checked(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj)
{
	return slice_free_checked(pool, slab, obj);
}

/**
 * memlab_slice_free() - free one object
 * @pool: the pool it came from.
 * @obj: the object.
 *
 * Two frees of one object racing on two CPUs: exactly one succeeds, the
 * other is refused as a double free.
 *
 * Context: as memlab_slice_alloc().
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed) for
 * a double free, a pointer not at an object boundary, an object of another
 * pool, or a pointer not from memlab.
 */
int memlab_slice_free(struct memlab_slice_pool *pool, void *obj)
{
	struct slice_slab *slab;
	int ret;

	if (trace_memlab_slice_free_enabled())	/* no loads for it while off */
		trace_memlab_slice_free(_RET_IP_, pool->name, obj);
	/* the slab found stays memory of ours until the claim of the object is made */
	slice_read_lock();
	slab = memlab_slice_lookup(pool->pages, obj);
	if (unlikely(!slab || slab->pool != pool)) {
		slice_read_unlock();
		memlab_slice_misuse(pool, slice_classify(pool, obj), obj, 0);
		return -EINVAL;
	}
	ret = slice_free_checked(pool, slab, obj);
	slice_read_unlock();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(memlab_slice_free, MEMLAB_NS);

/**
 * memlab_slice_shrink() - give empty slabs back to the pages layer
 * @pool: the pool.
 *
 * Empties every per-CPU magazine first; when it returns, every slab given
 * back so far is in the pages layer again.
 *
 * Context: process context (drains the magazines; may wait for an RCU
 * grace period).
 * Return: the number of slabs given back.
 */
unsigned long memlab_slice_shrink(struct memlab_slice_pool *pool)
{
	struct slice_slab *slab, *tmp;
	unsigned long flags, n = 0;

	slice_drain_all(pool);
	spin_lock_irqsave(&pool->lock, flags);
	/* at most SLICE_MAX_EMPTY + 1 of them: push gives back the others at once */
	list_for_each_entry_safe(slab, tmp, &pool->lists[SLICE_EMPTY], list) {
		slice_free_slab(pool, slab);
		n++;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	slice_wait_released(pool);
	return n;
}

/* Unregister and free the pool's own memory; its slabs are gone or forgotten. */
static void slice_pool_free(struct memlab_slice_pool *pool)
{
	mutex_lock(&slice_pools_lock);
	list_del(&pool->node);
	mutex_unlock(&slice_pools_lock);
	cpuhp_state_remove_instance_nocalls(slice_cpuhp_state, &pool->cpuhp_node);
	slice_wait_released(pool);
	free_percpu(pool->cpu);
	kfree(pool);
}

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
	slice_pool_free(pool);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_slice_destroy, MEMLAB_NS);

/* memlab_slice_teardown(), saying nothing when @quiet. */
static unsigned long slice_teardown(struct memlab_slice_pool *pool, bool quiet)
{
	unsigned long flags, live, kept = 0;
	struct slice_slab *slab;
	unsigned int i;

	memlab_slice_shrink(pool);
	spin_lock_irqsave(&pool->lock, flags);
	live = pool->nr_inuse - pool->nr_lost;
	spin_unlock_irqrestore(&pool->lock, flags);
	/* forget the slabs still held, one per lock hold */
	for (;;) {
		spin_lock_irqsave(&pool->lock, flags);
		slab = NULL;
		for (i = 0; i < SLICE_NR_LISTS && !slab; i++)
			slab = list_first_entry_or_null(&pool->lists[i], struct slice_slab, list);
		if (slab)
			slice_unlink_slab(pool, slab);
		spin_unlock_irqrestore(&pool->lock, flags);
		if (!slab)
			break;
		kept++;
		cond_resched();
	}
	if (kept && !quiet)
		pr_warn("slice %s: torn down with %lu objects still allocated; their %lu slabs stay allocated in the pages layer, and the objects are invalid from now on\n",
			pool->name, live, kept);
	slice_pool_free(pool);
	return live;
}

/**
 * memlab_slice_teardown() - free a pool, even with objects still allocated
 * @pool: the pool; invalid afterwards.
 *
 * Always frees the pool's own memory (the pool and its per-CPU magazines),
 * for an unload that cannot wait for callers.  Free slabs go back to the
 * pages layer.  A slab that still holds allocated objects stays allocated
 * in the pages layer, untagged: the callers' objects in it become invalid
 * (freeing one later is refused as not from memlab, and the memory goes
 * away with the pages instance or the arena).  How many objects were live
 * is printed and returned.
 *
 * Context: process context; nothing else may use @pool meanwhile.
 * Return: the number of objects that were still allocated.
 */
unsigned long memlab_slice_teardown(struct memlab_slice_pool *pool)
{
	return slice_teardown(pool, false);
}

/**
 * memlab_slice_teardown_quiet() - memlab_slice_teardown() without the message
 * @pool: the pool.
 *
 * For the generic allocator, which prints one line for all its pools.
 *
 * Context: process context.
 * Return: the number of objects that were still allocated.
 */
unsigned long memlab_slice_teardown_quiet(struct memlab_slice_pool *pool)
{
	return slice_teardown(pool, true);
}

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
	/* the same checks in the same order as memlab_slice_set_debug() */
	if ((debug ^ pool->debug) & MEMLAB_SLICE_REDZONE) {
		unsigned int max = memlab_pages_max_order(pool->pages);

		if (pool->nr_slabs)
			ret = -EBUSY;
		else if (memlab_slice_order_for(pool->size, pool->align, debug, max,
						&objs) == UINT_MAX)
			ret = -EINVAL;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}

/**
 * memlab_slice_poison_pause() - the pause between two chunks of poisoning
 * @pool: the pool being poisoned.
 *
 * Called without the pool lock between two slabs; a KUnit case replaces
 * it (static stub) to act in the middle of the walk.
 *
 * Context: process context.
 */
void memlab_slice_poison_pause(struct memlab_slice_pool *pool)
{
	KUNIT_STATIC_STUB_REDIRECT(memlab_slice_poison_pause, pool);
	cond_resched();
}

/*
 * Poison every free object on the partial and empty lists (full slabs have
 * none), one slab per lock hold.  Slabs still to do sit at the tail of
 * their list (slice_relist() keeps it so), each done one moves to the head;
 * the walk ends at the first up-to-date tail, or when another change of the
 * debug flags supersedes it.  A corrupted list is abandoned, as in
 * allocation.
 */
static void slice_poison_walk(struct memlab_slice_pool *pool, u32 gen)
{
	static const enum slice_list walked[] = { SLICE_PARTIAL, SLICE_EMPTY };
	struct slice_slab *slab;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(walked); i++) {
		struct list_head *list = &pool->lists[walked[i]];

		for (;;) {
			bool done;

			spin_lock_irqsave(&pool->lock, flags);
			slab = list_empty(list) ? NULL : list_last_entry(list, struct slice_slab,
									 list);
			done = pool->poison_gen != gen || !slice_poisoning(pool) || !slab ||
			       slab->poison_gen == gen;
			if (!done) {
				if (slice_poison_slab(pool, slab)) {
					list_move(&slab->list, list);
				} else {
					slice_relist(pool, slab);
					if (slab->inuse == slab->lost)
						slice_free_slab(pool, slab);
				}
			}
			spin_unlock_irqrestore(&pool->lock, flags);
			if (done)
				break;
			memlab_slice_poison_pause(pool);
		}
	}
}

/**
 * memlab_slice_set_debug() - change a pool's debug checks
 * @pool: the pool.
 * @debug: MEMLAB_SLICE_POISON and/or MEMLAB_SLICE_REDZONE, or 0.
 *
 * Poisoning may change at any time: turning it on poisons every object that
 * is free at that moment, one slab per lock hold, before returning; objects
 * freed meanwhile are poisoned by their free.  The red zone changes the
 * slab layout, so it can only change while the pool holds no slabs.
 *
 * Context: process context.
 * Return: 0; -EINVAL for unknown flags; -EBUSY for a red-zone change with
 * slabs held.
 */
int memlab_slice_set_debug(struct memlab_slice_pool *pool, unsigned int debug)
{
	unsigned long flags;
	bool poison_on;
	int ret = 0;
	u32 gen;

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
			pool->mag_max = slice_mag_max(pool->slot);
			pool->order = order;
			pool->objs = objs;
			pool->hdr_off = (PAGE_SIZE << order) - slice_hdr_size(objs);
			pool->recip = reciprocal_value(pool->slot);
		}
	}
	poison_on = !ret && (debug & ~pool->debug & MEMLAB_SLICE_POISON);
	if (poison_on)
		pool->poison_gen++;	/* every slab is out of date now */
	gen = pool->poison_gen;
	if (!ret)
		WRITE_ONCE(pool->debug, debug);
	spin_unlock_irqrestore(&pool->lock, flags);
	if (poison_on) {
		/* the flag first: what the magazines give back is poisoned as it goes */
		slice_drain_all(pool);
		slice_poison_walk(pool, gen);
	}
	return ret;
}

/**
 * memlab_slice_set_fault_hook() - make a pool's allocations fail on purpose
 * @pool: the pool.
 * @hook: asked before every allocation; true makes it fail (counted as a
 *	failure and as injected).  NULL removes it.  Must not sleep.
 * @arg: passed to @hook.
 *
 * Context: process context, while no allocation is in flight.
 */
void memlab_slice_set_fault_hook(struct memlab_slice_pool *pool, memlab_fault_fn hook, void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	memlab_fault_hook_set(&pool->fault, hook, arg);
	spin_unlock_irqrestore(&pool->lock, flags);
}

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
	struct slice_slab *slab = memlab_slice_lookup(pages, addr);
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
		if (memlab_slice_lookup(pages, addr) == slab && slab->pool == pool) {
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

/**
 * memlab_slice_stats() - a snapshot of a pool
 * @pool: the pool.
 * @st: filled in.
 *
 * O(CPUs) under the pool lock; reads magazines without their locks (their
 * counts change under the pool lock whenever objects move between
 * magazines and slabs, so the snapshot is consistent with the slabs).
 *
 * Context: any context but NMI.
 */
void memlab_slice_stats(struct memlab_slice_pool *pool, struct memlab_slice_stats *st)
{
	unsigned long flags, inuse;
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
	st->active_slabs = pool->nr_slabs - pool->nr_on[SLICE_EMPTY];
	st->cpu_cached = 0;
	for_each_possible_cpu(cpu) {
		struct slice_cpu *c = per_cpu_ptr(pool->cpu, cpu);

		st->cpu_cached += READ_ONCE(c->count);
		st->allocs += READ_ONCE(c->allocs);
		st->frees += READ_ONCE(c->frees);
	}
	inuse = pool->nr_inuse - pool->nr_lost;
	st->active_objs = inuse - min(inuse, st->cpu_cached);
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* Validators: MEMLAB_CHECK() for @pool, counting in @bad. */
#define SLICE_CHECK(cond, fmt, ...) \
	MEMLAB_CHECK(bad, "slice", pool->name, cond, fmt, ##__VA_ARGS__)

/*
 * Check one slab.  Its free list is walked with the same validation as
 * allocation uses; a corrupted one is caller misuse (a write after free),
 * so it is counted and abandoned as allocation would, not reported as a
 * violation.  Context: caller holds pool->lock.
 */
static int slice_check_slab(struct memlab_slice_pool *pool, struct slice_slab *slab,
			    struct list_head *list, bool *freed)
{
	unsigned int n = 0, left = pool->objs - slab->inuse, mapped;
	void *obj = slab->freelist, *next;
	int bad = 0;

	lockdep_assert_held(&pool->lock);
	SLICE_CHECK(slab->magic == SLICE_MAGIC && slab->pool == pool,
		    "slab %p: bad header", slab);
	SLICE_CHECK(memlab_slice_lookup(pool->pages, slab->base) == slab,
		    "slab %p: not found from its own base", slab);
	SLICE_CHECK(slab->inuse <= pool->objs && slab->lost <= slab->inuse &&
		    (slab->broken || !slab->lost),
		    "slab %p: inuse %u lost %u of %u", slab, slab->inuse, slab->lost, pool->objs);
	if (!slice_free_ok(pool, slab, obj, left)) {
		slice_abandon(pool, slab, slab);
		obj = NULL;
	}
	while (obj) {
		n++;
		next = slice_next_free(pool, slab, obj, --left);
		if (IS_ERR(next)) {
			slice_abandon(pool, slab, obj);
			n = 0;
			break;
		}
		obj = next;
	}
	if (slab->broken) {
		slice_relist(pool, slab);
		if (slab->inuse == slab->lost) {
			slice_free_slab(pool, slab);
			*freed = true;
			return bad;
		}
	}
	SLICE_CHECK(&pool->lists[slab->which] == list || slab->which == SLICE_FULL,
		    "slab %p: listed apart from its list %u", slab, slab->which);
	SLICE_CHECK(slab->which == slice_list_for(pool, slab),
		    "slab %p: inuse %u on the wrong list", slab, slab->inuse);
	SLICE_CHECK(n == pool->objs - slab->inuse, "slab %p: %u on the free list, inuse %u",
		    slab, n, slab->inuse);
	/* with magazines drained, free bits are exactly the free list and the lost objects */
	mapped = bitmap_weight(slab->map, pool->objs);
	SLICE_CHECK(mapped == n + slab->lost, "slab %p: %u free bits, %u on the free list, %u lost",
		    slab, mapped, n, slab->lost);
	return bad;
}

/**
 * memlab_slice_check() - re-derive every invariant of a pool
 * @pool: the pool.
 *
 * With the magazines drained: each slab's header is intact and found from
 * its own objects; it sits on the list its use count calls for; its free
 * list holds exactly objs - inuse objects, each passing the link validation
 * of allocation; its set free-map bits are exactly the free list and the
 * lost objects; the per-list, slab, use and lost counts match the slabs.
 * A corrupted free list is counted as FREELIST misuse and abandoned, as
 * allocation does.  Exact when nothing else uses the pool meanwhile
 * (objects on their way into a magazine on another CPU have their bit set).
 *
 * Context: process context (drains every CPU's magazine; may sleep).
 * Return: the number of violations; 0 means healthy.
 */
int memlab_slice_check(struct memlab_slice_pool *pool)
{
	unsigned long flags, n = 0, inuse = 0, lost = 0, on[SLICE_NR_LISTS] = { };
	struct slice_slab *slab, *tmp;
	unsigned int i;
	int bad = 0;

	slice_drain_all(pool);
	spin_lock_irqsave(&pool->lock, flags);
	for (i = 0; i < SLICE_NR_LISTS; i++) {
		list_for_each_entry_safe(slab, tmp, &pool->lists[i], list) {
			bool freed = false;

			bad += slice_check_slab(pool, slab, &pool->lists[i], &freed);
			if (freed)
				continue;
			n++;
			on[slab->which]++;
			inuse += slab->inuse;
			lost += slab->lost;
		}
	}
	for (i = 0; i < SLICE_NR_LISTS; i++)
		SLICE_CHECK(on[i] == pool->nr_on[i], "%lu slabs on list %u, %lu counted", on[i], i,
			    pool->nr_on[i]);
	SLICE_CHECK(n == pool->nr_slabs, "%lu slabs listed, %lu counted", n, pool->nr_slabs);
	SLICE_CHECK(inuse == pool->nr_inuse, "%lu objects in use, %lu counted", inuse,
		    pool->nr_inuse);
	SLICE_CHECK(lost == pool->nr_lost, "%lu objects lost, %lu counted", lost, pool->nr_lost);
	spin_unlock_irqrestore(&pool->lock, flags);
	return bad;
}

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
