/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm: the Virtual Memory Allocator that the Koowaldah document left "yet to
 * implement" - virtually contiguous areas from memlab pages that need not be
 * contiguous at all.
 *
 * The pages layer hands out only physically (or, over a vmalloc arena,
 * arena-) contiguous blocks, so a request can fail although enough pages
 * are free.  A vm instance takes the pages it needs from a pages instance,
 * as large blocks when they are free and order-0 pages otherwise, and maps
 * them side by side with the kernel's vmap(): one virtually contiguous area
 * in the kernel's vmalloc space, followed by vmap's unmapped guard page.
 *
 * Every backing block carries the instance as its owner tag in the pages
 * layer (memlab_page_set_owner()), so observers of the pages layer can tell
 * vm-backed memory from the rest (memlab_vm_owns_block()).
 *
 * Misuse - a double free, an interior or foreign pointer, a size of 0 or
 * above the pages instance's span - is refused in every build, counted by
 * kind and warned about once per instance and kind; nothing changes.
 *
 * Context: every function that takes an instance may sleep (vmap() and
 * vunmap() do): process context only.
 */
#ifndef MEMLAB_VM_H
#define MEMLAB_VM_H

#include <linux/types.h>

#include "common/fault_hook.h"
#include "lmm/lmm.h"
#include "pages/pages.h"

struct memlab_vm;

/**
 * enum memlab_vm_misuse - kinds of caller error an instance detects
 * @MEMLAB_VM_MISUSE_DOUBLE_FREE: the start of an area already freed (one of
 *	the instance's last MEMLAB_VM_FREED_HISTORY frees, not reused since).
 * @MEMLAB_VM_MISUSE_INTERIOR: an address inside an area, not its start.
 * @MEMLAB_VM_MISUSE_FOREIGN: an address in no area of the instance.
 * @MEMLAB_VM_MISUSE_ZERO_SIZE: an allocation of 0 bytes.
 * @MEMLAB_VM_MISUSE_TOO_LARGE: an allocation above the pages instance's span.
 * @MEMLAB_VM_NR_MISUSE: number of kinds.
 */
enum memlab_vm_misuse {
	MEMLAB_VM_MISUSE_DOUBLE_FREE,
	MEMLAB_VM_MISUSE_INTERIOR,
	MEMLAB_VM_MISUSE_FOREIGN,
	MEMLAB_VM_MISUSE_ZERO_SIZE,
	MEMLAB_VM_MISUSE_TOO_LARGE,
	MEMLAB_VM_NR_MISUSE,
};

/* Freed area addresses remembered to tell a double free from a foreign one. */
#define MEMLAB_VM_FREED_HISTORY	64

/**
 * struct memlab_vm_block - one pages-layer block behind an area
 * @addr: the block's first byte in the pages instance's span.
 * @pgoff: the area page it backs first (areas are backed in page order).
 * @order: the block is 2^@order pages.
 */
struct memlab_vm_block {
	void *addr;
	unsigned int pgoff;
	unsigned int order;
};

/**
 * struct memlab_vm_area_info - one area, as memlab_vm_walk() shows it
 * @addr: its first byte in vmalloc space; print it with %p only.
 * @size: bytes mapped (a page multiple; the guard page not included).
 * @requested: bytes asked for.
 * @nr_pages: pages mapped.
 * @nr_blocks: pages-layer blocks behind it, in @blocks.
 * @nr_runs: runs of physically consecutive page frames behind it.
 * @blocks: the blocks in area order; valid during the callback only.
 * @caller: return address of the allocation call, for %pS.
 */
struct memlab_vm_area_info {
	const void *addr;
	size_t size;
	size_t requested;
	unsigned long nr_pages;
	unsigned int nr_blocks;
	unsigned long nr_runs;
	const struct memlab_vm_block *blocks;
	void *caller;
};

/**
 * typedef memlab_vm_walk_fn - callback of memlab_vm_walk()
 * @arg: the caller's cookie.
 * @area: one area; called in address order with the instance locked (the
 *	callback may sleep but must not call into the instance).
 */
typedef void (*memlab_vm_walk_fn)(void *arg, const struct memlab_vm_area_info *area);

/**
 * struct memlab_vm_stats - a consistent snapshot of an instance
 * @name: the instance's name.
 * @max_order: the largest block order it asks the pages layer for.
 * @span: bytes of the pages instance's span (the largest possible request).
 * @nr_areas: live areas.
 * @nr_pages: pages mapped by them.
 * @nr_blocks: pages-layer blocks behind them.
 * @nr_runs: physically contiguous runs behind them, summed over the areas.
 * @requested: bytes asked for by the live areas.
 * @largest: bytes of the largest live area.
 * @blocks_by_order: live backing blocks of each order.
 * @allocs: successful allocations.
 * @frees: successful frees.
 * @failures: allocations that failed for want of memory or mapping
 *	(injected ones included), every page given back.
 * @injected: failures injected by the fault hook.
 * @fallbacks: block requests refused by the pages layer at an order above
 *	0 and retried one order lower (each is a failure there too).
 * @misuse: caller errors caught, by enum memlab_vm_misuse.
 * @meta_bytes: bytes of bookkeeping (instance, areas, block arrays).
 */
struct memlab_vm_stats {
	const char *name;
	unsigned int max_order;
	size_t span;
	unsigned long nr_areas;
	unsigned long nr_pages;
	unsigned long nr_blocks;
	unsigned long nr_runs;
	size_t requested;
	size_t largest;
	unsigned long blocks_by_order[MEMLAB_PAGES_NR_ORDERS];
	u64 allocs;
	u64 frees;
	u64 failures;
	u64 injected;
	u64 fallbacks;
	u64 misuse[MEMLAB_VM_NR_MISUSE];
	size_t meta_bytes;
};

/* Instances */
struct memlab_vm *memlab_vm_create(struct memlab_pages *pages, const char *name);
int memlab_vm_destroy(struct memlab_vm *vm);
int memlab_vm_set_max_order(struct memlab_vm *vm, unsigned int order);
void memlab_vm_set_fault_hook(struct memlab_vm *vm, memlab_fault_fn hook, void *arg);

/* Areas */
void *memlab_vm_alloc(struct memlab_vm *vm, size_t size, lmm_flags_t flags);
int memlab_vm_free(struct memlab_vm *vm, const void *addr);
struct memlab_page *memlab_vm_to_page(struct memlab_vm *vm, const void *addr);
size_t memlab_vm_size(struct memlab_vm *vm, const void *addr);
bool memlab_vm_owns_block(const struct memlab_vm *vm, const void *owner);

/* Inspection */
void memlab_vm_stats(struct memlab_vm *vm, struct memlab_vm_stats *st);
void memlab_vm_walk(struct memlab_vm *vm, memlab_vm_walk_fn fn, void *arg);
int memlab_vm_check(struct memlab_vm *vm);
const char *memlab_vm_misuse_name(enum memlab_vm_misuse kind);

/* The module's default instance, as vmalloc() is the kernel's */
void memlab_vm_set_default(struct memlab_vm *vm);
void *memlab_vmalloc(size_t size);
int memlab_vfree(const void *addr);
struct memlab_page *memlab_vmalloc_to_page(const void *addr);

#endif /* MEMLAB_VM_H */
