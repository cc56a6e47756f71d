/*
** import_h5.c: an imported cohort to HDF5 (import.h), in the layout of a
** generated one (docs/cohorts.md) so that `simulate` and `trial` read it
** unchanged, plus which values were imputed. What it writes is all that leaves
** the import: pseudonyms, covariates, flags, conditions, drawn parameters and
** counts; never a source id, a name, an address, the salt or its variable's value.
*/
#include "cohort/import.h"

#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc */

#include "io/h5.h" /* tw_h5_* */

static tw_status write_ids(tw_h5_file *f, const tw_imported *im) {
  const char **ids = malloc((size_t)im->n * sizeof *ids + 1);
  if (!ids) return TW_FAIL(TW_ERR_NOMEM, "import: %lld ids", (long long)im->n);
  for (int64_t i = 0; i < im->n; ++i) ids[i] = im->persons.persons[i].id;
  tw_status st = tw_h5_write_strings(f, "/cohort/id", ids, im->n, "1");
  free(ids);
  return st;
}

/* Variable v (complete) under /cohort/covariates, and its flags under /cohort/imputed. */
static tw_status write_variable(tw_h5_file *f, const tw_imported *im, int v, int32_t *i32) {
  char path[160];
  const double *x = im->x + (size_t)v * (size_t)im->n;
  const unsigned char *how = im->how + (size_t)v * (size_t)im->n;
  snprintf(path, sizeof path, "/cohort/covariates/%s", tw_cohort_var_name(v));
  if (v == TW_CH_SEX) {
    for (int64_t i = 0; i < im->n; ++i) i32[i] = (int32_t)x[i];
    return tw_h5_write_array(f, path, TW_I32, i32, 1, &im->n, "1");
  }
  TW_TRY(tw_h5_write_array(f, path, TW_F64, (void *)x, 1, &im->n, tw_cohort_var_units(v)));
  if (v == TW_CH_AGE) return TW_OK; /* never missing */
  for (int64_t i = 0; i < im->n; ++i) i32[i] = (how[i] & (TW_IMPORT_IMPUTED | TW_IMPORT_DERIVED)) != 0;
  snprintf(path, sizeof path, "/cohort/imputed/%s", tw_cohort_var_name(v));
  return tw_h5_write_array(f, path, TW_I32, i32, 1, &im->n, "1");
}

static tw_status write_persons(tw_h5_file *f, const tw_imported *im, int32_t *i32) {
  char path[160];
  for (int v = 0; v < TW_CH_N_VARS; ++v)
    if (tw_imported_complete(im, v)) TW_TRY(write_variable(f, im, v, i32));
  for (int j = 0; j < TW_COND_COUNT; ++j) {
    for (int64_t i = 0; i < im->n; ++i) i32[i] = im->persons.persons[i].cond[j];
    snprintf(path, sizeof path, "/cohort/conditions/%s", tw_condition_name((tw_condition)j));
    TW_TRY(tw_h5_write_array(f, path, TW_I32, i32, 1, &im->n, "1"));
  }
  for (int64_t i = 0; i < im->n; ++i) i32[i] = im->persons.persons[i].deceased;
  return tw_h5_write_array(f, "/cohort/deceased", TW_I32, i32, 1, &im->n, "1");
}

static tw_status write_attributes(tw_h5_file *f, const tw_imported *im) {
  const tw_import_report *r = &im->persons.report;
  TW_TRY(tw_h5_attr_write_string(f, "cohort_source", im->persons.source));
  TW_TRY(tw_h5_attr_write_string(f, "cohort_reference_date", im->persons.reference_date));
  TW_TRY(tw_h5_attr_write_string(f, "cohort_pseudonym", "hex(HMAC-SHA-256(salt, source id))"));
  TW_TRY(tw_h5_attr_write_string(f, "cohort_imputation", "conditional mean of the copula's latent normal given the "
                                 "known covariates, through the marginal's quantile (docs/import.md)"));
  TW_TRY(tw_h5_attr_write_i64(f, "cohort_source_persons", r->source_persons));
  TW_TRY(tw_h5_attr_write_i64(f, "cohort_deceased_excluded", r->deceased_excluded));
  TW_TRY(tw_h5_attr_write_i64(f, "cohort_unborn_excluded", r->unborn_excluded));
  return tw_h5_attr_write_i64(f, "cohort_weight_out_of_range_excluded", im->weight_out_of_range);
}

static tw_status write_all(tw_h5_file *f, const tw_imported *im, const tw_import_config *c) {
  int32_t *i32 = malloc((size_t)im->n * sizeof *i32 + 1);
  if (!i32) return TW_FAIL(TW_ERR_NOMEM, "import: %lld persons", (long long)im->n);
  tw_status st = write_ids(f, im);
  if (st == TW_OK) st = write_persons(f, im, i32);
  free(i32);
  TW_TRY(st);
  TW_TRY(tw_cohort_write_draws(f, &im->draws, &c->model));
  return write_attributes(f, im);
}

tw_status tw_imported_write_h5(const tw_imported *im, const tw_import_config *c, const char *config_text,
                               const char *path) {
  tw_h5_run_info info = {.config_text = config_text, .seed = (uint64_t)c->model.seed, .rank_count = 1};
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path, NULL, &info, &f));
  tw_status st = write_all(f, im, c);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

#else
tw_status tw_imported_write_h5(const tw_imported *im, const tw_import_config *c, const char *config_text,
                               const char *path) {
  (void)im, (void)c, (void)config_text;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: this build has no HDF5, so it writes no cohort file", path);
}
#endif
