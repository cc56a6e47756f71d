/*
** cmd_cohort.c: `twinscale cohort generate CONFIG [--set KEY=VALUE] [-o PATH] [--force]`
** and `twinscale cohort import CONFIG [--set KEY=VALUE] [-o PATH] [--force]`.
**
** generate loads the `cohort` config, draws the cohort (src/cohort/generate.h),
** writes it and prints a summary table: per covariate mean, sd, min and max,
** per condition the prevalence, and how many twins needed a redraw. Every draw
** is keyed by twin id, so the cohort is the same for any thread and rank
** count; under a launcher the ranks share the draw and rank 0 writes and prints.
** import loads the `import` config, reads the salt from the environment
** variable the config names (the only place the salt is read from), imports
** the persons, imputes and draws (src/cohort/import.h), writes the cohort and
** prints the same kind of table with the share imputed per covariate.
** Exit status: 0; 2 bad input (one line, FILE:LINE:COL, the input file and
** row, or the twin that could not be drawn); 1 other failures.
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>  /* printf */
#include <string.h> /* memset */

#include "cli/cli.h"             /* tw_cli_fail, tw_cli_read_salt */
#include "cli/config_kinds.h"    /* tw_config_load */
#include "cli/job_command.h"     /* tw_cli_job_command */
#include "cohort/generate.h"     /* tw_cohort_job */
#include "cohort/import.h"       /* tw_import_job */

/* "subgroup children: 100 twins; mean age_y 9.5, ..." */
static void print_subgroup(const tw_cohort *h, const tw_cohort_config *c, int g) {
  int64_t n = 0;
  for (int64_t i = 0; i < h->n; ++i) n += h->subgroup[i] == g;
  printf("subgroup %s: %lld twins", g < c->n_subgroups ? c->subgroups[g].name : "main", (long long)n);
  for (int k = 0; k < h->n_vars && n > 0; ++k) {
    double m = 0;
    for (int64_t i = 0; i < h->n; ++i)
      if (h->subgroup[i] == g) m += h->cov[(size_t)k * (size_t)h->n + (size_t)i] / (double)n;
    printf("%s mean %s %.4g", k ? "," : ";", tw_cohort_var_name(h->var[k]), m);
  }
  printf("\n");
}

/* The parameters' lines: redraws, and the steady-state rule's counts. */
static void print_draws(const tw_cohort *h, const tw_cohort_config *c) {
  int64_t redrawn = 0;
  for (int64_t i = 0; i < h->n; ++i) redrawn += h->attempts[i] > 1;
  const tw_cohort_redraws *rd = &h->redraws;
  printf("parameters: pack %s, %d with variability, %lld twin(s) redrawn at least once; draws rejected: %lld out "
         "of range, %lld without a steady state\n", c->pack, c->parameters.n_variability, (long long)redrawn,
         (long long)rd->range, (long long)rd->steady);
  if (!rd->steady_rule) {
    printf("steady state: not checked (%s)\n", c->parameters.steady_state.hours > 0 ? "the pack has no basal rule" : "hours: 0");
    return;
  }
  printf("steady state: %lld draws integrated %g h at the basal rate in %.2f s; %lld twin(s) failed their first "
         "check; rejected %lld low, %lld high, %lld drifting, %lld non-finite\n", (long long)rd->draws_checked,
         c->parameters.steady_state.hours, rd->steady_seconds, (long long)rd->first_draw_failed,
         (long long)rd->steady_by[TW_STEADY_LOW], (long long)rd->steady_by[TW_STEADY_HIGH],
         (long long)rd->steady_by[TW_STEADY_DRIFT], (long long)rd->steady_by[TW_STEADY_NONFINITE]);
}

static void print_summary(const tw_cohort *h, const tw_cohort_config *c) {
  printf("%-16s %-18s %12s %12s %12s %12s\n", "covariate", "units", "mean", "sd", "min", "max");
  for (int k = 0; k < h->n_vars; ++k) {
    tw_cohort_stats s = tw_cohort_covariate_stats(h, k);
    printf("%-16s %-18s %12.4g %12.4g %12.4g %12.4g\n", tw_cohort_var_name(h->var[k]),
           tw_cohort_var_units(h->var[k]), s.mean, s.sd, s.min, s.max);
  }
  for (int j = 0; j < h->n_conditions; ++j)
    printf("%-16s prevalence %.4f (configured %.4f)\n", c->conditions[j].name, tw_cohort_prevalence(h, j),
           c->conditions[j].prevalence);
  for (int g = 0; g <= c->n_subgroups; ++g) print_subgroup(h, c, g);
  print_draws(h, c);
}

