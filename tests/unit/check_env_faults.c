/* check_env_faults.c: a machine that cannot run a tool (TSan's mmap
 * abort, no valgrind, no cgroup), simulated with RACELAB_FAULT
 * (engine/env_fault.h): the real racelab grades lab 06 with the tools
 * that do run, and the checks only the missing tool decides are "not
 * measured" with the instructor's fix, first and loud in the report. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/env_fault.h"
#include "test_files.h"

START_TEST(test_fault_list_is_read_by_name)
{
    ck_assert_int_eq(setenv("RACELAB_FAULT", "no-cgroup,tsan-mmap", 1), 0);
    ck_assert(rl_env_fault("tsan-mmap"));
    ck_assert(rl_env_fault("no-cgroup"));
    ck_assert(!rl_env_fault("no-valgrind"));
    ck_assert(rl_env_fault_any());
    ck_assert_int_eq(setenv("RACELAB_FAULT", "no-valgrindx,tsan", 1), 0);
    ck_assert(!rl_env_fault("no-valgrind")); /* whole names only */
    ck_assert(!rl_env_fault("tsan-mmap"));
    ck_assert_int_eq(unsetenv("RACELAB_FAULT"), 0);
    ck_assert(!rl_env_fault_any());
    ck_assert(!rl_env_fault("tsan-mmap"));
}
END_TEST

