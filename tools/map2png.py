#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render a saved memlab arena map as a PNG, with matplotlib.

memlab writes a text map of its arena to /sys/kernel/debug/memlab/map:

  # memlab map: arena 0xffffc90000400000-0xffffc90001400000 (16384 KiB), ...
  # legend: .=lmm free #=lmm allocated :=lmm partly free -=pages free ...
  0xffffc90000400000 ................................................
  0xffffc90000440000 ----PPPPsssSSS..##:.....

Header lines start with '#'; the first one becomes the picture's title and
the "# legend: " line names the map characters ("C=label words" pairs; a new
pair starts at " C=").  Each data row is a hex address, one space, then one
character per unit of the arena (the last row may be shorter).

The PNG shows one coloured square per map character, rows as in the text,
each row's offset into the arena on the left, the title above and a legend
(swatch, character, label, count and share of cells) below.  Colours come
from a built-in table: free = greens, allocated = reds, VM areas = magenta,
slabs = blues, metadata = purple.  Legend characters without a built-in
colour take one from a spare palette; characters in neither get grey and
are listed under "?".  matplotlib (Debian's python3-matplotlib, Agg
backend) draws the picture and its text; the squares are laid out pixel
for pixel.

Usage:
  map2png.py INPUT.txt OUTPUT.png [--cell N] [--gap N]
  map2png.py --selftest

