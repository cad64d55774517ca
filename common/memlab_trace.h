/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab's trace events: the memlab: system in tracefs.
 *
 * Every layer traces every call of its allocation and free entry points,
 * whoever the caller is, in the shape of kmem:kmalloc and kmem:kfree:
 *
 *   memlab_lmm_alloc/free        lmm_alloc_gen() and its wrappers, lmm_free()
 *   memlab_pages_alloc/free      memlab_alloc_pages(), memlab_get_pages(),
 *                                memlab_free_pages(), memlab_put_pages()
 *   memlab_slice_alloc/free      memlab_slice_alloc(), memlab_slice_free(),
 *                                and the size classes' objects of the
 *                                generic allocator
 *   memlab_generic_alloc/free    memlab_generic_alloc(), memlab_alloc(), ...
 *   memlab_vm_alloc/free         memlab_vm_alloc(), memlab_vmalloc(), ...
 *
 * so the layers nest: a generic allocation is a memlab_generic_alloc event
 * after the memlab_slice_alloc (or memlab_pages_alloc) it was served by,
 * and a slab or a max-order block taken on the way shows as the lower
 * layer's event, as kmem:mm_page_alloc shows under kmem:kmalloc.  An
 * allocation event is emitted on return, failed ones too (ptr NULL,
 * bytes_alloc 0); a free event on entry, refused ones too (a memlab_misuse
 * event follows those).  Besides: memlab_misuse wherever a layer counts a
 * caller error, and memlab_fault_inject wherever module/fault.c makes an
 * allocation fail.
 *
 * Fields.  call_site is the caller of the public entry point (_RET_IP_).
 * Behind a one-line wrapper such as lmm_alloc(), memlab_alloc() or
 * memlab_get_page() it is the wrapper's caller where the compiler made the
 * wrapper a tail call, which it does unless the kernel keeps frame
 * pointers (-fno-optimize-sibling-calls); then it is the wrapper.  ptr is
 * stored as is in the ring buffer, as kmem:kmalloc does, and printed with
 * %p, so the text of tracefs' trace file shows it hashed (the hash-ptr
 * trace option, on by default);
 * readers of the binary records (perf, trace-cmd, bpftrace) are root, as
 * every reader of tracefs is, and see it raw, as they do kmem's.  The same
 * object hashes the same within a boot, which is all a replay needs
 * (tools/kmem2trace.py --memlab).  The pages events add offset, the
 * block's place in the instance's span, which says where it is and hides
 * nothing.  flags are the LMM region flags asked for (memlab has no gfp);
 * name is the pool or instance.
 *
 * Cost.  Tracepoints are static keys: with the events off, a call is a
 * patched-out jump, and its arguments are plain values the caller has at
 * hand; the strings are copied only when the event is on.  Where an
 * argument costs something (the address of a pages block), the call site
 * asks trace_<event>_enabled() first.
 *
 * Exactly one file, common/trace.c, defines CREATE_TRACE_POINTS before
 * including this header.  Built against 6.1 and 6.12: __assign_str() lost
 * its second argument in 6.10, hence memlab_assign_str().  The events are
 * laid out with every part aligned under the macro's open parenthesis, so
 * that checkpatch --strict reads them as the macro calls they are.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memlab

#if !defined(MEMLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MEMLAB_TRACE_H

#include <linux/mm.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

/*
 * __assign_str() lost its second argument in 6.10, when __assign_str_len()
 * went away with it; which of the two a kernel has is told by that macro,
 * not by a version number.  define_trace.h reads this header again at each
 * of its stages, and TP_fast_assign() is expanded only at the stage that
 * defines both (stage6_event_callback.h), so the test is made afresh at
 * every reading.
 */
#undef memlab_assign_str
#ifdef __assign_str_len
#define memlab_assign_str(dst, src)	__assign_str(dst, src)
#else
#define memlab_assign_str(dst, src)	do { (void)(src); __assign_str(dst); } while (0)
#endif

