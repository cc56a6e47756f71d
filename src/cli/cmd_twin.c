/*
** cmd_twin.c: `twinscale twin import --records PATH [--persons PATH]
** --salt-env VAR -o|--output PATH [--json PATH] [--gap-min MIN]
** [--person-id ID] [--weight-kg KG]`: a person's own records (a long CSV or a
** Nightscout export folder) imported for personal twins (src/twin/records.h),
** written as the records file the fit reads, with a summary of what was used,
** what was left out and why, and which persons are flagged.
**
** Like `cohort import`, the salt is read only from the environment variable
** named by --salt-env, so it is never on a command line, in a file or a message.
** Exit status: 0; 2 bad input (one line: FILE:LINE:COL, FILE: record N (line L),
** an unset or short salt, no person with a usable CGM sample; no records file
** is written then); 1 other failures.
**
** `twinscale twin fit CONFIG [--set KEY=VALUE]... [-o PATH] [--force]`: the
** `twin_fit` config (src/twin/fit_job.h): every person of a records file
** fitted by batched MAP and written as fitted twins, with a summary line.
** Fits on rank 0 alone (the fit is not distributed over ranks yet).
*/
#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include <stdio.h>  /* printf, fprintf */
#include <string.h> /* memset */

#include "cli/cli.h"       /* tw_cmd_twin_import, tw_cli_fail, tw_cli_read_salt */
#include "cli/options.h"   /* tw_opts_parse_named */
#include "twin/records.h"  /* tw_records_import */

static int64_t total(const tw_records *r, tw_rec_reason k) {
  int64_t n = 0;
  for (int64_t i = 0; i < r->n; ++i) n += r->persons[i].count[k];
  return n;
}

static void print_summary(const tw_records *r, const char *output) {
  printf("wrote %s (%lld persons from %s, %lld records read; %lld CGM samples, %lld carbohydrate records, "
         "%lld boluses, %lld basal segments)\n", output, (long long)r->n, r->source, (long long)r->source_records,
         (long long)r->n_cgm, (long long)r->n_carb, (long long)r->n_bolus, (long long)r->n_basal);
  printf("flags:");
  for (int b = 0; b < TW_REC_FLAG_COUNT; ++b) {
    int64_t n = 0;
    for (int64_t i = 0; i < r->n; ++i) n += (r->persons[i].flags >> b) & 1;
    printf(" %s %lld%s", tw_rec_flag_name(b), (long long)n, b + 1 < TW_REC_FLAG_COUNT ? "," : "\n");
  }
  for (int k = 0; k < TW_RR_COUNT; ++k)
    if (total(r, (tw_rec_reason)k))
      printf("%-28s %10lld  %s\n", tw_rec_reason_name((tw_rec_reason)k), (long long)total(r, (tw_rec_reason)k),
             tw_rec_reason_text((tw_rec_reason)k));
}

typedef struct import_args {
  const char *records, *persons, *salt_env, *output, *json, *person_id;
  double gap_min, weight_kg;
} import_args;

static tw_status run_import(const import_args *a, tw_records *r) {
  tw_records_options opt = {.records = a->records, .persons = a->persons, .gap_min = a->gap_min,
                            .person_id = a->person_id, .weight_kg = a->weight_kg};
  TW_TRY(tw_cli_read_salt("twin import: --salt-env", a->salt_env, &opt.salt));
  TW_TRY(tw_records_import(&opt, r));
  if (a->json) TW_TRY(tw_records_write_report(r, a->json)); /* also when nothing is usable: it says why */
  TW_TRY(tw_records_check_usable(r, a->records));
  return tw_records_write_h5(r, a->output);
}

int tw_cmd_twin_import(int argc, char **argv) {
  import_args a = {.gap_min = 30.0};
  const tw_opt opts[] = {
      {.name = "records", .kind = TW_OPT_STRING, .dest = &a.records, .required = 1},
      {.name = "persons", .kind = TW_OPT_STRING, .dest = &a.persons},
      {.name = "salt-env", .kind = TW_OPT_STRING, .dest = &a.salt_env, .required = 1},
      {.name = "output", .short_name = 'o', .kind = TW_OPT_STRING, .dest = &a.output, .required = 1},
      {.name = "json", .kind = TW_OPT_STRING, .dest = &a.json},
      {.name = "gap-min", .kind = TW_OPT_NUMBER, .dest = &a.gap_min, .min = 1, .max = 1440},
      {.name = "person-id", .kind = TW_OPT_STRING, .dest = &a.person_id},
      {.name = "weight-kg", .kind = TW_OPT_NUMBER, .dest = &a.weight_kg, .min = 1, .max = 700},
  };
  int bad = tw_opts_parse_named("twin import", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  tw_records r = {0};
  const tw_status st = run_import(&a, &r);
  if (st == TW_OK) print_summary(&r, a.output);
  tw_records_free(&r);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}

#if TW_HAVE_YAML
#include "cli/config_kinds.h" /* tw_config_load */
#include "cli/job_command.h"  /* tw_cli_job_command, tw_cli_job_exit */
#include "twin/fit_job.h"     /* tw_twin_fit_run */

static void fit_report(const char *path, const tw_twin_fit_report *r) {
  printf("wrote %s (%lld persons: %lld fitted, %lld flagged: %lld not converged, %lld without CGM in fit_days, "
         "%lld poor fits)\n", path, (long long)r->persons, (long long)r->fitted, (long long)r->flagged,
         (long long)r->not_converged, (long long)r->no_data, (long long)r->poor);
  printf("MAP + sampler: %.1f s, %lld batched simulations, %.1f persons/min; median RMS CGM residual %.1f mg/dL; %lld "
         "chains not converged\n", r->seconds, (long long)r->evaluations,
         r->seconds > 0 ? 60.0 * (double)r->persons / r->seconds : 0.0, r->median_rms, (long long)r->chain_not_converged);
}

/* An import inside the fit: the salt from the variable salt_env names, a
** config error there when it is missing; NULL when the records are a file. */
static tw_status fit_salt(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const char **salt) {
  *salt = NULL;
  if (!tw_twin_fit_imports(c, doc)) return TW_OK;
  if (!c->salt_env)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "records", c->mark), "records: '%s' is not a records file, so "
                           "it is imported: name the salt's environment variable in salt_env", c->records);
  if (tw_cli_read_salt("salt_env", c->salt_env, salt) != TW_OK)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "salt_env", c->mark), "%s", tw_error_message());
  return TW_OK;
}

static int run_fit(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_twin_fit_config c;
  tw_cfg_doc *doc = NULL;
  tw_twin_fit_report rep;
  memset(&rep, 0, sizeof rep);
  char path[4096] = "";
  tw_status st = tw_config_load(file, "twin_fit", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    const char *salt = NULL;
    st = fit_salt(&c, doc, &salt);
    if (st == TW_OK && dist->rank == 0) st = tw_twin_fit_run(&c, doc, salt, co->force, &rep);
    tw_cfg_release(&tw_twin_fit_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK && dist->rank == 0) fit_report(path, &rep);
  return tw_cli_job_exit(dist, st, 0);
}

int tw_cmd_twin_fit(int argc, char **argv) { return tw_cli_job_command("twin fit", argc, argv, run_fit); }
#endif
#else
typedef int tw_cmd_twin_needs_hdf5; /* ISO C wants a non-empty file */
#endif
