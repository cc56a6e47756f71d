/*
** synthea_person_csv.c: the simple person CSV for users whose records are not a
** Synthea export (synthea.h, docs/import.md). One row per person:
**
**   person_id,sex,birthdate|age_y[,weight_kg,height_cm,bmi,hba1c_percent,glucose_mg_dl,egfr]
**             [,type1_diabetes,type2_diabetes,hypertension]
**
** Units are fixed by the column names; an empty covariate cell is missing
** (flagged, not imputed); a condition cell is 0, 1 or empty (0). Any other column
** is refused, so that a misspelt covariate, or a name column, cannot pass
** unnoticed. person_id is pseudonymised exactly like a Synthea Id.
*/
#include "cohort/synthea.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, qsort, free */
#include <string.h> /* strcmp, memset */

typedef struct person_cols {
  int id, sex, birth, age; /* one of birth and age is -1 */
  int cov[TW_COV_COUNT];   /* -1 for a column the file lacks */
  int cond[TW_COND_COUNT];
} person_cols;

static int known_column(const char *name) {
  static const char *const FIXED[] = {"person_id", "sex", "birthdate", "age_y"};
  for (size_t i = 0; i < TW_ARRAY_LEN(FIXED); ++i)
    if (!strcmp(FIXED[i], name)) return 1;
  for (int k = 0; k < TW_COV_COUNT; ++k)
    if (!strcmp(tw_covariate_name((tw_covariate)k), name)) return 1;
  for (int j = 0; j < TW_COND_COUNT; ++j)
    if (!strcmp(tw_condition_name((tw_condition)j), name)) return 1;
  return 0;
}

static tw_status person_columns(const tw_ehr_csv *c, const char *path, person_cols *k) {
  for (int i = 0; i < tw_ehr_csv_columns(c); ++i)
    if (!known_column(tw_ehr_csv_column_name(c, i)))
      return TW_FAIL(TW_ERR_INPUT, "%s:1: column %d '%s' is not a column of the person CSV (docs/import.md)", path,
                     i + 1, tw_ehr_csv_column_name(c, i));
  TW_TRY(tw_ehr_csv_require(c, "person_id", &k->id));
  TW_TRY(tw_ehr_csv_require(c, "sex", &k->sex));
  k->birth = tw_ehr_csv_find(c, "birthdate");
  k->age = tw_ehr_csv_find(c, "age_y");
  if ((k->birth < 0) == (k->age < 0))
    return TW_FAIL(TW_ERR_INPUT, "%s:1: give exactly one of the columns birthdate and age_y", path);
  for (int j = 0; j < TW_COV_COUNT; ++j) k->cov[j] = tw_ehr_csv_find(c, tw_covariate_name((tw_covariate)j));
  for (int j = 0; j < TW_COND_COUNT; ++j) k->cond[j] = tw_ehr_csv_find(c, tw_condition_name((tw_condition)j));
  return TW_OK;
}

/* Age from birthdate or age_y; *unborn when the birthdate is after R. */
static tw_status person_age(const tw_ehr_csv *c, const person_cols *k, int64_t ref_day, tw_person *p, int *unborn) {
  *unborn = 0;
  if (k->age >= 0) {
    TW_TRY(tw_ehr_csv_number(c, k->age, &p->age_y));
    if (p->age_y < 0.0 || p->age_y > 130.0) return tw_ehr_csv_fail(c, k->age, "age %g y is outside [0, 130]", p->age_y);
    return TW_OK;
  }
  int64_t birth;
  TW_TRY(tw_ehr_csv_date(c, k->birth, &birth));
  *unborn = tw_date_day(birth) > ref_day;
  tw_person_set_age(p, tw_date_day(birth), ref_day);
  return TW_OK;
}

static tw_status person_values(const tw_ehr_csv *c, const person_cols *k, tw_person *p) {
  for (int j = 0; j < TW_COV_COUNT; ++j) {
    if (k->cov[j] < 0 || !*tw_ehr_csv_field(c, k->cov[j])) continue;
    double v;
    TW_TRY(tw_ehr_csv_number(c, k->cov[j], &v));
    TW_TRY(tw_covariate_check((tw_covariate)j, v, c, k->cov[j]));
    p->cov[j] = v;
    p->missing[j] = 0;
  }
  for (int j = 0; j < TW_COND_COUNT; ++j) {
    const char *s = k->cond[j] < 0 ? "" : tw_ehr_csv_field(c, k->cond[j]);
    if (*s && strcmp(s, "0") && strcmp(s, "1")) return tw_ehr_csv_fail(c, k->cond[j], "must be 0, 1 or empty");
    p->cond[j] = s[0] == '1';
  }
  return TW_OK;
}

