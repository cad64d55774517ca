#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's benchmark run inside a guest (the bench UML kernel, or Debian's
# stock kernel under QEMU for `make bench-smp`): load memlab.ko (a small
# arena: the benchmark builds its own stack), then memlab_bench.ko, and keep
# the table lines; one KTAP result says whether it ran to the end.
# Environment: MEMLAB_KO, MEMLAB_OUT, MEMLAB_KTAP; memlab_bench.ko's
# parameters are in $MEMLAB_OUT/bench-args (UML, where scripts/bench.sh
# writes them) or /bench-args (QEMU, packed by scripts/qemu-lib.sh).
set -u
. "${MEMLAB_KTAP:?}"
KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
ktap_print_header
ktap_set_plan 1
dmesg -C
insmod "$KO" arena_size=16M || ktap_print_msg "insmod memlab.ko failed"
args="$OUT/bench-args"
[ -f "$args" ] || args=/bench-args
# shellcheck disable=SC2046
if [ -f /perf-profile ] && [ -x /bin/perf ]; then
	# MEMLAB_QEMU_PERF=1 packed perf and the marker (the UML guest's root
	# is the host's, perf included, but its kernel has no perf events):
	# sample every CPU (the timer-driven cpu-clock event; TCG has no
	# hardware counters) while the benchmark runs, and report before
	# rmmod, while /proc/kallsyms still names the module's functions.
	perf record -q -e cpu-clock -F 4000 -a -g -o /tmp/perf.data -- \
		insmod "${KO%/*}/memlab_bench.ko" $(cat "$args" 2>/dev/null) ||
		ktap_print_msg "insmod memlab_bench.ko under perf failed"
	perf report -i /tmp/perf.data --stdio --no-children --sort dso,sym \
		--percent-limit 0.3 -g none >"$OUT/perf-report.txt" 2>&1
	perf report -i /tmp/perf.data --stdio --no-children --sort dso -g none >"$OUT/perf-dso.txt" 2>&1
	grep memlab /proc/modules >"$OUT/perf-modules.txt"
	perf script -i /tmp/perf.data -G -F ip,sym,dso 2>&1 | sort | uniq -c | sort -rn | head -300 >"$OUT/perf-script.txt"
	perf report -i /tmp/perf.data --stdio --no-children --sort sym \
		--percent-limit 2 -g caller,0.5,callee --max-stack 6 >"$OUT/perf-callers.txt" 2>&1
else
	insmod "${KO%/*}/memlab_bench.ko" $(cat "$args" 2>/dev/null) ||
		ktap_print_msg "insmod memlab_bench.ko failed"
fi
dmesg | sed -n 's/^.*memlab-bench: //p' >"$OUT/bench.txt"
rmmod memlab_bench
# the kernel's kmalloc caches and memlab's size classes, same boot, for the waste comparison
grep -E '^(# name|kmalloc-[0-9]+k? )' /proc/slabinfo >"$OUT/proc-slabinfo.txt" 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
cat /sys/kernel/debug/memlab/slice/slabinfo >"$OUT/memlab-slabinfo.txt" 2>/dev/null
rmmod memlab
ktap_test_result "memlab_bench ran to the end" grep -q '^end' "$OUT/bench.txt"
ktap_finished
