// leak_memory_lost_buffer.c: a helper returns a heap string that nobody frees.
// EXPECT: memory-leak
// make_greeting() allocates with malloc and the caller overwrites its only
// pointer, so each call leaks the buffer.  Fix: free() the string once used.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *make_greeting(const char *name)
{
    char *s = malloc(strlen(name) + 8);

    if (s == NULL)
        exit(1);
    sprintf(s, "hello, %s", name);
    return s;
}

int main(void)
{
    const char *names[] = {"ada", "alan", "grace"};
    char *greeting;

    for (int i = 0; i < 3; i++) {
        greeting = make_greeting(names[i]); /* the previous one is lost */
        puts(greeting);
    }
    greeting = NULL; /* the last one too */
    return 0;
}
