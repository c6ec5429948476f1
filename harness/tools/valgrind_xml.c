/* valgrind_xml.c: parse valgrind's XML and fd log; shared by its 3 tools. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/valgrind_xml.h"
#include "lib/user_wrapper.h"
#include "lib/xalloc.h"

enum { MAX_DEPTH = 32, NAME_LEN = 32 };

/* Where the stack being read goes when it ends. */
enum stack_dest { DEST_NONE, DEST_ERROR, DEST_EXIT };

struct parser {
    struct rl_vg_report *r;
    char names[MAX_DEPTH][NAME_LEN]; /* open elements, outermost first */
    int depth;
    char *text; /* character data of the innermost open element */
    size_t textlen, textcap;
    int in_error;
    struct rl_vg_error err; /* the <error> being read */
    char *pending_label;    /* last auxwhat, labels the next stack */
    enum stack_dest dest;
    struct rl_vg_stack stack; /* the <stack> being read */
    struct rl_vg_frame frame; /* the <frame> being read */
};

static void frame_free(struct rl_vg_frame *f)
{
    free(f->fn);
    free(f->dir);
    free(f->file);
    free(f->obj);
    memset(f, 0, sizeof *f);
}

static void stack_free(struct rl_vg_stack *s)
{
    for (size_t i = 0; i < s->n; i++)
        frame_free(&s->v[i]);
    free(s->v);
    free(s->label);
    memset(s, 0, sizeof *s);
}

static void error_free(struct rl_vg_error *e)
{
    for (size_t i = 0; i < e->nstacks; i++)
        stack_free(&e->stacks[i]);
    for (size_t i = 0; i < e->naux; i++)
        free(e->aux[i]);
    free(e->stacks);
    free(e->aux);
    free(e->kind);
    free(e->what);
    memset(e, 0, sizeof *e);
}

void rl_vg_report_free(struct rl_vg_report *r)
{
    for (size_t i = 0; i < r->nerrors; i++)
        error_free(&r->errors[i]);
    for (size_t i = 0; i < r->nexit_stacks; i++)
        stack_free(&r->exit_stacks[i]);
    free(r->errors);
    free(r->exit_stacks);
    memset(r, 0, sizeof *r);
}

