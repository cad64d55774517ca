#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Test memlab.ko on Debian's stock kernel under QEMU (software emulation, no
# KVM): the "insmod on a dev box" environment.  No KUnit, no KASAN, no CMA
# here; what this run proves is that the module builds against a distribution
# kernel's headers, loads, works through debugfs and unloads on a real
# x86_64 kernel, and that the kernel log stays clean meanwhile.
#
# Usage: scripts/qemu-check.sh <series> <outdir>
#        scripts/qemu-check.sh --kernel <series>
# <series> is 6.1 (Debian 12's default kernel, 6.1.0-<abi>) or 6.12 (the
# bookworm 6.12.<n>+deb12 backport).  With --kernel, only step 2 runs and the
# script prints "<ver> <headers dir>" (e.g. "6.1.0-57
# ~/.cache/memlab/qemu/6.1.0-57/usr/src/linux-headers-6.1.0-57-amd64") for
# scripts/dkms-check.sh.
#
# Steps:
#   1. install the host packages (scripts/deps.sh qemu: compiler, pahole, QEMU;
#      no kernel package);
#   2. pick the newest Debian kernel <ver> of the series for which both the
#      headers and the unsigned image are in apt; `apt-get download` the image,
#      the headers and the packages the headers depend on (linux-headers-
#      <ver>-common, linux-kbuild-*) and `dpkg-deb -x` them all into
#      $MEMLAB_CACHE/qemu/<ver>/ (once): nothing is installed on the host.  The
#      absolute paths in the headers (the build/source symlinks, the include
#      of the -common Makefile) are pointed into the cache;
#   3. build memlab.ko against the unpacked headers in <outdir>/src;
#   4. pack busybox-static, memlab.ko, scripts/guest/check.sh and
#      scripts/guest/qemu-init.sh as /init into <outdir>/initrd.gz;
#   5. boot it under QEMU with 4 CPUs and a time limit: the kernel's serial
#      console (ttyS0) goes to <outdir>/console.log, a second serial port
#      (ttyS1) that only the guest's /init writes to goes to <outdir>/guest.log;
#   6. pull the guest's results and kernel log out of guest.log and write
#      <outdir>/results.tap: KTAP (scripts/ktap_helpers.sh), the host's
#      checks and the guest's nested as a subtest.
# One function a step, named for it (install_host_packages, fetch_kernel,
# build_module, pack_initramfs, boot_guest, collect_results), called in
# order at the end; steps 4-6 call scripts/qemu-lib.sh, shared with
# x86-check.sh.
#
# Set MEMLAB_QEMU_KVER (e.g. 6.1.0-56 or 6.12.115+deb12) to pin the kernel of
# its own series instead of taking the newest; MEMLAB_QEMU_TIMEOUT (seconds,
# default 300) bounds the boot.
#
# Exit status: 0 when every check is "ok", 1 otherwise (2 for usage errors).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"
. "$here/qemu-lib.sh"

usage() {
	echo "usage: scripts/qemu-check.sh 6.1|6.12 <outdir>" >&2
	echo "       scripts/qemu-check.sh --kernel 6.1|6.12" >&2
	exit 2
}
kernel_only=0
if [ $# -eq 2 ] && [ "$1" = --kernel ]; then
	kernel_only=1
	series="$2"
elif [ $# -eq 2 ]; then
	series="$1"
else
	usage
fi
# Debian version strings of the generic amd64 flavour of each series:
# 6.1.0-57 (package linux-image-6.1.0-57-amd64-unsigned), 6.12.117+deb12.
# The patterns reject the -cloud and -rt flavours and the meta-packages.
case "$series" in
6.1) ver_re='6\.1\.0-[0-9]+' ;;
6.12) ver_re='6\.12\.[0-9]+\+deb12' ;;
*) usage ;;
esac

timeout_s="${MEMLAB_QEMU_TIMEOUT:-300}"
t_start=$(date +%s)
since() { echo $(( $(date +%s) - $1 )); }

# Start from a clean slate, but only remove what this script creates: <outdir>
# may be a directory the caller keeps other things in.
start_results() { # start_results <outdir>
	mkdir -p "$1"
	out="$(cd "$1" && pwd)"
	# Kbuild's M= cannot cope with blanks in the path.
	case "$out" in *[[:space:]]*) die "<outdir> must not contain blanks: '$out'" ;; esac
	rm -rf "$out/src" "$out/initramfs" "$out/guest"
	rm -f "$out/results.tap" "$out/build.log" "$out/initrd.gz" "$out/guest.tap" \
		"$out/console.log" "$out/guest.log" "$out/dmesg.txt" "$out/scan-log.txt"
	KTAP_OUT="$out/results.tap"
	: >"$KTAP_OUT"
	ktap_print_header
}

