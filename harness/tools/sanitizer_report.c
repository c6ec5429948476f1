/* sanitizer_report.c: the text reports of TSan, ASan, LSan and UBSan. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/sanitizer_report.h"
#include "lib/user_wrapper.h"
#include "lib/xalloc.h"

/* A log beyond this is cut: a teaching program's reports are far smaller,
 * and a runaway loop of warnings should not exhaust memory. */
enum { LOG_MAX = 64 << 20 };

static char *xstrndup(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Splits "file:line:col", "file:line" or "file" into f. */
static void parse_location(const char *s, size_t n, struct rl_san_frame *f)
{
    int nums[2] = {0, 0}, count = 0;
    while (count < 2) {
        const char *colon = memrchr(s, ':', n);
        if (!colon || !all_digits(colon + 1, s + n - colon - 1))
            break;
        nums[count++] = atoi(colon + 1);
        n = colon - s;
    }
    if (n == 0 || (n == 6 && strncmp(s, "<null>", 6) == 0))
        return;
    f->file = xstrndup(s, n);
    f->line = count == 2 ? nums[1] : nums[0];
    f->column = count == 2 ? nums[0] : 0;
}

/* Removes trailing " (BuildId: ...)" and " (module+0x...)" groups. */
static size_t strip_modules(const char *s, size_t n, struct rl_san_frame *f)
{
    while (n > 0 && s[n - 1] == ')') {
        int depth = 0;
        size_t open = n;
        while (open-- > 0) {
            depth += s[open] == ')' ? 1 : s[open] == '(' ? -1 : 0;
            if (depth == 0)
                break;
        }
        if (depth != 0 || (open > 0 && s[open - 1] != ' '))
            break; /* a C++ signature's own parentheses */
        const char *in = s + open + 1;
        size_t len = n - open - 2;
        int build_id = strncmp(in, "BuildId:", 8) == 0;
        int module = memmem(in, len, "+0x", 3) != NULL || in[0] == '<';
        if (!build_id && !module)
            break;
        if (module && !f->module)
            f->module = xstrndup(in, len);
        n = open;
        while (n > 0 && s[n - 1] == ' ')
            n--;
    }
    return n;
}

/* The function's length: up to the first blank, or past the closing
 * parenthesis of a C++ signature ("ns::f(int, char*)"). */
static size_t function_length(const char *s, size_t n)
{
    size_t blank = strcspn(s, " "), paren = strcspn(s, "(");
    if (blank > n)
        blank = n;
    if (paren >= blank)
        return blank;
    int depth = 0;
    for (size_t i = paren; i < n; i++) {
        depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
        if (depth == 0) {
            size_t rest = strcspn(s + i + 1, " ");
            return i + 1 + rest < n ? i + 1 + rest : n;
        }
    }
    return n;
}

/*
 * A stack line, after its '#'.  TSan prints "#N FUNC FILE:L:C (mod+0x..)";
 * ASan, LSan and UBSan print "#N 0xPC in FUNC FILE:L:C" or
 * "#N 0xPC in FUNC (mod+0x..)".  Unknown parts are "<null>" or missing.
 */
static void parse_frame(const char *s, size_t n, struct rl_san_frame *f)
{
    const char *end = s + n;
    memset(f, 0, sizeof *f);
    f->index = atoi(s);
    while (s < end && isdigit((unsigned char)*s))
        s++;
    while (s < end && *s == ' ')
        s++;
    if (end - s > 2 && s[0] == '0' && s[1] == 'x') {
        while (s < end && *s != ' ')
            s++;
        while (s < end && *s == ' ')
            s++;
        if (end - s >= 3 && strncmp(s, "in ", 3) == 0)
            s += 3;
    }
    n = strip_modules(s, end - s, f);
    if (n == 0)
        return;
    size_t fn = function_length(s, n);
    if (!(fn == 6 && strncmp(s, "<null>", 6) == 0))
        f->function = xstrndup(s, fn);
    while (fn < n && s[fn] == ' ')
        fn++;
    parse_location(s + fn, n - fn, f);
}

static void frame_free(struct rl_san_frame *f)
{
    free(f->function);
    free(f->file);
    free(f->module);
}

static struct rl_san_report *new_report(struct rl_san_reports *out)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 8;
        out->v = xrealloc(out->v, out->cap * sizeof *out->v);
    }
    struct rl_san_report *r = &out->v[out->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static struct rl_san_section *new_section(struct rl_san_report *r,
                                          const char *heading, size_t n)
{
    r->sections =
        xrealloc(r->sections, (r->nsections + 1) * sizeof *r->sections);
    struct rl_san_section *s = &r->sections[r->nsections++];
    memset(s, 0, sizeof *s);
    s->heading = xstrndup(heading, n);
    return s;
}

static void add_frame(struct rl_san_report *r, const char *s, size_t n)
{
    if (r->nsections == 0)
        new_section(r, "", 0); /* the stack right under the headline */
    struct rl_san_section *sec = &r->sections[r->nsections - 1];
    sec->frames =
        xrealloc(sec->frames, (sec->nframes + 1) * sizeof *sec->frames);
    parse_frame(s, n, &sec->frames[sec->nframes++]);
}

/* "... (pid=123)" at the end of a TSan headline: cut it, keep the pid. */
static size_t cut_pid(const char *s, size_t n, int *pid)
{
    const char *p = n > 6 && s[n - 1] == ')' ? memmem(s, n, " (pid=", 6) : NULL;
    if (!p)
        return n;
    *pid = atoi(p + 6);
    return p - s;
}

/* The kind is the headline up to " on " (ASan names the address after
 * it, TSan "data race on vptr"), without a final colon. */
static char *kind_of(const char *title)
{
    size_t n = strlen(title);
    const char *on = strstr(title, " on ");
    if (on)
        n = on - title;
    while (n > 0 && (title[n - 1] == ':' || title[n - 1] == ' '))
        n--;
    return xstrndup(title, n);
}

/*
 * A headline: "WARNING: ThreadSanitizer: data race (pid=1)",
 * "==1==ERROR: AddressSanitizer: heap-use-after-free on address ...",
 * "FATAL: ThreadSanitizer: unexpected memory mapping ...",
 * "==1==LeakSanitizer has encountered a fatal error.", or UBSan's
 * "f.c:11:9: runtime error: signed integer overflow: ...".
 */
static int parse_headline(const char *s, size_t n, struct rl_san_reports *out)
{
    int pid = 0, fatal = 0;
    const char *end = s + n;
    const char *ub = memmem(s, n, ": runtime error: ", 17);
    if (ub) {
        struct rl_san_report *r = new_report(out);
        r->tool = xstrdup("UndefinedBehaviorSanitizer");
        r->kind = xstrdup("runtime error");
        r->title = xstrndup(ub + 17, end - ub - 17);
        parse_location(s, ub - s, &r->where);
        return 1;
    }
    if (n > 2 && s[0] == '=' && s[1] == '=' && isdigit((unsigned char)s[2])) {
        pid = atoi(s + 2);
        const char *close = memmem(s + 2, n - 2, "==", 2);
        if (!close)
            return 0;
        s = close + 2;
    }
    const char *fatal_error =
        memmem(s, end - s, " has encountered a fatal", 24);
    const char *rest;
    if (fatal_error && memmem(s, fatal_error - s, "Sanitizer", 9)) {
        struct rl_san_report *r = new_report(out);
        r->tool = xstrndup(s, fatal_error - s);
        r->kind = xstrdup("fatal error");
        r->title = xstrndup(fatal_error + 1, end - fatal_error - 1);
        r->pid = pid;
        r->fatal = 1;
        return 1;
    }
    if (end - s > 9 && strncmp(s, "WARNING: ", 9) == 0)
        rest = s + 9;
    else if (end - s > 7 && strncmp(s, "ERROR: ", 7) == 0)
        rest = s + 7;
    else if (end - s > 7 && strncmp(s, "FATAL: ", 7) == 0)
        rest = s + 7, fatal = 1;
    else
        return 0;
    const char *colon = memmem(rest, end - rest, "Sanitizer: ", 11);
    if (!colon || memchr(rest, ' ', colon - rest))
        return 0; /* not "<Tool>Sanitizer: ..." */
    struct rl_san_report *r = new_report(out);
    r->tool = xstrndup(rest, colon + 9 - rest);
    const char *title = colon + 11;
    r->title = xstrndup(title, cut_pid(title, end - title, &pid));
    r->kind = kind_of(r->title);
    r->pid = pid;
    r->fatal = fatal;
    return 1;
}

static int is_rule(const char *s, size_t n)
{
    return n > 0 && strspn(s, "=") >= n;
}

/* One line of a log; *in tells whether a report is open. */
static void parse_line(const char *s, size_t n, struct rl_san_reports *out,
                       int *in)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    size_t lead = 0;
    while (lead < n && s[lead] == ' ')
        lead++;
    const char *t = s + lead;
    size_t tn = n - lead;
    if (tn == 0 || is_rule(t, tn))
        return;
    if (parse_headline(t, tn, out)) {
        *in = 1;
        return;
    }
    if (!*in)
        return;
    struct rl_san_report *r = &out->v[out->n - 1];
    if (tn >= 9 && strncmp(t, "SUMMARY: ", 9) == 0)
        *in = 0;
    else if (tn > 1 && t[0] == '#' && isdigit((unsigned char)t[1]))
        add_frame(r, t + 1, tn - 1);
    else
        new_section(r, t, tn);
}

