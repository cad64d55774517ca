/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab knobs: settings that change a loaded memlab, each reachable as a
 * debugfs file under memlab/knobs/ and as a module parameter of the same
 * name (debugfs writes are refused under lockdown; parameters are not).
 * A parameter is given at load, applied once the layers exist, and reads
 * as the knob's current value afterwards.
 */
#ifndef MEMLAB_KNOBS_H
#define MEMLAB_KNOBS_H

#include <linux/types.h>

struct memlab;

/**
 * struct memlab_knob - one knob
 * @name: file and parameter name.
 * @help: one line for the parameter description and the README.
 * @set: parse @val and apply it; 0 or a negative errno, nothing changed on error.
 * @show: print the current value into @buf (at most @len bytes, a newline last).
 */
struct memlab_knob {
	const char *name;
	const char *help;
	int (*set)(struct memlab *ml, const char *val);
	int (*show)(struct memlab *ml, char *buf, size_t len);
};

extern const struct memlab_knob memlab_knobs[];
extern const unsigned int memlab_nr_knobs;

int memlab_knobs_apply_params(struct memlab *ml);
void memlab_knobs_exit(void);

#endif /* MEMLAB_KNOBS_H */
