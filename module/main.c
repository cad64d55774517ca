// SPDX-License-Identifier: GPL-2.0
/*
 * memlab module glue: parameters, load and unload.
 *
 * Load, in five steps, each a function below:
 *  1. memlab_parse_params(): parse and validate every parameter (a bad one
 *     fails the load before anything is allocated);
 *  2. memlab_arena_setup(): reserve the arena, set up the CPU-hotplug
 *     states the layers share;
 *  3. memlab_layers_create(): the LMM pool, pages, generic and vm over it;
 *  4. memlab_lab_setup(): fault hooks, the knobs given as parameters, the
 *     workload runner;
 *  5. memlab_debugfs_init(): publish the files.
 * A failing step undoes its own work, and memlab_init() the steps before it.
 * Unload runs the steps backwards, removing debugfs first so that no reader
 * is left inside a structure being freed.  KUnit suites linked into the
 * module run after a successful load.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "module/knobs.h"
#include "module/memlab.h"

static char *arena_size = "16M";
module_param(arena_size, charp, 0444);
MODULE_PARM_DESC(arena_size,
		 "arena size in bytes, memparse syntax (16M, 1G); page multiple (default 16M)");

static char *backing = "vmalloc";
module_param(backing, charp, 0444);
MODULE_PARM_DESC(backing,
		 "where the arena comes from: vmalloc (default), pages (physically contiguous, up to one max-order block) or cma");

static char *low_size = "";
module_param(low_size, charp, 0444);
MODULE_PARM_DESC(low_size,
		 "bytes at the arena's start given to the LMM as a low region (flag 0x2, priority -1); 0 for none (default: a quarter of the arena)");

static unsigned int pages_max_order = 10;
module_param(pages_max_order, uint, 0444);
MODULE_PARM_DESC(pages_max_order,
		 "largest block order of the pages layer, 3-12 (default 10: 4 MiB with 4 KiB pages); lowered at load until every zone of a small arena holds a block");

bool memlab_kunit_slow;
module_param_named(kunit_slow, memlab_kunit_slow, bool, 0444);
MODULE_PARM_DESC(kunit_slow,
		 "also run the slow KUnit cases (stress, differential, measurements) at load");

static const struct memlab_zone_desc memlab_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
	{ .name = "low", .lmm_flags = MEMLAB_LMMF_LOW },
};

static struct memlab memlab;

/* The main LMM pool: a low region, then normal memory, all of it free. */
static int memlab_lmm_setup(struct memlab *ml)
{
	struct memlab_arena *a = &ml->arena;
	int ret;

	lmm_init(&ml->lmm);
	lmm_set_name(&ml->lmm, "memlab");
	if (ml->low_size) {
		ret = lmm_add_region(&ml->lmm, &ml->low, a->base, ml->low_size,
				     MEMLAB_LMMF_LOW, MEMLAB_PRI_LOW);
		if (ret)
			return ret;
	}
	ret = lmm_add_region(&ml->lmm, &ml->normal, a->base + ml->low_size,
			     a->size - ml->low_size, 0, MEMLAB_PRI_NORMAL);
	if (ret)
		return ret;
	return lmm_add_free(&ml->lmm, a->base, a->size);
}

/*
 * The pages layer takes naturally aligned max-order blocks, each inside one
 * LMM region.  In a small arena (or a small low region) the requested order
 * may fit nowhere: lower it until every zone holds at least one block, and
 * say so; refuse the load, naming the parameters, if even the smallest
 * usable order does not fit.
 */
static int memlab_pick_max_order(size_t size, size_t low, unsigned int *order)
{
	int fit = memlab_pages_fit_order(low, size - low, *order);

	if (low)
		fit = min(fit, memlab_pages_fit_order(0, low, *order));
	if (fit < MEMLAB_MIN_MAX_ORDER) {
		pr_err("arena_size=%s low_size=%zuK refused: every zone needs room for one block of %lu KiB (order %d), the smallest the generic allocator can use\n",
		       arena_size, low >> 10, (PAGE_SIZE << MEMLAB_MIN_MAX_ORDER) >> 10,
		       MEMLAB_MIN_MAX_ORDER);
		return -EINVAL;
	}
	if (fit < *order) {
		pr_notice("pages_max_order lowered from %u to %d: with arena_size=%s low_size=%zuK every zone then holds at least one %lu KiB block\n",
			  *order, fit, arena_size, low >> 10, (PAGE_SIZE << fit) >> 10);
		*order = fit;
	}
	return 0;
}

