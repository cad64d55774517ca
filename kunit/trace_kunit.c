// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_trace": the memlab: trace events, as a probe sees them.
 *
 * Each case attaches probes to the events (register_trace_memlab_*(), as
 * any tracer does), calls one layer's entry points, detaches, and checks
 * the events recorded: one per call, failed and refused calls included, in
 * the order the header promises, with the fields the caller can check
 * (pointer, sizes, order, offset, flags, pool name, misuse kind) and a
 * call_site in the case's own function.  Events of other pools are ignored: the probes
 * keep only names that start with "trace-kunit".
 *
 * Fixture: a 1 MiB vmalloc buffer, an LMM pool over it, a pages instance
 * (max order 4, one zone), a generic allocator, a slice pool of 24-byte
 * objects and a vm instance over the pages.  Deliberate misuse is counted
 * through the layers' named resources; the exit checks the counts and the
 * validators, and gives everything back.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "module/fault.h"
#include "common/memlab_trace.h"
#include "kunit/memlab_kunit.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "vm/vm.h"

#define TK_BUF		(1024 * 1024)
#define TK_ORDER	4
#define TK_NAME		"trace-kunit"
#define TK_EVENTS	64		/* events one case records, at most */

enum tk_type {
	TK_LMM_ALLOC, TK_SLICE_ALLOC, TK_GENERIC_ALLOC, TK_VM_ALLOC,
	TK_LMM_FREE, TK_SLICE_FREE, TK_GENERIC_FREE, TK_VM_FREE,
	TK_PAGES_ALLOC, TK_PAGES_FREE, TK_MISUSE, TK_FAULT, TK_NR_TYPES
};

/* One event as a probe saw it; strings are the layers' own, static or long-lived. */
struct tk_event {
	enum tk_type type;
	unsigned long call_site;
	const void *ptr;
	size_t req;		/* bytes_req; misuse: size */
	size_t got;		/* bytes_alloc; pages: the order; misuse: offset */
	unsigned long offset;	/* pages: offset; fault: the call's number */
	u32 flags;		/* fault: the reason */
	const char *name;	/* pool or instance; misuse, fault: the layer */
	const char *kind;	/* misuse: the kind */
};

struct tk_log {
	atomic_t n;
	struct tk_event ev[TK_EVENTS];
};

struct trace_fixture {
	struct lmm lmm;
	struct lmm_region region;
	char *buf;
	size_t avail0;
	struct memlab_pages *mp;
	struct memlab_generic *g;
	struct memlab_slice_pool *pool;
	struct memlab_vm *vm;
	struct tk_log log;
	bool attached;
	struct memlab_misuse_log misuse[4];	/* lmm, pages, slice, vm */
	int expected[4];
	struct kunit_resource res[4];
};

static const char * const tk_misuse_res[] = {
	"lmm_misuse", "pages_misuse", "slice_misuse", "vm_misuse",
};

static const struct memlab_zone_desc tk_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
};

/* ---- probes ------------------------------------------------------------- */

/* A slot for one more event of ours, or NULL (not ours, or the log is full). */
static struct tk_event *tk_slot(void *data, const char *name, enum tk_type type)
{
	struct tk_log *log = data;
	int i;

	if (!name || strncmp(name, TK_NAME, strlen(TK_NAME)))
		return NULL;
	i = atomic_inc_return(&log->n) - 1;
	if (i >= TK_EVENTS)
		return NULL;
	log->ev[i].type = type;
	return &log->ev[i];
}

static void tk_alloc(struct tk_log *log, enum tk_type type, unsigned long call_site,
		     const char *name, const void *ptr, size_t req, size_t got, u32 flags)
{
	struct tk_event *e = tk_slot(log, name, type);

	if (e)
		*e = (struct tk_event) { .type = type, .call_site = call_site, .ptr = ptr,
					 .req = req, .got = got, .flags = flags, .name = name };
}

#define TK_ALLOC_PROBE(layer, type)							\
static void tk_##layer##_alloc(void *data, unsigned long call_site, const char *name,	\
			       const void *ptr, size_t req, size_t got, u32 flags)	\
{											\
	tk_alloc(data, type, call_site, name, ptr, req, got, flags);			\
}											\
static void tk_##layer##_free(void *data, unsigned long call_site, const char *name,	\
			      const void *ptr)						\
{											\
	tk_alloc(data, type + TK_LMM_FREE, call_site, name, ptr, 0, 0, 0);		\
}

