/* diagnostics.h: what went wrong while checking, as records in the result.
 *
 * No stage of the engine prints or speaks in exit statuses: a problem is
 * a diagnostic here, which `racelab check` shows on stderr, `racelab
 * grade` in its report, and every machine-readable output carries. */
#ifndef RACELAB_DIAGNOSTICS_H
#define RACELAB_DIAGNOSTICS_H

#include <stddef.h>

enum rl_diag_level {
    RL_DIAG_NOTE,     /* a run ended in a way worth knowing: "probe run: " */
    RL_DIAG_WARNING,  /* something was skipped; the check still means it */
    RL_DIAG_USER,     /* the user's error: a missing file, no compile */
    RL_DIAG_INTERNAL, /* racelab's own failure */
};

struct rl_diagnostic {
    enum rl_diag_level level;
    char *tool;    /* the tool it concerns, or NULL */
    char *message; /* may span lines (a compiler's output) */
};

struct rl_diagnostics {
    struct rl_diagnostic *v;
    size_t n, cap;
};

void rl_diag_add(struct rl_diagnostics *d, enum rl_diag_level level,
                 const char *tool, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1 when any diagnostic has this level. */
int rl_diag_any(const struct rl_diagnostics *d, enum rl_diag_level level);
/* "note", "warning", "error", "internal" (the JSON's "level"). */
const char *rl_diag_level_name(enum rl_diag_level level);
void rl_diag_free(struct rl_diagnostics *d);

#endif
