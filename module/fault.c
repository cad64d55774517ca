// SPDX-License-Identifier: GPL-2.0
/*
 * memlab fault injection; see module/fault.h.
 */

#include <linux/random.h>

#include "module/fault.h"
#include "common/memlab_trace.h"

/**
 * memlab_fault_init() - a fault that never fires
 * @f: the fault.
 * @layer: the layer it is for ("lmm", ...), named in trace events; must
 *	outlive @f.
 */
void memlab_fault_init(struct memlab_fault *f, const char *layer)
{
	f->layer = layer;
	f->every = 0;
	f->permille = 0;
	atomic64_set(&f->calls, 0);
	atomic64_set(&f->injected, 0);
#ifdef CONFIG_FAULT_INJECTION
	f->attr = (struct fault_attr)FAULT_ATTR_INITIALIZER;
#endif
}

/**
 * memlab_fault_should_fail() - the hook a layer calls before allocating
 * @fault: a struct memlab_fault.
 *
 * An injected failure is a memlab_fault_inject trace event, whose
 * call_site is the layer's allocation function that asked.
 *
 * Context: any context.
 * Return: true if this call must fail.
 */
bool memlab_fault_should_fail(void *fault)
{
	struct memlab_fault *f = fault;
	unsigned int every = READ_ONCE(f->every), permille = READ_ONCE(f->permille);
	u64 n = atomic64_inc_return(&f->calls);
	int why = -1;

	if (every && !(n % every))
		why = MEMLAB_FAULT_EVERY;
	else if (permille && get_random_u32_below(1000) < permille)
		why = MEMLAB_FAULT_PERMILLE;
#ifdef CONFIG_FAULT_INJECTION
	else if (should_fail(&f->attr, 1))
		why = MEMLAB_FAULT_ATTR;
#endif
	if (why < 0)
		return false;
	atomic64_inc(&f->injected);
	trace_memlab_fault_inject(_RET_IP_, f->layer, n, why);
	return true;
}
