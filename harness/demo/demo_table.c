/* demo_table.c: the lecture's demos, each built on a lab's or the corpus's
 * own programs (never a copy).  Every act runs the real racelab on them,
 * so what the hall sees is what racelab sees; the last act of each demo
 * is what `racelab check` says about the fixed program. */
#include <string.h>

#include "demo/demo.h"
#include "demo/demo_acts.h"

#define RL "racelab", "check"

#define CSAPP "labs/common/csapp.c"
#define LAB_INC "-I", "labs/common"

const struct rl_demo rl_demos[] = {
    {"iterative-blocking",
     "an iterative server: one idle client blocks the next",
     {{"Act 1: one client at a time",
       "The server accepts client 1 and waits for its line.\n"
       "Client 2 connects: the kernel completes it and queues it.\n"
       "Client 2 writes: the kernel buffers the bytes.\n"
       "Client 2 reads: nobody answers.",
       {"solutions/01-iterative/echoserver.c", CSAPP},
       demo_live_blocking},
      {"Act 2: a process per client",
       "The same two clients.\n"
       "Each client gets its own child: client 2 is answered at once.",
       {"solutions/02-process/echoserver.c", CSAPP},
       demo_live_blocking},
      {"Act 3: what racelab check says",
       "",
       {RL, "--server", "--tools", "probe",
        "solutions/01-iterative/echoserver.c", CSAPP, LAB_INC}}}},
    {"zombies",
     "a forking server that never reaps its children",
     {{"Act 1: no SIGCHLD handler",
       "Every child that exits stays <defunct>\n"
       "until its parent waits for it.",
       {"labs/02-process/echoserver.c", CSAPP},
       demo_live_zombies},
      {"Act 2: an if in the handler",
       "Signals do not queue:\n"
       "a burst of exits is one pending SIGCHLD.\n"
       "(racelab freezes the server during each burst,\n"
       " so every exit lands in one signal, every time.)\n"
       "One child reaped per burst, the rest stay.",
       {"tests/labs/02-process/if-reaper/echoserver.c", CSAPP},
       demo_live_zombies},
      {"Act 3: a while in the handler",
       "while (waitpid(-1, NULL, WNOHANG) > 0): until none is left.",
       {"solutions/02-process/echoserver.c", CSAPP},
       demo_live_zombies},
      {"Act 4: what racelab check says (the if handler)",
       "",
       {RL, "--server", "--tools", "probe",
        "tests/labs/02-process/if-reaper/echoserver.c", CSAPP, LAB_INC}}}},
    {"event-blocking",
     "a select server stalled by half a line",
     {{"Act 1: the naive select loop",
       "Client 1 sends half a line.\n"
       "The loop reads until the newline: everyone waits.",
       {"labs/03-events/echoserver.c", CSAPP},
       demo_live_half_line},
      {"Act 2: a buffer per client",
       "Read what is there, keep it, go back to select.",
       {"solutions/03-events/echoserver.c", CSAPP},
       demo_live_half_line},
      {"Act 3: what racelab check says (the naive loop)",
       "",
       {RL, "--server", "--tools", "probe", "labs/03-events/echoserver.c",
        CSAPP, LAB_INC}}}},
    {"connfd-race",
     "two threads serve one descriptor",
     {{"Act 1: &connfd to the thread",
       "Main accepts the next client\n"
       "before the thread has read connfd.\n"
       "(racelab's probe holds each new thread\n"
       " until main's next accept: the race on cue.)",
       {"tests/labs/04-threads/connfd-pointer/echoserver.c", CSAPP},
       demo_live_connfd},
      {"Act 2: a malloc'd copy",
       "Each thread gets its own int. The same probe, the same clients.",
       {"solutions/04-threads/echoserver.c", CSAPP},
       demo_live_connfd},
      {"Act 3: what racelab check says (&connfd)",
       "",
       {RL, "--server", "--tools", "probe",
        "tests/labs/04-threads/connfd-pointer/echoserver.c", CSAPP, LAB_INC}}}},
    {"thread-leak",
     "joinable threads nobody joins keep their stacks",
     {{"Act 1: never detached",
       "Each client's thread ends, and leaves its stack mapped.",
       {"tests/labs/04-threads/never-detached/echoserver.c", CSAPP},
       demo_live_stacks},
      {"Act 2: pthread_detach",
       "The stack goes back when the thread ends (and is reused).",
       {"solutions/04-threads/echoserver.c", CSAPP},
       demo_live_stacks},
      {"Act 3: what racelab check says (never detached)",
       "",
       {RL, "--server", "--tools", "probe",
        "tests/labs/04-threads/never-detached/echoserver.c", CSAPP, LAB_INC}}}},
    {"lost-update",
     "cnt++ is load, add, store",
     {{"Act 1: seed 7, an interleaving that works",
       "racelab's scheduler runs one thread at a time,\n"
       "and the seed decides every switch.\n"
       "Two threads add 2 each: cnt should end at 4.",
       {RL, "--seed", "7", "--trace", "tests/sched/lost_update.c"}},
      {"Act 2: seed 8, an update lost",
       "T1 reads cnt, T2 runs, T1 stores its stale value.\n"
       "main prints (reads) the total: 2, not 4.",
       {RL, "--seed", "8", "--trace", "tests/sched/lost_update.c"}},
      {"Act 3: seed by seed",
       "Each seed is one interleaving; each run prints its total.",
       {"tests/sched/lost_update.c"},
       demo_live_seeds},
      {"Act 4: what racelab check says",
       "",
       {RL, "--schedules", "20", "tests/sched/lost_update.c"}},
      {"Act 5: a mutex around cnt++",
       "The same 20 seeds: none loses an update.",
       {RL, "--schedules", "20", "tests/sched/lost_update_ok.c"}}},
     /* Seed 7 works: the lecturer makes it lose by hand. */
     {RL, "--seed", "7", "--step", "tests/sched/lost_update.c"},
     2},
    {"deadlock",
     "two transfers lock two accounts in opposite orders",
     {{"Act 1: opposite orders (lab 08's starter)",
       "Clerk 1 moves money 0 -> 1, clerk 2 moves 1 -> 0, at once.\n"
       "Each holds one account's lock and waits for the other's.",
       {"labs/08-deadlock/demo.c", "labs/08-deadlock/bank.c"},
       demo_live_deadlock},
      {"Act 2: one lock order",
       "Lock the lower-numbered account first.",
       {"labs/08-deadlock/demo.c", "solutions/08-deadlock/bank.c"},
       demo_live_finish},
      {"Act 3: what racelab check says (the starter)",
       "",
       {RL, "--tools", "probe", "labs/08-deadlock/demo.c",
        "labs/08-deadlock/bank.c", "-I", "labs/sync-common"}}}},
    {"livelock",
     "polite trylock threads: busy, and no progress",
     {{"Act 1: both back off, both retry",
       "Each takes its first lock, tries the other, gives up, retries.\n"
       "Watch the CPU time and the counters.",
       {"tests/cases/livelock_trylock.c"},
       demo_live_livelock},
      {"Act 2: what racelab check says",
       "",
       {RL, "--tools", "probe", "tests/cases/livelock_trylock.c"}},
      {"Act 3: a trylock that stops once the holder is done",
       "One lock, a holder that really finishes its work.",
       {"tests/cases/ok_trylock_retry.c"},
       demo_live_finish},
      {"Act 4: what racelab check says about it",
       "",
       {RL, "--tools", "probe", "tests/cases/ok_trylock_retry.c"}}}},
    {"starvation",
     "readers keep overlapping while a writer waits",
     {{"Act 1: a readers-preferring lock",
       "There is always a reader inside.\n"
       "The writer waits, and waits.",
       {"tests/cases/starvation_rwlock_readers.c"},
       demo_live_starvation},
      {"Act 2: what racelab check says",
       "",
       {RL, "--tools", "probe", "tests/cases/starvation_rwlock_readers.c"}},
      {"Act 3: a fair lock (turns, with a condition variable)",
       "The writer gets its turns among the readers.",
       {"tests/cases/ok_cond_rwlock_fair.c"},
       demo_live_starvation},
      {"Act 4: what racelab check says about it",
       "",
       {RL, "--tools", "probe", "tests/cases/ok_cond_rwlock_fair.c"}}}},
    {"tools",
     "which tool sees which bug, and which accuses a correct program",
     {{"Act 1: the matrix, run live",
       "Three bugs, two correct programs, every tool.\n"
       "A cell is what that tool reported, raw.\n"
       "The last column is racelab's verdict.",
       {"tests/cases/race_counter.c"},
       demo_live_tools},
      {"Act 2: C11 atomics: what racelab check says",
       "Raw helgrind and drd do not know C11 atomics.\n"
       "racelab trusts TSan for races, which does.",
       {RL, "tests/cases/ok_c11_atomics.c"}}}},
};

const size_t rl_demo_count = sizeof rl_demos / sizeof *rl_demos;

const struct rl_demo *rl_demo_find(const char *name)
{
    for (size_t i = 0; i < rl_demo_count; i++)
        if (strcmp(rl_demos[i].name, name) == 0)
            return &rl_demos[i];
    return NULL;
}
