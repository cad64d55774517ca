/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memlab_shim.h: the kernel API memlab's layers use, in user space.
 *
 * lmm/lmm.c, pages/pages.c, slice/slice.c and slice/generic.c compile
 * unchanged with -D__KERNEL__, this header forced in first (as the kernel
 * forces linux/kconfig.h), and -I tools/testing/shim before
 * <linux>/tools/include: every <linux/...> header they include resolves to a
 * one-line file under shim/linux/ that includes this one; list.h and the
 * rbtree come from tools/include.
 *
 * The shim is single-threaded but not naive.  It models the execution
 * context - the current CPU, hard interrupts, the preemption count, the
 * migration count and every lock held - and aborts with a report on what
 * lockdep and the kernel's debug checks would report:
 *  - a lock taken twice (AA deadlock), released without being held, or not
 *    held where lockdep_assert_held() says it is;
 *  - a sleeping call (mutex, GFP_KERNEL allocation, cpuhp setup) in atomic
 *    context;
 *  - this_cpu_ptr()/smp_processor_id() in preemptible code;
 *  - with CONFIG_PREEMPT_RT (make RT=1, the default), a spinlock_t or
 *    local_lock_t - sleeping locks on RT - or any allocation with hard
 *    interrupts or preemption disabled;
 *  - any WARN or BUG.
 * Per-CPU memory is one allocation per possible CPU behind an opaque
 * handle that faults if dereferenced; CPUs can be taken down and brought
 * up, which runs the registered cpuhp callbacks.  Allocations can be made
 * to fail, and a hook may run another caller's operation at any point where
 * the kernel could preempt (all locks released).
 */
#ifndef MEMLAB_SHIM_H
#define MEMLAB_SHIM_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

/* ------------------------------------------------------------------------
 * Configuration and compiler
 * ------------------------------------------------------------------------
 */

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option)		__is_defined(option)
#define IS_MODULE(option)		__is_defined(option##_MODULE)
#define IS_ENABLED(option)		__or(IS_BUILTIN(option), IS_MODULE(option))
#define IS_REACHABLE(option)		IS_ENABLED(option)
#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)

#define CONFIG_SMP			1
#define CONFIG_64BIT			1
#define CONFIG_LOCKDEP			1
#define CONFIG_PROVE_LOCKING		1
#define CONFIG_DEBUG_PREEMPT		1
#define CONFIG_DEBUG_ATOMIC_SLEEP	1
#define CONFIG_DEBUG_VM			1
#define CONFIG_HOTPLUG_CPU		1
#define CONFIG_NR_CPUS			4
#define NR_CPUS				CONFIG_NR_CPUS
/* CONFIG_PREEMPT_RT comes from the command line (make RT=1). */

#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 12, 0)
#define LINUX_VERSION_MAJOR	6	/* common/memlab_export.h tests these */
#define LINUX_VERSION_PATCHLEVEL	12
#define LINUX_VERSION_SUBLEVEL	0

#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __malloc		__attribute__((__malloc__))
#define __pure			__attribute__((__pure__))
#define __weak			__attribute__((__weak__))
#define __counted_by(m)
#define __nonstring
#define __percpu
#define __rcu
#define __user
#define __iomem
#define __force
#define __bitwise
#define __init
#define __exit
#define __initdata
#define __initconst
#define __read_mostly
#define __ro_after_init
#define __cacheline_aligned
#define ____cacheline_aligned
#define ____cacheline_aligned_in_smp
#define __cacheline_aligned_in_smp
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __cond_lock(x, c)	(c)
#define notrace
#define fallthrough		__attribute__((__fallthrough__))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))
#define __must_be_array(a)	BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define BUILD_BUG_ON_MSG(c, m)	_Static_assert(!(c), m)
#define BUILD_BUG()		BUILD_BUG_ON(1)
#undef static_assert
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)
#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))
#define __is_constexpr(x)	__builtin_constant_p(x)
#define __UNIQUE_ID(p)		__PASTE(__PASTE(__UNIQUE_ID_, p), __COUNTER__)
#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
#define _THIS_IP_		({ __label__ __here; __here: (unsigned long)&&__here; })

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile typeof(x) *)&(x) = (val); } while (0)
#define data_race(expr)		(expr)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define mb()			smp_mb()
#define rmb()			smp_rmb()
#define wmb()			smp_wmb()
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define cpu_relax()		barrier()
#define prefetch(p)		__builtin_prefetch(p)
#define prefetchw(p)		__builtin_prefetch(p, 1)

/* ------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s8 __s8;
typedef s16 __s16;
typedef s32 __s32;
typedef s64 __s64;
typedef unsigned int gfp_t;
typedef unsigned long phys_addr_t;
typedef unsigned long dma_addr_t;
typedef u64 ktime_t;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

typedef struct {
	long counter;
} atomic_long_t;

/* ------------------------------------------------------------------------
 * Arithmetic
 * ------------------------------------------------------------------------
 */

#define BITS_PER_BYTE		8
#define BITS_PER_LONG		64
#define BITS_PER_LONG_LONG	64
#define U8_MAX			((u8)~0U)
#define S8_MAX			((s8)(U8_MAX >> 1))
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define S32_MAX			((s32)(U32_MAX >> 1))
#define U64_MAX			((u64)~0ULL)
#define S64_MAX			((s64)(U64_MAX >> 1))
#define UL(x)			(x##UL)
#define ULL(x)			(x##ULL)
#define _AC(x, y)		(x##y)
#define _UL(x)			(_AC(x, UL))
#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (63 - (h))))
#define BITS_TO_LONGS(nr)	DIV_ROUND_UP(nr, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)((char *)__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member)	container_of(ptr, type, member)

#define __cmp(op, x, y)		((x) op (y) ? (x) : (y))
#define __cmp_once(op, x, y, ux, uy) ({				\
	typeof(x) ux = (x);					\
	typeof(y) uy = (y);					\
	(void)(&ux == &uy);					\
	__cmp(op, ux, uy); })
