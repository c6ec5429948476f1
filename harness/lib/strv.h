/* strv.h: growing NULL-terminated string lists (argv or environment). */
#ifndef RACELAB_STRV_H
#define RACELAB_STRV_H

#include <stddef.h>

/* v[n] is NULL whenever n > 0, so v can be passed as argv or envp. */
struct rl_strv {
    char **v;
    size_t n, cap;
};
void rl_strv_push(struct rl_strv *s, const char *str);
void rl_strv_pushf(struct rl_strv *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rl_strv_free(struct rl_strv *s);

#endif
