/* html_outline.c: the outline of a class report page, for the tests of
 * `make grade SUBMISSIONS=` (tests/class/grade-class.sh) to assert on.
 *
 *   html-outline FILE
 *
 * Parses FILE with expat (class.html is written as well-formed XML, so
 * that a strict parser can read it) and prints, for every element, its
 * attributes as   A <path>@<name>\t<value>   and, at its end,
 *                 E <path>\t<text>
 * where path is the element names from the root, each with its id if it
 * has one ("html/body/table#checks/tr/td")
 * and text all the character data inside it, whitespace collapsed.  What
 * a page shows as text is what the parser saw as character data: a
 * student's "<script>" that came out as an element would show in a path.
 * Exit status: 0, 1 not well-formed (the parser's error on stderr), 2
 * usage or unreadable file. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

struct open_element {
    char *path;
    char *text;
    size_t len;
};

struct outline {
    struct open_element stack[MAX_DEPTH];
    int depth;
    int too_deep;
};

static void append(struct open_element *e, const char *s, size_t n)
{
    e->text = realloc(e->text, e->len + n + 1);
    if (!e->text) {
        perror("html-outline");
        exit(2);
    }
    memcpy(e->text + e->len, s, n);
    e->len += n;
    e->text[e->len] = '\0';
}

/* Runs of spaces, tabs and newlines as one space, none at the ends. */
static void print_collapsed(const char *s)
{
    int space = 0, any = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = any;
            continue;
        }
        if (space)
            putchar(' ');
        putchar(*s);
        space = 0;
        any = 1;
    }
}

static void XMLCALL on_start(void *data, const XML_Char *name,
                             const XML_Char **attrs)
{
    struct outline *o = data;
    if (o->depth == MAX_DEPTH) {
        o->too_deep = 1;
        return;
    }
    const char *parent = o->depth ? o->stack[o->depth - 1].path : NULL;
    const char *id = "";
    for (size_t i = 0; attrs[i]; i += 2)
        if (strcmp(attrs[i], "id") == 0)
            id = attrs[i + 1];
    size_t n =
        (parent ? strlen(parent) + 1 : 0) + strlen(name) + 1 + strlen(id) + 1;
    struct open_element *e = &o->stack[o->depth++];
    e->path = malloc(n);
    if (!e->path) {
        perror("html-outline");
        exit(2);
    }
    snprintf(e->path, n, "%s%s%s%s%s", parent ? parent : "", parent ? "/" : "",
             name, id[0] ? "#" : "", id);
    e->text = NULL;
    e->len = 0;
    append(e, "", 0);
    for (size_t i = 0; attrs[i]; i += 2) {
        printf("A %s@%s\t", e->path, attrs[i]);
        print_collapsed(attrs[i + 1]);
        putchar('\n');
    }
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct outline *o = data;
    if (o->too_deep || o->depth == 0)
        return;
    struct open_element *e = &o->stack[--o->depth];
    printf("E %s\t", e->path);
    print_collapsed(e->text);
    putchar('\n');
    /* A parent's text holds its children's, separated as a browser
     * would lay out cells and lines: by a space. */
    if (o->depth) {
        append(&o->stack[o->depth - 1], " ", 1);
        append(&o->stack[o->depth - 1], e->text, e->len);
        append(&o->stack[o->depth - 1], " ", 1);
    }
    free(e->path);
    free(e->text);
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct outline *o = data;
    if (o->depth && !o->too_deep)
        append(&o->stack[o->depth - 1], s, (size_t)len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: html-outline FILE\n", stderr);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    struct outline o = {.depth = 0};
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &o);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    char buf[8192];
    int status = 0;
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        int last = n < sizeof buf;
        if (XML_Parse(p, buf, (int)n, last) == XML_STATUS_ERROR) {
            fprintf(stderr, "%s:%lu: not well-formed: %s\n", argv[1],
                    (unsigned long)XML_GetCurrentLineNumber(p),
                    XML_ErrorString(XML_GetErrorCode(p)));
            status = 1;
            break;
        }
        if (last)
            break;
    }
    if (o.too_deep) {
        fprintf(stderr, "%s: nested deeper than %d elements\n", argv[1],
                MAX_DEPTH);
        status = 1;
    }
    XML_ParserFree(p);
    fclose(f);
    return status;
}
