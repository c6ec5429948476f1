/* preflight.c: checks once per machine setup that TSan and valgrind work. */
#include "engine/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/env_fault.h"
#include "lib/run_uid.h"
#include "lib/sandbox.h"

/* Every new format or check changes this, so old verdicts are not used. */
#define CACHE_VERSION "racelab-preflight 3"

/* Two threads write one global with no synchronization between them.
 * The sleep only orders the writes: TSan can miss two truly simultaneous
 * accesses (about 1 run in 100 without it), never ordered ones. */
static const char racy_program[] =
    "#include <pthread.h>\n"
    "#include <unistd.h>\n"
    "static int shared;\n"
    "static void *writer(void *arg) { shared++; return arg; }\n"
    "int main(void)\n"
    "{\n"
    "    pthread_t t;\n"
    "    pthread_create(&t, 0, writer, 0);\n"
    "    usleep(50000);\n"
    "    shared++;\n"
    "    pthread_join(t, 0);\n"
    "    return 0;\n"
    "}\n";

static void append(struct rl_preflight *p, const char *fmt, const char *a,
                   const char *b)
{
    size_t len = strlen(p->message);
    if (len + 1 >= sizeof p->message)
        return;
    snprintf(p->message + len, sizeof p->message - len, fmt, a, b);
}

/* The first line of a tool's output worth quoting (an error if any). */
static void quote_line(const char *text, char *out, size_t n)
{
    const char *s = text ? text : "";
    const char *hit = strstr(s, "error");
    if (!hit)
        hit = strstr(s, "FATAL");
    if (hit) {
        while (hit > s && hit[-1] != '\n')
            hit--;
        s = hit;
    }
    while (*s == '\n')
        s++;
    size_t len = strcspn(s, "\n");
    if (len >= n)
        len = n - 1;
    if (len > 200)
        len = 200;
    memcpy(out, s, len);
    out[len] = 0;
    if (len == 0)
        snprintf(out, n, "(no output)");
}

/* Finds a program in PATH and describes its real file for the cache key. */
static void describe_binary(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    snprintf(out, n, "%s:missing", name);
    if (!path)
        return;
    char *copy = strdup(path), *save = NULL;
    for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
         dir = strtok_r(NULL, ":", &save)) {
        char full[PATH_MAX], real[PATH_MAX];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, name);
        if (access(full, X_OK) != 0 || !realpath(full, real) ||
            stat(real, &st) != 0)
            continue;
        snprintf(out, n, "%s:%s:%lld:%lld", name, real, (long long)st.st_size,
                 (long long)st.st_mtime);
        break;
    }
    free(copy);
}

static void cache_key(char *key, size_t n)
{
    struct utsname u;
    char clang[PATH_MAX + 64], valgrind[PATH_MAX + 64], setarch[PATH_MAX + 64];
    char rnd[32] = "";
    memset(&u, 0, sizeof u);
    uname(&u);
    describe_binary("clang", clang, sizeof clang);
    describe_binary("valgrind", valgrind, sizeof valgrind);
    describe_binary("setarch", setarch, sizeof setarch);
    FILE *f = fopen("/proc/sys/vm/mmap_rnd_bits", "re");
    if (f) {
        if (!fgets(rnd, sizeof rnd, f))
            rnd[0] = 0;
        rnd[strcspn(rnd, "\n")] = 0;
        fclose(f);
    }
    snprintf(key, n, "%s|uid=%d|%s %s %s|rnd=%s|%s|%s|%s", CACHE_VERSION,
             (int)geteuid(), u.release, u.version, u.machine, rnd, clang,
             valgrind, setarch);
}

/* ${XDG_CACHE_HOME:-$HOME/.cache}/racelab; -1 when neither is set. */
static int cache_dir(char *dir, size_t n)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dir, n, "%s/racelab", xdg);
    else if (home && *home)
        snprintf(dir, n, "%s/.cache/racelab", home);
    else
        return -1;
    return 0;
}

