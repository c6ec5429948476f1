/* signals.c: the probe's signal-handler trampoline, errno-clobber check and
 * the async-signal-unsafe calls it records inside handlers. */
#include <errno.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <ucontext.h>
#include <unistd.h>

#include "probe_events.h"

/* The real functions: file-scope pointers, resolved by the constructor
 * (dlsym is not async-signal-safe) or on first use before it ran. */
#define REAL(name)                                                             \
    ({                                                                         \
        if (!real_##name)                                                      \
            real_##name = (__typeof__(name) *)rlp_real(#name);                 \
        real_##name;                                                           \
    })
#define DECLARE_REAL(name) static __typeof__(name) *real_##name

/* glibc's allocator under its own names: calling these needs no dlsym,
 * which itself allocates. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);

/* The _FORTIFY_SOURCE entry points (no header declares them without it). */
int __printf_chk(int flag, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __vprintf_chk(int flag, const char *fmt, va_list ap);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
void __syslog_chk(int prio, int flag, const char *fmt, ...);
void __vsyslog_chk(int prio, int flag, const char *fmt, va_list ap);
void __longjmp_chk(struct __jmp_buf_tag env[1], int val);
__sighandler_t bsd_signal(int sig, __sighandler_t handler);
__sighandler_t sysv_signal(int sig, __sighandler_t handler);
__sighandler_t __sysv_signal(int sig, __sighandler_t handler);

DECLARE_REAL(sigaction);
DECLARE_REAL(signal);
DECLARE_REAL(bsd_signal);
DECLARE_REAL(sysv_signal);
DECLARE_REAL(vprintf);
DECLARE_REAL(vfprintf);
DECLARE_REAL(__vprintf_chk);
DECLARE_REAL(__vfprintf_chk);
DECLARE_REAL(puts);
DECLARE_REAL(putchar);
DECLARE_REAL(fputs);
DECLARE_REAL(fputc);
DECLARE_REAL(putc);
DECLARE_REAL(fwrite);
DECLARE_REAL(fflush);
DECLARE_REAL(perror);
DECLARE_REAL(vsyslog);
DECLARE_REAL(__vsyslog_chk);
DECLARE_REAL(exit);
DECLARE_REAL(longjmp);
DECLARE_REAL(_longjmp);
DECLARE_REAL(siglongjmp);
DECLARE_REAL(__longjmp_chk);

/* ---- where the main executable is (for handler offsets) ---- */

enum { MAX_SEGMENTS = 16 };
static uintptr_t seg_lo[MAX_SEGMENTS], seg_hi[MAX_SEGMENTS];
static int nsegments;
static uintptr_t exe_base;

static int note_executable(struct dl_phdr_info *info, size_t size, void *arg)
{
    exe_base = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum && nsegments < MAX_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        seg_lo[nsegments] = info->dlpi_addr + ph->p_vaddr;
        seg_hi[nsegments] = seg_lo[nsegments] + ph->p_memsz;
        nsegments++;
    }
    return 1; /* the first object is the executable */
}

/* A one-frame site naming a function's entry (exact address, not a
 * return address, so no -1), or all zeros outside the executable. */
static void function_site(struct rlp_site *site, void *fn)
{
    uintptr_t pc = (uintptr_t)fn;
    memset(site, 0, sizeof *site);
    for (int i = 0; i < nsegments; i++)
        if (pc >= seg_lo[i] && pc < seg_hi[i])
            site->pc[0] = pc - exe_base;
}

/* ---- detail strings without stdio (signal-safe) ---- */

void rlp_detail_cat(char *detail, const char *text)
{
    size_t n = strlen(detail);
    while (*text && n < RLP_DETAIL - 1)
        detail[n++] = *text++;
    detail[n] = '\0';
}

void rlp_detail_num(char *detail, long value)
{
    char digits[24];
    int n = 0;
    unsigned long v = value < 0 ? -(unsigned long)value : (unsigned long)value;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (value < 0)
        digits[n++] = '-';
    char text[24];
    for (int i = 0; i < n; i++)
        text[i] = digits[n - 1 - i];
    text[n] = '\0';
    rlp_detail_cat(detail, text);
}

static void cat_signal(char *detail, int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev) {
        rlp_detail_cat(detail, "SIG");
        rlp_detail_cat(detail, abbrev);
    } else if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        rlp_detail_cat(detail, "SIGRTMIN+");
        rlp_detail_num(detail, sig - SIGRTMIN);
    } else {
        rlp_detail_cat(detail, "signal ");
        rlp_detail_num(detail, sig);
    }
}

