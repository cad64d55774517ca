#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's guest checks: run inside a test kernel (UML or QEMU), as root, with
# debugfs mounted.  Prints one TAP-style line per check ("ok - ..." or
# "not ok - ...") on stdout; the host counts them.
#
# Environment: MEMLAB_KO (path of memlab.ko), MEMLAB_OUT (a directory the
# host reads afterwards), MEMLAB_ENV (uml, stock or x86).

KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
DBG=/sys/kernel/debug
ML=$DBG/memlab

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { # check <description> <command...>
	desc="$1"
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else notok "$desc"; fi
}
loaded() { [ -d /sys/module/memlab ]; }

W=$ML/workload
run() { # run <description> <spec>
	if echo "$2" >$W/run 2>/dev/null && grep -q "^ops: " $W/result; then
		ok "workload $1: $(grep '^ops:' $W/result), $(grep '^failures:' $W/result)"
		cp $W/result "$OUT/workload-$1.txt"
	else
		notok "workload $1 ($2)"
	fi
}
badrun() { # badrun <spec>: refused, previous result untouched
	before="$(md5sum <$W/result)"
	if echo "$1" >$W/run 2>/dev/null; then
		notok "workload refuses '$1'"
	elif [ "$(md5sum <$W/result)" != "$before" ]; then
		notok "workload refuses '$1' without touching the result"
	else
		ok "workload refuses '$1'"
	fi
}
good() { # good <expected line in arena> <params...>
	want="$1"
	shift
	if insmod "$KO" "$@" 2>/dev/null && grep -q "$want" $ML/arena; then
		ok "insmod $* works, arena shows '$want'"
	else
		notok "insmod $* works, arena shows '$want'"
	fi
	loaded && rmmod memlab
}
bad() { # bad <params...>
	dmesg -c >/dev/null
	if insmod "$KO" "$@" 2>/dev/null; then
		notok "insmod $* refused"
		rmmod memlab
		return
	fi
	if loaded; then
		notok "insmod $* refused and unloaded"
	elif dmesg | grep -q "memlab: .*refused: "; then
		ok "insmod $* refused: $(dmesg | grep -o 'refused: .*' | head -n 1 | sed 's/^refused: //')"
	else
		notok "insmod $* refused with a message"
	fi
}

# --- default load: KUnit suites run inside this insmod -----------------------
# Milliseconds since boot: busybox's date has no %N.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t0=$(now_ms)
# kunit_slow=1: the stress, differential and measurement cases run too.
if insmod "$KO" kunit_slow=1; then ok "insmod memlab.ko kunit_slow=1 (defaults otherwise)"; else notok "insmod memlab.ko kunit_slow=1"; fi
t1=$(now_ms)
echo "# first insmod (KUnit suites included) took $((t1 - t0)) ms"

if [ -d $DBG/kunit ]; then
	for d in $DBG/kunit/memlab_*; do
		[ -f "$d/results" ] && cat "$d/results" >"$OUT/kunit-${d##*/}.ktap"
	done
fi

# Every debugfs file must be readable, and non-empty.
if [ -d $ML ]; then
	# A copy of each file lands in $OUT/debugfs/ for people to look at.
	for f in $(find $ML -type f -perm -400); do
		copy="$OUT/debugfs/${f#$ML/}"
		mkdir -p "${copy%/*}"
		if cat "$f" >"$copy" 2>/dev/null && [ -s "$copy" ]; then
			ok "read ${f#$DBG/}"
		else
			notok "read ${f#$DBG/}"
		fi
	done
	# Files that show kernel addresses are for root only (defect 11).
	for f in arena lmm/regions map; do
		mode=$(stat -c %a $ML/$f 2>/dev/null)
		if [ "$mode" = 400 ]; then
			ok "$f shows kernel addresses: mode 0400"
		else
			notok "$f shows kernel addresses: mode 0400 (is 0$mode)"
		fi
	done
	cat $ML/arena >"$OUT/arena-default.txt"
	check "arena reports backing vmalloc" grep -qx "backing: vmalloc" $ML/arena
	check "arena reports 16 MiB" grep -q "^size: 16777216 " $ML/arena
	check "vm/stats names the instance" grep -qx "instance: memlab" $ML/vm/stats
	check "vm/areas is root-only like /proc/vmallocinfo" test "$(stat -c %a $ML/vm/areas)" = 400
