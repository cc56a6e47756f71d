/*
** synthea.h: real twins from EHR exports. Reads a Synthea CSV export
** (patients.csv, observations.csv, conditions.csv) or the documented simple
** person CSV into one in-memory table of persons, and writes that table to
** HDF5 under /cohort (docs/import.md).
**
** What leaves the import: a pseudonym per person (hex of HMAC-SHA-256 keyed by
** a caller's salt over the source id), age, sex, six covariates with missing
** flags and three conditions. Names, SSN, drivers licence, passport, address,
** city, county, zip and coordinates are never copied out of the CSV reader's
** record buffer; observations other than the six LOINC codes (the Address
** survey answer 56799-0 among them) are skipped unread.
**
** Rules (docs/import.md): the reference date is a calendar day R.
**   age_y       (R - BIRTHDATE) in days / 365.25, fractional years
**   covariate   the latest observation whose UTC calendar date is <= R (so one
**               taken on R counts); equal timestamps: the later row wins
**   condition   active when START <= R and (STOP empty or STOP > R)
**   deceased    DEATHDATE < R: left out and counted unless keep_deceased
**   unborn      BIRTHDATE > R: left out and counted
** Missing covariates are NaN with their flag set; nothing is imputed here.
**
** Every input error is TW_ERR_INPUT with "FILE:LINE:COL: column NAME: ...";
** messages never quote the value of an identifying column.
*/
#ifndef TW_COHORT_SYNTHEA_H
#define TW_COHORT_SYNTHEA_H

#include "core/csv.h"       /* tw_ehr_csv: the CSV reader */
#include "core/date.h"      /* tw_date_parse, tw_date_day */
#include "core/pseudonym.h" /* tw_pseudonym, TW_PSEUDONYM_LEN, TW_SALT_MIN_BYTES */
#include "core/status.h"

TW_EXTERN_C_BEGIN

/* ---- the table ------------------------------------------------------------- */

typedef enum tw_covariate {
  TW_COV_WEIGHT,  /* weight_kg      kg       LOINC 29463-7 */
  TW_COV_HEIGHT,  /* height_cm      cm       LOINC 8302-2 */
  TW_COV_BMI,     /* bmi            kg/m2    LOINC 39156-5 */
  TW_COV_HBA1C,   /* hba1c_percent  %        LOINC 4548-4 */
  TW_COV_GLUCOSE, /* glucose_mg_dl  mg/dL    LOINC 2339-0 */
  TW_COV_EGFR,    /* egfr           mL/min/{1.73_m2}  LOINC 33914-3 */
  TW_COV_COUNT
} tw_covariate;

typedef enum tw_condition {
  TW_COND_T1D, /* type1_diabetes  SNOMED 46635009 */
  TW_COND_T2D, /* type2_diabetes  SNOMED 44054006 */
  TW_COND_HTN, /* hypertension    SNOMED 59621000 */
  TW_COND_COUNT
} tw_condition;

typedef enum tw_sex { TW_SEX_FEMALE = 0, TW_SEX_MALE = 1 } tw_sex;

typedef struct tw_person {
  char id[TW_PSEUDONYM_LEN + 1]; /* the pseudonym; the source id is never stored */
  double age_y;                  /* years at the reference date, fractional (days / 365.25) */
  tw_sex sex;
  int deceased;                  /* 1 only for persons kept by keep_deceased */
  double cov[TW_COV_COUNT];      /* canonical units (tw_covariate_units); NaN where missing */
  unsigned char missing[TW_COV_COUNT]; /* 1 where no value was found: to be imputed later */
  unsigned char cond[TW_COND_COUNT];   /* 1 where active at the reference date */
} tw_person;

/* What the import did, for the user's summary. */
typedef struct tw_import_report {
  int64_t source_persons;     /* data rows of patients.csv / the person CSV */
  int64_t deceased_excluded;  /* DEATHDATE < reference date, left out */
  int64_t deceased_kept;      /* the same, kept because keep_deceased was set */
  int64_t unborn_excluded;    /* BIRTHDATE > reference date, left out */
  int64_t observation_rows;   /* data rows of observations.csv */
  int64_t observations_used;  /* rows of the six codes for kept persons, dated <= R */
  int64_t observations_after; /* rows of the six codes for kept persons, dated > R */
  int64_t rows_unknown_person; /* observation or condition rows of no person in patients.csv */
  int64_t condition_rows;     /* data rows of conditions.csv */
  int64_t missing[TW_COV_COUNT]; /* kept persons without a value, per covariate */
} tw_import_report;

