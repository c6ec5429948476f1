/* check_grade_judge.c: a forbid check passes only on a run that played out
 * all it was to show (grade/grade_judge.c): otherwise it is not measured. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "grade/grade_judge.h"

/* The run that decides behaviour, as the probe is. */
static const struct rl_tool reference = {.name = "probe",
                                         .behaviour_reference = 1};

static char *no_strings[] = {NULL};
static char *leak_ids[] = {"fd-leak", NULL};

struct fixture {
    struct rl_rubric_run spec;
    struct rl_rubric_check check;
    struct rl_rubric rubric;
    struct rl_job job;
    struct rl_grade_run run;
    struct rl_grade_result result;
};

/* One server run with one forbid check for fd-leak, its reference job
 * having got as far as `reach`. */
static void setup(struct fixture *f, int server, enum rl_run_reach reach)
{
    memset(f, 0, sizeof *f);
    f->spec = (struct rl_rubric_run){.name = "server",
                                     .server = server,
                                     .args = no_strings,
                                     .env = no_strings};
    f->check = (struct rl_rubric_check){.name = "no fd-leak",
                                        .points = 3,
                                        .expect = RL_EXPECT_FORBID,
                                        .ids = leak_ids};
    f->rubric = (struct rl_rubric){.lab = "lab",
                                   .runs = &f->spec,
                                   .nruns = 1,
                                   .checks = &f->check,
                                   .nchecks = 1};
    f->job.tool = &reference;
    f->job.reach = reach;
    f->job.timeout = 10;
    f->run.spec = &f->spec;
    f->run.status = RL_CHECK_DONE;
    f->run.check.compiled = 1;
    f->run.check.jobs = &f->job;
    f->run.check.njobs = 1;
}

static const struct rl_grade_check_result *judged(struct fixture *f)
{
    rl_grade_judge(&f->rubric, &f->run, &f->result);
    return &f->result.checks[0];
}

START_TEST(test_forbid_passes_on_a_run_played_to_the_end)
{
    struct fixture f;
    setup(&f, 1, RL_REACH_END);
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->status, RL_GRADE_PASS);
    ck_assert_int_eq(c->points, 3);
    rl_grade_result_free(&f.result);
}
END_TEST

START_TEST(test_forbid_on_a_server_that_stopped_answering_is_not_measured)
{
    struct fixture f;
    setup(&f, 1, RL_REACH_DRIVE_ENDED);
    f.job.server_outcome = RL_DRIVE_FAILED;
    snprintf(f.job.note, sizeof f.job.note,
             "the server closed client 1's connection");
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->status, RL_GRADE_FAIL);
    ck_assert_int_eq(c->points, 0);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NOT_MEASURED);
    ck_assert_ptr_nonnull(strstr(c->message, "not measured: "));
    ck_assert_ptr_nonnull(strstr(c->message, "closed client 1's"));
    ck_assert_ptr_nonnull(strstr(c->message, "fd-leak could not be measured"));
    ck_assert_int_eq(f.result.score, 0);
    rl_grade_result_free(&f.result);
}
END_TEST

START_TEST(test_forbid_on_a_crashed_program_names_the_signal)
{
    struct fixture f;
    setup(&f, 0, RL_REACH_CRASHED);
    f.job.reach_signal = SIGSEGV;
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NOT_MEASURED);
    ck_assert_ptr_nonnull(strstr(c->message, "it crashed with SIGSEGV"));
    rl_grade_result_free(&f.result);
}
END_TEST

/* The memory cgroup's SIGKILL is the limit, not a crash of the program's
 * own (the runner fills memory_words from the sandbox's OOM count). */
