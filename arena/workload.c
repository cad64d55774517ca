// SPDX-License-Identifier: GPL-2.0
/*
 * memlab workloads, driven from debugfs in the style of lib/test_vmalloc.c.
 *
 * A line written to workload/run names a layer and an operation mix:
 *
 *   layer=lmm|pages|slice|mix [ops=N] [seed=N] [size=A-B|size=N]
 *   [dist=uniform|log] [free=random|lifo|fifo|keep:N] [align=BITS]
 *   [range=A-B] [low=0|1] [hold=0|1]
 *
 * or "replay layer=... [hold=1]" to replay the stored trace, "free" to
 * release what a hold=1 run left allocated, or "shrink" to do that and
 * give every empty slab and whole free block back down to the LMM.  The run happens inside the
 * write, in process context; workload/result then holds operations,
 * failures, median and 99th percentile nanoseconds per allocation and per
 * free, peak live bytes, and the fragmentation of every layer before and
 * after.  Sizes for the pages layer become the order that covers them.
 *
 * The generator is a seeded xorshift: the same line gives the same
 * operations.  Each step allocates (55% of steps, or always below keep:N)
 * or frees one live object chosen by the free pattern; live objects live
 * in a ring, so random, LIFO and FIFO frees are all O(1).
 *
 * Traces (workload/trace) are lines "alloc <id> <size> [align_bits]" and
 * "free <id>"; '#' starts a comment.  Writes append in chunks - a chunk is
 * accepted whole or refused whole - and opening with O_TRUNC starts over.
 * A free of an id that is not live, or an alloc of a live id, is refused.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "arena/memlab.h"
#include "arena/workload.h"

#define WL_RESULT_SIZE	4096
#define WL_TRACE_MAX	BIT(21)		/* operations a stored trace may hold */

static const char * const wl_layer_names[] = {
	[WL_LMM] = "lmm", [WL_PAGES] = "pages", [WL_SLICE] = "slice", [WL_MIX] = "mix",
};

static const char * const wl_free_names[] = {
	[WL_FREE_RANDOM] = "random", [WL_FREE_LIFO] = "lifo", [WL_FREE_FIFO] = "fifo",
	[WL_FREE_KEEP] = "keep",
};

/* ------------------------------------------------------------------------
 * Parsing (pure: tested by KUnit)
 * ------------------------------------------------------------------------
 */

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

static int wl_parse_bool(const char *v, bool *out)
{
	return kstrtobool(v, out);
}

/**
 * memlab_wl_parse() - parse a workload/run line
 * @line: the line (a trailing newline is fine).
 * @spec: filled in; defaults for what the line leaves out.
 *
 * Return: 0, or -EINVAL for an unknown word, a value out of range, a
 * missing layer or a contradiction (e.g. size=0, keep:0, align on pages).
 */
