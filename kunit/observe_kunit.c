// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_observe": the pure parts of the debugfs observatory -
 * workload spec and trace parsing, fragmentation arithmetic, and the arena
 * map of a constructed arena.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "arena/map.h"
#include "arena/workload.h"
#include "kunit/memlab_kunit.h"

/* ---- spec parsing -------------------------------------------------------------- */

static void wl_parse_full_spec(struct kunit *test)
{
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=lmm ops=5 seed=3 size=16-64 dist=log free=keep:10 align=4 range=4K-8K low=1 hold=1\n",
					      &s), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, WL_CMD_RUN);
	KUNIT_EXPECT_EQ(test, s.layer, WL_LMM);
	KUNIT_EXPECT_EQ(test, s.ops, 5);
	KUNIT_EXPECT_EQ(test, s.seed, 3);
	KUNIT_EXPECT_EQ(test, s.size_min, 16);
	KUNIT_EXPECT_EQ(test, s.size_max, 64);
	KUNIT_EXPECT_EQ(test, s.dist, WL_DIST_LOG);
	KUNIT_EXPECT_EQ(test, s.free, WL_FREE_KEEP);
	KUNIT_EXPECT_EQ(test, s.keep, 10);
	KUNIT_EXPECT_EQ(test, s.align, 4);
	KUNIT_EXPECT_EQ(test, s.range_lo, 4096);
	KUNIT_EXPECT_EQ(test, s.range_hi, 8192);
	KUNIT_EXPECT_TRUE(test, s.low);
	KUNIT_EXPECT_TRUE(test, s.hold);
}

static void wl_parse_defaults_and_commands(struct kunit *test)
{
	struct memlab_wl_spec s;

	KUNIT_ASSERT_EQ(test, memlab_wl_parse("layer=slice", &s), 0);
	KUNIT_EXPECT_EQ(test, s.ops, 10000);
	KUNIT_EXPECT_EQ(test, s.seed, 1);
	KUNIT_EXPECT_EQ(test, s.size_min, 16);
	KUNIT_EXPECT_EQ(test, s.size_max, 4096);
	KUNIT_EXPECT_EQ(test, s.free, WL_FREE_RANDOM);
	KUNIT_EXPECT_FALSE(test, s.hold);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("  layer=pages   size=8K free=fifo ", &s), 0);
	KUNIT_EXPECT_EQ(test, s.size_min, 8192);
	KUNIT_EXPECT_EQ(test, s.size_max, 8192);
	KUNIT_EXPECT_EQ(test, s.free, WL_FREE_FIFO);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("replay layer=mix hold=1", &s), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, WL_CMD_REPLAY);
	KUNIT_EXPECT_EQ(test, s.layer, WL_MIX);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("free\n", &s), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, WL_CMD_FREE);
	KUNIT_ASSERT_EQ(test, memlab_wl_parse("shrink", &s), 0);
	KUNIT_EXPECT_EQ(test, s.cmd, WL_CMD_SHRINK);
}

static const char * const bad_specs[] = {
	"", "ops=100", "layer=slab", "layer=lmm ops=0", "layer=lmm ops=-1", "layer=lmm ops=abc",
	"layer=lmm ops=2000001", "layer=lmm size=0", "layer=lmm size=64-16", "layer=lmm size=8M",
	"layer=lmm size=1-", "layer=lmm dist=normal", "layer=lmm free=keep:0",
	"layer=lmm free=keep:", "layer=lmm free=keep:65537", "layer=lmm free=stack",
	"layer=lmm align=23", "layer=pages align=3", "layer=slice range=0-4K",
	"layer=lmm range=4K-4K", "layer=lmm low=maybe", "layer=lmm bogus=1", "layer=lmm seed",
	"free layer=lmm", "layer=lmm ops=10 extra",
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

	KUNIT_EXPECT_EQ(test, memlab_wl_parse(*line, &s), -EINVAL);
}

static void wl_parse_trace_lines(struct kunit *test)
{
	struct wl_trace_op op;
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
	KUNIT_EXPECT_LT(test, worst, 1000ULL * 1000);
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
	KUNIT_EXPECT_LT(test, worst, 1000ULL * 1000);
	for (i = 1; i < nr; i += 2)
		KUNIT_EXPECT_EQ(test, memlab_put_pages(mp, pages[i]), 0);
	KUNIT_EXPECT_EQ(test, memlab_pages_destroy(mp), 0);
	KUNIT_EXPECT_EQ(test, lmm_avail(pool, 0), size);
	lmm_destroy(pool);
	kvfree(pages);
	vfree(raw);
}

static struct kunit_case memlab_observe_cases[] = {
	KUNIT_CASE(wl_parse_full_spec),
	KUNIT_CASE(wl_parse_defaults_and_commands),
	KUNIT_CASE_PARAM(wl_parse_refuses, bad_spec_gen_params),
	KUNIT_CASE(wl_parse_trace_lines),
	KUNIT_CASE(extfrag_permille_values),
	KUNIT_CASE(lmm_histogram_bins),
	KUNIT_CASE(map_of_constructed_arena),
	KUNIT_CASE(map_check_bpc_limits),
	KUNIT_CASE(map_row_spans_many_chunks),
	KUNIT_CASE_SLOW(map_row_time_at_1m_extents),
	KUNIT_CASE_SLOW(map_at_1g_pages),
	{}
};

static struct kunit_suite memlab_observe_suite = {
	.name = "memlab_observe",
	.test_cases = memlab_observe_cases,
};

kunit_test_suites(&memlab_observe_suite);
