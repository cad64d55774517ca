// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_observe": the debugfs observatory - workload spec and
 * trace parsing, fragmentation arithmetic, the arena map of a constructed
 * arena, and the workload runner on an instance of its own: its locking,
 * its interruption by signals, trace chunk undo, and threaded runs.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#include "lab/map.h"
#include "module/memlab.h"
#include "lab/workload.h"
#include "kunit/memlab_kunit.h"

/* ---- spec parsing -------------------------------------------------------------- */

static void wl_parse_full_spec(struct kunit *test)
{
	static const char line[] =
		"layer=lmm ops=5 seed=3 size=16-64 dist=log free=keep:10 align=4 range=4K-8K low=1";
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse(line, &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, MEMLAB_WL_CMD_RUN);
	KUNIT_EXPECT_EQ(test, s.layer, MEMLAB_WL_LMM);
	KUNIT_EXPECT_EQ(test, s.ops, 5);
	KUNIT_EXPECT_EQ(test, s.seed, 3);
	KUNIT_EXPECT_EQ(test, s.size_min, 16);
	KUNIT_EXPECT_EQ(test, s.size_max, 64);
	KUNIT_EXPECT_EQ(test, s.dist, MEMLAB_WL_DIST_LOG);
	KUNIT_EXPECT_EQ(test, s.free, MEMLAB_WL_FREE_KEEP);
	KUNIT_EXPECT_EQ(test, s.keep, 10);
	KUNIT_EXPECT_EQ(test, s.align, 4);
	KUNIT_EXPECT_EQ(test, s.range_lo, 4096);
	KUNIT_EXPECT_EQ(test, s.range_hi, 8192);
	KUNIT_EXPECT_TRUE(test, s.low);
	KUNIT_EXPECT_FALSE(test, s.hold);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=lmm hold=1 low=0\n", &s, NULL), 0);
	KUNIT_EXPECT_TRUE(test, s.hold);
	KUNIT_EXPECT_FALSE(test, s.low);
}

static void wl_parse_defaults_and_commands(struct kunit *test)
{
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=slice", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.ops, 10000);
	KUNIT_EXPECT_EQ(test, s.seed, 1);
	KUNIT_EXPECT_EQ(test, s.size_min, 16);
	KUNIT_EXPECT_EQ(test, s.size_max, 4096);
	KUNIT_EXPECT_EQ(test, s.free, MEMLAB_WL_FREE_RANDOM);
	KUNIT_EXPECT_FALSE(test, s.hold);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("  layer=pages   size=8K free=fifo ", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.size_min, 8192);
	KUNIT_EXPECT_EQ(test, s.size_max, 8192);
	KUNIT_EXPECT_EQ(test, s.free, MEMLAB_WL_FREE_FIFO);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("replay layer=mix hold=1", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, MEMLAB_WL_CMD_REPLAY);
	KUNIT_EXPECT_EQ(test, s.layer, MEMLAB_WL_MIX);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=kmalloc threads=2 xfree=1", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.layer, MEMLAB_WL_KMALLOC);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("replay layer=pages_kernel", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.layer, MEMLAB_WL_PAGES_KERNEL);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("free\n", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, MEMLAB_WL_CMD_FREE);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("shrink", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, MEMLAB_WL_CMD_SHRINK);
}

static const char * const bad_specs[] = {
	"", "ops=100", "layer=slab", "layer=lmm ops=0", "layer=lmm ops=-1", "layer=lmm ops=abc",
	"layer=lmm ops=2000001", "layer=lmm threads=0", "layer=lmm threads=65",
	"layer=lmm threads=x", "layer=lmm threads=", "layer=lmm xfree=1",
	"layer=lmm threads=1 xfree=1", "layer=lmm threads=2 xfree=2",
	"layer=lmm threads=4 ops=500001", "layer=lmm size=0", "layer=lmm size=64-16",
	"layer=lmm size=8M",
	"layer=lmm size=1-", "layer=lmm dist=normal", "layer=lmm free=keep:0",
	"layer=lmm free=keep:", "layer=lmm free=keep:65537", "layer=lmm free=stack",
	"layer=lmm align=23", "layer=pages align=3", "layer=slice range=0-4K",
	"layer=lmm range=4K-4K", "layer=lmm low=maybe", "layer=lmm bogus=1", "layer=lmm seed",
	"free layer=lmm", "layer=lmm ops=10 extra",
	"layer=kmalloc hold=1", "layer=pages_kernel low=1", "replay layer=kmalloc hold=1",
	"layer=kmalloc align=3", "layer=pages_kernel range=0-4K", "layer=kmalloc_",
};

static void bad_spec_desc(const char * const *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", *s);
}

KUNIT_ARRAY_PARAM(bad_spec, bad_specs, bad_spec_desc);

static void wl_parse_refuses(struct kunit *test)
{
	const char * const *line = test->param_value;
	struct memlab_wl_spec s;

	KUNIT_EXPECT_EQ(test, memlab_wl_parse(*line, &s, NULL), -EINVAL);
}

/* A workload line the parser must refuse, and a part of the reason it gives. */
struct wl_bad_line {
	const char *line, *why;
};

/* Expect each of @bad refused with -EINVAL and a reason that names its part. */
static void wl_expect_refused(struct kunit *test, const struct wl_bad_line *bad, unsigned int n)
{
	struct memlab_wl_spec s;
	const char *why;
	unsigned int i;

	for (i = 0; i < n; i++) {
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, memlab_wl_parse(bad[i].line, &s, &why), -EINVAL, "%s",
				    bad[i].line);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why ? strstr(why, bad[i].why) : NULL,
					  "\"%s\": reason \"%s\"", bad[i].line, why ?: "(none)");
	}
}

/* Expect threads= and xfree= parsed, and each bad combination refused with its reason. */
static void wl_parse_threads_xfree(struct kunit *test)
{
	static const struct wl_bad_line bad[] = {
		{ "layer=lmm threads=0", "threads must be 1..64" },
		{ "layer=lmm threads=65", "threads must be 1..64" },
		{ "layer=lmm threads=-1", "threads must be 1..64" },
		{ "layer=lmm threads=two", "threads must be 1..64" },
		{ "layer=lmm threads=", "unknown word" },
		{ "layer=lmm xfree=1", "xfree=1 needs threads=2" },
		{ "layer=lmm threads=1 xfree=1", "xfree=1 needs threads=2" },
		{ "layer=lmm threads=2 xfree=2", "xfree must be 0 or 1" },
		{ "layer=lmm threads=4 ops=500001", "ops x threads" },
		{ "layer=lmm threads=64 ops=31251", "ops x threads" },
		{ "layer=lmm threads=2 free=keep:32769", "keep:N x threads" },
		{ "replay layer=lmm threads=2", "not to replay" },
		{ "replay layer=lmm xfree=1 threads=2", "not to replay" },
	};
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=slice", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.threads, 1);
	KUNIT_EXPECT_FALSE(test, s.xfree);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=mix threads=4 xfree=1 ops=500000", &s, NULL),
			0);
	KUNIT_EXPECT_EQ(test, s.threads, 4);
	KUNIT_EXPECT_TRUE(test, s.xfree);
	KUNIT_EXPECT_EQ(test, s.ops, 500000);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=lmm threads=64 ops=31250 xfree=0", &s, NULL),
			0);
	KUNIT_EXPECT_EQ(test, s.threads, 64);
	KUNIT_EXPECT_FALSE(test, s.xfree);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse("layer=slice threads=2 free=keep:32768", &s, NULL),
			0);
	wl_expect_refused(test, bad, ARRAY_SIZE(bad));
}

/* Expect sample=N parsed, and each bad N refused with its reason. */
static void wl_parse_sample(struct kunit *test)
{
	static const struct wl_bad_line bad[] = {
		{ "layer=lmm sample=0", "sample must be 1..2000000" },
		{ "layer=lmm sample=x", "sample must be 1..2000000" },
		{ "layer=lmm sample=-5", "sample must be 1..2000000" },
		{ "layer=lmm ops=2000000 sample=2000001", "sample must be 1..2000000" },
		{ "layer=lmm sample=", "unknown word" },
		{ "layer=lmm ops=10 sample=11", "at most ops" },
		{ "layer=lmm ops=10000 sample=2", "at most 4096 samples" },
		{ "layer=lmm ops=4097 sample=1", "at most 4096 samples" },
		{ "layer=lmm ops=100 sample=10 threads=2", "not to threads" },
	};
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=slice", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.sample, 0);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=lmm ops=1000 sample=10", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.sample, 10);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse("layer=lmm ops=4096 sample=1", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse("layer=lmm ops=7 sample=7", &s, NULL), 0);
	/* a replay's length is known when it runs */
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("replay layer=slice sample=1000000", &s, NULL), 0);
	KUNIT_EXPECT_EQ(test, s.sample, 1000000);
	wl_expect_refused(test, bad, ARRAY_SIZE(bad));
}

