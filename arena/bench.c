// SPDX-License-Identifier: GPL-2.0
/*
 * memlab benchmarks: each layer beside the allocator a kernel developer
 * would otherwise use, in the same boot, so machine noise cancels in the
 * ratio.  Run only when the module is loaded with bench=1 (bench=2: a
 * quick smoke run); results go to the kernel log as "memlab-bench:" lines,
 * which scripts/bench.sh turns into a table.
 *
 * Method, after Brouer's time_bench: each case is calibrated to take about
 * 5 ms per repetition, warmed up once, then timed over several repetitions.
 * Unlike time_bench, preemption stays enabled: the peers allocate with
 * GFP_KERNEL, which may sleep.  In the otherwise idle guest nothing else
 * runs; interrupts and any preemption show in the min-max spread.  A line
 * reports the median ns per operation with that spread.
 */

#define pr_fmt(fmt) "memlab-bench: " fmt

#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "arena/bench.h"
#include "arena/memlab.h"

#define BENCH_REPS	7
#define BENCH_BATCH	64

struct bench_res {
	u64 med, min, max;	/* picoseconds per operation */
};

typedef void (*bench_fn)(void *ctx, unsigned long n);

static unsigned int bench_target_ns = 5000000;	/* per repetition */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 bench_once(bench_fn fn, void *ctx, unsigned long n)
{
	u64 t0;

	t0 = ktime_get_ns();
	fn(ctx, n);
	return ktime_get_ns() - t0;
}

static void bench_measure(bench_fn fn, void *ctx, struct bench_res *r)
{
	u64 samples[BENCH_REPS], t;
	unsigned long n = 1;
	int i;

	/* calibrate: double n until one repetition takes a tenth of the target */
	while (n < (1UL << 22)) {
		t = bench_once(fn, ctx, n);
		if (t * 10 >= bench_target_ns)
			break;
		n *= 2;
		cond_resched();
	}
	n = max(1UL, (unsigned long)div64_u64((u64)n * bench_target_ns, max(t, 1ULL)));
	bench_once(fn, ctx, n);			/* warm-up */
	for (i = 0; i < BENCH_REPS; i++) {
		samples[i] = div64_u64(bench_once(fn, ctx, n) * 1000, n);
		cond_resched();
	}
	sort(samples, BENCH_REPS, sizeof(u64), cmp_u64, NULL);
	r->min = samples[0];
	r->med = samples[BENCH_REPS / 2];
	r->max = samples[BENCH_REPS - 1];
}

/* One table row: case, memlab side, peer side, ratio (memlab / peer). */
static void bench_row(const char *name, const char *a, const struct bench_res *ra,
		      const char *b, const struct bench_res *rb)
{
	u64 ratio = rb && rb->med ? div64_u64(ra->med * 10000, rb->med) : 0;

	if (!rb) {
		pr_info("| %-46s | %-7s %8llu.%llu (%llu.%llu-%llu.%llu) | %-11s %22s | %8s |\n",
			name, a, ra->med / 1000, ra->med % 1000 / 100, ra->min / 1000,
			ra->min % 1000 / 100, ra->max / 1000, ra->max % 1000 / 100, "-", "-", "-");
		return;
	}
	pr_info("| %-46s | %-7s %8llu.%llu (%llu.%llu-%llu.%llu) | %-11s %9llu.%llu (%llu.%llu-%llu.%llu) | %3llu.%04llu |\n",
		name, a, ra->med / 1000, ra->med % 1000 / 100, ra->min / 1000,
		ra->min % 1000 / 100, ra->max / 1000, ra->max % 1000 / 100,
		b, rb->med / 1000, rb->med % 1000 / 100, rb->min / 1000, rb->min % 1000 / 100,
		rb->max / 1000, rb->max % 1000 / 100, ratio / 10000, ratio % 10000);
}

/* ---- LMM vs gen_pool ---------------------------------------------------------- */

struct lmm_ctx {
	struct lmm pool;
	struct lmm_region reg;
	char *buf;
	size_t size;
	unsigned long extents;
	struct gen_pool *gp;
	int align_bits;
	uintptr_t lo;		/* range start: the comb's second half */
};

static void lmm_pair(void *c, unsigned long n)
{
	struct lmm_ctx *x = c;

	while (n--) {
		void *p = lmm_alloc_gen(&x->pool, 48, 0, x->align_bits, 0,
					x->align_bits ? x->lo : 0,
					x->align_bits ? UINTPTR_MAX - x->lo : UINTPTR_MAX);

		if (p)
			lmm_free(&x->pool, p, 48);
	}
}

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
static void genpool_pair(void *c, unsigned long n)
{
	struct lmm_ctx *x = c;
	struct genpool_data_align data = { .align = 1 << x->align_bits };

	while (n--) {
		unsigned long a = x->align_bits ?
			gen_pool_alloc_algo(x->gp, 48, gen_pool_first_fit_align, &data) :
			gen_pool_alloc(x->gp, 48);

		if (a)
			gen_pool_free(x->gp, a, 48);
	}
}
#endif

