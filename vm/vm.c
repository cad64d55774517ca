// SPDX-License-Identifier: GPL-2.0
/*
 * vm: virtually contiguous areas over a pages instance, mapped with vmap().
 *
 * An allocation of n pages takes its memory from the pages layer block by
 * block: first the largest order that fits what is left (capped by the
 * instance's max order), one order lower each time the pages layer refuses,
 * never higher again - so a request costs at most max_order refusals on top
 * of its blocks, and an unfragmented instance serves it with few blocks, as
 * vmalloc's huge-page option does.  The struct page behind every page of
 * every block (vmalloc_to_page() over a vmalloc arena, virt_to_page() over
 * the linear map) goes into one array, and vmap() maps them side by side:
 *
 *   vmalloc space   [ area A: 5 pages ][guard][ area B: 3 pages ][guard]
 *                     a0 a0 a0 a0 a1     --     b0 b1 b1          --
 *                      \  block a0 /\a1         |   \b1 /
 *   pages span     [..| a0 (order 2) |..| b0 |..| a1 |......| b1 (1) |..]
 *
 * The guard page is vmap()'s own: every area it maps is followed by one
 * unmapped page of its reservation (vmap() refuses VM_NO_GUARD), so a run
 * off the end of an area faults instead of landing in the next one.  The
 * validator checks that the page after each area is unmapped.
 *
 * Bookkeeping lives outside the memory: one struct vm_area per area in an
 * rbtree keyed by start address (lookups of any address inside an area are
 * O(log n)), with an exactly sized array of its blocks in area order, the
 * number of physically contiguous runs behind it and the caller.  Every
 * backing block is tagged with the instance in the pages layer while it
 * belongs to a live area.
 *
 * Lock order:
 *   1. vm->lock (per instance; mutex)
 *   2. the pages instance's locks (pages/pages.c), then the LMM's
 *
 *   vm->lock
 *
 *   A mutex - vmap() and vunmap() sleep, and the validator walks the page
 *   tables of every page.  Protects the tree of areas (@root), the owner
 *   tags of backing blocks, the freed history (@freed, @freed_next),
 *   @warned and the counters (@st); @max_order and the fault hook are
 *   written under it and read without it (READ_ONCE()).  Pages are taken,
 *   mapped, unmapped and given back outside it: an area becomes visible (in
 *   the tree, blocks tagged) in one critical section and stops being
 *   visible in another, so nobody sees half of one.  The pages instance's
 *   locks nest inside it only in the validator (memlab_pages_walk()).
 */

#define pr_fmt(fmt) "memlab: " fmt

#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "common/check.h"
#include "common/fault_hook.h"
#include "common/memlab_export.h"
#include "common/memlab_trace.h"
#include "common/misuse.h"
#include "vm/vm.h"

/* ------------------------------------------------------------------------
 * Data
 * ------------------------------------------------------------------------
 */

/**
 * struct vm_area - one live area
 * @node: in vm->root, keyed by @addr.
 * @addr: first byte, in vmalloc space, page aligned.
 * @nr_pages: pages mapped; the area is [addr, addr + nr_pages * PAGE_SIZE).
 * @requested: bytes asked for; PAGE_ALIGN(@requested) == nr_pages pages.
 * @nr_runs: runs of consecutive pfns behind the area, in area order.
 * @nr_blocks: entries in @blocks.
 * @blocks: the pages-layer blocks, in area order: blocks[0].pgoff == 0 and
 *	each starts where the one before ends.
 * @caller: return address of the allocating call.
 *
 * All fields are constant while the area is in the tree.
 */
struct vm_area {
	struct rb_node node;
	void *addr;
	unsigned long nr_pages;
	size_t requested;
	unsigned long nr_runs;
	unsigned int nr_blocks;
	struct memlab_vm_block *blocks;
	void *caller;
};

/**
 * struct memlab_vm - an instance
 * @lock: protects everything below but the constants.
 * @name: for messages; constant.
 * @pages: where the memory comes from; constant.
 * @span: the pages instance's span in bytes; constant.
 * @max_order: largest block order asked for (READ_ONCE in allocations).
 * @fault: fault injection: fail this allocation at this step?
 * @root: the live areas.
 * @freed: start addresses of the last MEMLAB_VM_FREED_HISTORY areas freed.
 * @freed_next: where in @freed the next one goes.
 * @warned: misuse kinds already warned about.
 * @st: counters; the derived fields of a snapshot are computed.
 */
struct memlab_vm {
	struct mutex lock;	/* all but the constants; may be held across page-table walks */
	const char *name;
	struct memlab_pages *pages;
	size_t span;
	unsigned int max_order;
	struct memlab_fault_hook fault;
	struct rb_root root;
	const void *freed[MEMLAB_VM_FREED_HISTORY];
	unsigned int freed_next;
	unsigned long warned;
	struct memlab_vm_stats st;
};

