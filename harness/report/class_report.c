/* class_report.c: the class's grades loaded from grades/LAB/ and the
 * counts both views share (class_html.c, class_md.c). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report/class_report.h"
#include "report/escape.h"

/* A source line quoted in the report: enough to recognise it. */
enum { SOURCE_CAP = 160 };

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The grading script's note: key=value lines; the value of key, or NULL. */
static char *note_value(const char *note, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = note; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > k && strncmp(p, key, k) == 0 && p[k] == '=') {
            char *v = xmalloc(n - k);
            memcpy(v, p + k + 1, n - k - 1);
            v[n - k - 1] = '\0';
            return v;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static char *slurp(const char *path, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = xmalloc(cap + 1);
    size_t n = fread(buf, 1, cap, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Line `line` of path, escaped and trimmed; NULL when unreadable.  The
 * file is the student's: its bytes are data. */
static char *source_line(const char *path, int line)
{
    FILE *f = fopen(path, "r");
    if (!f || line < 1) {
        if (f)
            fclose(f);
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = 0;
    for (int i = 0; i < line && (n = getline(&buf, &cap, f)) >= 0; i++)
        ;
    fclose(f);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    char *start = buf + strspn(buf, " \t");
    char *text = rl_escape_text(start, SOURCE_CAP);
    free(buf);
    return text;
}

/* One student's counts of a failure-mode ID: its first location. */
struct sighting {
    char *where, *source;
    const char *student; /* the student's name, owned by the class */
};

struct mode_acc {
    struct rl_class_mode mode;
    struct sighting *seen; /* one per submission that has it */
};

static struct mode_acc *find_mode(struct mode_acc **modes, size_t *n,
                                  const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*modes)[i].mode.id, id) == 0)
            return &(*modes)[i];
    *modes = xrealloc(*modes, (*n + 1) * sizeof **modes);
    struct mode_acc *m = &(*modes)[(*n)++];
    memset(m, 0, sizeof *m);
    m->mode.id = xstrdup(id);
    return m;
}

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The class's check list from the first graded JSON. */
static void take_checks(struct rl_class *c, json_t *checks)
{
    c->nchecks = json_array_size(checks);
    c->checks = xcalloc(c->nchecks + 1, sizeof *c->checks);
    c->check_max = xcalloc(c->nchecks + 1, sizeof *c->check_max);
    for (size_t i = 0; i < c->nchecks; i++) {
        json_t *ck = json_array_get(checks, i);
        c->checks[i] = xstrdup(str_of(ck, "name"));
        c->check_max[i] =
            (int)json_integer_value(json_object_get(ck, "max_points"));
    }
}

/* Each failure-mode ID the student's checks found, once per student. */
static void take_findings(json_t *checks, const char *student,
                          struct mode_acc **modes, size_t *nmodes)
{
    char **ids = NULL;
    size_t nids = 0;
    size_t i;
    json_t *ck;
    json_array_foreach (checks, i, ck) {
        size_t j;
        json_t *f;
        json_array_foreach (json_object_get(ck, "findings"), j, f) {
            const char *id = str_of(f, "id");
            int dup = 0;
            for (size_t k = 0; k < nids; k++)
                dup |= strcmp(ids[k], id) == 0;
            if (dup || !id[0])
                continue;
            ids = xrealloc(ids, (nids + 1) * sizeof *ids);
            ids[nids++] = (char *)id;
            struct mode_acc *m = find_mode(modes, nmodes, id);
            if (!m->mode.title) {
                m->mode.title = xstrdup(str_of(f, "title"));
                m->mode.explanation = xstrdup(str_of(f, "explanation"));
            }
            json_t *loc = json_array_get(json_object_get(f, "locations"), 0);
            struct sighting s = {NULL, NULL, student};
            if (loc) {
                const char *file = str_of(loc, "file");
                int line =
                    (int)json_integer_value(json_object_get(loc, "line"));
                s.where = xasprintf("%s:%d", base_name(file), line);
                s.source = source_line(file, line);
            }
            m->seen =
                xrealloc(m->seen, (m->mode.submissions + 1) * sizeof *m->seen);
            m->seen[m->mode.submissions++] = s;
        }
    }
    free(ids);
}

/* The typical case of an ID: the source line most submissions share
 * (the first student's on a tie). */
static void pick_typical(struct mode_acc *m)
{
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < m->mode.submissions; i++) {
        size_t count = 0;
        for (size_t j = 0; j < m->mode.submissions; j++) {
            const char *a = m->seen[i].source, *b = m->seen[j].source;
            count += (a && b && strcmp(a, b) == 0) ||
                     (!a && !b && m->seen[i].where && m->seen[j].where &&
                      strcmp(m->seen[i].where, m->seen[j].where) == 0);
        }
        if (count > best_count) {
            best = i;
            best_count = count;
        }
    }
    m->mode.who = xcalloc(m->mode.submissions + 1, sizeof *m->mode.who);
    for (size_t i = 0; i < m->mode.submissions; i++)
        m->mode.who[i] = xstrdup(m->seen[i].student);
    if (m->mode.submissions) {
        m->mode.where = m->seen[best].where;
        m->mode.source = m->seen[best].source;
        m->mode.example = xstrdup(m->seen[best].student);
        m->seen[best].where = m->seen[best].source = NULL;
    }
    for (size_t i = 0; i < m->mode.submissions; i++) {
        free(m->seen[i].where);
        free(m->seen[i].source);
    }
    free(m->seen);
}

