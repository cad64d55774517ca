#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's guest checks: run inside a test kernel (UML or QEMU), as root, with
# debugfs mounted.  Prints KTAP on stdout, one numbered result per check
# (scripts/ktap_helpers.sh); the host nests it in its results and counts it.
# A failed check is a "not ok" and the run goes on (set -u, not -e: see
# ktap_helpers.sh).
#
# Environment: MEMLAB_KO (path of memlab.ko), MEMLAB_OUT (a directory the
# host reads afterwards), MEMLAB_ENV (uml, stock or x86), MEMLAB_KTAP (path
# of ktap_helpers.sh), MEMLAB_TRACE and MEMLAB_REAL_TRACE (the traces).
set -u
. "${MEMLAB_KTAP:?}"
KO="${MEMLAB_KO:?}"
OUT="${MEMLAB_OUT:?}"
MEMLAB_ENV="${MEMLAB_ENV:?}" MEMLAB_TRACE="${MEMLAB_TRACE:-}" MEMLAB_REAL_TRACE="${MEMLAB_REAL_TRACE:-}"
DBG=/sys/kernel/debug
ML=$DBG/memlab

ktap_print_header
ok() { ktap_test_pass "$*"; }
notok() { ktap_test_fail "$*"; }
check() { # check <description> <command...>
	ktap_test_result "$@"
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
ktap_print_msg "first insmod (KUnit suites included) took $((t1 - t0)) ms"

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
	else
		ktap_test_skip "threads=4 xfree=1 on SMP: frees happen on another CPU" "one CPU"
	fi
	run threads-keep "layer=slice ops=10000 seed=12 size=8-1024 free=keep:300 threads=2"
	badrun "layer=lmm threads=0"
	badrun "layer=lmm threads=65"
	badrun "layer=lmm xfree=1"
	badrun "layer=lmm threads=4 ops=500001"
	# sample=N: workload/samples is CSV, a header and ops/N rows.  An LMM-only
	# run of 64-byte objects: the LMM's free bytes plus the live bytes stay
	# what the LMM had free before it, and the last row's live bytes are the
	# run's at its end.  A mix: every index and ratio within 0..1.  A replay:
	# operations/N rows.  workload/latency counts every alloc and free.
	if echo "layer=lmm ops=3000 seed=5 size=64 sample=100" >$W/run 2>/dev/null &&
	   cat $W/samples >"$OUT/samples-lmm.csv" && cat $W/latency >"$OUT/latency-lmm.csv"; then
		live=$(sed -n 's/^live_at_end: \([0-9]*\) bytes.*/\1/p' $W/result)
		before=$(awk '$1 == "before" { print $2 }' $W/result)
		if awk -F, -v live="$live" -v before="$before" '
			NR == 1 { hdr = $1 == "op" && $2 == "live_bytes" && $5 == "lmm_free" && NF == 14; next }
			{ n++; if ($1 != n * 100 || $2 + $5 != before || $8 < 0 || $8 > 1) bad++; last = $2 }
			END { exit !(hdr && !bad && n == 30 && last == live) }' "$OUT/samples-lmm.csv"; then
			ok "sample=100 of 3000 LMM ops: 30 CSV rows, lmm_free + live_bytes = $before at each, last live_bytes $live as the result says"
		else
			notok "sample=100 of 3000 LMM ops: 30 CSV rows, lmm_free + live_bytes = $before, last live_bytes $live (see samples-lmm.csv)"
		fi
		if awk -F, -v r="$(grep '^ops:' $W/result)" '
			BEGIN { split(r, w, /[ ,()]+/); a = w[4]; f = w[6] }
			NR == 1 { hdr = $0 == "lo_ns,hi_ns,allocs,frees"; next }
			{ if ($1 >= $2 || $1 < prev) bad++; prev = $2; sa += $3; sf += $4 }
			END { exit !(hdr && !bad && sa == a && sf == f && a > 0) }' "$OUT/latency-lmm.csv"; then
			ok "workload/latency: buckets in order, counting every alloc and free ($(grep '^ops:' $W/result))"
		else
			notok "workload/latency: buckets in order, counting every alloc and free (see latency-lmm.csv)"
		fi
	else
		notok "workload layer=lmm sample=100 runs and workload/samples reads"
	fi
	if echo "layer=mix ops=20000 seed=9 size=16-16384 dist=log sample=500" >$W/run 2>/dev/null &&
	   cat $W/samples >"$OUT/samples-mix.csv" &&
	   awk -F, 'BEGIN { split("8 10 11 14", col, " ") }	# extfrag unusable3 unusable9 slab_util
		NR > 1 { n++; for (i in col) if ($col[i] < 0 || $col[i] > 1) bad++ }
		END { exit !(n == 40 && !bad) }' "$OUT/samples-mix.csv"; then
		ok "sample=500 of a 20000-op mix: 40 rows, extfrag, unusable(3), unusable(9), slab_util in 0..1"
	else
		notok "sample=500 of a 20000-op mix: 40 rows, every index and ratio in 0..1 (see samples-mix.csv)"
	fi
	check "workload/samples is 0444 and shows no address" \
		sh -c "[ \$(stat -c %a $W/samples) = 444 ] && ! grep -q 0x $W/samples"
	# the sample trace again: earlier checks left a trace of two lines
	[ -f "$MEMLAB_TRACE" ] && cat "$MEMLAB_TRACE" >$W/trace 2>/dev/null
	n=$(sed -n 's/^operations: //p' $W/trace)
	if [ "${n:-0}" -ge 100 ] && echo "replay layer=slice sample=100" >$W/run 2>/dev/null &&
	   [ "$(($(wc -l <$W/samples) - 1))" = "$((n / 100))" ]; then
		ok "replay sample=100: $((n / 100)) rows for $n trace operations"
	else
		notok "replay sample=100: $((${n:-0} / 100)) rows for ${n:-0} trace operations"
	fi
	badrun "replay layer=slice sample=$((${n:-0} + 1))"
	badrun "layer=lmm sample=0"
	badrun "layer=lmm ops=100 sample=101"
	badrun "layer=lmm ops=10000 sample=2"
	badrun "layer=mix ops=100 sample=10 threads=2"
	echo "layer=slice ops=100 seed=1" >$W/run
	check "a run without sample= leaves only the CSV header" \
		sh -c "[ \$(wc -l <$W/samples) = 1 ]"
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
# --- an LMM policy from another module (examples/lmm-policy-nextfit) ---------
NF_KO="$(dirname "$KO")/examples/lmm-policy-nextfit/lmm_nextfit.ko"
if [ -f "$NF_KO" ] && [ -d $K ] && [ -d $W ]; then
	check "insmod lmm_nextfit.ko (example policy module) after memlab.ko" insmod "$NF_KO"
	check "lmm/stats lists the registered policy nextfit" grep -q "^policies: .* nextfit" $ML/lmm/stats
	if echo nextfit >$K/lmm_policy 2>/dev/null && [ "$(cat $K/lmm_policy)" = nextfit ]; then
		ok "knob lmm_policy switches the main pool to nextfit"
	else
		notok "knob lmm_policy switches the main pool to nextfit (reads '$(cat $K/lmm_policy)')"
	fi
	if rmmod lmm_nextfit 2>/dev/null; then
		notok "rmmod lmm_nextfit refused while the main pool uses it"
		insmod "$NF_KO"
	else
		ok "rmmod lmm_nextfit refused while the main pool uses it"
	fi
	run nextfit "layer=lmm ops=20000 seed=7 size=16-8192 dist=log free=random align=4"
	check "workload result names the policy: lmm nextfit" grep -qx "policy: lmm nextfit" $W/result
	run nextfit-range "layer=lmm ops=5000 seed=8 size=64 align=6 range=1M-3M free=fifo"
	run nextfit-mix "layer=mix ops=10000 seed=9 size=16-16384 dist=log"
	[ -f "$MEMLAB_TRACE" ] && run nextfit-replay-lmm "replay layer=lmm"
	check "lmm/check: the validator finds no violation under nextfit" \
		sh -c "grep -qx 'policy: nextfit' $ML/lmm/check && grep -qx 'violations: 0' $ML/lmm/check"
	echo fast >$K/lmm_policy
	run policy-param "layer=lmm ops=3000 seed=4 size=16-1024 policy=nextfit"
	check "workload policy=nextfit switches the main pool" grep -qx nextfit $K/lmm_policy
	badrun "layer=lmm policy=nosuch"
	badrun "layer=lmm policy=a_name_far_too_long"
	run policy-param-back "layer=lmm ops=1000 seed=5 policy=fast"
	check "workload policy=fast switches it back" grep -qx fast $K/lmm_policy
	check "rmmod lmm_nextfit once no pool uses it" rmmod lmm_nextfit
	if echo nextfit >$K/lmm_policy 2>/dev/null; then
		notok "knob lmm_policy refuses nextfit after its module is gone"
		echo fast >$K/lmm_policy
	else
		ok "knob lmm_policy refuses nextfit after its module is gone"
	fi
elif [ "$MEMLAB_ENV" = uml ]; then
	notok "examples/lmm-policy-nextfit/lmm_nextfit.ko built beside memlab.ko"
fi
for f in lmm/stats lmm/fragments pages/buddyinfo pages/stats slice/slabinfo slice/stats fault/counters map; do
	cp $ML/$f "$OUT/debugfs/$f.after" 2>/dev/null
done
[ -r /proc/slabinfo ] && grep -E '^(kmalloc-[0-9]+|# name)' /proc/slabinfo >"$OUT/proc-slabinfo.txt"

fi # MEMLAB_ENV != x86

check "rmmod memlab" rmmod memlab
check "memlab gone after rmmod" sh -c '! test -d /sys/module/memlab'

if [ "$MEMLAB_ENV" != x86 ]; then
# A plain load on a KUnit kernel runs the fast cases only.  Its time is
# printed, not judged: a timed assertion fails on a busy host, not on a bug.
if [ -d $DBG/kunit ]; then
	t0=$(now_ms)
	insmod "$KO"
	t1=$(now_ms)
	ms=$((t1 - t0))
	ran=0
	skipped=0
	for r in $DBG/kunit/memlab*/results; do
		[ -r "$r" ] || continue
		# a slow case that ran has a speed attribute and no SKIP
		ran=$((ran + $(awk '/\.speed: slow/ { slow = 1; next }
			/^    (not )?ok / { if (slow && !/# SKIP/) n++; slow = 0 }
			END { print n + 0 }' "$r")))
		skipped=$((skipped + $(grep -c 'SKIP slow case' "$r")))
	done
	if loaded && [ "$ran" -eq 0 ] && [ "$skipped" -gt 0 ]; then
		ok "plain insmod ran the KUnit suites with all $skipped slow cases skipped ($ms ms)"
	else
		notok "plain insmod: $ran slow cases ran, $skipped skipped ($ms ms)"
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
P=/sys/module/memlab/parameters
check "knob parameters read the current value: lmm_policy given, then set in debugfs; fail_lmm_every not given" \
	sh -c "grep -qx best_fit $P/lmm_policy && echo linear >$ML/knobs/lmm_policy &&
	       grep -qx linear $P/lmm_policy && grep -qx 0 $P/fail_lmm_every"
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

# --- memlab_bench.ko: a quick smoke run (make bench runs the real one) ---------
# It builds its own memlab stack over its own buffer, with memlab's exported
# API: memlab.ko must be loaded first, with an arena of any size.
BENCH_KO="${KO%/*}/memlab_bench.ko"
bench_loaded() { test -d /sys/module/memlab_bench; }
bench_bad() { # bench_bad <params...>
	dmesg -c >/dev/null
	if insmod "$BENCH_KO" "$@" 2>/dev/null; then
		notok "insmod memlab_bench.ko $* refused"
		rmmod memlab_bench
	elif dmesg | grep -q "memlab-bench: .*refused: "; then
		ok "insmod memlab_bench.ko $* refused: $(dmesg | grep -o 'refused: .*' | head -n 1 | sed 's/^refused: //')"
	else
		notok "insmod memlab_bench.ko $* refused with a message"
	fi
}
dmesg -c >/dev/null
if insmod "$KO" arena_size=16M && insmod "$BENCH_KO" smoke=1 arena_mb=64 &&
	dmesg | grep -q "memlab-bench: end"; then
	ok "insmod memlab_bench.ko smoke=1 arena_mb=64: $(dmesg | grep -cE 'memlab-bench: \| .* (faster|slower|inconclusive) +\|') table rows with a verdict"
else
	notok "insmod memlab_bench.ko smoke=1 arena_mb=64: smoke benchmark ran"
fi
check "bench: vm rows against vmalloc at 16, 256 and 4096 KiB" \
	test "$(dmesg | grep -cE 'memlab-bench: \| vm (16|256|4096) KiB alloc\+free .*\| vmalloc ')" = 3
check "bench: the table starts with the machine's facts" \
	sh -c 'dmesg | grep -q "memlab-bench: machine: Linux .* CPUs online"'
if bench_loaded; then
	check "rmmod memlab refused while memlab_bench is loaded" sh -c '! rmmod memlab 2>/dev/null'
	rmmod memlab_bench
fi
loaded || insmod "$KO" arena_size=16M
bench_bad runs=0
bench_bad reps=2
bench_bad arena_mb=8
bench_bad cases=lmm,nosuch
bench_bad cases=,
loaded && rmmod memlab
dmesg -c >/dev/null
if insmod "$KO" bench=1 2>/dev/null && dmesg | grep -q "unknown parameter 'bench' ignored"; then
	ok "memlab.ko has no bench= parameter any more (the kernel ignores it)"
else
	notok "memlab.ko has no bench= parameter any more"
fi
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

# --- trace events: memlab:* in tracefs against a workload's own counts -------
# A fresh load; every layer's events on, one workload at a time, and the
# lines of each event in the trace file counted: alloc events are the run's
# allocation attempts (failures too), free events its frees plus the objects
# it freed after the run.  Traces go to /tmp (tmpfs under QEMU), not $OUT,
# which QEMU sends back over the serial line.
TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs tracefs $TR 2>/dev/null
[ -d $TR/events ] || TR=$DBG/tracing
TT=$(mktemp -d /tmp/memlab-trace.XXXXXX)
tr_field() { # tr_field <sed expression>: a figure of the last run's result
	sed -n "$1" $W/result
}
tr_run() { # tr_run <name> <spec> <layer>...: run <spec> traced, compare each layer's events
	name="$1" spec="$2"
	shift 2
	echo 0 >$TR/tracing_on
	: >$TR/trace
	echo 1 >$TR/tracing_on
	if ! echo "$spec" >$W/run 2>/dev/null; then
		echo 0 >$TR/tracing_on
		notok "trace events $name: workload '$spec' ran"
		return
	fi
	echo 0 >$TR/tracing_on
	cat $TR/trace >"$TT/$name.txt"
	cp $W/result "$TT/$name.result"
	allocs=$(tr_field 's/^ops: [0-9]* (allocs \([0-9]*\), frees [0-9]*)$/\1/p')
	frees=$(tr_field 's/^ops: [0-9]* (allocs [0-9]*, frees \([0-9]*\))$/\1/p')
	after=$(tr_field 's/^live_at_end: [0-9]* bytes in \([0-9]*\) objects (freed after the run)$/\1/p')
	buf=$(sed -n 's/^# entries-in-buffer\/entries-written: \([0-9]*\/[0-9]*\).*/\1/p' "$TT/$name.txt")
	if [ -z "$allocs" ] || [ -z "$frees" ] || [ -z "$after" ]; then
		notok "trace events $name: the result has ops and live_at_end lines"
		return
	fi
	if [ -z "$buf" ] || [ "${buf%/*}" != "${buf#*/}" ]; then
		notok "trace events $name: no event lost (entries in buffer/written: ${buf:-none})"
		return
	fi
	why="" said=""
	for l in "$@"; do
		a=$(grep -c " memlab_${l}_alloc: " "$TT/$name.txt")
		f=$(grep -c " memlab_${l}_free: " "$TT/$name.txt")
		[ "$a" = "$allocs" ] || why="$why memlab_${l}_alloc $a, not $allocs;"
		[ "$f" = $((frees + after)) ] || why="$why memlab_${l}_free $f, not $frees + $after;"
		said="$said memlab_${l}_alloc $a, memlab_${l}_free $f;"
	done
	if [ -z "$why" ]; then
		ok "trace events $name: $allocs allocs, $frees frees + $after after the run:${said%;}"
	else
		notok "trace events $name:${why%;}"
	fi
}
tr_t0=$(now_ms)
if [ ! -d $TR/events ]; then
	notok "tracefs mounted at /sys/kernel/tracing"
elif insmod "$KO"; then
	if [ -d $TR/events/memlab ] && [ -f $TR/events/memlab/memlab_pages_alloc/format ]; then
		ok "tracefs lists $(ls $TR/events/memlab | grep -c '^memlab_') memlab: events"
	else
		notok "tracefs lists the memlab: events"
	fi
	size_kb=$(cat $TR/buffer_size_kb)
	echo 1024 >$TR/buffer_size_kb	# per CPU; a run here writes some 300 KiB
	echo 0 >$TR/tracing_on
	echo 1 >$TR/events/memlab/enable
	tr_run lmm "layer=lmm ops=1000 seed=7 size=16-8192 dist=log free=random align=4" lmm
	tr_run pages "layer=pages ops=1000 seed=7 size=4096-65536 free=lifo" pages
	tr_run slice "layer=slice ops=1000 seed=7 size=8-4096 free=keep:200" generic slice
	tr_run vm "layer=vm ops=200 seed=7 size=4096-131072" vm
	# injected failures: one event each, failed allocations are events too
	before=$(awk '$1 == "slice" { print $5 }' $ML/fault/counters)
	echo 10 >$ML/knobs/fail_slice_every
	tr_run slice-faults "layer=slice ops=1000 seed=3 size=32" generic slice
	echo 0 >$ML/knobs/fail_slice_every
	injected=$(( $(awk '$1 == "slice" { print $5 }' $ML/fault/counters) - ${before:-0} ))
	n=$(grep -c ' memlab_fault_inject: .*layer=slice call=[0-9]* reason=every' "$TT/slice-faults.txt")
	failed=$(grep -c ' memlab_generic_alloc: .* bytes_alloc=0 ' "$TT/slice-faults.txt")
	if [ "$injected" -gt 0 ] && [ "$n" = "$injected" ] && [ "$failed" = "$injected" ]; then
		ok "trace events: $n memlab_fault_inject events for $injected injected slice failures, as many failed memlab_generic_alloc"
	else
		notok "trace events: memlab_fault_inject $n, failed memlab_generic_alloc $failed, injected $injected"
	fi
	# hashed: 32 bits printed in 16 digits, so a raw address stands out (on x86)
	# or "(____ptrval____)": the hash key waits for the CRNG, which a QEMU guest
	# without a hardware RNG may not have seeded yet
	raw=$(cat "$TT"/*.txt | grep -o 'ptr=[^ ]*' |
		grep -vE '^ptr=(00000000[0-9a-f]{8}|\(____ptrval____\))$' | sort -u | head -n 3 | tr '\n' ' ')
	if [ -z "$raw" ]; then
		ok "trace events: every ptr= in the trace text is hashed, no raw kernel address"
	else
		notok "trace events: every ptr= in the trace text is hashed (not: $raw)"
	fi
	# a memlab trace converted to a replay trace and replayed on another
	# layer (python3 is there in UML, on the host's root; not under QEMU)
	k2t="$(dirname "${MEMLAB_TRACE:-/}")/kmem2trace.py"
	if command -v python3 >/dev/null 2>&1 && [ -f "$k2t" ]; then
		a=$(sed -n 's/^ops: [0-9]* (allocs \([0-9]*\), .*/\1/p' "$TT/slice.result")
		want=$(( ${a:-0} - $(sed -n 's/^failures: //p' "$TT/slice.result") ))
		if python3 "$k2t" --memlab generic "$TT/slice.txt" -o "$TT/slice.replay" 2>"$TT/k2t.err" &&
		   cat "$TT/slice.replay" >$W/trace 2>/dev/null && echo "replay layer=lmm" >$W/run &&
		   grep -qx "ops: $((want * 2)) (allocs $want, frees $want)" $W/result; then
			ok "kmem2trace.py --memlab generic: the slice run's trace replays on lmm: $(grep '^ops:' $W/result)"
		else
			notok "kmem2trace.py --memlab generic: the slice run's trace replays on lmm ($want allocs wanted; $(cat "$TT/k2t.err"); $(grep '^ops:' $W/result))"
		fi
		cp "$TT/slice.replay" "$OUT/memlab-events-slice.replay"
	else
		ktap_test_skip "kmem2trace.py --memlab generic: the slice run's trace replays on lmm" "no python3 here"
	fi
	echo 0 >$TR/events/memlab/enable
	echo "$size_kb" >$TR/buffer_size_kb
	: >$TR/trace
	rmmod memlab
else
	notok "insmod for the trace event checks"
fi
rm -rf "$TT"
ktap_print_msg "trace event checks took $(( $(now_ms) - tr_t0 )) ms"

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
else
	ktap_test_skip "kmemleak finds no leak from memlab" "no kmemleak in this kernel"
fi

ktap_finished
