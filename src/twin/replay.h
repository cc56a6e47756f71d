/*
** replay.h: what-if therapy on fitted personal twins (issue 11, item 3), and
** fitted twins as a trial cohort (item 4). docs/personal-twins.md, "Replay".
**
** `twinscale twin replay` re-runs each fitted person's recorded days twice from
** the twin's parameters: once under the recorded therapy (what happened, as the
** twin reproduces it) and once under a changed therapy (the `twin_replay`
** scenario: boluses scaled, basal scaled or replaced, or a controller in the
** loop), and scores both with the
** trial's glucose endpoints. With posterior draws in the twins file
** (/fit/draws/<param>, (P, S)) every draw is run too and the endpoints get
** q05/q50/q95 bands; without them the MAP alone is written and said so.
**
** The endpoints are the trial's (src/trial/endpoints.h), handed in as a
** tw_replay_scorer by the caller: src/twin and src/trial are peers
** (docs/architecture.md), so the command (src/cli) joins them.
**
** Units (DESIGN.md invariant 6): time min, glucose mg/dL, insulin U and U/h.
*/
#ifndef TW_TWIN_REPLAY_H
#define TW_TWIN_REPLAY_H

#include "core/config.h"  /* tw_cfg_schema, tw_cfg_mark */
#include "core/status.h"  /* tw_status */
#include "physio/sim_config.h" /* tw_sim_controller_params_cfg */
#include "twin/fit.h"     /* tw_fit_prior */
#include "twin/records.h" /* tw_records */

TW_EXTERN_C_BEGIN

/* ---- the scenario: config kind `twin_replay` ---------------------------------- */

/* controller: a controller of src/physio/controller.h in the loop, deciding on
** a sensor's readings of the twin's bg, in place of the recorded boluses and
** basal (the recorded meals announced to it). */
typedef struct tw_replay_controller_cfg {
  tw_cfg_mark mark;
  char *name;                              /* "none" (default): no controller */
  tw_sim_controller_params_cfg params;     /* pid's gains and target */
  char *sensor;                            /* the CGM it reads (default Dexcom) */
  int noise;                               /* sensor noise (default false: the sensor reads bg) */
  int64_t seed;                            /* the noise's Philox key (person row x (1 + draws) + draw: twin id) */
  double carb_ratio, correction_factor;    /* g/U, mg/dL/U for bb; 0: unknown (bb refuses) */
  char resolved[4096];                     /* not bound: name, a library's path taken relative to the
                                              config's folder (set when checked; "" : use name) */
} tw_replay_controller_cfg;

typedef struct tw_replay_config {
  tw_cfg_mark mark;
  double bolus_scale;    /* every recorded bolus x this (default 1) */
  double basal_scale;    /* every recorded basal rate x this (default 1) */
  double basal_u_per_h;  /* this rate at every minute, U/h, unless basal_recorded (excludes basal_scale) */
  int basal_recorded;    /* 1: `basal_u_per_h: recorded` (the default): the recorded rates, x basal_scale */
  double *days;          /* (2) first, last: 1-based, inclusive, from each person's first record; none: all */
  int n_days;
  tw_replay_controller_cfg controller;
} tw_replay_config;

extern const tw_cfg_schema tw_replay_config_schema;

/* ---- the fitted twins file ------------------------------------------------------ */

typedef struct tw_twins {
  int64_t n;            /* persons (/persons/id) */
  char **id;            /* (n) pseudonyms */
  int32_t *flag;        /* (n) /fit/flag: non-zero fits are not used */
  tw_fit_prior prior;   /* the prior of the fitted parameters: base is the population twin the fit used */
  double *map;          /* (n, prior.k) log of /fit/<param>/map */
  int64_t S;            /* posterior draws per person (0: none in the file) */
  double *draws;        /* (n, S, prior.k) log of /fit/draws/<param> */
} tw_twins;

