// SPDX-License-Identifier: GPL-2.0
/*
 * memlab workloads, driven from debugfs in the style of lib/test_vmalloc.c:
 * the runner.  Its figures, result text and readers are in lab/report.c.
 *
 * A line written to workload/run (parsed by lab/spec.c, which shows its
 * syntax) names a layer and an operation mix for a generated run, or is a
 * command: "replay layer=... [hold=1]" replays the stored trace
 * (lab/trace_store.c) through the same operations, "free" releases what a
 * hold=1 run left allocated (the next run releases it first too, unless it
 * says stack=1: then the held objects stay through it, e.g. to try a
 * request against the arena a workload fragmented), and "shrink" does that
 * and gives every empty slab and whole free block back down to the LMM.
 * policy=NAME first switches the main LMM pool to that policy (built in or
 * registered, as knobs/lmm_policy does; it stays afterwards), for a run or
 * a replay.
 *
 * The run happens inside the write, in process context; workload/result then
 * holds operations, failures, median and 99th percentile nanoseconds per
 * allocation and per free, peak live bytes, and the fragmentation of every
 * layer before and after.  Sizes for the pages layer become the order that
 * covers them.  layer=vm allocates virtually contiguous areas from the
 * module's VM instance (memlab_vm_alloc(), process context: the runner is
 * in the writer's context or in kthreads).  layer=mix draws lmm, pages or
 * generic for each allocation; one drawn for generic that is larger than
 * 4 pages (MEMLAB_WL_MIX_VM_ABOVE) goes to vm instead, so the mix's large sizes
 * are split between the pages layer and the VM allocator.  A refused line
 * changes nothing; the kernel log says why.
 *
 * Kernel peers.  layer=kmalloc and layer=pages_kernel run the same
 * operations (the same generated workload or stored trace) on the kernel's
 * own allocators in the same boot: kmalloc()/kfree() of the same sizes,
 * alloc_pages()/__free_pages() of the same orders, with
 * __GFP_NOWARN | __GFP_NORETRY (a failure instead of the OOM killer).  They
 * touch none of memlab's layers: memlab's figures before and after are the
 * same.  They take neither hold=1 nor low=1, and everything is freed at the
 * end of the run.  Each thread may keep at most arena_size / threads live
 * bytes (more counts as a failure), so a peer never holds more of the
 * kernel's memory than memlab's arena is.  Their footprint: for kmalloc,
 * the peak of the bytes granted (kmalloc_size_roundup() of each live
 * object) and the rise of the system-wide NR_SLAB_UNRECLAIMABLE_B counter
 * (slab pages and large kmalloc pages) over its value at the start,
 * sampled after every allocation; for pages_kernel, the peak of the pages
 * held (1 << order per live block).
 *
 * The generator is common/rand.h's, seeded by seed= plus the thread's
 * number: the same line gives the same operations.  Each step allocates
 * (55% of steps, or always below keep:N) or frees one live object chosen by
 * the free pattern; live objects live in a ring, so random, LIFO and FIFO
 * frees are all O(1).
 *
 * Threads.  threads=N (1..64) starts N kthreads, bound round-robin to the
 * online CPUs, that each run the whole spec at once; thread t seeds its
 * generator with seed+t, so thread 0 does what a one-thread run does.
 * threads=1 runs in the writer's context.  With xfree=1 (threads >= 2) a
 * thread never frees what it allocated: it passes the object to the next
 * thread, t+1 mod N, through that thread's inbox, a single-producer
 * single-consumer ring (acquire/release indices, no lock), and the next
 * thread frees it; so every free happens on another CPU when the threads
 * sit on different CPUs.  On one CPU (UML) the threads interleave and an
 * xfree free is on another thread but the same CPU: the result counts
 * frees on another thread and on another CPU separately.  A thread whose
 * target inbox is full frees its own inbox first, then waits; a thread
 * that has finished keeps freeing its inbox until every thread has
 * finished, so nothing is left in flight.  What is live at the end is
 * freed (or held) by the writer.
 *
 * Locking.  @run_lock serialises runs, replays and trace writes; writers
 * wait for it interruptibly, so a trace upload during a run waits instead
 * of failing.  @lock covers what readers see (result, trace summary, held
 * count, the running line) and is held only for short copies, so a reader
 * never waits for a run, and waits interruptibly for the rest.
 *
 * Interruption.  Every MEMLAB_WL_CHECK_EVERY operations a run checks for a
 * pending signal (the kthreads of a threaded run check a flag the writer
 * sets when it is signalled).  A stopped run frees everything it
 * allocated (hold=1 too), publishes its figures marked "interrupted", and
 * the write returns -EINTR.
 *
 * Samples.  sample=N (one thread, or a replay) records, every N
 * operations, the run's live bytes and objects and every layer's
 * fragmentation (wl_frag(), as for before/after): at most
 * MEMLAB_WL_MAX_SAMPLES, in an array allocated when the run starts.
 * workload/samples (lab/report.c) shows the
 * last run's as CSV; a reader holds a reference to them, not a lock, so a
 * new run never waits for it.  workload/latency shows the last run's
 * allocation and free latencies as a histogram, four buckets per power of
 * two of nanoseconds.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmstat.h>
#include <linux/wait.h>

#include "common/rand.h"
#include "lab/workload_internal.h"
#include "pages/pages.h"
#include "slice/slice.h"
#include "vm/vm.h"

/* Objects in flight to one thread (a power of two): 24 KiB per thread. */
#define WL_INBOX_SIZE	1024
/* A thread waiting for room or for objects looks again after this long. */
#define WL_WAIT		msecs_to_jiffies(10)

