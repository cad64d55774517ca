/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab workloads, inside lab/: what the spec parser (lab/spec.c), the
 * runner (lab/workload.c), its reports (lab/report.c) and the stored trace
 * (lab/trace_store.c) share.  Only these files include it.
 *
 * A run is one struct wl_ctl and one struct wl_run per thread.  The runner
 * sets them up, drives each run's operations (generated, or a replay of
 * the stored trace) through the memlab_wl_* operations below, and reports.
 * A struct wl_run belongs to its thread while the run goes on; the writer
 * reads it only after every thread has finished.
 */
#ifndef MEMLAB_WORKLOAD_INTERNAL_H
#define MEMLAB_WORKLOAD_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "lab/workload.h"

struct task_struct;
struct xarray;

/* Operations between checks for a signal: a few tens of microseconds. */
#define MEMLAB_WL_CHECK_EVERY	256

/*
 * Objects the previous thread passes on for freeing.  One producer (the
 * previous thread) moves @tail, one consumer (the owner) moves @head; each
 * publishes its index with a release store and reads the other's with an
 * acquire load, so a slot is read only after it is written, and written
 * only after it is read.
 */
struct wl_inbox {
	struct memlab_wl_obj *ring;		/* WL_INBOX_SIZE entries */
	unsigned long head;		/* next to free: the owner's */
	unsigned long tail;		/* next free slot: the producer's */
	wait_queue_head_t wq;		/* the owner waits for objects, the producer for room */
};

struct wl_ctl;

/* One thread's run: its generator, live objects and timings. */
struct wl_run {
	const struct memlab_wl_layers *ly;
	const struct memlab_wl_spec *spec;
	struct wl_ctl *ctl;
	unsigned int thread;
	int cpu;			/* bound to, or -1 */
	struct rnd_state rng;
	struct memlab_wl_obj *live;		/* ring */
	unsigned long head, count, cap;
	u32 *alloc_ns, *free_ns;	/* ns_cap entries each */
	unsigned long ns_cap;
	unsigned long nr_alloc, nr_free, failures;
	unsigned long other_thread, other_cpu;
	unsigned long steps;		/* generator steps done */
	size_t live_bytes, peak_bytes;
	unsigned long peak_objs;
	size_t granted, granted_peak;	/* kmalloc: kmalloc_size_roundup() bytes */
	unsigned long slab_peak;	/* kmalloc: NR_SLAB_UNRECLAIMABLE_B pages */
	bool interrupted;
	struct wl_inbox inbox;
	struct task_struct *task;
	struct completion done;		/* the kthread is gone */
	struct memlab_wl_samples *smp;	/* sample=N: where samples go, or NULL */
};

/* A whole run: its threads, and how the writer stops them. */
struct wl_ctl {
	unsigned int nr;
	bool threaded;			/* kthreads; else the writer runs runs[0] itself */
	bool stop;			/* the writer was signalled (READ_ONCE) */
	atomic_t generating;		/* threads not yet done generating */
	unsigned long slab_start;	/* NR_SLAB_UNRECLAIMABLE_B pages at the start */
	struct wl_run *runs;
};

/* lab/spec.c: names, as the spec and the result say them. */
extern const char * const memlab_wl_layer_names[MEMLAB_WL_NR_LAYERS];
extern const char * const memlab_wl_free_names[MEMLAB_WL_FREE_KEEP + 1];

/* lab/workload.c: a run's operations. */
void *memlab_wl_alloc(const struct memlab_wl_layers *ly, const struct memlab_wl_spec *s, u8 layer,
		      size_t size, unsigned int align);
int memlab_wl_free_obj(const struct memlab_wl_layers *ly, const struct memlab_wl_obj *o);
u8 memlab_wl_layer_of(const struct memlab_wl_layers *ly, const struct memlab_wl_spec *s, u64 draw,
		      size_t size);
bool memlab_wl_put(struct wl_run *r, const struct memlab_wl_obj *o);
void memlab_wl_unput(struct wl_run *r, const struct memlab_wl_obj *o);
void memlab_wl_timed_free(struct wl_run *r, const struct memlab_wl_obj *o);
void memlab_wl_sample(struct wl_run *r);
bool memlab_wl_should_stop(struct wl_run *r);

/* lab/report.c: a finished run's figures and text; the samples' references. */
void memlab_wl_summarise(struct wl_ctl *c, u32 *all_alloc, u32 *all_free,
			 struct memlab_wl_figures *f);
void memlab_wl_format(struct memlab_workload *wl, const struct memlab_wl_spec *s,
		      const struct wl_ctl *c, unsigned long planned, struct memlab_wl_report *rep,
		      const struct memlab_wl_frag *b, const struct memlab_wl_frag *a, u64 total_ns);
void memlab_wl_samples_put(struct memlab_wl_samples *smp);

/* lab/trace_store.c: the stored trace (the runner replays it). */
void memlab_wl_trace_init(struct memlab_workload *wl);
void memlab_wl_trace_reset(struct memlab_workload *wl);

#endif /* MEMLAB_WORKLOAD_INTERNAL_H */
