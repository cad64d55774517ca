/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: the module instance that ties the layers to one arena.
 *
 * Only the glue (module/main.c) and debugfs/ see this structure; each layer
 * knows nothing of the others beyond the public header of the one below it.
 */
#ifndef MEMLAB_H
#define MEMLAB_H

#include "arena/arena.h"
#include "lab/workload.h"
#include "module/fault.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "vm/vm.h"

struct dentry;

/* The layers, for per-layer settings such as fault injection. */
enum memlab_layer { MEMLAB_LAYER_LMM, MEMLAB_LAYER_PAGES, MEMLAB_LAYER_SLICE, MEMLAB_NR_LAYERS };

/*
 * Region flag of the arena's low part, like OSKit's LMMF_16MB on a PC: only
 * requests that ask for it are confined there, and it has lower priority so
 * that other requests leave it for those that need it.
 */
#define MEMLAB_LMMF_LOW		0x2
#define MEMLAB_PRI_LOW		(-1)
#define MEMLAB_PRI_NORMAL	0

/* The generic allocator's 4096-byte class needs slabs of this order. */
#define MEMLAB_MIN_MAX_ORDER	3

/**
 * struct memlab - everything one loaded memlab module owns
 * @arena: the reserved memory.
 * @lmm: the main LMM pool, managing the whole arena.
 * @low: the arena's first @low_size bytes, flagged MEMLAB_LMMF_LOW.
 * @normal: the rest of the arena.
 * @low_size: bytes in @low (0: no low region).
 * @max_order: the pages layer's max order: pages_max_order, or lower when a
 *	zone of a small arena could not hold a block of that order.
 * @pages: the buddy allocator over @lmm, zones "normal" then "low".
 * @generic: the generic allocator over @pages (memlab_alloc()).
 * @vm: the vm allocator over @pages (memlab_vmalloc()).
 * @faults: fault injection, one per layer.
 * @map_bpc: bytes of arena per character of the map.
 * @wl_layers: the layers as @wl sees them (memlab_wl_layers_fill()).
 * @wl: the workload runner.
 * @debugfs: the /sys/kernel/debug/memlab directory, or an error pointer.
 */
struct memlab {
	struct memlab_arena arena;
	struct lmm lmm;
	struct lmm_region low;
	struct lmm_region normal;
	size_t low_size;
	unsigned int max_order;
	struct memlab_pages *pages;
	struct memlab_generic *generic;
	struct memlab_vm *vm;
	struct memlab_fault faults[MEMLAB_NR_LAYERS];
	size_t map_bpc;
	struct memlab_wl_layers wl_layers;
	struct memlab_workload wl;
	struct dentry *debugfs;
};

/* Point @ml's workload runner at its layers; call once they exist. */
static inline const struct memlab_wl_layers *memlab_wl_layers_fill(struct memlab *ml)
{
	ml->wl_layers = (struct memlab_wl_layers) {
		.lmm = &ml->lmm, .pages = ml->pages, .generic = ml->generic, .vm = ml->vm,
		.base = ml->arena.base, .size = ml->arena.size, .low_flags = MEMLAB_LMMF_LOW,
	};
	return &ml->wl_layers;
}

void memlab_debugfs_init(struct memlab *ml);
void memlab_debugfs_exit(struct memlab *ml);
void memlab_debugfs_vm_init(struct memlab *ml);
void memlab_debugfs_vm_exit(struct memlab *ml);

#endif /* MEMLAB_H */
