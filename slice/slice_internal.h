/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice internals, shared by slice.c, generic.c and the slice KUnit suite
 * only.  The lock rules are written once, in slice.c's opening comment.
 */
#ifndef MEMLAB_SLICE_INTERNAL_H
#define MEMLAB_SLICE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

#include "common/fault_hook.h"
#include "slice/slice.h"

/* Per-CPU magazine capacity: Bonwick's magazines hold tens of objects. */
#define SLICE_MAG		32
/* 16 bits are enough beside memlab_pages_block_owner(), the real proof of a slab */
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
 * @lock: protects everything below.  Taken with spin_trylock() by the
 *	owning CPU (pinned to it), with spin_lock() by drains of any CPU;
 *	never with interrupts disabled (see slice.c).
 * @count: entries in @mag; written under @lock, read by stats with READ_ONCE().
 * @allocs: allocations served from @mag; as @count.
 * @frees: frees taken into @mag; as @count.
 * @mag: the entries, @mag[@count - 1] on top.
 */
struct slice_cpu {
	spinlock_t lock;	/* this magazine; never taken with irqs off */
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

struct slice_slab *memlab_slice_lookup(struct memlab_pages *pages, const void *ptr);
int memlab_slice_free_checked(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj);
void memlab_slice_misuse(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
			 const void *obj, long offset);
unsigned long memlab_slice_teardown_quiet(struct memlab_slice_pool *pool);

/* For the KUnit suite: the CPU-hotplug callback, and the pause between poisoning chunks. */
int memlab_slice_cpu_dead(unsigned int cpu, struct hlist_node *node);
void memlab_slice_poison_pause(struct memlab_slice_pool *pool);

#endif /* MEMLAB_SLICE_INTERNAL_H */
