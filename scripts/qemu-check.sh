#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Test memlab.ko on Debian's stock kernel under QEMU (software emulation, no
# KVM): the "insmod on a dev box" environment.  No KUnit, no KASAN, no CMA
# here; what this run proves is that the module builds against a distribution
# kernel's headers, loads, works through debugfs and unloads on a real
# x86_64 kernel, and that the kernel log stays clean meanwhile.
#
# Usage: scripts/qemu-check.sh <outdir>
#
# Steps:
#   1. install the host packages (scripts/deps.sh qemu);
#   2. pick the newest Debian kernel <ver> for which both the headers and the
#      unsigned image are in apt; install the headers, fetch the image into
#      $MEMLAB_CACHE/qemu/<ver>/ (once) for its boot/vmlinuz;
#   3. build memlab.ko against the headers in <outdir>/src;
#   4. pack busybox-static, memlab.ko, scripts/guest/check.sh and
#      scripts/guest/qemu-init.sh as /init into <outdir>/initrd.gz;
#   5. boot it under QEMU with 4 CPUs and a time limit: the kernel's serial
#      console (ttyS0) goes to <outdir>/console.log, a second serial port
#      (ttyS1) that only the guest's /init writes to goes to <outdir>/guest.log;
#   6. pull the guest's results and kernel log out of guest.log and write
#      <outdir>/results.tap ("ok - ..." / "not ok - ...", one line a check).
# Steps 4-6 live in scripts/qemu-lib.sh, shared with x86-check.sh.
#
# Set MEMLAB_QEMU_KVER (e.g. 6.12.117+deb12) to pin the kernel instead of
# taking the newest; MEMLAB_QEMU_TIMEOUT (seconds, default 300) bounds the boot.
#
# Exit status: 0 when every check is "ok", 1 otherwise (2 for usage errors).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
. "$here/qemu-lib.sh"

[ $# -eq 1 ] || { echo "usage: scripts/qemu-check.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
# Kbuild's M= cannot cope with blanks in the path.
case "$out" in *[[:space:]]*) die "<outdir> must not contain blanks: '$out'" ;; esac

timeout_s="${MEMLAB_QEMU_TIMEOUT:-300}"

t_start=$(date +%s)
since() { echo $(( $(date +%s) - $1 )); }

# Start from a clean slate, but only remove what this script creates: <outdir>
# may be a directory the caller keeps other things in.
rm -rf "$out/src" "$out/initramfs" "$out/guest"
rm -f "$out/results.tap" "$out/build.log" "$out/initrd.gz" \
	"$out/console.log" "$out/guest.log" "$out/dmesg.txt" "$out/scan-log.txt"

tap="$out/results.tap"
: >"$tap"
tap_ok() { echo "ok - $*" >>"$tap"; }
tap_notok() { echo "not ok - $*" >>"$tap"; }

# Print the human summary and exit 0 if results.tap holds no "not ok".
finish() {
	local n_ok n_bad
	n_ok=$(grep -c '^ok - ' "$tap" || true)
	n_bad=$(grep -c '^not ok - ' "$tap" || true)
	log "qemu-check on ${ver:-?}: $n_ok ok, $n_bad not ok, $(since "$t_start") s wall"
	if [ "$n_bad" -ne 0 ]; then
		grep '^not ok - ' "$tap" | sed 's/^/[memlab]   /' >&2
		log "details: $out (build.log, console.log, guest.log, dmesg.txt)"
		exit 1
	fi
	log "all passed; results: $tap"
	exit 0
}

# --- 1. host packages ----------------------------------------------------------
bash "$here/deps.sh" qemu || die "missing host packages (see above)"

# Wait for another apt/dpkg run (e.g. a concurrent deps.sh) instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600)

# --- 2. kernel: headers installed, image unpacked in the cache ------------------
# Debian version strings of the generic amd64 flavour: 6.1.0-56, 6.12.117+deb12.
# The pattern rejects the -cloud and -rt flavours and the 6.12 meta-packages.
ver_re='[0-9]+\.[0-9]+\.[0-9]+[-+][^-]*'

# Print candidate versions, newest first: those with both a headers and an
# unsigned image package name known to apt.
candidates() {
	comm -12 \
		<(apt-cache pkgnames linux-headers- |
		  sed -nE "s/^linux-headers-($ver_re)-amd64\$/\\1/p" | sort -u) \
		<(apt-cache pkgnames linux-image- |
		  sed -nE "s/^linux-image-($ver_re)-amd64-unsigned\$/\\1/p" | sort -u) |
		sort -rV
}

