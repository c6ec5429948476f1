/* sched_tsan.c: racelab's own __tsan_* hooks: every shared access a step. */
/*
 * The user's sources are compiled with clang -fsanitize=thread but linked
 * without the TSan runtime: these functions take its place.  Each load or
 * store becomes a scheduling point *before* the access, so that `cnt++`
 * can be preempted between its load and its store.  A store's value is
 * read at the thread's next step (the hook runs before the store).
 */
#include <stdint.h>
#include <string.h>

#include "sched_int.h"

#define RET() ((uint64_t)__builtin_return_address(0))

static uint64_t peek(const volatile void *a, int size)
{
    uint64_t v = 0;
    if (size == 1 || size == 2 || size == 4 || size == 8)
        memcpy(&v, (const void *)a, (size_t)size);
    else if (size == 16)
        memcpy(&v, (const void *)a, 8);
    return v;
}

/* Which addresses two threads have touched: only a change there is
 * progress that another thread can see (a thread's own stack is not). */
enum { RS_ADDRS = 1 << 16 };
static struct {
    uint64_t addr;
    int32_t first, shared;
} addrs[RS_ADDRS];

static int touch(uint64_t a)
{
    uint64_t h = (a >> 2) * 0x9e3779b97f4a7c15ULL;
    for (unsigned i = 0; i < 64; i++) {
        unsigned k = (unsigned)((h >> 40) + i) % RS_ADDRS;
        if (addrs[k].addr == a) {
            if (addrs[k].first != rs_self)
                addrs[k].shared = 1;
            return addrs[k].shared;
        }
        if (addrs[k].addr == 0) {
            addrs[k].addr = a;
            addrs[k].first = rs_self;
            return 0;
        }
    }
    return 1; /* table full: count it, so as never to call work idle */
}

static void __attribute__((noinline))
access(int op, const volatile void *a, int size, uint64_t ret)
{
    if (!rs_on())
        return;
    uint64_t pc[RS_FRAMES];
    rs_finish_write();
    rs_site(ret, pc);
    rs_point();
    uint64_t v = peek(a, size);
    uint64_t i = rs_record(op, (uint64_t)a, size, v, 0, pc);
    struct rs_thread *t = &rs_threads[rs_self];
    int shared = touch((uint64_t)a);
    if (op == RS_OP_WRITE) {
        t->pw_pending = 1;
        t->pw_shared = shared;
        t->pw_index = i;
        t->pw_old = v;
    }
}

void __tsan_init(void)
{
}

void __tsan_func_entry(void *caller)
{
    if (rs_self < 0)
        return;
    struct rs_thread *t = &rs_threads[rs_self];
    if (t->depth < RS_STACK)
        t->stack[t->depth] = (uint64_t)caller;
    t->depth++;
}

void __tsan_func_exit(void)
{
    if (rs_self >= 0 && rs_threads[rs_self].depth > 0)
        rs_threads[rs_self].depth--;
}

#define ACCESS(N)                                                              \
    void __tsan_read##N(void *a)                                               \
    {                                                                          \
        access(RS_OP_READ, a, N, RET());                                       \
    }                                                                          \
    void __tsan_write##N(void *a)                                              \
    {                                                                          \
        access(RS_OP_WRITE, a, N, RET());                                      \
    }                                                                          \
    void __tsan_unaligned_read##N(void *a)                                     \
    {                                                                          \
        access(RS_OP_READ, a, N, RET());                                       \
    }                                                                          \
    void __tsan_unaligned_write##N(void *a)                                    \
    {                                                                          \
        access(RS_OP_WRITE, a, N, RET());                                      \
    }                                                                          \
    void __tsan_volatile_read##N(void *a)                                      \
    {                                                                          \
        access(RS_OP_READ, a, N, RET());                                       \
    }                                                                          \
    void __tsan_volatile_write##N(void *a)                                     \
    {                                                                          \
        access(RS_OP_WRITE, a, N, RET());                                      \
    }                                                                          \
    void __tsan_read##N##_pc(void *a, void *pc)                                \
    {                                                                          \
        access(RS_OP_READ, a, N, (uint64_t)pc);                                \
    }                                                                          \
    void __tsan_write##N##_pc(void *a, void *pc)                               \
    {                                                                          \
        access(RS_OP_WRITE, a, N, (uint64_t)pc);                               \
    }

ACCESS(1)
ACCESS(2)
ACCESS(4)
ACCESS(8)
ACCESS(16)

void __tsan_read_range(void *a, unsigned long size)
{
    access(RS_OP_READ, a, (int)(size > 16 ? 0 : size), RET());
}

void __tsan_write_range(void *a, unsigned long size)
{
    access(RS_OP_WRITE, a, (int)(size > 16 ? 0 : size), RET());
}

void __tsan_vptr_update(void **vptr, void *val)
{
    (void)val;
    access(RS_OP_WRITE, vptr, 8, RET());
}

void __tsan_vptr_read(void **vptr)
{
    access(RS_OP_READ, vptr, 8, RET());
}

void __tsan_ignore_thread_begin(void)
{
}

void __tsan_ignore_thread_end(void)
{
}

