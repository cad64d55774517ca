/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: pools of equal-size objects over a pages instance, and a generic
 * size-less allocator on top of them.
 *
 * Koowaldah's slice verbs with a memlab_ prefix: create a pool for one
 * object size, alloc and free objects, shrink (empty slabs go back to the
 * pages layer), destroy.  A slab is a block of 2^order pages holding the
 * objects from its start and a small header with a one-bit-per-object map
 * at its end; the order is the smallest that keeps the waste of a slab -
 * every byte not inside an object - at or under 1/8.  Free objects are
 * chained through their first word (hardened against simple corruption);
 * free finds an object's slab in O(1) through the pages layer's
 * address -> descriptor map.  Per-CPU magazines make the common alloc and
 * free take only a per-CPU lock (never with interrupts off, so PREEMPT_RT
 * is fine); a CPU that goes offline has its magazines emptied through the
 * layer's CPU-hotplug state (memlab_slice_init()).  Teardown frees a
 * pool's own memory even while objects are live (unload).
 *
 * Misuse - a double free, a pointer not on an object boundary, from
 * another pool or not from memlab - is refused in every build, counted and
 * warned about once per pool and kind.  A pool in debug mode poisons free
 * objects and checks the poison on alloc (use after free), and keeps a red
 * zone after each object (overflow), reporting pool, object and offset.
 */
#ifndef MEMLAB_SLICE_H
#define MEMLAB_SLICE_H

#include <linux/types.h>

#include "common/fault_hook.h"
#include "lmm/lmm.h"

struct memlab_pages;
struct memlab_slice_pool;
struct memlab_generic;

/* Object sizes a pool accepts: a pointer up to half the usual largest slab. */
#define MEMLAB_SLICE_MIN_SIZE	sizeof(void *)
#define MEMLAB_SLICE_MAX_SIZE	(16 * 1024)

/* Pool debug flags (memlab_slice_create() @debug, memlab_slice_set_debug()). */
#define MEMLAB_SLICE_POISON	0x1	/* poison free objects, check on alloc */
#define MEMLAB_SLICE_REDZONE	0x2	/* guard bytes after each object */

/**
 * enum memlab_slice_misuse - kinds of caller error a pool detects
 * @MEMLAB_SLICE_MISUSE_DOUBLE_FREE: an object that is already free.
 * @MEMLAB_SLICE_MISUSE_NOT_OBJECT: a pointer inside a slab, not on an object.
 * @MEMLAB_SLICE_MISUSE_WRONG_POOL: an object of another pool.
 * @MEMLAB_SLICE_MISUSE_FOREIGN: a pointer not from memlab's slabs.
 * @MEMLAB_SLICE_MISUSE_USE_AFTER_FREE: debug: a free object's poison changed.
 * @MEMLAB_SLICE_MISUSE_OVERFLOW: debug: a red zone changed.
 * @MEMLAB_SLICE_MISUSE_FREELIST: a corrupted free-list pointer.
 * @MEMLAB_SLICE_NR_MISUSE: number of kinds.
 */
enum memlab_slice_misuse {
	MEMLAB_SLICE_MISUSE_DOUBLE_FREE,
	MEMLAB_SLICE_MISUSE_NOT_OBJECT,
	MEMLAB_SLICE_MISUSE_WRONG_POOL,
	MEMLAB_SLICE_MISUSE_FOREIGN,
	MEMLAB_SLICE_MISUSE_USE_AFTER_FREE,
	MEMLAB_SLICE_MISUSE_OVERFLOW,
	MEMLAB_SLICE_MISUSE_FREELIST,
	MEMLAB_SLICE_NR_MISUSE,
};

/**
 * struct memlab_slice_stats - a snapshot of a pool, /proc/slabinfo's columns and more
 * @name: the pool's name.
 * @object_size: bytes the caller asked for.
 * @slot_size: bytes each object takes in a slab (size, alignment, red zone).
 * @align: object alignment.
 * @objs_per_slab: objects in one slab.
 * @pages_per_slab: pages in one slab (2^order).
 * @waste_per_slab: bytes of a slab outside every object (header included).
 * @active_objs: objects allocated to callers.
 * @num_objs: objects in all slabs.
 * @active_slabs: slabs with at least one object not on their free list.
 * @num_slabs: slabs held.
 * @cpu_cached: free objects in per-CPU magazines.
 * @debug: MEMLAB_SLICE_* flags.
 * @allocs: successful allocations.
 * @frees: successful frees.
 * @failures: allocations that got no memory (injected ones included).
 * @injected: failures injected by the fault hook.
 * @misuse: caller errors caught, by enum memlab_slice_misuse.
 */