/* The largest order alloc_pages() serves; as in arena/arena.c for 6.1's MAX_ORDER. */
#ifdef MAX_PAGE_ORDER
#define WL_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define WL_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

static_assert(MEMLAB_WL_MAX_THREADS <= 256);		/* struct memlab_wl_obj's thread is a u8 */

/* ------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------
 */

static u64 wl_rnd(struct wl_run *r)
{
	return memlab_rand_u64(&r->rng);
}

static size_t wl_size(struct wl_run *r)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned int lo, hi;

	if (s->size_min == s->size_max)
		return s->size_min;
	if (s->dist == MEMLAB_WL_DIST_UNIFORM)
		return s->size_min + wl_rnd(r) % (s->size_max - s->size_min + 1);
	/* log-uniform: pick a power of two between, then uniform inside it */
	lo = ilog2(s->size_min);
	hi = ilog2(s->size_max);
	lo += wl_rnd(r) % (hi - lo + 1);
	return clamp_t(size_t, (1UL << lo) + wl_rnd(r) % (1UL << lo), s->size_min, s->size_max);
}

/**
 * memlab_wl_alloc() - one allocation of a run, untimed
 * @ly: the layers.
 * @s: the spec: its low=1, and its range= for the LMM.
 * @layer: the layer to allocate from (memlab_wl_layer_of()).
 * @size: bytes; the pages layers take the order that covers them.
 * @align: LMM alignment bits (0 for the other layers).
 *
 * Context: process context; may sleep (vm and the kernel peers).
 * Return: the object, or NULL when the layer refused.
 */
void *memlab_wl_alloc(const struct memlab_wl_layers *ly, const struct memlab_wl_spec *s, u8 layer,
		      size_t size, unsigned int align)
{
	lmm_flags_t flags = s->low ? ly->low_flags : 0;
	uintptr_t base = (uintptr_t)ly->base;

	switch (layer) {
	case MEMLAB_WL_LMM:
		return lmm_alloc_gen(ly->lmm, size, flags, align, 0, base + s->range_lo,
				     (s->range_hi ? s->range_hi : ly->size) - s->range_lo);
	case MEMLAB_WL_PAGES:
		if (get_order(size) > memlab_pages_max_order(ly->pages))
			return NULL;
		return memlab_get_pages(ly->pages, flags, get_order(size));
	case MEMLAB_WL_VM:
		return memlab_vm_alloc(ly->vm, size, flags);
	case MEMLAB_WL_KMALLOC:
		return kmalloc(size, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	case MEMLAB_WL_PAGES_KERNEL:
		if (get_order(size) > WL_MAX_PAGE_ORDER)
			return NULL;
		return (void *)__get_free_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
						get_order(size));
	default:
		return memlab_generic_alloc(ly->generic, size, flags);
	}
}

/**
 * memlab_wl_free_obj() - give a run's object back to its layer, untimed
 * @ly: the layers.
 * @o: an object memlab_wl_alloc() returned, with its layer and size.
 *
 * Context: process context.
 * Return: 0, or the layer's error (a misuse it detected).
 */
int memlab_wl_free_obj(const struct memlab_wl_layers *ly, const struct memlab_wl_obj *o)
{
	switch (o->layer) {
	case MEMLAB_WL_LMM:
		return lmm_free(ly->lmm, o->p, o->size);
	case MEMLAB_WL_PAGES:
		return memlab_put_pages(ly->pages, o->p);
	case MEMLAB_WL_VM:
		return memlab_vm_free(ly->vm, o->p);
	case MEMLAB_WL_KMALLOC:
		kfree(o->p);
		return 0;
	case MEMLAB_WL_PAGES_KERNEL:
		free_pages((unsigned long)o->p, get_order(o->size));
		return 0;
	default:
		return memlab_generic_free(ly->generic, o->p);
	}
}

static size_t wl_bytes(const struct memlab_wl_obj *o)
{
	switch (o->layer) {
	case MEMLAB_WL_PAGES:
	case MEMLAB_WL_PAGES_KERNEL:
		return PAGE_SIZE << get_order(o->size);
	case MEMLAB_WL_VM:
		return PAGE_ALIGN(o->size);
	default:
		return o->size;
	}
}

