// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for lmm/lmm.c.
 *
 * Three pools - one per policy at first, each switchable at any time -
 * manage three 64 KiB buffers laid out alike (one to three regions with
 * random flags, priorities, gaps and unaligned ends), and receive the same
 * operations.  Each has its own model: a map of granules (free, allocated,
 * neither), the regions in search order, the live allocations with their
 * debug records, and every counter.  The model answers each request by
 * brute force - the lowest fitting address in the first region that has
 * one, or for best fit the lowest fitting address of the smallest fitting
 * extent - and the pool must give exactly that address, fail exactly when
 * it says, and refuse exactly the misuse it predicts, of the kind it
 * predicts: zero sizes, bad alignment, empty or wrapping ranges, frees
 * outside one region, of free or partly free memory, and in debug mode of
 * blocks never allocated or with another size; regions overlapping,
 * wrapping or too large.  Frees of parts of blocks, frees over removed
 * memory, lmm_add_free() over allocated memory (OSKit lets all three
 * happen), lmm_remove_free(), policy and debug switches, fault injection
 * and kmalloc() failures of the debug records are in the mix.  Debug mode
 * may come on only when every byte of every region is free (issue 11,
 * defect 7).  avail, find_free, stats, info, region info, the walk (whole
 * and in chunks from any address), the histogram, the dump and lmm_check()
 * are compared with the model periodically.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "lmm/lmm.h"

#define FL_POOLS	3
#define FL_ARENA	0x10000UL
#define FL_G		LMM_GRANULE
#define FL_NG		(FL_ARENA / FL_G)
#define FL_SPACING	0x100000UL	/* buffers 1 MiB apart and aligned */
#define FL_MAX_LIVE	1024
#define FL_MAX_REGS	6

enum { FL_NONE, FL_FREE, FL_ALLOC };

struct fl_live {
	uintptr_t addr;
	size_t size;
	bool recorded;
};

struct fl_reg {
	uintptr_t min, max;
	lmm_flags_t flags;
	lmm_pri_t pri;
};

struct fl_pool {
	struct lmm lmm;
	struct lmm_region storage[FL_MAX_REGS];
	uintptr_t base;
	u8 g[FL_NG];
	struct fl_reg reg[FL_MAX_REGS];
	unsigned int order[FL_MAX_REGS];	/* search order */
	unsigned int nr_regs;
	struct fl_live live[FL_MAX_LIVE];
	unsigned int nr_live;
	unsigned int policy;		/* index into fl_policy_names[] */
	bool debug;
	u64 allocs, frees, failures, injected, misuse[LMM_NR_MISUSE];
};

static struct {
	char *space;
	struct fl_pool p[FL_POOLS];
	bool hook_fire, hook_fired;
	uintptr_t removed_off, removed_size;	/* the last lmm_remove_free() */
} fl;

/* lmm's built-in policies, by name; two more values stand for unknown names */
static const char * const fl_policy_names[] = { "fast", "linear", "best_fit" };
#define FL_BEST_FIT		2
#define FL_NR_POLICIES		ARRAY_SIZE(fl_policy_names)

static inline uintptr_t fl_rd(uintptr_t a)
{
	return a & ~(FL_G - 1);
}

static bool fl_hook(void *arg)
{
	if (!fl.hook_fire)
		return false;
	fl.hook_fired = true;
	return true;
}

/* ------------------------------------------------------------------------
 * The model
 * ------------------------------------------------------------------------
 */

static FZ_NOCOV u8 *fl_gran(struct fl_pool *p, uintptr_t a)
{
	return &p->g[(a - p->base) / FL_G];
}

static bool fl_in_arena(const struct fl_pool *p, uintptr_t a0, uintptr_t a1)
{
	return a0 >= p->base && a1 <= p->base + FL_ARENA && a0 <= a1;
}

/* lmm_region_before(): priority descending, then size descending. */
static bool fl_before(const struct fl_reg *a, const struct fl_reg *b)
{
	if (a->pri != b->pri)
		return a->pri > b->pri;
	return a->max - a->min > b->max - b->min;
}

static void fl_insert_region(struct fl_pool *p, const struct fl_reg *r)
{
	unsigned int i, at, n = p->nr_regs;

	p->reg[n] = *r;
	for (at = 0; at < n && !fl_before(r, &p->reg[p->order[at]]); at++)
		;
	for (i = n; i > at; i--)
		p->order[i] = p->order[i - 1];
	p->order[at] = n;
	p->nr_regs++;
}

static int fl_region_of(const struct fl_pool *p, uintptr_t a0, uintptr_t a1)
{
	unsigned int i;

	for (i = 0; i < p->nr_regs; i++) {
		const struct fl_reg *r = &p->reg[p->order[i]];

		if (a0 >= r->min && a1 <= r->max)
			return p->order[i];
	}
	return -1;
}

