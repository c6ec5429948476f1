/* stop_hook.c: a clean stop on request, built into sanitized variants. */
/*
 * A server never exits by itself, and a SIGTERM kills a sanitized build
 * before its exit-time reports (TSan's thread leaks, LSan's leaks) are
 * written.  racelab asks this hook's thread instead: on RL_STOP_SIGNAL it
 * calls exit(0), so atexit handlers and the sanitizers' finalizers run as
 * at a normal end.  Compiled with the user's sources by clang (build.c),
 * so it defines no global name and needs nothing beyond libc and pthreads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The signal, this hook's thread name and the switch, shared with
 * server/server_rounds.c.  Relative, so that this file compiles without
 * -I; make inlines it into bin/racelab-stop-hook.c. */
#include "../../protocol/hooks.h"

static void *stop_waiter(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, RL_STOP_SIGNAL);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) == 0 && sig == RL_STOP_SIGNAL)
            exit(0); /* runs the finalizers: the reports get written */
    }
    return NULL;
}

/*
 * Runs before main: the signal is blocked in the main thread so that
 * every thread the program creates inherits the block (only the waiter
 * takes it).  The waiter is created through the sanitizer's own
 * pthread_create: exit() must run on a thread the runtime knows.  Only
 * racelab's --server runs set the variable; otherwise nothing happens.
 */
__attribute__((constructor)) static void rl_stop_hook_start(void)
{
    const char *on = getenv(RL_STOP_ENV);
    if (!on || strcmp(on, "1") != 0)
        return;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, RL_STOP_SIGNAL);
    if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0)
        return;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, stop_waiter, NULL) == 0)
        pthread_setname_np(t, RL_STOP_THREAD);
    else
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}
