/* check_demos.c: every lecture demo (`racelab demo NAME --no-pause`)
 * shows the bug it promises, twice in a row: each demo runs two rounds
 * (a few demos at a time, tests/common/test_jobs.h), and each round's
 * printed output must carry the evidence: the read that waited, the
 * accept queue, the <defunct> counts, the stacks, the lost total, the
 * wait-for cycle, the counters, the matrix, and racelab check's verdict.
 * Run from the repository's root, after `make all`. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_jobs.h"

enum { ROUNDS = 2 };

static const char *const demos[] = {
    "iterative-blocking", "zombies",     "event-blocking", "connfd-race",
    "thread-leak",        "lost-update", "deadlock",       "livelock",
    "starvation",         "tools",
};
enum { NDEMOS = sizeof demos / sizeof *demos };

static char workdir[] = "/tmp/racelab-demo-test.XXXXXX";
static char *outputs[NDEMOS][ROUNDS];
static int statuses[NDEMOS][ROUNDS];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 4096)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Runs every demo ROUNDS times (round 1 of all, then round 2). */
static void run_all(void)
{
    if (!mkdtemp(workdir)) {
        perror("mkdtemp");
        exit(1);
    }
    struct test_job jobs[NDEMOS * ROUNDS];
    char *logs[NDEMOS * ROUNDS];
    int slot[NDEMOS * ROUNDS];
    memset(jobs, 0, sizeof jobs);
    /* RACELAB_DEMO_ONLY=NAME: that demo alone (while working on it). */
    const char *only = getenv("RACELAB_DEMO_ONLY");
    int n = 0;
    for (int r = 0; r < ROUNDS; r++)
        for (int d = 0; d < NDEMOS; d++) {
            if (only && *only && strcmp(only, demos[d]) != 0)
                continue;
            int i = n++;
            slot[i] = d;
            char **argv = calloc(5, sizeof *argv);
            argv[0] = "bin/racelab";
            argv[1] = "demo";
            argv[2] = (char *)demos[d];
            argv[3] = "--no-pause";
            logs[i] = malloc(256);
            snprintf(logs[i], 256, "%s/%s-%d.log", workdir, demos[d], r + 1);
            jobs[i] =
                (struct test_job){.argv = argv, .log = logs[i], .timeout = 240};
        }
    double t0 = test_jobs_now();
    test_jobs_run(jobs, n, test_jobs_parallel(), NULL, NULL);
    for (int i = 0; i < n; i++) {
        int d = slot[i], r = outputs[d][0] ? 1 : 0;
        outputs[d][r] = slurp(logs[i]);
        statuses[d][r] = jobs[i].status;
        printf("demo %-20s round %d: exit %d in %.1f s\n", demos[d], r + 1,
               jobs[i].status, jobs[i].seconds);
        unlink(logs[i]);
        free(logs[i]);
        free(jobs[i].argv);
    }
    rmdir(workdir);
    printf("all demos, %d rounds: %.1f s\n", ROUNDS, test_jobs_now() - t0);
}

static int demo_index(const char *name)
{
    for (int d = 0; d < NDEMOS; d++)
        if (strcmp(demos[d], name) == 0)
            return d;
    return -1;
}

