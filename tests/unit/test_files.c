/* test_files.c: small file helpers the unit suites share. */
#include <stdio.h>

#include "test_files.h"

char *test_read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(mem);
    fclose(f);
    return buf;
}