static int cache_read(struct rl_preflight *p, const char *key)
{
    char dir[PATH_MAX - 32], path[PATH_MAX];
    if (cache_dir(dir, sizeof dir) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/preflight", dir);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[8192], iso[sizeof p->isolation] = "";
    int ok = fgets(line, sizeof line, f) != NULL;
    line[strcspn(line, "\n")] = 0;
    ok = ok && strcmp(line, key) == 0 && fgets(line, sizeof line, f) &&
         sscanf(line, "ok %d %d", &p->namespaces_ok, &p->cgroup_ok) == 2 &&
         fgets(iso, sizeof iso, f);
    fclose(f);
    if (!ok)
        return -1;
    iso[strcspn(iso, "\n")] = 0;
    snprintf(p->isolation, sizeof p->isolation, "%s", iso);
    p->tsan_ok = p->valgrind_ok = p->from_cache = 1;
    p->message[0] = 0;
    return 0;
}

/* Best effort: a read-only home just means checking again next time. */
static void cache_write(const struct rl_preflight *p, const char *key)
{
    char dir[PATH_MAX - 64], path[PATH_MAX], tmp[PATH_MAX];
    if (cache_dir(dir, sizeof dir) < 0)
        return;
    char *slash = strrchr(dir, '/');
    *slash = 0;
    mkdir(dir, 0700); /* $HOME/.cache may not exist yet */
    *slash = '/';
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return;
    snprintf(path, sizeof path, "%s/preflight", dir);
    snprintf(tmp, sizeof tmp, "%s/preflight.%d", dir, (int)getpid());
    FILE *f = fopen(tmp, "we");
    if (!f)
        return;
    fprintf(f, "%s\nok %d %d\n%s\n", key, p->namespaces_ok, p->cgroup_ok,
            p->isolation);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}

/* Runs a check in the sandbox, noting what isolation the sandbox got. */
static int run(struct rl_preflight *p, char *const argv[], double timeout,
               struct rl_sandbox_result *r, char *err, size_t errlen)
{
    struct rl_sandbox_opts o;
    rl_sandbox_opts_default(&o);
    o.timeout = timeout;
    o.output_cap = 64 * 1024;
    int rc = rl_sandbox_run(argv, &o, r, err, errlen);
    if (rc == 0) {
        snprintf(p->isolation, sizeof p->isolation, "%s", r->isolation);
        p->namespaces_ok = r->pid_net_namespaces;
        p->cgroup_ok = r->cgroups;
    }
    return rc;
}

/* Explains a failed start: a missing program or a broken sandbox. */
static void start_failed(struct rl_preflight *p, const char *what,
                         const char *err, const char *package)
{
    if (strstr(err, "cannot run")) {
        append(p, "%s: %s", what, err);
        append(p, "; fix: apt-get install %s\n", package, "");
    } else {
        append(p, "%s: the sandbox cannot start programs: %s\n", what, err);
    }
}

static void check_tsan_run(struct rl_preflight *p, const char *prog)
{
    struct utsname u;
    struct rl_sandbox_result r;
    char err[256], line[256];
    uname(&u);
    char *argv[] = {"setarch", u.machine, "-R", (char *)prog, NULL};
    if (run(p, argv, 60, &r, err, sizeof err) < 0) {
        start_failed(p, "ThreadSanitizer", err, "util-linux");
        return;
    }
    quote_line(r.err, line, sizeof line);
    if (r.exited && r.exit_status == 66 &&
        strstr(r.err, "WARNING: ThreadSanitizer: data race")) {
        p->tsan_ok = 1;
    } else if (strstr(r.err, "setarch")) {
        append(p,
               "ThreadSanitizer: setarch -R (ASLR off) failed: %s; "
               "fix: allow personality(2) in this container (e.g. "
               "docker run --security-opt seccomp=unconfined)%s\n",
               line, "");
    } else if (strstr(r.err, "FATAL: ThreadSanitizer") ||
               strstr(r.err, "memory mapping")) {
        append(p,
               "ThreadSanitizer cannot start: %s; fix (as root): "
               "sysctl -w vm.mmap_rnd_bits=28%s\n",
               line, "");
    } else {
        append(p,
               "ThreadSanitizer did not report the race in a racy test "
               "program: %s%s; fix: reinstall clang "
               "(apt-get install --reinstall clang)\n",
               line, "");
    }
    rl_sandbox_result_free(&r);
}

static void check_tsan(struct rl_preflight *p, const char *dir)
{
    char src[PATH_MAX], prog[PATH_MAX], err[256], line[256];
    snprintf(src, sizeof src, "%s/race.c", dir);
    snprintf(prog, sizeof prog, "%s/race", dir);
    FILE *f = fopen(src, "we");
    if (!f || fputs(racy_program, f) < 0 || fclose(f) != 0) {
        append(p, "ThreadSanitizer: cannot write '%.300s'%s\n", src, "");
        return;
    }
    char *argv[] = {
        "clang", "-fsanitize=thread", "-g", "-O1", "-pthread", "-o", prog, src,
        NULL};
    struct rl_sandbox_result r;
    if (run(p, argv, 120, &r, err, sizeof err) < 0) {
        start_failed(p, "ThreadSanitizer", err, "clang");
    } else if (!r.exited || r.exit_status != 0) {
        quote_line(r.err, line, sizeof line);
        append(p,
               "ThreadSanitizer: clang -fsanitize=thread cannot build a "
               "test program: %s; fix: apt-get install clang (with its "
               "compiler-rt runtime)%s\n",
               line, "");
    } else {
        check_tsan_run(p, prog);
    }
    rl_sandbox_result_free(&r);
    unlink(prog);
    unlink(src);
}

static void check_valgrind(struct rl_preflight *p)
{
    /* --vgdb=no: vgdb's /tmp files are named by pid, and pids collide
     * between runs in pid namespaces */
    char *argv[] = {"valgrind",  "--tool=memcheck",     "-q",
                    "--vgdb=no", "--error-exitcode=99", "true",
                    NULL};
    struct rl_sandbox_result r;
    char err[256], line[256];
    if (run(p, argv, 120, &r, err, sizeof err) < 0) {
        start_failed(p, "valgrind", err, "valgrind");
        return;
    }
    quote_line(r.err, line, sizeof line);
    if (r.exited && r.exit_status == 0) {
        p->valgrind_ok = 1;
    } else if (strstr(r.err, "libc6-dbg") || strstr(r.err, "redirection")) {
        append(p,
               "valgrind cannot start: %s; fix: apt-get install "
               "libc6-dbg%s\n",
               line, "");
    } else {
        append(p,
               "valgrind --tool=memcheck true failed: %s; fix: apt-get "
               "install --reinstall valgrind%s\n",
               line, "");
    }
    rl_sandbox_result_free(&r);
}

/* A confined run, as every run of user code is: did it get a uid of its
 * own?  (The sandbox refuses to start one that would keep root.) */
static void check_run_uid(struct rl_preflight *p, const char *dir)
{
    struct rl_sandbox_opts o;
    struct rl_sandbox_result r;
    char err[256] = "";
    char *argv[] = {"/bin/true", NULL};
    rl_sandbox_opts_for_program(&o, 10, dir);
    p->run_uid_checked = 1;
    if (rl_sandbox_run(argv, &o, &r, err, sizeof err) != 0) {
        snprintf(p->run_uid_isolation, sizeof p->run_uid_isolation,
                 "cannot start: %s", err);
        return;
    }
    p->run_uid_ok = r.own_uid;
    p->view_ok = r.fs_view;
    p->disk_ok = r.disk_limited;
    snprintf(p->run_uid_isolation, sizeof p->run_uid_isolation, "%s",
             r.isolation);
    rl_sandbox_result_free(&r);
}

/* Removes the confined run's folder (its TMPDIR inside it too). */
static void remove_run_dir(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.tmp", dir);
    rmdir(tmp);
    rmdir(dir);
}

/* Copies what the message gained since `from` into why (one tool's
 * problems, without the last newline). */
static void note_since(const struct rl_preflight *p, size_t from, char *why,
                       size_t n)
{
    snprintf(why, n, "%s", p->message + from);
    why[strcspn(why, "\n")] = 0;
}

/* RACELAB_FAULT=tsan-mmap (env_fault.h): what an unprivileged container
 * on a kernel with vm.mmap_rnd_bits above 28 shows. */
static void simulate_tsan_mmap(struct rl_preflight *p)
{
    append(p,
           "ThreadSanitizer cannot start: FATAL: ThreadSanitizer: "
           "unexpected memory mapping (simulated: RACELAB_FAULT=%s), and "
           "setarch -R (ASLR off) was refused: Operation not permitted; "
           "fix: as root on the host, sysctl -w vm.mmap_rnd_bits=28; or "
           "allow personality(2) in the container (docker run "
           "--security-opt seccomp=unconfined)%s\n",
           "tsan-mmap", "");
}

static void check_all(struct rl_preflight *p)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX - 32];
    snprintf(dir, sizeof dir, "%s/racelab-preflight-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        append(p, "cannot create a folder in '%s': %s\n",
               tmp && *tmp ? tmp : "/tmp", strerror(errno));
    } else {
        size_t from = strlen(p->message);
        if (rl_env_fault("tsan-mmap"))
            simulate_tsan_mmap(p);
        else
            check_tsan(p, dir);
        note_since(p, from, p->tsan_why, sizeof p->tsan_why);
        rmdir(dir);
    }
    snprintf(dir, sizeof dir, "%s/racelab-preflight-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) && chmod(dir, 0755) == 0) {
        check_run_uid(p, dir);
        remove_run_dir(dir);
    }
    size_t from = strlen(p->message);
    if (rl_env_fault("no-valgrind"))
        append(p,
               "valgrind: cannot run 'valgrind': No such file or directory "
               "(simulated: RACELAB_FAULT=%s); fix: apt-get install "
               "valgrind%s\n",
               "no-valgrind", "");
    else
        check_valgrind(p);
    note_since(p, from, p->valgrind_why, sizeof p->valgrind_why);
}

