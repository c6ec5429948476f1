/* check_step.c: `racelab check --seed S --step FILE.c`: the user plays
 * scheduler.  Replay-driven: the program is built once, and each choice
 * re-runs the seed from the start with every choice made so far
 * (RACELAB_SCHED_CHOICES); a seed fixes everything else, so the steps
 * already shown come back the same and the run goes on from the choice.
 * No live channel into the confined program is needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/check_step.h"
#include "cli/cmd.h"
#include "engine/sources.h"
#include "protocol/sched_wire.h"
#include "lib/xalloc.h"
#include "report/escape.h"
#include "report/picture.h"
#include "sched/sched_check.h"

enum { COL = 24, MAX_VARS = 8, MAX_COLS = 8 };

struct stepper {
    const struct rl_check_options *o;
    struct rl_sources sources;
    struct rl_explore_params p;
    struct rl_sched_session *session;
    struct rl_explore_outcome out; /* the latest run */
    char *choices;                 /* "STEP:THREAD,...", "" for none */
    int nthreads;                  /* columns */
    int tty;                       /* stdout is a terminal: redraw prompts */
    /* What the screen shows beside the columns: the shared variables'
     * values and the locks' holders, as of the last step printed. */
    struct {
        char *name, *value;
    } vars[MAX_VARS];
    int nvars;
    /* The rows printed, to check that the replay shows them again. */
    struct rl_findings shown;
};

/* The trace of the latest run: the failing seed's, or the passing one's. */
static const struct rl_finding *run_trace(const struct stepper *st)
{
    if (st->out.found.n && st->out.found.v[0].ntrace)
        return &st->out.found.v[0];
    if (st->out.passing.n)
        return &st->out.passing.v[0];
    return NULL;
}

static int run(struct stepper *st)
{
    rl_explore_outcome_free(&st->out);
    rl_sched_session_run(st->session, st->choices, &st->out);
    if (!st->out.ran) {
        fprintf(stderr, "racelab check --step: %s\n",
                st->out.error ? st->out.error : "the seed did not run");
        return -1;
    }
    if (!run_trace(st)) {
        fprintf(stderr,
                "racelab check --step: seed %lld left no trace to "
                "step through (%s)\n",
                st->p.first, st->out.note ? st->out.note : "");
        return -1;
    }
    return 0;
}

static void set_var(struct stepper *st, const char *name, const char *value)
{
    for (int i = 0; i < st->nvars; i++)
        if (strcmp(st->vars[i].name, name) == 0) {
            free(st->vars[i].value);
            st->vars[i].value = value ? xstrdup(value) : NULL;
            return;
        }
    if (st->nvars == MAX_VARS)
        return;
    st->vars[st->nvars].name = xstrdup(name);
    st->vars[st->nvars++].value = value ? xstrdup(value) : NULL;
}

/* The state beside the columns: variables as their last access saw
 * them, locks with their holder. */
static void note_state(struct stepper *st, const struct rl_trace_step *s)
{
    char who[16];
    if (!s->object)
        return;
    if (s->value) {
        set_var(st, s->object, s->value);
    } else if (strcmp(s->op, "lock") == 0 || strcmp(s->op, "rdlock") == 0) {
        rl_trace_thread_name(who, sizeof who, s->thread);
        char *held = xasprintf("held by %s", who);
        set_var(st, s->object, held);
        free(held);
    } else if (strcmp(s->op, "unlock") == 0) {
        /* (A condition wait's own unlock step comes before it.) */
        set_var(st, s->object, "free");
    }
}

static void cell(char *b, size_t len, const struct rl_trace_step *s)
{
    int n = s->line > 0 ? snprintf(b, len, "%d ", s->line) : 0;
    n += snprintf(b + n, len - n, "%s", s->op);
    if (s->detail)
        snprintf(b + n, len - n, " %s", s->detail);
    if (strlen(b) > COL - 2) {
        b[COL - 5] = '\0';
        strcat(b, "...");
    }
}

static void print_header(const struct stepper *st)
{
    char name[16];
    printf("step  ");
    for (int t = 0; t < st->nthreads; t++) {
        rl_trace_thread_name(name, sizeof name, t);
        printf("%-*s", COL, name);
    }
    printf("| shared\n");
}

/* One row: the step in its thread's column, the shared state beside it.
 * Program-supplied names are printed as the scheduler's names for them
 * (symbols, "mem#N"), never as bytes of the program's output. */
static void print_row(struct stepper *st, size_t index,
                      const struct rl_trace_step *s)
{
    char c[COL + 8];
    note_state(st, s);
    cell(c, sizeof c, s);
    printf("%4zu  ", index + 1);
    for (int t = 0; t < st->nthreads; t++)
        printf("%-*s", COL, t == s->thread ? c : "");
    printf("|");
    for (int i = 0; i < st->nvars; i++)
        printf(" %s%s%s", st->vars[i].name,
               st->vars[i].value && strncmp(st->vars[i].value, "held", 4) &&
                       strcmp(st->vars[i].value, "free")
                   ? "="
                   : " ",
               st->vars[i].value ? st->vars[i].value : "?");
    if (s->losing == RL_LOSING_STALE)
        printf("   <== lost update");
    else if (s->losing == RL_LOSING_RACE)
        printf("   <== unsynchronized");
    putchar('\n');
    fflush(stdout);
    struct rl_finding *f = st->shown.n ? &st->shown.v[0] : NULL;
    if (!f)
        f = rl_findings_add(&st->shown, "data-race", NULL);
    rl_finding_add_step(f, s->thread, s->op, s->file, s->line, s->detail, 0);
}