START_TEST(test_forbid_on_a_program_killed_for_memory_says_so)
{
    struct fixture f;
    setup(&f, 0, RL_REACH_CRASHED);
    f.job.reach_signal = SIGKILL;
    f.job.killed_for_memory = 1;
    snprintf(f.job.memory_words, sizeof f.job.memory_words,
             "killed: out of memory (limit 4 GiB)");
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NOT_MEASURED);
    ck_assert_msg(strstr(c->message, "it was killed: out of memory (limit "
                                     "4 GiB), so fd-leak"),
                  "%s", c->message);
    ck_assert_ptr_null(strstr(c->message, "SIGKILL"));
    rl_grade_result_free(&f.result);
}
END_TEST

/* A server that died before it listened: the crash, not the port. */
START_TEST(test_server_crashed_before_listening_names_the_signal)
{
    struct fixture f;
    setup(&f, 1, RL_REACH_DRIVE_ENDED);
    f.run.check.never_listened = 1;
    f.job.server_outcome = RL_DRIVE_NEVER_STARTED;
    f.job.server_ended = 1;
    f.job.summary.exit_status = 128 + SIGSEGV;
    snprintf(f.job.note, sizeof f.job.note,
             "the server ended before it accepted a connection on port 5");
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NEVER_LISTENED);
    ck_assert_msg(strstr(c->message, "the server crashed with SIGSEGV before "
                                     "it listened: the server ended"),
                  "%s", c->message);
    rl_grade_result_free(&f.result);
}
END_TEST

START_TEST(test_forbid_on_tests_that_never_ran_is_not_measured)
{
    struct fixture f;
    setup(&f, 0, RL_REACH_END);
    f.spec.check_tests = 1;
    f.run.have_results = 1; /* a log, but no test in it */
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NOT_MEASURED);
    ck_assert_ptr_nonnull(strstr(c->message, "no test ran"));
    rl_grade_result_free(&f.result);
}
END_TEST

/* The ID seen is a verdict, whether or not the run reached its end. */
START_TEST(test_forbid_with_its_id_seen_fails_with_the_finding)
{
    struct fixture f;
    setup(&f, 1, RL_REACH_DRIVE_ENDED);
    rl_findings_add(&f.run.check.verdict, "fd-leak", "probe");
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->status, RL_GRADE_FAIL);
    ck_assert_int_eq(c->problem, RL_GRADE_PROBLEM_NONE);
    ck_assert_uint_eq(c->nfindings, 1);
    rl_grade_result_free(&f.result);
    rl_findings_free(&f.run.check.verdict);
}
END_TEST

/* A run the probe stopped on a classified hang stands on what ran before
 * it: the hang is the verdict (a deadlocking submission keeps its other
 * checks, as before). */
START_TEST(test_forbid_on_a_classified_hang_is_measured)
{
    struct fixture f;
    setup(&f, 0, RL_REACH_STOPPED);
    rl_findings_add(&f.run.check.verdict, "deadlock", "probe");
    const struct rl_grade_check_result *c = judged(&f);
    ck_assert_int_eq(c->status, RL_GRADE_PASS);
    rl_grade_result_free(&f.result);
    rl_findings_free(&f.run.check.verdict);
}
END_TEST

Suite *make_grade_judge_suite(void)
{
    Suite *s = suite_create("grade_judge");
    TCase *tc = tcase_create("NotMeasured");
    tcase_set_tags(tc, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(tc, test_forbid_passes_on_a_run_played_to_the_end);
    tcase_add_test(
        tc, test_forbid_on_a_server_that_stopped_answering_is_not_measured);
    tcase_add_test(tc, test_forbid_on_a_crashed_program_names_the_signal);
    tcase_add_test(tc, test_forbid_on_tests_that_never_ran_is_not_measured);
    tcase_add_test(tc, test_forbid_on_a_program_killed_for_memory_says_so);
    tcase_add_test(tc, test_server_crashed_before_listening_names_the_signal);
    tcase_add_test(tc, test_forbid_with_its_id_seen_fails_with_the_finding);
    tcase_add_test(tc, test_forbid_on_a_classified_hang_is_measured);
    suite_add_tcase(s, tc);
    return s;
}
