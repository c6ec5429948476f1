/* symbolize.h: probe sites (executable offsets) to the user's source lines. */
#ifndef RACELAB_SYMBOLIZE_H
#define RACELAB_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/probe_shm.h"
#include "engine/sources.h"
#include "tools/exe_data.h"

/* One source frame; file is the user's own name for it (sources.h). */
struct rl_frame {
    const char *function; /* NULL when unknown */
    const char *file;
    int line;
};

struct rl_symbolizer;

/* A symbolizer for exe; src decides which frames are the user's. */
struct rl_symbolizer *rl_symbolizer_new(const char *exe,
                                        const struct rl_sources *src);
void rl_symbolizer_free(struct rl_symbolizer *s);

/* Queues offsets; rl_symbolizer_run then resolves them all with one
 * addr2line call, and the executable's data symbols with one nm call. */
void rl_symbolizer_add(struct rl_symbolizer *s, uint64_t pc);
/* Queues a data offset (a lock's address minus the executable's base):
 * rl_symbolizer_run names it inside its array or struct, "locks[2]". */
void rl_symbolizer_add_data(struct rl_symbolizer *s, uint64_t offset);
/* The program's globals as they were while it hung (copied), and its
 * base then: a queued lock on the heap is named through their pointers,
 * "bank.acct[3].lock" (data_names.h). */
void rl_symbolizer_set_memory(struct rl_symbolizer *s,
                              const struct rl_exe_data *mem, uint64_t exe_base);
void rl_symbolizer_add_site(struct rl_symbolizer *s,
                            const struct rlp_site *site);
/* Queues every site and start routine of a probe table. */
void rl_symbolizer_add_table(struct rl_symbolizer *s,
                             const struct rlp_shm *shm);
int rl_symbolizer_run(struct rl_symbolizer *s, char *err, size_t errlen);

/*
 * The user's frames of a site, innermost first, at most max; returns how
 * many.  Frames of the user's own thin wrappers of the call (CS:APP's P,
 * V, Pthread_mutex_lock ...) are left out when an outer user frame exists,
 * so that the line shown is where the program really locks.
 */
size_t rl_symbolize_site(const struct rl_symbolizer *s,
                         const struct rlp_site *site, struct rl_frame *out,
                         size_t max);
/* The innermost of those: 0, or -1 when the site has no user frame. */
int rl_symbolize_user_frame(const struct rl_symbolizer *s,
                            const struct rlp_site *site, struct rl_frame *out);
/* The function containing pc (any file), or NULL. */
const char *rl_symbolize_function(const struct rl_symbolizer *s, uint64_t pc);
/* The executable's global variable at this offset: "m_a", "locks[1]",
 * "accounts[3].lock" for a queued offset, else nm's "locks+40";
 * 0, or -1 when none (a lock on the heap or a stack). */
int rl_symbolize_data(const struct rl_symbolizer *s, uint64_t offset, char *buf,
                      size_t len);
/* For a lock with no global: the argument of the call at the site's user
 * line, "first->lock" (data_names.h, rl_call_argument); 0 or -1. */
int rl_symbolize_call_argument(const struct rl_symbolizer *s,
                               const struct rlp_site *site, char *buf,
                               size_t len);

#endif
