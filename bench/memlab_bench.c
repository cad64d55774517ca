// SPDX-License-Identifier: GPL-2.0
/*
 * memlab_bench.ko: memlab's layers beside the allocators a kernel developer
 * would otherwise use, in the same boot.  In the style of lib/test_vmalloc.c:
 * a module of its own that uses only memlab's exported API, runs its cases
 * at load and logs the results as "memlab-bench:" lines, which
 * scripts/bench.sh turns into a table.  Load memlab.ko first.
 *
 * It builds its own stack for the cases, over a vmalloc buffer of
 * @arena_mb: an LMM pool, a pages instance, a generic allocator and a VM
 * allocator.  memlab.ko's own instance is not touched.
 *
 * Method.  Each case is a pair of loops, memlab's and its peer's.  Each loop
 * is calibrated to take about @target_ms per repetition and warmed up once;
 * then the repetitions alternate, memlab then peer, so that a drift of the
 * machine lands on both sides of every ratio.  The ratio of a row is the
 * median of the per-repetition ratios, with their min-max.  The whole table
 * is run @runs times; a row's final figures pool the repetitions of all
 * runs, and a row whose runs' median ratios lie on both sides of 1.0 is
 * reported as inconclusive rather than quoted (a single disturbed
 * repetition shows in the min-max, not in the verdict).  The cases run in
 * a kthread bound to one CPU.  Preemption stays enabled (the peers
 * allocate with GFP_KERNEL, which may sleep); in an otherwise idle guest
 * interrupts show in the spread.
 */

#define pr_fmt(fmt) "memlab-bench: " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/cpumask.h>
#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/maple_tree.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include "common/frag.h"
#include "common/memlab_export.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "vm/vm.h"

#define BENCH_BATCH	64
#define BENCH_MAX_RUNS	5
#define BENCH_MAX_REPS	15
#define BENCH_MAX_ROWS	96
#define BENCH_ORDER	10	/* the pages instance's max order: 4 MiB blocks */

/* ---- parameters ------------------------------------------------------------ */

static unsigned int runs = 3;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "times the whole table runs, 1-5 (default 3)");

static unsigned int reps = 7;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each loop per run, 3-15 (default 7)");

static unsigned int target_ms = 5;
module_param(target_ms, uint, 0444);
MODULE_PARM_DESC(target_ms, "milliseconds per repetition, 1-100 (default 5)");

static bool smoke;
module_param(smoke, bool, 0444);
MODULE_PARM_DESC(smoke, "a quick run: one run, 3 repetitions of 0.2 ms, the smallest sizes");

static char *cases = "lmm,pages,slice,vm,scale,frag";
module_param(cases, charp, 0444);
MODULE_PARM_DESC(cases,
		 "comma-separated cases: lmm, pages, slice, vm, scale (threads), frag (default all)");

static char *rows = "";
module_param(rows, charp, 0444);
MODULE_PARM_DESC(rows, "only the rows whose name contains this text, '_' for a space (default all)");

static unsigned int scale_batches = 32;
module_param(scale_batches, uint, 0444);
MODULE_PARM_DESC(scale_batches,
		 "batches of 64 each scaling thread runs per repetition, 1-100000 (default 32)");

static unsigned int arena_mb = 256;
module_param(arena_mb, uint, 0444);
MODULE_PARM_DESC(arena_mb, "MiB of the benchmark's own vmalloc buffer, 16-4096 (default 256)");

static unsigned long lmm_extents = 1000000;
module_param(lmm_extents, ulong, 0444);
MODULE_PARM_DESC(lmm_extents,
		 "the largest LMM row's free extents: rows at 100, 10k, 100k and 1M up to it");

/* ---- the stack the cases run on ---------------------------------------------- */

struct bench_env {
	char *buf;
	size_t size;
	struct lmm lmm;
	struct lmm_region reg;
	struct memlab_pages *mp;
	struct memlab_generic *g;
	struct memlab_vm *vm;
};

static const struct memlab_zone_desc bench_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
};

/* ---- measuring ----------------------------------------------------------------- */

typedef void (*bench_fn)(void *ctx, unsigned long n);

/* One row over all runs: picoseconds per operation and ratios x 10000. */
struct bench_row {
	char name[56];
	const char *a, *b;	/* memlab's side, the peer */
	unsigned int nr;
	u64 a_ps[BENCH_MAX_RUNS * BENCH_MAX_REPS];
	u64 b_ps[BENCH_MAX_RUNS * BENCH_MAX_REPS];
	u64 ratio[BENCH_MAX_RUNS * BENCH_MAX_REPS];
	unsigned int nr_runs;
	u64 run_ratio[BENCH_MAX_RUNS];	/* each run's median ratio */
};

static struct bench_row *bench_rows;
static bool bench_stop;		/* insmod got a fatal signal: finish soon */
static unsigned int bench_nr_rows;
static u64 bench_target_ns;

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 bench_once(bench_fn fn, void *ctx, unsigned long n)
{
	u64 t0 = ktime_get_ns();

	fn(ctx, n);
	return ktime_get_ns() - t0;
}

/* Iterations for one repetition of about the target time, after a warm-up. */
static unsigned long bench_calibrate(bench_fn fn, void *ctx)
{
	unsigned long n = 1;
	u64 t;

	for (;;) {
		t = bench_once(fn, ctx, n);
		if (t * 10 >= bench_target_ns || n >= (1UL << 22))
			break;
		n *= 2;
		cond_resched();
	}
	n = max(1UL, (unsigned long)div64_u64((u64)n * bench_target_ns, max(t, 1ULL)));
	bench_once(fn, ctx, n);
	return n;
}

static struct bench_row *bench_row_get(const char *name, const char *a, const char *b)
{
	struct bench_row *row;
	unsigned int i;

	for (i = 0; i < bench_nr_rows; i++)
		if (!strcmp(bench_rows[i].name, name) && bench_rows[i].b == b)
			return &bench_rows[i];
	if (bench_nr_rows == BENCH_MAX_ROWS)
		return NULL;
	row = &bench_rows[bench_nr_rows++];
	strscpy(row->name, name, sizeof(row->name));
	row->a = a;
	row->b = b;
	return row;
}

/*
 * Whether the row @name is to run: the rows= parameter is in its name, each
 * '_' in it matching a space (rows=slice_64_B,_1_thread picks one row).
 */
static bool bench_row_wanted(const char *name)
{
	size_t len = strlen(rows), i;

	for (; strlen(name) >= len; name++) {
		for (i = 0; i < len; i++)
			if (name[i] != rows[i] && !(rows[i] == '_' && name[i] == ' '))
				break;
		if (i == len)
			return true;
	}
	return false;
}

/* One repetition of one side: picoseconds per operation. */
typedef u64 (*bench_rep_fn)(void *ctx);

