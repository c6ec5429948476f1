// did_not_finish_pipe_read.c: a thread reads a pipe nobody writes
// EXPECT: did-not-finish
// RACELAB: --timeout 3
// The reader blocks in read() on a pipe whose write end main keeps open
// but never writes to; main waits in pthread_join for the reader.  No
// lock, semaphore or condition is involved, so no hang class applies:
// racelab must say the program did not finish and where each thread
// waits (the read() line and the pthread_join line), never "no findings".
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg)
{
    char buf[64];
    (void)arg;
    ssize_t n = read(fds[0], buf, sizeof buf); /* never returns */
    printf("read %zd bytes\n", n);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pipe(fds) != 0)
        return 1;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
    return 0;
}
