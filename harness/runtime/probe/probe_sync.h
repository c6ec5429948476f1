/* probe_sync.h: what the probe's lock and thread wrappers share. */
#ifndef RACELAB_PROBE_SYNC_H
#define RACELAB_PROBE_SYNC_H

#include "probe_core.h"

#define RLP_TLS __thread __attribute__((tls_model("initial-exec")))

/* This thread's slot in rlp->threads, or NULL when it is not tracked. */
extern RLP_TLS struct rlp_thread *rlp_self;
/* 1 while this thread runs probe code: a wrapper reached again from
 * there (the unwinder's own mutex, a signal handler) just calls through. */
extern RLP_TLS int rlp_busy;

/* The calling thread's slot when its locks should be recorded, else NULL;
 * on success rlp_busy is set until rlp_sync_leave. */
struct rlp_thread *rlp_sync_enter(void);
void rlp_sync_leave(void);

/*
 * A blocking wait on obj begins (state: RLP_T_WAIT_*).  For
 * RLP_T_WAIT_JOIN, obj is the joined thread's index + 1.  Call the real
 * function between rlp_wait_begin and rlp_wait_end, with rlp_busy clear.
 */
void rlp_wait_begin(struct rlp_thread *t, uint64_t obj, int state, int timed,
                    const struct rlp_site *site);
/* The wait ended; when acquired, obj (of kind) is now held by t. */
void rlp_wait_end(struct rlp_thread *t, uint64_t obj, int kind, int acquired,
                  const struct rlp_site *site);

#endif
