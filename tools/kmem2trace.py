#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Convert the kernel's kmem tracepoint output, or memlab's own events, into a
memlab replay trace.

Input is the text of /sys/kernel/tracing/trace (or `trace-cmd report`) with
the kmem:kmalloc and kmem:kfree events enabled, for example (one event per
line, wrapped here):

  bash-1234 [000] .....  12.345678: kmalloc: call_site=f+0x1c/0x40
      ptr=0xffff888003a1b2c0 bytes_req=100 bytes_alloc=128 gfp_flags=...
  bash-1234 [000] .....  12.345900: kfree: call_site=g+0x10/0x20
      ptr=0xffff888003a1b2c0

Older kernels print call_site as a bare hex address and have kmalloc_node;
current kernels hash %p values (ptr=00000000fa5935c4), which is fine: the
same object always hashes to the same value within one boot.

Output is one operation per line:

  alloc <id> <size>     size = bytes_req
  free <id>

Ids are decimal integers handed out in allocation order, starting at 0; a
pointer that is allocated again after its free gets a new id.  Rules:

  - kfree of NULL or of a pointer with no live allocation: skipped, counted;
  - allocation at a pointer that is still live: the earlier object was freed
    without a trace event.  Nothing is emitted for it (it is counted as
    "orphaned") and the pointer now maps to the new id.  The replay still
    holds the orphan, so --free-all frees it too;
  - two consecutive allocation events for the same ptr and size are one
    allocation: 6.12's kmalloc() of more than KMALLOC_MAX_CACHE_SIZE traces
    both in __kmalloc_large_node_noprof() and in its caller.  The second one
    is dropped and counted as a duplicate;
  - failed allocations (NULL ptr) and bytes_req=0 (ZERO_SIZE_PTR) are
    skipped, counted;
  - lines that are not kmem events are ignored.

kmem_cache_alloc/kmem_cache_free are ignored unless --all-caches is given.

memlab's own events (--memlab LAYERS).  With the memlab: events enabled
(common/memlab_trace.h), each layer traces every call of its entry points:

  memlab_generic_alloc: call_site=wl_alloc+0x90/0x1c0 [memlab]
      ptr=00000000c0ffee11 bytes_req=100 bytes_alloc=128 flags=0x0 name=memlab
  memlab_generic_free: call_site=wl_free+0x30/0x80 [memlab]
      ptr=00000000c0ffee11 name=memlab

