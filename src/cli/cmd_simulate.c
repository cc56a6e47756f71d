/*
** cmd_simulate.c: `twinscale simulate CONFIG [--set KEY=VALUE] [-o PATH] [--force] [--resume]`.
**
** Parses the command line and the config, hands the run to the simulate job of
** the run engine (src/run/sim_job.h), and reports: which backend ran, the twins
** that failed to integrate, how a stopped run ended, and the headline
** observables read back from the finished file (the quickest look at a run, and
** a check that the file reads). Exit status: 0, 2 for input errors, 1 for other
** failures, 130/143 when stopped by SIGINT/SIGTERM (docs/simulate.md).
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>  /* printf, fprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strtok_r-free splitting */

#include "cli/cli.h"          /* tw_cmd_simulate */
#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command_resumable, tw_cli_job_exit */
#include "io/h5.h"            /* reading the summary back */
#include "run/sim_job.h"      /* tw_sim_job_run */

/* Prints the summary of observable `name` for the first twins. */
static tw_status print_observable(tw_h5_file *f, const char *name, char *const *twins, int64_t n) {
  enum { SHOWN = 8 };
  static const char *const what[3] = {"mean", "min", "max"};
  char p[3][192], units[64] = "";
  for (int j = 0; j < 3; ++j) snprintf(p[j], sizeof p[j], "/summary/%s/%s", name, what[j]);
  tw_tensor t[3] = {{0}};
  tw_status st = TW_OK;
  for (int j = 0; j < 3 && st == TW_OK; ++j) st = tw_h5_read(f, p[j], TW_F64, &t[j]);
  if (st == TW_OK) st = tw_h5_units(f, p[0], units, sizeof units);
  if (st == TW_OK) {
    printf("%-26s %10s %10s %10s\n", name, "mean", "min", "max");
    for (int64_t i = 0; i < n && i < SHOWN; ++i)
      printf("  %-24s %10.2f %10.2f %10.2f  %s\n", twins[i], ((double *)t[0].data)[i], ((double *)t[1].data)[i],
             ((double *)t[2].data)[i], units);
    if (n > SHOWN) printf("  ... and %lld more twins\n", (long long)(n - SHOWN));
  }
  for (int j = 0; j < 3; ++j) free(t[j].data);
  return st;
}

/* The headline observables the file names (attribute headline_observables). */
static tw_status print_summary(const char *path) {
  tw_h5_file *f = NULL;
  char **names = NULL, *headline = NULL;
  int64_t n = 0;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, tw_h5_open(path, NULL, &f), done);
  TW_TRY_GOTO(st, tw_h5_read_strings(f, "/twins/name", &names, &n), done);
  TW_TRY_GOTO(st, tw_h5_attr_read_string(f, "headline_observables", &headline), done);
  for (char *s = headline; *s && st == TW_OK;) {
    size_t len = strcspn(s, " ");
    char obs[160];
    snprintf(obs, sizeof obs, "%.*s", (int)len, s);
    st = print_observable(f, obs, names, n);
    s += len + (s[len] == ' ');
  }
done:
  for (int64_t i = 0; names && i < n; ++i) free(names[i]);
  free(names);
  free(headline);
  if (f) {
    tw_status cst = tw_h5_close(f);
    if (st == TW_OK) st = cst;
  }
  return st;
}

/* What rank 0 says after the run. */
static tw_status report(const tw_dist *dist, const char *path, const tw_run_report *rep, int64_t failed) {
  TW_TRY(tw_dist_sum_i64(dist, &failed, 1));
  if (dist->rank != 0) return TW_OK;
  if (failed > 0)
    fprintf(stderr, "twinscale: %lld twin(s) stopped early (an integration failure, or a state at a floor of "
            "the model: the warnings above name the first few), flagged in /status/flag; the others completed\n",
            (long long)failed);
  printf("wrote %s (backend %s, %.2f s)\n", path, rep->backend, rep->seconds);
  return print_summary(path);
}

static int run(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_sim_config c;
  tw_cfg_doc *doc = NULL;
  tw_run_report rep;
  memset(&rep, 0, sizeof rep);
  int64_t failed = 0;
  char path[4096] = "";
  tw_status st = tw_config_load(file, "simulate", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    tw_run_opts ro = {.output = c.output.path, .force = co->force, .buffer_bytes = c.output.buffer_mb << 20,
                      .resume = co->resume};
    st = tw_sim_job_run(dist, &c, doc, ro, &rep, &failed);
    tw_cfg_release(&tw_sim_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK) st = report(dist, path, &rep, failed);
  return tw_cli_job_exit(dist, st, rep.signal);
}

int tw_cmd_simulate(int argc, char **argv) { return tw_cli_job_command_resumable("simulate", argc, argv, run); }
#else
typedef int tw_cmd_simulate_needs_yaml_and_hdf5; /* ISO C wants a non-empty file */
#endif
