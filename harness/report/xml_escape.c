/* xml_escape.c: text as XML 1.0 character data or attribute values. */
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"
#include "report/xml_escape.h"

void rl_xml_write(FILE *out, const char *s, int attribute)
{
    /* No cap: whoever calls this has already cut the text to size. */
    if (s)
        rl_xml_write_capped(out, s, attribute, strlen(s) + 1);
}

void rl_xml_write_capped(FILE *out, const char *s, int attribute, size_t cap)
{
    if (!s)
        return;
    char *safe = rl_escape_text(s, cap);
    for (const unsigned char *p = (const unsigned char *)safe; *p; p++) {
        if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
            fputs(p[2] == 0xbe ? "\\ufffe" : "\\uffff", out);
            p += 2;
            continue;
        }
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        case '\n':
            fputs(attribute ? "&#10;" : "\n", out);
            break;
        case '\t':
            fputs(attribute ? "&#9;" : "\t", out);
            break;
        default:
            fputc(*p, out);
        }
    }
    free(safe);
}
