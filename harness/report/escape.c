/* escape.c: program output made safe for a terminal report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "report/escape.h"

struct out {
    char *p;
    size_t n, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        o->cap = 2 * (o->n + n + 1);
        o->p = xrealloc(o->p, o->cap);
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static void put_hex(struct out *o, unsigned char c)
{
    char buf[8];
    snprintf(buf, sizeof buf, "\\x%02x", c);
    put(o, buf, strlen(buf));
}

/* The length of the UTF-8 sequence at s (1 to 4), or 0 when invalid. */
static size_t utf8_length(const unsigned char *s, unsigned *cp)
{
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    unsigned v = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* C1 controls act like ESC sequences on some terminals; the direction
 * overrides reorder what a line appears to say. */
static int hidden_code_point(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

char *rl_escape_text(const char *text, size_t cap)
{
    struct out o = {0};
    put(&o, "", 0);
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t len = strlen((const char *)s), i = 0;
    while (i < len && i < cap) {
        unsigned char c = s[i];
        unsigned cp = 0;
        size_t n;
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
            put(&o, (const char *)&s[i++], 1);
        } else if (c == '\r') {
            put(&o, "\\r", 2);
            i++;
        } else if (c < 0x80) {
            put_hex(&o, c); /* ESC is \x1b, DEL \x7f */
            i++;
        } else if ((n = utf8_length(&s[i], &cp)) == 0) {
            put_hex(&o, c);
            i++;
        } else if (hidden_code_point(cp)) {
            char buf[16];
            snprintf(buf, sizeof buf, "\\u%04x", cp);
            put(&o, buf, strlen(buf));
            i += n;
        } else {
            put(&o, (const char *)&s[i], n);
            i += n;
        }
    }
    if (i < len) {
        char buf[64];
        snprintf(buf, sizeof buf, "... (%zu more bytes dropped)", len - i);
        put(&o, buf, strlen(buf));
    }
    return o.p;
}