int memlab_wl_parse(const char *line, struct memlab_wl_spec *spec)
{
	char buf[256], *s = buf, *tok;
	bool have_layer = false;
	int ret = 0;

	*spec = (struct memlab_wl_spec) {
		.cmd = WL_CMD_RUN, .ops = 10000, .seed = 1, .size_min = 16, .size_max = 4096,
		.dist = WL_DIST_UNIFORM, .free = WL_FREE_RANDOM,
	};
	if (strscpy(buf, line, sizeof(buf)) < 0)
		return -EINVAL;
	strim(buf);
	while ((tok = strsep(&s, " \t\n")) && !ret) {
		char *v;

		if (!*tok)
			continue;
		if (!strcmp(tok, "replay")) {
			spec->cmd = WL_CMD_REPLAY;
			continue;
		}
		if (!strcmp(tok, "free")) {
			spec->cmd = WL_CMD_FREE;
			continue;
		}
		if (!strcmp(tok, "shrink")) {
			spec->cmd = WL_CMD_SHRINK;
			continue;
		}
		v = strchr(tok, '=');
		if (!v)
			return -EINVAL;
		*v++ = '\0';
		if (!strcmp(tok, "layer")) {
			ret = match_string(wl_layer_names, WL_NR_LAYERS, v);
			if (ret >= 0) {
				spec->layer = ret;
				have_layer = true;
				ret = 0;
			}
		} else if (!strcmp(tok, "ops")) {
			ret = kstrtoul(v, 0, &spec->ops);
			if (!ret && (!spec->ops || spec->ops > WL_MAX_OPS))
				ret = -EINVAL;
		} else if (!strcmp(tok, "seed")) {
			ret = kstrtou64(v, 0, &spec->seed);
		} else if (!strcmp(tok, "size")) {
			ret = wl_parse_range(v, &spec->size_min, &spec->size_max);
			if (!ret && (!spec->size_min || spec->size_max > WL_MAX_SIZE))
				ret = -EINVAL;
		} else if (!strcmp(tok, "dist")) {
			if (!strcmp(v, "uniform"))
				spec->dist = WL_DIST_UNIFORM;
			else if (!strcmp(v, "log"))
				spec->dist = WL_DIST_LOG;
			else
				ret = -EINVAL;
		} else if (!strcmp(tok, "free")) {
			if (!strncmp(v, "keep:", 5)) {
				spec->free = WL_FREE_KEEP;
				ret = kstrtoul(v + 5, 0, &spec->keep);
				if (!ret && (!spec->keep || spec->keep > WL_MAX_LIVE))
					ret = -EINVAL;
			} else {
				ret = match_string(wl_free_names, WL_FREE_KEEP, v);
				if (ret >= 0) {
					spec->free = ret;
					ret = 0;
				}
			}
		} else if (!strcmp(tok, "align")) {
			ret = kstrtouint(v, 0, &spec->align);
			if (!ret && spec->align > WL_MAX_ALIGN)
				ret = -EINVAL;
		} else if (!strcmp(tok, "range")) {
			ret = wl_parse_range(v, &spec->range_lo, &spec->range_hi);
			if (!ret && spec->range_lo == spec->range_hi)
				ret = -EINVAL;
		} else if (!strcmp(tok, "low")) {
			ret = wl_parse_bool(v, &spec->low);
		} else if (!strcmp(tok, "hold")) {
			ret = wl_parse_bool(v, &spec->hold);
		} else {
			ret = -EINVAL;
		}
	}
	if (ret)
		return -EINVAL;
	if (spec->cmd == WL_CMD_FREE || spec->cmd == WL_CMD_SHRINK)
		return have_layer ? -EINVAL : 0;
	if (!have_layer)
		return -EINVAL;
	/* alignment and ranges are LMM constraints */
	if ((spec->align || spec->range_hi) && spec->layer != WL_LMM)
		return -EINVAL;
	return 0;
}

/**
 * memlab_wl_parse_trace_line() - parse one trace line
 * @line: "alloc <id> <size> [align_bits]", "free <id>", blank or "# ...".
 * @op: filled in for alloc and free.
 * @blank: set for blank and comment lines.
 *
 * Return: 0, or -EINVAL for anything else (sizes 1..WL_MAX_SIZE, align
 * bits up to WL_MAX_ALIGN).
 */
int memlab_wl_parse_trace_line(const char *line, struct wl_trace_op *op, bool *blank)
{
	char word[8];
	unsigned int id, size, align = 0;
	int n;

	*blank = false;
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#' || *line == '\n') {
		*blank = true;
		return 0;
	}
	n = sscanf(line, "%7s %u %u %u", word, &id, &size, &align);
	if (!strcmp(word, "alloc") && (n == 3 || n == 4)) {
		if (!size || size > WL_MAX_SIZE || align > WL_MAX_ALIGN)
			return -EINVAL;
		*op = (struct wl_trace_op) { .id = id, .size = size, .align = align };
		return 0;
	}
	if (!strcmp(word, "free") && n == 2) {
		*op = (struct wl_trace_op) { .id = id, .size = 0 };
		return 0;
	}
	return -EINVAL;
}

/**
 * memlab_extfrag_permille() - external fragmentation of free space
 * @largest: the largest free extent.
 * @free: all free bytes.
 *
 * 1 - largest / free: 0 when all free memory is one extent, near 1 when it
 * is in many small pieces; 0 when nothing is free.
 *
 * Return: the value in thousandths.
 */
int memlab_extfrag_permille(size_t largest, size_t free)
{
	if (!free)
		return 0;
	return 1000 - (int)div64_u64((u64)largest * 1000, free);
}

/* ------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------
 */

