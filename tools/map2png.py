#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render a saved memlab arena map as a PNG.

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
the title above and a legend (swatch, character, label, count and share of
cells) below.  Colours come from a built-in table: free = greens, allocated
= reds, slabs = blues, metadata = purple.  Legend characters without a
built-in colour take one from a spare palette; characters in neither get
grey and are listed under "?".  The PNG (8-bit RGB, filter 0) and the 5x7
bitmap font are written here with zlib and struct only.

Usage:
  map2png.py INPUT.txt OUTPUT.png [--cell N] [--gap N]
  map2png.py --selftest

--cell is the pitch of one square in pixels (default 6), of which --gap
(default 1) is left blank between squares.  INPUT may be '-' for stdin.
Text is drawn at 2x, so the picture is at least 800 pixels wide.  Exit status: 0 on success, 1 on bad input or
I/O errors, 2 on usage errors.
"""

import argparse
import os
import re
import struct
import sys
import tempfile
import zlib

# --- colours ----------------------------------------------------------------

WHITE = (255, 255, 255)
INK = (30, 30, 30)              # text
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

# --- font -------------------------------------------------------------------

# 5x7 glyphs, '#' = ink; lower-case letters use an 8th row for descenders.
# Lower case is kept apart from upper case so that 's' and 'S' differ.
FONT_W, FONT_H = 5, 8
_GLYPHS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "a": "..... ..... .###. ....# .#### #...# .#### .....",
    "b": "#.... #.... #.##. ##..# #...# #...# ####. .....",
    "c": "..... ..... .###. #.... #.... #...# .###. .....",
    "d": "....# ....# .##.# #..## #...# #...# .#### .....",
    "e": "..... ..... .###. #...# ##### #.... .###. .....",
    "f": "..##. .#..# .#... ###.. .#... .#... .#... .....",
    "g": "..... ..... .#### #...# #...# .#### ....# .###.",
    "h": "#.... #.... #.##. ##..# #...# #...# #...# .....",
    "i": "..#.. ..... .##.. ..#.. ..#.. ..#.. .###. .....",
    "j": "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..",
    "k": "#.... #.... #..#. #.#.. ##... #.#.. #..#. .....",
    "l": ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###. .....",
    "m": "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.# .....",
    "n": "..... ..... #.##. ##..# #...# #...# #...# .....",
    "o": "..... ..... .###. #...# #...# #...# .###. .....",
    "p": "..... ..... ####. #...# #...# ####. #.... #....",
    "q": "..... ..... .#### #...# #...# .#### ....# ....#",
    "r": "..... ..... #.##. ##..# #.... #.... #.... .....",
    "s": "..... ..... .###. #.... .###. ....# ####. .....",
    "t": ".#... .#... ###.. .#... .#... .#..# ..##. .....",
    "u": "..... ..... #...# #...# #...# #..## .##.# .....",
    "v": "..... ..... #...# #...# #...# .#.#. ..#.. .....",
    "w": "..... ..... #...# #...# #.#.# #.#.# .#.#. .....",
    "x": "..... ..... #...# .#.#. ..#.. .#.#. #...# .....",
    "y": "..... ..... #...# #...# #...# .#### ....# .###.",
    "z": "..... ..... ##### ...#. ..#.. .#... ##### .....",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    " ": "..... ..... ..... ..... ..... ..... .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    ":": "..... .##.. .##.. ..... .##.. .##.. .....",
    ";": "..... .##.. .##.. ..... .##.. ..#.. .#...",
    "-": "..... ..... ..... ##### ..... ..... .....",
    "_": "..... ..... ..... ..... ..... ..... #####",
    "/": "..... ....# ...#. ..#.. .#... #.... .....",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
    ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    "[": ".###. .#... .#... .#... .#... .#... .###.",
    "]": ".###. ...#. ...#. ...#. ...#. ...#. .###.",
    "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
    "%": "##... ##..# ...#. ..#.. .#... #..## ...##",
    "=": "..... ..... ##### ..... ##### ..... .....",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    "*": "..... ..#.. #.#.# .###. #.#.# ..#.. .....",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
    "!": "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",
    "'": "..#.. ..#.. .#... ..... ..... ..... .....",
    "<": "...#. ..#.. .#... #.... .#... ..#.. ...#.",
    ">": ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
}
# Drawn for characters the font lacks: a hollow box.
_MISSING = "##### #...# #...# #...# #...# #...# #####"

TEXT_SCALE = 2                          # font pixels per glyph dot
ADVANCE = (FONT_W + 1) * TEXT_SCALE     # horizontal pitch of one character
LINE_H = (FONT_H + 2) * TEXT_SCALE      # vertical pitch of one text line


def glyph_rows(ch):
    """Return the glyph of @ch as FONT_H strings of FONT_W '#'/'.' dots."""
    rows = _GLYPHS.get(ch, _MISSING).split()
    return rows + ["." * FONT_W] * (FONT_H - len(rows))


def text_width(text):
    return len(text) * ADVANCE


# --- map parsing ------------------------------------------------------------

ROW_RE = re.compile(r"^(?:0x)?[0-9a-fA-F]+ (.*)$")
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
    """Parse map text; return (title, legend pairs, rows of characters)."""
    title, legend, rows = None, None, []
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
        rows.append(m.group(1).rstrip(" "))     # spaces are never map chars
    if not rows or not any(rows):
        raise MapError(f"{name}: no map rows found")
    return title or "memlab map", legend or [], rows


# --- colour and legend assignment -------------------------------------------

def assign_colours(legend, rows):
    """Return (colour per char, legend entries [(colour, char, label, n)])."""
    counts = {}
    for row in rows:
        for ch in row:
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


# --- layout -----------------------------------------------------------------

MARGIN = 12             # blank border around everything
MIN_WIDTH = 800         # ~64 title characters a line; two legend columns
SWATCH = 2 * LINE_H // 3        # legend swatch side
LEGEND_GAP = 16         # between legend columns
MAX_PIXELS = 64 << 20   # refuse absurd pictures


def wrap(text, width):
    """Split @text into lines of at most @width pixels, at spaces if
    possible."""
    per_line = max(1, width // ADVANCE)
    lines, cur = [], ""
    for word in text.split():
        while len(word) > per_line:             # hard-split long words
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= per_line:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines or [""]


def legend_text(entry, total):
    _, ch, label, n = entry
    pct = 100.0 * n / total if total else 0.0
    share = "<1%" if 0 < pct < 1 else f"{pct:.0f}%"
    return f"{ch}  {label}  {n} ({share})"


class Layout:
    """Positions of every part of the picture, computed before drawing."""

    def __init__(self, title, rows, entries, cell):
        self.cols = max(len(r) for r in rows)
        self.nrows = len(rows)
        self.cell = cell
        map_w, map_h = self.cols * cell, self.nrows * cell
        total = sum(len(r) for r in rows)
        self.texts = [legend_text(e, total) for e in entries]
        entry_w = SWATCH + ADVANCE + max(text_width(t) for t in self.texts)
        self.width = max(MIN_WIDTH, map_w + 2 * MARGIN,
                         entry_w + 2 * MARGIN)
        inner = self.width - 2 * MARGIN
        self.title_lines = wrap(title, inner)
        y = MARGIN
        self.title_y = y
        y += len(self.title_lines) * LINE_H + MARGIN // 2
        self.map_x, self.map_y = MARGIN, y
        self.map_w, self.map_h = map_w, map_h
        y += map_h + MARGIN + LINE_H // 2
        self.col_w = entry_w + LEGEND_GAP
        self.legend_cols = max(1, (inner + LEGEND_GAP) // self.col_w)
        self.legend_rows = -(-len(entries) // self.legend_cols)
        self.legend_y = y
        y += self.legend_rows * (LINE_H + 4)
        self.height = y + MARGIN
        if self.width * self.height > MAX_PIXELS:
            raise MapError(f"picture would be {self.width}x{self.height} "
                           "pixels; use a smaller --cell")

    def entry_pos(self, i):
        """Top-left of legend entry @i; entries fill columns top to bottom."""
        col, row = divmod(i, self.legend_rows)
        return (MARGIN + col * self.col_w,
                self.legend_y + row * (LINE_H + 4))


# --- drawing ----------------------------------------------------------------

class Canvas:
    """An RGB picture in a flat bytearray."""

    def __init__(self, width, height, colour=WHITE):
        self.width, self.height = width, height
        self.pix = bytearray(bytes(colour) * (width * height))

    def rect(self, x, y, w, h, colour):
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        span = bytes(colour) * (x1 - x0)
        for yy in range(y0, y1):
            off = (yy * self.width + x0) * 3
            self.pix[off:off + len(span)] = span

    def outline(self, x, y, w, h, colour):
        self.rect(x, y, w, 1, colour)
        self.rect(x, y + h - 1, w, 1, colour)
        self.rect(x, y, 1, h, colour)
        self.rect(x + w - 1, y, 1, h, colour)

    def text(self, x, y, text, colour=INK):
        for ch in text:
            for gy, dots in enumerate(glyph_rows(ch)):
                for gx, dot in enumerate(dots):
                    if dot == "#":
                        self.rect(x + gx * TEXT_SCALE, y + gy * TEXT_SCALE,
                                  TEXT_SCALE, TEXT_SCALE, colour)
            x += ADVANCE

    def pixel(self, x, y):
        off = (y * self.width + x) * 3
        return tuple(self.pix[off:off + 3])


def render(title, legend, rows, cell, gap):
    """Draw the map; return (Canvas, Layout)."""
    colour, entries = assign_colours(legend, rows)
    lay = Layout(title, rows, entries, cell)
    cv = Canvas(lay.width, lay.height)
    for i, line in enumerate(lay.title_lines):
        cv.text(MARGIN, lay.title_y + i * LINE_H, line)
    cv.outline(lay.map_x - 1, lay.map_y - 1, lay.map_w + 2, lay.map_h + 2,
               FRAME)
    side = cell - gap
    for r, row in enumerate(rows):
        y = lay.map_y + r * cell
        for c, ch in enumerate(row):
            cv.rect(lay.map_x + c * cell, y, side, side, colour[ch])
    for i, (entry, text) in enumerate(zip(entries, lay.texts)):
        x, y = lay.entry_pos(i)
        sy = y + (FONT_H * TEXT_SCALE - SWATCH) // 2
        cv.rect(x, sy, SWATCH, SWATCH, entry[0])
        cv.outline(x, sy, SWATCH, SWATCH, FRAME)
        cv.text(x + SWATCH + ADVANCE, y, text)
    return cv, lay


# --- PNG --------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xffffffff
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(cv):
    """Return the PNG bytes of a Canvas: 8-bit RGB, filter 0 on every row."""
    stride = cv.width * 3
    raw = bytearray()
    for y in range(cv.height):
        raw += b"\x00" + cv.pix[y * stride:(y + 1) * stride]
    ihdr = struct.pack(">IIBBBBB", cv.width, cv.height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(bytes(raw), 9)) +
            png_chunk(b"IEND", b""))


def read_png(data):
    """Check a PNG's chunks and CRCs; return (width, height, raw scanlines)."""
    if data[:8] != PNG_SIGNATURE:
        raise ValueError("bad PNG signature")
    pos, chunks = 8, []
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("truncated chunk header")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc_bytes = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc_bytes) != 4:
            raise ValueError(f"truncated {kind!r} chunk")
        if zlib.crc32(kind + body) & 0xffffffff != \
                struct.unpack(">I", crc_bytes)[0]:
            raise ValueError(f"CRC mismatch in {kind!r} chunk")
        chunks.append((kind, body))
        pos += 12 + length
    kinds = [k for k, _ in chunks]
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND":
        raise ValueError(f"unexpected chunk order {kinds}")
    w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB",
                                                          chunks[0][1])
    if (depth, ctype, comp, filt, inter) != (8, 2, 0, 0, 0):
        raise ValueError("not 8-bit RGB, non-interlaced")
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    return w, h, raw