/* lmm_fit_in(): the lowest address in [s, e) satisfying the request. */
static bool fl_fit(uintptr_t s, uintptr_t e, uintptr_t size, uintptr_t mask, uintptr_t phase,
		   uintptr_t lo, uintptr_t hi, uintptr_t *addr)
{
	uintptr_t a = max(s, lo), d = (phase - a) & mask;

	if (a + d < a)
		return false;
	a += d;
	if (a >= e || size > e - a || a >= hi || size > hi - a)
		return false;
	*addr = a;
	return true;
}

/* Brute force: 0 if nothing fits. */
static FZ_NOCOV uintptr_t fl_model_find(struct fl_pool *p, uintptr_t size, lmm_flags_t flags,
					uintptr_t mask, uintptr_t phase, uintptr_t lo,
					uintptr_t hi)
{
	unsigned int i;

	for (i = 0; i < p->nr_regs; i++) {
		const struct fl_reg *r = &p->reg[p->order[i]];
		uintptr_t s, e, a, best = 0, best_size = 0;

		if (flags & ~r->flags)
			continue;
		for (s = r->min; s < r->max; s = e) {
			if (*fl_gran(p, s) != FL_FREE) {
				e = s + FL_G;
				continue;
			}
			for (e = s; e < r->max && *fl_gran(p, e) == FL_FREE; e += FL_G)
				;
			if (!fl_fit(s, e, size, mask, phase, lo, hi, &a))
				continue;
			if (p->policy != FL_BEST_FIT)
				return a;
			if (!best || e - s < best_size) {
				best = a;
				best_size = e - s;
			}
		}
		if (best)
			return best;
	}
	return 0;
}

static FZ_NOCOV void fl_set(struct fl_pool *p, uintptr_t a0, uintptr_t a1, u8 v)
{
	for (; a0 < a1; a0 += FL_G)
		*fl_gran(p, a0) = v;
}

/* Granules of [a0, a1) that became free: allocations touching them are gone. */
static FZ_NOCOV void fl_forget(struct fl_pool *p, uintptr_t a0, uintptr_t a1)
{
	unsigned int k;

	for (k = 0; k < p->nr_live; ) {
		struct fl_live *l = &p->live[k];
		uintptr_t l0 = fl_rd(l->addr), l1 = fl_rd(l->addr + l->size - 1) + FL_G;

		if (l0 < a1 && a0 < l1) {
			*l = p->live[--p->nr_live];
			continue;
		}
		k++;
	}
}

static FZ_NOCOV unsigned long fl_count(struct fl_pool *p, uintptr_t a0, uintptr_t a1, u8 v)
{
	unsigned long n = 0;

	for (; a0 < a1; a0 += FL_G)
		n += *fl_gran(p, a0) == v;
	return n;
}

static FZ_NOCOV unsigned long fl_live_granules(struct fl_pool *p)
{
	return fl_count(p, p->base, p->base + FL_ARENA, FL_ALLOC);
}

/* ------------------------------------------------------------------------
 * Operations, each applied to every pool
 * ------------------------------------------------------------------------
 */

static void fl_alloc(struct fl_pool *p, uintptr_t size, lmm_flags_t flags, int bits,
		     uintptr_t ofs, uintptr_t in_min, uintptr_t in_size, unsigned int how)
{
	unsigned int fails = fz_kmalloc_failures;
	uintptr_t want = 0, mask, hi;
	int misuse = -1;
	void *got;

	fl.hook_fired = false;
	if (how == 1)
		got = FZ_CALL(lmm_alloc(&p->lmm, size, flags));
	else if (how == 2)
		got = FZ_CALL(lmm_alloc_aligned(&p->lmm, size, flags, bits, ofs));
	else if (how == 3)
		got = FZ_CALL(lmm_alloc_page(&p->lmm, flags));
	else
		got = FZ_CALL(lmm_alloc_gen(&p->lmm, size, flags, bits, ofs, in_min, in_size));
	if (!size)
		misuse = LMM_MISUSE_ZERO_SIZE;
	else if (bits < 0 || bits >= BITS_PER_LONG)
		misuse = LMM_MISUSE_BAD_ALIGN;
	else if (!in_size || (in_min + in_size < in_min && in_min + in_size))
		misuse = LMM_MISUSE_BAD_RANGE;
	if (misuse >= 0) {
		FZ_CHECK(!got, "alloc with bad arguments succeeded");
		p->misuse[misuse]++;
		return;
	}
	mask = (1UL << bits) - 1;
	hi = in_min + in_size ? in_min + in_size : UINTPTR_MAX;
	if (size <= UINTPTR_MAX - FL_G &&
	    (size + FL_G - 1) / FL_G <= LMM_REGION_MAX_GRANULES && !fl.hook_fired)
		want = fl_model_find(p, size, flags, mask, ofs & mask, in_min, hi);
	if (fl.hook_fired)
		p->injected++;
	/* no memory for the debug record: it may fail, or have had a spare */
	if (!got && want && p->debug && fz_kmalloc_failures != fails)
		want = 0;
	FZ_CHECK((uintptr_t)got == want,
		 "%s alloc(size %#lx, flags %u, bits %d, ofs %#lx, in [%#lx, +%#lx)): 0x%lx, model 0x%lx",
		 fl_policy_names[p->policy], (unsigned long)size, flags, bits, (unsigned long)ofs,
		 (unsigned long)(in_min - p->base), (unsigned long)in_size,
		 got ? (unsigned long)((uintptr_t)got - p->base) : 0UL,
		 want ? (unsigned long)(want - p->base) : 0UL);
	fz_trace("%s: alloc(%#lx, flags %u, bits %d) -> 0x%lx", fl_policy_names[p->policy],
		 (unsigned long)size, flags, bits,
		 got ? (unsigned long)((uintptr_t)got - p->base) : 0UL);
	if (!got) {
		p->failures++;
		return;
	}
	p->allocs++;
	fl_set(p, fl_rd(want), fl_rd(want + size - 1) + FL_G, FL_ALLOC);
	if (p->nr_live < FL_MAX_LIVE)
		p->live[p->nr_live++] = (struct fl_live){ want, size, p->debug };
}