/* Why memlab_fault_should_fail() failed a call. */
#define MEMLAB_FAULT_EVERY	0	/* every Nth call */
#define MEMLAB_FAULT_PERMILLE	1	/* the probability */
#define MEMLAB_FAULT_ATTR	2	/* the kernel's fault_attr (fail-* in debugfs) */

DECLARE_EVENT_CLASS(memlab_alloc_class,
		    TP_PROTO(unsigned long call_site, const char *name, const void *ptr,
			     size_t bytes_req, size_t bytes_alloc, u32 flags),
		    TP_ARGS(call_site, name, ptr, bytes_req, bytes_alloc, flags),
		    TP_STRUCT__entry(__field(unsigned long, call_site)
				     __field(const void *, ptr)
				     __field(size_t, bytes_req)
				     __field(size_t, bytes_alloc)
				     __field(u32, flags)
				     __string(name, name)),
		    TP_fast_assign(__entry->call_site = call_site;
				   __entry->ptr = ptr;
				   __entry->bytes_req = bytes_req;
				   __entry->bytes_alloc = bytes_alloc;
				   __entry->flags = flags;
				   memlab_assign_str(name, name);),
		    TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu flags=%#x name=%s",
			      (void *)__entry->call_site, __entry->ptr, __entry->bytes_req,
			      __entry->bytes_alloc, __entry->flags, __get_str(name))
);

/*
 * The events of a class, each restating the class's prototype as
 * DEFINE_EVENT() wants (the sunrpc events' way of writing many).
 */
#define MEMLAB_DEFINE_ALLOC_EVENT(event)					\
	DEFINE_EVENT(memlab_alloc_class, event,					\
		     TP_PROTO(unsigned long call_site, const char *name, const void *ptr, \
			      size_t bytes_req, size_t bytes_alloc, u32 flags),	\
		     TP_ARGS(call_site, name, ptr, bytes_req, bytes_alloc, flags))

/* lmm: bytes_alloc is the whole granules the block occupies. */
MEMLAB_DEFINE_ALLOC_EVENT(memlab_lmm_alloc);
/* slice: bytes_req is the pool's object size, bytes_alloc its slot. */
MEMLAB_DEFINE_ALLOC_EVENT(memlab_slice_alloc);
/* generic: bytes_alloc is the size class, or the pages block above a page. */
MEMLAB_DEFINE_ALLOC_EVENT(memlab_generic_alloc);
/* vm: bytes_alloc is the pages mapped (the guard page not counted). */
MEMLAB_DEFINE_ALLOC_EVENT(memlab_vm_alloc);

DECLARE_EVENT_CLASS(memlab_free_class,
		    TP_PROTO(unsigned long call_site, const char *name, const void *ptr),
		    TP_ARGS(call_site, name, ptr),
		    TP_STRUCT__entry(__field(unsigned long, call_site)
				     __field(const void *, ptr)
				     __string(name, name)),
		    TP_fast_assign(__entry->call_site = call_site;
				   __entry->ptr = ptr;
				   memlab_assign_str(name, name);),
		    TP_printk("call_site=%pS ptr=%p name=%s",
			      (void *)__entry->call_site, __entry->ptr, __get_str(name))
);

#define MEMLAB_DEFINE_FREE_EVENT(event)						\
	DEFINE_EVENT(memlab_free_class, event,					\
		     TP_PROTO(unsigned long call_site, const char *name, const void *ptr), \
		     TP_ARGS(call_site, name, ptr))

MEMLAB_DEFINE_FREE_EVENT(memlab_lmm_free);
MEMLAB_DEFINE_FREE_EVENT(memlab_slice_free);
MEMLAB_DEFINE_FREE_EVENT(memlab_generic_free);
MEMLAB_DEFINE_FREE_EVENT(memlab_vm_free);

/*
 * pages: a block of 2^order pages, bytes_alloc bytes; offset is its place in
 * the instance's span (0 for a failed allocation or a foreign pointer).
 */
