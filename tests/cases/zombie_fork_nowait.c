// zombie_fork_nowait.c: a parent forks workers and never waits for them.
// EXPECT: zombie-children
// The children exit at once, but the parent never calls wait/waitpid, so
// they stay in the process table as zombies (state Z) while it sleeps.
// Fix: waitpid() each child, or reap them from a SIGCHLD handler.
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();

        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            _exit(0); /* the child's work is done */
    }
    sleep(1); /* the bug: three zombies sit here, never reaped */
    printf("parent done\n");
    return 0;
}
