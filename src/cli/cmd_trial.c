/*
** cmd_trial.c: `twinscale trial CONFIG [--set KEY=VALUE] [-o PATH] [--force] [--resume]`.
**
** Parses the command line and the trial config, hands the run to the trial
** job (src/trial/trial_job.h: the run engine, then the analysis on rank 0),
** and reports what was written and the headline comparison. Exit status as
** `simulate`: 0, 2 bad input, 1 other failures, 130/143 when stopped.
**
** With cohort.from_twins the fitted twins (src/twin/replay.h) are first written
** as the cohort file cohort.file (tw_trial_twins_cohort_path) that every arm
** reads: twin and trial are peers, so the command joins them.
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>  /* printf, fprintf */
#include <string.h> /* memset */

#include "cli/cli.h"          /* tw_cmd_trial */
#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command_resumable, tw_cli_job_exit */
#include "trial/trial_job.h"  /* tw_trial_job_run */
#include "twin/replay.h"      /* tw_twins_write_cohort */

static void report(const tw_dist *dist, const char *path, const tw_run_report *rep, const tw_trial_outcome *out) {
  if (dist->rank != 0) return;
  if (out->failed > 0)
    fprintf(stderr, "twinscale: %lld twin-arm run(s) stopped early (an integration failure, or a state at a "
            "floor of the model: the warnings above name the first few): flagged in /status/flag, their endpoints NaN\n",
            (long long)out->failed);
  printf("wrote %s (backend %s, %.2f s)\n", path, rep->backend, rep->seconds);
  printf("wrote %s\nwrote %s\n", out->summary, out->report);
}

/* cohort.from_twins: the fitted twins as the cohort file the trial reads (rank 0 writes it). */
static tw_status twins_cohort(const tw_dist *dist, const tw_trial_config *c, const tw_cfg_doc *doc) {
  if (!c->cohort.from_twins) return TW_OK;
  tw_status st = TW_OK;
  if (dist->rank == 0) {
    char twins[4096], records[4096];
    tw_cfg_resolve(doc, c->cohort.from_twins, twins, sizeof twins);
    if (c->cohort.records) tw_cfg_resolve(doc, c->cohort.records, records, sizeof records);
    tw_twins_cohort_report r;
    st = tw_twins_write_cohort(twins, c->cohort.records ? records : NULL, c->cohort.file, &r);
    if (st == TW_OK)
      printf("twins: %lld of %lld fitted persons of %s (%lld flagged fits left out; body weight from the records for "
             "%lld) as %s\n", (long long)r.written, (long long)r.persons, twins, (long long)r.left_out,
             (long long)r.with_weight, c->cohort.file);
  }
  return tw_dist_agree(dist, st);
}

static int run(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_trial_config c;
  tw_cfg_doc *doc = NULL;
  tw_run_report rep;
  tw_trial_outcome out;
  memset(&rep, 0, sizeof rep);
  memset(&out, 0, sizeof out);
  char path[4096] = "";
  tw_status st = tw_config_load(file, "trial", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    tw_run_opts ro = {.output = c.output.path, .force = co->force, .buffer_bytes = c.output.buffer_mb << 20,
                      .resume = co->resume};
    st = twins_cohort(dist, &c, doc);
    if (st == TW_OK) st = tw_trial_job_run(dist, &c, doc, ro, &rep, &out);
    tw_cfg_release(&tw_trial_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK) report(dist, path, &rep, &out);
  return tw_cli_job_exit(dist, st, rep.signal);
}

int tw_cmd_trial(int argc, char **argv) { return tw_cli_job_command_resumable("trial", argc, argv, run); }
#else
typedef int tw_cmd_trial_unavailable; /* the command needs libyaml and HDF5 */
#endif
