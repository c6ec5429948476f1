// ok_fd_by_value.c: descriptors passed to threads by value
// EXPECT: none
// The descriptor travels inside the pointer argument, (void *)(intptr_t)fd,
// so each thread gets its own copy at creation time and nothing is shared:
// unlike passing &fd of a loop variable, main cannot overwrite it.  Each
// thread closes its own end; main closes the other ends after the join.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNS 3

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg; /* a copy: no one else writes it */
    char c;

    if (read(fd, &c, 1) == 1 && write(fd, &c, 1) != 1)
        perror("write");
    close(fd);
    return NULL;
}

int main(void)
{
    int sv[CONNS][2];
    pthread_t t[CONNS];
    char c;

    for (int i = 0; i < CONNS; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) < 0)
            return 1;
        pthread_create(&t[i], NULL, serve, (void *)(intptr_t)sv[i][1]);
    }
    for (int i = 0; i < CONNS; i++) {
        if (write(sv[i][0], "x", 1) != 1 || read(sv[i][0], &c, 1) != 1)
            return 1;
    }
    for (int i = 0; i < CONNS; i++) {
        pthread_join(t[i], NULL);
        close(sv[i][0]);
    }
    printf("DONE\n");
    return 0;
}
