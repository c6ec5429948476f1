/* check_unfinished.c: a program that ran out of time with no hang class
 * says so, with where each thread stood (probe_analysis.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_analysis.h"

START_TEST(test_unfinished_says_where_each_thread_waits)
{
    struct rl_probe_sample *s = calloc(1, sizeof *s);
    s->shm.magic = RLP_MAGIC;
    s->shm.nthreads = 3;
    /* main joins thread 2; thread 2 is in read(); thread 3 waits on a
     * condition variable. */
    s->shm.threads[0] = (struct rlp_thread){
        .tid = 1, .state = RLP_T_WAIT_JOIN, .index = 0, .wait_object = 2};
    s->shm.threads[1] =
        (struct rlp_thread){.tid = 2, .state = RLP_T_RUNNING, .index = 1};
    s->shm.threads[2] = (struct rlp_thread){
        .tid = 3, .state = RLP_T_WAIT_COND, .index = 2, .wait_object = 0x1000};
    s->ntasks = 3;
    s->have_tasks = 1;
    s->tasks[0] = (struct rl_task){.ns_tid = 1, .state = 'S', .syscall = 202};
    s->tasks[1] = (struct rl_task){.ns_tid = 2, .state = 'S', .syscall = 0};
    s->tasks[2] = (struct rl_task){.ns_tid = 3, .state = 'S', .syscall = 202};
    struct rl_findings out = {0};
    rl_probe_unfinished_findings(s, 3, NULL, &out);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.v[0].id, "did-not-finish");
    const char *d = out.v[0].detail;
    ck_assert_ptr_nonnull(strstr(d, "did not finish in 3 s"));
    ck_assert_ptr_nonnull(strstr(d, "thread 1 (main) waits"));
    ck_assert_ptr_nonnull(strstr(d, "for thread 2 to finish"));
#ifdef __x86_64__
    ck_assert_ptr_nonnull(strstr(d, "thread 2 is blocked in read()"));
#endif
    ck_assert_ptr_nonnull(strstr(d, "thread 3 waits for condition variable"));
    rl_findings_free(&out);
    free(s);
}
END_TEST

/* Without a table (the program never loaded the probe), still one
 * finding: "no findings" is never the answer to a program that hung. */
START_TEST(test_unfinished_without_a_sample)
{
    struct rl_findings out = {0};
    rl_probe_unfinished_findings(NULL, 5, NULL, &out);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.v[0].id, "did-not-finish");
    ck_assert_ptr_nonnull(strstr(out.v[0].detail, "did not finish in 5 s"));
    rl_findings_free(&out);
}
END_TEST

Suite *make_unfinished_suite(void)
{
    Suite *s = suite_create("unfinished");
    TCase *tc = tcase_create("DidNotFinish");
    tcase_set_tags(tc, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(tc, test_unfinished_says_where_each_thread_waits);
    tcase_add_test(tc, test_unfinished_without_a_sample);
    suite_add_tcase(s, tc);
    return s;
}
