#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of memlab's QEMU guests (scripts/qemu-lib.sh packs it as /init).
#
# Runs /check.sh and sends everything the host needs over the second serial
# port, ttyS1, as lines "@@memlab-qemu@@ <kind> <payload>": the checks'
# results, the files check.sh leaves in /out, the whole kernel log, and the
# begin and end of the run.  Not on the console: the kernel prints there
# whenever it likes, even in the middle of a line of ours.  Exiting PID 1
# panics the kernel; panic=-1 and QEMU's -no-reboot then end the run, so that
# is the fallback should poweroff fail.
#
# The kernel command line passes MEMLAB_ENV (stock, x86) in the environment.
# PID 1 must not exit: set -u, and every command's failure is its own
# business (as in every guest script, no -e: see ktap_helpers.sh).
set -u
export PATH=/bin
M='@@memlab-qemu@@'

mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /out
mount -t tmpfs tmpfs /tmp

# Booted "quiet"; from here on every kernel message goes to the console as
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
# check.sh's stdout is its results (KTAP); its stderr (insmod's complaints)
# goes to the console, next to the kernel's messages.
{
	MEMLAB_KO=/memlab.ko MEMLAB_OUT=/out MEMLAB_ENV="${MEMLAB_ENV:-stock}" \
		MEMLAB_KTAP=/ktap_helpers.sh MEMLAB_TRACE=/sample.trace \
		MEMLAB_REAL_TRACE=/kmem-x86.trace.gz sh /check.sh
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
