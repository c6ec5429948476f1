/* failure_modes.c: the one table of failure-mode IDs: what racelab prints
 * for each, which tools it believes, and which ones explain a hang. */
#include <stddef.h>
#include <string.h>
#include "engine/failure_modes.h"
#include "engine/finding.h"

/*
 * The text is written for a student reading the report late at night: say
 * what their program did, why that is a bug, and what to change.  The
 * order is the order of the list in docs/failure-modes.md and of findings
 * in a report; IDs never change.
 *
 * A tool is authoritative for an ID only if it does not report that ID on
 * correct programs (docs/failure-modes.md, "How racelab decides"); the
 * ID's section there says which tools confirm and which cannot see it.
 * The comments below give the choices that correct programs under
 * tests/cases prove.  racelab's scheduler ("sched", docs/scheduler.md)
 * reports only seeds that broke the program, with the interleaving that
 * did it, so its findings stand alone.
 */
const struct rl_failure_mode rl_failure_modes[] = {
    {
        "data-race",
        "two threads access the same memory without synchronization",
        "Two threads used the same variable at the same time, at least one "
        "of them wrote it, and no mutex or semaphore ordered the two "
        "accesses. A statement like cnt++ is really load, add, store, so "
        "the threads' steps can interleave and one update is silently "
        "lost: the result changes from run to run.",
        "Guard every access to the shared variable with the same mutex "
        "(pthread_mutex_lock/unlock, or P and V on a semaphore initialized "
        "to 1) around the whole read-modify-write; or give each thread its "
        "own variable and combine the results after pthread_join.",
        /* Not helgrind or drd: they do not model C11 atomics and report
         * races on correct lock-free code (ok_c11_atomics.c), and helgrind
         * one inside pthread_once (ok_once_init.c), so they only confirm
         * what TSan says. */
        .authorities = {"tsan", "sched"},
    },
    {
        "connfd-race",
        "peer threads share one connfd variable",
        "The main thread passed &connfd to each new peer thread and then "
        "went back to accept. If the next client connects before the peer "
        "thread has read *vargp, accept overwrites connfd: two threads end "
        "up serving the same client, and the first client is never "
        "answered.",
        "Pass each thread its own malloc'd copy of connfd: connfdp = "
        "malloc(sizeof(int)); *connfdp = connfd; then hand connfdp to "
        "pthread_create. The thread copies *connfdp into a local variable, "
        "frees connfdp and serves the client. Never pass &connfd.",
        .authorities = {"server", "probe"},
    },
    {
        "thread-leak",
        "a thread is never joined or detached",
        "A thread that finishes keeps its stack and exit status until "
        "another thread calls pthread_join on it, unless it was detached. "
        "A server that creates a thread per client and never joins or "
        "detaches them leaks memory with every connection until "
        "pthread_create fails.",
        "If nobody needs the thread's result, call "
        "pthread_detach(pthread_self()) first thing in the thread routine; "
        "otherwise call pthread_join once on every thread you created "
        "before main returns.",
        .authorities = {"tsan", "probe"},
    },
    {
        "memory-leak",
        "memory is allocated and never freed",
        "A block from malloc (or calloc, realloc, strdup) was still "
        "allocated when the program ended, and nothing pointed to it any "
        "more, so it could never be freed. In a long-running server every "
        "connection that leaks a block adds up until the process runs out "
        "of memory.",
        "Free each block exactly once, on every path, when the last user "
        "is done with it: for example the peer thread frees its malloc'd "
        "connfd copy, and error paths free what they allocated. The "
        "locations show where the leaked block was allocated.",
        /* memcheck's leak results count only when the program exited by
         * itself (tool_memcheck.c drops them otherwise), so memcheck may
         * stand alone. */
        .authorities = {"memcheck", "asan"},
    },
    {
        "fd-leak",
        "a file descriptor is never closed",
        "A descriptor (a connected socket, a file or a pipe) stayed open "
        "after the program was done with it. A process may have only so "
        "many open descriptors (ulimit -n, often 1024), so a server that "
        "leaks one per client ends up failing in accept; and while a "
        "connfd stays open, the client never sees end-of-file.",
        "Close every descriptor on every path once you are done with it: "
        "the thread or child that serves a client closes connfd at the "
        "end. After fork, both processes hold a copy of each descriptor: "
        "the child closes listenfd and the parent closes connfd.",
        /* memcheck: as for memory-leak, its results count only when the
         * program exited by itself. */
        .authorities = {"probe", "memcheck", "server"},
    },
    {
        "zombie-children",
        "child processes exit but are never reaped",
        "When a child process ends, the kernel keeps it as a zombie (state "
        "Z in ps) until its parent reaps it with wait or waitpid and "
        "collects its exit status. A forking server that never reaps fills "
        "the process table with zombies, and fork eventually fails.",
        "Install a SIGCHLD handler (with sigaction) that reaps every "
        "finished child with while (waitpid(-1, 0, WNOHANG) > 0); keep the "
        "loop, because signals do not queue and one SIGCHLD may stand for "
        "several children. Save and restore errno in the handler.",
        .authorities = {"probe", "server"},
    },
    {
        "iterative-blocking",
        "the server serves one client at a time; the others hang",
        "An iterative server handles one client until that client leaves. "
        "A second client's connect and write still return, because the "
        "kernel queues the connection and buffers the bytes, but its read "
        "blocks until the first client is gone: one slow client holds up "
        "everyone else.",
        "Serve clients concurrently: fork a child per connection "
        "(process-based), create a thread per connection (thread-based), "
        "or watch all descriptors in one select or epoll loop and never "
        "block on a single client (event-based).",
        .authorities = {"server"},
    },
    {
        "deadlock",
        "threads wait for each other's locks forever",
        "The program hung: the threads form a cycle where each one holds a "
        "lock (or semaphore) and waits for one that the next thread holds, "
        "e.g. thread 1 holds a and waits for b while thread 2 holds b and "
        "waits for a. None of them can ever continue, so the program never "
        "finishes.",
        "Acquire locks in one fixed order in every thread (e.g. always a "
        "before b) and release them in the reverse order. The detail lines "
        "name the locks of the cycle and where each was taken.",
        .authorities = {"probe", "sched"},
        .hang = 1,
    },
    {
        "lock-order-inversion",
        "inconsistent lock order: a deadlock waiting to happen",
        "This run finished, but one thread took lock a and then b while "
        "another took b and then a. If the threads ever interleave so that "
        "each holds its first lock, both wait forever (in the progress "
        "graph, the trajectory enters the deadlock region); it did not "
        "happen this time only by luck of timing.",
        "Pick one global order for your locks and take them in that order "
        "everywhere (e.g. a before b in every thread). The detail lines "
        "show each pair of acquisitions and where it happened.",
        /* Only the probe's lock graph knows about gates: TSan and helgrind
         * both report inversions guarded by a common gate lock, which
         * cannot deadlock (ok_gate_lock.c), and helgrind reports a reverse
         * order that is only ever tried (ok_trylock_reverse_order.c). */
        .authorities = {"probe"},
    },
    {
        "livelock",
        "threads keep running but nobody makes progress",
        "The program kept the CPU busy for the whole time limit without "
        "getting anywhere. Typically threads react to each other forever: "
        "each takes one lock, finds the other lock busy "
        "(pthread_mutex_trylock fails), backs off and retries in lockstep. "
        "Nothing is blocked as in a deadlock, yet no thread finishes its "
        "work.",
        "Avoid symmetric trylock-and-retry loops: take the locks in one "
        "fixed order with blocking pthread_mutex_lock; or, if you must "
        "retry, back off for a random time so that the threads fall out of "
        "step.",
        .authorities = {"probe", "sched"},
        .hang = 1,
    },
    {
        "starvation",
        "one thread is kept waiting while others keep going",
        "One thread waited for a lock, reader-writer lock or semaphore for "
        "the whole time limit while other threads acquired it again and "
        "again or, as a group, kept it taken among themselves (the first "
        "reader in takes it, the last one out gives it back), or waited on a "
        "condition variable, was woken, found it "
        "still could not go on and waited again, while the others kept "
        "taking its mutex. Nothing is deadlocked, but access is unfair: "
        "e.g. a writer never gets a readers-favored rwlock because new "
        "readers keep arriving.",
        "Make access fair: do not re-acquire the lock in a tight loop (do "
        "the work outside the critical section), keep critical sections "
        "short, and use a scheme that gives waiters their turn (a "
        "writer-preferring readers-writers solution, or a ticket or turn "
        "variable).",
        .authorities = {"probe"},
        .hang = 1,
    },
    {
        "did-not-finish",
        "the program did not finish in time",
        "The program was still running when the time limit came, and it "
        "was not deadlocked, livelocked or starving as racelab can tell: "
        "some thread waited for something that never came (a read on a "
        "pipe or socket nobody writes to, a condition variable nobody "
        "signals, a flag nobody sets) or kept working. The detail lines "
        "show where each thread was when it was stopped.",
        "Look at where each thread was stopped: whatever it waits for must "
        "happen on every path (write to the pipe or close its write end, "
        "signal the condition after changing what it tests, set the flag); "
        "if the program is only slow, make it do less or give it more time "
        "with --timeout.",
        /* Only the probe's run is watched against the clock with the
         * table in hand; a correct program that ends in time never shows
         * it (ok_slow_but_finishes.c).  Not a hang class: it says the
         * program did not finish, not why. */
        .authorities = {"probe"},
    },
    {
        "signal-unsafe-call",
        "a signal handler calls a function that is not signal-safe",
        "A signal can arrive at any instruction, even while the main "
        "program is inside printf or malloc, holding their internal locks "
        "or half-way through updating their data. If the handler calls the "
        "same function, the program can deadlock or corrupt that data. "
        "Only async-signal-safe functions (man 7 signal-safety) may be "
        "called in a handler.",
        "Keep handlers tiny: set a volatile sig_atomic_t flag and do the "
        "real work in the main loop, or call only safe functions such as "
        "write, waitpid and _exit (print a fixed message with write, not "
        "printf).",
        .authorities = {"probe", "tsan"},
    },
    {
        "errno-clobber",
        "a signal handler changes errno without restoring it",
        "The handler called a function that sets errno (such as waitpid or "
        "write) and returned without restoring the old value. The code it "
        "interrupted may have been just about to check errno after its own "
        "failed call, and now sees the handler's value instead.",
        "Save errno on entry to the handler (int olderrno = errno;) and "
        "restore it just before every return (errno = olderrno;).",
        .authorities = {"probe", "tsan"},
    },
    {
        "use-after-free",
        "memory is used after it was freed",
        "The program read or wrote a heap block after free had given it "
        "back to the allocator. With threads this usually means one thread "
        "freed a block (such as the malloc'd connfd copy or a shared "
        "buffer) while another still used it; the memory may already "
        "belong to a new allocation, so you get garbage or a crash.",
        "Free a block only when no thread can use it any more: the thread "
        "that uses it last frees it (the peer thread frees its connfd copy "
        "after reading it), or join the threads before freeing shared "
        "data. Set the pointer to NULL after free.",
        .authorities = {"asan", "memcheck"},
    },
    {NULL},
};