TK_ALLOC_PROBE(lmm, TK_LMM_ALLOC)
TK_ALLOC_PROBE(slice, TK_SLICE_ALLOC)
TK_ALLOC_PROBE(generic, TK_GENERIC_ALLOC)
TK_ALLOC_PROBE(vm, TK_VM_ALLOC)

static void tk_pages(struct tk_log *log, enum tk_type type, unsigned long call_site,
		     const char *name, const void *ptr, unsigned long offset,
		     unsigned int order, u32 flags)
{
	struct tk_event *e = tk_slot(log, name, type);

	if (e)
		*e = (struct tk_event) { .type = type, .call_site = call_site, .ptr = ptr,
					 .got = order, .offset = offset, .flags = flags,
					 .name = name };
}

static void tk_pages_alloc(void *data, unsigned long call_site, const char *name,
			   const void *ptr, unsigned long offset, unsigned int order, u32 flags)
{
	tk_pages(data, TK_PAGES_ALLOC, call_site, name, ptr, offset, order, flags);
}

static void tk_pages_free(void *data, unsigned long call_site, const char *name,
			  const void *ptr, unsigned long offset, unsigned int order, u32 flags)
{
	tk_pages(data, TK_PAGES_FREE, call_site, name, ptr, offset, order, flags);
}

static void tk_misuse(void *data, const char *layer, const char *name, const char *kind,
		      const void *ptr, size_t size, long offset)
{
	struct tk_event *e = tk_slot(data, name, TK_MISUSE);

	if (e)
		*e = (struct tk_event) { .type = TK_MISUSE, .ptr = ptr, .req = size,
					 .got = offset, .name = layer, .kind = kind };
}

static void tk_fault(void *data, unsigned long call_site, const char *layer, u64 call,
		     int reason)
{
	struct tk_event *e = tk_slot(data, layer, TK_FAULT);

	if (e)
		*e = (struct tk_event) { .type = TK_FAULT, .call_site = call_site,
					 .offset = call, .flags = reason, .name = layer };
}

static void tk_detach(struct trace_fixture *fx)
{
	if (!fx->attached)
		return;
	fx->attached = false;
	unregister_trace_memlab_lmm_alloc(tk_lmm_alloc, &fx->log);
	unregister_trace_memlab_lmm_free(tk_lmm_free, &fx->log);
	unregister_trace_memlab_slice_alloc(tk_slice_alloc, &fx->log);
	unregister_trace_memlab_slice_free(tk_slice_free, &fx->log);
	unregister_trace_memlab_generic_alloc(tk_generic_alloc, &fx->log);
	unregister_trace_memlab_generic_free(tk_generic_free, &fx->log);
	unregister_trace_memlab_vm_alloc(tk_vm_alloc, &fx->log);
	unregister_trace_memlab_vm_free(tk_vm_free, &fx->log);
	unregister_trace_memlab_pages_alloc(tk_pages_alloc, &fx->log);
	unregister_trace_memlab_pages_free(tk_pages_free, &fx->log);
	unregister_trace_memlab_misuse(tk_misuse, &fx->log);
	unregister_trace_memlab_fault_inject(tk_fault, &fx->log);
	/* no probe runs any more when this returns: the log may go */
	tracepoint_synchronize_unregister();
}

/* Attach every probe, with an empty log; skips the case without tracepoints. */
static void tk_attach(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	void *d = &fx->log;
	int ret;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "the kernel has no tracepoints (CONFIG_TRACEPOINTS)");
	atomic_set(&fx->log.n, 0);
	ret = register_trace_memlab_lmm_alloc(tk_lmm_alloc, d);
	KUNIT_ASSERT_EQ(test, ret, 0);
	fx->attached = true;
	ret = register_trace_memlab_lmm_free(tk_lmm_free, d) ?:
	      register_trace_memlab_slice_alloc(tk_slice_alloc, d) ?:
	      register_trace_memlab_slice_free(tk_slice_free, d) ?:
	      register_trace_memlab_generic_alloc(tk_generic_alloc, d) ?:
	      register_trace_memlab_generic_free(tk_generic_free, d) ?:
	      register_trace_memlab_vm_alloc(tk_vm_alloc, d) ?:
	      register_trace_memlab_vm_free(tk_vm_free, d) ?:
	      register_trace_memlab_pages_alloc(tk_pages_alloc, d) ?:
	      register_trace_memlab_pages_free(tk_pages_free, d) ?:
	      register_trace_memlab_misuse(tk_misuse, d) ?:
	      register_trace_memlab_fault_inject(tk_fault, d);
	if (ret)
		tk_detach(fx);	/* unregistering a probe never registered is harmless */
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* The events of @type the log holds, in order, after tk_detach(). */
static unsigned int tk_select(struct trace_fixture *fx, enum tk_type type,
			      const struct tk_event **out, unsigned int max)
{
	unsigned int i, k = 0, n = min(atomic_read(&fx->log.n), TK_EVENTS);

	for (i = 0; i < n; i++)
		if (fx->log.ev[i].type == type && k < max)
			out[k++] = &fx->log.ev[i];
	return k;
}

