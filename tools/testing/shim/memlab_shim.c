// SPDX-License-Identifier: GPL-2.0
/*
 * memlab_shim.c: the run-time half of memlab_shim.h - the simulated
 * execution context and its checks, per-CPU memory, CPU hotplug, kmalloc
 * with fault injection, random numbers, printk.
 */
#include <sys/mman.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/list.h>

#include "memlab_shim.h"

struct shim_ctx shim_ctx;
unsigned int shim_nr_cpus = NR_CPUS;
unsigned long shim_cpu_online_mask = BIT(NR_CPUS) - 1;
bool (*shim_alloc_fail_hook)(size_t size, gfp_t gfp);
void (*shim_preempt_hook)(void);
long shim_kmalloc_live;
long shim_percpu_live;
unsigned long shim_printk_errors;
DEFINE_MUTEX(shim_cpu_hotplug_lock);	/* cpus_read_lock(), and held across hotplug */

static const char * const shim_lock_class_names[] = {
	[SHIM_LOCK_SPIN]	= "spinlock_t",
	[SHIM_LOCK_RAW]		= "raw_spinlock_t",
	[SHIM_LOCK_LOCAL]	= "local_lock_t",
	[SHIM_LOCK_MUTEX]	= "mutex",
};

/* ------------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------------
 */

static int shim_verbose = -1;

static bool shim_is_verbose(void)
{
	if (shim_verbose < 0) {
		const char *v = getenv("MEMLAB_SHIM_VERBOSE");

		shim_verbose = v && *v && *v != '0';
	}
	return shim_verbose;
}

/**
 * shim_printk() - printk: errors always go to stderr, the rest when verbose
 * @fmt: format, with an optional KERN_* prefix.
 *
 * Return: the number of characters printed.
 */
int shim_printk(const char *fmt, ...)
{
	int level = 4, n = 0;
	va_list ap;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1] >= '0' && fmt[1] <= '7' ? fmt[1] - '0' : level;
		fmt += 2;
	}
	if (level <= 3)
		shim_printk_errors++;
	if (level <= 3 || shim_is_verbose()) {
		va_start(ap, fmt);
		n = vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	return n;
}

static void shim_dump_ctx(void)
{
	int i;

	fprintf(stderr,
		"  context: cpu %u, hard irqs %s, preempt_count %d, migrate_disable %d, rcu %d%s, %d locks held\n",
		shim_ctx.cpu, shim_ctx.hardirqs_off ? "off" : "on", shim_ctx.preempt_count,
		shim_ctx.migrate_count, shim_ctx.rcu_depth,
		shim_ctx.in_softirq ? ", softirq" : "", shim_ctx.locks_held);
	for (i = 0; i < shim_ctx.locks_held && i < (int)ARRAY_SIZE(shim_ctx.held); i++)
		fprintf(stderr, "    #%d: %s (%s)\n", i, shim_ctx.held[i]->name,
			shim_lock_class_names[shim_ctx.held[i]->class]);
}

/**
 * shim_die() - report what the kernel would report, with a stack, and abort
 * @file: source file of the report.
 * @line: its line.
 * @fmt: what happened.
 */
