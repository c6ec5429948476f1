/* echoserver.c: lab 04 variant, a pool of descriptor slots, each one
 * reused only once its thread has given it back (correct). */
#include <semaphore.h>

#include "csapp.h"

#define NSLOTS 8

static int slots[NSLOTS];       /* one client's descriptor each */
static int in_use[NSLOTS];      /* guarded by pool_lock */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t free_slots;        /* how many slots are not in use */

/* take_slot - a slot no thread is using (waits until there is one). */
static int *take_slot(void)
{
    while (sem_wait(&free_slots) < 0)
        if (errno != EINTR)
            unix_error("sem_wait");
    pthread_mutex_lock(&pool_lock);
    int i = 0;
    while (in_use[i])
        i++;
    in_use[i] = 1;
    pthread_mutex_unlock(&pool_lock);
    return &slots[i];
}

/* give_back - the thread is done with its slot. */
static void give_back(int *slot)
{
    pthread_mutex_lock(&pool_lock);
    in_use[slot - slots] = 0;
    pthread_mutex_unlock(&pool_lock);
    sem_post(&free_slots);
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

/* thread - serve the client in the slot vargp points to. */
static void *thread(void *vargp)
{
    int *slot = vargp; /* Ours until we give it back */
    Pthread_detach(pthread_self());
    echo(*slot);
    Close(*slot);
    give_back(slot);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        exit(2);
    }
    int listenfd = Open_listenfd(argv[1]);
    if (sem_init(&free_slots, 0, NSLOTS) < 0)
        unix_error("sem_init");
    for (;;) {
        pthread_t tid;
        int *slot = take_slot();
        *slot = Accept(listenfd, NULL, NULL);
        Pthread_create(&tid, NULL, thread, slot);
    }
}