/*
 * A comb of @n free 16-byte extents (every other granule), then a large
 * free tail: a 48-byte request fits nowhere in the comb, so first fit must
 * get past all of it.
 */
static int lmm_ctx_init(struct lmm_ctx *x, unsigned long n)
{
	unsigned long i;

	x->extents = n;
	x->size = 32 * n + (1 << 20);
	x->buf = vmalloc(x->size);
	if (!x->buf)
		return -ENOMEM;
	lmm_init(&x->pool);
	lmm_add_region(&x->pool, &x->reg, x->buf, x->size, 0, 0);
	lmm_add_free(&x->pool, x->buf, x->size);
	for (i = 0; i < n; i++)
		lmm_remove_free(&x->pool, x->buf + 32 * i + 16, 16);
	x->lo = (uintptr_t)x->buf + 32 * (n / 2);
	return 0;
}

static void lmm_ctx_exit(struct lmm_ctx *x)
{
	lmm_destroy(&x->pool);
	vfree(x->buf);
}

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
/* The same comb in a gen_pool: allocate everything in 16-byte units, free every other. */
static int genpool_ctx_init(struct lmm_ctx *x)
{
	unsigned long i, units = x->size / 16;
	unsigned long first;

	x->gp = gen_pool_create(4, -1);
	if (!x->gp)
		return -ENOMEM;
	if (gen_pool_add(x->gp, (unsigned long)x->buf, x->size, -1))
		return -ENOMEM;
	first = gen_pool_alloc(x->gp, 32 * x->extents);
	if (first != (unsigned long)x->buf)
		return -EINVAL;
	for (i = 0; i < x->extents; i++)
		gen_pool_free(x->gp, first + 32 * i, 16);
	(void)units;
	return 0;
}

static void genpool_ctx_exit(struct lmm_ctx *x)
{
	unsigned long i;

	if (!x->gp)
		return;
	/* give back the used granules of the comb so the pool is empty */
	for (i = 0; i < x->extents; i++)
		gen_pool_free(x->gp, (unsigned long)x->buf + 32 * i + 16, 16);
	gen_pool_destroy(x->gp);
	x->gp = NULL;
}
#endif

