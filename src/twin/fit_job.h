/*
** fit_job.h: the `twin_fit` config kind and the job behind `twinscale twin fit
** CONFIG` (docs/personal-twins.md, "Fit"): read a records file (from `twin
** import`), fit every person's MAP over fit_days, sample the posterior, and
** write the fitted twins: /persons/id, /fit/<param>/{map,q05,q50,q95},
** /fit/rhat/<param>, /fit/ess/<param>, /fit/draws/<param> (P, S), /fit/flag,
** /fit/accept, /fit/rms_mgdl, /fit/iterations, /prediction/cgm and
** /prediction/time_min, root attribute `identifiable`.
*/
#ifndef TW_TWIN_FIT_JOB_H
#define TW_TWIN_FIT_JOB_H

#include "core/config.h" /* tw_cfg_schema, tw_cfg_mark, tw_cfg_doc */
#include "twin/fit.h"

TW_EXTERN_C_BEGIN

typedef struct tw_twin_fit_output_cfg {
  tw_cfg_mark mark;
  char *path;
} tw_twin_fit_output_cfg;

/* The posterior sampler (fit.h, tw_fit_mcmc_opts). */
typedef struct tw_twin_fit_sampler_cfg {
  tw_cfg_mark mark;
  int64_t walkers, steps, burn_in, draws, seed;
  double inflate;
} tw_twin_fit_sampler_cfg;

typedef struct tw_twin_fit_config {
  tw_cfg_mark mark;
  char *records;          /* a records file written by `twin import`, or a long CSV or a Nightscout
                             folder imported first (relative to the config file) */
  char *persons;          /* the persons CSV of a CSV import, or NULL */
  char *salt_env;         /* an import: the environment variable holding the pseudonym salt */
  char *person_id;        /* a Nightscout import: the person's source id, or NULL */
  double weight_kg;       /* a Nightscout import without persons: the weight (0: none) */
  double *fit_days;       /* (2) first, last: 1-based, inclusive, days from each person's first record */
  int n_fit_days;
  char **parameters;      /* the t1d parameters fitted */
  int n_parameters;
  int64_t max_iter;       /* Levenberg-Marquardt iterations */
  int backend;            /* 0 auto, 1 cpu, 2 cuda (tw_twin_fit_backends) */
  double predict_every;   /* min between /prediction samples */
  tw_twin_fit_sampler_cfg sampler;
  tw_twin_fit_output_cfg output;
} tw_twin_fit_config;

extern const tw_cfg_schema tw_twin_fit_config_schema;

/* The parameters declared identifiable by the experiment of docs/personal-twins.md. */
extern const char *const tw_fit_identifiable[];

typedef struct tw_twin_fit_report {
  int64_t persons, fitted, flagged, not_converged, no_data, poor;
  int64_t evaluations;      /* batched simulations of the MAP and the sampler */
  int64_t chain_not_converged; /* persons whose sampler's R-hat exceeded 1.1 */
  double seconds, median_rms; /* seconds: the whole fit, MAP and sampler */
  char backend[320];        /* rank 0's backend, "name (why)" */
} tw_twin_fit_report;

/* 1 when c->records is not a records file (HDF5) but a CSV or a Nightscout
** folder that the fit imports first: the caller then reads the salt from the
** environment variable c->salt_env (a config error at salt_env when the
** config names none). */
int tw_twin_fit_imports(const tw_twin_fit_config *c, const tw_cfg_doc *doc);
/* Runs the fit of config c (doc: for paths and messages) and writes
** c->output.path, checked first as the run engine checks a results path
** (`force`: replace an existing file even when it is not writable). `salt`:
** the pseudonym salt for an import, else NULL. */
tw_status tw_twin_fit_run(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const char *salt, int force,
                          const tw_dist *dist, tw_twin_fit_report *rep);

TW_EXTERN_C_END

#endif
