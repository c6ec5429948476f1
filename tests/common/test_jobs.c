/* test_jobs.c: the test runners' pool of child processes, a few at once. */
/*
 * The corpus and lab runners spend nearly all their time waiting for one
 * racelab process; running a few at once fills the machine's cores. Each
 * job is its own process group so that a timeout stops racelab and every
 * tool it started, not racelab alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_jobs.h"

static const double KILL_AFTER = 3; /* seconds from SIGTERM to SIGKILL */

double test_jobs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int test_jobs_parallel(void)
{
    const char *env = getenv("RACELAB_TEST_JOBS");
    if (env && atoi(env) > 0)
        return atoi(env);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 1 ? (int)cores : 1;
}

/* Per running job: when it started and when it was sent SIGTERM. */
struct slot {
    struct test_job *job;
    double started, termed;
};

static void exec_job(const struct test_job *job)
{
    setpgid(0, 0); /* one group: the command and all it starts */
    int fd = open(job->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    for (char **e = job->env; e && *e; e++)
        putenv(*e);
    execv(job->argv[0], job->argv);
    fprintf(stderr, "cannot run '%s': %s\n", job->argv[0], strerror(errno));
    _exit(127);
}

/* Starts job in the free slot s: 0, or -1 (status -1) when fork failed. */
static int start(struct slot *s, struct test_job *job)
{
    fflush(NULL); /* no buffered output of ours twice */
    job->timed_out = 0;
    job->seconds = 0;
    job->pid = fork();
    if (job->pid == 0)
        exec_job(job);
    if (job->pid < 0) {
        job->status = -1;
        return -1;
    }
    setpgid(job->pid, job->pid); /* also here: no race with the child */
    s->job = job;
    s->started = test_jobs_now();
    s->termed = 0;
    return 0;
}

/* 1 when s's job has ended (status filled in), 0 while it runs. */
static int poll_slot(struct slot *s)
{
    struct test_job *job = s->job;
    int status;
    pid_t r = waitpid(job->pid, &status, WNOHANG);
    double t = test_jobs_now();
    if (r == job->pid) {
        job->status =
            WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        job->seconds = t - s->started;
        /* Whatever the command left behind in its group goes too. */
        kill(-job->pid, SIGKILL);
        return 1;
    }
    if (r < 0 && errno != EINTR) {
        job->status = -1;
        job->seconds = t - s->started;
        return 1;
    }
    if (!s->termed && t >= s->started + job->timeout) {
        kill(-job->pid, SIGTERM);
        s->termed = t;
        job->timed_out = 1;
    } else if (s->termed && t >= s->termed + KILL_AFTER) {
        kill(-job->pid, SIGKILL);
    }
    return 0;
}

void test_jobs_run(struct test_job *jobs, int n, int parallel,
                   void (*done)(struct test_job *job, void *arg), void *arg)
{
    struct timespec tick = {0, 50 * 1000 * 1000};
    struct slot *slots = calloc(parallel > 0 ? parallel : 1, sizeof *slots);
    int next = 0, running = 0;
    if (parallel < 1)
        parallel = 1;
    while (next < n || running > 0) {
        for (int i = 0; i < parallel && next < n; i++) {
            if (slots[i].job)
                continue;
            struct test_job *job = &jobs[next++];
            if (start(&slots[i], job) == 0)
                running++;
            else if (done)
                done(job, arg);
        }
        nanosleep(&tick, NULL);
        for (int i = 0; i < parallel; i++) {
            if (!slots[i].job || !poll_slot(&slots[i]))
                continue;
            if (done)
                done(slots[i].job, arg);
            slots[i].job = NULL;
            running--;
        }
    }
    free(slots);
}
