/* check_valgrind.c: valgrind reports parsed; helgrind, drd, memcheck run. */
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/finding.h"
#include "lib/sandbox.h"
#include "fixture_root.h"
#include "engine/sources.h"
#include "tools/tool.h"
#include "tools/valgrind_xml.h"

extern const struct rl_tool rl_tool_helgrind, rl_tool_drd, rl_tool_memcheck;

/* Captured with capture.sh beside them; tests run from the repository. */
#define FIXTURES "tests/fixtures/valgrind"
#define SRC(name) FIXTURES "/" name

static char workdir[64]; /* /tmp/racelab-vg-XXXXXX */

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/racelab-vg-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
    ck_assert_msg(access(SRC("race.c"), R_OK) == 0,
                  "run from the repository root: no '%s'", SRC("race.c"));
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    return remove(path);
}

static void teardown(void)
{
    nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_msg(in && out, "cannot copy '%s' to '%s'", from, to);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void init_sources(struct rl_sources *src, const char *program)
{
    char path[PATH_MAX], err[256];
    snprintf(path, sizeof path, SRC("%s.c"), program);
    char *paths[] = {path};
    ck_assert_msg(rl_sources_init(src, paths, 1, err, sizeof err) == 0, "%s",
                  err);
    fixture_remap_sources(src);
}

/*
 * Parses captured reports as the tool would after a run: the fixture
 * TOOL-REPORT.xml (and .log) become WORKDIR/TOOL.xml (and .log).  The
 * user's sources are PROGRAM.c.
 */
static void parse_fixture_as(const struct rl_tool *tool, const char *report,
                             const char *program, int exited,
                             struct rl_findings *out)
{
    char from[PATH_MAX], to[PATH_MAX], err[256] = "";
    snprintf(from, sizeof from, FIXTURES "/%s-%s.xml", tool->name, report);
    snprintf(to, sizeof to, "%s/%s.xml", workdir, tool->name);
    copy_file(from, to);
    snprintf(from, sizeof from, FIXTURES "/%s-%s.log", tool->name, report);
    snprintf(to, sizeof to, "%s/%s.log", workdir, tool->name);
    copy_file(from, to);

    struct rl_sources src;
    init_sources(&src, program);
    struct rl_run run;
    memset(&run, 0, sizeof run);
    run.tool = tool;
    run.sources = &src;
    run.workdir = workdir;
    run.result.exited = exited;
    memset(out, 0, sizeof *out);
    ck_assert_msg(tool->parse(&run, out, err, sizeof err) == 0, "%s", err);
    rl_sources_free(&src);
}

static void parse_fixture(const struct rl_tool *tool, const char *program,
                          int exited, struct rl_findings *out)
{
    parse_fixture_as(tool, program, program, exited, out);
}

/* The finding with this id located at file:line, or NULL. */
static const struct rl_finding *find(const struct rl_findings *l,
                                     const char *id, const char *file, int line)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0 &&
            rl_finding_has_location(&l->v[i], file, line))
            return &l->v[i];
    return NULL;
}

/* Every finding has this id and tool, and there are exactly n of them. */
static void assert_only(const struct rl_findings *l, const char *id,
                        const char *tool, size_t n)
{
    for (size_t i = 0; i < l->n; i++) {
        ck_assert_str_eq(l->v[i].id, id);
        ck_assert_uint_eq(l->v[i].ntools, 1);
        ck_assert_str_eq(l->v[i].tools[0], tool);
        ck_assert_uint_ge(l->v[i].nlocs, 1);
    }
    ck_assert_uint_eq(l->n, n);
}

/* ---- the neutral parser ---------------------------------------------- */

