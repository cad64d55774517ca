#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot memlab in the UML kernel `make check` uses, run a
# fragmenting workload, print the before/after picture, show a request
# the pages layer refuses served by the VM allocator, run one workload on
# memlab's generic allocator and on kmalloc side by side, and draw the arena
# map and the workload's timeline (fragmentation, live bytes and latency
# histograms, from workload/samples and workload/latency) as PNGs with
# matplotlib.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$repo/out/demo"
bash "$here/deps.sh" demo || die "cannot install python3-matplotlib, which draws the pictures"
# Debian's python3-matplotlib is for Debian's python3: another python3
# first in PATH (pyenv, a venv) may not see it
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import matplotlib' 2>/dev/null; then
		py="$p"
		break
	fi
done
[ -n "$py" ] || die "no python3 that imports matplotlib (install python3-matplotlib)"
rm -rf "$out"
mkdir -p "$out"
uml_module check "$out" KUNIT=n || { cat "$out/build.log" >&2; die "memlab.ko does not build"; }
bash "$here/uml-boot.sh" "$KDIR" "$KO" "$here/guest/demo.sh" "$out" 300 ||
	die "the demo guest did not finish; see $out/console.log"
cat "$out/guest.tap"
[ ! -s "$out/guest.err" ] || sed 's/^/[guest] /' "$out/guest.err" >&2
[ -s "$out/map.txt" ] || die "no map was saved"
"$py" "$repo/tools/map2png.py" --cell 8 "$out/map.txt" "$out/map.png" ||
	die "map2png failed"
[ -s "$out/samples.csv" ] || die "no workload samples were saved"
"$py" "$repo/tools/plot_timeline.py" "$out/samples.csv" "$out/latency.csv" \
	"$out/timeline.png" --title "make demo: $(cat "$out/spec.txt")" ||
	die "plot_timeline failed"
echo
[ -s "$out/vm-summary.txt" ] && cat "$out/vm-summary.txt"
[ -s "$out/peer-summary.txt" ] && cat "$out/peer-summary.txt"
echo "arena map (text): $out/map.txt"
echo "arena map (picture): $out/map.png"
echo "workload timeline (picture): $out/timeline.png (from $out/samples.csv, $out/latency.csv)"