static int most_first(const void *a, const void *b)
{
    const struct rl_class_mode *x = a, *y = b;
    if (x->submissions != y->submissions)
        return x->submissions < y->submissions ? 1 : -1;
    return strcmp(x->id, y->id);
}

/* The names graded: the notes' folder, else every <name>.json. */
static int list_names(const char *dir, char ***names, size_t *n)
{
    char *notes = xasprintf("%s/.racelab", dir);
    struct dirent **ents;
    int from_notes = 1;
    int k = scandir(notes, &ents, NULL, by_name);
    free(notes);
    if (k < 0) {
        from_notes = 0;
        k = scandir(dir, &ents, NULL, by_name);
        if (k < 0)
            return -1;
    }
    *names = NULL;
    *n = 0;
    for (int i = 0; i < k; i++) {
        const char *d = ents[i]->d_name;
        size_t len = strlen(d);
        int take;
        if (from_notes)
            take = d[0] != '.';
        else
            take = len > 5 && strcmp(d + len - 5, ".json") == 0 && d[0] != '.';
        if (take) {
            *names = xrealloc(*names, (*n + 1) * sizeof **names);
            (*names)[*n] = xstrdup(d);
            if (!from_notes)
                (*names)[*n][len - 5] = '\0';
            (*n)++;
        }
        free(ents[i]);
    }
    free(ents);
    return 0;
}

