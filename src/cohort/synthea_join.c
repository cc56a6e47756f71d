/*
** synthea_join.c: observations.csv and conditions.csv of a Synthea export,
** joined to the persons of patients.csv through the index of source ids
** (synthea_internal.h).
**
** Observations: only the six LOINC codes are read; for each person and code
** the latest row whose UTC calendar date is <= the reference day wins (equal
** times: the later row). Units are checked on every such row and converted to
** the canonical unit, or refused with FILE:LINE:COL. Any other code (the
** Address survey answer, 56799-0, among them) is skipped without reading its
** value. Conditions: the three SNOMED codes, active when START <= R and (STOP
** empty or STOP > R).
*/
#include "cohort/synthea_internal.h"

#include <stdlib.h> /* malloc, free */
#include <string.h> /* strcmp */

/* value in the canonical unit = value * scale + offset */
typedef struct unit_rule {
  const char *units;
  double scale, offset;
} unit_rule;

typedef struct loinc_rule {
  const char *code;
  tw_covariate cov;
  unit_rule units[3]; /* the first is the canonical unit; NULL-terminated when shorter */
} loinc_rule;

/* Synthea writes the first unit of each; the others are what other exports use.
** HbA1c mmol/mol (IFCC) to % (NGSP): the IFCC-NGSP master equation
** % = 0.09148 mmol/mol + 2.152. Glucose mmol/L to mg/dL: 180.156 g/mol / 10. */
static const loinc_rule LOINC[TW_COV_COUNT] = {
    {"29463-7", TW_COV_WEIGHT, {{"kg", 1.0, 0.0}, {"[lb_av]", 0.45359237, 0.0}, {"g", 1e-3, 0.0}}},
    {"8302-2", TW_COV_HEIGHT, {{"cm", 1.0, 0.0}, {"[in_i]", 2.54, 0.0}, {"m", 100.0, 0.0}}},
    {"39156-5", TW_COV_BMI, {{"kg/m2", 1.0, 0.0}, {NULL, 0, 0}}},
    {"4548-4", TW_COV_HBA1C, {{"%", 1.0, 0.0}, {"mmol/mol", 0.09148, 2.152}, {NULL, 0, 0}}},
    {"2339-0", TW_COV_GLUCOSE, {{"mg/dL", 1.0, 0.0}, {"mmol/L", 18.0156, 0.0}, {NULL, 0, 0}}},
    {"33914-3", TW_COV_EGFR, {{"mL/min/{1.73_m2}", 1.0, 0.0}, {"mL/min/1.73m2", 1.0, 0.0}, {NULL, 0, 0}}}};

static const char *const SNOMED[TW_COND_COUNT] = {"46635009", "44054006", "59621000"};
static const char SNOMED_SYSTEM[] = "http://snomed.info/sct";

typedef struct obs_cols {
  int date, patient, code, value, units, type; /* type: -1 when the file has no TYPE column */
} obs_cols;

typedef struct join_state {
  tw_ehr_csv *csv;
  const synthea_index *ix;
  tw_person_table *t;
  int64_t ref_day;
  int64_t *best; /* (n persons, TW_COV_COUNT): time of the value kept, INT64_MIN for none */
} join_state;

static const loinc_rule *loinc_find(const char *code) {
  for (int k = 0; k < TW_COV_COUNT; ++k)
    if (!strcmp(LOINC[k].code, code)) return &LOINC[k];
  return NULL;
}

/* The person of field `col`: NULL for one left out or not in patients.csv (counted). */
static tw_person *person_of(join_state *s, int col) {
  const synthea_entry *e = synthea_find(s->ix, tw_ehr_csv_field(s->csv, col));
  if (!e) s->t->report.rows_unknown_person++;
  return e && e->person >= 0 ? &s->t->persons[e->person] : NULL;
}

/* The row's value in the canonical unit, or a refusal naming the unit column. */
static tw_status obs_value(const tw_ehr_csv *c, const obs_cols *k, const loinc_rule *r, double *value) {
  if (k->type >= 0 && strcmp(tw_ehr_csv_field(c, k->type), "numeric"))
    return tw_ehr_csv_fail(c, k->type, "LOINC %s (%s) must be numeric, not '%s'", r->code,
                       tw_covariate_name(r->cov), tw_ehr_csv_field(c, k->type));
  const char *units = tw_ehr_csv_field(c, k->units);
  const unit_rule *u = NULL;
  for (int i = 0; i < 3 && r->units[i].units && !u; ++i)
    if (!strcmp(r->units[i].units, units)) u = &r->units[i];
  if (!u)
    return tw_ehr_csv_fail(c, k->units, "unit '%s' of LOINC %s (%s) is not known (canonical: %s)", units, r->code,
                       tw_covariate_name(r->cov), r->units[0].units);
  double v;
  TW_TRY(tw_ehr_csv_number(c, k->value, &v));
  *value = v * u->scale + u->offset;
  return tw_covariate_check(r->cov, *value, c, k->value);
}