START_TEST(test_parse_race_report)
{
    struct rl_vg_report r;
    char err[256];
    ck_assert_int_eq(
        rl_vg_parse_file(FIXTURES "/helgrind-race.xml", &r, err, sizeof err),
        0);
    ck_assert_int_eq(r.complete, 1);
    ck_assert_int_eq(r.finished, 1);
    ck_assert_uint_eq(r.nerrors, 2);
    const struct rl_vg_error *e = &r.errors[0];
    ck_assert_str_eq(e->kind, "Race");
    ck_assert_ptr_nonnull(
        strstr(e->what, "Possible data race during read of size 4"));
    ck_assert_uint_eq(e->nstacks, 2);
    ck_assert_ptr_null(e->stacks[0].label);
    ck_assert_str_eq(e->stacks[0].v[0].fn, "decrementer");
    ck_assert_str_eq(e->stacks[0].v[0].file, "race.c");
    ck_assert_int_eq(e->stacks[0].v[0].line, 19);
    ck_assert_ptr_nonnull(strstr(e->stacks[1].label, "This conflicts with"));
    ck_assert_str_eq(e->stacks[1].v[0].fn, "incrementer");
    ck_assert_int_eq(e->stacks[1].v[0].line, 12);
    ck_assert_uint_eq(e->naux, 2);
    ck_assert_ptr_nonnull(strstr(e->aux[1], "data symbol \"counter\""));
    rl_vg_report_free(&r);
}
END_TEST

START_TEST(test_user_frame_skips_libc_and_valgrind)
{
    struct rl_vg_report r;
    struct rl_sources src;
    char err[256];
    ck_assert_int_eq(
        rl_vg_parse_file(FIXTURES "/memcheck-leak.xml", &r, err, sizeof err),
        0);
    ck_assert_uint_eq(r.nerrors, 1);
    const struct rl_vg_stack *alloc = &r.errors[0].stacks[0];
    ck_assert_str_eq(alloc->v[0].fn, "malloc"); /* valgrind's own frame */
    init_sources(&src, "leak");
    const char *given = NULL;
    const struct rl_vg_frame *f = rl_vg_user_frame(alloc, &src, &given);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->fn, "make_garbage");
    ck_assert_int_eq(f->line, 14);
    ck_assert_str_eq(given, SRC("leak.c"));
    rl_sources_free(&src);
    init_sources(&src, "correct"); /* leak.c is not the user's now */
    ck_assert_ptr_null(rl_vg_user_frame(alloc, &src, &given));
    rl_sources_free(&src);
    rl_vg_report_free(&r);
}
END_TEST

START_TEST(test_truncated_report_keeps_complete_errors)
{
    struct rl_vg_report r;
    char err[256];
    /* A real run killed by SIGKILL in a deadlock, after two races. */
    ck_assert_int_eq(rl_vg_parse_file(FIXTURES "/helgrind-deadlock.xml", &r,
                                      err, sizeof err),
                     0);
    ck_assert_int_eq(r.complete, 0);
    ck_assert_int_eq(r.finished, 0);
    ck_assert_uint_eq(r.nerrors, 2);
    ck_assert_str_eq(r.errors[1].kind, "Race");
    rl_vg_report_free(&r);
    ck_assert_int_eq(
        rl_vg_parse_file(FIXTURES "/drd-deadlock.xml", &r, err, sizeof err), 0);
    ck_assert_int_eq(r.complete, 0);
    ck_assert_uint_eq(r.nerrors, 2);
    rl_vg_report_free(&r);
}
END_TEST