void shim_die(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nmemlab shim: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	shim_dump_ctx();
	if (__sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
	abort();
}

#define SHIM_DIE(fmt, ...)	shim_die(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------------
 * Context: interrupts, preemption, migration, locks
 * ------------------------------------------------------------------------
 */

static bool shim_quiescent(void)
{
	return !shim_ctx.hardirqs_off && !shim_ctx.preempt_count && !shim_ctx.migrate_count &&
	       !shim_ctx.locks_held && !shim_ctx.rcu_depth && !shim_ctx.in_softirq;
}

/**
 * shim_preempt_point() - the kernel could preempt here: maybe run another task
 *
 * With nothing held and preemption possible, the harness's hook may run an
 * operation of another caller, on this CPU or another, before the
 * interrupted code goes on.
 */
void shim_preempt_point(void)
{
	if (!shim_preempt_hook || shim_ctx.in_hook || !shim_quiescent())
		return;
	shim_ctx.in_hook = true;
	shim_preempt_hook();
	shim_ctx.in_hook = false;
	if (!shim_quiescent())
		SHIM_DIE("a preempting operation returned with something held");
}

static bool shim_atomic(void)
{
	return shim_ctx.hardirqs_off || shim_ctx.preempt_count;
}

/**
 * shim_might_sleep() - CONFIG_DEBUG_ATOMIC_SLEEP's check
 * @what: the sleeping call.
 * @file: its source file.
 * @line: its line.
 */
void shim_might_sleep(const char *what, const char *file, int line)
{
	if (shim_atomic() || shim_ctx.sleeping_locks)
		shim_die(file, line, "BUG: sleeping function called from invalid context: %s",
			 what);
	if (shim_ctx.rcu_depth)
		shim_die(file, line, "WARNING: suspicious RCU usage: %s in a read-side section",
			 what);
	if (shim_ctx.in_softirq)
		shim_die(file, line, "BUG: sleeping function called from softirq context: %s",
			 what);
}

unsigned long shim_irq_save(void)
{
	unsigned long flags = shim_ctx.hardirqs_off;

	shim_ctx.hardirqs_off = true;
	return flags;
}

void shim_irq_restore(unsigned long flags)
{
	if (flags > 1)
		SHIM_DIE("local_irq_restore() of flags that no local_irq_save() returned: %lu",
			 flags);
	shim_ctx.hardirqs_off = flags;
	if (!flags)
		shim_preempt_point();
}

void shim_preempt_disable(void)
{
	shim_ctx.preempt_count++;
}

void shim_preempt_enable(void)
{
	if (shim_ctx.preempt_count <= 0)
		SHIM_DIE("preempt_enable() without preempt_disable()");
	shim_ctx.preempt_count--;
	shim_preempt_point();
}

void shim_migrate_disable(void)
{
	shim_ctx.migrate_count++;
}

void shim_migrate_enable(void)
{
	if (shim_ctx.migrate_count <= 0)
		SHIM_DIE("migrate_enable() without migrate_disable()");
	shim_ctx.migrate_count--;
	shim_preempt_point();
}

/**
 * shim_this_cpu() - the current CPU, for code that must not migrate
 * @what: the caller's primitive, for the report.
 * @file: its source file.
 * @line: its line.
 *
 * CONFIG_DEBUG_PREEMPT's check_preemption_disabled().
 *
 * Return: the CPU.
 */
unsigned int shim_this_cpu(const char *what, const char *file, int line)
{
	if (!shim_atomic() && !shim_ctx.migrate_count)
		shim_die(file, line, "BUG: using %s in preemptible code", what);
	return shim_ctx.cpu;
}

static const char *shim_atomic_why(void)
{
	return shim_ctx.hardirqs_off ? "hard interrupts disabled" : "preemption disabled";
}

static void shim_rt_sleeping_lock(const struct shim_lock_map *map, int class)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && shim_atomic())
		SHIM_DIE("%s: %s %s is a sleeping lock on PREEMPT_RT, taken with %s",
			 "BUG: sleeping function called from invalid context",
			 shim_lock_class_names[class], map->name, shim_atomic_why());
}

static void shim_lock_account(int class, int dir)
{
	switch (class) {
	case SHIM_LOCK_SPIN:
		if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
			shim_ctx.migrate_count += dir;
			shim_ctx.sleeping_locks += dir;
		} else {
			shim_ctx.preempt_count += dir;
		}
		break;
	case SHIM_LOCK_RAW:
		shim_ctx.preempt_count += dir;
		break;
	case SHIM_LOCK_LOCAL:
		/* the macros disable preemption, interrupts or migration */
		if (IS_ENABLED(CONFIG_PREEMPT_RT))
			shim_ctx.sleeping_locks += dir;
		break;
	default:
		break;
	}
}

static void shim_lock_take(struct shim_lock_map *map, int class, const char *name)
{
	if (!map->name)
		SHIM_DIE("INFO: trying to register non-static key: a %s never initialised",
			 shim_lock_class_names[class]);
	if (shim_ctx.locks_held >= (int)ARRAY_SIZE(shim_ctx.held))
		SHIM_DIE("more than %zu locks held", ARRAY_SIZE(shim_ctx.held));
	shim_lock_account(class, 1);
	map->held = true;
	map->class = class;
	shim_ctx.held[shim_ctx.locks_held++] = map;
}

/**
 * shim_lock_acquire() - take a lock, checking what lockdep and RT check
 * @map: the lock's map.
 * @class: SHIM_LOCK_*.
 * @name: its name, for reports.
 */
