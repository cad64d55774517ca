/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by memlab's KUnit suites.
 */
#ifndef MEMLAB_KUNIT_H
#define MEMLAB_KUNIT_H

#include <kunit/test.h>

/* Set by the kunit_slow= module parameter (module/main.c). */
extern bool memlab_kunit_slow;

/*
 * Slow cases (stress, differential runs, measurements) carry the KUnit
 * "slow" attribute and also skip themselves unless memlab was loaded with
 * kunit_slow=1, so a plain insmod on a KUnit kernel stays well under 2 s.
 */
static inline void memlab_kunit_need_slow(struct kunit *test)
{
	if (!memlab_kunit_slow)
		kunit_skip(test, "slow case: load memlab with kunit_slow=1");
}

#endif /* MEMLAB_KUNIT_H */
