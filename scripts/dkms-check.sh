#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the DKMS packaging on the host, with Debian's own dkms: `make
# dkms-install` (dkms add, build, install) against the headers of Debian 12's
# 6.1 kernel and of the 6.12 one, and `make install` (modules_install +
# depmod) against the 6.1 headers.
#
# Usage: scripts/dkms-check.sh <outdir>
#
# The header sets are the ones scripts/qemu-check.sh unpacks into
# $MEMLAB_CACHE/qemu/<ver>/ (downloaded there the first time; nothing is
# installed).  Everything dkms writes stays under <outdir>: its source tree
# (--sourcetree, instead of /usr/src), its module tree (--dkmstree, instead of
# /var/lib/dkms), the install tree (--installtree, instead of /lib/modules)
# and the signing key it makes (mok_signing_key, mok_certificate, instead of
# /var/lib/dkms/mok.*); depmod is left to `make install`'s check, which runs
# it on a private root with -b.  The host's dkms state is not touched.
#
# Writes <outdir>/results.tap (KTAP, scripts/ktap_helpers.sh: "ok 1 dkms build
# memlab against <kver>", ...), one log per step (<outdir>/*.log).  Exit status: 0 when every check is
# "ok", 1 otherwise (2 for usage errors).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"

[ $# -eq 1 ] || { echo "usage: scripts/dkms-check.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
case "$out" in *[[:space:]]*) die "<outdir> must not contain blanks: '$out'" ;; esac

t_start=$(date +%s)
since() { echo $(( $(date +%s) - $1 )); }

rm -rf "$out/src" "$out/tree" "$out/modules" "$out/root" "$out/install-src" "$out/key"
rm -f "$out"/*.log "$out/results.tap"
KTAP_OUT="$out/results.tap"
: >"$KTAP_OUT"
ktap_print_header

finish() {
	log "dkms-check: $KTAP_CNT_FAIL of $((KTAP_TESTNO - 1)) not ok, $(since "$t_start") s wall"
	if [ "$KTAP_CNT_FAIL" -ne 0 ]; then
		grep '^not ok ' "$KTAP_OUT" | sed 's/^/[memlab]   /' >&2
		log "details: $out/*.log"
	fi
	ktap_finished
}

bash "$here/deps.sh" dkms || die "missing host packages (see above)"

version="$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")"
[ -n "$version" ] || die "no PACKAGE_VERSION in $repo/dkms.conf"
log "dkms $(dkms --version | sed 's/^dkms-//'), memlab $version"

mkdir -p "$out/src" "$out/tree" "$out/modules" "$out/key"
dkms_flags="--dkmstree $out/tree --installtree $out/modules --no-depmod"
# dkms reads these from the environment unless /etc/dkms/framework.conf sets
# them: a throwaway key in <outdir>, made by dkms itself on the first build.
export mok_signing_key="$out/key/mok.key" mok_certificate="$out/key/mok.pub"
if grep -qsE '^[[:space:]]*(mok_signing_key|mok_certificate|sign_file)=' \
	/etc/dkms/framework.conf /etc/dkms/framework.conf.d/*.conf; then
	log "note: /etc/dkms/framework.conf sets the signing key or tool; dkms uses those"
fi

kernels=() kdirs=()
for series in 6.1 6.12; do
	read -r ver kdir < <(bash "$here/qemu-check.sh" --kernel "$series") ||
		die "no $series kernel headers (scripts/qemu-check.sh --kernel $series failed)"
	kname="$ver-amd64"
	kernels+=("$kname")
	kdirs+=("$kdir")
	# The unpacked kbuild's sign-file: dkms signs the module as it would with
	# the installed linux-kbuild package.
	export sign_file="$kdir/scripts/sign-file"
	mkdir -p "$out/modules/$kname"
	log "make dkms-install against $kname"
	t=$(date +%s)
	rc=0
	make -C "$repo" --no-print-directory dkms-install KDIR="$kdir" \
		DKMS_SOURCETREE="$out/src" DKMS_FLAGS="$dkms_flags" \
		>"$out/dkms-$kname.log" 2>&1 || rc=$?
	sed 's/^/[dkms] /' "$out/dkms-$kname.log" >&2
	built="$(ls "$out/tree/memlab/$version/$kname"/*/module/memlab.ko* 2>/dev/null | head -n 1 || true)"
	vermagic=""
	[ -z "$built" ] || vermagic="$(modinfo -F vermagic "$built" 2>/dev/null || true)"
	if [ -n "$built" ] && [ "${vermagic%% *}" = "$kname" ]; then
		ktap_test_pass "dkms build memlab against $kname"
	else
		ktap_test_fail "dkms build memlab against $kname (make status $rc, vermagic '$vermagic')"
		continue
	fi
	signer="$(modinfo -F signer "$built" 2>/dev/null || true)"
	if [ "$signer" = "DKMS module signing key" ]; then
		ktap_test_pass "dkms signs memlab for $kname with its own key"
	else
		ktap_test_fail "dkms signs memlab for $kname with its own key (signer '$signer')"
	fi
	if [ $rc -eq 0 ] && ls "$out/modules/$kname/updates/dkms"/memlab.ko* >/dev/null 2>&1; then
		ktap_test_pass "dkms install memlab for $kname puts it in updates/dkms ($(since "$t") s)"
	else
		ktap_test_fail "dkms install memlab for $kname puts it in updates/dkms (make status $rc)"
	fi
done

dkms --dkmstree "$out/tree" --installtree "$out/modules" status >"$out/status.log" 2>&1 || true
sed 's/^/[dkms status] /' "$out/status.log" >&2
n=0
for kname in "${kernels[@]}"; do
	grep -q "^memlab/$version, $kname, x86_64: installed" "$out/status.log" && n=$((n + 1))
done
if [ "$n" -eq ${#kernels[@]} ] && [ "$n" -eq 2 ]; then
	ktap_test_pass "dkms status: memlab/$version installed for ${kernels[*]}"
else
	ktap_test_fail "dkms status: memlab/$version installed for both kernels ($n of ${#kernels[@]})"
fi

# make install: modules_install + depmod, into a private root.  From a copy,
# so that the working tree gets no build products.
kname="${kernels[0]}" kdir="${kdirs[0]}"
bash "$here/copy-module.sh" "$repo" "$out/install-src"
cp "$repo/Makefile" "$repo/dkms.conf" "$out/install-src/"
log "make install against $kname into $out/root"
t=$(date +%s)
rc=0
make -C "$out/install-src" --no-print-directory -j2 install KDIR="$kdir" \
	INSTALL_MOD_PATH="$out/root" >"$out/install.log" 2>&1 || rc=$?
sed 's/^/[install] /' "$out/install.log" >&2
mdir="$out/root/lib/modules/$kname"
ko="$(cd "$mdir" 2>/dev/null && find . -name 'memlab.ko*' | sed 's|^\./||' | head -n 1 || true)"
if [ $rc -eq 0 ] && [ -n "$ko" ] && grep -q "^$ko:" "$mdir/modules.dep" 2>/dev/null; then
	ktap_test_pass "make install against $kname: $ko, listed in modules.dep ($(since "$t") s)"
else
	ktap_test_fail "make install against $kname: memlab.ko installed and listed in modules.dep (make status $rc)"
fi

finish
