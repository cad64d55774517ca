// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "memlab_smp": every layer under real concurrency.
 *
 * Fixture: an 8 MiB vmalloc buffer, an LMM pool over all of it, a pages
 * instance (max order 6, one zone), a 64-byte slice pool and a generic
 * allocator over the pages instance.  Its exit runs every validator and
 * checks that every byte is back in the LMM.
 *
 * The cases need several CPUs to mean much; under UML (one CPU) the kthreads
 * interleave and the hotplug parts skip, saying so.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kunit/memlab_kunit.h"
#include "lmm/lmm.h"
#include "pages/pages.h"
#include "slice/slice.h"

#define SMP_BUF		(8 * 1024 * 1024)
#define SMP_ORDER	6
#define SMP_OBJ		64
#define SMP_SLOTS	32	/* live objects a worker keeps */
#define SMP_INBOX	64	/* objects in flight to a worker */
#define SMP_OPS		12000	/* operations per worker */
#define SMP_RACE_ROUNDS	1000
#define SMP_INTRUDE_PAGES	32	/* pages freed, drained, then freed again */
#define SMP_INTRUDE_ROUNDS	3000

static const struct memlab_zone_desc smp_zones[] = {
	{ .name = "normal", .lmm_flags = 0 },
};

enum smp_kind { SMP_LMM, SMP_PAGES, SMP_SLICE, SMP_GENERIC, SMP_NR_KINDS };

struct smp_obj {
	void *ptr;
	u32 size;	/* bytes (LMM, generic) or order (pages) */
	u8 kind;
	u8 tag;
};

struct smp_fx;

struct smp_worker {
	struct smp_fx *fx;
	struct task_struct *task;
	unsigned int id;
	struct rnd_state rnd;
	struct smp_obj slot[SMP_SLOTS];
	spinlock_t inbox_lock;		/* @inbox and @nr_inbox */
	struct smp_obj inbox[SMP_INBOX];
	unsigned int nr_inbox;
	struct smp_obj batch[SMP_INBOX];	/* the inbox, taken out to free */
	unsigned long ops, allocs, frees, remote_frees, failures, bad;
	struct completion done;
};

struct smp_fx {
	char *buf;
	struct lmm lmm;
	struct lmm_region reg;
	size_t avail0;
	struct memlab_pages *mp;
	struct memlab_slice_pool *pool;
	struct memlab_generic *g;
	struct smp_worker *w;
	unsigned int nr_workers;
	atomic_t running;
	unsigned long snapshots, flips, hotplugs;
};

static int smp_suite_init(struct kunit *test)
{
	struct smp_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->buf = vmalloc(SMP_BUF);
	if (!fx->buf)
		return -ENOMEM;
	lmm_init(&fx->lmm);
	lmm_set_name(&fx->lmm, "smp");
	if (lmm_add_region(&fx->lmm, &fx->reg, fx->buf, SMP_BUF, 0, 0) ||
	    lmm_add_free(&fx->lmm, fx->buf, SMP_BUF))
		return -EINVAL;
	fx->avail0 = lmm_avail(&fx->lmm, 0);
	fx->mp = memlab_pages_create("smp", &fx->lmm, fx->buf, SMP_BUF, SMP_ORDER,
				     smp_zones, ARRAY_SIZE(smp_zones));
	if (IS_ERR(fx->mp))
		return PTR_ERR(fx->mp);
	fx->pool = memlab_slice_create(fx->mp, "smp64", SMP_OBJ, 0, 0, 0, NULL);
	if (IS_ERR(fx->pool))
		return PTR_ERR(fx->pool);
	fx->g = memlab_generic_create(fx->mp, "smp", 0);
	if (IS_ERR(fx->g))
		return PTR_ERR(fx->g);
	test->priv = fx;
	return 0;
}

