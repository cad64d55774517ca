// SPDX-License-Identifier: GPL-2.0
/*
 * memlab knobs: one table, memlab_knobs[], serves debugfs (memlab/knobs/<name>,
 * whose files debugfs/debugfs.c makes from it) and the module parameters of
 * the same names (kernel_param_ops, below).  Each setter validates its value
 * completely before calling the layer, so a refused value changes nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "module/knobs.h"
#include "lab/map.h"
#include "module/memlab.h"

static const char * const slice_debug_names[] = {
	"none", "poison", "redzone", "poison,redzone",
};

/*
 * A built-in or registered policy, by name.  -EBUSY for a switch that would
 * re-index too much: lmm says why in the log.
 */
static int knob_lmm_policy_set(struct memlab *ml, const char *val)
{
	return lmm_set_policy(&ml->lmm, val);
}

static int knob_lmm_policy_show(struct memlab *ml, char *buf, size_t len)
{
	struct lmm_info info;

	lmm_info(&ml->lmm, &info);
	return scnprintf(buf, len, "%s\n", info.policy);
}

static int knob_lmm_debug_set(struct memlab *ml, const char *val)
{
	bool on;

	if (kstrtobool(val, &on))
		return -EINVAL;
	return lmm_set_debug(&ml->lmm, on);
}

static int knob_lmm_debug_show(struct memlab *ml, char *buf, size_t len)
{
	struct lmm_info info;

	lmm_info(&ml->lmm, &info);
	return scnprintf(buf, len, "%d\n", info.debug);
}

static int knob_pages_debug_set(struct memlab *ml, const char *val)
{
	bool on;

	if (kstrtobool(val, &on))
		return -EINVAL;
	return memlab_pages_set_debug(ml->pages, on);
}

static int knob_pages_debug_show(struct memlab *ml, char *buf, size_t len)
{
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	int n;

	if (!st)
		return -ENOMEM;
	memlab_pages_stats(ml->pages, st);
	n = scnprintf(buf, len, "%d\n", st->debug);
	kfree(st);
	return n;
}

static int knob_pages_reserve_set(struct memlab *ml, const char *val)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v))
		return -EINVAL;
	return memlab_pages_set_reserve(ml->pages, v);
}

static int knob_pages_reserve_show(struct memlab *ml, char *buf, size_t len)
{
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	int n;

	if (!st)
		return -ENOMEM;
	memlab_pages_stats(ml->pages, st);
	n = scnprintf(buf, len, "%u\n", st->reserve_blocks);
	kfree(st);
	return n;
}

static int knob_slice_debug_set(struct memlab *ml, const char *val)
{
	int i = sysfs_match_string(slice_debug_names, val);

	if (i < 0)
		return -EINVAL;
	return memlab_generic_set_debug(ml->generic, i);
}

static int knob_slice_debug_show(struct memlab *ml, char *buf, size_t len)
{
	struct memlab_slice_stats st;

	memlab_slice_stats(memlab_generic_pool(ml->generic, 0), &st);
	return scnprintf(buf, len, "%s\n", slice_debug_names[st.debug & 3]);
}

/* The map's output is bounded: at most MEMLAB_MAP_MAX_CELLS cells. */
static int knob_map_bpc_set(struct memlab *ml, const char *val)
{
	unsigned long v;
	size_t least;
	int ret;

	if (kstrtoul(val, 0, &v))
		return -EINVAL;
	ret = memlab_map_check_bpc(ml->arena.size, v, &least);
	if (ret == -E2BIG)
		pr_info_ratelimited("map_bytes_per_char=%lu refused: %lu cells for a %zu KiB arena, at most %lu (use %zu or more)\n",
				    v, DIV_ROUND_UP(ml->arena.size, v), ml->arena.size >> 10,
				    MEMLAB_MAP_MAX_CELLS, least);
	if (ret)
		return -EINVAL;
	WRITE_ONCE(ml->map_bpc, v);
	return 0;
}

static int knob_map_bpc_show(struct memlab *ml, char *buf, size_t len)
{
	return scnprintf(buf, len, "%zu\n", READ_ONCE(ml->map_bpc));
}