static void bench_lmm(bool smoke)
{
	static const unsigned long counts[] = { 100, 10000, 100000 };
	struct lmm_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int i, a;

	if (!x)
		return;
	for (i = 0; i < ARRAY_SIZE(counts) - (smoke ? 2 : 0); i++) {
		for (a = 0; a < 2; a++) {
			struct bench_res fast, linear, gp;
			char name[64];

			memset(x, 0, sizeof(*x));
			if (lmm_ctx_init(x, counts[i]))
				break;
			x->align_bits = a ? 6 : 0;
			snprintf(name, sizeof(name), "lmm %s, %lu extents",
				 a ? "alloc_gen align 64 + range" : "alloc+free 48 B", counts[i]);
			bench_measure(lmm_pair, x, &fast);
			lmm_set_policy(&x->pool, "linear");
			bench_measure(lmm_pair, x, &linear);
			bench_row(name, "fast", &fast, "linear", &linear);
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
			if (!genpool_ctx_init(x)) {
				bench_measure(genpool_pair, x, &gp);
				bench_row(name, "fast", &fast, a ? "gen_pool*" : "gen_pool", &gp);
			}
			genpool_ctx_exit(x);
#else
			(void)gp;
#endif
			lmm_ctx_exit(x);
		}
	}
	kfree(x);
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

static void bench_pages(struct memlab *ml, bool smoke)
{
	static const unsigned int orders[] = { 0, 3, 9 };
	struct pages_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int i;

	if (!x)
		return;
	x->mp = ml->pages;
	for (i = 0; i < ARRAY_SIZE(orders) - (smoke ? 1 : 0); i++) {
		struct bench_res a, b;
		char name[64];

		x->order = orders[i];
		if (x->order > memlab_pages_max_order(x->mp))
			continue;
		snprintf(name, sizeof(name), "pages order %u pair", x->order);
		bench_measure(pages_pair, x, &a);
		bench_measure(kpages_pair, x, &b);
		bench_row(name, "memlab", &a, "alloc_pages", &b);
		/* a batch must fit in the arena: 64 x order 9 is 128 MiB */
		if ((PAGE_SIZE << x->order) * BENCH_BATCH > ml->arena.size / 2)
			continue;
		snprintf(name, sizeof(name), "pages order %u batch of %d", x->order, BENCH_BATCH);
		bench_measure(pages_batch, x, &a);
		bench_measure(kpages_batch, x, &b);
		bench_row(name, "memlab", &a, "alloc_pages", &b);
		if (x->order < 9)
			continue;
		/* the same with a reserve that holds a whole batch: no LMM round trips */
		memlab_pages_set_reserve(x->mp, 64);
		snprintf(name, sizeof(name), "pages order %u batch of %d, pages_reserve=64",
			 x->order, BENCH_BATCH);
		bench_measure(pages_batch, x, &a);
		bench_row(name, "memlab", &a, "alloc_pages", &b);
		memlab_pages_set_reserve(x->mp, 1);
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
static void bench_vm(struct memlab *ml)
{
	static const size_t sizes[] = { SZ_16K, SZ_256K, SZ_4M };
	struct vm_ctx x = { .vm = ml->vm };
	unsigned int i;

	if (!x.vm)
		return;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct bench_res a, b;
		char name[64];
		void *p;

		x.size = sizes[i];
		snprintf(name, sizeof(name), "vm %zu KiB alloc+free", x.size >> 10);
		p = memlab_vm_alloc(x.vm, x.size, 0);	/* one that fits, or no row */
		if (!p) {
			pr_info("note: %s skipped: the arena cannot hold it\n", name);
			continue;
		}
		memlab_vm_free(x.vm, p);
		bench_measure(vm_pair, &x, &a);
		bench_measure(vmalloc_pair, &x, &b);
		bench_row(name, "memlab", &a, "vmalloc", &b);
	}
	memlab_pages_shrink(ml->pages);
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

static void bench_slice(struct memlab *ml, bool smoke)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 2048 };
	struct slice_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int i;

	if (!x)
		return;
	x->g = ml->generic;
	for (i = 0; i < ARRAY_SIZE(sizes) - (smoke ? 4 : 0); i++) {
		struct bench_res a, b;
		char name[64];

		x->size = sizes[i];
		x->pool = memlab_slice_create(ml->pages, "bench", sizes[i], 0, 0, 0, NULL);
		x->kc = kmem_cache_create("memlab_bench", sizes[i], 0, 0, NULL);
		if (IS_ERR(x->pool) || !x->kc)
			goto next;
		snprintf(name, sizeof(name), "slice %zu B pair", sizes[i]);
		bench_measure(slice_pair, x, &a);
		bench_measure(kmc_pair, x, &b);
		bench_row(name, "slice", &a, "kmem_cache", &b);
		snprintf(name, sizeof(name), "slice %zu B batch of %d", sizes[i], BENCH_BATCH);
		bench_measure(slice_batch, x, &a);
		bench_measure(kmc_batch, x, &b);
		bench_row(name, "slice", &a, "kmem_cache", &b);
		snprintf(name, sizeof(name), "generic %zu B pair", sizes[i]);
		bench_measure(generic_pair, x, &a);
		bench_measure(kmalloc_pair, x, &b);
		bench_row(name, "memlab", &a, "kmalloc", &b);
next:
		if (!IS_ERR_OR_NULL(x->pool))
			memlab_slice_destroy(x->pool);
		kmem_cache_destroy(x->kc);
	}
	kfree(x);
}

/* ---- fragmentation: one seeded workload on every LMM policy and gen_pool -------- */

#define FRAG_POOL	(4 << 20)
#define FRAG_OPS	60000
#define FRAG_LIVE	4096
#define BENCH_MAX_POLICIES	8	/* fragmentation rows: policies at most */

struct frag_obj {
	unsigned long addr;
	size_t size;
};

struct frag_result {
	unsigned long failures;
	size_t peak, free, largest;
};

static u64 frag_rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Sizes log-uniform 16 B..16 KiB; free a random live object 45% of the time. */
static void frag_run(struct lmm *pool, struct gen_pool *gp, unsigned long ops,
		     struct frag_obj *live, struct frag_result *r)
{
	u64 rng = 2026;
	unsigned long i, n = 0;
	size_t cur = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < ops; i++) {
		if (n && (n == FRAG_LIVE || frag_rnd(&rng) % 100 < 45)) {
			unsigned long k = frag_rnd(&rng) % n;

			if (pool)
				lmm_free(pool, (void *)live[k].addr, live[k].size);
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
			else
				gen_pool_free(gp, live[k].addr, live[k].size);
#endif
			cur -= live[k].size;
			live[k] = live[--n];
		} else {
			unsigned int shift = 4 + frag_rnd(&rng) % 10;
			size_t size = (1UL << shift) + frag_rnd(&rng) % (1UL << shift);
			unsigned long a = 0;

			if (pool)
				a = (unsigned long)lmm_alloc(pool, size, 0);
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
			else
				a = gen_pool_alloc(gp, size);
#endif
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
	if (pool) {
		struct lmm_stats st;

		lmm_stats(pool, &st);
		r->free = st.free_bytes;
		r->largest = st.largest_free;
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	} else {
		size_t lo = 0, hi = FRAG_POOL;

		r->free = gen_pool_avail(gp);
		while (lo < hi) {	/* the largest block gen_pool can still give */
			size_t mid = (lo + hi + 1) / 2;
			unsigned long a = gen_pool_alloc(gp, mid);

			if (a) {
				gen_pool_free(gp, a, mid);
				lo = mid;
			} else {
				hi = mid - 1;
			}
		}
		r->largest = lo;
#endif
	}
	while (n--) {
		if (pool)
			lmm_free(pool, (void *)live[n].addr, live[n].size);
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
		else
			gen_pool_free(gp, live[n].addr, live[n].size);
#endif
	}
}

static void frag_row(const char *who, const struct frag_result *r)
{
	int ef = memlab_extfrag_permille(r->largest, r->free);

	pr_info("| fragmentation: %-25s | failures %6lu | peak live %8zu B | largest/free %8zu/%8zu B, extfrag %d.%03d |\n",
		who, r->failures, r->peak, r->largest, r->free, ef / 1000, ef % 1000);
}

static void bench_frag(bool smoke)
{
	struct frag_obj *live = kvcalloc(FRAG_LIVE, sizeof(*live), GFP_KERNEL);
	struct lmm *pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	struct lmm_region *reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	char *buf = vmalloc(FRAG_POOL);
	unsigned long ops = smoke ? 2000 : FRAG_OPS;
	char names[BENCH_MAX_POLICIES][LMM_POLICY_NAME_MAX];
	struct frag_result r;
	unsigned int p, n;

	if (!live || !pool || !reg || !buf)
		goto out;
	/* every policy by name: the built-in ones and those registered now */
	n = min(lmm_policy_list(names, BENCH_MAX_POLICIES), BENCH_MAX_POLICIES);
	for (p = 0; p < n; p++) {
		char who[32];

		lmm_init(pool);
		if (lmm_set_policy(pool, names[p]))
			continue;	/* unregistered since it was listed */
		lmm_add_region(pool, reg, buf, FRAG_POOL, 0, 0);
		lmm_add_free(pool, buf, FRAG_POOL);
		frag_run(pool, NULL, ops, live, &r);
		snprintf(who, sizeof(who), "lmm %s", names[p]);
		frag_row(who, &r);
		lmm_destroy(pool);
	}
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	{
		struct gen_pool *gp = gen_pool_create(4, -1);

		if (gp && !gen_pool_add(gp, (unsigned long)buf, FRAG_POOL, -1)) {
			frag_run(NULL, gp, ops, live, &r);
			frag_row("gen_pool first_fit", &r);
		}
		if (gp)
			gen_pool_destroy(gp);
	}
#endif
out:
	vfree(buf);
	kfree(reg);
	kfree(pool);
	kvfree(live);
}

/**
 * memlab_bench() - run the benchmarks and log the table
 * @ml: the loaded instance.
 * @mode: 1 for the full run, 2 for a quick smoke run (tiny timings).
 *
 * Context: process context (module init); takes tens of seconds.
 */
void memlab_bench(struct memlab *ml, unsigned int mode)
{
	bool smoke = mode == 2;

	bench_target_ns = smoke ? 200000 : 5000000;
	pr_info("begin: %s run, %d repetitions of ~%u ms, ns per operation median (min-max)\n",
		smoke ? "smoke" : "full", BENCH_REPS, bench_target_ns / 1000000);
	pr_info("| %-46s | %-32s | %-34s | %8s |\n", "case", "memlab ns/op (min-max)",
		"peer ns/op (min-max)", "ratio");
	bench_lmm(smoke);
	bench_pages(ml, smoke);
	bench_slice(ml, smoke);
	bench_vm(ml);
	bench_frag(smoke);
	if (!IS_ENABLED(CONFIG_GENERIC_ALLOCATOR))
		pr_info("note: this kernel has no gen_pool (CONFIG_GENERIC_ALLOCATOR); its rows are absent\n");
	pr_info("end\n");
}