else
	notok "debugfs directory memlab exists"
fi

# What the other environments cover, the x86 debug kernel (four emulated
# CPUs with KASAN, lockdep and RT, some 20 times slower) skips: knobs,
# workloads, parameters.  It runs the KUnit suites and its own SMP checks.
if [ "$MEMLAB_ENV" != x86 ]; then

# --- knobs: good values stick, bad ones are refused and change nothing ------
K=$ML/knobs
knob() { # knob <name> <good value> <bad value>...
	name="$1" good="$2"
	shift 2
	before="$(cat $K/$name)"
	if echo "$good" >$K/$name 2>/dev/null && [ "$(cat $K/$name)" = "$good" ]; then
		ok "knob $name accepts '$good'"
	else
		notok "knob $name accepts '$good' (reads '$(cat $K/$name)')"
	fi
	for v in "$@"; do
		now="$(cat $K/$name)"
		if echo "$v" >$K/$name 2>/dev/null; then
			notok "knob $name refuses '$v'"
		elif [ "$(cat $K/$name)" != "$now" ]; then
			notok "knob $name refuses '$v' without change"
		else
			ok "knob $name refuses '$v', value unchanged"
		fi
	done
	echo "$before" >$K/$name 2>/dev/null
}
if [ -d $K ]; then
	knob lmm_policy linear slow 1 ""
	knob lmm_policy best_fit fast2
	knob lmm_debug 0 maybe 2
	# hold some objects: the main pool then has live allocations (pages blocks)
	# and the slice pools hold slabs, so the next two settings must be refused
	echo "layer=slice ops=200 seed=1 size=64 hold=1" >$ML/workload/run
	if echo 1 >$K/lmm_debug 2>/dev/null; then
		notok "knob lmm_debug refuses 1 while LMM allocations are live"
	else
		ok "knob lmm_debug refuses 1 while LMM allocations are live (EBUSY)"
	fi
	knob pages_debug 1 x
	knob pages_reserve 2 65 -1 abc
	knob slice_debug poison purple 7 redzone
	echo free >$ML/workload/run
	knob map_bytes_per_char 1024 0 100 99999999999
	knob fail_lmm_every 1000 -3 x
	knob fail_lmm_permille 5 1001 -1
	knob fail_pages_every 50 z 1.5
	knob fail_pages_permille 10 1001 x
	knob fail_slice_every 7 y
	knob fail_slice_permille 0 2000
else
	notok "debugfs knobs directory exists"
fi

