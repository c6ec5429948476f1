/* check_pictures.c: stepping (racelab check --step) driven the way a
 * person drives it, in a tmux session; the --html page parsed for its
 * structure; the --trace-json events validated.  Every test runs the real
 * bin/racelab on the programs of tests/sched and tests/pictures. */
#include <check.h>
#include <expat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/finding.h"
#include "lib/xalloc.h"
#include "report/picture.h"

/* The lost update chosen by hand: T1 reads cnt, main creates T2 (choice
 * 3:0), T2 runs (5:2) and stores before T1 does. */
#define LOST_CHOICES "3:0,5:2"
/* The stepping screen's layout (harness/cli/check_step.c). */
enum { FIRST_COL = 6, COL_W = 24 };

/* A command's standard output (and error), and its exit status. */
static char *sh(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = xcalloc(1, cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    buf[n] = '\0';
    int rc = pclose(p);
    if (status)
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return buf;
}

static char *tmp_dir(void)
{
    char *dir = xstrdup("/tmp/check-pictures.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void remove_dir(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    free(sh(cmd, NULL));
    free(cmd);
    free(dir);
}

/* ---- the stepping screen in tmux ---- */

struct pane {
    char name[64];
};

static char *capture(const struct pane *p)
{
    char *cmd = xasprintf("tmux capture-pane -p -J -S - -t %s", p->name);
    char *screen = sh(cmd, NULL);
    free(cmd);
    return screen;
}

static void keys(const struct pane *p, const char *k)
{
    char *cmd = xasprintf("tmux send-keys -t %s %s", p->name, k);
    int rc;
    free(sh(cmd, &rc));
    ck_assert_int_eq(rc, 0);
    free(cmd);
}

/* Waits (up to 20 s: one re-run per choice, on a loaded machine) until
 * the screen shows `what`; returns the screen. */
static char *wait_for(const struct pane *p, const char *what)
{
    for (int i = 0; i < 400; i++) {
        char *screen = capture(p);
        if (strstr(screen, what))
            return screen;
        free(screen);
        usleep(50 * 1000);
    }
    char *screen = capture(p);
    ck_abort_msg("the screen never showed '%s':\n%s", what, screen);
    return NULL;
}

/* The screen's line of step n ("   4  20 create T2 ..."), or NULL. */
static const char *row(const char *screen, int n, char *buf, size_t len)
{
    char head[16];
    snprintf(head, sizeof head, "%4d  ", n);
    for (const char *l = screen; l && *l;
         l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t end = strcspn(l, "\n");
        if (strncmp(l, head, strlen(head)) == 0) {
            snprintf(buf, len, "%.*s", (int)end, l);
            return buf;
        }
    }
    return NULL;
}

/* The thread column a screen row's cell is in, and the cell's text. */
static int screen_cell(const char *line, char *cell, size_t len)
{
    size_t i = FIRST_COL;
    while (line[i] == ' ')
        i++;
    int column = (int)(i - FIRST_COL) / COL_W;
    size_t end = i;
    while (line[end] && line[end] != '|' &&
           !(line[end] == ' ' && line[end + 1] == ' '))
        end++;
    snprintf(cell, len, "%.*s", (int)(end - i), line + i);
    return column;
}

/* The same from `racelab check --trace`: its header says where each
 * thread's column starts. */
static int trace_cell(const char *header, const char *line, char *cell,
                      size_t len)
{
    size_t i = 6;
    while (line[i] == ' ')
        i++;
    int column = -1;
    const char *names[] = {"main", "T1", "T2", "T3"};
    for (int t = 0; t < 4; t++) {
        const char *at = strstr(header, names[t]);
        if (at && (size_t)(at - header) <= i)
            column = t;
    }
    size_t end = i;
    while (line[end] && !(line[end] == ' ' && line[end + 1] == ' '))
        end++;
    snprintf(cell, len, "%.*s", (int)(end - i), line + i);
    return column;
}

START_TEST(test_step_in_tmux)
{
    int rc;
    free(sh("command -v tmux", &rc));
    ck_assert_msg(rc == 0, "tmux is missing: make deps installs it");
    ck_assert_int_eq(access("bin/racelab", X_OK), 0);
    struct pane p;
    snprintf(p.name, sizeof p.name, "racelab-step-%d", (int)getpid());
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char *start = xasprintf(
        "tmux new-session -d -s %s -x 160 -y 60 \"cd '%s' && bin/racelab "
        "check --seed 1 --step tests/sched/lost_update.c; echo STEP-EXIT=\\$?; "
        "sleep 120\"",
        p.name, cwd);
    free(sh(start, &rc));
    free(start);
    ck_assert_int_eq(rc, 0);

    free(wait_for(&p, "q quits:"));
    char line[512], cell[128];
    /* Three steps with Enter: main creates T1, T1 starts and reads. */
    for (int n = 1; n <= 3; n++) {
        keys(&p, "Enter");
        char want[16];
        snprintf(want, sizeof want, "\n%4d  ", n);
        free(wait_for(&p, want));
    }
    char *screen = wait_for(&p, "next: T1");
    ck_assert_ptr_nonnull(row(screen, 3, line, sizeof line));
    ck_assert_int_eq(screen_cell(line, cell, sizeof cell), 1);
    ck_assert_str_eq(cell, "12 read cnt = 0");
    free(screen);
    /* The seed would let T1 store; the user picks main, then T2. */
    keys(&p, "0 Enter");
    free(wait_for(&p, "\n   4  "));
    keys(&p, "2 Enter");
    screen = wait_for(&p, "\n   5  ");
    ck_assert_ptr_nonnull(row(screen, 4, line, sizeof line));
    ck_assert_int_eq(screen_cell(line, cell, sizeof cell), 0);
    ck_assert_str_eq(cell, "20 create T2");
    ck_assert_ptr_nonnull(row(screen, 5, line, sizeof line));
    ck_assert_msg(screen_cell(line, cell, sizeof cell) == 2, "%s", screen);
    ck_assert_str_eq(cell, "10 start add()");
    free(screen);
    for (int i = 0; i < 40; i++) {
        screen = capture(&p);
        int done = strstr(screen, "replay check:") != NULL;
        free(screen);
        if (done)
            break;
        keys(&p, "Enter");
        usleep(100 * 1000);
    }
    screen = wait_for(&p, "STEP-EXIT=");
    char *kill = xasprintf("tmux kill-session -t %s", p.name);
    free(sh(kill, NULL));
    free(kill);

    /* The columns, the shared variable beside them, the lost update. */
    ck_assert_msg(strstr(screen, "step  main                    T1          "
                                 "            T2"),
                  "%s", screen);
    ck_assert_ptr_nonnull(strstr(screen, "| shared"));
    ck_assert_ptr_nonnull(strstr(screen, "| cnt=2"));
    ck_assert_ptr_nonnull(strstr(screen, "<== lost update"));
    ck_assert_ptr_nonnull(strstr(screen, "Assertion `cnt == 4' failed"));
    /* The prompts leave the screen: only the rows stay. */
    ck_assert_msg(!strstr(screen, "q quits:"), "%s", screen);
    ck_assert_msg(strstr(screen,
                         "seed and choices: --seed 1 --choices " LOST_CHOICES
                         "\n"),
                  "%s", screen);
    ck_assert_ptr_nonnull(
        strstr(screen, "replay check: the replay shows the same"));
    ck_assert_ptr_nonnull(strstr(screen, "STEP-EXIT=1"));

    /* The printed string replays exactly: the same rows, in the same
     * columns, from a fresh racelab. */
    const char *cmd = strstr(screen, "replay: racelab check ");
    ck_assert_ptr_nonnull(cmd);
    char *replay = xasprintf("bin/%.*s", (int)strcspn(cmd + 8, "\n"), cmd + 8);
    char *trace = sh(replay, &rc);
    ck_assert_int_eq(rc, 1);
    const char *header = strstr(trace, "    step  main");
    ck_assert_msg(header != NULL, "%s", trace);
    /* Without the finding's indent, its rows look like the screen's. */
    char head[256];
    snprintf(head, sizeof head, "%.*s", (int)strcspn(header + 4, "\n"),
             header + 4);
    int n = 0;
    for (const char *l = strchr(header, '\n') + 1;
         strncmp(l, "    ", 4) == 0 && atoi(l + 4) > 0;
         l = strchr(l, '\n') + 1) {
        char tline[256], tcell[128];
        snprintf(tline, sizeof tline, "%.*s", (int)strcspn(l + 4, "\n"), l + 4);
        int number = atoi(tline);
        ck_assert_int_eq(number, n + 1);
        ck_assert_ptr_nonnull(row(screen, number, line, sizeof line));
        int tc = trace_cell(head, tline, tcell, sizeof tcell);
        int sc = screen_cell(line, cell, sizeof cell);
        ck_assert_msg(tc == sc && strcmp(tcell, cell) == 0,
                      "step %d: replay '%s' (column %d), screen '%s' "
                      "(column %d)",
                      number, tcell, tc, cell, sc);
        n++;
    }
    ck_assert_int_ge(n, 12);
    ck_assert_ptr_null(row(screen, n + 1, line, sizeof line));
    free(trace);
    free(replay);
    free(screen);
}
END_TEST

/* Stepping without a terminal: q stops at once and prints the choices
 * so far (none), and a number that cannot run is refused. */
START_TEST(test_step_quit_and_refuse)
{
    int rc;
    char *out = sh("printf '\\n7\\nq\\n' | bin/racelab check --seed 1 --step "
                   "tests/sched/lost_update.c",
                   &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(out, "'7' cannot run now"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "seed and choices: --seed 1\n"));
    ck_assert_ptr_nonnull(strstr(out, "the replay shows the same 1 steps"));
    free(out);
    out = sh("bin/racelab check --step --schedules 5 "
             "tests/sched/lost_update.c 2>&1",
             &rc);
    ck_assert_int_eq(rc, 2);
    free(out);
    /* The Deadlock Empire on real C: seed 1 of the opposite transfers
     * passes, but T1 takes a, main creates T2 (3:0), T2 takes b (5:2),
     * and no thread can go on. */
    out = sh("printf '\\n\\n\\n0\\n2\\n\\n\\n\\n\\n\\n\\n\\n' | "
             "bin/racelab check --seed 1 --step tests/sched/lock_order.c",
             &rc);
    ck_assert_int_eq(rc, 1);
    ck_assert_msg(strstr(out, "\ndeadlock:\n"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "T2 waits for lock_a at "));
    ck_assert_ptr_nonnull(strstr(out, "(cycle)"));
    ck_assert_ptr_nonnull(strstr(out, "--seed 1 --choices 3:0,5:2\n"));
    ck_assert_ptr_nonnull(strstr(out, "the replay shows the same 9 steps"));
    free(out);
    /* Choices mean nothing without the scheduler's seed. */
    out = sh("bin/racelab check --choices 3:0 tests/sched/lost_update.c 2>&1",
             &rc);
    ck_assert_int_eq(rc, 2);
    ck_assert_ptr_nonnull(strstr(out, "--choices needs --seed"));
    free(out);
}
END_TEST

/* ---- the page ---- */

struct page {
    int depth, in_lanes, in_progress, in_wait;
    int lanes_svg, lanes, lane_threads[8];
    char lane_names[8][16];
    int steps, losing_steps, losing_step;
    int lock_held, blocked;
    int progress, unsafe, forbidden, unsafe_states, trajectory_points;
    int progress_losing;
    int wait_for, nodes, edges, cycle_edges;
    int scripts;
    char *text; /* all character data */
};

static const char *attr(const char **a, const char *name)
{
    for (int i = 0; a[i]; i += 2)
        if (strcmp(a[i], name) == 0)
            return a[i + 1];
    return NULL;
}

static int has_class(const char **a, const char *c)
{
    const char *v = attr(a, "class");
    if (!v)
        return 0;
    size_t n = strlen(c);
    for (const char *p = v; (p = strstr(p, c)); p += n)
        if ((p == v || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

static void on_start(void *data, const char *el, const char **a)
{
    struct page *pg = data;
    pg->depth++;
    if (strcmp(el, "script") == 0)
        pg->scripts++;
    if (strcmp(el, "svg") == 0) {
        pg->in_lanes = has_class(a, "lanes");
        pg->in_progress = has_class(a, "progress-graph");
        pg->in_wait = has_class(a, "wait-for");
        pg->lanes_svg += pg->in_lanes;
        pg->progress += pg->in_progress;
        pg->wait_for += pg->in_wait;
    }
    if (pg->in_lanes && strcmp(el, "g") == 0) {
        if (has_class(a, "lane") && pg->lanes < 8)
            snprintf(pg->lane_names[pg->lanes++], 16, "%s",
                     attr(a, "data-thread"));
        if (has_class(a, "step")) {
            pg->steps++;
            if (has_class(a, "losing")) {
                pg->losing_steps++;
                pg->losing_step = atoi(attr(a, "data-step"));
            }
        }
        pg->lock_held += has_class(a, "lock-held");
        pg->blocked += has_class(a, "blocked");
    }
    if (pg->in_progress) {
        pg->unsafe += strcmp(el, "rect") == 0 && has_class(a, "unsafe");
        pg->forbidden += strcmp(el, "rect") == 0 && has_class(a, "forbidden");
        pg->unsafe_states +=
            strcmp(el, "circle") == 0 && has_class(a, "unsafe-state");
        if (strcmp(el, "polyline") == 0 && has_class(a, "trajectory")) {
            const char *pts = attr(a, "points");
            pg->trajectory_points = 1;
            for (const char *p = pts; (p = strchr(p, ' ')); p++)
                pg->trajectory_points++;
        }
        pg->progress_losing += strcmp(el, "g") == 0 && has_class(a, "losing");
    }
    if (pg->in_wait && strcmp(el, "g") == 0) {
        pg->nodes += has_class(a, "node");
        pg->edges += has_class(a, "edge");
        pg->cycle_edges += has_class(a, "edge") && has_class(a, "cycle");
    }
}

static void on_end(void *data, const char *el)
{
    struct page *pg = data;
    pg->depth--;
    if (strcmp(el, "svg") == 0)
        pg->in_lanes = pg->in_progress = pg->in_wait = 0;
}

static void on_text(void *data, const char *s, int len)
{
    struct page *pg = data;
    size_t old = pg->text ? strlen(pg->text) : 0;
    pg->text = xrealloc(pg->text, old + (size_t)len + 1);
    memcpy(pg->text + old, s, (size_t)len);
    pg->text[old + len] = '\0';
}

/* The page must be well-formed (it is XML-clean HTML). */
static void parse_page(const char *path, struct page *pg)
{
    memset(pg, 0, sizeof *pg);
    char *cmd = xasprintf("cat '%s'", path);
    char *html = sh(cmd, NULL);
    free(cmd);
    ck_assert_ptr_nonnull(strstr(html, "<!DOCTYPE html>"));
    /* Opens from a USB stick: nothing to load. */
    ck_assert_msg(!strstr(html, "src=") && !strstr(html, "href=") &&
                      !strstr(html, "url(http") && !strstr(html, "@import"),
                  "%s: the page loads something", path);
    XML_Parser x = XML_ParserCreate("UTF-8");
    XML_SetUserData(x, pg);
    XML_SetElementHandler(x, on_start, on_end);
    XML_SetCharacterDataHandler(x, on_text);
    int ok = XML_Parse(x, html, (int)strlen(html), 1);
    ck_assert_msg(ok, "%s: not well-formed: %s at line %lu", path,
                  XML_ErrorString(XML_GetErrorCode(x)),
                  (unsigned long)XML_GetCurrentLineNumber(x));
    XML_ParserFree(x);
    free(html);
}

/* The row `racelab check --trace` marks, e.g. "  10 ... <== lost update". */
static int marked_row(const char *trace, const char *mark)
{
    const char *m = strstr(trace, mark);
    ck_assert_ptr_nonnull(m);
    while (m > trace && m[-1] != '\n')
        m--;
    return atoi(m);
}

START_TEST(test_html_lost_update)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --seed 1 --choices " LOST_CHOICES
                          " --html %s/p.html --trace-json %s/t.json --trace "
                          "tests/sched/lost_update.c",
                          dir, dir);
    int rc;
    char *trace = sh(cmd, &rc);
    ck_assert_int_eq(rc, 1);
    char *path = xasprintf("%s/p.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.lanes_svg, 1);
    ck_assert_int_eq(pg.lanes, 3);
    ck_assert_str_eq(pg.lane_names[0], "main");
    ck_assert_str_eq(pg.lane_names[1], "T1");
    ck_assert_str_eq(pg.lane_names[2], "T2");
    ck_assert_int_eq(pg.steps, 15);
    ck_assert_int_eq(pg.losing_steps, 1);
    ck_assert_int_eq(pg.losing_step, marked_row(trace, "<== lost update"));
    ck_assert_int_eq(pg.lock_held, 0);
    ck_assert_int_ge(pg.blocked, 1); /* main waits to join T1 */
    /* CS:APP's progress graph: T1 on x, T2 on y, one critical section
     * each (the loop's two adds are one load and one store at -O1). */
    ck_assert_int_eq(pg.progress, 1);
    ck_assert_int_eq(pg.unsafe, 1);
    ck_assert_int_eq(pg.forbidden, 0);
    ck_assert_int_ge(pg.unsafe_states, 1); /* the trajectory went in */
    ck_assert_int_eq(pg.trajectory_points, 1 + 4 + 4);
    ck_assert_int_eq(pg.progress_losing, 1);
    ck_assert_ptr_nonnull(strstr(pg.text, "lost update: stale store"));
    ck_assert_int_eq(pg.wait_for, 0);
    free(pg.text);
    free(path);
    free(trace);
    free(cmd);
    remove_dir(dir);
}
END_TEST

START_TEST(test_html_deadlock)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --schedules 200 --html %s/p.html "
                          "--trace-json %s/t.json tests/sched/lock_order.c",
                          dir, dir);
    int rc;
    char *out = sh(cmd, &rc);
    ck_assert_msg(rc == 1 && strstr(out, "deadlock"), "%s", out);
    char *path = xasprintf("%s/p.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.wait_for, 1);
    ck_assert_int_eq(pg.nodes, 3); /* T1, T2 and main, who joins T1 */
    ck_assert_int_eq(pg.edges, 3);
    ck_assert_int_eq(pg.cycle_edges, 2);
    ck_assert_ptr_nonnull(
        strstr(pg.text, "T1 waits for lock_b, which T2 holds"));
    ck_assert_ptr_nonnull(
        strstr(pg.text, "T2 waits for lock_a, which T1 holds"));
    ck_assert_int_eq(pg.lanes, 3);
    ck_assert_int_eq(pg.lock_held, 2); /* each holds its first lock */
    ck_assert_int_eq(pg.blocked, 3);   /* and all three wait */
    ck_assert_ptr_nonnull(strstr(pg.text, "no thread can run"));
    ck_assert_int_eq(pg.progress, 0);
    free(pg.text);
    free(path);
    free(out);
    free(cmd);
    remove_dir(dir);
}
END_TEST

/* A counter locked right, replayed (--seed S --trace on a passing seed):
 * each lock's forbidden region encloses an unsafe region, and the
 * trajectory never enters one. */
START_TEST(test_html_locked_counter)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --seed 3 --trace --html "
                          "%s/p.html tests/sched/lost_update_ok.c",
                          dir);
    int rc;
    char *out = sh(cmd, &rc);
    ck_assert_msg(rc == 0 && strstr(out, "no failure"), "%s", out);
    char *path = xasprintf("%s/p.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.lanes, 3);
    ck_assert_int_eq(pg.losing_steps, 0);
    ck_assert_int_eq(pg.lock_held, 4); /* two adds, each thread */
    ck_assert_int_eq(pg.progress, 1);
    ck_assert_int_eq(pg.unsafe, 4);
    ck_assert_int_eq(pg.forbidden, 4);
    ck_assert_int_eq(pg.unsafe_states, 0);
    ck_assert_int_eq(pg.progress_losing, 0);
    free(pg.text);
    free(path);
    free(out);
    free(cmd);
    remove_dir(dir);
}
END_TEST

/* A hang the preloaded probe saw (no scheduler, no interleaving): the
 * page draws its wait-for cycle from the probe's table. */
START_TEST(test_html_probe_hang)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --tools probe --html %s/p.html "
                          "tests/cases/deadlock_philosophers.c",
                          dir);
    int rc;
    char *out = sh(cmd, &rc);
    ck_assert_msg(rc == 1 && strstr(out, "deadlock"), "%s", out);
    char *path = xasprintf("%s/p.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.wait_for, 1);
    ck_assert_int_eq(pg.nodes, 3);
    ck_assert_int_eq(pg.cycle_edges, 3);
    ck_assert_int_eq(pg.lanes_svg, 0);
    ck_assert_ptr_nonnull(strstr(pg.text, "thread 2 (philosopher) waits for "
                                          "mutex fork_lock[1], which thread "
                                          "3 (philosopher) holds"));
    free(pg.text);
    free(path);
    free(out);
    free(cmd);
    remove_dir(dir);
}
END_TEST

/* The program's words are text on the page, never markup. */
START_TEST(test_html_escapes)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --schedules 100 --html "
                          "%s/p.html tests/pictures/hostile_names.c",
                          dir);
    int rc;
    free(sh(cmd, &rc));
    ck_assert_int_eq(rc, 1);
    char *path = xasprintf("%s/p.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.scripts, 0);
    ck_assert_ptr_nonnull(
        strstr(pg.text, "<script>alert('lost')</script> & \"cnt\""));
    free(pg.text);
    free(path);
    free(cmd);
    remove_dir(dir);
}
END_TEST