/**
 * memlab_wl_layer_of() - the layer an allocation goes to
 * @ly: the layers.
 * @s: the spec: its layer, unless that is layer=mix.
 * @draw: layer=mix: a random number (a replay: the trace id).
 * @size: the allocation's size.
 *
 * layer=mix: @draw picks lmm, pages or generic; a generic draw above
 * MEMLAB_WL_MIX_VM_ABOVE goes to vm.  The draw is the same either way, so a seed
 * gives the same operations with or without a VM instance.
 *
 * Return: an enum memlab_wl_layer other than MEMLAB_WL_MIX.
 */
u8 memlab_wl_layer_of(const struct memlab_wl_layers *ly, const struct memlab_wl_spec *s, u64 draw,
		      size_t size)
{
	u8 layer;

	if (s->layer != MEMLAB_WL_MIX)
		return s->layer;
	layer = do_div(draw, 3);
	if (layer == MEMLAB_WL_SLICE && size > MEMLAB_WL_MIX_VM_ABOVE && ly->vm)
		return MEMLAB_WL_VM;
	return layer;
}

static void wl_frag(const struct memlab_wl_layers *ly, struct memlab_wl_frag *f)
{
	struct memlab_pages_stats *ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	struct memlab_slice_stats ss;
	struct lmm_stats ls;
	unsigned long row[MEMLAB_PAGES_NR_ORDERS] = { 0 };
	unsigned int i, o;

	memset(f, 0, sizeof(*f));
	lmm_stats(ly->lmm, &ls);
	f->lmm_free = ls.free_bytes;
	f->lmm_extents = ls.free_extents;
	f->lmm_largest = ls.largest_free;
	if (ps) {
		memlab_pages_stats(ly->pages, ps);
		for (i = 0; i < ps->nr_zones; i++) {
			f->pages_free += ps->zone[i].pages_free;
			for (o = 0; o <= ps->max_order; o++)
				row[o] += ps->zone[i].nr_free[o];
		}
		f->pages_unusable3 = memlab_frag_unusable_index(row, ps->max_order + 1,
								min(3U, ps->max_order));
		f->pages_unusable9 = memlab_frag_unusable_index(row, ps->max_order + 1,
								min(9U, ps->max_order));
		kfree(ps);
	}
	for (i = 0; i < memlab_generic_nr_pools(ly->generic); i++) {
		memlab_slice_stats(memlab_generic_pool(ly->generic, i), &ss);
		f->slice_active += ss.active_objs * ss.object_size;
		f->slice_total += ss.num_objs * ss.object_size;
		f->slice_slabs += ss.num_slabs;
	}
}

/* ---- samples ------------------------------------------------------------------ */

/*
 * sample=N of a run of @steps operations: refused (with the reason in the
 * log) unless it gives 1..MEMLAB_WL_MAX_SAMPLES samples.  The parser checked
 * generated runs; this catches a replay of a trace too short or too long.
 */
static int wl_samples_refuse(unsigned long every, unsigned long steps)
{
	if (!every || (every <= steps && steps / every <= MEMLAB_WL_MAX_SAMPLES))
		return 0;
	pr_notice_ratelimited("workload line refused: sample=%lu gives %lu samples of %lu operations; 1..%u allowed\n",
			      every, steps / every, steps, MEMLAB_WL_MAX_SAMPLES);
	return -EINVAL;
}

/* Room for the samples of a run of @steps operations, one every @every. */
static struct memlab_wl_samples *wl_samples_new(unsigned long every, unsigned long steps)
{
	unsigned long cap = min(steps / every, (unsigned long)MEMLAB_WL_MAX_SAMPLES);
	struct memlab_wl_samples *smp;

	smp = kvmalloc(struct_size(smp, s, cap), GFP_KERNEL);
	if (!smp)
		return NULL;
	kref_init(&smp->ref);
	smp->every = every;
	smp->nr = 0;
	smp->cap = cap;
	return smp;
}

/**
 * memlab_wl_sample() - take a sample, if one is due
 * @r: the run, after an operation.
 *
 * A sample when @r has done a multiple of sample= operations, once per
 * multiple.  Between operations, so the layers' snapshots are timed with
 * nothing.
 *
 * Context: process context (the layers' snapshots may allocate).
 */
void memlab_wl_sample(struct wl_run *r)
{
	struct memlab_wl_samples *smp = r->smp;
	struct memlab_wl_sample *x;

	if (!smp || !r->steps || r->steps % smp->every || smp->nr >= smp->cap)
		return;
	if (smp->nr && smp->s[smp->nr - 1].op == r->steps)
		return;
	x = &smp->s[smp->nr];
	x->op = r->steps;
	x->live_bytes = r->live_bytes;
	x->live_objs = r->count;
	x->failures = r->failures;
	wl_frag(r->ly, &x->frag);
	smp->nr++;
}

/* Make @smp (NULL: none) the last run's samples; readers keep the old ones. */
static void wl_samples_publish(struct memlab_workload *wl, struct memlab_wl_samples *smp)
{
	struct memlab_wl_samples *old;

	mutex_lock(&wl->lock);
	old = wl->samples;
	wl->samples = smp;
	mutex_unlock(&wl->lock);
	memlab_wl_samples_put(old);
}

