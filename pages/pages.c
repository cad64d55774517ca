// SPDX-License-Identifier: GPL-2.0
/*
 * pages: a buddy page allocator over an LMM pool.
 *
 * An instance covers a span of address space [base, base + size) and keeps
 * one descriptor per page of it, in an array outside the pages: page <->
 * address is an index computation.  It holds memory in max-order blocks
 * taken from an LMM pool with lmm_alloc_gen(), aligned to the block size
 * *relative to base* (the LMM's phase argument), so every block of order k
 * starts at a page index that is a multiple of 2^k and its buddy is at
 * index ^ 2^k, as in Linux.
 *
 *   base                                                      base + size
 *   | held block (max order)          | not held (LMM's) | held block  |
 *   |[  4  ][ 2 ][1][1][  4  ]...     |                  |[    8     ]|
 *     ^head  ^head      descriptors: HEAD on heads, FREE on heads of free
 *                       blocks, CACHED on per-CPU pages, nothing on tails;
 *                       which zone holds each max-order block: one byte apart
 *
 * Free blocks of each order sit on their zone's free_area list; the head
 * descriptor records the order.  Freeing merges with the buddy while it is
 * a free head of the same order, up to the maximum order; a whole
 * free max-order block beyond the zone's reserve goes back to the LMM.
 * The reserve can follow demand (memlab_pages_set_demand()): each block
 * taken from the LMM raises the zone's demand by one, so a workload that
 * cycles through many max-order blocks keeps them instead of taking and
 * returning them again and again; a timer halves an idle zone's demand
 * every second and gives the surplus back, so an idle instance holds only
 * the fixed reserve.
 * Where a freed block goes in its free list is one named policy,
 * mp_free_to_tail(): the tail when its parent's buddy is free (Linux's
 * buddy_merge_likely), the head otherwise.
 *
 * Order-0 pages also pass through per-CPU caches, filled and drained in
 * batches, so the common alloc and free take no instance-wide lock.
 *
 * Page states, in a head descriptor's flags:
 *	HEAD|FREE	on a free list of its zone
 *	HEAD|CACHED	an order-0 page in a per-CPU cache
 *	HEAD|ALLOC	allocated: it belongs to a caller
 *	HEAD		in transit: taken off a list, or claimed by a free, by
 *			a path that holds it for a moment; nobody's to free
 * Only a caller's free leaves the ALLOC state, and it does so with a cmpxchg
 * from HEAD|ALLOC (the claim); only an allocation enters it.  So of two
 * racing frees of one block exactly one wins the claim and the other is
 * refused as a double free, and no drain, split or merge ever stores a
 * value a claim could mistake for an allocated block.
 *
 * Lock order:
 *   1. memlab_pcp.lock (per CPU and zone; spinlock_t, irqs on)
 *   2. memlab_pages.lock (per instance; spinlock_t, irq-safe)
 *   3. lmm->lock (the LMM pool's own; see lmm/lmm.c)
 *
 *   memlab_pcp.lock
 *
 *   Protects one CPU's cache of one zone: @list, @count and the cache's
 *   @allocs and @frees (read without it, with READ_ONCE(), by snapshots).
 *   Taken on the local CPU with the pcp_spin_lock pattern of
 *   mm/page_alloc.c: the task is pinned to the CPU (preempt_disable(), or
 *   migrate_disable() on PREEMPT_RT, where spinlock_t sleeps) and the lock
 *   is only tried; if it is busy (an interrupt came while this CPU held it,
 *   or another task of this CPU on RT) the operation goes straight to the
 *   buddy lists.  Interrupts stay on.  Remote drains (snapshots, shrink, CPU
 *   hotplug) take it with spin_lock() from any CPU.
 *
 *   memlab_pages.lock
 *
 *   Protects the zones (free_area lists, @nr_free, @blocks_held, @demand,
 *   @busy), the descriptors of free, cached-in-transit and held blocks, the
 *   block map @blk, @reserve_blocks, @demand_max, @warned and the counters
 *   @st.  Taken with spin_lock_irqsave(); it nests inside a pcp lock when a
 *   cache refills or drains, and the LMM's lock nests inside it when a
 *   max-order block is taken or given back.  Every buddy helper below says
 *   "Context: caller holds mp->lock" and asserts it.
 *
 *   Descriptors of allocated blocks (order, owner) belong to their owner;
 *   @poisoned (debug mode) changes only with the block's state, under the
 *   lock that covers that state, or by the claiming free.  @debug and the
 *   fault hook are read without a lock (READ_ONCE()).
 */

#define pr_fmt(fmt) "memlab: " fmt

#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "common/check.h"
#include "common/fault_hook.h"
#include "common/memlab_export.h"
#include "common/memlab_trace.h"
#include "common/misuse.h"
#include "pages/pages.h"

/* ------------------------------------------------------------------------
 * Data
 * ------------------------------------------------------------------------
 */

#define MP_HEAD		0x02	/* first page of a block; @order is valid */
#define MP_FREE		0x04	/* head of a block on a free list */
#define MP_CACHED	0x08	/* order-0 page in a per-CPU cache */
#define MP_ALLOC	0x10	/* head of a block a caller holds */

/*
 * Per-CPU cache sizes: refill and drain @batch pages at a time, keep at
 * most @high.  Linux's pcp uses similar small batches (a few dozen pages):
 * large enough to amortise the instance lock, small enough not to hide
 * much memory from the buddy lists.
 */
/* Fills free blocks in debug mode, as the kernel's PAGE_POISON does. */
#define MP_POISON	0xaa

/* Steps (block heads or skipped pages) of a walk per hold of the instance lock. */
#define MP_WALK_CHUNK	512

#define MP_PCP_BATCH	16
#define MP_PCP_HIGH	64

/* The demand reserve is halved each idle second (the default @decay_every). */
#define MP_DEMAND_TICK	HZ
/* Blocks given back to the LMM per hold of the instance lock. */
#define MP_RETURN_CHUNK	16

/**
 * struct memlab_page - descriptor of one page of an instance's span
 * @list: free list (head of a free block) or per-CPU cache (order 0).
 * @owner: the allocating layer's tag, for allocated blocks.
 * @order: block order; valid with MP_HEAD.
 * @flags: MP_* bits.
 * @poisoned: the whole block is filled with MP_POISON (debug mode); valid
 *	on free and cached heads.  An allocation checks the poison only of a
 *	block that carries it, so turning debug mode on never reports blocks
 *	that were free before it was poisoned.
 */
struct memlab_page {
	struct list_head list;
	void *owner;
	u8 order;
	u8 flags;
	u8 poisoned;
};

/* A per-CPU cache of free order-0 pages of one zone. */
struct memlab_pcp {
	spinlock_t lock;	/* @list and @count; see "Locking" above */
	struct list_head list;
	unsigned int count;
	u64 allocs;		/* served from the cache */
	u64 frees;		/* taken into the cache */
};

struct memlab_zone {
	const char *name;
	lmm_flags_t lmm_flags;
	struct list_head free_area[MEMLAB_PAGES_NR_ORDERS];
	unsigned long nr_free[MEMLAB_PAGES_NR_ORDERS];
	unsigned long blocks_held;
	unsigned int demand;	/* blocks recently taken from the LMM, decaying */
	bool busy;		/* a max-order block was handed out since the last tick */
	struct memlab_pcp __percpu *pcp;
};

/**
 * struct memlab_pages - an instance
 * @lock: protects everything below but @pcp contents and the constants.
 * @name: for messages.
 * @lmm: where max-order blocks come from; constant.
 * @base: first byte of the span, page aligned; constant.
 * @nr_pages: pages in the span; constant.
 * @max_order: largest block order; constant.
 * @nr_zones: zones in @zones; constant.
 * @reserve_blocks: free max-order blocks a zone keeps before giving back,
 *	at least; a zone's demand can raise it (see mp_keep_blocks()).
 * @demand_max: the most a zone's demand may reach; 0: a fixed reserve.
 * @decay: halves idle zones' demand and gives back the surplus.
 * @decay_every: jiffies between decay steps.
 * @warned: misuse kinds already warned about.
 * @debug: poison free blocks and check the poison on allocation.
 * @fault: fault injection: fail this allocation?
 * @zones: the zones.
 * @map: one descriptor per page of the span.
 * @blk: one byte per max-order block of the span: 0 while the LMM has it,
 *	else the index + 1 of the zone holding it.  Pages of unheld blocks, and
 *	tail pages of held ones, have no flags: taking and returning a block
 *	costs O(1), not a pass over its descriptors.
 * @st: counters (the zone part of a snapshot is derived).
 * @cpuhp: on memlab's CPU-hotplug state, whose teardown drains the dead
 *	CPU's caches.
 */
struct memlab_pages {
	spinlock_t lock;	/* all but the constants and @pcp contents; irq-safe */
	const char *name;
	struct lmm *lmm;
	uintptr_t base;
	unsigned long nr_pages;
	unsigned int max_order;
	unsigned int nr_zones;
	unsigned int reserve_blocks;
	unsigned int demand_max;
	struct delayed_work decay;
	unsigned long decay_every;
	unsigned long warned;
	bool debug;
	struct memlab_fault_hook fault;
	struct memlab_zone zones[MEMLAB_PAGES_MAX_ZONES];
	struct memlab_page *map;
	u8 *blk;
	struct memlab_pages_stats st;
	struct hlist_node cpuhp;
};