/* The model's answer to lmm_free(); applies it on success. */
static FZ_NOCOV int fl_free_model(struct fl_pool *p, uintptr_t b, size_t size)
{
	uintptr_t a0, a1;
	unsigned long nfree;
	unsigned int k;
	int reg;

	if (!size)
		return LMM_MISUSE_ZERO_SIZE;
	a0 = fl_rd(b);
	a1 = fl_rd(b + size - 1) + FL_G;
	reg = b + size - 1 >= b && a1 ? fl_region_of(p, a0, a1) : -1;
	if (reg < 0)
		return LMM_MISUSE_OUTSIDE;
	nfree = fl_count(p, a0, a1, FL_FREE);
	if (nfree)
		return nfree == (a1 - a0) / FL_G ? LMM_MISUSE_DOUBLE_FREE : LMM_MISUSE_OVERLAP_FREE;
	if (p->debug) {
		for (k = 0; k < p->nr_live; k++)
			if (p->live[k].recorded && p->live[k].addr == b)
				break;
		if (k == p->nr_live)
			return LMM_MISUSE_NOT_ALLOCATED;
		if (p->live[k].size != size)
			return LMM_MISUSE_WRONG_SIZE;
	}
	fl_set(p, a0, a1, FL_FREE);
	fl_forget(p, a0, a1);
	return -1;
}

static void fl_free(struct fl_pool *p, uintptr_t b, size_t size)
{
	int want = fl_free_model(p, b, size);
	int ret = FZ_CALL(lmm_free(&p->lmm, (void *)b, size));

	fz_trace("%s: free(0x%lx, %#zx): %d, model %s", fl_policy_names[p->policy],
		 (unsigned long)(b - p->base), size, ret,
		 want < 0 ? "ok" : lmm_misuse_name(want));
	FZ_CHECK(want < 0 ? !ret : ret == -EINVAL, "%s: free(0x%lx, %#zx): %d, model %s",
		 fl_policy_names[p->policy], (unsigned long)(b - p->base), size, ret,
		 want < 0 ? "ok" : lmm_misuse_name(want));
	if (want < 0)
		p->frees++;
	else
		p->misuse[want]++;
}

static FZ_NOCOV void fl_add_free(struct fl_pool *p, uintptr_t b, size_t size)
{
	uintptr_t a0, a1, c0, c1;
	int bad = -1, ret;
	unsigned int i;

	ret = FZ_CALL(lmm_add_free(&p->lmm, (void *)b, size));
	fz_trace("%s: add_free(0x%lx, %#zx): %d", fl_policy_names[p->policy],
		 (unsigned long)(b - p->base), size, ret);
	if (b > UINTPTR_MAX - (FL_G - 1))
		goto done;
	a0 = fl_rd(b + FL_G - 1);
	a1 = fl_rd(b + size < b ? UINTPTR_MAX : b + size);
	if (a0 >= a1)
		goto done;
	for (i = 0; i < p->nr_regs && bad < 0; i++) {
		const struct fl_reg *r = &p->reg[p->order[i]];
		unsigned long n;

		c0 = max(a0, r->min);
		c1 = min(a1, r->max);
		if (c0 >= c1)
			continue;
		n = fl_count(p, c0, c1, FL_FREE);
		if (n == (c1 - c0) / FL_G)
			bad = LMM_MISUSE_DOUBLE_FREE;
		else if (n)
			bad = LMM_MISUSE_OVERLAP_FREE;
	}
	if (bad >= 0) {
		FZ_CHECK(ret == -EINVAL, "add_free over free memory: %d", ret);
		p->misuse[bad]++;
		return;
	}
	for (i = 0; i < p->nr_regs; i++) {
		const struct fl_reg *r = &p->reg[i];

		c0 = max(a0, r->min);
		c1 = min(a1, r->max);
		if (c0 >= c1)
			continue;
		fl_set(p, c0, c1, FL_FREE);
	}
	fl_forget(p, a0, a1);
done:
	FZ_CHECK(!ret, "add_free: %d", ret);
}