/* A student's grade JSON and note into s; its findings into modes. */
static void load_student(struct rl_class *c, const char *dir,
                         struct rl_class_student *s, struct mode_acc **modes,
                         size_t *nmodes)
{
    char *note_path = xasprintf("%s/.racelab/%s", dir, s->name);
    char *note = slurp(note_path, 1 << 16);
    free(note_path);
    char *status = note_value(note, "status");
    char *seconds = note_value(note, "seconds");
    char *missing = note_value(note, "missing");
    char *reason = note_value(note, "reason");
    s->seconds = seconds ? atof(seconds) : -1;

    char *path = xasprintf("%s/%s.json", dir, s->name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    free(path);
    json_t *checks = json_object_get(root, "checks");
    int rc = status ? atoi(status) : 0;
    if (!json_is_array(checks) || (status && rc != 0)) {
        s->graded = 0;
        if (reason && reason[0])
            s->why = xstrdup(reason);
        else if (status && rc != 0)
            s->why = xasprintf("racelab grade exited with status %d", rc);
        else
            s->why = xstrdup("no readable grade JSON");
    } else {
        s->graded = 1;
        if (!c->checks)
            take_checks(c, checks);
        if (!c->lab)
            c->lab = xstrdup(str_of(root, "lab"));
        s->score = (int)json_integer_value(json_object_get(root, "score"));
        s->max_score =
            (int)json_integer_value(json_object_get(root, "max_score"));
        s->check_passed = xcalloc(c->nchecks + 1, sizeof *s->check_passed);
        for (size_t i = 0; i < c->nchecks; i++) {
            s->check_passed[i] = -1;
            size_t j;
            json_t *ck;
            json_array_foreach (checks, j, ck) {
                if (strcmp(str_of(ck, "name"), c->checks[i]) != 0)
                    continue;
                s->check_passed[i] =
                    json_is_true(json_object_get(ck, "passed"));
                s->not_measured +=
                    strncmp(str_of(ck, "message"), "not measured", 12) == 0;
            }
        }
        if (missing && missing[0])
            s->why = xasprintf("handed in no %s (graded as it was)", missing);
        else if (s->not_measured)
            s->why = xasprintf("%d check(s) not measured: an environment "
                               "fault, see %s.txt",
                               s->not_measured, s->name);
        take_findings(checks, s->name, modes, nmodes);
    }
    json_decref(root);
    free(note);
    free(status);
    free(seconds);
    free(missing);
    free(reason);
}

int rl_class_load(const char *dir, struct rl_class *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    char **names;
    size_t n;
    if (list_names(dir, &names, &n) != 0) {
        snprintf(err, errlen, "cannot read the folder '%s'", dir);
        return -1;
    }
    c->students = xcalloc(n + 1, sizeof *c->students);
    c->nstudents = n;
    struct mode_acc *modes = NULL;
    size_t nmodes = 0;
    for (size_t i = 0; i < n; i++) {
        c->students[i].name = names[i];
        load_student(c, dir, &c->students[i], &modes, &nmodes);
    }
    free(names);
    c->modes = xcalloc(nmodes + 1, sizeof *c->modes);
    for (size_t i = 0; i < nmodes; i++) {
        pick_typical(&modes[i]);
        c->modes[i] = modes[i].mode;
    }
    c->nmodes = nmodes;
    free(modes);
    qsort(c->modes, c->nmodes, sizeof *c->modes, most_first);
    if (!c->lab)
        c->lab = xstrdup(base_name(dir));
    return 0;
}

void rl_class_free(struct rl_class *c)
{
    for (size_t i = 0; i < c->nchecks; i++)
        free(c->checks[i]);
    free(c->checks);
    free(c->check_max);
    for (size_t i = 0; i < c->nstudents; i++) {
        free(c->students[i].name);
        free(c->students[i].why);
        free(c->students[i].check_passed);
    }
    free(c->students);
    for (size_t i = 0; i < c->nmodes; i++) {
        free(c->modes[i].id);
        free(c->modes[i].title);
        free(c->modes[i].explanation);
        free(c->modes[i].where);
        free(c->modes[i].source);
        free(c->modes[i].example);
        for (size_t j = 0; c->modes[i].who && c->modes[i].who[j]; j++)
            free(c->modes[i].who[j]);
        free(c->modes[i].who);
    }
    free(c->modes);
    free(c->lab);
    memset(c, 0, sizeof *c);
}

size_t rl_class_graded(const struct rl_class *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nstudents; i++)
        n += c->students[i].graded;
    return n;
}

size_t rl_class_passed(const struct rl_class *c, size_t check)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nstudents; i++)
        n += c->students[i].graded && c->students[i].check_passed[check] == 1;
    return n;
}

static const struct rl_class *sort_class;
static int slower_first(const void *a, const void *b)
{
    double x = sort_class->students[*(const size_t *)a].seconds;
    double y = sort_class->students[*(const size_t *)b].seconds;
    return x < y ? 1 : x > y ? -1 : 0;
}

size_t *rl_class_slowest(const struct rl_class *c, size_t *n)
{
    size_t *idx = xcalloc(c->nstudents + 1, sizeof *idx);
    *n = 0;
    for (size_t i = 0; i < c->nstudents; i++)
        if (c->students[i].seconds >= 0)
            idx[(*n)++] = i;
    sort_class = c;
    qsort(idx, *n, sizeof *idx, slower_first);
    return idx;
}

size_t rl_class_histogram(const struct rl_class *c, size_t **counts,
                          char ***labels)
{
    int max = 0;
    for (size_t i = 0; i < c->nstudents; i++)
        if (c->students[i].graded && c->students[i].max_score > max)
            max = c->students[i].max_score;
    /* One bar per score up to 20 points, else ten bars of a tenth each. */
    size_t nbins = max <= 20 ? (size_t)max + 1 : 10;
    *counts = xcalloc(nbins, sizeof **counts);
    *labels = xcalloc(nbins, sizeof **labels);
    for (size_t b = 0; b < nbins; b++) {
        if (max <= 20)
            (*labels)[b] = xasprintf("%zu", b);
        else {
            int lo = (int)(b * max / 10), hi = (int)((b + 1) * max / 10);
            (*labels)[b] = xasprintf("%d-%d", lo, b == 9 ? max : hi - 1);
        }
    }
    for (size_t i = 0; i < c->nstudents; i++) {
        const struct rl_class_student *s = &c->students[i];
        if (!s->graded)
            continue;
        int score = s->score < 0 ? 0 : s->score > max ? max : s->score;
        size_t b = max <= 20 ? (size_t)score : (size_t)(score * 10 / max);
        if (b >= nbins)
            b = nbins - 1;
        (*counts)[b]++;
    }
    return nbins;
}
