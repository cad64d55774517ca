#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's demo, run inside the UML guest: load memlab, show the
# fragmentation picture before and after a fragmenting workload, save the
# arena map for tools/map2png.py.  Environment: MEMLAB_KO, MEMLAB_OUT.

KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
ML=/sys/kernel/debug/memlab
SPEC="layer=mix ops=40000 seed=2026 size=16-262144 dist=log free=random hold=1"

# KUnit suites are not the point here: skip them.
[ -w /sys/module/kunit/parameters/filter_glob ] &&
	echo "memlab_demo_none" >/sys/module/kunit/parameters/filter_glob
insmod "$KO" || { echo "insmod failed"; exit 1; }

show() { # show <title>
	echo "=================== $1 ==================="
	echo "--- pages/buddyinfo (free blocks per order 0..10)"
	cat $ML/pages/buddyinfo
	echo "--- pages/unusable_index (per order)"
	cat $ML/pages/unusable_index
	echo "--- lmm/fragments"
	cat $ML/lmm/fragments
	echo "--- slice/slabinfo (pools with objects)"
	awk 'NR == 1 || $2 > 0' $ML/slice/slabinfo | cut -c1-100
}

echo "arena: $(grep -E '^(backing|size)' $ML/arena | tr '\n' ' ')"
show "before"
echo
echo ">>> echo '$SPEC' > workload/run"
echo "$SPEC" >$ML/workload/run
cat $ML/workload/result
echo
show "after (the workload's objects still held)"
cat $ML/map >"$OUT/map.txt"
cp $ML/workload/result "$OUT/result.txt"
echo shrink >$ML/workload/run
echo
THREADS="layer=mix ops=20000 seed=2026 size=16-8192 threads=4 xfree=1"
echo ">>> echo '$THREADS' > workload/run   (4 kthreads; each free on the next thread)"
echo "$THREADS" >$ML/workload/run
cat $ML/workload/result
echo shrink >$ML/workload/run
rmmod memlab