struct wl_run {
	struct memlab *ml;
	const struct memlab_wl_spec *spec;
	u64 rng;
	struct wl_obj *live;		/* ring */
	unsigned long head, count, cap;
	u32 *alloc_ns, *free_ns;
	unsigned long nr_alloc, nr_free, failures;
	size_t live_bytes, peak_bytes;
	unsigned long peak_objs;
};

static u64 wl_rnd(struct wl_run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static size_t wl_size(struct wl_run *r)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned int lo, hi;

	if (s->size_min == s->size_max)
		return s->size_min;
	if (s->dist == WL_DIST_UNIFORM)
		return s->size_min + wl_rnd(r) % (s->size_max - s->size_min + 1);
	/* log-uniform: pick a power of two between, then uniform inside it */
	lo = ilog2(s->size_min);
	hi = ilog2(s->size_max);
	lo += wl_rnd(r) % (hi - lo + 1);
	return clamp_t(size_t, (1UL << lo) + wl_rnd(r) % (1UL << lo), s->size_min, s->size_max);
}

static void *wl_alloc(struct memlab *ml, const struct memlab_wl_spec *s, u8 layer, size_t size,
		      unsigned int align)
{
	lmm_flags_t flags = s->low ? MEMLAB_LMMF_LOW : 0;
	uintptr_t base = (uintptr_t)ml->arena.base;

	switch (layer) {
	case WL_LMM:
		return lmm_alloc_gen(&ml->lmm, size, flags, align, 0, base + s->range_lo,
				     (s->range_hi ? s->range_hi : ml->arena.size) - s->range_lo);
	case WL_PAGES:
		if (get_order(size) > memlab_pages_max_order(ml->pages))
			return NULL;
		return memlab_get_pages(ml->pages, flags, get_order(size));
	default:
		return memlab_generic_alloc(ml->generic, size, flags);
	}
}

static int wl_free(struct memlab *ml, const struct wl_obj *o)
{
	switch (o->layer) {
	case WL_LMM:
		return lmm_free(&ml->lmm, o->p, o->size);
	case WL_PAGES:
		return memlab_put_pages(ml->pages, o->p);
	default:
		return memlab_generic_free(ml->generic, o->p);
	}
}

static size_t wl_bytes(const struct wl_obj *o)
{
	return o->layer == WL_PAGES ? PAGE_SIZE << get_order(o->size) : o->size;
}

