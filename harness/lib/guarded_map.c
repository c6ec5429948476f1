/* guarded_map.c: shared mappings whose lost pages read as zeros. */
#include "lib/guarded_map.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The guarded ranges; a slot is free when its start is 0.  The handler
 * reads them without a lock (atomics only). */
enum { SLOTS = 64 };
static _Atomic uintptr_t starts[SLOTS], ends[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct sigaction previous;

/* A SIGBUS in a guarded range: a private page of zeros takes the lost
 * page's place and the read is done again.  Any other SIGBUS is passed
 * on (by default: racelab dies, as it should on its own fault). */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    uintptr_t at = (uintptr_t)si->si_addr;
    uintptr_t page = at & ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t s = atomic_load(&starts[i]), e = atomic_load(&ends[i]);
        if (s && at >= s && at < e &&
            mmap((void *)page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
            return;
    }
    if (previous.sa_flags & SA_SIGINFO && previous.sa_sigaction) {
        previous.sa_sigaction(sig, si, ctx);
        return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
        previous.sa_handler) {
        previous.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL); /* the fault comes again, and kills */
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous);
}

const void *rl_guarded_map(int fd, size_t len)
{
    pthread_once(&once, install);
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return NULL;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t free_slot = 0;
        if (atomic_compare_exchange_strong(&starts[i], &free_slot,
                                           (uintptr_t)m)) {
            atomic_store(&ends[i], (uintptr_t)m + len);
            return m;
        }
    }
    munmap(m, len); /* every slot taken: no unguarded mapping */
    return NULL;
}

void rl_guarded_unmap(const void *p, size_t len)
{
    if (!p)
        return;
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&starts[i]) == (uintptr_t)p) {
            atomic_store(&ends[i], 0);
            atomic_store(&starts[i], 0);
        }
    munmap((void *)p, len);
}
