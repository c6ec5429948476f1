/* unit_main.c: runs every Check suite of tests/unit, a few at once. */
/*
 * Most suites spend their time waiting on real tools and servers, so by
 * default the suites run RACELAB_TEST_JOBS at a time (default: the number
 * of cores), each in a process of its own: this binary again, told by
 * RACELAB_UNIT_SUITE which one suite to run. Each suite's Check output is
 * printed whole as it ends, and a last line adds them all up in Check's
 * own words ("100%: Checks: N, Failures: 0, Errors: 0").
 *
 * Everything runs in this one process, one suite after another, when
 * RACELAB_TEST_JOBS=1, or when a Check selection (CK_RUN_SUITE,
 * CK_RUN_CASE, CK_INCLUDE_TAGS, CK_EXCLUDE_TAGS) or CK_FORK=no is set:
 * for debugging, and for `make test-fast`, whose tests take no time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_jobs.h"

#define SUITE(maker) Suite *maker(void);
#include "suites.h"
#undef SUITE

typedef Suite *(*suite_maker)(void);

static const suite_maker makers[] = {
#define SUITE(maker) maker,
#include "suites.h"
#undef SUITE
};
enum { NSUITES = sizeof makers / sizeof makers[0] };

/* Started first, because they take longest (measured): only the order in
 * which suites start depends on this list, never what runs. */
static const suite_maker slow_first[] = {
    make_server_suite,          make_connfd_suite,       make_rounds_suite,
    make_probe_suite,           make_sandbox_suite,      make_schedule_suite,
    make_grade_platforms_suite, make_check_formats_suite};

/* Check's own summary numbers, as in its closing line. */
struct counts {
    int checked, failures, errors;
};

static void count(SRunner *sr, struct counts *c)
{
    TestResult **failed = srunner_failures(sr);
    c->checked += srunner_ntests_run(sr);
    for (int i = 0; i < srunner_ntests_failed(sr); i++) {
        if (tr_rtype(failed[i]) == CK_ERROR)
            c->errors++;
        else
            c->failures++;
    }
    free(failed);
}

