/*
** job_command.c: the shared frame of the commands that run a job on the ranks
** (job_command.h).
*/
#include "build_info.h" /* TW_HAVE_YAML: config options */

#if TW_HAVE_YAML
#include "cli/job_command.h"

#include "cli/cli.h" /* tw_cli_fail */

int tw_cli_job_exit(const tw_dist *dist, tw_status st, int signal) {
  if (st == TW_ERR_INTERRUPTED) {
    if (dist->rank == 0) tw_cli_fail(st);
    return 128 + signal;
  }
  return st == TW_OK ? 0 : dist->rank == 0 ? tw_cli_fail(st) : tw_status_exit_code(st);
}

static int job_command(const char *name, int argc, char **argv, tw_cli_job_fn job, int resumable) {
  tw_config_opts co = {0};
  const tw_opt opts[] = {TW_CONFIG_OPTIONS(co), {"resume", 0, TW_OPT_FLAG, &co.resume, 0, 0, NULL, 0}};
  const char *file;
  const int n_opts = (int)TW_ARRAY_LEN(opts) - (resumable ? 0 : 1);
  int n_pos, bad = tw_opts_parse(name, opts, n_opts, argc, argv, "the CONFIG file", &file, 1, 1, &n_pos);
  if (bad) return bad;
  tw_dist dist;
  tw_status st = tw_dist_init(&argc, &argv, &dist);
  if (st != TW_OK) return tw_cli_fail(st);
  const int code = job(file, &co, &dist);
  tw_dist_finalize(&dist);
  return code;
}

int tw_cli_job_command(const char *name, int argc, char **argv, tw_cli_job_fn job) {
  return job_command(name, argc, argv, job, 0);
}

int tw_cli_job_command_resumable(const char *name, int argc, char **argv, tw_cli_job_fn job) {
  return job_command(name, argc, argv, job, 1);
}
#else
typedef int tw_cli_job_command_needs_yaml; /* ISO C wants a non-empty file */
#endif
