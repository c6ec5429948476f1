/* check_options.c: the command line of `racelab check`. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cli/check_options.h"
#include "tools/tool.h"

/* Parses a command line given as words; argv is rewritten in place. */
static int parse(struct rl_check_options *o, char **words, int n)
{
    return rl_check_parse_options(n, words, o);
}

static int tool_index(const char *name)
{
    for (int i = 0; rl_tools[i]; i++)
        if (strcmp(rl_tools[i]->name, name) == 0)
            return i;
    return -1;
}

START_TEST(test_defaults)
{
    struct rl_check_options o;
    char *argv[] = {"check", "a.c", NULL};
    ck_assert_int_eq(parse(&o, argv, 2), 0);
    ck_assert_int_eq(o.runs, 1);
    ck_assert(o.timeout == 10);
    ck_assert_uint_eq(o.nfiles, 1);
    ck_assert_str_eq(o.files[0], "a.c");
    ck_assert_ptr_null(o.program_args[0]);
    /* Every tool that runs the program; the server driver and the
     * scheduler come with --server and --schedules. */
    for (int i = 0; rl_tools[i]; i++)
        ck_assert_int_eq(o.tool_selected[i],
                         rl_tools[i]->stage == RL_STAGE_RUN);
    ck_assert_int_eq(o.tools_given, 0);
}
END_TEST

START_TEST(test_options_files_and_program_args)
{
    struct rl_check_options o;
    char *argv[] = {
        "check",  "a.c",      "--runs",   "3",  "b.c", "--timeout=2.5",
        "--json", "out.json", "--server", "--", "-x",  "7",
        NULL};
    ck_assert_int_eq(parse(&o, argv, 12), 0);
    ck_assert_int_eq(o.runs, 3);
    ck_assert(o.timeout == 2.5);
    ck_assert_str_eq(o.json_path, "out.json");
    ck_assert_int_eq(o.server, 1);
    ck_assert_uint_eq(o.nfiles, 2);
    ck_assert_str_eq(o.files[0], "a.c");
    ck_assert_str_eq(o.files[1], "b.c");
    ck_assert_str_eq(o.program_args[0], "-x");
    ck_assert_str_eq(o.program_args[1], "7");
    ck_assert_ptr_null(o.program_args[2]);
}
END_TEST

START_TEST(test_tools_list_selects_only_those)
{
    struct rl_check_options o;
    char *argv[] = {"check", "--tools", "tsan,probe", "a.c", NULL};
    ck_assert_int_eq(parse(&o, argv, 4), 0);
    for (int i = 0; rl_tools[i]; i++) {
        int want = i == tool_index("tsan") || i == tool_index("probe");
        ck_assert_int_eq(o.tool_selected[i], want);
    }
}
END_TEST

START_TEST(test_usage_errors)
{
    struct rl_check_options o;
    char *no_file[] = {"check", "--runs", "2", NULL};
    ck_assert_int_eq(parse(&o, no_file, 3), -1);
    char *bad_tool[] = {"check", "--tools", "tsan,nope", "a.c", NULL};
    ck_assert_int_eq(parse(&o, bad_tool, 4), -1);
    char *bad_runs[] = {"check", "--runs", "0", "a.c", NULL};
    ck_assert_int_eq(parse(&o, bad_runs, 4), -1);
    char *bad_timeout[] = {"check", "--timeout", "soon", "a.c", NULL};
    ck_assert_int_eq(parse(&o, bad_timeout, 4), -1);
    char *unknown[] = {"check", "--fast", "a.c", NULL};
    ck_assert_int_eq(parse(&o, unknown, 3), -1);
}
END_TEST

START_TEST(test_help)
{
    struct rl_check_options o;
    char *argv[] = {"check", "--help", NULL};
    ck_assert_int_eq(parse(&o, argv, 2), 1);
}
END_TEST

Suite *make_options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *core = tcase_create("Core");
    tcase_set_tags(core, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(core, test_defaults);
    tcase_add_test(core, test_options_files_and_program_args);
    tcase_add_test(core, test_tools_list_selects_only_those);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("Errors");
    tcase_set_tags(errors, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(errors, test_usage_errors);
    tcase_add_test(errors, test_help);
    suite_add_tcase(s, errors);
    return s;
}