static void runnable_text(char *b, size_t len, unsigned long long mask)
{
    char name[16];
    int n = 0;
    b[0] = '\0';
    for (int t = 0; t < 64 && n < (int)len - 24; t++)
        if (mask >> t & 1) {
            rl_trace_thread_name(name, sizeof name, t);
            n += snprintf(b + n, len - n, "%s%d=%s", n ? " " : "", t, name);
        }
}

enum { KEY_NEXT, KEY_QUIT, KEY_THREAD };

/* Screen rows that `chars` characters take (a long prompt wraps). */
static int rows_of(size_t chars)
{
    struct winsize ws;
    size_t width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col
                       ? ws.ws_col
                       : 80;
    return chars ? (int)((chars + width - 1) / width) : 1;
}

/* Asks who runs step s; *thread is the thread typed. */
static int ask(struct stepper *st, const struct rl_trace_step *s, int *thread)
{
    char name[16], runnable[400], line[64], prompt[600], refused[96] = "";
    rl_trace_thread_name(name, sizeof name, s->thread);
    /* No pick came before this step (an unlock, a create, the first
     * step): its thread simply goes on, there is nothing to choose. */
    unsigned long long mask =
        s->runnable ? s->runnable : 1ULL << (s->thread & 63);
    runnable_text(runnable, sizeof runnable, mask);
    for (;;) {
        if (s->runnable)
            snprintf(prompt, sizeof prompt,
                     "      %snext: %s (Enter), or a number: %s; q quits: ",
                     refused, name, runnable);
        else
            snprintf(prompt, sizeof prompt,
                     "      %snext: %s goes on, no scheduling point (Enter); "
                     "q quits: ",
                     refused, name);
        fputs(prompt, stdout);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            return KEY_QUIT;
        /* The prompt and the typed line leave the screen: only the
         * columns grow down it. */
        if (st->tty)
            for (int r = rows_of(strlen(prompt) + strcspn(line, "\n")); r > 0;
                 r--)
                printf("\033[1A\r\033[2K");
        char *p = line + strspn(line, " \t");
        p[strcspn(p, " \t\r\n")] = '\0';
        if (p[0] == '\0')
            return KEY_NEXT;
        if (strcmp(p, "q") == 0)
            return KEY_QUIT;
        char *end;
        long t = strtol(p, &end, 10);
        if (*end == '\0' && t >= 0 && t < 64 && (mask >> t & 1)) {
            *thread = (int)t;
            return KEY_THREAD;
        }
        /* Said in the next prompt (the typed text only if it is short and
         * printable: it is echoed back). */
        int plain = strlen(p) <= 12;
        for (const char *c = p; plain && *c; c++)
            plain = *c > ' ' && *c < 127;
        snprintf(refused, sizeof refused, "'%s' cannot run now; ",
                 plain ? p : "that");
        if (!st->tty)
            putchar('\n');
    }
}

static void add_choice(struct stepper *st, long long raw, int thread)
{
    char *next = xasprintf("%s%s%lld:%d", st->choices,
                           st->choices[0] ? "," : "", raw, thread);
    free(st->choices);
    st->choices = next;
}

static int count_threads(const struct rl_finding *f)
{
    int n = 1;
    for (size_t i = 0; i < f->ntrace; i++)
        if (f->trace[i].thread + 1 > n)
            n = f->trace[i].thread + 1;
    return n < MAX_COLS ? n : MAX_COLS;
}

static int same_step(const struct rl_trace_step *a,
                     const struct rl_trace_step *b)
{
    return a->thread == b->thread && strcmp(a->op, b->op) == 0 &&
           a->line == b->line && !!a->detail == !!b->detail &&
           (!a->detail || strcmp(a->detail, b->detail) == 0);
}

/* The command that replays what was stepped, and a check that it does:
 * the seed run once more with the final choices shows the same rows. */
static int print_replay(struct stepper *st)
{
    const struct rl_check_options *o = st->o;
    printf("\nseed and choices: --seed %lld%s%s\n", o->seed,
           st->choices[0] ? " --choices " : "", st->choices);
    printf("replay: racelab check");
    if (o->depth != RS_DEFAULT_DEPTH)
        printf(" --depth %d", o->depth);
    if (o->no_spurious)
        printf(" --no-spurious");
    printf(" --seed %lld", o->seed);
    if (st->choices[0])
        printf(" --choices %s", st->choices);
    printf(" --trace");
    for (size_t i = 0; i < o->nfiles; i++)
        printf(" %s", o->files[i]);
    printf("\n");
    if (run(st) != 0)
        return -1;
    const struct rl_finding *f = run_trace(st);
    const struct rl_finding *seen = st->shown.n ? &st->shown.v[0] : NULL;
    size_t n = seen ? seen->ntrace : 0;
    for (size_t i = 0; i < n; i++)
        if (i >= f->ntrace || !same_step(&f->trace[i], &seen->trace[i])) {
            printf("replay check: step %zu differs on replay\n", i + 1);
            return -1;
        }
    printf("replay check: the replay shows the same %zu steps\n", n);
    return 0;
}

