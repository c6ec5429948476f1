/* probe_core.c: the preloaded probe's shared table, call sites and clock. */
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "probe_core.h"

struct rlp_shm *rlp;
int rlp_in_fork_child;

/* The main executable's loaded segments, to tell its frames from libc's. */
enum { MAX_SEGMENTS = 16 };
static uintptr_t seg_lo[MAX_SEGMENTS], seg_hi[MAX_SEGMENTS];
static int nsegments;
static uintptr_t exe_base;

static volatile int tables_lock; /* guards rlp->threads, locks, edges */

void rlp_lock_tables(void)
{
    while (__atomic_exchange_n(&tables_lock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause(); /* never sched_yield: the probe wraps it */
}

void rlp_unlock_tables(void)
{
    __atomic_store_n(&tables_lock, 0, __ATOMIC_RELEASE);
}

unsigned long long rlp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void *rlp_real(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);
    if (!fn) {
        static const char msg[] = "racelab-probe: missing libc symbol\n";
        write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    return fn;
}

static int in_executable(uintptr_t pc)
{
    for (int i = 0; i < nsegments; i++)
        if (pc >= seg_lo[i] && pc < seg_hi[i])
            return 1;
    return 0;
}

void rlp_capture_site(struct rlp_site *site, int skip)
{
    void *frames[RLP_MAX_FRAMES + 16];
    int n = backtrace(frames, RLP_MAX_FRAMES + 16);
    int kept = 0;
    memset(site, 0, sizeof *site);
    for (int i = skip; i < n && kept < RLP_MAX_FRAMES; i++) {
        uintptr_t pc = (uintptr_t)frames[i];
        /* A return address points after the call: step back into it. */
        if (in_executable(pc))
            site->pc[kept++] = pc - exe_base - 1;
    }
}

void rlp_event_add(int kind, const struct rlp_site *site,
                   const struct rlp_site *site2, int number, unsigned flags,
                   const char *detail)
{
    if (!rlp)
        return;
    /* Claimed without the table lock: a signal handler may call this
     * while the interrupted thread holds that lock. */
    uint32_t slot = __atomic_fetch_add(&rlp->nevents, 1, __ATOMIC_RELAXED);
    if (slot >= RLP_MAX_EVENTS) {
        rlp->overflow = 1;
        return;
    }
    struct rlp_event *e = &rlp->events[slot];
    e->pid = getpid();
    e->number = number;
    e->flags = flags;
    if (site)
        e->site = *site;
    if (site2)
        e->site2 = *site2;
    if (detail) {
        strncpy(e->detail, detail, RLP_DETAIL - 1);
        e->detail[RLP_DETAIL - 1] = '\0';
    }
    __atomic_store_n(&e->kind, kind, __ATOMIC_RELEASE);
}

/* The first object dl_iterate_phdr reports is the main executable. */
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
    return 1; /* stop after the first */
}

static void mark_fork_child(void)
{
    rlp_in_fork_child = 1;
}

static struct rlp_shm *map_table(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    struct rlp_shm *m = NULL;
    /* Every page allocated now: on a work folder that is a size-limited
     * tmpfs, a page first touched after the program filled it would be a
     * SIGBUS, in the program and in the harness reading the table. */
    if (ftruncate(fd, sizeof *m) == 0 &&
        posix_fallocate(fd, 0, sizeof *m) == 0) {
        m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED)
            m = NULL;
    }
    close(fd); /* the probe's own descriptor must not look like a leak */
    return m;
}

/* Runs before the other parts' constructors (priority 101). */
__attribute__((constructor(101))) static void rlp_core_init(void)
{
    const char *path = getenv(RLP_ENV_FILE);
    dl_iterate_phdr(note_executable, NULL);
    void *warm[2];
    backtrace(warm, 2); /* loads the unwinder now, not inside a handler */
    pthread_atfork(NULL, NULL, mark_fork_child);
    if (!path || !*path)
        return;
    rlp = map_table(path);
    /* Programs the user's program execs are not watched (they would
     * overwrite this table): drop the probe from the environment. */
    unsetenv(RLP_ENV_FILE);
    unsetenv("LD_PRELOAD");
    if (!rlp)
        return;
    /* The harness trusts the version once it sees the magic. */
    rlp->version = RLP_VERSION;
    __atomic_store_n(&rlp->magic, RLP_MAGIC, __ATOMIC_RELEASE);
    rlp->pid = getpid();
    rlp->exe_base = exe_base;
}
