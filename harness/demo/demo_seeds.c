/* demo_seeds.c: the lost update seed by seed.  The program is built once
 * for racelab's scheduler (sched/sched_explore.h), which then runs it
 * under seeds 1..N in its sandbox, one thread at a time, each seed
 * deciding every switch; the act prints what each seed's run printed
 * (the program's own total) beside whether it failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_acts.h"
#include "lib/escape_bytes.h"
#include "lib/workdir.h"
#include "sched/sched_explore.h"

enum { SEEDS = 12 };

/* What the program printed itself (not the runtime's "sched: " lines,
 * such as a failed assertion's message), its first line, escaped. */
static void printed_line(const char *out, char *buf, size_t len)
{
    for (const char *l = out; l && *l;) {
        size_t n = strcspn(l, "\n");
        if (strncmp(l, "sched: ", 7) != 0) {
            rl_escape_bytes(l, n, buf, len);
            return;
        }
        l += n + (l[n] == '\n');
    }
    snprintf(buf, len, "(nothing: its assert failed)");
}

/* The last value main read of shared memory: the total it prints (a
 * failing seed's printf never reaches the screen: abort() drops stdio's
 * buffer).  -1 when main read nothing. */
static long long main_total(const struct rl_seed_trace *t)
{
    long long v = -1;
    for (size_t i = 0; t && i < t->nsteps; i++)
        if (t->steps[i].thread == 0 && t->steps[i].op == RS_OP_READ)
            v = (long long)t->steps[i].value;
    return v;
}

int demo_live_seeds(struct demo_screen *s, const struct rl_demo_act *a)
{
    char err[256];
    struct rl_sources src = {0};
    size_t nfiles = 0;
    while (a->argv[nfiles])
        nfiles++;
    if (rl_sources_init(&src, (char *const *)a->argv, nfiles, err,
                        sizeof err) != 0) {
        demo_line(s, "%s", err);
        return -1;
    }
    char *dir = rl_workdir_create("racelab-demo", err, sizeof err);
    char *exe = NULL, *output = NULL;
    int rc = -1;
    demo_cmd(s, "clang -fsanitize=thread (racelab's scheduler pass) -o prog %s",
             a->argv[0]);
    if (!dir || rl_sched_build(&src, dir, &exe, &output, err, sizeof err)) {
        demo_line(s, "could not build it: %s", dir ? err : "no folder");
        goto out;
    }
    struct rl_explore_opts o = {.first = 1,
                                .count = SEEDS,
                                .depth = RS_DEFAULT_DEPTH,
                                .trace_all = 1,
                                .timeout = 10};
    struct rl_explore x = {0};
    demo_cmd(s,
             "./prog under seeds 1 to %d, one thread at a time  "
             "(in racelab's sandbox)",
             SEEDS);
    if (rl_sched_explore(exe, dir, &o, &x, err, sizeof err) != 0) {
        demo_line(s, "could not run it: %s", err);
        goto out;
    }
    int lost = 0;
    for (size_t i = 0; i < x.nseeds; i++) {
        const struct rl_seed_result *r = &x.seeds[i];
        const struct rl_seed_trace *t = NULL;
        for (size_t k = 0; k < x.ntraces; k++)
            if (x.traces[k].seed == r->seed)
                t = &x.traces[k];
        char line[128];
        printed_line(t ? t->output : NULL, line, sizeof line);
        int failed = rl_seed_failed(r);
        lost += failed;
        demo_line(s, "seed %2lld:  main's total %lld   printed: %-12s %s",
                  r->seed, main_total(t), line,
                  failed ? "<== an update lost" : "");
    }
    demo_point(s,
               "%d of %zu seeds lost an update; the same seeds every "
               "time",
               lost, x.nseeds);
    rl_explore_free(&x);
    rc = 0;
out:
    free(exe);
    free(output);
    if (dir)
        rl_workdir_remove(dir);
    free(dir);
    rl_sources_free(&src);
    return rc;
}
