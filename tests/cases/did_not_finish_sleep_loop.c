// did_not_finish_sleep_loop.c: a polling loop whose condition never comes
// EXPECT: did-not-finish
// RACELAB: --timeout 3
// main polls a flag every 50 ms that no thread ever sets: the program
// sleeps forever, using no CPU and no lock.  Not a deadlock, livelock or
// starvation, but it did not finish: racelab must say so, with main's
// sleep line, and exit 1.
#include <stdio.h>
#include <unistd.h>

static volatile int done;

int main(void)
{
    while (!done)
        usleep(50 * 1000);
    puts("done");
    return 0;
}