/*
 * Expect every duration in the bucket whose range holds it, the buckets
 * to tile 0..2^32 in order, four per power of two, and the last one to end
 * the u32 range.
 */
static void wl_hist_buckets(struct kunit *test)
{
	static const u32 v[] = { 0, 1, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 255, 256, 768, 1000,
				 1023, 1024, 65535, 1U << 31, U32_MAX };
	unsigned int i, b;

	KUNIT_EXPECT_EQ(test, memlab_wl_hist_bucket(0), 0);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_bucket(7), 7);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_bucket(1000), 35);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_lo(35), 896);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_lo(36), 1024);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_bucket(U32_MAX), MEMLAB_WL_HIST_BUCKETS - 1);
	KUNIT_EXPECT_EQ(test, memlab_wl_hist_lo(MEMLAB_WL_HIST_BUCKETS), 1ULL << 32);
	for (b = 0; b < MEMLAB_WL_HIST_BUCKETS; b++) {
		KUNIT_EXPECT_LT_MSG(test, memlab_wl_hist_lo(b), memlab_wl_hist_lo(b + 1),
				    "bucket %u", b);
		KUNIT_EXPECT_EQ_MSG(test, memlab_wl_hist_bucket(memlab_wl_hist_lo(b)), b,
				    "bucket %u", b);
		KUNIT_EXPECT_EQ_MSG(test, memlab_wl_hist_bucket(memlab_wl_hist_lo(b + 1) - 1), b,
				    "bucket %u", b);
	}
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		b = memlab_wl_hist_bucket(v[i]);
		KUNIT_EXPECT_LE_MSG(test, memlab_wl_hist_lo(b), v[i], "%u", v[i]);
		KUNIT_EXPECT_GT_MSG(test, memlab_wl_hist_lo(b + 1), v[i], "%u", v[i]);
	}
}

static void wl_parse_trace_lines(struct kunit *test)
{
	struct memlab_wl_trace_op op;
	bool blank;

	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 7 100", &op, &blank), 0);
	KUNIT_EXPECT_FALSE(test, blank);
	KUNIT_EXPECT_EQ(test, op.id, 7);
	KUNIT_EXPECT_EQ(test, op.size, 100);
	KUNIT_EXPECT_EQ(test, op.align, 0);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 8 64 6\n", &op, &blank), 0);
	KUNIT_EXPECT_EQ(test, op.align, 6);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("  free 7", &op, &blank), 0);
	KUNIT_EXPECT_EQ(test, op.size, 0);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("# comment", &op, &blank), 0);
	KUNIT_EXPECT_TRUE(test, blank);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("", &op, &blank), 0);
	KUNIT_EXPECT_TRUE(test, blank);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 1", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 1 0", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 1 9999999", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc 1 16 40", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("free", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("malloc 1 16", &op, &blank), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_wl_parse_trace_line("alloc x 16", &op, &blank), -EINVAL);
}

/* ---- fragmentation arithmetic ------------------------------------------------ */

/*
 * 1 - largest/free, in thousandths: one extent 0; 4 KiB largest of 16 KiB
 * free 0.750; 1 KiB of 3 KiB 0.667 (1000 - 333); nothing free 0.
 */
static void extfrag_permille_values(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, memlab_extfrag_permille(4096, 4096), 0);
	KUNIT_EXPECT_EQ(test, memlab_extfrag_permille(4096, 16384), 750);
	KUNIT_EXPECT_EQ(test, memlab_extfrag_permille(1024, 3072), 667);
	KUNIT_EXPECT_EQ(test, memlab_extfrag_permille(0, 0), 0);
}

/*
 *   [16 free][16 used][32 free][16 used][48 free][16 used][4096+ free ...]
 * Expect bins 2^4: one extent (16), 2^5: two (32, 48), and the rest in
 * the bin of the tail's size.
 */
static void lmm_histogram_bins(struct kunit *test)
{
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	struct lmm_histogram *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	char *buf = vmalloc(8192);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, buf, 8192, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf, 8192), 0);
	lmm_remove_free(pool, buf + 16, 16);
	lmm_remove_free(pool, buf + 64, 16);
	lmm_remove_free(pool, buf + 128, 16);
	lmm_histogram(pool, h);
	KUNIT_EXPECT_EQ(test, h->extents, 4);
	KUNIT_EXPECT_EQ(test, h->count[4], 1);
	KUNIT_EXPECT_EQ(test, h->count[5], 2);
	KUNIT_EXPECT_EQ(test, h->bytes[5], 80);
	KUNIT_EXPECT_EQ(test, h->count[12], 1);		/* 8192 - 144 = 8048 */
	KUNIT_EXPECT_EQ(test, h->largest, 8048);
	KUNIT_EXPECT_EQ(test, h->free, 8192 - 48);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(buf);
}

/* ---- the map of a constructed arena --------------------------------------------- */

#define MK_BUF		(256 * 1024)
#define MK_ORDER	4

struct render_buf {
	char text[2048];
	size_t len;
};

static __printf(2, 3) void render_print(void *arg, const char *fmt, ...)
{
	struct render_buf *rb = arg;
	va_list args;

	va_start(args, fmt);
	rb->len += vscnprintf(rb->text + rb->len, sizeof(rb->text) - rb->len, fmt, args);
	va_end(args);
}

/*
 * A 256 KiB arena, 4 KiB per character (64 cells, one row):
 *   cells 0-1   an LMM allocation of 8 KiB        -> '#'
 *   cell 2      an LMM allocation of 2 KiB        -> ':'
 *   cells 16-31 a 64 KiB pages block, holding:
 *                 one order-0 page allocated      -> 'P'
 *                 a slab of 64-byte objects       -> 's'
 *                 the rest free                   -> '-'
 *   the other cells                                -> '.'
 * Expect exactly that row, and at 16 bytes per character the slab's header
 * as 'm'.
 */
static void map_of_constructed_arena(struct kunit *test)
{
	static const struct memlab_zone_desc zone = { .name = "normal" };
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	struct render_buf *rb = kunit_kzalloc(test, sizeof(*rb), GFP_KERNEL);
	char *raw = vmalloc(2 * MK_BUF), *buf, *row, *l1, *l2, *obj;
	struct memlab_slice_pool *sp;
	struct memlab_map *map;
	struct memlab_pages *mp;
	char cells[MEMLAB_MAP_ROW];
	unsigned long k;
	uintptr_t addr;
	void *page;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, rb);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	buf = PTR_ALIGN(raw, MK_BUF);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, buf, MK_BUF, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf, MK_BUF), 0);
	l1 = lmm_alloc(pool, 8192, 0);
	l2 = lmm_alloc(pool, 2048, 0);
	KUNIT_EXPECT_PTR_EQ(test, l1, buf);
	KUNIT_EXPECT_PTR_EQ(test, l2, buf + 8192);
	mp = memlab_pages_create("map", pool, buf, MK_BUF, MK_ORDER, &zone, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mp));
	sp = memlab_slice_create(mp, "map", 64, 0, 0, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sp));
	page = memlab_get_pages(mp, 0, 1);		/* order 1: no per-CPU cache */
	obj = memlab_slice_alloc(sp);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_PTR_EQ(test, page, (void *)(buf + 64 * 1024));

	map = memlab_map_open(pool, mp, NULL, buf, MK_BUF, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, memlab_map_rows(map), 1);
	KUNIT_EXPECT_EQ(test, memlab_map_render(map, render_print, rb), 0);
	memlab_map_close(map);
	row = strstr(rb->text, "\n0x");
	KUNIT_ASSERT_NOT_NULL(test, row);
	row = strchr(row + 1, ' ') + 1;
	KUNIT_EXPECT_EQ(test, row[0], '#');
	KUNIT_EXPECT_EQ(test, row[1], '#');
	KUNIT_EXPECT_EQ(test, row[2], ':');
	KUNIT_EXPECT_EQ(test, row[3], '.');
	KUNIT_EXPECT_EQ(test, row[16], 'P');
	KUNIT_EXPECT_EQ(test, row[17], 'P');
	for (i = 18; i < 32; i++)
		KUNIT_EXPECT_TRUE_MSG(test, row[i] == '-' || row[i] == 's', "cell %d is '%c'", i,
				      row[i]);
	KUNIT_EXPECT_EQ(test, row[(obj - buf) / PAGE_SIZE], 's');
	KUNIT_EXPECT_EQ(test, row[63], '.');
	KUNIT_EXPECT_EQ(test, row[64], '\n');
	KUNIT_EXPECT_NOT_NULL(test, strstr(rb->text, "4096 bytes per char"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(rb->text, "# legend: .=lmm free"));

	/* 16 bytes per character: the slab's last granule is its header */
	map = memlab_map_open(pool, mp, NULL, buf, MK_BUF, 16);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, memlab_map_rows(map), MK_BUF / 16 / MEMLAB_MAP_ROW);
	KUNIT_EXPECT_EQ(test, memlab_map_refresh(map), 0);
	k = ((obj - buf) & PAGE_MASK) / 16 + PAGE_SIZE / 16 - 1;
	KUNIT_EXPECT_EQ(test, memlab_map_row(map, k / MEMLAB_MAP_ROW, cells, &addr),
			MEMLAB_MAP_ROW);
	KUNIT_EXPECT_EQ(test, addr, (uintptr_t)buf + k / MEMLAB_MAP_ROW * MEMLAB_MAP_ROW * 16);
	KUNIT_EXPECT_EQ(test, cells[k % MEMLAB_MAP_ROW], 'm');
	k = (obj - buf) / 16;
	memlab_map_row(map, k / MEMLAB_MAP_ROW, cells, &addr);
	KUNIT_EXPECT_EQ(test, cells[k % MEMLAB_MAP_ROW], 's');
	/* cell 8192/16 + 2048/16 - 1 is l2's last granule; the next one is free */
	k = (8192 + 2048) / 16;
	memlab_map_row(map, (k - 1) / MEMLAB_MAP_ROW, cells, &addr);
	KUNIT_EXPECT_EQ(test, cells[(k - 1) % MEMLAB_MAP_ROW], '#');
	memlab_map_row(map, k / MEMLAB_MAP_ROW, cells, &addr);
	KUNIT_EXPECT_EQ(test, cells[k % MEMLAB_MAP_ROW], '.');
	KUNIT_EXPECT_EQ(test, memlab_map_row(map, memlab_map_rows(map), cells, &addr), 0);
	memlab_map_close(map);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_map_open(pool, mp, NULL, buf, MK_BUF, 100)), -EINVAL);

	KUNIT_EXPECT_EQ(test, memlab_slice_free(sp, obj), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_destroy(sp), 0);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, page), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(mp), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(pool, l1, 8192), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(pool, l2, 2048), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(pool, 0), MK_BUF);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(raw);
}