/* A scratch folder holding lab 06's solution. */
static char *submission(void)
{
    char *dir = strdup("/tmp/racelab-envfault-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp solutions/06-counter/counter.c %s/", dir);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

static void remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The last grading's Gradescope results.json. */
static json_t *gradescope;

/* `racelab grade LAB DIR` with RACELAB_FAULT=fault (labs from labs_root
 * when given): its JSON grade, and its text report in *out. */
static json_t *grade(const char *fault, const char *labs_root, const char *lab,
                     const char *dir, char **out)
{
    char base[] = "/tmp/racelab-envgrade-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(base));
    char cmd[2048], json[128], text[128], gs[128];
    snprintf(json, sizeof json, "%s/grade.json", base);
    snprintf(gs, sizeof gs, "%s/results.json", base);
    snprintf(text, sizeof text, "%s/grade.txt", base);
    snprintf(cmd, sizeof cmd,
             "RACELAB_FAULT=%s %s%s bin/racelab grade %s %s --json %s "
             "--gradescope %s >%s 2>/dev/null",
             fault, labs_root ? "RACELAB_LABS=" : "",
             labs_root ? labs_root : "", lab, dir, json, gs, text);
    int status = system(cmd);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    json_error_t e;
    json_t *doc = json_load_file(json, 0, &e);
    ck_assert_msg(doc != NULL, "no JSON grade: %s", e.text);
    json_decref(gradescope);
    gradescope = json_load_file(gs, 0, &e);
    ck_assert_msg(gradescope != NULL, "no results.json: %s", e.text);
    *out = test_read_all(text);
    ck_assert_ptr_nonnull(*out);
    remove_tree(base);
    return doc;
}

static json_t *check_named(json_t *doc, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(doc, "checks"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    ck_abort_msg("no check '%s'", name);
    return NULL;
}

static int flag(json_t *doc, const char *check, const char *field)
{
    json_t *v = json_object_get(check_named(doc, check), field);
    ck_assert_msg(json_is_boolean(v), "%s: no boolean %s", check, field);
    return json_is_true(v);
}

static long points(json_t *doc, const char *check)
{
    return json_integer_value(
        json_object_get(check_named(doc, check), "points"));
}

static const char *message(json_t *doc, const char *check)
{
    const char *m =
        json_string_value(json_object_get(check_named(doc, check), "message"));
    return m ? m : "";
}

static size_t nfindings(json_t *doc, const char *check)
{
    return json_array_size(
        json_object_get(check_named(doc, check), "findings"));
}

/* The environment_faults line that starts with `start`, or NULL. */
static const char *environment_fault(json_t *doc, const char *start)
{
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(doc, "environment_faults"), i, v)
        if (strncmp(json_string_value(v), start, strlen(start)) == 0)
            return json_string_value(v);
    return NULL;
}

/* The loud block comes before the first check's line. */
static void assert_loud_first(const char *out, const char *words)
{
    const char *loud = strstr(out, "!!! ENVIRONMENT FAULT");
    const char *first = strstr(out, "   compiles");
    ck_assert_msg(loud && first && loud < first, "%s", out);
    ck_assert_msg(strstr(loud, words) != NULL, "no '%s' in:\n%s", words, out);
}

static const char *const RACE = "no data race";
static const char *const SCHED =
    "exact on every interleaving the scheduler tries";

START_TEST(test_tsan_mmap_solution)
{
    char *dir = submission(), *out;
    json_t *doc = grade("tsan-mmap", NULL, "06-counter", dir, &out);
    /* Only TSan decides "no data race" in the tests run: not measured,
     * 0 points, the fix named; never a silent 4/4. */
    ck_assert(flag(doc, RACE, "not_measured"));
    ck_assert(!flag(doc, RACE, "passed"));
    ck_assert_int_eq(points(doc, RACE), 0);
    const char *m = message(doc, RACE);
    ck_assert_msg(strncmp(m, "not measured: tsan could not run here", 37) == 0,
                  "%s", m);
    ck_assert_ptr_nonnull(strstr(m, "unexpected memory mapping"));
    ck_assert_ptr_nonnull(strstr(m, "fix: as root on the host, sysctl -w "
                                    "vm.mmap_rnd_bits=28"));
    ck_assert_ptr_nonnull(strstr(m, "seccomp=unconfined"));
    /* The tools that ran judge the rest: the probe's tests and deadlock,
     * the scheduler's interleavings. */
    const char *measured[] = {"compiles", "one thread and no increments",
                              "count_locked: exact totals with 2 to 8 threads",
                              "no deadlock", SCHED};
    for (size_t i = 0; i < sizeof measured / sizeof *measured; i++) {
        ck_assert_msg(flag(doc, measured[i], "passed"), "%s\n%s", measured[i],
                      out);
        ck_assert(!flag(doc, measured[i], "not_measured"));
    }
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "score")), 11);
    ck_assert_ptr_nonnull(environment_fault(doc, "tsan could not run here: "));
    ck_assert_int_eq(
        json_array_size(json_object_get(doc, "environment_faults")), 1);
    assert_loud_first(out, "1 check is NOT MEASURED");
    ck_assert_ptr_nonnull(strstr(out, "!!!   tsan could not run here: "));
    ck_assert_ptr_nonnull(strstr(out, "FAIL   0/4   no data race\n"
                                      "        not measured: tsan"));
    /* Gradescope's output starts with the same loud block. */
    const char *gs_out =
        json_string_value(json_object_get(gradescope, "output"));
    ck_assert_ptr_nonnull(gs_out);
    ck_assert_msg(strncmp(gs_out, "!!! ENVIRONMENT FAULT", 21) == 0, "%s",
                  gs_out);
    json_decref(doc);
    free(out);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_tsan_mmap_starter)
{
    char *out;
    /* The lab's own counter.c: the starter. */
    json_t *doc =
        grade("tsan-mmap", NULL, "06-counter", "labs/06-counter", &out);
    ck_assert(flag(doc, RACE, "not_measured"));
    ck_assert_int_eq(points(doc, RACE), 0);
    ck_assert_int_eq(nfindings(doc, RACE), 0);
    /* The scheduler, trusted with data-race too, still shows the lost
     * update: judged, not "not measured". */
    ck_assert(!flag(doc, SCHED, "passed"));
    ck_assert(!flag(doc, SCHED, "not_measured"));
    ck_assert_uint_ge(nfindings(doc, SCHED), 1);
    ck_assert_ptr_null(strstr(message(doc, SCHED), "not measured"));
    assert_loud_first(out, "1 check is NOT MEASURED");
    json_decref(doc);
    free(out);
}
END_TEST

/* Lab 06 with valgrind in its rubric: one run where ASan, trusted with
 * memory-leak too, stands in for memcheck; one where memcheck alone
 * would decide it. */
