// SPDX-License-Identifier: GPL-2.0
/*
 * memlab arena map: the arena as text, one character per cell, one row of
 * MEMLAB_MAP_ROW cells at a time.
 *
 * A cell is bytes_per_char bytes of the arena (a page by default).  Each row
 * is assembled from the layers' own snapshot functions, with their locks
 * taken per row, never over the whole arena:
 *
 *   LMM     lmm_walk_free_from() from the row's first byte, LMM_WALK_CHUNK
 *           pieces per lock hold (one hold per row unless the row holds
 *           more extents), clipped to the row;
 *   pages   the blocks of a snapshot taken by memlab_pages_walk() when a
 *           pass starts (memlab_map_refresh()), 8 bytes per block, binary
 *           searched per row - the pages layer has no ranged walk;
 *   slabs   memlab_slice_describe() of each allocated block in the row.
 *
 * So a row is consistent with itself per layer; between rows and between
 * layers the arena may move on, which a map of a live allocator has to
 * accept.  Memory: the block snapshot (at most one entry per page of the
 * arena) and one row of counters; no per-cell array.
 *
 * Precedence, lowest first: LMM state ('.', '#', ':'), then pages blocks
 * ('-', 'P', 'G', and 'V' for a block backing a VM area: its owner tag is
 * the VM instance's, memlab_vm_owns_block()), then slabs ('e', 's', 'S') and slab headers ('m', for
 * cells lying wholly inside one).
 */

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "lab/map.h"

/* One pages block in the snapshot, by page number from the arena's start. */
struct map_block {
	u32 page;
	u8 order;
	char c;			/* MEMLAB_MAP_PAGES_FREE, _ALLOC, _LARGE or _VM */
	bool owned;		/* allocated with an owner tag: maybe a slab */
};

struct memlab_map {
	struct lmm *lmm;
	struct memlab_pages *pages;
	struct memlab_generic *generic;
	const struct memlab_vm *vm;
	uintptr_t base;
	size_t size;
	size_t bpc;
	unsigned long nr_cells;
	struct map_block *blocks;	/* pages snapshot, by address */
	unsigned long nr_blocks, max_blocks;
	/* the row being built */
	uintptr_t row_lo, row_hi;
	size_t free[MEMLAB_MAP_ROW];	/* LMM free bytes per cell */
};

/**
 * memlab_map_check_bpc() - whether a bytes-per-character value suits an arena
 * @size: the arena's size.
 * @bpc: bytes per character.
 * @min_bpc: if not NULL, set to the smallest value this arena accepts.
 *
 * Return: 0; -EINVAL for zero, a value that is not a multiple of
 * LMM_GRANULE or above 4 GiB or the arena's size; -E2BIG when the map
 * would have more than MEMLAB_MAP_MAX_CELLS cells.
 */
int memlab_map_check_bpc(size_t size, size_t bpc, size_t *min_bpc)
{
	size_t least = round_up(max_t(size_t, DIV_ROUND_UP(size, MEMLAB_MAP_MAX_CELLS), 1),
				LMM_GRANULE);

	if (min_bpc)
		*min_bpc = least;
	if (!bpc || bpc % LMM_GRANULE || bpc > size || bpc > U32_MAX)
		return -EINVAL;
	if (DIV_ROUND_UP(size, bpc) > MEMLAB_MAP_MAX_CELLS)
		return -E2BIG;
	return 0;
}

/**
 * memlab_map_open() - prepare to render the map of an arena
 * @lmm: the LMM pool managing the arena.
 * @pages: the pages instance over it, or NULL.
 * @generic: the generic allocator over @pages, or NULL.
 * @base: the arena's first byte, page aligned.
 * @size: its size.
 * @bpc: bytes per cell (see memlab_map_check_bpc()).
 *
 * Context: process context (allocates, sleeps).
 * Return: the map, or an ERR_PTR: -EINVAL or -E2BIG for a bad @bpc,
 * -ENOMEM.
 */
struct memlab_map *memlab_map_open(struct lmm *lmm, struct memlab_pages *pages,
				   struct memlab_generic *generic, void *base, size_t size,
				   size_t bpc)
{
	struct memlab_map *map;
	int ret = memlab_map_check_bpc(size, bpc, NULL);

	if (ret)
		return ERR_PTR(ret);
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	*map = (struct memlab_map) {
		.lmm = lmm, .pages = pages, .generic = generic, .base = (uintptr_t)base,
		.size = size, .bpc = bpc, .nr_cells = DIV_ROUND_UP(size, bpc),
	};
	if (pages) {
		map->max_blocks = size >> PAGE_SHIFT;
		map->blocks = kvmalloc_array(map->max_blocks ?: 1, sizeof(*map->blocks),
					     GFP_KERNEL);
		if (!map->blocks) {
			kfree(map);
			return ERR_PTR(-ENOMEM);
		}
	}
	return map;
}