void rl_san_parse_text(const char *text, struct rl_san_reports *out)
{
    int in = 0;
    while (*text) {
        size_t n = strcspn(text, "\n");
        parse_line(text, n, out, &in);
        text += n;
        if (*text == '\n')
            text++;
    }
}

static char *read_all(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, cap = 8192;
    char *buf = xmalloc(cap);
    size_t got;
    while (len < LOG_MAX && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0)
            buf = xrealloc(buf, cap *= 2);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read '%s'", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int rl_san_parse_file(const char *path, struct rl_san_reports *out, char *err,
                      size_t errlen)
{
    char *text = read_all(path, err, errlen);
    if (!text)
        return -1;
    rl_san_parse_text(text, out);
    free(text);
    return 0;
}

static int compare_pids(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The pids of every dir/prefix.<pid>, sorted; how many in *n. */
static long *log_pids(const char *dir, const char *prefix, size_t *n, char *err,
                      size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open '%s': %s", dir, strerror(errno));
        return NULL;
    }
    size_t plen = strlen(prefix), cap = 8;
    long *pids = xmalloc(cap * sizeof *pids);
    struct dirent *e;
    *n = 0;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strncmp(name, prefix, plen) != 0 || name[plen] != '.' ||
            !all_digits(name + plen + 1, strlen(name + plen + 1)))
            continue;
        if (*n == cap)
            pids = xrealloc(pids, (cap *= 2) * sizeof *pids);
        pids[(*n)++] = atol(name + plen + 1);
    }
    closedir(d);
    qsort(pids, *n, sizeof *pids, compare_pids);
    return pids;
}

