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
#include <linux/slab.h>

#include "arena/memlab.h"

static int arena_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	memlab_arena_show(m, &ml->arena);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arena);

static int lmm_regions_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	lmm_dump_seq(&ml->lmm, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lmm_regions);

static int lmm_stats_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct lmm_stats st;
	int i;

	lmm_stats(&ml->lmm, &st);
	seq_printf(m, "policy: %s\n", lmm_policy_name(st.policy));
	seq_printf(m, "debug: %s\n", st.debug ? "on" : "off");
	seq_printf(m, "regions: %lu\n", st.nr_regions);
	seq_printf(m, "allocs: %llu\n", st.allocs);
	seq_printf(m, "frees: %llu\n", st.frees);
	seq_printf(m, "failures: %llu\n", st.failures);
	seq_printf(m, "splits: %llu\n", st.splits);
	seq_printf(m, "merges: %llu\n", st.merges);
	seq_printf(m, "free_bytes: %zu\n", st.free_bytes);
	seq_printf(m, "free_extents: %lu\n", st.free_extents);
	seq_printf(m, "largest_free: %zu\n", st.largest_free);
	seq_printf(m, "meta_bytes: %zu (index nodes inside free extents)\n", st.meta_bytes);
	seq_printf(m, "debug_records: %lu (%zu bytes)\n", st.debug_records, st.debug_bytes);
	for (i = 0; i < LMM_NR_MISUSE; i++)
		seq_printf(m, "misuse %s: %llu\n", lmm_misuse_name(i), st.misuse[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lmm_stats);

/* /proc/buddyinfo's shape: one row per zone, free blocks per order. */
static int pages_buddyinfo_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int zi, o;

	if (!st)
		return -ENOMEM;
	memlab_pages_stats(ml->pages, st);
	for (zi = 0; zi < st->nr_zones; zi++) {
		seq_printf(m, "Instance %s, zone %8s ", st->name, st->zone[zi].name);
		for (o = 0; o <= st->max_order; o++)
			seq_printf(m, "%6lu ", st->zone[zi].nr_free[o]);
		seq_putc(m, '\n');
	}
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pages_buddyinfo);

/* mm/vmstat.c's extfrag files: an index per order, printed as d.ddd. */
static int pages_index_show(struct seq_file *m,
			    int (*index)(const unsigned long *, unsigned int, unsigned int))
{
	struct memlab *ml = m->private;
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int zi, o;

	if (!st)
		return -ENOMEM;
	memlab_pages_stats(ml->pages, st);
	for (zi = 0; zi < st->nr_zones; zi++) {
		seq_printf(m, "Instance %s, zone %8s ", st->name, st->zone[zi].name);
		for (o = 0; o <= st->max_order; o++) {
			int v = index(st->zone[zi].nr_free, st->max_order + 1, o);

			seq_printf(m, "%s%d.%03d ", v < 0 ? "-" : "", abs(v) / 1000, abs(v) % 1000);
		}
		seq_putc(m, '\n');
	}
	kfree(st);
	return 0;
}

static int pages_unusable_index_show(struct seq_file *m, void *unused)
{
	return pages_index_show(m, memlab_frag_unusable_index);
}
DEFINE_SHOW_ATTRIBUTE(pages_unusable_index);

static int pages_extfrag_index_show(struct seq_file *m, void *unused)
{
	return pages_index_show(m, memlab_frag_extfrag_index);
}
DEFINE_SHOW_ATTRIBUTE(pages_extfrag_index);