void shim_lock_acquire(struct shim_lock_map *map, int class, const char *name)
{
	if (!map->name)
		SHIM_DIE("INFO: trying to register non-static key: a %s never initialised",
			 shim_lock_class_names[class]);
	if (map->held)
		SHIM_DIE("WARNING: possible recursive locking detected: %s %s already held",
			 shim_lock_class_names[class], map->name);
	if (class == SHIM_LOCK_MUTEX)
		shim_might_sleep(map->name, __FILE__, __LINE__);
	if (class == SHIM_LOCK_SPIN || class == SHIM_LOCK_LOCAL)
		shim_rt_sleeping_lock(map, class);
	shim_lock_take(map, class, name);
}

/**
 * shim_lock_tryacquire() - trylock: fails on a held lock, as it would here
 * @map: the lock's map.
 * @class: SHIM_LOCK_*.
 * @name: its name, for reports.
 *
 * Return: true if taken.
 */
bool shim_lock_tryacquire(struct shim_lock_map *map, int class, const char *name)
{
	if (map->held)
		return false;
	if (class == SHIM_LOCK_SPIN || class == SHIM_LOCK_LOCAL)
		shim_rt_sleeping_lock(map, class);
	shim_lock_take(map, class, name);
	return true;
}

/**
 * shim_lock_release() - release a lock
 * @map: the lock's map.
 * @class: SHIM_LOCK_* of the primitive used.
 */
void shim_lock_release(struct shim_lock_map *map, int class)
{
	int i;

	if (!map->held)
		SHIM_DIE("WARNING: bad unlock balance detected: %s %s is not held",
			 shim_lock_class_names[class], map->name ? map->name : "?");
	if (map->class != class)
		SHIM_DIE("%s %s released as a %s", shim_lock_class_names[map->class], map->name,
			 shim_lock_class_names[class]);
	for (i = shim_ctx.locks_held - 1; i >= 0 && shim_ctx.held[i] != map; i--)
		;
	if (i < 0)
		SHIM_DIE("%s is marked held but not on the held stack", map->name);
	memmove(&shim_ctx.held[i], &shim_ctx.held[i + 1],
		(shim_ctx.locks_held - i - 1) * sizeof(shim_ctx.held[0]));
	shim_ctx.locks_held--;
	map->held = false;
	shim_lock_account(class, -1);
	shim_preempt_point();
}

void shim_assert_held(const struct shim_lock_map *map, const char *what,
		      const char *file, int line)
{
	if (!map->held)
		shim_die(file, line, "WARNING: lockdep_assert_held(%s): not held", what);
}

void shim_assert_not_held(const struct shim_lock_map *map, const char *what,
			  const char *file, int line)
{
	if (map->held)
		shim_die(file, line, "WARNING: %s is held", what);
}

/**
 * shim_assert_quiescent() - between two API calls nothing may be left over
 * @where: the call just made, for the report.
 */
void shim_assert_quiescent(const char *where)
{
	if (!shim_quiescent())
		SHIM_DIE("%s returned with %s", where,
			 "a lock held, or interrupts, preemption or migration disabled");
}

/**
 * shim_set_cpu() - the task migrates to another online CPU
 * @cpu: the CPU.
 */
void shim_set_cpu(unsigned int cpu)
{
	if (!shim_quiescent())
		SHIM_DIE("migration to CPU %u while pinned", cpu);
	if (!cpu_online(cpu))
		SHIM_DIE("migration to offline CPU %u", cpu);
	shim_ctx.cpu = cpu;
}

/* ------------------------------------------------------------------------
 * RCU
 * ------------------------------------------------------------------------
 */

#define SHIM_RCU_OFFSET_MAX	4096

static struct rcu_head *shim_rcu_head, **shim_rcu_tail = &shim_rcu_head;
unsigned long shim_rcu_pending;
unsigned long shim_rcu_gps;
unsigned long shim_rcu_callbacks;
unsigned long shim_cpuhp_calls;

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	if ((uintptr_t)func <= SHIM_RCU_OFFSET_MAX)
		SHIM_DIE("%s() without a callback", __func__);
	head->func = func;
	head->next = NULL;
	*shim_rcu_tail = head;
	shim_rcu_tail = &head->next;
	shim_rcu_pending++;
}

/*
 * kfree_rcu(): the offset of the head in the object in place of the
 * callback, told apart as the kernel does (__is_kvfree_rcu_offset()).
 */
void shim_kfree_rcu(struct rcu_head *head, size_t offset)
{
	if (offset >= SHIM_RCU_OFFSET_MAX)
		SHIM_DIE("kfree_rcu() of a head %zu bytes into its object", offset);
	head->func = (rcu_callback_t)(uintptr_t)(offset + 1);	/* never NULL */
	head->next = NULL;
	*shim_rcu_tail = head;
	shim_rcu_tail = &head->next;
	shim_rcu_pending++;
}

