#!/bin/bash
# PID 1 of the test guest. The root file system is the host's / (read-only
# 9p); the run dir of the host is mounted read-write at /run/results.
# Runs /run/results/cmd, records its exit status in /run/results/rc, and
# reboots (QEMU runs with -no-reboot, so that ends the VM).
# No `set -e`: PID 1 must reach the end whatever happens.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LC_ALL=C.UTF-8

# Through the kernel log, so the console shows when each step happened.
say() { echo "harness-init: $*" > /dev/kmsg 2>/dev/null || echo "harness-init: $*"; }

# A checkout under /tmp, /run, ... would be hidden by the tmpfs mounts
# below: keep the host's view at /mnt and bind the checkout back in place.
top=$(cd "${0%/*}/.." && pwd)
case $top in /tmp/*|/var/tmp/*|/run/*|/dev/shm/*) covered=1 ;; *) covered=0 ;; esac
[ $covered = 0 ] || mount --bind / /mnt || say "cannot bind / on /mnt"

# /dev is devtmpfs already (CONFIG_DEVTMPFS_MOUNT).
mount -a -T "${0%/*}/guest.fstab" || say "some mounts failed"
if [ $covered = 1 ]; then
	mkdir -p "$top" && mount --bind "/mnt$top" "$top" || say "cannot show $top"
fi
# devtmpfs lacks these links (udev makes them); bash's <(...) needs /dev/fd.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
R=/run/results
# shellcheck disable=SC1091
. "$R/env"
# The marker below ends the KUnit part of the console (see kunit-summary.sh).
say "init started"

cd /tmp || say "cannot cd to /tmp"
bash "$R/cmd" > "$R/output" 2>&1 < /dev/null
rc=$?
echo "$rc" > "$R/rc"
say "command exited with status $rc"

if [ "${KMEMLEAK:-0}" = 1 ] && [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects must stay unreferenced across two scans to be reported.
	echo scan > /sys/kernel/debug/kmemleak
	say "kmemleak scan 1 done"
	sleep 2
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$R/kmemleak.txt"
	cat "$R/kmemleak.txt"
	say "kmemleak scan done"
fi

sync
echo b > /proc/sysrq-trigger
sleep 10
