// ok_fork_exec_wait.c: run a command per request and wait for each child.
// EXPECT: none
// Every fork is followed by waitpid for that pid, so no zombie is left, and
// the child closes nothing it did not open (exec replaces it).
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_true(void)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
    for (int request = 0; request < 3; request++)
        if (run_true() != 0)
            return 1;
    printf("DONE\n");
    return 0;
}