# --- workloads, one per layer, and a replay of the sample trace ---------------
if [ -d $W ]; then
	run lmm "layer=lmm ops=20000 seed=7 size=16-8192 dist=log free=random align=4"
	run lmm-range "layer=lmm ops=5000 seed=8 size=64 align=6 range=1M-3M free=fifo"
	run pages "layer=pages ops=20000 seed=7 size=4096-65536 free=lifo"
	run slice "layer=slice ops=20000 seed=7 size=8-4096 free=keep:500"
	run mix "layer=mix ops=20000 seed=9 size=16-16384 dist=log"
	run vm "layer=vm ops=2000 seed=7 size=4096-524288"
	check "workload vm: every area freed, vm/stats counts the run" \
		sh -c "grep -qx 'areas: 0' $ML/vm/stats && [ \$(sed -n 's/^allocs: //p' $ML/vm/stats) -gt 0 ]"
	run lmm-small "layer=lmm ops=2000 seed=1"
	echo 10 >$K/fail_slice_every
	run slice-faults "layer=slice ops=5000 seed=3 size=32"
	echo 0 >$K/fail_slice_every
	injected=$(awk '$1 == "slice" { print $5 }' $ML/fault/counters)
	failed=$(sed -n 's/^failures: //p' $W/result)
	if [ "${injected:-0}" -gt 0 ] && [ "${failed:-0}" -ge "$injected" ]; then
		ok "fault injection: every 10th slice allocation fails and is counted"
	else
		notok "fault injection: every 10th slice allocation fails and is counted"
	fi
	for i in 1 2; do
		echo "layer=mix ops=5000 seed=42 size=16-8192" >$W/run
		grep -E '^(ops|failures|peak_live|live_at_end):' $W/result >"$OUT/seed$i.txt"
	done
	check "same seed, same operations" cmp -s "$OUT/seed1.txt" "$OUT/seed2.txt"
	# the kernel's allocators as peers: a seed that runs without a failure on
	# memlab does the same operations on kmalloc / alloc_pages
	peer() { # peer <name> <memlab spec> <peer spec>
		counts() { grep -E '^(ops|failures|live_at_end):' $W/result; }
		if echo "$2" >$W/run 2>/dev/null && counts >"$OUT/peer-$1-memlab.txt" &&
		   echo "$3" >$W/run 2>/dev/null && counts >"$OUT/peer-$1-kernel.txt" &&
		   cp $W/result "$OUT/workload-peer-$1.txt" &&
		   grep -qx 'failures: 0' "$OUT/peer-$1-memlab.txt" &&
		   cmp -s "$OUT/peer-$1-memlab.txt" "$OUT/peer-$1-kernel.txt"; then
			ok "peer $1: '$3' does what '$2' does: $(grep '^ops:' $W/result), 0 failures"
		else
			notok "peer $1: '$3' does what '$2' does ($(tr '\n' ' ' <"$OUT/peer-$1-kernel.txt"))"
		fi
	}
	peer kmalloc "layer=slice ops=20000 seed=31 size=8-4096 dist=log" \
		"layer=kmalloc ops=20000 seed=31 size=8-4096 dist=log"
	peer pages_kernel "layer=pages ops=20000 seed=32 size=4K-32K free=keep:500" \
		"layer=pages_kernel ops=20000 seed=32 size=4K-32K free=keep:500"
	peer kmalloc-threads "layer=slice ops=5000 seed=33 size=16-2048 threads=4 xfree=1" \
		"layer=kmalloc ops=5000 seed=33 size=16-2048 threads=4 xfree=1"
	peer pages_kernel-threads "layer=pages ops=5000 seed=34 size=4K-16K threads=2" \
		"layer=pages_kernel ops=5000 seed=34 size=4K-16K threads=2"
	check "peer kmalloc reports its footprint and how it was measured" \
		grep -q '^peer_slab_peak: [0-9]* pages (NR_SLAB_UNRECLAIMABLE_B' "$OUT/workload-peer-kmalloc.txt"
	echo 10 >$K/fail_slice_every
	echo 10 >$K/fail_pages_every
	check "memlab's fault injection leaves the kernel peers alone" sh -c "
		echo 'layer=kmalloc ops=2000 seed=3' >$W/run && grep -qx 'failures: 0' $W/result &&
		echo 'layer=pages_kernel ops=2000 seed=3 size=4K-16K' >$W/run &&
		grep -qx 'failures: 0' $W/result"
	echo 0 >$K/fail_slice_every
	echo 0 >$K/fail_pages_every
	badrun "layer=kmalloc hold=1"
	badrun "layer=pages_kernel low=1"
	badrun "layer=slab"
	badrun "layer=lmm ops=0"
	badrun "layer=lmm ops=abc"
	badrun "layer=pages align=3"
	badrun "layer=lmm size=0"
	badrun "layer=lmm free=keep:0"
	badrun "ops=100"
	badrun "layer=lmm bogus=1"
	# trace: a bad line refuses the whole chunk
	if [ -f "$MEMLAB_TRACE" ]; then
		if cat "$MEMLAB_TRACE" >$W/trace 2>/dev/null && grep -q "^live_at_end: 0" $W/trace; then
			ok "trace accepted: $(grep '^operations:' $W/trace)"
		else
			notok "sample trace accepted"
		fi
		run replay-slice "replay layer=slice"
		run replay-lmm "replay layer=lmm"
		n="$(grep '^operations:' $W/trace)"
		if printf 'alloc 900000 64\nfree 900001\n' >>$W/trace 2>/dev/null; then
			notok "trace refuses a free of an unknown id"
		elif [ "$(grep '^operations:' $W/trace)" = "$n" ]; then
			ok "trace refuses a free of an unknown id, chunk dropped"
		else
			notok "trace refuses a free of an unknown id without change"
		fi
		if printf 'alloc 1 nonsense\n' >>$W/trace 2>/dev/null; then
			notok "trace refuses a malformed line"
		else
			ok "trace refuses a malformed line"
		fi
	fi
	# the real trace (tools/testing/data/README.md): on every layer and on
	# the kernel's; each allocation is tried, what succeeded is freed.  Not
	# on vm alone: a mapped area for each of 17470 mostly tiny objects takes
	# 30 s in UML and says nothing (mix sends the large ones to vm).
	if [ -f "$MEMLAB_REAL_TRACE" ]; then
		if zcat "$MEMLAB_REAL_TRACE" >$W/trace 2>/dev/null && grep -q "^live_at_end: 0" $W/trace; then
			ok "real trace accepted: $(grep '^operations:' $W/trace)"
		else
			notok "real trace $MEMLAB_REAL_TRACE accepted"
		fi
		allocs=$(sed -n 's/^allocs: //p' $W/trace)
		for l in lmm pages slice mix kmalloc pages_kernel; do
			if echo "replay layer=$l" >$W/run 2>/dev/null &&
			   cp $W/result "$OUT/workload-real-$l.txt" &&
			   awk -v want="$allocs" '
				/^ops: / { a = $4 + 0; f = $6 + 0 }
				/^failures: / { x = $2 }
				/^live_at_end: / { l = $2 }
				END { exit !(a == want && f == a - x && l == 0) }' $W/result; then
				ok "real trace replayed on $l: $(grep '^ops:' $W/result), $(grep '^failures:' $W/result), $(grep '^alloc_ns:' $W/result)"
			else
				notok "real trace replayed on $l ($(grep -E '^(ops|failures):' $W/result | tr '\n' ' '))"
			fi
		done
		for l in lmm slice kmalloc; do
			check "real trace on $l: no failure" grep -qx 'failures: 0' "$OUT/workload-real-$l.txt"
		done
		ops_of() { grep '^ops:' "$OUT/workload-real-$1.txt"; }
		check "real trace: kmalloc does the operations slice does ($(ops_of kmalloc))" \
			test "$(ops_of slice)" = "$(ops_of kmalloc)"
		: >$W/trace
	else
		notok "real trace present (MEMLAB_REAL_TRACE=$MEMLAB_REAL_TRACE)"
	fi
	# a long run: a reader of result returns at once, a trace writer waits for
	# the run instead of failing with EBUSY, and a signal stops the run (a
	# background job ignores SIGINT in a script, so SIGTERM stands for Ctrl-C)
	echo "layer=mix ops=2000000 seed=3 size=16-2048 free=keep:2000" >$W/run 2>/dev/null &
	runpid=$!
	sleep 1
	if cat $W/result >"$OUT/result-during-run.txt" 2>/dev/null && kill -0 $runpid 2>/dev/null &&
	   grep -q "^running: " "$OUT/result-during-run.txt"; then
		ok "workload/result read during a run returns at once, with a running: line"
	else
		notok "workload/result read during a run returns at once, with a running: line"
	fi
	n0=$(sed -n 's/^operations: //p' $W/trace)
	printf 'alloc 900042 64\n' >>$W/trace 2>/dev/null &
	tracepid=$!
	sleep 1
	if kill -0 $tracepid 2>/dev/null; then
		ok "a trace write during a run waits for it"
	else
		notok "a trace write during a run waits for it (it returned at once)"
	fi
	t0=$(now_ms)
	kill -TERM $runpid 2>/dev/null
	wait $runpid
	t1=$(now_ms)
	ms=$((t1 - t0))
	if grep -q "^interrupted: " $W/result && [ "$ms" -lt 5000 ]; then
		ok "SIGTERM stops a 2M-operation run in $ms ms: $(grep '^interrupted:' $W/result)"
	else
		notok "SIGTERM stops a 2M-operation run ($ms ms; $(grep '^ops:' $W/result))"
	fi
	if wait $tracepid && [ "$(sed -n 's/^operations: //p' $W/trace)" = "$((n0 + 1))" ]; then
		ok "the waiting trace write went in after the run"
	else
		notok "the waiting trace write went in after the run"
	fi
	printf 'free 900042\n' >>$W/trace 2>/dev/null
	# concurrent workloads: 4 kthreads, every free done by the next thread
	# (on one CPU, UML, the threads interleave and "another CPU" stays 0)
	run threads-xfree "layer=mix ops=10000 seed=11 size=16-4096 threads=4 xfree=1"
	if awk '
		/^ops: / { ops = $2; a = $4 + 0; f = $6 + 0 }
		/^xfree: / { x = $2 }
		/^thread / { t = 1; next }
		/^when / { t = 0 }
		t && /^[0-9]+ / { so += $3; sa += $4; sf += $5; n++ }
		END { exit !(n == 4 && ops == 40000 && so == ops && sa == a && sf == f && x == f) }
	' $W/result; then
		ok "threads=4 xfree=1: 4 rows add up to the totals, every free on another thread ($(grep '^xfree:' $W/result))"
	else
		notok "threads=4 xfree=1: 4 rows add up to the totals, every free on another thread"
	fi
	if [ "$(grep -c '^processor' /proc/cpuinfo)" -ge 2 ]; then
		if awk '/^xfree: / { exit !($11 > 0) }' $W/result; then
			ok "threads=4 xfree=1 on SMP: frees happen on another CPU"
		else
			notok "threads=4 xfree=1 on SMP: frees happen on another CPU ($(grep '^xfree:' $W/result))"
		fi
	fi
	run threads-keep "layer=slice ops=10000 seed=12 size=8-1024 free=keep:300 threads=2"
	badrun "layer=lmm threads=0"
	badrun "layer=lmm threads=65"
	badrun "layer=lmm xfree=1"
	badrun "layer=lmm threads=4 ops=500001"
	# free everything: after a shrink, every byte is back in the LMM
	run hold "layer=slice ops=3000 seed=5 size=8-2048 hold=1"
	grep -q "^held: " $W/result
	check "hold=1 keeps objects allocated" grep -q "^held: " $W/result
	cp $ML/map "$OUT/map-held.txt"
	# lmm/regions is read in chunks: on a quiet pool it still lists every extent
	echo free >$W/run
	echo "layer=lmm ops=60000 seed=3 size=16-48 free=random hold=1" >$W/run
	n1=$(grep -c '^  free ' $ML/lmm/regions)
	n2=$(sed -n 's/^free_extents: //p' $ML/lmm/stats)
	if [ "$n1" = "$n2" ] && [ "${n2:-0}" -gt 256 ]; then
		ok "lmm/regions lists all $n2 free extents of a fragmented pool"
	else
		notok "lmm/regions lists all free extents ($n1 listed, lmm/stats says $n2)"
	fi
	echo free >$W/run
	echo shrink >$W/run
	size=$(sed -n 's/^size: \([0-9]*\) .*/\1/p' $ML/arena)
	if grep -qx "free_bytes: $size" $ML/lmm/stats; then
		ok "after free everything + shrink, all $size bytes are back in the LMM"
	else
		notok "after free everything + shrink, all memory back in the LMM ($(grep free_bytes $ML/lmm/stats))"
	fi