/* The position of an event in the log, to check the order of two events. */
static long tk_pos(struct trace_fixture *fx, const struct tk_event *e)
{
	return e - fx->log.ev;
}

/*
 * Whether @call_site lies in function @fn, by name (without kallsyms every
 * address passes).
 */
static bool tk_in(struct kunit *test, unsigned long call_site, const void *fn)
{
	char *got, *want;

	if (!IS_ENABLED(CONFIG_KALLSYMS))
		return true;
	got = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	want = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, want);
	snprintf(got, KSYM_SYMBOL_LEN, "%ps", (void *)call_site);
	snprintf(want, KSYM_SYMBOL_LEN, "%ps", fn);
	if (strcmp(got, want))
		kunit_info(test, "call_site in %s, not %s", got, want);
	return !strcmp(got, want);
}

/* ---- fixture --------------------------------------------------------------- */

static int trace_suite_init(struct kunit *test)
{
	struct trace_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	unsigned int i;
	int ret;

	if (!fx)
		return -ENOMEM;
	fx->buf = vmalloc(TK_BUF);
	if (!fx->buf)
		return -ENOMEM;
	test->priv = fx;
	lmm_init(&fx->lmm);
	lmm_set_name(&fx->lmm, TK_NAME);
	if (lmm_add_region(&fx->lmm, &fx->region, fx->buf, TK_BUF, 0, 0) ||
	    lmm_add_free(&fx->lmm, fx->buf, TK_BUF))
		return -EINVAL;
	fx->avail0 = lmm_avail(&fx->lmm, 0);
	fx->mp = memlab_pages_create(TK_NAME, &fx->lmm, fx->buf, TK_BUF, TK_ORDER,
				     tk_zones, ARRAY_SIZE(tk_zones));
	if (IS_ERR(fx->mp))
		return PTR_ERR(fx->mp);
	fx->g = memlab_generic_create(fx->mp, TK_NAME, 0);
	if (IS_ERR(fx->g))
		return PTR_ERR(fx->g);
	fx->pool = memlab_slice_create(fx->mp, TK_NAME "-pool", 24, 0, 0, 0, NULL);
	if (IS_ERR(fx->pool))
		return PTR_ERR(fx->pool);
	fx->vm = memlab_vm_create(fx->mp, TK_NAME);
	if (IS_ERR(fx->vm))
		return PTR_ERR(fx->vm);
	for (i = 0; i < ARRAY_SIZE(tk_misuse_res); i++) {
		ret = memlab_kunit_misuse_log(test, &fx->res[i], tk_misuse_res[i],
					      &fx->misuse[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void trace_suite_exit(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	unsigned int i;

	if (!fx || !fx->buf)
		return;
	tk_detach(fx);
	for (i = 0; i < ARRAY_SIZE(fx->misuse); i++)
		KUNIT_EXPECT_EQ_MSG(test, fx->misuse[i].count, fx->expected[i], "%s",
				    tk_misuse_res[i]);
	if (!IS_ERR_OR_NULL(fx->vm))
		KUNIT_EXPECT_EQ(test, memlab_vm_destroy(fx->vm), 0);
	if (!IS_ERR_OR_NULL(fx->pool)) {
		KUNIT_EXPECT_EQ(test, memlab_slice_check(fx->pool), 0);
		memlab_slice_teardown(fx->pool);
	}
	if (!IS_ERR_OR_NULL(fx->g)) {
		KUNIT_EXPECT_EQ(test, memlab_generic_check(fx->g), 0);
		memlab_generic_teardown(fx->g);
	}
	if (!IS_ERR_OR_NULL(fx->mp)) {
		KUNIT_EXPECT_EQ_MSG(test, memlab_pages_check(fx->mp), 0, "pages validator");
		KUNIT_EXPECT_EQ(test, memlab_pages_teardown(fx->mp), 0);
		KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0,
				    "all memory back in the LMM");
	}
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->lmm), 0, "lmm validator");
	lmm_destroy(&fx->lmm);
	vfree(fx->buf);
}

/* ---- cases ------------------------------------------------------------------ */

/*
 * lmm: an allocation, one of size 0 (misuse, then a failed allocation), a
 * free and a double free (a free event, then the misuse).
 * Expect 2 alloc events, 2 free events and 2 misuse events, in call order.
 */
static void trace_lmm(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	const struct tk_event *a[4], *f[4], *m[4];
	void *p, *zero;

	tk_attach(test);
	/* lmm_alloc_gen() itself: its wrappers are tail calls only without frame pointers */
	p = lmm_alloc_gen(&fx->lmm, 100, 0, 0, 0, 0, UINTPTR_MAX);
	zero = lmm_alloc_gen(&fx->lmm, 0, 0, 0, 0, 0, UINTPTR_MAX);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->lmm, p, 100), 0);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->lmm, p, 100), -EINVAL);
	tk_detach(fx);
	fx->expected[0] = 2;
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, zero);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_LMM_ALLOC, a, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, a[0]->ptr, p);
	KUNIT_EXPECT_EQ(test, a[0]->req, 100);
	KUNIT_EXPECT_EQ(test, a[0]->got, ALIGN(100, LMM_GRANULE));	/* p is granule aligned */
	KUNIT_EXPECT_STREQ(test, a[0]->name, TK_NAME);
	KUNIT_EXPECT_TRUE(test, tk_in(test, a[0]->call_site, trace_lmm));
	KUNIT_EXPECT_NULL(test, a[1]->ptr);
	KUNIT_EXPECT_EQ(test, a[1]->got, 0);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_LMM_FREE, f, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, f[0]->ptr, p);
	KUNIT_EXPECT_PTR_EQ(test, f[1]->ptr, p);
	KUNIT_EXPECT_TRUE(test, tk_in(test, f[1]->call_site, trace_lmm));

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_MISUSE, m, 4), 2);
	KUNIT_EXPECT_STREQ(test, m[0]->name, "lmm");
	KUNIT_EXPECT_STREQ(test, m[0]->kind, lmm_misuse_name(LMM_MISUSE_ZERO_SIZE));
	KUNIT_EXPECT_LT(test, tk_pos(fx, m[0]), tk_pos(fx, a[1]));	/* counted, then returned */
	KUNIT_EXPECT_PTR_EQ(test, m[1]->ptr, p);
	KUNIT_EXPECT_EQ(test, m[1]->req, 100);
	KUNIT_EXPECT_GT(test, tk_pos(fx, m[1]), tk_pos(fx, f[1]));	/* free traced on entry */
}

