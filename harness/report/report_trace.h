/* report_trace.h: a finding's interleaving as thread columns. */
#ifndef RACELAB_REPORT_TRACE_H
#define RACELAB_REPORT_TRACE_H

#include <stdio.h>

#include "engine/finding.h"

/* Rows of a finding's trace a report shows unless asked for all. */
enum { RL_TRACE_ROWS_DEFAULT = 60 };

/* Prints steps as one column per thread; only the last max_rows rows
 * (0: all), each line indented by `indent`. */
void rl_trace_print(FILE *out, const struct rl_trace_step *s, size_t n,
                    size_t max_rows, int indent);

#endif
