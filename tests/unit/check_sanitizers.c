/* check_sanitizers.c: TSan/ASan reports parsed and mapped; the tools run. */
#include <check.h>
#include <dirent.h>
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
#include "tools/sanitizer_report.h"
#include "fixture_root.h"
#include "engine/sources.h"
#include "tools/tool.h"

extern const struct rl_tool rl_tool_tsan, rl_tool_asan;

/* Captured by capture.sh beside them; tests run from the repository. */
#define TSAN_DIR "tests/fixtures/tsan"
#define ASAN_DIR "tests/fixtures/asan"

/* How often each buggy program runs: the verdict must hold every time. */
enum { REPEAT = 5 };

static char workdir[64]; /* /tmp/racelab-san-XXXXXX */

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/racelab-san-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
    ck_assert_msg(access(TSAN_DIR "/race.c", R_OK) == 0,
                  "run from the repository root: no '%s'", TSAN_DIR "/race.c");
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

/* ---- the text parser, on captured logs -------------------------------- */

/* Parses every log of a fixture folder, e.g. tsan/race/tsan.<pid>. */
static size_t parse_fixture(const char *dir, const char *program,
                            const char *prefix, struct rl_san_reports *reps)
{
    char path[PATH_MAX], err[256] = "";
    size_t nfiles = 0;
    snprintf(path, sizeof path, "%s/%s", dir, program);
    ck_assert_msg(
        rl_san_parse_logs(path, prefix, reps, &nfiles, err, sizeof err) == 0,
        "%s", err);
    return nfiles;
}

static const struct rl_san_frame *frame_at(const struct rl_san_section *s,
                                           size_t i)
{
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_gt(s->nframes, i);
    return &s->frames[i];
}