static size_t count_substr(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A run can be killed at any byte: every cut keeps exactly the errors
 * whose closing tag made it to the file. */
START_TEST(test_cut_anywhere_keeps_complete_errors)
{
    FILE *f = fopen(FIXTURES "/helgrind-lockorder.xml", "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16], prefix[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ck_assert_uint_gt(len, 1000);
    /* Every 13th byte, and the very end. */
    for (size_t step = 0; step <= len / 13 + 1; step++) {
        size_t cut = step * 13 < len ? step * 13 : len;
        struct rl_vg_report r;
        char err[256];
        memcpy(prefix, buf, cut);
        prefix[cut] = '\0';
        ck_assert_msg(rl_vg_parse_buffer(prefix, cut, &r, err, sizeof err) == 0,
                      "cut at %zu: %s", cut, err);
        ck_assert_uint_eq(r.nerrors, count_substr(prefix, "</error>"));
        ck_assert_int_eq(r.complete,
                         strstr(prefix, "</valgrindoutput>") != NULL);
        rl_vg_report_free(&r);
    }
}
END_TEST

START_TEST(test_malformed_report_is_an_error)
{
    struct rl_vg_report r;
    char err[256] = "";
    const char *bad = "<valgrindoutput><error><kind>Race</what>";
    ck_assert_int_eq(rl_vg_parse_buffer(bad, strlen(bad), &r, err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "malformed"));
    ck_assert_uint_eq(r.nerrors, 0);
}
END_TEST

START_TEST(test_latin1_names_do_not_lose_the_report)
{
    struct rl_vg_report r;
    char err[256] = "";
    /* A program path in Latin-1, copied as is into the XML by valgrind. */
    const char *doc = "<valgrindoutput><error><kind>Race</kind>"
                      "<what>in /home/\xe9l\xe8ve/a.out</what></error>"
                      "</valgrindoutput>";
    ck_assert_int_eq(rl_vg_parse_buffer(doc, strlen(doc), &r, err, sizeof err),
                     0);
    ck_assert_uint_eq(r.nerrors, 1);
    ck_assert_str_eq(r.errors[0].kind, "Race");
    ck_assert_int_eq(r.complete, 1);
    rl_vg_report_free(&r);
}
END_TEST

START_TEST(test_missing_report_is_an_error)
{
    struct rl_findings out = {0};
    struct rl_sources src;
    struct rl_run run;
    char err[256] = "";
    init_sources(&src, "race");
    memset(&run, 0, sizeof run);
    run.tool = &rl_tool_helgrind;
    run.sources = &src;
    run.workdir = workdir;
    ck_assert_int_eq(rl_tool_helgrind.parse(&run, &out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    ck_assert_ptr_nonnull(strstr(err, "helgrind.xml"));
    ck_assert_uint_eq(out.n, 0);
    rl_sources_free(&src);
}
END_TEST

START_TEST(test_fd_log)
{
    struct rl_vg_fd_list l;
    char err[256];
    ck_assert_int_eq(rl_vg_parse_fd_log(FIXTURES "/memcheck-fdleak.log", &l,
                                        err, sizeof err),
                     0);
    ck_assert_int_eq(l.found, 1);
    ck_assert_uint_eq(l.n, 6);
    ck_assert_int_eq(l.v[0].fd, 6);
    ck_assert_int_eq(l.v[0].inherited, 0);
    ck_assert_ptr_nonnull(strstr(l.v[0].desc, "AF_INET socket 6"));
    ck_assert_int_eq(l.v[1].fd, 5);
    ck_assert_int_eq(l.v[1].inherited, 0);
    ck_assert_str_eq(l.v[1].desc, "file descriptor 5: /dev/null");
    for (size_t i = 2; i < l.n; i++)
        ck_assert_int_eq(l.v[i].inherited, 1);
    ck_assert_int_eq(l.v[2].fd, 251); /* no name after the colon */
    rl_vg_fd_list_free(&l);
}
END_TEST

/* ---- the tools on captured reports ------------------------------------ */

START_TEST(test_helgrind_race_has_both_sides)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_helgrind, "race", 1, &out);
    /* The read and the write of counter-- are one finding. */
    assert_only(&out, "data-race", "helgrind", 1);
    const struct rl_finding *f = &out.v[0];
    ck_assert_uint_eq(f->nlocs, 2);
    ck_assert_str_eq(f->locs[0].file, SRC("race.c"));
    ck_assert_int_eq(f->locs[0].line, 19);
    ck_assert_str_eq(f->locs[0].function, "decrementer");
    ck_assert_int_eq(f->locs[1].line, 12);
    ck_assert_str_eq(f->locs[1].function, "incrementer");
    ck_assert_ptr_nonnull(strstr(f->detail, "Possible data race during read"));
    ck_assert_ptr_nonnull(strstr(f->detail, "previous write of size 4"));
    ck_assert_ptr_nonnull(strstr(f->detail, "\"counter\""));
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_helgrind_lock_order)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_helgrind, "lockorder", 1, &out);
    assert_only(&out, "lock-order-inversion", "helgrind", 1);
    const struct rl_finding *f = &out.v[0];
    /* The inverted acquisition, then the two that set the order. */
    ck_assert_uint_eq(f->nlocs, 3);
    ck_assert_int_eq(f->locs[0].line, 24);
    ck_assert_str_eq(f->locs[0].function, "b_then_a");
    ck_assert_int_eq(f->locs[1].line, 13);
    ck_assert_int_eq(f->locs[2].line, 14);
    ck_assert_str_eq(f->locs[2].function, "a_then_b");
    ck_assert_ptr_nonnull(strstr(f->detail, "violated"));
    ck_assert_ptr_null(strstr(f->detail, "first observed"));
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_drd_race)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_drd, "race", 1, &out);
    /* drd gives no stack for the other access: one side only. */
    assert_only(&out, "data-race", "drd", 1);
    ck_assert_uint_eq(out.v[0].nlocs, 1);
    ck_assert_int_eq(out.v[0].locs[0].line, 19);
    ck_assert_str_eq(out.v[0].locs[0].function, "decrementer");
    ck_assert_ptr_nonnull(strstr(out.v[0].detail, "Conflicting load"));
    rl_findings_free(&out);
}
END_TEST

