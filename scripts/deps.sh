#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages memlab's test environments need, when missing.
# Usage: scripts/deps.sh uml|qemu|all
set -euo pipefail

want="${1:-all}"
pkgs_uml="build-essential patch flex bison bc libelf-dev libssl-dev xz-utils kmod python3 linux-source-6.12"
pkgs_qemu="qemu-system-x86 busybox-static cpio kmod gzip"

case "$want" in
uml) pkgs="$pkgs_uml" ;;
qemu) pkgs="$pkgs_qemu" ;;
all) pkgs="$pkgs_uml $pkgs_qemu" ;;
*) echo "deps.sh: unknown target '$want' (uml, qemu or all)" >&2; exit 2 ;;
esac

missing=()
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing packages: ${missing[*]}; this is not a Debian system, install them by hand" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
