#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: memlab beside the kernel's own allocators in one boot of a
# UML kernel built without debugging options (no KASAN, lockdep, kmemleak,
# DEBUG_VM, SLUB_DEBUG), which change costs by large and uneven factors.
# memlab.ko is loaded, then memlab_bench.ko with $MEMLAB_BENCH_ARGS (e.g.
# "runs=5 cases=lmm,pages"; see modinfo memlab_bench.ko).  Prints the table
# and writes it to out/bench/table.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$repo/out/bench"
rm -rf "$out"
mkdir -p "$out"
uml_module bench "$out" || { cat "$out/build.log" >&2; die "memlab.ko does not build"; }
# the guest reads memlab_bench.ko's parameters from the shared out directory
printf '%s\n' "${MEMLAB_BENCH_ARGS:-}" >"$out/bench-args"
# UML backs every kernel mapping with a host mmap: the vmalloc and vm rows
# (4 MiB areas, a lazy purge behind them) can pass the host's default of
# 65530 maps per process, and UML then dies "out of memory on the host
# side" (seen at a VM row of the second run).  Raise it when we may.
maps=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
if [ "$maps" -lt 1048576 ]; then
	if sysctl -q -w vm.max_map_count=1048576 2>/dev/null; then
		log "vm.max_map_count $maps -> 1048576 for UML's mappings"
	else
		log "vm.max_map_count is $maps and cannot be raised here: the VM rows may kill UML"
	fi
fi
log "running the benchmarks (a few minutes)"
MEMLAB_UML_MEM=1G bash "$here/uml-boot.sh" "$KDIR" "$KO" \
	"$here/guest/bench.sh" "$out" 900 || die "the bench guest did not finish; see $out/console.log"
grep -q '^end' "$out/bench.txt" || die "the benchmark did not complete; see $out/console.log"
{
	echo "memlab bench, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "UML kernel $(basename "$KDIR"); host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "ratio = memlab / peer per pair of alternating repetitions, median (min-max) over all runs;"
	echo "below 1.00 memlab is faster; inconclusive: the runs' median ratios lie on both sides of 1.00."
	echo "* gen_pool has no address-range constraint: alignment only"
	grep -v '^begin\|^end' "$out/bench.txt"
} | tee "$out/table.txt"
# the goals of Documentation/benchmarks.rst, judged on this table alone
python3 "$here/bench-goals.py" "$out/table.txt" | tee -a "$out/table.txt"
log "table written to $out/table.txt"