# The human summary; the plan into results.tap; exit 0 if no check failed.
finish() {
	log "qemu-check on ${ver:-$series ?}: $KTAP_CNT_FAIL of $((KTAP_TESTNO - 1)) results not ok (the guest's checks are one), $(since "$t_start") s wall"
	if [ "$KTAP_CNT_FAIL" -ne 0 ]; then
		grep -E '^(    )?not ok ' "$KTAP_OUT" | sed 's/^ */[memlab]   /' >&2 || true
		log "details: $out (build.log, console.log, guest.log, dmesg.txt)"
	else
		log "all passed; results: $KTAP_OUT"
	fi
	ktap_finished
}

# --- 1. host packages ----------------------------------------------------------
# stdout is kept for the --kernel answer.
install_host_packages() {
	if [ $kernel_only -eq 1 ]; then
		bash "$here/deps.sh" headers >&2 || die "missing host packages (see above)"
	else
		bash "$here/deps.sh" qemu >&2 || die "missing host packages (see above)"
	fi
}

# --- 2. kernel: image and headers unpacked in the cache ---------------------------
# apt-cache reads all of apt's lists on every call (seconds on a busy
# machine): ask it few times, for many packages at once.
# apt_show <package>...: their records (the candidate version of each); the
# status is apt-cache's, non-zero if any of them is unknown.
apt_show() { apt-cache show --no-all-versions "$@" 2>/dev/null; }
# field <records> <package> <field>: one field of one package's record.
field() {
	awk -v p="$2" -v f="$3: " '
		/^Package: / { cur = $2 }
		cur == p && index($0, f) == 1 { print substr($0, length(f) + 1); exit }' <<<"$1"
}

# Print candidate versions of the series, newest first: those with both a
# headers and an unsigned image package name known to apt.
candidates() {
	local names
	names="$(apt-cache pkgnames linux-)"
	comm -12 \
		<(sed -nE "s/^linux-headers-($ver_re)-amd64\$/\\1/p" <<<"$names" | sort -u) \
		<(sed -nE "s/^linux-image-($ver_re)-amd64-unsigned\$/\\1/p" <<<"$names" | sort -u) |
		sort -rV
}

# A name apt merely knows of (e.g. from a Depends line) is not downloadable:
# take the newest candidate that apt-cache can actually show.  Sets ver, and
# recs to the records of its headers and image.
resolve_version() {
	local v
	for v in $(candidates); do
		if recs="$(apt_show "linux-headers-$v-amd64" "linux-image-$v-amd64-unsigned")"; then
			ver="$v"
			return 0
		fi
	done
	return 1
}

# Sets ver and recs: the kernel pinned by MEMLAB_QEMU_KVER, else the newest.
pick_version() {
	if [ -n "${MEMLAB_QEMU_KVER:-}" ] && grep -qxE "$ver_re" <<<"$MEMLAB_QEMU_KVER"; then
		ver="$MEMLAB_QEMU_KVER"
		log "kernel pinned by MEMLAB_QEMU_KVER: $ver"
		recs="$(apt_show "linux-headers-$ver-amd64" "linux-image-$ver-amd64-unsigned")" ||
			die "linux-headers-$ver-amd64 or linux-image-$ver-amd64-unsigned is not in apt"
		return 0
	fi
	if ! resolve_version; then
		# A fresh machine may never have fetched the package lists.
		[ "$(id -u)" -eq 0 ] || die "no $series linux-headers/linux-image-unsigned pair found in apt; run 'apt-get update' as root"
		log "no $series kernel found in apt's lists; running apt-get update"
		apt-get update -qq >/dev/null
		resolve_version || die "no Debian $series kernel with both linux-headers-<ver>-amd64 and linux-image-<ver>-amd64-unsigned in apt"
	fi
	log "kernel: newest Debian $series amd64 kernel in apt is $ver"
}