void shim_rcu_read_lock(void)
{
	shim_ctx.rcu_depth++;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		shim_ctx.preempt_count++;
}

void shim_rcu_read_unlock(void)
{
	if (shim_ctx.rcu_depth <= 0)
		SHIM_DIE("rcu_read_unlock() without rcu_read_lock()");
	shim_ctx.rcu_depth--;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		shim_ctx.preempt_count--;
	shim_preempt_point();
}

/* Run every callback queued so far (and those they queue), in softirq context. */
static void shim_rcu_run(void)
{
	struct shim_ctx before = shim_ctx;
	struct rcu_head *h;

	if (shim_ctx.rcu_depth)
		SHIM_DIE("a grace period inside an RCU read-side section (deadlock)");
	if (shim_rcu_head)
		shim_rcu_gps++;
	shim_ctx.in_softirq = true;
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		shim_ctx.preempt_count++;	/* softirqs are atomic, unless threaded on RT */
	while ((h = shim_rcu_head)) {
		uintptr_t f = (uintptr_t)h->func;

		shim_rcu_head = h->next;
		if (!shim_rcu_head)
			shim_rcu_tail = &shim_rcu_head;
		shim_rcu_pending--;
		shim_rcu_callbacks++;
		if (f <= SHIM_RCU_OFFSET_MAX)
			shim_kfree((char *)h - (f - 1));
		else
			h->func(h);
		if (shim_ctx.locks_held != before.locks_held || shim_ctx.rcu_depth ||
		    shim_ctx.migrate_count != before.migrate_count ||
		    shim_ctx.hardirqs_off != before.hardirqs_off)
			SHIM_DIE("an RCU callback returned with something held");
	}
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		shim_ctx.preempt_count--;
	shim_ctx.in_softirq = false;
}

void rcu_barrier(void)
{
	shim_might_sleep(__func__, __FILE__, __LINE__);
	shim_rcu_run();
}

void synchronize_rcu(void)
{
	shim_might_sleep(__func__, __FILE__, __LINE__);
	shim_rcu_run();
}

/**
 * shim_rcu_gp() - a grace period elapses now, if nothing is held
 *
 * Return: whether callbacks ran.
 */
bool shim_rcu_gp(void)
{
	if (!shim_rcu_pending || !shim_quiescent())
		return false;
	shim_rcu_run();
	return true;
}

/* ------------------------------------------------------------------------
 * Per-CPU memory: an opaque handle per allocation, a copy per CPU
 * ------------------------------------------------------------------------
 */

#define SHIM_PCPU_SLOT_SHIFT	16
#define SHIM_PCPU_SLOTS		4096
#define SHIM_PCPU_HIDE		0x5a5a5a5a5a5a5a5aUL

struct shim_pcpu_chunk {
	size_t size;
	void *copy[NR_CPUS];
};

static char *shim_pcpu_space;
/* Hidden pointers, so that LeakSanitizer reports a chunk nobody frees. */
static uintptr_t shim_pcpu_slot[SHIM_PCPU_SLOTS];
static unsigned int shim_pcpu_next;

static struct shim_pcpu_chunk *shim_pcpu_chunk(unsigned int slot)
{
	return shim_pcpu_slot[slot] ? (void *)(shim_pcpu_slot[slot] ^ SHIM_PCPU_HIDE) : NULL;
}

void *shim_alloc_percpu(size_t size, size_t align)
{
	struct shim_pcpu_chunk *c;
	unsigned int i, slot;

	shim_might_sleep("alloc_percpu()", __FILE__, __LINE__);
	if (!size || size > (1UL << SHIM_PCPU_SLOT_SHIFT) || align > PAGE_SIZE)
		SHIM_DIE("alloc_percpu(%zu, %zu): unsupported", size, align);
	if (shim_alloc_fail_hook && shim_alloc_fail_hook(size, GFP_KERNEL))
		return NULL;
	if (!shim_pcpu_space) {
		shim_pcpu_space = mmap(NULL, (size_t)SHIM_PCPU_SLOTS << SHIM_PCPU_SLOT_SHIFT,
				       PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				       -1, 0);
		if (shim_pcpu_space == MAP_FAILED)
			SHIM_DIE("cannot reserve the per-CPU handle space");
	}
	for (i = 0; i < SHIM_PCPU_SLOTS; i++) {
		slot = (shim_pcpu_next + i) % SHIM_PCPU_SLOTS;
		if (!shim_pcpu_slot[slot])
			break;
	}
	if (i == SHIM_PCPU_SLOTS)
		SHIM_DIE("out of per-CPU slots (%d live)", SHIM_PCPU_SLOTS);
	shim_pcpu_next = slot + 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		SHIM_DIE("out of memory");
	c->size = size;
	for (i = 0; i < NR_CPUS; i++) {
		c->copy[i] = aligned_alloc(max_t(size_t, align, sizeof(long)),
					   ALIGN(size, max_t(size_t, align, sizeof(long))));
		if (!c->copy[i])
			SHIM_DIE("out of memory");
		memset(c->copy[i], 0, size);
	}
	shim_pcpu_slot[slot] = (uintptr_t)c ^ SHIM_PCPU_HIDE;
	shim_percpu_live++;
	return shim_pcpu_space + ((size_t)slot << SHIM_PCPU_SLOT_SHIFT);
}