/* _i: 0 helgrind, 1 drd. */
START_TEST(test_race_on_a_stack_variable)
{
    const struct rl_tool *tool = _i ? &rl_tool_drd : &rl_tool_helgrind;
    struct rl_findings out;
    parse_fixture(tool, "stackrace", 1, &out);
    assert_only(&out, "data-race", tool->name, 1);
    ck_assert_int_eq(out.v[0].locs[0].line, 10);
    ck_assert_str_eq(out.v[0].locs[0].function, "worker");
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_drd_has_no_lock_order_checker)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_drd, "lockorder", 1, &out);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_truncated_report_findings)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_helgrind, "deadlock", 0, &out);
    assert_only(&out, "data-race", "helgrind", 1);
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("deadlock.c"), 26));
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("deadlock.c"), 16));
    rl_findings_free(&out);
    parse_fixture(&rl_tool_drd, "deadlock", 0, &out);
    assert_only(&out, "data-race", "drd", 1);
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("deadlock.c"), 26));
    /* drd's other segment is evidence, not a location. */
    ck_assert_uint_eq(out.v[0].nlocs, 1);
    ck_assert_ptr_nonnull(
        strstr(out.v[0].detail, "other thread's segment end: left ("));
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_frames_outside_user_files_are_dropped)
{
    struct rl_findings out;
    /* The same races, but race.c is not among the user's sources. */
    parse_fixture_as(&rl_tool_helgrind, "race", "correct", 1, &out);
    ck_assert_uint_eq(out.n, 0);
    parse_fixture_as(&rl_tool_drd, "race", "correct", 1, &out);
    ck_assert_uint_eq(out.n, 0);
    parse_fixture_as(&rl_tool_memcheck, "uaf", "correct", 1, &out);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_memcheck_definite_leak)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_memcheck, "leak", 1, &out);
    /* The still reachable 16 bytes are not a finding. */
    assert_only(&out, "memory-leak", "memcheck", 1);
    const struct rl_finding *f = &out.v[0];
    ck_assert_uint_eq(f->nlocs, 1);
    ck_assert_str_eq(f->locs[0].file, SRC("leak.c"));
    ck_assert_int_eq(f->locs[0].line, 14);
    ck_assert_str_eq(f->locs[0].function, "make_garbage");
    ck_assert_ptr_nonnull(
        strstr(f->detail, "40 bytes in 1 blocks are definitely lost"));
    ck_assert_ptr_nonnull(strstr(f->detail, "called from main ("));
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_memcheck_leaks_ignored_when_killed)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_memcheck, "leak", 0, &out);
    ck_assert_uint_eq(out.n, 0);
    /* A real SIGTERM at a timeout: memcheck reported the leak anyway. */
    parse_fixture(&rl_tool_memcheck, "leak_hang", 0, &out);
    ck_assert_uint_eq(out.n, 0);
    parse_fixture(&rl_tool_memcheck, "leak_hang", 1, &out);
    assert_only(&out, "memory-leak", "memcheck", 1);
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_memcheck_use_after_free)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_memcheck, "uaf", 1, &out);
    assert_only(&out, "use-after-free", "memcheck", 2);
    /* The read, then the free; the write, then the free. */
    ck_assert_int_eq(out.v[0].locs[0].line, 21);
    ck_assert_int_eq(out.v[0].locs[1].line, 19);
    ck_assert_int_eq(out.v[1].locs[0].line, 22);
    ck_assert_int_eq(out.v[1].locs[1].line, 19);
    ck_assert_str_eq(out.v[1].locs[1].function, "main");
    ck_assert_ptr_nonnull(strstr(out.v[0].detail, "Invalid read of size 4"));
    ck_assert_ptr_nonnull(strstr(out.v[0].detail, "free'd"));
    rl_findings_free(&out);
    /* An invalid access is reported whether or not the run was killed. */
    parse_fixture(&rl_tool_memcheck, "uaf", 0, &out);
    assert_only(&out, "use-after-free", "memcheck", 2);
    rl_findings_free(&out);
}
END_TEST

