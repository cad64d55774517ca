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
#   4. pack busybox-static, memlab.ko, scripts/guest/check.sh and an /init
#      into <outdir>/initrd.gz;
#   5. boot it under QEMU with a time limit: the kernel's serial console
#      (ttyS0) goes to <outdir>/console.log, a second serial port (ttyS1)
#      that only the guest's /init writes to goes to <outdir>/guest.log;
#   6. pull the guest's results and kernel log out of guest.log and write
#      <outdir>/results.tap ("ok - ..." / "not ok - ...", one line a check).
#
# Set MEMLAB_QEMU_KVER (e.g. 6.12.117+deb12) to pin the kernel instead of
# taking the newest; MEMLAB_QEMU_TIMEOUT (seconds, default 300) bounds the boot.
#
# Exit status: 0 when every check is "ok", 1 otherwise (2 for usage errors).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"

[ $# -eq 1 ] || { echo "usage: scripts/qemu-check.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
# Kbuild's M= cannot cope with blanks in the path.
case "$out" in *[[:space:]]*) die "<outdir> must not contain blanks: '$out'" ;; esac

timeout_s="${MEMLAB_QEMU_TIMEOUT:-300}"
# Every line the guest sends the host starts with this marker and a kind.
M='@@memlab-qemu@@'

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

# --- 4. initramfs -------------------------------------------------------------------
root="$out/initramfs"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,out}
cp "$(command -v busybox)" "$root/bin/busybox"
# busybox-static is statically linked: nothing else is needed to run it.
# Link every applet it has, so check.sh may use whatever busybox offers.
for applet in $(busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cp "$out/src/memlab.ko" "$root/memlab.ko"
cp "$here/guest/check.sh" "$root/check.sh"
cp "$repo/tools/sample.trace" "$root/sample.trace"

# /init runs as PID 1.  Everything the host needs goes out on the second
# serial port, ttyS1, as lines "$M <kind> <payload>": the checks' results,
# the files check.sh leaves in $MEMLAB_OUT, the whole kernel log, and the
# begin and end of the run.  Not on the console: the kernel prints there
# whenever it likes, even in the middle of a line of ours.  Exiting PID 1
# panics the kernel; panic=-1 and QEMU's -no-reboot then end the run, so
# that is the fallback should poweroff fail.
cat >"$root/init" <<EOF
#!/bin/sh
# memlab QEMU guest init; generated by scripts/qemu-check.sh.
export PATH=/bin
M='$M'
EOF
cat >>"$root/init" <<'EOF'
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /out
mount -t tmpfs tmpfs /tmp

# Booted "quiet"; from here on, every kernel message goes to the console as
# it is printed: console.log then holds the run's log even when the guest
# hangs or panics before it can send its own copy.
dmesg -n 8

# fd 3: the channel to the host.  Raw, so the tty adds no CRs; should ttyS1
# be missing, the console will do (the host looks there too).
if [ -c /dev/ttyS1 ] && exec 3>/dev/ttyS1; then
	stty -F /dev/ttyS1 raw -echo
else
	echo "memlab init: no /dev/ttyS1; results go to the console"
	exec 3>&1
fi

# check.sh clears the ring buffer ("dmesg -c") between checks, so a dmesg at
# the end would miss earlier reports.  Readers of /dev/kmsg each have their
# own position and are not affected by the clearing: copy it from boot on.
cat /dev/kmsg >/tmp/kmsg.raw &
kmsg_pid=$!

echo "$M begin" >&3
# check.sh's stdout is its results; its stderr (insmod's complaints) goes to
# the console, next to the kernel's messages.
{
	MEMLAB_KO=/memlab.ko MEMLAB_OUT=/out MEMLAB_ENV=qemu MEMLAB_TRACE=/sample.trace sh /check.sh
	echo $? >/tmp/check.rc
} | while IFS= read -r line; do
	echo "$M result $line" >&3
done
echo "$M check-exit $(cat /tmp/check.rc 2>/dev/null || echo missing)" >&3

# Files check.sh saved for the host (arena dumps, KUnit KTAP, kmemleak).
for f in /out/*; do
	[ -f "$f" ] || continue
	sed "s|^|$M file ${f##*/} |" "$f" >&3
done

# Let cat drain the last records, then send the whole log.
sleep 1
kill $kmsg_pid
echo "$M dmesg-begin" >&3
sed "s|^|$M dmesg |" /tmp/kmsg.raw >&3
echo "$M dmesg-end" >&3
echo "$M end" >&3
# Closing a serial tty waits until its output has gone out: nothing is lost
# to the power-off.
exec 3>&-
poweroff -f
echo o >/proc/sysrq-trigger
sleep 10
EOF
chmod 755 "$root/init" "$root/check.sh"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out/initrd.gz"

