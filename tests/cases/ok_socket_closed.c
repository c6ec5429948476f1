// ok_socket_closed.c: loopback TCP echo, every socket closed
// EXPECT: none
// The server thread owns the listening and the accepted socket and closes
// both; main owns the client socket and closes it.  The listening socket is
// ready before the client connects (it is listening before the thread
// starts), so the order is fixed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void *server(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    int cfd = accept(lfd, NULL, NULL);
    char c;

    if (cfd >= 0) {
        if (read(cfd, &c, 1) == 1 && write(cfd, &c, 1) != 1)
            perror("write");
        close(cfd);
    }
    close(lfd);
    return NULL;
}

int main(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int lfd, fd;
    pthread_t t;
    char c = 0;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&sa, &len))
        return 1;
    pthread_create(&t, NULL, server, (void *)(intptr_t)lfd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return 1;
    if (write(fd, "e", 1) != 1 || read(fd, &c, 1) != 1 || c != 'e')
        return 1;
    close(fd);
    pthread_join(t, NULL);
    printf("DONE\n");
    return 0;
}
