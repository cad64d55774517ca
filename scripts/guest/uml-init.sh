#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of memlab's UML guest.  The root filesystem is the host's, through
# hostfs, so results land directly in host directories.  The kernel hands us
# MEMLAB_* variables from its command line.  Init must never exit (that
# panics the kernel): it powers off through sysrq instead.  The guest script
# finds scripts/ktap_helpers.sh through MEMLAB_KTAP; its exit status lands in
# $MEMLAB_OUT/guest.rc.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export MEMLAB_KTAP="${0%/*}/../ktap_helpers.sh"
MEMLAB_SCRIPT="${MEMLAB_SCRIPT:-}" MEMLAB_OUT="${MEMLAB_OUT:-}"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug

if [ -n "$MEMLAB_SCRIPT" ] && [ -d "$MEMLAB_OUT" ]; then
	sh "$MEMLAB_SCRIPT" >"$MEMLAB_OUT/guest.tap" 2>"$MEMLAB_OUT/guest.err"
	echo $? >"$MEMLAB_OUT/guest.rc"
	dmesg >"$MEMLAB_OUT/dmesg.txt"
	echo done >"$MEMLAB_OUT/guest.done"
fi
sync
echo o >/proc/sysrq-trigger
sleep 10