static struct memlab_wl_obj *wl_take(struct wl_run *r)
{
	unsigned long k;
	struct memlab_wl_obj *o;

	switch (r->spec->free) {
	case MEMLAB_WL_FREE_LIFO:
		k = r->count - 1;
		break;
	case MEMLAB_WL_FREE_FIFO:
		k = 0;
		break;
	default:
		k = wl_rnd(r) % r->count;
		break;
	}
	/* swap the chosen one with the newest, then pop the newest (or the oldest for FIFO) */
	if (r->spec->free == MEMLAB_WL_FREE_FIFO) {
		o = &r->live[r->head];
		r->head = (r->head + 1) % r->cap;
	} else {
		struct memlab_wl_obj tmp;
		unsigned long a = (r->head + k) % r->cap, z = (r->head + r->count - 1) % r->cap;

		tmp = r->live[a];
		r->live[a] = r->live[z];
		r->live[z] = tmp;
		o = &r->live[z];
	}
	r->count--;
	return o;
}

/*
 * A kernel peer's object over its thread's share of the budget (the arena's
 * size) is given back at once: the caller counts a failure.  Its footprint
 * is sampled after every allocation, outside the timed call.
 */
static bool wl_peer_put(struct wl_run *r, const struct memlab_wl_obj *o)
{
	if (o->layer != MEMLAB_WL_KMALLOC && o->layer != MEMLAB_WL_PAGES_KERNEL)
		return true;
	if (r->live_bytes + wl_bytes(o) > r->ly->size / r->ctl->nr) {
		memlab_wl_free_obj(r->ly, o);
		return false;
	}
	if (o->layer == MEMLAB_WL_KMALLOC) {
		r->granted += kmalloc_size_roundup(o->size);
		r->granted_peak = max(r->granted_peak, r->granted);
		r->slab_peak = max(r->slab_peak,
				   global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B));
	}
	return true;
}

/**
 * memlab_wl_unput() - @o is no longer live in @r
 * @r: the run.
 * @o: an object taken out of @r's ring, freed or passed on to be freed.
 */
void memlab_wl_unput(struct wl_run *r, const struct memlab_wl_obj *o)
{
	r->live_bytes -= wl_bytes(o);
	if (o->layer == MEMLAB_WL_KMALLOC)
		r->granted -= kmalloc_size_roundup(o->size);
}

/**
 * memlab_wl_put() - add @o to @r's live objects
 * @r: the run, with room in its ring.
 * @o: a new object.
 *
 * Return: true, or false (a failure, @o freed) when a kernel peer's
 * object is over the thread's budget.
 */
bool memlab_wl_put(struct wl_run *r, const struct memlab_wl_obj *o)
{
	if (!wl_peer_put(r, o))
		return false;
	r->live[(r->head + r->count) % r->cap] = *o;
	r->count++;
	r->live_bytes += wl_bytes(o);
	if (r->live_bytes > r->peak_bytes) {
		r->peak_bytes = r->live_bytes;
		r->peak_objs = r->count;
	}
	return true;
}

/**
 * memlab_wl_timed_free() - free @o, timed, and count it against @r
 * @r: the run doing the free.
 * @o: the object, already memlab_wl_unput() from its run.
 *
 * Context: process context.
 */
void memlab_wl_timed_free(struct wl_run *r, const struct memlab_wl_obj *o)
{
	u64 t0 = ktime_get_ns();

	WARN_ON_ONCE(memlab_wl_free_obj(r->ly, o));
	t0 = ktime_get_ns() - t0;
	if (likely(r->nr_free < r->ns_cap))
		r->free_ns[r->nr_free] = t0;
	r->nr_free++;
	r->other_thread += o->thread != r->thread;
	r->other_cpu += o->cpu != (u16)raw_smp_processor_id();	/* NR_CPUS <= 8192 */
}

/**
 * memlab_wl_should_stop() - should @r stop now?
 * @r: the run.
 *
 * The writer checks its signals; a kthread checks the writer's flag.
 *
 * Return: true to stop.
 */
bool memlab_wl_should_stop(struct wl_run *r)
{
	if (!r->ctl->threaded)
		return signal_pending(current);
	return READ_ONCE(r->ctl->stop);
}

/* Producer: is there a free slot? */
static bool wl_inbox_room(struct wl_inbox *in)
{
	/* acquire: pairs with the owner's release of head; the slot is read */
	return READ_ONCE(in->tail) - smp_load_acquire(&in->head) < WL_INBOX_SIZE;
}

/* Owner: anything to free? */
static bool wl_inbox_pending(struct wl_inbox *in)
{
	/* acquire: pairs with the producer's release of tail; the slots are written */
	return smp_load_acquire(&in->tail) != READ_ONCE(in->head);
}

