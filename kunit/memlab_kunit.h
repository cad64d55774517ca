/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by memlab's KUnit suites.
 */
#ifndef MEMLAB_KUNIT_H
#define MEMLAB_KUNIT_H

#include <kunit/resource.h>
#include <kunit/test.h>

#include "common/misuse.h"

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

/*
 * Register @log as the running case's "<layer>_misuse" (or "<layer>_check")
 * resource: from now on the layer records each report there instead of
 * printing it (common/misuse.h).  @res is the case's storage for it.
 */
static inline int memlab_kunit_misuse_log(struct kunit *test, struct kunit_resource *res,
					  const char *name, struct memlab_misuse_log *log)
{
	return kunit_add_named_resource(test, NULL, NULL, res, name, log);
}

/*
 * MEMLAB_EXPECT_REPORT() - expect report @i of a misuse log to be of @kind
 * and to name @addr, as mm/kfence/kfence_test.c checks a report's type and
 * address.  @i is below MEMLAB_MISUSE_LOG_MAX.
 */
#define MEMLAB_EXPECT_REPORT(test, log, i, kind, addr) do {			\
	KUNIT_ASSERT_GT_MSG(test, (log)->count, (int)(i),			\
			    "report %d was not made", (int)(i));		\
	KUNIT_EXPECT_EQ_MSG(test, (log)->report[i].kind, (int)(kind),		\
			    "report %d: kind", (int)(i));			\
	KUNIT_EXPECT_PTR_EQ_MSG(test, (log)->report[i].addr, (const void *)(addr), \
				"report %d: address", (int)(i));		\
} while (0)

/* MEMLAB_EXPECT_REPORT() and the layer's offset detail of the report. */
#define MEMLAB_EXPECT_REPORT_AT(test, log, i, kind, addr, offset) do {		\
	MEMLAB_EXPECT_REPORT(test, log, i, kind, addr);				\
	KUNIT_EXPECT_EQ_MSG(test, (log)->report[i].offset, (unsigned long)(offset), \
			    "report %d: offset", (int)(i));			\
} while (0)

#endif /* MEMLAB_KUNIT_H */