START_TEST(test_memcheck_fd_leak)
{
    struct rl_findings out;
    parse_fixture(&rl_tool_memcheck, "fdleak", 1, &out);
    /* open() and socket(), not the closed open() nor inherited fds. */
    assert_only(&out, "fd-leak", "memcheck", 2);
    const struct rl_finding *sock = find(&out, "fd-leak", SRC("fdleak.c"), 12);
    const struct rl_finding *file = find(&out, "fd-leak", SRC("fdleak.c"), 11);
    ck_assert_ptr_nonnull(sock);
    ck_assert_ptr_nonnull(file);
    ck_assert_ptr_nonnull(strstr(sock->detail, "AF_INET socket 6"));
    ck_assert_ptr_nonnull(strstr(file->detail, "file descriptor 5: /dev/null"));
    ck_assert_str_eq(file->locs[0].function, "main");
    rl_findings_free(&out);
    /* A killed program's open descriptors are not leaks. */
    parse_fixture(&rl_tool_memcheck, "fdleak", 0, &out);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_memcheck_fd_pairing_mismatch_says_nothing)
{
    struct rl_findings out;
    char to[PATH_MAX];
    /* Stacks of two own fds, but a log listing none: no safe pairing. */
    parse_fixture(&rl_tool_memcheck, "fdleak", 1, &out);
    assert_only(&out, "fd-leak", "memcheck", 2); /* with its own log */
    rl_findings_free(&out);
    snprintf(to, sizeof to, "%s/memcheck.log", workdir);
    copy_file(FIXTURES "/memcheck-leak.log", to);
    struct rl_sources src;
    init_sources(&src, "fdleak");
    struct rl_run run;
    char err[256];
    memset(&run, 0, sizeof run);
    run.tool = &rl_tool_memcheck;
    run.sources = &src;
    run.workdir = workdir;
    run.result.exited = 1;
    ck_assert_int_eq(rl_tool_memcheck.parse(&run, &out, err, sizeof err), 0);
    ck_assert_uint_eq(out.n, 0);
    rl_sources_free(&src);
}
END_TEST

static const struct rl_tool *const all_tools[] = {
    &rl_tool_helgrind, &rl_tool_drd, &rl_tool_memcheck};
