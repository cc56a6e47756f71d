/*
** progress.h: progress of long work (DESIGN.md invariant 7).
**
** On a terminal: one line redrawn in place, "simulate [#####     ] 51200/100000
** twins  8123 twins/s  ETA 6s". Elsewhere (Slurm logs, pipes): a plain log line
** at most every TW_PROGRESS_LOG_SECONDS. Only where info logging is on (rank 0
** under MPI; see log.h). Updates are cheap, so hot loops may call them per batch.
*/
#ifndef TW_PROGRESS_H
#define TW_PROGRESS_H

#include "core/defs.h"

TW_EXTERN_C_BEGIN

enum { TW_PROGRESS_LOG_SECONDS = 10 };

typedef struct tw_progress {
  const char *what;   /* "simulate" */
  const char *unit;   /* "twins" */
  int64_t total, done;
  double start, last_draw;
  int on_terminal, enabled;
} tw_progress;

void tw_progress_begin(tw_progress *p, const char *what, const char *unit, int64_t total);
/* Records that `done` units (cumulative) are finished; redraws when due. */
void tw_progress_update(tw_progress *p, int64_t done);
/* Final line with the total time and rate. */
void tw_progress_end(tw_progress *p);
/* Renders the progress line into buf (used by both modes and by the tests). */
void tw_progress_format(const tw_progress *p, double now, char *buf, size_t cap);

TW_EXTERN_C_END

#endif
