/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab workloads: seeded allocation sequences and trace replay against
 * one layer (or a mix), on one thread or several at once, with
 * per-operation timing and every layer's fragmentation before and after.
 * The spec parser is lab/spec.c, the runner (and the replay) lab/workload.c,
 * the stored trace lab/trace_store.c.
 */
#ifndef MEMLAB_WORKLOAD_H
#define MEMLAB_WORKLOAD_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "common/frag.h"
#include "lmm/lmm.h"

struct file;
struct inode;
struct memlab_generic;
struct memlab_pages;
struct memlab_vm;
struct seq_file;

/**
 * struct memlab_wl_layers - what the runner allocates from
 * @lmm: the LMM pool (layer=lmm; its statistics for the report).
 * @pages: the pages layer over @lmm.
 * @generic: the generic allocator over @pages (layer=slice).
 * @vm: the vm allocator over @pages, or NULL (layer=vm is then refused).
 * @base: the start of the memory @lmm manages (ranges are offsets from it).
 * @size: its size.
 * @low_flags: the LMM flags of the low region (spec low=1), 0 for none.
 *
 * The owner fills it and keeps it alive as long as the runner; the runner
 * uses each layer only through its public header.
 */
struct memlab_wl_layers {
	struct lmm *lmm;
	struct memlab_pages *pages;
	struct memlab_generic *generic;
	struct memlab_vm *vm;
	void *base;
	size_t size;
	lmm_flags_t low_flags;
};

/*
 * The layers a run allocates from (spec layer=, struct memlab_wl_obj's
 * layer).  MEMLAB_WL_KMALLOC and MEMLAB_WL_PAGES_KERNEL are the kernel's
 * own allocators (kmalloc, alloc_pages) as replay peers: the same
 * operations, none of memlab's.
 */
enum memlab_wl_layer {
	MEMLAB_WL_LMM,
	MEMLAB_WL_PAGES,
	MEMLAB_WL_SLICE,		/* the generic allocator */
	MEMLAB_WL_MIX,			/* lmm, pages or slice at random (large: vm) */
	MEMLAB_WL_VM,
	MEMLAB_WL_KMALLOC,
	MEMLAB_WL_PAGES_KERNEL,
	MEMLAB_WL_NR_LAYERS
};

/*
 * layer=mix: an allocation drawn for the generic allocator whose size is
 * above this goes to the VM allocator instead (when the module has one).
 */
#define MEMLAB_WL_MIX_VM_ABOVE	(PAGE_SIZE << 2)

/* Which live object a free takes (spec free=). */
enum memlab_wl_free {
	MEMLAB_WL_FREE_RANDOM,
	MEMLAB_WL_FREE_LIFO,
	MEMLAB_WL_FREE_FIFO,
	MEMLAB_WL_FREE_KEEP,		/* random, once keep:N objects are live */
};

/* How sizes are drawn (spec dist=). */
enum memlab_wl_dist { MEMLAB_WL_DIST_UNIFORM, MEMLAB_WL_DIST_LOG };

/* What a workload/run line asks for. */
enum memlab_wl_cmd {
	MEMLAB_WL_CMD_RUN,
	MEMLAB_WL_CMD_REPLAY,
	MEMLAB_WL_CMD_FREE,
	MEMLAB_WL_CMD_SHRINK,
};

/* Limits of a spec: each one keeps a run's buffers bounded. */
#define MEMLAB_WL_MAX_OPS	2000000		/* ops x threads: 16 MB of timings */
#define MEMLAB_WL_MAX_LIVE	65536		/* keep:N x threads: 1.5 MB of live slots */
#define MEMLAB_WL_MAX_SIZE	(4UL << 20)
#define MEMLAB_WL_MAX_ALIGN	22
#define MEMLAB_WL_MAX_THREADS	64		/* kthreads of one run; a thread index fits a u8 */
#define MEMLAB_WL_RESULT_SIZE	16384		/* the result text: 64 threads' rows fit */
#define MEMLAB_WL_MAX_SAMPLES	4096		/* samples of one run: 384 KiB */
#define MEMLAB_WL_HIST_BUCKETS	124		/* latency buckets: 4 per power of two of a u32 */