static tw_status obs_row(join_state *s, const void *cols) {
  const obs_cols *k = cols;
  s->t->report.observation_rows++;
  const loinc_rule *r = loinc_find(tw_ehr_csv_field(s->csv, k->code));
  if (!r) return TW_OK; /* not one of the six: never read further */
  tw_person *p = person_of(s, k->patient);
  if (!p) return TW_OK;
  int64_t when;
  double value = 0.0;
  TW_TRY(tw_ehr_csv_date(s->csv, k->date, &when));
  TW_TRY(obs_value(s->csv, k, r, &value));
  if (tw_date_day(when) > s->ref_day) {
    s->t->report.observations_after++;
    return TW_OK;
  }
  s->t->report.observations_used++;
  int64_t *best = &s->best[(p - s->t->persons) * TW_COV_COUNT + r->cov];
  if (when >= *best) {
    *best = when;
    p->cov[r->cov] = value;
    p->missing[r->cov] = 0;
  }
  return TW_OK;
}

static tw_status obs_columns(const tw_ehr_csv *c, void *cols) {
  obs_cols *k = cols;
  TW_TRY(tw_ehr_csv_require(c, "DATE", &k->date));
  TW_TRY(tw_ehr_csv_require(c, "PATIENT", &k->patient));
  TW_TRY(tw_ehr_csv_require(c, "CODE", &k->code));
  TW_TRY(tw_ehr_csv_require(c, "VALUE", &k->value));
  TW_TRY(tw_ehr_csv_require(c, "UNITS", &k->units));
  k->type = tw_ehr_csv_find(c, "TYPE");
  return TW_OK;
}

typedef tw_status (*columns_fn)(const tw_ehr_csv *c, void *cols);
typedef tw_status (*row_fn)(join_state *s, const void *cols);

/* Opens the file at `path`, finds the columns, runs `row` on every record. */
static tw_status each_row(join_state *s, const char *path, void *cols, columns_fn columns, row_fn row) {
  TW_TRY(tw_ehr_csv_open(path, &s->csv));
  tw_status st = TW_OK;
  int more = 1;
  TW_TRY_GOTO(st, columns(s->csv, cols), done);
  for (;;) {
    TW_TRY_GOTO(st, tw_ehr_csv_next(s->csv, &more), done);
    if (!more) break;
    TW_TRY_GOTO(st, row(s, cols), done);
  }
done:
  tw_ehr_csv_close(s->csv);
  s->csv = NULL;
  return st;
}

tw_status synthea_join_observations(const char *path, int64_t ref_day, const synthea_index *ix,
                                    tw_person_table *t) {
  join_state s = {NULL, ix, t, ref_day, NULL};
  s.best = malloc((size_t)TW_MAX(t->n, 1) * TW_COV_COUNT * sizeof *s.best);
  if (!s.best) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory for %lld persons", (long long)t->n);
  for (int64_t i = 0; i < t->n * TW_COV_COUNT; ++i) s.best[i] = INT64_MIN;
  obs_cols k;
  const tw_status st = each_row(&s, path, &k, obs_columns, obs_row);
  free(s.best);
  return st;
}

typedef struct cond_cols {
  int start, stop, patient, code, system; /* system: -1 when the file has no SYSTEM column */
} cond_cols;

static int condition_find(const tw_ehr_csv *c, const cond_cols *k) {
  if (k->system >= 0 && strcmp(tw_ehr_csv_field(c, k->system), SNOMED_SYSTEM)) return -1;
  for (int j = 0; j < TW_COND_COUNT; ++j)
    if (!strcmp(SNOMED[j], tw_ehr_csv_field(c, k->code))) return j;
  return -1;
}

static tw_status cond_row(join_state *s, const void *cols) {
  const cond_cols *k = cols;
  s->t->report.condition_rows++;
  const int j = condition_find(s->csv, k);
  if (j < 0) return TW_OK;
  tw_person *p = person_of(s, k->patient);
  if (!p) return TW_OK;
  int64_t start, stop = INT64_MAX;
  TW_TRY(tw_ehr_csv_date(s->csv, k->start, &start));
  if (*tw_ehr_csv_field(s->csv, k->stop)) TW_TRY(tw_ehr_csv_date(s->csv, k->stop, &stop));
  if (tw_date_day(start) <= s->ref_day && (stop == INT64_MAX || tw_date_day(stop) > s->ref_day)) p->cond[j] = 1;
  return TW_OK;
}

static tw_status cond_columns(const tw_ehr_csv *c, void *cols) {
  cond_cols *k = cols;
  TW_TRY(tw_ehr_csv_require(c, "START", &k->start));
  TW_TRY(tw_ehr_csv_require(c, "STOP", &k->stop));
  TW_TRY(tw_ehr_csv_require(c, "PATIENT", &k->patient));
  TW_TRY(tw_ehr_csv_require(c, "CODE", &k->code));
  k->system = tw_ehr_csv_find(c, "SYSTEM");
  return TW_OK;
}

tw_status synthea_join_conditions(const char *path, int64_t ref_day, const synthea_index *ix, tw_person_table *t) {
  join_state s = {NULL, ix, t, ref_day, NULL};
  cond_cols k;
  return each_row(&s, path, &k, cond_columns, cond_row);
}