else
	notok "debugfs workload directory exists"
fi
for f in lmm/stats lmm/fragments pages/buddyinfo pages/stats slice/slabinfo slice/stats fault/counters map; do
	cp $ML/$f "$OUT/debugfs/$f.after" 2>/dev/null
done
[ -r /proc/slabinfo ] && grep -E '^(kmalloc-[0-9]+|# name)' /proc/slabinfo >"$OUT/proc-slabinfo.txt"

fi # MEMLAB_ENV != x86

check "rmmod memlab" rmmod memlab
check "memlab gone after rmmod" sh -c '! test -d /sys/module/memlab'

if [ "$MEMLAB_ENV" != x86 ]; then
# A plain load on a KUnit kernel runs the fast cases only: it must stay quick.
if [ -d $DBG/kunit ]; then
	t0=$(now_ms)
	insmod "$KO"
	t1=$(now_ms)
	ms=$((t1 - t0))
	limit=2000
	if loaded && [ "$ms" -lt $limit ]; then
		ok "plain insmod with its KUnit suites (slow cases skipped) took $ms ms (< $limit)"
	else
		notok "plain insmod with its KUnit suites took $ms ms (limit $limit)"
	fi
	loaded && rmmod memlab
fi
# Later loads need not rerun the suites.
[ -w /sys/module/kunit/parameters/filter_glob ] &&
	echo "memlab_no_such_suite" >/sys/module/kunit/parameters/filter_glob

