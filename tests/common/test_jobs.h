/* test_jobs.h: the test runners' pool of child processes, a few at once. */
#ifndef RACELAB_TEST_JOBS_H
#define RACELAB_TEST_JOBS_H

#include <sys/types.h>

/*
 * One command for the pool: argv[0] is a path (no PATH search), its
 * standard output and error go to `log`, extra `env` entries ("K=V",
 * NULL-terminated, may be NULL) are added to the runner's environment.
 * The command runs in a process group of its own; past `timeout` seconds
 * from its start the whole group gets SIGTERM, then SIGKILL 3 s later.
 */
struct test_job {
    char **argv;
    char **env;
    const char *log;
    double timeout;
    /* Filled in by test_jobs_run: */
    int status;     /* exit status, 128+signal, -1: could not start */
    int timed_out;  /* it was stopped at its timeout */
    double seconds; /* wall time from start to end */
    pid_t pid;      /* while it runs */
};

/* How many at once: $RACELAB_TEST_JOBS when it is a positive number,
 * otherwise the number of online cores. */
int test_jobs_parallel(void);

/*
 * Runs jobs[0..n) up to `parallel` at a time, in order of index, and
 * returns when all have ended. `done`, when not NULL, is called in this
 * process as each job ends (in the order they end).
 */
void test_jobs_run(struct test_job *jobs, int n, int parallel,
                   void (*done)(struct test_job *job, void *arg), void *arg);

double test_jobs_now(void);

#endif
