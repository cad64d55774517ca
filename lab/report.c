// SPDX-License-Identifier: GPL-2.0
/*
 * memlab workloads: what a run leaves behind, and its readers.
 *
 * When a run ends, lab/workload.c calls memlab_wl_summarise() (each
 * thread's and the total's counts and latency percentiles, the latency
 * histograms) and memlab_wl_format() (workload/result's text), and swaps
 * the report in under @lock.  Readers take @lock only for a copy:
 * workload/result, workload/latency (the histograms as CSV) and
 * workload/samples (the last run's samples as CSV; the reader holds a
 * reference to them, not the lock).  No addresses are printed.
 */

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "lab/workload_internal.h"

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

/* ---- latency histograms ------------------------------------------------------- */

/**
 * memlab_wl_hist_bucket() - the latency histogram bucket of a duration
 * @ns: nanoseconds.
 *
 * Four buckets per power of two: 0..3 ns have a bucket each, and
 * [2^e, 2^(e+1)) for e >= 2 is cut into quarters.
 *
 * Return: 0..MEMLAB_WL_HIST_BUCKETS - 1.
 */
unsigned int memlab_wl_hist_bucket(u32 ns)
{
	unsigned int e;

	if (ns < 4)
		return ns;
	e = fls(ns) - 1;
	return 4 * (e - 1) + ((ns >> (e - 2)) & 3);
}

/**
 * memlab_wl_hist_lo() - where a latency histogram bucket starts
 * @bucket: 0..MEMLAB_WL_HIST_BUCKETS (MEMLAB_WL_HIST_BUCKETS: the end of the last one).
 *
 * Return: the bucket's smallest duration, nanoseconds; 2^32 for
 * MEMLAB_WL_HIST_BUCKETS.
 */
u64 memlab_wl_hist_lo(unsigned int bucket)
{
	unsigned int e = bucket / 4 + 1;

	if (bucket < 4)
		return bucket;
	return (1ULL << e) + ((u64)(bucket % 4) << (e - 2));
}

static void wl_hist(const u32 *ns, unsigned long n, u32 *hist)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		hist[memlab_wl_hist_bucket(ns[i])]++;
}

static void wl_samples_release(struct kref *ref)
{
	kvfree(container_of(ref, struct memlab_wl_samples, ref));
}

/**
 * memlab_wl_samples_put() - drop a reference to a run's samples
 * @smp: the samples, or NULL.
 *
 * Context: process context (the last reference frees them with kvfree()).
 */
void memlab_wl_samples_put(struct memlab_wl_samples *smp)
{
	if (smp)
		kref_put(&smp->ref, wl_samples_release);
}

/* ---- a run's figures and result text -------------------------------------------- */

/**
 * memlab_wl_summarise() - a finished run's figures
 * @c: the run; its threads have all finished.
 * @all_alloc: the array every thread's allocation timings are slices of.
 * @all_free: the same for frees.
 * @f: filled in.
 *
 * Sorts each thread's timings for its percentiles, then packs every
 * thread's samples together at the front of the shared arrays for the
 * totals (so the arrays' contents are used up).
 */
void memlab_wl_summarise(struct wl_ctl *c, u32 *all_alloc, u32 *all_free,
			 struct memlab_wl_figures *f)
{
	struct memlab_wl_thread_figures *t = &f->total;
	unsigned long na = 0, nf = 0;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->nr_threads = c->nr;
	f->interrupted = READ_ONCE(c->stop);
	t->cpu = -1;
	for (i = 0; i < c->nr; i++) {
		struct wl_run *r = &c->runs[i];
		struct memlab_wl_thread_figures *g = &f->thread[i];
		unsigned long a = min(r->nr_alloc, r->ns_cap), b = min(r->nr_free, r->ns_cap);

		sort(r->alloc_ns, a, sizeof(u32), cmp_u32, NULL);
		sort(r->free_ns, b, sizeof(u32), cmp_u32, NULL);
		*g = (struct memlab_wl_thread_figures) {
			.cpu = r->cpu, .ops = r->nr_alloc + r->nr_free, .allocs = r->nr_alloc,
			.frees = r->nr_free, .failures = r->failures,
			.other_thread = r->other_thread, .other_cpu = r->other_cpu,
			.alloc_med = wl_pct(r->alloc_ns, a, 50),
			.alloc_p99 = wl_pct(r->alloc_ns, a, 99),
			.free_med = wl_pct(r->free_ns, b, 50),
			.free_p99 = wl_pct(r->free_ns, b, 99),
		};
		f->interrupted |= r->interrupted;
		f->live_at_end += r->count;
		t->ops += g->ops;
		t->allocs += g->allocs;
		t->frees += g->frees;
		t->failures += g->failures;
		t->other_thread += g->other_thread;
		t->other_cpu += g->other_cpu;
		if (c->nr > 1) {	/* runs[i]'s arrays start at or after the packed end */
			memmove(all_alloc + na, r->alloc_ns, a * sizeof(u32));
			memmove(all_free + nf, r->free_ns, b * sizeof(u32));
		}
		na += a;
		nf += b;
	}
	if (c->nr > 1) {
		sort(all_alloc, na, sizeof(u32), cmp_u32, NULL);
		sort(all_free, nf, sizeof(u32), cmp_u32, NULL);
	}
	t->alloc_med = wl_pct(all_alloc, na, 50);
	t->alloc_p99 = wl_pct(all_alloc, na, 99);
	t->free_med = wl_pct(all_free, nf, 50);
	t->free_p99 = wl_pct(all_free, nf, 99);
	wl_hist(all_alloc, na, f->alloc_hist);
	wl_hist(all_free, nf, f->free_hist);
}