static void wl_frag(struct memlab *ml, struct memlab_wl_frag *f)
{
	struct memlab_pages_stats *ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	struct memlab_slice_stats ss;
	struct lmm_stats ls;
	unsigned long row[MEMLAB_PAGES_NR_ORDERS] = { 0 };
	unsigned int i, o;

	memset(f, 0, sizeof(*f));
	lmm_stats(&ml->lmm, &ls);
	f->lmm_free = ls.free_bytes;
	f->lmm_extents = ls.free_extents;
	f->lmm_largest = ls.largest_free;
	if (ps) {
		memlab_pages_stats(ml->pages, ps);
		for (i = 0; i < ps->nr_zones; i++) {
			f->pages_free += ps->zone[i].pages_free;
			for (o = 0; o <= ps->max_order; o++)
				row[o] += ps->zone[i].nr_free[o];
		}
		f->pages_unusable3 = memlab_frag_unusable_index(row, ps->max_order + 1,
								min(3U, ps->max_order));
		f->pages_unusable9 = memlab_frag_unusable_index(row, ps->max_order + 1,
								min(9U, ps->max_order));
		kfree(ps);
	}
	for (i = 0; i < memlab_generic_nr_pools(ml->generic); i++) {
		memlab_slice_stats(memlab_generic_pool(ml->generic, i), &ss);
		f->slice_active += ss.active_objs * ss.object_size;
		f->slice_total += ss.num_objs * ss.object_size;
		f->slice_slabs += ss.num_slabs;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static u32 wl_pct(u32 *v, unsigned long n, unsigned int pct)
{
	if (!n)
		return 0;
	return v[min(n - 1, n * pct / 100)];
}

static struct wl_obj *wl_take(struct wl_run *r)
{
	unsigned long k;
	struct wl_obj *o;

	switch (r->spec->free) {
	case WL_FREE_LIFO:
		k = r->count - 1;
		break;
	case WL_FREE_FIFO:
		k = 0;
		break;
	default:
		k = wl_rnd(r) % r->count;
		break;
	}
	/* swap the chosen one with the newest, then pop the newest (or the oldest for FIFO) */
	if (r->spec->free == WL_FREE_FIFO) {
		o = &r->live[r->head];
		r->head = (r->head + 1) % r->cap;
	} else {
		struct wl_obj tmp;
		unsigned long a = (r->head + k) % r->cap, z = (r->head + r->count - 1) % r->cap;

		tmp = r->live[a];
		r->live[a] = r->live[z];
		r->live[z] = tmp;
		o = &r->live[z];
	}
	r->count--;
	return o;
}

static void wl_put(struct wl_run *r, const struct wl_obj *o)
{
	r->live[(r->head + r->count) % r->cap] = *o;
	r->count++;
	r->live_bytes += wl_bytes(o);
	if (r->live_bytes > r->peak_bytes) {
		r->peak_bytes = r->live_bytes;
		r->peak_objs = r->count;
	}
}

static void wl_timed_free(struct wl_run *r, const struct wl_obj *o)
{
	u64 t0 = ktime_get_ns();

	WARN_ON_ONCE(wl_free(r->ml, o));
	r->free_ns[r->nr_free++] = ktime_get_ns() - t0;
	r->live_bytes -= wl_bytes(o);
}

static void wl_generate(struct wl_run *r)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned long i;

	for (i = 0; i < s->ops; i++) {
		bool alloc = s->free == WL_FREE_KEEP ? r->count < s->keep :
			     !r->count || (r->count < r->cap && wl_rnd(r) % 100 < 55);

		if (alloc) {
			struct wl_obj o = {
				.size = wl_size(r),
				.layer = s->layer == WL_MIX ? wl_rnd(r) % 3 : s->layer,
			};
			u64 t0 = ktime_get_ns();

			o.p = wl_alloc(r->ml, s, o.layer, o.size, o.layer == WL_LMM ? s->align : 0);
			r->alloc_ns[r->nr_alloc++] = ktime_get_ns() - t0;
			if (o.p)
				wl_put(r, &o);
			else
				r->failures++;
		} else {
			wl_timed_free(r, wl_take(r));
		}
		cond_resched();
	}
}

static void wl_replay(struct memlab_workload *wl, struct wl_run *r, struct xarray *ids)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned long i;

	for (i = 0; i < wl->nr_trace; i++) {
		const struct wl_trace_op *op = &wl->trace[i];
		struct wl_obj *o;

		if (op->size) {
			struct wl_obj n = {
				.size = op->size, .id = op->id,
				.layer = s->layer == WL_MIX ? op->id % 3 : s->layer,
			};
			u64 t0 = ktime_get_ns();

			n.p = wl_alloc(r->ml, s, n.layer, n.size,
				       n.layer == WL_LMM ? op->align : 0);
			r->alloc_ns[r->nr_alloc++] = ktime_get_ns() - t0;
			if (!n.p) {
				r->failures++;
				continue;
			}
			if (r->count == r->cap) {	/* cannot track it: give it back */
				wl_free(r->ml, &n);
				r->failures++;
				continue;
			}
			wl_put(r, &n);
			/* remember where it sits: the ring slot of the newest entry */
			xa_store(ids, op->id,
				 xa_mk_value((r->head + r->count - 1) % r->cap), GFP_KERNEL);
		} else {
			void *e = xa_erase(ids, op->id);
			unsigned long slot, z;

			if (!e)
				continue;	/* its allocation failed */
			slot = xa_to_value(e);
			z = (r->head + r->count - 1) % r->cap;
			o = &r->live[slot];
			wl_timed_free(r, o);
			/* move the newest entry into the hole and fix its index */
			if (slot != z) {
				r->live[slot] = r->live[z];
				xa_store(ids, r->live[slot].id, xa_mk_value(slot), GFP_KERNEL);
			}
			r->count--;
		}
		cond_resched();
	}
}

static void wl_release_held(struct memlab_workload *wl)
{
	while (wl->nr_held)
		WARN_ON_ONCE(wl_free(wl->ml, &wl->held[--wl->nr_held]));
	kvfree(wl->held);
	wl->held = NULL;
}

