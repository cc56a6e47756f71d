/*
** synthea_h5.c: the imported person table into an HDF5 file under /cohort
** (synthea.h lists the datasets). What it writes is all that leaves an import:
** pseudonyms, ages, sex, covariates with their missing flags, conditions and
** the counts of the report; never a source id, never the salt.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */
#include "cohort/synthea.h"

#if TW_HAVE_HDF5
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */

#include "io/h5.h"

/* Gathers one double per person (by `get`) into buf and writes it. */
static tw_status write_f64(tw_h5_file *f, const tw_person_table *t, const char *path, const char *units,
                           double *buf, double (*get)(const tw_person *p, int k), int k) {
  for (int64_t i = 0; i < t->n; ++i) buf[i] = get(&t->persons[i], k);
  return tw_h5_write_array(f, path, TW_F64, buf, 1, &t->n, units);
}

static tw_status write_i32(tw_h5_file *f, const tw_person_table *t, const char *path, int32_t *buf,
                           int32_t (*get)(const tw_person *p, int k), int k) {
  for (int64_t i = 0; i < t->n; ++i) buf[i] = get(&t->persons[i], k);
  return tw_h5_write_array(f, path, TW_I32, buf, 1, &t->n, "1");
}

static double get_age(const tw_person *p, int k) { return (void)k, p->age_y; }
static double get_cov(const tw_person *p, int k) { return p->cov[k]; }
static int32_t get_sex(const tw_person *p, int k) { return (void)k, p->sex == TW_SEX_MALE; }
static int32_t get_missing(const tw_person *p, int k) { return p->missing[k]; }
static int32_t get_cond(const tw_person *p, int k) { return p->cond[k]; }
static int32_t get_deceased(const tw_person *p, int k) { return (void)k, p->deceased; }

static tw_status write_ids(tw_h5_file *f, const tw_person_table *t) {
  const char **ids = malloc((size_t)TW_MAX(t->n, 1) * sizeof *ids);
  if (!ids) return TW_FAIL(TW_ERR_NOMEM, "cohort: out of memory for %lld ids", (long long)t->n);
  for (int64_t i = 0; i < t->n; ++i) ids[i] = t->persons[i].id;
  const tw_status st = tw_h5_write_strings(f, "/cohort/id", ids, t->n, "1");
  free(ids);
  return st;
}

static tw_status write_covariates(tw_h5_file *f, const tw_person_table *t, double *d, int32_t *i32) {
  char path[128];
  TW_TRY(write_f64(f, t, "/cohort/covariates/age_y", "yr", d, get_age, 0));
  TW_TRY(write_i32(f, t, "/cohort/covariates/sex", i32, get_sex, 0));
  for (int k = 0; k < TW_COV_COUNT; ++k) {
    snprintf(path, sizeof path, "/cohort/covariates/%s", tw_covariate_name((tw_covariate)k));
    TW_TRY(write_f64(f, t, path, tw_covariate_units((tw_covariate)k), d, get_cov, k));
    snprintf(path, sizeof path, "/cohort/covariates/missing_%s", tw_covariate_name((tw_covariate)k));
    TW_TRY(write_i32(f, t, path, i32, get_missing, k));
  }
  for (int j = 0; j < TW_COND_COUNT; ++j) {
    snprintf(path, sizeof path, "/cohort/conditions/%s", tw_condition_name((tw_condition)j));
    TW_TRY(write_i32(f, t, path, i32, get_cond, j));
  }
  return write_i32(f, t, "/cohort/deceased", i32, get_deceased, 0);
}

static tw_status write_attributes(tw_h5_file *f, const tw_person_table *t) {
  TW_TRY(tw_h5_attr_write_string(f, "cohort_source", t->source ? t->source : "unknown"));
  TW_TRY(tw_h5_attr_write_string(f, "cohort_reference_date", t->reference_date));
  TW_TRY(tw_h5_attr_write_string(f, "cohort_pseudonym", "hex(HMAC-SHA-256(salt, source id))"));
  TW_TRY(tw_h5_attr_write_i64(f, "cohort_source_persons", t->report.source_persons));
  TW_TRY(tw_h5_attr_write_i64(f, "cohort_deceased_excluded", t->report.deceased_excluded));
  return tw_h5_attr_write_i64(f, "cohort_unborn_excluded", t->report.unborn_excluded);
}

tw_status tw_person_table_write_h5(struct tw_h5_file *f, const tw_person_table *t) {
  double *d = malloc((size_t)TW_MAX(t->n, 1) * sizeof *d);
  int32_t *i32 = malloc((size_t)TW_MAX(t->n, 1) * sizeof *i32);
  tw_status st = TW_OK;
  if (!d || !i32) {
    st = TW_FAIL(TW_ERR_NOMEM, "cohort: out of memory for %lld persons", (long long)t->n);
    goto done;
  }
  TW_TRY_GOTO(st, write_ids(f, t), done);
  TW_TRY_GOTO(st, write_covariates(f, t, d, i32), done);
  TW_TRY_GOTO(st, write_attributes(f, t), done);
done:
  free(d);
  free(i32);
  return st;
}

#else

tw_status tw_person_table_write_h5(struct tw_h5_file *f, const tw_person_table *t) {
  (void)f;
  (void)t;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "cohort: this build has no HDF5 (configure with -DTW_HDF5=ON)");
}

#endif
