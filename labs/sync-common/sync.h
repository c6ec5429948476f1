/* sync.h: CS:APP-style wrappers for the synchronization labs (die on error). */
#ifndef LAB_SYNC_H
#define LAB_SYNC_H

/*
 * The wrappers are macros, not functions, on purpose: the call to the real
 * pthread or semaphore function then sits on YOUR line, so racelab and the
 * sanitizers name your source line, not a line in a helper file.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints "msg: <strerror(code)>" to stderr and exits with status 1. */
static inline void posix_error(int code, const char *msg)
{
    fprintf(stderr, "%s: %s\n", msg, strerror(code));
    exit(1);
}

#define unix_error(msg) posix_error(errno, (msg))

/* Runs a pthread call that returns an error number. */
#define PTHREAD_CHECK(call, name)                                              \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != 0)                                                          \
            posix_error(rc_, name);                                            \
    } while (0)

#define Pthread_create(tid, attr, fn, arg)                                     \
    PTHREAD_CHECK(pthread_create(tid, attr, fn, arg), "pthread_create")
#define Pthread_join(tid, ret)                                                 \
    PTHREAD_CHECK(pthread_join((tid), (ret)), "pthread_join")
#define Pthread_detach(tid) PTHREAD_CHECK(pthread_detach(tid), "pthread_detach")
#define Pthread_mutex_init(m)                                                  \
    PTHREAD_CHECK(pthread_mutex_init((m), NULL), "pthread_mutex_init")
#define Pthread_mutex_lock(m)                                                  \
    PTHREAD_CHECK(pthread_mutex_lock(m), "pthread_mutex_lock")
#define Pthread_mutex_unlock(m)                                                \
    PTHREAD_CHECK(pthread_mutex_unlock(m), "pthread_mutex_unlock")
#define Pthread_mutex_destroy(m)                                               \
    PTHREAD_CHECK(pthread_mutex_destroy(m), "pthread_mutex_destroy")
#define Pthread_cond_init(c)                                                   \
    PTHREAD_CHECK(pthread_cond_init((c), NULL), "pthread_cond_init")
#define Pthread_cond_wait(c, m)                                                \
    PTHREAD_CHECK(pthread_cond_wait((c), (m)), "pthread_cond_wait")
#define Pthread_cond_signal(c)                                                 \
    PTHREAD_CHECK(pthread_cond_signal(c), "pthread_cond_signal")
#define Pthread_cond_broadcast(c)                                              \
    PTHREAD_CHECK(pthread_cond_broadcast(c), "pthread_cond_broadcast")

#define Sem_init(s, value)                                                     \
    do {                                                                       \
        if (sem_init((s), 0, (value)) < 0)                                     \
            unix_error("sem_init");                                            \
    } while (0)
/* P: wait until the semaphore is positive, then decrement it. */
#define P(s)                                                                   \
    do {                                                                       \
        while (sem_wait(s) < 0)                                                \
            if (errno != EINTR)                                                \
                unix_error("sem_wait");                                        \
    } while (0)
/* V: increment the semaphore, waking one waiter if there is one. */
#define V(s)                                                                   \
    do {                                                                       \
        if (sem_post(s) < 0)                                                   \
            unix_error("sem_post");                                            \
    } while (0)

static inline void *Malloc(size_t size)
{
    void *p = malloc(size);
    if (!p && size > 0)
        unix_error("malloc");
    return p;
}

static inline void *Calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p && n > 0 && size > 0)
        unix_error("calloc");
    return p;
}

#endif
