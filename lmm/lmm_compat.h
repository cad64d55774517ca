/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lmm_compat.h: what lmm.c needs from the kernel, for a user-space build.
 *
 * Build with -I<linux>/tools/include and link <linux>/tools/lib/rbtree.c,
 * as tools/testing/memblock does for mm/memblock.c; see tools/lmm-user/.
 * Locks become no-ops: the user-space harness is single-threaded.
 */
#ifndef MEMLAB_LMM_COMPAT_H
#define MEMLAB_LMM_COMPAT_H

#ifndef __KERNEL__
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bits.h>		/* tools/include: BIT() */
#include <linux/compiler.h>	/* tools/include: __printf() */
#include <linux/export.h>	/* tools/include: EXPORT_SYMBOL_GPL(), empty */
#include <linux/rbtree.h>	/* tools/include */
#include <linux/types.h>	/* tools/include: u32, s32, u64 */

typedef struct { int unused; } spinlock_t;
#define spin_lock_init(l)		((void)(l))
#define spin_lock_irqsave(l, f)		((void)(l), (f) = 0)
#define spin_unlock_irqrestore(l, f)	((void)(l), (void)(f))
#define lockdep_assert_held(l)		((void)(l))

#ifndef BITS_PER_LONG
#define BITS_PER_LONG		(8 * (int)sizeof(long))
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#define PAGE_SIZE		BIT(PAGE_SHIFT)
#endif

#define GFP_KERNEL		0
#define GFP_ATOMIC		0
#define __GFP_NOWARN		0
#define kmalloc(size, gfp)	((void)(gfp), malloc(size))
#define kfree(p)		free(p)

#define pr_warn(fmt, ...)	fprintf(stderr, "lmm: " fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	fprintf(stderr, "lmm: " fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	fprintf(stderr, "lmm: " fmt, ##__VA_ARGS__)

#ifndef max3
#define max3(a, b, c)		max(max(a, b), c)
#endif

#ifndef prefetch
#define prefetch(p)		__builtin_prefetch(p)
#endif

/* No tracepoints in user space: the calls compile to nothing. */
#define trace_memlab_lmm_alloc(...)	do { } while (0)
#define trace_memlab_lmm_free(...)	do { } while (0)
#define trace_memlab_misuse(...)	do { } while (0)

static inline bool memlab_misuse_expected(const char *name)
{
	(void)name;
	return false;
}
#endif /* !__KERNEL__ */

#endif /* MEMLAB_LMM_COMPAT_H */
