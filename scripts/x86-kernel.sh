#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) memlab's x86_64 test kernel and print its build directory.
# Usage: scripts/x86-kernel.sh
#
# The kernel is `allnoconfig` plus scripts/config/x86-check.config (SMP,
# PREEMPT_RT, KASAN, lockdep, kmemleak, KUnit, CMA, fault injection, ftrace),
# built from Debian's linux-source-6.12.  It lives in
# $MEMLAB_CACHE/x86-check-<source version>-<config hash>, outside the
# repository; a cold build takes about 10 minutes on 2 cores and prints
# progress to stderr every 30 seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

frag="$here/config/x86-check.config"
src="$(linux_source_tree)"
ver="$(linux_source_version)"
hash="$(cat "$frag" "$here/x86-kernel.sh" | sha256sum | cut -c1-12)"
out="$MEMLAB_CACHE/x86-check-$ver-$hash"

if [ -f "$out/.memlab-built" ] && [ -f "$out/arch/x86/boot/bzImage" ]; then
	log "x86 kernel cached: $out"
	echo "$out"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
log "building the x86_64 test kernel from linux-source $ver in $out (cold: ~10 minutes on 2 cores)"
make -s -C "$src" O="$out" KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null

# Every line of the fragment must have survived allnoconfig's dependency pass.
bad=0
while read -r line; do
	case "$line" in
	*=n) ! grep -q "^${line%%=*}=" "$out/.config" || { log "config: $line did not stick"; bad=1; } ;;
	*) grep -qx "$line" "$out/.config" || { log "config: $line did not stick"; bad=1; } ;;
	esac
done < <(grep -E '^CONFIG_' "$frag")
[ $bad -eq 0 ] || die "x86 config is incomplete; see above"

start=$(date +%s)
# `all` builds bzImage and writes Module.symvers for out-of-tree modules.
make -C "$src" O="$out" -j"$(nproc)" all >"$out/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 30
	objs=$(find "$out" -name '*.o' 2>/dev/null | wc -l)
	log "x86 build: $(( $(date +%s) - start ))s, $objs objects so far"
done
if ! wait $pid; then
	tail -30 "$out/build.log" >&2
	die "x86 kernel build failed; log: $out/build.log"
fi
touch "$out/.memlab-built"
log "x86 kernel built in $(( $(date +%s) - start ))s"
echo "$out"
