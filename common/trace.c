// SPDX-License-Identifier: GPL-2.0
/*
 * memlab's trace events: the one file that instantiates them.  The events
 * and what each field means are in common/memlab_trace.h; every layer
 * includes that header without CREATE_TRACE_POINTS and calls the
 * trace_memlab_*() functions it declares.
 */

#define CREATE_TRACE_POINTS
#include "common/memlab_trace.h"
