/* cmd_grade.c: `racelab grade LAB [DIR] [--json FILE]`: a submission
 * scored against its lab's rubric (docs/rubric.md). */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "report/report.h"
#include "grade/grade_run.h"
#include "grade/grade_judge.h"
#include "grade/rubric.h"
#include "lib/workdir.h"
#include "lib/xalloc.h"
#include "report/grade_formats.h"

/* Each output format's option (report/grade_formats.c) is an option here:
 * a format added there is on the command line without a change here. */
enum { MAX_FORMATS = RL_MAX_FORMATS, FORMAT_OPTION = 1000 };

struct grade_options {
    const char *lab;
    const char *dir;               /* NULL: the lab's own folder */
    const char *path[MAX_FORMATS]; /* by row of rl_grade_formats */
};

static void usage(FILE *out)
{
    fputs("usage: racelab grade LAB [DIR]", out);
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (f->option)
            fprintf(out, " [--%s%s]", f->option, f->no_file ? "" : " FILE");
    fputs("\n\n"
          "Grades the submission in DIR (default: the lab's own folder)\n"
          "against the lab's rubric, labs/LAB/rubric.json.  The files a\n"
          "student hands in are taken from DIR, the rest from the lab.\n\n",
          out);
    int column = 0; /* the widest option, and two spaces */
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (f->option) {
            int width = (int)strlen(f->option) + (f->no_file ? 0 : 5) + 2;
            column = width > column ? width : column;
        }
    for (const struct rl_grade_format *f = rl_grade_formats; f->name; f++)
        if (f->option)
            fprintf(out, "  --%s%s%*s%s\n", f->option,
                    f->no_file ? "" : " FILE",
                    column - (int)strlen(f->option) - (f->no_file ? 0 : 5), "",
                    f->help);
    fprintf(out, "  -h, --help%*sshow this help\n\n", column - 8, "");
    fputs("exit status: 0 graded (whatever the score), 2 usage error or "
          "unknown lab,\n3 internal error\n",
          out);
}

static int parse_options(int argc, char **argv, struct grade_options *o)
{
    struct option longopts[MAX_FORMATS + 2];
    size_t n = 0;
    for (size_t i = 0; rl_grade_formats[i].name && i < MAX_FORMATS; i++)
        if (rl_grade_formats[i].option)
            longopts[n++] = (struct option){
                rl_grade_formats[i].option,
                rl_grade_formats[i].no_file ? no_argument : required_argument,
                NULL, FORMAT_OPTION + (int)i};
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c >= FORMAT_OPTION && c < FORMAT_OPTION + MAX_FORMATS)
            o->path[c - FORMAT_OPTION] = optarg ? optarg : "-";
        else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    int rest = argc - optind;
    if (rest >= 1)
        o->lab = argv[optind];
    if (rest >= 2)
        o->dir = argv[optind + 1];
    if (rest >= 3) {
        fprintf(stderr, "racelab grade: unexpected '%s'\n", argv[optind + 2]);
        usage(stderr);
        return -1;
    }
    if (!o->lab) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* labs/ beside bin/, or $RACELAB_LABS. */
static char *labs_root(void)
{
    const char *env = getenv("RACELAB_LABS");
    if (env && env[0])
        return xstrdup(env);
    return xasprintf("%s/../labs", rl_harness_dir());
}

/* A path as short as it can be while still right from here. */
static char *display_path(const char *path)
{
    char *real = realpath(path, NULL);
    char *cwd = getcwd(NULL, 0);
    char *out = NULL;
    size_t n = cwd ? strlen(cwd) : 0;
    if (real && cwd && strncmp(real, cwd, n) == 0 && real[n] == '/')
        out = xstrdup(real + n + 1);
    else if (real && cwd && strcmp(real, cwd) == 0)
        out = xstrdup(".");
    else
        out = xstrdup(real ? real : path);
    free(real);
    free(cwd);
    return out;
}

