#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab on its own x86_64 debug kernel under QEMU with 4 CPUs: SMP,
# PREEMPT_RT, KASAN, lockdep (raw-lock nesting), kmemleak, KUnit, CMA, CPU
# hotplug.  Every KUnit suite runs at the first insmod with kunit_slow=1 and
# lands in <outdir>/kunit-*.ktap for check.sh to count; the guest checks run
# as in the other environments, plus the SMP ones (MEMLAB_ENV=x86).
#
# Usage: scripts/x86-check.sh <outdir>
#
# Steps: 1. packages; 2. the kernel (scripts/x86-kernel.sh, cached);
# 3. memlab.ko against it with W=1; 4-6. pack, boot (-smp 4, cma=64M), collect
# (scripts/qemu-lib.sh).
#
# Multi-threaded TCG once killed one boot in five of such a kernel before any
# module loaded ("Oops: int3" while static keys were patched).  The kernel is
# built without JUMP_LABEL, which removes that patching; should a boot still
# die before the guest's /init starts, it is retried once, and the retry is
# reported as a "# retried" diagnostic line in results.tap (KTAP, as
# scripts/ktap_helpers.sh writes it).  A crash after /init started
# is never retried.
#
# MEMLAB_X86_TIMEOUT (seconds, default 1800) bounds each boot: a quiet machine
# needs about 8 minutes, a busy one twice that.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"
. "$here/qemu-lib.sh"

[ $# -eq 1 ] || { echo "usage: scripts/x86-check.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
case "$out" in *[[:space:]]*) die "<outdir> must not contain blanks: '$out'" ;; esac
rm -rf "$out/src" "$out/guest" "$out"/kunit-*.ktap
rm -f "$out/results.tap" "$out/build.log" "$out/guest.tap"
KTAP_OUT="$out/results.tap"
: >"$KTAP_OUT"
ktap_print_header
limit="${MEMLAB_X86_TIMEOUT:-1800}"
t_start=$(date +%s)

finish() {
	log "x86-check: $KTAP_CNT_FAIL of $((KTAP_TESTNO - 1)) results not ok (the guest's checks are one), $(( $(date +%s) - t_start )) s wall"
	ktap_finished
}

# --- 1. packages, 2. kernel ---------------------------------------------------
bash "$here/deps.sh" all || die "missing host packages (see above)"
kdir="$(bash "$here/x86-kernel.sh")" || { ktap_test_fail "x86 kernel built"; finish; }

# --- 3. memlab.ko, W=1 ----------------------------------------------------------
bash "$here/copy-module.sh" "$repo" "$out/src"
if make -C "$kdir" M="$out/src" W=1 modules >"$out/build.log" 2>&1; then
	if grep -E 'warning:|error:' "$out/build.log" >&2; then
		ktap_test_fail "build memlab.ko for x86 with W=1: warnings"
	else
		ktap_test_pass "build memlab.ko for x86 with W=1, no warnings"
	fi
else
	tail -30 "$out/build.log" >&2
	ktap_test_fail "build memlab.ko for x86"
	finish
fi

# --- 4-6. pack, boot, collect ------------------------------------------------------
qemu_pack "$out" "$out/src/memlab.ko"
# allnoconfig left KUNIT_DEFAULT_ENABLED off: enable KUnit on the command line.
kargs="cma=64M kunit.enable=1 MEMLAB_ENV=x86"
for try in 1 2; do
	log "booting the x86 debug kernel (TCG, 4 CPUs, 2 GiB, cma=64M, limit ${limit} s; try $try)"
	qemu_boot "$out" "$kdir/arch/x86/boot/bzImage" 4 2048 "$limit" "$kargs"
	log "QEMU exited with status $qemu_rc after $boot_s s"
	! qemu_started "$out" || break
	[ "$try" -eq 1 ] || break
	why="$(grep -a -m1 -E 'Oops|BUG:|Kernel panic' "$out/console.log" | tr -d '\r' || true)"
	ktap_print_msg "retried: the first boot died before /init ran (${why:-no message}); console saved as console-try1.log"
	log "x86 boot died before /init (${why:-no message}); retrying once"
	cp "$out/console.log" "$out/console-try1.log"
done
qemu_collect "$out" x86
# The KUnit results the guest saved, for check.sh to count like UML's.
for f in "$out"/guest/kunit-*.ktap; do
	[ ! -f "$f" ] || cp "$f" "$out/"
done
ktap_test_result "x86 KUnit results collected" ls "$out"/kunit-*.ktap
finish
