// SPDX-License-Identifier: GPL-2.0
/*
 * memlab workloads: the stored trace, parsed and checked line by line.
 *
 * Traces (workload/trace) are lines "alloc <id> <size> [align_bits]" and
 * "free <id>"; '#' starts a comment.  Writes append in chunks - a chunk is
 * accepted whole or refused whole, and a refused chunk leaves the trace,
 * its table of live ids and the unfinished line exactly as they were -
 * and opening with O_TRUNC starts over.  A free of an id that is not
 * live, or an alloc of a live id, is refused.
 *
 * The stored trace is a flat array of operations (struct memlab_wl_trace_op) plus
 * an xarray of the ids live at its end, mapped to their sizes, so that a
 * new chunk is checked against it and a free carries its allocation's
 * size.  "replay layer=..." (lab/workload.c) runs the array on one thread,
 * through the runner's own operations, so a replay is timed and reported as
 * a generated run is; this file only keeps the trace.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "lab/workload_internal.h"

#define WL_TRACE_MAX	BIT(21)		/* operations a stored trace may hold */
/* A trace id freed by the chunk being written (sizes are below 2^23). */
#define WL_TRACE_FREED	BIT(30)

static_assert(MEMLAB_WL_MAX_SIZE < WL_TRACE_FREED);

/**
 * memlab_wl_parse_trace_line() - parse one trace line
 * @line: "alloc <id> <size> [align_bits]", "free <id>", blank or "# ...".
 * @op: filled in for alloc and free (a free's size is 0 here).
 * @blank: set for blank and comment lines.
 *
 * Return: 0, or -EINVAL for anything else (sizes 1..MEMLAB_WL_MAX_SIZE, align
 * bits up to MEMLAB_WL_MAX_ALIGN).
 */
int memlab_wl_parse_trace_line(const char *line, struct memlab_wl_trace_op *op, bool *blank)
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
		if (!size || size > MEMLAB_WL_MAX_SIZE || align > MEMLAB_WL_MAX_ALIGN)
			return -EINVAL;
		*op = (struct memlab_wl_trace_op) { .id = id, .size = size, .align = align };
		return 0;
	}
	if (!strcmp(word, "free") && n == 2) {
		*op = (struct memlab_wl_trace_op) { .id = id, .free = true };
		return 0;
	}
	return -EINVAL;
}