/**
 * memlab_map_close() - free a map
 * @map: from memlab_map_open(); NULL or an error pointer is ignored.
 */
void memlab_map_close(struct memlab_map *map)
{
	if (IS_ERR_OR_NULL(map))
		return;
	kvfree(map->blocks);
	kfree(map);
}

/**
 * memlab_map_set_vm() - name the VM instance over the map's pages
 * @map: from memlab_map_open().
 * @vm: the VM allocator over the same pages instance, or NULL.
 *
 * Blocks backing @vm's areas are then drawn as MEMLAB_MAP_VM, from the
 * next memlab_map_refresh() on.
 */
void memlab_map_set_vm(struct memlab_map *map, const struct memlab_vm *vm)
{
	map->vm = vm;
}

/* memlab_pages_walk() callback, with the pages lock held: store, classify. */
static void map_snap_block(void *arg, void *addr, unsigned int order, bool free, void *owner)
{
	struct memlab_map *m = arg;
	uintptr_t a = (uintptr_t)addr;
	struct map_block *b;

	if (a < m->base || a - m->base >= m->size || m->nr_blocks == m->max_blocks)
		return;
	b = &m->blocks[m->nr_blocks++];
	b->page = (a - m->base) >> PAGE_SHIFT;
	b->order = order;
	b->owned = false;
	if (free) {
		b->c = MEMLAB_MAP_PAGES_FREE;
	} else if (owner && m->generic && memlab_generic_owns_block(m->generic, owner)) {
		b->c = MEMLAB_MAP_LARGE;
	} else if (owner && m->vm && memlab_vm_owns_block(m->vm, owner)) {
		b->c = MEMLAB_MAP_VM;
	} else {
		b->c = MEMLAB_MAP_PAGES_ALLOC;
		b->owned = !!owner;
	}
}

/**
 * memlab_map_refresh() - take the pages layer's snapshot for a new pass
 * @map: the map.
 *
 * One memlab_pages_walk() (its lock held for one pass over the blocks the
 * instance holds, the callback only storing 8 bytes per block).
 *
 * Context: process context.
 * Return: 0.
 */
int memlab_map_refresh(struct memlab_map *map)
{
	map->nr_blocks = 0;
	if (map->pages)
		memlab_pages_walk(map->pages, map_snap_block, map);
	return 0;
}

/**
 * memlab_map_rows() - the number of rows of a map
 * @map: the map.
 *
 * Return: rows of MEMLAB_MAP_ROW cells, the last one possibly shorter.
 */
unsigned long memlab_map_rows(const struct memlab_map *map)
{
	return DIV_ROUND_UP(map->nr_cells, MEMLAB_MAP_ROW);
}

/* lmm_walk_free_from() callback, with the LMM lock held: free bytes per cell. */
static bool map_row_free(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct memlab_map *m = arg;
	uintptr_t s = max(start, m->row_lo), e = min(start + size, m->row_hi);

	if (start >= m->row_hi)
		return false;
	while (s < e) {
		unsigned long cell = (s - m->row_lo) / m->bpc;
		uintptr_t cell_end = m->row_lo + (cell + 1) * m->bpc;
		uintptr_t chunk_end = min(e, cell_end);

		m->free[cell] += chunk_end - s;
		s = chunk_end;
	}
	return true;
}

/*
 * Paint @c over the cells of the row [c0, c0 + n) that [start, start +
 * bytes) touches, or with @whole only those lying wholly inside it.
 */
static void map_fill(const struct memlab_map *m, char *cells, unsigned long c0, unsigned int n,
		     uintptr_t start, size_t bytes, char c, bool whole)
{
	uintptr_t s = max(start, m->base), e = min(start + bytes, m->base + m->size);
	unsigned long first, last, i;

	if (s >= e)
		return;
	first = (s - m->base) / m->bpc;
	last = (e - 1 - m->base) / m->bpc;
	if (whole) {
		if (m->base + first * m->bpc < s)
			first++;
		if (m->base + (last + 1) * m->bpc > e) {
			if (!last)
				return;
			last--;
		}
		if (first > last)
			return;
	}
	first = max(first, c0);
	last = min(last, c0 + n - 1);
	for (i = first; i <= last; i++)
		cells[i - c0] = c;
}