/* memlab's dynamic CPU-hotplug state for pages instances, or 0. */
static enum cpuhp_state mp_cpuhp_state;

static const char * const mp_misuse_names[] = {
	[MEMLAB_PAGES_MISUSE_FOREIGN]		= "address outside the instance",
	[MEMLAB_PAGES_MISUSE_UNALIGNED]		= "address not page aligned",
	[MEMLAB_PAGES_MISUSE_TAIL]		= "tail page of a block",
	[MEMLAB_PAGES_MISUSE_DOUBLE_FREE]	= "page already free",
	[MEMLAB_PAGES_MISUSE_NOT_HELD]		= "page not held by the instance",
	[MEMLAB_PAGES_MISUSE_BAD_ORDER]		= "order above the maximum",
	[MEMLAB_PAGES_MISUSE_USE_AFTER_FREE]	= "free block written (use after free)",
};

static_assert(ARRAY_SIZE(mp_misuse_names) == MEMLAB_PAGES_NR_MISUSE);

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */

static inline unsigned long mp_idx(const struct memlab_pages *mp,
				   const struct memlab_page *page)
{
	return page - mp->map;
}

static inline uintptr_t mp_addr(const struct memlab_pages *mp, unsigned long idx)
{
	return mp->base + (idx << PAGE_SHIFT);
}

static inline size_t mp_block_bytes(const struct memlab_pages *mp)
{
	return PAGE_SIZE << mp->max_order;
}

/* Whether the max-order block holding page @idx is held, and by which zone. */
static inline bool mp_held(const struct memlab_pages *mp, unsigned long idx)
{
	return mp->blk[idx >> mp->max_order];
}

static inline unsigned int mp_zone(const struct memlab_pages *mp, unsigned long idx)
{
	return mp->blk[idx >> mp->max_order] - 1;
}

/*
 * The pages events, for a head descriptor of @mp or NULL: the block's address
 * and offset are worked out only when the event is on.
 */
static __always_inline void mp_trace_alloc(const struct memlab_pages *mp,
					   const struct memlab_page *page, unsigned int order,
					   lmm_flags_t flags, unsigned long call_site)
{
	unsigned long ofs;

	if (!trace_memlab_pages_alloc_enabled())
		return;
	ofs = page ? mp_idx(mp, page) << PAGE_SHIFT : 0;
	trace_memlab_pages_alloc(call_site, mp->name, page ? (void *)(mp->base + ofs) : NULL,
				 ofs, order, flags);
}

static __always_inline void mp_trace_free(const struct memlab_pages *mp,
					  const struct memlab_page *page, unsigned long call_site)
{
	bool ours = page >= mp->map && page < mp->map + mp->nr_pages;
	unsigned long ofs;

	if (!trace_memlab_pages_free_enabled())
		return;
	ofs = ours ? mp_idx(mp, page) << PAGE_SHIFT : 0;
	trace_memlab_pages_free(call_site, mp->name, ours ? (void *)(mp->base + ofs) : page,
				ofs, ours ? READ_ONCE(page->order) : 0, 0);
}

/*
 * Count a caller error and warn about the first of each kind per instance
 * (memlab_misuse_warn_once()), naming the instance and the page as an
 * offset into the span; a KUnit case that provokes it holds the
 * "pages_misuse" log and finds the kind, the address and that offset there.
 * Context: any context; takes mp->lock, so the caller must not hold it.
 */
static void mp_misuse(struct memlab_pages *mp, enum memlab_pages_misuse kind,
		      const void *addr)
{
	bool ours = memlab_pages_contains(mp, addr, 1);
	unsigned long ofs = ours ? (uintptr_t)addr - mp->base : 0;
	unsigned long flags;
	bool warn;

	spin_lock_irqsave(&mp->lock, flags);
	mp->st.misuse[kind]++;
	warn = memlab_misuse_warn_once(&mp->warned, "pages_misuse", kind, addr, ofs);
	spin_unlock_irqrestore(&mp->lock, flags);
	trace_memlab_misuse("pages", mp->name, mp_misuse_names[kind], addr, 0, ofs);
	if (!warn)
		return;
	/* An offset into the span says more than an address, and hides nothing. */
	if (ours)
		pr_warn("pages %s: %s: offset %#lx (further ones counted, not shown)\n",
			mp->name, mp_misuse_names[kind], ofs);
	else
		pr_warn("pages %s: %s: %p, outside the span (further ones counted, not shown)\n",
			mp->name, mp_misuse_names[kind], addr);
}

/* ------------------------------------------------------------------------
 * The buddy allocator proper.  Context: caller holds mp->lock.
 * ------------------------------------------------------------------------
 */

/*
 * Put the block at @idx of @order on its zone's free list: at the tail if
 * @to_tail (see mp_free_to_tail()), else at the head, where allocation
 * takes first.
 */
static void mp_add_free(struct memlab_pages *mp, struct memlab_zone *z,
			unsigned long idx, unsigned int order, bool to_tail, bool poisoned)
{
	struct memlab_page *page = &mp->map[idx];

	lockdep_assert_held(&mp->lock);
	page->order = order;
	page->poisoned = poisoned;
	WRITE_ONCE(page->flags, MP_HEAD | MP_FREE);
	if (to_tail)
		list_add_tail(&page->list, &z->free_area[order]);
	else
		list_add(&page->list, &z->free_area[order]);
	z->nr_free[order]++;
}

/* Take a free block off its list; it is in transit (bare HEAD) until placed. */
static void mp_del_free(struct memlab_pages *mp, struct memlab_zone *z,
			struct memlab_page *page)
{
	lockdep_assert_held(&mp->lock);
	list_del(&page->list);
	z->nr_free[page->order]--;
	WRITE_ONCE(page->flags, MP_HEAD);
}

/* Take a max-order block for zone @zi from the LMM; false if it has none. */
static bool mp_take_block(struct memlab_pages *mp, unsigned int zi)
{
	struct memlab_zone *z = &mp->zones[zi];
	unsigned int bits = PAGE_SHIFT + mp->max_order;
	unsigned long idx;
	void *block;

	lockdep_assert_held(&mp->lock);
	block = lmm_alloc_gen(mp->lmm, mp_block_bytes(mp), z->lmm_flags, bits, mp->base,
			      mp->base, mp->nr_pages << PAGE_SHIFT);
	if (!block)
		return false;
	idx = ((uintptr_t)block - mp->base) >> PAGE_SHIFT;
	mp->blk[idx >> mp->max_order] = zi + 1;	/* its pages carry no flags yet */
	/* Not poisoned (the LMM kept its index node in it): never checked. */
	mp_add_free(mp, z, idx, mp->max_order, false, false);
	z->blocks_held++;
	mp->st.lmm_takes++;
	if (z->demand < mp->demand_max && !z->demand++)
		schedule_delayed_work(&mp->decay, READ_ONCE(mp->decay_every));
	return true;
}

/*
 * Free max-order blocks a zone keeps: the fixed reserve, or as many as it
 * took from the LMM lately, whichever is more.
 */
static unsigned int mp_keep_blocks(const struct memlab_pages *mp, const struct memlab_zone *z)
{
	lockdep_assert_held(&mp->lock);
	return max(mp->reserve_blocks, z->demand);
}

/* Give the free max-order block at @idx back to the LMM. */
static void mp_return_block(struct memlab_pages *mp, struct memlab_zone *z,
			    unsigned long idx)
{
	lockdep_assert_held(&mp->lock);
	mp_del_free(mp, z, &mp->map[idx]);
	WRITE_ONCE(mp->map[idx].flags, 0);	/* whole and free: no page has flags */
	mp->blk[idx >> mp->max_order] = 0;
	z->blocks_held--;
	mp->st.lmm_returns++;
	/* The block came from this pool with this size: it cannot be refused. */
	WARN_ON_ONCE(lmm_free(mp->lmm, (void *)mp_addr(mp, idx), mp_block_bytes(mp)));
}

/* Give the first free max-order block of @z back to the LMM. */
static void mp_return_first_block(struct memlab_pages *mp, struct memlab_zone *z)
{
	lockdep_assert_held(&mp->lock);
	mp_return_block(mp, z, mp_idx(mp, list_first_entry(&z->free_area[mp->max_order],
							   struct memlab_page, list)));
}

/* Remove a block of @order from zone @zi, splitting a larger one if needed. */
static struct memlab_page *mp_rmqueue(struct memlab_pages *mp, unsigned int zi,
				      unsigned int order, u8 state)
{
	struct memlab_zone *z = &mp->zones[zi];
	struct memlab_page *page;
	unsigned int o;
	unsigned long idx;

	lockdep_assert_held(&mp->lock);
	for (o = order; o <= mp->max_order; o++)
		if (!list_empty(&z->free_area[o]))
			break;
	if (o > mp->max_order) {
		if (!mp_take_block(mp, zi))
			return NULL;
		o = mp->max_order;
	}
	if (o == mp->max_order)
		z->busy = true;
	page = list_first_entry(&z->free_area[o], struct memlab_page, list);
	mp_del_free(mp, z, page);
	idx = mp_idx(mp, page);
	while (o > order) {		/* keep the low half, free the high halves */
		o--;
		mp_add_free(mp, z, idx + (1UL << o), o, false, page->poisoned);
		mp->st.splits++;
	}
	page->order = order;
	page->owner = NULL;
	/* last, in one store: the block's new state, ALLOC or CACHED */
	WRITE_ONCE(page->flags, MP_HEAD | state);
	return page;
}