/* racelab demo lost-update: --html draws act 2's losing seed, --step
 * plays seed 7 (which works) until the lecturer makes it lose. */
START_TEST(test_demo_step_and_html)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab demo lost-update --no-pause --html "
                          "%s/demo.html",
                          dir);
    int rc;
    char *out = sh(cmd, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(out, "--html "), "%s", out);
    char *path = xasprintf("%s/demo.html", dir);
    struct page pg;
    parse_page(path, &pg);
    ck_assert_int_eq(pg.lanes, 3);
    ck_assert_int_eq(pg.losing_steps, 1);
    ck_assert_int_eq(pg.progress, 1);
    free(pg.text);
    free(out);
    free(cmd);
    cmd = xasprintf("printf '\\n\\n\\n0\\n2\\n2\\n\\n\\n\\n\\n\\n\\n"
                    "\\n\\n\\n\\n' | bin/racelab demo lost-update --step "
                    "--html %s",
                    path);
    out = sh(cmd, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(out, "you are the scheduler"), "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "<== lost update"));
    ck_assert_ptr_nonnull(strstr(out, "--seed 7 --choices 3:0,4:2,6:2\n"));
    ck_assert_ptr_nonnull(strstr(out, "the replay shows the same 14 steps"));
    parse_page(path, &pg); /* the page of the run played */
    ck_assert_int_eq(pg.losing_steps, 1);
    ck_assert_int_eq(pg.losing_step, 9);
    free(pg.text);
    free(out);
    free(cmd);
    out = sh("bin/racelab demo deadlock --step 2>&1", &rc);
    ck_assert_int_eq(rc, 2);
    free(out);
    free(path);
    remove_dir(dir);
}
END_TEST