/* A kernel peer's footprint, in words that say how it was measured. */
static int wl_format_peer(const struct memlab_wl_spec *s, const struct wl_ctl *c, char *p,
			  size_t n)
{
	unsigned long slab = 0, peak = 0;
	size_t granted = 0;
	unsigned int i;

	for (i = 0; i < c->nr; i++) {
		granted += c->runs[i].granted_peak;
		slab = max(slab, c->runs[i].slab_peak);
		peak += c->runs[i].peak_bytes >> PAGE_SHIFT;
	}
	if (s->layer == MEMLAB_WL_PAGES_KERNEL)
		return scnprintf(p, n,
				 "peer_pages_peak: %lu pages held (1 << order per live block, at the peak%s)\n",
				 peak, c->nr > 1 ? "; the sum of each thread's" : "");
	if (s->layer != MEMLAB_WL_KMALLOC)
		return 0;
	slab = slab > c->slab_start ? slab - c->slab_start : 0;
	return scnprintf(p, n,
			 "peer_granted_peak: %zu bytes (kmalloc_size_roundup() of each live object, at the peak%s)\n"
			 "peer_slab_peak: %lu pages (NR_SLAB_UNRECLAIMABLE_B, system-wide, highest after an allocation minus at the start: other kernel work counts, and up to 125 pages per CPU may not be folded in yet)\n",
			 granted, c->nr > 1 ? "; the sum of each thread's" : "", slab);
}

/**
 * memlab_wl_format() - write a finished run's result text
 * @wl: the runner (its trace's length, its LMM pool's policy).
 * @s: the run's spec.
 * @c: the run.
 * @planned: the steps every thread together was to do.
 * @rep: the report; its figures are memlab_wl_summarise()'s, its text is
 *	written here.
 * @b: every layer's fragmentation before the run.
 * @a: and after it.
 * @total_ns: how long the run took.
 */