static const char *const correct_programs[] = {"correct", "correct_sync"};
static const char *const correct_outputs[] = {"DONE 2000", "DONE 2450"};

/* _i runs over every (tool, correct program) pair. */
START_TEST(test_correct_program_reports_nothing)
{
    struct rl_findings out;
    parse_fixture(all_tools[_i % 3], correct_programs[_i / 3], 1, &out);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_prepare_command)
{
    struct rl_sources src;
    struct rl_run run;
    char err[256];
    char *args[] = {"one", "two", NULL};
    init_sources(&src, "race");
    memset(&run, 0, sizeof run);
    rl_sandbox_opts_default(&run.sandbox);
    run.sandbox.address_limit_ok = 1;
    run.tool = &rl_tool_memcheck;
    run.sources = &src;
    run.exe = "/x/prog";
    run.program_args = args;
    run.workdir = "/w/100%";
    ck_assert_int_eq(rl_tool_memcheck.prepare(&run, err, sizeof err), 0);
    char **v = run.argv.v;
    ck_assert_str_eq(v[0], "valgrind");
    ck_assert_str_eq(v[1], "--tool=memcheck");
    ck_assert_str_eq(v[2], "--xml=yes");
    /* valgrind expands %p in file names: a literal % is doubled. */
    ck_assert_str_eq(v[3], "--xml-file=/w/100%%/memcheck.xml");
    ck_assert_str_eq(v[4], "--log-file=/w/100%%/memcheck.log");
    ck_assert_str_eq(v[run.argv.n - 3], "/x/prog");
    ck_assert_str_eq(v[run.argv.n - 2], "one");
    ck_assert_str_eq(v[run.argv.n - 1], "two");
    ck_assert_ptr_null(v[run.argv.n]);
    int fair = 0, fds = 0, vgdb = 0;
    for (size_t i = 0; i < run.argv.n; i++) {
        fair |= strcmp(v[i], "--fair-sched=yes") == 0;
        fds |= strcmp(v[i], "--track-fds=yes") == 0;
        vgdb |= strcmp(v[i], "--vgdb=no") == 0;
    }
    ck_assert(fair && fds && vgdb);
    ck_assert_int_eq(run.sandbox.address_limit_ok, 0);
    rl_strv_free(&run.argv);
    rl_sources_free(&src);
}
END_TEST

/* ---- the real tools on real programs ---------------------------------- */

/* Compiles PROGRAM.c as the plain variant does, into the workdir. */
static void compile(const char *program, char *exe, size_t len)
{
    char src[PATH_MAX];
    snprintf(src, sizeof src, SRC("%s.c"), program);
    snprintf(exe, len, "%s/%s", workdir, program);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execlp("gcc", "gcc", "-g", "-O1", "-pthread", "-o", exe, src,
               (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "cannot compile '%s'", src);
}

/*
 * prepare, the sandbox, parse: what racelab does with one tool.  The
 * findings land in out; the run's result stays in *run (free it).
 */
static void run_tool(const struct rl_tool *tool, const char *program,
                     double timeout, struct rl_run *run,
                     struct rl_findings *out)
{
    static struct rl_sources src;
    static char exe[PATH_MAX], tooldir[PATH_MAX];
    static char *no_args[] = {NULL};
    char err[256] = "";
    compile(program, exe, sizeof exe);
    snprintf(tooldir, sizeof tooldir, "%s/%s-run", workdir, tool->name);
    ck_assert_int_eq(mkdir(tooldir, 0700), 0);
    init_sources(&src, program);
    memset(run, 0, sizeof *run);
    run->tool = tool;
    run->sources = &src;
    run->exe = exe;
    run->program_args = no_args;
    run->workdir = tooldir;
    run->timeout = timeout;
    rl_sandbox_opts_default(&run->sandbox);
    run->sandbox.timeout = timeout;
    ck_assert_msg(tool->prepare(run, err, sizeof err) == 0, "%s", err);
    run->sandbox.cwd = tooldir;
    run->sandbox.env_extra = run->env.v;
    ck_assert_msg(rl_sandbox_run(run->argv.v, &run->sandbox, &run->result, err,
                                 sizeof err) == 0,
                  "%s", err);
    memset(out, 0, sizeof *out);
    ck_assert_msg(tool->parse(run, out, err, sizeof err) == 0, "%s", err);
}

/* The program ran to its end (a crash cannot pass for "no report"). */
static void assert_done(const struct rl_run *run)
{
    ck_assert_int_eq(run->result.exited, 1);
    ck_assert_ptr_nonnull(run->result.out);
    ck_assert_msg(strstr(run->result.out, "DONE"), "no DONE in: %s",
                  run->result.out);
}

START_TEST(test_real_helgrind_race)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_helgrind, "race", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "data-race", "helgrind", 1);
    /* Which thread runs first is not fixed: both lines, either order. */
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("race.c"), 12));
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("race.c"), 19));
}
END_TEST

