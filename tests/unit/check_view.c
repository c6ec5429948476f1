/* check_view.c: a confined run sees a filesystem of its own (the system
 * read-only, its folder writable, nothing else of the host), its folder
 * is a size-limited tmpfs, and where either is off its isolation says so. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/build.h"
#include "lib/guarded_map.h"
#include "lib/run_disk.h"
#include "lib/run_uid.h"
#include "lib/sandbox.h"
#include "lib/sandbox_view.h"
#include "lib/workdir.h"

static char tmpdir[256];
static char checkout[4096]; /* the repository: what a run must not see */

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-view-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    ck_assert_ptr_nonnull(getcwd(checkout, sizeof checkout));
}

static void setup_noview(void)
{
    ck_assert_int_eq(setenv("RACELAB_SANDBOX", "noview", 1), 0);
    setup();
}

static void teardown(void)
{
    rl_workdir_remove(tmpdir);
}

static char *folder(const char *name)
{
    static char paths[4][300];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 300, "%s/%s", tmpdir, name);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    return p;
}

static int is_root(void)
{
    return geteuid() == 0;
}

/* A confined shell script in dir, as a tool's run of the user's program. */
static void sh_in(const char *script, const char *dir, unsigned long long disk,
                  struct rl_sandbox_result *r)
{
    struct rl_sandbox_opts o;
    char err[256] = "";
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    rl_sandbox_opts_for_program(&o, 20, dir);
    o.disk_bytes = disk;
    ck_assert_msg(rl_sandbox_run(argv, &o, r, err, sizeof err) == 0, "%s", err);
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0))
            return 1;
    return 0;
}

/* The view: what is there, what is not, what may be written. */
START_TEST(test_view_hides_the_host)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    char marker[300];
    snprintf(marker, sizeof marker, "%s/host-marker", tmpdir);
    char script[16384];
    snprintf(script, sizeof script,
             "echo \"root: $(ls / | tr '\\n' ' ')\"; "
             "test -e '%s/solutions' && echo SEEN-checkout; "
             "test -e '%s/harness/lib/sandbox.c' && echo SEEN-harness; "
             "test -e '%s' && echo SEEN-scratch; "
             "echo shadow:$(wc -c < /etc/shadow); "
             "head -c 5 /etc/passwd; echo; "
             "echo \"net: $(ls /sys/class/net 2>&1 | tr '\\n' ' ')\"; "
             "echo pids: $(ls /proc | grep -c '^[0-9]'); "
             "ls /proc/1/root/ >/dev/null 2>&1 && echo SEEN-proc1root; "
             "umount /proc 2>/dev/null && echo UNMOUNTED; "
             "umount -l /proc 2>/dev/null && echo UNMOUNTED; "
             "touch /usr/planted 2>/dev/null && echo WROTE-usr; "
             "touch /planted 2>/dev/null && echo WROTE-root; "
             "touch /etc/planted 2>/dev/null && echo WROTE-etc; "
             "echo hi > /tmp/mine && echo tmp-ok; "
             "echo hi > '%s' 2>/dev/null && echo WROTE-host; "
             "echo kept > ./result && echo work-ok; "
             "echo cwd:$(pwd)",
             checkout, checkout, marker, marker);
    struct rl_sandbox_result r;
    sh_in(script, dir, 0, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%d: %s", r.exit_status,
                  r.err);
    ck_assert_msg(r.fs_view, "%s", r.isolation);
    ck_assert_msg(strstr(r.isolation, ", private filesystem view"), "%s",
                  r.isolation);
    ck_assert_msg(!strstr(r.out, "SEEN-") && !strstr(r.out, "WROTE-") &&
                      !strstr(r.out, "UNMOUNTED"),
                  "%s", r.out);
    /* The root holds the system and the view's own folders only. */
    const char *root = strstr(r.out, "root: ");
    ck_assert_ptr_nonnull(root);
    ck_assert_msg(!strstr(root, " work ") && !strstr(root, " home ") &&
                      !strstr(root, " root ") && !strstr(root, " var ") &&
                      strstr(root, " usr ") && strstr(root, " tmp "),
                  "%s", r.out);
    ck_assert_msg(has_line(r.out, "shadow:0"), "%s", r.out);
    ck_assert_msg(has_line(r.out, "root:"), "%s", r.out); /* /etc/passwd */
    ck_assert_msg(has_line(r.out, "net: lo "), "%s", r.out);
    /* Its own processes only (init, the shell, ls, grep, a subshell). */
    const char *pids = strstr(r.out, "pids: ");
    ck_assert_ptr_nonnull(pids);
    ck_assert_msg(atoi(pids + 6) >= 2 && atoi(pids + 6) <= 8, "%s", r.out);
    ck_assert_msg(has_line(r.out, "tmp-ok") && has_line(r.out, "work-ok"), "%s",
                  r.out);
    char cwd_line[400];
    snprintf(cwd_line, sizeof cwd_line, "cwd:%s", dir);
    ck_assert_msg(has_line(r.out, cwd_line), "%s", r.out);
    /* Its folder's files reach the harness; nothing else of it does. */
    char result[400];
    snprintf(result, sizeof result, "%s/result", dir);
    ck_assert_int_eq(access(result, R_OK), 0);
    ck_assert_int_ne(access(marker, F_OK), 0);
    ck_assert_int_ne(access("/usr/planted", F_OK), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* Filling its folder fills its tmpfs, not the grader's disk. */
START_TEST(test_work_folder_limited)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    struct rl_sandbox_result r;
    sh_in("dd if=/dev/zero of=big bs=1M count=24 2>/dev/null && echo FILLED; "
          "dd if=/dev/zero of=/tmp/big bs=1M count=80 2>/dev/null "
          "&& echo FILLED-tmp; "
          "ls -l big | awk '{print \"size:\" $5}'",
          dir, 8ULL << 20, &r);
    ck_assert_msg(r.disk_limited, "%s", r.isolation);
    ck_assert_msg(strstr(r.isolation, "work folder limited to 8 MiB"), "%s",
                  r.isolation);
    ck_assert_msg(!strstr(r.out, "FILLED"), "%s", r.out);
    char big[400];
    snprintf(big, sizeof big, "%s/big", dir);
    struct stat st;
    ck_assert_int_eq(stat(big, &st), 0);
    ck_assert_int_le(st.st_size, 8 << 20);
    rl_sandbox_result_free(&r);
    /* Its folder goes with racelab's scratch, mount and all. */
    rl_workdir_remove(dir);
    ck_assert_int_ne(access(dir, F_OK), 0);
}
END_TEST

