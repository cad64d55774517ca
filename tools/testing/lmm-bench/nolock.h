/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nolock.h: forced in after ../shim/memlab_shim.h for the benchmark build
 * only.  The shim's locks and lockdep_assert_held() are checking calls
 * (lockdep in user space); the benchmark kernel (`make bench`) has no
 * lockdep and a uniprocessor spinlock, so here they cost nothing, and the
 * profile shows the index.  lmm.c itself is compiled unchanged.
 */
#ifndef MEMLAB_LMM_BENCH_NOLOCK_H
#define MEMLAB_LMM_BENCH_NOLOCK_H
#undef spin_lock_irqsave
#undef spin_unlock_irqrestore
#undef lockdep_assert_held
#define spin_lock_irqsave(l, f)		do { (void)(l); (f) = 0; } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(l); (void)(f); } while (0)
#define lockdep_assert_held(l)		((void)(l))
#endif
