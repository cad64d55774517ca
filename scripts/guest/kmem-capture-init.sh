#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the guest scripts/kmem-capture.sh boots: the kernel command line
# enabled kmem:kmalloc and kmem:kfree from early boot on
# (trace_event=kmem:kmalloc,kmem:kfree); this runs some real work - a
# shell workload on tmpfs, /proc and /sys walks, a module load with one
# memlab workload, an unload - then stops tracing and sends the trace,
# gzipped and base64-encoded, to the host over ttyS1 as lines
# "@@memlab-kmem@@ <kind> <payload>".  PID 1 must not exit: it powers off
# (set -u, no -e, as in every guest script: see scripts/ktap_helpers.sh).
set -u
export PATH=/bin
M='@@memlab-kmem@@'
T=/sys/kernel/tracing

mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs $T 2>/dev/null
mount -t tmpfs tmpfs /tmp

if [ -c /dev/ttyS1 ] && exec 3>/dev/ttyS1; then
	stty -F /dev/ttyS1 raw -echo
else
	exec 3>&1
fi
echo "$M begin" >&3

# --- the work ---------------------------------------------------------------
# files on tmpfs: directories, small files, links, renames, pipes, removal
for i in $(seq 1 100); do
	mkdir -p /tmp/w/$i/sub
	for j in 1 2 3 4; do
		echo "file $i $j" >/tmp/w/$i/f$j
		cat /proc/self/status >/tmp/w/$i/sub/s$j
	done
	ln -s /tmp/w/$i/f2 /tmp/w/$i/link
	readlink /tmp/w/$i/link >/dev/null
	mv /tmp/w/$i/f1 /tmp/w/$i/sub/moved
	ls -lR /tmp/w/$i >/dev/null
	cat /proc/self/maps | wc -l >/dev/null
	[ $((i % 25)) -eq 0 ] && rm -rf /tmp/w && echo "$M step files $i" >&3
done
tar -cf /tmp/w.tar -C / bin
gzip -1 /tmp/w.tar
# a second tmpfs mounted, filled, unmounted, twice
mkdir -p /mnt
for k in 1 2; do
	mount -t tmpfs -o size=8M tmpfs /mnt
	dd if=/dev/zero of=/mnt/zero bs=4096 count=512 2>/dev/null
	cp -a /bin /mnt/bin
	tar -xzf /tmp/w.tar.gz -C /mnt
	find /mnt | wc -l >/dev/null
	umount /mnt
done
# walks of /proc and /sys, a few processes
find /sys/kernel /sys/devices -maxdepth 4 >/dev/null 2>&1
echo "$M step walks" >&3
for p in /proc/[0-9]*; do cat "$p/stat" "$p/cmdline" >/dev/null 2>&1; done
cat /proc/meminfo /proc/slabinfo /proc/vmstat /proc/interrupts >/dev/null 2>&1
ps >/dev/null
seq 1 20000 | sort -rn | uniq | md5sum >/dev/null
dmesg >/dev/null
# module loads, workloads, unloads (KUnit is off on this command line)
echo "$M step memlab" >&3
for k in 1 2; do
	insmod /memlab.ko || break
	echo "layer=slice ops=4000 seed=$k size=16-8192 dist=log" >/sys/kernel/debug/memlab/workload/run
	cat /sys/kernel/debug/memlab/workload/result >/dev/null
	rmmod memlab
done

# --- out --------------------------------------------------------------------
echo 0 >$T/tracing_on
for s in $T/per_cpu/cpu*/stats; do
	sed "s|^|$M stats ${s#$T/per_cpu/} |" "$s" >&3
done
gzip -c $T/trace | base64 | sed "s|^|$M b64 |" >&3
echo "$M end" >&3
exec 3>&-
poweroff -f
echo o >/proc/sysrq-trigger
sleep 10
