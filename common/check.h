/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: the validators' one way of reporting a broken invariant.
 *
 * Every layer has a validator (lmm_check(), memlab_pages_check(),
 * memlab_slice_check(), memlab_vm_check()) that re-derives the layer's
 * invariants and returns how many it found broken.  Each test is one
 * MEMLAB_CHECK(): a violation is counted, and printed naming the layer and
 * the instance - unless a KUnit case that breaks a layer on purpose holds
 * the "memlab_check" resource (see common/misuse.h), which then counts it
 * instead.  The first MEMLAB_CHECK_PRINT_MAX violations of a run are
 * printed; one corruption usually breaks many invariants at once, and the
 * first lines say the most.
 */
#ifndef MEMLAB_COMMON_CHECK_H
#define MEMLAB_COMMON_CHECK_H

#include <linux/compiler.h>
#include <linux/printk.h>

#include "common/misuse.h"

#define MEMLAB_CHECK_PRINT_MAX	16

/**
 * MEMLAB_CHECK() - test one invariant in a validator
 * @bad: the validator's int counter of violations; incremented on one.
 * @layer: the layer's name, a string literal ("lmm", "pages", ...).
 * @name: the instance's name.
 * @cond: the invariant; a violation when false.
 * @fmt: printf format saying what is wrong, with its arguments after it.
 *
 * A KUnit case that breaks a layer on purpose holds the "memlab_check"
 * resource (a struct memlab_misuse_log): the violations are counted there
 * instead of printed.
 */
#define MEMLAB_CHECK(bad, layer, name, cond, fmt, ...) do {			\
	int *__memlab_bad = &(bad);						\
										\
	if (unlikely(!(cond))) {						\
		if (!memlab_misuse_expected("memlab_check", 0, NULL, 0) &&	\
		    *__memlab_bad < MEMLAB_CHECK_PRINT_MAX)			\
			pr_err(layer " %s: check failed: " fmt "\n",		\
			       name, ##__VA_ARGS__);				\
		(*__memlab_bad)++;						\
	}									\
} while (0)

#endif /* MEMLAB_COMMON_CHECK_H */
