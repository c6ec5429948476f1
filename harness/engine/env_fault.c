/* env_fault.c: reads the RACELAB_FAULT test hook (env_fault.h). */
#include "engine/env_fault.h"

#include <stdlib.h>
#include <string.h>

int rl_env_fault(const char *name)
{
    const char *s = getenv("RACELAB_FAULT");
    size_t n = strlen(name);
    while (s && *s) {
        size_t len = strcspn(s, ",");
        if (len == n && strncmp(s, name, n) == 0)
            return 1;
        s += len;
        s += *s == ',';
    }
    return 0;
}

int rl_env_fault_any(void)
{
    const char *s = getenv("RACELAB_FAULT");
    return s && *s;
}
