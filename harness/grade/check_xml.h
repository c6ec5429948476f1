/* check_xml.h: read the results of a Check test runner from its XML log
 * (CK_XML_LOG_FILE_NAME), rather than scraping its text output. */
#ifndef RACELAB_CHECK_XML_H
#define RACELAB_CHECK_XML_H

#include <stddef.h>

/* One test as Check logged it. */
struct rl_ck_test {
    char *suite;   /* <suite><title> */
    char *tcase;   /* <description>: the test case's name */
    char *name;    /* <id>: the test function's name */
    char *result;  /* "success", "failure" or "error" */
    char *fn;      /* "file.c:line" of the failed check, or of the test */
    char *message; /* "Passed", or the failed assertion's message */
};

struct rl_ck_results {
    struct rl_ck_test *v;
    size_t n, cap;
    int complete; /* the log reached </testsuites>: the runner finished */
};

/*
 * Reads a Check XML log.  A log cut short (the runner hung and was
 * stopped, or crashed) is not an error: the tests it finished are kept
 * and complete is 0.  Returns -1 with err filled when the file cannot be
 * read or is not a Check log at all.
 */
int rl_ck_results_read(const char *path, struct rl_ck_results *r, char *err,
                       size_t errlen);

/* The test of that function name, or NULL when it never finished. */
const struct rl_ck_test *rl_ck_results_find(const struct rl_ck_results *r,
                                            const char *name);

void rl_ck_results_free(struct rl_ck_results *r);

#endif
