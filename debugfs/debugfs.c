// SPDX-License-Identifier: GPL-2.0
/*
 * memlab debugfs: /sys/kernel/debug/memlab/.
 *
 * Handlers only format what the layers' show and snapshot functions return;
 * no allocator logic lives here.  The tree is removed first at unload, which
 * waits for readers in flight, so handlers may use the instance freely.
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "module/knobs.h"
#include "lab/map.h"
#include "module/memlab.h"
#include "lab/workload.h"

static int arena_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	memlab_arena_show(m, &ml->arena);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arena);

/*
 * lmm/regions: the pool, its regions in search order, each followed by its
 * free extents by address - one line per record of a seq_file iterator.
 * Extents come LMM_WALK_CHUNK at a time from lmm_walk_free_from(), one pool
 * lock hold per chunk, resuming from the end of the last extent printed: a
 * pool of any size is never locked for long, and a listing of a pool that
 * changes meanwhile is a sequence of consistent chunks.
 */
enum regions_rec { REGIONS_POOL, REGIONS_REGION, REGIONS_EXTENT };

struct regions_iter {
	struct memlab *ml;
	loff_t cur;			/* position of the current record */
	bool done;			/* no record at cur + 1 */
	enum regions_rec kind;		/* what the current record is */
	struct lmm_info info;
	unsigned int reg;		/* index of the current region */
	struct lmm_region_info ri;
	uintptr_t pos;			/* where the next chunk starts */
	unsigned int n, i;		/* the chunk, and the extent shown */
	struct {
		uintptr_t start;
		size_t size;
	} ext[LMM_WALK_CHUNK];
};

static bool regions_take(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct regions_iter *it = arg;

	if (start >= it->ri.max || it->n == ARRAY_SIZE(it->ext))
		return false;
	it->ext[it->n].start = start;
	it->ext[it->n++].size = size;
	return true;
}

static bool regions_enter(struct regions_iter *it, unsigned int reg)
{
	if (lmm_region_info(&it->ml->lmm, reg, &it->ri))
		return false;
	it->kind = REGIONS_REGION;
	it->reg = reg;
	it->pos = it->ri.min;
	it->n = 0;
	it->i = 0;
	return true;
}

/* Step to the next record; false at the end. */
static bool regions_advance(struct regions_iter *it)
{
	if (it->kind == REGIONS_POOL)
		return regions_enter(it, 0);
	if (it->kind == REGIONS_EXTENT && ++it->i < it->n)
		return true;
	if (it->pos < it->ri.max) {
		it->n = 0;
		it->i = 0;
		it->pos = lmm_walk_free_from(&it->ml->lmm, it->pos, ARRAY_SIZE(it->ext),
					     regions_take, it);
		if (it->n) {
			it->kind = REGIONS_EXTENT;
			return true;
		}
	}
	return regions_enter(it, it->reg + 1);
}

static void regions_reset(struct regions_iter *it)
{
	lmm_info(&it->ml->lmm, &it->info);
	it->kind = REGIONS_POOL;
	it->cur = 0;
	it->done = false;
}

static void *regions_start(struct seq_file *m, loff_t *pos)
{
	struct regions_iter *it = m->private;

	if (!*pos || *pos < it->cur)
		regions_reset(it);
	if (*pos == it->cur)
		return it;
	/* a seek forward: step there (a read continues at cur, needing none) */
	while (!it->done && it->cur < *pos) {
		if (!regions_advance(it))
			it->done = true;
		else
			it->cur++;
	}
	return !it->done && it->cur == *pos ? it : NULL;
}

static void *regions_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct regions_iter *it = v;

	++*pos;
	if (it->done || !regions_advance(it)) {
		it->done = true;
		return NULL;
	}
	it->cur = *pos;
	return it;
}

static void regions_stop(struct seq_file *m, void *v)
{
}