void memlab_wl_format(struct memlab_workload *wl, const struct memlab_wl_spec *s,
		      const struct wl_ctl *c, unsigned long planned, struct memlab_wl_report *rep,
		      const struct memlab_wl_frag *b, const struct memlab_wl_frag *a, u64 total_ns)
{
	const struct memlab_wl_figures *f = &rep->figures;
	const struct memlab_wl_thread_figures *t = &f->total;
	unsigned long steps = 0, distinct = 0;
	size_t n = sizeof(rep->text), live = 0, peak = 0;
	char *p = rep->text, extra[32] = "";
	struct lmm_info info;
	unsigned int i, j;
	int len = 0;

	for (i = 0; i < c->nr; i++) {
		steps += c->runs[i].steps;
		live += c->runs[i].live_bytes;
		peak += c->runs[i].peak_bytes;
		for (j = 0; j < i && c->runs[j].cpu != c->runs[i].cpu; j++)
			;
		distinct += c->runs[i].cpu >= 0 && j == i;
	}
	if (s->threads > 1)
		scnprintf(extra, sizeof(extra), " threads=%u%s", s->threads,
			  s->xfree ? " xfree=1" : "");
	if (s->cmd == MEMLAB_WL_CMD_REPLAY)
		len += scnprintf(p + len, n - len,
				 "command: replay layer=%s%s (%lu trace operations)\n",
				 memlab_wl_layer_names[s->layer], s->hold ? " hold=1" : "",
				 wl->nr_trace);
	else
		len += scnprintf(p + len, n - len,
				 "command: run layer=%s seed=%llu size=%zu-%zu free=%s%s%s%s\n",
				 memlab_wl_layer_names[s->layer], s->seed, s->size_min, s->size_max,
				 memlab_wl_free_names[s->free], s->hold ? " hold=1" : "",
				 s->stack ? " stack=1" : "", extra);
	if (s->cmd != MEMLAB_WL_CMD_REPLAY && s->free == MEMLAB_WL_FREE_KEEP)
		len += scnprintf(p + len, n - len, "keep: %lu live objects%s\n", s->keep,
				 c->nr > 1 ? " per thread" : "");
	if (f->interrupted)
		len += scnprintf(p + len, n - len,
				 "interrupted: by a signal after %lu of %lu steps; everything it allocated was freed\n",
				 steps, planned);
	lmm_info(wl->ly->lmm, &info);
	len += scnprintf(p + len, n - len, "policy: lmm %s\n", info.policy);
	len += scnprintf(p + len, n - len, "ops: %lu (allocs %lu, frees %lu)\n",
			 t->ops, t->allocs, t->frees);
	len += scnprintf(p + len, n - len, "failures: %lu\n", t->failures);
	len += scnprintf(p + len, n - len, "alloc_ns: median %u p99 %u\n",
			 t->alloc_med, t->alloc_p99);
	len += scnprintf(p + len, n - len, "free_ns: median %u p99 %u\n",
			 t->free_med, t->free_p99);
	len += scnprintf(p + len, n - len, "total_ms: %llu\n", div_u64(total_ns, 1000000));
	if (c->nr == 1)
		len += scnprintf(p + len, n - len, "peak_live: %zu bytes in %lu objects\n",
				 peak, c->runs[0].peak_objs);
	else
		len += scnprintf(p + len, n - len,
				 "peak_live: %zu bytes (the sum of each thread's peak)\n", peak);
	len += wl_format_peer(s, c, p + len, n - len);
	len += scnprintf(p + len, n - len, "live_at_end: %zu bytes in %lu objects (%s)\n",
			 live, f->live_at_end,
			 s->hold && !f->interrupted ? "held" : "freed after the run");
	if (c->nr > 1) {
		len += scnprintf(p + len, n - len,
				 "threads: %u on %lu distinct CPU(s), %u online%s\n", c->nr,
				 distinct, num_online_cpus(), distinct > 1 ? "" :
				 " (one CPU: the threads interleave; an xfree free is on another thread, not another CPU)");
		if (s->xfree)
			len += scnprintf(p + len, n - len,
					 "xfree: %lu frees by another thread than the allocating one, %lu of them on another CPU\n",
					 t->other_thread, t->other_cpu);
		len += scnprintf(p + len, n - len, "%-6s %4s %9s %9s %9s %8s %9s %9s %9s %9s %9s\n",
				 "thread", "cpu", "ops", "allocs", "frees", "failures", "alloc_med",
				 "alloc_p99", "free_med", "free_p99", "other_cpu");
		for (i = 0; i < c->nr; i++) {
			const struct memlab_wl_thread_figures *g = &f->thread[i];

			len += scnprintf(p + len, n - len,
					 "%-6u %4d %9lu %9lu %9lu %8lu %9u %9u %9u %9u %9lu\n", i,
					 g->cpu, g->ops, g->allocs, g->frees, g->failures,
					 g->alloc_med, g->alloc_p99, g->free_med, g->free_p99,
					 g->other_cpu);
		}
	}
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
	rep->len = len;
}

/* ---- readers ------------------------------------------------------------------ */

/**
 * memlab_workload_show() - print the last result
 * @wl: the runner.
 * @m: where.
 *
 * Does not wait for a run: during one it prints a "running:" line and the
 * previous result.
 *
 * Context: process context; sleeps briefly.
 * Return: 0, or -EINTR when a signal came while waiting for the state lock.
 */
int memlab_workload_show(struct memlab_workload *wl, struct seq_file *m)
{
	int ret = mutex_lock_interruptible(&wl->lock);

	if (ret)
		return ret;
	if (wl->running)
		seq_printf(m, "running: %s (for %llu ms; below: the previous result)\n",
			   wl->running_line,
			   div_u64(ktime_get_ns() - wl->running_since, NSEC_PER_MSEC));
	if (wl->report && wl->report->len)
		seq_write(m, wl->report->text, wl->report->len);
	else
		seq_puts(m, "no workload run yet\n");
	if (wl->nr_held)
		seq_printf(m, "held: %lu objects (write \"free\" to run to release them)\n",
			   wl->nr_held);
	mutex_unlock(&wl->lock);
	return 0;
}

static void *wl_samples_seq_start(struct seq_file *m, loff_t *pos)
{
	const struct memlab_wl_samples *smp = m->private;

	if (!*pos)
		return SEQ_START_TOKEN;
	if (!smp || *pos > smp->nr)
		return NULL;
	return (void *)&smp->s[*pos - 1];
}