static const char vg_rubric[] =
    "{\"lab\": \"06-vg\", \"title\": \"counter, valgrind\",\n"
    " \"student_files\": [\"counter.c\"],\n"
    " \"runs\": {\n"
    "  \"asan\": {\"sources\": [\"tests/check_counter.c\", \"counter.c\"],\n"
    "   \"check_tests\": true, \"tools\": [\"probe\", \"asan\", "
    "\"memcheck\"], \"timeout\": 60},\n"
    "  \"valgrind\": {\"sources\": [\"tests/check_counter.c\", "
    "\"counter.c\"],\n"
    "   \"check_tests\": true, \"tools\": [\"probe\", \"memcheck\"], "
    "\"timeout\": 60}},\n"
    " \"checks\": [\n"
    "  {\"name\": \"compiles\", \"points\": 1, \"run\": \"asan\", "
    "\"expect\": \"compiles\"},\n"
    "  {\"name\": \"tests pass\", \"points\": 2, \"run\": \"valgrind\", "
    "\"expect\": \"tests-pass\"},\n"
    "  {\"name\": \"no memory-leak (asan)\", \"points\": 2, \"run\": "
    "\"asan\", \"forbid\": [\"memory-leak\"]},\n"
    "  {\"name\": \"no memory-leak (memcheck)\", \"points\": 2, \"run\": "
    "\"valgrind\", \"forbid\": [\"memory-leak\"]}]}\n";

START_TEST(test_no_valgrind_falls_back_to_asan)
{
    char root[] = "/tmp/racelab-envlabs-XXXXXX", cmd[512], path[256];
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(cmd, sizeof cmd,
             "cp -r labs/06-counter %s/06-vg && cp -r labs/sync-common %s/",
             root, root);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/06-vg/rubric.json", root);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(vg_rubric, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    char *dir = submission(), *out;
    json_t *doc = grade("no-valgrind", root, "06-vg", dir, &out);
    const char *vg = "no memory-leak (memcheck)";
    ck_assert(flag(doc, vg, "not_measured"));
    ck_assert_int_eq(points(doc, vg), 0);
    const char *m = message(doc, vg);
    ck_assert_msg(strncmp(m, "not measured: memcheck could not run here", 41) ==
                      0,
                  "%s", m);
    ck_assert_ptr_nonnull(strstr(m, "fix: apt-get install valgrind"));
    /* The policy trusts ASan with memory-leak: measured without valgrind. */
    ck_assert(flag(doc, "no memory-leak (asan)", "passed"));
    ck_assert(!flag(doc, "no memory-leak (asan)", "not_measured"));
    /* The probe still ran the tests of the valgrind-only run. */
    ck_assert_msg(flag(doc, "tests pass", "passed"), "%s", out);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "score")), 5);
    ck_assert_ptr_nonnull(
        environment_fault(doc, "memcheck could not run here: valgrind"));
    assert_loud_first(out, "1 check is NOT MEASURED");
    json_decref(doc);
    free(out);
    remove_tree(dir);
    free(dir);
    remove_tree(root);
}
END_TEST

START_TEST(test_no_cgroup_is_said_and_measured)
{
    char *dir = submission(), *out;
    json_t *doc = grade("no-cgroup", NULL, "06-counter", dir, &out);
    /* Every tool ran: all measured, full marks, and the weaker
     * confinement said first. */
    ck_assert_msg(json_integer_value(json_object_get(doc, "score")) == 15, "%s",
                  out);
    ck_assert(!flag(doc, RACE, "not_measured"));
    const char *e = environment_fault(doc, "no memory or pids cgroup here");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(e, "fix: run racelab as root"));
    /* The sandbox really went without: every run says so. */
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(doc, "isolation"), i, v)
        ck_assert_msg(strstr(json_string_value(v), "no cgroup") &&
                          !strstr(json_string_value(v), "cgroups"),
                      "%s", json_string_value(v));
    ck_assert_uint_ge(json_array_size(json_object_get(doc, "isolation")), 1);
    assert_loud_first(out, "every check was still measured");
    json_decref(doc);
    free(out);
    remove_tree(dir);
    free(dir);
}
END_TEST

Suite *make_env_faults_suite(void)
{
    Suite *s = suite_create("env_faults");
    TCase *names = tcase_create("names");
    tcase_set_tags(names, "fast");
    tcase_add_test(names, test_fault_list_is_read_by_name);
    suite_add_tcase(s, names);
    TCase *grading = tcase_create("grading");
    tcase_set_timeout(grading, 300);
    tcase_add_test(grading, test_tsan_mmap_solution);
    tcase_add_test(grading, test_tsan_mmap_starter);
    tcase_add_test(grading, test_no_valgrind_falls_back_to_asan);
    tcase_add_test(grading, test_no_cgroup_is_said_and_measured);
    suite_add_tcase(s, grading);
    return s;
}
