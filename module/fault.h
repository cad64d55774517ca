/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab fault injection: make a layer's allocations fail on purpose.
 *
 * Each layer takes an optional hook (a function and a cookie) that its
 * allocation path asks before doing any work; memlab's glue points every
 * hook at one struct memlab_fault.  A fault fires on every Nth call, with a
 * probability, or both, and counts what it did - on any kernel, since
 * Debian's has no CONFIG_FAULT_INJECTION.  Where the kernel has it, a
 * standard struct fault_attr is consulted as well, so the usual
 * /sys/kernel/debug/.../fail-* knobs and stack filters work too.
 */
#ifndef MEMLAB_MODULE_FAULT_H
#define MEMLAB_MODULE_FAULT_H

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/types.h>

/**
 * struct memlab_fault - one layer's fault injection
 * @layer: the layer's name, for the memlab_fault_inject trace event.
 * @every: fail every Nth call; 0 = never.
 * @permille: fail with this probability in thousandths; 0 = never.
 * @calls: calls seen.
 * @injected: failures injected.
 * @attr: the standard fault attributes (CONFIG_FAULT_INJECTION only).
 */
struct memlab_fault {
	const char *layer;
	unsigned int every;
	unsigned int permille;
	atomic64_t calls;
	atomic64_t injected;
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr attr;
#endif
};

void memlab_fault_init(struct memlab_fault *f, const char *layer);
bool memlab_fault_should_fail(void *fault);

#endif /* MEMLAB_MODULE_FAULT_H */
