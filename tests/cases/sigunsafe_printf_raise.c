// sigunsafe_printf_raise.c: a SIGUSR1 handler calls printf.
// EXPECT: signal-unsafe-call
// printf is not async-signal-safe: if the signal arrives while the main
// program is inside stdio (or malloc), the handler corrupts its state or
// deadlocks on its lock.  The program raises the signal itself, so the
// handler runs on every run.  errno is saved and restored, so that is not a
// bug here.  Fix: set a volatile sig_atomic_t flag, or use write(2).
#include <errno.h>
#include <signal.h>
#include <stdio.h>

static void on_usr1(int sig)
{
    int saved = errno;

    printf("got signal %d\n", sig); /* the bug: stdio in a handler */
    errno = saved;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    printf("raising SIGUSR1\n");
    raise(SIGUSR1);
    printf("back in main\n");
    return 0;
}
