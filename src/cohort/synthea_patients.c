/*
** synthea_patients.c: patients.csv of a Synthea export, and the import's entry
** points (synthea.h). Each row gives a person's pseudonym, sex and age at the
** reference date; deceased (DEATHDATE < R) and unborn (BIRTHDATE > R) persons
** are counted and left out. Of the 28 columns only Id, BIRTHDATE, DEATHDATE and
** GENDER are read; names, SSN, DRIVERS, PASSPORT, ADDRESS, CITY, LAT, LON, ...
** stay in the CSV reader's record buffer.
*/
#include "cohort/synthea_internal.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* realloc, qsort, bsearch, free */
#include <string.h> /* strcmp, strlen, memset */

typedef struct patient_cols {
  int id, birth, death, gender;
} patient_cols;

static tw_status index_add(synthea_index *ix, const char *id, int64_t person, int64_t line) {
  if (ix->n == ix->cap) {
    const int64_t cap = ix->cap ? 2 * ix->cap : 64;
    synthea_entry *e = realloc(ix->entries, (size_t)cap * sizeof *e);
    if (!e) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory for the id index");
    ix->entries = e;
    ix->cap = cap;
  }
  char *copy = malloc(strlen(id) + 1);
  if (!copy) return TW_FAIL(TW_ERR_NOMEM, "import: out of memory for the id index");
  strcpy(copy, id);
  ix->entries[ix->n++] = (synthea_entry){copy, person, line};
  return TW_OK;
}

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const synthea_entry *)a)->source_id, ((const synthea_entry *)b)->source_id);
}

const synthea_entry *synthea_find(const synthea_index *ix, const char *source_id) {
  const synthea_entry key = {(char *)source_id, 0, 0};
  return ix->n ? bsearch(&key, ix->entries, (size_t)ix->n, sizeof key, entry_cmp) : NULL;
}

void synthea_index_free(synthea_index *ix) {
  for (int64_t i = 0; i < ix->n; ++i) {
    memset(ix->entries[i].source_id, 0, strlen(ix->entries[i].source_id));
    free(ix->entries[i].source_id);
  }
  free(ix->entries);
  memset(ix, 0, sizeof *ix);
}

/* Sorts the index; a duplicate Id is an error naming both lines (not the Id). */
static tw_status index_sort(synthea_index *ix, const char *path) {
  if (ix->n) qsort(ix->entries, (size_t)ix->n, sizeof *ix->entries, entry_cmp);
  for (int64_t i = 1; i < ix->n; ++i)
    if (!strcmp(ix->entries[i - 1].source_id, ix->entries[i].source_id))
      return TW_FAIL(TW_ERR_INPUT, "%s:%lld: column Id: the same Id as line %lld", path,
                     (long long)TW_MAX(ix->entries[i - 1].line, ix->entries[i].line),
                     (long long)TW_MIN(ix->entries[i - 1].line, ix->entries[i].line));
  return TW_OK;
}

static tw_status patient_columns(const tw_ehr_csv *c, patient_cols *k) {
  TW_TRY(tw_ehr_csv_require(c, "Id", &k->id));
  TW_TRY(tw_ehr_csv_require(c, "BIRTHDATE", &k->birth));
  TW_TRY(tw_ehr_csv_require(c, "DEATHDATE", &k->death));
  return tw_ehr_csv_require(c, "GENDER", &k->gender);
}

/* Whether the row's person is dead before the reference day (DEATHDATE < R). */
static tw_status is_deceased(const tw_ehr_csv *c, const patient_cols *k, int64_t ref_day, int *dead) {
  int64_t death = 0;
  *dead = 0;
  if (!*tw_ehr_csv_field(c, k->death)) return TW_OK;
  TW_TRY(tw_ehr_csv_date(c, k->death, &death));
  *dead = tw_date_day(death) < ref_day;
  return TW_OK;
}

/* One row of patients.csv: a person in the table, or a counted exclusion. */
static tw_status patient_row(const tw_ehr_csv *c, const patient_cols *k, const tw_import_options *opt, int64_t ref_day,
                             tw_person_table *t, synthea_index *ix) {
  const char *id = tw_ehr_csv_field(c, k->id);
  if (!*id) return tw_ehr_csv_fail(c, k->id, "empty Id");
  int64_t birth;
  int dead;
  tw_sex sex;
  TW_TRY(tw_ehr_csv_date(c, k->birth, &birth));
  TW_TRY(is_deceased(c, k, ref_day, &dead));
  TW_TRY(tw_ehr_csv_sex(c, k->gender, &sex));
  t->report.source_persons++;
  const int unborn = tw_date_day(birth) > ref_day;
  if (unborn || (dead && !opt->keep_deceased)) {
    if (unborn) t->report.unborn_excluded++;
    else t->report.deceased_excluded++;
    return index_add(ix, id, -1, tw_ehr_csv_line(c));
  }
  t->report.deceased_kept += dead;
  tw_person *p;
  TW_TRY(tw_person_table_push(t, &p));
  TW_TRY(tw_pseudonym(opt->salt, id, p->id));
  tw_person_set_age(p, tw_date_day(birth), ref_day);
  p->sex = sex;
  p->deceased = dead;
  return index_add(ix, id, t->n - 1, tw_ehr_csv_line(c));
}

tw_status synthea_read_patients(const char *path, const tw_import_options *opt, int64_t ref_day,
                                tw_person_table *t, synthea_index *ix) {
  tw_ehr_csv *c;
  TW_TRY(tw_ehr_csv_open(path, &c));
  patient_cols k;
  tw_status st = TW_OK;
  int more = 1;
  TW_TRY_GOTO(st, patient_columns(c, &k), done);
  for (;;) {
    TW_TRY_GOTO(st, tw_ehr_csv_next(c, &more), done);
    if (!more) break;
    TW_TRY_GOTO(st, patient_row(c, &k, opt, ref_day, t, ix), done);
  }
  TW_TRY_GOTO(st, index_sort(ix, path), done);
done:
  tw_ehr_csv_close(c);
  return st;
}

tw_status tw_synthea_import_files(const char *patients_csv, const char *observations_csv,
                                  const char *conditions_csv, const tw_import_options *opt,
                                  tw_person_table *out) {
  memset(out, 0, sizeof *out);
  int64_t ref_day;
  TW_TRY(tw_import_options_check(opt, &ref_day));
  snprintf(out->reference_date, sizeof out->reference_date, "%s", opt->reference_date);
  out->source = "synthea";
  synthea_index ix = {0};
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, synthea_read_patients(patients_csv, opt, ref_day, out, &ix), done);
  TW_TRY_GOTO(st, synthea_join_observations(observations_csv, ref_day, &ix, out), done);
  TW_TRY_GOTO(st, synthea_join_conditions(conditions_csv, ref_day, &ix, out), done);
  tw_person_table_count_missing(out);
done:
  synthea_index_free(&ix);
  if (st != TW_OK) tw_person_table_free(out);
  return st;
}

tw_status tw_synthea_import(const char *dir, const tw_import_options *opt, tw_person_table *out) {
  char p[4096], o[4096], c[4096];
  const int np = snprintf(p, sizeof p, "%s/patients.csv", dir);
  const int no = snprintf(o, sizeof o, "%s/observations.csv", dir);
  const int nc = snprintf(c, sizeof c, "%s/conditions.csv", dir);
  if (np >= (int)sizeof p || no >= (int)sizeof o || nc >= (int)sizeof c)
    return TW_FAIL(TW_ERR_INPUT, "import: directory path too long (%zu bytes)", strlen(dir));
  return tw_synthea_import_files(p, o, c, opt, out);
}
