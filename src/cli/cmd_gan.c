/*
** cmd_gan.c: `twinscale gan report --real R.h5 --synthetic S.h5 --holdout H.h5
** --json Q.json [--seed S]`: fidelity and privacy of a synthetic cohort as
** SDMetrics defines them (src/gan/report.h), as JSON and a few lines on stdout.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include <stdio.h> /* printf */

#include "cli/cli.h"     /* tw_cmd_gan_report, tw_cli_fail */
#include "cli/options.h" /* tw_opts_parse_named */
#include "gan/report.h"  /* tw_gan_report_run */

static void print_summary(const tw_gan_report *r, const char *json) {
  printf("%lld real, %lld synthetic, %lld holdout rows; %d columns\n", (long long)r->real.n_rows,
         (long long)r->synthetic.n_rows, (long long)r->holdout.n_rows, r->schema.n_cols);
  printf("quality %.4f (column shapes %.4f, column pair trends %.4f)\n", r->score, r->column_shapes,
         r->column_pair_trends);
  printf("privacy: new row synthesis %.4f, DCR overfitting protection %.4f, DCR baseline protection %.4f\n",
         r->new_row_synthesis, r->dcr_overfitting_protection, r->dcr_baseline_protection);
  printf("wrote %s\n", json);
}

int tw_cmd_gan_report(int argc, char **argv) {
  const char *real = NULL, *synthetic = NULL, *holdout = NULL, *json = NULL;
  int64_t seed = 0;
  const tw_opt opts[] = {
      {.name = "real", .kind = TW_OPT_STRING, .dest = &real, .required = 1},
      {.name = "synthetic", .kind = TW_OPT_STRING, .dest = &synthetic, .required = 1},
      {.name = "holdout", .kind = TW_OPT_STRING, .dest = &holdout, .required = 1},
      {.name = "json", .kind = TW_OPT_STRING, .dest = &json, .required = 1},
      {.name = "seed", .kind = TW_OPT_INT, .dest = &seed, .min = 0, .max = 9007199254740992.0},
  };
  int bad = tw_opts_parse_named("gan report", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  tw_gan_report r;
  tw_status st = tw_gan_report_run(real, synthetic, holdout, (uint64_t)seed, &r);
  if (st != TW_OK) return tw_cli_fail(st);
  st = tw_gan_report_write_json(&r, json);
  if (st == TW_OK) print_summary(&r, json);
  tw_gan_report_free(&r);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}
#else
typedef int tw_cmd_gan_unavailable; /* the command reads HDF5 cohort files */
#endif