# --- good non-default parameters ---------------------------------------------
good "^size: 67108864 " arena_size=64M
good "^physical extents: 1$" backing=pages arena_size=4M
good "^size: 2097152 " backing=vmalloc arena_size=0x200000
good "^size: 1048576 " arena_size=1M low_size=0
good "^size: 16777216 " lmm_debug=1 lmm_policy=linear slice_debug=poison,redzone pages_debug=1 fail_lmm_every=0
# Small arenas: the load lowers the pages max order until every zone holds
# a block, so every layer can allocate (once every allocation failed).
small() { # small <params...>
	dmesg -c >/dev/null
	if ! insmod "$KO" "$@" 2>/dev/null; then
		notok "insmod $* (small arena) loads"
		return
	fi
	f=""
	for spec in "layer=slice ops=400 seed=2 size=64" "layer=pages ops=400 seed=2 size=4096-16384 free=lifo" \
		    "layer=slice ops=400 seed=3 size=1024-4096"; do
		if ! echo "$spec" >$ML/workload/run 2>/dev/null; then
			f="$f [$spec: refused]"
		elif ! grep -q "^failures: 0$" $ML/workload/result; then
			f="$f [$spec: $(grep '^failures:' $ML/workload/result)]"
		fi
	done
	if [ -z "$f" ]; then
		ok "insmod $*: slice and pages workloads allocate without a failure$(dmesg | grep -o ': pages_max_order lowered from [0-9]* to [0-9]*' | head -n 1)"
	else
		notok "insmod $*: every layer can allocate:$f"
	fi
	rmmod memlab
}
small arena_size=4M
small backing=pages arena_size=4M
small arena_size=1M low_size=0
small arena_size=6M
small arena_size=8M
dmesg -c >/dev/null
insmod "$KO" arena_size=8M 2>/dev/null
check "arena_size=8M: the load says the max order went from 10 to 9 for the 2 MiB low zone" \
	sh -c 'dmesg | grep -q "pages_max_order lowered from 10 to 9"'
