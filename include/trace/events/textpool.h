/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of textpool (mm/textpool.c): allocations and frees, the
 * chunks mapped into and unmapped from the pools, the allocations that
 * take the execmem fallback and why, and the INT3 refills of freed space.
 * See Documentation/admin-guide/textpool.rst.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM textpool

#if !defined(_TRACE_TEXTPOOL_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_TEXTPOOL_H

#include <linux/textpool.h>
#include <linux/tracepoint.h>

/* Export the enum values to user space (perf, trace-cmd, bpftrace). */
TRACE_DEFINE_ENUM(TEXTPOOL_BPF);
TRACE_DEFINE_ENUM(TEXTPOOL_FTRACE);
TRACE_DEFINE_ENUM(TEXTPOOL_KPROBES);
TRACE_DEFINE_ENUM(TEXTPOOL_MODULES);
TRACE_DEFINE_ENUM(TEXTPOOL_OTHER);
TRACE_DEFINE_ENUM(TEXTPOOL_FB_LARGE);
TRACE_DEFINE_ENUM(TEXTPOOL_FB_DISABLED);
TRACE_DEFINE_ENUM(TEXTPOOL_FB_EARLY);
TRACE_DEFINE_ENUM(TEXTPOOL_FB_LIMIT);
TRACE_DEFINE_ENUM(TEXTPOOL_FB_NOMEM);

/* And print them as the names of sysfs: users/NAME, stats/fallback_NAME. */
#define show_textpool_user(user)					\
	__print_symbolic(user,						\
			 { TEXTPOOL_BPF,	"bpf" },		\
			 { TEXTPOOL_FTRACE,	"ftrace" },		\
			 { TEXTPOOL_KPROBES,	"kprobes" },		\
			 { TEXTPOOL_MODULES,	"modules" },		\
			 { TEXTPOOL_OTHER,	"other" })

#define show_textpool_cause(cause)					\
	__print_symbolic(cause,						\
			 { TEXTPOOL_FB_LARGE,	"large" },		\
			 { TEXTPOOL_FB_DISABLED, "disabled" },		\
			 { TEXTPOOL_FB_EARLY,	"early" },		\
			 { TEXTPOOL_FB_LIMIT,	"limit" },		\
			 { TEXTPOOL_FB_NOMEM,	"nomem" })

/* @bytes of node @nid's pool were handed out to @user, who asked @size. */
TRACE_EVENT(textpool_alloc,
	    TP_PROTO(const void *addr, size_t size, unsigned long bytes,
		     int nid, enum textpool_user user),
	    TP_ARGS(addr, size, bytes, nid, user),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(size_t, size)
			     __field(unsigned long, bytes)
			     __field(int, nid)
			     __field(int, user)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->size = size;
			   __entry->bytes = bytes;
			   __entry->nid = nid;
			   __entry->user = user;),
	    TP_printk("addr=%p size=%zu bytes=%lu nid=%d user=%s",
		      __entry->addr, __entry->size, __entry->bytes,
		      __entry->nid, show_textpool_user(__entry->user))
);

/* A pool allocation, or a fallback one (@fallback), was freed. */
TRACE_EVENT(textpool_free,
	    TP_PROTO(const void *addr, unsigned long bytes, int nid,
		     enum textpool_user user, bool fallback),
	    TP_ARGS(addr, bytes, nid, user, fallback),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(unsigned long, bytes)
			     __field(int, nid)
			     __field(int, user)
			     __field(bool, fallback)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->bytes = bytes;
			   __entry->nid = nid;
			   __entry->user = user;
			   __entry->fallback = fallback;),
	    TP_printk("addr=%p bytes=%lu nid=%d user=%s fallback=%d",
		      __entry->addr, __entry->bytes, __entry->nid,
		      show_textpool_user(__entry->user), __entry->fallback)
);

DECLARE_EVENT_CLASS(textpool_chunk,
		    TP_PROTO(unsigned long start, int nid,
			     unsigned long chunks),
		    TP_ARGS(start, nid, chunks),
		    TP_STRUCT__entry(__field(unsigned long, start)
				     __field(int, nid)
				     __field(unsigned long, chunks)),
		    TP_fast_assign(__entry->start = start;
				   __entry->nid = nid;
				   __entry->chunks = chunks;),
		    TP_printk("start=%p nid=%d chunks=%lu",
			      (void *)__entry->start, __entry->nid,
			      __entry->chunks)
);

/* A new chunk joined node @nid's pool, which now has @chunks. */
DEFINE_EVENT(textpool_chunk, textpool_chunk_map,
	     TP_PROTO(unsigned long start, int nid, unsigned long chunks),
	     TP_ARGS(start, nid, chunks)
);

/* An empty chunk left node @nid's pool, which now has @chunks. */
DEFINE_EVENT(textpool_chunk, textpool_chunk_unmap,
	     TP_PROTO(unsigned long start, int nid, unsigned long chunks),
	     TP_ARGS(start, nid, chunks)
);

/* A request took the execmem fallback, and why; @addr NULL: it failed. */
TRACE_EVENT(textpool_fallback,
	    TP_PROTO(const void *addr, size_t size, int nid,
		     enum textpool_user user,
		     enum textpool_fallback_cause cause),
	    TP_ARGS(addr, size, nid, user, cause),
	    TP_STRUCT__entry(__field(const void *, addr)
			     __field(size_t, size)
			     __field(int, nid)
			     __field(int, user)
			     __field(int, cause)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->size = size;
			   __entry->nid = nid;
			   __entry->user = user;
			   __entry->cause = cause;),
	    TP_printk("addr=%p size=%zu nid=%d user=%s cause=%s",
		      __entry->addr, __entry->size, __entry->nid,
		      show_textpool_user(__entry->user),
		      show_textpool_cause(__entry->cause))
);

/* One batch of node @nid's freed space was refilled with INT3. */
TRACE_EVENT(textpool_refill,
	    TP_PROTO(int nid, unsigned int extents, unsigned long bytes,
		     unsigned int failed),
	    TP_ARGS(nid, extents, bytes, failed),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned int, extents)
			     __field(unsigned long, bytes)
			     __field(unsigned int, failed)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->extents = extents;
			   __entry->bytes = bytes;
			   __entry->failed = failed;),
	    TP_printk("nid=%d extents=%u bytes=%lu failed=%u",
		      __entry->nid, __entry->extents, __entry->bytes,
		      __entry->failed)
);

#endif /* _TRACE_TEXTPOOL_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
