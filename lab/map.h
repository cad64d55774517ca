/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab arena map: every cell of the arena classified by the layer that
 * owns it, rendered one row at a time.  See lab/map.c.
 */
#ifndef MEMLAB_MAP_H
#define MEMLAB_MAP_H

#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "vm/vm.h"

#define MEMLAB_MAP_LMM_FREE	'.'
#define MEMLAB_MAP_LMM_ALLOC	'#'
#define MEMLAB_MAP_LMM_PART	':'
#define MEMLAB_MAP_PAGES_FREE	'-'
#define MEMLAB_MAP_PAGES_ALLOC	'P'
#define MEMLAB_MAP_LARGE	'G'
#define MEMLAB_MAP_VM		'V'
#define MEMLAB_MAP_SLAB_PARTIAL	's'
#define MEMLAB_MAP_SLAB_FULL	'S'
#define MEMLAB_MAP_SLAB_EMPTY	'e'
#define MEMLAB_MAP_META		'm'

/* Characters per row of the rendered map: one row is one chunk. */
#define MEMLAB_MAP_ROW		64

/*
 * The most cells a map may have: 4M cells are 65536 rows, about 5.5 MB of
 * text or a 2048 x 2048 image (tools/map2png.py) - more than anyone reads,
 * and a bound on the time and output of one pass.  A 1 GiB arena therefore
 * takes at least 256 bytes per character.
 */
#define MEMLAB_MAP_MAX_CELLS	BIT(22)

struct memlab_map;

int memlab_map_check_bpc(size_t size, size_t bpc, size_t *min_bpc);
struct memlab_map *memlab_map_open(struct lmm *lmm, struct memlab_pages *pages,
				   struct memlab_generic *generic, void *base, size_t size,
				   size_t bpc);
void memlab_map_close(struct memlab_map *map);
void memlab_map_set_vm(struct memlab_map *map, const struct memlab_vm *vm);
int memlab_map_refresh(struct memlab_map *map);
unsigned long memlab_map_rows(const struct memlab_map *map);
unsigned int memlab_map_row(struct memlab_map *map, unsigned long row, char *cells,
			    uintptr_t *addr);
void memlab_map_header(const struct memlab_map *map, lmm_print_fn print, void *arg);
int memlab_map_render(struct memlab_map *map, lmm_print_fn print, void *arg);

#endif /* MEMLAB_MAP_H */