--cell is the pitch of one square in pixels (default 6), of which --gap
(default 1) is left blank between squares.  INPUT may be '-' for stdin.
The picture is at least 800 pixels wide.  Exit status: 0 on success, 1 on
bad input or I/O errors, 2 on usage errors.
"""

import argparse
import os
import re
import sys
import tempfile
import textwrap

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle
    import numpy as np
except ImportError as e:        # say what to install, not a traceback
    print(f"map2png: {e}: install python3-matplotlib (scripts/deps.sh demo)",
          file=sys.stderr)
    sys.exit(1)

# --- colours ----------------------------------------------------------------

WHITE = (255, 255, 255)
FRAME = (170, 170, 170)         # outline of the map area and swatches
UNKNOWN = (150, 150, 150)       # neutral grey for unknown characters

# Built-in colours for the characters memlab's map uses.  Free space is
# light/green, allocated space darker/red, slabs blue, metadata purple.
COLOURS = {
    ".": (186, 228, 160),       # lmm free: light green
    "-": (140, 208, 196),       # pages free: pale teal
    ":": (240, 178, 70),        # lmm partly free: amber
    "#": (150, 24, 40),         # lmm allocated: dark red
    "P": (222, 92, 70),         # pages allocated: brick red
    "G": (140, 84, 40),         # generic large: brown
    "V": (206, 40, 150),        # vm area (pages behind a VM area): magenta
    "e": (176, 208, 242),       # slab empty: light blue
    "s": (80, 136, 216),        # slab partial: medium blue
    "S": (24, 48, 136),         # slab full: navy
    "m": (128, 56, 168),        # metadata: purple
}

# Spare colours, in order, for legend characters missing from COLOURS.
SPARE = [(230, 210, 60), (236, 140, 200), (40, 180, 200), (120, 130, 40),
         (70, 70, 70), (255, 120, 0)]

# --- map parsing ------------------------------------------------------------

ROW_RE = re.compile(r"^((?:0x)?[0-9a-fA-F]+) (.*)$")
# A legend pair starts at a single non-space character followed by '=', at
# the start or after a space; its label runs until the next such start.
LEGEND_PAIR_RE = re.compile(r"(?:^|(?<= ))(\S)=")
LEGEND_PREFIX = "# legend:"


class MapError(Exception):
    """Malformed map input."""


def parse_legend(text):
    """Parse "C=label words C=label" into [(char, label), ...]."""
    starts = list(LEGEND_PAIR_RE.finditer(text))
    if text.strip() and (not starts or text[:starts[0].start()].strip()):
        raise MapError(f"legend does not start with 'C=label': {text!r}")
    pairs = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        pairs.append((m.group(1), text[m.end():end].strip()))
    return pairs


def parse_map(lines, name="map"):
    """Parse map text; return (title, legend pairs, rows, row addresses)."""
    title, legend, rows, addrs = None, None, [], []
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line.startswith("#"):
            if title is None:
                title = line.lstrip("#").strip()
            if line.startswith(LEGEND_PREFIX):
                try:
                    legend = parse_legend(line[len(LEGEND_PREFIX):].strip())
                except MapError as e:
                    raise MapError(f"{name}:{n}: {e}") from None
            continue
        if not line.strip():
            continue
        m = ROW_RE.match(line)
        if not m:
            raise MapError(f"{name}:{n}: expected '<hex address> <map chars>'"
                           f", got {line[:60]!r}")
        addrs.append(int(m.group(1), 16))
        rows.append(m.group(2).rstrip(" "))     # spaces are never map chars
    if not rows or not any(rows):
        raise MapError(f"{name}: no map rows found")
    return title or "memlab map", legend or [], rows, addrs


# --- colour and legend assignment -------------------------------------------

def assign_colours(legend, rows):
    """Return (colour per char, legend entries [(colour, char, label, n)])."""
    counts = {}
    for row in rows:
        for ch in row:
            if ch != " ":
                counts[ch] = counts.get(ch, 0) + 1
    colour, entries, spare = {}, [], iter(SPARE)
    for ch, label in legend:
        if ch in colour:
            continue
        colour[ch] = COLOURS.get(ch) or next(spare, UNKNOWN)
        entries.append((colour[ch], ch, label, counts.get(ch, 0)))
    unknown = []
    for ch in sorted(counts):
        if ch in colour:
            continue
        if ch in COLOURS:       # known colour but the file gives no label
            colour[ch] = COLOURS[ch]
            entries.append((colour[ch], ch, "(no label)", counts[ch]))
        else:
            colour[ch] = UNKNOWN
            unknown.append(ch)
    if unknown:
        shown = " ".join(unknown) if len(unknown) <= 6 else \
            " ".join(unknown[:6]) + " ..."
        entries.append((UNKNOWN, "?", f"unknown: {shown}",
                        sum(counts[c] for c in unknown)))
    return colour, entries


def legend_text(entry, total):
    _, ch, label, n = entry
    pct = 100.0 * n / total if total else 0.0
    share = "<1%" if 0 < pct < 1 else f"{pct:.0f}%"
    return f"{ch}  {label}  {n} ({share})"


def human(nbytes):
    """An arena offset for an axis label: 0, 256K, 1.5M, 2G."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if nbytes >= 1 << shift:
            v = nbytes / (1 << shift)
            return f"{v:.0f}{unit}" if v == int(v) else f"{v:.1f}{unit}"
    return str(nbytes)


# --- drawing ----------------------------------------------------------------

DPI = 100
MARGIN = 12             # pixels around the map
LEFT = 64               # room for the offset labels
MIN_WIDTH = 800
MAX_PIXELS = 64 << 20   # refuse absurd pictures


def map_pixels(rows, colour, cell, gap):
    """The map as an RGB array, one cell x cell square per character."""
    cols = max(len(r) for r in rows)
    palette = np.full((256, 3), 255, dtype=np.uint8)   # blank: white
    index = {" ": 0}
    for ch, rgb in colour.items():      # map characters to 1..255
        index[ch] = len(index)
        if index[ch] > 255:
            raise MapError("more than 255 distinct map characters")
        palette[index[ch]] = rgb
    codes = np.zeros((len(rows), cols), dtype=np.uint8)
    for r, row in enumerate(rows):
        codes[r, :len(row)] = [index[ch] for ch in row]
    img = palette[codes].repeat(cell, axis=0).repeat(cell, axis=1)
    if gap:
        img[(np.arange(img.shape[0]) % cell) >= cell - gap, :] = 255
        img[:, (np.arange(img.shape[1]) % cell) >= cell - gap] = 255
    return img


