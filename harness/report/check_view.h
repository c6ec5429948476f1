/* check_view.h: a finished check as the reports see it. */
#ifndef RACELAB_CHECK_VIEW_H
#define RACELAB_CHECK_VIEW_H

#include "engine/check_engine.h"
#include "report/report.h"

/* Fills a report for rl_report_text/rl_report_json; free runs/builds with
 * rl_check_report_free.  `program` is kept by reference. */
void rl_check_report(const struct rl_check *c, const char *program,
                     struct rl_report *r);
void rl_check_report_free(struct rl_report *r);

#endif
