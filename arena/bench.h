/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab benchmarks, run at load with bench=1; see arena/bench.c.
 */
#ifndef MEMLAB_BENCH_H
#define MEMLAB_BENCH_H

struct memlab;

void memlab_bench(struct memlab *ml, unsigned int mode);

#endif /* MEMLAB_BENCH_H */
