/* check_grade_formats.c: `racelab grade`'s output formats from a result
 * built by hand, without running anything. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>

#include "report/grade_formats.h"
#include "report/xml_escape.h"
#include "test_files.h"

/* Two checks of one run that did not compile: the second refers back. */
static void compile_error_result(struct rl_grade_result *r,
                                 struct rl_grade_check_result checks[2],
                                 struct rl_grade_run_result *run, char *message)
{
    memset(r, 0, sizeof *r);
    memset(run, 0, sizeof *run);
    run->name = "tests";
    run->sched_note = "";
    for (int i = 0; i < 2; i++)
        checks[i] = (struct rl_grade_check_result){
            .name = i ? "no data race" : "compiles",
            .status = RL_GRADE_FAIL,
            .max_points = i ? 4 : 1,
            .problem = RL_GRADE_PROBLEM_COMPILE_ERROR,
            .message = message,
        };
    r->lab = "06-counter";
    r->max_score = 5;
    r->checks = checks;
    r->nchecks = 2;
    r->runs = run;
    r->nruns = 1;
}

/* Runs an emitter into a temporary file and returns what it wrote. */
static char *emit_to_string(const char *format, const struct rl_grade_result *r)
{
    char path[] = "/tmp/racelab-grade-format-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    const struct rl_grade_format *f = rl_grade_format_find(format);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(f->emit(r, path, err, sizeof err) == 0, "%s", err);
    FILE *in = fopen(path, "r");
    char *text = calloc(1, 65536);
    size_t got = fread(text, 1, 65535, in);
    (void)got;
    fclose(in);
    unlink(path);
    return text;
}

START_TEST(test_json_keeps_a_latin1_message_as_a_string)
{
    struct rl_grade_result r;
    struct rl_grade_check_result checks[2];
    struct rl_grade_run_result run;
    char message[] = "the program does not compile:\n"
                     "counter.c:3:8: error: stray '\\351' in program\n"
                     "    3 | int caf\xe9 = 1;\n";
    compile_error_result(&r, checks, &run, message);
    char *text = emit_to_string("json", &r);
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", e.text);
    json_t *c = json_array_get(json_object_get(doc, "checks"), 0);
    json_t *m = json_object_get(c, "message");
    ck_assert_msg(json_is_string(m), "message is not a string: %s", text);
    ck_assert_ptr_nonnull(strstr(json_string_value(m), "int caf? = 1;"));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "lab")),
                     "06-counter");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "max_score")), 5);
    ck_assert(json_is_false(json_object_get(c, "passed")));
    json_decref(doc);
    free(text);
}
END_TEST

START_TEST(test_text_shows_the_compiler_once_per_run)
{
    struct rl_grade_result r;
    struct rl_grade_check_result checks[2];
    struct rl_grade_run_result run;
    char message[] = "the program does not compile:\ncounter.c:3: error";
    compile_error_result(&r, checks, &run, message);
    char *text = emit_to_string("text", &r);
    ck_assert_str_eq(text, "FAIL   0/1   compiles\n"
                           "        the program does not compile:\n"
                           "        counter.c:3: error\n"
                           "FAIL   0/4   no data race\n"
                           "        the program does not compile (the "
                           "compiler's messages are above)\n"
                           "\nruns:\n"
                           "  tests: did not run\n"
                           "\nscore: 0/5\n");
    free(text);
}
END_TEST

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* One deadlock failing three checks: one block, then references to it. */
START_TEST(test_text_shows_each_finding_once)
{
    struct rl_check check;
    memset(&check, 0, sizeof check);
    rl_findings_add(&check.verdict, "deadlock", "probe");
    const struct rl_finding *f = &check.verdict.v[0];
    struct rl_grade_run_result run = {
        .name = "tests", .check = &check, .sched_note = ""};
    struct rl_grade_check_result checks[3];
    static const char *const names[] = {"opposite", "self", "no deadlock"};
    for (int i = 0; i < 3; i++)
        checks[i] = (struct rl_grade_check_result){.name = names[i],
                                                   .status = RL_GRADE_FAIL,
                                                   .max_points = 1,
                                                   .findings = &f,
                                                   .nfindings = 1};
    struct rl_grade_result r = {.lab = "08-deadlock",
                                .max_score = 3,
                                .checks = checks,
                                .nchecks = 3,
                                .runs = &run,
                                .nruns = 1};
    char *text = emit_to_string("text", &r);
    ck_assert_int_eq(count(text, "What it means:"), 1);
    ck_assert_int_eq(count(text, "deadlock: see the finding under "
                                 "'opposite' above"),
                     2);
    free(text);
    rl_findings_free(&check.verdict);
}
END_TEST

