/* check_run_uid.c: confined runs get a uid of their own, no capabilities,
 * no_new_privs and a minimal environment, and cannot touch the grader. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/build.h"
#include "lib/run_uid.h"
#include "lib/sandbox.h"
#include "lib/workdir.h"

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl-run-uid-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    /* The runs' uids must reach their folders inside. */
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
}

static void setup_nons(void)
{
    setup();
    ck_assert_int_eq(setenv("RACELAB_SANDBOX", "nons", 1), 0);
}

static void setup_nobody(void)
{
    if (geteuid() == 0) {
        ck_assert_int_eq(setgroups(0, NULL), 0);
        ck_assert_int_eq(setgid(65534), 0);
        ck_assert_int_eq(setuid(65534), 0);
    }
    setup();
}

static void teardown(void)
{
    /* Run folders are tmpfs mounts of their own: racelab's own removal
     * unmounts them. */
    rl_workdir_remove(tmpdir);
    if (access(tmpdir, F_OK) == 0)
        fprintf(stderr, "cannot remove '%s'\n", tmpdir);
}

/* tmpdir/name, a new folder of root's (as the harness makes a run's). */
static char *folder(const char *name)
{
    static char paths[4][300];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 300, "%s/%s", tmpdir, name);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    return p;
}

/* Runs argv confined in cwd, as a tool's run of the user's program. */
static void run_in(char *const argv[], const char *cwd,
                   struct rl_sandbox_result *r)
{
    struct rl_sandbox_opts o;
    char err[256] = "";
    rl_sandbox_opts_for_program(&o, 10, cwd);
    ck_assert_msg(rl_sandbox_run(argv, &o, r, err, sizeof err) == 0, "%s", err);
}

static void sh_in(const char *script, const char *cwd,
                  struct rl_sandbox_result *r)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    run_in(argv, cwd, r);
}

static long status_field(const char *status, const char *name, int base)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s:", name);
    const char *p = strstr(status, key);
    ck_assert_msg(p != NULL, "no %s in %s", name, status);
    return strtol(p + strlen(key), NULL, base);
}

static int is_root(void)
{
    return geteuid() == 0;
}

START_TEST(test_own_uid_no_caps)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    char *argv[] = {"cat", "/proc/self/status", NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    long uid = status_field(r.out, "Uid", 10);
    ck_assert_int_ge(uid, RL_RUN_UID_FIRST);
    ck_assert_int_lt(uid, RL_RUN_UID_FIRST + RL_RUN_UID_COUNT);
    ck_assert_int_eq(status_field(r.out, "Gid", 10), uid);
    ck_assert_int_eq(status_field(r.out, "CapEff", 16), 0);
    ck_assert_int_eq(status_field(r.out, "CapPrm", 16), 0);
    ck_assert_int_eq(status_field(r.out, "CapBnd", 16), 0);
    ck_assert_int_eq(status_field(r.out, "NoNewPrivs", 10), 1);
    /* No supplementary group: "Groups:" then blanks to the line's end. */
    const char *groups = strstr(r.out, "\nGroups:");
    ck_assert_ptr_nonnull(groups);
    groups += strlen("\nGroups:");
    ck_assert_int_eq(groups[strspn(groups, " \t")], '\n');
    ck_assert(r.own_uid);
    ck_assert_int_eq(r.uid, uid);
    static const char said[] = "own uid, no capabilities, no_new_privs, ";
    ck_assert_msg(strncmp(r.isolation, said, strlen(said)) == 0, "%s",
                  r.isolation);
    /* Its folder is its own. */
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_int_eq(st.st_uid, uid);
    rl_sandbox_result_free(&r);
}
END_TEST

/* RLIMIT_NPROC counts a uid's tasks: with a uid of its own it is the
 * run's process limit (the pids cgroup stays too). */
