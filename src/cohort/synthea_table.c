/*
** synthea_table.c: the person table both importers fill (synthea.h): names
** and units of the covariates and conditions, the option checks, the missing
** flags, plausibility ranges, and the field parsers both CSV formats share.
*/
#include "cohort/synthea.h"

#include <math.h>   /* NAN, isfinite */
#include <stdlib.h> /* realloc, free */
#include <string.h> /* memset, strlen */

typedef struct cov_info {
  const char *name, *units;
  double max; /* a value must lie in (0, max]: anything else is a unit or entry error */
} cov_info;

static const cov_info COVS[TW_COV_COUNT] = {
    {"weight_kg", "kg", 700.0},     {"height_cm", "cm", 300.0},  {"bmi", "kg/m2", 250.0},
    {"hba1c_percent", "%", 25.0},  {"glucose_mg_dl", "mg/dL", 3000.0}, {"egfr", "mL/min/{1.73_m2}", 300.0}};

static const char *const CONDS[TW_COND_COUNT] = {"type1_diabetes", "type2_diabetes", "hypertension"};

const char *tw_covariate_name(tw_covariate c) { return COVS[c].name; }
const char *tw_covariate_units(tw_covariate c) { return COVS[c].units; }
const char *tw_condition_name(tw_condition c) { return CONDS[c]; }

tw_status tw_import_options_check(const tw_import_options *opt, int64_t *ref_day) {
  int64_t sec;
  if (!opt || !opt->reference_date) return TW_FAIL(TW_ERR_INPUT, "import: a reference date (YYYY-MM-DD) is required");
  if (tw_date_parse(opt->reference_date, &sec) || strlen(opt->reference_date) != 10)
    return TW_FAIL(TW_ERR_INPUT, "import: reference date '%s' is not a date YYYY-MM-DD", opt->reference_date);
  *ref_day = tw_date_day(sec);
  char probe[TW_PSEUDONYM_LEN + 1];
  return tw_pseudonym(opt->salt, "", probe); /* fails on a missing or short salt */
}

tw_status tw_person_table_push(tw_person_table *t, tw_person **out) {
  if (t->n == t->cap) {
    const int64_t cap = t->cap ? 2 * t->cap : 16;
    tw_person *p = realloc(t->persons, (size_t)cap * sizeof *p);
    if (!p) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory for %lld persons", (long long)cap);
    t->persons = p;
    t->cap = cap;
  }
  tw_person *p = &t->persons[t->n++];
  memset(p, 0, sizeof *p);
  for (int k = 0; k < TW_COV_COUNT; ++k) {
    p->cov[k] = NAN;
    p->missing[k] = 1;
  }
  *out = p;
  return TW_OK;
}

void tw_person_set_age(tw_person *p, int64_t birth_day, int64_t ref_day) {
  p->age_y = (double)(ref_day - birth_day) / 365.25;
}

tw_status tw_covariate_check(tw_covariate k, double value, const tw_ehr_csv *c, int col) {
  if (!isfinite(value) || value <= 0.0 || value > COVS[k].max)
    return tw_ehr_csv_fail(c, col, "%s = %g %s is outside (0, %g]", COVS[k].name, value, COVS[k].units, COVS[k].max);
  return TW_OK;
}

void tw_person_table_count_missing(tw_person_table *t) {
  for (int k = 0; k < TW_COV_COUNT; ++k) {
    t->report.missing[k] = 0;
    for (int64_t i = 0; i < t->n; ++i) t->report.missing[k] += t->persons[i].missing[k];
  }
}

void tw_person_table_free(tw_person_table *t) {
  if (!t) return;
  free(t->persons);
  memset(t, 0, sizeof *t);
}

tw_status tw_ehr_csv_date(const tw_ehr_csv *c, int col, int64_t *seconds) {
  const char *s = tw_ehr_csv_field(c, col);
  if (tw_date_parse(s, seconds))
    return tw_ehr_csv_fail(c, col, "'%s' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", s);
  return TW_OK;
}

tw_status tw_ehr_csv_sex(const tw_ehr_csv *c, int col, tw_sex *sex) {
  const char *s = tw_ehr_csv_field(c, col);
  if ((s[0] == 'F' || s[0] == 'f') && !s[1]) *sex = TW_SEX_FEMALE;
  else if ((s[0] == 'M' || s[0] == 'm') && !s[1]) *sex = TW_SEX_MALE;
  else return tw_ehr_csv_fail(c, col, "sex must be F or M");
  return TW_OK;
}
