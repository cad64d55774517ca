/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab workloads: seeded allocation sequences and trace replay against
 * one layer (or a mix), with per-operation timing and every layer's
 * fragmentation before and after.  See arena/workload.c.
 */
#ifndef MEMLAB_WORKLOAD_H
#define MEMLAB_WORKLOAD_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct memlab;
struct seq_file;

enum memlab_wl_layer { WL_LMM, WL_PAGES, WL_SLICE, WL_MIX, WL_NR_LAYERS };
enum memlab_wl_free { WL_FREE_RANDOM, WL_FREE_LIFO, WL_FREE_FIFO, WL_FREE_KEEP };
enum memlab_wl_dist { WL_DIST_UNIFORM, WL_DIST_LOG };
enum memlab_wl_cmd { WL_CMD_RUN, WL_CMD_REPLAY, WL_CMD_FREE, WL_CMD_SHRINK };

/* Limits of a spec: each one keeps a run's buffers bounded. */
#define WL_MAX_OPS	2000000
#define WL_MAX_LIVE	65536
#define WL_MAX_SIZE	(4UL << 20)
#define WL_MAX_ALIGN	22

/**
 * struct memlab_wl_spec - one parsed line written to workload/run
 * @cmd: run a generated workload, replay the stored trace, free held
 *	objects, or shrink (free held objects, then give every empty slab and
 *	free max-order block back down to the LMM).
 * @layer: which allocator.
 * @ops: operations (allocations plus frees) to generate.
 * @seed: the generator's seed: same seed, same operations.
 * @size_min: smallest allocation, bytes.
 * @size_max: largest allocation, bytes.
 * @dist: how sizes are drawn between the two.
 * @free: which live object a free takes.
 * @keep: WL_FREE_KEEP: objects kept live (a free only when there are this many).
 * @align: lmm: alignment bits.
 * @range_lo: lmm: lowest offset into the arena (bytes).
 * @range_hi: lmm: end of the range (bytes, exclusive); 0 for the whole arena.
 * @low: allocate from the low zone/region (flag MEMLAB_LMMF_LOW).
 * @hold: leave the live objects allocated at the end (for the map).
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

struct wl_obj {
	void *p;
	size_t size;
	u8 layer;
	u32 id;
};

/* A trace operation: alloc or free of an id. */
struct wl_trace_op {
	u32 id;
	u32 size;		/* 0 for a free */
	u8 align;
};

/**
 * struct memlab_workload - the runner's state, one per module
 * @lock: one run, trace write or result read at a time.
 * @ml: the module instance.
 * @result: text of the last run's result.
 * @result_len: bytes in @result.
 * @held: objects left allocated by a hold=1 run.
 * @nr_held: entries in @held.
 * @trace: the stored trace.
 * @nr_trace: operations in @trace.
 * @trace_cap: capacity of @trace.
 * @trace_live: ids live at the end of @trace, mapped to their size.
 * @partial: an incomplete last line from the previous write.
 * @partial_len: bytes in @partial.
 */
struct memlab_workload {
	struct mutex lock;	/* one run, trace write or result read at a time */
	struct memlab *ml;
	char *result;
	size_t result_len;
	struct wl_obj *held;
	unsigned long nr_held;
	struct wl_trace_op *trace;
	unsigned long nr_trace;
	unsigned long trace_cap;
	struct xarray trace_live;
	char partial[128];
	size_t partial_len;
};

int memlab_wl_parse(const char *line, struct memlab_wl_spec *spec);
int memlab_wl_parse_trace_line(const char *line, struct wl_trace_op *op, bool *blank);
int memlab_extfrag_permille(size_t largest, size_t free);

void memlab_workload_init(struct memlab_workload *wl, struct memlab *ml);
void memlab_workload_exit(struct memlab_workload *wl);
int memlab_workload_run(struct memlab_workload *wl, const char *line);
int memlab_workload_trace_write(struct memlab_workload *wl, const char *buf, size_t len,
				bool reset);
void memlab_workload_show(struct memlab_workload *wl, struct seq_file *m);
void memlab_workload_trace_show(struct memlab_workload *wl, struct seq_file *m);

#endif /* MEMLAB_WORKLOAD_H */