static unsigned int shim_pcpu_slot_of(const void *handle, size_t *off, const char *file,
				      int line)
{
	uintptr_t a = (uintptr_t)handle, s = (uintptr_t)shim_pcpu_space;
	unsigned int slot;

	if (!s || a < s || a - s >= (size_t)SHIM_PCPU_SLOTS << SHIM_PCPU_SLOT_SHIFT)
		shim_die(file, line, "per-CPU access through 0x%lx, not a per-CPU pointer",
			 (unsigned long)a);
	slot = (a - s) >> SHIM_PCPU_SLOT_SHIFT;
	*off = (a - s) & ((1UL << SHIM_PCPU_SLOT_SHIFT) - 1);
	if (!shim_pcpu_chunk(slot))
		shim_die(file, line, "per-CPU access after free_percpu()");
	return slot;
}

void shim_free_percpu(void *handle)
{
	struct shim_pcpu_chunk *c;
	unsigned int slot, i;
	size_t off;

	if (!handle)
		return;
	slot = shim_pcpu_slot_of(handle, &off, __FILE__, __LINE__);
	if (off)
		SHIM_DIE("free_percpu() of an interior per-CPU pointer");
	c = shim_pcpu_chunk(slot);
	for (i = 0; i < NR_CPUS; i++)
		free(c->copy[i]);
	free(c);
	shim_pcpu_slot[slot] = 0;
	shim_percpu_live--;
}

void *shim_per_cpu_ptr(const void *handle, unsigned int cpu, const char *file, int line)
{
	struct shim_pcpu_chunk *c;
	size_t off;

	c = shim_pcpu_chunk(shim_pcpu_slot_of(handle, &off, file, line));
	if (cpu >= shim_nr_cpus)
		shim_die(file, line, "per_cpu_ptr() for CPU %u, not possible", cpu);
	if (off >= c->size)
		shim_die(file, line, "per-CPU pointer %zu bytes into a %zu-byte allocation",
			 off, c->size);
	return (char *)c->copy[cpu] + off;
}

/* ------------------------------------------------------------------------
 * CPU hotplug
 * ------------------------------------------------------------------------
 */

#define SHIM_CPUHP_STATES	(CPUHP_ONLINE + 1)

struct shim_cpuhp {
	const char *name;
	bool multi;
	int (*startup)(unsigned int cpu);
	int (*teardown)(unsigned int cpu);
	int (*startup_multi)(unsigned int cpu, struct hlist_node *node);
	int (*teardown_multi)(unsigned int cpu, struct hlist_node *node);
	struct hlist_head instances;
};

static struct shim_cpuhp shim_cpuhp[SHIM_CPUHP_STATES];

static bool shim_cpuhp_ap(int state)
{
	return state > CPUHP_BRINGUP_CPU;
}

/* Run one callback of @state for @cpu where the kernel would. */
static int shim_cpuhp_call(int state, unsigned int cpu, bool up, struct hlist_node *node)
{
	struct shim_cpuhp *h = &shim_cpuhp[state];
	unsigned int saved = shim_ctx.cpu;
	int ret;

	struct shim_ctx before = shim_ctx;
	bool ap = shim_cpuhp_ap(state);

	if (ap) {
		/* the CPU's hotplug thread, bound to it */
		shim_ctx.cpu = cpu;
		shim_migrate_disable();
	}
	shim_cpuhp_calls++;
	if (h->multi)
		ret = up ? (h->startup_multi ? h->startup_multi(cpu, node) : 0) :
			   (h->teardown_multi ? h->teardown_multi(cpu, node) : 0);
	else
		ret = up ? (h->startup ? h->startup(cpu) : 0) :
			   (h->teardown ? h->teardown(cpu) : 0);
	if (ap)
		shim_migrate_enable();
	shim_ctx.cpu = saved;
	if (shim_ctx.locks_held != before.locks_held || shim_ctx.hardirqs_off ||
	    shim_ctx.preempt_count != before.preempt_count ||
	    shim_ctx.migrate_count != before.migrate_count)
		SHIM_DIE("cpuhp callback of %s returned with something held", h->name);
	if (!up && ret)
		SHIM_DIE("cpuhp teardown of %s for CPU %u failed (%d): teardown must not fail",
			 h->name, cpu, ret);
	return ret;
}

