/* submission_check.c: refuse, by name, student files that could forge a
 * result or hide a bug from the grader.  Grading runs the student's code
 * in the same process as the lab's tests and sanitizers, so a file that
 * defines __tsan_default_options, a destructor or Check's own functions
 * can change what those report; none of that is needed by a correct
 * submission, so it is refused before the run rather than detected in
 * it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build.h"
#include "grade/submission_check.h"
#include "lib/elf_object.h"
#include "lib/run_uid.h"
#include "lib/sandbox.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"
#include "tools/tool.h"

/* ---- the file itself ---------------------------------------------- */

static char *kind_problem(const char *name, const struct stat *st)
{
    const char *kind = S_ISLNK(st->st_mode)    ? "a symbolic link"
                       : S_ISDIR(st->st_mode)  ? "a folder"
                       : S_ISFIFO(st->st_mode) ? "a FIFO"
                       : S_ISCHR(st->st_mode)  ? "a device"
                       : S_ISBLK(st->st_mode)  ? "a device"
                       : S_ISSOCK(st->st_mode) ? "a socket"
                       : !S_ISREG(st->st_mode) ? "not a regular file"
                                               : NULL;
    if (kind)
        return xasprintf("'%s' is %s; hand in the file itself", name, kind);
    if (st->st_nlink > 1)
        return xasprintf("'%s' is a hard link to another file (%lu names); "
                         "hand in a copy of its own",
                         name, (unsigned long)st->st_nlink);
    if ((unsigned long long)st->st_size > RL_SUBMISSION_MAX_BYTES)
        return xasprintf("'%s' is too large (%lld bytes; a lab file is at "
                         "most %u bytes)",
                         name, (long long)st->st_size, RL_SUBMISSION_MAX_BYTES);
    return NULL;
}

