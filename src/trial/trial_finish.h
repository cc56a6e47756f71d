/*
** trial_finish.h: after the results file is whole, rank 0 reads its endpoints
** back, analyses them (trial_results.h) and writes summary.json and
** report.html. Reading back rather than keeping the matrix in memory checks
** that the file reads, and lets the analysis be rerun from any results file.
*/
#ifndef TW_TRIAL_FINISH_H
#define TW_TRIAL_FINISH_H

#include "run/run.h"            /* tw_run_report */
#include "trial/trial_config.h" /* tw_trial_config */
#include "trial/trial_job.h"    /* tw_trial_outcome */

TW_EXTERN_C_BEGIN

/* The summary and report paths (the config's, or summary.json and report.html
** beside `results`) into out, checked writable before any work. */
tw_status tw_trial_finish_paths(const tw_trial_config *c, const char *results, tw_trial_outcome *out);

/* Rank 0: analyses `results` (written by the trial job for `c` and its config
** text) into out->summary and out->report. */
tw_status tw_trial_finish(const tw_trial_config *c, const char *config_text, const char *results,
                          const tw_run_report *rep, const tw_dist *dist, tw_trial_outcome *out);

TW_EXTERN_C_END

#endif