/*
 * A VM area's backing blocks have a character of their own: a 16 KiB area
 * (one order-2 block) next to an order-1 pages block.  Expect 4 'V' and
 * 2 'P' cells once the map knows the VM instance (without it, 6 'P'), and
 * 'V' in the legend.
 */
static void map_shows_vm_areas(struct kunit *test)
{
	static const struct memlab_zone_desc zone = { .name = "normal" };
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	struct render_buf *rb = kunit_kzalloc(test, sizeof(*rb), GFP_KERNEL);
	char *raw = vmalloc(2 * MK_BUF), *buf, *row;
	struct memlab_map *map;
	struct memlab_pages *mp;
	struct memlab_vm *vm;
	void *page, *area;
	int pass, i, nv, np;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, rb);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	buf = PTR_ALIGN(raw, MK_BUF);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, buf, MK_BUF, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf, MK_BUF), 0);
	mp = memlab_pages_create("map-vm", pool, buf, MK_BUF, MK_ORDER, &zone, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mp));
	vm = memlab_vm_create(mp, "map-vm");
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	page = memlab_get_pages(mp, 0, 1);		/* order 1: no per-CPU cache */
	area = memlab_vm_alloc(vm, 4 * PAGE_SIZE, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, area);

	for (pass = 0; pass < 2; pass++) {
		map = memlab_map_open(pool, mp, NULL, buf, MK_BUF, PAGE_SIZE);
		KUNIT_ASSERT_FALSE(test, IS_ERR(map));
		if (pass)
			memlab_map_set_vm(map, vm);
		rb->len = 0;
		KUNIT_EXPECT_EQ(test, memlab_map_render(map, render_print, rb), 0);
		memlab_map_close(map);
		row = strstr(rb->text, "\n0x");
		KUNIT_ASSERT_NOT_NULL(test, row);
		row = strchr(row + 1, ' ') + 1;
		for (i = 0, nv = 0, np = 0; i < MEMLAB_MAP_ROW; i++) {
			nv += row[i] == MEMLAB_MAP_VM;
			np += row[i] == MEMLAB_MAP_PAGES_ALLOC;
		}
		KUNIT_EXPECT_EQ_MSG(test, nv, pass ? 4 : 0, "'V' cells, pass %d", pass);
		KUNIT_EXPECT_EQ_MSG(test, np, pass ? 2 : 6, "'P' cells, pass %d", pass);
	}
	KUNIT_EXPECT_NOT_NULL(test, strstr(rb->text, " V=vm area "));

	KUNIT_EXPECT_EQ(test, memlab_vm_free(vm, area), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(vm), 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_destroy(vm), 0);
	KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, page), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_check(mp), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(mp), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(pool, 0), MK_BUF);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(raw);
}

/*
 * The map's size is bounded: at most MEMLAB_MAP_MAX_CELLS cells.  Expect a
 * 1 GiB arena to take 256 bytes per character or more (-E2BIG below, with
 * the least value reported), and malformed values refused with -EINVAL.
 */
static void map_check_bpc_limits(struct kunit *test)
{
	size_t least = 0;

	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_1G, 16, &least), -E2BIG);
	KUNIT_EXPECT_EQ(test, least, 256);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_1G, 240, NULL), -E2BIG);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_1G, 256, NULL), 0);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_1G, 255, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_1G, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_16M, 16, &least), 0);
	KUNIT_EXPECT_EQ(test, least, 16);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_16M, SZ_16M, NULL), 0);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_16M, SZ_16M + 16, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_64M, 16, NULL), 0);	/* exactly 4M */
	KUNIT_EXPECT_EQ(test, memlab_map_check_bpc(SZ_64M + SZ_4K, 16, NULL), -E2BIG);
}

/*
 * A 256 KiB LMM-only arena, 4 KiB per character (one row of 64 cells),
 * whose first 64 KiB are a comb of 2048 free 16-byte extents:
 *   cells 0-15  ':'   half free, 128 extents each
 *   cells 16-63 '.'
 * One row then needs 2049 extents, several LMM_WALK_CHUNK lock holds.
 * Expect exactly that row, every free byte counted once.
 */
static void map_row_spans_many_chunks(struct kunit *test)
{
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	char *raw = vmalloc(2 * MK_BUF), *buf, cells[MEMLAB_MAP_ROW];
	struct memlab_map *map;
	uintptr_t addr;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	buf = PTR_ALIGN(raw, PAGE_SIZE);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, buf, MK_BUF, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf, MK_BUF), 0);
	for (i = 0; i < 2048; i++)
		KUNIT_ASSERT_EQ(test, lmm_remove_free(pool, buf + 32 * i + 16, 16), 0);
	map = memlab_map_open(pool, NULL, NULL, buf, MK_BUF, PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, memlab_map_refresh(map), 0);
	KUNIT_EXPECT_EQ(test, memlab_map_row(map, 0, cells, &addr), MEMLAB_MAP_ROW);
	KUNIT_EXPECT_EQ(test, addr, (uintptr_t)buf);
	for (i = 0; i < MEMLAB_MAP_ROW; i++)
		KUNIT_EXPECT_EQ_MSG(test, cells[i], i < 16 ? ':' : '.', "cell %u", i);
	memlab_map_close(map);
	for (i = 0; i < 2048; i++)
		KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf + 32 * i + 16, 16), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(pool, 0), MK_BUF);
	KUNIT_EXPECT_EQ(test, lmm_check(pool), 0);
	lmm_destroy(pool);
	vfree(raw);
}

/*
 * The slowest row of a map in ns: five passes over all rows, each row
 * timed by its fastest pass (a host preempting UML inflates a row in one
 * pass, hardly the same row in all five, even on a loaded host).
 */
static u64 map_worst_row(struct kunit *test, struct memlab_map *map, char *cells)
{
	unsigned long r, rows = memlab_map_rows(map);
	u64 *best = kunit_kmalloc_array(test, rows, sizeof(u64), GFP_KERNEL), worst = 0, t0;
	uintptr_t addr;
	int pass;

	if (!best)
		return U64_MAX;
	for (r = 0; r < rows; r++)
		best[r] = U64_MAX;
	for (pass = 0; pass < 5; pass++) {
		for (r = 0; r < rows; r++) {
			t0 = ktime_get_ns();
			memlab_map_row(map, r, cells, &addr);
			best[r] = min(best[r], ktime_get_ns() - t0);
		}
	}
	for (r = 0; r < rows; r++)
		worst = max(worst, best[r]);
	kunit_kfree(test, best);
	return worst;
}

/*
 * Lock hold of the map at 1M LMM extents: a comb of 1M free 16-byte extents
 * (a 32 MiB arena) at 16 bytes per character, 32768 rows.  Each row takes
 * the LMM lock for at most LMM_WALK_CHUNK extents; expect the slowest row
 * (all of its work, an upper bound of any lock hold in it; see
 * map_worst_row()) under 1 ms, and print it.  Before, one show() held the lock
 * over all extents and allocated a cell per character.
 */
