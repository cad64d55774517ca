// SPDX-License-Identifier: GPL-2.0
/*
 * lmm_bench: the LMM rows of bench/memlab_bench.c in user space, for
 * profiling (valgrind --tool=callgrind --cache-sim=yes) and for timing.
 *
 * The pool is built as comb_init() builds it: a buffer of 32 * n bytes plus
 * a 1 MiB tail, one region over all of it, the tail made free first, then n
 * free 16-byte extents at every other granule from the highest address
 * down.  A 48-byte request fits nowhere in the comb, so a first fit must get
 * past all of it.  The timed loop, lmm_bench_loop(), is comb_lmm_pair():
 * lmm_alloc_gen() of 48 bytes and lmm_free() of the answer, with the same
 * three request kinds (plain; 64-byte alignment and a range starting in the
 * comb's second half; that range without alignment).
 *
 *   lmm_bench [-k plain|align|range] [-p pairs] [-r reps] [-s seed] [-S salts]
 *             [-c] n...
 *
 * -c: no timing, just warm up and run the loop once for @pairs pairs (what
 * the profile collects: --toggle-collect=lmm_bench_collect), then print
 * the treap depths of the tail and of its predecessor.  Otherwise each
 * n is timed: the loop calibrated to about 20 ms, @reps repetitions, the
 * median ns per pair printed.  -s salts the region's treap (the kernel
 * salts it at random), -S runs that many salts and prints each.
 */
#include <time.h>
#include "lmm/lmm.h"

struct comb {
	struct lmm pool;
	struct lmm_region reg;
	char *buf;
	size_t size;
	unsigned int align_bits;
	bool ranged;
	uintptr_t lo;
};

static int comb_init(struct comb *x, unsigned long extents)
{
	unsigned long i;

	x->size = 32 * extents + (1UL << 20);
	x->buf = aligned_alloc(4096, x->size);
	if (!x->buf)
		return -ENOMEM;
	x->lo = (uintptr_t)x->buf + 32 * (extents / 2);
	lmm_init(&x->pool);
	if (lmm_set_policy(&x->pool, "fast") ||
	    lmm_add_region(&x->pool, &x->reg, x->buf, x->size, 0, 0) ||
	    lmm_add_free(&x->pool, x->buf + 32 * extents, 1UL << 20))
		return -EINVAL;
	for (i = extents; i-- > 0; )
		if (lmm_add_free(&x->pool, x->buf + 32 * i, 16))
			return -EINVAL;
	return 0;
}

static void comb_exit(struct comb *x)
{
	lmm_destroy(&x->pool);
	free(x->buf);
}

/* comb_lmm_pair() of bench/memlab_bench.c */
noinline void lmm_bench_loop(struct comb *x, unsigned long n)
{
	while (n--) {
		void *p = lmm_alloc_gen(&x->pool, 48, 0, x->align_bits, 0,
					x->ranged ? x->lo : 0,
					x->ranged ? UINTPTR_MAX - x->lo : UINTPTR_MAX);

		if (p)
			lmm_free(&x->pool, p, 48);
		else
			abort();
	}
}

/* what the profile collects (--toggle-collect): the loop after its warm-up */
noinline void lmm_bench_collect(struct comb *x, unsigned long n)
{
	lmm_bench_loop(x, n);
}

/*
 * Depth (root = 1) of the tail, the highest node: the treap's right spine,
 * which the timed pair walks, and of the comb's last extent, its
 * predecessor, that lmm_free() looks up.  These are the fast policy's
 * (treap) fields, read for the report only.
 */
static void comb_depths(const struct comb *x, unsigned int *tail, unsigned int *pred)
{
	const struct lmm_region *reg = &x->reg;
	u32 t = reg->root, last = LMM_NIL;

	for (*tail = 0; t != LMM_NIL; t = lmm_node(reg, t)->right) {
		++*tail;
		last = t;
	}
	/* the predecessor: the rightmost node of the tail's left subtree, or its parent */
	*pred = *tail - 1;
	for (t = last == LMM_NIL ? LMM_NIL : lmm_node(reg, last)->left; t != LMM_NIL;
	     t = lmm_node(reg, t)->right)
		*pred = *pred == *tail - 1 ? *tail + 1 : *pred + 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double time_comb(struct comb *x, unsigned int reps)
{
	unsigned long n = 1000;
	double t, v[64];
	unsigned int r;

	for (;;) {	/* calibrate: about 20 ms a repetition */
		t = now_ns();
		lmm_bench_loop(x, n);
		t = now_ns() - t;
		if (t > 20e6)
			break;
		n = t < 1e6 ? n * 10 : (unsigned long)(n * 25e6 / t);
	}
	for (r = 0; r < reps; r++) {
		t = now_ns();
		lmm_bench_loop(x, n);
		v[r] = (now_ns() - t) / n;
	}
	qsort(v, reps, sizeof(v[0]), cmp_double);
	return v[reps / 2];
}

int main(int argc, char **argv)
{
	unsigned long pairs = 100000, seed = 1, salts = 1;
	unsigned int reps = 7, align_bits = 0;
	bool ranged = false, collect = false;
	const char *kind = "plain";
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-c")) {
			collect = true;
			continue;
		}
		if (i + 1 == argc)
			goto usage;
		if (!strcmp(argv[i], "-k"))
			kind = argv[++i];
		else if (!strcmp(argv[i], "-p"))
			pairs = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-r"))
			reps = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s"))
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-S"))
			salts = strtoul(argv[++i], NULL, 0);
		else
			goto usage;
	}
	if (!strcmp(kind, "align")) {
		align_bits = 6;
		ranged = true;
	} else if (!strcmp(kind, "range")) {
		ranged = true;
	} else if (strcmp(kind, "plain")) {
		goto usage;
	}
	if (i == argc || !reps || reps > 64 || !salts)
		goto usage;
	for (; i < argc; i++) {
		unsigned long n = strtoul(argv[i], NULL, 0), s;

		for (s = 0; s < salts; s++) {
			struct comb x = { .align_bits = align_bits, .ranged = ranged };

			shim_random_seed(seed + s);
			if (comb_init(&x, n)) {
				fprintf(stderr, "comb of %lu extents: not built\n", n);
				return 1;
			}
			lmm_bench_loop(&x, 1000);	/* warm up */
			if (collect) {
				unsigned int dt, dp;

				lmm_bench_collect(&x, pairs);
				comb_depths(&x, &dt, &dp);
				printf("%s n=%lu salt=%lu: %lu pairs run; %s %u, %s %u\n",
				       kind, n, seed + s, pairs, "depth of the tail", dt,
				       "of its predecessor", dp);
			} else {
				printf("%s n=%lu salt=%lu: %.1f ns/pair\n", kind, n, seed + s,
				       time_comb(&x, reps));
			}
			if (lmm_check(&x.pool)) {
				fprintf(stderr, "lmm_check failed\n");
				return 1;
			}
			comb_exit(&x);
		}
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s [-k plain|align|range] [-p pairs] [-r reps] %s n...\n",
		argv[0], "[-s seed] [-S salts] [-c]");
	return 2;
}