/* Name of the open element `up` levels above the innermost one, or "". */
static const char *open_name(const struct parser *p, int up)
{
    int i = p->depth - 1 - up;
    return i >= 0 && i < MAX_DEPTH ? p->names[i] : "";
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

static void push_stack(struct rl_vg_stack **v, size_t *n, struct rl_vg_stack *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = *s;
    memset(s, 0, sizeof *s);
}

static void on_start(void *data, const XML_Char *name, const XML_Char **attr)
{
    struct parser *p = data;
    (void)attr;
    const char *parent = open_name(p, 0);
    if (p->depth < MAX_DEPTH)
        snprintf(p->names[p->depth], NAME_LEN, "%s", name);
    p->depth++;
    p->textlen = 0;

    if (strcmp(name, "error") == 0 && strcmp(parent, "valgrindoutput") == 0) {
        error_free(&p->err);
        free(p->pending_label);
        p->pending_label = NULL;
        p->in_error = 1;
    } else if (strcmp(name, "stack") == 0) {
        stack_free(&p->stack);
        p->dest = DEST_NONE;
        if (p->in_error && strcmp(parent, "error") == 0) {
            p->dest = DEST_ERROR;
            p->stack.label = p->pending_label;
            p->pending_label = NULL;
        } else if (p->in_error && strncmp(parent, "other_segment_", 14) == 0) {
            p->dest = DEST_ERROR;
            p->stack.label = xstrdup(parent);
        } else if (strcmp(parent, "valgrindoutput") == 0 && p->r->finished) {
            p->dest = DEST_EXIT;
        }
    } else if (strcmp(name, "frame") == 0) {
        frame_free(&p->frame);
    }
}

static void on_text(void *data, const XML_Char *s, int len)
{
    struct parser *p = data;
    if (p->textlen + len + 1 > p->textcap) {
        p->textcap = 2 * (p->textlen + len + 1);
        p->text = xrealloc(p->text, p->textcap);
    }
    memcpy(p->text + p->textlen, s, len);
    p->textlen += len;
}

/* An auxwhat both describes the error and labels the stack after it. */
static void add_aux(struct parser *p, const char *text)
{
    struct rl_vg_error *e = &p->err;
    e->aux = xrealloc(e->aux, (e->naux + 1) * sizeof *e->aux);
    e->aux[e->naux++] = xstrdup(text);
    replace(&p->pending_label, text);
}

static void end_frame_field(struct parser *p, const char *name,
                            const char *text)
{
    struct rl_vg_frame *f = &p->frame;
    if (strcmp(name, "fn") == 0)
        replace(&f->fn, text);
    else if (strcmp(name, "dir") == 0)
        replace(&f->dir, text);
    else if (strcmp(name, "file") == 0)
        replace(&f->file, text);
    else if (strcmp(name, "obj") == 0)
        replace(&f->obj, text);
    else if (strcmp(name, "line") == 0)
        f->line = atoi(text);
}

static void end_error_field(struct parser *p, const char *name,
                            const char *text)
{
    if (strcmp(name, "kind") == 0)
        replace(&p->err.kind, text);
    else if (strcmp(name, "what") == 0)
        replace(&p->err.what, text);
    else if (strcmp(name, "auxwhat") == 0)
        add_aux(p, text);
    else if (strcmp(name, "tid") == 0)
        p->err.tid = atoi(text);
}

static void end_stack(struct parser *p)
{
    if (p->dest == DEST_ERROR)
        push_stack(&p->err.stacks, &p->err.nstacks, &p->stack);
    else if (p->dest == DEST_EXIT)
        push_stack(&p->r->exit_stacks, &p->r->nexit_stacks, &p->stack);
    else
        stack_free(&p->stack);
    p->dest = DEST_NONE;
}

static void end_error(struct parser *p)
{
    struct rl_vg_report *r = p->r;
    r->errors = xrealloc(r->errors, (r->nerrors + 1) * sizeof *r->errors);
    r->errors[r->nerrors++] = p->err;
    memset(&p->err, 0, sizeof p->err);
    p->in_error = 0;
}

static void on_end(void *data, const XML_Char *name)
{
    struct parser *p = data;
    on_text(p, "", 0); /* makes sure text exists */
    p->text[p->textlen] = '\0';
    const char *text = p->text;
    const char *parent = open_name(p, 1);

    if (strcmp(parent, "frame") == 0 && p->dest != DEST_NONE)
        end_frame_field(p, name, text);
    else if (strcmp(name, "frame") == 0 && p->dest != DEST_NONE) {
        p->stack.v =
            xrealloc(p->stack.v, (p->stack.n + 1) * sizeof *p->stack.v);
        p->stack.v[p->stack.n++] = p->frame;
        memset(&p->frame, 0, sizeof p->frame);
    } else if (strcmp(name, "stack") == 0)
        end_stack(p);
    else if (p->in_error && strcmp(parent, "error") == 0)
        end_error_field(p, name, text);
    else if (p->in_error && strcmp(name, "text") == 0 &&
             strcmp(parent, "xwhat") == 0)
        replace(&p->err.what, text);
    else if (p->in_error && strcmp(name, "text") == 0 &&
             strcmp(parent, "xauxwhat") == 0)
        add_aux(p, text);
    else if (strcmp(name, "error") == 0 && p->in_error)
        end_error(p);
    else if (strcmp(name, "state") == 0 && strcmp(parent, "status") == 0)
        p->r->finished |= strcmp(text, "FINISHED") == 0;
    else if (strcmp(name, "signo") == 0 && strcmp(parent, "fatal_signal") == 0)
        p->r->fatal_signal = atoi(text);
    else if (strcmp(name, "valgrindoutput") == 0)
        p->r->complete = 1;
    p->depth--;
    p->textlen = 0;
}

static void parser_free(struct parser *p)
{
    free(p->text);
    free(p->pending_label);
    error_free(&p->err);
    stack_free(&p->stack);
    frame_free(&p->frame);
}

/* One attempt with the given encoding (NULL: as the document says). */
static int parse_as(const char *encoding, const char *buf, size_t len,
                    struct rl_vg_report *r, enum XML_Error *code, char *err,
                    size_t errlen)
{
    struct parser p;
    memset(r, 0, sizeof *r);
    memset(&p, 0, sizeof p);
    p.r = r;
    XML_Parser x = XML_ParserCreate(encoding);
    if (!x) {
        snprintf(err, errlen, "cannot create an XML parser");
        *code = XML_ERROR_NO_MEMORY;
        return -1;
    }
    XML_SetUserData(x, &p);
    XML_SetElementHandler(x, on_start, on_end);
    XML_SetCharacterDataHandler(x, on_text);
    int rc = 0;
    /* Not final first: a document cut short is only an error at its end,
     * and a cut-short document is what a killed run leaves. */
    if (XML_Parse(x, buf, (int)len, 0) == XML_STATUS_ERROR && !r->complete) {
        *code = XML_GetErrorCode(x);
        snprintf(err, errlen, "malformed valgrind XML at line %lu: %s",
                 (unsigned long)XML_GetCurrentLineNumber(x),
                 XML_ErrorString(*code));
        rc = -1;
    } else if (!r->complete) {
        XML_Parse(x, "", 0, 1); /* flushes; its error means truncated */
    }
    XML_ParserFree(x);
    parser_free(&p);
    if (rc < 0)
        rl_vg_report_free(r);
    return rc;
}

int rl_vg_parse_buffer(const char *buf, size_t len, struct rl_vg_report *r,
                       char *err, size_t errlen)
{
    enum XML_Error code = XML_ERROR_NONE;
    if (parse_as(NULL, buf, len, r, &code, err, errlen) == 0)
        return 0;
    /* valgrind copies file and program names byte for byte: a name that
     * is not UTF-8 (say Latin-1) must not cost the whole report. */
    if (code != XML_ERROR_INVALID_TOKEN)
        return -1;
    return parse_as("ISO-8859-1", buf, len, r, &code, err, errlen);
}

/* The whole file in a malloc'd buffer. */
static char *read_all(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s'", path);
        return NULL;
    }
    size_t cap = 65536, n = 0, got;
    char *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read '%s'", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int rl_vg_parse_file(const char *path, struct rl_vg_report *r, char *err,
                     size_t errlen)
{
    size_t len;
    memset(r, 0, sizeof *r);
    char *buf = read_all(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = rl_vg_parse_buffer(buf, len, r, err, errlen);
    if (rc < 0) {
        /* Name the file: the parser's message only has a line number. */
        char inner[256];
        snprintf(inner, sizeof inner, "%s", err);
        snprintf(err, errlen, "'%s': %s", path, inner);
    }
    free(buf);
    return rc;
}

void rl_vg_fd_list_free(struct rl_vg_fd_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].desc);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A log line without its "==PID== " prefix and trailing newline. */
static char *log_body(char *line)
{
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "==", 2) == 0) {
        char *end = strstr(line + 2, "==");
        if (end)
            line = end + 2;
    }
    return line + strspn(line, " ");
}