static const char * const vm_misuse_names[] = {
	[MEMLAB_VM_MISUSE_DOUBLE_FREE]	= "area already freed",
	[MEMLAB_VM_MISUSE_INTERIOR]	= "address inside an area, not its start",
	[MEMLAB_VM_MISUSE_FOREIGN]	= "address in no area of the instance",
	[MEMLAB_VM_MISUSE_ZERO_SIZE]	= "size 0",
	[MEMLAB_VM_MISUSE_TOO_LARGE]	= "size above the pages instance's span",
};

static_assert(ARRAY_SIZE(vm_misuse_names) == MEMLAB_VM_NR_MISUSE);

/* The instance memlab_vmalloc() and friends use. */
static struct memlab_vm *memlab_vm_default;

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */

static inline size_t vm_area_bytes(const struct vm_area *va)
{
	return va->nr_pages << PAGE_SHIFT;
}

/*
 * Count a misuse of @addr or @size; true if it is to be warned about
 * (memlab_misuse_warn_once(): the first of its kind, and no KUnit case
 * holding the "vm_misuse" log, which records the kind, @addr and @size).
 * Context: caller holds vm->lock.
 */
static bool vm_count_misuse(struct memlab_vm *vm, enum memlab_vm_misuse kind,
			    const void *addr, size_t size)
{
	lockdep_assert_held(&vm->lock);
	vm->st.misuse[kind]++;
	return memlab_misuse_warn_once(&vm->warned, "vm_misuse", kind, addr, size);
}

/* Trace a misuse already counted, and warn if @warn; addresses hashed, never raw. */
static void vm_report(struct memlab_vm *vm, enum memlab_vm_misuse kind, bool warn,
		      const void *addr, size_t size)
{
	trace_memlab_misuse("vm", vm->name, vm_misuse_names[kind], addr, size, 0);
	if (!warn)
		return;
	if (kind == MEMLAB_VM_MISUSE_ZERO_SIZE || kind == MEMLAB_VM_MISUSE_TOO_LARGE)
		pr_warn("vm %s: %s: %zu bytes asked, %zu in the span (further ones counted, not shown)\n",
			vm->name, vm_misuse_names[kind], size, vm->span);
	else
		pr_warn("vm %s: free of %p: %s (further ones counted, not shown)\n",
			vm->name, addr, vm_misuse_names[kind]);
}

static void vm_misuse(struct memlab_vm *vm, enum memlab_vm_misuse kind, const void *addr,
		      size_t size)
{
	bool warn;

	mutex_lock(&vm->lock);
	warn = vm_count_misuse(vm, kind, addr, size);
	mutex_unlock(&vm->lock);
	vm_report(vm, kind, warn, addr, size);
}

/* The area containing @a, or NULL.  Context: caller holds vm->lock. */
static struct vm_area *vm_find(struct memlab_vm *vm, uintptr_t a)
{
	struct rb_node *n = vm->root.rb_node;

	lockdep_assert_held(&vm->lock);
	while (n) {
		struct vm_area *va = rb_entry(n, struct vm_area, node);
		uintptr_t s = (uintptr_t)va->addr;

		if (a < s)
			n = n->rb_left;
		else if (a - s >= vm_area_bytes(va))
			n = n->rb_right;
		else
			return va;
	}
	return NULL;
}

/* Link @va into the tree; false if an area starts there already. */
static bool vm_insert(struct memlab_vm *vm, struct vm_area *va)
{
	struct rb_node **link = &vm->root.rb_node, *parent = NULL;

	lockdep_assert_held(&vm->lock);
	while (*link) {
		struct vm_area *o = rb_entry(*link, struct vm_area, node);

		parent = *link;
		if ((uintptr_t)va->addr < (uintptr_t)o->addr)
			link = &parent->rb_left;
		else if ((uintptr_t)va->addr > (uintptr_t)o->addr)
			link = &parent->rb_right;
		else
			return false;
	}
	rb_link_node(&va->node, parent, link);
	rb_insert_color(&va->node, &vm->root);
	return true;
}

/* The block backing page @pgoff of @va: a binary search on the pgoffs. */
static const struct memlab_vm_block *vm_block_of(const struct vm_area *va,
						 unsigned long pgoff)
{
	unsigned int lo = 0, hi = va->nr_blocks;

	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (va->blocks[mid].pgoff <= pgoff)
			lo = mid;
		else
			hi = mid;
	}
	return &va->blocks[lo];
}

/*
 * The struct page behind one page of the pages instance's span: a vmalloc
 * arena is mapped page by page, so even a higher-order memlab block is only
 * virtually contiguous there and each page needs its own look-up; a pages
 * or CMA arena lies in the linear map.  NULL if the address is neither.
 */