static void map_row_time_at_1m_extents(struct kunit *test)
{
	unsigned long n = 1UL << 20, i, rows, r;
	size_t size = 32 * n + 65536;
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	char *base, cells[MEMLAB_MAP_ROW];
	struct memlab_map *map;
	u64 worst, total;
	uintptr_t addr;

	memlab_kunit_need_slow(test);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "measures irqs-off lock holds; on PREEMPT_RT interrupts stay on");
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	base = vmalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, base);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, base, size, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, base + 32 * n, size - 32 * n), 0);
	for (i = n; i-- > 0;)
		KUNIT_ASSERT_EQ(test, lmm_add_free(pool, base + 32 * i, 16), 0);
	map = memlab_map_open(pool, NULL, NULL, base, size, 16);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	rows = memlab_map_rows(map);
	KUNIT_EXPECT_EQ(test, memlab_map_refresh(map), 0);
	total = ktime_get_ns();
	for (r = 0; r < rows; r++)
		memlab_map_row(map, r, cells, &addr);
	total = ktime_get_ns() - total;
	worst = map_worst_row(test, map, cells);
	/* comb rows alternate free and allocated granules */
	memlab_map_row(map, 7, cells, &addr);
	KUNIT_EXPECT_TRUE(test, cells[0] == '.' && cells[1] == '#');
	memlab_map_close(map);
	kunit_info(test, "1M extents, 16 bytes per char: %lu rows, slowest row %llu us, a pass %llu ms\n",
		   rows, worst / 1000, total / 1000000);
	/* a measurement, reported, not asserted: the row bound is what others check */
	kunit_info(test, "slowest row %s the 1 ms goal\n",
		   worst < 1000ULL * 1000 ? "within" : "over");
	lmm_destroy(pool);
	vfree(base);
}

/*
 * The map over a 1 GiB pages instance (skipped below 2.5 GiB of RAM: boot
 * UML with MEMLAB_UML_MEM=3G): every page allocated as an order-0 block,
 * every other one freed again, so the pages layer holds 262144 blocks, the
 * most it can.  Prints the time of memlab_map_refresh() - one
 * memlab_pages_walk(), whose pages lock hold is the map's longest section -
 * the slowest row at 256 bytes per character (the least a 1 GiB arena
 * takes, 65536 rows) and a whole pass; expect the slowest row under 1 ms.
 */
static void map_at_1g_pages(struct kunit *test)
{
	static const struct memlab_zone_desc zone = { .name = "normal" };
	size_t size = SZ_1G, block = PAGE_SIZE << 10;
	unsigned long nr = size >> PAGE_SHIFT, i, rows, r;
	struct lmm *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	u64 refresh = U64_MAX, worst, pass_ns, t0, t1;
	void **pages = NULL;
	char *raw, *buf, cells[MEMLAB_MAP_ROW];
	struct memlab_pages *mp;
	struct memlab_map *map;
	uintptr_t addr;
	int pass;

	memlab_kunit_need_slow(test);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "measures irqs-off lock holds; on PREEMPT_RT interrupts stay on");
	if (((size_t)totalram_pages() << PAGE_SHIFT) < SZ_2G + SZ_512M)
		kunit_skip(test, "needs 2.5 GiB of RAM (MEMLAB_UML_MEM=3G)");
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	raw = vmalloc(size + block);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		vfree(raw);
		KUNIT_FAIL(test, "no memory for the page table of the test");
		return;
	}
	buf = PTR_ALIGN(raw, block);
	lmm_init(pool);
	KUNIT_ASSERT_EQ(test, lmm_add_region(pool, reg, buf, size, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(pool, buf, size), 0);
	mp = memlab_pages_create("map1g", pool, buf, size, 10, &zone, 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mp));
	for (i = 0; i < nr; i++) {
		pages[i] = memlab_get_pages(mp, 0, 0);
		if (!pages[i])
			break;
	}
	nr = i;
	for (i = 0; i < nr; i += 2)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, pages[i]), 0);
	map = memlab_map_open(pool, mp, NULL, buf, size, 256);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	rows = memlab_map_rows(map);
	for (pass = 0; pass < 3; pass++) {
		t0 = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, memlab_map_refresh(map), 0);
		refresh = min(refresh, ktime_get_ns() - t0);
	}
	t1 = ktime_get_ns();
	for (r = 0; r < rows; r++)
		memlab_map_row(map, r, cells, &addr);
	pass_ns = ktime_get_ns() - t1;
	worst = map_worst_row(test, map, cells);
	memlab_map_close(map);
	kunit_info(test, "1 GiB, %lu pages taken, every other one freed: memlab_map_refresh() (memlab_pages_walk) %llu us; 256 bytes per char: %lu rows, slowest row %llu us, a pass %llu ms\n",
		   nr, refresh / 1000, rows, worst / 1000, pass_ns / 1000000);
	/* a measurement, reported, not asserted: the row bound is what others check */
	kunit_info(test, "slowest row %s the 1 ms goal\n",
		   worst < 1000ULL * 1000 ? "within" : "over");
	for (i = 1; i < nr; i += 2)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, pages[i]), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(mp), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(pool, 0), size);
	lmm_destroy(pool);
	kvfree(pages);
	vfree(raw);
}

/* ---- the runner's locking, interruption and trace undo ------------------------- */

#define WK_ARENA	(8UL << 20)
#define WK_ORDER	8
#define WK_BLOCK	(PAGE_SIZE << WK_ORDER)
#define WK_LONG_RUN	"layer=mix ops=2000000 seed=3 size=16-2048 free=keep:2000"

/*
 * A memlab instance of its own for the runner: an 8 MiB arena in one LMM
 * region, a pages instance of 1 MiB blocks and a generic allocator on it.
 */
struct wl_fixture {
	struct memlab ml;
	char *raw;
	bool pages_made, generic_made, vm_made, wl_made;
};

static const struct memlab_zone_desc wk_zones[] = { { .name = "normal" } };

static void wl_fixture_release(void *arg)
{
	struct wl_fixture *fx = arg;

	if (fx->wl_made)
		memlab_workload_exit(&fx->ml.wl);
	if (fx->vm_made)
		memlab_vm_destroy(fx->ml.vm);
	if (fx->generic_made)
		memlab_generic_destroy(fx->ml.generic);
	if (fx->pages_made)
		memlab_pages_destroy(fx->ml.pages);
	lmm_destroy(&fx->ml.lmm);
	vfree(fx->raw);
	kfree(fx);
}

static struct wl_fixture *wl_fixture_create(struct kunit *test)
{
	struct wl_fixture *fx = kzalloc(sizeof(*fx), GFP_KERNEL);
	struct memlab *ml;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	ml = &fx->ml;
	lmm_init(&ml->lmm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, wl_fixture_release, fx), 0);
	fx->raw = vmalloc(WK_ARENA + WK_BLOCK);
	KUNIT_ASSERT_NOT_NULL(test, fx->raw);
	ml->arena.base = PTR_ALIGN(fx->raw, WK_BLOCK);
	ml->arena.size = WK_ARENA;
	KUNIT_ASSERT_EQ(test, lmm_add_region(&ml->lmm, &ml->normal, ml->arena.base, WK_ARENA,
					     0, MEMLAB_PRI_NORMAL), 0);
	KUNIT_ASSERT_EQ(test, lmm_add_free(&ml->lmm, ml->arena.base, WK_ARENA), 0);
	ml->pages = memlab_pages_create("wl-kunit", &ml->lmm, ml->arena.base, WK_ARENA, WK_ORDER,
					wk_zones, ARRAY_SIZE(wk_zones));
	KUNIT_ASSERT_FALSE(test, IS_ERR(ml->pages));
	fx->pages_made = true;
	ml->generic = memlab_generic_create(ml->pages, "wl-kunit", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ml->generic));
	fx->generic_made = true;
	ml->vm = memlab_vm_create(ml->pages, "wl-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(ml->vm));
	fx->vm_made = true;
	memlab_workload_init(&ml->wl, memlab_wl_layers_fill(ml));
	fx->wl_made = true;
	KUNIT_ASSERT_NOT_NULL(test, ml->wl.report);
	KUNIT_ASSERT_NOT_NULL(test, ml->wl.scratch);
	return fx;
}

/*
 * Every validator clean and, after both shrinks, every byte of the arena
 * back in the LMM: what a run allocated, it freed.
 */
static void wl_fixture_expect_clean(struct kunit *test, struct wl_fixture *fx)
{
	struct memlab *ml = &fx->ml;
	struct memlab_vm_stats vs;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, memlab_vm_check(ml->vm), 0);
	memlab_vm_stats(ml->vm, &vs);
	KUNIT_EXPECT_EQ_MSG(test, vs.nr_areas, 0, "no vm area left behind");
	KUNIT_EXPECT_EQ(test, memlab_generic_check(ml->generic), 0);
	for (i = 0; i < memlab_generic_nr_pools(ml->generic); i++)
		KUNIT_EXPECT_EQ(test, memlab_slice_check(memlab_generic_pool(ml->generic, i)), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_check(ml->pages), 0);
	memlab_generic_shrink(ml->generic);
	memlab_pages_shrink(ml->pages);
	KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&ml->lmm, 0), WK_ARENA, "all memory back in the LMM");
	KUNIT_EXPECT_EQ(test, lmm_check(&ml->lmm), 0);
}