/*
 * Alternate repetitions of memlab's side @ra and the peer's @rb, add them
 * to @row, and keep this run's median ratio.
 */
static void bench_row_reps(struct bench_row *row, bench_rep_fn ra, void *ca,
			   bench_rep_fn rb, void *cb)
{
	u64 run[BENCH_MAX_REPS];
	unsigned int i, first = row->nr;

	for (i = 0; i < reps && row->nr < ARRAY_SIZE(row->ratio) && !READ_ONCE(bench_stop); i++) {
		u64 ta = ra(ca);
		u64 tb = rb(cb);

		row->a_ps[row->nr] = ta;
		row->b_ps[row->nr] = tb;
		row->ratio[row->nr] = div64_u64(ta * 10000, max(tb, 1ULL));
		row->nr++;
		cond_resched();
	}
	if (row->nr == first || row->nr_runs == BENCH_MAX_RUNS)
		return;
	memcpy(run, &row->ratio[first], (row->nr - first) * sizeof(*run));
	sort(run, row->nr - first, sizeof(*run), cmp_u64, NULL);
	row->run_ratio[row->nr_runs++] = run[(row->nr - first) / 2];
}

/* A loop on the benchmark thread, with its calibrated iteration count. */
struct bench_loop {
	bench_fn fn;
	void *ctx;
	unsigned long n;
};

static u64 bench_loop_rep(void *arg)
{
	struct bench_loop *l = arg;

	return div64_u64(bench_once(l->fn, l->ctx, l->n) * 1000, l->n);
}

/*
 * Measure memlab's loop @fa and the peer's @fb in alternation and add the
 * repetitions to the row @name.
 */
static void bench_pair(const char *name, const char *a, bench_fn fa, void *ca,
		       const char *b, bench_fn fb, void *cb)
{
	struct bench_row *row;
	struct bench_loop la = { fa, ca }, lb = { fb, cb };

	if (!bench_row_wanted(name))
		return;
	row = bench_row_get(name, a, b);
	if (!row) {
		pr_warn("note: more than %d rows; %s dropped\n", BENCH_MAX_ROWS, name);
		return;
	}
	/*
	 * A batch loop works in whole batches: a count below a multiple of
	 * BENCH_BATCH would do more operations than it is divided by.  (A
	 * fresh instance's first batch, taking its blocks from the LMM, once
	 * stopped the calibration at n = 8: every repetition did 64 pairs and
	 * reported them as 8, eight times too slow.)
	 */
	la.n = roundup(bench_calibrate(fa, ca), BENCH_BATCH);
	lb.n = roundup(bench_calibrate(fb, cb), BENCH_BATCH);
	bench_row_reps(row, bench_loop_rep, &la, bench_loop_rep, &lb);
}

static u64 bench_median(u64 *v, unsigned int n, u64 *lo, u64 *hi)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	if (lo)
		*lo = v[0];
	if (hi)
		*hi = v[n - 1];
	return v[n / 2];
}

/* A ratio kept x 10000, as text. */
static const char *bench_x(char *buf, size_t len, u64 r)
{
	snprintf(buf, len, "%llu.%04llu", r / 10000, r % 10000);
	return buf;
}

/*
 * One line per row: the median ns per operation of each side, the median
 * of the per-pair ratios with their min-max, and the runs' medians.  A row
 * whose runs disagree on which side is faster is inconclusive.
 */
static void bench_print_rows(void)
{
	unsigned int i;

	pr_info("| %-46s | %-17s | %-22s | %-26s | %-15s | %-12s |\n", "case", "memlab ns/op",
		"peer ns/op", "ratio median (pairs min-max)", "runs min-max", "verdict");
	for (i = 0; i < bench_nr_rows; i++) {
		struct bench_row *r = &bench_rows[i];
		u64 a, b, x, lo, hi, rlo, rhi;
		char ab[48], pb[48], t[5][32];
		const char *verdict;

		if (!r->nr)
			continue;
		a = bench_median(r->a_ps, r->nr, NULL, NULL);
		b = bench_median(r->b_ps, r->nr, NULL, NULL);
		x = bench_median(r->ratio, r->nr, &lo, &hi);
		bench_median(r->run_ratio, r->nr_runs, &rlo, &rhi);
		if (rlo < 10000 && rhi > 10000)
			verdict = "inconclusive";
		else
			verdict = x < 10000 ? "faster" : "slower";
		snprintf(ab, sizeof(ab), "%s %llu.%llu", r->a, a / 1000, a % 1000 / 100);
		snprintf(pb, sizeof(pb), "%s %llu.%llu", r->b, b / 1000, b % 1000 / 100);
		bench_x(t[0], sizeof(t[0]), x);
		bench_x(t[1], sizeof(t[1]), lo);
		bench_x(t[2], sizeof(t[2]), hi);
		bench_x(t[3], sizeof(t[3]), rlo);
		bench_x(t[4], sizeof(t[4]), rhi);
		pr_info("| %-46s | %-17s | %-22s | %s (%s-%s) | %s-%s | %-12s |\n",
			r->name, ab, pb, t[0], t[1], t[2], t[3], t[4], verdict);
	}
}

/* ---- gen_pool, when the kernel has it -------------------------------------- */

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
static struct gen_pool *bench_gp_create(unsigned long base, size_t size)
{
	struct gen_pool *gp = gen_pool_create(4, -1);

	if (gp && gen_pool_add(gp, base, size, -1)) {
		gen_pool_destroy(gp);
		gp = NULL;
	}
	return gp;
}

static unsigned long bench_gp_alloc(struct gen_pool *gp, size_t size, unsigned int align_bits)
{
	struct genpool_data_align data = { .align = 1 << align_bits };

	if (!align_bits)
		return gen_pool_alloc(gp, size);
	return gen_pool_alloc_algo(gp, size, gen_pool_first_fit_align, &data);
}

static void bench_gp_free(struct gen_pool *gp, unsigned long addr, size_t size)
{
	gen_pool_free(gp, addr, size);
}

static size_t bench_gp_avail(struct gen_pool *gp)
{
	return gen_pool_avail(gp);
}

/* Allocate @extents 32-byte units from the pool's start, free the first half of each. */
static int bench_gp_comb(struct gen_pool *gp, unsigned long base, unsigned long extents)
{
	unsigned long i, a = gen_pool_alloc(gp, 32 * extents);

	if (a != base) {
		if (a)
			gen_pool_free(gp, a, 32 * extents);
		return -EINVAL;
	}
	for (i = 0; i < extents; i++)
		gen_pool_free(gp, base + 32 * i, 16);
	return 0;
}

/* gen_pool_destroy() wants every unit back: the comb's used halves first. */
static void bench_gp_destroy(struct gen_pool *gp, unsigned long base, unsigned long extents)
{
	unsigned long i;

	if (!gp)
		return;
	for (i = 0; i < extents; i++)
		gen_pool_free(gp, base + 32 * i + 16, 16);
	gen_pool_destroy(gp);
}
#else
static struct gen_pool *bench_gp_create(unsigned long base, size_t size)
{
	return NULL;
}

