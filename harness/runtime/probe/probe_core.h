/* probe_core.h: what every part of the preloaded probe shares. */
#ifndef RACELAB_PROBE_CORE_H
#define RACELAB_PROBE_CORE_H

#include "protocol/probe_shm.h"

/* The shared table, or NULL when RACELAB_PROBE_FILE is unset or unusable
 * (then every hook just calls through). */
extern struct rlp_shm *rlp;

/* The probe's own lock for the tables: a spinlock, so that it never calls
 * a function the probe wraps.  Hold it only for short table updates. */
void rlp_lock_tables(void);
void rlp_unlock_tables(void);

/* Fills site with the caller's frames inside the main executable,
 * skipping `skip` innermost frames (the probe's own). Signal-safe after
 * the probe's constructor ran. */
void rlp_capture_site(struct rlp_site *site, int skip);

/* Records an event (thread- and signal-safe; drops it when full).
 * number and flags: see struct rlp_event. */
void rlp_event_add(int kind, const struct rlp_site *site,
                   const struct rlp_site *site2, int number, unsigned flags,
                   const char *detail);

/* Monotonic clock in nanoseconds. */
unsigned long long rlp_now_ns(void);

/* The real function behind a wrapped one (dlsym RTLD_NEXT), dies if absent. */
void *rlp_real(const char *name);

/* 1 in a process forked from the main one (tables then are the parent's). */
extern int rlp_in_fork_child;

#endif
