/* report_diag.c: the pipeline's diagnostics for people. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"
#include "report/report.h"

void rl_report_diagnostics(FILE *out, const struct rl_diagnostics *d)
{
    for (size_t i = 0; d && i < d->n; i++) {
        const struct rl_diagnostic *g = &d->v[i];
        /* A compiler's words quote the source, whose bytes are the
         * student's: escaped like all program text (escape.h). */
        char *safe = rl_escape_text(g->message, SIZE_MAX);
        const char *m = safe;
        const char *nl = m[0] && m[strlen(m) - 1] == '\n' ? "" : "\n";
        if (g->level == RL_DIAG_NOTE && g->tool)
            fprintf(out, "racelab: %s run: %s%s", g->tool, m, nl);
        else if (g->tool)
            fprintf(out, "racelab: %s: %s%s", g->tool, m, nl);
        else if (g->level == RL_DIAG_WARNING)
            fprintf(out, "racelab: warning: %s%s", m, nl);
        else
            fprintf(out, "racelab: %s%s", m, nl);
        free(safe);
    }
}