loaded && rmmod memlab
if insmod "$KO" lmm_policy=best_fit map_bytes_per_char=256 && grep -qx best_fit $ML/knobs/lmm_policy &&
   grep -q "256 bytes per char" $ML/map; then
	ok "knob module parameters lmm_policy=best_fit map_bytes_per_char=256 take effect"
else
	notok "knob module parameters lmm_policy=best_fit map_bytes_per_char=256 take effect"
fi
loaded && rmmod memlab
# The map is rendered row by row; its size is bounded (at most 4M cells).
if insmod "$KO" arena_size=128M; then
	if echo 16 >$ML/knobs/map_bytes_per_char 2>/dev/null; then
		notok "map_bytes_per_char=16 on a 128 MiB arena (8M cells) refused"
	else
		ok "map_bytes_per_char=16 on a 128 MiB arena (8M cells) refused"
	fi
	rows=$(echo 32 >$ML/knobs/map_bytes_per_char && grep -c '^0x' $ML/map)
	if [ "$rows" = 65536 ]; then
		ok "map at 32 bytes per char (4M cells): 65536 rows"
	else
		notok "map at 32 bytes per char (4M cells): 65536 rows (got '$rows')"
	fi
	rmmod memlab
else
	notok "insmod arena_size=128M"
fi
if insmod "$KO" low_size=512K && grep -q "flags 0x00000002 pri -1" $ML/lmm/regions; then
	ok "insmod low_size=512K: lmm/regions shows the low region"
else
	notok "insmod low_size=512K: lmm/regions shows the low region"
fi
loaded && rmmod memlab

# --- benchmark code path: a quick smoke run (make bench runs the real one) ---
dmesg -c >/dev/null
if insmod "$KO" bench=2 && dmesg | grep -q "memlab-bench: end"; then
	ok "insmod bench=2: smoke benchmark ran ($(dmesg | grep -c 'memlab-bench: |') table rows)"
else
	notok "insmod bench=2: smoke benchmark ran"
