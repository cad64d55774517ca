/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab arena map: every cell of the arena classified by the layer that
 * owns it.  See arena/map.c.
 */
#ifndef MEMLAB_MAP_H
#define MEMLAB_MAP_H

#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"

#define MEMLAB_MAP_LMM_FREE	'.'
#define MEMLAB_MAP_LMM_ALLOC	'#'
#define MEMLAB_MAP_LMM_PART	':'
#define MEMLAB_MAP_PAGES_FREE	'-'
#define MEMLAB_MAP_PAGES_ALLOC	'P'
#define MEMLAB_MAP_LARGE	'G'
#define MEMLAB_MAP_SLAB_PARTIAL	's'
#define MEMLAB_MAP_SLAB_FULL	'S'
#define MEMLAB_MAP_SLAB_EMPTY	'e'
#define MEMLAB_MAP_META		'm'

/* Characters per row of the rendered map. */
#define MEMLAB_MAP_ROW		64

struct memlab_map_block {
	void *addr;
	size_t bytes;
};

int memlab_map_build(struct lmm *lmm, struct memlab_pages *pages,
		     struct memlab_generic *generic, void *base, size_t size, size_t bpc,
		     char **cells);
void memlab_map_render(const void *base, size_t size, size_t bpc, const char *cells,
		       lmm_print_fn print, void *arg);

#endif /* MEMLAB_MAP_H */
