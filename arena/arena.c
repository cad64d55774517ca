// SPDX-License-Identifier: GPL-2.0
/*
 * memlab arena: reserve one contiguous range of kernel memory.
 *
 * Three backings, chosen by the backing= module parameter:
 *
 *   vmalloc  __vmalloc(): any size up to half of the machine's memory;
 *            virtually contiguous, physically scattered page by page.
 *   pages    alloc_pages_exact(): physically contiguous, but no more than one
 *            max-order block, since that is all the buddy allocator hands out.
 *   cma      dma_alloc_coherent() on a platform device of memlab's own; with
 *            CONFIG_DMA_CMA and a CMA area the memory comes from there.
 *            Nothing in mm/cma.c is exported to modules, so this is the only
 *            route; a kernel without DMA_CMA refuses the backing outright.
 *
 * After reserving, the arena walks its pages once and records the physical
 * frames as extents of consecutive pfns.  The arena never changes afterwards,
 * so its fields need no lock.
 *
 * Memory pressure: an arena is pinned for the module's life and nothing can
 * reclaim it, so it may take at most half of the machine's RAM
 * (memlab_arena_max_size()), and every backing is asked with
 * __GFP_RETRY_MAYFAIL | __GFP_NOWARN: the allocator reclaims and compacts,
 * but fails the load instead of invoking the OOM killer on other processes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "arena/arena.h"

/*
 * The largest order alloc_pages() serves: MAX_PAGE_ORDER since 6.8; before,
 * MAX_ORDER, exclusive until 6.4.  Without MAX_PAGE_ORDER the exclusive
 * reading is taken: exact on 6.1, one order short (never too large) on
 * 6.4-6.7.
 */
#ifdef MAX_PAGE_ORDER
#define MEMLAB_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define MEMLAB_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

static const char * const memlab_backing_names[] = {
	[MEMLAB_BACKING_VMALLOC]	= "vmalloc",
	[MEMLAB_BACKING_PAGES]		= "pages",
	[MEMLAB_BACKING_CMA]		= "cma",
};

static_assert(ARRAY_SIZE(memlab_backing_names) == MEMLAB_NR_BACKINGS);

/**
 * memlab_backing_name() - name of a backing, as the backing= parameter spells it
 * @backing: the backing.
 *
 * Return: a static string; "?" for an out-of-range value.
 */
const char *memlab_backing_name(enum memlab_backing backing)
{
	if ((unsigned int)backing >= MEMLAB_NR_BACKINGS)
		return "?";
	return memlab_backing_names[backing];
}

/**
 * memlab_parse_backing() - parse the backing= module parameter
 * @str: "vmalloc", "pages" or "cma" (a trailing newline is accepted).
 * @backing: where to store the result; untouched on error.
 *
 * Return: 0, or -EINVAL for a NULL or unknown name.
 */
int memlab_parse_backing(const char *str, enum memlab_backing *backing)
{
	int i;

	if (!str)
		return -EINVAL;
	i = sysfs_match_string(memlab_backing_names, str);
	if (i < 0)
		return -EINVAL;
	*backing = i;
	return 0;
}

/*
 * The most an arena may pin: half of RAM, page aligned.  Why half: the
 * arena cannot be reclaimed, and the rest of the system - the kernel's own
 * allocations (KASAN's shadow and memlab's metadata among them), page cache,
 * user processes - needs room to work while the arena exists; with more
 * than half pinned, ordinary allocations elsewhere soon end in the OOM
 * killer even though memlab's own load succeeded.  The ceiling is fixed by
 * the machine, not by its momentary free memory, so a load is refused or
 * accepted the same way every time.
 */
#define MEMLAB_ARENA_RAM_DIVISOR	2

static const char memlab_why_ceiling[] =
	"larger than half of this machine's RAM, the most an arena may pin";

/* Bytes of RAM the machine has. */
static size_t memlab_ram_bytes(void)
{
	return (size_t)totalram_pages() << PAGE_SHIFT;
}

/**
 * memlab_arena_max_size() - the largest arena a backing may give on this machine
 * @backing: the backing.
 *
 * Return: bytes: half of the machine's RAM (page aligned) for vmalloc and
 * cma; for pages the smaller of that and one max-order block.
 */
size_t memlab_arena_max_size(enum memlab_backing backing)
{
	size_t ceiling = (memlab_ram_bytes() / MEMLAB_ARENA_RAM_DIVISOR) & PAGE_MASK;

	if (backing == MEMLAB_BACKING_PAGES)
		return min_t(size_t, ceiling, PAGE_SIZE << MEMLAB_MAX_PAGE_ORDER);
	return ceiling;
}

/**
 * memlab_parse_size() - parse the arena_size= module parameter
 * @str: a number in memparse() syntax: decimal or 0x hex, optionally followed
 *	by one of K, M, G, T, P, E (either case) and an optional newline.
 * @size: where to store the size in bytes; untouched on error.
 * @why: set to a human-readable reason on error.
 *
 * Stricter than memparse(): trailing junk, overflow, zero, sizes below or not
 * a multiple of PAGE_SIZE, and sizes beyond half of the machine's RAM (the
 * ceiling of memlab_arena_max_size()) are refused.
 *
 * Return: 0, or -EINVAL with @why set.
 */