static struct page *vm_arena_page(const void *addr)
{
	if (is_vmalloc_addr(addr))
		return vmalloc_to_page(addr);
	if (virt_addr_valid(addr))
		return virt_to_page(addr);
	return NULL;
}

/* Tag (or untag, with NULL) @n blocks.  Context: caller holds vm->lock. */
static void vm_tag(struct memlab_vm *vm, const struct memlab_vm_block *b, unsigned int n,
		   void *tag)
{
	lockdep_assert_held(&vm->lock);
	while (n--)
		memlab_page_set_owner(memlab_addr_to_page(vm->pages, b[n].addr), tag);
}

/* Give @n blocks back to the pages layer, last first. */
static void vm_put_blocks(struct memlab_vm *vm, const struct memlab_vm_block *b,
			  unsigned int n)
{
	/*
	 * These blocks came from this pages instance and nobody else frees
	 * them; a refusal would mean its state was corrupted, which it counts
	 * and reports itself.
	 */
	while (n--)
		memlab_put_pages(vm->pages, b[n].addr);
}

/* Add @va to the counters, or take it out.  Context: caller holds vm->lock. */
static void vm_account(struct memlab_vm *vm, const struct vm_area *va, bool add)
{
	struct memlab_vm_stats *st = &vm->st;
	unsigned int i;

	lockdep_assert_held(&vm->lock);
	if (add) {
		st->nr_areas++;
		st->nr_pages += va->nr_pages;
		st->nr_blocks += va->nr_blocks;
		st->nr_runs += va->nr_runs;
		st->requested += va->requested;
		for (i = 0; i < va->nr_blocks; i++)
			st->blocks_by_order[va->blocks[i].order]++;
	} else {
		st->nr_areas--;
		st->nr_pages -= va->nr_pages;
		st->nr_blocks -= va->nr_blocks;
		st->nr_runs -= va->nr_runs;
		st->requested -= va->requested;
		for (i = 0; i < va->nr_blocks; i++)
			st->blocks_by_order[va->blocks[i].order]--;
	}
}

/* Whether @addr started one of the areas freed last. */
static bool vm_freed_before(struct memlab_vm *vm, const void *addr)
{
	unsigned int i;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < MEMLAB_VM_FREED_HISTORY; i++)
		if (vm->freed[i] == addr)
			return true;
	return false;
}

/* Ask the fault hook whether this step of an allocation must fail. */
static bool vm_should_fail(struct memlab_vm *vm)
{
	return memlab_fault_hook_fires(&vm->fault);
}

/* ------------------------------------------------------------------------
 * Allocation and free
 * ------------------------------------------------------------------------
 */

/*
 * Take @nr pages' worth of blocks into @b, largest order first; on failure
 * *@n blocks are held and the caller gives them back.
 */
static int vm_take_blocks(struct memlab_vm *vm, unsigned long nr, lmm_flags_t flags,
			  struct memlab_vm_block *b, unsigned int *n, u64 *fallbacks)
{
	unsigned int order = min_t(unsigned int, READ_ONCE(vm->max_order), ilog2(nr));
	unsigned long pgoff = 0;

	*n = 0;
	while (pgoff < nr) {
		struct memlab_page *pg;

		order = min_t(unsigned int, order, ilog2(nr - pgoff));
		pg = memlab_alloc_pages(vm->pages, flags, order);
		if (!pg) {
			if (!order)
				return -ENOMEM;
			order--;	/* and never back up: it just failed */
			(*fallbacks)++;
			continue;
		}
		b[*n].addr = memlab_page_to_addr(vm->pages, pg);
		b[*n].pgoff = pgoff;
		b[*n].order = order;
		(*n)++;
		pgoff += 1UL << order;
		cond_resched();
	}
	return 0;
}

/*
 * Fill @pages with the struct page behind every page of the blocks, and
 * count the runs of consecutive pfns; false if a page has none.
 */
static bool vm_struct_pages(const struct memlab_vm_block *b, unsigned int n,
			    struct page **pages, unsigned long *runs)
{
	unsigned long k = 0, j;
	unsigned int i;

	*runs = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < 1UL << b[i].order; j++, k++) {
			pages[k] = vm_arena_page(b[i].addr + (j << PAGE_SHIFT));
			if (!pages[k])
				return false;
			if (!k || page_to_pfn(pages[k]) != page_to_pfn(pages[k - 1]) + 1)
				(*runs)++;
		}
	}
	return true;
}

