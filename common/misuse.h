/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: how every layer reports a caller error, and how a KUnit case that
 * provokes one on purpose sees exactly what was reported.
 *
 * Each layer counts a misuse in its statistics, emits the memlab_misuse
 * trace event and then asks memlab_misuse_warn_once() whether to print it:
 * the first report of each kind per instance is printed, the later ones
 * only counted, so a buggy caller cannot flood the log.
 *
 * The lib/slub_kunit.c technique decides what a test sees: a case that
 * misuses a layer on purpose registers a named KUnit resource (the layer's
 * "<layer>_misuse") holding a struct memlab_misuse_log.  A report made
 * while the running case holds that resource is recorded there - its kind,
 * the address it names and the layer's offset - and not printed, so a
 * deliberate error neither warns nor goes unnoticed, and the case can check
 * what was reported, as mm/kfence/kfence_test.c checks a report's type and
 * address.  Outside KUnit nothing is recorded and the test costs one branch
 * on an error path.
 */
#ifndef MEMLAB_COMMON_MISUSE_H
#define MEMLAB_COMMON_MISUSE_H

#include <linux/bits.h>
#include <linux/types.h>

#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/resource.h>
#include <kunit/test-bug.h>
#endif

/* Reports a log keeps in full; later ones are only counted. */
#define MEMLAB_MISUSE_LOG_MAX	16

/**
 * struct memlab_misuse_report - one report, as a KUnit case sees it
 * @kind: the layer's misuse kind (its enum), or 0 for a validator's
 *	violation.
 * @addr: the address the report names: the pointer the caller passed, or
 *	the first bad byte for a poison or red-zone report; NULL if none.
 * @offset: the layer's offset detail: into the region (lmm), into the span
 *	(pages), into the object (slice), the size asked for (vm); 0 if none.
 */
struct memlab_misuse_report {
	int kind;
	const void *addr;
	unsigned long offset;
};

/**
 * struct memlab_misuse_log - what a KUnit case was told, in order
 * @count: reports made, also those beyond @report.
 * @report: the first MEMLAB_MISUSE_LOG_MAX reports.
 */
struct memlab_misuse_log {
	int count;
	struct memlab_misuse_report report[MEMLAB_MISUSE_LOG_MAX];
};

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * memlab_misuse_expected() - record a report if the running case expects it
 * @name: the resource name, "<layer>_misuse" (or "memlab_check" for a
 *	validator's violations).
 * @kind: see struct memlab_misuse_report.
 * @addr: see struct memlab_misuse_report.
 * @offset: see struct memlab_misuse_report.
 *
 * Context: any context but NMI (takes the test's resource spinlock).
 * Return: true if the running KUnit case holds @name: the report is in its
 * log and must not be printed.
 */
static inline bool memlab_misuse_expected(const char *name, int kind, const void *addr,
					  unsigned long offset)
{
	struct kunit *test = kunit_get_current_test();
	struct memlab_misuse_log *log;
	struct kunit_resource *res;

	if (!test)
		return false;
	res = kunit_find_named_resource(test, name);
	if (!res)
		return false;
	log = res->data;
	if (log->count < MEMLAB_MISUSE_LOG_MAX)
		log->report[log->count] = (struct memlab_misuse_report) {
			.kind = kind, .addr = addr, .offset = offset,
		};
	log->count++;
	kunit_put_resource(res);
	return true;
}
#else
static inline bool memlab_misuse_expected(const char *name, int kind, const void *addr,
					  unsigned long offset)
{
	return false;
}
#endif

/**
 * memlab_misuse_warn_once() - whether a misuse just counted is to be printed
 * @warned: the instance's bitmap of kinds already printed; serialised by the
 *	caller (the lock that covers the instance's counters).
 * @name: the layer's KUnit resource, "<layer>_misuse".
 * @kind: the kind, below BITS_PER_LONG.
 * @addr: the address the report names, for a KUnit case's log.
 * @offset: the layer's offset detail, for a KUnit case's log.
 *
 * The one decision every layer's misuse report makes: a report a KUnit case
 * expects goes to its log and is not printed (nor does it use up the
 * instance's one warning of that kind); otherwise only the first of each
 * kind is printed.
 *
 * Context: as memlab_misuse_expected().
 * Return: true if the caller prints the report.
 */
static inline bool memlab_misuse_warn_once(unsigned long *warned, const char *name,
					   unsigned int kind, const void *addr,
					   unsigned long offset)
{
	if (memlab_misuse_expected(name, kind, addr, offset))
		return false;
	if (*warned & BIT(kind))
		return false;
	*warned |= BIT(kind);
	return true;
}

#endif /* MEMLAB_COMMON_MISUSE_H */
