/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pages: a buddy page allocator over an LMM pool, with Koowaldah's verbs.
 *
 * An instance hands out blocks of 2^order pages, naturally aligned relative
 * to the instance's base address.  Its memory comes from an LMM pool one
 * max-order block at a time, taken when no free block of the wanted order
 * is left and given back when a whole max-order block is free again (beyond
 * a small reserve, so a steady workload does not thrash).
 *
 * Zones are selected by LMM region flags, as in Koowaldah: a request's
 * @flags name region flags the memory must come from; a request without a
 * flag may be served by any zone, in the order the instance lists them.
 *
 * Every page of the instance's span has a descriptor (struct memlab_page)
 * kept outside the pages, so page <-> address is O(1) arithmetic.
 *
 * Misuse - freeing a tail page, a free page, an address outside the
 * instance or not page aligned, an order above the maximum - is refused in
 * every build, counted and warned about once per instance and kind.
 */
#ifndef MEMLAB_PAGES_H
#define MEMLAB_PAGES_H

#include <linux/types.h>

#include "common/fault_hook.h"
#include "lmm/lmm.h"

struct memlab_pages;
struct memlab_page;
struct seq_file;

/* The demand reserve memlab.ko's own instance uses (memlab_pages_set_demand()). */
#define MEMLAB_PAGES_DEMAND		64

/* Orders an instance may use: 0 .. MEMLAB_PAGES_MAX_ORDER. */
#define MEMLAB_PAGES_MAX_ORDER		12
#define MEMLAB_PAGES_NR_ORDERS		(MEMLAB_PAGES_MAX_ORDER + 1)
#define MEMLAB_PAGES_MAX_ZONES		4

/**
 * struct memlab_zone_desc - a zone of a pages instance
 * @name: shown in statistics ("normal", "low", ...).
 * @lmm_flags: LMM region flags the zone's blocks are taken with.
 */
struct memlab_zone_desc {
	const char *name;
	lmm_flags_t lmm_flags;
};

/**
 * enum memlab_pages_misuse - kinds of caller error an instance detects
 * @MEMLAB_PAGES_MISUSE_FOREIGN: an address or descriptor outside the instance.
 * @MEMLAB_PAGES_MISUSE_UNALIGNED: an address not on a page boundary.
 * @MEMLAB_PAGES_MISUSE_TAIL: a page inside a block, not its first.
 * @MEMLAB_PAGES_MISUSE_DOUBLE_FREE: a page that is already free.
 * @MEMLAB_PAGES_MISUSE_NOT_HELD: a page the instance does not hold from the LMM.
 * @MEMLAB_PAGES_MISUSE_BAD_ORDER: an order above the instance's maximum.
 * @MEMLAB_PAGES_MISUSE_USE_AFTER_FREE: debug: a free block's poison changed.
 * @MEMLAB_PAGES_NR_MISUSE: number of kinds.
 */
enum memlab_pages_misuse {
	MEMLAB_PAGES_MISUSE_FOREIGN,
	MEMLAB_PAGES_MISUSE_UNALIGNED,
	MEMLAB_PAGES_MISUSE_TAIL,
	MEMLAB_PAGES_MISUSE_DOUBLE_FREE,
	MEMLAB_PAGES_MISUSE_NOT_HELD,
	MEMLAB_PAGES_MISUSE_BAD_ORDER,
	MEMLAB_PAGES_MISUSE_USE_AFTER_FREE,
	MEMLAB_PAGES_NR_MISUSE,
};

/**
 * struct memlab_pages_zone_stats - one zone in a statistics snapshot
 * @name: the zone's name.
 * @nr_free: free blocks per order (the /proc/buddyinfo row).
 * @blocks_held: max-order blocks taken from the LMM and not given back.
 * @demand: max-order blocks taken from the LMM lately (halved each idle
 *	second): the zone keeps that many free ones, or the reserve if more.
 * @pages_free: free pages in the buddy lists.
 * @pages_cached: free order-0 pages sitting in per-CPU caches.
 */
struct memlab_pages_zone_stats {
	const char *name;
	unsigned long nr_free[MEMLAB_PAGES_NR_ORDERS];
	unsigned long blocks_held;
	unsigned int demand;
	unsigned long pages_free;
	unsigned long pages_cached;
};

/**
 * struct memlab_pages_stats - a consistent snapshot of an instance
 * @name: the instance's name.
 * @max_order: its maximum order.
 * @nr_zones: zones in @zone.
 * @zone: per-zone state.
 * @allocs: successful allocations.
 * @frees: successful frees.
 * @failures: allocations that found no memory (injected ones included).
 * @injected: failures injected by the fault hook.
 * @splits: blocks split in two.
 * @merges: buddies merged.
 * @lmm_takes: max-order blocks taken from the LMM.
 * @lmm_returns: max-order blocks given back to the LMM.
 * @misuse: caller errors caught, by enum memlab_pages_misuse.
 * @reserve_blocks: free max-order blocks kept per zone before giving back.
 * @demand_max: the most a zone's demand may add to that; 0: off.
 * @meta_bytes: bytes of page descriptors (outside the pages).
 * @debug: free blocks are poisoned and checked on allocation.
 */