int rl_san_parse_logs(const char *dir, const char *prefix,
                      struct rl_san_reports *out, size_t *nfiles, char *err,
                      size_t errlen)
{
    size_t n;
    long *pids = log_pids(dir, prefix, &n, err, errlen);
    if (!pids)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = xasprintf("%s/%s.%ld", dir, prefix, pids[i]);
        rc = rl_san_parse_file(path, out, err, errlen);
        free(path);
    }
    free(pids);
    if (nfiles)
        *nfiles = n;
    return rc;
}

void rl_san_reports_free(struct rl_san_reports *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct rl_san_report *rep = &r->v[i];
        for (size_t j = 0; j < rep->nsections; j++) {
            struct rl_san_section *s = &rep->sections[j];
            for (size_t k = 0; k < s->nframes; k++)
                frame_free(&s->frames[k]);
            free(s->frames);
            free(s->heading);
        }
        free(rep->sections);
        frame_free(&rep->where);
        free(rep->tool);
        free(rep->kind);
        free(rep->title);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

const struct rl_san_section *rl_san_find_section(const struct rl_san_report *r,
                                                 const char *prefix)
{
    for (size_t i = 0; i < r->nsections; i++)
        if (strncmp(r->sections[i].heading, prefix, strlen(prefix)) == 0)
            return &r->sections[i];
    return NULL;
}

const struct rl_san_frame *rl_san_user_frame(const struct rl_san_section *s,
                                             const struct rl_sources *src,
                                             const char **file)
{
    const struct rl_san_frame *found = NULL;
    const char *name = NULL;
    for (size_t i = 0; s && i < s->nframes; i++) {
        const struct rl_san_frame *f = &s->frames[i];
        const char *mine = f->file ? rl_sources_match(src, f->file) : NULL;
        if (!mine)
            continue;
        if (found && !rl_is_user_wrapper(found->function, RL_WRAPS_ALL))
            break;
        found = f;
        name = mine;
    }
    if (file)
        *file = name;
    return found;
}

/* Is name an executable file in one of PATH's folders?  Fills buf. */
static int search_path(const char *name, char *buf, size_t len)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0) {
            snprintf(buf, len, "%.*s/%s", (int)n, path, name);
            if (buf[0] == '/' && access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (path[n] == ':');
    }
    return 0;
}

