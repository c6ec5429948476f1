/* check_policy.c: merging findings from several tools, and trusting them. */
#include <check.h>
#include <string.h>

#include "engine/finding.h"
#include "engine/fold_free_race.h"
#include "engine/policy.h"

static struct rl_finding *add(struct rl_findings *l, const char *id,
                              const char *tool, const char *file, int line)
{
    struct rl_finding *f = rl_findings_add(l, id, tool);
    rl_finding_add_location(f, file, line, "worker");
    return f;
}

START_TEST(test_same_line_merges_tools)
{
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "data-race", "tsan", "counter.c", 12);
    add(&raw, "data-race", "helgrind", "counter.c", 12);
    add(&raw, "data-race", "drd", "counter.c", 12);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 1);
    ck_assert_uint_eq(verdict.v[0].ntools, 3);
    /* tools are listed in a fixed order, whatever finished first */
    ck_assert_str_eq(verdict.v[0].tools[0], "drd");
    ck_assert_str_eq(verdict.v[0].tools[2], "tsan");
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_merge_is_transitive)
{
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "data-race", "tsan", "a.c", 1);
    struct rl_finding *f = add(&raw, "data-race", "helgrind", "a.c", 2);
    rl_finding_add_location(f, "a.c", 3, NULL);
    add(&raw, "data-race", "drd", "a.c", 3);
    rl_finding_add_location(&raw.v[0], "a.c", 2, NULL);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 1);
    ck_assert_uint_eq(verdict.v[0].nlocs, 3);
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_unreliable_tool_alone_is_dropped)
{
    /* helgrind and drd misreport C11 atomics: never a verdict alone */
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "data-race", "helgrind", "atomic.c", 9);
    add(&raw, "data-race", "drd", "atomic.c", 9);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 0);
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_gate_lock_inversion_by_tsan_alone_is_dropped)
{
    /* the probe knows gate locks; TSan and helgrind do not */
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "lock-order-inversion", "tsan", "gate.c", 20);
    add(&raw, "lock-order-inversion", "helgrind", "gate.c", 20);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 0);
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_deadlock_hides_inversion)
{
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "lock-order-inversion", "probe", "bank.c", 20);
    add(&raw, "lock-order-inversion", "tsan", "bank.c", 20);
    add(&raw, "deadlock", "probe", "bank.c", 21);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 1);
    ck_assert_str_eq(verdict.v[0].id, "deadlock");
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_different_lines_stay_apart)
{
    struct rl_findings raw = {0}, verdict = {0};
    add(&raw, "memory-leak", "memcheck", "leak.c", 30);
    add(&raw, "memory-leak", "asan", "leak.c", 8);
    add(&raw, "data-race", "tsan", "leak.c", 8);
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 3);
    /* sorted by the failure-mode table, then line */
    ck_assert_str_eq(verdict.v[0].id, "data-race");
    ck_assert_int_eq(verdict.v[1].locs[0].line, 8);
    ck_assert_int_eq(verdict.v[2].locs[0].line, 30);
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_finding_without_user_line_is_dropped)
{
    struct rl_findings raw = {0}, verdict = {0};
    rl_findings_add(&raw, "data-race", "tsan");
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 0);
    rl_findings_free(&verdict);
}
END_TEST

START_TEST(test_authoritative_detail_wins)
{
    struct rl_findings raw = {0}, verdict = {0};
    struct rl_finding *h = add(&raw, "data-race", "helgrind", "c.c", 5);
    rl_finding_set_detail(h, "helgrind says");
    struct rl_finding *t = add(&raw, "data-race", "tsan", "c.c", 5);
    rl_finding_set_detail(t, "tsan says");
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 1);
    ck_assert_str_eq(verdict.v[0].detail, "tsan says");
    rl_findings_free(&verdict);
}
END_TEST

/* The server's rule reads the flag, not the wording students are shown. */
START_TEST(test_exit_time_fd_report_dropped_by_flag)
{
    struct rl_findings raw = {0};
    struct rl_finding *f = add(&raw, "fd-leak", "probe", "echo.c", 30);
    rl_finding_set_detail(f, "fd 3 (socket) was left behind when it ended");
    f->flags |= RL_FINDING_AT_EXIT;
    f = add(&raw, "fd-leak", "memcheck", "echo.c", 31);
    rl_finding_set_detail(f, "still open at exit: socket");
    f = add(&raw, "fd-leak", "server", "echo.c", 32); /* growth, no flag */
    rl_finding_set_detail(f, "descriptors open in the server ... at exit");
    rl_policy_drop_exit_fd_reports(&raw);
    ck_assert_uint_eq(raw.n, 2);
    ck_assert(rl_finding_has_tool(&raw.v[0], "memcheck"));
    ck_assert(rl_finding_has_tool(&raw.v[1], "server"));
    rl_findings_free(&raw);
}
END_TEST