#define min(x, y)		__cmp_once(<, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define max(x, y)		__cmp_once(>, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define min_t(type, x, y)	min((type)(x), (type)(y))
#define max_t(type, x, y)	max((type)(x), (type)(y))
#define min3(x, y, z)		min((typeof(x))min(x, y), z)
#define max3(x, y, z)		max((typeof(x))max(x, y), z)
#define umin(x, y)		min_t(unsigned long long, x, y)
#define umax(x, y)		max_t(unsigned long long, x, y)
#define clamp(val, lo, hi)	min((typeof(val))max(val, lo), hi)
#define clamp_t(type, v, l, h)	min_t(type, max_t(type, v, l), h)
#define clamp_val(v, l, h)	clamp_t(typeof(v), v, l, h)
#define swap(a, b)		do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#define __ALIGN_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define ALIGN(x, a)		__ALIGN_MASK(x, (typeof(x))(a) - 1)
#define ALIGN_DOWN(x, a)	ALIGN((x) - ((a) - 1), (a))
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))
#define PTR_ALIGN_DOWN(p, a)	((typeof(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(n, d)	DIV_ROUND_UP((unsigned long long)(n), (d))
#define DIV_ROUND_CLOSEST(x, d)	(((x) + ((d) / 2)) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)		((x) - ((x) % (y)))
#define __round_mask(x, y)	((__typeof__(x))((y) - 1))
#define round_up(x, y)		((((x) - 1) | __round_mask(x, y)) + 1)
#define round_down(x, y)	((x) & ~__round_mask(x, y))
#define mult_frac(x, n, d)	(((x) / (d)) * (n) + (((x) % (d)) * (n)) / (d))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#define struct_size(p, member, n)	(sizeof(*(p)) + sizeof(*(p)->member) * (n))
#define array_size(a, b)	((a) * (b))

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned long __fls(unsigned long x)
{
	return BITS_PER_LONG - 1 - __builtin_clzl(x);
}

static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

static inline unsigned long ffz(unsigned long x)
{
	return __builtin_ctzl(~x);
}

static inline unsigned int hweight32(u32 w)
{
	return __builtin_popcount(w);
}

static inline unsigned int hweight64(u64 w)
{
	return __builtin_popcountll(w);
}

static inline unsigned long hweight_long(unsigned long w)
{
	return __builtin_popcountl(w);
}

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && ((n & (n - 1)) == 0);
}

#define ilog2(n)		(fls64(n) - 1)
#define order_base_2(n)		((n) > 1 ? ilog2((n) - 1) + 1 : 0)

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls64(n - 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << __fls(n);
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline s64 div64_s64(s64 a, s64 b)
{
	return a / b;
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

static inline s64 div_s64(s64 a, s32 b)
{
	return a / b;
}

static inline u64 div_u64_rem(u64 a, u32 b, u32 *rem)
{
	*rem = a % b;
	return a / b;
}

static inline u64 div64_u64_rem(u64 a, u64 b, u64 *rem)
{
	*rem = a % b;
	return a / b;
}

#define do_div(n, base) ({					\
	u32 __base = (base);					\
	u32 __rem = (u64)(n) % __base;				\
	(n) = (u64)(n) / __base;				\
	__rem; })

/* ------------------------------------------------------------------------
 * Reports: printk, WARN, BUG
 * ------------------------------------------------------------------------
 */

/* pr_fmt: the default comes with the first <linux/...> include, as in the kernel */
#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_DEFAULT	""
#define KERN_CONT	KERN_SOH "c"

__printf(1, 2) int shim_printk(const char *fmt, ...);
__printf(3, 4) __noreturn void shim_die(const char *file, int line, const char *fmt, ...);

#define printk(fmt, ...)	shim_printk(fmt, ##__VA_ARGS__)
#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_err_once(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_once(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_once(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define no_printk(fmt, ...)	({ if (0) printk(fmt, ##__VA_ARGS__); 0; })

/* Every WARN and BUG is a finding: the kernel log must stay free of them. */
#define WARN(cond, fmt, ...) ({						\
	int __ret = !!(cond);						\
	if (unlikely(__ret))						\
		shim_die(__FILE__, __LINE__, "WARNING: " fmt, ##__VA_ARGS__);	\
	unlikely(__ret); })
#define WARN_ON(cond)		WARN(cond, "WARN_ON(%s)", #cond)
#define WARN_ON_ONCE(cond)	WARN(cond, "WARN_ON_ONCE(%s)", #cond)
#define WARN_ONCE(cond, fmt, ...)	WARN(cond, fmt, ##__VA_ARGS__)
#define WARN_ON_SMP(cond)	WARN_ON(cond)
#define VM_WARN_ON(cond)	((void)WARN_ON(cond))
#define VM_WARN_ON_ONCE(cond)	WARN_ON_ONCE(cond)
#define VM_WARN_ONCE(cond, fmt, ...)	WARN_ONCE(cond, fmt, ##__VA_ARGS__)
#define VM_BUG_ON(cond)		BUG_ON(cond)
#define BUG()			shim_die(__FILE__, __LINE__, "BUG")
#define BUG_ON(cond)		do { if (unlikely(cond)) shim_die(__FILE__, __LINE__, "BUG_ON(%s)", #cond); } while (0)
#define dump_stack()		shim_printk(KERN_WARNING "dump_stack()\n")
#define panic(fmt, ...)		shim_die(__FILE__, __LINE__, "panic: " fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------
 */

#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR(ptr);
}

static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}

static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif
#define ERESTARTSYS	512

/* ------------------------------------------------------------------------
 * Execution context: CPU, interrupts, preemption, migration, locks
 * ------------------------------------------------------------------------
 */

/**
 * struct shim_lock_map - what the shim knows of one lock (lockdep's dep_map)
 * @name: the lock's name, for reports.
 * @held: whether it is held now.
 * @class: SHIM_LOCK_*, set when first taken.
 */
struct shim_lock_map {
	const char *name;
	bool held;
	unsigned char class;
};

enum {
	SHIM_LOCK_SPIN,		/* spinlock_t: sleeping on PREEMPT_RT */
	SHIM_LOCK_RAW,		/* raw_spinlock_t: always spinning */
	SHIM_LOCK_LOCAL,	/* local_lock_t */
	SHIM_LOCK_MUTEX,	/* struct mutex, rw_semaphore */
	SHIM_NR_LOCK_CLASSES,
};

typedef struct spinlock {
	struct shim_lock_map dep_map;
} spinlock_t;

typedef struct raw_spinlock {
	struct shim_lock_map dep_map;
} raw_spinlock_t;

typedef struct {
	struct shim_lock_map dep_map;
} local_lock_t;

struct mutex {
	struct shim_lock_map dep_map;
};

struct rw_semaphore {
	struct shim_lock_map dep_map;
};