static unsigned long bench_gp_alloc(struct gen_pool *gp, size_t size, unsigned int align_bits)
{
	return 0;
}

static void bench_gp_free(struct gen_pool *gp, unsigned long addr, size_t size)
{
}

static size_t bench_gp_avail(struct gen_pool *gp)
{
	return 0;
}

static int bench_gp_comb(struct gen_pool *gp, unsigned long base, unsigned long extents)
{
	return -EOPNOTSUPP;
}

static void bench_gp_destroy(struct gen_pool *gp, unsigned long base, unsigned long extents)
{
}
#endif

/* ---- LMM: fast against linear and gen_pool ------------------------------------ */

/*
 * A comb of @extents free 16-byte extents (every other granule) below a
 * free 1 MiB tail: a 48-byte request fits nowhere in the comb, so a first
 * fit must get past all of it.  Each pool has a buffer of its own, since an
 * LMM keeps its index in the free memory.  The same comb is built in a
 * gen_pool, and in a maple tree with MT_FLAGS_ALLOC_RANGE (the kernel's gap
 * search for mmap) holding the comb's used granules as ranges.
 */
enum comb_kind { COMB_FAST, COMB_LINEAR, COMB_GENPOOL, COMB_MAPLE };

struct comb {
	enum comb_kind kind;
	struct lmm pool;
	struct lmm_region reg;
	struct maple_tree mt;
	char *buf;
	size_t size;
	unsigned long extents;
	struct gen_pool *gp;
	unsigned int align_bits;
	bool ranged;
	uintptr_t lo;		/* a ranged request starts in the comb's second half */
};

static void comb_lmm_pair(void *c, unsigned long n)
{
	struct comb *x = c;

	while (n--) {
		void *p = lmm_alloc_gen(&x->pool, 48, 0, x->align_bits, 0,
					x->ranged ? x->lo : 0,
					x->ranged ? UINTPTR_MAX - x->lo : UINTPTR_MAX);

		if (p)
			lmm_free(&x->pool, p, 48);
	}
}

static void comb_gp_pair(void *c, unsigned long n)
{
	struct comb *x = c;

	while (n--) {
		unsigned long a = bench_gp_alloc(x->gp, 48, x->align_bits);

		if (a)
			bench_gp_free(x->gp, a, 48);
	}
}

/* The maple tree's gap search: a range, no alignment. */
static void comb_maple_pair(void *c, unsigned long n)
{
	struct comb *x = c;
	unsigned long start;

	while (n--)
		if (!mtree_alloc_range(&x->mt, &start, xa_mk_value(2), 48, x->lo,
				       (unsigned long)x->buf + x->size - 1, GFP_KERNEL))
			mtree_erase(&x->mt, start);
}

static int comb_maple_init(struct comb *x)
{
	unsigned long i, base = (unsigned long)x->buf;

	mt_init_flags(&x->mt, MT_FLAGS_ALLOC_RANGE);
	/* all but the buffer is taken, then the comb's used granules */
	if ((base && mtree_store_range(&x->mt, 0, base - 1, xa_mk_value(1), GFP_KERNEL)) ||
	    mtree_store_range(&x->mt, base + x->size, ULONG_MAX, xa_mk_value(1), GFP_KERNEL))
		return -ENOMEM;
	for (i = 0; i < x->extents; i++) {
		if (mtree_store_range(&x->mt, base + 32 * i + 16, base + 32 * i + 31,
				      xa_mk_value(1), GFP_KERNEL))
			return -ENOMEM;
		if (!(i % 65536))
			cond_resched();
	}
	return 0;
}

/*
 * The free pieces go in from the highest address down: every one lands at
 * the head of OSKit's sorted list, so building a linear comb of a million
 * extents stays linear in time.
 */
static int comb_init(struct comb *x, unsigned long extents, enum comb_kind kind)
{
	unsigned long i;

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->extents = extents;
	x->size = 32 * extents + SZ_1M;
	x->buf = vmalloc(x->size);
	if (!x->buf)
		return -ENOMEM;
	x->lo = (uintptr_t)x->buf + 32 * (extents / 2);
	if (kind == COMB_MAPLE)
		return comb_maple_init(x);
	if (kind == COMB_GENPOOL) {
		x->gp = bench_gp_create((unsigned long)x->buf, x->size);
		if (!x->gp)
			return -ENOMEM;
		if (bench_gp_comb(x->gp, (unsigned long)x->buf, extents)) {
			x->extents = 0;		/* nothing of it is allocated */
			return -EINVAL;
		}
		return 0;
	}
	lmm_init(&x->pool);
	if (lmm_set_policy(&x->pool, kind == COMB_FAST ? "fast" : "linear") ||
	    lmm_add_region(&x->pool, &x->reg, x->buf, x->size, 0, 0) ||
	    lmm_add_free(&x->pool, x->buf + 32 * extents, SZ_1M))
		return -EINVAL;
	for (i = extents; i-- > 0; ) {
		if (lmm_add_free(&x->pool, x->buf + 32 * i, 16))
			return -EINVAL;
		if (!(i % 65536))
			cond_resched();
	}
	return 0;
}

static void comb_exit(struct comb *x)
{
	if (!x->buf)
		return;
	if (x->kind == COMB_MAPLE)
		mtree_destroy(&x->mt);
	else if (x->kind == COMB_GENPOOL)
		bench_gp_destroy(x->gp, (unsigned long)x->buf, x->extents);
	else
		lmm_destroy(&x->pool);
	vfree(x->buf);
	x->buf = NULL;
	x->gp = NULL;
}

/* One comb size: fast against linear and gen_pool, then against the maple tree. */
static void bench_lmm_comb(struct comb *fast, struct comb *peer, unsigned long extents)
{
	static const struct {
		const char *what;
		unsigned int align_bits;
		bool ranged;
	} kinds[] = {
		{ "alloc+free 48 B", 0, false },
		{ "align 64 + range", 6, true },
		{ "range, no alignment", 0, true },
	};
	unsigned int k;
	char name[56];

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		snprintf(name, sizeof(name), "lmm %s, %lu extents", kinds[k].what, extents);
		if (comb_init(fast, extents, COMB_FAST))
			goto fail;
		fast->align_bits = kinds[k].align_bits;
		fast->ranged = kinds[k].ranged;
		if (k == 2) {	/* the maple tree has a range but no alignment */
			if (comb_init(peer, extents, COMB_MAPLE))
				goto fail;
			bench_pair(name, "fast", comb_lmm_pair, fast,
				   "maple", comb_maple_pair, peer);
			comb_exit(peer);
			comb_exit(fast);
			continue;
		}
		if (comb_init(peer, extents, COMB_LINEAR))
			goto fail;
		peer->align_bits = fast->align_bits;
		peer->ranged = fast->ranged;
		bench_pair(name, "fast", comb_lmm_pair, fast, "linear", comb_lmm_pair, peer);
		comb_exit(peer);
		if (IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)) {
			if (comb_init(peer, extents, COMB_GENPOOL))
				goto fail;
			peer->align_bits = fast->align_bits;
			bench_pair(name, "fast", comb_lmm_pair, fast,
				   k ? "gen_pool*" : "gen_pool", comb_gp_pair, peer);
			comb_exit(peer);
		}
		comb_exit(fast);
		continue;