# --- 5. boot ------------------------------------------------------------------------
# Software emulation on purpose: no KVM on these machines.  -no-reboot turns
# the guest's power-off (or a panic, with panic=-1) into QEMU exiting; the
# timeout catches a guest that hangs.  The first -serial is what -nographic
# would set up by itself (console and QEMU monitor on stdio); the second is
# the guest's channel to the host.  -nic none: no network is needed, and it
# spares probing a NIC and loading its option ROM.
#
# oops=panic: after an oops in module code the module is left half-loaded
# and the next insmod waits for it forever; end the run at once instead of
# at the timeout.  For the same reason a task stuck in D state (a deadlock,
# say) for 30 s panics, and prints where it is stuck.
kargs="console=ttyS0 quiet panic=-1 oops=panic"
kargs+=" hung_task_panic=1 sysctl.kernel.hung_task_timeout_secs=30 rdinit=/init"
log "booting $kname under QEMU (TCG, limit ${timeout_s} s)"
t=$(date +%s)
qemu_rc=0
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-m 512 -nographic -no-reboot -nic none \
	-serial mon:stdio -serial "file:$out/guest.log" \
	-kernel "$vmlinuz" -initrd "$out/initrd.gz" \
	-append "$kargs" \
	</dev/null >"$out/console.log" 2>&1 || qemu_rc=$?
boot_s=$(since "$t")
log "QEMU exited with status $qemu_rc after $boot_s s"

# --- 6. results -----------------------------------------------------------------------
# The console ends lines with CR LF; strip the CRs in case the guest had to
# fall back to it.  Here-strings below, not "printf | grep -q": under
# pipefail, grep -q quitting early would SIGPIPE the printf and turn a match
# into a failure.
console="$(tr -d '\r' <"$out/console.log")"
data=""
[ -f "$out/guest.log" ] && data="$(tr -d '\r' <"$out/guest.log")"
grep -q "^$M begin\$" <<<"$data" || data="$console"
marked() { # marked <kind>: the payload of each "$M <kind> " line
	sed -n "s/^$M $1 //p" <<<"$data"
}

n_guest=0
while IFS= read -r line; do
	case "$line" in
	"ok - "* | "not ok - "*)
		echo "$line" >>"$tap"
		n_guest=$((n_guest + 1))
		;;
	*) log "guest said: $line" ;;
	esac
done < <(marked result)

check_rc="$(marked check-exit | tail -n 1)"
if ! grep -q "^$M end\$" <<<"$data"; then
	if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
		tap_notok "guest finished (timed out after $timeout_s s)"
	else
		tap_notok "guest finished (no end marker; QEMU status $qemu_rc; see console.log)"
	fi
elif [ "$check_rc" != 0 ]; then
	tap_notok "guest finished (check.sh exited with status $check_rc)"
elif [ "$n_guest" -eq 0 ]; then
	tap_notok "guest finished (check.sh reported no results)"
else
	tap_ok "guest finished"
fi

# Files from the guest's MEMLAB_OUT, for a look afterwards.
mkdir -p "$out/guest"
marked file | awk -v dir="$out/guest" '
	$1 ~ /^[A-Za-z0-9._-]+$/ {
		name = $1
		sub(/^[^ ]+ ?/, "")
		print > (dir "/" name)
	}'

# /dev/kmsg records read "prio,seq,usec,flags;text", with continuation lines
# (" KEY=value") after some; turn them into dmesg's "[sec.usec] text".  Without
# the dump (crash, hang) the console is the best log there is: with "quiet"
# it still holds errors, oopses and panics.
if grep -q "^$M dmesg-end\$" <<<"$data"; then
	marked dmesg | awk '
		/^ / { next }
		{
			i = index($0, ";")
			split(substr($0, 1, i - 1), h, ",")
			printf "[%5d.%06d] %s\n", int(h[3] / 1000000), h[3] % 1000000, substr($0, i + 1)
		}' >"$out/dmesg.txt"
else
	grep -v "$M" <<<"$console" >"$out/dmesg.txt" || true
	log_note=" (console only: the guest sent no kernel log)"
fi
if bash "$here/scan-log.sh" "$out/dmesg.txt" >"$out/scan-log.txt" 2>&1; then
	tap_ok "kernel log clean${log_note:-}"
else
	tap_notok "kernel log clean${log_note:-}"
	log "kernel log reports (dmesg.txt line: text):"
	head -n 20 "$out/scan-log.txt" | sed 's/^/[memlab]   /' >&2
	n=$(wc -l <"$out/scan-log.txt")
	[ "$n" -le 20 ] || log "... $((n - 20)) more in $out/scan-log.txt"
fi

log "guest: $n_guest checks; boot+checks+poweroff $boot_s s"
finish
