// leak_fd_pipe_thread.c: a thread talks to main through a pipe nobody closes.
// EXPECT: fd-leak
// The worker writes its answer into a pipe and main reads it, but neither
// end is ever closed.  Fix: close the write end once written and the read
// end once read.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg)
{
    int wfd = (int)(intptr_t)arg;
    int answer = 42;

    if (write(wfd, &answer, sizeof answer) != sizeof answer)
        perror("write");
    return NULL; /* the bug: wfd stays open */
}

int main(void)
{
    int fds[2], answer = 0;
    pthread_t t;

    if (pipe(fds) < 0)
        return 1;
    pthread_create(&t, NULL, worker, (void *)(intptr_t)fds[1]);
    if (read(fds[0], &answer, sizeof answer) != sizeof answer)
        perror("read");
    pthread_join(t, NULL);
    printf("answer %d\n", answer); /* the bug: fds[0] stays open too */
    return 0;
}
