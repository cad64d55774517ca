# SPDX-License-Identifier: GPL-2.0
# Shared helpers for memlab's scripts; sourced, not run.

MEMLAB_CACHE="${MEMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memlab}"

log() { printf '[memlab] %s\n' "$*" >&2; }
die() { printf '[memlab] error: %s\n' "$*" >&2; exit 1; }

# Version of Debian's linux-source-6.12 package (e.g. 6.12.117-1~deb12u1).
linux_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# Unpack Debian's linux-source-6.12 once per package version; print the tree.
linux_source_tree() {
	local ver tree tarball=/usr/src/linux-source-6.12.tar.xz
	ver="$(linux_source_version)" || die "linux-source-6.12 is not installed"
	[ -f "$tarball" ] || die "$tarball missing; reinstall linux-source-6.12"
	tree="$MEMLAB_CACHE/src/$ver/linux-source-6.12"
	if [ ! -f "$tree/.memlab-unpacked" ]; then
		log "unpacking linux-source $ver into $MEMLAB_CACHE/src/$ver"
		rm -rf "$MEMLAB_CACHE/src/$ver"
		mkdir -p "$MEMLAB_CACHE/src/$ver"
		tar -C "$MEMLAB_CACHE/src/$ver" -xf "$tarball"
		touch "$tree/.memlab-unpacked"
	fi
	apply_source_patches "$tree"
	echo "$tree"
}

# Apply scripts/patches/*.patch to the unpacked tree, once each (a marker
# per patch), so test kernels build on hosts the stock source fails on.
# The kernels' cache keys include the patches (see patches_hash).
apply_source_patches() {
	local tree="$1" p name
	for p in "$(dirname "${BASH_SOURCE[0]}")"/patches/*.patch; do
		[ -f "$p" ] || continue
		name="$(basename "$p")"
		[ -f "$tree/.memlab-patch-$name" ] && continue
		log "applying $name to the kernel source"
		patch -s -p1 -d "$tree" <"$p" >&2 || die "patch $name does not apply to $tree"
		touch "$tree/.memlab-patch-$name"
	done
}

# A hash of the source patches, for the kernels' cache keys.
patches_hash() {
	cat "$(dirname "${BASH_SOURCE[0]}")"/patches/*.patch 2>/dev/null | sha256sum | cut -c1-12
}

# Build the UML kernel of a flavour (if not cached) and memlab.ko against
# it, from a copy of the sources in <outdir>/src.  Sets KDIR and KO.
# Usage: uml_module check|bench <outdir> [extra make arguments]
uml_module() {
	local flavour="$1" out="$2" here
	shift 2
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	bash "$here/deps.sh" uml || die "cannot install the packages UML needs"
	KDIR="$(bash "$here/uml-kernel.sh" "$flavour")" || die "no UML $flavour kernel"
	bash "$here/copy-module.sh" "$(dirname "$here")" "$out/src"
	KO="$out/src/memlab.ko"
	make -C "$KDIR" ARCH=um M="$out/src" "$@" modules >"$out/build.log" 2>&1
}