void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
    return memcpy(d, s, n);
}

void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
    return memmove(d, s, n);
}

void *__tsan_memset(void *d, int c, unsigned long n)
{
    return memset(d, c, n);
}

void __tsan_atomic_thread_fence(int mo)
{
    (void)mo;
}

void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
}

/* An atomic operation: a scheduling point, then done for real. */
static void atomic_before(uint64_t ret)
{
    if (!rs_on())
        return;
    uint64_t pc[RS_FRAMES];
    rs_finish_write();
    rs_site(ret, pc);
    rs_point();
}

static void atomic_after(int op, const volatile void *a, int size, uint64_t old,
                         uint64_t now, uint64_t ret)
{
    if (!rs_on())
        return;
    uint64_t pc[RS_FRAMES];
    rs_site(ret, pc);
    rs_record(op, (uint64_t)a, size, now, old, pc);
    if (old != now)
        rs_progress();
}

#define SEQ __ATOMIC_SEQ_CST

#define ATOMICS(N, T)                                                          \
    T __tsan_atomic##N##_load(const volatile T *a, int mo)                     \
    {                                                                          \
        (void)mo;                                                              \
        atomic_before(RET());                                                  \
        T v = __atomic_load_n(a, SEQ);                                         \
        atomic_after(RS_OP_ALOAD, a, N / 8, (uint64_t)v, (uint64_t)v, RET());  \
        return v;                                                              \
    }                                                                          \
    void __tsan_atomic##N##_store(volatile T *a, T v, int mo)                  \
    {                                                                          \
        (void)mo;                                                              \
        atomic_before(RET());                                                  \
        T old = __atomic_exchange_n(a, v, SEQ);                                \
        atomic_after(RS_OP_ASTORE, a, N / 8, (uint64_t)old, (uint64_t)v,       \
                     RET());                                                   \
    }                                                                          \
    RMW(N, T, exchange, old = __atomic_exchange_n(a, v, SEQ))                  \
    RMW(N, T, fetch_add, old = __atomic_fetch_add(a, v, SEQ))                  \
    RMW(N, T, fetch_sub, old = __atomic_fetch_sub(a, v, SEQ))                  \
    RMW(N, T, fetch_and, old = __atomic_fetch_and(a, v, SEQ))                  \
    RMW(N, T, fetch_or, old = __atomic_fetch_or(a, v, SEQ))                    \
    RMW(N, T, fetch_xor, old = __atomic_fetch_xor(a, v, SEQ))                  \
    RMW(N, T, fetch_nand, old = __atomic_fetch_nand(a, v, SEQ))                \
    int __tsan_atomic##N##_compare_exchange_strong(volatile T *a, T *c, T v,   \
                                                   int mo, int fmo)            \
    {                                                                          \
        (void)mo;                                                              \
        (void)fmo;                                                             \
        atomic_before(RET());                                                  \
        T old = *c;                                                            \
        int ok = __atomic_compare_exchange_n(a, c, v, 0, SEQ, SEQ);            \
        atomic_after(RS_OP_ARMW, a, N / 8, (uint64_t)old,                      \
                     (uint64_t)(ok ? v : old), RET());                         \
        return ok;                                                             \
    }                                                                          \
    int __tsan_atomic##N##_compare_exchange_weak(volatile T *a, T *c, T v,     \
                                                 int mo, int fmo)              \
    {                                                                          \
        (void)mo;                                                              \
        (void)fmo;                                                             \
        atomic_before(RET());                                                  \
        T old = *c;                                                            \
        int ok = __atomic_compare_exchange_n(a, c, v, 0, SEQ, SEQ);            \
        atomic_after(RS_OP_ARMW, a, N / 8, (uint64_t)old,                      \
                     (uint64_t)(ok ? v : old), RET());                         \
        return ok;                                                             \
    }                                                                          \
    T __tsan_atomic##N##_compare_exchange_val(volatile T *a, T c, T v, int mo, \
                                              int fmo)                         \
    {                                                                          \
        (void)mo;                                                              \
        (void)fmo;                                                             \
        atomic_before(RET());                                                  \
        T expect = c;                                                          \
        __atomic_compare_exchange_n(a, &expect, v, 0, SEQ, SEQ);               \
        atomic_after(RS_OP_ARMW, a, N / 8, (uint64_t)expect,                   \
                     (uint64_t)(expect == c ? v : expect), RET());             \
        return expect;                                                         \
    }

#define RMW(N, T, NAME, DO)                                                    \
    T __tsan_atomic##N##_##NAME(volatile T *a, T v, int mo)                    \
    {                                                                          \
        (void)mo;                                                              \
        atomic_before(RET());                                                  \
        T old;                                                                 \
        DO;                                                                    \
        atomic_after(RS_OP_ARMW, a, N / 8, (uint64_t)old,                      \
                     (uint64_t)__atomic_load_n(a, SEQ), RET());                \
        return old;                                                            \
    }

ATOMICS(8, uint8_t)
ATOMICS(16, uint16_t)
ATOMICS(32, uint32_t)
ATOMICS(64, uint64_t)