/* ---- the trace JSON ---- */

static void check_events(const char *path, int want_locks, const char *instant)
{
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    ck_assert_msg(doc != NULL, "%s: %s", path, e.text);
    json_t *events = json_object_get(doc, "traceEvents");
    ck_assert(json_is_array(events));
    int begins[8] = {0}, ends[8] = {0}, slices = 0, instants = 0;
    long long last_ts = -1;
    size_t i;
    json_t *ev;
    json_array_foreach (events, i, ev) {
        const char *ph = json_string_value(json_object_get(ev, "ph"));
        ck_assert_ptr_nonnull(ph);
        ck_assert_msg(strchr("XBEiM", ph[0]) && ph[1] == '\0', "ph %s", ph);
        ck_assert(json_is_integer(json_object_get(ev, "pid")));
        ck_assert(json_is_integer(json_object_get(ev, "tid")));
        ck_assert(json_is_integer(json_object_get(ev, "ts")));
        ck_assert(json_is_string(json_object_get(ev, "name")));
        int tid = (int)json_integer_value(json_object_get(ev, "tid"));
        ck_assert(tid >= 0 && tid < 8);
        long long ts = json_integer_value(json_object_get(ev, "ts"));
        if (ph[0] == 'X') {
            ck_assert(json_is_integer(json_object_get(ev, "dur")));
            if (strcmp(json_string_value(json_object_get(ev, "cat")),
                       "blocked") != 0) {
                ck_assert_int_ge(ts, last_ts); /* steps in order */
                last_ts = ts;
                slices++;
            }
        }
        begins[tid] += ph[0] == 'B';
        ends[tid] += ph[0] == 'E';
        if (ph[0] == 'i') {
            instants++;
            ck_assert_str_eq(json_string_value(json_object_get(ev, "name")),
                             instant);
        }
    }
    int locks = 0;
    for (int t = 0; t < 8; t++) {
        ck_assert_int_eq(begins[t], ends[t]);
        locks += begins[t];
    }
    ck_assert_int_eq(locks, want_locks);
    ck_assert_int_ge(slices, 9);
    ck_assert_int_eq(instants, instant ? 1 : 0);
    json_decref(doc);
}

