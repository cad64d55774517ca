#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab's test command (`make check`): UML (KUnit, KASAN, lockdep), memlab's
# x86_64 debug kernel under QEMU with 4 CPUs (SMP, PREEMPT_RT, KASAN,
# lockdep, CMA, hotplug), Debian 12's stock 6.1 and 6.12 kernels under QEMU,
# and Debian's dkms building memlab against both kernels' headers.  Prints the
# KUnit summary per suite, every failed check, one summary line per
# environment, and ends with "N passed, N failed" over KUnit cases and
# guest/host checks.
# Usage: scripts/check.sh all|uml|x86|qemu|dkms|fuzz
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"

mode="${1:-all}"
case "$mode" in all|uml|x86|qemu|dkms|fuzz) ;; *) die "usage: check.sh all|uml|x86|qemu|dkms|fuzz" ;; esac
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
	grep -E '^(not ok |# retried)' "$1" | sed 's/^/    /'
}

# KUnit: every suite's KTAP from debugfs, summarised by the kernel's parser;
# a case counts once (parameterised cases count as one case, failing if any
# parameter fails).
count_kunit() { # count_kunit <dir> <label>
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
		printf '%-6s kunit %-24s %d passed, %d failed\n' "$2" "$(basename "$f" .ktap | sed 's/^kunit-//')" "$p" "$n"
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

# A cold run builds two kernels: build them side by side (each is about 10
# minutes on 2 cores alone, about 12 together) before any environment runs.
if [ "$mode" = all ]; then
	bash "$here/deps.sh" all || die "cannot install the packages make check needs"
	bash "$here/uml-kernel.sh" check >/dev/null &
	uml_pid=$!
	bash "$here/x86-kernel.sh" >/dev/null &
	x86_pid=$!
	wait $uml_pid || log "UML kernel build failed; the uml environment will say more"
	wait $x86_pid || log "x86 kernel build failed; the x86 environment will say more"
fi

if [ "$mode" = all ] || [ "$mode" = uml ]; then
	bash "$here/uml-check.sh" "$out/uml"
	env_failed $? "$out/uml/results.tap" uml
	count_kunit "$out/uml" uml
	count_tap "$out/uml/results.tap" uml
fi
if [ "$mode" = all ] || [ "$mode" = x86 ]; then
	bash "$here/x86-check.sh" "$out/x86"
	env_failed $? "$out/x86/results.tap" x86
	count_kunit "$out/x86" x86
	count_tap "$out/x86/results.tap" x86
fi
if [ "$mode" = all ] || [ "$mode" = qemu ]; then
	# Debian 12's default kernel and the 6.12 one, a summary line each.
	for series in 6.1 6.12; do
		bash "$here/qemu-check.sh" "$series" "$out/qemu-$series"
		env_failed $? "$out/qemu-$series/results.tap" "$series"
		count_tap "$out/qemu-$series/results.tap" "$series"
	done
fi
if [ "$mode" = all ] || [ "$mode" = fuzz ]; then
	mkdir -p "$out/fuzz"
	bash "$here/deps.sh" fuzz || log "cannot install clang-14 and libFuzzer; the fuzz build will fail"
	bash "$here/fuzz-check.sh" "$out/fuzz" >"$out/fuzz/results.tap"
	env_failed $? "$out/fuzz/results.tap" fuzz
	count_tap "$out/fuzz/results.tap" fuzz
fi
if [ "$mode" = all ] || [ "$mode" = dkms ]; then
	bash "$here/dkms-check.sh" "$out/dkms"
	env_failed $? "$out/dkms/results.tap" dkms
	count_tap "$out/dkms/results.tap" dkms
fi

log "make check took $(( $(date +%s) - t0 ))s; outputs in $out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
