// SPDX-License-Identifier: GPL-2.0
/*
 * memlab arena map: the arena as text, one character per cell.
 *
 * A cell is bytes_per_char bytes of the arena (a page by default).  The map
 * is assembled from each layer's own snapshot: the LMM's free extents
 * (lmm_walk_free()), the pages layer's blocks (memlab_pages_walk()) and the
 * slice layer's description of each slab (memlab_slice_describe()).  Each
 * snapshot is consistent in itself; between them the arena may move on,
 * which a map of a live allocator has to accept.
 *
 * Precedence, lowest first: LMM state ('.', '#', ':'), then pages blocks
 * ('-', 'P', 'G'), then slabs ('e', 's', 'S') and slab headers ('m', for
 * cells lying wholly inside one).
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arena/map.h"

/* Bytes of [start, start + size) that fall in each cell, added to @free. */
struct map_walk {
	uintptr_t base;
	size_t size;
	size_t bpc;
	u32 *free;
	struct memlab_map_block *blocks;
	unsigned long nr_blocks, max_blocks;
	char *cells;
	struct memlab_generic *generic;
};

static void map_lmm_free(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct map_walk *w = arg;
	uintptr_t s = max(start, w->base), e = min(start + size, w->base + w->size);

	while (s < e) {
		unsigned long cell = (s - w->base) / w->bpc;
		uintptr_t cell_end = w->base + (cell + 1) * w->bpc;
		uintptr_t chunk_end = min(e, cell_end);

		w->free[cell] += chunk_end - s;
		s = chunk_end;
	}
}

static void map_fill(struct map_walk *w, uintptr_t start, size_t bytes, char c, bool whole)
{
	uintptr_t s = max(start, w->base), e = min(start + bytes, w->base + w->size);
	unsigned long first, last, i;

	if (s >= e)
		return;
	first = (s - w->base) / w->bpc;
	last = (e - 1 - w->base) / w->bpc;
	if (whole) {		/* only cells lying wholly inside [s, e) */
		if (w->base + first * w->bpc < s)
			first++;
		if (w->base + (last + 1) * w->bpc > e) {
			if (!last)
				return;
			last--;
		}
		if (first > last)
			return;
	}
	for (i = first; i <= last; i++)
		w->cells[i] = c;
}

static void map_pages_block(void *arg, void *addr, unsigned int order, bool free, void *owner)
{
	struct map_walk *w = arg;
	size_t bytes = PAGE_SIZE << order;
	char c = free ? MEMLAB_MAP_PAGES_FREE : MEMLAB_MAP_PAGES_ALLOC;

	if (!free && owner && w->generic && memlab_generic_owns_block(w->generic, owner))
		c = MEMLAB_MAP_LARGE;
	else if (!free && owner && w->nr_blocks < w->max_blocks)
		w->blocks[w->nr_blocks++] = (struct memlab_map_block) { addr, bytes };
	map_fill(w, (uintptr_t)addr, bytes, c, false);
}

/**
 * memlab_map_build() - classify every cell of an arena
 * @lmm: the LMM pool managing the arena.
 * @pages: the pages instance over it, or NULL.
 * @generic: the generic allocator over @pages, or NULL.
 * @base: the arena's first byte.
 * @size: its size.
 * @bpc: bytes per cell: a multiple of LMM_GRANULE.
 * @cells: set to a kvmalloc'd array of memlab_map_cells() characters.
 *
 * Context: process context (allocates, sleeps).
 * Return: 0, -EINVAL for a bad @bpc, or -ENOMEM.
 */
int memlab_map_build(struct lmm *lmm, struct memlab_pages *pages,
		     struct memlab_generic *generic, void *base, size_t size, size_t bpc,
		     char **cells)
{
	struct map_walk w = {
		.base = (uintptr_t)base, .size = size, .bpc = bpc, .generic = generic,
	};
	unsigned long n, i;

	if (!bpc || bpc % LMM_GRANULE || bpc > size || bpc > U32_MAX)
		return -EINVAL;
	n = DIV_ROUND_UP(size, bpc);
	w.cells = kvmalloc(n, GFP_KERNEL);
	w.free = kvcalloc(n, sizeof(*w.free), GFP_KERNEL);
	w.max_blocks = size >> PAGE_SHIFT;
	w.blocks = kvmalloc_array(w.max_blocks, sizeof(*w.blocks), GFP_KERNEL);
	if (!w.cells || !w.free || !w.blocks) {
		kvfree(w.cells);
		kvfree(w.free);
		kvfree(w.blocks);
		return -ENOMEM;
	}

	lmm_walk_free(lmm, map_lmm_free, &w);
	for (i = 0; i < n; i++) {
		size_t cell_bytes = min_t(size_t, bpc, size - i * bpc);

		w.cells[i] = w.free[i] == cell_bytes ? MEMLAB_MAP_LMM_FREE :
			     !w.free[i] ? MEMLAB_MAP_LMM_ALLOC : MEMLAB_MAP_LMM_PART;
	}
	if (pages) {
		memlab_pages_walk(pages, map_pages_block, &w);
		for (i = 0; i < w.nr_blocks; i++) {
			struct memlab_slab_info info;
			char c;

			if (memlab_slice_describe(pages, w.blocks[i].addr, &info))
				continue;
			c = !info.inuse ? MEMLAB_MAP_SLAB_EMPTY :
			    info.inuse == info.objs ? MEMLAB_MAP_SLAB_FULL :
			    MEMLAB_MAP_SLAB_PARTIAL;
			map_fill(&w, (uintptr_t)info.base, info.bytes, c, false);
			map_fill(&w, (uintptr_t)info.hdr,
				 (uintptr_t)info.base + info.bytes - (uintptr_t)info.hdr,
				 MEMLAB_MAP_META, true);
		}
	}
	kvfree(w.free);
	kvfree(w.blocks);
	*cells = w.cells;
	return 0;
}

/**
 * memlab_map_render() - print a built map with its header and legend
 * @base: the arena's first byte.
 * @size: its size.
 * @bpc: bytes per cell.
 * @cells: memlab_map_build()'s result.
 * @print: called per line.
 * @arg: passed to @print.
 */
void memlab_map_render(const void *base, size_t size, size_t bpc, const char *cells,
		       lmm_print_fn print, void *arg)
{
	unsigned long n = DIV_ROUND_UP(size, bpc), i;
	uintptr_t b = (uintptr_t)base;

	print(arg, "# memlab map: arena 0x%lx-0x%lx (%zu KiB), %zu bytes per char, %d chars per row\n",
	      (unsigned long)b, (unsigned long)(b + size), size >> 10, bpc, MEMLAB_MAP_ROW);
	print(arg, "# legend: .=lmm free #=lmm allocated :=lmm partly free -=pages free P=pages allocated G=generic large s=slab partial S=slab full e=slab empty m=metadata\n");
	for (i = 0; i < n; i += MEMLAB_MAP_ROW)
		print(arg, "0x%016lx %.*s\n", (unsigned long)(b + i * bpc),
		      (int)min_t(unsigned long, MEMLAB_MAP_ROW, n - i), cells + i);
}