fail:
		pr_warn("note: %s skipped: its comb could not be built\n", name);
		comb_exit(peer);
		comb_exit(fast);
	}
}

static void bench_lmm(struct bench_env *env)
{
	static const unsigned long counts[] = { 100, 10000, 100000, 1000000 };
	struct comb *fast = kzalloc(sizeof(*fast), GFP_KERNEL);
	struct comb *peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	unsigned int i;

	for (i = 0; fast && peer && i < ARRAY_SIZE(counts); i++) {
		if (counts[i] > lmm_extents || (smoke && i))
			break;
		bench_lmm_comb(fast, peer, counts[i]);
	}
	kfree(peer);
	kfree(fast);
}

/* ---- pages vs alloc_pages -------------------------------------------------------- */

struct pages_ctx {
	struct memlab_pages *mp;
	unsigned int order;
	void *batch[BENCH_BATCH];
	struct page *kbatch[BENCH_BATCH];
};

static void pages_pair(void *c, unsigned long n)
{
	struct pages_ctx *x = c;

	while (n--) {
		struct memlab_page *p = memlab_alloc_pages(x->mp, 0, x->order);

		if (p)
			memlab_free_pages(x->mp, p);
	}
}

static void kpages_pair(void *c, unsigned long n)
{
	struct pages_ctx *x = c;

	while (n--) {
		struct page *p = alloc_pages(GFP_KERNEL, x->order);

		if (p)
			__free_pages(p, x->order);
	}
}

static void pages_batch(void *c, unsigned long n)
{
	struct pages_ctx *x = c;
	unsigned long i, k;

	for (k = 0; k < n; k += BENCH_BATCH) {
		for (i = 0; i < BENCH_BATCH; i++)
			x->batch[i] = memlab_get_pages(x->mp, 0, x->order);
		for (i = 0; i < BENCH_BATCH; i++)
			if (x->batch[i])
				memlab_put_pages(x->mp, x->batch[i]);
	}
}

static void kpages_batch(void *c, unsigned long n)
{
	struct pages_ctx *x = c;
	unsigned long i, k;

	for (k = 0; k < n; k += BENCH_BATCH) {
		for (i = 0; i < BENCH_BATCH; i++)
			x->kbatch[i] = alloc_pages(GFP_KERNEL, x->order);
		for (i = 0; i < BENCH_BATCH; i++)
			if (x->kbatch[i])
				__free_pages(x->kbatch[i], x->order);
	}
}

/* Free max-order blocks the instance holds, all zones. */
static unsigned long bench_free_blocks(struct memlab_pages *mp)
{
	struct memlab_pages_stats *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long n = 0;
	unsigned int zi;

	if (!st)
		return 0;
	memlab_pages_stats(mp, st);
	for (zi = 0; zi < st->nr_zones; zi++)
		n += st->zone[zi].nr_free[st->max_order];
	kfree(st);
	return n;
}

/*
 * Once per load: what the demand reserve holds after the order-9 batches,
 * and after each idle second until it is back to the fixed reserve.
 */
static void bench_pages_idle(struct memlab_pages *mp)
{
	static bool done;
	unsigned long held[9];
	unsigned int s;

	if (done || smoke)
		return;
	done = true;
	for (s = 0; s < ARRAY_SIZE(held); s++) {
		held[s] = bench_free_blocks(mp);
		if (s + 1 < ARRAY_SIZE(held))
			msleep(1000);
	}
	pr_info("note: demand reserve: free 4 MiB blocks held after the order-9 batches, then each idle second: %lu %lu %lu %lu %lu %lu %lu %lu %lu\n",
		held[0], held[1], held[2], held[3], held[4], held[5], held[6], held[7], held[8]);
}

static void bench_pages(struct bench_env *env)
{
	static const unsigned int orders[] = { 0, 3, 9 };
	struct pages_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int i;

	if (!x)
		return;
	x->mp = env->mp;
	for (i = 0; i < ARRAY_SIZE(orders) - (smoke ? 1 : 0); i++) {
		char name[56];

		x->order = orders[i];
		if (x->order > memlab_pages_max_order(x->mp))
			continue;
		snprintf(name, sizeof(name), "pages order %u pair", x->order);
		bench_pair(name, "memlab", pages_pair, x, "alloc_pages", kpages_pair, x);
		/* a batch must fit in the arena: 64 x order 9 is 128 MiB */
		if ((PAGE_SIZE << x->order) * BENCH_BATCH > env->size / 2)
			continue;
		snprintf(name, sizeof(name), "pages order %u batch of %d", x->order, BENCH_BATCH);
		bench_pair(name, "memlab", pages_batch, x, "alloc_pages", kpages_batch, x);
		if (x->order < 9)
			continue;
		bench_pages_idle(x->mp);
		/* the same with the fixed reserve alone: LMM round trips */
		memlab_pages_set_demand(x->mp, 0);
		memlab_pages_shrink(x->mp);
		snprintf(name, sizeof(name), "pages order %u batch of %d, no demand reserve",
			 x->order, BENCH_BATCH);
		bench_pair(name, "memlab", pages_batch, x, "alloc_pages", kpages_batch, x);
		memlab_pages_set_demand(x->mp, MEMLAB_PAGES_DEMAND);
		memlab_pages_shrink(x->mp);
	}
	kfree(x);
}

/* ---- vm vs vmalloc ------------------------------------------------------------ */

struct vm_ctx {
	struct memlab_vm *vm;
	size_t size;
};

static void vm_pair(void *c, unsigned long n)
{
	struct vm_ctx *x = c;

	while (n--) {
		void *p = memlab_vm_alloc(x->vm, x->size, 0);

		if (p)
			memlab_vm_free(x->vm, p);
	}
}

static void vmalloc_pair(void *c, unsigned long n)
{
	struct vm_ctx *x = c;

	while (n--)
		vfree(vmalloc(x->size));
}

/*
 * memlab_vm_alloc/free against vmalloc/vfree: both map pages into the
 * vmalloc space with a guard page; memlab's pages come from its own
 * pages layer (larger blocks first), the kernel's from the buddy allocator.
 */