static FZ_NOCOV void fl_remove_free(struct fl_pool *p, uintptr_t b, size_t size)
{
	int ret = FZ_CALL(lmm_remove_free(&p->lmm, (void *)b, size));
	uintptr_t a0, a1, a;
	unsigned int i;

	fz_trace("%s: remove_free(0x%lx, %#zx): %d", fl_policy_names[p->policy],
		 (unsigned long)(b - p->base), size, ret);
	if (!size || b + size - 1 < b) {
		FZ_CHECK(ret == -EINVAL, "remove_free of a bad range: %d", ret);
		p->misuse[size ? LMM_MISUSE_BAD_RANGE : LMM_MISUSE_ZERO_SIZE]++;
		return;
	}
	FZ_CHECK(!ret, "remove_free: %d", ret);
	a0 = fl_rd(b);
	a1 = fl_rd(b + size - 1) + FL_G;
	for (i = 0; i < p->nr_regs; i++) {
		const struct fl_reg *r = &p->reg[i];

		for (a = max(a0, r->min); a < min(a1 ? a1 : UINTPTR_MAX, r->max); a += FL_G)
			if (*fl_gran(p, a) == FL_FREE)
				*fl_gran(p, a) = FL_NONE;
	}
}

static void fl_add_region(struct fl_pool *p, uintptr_t a, size_t size, lmm_flags_t flags,
			  lmm_pri_t pri)
{
	uintptr_t min, max = a + size;
	struct fl_reg r;
	unsigned int i;
	int ret, want = 0;

	if (p->nr_regs == FL_MAX_REGS)
		return;
	ret = FZ_CALL(lmm_add_region(&p->lmm, &p->storage[p->nr_regs], (void *)a, size, flags,
				     pri));
	if (max < a && !max)
		max = UINTPTR_MAX;
	min = a > UINTPTR_MAX - (FL_G - 1) ? UINTPTR_MAX : fl_rd(a + FL_G - 1);
	if (max < a) {
		want = -EINVAL;
	} else {
		max = fl_rd(max);
		if (min >= max)
			goto done;
		if ((max - min) / FL_G > LMM_REGION_MAX_GRANULES)
			want = -E2BIG;
		for (i = 0; i < p->nr_regs && !want; i++)
			if (min < p->reg[i].max && p->reg[i].min < max)
				want = -EINVAL;
	}
	if (want) {
		p->misuse[LMM_MISUSE_BAD_REGION]++;
		goto done;
	}
	FZ_CHECK(fl_in_arena(p, min, max), "a region outside the arena was accepted");
	r = (struct fl_reg){ .min = min, .max = max, .flags = flags, .pri = pri };
	fl_insert_region(p, &r);
done:
	FZ_CHECK(ret == want, "add_region(0x%lx, %#zx): %d, model %d",
		 (unsigned long)(a - p->base), size, ret, want);
}

static void fl_set_debug(struct fl_pool *p, bool on)
{
	unsigned int fails = fz_kmalloc_failures, k;
	unsigned long busy = 0;
	int ret = FZ_CALL(lmm_set_debug(&p->lmm, on));

	for (k = 0; k < p->nr_regs; k++)
		busy += (p->reg[k].max - p->reg[k].min) / FL_G -
			fl_count(p, p->reg[k].min, p->reg[k].max, FL_FREE);
	fz_trace("%s: set_debug %d: %d (%lu region granules not free, %lu allocated)",
		 fl_policy_names[p->policy], on, ret, busy, fl_live_granules(p));
	if (on && fz_kmalloc_failures != fails) {
		FZ_CHECK(ret == -ENOMEM, "set_debug without memory: %d", ret);
		return;
	}
	if (!on) {
		FZ_CHECK(!ret, "set_debug off: %d", ret);
		p->debug = false;
		for (k = 0; k < p->nr_live; k++)
			p->live[k].recorded = false;
		return;
	}
	if (p->debug) {
		FZ_CHECK(!ret, "set_debug on, again: %d", ret);
		return;
	}
	/* issue 11, defect 7: only with every byte of every region free */
	FZ_CHECK(ret == (busy ? -EBUSY : 0), "set_debug on with %lu region granules not free: %d",
		 busy, ret);
	p->debug = !ret;
}

/* ------------------------------------------------------------------------
 * Comparing the state
 * ------------------------------------------------------------------------
 */

struct fl_walk {
	struct fl_pool *p;
	uintptr_t next;			/* where the next extent may start */
	unsigned long extents;
};

/*
 * The model's next piece of free memory at or above @w->next, in address
 * order over all regions: a free extent, or the rest of the one holding
 * @w->next.
 */
