/*
** import.c: real persons into real twins (import.h). Per person: the
** importer's values (age, sex, six covariates, NaN where missing); a missing
** one of weight_kg, height_cm and bmi derived from the other two where both are
** known; the rest imputed from the cohort model's copula (import_impute.c);
** height or bmi derived again from what was imputed. Persons whose body weight the pack
** cannot take are left out and counted. Then their pack parameters, drawn by
** the generator's own code for twins with these covariates (generate.h).
*/
#include "cohort/import.h"

#include <math.h>   /* isnan, pow, sqrt */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

#include "physio/pack.h" /* tw_pack_find, tw_pack_param_index */

/* The cohort variable of each importer covariate (same names). */
static tw_status var_of(tw_covariate k, int *v) {
  *v = tw_cohort_var_index(tw_covariate_name(k));
  return *v >= 0 ? TW_OK : TW_FAIL(TW_ERR_INTERNAL, "no cohort variable %s", tw_covariate_name(k));
}

static tw_status read_person(const tw_person *p, double *x) {
  x[TW_CH_AGE] = p->age_y;
  x[TW_CH_SEX] = p->sex == TW_SEX_MALE;
  for (int k = 0; k < TW_COV_COUNT; ++k) {
    int v;
    TW_TRY(var_of((tw_covariate)k, &v));
    x[v] = p->missing[k] ? NAN : p->cov[k];
  }
  return TW_OK;
}

/* A missing one of weight_kg, height_cm, bmi from the other two: bmi = w / (h/100)^2. */
static void derive(double *x, unsigned char *how) {
  double w = x[TW_CH_WEIGHT], h = x[TW_CH_HEIGHT], b = x[TW_CH_BMI];
  if (isnan(w) && !isnan(h) && !isnan(b)) x[TW_CH_WEIGHT] = b * pow(h / 100, 2), how[TW_CH_WEIGHT] |= TW_IMPORT_DERIVED;
  if (isnan(w)) return;
  if (isnan(b) && !isnan(h)) x[TW_CH_BMI] = w / pow(h / 100, 2), how[TW_CH_BMI] |= TW_IMPORT_DERIVED;
  if (isnan(h) && !isnan(b)) x[TW_CH_HEIGHT] = 100 * sqrt(w / b), how[TW_CH_HEIGHT] |= TW_IMPORT_DERIVED;
}

/* Person i's covariates, complete where the model allows, into the (V, n) arrays. */
static tw_status complete(const tw_impute_model *md, tw_imported *im, int64_t i) {
  double x[TW_CH_N_VARS];
  unsigned char how[TW_CH_N_VARS] = {0}, imputed[TW_CH_N_VARS] = {0}, clamped[TW_CH_N_VARS] = {0};
  TW_TRY(read_person(&im->persons.persons[i], x));
  derive(x, how);
  TW_TRY(tw_impute_person(md, x, imputed, clamped));
  derive(x, how);
  for (int v = 0; v < TW_CH_N_VARS; ++v) {
    size_t at = (size_t)v * (size_t)im->n + (size_t)i;
    im->x[at] = x[v];
    im->how[at] = how[v] | (imputed[v] ? TW_IMPORT_IMPUTED : 0) | (clamped[v] ? TW_IMPORT_CLAMPED : 0);
  }
  return TW_OK;
}

/* Keeps the persons whose keep[i] is set, in order, in every per-person array. */
static void compact(tw_imported *im, const unsigned char *keep) {
  int64_t n = im->n, w = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    im->persons.persons[w] = im->persons.persons[i];
    for (int v = 0; v < TW_CH_N_VARS; ++v) {
      im->x[(size_t)v * (size_t)n + (size_t)w] = im->x[(size_t)v * (size_t)n + (size_t)i];
      im->how[(size_t)v * (size_t)n + (size_t)w] = im->how[(size_t)v * (size_t)n + (size_t)i];
    }
    ++w;
  }
  for (int v = 1; v < TW_CH_N_VARS; ++v) { /* close the gaps between the variables' rows */
    memmove(im->x + (size_t)v * (size_t)w, im->x + (size_t)v * (size_t)n, (size_t)w * sizeof *im->x);
    memmove(im->how + (size_t)v * (size_t)w, im->how + (size_t)v * (size_t)n, (size_t)w);
  }
  im->n = im->persons.n = w;
}