/**
 * struct shim_ctx - the execution context the shim simulates
 * @cpu: the CPU the task runs on.
 * @hardirqs_off: hard interrupts are disabled.
 * @preempt_count: preemption disabled this many times (raw spinlocks,
 *	and on !RT every spinlock_t and local_lock_t).
 * @migrate_count: migration disabled (on RT, by spinlock_t and local_lock_t).
 * @sleeping_locks: RT: spinlock_t and local_lock_t held (they forbid
 *	sleeping as much as a !RT spinlock does).
 * @locks_held: locks of any class held.
 * @held: the locks held, in order of acquisition.
 * @in_hook: the preemption hook is running a nested operation.
 * @rcu_depth: rcu_read_lock() nesting.
 * @in_softirq: RCU callbacks are running (softirq context).
 */
struct shim_ctx {
	unsigned int cpu;
	bool hardirqs_off;
	int preempt_count;
	int migrate_count;
	int sleeping_locks;
	int locks_held;
	struct shim_lock_map *held[32];
	bool in_hook;
	int rcu_depth;
	bool in_softirq;
};

extern struct shim_ctx shim_ctx;
extern unsigned int shim_nr_cpus;
extern unsigned long shim_cpu_online_mask;

void shim_lock_acquire(struct shim_lock_map *map, int class, const char *name);
void shim_lock_release(struct shim_lock_map *map, int class);
bool shim_lock_tryacquire(struct shim_lock_map *map, int class, const char *name);
void shim_assert_held(const struct shim_lock_map *map, const char *what,
		      const char *file, int line);
void shim_assert_not_held(const struct shim_lock_map *map, const char *what,
			  const char *file, int line);
void shim_might_sleep(const char *what, const char *file, int line);
void shim_preempt_point(void);
unsigned long shim_irq_save(void);
void shim_irq_restore(unsigned long flags);
void shim_preempt_disable(void);
void shim_preempt_enable(void);
void shim_migrate_disable(void);
void shim_migrate_enable(void);
unsigned int shim_this_cpu(const char *what, const char *file, int line);

#define __SHIM_LOCK_INIT(n)	{ .dep_map = { .name = #n } }
#define __SPIN_LOCK_UNLOCKED(n)	((spinlock_t)__SHIM_LOCK_INIT(n))
#define DEFINE_SPINLOCK(n)	spinlock_t n = __SHIM_LOCK_INIT(n)
#define DEFINE_RAW_SPINLOCK(n)	raw_spinlock_t n = __SHIM_LOCK_INIT(n)
#define DEFINE_MUTEX(n)		struct mutex n = __SHIM_LOCK_INIT(n)
#define DECLARE_RWSEM(n)	struct rw_semaphore n = __SHIM_LOCK_INIT(n)
#define INIT_LOCAL_LOCK(n)	__SHIM_LOCK_INIT(n)
#define __SHIM_INIT(l, n)	((void)((l)->dep_map = (struct shim_lock_map){ .name = n }))

#define spin_lock_init(l)		__SHIM_INIT(l, #l)
#define raw_spin_lock_init(l)		__SHIM_INIT(l, #l)
#define mutex_init(l)			__SHIM_INIT(l, #l)
#define init_rwsem(l)			__SHIM_INIT(l, #l)
#define mutex_destroy(l)		shim_assert_not_held(&(l)->dep_map, #l, __FILE__, __LINE__)

/* names are stringified here, at the outermost macro, before expansion */
#define __SHIM_ACQ(l, c)		shim_lock_acquire(&(l)->dep_map, c, NULL)
#define __SHIM_REL(l, c)		shim_lock_release(&(l)->dep_map, c)
#define __SHIM_TRY(l, c)		shim_lock_tryacquire(&(l)->dep_map, c, NULL)

#define spin_lock(l)			__SHIM_ACQ(l, SHIM_LOCK_SPIN)
#define spin_unlock(l)			__SHIM_REL(l, SHIM_LOCK_SPIN)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_trylock(l)			__SHIM_TRY(l, SHIM_LOCK_SPIN)
#define spin_lock_nested(l, s)		spin_lock(l)
#define spin_is_locked(l)		(READ_ONCE((l)->dep_map.held))
#define assert_spin_locked(l)		lockdep_assert_held(l)
#define raw_spin_lock(l)		__SHIM_ACQ(l, SHIM_LOCK_RAW)
#define raw_spin_unlock(l)		__SHIM_REL(l, SHIM_LOCK_RAW)
#define raw_spin_trylock(l)		__SHIM_TRY(l, SHIM_LOCK_RAW)
#define mutex_lock(l)			__SHIM_ACQ(l, SHIM_LOCK_MUTEX)
#define mutex_lock_nested(l, s)		mutex_lock(l)
#define mutex_lock_interruptible(l)	(mutex_lock(l), 0)
#define mutex_lock_killable(l)		(mutex_lock(l), 0)
#define mutex_trylock(l)		__SHIM_TRY(l, SHIM_LOCK_MUTEX)
#define mutex_unlock(l)			__SHIM_REL(l, SHIM_LOCK_MUTEX)
#define mutex_is_locked(l)		(READ_ONCE((l)->dep_map.held))
#define down_read(l)			__SHIM_ACQ(l, SHIM_LOCK_MUTEX)
#define up_read(l)			__SHIM_REL(l, SHIM_LOCK_MUTEX)
#define down_write(l)			__SHIM_ACQ(l, SHIM_LOCK_MUTEX)
#define up_write(l)			__SHIM_REL(l, SHIM_LOCK_MUTEX)
#define down_read_trylock(l)		__SHIM_TRY(l, SHIM_LOCK_MUTEX)
#define down_write_trylock(l)		__SHIM_TRY(l, SHIM_LOCK_MUTEX)

/*
 * On PREEMPT_RT a spinlock_t never disables interrupts: the irqsave forms
 * only take the (sleeping) lock and set @flags to 0.
 */
#if IS_ENABLED(CONFIG_PREEMPT_RT)
#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)
#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_trylock_irqsave(l, f)	({ (f) = 0; spin_trylock(l); })
#else
#define spin_lock_irqsave(l, f)		do { (f) = shim_irq_save(); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { spin_unlock(l); shim_irq_restore(f); } while (0)
#define spin_lock_irq(l)		do { shim_irq_save(); spin_lock(l); } while (0)
#define spin_unlock_irq(l)		do { spin_unlock(l); shim_irq_restore(0); } while (0)
#define spin_trylock_irqsave(l, f) ({					\
	bool __ok;							\
	(f) = shim_irq_save();						\
	__ok = spin_trylock(l);						\
	if (!__ok)							\
		shim_irq_restore(f);					\
	__ok; })
