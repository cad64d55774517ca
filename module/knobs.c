// SPDX-License-Identifier: GPL-2.0
/*
 * memlab knobs: one table serves debugfs (memlab/knobs/<name>) and the
 * module parameters of the same names.  Each setter validates its value
 * completely before calling the layer, so a refused value changes nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
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

/* Help texts too long for a line of the knob list below. */
#define KNOB_HELP_LMM_POLICY \
	"main LMM pool's search policy: fast, linear, best_fit or a registered one (lmm/stats lists them; another index layout: at most 4096 free extents)"
#define KNOB_HELP_LMM_DEBUG \
	"record live LMM allocations to catch wrong frees exactly (0/1; on only while all LMM memory is free)"
#define KNOB_HELP_SLICE_DEBUG \
	"generic allocator pools: none, poison, redzone or poison,redzone (red zones only while no slab is held)"

/*
 * The knob list, once: it makes the table, an index enum and the module
 * parameters, so the three cannot drift apart.
 */
#define MEMLAB_KNOBS(X)								\
	X(lmm_policy, knob_lmm_policy,						\
	  KNOB_HELP_LMM_POLICY)							\
	X(lmm_debug, knob_lmm_debug, KNOB_HELP_LMM_DEBUG)			\
	X(pages_debug, knob_pages_debug,					\
	  "poison free page blocks and check them on allocation (0/1)")	\
	X(pages_reserve, knob_pages_reserve,					\
	  "free max-order blocks a zone keeps before giving back to the LMM (0-64)") \
	X(slice_debug, knob_slice_debug, KNOB_HELP_SLICE_DEBUG)			\
	X(map_bytes_per_char, knob_map_bpc,					\
	  "bytes of arena per character of the map (a multiple of 16; at most 4M characters)") \
	X(fail_lmm_every, knob_fail_LMM_every, "fail every Nth LMM allocation (0: never)") \
	X(fail_lmm_permille, knob_fail_LMM_permille,				\
	  "fail LMM allocations with this probability, in thousandths")	\
	X(fail_pages_every, knob_fail_PAGES_every, "fail every Nth pages allocation (0: never)") \
	X(fail_pages_permille, knob_fail_PAGES_permille,			\
	  "fail pages allocations with this probability, in thousandths")	\
	X(fail_slice_every, knob_fail_SLICE_every, "fail every Nth slice allocation (0: never)") \
	X(fail_slice_permille, knob_fail_SLICE_permille,			\
	  "fail slice allocations with this probability, in thousandths")

#define KNOB_ENTRY(n, fn, h) { .name = #n, .help = h, .set = fn##_set, .show = fn##_show },
#define KNOB_INDEX(n, fn, h) KNOB_##n,
#define KNOB_PARAM(n, fn, h)							\
	module_param_named(n, knob_params[KNOB_##n], charp, 0444);		\
	MODULE_PARM_DESC(n, h " (also debugfs memlab/knobs/" #n ")");

const struct memlab_knob memlab_knobs[] = { MEMLAB_KNOBS(KNOB_ENTRY) };
const unsigned int memlab_nr_knobs = ARRAY_SIZE(memlab_knobs);

enum { MEMLAB_KNOBS(KNOB_INDEX) NR_KNOBS };
static_assert(ARRAY_SIZE(memlab_knobs) == NR_KNOBS);

/* The module parameters: one string per knob, applied once at load. */
static char *knob_params[NR_KNOBS];
MEMLAB_KNOBS(KNOB_PARAM)

/**
 * memlab_knobs_apply_params() - apply the knob parameters given at load
 * @ml: the instance, with every layer set up.
 *
 * Context: process context (module init).
 * Return: 0, or the first setter's error after naming the parameter.
 */
int memlab_knobs_apply_params(struct memlab *ml)
{
	unsigned int i;
	int ret;

	for (i = 0; i < memlab_nr_knobs; i++) {
		if (!knob_params[i])
			continue;
		ret = memlab_knobs[i].set(ml, knob_params[i]);
		if (ret) {
			pr_err("%s=%s refused: %s (%d)\n", memlab_knobs[i].name, knob_params[i],
			       memlab_knobs[i].help, ret);
			return ret;
		}
	}
	return 0;
}