/* The text of one act: from its header to the next act's (or the end). */
static char *act(const char *out, int n)
{
    char head[32], next[32];
    snprintf(head, sizeof head, "  Act %d:", n);
    snprintf(next, sizeof next, "  Act %d:", n + 1);
    const char *a = strstr(out, head);
    if (!a)
        return strdup("");
    const char *b = strstr(a, next);
    return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#define HAS(text, s)                                                           \
    ck_assert_msg(strstr(text, s) != NULL, "round %d: no \"%s\" in:\n%s",      \
                  r + 1, s, text)
#define HASNT(text, s)                                                         \
    ck_assert_msg(strstr(text, s) == NULL, "round %d: \"%s\" in:\n%s", r + 1,  \
                  s, text)

/* Each round of a demo: exit 0 and its acts, a1..a4. */
#define ROUND_LOOP(name)                                                       \
    int d = demo_index(name);                                                  \
    if (!outputs[d][0])                                                        \
        return; /* RACELAB_DEMO_ONLY named another */                          \
    for (int r = 0; r < ROUNDS; r++) {                                         \
        const char *out = outputs[d][r];                                       \
        ck_assert_msg(statuses[d][r] == 0, "round %d: exit %d:\n%s", r + 1,    \
                      statuses[d][r], out);                                    \
        char *a1 = act(out, 1), *a2 = act(out, 2), *a3 = act(out, 3),          \
             *a4 = act(out, 4), *a5 = act(out, 5);

#define ROUND_END                                                              \
    free(a1);                                                                  \
    free(a2);                                                                  \
    free(a3);                                                                  \
    free(a4);                                                                  \
    free(a5);                                                                  \
    }

START_TEST(iterative_blocking)
{
    ROUND_LOOP("iterative-blocking")
    /* client 2's connect and write return, its read waits */
    HAS(a1, "client 2: connect() returned");
    HAS(a1, "client 2: write(\"hello\\n\") returned");
    HAS(a1, "client 2: read() WAITS");
    /* the kernel, step by step and once more while client 2 waits:
     * client 2 queued for accept, its 6 bytes unread */
    HAS(a1, "kernel: accept queue (Recv-Q) 1, client 2 waits in it");
    HAS(a1, "kernel: client 2's connection holds 6 unread bytes");
    HAS(a1, "Recv-Q 1 ");
    HAS(a1, "client 2's connection: NOT accepted, 6 bytes waiting");
    HAS(a1, "in read() on client 1's connection");
    HAS(a1, "got its answer");
    /* the concurrent server answers client 2 at once */
    HAS(a2, "client 2: read() returned \"hello\\n\"");
    HASNT(a2, "WAITS");
    HAS(a2, "Recv-Q 0 ");
    HAS(a3, "iterative-blocking: ");
    ROUND_END
}
END_TEST

START_TEST(zombies)
{
    ROUND_LOOP("zombies")
    HAS(a1, "<defunct> after burst 1: 5\n");
    HAS(a1, "<defunct> after burst 2: 10\n");
    HAS(a1, "<defunct> after burst 3: 15\n");
    /* the if handler: one reaped per burst */
    HAS(a2, "<defunct> after burst 1: 4\n");
    HAS(a2, "<defunct> after burst 2: 8\n");
    HAS(a2, "<defunct> after burst 3: 12\n");
    HAS(a3, "<defunct> after burst 3: 0\n");
    ck_assert_int_eq(count(a3, ": 0\n"), 3);
    HAS(a4, "zombie-children: ");
    ROUND_END
}
END_TEST

START_TEST(event_blocking)
{
    ROUND_LOOP("event-blocking")
    HAS(a1, "client 1: write(\"hel\") returned");
    HAS(a1, "client 2: read() WAITS");
    HAS(a1, "in read() on client 1's connection");
    HAS(a1, "6 bytes waiting");
    const char *after = strstr(a1, "client 1 finishes its line");
    ck_assert_ptr_nonnull(after);
    HAS(after, "client 2: read() returned \"hello\\n\"");
    HAS(a2, "client 2: read() returned \"hello\\n\"");
    HASNT(a2, "WAITS");
    HAS(a3, "iterative-blocking: ");
    ROUND_END
}
END_TEST

START_TEST(connfd_race)
{
    ROUND_LOOP("connfd-race")
    HAS(a1, "client 2: read() returned \"two\\n\"");
    HAS(a1, "client 1: read() WAITS");
    ck_assert_int_eq(count(a1, "on client 2's connection"), 2);
    HASNT(a1, "on client 1's connection");
    HAS(a1, "two threads serve client 2; nobody serves client 1");
    HAS(a2, "client 1: read() returned \"one\\n\"");
    HAS(a2, "client 2: read() returned \"two\\n\"");
    HASNT(a2, "WAITS");
    HAS(a3, "connfd-race: ");
    ROUND_END
}
END_TEST

/* The stacks counted after the last round of clients. */
static int last_stacks(const char *text)
{
    const char *p = strstr(text, "after 15 clients, one at a time: ");
    return p ? atoi(p + strlen("after 15 clients, one at a time: ")) : -1;
}

START_TEST(thread_leak)
{
    ROUND_LOOP("thread-leak")
    HAS(a1, "after  5 clients, one at a time: 5 stacks mapped");
    HAS(a1, "after 10 clients, one at a time: 10 stacks mapped");
    ck_assert_int_eq(last_stacks(a1), 15);
    /* detached: the one stack is reused (a thread may still be ending) */
    int after = last_stacks(a2);
    ck_assert_msg(after >= 0 && after <= 2, "%d stacks:\n%s", after, a2);
    HAS(a3, "thread-leak: ");
    ROUND_END
}
END_TEST

START_TEST(lost_update)
{
    ROUND_LOOP("lost-update")
    HAS(a1, "seed 7: no failure");
    HAS(a1, "read cnt = 4");
    HAS(a2, "<== lost update");
    HAS(a2, "read cnt = 2");
    HAS(a2, "Assertion `cnt == 4' failed");
    /* seed by seed: the same seed loses, the others print 4 */
    HAS(a3, "seed  8:  main's total 2 ");
    HAS(a3, "seed  7:  main's total 4   printed: cnt = 4");
    ck_assert_int_eq(count(a3, "main's total 4 "), 11);
    ck_assert_int_eq(count(a3, "<== an update lost"), 1);
    HAS(a4, "data-race: ");
    HAS(a4, "of 20 seeds");
    HAS(a5, "no findings");
    ROUND_END
}
END_TEST

START_TEST(deadlock)
{
    ROUND_LOOP("deadlock")
    HAS(a1, "HOLDS lock A");
    HAS(a1, "WAITS for lock B");
    HAS(a1, "HOLDS lock B");
    HAS(a1, "WAITS for lock A");
    HAS(a1, "the wait-for cycle: thread ");
    HAS(a1, "0.00 s of CPU");
    HAS(a2, "total 4000 (want 4000)");
    HAS(a2, "exit status 0");
    HAS(a3, "deadlock: ");
    ROUND_END
}
END_TEST

/* The numbers of a table's rows ("  0.5 s   0.05 s  58  58  0"). */
static int rows_of(const char *text, const char *after, double v[][5], int max)
{
    const char *p = strstr(text, after);
    int n = 0;
    while (p && n < max && (p = strchr(p, '\n'))) {
        p++;
        double a[5];
        char s1[4], s2[4];
        if (sscanf(p, " %lf %3s %lf %3s %lf %lf %lf", &a[0], s1, &a[1], s2,
                   &a[2], &a[3], &a[4]) == 7)
            memcpy(v[n++], a, sizeof a);
    }
    return n;
}

START_TEST(livelock)
{
    ROUND_LOOP("livelock")
    double v[8][5];
    int n = rows_of(a1, "both locks held", v, 8);
    ck_assert_msg(n >= 3, "%d rows:\n%s", n, a1);
    /* CPU and failed trylocks keep growing, work done stays 0 */
    ck_assert(v[n - 1][1] > v[0][1]);
    ck_assert(v[n - 1][2] > v[0][2]);
    ck_assert(v[n - 1][4] == 0);
    HAS(a2, "livelock: ");
    HAS(a3, "exit status 0");
    HAS(a4, "no findings");
    ROUND_END
}
END_TEST

/* The writer's waiting times ("WAITING 1.4 s"), in order. */
static int waits_of(const char *text, double *w, int max)
{
    int n = 0;
    for (const char *p = text; n < max && (p = strstr(p, "WAITING ")); p += 8)
        w[n++] = atof(p + 8);
    return n;
}

START_TEST(starvation)
{
    ROUND_LOOP("starvation")
    double w[8];
    int n = waits_of(a1, w, 8);
    ck_assert_msg(n >= 3, "%d samples:\n%s", n, a1);
    for (int i = 1; i < n; i++)
        ck_assert_msg(w[i] > w[i - 1], "not growing:\n%s", a1);
    ck_assert(w[n - 1] >= 1.5);
    HAS(a2, "starvation: ");
    /* the fair lock: the writer never waits long */
    double f[8];
    int m = waits_of(a3, f, 8);
    for (int i = 0; i < m; i++)
        ck_assert_msg(f[i] < 0.5, "the fair writer waited:\n%s", a3);
    HAS(a4, "no findings");
    ROUND_END
}
END_TEST

/* The matrix row that starts with label. */
static char *row(const char *text, const char *label)
{
    char key[64];
    snprintf(key, sizeof key, "      %s ", label);
    const char *p = strstr(text, key);
    if (!p)
        return strdup("");
    return strndup(p, strcspn(p, "\n"));
}

START_TEST(tools)
{
    ROUND_LOOP("tools")
    char *race = row(a1, "data race"), *order = row(a1, "lock order"),
         *leak = row(a1, "memory leak"), *atom = row(a1, "OK: C11 atomics"),
         *gate = row(a1, "OK: gate lock");
    /* the bugs: seen by some tools, and by racelab */
    HAS(race, "RACE");
    HAS(race, "| RACE");
    HAS(order, "| ORDER");
    HAS(leak, "LEAK");
    HAS(leak, "| LEAK");
    /* the correct programs: raw tools accuse them, racelab does not */
    HAS(atom, "RACE");
    HAS(atom, "| -");
    HAS(gate, "ORDER");
    HAS(gate, "| -");
    HAS(a2, "no findings");
    free(race);
    free(order);
    free(leak);
    free(atom);
    free(gate);
    ROUND_END
}
END_TEST

/* Without --no-pause: a prompt before every act, each act after its
 * Enter; the listing and an unknown name. */
START_TEST(pauses_and_list)
{
    FILE *f = popen("printf '\\n\\n\\n' | bin/racelab demo deadlock 2>&1", "r");
    ck_assert_ptr_nonnull(f);
    char *out = calloc(1, 1 << 16);
    size_t n = fread(out, 1, (1 << 16) - 1, f);
    out[n] = 0;
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_int_eq(count(out, "[Enter]"), 3);
    const char *p1 = strstr(out, "[Enter]"), *a1 = strstr(out, "Act 1:");
    ck_assert_msg(p1 && a1 && p1 < a1, "no prompt before act 1:\n%s", out);
    free(out);
    f = popen("bin/racelab demo", "r");
    char line[256];
    int listed = 0;
    while (fgets(line, sizeof line, f))
        for (int d = 0; d < NDEMOS; d++) {
            char key[40];
            snprintf(key, sizeof key, "  %s ", demos[d]);
            listed += strncmp(line, key, strlen(key)) == 0;
        }
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_int_eq(listed, NDEMOS);
    ck_assert_int_eq(WEXITSTATUS(system("bin/racelab demo no-such >/dev/null "
                                        "2>&1")),
                     2);
}
END_TEST

/* The screen of a tmux session on its own server socket. */
static char *tmux_screen(const char *sock)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t demo", sock);
    FILE *f = popen(cmd, "r");
    char *out = calloc(1, 1 << 16);
    size_t n = f ? fread(out, 1, (1 << 16) - 1, f) : 0;
    out[n] = 0;
    if (f)
        pclose(f);
    return out;
}

