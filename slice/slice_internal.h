/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice internals, shared by slice.c and generic.c only.
 */
#ifndef MEMLAB_SLICE_INTERNAL_H
#define MEMLAB_SLICE_INTERNAL_H

#include <linux/list.h>
#include <linux/reciprocal_div.h>
#include <linux/spinlock_types.h>

#include "slice/slice.h"

/* Per-CPU magazine capacity: Bonwick's magazines hold tens of objects. */
#define SLICE_MAG		32
#define SLICE_MAGIC		0x51ce51ceU

enum slice_list { SLICE_FULL, SLICE_PARTIAL, SLICE_EMPTY };

/**
 * struct slice_slab - header at the end of every slab
 * @magic: SLICE_MAGIC while the slab lives.
 * @which: the list the slab is on (enum slice_list).
 * @broken: a corrupted free-list link was found; the list is abandoned.
 * @inuse: objects not on the free list (allocated, in a magazine or lost).
 * @lost: objects cut off the free list when a broken link was found; they
 *	count as in use forever, and the slab goes back once only they remain.
 * @list: the pool's full, partial or empty list; pool lock.
 * @pool: the owning pool.
 * @base: first byte of the slab.
 * @freelist: first free object, links hardened; pool lock.
 * @map: one bit per object, set while the object is free; atomic bitops.
 */
struct slice_slab {
	u32 magic;
	u8 which;
	bool broken;
	unsigned int inuse;
	unsigned int lost;
	struct list_head list;
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

/* A per-CPU magazine: free objects, most recently freed on top. */
struct slice_cpu {
	spinlock_t lock;	/* this magazine and its counters; taken with irqs off */
	unsigned int count;
	u64 allocs;
	u64 frees;
	struct slice_mag_entry mag[SLICE_MAG];
};

/**
 * struct memlab_slice_pool - a pool
 * @lock: protects the slab lists, free lists and counters.
 * @node: on the global list of pools; slice_pools_lock.
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
 * @debug: MEMLAB_SLICE_* flags.
 * @ctor: object constructor, or NULL.
 * @owner: the generic allocator the pool belongs to, or NULL.
 * @fail_hook: fault injection: fail this allocation?
 * @fail_arg: passed to @fail_hook.
 * @full: slabs with no free object.
 * @partial: slabs with some.
 * @empty: slabs with every object free.
 * @nr_slabs: slabs held.
 * @nr_empty: slabs on @empty.
 * @warned: misuse kinds already warned about.
 * @cpu: per-CPU magazines.
 * @st: counters (the rest of a snapshot is derived).
 */
struct memlab_slice_pool {
	spinlock_t lock;	/* slab lists, free lists and counters */
	struct list_head node;
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
	void (*ctor)(void *obj);
	void *owner;
	bool (*fail_hook)(void *arg);
	void *fail_arg;
	struct list_head full;
	struct list_head partial;
	struct list_head empty;
	unsigned long nr_slabs;
	unsigned long nr_empty;
	unsigned long warned;
	struct slice_cpu __percpu *cpu;
	struct memlab_slice_stats st;
};

struct slice_slab *slice_lookup(struct memlab_pages *pages, const void *ptr);
int slice_free_checked(struct memlab_slice_pool *pool, struct slice_slab *slab, void *obj);
void slice_misuse(struct memlab_slice_pool *pool, enum memlab_slice_misuse kind,
		  const void *obj, long offset);

#endif /* MEMLAB_SLICE_INTERNAL_H */