static void bench_vm(struct bench_env *env)
{
	static const size_t sizes[] = { SZ_16K, SZ_256K, SZ_4M };
	struct vm_ctx x = { .vm = env->vm };
	unsigned int i;

	if (!x.vm)
		return;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		char name[56];
		void *p;

		x.size = sizes[i];
		snprintf(name, sizeof(name), "vm %zu KiB alloc+free", x.size >> 10);
		p = memlab_vm_alloc(x.vm, x.size, 0);	/* one that fits, or no row */
		if (!p) {
			pr_info("note: %s skipped: the arena cannot hold it\n", name);
			continue;
		}
		memlab_vm_free(x.vm, p);
		bench_pair(name, "memlab", vm_pair, &x, "vmalloc", vmalloc_pair, &x);
	}
	memlab_pages_shrink(env->mp);
}

/* ---- slice vs kmem_cache, generic vs kmalloc ------------------------------------ */

struct slice_ctx {
	struct memlab_slice_pool *pool;
	struct kmem_cache *kc;
	struct memlab_generic *g;
	size_t size;
	void *batch[BENCH_BATCH];
};

static void slice_pair(void *c, unsigned long n)
{
	struct slice_ctx *x = c;

	while (n--)
		memlab_slice_free(x->pool, memlab_slice_alloc(x->pool));
}

static void kmc_pair(void *c, unsigned long n)
{
	struct slice_ctx *x = c;

	while (n--)
		kmem_cache_free(x->kc, kmem_cache_alloc(x->kc, GFP_KERNEL));
}

static void generic_pair(void *c, unsigned long n)
{
	struct slice_ctx *x = c;

	while (n--)
		memlab_generic_free(x->g, memlab_generic_alloc(x->g, x->size, 0));
}

static void kmalloc_pair(void *c, unsigned long n)
{
	struct slice_ctx *x = c;

	while (n--)
		kfree(kmalloc(x->size, GFP_KERNEL));
}

static void slice_batch(void *c, unsigned long n)
{
	struct slice_ctx *x = c;
	unsigned long i, k;

	for (k = 0; k < n; k += BENCH_BATCH) {
		for (i = 0; i < BENCH_BATCH; i++)
			x->batch[i] = memlab_slice_alloc(x->pool);
		for (i = 0; i < BENCH_BATCH; i++)
			memlab_slice_free(x->pool, x->batch[i]);
	}
}

static void kmc_batch(void *c, unsigned long n)
{
	struct slice_ctx *x = c;
	unsigned long i, k;

	for (k = 0; k < n; k += BENCH_BATCH) {
		for (i = 0; i < BENCH_BATCH; i++)
			x->batch[i] = kmem_cache_alloc(x->kc, GFP_KERNEL);
		for (i = 0; i < BENCH_BATCH; i++)
			kmem_cache_free(x->kc, x->batch[i]);
	}
}

static void bench_slice(struct bench_env *env)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 2048 };
	struct slice_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int i;

	if (!x)
		return;
	x->g = env->g;
	for (i = 0; i < ARRAY_SIZE(sizes) - (smoke ? 4 : 0); i++) {
		char name[56];

		x->size = sizes[i];
		x->pool = memlab_slice_create(env->mp, "bench", sizes[i], 0, 0, 0, NULL);
		x->kc = kmem_cache_create("memlab_bench", sizes[i], 0, 0, NULL);
		if (IS_ERR(x->pool) || !x->kc)
			goto next;
		snprintf(name, sizeof(name), "slice %zu B pair", sizes[i]);
		bench_pair(name, "slice", slice_pair, x, "kmem_cache", kmc_pair, x);
		snprintf(name, sizeof(name), "slice %zu B batch of %d", sizes[i], BENCH_BATCH);
		bench_pair(name, "slice", slice_batch, x, "kmem_cache", kmc_batch, x);
		snprintf(name, sizeof(name), "generic %zu B pair", sizes[i]);
		bench_pair(name, "memlab", generic_pair, x, "kmalloc", kmalloc_pair, x);
next:
		if (!IS_ERR_OR_NULL(x->pool))
			memlab_slice_destroy(x->pool);
		kmem_cache_destroy(x->kc);
	}
	kfree(x);
}

/* ---- thread scaling: 1, 2 and 4 threads, each on a CPU of its own ------------ */

#define SCALE_MAX_THREADS	4

enum scale_kind { SCALE_PAGES, SCALE_SLICE, SCALE_GENERIC };

/* One allocator under the scaling test: memlab's or the kernel's. */
struct scale_alloc {
	enum scale_kind kind;
	bool kernel;			/* the peer: alloc_pages, kmem_cache, kmalloc */
	unsigned int order;		/* pages */
	size_t size;			/* slice, generic */
	struct memlab_pages *mp;
	struct memlab_slice_pool *pool;
	struct memlab_generic *g;
	struct kmem_cache *kc;
};

static void *scale_get(struct scale_alloc *s)
{
	switch (s->kind) {
	case SCALE_PAGES:
		if (s->kernel)
			return alloc_pages(GFP_KERNEL, s->order);
		return memlab_alloc_pages(s->mp, 0, s->order);
	case SCALE_SLICE:
		if (s->kernel)
			return kmem_cache_alloc(s->kc, GFP_KERNEL);
		return memlab_slice_alloc(s->pool);
	default:
		if (s->kernel)
			return kmalloc(s->size, GFP_KERNEL);
		return memlab_generic_alloc(s->g, s->size, 0);
	}
}

static void scale_put(struct scale_alloc *s, void *p)
{
	if (!p)
		return;
	switch (s->kind) {
	case SCALE_PAGES:
		if (s->kernel)
			__free_pages(p, s->order);
		else
			memlab_free_pages(s->mp, p);
		break;
	case SCALE_SLICE:
		if (s->kernel)
			kmem_cache_free(s->kc, p);
		else
			memlab_slice_free(s->pool, p);
		break;
	default:
		if (s->kernel)
			kfree(p);
		else
			memlab_generic_free(s->g, p);
	}
}

struct scale_run;

/* Each thread allocates a batch, then frees a batch: its own, or the one its neighbour passed. */
struct scale_thread {
	struct scale_run *run;
	unsigned int id;
	void *batch[BENCH_BATCH];
	void *mailbox[BENCH_BATCH];	/* a batch from the previous thread to free */
	int full;			/* @mailbox holds a batch */
	u64 ns;
};

struct scale_run {
	struct scale_alloc *alloc;
	unsigned int nr_threads;
	bool remote;			/* every free on another CPU */
	unsigned long batches;
	atomic_t ready;
	int go;
	struct completion done;
	atomic_t running;
	struct scale_thread t[SCALE_MAX_THREADS];
};

static void scale_wait(int *flag, int want)
{
	unsigned long spins = 0;

	/* acquire: the batch behind the flag is visible once the flag is */
	while (smp_load_acquire(flag) != want)
		if (!(++spins % 1024))
			cond_resched();
		else
			cpu_relax();
}