# The packages to unpack: the image, the headers, and what the headers depend
# on to build a module (linux-headers-<ver>-common, linux-kbuild-6.1 or
# linux-kbuild-<ver>), read from apt-cache rather than guessed.  The rest of
# their Depends (gcc-12, linux-base, linux-compiler-gcc-12-x86, and for 6.12
# an image package) is either in scripts/deps.sh or not needed: the image is
# unpacked here, not installed.
header_deps() {
	field "$recs" "linux-headers-$kname" Depends | tr ',|' '\n\n' | sed -E 's/^ +//; s/ .*//' |
		grep -E '^linux-(headers-.*-common.*|kbuild-.*)$' | sort -u
}

# What the cache must hold: each package at apt's candidate version, unpacked
# at this very path (the fix-ups below write absolute paths).
want_stamp() {
	local p
	echo "cache $kcache"
	for p in "${pkgs[@]}"; do
		echo "$p $(field "$recs" "$p" Version)"
	done
}

# Point the absolute paths of the unpacked packages into the cache: the
# lib/modules/<kname>/{build,source} symlinks (to /usr/src/...) become
# relative ones, and the headers' Makefile, "include /usr/src/linux-headers-
# <ver>-common/Makefile", includes the cache's copy.  The scripts/ and tools/
# symlinks to ../../lib/linux-kbuild-* are relative already.
fix_paths() { # fix_paths <staging dir> <final dir>
	local stage="$1" final="$2" link target mk inc
	while IFS= read -r -d '' link; do
		target="$(readlink "$link")"
		if [ -e "$stage$target" ]; then
			ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$stage$target")" "$link"
		fi
	done < <(find "$stage" -type l -lname '/*' -print0)
	mk="$stage/usr/src/linux-headers-$kname/Makefile"
	[ -f "$mk" ] || die "linux-headers-$kname has no Makefile at usr/src/linux-headers-$kname"
	while IFS= read -r inc; do
		[ -f "$stage$inc" ] || die "$mk includes $inc, which none of ${pkgs[*]} ships"
		sed -i "s|^include $inc\$|include $final$inc|" "$mk"
	done < <(sed -n 's|^include \(/[^ ]*\)$|\1|p' "$mk")
	if grep -qE '^include /usr/' "$mk"; then
		die "$mk still includes a file outside the cache: $(grep -E '^include /usr/' "$mk")"
	fi
}

