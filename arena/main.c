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

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "arena/memlab.h"

static char *arena_size = "16M";
module_param(arena_size, charp, 0444);
MODULE_PARM_DESC(arena_size,
		 "arena size in bytes, memparse syntax (16M, 1G); page multiple (default 16M)");

static char *backing = "vmalloc";
module_param(backing, charp, 0444);
MODULE_PARM_DESC(backing,
		 "where the arena comes from: vmalloc (default), pages (physically contiguous, up to one max-order block) or cma");

static struct memlab memlab;

static int __init memlab_init(void)
{
	enum memlab_backing bk;
	const char *why = NULL;
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
	ret = memlab_arena_reserve(&memlab.arena, size, bk, &why);
	if (ret) {
		pr_err("arena_size=%s backing=%s refused: %s (%d)\n", arena_size,
		       memlab_backing_name(bk), why, ret);
		return ret;
	}

	memlab_debugfs_init(&memlab);
	pr_info("arena of %zu KiB from %s, %lu physical extent(s)\n",
		size >> 10, memlab_backing_name(bk), memlab.arena.nr_extents);
	return 0;
}

static void __exit memlab_exit(void)
{
	memlab_debugfs_exit(&memlab);
	memlab_arena_release(&memlab.arena);
}

module_init(memlab_init);
module_exit(memlab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memlab: LMM, buddy and slice allocators over one arena, for experiments");
MODULE_AUTHOR("memlab developers");