static int shim_cpuhp_alloc(enum cpuhp_state state)
{
	int s, end;

	if (state != CPUHP_AP_ONLINE_DYN && state != CPUHP_BP_PREPARE_DYN) {
		if (state <= CPUHP_OFFLINE || state >= CPUHP_ONLINE || shim_cpuhp[state].name)
			return -EINVAL;
		return state;
	}
	end = state == CPUHP_AP_ONLINE_DYN ? CPUHP_AP_ONLINE_DYN_END : CPUHP_BP_PREPARE_DYN_END;
	for (s = state; s < end; s++)
		if (!shim_cpuhp[s].name)
			return s;
	return -ENOSPC;
}

/* Run @state's startup (@up) or teardown for every online CPU; roll back. */
static int shim_cpuhp_all(int state, bool up, struct hlist_node *node)
{
	int cpu, ret, undo;

	for_each_online_cpu(cpu) {
		ret = shim_cpuhp_call(state, cpu, up, node);
		if (ret) {
			for_each_online_cpu(undo) {
				if (undo >= cpu)
					break;
				shim_cpuhp_call(state, undo, false, node);
			}
			return ret;
		}
	}
	return 0;
}

int shim_cpuhp_setup(enum cpuhp_state state, const char *name, bool invoke,
		     int (*startup)(unsigned int cpu), int (*teardown)(unsigned int cpu),
		     bool multi)
{
	int s, ret;

	cpus_read_lock();
	s = shim_cpuhp_alloc(state);
	if (s < 0) {
		cpus_read_unlock();
		return s;
	}
	shim_cpuhp[s] = (struct shim_cpuhp){ .name = name ? name : "?", .multi = multi,
					     .startup = startup, .teardown = teardown };
	ret = invoke ? shim_cpuhp_all(s, true, NULL) : 0;
	if (ret)
		shim_cpuhp[s].name = NULL;
	cpus_read_unlock();
	if (ret)
		return ret;
	/* a dynamic state's number, 0 for a fixed one: as the kernel */
	return state == CPUHP_AP_ONLINE_DYN || state == CPUHP_BP_PREPARE_DYN ? s : 0;
}

int shim_cpuhp_setup_multi(enum cpuhp_state state, const char *name,
			   int (*startup)(unsigned int cpu, struct hlist_node *node),
			   int (*teardown)(unsigned int cpu, struct hlist_node *node))
{
	int s = shim_cpuhp_setup(state, name, false, NULL, NULL, true);
	int id = s > 0 ? s : (int)state;	/* dynamic states are never 0 */

	if (s < 0)
		return s;
	shim_cpuhp[id].startup_multi = startup;
	shim_cpuhp[id].teardown_multi = teardown;
	return s;
}

static struct shim_cpuhp *shim_cpuhp_get(int state)
{
	if (state <= CPUHP_OFFLINE || state >= CPUHP_ONLINE || !shim_cpuhp[state].name)
		SHIM_DIE("cpuhp state %d is not set up", state);
	return &shim_cpuhp[state];
}

void shim_cpuhp_remove(enum cpuhp_state state, bool invoke)
{
	struct shim_cpuhp *h;

	cpus_read_lock();
	h = shim_cpuhp_get(state);
	if (h->multi && !hlist_empty(&h->instances))
		SHIM_DIE("WARNING: removing cpuhp state %s which has instances left", h->name);
	if (invoke && !h->multi)
		shim_cpuhp_all(state, false, NULL);
	h->name = NULL;
	cpus_read_unlock();
}

int shim_cpuhp_add_instance(enum cpuhp_state state, struct hlist_node *node, bool invoke)
{
	struct shim_cpuhp *h;
	int ret = 0;

	cpus_read_lock();
	h = shim_cpuhp_get(state);
	if (!h->multi)
		SHIM_DIE("cpuhp state %s is not multi-instance", h->name);
	if (invoke)
		ret = shim_cpuhp_all(state, true, node);
	if (!ret)
		hlist_add_head(node, &h->instances);
	cpus_read_unlock();
	return ret;
}