static int wl_format(struct memlab_workload *wl, const struct memlab_wl_spec *s,
		     struct wl_run *r, const struct memlab_wl_frag *b,
		     const struct memlab_wl_frag *a, u64 total_ns)
{
	char *p = wl->result;
	size_t n = WL_RESULT_SIZE;
	int len = 0;

	sort(r->alloc_ns, r->nr_alloc, sizeof(u32), cmp_u32, NULL);
	sort(r->free_ns, r->nr_free, sizeof(u32), cmp_u32, NULL);
	if (s->cmd == WL_CMD_REPLAY)
		len += scnprintf(p + len, n - len, "command: replay layer=%s%s (%lu trace operations)\n",
				 wl_layer_names[s->layer], s->hold ? " hold=1" : "", wl->nr_trace);
	else
		len += scnprintf(p + len, n - len,
				 "command: run layer=%s seed=%llu size=%zu-%zu free=%s%s\n",
				 wl_layer_names[s->layer], s->seed, s->size_min, s->size_max,
				 wl_free_names[s->free], s->hold ? " hold=1" : "");
	if (s->cmd != WL_CMD_REPLAY && s->free == WL_FREE_KEEP)
		len += scnprintf(p + len, n - len, "keep: %lu live objects\n", s->keep);
	len += scnprintf(p + len, n - len, "ops: %lu (allocs %lu, frees %lu)\n",
			 r->nr_alloc + r->nr_free, r->nr_alloc, r->nr_free);
	len += scnprintf(p + len, n - len, "failures: %lu\n", r->failures);
	len += scnprintf(p + len, n - len, "alloc_ns: median %u p99 %u\n",
			 wl_pct(r->alloc_ns, r->nr_alloc, 50),
			 wl_pct(r->alloc_ns, r->nr_alloc, 99));
	len += scnprintf(p + len, n - len, "free_ns: median %u p99 %u\n",
			 wl_pct(r->free_ns, r->nr_free, 50), wl_pct(r->free_ns, r->nr_free, 99));
	len += scnprintf(p + len, n - len, "total_ms: %llu\n", div_u64(total_ns, 1000000));
	len += scnprintf(p + len, n - len, "peak_live: %zu bytes in %lu objects\n",
			 r->peak_bytes, r->peak_objs);
	len += scnprintf(p + len, n - len, "live_at_end: %zu bytes in %lu objects (%s)\n",
			 r->live_bytes, r->count, s->hold ? "held" : "freed after the run");
	len += scnprintf(p + len, n - len,
			 "%-6s %14s %9s %14s %8s %11s %11s %13s %13s %7s\n", "when",
			 "lmm_free", "extents", "largest", "extfrag", "pages_free",
			 "unusable(3)", "slice_active", "slice_total", "slabs");
	for (; b; b = (b == a ? NULL : a)) {
		int ef = memlab_extfrag_permille(b->lmm_largest, b->lmm_free);

		len += scnprintf(p + len, n - len,
				 "%-6s %14zu %9lu %14zu %4d.%03d %11lu %7d.%03d %13lu %13lu %7lu\n",
				 b == a ? "after" : "before", b->lmm_free, b->lmm_extents,
				 b->lmm_largest, ef / 1000, ef % 1000, b->pages_free,
				 b->pages_unusable3 / 1000, b->pages_unusable3 % 1000,
				 b->slice_active, b->slice_total, b->slice_slabs);
	}
	wl->result_len = len;
	return 0;
}

