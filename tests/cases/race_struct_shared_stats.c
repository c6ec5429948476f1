// race_struct_shared_stats.c: worker threads update a shared stats struct.
// EXPECT: data-race
// Each worker locks its own private mutex before touching the shared struct,
// which protects nothing: a lock guards data only if every thread takes the
// same lock.  The threads' read-modify-write updates of `hits` and `max` race.
#include <pthread.h>
#include <stdio.h>

struct stats {
    long hits;
    long max;
};

static struct stats stats; /* shared by all workers */

struct worker {
    pthread_t tid;
    pthread_mutex_t lock; /* the bug: one lock per worker, not per data */
    long id;
};

static void *work(void *arg)
{
    struct worker *w = arg;

    for (long i = 0; i < 20000; i++) {
        pthread_mutex_lock(&w->lock);
        stats.hits++;
        if (i * w->id > stats.max)
            stats.max = i * w->id;
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

int main(void)
{
    struct worker w[2];

    for (int i = 0; i < 2; i++) {
        w[i].id = i + 1;
        pthread_mutex_init(&w[i].lock, NULL);
        pthread_create(&w[i].tid, NULL, work, &w[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(w[i].tid, NULL);
        pthread_mutex_destroy(&w[i].lock);
    }
    printf("hits = %ld max = %ld\n", stats.hits, stats.max);
    return 0;
}
