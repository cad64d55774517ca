#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy memlab's module sources (not build outputs) into a build directory.
# Usage: scripts/copy-module.sh <repo> <dest>
set -eu
repo="${1:?repo}" dest="${2:?dest}"
mkdir -p "$dest"
cd "$repo"
for d in arena common lmm pages slice vm debugfs kunit; do
	[ -d "$d" ] || continue
	find "$d" -type f \( -name '*.c' -o -name '*.h' \) -print0 |
		xargs -0 -r cp --parents -t "$dest"
done
cp Kbuild "$dest/"