char *rl_submission_file_problem(const char *name, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return NULL; /* missing: gather_sources says so */
    char *why = kind_problem(name, &st);
    if (why)
        return why;
    /* Between lstat and open the file may change: the checks are made
     * again on what was opened, which never blocks nor follows a link. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return xasprintf("'%s' cannot be read: %s", name, strerror(errno));
    if (fstat(fd, &st) != 0 || (why = kind_problem(name, &st)) != NULL) {
        close(fd);
        return why ? why : xasprintf("'%s' cannot be read", name);
    }
    char buf[65536];
    ssize_t got;
    while (!why && (got = read(fd, buf, sizeof buf)) > 0)
        if (memchr(buf, '\0', (size_t)got))
            why = xasprintf("'%s' is not a text file (it holds NUL bytes); "
                            "hand in the C source",
                            name);
    close(fd);
    return why;
}

/* ---- what its objects define --------------------------------------- */

/* Prefixes only a sanitizer's runtime, or a program hiding from it,
 * defines; the option hooks are the ones a cheater reaches for. */
static const char *const sanitizer_prefixes[] = {
    "__tsan_",      "__asan_",   "__lsan_",  "__ubsan_", "__msan_",
    "__sanitizer_", "__hwasan_", "__dfsan_", NULL};
/* Check's API and internals: defining them replaces the test runner. */
static const char *const check_prefixes[] = {"srunner_", "suite_", "tcase_",
                                             "_ck_",     "ck_",    NULL};
/* racelab's probe (rlp_), scheduler (rs_), harness (rl_), its link-time
 * wrappers and its hooks. */
static const char *const racelab_prefixes[] = {
    "rlp_", "rl_", "rs_", "__wrap_", "__real_", "racelab_", NULL};
static const char *const racelab_names[] = {"rlp", NULL};
/* Functions the probe (preloaded) and the scheduler (--wrap) stand in
 * for: a definition in the program would come first and hide every call
 * from them. */
static const char *const intercepted_prefixes[] = {"pthread_", "sem_", NULL};
static const char *const intercepted_names[] = {
    "fork",    "vfork",  "posix_spawn", "posix_spawnp", "exit",    "_exit",
    "_Exit",   "signal", "sigaction",   "accept",       "accept4", "socket",
    "close",   "dup",    "dup2",        "dup3",         "fcntl",   "pipe",
    "pipe2",   "open",   "openat",      "malloc",       "free",    "calloc",
    "realloc", "wait",   "waitpid",     "longjmp",      "_init",   "_fini",
    "_start",  NULL};
/* Sections that run code before main or after it ends. */
static const char *const ctor_sections[] = {
    ".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors", NULL};

static int has_prefix(const char *s, const char *const *prefixes)
{
    for (size_t i = 0; prefixes[i]; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static int is_one_of(const char *s, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

static char *symbol_problem(const char *name, const char *sym, int library_lab)
{
    if (has_prefix(sym, sanitizer_prefixes))
        return xasprintf("your file '%s' defines %s, which only a program "
                         "that hides its bugs from the grader needs: "
                         "remove it",
                         name, sym);
    if (has_prefix(sym, check_prefixes))
        return xasprintf("your file '%s' defines %s, a name of the Check "
                         "test library that runs the lab's tests: rename "
                         "it or remove it",
                         name, sym);
    if (has_prefix(sym, racelab_prefixes) || is_one_of(sym, racelab_names))
        return xasprintf("your file '%s' defines %s, a name of racelab's own "
                         "runtime: rename it or remove it",
                         name, sym);
    if (has_prefix(sym, intercepted_prefixes) ||
        is_one_of(sym, intercepted_names))
        return xasprintf("your file '%s' defines %s, a function of the C "
                         "library that racelab watches: call the library's, "
                         "do not replace it",
                         name, sym);
    if (library_lab && strcmp(sym, "main") == 0)
        return xasprintf("your file '%s' defines main, but the lab's tests "
                         "have their own main: remove it (try your code "
                         "with the lab's demo.c)",
                         name);
    return NULL;
}

static char *section_problem(const char *name, const char *section)
{
    for (size_t i = 0; ctor_sections[i]; i++) {
        size_t n = strlen(ctor_sections[i]);
        if (strncmp(section, ctor_sections[i], n) == 0 &&
            (section[n] == '\0' || section[n] == '.'))
            return xasprintf("your file '%s' has a constructor or destructor "
                             "(section %s): code that runs before or after "
                             "the tests is not allowed: remove it",
                             name, section);
    }
    if (strcmp(section, ".init") == 0 || strcmp(section, ".fini") == 0)
        return xasprintf("your file '%s' puts code in the %s section, which "
                         "runs outside the tests: remove it",
                         name, section);
    return NULL;
}

/* Calls that a library lab's code (threads, locks, a buffer) has no use
 * for, and that code running inside the test process needs to rewrite
 * the test log or reach the grader: find the log (getenv, readlink),
 * write it (open, dup2), or write it after Check has (atexit). */
static const char *const library_refused_calls[] = {"atexit",
                                                    "on_exit",
                                                    "__cxa_atexit",
                                                    "at_quick_exit",
                                                    "__cxa_thread_atexit_impl",
                                                    "quick_exit",
                                                    "getenv",
                                                    "secure_getenv",
                                                    "environ",
                                                    "__environ",
                                                    "setenv",
                                                    "putenv",
                                                    "unsetenv",
                                                    "clearenv",
                                                    "open",
                                                    "open64",
                                                    "__open_2",
                                                    "__open64_2",
                                                    "openat",
                                                    "openat64",
                                                    "__openat_2",
                                                    "__openat64_2",
                                                    "creat",
                                                    "creat64",
                                                    "fopen",
                                                    "fopen64",
                                                    "freopen",
                                                    "freopen64",
                                                    "fdopen",
                                                    "tmpfile",
                                                    "tmpfile64",
                                                    "mkstemp",
                                                    "mkstemp64",
                                                    "mkostemp",
                                                    "dup",
                                                    "dup2",
                                                    "dup3",
                                                    "fcntl",
                                                    "fcntl64",
                                                    "write",
                                                    "pwrite",
                                                    "pwrite64",
                                                    "writev",
                                                    "pwritev",
                                                    "sendfile",
                                                    "lseek",
                                                    "lseek64",
                                                    "ftruncate",
                                                    "ftruncate64",
                                                    "truncate",
                                                    "truncate64",
                                                    "unlink",
                                                    "unlinkat",
                                                    "rename",
                                                    "renameat",
                                                    "renameat2",
                                                    "remove",
                                                    "link",
                                                    "linkat",
                                                    "symlink",
                                                    "symlinkat",
                                                    "chmod",
                                                    "fchmod",
                                                    "chdir",
                                                    "fchdir",
                                                    "mkdir",
                                                    "mkfifo",
                                                    "mknod",
                                                    "rmdir",
                                                    "syscall",
                                                    "dlopen",
                                                    "dlsym",
                                                    "dlvsym",
                                                    "mmap",
                                                    "mmap64",
                                                    "mprotect",
                                                    "munmap",
                                                    "ptrace",
                                                    "prctl",
                                                    "readlink",
                                                    "readlinkat",
                                                    "opendir",
                                                    "fdopendir",
                                                    "scandir",
                                                    "nftw",
                                                    "ftw",
                                                    "fork",
                                                    "vfork",
                                                    "clone",
                                                    "execve",
                                                    "execv",
                                                    "execvp",
                                                    "execvpe",
                                                    "execl",
                                                    "execlp",
                                                    "execle",
                                                    "fexecve",
                                                    "system",
                                                    "popen",
                                                    "posix_spawn",
                                                    "posix_spawnp",
                                                    "kill",
                                                    "killpg",
                                                    "signal",
                                                    "sigaction",
                                                    "bsd_signal",
                                                    "sysv_signal",
                                                    "longjmp",
                                                    "siglongjmp",
                                                    "_longjmp",
                                                    "__longjmp_chk",
                                                    "pthread_atfork",
                                                    "pthread_kill",
                                                    "pthread_sigmask",
                                                    "sigprocmask",
                                                    "__libc_start_main",
                                                    "process_vm_writev",
                                                    "shm_open",
                                                    "memfd_create",
                                                    NULL};

/* ThreadSanitizer's dynamic annotations: "this race is benign", "ignore
 * these writes". */
static const char *const annotation_prefixes[] = {"Annotate", "WTFAnnotate",
                                                  NULL};

/* A call, in the plain object (the sanitizer builds call their runtimes
 * themselves), to a sanitizer's interface, to Check or to racelab. */
static char *interface_call_problem(const char *name, const char *sym)
{
    if (has_prefix(sym, sanitizer_prefixes) ||
        has_prefix(sym, annotation_prefixes))
        return xasprintf("your file '%s' calls %s, which only a program that "
                         "hides its bugs from the grader needs: remove it",
                         name, sym);
    if (has_prefix(sym, check_prefixes) || has_prefix(sym, racelab_prefixes))
        return xasprintf("your file '%s' calls %s, a function of the lab's "
                         "test runner or of racelab: remove it",
                         name, sym);
    return NULL;
}

static char *call_problem(const char *name, const char *sym)
{
    if (!is_one_of(sym, library_refused_calls))
        return NULL;
    return xasprintf("your file '%s' calls %s, which this lab's code has no "
                     "use for and which could change the tests' results: "
                     "remove it",
                     name, sym);
}

/* Attributes that switch a sanitizer off for a function. */
static const char *const hiding_words[] = {"no_sanitize",
                                           "disable_sanitizer_instrumentation",
                                           "no_instrument_function", NULL};
/* Inline assembly: a system call no symbol shows (library labs). */
static const char *const asm_words[] = {"asm", "__asm__", "__asm", NULL};

/* 1 when word occurs in line as a whole identifier. */
static int has_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = line; (p = strstr(p, word)) != NULL; p += n) {
        int before =
            p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[n]) || p[n] == '_';
        if (!before && !after)
            return 1;
    }
    return 0;
}

/*
 * Reads the source, or the compiler's preprocessed text of it (a ".i":
 * then the lines of the system's headers, under /usr/ as the line markers
 * `# N "file"` tell, do not count; the student's own lines and any file
 * it includes do).  Inline assembly is looked for only in the
 * preprocessed text, where comments are gone.
 */
static char *text_problem(const char *name, const char *path, int preprocessed,
                          int library_lab)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[4096];
    char *why = NULL;
    int mine = 1;
    while (!why && fgets(line, sizeof line, f)) {
        if (preprocessed && line[0] == '#' && line[1] == ' ' &&
            isdigit((unsigned char)line[2])) {
            const char *q = strchr(line, '"');
            mine = !q || strncmp(q + 1, "/usr/", 5) != 0;
            continue;
        }
        if (!mine)
            continue;
        for (size_t i = 0; !why && hiding_words[i]; i++)
            if (strstr(line, hiding_words[i]))
                why = xasprintf("your file '%s' uses the attribute %s, which "
                                "only a program that hides its bugs from the "
                                "grader needs: remove it",
                                name, hiding_words[i]);
        for (size_t i = 0; !why && preprocessed && library_lab && asm_words[i];
             i++)
            if (has_word(line, asm_words[i]))
                why = xasprintf("your file '%s' uses inline assembly (%s), "
                                "which this lab's code has no use for: "
                                "remove it",
                                name, asm_words[i]);
    }
    fclose(f);
    return why;
}

