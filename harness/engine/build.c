/* build.c: compile the user's sources into the variants the tools need. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build.h"
#include "lib/run_uid.h"
#include "lib/sandbox.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"

/* harness/runtime/hooks/asan_leak_hook.c as `make` installs it beside racelab:
 * compiled into the ASan variant, it lets tool_asan.c ask a program that
 * never exits for a leak report.  Without it the build still works. */
#define ASAN_HOOK "racelab-asan-hook.c"
/* harness/runtime/hooks/stop_hook.c: in the sanitizer builds, a way to end a
 * server with exit(0) so that their exit-time reports are still written
 * (runner.c's clean stop).  Inert unless RACELAB_STOP_HOOK=1. */
#define STOP_HOOK "racelab-stop-hook.c"

struct variant_recipe {
    const char *name;
    const char *compiler;
    const char *flags[6]; /* NULL-terminated */
};

/* -O1 keeps the code close to the source lines yet lets the tools run at
 * a useful speed; the sanitizer builds use clang for its TSan runtime. */
static const struct variant_recipe recipes[RL_VARIANT_COUNT] = {
    [RL_VARIANT_PLAIN] = {"plain", "gcc", {"-g", "-O1", "-pthread", NULL}},
    [RL_VARIANT_TSAN] = {"tsan",
                         "clang",
                         {"-fsanitize=thread", "-g", "-O1", "-pthread", NULL}},
    [RL_VARIANT_ASAN] = {"asan",
                         "clang",
                         {"-fsanitize=address,undefined",
                          "-fno-omit-frame-pointer", "-g", "-O1", "-pthread",
                          NULL}},
};

const char *rl_variant_name(enum rl_variant v)
{
    return recipes[v].name;
}

const char *rl_build_command(enum rl_variant v)
{
    static char text[RL_VARIANT_COUNT][128];
    if (!text[v][0]) {
        int n = snprintf(text[v], sizeof text[v], "%s", recipes[v].compiler);
        for (int i = 0; recipes[v].flags[i]; i++)
            n += snprintf(text[v] + n, sizeof text[v] - n, " %s",
                          recipes[v].flags[i]);
    }
    return text[v];
}

void rl_build_include_flags(struct rl_strv *argv, const struct rl_sources *src,
                            char *const *include_dirs)
{
    for (size_t i = 0; i < src->n; i++) {
        char *dir = xstrdup(src->absolute[i]);
        rl_strv_pushf(argv, "-I%s", dirname(dir));
        free(dir);
    }
    for (char *const *d = include_dirs; d && *d; d++)
        rl_strv_pushf(argv, "-I%s", *d);
}

void rl_build_sandbox_opts(struct rl_sandbox_opts *opts)
{
    rl_sandbox_opts_default(opts);
    opts->timeout = 120;
    opts->output_cap = 64 * 1024;
    opts->address_limit_ok = 0;
    opts->confine = 1; /* the source is untrusted: so is its compiler */
}

/* Can a compiler that is not root, nor the owner of anything, read the
 * sources, their folders (-I) and the extra include folders?  If not,
 * it runs as the invoking user and says so. */
const char *rl_build_uid_refused(const struct rl_sources *src,
                                 char *const *include_dirs)
{
    static const char why[] =
        "as root (the sources are not readable by other users), ";
    if (geteuid() != 0)
        return NULL;
    for (size_t i = 0; i < src->n; i++)
        if (!rl_run_uid_can_read(src->absolute[i]))
            return why;
    for (char *const *d = include_dirs; d && *d; d++)
        if (!rl_run_uid_can_read(*d))
            return why;
    return NULL;
}

/* The compiler's own folder, outdir/.build-<variant>: its HOME and
 * TMPDIR (crash reproducers stay there), given to its uid; the program
 * is written there, then moved to outdir/<variant> and given to root, so
 * that no later run holding that uid can change it. */
