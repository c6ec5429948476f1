/* program_end.c: how a program ended, in words (program_end.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lib/escape_bytes.h"
#include "lib/program_end.h"

const char *rl_signal_name(int sig, char *buf, size_t len)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, len, "SIG%s", abbrev);
    else
        snprintf(buf, len, "signal %d", sig);
    return buf;
}

/* Where the last `lines` lines of text begin (a final newline ignored). */
static size_t tail_start(const char *text, size_t len, int lines)
{
    size_t end = len;
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
        end--;
    size_t i = end;
    while (i > 0) {
        if (text[i - 1] == '\n' && --lines == 0)
            break;
        i--;
    }
    return i;
}

void rl_size_text(unsigned long long bytes, char *buf, size_t len)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB"};
    int u = 0;
    while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, len, "%llu %s", bytes, units[u]);
}

int rl_program_killed_for_memory(const struct rl_sandbox_result *r)
{
    /* Not when racelab's own SIGKILL ended it (after a child's kill). */
    return r->oom_kills > 0 && !r->exited && r->signal == SIGKILL &&
           !r->timed_out && !r->stopped_by_watch;
}

void rl_program_memory_words(const struct rl_sandbox_result *r, char *buf,
                             size_t len)
{
    char limit[32];
    rl_size_text(r->memory_limit, limit, sizeof limit);
    if (r->memory_limit)
        snprintf(buf, len, "killed: out of memory (limit %s)", limit);
    else
        snprintf(buf, len, "killed: out of memory");
}

void rl_program_output_note(const struct rl_sandbox_result *r, char *note,
                            size_t notelen)
{
    if (!r->out_truncated && !r->err_truncated)
        return;
    char size[32];
    rl_size_text(r->output_cap, size, sizeof size);
    const char *where = r->out_truncated && r->err_truncated
                            ? "on stdout and on stderr"
                        : r->out_truncated ? "on stdout"
                                           : "on stderr";
    size_t used = strlen(note);
    snprintf(note + used, notelen - used,
             "%sit printed more than %s %s; the rest was dropped",
             used ? "; " : "", size, where);
}

void rl_program_end_note(const struct rl_sandbox_result *r, const char *who,
                         char *note, size_t notelen)
{
    char how[160], sig[32], memory[64];
    rl_program_memory_words(r, memory, sizeof memory);
    if (rl_program_killed_for_memory(r))
        snprintf(how, sizeof how, "%s was %s", who, memory);
    else if (r->exited)
        snprintf(how, sizeof how, "%s exited by itself with status %d", who,
                 r->exit_status);
    else if (r->signal)
        snprintf(how, sizeof how, "%s died of %s (%s)", who,
                 rl_signal_name(r->signal, sig, sizeof sig),
                 strsignal(r->signal));
    else
        snprintf(how, sizeof how, "%s ended", who);
    size_t used = strlen(note);
    int n =
        snprintf(note + used, notelen - used, "%s%s", used ? "; " : "", how);
    if (n < 0 || (size_t)n >= notelen - used)
        return;
    used += (size_t)n;
    /* A child of it, not the program itself, was the one killed. */
    if (r->oom_kills && !rl_program_killed_for_memory(r)) {
        n = snprintf(note + used, notelen - used, " (a process of it was %s)",
                     memory);
        if (n < 0 || (size_t)n >= notelen - used)
            return;
        used += (size_t)n;
    }
    size_t len = r->err ? r->err_len : 0;
    size_t from = tail_start(r->err, len, RL_END_STDERR_LINES);
    size_t end = len;
    while (end > from && (r->err[end - 1] == '\n' || r->err[end - 1] == '\r'))
        end--;
    if (end == from) {
        snprintf(note + used, notelen - used, ", writing nothing to stderr");
        return;
    }
    char text[RL_END_STDERR_CHARS + 1];
    rl_escape_bytes(r->err + from, end - from, text, sizeof text);
    snprintf(note + used, notelen - used, "; the end of its stderr: \"%s\"",
             text);
}