static FZ_NOCOV bool fl_next_extent(struct fl_walk *w, uintptr_t *s, uintptr_t *e,
				    lmm_flags_t *flags)
{
	struct fl_pool *p = w->p;
	uintptr_t a = max(fl_rd(w->next + FL_G - 1), p->base);
	int r;

	if (w->next > UINTPTR_MAX - (FL_G - 1))
		return false;
	for (; a < p->base + FL_ARENA; a += FL_G) {
		if (*fl_gran(p, a) != FL_FREE)
			continue;
		r = fl_region_of(p, a, a + FL_G);
		if (r < 0)
			continue;
		*s = a;
		for (; a < p->reg[r].max && *fl_gran(p, a) == FL_FREE; a += FL_G)
			;
		*e = a;
		*flags = p->reg[r].flags;
		w->next = a;
		return true;
	}
	return false;
}

static FZ_NOCOV void fl_walk_fn(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct fl_walk *w = arg;
	uintptr_t s = 0, e = 0;
	lmm_flags_t f = 0;

	FZ_CHECK(fl_next_extent(w, &s, &e, &f), "walk: extent 0x%lx the model does not have",
		 (unsigned long)(start - w->p->base));
	FZ_CHECK(start == s && size == e - s && flags == f,
		 "walk: extent 0x%lx +%#zx flags %u, model 0x%lx +%#lx flags %u",
		 (unsigned long)(start - w->p->base), size, flags,
		 (unsigned long)(s - w->p->base), (unsigned long)(e - s), f);
	w->extents++;
}

static __printf(2, 3) void fl_print(void *arg, const char *fmt, ...)
{
	(*(unsigned long *)arg)++;
}

struct fl_step {
	struct fl_walk model;
	unsigned long seen;
	uintptr_t declined;
};

/* lmm_walk_free_from() step: each piece must be the model's next; sometimes declines. */
static FZ_NOCOV bool fl_step_fn(void *arg, uintptr_t start, size_t size, lmm_flags_t flags)
{
	struct fl_step *st = arg;
	struct fl_walk save = st->model;
	uintptr_t s = 0, e = 0;
	lmm_flags_t f = 0;

	FZ_CHECK(fl_next_extent(&st->model, &s, &e, &f) && start == s && size == e - s &&
		 flags == f, "walk_free_from: 0x%lx +%#zx, model 0x%lx +%#lx",
		 (unsigned long)(start - st->model.p->base), size,
		 (unsigned long)(s - st->model.p->base), (unsigned long)(e - s));
	if (fz_more() && fz_one_in(8)) {	/* never forever: not once the input is out */
		st->model = save;	/* declined: it comes again */
		st->declined = start;
		return false;
	}
	st->seen++;
	return true;
}

/* A listing in chunks from a random address must be the model's, piece by piece. */
static FZ_NOCOV void fl_check_chunks(struct fl_pool *p)
{
	uintptr_t from, ret, s, e;
	struct fl_step st = { .model = { .p = p } };
	unsigned long max, before;
	lmm_flags_t f;

	switch (fz_below(4)) {
	case 0:
		from = 0;
		break;
	case 1:
		from = UINTPTR_MAX - fz_below(FL_G);
		break;
	default:
		from = p->base + fz_below(FL_ARENA + FL_G);
		break;
	}
	st.model.next = from;
	for (;;) {
		max = 1 + fz_below(6);
		before = st.seen;
		st.declined = 0;
		ret = FZ_CALL(lmm_walk_free_from(&p->lmm, from, max, fl_step_fn, &st));
		if (st.declined) {
			FZ_CHECK(ret == st.declined, "walk_free_from: declined 0x%lx, got 0x%lx",
				 (unsigned long)st.declined, (unsigned long)ret);
		} else if (st.seen - before == max) {
			struct fl_walk peek = st.model;

			FZ_CHECK(fl_next_extent(&peek, &s, &e, &f) ? ret == s : ret == UINTPTR_MAX,
				 "walk_free_from: returned 0x%lx after a full chunk",
				 (unsigned long)ret);
		} else {
			FZ_CHECK(ret == UINTPTR_MAX, "walk_free_from: 0x%lx at the end",
				 (unsigned long)ret);
		}
		if (ret == UINTPTR_MAX)
			break;
		from = ret;
	}
	FZ_CHECK(!fl_next_extent(&st.model, &s, &e, &f), "walk_free_from: missed 0x%lx",
		 (unsigned long)(s - p->base));
}

/* lmm_info() and lmm_region_info() against the model. */
static void fl_check_info(struct fl_pool *p)
{
	struct lmm_region_info ri;
	struct lmm_info info;
	unsigned int i;

	FZ_VCALL(lmm_info(&p->lmm, &info));
	FZ_CHECK(!strcmp(info.name, "fuzz") && !strcmp(info.policy, fl_policy_names[p->policy]) &&
		 info.debug == p->debug &&
		 info.nr_regions == p->nr_regs, "lmm_info");
	for (i = 0; i <= p->nr_regs; i++) {
		int ret = FZ_CALL(lmm_region_info(&p->lmm, i, &ri));
		const struct fl_reg *r = &p->reg[p->order[i]];

		if (i == p->nr_regs) {
			FZ_CHECK(ret == -ENOENT, "region_info past the last: %d", ret);
			break;
		}
		FZ_CHECK(!ret && ri.min == r->min && ri.max == r->max && ri.flags == r->flags &&
			 ri.pri == r->pri &&
			 ri.free == fl_count(p, r->min, r->max, FL_FREE) * FL_G,
			 "region_info(%u): [0x%lx, 0x%lx) flags %u pri %d free %zu", i,
			 (unsigned long)(ri.min - p->base), (unsigned long)(ri.max - p->base),
			 ri.flags, ri.pri, ri.free);
	}
}

