/* check_class_report.c: racelab class-report's loader and its two views
 * (report/class_report.c, class_html.c, class_md.c) on a class folder
 * written here: the counts, and the students' names and source lines
 * kept as data. The real class grading: tests/class/grade-class.sh. */
#include <check.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/class_report.h"

static char dir[64];
static char src[128];

/* A name that would be markup, a table cell's end and a code fence. */
static const char hostile[] = "<img src=x onerror=alert(1)>|`x`&\"\x1b[2J";

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* One student's grade JSON: two checks, the second failed by a race at
 * src line 2 when racy. */
static void student(const char *name, int racy, const char *note)
{
    char path[512], json[2048];
    snprintf(json, sizeof json,
             "{\"lab\": \"06-counter\", \"score\": %d, \"max_score\": 5,"
             " \"checks\": [{\"name\": \"compiles\", \"points\": 1,"
             " \"max_points\": 1, \"passed\": true, \"findings\": []},"
             " {\"name\": \"no data race\", \"points\": %d, \"max_points\": 4,"
             " \"passed\": %s, \"findings\": [%s]}]}",
             racy ? 1 : 5, racy ? 0 : 4, racy ? "false" : "true",
             racy ? "{\"id\": \"data-race\", \"title\": \"two threads\","
                    " \"explanation\": \"no lock <b>between</b>\","
                    " \"locations\": [{\"file\": \"SRC\", \"line\": 2}]}"
                  : "");
    char *at = strstr(json, "SRC");
    if (at) {
        char rest[2048];
        snprintf(rest, sizeof rest, "%s", at + 3);
        snprintf(at, sizeof json - (size_t)(at - json), "%s%s", src, rest);
    }
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    put(path, json);
    snprintf(path, sizeof path, "%s/.racelab/%s", dir, name);
    put(path, note);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/rl-class-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char notes[128];
    snprintf(notes, sizeof notes, "%s/.racelab", dir);
    ck_assert_int_eq(mkdir(notes, 0755), 0);
    snprintf(src, sizeof src, "%s/counter.c", dir);
    put(src, "static long cnt;\n"
             "    cnt++; /* </code><script>alert('x')</script> | ` */\n");
    student("alice", 0, "status=0\nseconds=3.0\n");
    student(hostile, 1, "status=0\nseconds=9.5\n");
    student("bob", 1, "status=0\nseconds=1.0\nmissing=counter.h\n");
    char path[512];
    snprintf(path, sizeof path, "%s/.racelab/carol.zip", dir);
    put(path, "status=2\nreason=a file, not a folder\n");
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(load_counts_the_class)
{
    struct rl_class c;
    char err[256];
    ck_assert_int_eq(rl_class_load(dir, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.nstudents, 4);
    ck_assert_uint_eq(rl_class_graded(&c), 3);
    ck_assert_uint_eq(c.nchecks, 2);
    ck_assert_uint_eq(rl_class_passed(&c, 0), 3);
    ck_assert_uint_eq(rl_class_passed(&c, 1), 1);
    ck_assert_uint_eq(c.nmodes, 1);
    ck_assert_str_eq(c.modes[0].id, "data-race");
    ck_assert_uint_eq(c.modes[0].submissions, 2);
    ck_assert_str_eq(c.modes[0].where, "counter.c:2");
    /* The first racing submission by name: the hostile one ('<' < 'b'). */
    ck_assert_str_eq(c.modes[0].example, hostile);
    ck_assert_str_eq(c.modes[0].who[0], hostile);
    ck_assert_str_eq(c.modes[0].who[1], "bob");
    ck_assert_ptr_null(c.modes[0].who[2]);
    size_t *counts;
    char **labels;
    size_t nbins = rl_class_histogram(&c, &counts, &labels);
    ck_assert_uint_eq(nbins, 6);
    ck_assert_uint_eq(counts[1], 2);
    ck_assert_uint_eq(counts[5], 1);
    for (size_t b = 0; b < nbins; b++)
        free(labels[b]);
    free(counts);
    free(labels);
    size_t n;
    size_t *slow = rl_class_slowest(&c, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(c.students[slow[0]].name, hostile);
    free(slow);
    int saw_zip = 0, saw_missing = 0;
    for (size_t i = 0; i < c.nstudents; i++) {
        if (strcmp(c.students[i].name, "carol.zip") == 0) {
            ck_assert(!c.students[i].graded);
            ck_assert_str_eq(c.students[i].why, "a file, not a folder");
            saw_zip = 1;
        }
        if (strcmp(c.students[i].name, "bob") == 0) {
            ck_assert(c.students[i].graded);
            ck_assert_ptr_nonnull(strstr(c.students[i].why, "counter.h"));
            saw_missing = 1;
        }
    }
    ck_assert(saw_zip && saw_missing);
    rl_class_free(&c);
}
END_TEST

/* What expat saw of the page: element names and all character data. */
struct parsed {
    char names[4096];
    char text[16384];
    int bad_attrs;
};

static void XMLCALL on_start(void *data, const XML_Char *name,
                             const XML_Char **attrs)
{
    struct parsed *p = data;
    strncat(p->names, name, sizeof p->names - strlen(p->names) - 2);
    strcat(p->names, " ");
    for (size_t i = 0; attrs[i]; i += 2)
        p->bad_attrs += strncmp(attrs[i], "on", 2) == 0 ||
                        strcmp(attrs[i], "src") == 0 ||
                        strcmp(attrs[i], "href") == 0;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct parsed *p = data;
    size_t have = strlen(p->text);
    if (have + (size_t)len + 1 < sizeof p->text)
        strncat(p->text, s, (size_t)len);
}

static char *render(int (*view)(const struct rl_class *, FILE *))
{
    struct rl_class c;
    char err[256];
    ck_assert_int_eq(rl_class_load(dir, &c, err, sizeof err), 0);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(view(&c, f), 0);
    fclose(f);
    rl_class_free(&c);
    return buf;
}

START_TEST(html_keeps_student_text_as_text)
{
    char *page = render(rl_class_html);
    struct parsed *p = calloc(1, sizeof *p);
    XML_Parser x = XML_ParserCreate("UTF-8");
    XML_SetUserData(x, p);
    XML_SetElementHandler(x, on_start, on_end);
    XML_SetCharacterDataHandler(x, on_text);
    int ok = XML_Parse(x, page, (int)strlen(page), 1) == XML_STATUS_OK;
    ck_assert_msg(ok, "not well-formed: %s at line %lu",
                  XML_ErrorString(XML_GetErrorCode(x)),
                  (unsigned long)XML_GetCurrentLineNumber(x));
    XML_ParserFree(x);
    ck_assert_ptr_null(strstr(p->names, "script "));
    ck_assert_ptr_null(strstr(p->names, "img "));
    ck_assert_int_eq(p->bad_attrs, 0);
    /* The name, the source line and the explanation read back as the
     * very text they were, the escape byte made visible. */
    ck_assert_ptr_nonnull(
        strstr(p->text, "<img src=x onerror=alert(1)>|`x`&\"\\x1b[2J"));
    ck_assert_ptr_nonnull(
        strstr(p->text, "cnt++; /* </code><script>alert('x')</script>"));
    ck_assert_ptr_nonnull(strstr(p->text, "no lock <b>between</b>"));
    ck_assert_ptr_nonnull(
        strstr(p->text, "who<img src=x onerror=alert(1)>|`x`&\"\\x1b[2J, bob"));
    ck_assert_ptr_nonnull(strstr(p->text, "not graded: a file, not a folder"));
    ck_assert_ptr_null(strchr(page, '\x1b'));
    free(p);
    free(page);
}
END_TEST

START_TEST(md_rows_keep_their_cells)
{
    char *md = render(rl_class_md);
    ck_assert_ptr_null(strchr(md, '\x1b'));
    ck_assert_ptr_nonnull(strstr(md, "| compiles | 1 | 3/3 | 100% |"));
    ck_assert_ptr_nonnull(strstr(md, "| no data race | 4 | 1/3 | 33% |"));
    /* The failure-mode row: four cells whatever the name and line hold
     * (an unescaped '|' would split one). */
    char *row = strstr(md, "| **data-race**");
    ck_assert_ptr_nonnull(row);
    int cells = 0;
    for (char *q = row; *q && *q != '\n'; q++)
        cells += *q == '|' && (q == row || q[-1] != '\\');
    ck_assert_int_eq(cells, 5);
    ck_assert_ptr_nonnull(strstr(row, "in &lt;img src=x onerror=alert(1)&gt;"
                                      "\\|\\`x\\`&amp;\"\\\\x1b\\[2J"));
    ck_assert_ptr_nonnull(strstr(md, "- carol.zip: **not graded**: a file, "
                                     "not a folder\n"));
    /* Markup outside code spans is entity-escaped. */
    ck_assert_ptr_nonnull(strstr(md, "no lock &lt;b&gt;between&lt;/b&gt;"));
    free(md);
}
END_TEST

Suite *make_class_report_suite(void)
{
    Suite *s = suite_create("class_report");
    TCase *t = tcase_create("ClassReport");
    tcase_set_tags(t, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, load_counts_the_class);
    tcase_add_test(t, html_keeps_student_text_as_text);
    tcase_add_test(t, md_rows_keep_their_cells);
    suite_add_tcase(s, t);
    return s;
}
