#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: memlab beside the kernel's own allocators in one boot of a
# UML kernel built without debugging options (no KASAN, lockdep, kmemleak,
# DEBUG_VM, SLUB_DEBUG), which change costs by large and uneven factors.
# Prints the table and writes it to out/bench/table.txt.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$repo/out/bench"
rm -rf "$out"
mkdir -p "$out"
uml_module bench "$out" || { cat "$out/build.log" >&2; die "memlab.ko does not build"; }
log "running the benchmarks (about a minute)"
MEMLAB_UML_MEM=1G bash "$here/uml-boot.sh" "$KDIR" "$KO" \
	"$here/guest/bench.sh" "$out" 900 || die "the bench guest did not finish; see $out/console.log"
grep -q '^end' "$out/bench.txt" || die "the benchmark did not complete; see $out/console.log"
{
	echo "memlab bench, $(date -u +%Y-%m-%d), UML $(basename "$KDIR"), host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "ratio = memlab / peer (below 1.00: memlab is faster); * gen_pool has no address-range constraint: alignment only"
	grep -v '^begin\|^end' "$out/bench.txt"
} | tee "$out/table.txt"
log "table written to $out/table.txt"