static void smp_suite_exit(struct kunit *test)
{
	struct smp_fx *fx = test->priv;

	KUNIT_EXPECT_EQ_MSG(test, memlab_generic_check(fx->g), 0, "generic validator");
	KUNIT_EXPECT_EQ_MSG(test, memlab_slice_check(fx->pool), 0, "slice validator");
	KUNIT_EXPECT_EQ_MSG(test, memlab_pages_check(fx->mp), 0, "pages validator");
	KUNIT_EXPECT_EQ_MSG(test, lmm_check(&fx->lmm), 0, "lmm validator");
	KUNIT_EXPECT_EQ(test, memlab_generic_destroy(fx->g), 0);
	KUNIT_EXPECT_EQ(test, memlab_slice_destroy(fx->pool), 0);
	/* teardown, not destroy: the instance goes even after a failed case */
	KUNIT_EXPECT_EQ(test, memlab_pages_teardown(fx->mp), 0);
	KUNIT_EXPECT_EQ_MSG(test, lmm_avail(&fx->lmm, 0), fx->avail0,
			    "every byte back in the LMM");
	lmm_destroy(&fx->lmm);
	vfree(fx->buf);
}

/* ---- objects: allocate, tag, verify, free ------------------------------- */

static bool smp_alloc(struct smp_worker *w, struct smp_obj *o)
{
	struct smp_fx *fx = w->fx;
	u32 r = prandom_u32_state(&w->rnd);
	size_t bytes;

	o->kind = r % SMP_NR_KINDS;
	o->tag = (u8)(r >> 8) | 1;
	switch (o->kind) {
	case SMP_LMM:
		o->size = 16 + (r >> 16) % 2048;
		o->ptr = lmm_alloc(&fx->lmm, o->size, 0);
		bytes = o->size;
		break;
	case SMP_PAGES:
		o->size = (r >> 16) % 4;		/* orders 0-3 */
		o->ptr = memlab_get_pages(fx->mp, 0, o->size);
		bytes = PAGE_SIZE << o->size;
		break;
	case SMP_SLICE:
		o->ptr = memlab_slice_alloc(fx->pool);
		bytes = SMP_OBJ;
		break;
	default:
		o->size = 8 + (r >> 16) % 3000;
		o->ptr = memlab_generic_alloc(fx->g, o->size, 0);
		bytes = o->size;
		break;
	}
	w->ops++;
	if (!o->ptr) {
		w->failures++;
		return false;
	}
	w->allocs++;
	memset(o->ptr, o->tag, bytes);
	return true;
}

static size_t smp_bytes(const struct smp_obj *o)
{
	switch (o->kind) {
	case SMP_PAGES:
		return PAGE_SIZE << o->size;
	case SMP_SLICE:
		return SMP_OBJ;
	default:
		return o->size;
	}
}

/* Verify the tag (first, last and a middle byte), then free. */
static void smp_free(struct smp_worker *w, struct smp_obj *o)
{
	struct smp_fx *fx = w->fx;
	size_t bytes = smp_bytes(o);
	const u8 *p = o->ptr;
	int ret;

	if (p[0] != o->tag || p[bytes / 2] != o->tag || p[bytes - 1] != o->tag)
		w->bad++;
	switch (o->kind) {
	case SMP_LMM:
		ret = lmm_free(&fx->lmm, o->ptr, o->size);
		break;
	case SMP_PAGES:
		ret = memlab_put_pages(fx->mp, o->ptr);
		break;
	case SMP_SLICE:
		ret = memlab_slice_free(fx->pool, o->ptr);
		break;
	default:
		ret = memlab_generic_free(fx->g, o->ptr);
		break;
	}
	if (ret)
		w->bad++;
	w->frees++;
	w->ops++;
	o->ptr = NULL;
}

/* Hand @o to the next worker (on the next CPU); false if its inbox is full. */
static bool smp_hand_over(struct smp_worker *w, struct smp_obj *o)
{
	struct smp_worker *to = &w->fx->w[(w->id + 1) % w->fx->nr_workers];
	bool ok = false;

	spin_lock(&to->inbox_lock);
	if (to->nr_inbox < SMP_INBOX) {
		to->inbox[to->nr_inbox++] = *o;
		ok = true;
	}
	spin_unlock(&to->inbox_lock);
	if (ok)
		o->ptr = NULL;
	return ok;
}

