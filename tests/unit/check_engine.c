/* check_engine.c: the check pipeline as a library: tools declare what
 * they are, stages keep their problems as diagnostics and print nothing,
 * and the scheduler's findings go through the same policy as the tools'. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/check_engine.h"
#include "engine/failure_modes.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

static int count_stage(enum rl_tool_stage stage)
{
    int n = 0;
    for (int i = 0; rl_tools[i]; i++)
        n += rl_tools[i]->stage == stage;
    return n;
}

/* What the engine relies on instead of tools' names. */
START_TEST(test_registry_declares_capabilities)
{
    ck_assert_int_eq(count_stage(RL_STAGE_DRIVE), 1);
    ck_assert_int_eq(count_stage(RL_STAGE_EXPLORE), 1);
    ck_assert_str_eq(rl_tool_driver()->name, "server");
    ck_assert_ptr_nonnull(rl_tool_find("sched"));
    int watchers = 0, references = 0;
    for (int i = 0; rl_tools[i]; i++) {
        const struct rl_tool *t = rl_tools[i];
        ck_assert_int_lt(i, RL_MAX_SELECTED_TOOLS);
        ck_assert_int_eq(rl_tool_index(t), i);
        switch (t->stage) {
        case RL_STAGE_RUN:
            ck_assert_msg(t->prepare && t->parse, "%s", t->name);
            watchers += t->watches_hangs;
            /* Behaviour is graded from a run undisturbed by slow tools. */
            if (t->behaviour_reference) {
                references++;
                ck_assert(t->native_speed);
            }
            break;
        case RL_STAGE_DRIVE:
            ck_assert(t->drive_prepare && t->drive_env && t->drive);
            ck_assert(t->needs & RL_NEEDS_SERVER);
            break;
        case RL_STAGE_EXPLORE:
            ck_assert(t->explore != NULL);
            ck_assert(t->needs & RL_NEEDS_SCHEDULES);
            break;
        }
    }
    ck_assert_int_eq(watchers, 1);
    ck_assert_int_eq(references, 1);
}
END_TEST

/* Every tool is trusted for some ID, or its findings would only ever
 * confirm others' (the failure-mode table names the authorities). */
START_TEST(test_every_tool_is_an_authority_somewhere)
{
    for (int i = 0; rl_tools[i]; i++) {
        int trusted = 0;
        for (int m = 0; rl_failure_modes[m].id; m++)
            trusted |= rl_failure_mode_trusts(rl_failure_modes[m].id,
                                              rl_tools[i]->name);
        /* helgrind and drd only confirm: they misjudge C11 atomics. */
        int confirms_only = strcmp(rl_tools[i]->name, "helgrind") == 0 ||
                            strcmp(rl_tools[i]->name, "drd") == 0;
        ck_assert_msg(trusted != confirms_only, "%s", rl_tools[i]->name);
    }
}
END_TEST

static char *tmp;

static void setup(void)
{
    char err[256];
    tmp = rl_workdir_create("engine-test", err, sizeof err);
    ck_assert_msg(tmp != NULL, "%s", err);
}

static void teardown(void)
{
    rl_workdir_remove(tmp);
    free(tmp);
}

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * Runs the check in a child whose stdout and stderr go to `out`; returns
 * the check's status, plus 8 when a diagnostic of this level holds
 * `needle`.
 */
static int check_quietly(struct rl_check_request *req, const char *needle,
                         enum rl_diag_level level, const char *out)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        struct rl_check c;
        int status = rl_check_execute(&c, req);
        int said = 0;
        for (size_t i = 0; i < c.diag.n; i++)
            said |= c.diag.v[i].level == level &&
                    strstr(c.diag.v[i].message, needle) != NULL;
        rl_check_free(&c);
        _exit(status | (said ? 8 : 0));
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A program that does not compile: refused, with the compiler's words in
 * a diagnostic, and nothing printed by the engine. */
START_TEST(test_no_compile_is_a_quiet_refusal)
{
    char *src = write_file("broken.c", "int main(void) { return nope; }\n");
    char *files[] = {src};
    struct rl_check_request req = {.files = files, .nfiles = 1, .timeout = 10};
    rl_check_select_default_tools(&req);
    char *out = xasprintf("%s/printed", tmp);
    int rc = check_quietly(&req, "nope", RL_DIAG_USER, out);
    ck_assert_int_eq(rc, RL_CHECK_REFUSED | 8);
    ck_assert_int_eq(size_of(out), 0);
    free(out);
    free(src);
}
END_TEST