START_TEST(test_real_helgrind_lock_order)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_helgrind, "lockorder", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "lock-order-inversion", "helgrind", 1);
    ck_assert_int_eq(out.v[0].locs[0].line, 24);
}
END_TEST

START_TEST(test_real_helgrind_killed_in_deadlock)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_helgrind, "deadlock", 6, &run, &out);
    ck_assert_int_eq(run.result.exited, 0);
    ck_assert_int_eq(run.result.timed_out, 1);
    /* The races came before the hang; the lock cycle never completed an
     * acquisition, so helgrind has no lock-order error for it. */
    assert_only(&out, "data-race", "helgrind", 1);
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("deadlock.c"), 16));
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("deadlock.c"), 26));
}
END_TEST

START_TEST(test_real_drd_race)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_drd, "race", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "data-race", "drd", 1);
    ck_assert(find(&out, "data-race", SRC("race.c"), 12) ||
              find(&out, "data-race", SRC("race.c"), 19));
}
END_TEST

START_TEST(test_real_memcheck_leak)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_memcheck, "leak", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "memory-leak", "memcheck", 1);
    ck_assert_int_eq(out.v[0].locs[0].line, 14);
}
END_TEST

START_TEST(test_real_memcheck_killed_leak_ignored)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_memcheck, "leak_hang", 5, &run, &out);
    ck_assert_ptr_nonnull(strstr(run.result.out, "LEAKED"));
    ck_assert_int_eq(run.result.exited, 0);
    ck_assert_int_eq(run.result.timed_out, 1);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(test_real_memcheck_use_after_free)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_memcheck, "uaf", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "use-after-free", "memcheck", 2);
    ck_assert_ptr_nonnull(find(&out, "use-after-free", SRC("uaf.c"), 21));
    ck_assert_ptr_nonnull(find(&out, "use-after-free", SRC("uaf.c"), 22));
}
END_TEST

START_TEST(test_real_memcheck_fd_leak)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_memcheck, "fdleak", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "fd-leak", "memcheck", 2);
    ck_assert_ptr_nonnull(find(&out, "fd-leak", SRC("fdleak.c"), 11));
    ck_assert_ptr_nonnull(find(&out, "fd-leak", SRC("fdleak.c"), 12));
}
END_TEST

START_TEST(test_real_correct_program)
{
    const struct rl_tool *tool = all_tools[_i % 3];
    const char *program = correct_programs[_i / 3];
    struct rl_run run;
    struct rl_findings out;
    run_tool(tool, program, 60, &run, &out);
    assert_done(&run);
    /* The programs print what they computed: the run really worked. */
    ck_assert_ptr_nonnull(strstr(run.result.out, correct_outputs[_i / 3]));
    ck_assert_msg(out.n == 0, "%s: %s at line %d", tool->name,
                  out.n ? out.v[0].id : "", out.n ? out.v[0].locs[0].line : 0);
}
END_TEST