static void smp_drain_inbox(struct smp_worker *w)
{
	unsigned int i, n;

	spin_lock(&w->inbox_lock);
	n = w->nr_inbox;
	memcpy(w->batch, w->inbox, n * sizeof(w->batch[0]));
	w->nr_inbox = 0;
	spin_unlock(&w->inbox_lock);
	for (i = 0; i < n; i++) {
		smp_free(w, &w->batch[i]);
		w->remote_frees++;
	}
}

static int smp_worker_fn(void *arg)
{
	struct smp_worker *w = arg;
	unsigned int i, s;

	for (i = 0; i < SMP_OPS && !kthread_should_stop(); i++) {
		s = prandom_u32_state(&w->rnd) % SMP_SLOTS;
		if (w->slot[s].ptr) {
			/* two frees in three go to another CPU */
			if (prandom_u32_state(&w->rnd) % 3 == 0 ||
			    !smp_hand_over(w, &w->slot[s]))
				if (w->slot[s].ptr)
					smp_free(w, &w->slot[s]);
		} else {
			smp_alloc(w, &w->slot[s]);
		}
		smp_drain_inbox(w);
		if (!(i & 63))
			cond_resched();
	}
	for (s = 0; s < SMP_SLOTS; s++)
		if (w->slot[s].ptr)
			smp_free(w, &w->slot[s]);
	atomic_dec(&w->fx->running);
	complete(&w->done);
	/* frees handed to us after we stopped: the last worker out drains all */
	while (!kthread_should_stop()) {
		smp_drain_inbox(w);
		usleep_range(1000, 2000);
	}
	smp_drain_inbox(w);
	return 0;
}

/* ---- the disturbers: snapshots, knob flips, CPU hotplug ------------------ */