START_TEST(test_parse_tsan_race)
{
    struct rl_san_reports reps = {0};
    ck_assert_uint_eq(parse_fixture(TSAN_DIR, "race", "tsan", &reps), 1);
    ck_assert_uint_eq(reps.n, 1);
    const struct rl_san_report *r = &reps.v[0];
    ck_assert_str_eq(r->tool, "ThreadSanitizer");
    ck_assert_str_eq(r->kind, "data race");
    ck_assert_int_gt(r->pid, 0);
    ck_assert_int_eq(r->fatal, 0);
    /* Both sides of the race, each with its own stack. */
    const struct rl_san_frame *now =
        frame_at(rl_san_find_section(r, "Write of size 8"), 0);
    ck_assert_str_eq(now->function, "work");
    ck_assert_ptr_nonnull(strstr(now->file, "tests/fixtures/tsan/race.c"));
    ck_assert_int_eq(now->line, 13);
    ck_assert_int_eq(now->column, 16);
    ck_assert_ptr_nonnull(now->module);
    const struct rl_san_frame *before =
        frame_at(rl_san_find_section(r, "Previous write of size 8"), 0);
    ck_assert_str_eq(before->function, "work");
    ck_assert_int_eq(before->line, 13);
    const struct rl_san_section *loc = rl_san_find_section(r, "Location is");
    ck_assert_ptr_nonnull(loc);
    ck_assert_ptr_nonnull(strstr(loc->heading, "global 'counter'"));
    ck_assert_uint_eq(loc->nframes, 0);
    /* pthread_create: a runtime frame with a module and no file. */
    const struct rl_san_frame *create =
        frame_at(rl_san_find_section(r, "Thread T1 "), 0);
    ck_assert_str_eq(create->function, "pthread_create");
    ck_assert_ptr_null(create->file);
    ck_assert_int_eq(create->line, 0);
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_parse_tsan_runtime_frames)
{
    struct rl_san_reports reps = {0};
    parse_fixture(TSAN_DIR, "signal_printf", "tsan", &reps);
    ck_assert_uint_eq(reps.n, 1);
    const struct rl_san_report *r = &reps.v[0];
    ck_assert_str_eq(r->kind, "signal-unsafe call inside of a signal");
    ck_assert_str_eq(r->sections[0].heading, "");
    const struct rl_san_section *s = &r->sections[0];
    ck_assert_str_eq(frame_at(s, 0)->function, "malloc");
    ck_assert_ptr_null(frame_at(s, 0)->file); /* "<null>" */
    /* A libc frame with a (relative) file of its own. */
    ck_assert_str_eq(frame_at(s, 1)->function, "_IO_file_doallocate");
    ck_assert_str_eq(frame_at(s, 1)->file, "libio/./libio/filedoalloc.c");
    ck_assert_int_eq(frame_at(s, 1)->line, 101);
    ck_assert_str_eq(frame_at(s, 3)->function, "on_signal");
    ck_assert_int_eq(frame_at(s, 3)->line, 10);
    /* A C++ signature is one function, blanks and all. */
    ck_assert_str_eq(frame_at(s, 4)->function,
                     "__tsan::CallUserSignalHandler(__tsan::ThreadState*, "
                     "bool, bool, int, __sanitizer::__sanitizer_siginfo*, "
                     "void*)");
    ck_assert_str_eq(frame_at(s, 4)->file, "tsan_interceptors_posix.cpp.o");
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_parse_tsan_other_kinds)
{
    struct rl_san_reports reps = {0};
    parse_fixture(TSAN_DIR, "lock_order", "tsan", &reps);
    parse_fixture(TSAN_DIR, "thread_leak", "tsan", &reps);
    parse_fixture(TSAN_DIR, "signal_errno", "tsan", &reps);
    parse_fixture(TSAN_DIR, "signal_malloc", "tsan", &reps);
    parse_fixture(TSAN_DIR, "uaf", "tsan", &reps);
    ck_assert_uint_eq(reps.n, 6); /* signal_malloc: malloc and free */
    ck_assert_str_eq(reps.v[0].kind,
                     "lock-order-inversion (potential deadlock)");
    ck_assert_ptr_nonnull(rl_san_find_section(&reps.v[0], "Cycle in lock"));
    ck_assert_str_eq(reps.v[1].kind, "thread leak");
    ck_assert_str_eq(reps.v[2].kind, "signal handler spoils errno");
    /* The handler's own frame: a line and no column. */
    const struct rl_san_frame *h = frame_at(&reps.v[2].sections[0], 0);
    ck_assert_str_eq(h->function, "on_signal");
    ck_assert_int_eq(h->line, 18);
    ck_assert_int_eq(h->column, 0);
    ck_assert_str_eq(reps.v[3].kind, "signal-unsafe call inside of a signal");
    ck_assert_str_eq(reps.v[4].kind, "signal-unsafe call inside of a signal");
    ck_assert_int_eq(reps.v[3].pid, reps.v[4].pid);
    ck_assert_str_eq(reps.v[5].kind, "heap-use-after-free");
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_parse_asan_kinds)
{
    struct rl_san_reports reps = {0};
    parse_fixture(ASAN_DIR, "uaf", "asan", &reps);
    parse_fixture(ASAN_DIR, "double_free", "asan", &reps);
    parse_fixture(ASAN_DIR, "leak", "asan", &reps);
    ck_assert_uint_eq(reps.n, 3);
    const struct rl_san_report *uaf = &reps.v[0];
    ck_assert_str_eq(uaf->tool, "AddressSanitizer");
    ck_assert_str_eq(uaf->kind, "heap-use-after-free");
    const struct rl_san_frame *read =
        frame_at(rl_san_find_section(uaf, "READ of size 4"), 0);
    ck_assert_str_eq(read->function, "reader");
    ck_assert_int_eq(read->line, 12);
    ck_assert_ptr_null(read->module);
    const struct rl_san_section *freed = rl_san_find_section(uaf, "freed by");
    ck_assert_str_eq(frame_at(freed, 0)->function, "free");
    ck_assert_ptr_null(frame_at(freed, 0)->file);
    ck_assert_ptr_nonnull(frame_at(freed, 0)->module);
    ck_assert_str_eq(frame_at(freed, 1)->function, "main");
    ck_assert_int_eq(frame_at(freed, 1)->line, 23);
    /* The shadow-byte dump after SUMMARY is not part of the report. */
    ck_assert_ptr_null(rl_san_find_section(uaf, "Shadow bytes"));
    ck_assert_str_eq(reps.v[1].kind, "attempting double-free");
    ck_assert_str_eq(frame_at(&reps.v[1].sections[0], 1)->function, "release");
    const struct rl_san_report *leak = &reps.v[2];
    ck_assert_str_eq(leak->tool, "LeakSanitizer");
    ck_assert_str_eq(leak->kind, "detected memory leaks");
    ck_assert_int_eq(
        frame_at(rl_san_find_section(leak, "Direct leak of 32"), 1)->line, 18);
    ck_assert_int_eq(
        frame_at(rl_san_find_section(leak, "Indirect leak"), 1)->line, 20);
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_parse_ubsan)
{
    struct rl_san_reports reps = {0};
    parse_fixture(ASAN_DIR, "ubsan", "asan", &reps);
    ck_assert_uint_eq(reps.n, 1);
    const struct rl_san_report *r = &reps.v[0];
    ck_assert_str_eq(r->tool, "UndefinedBehaviorSanitizer");
    ck_assert_str_eq(r->kind, "runtime error");
    ck_assert_ptr_nonnull(strstr(r->title, "signed integer overflow"));
    ck_assert_ptr_nonnull(strstr(r->where.file, "asan/ubsan.c"));
    ck_assert_int_eq(r->where.line, 11);
    ck_assert_int_eq(r->where.column, 9);
    ck_assert_str_eq(frame_at(&r->sections[0], 0)->function, "main");
    rl_san_reports_free(&reps);
}
END_TEST