/* The screen once it shows needle, or after tenths/10 s: the last one. */
static char *tmux_wait(const char *sock, const char *needle, int tenths)
{
    char *scr = tmux_screen(sock);
    for (int i = 0; i < tenths && !strstr(scr, needle); i++) {
        usleep(100000);
        free(scr);
        scr = tmux_screen(sock);
    }
    return scr;
}

/* On a terminal, as in the hall: the demo waits for Enter before each
 * act (nothing of act 1 before it), and each act has a screen of its
 * own (the title screen is gone once Enter was pressed). */
START_TEST(terminal)
{
    char sock[64], cmd[512];
    snprintf(sock, sizeof sock, "racelab-demo-%d", (int)getpid());
    snprintf(cmd, sizeof cmd,
             "tmux -L %s new-session -d -s demo -x 120 -y 50 "
             "'bin/racelab demo deadlock; sleep 60'",
             sock);
    ck_assert_int_eq(system(cmd), 0);
    char *scr = tmux_wait(sock, "[Enter]", 100);
    ck_assert_msg(strstr(scr, "[Enter]"), "no prompt:\n%s", scr);
    usleep(1500000); /* the demo would be well into act 1 by now */
    free(scr);
    scr = tmux_screen(sock);
    ck_assert_msg(!strstr(scr, "Act 1:"), "act 1 before Enter:\n%s", scr);
    free(scr);
    snprintf(cmd, sizeof cmd, "tmux -L %s send-keys -t demo Enter", sock);
    ck_assert_int_eq(system(cmd), 0);
    scr = tmux_wait(sock, "the wait-for cycle", 200);
    ck_assert_msg(strstr(scr, "the wait-for cycle"), "no act 1:\n%s", scr);
    ck_assert_msg(!strstr(scr, "two transfers lock two accounts"),
                  "the title screen was not cleared:\n%s", scr);
    free(scr);
    snprintf(cmd, sizeof cmd, "tmux -L %s kill-server", sock);
    system(cmd);
}
END_TEST

int main(void)
{
    run_all();
    Suite *s = suite_create("demos");
    TCase *tc = tcase_create("demos");
    tcase_set_timeout(tc, 60); /* one test runs a demo itself */
    tcase_add_test(tc, iterative_blocking);
    tcase_add_test(tc, zombies);
    tcase_add_test(tc, event_blocking);
    tcase_add_test(tc, connfd_race);
    tcase_add_test(tc, thread_leak);
    tcase_add_test(tc, lost_update);
    tcase_add_test(tc, deadlock);
    tcase_add_test(tc, livelock);
    tcase_add_test(tc, starvation);
    tcase_add_test(tc, tools);
    tcase_add_test(tc, pauses_and_list);
    tcase_add_test(tc, terminal);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