static int run(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h;
  memset(&h, 0, sizeof h);
  tw_status st = tw_config_load(file, "cohort", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    st = tw_cohort_job(dist, &c, tw_cfg_text(doc), co->force, &h);
    if (st == TW_OK && dist->rank == 0) {
      printf("wrote %s (%lld twins, seed %lld)\n", c.output.path, (long long)h.n, (long long)c.seed);
      print_summary(&h, &c);
    }
    tw_cohort_free(&h);
    tw_cfg_release(&tw_cohort_config_schema, &c);
  }
  tw_cfg_free(doc);
  return tw_cli_job_exit(dist, st, 0);
}

int tw_cmd_cohort_generate(int argc, char **argv) {
  return tw_cli_job_command("cohort generate", argc, argv, run);
}

/* ---- cohort import --------------------------------------------------------- */

/* The salt from the environment variable the config names: a config error at
** salt_env when it is unset or too short. */
static tw_status read_salt(const tw_import_config *c, const tw_cfg_doc *doc, const char **salt) {
  if (tw_cli_read_salt("salt_env", c->salt_env, salt) == TW_OK) return TW_OK;
  return tw_cfg_error_at(doc, tw_cfg_path_mark(doc, "salt_env"), "%s", tw_error_message());
}

static void print_import_row(const tw_imported *im, int v) {
  tw_cohort view = {.n = im->n, .cov = im->x};
  tw_cohort_stats s = tw_cohort_covariate_stats(&view, v);
  double pct = 100.0 * (double)(im->n_imputed[v] + im->n_derived[v]) / (double)im->n;
  printf("%-16s %-18s %12.4g %12.4g %12.4g %12.4g %8.1f%%", tw_cohort_var_name(v), tw_cohort_var_units(v), s.mean,
         s.sd, s.min, s.max, pct);
  if (im->n_derived[v]) printf(" (%lld derived)", (long long)im->n_derived[v]);
  if (im->n_clamped[v]) printf(" (%lld clamped: beyond the marginal's range or 4.75 sd into its tail)", (long long)im->n_clamped[v]);
  printf("\n");
}

static void print_import(const tw_imported *im, const tw_import_config *c) {
  const tw_import_report *r = &im->persons.report;
  printf("persons: %lld in the source; left out: %lld deceased, %lld unborn, %lld with a body weight outside the "
         "pack's range; kept %lld\n", (long long)r->source_persons, (long long)r->deceased_excluded,
         (long long)r->unborn_excluded, (long long)im->weight_out_of_range, (long long)im->n);
  printf("%-16s %-18s %12s %12s %12s %12s %9s\n", "covariate", "units", "mean", "sd", "min", "max", "imputed");
  for (int v = 0; v < TW_CH_N_VARS; ++v)
    if (tw_imported_complete(im, v)) print_import_row(im, v);
    else printf("%-16s not written: missing for %lld of %lld persons and no marginal to impute it from\n",
                tw_cohort_var_name(v), (long long)im->n_missing[v], (long long)im->n);
  for (int j = 0; j < TW_COND_COUNT; ++j) {
    int64_t k = 0;
    for (int64_t i = 0; i < im->n; ++i) k += im->persons.persons[i].cond[j];
    printf("%-16s prevalence %.4f\n", tw_condition_name((tw_condition)j), (double)k / (double)im->n);
  }
  print_draws(&im->draws, &c->model);
}

static tw_status import_and_write(const tw_import_config *c, const tw_cfg_doc *doc, int force) {
  const char *salt, *given = c->source.synthea ? c->source.synthea : c->source.person_csv;
  char source[4096];
  TW_TRY(read_salt(c, doc, &salt));
  tw_cfg_resolve(doc, given, source, sizeof source);
  tw_imported im;
  memset(&im, 0, sizeof im);
  tw_status st = tw_import_job(c, source, salt, tw_cfg_text(doc), force, &im);
  if (st == TW_OK) {
    printf("wrote %s (%lld twins from %s, reference date %s, seed %lld)\n", c->model.output.path, (long long)im.n,
           im.persons.source, c->reference_date, (long long)c->model.seed);
    print_import(&im, c);
  }
  tw_imported_free(&im);
  return st;
}

/* An import is small: rank 0 of a launch does it; the others agree on its status. */
static int run_import(const char *file, const tw_config_opts *co, const tw_dist *dist) {
  tw_import_config c;
  tw_cfg_doc *doc = NULL;
  tw_status st = tw_config_load(file, "import", co->set.items, co->set.n, co->output, &c, &doc);
  if (st == TW_OK) {
    if (dist->rank == 0) st = import_and_write(&c, doc, co->force);
    tw_cfg_release(&tw_import_config_schema, &c);
  }
  tw_cfg_free(doc);
  return tw_cli_job_exit(dist, tw_dist_agree(dist, st), 0);
}

int tw_cmd_cohort_import(int argc, char **argv) {
  return tw_cli_job_command("cohort import", argc, argv, run_import);
}
#else
typedef int tw_cmd_cohort_needs_yaml_and_hdf5; /* ISO C wants a non-empty file */
#endif