/* A forked child writes asan.<its pid>: both files are read, in order. */
START_TEST(test_parse_several_logs)
{
    struct rl_san_reports reps = {0};
    ck_assert_uint_eq(parse_fixture(ASAN_DIR, "fork_leak", "asan", &reps), 2);
    ck_assert_uint_eq(reps.n, 2);
    ck_assert_int_gt(reps.v[0].pid, 0);
    ck_assert_int_lt(reps.v[0].pid, reps.v[1].pid);
    for (size_t i = 0; i < 2; i++)
        ck_assert_str_eq(reps.v[i].kind, "detected memory leaks");
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_parse_text_edges)
{
    struct rl_san_reports reps = {0};
    /* No report at all; then a fatal runtime failure; then a log cut
     * short (the process was killed): the report still counts. */
    rl_san_parse_text("hello\n==================\n", &reps);
    ck_assert_uint_eq(reps.n, 0);
    rl_san_parse_text("FATAL: ThreadSanitizer: unexpected memory mapping "
                      "0x1-0x2\n",
                      &reps);
    ck_assert_uint_eq(reps.n, 1);
    ck_assert_int_eq(reps.v[0].fatal, 1);
    rl_san_parse_text("==7==LeakSanitizer has encountered a fatal error.\n",
                      &reps);
    ck_assert_uint_eq(reps.n, 2);
    ck_assert_int_eq(reps.v[1].fatal, 1);
    ck_assert_str_eq(reps.v[1].tool, "LeakSanitizer");
    ck_assert_int_eq(reps.v[1].pid, 7);
    rl_san_parse_text("WARNING: ThreadSanitizer: data race (pid=9)\n"
                      "  Write of size 4 at 0x1 by main thread:\n"
                      "    #0 f /a b/x.c:3:1 (x+0x10)\n",
                      &reps);
    ck_assert_uint_eq(reps.n, 3);
    const struct rl_san_frame *f = frame_at(&reps.v[2].sections[0], 0);
    ck_assert_str_eq(f->function, "f");
    ck_assert_str_eq(f->file, "/a b/x.c"); /* a folder with a blank */
    ck_assert_int_eq(f->line, 3);
    ck_assert_str_eq(f->module, "x+0x10");
    /* Without a symbolizer: an address and a module, nothing else. */
    rl_san_parse_text("==3==ERROR: AddressSanitizer: heap-use-after-free on "
                      "address 0x6\n"
                      "READ of size 4 at 0x6 thread T1\n"
                      "    #0 0x564fadaa2092  (/tmp/auaf+0xdf092) (BuildId: "
                      "824b)\n",
                      &reps);
    ck_assert_uint_eq(reps.n, 4);
    f = frame_at(&reps.v[3].sections[0], 0);
    ck_assert_ptr_null(f->function);
    ck_assert_ptr_null(f->file);
    ck_assert_str_eq(f->module, "/tmp/auaf+0xdf092");
    rl_san_reports_free(&reps);
}
END_TEST

START_TEST(test_clean_heading)
{
    char buf[256];
    rl_san_clean_heading(buf, sizeof buf,
                         "Previous write of size 8 at 0x5555569ca258 by "
                         "thread T1:");
    ck_assert_str_eq(buf, "previous write of size 8 by thread T1");
    rl_san_clean_heading(buf, sizeof buf,
                         "Thread T2 (tid=28772, finished) created by main "
                         "thread at:");
    ck_assert_str_eq(buf, "thread T2 created by main thread");
    rl_san_clean_heading(buf, sizeof buf, "freed by thread T0 here:");
    ck_assert_str_eq(buf, "freed by thread T0");
    rl_san_clean_heading(buf, sizeof buf,
                         "READ of size 4 at 0x602000000010 thread T1");
    ck_assert_str_eq(buf, "read of size 4 thread T1");
    rl_san_clean_heading(buf, sizeof buf,
                         "Cycle in lock order graph: M0 (0x5555569ca260) => "
                         "M1 (0x5555569ca288) => M0");
    ck_assert_str_eq(buf, "cycle in lock order graph: M0 => M1 => M0");
    /* TSan's own lock numbers become what the thread held. */
    rl_san_clean_heading(buf, sizeof buf,
                         "Write of size 4 at 0x7b0c00000010 by thread T1 "
                         "(mutexes: write M0):");
    ck_assert_str_eq(buf, "write of size 4 by thread T1 while holding 1 lock");
    rl_san_clean_heading(buf, sizeof buf,
                         "Previous read of size 4 at 0x7b0c00000010 by "
                         "main thread (mutexes: write M0, read M1):");
    ck_assert_str_eq(buf, "previous read of size 4 by main thread while "
                          "holding 2 locks");
}
END_TEST

/* ---- mapping captured reports to findings ------------------------------ */

static void init_sources(struct rl_sources *src, const char *path)
{
    char err[256] = "";
    char *paths[] = {(char *)path};
    ck_assert_msg(rl_sources_init(src, paths, 1, err, sizeof err) == 0, "%s",
                  err);
    fixture_remap_sources(src);
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

/* Copies every log of dir/program/ into the workdir, as after a run. */
static void stage_logs(const char *dir, const char *program)
{
    char from_dir[PATH_MAX], from[PATH_MAX * 2], to[PATH_MAX * 2];
    struct dirent **names;
    snprintf(from_dir, sizeof from_dir, "%s/%s", dir, program);
    int n = scandir(from_dir, &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            snprintf(from, sizeof from, "%s/%s", from_dir, names[i]->d_name);
            snprintf(to, sizeof to, "%s/%s", workdir, names[i]->d_name);
            copy_file(from, to);
        }
        free(names[i]);
    }
    free(names);
}

