/* probe_conn.h: hooks of the probe's connection-thread checks (accept_hold.c)
 * that the descriptor and thread wrappers call. */
#ifndef RACELAB_PROBE_CONN_H
#define RACELAB_PROBE_CONN_H

#include "probe_core.h"

/* fds.c: the calling thread enters accept or accept4 ... */
void rlp_conn_accepting(void);
/* ... which returned fd (-1: failed). */
void rlp_conn_accepted(int fd);
/* fds.c: the program is closing fd (async-signal-safe). */
void rlp_conn_closing(int fd);

/*
 * threads.c, in the creating thread, before the real pthread_create of
 * the thread that gets table slot `slot`: notes whether the new thread is
 * handed the descriptor its creator has just accepted, and whether its
 * start must be held (arg points at that descriptor where the next accept
 * may store the next one: the creator's stack, a global, a reused block).
 */
void rlp_conn_created(int slot, void *arg);
/* threads.c, in the new thread, before its start routine runs: the hold. */
void rlp_conn_start(int slot);
/* locks.c, after a sem_post, mutex unlock or condition signal of the
 * calling thread: a held thread released because its creator waited is
 * held again here, after its handshake, until the next accept stored. */
void rlp_conn_signalled(void);
/* conn_io.c, fds.c: the calling thread is using fd (read, write, close
 * ...): tells which descriptor a thread held after its handshake read. */
void rlp_conn_using(int fd);
/* threads.c: the thread's code is done (before its state is EXITED). */
void rlp_conn_ended(struct rlp_thread *t);

#endif
