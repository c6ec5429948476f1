/* lab_tests.h: the tests a lab's Check sources register, so that a test
 * log can be checked against them: a log the program under test wrote or
 * rewrote names tests the lab does not have, repeats one, or leaves one
 * out. */
#ifndef RACELAB_LAB_TESTS_H
#define RACELAB_LAB_TESTS_H

#include <stddef.h>

#include "grade/check_xml.h"

struct rl_lab_test {
    char *suite; /* suite_create's name, or NULL when not seen */
    char *tcase; /* tcase_create's name */
    char *name;  /* the test function's name */
    int loop;    /* a loop test: logged once per iteration */
};

struct rl_lab_tests {
    struct rl_lab_test *v;
    size_t n;
};

/*
 * Reads the tests registered in these C sources: the calls
 * suite_create, tcase_create, suite_add_tcase and tcase_add_*test, in the
 * plain style the labs' tests are written in.  Lists nothing for files
 * that register none.
 */
void rl_lab_tests_read(char *const *paths, struct rl_lab_tests *t);
void rl_lab_tests_free(struct rl_lab_tests *t);

/*
 * NULL when every test in r is one of t's (within the run's CK_RUN_SUITE
 * and CK_RUN_CASE selection, NULL for none) and none is there twice, and,
 * when r is complete, every selected test of t is there.  Else why not,
 * in words (free it).
 */
char *rl_lab_tests_verify(const struct rl_lab_tests *t,
                          const struct rl_ck_results *r, const char *run_suite,
                          const char *run_case);

#endif
