/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice internals, shared by slice.c, generic.c and the slice KUnit suite
 * only.  The lock rules are written once, in slice.c's opening comment.
 */
#ifndef MEMLAB_SLICE_INTERNAL_H
#define MEMLAB_SLICE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include "common/fault_hook.h"
#include "pages/pages.h"
#include "slice/slice.h"

/*
 * Per-CPU magazine capacity: Bonwick's magazines hold tens of objects, and
 * as his, ours hold fewer of larger ones: up to SLICE_MAG_BYTES of objects,
 * at least SLICE_MAG_MIN and at most SLICE_MAG of them (64 up to 1 KiB
 * objects, 32 of 2 KiB, 4 from 16 KiB), about what SLUB keeps per CPU (a
 * slab and a few partial ones).  A batch of 64 objects up to 1 KiB
 * allocated and freed then stays in the magazine; it overflowed the 32
 * entries of before into the slabs, under the pool lock that all CPUs share.
 */
#define SLICE_MAG		64
#define SLICE_MAG_MIN		4
#define SLICE_MAG_BYTES		(64 * 1024)
/* 16 bits are enough beside memlab_pages_owner_of_block(), the real proof of a slab */
#define SLICE_MAGIC		0x51ce

enum slice_list { SLICE_FULL, SLICE_PARTIAL, SLICE_EMPTY, SLICE_NR_LISTS };

/**
 * struct slice_slab - header at the end of every slab
 * @magic: SLICE_MAGIC while the slab lives.
 * @which: the list the slab is on (enum slice_list); pool lock.
 * @broken: a corrupted free-list link was found: the list was abandoned
 *	and the slab is never allocated from again; pool lock.
 * @poison_gen: equals the pool's @poison_gen when every object on the
 *	free list is poisoned (so an allocation may check the poison); pool lock.
 * @inuse: objects not on the free list (allocated, in a magazine or
 *	lost); the free list holds exactly objs - @inuse objects; pool lock.
 * @lost: objects cut off the free list when it was abandoned; they count
 *	as in use forever, and the slab goes back once only they remain.
 * @list: the pool's full, partial or empty list; pool lock.
 * @rcu: once the slab is unlinked, its release to the pages layer after a
 *	grace period (frees in flight may still test its free map).
 * @pool: the owning pool.
 * @base: first byte of the slab.
 * @freelist: first free object, links hardened; pool lock.
 * @map: one bit per object, set while the object is free (on the free list,
 *	in a magazine or lost); atomic bitops, no lock.
 */
struct slice_slab {
	u16 magic;
	u8 which;
	bool broken;
	u32 poison_gen;
	unsigned int inuse;
	unsigned int lost;
	union {
		struct list_head list;
		struct rcu_head rcu;
	};
	struct memlab_slice_pool *pool;
	char *base;
	void *freelist;
	unsigned long map[];
};

struct slice_mag_entry {
	void *obj;
	struct slice_slab *slab;
	unsigned int idx;
};

/**
 * struct slice_cpu - a per-CPU magazine: free objects, most recently freed on top
 * @lock: (PREEMPT_RT) protects everything below.  Taken with
 *	spin_trylock() by the owning CPU (migration disabled), with
 *	spin_lock() by drains of any CPU; never with interrupts disabled.
 * @busy: (otherwise) set while someone on this CPU holds the magazine,
 *	which protects everything below; written only on this CPU while it
 *	is online (see slice_cpu_get() and slice.c).
 * @count: entries in @mag; written by the holder, read by stats with READ_ONCE().
 * @allocs: allocations served from @mag; as @count.
 * @frees: frees taken into @mag; as @count.
 * @mag: the entries, @mag[@count - 1] on top.
 */
struct slice_cpu {
#ifdef CONFIG_PREEMPT_RT
	spinlock_t lock;	/* this magazine; never taken with irqs off */
#else
	unsigned int busy;
#endif
	unsigned int count;
	u64 allocs;
	u64 frees;
	struct slice_mag_entry mag[SLICE_MAG];
};

/**
 * struct memlab_slice_pool - a pool
 * @lock: protects the slab lists, free lists and counters (pool lock).
 * @node: on the global list of pools; slice_pools_lock.
 * @cpuhp_node: on the slice cpuhp state's instance list.
 * @name: for messages.
 * @pages: where slabs come from.
 * @size: object size asked for.
 * @align: object alignment.
 * @slot: bytes per object in a slab.
 * @mag_max: this pool's magazine capacity (see SLICE_MAG); a refill
 *	takes half of it, an overflow gives half back.
 * @order: slab order.
 * @objs: objects per slab.
 * @hdr_off: offset of the header in a slab.
 * @recip: reciprocal of @slot, for the object index of a pointer.
 * @random: free-list link hardening secret.
 * @flags: zone flags for the pages layer.
 * @debug: MEMLAB_SLICE_* flags; written under @lock, read locklessly.
 * @poison_gen: bumped each time poisoning is turned on; pool lock.
 * @ctor: object constructor, or NULL.
 * @owner: the generic allocator the pool belongs to, or NULL.
 * @fault: fault injection: fail this allocation?
 * @lists: slabs by fullness: full (no free object), partial, empty (all free).
 * @nr_on: slabs on each of @lists.
 * @nr_slabs: slabs held (the sum of @nr_on).
 * @nr_inuse: sum of the slabs' inuse.
 * @nr_lost: sum of the slabs' lost.
 * @dying: slabs unlinked, waiting for their grace period to go back.
 * @warned: misuse kinds already warned about.
 * @cpu: per-CPU magazines.
 * @st: counters (the rest of a snapshot is derived).
 */
