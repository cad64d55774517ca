/* SPDX-License-Identifier: GPL-2.0 */
/* memlab user-space shim: see ../memlab_shim.h */
#include "../memlab_shim.h"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
