/* user_wrapper.c: which functions are the program's own wrappers. */
#include "lib/user_wrapper.h"

#include <string.h>
#include <strings.h>

int rl_is_user_wrapper(const char *fn, int families)
{
    static const char *const memory[] = {"malloc", "calloc", "realloc", "free",
                                         NULL};
    if (!fn)
        return 0;
    if ((families & RL_WRAPS_SYNC) &&
        (strcmp(fn, "P") == 0 || strcmp(fn, "V") == 0 ||
         strncasecmp(fn, "pthread_", 8) == 0 ||
         strncasecmp(fn, "sem_", 4) == 0))
        return 1;
    for (int i = 0; (families & RL_WRAPS_MEMORY) && memory[i]; i++)
        if (strcasecmp(fn, memory[i]) == 0)
            return 1;
    return 0;
}

int rl_wraps_call(const char *fn, const char *call)
{
    return fn && strcasecmp(fn, call) == 0 && strcmp(fn, call) != 0;
}
