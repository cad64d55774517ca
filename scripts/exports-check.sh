#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memlab's exports, checked on the host after a build (common/memlab_export.h):
#   - every symbol memlab.ko exports (<build dir>/Module.symvers) is in the
#     namespace MEMLAB;
#   - each importer given says MODULE_IMPORT_NS (modinfo: "import_ns: MEMLAB");
#   - with --all (every in-tree importer given): memlab.ko exports nothing
#     that no importer takes, except the default instance's API the README
#     documents for other modules (EXTRA below);
#   - with --all: common/memlab_export.h gives the namespace "MEMLAB" under
#     the macros of 6.12 (which stringify their argument) and of 6.13 (which
#     take a string literal), modelled here, since no 6.13 headers are at hand.
# Usage: scripts/exports-check.sh [--all] <build dir> <importer.ko>...
# Prints KTAP on stdout (scripts/ktap_helpers.sh), one result a check; the
# caller nests it with ktap_subtest.  Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
. "$here/lib.sh"
. "$here/ktap_helpers.sh"

all=0
[ "${1:-}" = --all ] && { all=1; shift; }
dir="${1:?usage: exports-check.sh [--all] <build dir> <importer.ko>...}"
shift
symvers="$dir/Module.symvers"
# The default instance's allocators: for a module that uses memlab.ko's own
# arena (README, "The layers"); no in-tree module does.
EXTRA="memlab_alloc memlab_free memlab_ksize memlab_vmalloc memlab_vfree memlab_vmalloc_to_page"

# result <description> <condition...>: one result, the condition's.
result() {
	local desc="$1"
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}
ktap_print_header

# Module.symvers: crc, symbol, module, export type, namespace (tab-separated).
n=$(awk -F'\t' 'END { print NR }' "$symvers" 2>/dev/null || echo 0)
bad=$(awk -F'\t' '$5 != "MEMLAB" { print $2 }' "$symvers" 2>/dev/null | tr '\n' ' ' || true)
result "exports: all $n symbols of memlab.ko in namespace MEMLAB${bad:+ (not: $bad)}" \
	test "$n" -gt 0 -a -z "$bad"

for ko in "$@"; do
	ns="$(modinfo -F import_ns "$ko" 2>/dev/null | tr '\n' ' ' || true)"
	result "exports: $(basename "$ko") imports namespace MEMLAB (import_ns: '${ns% }')" \
		test "$ns" = "MEMLAB "
done
[ $all -eq 1 ] || ktap_finished

# What the importers take from memlab.ko: their undefined symbols that it exports.
used="$(for ko in "$@"; do nm -u "$ko"; done | awk '{ print $2 }' | sort -u || true)"
unused="$(awk -F'\t' '{ print $2 }' "$symvers" | sort | comm -23 - <(echo "$used") |
	{ grep -vxF -f <(tr ' ' '\n' <<<"$EXTRA") || true; } | tr '\n' ' ' || true)"
result "exports: each one is used by $(basename -a "$@" | tr '\n' ' ')or is the default instance's API${unused:+ (unused: $unused)}" \
	test -n "$used" -a -z "$unused"

# The namespace argument under the two forms of the kernel's macros.
tmp="$(mktemp -d)"
mkdir -p "$tmp/6.12/linux" "$tmp/6.13/linux"
cat >"$tmp/6.12/linux/export.h" <<'EOF'
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define EXPORT_SYMBOL_NS_GPL(sym, ns) export sym in __stringify(ns)
#define MODULE_IMPORT_NS(ns) import_ns=__stringify(ns)
EOF
cat >"$tmp/6.13/linux/export.h" <<'EOF'
#define EXPORT_SYMBOL_NS_GPL(sym, ns) export sym in ns
#define MODULE_IMPORT_NS(ns) import_ns=ns
EOF
for v in 6.12 6.13; do
	printf '#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL %s\n' "${v#6.}" \
		>"$tmp/$v/linux/version.h"
	got="$(printf '#include "common/memlab_export.h"\nEXPORT_SYMBOL_NS_GPL(lmm_init, MEMLAB_NS)\nMODULE_IMPORT_NS(MEMLAB_NS)\n' |
		gcc -E -P -I"$tmp/$v" -I"$repo" - 2>&1 | grep . | tr '\n' ' ' || true)"
	result "exports: common/memlab_export.h under $v's macros gives namespace \"MEMLAB\" (got: ${got% })" \
		test "$got" = 'export lmm_init in "MEMLAB" import_ns="MEMLAB" '
done
rm -rf "$tmp"
ktap_finished