#endif
#define raw_spin_lock_irqsave(l, f)	do { (f) = shim_irq_save(); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, f) do { raw_spin_unlock(l); shim_irq_restore(f); } while (0)
#define raw_spin_lock_irq(l)		do { shim_irq_save(); raw_spin_lock(l); } while (0)
#define raw_spin_unlock_irq(l)		do { raw_spin_unlock(l); shim_irq_restore(0); } while (0)

#define local_irq_save(f)		((f) = shim_irq_save())
#define local_irq_restore(f)		shim_irq_restore(f)
#define local_irq_disable()		((void)shim_irq_save())
#define local_irq_enable()		shim_irq_restore(0)
#define local_save_flags(f)		((f) = shim_ctx.hardirqs_off)
#define irqs_disabled()			(shim_ctx.hardirqs_off)
#define irqs_disabled_flags(f)		(!!(f))
#define local_bh_disable()		shim_preempt_disable()
#define local_bh_enable()		shim_preempt_enable()
#define preempt_disable()		shim_preempt_disable()
#define preempt_enable()		shim_preempt_enable()
#define preempt_enable_no_resched()	shim_preempt_enable()
#define preempt_count()			(shim_ctx.preempt_count)
#define preemptible()			(!shim_ctx.preempt_count && !shim_ctx.hardirqs_off)
#define migrate_disable()		shim_migrate_disable()
#define migrate_enable()		shim_migrate_enable()
#define in_interrupt()			(shim_ctx.in_softirq)
#define in_irq()			0
#define in_hardirq()			0
#define in_softirq()			(shim_ctx.in_softirq)
#define in_serving_softirq()		(shim_ctx.in_softirq)
#define in_nmi()			0
#define in_task()			(!shim_ctx.in_softirq)
#define in_atomic()			(shim_ctx.preempt_count != 0)

#define might_sleep()			shim_might_sleep("might_sleep()", __FILE__, __LINE__)
#define might_sleep_if(c)		do { if (c) might_sleep(); } while (0)
#define might_resched()			shim_preempt_point()
#define cond_resched()			({ might_sleep(); shim_preempt_point(); 0; })
#define schedule()			cond_resched()
#define need_resched()			false
#define spin_needbreak(l)		false
#define cond_resched_lock(l)		({ lockdep_assert_held(l); 0; })

#define lockdep_assert_held(l)		shim_assert_held(&(l)->dep_map, #l, __FILE__, __LINE__)
#define lockdep_assert_held_once(l)	lockdep_assert_held(l)
#define lockdep_assert_held_write(l)	lockdep_assert_held(l)
#define lockdep_assert_held_read(l)	lockdep_assert_held(l)
#define lockdep_assert_not_held(l)	shim_assert_not_held(&(l)->dep_map, #l, __FILE__, __LINE__)
#define lockdep_assert_irqs_disabled()	WARN_ON_ONCE(!shim_ctx.hardirqs_off)
#define lockdep_assert_irqs_enabled()	WARN_ON_ONCE(shim_ctx.hardirqs_off)
#define lockdep_assert_preemption_disabled() \
	WARN_ON_ONCE(!shim_ctx.preempt_count && !shim_ctx.hardirqs_off)
#define lockdep_assert_preemption_enabled() \
	WARN_ON_ONCE(shim_ctx.preempt_count || shim_ctx.hardirqs_off)
#define lockdep_assert_in_irq()		WARN_ON_ONCE(1)
#define lockdep_set_class(l, k)		((void)(k))
#define lockdep_set_class_and_name(l, k, n)	((void)(k), (l)->dep_map.name = (n))
#define lockdep_set_novalidate_class(l)	((void)(l))
#define lockdep_is_held(l)		(READ_ONCE((l)->dep_map.held))
#define lockdep_off()			((void)0)
#define lockdep_on()			((void)0)
struct lock_class_key {
	int unused;
};

/* ------------------------------------------------------------------------
 * RCU: callbacks queue until a grace period, which the shim grants in
 * rcu_barrier(), synchronize_rcu() and between API calls (shim_rcu_gp()),
 * never inside a read-side section; they run as in softirq context.
 * Read-side sections disable preemption on !RT (non-preemptible RCU) and
 * must not sleep anywhere.
 * ------------------------------------------------------------------------
 */

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define callback_head rcu_head
typedef void (*rcu_callback_t)(struct rcu_head *head);

void call_rcu(struct rcu_head *head, rcu_callback_t func);
void shim_kfree_rcu(struct rcu_head *head, size_t offset);
void rcu_barrier(void);
void synchronize_rcu(void);
void shim_rcu_read_lock(void);
void shim_rcu_read_unlock(void);
bool shim_rcu_gp(void);
extern unsigned long shim_rcu_pending;
extern unsigned long shim_rcu_gps;	/* grace periods that ran callbacks */
extern unsigned long shim_rcu_callbacks;	/* callbacks run */
extern unsigned long shim_cpuhp_calls;	/* cpuhp callbacks run */

#define rcu_read_lock()			shim_rcu_read_lock()
#define rcu_read_unlock()		shim_rcu_read_unlock()
#define rcu_read_lock_bh()		shim_rcu_read_lock()
#define rcu_read_unlock_bh()		shim_rcu_read_unlock()
#define rcu_read_lock_sched()		shim_rcu_read_lock()
#define rcu_read_unlock_sched()		shim_rcu_read_unlock()
#define rcu_read_lock_held()		(shim_ctx.rcu_depth > 0)
#define rcu_dereference(p)		READ_ONCE(p)
#define rcu_dereference_raw(p)		READ_ONCE(p)
#define rcu_dereference_check(p, c)	READ_ONCE(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_access_pointer(p)		READ_ONCE(p)
#define rcu_assign_pointer(p, v)	smp_store_release(&(p), v)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define synchronize_rcu_expedited()	synchronize_rcu()
#define kfree_rcu(p, f)			shim_kfree_rcu(&(p)->f, offsetof(typeof(*(p)), f))
#define kvfree_rcu(p, f)		kfree_rcu(p, f)
#define rcu_head_init(h)		((void)(h))

/* ------------------------------------------------------------------------
 * Per-CPU memory and CPUs
 * ------------------------------------------------------------------------
 */