/* Maps the logs in the workdir as the tool would after a run whose user
 * source is `source`. */
static void parse_staged(const struct rl_tool *tool, const char *source,
                         int exited, struct rl_findings *out)
{
    struct rl_sources src;
    struct rl_run run = {0};
    char err[256] = "";
    init_sources(&src, source);
    run.tool = tool;
    run.sources = &src;
    run.workdir = workdir;
    run.result.exited = exited;
    ck_assert_msg(tool->parse(&run, out, err, sizeof err) == 0, "%s", err);
    rl_sources_free(&src);
}

static void map_fixture(const struct rl_tool *tool, const char *program,
                        struct rl_findings *out)
{
    const char *dir = tool == &rl_tool_tsan ? TSAN_DIR : ASAN_DIR;
    char source[PATH_MAX];
    snprintf(source, sizeof source, "%s/%s.c", dir, program);
    stage_logs(dir, program);
    parse_staged(tool, source, 1, out);
}

/* The one finding of a list, checked for id and tool. */
static const struct rl_finding *only(const struct rl_findings *l,
                                     const char *id, const char *tool)
{
    ck_assert_msg(l->n == 1, "expected one finding (%s), got %zu", id, l->n);
    ck_assert_str_eq(l->v[0].id, id);
    ck_assert(rl_finding_has_tool(&l->v[0], tool));
    ck_assert_uint_eq(l->v[0].ntools, 1);
    return &l->v[0];
}

static void assert_location(const struct rl_finding *f, size_t i,
                            const char *file, int line, const char *function)
{
    ck_assert_uint_gt(f->nlocs, i);
    ck_assert_str_eq(f->locs[i].file, file);
    ck_assert_int_eq(f->locs[i].line, line);
    ck_assert_ptr_nonnull(f->locs[i].function);
    ck_assert_str_eq(f->locs[i].function, function);
}

#define TSRC(name) TSAN_DIR "/" name ".c"
#define ASRC(name) ASAN_DIR "/" name ".c"

START_TEST(test_map_race)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "race", &l);
    const struct rl_finding *f = only(&l, "data-race", "tsan");
    /* Both sides are line 13: one location. */
    ck_assert_uint_eq(f->nlocs, 1);
    assert_location(f, 0, TSRC("race"), 13, "work");
    ck_assert_ptr_nonnull(strstr(f->detail, "global variable counter"));
    ck_assert_ptr_nonnull(strstr(f->detail, "previous write of size 8"));
    ck_assert_int_eq(f->location_kind, RL_LOCATION_GLOBAL);
    ck_assert_int_eq(f->fd, -1);
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_race_two_sides)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "race_heap", &l);
    const struct rl_finding *f = only(&l, "data-race", "tsan");
    ck_assert_uint_eq(f->nlocs, 2);
    /* memset's own frame is the runtime's: the user's line is clear's. */
    ck_assert(rl_finding_has_location(f, TSRC("race_heap"), 19));
    /* The store in fill has no line in the debug info: file and function
     * are still the user's. */
    ck_assert(rl_finding_has_location(f, TSRC("race_heap"), 0));
    ck_assert_ptr_nonnull(strstr(
        f->detail, "heap block allocated at " TSRC("race_heap") ":39 (main)"));
    ck_assert_int_eq(f->location_kind, RL_LOCATION_HEAP);
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_lock_order)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "lock_order", &l);
    const struct rl_finding *f = only(&l, "lock-order-inversion", "tsan");
    ck_assert_uint_eq(f->nlocs, 2);
    assert_location(f, 0, TSRC("lock_order"), 14, "forward");
    assert_location(f, 1, TSRC("lock_order"), 24, "backward");
    /* Where the other lock was taken first (second_deadlock_stack). */
    ck_assert_ptr_nonnull(strstr(f->detail, TSRC("lock_order") ":13"));
    ck_assert_ptr_nonnull(strstr(f->detail, TSRC("lock_order") ":23"));
    /* TSan's own lock numbers (M0, M1) never reach the student. */
    ck_assert_msg(strstr(f->detail, "a cycle of 2 locks") != NULL, "%s",
                  f->detail);
    ck_assert_msg(strstr(f->detail, "M0") == NULL, "%s", f->detail);
    rl_findings_free(&l);
}
END_TEST

/* The program's own wrapper (CS:APP's Pthread_mutex_lock) gives way to
 * its caller: the line shown is where the program really locks. */