static FZ_NOCOV void fl_check_pool(struct fl_pool *p)
{
	struct fl_walk w = { .p = p };
	struct lmm_histogram h;
	struct lmm_stats st;
	unsigned long extents = 0, records = 0, lines = 0;
	size_t nfree = 0, largest = 0, avail;
	uintptr_t s, e, a;
	lmm_flags_t f, flags;
	unsigned int k;
	size_t fsize;

	FZ_CHECK(!FZ_CALL(lmm_check(&p->lmm)), "lmm_check (%s)", fl_policy_names[p->policy]);
	FZ_VCALL(lmm_walk_free(&p->lmm, fl_walk_fn, &w));
	FZ_CHECK(!fl_next_extent(&w, &s, &e, &f), "walk: model extent 0x%lx missing",
		 (unsigned long)(s - p->base));
	w = (struct fl_walk){ .p = p };
	while (fl_next_extent(&w, &s, &e, &f)) {
		extents++;
		nfree += e - s;
		largest = max_t(size_t, largest, e - s);
	}
	FZ_VCALL(lmm_stats(&p->lmm, &st));
	for (k = 0; k < p->nr_live; k++)
		records += p->live[k].recorded;
	FZ_CHECK(st.free_bytes == nfree && st.free_extents == extents && st.largest_free == largest,
		 "stats: %zu free in %lu extents, largest %zu; model %zu in %lu, %zu",
		 st.free_bytes, st.free_extents, st.largest_free, nfree, extents, largest);
	FZ_CHECK(st.allocs == p->allocs && st.frees == p->frees && st.failures == p->failures &&
		 st.injected == p->injected && st.nr_regions == p->nr_regs &&
		 !strcmp(st.policy, fl_policy_names[p->policy]) && st.debug == p->debug &&
		 (!p->debug || st.debug_records == records),
		 "stats: allocs %llu frees %llu failures %llu injected %llu regions %lu records %lu; model %llu %llu %llu %llu %u %lu",
		 st.allocs, st.frees, st.failures, st.injected, st.nr_regions, st.debug_records,
		 p->allocs, p->frees, p->failures, p->injected, p->nr_regs, records);
	for (k = 0; k < LMM_NR_MISUSE; k++)
		FZ_CHECK(st.misuse[k] == p->misuse[k], "misuse %s: %llu, model %llu",
			 lmm_misuse_name(k), st.misuse[k], p->misuse[k]);
	FZ_VCALL(lmm_histogram(&p->lmm, &h));
	FZ_CHECK(h.free == nfree && h.extents == extents && h.largest == largest, "histogram");
	for (flags = 0; flags < 4; flags++) {
		avail = 0;
		for (k = 0; k < p->nr_regs; k++)
			if (!(flags & ~p->reg[k].flags))
				avail += fl_count(p, p->reg[k].min, p->reg[k].max, FL_FREE) * FL_G;
		FZ_CHECK(FZ_CALL(lmm_avail(&p->lmm, flags)) == avail, "avail(%u)", flags);
	}
	/* find_free from a random point */
	a = p->base + fz_below(FL_ARENA + FL_G);
	s = a;
	FZ_VCALL(lmm_find_free(&p->lmm, &s, &fsize, &f));
	a = fl_rd(a + FL_G - 1);
	for (e = a; e < p->base + FL_ARENA; e += FL_G)
		if (*fl_gran(p, e) == FL_FREE && fl_region_of(p, e, e + FL_G) >= 0)
			break;
	if (e >= p->base + FL_ARENA) {
		FZ_CHECK(s == UINTPTR_MAX && !fsize, "find_free found 0x%lx", (unsigned long)s);
	} else {
		int r = fl_region_of(p, e, e + FL_G);
		uintptr_t end = e;

		while (end < p->reg[r].max && *fl_gran(p, end) == FL_FREE)
			end += FL_G;
		FZ_CHECK(s == e && fsize == end - e && f == p->reg[r].flags,
			 "find_free(0x%lx): 0x%lx +%#zx, model 0x%lx +%#lx",
			 (unsigned long)(a - p->base), (unsigned long)(s - p->base), fsize,
			 (unsigned long)(e - p->base), (unsigned long)(end - e));
	}
	FZ_VCALL(lmm_dump(&p->lmm, fl_print, &lines));
	FZ_CHECK(lines, "dump printed nothing");
	fl_check_chunks(p);
	fl_check_info(p);
}

/* ------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------
 */