--memlab takes a comma-separated list of layers (lmm, pages, slice,
generic, vm; "all" for every one) and converts their alloc/free events
instead of kmem's, by the same rules (a failed allocation has ptr NULL).
The size is bytes_req, or bytes_alloc for the pages events (a block of
2^order pages).  The layers nest: a generic allocation is also the slice
(or pages) event that served it, a new slab a pages event and a new
max-order block an lmm event, so pick the layer the workload called, or
keep only the events whose call_site matches --caller REGEX (for example
--caller '^wl_' for the debugfs workload runner's own calls).  A refused
free (a memlab_misuse event follows it) is converted as a free.  The
result replays on any layer or policy: write it to
/sys/kernel/debug/memlab/workload/trace, then "replay layer=lmm" to
workload/run.
A summary goes to stderr.  Exit status: 0 on success, 1 when the input holds
no usable kmem events, 2 on usage or I/O errors.

Usage:
  kmem2trace.py [INPUT] [-o OUTPUT] [--all-caches] [--free-all]
  kmem2trace.py [INPUT] [-o OUTPUT] --memlab LAYERS [--caller REGEX] [--free-all]
  kmem2trace.py --selftest
"""

import argparse
import contextlib
import io
import re
import sys

# "<task>-<pid> [cpu] flags timestamp: <event>: <fields>"; only the event
# name and the fields after it matter.  trace-cmd puts more spaces between.
EVENT_RE = re.compile(r"(?:^|\s)(kmalloc|kmalloc_node|kfree|kmem_cache_alloc|"
                      r"kmem_cache_alloc_node|kmem_cache_free):\s+(.*)$")
FIELD_RE = re.compile(r"(\w+)=(\S+)")
PADDED_NULL_RE = re.compile(r"=\s+\(null\)")
HEX_RE = re.compile(r"^(?:0x)?([0-9a-fA-F]+)$")

KMALLOC_EVENTS = {"kmalloc": "alloc", "kmalloc_node": "alloc", "kfree": "free"}
CACHE_EVENTS = {"kmem_cache_alloc": "alloc", "kmem_cache_alloc_node": "alloc",
                "kmem_cache_free": "free"}

NULL = "0"

# memlab's events: memlab_<layer>_alloc / memlab_<layer>_free.
MEMLAB_LAYERS = ("lmm", "pages", "slice", "generic", "vm")
MEMLAB_RE = re.compile(r"(?:^|\s)memlab_(" + "|".join(MEMLAB_LAYERS) +
                       r")_(alloc|free):\s+(.*)$")


def parse_ptr(text):
    """Return a pointer as canonical lower-case hex without leading zeros
    ("0" for NULL), or None when it is not a usable value (for example the
    "(____ptrval____)" printed before pointer hashing is ready)."""
    if text == "(null)":
        return NULL
    m = HEX_RE.match(text)
    if not m:
        return None
    return m.group(1).lower().lstrip("0") or NULL


def parse_event(line, all_caches, memlab=None, caller=None):
    """Return (op, ptr, size) for a kmem event line, or None to ignore it.

    op is "alloc" or "free"; ptr may be None when unusable; size is an int
    for allocations (None when bytes_req is missing or malformed).  With
    @memlab (a set of layers) memlab's events of those layers are read
    instead of kmem's; with @caller (a compiled regex) only events whose
    call_site it matches."""
    if memlab is not None:
        m = MEMLAB_RE.search(line)
        if not m or m.group(1) not in memlab:
            return None
        layer, op, rest = m.groups()
    else:
        m = EVENT_RE.search(line)
        if not m:
            return None
        event, rest = m.groups()
        layer = None
        op = KMALLOC_EVENTS.get(event)
        if op is None and all_caches:
            op = CACHE_EVENTS.get(event)
        if op is None:
            return None
    # Old kernels pad a NULL %p to the field width: "ptr=          (null)".
    fields = dict(FIELD_RE.findall(PADDED_NULL_RE.sub("=(null)", rest)))
    if "ptr" not in fields:
        return None
    if caller is not None and not caller.search(fields.get("call_site", "")):
        return None
    size = None
    if op == "alloc":
        size_field = "bytes_alloc" if layer == "pages" else "bytes_req"
        try:
            size = int(fields.get(size_field, ""), 10)
        except ValueError:
            size = None
    return op, parse_ptr(fields["ptr"]), size


class Converter:
    """Track live pointers and turn kmem events into replay operations."""

    COUNTERS = ("allocs", "frees", "skipped_frees", "orphaned",
                "duplicates", "failed", "zero_size", "bad_events")

    def __init__(self, out):
        self.out = out
        self.next_id = 0
        self.live = {}          # canonical ptr -> id of its live allocation
        self.orphans = []       # ids whose free never showed up in the trace
        self.last_alloc = None  # (ptr, size) if the previous event was it
        self.count = dict.fromkeys(self.COUNTERS, 0)

    def alloc(self, ptr, size):
        last, self.last_alloc = self.last_alloc, None
        if ptr is None or size is None or size < 0:
            self.count["bad_events"] += 1
            return
        if ptr == NULL:
            self.count["failed"] += 1
            return
        if size == 0:
            self.count["zero_size"] += 1
            return
        if last == (ptr, size):
            self.count["duplicates"] += 1
            return
        self.last_alloc = (ptr, size)
        old = self.live.get(ptr)
        if old is not None:
            self.orphans.append(old)
            self.count["orphaned"] += 1
        self.live[ptr] = self.next_id
        self.out.write(f"alloc {self.next_id} {size}\n")
        self.next_id += 1
        self.count["allocs"] += 1

    def free(self, ptr):
        if ptr is None:
            self.count["bad_events"] += 1
            return
        oid = self.live.pop(ptr, None)
        if oid is None:
            self.count["skipped_frees"] += 1
            return
        self.out.write(f"free {oid}\n")
        self.count["frees"] += 1

    def feed(self, line, all_caches, memlab=None, caller=None):
        ev = parse_event(line, all_caches, memlab, caller)
        if ev is None:
            return
        op, ptr, size = ev
        if op == "alloc":
            self.alloc(ptr, size)
        else:
            self.last_alloc = None
            self.free(ptr)

    def free_all(self):
        """Emit frees for every id the replay still holds, by id."""
        ids = sorted(list(self.live.values()) + self.orphans)
        for oid in ids:
            self.out.write(f"free {oid}\n")
        self.live.clear()
        self.orphans = []
        return len(ids)

    def summary(self, freed_at_end):
        c = self.count
        text = (f"kmem2trace: {c['allocs']} allocs, {c['frees']} frees, "
                f"{c['skipped_frees']} skipped frees (NULL or unknown ptr), "
                f"{c['orphaned']} orphaned (ptr reallocated while live), "
                f"{len(self.live)} still live")
        if freed_at_end:
            text += f", {freed_at_end} freed by --free-all"
        if c["duplicates"]:
            text += f", {c['duplicates']} duplicate alloc events merged"
        if c["failed"]:
            text += f", {c['failed']} failed (NULL) allocs skipped"
        if c["zero_size"]:
            text += f", {c['zero_size']} zero-size allocs skipped"
        if c["bad_events"]:
            text += f", {c['bad_events']} events with unusable ptr/size"
        return text


def convert(lines, out, all_caches=False, free_all=False, memlab=None,
            caller=None):
    """Convert an iterable of trace lines; return (converter, freed_at_end).

    @memlab: None for kmem's events, else the set of memlab layers whose
    events to convert; @caller: None, or a compiled regex call_site must
    match."""
    conv = Converter(out)
    for line in lines:
        conv.feed(line, all_caches, memlab, caller)
    freed = conv.free_all() if free_all else 0
    return conv, freed


# --- self test --------------------------------------------------------------

SELFTEST_INPUT = """\
# tracer: nop
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
  bash-1234 [000] .....  12.345678: kmalloc: call_site=__do_sys_foo+0x1c/0x40 ptr=0xffff888003a1b2c0 bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=-1 accounted=false
  bash-1234 [000] .....  12.345700: kmalloc: call_site=baz+0x1/0x2 ptr=00000000fa5935c4 bytes_req=24 bytes_alloc=32 gfp_flags=GFP_KERNEL node=-1 accounted=false
  bash-1234 [000] .....  12.345800: sched_switch: prev_comm=bash prev_pid=1234 ptr=0xdead
  bash-1234 [000] .....  12.345900: kfree: call_site=bar+0x10/0x20 ptr=0xffff888003a1b2c0
  bash-1234 [000] .....  12.346000: kfree: call_site=bar+0x10/0x20 ptr=0000000000000000
  bash-1234 [000] .....  12.346100: kfree: call_site=bar+0x10/0x20 ptr=0xffff888000000040
  bash-1234 [000] .....  12.346200: kmalloc: call_site=__do_sys_foo+0x1c/0x40 ptr=0xffff888003a1b2c0 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false
  bash-1234 [000] .....  12.346300: kmem_cache_alloc: call_site=qux+0x4/0x8 ptr=0xffff888004000000 bytes_req=232 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false
  bash-1234 [000] .....  12.346400: kmalloc: call_site=baz+0x1/0x2 ptr=0xfa5935c4 bytes_req=40 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false
  bash-1234 [000] .....  12.346500: kmem_cache_free: call_site=qux+0x9/0x8 ptr=0xffff888004000000 name=filp
  bash-1234 [000] .....  12.346600: kmalloc: call_site=z+0x1/0x2 ptr=(____ptrval____) bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL
  bash-1234 [000] .....  12.346700: kmalloc: call_site=z+0x1/0x2 ptr=0xffff888000000010 bytes_req=0 bytes_alloc=0 gfp_flags=GFP_KERNEL
          sh-98    [001] d..2  345.120001: kmalloc: call_site=ffffffff81234567 ptr=ffff88003c0ffee0 bytes_req=512 bytes_alloc=512 gfp_flags=GFP_KERNEL|__GFP_ZERO
          sh-98    [001] d..2  345.120002: kmalloc_node: call_site=ffffffff81234599 ptr=ffff88003c0ff000 bytes_req=2000 bytes_alloc=2048 gfp_flags=GFP_KERNEL node=-1
          sh-98    [001] d..2  345.120003: kfree: call_site=ffffffff81234600 ptr=ffff88003c0ffee0
          sh-98    [001] d..2  345.120004: kfree: call_site=ffffffff81234600 ptr=          (null)
            cat-77    [000]   100.000001: kmalloc:              (seq_open+0x31) call_site=ffffffff8125a6c1 ptr=0xffff8880beef0000 bytes_req=192 bytes_alloc=192 gfp_flags=GFP_KERNEL
  bash-1234 [000] ...1.  12.347000: kmalloc: call_site=__kmalloc_node_track_caller_noprof+0x33/0x235 ptr=00000000de211ff7 bytes_req=32768 bytes_alloc=32768 gfp_flags=GFP_NOWAIT node=-1 accounted=false
  bash-1234 [000] ...1.  12.347000: kmalloc: call_site=__alloc_skb+0x1bc/0x2fc ptr=00000000de211ff7 bytes_req=32768 bytes_alloc=32768 gfp_flags=GFP_NOWAIT node=-1 accounted=false
  bash-1234 [000] ...1.  12.347100: kfree: call_site=skb_free_head+0x9c/0xc0 ptr=00000000de211ff7
  bash-1234 [000] ...1.  12.347200: kmalloc: call_site=x+0x1/0x2 ptr=0000000000000000 bytes_req=65536 bytes_alloc=65536 gfp_flags=GFP_NOWAIT|__GFP_NOWARN node=-1 accounted=false
"""

# Expected output without --all-caches / --free-all.
SELFTEST_DEFAULT = """\
alloc 0 100
alloc 1 24
free 0
alloc 2 64
alloc 3 40
alloc 4 512
alloc 5 2000
free 4
alloc 6 192
alloc 7 32768
free 7
"""

# With --all-caches --free-all: the cache object gets id 3; id 1 (orphaned
# by the re-allocation at 0xfa5935c4) and the live ids are freed at the end.
SELFTEST_ALL = """\
alloc 0 100
alloc 1 24
free 0
alloc 2 64
alloc 3 232
alloc 4 40
free 3
alloc 5 512
alloc 6 2000
free 5
alloc 7 192
alloc 8 32768
free 8
free 1
free 2
free 4
free 6
free 7
"""

# memlab's own events: tracefs text (hashed pointers) and trace-cmd report
# lines (raw pointers), nested layers, a failed allocation after an injected
# failure, a refused double free, and one kmem line among them.
SELFTEST_MEMLAB = """\
# tracer: nop
#
# entries-in-buffer/entries-written: 18/18   #P:1
  sh-42 [000] .....  50.000001: memlab_slice_alloc: call_site=memlab_generic_alloc+0x3c/0x120 [memlab] ptr=00000000aaaa0001 bytes_req=128 bytes_alloc=128 flags=0x0 name=memlab-128
  sh-42 [000] .....  50.000002: memlab_generic_alloc: call_site=wl_alloc+0x90/0x1c0 [memlab] ptr=00000000aaaa0001 bytes_req=100 bytes_alloc=128 flags=0x0 name=memlab
  sh-42 [000] .....  50.000003: memlab_pages_alloc: call_site=slice_grow+0x50/0x200 [memlab] ptr=00000000bbbb0001 offset=0x3000 bytes_alloc=4096 order=0 flags=0x0 name=memlab
  sh-42 [000] .....  50.000004: memlab_slice_alloc: call_site=memlab_generic_alloc+0x3c/0x120 [memlab] ptr=00000000aaaa0002 bytes_req=32 bytes_alloc=32 flags=0x0 name=memlab-32
  sh-42 [000] .....  50.000005: memlab_generic_alloc: call_site=wl_alloc+0x90/0x1c0 [memlab] ptr=00000000aaaa0002 bytes_req=24 bytes_alloc=32 flags=0x0 name=memlab
  sh-42 [000] .....  50.000006: memlab_fault_inject: call_site=memlab_slice_alloc+0x1f/0x80 [memlab] layer=slice call=10 reason=every
  sh-42 [000] .....  50.000007: memlab_slice_alloc: call_site=memlab_generic_alloc+0x3c/0x120 [memlab] ptr=0000000000000000 bytes_req=64 bytes_alloc=0 flags=0x0 name=memlab-64
  sh-42 [000] .....  50.000008: memlab_generic_alloc: call_site=wl_alloc+0x90/0x1c0 [memlab] ptr=0000000000000000 bytes_req=50 bytes_alloc=0 flags=0x0 name=memlab
  sh-42 [000] .....  50.000009: memlab_generic_free: call_site=wl_free+0x30/0x80 [memlab] ptr=00000000aaaa0001 name=memlab
  sh-42 [000] .....  50.000010: memlab_slice_free: call_site=memlab_generic_free+0x77/0x140 [memlab] ptr=00000000aaaa0001 name=memlab-128
  sh-42 [000] .....  50.000011: memlab_generic_free: call_site=wl_free+0x30/0x80 [memlab] ptr=00000000aaaa0001 name=memlab
  sh-42 [000] .....  50.000012: memlab_misuse: layer=slice name=memlab-128 kind="object already free" ptr=00000000aaaa0001 size=0 offset=0
  sh-42 [000] .....  50.000013: memlab_lmm_alloc: call_site=wl_alloc+0x120/0x1c0 [memlab] ptr=00000000cccc0001 bytes_req=5000 bytes_alloc=5008 flags=0x0 name=memlab
  sh-42 [000] .....  50.000014: kmalloc: call_site=foo+0x1/0x2 ptr=00000000dddd0001 bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false
       kworker/0:1-17    [000]    60.000001: memlab_pages_free:    call_site=wl_free+0x50/0x80 [memlab] ptr=0xffffc90000bbb000 offset=0x3000 bytes_alloc=4096 order=0 flags=0x0 name=memlab
       kworker/0:1-17    [000]    60.000002: memlab_pages_alloc:   call_site=wl_alloc+0x70/0x1c0 [memlab] ptr=0xffffc90000bbb000 offset=0x3000 bytes_alloc=16384 order=2 flags=0x2 name=memlab
       kworker/0:1-17    [000]    60.000003: memlab_vm_alloc:      call_site=wl_alloc+0xa0/0x1c0 [memlab] ptr=0xffffc90001000000 bytes_req=10000 bytes_alloc=12288 flags=0x0 name=memlab
       kworker/0:1-17    [000]    60.000004: memlab_vm_free:       call_site=wl_free+0x60/0x80 [memlab] ptr=0xffffc90001000000 name=memlab
"""

# (--memlab layers, --caller, expected output, (allocs, frees, skipped
# frees, failed)) for SELFTEST_MEMLAB.
SELFTEST_MEMLAB_CASES = (
    ({"generic"}, None, "alloc 0 100\nalloc 1 24\nfree 0\n", (2, 1, 1, 1)),
    ({"slice"}, None, "alloc 0 128\nalloc 1 32\nfree 0\n", (2, 1, 0, 1)),
    ({"pages"}, None, "alloc 0 4096\nalloc 1 16384\n", (2, 0, 1, 0)),
    ({"pages"}, r"^wl_", "alloc 0 16384\n", (1, 0, 1, 0)),
    (set(MEMLAB_LAYERS), r"^wl_",
     "alloc 0 100\nalloc 1 24\nfree 0\nalloc 2 5000\nalloc 3 16384\n"
     "alloc 4 10000\nfree 4\n", (5, 2, 2, 1)),
)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def selftest():
    """Run the converter on embedded lines; return 0 on success."""
    try:
        check(parse_ptr("0xFFFF8880") == "ffff8880", "0x prefix, case")
        check(parse_ptr("00000000fa5935c4") == "fa5935c4", "leading zeros")
        check(parse_ptr("(null)") == NULL and parse_ptr("0x0") == NULL, "NULL")
        check(parse_ptr("(____ptrval____)") is None, "unhashed ptrval")

        out = io.StringIO()
        conv, freed = convert(SELFTEST_INPUT.splitlines(True), out)
        check(out.getvalue() == SELFTEST_DEFAULT,
              "default output:\n" + out.getvalue())
        c = conv.count
        check((c["allocs"], c["frees"], c["skipped_frees"], c["orphaned"])
              == (8, 3, 3, 1), f"default counters {c}")
        check((c["duplicates"], c["failed"], c["zero_size"], c["bad_events"])
              == (1, 1, 1, 1), f"skips {c}")
        check(len(conv.live) == 4 and freed == 0, "live after default run")

        out = io.StringIO()
        conv, freed = convert(SELFTEST_INPUT.splitlines(True), out,
                              all_caches=True, free_all=True)
        check(out.getvalue() == SELFTEST_ALL,
              "--all-caches --free-all output:\n" + out.getvalue())
        check(freed == 5 and not conv.live, "free-all count")
        check_balanced(SELFTEST_ALL)

        out = io.StringIO()
        convert(SELFTEST_MEMLAB.splitlines(True), out)
        check(out.getvalue() == "alloc 0 8\n",
              "kmem events only without --memlab:\n" + out.getvalue())
        for layers, caller, want, counts in SELFTEST_MEMLAB_CASES:
            out = io.StringIO()
            conv, _ = convert(SELFTEST_MEMLAB.splitlines(True), out,
                              memlab=layers,
                              caller=re.compile(caller) if caller else None)
            what = f"--memlab {','.join(sorted(layers))} --caller {caller}"
            check(out.getvalue() == want, f"{what}:\n" + out.getvalue())
            c = conv.count
            check((c["allocs"], c["frees"], c["skipped_frees"], c["failed"])
                  == counts, f"{what}: counters {c}")
        out = io.StringIO()
        convert(SELFTEST_MEMLAB.splitlines(True), out, free_all=True,
                memlab={"generic"})
        check_balanced(out.getvalue())
    except AssertionError as e:
        print(f"kmem2trace selftest: FAIL: {e}", file=sys.stderr)
        return 1
    print("kmem2trace selftest: ok", file=sys.stderr)
    return 0


def check_balanced(text):
    """Check that every id is allocated once, then freed once, and that
    nothing is left live at the end."""
    live = set()
    seen = set()
    for line in text.splitlines():
        op, oid, *rest = line.split()
        if op == "alloc":
            check(oid not in seen, f"id {oid} allocated twice")
            seen.add(oid)
            live.add(oid)
        else:
            check(oid in live, f"free of id {oid} that is not live")
            live.remove(oid)
    check(not live, f"ids left live: {sorted(live)}")


# --- command line -----------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Convert kmem tracepoint output (kmalloc/kfree) into "
                    "memlab's replay trace format.")
    p.add_argument("input", nargs="?", default="-",
                   help="trace text file (default: stdin)")
    p.add_argument("-o", "--output", default="-",
                   help="output file (default: stdout)")
    p.add_argument("--all-caches", action="store_true",
                   help="also convert kmem_cache_alloc/kmem_cache_free")
    p.add_argument("--free-all", action="store_true",
                   help="append frees for everything still live at the end")
    p.add_argument("--memlab", metavar="LAYERS",
                   help="convert memlab's own events of these layers "
                        "(comma-separated: " + ",".join(MEMLAB_LAYERS) +
                        "; or all) instead of kmem's")
    p.add_argument("--caller", metavar="REGEX",
                   help="only events whose call_site matches REGEX")
    p.add_argument("--selftest", action="store_true",
                   help="run the built-in self test and exit")
    args = p.parse_args(argv)
    if args.memlab is not None:
        layers = set(args.memlab.split(","))
        if layers == {"all"}:
            layers = set(MEMLAB_LAYERS)
        bad = layers - set(MEMLAB_LAYERS)
        if bad or not layers:
            p.error(f"--memlab: unknown layer(s) {', '.join(sorted(bad))}; "
                    f"choose among {', '.join(MEMLAB_LAYERS)} or all")
        args.memlab = layers
        if args.all_caches:
            p.error("--all-caches is for kmem's events, not with --memlab")
    if args.caller is not None:
        try:
            args.caller = re.compile(args.caller)
        except re.error as e:
            p.error(f"--caller: {e}")
    return args


def open_stream(path, mode, stack):
    """Open @path ('-' = stdin/stdout); files are closed by @stack."""
    if path == "-":
        return sys.stdin if mode == "r" else sys.stdout
    f = open(path, mode, encoding="utf-8", errors="replace")
    return stack.enter_context(f)


def main(argv=None):
    args = parse_args(argv)
    if args.selftest:
        return selftest()
    try:
        with contextlib.ExitStack() as stack:
            src = open_stream(args.input, "r", stack)
            dst = open_stream(args.output, "w", stack)
            conv, freed = convert(src, dst, args.all_caches, args.free_all,
                                  args.memlab, args.caller)
            dst.flush()
    except BrokenPipeError:
        # The reader went away (e.g. "| head"); not an error of ours.
        sys.stdout = None
        return 0
    except OSError as e:
        print(f"kmem2trace: {e.filename or args.output}: {e.strerror}",
              file=sys.stderr)
        return 2
    print(conv.summary(freed), file=sys.stderr)
    if conv.count["allocs"] == 0 and conv.count["frees"] == 0:
        if args.memlab is not None:
            names = ", ".join(f"memlab_{x}_alloc/free"
                              for x in MEMLAB_LAYERS if x in args.memlab)
            print(f"kmem2trace: no usable {names} events in {args.input}"
                  f"{' from a matching call_site' if args.caller else ''}; "
                  "was events/memlab enabled?", file=sys.stderr)
            return 1
        events = "kmalloc/kfree" + (" or kmem_cache_*" if args.all_caches
                                     else "")
        print(f"kmem2trace: no usable {events} events in {args.input}; "
              "were events/kmem/kmalloc and events/kmem/kfree enabled?",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
