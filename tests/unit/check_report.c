/* check_report.c: the text and JSON reports (the failure-mode table and
 * its docs: check_failure_modes.c). */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine/failure_modes.h"
#include "engine/finding.h"
#include "report/report.h"
#include "engine/sources.h"
#include "test_files.h"

/* A user program whose lines the report must quote. */
static const char counter_c[] = "#include <pthread.h>\n"
                                "static long cnt;\n"
                                "static void *worker(void *arg)\n"
                                "{\n"
                                "    for (int i = 0; i < 1000; i++)\n"
                                "        cnt++;\n"
                                "    return NULL;\n"
                                "}\n";

static char dir[64];
static char src[128];
static struct rl_sources sources;
static struct rl_findings findings;

static void setup(void)
{
    char err[256] = "";
    snprintf(dir, sizeof dir, "/tmp/check-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(src, sizeof src, "%s/counter.c", dir);
    FILE *f = fopen(src, "w");
    ck_assert_ptr_nonnull(f);
    fputs(counter_c, f);
    fclose(f);
    char *paths[] = {src};
    ck_assert_msg(rl_sources_init(&sources, paths, 1, err, sizeof err) == 0,
                  "%s", err);
    memset(&findings, 0, sizeof findings);
}

static void teardown(void)
{
    rl_findings_free(&findings);
    rl_sources_free(&sources);
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Names in dir other than "." and "..", for spotting leftover temp files. */
static int count_entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The text report of the current findings, as one string (caller frees).
 * The stream's buffer variables are file-scope: gcc 12 takes a pointer
 * into a local one for a dangling pointer. */
static char *rendered;
static size_t rendered_len;

static char *render(const struct rl_run_summary *runs, size_t nruns)
{
    FILE *out = open_memstream(&rendered, &rendered_len);
    struct rl_report r = {"counter.c", &sources, &findings, runs, nruns};
    ck_assert_ptr_nonnull(out);
    rl_report_text(out, &r);
    fclose(out);
    return rendered;
}

static int occurrences(const char *text, const char *word)
{
    int n = 0;
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
        n++;
    return n;
}

/* The race of counter.c as tsan and helgrind would both report it. */
static struct rl_finding *add_race(void)
{
    struct rl_finding *f = rl_findings_add(&findings, "data-race", "tsan");
    rl_finding_add_tool(f, "helgrind");
    rl_finding_add_location(f, src, 6, "worker");
    rl_finding_add_location(f, src, 5, NULL);
    return f;
}

/* ---- Text ---- */

START_TEST(text_shows_id_place_code_tools_and_advice)
{
    struct rl_finding *f = add_race();
    rl_finding_set_detail(f, "write of size 8 by thread T2\nprevious write");
    char *out = render(NULL, 0);
    const char *m = rl_failure_mode_find("data-race")->title;
    char head[128];
    snprintf(head, sizeof head, "data-race: %s\n", m);

    ck_assert_msg(strncmp(out, head, strlen(head)) == 0, "%s", out);
    ck_assert_msg(strstr(out, "counter.c:6  in worker:  cnt++;\n"), "%s", out);
    /* No function: the code still lines up under the other location. */
    ck_assert_msg(strstr(out, "counter.c:5              for (int i = 0;"), "%s",
                  out);
    ck_assert_msg(strstr(out, "\n  seen by: tsan, helgrind\n"), "%s", out);
    ck_assert_msg(strstr(out, "\n    write of size 8 by thread T2\n"
                              "    previous write\n"),
                  "%s", out);
    ck_assert_msg(strstr(out, "\n  What it means: Two threads"), "%s", out);
    ck_assert_msg(strstr(out, "\n  How to fix: Guard"), "%s", out);
    ck_assert_msg(strstr(out, "\n1 finding: data-race\n"), "%s", out);
    free(out);
}
END_TEST

START_TEST(text_locations_use_the_given_file_name)
{
    add_race();
    char *out = render(NULL, 0);
    char line[256];
    /* src is the name the user typed: quoted as is, never rewritten. */
    snprintf(line, sizeof line, "\n  %s:6  in worker:", src);
    ck_assert_msg(strstr(out, line), "%s", out);
    free(out);
}
END_TEST

/* Advice wraps at 76 columns, continuation lines indented; nothing ends
 * in a blank. */
START_TEST(text_wraps_and_has_no_trailing_blanks)
{
    int nids = 0;
    for (const struct rl_failure_mode *m = rl_failure_modes; m->id; m++) {
        struct rl_finding *f = rl_findings_add(&findings, m->id, "probe");
        rl_finding_add_location(f, "nowhere.c", 3, NULL);
        nids++;
    }
    char *out = render(NULL, 0);
    int in_advice = 0, wrapped = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        size_t len = strlen(line);
        ck_assert_msg(line[len - 1] != ' ', "trailing blank: '%s'", line);
        if (!strncmp(line, "  What it means:", 16) ||
            !strncmp(line, "  How to fix:", 13))
            in_advice = 1;
        else if (strncmp(line, "    ", 4) != 0)
            in_advice = 0;
        else if (in_advice)
            wrapped++;
        if (in_advice)
            ck_assert_msg(len <= 76, "too long: '%s'", line);
    }
    ck_assert_int_gt(wrapped, nids);
    free(out);
}
END_TEST

START_TEST(text_summary_counts_ids)
{
    add_race();
    rl_findings_add(&findings, "thread-leak", "tsan");
    rl_findings_add(&findings, "data-race", "tsan");
    char *out = render(NULL, 0);
    ck_assert_msg(strstr(out, "\n3 findings: data-race (2), thread-leak\n"),
                  "%s", out);
    free(out);
}
END_TEST

START_TEST(text_without_findings_says_so)
{
    struct rl_run_summary run = {"tsan", 0, 0.5, 0, NULL};
    char *out = render(&run, 1);
    ck_assert_str_eq(out, "no findings\n");
    free(out);
}
END_TEST

START_TEST(text_tells_why_a_run_was_stopped)
{
    struct rl_run_summary runs[] = {
        {"tsan", 0, 0.4, 0, NULL},
        {"helgrind", 137, 10.0, 1, "stopped: deadlock seen"},
        {"probe", -1, 2.0, 0, "stopped: deadlock seen"},
        {"helgrind", 137, 10.1, 1, "stopped: deadlock seen"},
    };
    rl_findings_add(&findings, "deadlock", "probe");
    char *out = render(runs, 4);
    /* --runs repeats a tool: the same outcome is listed once. */
    ck_assert_msg(strstr(out, "\nhelgrind: timed out after 10.0 s; "
                              "stopped: deadlock seen (2 runs)\n"),
                  "%s", out);
    ck_assert_msg(strstr(out, "\nprobe: stopped: deadlock seen\n"), "%s", out);
    ck_assert_msg(!strstr(out, "tsan:"), "%s", out);
    ck_assert_msg(occurrences(out, "helgrind:") == 1, "%s", out);
    free(out);
}
END_TEST

START_TEST(text_unknown_id_still_shows_evidence)
{
    struct rl_finding *f = rl_findings_add(&findings, "bogus-id", "tsan");
    rl_finding_add_location(f, src, 6, "worker");
    char *out = render(NULL, 0);
    ck_assert_msg(strstr(out, "bogus-id: unknown failure mode"), "%s", out);
    ck_assert_msg(strstr(out, "cnt++;"), "%s", out);
    ck_assert_msg(!strstr(out, "What it means"), "%s", out);
    free(out);
}
END_TEST

/* ---- JSON ---- */

static json_t *load(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    ck_assert_msg(doc != NULL, "%s: %s (line %d)", path, jerr.text, jerr.line);
    return doc;
}

/* The object has exactly these keys, no more. */
static void assert_keys(json_t *obj, const char *const keys[])
{
    size_t n = 0;
    ck_assert(json_is_object(obj));
    for (; keys[n]; n++)
        ck_assert_msg(json_object_get(obj, keys[n]), "no key '%s'", keys[n]);
    ck_assert_int_eq(json_object_size(obj), n);
}

static void assert_string(json_t *obj, const char *key, const char *want)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(json_is_string(v), "'%s' is not a string", key);
    ck_assert_str_eq(json_string_value(v), want);
}