static inline bool mp_is_free_head(const struct memlab_page *p, unsigned int order)
{
	return p->flags == (MP_HEAD | MP_FREE) && p->order == order;
}

/*
 * Linux's buddy_merge_likely(): whether the buddy of the parent of the
 * block at @idx of @order is a free block of the parent's order, so that
 * once the block's own buddy comes back the two merge, and merge again.
 */
static bool mp_merge_likely(const struct memlab_pages *mp, unsigned long idx,
			    unsigned int order)
{
	unsigned long pidx;

	lockdep_assert_held(&mp->lock);
	if (order + 1 >= mp->max_order)
		return false;
	pidx = (idx & ~(1UL << order)) ^ (2UL << order);
	return mp_is_free_head(&mp->map[pidx], order + 1);
}

/*
 * The tail-placement policy: where a freed (and merged) block goes in its
 * free list.  Allocation takes from the head, so the head is for blocks to
 * hand out next: recently used memory, still warm in the cache.  A block
 * that is likely to merge soon (mp_merge_likely()) goes to the tail
 * instead, so that allocations take other blocks first and leave it time
 * to become part of a larger free block; handing it out would split the
 * larger block before it forms.  Blocks split off by an allocation go to
 * the head (their buddy has just been taken), and so does a max-order
 * block from the LMM: nothing is larger to merge into.
 */
static bool mp_free_to_tail(const struct memlab_pages *mp, unsigned long idx,
			    unsigned int order)
{
	return mp_merge_likely(mp, idx, order);
}

/*
 * Free the block at @idx of @order into its zone, merging with buddies.
 * The block is in transit (bare HEAD); @poisoned says whether all of it
 * holds the poison pattern.  Every caller has screened the block already
 * (a caller's free claims it first): a failed precondition is a memlab
 * bug, warned about once and, where going on would corrupt the lists, the
 * block is leaked instead.
 * Context: caller holds mp->lock.
 */
static void mp_free_block(struct memlab_pages *mp, unsigned long idx, unsigned int order,
			  bool poisoned)
{
	struct memlab_zone *z;

	lockdep_assert_held(&mp->lock);
	VM_WARN_ON_ONCE(idx >= mp->nr_pages || !mp_held(mp, idx));
	if (WARN_ON_ONCE(READ_ONCE(mp->map[idx].flags) != MP_HEAD ||
			 order > mp->max_order || (idx & ((1UL << order) - 1))))
		return;		/* leak the block rather than corrupt the lists */
	z = &mp->zones[mp_zone(mp, idx)];
	while (order < mp->max_order) {
		unsigned long bidx = idx ^ (1UL << order);
		struct memlab_page *buddy = &mp->map[bidx];

		/* the buddy lies in the same max-order block, so in the same zone */
		if (!mp_is_free_head(buddy, order))
			break;
		poisoned &= buddy->poisoned;
		mp_del_free(mp, z, buddy);
		WRITE_ONCE(mp->map[idx | bidx].flags, 0);	/* the upper half */
		idx &= bidx;
		order++;
		mp->st.merges++;
	}
	mp_add_free(mp, z, idx, order, mp_free_to_tail(mp, idx, order), poisoned);
	if (order == mp->max_order && z->nr_free[order] > mp_keep_blocks(mp, z))
		mp_return_block(mp, z, idx);
}

/*
 * One step of the demand reserve's decay, for every zone: a zone that handed
 * out no max-order block since the last step halves its demand, and free
 * max-order blocks beyond what it keeps go back to the LMM, a chunk per lock
 * hold.  Return: some zone still has demand, so another step is due.
 */
bool memlab_pages_decay_tick(struct memlab_pages *mp)
{
	bool again = false;
	unsigned int zi;

	for (zi = 0; zi < mp->nr_zones; zi++) {
		struct memlab_zone *z = &mp->zones[zi];
		bool first = true, more;

		do {
			unsigned int n = 0;
			unsigned long flags;

			spin_lock_irqsave(&mp->lock, flags);
			if (first && z->busy)
				z->busy = false;
			else if (first)
				z->demand /= 2;
			first = false;
			while (z->nr_free[mp->max_order] > mp_keep_blocks(mp, z) &&
			       n++ < MP_RETURN_CHUNK)
				mp_return_first_block(mp, z);
			more = z->nr_free[mp->max_order] > mp_keep_blocks(mp, z);
			again |= z->demand > 0;
			spin_unlock_irqrestore(&mp->lock, flags);
		} while (more);
	}
	return again;
}

/* For KUnit: steps far apart, so a case takes them itself with the function above. */
void memlab_pages_set_decay_every(struct memlab_pages *mp, unsigned long interval)
{
	WRITE_ONCE(mp->decay_every, interval);
}

static void mp_decay_fn(struct work_struct *work)
{
	struct memlab_pages *mp = container_of(to_delayed_work(work), struct memlab_pages,
					       decay);

	if (memlab_pages_decay_tick(mp))
		schedule_delayed_work(&mp->decay, READ_ONCE(mp->decay_every));
}

/* ------------------------------------------------------------------------
 * Per-CPU caches of order-0 pages
 * ------------------------------------------------------------------------
 */

/*
 * The pcp_spin_lock pattern: pin the task to its CPU without disabling
 * interrupts (migrate_disable() where spinlock_t sleeps), then only try the
 * lock, so an interrupt that arrives while this CPU holds its cache goes to
 * the buddy lists instead of deadlocking.  On UP without RT spin_trylock()
 * always succeeds, so interrupts are disabled there, as mm/page_alloc.c does.
 */
#ifndef CONFIG_PREEMPT_RT
#define mp_pin()		preempt_disable()
#define mp_unpin()		preempt_enable()
#else
#define mp_pin()		migrate_disable()
#define mp_unpin()		migrate_enable()
#endif

#if defined(CONFIG_SMP) || defined(CONFIG_PREEMPT_RT)
#define mp_trylock_prepare(flags)	((void)(flags))
#define mp_trylock_finish(flags)	((void)(flags))
#else
#define mp_trylock_prepare(flags)	local_irq_save(flags)
#define mp_trylock_finish(flags)	local_irq_restore(flags)
#endif

/* This CPU's cache of zone @z, locked; NULL if it is busy. */
static struct memlab_pcp *mp_pcp_trylock(struct memlab_zone *z)
{
	struct memlab_pcp *pcp;

	mp_pin();
	pcp = this_cpu_ptr(z->pcp);
	if (!spin_trylock(&pcp->lock)) {
		mp_unpin();
		return NULL;
	}
	return pcp;
}

static void mp_pcp_unlock(struct memlab_pcp *pcp)
{
	spin_unlock(&pcp->lock);
	mp_unpin();
}

/* Move up to @nr pages from a pcp back to the buddy lists. */
static void mp_pcp_drain(struct memlab_pages *mp, struct memlab_pcp *pcp, unsigned int nr)
{
	struct memlab_page *page;
	unsigned long flags;

	lockdep_assert_held(&pcp->lock);
	if (!pcp->count)
		return;
	spin_lock_irqsave(&mp->lock, flags);
	while (nr-- && pcp->count) {
		/* the coldest first: frees add at the head, drains take from the tail */
		page = list_last_entry(&pcp->list, struct memlab_page, list);
		list_del(&page->list);
		pcp->count--;
		WRITE_ONCE(page->flags, MP_HEAD);	/* in transit, never ALLOC */
		mp_free_block(mp, mp_idx(mp, page), 0, page->poisoned);
	}
	spin_unlock_irqrestore(&mp->lock, flags);
}

/* Drain one CPU's caches, from any CPU (that CPU may be dead). */
static void mp_drain_cpu(struct memlab_pages *mp, unsigned int cpu)
{
	unsigned int zi;

	for (zi = 0; zi < mp->nr_zones; zi++) {
		struct memlab_pcp *pcp = per_cpu_ptr(mp->zones[zi].pcp, cpu);

		spin_lock(&pcp->lock);
		mp_pcp_drain(mp, pcp, UINT_MAX);
		spin_unlock(&pcp->lock);
	}
}

static void mp_drain_all(struct memlab_pages *mp)
{
	int cpu;

	for_each_possible_cpu(cpu)
		mp_drain_cpu(mp, cpu);
}

/*
 * Before an allocation fails, give it what the other CPUs' caches hold, as
 * the kernel's slow path drains the pcp lists: a page freed on one CPU must
 * not be out of reach of the others.  Only tried: this may run in an
 * interrupt that arrived while some CPU's cache lock was held.
 * Return: whether any page moved.
 */
static bool mp_drain_all_try(struct memlab_pages *mp)
{
	bool moved = false;
	unsigned int zi;
	int cpu;

	for_each_possible_cpu(cpu) {
		for (zi = 0; zi < mp->nr_zones; zi++) {
			struct memlab_pcp *pcp = per_cpu_ptr(mp->zones[zi].pcp, cpu);

			if (!READ_ONCE(pcp->count) || !spin_trylock(&pcp->lock))
				continue;
			moved |= pcp->count;
			mp_pcp_drain(mp, pcp, UINT_MAX);
			spin_unlock(&pcp->lock);
		}
	}
	return moved;
}

/* CPU hotplug teardown: a dead CPU keeps no pages from the buddy lists. */
static int mp_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct memlab_pages *mp = hlist_entry_safe(node, struct memlab_pages, cpuhp);

	mp_drain_cpu(mp, cpu);
	return 0;
}