int rl_preflight_run_cached(struct rl_preflight *p, int use_cache)
{
    char key[4 * PATH_MAX];
    memset(p, 0, sizeof *p);
    if (rl_env_fault_any())
        use_cache = 0; /* a simulated fault is never cached, nor hidden */
    if (rl_env_fault("no-cgroup"))
        rl_sandbox_refuse_cgroups(); /* every later run too, builds too */
    cache_key(key, sizeof key);
    if (use_cache && cache_read(p, key) == 0)
        return 0;
    memset(p, 0, sizeof *p);
    check_all(p);
    int ok = p->tsan_ok && p->valgrind_ok;
    if (ok && use_cache)
        cache_write(p, key);
    return ok ? 0 : -1;
}

int rl_preflight_run(struct rl_preflight *p)
{
    return rl_preflight_run_cached(p, 1);
}

/* Whether user code runs as uids of its own (docs/isolation.md). */
static void print_run_uid(const struct rl_preflight *p, FILE *out)
{
    if (!p->run_uid_checked)
        return;
    if (p->run_uid_ok)
        fprintf(out,
                "per-run uids: ok (each run of user code as its own uid "
                "%d-%d, no capabilities, no_new_privs)\n",
                RL_RUN_UID_FIRST, RL_RUN_UID_FIRST + RL_RUN_UID_COUNT - 1);
    else if (geteuid() != 0)
        fprintf(out,
                "per-run uids: no (not root: user code runs as you, "
                "which is fine for your own code; sandbox: %s)\n",
                p->run_uid_isolation);
    else
        fprintf(out,
                "per-run uids: no (sandbox: %s): user code runs as root, "
                "each run says so; see docs/isolation.md\n",
                p->run_uid_isolation);
}