const struct rl_failure_mode *rl_failure_mode_find(const char *id)
{
    if (id == NULL)
        return NULL;
    for (const struct rl_failure_mode *m = rl_failure_modes; m->id; m++)
        if (strcmp(m->id, id) == 0)
            return m;
    return NULL;
}

/* Cases of a mode with their own text; the id, authorities and hang
 * class stay the mode's (the JSON's "id" never changes). */
static const struct {
    const char *id;
    unsigned flag;
    const char *name;
    struct rl_failure_mode text;
} cases[] = {
    {
        "deadlock",
        RL_FINDING_SELF_DEADLOCK,
        "self-deadlock",
        {
            "deadlock",
            "a thread waits forever for a lock it already holds",
            "A thread locked a mutex that it was already holding (directly, "
            "or inside a function it called while holding it). A normal "
            "mutex is not recursive: the second lock waits until the mutex "
            "is released, and only this same thread could release it, so "
            "it waits for itself forever. No other thread is involved and "
            "no lock order can fix it.",
            "Do not lock a mutex you already hold: unlock it before calling "
            "the function that locks it again, or split that function into "
            "a locking wrapper and an unlocked helper the caller uses while "
            "it holds the lock (or, when re-entry is really wanted, make "
            "the mutex PTHREAD_MUTEX_RECURSIVE and unlock it as many times "
            "as you lock it). The detail lines show where the thread took "
            "the lock and where it asked for it again.",
        },
    },
    {
        "starvation",
        RL_FINDING_READER_STARVED,
        "reader-starved",
        {
            "starvation",
            "one thread is kept waiting while others keep going",
            "A reader waited for the whole time limit while writers kept "
            "getting in: each writer that arrives goes ahead of the readers "
            "already waiting, and with writers arriving all the time the "
            "readers never get their turn. Nothing is deadlocked, but the "
            "lock prefers writers so strongly that readers starve.",
            "Do not simply prefer writers: give turns. When a writer leaves, "
            "let every reader that queued while it was inside go in, all "
            "together, before the next writer (a turn counter the readers "
            "wait on); a writer that arrives then waits for those readers "
            "only, so neither side can starve the other.",
        },
    },
    {
        "livelock",
        RL_FINDING_LOCKSTEP_BARRIER,
        "lockstep-barrier",
        {
            "livelock",
            "threads keep running but nobody makes progress",
            "The program kept the CPU busy for the whole time limit without "
            "getting anywhere: each thread takes one lock, finds the other "
            "lock busy (pthread_mutex_trylock fails), gives its own lock up "
            "and tries again. A barrier the threads meet at every round puts "
            "them back in step each time, so every try fails again: nothing "
            "is blocked as in a deadlock, yet no thread finishes its work.",
            "Break the symmetry instead of retrying: take the locks in one "
            "fixed order with blocking pthread_mutex_lock (e.g. the lower "
            "numbered fork first), or let one of the threads take the other "
            "lock first. Waiting a random time before the next try does not "
            "help here: the barrier brings the threads back together at "
            "every round.",
        },
    },
};

const struct rl_failure_mode *
rl_failure_mode_explain(const char *id, unsigned flags, const char **case_name)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(id);
    if (case_name)
        *case_name = NULL;
    for (size_t i = 0; m && i < sizeof cases / sizeof *cases; i++)
        if (strcmp(cases[i].id, m->id) == 0 && (flags & cases[i].flag)) {
            if (case_name)
                *case_name = cases[i].name;
            return &cases[i].text;
        }
    return m;
}

/* Whether tool appears in the first n entries of a NULL-terminated list. */
static int named(const char *const *tools, size_t n, const char *tool)
{
    for (size_t i = 0; i < n && tools[i]; i++)
        if (strcmp(tools[i], tool) == 0)
            return 1;
    return 0;
}

int rl_failure_mode_trusts(const char *id, const char *tool)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(id);
    return m && tool && named(m->authorities, RL_MAX_AUTHORITIES, tool);
}

int rl_failure_mode_is_hang(const char *id)
{
    const struct rl_failure_mode *m = rl_failure_mode_find(id);
    return m && m->hang;
}