/* Free everything the previous thread has passed on so far. */
static void wl_drain(struct wl_run *r)
{
	struct wl_inbox *in = &r->inbox;
	/* acquire: pairs with the producer's release of tail; slots below it are written */
	unsigned long h = in->head, t = smp_load_acquire(&in->tail);

	if (h == t)
		return;
	for (; h != t; h++)
		memlab_wl_timed_free(r, &in->ring[h & (WL_INBOX_SIZE - 1)]);
	/* release: the slots are read before the producer may reuse them */
	smp_store_release(&in->head, h);
	if (wq_has_sleeper(&in->wq))
		wake_up(&in->wq);
}

/*
 * Pass @o to the next thread, which frees it.  While its inbox is full,
 * free our own inbox (so threads that all wait for room cannot all be
 * asleep: the last one to sleep emptied its inbox and woke its producer),
 * then wait for room.
 */
static void wl_send(struct wl_run *r, const struct memlab_wl_obj *o)
{
	struct wl_ctl *c = r->ctl;
	struct wl_inbox *in = &c->runs[(r->thread + 1) % c->nr].inbox;
	unsigned long t = in->tail;

	/* acquire: pairs with the owner's release of head; the slot is read */
	while (t - smp_load_acquire(&in->head) >= WL_INBOX_SIZE) {
		wl_drain(r);
		wait_event_timeout(in->wq, wl_inbox_room(in), WL_WAIT);
	}
	in->ring[t & (WL_INBOX_SIZE - 1)] = *o;
	/* release: the slot is written before the owner sees it */
	smp_store_release(&in->tail, t + 1);
	if (wq_has_sleeper(&in->wq))
		wake_up(&in->wq);
}

static void wl_generate(struct wl_run *r)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned long i;

	for (i = 0; i < s->ops; i++) {
		bool alloc;

		if (!(i % MEMLAB_WL_CHECK_EVERY) && memlab_wl_should_stop(r)) {
			r->interrupted = true;
			break;
		}
		if (s->xfree)
			wl_drain(r);
		alloc = s->free == MEMLAB_WL_FREE_KEEP ? r->count < s->keep :
			!r->count || (r->count < r->cap && wl_rnd(r) % 100 < 55);
		if (alloc) {
			struct memlab_wl_obj o = { .size = wl_size(r), .thread = r->thread };
			u64 t0;

			/* the size is drawn first, then the mix's layer */
			o.layer = memlab_wl_layer_of(r->ly, s,
						     s->layer == MEMLAB_WL_MIX ? wl_rnd(r) : 0,
						     o.size);
			t0 = ktime_get_ns();

			o.p = memlab_wl_alloc(r->ly, s, o.layer, o.size,
					      o.layer == MEMLAB_WL_LMM ? s->align : 0);
			r->alloc_ns[r->nr_alloc++] = ktime_get_ns() - t0;
			o.cpu = raw_smp_processor_id();
			if (!o.p || !memlab_wl_put(r, &o))
				r->failures++;
		} else {
			struct memlab_wl_obj o = *wl_take(r);

			memlab_wl_unput(r, &o);
			if (s->xfree)
				wl_send(r, &o);
			else
				memlab_wl_timed_free(r, &o);
		}
		r->steps++;
		memlab_wl_sample(r);
		cond_resched();
	}
}

/*
 * A thread done generating.  With xfree it keeps freeing its inbox until
 * every thread is done (each one publishes its last object before it
 * counts itself done, and the count is read with acquire), then empties it.
 */
static void wl_finish(struct wl_run *r)
{
	struct wl_ctl *c = r->ctl;
	unsigned int i;

	if (atomic_dec_and_test(&c->generating))
		for (i = 0; i < c->nr; i++)
			wake_up(&c->runs[i].inbox.wq);
	if (!r->spec->xfree)
		return;
	while (atomic_read_acquire(&c->generating)) {
		wl_drain(r);
		wait_event_timeout(r->inbox.wq, wl_inbox_pending(&r->inbox) ||
				   !atomic_read(&c->generating), WL_WAIT);
	}
	wl_drain(r);
}

static int wl_worker(void *arg)
{
	struct wl_run *r = arg;

	wl_generate(r);
	wl_finish(r);
	/* the writer frees @r and may unload the module once this completes */
	kthread_complete_and_exit(&r->done, 0);
}

/*
 * Start one kthread per run, bound round-robin to the online CPUs, and
 * wait for them all.  A signal to the writer stops them within
 * MEMLAB_WL_CHECK_EVERY operations each.
 *
 * Return: 0, or kthread_create()'s error (nothing ran then).
 */
