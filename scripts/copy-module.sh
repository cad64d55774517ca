#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy memlab's module sources (not build outputs) into a build directory.
# Usage: scripts/copy-module.sh <repo> <dest>
set -euo pipefail
repo="${1:?repo}" dest="${2:?dest}"
mkdir -p "$dest"
cd "$repo"
# Every top-level folder with kernel sources; tools/ and scripts/ hold none.
for d in */; do
	d="${d%/}"
	case "$d" in tools | scripts | Documentation | out) continue ;; esac
	find "$d" -type f \( -name '*.c' -o -name '*.h' \) -print0 |
		xargs -0 -r cp --parents -t "$dest"
done
cp Kbuild "$dest/"