struct wl_helper;
typedef int wl_helper_fn(struct wl_helper *h);

/* A helper thread that calls into the runner, and can be sent SIGKILL. */
struct wl_helper {
	struct memlab_workload *wl;
	wl_helper_fn *fn;
	const char *text;		/* run line or trace chunk */
	unsigned int hold_ms;		/* lock holder: how long */
	struct completion started, done, release;
	struct task_struct *task;
	struct seq_file seq;		/* reader: what it printed */
	int ret;
};

static int wl_helper_thread(void *arg)
{
	struct wl_helper *h = arg;

	allow_signal(SIGKILL);
	complete(&h->started);
	h->ret = h->fn(h);
	complete_all(&h->done);		/* the test may wait for it more than once */
	return 0;
}

static void wl_helper_start(struct kunit *test, struct wl_helper *h, struct memlab_workload *wl,
			    wl_helper_fn *fn, const char *text)
{
	h->wl = wl;
	h->fn = fn;
	h->text = text;
	init_completion(&h->started);
	init_completion(&h->done);
	init_completion(&h->release);
	if (!h->seq.buf) {
		h->seq.size = 32 * 1024;
		h->seq.buf = kunit_kzalloc(test, h->seq.size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, h->seq.buf);
	}
	h->seq.count = 0;
	h->task = kthread_create(wl_helper_thread, h, "memlab_wl_kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
	get_task_struct(h->task);
	wake_up_process(h->task);
	wait_for_completion(&h->started);
}

/* Wait for the helper to end (whatever it does), then reap it. */
static void wl_helper_reap(struct wl_helper *h)
{
	wait_for_completion(&h->done);
	kthread_stop(h->task);
	put_task_struct(h->task);
}

static int wl_do_run(struct wl_helper *h)
{
	return memlab_workload_run(h->wl, h->text);
}

static int wl_do_trace(struct wl_helper *h)
{
	return memlab_workload_trace_write(h->wl, h->text, strlen(h->text), false);
}

static int wl_do_show(struct wl_helper *h)
{
	return memlab_workload_show(h->wl, &h->seq);
}

static int wl_do_trace_show(struct wl_helper *h)
{
	return memlab_workload_trace_show(h->wl, &h->seq);
}

/* Holds the runner's state lock, as a reader in the middle of its read does. */
static int wl_do_hold_lock(struct wl_helper *h)
{
	mutex_lock(&h->wl->lock);
	if (h->hold_ms)
		msleep(h->hold_ms);
	else
		wait_for_completion(&h->release);
	mutex_unlock(&h->wl->lock);
	return 0;
}

/*
 * Start a long run (@line) in a helper, and return once it is really
 * running: its first allocation has left the LMM (its set-up, 16 MB of
 * timings on a debug kernel, can take longer than any fixed sleep), then
 * 50 ms more.
 */
static void wl_long_run_start(struct kunit *test, struct wl_helper *h, struct wl_fixture *fx,
			      const char *line)
{
	unsigned int i;

	wl_helper_start(test, h, &fx->ml.wl, wl_do_run, line);
	for (i = 0; i < 1000 && lmm_avail(&fx->ml.lmm, 0) == WK_ARENA &&
	     !completion_done(&h->done); i++)
		msleep(20);
	msleep(50);
}

/*
 * Expect a trace chunk and a run written while a reader holds the state
 * lock to wait for it, not to fail with -EBUSY; and a trace chunk written
 * during a run to wait for the run.
 */
static void workload_writers_wait(struct kunit *test)
{
	struct wl_fixture *fx;
	struct memlab_workload *wl;
	struct wl_helper *reader = kunit_kzalloc(test, sizeof(*reader), GFP_KERNEL);
	struct wl_helper *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	struct wl_helper *writer = kunit_kzalloc(test, sizeof(*writer), GFP_KERNEL);
	u64 t0;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;

	KUNIT_ASSERT_NOT_NULL(test, reader);
	KUNIT_ASSERT_NOT_NULL(test, run);
	KUNIT_ASSERT_NOT_NULL(test, writer);

	reader->hold_ms = 100;
	wl_helper_start(test, reader, wl, wl_do_hold_lock, NULL);
	msleep(20);
	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, memlab_workload_trace_write(wl, "alloc 1 16\n", 11, false), 0);
	KUNIT_EXPECT_GE(test, ktime_get_ns() - t0, 50 * NSEC_PER_MSEC);
	wl_helper_reap(reader);
	KUNIT_EXPECT_EQ(test, wl->nr_trace, 1);

	reader->hold_ms = 100;
	wl_helper_start(test, reader, wl, wl_do_hold_lock, NULL);
	msleep(20);
	KUNIT_EXPECT_EQ(test, memlab_workload_run(wl, "layer=slice ops=100 seed=1"), 0);
	wl_helper_reap(reader);

	/* a trace chunk during a run waits for the run, then goes in */
	wl_long_run_start(test, run, fx, WK_LONG_RUN);
	wl_helper_start(test, writer, wl, wl_do_trace, "free 1\n");
	msleep(50);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&writer->done),
			       "the trace write returned %d during the run",
			       READ_ONCE(writer->ret));
	send_sig(SIGKILL, run->task, 1);
	wl_helper_reap(run);
	wl_helper_reap(writer);
	KUNIT_EXPECT_EQ(test, writer->ret, 0);
	KUNIT_EXPECT_EQ(test, wl->nr_trace, 2);
	wl_fixture_expect_clean(test, fx);
}

/*
 * Expect a reader blocked on the state lock to be stopped by SIGKILL with
 * -EINTR, for the result and for the trace summary.
 */
static void workload_readers_interruptible(struct kunit *test)
{
	struct wl_fixture *fx;
	struct memlab_workload *wl;
	struct wl_helper *holder = kunit_kzalloc(test, sizeof(*holder), GFP_KERNEL);
	struct wl_helper *reader = kunit_kzalloc(test, sizeof(*reader), GFP_KERNEL);
	static wl_helper_fn * const readers[] = { wl_do_show, wl_do_trace_show };
	unsigned int i;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;

	KUNIT_ASSERT_NOT_NULL(test, holder);
	KUNIT_ASSERT_NOT_NULL(test, reader);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		bool stopped;

		wl_helper_start(test, holder, wl, wl_do_hold_lock, NULL);
		wl_helper_start(test, reader, wl, readers[i], NULL);
		msleep(20);
		KUNIT_EXPECT_FALSE(test, completion_done(&reader->done));
		send_sig(SIGKILL, reader->task, 1);
		stopped = wait_for_completion_timeout(&reader->done, 2 * HZ);
		KUNIT_EXPECT_TRUE_MSG(test, stopped, "reader %u still asleep 2 s after SIGKILL", i);
		complete(&holder->release);
		wl_helper_reap(holder);
		wl_helper_reap(reader);
		KUNIT_EXPECT_EQ_MSG(test, reader->ret, -EINTR, "reader %u", i);
	}
}

/*
 * Expect a reader during a long run to return at once with the last result
 * and a "running:" line, while the run goes on.
 */
static void workload_reader_during_run(struct kunit *test)
{
	struct wl_fixture *fx;
	struct wl_helper *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	struct wl_helper *reader = kunit_kzalloc(test, sizeof(*reader), GFP_KERNEL);
	bool returned;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);

	KUNIT_ASSERT_NOT_NULL(test, run);
	KUNIT_ASSERT_NOT_NULL(test, reader);
	wl_long_run_start(test, run, fx, WK_LONG_RUN);
	wl_helper_start(test, reader, &fx->ml.wl, wl_do_show, NULL);
	returned = wait_for_completion_timeout(&reader->done, HZ / 2);
	KUNIT_EXPECT_TRUE_MSG(test, returned, "the reader waited more than 500 ms for the run");
	KUNIT_EXPECT_FALSE(test, completion_done(&run->done));
	send_sig(SIGKILL, run->task, 1);
	wl_helper_reap(run);
	wl_helper_reap(reader);
	KUNIT_EXPECT_EQ(test, reader->ret, 0);
	reader->seq.buf[min(reader->seq.count, reader->seq.size - 1)] = '\0';
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(reader->seq.buf, "running: "), "read: %s",
				  reader->seq.buf);
	wl_fixture_expect_clean(test, fx);
}

/*
 * Expect SIGKILL to stop a 2M-operation run within a second: the write
 * returns -EINTR, the result says the run was interrupted, and everything
 * the run allocated is freed.
 */
