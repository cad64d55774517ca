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
 * Register @log as the running case's "<layer>_misuse" (or "memlab_check")
 * resource: from now on the layer records each report there instead of
 * printing it (common/misuse.h).  @res is the case's storage for it.
 */
static inline int memlab_kunit_misuse_log(struct kunit *test, struct kunit_resource *res,
					  const char *name, struct memlab_misuse_log *log)
{
	return kunit_add_named_resource(test, NULL, NULL, res, name, log);
}

/*
 * Fail the case, naming the caller's @line, unless report @i of @log is of
 * @kind, names @addr and, if @check_offset, carries @offset.
 */
static inline void memlab_kunit_expect_report(struct kunit *test,
					      const struct memlab_misuse_log *log, int i,
					      int kind, const void *addr, bool check_offset,
					      unsigned long offset, int line)
{
	const struct memlab_misuse_report *r = &log->report[i];

	if (i < 0 || i >= MEMLAB_MISUSE_LOG_MAX || i >= log->count) {
		KUNIT_FAIL(test, "line %d: report %d was not made (%d made)", line, i,
			   log->count);
		return;
	}
	if (r->kind != kind)
		KUNIT_FAIL(test, "line %d: report %d is of kind %d, expected %d", line, i,
			   r->kind, kind);
	if (r->addr != addr)
		KUNIT_FAIL(test, "line %d: report %d names %p, expected %p", line, i, r->addr,
			   addr);
	if (check_offset && r->offset != offset)
		KUNIT_FAIL(test, "line %d: report %d has offset %#lx, expected %#lx", line, i,
			   r->offset, offset);
}

/*
 * MEMLAB_EXPECT_REPORT() - expect report @i of a misuse log to be of @kind
 * and to name @addr, as mm/kfence/kfence_test.c checks a report's type and
 * address.
 */
#define MEMLAB_EXPECT_REPORT(test, log, i, kind, addr)				\
	memlab_kunit_expect_report(test, log, i, kind, (const void *)(uintptr_t)(addr), \
				   false, 0, __LINE__)

/* MEMLAB_EXPECT_REPORT() and the layer's offset detail of the report. */
#define MEMLAB_EXPECT_REPORT_AT(test, log, i, kind, addr, offset)		\
	memlab_kunit_expect_report(test, log, i, kind, (const void *)(uintptr_t)(addr), \
				   true, offset, __LINE__)

#endif /* MEMLAB_KUNIT_H */