int rl_san_find_symbolizer(char *buf, size_t len, char *err, size_t errlen)
{
    static const char fallback[] = "/usr/lib/llvm-14/bin/llvm-symbolizer";
    if (search_path("llvm-symbolizer", buf, len) ||
        search_path("llvm-symbolizer-14", buf, len))
        return 0;
    if (access(fallback, X_OK) == 0) {
        snprintf(buf, len, "%s", fallback);
        return 0;
    }
    snprintf(err, errlen,
             "cannot find 'llvm-symbolizer' (Debian package llvm-14): "
             "without it sanitizer reports have no source lines");
    return -1;
}

char *rl_san_options(const char *dir, const char *name, const char *rest,
                     char *err, size_t errlen)
{
    char sym[4096];
    if (rl_san_find_symbolizer(sym, sizeof sym, err, errlen) != 0)
        return NULL;
    if (strchr(dir, '\'') || strchr(name, '\'') || strchr(sym, '\'')) {
        snprintf(err, errlen,
                 "cannot pass '%s' to a sanitizer: it holds "
                 "a quote",
                 dir);
        return NULL;
    }
    return xasprintf("log_path='%s/%s':symbolize=1:"
                     "external_symbolizer_path='%s'%s%s",
                     dir, name, sym, rest && *rest ? ":" : "",
                     rest ? rest : "");
}

struct rl_finding *rl_san_collect(struct rl_san_collector *c, const char *key,
                                  const char *id, int *fresh)
{
    for (size_t i = 0; i < c->list.n; i++)
        if (strcmp(c->keys[i], key) == 0) {
            *fresh = 0;
            return &c->list.v[i];
        }
    struct rl_finding *f = rl_findings_add(&c->list, id, c->tool);
    c->keys = xrealloc(c->keys, c->list.cap * sizeof *c->keys);
    c->keys[c->list.n - 1] = xstrdup(key);
    *fresh = 1;
    return f;
}

void rl_san_collect_finish(struct rl_san_collector *c, struct rl_findings *out)
{
    for (size_t i = 0; i < c->list.n; i++)
        free(c->keys[i]);
    free(c->keys);
    c->keys = NULL;
    rl_findings_take(out, &c->list);
}

void rl_san_place(char *buf, size_t len, const char *file,
                  const struct rl_san_frame *f)
{
    if (f->line > 0)
        snprintf(buf, len, "%s:%d", file, f->line);
    else
        snprintf(buf, len, "%s", file);
}

