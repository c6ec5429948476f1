// leak_fd_socket.c: sockets opened in a loop and never closed.
// EXPECT: fd-leak
// Each "probe" creates a UDP socket, binds it to an ephemeral loopback port
// to learn the port number, and forgets the descriptor.  Fix: close(s).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (s < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) < 0)
        return -1;
    return ntohs(sa.sin_port); /* the bug: s is never closed */
}

int main(void)
{
    for (int i = 0; i < 2; i++)
        printf("free port %d\n", free_port() > 0);
    return 0;
}
