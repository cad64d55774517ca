#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a UML kernel with the host's root through hostfs and run one guest
# script as part of memlab's init.
# Usage: scripts/uml-boot.sh <uml build dir> <memlab.ko> <guest script> <outdir> [timeout s]
#
# The guest script's stdout lands in <outdir>/guest.tap, its exit status in
# <outdir>/guest.rc, the kernel log in <outdir>/dmesg.txt and the console in
# <outdir>/console.log.  Exit status: 0 when the guest finished in time, 1
# otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

kdir="${1:?uml dir}" ko="${2:?memlab.ko}" script="${3:?guest script}" out="${4:?outdir}"
limit="${5:-300}"
mkdir -p "$out"
rm -f "$out/guest.done" "$out/guest.tap" "$out/guest.rc" "$out/dmesg.txt"
ko="$(realpath "$ko")" script="$(realpath "$script")" out="$(realpath "$out")"

# UML keeps guest RAM in a file under TMPDIR; give it a private directory.
tmp="$(mktemp -d)"
rc=0
TMPDIR="$tmp" timeout -k 10 "$limit" "$kdir/linux" mem="${MEMLAB_UML_MEM:-384M}" rootfstype=hostfs rootflags=/ rw \
	log_buf_len=4M loglevel=7 printk.time=1 init="$here/guest/uml-init.sh" \
	MEMLAB_KO="$ko" MEMLAB_SCRIPT="$script" MEMLAB_OUT="$out" \
	MEMLAB_ENV=uml MEMLAB_TRACE="$(dirname "$here")/tools/sample.trace" \
	MEMLAB_REAL_TRACE="$(dirname "$here")/tools/testing/data/kmem-x86.trace.gz" con=null con0=fd:0,fd:1 </dev/null >"$out/console.log" 2>&1 || rc=$?
rm -rf "$tmp"
if [ ! -f "$out/guest.done" ]; then
	[ $rc -ne 124 ] || log "UML guest timed out after ${limit}s"
	log "UML guest did not finish (exit $rc); console: $out/console.log"
	tail -20 "$out/console.log" >&2 || true
	exit 1
fi
exit 0
