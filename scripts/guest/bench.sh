#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's benchmark run inside the bench UML guest: load with bench=1 and
# keep the table lines.  Environment: MEMLAB_KO, MEMLAB_OUT, MEMLAB_BENCH_ARGS.
KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
dmesg -C
# shellcheck disable=SC2086
insmod "$KO" bench=1 ${MEMLAB_BENCH_ARGS:-arena_size=256M} || echo "insmod failed"
dmesg | sed -n 's/^.*memlab-bench: //p' >"$OUT/bench.txt"
# the kernel's kmalloc caches and memlab's size classes, same boot, for the waste comparison
grep -E '^(# name|kmalloc-[0-9]+k? )' /proc/slabinfo >"$OUT/proc-slabinfo.txt" 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
cat /sys/kernel/debug/memlab/slice/slabinfo >"$OUT/memlab-slabinfo.txt" 2>/dev/null
rmmod memlab