/*
 * pages: an order-2 block by address and an order-0 page by descriptor,
 * freed the same ways, and an order above the maximum.
 * Expect the addresses, offsets into the span, orders and sizes; the bad
 * order is a misuse event and a failed allocation of that order.
 */
static void trace_pages(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	const struct tk_event *a[4], *f[4], *m[2];
	struct memlab_page *pg, *bad;
	void *blk, *pga;

	tk_attach(test);
	blk = memlab_get_pages(fx->mp, 0, 2);
	pg = memlab_alloc_pages(fx->mp, 0, 0);
	bad = memlab_alloc_pages(fx->mp, 0, TK_ORDER + 1);
	pga = pg ? memlab_page_to_addr(fx->mp, pg) : NULL;
	KUNIT_EXPECT_EQ(test, memlab_put_pages(fx->mp, blk), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(fx->mp, pg), 0);
	tk_detach(fx);
	fx->expected[1] = 1;
	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_ASSERT_NOT_NULL(test, pg);
	KUNIT_EXPECT_NULL(test, bad);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_PAGES_ALLOC, a, 4), 3);
	KUNIT_EXPECT_PTR_EQ(test, a[0]->ptr, blk);
	KUNIT_EXPECT_EQ(test, a[0]->offset, (unsigned long)((char *)blk - fx->buf));
	KUNIT_EXPECT_EQ(test, a[0]->got, 2);
	KUNIT_EXPECT_TRUE(test, tk_in(test, a[0]->call_site, trace_pages));
	KUNIT_EXPECT_PTR_EQ(test, a[1]->ptr, pga);
	KUNIT_EXPECT_EQ(test, a[1]->got, 0);
	KUNIT_EXPECT_TRUE(test, tk_in(test, a[1]->call_site, trace_pages));
	KUNIT_EXPECT_NULL(test, a[2]->ptr);
	KUNIT_EXPECT_EQ(test, a[2]->got, TK_ORDER + 1);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_PAGES_FREE, f, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, f[0]->ptr, blk);
	KUNIT_EXPECT_EQ(test, f[0]->got, 2);
	KUNIT_EXPECT_EQ(test, f[0]->offset, a[0]->offset);
	KUNIT_EXPECT_PTR_EQ(test, f[1]->ptr, pga);
	KUNIT_EXPECT_TRUE(test, tk_in(test, f[1]->call_site, trace_pages));

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_MISUSE, m, 2), 1);
	KUNIT_EXPECT_STREQ(test, m[0]->name, "pages");
	KUNIT_EXPECT_STREQ(test, m[0]->kind,
			   memlab_pages_misuse_name(MEMLAB_PAGES_MISUSE_BAD_ORDER));
}