static int regions_show(struct seq_file *m, void *v)
{
	struct regions_iter *it = v;

	switch (it->kind) {
	case REGIONS_POOL:
		seq_printf(m, "pool %s: policy %s, debug %s\n", it->info.name,
			   it->info.policy, it->info.debug ? "on" : "off");
		break;
	case REGIONS_REGION:
		seq_printf(m, "region 0x%016lx-0x%016lx flags 0x%08x pri %d free %zu in %lu extents\n",
			   (unsigned long)it->ri.min, (unsigned long)it->ri.max, it->ri.flags,
			   it->ri.pri, it->ri.free, it->ri.nr_free);
		break;
	case REGIONS_EXTENT:
		seq_printf(m, "  free 0x%016lx-0x%016lx %zu\n", (unsigned long)it->ext[it->i].start,
			   (unsigned long)(it->ext[it->i].start + it->ext[it->i].size),
			   it->ext[it->i].size);
		break;
	}
	return 0;
}

static const struct seq_operations regions_seq_ops = {
	.start = regions_start,
	.next = regions_next,
	.stop = regions_stop,
	.show = regions_show,
};

static int lmm_regions_open(struct inode *inode, struct file *file)
{
	struct regions_iter *it = __seq_open_private(file, &regions_seq_ops, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->ml = inode->i_private;
	regions_reset(it);
	return 0;
}

static const struct file_operations lmm_regions_fops = {
	.owner = THIS_MODULE,
	.open = lmm_regions_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static int lmm_stats_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	char names[8][LMM_POLICY_NAME_MAX];
	struct lmm_stats st;
	unsigned int n;
	int i;

	lmm_stats(&ml->lmm, &st);
	seq_printf(m, "policy: %s\n", st.policy);
	/* what knobs/lmm_policy accepts: the built-in and registered policies */
	n = lmm_policy_list(names, ARRAY_SIZE(names));
	seq_puts(m, "policies:");
	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(names)); i++)
		seq_printf(m, " %s", names[i]);
	seq_puts(m, n > ARRAY_SIZE(names) ? " ...\n" : "\n");
	seq_printf(m, "debug: %s\n", st.debug ? "on" : "off");
	seq_printf(m, "regions: %lu\n", st.nr_regions);
	seq_printf(m, "allocs: %llu\n", st.allocs);
	seq_printf(m, "frees: %llu\n", st.frees);
	seq_printf(m, "failures: %llu\n", st.failures);
	seq_printf(m, "injected: %llu\n", st.injected);
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

/* Free extents by power-of-two size, and the pool's external fragmentation. */
static int lmm_fragments_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct lmm_histogram *h = kmalloc(sizeof(*h), GFP_KERNEL);
	int i, ef;

	if (!h)
		return -ENOMEM;
	lmm_histogram(&ml->lmm, h);
	seq_printf(m, "%-22s %10s %14s\n", "# extent size", "extents", "bytes");
	for (i = 0; i < BITS_PER_LONG; i++)
		if (h->count[i])
			seq_printf(m, "[%9lu, %9lu) %10lu %14zu\n", 1UL << i,
				   i + 1 < BITS_PER_LONG ? 1UL << (i + 1) : ULONG_MAX,
				   h->count[i], h->bytes[i]);
	ef = memlab_extfrag_permille(h->largest, h->free);
	seq_printf(m, "free_bytes: %zu\n", h->free);
	seq_printf(m, "free_extents: %lu\n", h->extents);
	seq_printf(m, "largest_free: %zu\n", h->largest);
	seq_printf(m, "external_fragmentation: %d.%03d (1 - largest/free)\n", ef / 1000, ef % 1000);
	kfree(h);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lmm_fragments);

/* lmm/check: the main pool's validator, on demand (O(n) with the lock held). */
static int lmm_check_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	struct lmm_info info;
	int bad = lmm_check(&ml->lmm);

	lmm_info(&ml->lmm, &info);
	seq_printf(m, "policy: %s\nviolations: %d\n", info.policy, bad);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lmm_check);

