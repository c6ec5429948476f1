// zombie_spawn_loop.c: a child per request, never waited for
// EXPECT: zombie-children
// Every 100 ms the loop forks and execs /bin/true, never calling waitpid, so
// each finished child becomes a zombie and the pile grows while the server
// runs.  Fix: waitpid(pid, ...) after the fork, or reap with SIGCHLD.
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

int main(void)
{
    for (int request = 0; request < 15; request++) {
        pid_t pid = fork();

        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        usleep(100000); /* the bug: the child is never waited for */
    }
    printf("served\n");
    return 0;
}
