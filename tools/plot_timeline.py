#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw a memlab workload's timeline as a PNG, with matplotlib.

A run written to /sys/kernel/debug/memlab/workload/run with sample=N leaves
two CSV files beside workload/result:

  workload/samples  op,live_bytes,live_objs,failures,lmm_free,lmm_extents,
                    lmm_largest,extfrag,pages_free,unusable3,unusable9,
                    slice_active,slice_total,slab_util
                    (one line every N operations)
  workload/latency  lo_ns,hi_ns,allocs,frees
                    (one line per latency bucket that counted something)

The picture has three panels against operations - bytes (live, LMM free,
LMM largest free extent, slab bytes), fragmentation (the LMM's external
fragmentation 1 - largest/free, the pages layer's unusable free space index
at orders 3 and 9, slab utilisation; free extents on a second axis) and
failed allocations - then the allocation and free latency histograms side
by side, with their medians and 99th percentiles.

Usage:
  plot_timeline.py SAMPLES.csv LATENCY.csv OUTPUT.png [--title TEXT]
  plot_timeline.py --selftest

Exit status: 0 on success, 1 on bad input or I/O errors, 2 on usage errors.
"""

import argparse
import csv
import os
import sys
import tempfile

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:        # say what to install, not a traceback
    print(f"plot_timeline: {e}: install python3-matplotlib "
          "(scripts/deps.sh demo)", file=sys.stderr)
    sys.exit(1)

SAMPLE_COLUMNS = ["op", "live_bytes", "live_objs", "failures", "lmm_free",
                  "lmm_extents", "lmm_largest", "extfrag", "pages_free",
                  "unusable3", "unusable9", "slice_active", "slice_total",
                  "slab_util"]
LATENCY_COLUMNS = ["lo_ns", "hi_ns", "allocs", "frees"]
MIB = 1 << 20


class InputError(Exception):
    """Malformed CSV input."""


def read_csv(path, columns):
    """Rows of @path as dicts of floats; the header must name @columns."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != columns:
        raise InputError(f"{path}: header is not {','.join(columns)}")
    out = []
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(columns):
            raise InputError(f"{path}:{n}: {len(row)} fields, not "
                             f"{len(columns)}")
        try:
            out.append({c: float(v) for c, v in zip(columns, row)})
        except ValueError:
            raise InputError(f"{path}:{n}: not a number: {row}") from None
    return out


def percentile(buckets, key, pct):
    """The bucket holding the @pct percentile of @key: its (lo, hi)."""
    total = sum(b[key] for b in buckets)
    seen = 0
    for b in buckets:
        seen += b[key]
        if total and seen >= total * pct / 100:
            return b["lo_ns"], b["hi_ns"]
    return None


def ns_text(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3g} us"
    return f"{ns:.0f} ns"


def draw_histogram(ax, buckets, key, what, colour):
    """Bars over [lo, hi) on a log axis, with median and p99 marked."""
    used = [b for b in buckets if b[key]]
    total = int(sum(b[key] for b in used))
    if not used:
        ax.text(0.5, 0.5, f"no {what}", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_title(f"{what} latency")
        return
    lo = [max(b["lo_ns"], 1) for b in used]
    width = [b["hi_ns"] - max(b["lo_ns"], 1) for b in used]
    ax.bar(lo, [b[key] for b in used], width=width, align="edge",
           color=colour, edgecolor="white", linewidth=0.4)
    ax.set_xscale("log")
    ax.set_yscale("log")        # the tail is a few, the bulk thousands
    ax.set_xlabel("nanoseconds (buckets: 4 per power of two)")
    ax.set_ylabel(f"{what}s (log scale)")
    marks = []
    for pct, style in ((50, "--"), (99, ":")):
        p = percentile(used, key, pct)
        if p:
            ax.axvline(p[0], color="black", linestyle=style, linewidth=1,
                       label=f"p{pct} in [{ns_text(p[0])}, {ns_text(p[1])})")
            marks.append(p)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    ax.set_title(f"{what} latency ({total} {what}s)")
    ax.grid(axis="y", alpha=0.3)


def render(samples, latency, title, path):
    """Draw the timeline and histograms into @path (PNG)."""
    ops = [s["op"] for s in samples]
    fig = plt.figure(figsize=(13, 11), dpi=100)
    # the timeline's legends go right of its panels, off the lines
    grid = fig.add_gridspec(3, 1, height_ratios=[3, 3, 1.3], hspace=0.35,
                            left=0.07, right=0.72, top=0.94, bottom=0.36)
    hist = fig.add_gridspec(1, 2, wspace=0.2, left=0.07, right=0.97,
                            top=0.27, bottom=0.05)
    ax_bytes = fig.add_subplot(grid[0])
    ax_frag = fig.add_subplot(grid[1], sharex=ax_bytes)
    ax_fail = fig.add_subplot(grid[2], sharex=ax_bytes)

    def series(key, scale=1.0):
        return [s[key] / scale for s in samples]
    ax_bytes.plot(ops, series("live_bytes", MIB), label="live bytes (the run's)",
                  color="tab:red", linewidth=1.6)
    ax_bytes.plot(ops, series("lmm_free", MIB), label="LMM free bytes",
                  color="tab:green", linewidth=1.2)
    ax_bytes.plot(ops, series("lmm_largest", MIB),
                  label="LMM largest free extent", color="tab:olive",
                  linewidth=1.2, linestyle="--")
    ax_bytes.plot(ops, series("slice_total", MIB),
                  label="slab bytes (generic allocator)", color="tab:blue",
                  linewidth=1)
    ax_bytes.set_ylabel("MiB")
    ax_bytes.set_ylim(bottom=0)
    ax_bytes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1),
                    frameon=False)
    ax_bytes.set_title("bytes, every %d operations" %
                       (ops[1] - ops[0] if len(ops) > 1 else ops[0]))
    ax_bytes.grid(alpha=0.3)

    ax_frag.plot(ops, series("extfrag"), color="tab:purple", linewidth=1.4,
                 label="LMM external fragmentation (1 - largest/free)")
    ax_frag.plot(ops, series("unusable3"), color="tab:orange", linewidth=0.9,
                 alpha=0.8, label="pages unusable index, order 3")
    ax_frag.plot(ops, series("unusable9"), color="tab:brown", linewidth=1.2,
                 linestyle="--", label="pages unusable index, order 9")
    ax_frag.plot(ops, series("slab_util"), color="tab:blue", linewidth=1.2,
                 linestyle="-.", label="slab utilisation (active/total)")
    ax_frag.set_ylim(-0.02, 1.02)
    ax_frag.set_ylabel("index (0..1)")
    ax_frag.grid(alpha=0.3)
    ax_ext = ax_frag.twinx()
    ax_ext.plot(ops, series("lmm_extents"), color="grey", linewidth=0.8,
                linestyle=":", label="LMM free extents (right axis)")
    ax_ext.set_ylabel("free extents")
    ax_ext.set_ylim(bottom=0)
    lines = ax_frag.get_lines() + ax_ext.get_lines()
    ax_frag.legend(lines, [ln.get_label() for ln in lines], fontsize=8,
                   loc="upper left", bbox_to_anchor=(1.09, 1), frameon=False)
    ax_frag.set_title("fragmentation")

    ax_fail.plot(ops, series("failures"), color="black", linewidth=1.2)
    ax_fail.set_ylabel("failed\nallocations")
    ax_fail.set_xlabel("operations (allocations + frees)")
    ax_fail.set_ylim(bottom=0)
    ax_fail.grid(alpha=0.3)
    for ax in (ax_bytes, ax_frag):
        ax.tick_params(labelbottom=False)

    draw_histogram(fig.add_subplot(hist[0]), latency, "allocs", "alloc",
                   "tab:red")
    draw_histogram(fig.add_subplot(hist[1]), latency, "frees", "free",
                   "tab:green")
    fig.suptitle(title, fontsize=11, y=0.985)
    fig.savefig(path, dpi=100, facecolor="white", bbox_inches="tight")
    plt.close(fig)


