# SPDX-License-Identifier: GPL-2.0
# memlab's QEMU guest runs, shared by qemu-check.sh (Debian's stock kernels)
# and x86-check.sh (memlab's own SMP/RT debug kernel); sourced, not run.
#
#   qemu_root <dir> <init script>
#	an initramfs tree: busybox-static with every applet linked, <init
#	script> as /init (kmem-capture.sh packs its own guest with it)
#   qemu_cpio <dir> <initrd.gz>
#	that tree as a gzipped newc cpio archive
#   qemu_pack <outdir> <memlab.ko>
#	qemu_root with scripts/guest/qemu-init.sh as /init, memlab.ko (and
#	memlab_bench.ko from beside it), scripts/guest/check.sh (or
#	$MEMLAB_QEMU_GUEST) as /check.sh, scripts/ktap_helpers.sh, the bench
#	parameters in <outdir>/bench-args if there are any, the sample trace,
#	the real one -> <outdir>/initrd.gz; with MEMLAB_QEMU_PERF=1 also the
#	host's perf and the libraries it links (qemu_add_perf)
#   qemu_boot <outdir> <kernel image> <cpus> <MiB> <timeout s> [kernel args]
#	boots it under TCG: console (ttyS0) -> <outdir>/console.log, the guest's
#	own channel (ttyS1) -> <outdir>/guest.log; sets qemu_rc and boot_s
#   qemu_started <outdir>
#	true once the guest's /init ran (so the kernel booted)
#   qemu_collect <outdir> <label>
#	the guest's KTAP (kept as <outdir>/guest.tap) nested as a subtest, and
#	"guest finished" and "kernel log clean", as results of the KTAP
#	document in $KTAP_OUT; leaves guest/ (files), dmesg.txt and scan-log.txt
#
# Needs lib.sh and ktap_helpers.sh.  The marker below is also in
# scripts/guest/qemu-init.sh.

QEMU_M='@@memlab-qemu@@'
qemu_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

qemu_root() {
	local root="$1" applet
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,out,mnt}
	cp "$(command -v busybox)" "$root/bin/busybox"
	# busybox-static is statically linked: nothing else is needed to run
	# it.  Link every applet, so the guest may use whatever busybox offers.
	for applet in $(busybox --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	cp "$2" "$root/init"
	chmod 755 "$root/init"
}

qemu_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
}

qemu_pack() {
	local out="$1" ko="$2" root="$1/initramfs"
	qemu_root "$root" "$qemu_here/guest/qemu-init.sh"
	cp "$ko" "$root/memlab.ko"
	cp "$(dirname "$ko")/memlab_bench.ko" "$root/memlab_bench.ko"
	cp "${MEMLAB_QEMU_GUEST:-$qemu_here/guest/check.sh}" "$root/check.sh"
	cp "$qemu_here/ktap_helpers.sh" "$root/ktap_helpers.sh"
	# not in /out: the guest mounts a tmpfs there
	[ ! -f "$out/bench-args" ] || cp "$out/bench-args" "$root/bench-args"
	cp "$(dirname "$qemu_here")/tools/sample.trace" "$root/sample.trace"
	cp "$(dirname "$qemu_here")/tools/testing/data/kmem-x86.trace.gz" "$root/kmem-x86.trace.gz"
	chmod 755 "$root/check.sh"
	[ "${MEMLAB_QEMU_PERF:-0}" != 1 ] || qemu_add_perf "$root"
	qemu_cpio "$root" "$out/initrd.gz"
}

