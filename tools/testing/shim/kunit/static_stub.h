/* SPDX-License-Identifier: GPL-2.0 */
/* memlab user-space shim: no KUnit here, so no stub is ever active */
#include "../memlab_shim.h"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#ifndef KUNIT_STATIC_STUB_REDIRECT
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) do {} while (0)
#endif