/*
 * generic and slice: a small allocation (the size class's slice event, then
 * the generic one), a large one (a pages event, then the generic one), their
 * frees, a foreign free; a pool's own allocation, free and double free.
 */
static void trace_generic_slice(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	const struct tk_event *ga[4], *gf[4], *sa[4], *sf[4], *m[4];
	void *small, *large, *obj;
	int local;

	tk_attach(test);
	small = memlab_generic_alloc(fx->g, 100, 0);
	large = memlab_generic_alloc(fx->g, 3 * PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(fx->g, small), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(fx->g, large), 0);
	KUNIT_EXPECT_EQ(test, memlab_generic_free(fx->g, &local), -EINVAL);
	obj = memlab_slice_alloc(fx->pool);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(fx->pool, obj), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_free(fx->pool, obj), -EINVAL);
	tk_detach(fx);
	fx->expected[2] = 2;		/* the foreign free and the double free */
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, large);
	KUNIT_ASSERT_NOT_NULL(test, obj);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_GENERIC_ALLOC, ga, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, ga[0]->ptr, small);
	KUNIT_EXPECT_EQ(test, ga[0]->req, 100);
	KUNIT_EXPECT_EQ(test, ga[0]->got, 128);
	KUNIT_EXPECT_TRUE(test, tk_in(test, ga[0]->call_site, trace_generic_slice));
	KUNIT_EXPECT_PTR_EQ(test, ga[1]->ptr, large);
	KUNIT_EXPECT_EQ(test, ga[1]->got, PAGE_SIZE << 2);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_SLICE_ALLOC, sa, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, sa[0]->ptr, small);
	KUNIT_EXPECT_STREQ(test, sa[0]->name, TK_NAME "-128");
	KUNIT_EXPECT_EQ(test, sa[0]->req, 128);
	KUNIT_EXPECT_LT(test, tk_pos(fx, sa[0]), tk_pos(fx, ga[0]));	/* the layer below first */
	/* called by memlab_generic_alloc(), not by this case */
	KUNIT_EXPECT_FALSE(test, tk_in(test, sa[0]->call_site, trace_generic_slice));
	KUNIT_EXPECT_PTR_EQ(test, sa[1]->ptr, obj);
	KUNIT_EXPECT_STREQ(test, sa[1]->name, TK_NAME "-pool");
	KUNIT_EXPECT_EQ(test, sa[1]->req, 24);
	KUNIT_EXPECT_GE(test, sa[1]->got, 24);
	KUNIT_EXPECT_TRUE(test, tk_in(test, sa[1]->call_site, trace_generic_slice));

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_GENERIC_FREE, gf, 4), 3);
	KUNIT_EXPECT_PTR_EQ(test, gf[0]->ptr, small);
	KUNIT_EXPECT_PTR_EQ(test, gf[1]->ptr, large);
	KUNIT_EXPECT_PTR_EQ(test, gf[2]->ptr, &local);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_SLICE_FREE, sf, 4), 3);
	KUNIT_EXPECT_PTR_EQ(test, sf[0]->ptr, small);
	KUNIT_EXPECT_STREQ(test, sf[0]->name, TK_NAME "-128");
	KUNIT_EXPECT_PTR_EQ(test, sf[1]->ptr, obj);
	KUNIT_EXPECT_PTR_EQ(test, sf[2]->ptr, obj);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_MISUSE, m, 4), 2);
	KUNIT_EXPECT_STREQ(test, m[0]->name, "generic");
	KUNIT_EXPECT_PTR_EQ(test, m[0]->ptr, &local);
	KUNIT_EXPECT_STREQ(test, m[1]->name, "slice");
	KUNIT_EXPECT_STREQ(test, m[1]->kind,
			   memlab_slice_misuse_name(MEMLAB_SLICE_MISUSE_DOUBLE_FREE));
	KUNIT_EXPECT_PTR_EQ(test, m[1]->ptr, obj);
}

