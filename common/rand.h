/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab's one seeded generator, for the workload runner and the KUnit
 * stress cases: the kernel's prandom state (lib/random32.c's Tausworthe
 * generator), so that one seed always gives one sequence, on every kernel
 * and architecture, and nothing of it is written twice.
 */
#ifndef MEMLAB_COMMON_RAND_H
#define MEMLAB_COMMON_RAND_H

#include <linux/prandom.h>
#include <linux/types.h>

/**
 * memlab_rand_seed() - start a sequence
 * @st: the state.
 * @seed: any value; equal seeds give equal sequences.
 */
static inline void memlab_rand_seed(struct rnd_state *st, u64 seed)
{
	prandom_seed_state(st, seed);
}

/**
 * memlab_rand_u64() - the next 64 random bits of a sequence
 * @st: the state, seeded by memlab_rand_seed().
 *
 * Return: two draws of prandom_u32_state(), high word first.
 */
static inline u64 memlab_rand_u64(struct rnd_state *st)
{
	u64 hi = prandom_u32_state(st);

	return hi << 32 | prandom_u32_state(st);
}

#endif /* MEMLAB_COMMON_RAND_H */