START_TEST(test_missing_file_is_a_quiet_refusal)
{
    char *files[] = {"/nonexistent/racelab/prog.c"};
    struct rl_check_request req = {.files = files, .nfiles = 1, .timeout = 10};
    rl_check_select_default_tools(&req);
    char *out = xasprintf("%s/printed", tmp);
    int rc = check_quietly(&req, "prog.c", RL_DIAG_USER, out);
    ck_assert_int_eq(rc, RL_CHECK_REFUSED | 8);
    ck_assert_int_eq(size_of(out), 0);
    free(out);
}
END_TEST

/* The scheduler alone (racelab check --schedules): its lost update comes
 * out of the policy placed on the student's line, as grading sees it. */
START_TEST(test_scheduler_findings_pass_the_policy)
{
    char *files[] = {"tests/sched/lost_update.c"};
    struct rl_check_request req = {
        .files = files, .nfiles = 1, .timeout = 10, .schedules = 50};
    struct rl_check c;
    ck_assert_int_eq(rl_check_execute(&c, &req), RL_CHECK_DONE);
    ck_assert_int_eq(c.njobs, 0); /* no tool ran the program */
    ck_assert(c.sched_ran);
    ck_assert_int_eq(c.explore.out.found.n, 0); /* all went to the merge */
    ck_assert_int_ge(c.verdict.n, 1);
    ck_assert_str_eq(c.verdict.v[0].id, "data-race");
    ck_assert(rl_finding_has_tool(&c.verdict.v[0], "sched"));
    ck_assert(c.verdict.v[0].has_seed);
    ck_assert_int_gt(c.verdict.v[0].nlocs, 0);
    ck_assert_str_eq(c.verdict.v[0].locs[0].file, files[0]);
    /* The replay command it prints runs as printed, from another folder,
     * and fails the same way. */
    const char *replay = strstr(c.verdict.v[0].detail, "replay: ");
    ck_assert_ptr_nonnull(replay);
    char *cmd = strndup(replay + 8, strcspn(replay + 8, "\n"));
    char *shell = xasprintf("cd / && %s >/dev/null 2>&1", cmd);
    int rc = system(shell);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "%s: %d", cmd, rc);
    free(shell);
    free(cmd);
    rl_check_free(&c);
}
END_TEST

/* Naming the scheduler as a tool asks for seeds; naming the server
 * driver without --server is skipped with a word of why. */
START_TEST(test_tools_named_by_their_mode)
{
    char *files[] = {"tests/sched/lost_update_ok.c"};
    struct rl_check_request req = {.files = files, .nfiles = 1, .timeout = 10};
    req.tool_selected[rl_tool_index(rl_tool_find("sched"))] = 1;
    req.tool_selected[rl_tool_index(rl_tool_driver())] = 1;
    struct rl_check c;
    ck_assert_int_eq(rl_check_execute(&c, &req), RL_CHECK_DONE);
    ck_assert(c.sched_ran);
    ck_assert_int_eq(c.req.schedules, RL_DEFAULT_SCHEDULES);
    ck_assert_int_eq(c.verdict.n, 0); /* the correct twin stays clean */
    ck_assert_int_eq(c.req.tool_selected[rl_tool_index(rl_tool_driver())], 0);
    rl_check_free(&c);
}
END_TEST

Suite *make_engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *reg = tcase_create("Registry");
    tcase_set_tags(reg, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(reg, test_registry_declares_capabilities);
    tcase_add_test(reg, test_every_tool_is_an_authority_somewhere);
    suite_add_tcase(s, reg);
    TCase *quiet = tcase_create("Quiet");
    tcase_add_checked_fixture(quiet, setup, teardown);
    tcase_set_timeout(quiet, 60);
    tcase_add_test(quiet, test_no_compile_is_a_quiet_refusal);
    tcase_add_test(quiet, test_missing_file_is_a_quiet_refusal);
    suite_add_tcase(s, quiet);
    TCase *sched = tcase_create("Scheduler");
    tcase_set_timeout(sched, 120);
    tcase_add_test(sched, test_scheduler_findings_pass_the_policy);
    tcase_add_test(sched, test_tools_named_by_their_mode);
    suite_add_tcase(s, sched);
    return s;
}
