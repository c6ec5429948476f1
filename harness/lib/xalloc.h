/* xalloc.h: allocation that ends racelab with status 3 when memory runs out. */
#ifndef RACELAB_XALLOC_H
#define RACELAB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
