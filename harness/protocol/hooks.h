/* hooks.h: the names racelab and its hooks compiled into user programs
 * (runtime/hooks/) agree on: a signal, a thread name and a switch each.
 * Included by both sides; `make` inlines it into the bin/racelab-*-hook.c
 * copies, which are compiled with the user's sources and no -I.  Only
 * macros, so the hooks still define no global name. */
#ifndef RACELAB_PROTOCOL_HOOKS_H
#define RACELAB_PROTOCOL_HOOKS_H

#include <signal.h>

/*
 * Real-time signals far above SIGRTMIN: the kernel and libc never raise
 * one on their own; glibc keeps the two below SIGRTMIN for itself;
 * programs that use real-time signals (timers, lab exercises) take
 * SIGRTMIN or the first one or two after it, and SIGUSR1/2 are the labs'
 * own.  Each is sent to the hook's thread alone (tgkill), found by name.
 */

/* asan_leak_hook.c (ASan builds): on RL_LEAK_SIGNAL, run LSan's
 * recoverable leak check, then write the pid into the file named by
 * $RL_LEAK_MARKER_ENV (tools/tool_asan.c waits for it). */
#define RL_LEAK_SIGNAL (SIGRTMIN + 7)
#define RL_LEAK_THREAD "racelab-lsan"
#define RL_LEAK_MARKER_ENV "RACELAB_LSAN_MARKER"

/* stop_hook.c (TSan and ASan builds): with $RL_STOP_ENV set to 1, exit(0)
 * on RL_STOP_SIGNAL so the sanitizers' exit-time reports are written
 * (server/server_rounds.c, a --server run's clean stop). */
#define RL_STOP_SIGNAL (SIGRTMIN + 8)
#define RL_STOP_THREAD "racelab-stop"
#define RL_STOP_ENV "RACELAB_STOP_HOOK"

#endif
