/* rubric.h: a lab's rubric.json (docs/rubric.md): runs and scored checks. */
#ifndef RACELAB_RUBRIC_H
#define RACELAB_RUBRIC_H

#include <stddef.h>

/* One program run that checks share: built and run once. */
struct rl_rubric_run {
    char *name;
    char **sources; /* relative to the lab (or submission) folder */
    size_t nsources;
    int server;      /* a TCP echo server */
    int check_tests; /* a Check test runner */
    char **args;     /* NULL-terminated, never NULL */
    char **env;      /* "NAME=value", NULL-terminated, never NULL */
    char **tools;    /* NULL-terminated, or NULL for every tool */
    double timeout;  /* seconds per tool run */
    int schedules;   /* > 0: seeds for racelab's scheduler too */
};

enum rl_expect {
    RL_EXPECT_FORBID,     /* none of `ids` found */
    RL_EXPECT_COMPILES,   /* the sources compile */
    RL_EXPECT_ECHO,       /* the server echoes */
    RL_EXPECT_TESTS_PASS, /* the Check tests pass */
};

struct rl_rubric_check {
    char *name;
    int points;
    size_t run; /* index in runs */
    enum rl_expect expect;
    char **ids;   /* RL_EXPECT_FORBID: NULL-terminated failure-mode IDs */
    char **tests; /* RL_EXPECT_TESTS_PASS: test names, or NULL for all */
    int report_only;
};

struct rl_rubric {
    char *lab, *title;
    char **student_files; /* NULL-terminated */
    struct rl_rubric_run *runs;
    size_t nruns;
    struct rl_rubric_check *checks;
    size_t nchecks;
};

/* Reads and validates a rubric; err says where it is wrong. */
int rl_rubric_load(const char *path, struct rl_rubric *r, char *err,
                   size_t errlen);
/* 1 when path (relative, as in `sources`) is one the student hands in. */
int rl_rubric_is_student_file(const struct rl_rubric *r, const char *path);
int rl_rubric_max_score(const struct rl_rubric *r);
void rl_rubric_free(struct rl_rubric *r);

#endif