/* A compiler sees the include folder's headers, never what sits beside
 * them, nor anything reached by "../" from the sources. */
START_TEST(test_build_sees_headers_only)
{
    if (!is_root())
        return;
    char *lab = folder("lab");
    char *sub = folder("sub");
    char *out = folder("out");
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/lab.h", lab);
    f = fopen(path, "w");
    fputs("#define GREETING \"hi\"\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/secret.c", lab);
    f = fopen(path, "w");
    fputs("SECRET-SOLUTION-TEXT\n", f);
    fclose(f);
    chmod(path, 0644);
    snprintf(path, sizeof path, "%s/ok.c", sub);
    f = fopen(path, "w");
    fputs("#include <stdio.h>\n#include \"lab.h\"\n"
          "int main(void) { puts(GREETING); return 0; }\n",
          f);
    fclose(f);
    char *includes[] = {lab, NULL};
    struct rl_build_extras extras = {includes, NULL};
    struct rl_sources src = {0};
    src.n = 1;
    src.absolute[0] = path;
    src.given[0] = path;
    int wanted[RL_VARIANT_COUNT] = {[RL_VARIANT_PLAIN] = 1};
    struct rl_build b;
    char err[256] = "";
    ck_assert_int_eq(
        rl_build_all_with(&src, wanted, &extras, out, &b, err, sizeof err), 0);
    ck_assert_msg(!b.failed[RL_VARIANT_PLAIN], "%s",
                  b.output[RL_VARIANT_PLAIN]);
    ck_assert_msg(strstr(b.isolation[RL_VARIANT_PLAIN], "private filesystem"),
                  "%s", b.isolation[RL_VARIANT_PLAIN]);
    ck_assert_int_eq(access(b.exe[RL_VARIANT_PLAIN], X_OK), 0);
    rl_build_free(&b);
    /* The secret beside the header, by name, by "../", by absolute path,
     * through a header that is a link to it; and /etc/shadow.  Each is
     * its own build (the first missing file ends a compile). */
    char link[400], secret[400];
    snprintf(link, sizeof link, "%s/peek.h", sub);
    snprintf(secret, sizeof secret, "%s/secret.c", lab);
    ck_assert_int_eq(symlink(secret, link), 0);
    /* and a folder that is a link, holding a header that is a file */
    char hidden[400], alias[400];
    snprintf(hidden, sizeof hidden, "%s/hidden", tmpdir);
    ck_assert_int_eq(mkdir(hidden, 0755), 0);
    snprintf(path, sizeof path, "%s/secret.h", hidden);
    f = fopen(path, "w");
    fputs("SECRET-SOLUTION-TEXT\n", f);
    fclose(f);
    chmod(path, 0644);
    snprintf(alias, sizeof alias, "%s/inc", sub);
    ck_assert_int_eq(symlink(hidden, alias), 0);
    /* and a header further away than the include folders' own folder */
    char far[400], far_include[700];
    snprintf(far, sizeof far, "%s-far.h", tmpdir);
    f = fopen(far, "w");
    fputs("SECRET-SOLUTION-TEXT\n", f);
    fclose(f);
    chmod(far, 0644);
    snprintf(far_include, sizeof far_include, "#include \"../../%s\"\n",
             strrchr(far, '/') + 1);
    char absolute[600];
    snprintf(absolute, sizeof absolute, "#include \"%s\"\n", secret);
    const char *cheats[] = {"#include \"secret.c\"\n",
                            "#include \"../lab/secret.c\"\n",
                            absolute,
                            "#include \"peek.h\"\n",
                            "#include \"inc/secret.h\"\n",
                            far_include,
                            "#include \"/etc/shadow\"\n"};
    for (size_t i = 0; i < sizeof cheats / sizeof *cheats; i++) {
        snprintf(path, sizeof path, "%s/cheat%zu.c", sub, i);
        f = fopen(path, "w");
        fprintf(f, "%sint main(void) { return 0; }\n", cheats[i]);
        fclose(f);
        ck_assert_int_eq(
            rl_build_all_with(&src, wanted, &extras, out, &b, err, sizeof err),
            0);
        const char *said = b.output[RL_VARIANT_PLAIN];
        ck_assert_msg(!said || !strstr(said, "SECRET-SOLUTION"), "%s", said);
        /* /etc/shadow (the last) is /dev/null in the view: empty, so that
         * one compiles; the others name the missing file */
        if (i + 1 < sizeof cheats / sizeof *cheats) {
            ck_assert_msg(b.failed[RL_VARIANT_PLAIN], "%s compiled", cheats[i]);
            ck_assert_msg(said && strstr(said, "No such file"), "%s", said);
        }
        rl_build_free(&b);
    }
    unlink(far);
}
END_TEST