typedef struct row_lines {
  int64_t *v; /* (cap): the line of each kept person, for the duplicate message */
  int64_t cap;
} row_lines;

static tw_status person_row(const tw_ehr_csv *c, const person_cols *k, const tw_import_options *opt, int64_t ref_day,
                            tw_person_table *t, row_lines *lines) {
  const char *id = tw_ehr_csv_field(c, k->id);
  if (!*id) return tw_ehr_csv_fail(c, k->id, "empty person_id");
  t->report.source_persons++;
  tw_person *p;
  int unborn;
  TW_TRY(tw_person_table_push(t, &p));
  TW_TRY(tw_pseudonym(opt->salt, id, p->id));
  TW_TRY(tw_ehr_csv_sex(c, k->sex, &p->sex));
  TW_TRY(person_age(c, k, ref_day, p, &unborn));
  TW_TRY(person_values(c, k, p));
  if (unborn) {
    t->report.unborn_excluded++;
    memset(p, 0, sizeof *p);
    t->n--;
    return TW_OK;
  }
  if (lines->cap < t->cap) {
    int64_t *l = realloc(lines->v, (size_t)t->cap * sizeof *l);
    if (!l) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory");
    lines->v = l;
    lines->cap = t->cap;
  }
  lines->v[t->n - 1] = tw_ehr_csv_line(c);
  return TW_OK;
}

typedef struct id_line {
  const char *id; /* a pseudonym of the table */
  int64_t line;
} id_line;

static int by_id(const void *a, const void *b) { return strcmp(((const id_line *)a)->id, ((const id_line *)b)->id); }

/* A person_id given twice gives the same pseudonym twice: refused, naming both lines. */
static tw_status check_unique(const tw_person_table *t, const int64_t *lines, const char *path) {
  id_line *order = malloc((size_t)TW_MAX(t->n, 1) * sizeof *order);
  if (!order) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory");
  for (int64_t i = 0; i < t->n; ++i) order[i] = (id_line){t->persons[i].id, lines[i]};
  qsort(order, (size_t)t->n, sizeof *order, by_id);
  tw_status st = TW_OK;
  for (int64_t i = 1; i < t->n && st == TW_OK; ++i)
    if (!strcmp(order[i - 1].id, order[i].id))
      st = TW_FAIL(TW_ERR_INPUT, "%s:%lld: column person_id: the same person_id as line %lld", path,
                   (long long)TW_MAX(order[i - 1].line, order[i].line),
                   (long long)TW_MIN(order[i - 1].line, order[i].line));
  free(order);
  return st;
}

static tw_status read_persons(const char *path, const tw_import_options *opt, int64_t ref_day, tw_person_table *t) {
  tw_ehr_csv *c;
  TW_TRY(tw_ehr_csv_open(path, &c));
  person_cols k;
  row_lines lines = {NULL, 0};
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, person_columns(c, path, &k), done);
  for (int more = 1;;) {
    TW_TRY_GOTO(st, tw_ehr_csv_next(c, &more), done);
    if (!more) break;
    TW_TRY_GOTO(st, person_row(c, &k, opt, ref_day, t, &lines), done);
  }
  TW_TRY_GOTO(st, check_unique(t, lines.v, path), done);
done:
  free(lines.v);
  tw_ehr_csv_close(c);
  return st;
}

tw_status tw_person_csv_import(const char *path, const tw_import_options *opt, tw_person_table *out) {
  memset(out, 0, sizeof *out);
  int64_t ref_day;
  TW_TRY(tw_import_options_check(opt, &ref_day));
  snprintf(out->reference_date, sizeof out->reference_date, "%s", opt->reference_date);
  out->source = "person_csv";
  const tw_status st = read_persons(path, opt, ref_day, out);
  if (st != TW_OK) {
    tw_person_table_free(out);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  tw_person_table_count_missing(out);
  return TW_OK;
}
