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

#include <linux/rbtree.h>	/* tools/include */

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;

typedef struct { int unused; } spinlock_t;
#define spin_lock_init(l)		((void)(l))
#define spin_lock_irqsave(l, f)		((void)(l), (f) = 0)
#define spin_unlock_irqrestore(l, f)	((void)(l), (void)(f))

#ifndef BITS_PER_LONG
#define BITS_PER_LONG		(8 * (int)sizeof(long))
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#endif

#define GFP_KERNEL		0
#define GFP_ATOMIC		0
#define __GFP_NOWARN		0
#define kmalloc(size, gfp)	malloc(size)
#define kfree(p)		free(p)

#define EXPORT_SYMBOL_GPL(sym)
#define pr_warn(fmt, ...)	fprintf(stderr, "lmm: " fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	fprintf(stderr, "lmm: " fmt, ##__VA_ARGS__)

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#ifndef max3
#define max3(a, b, c)		max(max(a, b), c)
#endif

static inline bool memlab_misuse_expected(const char *name)
{
	(void)name;
	return false;
}
#endif /* !__KERNEL__ */

#endif /* MEMLAB_LMM_COMPAT_H */