static int wl_execute(struct memlab_workload *wl, const struct memlab_wl_spec *s)
{
	struct memlab_wl_frag before, after;
	struct wl_run r = { .ml = wl->ml, .spec = s, .rng = s->seed * 0x9e3779b97f4a7c15ULL | 1 };
	struct xarray ids;
	unsigned long steps;
	u64 t0;
	int ret = 0;

	if (s->cmd == WL_CMD_REPLAY && !wl->nr_trace)
		return -ENODATA;
	if (!wl->result)
		return -ENOMEM;
	wl_release_held(wl);
	steps = s->cmd == WL_CMD_REPLAY ? wl->nr_trace : s->ops;
	r.cap = s->free == WL_FREE_KEEP ? s->keep : min_t(unsigned long, steps, WL_MAX_LIVE);
	r.cap = max(r.cap, 1UL);
	r.live = kvcalloc(r.cap, sizeof(*r.live), GFP_KERNEL);
	r.alloc_ns = kvmalloc_array(steps, sizeof(u32), GFP_KERNEL);
	r.free_ns = kvmalloc_array(steps, sizeof(u32), GFP_KERNEL);
	if (!r.live || !r.alloc_ns || !r.free_ns) {
		ret = -ENOMEM;
		goto out;
	}
	xa_init(&ids);
	wl_frag(wl->ml, &before);
	t0 = ktime_get_ns();
	if (s->cmd == WL_CMD_REPLAY)
		wl_replay(wl, &r, &ids);
	else
		wl_generate(&r);
	t0 = ktime_get_ns() - t0;
	wl_frag(wl->ml, &after);
	xa_destroy(&ids);
	wl_format(wl, s, &r, &before, &after, t0);

	if (s->hold) {			/* keep them, in allocation order */
		unsigned long i;

		wl->held = kvcalloc(r.count ?: 1, sizeof(*wl->held), GFP_KERNEL);
		if (wl->held) {
			for (i = 0; i < r.count; i++)
				wl->held[i] = r.live[(r.head + i) % r.cap];
			wl->nr_held = r.count;
			r.count = 0;
		}
	}
	while (r.count)
		WARN_ON_ONCE(wl_free(wl->ml, wl_take(&r)));
out:
	kvfree(r.live);
	kvfree(r.alloc_ns);
	kvfree(r.free_ns);
	return ret;
}

/**
 * memlab_workload_run() - parse and run one workload/run line
 * @wl: the runner.
 * @line: the line.
 *
 * Context: process context; sleeps; runs the whole workload.
 * Return: 0; -EINVAL for a bad line (nothing run); -EBUSY while another
 * run, replay or trace write is in progress; -ENODATA to replay an empty
 * trace; -ENOMEM.
 */
int memlab_workload_run(struct memlab_workload *wl, const char *line)
{
	struct memlab_wl_spec spec;
	int ret = memlab_wl_parse(line, &spec);

	if (ret)
		return ret;
	if (!mutex_trylock(&wl->lock))
		return -EBUSY;
	if (spec.cmd == WL_CMD_FREE || spec.cmd == WL_CMD_SHRINK)
		wl_release_held(wl);
	if (spec.cmd == WL_CMD_SHRINK) {
		memlab_generic_shrink(wl->ml->generic);
		memlab_pages_shrink(wl->ml->pages);
	} else if (spec.cmd != WL_CMD_FREE) {
		ret = wl_execute(wl, &spec);
	}
	mutex_unlock(&wl->lock);
	return ret;
}

/* Append @op to the stored trace (capacity grows by doubling). */
static int wl_trace_append(struct memlab_workload *wl, const struct wl_trace_op *op)
{
	if (wl->nr_trace == wl->trace_cap) {
		unsigned long cap = max(wl->trace_cap * 2, 4096UL);
		struct wl_trace_op *t;

		if (cap > WL_TRACE_MAX)
			return -E2BIG;
		t = kvmalloc_array(cap, sizeof(*t), GFP_KERNEL);
		if (!t)
			return -ENOMEM;
		if (wl->trace)
			memcpy(t, wl->trace, wl->nr_trace * sizeof(*t));
		kvfree(wl->trace);
		wl->trace = t;
		wl->trace_cap = cap;
	}
	wl->trace[wl->nr_trace++] = *op;
	return 0;
}

static void wl_trace_reset(struct memlab_workload *wl)
{
	xa_destroy(&wl->trace_live);
	kvfree(wl->trace);
	wl->trace = NULL;
	wl->nr_trace = 0;
	wl->trace_cap = 0;
	wl->partial_len = 0;
}

/**
 * memlab_workload_trace_write() - append a chunk of trace text
 * @wl: the runner.
 * @buf: the chunk (need not end on a line boundary).
 * @len: its length.
 * @reset: start a new trace first.
 *
 * Every complete line is checked against the ids live so far; one bad line
 * refuses the whole chunk and leaves the stored trace as it was.
 *
 * Context: process context.
 * Return: 0; -EINVAL for a malformed line, a free of an id that is not
 * live or an alloc of a live one; -EBUSY during a run; -E2BIG beyond
 * WL_TRACE_MAX operations; -ENOMEM.
 */
