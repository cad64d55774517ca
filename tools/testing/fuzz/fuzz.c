// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c: the part of every memlab fuzz target that is not about a layer:
 * input decoding state, counters and their report at exit, preemption and
 * allocation-failure injection, CPU hotplug operations, and a stand-alone
 * driver for builds without libFuzzer (make gcc).
 */
#include <time.h>

#include <linux/kernel.h>

#include "fuzz.h"

struct fz_input fz_in;
unsigned long long fz_ops;
unsigned long long fz_inputs;
unsigned long long fz_nested;
unsigned long fz_op_index;
unsigned int fz_kmalloc_failures;
void (*fz_nested_op)(void);
void (*fz_cpu_down_check)(unsigned int cpu);

static unsigned int fz_preempt_left;
static unsigned int fz_kmalloc_left;
static long fz_kmalloc_base, fz_percpu_base;
static u64 fz_t0;
static const char *fz_skips;
bool fz_tracing;

void fz_trace_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%lu%s cpu%u] ", fz_op_index, shim_ctx.in_hook ? " preempting" : "",
		shim_ctx.cpu);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nfuzz %s: %s:%d: operation %lu (input byte %zu of %zu): ", fz_name,
		file, line, fz_op_index, fz_in.i, fz_in.n);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (__sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
	abort();
}

void fz_after(const char *what)
{
	/* only the operation's first call is preempted, not the checks after it */
	fz_preempt_left = 0;
	fz_ops++;
	shim_assert_quiescent(what);
	/* a grace period now and then: RCU callbacks run between calls */
	if (!(fz_ops & 3))
		shim_rcu_gp();
}

/* FUZZ_SKIP=a,b: leave out operation families (known open defects). */
bool fz_skip(const char *family)
{
	size_t n = strlen(family);
	const char *s;

	for (s = fz_skips; s && *s; s += strcspn(s, ",") + (s[strcspn(s, ",")] == ',')) {
		if (!strncmp(s, family, n) && (s[n] == ',' || !s[n]))
			return true;
		if (!strncmp(s, "all", 3) && (s[3] == ',' || !s[3]))
			return true;
	}
	return false;
}

static void fz_preempt_hook(void)
{
	unsigned int cpu;

	if (!fz_preempt_left || --fz_preempt_left || !fz_nested_op)
		return;
	fz_nested++;
	fz_trace("preempted: another task runs");
	fz_nested_op();
	fz_trace("preempting task done");
	/* the preempted task may come back on another CPU */
	if (fz_one_in(2)) {
		cpu = fz_below(shim_nr_cpus);
		if (cpu_online(cpu))
			shim_set_cpu(cpu);
	}
}

void fz_arm_preempt(unsigned int k)
{
	fz_preempt_left = k;
}

static bool fz_kmalloc_hook(size_t size, gfp_t gfp)
{
	if (!fz_kmalloc_left || --fz_kmalloc_left)
		return false;
	fz_kmalloc_failures++;
	return true;
}

void fz_fail_kmalloc(unsigned int k)
{
	fz_kmalloc_left = k;
}

FZ_NOCOV void fz_fill(void *p, size_t len, u64 tag)
{
	u8 *b = p;
	size_t i;
	u64 w = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			w = fz_mix(tag ^ (i >> 3));
		b[i] = w >> (8 * (i & 7));
	}
}

FZ_NOCOV bool fz_verify(const void *p, size_t len, u64 tag, size_t *bad)
{
	const u8 *b = p;
	size_t i;
	u64 w = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			w = fz_mix(tag ^ (i >> 3));
		if (b[i] != (u8)(w >> (8 * (i & 7)))) {
			*bad = i;
			return false;
		}
	}
	return true;
}

void fz_cpu_op(void)
{
	unsigned int cpu = fz_below(shim_nr_cpus);
	int ret;

	switch (fz_below(4)) {
	case 0:
		if (cpu_online(cpu))
			FZ_VCALL(shim_set_cpu(cpu));
		fz_trace("migrate to cpu %u", cpu);
		break;
	case 1:
		ret = FZ_CALL(shim_cpu_down(cpu));
		fz_trace("cpu %u down: %d", cpu, ret);
		if (!ret && fz_cpu_down_check)
			fz_cpu_down_check(cpu);
		break;
	default:
		fz_trace("cpu %u up: %d", cpu, FZ_CALL(shim_cpu_up(cpu)));
		break;
	}
}