static __printf(2, 3) void seq_print_cb(void *arg, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	seq_vprintf(arg, fmt, args);
	va_end(args);
}

/*
 * map: one record per row (MEMLAB_MAP_ROW cells), after a header record.
 * Each row is built when it is shown, with the layers' locks taken for that
 * row only (memlab_map_row()); the pages snapshot is retaken when a pass
 * starts at position 0.  The cell count is bounded (MEMLAB_MAP_MAX_CELLS).
 */
struct map_iter {
	struct memlab_map *map;
	loff_t cur;			/* 0: the header, r + 1: row r */
	char cells[MEMLAB_MAP_ROW];
};

static void *map_start(struct seq_file *m, loff_t *pos)
{
	struct map_iter *it = m->private;
	int ret;

	if (!*pos) {
		ret = memlab_map_refresh(it->map);
		if (ret)
			return ERR_PTR(ret);
	}
	if (*pos > memlab_map_rows(it->map))
		return NULL;
	it->cur = *pos;
	return it;
}

static void *map_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct map_iter *it = v;

	++*pos;
	if (*pos > memlab_map_rows(it->map))
		return NULL;
	it->cur = *pos;
	return it;
}

static void map_stop(struct seq_file *m, void *v)
{
}

static int map_show(struct seq_file *m, void *v)
{
	struct map_iter *it = v;
	uintptr_t addr;
	unsigned int n;

	if (!it->cur) {
		memlab_map_header(it->map, seq_print_cb, m);
		return 0;
	}
	n = memlab_map_row(it->map, it->cur - 1, it->cells, &addr);
	seq_printf(m, "0x%016lx %.*s\n", (unsigned long)addr, (int)n, it->cells);
	return 0;
}

static const struct seq_operations map_seq_ops = {
	.start = map_start,
	.next = map_next,
	.stop = map_stop,
	.show = map_show,
};

static int map_open(struct inode *inode, struct file *file)
{
	struct memlab *ml = inode->i_private;
	struct memlab_map *map;
	struct map_iter *it;

	map = memlab_map_open(&ml->lmm, ml->pages, ml->generic, ml->arena.base, ml->arena.size,
			      READ_ONCE(ml->map_bpc));
	if (IS_ERR(map))
		return PTR_ERR(map);
	memlab_map_set_vm(map, ml->vm);
	it = __seq_open_private(file, &map_seq_ops, sizeof(*it));
	if (!it) {
		memlab_map_close(map);
		return -ENOMEM;
	}
	it->map = map;
	return 0;
}

static int map_release(struct inode *inode, struct file *file)
{
	struct map_iter *it = ((struct seq_file *)file->private_data)->private;

	memlab_map_close(it->map);
	return seq_release_private(inode, file);
}

static const struct file_operations map_fops = {
	.owner = THIS_MODULE,
	.open = map_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = map_release,
};

/* ---- knobs: one file per entry of memlab_knobs[] -------------------------- */

struct knob_file {
	struct memlab *ml;
	const struct memlab_knob *knob;
};

static struct knob_file knob_files[32];

static ssize_t knob_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct knob_file *kf = file->private_data;
	char buf[64];
	int n = kf->knob->show(kf->ml, buf, sizeof(buf));

	if (n < 0)
		return n;
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

/*
 * A knob or command line from user space, NUL-terminated and bounded (the
 * kmemleak_write() pattern); the caller kfree()s it.
 */
static char *line_from_user(const char __user *ubuf, size_t count, size_t max)
{
	if (!count || count >= max)
		return ERR_PTR(-EINVAL);
	return memdup_user_nul(ubuf, count);
}

/* All or nothing: the setter validates before it changes anything. */
static ssize_t knob_write(struct file *file, const char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct knob_file *kf = file->private_data;
	char *buf = line_from_user(ubuf, count, 64);
	int ret;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = kf->knob->set(kf->ml, strim(buf));
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations knob_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = knob_read,
	.write = knob_write,
	.llseek = default_llseek,
};