def render(title, legend, rows, addrs, cell, gap, path):
    """Draw the map into @path (PNG); return the legend entries' texts."""
    colour, entries = assign_colours(legend, rows)
    total = sum(n for *_, n in entries)
    texts = [legend_text(e, total) for e in entries]
    img = map_pixels(rows, colour, cell, gap)
    map_h, map_w = img.shape[:2]
    width = max(MIN_WIDTH, LEFT + map_w + 2 * MARGIN)
    # the legend: as many columns as its longest text lets fit (~7 px a char)
    col_w = 40 + 7 * max(len(t) for t in texts)
    ncol = max(1, min(len(texts), (width - LEFT) // col_w))
    title_lines = textwrap.wrap(title, max(40, (width - LEFT) // 7)) or [""]
    title_h = 18 * len(title_lines) + MARGIN
    legend_h = 22 * -(-len(texts) // ncol) + 2 * MARGIN
    height = title_h + map_h + legend_h + 2 * MARGIN
    if width * height > MAX_PIXELS:
        raise MapError(f"picture would be {width}x{height} pixels; "
                       "use a smaller --cell")

    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    # the squares go in pixel for pixel (figimage: no resampling), framed
    top = MARGIN + title_h
    fig.figimage(img, xo=LEFT, yo=height - top - map_h, origin="upper")
    fig.patches.append(Rectangle((LEFT - 2.5, height - top - map_h - 2.5),
                                 map_w + 4, map_h + 4, transform=None,
                                 fill=False, linewidth=0.72,
                                 antialiased=False,
                                 edgecolor=[c / 255 for c in FRAME]))
    # an empty axes over the squares carries their offsets into the arena
    # (not kernel addresses) down the left
    ax = fig.add_axes([LEFT / width, 1 - (top + map_h) / height,
                       map_w / width, map_h / height])
    ax.set_xlim(0, map_w)
    ax.set_ylim(map_h, 0)
    ax.patch.set_visible(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xticks([])
    step = max(1, len(rows) // 8)
    ticks = list(range(0, len(rows), step))
    ax.set_yticks([(r + 0.5) * cell for r in ticks])
    ax.set_yticklabels([human(addrs[r] - addrs[0]) for r in ticks],
                       fontsize=8)
    ax.tick_params(axis="y", length=2, pad=2)
    ax.set_ylabel("offset", fontsize=8, labelpad=2)
    fig.text(MARGIN / width, 1 - MARGIN / height, "\n".join(title_lines),
             ha="left", va="top", fontsize=10)
    handles = [Patch(facecolor=[c / 255 for c in e[0]],
                     edgecolor=[c / 255 for c in FRAME], label=t)
               for e, t in zip(entries, texts)]
    fig.legend(handles=handles, loc="upper left", ncol=ncol, fontsize=9,
               frameon=False, handlelength=1.2, handleheight=1.2,
               columnspacing=1.5,
               bbox_to_anchor=(LEFT / width,
                               1 - (top + map_h + MARGIN) / height))
    fig.savefig(path, dpi=DPI, facecolor="white")
    plt.close(fig)
    return texts


# --- self test --------------------------------------------------------------

SELFTEST_MAP = """\
# memlab map: arena 0xffffc90000400000-0xffffc90000418000 (96 KiB), 4096 bytes per char, 8 chars per row
# legend: .=lmm free #=lmm allocated :=lmm partly free -=pages free P=pages allocated G=generic large V=vm area s=slab partial S=slab full e=slab empty m=metadata ==odd one
0xffffc90000400000 mm..##:.
0xffffc90000408000 --PPGsSe
0xffffc90000410000 ..zz=V
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def selftest():
    """Render SELFTEST_MAP to a temporary PNG and verify it; return 0 if ok."""
    try:
        check(parse_legend("a=x y b=z ==eq") ==
              [("a", "x y"), ("b", "z"), ("=", "eq")], "legend pairs")
        title, legend, rows, addrs = parse_map(SELFTEST_MAP.splitlines(True))
        check(title.startswith("memlab map: arena"), "title")
        check(len(legend) == 12 and legend[1] == ("#", "lmm allocated"),
              "legend from file")
        check(rows[2] == "..zz=V", "short last row")
        check(addrs[1] - addrs[0] == 0x8000, "row addresses")
        check(human(0x8000) == "32K" and human(3 << 19) == "1.5M", "offsets")
        cell, gap = 6, 1
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "selftest.png")
            texts = render(title, legend, rows, addrs, cell, gap, path)
            png = (plt.imread(path)[:, :, :3] * 255).round().astype(int)
        check(texts[-1].startswith("?  unknown: z  2"), "unknown entry")
        check(any(t.startswith("V  vm area  1 ") for t in texts), "V entry")
        # the map's first square is metadata: the topmost, leftmost purple
        ys, xs = np.nonzero((png == COLOURS["m"]).all(axis=2))
        check(len(ys) > 0, "no metadata square drawn")
        y0 = ys.min()
        x0 = xs[ys == y0].min()
        mid = (cell - gap) // 2

        def at(c, r):
            return tuple(png[y0 + r * cell + mid, x0 + c * cell + mid])
        want = {(0, 0): COLOURS["m"], (4, 0): COLOURS["#"],
                (6, 0): COLOURS[":"], (2, 1): COLOURS["P"],
                (5, 1): COLOURS["s"], (6, 1): COLOURS["S"],
                (2, 2): UNKNOWN, (4, 2): SPARE[0], (5, 2): COLOURS["V"],
                (7, 2): WHITE}
        for (c, r), rgb in want.items():
            check(at(c, r) == rgb, f"cell ({c},{r}) is {at(c, r)}, not {rgb}")
        check(tuple(png[y0 + mid, x0 + 2 * cell - 1]) == WHITE, "cell gap")
        check(png.shape[1] >= MIN_WIDTH, f"width {png.shape[1]}")
    except (AssertionError, ValueError, MapError, OSError) as e:
        print(f"map2png selftest: FAIL: {e}", file=sys.stderr)
        return 1
    print("map2png selftest: ok", file=sys.stderr)
    return 0


# --- command line -----------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Render a memlab arena map (text) as a PNG.")
    p.add_argument("input", nargs="?", help="map text file, or - for stdin")
    p.add_argument("output", nargs="?", help="PNG file to write")
    p.add_argument("--cell", type=int, default=6,
                   help="pixels per map character, gap included (default 6)")
    p.add_argument("--gap", type=int, default=1,
                   help="blank pixels between squares (default 1; 0 for none)")
    p.add_argument("--selftest", action="store_true",
                   help="run the built-in self test and exit")
    args = p.parse_args(argv)
    if not args.selftest:
        if not args.input or not args.output:
            p.error("INPUT and OUTPUT are required (or --selftest)")
        if not 1 <= args.cell <= 64:
            p.error("--cell must be between 1 and 64")
        if not 0 <= args.gap < args.cell:
            p.error("--gap must be at least 0 and smaller than --cell")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.selftest:
        return selftest()
    try:
        if args.input == "-":
            title, legend, rows, addrs = parse_map(sys.stdin, "<stdin>")
        else:
            with open(args.input, encoding="utf-8", errors="replace") as f:
                title, legend, rows, addrs = parse_map(f, args.input)
        if not legend:
            print(f"map2png: {args.input}: no legend entries (no "
                  "'# legend:' line); characters are shown unlabelled",
                  file=sys.stderr)
        render(title, legend, rows, addrs, args.cell, args.gap, args.output)
    except MapError as e:
        print(f"map2png: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"map2png: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
