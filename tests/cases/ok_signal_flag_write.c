// ok_signal_flag_write.c: a handler that only sets a flag and writes
// EXPECT: none
// write() and assignment to a volatile sig_atomic_t are async-signal-safe,
// and the handler saves and restores errno around write, so the code it
// interrupts sees errno unchanged.  Main does the real work (printf) after
// it sees the flag.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
    int saved = errno;
    static const char msg[] = "signal\n";

    got_usr1 = 1;
    if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
        got_usr1 = 2;
    errno = saved;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    fflush(stdout);
    raise(SIGUSR1);
    if (!got_usr1)
        return 1;
    printf("DONE\n");
    return 0;
}
