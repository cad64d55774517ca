#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab under UML: KUnit, KASAN, lockdep, kmemleak.
# Usage: scripts/uml-check.sh <outdir>
#
# Builds (or reuses) the UML check kernel, builds memlab.ko against it with
# W=1, boots it, runs scripts/guest/check.sh inside (its KUnit suites run at
# the first insmod), and writes <outdir>/results.tap: the host-side checks
# and the guest's.  KUnit KTAP is left in <outdir>/kunit-*.ktap for the caller
# to parse.  Exit status 0 when every check passed.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

out="$(realpath -m "${1:?usage: uml-check.sh <outdir>}")"
rm -rf "$out"
mkdir -p "$out"
res="$out/results.tap"
: >"$res"
result() { # result <0|1> <description>
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi >>"$res"
}

# Build from a copy, so UML and QEMU objects never mix in the work tree.
if uml_module check "$out" W=1; then
	if grep -E 'warning:|error:' "$out/build.log"; then
		result 1 "build memlab.ko for UML with W=1: warnings"
	else
		result 0 "build memlab.ko for UML with W=1, no warnings"
	fi
else
	cat "$out/build.log" >&2
	result 1 "build memlab.ko for UML"
	exit 1
fi

# The trace converter's own cases (kmem and memlab events); the guest then
# converts a real memlab trace with it and replays that.
python3 "$repo/tools/kmem2trace.py" --selftest 2>"$out/kmem2trace-selftest.txt"
result $? "tools/kmem2trace.py --selftest (kmem and memlab: events)"

# The example LMM policy module, against memlab.ko's symbols: the guest
# finds it beside memlab.ko (scripts/guest/check.sh).
ex=examples/lmm-policy-nextfit
cp "$repo/$ex/Kbuild" "$out/src/$ex/"
if make -C "$KDIR" ARCH=um M="$out/src/$ex" MEMLAB_SRC="$out/src" W=1 \
	KBUILD_EXTRA_SYMBOLS="$out/src/Module.symvers" modules >"$out/build-nextfit.log" 2>&1 &&
   ! grep -E 'warning:|error:' "$out/build-nextfit.log"; then
	result 0 "build $ex (an out-of-tree LMM policy) for UML with W=1, no warnings"
else
	cat "$out/build-nextfit.log" >&2
	result 1 "build $ex (an out-of-tree LMM policy) for UML with W=1"
fi

# The exports: all in the namespace MEMLAB, imported by both modules, none unused.
bash "$here/exports-check.sh" --all "$out/src" "$out/src/memlab_bench.ko" \
	"$out/src/$ex/lmm_nextfit.ko" >>"$res"

log "booting UML: KUnit suites and guest checks"
start=$(date +%s)
bash "$here/uml-boot.sh" "$KDIR" "$KO" "$here/guest/check.sh" "$out" 300
result $? "UML guest finished within the time limit"
log "UML guest took $(( $(date +%s) - start ))s"
cat "$out/guest.tap" >>"$res" 2>/dev/null

# The whole kernel log: console output survives even a guest that died.
if bash "$here/scan-log.sh" "$out/console.log" >"$out/log-problems.txt"; then
	result 0 "UML kernel log free of KASAN, lockdep, kmemleak, WARN, BUG and Oops"
else
	head -40 "$out/log-problems.txt" >&2
	result 1 "UML kernel log free of KASAN, lockdep, kmemleak, WARN, BUG and Oops (see $out/console.log)"
fi

ls "$out"/kunit-*.ktap >/dev/null 2>&1
result $? "KUnit results collected from debugfs"

# Documentation/ names every debugfs file, knob and parameter, and no other:
# the built modules' parameters and the guest's copy of debugfs against it.
bash "$here/doc-check.sh" --ko "$KO" --bench-ko "$out/src/memlab_bench.ko" \
	--dump "$out/debugfs" >"$out/doc-check.txt" 2>&1
result $? "Documentation/ in step with debugfs files, knobs and parameters (scripts/doc-check.sh; see $out/doc-check.txt)"
! grep -q '^not ok' "$res"