static int pages_stats_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned int zi, i;

	if (!st)
		return -ENOMEM;
	memlab_pages_stats(ml->pages, st);
	seq_printf(m, "instance: %s\n", st->name);
	seq_printf(m, "max_order: %u\n", st->max_order);
	seq_printf(m, "reserve_blocks: %u\n", st->reserve_blocks);
	seq_printf(m, "allocs: %llu\n", st->allocs);
	seq_printf(m, "frees: %llu\n", st->frees);
	seq_printf(m, "failures: %llu\n", st->failures);
	seq_printf(m, "splits: %llu\n", st->splits);
	seq_printf(m, "merges: %llu\n", st->merges);
	seq_printf(m, "lmm_takes: %llu\n", st->lmm_takes);
	seq_printf(m, "lmm_returns: %llu\n", st->lmm_returns);
	seq_printf(m, "meta_bytes: %zu (page descriptors)\n", st->meta_bytes);
	for (zi = 0; zi < st->nr_zones; zi++)
		seq_printf(m, "zone %s: blocks_held %lu pages_free %lu pages_cached %lu\n",
			   st->zone[zi].name, st->zone[zi].blocks_held,
			   st->zone[zi].pages_free, st->zone[zi].pages_cached);
	for (i = 0; i < MEMLAB_PAGES_NR_MISUSE; i++)
		seq_printf(m, "misuse %s: %llu\n", memlab_pages_misuse_name(i), st->misuse[i]);
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pages_stats);

/* /proc/slabinfo 2.1's columns, over every live slice pool. */
static void slabinfo_one(struct memlab_slice_pool *pool, void *arg)
{
	struct memlab_slice_stats st;

	memlab_slice_stats(pool, &st);
	seq_printf(arg, "%-20s %8lu %8lu %6zu %4u %4u : cpu_cached %4lu : slabdata %6lu %6lu : waste %zu\n",
		   st.name, st.active_objs, st.num_objs, st.object_size, st.objs_per_slab,
		   st.pages_per_slab, st.cpu_cached, st.active_slabs, st.num_slabs,
		   st.waste_per_slab);
}

static int slice_slabinfo_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "# name                <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : cpu_cached <n> : slabdata <active_slabs> <num_slabs> : waste <bytes per slab>\n");
	memlab_slice_for_each(slabinfo_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(slice_slabinfo);

static void slice_stats_one(struct memlab_slice_pool *pool, void *arg)
{
	struct seq_file *m = arg;
	struct memlab_slice_stats st;
	int i;

	memlab_slice_stats(pool, &st);
	seq_printf(m, "%s: size %zu slot %zu align %zu debug 0x%x allocs %llu frees %llu failures %llu",
		   st.name, st.object_size, st.slot_size, st.align, st.debug, st.allocs,
		   st.frees, st.failures);
	for (i = 0; i < MEMLAB_SLICE_NR_MISUSE; i++)
		if (st.misuse[i])
			seq_printf(m, " [%s: %llu]", memlab_slice_misuse_name(i), st.misuse[i]);
	seq_putc(m, '\n');
}

static int slice_stats_show(struct seq_file *m, void *unused)
{
	memlab_slice_for_each(slice_stats_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(slice_stats);

/**
 * memlab_debugfs_init() - publish /sys/kernel/debug/memlab
 * @ml: the loaded instance; must outlive memlab_debugfs_exit().
 *
 * Failures are ignored, as debugfs asks: memlab works without its files.
 */
void memlab_debugfs_init(struct memlab *ml)
{
	struct dentry *dir;

	ml->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);

	debugfs_create_file("arena", 0444, ml->debugfs, ml, &arena_fops);
	dir = debugfs_create_dir("lmm", ml->debugfs);
	debugfs_create_file("regions", 0444, dir, ml, &lmm_regions_fops);
	debugfs_create_file("stats", 0444, dir, ml, &lmm_stats_fops);
	dir = debugfs_create_dir("pages", ml->debugfs);
	debugfs_create_file("buddyinfo", 0444, dir, ml, &pages_buddyinfo_fops);
	debugfs_create_file("unusable_index", 0444, dir, ml, &pages_unusable_index_fops);
	debugfs_create_file("extfrag_index", 0444, dir, ml, &pages_extfrag_index_fops);
	debugfs_create_file("stats", 0444, dir, ml, &pages_stats_fops);
	dir = debugfs_create_dir("slice", ml->debugfs);
	debugfs_create_file("slabinfo", 0444, dir, ml, &slice_slabinfo_fops);
	debugfs_create_file("stats", 0444, dir, ml, &slice_stats_fops);
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
