#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab's user-space fuzz check: build every fuzz target of tools/testing/
# (clang-14, libFuzzer, ASan, UBSan) and run each for a short fixed time,
# one after the other.  Prints KTAP (scripts/ktap_helpers.sh) on stdout,
# one result per target, and exits 1 if any build or run failed.  Corpora,
# logs and crash inputs stay in <outdir>.
#
# Usage: scripts/fuzz-check.sh <outdir>
# Environment:
#   FUZZ_CHECK_TIME  seconds per target (default 20)
#   FUZZ_RT          1 (default): the shim is PREEMPT_RT and checks what RT
#                    forbids; 0: a !RT kernel
#   FUZZ_SKIP        operation families to leave out, comma-separated (see
#                    tools/testing/README.md); default none
#   FUZZ_SEED        libFuzzer's seed (default 1)
#   FUZZ_LAYERS      targets to run (default: lmm pages slice generic)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"

out="${1:?usage: fuzz-check.sh <outdir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
t="${FUZZ_CHECK_TIME:-20}"
rt="${FUZZ_RT:-1}"
seed="${FUZZ_SEED:-1}"
layers="${FUZZ_LAYERS:-lmm pages slice generic}"

ktap_print_header
if ! make -s -C "$repo/tools/testing" O="$out/build" RT="$rt" all >"$out/build.log" 2>&1; then
	ktap_set_plan 1
	ktap_test_fail "fuzz build (clang-14, libfuzzer-14-dev): see $out/build.log"
	tail -20 "$out/build.log" >&2
	ktap_finished
fi

# shellcheck disable=SC2086
ktap_set_plan "$(set -- $layers; echo $#)"
for l in $layers; do
	bin="$out/build/fuzz-$l"
	mkdir -p "$out/corpus/$l" "$out/artifacts"
	rm -f "$out/$l.stats"
	rc=0
	FUZZ_STATS="$out/$l.stats" UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" "$out/corpus/$l" -max_total_time="$t" -seed="$seed" -max_len=4096 \
		-timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$l-" >"$out/$l.log" 2>&1 || rc=$?
	runs=$(awk '/^inputs /{print $2}' "$out/$l.stats" 2>/dev/null || true)
	ops=$(awk '/^ops /{print $2}' "$out/$l.stats" 2>/dev/null || true)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		ktap_test_pass "fuzz $l: $runs runs, $ops ops, no crash"
		continue
	fi
	runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$out/$l.log" | tail -1)
	art=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$out/$l.log" | tail -1)
	why=$(grep -m1 -E '^(fuzz |memlab shim:|==[0-9]+==ERROR|.*runtime error)' "$out/$l.log" |
	      cut -c1-200 || true)
	ktap_test_fail "fuzz $l: crash after ${runs:-?} runs: ${why:-exit $rc}; input ${art:-none}, log $out/$l.log"
done
ktap_finished