/* Leaves out the persons whose weight, the pack's body weight, is outside its range. */
static tw_status weight_filter(const tw_import_config *c, tw_imported *im) {
  const tw_pack *pack = tw_pack_find(c->model.pack);
  int bw = pack && pack->body_weight_param ? tw_pack_param_index(pack, pack->body_weight_param) : -1;
  if (bw < 0 || !tw_cohort_marginal_of(&c->model, TW_CH_WEIGHT)) return TW_OK; /* weight does not set it */
  im->bw_lo = pack->params[bw].lo, im->bw_hi = pack->params[bw].hi;
  unsigned char *keep = malloc((size_t)im->n + 1);
  if (!keep) return TW_FAIL(TW_ERR_NOMEM, "import: %lld persons", (long long)im->n);
  for (int64_t i = 0; i < im->n; ++i) {
    keep[i] = tw_pack_param_ok(pack, bw, im->x[(size_t)TW_CH_WEIGHT * (size_t)im->n + (size_t)i]);
    im->weight_out_of_range += !keep[i];
  }
  compact(im, keep);
  free(keep);
  return TW_OK;
}

static void count(tw_imported *im) {
  for (int v = 0; v < TW_CH_N_VARS; ++v)
    for (int64_t i = 0; i < im->n; ++i) {
      size_t at = (size_t)v * (size_t)im->n + (size_t)i;
      im->n_imputed[v] += (im->how[at] & TW_IMPORT_IMPUTED) != 0;
      im->n_derived[v] += (im->how[at] & TW_IMPORT_DERIVED) != 0;
      im->n_clamped[v] += (im->how[at] & TW_IMPORT_CLAMPED) != 0;
      im->n_missing[v] += isnan(im->x[at]);
    }
}

static tw_status none_left(const tw_import_config *c, const tw_imported *im, const char *source_path) {
  const tw_import_report *r = &im->persons.report;
  return TW_FAIL(TW_ERR_INPUT, "%s: no persons left to import at %s: %lld in the source, %lld deceased and %lld "
                 "unborn left out, %lld with a body weight outside [%g, %g] kg", source_path, c->reference_date,
                 (long long)r->source_persons, (long long)r->deceased_excluded, (long long)r->unborn_excluded,
                 (long long)im->weight_out_of_range, im->bw_lo, im->bw_hi);
}

/* The covariates of every person, imputed, and the weight filter. */
static tw_status covariates(const tw_import_config *c, tw_imported *im) {
  tw_impute_model md;
  TW_TRY(tw_impute_model_make(&c->model, &md));
  im->n = im->persons.n;
  im->x = malloc((size_t)TW_CH_N_VARS * (size_t)im->n * sizeof *im->x + 1);
  im->how = calloc((size_t)TW_CH_N_VARS * (size_t)im->n + 1, 1);
  if (!im->x || !im->how) return TW_FAIL(TW_ERR_NOMEM, "import: %lld persons", (long long)im->n);
  for (int64_t i = 0; i < im->n; ++i) TW_TRY(complete(&md, im, i));
  TW_TRY(weight_filter(c, im));
  count(im);
  return TW_OK;
}

tw_status tw_import_run(const tw_import_config *c, const char *source_path, const char *salt, int threads,
                        tw_imported *out) {
  memset(out, 0, sizeof *out);
  tw_import_options opt = {.reference_date = c->reference_date, .salt = salt, .keep_deceased = c->keep_deceased};
  TW_TRY(c->source.synthea ? tw_synthea_import(source_path, &opt, &out->persons)
                           : tw_person_csv_import(source_path, &opt, &out->persons));
  tw_status st = covariates(c, out);
  if (st == TW_OK && out->n == 0) st = none_left(c, out, source_path);
  if (st == TW_OK) st = tw_cohort_generate_given(&c->model, threads, out->n, out->x, &out->draws);
  if (st != TW_OK) tw_imported_free(out);
  return st;
}

void tw_imported_free(tw_imported *im) {
  tw_person_table_free(&im->persons);
  free(im->x), free(im->how);
  tw_cohort_free(&im->draws);
  memset(im, 0, sizeof *im);
}

int tw_imported_complete(const tw_imported *im, int v) {
  for (int64_t i = 0; i < im->n; ++i)
    if (isnan(im->x[(size_t)v * (size_t)im->n + (size_t)i])) return 0;
  return 1;
}
