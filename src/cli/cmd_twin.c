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
** Under mpirun every rank fits a contiguous share of the persons and rank 0
** writes the file (the bits of one rank: src/twin/fit_gather.c).
**
** `twinscale twin replay --twins T.h5 --records R --scenario S.yaml -o OUT.h5
** [--person ID] [--persons P.csv --salt-env VAR] [--force]`: every fitted
** person's recorded days under the recorded and the `twin_replay` scenario's
** therapy (src/twin/replay.h), scored with the trial's glucose endpoints
** (src/trial/endpoints.h): the command joins the two, which are peers.
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

static void fit_report(const char *path, const tw_twin_fit_report *r, int ranks) {
  printf("wrote %s (%lld persons: %lld fitted, %lld flagged: %lld not converged, %lld without CGM in fit_days, "
         "%lld poor fits)\n", path, (long long)r->persons, (long long)r->fitted, (long long)r->flagged,
         (long long)r->not_converged, (long long)r->no_data, (long long)r->poor);
  printf("MAP + sampler: %.1f s on %d rank%s (%s), %lld batched simulations, %.1f persons/min; median RMS CGM residual "
         "%.1f mg/dL; %lld chains not converged\n", r->seconds, ranks, ranks > 1 ? "s" : "", r->backend,
         (long long)r->evaluations,
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
    if (st == TW_OK) st = tw_twin_fit_run(&c, doc, salt, co->force, dist, &rep);
    tw_cfg_release(&tw_twin_fit_config_schema, &c);
  }
  tw_cfg_free(doc);
  st = tw_dist_agree(dist, st);
  if (st == TW_OK && dist->rank == 0) fit_report(path, &rep, dist->size);
  return tw_cli_job_exit(dist, st, 0);
}

int tw_cmd_twin_fit(int argc, char **argv) { return tw_cli_job_command("twin fit", argc, argv, run_fit); }

#include "trial/endpoints.h" /* tw_endpoints: the trial's glucose endpoints */
#include "twin/replay.h"     /* tw_replay_run */

/* The trial's glucose endpoints over T minutes of n samples v, at minutes
** minute[k] (NULL: every minute, k + 1). */
static tw_status score_glucose(int64_t T, int64_t n, const int64_t *minute, const double *v, double *out) {
  tw_endpoints e;
  const tw_ep_window w = {.warmup_min = 0, .duration_min = T, .every_min = 1};
  TW_TRY(tw_endpoints_init(&e, 1, 1, w, NULL, 0));
  tw_status st = TW_OK;
  for (int64_t k = 0; k < n && st == TW_OK; ++k) st = tw_endpoints_update(&e, v + k, minute ? minute[k] : k + 1);
  if (st == TW_OK) st = tw_endpoints_finalize(&e, out, 1);
  tw_endpoints_free(&e);
  return st;
}

/* A run's bg, every minute counted (the trial's `glucose: bg`). */
static tw_status score_bg(void *ctx, int64_t T, const double *bg, double *out) {
  (void)ctx;
  return score_glucose(T, T, NULL, bg, out);
}

/* The CGM record, every reading counted (the trial's `glucose: cgm`). */
static tw_status score_cgm(void *ctx, int64_t T, int64_t n, const int64_t *minute, const double *v, double *out) {
  (void)ctx;
  return score_glucose(T, n, minute, v, out);
}

/* The endpoints' names and units, from an accumulator of one twin. */
static tw_status bg_scorer(tw_replay_scorer *s, const char **names, const char **units) {
  tw_endpoints e;
  const tw_ep_window w = {.warmup_min = 0, .duration_min = 1, .every_min = 1};
  TW_TRY(tw_endpoints_init(&e, 1, 1, w, NULL, 0));
  s->n = tw_endpoints_count(&e);
  for (int k = 0; k < s->n; ++k) names[k] = tw_endpoints_name(&e, k), units[k] = tw_endpoints_units(&e, k);
  tw_endpoints_free(&e);
  s->names = names, s->units = units, s->score = score_bg, s->score_samples = score_cgm, s->ctx = NULL;
  return TW_OK;
}

typedef struct replay_args {
  const char *twins, *records, *scenario, *output, *person, *persons, *salt_env;
  int force;
} replay_args;

