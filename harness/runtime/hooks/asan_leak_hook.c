/* asan_leak_hook.c: a leak check on request, built into the ASan variant. */
/*
 * Programs that hang or never end never reach LeakSanitizer's exit-time
 * check; racelab asks them for a report while they still run.  Compiled
 * with the user's sources by clang (build.c), so it defines no global
 * name and needs nothing beyond libc, pthreads and the ASan runtime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/lsan_interface.h>

/* The request's signal, this hook's thread name and the marker's
 * variable, shared with tools/tool_asan.c (why this signal: see there).
 * Relative, so that this file compiles without -I; make inlines it into
 * bin/racelab-asan-hook.c. */
#include "../../protocol/hooks.h"

static char marker[4096];

/* Says the report is complete, and whose it is: racelab waits for this
 * file and reads its pid.  Written aside and renamed, so that it is
 * never seen half written. */
static void mark_done(void)
{
    char tmp[sizeof marker + 8], text[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", marker);
    int n = snprintf(text, sizeof text, "%d\n", (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    int ok = write(fd, text, n) == n;
    close(fd);
    if (ok)
        rename(tmp, marker);
}

static void *leak_waiter(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, RL_LEAK_SIGNAL);
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0 || sig != RL_LEAK_SIGNAL)
            continue;
        /* Reports what no thread can reach any more, to log_path, and
         * lets the program go on (the exit-time check is not disabled). */
        __lsan_do_recoverable_leak_check();
        mark_done();
    }
    return NULL;
}

/*
 * Runs before main: the signal is blocked in the main thread so that
 * every thread the program creates inherits the block (only the waiter
 * takes it), then the waiter starts.  Without racelab's variable (the
 * program run by hand) nothing happens at all.
 */
__attribute__((constructor)) static void rl_leak_hook_start(void)
{
    const char *path = getenv(RL_LEAK_MARKER_ENV);
    if (!path || !*path || strlen(path) >= sizeof marker)
        return;
    strcpy(marker, path);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, RL_LEAK_SIGNAL);
    if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0)
        return;
    /* libc's pthread_create, not ASan's: a thread ASan does not know
     * takes no thread number (the user's first thread stays T1 in the
     * reports) and LSan's check skips it. */
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                  void *) = dlsym(RTLD_NEXT, "pthread_create");
    if (!create)
        create = pthread_create;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (create(&t, &attr, leak_waiter, NULL) == 0)
        pthread_setname_np(t, RL_LEAK_THREAD);
    else
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}
