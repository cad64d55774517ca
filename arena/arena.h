/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab arena: one contiguous range of kernel memory that every memlab
 * layer carves from.
 *
 * The arena is reserved once at module load from one of three backings and
 * released at unload.  It records its virtual range and the physical page
 * frames behind it, merged into extents of consecutive pfns, so that users can
 * see how physically contiguous their "contiguous" memory really is.
 */
#ifndef MEMLAB_ARENA_H
#define MEMLAB_ARENA_H

#include <linux/types.h>

struct seq_file;
struct platform_device;

/**
 * enum memlab_backing - where the arena's memory comes from
 * @MEMLAB_BACKING_VMALLOC: vmalloc: any size, virtually contiguous only.
 * @MEMLAB_BACKING_PAGES: the page allocator: physically contiguous, at most
 *	one max-order block (4 MiB with 4 KiB pages and MAX_PAGE_ORDER 10).
 * @MEMLAB_BACKING_CMA: dma_alloc_coherent() on memlab's own platform device,
 *	which takes the default CMA area when the kernel has one.
 * @MEMLAB_NR_BACKINGS: number of backings.
 */
enum memlab_backing {
	MEMLAB_BACKING_VMALLOC,
	MEMLAB_BACKING_PAGES,
	MEMLAB_BACKING_CMA,
	MEMLAB_NR_BACKINGS,
};

/**
 * struct memlab_extent - a run of physically consecutive page frames
 * @pfn: first page frame number.
 * @nr_pages: number of frames in the run.
 * @offset: byte offset of the run's first page from the arena's start.
 */
struct memlab_extent {
	unsigned long pfn;
	unsigned long nr_pages;
	size_t offset;
};

/**
 * struct memlab_arena - a reserved arena
 * @backing: where the memory came from.
 * @base: first byte (page aligned).
 * @size: bytes, a multiple of PAGE_SIZE.
 * @extents: physical extents, in arena order (@nr_extents entries).
 * @nr_extents: number of entries in @extents.
 * @pdev: CMA backing only: the device the memory was allocated for.
 * @dma: CMA backing only: the device address of @base.
 *
 * Immutable between memlab_arena_reserve() and memlab_arena_release(), so
 * readers need no lock.
 */
struct memlab_arena {
	enum memlab_backing backing;
	void *base;
	size_t size;
	struct memlab_extent *extents;
	unsigned long nr_extents;
	struct platform_device *pdev;
	dma_addr_t dma;
};

int memlab_parse_size(const char *str, size_t *size, const char **why);
int memlab_parse_backing(const char *str, enum memlab_backing *backing);
const char *memlab_backing_name(enum memlab_backing backing);
size_t memlab_arena_max_size(enum memlab_backing backing);

int memlab_arena_reserve(struct memlab_arena *arena, size_t size,
			 enum memlab_backing backing, const char **why);
void memlab_arena_release(struct memlab_arena *arena);
unsigned long memlab_arena_pfn(const struct memlab_arena *arena, size_t offset);
void memlab_arena_show(struct seq_file *m, const struct memlab_arena *arena);

#endif /* MEMLAB_ARENA_H */
