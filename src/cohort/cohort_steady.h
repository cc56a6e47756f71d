/*
** cohort_steady.h: the "steady state at the basal rate" check of a drawn
** twin (docs/cohorts.md, "The steady-state rule"). A twin is integrated from
** its initial state (the pack's init) with its reference basal (the pack's
** `basal` hook, on the input its TW_EVENT_BASAL event feeds), every other
** input zero, for `hours`; the pack's CGM observable (mg/dL) must stay within
** [low, high] at the end of every minute and move by at most `drift` over the
** last hour. Generic: it needs only the pack's declaration (init, basal hook,
** basal event, cgm_obs) and tw_model_advance; a pack lacking one of them has
** no check (tw_cohort_steady_applies). Each twin's verdict depends on its own
** parameters only, not on the batch it is integrated in.
*/
#ifndef TW_COHORT_STEADY_H
#define TW_COHORT_STEADY_H

#include "cohort/cohort_config.h" /* tw_cohort_steady_cfg */
#include "core/status.h"

TW_EXTERN_C_BEGIN

struct tw_pack;

/* Why a twin failed (0: it passed). */
typedef enum tw_steady_verdict {
  TW_STEADY_PASS = 0,
  TW_STEADY_LOW = 1,       /* the observable fell below `low` */
  TW_STEADY_HIGH = 2,      /* it rose above `high` */
  TW_STEADY_DRIFT = 3,     /* it moved by more than `drift` over the last hour */
  TW_STEADY_NONFINITE = 4, /* the integration failed (a state not finite) */
  TW_STEADY_N_VERDICTS = 5
} tw_steady_verdict;

/* One twin's outcome: the verdict, the minute it was decided (the first minute
** out of range, or the last minute), and the value that decided it (mg/dL; for
** DRIFT the change over the last hour). */
typedef struct tw_steady_result {
  int32_t verdict;
  int32_t minute;
  double value;
  double final; /* the observable at the last minute (mg/dL; NaN when non-finite) */
} tw_steady_result;

/* 1 when the pack declares what the check needs and the rule is on (hours > 0). */
int tw_cohort_steady_applies(const struct tw_pack *pack, const tw_cohort_steady_cfg *rule);

/* Checks twins ids[0..n) whose parameters are params[q * stride + id] (the
** pack's n_params rows, each `stride` long), in batches of `chunk` twins
** (> 0; any value gives the same results), into out[0..n). The batches are
** shared among `threads` OpenMP threads (0: the default), one batch per thread
** at a time. */
tw_status tw_cohort_steady_check(const struct tw_pack *pack, const tw_cohort_steady_cfg *rule, const double *params,
                                 int64_t stride, const int64_t *ids, int64_t n, int64_t chunk, int threads,
                                 tw_steady_result *out);

/* The OpenMP team size of the cohort's loops: `threads`, or OpenMP's default when 0. */
int tw_cohort_team(int threads);

/* "fell to 61.2 mg/dL at minute 312 (below 70)", ... for messages. */
void tw_cohort_steady_describe(const tw_steady_result *r, const tw_cohort_steady_cfg *rule, char *buf, size_t cap);

TW_EXTERN_C_END

#endif
