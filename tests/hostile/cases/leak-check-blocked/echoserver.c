/* echoserver.c: lab 04's tests/labs variant copy-never-freed (it leaks
 * the descriptor's copy per client), which first forbids ptrace to
 * itself with a seccomp filter: LeakSanitizer, which stops the threads
 * with ptrace for its check, fails, and the leak goes unseen.  It must
 * not gain the leak check's points, and must not make racelab fail. */
#include "csapp.h"
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static void forbid_ptrace(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof code / sizeof code[0], code};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    /* Every thread, racelab's leak-check thread too (TSYNC). */
    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
            &prog);
}

/*
 * echo - send every line the client sends back to it, unchanged, until
 * the client closes its end of the connection.
 */
static void echo(int connfd)
{
    char line[MAXLINE];
    ssize_t n;
    while ((n = readline(connfd, line, sizeof line)) > 0)
        if (writen(connfd, line, (size_t)n) < 0)
            break; /* The client went away: stop serving it */
}

/*
 * thread - serve the client whose descriptor is in *vargp.  Bug: the
 * block is never freed; once read, no pointer to it is left.
 */
static void *thread(void *vargp)
{
    int connfd = *(int *)vargp; /* Bug: no free(vargp) after this */
    Pthread_detach(pthread_self());
    echo(connfd);
    Close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    prctl(PR_SET_NAME, "rlhostile");
    forbid_ptrace();
    int listenfd = Open_listenfd(argv[1]);
    for (;;) {
        pthread_t tid;
        int *connfdp = Malloc(sizeof(int));
        *connfdp = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, connfdp);
    }
}
