/* format_validate.h: the CI formats' files read back as their consumers
 * read them, with Check assertions on every element, attribute and field
 * the consumers document (docs/platforms.md, "Output formats"). */
#ifndef RACELAB_FORMAT_VALIDATE_H
#define RACELAB_FORMAT_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

enum { JUNIT_MAX_CASES = 256, GH_MAX_COMMANDS = 256 };

struct junit_case {
    char *classname, *name, *file; /* file NULL when absent */
    int line;                      /* 0 when absent */
    double time;
    char *outcome; /* "failure", "error" or NULL (passed) */
    char *message, *type, *body;
    char *system_out;
};

struct junit_doc {
    char *suite_name;
    long tests, failures, errors;
    char *score, *max_score; /* the testsuite's properties, or NULL */
    struct junit_case cases[JUNIT_MAX_CASES];
    size_t ncases;
};

/* Parses path with expat (a parse error fails the test); asserts that
 * every element and attribute is one JUnit readers know, in its place:
 * testsuites > testsuite > (properties > property) testcase > failure |
 * error | system-out, and that the counts add up. */
void junit_read(const char *path, struct junit_doc *d);
void junit_free(struct junit_doc *d);

/* Asserts the SARIF 2.1.0 shape code scanning needs ($schema, version,
 * the driver's rules with the ID table's texts, results with ruleId,
 * ruleIndex, message and locations, threadFlows with locations). */
void sarif_check(json_t *doc);
/* runs[0]. */
json_t *sarif_run(json_t *doc);

/* One workflow command the runner would act on. */
struct gh_command {
    char kind[32];    /* "error", "notice", ... */
    char file[512];   /* "" when absent */
    int line;         /* 0 when absent */
    char title[1024]; /* decoded */
    char *message;    /* decoded */
};

struct gh_log {
    struct gh_command commands[GH_MAX_COMMANDS];
    size_t n;
};

/* Reads a step's log (stdout and stderr) as GitHub's runner does: a line
 * whose first non-blank is "::" or "##[" is a command, unless commands
 * are stopped by ::stop-commands::TOKEN until ::TOKEN::.  Asserts that
 * the fence is the first line, that the token appears nowhere in
 * between, and that every command the runner would act on is one of
 * racelab's annotations in the documented grammar. */
void gh_read(const char *log, struct gh_log *g);
void gh_free(struct gh_log *g);

#endif