static int scale_thread_fn(void *arg)
{
	struct scale_thread *me = arg;
	struct scale_run *run = me->run;
	struct scale_thread *next = &run->t[(me->id + 1) % run->nr_threads];
	unsigned long k;
	unsigned int i;
	u64 t0;

	atomic_inc(&run->ready);
	scale_wait(&run->go, 1);
	t0 = ktime_get_ns();
	for (k = 0; k < run->batches; k++) {
		for (i = 0; i < BENCH_BATCH; i++)
			me->batch[i] = scale_get(run->alloc);
		if (!run->remote) {
			for (i = 0; i < BENCH_BATCH; i++)
				scale_put(run->alloc, me->batch[i]);
			continue;
		}
		scale_wait(&next->full, 0);
		memcpy(next->mailbox, me->batch, sizeof(me->batch));
		smp_store_release(&next->full, 1);	/* the batch, then the flag */
		scale_wait(&me->full, 1);
		for (i = 0; i < BENCH_BATCH; i++)
			scale_put(run->alloc, me->mailbox[i]);
		smp_store_release(&me->full, 0);	/* freed, then the box is empty */
	}
	me->ns = ktime_get_ns() - t0;
	if (atomic_dec_and_test(&run->running))
		complete(&run->done);
	return 0;
}

/* One repetition: every thread's ns per alloc+free, averaged, in picoseconds. */
static u64 scale_rep(void *arg)
{
	struct scale_run *run = arg;
	unsigned int i;
	u64 sum = 0;

	atomic_set(&run->ready, 0);
	atomic_set(&run->running, run->nr_threads);
	WRITE_ONCE(run->go, 0);
	reinit_completion(&run->done);
	for (i = 0; i < run->nr_threads; i++) {
		struct task_struct *t;

		run->t[i] = (struct scale_thread) { .run = run, .id = i };
		t = kthread_create(scale_thread_fn, &run->t[i], "memlab-scale/%u", i);
		if (IS_ERR(t)) {	/* let the started ones run nothing and finish */
			run->batches = 0;
			if (atomic_sub_and_test(run->nr_threads - i, &run->running))
				complete(&run->done);
			run->nr_threads = i;
			break;
		}
		kthread_bind(t, i);
		wake_up_process(t);
	}
	while (atomic_read(&run->ready) < run->nr_threads)
		cond_resched();
	smp_store_release(&run->go, 1);	/* everything set up before the start */
	wait_for_completion(&run->done);
	if (!run->batches)
		return 0;
	/* the remote pattern leaves every last batch freed: nothing in flight */
	for (i = 0; i < run->nr_threads; i++)
		sum += div64_u64(run->t[i].ns * 1000, run->batches * BENCH_BATCH);
	return div64_u64(sum, run->nr_threads);
}

static void bench_scale_one(struct scale_alloc *ma, struct scale_alloc *ka, const char *what,
			    const char *peer)
{
	static const unsigned int threads[] = { 1, 2, 4 };
	struct scale_run *a = kzalloc(sizeof(*a), GFP_KERNEL);
	struct scale_run *b = kzalloc(sizeof(*b), GFP_KERNEL);
	unsigned int i, remote;

	for (i = 0; a && b && i < ARRAY_SIZE(threads); i++) {
		if (threads[i] > num_online_cpus() || !cpu_online(threads[i] - 1))
			break;
		for (remote = 0; remote < 2; remote++) {
			struct bench_row *row;
			char name[56];

			if (remote && threads[i] == 1)
				continue;
			snprintf(name, sizeof(name), "scale %s, %u thread%s %s", what, threads[i],
				 threads[i] > 1 ? "s" : "", remote ? "remote" : "local");
			if (!bench_row_wanted(name))
				continue;
			row = bench_row_get(name, "memlab", peer);
			if (!row)
				return;
			*a = (struct scale_run) { .alloc = ma, .nr_threads = threads[i],
						  .remote = remote,
						  .batches = smoke ? 4 : scale_batches };
			*b = *a;
			b->alloc = ka;
			init_completion(&a->done);
			init_completion(&b->done);
			bench_row_reps(row, scale_rep, a, scale_rep, b);
		}
	}
	kfree(b);
	kfree(a);
}

/*
 * Pages (orders 0 and 3), a slice pool and the generic allocator (64 B and
 * 1 KiB) against alloc_pages, kmem_cache and kmalloc, with 1, 2 and 4
 * threads on CPUs 0-3: local (each frees what it allocated) and remote
 * (each frees the batch its neighbour allocated).  ns per alloc+free per
 * thread, as the LLFree paper reports.
 */
static void bench_scale(struct bench_env *env)
{
	static const unsigned int orders[] = { 0, 3 };
	static const size_t sizes[] = { 64, 1024 };
	struct scale_alloc ma, ka;
	unsigned int i;
	char what[32];

	if (num_online_cpus() < 2) {
		pr_info("note: scale skipped: one CPU online\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		ma = (struct scale_alloc) { .kind = SCALE_PAGES, .order = orders[i],
					    .mp = env->mp };
		ka = ma;
		ka.kernel = true;
		snprintf(what, sizeof(what), "pages order %u", orders[i]);
		bench_scale_one(&ma, &ka, what, "alloc_pages");
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ma = (struct scale_alloc) { .kind = SCALE_SLICE, .size = sizes[i] };
		ma.pool = memlab_slice_create(env->mp, "scale", sizes[i], 0, 0, 0, NULL);
		ka = ma;
		ka.kernel = true;
		ka.kc = kmem_cache_create("memlab_scale", sizes[i], 0, 0, NULL);
		if (!IS_ERR(ma.pool) && ka.kc) {
			snprintf(what, sizeof(what), "slice %zu B", sizes[i]);
			bench_scale_one(&ma, &ka, what, "kmem_cache");
		}
		if (!IS_ERR(ma.pool))
			memlab_slice_destroy(ma.pool);
		kmem_cache_destroy(ka.kc);
		ma = (struct scale_alloc) { .kind = SCALE_GENERIC, .size = sizes[i], .g = env->g };
		ka = ma;
		ka.kernel = true;
		snprintf(what, sizeof(what), "generic %zu B", sizes[i]);
		bench_scale_one(&ma, &ka, what, "kmalloc");
	}
	memlab_pages_shrink(env->mp);
}

/* ---- fragmentation: one seeded workload on every LMM policy and gen_pool -------- */

#define FRAG_POOL	(4 << 20)
#define FRAG_OPS	60000
#define FRAG_LIVE	4096

struct frag_obj {
	unsigned long addr;
	size_t size;
};

struct frag_result {
	unsigned long failures;
	size_t peak, free, largest;
};

/* An allocator under the fragmentation workload: an LMM pool or a gen_pool. */
struct frag_target {
	struct lmm *pool;
	struct gen_pool *gp;
};

