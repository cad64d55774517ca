// SPDX-License-Identifier: GPL-2.0
/*
 * User-space differential test of lmm/lmm.c.
 *
 * Three pools manage three copies of the same layout at the same offsets
 * inside three equally aligned buffers: one per policy FAST and LINEAR, and
 * a granule map that serves as an independent model.  Every answer of the
 * two policies must be identical (as offsets) and equal to the model's
 * brute-force answer; lmm_check() must stay clean.  Every 1000 operations
 * both pools are also listed with lmm_walk_free_from(), a few extents per
 * call, and the listing must equal the model's free runs.
 */
#include "lmm/lmm.h"

#define ARENA_SHIFT	20
#define ARENA		BIT(ARENA_SHIFT)
#define NGRAN		(ARENA / LMM_GRANULE)
#define NLIVE		4096

struct side {
	struct lmm pool;
	struct lmm_region low, high;
	char *base;
};

static unsigned char used[NGRAN];	/* model: 1 = granule not free */
static struct { uintptr_t off; size_t size; } live[NLIVE];
static int nlive;
static unsigned long long rng = 88172645463325252ULL;

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void side_init(struct side *s, const char *p)
{
	s->base = aligned_alloc(ARENA, ARENA);
	lmm_init(&s->pool);
	lmm_set_policy(&s->pool, p);
	/* low region: first 1/8, flag 1, priority -1; high: the rest, pri 0 */
	lmm_add_region(&s->pool, &s->low, s->base, ARENA / 8, 1, -1);
	lmm_add_region(&s->pool, &s->high, s->base + ARENA / 8, ARENA - ARENA / 8, 0, 0);
	lmm_add_free(&s->pool, s->base, ARENA);
}

/* Model answer: lowest offset per region order (high first unless flag 1). */
static long model_alloc(size_t size, unsigned int flags, int bits, uintptr_t ofs,
			uintptr_t lo, uintptr_t hi)
{
	uintptr_t ranges[2][2] = { { ARENA / 8, ARENA }, { 0, ARENA / 8 } };
	uintptr_t mask = (1UL << bits) - 1;
	int r;

	for (r = flags ? 1 : 0; r < 2; r++) {
		uintptr_t a;

		for (a = ranges[r][0]; a < ranges[r][1]; a++) {
			uintptr_t g, g0, g1;

			if ((a & mask) != (ofs & mask) || a < lo || a + size > hi ||
			    a + size > ranges[r][1])
				continue;
			g0 = a / LMM_GRANULE;
			g1 = (a + size + LMM_GRANULE - 1) / LMM_GRANULE;
			for (g = g0; g < g1 && !used[g]; g++)
				;
			if (g == g1)
				return a;
			a = g * LMM_GRANULE + LMM_GRANULE - 1;	/* skip past the used granule */
		}
	}
	return -1;
}

struct walk_cmp {
	const char *base;
	uintptr_t g;		/* model granule the next free run is searched from */
	int bad;
};

/* The model's next free run at or above granule *g, within one region. */
static int model_next_run(uintptr_t *g, uintptr_t *start, uintptr_t *end)
{
	uintptr_t lim;

	while (*g < NGRAN && used[*g])
		(*g)++;
	if (*g >= NGRAN)
		return 0;
	lim = *g < NGRAN / 8 ? NGRAN / 8 : NGRAN;
	*start = *g;
	while (*g < lim && !used[*g])
		(*g)++;
	*end = *g;
	return 1;
}

static bool walk_cmp_step(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct walk_cmp *w = arg;
	uintptr_t s, e;

	if (!model_next_run(&w->g, &s, &e) ||
	    start - (uintptr_t)w->base != s * LMM_GRANULE ||
	    size != (e - s) * LMM_GRANULE ||
	    flags != (s < NGRAN / 8 ? 1U : 0U))
		w->bad++;
	return true;
}

/* List @pool 1 + rnd() % 9 extents per call; expect the model's free runs. */
static int walk_matches_model(struct lmm *pool, const char *base)
{
	struct walk_cmp w = { base, 0, 0 };
	unsigned long per = 1 + rnd() % 9;
	uintptr_t pos = (uintptr_t)base, s, e;

	while (pos != UINTPTR_MAX)
		pos = lmm_walk_free_from(pool, pos, per, walk_cmp_step, &w);
	return !w.bad && !model_next_run(&w.g, &s, &e);
}

