#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages memlab's test environments need, when missing.
# Usage: scripts/deps.sh uml|headers|qemu|dkms|demo|fuzz|ktap|all
#
# No kernel image, headers or initramfs package is ever installed here:
# qemu-check.sh unpacks Debian's kernel and header packages into the cache.
# "headers" is what building a module against those unpacked headers takes:
# gcc-12 (the headers' CC; linux-compiler-gcc-12-x86 is an empty package
# depending on it), make, pahole (6.12's kbuild generates module BTF), and the
# libraries the prebuilt linux-kbuild-* tools (objtool, modpost, sign-file)
# link against; dkms also wants openssl (its signing key).  dkms's own Depends (kmod, gcc, dpkg-dev, make, patch) pull
# in no kernel package; its Recommends (linux-headers-amd64, which does) are
# not installed.  "demo" is what `make demo` draws its pictures with: Debian's
# python3-matplotlib (with numpy, for tools/map2png.py and plot_timeline.py).
# "ktap" is what scripts/check.sh counts the results with: python3 and the
# kernel's KTAP parser (tools/testing/kunit/kunit_parser.py) in linux-source.
set -euo pipefail

want="${1:-all}"
pkgs_uml="build-essential patch flex bison bc libelf-dev libssl-dev xz-utils kmod python3 python3-docutils linux-source-6.12"
pkgs_headers="gcc-12 make pahole libelf1 libssl3 zlib1g"
pkgs_qemu="$pkgs_headers qemu-system-x86 busybox-static cpio kmod gzip"
pkgs_dkms="$pkgs_headers dkms openssl"
pkgs_fuzz="clang-14 libfuzzer-14-dev libclang-rt-14-dev"
pkgs_demo="python3 python3-matplotlib"
pkgs_ktap="python3 linux-source-6.12"

case "$want" in
uml) pkgs="$pkgs_uml" ;;
headers) pkgs="$pkgs_headers" ;;
qemu) pkgs="$pkgs_qemu" ;;
dkms) pkgs="$pkgs_dkms" ;;
demo) pkgs="$pkgs_demo" ;;
fuzz) pkgs="$pkgs_fuzz" ;;
ktap) pkgs="$pkgs_ktap" ;;
all) pkgs="$pkgs_uml $pkgs_qemu dkms openssl $pkgs_fuzz $pkgs_demo" ;;
*) echo "deps.sh: unknown target '$want' (uml, headers, qemu, dkms, demo, fuzz, ktap or all)" >&2; exit 2 ;;
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
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
