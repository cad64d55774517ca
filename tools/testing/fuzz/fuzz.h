/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h: what every memlab fuzz target shares.
 *
 * A target decodes a sequence of API operations from the fuzz input, runs
 * them against one layer built from its unchanged source (see
 * ../shim/memlab_shim.h), and checks each answer against a model of its
 * own; any disagreement, validator complaint, leak or context violation
 * aborts, which libFuzzer records as a crash with the input that caused it.
 *
 * Inputs are read front to back; an exhausted input reads as zeros, and
 * the operation loop stops when the input is used up.
 */
#ifndef MEMLAB_FUZZ_H
#define MEMLAB_FUZZ_H

#include <linux/kernel.h>

/* Model loops need no coverage feedback, and it would cost most of the time. */
#ifdef __clang__
#define FZ_NOCOV	__attribute__((no_sanitize("coverage")))
#else
#define FZ_NOCOV
#endif

/**
 * struct fz_input - the input being decoded
 * @p: its bytes.
 * @n: its length.
 * @i: bytes consumed.
 */
struct fz_input {
	const u8 *p;
	size_t n;
	size_t i;
};

extern struct fz_input fz_in;
extern const char *fz_name;
extern unsigned long long fz_ops;
extern unsigned long long fz_inputs;
extern unsigned long long fz_nested;
extern unsigned long fz_op_index;

static inline bool fz_more(void)
{
	return fz_in.i < fz_in.n;
}

static inline u32 fz_u8(void)
{
	return fz_in.i < fz_in.n ? fz_in.p[fz_in.i++] : 0;
}

static inline u32 fz_u16(void)
{
	return fz_u8() | fz_u8() << 8;
}

static inline u32 fz_u32(void)
{
	return fz_u16() | fz_u16() << 16;
}

static inline u64 fz_u64(void)
{
	return fz_u32() | (u64)fz_u32() << 32;
}

/* A number below @n (0 if @n is 0), from as few bytes as @n needs. */
static inline u32 fz_below(u32 n)
{
	if (n <= 1)
		return 0;
	if (n <= 256)
		return fz_u8() % n;
	if (n <= 65536)
		return fz_u16() % n;
	return fz_u32() % n;
}

/* True with probability about 1/@n. */
static inline bool fz_one_in(u32 n)
{
	return !fz_below(n);
}

/* A size from 1 to @max, most of them small. */
static inline size_t fz_size(size_t max)
{
	u32 shift = fz_below(fls64(max) + 1);
	size_t s = 1 + (fz_u32() & ((1ULL << shift) - 1));

	return min(s, max);
}

extern bool fz_tracing;
__printf(1, 2) void fz_trace_(const char *fmt, ...);
/* FUZZ_TRACE=1: print every operation, to explain a crash */
#define fz_trace(fmt, ...) do { if (unlikely(fz_tracing)) fz_trace_(fmt, ##__VA_ARGS__); } while (0)

__printf(3, 4) __noreturn void fz_fail(const char *file, int line, const char *fmt, ...);
void fz_after(const char *what);
bool fz_skip(const char *family);

/* A failed expectation: report the operation and abort. */
#define FZ_CHECK(cond, fmt, ...) do {					\
	if (unlikely(!(cond)))						\
		fz_fail(__FILE__, __LINE__, "%s: " fmt, #cond, ##__VA_ARGS__);	\
} while (0)

/* One API operation: count it and check that it left the context clean. */
#define FZ_CALL(expr) ({ __auto_type __r = (expr); fz_after(#expr); __r; })
#define FZ_VCALL(expr) do { expr; fz_after(#expr); } while (0)

/*
 * Preemption: arm_preempt(k) makes the k-th preemption point of the next
 * API call run fz_nested_op(), another caller's operation, as if the task
 * had been preempted there (all locks released); 0 disarms, and so does
 * the end of the call.
 */
void fz_arm_preempt(unsigned int k);
extern void (*fz_nested_op)(void);

/* kmalloc() failure injection: fail the k-th allocation from now (0: none). */
void fz_fail_kmalloc(unsigned int k);
extern unsigned int fz_kmalloc_failures;

/* A 64-bit mix of a number, for tags written into allocated memory. */
static inline u64 fz_mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

void fz_fill(void *p, size_t len, u64 tag);
bool fz_verify(const void *p, size_t len, u64 tag, size_t *bad);

/* Every target calls these around its run over one input. */
void fz_begin(const u8 *data, size_t size);
void fz_end(void);

/* Operations per CPU hotplug and migration: shared by the targets. */
void fz_cpu_op(void);
/* Called after a CPU went down, to check that it left nothing behind. */
extern void (*fz_cpu_down_check)(unsigned int cpu);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* MEMLAB_FUZZ_H */