static void list_labs(FILE *out, const char *root)
{
    struct dirent **names;
    int n = scandir(root, &names, NULL, alphasort);
    fputs("the labs are:", out);
    for (int i = 0; i < n; i++) {
        char *rubric = xasprintf("%s/%s/rubric.json", root, names[i]->d_name);
        if (access(rubric, R_OK) == 0)
            fprintf(out, " %s", names[i]->d_name);
        free(rubric);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    fputc('\n', out);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the lab and its rubric; 0, or an exit status. */
static int load_lab(const struct grade_options *o, char **lab_dir,
                    struct rl_rubric *rubric)
{
    char *root = labs_root();
    char *dir = xasprintf("%s/%s", root, o->lab);
    char *path = xasprintf("%s/rubric.json", dir);
    int status = 0;
    char err[512];
    if (strchr(o->lab, '/') || o->lab[0] == '.' || access(path, R_OK) != 0) {
        fprintf(stderr, "racelab grade: unknown lab '%s'; ", o->lab);
        list_labs(stderr, root);
        status = RL_EXIT_USAGE;
    } else if (rl_rubric_load(path, rubric, err, sizeof err) != 0) {
        fprintf(stderr, "racelab grade: %s\n", err);
        status = RL_EXIT_USAGE;
    } else if (strcmp(rubric->lab, o->lab) != 0) {
        fprintf(stderr, "racelab grade: %s: 'lab' says '%s', not '%s'\n", path,
                rubric->lab, o->lab);
        rl_rubric_free(rubric);
        status = RL_EXIT_USAGE;
    }
    *lab_dir = status == 0 ? display_path(dir) : NULL;
    free(root);
    free(dir);
    free(path);
    return status;
}

/* racelab's own faults on stderr, each once (an emitter may hit the one
 * the judge already saw, e.g. an unknown failure-mode ID). */
static void tell(const struct rl_grade_result *r, const char *what)
{
    for (size_t i = 0; i < r->ndiagnostics; i++)
        if (strcmp(r->diagnostics[i], what) == 0)
            return;
    fprintf(stderr, "racelab grade: %s\n", what);
}

/* The text report on stdout, then every format asked for, in the
 * table's order; 0, or -1 when an emitter failed. */
static int emit(const struct rl_grade_result *r, const struct grade_options *o,
                int last)
{
    int failed = 0;
    for (size_t i = 0; rl_grade_formats[i].name && i < MAX_FORMATS; i++) {
        const struct rl_grade_format *f = &rl_grade_formats[i];
        const char *path = f->option ? o->path[i] : "-";
        if (f->last != last)
            continue;
        char err[256] = "";
        if (path && f->emit(r, path, err, sizeof err) != 0) {
            tell(r, err);
            failed = 1;
        }
    }
    return failed ? -1 : 0;
}

/* The formats a platform reads from a file (Gradescope's, PrairieLearn's)
 * once `done` runs have run, the others pending: a platform that kills
 * racelab at its time limit then still finds a valid file, which says it
 * is partial.  Each write replaces the file atomically; failures wait for
 * the final write to be told. */
static void write_partial(const struct rl_rubric *rubric,
                          struct rl_grade_run *runs, size_t done,
                          const struct grade_options *o)
{
    int wanted = 0;
    for (size_t i = 0; rl_grade_formats[i].name && i < MAX_FORMATS; i++)
        wanted |= rl_grade_formats[i].partial && o->path[i];
    if (!wanted)
        return;
    for (size_t i = done; i < rubric->nruns; i++)
        runs[i].pending = 1;
    struct rl_grade_result result;
    rl_grade_judge(rubric, runs, &result);
    for (size_t i = 0; rl_grade_formats[i].name && i < MAX_FORMATS; i++) {
        const struct rl_grade_format *f = &rl_grade_formats[i];
        char err[256];
        if (f->partial && o->path[i])
            (void)f->emit(&result, o->path[i], err, sizeof err);
    }
    rl_grade_result_free(&result);
    for (size_t i = done; i < rubric->nruns; i++)
        runs[i].pending = 0;
}

/* Judged, shown, and the exit status: 0 graded, 3 racelab failed. */
static int score(const struct rl_rubric *rubric,
                 const struct rl_grade_run *runs, const struct grade_options *o)
{
    struct rl_grade_result result;
    rl_grade_judge(rubric, runs, &result);
    int failed = emit(&result, o, 0);
    for (size_t i = 0; i < result.ndiagnostics; i++)
        fprintf(stderr, "racelab grade: %s\n", result.diagnostics[i]);
    fflush(stderr);
    fflush(stdout);
    failed |= emit(&result, o, 1);
    int status =
        result.internal_error || failed ? RL_EXIT_INTERNAL : RL_EXIT_CLEAN;
    rl_grade_result_free(&result);
    return status;
}

int cmd_grade(int argc, char **argv)
{
    struct grade_options o = {0};
    int parsed = parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? RL_EXIT_CLEAN : RL_EXIT_USAGE;
    struct rl_rubric rubric;
    char *lab_dir;
    int status = load_lab(&o, &lab_dir, &rubric);
    if (status != 0)
        return status;
    const char *dir = o.dir ? o.dir : lab_dir;
    if (!is_dir(dir)) {
        fprintf(stderr, "racelab grade: no folder '%s' to grade\n", dir);
        free(lab_dir);
        rl_rubric_free(&rubric);
        return RL_EXIT_USAGE;
    }
    char *sub_dir = display_path(dir);
    /* Before any output, which its format may have to fence off. */
    for (size_t i = 0; rl_grade_formats[i].name && i < MAX_FORMATS; i++)
        if (rl_grade_formats[i].begin && o.path[i])
            rl_grade_formats[i].begin(o.path[i]);
    printf("racelab grade: %s (%s), submission %s\n\n", rubric.lab,
           rubric.title, sub_dir);
    fflush(stdout);
    struct rl_grade_run *runs = xcalloc(rubric.nruns, sizeof *runs);
    for (size_t i = 0; i < rubric.nruns; i++) {
        rl_grade_run_execute(&runs[i], &rubric, &rubric.runs[i], lab_dir,
                             sub_dir);
        rl_report_diagnostics(stderr, &runs[i].check.diag);
        if (i + 1 < rubric.nruns)
            write_partial(&rubric, runs, i + 1, &o);
    }
    status = score(&rubric, runs, &o);
    for (size_t i = 0; i < rubric.nruns; i++)
        rl_grade_run_free(&runs[i]);
    free(runs);
    free(sub_dir);
    free(lab_dir);
    rl_rubric_free(&rubric);
    return status;
}
