#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-smp`: memlab_bench.ko's thread-scaling case (1, 2 and 4
# threads, each on a CPU of its own, local and remote frees) on Debian's
# stock 6.12 kernel under QEMU with 4 CPUs: a non-debug SMP kernel, as on a
# dev box.  QEMU emulates the CPUs in software (multi-threaded TCG), which
# distorts absolute costs: read the ratios of one boot, not the nanoseconds.
# MEMLAB_BENCH_ARGS overrides memlab_bench.ko's parameters (default
# "cases=scale"); the table goes to out/bench-smp/table.txt.  With
# MEMLAB_QEMU_PERF=1 the guest runs the benchmark under the host's perf
# (Debian's linux-perf) and leaves its profile in out/bench-smp/perf-*.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$repo/out/bench-smp"
rm -rf "$out"
mkdir -p "$out"
printf '%s\n' "${MEMLAB_BENCH_ARGS:-cases=scale}" >"$out/bench-args"
rc=0
MEMLAB_QEMU_GUEST="$here/guest/bench.sh" MEMLAB_QEMU_TIMEOUT="${MEMLAB_QEMU_TIMEOUT:-900}" \
	bash "$here/qemu-check.sh" 6.12 "$out" || rc=$?
bench="$out/guest/bench.txt"
[ -f "$bench" ] && grep -q '^end' "$bench" ||
	die "the benchmark did not complete (status $rc); see $out/console.log and $out/results.tap"
{
	echo "memlab bench-smp, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "Debian stock kernel under QEMU TCG, 4 vCPUs; host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "software emulation: compare the ratios of this boot, not the absolute ns."
	echo "ratio = memlab / peer per pair of alternating repetitions, median (min-max) over all runs;"
	echo "below 1.00 memlab is faster; inconclusive: the runs' median ratios lie on both sides of 1.00."
	grep -v '^begin\|^end' "$bench"
} | tee "$out/table.txt"
log "table written to $out/table.txt"
for f in perf-report.txt perf-callers.txt perf-dso.txt perf-script.txt perf-modules.txt; do
	[ ! -f "$out/guest/$f" ] || { cp "$out/guest/$f" "$out/$f"; log "profile: $out/$f"; }
done
# Under TCG an instruction that crosses a 4 KiB page starts a translation
# block QEMU never chains to: each pass through it goes back to QEMU's main
# loop, and the timer's samples pile up there.  Say how much of memlab.ko's
# profile (perf-script.txt: samples per instruction, the 300 busiest) sits
# on the last 15 bytes of a page, where such instructions start.
if [ -f "$out/perf-script.txt" ] && [ -f "$out/perf-modules.txt" ]; then
	python3 - "$out/perf-modules.txt" "$out/perf-script.txt" <<'EOF' | tee "$out/perf-page-edges.txt"
import sys
lo = hi = 0
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == 'memlab':
        lo = int(f[-2], 16)
        hi = lo + int(f[1])
total = edge = 0
where = []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) < 3 or not f[1].startswith('ffff'):
        continue
    n, ip = int(f[0]), int(f[1], 16)
    if not lo <= ip < hi:
        continue
    total += n
    if ip % 4096 >= 4096 - 15:
        edge += n
        where.append('%s at page offset %#x: %d' % (f[2], ip % 4096, n))
if total:
    print('memlab.ko: %d samples, %d (%.0f%%) on the last 15 bytes of a 4 KiB page (%s)'
          % (total, edge, 100.0 * edge / total, ', '.join(where) or 'none'))
EOF
fi