/* The plan: the files named, headers of folders named, nothing else. */
START_TEST(test_plan_takes_what_is_named)
{
    char *lab = folder("lab");
    char *home = folder("home");
    char path[400], hdr[400], other[400];
    snprintf(hdr, sizeof hdr, "%s/x.h", lab);
    snprintf(other, sizeof other, "%s/rubric.json", lab);
    snprintf(path, sizeof path, "%s/prog", tmpdir);
    const char *made[] = {hdr, other, path};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(made[i], "w");
        fputs("x\n", f);
        fclose(f);
    }
    char inc[420], log[420], env[900];
    snprintf(inc, sizeof inc, "-I%s", lab);
    snprintf(log, sizeof log, "--log-file=%s/tool.log", home);
    snprintf(env, sizeof env, "TSAN_OPTIONS=log_path='%s/tsan':x=1", home);
    char *argv[] = {"cc", inc, path, log, "/usr/bin/true", NULL};
    char *envs[] = {env, NULL};
    struct rl_view v;
    rl_view_plan(&v, home, home, argv, envs);
    int saw_home = 0, saw_hdr = 0, saw_prog = 0, saw_lab = 0;
    for (size_t i = 0; i < v.n; i++) {
        ck_assert_msg(strcmp(v.e[i].path, other) != 0, "rubric in the view");
        ck_assert_msg(strncmp(v.e[i].path, "/usr", 4) != 0, "%s", v.e[i].path);
        saw_home |= strcmp(v.e[i].path, home) == 0 && v.e[i].kind == RL_VIEW_RW;
        saw_hdr |= strcmp(v.e[i].path, hdr) == 0 && v.e[i].kind == RL_VIEW_RO;
        saw_prog |= strcmp(v.e[i].path, path) == 0 && v.e[i].kind == RL_VIEW_RO;
        saw_lab |= strcmp(v.e[i].path, lab) == 0 && v.e[i].kind == RL_VIEW_DIR;
    }
    ck_assert(saw_home && saw_hdr && saw_prog && saw_lab);
    ck_assert_int_eq(v.n, 4);
    rl_view_free(&v);
}
END_TEST

/* Forced off, the view is said to be missing (and so is the tmpfs);
 * the uid still keeps root's files as they were. */
