/* check_sources.c: mapping the paths tools print onto the user's files. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sources.h"

static char dir[] = "/tmp/racelab-sources-XXXXXX";
static char cwd[PATH_MAX];

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
    write_file("counter.c", "int cnt;\n\n    cnt++;   \n");
    write_file("util.c", "void f(void) {}\n");
}

static void teardown(void)
{
    unlink("counter.c");
    unlink("util.c");
    ck_assert_int_eq(chdir(cwd), 0);
    rmdir(dir);
}

static void init(struct rl_sources *s)
{
    char *paths[] = {"counter.c", "util.c"};
    char err[128];
    ck_assert_int_eq(rl_sources_init(s, paths, 2, err, sizeof err), 0);
}

START_TEST(test_absolute_and_given_paths_match)
{
    struct rl_sources s;
    init(&s);
    char abs[PATH_MAX];
    snprintf(abs, sizeof abs, "%s/counter.c", dir);
    ck_assert_str_eq(rl_sources_match(&s, abs), "counter.c");
    ck_assert_str_eq(rl_sources_match(&s, "counter.c"), "counter.c");
    ck_assert_str_eq(rl_sources_match(&s, "./util.c"), "util.c");
    rl_sources_free(&s);
}
END_TEST

START_TEST(test_foreign_files_do_not_match)
{
    struct rl_sources s;
    init(&s);
    ck_assert_ptr_null(rl_sources_match(&s, "/usr/include/stdio.h"));
    ck_assert_ptr_null(rl_sources_match(&s, "./nptl/pthread_create.c"));
    /* an absolute path elsewhere never matches by basename */
    ck_assert_ptr_null(rl_sources_match(&s, "/build/glibc/counter.c"));
    ck_assert_ptr_null(rl_sources_match(&s, NULL));
    ck_assert_ptr_null(rl_sources_match(&s, ""));
    rl_sources_free(&s);
}
END_TEST

START_TEST(test_relative_name_from_build_folder_matches_basename)
{
    struct rl_sources s;
    init(&s);
    ck_assert_str_eq(rl_sources_match(&s, "src/counter.c"), "counter.c");
    rl_sources_free(&s);
}
END_TEST

START_TEST(test_remapped_root_matches)
{
    struct rl_sources s;
    init(&s);
    rl_sources_remap(&s, "/elsewhere/checkout", dir);
    ck_assert_str_eq(rl_sources_match(&s, "/elsewhere/checkout/util.c"),
                     "util.c");
    /* only whole folder names are remapped */
    ck_assert_ptr_null(rl_sources_match(&s, "/elsewhere/checkout2/util.c"));
    rl_sources_free(&s);
}
END_TEST

START_TEST(test_source_line_is_trimmed)
{
    struct rl_sources s;
    init(&s);
    ck_assert_str_eq(rl_sources_line(&s, "counter.c", 3), "cnt++;   ");
    ck_assert_str_eq(rl_sources_line(&s, "counter.c", 99), "");
    ck_assert_str_eq(rl_sources_line(&s, "nothere.c", 1), "");
    rl_sources_free(&s);
}
END_TEST

START_TEST(test_missing_file_is_an_error)
{
    struct rl_sources s;
    char *paths[] = {"missing.c"};
    char err[128];
    ck_assert_int_eq(rl_sources_init(&s, paths, 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "cannot open 'missing.c'");
}
END_TEST

Suite *make_sources_suite(void)
{
    Suite *s = suite_create("sources");
    TCase *core = tcase_create("Core");
    tcase_set_tags(core, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_absolute_and_given_paths_match);
    tcase_add_test(core, test_foreign_files_do_not_match);
    tcase_add_test(core, test_relative_name_from_build_folder_matches_basename);
    tcase_add_test(core, test_remapped_root_matches);
    tcase_add_test(core, test_source_line_is_trimmed);
    tcase_add_test(core, test_missing_file_is_an_error);
    suite_add_tcase(s, core);
    return s;
}
