// SPDX-License-Identifier: GPL-2.0
/*
 * memlab workloads: the spec parser.  A line written to workload/run names
 * a layer and an operation mix:
 *
 *   layer=lmm|pages|slice|vm|mix|kmalloc|pages_kernel [ops=N] [seed=N] [size=A-B|size=N]
 *   [dist=uniform|log] [free=random|lifo|fifo|keep:N] [align=BITS]
 *   [range=A-B] [low=0|1] [hold=0|1] [stack=0|1] [threads=N] [xfree=0|1]
 *   [sample=N] [policy=NAME]
 *
 * or is a command: "replay layer=... [hold=1] [sample=N] [policy=NAME]",
 * "free" or "shrink".  What each word does: struct memlab_wl_spec and
 * lab/workload.c.
 *
 * memlab_wl_parse() reads the line word by word with lib/parser.c's
 * match_token(): a word is a command or "key=value"; wl_tokens gives each
 * key its option, wl_parse_value() checks the value, and the line as a
 * whole is then checked for contradictions.  Every refusal comes with a
 * sentence for the log.  The parser is pure (no state, no allocation):
 * KUnit calls it directly.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/parser.h>
#include <linux/string.h>

#include "lab/workload_internal.h"

const char * const memlab_wl_layer_names[MEMLAB_WL_NR_LAYERS] = {
	[MEMLAB_WL_LMM] = "lmm",
	[MEMLAB_WL_PAGES] = "pages",
	[MEMLAB_WL_SLICE] = "slice",
	[MEMLAB_WL_MIX] = "mix",
	[MEMLAB_WL_VM] = "vm",
	[MEMLAB_WL_KMALLOC] = "kmalloc",
	[MEMLAB_WL_PAGES_KERNEL] = "pages_kernel",
};

const char * const memlab_wl_free_names[MEMLAB_WL_FREE_KEEP + 1] = {
	[MEMLAB_WL_FREE_RANDOM] = "random",
	[MEMLAB_WL_FREE_LIFO] = "lifo",
	[MEMLAB_WL_FREE_FIFO] = "fifo",
	[MEMLAB_WL_FREE_KEEP] = "keep",
};

static const char * const wl_dist_names[] = {
	[MEMLAB_WL_DIST_UNIFORM] = "uniform", [MEMLAB_WL_DIST_LOG] = "log",
};

enum {
	WL_OPT_REPLAY, WL_OPT_FREE_CMD, WL_OPT_SHRINK, WL_OPT_LAYER, WL_OPT_OPS, WL_OPT_SEED,
	WL_OPT_SIZE, WL_OPT_DIST, WL_OPT_FREE, WL_OPT_ALIGN, WL_OPT_RANGE, WL_OPT_LOW,
	WL_OPT_HOLD, WL_OPT_STACK, WL_OPT_THREADS, WL_OPT_XFREE, WL_OPT_SAMPLE, WL_OPT_POLICY,
	WL_OPT_ERR,
};

/* lib/parser.c patterns; "%s" needs a value, so "ops=" is refused. */
static const match_table_t wl_tokens = {
	{ WL_OPT_REPLAY, "replay" },
	{ WL_OPT_FREE_CMD, "free" },
	{ WL_OPT_SHRINK, "shrink" },
	{ WL_OPT_LAYER, "layer=%s" },
	{ WL_OPT_OPS, "ops=%s" },
	{ WL_OPT_SEED, "seed=%s" },
	{ WL_OPT_SIZE, "size=%s" },
	{ WL_OPT_DIST, "dist=%s" },
	{ WL_OPT_FREE, "free=%s" },
	{ WL_OPT_ALIGN, "align=%s" },
	{ WL_OPT_RANGE, "range=%s" },
	{ WL_OPT_LOW, "low=%s" },
	{ WL_OPT_HOLD, "hold=%s" },
	{ WL_OPT_STACK, "stack=%s" },
	{ WL_OPT_THREADS, "threads=%s" },
	{ WL_OPT_XFREE, "xfree=%s" },
	{ WL_OPT_SAMPLE, "sample=%s" },
	{ WL_OPT_POLICY, "policy=%s" },
	{ WL_OPT_ERR, NULL },
};

