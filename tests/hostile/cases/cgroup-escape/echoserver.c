/* echoserver.c: lab 01 starter with a child that moves itself to the
 * root cgroup (out of racelab's pids and memory limits), leaves the
 * session and waits for ever. */
#include "csapp.h"
#include <sys/prctl.h>

/* As the starter: echo() does nothing, each client is closed. */
static void echo(int connfd)
{
    (void)connfd;
}

static void serve(const char *port)
{
    int listenfd = Open_listenfd((char *)port);
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int connfd = Accept(listenfd, (SA *)&addr, &len);
        echo(connfd);
        Close(connfd);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    /* The survivor check of check_hostile.c looks for this name. */
    prctl(PR_SET_NAME, "rlhostile");
    if (fork() == 0) {
        char pid[32];
        snprintf(pid, sizeof pid, "%d\n", (int)getpid());
        const char *procs[] = {"/sys/fs/cgroup/cgroup.procs",
                               "/sys/fs/cgroup/pids/cgroup.procs",
                               "/sys/fs/cgroup/memory/cgroup.procs"};
        for (int i = 0; i < 3; i++) {
            FILE *f = fopen(procs[i], "w");
            if (f) {
                fputs(pid, f);
                fclose(f);
            }
        }
        setsid();
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    serve(argv[1]);
}