/* ---- fault injection counters ---------------------------------------------- */

static int fault_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;
	static const char * const names[] = { "lmm", "pages", "slice" };
	int i;

	static_assert(ARRAY_SIZE(names) == MEMLAB_NR_LAYERS);
	seq_printf(m, "%-6s %6s %8s %12s %12s\n", "layer", "every", "permille", "calls",
		   "injected");
	for (i = 0; i < MEMLAB_NR_LAYERS; i++)
		seq_printf(m, "%-6s %6u %8u %12lld %12lld\n", names[i], ml->faults[i].every,
			   ml->faults[i].permille, atomic64_read(&ml->faults[i].calls),
			   atomic64_read(&ml->faults[i].injected));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fault);

/* ---- workload runner ----------------------------------------------------------- */

static ssize_t workload_run_write(struct file *file, const char __user *ubuf, size_t count,
				  loff_t *ppos)
{
	struct memlab *ml = file->private_data;
	char *buf = line_from_user(ubuf, count, 256);
	int ret;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = memlab_workload_run(&ml->wl, buf);
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations workload_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = workload_run_write,
	.llseek = noop_llseek,
};

static int workload_result_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	return memlab_workload_show(&ml->wl, m);
}
DEFINE_SHOW_ATTRIBUTE(workload_result);

static int workload_trace_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	return memlab_workload_trace_show(&ml->wl, m);
}

static int workload_trace_open(struct inode *inode, struct file *file)
{
	struct memlab *ml = inode->i_private;
	int ret;

	/* "> trace" (O_TRUNC) starts a new trace; ">> trace" appends */
	if ((file->f_mode & FMODE_WRITE) && (file->f_flags & O_TRUNC)) {
		ret = memlab_workload_trace_write(&ml->wl, "", 0, true);
		if (ret)
			return ret;
	}
	return single_open(file, workload_trace_show, ml);
}

static ssize_t workload_trace_write(struct file *file, const char __user *ubuf, size_t count,
				    loff_t *ppos)
{
	struct memlab *ml = ((struct seq_file *)file->private_data)->private;
	size_t chunk = min_t(size_t, count, 64 * 1024);
	char *buf;
	int ret;

	buf = memdup_user(ubuf, chunk);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = memlab_workload_trace_write(&ml->wl, buf, chunk, false);
	kfree(buf);
	return ret ? ret : chunk;
}