/* Length of a group to drop at s: addresses (" at 0x1f", " (0x1f)"),
 * thread ids (" (tid=12, running)") and the word " here", which reads
 * wrong once a place follows; 0 when s starts none of them. */
static size_t noise_at(const char *s)
{
    if (strncmp(s, " at 0x", 6) == 0)
        return 6 + strspn(s + 6, "0123456789abcdefABCDEF");
    if (strncmp(s, " (0x", 4) == 0 || strncmp(s, " (tid=", 6) == 0) {
        const char *close = strchr(s, ')');
        return close ? (size_t)(close - s + 1) : 0;
    }
    if (strncmp(s, " here", 5) == 0 && strchr(" :", s[5]))
        return 5;
    return 0;
}

/* TSan's " (mutexes: write M0, read M1)" names locks by its own numbers:
 * said instead as what the thread held, " while holding 2 locks". */
static size_t held_locks_at(const char *s, char *say, size_t len)
{
    if (strncmp(s, " (mutexes: ", 11) != 0)
        return 0;
    const char *close = strchr(s, ')');
    if (!close)
        return 0;
    int n = 1;
    for (const char *p = s + 11; p < close; p++)
        n += *p == ',';
    snprintf(say, len, " while holding %d lock%s", n, n == 1 ? "" : "s");
    return (size_t)(close - s + 1);
}

void rl_san_clean_heading(char *buf, size_t len, const char *heading)
{
    size_t n = 0;
    if (len == 0)
        return;
    for (const char *s = heading; *s && n + 1 < len;) {
        char say[64];
        size_t held = held_locks_at(s, say, sizeof say);
        if (held) {
            for (const char *p = say; *p && n + 1 < len; p++)
                buf[n++] = *p;
            s += held;
            continue;
        }
        size_t skip = noise_at(s);
        if (skip) {
            s += skip;
            continue;
        }
        buf[n++] = *s++;
    }
    while (n > 0 && (buf[n - 1] == ':' || buf[n - 1] == ' '))
        n--;
    if (n >= 3 && strncmp(buf + n - 3, " at", 3) == 0)
        n -= 3; /* "created by main thread at:" */
    buf[n] = '\0';
    /* "Write of size" and ASan's "READ of size" both become "write ..." */
    size_t word = strcspn(buf, " ");
    int caps = 1;
    for (size_t i = 0; i < word; i++)
        caps &= !islower((unsigned char)buf[i]);
    for (size_t i = 0; i < (caps ? word : 1) && buf[i]; i++)
        buf[i] = tolower((unsigned char)buf[i]);
}

void rl_san_side_find(struct rl_san_side *s, const struct rl_san_section *sec,
                      const struct rl_sources *sources)
{
    s->sec = sec;
    s->file = NULL;
    s->frame = sec ? rl_san_user_frame(sec, sources, &s->file) : NULL;
}

void rl_san_side_add(struct rl_finding *f, const struct rl_san_side *s)
{
    if (s->frame)
        rl_finding_add_location(f, s->file, s->frame->line, s->frame->function);
}

void rl_san_side_record(struct rl_finding *f, const char *what,
                        const struct rl_san_side *s,
                        const struct rl_sources *sources)
{
    if (!s->frame)
        return;
    struct rl_side *side = rl_finding_add_side(f, what);
    for (size_t i = 0; i < s->sec->nframes; i++) {
        const struct rl_san_frame *fr = &s->sec->frames[i];
        const char *mine =
            fr->file ? rl_sources_match(sources, fr->file) : NULL;
        if (mine)
            rl_side_add_frame(side, mine, fr->line, fr->function);
    }
}

void rl_san_side_detail(struct rl_finding *f, const char *what,
                        const struct rl_san_side *s)
{
    char place[512], line[1024];
    if (!s->frame)
        return;
    rl_san_place(place, sizeof place, s->file, s->frame);
    snprintf(line, sizeof line, "%s at %s (%s)", what, place,
             s->frame->function ? s->frame->function : "?");
    rl_finding_append_detail(f, line);
}
