#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab's test command (`make check`): UML (KUnit, KASAN, lockdep), memlab's
# x86_64 debug kernel under QEMU with 4 CPUs (SMP, PREEMPT_RT, KASAN,
# lockdep, CMA, hotplug), Debian 12's stock 6.1 and 6.12 kernels under QEMU,
# and Debian's dkms building memlab against both kernels' headers.  Prints a
# summary line per KUnit suite and per environment's checks, every failed
# case, and ends with "N passed, N failed" over KUnit cases and guest/host
# checks; exits non-zero if any failed.
# Usage: scripts/check.sh all|uml|x86|qemu|6.1|6.12|dkms|fuzz
# (qemu: both stock kernels; 6.1, 6.12: one of them)
#
# Every environment leaves KTAP (scripts/ktap_helpers.sh): its results.tap,
# with the guest's checks nested in it, and the KUnit suites' kunit-*.ktap.
# One parser counts them all: scripts/ktap_count.py, on the kernel's
# kunit_parser.py.  An environment script that fails without a "not ok"
# still counts as one failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"

mode="${1:-all}"
case "$mode" in all|uml|x86|qemu|6.1|6.12|dkms|fuzz) ;; *) die "usage: check.sh all|uml|x86|qemu|6.1|6.12|dkms|fuzz" ;; esac
out="$repo/out/check"
mkdir -p "$out"
t0=$(date +%s)

# The parser: the kernel's, from the Linux source every kernel here is built from.
bash "$here/deps.sh" ktap || die "cannot install python3 and linux-source-6.12, which count the results"
kunit_dir="$(linux_source_tree)/tools/testing/kunit"

pass=0 fail=0 skip=0
# count_env <label> <dir>: the environment's KUnit KTAP and results.tap.
count_env() {
	local report p f s
	report="$(python3 "$here/ktap_count.py" --kunit-dir "$kunit_dir" "$1" \
		$(ls "$2"/kunit-*.ktap 2>/dev/null) "$2/results.tap")" ||
		report="$1 ktap_count.py failed"$'\n'"tally 0 1 0"
	grep -v '^tally ' <<<"$report" || true
	read -r p f s < <(sed -n 's/^tally //p' <<<"$report")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

# run_env <label> <results.tap> <command...>: run an environment; one that
# failed without saying which check failed (it died early) gets a "not ok".
run_env() {
	local label="$1" tap="$2" rc=0
	shift 2
	"$@" || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok [0-9]+ ' "$tap" 2>/dev/null; then
		mkdir -p "$(dirname "$tap")"
		(
			ktap_resume "$tap"
			ktap_test_fail "$label environment failed (exit $rc) before reporting a check"
			ktap_finished
		) || true
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
	run_env uml "$out/uml/results.tap" bash "$here/uml-check.sh" "$out/uml"
	count_env uml "$out/uml"
fi
if [ "$mode" = all ] || [ "$mode" = x86 ]; then
	run_env x86 "$out/x86/results.tap" bash "$here/x86-check.sh" "$out/x86"
	count_env x86 "$out/x86"
fi
if [ "$mode" = all ] || [ "$mode" = qemu ] || [ "$mode" = 6.1 ] || [ "$mode" = 6.12 ]; then
	# Debian 12's default kernel and the 6.12 one, a summary line each.
	series_list="6.1 6.12"
	[ "$mode" = all ] || [ "$mode" = qemu ] || series_list="$mode"
	for series in $series_list; do
		run_env "$series" "$out/qemu-$series/results.tap" \
			bash "$here/qemu-check.sh" "$series" "$out/qemu-$series"
		count_env "$series" "$out/qemu-$series"
	done
fi
# fuzz-check.sh prints its KTAP on stdout.
fuzz_env() { bash "$here/fuzz-check.sh" "$out/fuzz" >"$out/fuzz/results.tap"; }
if [ "$mode" = all ] || [ "$mode" = fuzz ]; then
	mkdir -p "$out/fuzz"
	bash "$here/deps.sh" fuzz || log "cannot install clang-14 and libFuzzer; the fuzz build will fail"
	run_env fuzz "$out/fuzz/results.tap" fuzz_env
	count_env fuzz "$out/fuzz"
fi
if [ "$mode" = all ] || [ "$mode" = dkms ]; then
	run_env dkms "$out/dkms/results.tap" bash "$here/dkms-check.sh" "$out/dkms"
	count_env dkms "$out/dkms"
fi

log "make check took $(( $(date +%s) - t0 ))s; outputs in $out"
[ "$skip" -eq 0 ] || log "$skip of the passed were skipped (# SKIP)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