void fz_begin(const u8 *data, size_t size)
{
	fz_in = (struct fz_input){ .p = data, .n = size };
	fz_inputs++;
	fz_op_index = 0;
	fz_preempt_left = 0;
	fz_kmalloc_left = 0;
	shim_random_seed(0x6d656d6c6162ULL);	/* one input, one run */
	shim_ctx.cpu = 0;
	shim_preempt_hook = fz_preempt_hook;
	shim_alloc_fail_hook = fz_kmalloc_hook;
	fz_kmalloc_base = shim_kmalloc_live;
	fz_percpu_base = shim_percpu_live;
}

void fz_end(void)
{
	unsigned int cpu;

	fz_preempt_left = 0;
	fz_kmalloc_left = 0;
	for (cpu = 0; cpu < shim_nr_cpus; cpu++)
		shim_cpu_up(cpu);
	/* what is still queued for RCU would touch memory that is gone by now */
	shim_rcu_gp();
	FZ_CHECK(!shim_rcu_pending, "RCU callbacks pending at the end");
	FZ_CHECK(shim_kmalloc_live == fz_kmalloc_base, "%ld kmalloc() blocks leaked",
		 shim_kmalloc_live - fz_kmalloc_base);
	FZ_CHECK(shim_percpu_live == fz_percpu_base, "%ld per-CPU blocks leaked",
		 shim_percpu_live - fz_percpu_base);
	shim_assert_quiescent("the end of the input");
}

static void fz_report(void)
{
	double s = (shim_clock_ns() - fz_t0) / 1e9;
	const char *path = getenv("FUZZ_STATS");
	FILE *f;

	fprintf(stderr, "fuzz %s: %llu inputs, %llu ops (%llu preempting), %.1f s, %.0f ops/s\n",
		fz_name, fz_inputs, fz_ops, fz_nested, s, s > 0 ? fz_ops / s : 0);
	fprintf(stderr, "fuzz %s: %lu cpuhp callbacks, %lu RCU callbacks in %lu grace periods\n",
		fz_name, shim_cpuhp_calls, shim_rcu_callbacks, shim_rcu_gps);
	if (path && *path) {
		f = fopen(path, "w");
		if (f) {
			fprintf(f, "inputs %llu\nops %llu\nnested %llu\nseconds %.3f\n",
				fz_inputs, fz_ops, fz_nested, s);
			fprintf(f, "cpuhp %lu\nrcu %lu\n", shim_cpuhp_calls, shim_rcu_callbacks);
			fclose(f);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_t0 = shim_clock_ns();
	fz_skips = getenv("FUZZ_SKIP");
	fz_tracing = getenv("FUZZ_TRACE") && *getenv("FUZZ_TRACE") != '0';
	atexit(fz_report);
	return 0;
}

#ifdef FZ_STANDALONE
/*
 * Without libFuzzer: run the inputs named on the command line, or random
 * ones: -runs=N, -max_total_time=S, -max_len=L, -seed=X.
 */
static u8 *fz_read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	u8 *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f) {
		perror(name);
		exit(2);
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	unsigned long long runs = 0, seed = 1, i;
	size_t max_len = 1024, len, k;
	double max_time = 0;
	int a, files = 0;
	u8 *buf;

	LLVMFuzzerInitialize(&argc, &argv);
	for (a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "-runs=", 6))
			runs = strtoull(argv[a] + 6, NULL, 0);
		else if (!strncmp(argv[a], "-max_total_time=", 16))
			max_time = atof(argv[a] + 16);
		else if (!strncmp(argv[a], "-max_len=", 9))
			max_len = strtoul(argv[a] + 9, NULL, 0);
		else if (!strncmp(argv[a], "-seed=", 6))
			seed = strtoull(argv[a] + 6, NULL, 0);
		else if (argv[a][0] == '-')
			continue;	/* other libFuzzer flags: ignored */
		else
			files++;
	}
	if (files) {
		for (a = 1; a < argc; a++) {
			if (argv[a][0] == '-')
				continue;
			buf = fz_read_file(argv[a], &len);
			fprintf(stderr, "Running: %s\n", argv[a]);
			LLVMFuzzerTestOneInput(buf, len);
			free(buf);
		}
		return 0;
	}
	if (!runs && !max_time)
		runs = 10000;
	buf = malloc(max_len ? max_len : 1);
	for (i = 0; !runs || i < runs; i++) {
		if (max_time && (shim_clock_ns() - fz_t0) / 1e9 >= max_time)
			break;
		seed = fz_mix(seed + i);
		len = max_len ? seed % (max_len + 1) : 0;
		for (k = 0; k < len; k++)
			buf[k] = fz_mix(seed ^ (k + 1));
		LLVMFuzzerTestOneInput(buf, len);
	}
	free(buf);
	fprintf(stderr, "Done %llu runs\n", i);
	return 0;
}
#endif