int memlab_parse_size(const char *str, size_t *size, const char **why)
{
	static const char suffixes[] = "KMGTPE";
	char digits[24];
	unsigned long long val;
	const char *p, *s;
	size_t len;

	if (!str || !*str) {
		*why = "empty value";
		return -EINVAL;
	}
	p = str;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		for (p += 2; isxdigit(*p); p++)
			;
	else
		for (; isdigit(*p); p++)
			;
	len = p - str;
	if (!len || len >= sizeof(digits) || !isxdigit(p[-1])) {
		*why = len ? "number too long" : "not a number";
		return -EINVAL;
	}
	memcpy(digits, str, len);
	digits[len] = '\0';
	if (kstrtoull(digits, 0, &val)) {
		*why = "not a number or out of range";
		return -EINVAL;
	}
	s = *p ? strchr(suffixes, toupper(*p)) : NULL;
	if (s) {
		unsigned int shift = 10 * (s - suffixes + 1);

		if (val > (ULLONG_MAX >> shift)) {
			*why = "out of range";
			return -EINVAL;
		}
		val <<= shift;
		p++;
	}
	if (*p == '\n')
		p++;
	if (*p) {
		*why = "trailing characters after the number (suffixes: K M G T P E)";
		return -EINVAL;
	}
	if (!val) {
		*why = "must not be zero";
		return -EINVAL;
	}
	if (val < PAGE_SIZE) {
		*why = "smaller than a page";
		return -EINVAL;
	}
	if (val & ~PAGE_MASK) {
		*why = "not a multiple of the page size";
		return -EINVAL;
	}
	if (val > memlab_arena_max_size(MEMLAB_BACKING_VMALLOC)) {
		*why = memlab_why_ceiling;
		return -EINVAL;
	}
	*size = val;
	return 0;
}

/* Page frame of the page at @addr, wherever the backing mapped it. */
static unsigned long memlab_addr_to_pfn(const void *addr)
{
	if (is_vmalloc_addr(addr))
		return vmalloc_to_pfn(addr);
	return page_to_pfn(virt_to_page(addr));
}

/*
 * Walk the arena page by page and record runs of consecutive pfns: a first
 * pass counts them, a second fills the array.
 */
static int memlab_arena_map_extents(struct memlab_arena *arena)
{
	unsigned long nr = 0, pass, pfn, prev = 0;
	size_t off;

	for (pass = 0; pass < 2; pass++) {
		nr = 0;
		for (off = 0; off < arena->size; off += PAGE_SIZE) {
			pfn = memlab_addr_to_pfn(arena->base + off);
			if (off && pfn == prev + 1) {
				if (pass)
					arena->extents[nr - 1].nr_pages++;
			} else {
				if (pass)
					arena->extents[nr] = (struct memlab_extent) {
						.pfn = pfn, .nr_pages = 1, .offset = off,
					};
				nr++;
			}
			prev = pfn;
		}
		if (!pass) {
			arena->extents = kvmalloc_array(nr, sizeof(*arena->extents),
							GFP_KERNEL | __GFP_RETRY_MAYFAIL |
							__GFP_NOWARN);
			if (!arena->extents)
				return -ENOMEM;
		}
	}
	arena->nr_extents = nr;
	return 0;
}

static int memlab_arena_get_cma(struct memlab_arena *arena, size_t size,
				const char **why)
{
	struct platform_device *pdev;
	int ret;

	if (!IS_ENABLED(CONFIG_DMA_CMA) || !IS_ENABLED(CONFIG_HAS_DMA)) {
		*why = "this kernel has no CMA (CONFIG_DMA_CMA is off)";
		return -ENODEV;
	}
	pdev = platform_device_register_simple(KBUILD_MODNAME, PLATFORM_DEVID_NONE,
					       NULL, 0);
	if (IS_ERR(pdev)) {
		*why = "could not register memlab's platform device";
		return PTR_ERR(pdev);
	}
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		*why = "the platform device refused a 64-bit DMA mask";
		goto out_unregister;
	}
	/* CMA itself never OOM-kills; RETRY_MAYFAIL covers dma-direct's fallback */
	arena->base = dma_alloc_coherent(&pdev->dev, size, &arena->dma,
					 GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!arena->base) {
		*why = "dma_alloc_coherent failed: no CMA area large enough (boot with cma=)";
		ret = -ENOMEM;
		goto out_unregister;
	}
	arena->pdev = pdev;
	return 0;

out_unregister:
	platform_device_unregister(pdev);
	return ret;
}

static void memlab_arena_free_memory(struct memlab_arena *arena)
{
	switch (arena->backing) {
	case MEMLAB_BACKING_VMALLOC:
		vfree(arena->base);
		break;
	case MEMLAB_BACKING_PAGES:
		free_pages_exact(arena->base, arena->size);
		break;
	case MEMLAB_BACKING_CMA:
		dma_free_coherent(&arena->pdev->dev, arena->size, arena->base,
				  arena->dma);
		platform_device_unregister(arena->pdev);
		arena->pdev = NULL;
		break;
	default:
		break;
	}
	arena->base = NULL;
}

