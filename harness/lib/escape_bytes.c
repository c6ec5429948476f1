/* escape_bytes.c: bytes as C-style text (escape_bytes.h). */
#include <stdio.h>
#include <string.h>

#include "lib/escape_bytes.h"

/* One byte's text: itself, or its escape. */
static size_t escape_one(unsigned char c, char buf[5])
{
    const char *named = NULL;
    switch (c) {
    case '\0':
        named = "\\0";
        break;
    case '\r':
        named = "\\r";
        break;
    case '\n':
        named = "\\n";
        break;
    case '\t':
        named = "\\t";
        break;
    case '\\':
        named = "\\\\";
        break;
    case '"':
        named = "\\\"";
        break;
    }
    if (named) {
        strcpy(buf, named);
        return 2;
    }
    if (c < 0x20 || c >= 0x7f)
        return (size_t)snprintf(buf, 5, "\\x%02x", c);
    buf[0] = (char)c;
    buf[1] = '\0';
    return 1;
}

char *rl_escape_bytes(const char *s, size_t n, char *out, size_t outlen)
{
    static const char more[] = "...";
    size_t len = 0;
    if (outlen == 0)
        return out;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char buf[5];
        size_t k = escape_one((unsigned char)s[i], buf);
        /* Room for this byte, and for "..." should more follow. */
        size_t need = k + (i + 1 < n ? sizeof more - 1 : 0);
        if (len + need + 1 > outlen) {
            if (len + sizeof more <= outlen)
                memcpy(out + len, more, sizeof more);
            return out;
        }
        memcpy(out + len, buf, k);
        len += k;
        out[len] = '\0';
    }
    return out;
}
