#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) a UML kernel for memlab and print its build directory.
# Usage: scripts/uml-kernel.sh check|bench
#
# The kernel lives in $MEMLAB_CACHE/uml-<flavour>-<source version>-<config hash>,
# outside the repository, so a warm run costs nothing.  A cold build takes
# about 9 minutes on 2 cores; progress goes to stderr once a minute.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

flavour="${1:-check}"
frag="$here/config/uml-$flavour.config"
[ -f "$frag" ] || die "unknown UML flavour '$flavour' (check or bench)"

src="$(linux_source_tree)"
ver="$(linux_source_version)"
hash="$( (cat "$frag" "$here/uml-kernel.sh"; patches_hash) | sha256sum | cut -c1-12)"
out="$MEMLAB_CACHE/uml-$flavour-$ver-$hash"

if [ -f "$out/.memlab-built" ] && [ -x "$out/linux" ]; then
	log "UML $flavour kernel cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$out"
log "building UML $flavour kernel from linux-source $ver in $out (cold: ~9 minutes on 2 cores)"
make -s -C "$src" ARCH=um O="$out" defconfig >/dev/null
# Apply the fragment with scripts/config, then let olddefconfig settle dependencies.
args=()
while read -r line; do
	case "$line" in
	CONFIG_*=y) args+=(--enable "${line%%=*}") ;;
	CONFIG_*=n) args+=(--disable "${line%%=*}") ;;
	CONFIG_*=*) args+=(--set-val "${line%%=*}" "${line#*=}") ;;
	esac
done < <(grep -E '^CONFIG_' "$frag")
"$src/scripts/config" --file "$out/.config" "${args[@]}"
make -s -C "$src" ARCH=um O="$out" olddefconfig >/dev/null

# Every line of the fragment but =n must have survived olddefconfig.
bad=0
while read -r line; do
	grep -qx "$line" "$out/.config" || { log "config: $line did not stick"; bad=1; }
done < <(grep -E '^CONFIG_.*=[^n]' "$frag")
[ $bad -eq 0 ] || die "UML $flavour config is incomplete; see above"

jobs="$(nproc)"
start=$(date +%s)
make -C "$src" ARCH=um O="$out" -j"$jobs" >"$out/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 30
	objs=$(find "$out" -name '*.o' 2>/dev/null | wc -l)
	log "UML $flavour build: $(( $(date +%s) - start ))s, $objs objects so far"
done
if ! wait $pid; then
	tail -30 "$out/build.log" >&2
	die "UML $flavour kernel build failed; log: $out/build.log"
fi
touch "$out/.memlab-built"
log "UML $flavour kernel built in $(( $(date +%s) - start ))s"
echo "$out"
