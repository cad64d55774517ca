#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's demo, run inside the UML guest: load memlab, show the
# fragmentation picture before and after a fragmenting workload, save the
# arena map for tools/map2png.py and the workload's samples (sample=100:
# every layer's fragmentation every 100 operations) and latency histograms
# for tools/plot_timeline.py; then a request larger than the largest
# free block, refused by the pages layer and served by the VM allocator.
# Environment: MEMLAB_KO, MEMLAB_OUT, MEMLAB_KTAP.
set -u
. "${MEMLAB_KTAP:?}"
KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
ML=/sys/kernel/debug/memlab
SPEC="layer=mix ops=40000 seed=2026 size=16-262144 dist=log free=random hold=1 sample=100"

# The module is built with KUNIT=n (scripts/demo.sh): no suites run at load.
insmod "$KO" || die "insmod $KO failed"

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
cp $ML/workload/result "$OUT/result.txt"
cat $ML/workload/samples >"$OUT/samples.csv"
cat $ML/workload/latency >"$OUT/latency.csv"
echo "$SPEC" >"$OUT/spec.txt"
echo "--- workload/samples: $(($(wc -l <"$OUT/samples.csv") - 1)) samples (first and last below); workload/latency: $(($(wc -l <"$OUT/latency.csv") - 1)) buckets"
sed -n '1,2p;$p' "$OUT/samples.csv"

# The pages layer's weakness and the VM allocator's answer: a request
# larger than the normal zone's largest free block, refused by the pages
# layer, served by the VM allocator from scattered pages.  stack=1 keeps
# the workload's objects allocated through both runs.
echo
echo "=================== a request larger than the largest free block ==================="
row=$(grep ' normal ' $ML/pages/buddyinfo | head -n 1)
largest=$(echo "$row" | awk '{ o = -1; for (i = 5; i <= NF; i++) if ($i > 0) o = i - 5; print o }')
free_kib=$(echo "$row" | awk '{ s = 0; for (i = 5; i <= NF; i++) s += $i * 2 ^ (i - 5) * 4; print s }')
if [ "${largest:--1}" -lt 0 ]; then
	largest_kib=0
	want_kib=64
else
	largest_kib=$((4 << largest))
	want_kib=$((largest_kib * 2))
fi
# as large as it gets while the free pages still hold it with room to spare
while [ $((want_kib * 2)) -le $((free_kib * 3 / 4)) ]; do
	want_kib=$((want_kib * 2))
done
want=$((want_kib * 1024))
echo "normal zone: $free_kib KiB free in blocks, largest free block $largest_kib KiB; asking for $want_kib KiB"
value() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2"; }
PSPEC="layer=pages ops=1 size=$want stack=1"
echo ">>> echo '$PSPEC' > workload/run"
echo "$PSPEC" >$ML/workload/run
grep -E '^(ops|failures):' $ML/workload/result
pages_failed=$(value failures $ML/workload/result)
cp $ML/vm/stats "$OUT/vm-stats-before.txt"
cat $ML/vm/areas >"$OUT/vm-areas-before.txt"
VSPEC="layer=vm ops=1 size=$want stack=1 hold=1"
echo ">>> echo '$VSPEC' > workload/run"
echo "$VSPEC" >$ML/workload/run
grep -E '^(ops|failures):' $ML/workload/result
vm_failed=$(value failures $ML/workload/result)
cp $ML/vm/stats "$OUT/vm-stats-after.txt"
runs=$(( $(value runs "$OUT/vm-stats-after.txt") - $(value runs "$OUT/vm-stats-before.txt") ))
blocks=$(( $(value blocks "$OUT/vm-stats-after.txt") - $(value blocks "$OUT/vm-stats-before.txt") ))
cat $ML/vm/areas >"$OUT/vm-areas.txt"
echo "--- vm/areas: the new area ($(($(wc -l <"$OUT/vm-areas.txt") - 1)) areas in all, the mix's large sizes among them)"
head -n 1 "$OUT/vm-areas.txt"
awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen)' "$OUT/vm-areas-before.txt" \
	"$OUT/vm-areas.txt" | cut -c1-200
cat $ML/map >"$OUT/map.txt"
{
	echo "=================== summary ==================="
	if [ "${pages_failed:-0}" -ge 1 ]; then
		echo "pages refused $want_kib KiB (largest free block $largest_kib KiB, $free_kib KiB free in the normal zone)"
	else
		echo "pages did NOT refuse $want_kib KiB (largest free block $largest_kib KiB)"
	fi
	if [ "${vm_failed:-1}" -eq 0 ]; then
		echo "vm served $want_kib KiB from $runs physical runs ($blocks pages blocks)"
	else
		echo "vm did NOT serve $want_kib KiB"
	fi
	echo "the map ($OUT/map.txt) shows the VM areas' pages as 'V'"
} | tee "$OUT/vm-summary.txt"
echo shrink >$ML/workload/run
echo
THREADS="layer=mix ops=20000 seed=2026 size=16-8192 threads=4 xfree=1"
echo ">>> echo '$THREADS' > workload/run   (4 kthreads; each free on the next thread)"
echo "$THREADS" >$ML/workload/run
cat $ML/workload/result
echo shrink >$ML/workload/run
# The same workload on memlab's generic allocator and on the kernel's
# kmalloc, in the same boot: percentiles side by side.
echo
echo "=================== one workload, memlab's generic allocator beside kmalloc ==================="
PAIR="ops=40000 seed=2026 size=16-4096 dist=log"
for l in slice kmalloc; do
	echo ">>> echo 'layer=$l $PAIR' > workload/run"
	echo "layer=$l $PAIR" >$ML/workload/run
	cp $ML/workload/result "$OUT/peer-$l.txt"
done
awk '
	FNR == 1 { f++ }
	/^ops: / { v["ops", f] = $2; v["failures", f] = "" }
	/^failures: / { v["failures", f] = $2 }
	/^alloc_ns: / { v["alloc median ns", f] = $3; v["alloc p99 ns", f] = $5 }
	/^free_ns: / { v["free median ns", f] = $3; v["free p99 ns", f] = $5 }
	/^peak_live: / { v["peak live bytes (requested)", f] = $2 }
	/^peer_granted_peak: / { v["peak granted bytes", f] = $2 }
	/^peer_slab_peak: / { v["peak slab pages (system-wide rise)", f] = $2 }
	END {
		n = split("ops,failures,alloc median ns,alloc p99 ns,free median ns,free p99 ns,peak live bytes (requested),peak granted bytes,peak slab pages (system-wide rise)", k, ",")
		printf "%-36s %14s %14s\n", "", "memlab slice", "kmalloc"
		for (i = 1; i <= n; i++)
			printf "%-36s %14s %14s\n", k[i], (k[i], 1) in v ? v[k[i], 1] : "-", (k[i], 2) in v ? v[k[i], 2] : "-"
	}' "$OUT/peer-slice.txt" "$OUT/peer-kmalloc.txt" | tee "$OUT/peer-summary.txt"
{
	grep '^peer_slab_peak' "$OUT/peer-kmalloc.txt" | sed 's/^[^(]*(/(slab pages: /'
	echo "(this kernel has KASAN and kmemleak: each kmalloc saves its stack for them, which"
	echo " memlab's allocations do not; make bench compares on a kernel without them)"
} | tee -a "$OUT/peer-summary.txt"
rmmod memlab