START_TEST(test_trace_json)
{
    char *dir = tmp_dir();
    char *cmd = xasprintf("bin/racelab check --seed 1 --choices " LOST_CHOICES
                          " --trace-json %s/lost.json tests/sched/lost_update.c"
                          " >/dev/null; bin/racelab check --schedules 200 "
                          "--trace-json %s/dead.json tests/sched/lock_order.c"
                          " >/dev/null",
                          dir, dir);
    free(sh(cmd, NULL));
    char *lost = xasprintf("%s/lost.json", dir);
    char *dead = xasprintf("%s/dead.json", dir);
    check_events(lost, 0, "lost update");
    check_events(dead, 2, NULL);
    free(lost);
    free(dead);
    free(cmd);
    remove_dir(dir);
}
END_TEST

/* ---- the model both pictures draw ---- */

static void step(struct rl_finding *f, int t, const char *op,
                 const char *object, const char *value)
{
    rl_finding_add_step(f, t, op, "x.c", 1, NULL, 0);
    rl_finding_step_object(f, object, value);
}

/* Nested locks, a lock given back in another order, a wait that ends and
 * one that never does. */
START_TEST(test_model_spans)
{
    struct rl_findings list = {0};
    struct rl_finding *f = rl_findings_add(&list, "deadlock", "sched");
    step(f, 1, "lock", "a", NULL);   /* 0 */
    step(f, 1, "lock", "b", NULL);   /* 1: inside a */
    step(f, 2, "block", "a", NULL);  /* 2: T2 waits for a */
    step(f, 1, "unlock", "a", NULL); /* 3: a first, b still held */
    step(f, 2, "lock", "a", NULL);   /* 4: T2's wait ends */
    step(f, 1, "unlock", "b", NULL); /* 5 */
    step(f, 0, "block", "T1", NULL); /* 6: main never goes on */
    step(f, 1, "write", "cnt", "3"); /* 7 */
    struct rl_picture_model m;
    rl_picture_model_build(f, &m);
    ck_assert_int_eq(m.nthreads, 3);
    ck_assert_uint_eq(m.nholds, 3);
    ck_assert_str_eq(m.holds[0].object, "a");
    ck_assert_uint_eq(m.holds[0].from, 0);
    ck_assert_uint_eq(m.holds[0].to, 3);
    ck_assert_int_eq(m.holds[0].depth, 0);
    ck_assert_str_eq(m.holds[1].object, "b");
    ck_assert_uint_eq(m.holds[1].to, 5);
    ck_assert_int_eq(m.holds[1].depth, 1);
    ck_assert_int_eq(m.holds[2].thread, 2);
    ck_assert_int_eq(m.holds[2].open, 1); /* T2 never gives a back */
    ck_assert_uint_eq(m.holds[2].to, 7);
    ck_assert_uint_eq(m.nwaits, 2);
    ck_assert_uint_eq(m.waits[0].from, 2);
    ck_assert_uint_eq(m.waits[0].to, 4);
    ck_assert_int_eq(m.waits[0].open, 0);
    ck_assert_int_eq(m.waits[1].thread, 0);
    ck_assert_int_eq(m.waits[1].open, 1);
    rl_picture_model_free(&m);
    /* The trace events: one B/E pair per hold, the step's value. */
    json_t *doc = rl_picture_trace_events(&list, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"write cnt = 3\""));
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"blocked on T1\""));
    free(text);
    json_decref(doc);
    rl_findings_free(&list);
}
END_TEST

Suite *make_pictures_suite(void)
{
    Suite *s = suite_create("pictures");
    TCase *model = tcase_create("Model");
    tcase_set_tags(model, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(model, test_model_spans);
    suite_add_tcase(s, model);
    TCase *stepping = tcase_create("Stepping");
    tcase_set_timeout(stepping, 120);
    tcase_add_test(stepping, test_step_in_tmux);
    tcase_add_test(stepping, test_step_quit_and_refuse);
    suite_add_tcase(s, stepping);
    TCase *page = tcase_create("Pictures");
    tcase_set_timeout(page, 60);
    tcase_add_test(page, test_html_lost_update);
    tcase_add_test(page, test_html_deadlock);
    tcase_add_test(page, test_html_locked_counter);
    tcase_add_test(page, test_html_probe_hang);
    tcase_add_test(page, test_html_escapes);
    tcase_add_test(page, test_demo_step_and_html);
    tcase_add_test(page, test_trace_json);
    suite_add_tcase(s, page);
    return s;
}