static int smp_snapshot_fn(void *arg)
{
	struct smp_fx *fx = arg;
	struct memlab_pages_stats *ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	struct memlab_slice_stats ss;
	struct lmm_stats ls;

	while (ps && atomic_read(&fx->running)) {
		memlab_pages_stats(fx->mp, ps);	/* drains every CPU's cache */
		memlab_slice_stats(fx->pool, &ss);
		lmm_stats(&fx->lmm, &ls);
		fx->snapshots++;
		usleep_range(200, 400);
	}
	kfree(ps);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

static const char * const smp_policies[] = { "fast", "linear", "best_fit" };

static int smp_flip_fn(void *arg)
{
	struct smp_fx *fx = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 42);
	while (atomic_read(&fx->running)) {
		u32 r = prandom_u32_state(&rnd);

		lmm_set_policy(&fx->lmm, smp_policies[r % ARRAY_SIZE(smp_policies)]);
		memlab_pages_set_debug(fx->mp, (r >> 4) & 1);
		memlab_slice_set_debug(fx->pool, (r >> 5) & 1 ? MEMLAB_SLICE_POISON : 0);
		memlab_generic_set_debug(fx->g, (r >> 6) & 1 ? MEMLAB_SLICE_POISON : 0);
		fx->flips++;
		usleep_range(1000, 3000);
	}
	lmm_set_policy(&fx->lmm, "fast");
	memlab_pages_set_debug(fx->mp, false);
	memlab_slice_set_debug(fx->pool, 0);
	memlab_generic_set_debug(fx->g, 0);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/* The highest online CPU other than the boot CPU and @not, or -1. */
static int smp_victim_cpu(int not)
{
	int cpu, victim = -1;

	for_each_online_cpu(cpu)
		if (cpu && cpu != not)
			victim = cpu;
	return victim;
}

static int smp_hotplug_fn(void *arg)
{
	struct smp_fx *fx = arg;

	while (atomic_read(&fx->running)) {
		int cpu = smp_victim_cpu(-1);

		if (cpu < 0 || remove_cpu(cpu))
			break;
		msleep(20);
		if (add_cpu(cpu))
			break;
		fx->hotplugs++;
		msleep(20);
	}
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

static struct task_struct *smp_start(struct kunit *test, int (*fn)(void *), void *arg,
				     const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, arg, "memlab-%s", name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	if (cpu >= 0)
		set_cpus_allowed_ptr(t, cpumask_of(cpu));
	wake_up_process(t);
	return t;
}

/*
 * 2x the online CPUs as workers, each bound to a CPU, allocating, tagging,
 * verifying and freeing through the LMM, pages of orders 0-3, a slice pool
 * and the generic allocator; two frees in three happen on the next
 * worker's CPU.  Meanwhile one thread takes snapshots (which drain the
 * per-CPU caches), one flips the policy and debug knobs, and one takes a
 * CPU offline and back.  Expect every tag intact, every free accepted, and
 * (in the suite exit) every validator clean and every byte back.
 */
static void smp_stress_all_layers(struct kunit *test)
{
	struct smp_fx *fx = test->priv;
	struct task_struct *snap, *flip, *hp = NULL;
	unsigned long ops = 0, allocs = 0, frees = 0, remote = 0, fails = 0, bad = 0;
	struct memlab_pages_stats *ps;
	unsigned int i, cpu = 0, ncpus = num_online_cpus();

	memlab_kunit_need_slow(test);
	ps = kunit_kzalloc(test, sizeof(*ps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ps);
	fx->nr_workers = 2 * ncpus;
	fx->w = kunit_kcalloc(test, fx->nr_workers, sizeof(*fx->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx->w);
	atomic_set(&fx->running, fx->nr_workers);
	for (i = 0; i < fx->nr_workers; i++) {
		struct smp_worker *w = &fx->w[i];

		w->fx = fx;
		w->id = i;
		prandom_seed_state(&w->rnd, 1000 + i);
		spin_lock_init(&w->inbox_lock);
		init_completion(&w->done);
	}
	/* worker i on the (i mod ncpus)-th online CPU: its successor is on the next */
	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < fx->nr_workers; i++) {
		fx->w[i].task = smp_start(test, smp_worker_fn, &fx->w[i], "smp", cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	snap = smp_start(test, smp_snapshot_fn, fx, "snap", -1);
	flip = smp_start(test, smp_flip_fn, fx, "flip", -1);
	if (IS_ENABLED(CONFIG_HOTPLUG_CPU) && ncpus > 1)
		hp = smp_start(test, smp_hotplug_fn, fx, "hotplug", -1);

	for (i = 0; i < fx->nr_workers; i++)
		wait_for_completion(&fx->w[i].done);
	kthread_stop(snap);
	kthread_stop(flip);
	if (hp)
		kthread_stop(hp);
	for (i = 0; i < fx->nr_workers; i++)
		kthread_stop(fx->w[i].task);	/* each drains its inbox last */
	for (i = 0; i < fx->nr_workers; i++) {
		struct smp_worker *w = &fx->w[i];

		ops += w->ops;
		allocs += w->allocs;
		frees += w->frees;
		remote += w->remote_frees;
		fails += w->failures;
		bad += w->bad;
	}
	memlab_pages_stats(fx->mp, ps);
	kunit_info(test, "%u workers on %u CPUs: %lu ops, %lu allocs, %lu frees (%lu on another CPU), %lu failed allocs; %lu snapshots, %lu knob flips, %lu CPU offline/online cycles\n",
		   fx->nr_workers, ncpus, ops, allocs, frees, remote, fails, fx->snapshots,
		   fx->flips, fx->hotplugs);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "tags intact and every free accepted");
	KUNIT_EXPECT_EQ(test, allocs, frees);
	KUNIT_EXPECT_GT(test, remote, 0);
	KUNIT_EXPECT_EQ_MSG(test, ps->misuse[MEMLAB_PAGES_MISUSE_USE_AFTER_FREE], 0,
			    "debug flips never report a use after free nobody made");
	KUNIT_EXPECT_EQ(test, ps->misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE], 0);
	if (ncpus > 1 && IS_ENABLED(CONFIG_HOTPLUG_CPU))
		KUNIT_EXPECT_GT(test, fx->hotplugs, 0);
	memlab_generic_shrink(fx->g);
	memlab_slice_shrink(fx->pool);
	memlab_pages_shrink(fx->mp);
}

/* ---- racing double frees --------------------------------------------------- */

struct smp_race {
	struct smp_fx *fx;
	atomic_t round;		/* the round the racers may start */
	atomic_t ready;		/* racers at the start line */
	atomic_t done;		/* racers finished with the round */
	void *page;
	void *obj;
	int page_ret[2];
	int obj_ret[2];
	bool stop;
};

struct smp_racer {
	struct smp_race *r;
	int id;
};

static int smp_racer_fn(void *arg)
{
	struct smp_racer *me = arg;
	struct smp_race *r = me->r;
	int seen = 0;

	while (!kthread_should_stop()) {
		int round = atomic_read(&r->round);

		if (round == seen || READ_ONCE(r->stop)) {
			if (READ_ONCE(r->stop))
				usleep_range(1000, 2000);
			else
				cond_resched();	/* one CPU (UML): let the others run */
			continue;
		}
		seen = round;
		/* both at the line, then both free at once */
		atomic_inc(&r->ready);
		while (atomic_read(&r->ready) < 2)
			cond_resched();
		r->page_ret[me->id] = memlab_put_page(r->fx->mp, r->page);
		r->obj_ret[me->id] = memlab_slice_free(r->fx->pool, r->obj);
		atomic_inc(&r->done);
	}
	return 0;
}

/*
 * Two CPUs free the same order-0 page and the same slice object at the
 * same moment, over many rounds, while a third thread takes snapshots
 * (each drains every per-CPU cache).  Expect in every round exactly one of the
 * two frees to succeed and the other to be refused as a double free.
 */
static void smp_racing_double_free(struct kunit *test)
{
	struct smp_fx *fx = test->priv;
	struct memlab_pages_stats *ps0, *ps1;
	struct memlab_slice_stats ss0, ss1;
	struct smp_racer racer[2];
	struct task_struct *t[2], *snap;
	struct smp_race *r;
	unsigned int i, bad_page = 0, bad_obj = 0;
	int cpu0 = cpumask_first(cpu_online_mask);
	int cpu1 = cpumask_next(cpu0, cpu_online_mask);

	memlab_kunit_need_slow(test);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	ps0 = kunit_kzalloc(test, sizeof(*ps0), GFP_KERNEL);
	ps1 = kunit_kzalloc(test, sizeof(*ps1), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r && ps0 && ps1);
	if (cpu1 >= nr_cpu_ids)
		cpu1 = cpu0;		/* one CPU: the racers interleave */
	r->fx = fx;
	memlab_pages_stats(fx->mp, ps0);
	memlab_slice_stats(fx->pool, &ss0);
	for (i = 0; i < 2; i++) {
		racer[i] = (struct smp_racer) { .r = r, .id = i };
		t[i] = smp_start(test, smp_racer_fn, &racer[i], "racer", i ? cpu1 : cpu0);
	}
	/* snapshots drain the caches all along: a drained page is free, never allocated */
	atomic_set(&fx->running, 1);
	snap = smp_start(test, smp_snapshot_fn, fx, "snap", -1);
	for (i = 0; i < SMP_RACE_ROUNDS; i++) {
		r->page = memlab_get_page(fx->mp, 0);
		r->obj = memlab_slice_alloc(fx->pool);
		KUNIT_ASSERT_TRUE(test, r->page && r->obj);
		atomic_set(&r->ready, 0);
		atomic_set(&r->done, 0);
		atomic_inc(&r->round);
		while (atomic_read(&r->done) < 2)
			cond_resched();
		bad_page += !((r->page_ret[0] == 0) ^ (r->page_ret[1] == 0)) ||
			    min(r->page_ret[0], r->page_ret[1]) != -EINVAL;
		bad_obj += !((r->obj_ret[0] == 0) ^ (r->obj_ret[1] == 0)) ||
			   min(r->obj_ret[0], r->obj_ret[1]) != -EINVAL;
		if (!(i % 64))
			memlab_pages_stats(fx->mp, ps1);	/* drain between rounds */
	}
	WRITE_ONCE(r->stop, true);
	atomic_set(&fx->running, 0);
	kthread_stop(snap);
	kthread_stop(t[0]);
	kthread_stop(t[1]);
	memlab_pages_stats(fx->mp, ps1);
	memlab_slice_stats(fx->pool, &ss1);
	kunit_info(test, "%u rounds on CPUs %d and %d: %llu page and %llu object double frees refused\n",
		   SMP_RACE_ROUNDS, cpu0, cpu1,
		   ps1->misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE] -
		   ps0->misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE],
		   ss1.misuse[MEMLAB_SLICE_MISUSE_DOUBLE_FREE] -
		   ss0.misuse[MEMLAB_SLICE_MISUSE_DOUBLE_FREE]);
	KUNIT_EXPECT_EQ_MSG(test, bad_page, 0, "rounds where the page was not freed exactly once");
	KUNIT_EXPECT_EQ_MSG(test, bad_obj, 0, "rounds where the object was not freed exactly once");
	/* a drained page may have merged, or gone back to the LMM with its block */
	KUNIT_EXPECT_EQ(test, ps1->misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE] -
			ps0->misuse[MEMLAB_PAGES_MISUSE_DOUBLE_FREE] +
			ps1->misuse[MEMLAB_PAGES_MISUSE_NOT_HELD] -
			ps0->misuse[MEMLAB_PAGES_MISUSE_NOT_HELD], SMP_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, ss1.misuse[MEMLAB_SLICE_MISUSE_DOUBLE_FREE] -
			ss0.misuse[MEMLAB_SLICE_MISUSE_DOUBLE_FREE], SMP_RACE_ROUNDS);
}

