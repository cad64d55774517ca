// SPDX-License-Identifier: GPL-2.0
/*
 * memlab module glue: parameters, load and unload.
 *
 * Load order: parse and validate every parameter (a bad one fails the load
 * before anything is allocated), reserve the arena, build the layers over it,
 * then publish debugfs.  Unload runs the same steps backwards, removing
 * debugfs first so that no reader is left inside a structure being freed.
 * KUnit suites linked into the module run after a successful load.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "arena/bench.h"
#include "arena/knobs.h"
#include "arena/memlab.h"

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
		 "largest block order of the pages layer, 3-12 (default 10: 4 MiB with 4 KiB pages)");

static unsigned int bench;
module_param(bench, uint, 0444);
MODULE_PARM_DESC(bench,
		 "run the benchmarks at load and log a table: 1 full (tens of seconds), 2 quick smoke run");

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

static int __init memlab_init(void)
{
	enum memlab_backing bk;
	const char *why = NULL;
	unsigned int i, objs;
	size_t size;
	int ret;

	if (memlab_parse_backing(backing, &bk)) {
		pr_err("backing=%s refused: unknown backing (vmalloc, pages or cma)\n",
		       backing ?: "");
		return -EINVAL;
	}
	ret = memlab_parse_size(arena_size, &size, &why);
	if (ret) {
		pr_err("arena_size=%s refused: %s\n", arena_size ?: "", why);
		return ret;
	}
	if (bench > 2) {
		pr_err("bench=%u refused: 0, 1 (full) or 2 (smoke)\n", bench);
		return -EINVAL;
	}
	if (memlab_slice_order_for(4096, 4096, 0, min_t(unsigned int, pages_max_order,
							    MEMLAB_PAGES_MAX_ORDER),
				   &objs) == UINT_MAX) {
		pr_err("pages_max_order=%u refused: the generic allocator's 4096-byte class needs blocks of order 3 or more\n",
		       pages_max_order);
		return -EINVAL;
	}
	if (pages_max_order > MEMLAB_PAGES_MAX_ORDER) {
		pr_err("pages_max_order=%u refused: above %d\n", pages_max_order,
		       MEMLAB_PAGES_MAX_ORDER);
		return -EINVAL;
	}
	if (low_size && !strcmp(low_size, "0")) {
		memlab.low_size = 0;
	} else if (!low_size || !*low_size) {
		memlab.low_size = (size / 4) & PAGE_MASK;
	} else {
		ret = memlab_parse_size(low_size, &memlab.low_size, &why);
		if (!ret && memlab.low_size >= size) {
			why = "not smaller than arena_size";
			ret = -EINVAL;
		}
		if (ret) {
			pr_err("low_size=%s refused: %s\n", low_size ?: "", why);
			return ret;
		}
	}
	ret = memlab_arena_reserve(&memlab.arena, size, bk, &why);
	if (ret) {
		pr_err("arena_size=%s backing=%s refused: %s (%d)\n", arena_size,
		       memlab_backing_name(bk), why, ret);
		return ret;
	}

	ret = memlab_lmm_setup(&memlab);
	if (ret) {
		pr_err("cannot build the LMM pool over the arena (%d)\n", ret);
		goto out_release;
	}

	memlab.pages = memlab_pages_create("memlab", &memlab.lmm, memlab.arena.base,
					   size, pages_max_order, memlab_zones,
					   ARRAY_SIZE(memlab_zones));
	if (IS_ERR(memlab.pages)) {
		ret = PTR_ERR(memlab.pages);
		pr_err("cannot create the pages instance (%d)\n", ret);
		goto out_release;
	}

	memlab.generic = memlab_generic_create(memlab.pages, "memlab", 0);
	if (IS_ERR(memlab.generic)) {
		ret = PTR_ERR(memlab.generic);
		pr_err("cannot create the generic allocator (%d)\n", ret);
		goto out_pages;
	}
	memlab_generic_set_default(memlab.generic);
	memlab.vm = memlab_vm_create(memlab.pages, "memlab");
	if (IS_ERR(memlab.vm)) {
		ret = PTR_ERR(memlab.vm);
		pr_err("cannot create the vm allocator (%d)\n", ret);
		goto out_generic;
	}
	memlab_vm_set_default(memlab.vm);

	for (i = 0; i < MEMLAB_NR_LAYERS; i++)
		memlab_fault_init(&memlab.faults[i]);
	lmm_set_fault_hook(&memlab.lmm, memlab_fault_should_fail, &memlab.faults[MEMLAB_LAYER_LMM]);
	memlab_pages_set_fault_hook(memlab.pages, memlab_fault_should_fail,
				    &memlab.faults[MEMLAB_LAYER_PAGES]);
	memlab_generic_set_fault_hook(memlab.generic, memlab_fault_should_fail,
				      &memlab.faults[MEMLAB_LAYER_SLICE]);
	memlab.map_bpc = PAGE_SIZE;
	ret = memlab_knobs_apply_params(&memlab);
	if (ret)
		goto out_vm;
	memlab_workload_init(&memlab.wl, &memlab);

	memlab_debugfs_init(&memlab);
	if (bench)
		memlab_bench(&memlab, bench);
	pr_info("arena of %zu KiB from %s, %lu physical extent(s)\n",
		size >> 10, memlab_backing_name(bk), memlab.arena.nr_extents);
	return 0;

out_vm:
	memlab_vm_destroy(memlab.vm);	/* also unsets the default */
out_generic:
	memlab_generic_set_default(NULL);
	memlab_generic_destroy(memlab.generic);
out_pages:
	memlab_pages_destroy(memlab.pages);
out_release:
	lmm_destroy(&memlab.lmm);
	memlab_arena_release(&memlab.arena);
	return ret;
}

static void __exit memlab_exit(void)
{
	memlab_debugfs_exit(&memlab);
	memlab_workload_exit(&memlab.wl);
	if (memlab_vm_destroy(memlab.vm))
		pr_err("vm allocator still in use at unload\n");
	memlab_generic_set_default(NULL);
	if (memlab_generic_destroy(memlab.generic))
		pr_err("generic allocator still in use at unload\n");
	if (memlab_pages_destroy(memlab.pages))
		pr_err("pages still in use at unload; the arena goes anyway\n");
	lmm_destroy(&memlab.lmm);
	memlab_arena_release(&memlab.arena);
}

module_init(memlab_init);
module_exit(memlab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memlab: LMM, buddy and slice allocators over one arena, for experiments");
MODULE_AUTHOR("memlab developers");