static void *vm_do_alloc(struct memlab_vm *vm, size_t size, lmm_flags_t flags, void *caller)
{
	struct memlab_vm_block *blocks = NULL;
	struct page **pages = NULL;
	struct vm_area *va = NULL;
	unsigned int n = 0;
	u64 fallbacks = 0;
	bool injected = false;
	unsigned long nr;

	might_sleep();
	if (unlikely(!size || size > vm->span)) {
		vm_misuse(vm, size ? MEMLAB_VM_MISUSE_TOO_LARGE : MEMLAB_VM_MISUSE_ZERO_SIZE,
			  NULL, size);
		return NULL;
	}
	nr = PAGE_ALIGN(size) >> PAGE_SHIFT;	/* no overflow: the span is page aligned */
	if (unlikely(nr > UINT_MAX)) {		/* vmap() counts pages in an unsigned int */
		vm_misuse(vm, MEMLAB_VM_MISUSE_TOO_LARGE, NULL, size);
		return NULL;
	}

	va = kzalloc(sizeof(*va), GFP_KERNEL);
	blocks = kvcalloc(nr, sizeof(*blocks), GFP_KERNEL);	/* at most one block a page */
	if (!va || !blocks)
		goto fail;
	va->nr_pages = nr;
	va->requested = size;
	va->caller = caller;
	if (vm_take_blocks(vm, nr, flags, blocks, &n, &fallbacks))
		goto fail;

	/* Step "page array": the bookkeeping sized exactly, and vmap()'s input. */
	if (vm_should_fail(vm)) {
		injected = true;
		goto fail;
	}
	va->blocks = kvcalloc(n, sizeof(*va->blocks), GFP_KERNEL);
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!va->blocks || !pages)
		goto fail;
	memcpy(va->blocks, blocks, n * sizeof(*blocks));
	kvfree(blocks);
	blocks = va->blocks;
	va->nr_blocks = n;
	if (WARN_ON_ONCE(!vm_struct_pages(blocks, n, pages, &va->nr_runs)))
		goto fail;

	/* Step "map". */
	if (vm_should_fail(vm)) {
		injected = true;
		goto fail;
	}
	va->addr = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	if (!va->addr)
		goto fail;
	kvfree(pages);
	pages = NULL;

	mutex_lock(&vm->lock);
	if (WARN_ON_ONCE(!vm_insert(vm, va))) {	/* vmap() gave a live area's address */
		mutex_unlock(&vm->lock);
		vunmap(va->addr);
		goto fail;
	}
	vm_tag(vm, blocks, n, vm);
	vm_account(vm, va, true);
	vm->st.allocs++;
	vm->st.fallbacks += fallbacks;
	mutex_unlock(&vm->lock);
	return va->addr;

fail:
	vm_put_blocks(vm, blocks, n);
	kvfree(pages);
	if (blocks != (va ? va->blocks : NULL))
		kvfree(blocks);
	if (va)
		kvfree(va->blocks);
	kfree(va);
	mutex_lock(&vm->lock);
	vm->st.failures++;
	vm->st.injected += injected;
	vm->st.fallbacks += fallbacks;
	mutex_unlock(&vm->lock);
	return NULL;
}

/* An allocation for @caller, the caller of the public entry point, and its trace event. */
static void *vm_alloc(struct memlab_vm *vm, size_t size, lmm_flags_t flags, void *caller)
{
	void *addr = vm_do_alloc(vm, size, flags, caller);

	trace_memlab_vm_alloc((unsigned long)caller, vm->name, addr, size,
			      addr ? PAGE_ALIGN(size) : 0, flags);
	return addr;
}

/* ------------------------------------------------------------------------
 * Public interface
 * ------------------------------------------------------------------------
 */

/**
 * memlab_vm_create() - create a vm instance over a pages instance
 * @pages: where areas take their memory; must outlive the instance.
 * @name: for messages and statistics; must outlive the instance.
 *
 * Takes no memory until the first allocation.  Blocks are asked for up to
 * the pages instance's max order (see memlab_vm_set_max_order()).
 *
 * Context: process context.
 * Return: the instance, or an ERR_PTR: -EINVAL without @pages or @name,
 * -ENOMEM.
 */
struct memlab_vm *memlab_vm_create(struct memlab_pages *pages, const char *name)
{
	struct memlab_vm *vm;

	if (!pages || !name)
		return ERR_PTR(-EINVAL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&vm->lock);
	vm->name = name;
	vm->pages = pages;
	vm->span = memlab_pages_span(pages);
	vm->max_order = memlab_pages_max_order(pages);
	vm->root = RB_ROOT;
	return vm;
}
EXPORT_SYMBOL_NS_GPL(memlab_vm_create, MEMLAB_NS);

/**
 * memlab_vm_destroy() - tear an instance down
 * @vm: the instance.
 *
 * Stops being the default instance if it was one.
 *
 * Context: process context.
 * Return: 0, or -EBUSY (nothing changes; the count is printed) while areas
 * are allocated.
 */
