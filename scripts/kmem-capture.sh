#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Capture a kmem:kmalloc/kfree trace of real work in memlab's x86_64 test
# kernel (scripts/x86-kernel.sh, cached) under QEMU, and convert it into a
# replay trace with tools/kmem2trace.py.  This is how
# tools/testing/data/boot-x86.trace.gz was made.
#
# Usage: scripts/kmem-capture.sh <outdir>
#
# The guest boots with trace_event=kmem:kmalloc,kmem:kfree (events from
# early boot on), trace_buf_size=64M and no_hash_pointers (the events
# before pointer hashing is ready would print "(____ptrval____)"; only ids
# reach the converted trace), runs
# scripts/guest/kmem-capture-init.sh as /init (a shell workload, a memlab
# load with one workload, an unload), and sends the trace back over the
# second serial port.  Leaves <outdir>/kmem.raw.gz (the tracefs text),
# <outdir>/stats.txt (per-CPU ring buffer statistics: overruns must be 0)
# and <outdir>/kmem.trace (the replay trace, balanced with --free-all).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"
. "$here/qemu-lib.sh"

[ $# -eq 1 ] || { echo "usage: scripts/kmem-capture.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
M='@@memlab-kmem@@'

kdir="$(bash "$here/x86-kernel.sh")"
rm -rf "$out/src"
bash "$here/copy-module.sh" "$repo" "$out/src"
make -C "$kdir" M="$out/src" modules >"$out/build.log" 2>&1 || die "memlab.ko does not build; see $out/build.log"

qemu_root "$out/initramfs" "$here/guest/kmem-capture-init.sh"
cp "$out/src/memlab.ko" "$out/initramfs/memlab.ko"
qemu_cpio "$out/initramfs" "$out/initrd.gz"

log "booting the x86 test kernel with kmem:kmalloc,kmem:kfree traced (TCG, 4 CPUs)"
qemu_boot "$out" "$kdir/arch/x86/boot/bzImage" 4 2048 "${MEMLAB_X86_TIMEOUT:-1800}" \
	"trace_event=kmem:kmalloc,kmem:kfree trace_buf_size=64M no_hash_pointers"
log "QEMU exited with status $qemu_rc after $boot_s s"
grep -q "^$M end" "$out/guest.log" || die "the guest sent no complete trace; see $out/console.log"
sed -n "s/^$M stats //p" "$out/guest.log" >"$out/stats.txt"
sed -n "s/^$M b64 //p" "$out/guest.log" | tr -d '\r' | base64 -d >"$out/kmem.raw.gz"
if awk '$2 == "overrun:" && $3 != 0 { bad = 1 } END { exit !bad }' "$out/stats.txt"; then
	log "warning: the ring buffer overran; events were lost (see $out/stats.txt)"
fi
# The ring buffer's own page descriptors, kmalloc'ed as it grows to
# trace_buf_size once the events are on, are the tracing's work, not the
# guest's: dropped.
zcat "$out/kmem.raw.gz" | grep -v 'call_site=__rb_allocate_pages' | python3 "$repo/tools/kmem2trace.py" --free-all -o "$out/kmem.trace"
log "replay trace: $out/kmem.trace ($(wc -l <"$out/kmem.trace") operations)"