/* A merged finding is an exit-time report only when all its parts were. */
START_TEST(test_merge_keeps_at_exit_only_when_all_had_it)
{
    struct rl_findings raw = {0}, verdict = {0};
    struct rl_finding *f = add(&raw, "fd-leak", "probe", "d.c", 7);
    f->flags |= RL_FINDING_AT_EXIT;
    f->fd = 5;
    f = add(&raw, "fd-leak", "server", "d.c", 7);
    f->thread = 2;
    add(&raw, "thread-leak", "probe", "d.c", 9)->flags |= RL_FINDING_AT_EXIT;
    add(&raw, "thread-leak", "tsan", "d.c", 9)->flags |= RL_FINDING_AT_EXIT;
    rl_policy_apply(&raw, &verdict);
    ck_assert_uint_eq(verdict.n, 2);
    ck_assert_str_eq(verdict.v[0].id, "thread-leak");
    ck_assert_uint_eq(verdict.v[0].flags & RL_FINDING_AT_EXIT,
                      RL_FINDING_AT_EXIT);
    ck_assert_str_eq(verdict.v[1].id, "fd-leak");
    ck_assert_uint_eq(verdict.v[1].flags & RL_FINDING_AT_EXIT, 0);
    ck_assert_int_eq(verdict.v[1].fd, 5);
    ck_assert_int_eq(verdict.v[1].thread, 2);
    rl_findings_free(&verdict);
}
END_TEST

/* TSan's race of a free with a read, on the use-after-free's lines, is
 * that use-after-free: one finding with both tools and the racing read. */
START_TEST(test_free_race_folds_into_use_after_free)
{
    struct rl_findings raw = {0};
    struct rl_finding *u = rl_findings_add(&raw, "use-after-free", "asan");
    rl_finding_add_location(u, "job.c", 24, "worker");
    rl_finding_add_location(u, "job.c", 41, "main");
    struct rl_finding *d = rl_findings_add(&raw, "data-race", "tsan");
    rl_finding_add_location(d, "job.c", 41, "main");
    rl_finding_add_location(d, "job.c", 22, "worker");
    rl_finding_set_detail(d, "write of size 8 by main thread");
    d->flags |= RL_FINDING_FREE_ACCESS;
    rl_fold_free_races(&raw);
    ck_assert_uint_eq(raw.n, 1);
    ck_assert_str_eq(raw.v[0].id, "use-after-free");
    ck_assert(rl_finding_has_tool(&raw.v[0], "tsan"));
    ck_assert(rl_finding_has_location(&raw.v[0], "job.c", 22));
    ck_assert(strstr(raw.v[0].detail, "tsan: write of size 8") != NULL);
    rl_findings_free(&raw);
}
END_TEST

/* Without the free as one access, or without a use-after-free on its
 * lines, a race stays a race. */
START_TEST(test_other_races_stay_data_races)
{
    struct rl_findings raw = {0};
    struct rl_finding *u = rl_findings_add(&raw, "use-after-free", "asan");
    rl_finding_add_location(u, "job.c", 24, "worker");
    struct rl_finding *d = rl_findings_add(&raw, "data-race", "tsan");
    rl_finding_add_location(d, "job.c", 24, "worker"); /* no free in it */
    d = rl_findings_add(&raw, "data-race", "tsan");
    rl_finding_add_location(d, "other.c", 7, "main"); /* no shared line */
    d->flags |= RL_FINDING_FREE_ACCESS;
    rl_fold_free_races(&raw);
    ck_assert_uint_eq(raw.n, 3);
    ck_assert_int_eq(rl_findings_count_id(&raw, "data-race"), 2);
    rl_findings_free(&raw);
}
END_TEST

Suite *make_policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *merge = tcase_create("Merge");
    tcase_set_tags(merge, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(merge, test_same_line_merges_tools);
    tcase_add_test(merge, test_merge_is_transitive);
    tcase_add_test(merge, test_different_lines_stay_apart);
    tcase_add_test(merge, test_authoritative_detail_wins);
    tcase_add_test(merge, test_merge_keeps_at_exit_only_when_all_had_it);
    suite_add_tcase(s, merge);
    TCase *trust = tcase_create("Trust");
    tcase_set_tags(trust, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(trust, test_unreliable_tool_alone_is_dropped);
    tcase_add_test(trust, test_gate_lock_inversion_by_tsan_alone_is_dropped);
    tcase_add_test(trust, test_deadlock_hides_inversion);
    tcase_add_test(trust, test_finding_without_user_line_is_dropped);
    tcase_add_test(trust, test_exit_time_fd_report_dropped_by_flag);
    suite_add_tcase(s, trust);
    TCase *fold = tcase_create("FreeRace");
    tcase_set_tags(fold, "fast"); /* no tool runs */
    tcase_add_test(fold, test_free_race_folds_into_use_after_free);
    tcase_add_test(fold, test_other_races_stay_data_races);
    suite_add_tcase(s, fold);
    return s;
}