/* "clang -fsanitize=thread -g -O1 -pthread" as words. */
static void push_words(struct rl_strv *argv, const char *command)
{
    char *copy = xstrdup(command), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w;
         w = strtok_r(NULL, " ", &save))
        rl_strv_push(argv, w);
    free(copy);
}

/* The object and preprocessed text of one variant, read for problems. */
static char *variant_problem(const char *name, const char *path,
                             const char *dir, enum rl_variant v,
                             int library_lab)
{
    char *object = xasprintf("%s/check.o", dir);
    char *base = xstrdup(path);
    char *stem = xstrdup(basename(base));
    char *dot = strrchr(stem, '.');
    if (dot)
        *dot = '\0';
    char *preprocessed = xasprintf("%s/%s.i", dir, stem);
    struct rl_elf_object o;
    char err[256];
    char *why = NULL;
    if (rl_elf_object_read(object, 64u << 20, &o, err, sizeof err) == 0) {
        for (size_t i = 0; !why && o.symbols[i]; i++)
            why = symbol_problem(name, o.symbols[i], library_lab);
        /* The sanitizers' own instrumentation adds constructors. */
        for (size_t i = 0; !why && v == RL_VARIANT_PLAIN && o.sections[i]; i++)
            why = section_problem(name, o.sections[i]);
        for (size_t i = 0; !why && v == RL_VARIANT_PLAIN && o.undefined[i]; i++)
            why = interface_call_problem(name, o.undefined[i]);
        for (size_t i = 0; !why && library_lab && o.undefined[i]; i++)
            why = call_problem(name, o.undefined[i]);
        rl_elf_object_free(&o);
    }
    if (!why)
        why = text_problem(name, preprocessed, 1, library_lab);
    free(preprocessed);
    free(stem);
    free(base);
    free(object);
    return why;
}

