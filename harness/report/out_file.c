/* out_file.c: an emitter's output file or standard output. */
#include <string.h>

#include "report/out_file.h"

FILE *rl_out_open(const char *path)
{
    return strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
}

int rl_out_close(FILE *out, const char *path, char *err, size_t errlen)
{
    int failed = ferror(out) || fflush(out) != 0;
    if (out != stdout)
        failed |= fclose(out) != 0;
    if (failed)
        snprintf(err, errlen, "cannot write '%s'", path);
    return failed ? -1 : 0;
}
