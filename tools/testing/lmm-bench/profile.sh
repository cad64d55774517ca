#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One callgrind run with cache simulation per extent count, collecting only
# lmm_bench_loop() (lmm_bench_collect(): PAIRS alloc+free pairs after a warm-up); prints per pair
# the instructions (Ir), data reads and writes (Dr, Dw), L1d misses
# (D1mr + D1mw) and last-level misses (DLmr + DLmw), then the functions the
# misses come from at the largest n.  Called by `make profile`.
set -eu
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
out="$O/profile-$KIND"
mkdir -p "$out"
printf '%-8s %10s %10s %10s %10s %10s\n' n Ir/pair Dr/pair Dw/pair D1miss/pair LLmiss/pair
for n in $NS; do
	f="$out/callgrind.$n.out"
	valgrind --tool=callgrind --cache-sim=yes --D1="$D1" --LL="$LL" \
		--toggle-collect=lmm_bench_collect --callgrind-out-file="$f" \
		"$O/lmm_bench" -c -k "$KIND" -p "$PAIRS" "$n" >"$out/run.$n.log" 2>&1
	callgrind_annotate --inclusive=no "$f" >"$out/annotate.$n.txt"
	# the totals line: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
	awk -v n="$n" -v p="$PAIRS" '/^summary:/ {
		gsub(",", "");
		printf "%-8s %10.1f %10.1f %10.1f %10.2f %10.2f\n", n, $2 / p, $3 / p, $4 / p,
			($6 + $7) / p, ($9 + $10) / p
	}' "$f"
done
echo
echo "per function at the largest n ($out/annotate.*.txt has every n):"
awk '/file:function/ { on = 1 } on && NF == 0 { exit } on' "$out/annotate.$n.txt" |
	sed -e 's| \[[^]]*\]$||' -e "s|$REPO/||" | cut -c1-200 | head -n 30