void *shim_alloc_percpu(size_t size, size_t align);
void shim_free_percpu(void *handle);
void *shim_per_cpu_ptr(const void *handle, unsigned int cpu, const char *file, int line);

#define nr_cpu_ids			shim_nr_cpus
#define num_possible_cpus()		shim_nr_cpus
#define num_present_cpus()		shim_nr_cpus
#define num_online_cpus()		((unsigned int)hweight_long(shim_cpu_online_mask))
#define cpu_possible(c)			((unsigned int)(c) < shim_nr_cpus)
#define cpu_present(c)			cpu_possible(c)
#define cpu_online(c)			(cpu_possible(c) && (shim_cpu_online_mask & BIT(c)))
#define for_each_possible_cpu(c)	for ((c) = 0; (unsigned int)(c) < shim_nr_cpus; (c)++)
#define for_each_present_cpu(c)		for_each_possible_cpu(c)
#define for_each_online_cpu(c)		for_each_possible_cpu(c) if (!cpu_online(c)) {} else
#define for_each_cpu(c, m)		for_each_online_cpu(c)
#define cpu_online_mask			(&shim_cpu_online_mask)
#define cpu_possible_mask		(&shim_cpu_online_mask)

#define smp_processor_id()		shim_this_cpu("smp_processor_id()", __FILE__, __LINE__)
#define raw_smp_processor_id()		(shim_ctx.cpu)
#define get_cpu()			({ preempt_disable(); smp_processor_id(); })
#define put_cpu()			preempt_enable()

#define alloc_percpu(type)		\
	((type __percpu *)shim_alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp)	alloc_percpu(type)
#define __alloc_percpu(size, align)	shim_alloc_percpu(size, align)
#define __alloc_percpu_gfp(s, a, gfp)	shim_alloc_percpu(s, a)
#define free_percpu(p)			shim_free_percpu(p)
#define per_cpu_ptr(p, c)		\
	((typeof(p))shim_per_cpu_ptr((const void *)(p), (c), __FILE__, __LINE__))
#define raw_cpu_ptr(p)			per_cpu_ptr(p, shim_ctx.cpu)
#define this_cpu_ptr(p)			\
	per_cpu_ptr(p, shim_this_cpu("this_cpu_ptr()", __FILE__, __LINE__))
#define get_cpu_ptr(p)			({ preempt_disable(); this_cpu_ptr(p); })
#define put_cpu_ptr(p)			do { (void)(p); preempt_enable(); } while (0)
#define per_cpu(var, c)			(*per_cpu_ptr(&(var), c))
/* this_cpu_*() are irq-safe single operations: no preemption check */
#define __shim_this_cpu(pcp)		(*per_cpu_ptr(&(pcp), shim_ctx.cpu))
#define this_cpu_read(pcp)		READ_ONCE(__shim_this_cpu(pcp))
#define this_cpu_write(pcp, v)		WRITE_ONCE(__shim_this_cpu(pcp), v)
#define this_cpu_add(pcp, v)		((void)(__shim_this_cpu(pcp) += (v)))
#define this_cpu_sub(pcp, v)		((void)(__shim_this_cpu(pcp) -= (v)))
#define this_cpu_inc(pcp)		this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)		this_cpu_sub(pcp, 1)
#define this_cpu_add_return(pcp, v)	(__shim_this_cpu(pcp) += (v))
#define this_cpu_inc_return(pcp)	this_cpu_add_return(pcp, 1)
#define __this_cpu_read(pcp)		(*this_cpu_ptr(&(pcp)))
#define __this_cpu_write(pcp, v)	((void)(*this_cpu_ptr(&(pcp)) = (v)))
#define __this_cpu_add(pcp, v)		((void)(*this_cpu_ptr(&(pcp)) += (v)))
#define __this_cpu_sub(pcp, v)		((void)(*this_cpu_ptr(&(pcp)) -= (v)))
#define __this_cpu_inc(pcp)		__this_cpu_add(pcp, 1)
#define __this_cpu_dec(pcp)		__this_cpu_sub(pcp, 1)
#define raw_cpu_read(pcp)		__shim_this_cpu(pcp)
#define raw_cpu_write(pcp, v)		((void)(__shim_this_cpu(pcp) = (v)))
#define raw_cpu_inc(pcp)		((void)(__shim_this_cpu(pcp)++))

/*
 * local_lock_t takes a __percpu pointer and locks this CPU's instance:
 * on !RT it disables preemption (and interrupts for the irq forms); on RT
 * it is a per-CPU sleeping lock that disables migration.
 */
#define __shim_local(l)			this_cpu_ptr(l)
#if IS_ENABLED(CONFIG_PREEMPT_RT)
#define local_lock(l)			do {					\
	migrate_disable();							\
	__SHIM_ACQ(__shim_local(l), SHIM_LOCK_LOCAL);				\
} while (0)
#define local_unlock(l)			do {					\
	__SHIM_REL(__shim_local(l), SHIM_LOCK_LOCAL);				\
	migrate_enable();							\
} while (0)
#define local_lock_irq(l)		local_lock(l)
#define local_unlock_irq(l)		local_unlock(l)
#define local_lock_irqsave(l, f)	do { (f) = 0; local_lock(l); } while (0)
#define local_unlock_irqrestore(l, f)	do { (void)(f); local_unlock(l); } while (0)
#else
#define local_lock(l)			do {					\
	preempt_disable();							\
	__SHIM_ACQ(__shim_local(l), SHIM_LOCK_LOCAL);				\
} while (0)
#define local_unlock(l)			do {					\
	__SHIM_REL(__shim_local(l), SHIM_LOCK_LOCAL);				\
	preempt_enable();							\
} while (0)
#define local_lock_irq(l)		do {					\
	shim_irq_save();							\
	__SHIM_ACQ(__shim_local(l), SHIM_LOCK_LOCAL);				\
} while (0)
#define local_unlock_irq(l)		do {					\
	__SHIM_REL(__shim_local(l), SHIM_LOCK_LOCAL);				\
	shim_irq_restore(0);							\
} while (0)
#define local_lock_irqsave(l, f)	do {					\
	(f) = shim_irq_save();							\
	__SHIM_ACQ(__shim_local(l), SHIM_LOCK_LOCAL);				\
} while (0)
#define local_unlock_irqrestore(l, f)	do {					\
	__SHIM_REL(__shim_local(l), SHIM_LOCK_LOCAL);				\
	shim_irq_restore(f);							\
} while (0)
#endif
#define local_lock_init(l)		__SHIM_INIT(l, #l)
#define local_lock_nested_bh(l)		local_lock(l)
#define local_unlock_nested_bh(l)	local_unlock(l)