START_TEST(json_round_trips_with_the_contract_fields)
{
    /* "diagnostics" was added by the pipeline (engine/diagnostics.h): an
     * extension, every earlier field is as it was. */
    static const char *const top[] = {"program", "findings",    "runs",
                                      "builds",  "diagnostics", NULL};
    static const char *const dkeys[] = {"level", "tool", "message", NULL};
    static const char *const fkeys[] = {"id",        "title",       "tools",
                                        "locations", "explanation", "fix",
                                        "detail",    NULL};
    static const char *const lkeys[] = {"file", "line", "function", NULL};
    static const char *const rkeys[] = {
        "tool",    "exit_status", "wall_seconds", "timed_out", "note",
        "command", "environment", "isolation",    NULL};
    static const char *const bkeys[] = {"variant", "command",   "wall_seconds",
                                        "ok",      "isolation", NULL};
    char *tsan_argv[] = {"setarch", "x86_64", "-R", "/tmp/x/tsan", NULL};
    char *tsan_env[] = {"TSAN_OPTIONS=halt_on_error=0", NULL};
    char *cc_argv[] = {"gcc", "-g", "counter.c", NULL};
    struct rl_build_summary builds[] = {{"plain", cc_argv, 0.5, 1}};
    struct rl_finding *f = add_race();
    rl_finding_set_detail(f, "write of size 8");
    rl_findings_add(&findings, "thread-leak", "tsan");
    struct rl_run_summary runs[] = {
        {"tsan", 66, 0.25, 0, NULL, tsan_argv, tsan_env},
        {"helgrind", -1, 10.0, 1, "stopped: deadlock seen"},
    };
    struct rl_diagnostics diag = {0};
    rl_diag_add(&diag, RL_DIAG_WARNING, "helgrind", "skipping it: %s", "why");
    struct rl_report r = {"counter.c", &sources, &findings, runs, 2, builds, 1};
    r.diag = &diag;
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/report.json", dir);

    ck_assert_msg(rl_report_json(path, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(count_entries(), 2); /* counter.c, report.json */
    json_t *doc = load(path);
    assert_keys(doc, top);
    assert_string(doc, "program", "counter.c");
    json_t *ds = json_object_get(doc, "diagnostics");
    ck_assert_int_eq(json_array_size(ds), 1);
    assert_keys(json_array_get(ds, 0), dkeys);
    assert_string(json_array_get(ds, 0), "level", "warning");
    assert_string(json_array_get(ds, 0), "tool", "helgrind");
    assert_string(json_array_get(ds, 0), "message", "skipping it: why");
    rl_diag_free(&diag);

    json_t *fs = json_object_get(doc, "findings");
    ck_assert(json_is_array(fs));
    ck_assert_int_eq(json_array_size(fs), 2);
    json_t *race = json_array_get(fs, 0);
    const struct rl_failure_mode *m = rl_failure_mode_find("data-race");
    assert_keys(race, fkeys);
    assert_string(race, "id", "data-race");
    assert_string(race, "title", m->title);
    assert_string(race, "explanation", m->explanation);
    assert_string(race, "fix", m->fix);
    assert_string(race, "detail", "write of size 8");
    json_t *tools = json_object_get(race, "tools");
    ck_assert(json_is_array(tools));
    ck_assert_int_eq(json_array_size(tools), 2);
    ck_assert_str_eq(json_string_value(json_array_get(tools, 0)), "tsan");
    ck_assert_str_eq(json_string_value(json_array_get(tools, 1)), "helgrind");

    json_t *locs = json_object_get(race, "locations");
    ck_assert(json_is_array(locs));
    ck_assert_int_eq(json_array_size(locs), 2);
    json_t *l0 = json_array_get(locs, 0), *l1 = json_array_get(locs, 1);
    assert_keys(l0, lkeys);
    assert_keys(l1, lkeys);
    assert_string(l0, "file", src);
    ck_assert(json_is_integer(json_object_get(l0, "line")));
    ck_assert_int_eq(json_integer_value(json_object_get(l0, "line")), 6);
    assert_string(l0, "function", "worker");
    ck_assert_int_eq(json_integer_value(json_object_get(l1, "line")), 5);
    ck_assert(json_is_null(json_object_get(l1, "function")));

    json_t *leak = json_array_get(fs, 1);
    assert_keys(leak, fkeys);
    assert_string(leak, "id", "thread-leak");
    ck_assert(json_is_null(json_object_get(leak, "detail")));
    ck_assert_int_eq(json_array_size(json_object_get(leak, "locations")), 0);

    json_t *rs = json_object_get(doc, "runs");
    ck_assert(json_is_array(rs));
    ck_assert_int_eq(json_array_size(rs), 2);
    json_t *r0 = json_array_get(rs, 0), *r1 = json_array_get(rs, 1);
    assert_keys(r0, rkeys);
    assert_keys(r1, rkeys);
    assert_string(r0, "tool", "tsan");
    ck_assert(json_is_integer(json_object_get(r0, "exit_status")));
    ck_assert_int_eq(json_integer_value(json_object_get(r0, "exit_status")),
                     66);
    ck_assert(json_is_real(json_object_get(r0, "wall_seconds")));
    ck_assert_double_eq(json_real_value(json_object_get(r0, "wall_seconds")),
                        0.25);
    ck_assert(json_is_false(json_object_get(r0, "timed_out")));
    ck_assert(json_is_null(json_object_get(r0, "note")));
    ck_assert_int_eq(json_integer_value(json_object_get(r1, "exit_status")),
                     -1);
    ck_assert(json_is_true(json_object_get(r1, "timed_out")));
    assert_string(r1, "note", "stopped: deadlock seen");
    json_t *command = json_object_get(r0, "command");
    ck_assert_int_eq(json_array_size(command), 4);
    ck_assert_str_eq(json_string_value(json_array_get(command, 3)),
                     "/tmp/x/tsan");
    ck_assert_str_eq(json_string_value(
                         json_array_get(json_object_get(r0, "environment"), 0)),
                     "TSAN_OPTIONS=halt_on_error=0");
    ck_assert(json_is_null(json_object_get(r1, "command")));

    json_t *bs = json_object_get(doc, "builds");
    ck_assert_int_eq(json_array_size(bs), 1);
    json_t *b0 = json_array_get(bs, 0);
    assert_keys(b0, bkeys);
    assert_string(b0, "variant", "plain");
    ck_assert_int_eq(json_array_size(json_object_get(b0, "command")), 3);
    ck_assert(json_is_true(json_object_get(b0, "ok")));
    json_decref(doc);
}
END_TEST

START_TEST(json_without_findings_has_empty_arrays)
{
    struct rl_report r = {"a.c b.c", &sources, &findings, NULL, 0};
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/empty.json", dir);
    ck_assert_msg(rl_report_json(path, &r, err, sizeof err) == 0, "%s", err);
    json_t *doc = load(path);
    assert_string(doc, "program", "a.c b.c");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "findings")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "runs")), 0);
    ck_assert(json_is_array(json_object_get(doc, "runs")));
    json_decref(doc);
}
END_TEST

