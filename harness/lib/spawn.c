/* spawn.c: run a helper program and capture its standard output. */
#include "lib/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xalloc.h"

extern char **environ;

/* posix_spawn rather than fork: the harness runs several tools at once
 * on worker threads, and a fork copies every thread's locks as they are. */
int rl_spawn_capture(char *const argv[], char **out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    size_t len = 0, cap = 65536;
    char *buf = xmalloc(cap);
    ssize_t n;
    while (rc == 0 && (n = read(fds[0], buf + len, cap - len - 1)) > 0)
        if ((len += (size_t)n) + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
    buf[len] = '\0';
    close(fds[0]);
    int st = 0;
    if (rc != 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
        WEXITSTATUS(st) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}
