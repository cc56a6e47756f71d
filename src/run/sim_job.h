/*
** sim_job.h: `simulate` as a job of the run engine (run.h): a cohort of
** mechanistic twins through a scenario, into one HDF5 results file.
**
** Datasets (n = twins, T = duration/every + 1; docs/file-formats.md):
**   /twins/name                          (n) strings, config order
**   /time_min                            (T) int64, 0, every, ..., duration
**   /trajectories/<observable>           (n, T) float64, written in time blocks
**   /summary/<observable>/{mean,min,max} (n) float64, over the T samples
**   /states/<state>, /inputs/<input>     (n, T) float64, with output.states: the state
**                                        at t, the mean input rate over [t, t + every)
**   /status/flag                         (n) int32: 0 ok, 1 non-finite, 2 step underflow, 3 too many steps
**   /status/fail_minute                  (n) int64: start of the step where it failed, -1
** Root attributes: the config text, seed, rank count (tw_h5_create), pack,
** precision, integrator, backend, duration_min, every_min, and
** headline_observables (the ones a summary shows first, space-separated).
*/
#ifndef TW_RUN_SIM_JOB_H
#define TW_RUN_SIM_JOB_H

#include "physio/sim_config.h" /* tw_sim_config */
#include "run/run.h"           /* tw_run_opts, tw_run_report */

TW_EXTERN_C_BEGIN

/* Sets up and runs config `c` (parsed from `doc`) with the engine options `ro`
** (output path, force, backend, buffer; config text and seed are filled in from
** the config). *failed counts the twins whose integration failed (flagged in
** the file, not an error), over all ranks. */
tw_status tw_sim_job_run(const tw_dist *dist, const tw_sim_config *c, const tw_cfg_doc *doc, tw_run_opts ro,
                         tw_run_report *rep, int64_t *failed);

TW_EXTERN_C_END

#endif
