/* demo_screen.c: the projector's text.  Everything is flushed as it is
 * written: the hall sees each step the moment it happens. */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "demo/demo_screen.h"

void demo_header(struct demo_screen *s, const char *title)
{
    if (!s->no_pause && isatty(fileno(s->out)))
        fputs("\033[H\033[2J", s->out);
    fprintf(s->out,
            "\n\n==============================\n  %s\n"
            "==============================\n\n",
            title);
    fflush(s->out);
}

void demo_say(struct demo_screen *s, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(s->out, "  %.*s\n\n", (int)n, p);
        p += n + (nl != NULL);
    }
    fflush(s->out);
}

static void vline(struct demo_screen *s, const char *lead, const char *fmt,
                  va_list ap)
{
    fputs(lead, s->out);
    vfprintf(s->out, fmt, ap);
    fputc('\n', s->out);
    fflush(s->out);
}

void demo_cmd(struct demo_screen *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(s, "\n  $ ", fmt, ap);
    va_end(ap);
}

void demo_line(struct demo_screen *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(s, "      ", fmt, ap);
    va_end(ap);
}

void demo_point(struct demo_screen *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(s, "\n  >> ", fmt, ap);
    va_end(ap);
}

void demo_pause(struct demo_screen *s)
{
    if (s->no_pause)
        return;
    fputs("\n  [Enter]", s->out);
    fflush(s->out);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
}