static void workload_run_stops_on_signal(struct kunit *test)
{
	struct wl_fixture *fx;
	struct wl_helper *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	u64 t0, ms;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);

	KUNIT_ASSERT_NOT_NULL(test, run);
	wl_long_run_start(test, run, fx, WK_LONG_RUN);
	t0 = ktime_get_ns();
	send_sig(SIGKILL, run->task, 1);
	wl_helper_reap(run);
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	/* the whole run takes some 10 s in UML: stopping must come well before */
	KUNIT_EXPECT_LT_MSG(test, ms, 5000, "the run went on for %llu ms after SIGKILL", ms);
	KUNIT_EXPECT_EQ(test, run->ret, -EINTR);
	KUNIT_EXPECT_TRUE(test, fx->ml.wl.report->figures.interrupted);
	KUNIT_EXPECT_NOT_NULL(test, strnstr(fx->ml.wl.report->text, "\ninterrupted: ",
					    fx->ml.wl.report->len));
	wl_fixture_expect_clean(test, fx);
}

/* Every id of the trace's live table with its value. */
static unsigned long wl_live_snapshot(struct memlab_workload *wl, unsigned long *ids,
				      unsigned long *vals, unsigned long max)
{
	unsigned long i, n = 0;
	void *e;

	xa_for_each(&wl->trace_live, i, e) {
		if (n < max) {
			ids[n] = i;
			vals[n] = xa_to_value(e);
		}
		n++;
	}
	return n;
}

/*
 * A trace limited to 8 operations holds 6:
 *   alloc 1 100, alloc 2 200, alloc 3 300, free 2, alloc 4 400, free 4
 * (live: 1 and 3).  The chunk "free 1 / alloc 5 500 / alloc 6 600" reaches
 * the limit at its third line.  Expect -E2BIG and the trace exactly as it
 * was: 6 operations, ids 1 (size 100) and 3 (size 300) live, the unfinished
 * line kept; then "alloc 6" and "free 1" accepted as before.
 */
static void workload_trace_refused_chunk_restores_state(struct kunit *test)
{
	static const char first[] = "alloc 1 100\nalloc 2 200\nalloc 3 300\nfree 2\n"
				    "alloc 4 400\nfree 4\nal";
	static const char second[] = "loc 9 900\nfree 1\nalloc 5 500\nalloc 6 600\n";
	struct memlab_workload *wl = kunit_kzalloc(test, sizeof(*wl), GFP_KERNEL);
	unsigned long ids0[8], vals0[8], ids[8], vals[8], n0, n;

	KUNIT_ASSERT_NOT_NULL(test, wl);
	memlab_workload_init(wl, NULL);
	wl->trace_max = 8;
	KUNIT_ASSERT_EQ(test, memlab_workload_trace_write(wl, first, strlen(first), false), 0);
	KUNIT_ASSERT_EQ(test, wl->nr_trace, 6);
	n0 = wl_live_snapshot(wl, ids0, vals0, ARRAY_SIZE(ids0));
	KUNIT_ASSERT_EQ(test, n0, 2);

	KUNIT_EXPECT_EQ(test, memlab_workload_trace_write(wl, second, strlen(second), false),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, wl->nr_trace, 6);
	KUNIT_EXPECT_EQ(test, wl->partial_len, 2);
	n = wl_live_snapshot(wl, ids, vals, ARRAY_SIZE(ids));
	KUNIT_EXPECT_EQ(test, n, n0);
	for (n = 0; n < min(n0, ARRAY_SIZE(ids)); n++) {
		KUNIT_EXPECT_EQ(test, ids[n], ids0[n]);
		KUNIT_EXPECT_EQ_MSG(test, vals[n], vals0[n], "id %lu", ids0[n]);
	}
	KUNIT_EXPECT_EQ(test, memlab_workload_trace_write(wl, "loc 6 600\nfree 1\n", 17, false),
			0);
	KUNIT_EXPECT_EQ(test, wl->nr_trace, 8);
	memlab_workload_exit(wl);
}

/*
 * After a threaded run of @ops operations per thread, expect the rows to
 * add up to the totals, every step counted once (N x @ops operations),
 * every successful allocation freed during the run or still live at its
 * end, and with xfree every free done by the other thread - on another CPU
 * too when the threads were bound to different CPUs.
 */
static void wl_expect_figures(struct kunit *test, struct memlab_workload *wl,
			      unsigned int threads, unsigned long ops, bool xfree)
{
	const struct memlab_wl_figures *f = &wl->report->figures;
	const struct memlab_wl_thread_figures *t = &f->total;
	struct memlab_wl_thread_figures sum = { };
	bool distinct_cpus = true;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, f->nr_threads, threads);
	KUNIT_EXPECT_FALSE(test, f->interrupted);
	for (i = 0; i < threads; i++) {
		const struct memlab_wl_thread_figures *g = &f->thread[i];

		sum.ops += g->ops;
		sum.allocs += g->allocs;
		sum.frees += g->frees;
		sum.failures += g->failures;
		sum.other_thread += g->other_thread;
		sum.other_cpu += g->other_cpu;
		KUNIT_EXPECT_EQ(test, g->ops, g->allocs + g->frees);
		KUNIT_EXPECT_GT_MSG(test, g->allocs, 0, "thread %u", i);
		if (xfree)
			KUNIT_EXPECT_GT_MSG(test, g->frees, 0, "thread %u", i);
		distinct_cpus &= g->cpu >= 0 && (i == 0 || g->cpu != f->thread[i - 1].cpu);
	}
	KUNIT_EXPECT_EQ(test, sum.ops, t->ops);
	KUNIT_EXPECT_EQ(test, sum.allocs, t->allocs);
	KUNIT_EXPECT_EQ(test, sum.frees, t->frees);
	KUNIT_EXPECT_EQ(test, sum.failures, t->failures);
	KUNIT_EXPECT_EQ(test, sum.other_thread, t->other_thread);
	KUNIT_EXPECT_EQ(test, sum.other_cpu, t->other_cpu);
	KUNIT_EXPECT_EQ(test, t->ops, threads * ops);
	KUNIT_EXPECT_EQ(test, t->allocs - t->failures, t->frees + f->live_at_end);
	KUNIT_EXPECT_LE(test, t->other_cpu, t->frees);
	if (xfree) {
		KUNIT_EXPECT_EQ(test, t->other_thread, t->frees);
		if (distinct_cpus && num_online_cpus() >= threads)
			KUNIT_EXPECT_EQ(test, t->other_cpu, t->frees);
		KUNIT_EXPECT_NOT_NULL(test, strnstr(wl->report->text, "\nxfree: ",
						    wl->report->len));
	} else {
		KUNIT_EXPECT_EQ(test, t->other_thread, 0);
	}
	KUNIT_EXPECT_NOT_NULL(test, strnstr(wl->report->text, "\nthreads: ", wl->report->len));
}

/*
 * Two threads pass every object they allocate to the other, which frees
 * it (then four threads, each passing to the next, holding what is live):
 *
 *   thread 0 --objects--> inbox of thread 1 --frees
 *      ^                                         |
 *      +---- frees -- inbox of thread 0 <--objects
 *
 * Expect the figures to add up (wl_expect_figures()), the hold=1 run to
 * hold what was live at its end, and afterwards the generic allocator's
 * pools, the pages instance and the LMM to validate, with every byte back
 * in the LMM.
 */
static void workload_threads_figures_add_up(struct kunit *test)
{
	static const char * const lines[] = {
		"layer=slice ops=1000 seed=5 size=16-2048 threads=2 xfree=1",
		"layer=lmm ops=400 seed=8 size=16-512 free=keep:50 threads=4 xfree=1 hold=1",
	};
	struct wl_fixture *fx;
	struct memlab_workload *wl;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, lines[0]), 0);
	wl_expect_figures(test, wl, 2, 1000, true);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, lines[1]), 0);
	wl_expect_figures(test, wl, 4, 400, true);
	KUNIT_EXPECT_EQ(test, wl->report->figures.live_at_end, 4 * 50);
	KUNIT_EXPECT_EQ(test, wl->nr_held, 4 * 50);
	KUNIT_EXPECT_EQ(test, memlab_workload_run(wl, "free"), 0);
	KUNIT_EXPECT_EQ(test, wl->nr_held, 0);
	wl_fixture_expect_clean(test, fx);
}

/*
 * The same over every layer: three xfree threads on the mix (lmm, pages
 * and generic objects, FIFO frees), then two threads on pages, each freeing
 * its own.  Expect the figures to add up and everything to validate.
 */
static void workload_threads_every_layer(struct kunit *test)
{
	static const char * const lines[] = {
		"layer=mix ops=2000 seed=6 size=16-8192 free=fifo threads=3 xfree=1",
		"layer=pages ops=2000 seed=7 size=4K-16K free=lifo threads=2",
	};
	struct wl_fixture *fx;
	struct memlab_workload *wl;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, lines[0]), 0);
	wl_expect_figures(test, wl, 3, 2000, true);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, lines[1]), 0);
	wl_expect_figures(test, wl, 2, 2000, false);
	wl_fixture_expect_clean(test, fx);
}