typedef struct tw_person_table {
  int64_t n;             /* persons kept, in the order of the source file */
  int64_t cap;           /* persons allocated */
  tw_person *persons;    /* (n), malloc'd */
  char reference_date[11]; /* "YYYY-MM-DD" */
  const char *source;    /* "synthea" or "person_csv" (static) */
  tw_import_report report;
} tw_person_table;

typedef struct tw_import_options {
  const char *reference_date; /* "YYYY-MM-DD", required */
  const char *salt;           /* required, at least TW_SALT_MIN_BYTES bytes; never written anywhere */
  int keep_deceased;          /* 1: keep persons with DEATHDATE < R, flagged deceased */
} tw_import_options;

/* Reads a Synthea CSV export from the three files. On failure *out is empty. */
tw_status tw_synthea_import_files(const char *patients_csv, const char *observations_csv,
                                  const char *conditions_csv, const tw_import_options *opt,
                                  tw_person_table *out);
/* The same from DIR/patients.csv, DIR/observations.csv, DIR/conditions.csv. */
tw_status tw_synthea_import(const char *dir, const tw_import_options *opt, tw_person_table *out);
/* Reads the simple person CSV (docs/import.md):
**   person_id,sex,birthdate|age_y[,weight_kg,height_cm,bmi,hba1c_percent,glucose_mg_dl,egfr]
**             [,type1_diabetes,type2_diabetes,hypertension]
** person_id is pseudonymised like a Synthea Id; an empty covariate cell is missing. */
tw_status tw_person_csv_import(const char *path, const tw_import_options *opt, tw_person_table *out);
void tw_person_table_free(tw_person_table *t);

/* Names as written to HDF5 and accepted as person-CSV columns, and units. */
const char *tw_covariate_name(tw_covariate c);  /* "weight_kg", ... */
const char *tw_covariate_units(tw_covariate c); /* "kg", ... */
const char *tw_condition_name(tw_condition c);  /* "type1_diabetes", ... */

/* Writes the table into an open file (io/h5.h), serial:
**   /cohort/id                          (n) strings, the pseudonyms
**   /cohort/covariates/age_y            (n) float64 "yr"
**   /cohort/covariates/sex              (n) int32, 0 female, 1 male
**   /cohort/covariates/<name>           (n) float64 in its units, NaN where missing
**   /cohort/covariates/missing_<name>   (n) int32 0/1
**   /cohort/conditions/<name>           (n) int32 0/1
**   /cohort/deceased                    (n) int32 0/1
** and root attributes cohort_source, cohort_reference_date, cohort_pseudonym
** ("HMAC-SHA-256 hex"), cohort_deceased_excluded, cohort_unborn_excluded.
** TW_ERR_UNSUPPORTED in a build without HDF5. */
struct tw_h5_file;
tw_status tw_person_table_write_h5(struct tw_h5_file *f, const tw_person_table *t);

/* ---- shared by the importers (synthea_table.c) ------------------------------ */

/* Checks and parses a field that must be a date: the error names file:line:col. */
tw_status tw_ehr_csv_date(const tw_ehr_csv *c, int col, int64_t *seconds);
/* Checks the options (reference date, salt) and fills *ref_day. */
tw_status tw_import_options_check(const tw_import_options *opt, int64_t *ref_day);
/* Appends an empty person (covariates NaN and flagged missing) to t. */
tw_status tw_person_table_push(tw_person_table *t, tw_person **out);
/* Fills age_y from a birth day: (ref_day - birth_day) / 365.25. */
void tw_person_set_age(tw_person *p, int64_t birth_day, int64_t ref_day);
/* Checks a covariate value in canonical units against its plausible range (0, max]
** (the error names file:line:col of field `col`). */
tw_status tw_covariate_check(tw_covariate k, double value, const tw_ehr_csv *c, int col);
/* Counts the missing flags into t->report.missing. */
void tw_person_table_count_missing(tw_person_table *t);
/* Parses the sex field: "F"/"M" (either case). */
tw_status tw_ehr_csv_sex(const tw_ehr_csv *c, int col, tw_sex *sex);

TW_EXTERN_C_END

#endif
