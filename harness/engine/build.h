/* build.h: compile the user's sources into the variants the tools need. */
#ifndef RACELAB_BUILD_H
#define RACELAB_BUILD_H

#include "engine/sources.h"
#include "engine/variant.h"
#include "lib/sandbox.h"
#include "lib/strv.h"

struct rl_build {
    char *exe[RL_VARIANT_COUNT];    /* absolute path, or NULL if not built */
    char *output[RL_VARIANT_COUNT]; /* the compiler's messages, or NULL */
    int failed[RL_VARIANT_COUNT];   /* 1 when that variant did not compile */
    struct rl_strv command[RL_VARIANT_COUNT]; /* the compiler's argv */
    double wall_seconds[RL_VARIANT_COUNT];
    /* how each compiler ran */
    char isolation[RL_VARIANT_COUNT][RL_ISOLATION_MAX];
};

/* The compiler command of a variant, e.g. "gcc -g -O1 -pthread". */
const char *rl_build_command(enum rl_variant v);
const char *rl_variant_name(enum rl_variant v);

/*
 * Compiles every variant marked in `wanted` into outdir, concurrently.
 * Returns 0 when all wanted variants were attempted (check b->failed),
 * -1 with err filled when a compiler could not be started at all.
 */
int rl_build_all(const struct rl_sources *src, const int wanted[],
                 const char *outdir, struct rl_build *b, char *err,
                 size_t errlen);

/* What a caller may add to every variant's command line. */
struct rl_build_extras {
    char *const *include_dirs; /* -I each, NULL-terminated, or NULL */
    char *const *link_flags;   /* after the sources, e.g. "-lcheck", or NULL */
};

/* rl_build_all with extra include folders and libraries (grading links a
 * lab's Check tests with libcheck and puts the lab folder on the path). */
int rl_build_all_with(const struct rl_sources *src, const int wanted[],
                      const struct rl_build_extras *extras, const char *outdir,
                      struct rl_build *b, char *err, size_t errlen);
void rl_build_free(struct rl_build *b);

/* What every compilation of the user's code shares, whoever builds it
 * (build.c's variants, the scheduler's build in sched/): -I the folder of
 * each source, then the extra folders; and the sandbox it runs in (120 s,
 * 64 KiB of the compiler's words). */
void rl_build_include_flags(struct rl_strv *argv, const struct rl_sources *src,
                            char *const *include_dirs);
void rl_build_sandbox_opts(struct rl_sandbox_opts *opts);
/* NULL when a compiler running as a uid of its own can read the sources
 * and include folders (or racelab is not root); else why it cannot, for
 * rl_sandbox_opts.uid_refused. */
const char *rl_build_uid_refused(const struct rl_sources *src,
                                 char *const *include_dirs);

#endif
