/* demo_tools.c: the tools demo's matrix: which tool sees which bug, and
 * which accuses a correct program.  Each row is one real check of a
 * corpus program (engine/check_engine.h) with every tool: a tool's cell
 * is what that tool reported raw, before racelab's merge and policy; the
 * last cell is racelab's verdict after them.  The first cell is a plain
 * run of the program: what a student sees without any tool. */
#include <stdio.h>
#include <string.h>

#include "demo/demo_acts.h"
#include "demo/demo_proc.h"
#include "engine/check_engine.h"

/* The programs, one per row: bugs first, then correct ones. */
static const char *const rows[][2] = {
    {"tests/cases/race_counter.c", "data race"},
    {"tests/cases/lockorder_transfer.c", "lock order"},
    {"tests/cases/leak_memory_lost_buffer.c", "memory leak"},
    {"tests/cases/ok_c11_atomics.c", "OK: C11 atomics"},
    {"tests/cases/ok_gate_lock.c", "OK: gate lock"},
};
enum { NROWS = sizeof rows / sizeof *rows };

static const char *const columns[] = {"tsan",     "helgrind", "drd",
                                      "memcheck", "asan",     "probe"};
enum { NCOLS = sizeof columns / sizeof *columns, CELL = 11 };

/* A failure-mode ID, short enough for a cell. */
static const char *short_id(const char *id)
{
    static const char *const map[][2] = {
        {"data-race", "RACE"},     {"lock-order-inversion", "ORDER"},
        {"memory-leak", "LEAK"},   {"deadlock", "DEADLOCK"},
        {"use-after-free", "UAF"}, {"thread-leak", "THR-LEAK"},
        {"fd-leak", "FD-LEAK"},    {"livelock", "LIVELOCK"},
        {"starvation", "STARVE"},  {"signal-unsafe", "SIGNAL"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i][0], id) == 0)
            return map[i][1];
    return id;
}

/* IDs joined by '+', each shortened; "-" when there are none. */
static void cell_of(char *const *ids, size_t nids, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < nids && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "+" : "",
                              short_id(ids[i]));
    if (!n)
        snprintf(buf, len, "-");
}

/* A plain run, no tool: what its exit status says. */
static void plain_cell(const char *file, char *buf, size_t len)
{
    struct demo_proc p;
    const char *files[] = {file, NULL};
    snprintf(buf, len, "?");
    if (demo_proc_start(&p, files, 0, 10) != 0)
        fprintf(stderr, "racelab demo: %s: %s\n", file, p.error);
    else if (demo_proc_wait(&p) == 0) {
        const struct rl_sandbox_result *r = &p.run.result;
        if (r->timed_out)
            snprintf(buf, len, "HANGS");
        else if (r->signal)
            snprintf(buf, len, "SIG%d", r->signal);
        else
            snprintf(buf, len, r->exit_status ? "exit %d" : "ok",
                     r->exit_status);
    }
    demo_proc_end(&p);
}

int demo_live_tools(struct demo_screen *s, const struct rl_demo_act *a)
{
    char line[256];
    int n =
        snprintf(line, sizeof line, "%-14s %-*s", "program", CELL, "plain run");
    for (int c = 0; c < NCOLS; c++)
        n += snprintf(line + n, sizeof line - n, "%-*s", CELL, columns[c]);
    snprintf(line + n, sizeof line - n, "| racelab");
    demo_cmd(s, "racelab check FILE.c   (every tool; their raw reports "
                "kept, before racelab's policy)");
    demo_line(s, "%s", line);
    for (int r = 0; r < NROWS; r++) {
        const char *file = rows[r][0];
        char cell[64];
        plain_cell(file, cell, sizeof cell);
        n = snprintf(line, sizeof line, "%-16s %-*s", rows[r][1], CELL, cell);
        struct rl_check_request req;
        memset(&req, 0, sizeof req);
        char *files[] = {(char *)file, NULL};
        req.files = files;
        req.nfiles = 1;
        req.runs = 1;
        req.timeout = 10;
        req.first_seed_set = 1;
        rl_check_select_default_tools(&req);
        struct rl_check c;
        rl_check_execute(&c, &req);
        for (int k = 0; k < NCOLS; k++) {
            const struct rl_job *j = rl_check_job(&c, columns[k]);
            if (!j || j->error[0])
                snprintf(cell, sizeof cell, "(n/a)");
            else
                cell_of(j->raw_ids.v, j->raw_ids.n, cell, sizeof cell);
            n += snprintf(line + n, sizeof line - n, "%-*s", CELL, cell);
        }
        if (c.status == RL_CHECK_DONE) {
            const char *ids[8];
            size_t nids = 0;
            for (size_t i = 0; i < c.verdict.n && nids < 8; i++)
                ids[nids++] = c.verdict.v[i].id;
            cell_of((char *const *)ids, nids, cell, sizeof cell);
        } else
            snprintf(cell, sizeof cell, "(failed)");
        snprintf(line + n, sizeof line - n, "| %s", cell);
        rl_check_free(&c);
        demo_line(s, "%s", line);
    }
    demo_line(s, "%s", "");
    for (int r = 0; r < NROWS; r++)
        demo_line(s, "%-16s %s", rows[r][1], rows[r][0]);
    demo_point(s, "a cell with an accusation on a correct program is a false "
                  "alarm");
    demo_point(s, "what does this tell you about tools?");
    (void)a;
    return 0;
}
