/* rwlock.h: lab 09, a readers-writers lock built from a mutex and
 * condition variables. */
#ifndef LAB_RWLOCK_H
#define LAB_RWLOCK_H

#include <pthread.h>

/*
 * Many readers may hold the lock together; a writer holds it alone.
 * All fields are guarded by `lock`, a mutex held only for a few
 * instructions (never while a reader reads or a writer writes).
 * You hand in rwlock.c only, so this header is fixed: the starter uses
 * the first five fields, the last three are there for your version (use
 * any of them, or none).
 */
struct rwlock {
    pthread_mutex_t lock;      /* guards every field below */
    pthread_cond_t readers_ok; /* a reader may be able to go in */
    pthread_cond_t writer_ok;  /* a writer may be able to go in */
    int readers;               /* readers inside */
    int writing;               /* 1 while a writer is inside */
    int writers_waiting;       /* writers blocked in rw_write_lock */
    int readers_waiting;       /* readers blocked in rw_read_lock */
    unsigned long turn;        /* e.g. a count of writers done */
};

void rw_init(struct rwlock *rw);
void rw_destroy(struct rwlock *rw);
void rw_read_lock(struct rwlock *rw);
void rw_read_unlock(struct rwlock *rw);
void rw_write_lock(struct rwlock *rw);
void rw_write_unlock(struct rwlock *rw);

#endif