/*
 * CPU hotplug: states with their callbacks, and multi-instance states with
 * their instances.  shim_cpu_down()/shim_cpu_up() run them as the kernel
 * does: teardown in reverse state order on the dying CPU (AP states) or on
 * a control CPU after it died (BP states), startup in order.
 */
enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_CREATE_THREADS,
	CPUHP_PERF_PREPARE,
	CPUHP_RANDOM_PREPARE,
	CPUHP_WORKQUEUE_PREP,
	CPUHP_MM_MEMCQ_DEAD,
	CPUHP_PAGE_ALLOC,
	CPUHP_NET_DEV_DEAD,
	CPUHP_SLAB_PREPARE,
	CPUHP_MM_ZS_PREPARE,
	CPUHP_RADIX_DEAD,
	CPUHP_BP_PREPARE_DYN,
	CPUHP_BP_PREPARE_DYN_END = CPUHP_BP_PREPARE_DYN + 20,
	CPUHP_BP_KICK_AP,
	CPUHP_BRINGUP_CPU,
	CPUHP_AP_IDLE_DEAD,
	CPUHP_AP_OFFLINE,
	CPUHP_TEARDOWN_CPU,
	CPUHP_AP_ONLINE,
	CPUHP_AP_ONLINE_IDLE,
	CPUHP_AP_WORKQUEUE_ONLINE,
	CPUHP_AP_RANDOM_ONLINE,
	CPUHP_AP_ONLINE_DYN,
	CPUHP_AP_ONLINE_DYN_END = CPUHP_AP_ONLINE_DYN + 40,
	CPUHP_AP_ACTIVE,
	CPUHP_ONLINE,
};

int shim_cpuhp_setup(enum cpuhp_state state, const char *name, bool invoke,
		     int (*startup)(unsigned int cpu), int (*teardown)(unsigned int cpu),
		     bool multi);
int shim_cpuhp_setup_multi(enum cpuhp_state state, const char *name,
			   int (*startup)(unsigned int cpu, struct hlist_node *node),
			   int (*teardown)(unsigned int cpu, struct hlist_node *node));
void shim_cpuhp_remove(enum cpuhp_state state, bool invoke);
int shim_cpuhp_add_instance(enum cpuhp_state state, struct hlist_node *node, bool invoke);
int shim_cpuhp_remove_instance(enum cpuhp_state state, struct hlist_node *node, bool invoke);

#define cpuhp_setup_state(s, n, up, down)	shim_cpuhp_setup(s, n, true, up, down, false)
#define cpuhp_setup_state_nocalls(s, n, up, down) shim_cpuhp_setup(s, n, false, up, down, false)
#define cpuhp_setup_state_cpuslocked(s, n, up, down) shim_cpuhp_setup(s, n, true, up, down, false)
#define cpuhp_setup_state_nocalls_cpuslocked(s, n, up, down) \
	shim_cpuhp_setup(s, n, false, up, down, false)
#define cpuhp_setup_state_multi(s, n, up, down)	shim_cpuhp_setup_multi(s, n, up, down)
#define cpuhp_remove_state(s)			shim_cpuhp_remove(s, true)
#define cpuhp_remove_state_nocalls(s)		shim_cpuhp_remove(s, false)
#define cpuhp_remove_state_nocalls_cpuslocked(s) shim_cpuhp_remove(s, false)
#define cpuhp_remove_multi_state(s)		shim_cpuhp_remove(s, false)
#define cpuhp_state_add_instance(s, n)		shim_cpuhp_add_instance(s, n, true)
#define cpuhp_state_add_instance_nocalls(s, n)	shim_cpuhp_add_instance(s, n, false)
#define cpuhp_state_add_instance_nocalls_cpuslocked(s, n) shim_cpuhp_add_instance(s, n, false)
#define cpuhp_state_remove_instance(s, n)	shim_cpuhp_remove_instance(s, n, true)
#define cpuhp_state_remove_instance_nocalls(s, n) shim_cpuhp_remove_instance(s, n, false)

extern struct mutex shim_cpu_hotplug_lock;
#define cpus_read_lock()		mutex_lock(&shim_cpu_hotplug_lock)
#define cpus_read_unlock()		mutex_unlock(&shim_cpu_hotplug_lock)
#define cpus_read_trylock()		mutex_trylock(&shim_cpu_hotplug_lock)
#define get_online_cpus()		cpus_read_lock()
#define put_online_cpus()		cpus_read_unlock()
#define lockdep_assert_cpus_held()	lockdep_assert_held(&shim_cpu_hotplug_lock)
#define cpu_hotplug_disable()		((void)0)
#define cpu_hotplug_enable()		((void)0)

/* Simulation controls and counters for the harness. */
extern void (*shim_preempt_hook)(void);
extern long shim_kmalloc_live;
extern long shim_percpu_live;
extern unsigned long shim_printk_errors;
int shim_cpu_down(unsigned int cpu);
int shim_cpu_up(unsigned int cpu);
void shim_set_cpu(unsigned int cpu);
void shim_assert_quiescent(const char *where);
/* Provided by the sanitizer runtimes; absent in a plain build. */
extern void __sanitizer_print_stack_trace(void) __attribute__((weak));

/* ------------------------------------------------------------------------
 * Atomics and bit operations
 * ------------------------------------------------------------------------
 */

#define cmpxchg(p, o, n) ({						\
	typeof(*(p)) __old = (o);					\
	__atomic_compare_exchange_n(p, &__old, (typeof(*(p)))(n), false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	__old; })