/* _i: 0 helgrind, 1 drd (which needs --check-stack-var=yes for this). */
START_TEST(test_real_race_on_a_stack_variable)
{
    const struct rl_tool *tool = _i ? &rl_tool_drd : &rl_tool_helgrind;
    struct rl_run run;
    struct rl_findings out;
    run_tool(tool, "stackrace", 60, &run, &out);
    assert_done(&run);
    assert_only(&out, "data-race", tool->name, 1);
    ck_assert_ptr_nonnull(find(&out, "data-race", SRC("stackrace.c"), 10));
}
END_TEST

START_TEST(test_real_drd_lock_order_is_silent)
{
    struct rl_run run;
    struct rl_findings out;
    run_tool(&rl_tool_drd, "lockorder", 60, &run, &out);
    assert_done(&run);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

Suite *make_valgrind_suite(void)
{
    Suite *s = suite_create("valgrind");
    TCase *parser = tcase_create("Parser");
    tcase_set_tags(parser, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(parser, setup, teardown);
    tcase_add_test(parser, test_parse_race_report);
    tcase_add_test(parser, test_user_frame_skips_libc_and_valgrind);
    tcase_add_test(parser, test_truncated_report_keeps_complete_errors);
    tcase_add_test(parser, test_cut_anywhere_keeps_complete_errors);
    tcase_add_test(parser, test_malformed_report_is_an_error);
    tcase_add_test(parser, test_latin1_names_do_not_lose_the_report);
    tcase_add_test(parser, test_missing_report_is_an_error);
    tcase_add_test(parser, test_fd_log);
    suite_add_tcase(s, parser);

    TCase *mapping = tcase_create("Mapping");
    tcase_set_tags(mapping, "fast"); /* no tool runs: make test-fast */
    tcase_add_checked_fixture(mapping, setup, teardown);
    tcase_add_test(mapping, test_helgrind_race_has_both_sides);
    tcase_add_test(mapping, test_helgrind_lock_order);
    tcase_add_test(mapping, test_drd_race);
    tcase_add_loop_test(mapping, test_race_on_a_stack_variable, 0, 2);
    tcase_add_test(mapping, test_drd_has_no_lock_order_checker);
    tcase_add_test(mapping, test_truncated_report_findings);
    tcase_add_test(mapping, test_frames_outside_user_files_are_dropped);
    tcase_add_test(mapping, test_memcheck_definite_leak);
    tcase_add_test(mapping, test_memcheck_leaks_ignored_when_killed);
    tcase_add_test(mapping, test_memcheck_use_after_free);
    tcase_add_test(mapping, test_memcheck_fd_leak);
    tcase_add_test(mapping, test_memcheck_fd_pairing_mismatch_says_nothing);
    tcase_add_loop_test(mapping, test_correct_program_reports_nothing, 0, 6);
    tcase_add_test(mapping, test_prepare_command);
    suite_add_tcase(s, mapping);

    /* Valgrind is slow, and other tests may share the two cores. */
    TCase *real = tcase_create("Real");
    tcase_add_checked_fixture(real, setup, teardown);
    tcase_set_timeout(real, 120);
    tcase_add_test(real, test_real_helgrind_race);
    tcase_add_test(real, test_real_helgrind_lock_order);
    tcase_add_test(real, test_real_helgrind_killed_in_deadlock);
    tcase_add_test(real, test_real_drd_race);
    tcase_add_loop_test(real, test_real_race_on_a_stack_variable, 0, 2);
    tcase_add_test(real, test_real_drd_lock_order_is_silent);
    tcase_add_test(real, test_real_memcheck_leak);
    tcase_add_test(real, test_real_memcheck_killed_leak_ignored);
    tcase_add_test(real, test_real_memcheck_use_after_free);
    tcase_add_test(real, test_real_memcheck_fd_leak);
    tcase_add_loop_test(real, test_real_correct_program, 0, 6);
    suite_add_tcase(s, real);
    return s;
}
