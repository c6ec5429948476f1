/* clock.h: the monotonic clock and short sleeps, for timeouts and polls. */
#ifndef RACELAB_CLOCK_H
#define RACELAB_CLOCK_H

#include <stdint.h>

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double rl_now(void);
/* The same clock in nanoseconds, for samples compared across processes. */
uint64_t rl_now_ns(void);
/* Sleeps ms milliseconds, the whole time even when a signal comes. */
void rl_sleep_ms(int ms);

#endif