static void *wl_samples_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return wl_samples_seq_start(m, pos);
}

static void wl_samples_seq_stop(struct seq_file *m, void *v)
{
}

/* A thousandth as "d.ddd". */
static void wl_seq_permille(struct seq_file *m, int v, char end)
{
	seq_printf(m, "%d.%03d%c", v / 1000, v % 1000, end);
}

static int wl_samples_seq_show(struct seq_file *m, void *v)
{
	const struct memlab_wl_sample *x = v;
	const struct memlab_wl_frag *f;
	int util;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "op,live_bytes,live_objs,failures,lmm_free,lmm_extents,lmm_largest,extfrag,pages_free,unusable3,unusable9,slice_active,slice_total,slab_util\n");
		return 0;
	}
	f = &x->frag;
	seq_printf(m, "%lu,%zu,%lu,%lu,%zu,%lu,%zu,", x->op, x->live_bytes, x->live_objs,
		   x->failures, f->lmm_free, f->lmm_extents, f->lmm_largest);
	wl_seq_permille(m, memlab_extfrag_permille(f->lmm_largest, f->lmm_free), ',');
	seq_printf(m, "%lu,", f->pages_free);
	wl_seq_permille(m, f->pages_unusable3, ',');
	wl_seq_permille(m, f->pages_unusable9, ',');
	seq_printf(m, "%lu,%lu,", f->slice_active, f->slice_total);
	util = f->slice_total ? div64_u64((u64)f->slice_active * 1000, f->slice_total) : 0;
	wl_seq_permille(m, util, '\n');
	return 0;
}

static const struct seq_operations wl_samples_seq_ops = {
	.start = wl_samples_seq_start,
	.next = wl_samples_seq_next,
	.stop = wl_samples_seq_stop,
	.show = wl_samples_seq_show,
};

/**
 * memlab_workload_samples_open() - open workload/samples
 * @wl: the runner.
 * @file: the file; a seq_file over a reference to the last run's samples.
 *
 * The CSV has a header line, then one line per sample: operations done,
 * live bytes and objects, failures so far, the LMM's free bytes, free
 * extents and largest free extent, external fragmentation (1 - largest /
 * free), the pages layer's free pages and unusable free space index at
 * orders 3 and 9, and the generic allocator's active and total slab bytes
 * and their ratio.  No addresses.  Only the header when the last run took
 * no samples.
 *
 * Context: process context; sleeps briefly.
 * Return: 0, -EINTR when a signal came while waiting for the state lock,
 * or seq_open()'s error.
 */
int memlab_workload_samples_open(struct memlab_workload *wl, struct file *file)
{
	struct memlab_wl_samples *smp;
	int ret = mutex_lock_interruptible(&wl->lock);

	if (ret)
		return ret;
	smp = wl->samples;
	if (smp)
		kref_get(&smp->ref);
	mutex_unlock(&wl->lock);
	ret = seq_open(file, &wl_samples_seq_ops);
	if (ret) {
		memlab_wl_samples_put(smp);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = smp;
	return 0;
}

/**
 * memlab_workload_samples_release() - close workload/samples
 * @inode: its inode.
 * @file: the file memlab_workload_samples_open() opened.
 *
 * Return: 0.
 */
int memlab_workload_samples_release(struct inode *inode, struct file *file)
{
	memlab_wl_samples_put(((struct seq_file *)file->private_data)->private);
	return seq_release(inode, file);
}

/**
 * memlab_workload_latency_show() - the last run's latency histograms
 * @wl: the runner.
 * @m: where.
 *
 * CSV: a header line, then one line per bucket that counted something:
 * its range in nanoseconds [lo_ns, hi_ns), allocations and frees in it.
 *
 * Context: process context; sleeps briefly.
 * Return: 0, or -EINTR when a signal came while waiting for the state lock.
 */
int memlab_workload_latency_show(struct memlab_workload *wl, struct seq_file *m)
{
	const struct memlab_wl_figures *f;
	unsigned int b;
	int ret = mutex_lock_interruptible(&wl->lock);

	if (ret)
		return ret;
	seq_puts(m, "lo_ns,hi_ns,allocs,frees\n");
	f = wl->report && wl->report->len ? &wl->report->figures : NULL;
	for (b = 0; f && b < MEMLAB_WL_HIST_BUCKETS; b++)
		if (f->alloc_hist[b] || f->free_hist[b])
			seq_printf(m, "%llu,%llu,%u,%u\n", memlab_wl_hist_lo(b),
				   memlab_wl_hist_lo(b + 1), f->alloc_hist[b], f->free_hist[b]);
	mutex_unlock(&wl->lock);
	return 0;
}
