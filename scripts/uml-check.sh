#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab under UML: KUnit, KASAN, lockdep, kmemleak.
# Usage: scripts/uml-check.sh <outdir>
#
# Builds (or reuses) the UML check kernel, builds memlab.ko against it with
# W=1, boots it, runs scripts/guest/check.sh inside (its KUnit suites run at
# the first insmod), and writes <outdir>/results.tap: the host-side checks
# and the guest's (nested as a subtest), as KTAP (scripts/ktap_helpers.sh).
# KUnit KTAP is left in <outdir>/kunit-*.ktap for the caller to parse.  Exit
# status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"

out="$(realpath -m "${1:?usage: uml-check.sh <outdir>}")"
rm -rf "$out"
mkdir -p "$out"
KTAP_OUT="$out/results.tap"
: >"$KTAP_OUT"
ktap_print_header

# Build from a copy, so UML and QEMU objects never mix in the work tree.
if uml_module check "$out" W=1; then
	if grep -E 'warning:|error:' "$out/build.log"; then
		ktap_test_fail "build memlab.ko for UML with W=1: warnings"
	else
		ktap_test_pass "build memlab.ko for UML with W=1, no warnings"
	fi
else
	cat "$out/build.log" >&2
	ktap_test_fail "build memlab.ko for UML"
	ktap_finished
fi

# The trace converter's own cases (kmem and memlab events); the guest then
# converts a real memlab trace with it and replays that.
if python3 "$repo/tools/kmem2trace.py" --selftest 2>"$out/kmem2trace-selftest.txt"; then
	ktap_test_pass "tools/kmem2trace.py --selftest (kmem and memlab: events)"
else
	ktap_test_fail "tools/kmem2trace.py --selftest (kmem and memlab: events)"
fi

# make bench's judge of its goals, on a table whose verdicts are known.
if python3 "$here/bench-goals.py" --selftest >"$out/bench-goals-selftest.txt" 2>&1; then
	ktap_test_pass "scripts/bench-goals.py --selftest (a goal met, two missed)"
else
	ktap_test_fail "scripts/bench-goals.py --selftest (a goal met, two missed)"
fi

# The example LMM policy module, against memlab.ko's symbols: the guest
# finds it beside memlab.ko (scripts/guest/check.sh).
ex=examples/lmm-policy-nextfit
cp "$repo/$ex/Kbuild" "$out/src/$ex/"
if make -C "$KDIR" ARCH=um M="$out/src/$ex" MEMLAB_SRC="$out/src" W=1 \
	KBUILD_EXTRA_SYMBOLS="$out/src/Module.symvers" modules >"$out/build-nextfit.log" 2>&1 &&
   ! grep -E 'warning:|error:' "$out/build-nextfit.log"; then
	ktap_test_pass "build $ex (an out-of-tree LMM policy) for UML with W=1, no warnings"
else
	cat "$out/build-nextfit.log" >&2
	ktap_test_fail "build $ex (an out-of-tree LMM policy) for UML with W=1"
fi

# The exports: all in the namespace MEMLAB, imported by both modules, none unused.
ktap_subtest_run "exports: scripts/exports-check.sh" "$out/exports.tap" \
	bash "$here/exports-check.sh" --all "$out/src" "$out/src/memlab_bench.ko" \
	"$out/src/$ex/lmm_nextfit.ko"

log "booting UML: KUnit suites and guest checks"
start=$(date +%s)
# Finished: in time, and check.sh ran to its end (its "# Totals" line, no
# "Bail out!").
if bash "$here/uml-boot.sh" "$KDIR" "$KO" "$here/guest/check.sh" "$out" 300 &&
   grep -q '^# Totals: ' "$out/guest.tap" && ! grep -q '^Bail out!' "$out/guest.tap"; then
	ktap_test_pass "UML guest finished within the time limit"
else
	ktap_test_fail "UML guest finished within the time limit (check.sh exit status $(cat "$out/guest.rc" 2>/dev/null || echo unknown))"
fi
log "UML guest took $(( $(date +%s) - start ))s"
ktap_subtest "uml guest: scripts/guest/check.sh" "$out/guest.tap"

# The whole kernel log: console output survives even a guest that died.
if bash "$here/scan-log.sh" "$out/console.log" >"$out/log-problems.txt"; then
	ktap_test_pass "UML kernel log free of KASAN, lockdep, kmemleak, WARN, BUG and Oops"
else
	head -40 "$out/log-problems.txt" >&2
	ktap_test_fail "UML kernel log free of KASAN, lockdep, kmemleak, WARN, BUG and Oops (see $out/console.log)"
fi

ktap_test_result "KUnit results collected from debugfs" ls "$out"/kunit-*.ktap

# Documentation/ names every debugfs file, knob and parameter, and no other:
# the built modules' parameters and the guest's copy of debugfs against it.
ktap_subtest_run "Documentation/ in step with debugfs files, knobs and parameters: scripts/doc-check.sh" \
	"$out/doc-check.tap" bash "$here/doc-check.sh" --ko "$KO" \
	--bench-ko "$out/src/memlab_bench.ko" --dump "$out/debugfs"
ktap_finished
