/* sources.c: the user's source files, and how tool frames map onto them. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sources.h"
#include "lib/xalloc.h"

int rl_sources_init(struct rl_sources *s, char *const paths[], size_t n,
                    char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (n > RL_MAX_SOURCES) {
        snprintf(err, errlen, "too many source files (at most %d)",
                 RL_MAX_SOURCES);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char *abs = realpath(paths[i], NULL);
        if (!abs) {
            snprintf(err, errlen, "cannot open '%s'", paths[i]);
            rl_sources_free(s);
            return -1;
        }
        s->given[s->n] = xstrdup(paths[i]);
        s->absolute[s->n] = abs;
        s->n++;
    }
    return 0;
}

void rl_sources_remap(struct rl_sources *s, const char *from, const char *to)
{
    free(s->remap_from);
    free(s->remap_to);
    s->remap_from = from ? xstrdup(from) : NULL;
    s->remap_to = to ? xstrdup(to) : NULL;
}

void rl_sources_free(struct rl_sources *s)
{
    rl_sources_remap(s, NULL, NULL);
    for (size_t i = 0; i < s->n; i++) {
        free(s->given[i]);
        free(s->absolute[i]);
    }
    s->n = 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A relative path that does not resolve from here (tools sometimes print
 * names relative to the build folder) matches by its basename, but only
 * when exactly one user file has that basename. */
static const char *match_by_basename(const struct rl_sources *s,
                                     const char *path)
{
    const char *found = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(base_name(s->absolute[i]), base_name(path)) != 0)
            continue;
        if (found)
            return NULL;
        found = s->given[i];
    }
    return found;
}

static const char *match_path(const struct rl_sources *s, const char *path);

const char *rl_sources_match(const struct rl_sources *s, const char *path)
{
    if (!path || !*path)
        return NULL;
    size_t n = s->remap_from ? strlen(s->remap_from) : 0;
    if (n && strncmp(path, s->remap_from, n) == 0 &&
        (path[n] == '/' || path[n] == '\0')) {
        char moved[PATH_MAX];
        snprintf(moved, sizeof moved, "%s%s", s->remap_to, path + n);
        return match_path(s, moved);
    }
    return match_path(s, path);
}

static const char *match_path(const struct rl_sources *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(path, s->given[i]) == 0 || strcmp(path, s->absolute[i]) == 0)
            return s->given[i];
    char resolved[PATH_MAX];
    if (realpath(path, resolved)) {
        for (size_t i = 0; i < s->n; i++)
            if (strcmp(resolved, s->absolute[i]) == 0)
                return s->given[i];
        return NULL;
    }
    return path[0] == '/' ? NULL : match_by_basename(s, path);
}

const char *rl_sources_line(const struct rl_sources *s, const char *given,
                            int line)
{
    static _Thread_local char text[512]; /* tools run on worker threads */
    text[0] = '\0';
    const char *path = NULL;
    for (size_t i = 0; i < s->n && !path; i++)
        if (strcmp(given, s->given[i]) == 0)
            path = s->absolute[i];
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return text;
    char buf[4096];
    for (int n = 1; fgets(buf, sizeof buf, f); n++) {
        /* A line longer than buf continues in the next read. */
        int complete = strchr(buf, '\n') != NULL;
        if (n == line) {
            char *start = buf + strspn(buf, " \t");
            start[strcspn(start, "\r\n")] = '\0';
            snprintf(text, sizeof text, "%s", start);
            break;
        }
        if (!complete)
            n--;
    }
    fclose(f);
    return text;
}
