/*
** cmd_fed.c: `twinscale fed train CONFIG [--set KEY=VALUE]... [-o PATH] [--force] [--resume]`.
**
** Parses the command line and the fed_train config, hands the work to the
** federation (src/fed/fed.h), and reports the rounds. Under mpirun with the
** sites' ranks (sites[].ranks in all, or one per site). Exit status as
** `train`: 0, 2 bad input, 1 other failures, 128 + the signal when stopped
** (each site's checkpoint written first).
*/
#include "build_info.h" /* TW_HAVE_* */

#if TW_HAVE_YAML && TW_HAVE_HDF5 && TW_HAVE_MPI && TW_HAVE_SODIUM
#include <stdio.h>  /* printf */
#include <string.h> /* memset */

#include "cli/cli.h"          /* tw_cmd_fed_train */
#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command_resumable, tw_cli_job_exit */
#include "fed/fed.h"          /* tw_fed_run */

static void report(const tw_dist *dist, const tw_fed_config *c, const tw_fed_report *r) {
  if (dist->rank != 0 || r->n_rows == 0) return;
  const double *last = r->rows + (r->n_rows - 1) * tw_fed_row_width(r->n_sites);
  printf("rounds %lld..%lld of %lld local steps at %d sites: global validation loss %.5g\n", (long long)r->round0,
         (long long)r->rounds, (long long)c->federation.local_steps, r->n_sites, last[1]);
  for (int s = 0; s < r->n_sites; ++s) {
    printf("  %s: validation loss %.5g", c->sites[s].name, last[4 + s]);
    if (c->privacy.epsilon > 0) printf(", epsilon spent %.4g of %g (delta %g)", last[4 + r->n_sites + s],
                                       c->privacy.epsilon, c->privacy.delta);
    printf("\n");
  }
  printf("%lld weights, %lld bytes per update, %lld bytes between sites in all; %.1f s\n", (long long)r->n_params,
         (long long)r->update_bytes, (long long)r->bytes, r->seconds);
  printf("wrote %s\n", c->output.path);
}

static int run(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_fed_config c;
  tw_cfg_doc *doc = NULL;
  tw_fed_report rep;
  memset(&rep, 0, sizeof rep);
  tw_status st = tw_config_load(file, "fed_train", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    st = tw_fed_run(dist, &c, doc, co->resume, &rep);
    if (st == TW_OK) report(dist, &c, &rep);
    tw_cfg_release(&tw_fed_config_schema, &c);
  }
  tw_cfg_free(doc);
  tw_fed_report_free(&rep);
  st = tw_dist_agree(dist, st);
  return tw_cli_job_exit(dist, st, rep.signal);
}

int tw_cmd_fed_train(int argc, char **argv) { return tw_cli_job_command_resumable("fed train", argc, argv, run); }
#else
typedef int tw_cmd_fed_unavailable; /* the command needs libyaml, HDF5, MPI and libsodium */
#endif