/*
 * vm: an area of 3 pages and a byte (4 pages mapped), its free, and a size
 * of 0 (misuse, then a failed allocation).
 */
static void trace_vm(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	const struct tk_event *a[4], *f[4], *m[2];
	void *area, *zero;

	tk_attach(test);
	area = memlab_vm_alloc(fx->vm, 3 * PAGE_SIZE + 1, 0);
	zero = memlab_vm_alloc(fx->vm, 0, 0);
	KUNIT_EXPECT_EQ(test, memlab_vm_free(fx->vm, area), 0);
	tk_detach(fx);
	fx->expected[3] = 1;
	KUNIT_ASSERT_NOT_NULL(test, area);
	KUNIT_EXPECT_NULL(test, zero);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_VM_ALLOC, a, 4), 2);
	KUNIT_EXPECT_PTR_EQ(test, a[0]->ptr, area);
	KUNIT_EXPECT_EQ(test, a[0]->req, 3 * PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, a[0]->got, 4 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, tk_in(test, a[0]->call_site, trace_vm));
	KUNIT_EXPECT_NULL(test, a[1]->ptr);
	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_VM_FREE, f, 4), 1);
	KUNIT_EXPECT_PTR_EQ(test, f[0]->ptr, area);
	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_MISUSE, m, 2), 1);
	KUNIT_EXPECT_STREQ(test, m[0]->name, "vm");
	KUNIT_EXPECT_STREQ(test, m[0]->kind, memlab_vm_misuse_name(MEMLAB_VM_MISUSE_ZERO_SIZE));
}

/*
 * fault injection: every 2nd LMM allocation fails.  Expect one
 * memlab_fault_inject event (call 2, reason "every", call_site in
 * lmm_alloc_gen(), which asked) before the failed allocation's event.
 */
static void trace_fault(struct kunit *test)
{
	struct trace_fixture *fx = test->priv;
	const struct tk_event *a[4], *ev[2];
	struct memlab_fault f;
	void *p1, *p2;

	memlab_fault_init(&f, TK_NAME);
	f.every = 2;
	lmm_set_fault_hook(&fx->lmm, memlab_fault_should_fail, &f);
	tk_attach(test);
	p1 = lmm_alloc(&fx->lmm, 64, 0);
	p2 = lmm_alloc(&fx->lmm, 64, 0);
	tk_detach(fx);
	lmm_set_fault_hook(&fx->lmm, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, p1);
	KUNIT_EXPECT_NULL(test, p2);
	KUNIT_EXPECT_EQ(test, lmm_free(&fx->lmm, p1, 64), 0);

	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_FAULT, ev, 2), 1);
	KUNIT_EXPECT_EQ(test, ev[0]->offset, 2);
	KUNIT_EXPECT_EQ(test, ev[0]->flags, MEMLAB_FAULT_EVERY);
	KUNIT_EXPECT_STREQ(test, ev[0]->name, TK_NAME);
	KUNIT_EXPECT_TRUE(test, tk_in(test, ev[0]->call_site, lmm_alloc_gen));
	KUNIT_ASSERT_EQ(test, tk_select(fx, TK_LMM_ALLOC, a, 4), 2);
	KUNIT_EXPECT_NULL(test, a[1]->ptr);
	KUNIT_EXPECT_LT(test, tk_pos(fx, ev[0]), tk_pos(fx, a[1]));
	KUNIT_EXPECT_EQ(test, atomic64_read(&f.injected), 1);
}

static struct kunit_case trace_cases[] = {
	KUNIT_CASE(trace_lmm),
	KUNIT_CASE(trace_pages),
	KUNIT_CASE(trace_generic_slice),
	KUNIT_CASE(trace_vm),
	KUNIT_CASE(trace_fault),
	{}
};

static struct kunit_suite memlab_trace_suite = {
	.name = "memlab_trace",
	.init = trace_suite_init,
	.exit = trace_suite_exit,
	.test_cases = trace_cases,
};

kunit_test_suites(&memlab_trace_suite);