struct memlab_slice_stats {
	const char *name;
	size_t object_size;
	size_t slot_size;
	size_t align;
	unsigned int objs_per_slab;
	unsigned int pages_per_slab;
	size_t waste_per_slab;
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned long cpu_cached;
	unsigned int debug;
	u64 allocs;
	u64 frees;
	u64 failures;
	u64 injected;
	u64 misuse[MEMLAB_SLICE_NR_MISUSE];
};

/**
 * struct memlab_slab_info - what one slab looks like, for the arena map
 * @pool: the pool's name.
 * @base: first byte of the slab.
 * @bytes: the slab's size.
 * @hdr: first byte of its header (allocator metadata up to @base + @bytes).
 * @inuse: objects not free.
 * @objs: objects in the slab.
 */
struct memlab_slab_info {
	const char *pool;
	void *base;
	size_t bytes;
	void *hdr;
	unsigned int inuse;
	unsigned int objs;
};

/* The layer: CPU-hotplug state for every pool's magazines */
int memlab_slice_init(void);
void memlab_slice_exit(void);

/* Pools */
struct memlab_slice_pool *memlab_slice_create(struct memlab_pages *pages, const char *name,
					      size_t size, size_t align, lmm_flags_t flags,
					      unsigned int debug, void (*ctor)(void *obj));
void *memlab_slice_alloc(struct memlab_slice_pool *pool);
int memlab_slice_free(struct memlab_slice_pool *pool, void *obj);
unsigned long memlab_slice_shrink(struct memlab_slice_pool *pool);
int memlab_slice_destroy(struct memlab_slice_pool *pool);
unsigned long memlab_slice_teardown(struct memlab_slice_pool *pool);
int memlab_slice_set_debug(struct memlab_slice_pool *pool, unsigned int debug);
int memlab_slice_can_set_debug(struct memlab_slice_pool *pool, unsigned int debug);
void memlab_slice_set_fault_hook(struct memlab_slice_pool *pool, memlab_fault_fn hook, void *arg);
int memlab_slice_describe(struct memlab_pages *pages, const void *addr,
			  struct memlab_slab_info *info);
size_t memlab_slice_size(const struct memlab_slice_pool *pool);

/* Inspection */
void memlab_slice_stats(struct memlab_slice_pool *pool, struct memlab_slice_stats *st);
int memlab_slice_check(struct memlab_slice_pool *pool);
const char *memlab_slice_misuse_name(enum memlab_slice_misuse kind);
void memlab_slice_for_each(void (*fn)(struct memlab_slice_pool *pool, void *arg), void *arg);
unsigned int memlab_slice_order_for(size_t size, size_t align, unsigned int debug,
				    unsigned int max_order, unsigned int *objs);

/* The generic allocator: size classes on slice pools, larger sizes on pages. */
struct memlab_generic *memlab_generic_create(struct memlab_pages *pages, const char *name,
					     unsigned int debug);
int memlab_generic_destroy(struct memlab_generic *g);
unsigned long memlab_generic_teardown(struct memlab_generic *g);
void *memlab_generic_alloc(struct memlab_generic *g, size_t size, lmm_flags_t flags);
int memlab_generic_free(struct memlab_generic *g, void *ptr);
size_t memlab_generic_ksize(struct memlab_generic *g, const void *ptr);
void memlab_generic_shrink(struct memlab_generic *g);
int memlab_generic_check(struct memlab_generic *g);
unsigned int memlab_generic_nr_pools(const struct memlab_generic *g);
int memlab_generic_set_debug(struct memlab_generic *g, unsigned int debug);
void memlab_generic_set_fault_hook(struct memlab_generic *g, memlab_fault_fn hook, void *arg);
bool memlab_generic_owns_block(struct memlab_generic *g, const void *owner);
struct memlab_slice_pool *memlab_generic_pool(struct memlab_generic *g, unsigned int i);

/* The same, on the instance the memlab module set up at load. */
void memlab_generic_set_default(struct memlab_generic *g);
void *memlab_alloc(size_t size, lmm_flags_t flags);
int memlab_free(void *ptr);
size_t memlab_ksize(const void *ptr);

#endif /* MEMLAB_SLICE_H */
