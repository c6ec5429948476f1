/* diagnostics.c: the engine's problems, kept as records. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/diagnostics.h"
#include "lib/xalloc.h"

void rl_diag_add(struct rl_diagnostics *d, enum rl_diag_level level,
                 const char *tool, const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 8;
        d->v = xrealloc(d->v, d->cap * sizeof *d->v);
    }
    va_list ap;
    va_start(ap, fmt);
    char *message = NULL;
    if (vasprintf(&message, fmt, ap) < 0)
        message = xstrdup("(no memory for the message)");
    va_end(ap);
    d->v[d->n++] =
        (struct rl_diagnostic){level, tool ? xstrdup(tool) : NULL, message};
}

int rl_diag_any(const struct rl_diagnostics *d, enum rl_diag_level level)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].level == level)
            return 1;
    return 0;
}

const char *rl_diag_level_name(enum rl_diag_level level)
{
    switch (level) {
    case RL_DIAG_NOTE:
        return "note";
    case RL_DIAG_WARNING:
        return "warning";
    case RL_DIAG_USER:
        return "error";
    case RL_DIAG_INTERNAL:
        return "internal";
    }
    return "?";
}

void rl_diag_free(struct rl_diagnostics *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].tool);
        free(d->v[i].message);
    }
    free(d->v);
    *d = (struct rl_diagnostics){0};
}