/* What the stepped run came to, in the check's own words. */
static void print_outcome(const struct stepper *st)
{
    if (st->out.found.n) {
        const struct rl_finding *f = &st->out.found.v[0];
        /* Its lines say what failed and why (the seeds' list and the
         * replay command are printed below); the first quotes the
         * program's output: escaped. */
        char *d = rl_escape_text(f->detail ? f->detail : "", RL_ESCAPE_CAP);
        printf("\n%s:\n", f->id);
        for (char *l = d; *l;) {
            size_t n = strcspn(l, "\n");
            if (strncmp(l, "failed on ", 10) != 0 &&
                strncmp(l, "replay: ", 8) != 0)
                printf("  %.*s\n", (int)n, l);
            l += n + (l[n] == '\n');
        }
        free(d);
    } else {
        printf("\nno failure on this schedule\n");
    }
}

static int step_loop(struct stepper *st)
{
    size_t k = 0;
    int quit = 0;
    print_header(st);
    for (;;) {
        const struct rl_finding *f = run_trace(st);
        if (k >= f->ntrace)
            break;
        const struct rl_trace_step *s = &f->trace[k];
        int thread = s->thread;
        int key = ask(st, s, &thread);
        if (key == KEY_QUIT) {
            quit = 1;
            break;
        }
        if (key == KEY_THREAD && thread != s->thread) {
            long long raw = s->raw;
            add_choice(st, raw, thread);
            if (run(st) != 0)
                return -1;
            f = run_trace(st);
            /* The steps before the choice are the same; go on from it. */
            while (k < f->ntrace && f->trace[k].raw < raw)
                k++;
            if (k >= f->ntrace)
                break;
            s = &f->trace[k];
            if (s->thread != thread) {
                char ran[16];
                rl_trace_thread_name(ran, sizeof ran, s->thread);
                printf("      (%s ran instead: the choice could not be "
                       "applied)\n",
                       ran);
            }
        }
        print_row(st, k, s);
        k++;
    }
    if (!quit)
        print_outcome(st);
    return print_replay(st);
}

int rl_check_step(const struct rl_check_options *o)
{
    struct stepper st;
    memset(&st, 0, sizeof st);
    st.o = o;
    st.tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    st.choices = xstrdup(o->choices ? o->choices : "");
    char err[256];
    if (rl_sources_init(&st.sources, o->files, o->nfiles, err, sizeof err)) {
        fprintf(stderr, "racelab check: %s\n", err);
        free(st.choices);
        return RL_EXIT_USAGE;
    }
    st.p = (struct rl_explore_params){
        .sources = &st.sources,
        .include_dirs = o->nincludes ? o->includes : NULL,
        .program_args = o->program_args,
        .timeout = o->timeout,
        .count = 1,
        .first = o->seed,
        .depth = o->depth,
        .spurious = !o->no_spurious,
        .trace = 1,
    };
    int status = RL_EXIT_INTERNAL;
    struct rl_explore_outcome built;
    st.session = rl_sched_session_open(&st.p, &built);
    if (!st.session) {
        if (built.not_built)
            fprintf(stderr,
                    "racelab check: the program did not compile for "
                    "the scheduler:\n%s",
                    built.build_output);
        else
            fprintf(stderr, "racelab check: %s\n",
                    built.error ? built.error : "cannot build");
        status = built.not_built ? RL_EXIT_USAGE : RL_EXIT_INTERNAL;
    } else if (run(&st) == 0) {
        st.nthreads = count_threads(run_trace(&st));
        printf("racelab check --step: seed %lld of %s; you are the "
               "scheduler\n\n",
               o->seed, o->files[0]);
        if (step_loop(&st) == 0) {
            status = st.out.found.n ? RL_EXIT_FINDINGS : RL_EXIT_CLEAN;
            if (rl_picture_files(o->html_path, o->trace_json_path, o->files[0],
                                 &st.out.found, &st.out.passing, err,
                                 sizeof err) != 0) {
                fprintf(stderr, "racelab: %s\n", err);
                status = RL_EXIT_INTERNAL;
            }
        }
    }
    rl_explore_outcome_free(&built);
    rl_explore_outcome_free(&st.out);
    rl_sched_session_close(st.session);
    for (int i = 0; i < st.nvars; i++) {
        free(st.vars[i].name);
        free(st.vars[i].value);
    }
    rl_findings_free(&st.shown);
    rl_sources_free(&st.sources);
    free(st.choices);
    return status;
}
