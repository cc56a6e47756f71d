/*
** cmd_evaluate.c: `twinscale evaluate --model M.h5 --data D.h5 --json E.json
** [--backend auto|cpu|cuda]`: rollout errors of a learned twin against a
** simulate file (src/train/evaluate.h), as JSON and one table on stdout.
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h> /* printf */

#include "cli/cli.h"        /* tw_cmd_evaluate, tw_cli_fail */
#include "cli/options.h"    /* tw_opts_parse_named */
#include "train/evaluate.h" /* tw_evaluate */

static void print_table(const tw_eval_result *r, const char *json) {
  const int o = r->headline;
  printf("%lld forecast origins on %lld twins, %.2f s (backend %s)\n", (long long)r->n_origins,
         (long long)r->n_twins, r->seconds, r->backend);
  printf("%-10s %8s %12s %12s %16s\n", r->obs_name[o], "horizon", "rmse", "mae", "persistence rmse");
  for (int h = 0; h < TW_EVAL_HORIZONS; ++h)
    printf("%-10s %5d min %12.3f %12.3f %16.3f  %s\n", "", r->horizon_min[h], r->rmse[o][h], r->mae[o][h],
           r->persistence_rmse[o][h], r->obs_unit[o]);
  printf("wrote %s\n", json);
}

int tw_cmd_evaluate(int argc, char **argv) {
  const char *model = NULL, *data = NULL, *json = NULL;
  int backend = 0;
  const tw_opt opts[] = {
      {.name = "model", .kind = TW_OPT_STRING, .dest = &model, .required = 1},
      {.name = "data", .kind = TW_OPT_STRING, .dest = &data, .required = 1},
      {.name = "json", .kind = TW_OPT_STRING, .dest = &json, .required = 1},
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends},
  };
  int bad = tw_opts_parse_named("evaluate", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  tw_eval_result r;
  tw_status st = tw_evaluate(model, data, tw_opt_backends[backend], &r);
  if (st == TW_OK) st = tw_evaluate_write_json(&r, json);
  if (st != TW_OK) return tw_cli_fail(st);
  print_table(&r, json);
  return 0;
}
#else
typedef int tw_cmd_evaluate_unavailable; /* the command needs libyaml and HDF5 */
#endif