/* Whether user code sees a filesystem of its own (docs/isolation.md). */
static void print_view(const struct rl_preflight *p, FILE *out)
{
    if (!p->run_uid_checked)
        return;
    const char *said = strstr(p->run_uid_isolation, "no filesystem view: ");
    char why[RL_ISOLATION_MAX];
    snprintf(why, sizeof why, "%s",
             said ? said + strlen("no filesystem view: ")
                  : p->run_uid_isolation);
    char *end = strstr(why, ", work folder");
    if (end)
        *end = 0;
    if (p->view_ok)
        fprintf(out, "filesystem view: ok (each run of user code sees the "
                     "system read-only, its own folder and nothing else of "
                     "the course)\n");
    else
        fprintf(out,
                "filesystem view: no (%s): user code sees what its uid "
                "may read; see docs/isolation.md\n",
                why);
    const char *disk = strstr(p->run_uid_isolation, "work folder ");
    fprintf(out, "work folder disk limit: %s (%s)\n", p->disk_ok ? "ok" : "no",
            disk ? disk : p->run_uid_isolation);
}

void rl_preflight_print(const struct rl_preflight *p, FILE *out)
{
    if (p->tsan_ok && p->valgrind_ok)
        fprintf(out,
                "preflight: ok (ThreadSanitizer, valgrind; sandbox: "
                "%s)\n",
                p->isolation[0] ? p->isolation : "unknown");
    else
        fprintf(out, "preflight: problems found\n%s", p->message);
    if (p->isolation[0] && !p->namespaces_ok)
        fprintf(out,
                "note: no pid+net namespaces (sandbox: %s): stray "
                "processes are killed by process group and cgroup; "
                "fix: run racelab as root\n",
                p->isolation);
    if (p->isolation[0] && !p->cgroup_ok)
        fprintf(out, "note: no writable memory or pids cgroup: memory and "
                     "process counts are not capped; fix: run racelab as "
                     "root (or delegate a cgroup to this user)\n");
    print_run_uid(p, out);
    print_view(p, out);
}