/* Reads a file written by `twinscale twin fit`: the fitted parameters are those
** with /fit/<param>/map (t1d parameter names). TW_ERR_INPUT naming the file
** when it is not such a file or its shapes disagree. */
tw_status tw_twins_read(const char *path, tw_twins *out);
void tw_twins_free(tw_twins *t);
/* The row of person `id` in t, or -1. */
int64_t tw_twins_find(const tw_twins *t, const char *id);
/* Whether person i's MAP twin can be run: its fit flag holds nothing but
** TW_FIT_CHAIN_NOT_CONVERGED (an unconverged sampler leaves the MAP as good as
** it was; only the bands from its draws are doubtful, and the twins file says
** so in /fit/flag and /fit/rhat). */
int tw_twins_usable(const tw_twins *t, int64_t i);
/* The full t1d parameter vector (n_params) of person i at log-parameters theta
** (prior.k): the population twin with the fitted ones replaced, body weight
** bw_kg (NaN: the population's), and the initial state (x0_1..x0_13) at
** steady state under the twin's own basal u2ss BW / 6000 with plasma glucose
** at the population twin's, x0_4 / Vg (tw_fit_init_state). */
void tw_twins_params(const tw_twins *t, const double *theta, double bw_kg, double *p);

/* ---- replay ----------------------------------------------------------------------- */

/* The endpoints of one run: bg (T) mg/dL at the end of minutes 1..T into out
** (n). NaN rows when a sample is not finite. score_samples (NULL: none) scores
** what the sensor recorded over the same T minutes: ns readings v (mg/dL) at
** minutes minute[0..ns) (increasing, in 1..T); it makes /replay/<e>/observed. */
typedef struct tw_replay_scorer {
  int n;
  const char *const *names, *const *units; /* (n) */
  tw_status (*score)(void *ctx, int64_t T, const double *bg, double *out);
  tw_status (*score_samples)(void *ctx, int64_t T, int64_t ns, const int64_t *minute, const double *v, double *out);
  void *ctx;
} tw_replay_scorer;

typedef struct tw_replay_opts {
  const char *twins_path;        /* for messages and the output's attributes */
  const char *output;            /* the replay file (HDF5) */
  const char *person;            /* NULL: every person; else only this pseudonym */
  const char *config_text;       /* the scenario, as read (root attribute `config`) */
  const tw_replay_config *scenario;
  const tw_replay_scorer *scorer;
  int force;                     /* replace an existing output even when it is not writable */
} tw_replay_opts;

typedef struct tw_replay_report {
  int64_t persons;       /* in the twins file */
  int64_t replayed;      /* run and scored */
  int64_t skipped;       /* flagged fits, not run */
  int64_t no_data;       /* no CGM sample in the days */
  int64_t stopped;       /* changed runs in the controller's loop (person x draw) stopped at the
                            model's floor (plasma glucose 0, docs/physiology.md): endpoints NaN */
  int64_t draws;         /* per person, 0: MAP only */
  int64_t columns;       /* simulations run (persons x scenarios x (1 + draws)) */
  double seconds;        /* simulation and scoring */
  char *skipped_ids;     /* malloc'd: "ID (flag F), ..." of the flagged fits, or NULL */
} tw_replay_report;

/* Replays every fitted person of t whose records are in r (matched by
** pseudonym) and writes opts->output (checked first; written to PATH.partial
** and renamed when whole). TW_ERR_INPUT: opts->person not in t, a fitted
** person not in r. */
tw_status tw_replay_run(const tw_twins *t, const tw_records *r, const tw_replay_opts *o, tw_replay_report *rep);
void tw_replay_report_free(tw_replay_report *rep);

/* ---- fitted twins as a cohort file (trials: cohort.from_twins) --------------------- */

typedef struct tw_twins_cohort_report {
  int64_t persons, written, left_out; /* left out: flagged fits */
  int64_t with_weight;                /* body weight from the records (else the population's) */
} tw_twins_cohort_report;

/* Writes the fitted persons of the twins file twins_path as a cohort file
** (docs/cohorts.md: /cohort/id, /cohort/parameters/t1d.<param>, attribute
** pack), every t1d parameter from tw_twins_params at the MAP; flagged fits
** left out. records_path (NULL: none) gives body weights by pseudonym. */
tw_status tw_twins_write_cohort(const char *twins_path, const char *records_path, const char *cohort_path,
                                tw_twins_cohort_report *rep);

TW_EXTERN_C_END

#endif