/* Refill an empty cache with a batch; caller holds pcp->lock. */
static void mp_pcp_refill(struct memlab_pages *mp, unsigned int zi, struct memlab_pcp *pcp)
{
	struct memlab_page *page;
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&pcp->lock);
	spin_lock_irqsave(&mp->lock, flags);
	for (i = 0; i < MP_PCP_BATCH; i++) {
		page = mp_rmqueue(mp, zi, 0, MP_CACHED);
		if (!page)
			break;
		list_add_tail(&page->list, &pcp->list);
		pcp->count++;
	}
	spin_unlock_irqrestore(&mp->lock, flags);
}

/*
 * An order-0 page from this CPU's cache of zone @zi; with @busy set and
 * NULL returned when the cache is locked (the caller goes to the buddy).
 */
static struct memlab_page *mp_pcp_alloc(struct memlab_pages *mp, unsigned int zi, bool *busy)
{
	struct memlab_page *page = NULL;
	struct memlab_pcp *pcp;
	unsigned long flags;

	mp_trylock_prepare(flags);
	pcp = mp_pcp_trylock(&mp->zones[zi]);
	*busy = !pcp;
	if (pcp) {
		if (!pcp->count)
			mp_pcp_refill(mp, zi, pcp);
		if (pcp->count) {
			page = list_first_entry(&pcp->list, struct memlab_page, list);
			list_del(&page->list);
			pcp->count--;
			pcp->allocs++;
			page->owner = NULL;
			WRITE_ONCE(page->flags, MP_HEAD | MP_ALLOC);
		}
		mp_pcp_unlock(pcp);
	}
	mp_trylock_finish(flags);
	return page;
}

/*
 * Put a claimed order-0 page (HEAD|CACHED) into this CPU's cache.
 * Return: false if the cache is busy; the caller frees to the buddy.
 */
static bool mp_pcp_free(struct memlab_pages *mp, struct memlab_page *page)
{
	struct memlab_pcp *pcp;
	unsigned long flags;

	mp_trylock_prepare(flags);
	pcp = mp_pcp_trylock(&mp->zones[mp_zone(mp, mp_idx(mp, page))]);
	if (pcp) {
		list_add(&page->list, &pcp->list);
		pcp->count++;
		pcp->frees++;
		if (pcp->count > MP_PCP_HIGH)
			mp_pcp_drain(mp, pcp, MP_PCP_BATCH);
		mp_pcp_unlock(pcp);
	}
	mp_trylock_finish(flags);
	return pcp;
}

/* ------------------------------------------------------------------------
 * Debug poisoning
 * ------------------------------------------------------------------------
 */

static void mp_poison(struct memlab_pages *mp, unsigned long idx, unsigned int order)
{
	memset((void *)mp_addr(mp, idx), MP_POISON, PAGE_SIZE << order);
}

/*
 * Poison the free blocks that are not yet poisoned, one block per hold of
 * the instance lock: each is taken off its list (in transit), filled with
 * the lock dropped, and freed back poisoned.  Blocks freed meanwhile poison
 * themselves (debug is already set), so when the walk ends every free
 * block is poisoned but those freed by a free that read debug == 0 just
 * before the flip - and those are never checked, since they are unmarked.
 */
static void mp_poison_free_blocks(struct memlab_pages *mp)
{
	unsigned long idx = 0, flags;

	while (idx < mp->nr_pages && READ_ONCE(mp->debug)) {
		unsigned long end = min(mp->nr_pages, idx + 256);
		unsigned int order = 0;
		bool found = false;

		spin_lock_irqsave(&mp->lock, flags);
		while (idx < end) {
			struct memlab_page *p = &mp->map[idx];

			if (!mp_held(mp, idx)) {
				idx = (idx | ((1UL << mp->max_order) - 1)) + 1;
				continue;
			}
			if (p->flags == (MP_HEAD | MP_FREE) && !p->poisoned) {
				order = p->order;
				mp_del_free(mp, &mp->zones[mp_zone(mp, idx)], p);
				found = true;
				break;
			}
			idx += (p->flags & MP_HEAD) ? 1UL << p->order : 1;
		}
		spin_unlock_irqrestore(&mp->lock, flags);
		if (!found)
			continue;
		mp_poison(mp, idx, order);
		spin_lock_irqsave(&mp->lock, flags);
		mp_free_block(mp, idx, order, true);
		spin_unlock_irqrestore(&mp->lock, flags);
		/*
		 * Stay at @idx: the block may have merged with an unpoisoned
		 * buddy above it, and the merged block must be found again.
		 */
		cond_resched();
	}
}

/* ------------------------------------------------------------------------
 * Public interface
 * ------------------------------------------------------------------------
 */

/**
 * memlab_pages_create() - create a pages instance over an LMM pool
 * @name: for messages and statistics; must outlive the instance.
 * @lmm: the pool max-order blocks are taken from.
 * @base: first byte of the span the instance may use; page aligned.
 * @size: bytes of the span; a multiple of PAGE_SIZE.
 * @max_order: the largest block order, at most MEMLAB_PAGES_MAX_ORDER.
 * @zones: @nr_zones zone descriptions, in fallback order.
 * @nr_zones: 1 to MEMLAB_PAGES_MAX_ZONES.
 *
 * Takes no memory from the LMM yet: blocks are taken on demand, aligned to
 * 2^@max_order pages relative to @base.
 *
 * Context: process context; allocates the descriptor array (about 40 bytes
 * per page of the span) with kvmalloc.
 * Return: the instance, or an ERR_PTR: -EINVAL for bad arguments, -ENOMEM.
 */
struct memlab_pages *memlab_pages_create(const char *name, struct lmm *lmm,
					 void *base, size_t size,
					 unsigned int max_order,
					 const struct memlab_zone_desc *zones,
					 unsigned int nr_zones)
{
	struct memlab_pages *mp;
	unsigned int zi, o;
	int cpu;

	if (!lmm || !zones || !nr_zones || nr_zones > MEMLAB_PAGES_MAX_ZONES ||
	    max_order > MEMLAB_PAGES_MAX_ORDER || !size || (size & ~PAGE_MASK) ||
	    ((uintptr_t)base & ~PAGE_MASK) || (uintptr_t)base + size < (uintptr_t)base)
		return ERR_PTR(-EINVAL);

	mp = kzalloc(sizeof(*mp), GFP_KERNEL);
	if (!mp)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&mp->lock);
	INIT_DELAYED_WORK(&mp->decay, mp_decay_fn);
	mp->decay_every = MP_DEMAND_TICK;
	mp->name = name;
	mp->lmm = lmm;
	mp->base = (uintptr_t)base;
	mp->nr_pages = size >> PAGE_SHIFT;
	mp->max_order = max_order;
	mp->nr_zones = nr_zones;
	mp->reserve_blocks = 1;
	mp->map = kvcalloc(mp->nr_pages, sizeof(*mp->map), GFP_KERNEL);
	mp->blk = kvcalloc(DIV_ROUND_UP(mp->nr_pages, 1UL << max_order), 1, GFP_KERNEL);
	if (!mp->map || !mp->blk)
		goto fail;
	for (zi = 0; zi < nr_zones; zi++) {
		struct memlab_zone *z = &mp->zones[zi];

		z->name = zones[zi].name;
		z->lmm_flags = zones[zi].lmm_flags;
		for (o = 0; o < MEMLAB_PAGES_NR_ORDERS; o++)
			INIT_LIST_HEAD(&z->free_area[o]);
		z->pcp = alloc_percpu(struct memlab_pcp);
		if (!z->pcp)
			goto fail;
		for_each_possible_cpu(cpu) {
			struct memlab_pcp *pcp = per_cpu_ptr(z->pcp, cpu);

			spin_lock_init(&pcp->lock);
			INIT_LIST_HEAD(&pcp->list);
		}
	}
	if (mp_cpuhp_state > 0 && cpuhp_state_add_instance_nocalls(mp_cpuhp_state, &mp->cpuhp))
		goto fail;
	return mp;

fail:
	for (zi = 0; zi < nr_zones; zi++)
		free_percpu(mp->zones[zi].pcp);
	kvfree(mp->blk);
	kvfree(mp->map);
	kfree(mp);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_create, MEMLAB_NS);

static void mp_free_instance(struct memlab_pages *mp)
{
	unsigned int zi;

	cancel_delayed_work_sync(&mp->decay);
	if (mp_cpuhp_state > 0)
		cpuhp_state_remove_instance_nocalls(mp_cpuhp_state, &mp->cpuhp);
	for (zi = 0; zi < mp->nr_zones; zi++)
		free_percpu(mp->zones[zi].pcp);
	kvfree(mp->blk);
	kvfree(mp->map);
	kfree(mp);
}

/**
 * memlab_pages_shrink() - give back everything that can go back
 * @mp: the instance.
 *
 * Drains every per-CPU cache into the buddy lists and returns every free
 * max-order block to the LMM, reserve included.
 *
 * Context: any context.
 */