#define cmpxchg_relaxed(p, o, n)	cmpxchg(p, o, n)
#define cmpxchg_acquire(p, o, n)	cmpxchg(p, o, n)
#define cmpxchg_release(p, o, n)	cmpxchg(p, o, n)
#define cmpxchg64(p, o, n)		cmpxchg(p, o, n)
#define cmpxchg_local(p, o, n)		cmpxchg(p, o, n)
#define try_cmpxchg(p, po, n)		\
	__atomic_compare_exchange_n(p, po, n, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg_relaxed(p, po, n)	try_cmpxchg(p, po, n)
#define try_cmpxchg_acquire(p, po, n)	try_cmpxchg(p, po, n)
#define try_cmpxchg_release(p, po, n)	try_cmpxchg(p, po, n)
#define xchg(p, v)			__atomic_exchange_n(p, v, __ATOMIC_SEQ_CST)
#define xchg_relaxed(p, v)		xchg(p, v)

#define ATOMIC_INIT(i)			{ (i) }
#define __SHIM_ATOMIC(pfx, T)							\
static inline T pfx##_read(const pfx##_t *v)					\
{ return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }			\
static inline void pfx##_set(pfx##_t *v, T i)					\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline void pfx##_add(T i, pfx##_t *v)					\
{ __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); }			\
static inline void pfx##_sub(T i, pfx##_t *v)					\
{ __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); }			\
static inline void pfx##_inc(pfx##_t *v) { pfx##_add(1, v); }			\
static inline void pfx##_dec(pfx##_t *v) { pfx##_sub(1, v); }			\
static inline T pfx##_add_return(T i, pfx##_t *v)				\
{ return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline T pfx##_sub_return(T i, pfx##_t *v)				\
{ return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline T pfx##_fetch_add(T i, pfx##_t *v)				\
{ return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline T pfx##_fetch_sub(T i, pfx##_t *v)				\
{ return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline T pfx##_inc_return(pfx##_t *v) { return pfx##_add_return(1, v); } \
static inline T pfx##_dec_return(pfx##_t *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(pfx##_t *v) { return !pfx##_dec_return(v); } \
static inline bool pfx##_inc_and_test(pfx##_t *v) { return !pfx##_inc_return(v); } \
static inline T pfx##_xchg(pfx##_t *v, T i)					\
{ return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline T pfx##_cmpxchg(pfx##_t *v, T o, T n)				\
{ __atomic_compare_exchange_n(&v->counter, &o, n, false, __ATOMIC_SEQ_CST,	\
			      __ATOMIC_SEQ_CST); return o; }			\
static inline bool pfx##_try_cmpxchg(pfx##_t *v, T *o, T n)			\
{ return __atomic_compare_exchange_n(&v->counter, o, n, false,			\
				     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
__SHIM_ATOMIC(atomic, int)
__SHIM_ATOMIC(atomic64, s64)
__SHIM_ATOMIC(atomic_long, long)
#define atomic_read_acquire(v)		__atomic_load_n(&(v)->counter, __ATOMIC_ACQUIRE)
#define atomic_set_release(v, i)	__atomic_store_n(&(v)->counter, i, __ATOMIC_RELEASE)

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

static inline void change_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}

static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;
}

#define test_bit_acquire(nr, addr)	test_bit(nr, addr)
#define clear_bit_unlock(nr, addr)	clear_bit(nr, addr)
#define test_and_set_bit_lock(nr, addr)	test_and_set_bit(nr, addr)

static inline void __set_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool __test_and_set_bit(long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__set_bit(nr, addr);
	return old;
}

static inline bool __test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__clear_bit(nr, addr);
	return old;
}

#define BITMAP_FIRST_WORD_MASK(start)	(~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits)	(~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0xff, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int k, w = 0;

	for (k = 0; k < nbits / BITS_PER_LONG; k++)
		w += hweight_long(src[k]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[k] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
					  unsigned long offset)
{
	for (; offset < size; offset++)
		if (test_bit(offset, addr))
			return offset;
	return size;
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long offset)
{
	for (; offset < size; offset++)
		if (!test_bit(offset, addr))
			return offset;
	return size;
}

#define find_first_bit(addr, size)	find_next_bit(addr, size, 0)
#define find_first_zero_bit(addr, size)	find_next_zero_bit(addr, size, 0)
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_first_bit(addr, size); (bit) < (size);	\
	     (bit) = find_next_bit(addr, size, (bit) + 1))
#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = find_first_zero_bit(addr, size); (bit) < (size);	\
	     (bit) = find_next_zero_bit(addr, size, (bit) + 1))

static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int len)
{
	while (len--)
		__set_bit(start++, map);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len)
{
	while (len--)
		__clear_bit(start++, map);
}

static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}

static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) == nbits;
}

/* ------------------------------------------------------------------------
 * Memory: pages, allocators
 * ------------------------------------------------------------------------
 */

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(a)		ALIGN(a, PAGE_SIZE)
#define PAGE_ALIGNED(a)		IS_ALIGNED((unsigned long)(a), PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)
#define MAX_PAGE_ORDER		10
#define MAX_ORDER		MAX_PAGE_ORDER
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define SZ_1K			0x400
#define SZ_4K			0x1000
#define SZ_64K			0x10000
#define SZ_1M			0x100000
#define SZ_2M			0x200000
#define SZ_4M			0x400000
#define SZ_1G			0x40000000
#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		64
#define ARCH_KMALLOC_MINALIGN	8

static inline int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return fls64((size - 1) >> PAGE_SHIFT);
}

#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_HIGH		((gfp_t)0x20u)
#define __GFP_IO		((gfp_t)0x40u)
#define __GFP_FS		((gfp_t)0x80u)
#define __GFP_ZERO		((gfp_t)0x100u)
#define __GFP_NOWARN		((gfp_t)0x2000u)
#define __GFP_RETRY_MAYFAIL	((gfp_t)0x4000u)
#define __GFP_NOFAIL		((gfp_t)0x8000u)
#define __GFP_NORETRY		((gfp_t)0x10000u)
#define __GFP_COMP		((gfp_t)0x40000u)
#define __GFP_ACCOUNT		((gfp_t)0x400000u)
#define __GFP_HIGHMEM		((gfp_t)0x02u)
#define __GFP_DMA		((gfp_t)0x01u)
#define __GFP_DMA32		((gfp_t)0x04u)
#define __GFP_MOVABLE		((gfp_t)0x08u)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		GFP_KERNEL
#define GFP_HIGHUSER		GFP_KERNEL
#define gfpflags_allow_blocking(g)	(!!((g) & __GFP_DIRECT_RECLAIM))

void *shim_kmalloc(size_t size, gfp_t gfp, const char *file, int line);
void *shim_krealloc(void *p, size_t size, gfp_t gfp, const char *file, int line);
void shim_kfree(const void *p);
char *shim_kstrdup(const char *s, gfp_t gfp);