fi
check "bench: vm rows against vmalloc at 16, 256 and 4096 KiB" \
	test "$(dmesg | grep -cE 'memlab-bench: \| vm (16|256|4096) KiB alloc\+free .* vmalloc ')" = 3
loaded && rmmod memlab

# --- bad parameters: refused with a message, nothing left loaded -------------
bad arena_size=0
bad arena_size=abc
bad arena_size=
bad arena_size=100
bad arena_size=4097
bad arena_size=16MB
bad arena_size=64T
bad backing=foo
bad backing=
[ "$MEMLAB_ENV" = x86 ] || bad backing=cma
bad backing=pages arena_size=16M
bad low_size=16M
bad arena_size=4M low_size=8M
bad low_size=junk
bad lmm_policy=slowest
bad fail_slice_permille=5000
bad slice_debug=everything
bad pages_max_order=13
bad pages_max_order=2
bad bench=3

# --- the arena's ceiling: half of RAM, refused before anything is allocated ---
oom() { dmesg | grep -qE 'invoked oom-killer|Out of memory'; }
mem_mb=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 ))
big=$(( mem_mb * 3 / 4 ))M
dmesg -c >/dev/null
if insmod "$KO" arena_size=$big 2>/dev/null; then
	notok "insmod arena_size=$big (3/4 of ${mem_mb} MiB RAM) refused"
	rmmod memlab
elif oom; then
	notok "insmod arena_size=$big refused without invoking the OOM killer"
elif dmesg | grep -q "arena_size=$big refused: "; then
	ok "insmod arena_size=$big (3/4 of RAM) refused: $(dmesg | grep -o 'refused: .*' | head -n 1 | sed 's/^refused: //')"
else
	notok "insmod arena_size=$big refused with a message naming arena_size"
fi
fair=$(( mem_mb * 2 / 5 ))M
dmesg -c >/dev/null
if insmod "$KO" arena_size=$fair 2>/dev/null; then
	if oom; then notok "insmod arena_size=$fair (2/5 of RAM) loads without the OOM killer"
	else ok "insmod arena_size=$fair (2/5 of RAM) loads, no OOM killer"; fi
	rmmod memlab
elif oom || loaded || ! dmesg | grep -q "refused: "; then
	notok "insmod arena_size=$fair (2/5 of RAM) loads or fails cleanly"
else
	ok "insmod arena_size=$fair (2/5 of RAM) fails cleanly: $(dmesg | grep -o 'refused: .*' | head -n 1)"
fi

fi # MEMLAB_ENV != x86

# Later loads need not rerun the suites.
[ -w /sys/module/kunit/parameters/filter_glob ] &&
	echo "memlab_no_such_suite" >/sys/module/kunit/parameters/filter_glob

# --- x86 debug kernel: a real CMA area (cma=64M on the command line) ---------
if [ "$MEMLAB_ENV" = x86 ]; then
	good "^backing: cma$" backing=cma arena_size=32M
	good "^physical extents: 1$" backing=cma arena_size=32M
	if insmod "$KO" backing=cma arena_size=32M; then
		run cma-mix "layer=mix ops=20000 seed=11 size=16-16384 dist=log"
		# 8 kthreads on 4 CPUs, every free on another thread, on the CMA arena
		run cma-threads "layer=mix ops=5000 seed=12 size=16-4096 threads=8 xfree=1"
		rmmod memlab
	else
		notok "insmod backing=cma arena_size=32M for a workload"
	fi
	bad backing=cma arena_size=128M
fi

# --- leaks ---------------------------------------------------------------------
if [ -w $DBG/kmemleak ]; then
	# kmemleak reports only objects older than 5 s.
	sleep 6
	# An object is reported only when two scans in a row find it unreferenced
	# (kmemleak spares one whose contents changed since the previous scan, and
	# an object never scanned before counts as changed), so scan twice.
	echo scan >$DBG/kmemleak
	echo scan >$DBG/kmemleak
	cat $DBG/kmemleak >"$OUT/kmemleak.txt"
	if grep -q "memlab" "$OUT/kmemleak.txt"; then
		notok "kmemleak finds no leak from memlab"
	else
		ok "kmemleak finds no leak from memlab"
	fi
fi