int shim_cpuhp_remove_instance(enum cpuhp_state state, struct hlist_node *node, bool invoke)
{
	struct shim_cpuhp *h;
	struct hlist_node *n;

	cpus_read_lock();
	h = shim_cpuhp_get(state);
	hlist_for_each(n, &h->instances)
		if (n == node)
			break;
	if (!n)
		SHIM_DIE("cpuhp state %s: removing an instance never added", h->name);
	if (invoke)
		shim_cpuhp_all(state, false, node);
	hlist_del(node);
	cpus_read_unlock();
	return 0;
}

static int shim_cpuhp_run(int state, unsigned int cpu, bool up)
{
	struct shim_cpuhp *h = &shim_cpuhp[state];
	struct hlist_node *n, *t;
	int ret = 0;

	if (!h->name)
		return 0;
	if (!h->multi)
		return shim_cpuhp_call(state, cpu, up, NULL);
	hlist_for_each_safe(n, t, &h->instances) {
		ret = shim_cpuhp_call(state, cpu, up, n);
		if (ret)
			break;
	}
	return ret;
}

/**
 * shim_cpu_down() - take a CPU offline, running the teardown callbacks
 * @cpu: the CPU; at least one other must stay online.
 *
 * Return: 0, or -EINVAL for an offline CPU or the last online one.
 */
int shim_cpu_down(unsigned int cpu)
{
	unsigned int other;
	int s;

	if (!shim_quiescent())
		SHIM_DIE("CPU hotplug from inside an operation");
	if (!cpu_online(cpu) || num_online_cpus() < 2)
		return -EINVAL;
	mutex_lock(&shim_cpu_hotplug_lock);
	for (s = CPUHP_ONLINE - 1; s > CPUHP_BRINGUP_CPU; s--)
		shim_cpuhp_run(s, cpu, false);
	shim_cpu_online_mask &= ~BIT(cpu);
	for (other = 0; !cpu_online(other); other++)
		;
	if (shim_ctx.cpu == cpu)
		shim_ctx.cpu = other;
	for (s = CPUHP_BRINGUP_CPU; s > CPUHP_OFFLINE; s--)
		shim_cpuhp_run(s, cpu, false);
	mutex_unlock(&shim_cpu_hotplug_lock);
	return 0;
}

/**
 * shim_cpu_up() - bring a CPU online, running the startup callbacks
 * @cpu: an offline possible CPU.
 *
 * Return: 0, -EINVAL for an online CPU, or a callback's error (the CPU
 * then stays offline, as the kernel rolls back).
 */
int shim_cpu_up(unsigned int cpu)
{
	int s, ret = 0, undo;

	if (!shim_quiescent())
		SHIM_DIE("CPU hotplug from inside an operation");
	if (!cpu_possible(cpu) || cpu_online(cpu))
		return -EINVAL;
	mutex_lock(&shim_cpu_hotplug_lock);
	for (s = CPUHP_OFFLINE + 1; s < CPUHP_ONLINE && !ret; s++) {
		if (s == CPUHP_BRINGUP_CPU + 1)
			shim_cpu_online_mask |= BIT(cpu);
		ret = shim_cpuhp_run(s, cpu, true);
	}
	if (ret) {
		/* the failed state rolled its own instances back only in part: as the kernel */
		for (undo = s - 2; undo > CPUHP_OFFLINE; undo--)
			shim_cpuhp_run(undo, cpu, false);
		shim_cpu_online_mask &= ~BIT(cpu);
	}
	mutex_unlock(&shim_cpu_hotplug_lock);
	return ret;
}

/* ------------------------------------------------------------------------
 * kmalloc and friends
 * ------------------------------------------------------------------------
 */

#define ZERO_SIZE_PTR_SHIM	((void *)16)

static void shim_alloc_context(gfp_t gfp, const char *file, int line)
{
	if (gfp & __GFP_DIRECT_RECLAIM)
		shim_might_sleep("a blocking allocation (GFP_KERNEL)", file, line);
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && shim_atomic())
		shim_die(file, line,
			 "BUG: sleeping function called from invalid context: the slab allocator with %s on PREEMPT_RT",
			 shim_atomic_why());
}