/* ---- a double free that preempts a drain ---------------------------------- */

struct smp_intrude {
	struct smp_fx *fx;
	void *page[SMP_INTRUDE_PAGES];	/* freed by the drainer, never owned again */
	int draining;			/* the drainer is inside memlab_pages_stats() */
	int busy;			/* the intruder is freeing */
	int kick;			/* the trigger woke the intruder */
	bool stop;
	wait_queue_head_t wq;
	u64 drain_ns;			/* a drain's duration, averaged */
	unsigned long rounds, bad_frees;
	unsigned long kicks, inside, attempts, accepted, odd;
	struct completion done;
};

/*
 * Allocate pages, free them into this CPU's cache, then drain the caches by
 * taking a snapshot: while the drain runs, every page of the round is free
 * and nobody owns it.
 */
static int smp_drainer_fn(void *arg)
{
	struct smp_intrude *in = arg;
	struct memlab_pages_stats *ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	unsigned long end = jiffies + 10 * HZ;
	unsigned int i;
	u64 t;

	while (ps && !READ_ONCE(in->stop) && in->rounds < SMP_INTRUDE_ROUNDS &&
	       time_before(jiffies, end)) {
		for (i = 0; i < SMP_INTRUDE_PAGES; i++)
			in->page[i] = memlab_get_page(in->fx->mp, 0);
		for (i = 0; i < SMP_INTRUDE_PAGES; i++)
			if (!in->page[i] || memlab_put_page(in->fx->mp, in->page[i]))
				in->bad_frees++;
		t = ktime_get_ns();
		/* release: the pages above are written before the others see a drain */
		smp_store_release(&in->draining, 1);
		memlab_pages_stats(in->fx->mp, ps);	/* drains every CPU's cache */
		WRITE_ONCE(in->draining, 0);
		t = ktime_get_ns() - t;
		WRITE_ONCE(in->drain_ns, in->drain_ns ? (in->drain_ns * 7 + t) / 8 : t);
		smp_mb();	/* pairs with the intruder's: it saw 0, or we see busy */
		while (READ_ONCE(in->busy))
			cond_resched();
		in->rounds++;
		cond_resched();
	}
	kfree(ps);
	WRITE_ONCE(in->stop, true);
	complete(&in->done);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * On another CPU: once per drain, wait a random part of a drain's duration,
 * then wake the intruder.  The wakeup is an IPI to the drainer's CPU, where
 * the real-time intruder preempts the drain at that moment.
 */
static int smp_trigger_fn(void *arg)
{
	struct smp_intrude *in = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 3);
	while (!READ_ONCE(in->stop) && !kthread_should_stop()) {
		u64 span = READ_ONCE(in->drain_ns);
		u64 t0;

		/* acquire: pairs with the drainer's release */
		if (!smp_load_acquire(&in->draining)) {
			cpu_relax();
			continue;
		}
		t0 = ktime_get_ns();
		span = span ? prandom_u32_state(&rnd) % span : 0;
		while (ktime_get_ns() - t0 < span && READ_ONCE(in->draining))
			cpu_relax();
		WRITE_ONCE(in->kick, 1);
		wake_up(&in->wq);
		in->kicks++;
		while (READ_ONCE(in->draining) && !READ_ONCE(in->stop))
			cpu_relax();
		cond_resched();
	}
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * A real-time thread on the drainer's CPU: woken by the trigger (or every
 * jiffy), it frees every page of the round again when it has preempted a
 * drain.  Each of these frees is a double free and must be refused, whatever
 * state the drain left the page in at the moment of preemption.
 */