START_TEST(test_map_lock_order_wrapped)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "lock_order_wrapped", &l);
    const struct rl_finding *f = only(&l, "lock-order-inversion", "tsan");
    ck_assert_uint_eq(f->nlocs, 2);
    assert_location(f, 0, TSRC("lock_order_wrapped"), 28, "forward");
    assert_location(f, 1, TSRC("lock_order_wrapped"), 38, "backward");
    ck_assert(!rl_finding_has_location(f, TSRC("lock_order_wrapped"), 15));
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_thread_leak)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "thread_leak", &l);
    const struct rl_finding *f = only(&l, "thread-leak", "tsan");
    ck_assert_uint_eq(f->nlocs, 1);
    assert_location(f, 0, TSRC("thread_leak"), 41, "main");
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_signal_unsafe)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "signal_printf", &l);
    const struct rl_finding *f = only(&l, "signal-unsafe-call", "tsan");
    ck_assert_uint_eq(f->nlocs, 1);
    assert_location(f, 0, TSRC("signal_printf"), 10, "on_signal");
    ck_assert_ptr_nonnull(strstr(f->detail, "calls printf, which calls "
                                            "malloc"));
    rl_findings_free(&l);
}
END_TEST

/* Two reports (malloc, free) in one handler make one finding. */
START_TEST(test_map_signal_unsafe_merged)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "signal_malloc", &l);
    const struct rl_finding *f = only(&l, "signal-unsafe-call", "tsan");
    ck_assert_uint_eq(f->nlocs, 2);
    assert_location(f, 0, TSRC("signal_malloc"), 13, "on_signal");
    assert_location(f, 1, TSRC("signal_malloc"), 15, "on_signal");
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_errno)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "signal_errno", &l);
    const struct rl_finding *f = only(&l, "errno-clobber", "tsan");
    ck_assert_uint_eq(f->nlocs, 1); /* the handler, not main */
    assert_location(f, 0, TSRC("signal_errno"), 18, "on_signal");
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_tsan_uaf)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_tsan, "uaf", &l);
    const struct rl_finding *f = only(&l, "use-after-free", "tsan");
    ck_assert_uint_eq(f->nlocs, 2);
    assert_location(f, 0, TSRC("uaf"), 12, "reader");
    assert_location(f, 1, TSRC("uaf"), 23, "main");
    ck_assert_ptr_nonnull(strstr(f->detail, "freed at " TSRC("uaf") ":23"));
    rl_findings_free(&l);
}
END_TEST

/* The same race in two logs (or printed twice) is one finding. */
START_TEST(test_map_duplicates_merged)
{
    struct rl_findings l = {0};
    char from[PATH_MAX], to[PATH_MAX];
    stage_logs(TSAN_DIR, "race");
    struct dirent **names;
    int n = scandir(workdir, &names, NULL, alphasort);
    ck_assert_int_eq(n, 3); /* ., .., tsan.<pid> */
    snprintf(from, sizeof from, "%s/%s", workdir, names[2]->d_name);
    snprintf(to, sizeof to, "%s/tsan.1", workdir);
    copy_file(from, to);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    parse_staged(&rl_tool_tsan, TSRC("race"), 1, &l);
    only(&l, "data-race", "tsan");
    rl_findings_free(&l);
}
END_TEST

/* Frames outside the user's files never make a finding. */
START_TEST(test_map_no_user_frame)
{
    struct rl_findings l = {0};
    stage_logs(TSAN_DIR, "race");
    stage_logs(TSAN_DIR, "signal_printf");
    parse_staged(&rl_tool_tsan, TSRC("correct"), 1, &l);
    ck_assert_uint_eq(l.n, 0);
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_asan_uaf)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_asan, "uaf", &l);
    const struct rl_finding *f = only(&l, "use-after-free", "asan");
    ck_assert_uint_eq(f->nlocs, 2);
    assert_location(f, 0, ASRC("uaf"), 12, "reader");
    assert_location(f, 1, ASRC("uaf"), 23, "main");
    ck_assert_ptr_nonnull(
        strstr(f->detail, "allocated at " ASRC("uaf") ":20 (main)"));
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_double_free)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_asan, "double_free", &l);
    const struct rl_finding *f = only(&l, "use-after-free", "asan");
    ck_assert_uint_eq(f->nlocs, 1);
    assert_location(f, 0, ASRC("double_free"), 12, "release");
    ck_assert_ptr_nonnull(strstr(f->detail, "freed again"));
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_leak)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_asan, "leak", &l);
    /* The direct leak only: the indirect one (line 20) goes with it. */
    const struct rl_finding *f = only(&l, "memory-leak", "asan");
    ck_assert_uint_eq(f->nlocs, 1);
    assert_location(f, 0, ASRC("leak"), 18, "work");
    ck_assert_ptr_nonnull(strstr(f->detail, "32 byte(s) in 2 object(s)"));
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_leak_two_processes)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_asan, "fork_leak", &l);
    const struct rl_finding *f = only(&l, "memory-leak", "asan");
    assert_location(f, 0, ASRC("fork_leak"), 16, "greet");
    rl_findings_free(&l);
}
END_TEST