void *shim_kmalloc(size_t size, gfp_t gfp, const char *file, int line)
{
	void *p;

	shim_alloc_context(gfp, file, line);
	if (!(gfp & __GFP_NOFAIL) && shim_alloc_fail_hook && shim_alloc_fail_hook(size, gfp))
		return NULL;
	if (!size)
		return ZERO_SIZE_PTR_SHIM;
	if (size > (1UL << 32))
		return NULL;
	p = gfp & __GFP_ZERO ? calloc(1, size) : malloc(size);
	if (p)
		shim_kmalloc_live++;
	return p;
}

void *shim_krealloc(void *old, size_t size, gfp_t gfp, const char *file, int line)
{
	void *p;

	shim_alloc_context(gfp, file, line);
	if (!(gfp & __GFP_NOFAIL) && shim_alloc_fail_hook && shim_alloc_fail_hook(size, gfp))
		return NULL;
	if (old == ZERO_SIZE_PTR_SHIM)
		old = NULL;
	if (!size) {
		shim_kfree(old);
		return ZERO_SIZE_PTR_SHIM;
	}
	p = realloc(old, size);
	if (p && !old)
		shim_kmalloc_live++;
	return p;
}

void shim_kfree(const void *p)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && shim_ctx.hardirqs_off && p)
		SHIM_DIE("BUG: sleeping function called from invalid context: %s",
			 "kfree() with hard interrupts disabled on PREEMPT_RT");
	if (!p || p == ZERO_SIZE_PTR_SHIM)
		return;
	shim_kmalloc_live--;
	free((void *)p);
}

char *shim_kstrdup(const char *s, gfp_t gfp)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = kmalloc(n, gfp);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ------------------------------------------------------------------------
 * Random numbers, reciprocal division, time, seq_file
 * ------------------------------------------------------------------------
 */

static u64 shim_rng = 0x9e3779b97f4a7c15ULL;

void shim_random_seed(u64 seed)
{
	shim_rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

u64 get_random_u64(void)
{
	shim_rng ^= shim_rng >> 12;
	shim_rng ^= shim_rng << 25;
	shim_rng ^= shim_rng >> 27;
	return shim_rng * 0x2545f4914f6cdd1dULL;
}

u32 get_random_u32(void)
{
	return get_random_u64() >> 32;
}

#define TAUSWORTHE(s, a, b, c, d)	((((s) & (c)) << (d)) ^ ((((s) << (a)) ^ (s)) >> (b)))

/* lib/random32.c's generator, so that seeded sequences match the kernel's. */
u32 prandom_u32_state(struct rnd_state *state)
{
	state->s1 = TAUSWORTHE(state->s1, 6U, 13U, 4294967294U, 18U);
	state->s2 = TAUSWORTHE(state->s2, 2U, 27U, 4294967288U, 2U);
	state->s3 = TAUSWORTHE(state->s3, 13U, 21U, 4294967280U, 7U);
	state->s4 = TAUSWORTHE(state->s4, 3U, 12U, 4294967168U, 13U);
	return state->s1 ^ state->s2 ^ state->s3 ^ state->s4;
}

static u32 shim_seed(u32 x, u32 m)
{
	return x < m ? x + m : x;
}

void prandom_seed_state(struct rnd_state *state, u64 seed)
{
	u32 i = ((seed >> 32) ^ (seed << 10) ^ seed) & 0xffffffffUL;

	state->s1 = shim_seed(i, 2U);
	state->s2 = shim_seed(i, 8U);
	state->s3 = shim_seed(i, 16U);
	state->s4 = shim_seed(i, 128U);
}

/* lib/reciprocal_div.c */
struct reciprocal_value reciprocal_value(u32 d)
{
	struct reciprocal_value r;
	u64 m;
	int l;

	l = fls(d - 1);
	m = ((1ULL << 32) * ((1ULL << l) - d));
	do_div(m, d);
	++m;
	r.m = (u32)m;
	r.sh1 = min(l, 1);
	r.sh2 = max(l - 1, 0);
	return r;
}

void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

u64 shim_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void seq_vprintf(struct seq_file *m, const char *fmt, va_list args)
{
	va_list ap;
	int n;

	va_copy(ap, args);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (m->count + n + 1 > m->size) {
		size_t size = max(2 * m->size, m->count + n + 1);
		char *buf = realloc(m->buf, size);

		if (!buf)
			SHIM_DIE("out of memory");
		m->buf = buf;
		m->size = size;
	}
	vsnprintf(m->buf + m->count, m->size - m->count, fmt, args);
	m->count += n;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_vprintf(m, fmt, ap);
	va_end(ap);
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}
