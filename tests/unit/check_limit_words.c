/* check_limit_words.c: what a student is told when a run hits one of the
 * sandbox's limits (lib/program_end.c), from real runs in the sandbox:
 * the memory cgroup's OOM killer ("killed: out of memory (limit N)")
 * rather than "died of SIGKILL", and an output past the cap ("it printed
 * more than N bytes; the rest was dropped"). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/program_end.h"
#include "lib/sandbox.h"

static char scratch[] = "/tmp/rl-limit-words-XXXXXX";

static void make_scratch(void)
{
    ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", scratch);
}

/* Takes 16 MiB at a time, touching every byte, 1 GiB in all; a child of
 * it does the same when argv[1] is "child", the parent then waits. */
static const char hog_source[] = "#include <stdlib.h>\n"
                                 "#include <string.h>\n"
                                 "#include <sys/wait.h>\n"
                                 "#include <unistd.h>\n"
                                 "static void hog(void)\n"
                                 "{\n"
                                 "    for (int i = 0; i < 64; i++) {\n"
                                 "        char *p = malloc(16 << 20);\n"
                                 "        if (!p) _exit(3);\n"
                                 "        memset(p, 1, 16 << 20);\n"
                                 "    }\n"
                                 "}\n"
                                 "int main(int argc, char **argv)\n"
                                 "{\n"
                                 "    if (argc < 2) { hog(); return 0; }\n"
                                 "    pid_t c = fork();\n"
                                 "    if (c == 0) { hog(); _exit(0); }\n"
                                 "    int st;\n"
                                 "    waitpid(c, &st, 0);\n"
                                 "    return 7;\n"
                                 "}\n";

static const char *build_hog(void)
{
    static char exe[128];
    char src[128], cmd[400];
    snprintf(src, sizeof src, "%s/hog.c", scratch);
    snprintf(exe, sizeof exe, "%s/hog", scratch);
    FILE *f = fopen(src, "w");
    ck_assert_ptr_nonnull(f);
    fputs(hog_source, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gcc -O1 -o '%s' '%s'", exe, src);
    ck_assert_int_eq(system(cmd), 0);
    return exe;
}

static void hog_run(const char *mode, struct rl_sandbox_result *r)
{
    struct rl_sandbox_opts o;
    rl_sandbox_opts_default(&o);
    o.memory_bytes = 64UL << 20;
    o.timeout = 20;
    char *argv[] = {(char *)build_hog(), (char *)mode, NULL};
    char err[256] = "";
    ck_assert_msg(rl_sandbox_run(argv, &o, r, err, sizeof err) == 0, "%s", err);
}

START_TEST(test_program_killed_for_memory)
{
    struct rl_sandbox_result r;
    hog_run(NULL, &r);
    if (!strstr(r.isolation, "memory")) {
        rl_sandbox_result_free(&r);
        return; /* no memory cgroup here: nothing counts the kills */
    }
    ck_assert_int_eq(r.signal, SIGKILL);
    ck_assert_uint_ge(r.oom_kills, 1);
    ck_assert_uint_eq(r.memory_limit, 64UL << 20);
    ck_assert(rl_program_killed_for_memory(&r));
    char note[512] = "";
    rl_program_end_note(&r, "the server", note, sizeof note);
    ck_assert_msg(strstr(note, "the server was killed: out of memory "
                               "(limit 64 MiB)"),
                  "%s", note);
    ck_assert_msg(!strstr(note, "SIGKILL"), "%s", note);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_child_killed_for_memory)
{
    struct rl_sandbox_result r;
    hog_run("child", &r);
    if (!strstr(r.isolation, "memory")) {
        rl_sandbox_result_free(&r);
        return;
    }
    ck_assert_int_eq(r.exited, 1);
    ck_assert_int_eq(r.exit_status, 7);
    ck_assert_uint_ge(r.oom_kills, 1);
    ck_assert(!rl_program_killed_for_memory(&r));
    char note[512] = "";
    rl_program_end_note(&r, "the program", note, sizeof note);
    ck_assert_msg(strstr(note, "exited by itself with status 7 (a process "
                               "of it was killed: out of memory (limit "
                               "64 MiB))"),
                  "%s", note);
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_output_past_the_cap_is_said)
{
    struct rl_sandbox_opts o;
    rl_sandbox_opts_default(&o);
    o.output_cap = 1 << 20;
    char *argv[] = {"/bin/sh", "-c",
                    "head -c 3000000 /dev/zero; echo short >&2", NULL};
    struct rl_sandbox_result r;
    char err[256] = "";
    ck_assert_int_eq(rl_sandbox_run(argv, &o, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.out_truncated, 1);
    char note[512] = "";
    rl_program_output_note(&r, note, sizeof note);
    ck_assert_str_eq(note, "it printed more than 1 MiB on stdout; the rest "
                           "was dropped");
    rl_sandbox_result_free(&r);
    /* Within the cap: nothing to say. */
    char *quiet[] = {"/bin/sh", "-c", "echo hello", NULL};
    ck_assert_int_eq(rl_sandbox_run(quiet, &o, &r, err, sizeof err), 0);
    note[0] = '\0';
    rl_program_output_note(&r, note, sizeof note);
    ck_assert_str_eq(note, "");
    rl_sandbox_result_free(&r);
}
END_TEST

START_TEST(test_sizes_in_their_unit)
{
    char buf[32];
    rl_size_text(4UL << 30, buf, sizeof buf);
    ck_assert_str_eq(buf, "4 GiB");
    rl_size_text(1 << 20, buf, sizeof buf);
    ck_assert_str_eq(buf, "1 MiB");
    rl_size_text(1000, buf, sizeof buf);
    ck_assert_str_eq(buf, "1000 bytes");
    rl_size_text(3 << 29, buf, sizeof buf);
    ck_assert_str_eq(buf, "1536 MiB");
}
END_TEST

Suite *make_limit_words_suite(void)
{
    Suite *s = suite_create("limit_words");
    TCase *words = tcase_create("words");
    tcase_add_test(words, test_sizes_in_their_unit);
    tcase_set_tags(words, "fast");
    suite_add_tcase(s, words);
    TCase *runs = tcase_create("runs");
    tcase_add_unchecked_fixture(runs, make_scratch, remove_scratch);
    tcase_add_test(runs, test_program_killed_for_memory);
    tcase_add_test(runs, test_child_killed_for_memory);
    tcase_add_test(runs, test_output_past_the_cap_is_said);
    tcase_set_timeout(runs, 60);
    suite_add_tcase(s, runs);
    return s;
}
