/* user_wrapper.h: the one rule for "the program's own wrapper of a library
 * call" (CS:APP style: P, V, Pthread_mutex_lock, Sem_wait, Malloc, Fork).
 * A tool that finds a bug inside such a wrapper names the line that
 * called the wrapper instead, so that every tool places one bug on one
 * line (the merge of findings across tools needs a shared line). */
#ifndef RACELAB_USER_WRAPPER_H
#define RACELAB_USER_WRAPPER_H

/* The families of calls a wrapper may wrap. */
enum rl_wrapped {
    RL_WRAPS_SYNC = 1,   /* P, V, Pthread_*, Sem_* (any case) */
    RL_WRAPS_MEMORY = 2, /* Malloc, Calloc, Realloc, Free (any case) */
    RL_WRAPS_ALL = RL_WRAPS_SYNC | RL_WRAPS_MEMORY,
};

/* Is fn, a function of the program's sources, its own wrapper of a call
 * of one of the `families` (RL_WRAPS_* bits)?  NULL is no wrapper.  The
 * sanitizers' and valgrind's stacks use RL_WRAPS_ALL; the probe's sites,
 * whose innermost call is always a synchronization (or a malloc in a
 * signal handler, which should be named where it is), RL_WRAPS_SYNC. */
int rl_is_user_wrapper(const char *fn, int families);

/* Is fn the program's wrapper of exactly `call` (Fork for fork, Accept
 * for accept): the same name in another case? */
int rl_wraps_call(const char *fn, const char *call);

#endif
