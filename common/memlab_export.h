/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab_export.h: the symbol namespace of memlab.ko's exports.
 *
 * memlab.ko exports its API in the namespace MEMLAB, and only there; a
 * module that uses it imports the namespace:
 *
 *	EXPORT_SYMBOL_NS_GPL(lmm_init, MEMLAB_NS);	in memlab.ko
 *	MODULE_IMPORT_NS(MEMLAB_NS);			in the importer
 *
 * modpost refuses to build an importer that uses a symbol without the
 * import, and the kernel refuses to load it (unless it was built with
 * CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS); `modinfo` shows
 * "import_ns: MEMLAB".
 *
 * MEMLAB_NS is the namespace argument in the form the kernel's macros take.
 * Up to 6.12 (6.1 and 6.12 included) EXPORT_SYMBOL_NS_GPL() and
 * MODULE_IMPORT_NS() stringify a bare identifier, MEMLAB; 6.13 (commit
 * cdd30ebb1b9f, "module: Convert symbol namespace to string literal") passes
 * the argument on as it is, which must then be the string "MEMLAB".  Either
 * way the namespace is the string MEMLAB.  (The version is tested as major
 * and patch level, which <linux/version.h> has on 6.1 and later.)
 */
#ifndef MEMLAB_EXPORT_H
#define MEMLAB_EXPORT_H

#include <linux/export.h>
#include <linux/version.h>

#if LINUX_VERSION_MAJOR > 6 || (LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 13)
#define MEMLAB_NS	"MEMLAB"
#else
#define MEMLAB_NS	MEMLAB
#endif

#endif /* MEMLAB_EXPORT_H */