/* Step 1: every parameter, before anything is allocated. */
static int memlab_parse_params(enum memlab_backing *bk, size_t *size)
{
	const char *why = NULL;
	int ret;

	if (memlab_parse_backing(backing, bk)) {
		pr_err("backing=%s refused: unknown backing (vmalloc, pages or cma)\n",
		       backing ?: "");
		return -EINVAL;
	}
	ret = memlab_parse_size(arena_size, size, &why);
	if (ret) {
		pr_err("arena_size=%s refused: %s\n", arena_size ?: "", why);
		return ret;
	}
	if (pages_max_order < MEMLAB_MIN_MAX_ORDER || pages_max_order > MEMLAB_PAGES_MAX_ORDER) {
		pr_err("pages_max_order=%u refused: %d to %d (the generic allocator's 4096-byte class needs blocks of order %d or more)\n",
		       pages_max_order, MEMLAB_MIN_MAX_ORDER, MEMLAB_PAGES_MAX_ORDER,
		       MEMLAB_MIN_MAX_ORDER);
		return -EINVAL;
	}
	if (low_size && !strcmp(low_size, "0")) {
		memlab.low_size = 0;
	} else if (!low_size || !*low_size) {
		memlab.low_size = (*size / 4) & PAGE_MASK;
	} else {
		ret = memlab_parse_size(low_size, &memlab.low_size, &why);
		if (!ret && memlab.low_size >= *size) {
			why = "not smaller than arena_size";
			ret = -EINVAL;
		}
		if (ret) {
			pr_err("low_size=%s refused: %s\n", low_size ?: "", why);
			return ret;
		}
	}
	memlab.max_order = pages_max_order;
	return memlab_pick_max_order(*size, memlab.low_size, &memlab.max_order);
}

/* Step 2: the arena, then the CPU-hotplug states the layers share. */
static int memlab_arena_setup(struct memlab *ml, enum memlab_backing bk, size_t size)
{
	const char *why = NULL;
	int ret = memlab_arena_reserve(&ml->arena, size, bk, &why);

	if (ret) {
		pr_err("arena_size=%s backing=%s refused: %s (%d)\n", arena_size,
		       memlab_backing_name(bk), why, ret);
		return ret;
	}
	ret = memlab_pages_init();
	if (ret)
		goto out_release;
	ret = memlab_slice_init();
	if (ret)
		goto out_pages;
	return 0;

out_pages:
	memlab_pages_exit();
out_release:
	memlab_arena_release(&ml->arena);
	return ret;
}

static void memlab_arena_teardown(struct memlab *ml)
{
	memlab_slice_exit();
	memlab_pages_exit();
	memlab_arena_release(&ml->arena);
}

/* Step 3: the layers over the arena, bottom up. */
static int memlab_layers_create(struct memlab *ml)
{
	int ret = memlab_lmm_setup(ml);

	if (ret) {
		pr_err("cannot build the LMM pool over the arena (%d)\n", ret);
		return ret;
	}
	ml->pages = memlab_pages_create("memlab", &ml->lmm, ml->arena.base, ml->arena.size,
					ml->max_order, memlab_zones, ARRAY_SIZE(memlab_zones));
	if (IS_ERR(ml->pages)) {
		ret = PTR_ERR(ml->pages);
		pr_err("cannot create the pages instance (%d)\n", ret);
		goto out_lmm;
	}
	/* the reserve follows demand, on top of pages_reserve: see pages/pages.c */
	memlab_pages_set_demand(ml->pages, MEMLAB_PAGES_DEMAND);
	ml->generic = memlab_generic_create(ml->pages, "memlab", 0);
	if (IS_ERR(ml->generic)) {
		ret = PTR_ERR(ml->generic);
		pr_err("cannot create the generic allocator (%d)\n", ret);
		goto out_pages;
	}
	memlab_generic_set_default(ml->generic);
	ml->vm = memlab_vm_create(ml->pages, "memlab");
	if (IS_ERR(ml->vm)) {
		ret = PTR_ERR(ml->vm);
		pr_err("cannot create the vm allocator (%d)\n", ret);
		goto out_generic;
	}
	memlab_vm_set_default(ml->vm);
	return 0;

out_generic:
	memlab_generic_set_default(NULL);
	memlab_generic_teardown(ml->generic);
out_pages:
	memlab_pages_destroy(ml->pages);
out_lmm:
	lmm_destroy(&ml->lmm);
	return ret;
}