/* The descriptor number of "Open <what> N: ...", or -1. */
static int open_fd_number(const char *body)
{
    for (const char *s = body; *s; s++) {
        if (s[0] == ' ' && s[1] >= '0' && s[1] <= '9') {
            char *end;
            long fd = strtol(s + 1, &end, 10);
            if (*end == ':')
                return (int)fd;
        }
    }
    return -1;
}

static void add_open_fd(struct rl_vg_fd_list *l, const char *body)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    struct rl_vg_open_fd *o = &l->v[l->n++];
    o->fd = open_fd_number(body);
    o->desc = xstrdup(body + strlen("Open "));
    o->inherited = 0;
}

int rl_vg_parse_fd_log(const char *path, struct rl_vg_fd_list *l, char *err,
                       size_t errlen)
{
    memset(l, 0, sizeof *l);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s'", path);
        return -1;
    }
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *body = log_body(line);
        if (strstr(body, "FILE DESCRIPTORS:")) {
            if (l->found)
                break; /* only the program's own process counts */
            l->found = 1;
        } else if (!l->found) {
            continue;
        } else if (strncmp(body, "Open ", 5) == 0) {
            add_open_fd(l, body);
        } else if (strcmp(body, "<inherited from parent>") == 0 && l->n) {
            l->v[l->n - 1].inherited = 1;
        }
    }
    fclose(f);
    return 0;
}

const char *rl_vg_frame_source(const struct rl_vg_frame *f,
                               const struct rl_sources *src)
{
    if (!f->file)
        return NULL;
    if (!f->dir)
        return rl_sources_match(src, f->file);
    char *path = xasprintf("%s/%s", f->dir, f->file);
    const char *given = rl_sources_match(src, path);
    /* A build folder that no longer exists (a report read elsewhere than
     * where it was made): fall back to the unique basename match. */
    if (!given && path[0] == '/' && access(path, F_OK) != 0)
        given = rl_sources_match(src, f->file);
    free(path);
    return given;
}

/* The innermost frame in the user's sources, or the one that called the
 * program's own wrapper (Pthread_mutex_lock, Malloc) when there is one:
 * the same rule as the sanitizers' (rl_san_user_frame), so that every
 * tool places one bug on one line. */
const struct rl_vg_frame *rl_vg_user_frame(const struct rl_vg_stack *st,
                                           const struct rl_sources *src,
                                           const char **given)
{
    const struct rl_vg_frame *found = NULL;
    const char *name = NULL;
    for (size_t i = 0; st && i < st->n; i++) {
        const char *g = rl_vg_frame_source(&st->v[i], src);
        if (!g || st->v[i].line <= 0)
            continue;
        if (found && !rl_is_user_wrapper(found->fn, RL_WRAPS_ALL))
            break;
        found = &st->v[i];
        name = g;
    }
    if (found && given)
        *given = name;
    return found;
}