void memlab_pages_shrink(struct memlab_pages *mp)
{
	unsigned long flags;
	unsigned int zi;

	mp_drain_all(mp);
	spin_lock_irqsave(&mp->lock, flags);
	for (zi = 0; zi < mp->nr_zones; zi++) {
		struct memlab_zone *z = &mp->zones[zi];

		z->demand = 0;
		while (!list_empty(&z->free_area[mp->max_order]))
			mp_return_first_block(mp, z);
	}
	spin_unlock_irqrestore(&mp->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_shrink, MEMLAB_NS);

/* Give back what can go back; the pages still allocated to callers. */
static unsigned long mp_shrink_and_count(struct memlab_pages *mp)
{
	struct memlab_pages_stats st;
	unsigned long held = 0, free = 0;
	unsigned int zi;

	memlab_pages_shrink(mp);
	memlab_pages_stats(mp, &st);
	for (zi = 0; zi < st.nr_zones; zi++) {
		held += st.zone[zi].blocks_held << st.max_order;
		free += st.zone[zi].pages_free;
	}
	return held - free;
}

/**
 * memlab_pages_destroy() - tear an instance down
 * @mp: the instance.
 *
 * Context: process context.
 * Return: 0, or -EBUSY (and nothing changes, but caches are drained) while
 * pages are still allocated; the count is printed.
 */
int memlab_pages_destroy(struct memlab_pages *mp)
{
	unsigned long live = mp_shrink_and_count(mp);

	if (live) {
		pr_warn("pages %s: destroy refused: %lu pages still allocated\n",
			mp->name, live);
		return -EBUSY;
	}
	mp_free_instance(mp);
	return 0;
}

/**
 * memlab_pages_teardown() - free an instance whatever it still holds
 * @mp: the instance.
 *
 * For module unload: memlab's own metadata (descriptors, block map, per-CPU
 * caches, the instance) is always freed.  Blocks still allocated are not
 * given back to the LMM, which is torn down next; their number is printed,
 * and whoever still holds them holds memory that is about to disappear with
 * the arena.
 *
 * Context: process context.
 * Return: the number of pages that were still allocated.
 */
unsigned long memlab_pages_teardown(struct memlab_pages *mp)
{
	unsigned long live = mp_shrink_and_count(mp);

	if (live)
		pr_warn("pages %s: torn down with %lu pages still allocated\n",
			mp->name, live);
	mp_free_instance(mp);
	return live;
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_teardown, MEMLAB_NS);

/**
 * memlab_pages_set_reserve() - how many free max-order blocks a zone keeps
 * @mp: the instance.
 * @blocks: blocks kept before any more go back to the LMM (0 to 64).
 *
 * The hysteresis between taking and giving back LMM memory: with 0, a
 * workload that frees and reallocates one max-order block takes it from the
 * LMM each time.
 *
 * Context: any context.
 * Return: 0, or -EINVAL above 64.
 */
int memlab_pages_set_reserve(struct memlab_pages *mp, unsigned int blocks)
{
	unsigned long flags;

	if (blocks > 64)
		return -EINVAL;
	spin_lock_irqsave(&mp->lock, flags);
	mp->reserve_blocks = blocks;
	spin_unlock_irqrestore(&mp->lock, flags);
	return 0;
}

/**
 * memlab_pages_set_demand() - let each zone's reserve follow its demand
 * @mp: the instance.
 * @max_blocks: the most free max-order blocks a zone may keep for demand
 *	(0 to 64); 0 turns it off: the fixed reserve alone.
 *
 * A zone then keeps as many free max-order blocks as it took from the LMM
 * lately, up to @max_blocks: a batch of large blocks freed and allocated
 * again finds them held instead of going to the LMM and back.  Each second
 * in which a zone hands out no max-order block halves its demand, and the
 * blocks beyond what it keeps go back to the LMM; an idle instance ends up
 * holding its fixed reserve only.  Lowering @max_blocks takes effect at
 * the next decay step.
 *
 * Context: any context.
 * Return: 0, or -EINVAL above 64.
 */
int memlab_pages_set_demand(struct memlab_pages *mp, unsigned int max_blocks)
{
	unsigned long flags;
	unsigned int zi;

	if (max_blocks > MEMLAB_PAGES_DEMAND)
		return -EINVAL;
	spin_lock_irqsave(&mp->lock, flags);
	mp->demand_max = max_blocks;
	for (zi = 0; zi < mp->nr_zones; zi++)
		mp->zones[zi].demand = min(mp->zones[zi].demand, max_blocks);
	spin_unlock_irqrestore(&mp->lock, flags);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_set_demand, MEMLAB_NS);

/**
 * memlab_pages_max_order() - the largest order an instance serves
 * @mp: the instance.
 *
 * Return: the order given at creation.
 */
unsigned int memlab_pages_max_order(const struct memlab_pages *mp)
{
	return mp->max_order;
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_max_order, MEMLAB_NS);

/**
 * memlab_pages_span() - the bytes of address space an instance manages
 * @mp: the instance.
 *
 * The @size given at creation: no request to the instance, or to a layer
 * built on it, can ever be served beyond it.
 *
 * Context: any context.
 * Return: the span in bytes.
 */
size_t memlab_pages_span(const struct memlab_pages *mp)
{
	return mp->nr_pages << PAGE_SHIFT;
}

/**
 * memlab_pages_set_debug() - poison free blocks and check them on allocation
 * @mp: the instance.
 * @on: true to poison (every free block is poisoned now), false to stop.
 *
 * A write into a freed block is reported as a use after free, with the
 * offset of the first changed byte, when the block is next allocated.
 * Turning it on sets the flag first, so that every later free poisons what
 * it frees, then drains the per-CPU caches and poisons the free blocks one
 * at a time with the lock dropped between them.  Only blocks known to be
 * poisoned are checked, so nothing free before the switch is ever reported.
 *
 * Context: process context (poisoning every free block takes a while; the
 * instance lock is held for one block at a time).
 * Return: 0.
 */
int memlab_pages_set_debug(struct memlab_pages *mp, bool on)
{
	WRITE_ONCE(mp->debug, on);
	if (on) {
		mp_drain_all(mp);
		mp_poison_free_blocks(mp);
	}
	return 0;
}

/**
 * memlab_pages_set_fault_hook() - make allocations fail on purpose
 * @mp: the instance.
 * @hook: asked before every allocation; true makes it fail (counted as a
 *	failure and as injected).  NULL removes it.  Must not sleep.
 * @arg: passed to @hook.
 *
 * Context: process context, while no allocation is in flight.
 */
void memlab_pages_set_fault_hook(struct memlab_pages *mp, memlab_fault_fn hook, void *arg)
{
	unsigned long flags;

	spin_lock_irqsave(&mp->lock, flags);
	memlab_fault_hook_set(&mp->fault, hook, arg);
	spin_unlock_irqrestore(&mp->lock, flags);
}

/* memlab_alloc_pages() without its trace event. */
static struct memlab_page *mp_alloc_pages(struct memlab_pages *mp, lmm_flags_t flags,
					  unsigned int order)
{
	struct memlab_page *page = NULL;
	unsigned long irqflags;
	bool busy, drained = false;
	unsigned int zi;

	if (unlikely(order > mp->max_order)) {
		mp_misuse(mp, MEMLAB_PAGES_MISUSE_BAD_ORDER, NULL);
		return NULL;
	}
	if (memlab_fault_hook_fires(&mp->fault)) {
		spin_lock_irqsave(&mp->lock, irqflags);
		mp->st.injected++;
		mp->st.failures++;
		spin_unlock_irqrestore(&mp->lock, irqflags);
		return NULL;
	}
retry:
	for (zi = 0; zi < mp->nr_zones && !page; zi++) {
		if (flags & ~mp->zones[zi].lmm_flags)
			continue;
		if (!order) {
			page = mp_pcp_alloc(mp, zi, &busy);
			if (page || !busy)
				continue;
		}
		spin_lock_irqsave(&mp->lock, irqflags);
		page = mp_rmqueue(mp, zi, order, MP_ALLOC);
		if (page)
			mp->st.allocs++;
		spin_unlock_irqrestore(&mp->lock, irqflags);
	}
	if (!page && !drained) {
		drained = true;
		if (mp_drain_all_try(mp))
			goto retry;
	}
	if (!page) {
		spin_lock_irqsave(&mp->lock, irqflags);
		mp->st.failures++;
		spin_unlock_irqrestore(&mp->lock, irqflags);
		return NULL;
	}
	/* The block is the caller's now, and so is its descriptor. */
	if (unlikely(page->poisoned)) {
		unsigned long idx = mp_idx(mp, page);
		void *bad;

		page->poisoned = 0;
		bad = memchr_inv((void *)mp_addr(mp, idx), MP_POISON, PAGE_SIZE << order);
		if (bad && READ_ONCE(mp->debug))
			mp_misuse(mp, MEMLAB_PAGES_MISUSE_USE_AFTER_FREE, bad);
	}
	return page;
}

/**
 * memlab_alloc_pages() - allocate 2^@order contiguous pages
 * @mp: the instance.
 * @flags: LMM region flags the pages must come from; the first zone whose
 *	flags include them all serves, falling back along the zone list.
 * @order: 0 to the instance's maximum.
 *
 * Every call is a memlab_pages_alloc trace event, failed ones too.
 *
 * Context: any context.
 * Return: the head descriptor, or NULL if no zone can serve or @order is
 * above the maximum (counted as misuse).
 */
struct memlab_page *memlab_alloc_pages(struct memlab_pages *mp, lmm_flags_t flags,
				       unsigned int order)
{
	struct memlab_page *page = mp_alloc_pages(mp, flags, order);

	mp_trace_alloc(mp, page, order, flags, _RET_IP_);
	return page;
}
EXPORT_SYMBOL_NS_GPL(memlab_alloc_pages, MEMLAB_NS);

/**
 * memlab_get_pages() - allocate 2^@order pages and return their address
 * @mp: the instance.
 * @flags: as for memlab_alloc_pages().
 * @order: as for memlab_alloc_pages().
 *
 * Context: any context.
 * Return: the first page's address, aligned to 2^@order pages relative to
 * the instance's base; NULL on failure (never a crash, unlike Koowaldah).
 */
void *memlab_get_pages(struct memlab_pages *mp, lmm_flags_t flags, unsigned int order)
{
	struct memlab_page *page = mp_alloc_pages(mp, flags, order);

	mp_trace_alloc(mp, page, order, flags, _RET_IP_);
	return page ? (void *)mp_addr(mp, mp_idx(mp, page)) : NULL;
}
EXPORT_SYMBOL_NS_GPL(memlab_get_pages, MEMLAB_NS);

/* Whether page @idx lies inside a free block (it merged into one). */
static bool mp_in_free_block(const struct memlab_pages *mp, unsigned long idx)
{
	unsigned int o;

	for (o = 1; o <= mp->max_order; o++) {
		const struct memlab_page *head = &mp->map[idx & ~((1UL << o) - 1)];

		if (READ_ONCE(head->flags) == (MP_HEAD | MP_FREE) && head->order >= o)
			return true;
	}
	return false;
}

/* Validate a page about to be freed; the kind of misuse, or NR on success. */
static enum memlab_pages_misuse mp_check_free(const struct memlab_pages *mp,
					      const struct memlab_page *page)
{
	u8 f = READ_ONCE(page->flags);

	if (!mp_held(mp, mp_idx(mp, page)))
		return MEMLAB_PAGES_MISUSE_NOT_HELD;
	if (!(f & MP_HEAD))
		return mp_in_free_block(mp, mp_idx(mp, page)) ? MEMLAB_PAGES_MISUSE_DOUBLE_FREE :
								 MEMLAB_PAGES_MISUSE_TAIL;
	if (!(f & MP_ALLOC))
		return MEMLAB_PAGES_MISUSE_DOUBLE_FREE;
	return MEMLAB_PAGES_NR_MISUSE;
}

/* memlab_free_pages() without its trace event. */
static int mp_free_pages(struct memlab_pages *mp, struct memlab_page *page)
{
	enum memlab_pages_misuse bad;
	unsigned long flags, idx;
	unsigned int order;
	bool poisoned;

	if (page < mp->map || page >= mp->map + mp->nr_pages) {
		mp_misuse(mp, MEMLAB_PAGES_MISUSE_FOREIGN, page);
		return -EINVAL;
	}
	idx = mp_idx(mp, page);
	if (cmpxchg(&page->flags, MP_HEAD | MP_ALLOC, MP_HEAD) != (MP_HEAD | MP_ALLOC)) {
		/* Not allocated: say why, under the lock that stills the state. */
		spin_lock_irqsave(&mp->lock, flags);
		bad = mp_check_free(mp, page);
		spin_unlock_irqrestore(&mp->lock, flags);
		if (bad == MEMLAB_PAGES_NR_MISUSE)	/* reallocated meanwhile */
			bad = MEMLAB_PAGES_MISUSE_DOUBLE_FREE;
		mp_misuse(mp, bad, (void *)mp_addr(mp, idx));
		return -EINVAL;
	}
	/* Claimed: the block is in transit, and ours until it is placed. */
	order = page->order;
	poisoned = READ_ONCE(mp->debug);
	if (poisoned)
		mp_poison(mp, idx, order);
	page->poisoned = poisoned;
	if (!order) {
		WRITE_ONCE(page->flags, MP_HEAD | MP_CACHED);
		if (mp_pcp_free(mp, page))
			return 0;
		WRITE_ONCE(page->flags, MP_HEAD);	/* cache busy: to the buddy */
	}
	spin_lock_irqsave(&mp->lock, flags);
	mp_free_block(mp, idx, order, poisoned);
	mp->st.frees++;
	spin_unlock_irqrestore(&mp->lock, flags);
	return 0;
}

/**
 * memlab_free_pages() - free a block by its head descriptor
 * @mp: the instance.
 * @page: what memlab_alloc_pages() returned; the order is read from it.
 *
 * The free claims the block first, with a cmpxchg of its flags out of the
 * allocated state: of two racing frees of one block exactly one succeeds.
 *
 * Every call is a memlab_pages_free trace event, refused ones too.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed)
 * for a descriptor outside the instance, a tail page, a free page or a
 * page not held.
 */
int memlab_free_pages(struct memlab_pages *mp, struct memlab_page *page)
{
	mp_trace_free(mp, page, _RET_IP_);
	return mp_free_pages(mp, page);
}
EXPORT_SYMBOL_NS_GPL(memlab_free_pages, MEMLAB_NS);

/**
 * memlab_addr_to_page() - the descriptor of the page containing an address
 * @mp: the instance.
 * @addr: any address in the instance's span.
 *
 * Context: any context; O(1).
 * Return: the descriptor, or NULL outside the span.
 */
struct memlab_page *memlab_addr_to_page(struct memlab_pages *mp, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	if (a < mp->base || a - mp->base >= mp->nr_pages << PAGE_SHIFT)
		return NULL;
	return &mp->map[(a - mp->base) >> PAGE_SHIFT];
}

/**
 * memlab_page_to_addr() - the address of the page a descriptor describes
 * @mp: the instance.
 * @page: a descriptor of @mp.
 *
 * Context: any context; O(1).
 * Return: the address, or NULL for a descriptor not of @mp.
 */
void *memlab_page_to_addr(struct memlab_pages *mp, const struct memlab_page *page)
{
	if (page < mp->map || page >= mp->map + mp->nr_pages)
		return NULL;
	return (void *)mp_addr(mp, mp_idx(mp, page));
}

/**
 * memlab_put_pages() - free a block by its address
 * @mp: the instance.
 * @addr: what memlab_get_pages() returned.
 *
 * Context: any context.
 * Return: 0, or -EINVAL (counted) for an address outside the instance or
 * not page aligned, and as memlab_free_pages().
 */
int memlab_put_pages(struct memlab_pages *mp, void *addr)
{
	struct memlab_page *page = memlab_addr_to_page(mp, addr);

	if (trace_memlab_pages_free_enabled())
		trace_memlab_pages_free(_RET_IP_, mp->name, addr,
					page ? (uintptr_t)addr - mp->base : 0,
					page ? READ_ONCE(page->order) : 0, 0);
	if (!page) {
		mp_misuse(mp, MEMLAB_PAGES_MISUSE_FOREIGN, addr);
		return -EINVAL;
	}
	if ((uintptr_t)addr & ~PAGE_MASK) {
		mp_misuse(mp, MEMLAB_PAGES_MISUSE_UNALIGNED, addr);
		return -EINVAL;
	}
	return mp_free_pages(mp, page);
}
EXPORT_SYMBOL_NS_GPL(memlab_put_pages, MEMLAB_NS);

/**
 * memlab_alloc_page() - allocate one page
 * @mp: the instance.
 * @flags: as for memlab_alloc_pages().
 *
 * Context: any context.
 * Return: its descriptor, or NULL.
 */
struct memlab_page *memlab_alloc_page(struct memlab_pages *mp, lmm_flags_t flags)
{
	return memlab_alloc_pages(mp, flags, 0);
}

/**
 * memlab_get_page() - allocate one page and return its address
 * @mp: the instance.
 * @flags: as for memlab_alloc_pages().
 *
 * Context: any context.
 * Return: the address, or NULL.
 */
void *memlab_get_page(struct memlab_pages *mp, lmm_flags_t flags)
{
	return memlab_get_pages(mp, flags, 0);
}

/**
 * memlab_free_page() - free one page by its descriptor
 * @mp: the instance.
 * @page: the descriptor.
 *
 * Context: any context.
 * Return: see memlab_free_pages().
 */
int memlab_free_page(struct memlab_pages *mp, struct memlab_page *page)
{
	return memlab_free_pages(mp, page);
}

/**
 * memlab_put_page() - free one page by its address
 * @mp: the instance.
 * @addr: the address.
 *
 * Context: any context.
 * Return: see memlab_put_pages().
 */
int memlab_put_page(struct memlab_pages *mp, void *addr)
{
	return memlab_put_pages(mp, addr);
}

/**
 * memlab_page_order() - the order of an allocated block
 * @mp: the instance.
 * @page: the block's head descriptor.
 *
 * Context: any context.
 * Return: the order, or -EINVAL if @page is not the head of an allocated block.
 */
int memlab_page_order(struct memlab_pages *mp, const struct memlab_page *page)
{
	if (page < mp->map || page >= mp->map + mp->nr_pages ||
	    mp_check_free(mp, page) != MEMLAB_PAGES_NR_MISUSE)
		return -EINVAL;
	return page->order;
}

/**
 * memlab_page_set_owner() - tag an allocated block for the layer above
 * @page: the block's head descriptor.
 * @owner: any pointer; cleared when the block is freed and reallocated.
 *
 * Context: any context; the block's owner serialises its own tags.
 */
void memlab_page_set_owner(struct memlab_page *page, void *owner)
{
	page->owner = owner;
}

/**
 * memlab_page_owner() - the tag of an allocated block
 * @page: the block's head descriptor.
 *
 * Return: what memlab_page_set_owner() stored, or NULL.
 */
void *memlab_page_owner(const struct memlab_page *page)
{
	return page->owner;
}

/**
 * memlab_pages_owner_of_block() - a page's owner tag, proven by its block
 * @mp: the instance.
 * @addr: any address.
 * @len: bytes of the descriptor the tag points at, > 0.
 * @base_off: where in that descriptor its block's first byte is recorded.
 *
 * For the free path of a layer above whose descriptors live inside the
 * blocks they describe, tagging every page of the block (a slab and its
 * header): the owner tag of the page containing @addr, believed only if it
 * points at @len bytes inside the span, aligned for a pointer, and the
 * block whose first byte the descriptor records is an allocated block of
 * @mp tagged with that same descriptor.  So a stale or corrupted tag is
 * never followed beyond the span: memlab_page_owner(memlab_addr_to_page()),
 * memlab_pages_contains() and memlab_pages_block_owner() in one call.
 *
 * Context: any context; O(1).
 * Return: the tag, or NULL.
 */
void *memlab_pages_owner_of_block(struct memlab_pages *mp, const void *addr, size_t len,
				  size_t base_off)
{
	uintptr_t a = (uintptr_t)addr, span = mp->nr_pages << PAGE_SHIFT, t, base;
	struct memlab_page *head;
	unsigned long idx;
	void *tag;
	u8 f;

	if (a < mp->base || a - mp->base >= span)
		return NULL;
	tag = READ_ONCE(mp->map[(a - mp->base) >> PAGE_SHIFT].owner);
	t = (uintptr_t)tag;
	if (t < mp->base || len > span || len < sizeof(void *) || base_off > len - sizeof(void *) ||
	    t - mp->base > span - len || (t & (sizeof(void *) - 1)))
		return NULL;
	base = (uintptr_t)READ_ONCE(*(void **)(t + base_off));
	if (base < mp->base || base - mp->base >= span || (base & ~PAGE_MASK))
		return NULL;
	idx = (base - mp->base) >> PAGE_SHIFT;
	head = &mp->map[idx];
	/* an allocated head, as mp_check_free() finds it, without the call */
	f = READ_ONCE(head->flags);
	if (!mp_held(mp, idx) || !(f & MP_HEAD) || !(f & MP_ALLOC) || READ_ONCE(head->owner) != tag)
		return NULL;
	return tag;
}

/**
 * memlab_pages_block_owner() - the owner tag of the allocated block at an address
 * @mp: the instance.
 * @addr: the first byte of a block.
 *
 * Context: any context; O(1).
 * Return: the tag, or NULL unless @addr starts an allocated block of @mp.
 */
void *memlab_pages_block_owner(struct memlab_pages *mp, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct memlab_page *page;

	if (a < mp->base || a - mp->base >= mp->nr_pages << PAGE_SHIFT || (a & ~PAGE_MASK))
		return NULL;
	page = &mp->map[(a - mp->base) >> PAGE_SHIFT];
	if (mp_check_free(mp, page) != MEMLAB_PAGES_NR_MISUSE)
		return NULL;
	return READ_ONCE(page->owner);
}

/**
 * memlab_pages_contains() - whether a byte range lies inside the instance's span
 * @mp: the instance.
 * @addr: first byte.
 * @len: bytes, > 0.
 *
 * Context: any context; O(1).
 * Return: true if every byte of the range is in the span.
 */
bool memlab_pages_contains(struct memlab_pages *mp, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, span = mp->nr_pages << PAGE_SHIFT;

	return a >= mp->base && len <= span && a - mp->base <= span - len;
}

/**
 * memlab_pages_misuse_name() - a short description of a misuse kind
 * @kind: the kind.
 *
 * Return: a static string; "?" for an unknown kind.
 */
const char *memlab_pages_misuse_name(enum memlab_pages_misuse kind)
{
	if ((unsigned int)kind >= MEMLAB_PAGES_NR_MISUSE)
		return "?";
	return mp_misuse_names[kind];
}

/**
 * memlab_pages_stats() - a consistent snapshot of an instance
 * @mp: the instance.
 * @st: filled in.
 *
 * Drains the per-CPU caches first, as Linux does before reporting
 * fragmentation: cached pages would otherwise look allocated.
 *
 * Context: any context.
 */
void memlab_pages_stats(struct memlab_pages *mp, struct memlab_pages_stats *st)
{
	unsigned long flags;
	unsigned int zi, o;
	int cpu;

	mp_drain_all(mp);
	spin_lock_irqsave(&mp->lock, flags);
	*st = mp->st;
	st->name = mp->name;
	st->max_order = mp->max_order;
	st->nr_zones = mp->nr_zones;
	st->reserve_blocks = mp->reserve_blocks;
	st->demand_max = mp->demand_max;
	st->meta_bytes = mp->nr_pages * sizeof(*mp->map) +
			 DIV_ROUND_UP(mp->nr_pages, 1UL << mp->max_order);
	st->debug = mp->debug;
	for (zi = 0; zi < mp->nr_zones; zi++) {
		struct memlab_zone *z = &mp->zones[zi];
		struct memlab_pages_zone_stats *zs = &st->zone[zi];

		zs->name = z->name;
		zs->blocks_held = z->blocks_held;
		zs->demand = z->demand;
		zs->pages_free = 0;
		for (o = 0; o <= mp->max_order; o++) {
			zs->nr_free[o] = z->nr_free[o];
			zs->pages_free += z->nr_free[o] << o;
		}
		zs->pages_cached = 0;
		for_each_possible_cpu(cpu) {
			struct memlab_pcp *pcp = per_cpu_ptr(z->pcp, cpu);

			zs->pages_cached += READ_ONCE(pcp->count);
			st->allocs += READ_ONCE(pcp->allocs);
			st->frees += READ_ONCE(pcp->frees);
		}
	}
	spin_unlock_irqrestore(&mp->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(memlab_pages_stats, MEMLAB_NS);

/**
 * memlab_pages_pcp_count() - pages in one CPU's caches, without draining them
 * @mp: the instance.
 * @cpu: a possible CPU.
 *
 * A racy read, for reporting and tests: it shows what a snapshot hides by
 * draining (e.g. that a CPU going offline left nothing behind).
 *
 * Context: any context.
 * Return: the order-0 pages cached for @cpu, over all zones.
 */
unsigned long memlab_pages_pcp_count(struct memlab_pages *mp, unsigned int cpu)
{
	unsigned long n = 0;
	unsigned int zi;

	for (zi = 0; zi < mp->nr_zones; zi++)
		n += READ_ONCE(per_cpu_ptr(mp->zones[zi].pcp, cpu)->count);
	return n;
}

/**
 * memlab_pages_walk() - visit every block the instance holds, in address order
 * @mp: the instance.
 * @fn: called for each free or allocated block in address order, with the
 *	instance lock held: it must not sleep or use the instance.
 * @arg: passed to @fn.
 *
 * Per-CPU caches are drained first, so cached pages show as free.  The lock
 * is dropped and retaken every MP_WALK_CHUNK steps, so the hold stays short
 * whatever the span: each chunk is consistent, and a block that changes
 * between chunks is seen in its state when the walk reaches it.
 *
 * Context: any context.
 */
void memlab_pages_walk(struct memlab_pages *mp, memlab_pages_walk_fn fn, void *arg)
{
	unsigned long idx = 0, flags, steps = 0;

	mp_drain_all(mp);
	spin_lock_irqsave(&mp->lock, flags);
	while (idx < mp->nr_pages) {
		struct memlab_page *p = &mp->map[idx];

		/* bounded holds: the lock is dropped every MP_WALK_CHUNK steps */
		if (++steps % MP_WALK_CHUNK == 0) {
			spin_unlock_irqrestore(&mp->lock, flags);
			spin_lock_irqsave(&mp->lock, flags);
		}

		if (!mp_held(mp, idx)) {		/* skip the whole block */
			idx = (idx | ((1UL << mp->max_order) - 1)) + 1;
			continue;
		}
		if (!(p->flags & MP_HEAD)) {
			idx++;
			continue;
		}
		fn(arg, (void *)mp_addr(mp, idx), p->order, p->flags & MP_FREE, p->owner);
		idx += 1UL << p->order;
	}
	spin_unlock_irqrestore(&mp->lock, flags);
}

/* Validators: MEMLAB_CHECK() for instance @mp, counting in @bad. */
#define MP_CHECK(cond, fmt, ...) \
	MEMLAB_CHECK(bad, "pages", mp->name, cond, fmt, ##__VA_ARGS__)

/*
 * Walk the span in block order: every held max-order block is tiled by
 * blocks whose heads carry their order; count what the walk sees.
 */
static int mp_check_span(struct memlab_pages *mp, unsigned long *free_seen,
			 unsigned long *held_seen)
{
	unsigned long idx = 0, step = 1UL << mp->max_order, i;
	int bad = 0;

	while (idx + step <= mp->nr_pages && bad < 16) {
		struct memlab_page *p = &mp->map[idx];
		uintptr_t a = mp_addr(mp, idx);
		unsigned long end = idx + step, j;

		if (!mp_held(mp, idx)) {
			for (i = idx; i < end; i++)
				MP_CHECK(!mp->map[i].flags,
					 "page %lu flagged in an unheld block", i);
			idx = end;
			continue;
		}
		held_seen[mp_zone(mp, idx)]++;
		/* the LMM must not consider any of it free */
		{
			uintptr_t f = a;
			size_t fs;

			lmm_find_free(mp->lmm, &f, &fs, NULL);
			MP_CHECK(f >= a + mp_block_bytes(mp),
				 "held block at offset %#lx is free in the LMM",
				 (unsigned long)(a - mp->base));
		}
		for (i = idx; i < end && bad < 16; i += 1UL << p->order) {
			p = &mp->map[i];
			MP_CHECK(p->flags & MP_HEAD, "page %lu: expected a block head", i);
			if (!(p->flags & MP_HEAD))
				break;
			MP_CHECK(p->order <= mp->max_order && !(i & ((1UL << p->order) - 1)),
				 "block %lu of order %u misaligned", i, p->order);
			for (j = i + 1; j < i + (1UL << p->order) && j < end; j++)
				MP_CHECK(!mp->map[j].flags, "tail page %lu flags 0x%x", j,
					 mp->map[j].flags);
			if (p->flags & MP_FREE) {
				unsigned long b = i ^ (1UL << p->order);

				free_seen[mp_zone(mp, i) * MEMLAB_PAGES_NR_ORDERS + p->order]++;
				MP_CHECK(p->order == mp->max_order ||
					 mp->map[b].flags != (MP_HEAD | MP_FREE) ||
					 mp->map[b].order != p->order,
					 "free buddies %lu and %lu of order %u not merged", i, b,
					 p->order);
			}
		}
		idx = end;
	}
	return bad;
}

/*
 * Every page in a per-CPU cache is an order-0 head flagged CACHED in a held
 * block of the cache's zone, and each cache's count is its list's length.
 * Caches are drained before the check, but on SMP another CPU may refill
 * its own meanwhile: that is a state to verify, not a fault.
 */
static int mp_check_caches(struct memlab_pages *mp)
{
	unsigned int zi;
	int bad = 0, cpu;

	for (zi = 0; zi < mp->nr_zones; zi++) {
		for_each_possible_cpu(cpu) {
			struct memlab_pcp *pcp = per_cpu_ptr(mp->zones[zi].pcp, cpu);
			struct memlab_page *p;
			unsigned long n = 0;

			spin_lock(&pcp->lock);
			list_for_each_entry(p, &pcp->list, list) {
				unsigned long idx = mp_idx(mp, p);

				MP_CHECK(idx < mp->nr_pages && p->flags == (MP_HEAD | MP_CACHED) &&
					 !p->order && mp_held(mp, idx) && mp_zone(mp, idx) == zi,
					 "zone %u cpu %d: page %lu wrongly cached", zi, cpu, idx);
				if (++n > mp->nr_pages)
					break;
			}
			MP_CHECK(n == pcp->count, "zone %u cpu %d: %lu cached, %u counted",
				 zi, cpu, n, pcp->count);
			spin_unlock(&pcp->lock);
		}
	}
	return bad;
}

/**
 * memlab_pages_check() - re-derive every invariant of an instance
 * @mp: the instance.
 *
 * Every held max-order block is tiled by naturally aligned blocks whose
 * heads carry their order, with plain tail pages between; each free block
 * is on exactly one list - its zone's list of its order - and the lists'
 * counts match; no two free buddies of the same order remain unmerged;
 * unheld pages carry no flags; the LMM has none of a held block free;
 * every page in a per-CPU cache is an order-0 head flagged CACHED, and
 * each cache's count is its list's length.
 *
 * Context: process context (allocates a scratch array).
 * Return: the number of violations; 0 means healthy.
 */
int memlab_pages_check(struct memlab_pages *mp)
{
	unsigned long *free_seen, held_seen[MEMLAB_PAGES_MAX_ZONES] = { 0 };
	unsigned long flags;
	unsigned int zi, o;
	int bad = 0;

	free_seen = kcalloc(MEMLAB_PAGES_MAX_ZONES * MEMLAB_PAGES_NR_ORDERS,
			    sizeof(*free_seen), GFP_KERNEL);
	if (!free_seen)
		return -ENOMEM;
	mp_drain_all(mp);
	spin_lock_irqsave(&mp->lock, flags);
	bad += mp_check_span(mp, free_seen, held_seen);
	for (zi = 0; zi < mp->nr_zones; zi++) {
		struct memlab_zone *z = &mp->zones[zi];

		MP_CHECK(held_seen[zi] == z->blocks_held, "zone %s: %lu blocks held, %lu seen",
			 z->name, z->blocks_held, held_seen[zi]);
		for (o = 0; o <= mp->max_order; o++) {
			struct memlab_page *p;
			unsigned long n = 0;

			list_for_each_entry(p, &z->free_area[o], list) {
				MP_CHECK(p->flags == (MP_HEAD | MP_FREE) && p->order == o &&
					 mp_zone(mp, mp_idx(mp, p)) == zi,
					 "zone %s order %u: page %lu wrongly listed",
					 z->name, o, mp_idx(mp, p));
				if (++n > mp->nr_pages)
					break;
			}
			MP_CHECK(n == z->nr_free[o] &&
				 n == free_seen[zi * MEMLAB_PAGES_NR_ORDERS + o],
				 "zone %s order %u: %lu listed, %lu counted, %lu in the span",
				 z->name, o, n, z->nr_free[o],
				 free_seen[zi * MEMLAB_PAGES_NR_ORDERS + o]);
		}
	}
	spin_unlock_irqrestore(&mp->lock, flags);
	bad += mp_check_caches(mp);
	kfree(free_seen);
	return bad;
}

/**
 * memlab_frag_unusable_index() - Linux's unusable free space index
 * @nr_free: free blocks per order (a buddyinfo row).
 * @nr_orders: entries in @nr_free.
 * @order: the order of the request in question.
 *
 * (free pages - pages in blocks of at least @order) / free pages: the
 * share of free memory that cannot serve the request; 1 when nothing is free.
 *
 * Return: the index in thousandths (0 to 1000).
 */
int memlab_frag_unusable_index(const unsigned long *nr_free, unsigned int nr_orders,
			       unsigned int order)
{
	u64 free_pages = 0, suitable = 0;
	unsigned int o;

	for (o = 0; o < nr_orders; o++) {
		free_pages += (u64)nr_free[o] << o;
		if (o >= order)
			suitable += (u64)nr_free[o] << (o - order);
	}
	if (!free_pages)
		return 1000;
	return div64_u64((free_pages - (suitable << order)) * 1000, free_pages);
}

/**
 * memlab_frag_extfrag_index() - Linux's external fragmentation index
 * @nr_free: free blocks per order (a buddyinfo row).
 * @nr_orders: entries in @nr_free.
 * @order: the order of the request in question.
 *
 * -1000 when a block of @order is free (the request would succeed); 0 with
 * no free blocks; else 1000 - (1000 + free pages * 1000 / 2^order) / free
 * blocks: near 0 a failure is for lack of memory, near 1000 for
 * fragmentation.
 *
 * Return: the index in thousandths.
 */
int memlab_frag_extfrag_index(const unsigned long *nr_free, unsigned int nr_orders,
			      unsigned int order)
{
	u64 free_pages = 0, blocks = 0, suitable = 0;
	unsigned int o;

	for (o = 0; o < nr_orders; o++) {
		free_pages += (u64)nr_free[o] << o;
		blocks += nr_free[o];
		if (o >= order)
			suitable += nr_free[o];
	}
	if (!blocks)
		return 0;
	if (suitable)
		return -1000;
	return 1000 - (int)div64_u64(1000 + div64_u64(free_pages * 1000, 1ULL << order), blocks);
}

/**
 * memlab_pages_fit_order() - the largest block order a zone of a span can hold
 * @off: the zone's first byte, as an offset from the instance's base.
 * @size: the zone's bytes.
 * @max_order: the order wanted.
 *
 * Blocks are naturally aligned relative to the base, so a zone holds a
 * block of order k only if some multiple of 2^k pages starts in it with
 * 2^k pages still inside.  The module picks its max order with this, so
 * that every zone of a small arena can serve at least one block.
 *
 * Return: the largest order <= @max_order the zone holds, or -1 if it
 * cannot hold even one page.
 */
int memlab_pages_fit_order(size_t off, size_t size, unsigned int max_order)
{
	int o;

	for (o = max_order; o >= 0; o--) {
		size_t bytes = PAGE_SIZE << o;
		size_t start = round_up(off, bytes);

		if (start >= off && start - off <= size && size - (start - off) >= bytes)
			return o;
	}
	return -1;
}

/**
 * memlab_pages_init() - set up what every pages instance shares
 *
 * A dynamic CPU-hotplug state whose teardown drains a dead CPU's caches of
 * every instance, as mm/page_alloc.c does for its pcp lists.
 *
 * Context: process context, once, before the first instance is created.
 * Return: 0, or a negative errno from cpuhp_setup_state_multi().
 */
int memlab_pages_init(void)
{
	int ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "memlab/pages:dead",
					  NULL, mp_cpu_dead);

	if (ret < 0)
		return ret;
	mp_cpuhp_state = ret;
	return 0;
}

/**
 * memlab_pages_exit() - undo memlab_pages_init()
 *
 * Context: process context, after the last instance is gone.
 */
void memlab_pages_exit(void)
{
	if (mp_cpuhp_state > 0)
		cpuhp_remove_multi_state(mp_cpuhp_state);
	mp_cpuhp_state = 0;
}