START_TEST(test_noview_says_so)
{
    char *dir = folder("run");
    char rubric[300];
    snprintf(rubric, sizeof rubric, "%s/rubric.json", tmpdir);
    FILE *f = fopen(rubric, "w");
    fputs("{}\n", f);
    fclose(f);
    chmod(rubric, 0644);
    char script[4096 + 1024];
    snprintf(script, sizeof script,
             "test -e '%s/solutions' && echo SEEN-checkout; "
             "echo hacked >> '%s' 2>/dev/null && echo WROTE-rubric; exit 0",
             checkout, rubric);
    struct rl_sandbox_result r;
    sh_in(script, dir, 0, &r);
    ck_assert(!r.fs_view);
    ck_assert(!r.disk_limited);
    ck_assert_msg(strstr(r.isolation, ", no filesystem view: disabled "
                                      "(RACELAB_SANDBOX=noview)"),
                  "%s", r.isolation);
    ck_assert_msg(strstr(r.isolation, "work folder not size-limited"), "%s",
                  r.isolation);
    /* What the fallback cannot hide: a checkout other users can reach
     * (a clone in a mkdtemp folder, as CI's, is mode 0700: hidden). */
    if (rl_run_uid_can_read(checkout))
        ck_assert_msg(strstr(r.out, "SEEN-checkout"), "%s", r.out);
    else
        ck_assert_msg(!strstr(r.out, "SEEN-checkout"), "%s", r.out);
    if (is_root())
        ck_assert_msg(!strstr(r.out, "WROTE-rubric"), "%s", r.out);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A mapped file cut to nothing reads as zeros, not as a SIGBUS. */
START_TEST(test_guarded_map_survives_truncation)
{
    char path[300];
    snprintf(path, sizeof path, "%s/table", tmpdir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    size_t len = 3 * (size_t)sysconf(_SC_PAGESIZE);
    ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
    ck_assert_int_eq(pwrite(fd, "x", 1, (off_t)len - 1), 1);
    const char *m = rl_guarded_map(fd, len);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m[len - 1], 'x');
    ck_assert_int_eq(ftruncate(fd, 0), 0);
    ck_assert_int_eq(m[0], 0);
    ck_assert_int_eq(m[len - 1], 0);
    rl_guarded_unmap(m, len);
    close(fd);
}
END_TEST

/* The same through racelab: a program that cuts the probe's table under
 * it gets its report, racelab no SIGBUS (it used to die: exit 135). */
START_TEST(test_truncated_probe_table)
{
    ck_assert_int_eq(access("bin/racelab", X_OK), 0); /* run from the top */
    char src[300], cmd[900];
    snprintf(src, sizeof src, "%s/cut.c", tmpdir);
    FILE *f = fopen(src, "w");
    ck_assert_ptr_nonnull(f);
    fputs("#include <pthread.h>\n#include <unistd.h>\n"
          "static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n"
          "int main(void) {\n"
          "    usleep(500000); /* racelab maps the table meanwhile */\n"
          "    truncate(\"probe.shm\", 0);\n"
          "    for (int i = 0; i < 10; i++) {\n"
          "        pthread_mutex_lock(&m);\n"
          "        pthread_mutex_unlock(&m);\n"
          "        usleep(50000);\n"
          "    }\n"
          "    return 0;\n}\n",
          f);
    fclose(f);
    chmod(src, 0644);
    snprintf(cmd, sizeof cmd,
             "bin/racelab check --tools probe %s >/dev/null 2>&1", src);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= 1, "racelab: status %d",
                  WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
END_TEST

/* racelab doctor says whether the view works, and why not. */
static char *doctor(const char *sandbox)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s%s bin/racelab doctor 2>&1",
             sandbox ? "RACELAB_SANDBOX=" : "", sandbox ? sandbox : "");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = 0;
    pclose(p);
    return text;
}

START_TEST(test_doctor_tells)
{
    if (!is_root())
        return;
    ck_assert_int_eq(access("bin/racelab", X_OK), 0); /* run from the top */
    char *text = doctor(NULL);
    ck_assert_msg(strstr(text, "\nfilesystem view: ok ("), "%s", text);
    ck_assert_msg(strstr(text, "\nwork folder disk limit: ok (work folder "
                               "limited to 512 MiB)"),
                  "%s", text);
    text = doctor("noview");
    ck_assert_msg(strstr(text, "\nfilesystem view: no (disabled "
                               "(RACELAB_SANDBOX=noview)): "),
                  "%s", text);
    ck_assert_msg(strstr(text, "\nwork folder disk limit: no ("), "%s", text);
}
END_TEST

Suite *make_view_suite(void)
{
    Suite *s = suite_create("view");
    TCase *view = tcase_create("View");
    tcase_set_timeout(view, 120);
    tcase_add_checked_fixture(view, setup, teardown);
    tcase_add_test(view, test_view_hides_the_host);
    tcase_add_test(view, test_work_folder_limited);
    tcase_add_test(view, test_build_sees_headers_only);
    tcase_add_test(view, test_plan_takes_what_is_named);
    tcase_add_test(view, test_doctor_tells);
    tcase_add_test(view, test_guarded_map_survives_truncation);
    tcase_add_test(view, test_truncated_probe_table);
    suite_add_tcase(s, view);
    TCase *off = tcase_create("NoView");
    tcase_set_timeout(off, 60);
    tcase_add_checked_fixture(off, setup_noview, teardown);
    tcase_add_test(off, test_noview_says_so);
    suite_add_tcase(s, off);
    return s;
}
