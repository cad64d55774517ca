/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: the fault-injection hook every layer's allocation path asks.
 *
 * An instance of any layer (an LMM pool, a pages instance, a slice pool, a
 * generic allocator, a vm instance) may carry one hook: a function and its
 * argument, set with the layer's *_set_fault_hook().  The allocation path
 * asks it before doing any work, and a true answer makes that allocation
 * fail, counted as a failure and as injected.  The module points every
 * layer's hook at its struct memlab_fault (module/fault.h); KUnit cases and
 * the fuzzers set their own.
 */
#ifndef MEMLAB_COMMON_FAULT_HOOK_H
#define MEMLAB_COMMON_FAULT_HOOK_H

#include <linux/compiler.h>
#include <linux/types.h>

/**
 * typedef memlab_fault_fn - should this allocation fail?
 * @arg: the argument given with the hook.
 *
 * Called on the allocation path of the instance it is set on, possibly
 * with that instance's lock held: it must not sleep or use the instance.
 *
 * Return: true to make the allocation fail.
 */
typedef bool (*memlab_fault_fn)(void *arg);

/**
 * struct memlab_fault_hook - an instance's fault-injection hook
 * @fn: the function, or NULL for none; read locklessly with READ_ONCE().
 * @arg: passed to @fn.
 */
struct memlab_fault_hook {
	memlab_fault_fn fn;
	void *arg;
};

/**
 * memlab_fault_hook_set() - install or remove (@fn NULL) a hook
 * @hook: the instance's hook.
 * @fn: the function, or NULL.
 * @arg: passed to @fn.
 *
 * Context: the layer's setter, while no allocation of the instance is in
 * flight (the argument is stored before the function).
 */
static inline void memlab_fault_hook_set(struct memlab_fault_hook *hook, memlab_fault_fn fn,
					 void *arg)
{
	hook->arg = arg;
	WRITE_ONCE(hook->fn, fn);
}

/**
 * memlab_fault_hook_fires() - ask a hook about this allocation
 * @hook: the instance's hook.
 *
 * Return: true if a hook is set and says this allocation fails.
 */
static inline bool memlab_fault_hook_fires(const struct memlab_fault_hook *hook)
{
	memlab_fault_fn fn = READ_ONCE(hook->fn);

	return unlikely(fn) && fn(hook->arg);
}

#endif /* MEMLAB_COMMON_FAULT_HOOK_H */