static int run_here(suite_maker only, struct counts *c)
{
    SRunner *runner = srunner_create(NULL);
    for (int i = 0; i < NSUITES; i++)
        if (!only || makers[i] == only)
            srunner_add_suite(runner, makers[i]());
    srunner_run_all(runner, CK_NORMAL);
    count(runner, c);
    srunner_free(runner);
    return c->failures + c->errors == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int selected_by_check(void)
{
    static const char *const vars[] = {"CK_RUN_SUITE", "CK_RUN_CASE",
                                       "CK_INCLUDE_TAGS", "CK_EXCLUDE_TAGS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]) && getenv(vars[i])[0])
            return 1;
    const char *fork = getenv("CK_FORK");
    return fork && strcmp(fork, "no") == 0;
}

/* A child: suite number RACELAB_UNIT_SUITE alone, its numbers into the
 * file RACELAB_UNIT_COUNTS. */
static int run_child(const char *index)
{
    int i = atoi(index);
    struct counts c = {0};
    if (i < 0 || i >= NSUITES)
        return EXIT_FAILURE;
    int rc = run_here(makers[i], &c);
    FILE *f = fopen(getenv("RACELAB_UNIT_COUNTS"), "w");
    if (!f)
        return EXIT_FAILURE;
    fprintf(f, "%d %d %d\n", c.checked, c.failures, c.errors);
    return fclose(f) == 0 ? rc : EXIT_FAILURE;
}

/* One child per suite, in `order`; what each printed and counted. */
struct suite_run {
    char tmp[40], log[64], counts[64];
    char env[2][96];
    char *envp[3];
    char *argv[2];
};

struct batch {
    struct suite_run *runs;
    struct test_job *jobs;
    struct counts total;
    int broken; /* suites that did not report their numbers */
};

static void suite_ended(struct test_job *job, void *arg)
{
    struct batch *b = arg;
    struct suite_run *r = &b->runs[job - b->jobs];
    struct counts c = {0};
    char line[4096];
    FILE *f = fopen(r->log, "r");
    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
    if (f)
        fclose(f);
    f = fopen(r->counts, "r");
    if (!f || fscanf(f, "%d %d %d", &c.checked, &c.failures, &c.errors) != 3 ||
        c.checked == 0) {
        printf("unit: a suite (%s) ended with status %d and no results\n",
               r->tmp, job->status);
        b->broken++;
    }
    if (f)
        fclose(f);
    fflush(stdout);
    b->total.checked += c.checked;
    b->total.failures += c.failures;
    b->total.errors += c.errors;
    unlink(r->log);
    unlink(r->counts);
    rmdir(r->tmp);
}

/* Check's percent: the share of checks that passed, rounded down. */
static int percent_passed(const struct counts *c)
{
    if (c->failures + c->errors == 0)
        return 100;
    if (c->checked == 0)
        return 0;
    return (int)((float)(c->checked - c->failures - c->errors) /
                 (float)c->checked * 100);
}

static int run_in_parallel(const char *self, int parallel)
{
    int order[NSUITES], n = 0;
    for (size_t s = 0; s < sizeof slow_first / sizeof slow_first[0]; s++)
        for (int i = 0; i < NSUITES; i++)
            if (makers[i] == slow_first[s])
                order[n++] = i;
    for (int i = 0; i < NSUITES; i++) {
        int listed = 0;
        for (int k = 0; k < n; k++)
            listed |= order[k] == i;
        if (!listed)
            order[n++] = i;
    }
    struct batch b = {calloc(NSUITES, sizeof *b.runs),
                      calloc(NSUITES, sizeof *b.jobs),
                      {0},
                      0};
    double t0 = test_jobs_now();
    for (int k = 0; k < NSUITES; k++) {
        struct suite_run *r = &b.runs[k];
        snprintf(r->tmp, sizeof r->tmp, "/tmp/racelab-unit-XXXXXX");
        if (!mkdtemp(r->tmp))
            return EXIT_FAILURE;
        snprintf(r->log, sizeof r->log, "%s/out", r->tmp);
        snprintf(r->counts, sizeof r->counts, "%s/counts", r->tmp);
        snprintf(r->env[0], sizeof r->env[0], "RACELAB_UNIT_SUITE=%d",
                 order[k]);
        snprintf(r->env[1], sizeof r->env[1], "RACELAB_UNIT_COUNTS=%s",
                 r->counts);
        r->envp[0] = r->env[0];
        r->envp[1] = r->env[1];
        r->argv[0] = (char *)self;
        /* Each suite's own Check timeouts bound it; this is a backstop. */
        b.jobs[k] = (struct test_job){
            .argv = r->argv, .env = r->envp, .log = r->log, .timeout = 3600};
    }
    test_jobs_run(b.jobs, NSUITES, parallel, suite_ended, &b);
    fprintf(stderr, "unit: %d suites, %d at a time: %.0f s\n", NSUITES,
            parallel, test_jobs_now() - t0);
    printf("%d%%: Checks: %d, Failures: %d, Errors: %d\n",
           percent_passed(&b.total), b.total.checked, b.total.failures,
           b.total.errors);
    int ok = b.broken == 0 && b.total.failures + b.total.errors == 0;
    free(b.runs);
    free(b.jobs);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(void)
{
    const char *child = getenv("RACELAB_UNIT_SUITE");
    struct counts c = {0};
    if (child && child[0])
        return run_child(child);
    /* The suites mostly wait (servers played, programs held until they
     * time out: a few seconds of CPU a minute), so unless told otherwise
     * twice as many run as there are cores. */
    int parallel = test_jobs_parallel();
    if (!getenv("RACELAB_TEST_JOBS"))
        parallel *= 2;
    if (parallel == 1 || selected_by_check())
        return run_here(NULL, &c);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return run_here(NULL, &c);
    self[n] = '\0';
    return run_in_parallel(self, parallel);
}