/* "10 (ECHILD)"; strerror is not signal-safe, the errno name table is. */
static void cat_errno(char *detail, int err)
{
    const char *name = err == 0 ? "Success" : strerrorname_np(err);
    rlp_detail_num(detail, err);
    rlp_detail_cat(detail, " (");
    rlp_detail_cat(detail, name ? name : "unknown");
    rlp_detail_cat(detail, ")");
}

/* ---- once per call site ---- */

enum { MAX_SEEN = 256, SEEN_CLOBBER = 1 };
static uint64_t seen[MAX_SEEN]; /* claimed with CAS: no lock in handlers */

/* 1 the first time (kind, pc) is seen.  One call instruction calls one
 * function, so the pc alone names the (function, call site) pair. */
static int first_time(int kind, uint64_t pc)
{
    uint64_t key = ((pc & 0xffffffffffffull) + 1) | (uint64_t)kind << 62;
    for (int i = 0; i < MAX_SEEN; i++) {
        uint64_t cur = __atomic_load_n(&seen[i], __ATOMIC_ACQUIRE);
        if (cur == 0) {
            uint64_t expect = 0;
            if (__atomic_compare_exchange_n(&seen[i], &expect, key, 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return 1;
            cur = expect;
        }
        if (cur == key)
            return 0;
    }
    return 0; /* table full: stay quiet rather than flood */
}

/* ---- handler levels: which handler this thread is running ---- */

/*
 * One level per trampoline active on this thread (handlers nest when
 * another signal arrives).  Thread-local: a handler runs on the thread
 * that took the signal.  `frame` is an address in the trampoline's frame:
 * code running inside the handler has its stack below it; code found
 * above it means the handler was left by siglongjmp and the level is
 * stale.
 */
enum { MAX_LEVELS = 8 };
struct level {
    uintptr_t frame;
    int sig;
    void *handler;
    int nest;       /* wrapped calls in progress (outermost first) */
    int call_errno; /* errno when the outermost call began */
    struct rlp_site call_site;
    int blamed_errno; /* errno that the last errno-changing call left */
    struct rlp_site blamed_site;
};

RLP_EV_TLS int rlp_sig_depth;
static RLP_EV_TLS struct level levels[MAX_LEVELS];

/* Drops levels whose trampoline frame lies below sp (left by longjmp). */
static void drop_stale_levels(uintptr_t sp)
{
    int d = rlp_sig_depth;
    while (d > 0 && d <= MAX_LEVELS && sp > levels[d - 1].frame)
        d--;
    rlp_sig_depth = d;
}

/* The innermost live level, or NULL when not inside a tracked handler. */
static struct level *current_level(void)
{
    char here;
    drop_stale_levels((uintptr_t)&here);
    int d = rlp_sig_depth;
    if (d <= 0 || d > MAX_LEVELS)
        return NULL;
    return &levels[d - 1];
}

static void record_unsafe(struct level *lv, const char *name)
{
    if (!first_time(0, lv->call_site.pc[0]))
        return;
    char detail[RLP_DETAIL] = "";
    struct rlp_site handler;
    function_site(&handler, lv->handler);
    rlp_detail_cat(detail, name);
    rlp_detail_cat(detail, " called in a handler for ");
    cat_signal(detail, lv->sig);
    rlp_event_add(RLP_E_SIGNAL_UNSAFE, &lv->call_site, &handler, -1, 0, detail);
}

int rlp_hcall_begin(const char *unsafe_name)
{
    int saved = errno;
    struct level *lv = current_level();
    if (!lv)
        return 0;
    /* Counted first: whatever the probe calls from here is not the
     * user's call. */
    if (lv->nest++ == 0) {
        rlp_capture_site(&lv->call_site, 0);
        if (unsafe_name && rlp)
            record_unsafe(lv, unsafe_name);
        lv->call_errno = saved;
    }
    errno = saved;
    return 1;
}

void rlp_hcall_end(void)
{
    int d = rlp_sig_depth;
    if (d <= 0 || d > MAX_LEVELS)
        return;
    struct level *lv = &levels[d - 1];
    if (lv->nest > 0 && --lv->nest == 0 && errno != lv->call_errno) {
        lv->blamed_errno = errno;
        lv->blamed_site = lv->call_site;
    }
}

/* ---- leaving a handler by longjmp ---- */

/* Where a longjmp lands: glibc keeps the stack pointer in the jmp_buf
 * mangled with the thread's pointer guard (x86_64: xor with %fs:0x30,
 * then rotate left by 17).  0 when unknown. */
static uintptr_t jump_target_sp(const struct __jmp_buf_tag *env)
{
#if defined(__x86_64__)
    uintptr_t guard, v = (uintptr_t)env->__jmpbuf[6];
    __asm__("mov %%fs:0x30, %0" : "=r"(guard));
    return ((v >> 17) | (v << 47)) ^ guard;
#else
    return 0;
#endif
}

/* The jump leaves every handler whose trampoline frame lies below the
 * target (drop_stale_levels catches the rest, later). */
static void leave_levels(const struct __jmp_buf_tag *env)
{
    uintptr_t target = jump_target_sp(env);
    int d = rlp_sig_depth;
    while (d > 0 && d <= MAX_LEVELS && levels[d - 1].frame < target)
        d--;
    rlp_sig_depth = d;
}

void longjmp(struct __jmp_buf_tag env[1], int val)
{
    if (rlp_sig_depth > 0)
        leave_levels(env);
    REAL(longjmp)(env, val);
    __builtin_unreachable();
}

void _longjmp(struct __jmp_buf_tag env[1], int val)
{
    if (rlp_sig_depth > 0)
        leave_levels(env);
    REAL(_longjmp)(env, val);
    __builtin_unreachable();
}

void siglongjmp(sigjmp_buf env, int val)
{
    if (rlp_sig_depth > 0)
        leave_levels(env);
    REAL(siglongjmp)(env, val);
    __builtin_unreachable();
}

void __longjmp_chk(struct __jmp_buf_tag env[1], int val)
{
    if (rlp_sig_depth > 0)
        leave_levels(env);
    REAL(__longjmp_chk)(env, val);
    __builtin_unreachable();
}

/* ---- the trampoline ---- */

/* The user's handlers by signal; which trampoline the kernel holds says
 * whether the user asked for SA_SIGINFO. */
static void *user_handler[NSIG];

static void report_clobber(const struct level *lv, int before, int after)
{
    struct rlp_site handler, site;
    function_site(&handler, lv->handler);
    /* Blame the call that left this errno, else the handler itself. */
    site = lv->blamed_errno == after ? lv->blamed_site : handler;
    if (!first_time(SEEN_CLOBBER, site.pc[0]))
        return;
    char detail[RLP_DETAIL] = "errno changed from ";
    cat_errno(detail, before);
    rlp_detail_cat(detail, " to ");
    cat_errno(detail, after);
    rlp_detail_cat(detail, " in handler for ");
    cat_signal(detail, lv->sig);
    rlp_event_add(RLP_E_ERRNO_CLOBBER, &site, &handler, -1, 0, detail);
}

static uintptr_t interrupted_sp(void *uc)
{
#if defined(__x86_64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.sp;
#else
    return 0;
#endif
}

static __attribute__((noinline)) void run_handler(int sig, siginfo_t *info,
                                                  void *uc, int with_info)
{
    int before = errno; /* first: nothing may touch errno before this */
    char frame;
    if (uc)
        drop_stale_levels(interrupted_sp(uc));
    void *fn = __atomic_load_n(&user_handler[sig], __ATOMIC_ACQUIRE);
    if (!fn)
        return;
    int d = rlp_sig_depth;
    if (d < MAX_LEVELS) {
        struct level *lv = &levels[d];
        lv->frame = (uintptr_t)&frame;
        lv->sig = sig;
        lv->handler = fn;
        lv->nest = 0;
        lv->blamed_errno = -1;
    }
    rlp_sig_depth = d + 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (with_info)
        ((void (*)(int, siginfo_t *, void *))fn)(sig, info, uc);
    else
        ((void (*)(int))fn)(sig);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    rlp_sig_depth = d;
    int after = errno;
    if (after != before && d < MAX_LEVELS && rlp)
        report_clobber(&levels[d], before, after);
    errno = after; /* the probe observes; it does not repair */
}

static void trampoline_plain(int sig, siginfo_t *info, void *uc)
{
    run_handler(sig, info, uc, 0);
}

static void trampoline_info(int sig, siginfo_t *info, void *uc)
{
    run_handler(sig, info, uc, 1);
}

static int is_trampoline(void *fn)
{
    return fn == (void *)trampoline_plain || fn == (void *)trampoline_info;
}

/* What the user installed, as the user would see it without the probe. */
static void show_user_action(struct sigaction *act, void *user)
{
    void *fn = (void *)act->sa_sigaction;
    if (!is_trampoline(fn) || !user)
        return;
    if (fn == (void *)trampoline_plain)
        act->sa_flags &= ~SA_SIGINFO;
    act->sa_sigaction = (void (*)(int, siginfo_t *, void *))user;
}

static int probe_sigaction(int sig, const struct sigaction *act,
                           struct sigaction *old)
{
    if (!rlp || sig <= 0 || sig >= NSIG)
        return REAL(sigaction)(sig, act, old);
    void *prev = user_handler[sig];
    struct sigaction mine;
    if (act) {
        void *fn = (void *)act->sa_sigaction;
        int info = (act->sa_flags & SA_SIGINFO) != 0;
        if (info ||
            (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN)) {
            /* The user's flags and mask stay; SA_SIGINFO gives the
             * trampoline the context it needs to see siglongjmp. */
            mine = *act;
            mine.sa_sigaction = info ? trampoline_info : trampoline_plain;
            mine.sa_flags |= SA_SIGINFO;
            __atomic_store_n(&user_handler[sig], fn, __ATOMIC_RELEASE);
            act = &mine;
        }
    }
    int ret = REAL(sigaction)(sig, act, old);
    if (ret < 0) {
        int err = errno;
        __atomic_store_n(&user_handler[sig], prev, __ATOMIC_RELEASE);
        errno = err;
        return ret;
    }
    if (old)
        show_user_action(old, prev);
    return ret;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return probe_sigaction(sig, act, old);
}

/* signal(), bsd_signal() and sysv_signal() set up sigaction the way
 * glibc does, so that the user's handler goes behind the trampoline. */
static __sighandler_t install(int sig, __sighandler_t handler, int flags,
                              int mask_self)
{
    if (handler == SIG_ERR || sig <= 0 || sig >= NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    if (mask_self)
        sigaddset(&act.sa_mask, sig);
    act.sa_flags = flags;
    if (probe_sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

__sighandler_t signal(int sig, __sighandler_t handler)
{
    if (!rlp)
        return REAL(signal)(sig, handler);
    return install(sig, handler, SA_RESTART, 1);
}

__sighandler_t bsd_signal(int sig, __sighandler_t handler)
{
    if (!rlp)
        return REAL(bsd_signal)(sig, handler);
    return install(sig, handler, SA_RESTART, 1);
}

__sighandler_t sysv_signal(int sig, __sighandler_t handler)
{
    if (!rlp)
        return REAL(sysv_signal)(sig, handler);
    return install(sig, handler, SA_RESETHAND | SA_NODEFER, 0);
}

__sighandler_t __sysv_signal(int sig, __sighandler_t handler)
{
    return sysv_signal(sig, handler);
}

/* ---- async-signal-unsafe functions ---- */

/* Each wrapper calls through; inside a handler the call is recorded. */
#define UNSAFE_VA(shown, vreal, last, ...)                                     \
    ({                                                                         \
        va_list ap;                                                            \
        int token = RLP_HCALL_BEGIN(shown);                                    \
        va_start(ap, last);                                                    \
        int ret = REAL(vreal)(__VA_ARGS__, ap);                                \
        va_end(ap);                                                            \
        RLP_HCALL_END(token);                                                  \
        ret;                                                                   \
    })

int printf(const char *fmt, ...)
{
    return UNSAFE_VA("printf", vprintf, fmt, fmt);
}

int fprintf(FILE *f, const char *fmt, ...)
{
    return UNSAFE_VA("fprintf", vfprintf, fmt, f, fmt);
}

int __printf_chk(int flag, const char *fmt, ...)
{
    return UNSAFE_VA("printf", __vprintf_chk, fmt, flag, fmt);
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    return UNSAFE_VA("fprintf", __vfprintf_chk, fmt, f, flag, fmt);
}

int vprintf(const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("vprintf");
    int ret = REAL(vprintf)(fmt, ap);
    RLP_HCALL_END(token);
    return ret;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("vfprintf");
    int ret = REAL(vfprintf)(f, fmt, ap);
    RLP_HCALL_END(token);
    return ret;
}

int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("vprintf");
    int ret = REAL(__vprintf_chk)(flag, fmt, ap);
    RLP_HCALL_END(token);
    return ret;
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("vfprintf");
    int ret = REAL(__vfprintf_chk)(f, flag, fmt, ap);
    RLP_HCALL_END(token);
    return ret;
}

/* gcc compiles printf("text\n") to puts, printf("x") to putchar and
 * fprintf(f, "text") to fwrite: the names shown say so. */
#define UNSAFE_CALL(type, shown, name, ...)                                    \
    ({                                                                         \
        int token = RLP_HCALL_BEGIN(shown);                                    \
        type ret = REAL(name)(__VA_ARGS__);                                    \
        RLP_HCALL_END(token);                                                  \
        ret;                                                                   \
    })

int puts(const char *s)
{
    return UNSAFE_CALL(int, "printf/puts", puts, s);
}

int putchar(int c)
{
    return UNSAFE_CALL(int, "printf/putchar", putchar, c);
}

int fputs(const char *s, FILE *f)
{
    return UNSAFE_CALL(int, "fprintf/fputs", fputs, s, f);
}

int fputc(int c, FILE *f)
{
    return UNSAFE_CALL(int, "fprintf/fputc", fputc, c, f);
}

int putc(int c, FILE *f)
{
    return UNSAFE_CALL(int, "putc", putc, c, f);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    return UNSAFE_CALL(size_t, "fprintf/fwrite", fwrite, p, size, n, f);
}

int fflush(FILE *f)
{
    return UNSAFE_CALL(int, "fflush", fflush, f);
}

void perror(const char *s)
{
    int token = RLP_HCALL_BEGIN("perror");
    REAL(perror)(s);
    RLP_HCALL_END(token);
}

void vsyslog(int prio, const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("syslog");
    REAL(vsyslog)(prio, fmt, ap);
    RLP_HCALL_END(token);
}

void syslog(int prio, const char *fmt, ...)
{
    va_list ap;
    int token = RLP_HCALL_BEGIN("syslog");
    va_start(ap, fmt);
    REAL(vsyslog)(prio, fmt, ap);
    va_end(ap);
    RLP_HCALL_END(token);
}

void __vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
    int token = RLP_HCALL_BEGIN("syslog");
    REAL(__vsyslog_chk)(prio, flag, fmt, ap);
    RLP_HCALL_END(token);
}

void __syslog_chk(int prio, int flag, const char *fmt, ...)
{
    va_list ap;
    int token = RLP_HCALL_BEGIN("syslog");
    va_start(ap, fmt);
    REAL(__vsyslog_chk)(prio, flag, fmt, ap);
    va_end(ap);
    RLP_HCALL_END(token);
}

void exit(int status)
{
    (void)RLP_HCALL_BEGIN("exit"); /* never returns: nothing to end */
    REAL(exit)(status);
    __builtin_unreachable();
}

/* The allocator: straight to glibc's own entry points, so that no
 * dlsym is needed (dlsym allocates). */
void *malloc(size_t size)
{
    int token = RLP_HCALL_BEGIN("malloc");
    void *p = __libc_malloc(size);
    RLP_HCALL_END(token);
    return p;
}

void *calloc(size_t n, size_t size)
{
    int token = RLP_HCALL_BEGIN("calloc");
    void *p = __libc_calloc(n, size);
    RLP_HCALL_END(token);
    return p;
}

void *realloc(void *old, size_t size)
{
    int token = RLP_HCALL_BEGIN("realloc");
    void *p = __libc_realloc(old, size);
    RLP_HCALL_END(token);
    return p;
}

void free(void *p)
{
    int token = RLP_HCALL_BEGIN("free");
    __libc_free(p);
    RLP_HCALL_END(token);
}

/* Resolved now, outside any handler: dlsym is not async-signal-safe. */
__attribute__((constructor(102))) static void signals_init(void)
{
    dl_iterate_phdr(note_executable, NULL);
    REAL(sigaction);
    REAL(signal);
    REAL(bsd_signal);
    REAL(sysv_signal);
    REAL(vprintf);
    REAL(vfprintf);
    REAL(__vprintf_chk);
    REAL(__vfprintf_chk);
    REAL(puts);
    REAL(putchar);
    REAL(fputs);
    REAL(fputc);
    REAL(putc);
    REAL(fwrite);
    REAL(fflush);
    REAL(perror);
    REAL(vsyslog);
    REAL(__vsyslog_chk);
    REAL(exit);
    REAL(longjmp);
    REAL(_longjmp);
    REAL(siglongjmp);
    REAL(__longjmp_chk);
}