/* As rl_build_uid_refused: a compiler that is not root must read the
 * file, its folder and the include folders, or it runs as the invoking
 * user and says so. */
static const char *compile_uid_refused(const char *path,
                                       char *const *include_dirs)
{
    static const char why[] =
        "as root (the sources are not readable by other users), ";
    if (geteuid() != 0)
        return NULL;
    if (!rl_run_uid_can_read(path))
        return why;
    for (char *const *d = include_dirs; d && *d; d++)
        if (!rl_run_uid_can_read(*d))
            return why;
    return NULL;
}

char *rl_submission_symbols_problem(const char *name, const char *path,
                                    char *const *include_dirs, int library_lab,
                                    int *internal, char *err, size_t errlen)
{
    *internal = 0;
    char *why = text_problem(name, path, 0, library_lab);
    if (why)
        return why;
    char *scratch = rl_workdir_create("racelab-submission", err, errlen);
    if (!scratch) {
        *internal = 1;
        return NULL;
    }
    /* The compile reads untrusted source (#include "/etc/shadow"): it is
     * confined like a build's compiler, a uid of its own per variant. */
    struct rl_sandbox_opts opts;
    rl_build_sandbox_opts(&opts);
    opts.output_cap = 16 * 1024;
    opts.uid_refused = compile_uid_refused(path, include_dirs);
    struct rl_sandbox *running[RL_VARIANT_COUNT] = {0};
    char *dirs[RL_VARIANT_COUNT] = {0};
    struct rl_strv argv[RL_VARIANT_COUNT] = {0};
    /* Every variant: a file may define a hook only where a compiler or a
     * sanitizer's feature macro is seen (#ifdef __clang__). */
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        dirs[v] = rl_workdir_sub(scratch, rl_variant_name(v), err, errlen);
        if (!dirs[v]) {
            *internal = 1;
            break;
        }
        push_words(&argv[v], rl_build_command(v));
        rl_strv_push(&argv[v], "-c");
        rl_strv_push(&argv[v], "-w");
        rl_strv_push(&argv[v], "-save-temps=obj");
        char *copy = xstrdup(path);
        rl_strv_pushf(&argv[v], "-I%s", dirname(copy));
        free(copy);
        for (char *const *d = include_dirs; d && *d; d++)
            rl_strv_pushf(&argv[v], "-I%s", *d);
        rl_strv_push(&argv[v], "-o");
        rl_strv_pushf(&argv[v], "%s/check.o", dirs[v]);
        rl_strv_push(&argv[v], path);
        opts.home = dirs[v];
        running[v] = rl_sandbox_start(argv[v].v, &opts, err, errlen);
        if (!running[v])
            *internal = 1;
    }
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        if (!running[v])
            continue;
        struct rl_sandbox_result r;
        rl_sandbox_wait(running[v], &r);
        int compiled = r.exited && r.exit_status == 0;
        rl_sandbox_result_free(&r);
        if (compiled && !why)
            why = variant_problem(name, path, dirs[v], v, library_lab);
    }
    for (int v = 0; v < RL_VARIANT_COUNT; v++) {
        free(dirs[v]);
        rl_strv_free(&argv[v]);
    }
    rl_workdir_remove(scratch);
    free(scratch);
    return why;
}