START_TEST(test_nproc_per_uid)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    char *argv[] = {"cat", "/proc/self/limits", NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    const char *line = strstr(r.out, "Max processes");
    ck_assert_ptr_nonnull(line);
    long soft = strtol(line + strlen("Max processes"), NULL, 10);
    ck_assert_int_eq(soft, RL_SANDBOX_PROCS);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A uid held by one racelab process is never handed out by another, nor
 * twice in one process. */
START_TEST(test_uid_locks_exclusive)
{
    if (!is_root())
        return;
    int held_fd, again_fd;
    int held = rl_run_uid_acquire(&held_fd);
    ck_assert_int_ge(held, RL_RUN_UID_FIRST);
    int again = rl_run_uid_acquire(&again_fd);
    ck_assert_int_ge(again, RL_RUN_UID_FIRST);
    ck_assert_int_ne(again, held);
    rl_run_uid_release(&again_fd);
    pid_t pid = fork();
    if (pid == 0) {
        /* Another process cannot lock the held uid, and the uids it
         * takes (a few: parallel tests need theirs) are never it. */
        char path[64];
        snprintf(path, sizeof path, RL_RUN_UID_LOCKS "/%d.lock", held);
        int fd = open(path, O_RDWR);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0)
            _exit(1);
        int fds[20], n = 0, uid;
        while (n < 20 && (uid = rl_run_uid_acquire(&fds[n])) >= 0) {
            if (uid == held)
                _exit(1);
            n++;
        }
        _exit(n > 0 ? 0 : 2);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    rl_run_uid_release(&held_fd);
    ck_assert_int_eq(held_fd, -1);
}
END_TEST

/* Only what tools need: no PWD or OLDPWD of the grader, nothing else of
 * its environment; env_extra still applies. */
START_TEST(test_minimal_environment)
{
    char *dir = folder("run");
    ck_assert_int_eq(setenv("PWD", "/work/course", 1), 0);
    ck_assert_int_eq(setenv("OLDPWD", "/work", 1), 0);
    ck_assert_int_eq(setenv("RL_GRADER_SECRET", "s3cret", 1), 0);
    char *extra[] = {"TSAN_OPTIONS=halt_on_error=0", NULL};
    char *argv[] = {"/usr/bin/env", NULL};
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char err[256] = "";
    rl_sandbox_opts_for_program(&o, 10, dir);
    o.env_extra = extra;
    ck_assert_msg(rl_sandbox_run(argv, &o, &r, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    ck_assert_msg(!strstr(r.out, "PWD="), "%s", r.out);
    ck_assert_msg(!strstr(r.out, "s3cret"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "PATH=/usr/local/bin:/usr/bin:/bin\n"), "%s",
                  r.out);
    char want[600];
    snprintf(want, sizeof want, "HOME=%s\n", dir);
    ck_assert_msg(strstr(r.out, want), "%s", r.out);
    snprintf(want, sizeof want, "TMPDIR=%s/.tmp\n", dir);
    ck_assert_msg(strstr(r.out, want), "%s", r.out);
    ck_assert_msg(strstr(r.out, "TSAN_OPTIONS=halt_on_error=0\n"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "LANG=") || strstr(r.out, "LC_ALL="), "%s",
                  r.out);
    rl_sandbox_result_free(&r);
    /* Its TMPDIR is there and writable by it. */
    char *sh[] = {"/bin/sh", "-c", "echo x > \"$TMPDIR/t\"", NULL};
    run_in(sh, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    rl_sandbox_result_free(&r);
}
END_TEST

/* Two runs at once never share a uid. */
START_TEST(test_concurrent_runs_differ)
{
    if (!is_root())
        return;
    char *dirs[2] = {folder("a"), folder("b")};
    struct rl_sandbox *sb[2];
    char *argv[] = {"/bin/sh", "-c", "id -u; sleep 0.5", NULL};
    for (int i = 0; i < 2; i++) {
        struct rl_sandbox_opts o;
        char err[256] = "";
        rl_sandbox_opts_for_program(&o, 10, dirs[i]);
        sb[i] = rl_sandbox_start(argv, &o, err, sizeof err);
        ck_assert_msg(sb[i] != NULL, "%s", err);
    }
    struct rl_sandbox_result r[2];
    for (int i = 0; i < 2; i++) {
        rl_sandbox_wait(sb[i], &r[i]);
        ck_assert_msg(r[i].exited && r[i].exit_status == 0, "%s", r[i].err);
        ck_assert_int_ne(atoi(r[i].out), 0);
        ck_assert_int_eq(atoi(r[i].out), r[i].uid);
    }
    ck_assert_int_ne(r[0].uid, r[1].uid);
    rl_sandbox_result_free(&r[0]);
    rl_sandbox_result_free(&r[1]);
}
END_TEST

static char *read_text(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Root's files stay root's: no append to a rubric, no file beside the
 * sources, nothing outside its folder. */
START_TEST(test_cannot_write_outside)
{
    if (!is_root())
        return;
    char rubric[300], src[300];
    snprintf(rubric, sizeof rubric, "%s/rubric.json", tmpdir);
    FILE *f = fopen(rubric, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{}\n", f);
    fclose(f);
    ck_assert_int_eq(chmod(rubric, 0644), 0);
    char *sources = folder("src");
    char *dir = folder("run");
    /* A hard link in its folder to root's file (as a former holder of a
     * reused folder could plant) is not given to it. */
    char alias[400];
    snprintf(alias, sizeof alias, "%s/alias", dir);
    ck_assert_int_eq(link(rubric, alias), 0);
    char script[1200];
    snprintf(script, sizeof script,
             "echo hacked >> '%s' && exit 10; "
             "touch '%s/planted.c' && exit 11; "
             "touch '%s/planted' && exit 12; "
             "rm '%s' 2>/dev/null && exit 13; "
             "echo hacked 2>/dev/null >> alias && echo alias-written; "
             "echo fine > mine && exit 0",
             rubric, sources, tmpdir, rubric);
    struct rl_sandbox_result r;
    sh_in(script, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "status %d: %s",
                  r.exit_status, r.err);
    /* On its own tmpfs (lib/run_disk.h) the alias was moved there as a
     * copy: writing that is harmless.  Else the link is not its own. */
    if (!r.disk_limited)
        ck_assert_msg(!strstr(r.out, "alias-written"), "%s", r.out);
    ck_assert_str_eq(read_text(rubric), "{}\n");
    struct stat st;
    ck_assert_int_eq(stat(rubric, &st), 0);
    ck_assert_int_eq(st.st_uid, 0);
    snprintf(src, sizeof src, "%s/planted.c", sources);
    ck_assert_int_ne(access(src, F_OK), 0);
    rl_sandbox_result_free(&r);
}
END_TEST

/* It cannot signal init (its parent, root's) nor the grader. */
START_TEST(test_cannot_kill_parent_or_grader)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    char script[300];
    snprintf(script, sizeof script,
             "kill -0 $PPID 2>&1 && exit 10; kill -0 %d 2>&1 && exit 11; "
             "exit 0",
             (int)getpid());
    struct rl_sandbox_result r;
    sh_in(script, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "status %d: %s %s",
                  r.exit_status, r.out, r.err);
    /* Its parent it sees: refused for want of permission, not absent. */
    ck_assert_msg(strstr(r.out, "ermitted"), "%s", r.out);
    rl_sandbox_result_free(&r);
}
END_TEST

/* Without namespaces it sees the other run's pid, and still may not
 * signal it: another uid. */
START_TEST(test_cannot_kill_other_run)
{
    if (!is_root())
        return;
    char *dirs[2] = {folder("a"), folder("b")};
    struct rl_sandbox_opts o;
    char err[256] = "";
    rl_sandbox_opts_for_program(&o, 10, dirs[0]);
    char *sleeper[] = {"sleep", "5", NULL};
    struct rl_sandbox *victim = rl_sandbox_start(sleeper, &o, err, sizeof err);
    ck_assert_msg(victim != NULL, "%s", err);
    pid_t pid = 0;
    for (int i = 0; i < 200 && pid <= 0; i++) {
        pid = rl_sandbox_program_pid(victim);
        if (pid <= 0)
            usleep(10000);
    }
    ck_assert_int_gt(pid, 0);
    char script[200];
    snprintf(script, sizeof script, "kill -KILL %d 2>&1 && exit 10; exit 0",
             (int)pid);
    struct rl_sandbox_result r;
    sh_in(script, dirs[1], &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "status %d: %s",
                  r.exit_status, r.out);
    if (getenv("RACELAB_SANDBOX")) /* no pid namespace: it is visible */
        ck_assert_msg(strstr(r.out, "ermitted"), "%s", r.out);
    ck_assert_int_eq(kill(pid, 0), 0); /* the victim lives on */
    rl_sandbox_result_free(&r);
    rl_sandbox_stop(victim);
    struct rl_sandbox_result vr;
    rl_sandbox_wait(victim, &vr);
    ck_assert(!vr.exited);
    rl_sandbox_result_free(&vr);
}
END_TEST

/* It cannot move itself out of its cgroups. */
START_TEST(test_cannot_leave_cgroup)
{
    if (!is_root())
        return;
    char *dir = folder("run");
    const char *script =
        "for c in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/pids/cgroup.procs "
        "/sys/fs/cgroup/memory/cgroup.procs; do "
        "[ -e $c ] && echo $$ > $c 2>/dev/null && exit 10; done; "
        "own=$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup); "
        "[ -n \"$own\" ] && echo $$ > /sys/fs/cgroup/pids$own/cgroup.procs "
        "2>/dev/null && exit 11; exit 0";
    struct rl_sandbox_result r;
    sh_in(script, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "status %d: %s",
                  r.exit_status, r.err);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A student grading their own code runs it as themselves, and is told. */
START_TEST(test_not_root_says_so)
{
    char *dir = folder("run");
    char *argv[] = {"id", "-u", NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    ck_assert_int_eq(atoi(r.out), (int)getuid());
    ck_assert(!r.own_uid);
    ck_assert_msg(strncmp(r.isolation, "as the invoking user, ", 22) == 0, "%s",
                  r.isolation);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A run that is not confined (racelab's own checks) is as it was. */
START_TEST(test_unconfined_unchanged)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char err[256] = "";
    rl_sandbox_opts_default(&o);
    char *argv[] = {"id", "-u", NULL};
    ck_assert_int_eq(rl_sandbox_run(argv, &o, &r, err, sizeof err), 0);
    ck_assert_int_eq(atoi(r.out), (int)getuid());
    ck_assert(!r.own_uid);
    ck_assert_ptr_null(strstr(r.isolation, "uid"));
    ck_assert_ptr_null(strstr(r.isolation, "user,"));
    rl_sandbox_result_free(&r);
}
END_TEST

/* Forced off (RACELAB_SANDBOX=nouid): as root, and it says so. */
START_TEST(test_uid_disabled_says_so)
{
    if (!is_root())
        return;
    ck_assert_int_eq(setenv("RACELAB_SANDBOX", "nouid", 1), 0);
    char *dir = folder("run");
    char *argv[] = {"id", "-u", NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    unsetenv("RACELAB_SANDBOX");
    ck_assert_int_eq(atoi(r.out), 0);
    ck_assert(!r.own_uid);
    ck_assert_msg(strstr(r.isolation, "as root (per-run uids disabled)"), "%s",
                  r.isolation);
    rl_sandbox_result_free(&r);
}
END_TEST

/* A folder other users cannot reach (a caller's mkdtemp, mode 0700, on
 * the way): through the filesystem view the run still gets a uid of its
 * own (its folder is bound below the view's own folders); without the
 * view it goes on as root, and says why. */
START_TEST(test_unreachable_folder_says_so)
{
    if (!is_root())
        return;
    char *closed = folder("closed");
    ck_assert_int_eq(chmod(closed, 0700), 0);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/run", closed);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char *argv[] = {"id", "-u", NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    if (r.fs_view) {
        ck_assert_int_ne(atoi(r.out), 0);
        ck_assert(r.own_uid);
    }
    rl_sandbox_result_free(&r);
    const char *was = getenv("RACELAB_SANDBOX");
    char *saved = was ? strdup(was) : NULL;
    setenv("RACELAB_SANDBOX", "noview", 1);
    run_in(argv, dir, &r);
    if (saved)
        setenv("RACELAB_SANDBOX", saved, 1);
    else
        unsetenv("RACELAB_SANDBOX");
    free(saved);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    ck_assert_int_eq(atoi(r.out), 0);
    ck_assert(!r.own_uid);
    ck_assert_msg(strstr(r.isolation, "not reachable by other users"), "%s",
                  r.isolation);
    rl_sandbox_result_free(&r);
}
END_TEST

static void write_source(const char *path)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
          f);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0644), 0);
}

/* The compiler runs as a uid of its own; the program it wrote is then
 * root's and every run may execute it.  Sources no other user may read
 * are compiled as root, and the isolation says why. */
START_TEST(test_build_as_own_uid)
{
    if (!is_root())
        return;
    char *srcdir = folder("src");
    char *out = folder("out");
    char path[400];
    snprintf(path, sizeof path, "%s/hello.c", srcdir);
    write_source(path);
    struct rl_sources src = {0};
    src.n = 1;
    src.absolute[0] = path;
    src.given[0] = path;
    int wanted[RL_VARIANT_COUNT] = {[RL_VARIANT_PLAIN] = 1};
    struct rl_build b;
    char err[256] = "";
    ck_assert_msg(rl_build_all(&src, wanted, out, &b, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(!b.failed[RL_VARIANT_PLAIN], "%s",
                  b.output[RL_VARIANT_PLAIN]);
    ck_assert_msg(strncmp(b.isolation[RL_VARIANT_PLAIN], "own uid", 7) == 0,
                  "%s", b.isolation[RL_VARIANT_PLAIN]);
    struct stat st;
    ck_assert_int_eq(stat(b.exe[RL_VARIANT_PLAIN], &st), 0);
    ck_assert_int_eq(st.st_uid, 0);
    ck_assert_int_eq(st.st_mode & 0777, 0755);
    char *dir = folder("run");
    char *argv[] = {b.exe[RL_VARIANT_PLAIN], NULL};
    struct rl_sandbox_result r;
    run_in(argv, dir, &r);
    ck_assert_msg(r.exited && r.exit_status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "hi\n");
    rl_sandbox_result_free(&r);
    rl_build_free(&b);

    ck_assert_int_eq(chmod(srcdir, 0700), 0);
    ck_assert_int_eq(rl_build_all(&src, wanted, out, &b, err, sizeof err), 0);
    ck_assert_msg(!b.failed[RL_VARIANT_PLAIN], "%s",
                  b.output[RL_VARIANT_PLAIN]);
    /* A 0700 folder on the way: the compiler runs as root, said (a header
     * of an include folder may be unreadable to other users too). */
    ck_assert_msg(
        strstr(b.isolation[RL_VARIANT_PLAIN], "not readable by other users"),
        "%s", b.isolation[RL_VARIANT_PLAIN]);
    rl_build_free(&b);
}
END_TEST

Suite *make_run_uid_suite(void)
{
    Suite *s = suite_create("run_uid");
    TCase *root = tcase_create("Root");
    tcase_set_timeout(root, 60);
    tcase_add_checked_fixture(root, setup, teardown);
    tcase_add_test(root, test_own_uid_no_caps);
    tcase_add_test(root, test_minimal_environment);
    tcase_add_test(root, test_nproc_per_uid);
    tcase_add_test(root, test_uid_locks_exclusive);
    tcase_add_test(root, test_concurrent_runs_differ);
    tcase_add_test(root, test_cannot_write_outside);
    tcase_add_test(root, test_cannot_kill_parent_or_grader);
    tcase_add_test(root, test_cannot_kill_other_run);
    tcase_add_test(root, test_cannot_leave_cgroup);
    tcase_add_test(root, test_unconfined_unchanged);
    tcase_add_test(root, test_uid_disabled_says_so);
    tcase_add_test(root, test_build_as_own_uid);
    tcase_add_test(root, test_unreachable_folder_says_so);
    suite_add_tcase(s, root);
    /* Without namespaces the uid alone keeps runs apart. */
    TCase *nons = tcase_create("NoNamespaces");
    tcase_set_timeout(nons, 60);
    tcase_add_checked_fixture(nons, setup_nons, teardown);
    tcase_add_test(nons, test_own_uid_no_caps);
    tcase_add_test(nons, test_cannot_write_outside);
    tcase_add_test(nons, test_cannot_kill_parent_or_grader);
    tcase_add_test(nons, test_cannot_kill_other_run);
    suite_add_tcase(s, nons);
    TCase *user = tcase_create("NonRoot");
    tcase_set_timeout(user, 60);
    tcase_add_checked_fixture(user, setup_nobody, teardown);
    tcase_add_test(user, test_not_root_says_so);
    tcase_add_test(user, test_minimal_environment);
    tcase_add_test(user, test_unconfined_unchanged);
    suite_add_tcase(s, user);
    return s;
}
