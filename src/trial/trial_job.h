/*
** trial_job.h: `twinscale trial` on the run engine (run.h): every twin runs
** its arms (all of them in a crossover, its allocated one in a parallel
** design), endpoints stream per twin and arm while it runs, and, once the
** results file is whole, rank 0 analyses them into summary.json and
** report.html (docs/trial.md).
**
** Datasets (n twins, A arms, N trajectory twins, T samples; docs/trial.md):
**   /arms/name                       (A) strings
**   /endpoints_units/{name,units}    (E) strings: the endpoints in order, and their units
**   /twins/name                      (n) strings
**   /endpoints/<name>                (n, A) float64, NaN where the twin did not run the arm or failed
**   /assignment/arm                  (n) int32, parallel designs
**   /status/flag                     (n, A) int32, tw_twin_flag (-1 where not run)
**   /cohort/parameters/<pack>.<p>    (n) float64
**   /cohort/covariates/<name>        (n) float64, copied from a cohort file
**   /trajectories/<observable>       (N, A, T) float64, from t = 0 (warm-up included)
**   /time_min                        (T) int64, when trajectories are kept
** Root attributes: the config text, seed, ranks (tw_h5_create), pack, design,
** reference_arm, warmup_min, duration_min, glucose_observable, backend,
** precision, integrator.
*/
#ifndef TW_TRIAL_JOB_H
#define TW_TRIAL_JOB_H

#include "run/run.h"            /* tw_run_opts, tw_run_report */
#include "trial/trial_config.h" /* tw_trial_config */

TW_EXTERN_C_BEGIN

typedef struct tw_trial_outcome {
  int64_t failed;      /* twin-arms whose integration failed (flagged), over all ranks */
  char summary[4096];  /* the paths written after the results file */
  char report[4096];
} tw_trial_outcome;

/* Sets up and runs trial `c` (parsed from `doc`, read from `config_path`) with
** the engine options `ro` (output path, force, backend, buffer), then, on rank
** 0, writes summary.json and report.html from the finished results file. */
tw_status tw_trial_job_run(const tw_dist *dist, const tw_trial_config *c, const tw_cfg_doc *doc, tw_run_opts ro,
                           tw_run_report *rep, tw_trial_outcome *out);

TW_EXTERN_C_END

#endif