/* Room for one more operation; nothing changes on failure. */
static int wl_trace_reserve(struct memlab_workload *wl)
{
	struct memlab_wl_trace_op *t;
	unsigned long cap;

	if (wl->nr_trace >= wl->trace_max)
		return -E2BIG;
	if (wl->nr_trace < wl->trace_cap)
		return 0;
	cap = min(max(wl->trace_cap * 2, 4096UL), wl->trace_max);
	t = kvmalloc_array(cap, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	if (wl->trace)
		memcpy(t, wl->trace, wl->nr_trace * sizeof(*t));
	kvfree(wl->trace);
	wl->trace = t;
	wl->trace_cap = cap;
	return 0;
}

/* Change the value of an id that is in the table: no allocation, cannot fail. */
static void wl_trace_set(struct memlab_workload *wl, u32 id, unsigned long v)
{
	WARN_ON_ONCE(xa_is_err(xa_store(&wl->trace_live, id, xa_mk_value(v), GFP_KERNEL)));
}

/*
 * Check @op against the live ids and append it, or change nothing.  A free
 * does not erase its id yet: it marks it WL_TRACE_FREED, so that undoing
 * the chunk needs no allocation; wl_trace_sweep() erases the marks.
 */
static int wl_trace_apply(struct memlab_workload *wl, struct memlab_wl_trace_op *op)
{
	void *e = xa_load(&wl->trace_live, op->id);
	unsigned long v = e ? xa_to_value(e) : 0;
	int ret = wl_trace_reserve(wl);

	if (ret)
		return ret;
	if (!op->free) {
		if (e && !(v & WL_TRACE_FREED))
			return -EINVAL;			/* alloc of a live id */
		if (e)
			wl_trace_set(wl, op->id, op->size);
		else if (xa_insert(&wl->trace_live, op->id, xa_mk_value(op->size), GFP_KERNEL))
			return -ENOMEM;
		wl->trace_allocs++;
		wl->trace_nr_live++;
	} else {
		if (!e || (v & WL_TRACE_FREED))
			return -EINVAL;			/* free of an id not live */
		op->size = v;
		wl_trace_set(wl, op->id, v | WL_TRACE_FREED);
		wl->trace_nr_live--;
	}
	wl->trace[wl->nr_trace++] = *op;
	return 0;
}

/* Erase the ids that operations [@from, @to) left marked as freed. */
static void wl_trace_sweep(struct memlab_workload *wl, unsigned long from, unsigned long to)
{
	for (; from < to; from++) {
		u32 id = wl->trace[from].id;
		void *e = xa_load(&wl->trace_live, id);

		if (e && (xa_to_value(e) & WL_TRACE_FREED))
			xa_erase(&wl->trace_live, id);
	}
}

/* Take back operations from @nr0 on, newest first. */
static void wl_trace_undo(struct memlab_workload *wl, unsigned long nr0)
{
	unsigned long end = wl->nr_trace;

	while (wl->nr_trace > nr0) {
		const struct memlab_wl_trace_op *op = &wl->trace[--wl->nr_trace];

		if (op->free) {
			wl_trace_set(wl, op->id, op->size);
			wl->trace_nr_live++;
		} else {
			wl_trace_set(wl, op->id, op->size | WL_TRACE_FREED);
			wl->trace_allocs--;
			wl->trace_nr_live--;
		}
	}
	wl_trace_sweep(wl, nr0, end);
}

/**
 * memlab_wl_trace_init() - an empty stored trace
 * @wl: the runner being set up.
 *
 * Context: process context.
 */
void memlab_wl_trace_init(struct memlab_workload *wl)
{
	xa_init(&wl->trace_live);
	wl->trace_max = WL_TRACE_MAX;
}

/**
 * memlab_wl_trace_reset() - forget the stored trace and its unfinished line
 * @wl: the runner.
 *
 * Context: process context, @wl->run_lock and @wl->lock held (or @wl
 * unreachable).
 */
void memlab_wl_trace_reset(struct memlab_workload *wl)
{
	xa_destroy(&wl->trace_live);
	kvfree(wl->trace);
	wl->trace = NULL;
	wl->nr_trace = 0;
	wl->trace_cap = 0;
	wl->trace_allocs = 0;
	wl->trace_nr_live = 0;
	wl->partial_len = 0;
}

/**
 * memlab_workload_trace_write() - append a chunk of trace text
 * @wl: the runner.
 * @buf: the chunk (need not end on a line boundary).
 * @len: its length.
 * @reset: start a new trace first (the O_TRUNC open passes an empty chunk).
 *
 * Every complete line is checked against the ids live so far; one bad line
 * refuses the whole chunk, and the stored trace, its live ids (with their
 * sizes) and the unfinished line are then exactly as before.  Waits,
 * interruptibly, for a run or another write in progress.
 *
 * Context: process context; sleeps.
 * Return: 0; -EINVAL for a malformed line, a free of an id that is not
 * live or an alloc of a live one; -E2BIG beyond @wl->trace_max
 * operations; -EINTR when a signal came while waiting; -ENOMEM.
 */
int memlab_workload_trace_write(struct memlab_workload *wl, const char *buf, size_t len,
				bool reset)
{
	unsigned long nr0;
	size_t start = 0, i, partial0;
	char line[128], partial_save[128];
	int ret;

	ret = mutex_lock_interruptible(&wl->run_lock);
	if (ret)
		return ret;
	ret = mutex_lock_interruptible(&wl->lock);
	if (ret) {
		mutex_unlock(&wl->run_lock);
		return ret;
	}
	if (reset)
		memlab_wl_trace_reset(wl);
	nr0 = wl->nr_trace;
	partial0 = wl->partial_len;
	memcpy(partial_save, wl->partial, partial0);

	for (i = 0; i <= len && !ret; i++) {
		struct memlab_wl_trace_op op;
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
		if (!ret && !blank)
			ret = wl_trace_apply(wl, &op);
	}
	if (ret) {
		wl_trace_undo(wl, nr0);
		memcpy(wl->partial, partial_save, partial0);
		wl->partial_len = partial0;
	} else {
		wl_trace_sweep(wl, nr0, wl->nr_trace);
	}
	mutex_unlock(&wl->lock);
	mutex_unlock(&wl->run_lock);
	return ret;
}

/**
 * memlab_workload_trace_show() - summarise the stored trace
 * @wl: the runner.
 * @m: where.
 *
 * Context: process context; sleeps briefly.
 * Return: 0, or -EINTR when a signal came while waiting for the state lock.
 */
int memlab_workload_trace_show(struct memlab_workload *wl, struct seq_file *m)
{
	int ret = mutex_lock_interruptible(&wl->lock);

	if (ret)
		return ret;
	seq_printf(m, "operations: %lu\nallocs: %lu\nfrees: %lu\nlive_at_end: %lu\npartial_line: %zu bytes\n",
		   wl->nr_trace, wl->trace_allocs, wl->nr_trace - wl->trace_allocs,
		   wl->trace_nr_live, wl->partial_len);
	mutex_unlock(&wl->lock);
	return 0;
}
