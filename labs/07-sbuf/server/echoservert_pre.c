/* echoservert_pre.c: lab 07, a prethreaded echo server: main accepts,
 * a fixed pool of workers serves the descriptors it puts in an sbuf.
 * Usage: echoservert_pre PORT */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../sbuf.h"
#include "../../sync-common/sync.h"

#define NTHREADS 4
#define SBUFSIZE 16

static sbuf_t sbuf; /* shared buffer of connected descriptors */

/* A listening socket on port, or -1. */
static int open_listenfd(int port)
{
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(fd, 64) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Echoes every byte the client sends until it closes the connection. */
static void echo(int connfd)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(connfd, buf, sizeof buf)) > 0)
        if (write(connfd, buf, n) != n)
            break;
}

static void *worker(void *vargp)
{
    Pthread_detach(pthread_self()); /* runs until the server is stopped */
    for (;;) {
        int connfd = sbuf_remove(&sbuf); /* Remove connfd from buffer */
        echo(connfd);                    /* Service client */
        close(connfd);
    }
    return NULL; /* not reached */
}

int main(int argc, char **argv)
{
    pthread_t tid;
    int listenfd;

    if (argc != 2) {
        fprintf(stderr, "usage: %s port\n", argv[0]);
        return 2;
    }
    listenfd = open_listenfd(atoi(argv[1]));
    if (listenfd < 0)
        unix_error("cannot listen");
    sbuf_init(&sbuf, SBUFSIZE);
    for (int i = 0; i < NTHREADS; i++) /* Create worker threads */
        Pthread_create(&tid, NULL, worker, NULL);
    for (;;) {
        int connfd = accept(listenfd, NULL, NULL);
        if (connfd < 0)
            continue;
        sbuf_insert(&sbuf, connfd); /* Insert connfd in buffer */
    }
}