/* "A-B" or "A" (memparse syntax each); A <= B. */
static int wl_parse_range(const char *v, size_t *lo, size_t *hi)
{
	char *end;
	unsigned long long a, b;

	a = memparse(v, &end);
	if (end == v)
		return -EINVAL;
	b = a;
	if (*end == '-') {
		const char *w = end + 1;

		b = memparse(w, &end);
		if (end == w)
			return -EINVAL;
	}
	if (*end || a > b)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

static int wl_refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/* One "word=value" of a run line; the word is already matched. */
static int wl_parse_value(int opt, const char *v, struct memlab_wl_spec *spec, const char **why)
{
	int ret;

	switch (opt) {
	case WL_OPT_LAYER:
		ret = match_string(memlab_wl_layer_names, MEMLAB_WL_NR_LAYERS, v);
		if (ret < 0)
			return wl_refuse(why,
					 "layer must be lmm, pages, slice, vm, mix, kmalloc or pages_kernel");
		spec->layer = ret;
		return 0;
	case WL_OPT_OPS:
		if (kstrtoul(v, 0, &spec->ops) || !spec->ops || spec->ops > MEMLAB_WL_MAX_OPS)
			return wl_refuse(why, "ops must be 1..2000000");
		return 0;
	case WL_OPT_SEED:
		if (kstrtou64(v, 0, &spec->seed))
			return wl_refuse(why, "seed must be a number");
		return 0;
	case WL_OPT_SIZE:
		if (wl_parse_range(v, &spec->size_min, &spec->size_max) || !spec->size_min ||
		    spec->size_max > MEMLAB_WL_MAX_SIZE)
			return wl_refuse(why, "size must be N or A-B with 1 <= A <= B <= 4M");
		return 0;
	case WL_OPT_DIST:
		ret = match_string(wl_dist_names, ARRAY_SIZE(wl_dist_names), v);
		if (ret < 0)
			return wl_refuse(why, "dist must be uniform or log");
		spec->dist = ret;
		return 0;
	case WL_OPT_FREE:
		if (!strncmp(v, "keep:", 5)) {
			spec->free = MEMLAB_WL_FREE_KEEP;
			if (kstrtoul(v + 5, 0, &spec->keep) || !spec->keep ||
			    spec->keep > MEMLAB_WL_MAX_LIVE)
				return wl_refuse(why, "free=keep:N needs N in 1..65536");
			return 0;
		}
		ret = match_string(memlab_wl_free_names, MEMLAB_WL_FREE_KEEP, v);
		if (ret < 0)
			return wl_refuse(why, "free must be random, lifo, fifo or keep:N");
		spec->free = ret;
		return 0;
	case WL_OPT_ALIGN:
		if (kstrtouint(v, 0, &spec->align) || spec->align > MEMLAB_WL_MAX_ALIGN)
			return wl_refuse(why, "align must be 0..22 (bits)");
		return 0;
	case WL_OPT_RANGE:
		if (wl_parse_range(v, &spec->range_lo, &spec->range_hi) ||
		    spec->range_lo == spec->range_hi)
			return wl_refuse(why, "range must be A-B with A < B");
		return 0;
	case WL_OPT_LOW:
		if (kstrtobool(v, &spec->low))
			return wl_refuse(why, "low must be 0 or 1");
		return 0;
	case WL_OPT_HOLD:
		if (kstrtobool(v, &spec->hold))
			return wl_refuse(why, "hold must be 0 or 1");
		return 0;
	case WL_OPT_STACK:
		if (kstrtobool(v, &spec->stack))
			return wl_refuse(why, "stack must be 0 or 1");
		return 0;
	case WL_OPT_THREADS:
		if (kstrtouint(v, 0, &spec->threads) || !spec->threads ||
		    spec->threads > MEMLAB_WL_MAX_THREADS)
			return wl_refuse(why, "threads must be 1..64");
		return 0;
	case WL_OPT_XFREE:
		if (kstrtobool(v, &spec->xfree))
			return wl_refuse(why, "xfree must be 0 or 1");
		return 0;
	case WL_OPT_SAMPLE:
		if (kstrtoul(v, 0, &spec->sample) || !spec->sample ||
		    spec->sample > MEMLAB_WL_MAX_OPS)
			return wl_refuse(why,
					 "sample must be 1..2000000 (operations between samples)");
		return 0;
	case WL_OPT_POLICY:	/* whether it exists is known when the run starts */
		if (strscpy(spec->policy, v, sizeof(spec->policy)) < 0)
			return wl_refuse(why, "policy must be an LMM policy's name (1-15 bytes)");
		return 0;
	}
	return wl_refuse(why, "unknown word: see the workload syntax in the README");
}

/* sample=N against the rest of the line; a replay's length is checked when it runs. */
static int wl_parse_sample(const struct memlab_wl_spec *spec, const char **why)
{
	if (!spec->sample)
		return 0;
	if (spec->threads > 1)
		return wl_refuse(why,
				 "sample=N applies to one-thread runs and replay, not to threads");
	if (spec->cmd == MEMLAB_WL_CMD_REPLAY)
		return 0;
	if (spec->sample > spec->ops)
		return wl_refuse(why, "sample=N must be at most ops (no sample otherwise)");
	if (spec->ops / spec->sample > MEMLAB_WL_MAX_SAMPLES)
		return wl_refuse(why, "sample=N: at most 4096 samples a run (ops/N); raise N");
	return 0;
}

/**
 * memlab_wl_parse() - parse a workload/run line
 * @line: the line (a trailing newline is fine).
 * @spec: filled in; defaults for what the line leaves out.
 * @why: if not NULL, set to a sentence saying what is wrong on -EINVAL.
 *
 * Return: 0, or -EINVAL for an unknown word, a value out of range, a
 * missing layer or a contradiction (e.g. size=0, keep:0, align on pages,
 * xfree=1 with one thread, ops x threads above MEMLAB_WL_MAX_OPS, sample=N with
 * threads, above ops or for more than MEMLAB_WL_MAX_SAMPLES samples).
 */
int memlab_wl_parse(const char *line, struct memlab_wl_spec *spec, const char **why)
{
	char buf[256], *s = buf, *tok;
	bool have_layer = false;
	int ret;

	*spec = (struct memlab_wl_spec) {
		.cmd = MEMLAB_WL_CMD_RUN, .ops = 10000, .seed = 1, .size_min = 16, .size_max = 4096,
		.dist = MEMLAB_WL_DIST_UNIFORM, .free = MEMLAB_WL_FREE_RANDOM, .threads = 1,
	};
	if (strscpy(buf, line, sizeof(buf)) < 0)
		return wl_refuse(why, "the line is longer than 255 bytes");
	strim(buf);
	while ((tok = strsep(&s, " \t\n"))) {
		substring_t args[MAX_OPT_ARGS];
		int opt;

		if (!*tok)
			continue;
		opt = match_token(tok, wl_tokens, args);
		switch (opt) {
		case WL_OPT_REPLAY:
			spec->cmd = MEMLAB_WL_CMD_REPLAY;
			continue;
		case WL_OPT_FREE_CMD:
			spec->cmd = MEMLAB_WL_CMD_FREE;
			continue;
		case WL_OPT_SHRINK:
			spec->cmd = MEMLAB_WL_CMD_SHRINK;
			continue;
		case WL_OPT_ERR:
			return wl_refuse(why,
					 "unknown word: see the workload syntax in the README");
		}
		/* "%s" ends at the end of the word, which strsep() terminated */
		ret = wl_parse_value(opt, args[0].from, spec, why);
		if (ret)
			return ret;
		have_layer |= opt == WL_OPT_LAYER;
	}
	if (spec->cmd == MEMLAB_WL_CMD_FREE || spec->cmd == MEMLAB_WL_CMD_SHRINK)
		return have_layer ? wl_refuse(why, "free and shrink take no layer") : 0;
	if (!have_layer)
		return wl_refuse(why, "layer= is missing");
	/* alignment and ranges are LMM constraints */
	if ((spec->align || spec->range_hi) && spec->layer != MEMLAB_WL_LMM)
		return wl_refuse(why, "align and range apply to layer=lmm only");
	if ((spec->hold || spec->low) &&
	    (spec->layer == MEMLAB_WL_KMALLOC || spec->layer == MEMLAB_WL_PAGES_KERNEL))
		return wl_refuse(why, "hold and low apply to memlab's layers, not to the kernel's");
	if (spec->cmd == MEMLAB_WL_CMD_REPLAY && (spec->threads > 1 || spec->xfree))
		return wl_refuse(why, "threads and xfree apply to generated runs, not to replay");
	if (spec->xfree && spec->threads < 2)
		return wl_refuse(why, "xfree=1 needs threads=2 or more (a free on another thread)");
	if (spec->ops * spec->threads > MEMLAB_WL_MAX_OPS)
		return wl_refuse(why, "ops x threads must be at most 2000000");
	if (spec->free == MEMLAB_WL_FREE_KEEP && spec->keep * spec->threads > MEMLAB_WL_MAX_LIVE)
		return wl_refuse(why, "keep:N x threads must be at most 65536");
	return wl_parse_sample(spec, why);
}