static const struct file_operations workload_trace_fops = {
	.owner = THIS_MODULE,
	.open = workload_trace_open,
	.read = seq_read,
	.write = workload_trace_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* The last run's samples as CSV, from a reference taken at open: no lock while reading. */
static int workload_samples_open(struct inode *inode, struct file *file)
{
	struct memlab *ml = inode->i_private;

	return memlab_workload_samples_open(&ml->wl, file);
}

static const struct file_operations workload_samples_fops = {
	.owner = THIS_MODULE,
	.open = workload_samples_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = memlab_workload_samples_release,
};

static int workload_latency_show(struct seq_file *m, void *unused)
{
	struct memlab *ml = m->private;

	return memlab_workload_latency_show(&ml->wl, m);
}
DEFINE_SHOW_ATTRIBUTE(workload_latency);

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
	seq_printf(m, "reserve_demand_max: %u\n", st->demand_max);
	seq_printf(m, "allocs: %llu\n", st->allocs);
	seq_printf(m, "frees: %llu\n", st->frees);
	seq_printf(m, "failures: %llu\n", st->failures);
	seq_printf(m, "injected: %llu\n", st->injected);
	seq_printf(m, "splits: %llu\n", st->splits);
	seq_printf(m, "merges: %llu\n", st->merges);
	seq_printf(m, "lmm_takes: %llu\n", st->lmm_takes);
	seq_printf(m, "lmm_returns: %llu\n", st->lmm_returns);
	seq_printf(m, "meta_bytes: %zu (page descriptors)\n", st->meta_bytes);
	for (zi = 0; zi < st->nr_zones; zi++)
		seq_printf(m, "zone %s: blocks_held %lu pages_free %lu pages_cached %lu demand %u\n",
			   st->zone[zi].name, st->zone[zi].blocks_held,
			   st->zone[zi].pages_free, st->zone[zi].pages_cached,
			   st->zone[zi].demand);
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
	seq_printf(m, "%s: size %zu slot %zu align %zu debug 0x%x allocs %llu frees %llu failures %llu injected %llu",
		   st.name, st.object_size, st.slot_size, st.align, st.debug, st.allocs,
		   st.frees, st.failures, st.injected);
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
	unsigned int i;

	static_assert(ARRAY_SIZE(knob_files) >= 12);

	ml->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);

	/* files showing kernel addresses are for root only */
	debugfs_create_file("arena", 0400, ml->debugfs, ml, &arena_fops);
	dir = debugfs_create_dir("lmm", ml->debugfs);
	debugfs_create_file("regions", 0400, dir, ml, &lmm_regions_fops);
	debugfs_create_file("stats", 0444, dir, ml, &lmm_stats_fops);
	debugfs_create_file("fragments", 0444, dir, ml, &lmm_fragments_fops);
	debugfs_create_file("check", 0444, dir, ml, &lmm_check_fops);
	dir = debugfs_create_dir("pages", ml->debugfs);
	debugfs_create_file("buddyinfo", 0444, dir, ml, &pages_buddyinfo_fops);
	debugfs_create_file("unusable_index", 0444, dir, ml, &pages_unusable_index_fops);
	debugfs_create_file("extfrag_index", 0444, dir, ml, &pages_extfrag_index_fops);
	debugfs_create_file("stats", 0444, dir, ml, &pages_stats_fops);
	dir = debugfs_create_dir("slice", ml->debugfs);
	debugfs_create_file("slabinfo", 0444, dir, ml, &slice_slabinfo_fops);
	debugfs_create_file("stats", 0444, dir, ml, &slice_stats_fops);
	debugfs_create_file("map", 0400, ml->debugfs, ml, &map_fops);

	dir = debugfs_create_dir("knobs", ml->debugfs);
	for (i = 0; i < memlab_nr_knobs && i < ARRAY_SIZE(knob_files); i++) {
		knob_files[i] = (struct knob_file) { .ml = ml, .knob = &memlab_knobs[i] };
		debugfs_create_file(memlab_knobs[i].name, 0644, dir, &knob_files[i], &knob_fops);
	}

	dir = debugfs_create_dir("fault", ml->debugfs);
	debugfs_create_file("counters", 0444, dir, ml, &fault_fops);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("lmm", dir, &ml->faults[MEMLAB_LAYER_LMM].attr);
	fault_create_debugfs_attr("pages", dir, &ml->faults[MEMLAB_LAYER_PAGES].attr);
	fault_create_debugfs_attr("slice", dir, &ml->faults[MEMLAB_LAYER_SLICE].attr);
#endif

	dir = debugfs_create_dir("workload", ml->debugfs);
	debugfs_create_file("run", 0200, dir, ml, &workload_run_fops);
	debugfs_create_file("result", 0444, dir, ml, &workload_result_fops);
	debugfs_create_file("trace", 0644, dir, ml, &workload_trace_fops);
	debugfs_create_file("samples", 0444, dir, ml, &workload_samples_fops);
	debugfs_create_file("latency", 0444, dir, ml, &workload_latency_fops);
	memlab_debugfs_vm_init(ml);
}

/**
 * memlab_debugfs_exit() - remove /sys/kernel/debug/memlab
 * @ml: the instance passed to memlab_debugfs_init().
 *
 * Context: process context; waits for readers in flight.
 */
void memlab_debugfs_exit(struct memlab *ml)
{
	memlab_debugfs_vm_exit(ml);
	debugfs_remove_recursive(ml->debugfs);
	ml->debugfs = NULL;
}
