// SPDX-License-Identifier: GPL-2.0
/*
 * memlab debugfs: /sys/kernel/debug/memlab/.
 *
 * Handlers only format what the layers' show and snapshot functions return;
 * no allocator logic lives here.  The tree is removed first at unload, which
 * waits for readers in flight, so handlers may use the instance freely.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "arena/memlab.h"

static int arena_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	memlab_arena_show(m, &ml->arena);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arena);

/**
 * memlab_debugfs_init() - publish /sys/kernel/debug/memlab
 * @ml: the loaded instance; must outlive memlab_debugfs_exit().
 *
 * Failures are ignored, as debugfs asks: memlab works without its files.
 */
void memlab_debugfs_init(struct memlab *ml)
{
	ml->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("arena", 0444, ml->debugfs, ml, &arena_fops);
}

/**
 * memlab_debugfs_exit() - remove /sys/kernel/debug/memlab
 * @ml: the instance passed to memlab_debugfs_init().
 *
 * Context: process context; waits for readers in flight.
 */
void memlab_debugfs_exit(struct memlab *ml)
{
	debugfs_remove_recursive(ml->debugfs);
	ml->debugfs = NULL;
}