DECLARE_EVENT_CLASS(memlab_pages_class,
		    TP_PROTO(unsigned long call_site, const char *name, const void *ptr,
			     unsigned long offset, unsigned int order, u32 flags),
		    TP_ARGS(call_site, name, ptr, offset, order, flags),
		    TP_STRUCT__entry(__field(unsigned long, call_site)
				     __field(const void *, ptr)
				     __field(unsigned long, offset)
				     __field(size_t, bytes_alloc)
				     __field(unsigned int, order)
				     __field(u32, flags)
				     __string(name, name)),
		    TP_fast_assign(__entry->call_site = call_site;
				   __entry->ptr = ptr;
				   __entry->offset = offset;
				   __entry->bytes_alloc = ptr ? PAGE_SIZE << order : 0;
				   __entry->order = order;
				   __entry->flags = flags;
				   memlab_assign_str(name, name);),
		    TP_printk("call_site=%pS ptr=%p offset=%#lx bytes_alloc=%zu order=%u flags=%#x name=%s",
			      (void *)__entry->call_site, __entry->ptr, __entry->offset,
			      __entry->bytes_alloc, __entry->order, __entry->flags,
			      __get_str(name))
);

#define MEMLAB_DEFINE_PAGES_EVENT(event)					\
	DEFINE_EVENT(memlab_pages_class, event,					\
		     TP_PROTO(unsigned long call_site, const char *name, const void *ptr, \
			      unsigned long offset, unsigned int order, u32 flags), \
		     TP_ARGS(call_site, name, ptr, offset, order, flags))

MEMLAB_DEFINE_PAGES_EVENT(memlab_pages_alloc);
/* A free's order is the block's, read before the free (0 if refused early). */
MEMLAB_DEFINE_PAGES_EVENT(memlab_pages_free);

/*
 * A caller error a layer counted: layer ("lmm", "pages", "slice",
 * "generic", "vm"), pool or instance, the kind as the layer names it, the
 * pointer (hashed when printed), the size asked or freed where the layer
 * has one (lmm, vm) and an offset where it has one (pages: into the span;
 * slice: of the bad byte in the object).  Emitted whether or not a KUnit
 * case expected it.
 */
TRACE_EVENT(memlab_misuse,
	    TP_PROTO(const char *layer, const char *name, const char *kind, const void *ptr,
		     size_t size, long offset),
	    TP_ARGS(layer, name, kind, ptr, size, offset),
	    TP_STRUCT__entry(__field(const void *, ptr)
			     __field(size_t, size)
			     __field(long, offset)
			     __string(layer, layer)
			     __string(name, name)
			     __string(kind, kind)),
	    TP_fast_assign(__entry->ptr = ptr;
			   __entry->size = size;
			   __entry->offset = offset;
			   memlab_assign_str(layer, layer);
			   memlab_assign_str(name, name);
			   memlab_assign_str(kind, kind);),
	    TP_printk("layer=%s name=%s kind=\"%s\" ptr=%p size=%zu offset=%ld",
		      __get_str(layer), __get_str(name), __get_str(kind), __entry->ptr,
		      __entry->size, __entry->offset)
);

/*
 * An allocation module/fault.c made fail: call_site is the layer's
 * allocation function that asked, call the number of the call (1-based).
 */
TRACE_EVENT(memlab_fault_inject,
	    TP_PROTO(unsigned long call_site, const char *layer, u64 call, int reason),
	    TP_ARGS(call_site, layer, call, reason),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(u64, call)
			     __field(int, reason)
			     __string(layer, layer)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->call = call;
			   __entry->reason = reason;
			   memlab_assign_str(layer, layer);),
	    TP_printk("call_site=%pS layer=%s call=%llu reason=%s",
		      (void *)__entry->call_site, __get_str(layer), __entry->call,
		      __print_symbolic(__entry->reason,
				       { MEMLAB_FAULT_EVERY, "every" },
				       { MEMLAB_FAULT_PERMILLE, "permille" },
				       { MEMLAB_FAULT_ATTR, "fault_attr" }))
);

#endif /* MEMLAB_TRACE_H */

/* Outside the guard: define_trace.h reads this file again, from the -I$(src) root. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH common
#define TRACE_INCLUDE_FILE memlab_trace
#include <trace/define_trace.h>
