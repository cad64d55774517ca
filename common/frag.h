/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab: one measure of fragmentation shared by the lab engines and the
 * benchmark, for any allocator that can tell its free bytes and its largest
 * free piece.  The pages layer's buddy indices (memlab_frag_*_index() in
 * pages/pages.h) are a different measure: they ask about one order.
 */
#ifndef MEMLAB_COMMON_FRAG_H
#define MEMLAB_COMMON_FRAG_H

#include <linux/math64.h>
#include <linux/types.h>

/**
 * memlab_extfrag_permille() - external fragmentation of free space
 * @largest: the largest free extent.
 * @free: all free bytes.
 *
 * 1 - largest / free: 0 when all free memory is one extent, near 1 when it
 * is in many small pieces; 0 when nothing is free.
 *
 * Return: the value in thousandths.
 */
static inline int memlab_extfrag_permille(size_t largest, size_t free)
{
	if (!free)
		return 0;
	return 1000 - (int)div64_u64((u64)largest * 1000, free);
}

#endif /* MEMLAB_COMMON_FRAG_H */