static int smp_intruder_fn(void *arg)
{
	struct smp_intrude *in = arg;
	unsigned int i;

	sched_set_fifo(current);
	while (!kthread_should_stop()) {
		wait_event_interruptible_timeout(in->wq, READ_ONCE(in->kick) ||
						 kthread_should_stop(), 1);
		WRITE_ONCE(in->kick, 0);
		WRITE_ONCE(in->busy, 1);
		smp_mb();	/* pairs with the drainer's */
		/* acquire: the round's pages are visible once a drain is */
		if (smp_load_acquire(&in->draining) && !READ_ONCE(in->stop)) {
			in->inside++;
			for (i = 0; i < SMP_INTRUDE_PAGES; i++) {
				int ret = memlab_put_page(in->fx->mp, in->page[i]);

				in->attempts++;
				in->accepted += !ret;
				in->odd += ret && ret != -EINVAL;
			}
			if (in->accepted)	/* the instance is corrupt: stop */
				WRITE_ONCE(in->stop, true);
		}
		WRITE_ONCE(in->busy, 0);
	}
	return 0;
}

/*
 * The interleaving that defeats a lock-free claim of "allocated" pages: a
 * drain (or a split, or a merge) briefly leaves a free page in a state that a
 * racing free could take for an allocated one.  On PREEMPT_RT the pages
 * layer's locks sleep, so a real-time thread on the same CPU can preempt the
 * drain at any point inside its locked section, and free the pages it is
 * moving; a trigger on a second CPU picks that point at random within each
 * drain.  Expect every such free refused.  On a kernel whose spinlocks
 * disable preemption the intruder only lands between locked sections.
 */
