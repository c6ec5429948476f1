// ok_fork_reap.c: a parent forks workers and reaps every one with waitpid.
// EXPECT: none
// Each child exits at once; the parent waits for each pid it created, so no
// child is left as a zombie.
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 3

int main(void)
{
    pid_t pids[CHILDREN];
    int status, failed = 0;

    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            return 1;
        if (pids[i] == 0)
            _exit(i);
    }
    for (int i = 0; i < CHILDREN; i++) {
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != i)
            failed = 1;
    }
    if (failed)
        return 1;
    printf("DONE\n");
    return 0;
}
