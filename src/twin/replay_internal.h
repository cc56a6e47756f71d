/*
** replay_internal.h: between the replay job (replay.c) and its file writer
** (replay_h5.c), private to src/twin.
*/
#ifndef TW_TWIN_REPLAY_INTERNAL_H
#define TW_TWIN_REPLAY_INTERNAL_H

#include "physio/controller.h" /* tw_controller */
#include "physio/sensor.h"     /* tw_cgm_spec */
#include "twin/replay.h"

/* Per-person status, /replay/status. */
enum { TW_REPLAY_DONE = 0, TW_REPLAY_FLAGGED = 1, TW_REPLAY_NO_DATA = 2, TW_REPLAY_NOT_ASKED = 3 };

/* The kinds and the quantiles of the bands, in the order of the arrays below. */
enum { TW_REPLAY_KINDS = 3, TW_REPLAY_QUANTILES = 3 };

/* The scenario's controller in the loop (replay_loop.c): ctl NULL when none. */
typedef struct tw_replay_loop {
  const tw_controller *ctl;
  tw_cgm_spec cgm;
  tw_model model;
} tw_replay_loop;

/* One person's changed runs under the controller: n columns (the MAP, then the
** draws) of twin ids first_id.. */
typedef struct tw_replay_run_ctx {
  const tw_fit_person *person; /* the recorded run's data: meals, start, days */
  const char *name;            /* the pseudonym, for the controller's messages */
  int64_t n;
  uint64_t first_id;
  const tw_replay_scorer *scorer;
  int64_t *stopped;            /* += the columns stopped at the model's floor (their endpoints NaN) */
} tw_replay_run_ctx;

tw_status tw_replay_loop_init(const tw_replay_controller_cfg *c, tw_replay_loop *l);
/* params (n, n_params) as the recorded run's (the initial state is set here);
** the endpoints of column v into out + v * stride. */
tw_status tw_replay_loop_run(const tw_replay_loop *l, const tw_replay_controller_cfg *c, const tw_replay_run_ctx *r,
                             const double *params, double *out, int64_t stride);

/* TW_ERR_INPUT when the output cannot be written (before any work). */
tw_status tw_replay_check_output(const tw_replay_opts *o);
/* What the job hands the writer, per person i of the twins file (n of them). */
typedef struct tw_replay_results {
  const int32_t *status; /* (n) */
  const double *map;     /* (E, KINDS, n) */
  const double *band;    /* (E, KINDS, QUANTILES, n), or NULL without draws */
  const double *obs;     /* (E, n) the endpoints of the CGM record, or NULL */
} tw_replay_results;

tw_status tw_replay_write(const tw_replay_opts *o, const tw_twins *t, const tw_replay_results *res);

#endif
