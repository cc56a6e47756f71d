/*
** cmd_train.c: `twinscale train CONFIG [--set KEY=VALUE]... [-o PATH] [--force] [--resume]`.
**
** Parses the command line and the train config, hands the work to the
** trainer (src/train/train.h), and reports what it wrote. Exit status as the
** other jobs: 0, 2 bad input, 1 other failures, 128 + the signal when stopped
** (a checkpoint is written first).
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>  /* printf */
#include <string.h> /* memset */

#include "cli/cli.h"          /* tw_cmd_train */
#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command_resumable, tw_cli_job_exit */
#include "train/train.h"      /* tw_train_run */

static void report(const tw_dist *dist, const char *path, const tw_train_report *r) {
  if (dist->rank != 0) return;
  printf("data: %lld training twins, %lld held out, %lld windows%s\n", (long long)r->n_train, (long long)r->n_val,
         (long long)r->n_windows, r->n_failed ? " (twins whose simulation failed left out)" : "");
  printf("steps %lld..%lld: loss %.5g, validation %.5g, %.4g twin-steps/s (forward, backward, AdamW)\n",
         (long long)r->step0, (long long)r->steps, r->loss, r->val_loss, r->twin_steps_per_s);
  printf("wrote %s (backend %s, %.1f s training)\n", path, r->backend, r->seconds);
}

static int run(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_train_config c;
  tw_cfg_doc *doc = NULL;
  tw_train_report rep;
  memset(&rep, 0, sizeof rep);
  char path[4096] = "";
  tw_status st = tw_config_load(file, "train", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    st = tw_train_run(dist, &c, doc, co->resume, &rep);
    tw_cfg_release(&tw_train_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK) report(dist, path, &rep);
  return tw_cli_job_exit(dist, st, rep.signal);
}

int tw_cmd_train(int argc, char **argv) { return tw_cli_job_command_resumable("train", argc, argv, run); }
#else
typedef int tw_cmd_train_unavailable; /* the command needs libyaml and HDF5 */
#endif