# Download the packages and unpack them into the cache.
unpack_kernel() {
	local t stage deb dl_opts
	log "fetching ${pkgs[*]} into $kcache (no package is installed)"
	t=$(date +%s)
	stage="$kcache.new.$$"
	rm -rf "$stage"
	mkdir -p "$stage/debs"
	dl_opts=(-q)
	# As root, apt drops to the _apt user to download, and _apt cannot write
	# under /root: say so up front rather than get a notice on every run.
	[ "$(id -u)" -ne 0 ] || dl_opts+=(-o APT::Sandbox::User=root)
	# stdout of this script is kept clean: apt's progress goes to stderr.
	(cd "$stage/debs" && apt-get download "${dl_opts[@]}" "${pkgs[@]}" >&2) ||
		die "apt-get download ${pkgs[*]} failed"
	for deb in "$stage"/debs/*.deb; do
		dpkg-deb -x "$deb" "$stage" || die "dpkg-deb -x $deb failed"
	done
	# The unpacked trees are the cache; the .debs are not needed, nor are the
	# image's own modules (only its vmlinuz boots, with memlab's initramfs).
	rm -rf "$stage/debs" "$stage/lib/modules/$kname/kernel"
	[ -f "$stage/boot/vmlinuz-$kname" ] || die "boot/vmlinuz-$kname not found in linux-image-$kname-unsigned"
	fix_paths "$stage" "$kcache"
	echo "$stamp" >"$stage/.memlab-unpacked"
	rm -rf "$kcache"
	mv "$stage" "$kcache"
	log "kernel $ver downloaded and unpacked in $(since "$t") s ($(du -sh "$kcache" | cut -f1))"
}

# Sets ver, kname, kdir (the headers) and vmlinuz, all in the cache.
fetch_kernel() {
	pick_version
	kname="$ver-amd64"
	kcache="$MEMLAB_CACHE/qemu/$ver"
	kdir="$kcache/usr/src/linux-headers-$kname"
	vmlinuz="$kcache/boot/vmlinuz-$kname"
	pkgs=("linux-image-$kname-unsigned" "linux-headers-$kname")
	mapfile -t -O 2 pkgs < <(header_deps)
	[ ${#pkgs[@]} -ge 4 ] || die "linux-headers-$kname: expected a -common and a linux-kbuild package among its Depends, got: ${pkgs[*]:2}"
	recs+=$'\n'"$(apt_show "${pkgs[@]:2}")" || die "${pkgs[*]:2}: not all in apt"

	mkdir -p "$MEMLAB_CACHE/qemu"
	# One fetch at a time (qemu-check.sh and dkms-check.sh may run side by side).
	exec 9>"$MEMLAB_CACHE/qemu/.lock"
	flock 9
	stamp="$(want_stamp)"
	if [ "$(cat "$kcache/.memlab-unpacked" 2>/dev/null)" != "$stamp" ] ||
	   [ ! -f "$vmlinuz" ] || [ ! -f "$kdir/Makefile" ]; then
		unpack_kernel
	else
		log "kernel $ver cached: $kcache"
	fi
	exec 9>&-
}

# --- 3. build memlab.ko against the stock headers --------------------------------
# Build from a copy so that the working tree gets no build products and a
# concurrent UML build in the tree cannot clash with this one.  A failed
# build ends the run.
build_module() {
	local t build_ok=1 n_warn vermagic=""
	bash "$here/copy-module.sh" "$repo" "$out/src"
	log "building memlab.ko against $kdir"
	t=$(date +%s)
	make -C "$kdir" M="$out/src" modules >"$out/build.log" 2>&1 || build_ok=0
	# Show the whole (short) build output, so warnings are seen, not only counted.
	sed 's/^/[build] /' "$out/build.log" >&2
	n_warn=$(grep -c 'warning:' "$out/build.log" || true)
	# The module must be for this kernel (vermagic "6.1.0-57-amd64 SMP ..."), or
	# the guest's insmod would refuse it.
	[ ! -f "$out/src/memlab.ko" ] || vermagic="$(modinfo -F vermagic "$out/src/memlab.ko")"
	if [ $build_ok -eq 1 ] && [ "${vermagic%% *}" = "$kname" ]; then
		ktap_test_pass "build memlab.ko against $ver"
		log "build done in $(since "$t") s, $n_warn warning(s); vermagic $vermagic"
		# memlab.ko's exports are in the namespace MEMLAB, and memlab_bench.ko imports it.
		ktap_subtest_run "exports: scripts/exports-check.sh" "$out/exports.tap" \
			bash "$here/exports-check.sh" "$out/src" "$out/src/memlab_bench.ko"
	else
		ktap_test_fail "build memlab.ko against $ver"
		log "build failed (vermagic '$vermagic'); log: $out/build.log"
		finish
	fi
}

# --- 4. initramfs, 5. boot, 6. results (scripts/qemu-lib.sh) ----------------------
pack_initramfs() {
	qemu_pack "$out" "$out/src/memlab.ko"
}

# Four CPUs under multi-threaded TCG: the non-RT SMP dev box.
# Debian's stock kernels die now and then under multi-threaded TCG before
# any module loads ("Oops: int3" while static keys are patched, as
# x86-check.sh describes; seen on 6.12 at 2.6 s).  A boot that dies before
# the guest's /init runs is retried once, said as a "# retried" line in
# results.tap; a crash after /init started is never retried.
boot_guest() {
	local try why
	for try in 1 2; do
		log "booting $kname under QEMU (TCG, 4 CPUs, limit ${timeout_s} s; try $try)"
		qemu_boot "$out" "$vmlinuz" 4 1024 "$timeout_s" "MEMLAB_ENV=stock"
		log "QEMU exited with status $qemu_rc after $boot_s s"
		! qemu_started "$out" || return 0
		[ "$try" -eq 1 ] || return 0
		why="$(grep -a -m1 -E 'Oops|BUG:|Kernel panic' "$out/console.log" | tr -d '\r' || true)"
		ktap_print_msg "retried: the first boot died before /init ran (${why:-no message}); console saved as console-try1.log"
		log "$kname boot died before /init (${why:-no message}); retrying once"
		cp "$out/console.log" "$out/console-try1.log"
	done
}

collect_results() {
	qemu_collect "$out" "$ver"
}

if [ $kernel_only -eq 1 ]; then
	install_host_packages
	fetch_kernel
	echo "$ver $kdir"
	exit 0
fi
start_results "$2"
install_host_packages
fetch_kernel
build_module
pack_initramfs
boot_guest
collect_results
finish
