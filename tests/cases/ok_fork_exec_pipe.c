// ok_fork_exec_pipe.c: read a command's output through a pipe, popen-style
// EXPECT: none
// The child points its stdout at the pipe and closes both original ends
// before exec; the parent closes the write end at once (so it sees EOF),
// reads, closes the read end and waits for the child.  No descriptor and
// no child is left behind.
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char buf[64];
    size_t got = 0;
    ssize_t n;
    int fds[2], status;
    pid_t pid;

    if (pipe(fds) < 0)
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/echo", "echo", "hello", (char *)NULL);
        _exit(127);
    }
    close(fds[1]); /* or read() would never see end of file */
    while (got < sizeof buf - 1 &&
           (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    buf[got] = '\0';
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || strcmp(buf, "hello\n") != 0)
        return 1;
    printf("DONE\n");
    return 0;
}