struct memlab_pages_stats {
	const char *name;
	unsigned int max_order;
	unsigned int nr_zones;
	struct memlab_pages_zone_stats zone[MEMLAB_PAGES_MAX_ZONES];
	u64 allocs;
	u64 frees;
	u64 failures;
	u64 injected;
	u64 splits;
	u64 merges;
	u64 lmm_takes;
	u64 lmm_returns;
	u64 misuse[MEMLAB_PAGES_NR_MISUSE];
	unsigned int reserve_blocks;
	unsigned int demand_max;
	size_t meta_bytes;
	bool debug;
};

/**
 * typedef memlab_pages_walk_fn - callback of memlab_pages_walk()
 * @arg: the caller's cookie.
 * @addr: first byte of a block.
 * @order: its order.
 * @free: whether it is free.
 * @owner: an allocated block's owner tag (memlab_page_set_owner()).
 */
typedef void (*memlab_pages_walk_fn)(void *arg, void *addr, unsigned int order, bool free,
				     void *owner);

/* Instances */
struct memlab_pages *memlab_pages_create(const char *name, struct lmm *lmm,
					 void *base, size_t size,
					 unsigned int max_order,
					 const struct memlab_zone_desc *zones,
					 unsigned int nr_zones);
int memlab_pages_destroy(struct memlab_pages *mp);
unsigned long memlab_pages_teardown(struct memlab_pages *mp);
void memlab_pages_shrink(struct memlab_pages *mp);
int memlab_pages_set_reserve(struct memlab_pages *mp, unsigned int blocks);
int memlab_pages_set_demand(struct memlab_pages *mp, unsigned int max_blocks);
unsigned int memlab_pages_max_order(const struct memlab_pages *mp);
size_t memlab_pages_span(const struct memlab_pages *mp);
int memlab_pages_set_debug(struct memlab_pages *mp, bool on);
void memlab_pages_set_fault_hook(struct memlab_pages *mp, memlab_fault_fn hook, void *arg);

/* Koowaldah's verbs */
struct memlab_page *memlab_alloc_pages(struct memlab_pages *mp, lmm_flags_t flags,
				       unsigned int order);
void *memlab_get_pages(struct memlab_pages *mp, lmm_flags_t flags, unsigned int order);
int memlab_free_pages(struct memlab_pages *mp, struct memlab_page *page);
int memlab_put_pages(struct memlab_pages *mp, void *addr);
struct memlab_page *memlab_alloc_page(struct memlab_pages *mp, lmm_flags_t flags);
void *memlab_get_page(struct memlab_pages *mp, lmm_flags_t flags);
int memlab_free_page(struct memlab_pages *mp, struct memlab_page *page);
int memlab_put_page(struct memlab_pages *mp, void *addr);
void *memlab_page_to_addr(struct memlab_pages *mp, const struct memlab_page *page);
struct memlab_page *memlab_addr_to_page(struct memlab_pages *mp, const void *addr);

/* For the layer above: the order of an allocated block, and an owner tag. */
int memlab_page_order(struct memlab_pages *mp, const struct memlab_page *page);
void memlab_page_set_owner(struct memlab_page *page, void *owner);
void *memlab_page_owner(const struct memlab_page *page);
void *memlab_pages_owner_of_block(struct memlab_pages *mp, const void *addr, size_t len,
				  size_t base_off);
void *memlab_pages_block_owner(struct memlab_pages *mp, const void *addr);
bool memlab_pages_contains(struct memlab_pages *mp, const void *addr, size_t len);

/* Inspection */
void memlab_pages_stats(struct memlab_pages *mp, struct memlab_pages_stats *st);
int memlab_pages_check(struct memlab_pages *mp);
/* The demand reserve's decay, for memlab's own KUnit suites (not exported). */
bool memlab_pages_decay_tick(struct memlab_pages *mp);
void memlab_pages_set_decay_every(struct memlab_pages *mp, unsigned long interval);
unsigned long memlab_pages_pcp_count(struct memlab_pages *mp, unsigned int cpu);
void memlab_pages_walk(struct memlab_pages *mp, memlab_pages_walk_fn fn, void *arg);
const char *memlab_pages_misuse_name(enum memlab_pages_misuse kind);

/*
 * Fragmentation indices of Linux's mm/vmstat.c over a buddyinfo row, in
 * thousandths: unusable free space index and external fragmentation index.
 */
int memlab_pages_fit_order(size_t off, size_t size, unsigned int max_order);
int memlab_pages_init(void);
void memlab_pages_exit(void);

int memlab_frag_unusable_index(const unsigned long *nr_free, unsigned int nr_orders,
			       unsigned int order);
int memlab_frag_extfrag_index(const unsigned long *nr_free, unsigned int nr_orders,
			      unsigned int order);

#endif /* MEMLAB_PAGES_H */