static void model_mark(uintptr_t off, size_t size, int v)
{
	uintptr_t g;

	for (g = off / LMM_GRANULE; g < (off + size + LMM_GRANULE - 1) / LMM_GRANULE; g++)
		used[g] = v;
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? atol(argv[1]) : 200000, i, checks = 0;
	struct side f, l;
	int model_every = argc > 2 ? atoi(argv[2]) : 50;

	side_init(&f, "fast");
	side_init(&l, "linear");
	for (i = 0; i < ops; i++) {
		unsigned long r = rnd();

		if (nlive < NLIVE && (r % 100 < 55 || !nlive)) {
			size_t size = 1 + rnd() % (r & 1 ? 64 : 4096);
			int bits = rnd() % 4 ? rnd() % 13 : 0;
			uintptr_t ofs = rnd() % 3 ? 0 : rnd();
			unsigned int flags = rnd() % 8 == 0;
			uintptr_t lo = 0, hi = ARENA;
			void *pf, *pl;
			long m, of, ol;

			if (rnd() % 4 == 0) {
				lo = rnd() % ARENA;
				hi = lo + rnd() % (ARENA - lo) + 1;
			}
			pf = lmm_alloc_gen(&f.pool, size, flags, bits, ofs,
					   (uintptr_t)f.base + lo, hi - lo);
			pl = lmm_alloc_gen(&l.pool, size, flags, bits, ofs,
					   (uintptr_t)l.base + lo, hi - lo);
			of = pf ? (char *)pf - f.base : -1;
			ol = pl ? (char *)pl - l.base : -1;
			if (of != ol) {
				printf("op %ld alloc(%zu,%u,%d,%lx,%lx,%lx): fast %ld linear %ld\n",
				       i, size, flags, bits, ofs, lo, hi, of, ol);
				return 1;
			}
			if (i % model_every == 0) {
				m = model_alloc(size, flags, bits, ofs, lo, hi);
				checks++;
				if (m != (pf ? (char *)pf - f.base : -1)) {
					printf("op %ld: model %ld, fast %ld\n", i, m,
					       pf ? (char *)pf - f.base : -1);
					return 1;
				}
			}
			if (pf) {
				live[nlive].off = (char *)pf - f.base;
				live[nlive++].size = size;
				model_mark((char *)pf - f.base, size, 1);
			}
		} else if (nlive) {
			int k = rnd() % nlive;

			if (lmm_free(&f.pool, f.base + live[k].off, live[k].size) ||
			    lmm_free(&l.pool, l.base + live[k].off, live[k].size)) {
				printf("op %ld: free failed\n", i);
				return 1;
			}
			model_mark(live[k].off, live[k].size, 0);
			live[k] = live[--nlive];
		}
		if (i % 1000 == 0 && (lmm_check(&f.pool) || lmm_check(&l.pool))) {
			printf("op %ld: check failed\n", i);
			return 1;
		}
		if (i % 1000 == 500 && (!walk_matches_model(&f.pool, f.base) ||
					!walk_matches_model(&l.pool, l.base))) {
			printf("op %ld: chunked walk differs from the model\n", i);
			return 1;
		}
		if (i == ops / 2) {	/* swap policies half way: re-indexing must keep answers */
			struct lmm_stats st;

			lmm_stats(&f.pool, &st);
			if (lmm_set_policy(&f.pool, "linear") ||
			    lmm_set_policy(&l.pool, "fast")) {
				printf("op %ld: policy switch refused at %lu extents (limit %d)\n",
				       i, st.free_extents, LMM_REINDEX_MAX);
				return 1;
			}
		}
	}
	printf("%d allocations live before the final frees\n", nlive);
	while (nlive--) {
		lmm_free(&f.pool, f.base + live[nlive].off, live[nlive].size);
		lmm_free(&l.pool, l.base + live[nlive].off, live[nlive].size);
	}
	{
		struct lmm_stats st;

		lmm_stats(&f.pool, &st);
		if (st.free_bytes != ARENA || st.free_extents != 2 || lmm_check(&f.pool) ||
		    lmm_avail(&l.pool, 0) != ARENA || lmm_avail(&l.pool, 1) != ARENA / 8 ||
		    lmm_check(&l.pool)) {
			printf("not fully coalesced at the end: %zu bytes in %lu extents\n",
			       st.free_bytes, st.free_extents);
			return 1;
		}
	}
	free(f.base);
	free(l.base);
	printf("%ld operations, %ld model comparisons: ok\n", ops, checks);
	return 0;
}