int memlab_vm_destroy(struct memlab_vm *vm)
{
	unsigned long live;

	mutex_lock(&vm->lock);
	live = vm->st.nr_areas;
	mutex_unlock(&vm->lock);
	if (live) {
		pr_warn("vm %s: destroy refused: %lu areas still allocated\n", vm->name, live);
		return -EBUSY;
	}
	if (READ_ONCE(memlab_vm_default) == vm)
		WRITE_ONCE(memlab_vm_default, NULL);
	mutex_destroy(&vm->lock);
	kfree(vm);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_vm_destroy, MEMLAB_NS);

/**
 * memlab_vm_set_max_order() - the largest block order allocations ask for
 * @vm: the instance.
 * @order: 0 (order-0 pages only, as plain vmalloc) up to the pages
 *	instance's max order (the default).
 *
 * Live areas keep their blocks.
 *
 * Context: process context.
 * Return: 0, or -EINVAL above the pages instance's max order.
 */
int memlab_vm_set_max_order(struct memlab_vm *vm, unsigned int order)
{
	if (order > memlab_pages_max_order(vm->pages))
		return -EINVAL;
	mutex_lock(&vm->lock);
	WRITE_ONCE(vm->max_order, order);
	mutex_unlock(&vm->lock);
	return 0;
}

/**
 * memlab_vm_set_fault_hook() - make allocations fail on purpose
 * @vm: the instance.
 * @hook: asked at the two steps of an allocation that follow taking its
 *	pages - sizing its page array, then mapping - and true makes that step
 *	fail; the allocation then unwinds and counts as failed and injected.
 *	NULL removes it.  Must not sleep.  (The pages layer's own hook fails
 *	the page steps.)
 * @arg: passed to @hook.
 *
 * Context: process context, while no allocation is in flight.
 */
void memlab_vm_set_fault_hook(struct memlab_vm *vm, memlab_fault_fn hook, void *arg)
{
	mutex_lock(&vm->lock);
	memlab_fault_hook_set(&vm->fault, hook, arg);
	mutex_unlock(&vm->lock);
}

/**
 * memlab_vm_alloc() - allocate a virtually contiguous area
 * @vm: the instance.
 * @size: bytes, from 1 to the pages instance's span; rounded up to pages.
 * @flags: LMM region flags every backing block must come from, as for
 *	memlab_alloc_pages().
 *
 * The pages come from the pages layer in blocks of the largest order that
 * fits and is free, down to order 0, so the area may be larger than any
 * free contiguous block.  They are mapped with vmap() (VM_MAP, PAGE_KERNEL)
 * and followed by its unmapped guard page.  Each refusal at an order above
 * 0 is a failure in the pages layer's counters too.
 *
 * Context: process context; may sleep.
 * Return: the area's first byte, page aligned, or NULL: for want of pages,
 * bookkeeping or mapping space (every page taken is given back), or for a
 * size of 0 or above the span (counted as misuse, nothing taken).
 */
void *memlab_vm_alloc(struct memlab_vm *vm, size_t size, lmm_flags_t flags)
{
	return vm_alloc(vm, size, flags, __builtin_return_address(0));
}
EXPORT_SYMBOL_NS_GPL(memlab_vm_alloc, MEMLAB_NS);

/**
 * memlab_vm_free() - unmap an area and give its pages back
 * @vm: the instance.
 * @addr: what memlab_vm_alloc() returned; NULL is ignored.
 *
 * A double free is told from a foreign pointer while the address is among
 * the instance's last MEMLAB_VM_FREED_HISTORY frees and no area of the
 * instance has started there since (then it is that area's free).
 *
 * Context: process context; may sleep.
 * Return: 0, or -EINVAL (counted, warned once per kind, nothing changed)
 * for an address inside an area but not its start, an area already freed,
 * or an address in no area of @vm.
 */
