/* tsan_self_options.c: ThreadSanitizer's options for the harness's own
 * TSan build (`make tsan-self`), linked into that build only. */
/*
 * They are compiled in rather than set in TSAN_OPTIONS because racelab
 * passes its environment on to the programs it checks, whose TSan builds
 * must keep the options tool_tsan.c gives them. A report stops racelab
 * at once with exit status 66, and goes to TSAN_SELF_LOG.PID, away from
 * the output racelab captures from the programs (a report in a forked
 * child, before it execs the program, lands there too).
 */
#ifndef TSAN_SELF_LOG
#define TSAN_SELF_LOG "racelab-tsan"
#endif

const char *__tsan_default_options(void);

const char *__tsan_default_options(void)
{
    return "halt_on_error=1:exitcode=66:second_deadlock_stack=1:"
           "log_path=" TSAN_SELF_LOG;
}