/* Tool output is not always UTF-8; the report must stay valid JSON. */
START_TEST(json_survives_bytes_that_are_not_utf8)
{
    struct rl_finding *f = rl_findings_add(&findings, "fd-leak", "probe");
    rl_finding_set_detail(f, "fd 5 \xff\xfe socket");
    struct rl_report r = {"x.c", &sources, &findings, NULL, 0};
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/bytes.json", dir);
    ck_assert_msg(rl_report_json(path, &r, err, sizeof err) == 0, "%s", err);
    json_t *doc = load(path);
    json_t *d = json_object_get(
        json_array_get(json_object_get(doc, "findings"), 0), "detail");
    ck_assert_str_eq(json_string_value(d), "fd 5 ?? socket");
    json_decref(doc);
}
END_TEST

/* A bad ID fails with a message, and an earlier report stays intact. */
START_TEST(json_unknown_id_fails_cleanly)
{
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/report.json", dir);
    FILE *old = fopen(path, "w");
    fputs("{\"old\": true}\n", old);
    fclose(old);
    add_race();
    rl_findings_add(&findings, "bogus-id", "tsan");
    struct rl_report r = {"counter.c", &sources, &findings, NULL, 0};

    ck_assert_int_eq(rl_report_json(path, &r, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown failure mode 'bogus-id'");
    char *text = test_read_all(path);
    ck_assert_str_eq(text, "{\"old\": true}\n");
    free(text);
    ck_assert_int_eq(count_entries(), 2); /* no temporary file left */
}
END_TEST

START_TEST(json_unwritable_path_fails_with_message)
{
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/missing/report.json", dir);
    struct rl_report r = {"counter.c", &sources, &findings, NULL, 0};
    ck_assert_int_eq(rl_report_json(path, &r, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "cannot create '") && strstr(err, "missing/"),
                  "%s", err);
}
END_TEST

Suite *make_report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *text = tcase_create("Text");
    tcase_set_tags(text, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(text, setup, teardown);
    tcase_add_test(text, text_shows_id_place_code_tools_and_advice);
    tcase_add_test(text, text_locations_use_the_given_file_name);
    tcase_add_test(text, text_wraps_and_has_no_trailing_blanks);
    tcase_add_test(text, text_summary_counts_ids);
    tcase_add_test(text, text_without_findings_says_so);
    tcase_add_test(text, text_tells_why_a_run_was_stopped);
    tcase_add_test(text, text_unknown_id_still_shows_evidence);
    suite_add_tcase(s, text);

    TCase *json = tcase_create("Json");
    tcase_set_tags(json, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(json, setup, teardown);
    tcase_add_test(json, json_round_trips_with_the_contract_fields);
    tcase_add_test(json, json_without_findings_has_empty_arrays);
    tcase_add_test(json, json_survives_bytes_that_are_not_utf8);
    tcase_add_test(json, json_unknown_id_fails_cleanly);
    tcase_add_test(json, json_unwritable_path_fails_with_message);
    suite_add_tcase(s, json);
    return s;
}