static char *build_folder(const char *outdir, enum rl_variant v)
{
    char *dir = xasprintf("%s/.build-%s", outdir, recipes[v].name);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* A copy of built at exe (the build folder is a tmpfs of its own, so a
 * rename across it fails); exe is made new, never opened through a link. */
static int copy_program(const char *built, const char *exe)
{
    int in = open(built, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int out =
        open(exe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[1 << 16];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0)
        if (n < 0 || write(out, buf, (size_t)n) != n)
            rc = -1;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        rc = -1;
    if (rc < 0)
        unlink(exe);
    return rc;
}

/* Moves the compiled program into place, root's, readable by all. */
static int install_program(const char *built, const char *exe)
{
    if (rename(built, exe) < 0) {
        /* a copy beside exe, then renamed over it (an earlier build's) */
        int across = errno == EXDEV;
        char *copy = xasprintf("%s.new", exe);
        unlink(copy);
        int rc =
            across && copy_program(built, copy) == 0 && rename(copy, exe) == 0
                ? 0
                : -1;
        if (rc < 0)
            unlink(copy);
        free(copy);
        if (rc < 0)
            return -1;
    }
    if (geteuid() == 0 && lchown(exe, 0, 0) < 0)
        return -1;
    struct stat st;
    if (lstat(exe, &st) < 0 || !S_ISREG(st.st_mode))
        return -1;
    return chmod(exe, 0755);
}

/* Sources are compiled by absolute path, so that every tool's debug
 * information names files that sources.c can map back to the user's. */
static void compiler_argv(struct rl_strv *argv, const struct rl_sources *src,
                          const struct rl_build_extras *extras,
                          enum rl_variant v, const char *exe)
{
    rl_strv_push(argv, recipes[v].compiler);
    for (int i = 0; recipes[v].flags[i]; i++)
        rl_strv_push(argv, recipes[v].flags[i]);
    rl_build_include_flags(argv, src, extras->include_dirs);
    rl_strv_push(argv, "-o");
    rl_strv_push(argv, exe);
    for (size_t i = 0; i < src->n; i++)
        rl_strv_push(argv, src->absolute[i]);
    if (v == RL_VARIANT_ASAN) {
        char *hook = xasprintf("%s/%s", rl_harness_dir(), ASAN_HOOK);
        if (access(hook, R_OK) == 0)
            rl_strv_push(argv, hook);
        free(hook);
    }
    if (v == RL_VARIANT_TSAN || v == RL_VARIANT_ASAN) {
        char *hook = xasprintf("%s/%s", rl_harness_dir(), STOP_HOOK);
        if (access(hook, R_OK) == 0)
            rl_strv_push(argv, hook);
        free(hook);
    }
    for (char *const *l = extras->link_flags; l && *l; l++)
        rl_strv_push(argv, *l);
    rl_strv_push(argv, "-lm");
}

static char *joined_output(const struct rl_sandbox_result *r)
{
    return xasprintf("%s%s%s", r->out ? r->out : "", r->err ? r->err : "",
                     r->timed_out ? "racelab: the compiler timed out\n" : "");
}

int rl_build_all(const struct rl_sources *src, const int wanted[],
                 const char *outdir, struct rl_build *b, char *err,
                 size_t errlen)
{
    struct rl_build_extras none = {NULL, NULL};
    return rl_build_all_with(src, wanted, &none, outdir, b, err, errlen);
}

int rl_build_all_with(const struct rl_sources *src, const int wanted[],
                      const struct rl_build_extras *extras, const char *outdir,
                      struct rl_build *b, char *err, size_t errlen)
{
    struct rl_sandbox *running[RL_VARIANT_COUNT] = {0};
    char *folder[RL_VARIANT_COUNT] = {0}, *built[RL_VARIANT_COUNT] = {0};
    struct rl_strv *argv = b->command;
    memset(b, 0, sizeof *b);
    struct rl_sandbox_opts opts;
    rl_build_sandbox_opts(&opts);
    opts.uid_refused = rl_build_uid_refused(src, extras->include_dirs);
    if (!opts.uid_refused && geteuid() == 0 && !rl_run_uid_can_read(outdir))
        opts.uid_refused =
            "as root (its build folder is not reachable by other users), ";
    int status = 0;
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        if (!wanted[v])
            continue;
        b->exe[v] = xasprintf("%s/%s", outdir, recipes[v].name);
        folder[v] = build_folder(outdir, v);
        if (!folder[v]) {
            snprintf(err, errlen, "cannot create a build folder in '%s'",
                     outdir);
            status = -1;
            continue;
        }
        built[v] = xasprintf("%s/%s", folder[v], recipes[v].name);
        compiler_argv(&argv[v], src, extras, v, built[v]);
        opts.home = folder[v]; /* cwd stays: include folders may be relative */
        running[v] = rl_sandbox_start(argv[v].v, &opts, err, errlen);
        if (!running[v])
            status = -1;
    }
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        if (!running[v])
            continue;
        struct rl_sandbox_result r;
        rl_sandbox_wait(running[v], &r);
        b->failed[v] = !(r.exited && r.exit_status == 0);
        if (!b->failed[v] && install_program(built[v], b->exe[v]) < 0)
            b->failed[v] = 1;
        snprintf(b->isolation[v], sizeof b->isolation[v], "%s", r.isolation);
        b->wall_seconds[v] = r.wall_seconds;
        if (b->failed[v] || r.out_len || r.err_len)
            b->output[v] = joined_output(&r);
        rl_sandbox_result_free(&r);
    }
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        if (wanted[v] && !running[v])
            b->failed[v] = 1;
        free(folder[v]);
        free(built[v]);
    }
    return status;
}

void rl_build_free(struct rl_build *b)
{
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        free(b->exe[v]);
        free(b->output[v]);
        rl_strv_free(&b->command[v]);
    }
    memset(b, 0, sizeof *b);
}
