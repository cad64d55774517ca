#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot memlab in the UML kernel `make check` uses, run a
# fragmenting workload, print the before/after picture, show a request
# the pages layer refuses served by the VM allocator, run one workload on
# memlab's generic allocator and on kmalloc side by side, and turn the arena
# map into a PNG.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$repo/out/demo"
rm -rf "$out"
mkdir -p "$out"
uml_module check "$out" || { cat "$out/build.log" >&2; die "memlab.ko does not build"; }
bash "$here/uml-boot.sh" "$KDIR" "$KO" "$here/guest/demo.sh" "$out" 300 ||
	die "the demo guest did not finish; see $out/console.log"
cat "$out/guest.tap"
[ -s "$out/map.txt" ] || die "no map was saved"
python3 "$repo/tools/map2png.py" "$out/map.txt" "$out/map.png" ||
	die "map2png failed"
echo
[ -s "$out/vm-summary.txt" ] && cat "$out/vm-summary.txt"
[ -s "$out/peer-summary.txt" ] && cat "$out/peer-summary.txt"
echo "arena map (text): $out/map.txt"
echo "arena map (picture): $out/map.png"