int memlab_workload_trace_write(struct memlab_workload *wl, const char *buf, size_t len,
				bool reset)
{
	unsigned long nr0;
	size_t start = 0, i, partial0;
	char line[128], partial_save[128];
	int ret = 0;

	if (!mutex_trylock(&wl->lock))
		return -EBUSY;
	if (reset)
		wl_trace_reset(wl);
	nr0 = wl->nr_trace;
	partial0 = wl->partial_len;
	memcpy(partial_save, wl->partial, partial0);

	for (i = 0; i <= len && !ret; i++) {
		struct wl_trace_op op;
		size_t n = i - start;
		bool blank;

		if (i < len && buf[i] != '\n')
			continue;
		if (i == len) {		/* keep an unfinished last line for the next chunk */
			if (wl->partial_len + n >= sizeof(wl->partial)) {
				ret = -EINVAL;
				break;
			}
			memcpy(wl->partial + wl->partial_len, buf + start, n);
			wl->partial_len += n;
			break;
		}
		if (wl->partial_len + n >= sizeof(line)) {
			ret = -EINVAL;
			break;
		}
		memcpy(line, wl->partial, wl->partial_len);
		memcpy(line + wl->partial_len, buf + start, n);
		line[wl->partial_len + n] = '\0';
		wl->partial_len = 0;
		start = i + 1;
		ret = memlab_wl_parse_trace_line(line, &op, &blank);
		if (ret || blank)
			continue;
		if (op.size) {
			ret = xa_insert(&wl->trace_live, op.id, xa_mk_value(op.size), GFP_KERNEL);
			if (ret == -EBUSY)
				ret = -EINVAL;		/* alloc of a live id */
		} else if (!xa_erase(&wl->trace_live, op.id)) {
			ret = -EINVAL;			/* free of an unknown id */
		}
		if (!ret)
			ret = wl_trace_append(wl, &op);
	}
	if (ret) {
		/* undo this chunk: replay the id table back over what it added */
		while (wl->nr_trace > nr0) {
			struct wl_trace_op *op = &wl->trace[--wl->nr_trace];

			if (op->size)
				xa_erase(&wl->trace_live, op->id);
			else
				xa_store(&wl->trace_live, op->id, xa_mk_value(1), GFP_KERNEL);
		}
		memcpy(wl->partial, partial_save, partial0);
		wl->partial_len = partial0;
	}
	mutex_unlock(&wl->lock);
	return ret;
}

/**
 * memlab_workload_show() - print the last result
 * @wl: the runner.
 * @m: where.
 */
void memlab_workload_show(struct memlab_workload *wl, struct seq_file *m)
{
	mutex_lock(&wl->lock);
	if (wl->result_len)
		seq_write(m, wl->result, wl->result_len);
	else
		seq_puts(m, "no workload run yet\n");
	if (wl->nr_held)
		seq_printf(m, "held: %lu objects (write \"free\" to run to release them)\n",
			   wl->nr_held);
	mutex_unlock(&wl->lock);
}

/**
 * memlab_workload_trace_show() - summarise the stored trace
 * @wl: the runner.
 * @m: where.
 */
void memlab_workload_trace_show(struct memlab_workload *wl, struct seq_file *m)
{
	unsigned long i, allocs = 0, live = 0;
	void *entry;

	mutex_lock(&wl->lock);
	for (i = 0; i < wl->nr_trace; i++)
		allocs += !!wl->trace[i].size;
	xa_for_each(&wl->trace_live, i, entry)
		live++;
	seq_printf(m, "operations: %lu\nallocs: %lu\nfrees: %lu\nlive_at_end: %lu\npartial_line: %zu bytes\n",
		   wl->nr_trace, allocs, wl->nr_trace - allocs, live, wl->partial_len);
	mutex_unlock(&wl->lock);
}

/**
 * memlab_workload_init() - set up the runner
 * @wl: storage.
 * @ml: the module instance.
 */
void memlab_workload_init(struct memlab_workload *wl, struct memlab *ml)
{
	memset(wl, 0, sizeof(*wl));
	mutex_init(&wl->lock);
	xa_init(&wl->trace_live);
	wl->ml = ml;
	wl->result = kzalloc(WL_RESULT_SIZE, GFP_KERNEL);
}

/**
 * memlab_workload_exit() - release held objects, the trace and the result
 * @wl: the runner.
 */
void memlab_workload_exit(struct memlab_workload *wl)
{
	mutex_lock(&wl->lock);
	wl_release_held(wl);
	wl_trace_reset(wl);
	kfree(wl->result);
	wl->result = NULL;
	mutex_unlock(&wl->lock);
}