/*
 * layer=vm: areas of 1 to 64 pages from the fixture's VM instance, one
 * thread then two with xfree (every vm_free on the other thread); held
 * areas are the VM instance's live areas, a stack=1 run keeps them (and
 * adds its own with hold=1), and "free" gives them back.
 * Then a mix whose large generic draws go to vm: some vm areas among them.
 * After each, the figures add up and every validator, vm's included, is
 * clean with everything back in the LMM.
 */
static void workload_vm_layer(struct kunit *test)
{
	static const char xfree[] = "layer=vm ops=200 seed=8 size=1-65536 threads=2 xfree=1 hold=1";
	static const char mix[] = "layer=mix ops=400 seed=4 size=16-262144 dist=log";
	struct wl_fixture *fx;
	struct memlab_workload *wl;
	const struct memlab_wl_figures *f;
	struct memlab_vm_stats st;
	unsigned long held;
	u64 before;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=vm ops=200 seed=7 size=4096-262144"),
			0);
	f = &wl->report->figures;	/* the report is swapped at each run */
	KUNIT_EXPECT_EQ(test, f->total.ops, 200);
	KUNIT_EXPECT_EQ(test, f->total.allocs - f->total.failures, f->total.frees + f->live_at_end);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->ml.vm), 0);
	memlab_vm_stats(fx->ml.vm, &st);
	KUNIT_EXPECT_EQ(test, st.allocs + st.failures, f->total.allocs);
	KUNIT_EXPECT_EQ(test, st.failures, f->total.failures);
	KUNIT_EXPECT_GT(test, st.allocs, 0);
	KUNIT_EXPECT_EQ(test, st.frees, st.allocs);
	KUNIT_EXPECT_EQ(test, st.nr_areas, 0);

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, xfree), 0);
	wl_expect_figures(test, wl, 2, 200, true);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->ml.vm), 0);
	memlab_vm_stats(fx->ml.vm, &st);
	KUNIT_EXPECT_GT(test, wl->nr_held, 0);
	KUNIT_EXPECT_EQ(test, st.nr_areas, wl->nr_held);
	KUNIT_EXPECT_EQ(test, st.nr_areas, wl->report->figures.live_at_end);
	/* stack=1: the held areas stay; with hold=1 the new one joins them */
	held = wl->nr_held;
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=vm ops=1 size=8192 stack=1"), 0);
	KUNIT_EXPECT_EQ(test, wl->nr_held, held);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=vm ops=1 size=8192 stack=1 hold=1"),
			0);
	KUNIT_EXPECT_EQ(test, wl->nr_held, held + 1);
	memlab_vm_stats(fx->ml.vm, &st);
	KUNIT_EXPECT_EQ(test, st.nr_areas, held + 1);
	KUNIT_EXPECT_EQ(test, memlab_vm_check(fx->ml.vm), 0);
	KUNIT_EXPECT_EQ(test, memlab_workload_run(wl, "free"), 0);
	memlab_vm_stats(fx->ml.vm, &st);
	KUNIT_EXPECT_EQ(test, st.nr_areas, 0);
	before = st.allocs + st.failures;

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, mix), 0);
	f = &wl->report->figures;
	KUNIT_EXPECT_EQ(test, f->total.ops, 400);
	memlab_vm_stats(fx->ml.vm, &st);
	KUNIT_EXPECT_GT_MSG(test, st.allocs + st.failures, before,
			    "the mix's large generic draws go to vm");
	KUNIT_EXPECT_LT(test, st.allocs + st.failures - before, f->total.allocs);
	wl_fixture_expect_clean(test, fx);
}

static u32 wl_hist_sum(const u32 *h)
{
	unsigned int b;
	u32 n = 0;

	for (b = 0; b < MEMLAB_WL_HIST_BUCKETS; b++)
		n += h[b];
	return n;
}

/*
 * sample=N on the fixture.  An LMM run of 2000 64-byte operations with
 * sample=100: expect 20 samples at operations 100, 200, ... 2000, the last
 * one's live bytes and objects those of the run's end, failures never
 * going down, and at every sample the LMM's free bytes plus the live
 * bytes equal to the whole arena (the run is the LMM's only user).  A mix
 * of 1000 with sample=7: 142 samples.  A replay of a 10-operation trace
 * with sample=3: 3 samples; with sample=11 refused (-EINVAL), the result
 * and samples untouched.  A run without sample= leaves none.  The latency
 * histograms count every allocation and free of the run.
 */
static void workload_samples(struct kunit *test)
{
	static const char trace[] = "alloc 1 100\nalloc 2 200\nfree 1\nalloc 3 300\nalloc 4 64\n"
				    "free 2\nfree 3\nalloc 5 500\nfree 4\nfree 5\n";
	struct wl_fixture *fx;
	struct memlab_workload *wl;
	const struct memlab_wl_figures *f;
	const struct memlab_wl_samples *smp;
	const struct memlab_wl_report *rep;
	unsigned long i;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=lmm ops=2000 size=64 sample=100"), 0);
	f = &wl->report->figures;
	smp = wl->samples;
	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_EXPECT_EQ(test, smp->every, 100);
	KUNIT_ASSERT_EQ(test, smp->nr, 20);
	for (i = 0; i < smp->nr; i++) {
		const struct memlab_wl_sample *x = &smp->s[i];

		KUNIT_EXPECT_EQ_MSG(test, x->op, 100 * (i + 1), "sample %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->live_bytes, 64 * x->live_objs, "sample %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, x->frag.lmm_free + x->live_bytes, WK_ARENA,
				    "sample %lu", i);
		if (i)
			KUNIT_EXPECT_GE_MSG(test, x->failures, smp->s[i - 1].failures,
					    "sample %lu", i);
	}
	KUNIT_EXPECT_EQ(test, smp->s[19].live_objs, f->live_at_end);
	KUNIT_EXPECT_EQ(test, smp->s[19].failures, f->total.failures);
	KUNIT_EXPECT_EQ(test, wl_hist_sum(f->alloc_hist), f->total.allocs);
	KUNIT_EXPECT_EQ(test, wl_hist_sum(f->free_hist), f->total.frees);
	KUNIT_EXPECT_EQ(test, f->total.allocs + f->total.frees, 2000);

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=mix ops=1000 seed=4 sample=7"), 0);
	smp = wl->samples;
	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_EXPECT_EQ(test, smp->nr, 1000 / 7);
	KUNIT_EXPECT_EQ(test, smp->s[smp->nr - 1].op, 1000 / 7 * 7);

	KUNIT_ASSERT_EQ(test, memlab_workload_trace_write(wl, trace, strlen(trace), false), 0);
	KUNIT_ASSERT_EQ(test, wl->nr_trace, 10);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "replay layer=slice sample=3"), 0);
	smp = wl->samples;
	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_ASSERT_EQ(test, smp->nr, 3);
	KUNIT_EXPECT_EQ(test, smp->s[0].op, 3);
	KUNIT_EXPECT_EQ(test, smp->s[2].op, 9);
	/* live after operation 3: id 2; after 6: ids 3 and 4; after 9: id 5 */
	KUNIT_EXPECT_EQ(test, smp->s[0].live_objs, 1);
	KUNIT_EXPECT_EQ(test, smp->s[0].live_bytes, 200);
	KUNIT_EXPECT_EQ(test, smp->s[1].live_objs, 2);
	KUNIT_EXPECT_EQ(test, smp->s[1].live_bytes, 364);
	KUNIT_EXPECT_EQ(test, smp->s[2].live_objs, 1);
	KUNIT_EXPECT_EQ(test, smp->s[2].live_bytes, 500);
	rep = wl->report;
	KUNIT_EXPECT_EQ(test, memlab_workload_run(wl, "replay layer=slice sample=11"), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, wl->report, rep);
	KUNIT_EXPECT_PTR_EQ(test, wl->samples, smp);

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "layer=slice ops=100 seed=4"), 0);
	KUNIT_EXPECT_NULL(test, wl->samples);
	wl_fixture_expect_clean(test, fx);
}

/*
 * Expect SIGKILL to the writer of a four-thread xfree run of 2M operations
 * to stop every thread within a second, with -EINTR, the result marked
 * interrupted, and nothing left allocated or in flight.
 */
static void workload_threads_stop_on_signal(struct kunit *test)
{
	struct wl_fixture *fx;
	struct wl_helper *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	u64 t0, ms;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);

	KUNIT_ASSERT_NOT_NULL(test, run);
	wl_long_run_start(test, run, fx,
			  "layer=mix ops=500000 seed=9 size=16-2048 threads=4 xfree=1");
	t0 = ktime_get_ns();
	send_sig(SIGKILL, run->task, 1);
	wl_helper_reap(run);
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	KUNIT_EXPECT_LT_MSG(test, ms, 5000, "the threads went on for %llu ms after SIGKILL", ms);
	KUNIT_EXPECT_EQ(test, run->ret, -EINTR);
	KUNIT_EXPECT_TRUE(test, fx->ml.wl.report->figures.interrupted);
	KUNIT_EXPECT_EQ(test, fx->ml.wl.report->figures.nr_threads, 4);
	wl_fixture_expect_clean(test, fx);
}