# --- self test --------------------------------------------------------------

SELFTEST_MAP = """\
# memlab map: arena 0xffffc90000400000-0xffffc90000418000 (96 KiB), 4096 bytes per char, 8 chars per row
# legend: .=lmm free #=lmm allocated :=lmm partly free -=pages free P=pages allocated G=generic large s=slab partial S=slab full e=slab empty m=metadata ==odd one
0xffffc90000400000 mm..##:.
0xffffc90000408000 --PPGsSe
0xffffc90000410000 ..zz=.
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def selftest():
    """Render SELFTEST_MAP to a temporary PNG and verify it; return 0 if ok."""
    try:
        check(parse_legend("a=x y b=z ==eq") ==
              [("a", "x y"), ("b", "z"), ("=", "eq")], "legend pairs")
        title, legend, rows = parse_map(SELFTEST_MAP.splitlines(True))
        check(title.startswith("memlab map: arena"), "title")
        check(len(legend) == 11 and legend[1] == ("#", "lmm allocated"),
              "legend from file")
        check(rows[2] == "..zz=.", "short last row")
        cell, gap = 6, 1
        cv, lay = render(title, legend, rows, cell, gap)
        check(lay.texts[-1].startswith("?  unknown: z  2"), "unknown entry")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "selftest.png")
            with open(path, "wb") as f:
                f.write(encode_png(cv))
            with open(path, "rb") as f:
                w, h, raw = read_png(f.read())
        check((w, h) == (lay.width, lay.height), f"IHDR size {w}x{h}")
        check(lay.map_w == 8 * cell and lay.map_h == 3 * cell, "map area")
        check(len(raw) == h * (1 + 3 * w), "scanline bytes")
        check(all(raw[y * (1 + 3 * w)] == 0 for y in range(h)), "filter 0")

        def px(x, y):
            off = y * (1 + 3 * w) + 1 + 3 * x
            return tuple(raw[off:off + 3])
        check(px(lay.map_x, lay.map_y) == COLOURS["m"], "first cell colour")
        check(px(lay.map_x + 2 * cell, lay.map_y + 2 * cell) == UNKNOWN,
              "unknown cell grey")
        check(px(lay.map_x + cell - 1, lay.map_y) == WHITE, "cell gap")
        check(px(lay.map_x + 7 * cell, lay.map_y + 2 * cell) == WHITE,
              "short row left blank")
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
            title, legend, rows = parse_map(sys.stdin, "<stdin>")
        else:
            with open(args.input, encoding="utf-8", errors="replace") as f:
                title, legend, rows = parse_map(f, args.input)
        if not legend:
            print(f"map2png: {args.input}: no legend entries (no "
                  "'# legend:' line); characters are shown unlabelled",
                  file=sys.stderr)
        cv, _ = render(title, legend, rows, args.cell, args.gap)
        with open(args.output, "wb") as f:
            f.write(encode_png(cv))
    except MapError as e:
        print(f"map2png: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"map2png: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
