#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memlab's guest checks: run inside a test kernel (UML or QEMU), as root, with
# debugfs mounted.  Prints one TAP-style line per check ("ok - ..." or
# "not ok - ...") on stdout; the host counts them.
#
# Environment: MEMLAB_KO (path of memlab.ko), MEMLAB_OUT (a directory the
# host reads afterwards), MEMLAB_ENV (uml or qemu).

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

# --- default load: KUnit suites run inside this insmod -----------------------
t0=$(date +%s%N 2>/dev/null)
# kunit_slow=1: the stress, differential and measurement cases run too.
if insmod "$KO" kunit_slow=1; then ok "insmod memlab.ko kunit_slow=1 (defaults otherwise)"; else notok "insmod memlab.ko kunit_slow=1"; fi
t1=$(date +%s%N 2>/dev/null)
case "$t0$t1" in
*N*|"") ;;
*) echo "# first insmod (KUnit suites included) took $(( (t1 - t0) / 1000000 )) ms" ;;
esac

if [ -d $DBG/kunit ]; then
	for d in $DBG/kunit/memlab_*; do
		[ -f "$d/results" ] && cat "$d/results" >"$OUT/kunit-${d##*/}.ktap"
	done
fi

# Every debugfs file must be readable, and non-empty.
if [ -d $ML ]; then
	# A copy of each file lands in $OUT/debugfs/ for people to look at.
	for f in $(find $ML -type f); do
		copy="$OUT/debugfs/${f#$ML/}"
		mkdir -p "${copy%/*}"
		if cat "$f" >"$copy" 2>/dev/null && [ -s "$copy" ]; then
			ok "read ${f#$DBG/}"
		else
			notok "read ${f#$DBG/}"
		fi
	done
	cat $ML/arena >"$OUT/arena-default.txt"
	check "arena reports backing vmalloc" grep -qx "backing: vmalloc" $ML/arena
	check "arena reports 16 MiB" grep -q "^size: 16777216 " $ML/arena
else
	notok "debugfs directory memlab exists"
fi

check "rmmod memlab" rmmod memlab
check "memlab gone after rmmod" sh -c '! test -d /sys/module/memlab'

# Later loads need not rerun the suites.
[ -w /sys/module/kunit/parameters/filter_glob ] &&
	echo "memlab_no_such_suite" >/sys/module/kunit/parameters/filter_glob

# --- good non-default parameters ---------------------------------------------
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
good "^size: 67108864 " arena_size=64M
good "^physical extents: 1$" backing=pages arena_size=4M
good "^size: 2097152 " backing=vmalloc arena_size=0x200000
good "^size: 1048576 " arena_size=1M low_size=0
if insmod "$KO" low_size=512K && grep -q "flags 0x00000002 pri -1" $ML/lmm/regions; then
	ok "insmod low_size=512K: lmm/regions shows the low region"
else
	notok "insmod low_size=512K: lmm/regions shows the low region"
fi
loaded && rmmod memlab

# --- bad parameters: refused with a message, nothing left loaded -------------
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
bad arena_size=0
bad arena_size=abc
bad arena_size=
bad arena_size=100
bad arena_size=4097
bad arena_size=16MB
bad arena_size=64T
bad backing=foo
bad backing=
bad backing=cma
bad backing=pages arena_size=16M
bad low_size=16M
bad arena_size=4M low_size=8M
bad low_size=junk

# --- leaks ---------------------------------------------------------------------
if [ -w $DBG/kmemleak ]; then
	# kmemleak reports only objects older than 5 s.
	sleep 6
	echo scan >$DBG/kmemleak
	cat $DBG/kmemleak >"$OUT/kmemleak.txt"
	if grep -q "memlab" "$OUT/kmemleak.txt"; then
		notok "kmemleak finds no leak from memlab"
	else
		ok "kmemleak finds no leak from memlab"
	fi
fi