/*
 * Top down.  Nothing of memlab's own survives an unload, even with objects
 * still allocated (left by a workload, or by an importing module that
 * leaked them: while an importer is loaded memlab cannot be unloaded).
 * Such objects lie in the arena, which goes last: whoever still holds a
 * pointer into it holds freed memory.
 */
static void memlab_layers_destroy(struct memlab *ml)
{
	if (memlab_vm_destroy(ml->vm))	/* also unsets the default */
		pr_err("vm allocator still in use at unload\n");
	memlab_generic_set_default(NULL);
	memlab_generic_teardown(ml->generic);
	memlab_pages_teardown(ml->pages);
	lmm_destroy(&ml->lmm);
}

/* Step 4: fault hooks, knobs from the parameters, the workload runner. */
static int memlab_lab_setup(struct memlab *ml)
{
	static const char * const layers[] = { "lmm", "pages", "slice" };
	unsigned int i;
	int ret;

	static_assert(ARRAY_SIZE(layers) == MEMLAB_NR_LAYERS);
	for (i = 0; i < MEMLAB_NR_LAYERS; i++)
		memlab_fault_init(&ml->faults[i], layers[i]);
	lmm_set_fault_hook(&ml->lmm, memlab_fault_should_fail, &ml->faults[MEMLAB_LAYER_LMM]);
	memlab_pages_set_fault_hook(ml->pages, memlab_fault_should_fail,
				    &ml->faults[MEMLAB_LAYER_PAGES]);
	memlab_generic_set_fault_hook(ml->generic, memlab_fault_should_fail,
				      &ml->faults[MEMLAB_LAYER_SLICE]);
	ml->map_bpc = PAGE_SIZE;
	ret = memlab_knobs_apply_params(ml);
	if (ret)
		return ret;
	memlab_workload_init(&ml->wl, memlab_wl_layers_fill(ml));
	return 0;
}

static int __init memlab_init(void)
{
	enum memlab_backing bk;
	size_t size;
	int ret;

	ret = memlab_parse_params(&bk, &size);
	if (ret)
		return ret;
	ret = memlab_arena_setup(&memlab, bk, size);
	if (ret)
		return ret;
	ret = memlab_layers_create(&memlab);
	if (ret)
		goto out_arena;
	ret = memlab_lab_setup(&memlab);
	if (ret)
		goto out_layers;

	memlab_debugfs_init(&memlab);	/* step 5: cannot fail */
	pr_info("arena of %zu KiB from %s, %lu physical extent(s), pages max order %u\n",
		size >> 10, memlab_backing_name(bk), memlab.arena.nr_extents, memlab.max_order);
	return 0;

out_layers:
	memlab_layers_destroy(&memlab);
out_arena:
	memlab_arena_teardown(&memlab);
	return ret;
}

/* The load's steps, backwards; debugfs first, so that no reader is left inside. */
static void __exit memlab_exit(void)
{
	memlab_debugfs_exit(&memlab);
	memlab_knobs_exit();
	memlab_workload_exit(&memlab.wl);
	memlab_layers_destroy(&memlab);
	memlab_arena_teardown(&memlab);
}

module_init(memlab_init);
module_exit(memlab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memlab: LMM, buddy and slice allocators over one arena, for experiments");
MODULE_AUTHOR("memlab developers");
