/* sources.h: the user's source files, and how tool frames map onto them. */
#ifndef RACELAB_SOURCES_H
#define RACELAB_SOURCES_H

#include <stddef.h>

enum { RL_MAX_SOURCES = 64 };

struct rl_sources {
    char *given[RL_MAX_SOURCES];    /* paths as the user typed them */
    char *absolute[RL_MAX_SOURCES]; /* realpath() of each */
    size_t n;
    char *remap_from, *remap_to; /* see rl_sources_remap */
};

/* Records the files; fails with a message when one is missing. */
int rl_sources_init(struct rl_sources *s, char *const paths[], size_t n,
                    char *err, size_t errlen);
void rl_sources_free(struct rl_sources *s);

/*
 * Reads paths under `from` as if they were under `to`: tool reports kept
 * as test fixtures name the folder they were captured in, which need not
 * be where the repository is checked out now.
 */
void rl_sources_remap(struct rl_sources *s, const char *from, const char *to);

/*
 * The user's name for a file that a tool printed (absolute, relative to
 * the build folder, or a bare basename), or NULL when the file is not one
 * of the user's sources (libc, a runtime, the harness's own code).
 */
const char *rl_sources_match(const struct rl_sources *s, const char *path);

/* Line `line` of a user file, without its newline
 * (leading blanks removed), in a buffer of the calling thread; "" when it
 * cannot be read. */
const char *rl_sources_line(const struct rl_sources *s, const char *given,
                            int line);

#endif
