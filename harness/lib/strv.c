/* strv.c: growing NULL-terminated string lists for argv and environment. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

void rl_strv_push(struct rl_strv *s, const char *str)
{
    if (s->n + 2 > s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = xstrdup(str);
    s->v[s->n] = NULL;
}

void rl_strv_pushf(struct rl_strv *s, const char *fmt, ...)
{
    va_list ap;
    char *str;
    va_start(ap, fmt);
    if (vasprintf(&str, fmt, ap) < 0)
        str = NULL;
    va_end(ap);
    rl_strv_push(s, str ? str : "");
    free(str);
}

void rl_strv_free(struct rl_strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