/* PrairieLearn refuses results over 1 MB: 1000 checks, each failing with
 * 100 KB of compiler output, still fit, every test still listed. */
START_TEST(test_prairielearn_stays_under_its_limit)
{
    enum { NCHECKS = 1000, MESSAGE = 100 * 1000 };
    struct rl_grade_result r;
    struct rl_grade_check_result two[2];
    struct rl_grade_run_result run;
    char *message = malloc(MESSAGE + 1);
    for (size_t i = 0; i < MESSAGE; i++)
        message[i] = i % 80 == 79 ? '\n' : 'x';
    message[MESSAGE] = '\0';
    compile_error_result(&r, two, &run, message);
    struct rl_grade_check_result *checks = calloc(NCHECKS, sizeof *checks);
    for (size_t i = 0; i < NCHECKS; i++)
        checks[i] = two[i % 2];
    r.checks = checks;
    r.nchecks = NCHECKS;
    char path[] = "/tmp/racelab-pl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    ck_assert(
        rl_grade_format_find("prairielearn")->emit(&r, path, err, sizeof err) ==
        0);
    char *text = test_read_all(path);
    unlink(path);
    ck_assert_msg(strlen(text) < 1000 * 1000, "%zu bytes", strlen(text));
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", e.text);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "tests")), NCHECKS);
    ck_assert(json_real_value(json_object_get(doc, "score")) == 0.0);
    json_decref(doc);
    free(text);
    free(checks);
    free(message);
}
END_TEST

/* What expat gives back of <r a="ATTR">TEXT</r> built by rl_xml_write. */
struct xml_back {
    char attr[4096], text[4096];
};

static void XMLCALL xml_start(void *data, const char *name, const char **atts)
{
    struct xml_back *b = data;
    if (atts[0])
        snprintf(b->attr, sizeof b->attr, "%s", atts[1]);
}

static void XMLCALL xml_chars(void *data, const char *s, int len)
{
    struct xml_back *b = data;
    strncat(b->text, s,
            sizeof b->text - strlen(b->text) - 1 < (size_t)len
                ? sizeof b->text - strlen(b->text) - 1
                : (size_t)len);
}

static void xml_round_trip(const char *s, struct xml_back *b)
{
    char *doc = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&doc, &len);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r a=\"", out);
    rl_xml_write(out, s, 1);
    fputs("\">", out);
    rl_xml_write(out, s, 0);
    fputs("</r>\n", out);
    fclose(out);
    memset(b, 0, sizeof *b);
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, b);
    XML_SetStartElementHandler(p, xml_start);
    XML_SetCharacterDataHandler(p, xml_chars);
    ck_assert_msg(XML_Parse(p, doc, (int)len, 1) == XML_STATUS_OK,
                  "not XML (%s): %s", XML_ErrorString(XML_GetErrorCode(p)),
                  doc);
    XML_ParserFree(p);
    free(doc);
}

/* Whatever a program printed is well-formed XML 1.0 once written, reads
 * back as it was where XML can carry it, and visibly escaped where not. */