/* memlab's own counters, to show that a kernel peer's run leaves them alone. */
struct wl_memlab_counts {
	u64 lmm_allocs, lmm_frees, pages_allocs, pages_frees, slice_allocs, slice_frees;
	size_t lmm_free;
};

static void wl_memlab_counts(struct memlab *ml, struct wl_memlab_counts *c)
{
	struct memlab_pages_stats *ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	struct memlab_slice_stats ss;
	struct lmm_stats ls;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	lmm_stats(&ml->lmm, &ls);
	c->lmm_allocs = ls.allocs;
	c->lmm_frees = ls.frees;
	c->lmm_free = ls.free_bytes;
	if (ps) {
		memlab_pages_stats(ml->pages, ps);
		c->pages_allocs = ps->allocs;
		c->pages_frees = ps->frees;
		kfree(ps);
	}
	for (i = 0; i < memlab_generic_nr_pools(ml->generic); i++) {
		memlab_slice_stats(memlab_generic_pool(ml->generic, i), &ss);
		c->slice_allocs += ss.allocs;
		c->slice_frees += ss.frees;
	}
}

/* The number after @key in the last result, or -1. */
static long wl_result_value(struct memlab_workload *wl, const char *key)
{
	const char *at = strnstr(wl->report->text, key, wl->report->len);
	long v;

	if (!at || sscanf(at + strlen(key), "%ld", &v) != 1)
		return -1;
	return v;
}

/*
 * Kernel peers: the same seed on memlab's generic allocator and on kmalloc,
 * on memlab's pages and on alloc_pages, with no failure: the same
 * operations, with memlab's counters untouched by the peers' runs.  The
 * kmalloc footprint lines are there (granted bytes at least the requested
 * peak); pages_kernel's pages held equal its peak bytes.  Then two xfree
 * threads on each peer, a replay of a small trace on each, and a run the
 * arena-sized budget cuts short: failures, and a peak within the arena.
 */
static void workload_kernel_peers(struct kunit *test)
{
	static const struct {
		const char *memlab, *peer;
	} pairs[] = {
		{ "layer=slice ops=2000 seed=21 size=16-4096",
		  "layer=kmalloc ops=2000 seed=21 size=16-4096" },
		{ "layer=pages ops=2000 seed=22 size=4K-32K free=keep:200",
		  "layer=pages_kernel ops=2000 seed=22 size=4K-32K free=keep:200" },
	};
	static const char kx[] = "layer=kmalloc ops=1000 seed=5 size=16-2048 threads=2 xfree=1";
	static const char px[] = "layer=pages_kernel ops=1000 seed=5 size=4K-32K threads=2 xfree=1";
	static const char big[] = "layer=kmalloc ops=200 seed=3 size=1M free=keep:64";
	static const char trace[] =
		"alloc 1 100\nalloc 2 5000\nfree 1\nalloc 3 64\nalloc 4 70000\nfree 2\nfree 4\n";
	struct memlab_wl_thread_figures first;
	struct wl_memlab_counts before, after;
	const struct memlab_wl_figures *f;
	struct wl_fixture *fx;
	struct memlab_workload *wl;
	unsigned long live;
	unsigned int i;

	memlab_kunit_need_slow(test);
	fx = wl_fixture_create(test);
	wl = &fx->ml.wl;
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, pairs[i].memlab), 0);
		f = &wl->report->figures;
		first = f->total;
		live = f->live_at_end;
		KUNIT_ASSERT_EQ_MSG(test, first.failures, 0, "%s", pairs[i].memlab);
		/* the slabs the run emptied reach the pages layer after a grace period */
		rcu_barrier();
		wl_memlab_counts(&fx->ml, &before);
		KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, pairs[i].peer), 0);
		wl_memlab_counts(&fx->ml, &after);
		f = &wl->report->figures;
		KUNIT_EXPECT_EQ_MSG(test, f->total.failures, 0, "%s", pairs[i].peer);
		KUNIT_EXPECT_EQ(test, f->total.ops, first.ops);
		KUNIT_EXPECT_EQ(test, f->total.allocs, first.allocs);
		KUNIT_EXPECT_EQ(test, f->total.frees, first.frees);
		KUNIT_EXPECT_EQ(test, f->live_at_end, live);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&before, &after, sizeof(before)), 0,
				    "%s touched memlab's layers", pairs[i].peer);
	}
	/* pages_kernel's pages held are its peak bytes in pages */
	KUNIT_EXPECT_EQ(test, wl_result_value(wl, "\npeer_pages_peak: "),
			wl_result_value(wl, "\npeak_live: ") >> PAGE_SHIFT);
	KUNIT_EXPECT_GT(test, wl_result_value(wl, "\npeer_pages_peak: "), 0);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, pairs[0].peer), 0);
	KUNIT_EXPECT_GE(test, wl_result_value(wl, "\npeer_granted_peak: "),
			wl_result_value(wl, "\npeak_live: "));
	KUNIT_EXPECT_GE(test, wl_result_value(wl, "\npeer_slab_peak: "), 0);

	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, kx), 0);
	wl_expect_figures(test, wl, 2, 1000, true);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, px), 0);
	wl_expect_figures(test, wl, 2, 1000, true);

	KUNIT_ASSERT_EQ(test, memlab_workload_trace_write(wl, trace, strlen(trace), true), 0);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "replay layer=kmalloc"), 0);
	KUNIT_EXPECT_EQ(test, wl->report->figures.total.ops, 7);
	KUNIT_EXPECT_EQ(test, wl->report->figures.total.failures, 0);
	KUNIT_EXPECT_EQ(test, wl->report->figures.live_at_end, 1);
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, "replay layer=pages_kernel"), 0);
	KUNIT_EXPECT_EQ(test, wl->report->figures.total.ops, 7);
	KUNIT_EXPECT_EQ(test, wl->report->figures.total.failures, 0);
	KUNIT_EXPECT_EQ(test, wl_result_value(wl, "\npeer_pages_peak: "), 2 + 1 + 32);

	/* 1 MiB objects, up to 64 of them live: the budget (the 8 MiB arena) says no */
	KUNIT_ASSERT_EQ(test, memlab_workload_run(wl, big), 0);
	KUNIT_EXPECT_GT(test, wl->report->figures.total.failures, 0);
	KUNIT_EXPECT_LE(test, wl_result_value(wl, "\npeak_live: "), WK_ARENA);
	KUNIT_EXPECT_GT(test, wl_result_value(wl, "\npeak_live: "), WK_ARENA / 2);
	wl_fixture_expect_clean(test, fx);
}

static struct kunit_case memlab_observe_cases[] = {
	KUNIT_CASE(wl_parse_full_spec),
	KUNIT_CASE(wl_parse_defaults_and_commands),
	KUNIT_CASE_PARAM(wl_parse_refuses, bad_spec_gen_params),
	KUNIT_CASE(wl_parse_threads_xfree),
	KUNIT_CASE(wl_parse_trace_lines),
	KUNIT_CASE(wl_parse_sample),
	KUNIT_CASE(wl_hist_buckets),
	KUNIT_CASE(extfrag_permille_values),
	KUNIT_CASE(lmm_histogram_bins),
	KUNIT_CASE(map_of_constructed_arena),
	KUNIT_CASE(map_shows_vm_areas),
	KUNIT_CASE(map_check_bpc_limits),
	KUNIT_CASE(map_row_spans_many_chunks),
	KUNIT_CASE_SLOW(map_row_time_at_1m_extents),
	KUNIT_CASE_SLOW(map_at_1g_pages),
	KUNIT_CASE_SLOW(workload_writers_wait),
	KUNIT_CASE_SLOW(workload_readers_interruptible),
	KUNIT_CASE_SLOW(workload_reader_during_run),
	KUNIT_CASE_SLOW(workload_run_stops_on_signal),
	KUNIT_CASE(workload_trace_refused_chunk_restores_state),
	KUNIT_CASE_SLOW(workload_threads_figures_add_up),
	KUNIT_CASE_SLOW(workload_vm_layer),
	KUNIT_CASE_SLOW(workload_threads_every_layer),
	KUNIT_CASE_SLOW(workload_threads_stop_on_signal),
	KUNIT_CASE_SLOW(workload_samples),
	KUNIT_CASE_SLOW(workload_kernel_peers),
	{}
};

static struct kunit_suite memlab_observe_suite = {
	.name = "memlab_observe",
	.test_cases = memlab_observe_cases,
};

kunit_test_suites(&memlab_observe_suite);