# A name apt merely knows of (e.g. from a Depends line) is not downloadable:
# take the newest candidate that apt-cache can actually show.
resolve_version() {
	local v
	for v in $(candidates); do
		if apt-cache show --no-all-versions "linux-headers-$v-amd64" >/dev/null 2>&1 &&
		   apt-cache show --no-all-versions "linux-image-$v-amd64-unsigned" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

if [ -n "${MEMLAB_QEMU_KVER:-}" ]; then
	ver="$MEMLAB_QEMU_KVER"
	log "kernel pinned by MEMLAB_QEMU_KVER: $ver"
else
	if ! ver="$(resolve_version)"; then
		# A fresh machine may never have fetched the package lists.
		[ "$(id -u)" -eq 0 ] || die "no linux-headers/linux-image-unsigned pair found in apt; run 'apt-get update' as root"
		log "no kernel found in apt's lists; running apt-get update"
		apt-get update -qq >/dev/null
		ver="$(resolve_version)" || die "no Debian kernel with both linux-headers-<ver>-amd64 and linux-image-<ver>-amd64-unsigned in apt"
	fi
	log "kernel: newest Debian amd64 kernel in apt is $ver"
fi

kname="$ver-amd64"
kdir="/usr/src/linux-headers-$kname"
if ! dpkg-query -W -f='${Status}' "linux-headers-$kname" 2>/dev/null | grep -q 'install ok installed' ||
   [ ! -f "$kdir/Makefile" ]; then
	[ "$(id -u)" -eq 0 ] ||
		die "linux-headers-$kname is not installed; run as root or: sudo apt-get install linux-headers-$kname"
	# Heavy the first time: the headers package depends on a kernel image
	# package, so apt also installs linux-image-<ver>-amd64 into /boot with
	# initramfs-tools (and udev), and runs mkinitramfs: minutes, not seconds.
	log "installing linux-headers-$kname (pulls in linux-image-$kname; a few minutes)"
	t=$(date +%s)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${apt_opts[@]}" "linux-headers-$kname" >/dev/null ||
		die "apt-get install linux-headers-$kname failed"
	log "headers installed in $(since "$t") s"
fi
[ -f "$kdir/Makefile" ] || die "$kdir/Makefile missing after installing linux-headers-$kname"

# The image package need not be installed (it would want a bootloader and an
# initramfs tool): download it and unpack it into the cache, once per version.
kcache="$MEMLAB_CACHE/qemu/$ver"
vmlinuz="$kcache/boot/vmlinuz-$kname"
if [ ! -f "$kcache/.memlab-extracted" ] || [ ! -f "$vmlinuz" ]; then
	log "fetching linux-image-$kname-unsigned into $kcache"
	t=$(date +%s)
	rm -rf "$kcache"
	mkdir -p "$kcache"
	dl_opts=(-q)
	# As root, apt drops to the _apt user to download, and _apt cannot write
	# under /root: say so up front rather than get a notice on every run.
	[ "$(id -u)" -eq 0 ] && dl_opts+=(-o APT::Sandbox::User=root)
	# stdout of this script is kept clean: apt's progress goes to stderr.
	(cd "$kcache" && apt-get download "${dl_opts[@]}" "linux-image-$kname-unsigned" >&2) ||
		die "apt-get download linux-image-$kname-unsigned failed"
	deb="$(ls "$kcache"/linux-image-"$kname"-unsigned_*.deb)"
	dpkg-deb -x "$deb" "$kcache" || die "dpkg-deb -x $deb failed"
	# The unpacked tree (boot/, lib/modules/) is the cache; the .deb is not needed.
	rm -f "$deb"
	[ -f "$vmlinuz" ] || die "$vmlinuz not found in the image package"
	touch "$kcache/.memlab-extracted"
	log "image unpacked in $(since "$t") s"
else
	log "kernel image cached: $vmlinuz"
fi

# --- 3. build memlab.ko against the stock headers --------------------------------
# Build from a copy so that the working tree gets no build products and a
# concurrent UML build in the tree cannot clash with this one.
bash "$here/copy-module.sh" "$repo" "$out/src"
log "building memlab.ko against $kdir"
t=$(date +%s)
build_ok=1
make -C "$kdir" M="$out/src" modules >"$out/build.log" 2>&1 || build_ok=0
# Show the whole (short) build output, so warnings are seen, not only counted.
sed 's/^/[build] /' "$out/build.log" >&2
n_warn=$(grep -c 'warning:' "$out/build.log" || true)
if [ $build_ok -eq 1 ] && [ -f "$out/src/memlab.ko" ]; then
	tap_ok "build memlab.ko against $ver"
	log "build done in $(since "$t") s, $n_warn warning(s)"
else
	tap_notok "build memlab.ko against $ver"
	log "build failed; log: $out/build.log"
	finish
fi

# --- 4. initramfs, 5. boot, 6. results (scripts/qemu-lib.sh) ----------------------
# Four CPUs under multi-threaded TCG: the non-RT SMP dev box.
qemu_pack "$out" "$out/src/memlab.ko"
log "booting $kname under QEMU (TCG, 4 CPUs, limit ${timeout_s} s)"
qemu_boot "$out" "$vmlinuz" 4 1024 "$timeout_s" "MEMLAB_ENV=stock"
log "QEMU exited with status $qemu_rc after $boot_s s"
qemu_collect "$out" "$tap" "$ver"
finish