int memlab_vm_free(struct memlab_vm *vm, const void *addr)
{
	enum memlab_vm_misuse kind;
	struct vm_area *va;
	bool warn;

	might_sleep();
	if (!addr)
		return 0;
	trace_memlab_vm_free(_RET_IP_, vm->name, addr);
	mutex_lock(&vm->lock);
	va = vm_find(vm, (uintptr_t)addr);
	if (unlikely(!va || va->addr != addr)) {
		if (va)
			kind = MEMLAB_VM_MISUSE_INTERIOR;
		else if (vm_freed_before(vm, addr))
			kind = MEMLAB_VM_MISUSE_DOUBLE_FREE;
		else
			kind = MEMLAB_VM_MISUSE_FOREIGN;
		warn = vm_count_misuse(vm, kind, addr, 0);
		mutex_unlock(&vm->lock);
		vm_report(vm, kind, warn, addr, 0);
		return -EINVAL;
	}
	/* a live area is whole (vm_do_alloc() made it so): a memlab bug otherwise */
	VM_WARN_ON_ONCE(!va->nr_blocks || !va->blocks || va->blocks[0].pgoff);
	rb_erase(&va->node, &vm->root);
	vm_tag(vm, va->blocks, va->nr_blocks, NULL);
	vm_account(vm, va, false);
	vm->freed[vm->freed_next] = addr;
	vm->freed_next = (vm->freed_next + 1) % MEMLAB_VM_FREED_HISTORY;
	vm->st.frees++;
	mutex_unlock(&vm->lock);

	/* Out of the tree and untagged: nobody else can reach it now. */
	vunmap(va->addr);
	vm_put_blocks(vm, va->blocks, va->nr_blocks);
	kvfree(va->blocks);
	kfree(va);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(memlab_vm_free, MEMLAB_NS);

/**
 * memlab_vm_to_page() - the memlab page behind an address of an area
 * @vm: the instance.
 * @addr: any byte of a live area.
 *
 * Context: process context; may sleep; O(log areas + log blocks).
 * Return: the pages layer's descriptor of the page @addr lies in (a tail
 * page's, inside a larger block), or NULL if @addr is in no area of @vm.
 */
struct memlab_page *memlab_vm_to_page(struct memlab_vm *vm, const void *addr)
{
	struct memlab_page *page = NULL;
	struct vm_area *va;

	mutex_lock(&vm->lock);
	va = vm_find(vm, (uintptr_t)addr);
	if (va) {
		unsigned long pgoff = ((uintptr_t)addr - (uintptr_t)va->addr) >> PAGE_SHIFT;
		const struct memlab_vm_block *b = vm_block_of(va, pgoff);

		page = memlab_addr_to_page(vm->pages, b->addr + ((pgoff - b->pgoff) << PAGE_SHIFT));
	}
	mutex_unlock(&vm->lock);
	return page;
}

/**
 * memlab_vm_size() - the usable size of an area
 * @vm: the instance.
 * @addr: the area's start, as memlab_vm_alloc() returned it.
 *
 * Context: process context; may sleep.
 * Return: the bytes mapped (the request rounded up to pages), or 0 if no
 * area of @vm starts at @addr.
 */
size_t memlab_vm_size(struct memlab_vm *vm, const void *addr)
{
	struct vm_area *va;
	size_t size = 0;

	mutex_lock(&vm->lock);
	va = vm_find(vm, (uintptr_t)addr);
	if (va && va->addr == addr)
		size = vm_area_bytes(va);
	mutex_unlock(&vm->lock);
	return size;
}

/**
 * memlab_vm_owns_block() - whether a pages block's owner tag is @vm's
 * @vm: the instance.
 * @owner: a tag from memlab_page_owner() or memlab_pages_walk().
 *
 * Context: any context.
 * Return: true if the block backs a live area of @vm.
 */
bool memlab_vm_owns_block(const struct memlab_vm *vm, const void *owner)
{
	return owner == vm;
}

/**
 * memlab_vm_misuse_name() - a short description of a misuse kind
 * @kind: the kind.
 *
 * Return: a static string; "?" for an unknown kind.
 */
const char *memlab_vm_misuse_name(enum memlab_vm_misuse kind)
{
	if ((unsigned int)kind >= MEMLAB_VM_NR_MISUSE)
		return "?";
	return vm_misuse_names[kind];
}

/**
 * memlab_vm_stats() - a consistent snapshot of an instance
 * @vm: the instance.
 * @st: filled in.
 *
 * Context: process context; may sleep; O(areas) for the largest.
 */
void memlab_vm_stats(struct memlab_vm *vm, struct memlab_vm_stats *st)
{
	struct rb_node *n;

	mutex_lock(&vm->lock);
	*st = vm->st;
	st->name = vm->name;
	st->max_order = vm->max_order;
	st->span = vm->span;
	st->largest = 0;
	for (n = rb_first(&vm->root); n; n = rb_next(n))
		st->largest = max(st->largest, vm_area_bytes(rb_entry(n, struct vm_area, node)));
	st->meta_bytes = sizeof(*vm) + st->nr_areas * sizeof(struct vm_area) +
			 st->nr_blocks * sizeof(struct memlab_vm_block);
	mutex_unlock(&vm->lock);
}

/**
 * memlab_vm_walk() - visit every live area, in address order, in one snapshot
 * @vm: the instance.
 * @fn: called for each area with the instance locked; it may sleep but must
 *	not call into @vm.
 * @arg: passed to @fn.
 *
 * Context: process context; may sleep.
 */
void memlab_vm_walk(struct memlab_vm *vm, memlab_vm_walk_fn fn, void *arg)
{
	struct memlab_vm_area_info info;
	struct rb_node *n;

	mutex_lock(&vm->lock);
	for (n = rb_first(&vm->root); n; n = rb_next(n)) {
		struct vm_area *va = rb_entry(n, struct vm_area, node);

		info = (struct memlab_vm_area_info) {
			.addr = va->addr,
			.size = vm_area_bytes(va),
			.requested = va->requested,
			.nr_pages = va->nr_pages,
			.nr_blocks = va->nr_blocks,
			.nr_runs = va->nr_runs,
			.blocks = va->blocks,
			.caller = va->caller,
		};
		fn(arg, &info);
	}
	mutex_unlock(&vm->lock);
}

/*
 * Validators: MEMLAB_CHECK() for @vm, counting in @bad; a KUnit case that
 * corrupts on purpose holds "memlab_check" and the violations go there.
 */
#define VM_CHECK(cond, fmt, ...) \
	MEMLAB_CHECK(bad, "vm", vm->name, cond, fmt, ##__VA_ARGS__)

struct vm_owned {
	const struct memlab_vm *vm;
	unsigned long blocks;
};

static void vm_count_owned(void *arg, void *addr, unsigned int order, bool free, void *owner)
{
	struct vm_owned *o = arg;

	if (!free && owner == o->vm)
		o->blocks++;
}

/*
 * Re-derive one area from the pages layer and the page tables, adding what
 * it finds to @sum.  Context: caller holds vm->lock.
 */
static int vm_check_area(struct memlab_vm *vm, const struct vm_area *va,
			 struct memlab_vm_stats *sum)
{
	unsigned int max_order = memlab_pages_max_order(vm->pages), i;
	unsigned long pgoff = 0, runs = 0, prev_pfn = 0, j;
	int bad = 0;

	lockdep_assert_held(&vm->lock);
	VM_CHECK(va->nr_pages && va->nr_blocks && va->blocks &&
		 PAGE_ALIGN(va->requested) >> PAGE_SHIFT == va->nr_pages,
		 "area %p: %lu pages, %u blocks, %zu bytes asked", va->addr, va->nr_pages,
		 va->nr_blocks, va->requested);
	for (i = 0; i < va->nr_blocks && bad < 16; i++) {
		const struct memlab_vm_block *b = &va->blocks[i];
		struct memlab_page *pg = memlab_addr_to_page(vm->pages, b->addr);

		VM_CHECK(b->pgoff == pgoff && b->order <= max_order &&
			 pgoff + (1UL << b->order) <= va->nr_pages,
			 "area %p block %u: pgoff %u order %u, expected pgoff %lu", va->addr, i,
			 b->pgoff, b->order, pgoff);
		if (b->order > max_order || pgoff + (1UL << b->order) > va->nr_pages)
			break;
		VM_CHECK(memlab_pages_block_owner(vm->pages, b->addr) == vm,
			 "area %p block %u: not an allocated block of the pages instance tagged with the vm",
			 va->addr, i);
		VM_CHECK(pg && memlab_page_order(vm->pages, pg) == b->order,
			 "area %p block %u: the pages layer has another order", va->addr, i);
		for (j = 0; j < 1UL << b->order; j++) {
			const void *v = va->addr + ((pgoff + j) << PAGE_SHIFT);
			struct page *want = vm_arena_page(b->addr + (j << PAGE_SHIFT));

			VM_CHECK(want && vmalloc_to_page(v) == want,
				 "area %p page %lu: not mapped to its memlab page", va->addr,
				 pgoff + j);
			if (want) {
				if (!(pgoff + j) || page_to_pfn(want) != prev_pfn + 1)
					runs++;
				prev_pfn = page_to_pfn(want);
			}
		}
		sum->blocks_by_order[b->order]++;
		pgoff += 1UL << b->order;
	}
	VM_CHECK(pgoff == va->nr_pages, "area %p: blocks cover %lu of %lu pages", va->addr,
		 pgoff, va->nr_pages);
	VM_CHECK(runs == va->nr_runs, "area %p: %lu physical runs, %lu recorded", va->addr,
		 runs, va->nr_runs);
	VM_CHECK(!vmalloc_to_page(va->addr + vm_area_bytes(va)),
		 "area %p: the page after it (vmap's guard) is mapped", va->addr);
	sum->nr_areas++;
	sum->nr_pages += va->nr_pages;
	sum->nr_blocks += va->nr_blocks;
	sum->nr_runs += va->nr_runs;
	sum->requested += va->requested;
	return bad;
}

/**
 * memlab_vm_check() - re-derive every invariant of an instance
 * @vm: the instance.
 *
 * Every area is a page-aligned range of vmalloc space, areas are apart by
 * at least vmap's guard page, and the page after each is unmapped; its
 * blocks follow one another in area order and cover exactly its pages
 * (PAGE_ALIGN(requested) of them); each block is an allocated block of the
 * pages instance, of the recorded order, tagged with the vm; every virtual
 * page maps (vmalloc_to_page()) the struct page behind its memlab page, and
 * those frames make the recorded number of runs; the counters equal the
 * sums over the areas, allocs - frees equals the live areas; and the pages
 * layer holds no other block tagged with the vm.
 *
 * Context: process context; may sleep; O(pages mapped + blocks of the
 * pages instance).
 * Return: the number of violations; 0 means healthy.
 */
int memlab_vm_check(struct memlab_vm *vm)
{
	struct memlab_vm_stats *sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	struct vm_owned owned = { .vm = vm };
	uintptr_t prev_end = 0;
	struct rb_node *n;
	unsigned int o;
	int bad = 0;

	if (!sum)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	for (n = rb_first(&vm->root); n && bad < 16; n = rb_next(n)) {
		struct vm_area *va = rb_entry(n, struct vm_area, node);
		uintptr_t s = (uintptr_t)va->addr;

		VM_CHECK(is_vmalloc_addr(va->addr) && !(s & ~PAGE_MASK),
			 "area %p: not a page of vmalloc space", va->addr);
		VM_CHECK(!prev_end || s >= prev_end + PAGE_SIZE,
			 "area %p: less than a guard page after the one before", va->addr);
		bad += vm_check_area(vm, va, sum);
		prev_end = s + vm_area_bytes(va);
		cond_resched();
	}
	VM_CHECK(sum->nr_areas == vm->st.nr_areas && sum->nr_pages == vm->st.nr_pages &&
		 sum->nr_blocks == vm->st.nr_blocks && sum->nr_runs == vm->st.nr_runs &&
		 sum->requested == vm->st.requested,
		 "counters: %lu areas %lu pages %lu blocks %lu runs, %lu %lu %lu %lu found",
		 vm->st.nr_areas, vm->st.nr_pages, vm->st.nr_blocks, vm->st.nr_runs,
		 sum->nr_areas, sum->nr_pages, sum->nr_blocks, sum->nr_runs);
	for (o = 0; o < MEMLAB_PAGES_NR_ORDERS; o++)
		VM_CHECK(sum->blocks_by_order[o] == vm->st.blocks_by_order[o],
			 "order %u: %lu blocks counted, %lu found", o, vm->st.blocks_by_order[o],
			 sum->blocks_by_order[o]);
	VM_CHECK(vm->st.allocs - vm->st.frees == vm->st.nr_areas,
		 "%llu allocs - %llu frees != %lu areas", vm->st.allocs, vm->st.frees,
		 vm->st.nr_areas);
	memlab_pages_walk(vm->pages, vm_count_owned, &owned);
	VM_CHECK(owned.blocks == vm->st.nr_blocks,
		 "%lu pages-layer blocks tagged with the vm, %lu behind its areas",
		 owned.blocks, vm->st.nr_blocks);
	mutex_unlock(&vm->lock);
	kfree(sum);
	return bad;
}

/**
 * memlab_vm_set_default() - the instance memlab_vmalloc() and friends use
 * @vm: the instance, or NULL.
 *
 * Context: called by the module at load and unload.
 */
void memlab_vm_set_default(struct memlab_vm *vm)
{
	WRITE_ONCE(memlab_vm_default, vm);
}

/**
 * memlab_vmalloc() - allocate a virtually contiguous area from memlab's arena
 * @size: bytes, > 0.
 *
 * memlab_vm_alloc() on the default instance, from any zone; the area is
 * recorded with the caller of memlab_vmalloc().
 *
 * Context: process context; may sleep.
 * Return: the area, or NULL (also without a default instance).
 */
void *memlab_vmalloc(size_t size)
{
	struct memlab_vm *vm = READ_ONCE(memlab_vm_default);

	return vm ? vm_alloc(vm, size, 0, __builtin_return_address(0)) : NULL;
}
EXPORT_SYMBOL_NS_GPL(memlab_vmalloc, MEMLAB_NS);

/**
 * memlab_vfree() - free an area from memlab_vmalloc()
 * @addr: the area, or NULL.
 *
 * Context: process context; may sleep.
 * Return: see memlab_vm_free(); -EINVAL without a default instance.
 */
int memlab_vfree(const void *addr)
{
	struct memlab_vm *vm = READ_ONCE(memlab_vm_default);

	if (!addr)
		return 0;
	return vm ? memlab_vm_free(vm, addr) : -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(memlab_vfree, MEMLAB_NS);

/**
 * memlab_vmalloc_to_page() - the memlab page behind an address from memlab_vmalloc()
 * @addr: any byte of an area of the default instance.
 *
 * Context: process context; may sleep.
 * Return: see memlab_vm_to_page(); NULL without a default instance.
 */
struct memlab_page *memlab_vmalloc_to_page(const void *addr)
{
	struct memlab_vm *vm = READ_ONCE(memlab_vm_default);

	return vm ? memlab_vm_to_page(vm, addr) : NULL;
}
EXPORT_SYMBOL_NS_GPL(memlab_vmalloc_to_page, MEMLAB_NS);