# --- self test --------------------------------------------------------------

def selftest():
    """Draw a made-up run and check the PNG; return 0 if ok."""
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sp, lp, out = (os.path.join(tmp, n) for n in
                           ("s.csv", "l.csv", "t.png"))
            with open(sp, "w", encoding="utf-8") as f:
                f.write(",".join(SAMPLE_COLUMNS) + "\n")
                for i in range(1, 51):
                    live = 1000 * i
                    f.write(f"{10 * i},{live},{i},{i // 10},{2 ** 24 - live},"
                            f"{i},{2 ** 23 - live},0.{i:03d},{i},0.100,1.000,"
                            f"{live // 2},{live},0.500\n")
            with open(lp, "w", encoding="utf-8") as f:
                f.write("lo_ns,hi_ns,allocs,frees\n256,320,10,20\n"
                        "512,640,30,0\n4096,5120,1,2\n")
            lat = read_csv(lp, LATENCY_COLUMNS)
            if percentile(lat, "allocs", 50) != (512, 640):
                raise AssertionError("median bucket")
            if percentile(lat, "frees", 99) != (4096, 5120):
                raise AssertionError("p99 bucket")
            render(read_csv(sp, SAMPLE_COLUMNS), lat, "selftest", out)
            png = plt.imread(out)
            if png.shape[0] < 600 or png.shape[1] < 600:
                raise AssertionError(f"picture only {png.shape[1]}x"
                                     f"{png.shape[0]}")
            with open(lp, "w", encoding="utf-8") as f:
                f.write("lo,hi\n")
            try:
                read_csv(lp, LATENCY_COLUMNS)
                raise AssertionError("a bad header was accepted")
            except InputError:
                pass
    except (AssertionError, InputError, OSError) as e:
        print(f"plot_timeline selftest: FAIL: {e}", file=sys.stderr)
        return 1
    print("plot_timeline selftest: ok", file=sys.stderr)
    return 0


# --- command line -----------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(
        description="Draw a memlab workload timeline (workload/samples and "
                    "workload/latency) as a PNG.")
    p.add_argument("samples", nargs="?", help="workload/samples CSV")
    p.add_argument("latency", nargs="?", help="workload/latency CSV")
    p.add_argument("output", nargs="?", help="PNG file to write")
    p.add_argument("--title", default="memlab workload",
                   help="the picture's title (e.g. the workload's line)")
    p.add_argument("--selftest", action="store_true",
                   help="run the built-in self test and exit")
    args = p.parse_args(argv)
    if args.selftest:
        return selftest()
    if not args.output:
        p.error("SAMPLES, LATENCY and OUTPUT are required (or --selftest)")
    try:
        samples = read_csv(args.samples, SAMPLE_COLUMNS)
        if not samples:
            raise InputError(f"{args.samples}: no samples (did the run say "
                             "sample=N?)")
        latency = read_csv(args.latency, LATENCY_COLUMNS)
        render(samples, latency, args.title, args.output)
    except InputError as e:
        print(f"plot_timeline: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"plot_timeline: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