/* The records: a records file, or imported (a CSV or a Nightscout folder) with the salt. */
static tw_status replay_records(const replay_args *a, tw_records *r) {
  if (!a->salt_env) return tw_records_read_h5(a->records, r);
  tw_records_options opt = {.records = a->records, .persons = a->persons};
  TW_TRY(tw_cli_read_salt("twin replay: --salt-env", a->salt_env, &opt.salt));
  return tw_records_import(&opt, r);
}

static void replay_summary(const replay_args *a, const tw_replay_report *r) {
  printf("wrote %s (%lld persons: %lld replayed, %lld flagged fits skipped, %lld without CGM in the days)\n", a->output,
         (long long)r->persons, (long long)r->replayed, (long long)r->skipped, (long long)r->no_data);
  if (r->skipped_ids) printf("skipped (flagged fits): %s\n", r->skipped_ids);
  if (r->stopped > 0)
    printf("stopped: %lld changed run(s) reached plasma glucose 0 in the controller's loop, where the model stops "
           "(docs/physiology.md): their endpoints are NaN\n", (long long)r->stopped);
  if (r->draws) printf("bands: q05, q50, q95 over %lld posterior draws per person\n", (long long)r->draws);
  else printf("bands: none, MAP only (the twins file has no /fit/draws)\n");
  printf("replay: %.2f s, %lld simulations, %.1f persons/s\n", r->seconds, (long long)r->columns,
         r->seconds > 0 ? (double)r->replayed / r->seconds : 0.0);
}

static tw_status run_replay(const replay_args *a, tw_replay_report *rep) {
  tw_replay_config sc;
  tw_cfg_doc *doc = NULL;
  TW_TRY(tw_config_load(a->scenario, "twin_replay", NULL, 0, NULL, &sc, &doc));
  const char *names[TW_EP_MAX_THRESHOLDS + TW_EP_N_BG], *units[TW_EP_MAX_THRESHOLDS + TW_EP_N_BG];
  tw_replay_scorer scorer;
  tw_replay_opts o = {.twins_path = a->twins, .output = a->output, .person = a->person, .config_text = tw_cfg_text(doc),
                      .scenario = &sc, .scorer = &scorer, .force = a->force};
  tw_twins t;
  tw_records r;
  memset(&t, 0, sizeof t), memset(&r, 0, sizeof r);
  tw_status st = bg_scorer(&scorer, names, units);
  if (st == TW_OK) st = tw_twins_read(a->twins, &t);
  if (st == TW_OK) st = replay_records(a, &r);
  if (st == TW_OK) st = tw_replay_run(&t, &r, &o, rep);
  tw_records_free(&r);
  tw_twins_free(&t);
  tw_cfg_release(&tw_replay_config_schema, &sc);
  tw_cfg_free(doc);
  return st;
}

int tw_cmd_twin_replay(int argc, char **argv) {
  replay_args a = {0};
  const tw_opt opts[] = {
      {.name = "twins", .kind = TW_OPT_STRING, .dest = &a.twins, .required = 1},
      {.name = "records", .kind = TW_OPT_STRING, .dest = &a.records, .required = 1},
      {.name = "scenario", .kind = TW_OPT_STRING, .dest = &a.scenario, .required = 1},
      {.name = "output", .short_name = 'o', .kind = TW_OPT_STRING, .dest = &a.output, .required = 1},
      {.name = "person", .kind = TW_OPT_STRING, .dest = &a.person},
      {.name = "persons", .kind = TW_OPT_STRING, .dest = &a.persons},
      {.name = "salt-env", .kind = TW_OPT_STRING, .dest = &a.salt_env},
      {.name = "force", .kind = TW_OPT_FLAG, .dest = &a.force},
  };
  int bad = tw_opts_parse_named("twin replay", opts, (int)TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  tw_replay_report rep;
  memset(&rep, 0, sizeof rep);
  const tw_status st = run_replay(&a, &rep);
  if (st == TW_OK) replay_summary(&a, &rep);
  tw_replay_report_free(&rep);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}
#endif
#else
typedef int tw_cmd_twin_needs_hdf5; /* ISO C wants a non-empty file */
#endif