static void smp_double_free_preempts_drain(struct kunit *test)
{
	struct smp_fx *fx = test->priv;
	struct task_struct *drainer, *intruder, *trigger = NULL;
	struct smp_intrude *in;
	int cpu = cpumask_first(cpu_online_mask);
	int other = cpumask_next(cpu, cpu_online_mask);

	memlab_kunit_need_slow(test);
	in = kunit_kzalloc(test, sizeof(*in), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	if (other < nr_cpu_ids) {	/* the drain on the second CPU, the trigger on the first */
		swap(cpu, other);
	} else {
		other = -1;
	}
	in->fx = fx;
	init_waitqueue_head(&in->wq);
	init_completion(&in->done);
	intruder = smp_start(test, smp_intruder_fn, in, "intruder", cpu);
	if (other >= 0)
		trigger = smp_start(test, smp_trigger_fn, in, "trigger", other);
	drainer = smp_start(test, smp_drainer_fn, in, "drainer", cpu);
	wait_for_completion(&in->done);
	kthread_stop(drainer);
	if (trigger)
		kthread_stop(trigger);
	kthread_stop(intruder);
	kunit_info(test,
		   "drains on CPU %d (%llu us each), intruder kicked from CPU %d: %lu drains, %lu kicks, %lu preempted a drain: %lu double frees, %lu accepted\n",
		   cpu, in->drain_ns / 1000, other, in->rounds, in->kicks, in->inside,
		   in->attempts, in->accepted);
	KUNIT_EXPECT_EQ_MSG(test, in->accepted, 0,
			    "double frees accepted while a drain was preempted");
	KUNIT_EXPECT_EQ_MSG(test, in->odd, 0,
			    "double frees refused with an error other than -EINVAL");
	KUNIT_EXPECT_EQ_MSG(test, in->bad_frees, 0, "allocations or first frees that failed");
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		KUNIT_EXPECT_GT_MSG(test, in->inside, 0,
				    "on PREEMPT_RT the intruder never preempted a drain");
	memlab_pages_shrink(fx->mp);
}

/* ---- CPU hotplug ------------------------------------------------------------ */

struct smp_filler {
	struct smp_fx *fx;
	struct completion done;
	unsigned long cached;
};

/* On the victim CPU: allocate pages and objects, free them, leave them cached. */
static int smp_fill_fn(void *arg)
{
	struct smp_filler *f = arg;
	void *p[40], *o[40];
	int i;

	for (i = 0; i < 40; i++) {
		p[i] = memlab_get_page(f->fx->mp, 0);
		o[i] = memlab_slice_alloc(f->fx->pool);
	}
	for (i = 0; i < 40; i++) {
		if (p[i])
			memlab_put_page(f->fx->mp, p[i]);
		if (o[i])
			memlab_slice_free(f->fx->pool, o[i]);
	}
	f->cached = memlab_pages_pcp_count(f->fx->mp, raw_smp_processor_id());
	complete(&f->done);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * Fill one CPU's page cache and magazine, take the CPU offline: expect its
 * cache empty once it is dead (the hotplug teardown drained it), and the
 * pages back on the buddy lists.  Then bring it back.
 */
static void smp_hotplug_drains_caches(struct kunit *test)
{
	struct smp_fx *fx = test->priv;
	struct smp_filler f = { .fx = fx };
	struct task_struct *t;
	int cpu = smp_victim_cpu(raw_smp_processor_id());

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || cpu < 0)
		kunit_skip(test, "needs CPU hotplug and a second CPU that may go offline");
	init_completion(&f.done);
	t = smp_start(test, smp_fill_fn, &f, "fill", cpu);
	wait_for_completion(&f.done);
	kthread_stop(t);
	KUNIT_ASSERT_GT_MSG(test, f.cached, 0, "the fill left pages in CPU %d's cache", cpu);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_EQ_MSG(test, memlab_pages_pcp_count(fx->mp, cpu), 0,
			    "CPU %d went offline with %lu pages in its cache", cpu, f.cached);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
}

static struct kunit_case smp_cases[] = {
	KUNIT_CASE_SLOW(smp_stress_all_layers),
	KUNIT_CASE_SLOW(smp_racing_double_free),
	KUNIT_CASE_SLOW(smp_double_free_preempts_drain),
	KUNIT_CASE_SLOW(smp_hotplug_drains_caches),
	{}
};

static struct kunit_suite smp_suite = {
	.name = "memlab_smp",
	.init = smp_suite_init,
	.exit = smp_suite_exit,
	.test_cases = smp_cases,
};

kunit_test_suites(&smp_suite);
