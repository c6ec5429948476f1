/* probe_events.h: what the probe's signal, descriptor and child parts share. */
#ifndef RACELAB_PROBE_EVENTS_H
#define RACELAB_PROBE_EVENTS_H

#include "probe_core.h"

#define RLP_EV_TLS __thread __attribute__((tls_model("initial-exec")))

/* Signal-handler levels (probe trampolines) active on this thread. */
extern RLP_EV_TLS int rlp_sig_depth;

/*
 * Brackets a wrapped libc call.  Inside a handler, an async-signal-unsafe
 * call (unsafe_name != NULL, the name shown to the student) is recorded
 * once per call site, and an errno change is blamed on the call site.
 * Outside handlers it costs one thread-local test.
 */
#define RLP_HCALL_BEGIN(unsafe_name)                                           \
    (__builtin_expect(rlp_sig_depth > 0, 0) ? rlp_hcall_begin(unsafe_name) : 0)
#define RLP_HCALL_END(token)                                                   \
    do {                                                                       \
        if (token)                                                             \
            rlp_hcall_end();                                                   \
    } while (0)
int rlp_hcall_begin(const char *unsafe_name);
void rlp_hcall_end(void);

/* Append text or a decimal number to a RLP_DETAIL-sized string; both are
 * async-signal-safe (no stdio). */
void rlp_detail_cat(char *detail, const char *text);
void rlp_detail_num(char *detail, long value);

/* Exit-time checks of the main process; children.c's exit hooks (a
 * destructor, _exit, _Exit) call them once, in the main process only. */
void rlp_fds_exit_check(void);
void rlp_children_exit_check(void);

#endif