/* A finding already listing this id, tool and first location, or NULL. */
static struct rl_finding *same_finding(struct rl_findings *out, const char *id,
                                       const char *tool, const char *file,
                                       int line)
{
    for (size_t i = 0; i < out->n; i++) {
        struct rl_finding *f = &out->v[i];
        if (strcmp(f->id, id) == 0 && rl_finding_has_tool(f, tool) &&
            f->nlocs > 0 && f->locs[0].line == line &&
            strcmp(f->locs[0].file, file) == 0)
            return f;
    }
    return NULL;
}

struct rl_finding *rl_vg_add_finding(struct rl_findings *out, const char *id,
                                     const char *tool,
                                     const struct rl_sources *src,
                                     const struct rl_vg_stack *const stacks[],
                                     size_t nstacks, const char *detail)
{
    struct rl_finding *f = NULL;
    for (size_t i = 0; i < nstacks; i++) {
        const char *given;
        const struct rl_vg_frame *fr = rl_vg_user_frame(stacks[i], src, &given);
        if (!fr)
            continue;
        if (!f)
            f = same_finding(out, id, tool, given, fr->line);
        if (!f)
            f = rl_findings_add(out, id, tool);
        rl_finding_add_location(f, given, fr->line, fr->fn);
    }
    if (f && detail && !(f->detail && strstr(f->detail, detail)))
        rl_finding_append_detail(f, detail);
    return f;
}

char *rl_vg_xml_path(const struct rl_run *run)
{
    return xasprintf("%s/%s.xml", run->workdir, run->tool->name);
}

int rl_vg_report_lost(struct rl_run *run, char *err)
{
    if (!run->result.isolation[0]) /* the sandbox never described a run */
        return -1;
    /* err names racelab's scratch folder: not for the student's report
     * (the run's diagnostics keep the tool's name). */
    snprintf(run->tool_failed, sizeof run->tool_failed,
             "valgrind's report could not be read: the program may have "
             "deleted or changed it");
    err[0] = '\0';
    return 0;
}

char *rl_vg_log_path(const struct rl_run *run)
{
    return xasprintf("%s/%s.log", run->workdir, run->tool->name);
}

/* valgrind expands %p and %q{VAR} in file names: a literal % is "%%". */
static void push_file_option(struct rl_strv *argv, const char *option,
                             const char *path)
{
    size_t n = strlen(path);
    char *quoted = xmalloc(2 * n + 1), *q = quoted;
    for (size_t i = 0; i < n; i++) {
        if (path[i] == '%')
            *q++ = '%';
        *q++ = path[i];
    }
    *q = '\0';
    rl_strv_pushf(argv, "%s=%s", option, quoted);
    free(quoted);
}

int rl_vg_prepare(struct rl_run *run, const char *const tool_opts[], char *err,
                  size_t errlen)
{
    if (!run->exe || !run->workdir || !run->tool) {
        snprintf(err, errlen, "valgrind run without a program or workdir");
        return -1;
    }
    char *xml = rl_vg_xml_path(run), *log = rl_vg_log_path(run);
    struct rl_strv *a = &run->argv;
    rl_strv_push(a, "valgrind");
    rl_strv_pushf(a, "--tool=%s", run->tool->name);
    rl_strv_push(a, "--xml=yes");
    push_file_option(a, "--xml-file", xml);
    /* Valgrind's own text goes to a file: the program's stderr stays its
     * own, and memcheck writes the open descriptors there. */
    push_file_option(a, "--log-file", log);
    /* Valgrind runs one thread at a time; without a fair lock a spinning
     * thread can starve the others and change the program's behaviour. */
    rl_strv_push(a, "--fair-sched=yes");
    /* Only the user's process is checked: children that fork are silent
     * (their exit would report the parent's leaks twice) and exec'd
     * programs are not the student's. */
    rl_strv_push(a, "--trace-children=no");
    rl_strv_push(a, "--child-silent-after-fork=yes");
    /* No gdbserver: its FIFOs in /tmp are named by pid, and runs in
     * separate pid namespaces (all pid 2) would share them. */
    rl_strv_push(a, "--vgdb=no");
    rl_strv_push(a, "--error-limit=no");
    rl_strv_push(a, "--num-callers=20");
    for (size_t i = 0; tool_opts && tool_opts[i]; i++)
        rl_strv_push(a, tool_opts[i]);
    rl_strv_push(a, run->exe);
    for (size_t i = 0; run->program_args && run->program_args[i]; i++)
        rl_strv_push(a, run->program_args[i]);
    /* Valgrind reserves large address ranges: RLIMIT_AS would break it. */
    run->sandbox.address_limit_ok = 0;
    free(xml);
    free(log);
    return 0;
}