START_TEST(test_xml_escape_round_trips)
{
    struct xml_back b;
    xml_round_trip("<testcase name=\"x\"/>]]>&amp; 'q'", &b);
    ck_assert_str_eq(b.attr, "<testcase name=\"x\"/>]]>&amp; 'q'");
    ck_assert_str_eq(b.text, "<testcase name=\"x\"/>]]>&amp; 'q'");
    /* Newlines and tabs stay newlines and tabs, in attributes too. */
    xml_round_trip("line 1\n\tline 2", &b);
    ck_assert_str_eq(b.attr, "line 1\n\tline 2");
    ck_assert_str_eq(b.text, "line 1\n\tline 2");
    /* Bytes XML 1.0 forbids: controls, NUL-free but not UTF-8, U+FFFE. */
    xml_round_trip("\x1b[2K\x01\x7f bad\xff\xfe \xef\xbf\xbe cr\r", &b);
    ck_assert_str_eq(b.text, "\\x1b[2K\\x01\\x7f bad\\xff\\xfe \\ufffe cr\\r");
    ck_assert_str_eq(b.attr, b.text);
    xml_round_trip("caf\xc3\xa9 \xe2\x80\x98ok\xe2\x80\x99", &b);
    ck_assert_str_eq(b.text, "caf\xc3\xa9 \xe2\x80\x98ok\xe2\x80\x99");
}
END_TEST

/* A check whose message a hostile program wrote: every annotation stays
 * one line, titled, and the text reads back as it was. */
START_TEST(test_github_escapes_what_the_program_wrote)
{
    struct rl_grade_result r;
    struct rl_grade_check_result checks[2];
    struct rl_grade_run_result run;
    char message[] = "test x failed: got\n::error::pwned\r\n%0A::warning::"
                     "pwned\n  ##[error]pwned";
    compile_error_result(&r, checks, &run, message);
    checks[0].problem = checks[1].problem = RL_GRADE_PROBLEM_NONE;
    checks[0].name = "a, b: c";
    char *text = emit_to_string("github", &r);
    size_t lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        ck_assert_msg(strncmp(line, "::error title=", 14) == 0 ||
                          strncmp(line, "::notice title=", 15) == 0,
                      "not an annotation: %s", line);
        ck_assert_ptr_null(strchr(line, '\r'));
        if (lines == 1) {
            /* The title's ',' and ':' escaped, the message's %, CR, LF. */
            ck_assert_ptr_nonnull(strstr(line, "title=a%2C b%3A c::"));
            ck_assert_ptr_nonnull(strstr(
                line, "got%0A::error::pwned\\r%0A%250A::warning::pwned%0A  "
                      "##[error]pwned"));
        }
    }
    ck_assert_int_eq(lines, 3); /* two checks and the score */
    free(text);
}
END_TEST

START_TEST(test_every_format_is_in_the_table)
{
    ck_assert_ptr_nonnull(rl_grade_format_find("text"));
    ck_assert_ptr_nonnull(rl_grade_format_find("json"));
    /* The CI formats are racelab check's too; the platforms' are not. */
    static const char *const both[] = {"junit", "sarif", "github"};
    for (size_t i = 0; i < 3; i++)
        ck_assert_ptr_nonnull(rl_grade_format_find(both[i])->check_emit);
    ck_assert_ptr_null(rl_grade_format_find("gradescope")->check_emit);
    ck_assert_ptr_null(rl_grade_format_find("nonesuch"));
}
END_TEST

Suite *make_grade_formats_suite(void)
{
    Suite *s = suite_create("grade_formats");
    TCase *t = tcase_create("emitters");
    tcase_set_tags(t, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(t, test_json_keeps_a_latin1_message_as_a_string);
    tcase_add_test(t, test_text_shows_the_compiler_once_per_run);
    tcase_add_test(t, test_every_format_is_in_the_table);
    tcase_add_test(t, test_prairielearn_stays_under_its_limit);
    tcase_add_test(t, test_xml_escape_round_trips);
    tcase_add_test(t, test_github_escapes_what_the_program_wrote);
    tcase_add_test(t, test_text_shows_each_finding_once);
    suite_add_tcase(s, t);
    return s;
}
