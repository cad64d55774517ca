/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: the module instance that ties the layers to one arena.
 *
 * Only the glue (arena/main.c) and debugfs/ see this structure; each layer
 * knows nothing of the others beyond the public header of the one below it.
 */
#ifndef MEMLAB_H
#define MEMLAB_H

#include "arena/arena.h"

struct dentry;

/**
 * struct memlab - everything one loaded memlab module owns
 * @arena: the reserved memory.
 * @debugfs: the /sys/kernel/debug/memlab directory, or an error pointer.
 */
struct memlab {
	struct memlab_arena arena;
	struct dentry *debugfs;
};

void memlab_debugfs_init(struct memlab *ml);
void memlab_debugfs_exit(struct memlab *ml);

#endif /* MEMLAB_H */