/* Index of the first snapshot block ending above arena page @page. */
static unsigned long map_first_block(const struct memlab_map *m, unsigned long page)
{
	unsigned long lo = 0, hi = m->nr_blocks;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct map_block *b = &m->blocks[mid];

		if (b->page + (1UL << b->order) <= page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * memlab_map_row() - classify the cells of one row
 * @map: the map.
 * @row: below memlab_map_rows().
 * @cells: MEMLAB_MAP_ROW characters, filled in.
 * @addr: set to the address of the row's first cell.
 *
 * Context: process context (memlab_slice_describe() takes a mutex).  The
 * LMM lock is held for at most LMM_WALK_CHUNK extents at a time.
 * Return: the number of cells filled in; 0 for a row beyond the map.
 */
unsigned int memlab_map_row(struct memlab_map *map, unsigned long row, char *cells,
			    uintptr_t *addr)
{
	unsigned long c0 = row * MEMLAB_MAP_ROW, i, page_lo, page_hi;
	uintptr_t pos;
	unsigned int n;

	if (row >= memlab_map_rows(map))
		return 0;
	n = min_t(unsigned long, MEMLAB_MAP_ROW, map->nr_cells - c0);
	map->row_lo = map->base + c0 * map->bpc;
	map->row_hi = min(map->row_lo + (uintptr_t)n * map->bpc, map->base + map->size);
	*addr = map->row_lo;

	memset(map->free, 0, sizeof(map->free));
	for (pos = map->row_lo; pos < map->row_hi;)
		pos = lmm_walk_free_from(map->lmm, pos, LMM_WALK_CHUNK, map_row_free, map);
	for (i = 0; i < n; i++) {
		size_t cell_bytes = min_t(size_t, map->bpc, map->size - (c0 + i) * map->bpc);

		cells[i] = map->free[i] == cell_bytes ? MEMLAB_MAP_LMM_FREE :
			   !map->free[i] ? MEMLAB_MAP_LMM_ALLOC : MEMLAB_MAP_LMM_PART;
	}

	page_lo = (map->row_lo - map->base) >> PAGE_SHIFT;
	page_hi = DIV_ROUND_UP(map->row_hi - map->base, PAGE_SIZE);
	for (i = map_first_block(map, page_lo); i < map->nr_blocks; i++) {
		const struct map_block *b = &map->blocks[i];
		uintptr_t a = map->base + ((uintptr_t)b->page << PAGE_SHIFT);
		struct memlab_slab_info info;
		char c;

		if (b->page >= page_hi)
			break;
		map_fill(map, cells, c0, n, a, PAGE_SIZE << b->order, b->c, false);
		if (!b->owned || memlab_slice_describe(map->pages, (void *)a, &info))
			continue;
		c = !info.inuse ? MEMLAB_MAP_SLAB_EMPTY :
		    info.inuse == info.objs ? MEMLAB_MAP_SLAB_FULL : MEMLAB_MAP_SLAB_PARTIAL;
		map_fill(map, cells, c0, n, (uintptr_t)info.base, info.bytes, c, false);
		map_fill(map, cells, c0, n, (uintptr_t)info.hdr,
			 (uintptr_t)info.base + info.bytes - (uintptr_t)info.hdr,
			 MEMLAB_MAP_META, true);
	}
	return n;
}

/**
 * memlab_map_header() - print a map's two header lines
 * @map: the map.
 * @print: called per line.
 * @arg: passed to @print.
 */
void memlab_map_header(const struct memlab_map *map, lmm_print_fn print, void *arg)
{
	print(arg,
	      "# memlab map: arena 0x%lx-0x%lx (%zu KiB), %zu bytes per char, %d chars per row\n",
	      (unsigned long)map->base, (unsigned long)(map->base + map->size), map->size >> 10,
	      map->bpc, MEMLAB_MAP_ROW);
	print(arg,
	      "# legend: .=lmm free #=lmm allocated :=lmm partly free -=pages free P=pages allocated G=generic large V=vm area s=slab partial S=slab full e=slab empty m=metadata\n");
}

/**
 * memlab_map_render() - print a whole map: a fresh pass, header and rows
 * @map: the map.
 * @print: called per line, between rows without any lock held.
 * @arg: passed to @print.
 *
 * Context: process context.
 * Return: 0, or memlab_map_refresh()'s error.
 */
int memlab_map_render(struct memlab_map *map, lmm_print_fn print, void *arg)
{
	char cells[MEMLAB_MAP_ROW];
	unsigned long row;
	uintptr_t addr;
	unsigned int n;
	int ret = memlab_map_refresh(map);

	if (ret)
		return ret;
	memlab_map_header(map, print, arg);
	for (row = 0; row < memlab_map_rows(map); row++) {
		n = memlab_map_row(map, row, cells, &addr);
		print(arg, "0x%016lx %.*s\n", (unsigned long)addr, (int)n, cells);
	}
	return 0;
}