/**
 * struct memlab_wl_spec - one parsed line written to workload/run
 * @cmd: run a generated workload, replay the stored trace, free held
 *	objects, or shrink (free held objects, then give every empty slab and
 *	free max-order block back down to the LMM).
 * @layer: which allocator: lmm, pages, slice (the generic allocator), vm
 *	(memlab_vm_alloc() on the module's VM instance), or mix: each
 *	allocation draws lmm, pages or generic at random, and one drawn for
 *	generic that is larger than MEMLAB_WL_MIX_VM_ABOVE (4 pages) goes to vm;
 *	or a peer from the kernel: kmalloc (kmalloc/kfree of the same sizes)
 *	or pages_kernel (alloc_pages/__free_pages of the same orders).
 * @ops: operations (allocations plus frees) each thread generates.
 * @seed: the generator's seed: same seed, same operations; thread t uses
 *	@seed + t.
 * @size_min: smallest allocation, bytes.
 * @size_max: largest allocation, bytes.
 * @dist: how sizes are drawn between the two.
 * @free: which live object a free takes.
 * @keep: MEMLAB_WL_FREE_KEEP: objects kept live (a free only when there are this many).
 * @align: lmm: alignment bits.
 * @range_lo: lmm: lowest offset into the arena (bytes).
 * @range_hi: lmm: end of the range (bytes, exclusive); 0 for the whole arena.
 * @low: allocate from the low zone/region (the LMM flag in
 *	struct memlab_wl_layers).
 * @hold: leave the live objects allocated at the end (for the map).
 * @stack: keep what earlier hold=1 runs left allocated through this run
 *	(normally a run first frees it); with @hold, this run's live objects
 *	are added to them, up to MEMLAB_WL_MAX_LIVE held objects before the run.
 * @threads: kthreads running the spec at once, 1..MEMLAB_WL_MAX_THREADS; 1 runs it
 *	in the writer's own context.
 * @xfree: every free is done by the next thread (another CPU when there
 *	is one); needs @threads >= 2.
 * @sample: every this many operations, record a sample of every layer's
 *	fragmentation (workload/samples); 0 for none.  One thread only, and at
 *	most MEMLAB_WL_MAX_SAMPLES samples in a run.
 * @policy: switch the main LMM pool to this policy first (it stays); ""
 *	keeps the pool's.
 */
struct memlab_wl_spec {
	enum memlab_wl_cmd cmd;
	enum memlab_wl_layer layer;
	unsigned long ops;
	u64 seed;
	size_t size_min;
	size_t size_max;
	enum memlab_wl_dist dist;
	enum memlab_wl_free free;
	unsigned long keep;
	unsigned int align;
	size_t range_lo;
	size_t range_hi;
	bool low;
	bool hold;
	bool stack;
	unsigned int threads;
	bool xfree;
	unsigned long sample;
	char policy[LMM_POLICY_NAME_MAX];	/* "": keep the main pool's */
};

/* A layer's fragmentation at one moment. */
struct memlab_wl_frag {
	size_t lmm_free;
	unsigned long lmm_extents;
	size_t lmm_largest;
	unsigned long pages_free;
	int pages_unusable3;
	int pages_unusable9;
	unsigned long slice_active;
	unsigned long slice_total;
	unsigned long slice_slabs;
};

/**
 * struct memlab_wl_sample - the state of every layer part-way through a run
 * @op: operations (allocations plus frees) done when it was taken.
 * @live_bytes: bytes the run held then (pages: whole blocks; vm: pages).
 * @live_objs: objects the run held then.
 * @failures: allocations that had failed so far.
 * @frag: every layer's fragmentation then.
 */
struct memlab_wl_sample {
	unsigned long op;
	size_t live_bytes;
	unsigned long live_objs;
	unsigned long failures;
	struct memlab_wl_frag frag;
};

/**
 * struct memlab_wl_samples - the samples of one run, shared with readers
 * @ref: the runner holds one reference while they are the last run's,
 *	each open workload/samples file one more.
 * @every: operations between samples (the run's sample=).
 * @nr: samples taken.
 * @cap: samples there is room for (planned operations / @every).
 * @s: the samples, oldest first.
 */
struct memlab_wl_samples {
	struct kref ref;
	unsigned long every;
	unsigned long nr;
	unsigned long cap;
	struct memlab_wl_sample s[];
};

/*
 * A live object: where, how big, from which layer; the CPU and thread that
 * allocated it (for xfree's figures); its trace id in a replay.
 */
struct memlab_wl_obj {
	void *p;
	size_t size;
	u32 id;
	u16 cpu;
	u8 layer;
	u8 thread;
};

/*
 * A trace operation: alloc or free of an id.  A free carries the size of
 * the allocation it ends, so a refused chunk can put it back exactly.
 */
struct memlab_wl_trace_op {
	u32 id;
	u32 size;
	u8 align;
	bool free;
};

/**
 * struct memlab_wl_thread_figures - one thread's share of a run
 * @cpu: the CPU the thread was bound to, or -1 (unbound, or the writer's
 *	own context for a one-thread run).
 * @ops: allocations plus frees this thread did.
 * @allocs: allocation attempts, failures included.
 * @frees: frees this thread did (xfree: of objects the previous thread
 *	allocated).
 * @failures: allocations that returned nothing.
 * @other_thread: of @frees, objects another thread allocated.
 * @other_cpu: of @frees, objects allocated on another CPU.
 * @alloc_med: median nanoseconds per allocation.
 * @alloc_p99: 99th percentile, nanoseconds.
 * @free_med: median nanoseconds per free.
 * @free_p99: 99th percentile, nanoseconds.
 */
