/* SPDX-License-Identifier: GPL-2.0 */
/* memlab user-space shim: the kernel's own, from <linux>/tools/include */
#include "../memlab_shim.h"
#include_next <linux/list.h>