#define kmalloc(s, g)			shim_kmalloc(s, g, __FILE__, __LINE__)
#define kzalloc(s, g)			kmalloc(s, (g) | __GFP_ZERO)
#define kmalloc_node(s, g, n)		kmalloc(s, g)
#define kzalloc_node(s, g, n)		kzalloc(s, g)
#define kmalloc_array(n, s, g)		\
	((n) && (s) > SIZE_MAX / (n) ? NULL : kmalloc((n) * (s), g))
#define kcalloc(n, s, g)		kmalloc_array(n, s, (g) | __GFP_ZERO)
#define krealloc(p, s, g)		shim_krealloc(p, s, g, __FILE__, __LINE__)
#define kfree(p)			shim_kfree(p)
#define kfree_sensitive(p)		shim_kfree(p)
#define kvmalloc(s, g)			kmalloc(s, g)
#define kvzalloc(s, g)			kzalloc(s, g)
#define kvmalloc_array(n, s, g)		kmalloc_array(n, s, g)
#define kvcalloc(n, s, g)		kcalloc(n, s, g)
#define kvfree(p)			shim_kfree(p)
#define vmalloc(s)			kmalloc(s, GFP_KERNEL)
#define vzalloc(s)			kzalloc(s, GFP_KERNEL)
#define __vmalloc(s, g)			kmalloc(s, g)
#define vfree(p)			shim_kfree(p)
#define kstrdup(s, g)			shim_kstrdup(s, g)
#define kstrdup_const(s, g)		shim_kstrdup(s, g)
#define kfree_const(p)			shim_kfree(p)
#define kmemdup(p, s, g)		({ void *__d = kmalloc(s, g); if (__d) memcpy(__d, p, s); __d; })

/* Fault injection of kmalloc() & co, for the harness. */
extern bool (*shim_alloc_fail_hook)(size_t size, gfp_t gfp);

/* ------------------------------------------------------------------------
 * Strings, random numbers, reciprocal division, time
 * ------------------------------------------------------------------------
 */

void *memchr_inv(const void *start, int c, size_t bytes);

static inline ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t n = strnlen(src, count);

	if (!count)
		return -E2BIG;
	if (n == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

#define strscpy_pad(d, s, c)	({ memset(d, 0, c); strscpy(d, s, c); })
#define scnprintf(buf, size, fmt, ...) ({				\
	int __n = snprintf(buf, size, fmt, ##__VA_ARGS__);		\
	(size) ? min_t(int, __n, (int)(size) - 1) : 0; })
#define vscnprintf(buf, size, fmt, args) ({				\
	int __n = vsnprintf(buf, size, fmt, args);			\
	(size) ? min_t(int, __n, (int)(size) - 1) : 0; })

u32 get_random_u32(void);
u64 get_random_u64(void);
void shim_random_seed(u64 seed);

static inline unsigned long get_random_long(void)
{
	return get_random_u64();
}

static inline u32 get_random_u32_below(u32 ceil)
{
	return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0;
}

#define get_random_int()	get_random_u32()
#define get_random_bytes(b, n)	do {						\
	u8 *__b = (u8 *)(b);							\
	size_t __i;								\
	for (__i = 0; __i < (size_t)(n); __i++)					\
		__b[__i] = get_random_u32();					\
} while (0)

struct rnd_state {
	u32 s1, s2, s3, s4;
};

u32 prandom_u32_state(struct rnd_state *state);
void prandom_seed_state(struct rnd_state *state, u64 seed);

struct reciprocal_value {
	u32 m;
	u8 sh1, sh2;
};

struct reciprocal_value reciprocal_value(u32 d);

static inline u32 reciprocal_divide(u32 a, struct reciprocal_value r)
{
	u32 t = (u32)(((u64)a * r.m) >> 32);

	return (t + ((a - t) >> r.sh1)) >> r.sh2;
}

u64 shim_clock_ns(void);
#define local_clock()		shim_clock_ns()
#define sched_clock()		shim_clock_ns()
#define ktime_get()		shim_clock_ns()
#define ktime_get_ns()		shim_clock_ns()
#define ktime_get_mono_fast_ns() shim_clock_ns()
#define ktime_to_ns(t)		(t)
#define ktime_sub(a, b)		((a) - (b))
#define NSEC_PER_USEC		1000L
#define NSEC_PER_MSEC		1000000L
#define NSEC_PER_SEC		1000000000L
#define USEC_PER_SEC		1000000L
#define MSEC_PER_SEC		1000L
#define HZ			250
#define jiffies			((unsigned long)(shim_clock_ns() / (NSEC_PER_SEC / HZ)))
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define msecs_to_jiffies(m)	((unsigned long)(m) * HZ / 1000)
#define jiffies_to_msecs(j)	((unsigned int)((j) * 1000 / HZ))

/* ------------------------------------------------------------------------
 * seq_file (enough for the layers' dump helpers)
 * ------------------------------------------------------------------------
 */

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	void *private;
};

__printf(2, 0) void seq_vprintf(struct seq_file *m, const char *fmt, va_list args);
__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
#define seq_write(m, d, l)	({ seq_printf(m, "%.*s", (int)(l), (const char *)(d)); 0; })
#define seq_has_overflowed(m)	false

/* ------------------------------------------------------------------------
 * Modules and exports: nothing to do in one program
 * ------------------------------------------------------------------------
 */

#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_NS(s, ns)
#define EXPORT_SYMBOL_NS_GPL(s, ns)
#define EXPORT_SYMBOL_FOR_MODULES(s, m)
#define MODULE_IMPORT_NS(ns)
#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_VERSION(x)
#define MODULE_PARM_DESC(p, d)
#define module_param(n, t, p)
#define module_param_named(n, v, t, p)
#define module_init(f)
#define module_exit(f)
#define THIS_MODULE		((void *)0)
struct module;
static inline bool try_module_get(struct module *m)
{
	return true;
}

static inline void module_put(struct module *m)
{
}

/* The kernel's list and rbtree, from <linux>/tools/include. */
#include <linux/list.h>
#include <linux/rbtree.h>
#undef pr_fmt

/*
 * Delayed work (the pages layer's demand decay): nothing runs it here; a
 * fuzz target that wants a decay step calls memlab_pages_decay_tick().
 */
struct work_struct {
	void (*func)(struct work_struct *work);
};

struct delayed_work {
	struct work_struct work;
};

#define INIT_DELAYED_WORK(dw, fn)	((dw)->work.func = (fn))

static inline bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	return true;
}

static inline bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	return false;
}

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

#endif /* MEMLAB_SHIM_H */