struct memlab_wl_thread_figures {
	int cpu;
	unsigned long ops;
	unsigned long allocs;
	unsigned long frees;
	unsigned long failures;
	unsigned long other_thread;
	unsigned long other_cpu;
	u32 alloc_med, alloc_p99;
	u32 free_med, free_p99;
};

/**
 * struct memlab_wl_figures - the last run's figures, as numbers
 * @nr_threads: entries in @thread.
 * @interrupted: a signal stopped the run before its end.
 * @total: every thread's figures summed (percentiles over all samples).
 * @live_at_end: objects still allocated when the generators stopped.
 * @thread: per thread.
 * @alloc_hist: every thread's allocations by latency: bucket b counts
 *	those from memlab_wl_hist_lo(b) up to memlab_wl_hist_lo(b + 1)
 *	nanoseconds.
 * @free_hist: the same for frees.
 */
struct memlab_wl_figures {
	unsigned int nr_threads;
	bool interrupted;
	struct memlab_wl_thread_figures total;
	unsigned long live_at_end;
	struct memlab_wl_thread_figures thread[MEMLAB_WL_MAX_THREADS];
	u32 alloc_hist[MEMLAB_WL_HIST_BUCKETS];
	u32 free_hist[MEMLAB_WL_HIST_BUCKETS];
};

/**
 * struct memlab_wl_report - a run's result: figures and text
 * @figures: the figures, as numbers.
 * @len: bytes in @text.
 * @text: what workload/result shows.
 */
struct memlab_wl_report {
	struct memlab_wl_figures figures;
	size_t len;
	char text[MEMLAB_WL_RESULT_SIZE];
};

/**
 * struct memlab_workload - the runner's state, one per module
 * @run_lock: one run, replay or trace write at a time; held through a run.
 *	Writers wait for it, interruptibly; readers never take it.
 * @lock: the state readers see; held only for short copies, never through
 *	a run.  Order: @run_lock, then @lock.
 * @ly: the layers runs allocate from (NULL: traces only).
 * @report: the last run's result (@lock).
 * @scratch: where a run writes its result before it is swapped with
 *	@report (@run_lock).
 * @running: a run is in progress (@lock).
 * @running_line: its command line (@lock).
 * @running_since: its start, ktime nanoseconds (@lock).
 * @held: objects left allocated by a hold=1 run (@run_lock; @nr_held
 *	also changes under @lock).
 * @nr_held: entries in @held.
 * @trace: the stored trace (changed under both locks, read under either).
 * @nr_trace: operations in @trace.
 * @trace_cap: capacity of @trace.
 * @trace_max: operations @trace may hold (WL_TRACE_MAX; tests lower it).
 * @trace_allocs: allocations among @nr_trace.
 * @trace_nr_live: entries of @trace_live.
 * @trace_live: ids live at the end of @trace, mapped to their size.
 * @partial: an incomplete last line from the previous write.
 * @partial_len: bytes in @partial.
 * @samples: the last run's samples, NULL when it took none (@lock; each
 *	reader takes a reference).
 */
struct memlab_workload {
	struct mutex run_lock;	/* a run, replay or trace write */
	struct mutex lock;	/* what readers see; short sections only */
	const struct memlab_wl_layers *ly;
	struct memlab_wl_report *report;
	struct memlab_wl_report *scratch;
	bool running;
	char running_line[128];
	u64 running_since;
	struct memlab_wl_obj *held;
	unsigned long nr_held;
	struct memlab_wl_trace_op *trace;
	unsigned long nr_trace;
	unsigned long trace_cap;
	unsigned long trace_max;
	unsigned long trace_allocs;
	unsigned long trace_nr_live;
	struct xarray trace_live;
	char partial[128];
	size_t partial_len;
	struct memlab_wl_samples *samples;
};

int memlab_wl_parse(const char *line, struct memlab_wl_spec *spec, const char **why);
int memlab_wl_parse_trace_line(const char *line, struct memlab_wl_trace_op *op, bool *blank);
unsigned int memlab_wl_hist_bucket(u32 ns);
u64 memlab_wl_hist_lo(unsigned int bucket);

void memlab_workload_init(struct memlab_workload *wl, const struct memlab_wl_layers *ly);
void memlab_workload_exit(struct memlab_workload *wl);
int memlab_workload_run(struct memlab_workload *wl, const char *line);
int memlab_workload_trace_write(struct memlab_workload *wl, const char *buf, size_t len,
				bool reset);
int memlab_workload_show(struct memlab_workload *wl, struct seq_file *m);
int memlab_workload_trace_show(struct memlab_workload *wl, struct seq_file *m);
int memlab_workload_samples_open(struct memlab_workload *wl, struct file *file);
int memlab_workload_samples_release(struct inode *inode, struct file *file);
int memlab_workload_latency_show(struct memlab_workload *wl, struct seq_file *m);

#endif /* MEMLAB_WORKLOAD_H */
