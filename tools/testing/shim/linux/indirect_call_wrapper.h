/* SPDX-License-Identifier: GPL-2.0 */
/* memlab user-space shim: the kernel's with retpolines, so both paths run */
#include "../memlab_shim.h"
#ifndef INDIRECT_CALL_1
#define INDIRECT_CALL_1(f, f1, ...)	(likely((f) == (f1)) ? f1(__VA_ARGS__) : (f)(__VA_ARGS__))
#define INDIRECT_CALL_2(f, f2, f1, ...)						\
	(likely((f) == (f2)) ? f2(__VA_ARGS__) : INDIRECT_CALL_1(f, f1, __VA_ARGS__))
#endif