static void fl_setup(void)
{
	uintptr_t cut[4], a;
	unsigned int n, i, k;
	char *space = fl.space;

	memset(&fl, 0, sizeof(fl));
	fl.space = space;
	for (k = 0; k < FL_POOLS; k++) {
		struct fl_pool *p = &fl.p[k];

		p->base = ALIGN((uintptr_t)fl.space, FL_SPACING) + k * FL_SPACING;
		lmm_init(&p->lmm);
		lmm_set_name(&p->lmm, "fuzz");
		p->policy = k;
		FZ_CHECK(!lmm_set_policy(&p->lmm, fl_policy_names[k]), "set_policy");
		lmm_set_fault_hook(&p->lmm, fl_hook, NULL);
	}
	/* one to three regions, with gaps and unaligned ends */
	n = 1 + fz_below(3);
	cut[0] = 0;
	for (i = 1; i < n; i++)
		cut[i] = cut[i - 1] + fz_below(FL_ARENA - cut[i - 1]);
	cut[n] = FL_ARENA;
	for (i = 0; i < n; i++) {
		uintptr_t lo = cut[i] + (fz_one_in(4) ? fz_below(64) : 0);
		uintptr_t hi = cut[i + 1] - (fz_one_in(4) ? fz_below(64) : 0);
		lmm_flags_t flags = fz_below(4);
		lmm_pri_t pri = (int)fz_below(3) - 1;

		if (hi <= lo)
			continue;
		for (k = 0; k < FL_POOLS; k++)
			fl_add_region(&fl.p[k], fl.p[k].base + lo, hi - lo, flags, pri);
	}
	/* free memory: all of it, or pieces */
	a = fz_one_in(3) ? fz_below(FL_ARENA) : 0;
	for (k = 0; k < FL_POOLS; k++)
		fl_add_free(&fl.p[k], fl.p[k].base + a, FL_ARENA - a);
	if (fz_one_in(2))
		for (k = 0; k < FL_POOLS; k++)
			fl_set_debug(&fl.p[k], true);
	fz_trace("setup: %u regions, %u in the model", n, fl.p[0].nr_regs);
}

static uintptr_t fl_size(void)
{
	switch (fz_below(16)) {
	case 0:
		return 0;
	case 1:
		return UINTPTR_MAX - fz_below(64);
	case 2:
		return FL_ARENA / 2 + fz_below(FL_ARENA);
	default:
		return fz_size(FL_ARENA / 4);
	}
}

static void fl_op_alloc(void)
{
	uintptr_t size = fl_size(), ofs = fz_one_in(2) ? 0 : fz_u64(), lo = 0, len = UINTPTR_MAX;
	lmm_flags_t flags = fz_one_in(2) ? 0 : fz_below(4);
	unsigned int how = fz_below(8), r = fz_below(8), k;
	bool local = false;
	int bits;

	switch (fz_below(8)) {
	case 0:
		bits = fz_one_in(2) ? -1 - (int)fz_below(4) : BITS_PER_LONG + (int)fz_below(64);
		break;
	case 1:
		bits = 20 + fz_below(BITS_PER_LONG - 20);
		break;
	case 2 ... 4:
		bits = 0;
		break;
	default:
		bits = fz_below(20);
		break;
	}
	switch (r) {
	case 0:		/* inside the arena */
		lo = fz_below(FL_ARENA);
		len = 1 + fz_below(FL_ARENA - lo + 64);
		local = true;
		break;
	case 1:		/* exactly here */
		lo = fz_below(FL_ARENA);
		len = size;
		local = true;
		break;
	case 2:		/* empty or wrapping */
		if (fz_one_in(2)) {
			lo = fz_below(FL_ARENA);
			len = 0;
			local = true;
		} else {
			lo = UINTPTR_MAX - fz_below(64);
			len = 64 + fz_below(64);
		}
		break;
	case 3:		/* ending exactly at the top of the address space */
		lo = fz_below(FL_ARENA);
		len = 0;
		break;
	default:
		break;
	}
	fl.hook_fire = fz_one_in(32);
	for (k = 0; k < FL_POOLS; k++) {
		struct fl_pool *p = &fl.p[k];
		uintptr_t in_min = local ? p->base + lo : lo, in_size = len;

		if (r == 3)
			in_size = -(p->base + lo);
		int b = bits;
		uintptr_t sz = size, o = ofs;

		if (fz_one_in(8))
			fz_fail_kmalloc(1);	/* the debug record */
		if (how != 0 && how < 6) {	/* the simpler entry points, and no range */
			in_min = 0;
			in_size = UINTPTR_MAX;
		}
		if (how == 1) {
			b = 0;
			o = 0;
		} else if (how == 3) {
			sz = PAGE_SIZE;
			b = PAGE_SHIFT;
			o = 0;
		}
		fl_alloc(p, sz, flags, b, o, in_min, in_size, how <= 3 ? how : 0);
		fz_fail_kmalloc(0);
	}
	fl.hook_fire = false;
}