# The host's perf (Debian's linux-perf, 6.1: its user ABI reads any newer
# kernel) as /bin/perf, with every shared library ldd names at its own path,
# so the guest can profile (scripts/guest/bench.sh does when it finds
# /perf-profile).
qemu_add_perf() {
	local root="$1" perf lib
	perf="$(command -v perf)" || die "MEMLAB_QEMU_PERF=1: no perf on this machine (apt-get install linux-perf)"
	cp "$perf" "$root/bin/perf"
	: >"$root/perf-profile"
	for lib in $(ldd "$perf" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Software emulation on purpose: KVM does not work on these machines.
# -no-reboot turns the guest's power-off (or a panic, with panic=-1) into
# QEMU exiting; the timeout catches a guest that hangs.  The first -serial is
# what -nographic would set up by itself (console and monitor on stdio); the
# second is the guest's channel.  -nic none: no network is needed.
#
# oops=panic: after an oops in module code the module is left half-loaded
# and the next insmod waits for it forever; end the run at once instead of
# at the timeout.  For the same reason a task stuck in D state for 30 s
# panics, and prints where it is stuck.
qemu_boot() {
	local out="$1" kernel="$2" cpus="$3" mem="$4" limit="$5" extra="${6:-}" kargs t
	kargs="console=ttyS0 quiet panic=-1 oops=panic"
	kargs+=" hung_task_panic=1 sysctl.kernel.hung_task_timeout_secs=30 rdinit=/init $extra"
	rm -f "$out/console.log" "$out/guest.log"
	t=$(date +%s)
	qemu_rc=0
	timeout -k 10 "$limit" qemu-system-x86_64 \
		-accel tcg,thread=multi -smp "$cpus" -m "$mem" \
		-nographic -no-reboot -nic none \
		-serial mon:stdio -serial "file:$out/guest.log" \
		-kernel "$kernel" -initrd "$out/initrd.gz" \
		-append "$kargs" \
		</dev/null >"$out/console.log" 2>&1 || qemu_rc=$?
	boot_s=$(( $(date +%s) - t ))
}

qemu_started() {
	grep -q "^$QEMU_M begin" "$1/guest.log" 2>/dev/null
}

qemu_collect() {
	local out="$1" label="$2" console data line n_guest check_rc note="" why=""
	# The console ends lines with CR LF; strip the CRs in case the guest had
	# to fall back to it.  Here-strings below, not "printf | grep -q": under
	# pipefail, grep -q quitting early would SIGPIPE the printf.
	console="$(tr -d '\r' <"$out/console.log")"
	data=""
	[ -f "$out/guest.log" ] && data="$(tr -d '\r' <"$out/guest.log")"
	grep -q "^$QEMU_M begin\$" <<<"$data" || data="$console"
	qemu_marked() { sed -n "s/^$QEMU_M $1 //p" <<<"$data"; }

	# The guest's KTAP, as check.sh printed it; its diagnostics to the log.
	qemu_marked result >"$out/guest.tap"
	n_guest=$(grep -cE '^(not )?ok [0-9]+( |$)' "$out/guest.tap" || true)
	while IFS= read -r line; do
		log "$label guest said: $line"
	done < <(grep -E '^(# |Bail out!)' "$out/guest.tap" | grep -v '^# Totals: ' || true)

	# Finished: the end marker, and check.sh ran to its end (its "# Totals"
	# line, no "Bail out!"), with results.
	check_rc="$(qemu_marked check-exit | tail -n 1)"
	if ! grep -q "^$QEMU_M end\$" <<<"$data"; then
		if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
			why="timed out"
		else
			why="no end marker; QEMU status $qemu_rc; see console.log"
		fi
	elif grep -q '^Bail out!' "$out/guest.tap" || ! grep -q '^# Totals: ' "$out/guest.tap"; then
		why="check.sh stopped early, exit status ${check_rc:-missing}"
	elif [ "$n_guest" -eq 0 ]; then
		why="check.sh reported no results"
	fi
	if [ -z "$why" ]; then
		ktap_test_pass "$label guest finished"
	else
		ktap_test_fail "$label guest finished ($why)"
	fi
	ktap_subtest "$label guest: check.sh" "$out/guest.tap"

	# Files from the guest's MEMLAB_OUT, for a look afterwards.
	rm -rf "$out/guest"
	mkdir -p "$out/guest"
	qemu_marked file | awk -v dir="$out/guest" '
		$1 ~ /^[A-Za-z0-9._-]+$/ {
			name = $1
			sub(/^[^ ]+ ?/, "")
			print > (dir "/" name)
		}'

	# /dev/kmsg records read "prio,seq,usec,flags;text", with continuation
	# lines (" KEY=value") after some; turn them into dmesg's format.
	# Without the dump (crash, hang) the console is the best log there is.
	if grep -q "^$QEMU_M dmesg-end\$" <<<"$data"; then
		qemu_marked dmesg | awk '
			/^ / { next }
			{
				i = index($0, ";")
				split(substr($0, 1, i - 1), h, ",")
				printf "[%5d.%06d] %s\n", int(h[3] / 1000000), h[3] % 1000000, substr($0, i + 1)
			}' >"$out/dmesg.txt"
	else
		grep -v "$QEMU_M" <<<"$console" >"$out/dmesg.txt" || true
		note=" (console only: the guest sent no kernel log)"
	fi
	if bash "$qemu_here/scan-log.sh" "$out/dmesg.txt" >"$out/scan-log.txt" 2>&1; then
		ktap_test_pass "$label kernel log clean$note"
	else
		ktap_test_fail "$label kernel log clean$note"
		log "$label kernel log reports (dmesg.txt line: text):"
		head -n 20 "$out/scan-log.txt" | sed 's/^/[memlab]   /' >&2
	fi
	log "$label guest: $n_guest checks; boot+checks+poweroff $boot_s s"
}