/* Fault knobs: one setter per field and layer, through an offset table. */
static int knob_fault_set(struct memlab *ml, enum memlab_layer layer, bool every, const char *val)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || (!every && v > 1000))
		return -EINVAL;
	if (every)
		WRITE_ONCE(ml->faults[layer].every, v);
	else
		WRITE_ONCE(ml->faults[layer].permille, v);
	return 0;
}

static int knob_fault_show(struct memlab *ml, enum memlab_layer layer, bool every, char *buf,
			   size_t len)
{
	struct memlab_fault *f = &ml->faults[layer];

	return scnprintf(buf, len, "%u\n", every ? READ_ONCE(f->every) : READ_ONCE(f->permille));
}

/* The every/permille argument of knob_fault_set() and knob_fault_show(), by field. */
#define FAULT_KNOB_EVERY_every		true
#define FAULT_KNOB_EVERY_permille	false

#define FAULT_KNOB(layer, field)						\
static int knob_fail_##layer##_##field##_set(struct memlab *ml, const char *val) \
{										\
	return knob_fault_set(ml, MEMLAB_LAYER_##layer, FAULT_KNOB_EVERY_##field, val); \
}										\
static int knob_fail_##layer##_##field##_show(struct memlab *ml, char *buf, size_t len) \
{										\
	return knob_fault_show(ml, MEMLAB_LAYER_##layer, FAULT_KNOB_EVERY_##field, buf, len); \
}

FAULT_KNOB(LMM, every)
FAULT_KNOB(LMM, permille)
FAULT_KNOB(PAGES, every)
FAULT_KNOB(PAGES, permille)
FAULT_KNOB(SLICE, every)
FAULT_KNOB(SLICE, permille)

/* The knobs, by index into memlab_knobs[] and knob_vals[]. */
enum memlab_knob_id {
	KNOB_LMM_POLICY,
	KNOB_LMM_DEBUG,
	KNOB_PAGES_DEBUG,
	KNOB_PAGES_RESERVE,
	KNOB_SLICE_DEBUG,
	KNOB_MAP_BPC,
	KNOB_FAIL_LMM_EVERY,
	KNOB_FAIL_LMM_PERMILLE,
	KNOB_FAIL_PAGES_EVERY,
	KNOB_FAIL_PAGES_PERMILLE,
	KNOB_FAIL_SLICE_EVERY,
	KNOB_FAIL_SLICE_PERMILLE,
	NR_KNOBS
};

/* Each help text serves the table and the parameter's description. */
#define HELP_LMM_POLICY \
	"main LMM pool's search policy: fast, linear, best_fit or a registered one (lmm/stats lists them; another index layout: at most 4096 free extents)"
#define HELP_LMM_DEBUG \
	"record live LMM allocations to catch wrong frees exactly (0/1; on only while all LMM memory is free)"
#define HELP_PAGES_DEBUG "poison free page blocks and check them on allocation (0/1)"
#define HELP_PAGES_RESERVE \
	"free max-order blocks a zone keeps before giving back to the LMM (0-64)"
#define HELP_SLICE_DEBUG \
	"generic allocator pools: none, poison, redzone or poison,redzone (red zones only while no slab is held)"
#define HELP_MAP_BPC \
	"bytes of arena per character of the map (a multiple of 16; at most 4M characters)"
#define HELP_FAIL_EVERY(layer)	"fail every Nth " layer " allocation (0: never)"
#define HELP_FAIL_PERMILLE(layer) \
	"fail " layer " allocations with this probability, in thousandths"

const struct memlab_knob memlab_knobs[] = {
	[KNOB_LMM_POLICY] = { "lmm_policy", HELP_LMM_POLICY,
			      knob_lmm_policy_set, knob_lmm_policy_show },
	[KNOB_LMM_DEBUG] = { "lmm_debug", HELP_LMM_DEBUG, knob_lmm_debug_set, knob_lmm_debug_show },
	[KNOB_PAGES_DEBUG] = { "pages_debug", HELP_PAGES_DEBUG,
			       knob_pages_debug_set, knob_pages_debug_show },
	[KNOB_PAGES_RESERVE] = { "pages_reserve", HELP_PAGES_RESERVE,
				 knob_pages_reserve_set, knob_pages_reserve_show },
	[KNOB_SLICE_DEBUG] = { "slice_debug", HELP_SLICE_DEBUG,
			       knob_slice_debug_set, knob_slice_debug_show },
	[KNOB_MAP_BPC] = { "map_bytes_per_char", HELP_MAP_BPC,
			   knob_map_bpc_set, knob_map_bpc_show },
	[KNOB_FAIL_LMM_EVERY] = { "fail_lmm_every", HELP_FAIL_EVERY("LMM"),
				  knob_fail_LMM_every_set, knob_fail_LMM_every_show },
	[KNOB_FAIL_LMM_PERMILLE] = { "fail_lmm_permille", HELP_FAIL_PERMILLE("LMM"),
				     knob_fail_LMM_permille_set, knob_fail_LMM_permille_show },
	[KNOB_FAIL_PAGES_EVERY] = { "fail_pages_every", HELP_FAIL_EVERY("pages"),
				    knob_fail_PAGES_every_set, knob_fail_PAGES_every_show },
	[KNOB_FAIL_PAGES_PERMILLE] = { "fail_pages_permille", HELP_FAIL_PERMILLE("pages"),
				       knob_fail_PAGES_permille_set,
				       knob_fail_PAGES_permille_show },
	[KNOB_FAIL_SLICE_EVERY] = { "fail_slice_every", HELP_FAIL_EVERY("slice"),
				    knob_fail_SLICE_every_set, knob_fail_SLICE_every_show },
	[KNOB_FAIL_SLICE_PERMILLE] = { "fail_slice_permille", HELP_FAIL_PERMILLE("slice"),
				       knob_fail_SLICE_permille_set,
				       knob_fail_SLICE_permille_show },
};

const unsigned int memlab_nr_knobs = ARRAY_SIZE(memlab_knobs);
static_assert(ARRAY_SIZE(memlab_knobs) == NR_KNOBS);

/* ---- the module parameters ------------------------------------------------ */

/*
 * Each knob is also a read-only module parameter of the same name, whose
 * kernel_param points at the knob's slot of knob_vals[].  The layers do not
 * exist yet when the loader parses the parameters, so a value given at load
 * is only kept here (as param_set_charp() keeps a string) and
 * memlab_knobs_apply_params() applies it, through the knob's setter, once
 * they do.  Reading the parameter shows the knob's current value, as its
 * debugfs file does, once the instance is published (knob_ml); before
 * that, the value given at load.  knob_ml changes and is read under
 * kernel_param_lock(THIS_MODULE), the mutex the parameter's sysfs file
 * takes around knob_param_get().
 */
static char *knob_vals[NR_KNOBS];
static struct memlab *knob_ml;

/* The knob whose parameter @kp is; NULL (and a warning) for a stray one. */
static const struct memlab_knob *knob_of_param(const struct kernel_param *kp)
{
	ptrdiff_t i = (char **)kp->arg - knob_vals;

	if (WARN_ON_ONCE(i < 0 || i >= NR_KNOBS || strcmp(kp->name, memlab_knobs[i].name)))
		return NULL;
	return &memlab_knobs[i];
}

static int knob_param_set(const char *val, const struct kernel_param *kp)
{
	if (!knob_of_param(kp))
		return -EINVAL;
	return param_set_charp(val, kp);
}

static int knob_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct memlab_knob *k = knob_of_param(kp);

	if (!k)
		return -EINVAL;
	if (knob_ml)
		return k->show(knob_ml, buffer, PAGE_SIZE);
	return scnprintf(buffer, PAGE_SIZE, "%s\n", *(char **)kp->arg ?: "");
}

static const struct kernel_param_ops knob_param_ops = {
	.set = knob_param_set,
	.get = knob_param_get,
	.free = param_free_charp,
};

#define KNOB_ALSO " (also debugfs memlab/knobs/"

module_param_cb(lmm_policy, &knob_param_ops, &knob_vals[KNOB_LMM_POLICY], 0444);
MODULE_PARM_DESC(lmm_policy, HELP_LMM_POLICY KNOB_ALSO "lmm_policy)");
module_param_cb(lmm_debug, &knob_param_ops, &knob_vals[KNOB_LMM_DEBUG], 0444);
MODULE_PARM_DESC(lmm_debug, HELP_LMM_DEBUG KNOB_ALSO "lmm_debug)");
module_param_cb(pages_debug, &knob_param_ops, &knob_vals[KNOB_PAGES_DEBUG], 0444);
MODULE_PARM_DESC(pages_debug, HELP_PAGES_DEBUG KNOB_ALSO "pages_debug)");
module_param_cb(pages_reserve, &knob_param_ops, &knob_vals[KNOB_PAGES_RESERVE], 0444);
MODULE_PARM_DESC(pages_reserve, HELP_PAGES_RESERVE KNOB_ALSO "pages_reserve)");
module_param_cb(slice_debug, &knob_param_ops, &knob_vals[KNOB_SLICE_DEBUG], 0444);
MODULE_PARM_DESC(slice_debug, HELP_SLICE_DEBUG KNOB_ALSO "slice_debug)");
module_param_cb(map_bytes_per_char, &knob_param_ops, &knob_vals[KNOB_MAP_BPC], 0444);
MODULE_PARM_DESC(map_bytes_per_char, HELP_MAP_BPC KNOB_ALSO "map_bytes_per_char)");
module_param_cb(fail_lmm_every, &knob_param_ops, &knob_vals[KNOB_FAIL_LMM_EVERY], 0444);
MODULE_PARM_DESC(fail_lmm_every, HELP_FAIL_EVERY("LMM") KNOB_ALSO "fail_lmm_every)");
module_param_cb(fail_lmm_permille, &knob_param_ops, &knob_vals[KNOB_FAIL_LMM_PERMILLE], 0444);
MODULE_PARM_DESC(fail_lmm_permille,
		 HELP_FAIL_PERMILLE("LMM") KNOB_ALSO "fail_lmm_permille)");
module_param_cb(fail_pages_every, &knob_param_ops, &knob_vals[KNOB_FAIL_PAGES_EVERY], 0444);
MODULE_PARM_DESC(fail_pages_every, HELP_FAIL_EVERY("pages") KNOB_ALSO "fail_pages_every)");
module_param_cb(fail_pages_permille, &knob_param_ops, &knob_vals[KNOB_FAIL_PAGES_PERMILLE],
		0444);
MODULE_PARM_DESC(fail_pages_permille,
		 HELP_FAIL_PERMILLE("pages") KNOB_ALSO "fail_pages_permille)");
module_param_cb(fail_slice_every, &knob_param_ops, &knob_vals[KNOB_FAIL_SLICE_EVERY], 0444);
MODULE_PARM_DESC(fail_slice_every, HELP_FAIL_EVERY("slice") KNOB_ALSO "fail_slice_every)");
module_param_cb(fail_slice_permille, &knob_param_ops, &knob_vals[KNOB_FAIL_SLICE_PERMILLE],
		0444);
MODULE_PARM_DESC(fail_slice_permille,
		 HELP_FAIL_PERMILLE("slice") KNOB_ALSO "fail_slice_permille)");

/**
 * memlab_knobs_apply_params() - apply the knob parameters given at load
 * @ml: the instance, with every layer set up.
 *
 * Applies them in the order of memlab_knobs[] and stops at the first one
 * refused.  On success @ml is published: reading a knob's parameter then
 * shows its current value, until memlab_knobs_exit().
 *
 * Context: process context (module init).
 * Return: 0, or the first setter's error after naming the parameter.
 */
int memlab_knobs_apply_params(struct memlab *ml)
{
	unsigned int i;
	int ret;

	for (i = 0; i < memlab_nr_knobs; i++) {
		if (!knob_vals[i])
			continue;
		ret = memlab_knobs[i].set(ml, knob_vals[i]);
		if (ret) {
			pr_err("%s=%s refused: %s (%d)\n", memlab_knobs[i].name, knob_vals[i],
			       memlab_knobs[i].help, ret);
			return ret;
		}
	}
	kernel_param_lock(THIS_MODULE);
	knob_ml = ml;
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

/**
 * memlab_knobs_exit() - stop showing the instance's values in the parameters
 *
 * Call before the layers go: the parameters' sysfs files outlive the
 * module's exit function.
 *
 * Context: process context (module init's error path or exit).
 */
void memlab_knobs_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	knob_ml = NULL;
	kernel_param_unlock(THIS_MODULE);
}