static void fl_op_free(void)
{
	unsigned int k, pick = fz_u16(), how = fz_below(4);
	uintptr_t cut = fz_u16(), len = fz_u16();

	for (k = 0; k < FL_POOLS; k++) {
		struct fl_pool *p = &fl.p[k];
		struct fl_live l;
		uintptr_t b;
		size_t s;

		if (!p->nr_live)
			continue;
		l = p->live[pick % p->nr_live];
		switch (how) {
		case 0:		/* a part of it: OSKit allows it, debug mode refuses */
			b = l.addr + cut % l.size;
			s = 1 + len % (l.addr + l.size - b);
			fl_free(p, b, s);
			break;
		case 1:		/* with the wrong size */
			fl_free(p, l.addr, 1 + len % (l.size + 64));
			break;
		default:
			fl_free(p, l.addr, l.size);
			break;
		}
	}
}

static void fl_op_misuse(void)
{
	uintptr_t off = fz_below(FL_ARENA + 256), size = fz_size(FL_ARENA / 4);
	unsigned int k, how = fz_below(8), pick = fz_u16();

	if (how == 3) {
		fl.removed_off = off;
		fl.removed_size = size;
	}

	for (k = 0; k < FL_POOLS; k++) {
		struct fl_pool *p = &fl.p[k];
		uintptr_t b = p->base + off;

		switch (how) {
		case 0:
			fl_free(p, b, 0);
			break;
		case 1:		/* outside the arena, or wrapping */
			fl_free(p, fz_one_in(2) ? p->base - 4096 : UINTPTR_MAX - 8, size);
			break;
		case 2:
			fl_add_free(p, b, size);
			break;
		case 3:
			fl_remove_free(p, b, fz_one_in(8) ? 0 : size);
			break;
		case 4:		/* a region: overlapping, too large, wrapping, in a gap */
			switch (fz_below(4)) {
			case 0:
				if (off < FL_ARENA)
					fl_add_region(p, b, min(size, FL_ARENA - off), 0, 0);
				break;
			case 1:
				fl_add_region(p, p->base + 4 * FL_SPACING,
					      (LMM_REGION_MAX_GRANULES + 1) * FL_G, 0, 0);
				break;
			case 2:
				fl_add_region(p, UINTPTR_MAX - 4096, 8192, 0, 0);
				break;
			default:
				fl_add_region(p, b, fz_below(FL_G), 0, 0);
				break;
			}
			break;
		case 5:		/* a free of memory lmm_remove_free() took: OSKit allows it */
			if (fl.removed_size)
				fl_free(p, p->base + fl.removed_off, fl.removed_size);
			break;
		case 6:		/* lmm_add_free() over a live block: OSKit allows it too */
			if (p->nr_live)
				fl_add_free(p, p->live[pick % p->nr_live].addr,
					    p->live[pick % p->nr_live].size);
			break;
		default:	/* any range: the model knows what must happen */
			fl_free(p, b, size);
			break;
		}
	}
}

static void fl_op_knob(void)
{
	unsigned int k, how = fz_below(5), v = fz_below(FL_NR_POLICIES + 2);
	const char *name;
	bool on = fz_one_in(2), fail = fz_one_in(8);

	for (k = 0; k < FL_POOLS; k++) {
		struct fl_pool *p = &fl.p[k];
		int ret;

		switch (how) {
		case 0:		/* every pool its own policy */
			v = (v + 1) % (FL_NR_POLICIES + 2);
			name = v < FL_NR_POLICIES ? fl_policy_names[v] :
			       v == FL_NR_POLICIES ? "slowest" : "";
			ret = FZ_CALL(lmm_set_policy(&p->lmm, name));
			FZ_CHECK(v < FL_NR_POLICIES ? !ret : ret == -EINVAL, "set_policy(%u): %d",
				 v, ret);
			if (!ret)
				p->policy = v;
			break;
		case 1:
			if (fail)
				fz_fail_kmalloc(1);
			fl_set_debug(p, on);
			fz_fail_kmalloc(0);
			break;
		default:
			fl_check_pool(p);
			break;
		}
	}
	FZ_CHECK(!strcmp(lmm_misuse_name(LMM_NR_MISUSE), "?"), "names of unknown values");
}

const char *fz_name = "lmm";

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int k;

	if (!fl.space) {
		fl.space = mmap(NULL, (FL_POOLS + 1) * FL_SPACING, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (fl.space == MAP_FAILED)
			abort();
	}
	fz_begin(data, size);
	fl_setup();
	while (fz_more()) {
		fz_op_index++;
		switch (fz_below(16)) {
		case 0 ... 5:
			fl_op_alloc();
			break;
		case 6 ... 9:
			fl_op_free();
			break;
		case 10 ... 12:
			fl_op_misuse();
			break;
		default:
			fl_op_knob();
			break;
		}
		if (!(fz_op_index % 64))
			for (k = 0; k < FL_POOLS; k++)
				fl_check_pool(&fl.p[k]);
	}
	for (k = 0; k < FL_POOLS; k++) {
		fl_check_pool(&fl.p[k]);
		FZ_VCALL(lmm_destroy(&fl.p[k].lmm));
	}
	fz_end();
	return 0;
}