/* A run stopped from outside never exited: its leak reports are dropped. */
START_TEST(test_map_leak_not_exited)
{
    struct rl_findings l = {0};
    stage_logs(ASAN_DIR, "leak");
    parse_staged(&rl_tool_asan, ASRC("leak"), 0, &l);
    ck_assert_uint_eq(l.n, 0);
    rl_findings_free(&l);
}
END_TEST

START_TEST(test_map_ubsan_ignored)
{
    struct rl_findings l = {0};
    map_fixture(&rl_tool_asan, "ubsan", &l);
    ck_assert_uint_eq(l.n, 0);
    rl_findings_free(&l);
}
END_TEST

/* The preflight ran TSan on this machine: a fatal error in a run is the
 * program's result (its findings unmeasured), not racelab's error. */
START_TEST(test_map_fatal_is_the_programs)
{
    struct rl_findings l = {0};
    struct rl_sources src;
    struct rl_run run = {0};
    char path[PATH_MAX], err[256] = "";
    snprintf(path, sizeof path, "%s/tsan.5", workdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("FATAL: ThreadSanitizer: unexpected memory mapping 0x1-0x2\n", f);
    fclose(f);
    init_sources(&src, TSRC("race"));
    run.sources = &src;
    run.workdir = workdir;
    ck_assert_int_eq(rl_tool_tsan.parse(&run, &l, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
    ck_assert_ptr_nonnull(strstr(run.tool_failed, "unexpected memory mapping"));
    ck_assert_ptr_null(run.tool_failed_id);
    ck_assert_uint_eq(l.n, 0);
    unlink(path);
    rl_sources_free(&src);
}
END_TEST

/* LeakSanitizer failing its check (ptrace refused in the program) is the
 * program's doing: the run's leaks are unmeasured, racelab did not fail. */
START_TEST(test_map_lsan_fatal_is_the_programs)
{
    struct rl_findings l = {0};
    struct rl_sources src;
    struct rl_run run = {0};
    char path[PATH_MAX], err[256] = "";
    snprintf(path, sizeof path, "%s/asan.5", workdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("==5==LeakSanitizer has encountered a fatal error.\n"
          "==5==HINT: LeakSanitizer does not work under ptrace\n",
          f);
    fclose(f);
    init_sources(&src, ASRC("leak"));
    run.sources = &src;
    run.workdir = workdir;
    ck_assert_int_eq(rl_tool_asan.parse(&run, &l, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
    ck_assert_ptr_nonnull(strstr(run.tool_failed, "leak check failed"));
    ck_assert_str_eq(run.tool_failed_id, "memory-leak");
    ck_assert_uint_eq(l.n, 0);
    unlink(path);
    rl_sources_free(&src);
}
END_TEST

/* ---- prepare ------------------------------------------------------------ */

static const char *env_get(const struct rl_run *run, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < run->env.n; i++)
        if (strncmp(run->env.v[i], name, n) == 0 && run->env.v[i][n] == '=')
            return run->env.v[i] + n + 1;
    return NULL;
}

START_TEST(test_prepare_tsan)
{
    struct rl_run run = {0};
    char *args[] = {"8080", NULL};
    char err[256] = "", want[128];
    run.exe = "/x/prog";
    run.program_args = args;
    run.workdir = workdir;
    run.sandbox.address_limit_ok = 1;
    ck_assert_msg(rl_tool_tsan.prepare(&run, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(run.argv.n, 5);
    ck_assert_str_eq(run.argv.v[0], "setarch");
    ck_assert_str_eq(run.argv.v[2], "-R");
    ck_assert_str_eq(run.argv.v[3], "/x/prog");
    ck_assert_str_eq(run.argv.v[4], "8080");
    ck_assert_int_eq(run.sandbox.address_limit_ok, 0);
    const char *o = env_get(&run, "TSAN_OPTIONS");
    ck_assert_ptr_nonnull(o);
    snprintf(want, sizeof want, "log_path='%s/tsan'", workdir);
    ck_assert_ptr_nonnull(strstr(o, want));
    ck_assert_ptr_nonnull(strstr(o, "external_symbolizer_path='/"));
    ck_assert_ptr_nonnull(strstr(o, "second_deadlock_stack=1"));
    ck_assert_ptr_nonnull(strstr(o, "halt_on_error=0"));
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
}
END_TEST

START_TEST(test_prepare_asan)
{
    struct rl_run run = {0};
    char err[256] = "", want[128];
    run.exe = "/x/prog";
    run.workdir = workdir;
    ck_assert_msg(rl_tool_asan.prepare(&run, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(run.argv.n, 1);
    ck_assert_str_eq(run.argv.v[0], "/x/prog");
    snprintf(want, sizeof want, "log_path='%s/asan'", workdir);
    /* One log for the three runtimes that share the process. */
    const char *vars[] = {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"};
    for (int i = 0; i < 3; i++) {
        const char *o = env_get(&run, vars[i]);
        ck_assert_msg(o != NULL, "no %s", vars[i]);
        ck_assert_ptr_nonnull(strstr(o, want));
        ck_assert_ptr_nonnull(strstr(o, "exitcode=66"));
    }
    ck_assert_ptr_nonnull(
        strstr(env_get(&run, "ASAN_OPTIONS"), "detect_leaks=1"));
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
}
END_TEST

/* ---- the real tools on real programs ------------------------------------ */

static void run_command(char *const argv[])
{
    pid_t pid = fork();
    int status;
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "'%s' failed",
                  argv[0]);
}

/* Builds the fixture with the variant's flags, into workdir/NAME. */
static void build(const struct rl_tool *tool, const char *source, char *exe,
                  size_t len)
{
    const char *base = strrchr(source, '/') + 1;
    snprintf(exe, len, "%s/%.*s", workdir, (int)(strcspn(base, ".")), base);
    char *tsan[] = {"clang", "-fsanitize=thread", "-g", "-O1", "-pthread", "-o",
                    exe,     (char *)source,      NULL};
    char *asan[] = {"clang",
                    "-fsanitize=address,undefined",
                    "-g",
                    "-O1",
                    "-fno-omit-frame-pointer",
                    "-pthread",
                    "-o",
                    exe,
                    (char *)source,
                    NULL};
    run_command(tool == &rl_tool_tsan ? tsan : asan);
}

/*
 * prepare, the sandbox, parse: once, in a fresh folder of its own.  A
 * program that `dies` is stopped by the runtime at its first error (ASan)
 * with the sanitizer's exit code; the others must print their DONE.
 */
static void run_once(const struct rl_tool *tool, const char *exe,
                     const struct rl_sources *src, int round, int dies,
                     struct rl_findings *out)
{
    struct rl_run run = {0};
    char dir[PATH_MAX], err[256] = "";
    snprintf(dir, sizeof dir, "%s/run%d", workdir, round);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    run.tool = tool;
    run.sources = src;
    run.exe = exe;
    run.workdir = dir;
    run.timeout = 30;
    rl_sandbox_opts_default(&run.sandbox);
    run.sandbox.cwd = dir;
    run.sandbox.timeout = 30;
    ck_assert_msg(tool->prepare(&run, err, sizeof err) == 0, "%s", err);
    run.sandbox.env_extra = run.env.v;
    ck_assert_msg(rl_sandbox_run(run.argv.v, &run.sandbox, &run.result, err,
                                 sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(run.result.exited,
                  "%s did not exit by itself: signal %d, timed out %d, "
                  "stderr: %s",
                  exe, run.result.signal, run.result.timed_out,
                  run.result.err ? run.result.err : "");
    /* A marker, so that a crash cannot pass for a clean run. */
    if (dies)
        ck_assert_int_eq(run.result.exit_status, 66);
    else
        ck_assert_msg(run.result.out && strstr(run.result.out, "DONE\n"),
                      "%s printed no DONE; stderr: %s", exe, run.result.err);
    ck_assert_msg(tool->parse(&run, out, err, sizeof err) == 0, "%s", err);
    rl_sandbox_result_free(&run.result);
    rl_strv_free(&run.argv);
    rl_strv_free(&run.env);
}

/*
 * Builds dir/program.c, runs it `times` times and checks that every run
 * finds exactly `id` (or nothing when id is NULL), at `line` when given.
 */
static void check_verdict(const struct rl_tool *tool, const char *program,
                          const char *id, int line, int times, int dies)
{
    const char *dir = tool == &rl_tool_tsan ? TSAN_DIR : ASAN_DIR;
    char source[PATH_MAX], exe[PATH_MAX];
    struct rl_sources src;
    snprintf(source, sizeof source, "%s/%s.c", dir, program);
    init_sources(&src, source);
    build(tool, source, exe, sizeof exe);
    for (int i = 0; i < times; i++) {
        struct rl_findings l = {0};
        run_once(tool, exe, &src, i, dies, &l);
        if (!id) {
            ck_assert_msg(l.n == 0, "%s: run %d found %s", program, i,
                          l.n ? l.v[0].id : "");
        } else {
            const struct rl_finding *f = only(&l, id, tool->name);
            if (line)
                ck_assert_msg(rl_finding_has_location(f, source, line),
                              "%s: run %d: %s not at line %d", program, i, id,
                              line);
        }
        rl_findings_free(&l);
    }
    rl_sources_free(&src);
}

START_TEST(test_tsan_race)
{
    check_verdict(&rl_tool_tsan, "race", "data-race", 13, REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_race_heap)
{
    check_verdict(&rl_tool_tsan, "race_heap", "data-race", 19, REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_lock_order)
{
    check_verdict(&rl_tool_tsan, "lock_order", "lock-order-inversion", 24,
                  REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_lock_order_wrapped)
{
    check_verdict(&rl_tool_tsan, "lock_order_wrapped", "lock-order-inversion",
                  38, REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_thread_leak)
{
    check_verdict(&rl_tool_tsan, "thread_leak", "thread-leak", 41, REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_signal_printf)
{
    check_verdict(&rl_tool_tsan, "signal_printf", "signal-unsafe-call", 10,
                  REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_signal_malloc)
{
    check_verdict(&rl_tool_tsan, "signal_malloc", "signal-unsafe-call", 13,
                  REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_errno)
{
    check_verdict(&rl_tool_tsan, "signal_errno", "errno-clobber", 18, REPEAT,
                  0);
}
END_TEST

START_TEST(test_tsan_uaf)
{
    check_verdict(&rl_tool_tsan, "uaf", "use-after-free", 12, REPEAT, 0);
}
END_TEST

START_TEST(test_tsan_correct)
{
    check_verdict(&rl_tool_tsan, "correct", NULL, 0, REPEAT, 0);
}
END_TEST

START_TEST(test_asan_uaf)
{
    check_verdict(&rl_tool_asan, "uaf", "use-after-free", 12, REPEAT, 1);
}
END_TEST

START_TEST(test_asan_double_free)
{
    /* halt_on_error=0: the runtime refuses the second free and goes on. */
    check_verdict(&rl_tool_asan, "double_free", "use-after-free", 12, REPEAT,
                  0);
}
END_TEST

START_TEST(test_asan_leak)
{
    check_verdict(&rl_tool_asan, "leak", "memory-leak", 18, REPEAT, 0);
}
END_TEST

START_TEST(test_asan_fork_leak)
{
    check_verdict(&rl_tool_asan, "fork_leak", "memory-leak", 16, REPEAT, 0);
}
END_TEST

START_TEST(test_asan_ubsan_only)
{
    check_verdict(&rl_tool_asan, "ubsan", NULL, 0, REPEAT, 0);
}
END_TEST

START_TEST(test_asan_correct)
{
    check_verdict(&rl_tool_asan, "correct", NULL, 0, REPEAT, 0);
}
END_TEST

static TCase *tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *make_sanitizer_suite(void)
{
    Suite *s = suite_create("sanitizers");
    TCase *parser = tcase("Parser", 10);
    tcase_set_tags(parser, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(parser, test_parse_tsan_race);
    tcase_add_test(parser, test_parse_tsan_runtime_frames);
    tcase_add_test(parser, test_parse_tsan_other_kinds);
    tcase_add_test(parser, test_parse_asan_kinds);
    tcase_add_test(parser, test_parse_ubsan);
    tcase_add_test(parser, test_parse_several_logs);
    tcase_add_test(parser, test_parse_text_edges);
    tcase_add_test(parser, test_clean_heading);
    suite_add_tcase(s, parser);

    TCase *map = tcase("Mapping", 10);
    tcase_set_tags(map, "fast"); /* no tool runs: make test-fast */
    tcase_add_test(map, test_map_race);
    tcase_add_test(map, test_map_race_two_sides);
    tcase_add_test(map, test_map_lock_order);
    tcase_add_test(map, test_map_lock_order_wrapped);
    tcase_add_test(map, test_map_thread_leak);
    tcase_add_test(map, test_map_signal_unsafe);
    tcase_add_test(map, test_map_signal_unsafe_merged);
    tcase_add_test(map, test_map_errno);
    tcase_add_test(map, test_map_tsan_uaf);
    tcase_add_test(map, test_map_duplicates_merged);
    tcase_add_test(map, test_map_no_user_frame);
    tcase_add_test(map, test_map_asan_uaf);
    tcase_add_test(map, test_map_double_free);
    tcase_add_test(map, test_map_leak);
    tcase_add_test(map, test_map_leak_two_processes);
    tcase_add_test(map, test_map_leak_not_exited);
    tcase_add_test(map, test_map_ubsan_ignored);
    tcase_add_test(map, test_map_fatal_is_the_programs);
    tcase_add_test(map, test_map_lsan_fatal_is_the_programs);
    tcase_add_test(map, test_prepare_tsan);
    tcase_add_test(map, test_prepare_asan);
    suite_add_tcase(s, map);

    /* Each test builds with clang and runs REPEAT times. */
    TCase *tsan = tcase("TSan runs", 180);
    tcase_add_test(tsan, test_tsan_race);
    tcase_add_test(tsan, test_tsan_race_heap);
    tcase_add_test(tsan, test_tsan_lock_order);
    tcase_add_test(tsan, test_tsan_lock_order_wrapped);
    tcase_add_test(tsan, test_tsan_thread_leak);
    tcase_add_test(tsan, test_tsan_signal_printf);
    tcase_add_test(tsan, test_tsan_signal_malloc);
    tcase_add_test(tsan, test_tsan_errno);
    tcase_add_test(tsan, test_tsan_uaf);
    tcase_add_test(tsan, test_tsan_correct);
    suite_add_tcase(s, tsan);

    TCase *asan = tcase("ASan runs", 180);
    tcase_add_test(asan, test_asan_uaf);
    tcase_add_test(asan, test_asan_double_free);
    tcase_add_test(asan, test_asan_leak);
    tcase_add_test(asan, test_asan_fork_leak);
    tcase_add_test(asan, test_asan_ubsan_only);
    tcase_add_test(asan, test_asan_correct);
    suite_add_tcase(s, asan);
    return s;
}
