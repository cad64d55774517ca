#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scan a kernel log for reports that must fail a test run: KASAN, lockdep,
# kmemleak, WARN, BUG, Oops, panics, hung tasks, UBSAN.
# Usage: scripts/scan-log.sh <log file>   (prints the offending lines; exit 1 if any)
set -euo pipefail
log="${1:?usage: scan-log.sh <kernel log>}"
[ -r "$log" ] || { echo "scan-log: cannot read $log" >&2; exit 2; }

pattern='BUG: |WARNING: |Oops|KASAN|UBSAN|kernel BUG|general protection fault'
pattern+='|Kernel panic|possible recursive locking|possible circular locking'
pattern+='|inconsistent lock state|lock held when returning|suspicious RCU usage'
pattern+='|INFO: task .* blocked|unreferenced object|new suspected memory leak'
pattern+='|Call Trace:|------------\[ cut here \]'

if grep -nE "$pattern" "$log"; then
	exit 1
fi
exit 0