static unsigned long frag_alloc(struct frag_target *t, size_t size)
{
	if (t->pool)
		return (unsigned long)lmm_alloc(t->pool, size, 0);
	return bench_gp_alloc(t->gp, size, 0);
}

static void frag_free(struct frag_target *t, unsigned long addr, size_t size)
{
	if (t->pool)
		lmm_free(t->pool, (void *)addr, size);
	else
		bench_gp_free(t->gp, addr, size);
}

/* The largest block the target can still give, and its free bytes. */
static void frag_measure(struct frag_target *t, struct frag_result *r)
{
	size_t lo = 0, hi = FRAG_POOL;

	if (t->pool) {
		struct lmm_stats st;

		lmm_stats(t->pool, &st);
		r->free = st.free_bytes;
		r->largest = st.largest_free;
		return;
	}
	r->free = bench_gp_avail(t->gp);
	while (lo < hi) {	/* gen_pool has no "largest free": search for it */
		size_t mid = (lo + hi + 1) / 2;
		unsigned long a = frag_alloc(t, mid);

		if (a) {
			frag_free(t, a, mid);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	r->largest = lo;
}

/* Sizes log-uniform 16 B..16 KiB; free a random live object 45% of the time. */
static void frag_run(struct frag_target *t, unsigned long ops, struct frag_obj *live,
		     struct frag_result *r)
{
	struct rnd_state rnd;
	unsigned long i, n = 0;
	size_t cur = 0;

	prandom_seed_state(&rnd, 2026);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < ops; i++) {
		if (n && (n == FRAG_LIVE || prandom_u32_state(&rnd) % 100 < 45)) {
			unsigned long k = prandom_u32_state(&rnd) % n;

			frag_free(t, live[k].addr, live[k].size);
			cur -= live[k].size;
			live[k] = live[--n];
		} else {
			unsigned int shift = 4 + prandom_u32_state(&rnd) % 10;
			size_t size = (1UL << shift) + prandom_u32_state(&rnd) % (1UL << shift);
			unsigned long a = frag_alloc(t, size);

			if (!a) {
				r->failures++;
				continue;
			}
			live[n++] = (struct frag_obj) { a, size };
			cur += size;
			r->peak = max(r->peak, cur);
		}
		if (!(i % 4096))
			cond_resched();
	}
	frag_measure(t, r);
	while (n--)
		frag_free(t, live[n].addr, live[n].size);
}

static void frag_row(const char *who, const struct frag_result *r)
{
	int ef = memlab_extfrag_permille(r->largest, r->free);

	pr_info("| fragmentation: %-25s | failures %6lu | peak live %8zu B | largest/free %8zu/%8zu B, extfrag %d.%03d |\n",
		who, r->failures, r->peak, r->largest, r->free, ef / 1000, ef % 1000);
}

#define BENCH_MAX_POLICIES	8

/*
 * Deterministic (one seed): run once, after the timed table, on every LMM
 * policy by name, the built-in ones and any a module has registered, and
 * on gen_pool.
 */
static void bench_frag(struct bench_env *env)
{
	struct frag_obj *live = kvcalloc(FRAG_LIVE, sizeof(*live), GFP_KERNEL);
	struct lmm *pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	char *buf = vmalloc(FRAG_POOL);
	unsigned long ops = smoke ? 2000 : FRAG_OPS;
	char (*names)[LMM_POLICY_NAME_MAX] = kcalloc(BENCH_MAX_POLICIES, sizeof(*names),
						     GFP_KERNEL);
	struct frag_target t = { .pool = pool };
	struct frag_result r;
	unsigned int p, n;

	if (!live || !pool || !reg || !buf || !names)
		goto out;
	n = min(lmm_policy_list(names, BENCH_MAX_POLICIES), BENCH_MAX_POLICIES);
	for (p = 0; p < n; p++) {
		char who[32];

		lmm_init(pool);
		if (lmm_set_policy(pool, names[p]))
			continue;	/* unregistered since it was listed */
		lmm_add_region(pool, reg, buf, FRAG_POOL, 0, 0);
		lmm_add_free(pool, buf, FRAG_POOL);
		frag_run(&t, ops, live, &r);
		snprintf(who, sizeof(who), "lmm %s", names[p]);
		frag_row(who, &r);
		lmm_destroy(pool);
	}
	t = (struct frag_target) { .gp = bench_gp_create((unsigned long)buf, FRAG_POOL) };
	if (t.gp) {
		frag_run(&t, ops, live, &r);
		frag_row("gen_pool first_fit", &r);
		bench_gp_destroy(t.gp, 0, 0);
	}
out:
	kfree(names);
	vfree(buf);
	kfree(reg);
	kfree(pool);
	kvfree(live);
}

/* ---- the cases, the runner, the module ------------------------------------------- */

struct bench_case {
	const char *name;
	void (*run)(struct bench_env *env);
	bool once;	/* deterministic: once, after the table */
};

static const struct bench_case bench_cases[] = {
	{ "lmm", bench_lmm },
	{ "pages", bench_pages },
	{ "slice", bench_slice },
	{ "vm", bench_vm },
	{ "scale", bench_scale },
	{ "frag", bench_frag, true },
};

static unsigned long bench_selected;	/* bit i: bench_cases[i] */

static int bench_parse_cases(void)
{
	char *list, *s, *tok;
	unsigned int i;
	int ret = 0;

	list = kstrdup(cases, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	s = list;
	while ((tok = strsep(&s, ",")) && !ret) {
		if (!*tok)
			continue;
		for (i = 0; i < ARRAY_SIZE(bench_cases); i++)
			if (!strcmp(tok, bench_cases[i].name))
				break;
		if (i == ARRAY_SIZE(bench_cases)) {
			pr_err("cases=%s refused: unknown case '%s' (lmm, pages, slice, vm, scale, frag)\n",
			       cases, tok);
			ret = -EINVAL;
		}
		bench_selected |= BIT(i);
	}
	kfree(list);
	if (!ret && !bench_selected) {
		pr_err("cases=\"%s\" refused: no case named\n", cases);
		ret = -EINVAL;
	}
	return ret;
}

static int bench_env_create(struct bench_env *env)
{
	env->size = (size_t)arena_mb << 20;
	env->buf = __vmalloc(env->size, GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!env->buf) {
		pr_err("arena_mb=%u: no memory for the benchmark's buffer\n", arena_mb);
		return -ENOMEM;
	}
	lmm_init(&env->lmm);
	lmm_set_name(&env->lmm, "bench");
	if (lmm_add_region(&env->lmm, &env->reg, env->buf, env->size, 0, 0) ||
	    lmm_add_free(&env->lmm, env->buf, env->size))
		return -EINVAL;
	env->mp = memlab_pages_create("bench", &env->lmm, env->buf, env->size, BENCH_ORDER,
				      bench_zones, ARRAY_SIZE(bench_zones));
	if (IS_ERR(env->mp))
		return PTR_ERR(env->mp);
	/* as memlab.ko's own instance: the reserve follows demand */
	memlab_pages_set_demand(env->mp, MEMLAB_PAGES_DEMAND);
	env->g = memlab_generic_create(env->mp, "bench", 0);
	if (IS_ERR(env->g))
		return PTR_ERR(env->g);
	env->vm = memlab_vm_create(env->mp, "bench");
	return PTR_ERR_OR_ZERO(env->vm);
}

static void bench_env_destroy(struct bench_env *env)
{
	if (!IS_ERR_OR_NULL(env->vm))
		memlab_vm_destroy(env->vm);
	if (!IS_ERR_OR_NULL(env->g))
		memlab_generic_destroy(env->g);
	if (!IS_ERR_OR_NULL(env->mp))
		memlab_pages_teardown(env->mp);
	if (env->buf) {
		lmm_destroy(&env->lmm);
		vfree(env->buf);
	}
}

static void bench_print_machine(unsigned int cpu)
{
	static const struct { bool on; const char *name; } debug[] = {
		/* lower case: a log scanner looks for "KASAN" as a report */
		{ IS_ENABLED(CONFIG_KASAN), "kasan" },
		{ IS_ENABLED(CONFIG_PROVE_LOCKING), "prove_locking" },
		{ IS_ENABLED(CONFIG_DEBUG_KMEMLEAK), "debug_kmemleak" },
		{ IS_ENABLED(CONFIG_DEBUG_VM), "debug_vm" },
		{ IS_ENABLED(CONFIG_SLUB_DEBUG_ON), "slub_debug_on" },
		{ IS_ENABLED(CONFIG_DEBUG_PREEMPT), "debug_preempt" },
	};
	char flags[96] = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(debug); i++) {
		if (!debug[i].on)
			continue;
		strlcat(flags, debug[i].name, sizeof(flags));
		strlcat(flags, " ", sizeof(flags));
	}
	pr_info("machine: %s %s %s, %u CPUs online, preemption %s, debug options: %s\n",
		utsname()->sysname, utsname()->release, utsname()->machine, num_online_cpus(),
		IS_ENABLED(CONFIG_PREEMPT_RT) ? "RT" :
		IS_ENABLED(CONFIG_PREEMPT) ? "full" :
		IS_ENABLED(CONFIG_PREEMPT_VOLUNTARY) ? "voluntary" : "none",
		flags[0] ? flags : "none");
#if defined(CONFIG_X86) && !defined(CONFIG_UML)
	pr_info("cpu: %s\n", boot_cpu_data.x86_model_id);
#endif
	pr_info("arena: vmalloc, %u MiB, pages max order %d; %u runs x %u repetitions of ~%llu.%llu ms per side, alternating; thread bound to CPU %u\n",
		arena_mb, BENCH_ORDER, runs, reps, bench_target_ns / 1000000,
		bench_target_ns % 1000000 / 100000, cpu);
}

static struct bench_env *bench_env;
static DECLARE_COMPLETION(bench_done);

static int bench_thread(void *arg)
{
	unsigned int r, i;

	bench_print_machine(raw_smp_processor_id());
	for (r = 0; r < runs && !READ_ONCE(bench_stop); r++) {
		pr_info("run %u of %u\n", r + 1, runs);
		for (i = 0; i < ARRAY_SIZE(bench_cases); i++)
			if ((bench_selected & BIT(i)) && !bench_cases[i].once)
				bench_cases[i].run(bench_env);
	}
	bench_print_rows();
	for (i = 0; i < ARRAY_SIZE(bench_cases); i++)
		if ((bench_selected & BIT(i)) && bench_cases[i].once)
			bench_cases[i].run(bench_env);
	if (!IS_ENABLED(CONFIG_GENERIC_ALLOCATOR))
		pr_info("note: this kernel has no gen_pool (CONFIG_GENERIC_ALLOCATOR); its rows are absent\n");
	pr_info("end\n");
	complete(&bench_done);
	return 0;
}

static int __init memlab_bench_init(void)
{
	struct task_struct *t;
	int ret = -EINVAL;

	if (smoke) {
		runs = 1;
		reps = 3;
	}
	if (!runs || runs > BENCH_MAX_RUNS || reps < 3 || reps > BENCH_MAX_REPS ||
	    !target_ms || target_ms > 100 || arena_mb < 16 || arena_mb > 4096 ||
	    !scale_batches || scale_batches > 100000) {
		pr_err("refused: runs=%u (1-%d), reps=%u (3-%d), target_ms=%u (1-100), arena_mb=%u (16-4096), scale_batches=%u (1-100000)\n",
		       runs, BENCH_MAX_RUNS, reps, BENCH_MAX_REPS, target_ms, arena_mb,
		       scale_batches);
		return -EINVAL;
	}
	bench_target_ns = smoke ? 200000 : (u64)target_ms * NSEC_PER_MSEC;
	ret = bench_parse_cases();
	if (ret)
		return ret;
	bench_rows = kvcalloc(BENCH_MAX_ROWS, sizeof(*bench_rows), GFP_KERNEL);
	bench_env = kzalloc(sizeof(*bench_env), GFP_KERNEL);
	ret = -ENOMEM;
	if (!bench_rows || !bench_env)
		goto out;
	ret = bench_env_create(bench_env);
	if (ret) {
		pr_err("cannot build the benchmark's memlab stack: %d\n", ret);
		goto out;
	}
	pr_info("begin: %s\n", smoke ? "smoke run" : "full run");
	t = kthread_create(bench_thread, NULL, "memlab-bench");
	ret = PTR_ERR_OR_ZERO(t);
	if (ret)
		goto out;
	kthread_bind(t, cpumask_first(cpu_online_mask));
	wake_up_process(t);
	/*
	 * A full run takes minutes: wake every few seconds, so the hung-task
	 * detector sees insmod is alive, and let a fatal signal cut it short.
	 */
	while (!wait_for_completion_timeout(&bench_done, 5 * HZ)) {
		if (fatal_signal_pending(current) && !READ_ONCE(bench_stop)) {
			WRITE_ONCE(bench_stop, true);
			pr_info("interrupted: the table so far follows\n");
		}
	}
	ret = 0;
out:
	if (bench_env)
		bench_env_destroy(bench_env);
	kfree(bench_env);
	kvfree(bench_rows);
	return ret;
}

/* Everything was freed at load: a loaded memlab_bench holds nothing. */
static void __exit memlab_bench_exit(void)
{
}

module_init(memlab_bench_init);
module_exit(memlab_bench_exit);
MODULE_DESCRIPTION("memlab benchmarks: each layer against the kernel's allocators");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(MEMLAB_NS);
