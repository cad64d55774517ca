// SPDX-License-Identifier: GPL-2.0
/*
 * memlab fault injection; see common/fault.h.
 */

#include <linux/random.h>

#include "common/fault.h"

/**
 * memlab_fault_init() - a fault that never fires
 * @f: the fault.
 */
void memlab_fault_init(struct memlab_fault *f)
{
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
 * Context: any context.
 * Return: true if this call must fail.
 */
bool memlab_fault_should_fail(void *fault)
{
	struct memlab_fault *f = fault;
	unsigned int every = READ_ONCE(f->every), permille = READ_ONCE(f->permille);
	u64 n = atomic64_inc_return(&f->calls);
	bool fail = false;

	if (every && !(n % every))
		fail = true;
	else if (permille && get_random_u32_below(1000) < permille)
		fail = true;
#ifdef CONFIG_FAULT_INJECTION
	else if (should_fail(&f->attr, 1))
		fail = true;
#endif
	if (fail)
		atomic64_inc(&f->injected);
	return fail;
}