/**
 * memlab_arena_reserve() - reserve an arena
 * @arena: the descriptor to fill; its old contents are ignored.
 * @size: bytes, a non-zero multiple of PAGE_SIZE (see memlab_parse_size()).
 * @backing: where to take the memory from.
 * @why: set to a human-readable reason on error.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a size the backing can never give; -ENODEV when the
 * kernel lacks the backing; -ENOMEM when the memory is not there now.  On
 * error nothing is left allocated.
 */
int memlab_arena_reserve(struct memlab_arena *arena, size_t size,
			 enum memlab_backing backing, const char **why)
{
	int ret = 0;

	memset(arena, 0, sizeof(*arena));
	if (!size || size & ~PAGE_MASK) {
		*why = "not a non-zero multiple of the page size";
		return -EINVAL;
	}
	if (size > memlab_arena_max_size(backing)) {
		*why = backing == MEMLAB_BACKING_PAGES &&
		       size > PAGE_SIZE << MEMLAB_MAX_PAGE_ORDER ?
		       "larger than one max-order block, the most backing=pages can give" :
		       memlab_why_ceiling;
		return -EINVAL;
	}

	switch (backing) {
	case MEMLAB_BACKING_VMALLOC:
		/*
		 * The data pages are allocated with these flags: no OOM killer.
		 * vmalloc's page tables still use GFP_KERNEL, but they are 1/512
		 * of the size; the ceiling above is what keeps the rest safe.
		 */
		arena->base = __vmalloc(size, GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
		if (!arena->base) {
			*why = "vmalloc failed";
			ret = -ENOMEM;
		}
		break;
	case MEMLAB_BACKING_PAGES:
		arena->base = alloc_pages_exact(size, GFP_KERNEL | __GFP_NOWARN |
						__GFP_RETRY_MAYFAIL);
		if (!arena->base) {
			*why = "no free physically contiguous block that large";
			ret = -ENOMEM;
		}
		break;
	case MEMLAB_BACKING_CMA:
		ret = memlab_arena_get_cma(arena, size, why);
		break;
	default:
		*why = "unknown backing";
		ret = -EINVAL;
		break;
	}
	if (ret)
		return ret;

	arena->backing = backing;
	arena->size = size;
	ret = memlab_arena_map_extents(arena);
	if (ret) {
		*why = "no memory for the table of physical extents";
		memlab_arena_free_memory(arena);
	}
	return ret;
}

/**
 * memlab_arena_release() - give an arena's memory back to its backing
 * @arena: an arena filled by a successful memlab_arena_reserve(), or zeroed.
 *
 * Context: process context, may sleep.
 */
void memlab_arena_release(struct memlab_arena *arena)
{
	if (!arena->base)
		return;
	memlab_arena_free_memory(arena);
	kvfree(arena->extents);
	arena->extents = NULL;
	arena->nr_extents = 0;
	arena->size = 0;
}

/**
 * memlab_arena_pfn() - page frame behind an arena offset, from the extents
 * @arena: a reserved arena.
 * @offset: byte offset into the arena, below its size.
 *
 * Binary search over the recorded extents: this is what the arena file
 * reports, so tests compare it with the kernel's own page tables.
 *
 * Return: the pfn, or 0 for an offset outside the arena.
 */
unsigned long memlab_arena_pfn(const struct memlab_arena *arena, size_t offset)
{
	unsigned long lo = 0, hi = arena->nr_extents;
	const struct memlab_extent *e;

	if (offset >= arena->size)
		return 0;
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (arena->extents[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	e = &arena->extents[lo];
	return e->pfn + ((offset - e->offset) >> PAGE_SHIFT);
}

/**
 * memlab_arena_show() - describe an arena in text
 * @m: where to print.
 * @arena: a reserved arena.
 *
 * Prints the backing, the virtual range, the size and every physical extent.
 */
void memlab_arena_show(struct seq_file *m, const struct memlab_arena *arena)
{
	unsigned long i, start = (unsigned long)arena->base;

	seq_printf(m, "backing: %s\n", memlab_backing_name(arena->backing));
	seq_printf(m, "virtual: 0x%lx-0x%lx\n", start, start + arena->size);
	seq_printf(m, "size: %zu (%zu KiB)\n", arena->size, arena->size >> 10);
	seq_printf(m, "pages: %zu\n", arena->size >> PAGE_SHIFT);
	seq_printf(m, "physical extents: %lu\n", arena->nr_extents);
	seq_puts(m, "#   offset         pfn_start      pfn_end(excl)  pages\n");
	for (i = 0; i < arena->nr_extents; i++) {
		const struct memlab_extent *e = &arena->extents[i];

		seq_printf(m, "0x%-12zx 0x%-12lx 0x%-12lx %lu\n", e->offset, e->pfn,
			   e->pfn + e->nr_pages, e->nr_pages);
	}
}
