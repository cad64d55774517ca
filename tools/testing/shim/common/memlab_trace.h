/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for common/memlab_trace.h: user space has no tracepoints, so every
 * trace_memlab_*() is an empty inline with the kernel's prototype (a call
 * with the wrong arguments still fails to build) and every event is off.
 * -I$(SHIM) comes before -I$(REPO), so the layers find this file first.
 */
#ifndef MEMLAB_SHIM_MEMLAB_TRACE_H
#define MEMLAB_SHIM_MEMLAB_TRACE_H

#include <linux/types.h>

#define MEMLAB_FAULT_EVERY	0
#define MEMLAB_FAULT_PERMILLE	1
#define MEMLAB_FAULT_ATTR	2

#define MEMLAB_SHIM_ALLOC_EVENT(ev)						\
static inline void trace_##ev(unsigned long call_site, const char *name,	\
			      const void *ptr, size_t bytes_req,		\
			      size_t bytes_alloc, u32 flags) { }		\
static inline bool trace_##ev##_enabled(void) { return false; }

#define MEMLAB_SHIM_FREE_EVENT(ev)						\
static inline void trace_##ev(unsigned long call_site, const char *name,	\
			      const void *ptr) { }				\
static inline bool trace_##ev##_enabled(void) { return false; }

#define MEMLAB_SHIM_PAGES_EVENT(ev)						\
static inline void trace_##ev(unsigned long call_site, const char *name,	\
			      const void *ptr, unsigned long offset,		\
			      unsigned int order, u32 flags) { }		\
static inline bool trace_##ev##_enabled(void) { return false; }

MEMLAB_SHIM_ALLOC_EVENT(memlab_lmm_alloc)
MEMLAB_SHIM_ALLOC_EVENT(memlab_slice_alloc)
MEMLAB_SHIM_ALLOC_EVENT(memlab_generic_alloc)
MEMLAB_SHIM_ALLOC_EVENT(memlab_vm_alloc)
MEMLAB_SHIM_FREE_EVENT(memlab_lmm_free)
MEMLAB_SHIM_FREE_EVENT(memlab_slice_free)
MEMLAB_SHIM_FREE_EVENT(memlab_generic_free)
MEMLAB_SHIM_FREE_EVENT(memlab_vm_free)
MEMLAB_SHIM_PAGES_EVENT(memlab_pages_alloc)
MEMLAB_SHIM_PAGES_EVENT(memlab_pages_free)

static inline void trace_memlab_misuse(const char *layer, const char *name, const char *kind,
				       const void *ptr, size_t size, long offset) { }
static inline void trace_memlab_fault_inject(unsigned long call_site, const char *layer,
					     u64 call, int reason) { }

#endif /* MEMLAB_SHIM_MEMLAB_TRACE_H */