static int wl_run_threads(struct wl_ctl *c)
{
	int cpu = cpumask_first(cpu_online_mask);
	unsigned int i;
	int ret = 0;

	atomic_set(&c->generating, c->nr);
	for (i = 0; i < c->nr; i++) {
		struct wl_run *r = &c->runs[i];
		struct task_struct *t = kthread_create(wl_worker, r, "memlab_wl/%u", i);

		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		r->task = t;
		if (cpu < nr_cpu_ids && !set_cpus_allowed_ptr(t, cpumask_of(cpu)))
			r->cpu = cpu;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	if (ret) {
		/* never woken: kthread_stop() ends them before wl_worker() runs */
		while (i--)
			kthread_stop(c->runs[i].task);
		return ret;
	}
	for (i = 0; i < c->nr; i++)
		wake_up_process(c->runs[i].task);
	/* each worker completes its @done once: wait for it exactly once */
	for (i = 0; i < c->nr; i++) {
		if (!READ_ONCE(c->stop) && !wait_for_completion_interruptible(&c->runs[i].done))
			continue;
		WRITE_ONCE(c->stop, true);
		wait_for_completion(&c->runs[i].done);
	}
	return 0;
}

/* Context: caller holds @wl->run_lock. */
static void wl_release_held(struct memlab_workload *wl)
{
	struct memlab_wl_obj *held;
	unsigned long n;

	lockdep_assert_held(&wl->run_lock);
	mutex_lock(&wl->lock);
	held = wl->held;
	n = wl->nr_held;
	wl->held = NULL;
	wl->nr_held = 0;
	mutex_unlock(&wl->lock);
	while (n)
		WARN_ON_ONCE(memlab_wl_free_obj(wl->ly, &held[--n]));
	kvfree(held);
}

/*
 * Free what a run's threads still hold, or hand it to @wl->held, after
 * what a stack=1 run kept of earlier runs (@run_lock held).
 */
static void wl_end(struct memlab_workload *wl, struct wl_ctl *c, bool hold)
{
	unsigned long total = 0, k = 0, i;
	struct memlab_wl_obj *held = NULL, *old;

	for (i = 0; i < c->nr; i++)
		total += c->runs[i].count;
	if (hold)			/* keep them, in allocation order */
		held = kvcalloc(wl->nr_held + total ?: 1, sizeof(*held), GFP_KERNEL);
	if (held && wl->nr_held) {
		memcpy(held, wl->held, wl->nr_held * sizeof(*held));
		k = wl->nr_held;
	}
	for (i = 0; i < c->nr; i++) {
		struct wl_run *r = &c->runs[i];

		for (; held && r->count; r->count--) {
			held[k++] = r->live[r->head];
			r->head = (r->head + 1) % r->cap;
		}
		while (r->count)
			WARN_ON_ONCE(memlab_wl_free_obj(wl->ly, wl_take(r)));
	}
	if (held) {
		mutex_lock(&wl->lock);
		old = wl->held;
		wl->held = held;
		wl->nr_held = k;
		mutex_unlock(&wl->lock);
		kvfree(old);
	}
}

static void wl_free_runs(struct wl_ctl *c)
{
	unsigned int i;

	if (!c->runs)
		return;
	for (i = 0; i < c->nr; i++) {
		kvfree(c->runs[i].live);
		kvfree(c->runs[i].inbox.ring);
	}
	kvfree(c->runs);
}

/*
 * wl_replay() - run the stored trace (lab/trace_store.c) on one thread
 * @wl: the runner, with a trace.
 * @r: the run: its spec names the layer; its ring holds the live objects.
 * @ids: empty; maps each live trace id to its slot in @r's ring.
 *
 * An allocation that fails, or that @r cannot track, counts as a failure,
 * and the trace's free of that id is then skipped.  Stops early, marking
 * @r interrupted, when memlab_wl_should_stop() says so.
 *
 * Context: process context, @wl->run_lock held; sleeps.
 */
static void wl_replay(struct memlab_workload *wl, struct wl_run *r, struct xarray *ids)
{
	const struct memlab_wl_spec *s = r->spec;
	unsigned long i;

	for (i = 0; i < wl->nr_trace; i++) {
		const struct memlab_wl_trace_op *op = &wl->trace[i];
		struct memlab_wl_obj *o;

		memlab_wl_sample(r);		/* after operation i - 1 */
		if (!(i % MEMLAB_WL_CHECK_EVERY) && memlab_wl_should_stop(r)) {
			r->interrupted = true;
			break;
		}
		r->steps++;
		cond_resched();
		if (!op->free) {
			struct memlab_wl_obj n = {
				.size = op->size, .id = op->id,
				.layer = memlab_wl_layer_of(r->ly, s, op->id, op->size),
			};
			u64 t0 = ktime_get_ns();

			n.p = memlab_wl_alloc(r->ly, s, n.layer, n.size,
					      n.layer == MEMLAB_WL_LMM ? op->align : 0);
			r->alloc_ns[r->nr_alloc++] = ktime_get_ns() - t0;
			n.cpu = raw_smp_processor_id();
			if (!n.p) {
				r->failures++;
				continue;
			}
			if (r->count == r->cap) {	/* cannot track it: give it back */
				memlab_wl_free_obj(r->ly, &n);
				r->failures++;
				continue;
			}
			if (!memlab_wl_put(r, &n)) {
				r->failures++;
				continue;
			}
			/* remember where it sits: the ring slot of the newest entry */
			xa_store(ids, op->id,
				 xa_mk_value((r->head + r->count - 1) % r->cap), GFP_KERNEL);
		} else {
			void *e = xa_erase(ids, op->id);
			unsigned long slot, z;

			if (!e)
				continue;	/* its allocation failed */
			slot = xa_to_value(e);
			z = (r->head + r->count - 1) % r->cap;
			o = &r->live[slot];
			memlab_wl_unput(r, o);
			memlab_wl_timed_free(r, o);
			/* move the newest entry into the hole and fix its index */
			if (slot != z) {
				r->live[slot] = r->live[z];
				xa_store(ids, r->live[slot].id, xa_mk_value(slot), GFP_KERNEL);
			}
			r->count--;
		}
	}
	if (!r->interrupted)
		memlab_wl_sample(r);		/* after the last operation */
}

/* Context: caller holds @wl->run_lock. */
static int wl_execute(struct memlab_workload *wl, const struct memlab_wl_spec *s)
{
	struct wl_ctl c = { .nr = s->cmd == MEMLAB_WL_CMD_REPLAY ? 1 : s->threads };
	struct memlab_wl_frag before, after;
	struct memlab_wl_samples *smp = NULL;
	struct memlab_wl_report *rep;
	unsigned long steps, cap, i;
	u32 *alloc_ns, *free_ns;
	struct xarray ids;
	bool stopped;
	int ret = 0;
	u64 t0;

	if (s->cmd == MEMLAB_WL_CMD_REPLAY && !wl->nr_trace)
		return -ENODATA;
	if (!wl->report || !wl->scratch)
		return -ENOMEM;
	ret = wl_samples_refuse(s->sample, s->cmd == MEMLAB_WL_CMD_REPLAY ? wl->nr_trace : s->ops);
	if (ret)
		return ret;
	if (s->policy[0]) {
		ret = lmm_set_policy(wl->ly->lmm, s->policy);
		if (ret) {
			pr_notice_ratelimited("workload line refused: policy=%s: %s\n", s->policy,
					      ret == -EBUSY ? "too many free extents to re-index" :
					      "no such LMM policy");
			return ret;
		}
	}
	if (!s->stack)
		wl_release_held(wl);
	else if (s->hold && wl->nr_held > MEMLAB_WL_MAX_LIVE)
		return -E2BIG;
	/*
	 * Every run on memlab starts from what the LMM can give: the free
	 * max-order blocks the pages layer keeps for its demand reserve go back
	 * first, so a run does not depend on what the one before it left
	 * cached, and a run on the LMM sees all of the arena's free memory.  A
	 * run on a kernel peer touches no memlab layer at all.
	 */
	if (s->layer != MEMLAB_WL_KMALLOC && s->layer != MEMLAB_WL_PAGES_KERNEL)
		memlab_pages_shrink(wl->ly->pages);
	c.threaded = c.nr > 1;
	steps = s->cmd == MEMLAB_WL_CMD_REPLAY ? wl->nr_trace : s->ops;	/* per thread */
	cap = s->free == MEMLAB_WL_FREE_KEEP ? s->keep : min(steps, MEMLAB_WL_MAX_LIVE / c.nr);
	cap = max(cap, 1UL);
	c.runs = kvcalloc(c.nr, sizeof(*c.runs), GFP_KERNEL);
	alloc_ns = kvmalloc_array(c.nr * steps, sizeof(u32), GFP_KERNEL);
	free_ns = kvmalloc_array(c.nr * steps, sizeof(u32), GFP_KERNEL);
	if (!c.runs || !alloc_ns || !free_ns) {
		ret = -ENOMEM;
		goto nomem;
	}
	for (i = 0; i < c.nr; i++) {
		struct wl_run *r = &c.runs[i];

		*r = (struct wl_run) {
			.ly = wl->ly, .spec = s, .ctl = &c, .thread = i, .cpu = -1,
			.cap = cap,
			.alloc_ns = alloc_ns + i * steps, .free_ns = free_ns + i * steps,
			.ns_cap = steps,
		};
		memlab_rand_seed(&r->rng, s->seed + i);
		init_waitqueue_head(&r->inbox.wq);
		init_completion(&r->done);
		r->live = kvcalloc(cap, sizeof(*r->live), GFP_KERNEL);
		if (s->xfree)
			r->inbox.ring = kvcalloc(WL_INBOX_SIZE, sizeof(*r->inbox.ring), GFP_KERNEL);
		if (!r->live || (s->xfree && !r->inbox.ring)) {
			ret = -ENOMEM;
			goto nomem;
		}
	}
	if (s->sample) {
		smp = wl_samples_new(s->sample, steps);
		if (!smp) {
			ret = -ENOMEM;
			goto nomem;
		}
		c.runs[0].smp = smp;
	}
	wl_frag(wl->ly, &before);
	c.slab_start = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	t0 = ktime_get_ns();
	if (s->cmd == MEMLAB_WL_CMD_REPLAY) {
		xa_init(&ids);
		wl_replay(wl, &c.runs[0], &ids);
		xa_destroy(&ids);
	} else if (!c.threaded) {
		wl_generate(&c.runs[0]);
	} else {
		ret = wl_run_threads(&c);
		if (ret)
			goto out;
	}
	t0 = ktime_get_ns() - t0;
	wl_frag(wl->ly, &after);

	rep = wl->scratch;
	memlab_wl_summarise(&c, alloc_ns, free_ns, &rep->figures);
	stopped = rep->figures.interrupted;
	memlab_wl_format(wl, s, &c, c.nr * steps, rep, &before, &after, t0);
	mutex_lock(&wl->lock);
	wl->scratch = wl->report;
	wl->report = rep;
	mutex_unlock(&wl->lock);
	wl_samples_publish(wl, smp);
	smp = NULL;
	/* a stopped run frees everything, hold=1 or not */
	wl_end(wl, &c, s->hold && !stopped);
	if (stopped)
		ret = -EINTR;
	goto out;
nomem:
	/* vmalloc gives up when a fatal signal is pending: say what happened */
	if (fatal_signal_pending(current))
		ret = -EINTR;
out:
	memlab_wl_samples_put(smp);
	wl_free_runs(&c);
	kvfree(alloc_ns);
	kvfree(free_ns);
	return ret;
}

/**
 * memlab_workload_run() - parse and run one workload/run line
 * @wl: the runner.
 * @line: the line.
 *
 * A run waits for a run, replay or trace write in progress, interruptibly.
 * A signal during the run stops it: what it allocated is freed, and its
 * figures so far are published, marked "interrupted".
 *
 * Context: process context; sleeps; runs the whole workload.
 * Return: 0; -EINVAL for a bad line (nothing run; the log says why);
 * -EINTR when a signal came while waiting or setting up (nothing run) or
 * during the run (stopped); -ENODATA to replay an empty trace; -ENOMEM.
 */
int memlab_workload_run(struct memlab_workload *wl, const char *line)
{
	struct memlab_wl_spec spec;
	const char *why = "";
	int ret = memlab_wl_parse(line, &spec, &why);

	if (ret) {
		pr_notice_ratelimited("workload line refused: %s\n", why);
		return ret;
	}
	if (spec.cmd != MEMLAB_WL_CMD_FREE && spec.cmd != MEMLAB_WL_CMD_SHRINK &&
	    spec.layer == MEMLAB_WL_VM && !wl->ly->vm) {
		pr_notice_ratelimited("workload line refused: this instance has no VM allocator\n");
		return -ENODEV;
	}
	ret = mutex_lock_interruptible(&wl->run_lock);
	if (ret)
		return ret;
	if (spec.cmd == MEMLAB_WL_CMD_FREE || spec.cmd == MEMLAB_WL_CMD_SHRINK) {
		wl_release_held(wl);
		if (spec.cmd == MEMLAB_WL_CMD_SHRINK) {
			memlab_generic_shrink(wl->ly->generic);
			memlab_pages_shrink(wl->ly->pages);
		}
		goto out;
	}
	ret = mutex_lock_interruptible(&wl->lock);
	if (ret)
		goto out;
	wl->running = true;
	strscpy(wl->running_line, skip_spaces(line), sizeof(wl->running_line));
	strim(wl->running_line);
	wl->running_since = ktime_get_ns();
	mutex_unlock(&wl->lock);

	ret = wl_execute(wl, &spec);

	mutex_lock(&wl->lock);
	wl->running = false;
	mutex_unlock(&wl->lock);
out:
	mutex_unlock(&wl->run_lock);
	return ret;
}

/* ------------------------------------------------------------------------
 * Set-up and tear-down
 * ------------------------------------------------------------------------
 */

/**
 * memlab_workload_init() - set up the runner
 * @wl: storage.
 * @ly: the layers runs allocate from, kept by the caller as long as @wl
 *	(NULL: traces only, for tests).
 *
 * Context: process context.  Without memory for the results, runs fail
 * with -ENOMEM later.
 */
void memlab_workload_init(struct memlab_workload *wl, const struct memlab_wl_layers *ly)
{
	memset(wl, 0, sizeof(*wl));
	mutex_init(&wl->run_lock);
	mutex_init(&wl->lock);
	memlab_wl_trace_init(wl);
	wl->ly = ly;
	wl->report = kvzalloc(sizeof(*wl->report), GFP_KERNEL);
	wl->scratch = kvzalloc(sizeof(*wl->scratch), GFP_KERNEL);
}

/**
 * memlab_workload_exit() - release held objects, the trace and the result
 * @wl: the runner.
 *
 * Context: process context; no run or reader may be in flight.
 */
void memlab_workload_exit(struct memlab_workload *wl)
{
	mutex_lock(&wl->run_lock);
	wl_release_held(wl);
	mutex_lock(&wl->lock);
	memlab_wl_trace_reset(wl);
	kvfree(wl->report);
	kvfree(wl->scratch);
	wl->report = NULL;
	wl->scratch = NULL;
	memlab_wl_samples_put(wl->samples);
	wl->samples = NULL;
	mutex_unlock(&wl->lock);
	mutex_unlock(&wl->run_lock);
	mutex_destroy(&wl->lock);
	mutex_destroy(&wl->run_lock);
}

