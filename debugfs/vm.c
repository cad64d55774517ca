// SPDX-License-Identifier: GPL-2.0
/*
 * memlab debugfs: /sys/kernel/debug/memlab/vm/, the vm allocator.
 *
 *   areas  one line per live area, in the spirit of /proc/vmallocinfo:
 *          address (hashed), bytes, pages, pages-layer blocks, physically
 *          contiguous runs, caller, and the first backing blocks as arena
 *          offset/order.  0400 like vmallocinfo: it shows where code is.
 *   stats  counters, backing blocks by order, misuse by kind.
 *
 * Handlers only format what memlab_vm_walk() and memlab_vm_stats() give.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "module/memlab.h"

/* Backing blocks listed per area; the rest are counted. */
#define VM_AREAS_SHOW_BLOCKS	8

static struct dentry *vm_dir;

struct vm_areas_walk {
	struct seq_file *m;
	const struct memlab *ml;
};

static void vm_areas_one(void *arg, const struct memlab_vm_area_info *a)
{
	struct vm_areas_walk *w = arg;
	unsigned int i, shown = min_t(unsigned int, a->nr_blocks, VM_AREAS_SHOW_BLOCKS);

	seq_printf(w->m, "%p %10zu %7lu %6u %6lu %pS", a->addr, a->size, a->nr_pages,
		   a->nr_blocks, a->nr_runs, a->caller);
	for (i = 0; i < shown; i++)
		seq_printf(w->m, " 0x%zx/%u",
			   (size_t)((const char *)a->blocks[i].addr -
				    (const char *)w->ml->arena.base),
			   a->blocks[i].order);
	if (a->nr_blocks > shown)
		seq_printf(w->m, " (+%u)", a->nr_blocks - shown);
	seq_putc(w->m, '\n');
}

static int vm_areas_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct vm_areas_walk w = { .m = m, .ml = ml };

	seq_puts(m, "# area           bytes   pages blocks   runs caller backing(arena offset/order)\n");
	memlab_vm_walk(ml->vm, vm_areas_one, &w);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vm_areas);

static int vm_stats_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct memlab_vm_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int o, i;

	if (!st)
		return -ENOMEM;
	memlab_vm_stats(ml->vm, st);
	seq_printf(m, "instance: %s\n", st->name);
	seq_printf(m, "max_order: %u\n", st->max_order);
	seq_printf(m, "span: %zu\n", st->span);
	seq_printf(m, "areas: %lu\n", st->nr_areas);
	seq_printf(m, "pages: %lu\n", st->nr_pages);
	seq_printf(m, "blocks: %lu\n", st->nr_blocks);
	seq_printf(m, "runs: %lu (physically contiguous, summed over the areas)\n", st->nr_runs);
	seq_printf(m, "requested: %zu\n", st->requested);
	seq_printf(m, "largest: %zu\n", st->largest);
	seq_printf(m, "allocs: %llu\n", st->allocs);
	seq_printf(m, "frees: %llu\n", st->frees);
	seq_printf(m, "failures: %llu\n", st->failures);
	seq_printf(m, "injected: %llu\n", st->injected);
	seq_printf(m, "fallbacks: %llu (block orders refused, retried lower)\n", st->fallbacks);
	seq_printf(m, "meta_bytes: %zu\n", st->meta_bytes);
	seq_puts(m, "blocks_by_order:");
	for (o = 0; o <= memlab_pages_max_order(ml->pages); o++)
		seq_printf(m, " %lu", st->blocks_by_order[o]);
	seq_putc(m, '\n');
	for (i = 0; i < MEMLAB_VM_NR_MISUSE; i++)
		seq_printf(m, "misuse %s: %llu\n", memlab_vm_misuse_name(i), st->misuse[i]);
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vm_stats);

/**
 * memlab_debugfs_vm_init() - publish memlab/vm/ under the module's directory
 * @ml: the loaded instance, with its debugfs directory made.
 *
 * Nothing is published without a vm instance.  Failures are ignored, as
 * debugfs asks.
 *
 * Context: process context.
 */
void memlab_debugfs_vm_init(struct memlab *ml)
{
	if (IS_ERR_OR_NULL(ml->vm))
		return;
	vm_dir = debugfs_create_dir("vm", ml->debugfs);
	debugfs_create_file("areas", 0400, vm_dir, ml, &vm_areas_fops);
	debugfs_create_file("stats", 0444, vm_dir, ml, &vm_stats_fops);
}

/**
 * memlab_debugfs_vm_exit() - remove memlab/vm/
 * @ml: the instance passed to memlab_debugfs_vm_init().
 *
 * Context: process context; waits for readers in flight.
 */
void memlab_debugfs_vm_exit(struct memlab *ml)
{
	debugfs_remove_recursive(vm_dir);
	vm_dir = NULL;
}
