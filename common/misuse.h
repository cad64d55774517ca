/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: how every layer learns that a KUnit case expects a misuse report.
 *
 * The lib/slub_kunit.c technique: a case that misuses a layer on purpose
 * registers a named KUnit resource holding a counter.  When the layer
 * catches the misuse it calls memlab_misuse_expected() with that name; if the
 * running case holds the resource the counter goes up and the layer stays
 * quiet, so deliberate errors neither warn nor go unnoticed.  Outside KUnit
 * this is always false and costs one branch on an error path.
 */
#ifndef MEMLAB_COMMON_MISUSE_H
#define MEMLAB_COMMON_MISUSE_H

#if defined(__KERNEL__) && IS_ENABLED(CONFIG_KUNIT)
#include <kunit/resource.h>
#include <kunit/test-bug.h>

static inline bool memlab_misuse_expected(const char *name)
{
	struct kunit *test = kunit_get_current_test();
	struct kunit_resource *res;

	if (!test)
		return false;
	res = kunit_find_named_resource(test, name);
	if (!res)
		return false;
	(*(int *)res->data)++;
	kunit_put_resource(res);
	return true;
}
#else
static inline bool memlab_misuse_expected(const char *name)
{
	return false;
}
#endif

#endif /* MEMLAB_COMMON_MISUSE_H */
