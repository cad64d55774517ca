#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab's test command (`make check`): UML, then QEMU with Debian's stock
# kernel.  Prints the KUnit summary per suite, every failed check, and ends
# with "N passed, N failed" over KUnit cases and guest/host checks.
# Usage: scripts/check.sh all|uml|qemu
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

mode="${1:-all}"
case "$mode" in all|uml|qemu) ;; *) die "usage: check.sh all|uml|qemu" ;; esac
out="$repo/out/check"
mkdir -p "$out"
t0=$(date +%s)

pass=0 fail=0
count_tap() { # count_tap <results.tap> <label>
	local p f
	p=$(grep -c '^ok ' "$1" 2>/dev/null)
	f=$(grep -c '^not ok ' "$1" 2>/dev/null)
	pass=$((pass + p)) fail=$((fail + f))
	printf '%-6s checks: %d passed, %d failed\n' "$2" "$p" "$f"
	grep '^not ok ' "$1" | sed 's/^/    /'
}

# KUnit: every suite's KTAP from debugfs, summarised by the kernel's parser;
# a case counts once (parameterised cases count as one case, failing if any
# parameter fails).
count_kunit() { # count_kunit <dir>
	local f src p n
	src="$(linux_source_tree)"
	for f in "$1"/kunit-*.ktap; do
		[ -f "$f" ] || continue
		python3 "$src/tools/testing/kunit/kunit.py" parse "$f" 2>&1 |
			grep -E '^\[..:..:..\] (Testing complete|={3,} .* ={3,}|\[FAILED\]|# )' |
			sed 's/^\[..:..:..\] /    /' | grep -v '^    =\{40,\}$' || true
		# Case lines are indented once under the suite.
		p=$(grep -cE '^    ok [0-9]+ ' "$f")
		n=$(grep -cE '^    not ok [0-9]+ ' "$f")
		pass=$((pass + p)) fail=$((fail + n))
		printf 'kunit  %-24s %d passed, %d failed\n' "$(basename "$f" .ktap | sed 's/^kunit-//')" "$p" "$n"
	done
}

# An environment script that failed without saying which check failed (it
# died early) still counts as one failure.
env_failed() { # env_failed <exit status> <results.tap> <label>
	if [ "$1" -ne 0 ] && ! grep -q '^not ok ' "$2" 2>/dev/null; then
		mkdir -p "$(dirname "$2")"
		echo "not ok - $3 environment failed (exit $1) before reporting a check" >>"$2"
	fi
}

if [ "$mode" = all ] || [ "$mode" = uml ]; then
	bash "$here/uml-check.sh" "$out/uml"
	env_failed $? "$out/uml/results.tap" uml
	count_kunit "$out/uml"
	count_tap "$out/uml/results.tap" uml
fi
if [ "$mode" = all ] || [ "$mode" = qemu ]; then
	bash "$here/qemu-check.sh" "$out/qemu"
	env_failed $? "$out/qemu/results.tap" qemu
	count_tap "$out/qemu/results.tap" qemu
fi

log "make check took $(( $(date +%s) - t0 ))s; outputs in $out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
