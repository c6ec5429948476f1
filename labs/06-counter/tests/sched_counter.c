/* sched_counter.c: lab 06 under racelab's seeded scheduler.  Two threads,
 * two increments each: small enough that the scheduler can try hundreds
 * of interleavings in a second, and every lost update shows as a wrong
 * total with the interleaving that lost it. */
#include <assert.h>

#include "counter.h"

int main(void)
{
    assert(count_locked(2, 2) == 4);
    assert(count_fast(2, 2) == 4);
    return 0;
}