struct memlab_slice_pool {
	spinlock_t lock;	/* slab lists, free lists, counters */
	struct list_head node;
	struct hlist_node cpuhp_node;
	const char *name;
	struct memlab_pages *pages;
	size_t size;
	size_t align;
	size_t slot;
	unsigned int mag_max;
	unsigned int order;
	unsigned int objs;
	size_t hdr_off;
	struct reciprocal_value recip;
	unsigned long random;
	lmm_flags_t flags;
	unsigned int debug;
	u32 poison_gen;
	void (*ctor)(void *obj);
	void *owner;
	struct memlab_fault_hook fault;
	struct list_head lists[SLICE_NR_LISTS];
	unsigned long nr_on[SLICE_NR_LISTS];
	unsigned long nr_slabs;
	unsigned long nr_inuse;
	unsigned long nr_lost;
	atomic_t dying;
	unsigned long warned;
	struct slice_cpu __percpu *cpu;
	struct memlab_slice_stats st;
};

/*
 * This CPU's magazine of @pool, held, or NULL if it is already held: by a
 * drain (PREEMPT_RT), or by the code this one interrupted on this CPU.  The
 * caller stays on the CPU until slice_cpu_put(); interrupts stay enabled.
 *
 * On PREEMPT_RT the magazine lock is a spinlock_t (a sleeping lock there)
 * taken with spin_trylock() under migrate_disable(), the pcp_spin_lock
 * pattern of mm/page_alloc.c.  Elsewhere the holder disables preemption
 * and marks the magazine busy with plain accesses, as local_trylock() of
 * newer kernels does: only this CPU ever writes @busy while it is online
 * (drains of an online CPU run there, in an IPI), and an interrupt that
 * arrives between the test and the store has finished, and cleared @busy,
 * before the interrupted holder goes on; so no atomic instruction and no
 * out-of-line lock call is needed on the fast path.
 */
static __always_inline struct slice_cpu *slice_cpu_get(struct memlab_slice_pool *pool)
{
	struct slice_cpu *c;

#ifdef CONFIG_PREEMPT_RT
	migrate_disable();
	c = this_cpu_ptr(pool->cpu);
	if (likely(spin_trylock(&c->lock)))
		return c;
	migrate_enable();
#else
	preempt_disable();
	c = this_cpu_ptr(pool->cpu);
	if (likely(!READ_ONCE(c->busy))) {
		WRITE_ONCE(c->busy, 1);
		barrier();	/* the flag before any access to the magazine */
		return c;
	}
	preempt_enable();
#endif
	return NULL;
}

static __always_inline void slice_cpu_put(struct slice_cpu *c)
{
#ifdef CONFIG_PREEMPT_RT
	spin_unlock(&c->lock);
	migrate_enable();
#else
	barrier();	/* every access to the magazine before the flag */
	WRITE_ONCE(c->busy, 0);
	preempt_enable();
#endif
}

/*
 * The read-side section in which a free looks its slab up and claims the
 * object's free-map bit; a slab given back waits for it (call_rcu()).  On
 * PREEMPT_RT that is rcu_read_lock().  Elsewhere it is preempt_disable(),
 * which an RCU grace period waits for as well (one RCU flavour since
 * v4.20), and which the magazine takes next anyway: on a kernel with
 * preemptible RCU that is two out-of-line calls fewer per free.
 */
static __always_inline void slice_read_lock(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_lock();
	else
		preempt_disable();
}

static __always_inline void slice_read_unlock(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_unlock();
	else
		preempt_enable();
}

/*
 * memlab_slice_lookup() - the live slab that contains @ptr, in O(1)
 * @pages: the pages instance the slab would come from.
 * @ptr: any pointer.
 *
 * Follows the page descriptor's owner tag to a slab header and believes it
 * only if the header's block is an allocated block tagged with that same
 * header (memlab_pages_owner_of_block()) and @ptr lies among its objects -
 * so a stale or foreign tag is never dereferenced beyond memory of the
 * instance.  Inline: it is on every free path.
 *
 * Return: the slab, or NULL.
 */
static __always_inline struct slice_slab *memlab_slice_lookup(struct memlab_pages *pages,
							      const void *ptr)
{
	struct slice_slab *slab = memlab_pages_owner_of_block(pages, ptr, sizeof(*slab),
							      offsetof(struct slice_slab, base));

	if (!slab || READ_ONCE(slab->magic) != SLICE_MAGIC)
		return NULL;
	if ((const char *)ptr < slab->base || (const char *)ptr >= (const char *)slab)
		return NULL;
	return slab;
}

int memlab_slice_free_checked(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj);
void memlab_slice_misuse(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
			 const void *obj, long offset);
unsigned long memlab_slice_teardown_quiet(struct memlab_slice_pool *pool);

/* For the KUnit suite: the CPU-hotplug callback, and the pause between poisoning chunks. */
int memlab_slice_cpu_dead(unsigned int cpu, struct hlist_node *node);
void memlab_slice_poison_pause(struct memlab_slice_pool *pool);

#endif /* MEMLAB_SLICE_INTERNAL_H */
