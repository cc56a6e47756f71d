/*
** test_synthea.c: the EHR importer of src/cohort (synthea.h), label unit.
**
**   - The import refuses a missing salt and a bad reference date (SHA-256,
**     HMAC and pseudonyms: tests/core/test_pseudonym.c; dates: tests/core/test_date.c).
**   - The CSV reader: quoted commas, "" and line breaks (CRLF inside quotes
**     read as LF), and the line numbers of the records after them.
**   - The Synthea fixture (tests/data/synthea/, README there) at reference date
**     2022-01-01, against expected.csv and expected_report.csv written by
**     validation/synthea_expected.py (standard library only); one person's
**     values also worked out by hand below; keep_deceased against
**     expected_keep_deceased.csv.
**   - The person CSV, values worked out by hand.
**   - Every broken file fails with TW_ERR_INPUT and FILE:LINE:COL (or FILE:LINE)
**     and the column name.
**   - Privacy: the HDF5 files written from both importers, and the table's own
**     bytes, hold none of the fixture's ids, names, SSNs, licences, passports,
**     addresses, cities, coordinates or the salt.
*/
#include <math.h>   /* isnan */
#include <stdio.h>  /* fopen, fread, snprintf, remove */
#include <stdlib.h> /* free, malloc, strtod */
#include <string.h> /* strstr, memcmp, strlen */

#include "cohort/synthea.h"
#include "io/h5.h"
#include "tw_test.h"

#define DATA TW_TEST_DATA_DIR "/synthea/"
static const char SALT[] = "twinscale-test-salt-0123456789"; /* as in validation/synthea_expected.py */
static const tw_import_options OPT = {"2022-01-01", SALT, 0};

#define CHECK_MESSAGE(needle) \
  CHECK_MSG(strstr(tw_error_message(), (needle)) != NULL, "message \"%s\" lacks \"%s\"", tw_error_message(), (needle))

/* The import refuses a missing salt and a bad reference date (tw_pseudonym
** itself is tested in tests/core/test_pseudonym.c). */
static void test_import_needs_salt(void) {
  tw_person_table t;
  const tw_import_options no_salt = {"2022-01-01", NULL, 0};
  CHECK_STATUS(tw_synthea_import(DATA, &no_salt, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("salt");
  const tw_import_options bad_ref = {"2022-1-1", SALT, 0};
  CHECK_STATUS(tw_synthea_import(DATA, &bad_ref, &t), TW_ERR_INPUT);
  CHECK_MESSAGE("reference date");
}

/* ---- the CSV reader ----------------------------------------------------------- */

/* The fixture's quoted fields: patients.csv line 15 holds "Ottilie, ""Tilly""" and an
** address with a CRLF inside quotes; observations.csv lines 18-19 hold one record
** whose value has a comma, "" and a line break, so the next record starts on line 20. */
static void test_csv_quoting_and_lines(void) {
  tw_ehr_csv *c;
  int more, middle, address, value, code;
  CHECK_OK(tw_ehr_csv_open(DATA "patients.csv", &c));
  CHECK_EQ_INT(tw_ehr_csv_columns(c), 28);
  CHECK_OK(tw_ehr_csv_require(c, "MIDDLE", &middle));
  CHECK_OK(tw_ehr_csv_require(c, "ADDRESS", &address));
  for (int i = 0; i < 14; ++i) CHECK_OK(tw_ehr_csv_next(c, &more));
  CHECK(more);
  CHECK_EQ_INT(tw_ehr_csv_line(c), 15);
  CHECK_EQ_STR(tw_ehr_csv_field(c, middle), "Ottilie, \"Tilly\"");
  CHECK_EQ_STR(tw_ehr_csv_field(c, address), "12 Quayside Lane\nFlat 2");
  CHECK_OK(tw_ehr_csv_next(c, &more));
  CHECK(!more);
  tw_ehr_csv_close(c);

  CHECK_OK(tw_ehr_csv_open(DATA "observations.csv", &c));
  CHECK_OK(tw_ehr_csv_require(c, "VALUE", &value));
  CHECK_OK(tw_ehr_csv_require(c, "CODE", &code));
  for (int i = 0; i < 17; ++i) CHECK_OK(tw_ehr_csv_next(c, &more));
  CHECK_EQ_INT(tw_ehr_csv_line(c), 18);
  CHECK_EQ_STR(tw_ehr_csv_field(c, code), "56799-0");
  CHECK_EQ_STR(tw_ehr_csv_field(c, value), "116 Keeling Club, \"Back door\"\nHuddinge");
  CHECK_OK(tw_ehr_csv_next(c, &more));
  CHECK_EQ_INT(tw_ehr_csv_line(c), 20);
  CHECK_EQ_STR(tw_ehr_csv_field(c, code), "2339-0");
  CHECK_EQ_STR(tw_ehr_csv_field(c, tw_ehr_csv_find(c, "DESCRIPTION")), "Glucose [Mass/volume] in Blood");
  tw_ehr_csv_close(c);
}

/* ---- the Synthea fixture ------------------------------------------------------ */

/* Compares the table with a CSV written by validation/synthea_expected.py, row by
** row (both keep the order of patients.csv). */
static void check_against_expected(const tw_person_table *t, const char *expected_csv) {
  tw_ehr_csv *c;
  int more;
  CHECK_OK(tw_ehr_csv_open(expected_csv, &c));
  int64_t i = 0;
  for (;; ++i) {
    CHECK_OK(tw_ehr_csv_next(c, &more));
    if (!more) break;
    CHECK_MSG(i < t->n, "%s has more rows than the table's %lld", expected_csv, (long long)t->n);
    const tw_person *p = &t->persons[i];
    CHECK_EQ_STR(p->id, tw_ehr_csv_field(c, tw_ehr_csv_find(c, "person_id")));
    CHECK_NEAR(p->age_y, strtod(tw_ehr_csv_field(c, tw_ehr_csv_find(c, "age_y")), NULL), 1e-12);
    CHECK_EQ_INT(p->sex, atoi(tw_ehr_csv_field(c, tw_ehr_csv_find(c, "sex"))));
    CHECK_EQ_INT(p->deceased, atoi(tw_ehr_csv_field(c, tw_ehr_csv_find(c, "deceased"))));
    for (int k = 0; k < TW_COV_COUNT; ++k) {
      const char *v = tw_ehr_csv_field(c, tw_ehr_csv_find(c, tw_covariate_name((tw_covariate)k)));
      CHECK_MSG(p->missing[k] == !*v, "row %lld %s: missing %d, expected '%s'", (long long)i,
                tw_covariate_name((tw_covariate)k), p->missing[k], v);
      if (*v) CHECK_NEAR(p->cov[k], strtod(v, NULL), 1e-12 * fabs(strtod(v, NULL)));
      else CHECK(isnan(p->cov[k]));
    }
    for (int j = 0; j < TW_COND_COUNT; ++j)
      CHECK_EQ_INT(p->cond[j], atoi(tw_ehr_csv_field(c, tw_ehr_csv_find(c, tw_condition_name((tw_condition)j)))));
  }
  tw_ehr_csv_close(c);
  CHECK_EQ_INT(i, t->n);
}

static int64_t report_value(const char *key) {
  tw_ehr_csv *c;
  int more = 1;
  int64_t v = -1;
  if (tw_ehr_csv_open(DATA "expected_report.csv", &c) != TW_OK) return -1;
  while (tw_ehr_csv_next(c, &more) == TW_OK && more)
    if (!strcmp(tw_ehr_csv_field(c, 0), key)) v = atoll(tw_ehr_csv_field(c, 1));
  tw_ehr_csv_close(c);
  return v;
}

static void test_synthea_matches_python(void) {
  tw_person_table t;
  CHECK_OK(tw_synthea_import(DATA, &OPT, &t));
  check_against_expected(&t, DATA "expected.csv");
  CHECK_EQ_INT(t.n, 10);
  CHECK_EQ_INT(t.report.source_persons, report_value("source_persons"));
  CHECK_EQ_INT(t.report.deceased_excluded, report_value("deceased_excluded"));
  CHECK_EQ_INT(t.report.unborn_excluded, report_value("unborn_excluded"));
  for (int k = 0; k < TW_COV_COUNT; ++k) {
    char key[64];
    snprintf(key, sizeof key, "missing_%s", tw_covariate_name((tw_covariate)k));
    CHECK_EQ_INT(t.report.missing[k], report_value(key));
  }
  /* observations.csv: 33 lines, the header and 31 records (the Address answer spans
  ** two lines); of the six codes for kept persons, 2 dated after
  ** 2022-01-01 (the baby's 2022-03-01 weight, the 2022-01-02 eGFR); 2 rows of a person
  ** not in patients.csv (one observation, one condition). */
  CHECK_EQ_INT(t.report.observation_rows, 31);
  CHECK_EQ_INT(t.report.observations_after, 2);
  CHECK_EQ_INT(t.report.rows_unknown_person, 2);
  CHECK_EQ_INT(t.report.condition_rows, 26);
  CHECK_EQ_STR(t.reference_date, "2022-01-01");
  tw_person_table_free(&t);
}

/* Person 082958ec-... (patients.csv line 3), worked out by hand from the rows:
**   age     born 1985-09-01: 13,271 days to 2022-01-01, / 365.25 = 36.334017796...
**   weight  200.0 [lb_av] on 2018-05-02 (later than 94.8 kg on 2013-11-10): 200 x 0.45359237 = 90.718474 kg
**   height  74 [in_i] on 2015-01-01 (later than 187.9 cm): 74 x 2.54 = 187.96 cm
**   bmi     26.9 kg/m2 on 2013-11-10, the only one
**   hba1c   48 mmol/mol: 0.09148 x 48 + 2.152 = 6.54304 %
**   glucose 5.5 mmol/L on 2021-12-31: 5.5 x 18.0156 = 99.0858 mg/dL
**   egfr    88.0 at 2022-01-01T23:59:59Z (on R: counts); 45.0 on 2022-01-02 does not
**   hypertension START 2015-01-01 STOP 2022-01-01: STOP is not > R, inactive
**   type 2 diabetes under another SYSTEM: not counted
** And 9793dd54-... (line 8): two glucose rows at the same time, 150 then 152: the later row, 152. */
static void test_synthea_by_hand(void) {
  tw_person_table t;
  char id[TW_PSEUDONYM_LEN + 1], id2[TW_PSEUDONYM_LEN + 1];
  CHECK_OK(tw_synthea_import(DATA, &OPT, &t));
  CHECK_OK(tw_pseudonym(SALT, "082958ec-4275-02ee-d5fa-3fdbd595eebb", id));
  CHECK_OK(tw_pseudonym(SALT, "9793dd54-6e06-d71b-6b02-16f6ec781c75", id2));
  const tw_person *p = NULL, *q = NULL;
  for (int64_t i = 0; i < t.n; ++i) {
    if (!strcmp(t.persons[i].id, id)) p = &t.persons[i];
    if (!strcmp(t.persons[i].id, id2)) q = &t.persons[i];
  }
  CHECK(p != NULL && q != NULL);
  CHECK_NEAR(p->age_y, 13271.0 / 365.25, 1e-12);
  CHECK_EQ_INT(p->sex, TW_SEX_MALE);
  CHECK_NEAR(p->cov[TW_COV_WEIGHT], 90.718474, 1e-12);
  CHECK_NEAR(p->cov[TW_COV_HEIGHT], 187.96, 1e-12);
  CHECK_NEAR(p->cov[TW_COV_BMI], 26.9, 1e-12);
  CHECK_NEAR(p->cov[TW_COV_HBA1C], 6.54304, 1e-12);
  CHECK_NEAR(p->cov[TW_COV_GLUCOSE], 99.0858, 1e-12);
  CHECK_NEAR(p->cov[TW_COV_EGFR], 88.0, 0.0);
  CHECK(!p->cond[TW_COND_HTN] && !p->cond[TW_COND_T2D] && !p->cond[TW_COND_T1D]);
  CHECK_NEAR(q->cov[TW_COV_GLUCOSE], 152.0, 0.0);
  CHECK(q->cond[TW_COND_T2D] && q->cond[TW_COND_HTN]);
  tw_person_table_free(&t);
}

static void test_synthea_keep_deceased(void) {
  tw_person_table t;
  const tw_import_options keep = {"2022-01-01", SALT, 1};
  CHECK_OK(tw_synthea_import(DATA, &keep, &t));
  check_against_expected(&t, DATA "expected_keep_deceased.csv");
  CHECK_EQ_INT(t.n, 13); /* 14 rows less the one born 2022-06-01 */
  CHECK_EQ_INT(t.report.deceased_kept, 3);
  CHECK_EQ_INT(t.report.deceased_excluded, 0);
  tw_person_table_free(&t);
}

/* ---- the person CSV ------------------------------------------------------------ */

/* persons.csv at R = 2022-01-01, by hand:
**   MRN-0001 F born 1980-03-15: 15,267 days / 365.25 = 41.798767967...; 70.5 kg, 165 cm,
**            bmi missing, HbA1c 6.1, glucose missing, eGFR 95; type 1 diabetes, others 0 (empty)
**   MRN-0002 born 2022-02-01, after R: left out, counted unborn
**   MRN-0003 M born 1950-12-31: 25,934 days / 365.25 = 71.003422313...; 82 kg, glucose 110, eGFR 60;
**            type 2 diabetes and hypertension
** persons_age.csv (a UTF-8 byte-order mark before the header, CRLF line ends): MRN-0004 F 41.5 y,
** weight missing; MRN-0005 M 7 y, 24.25 kg. */
static void test_person_csv(void) {
  tw_person_table t;
  char id[TW_PSEUDONYM_LEN + 1];
  CHECK_OK(tw_person_csv_import(DATA "persons.csv", &OPT, &t));
  CHECK_EQ_INT(t.n, 2);
  CHECK_EQ_INT(t.report.unborn_excluded, 1);
  CHECK_OK(tw_pseudonym(SALT, "MRN-0001, ward \"3\"", id));
  const tw_person *a = &t.persons[0], *b = &t.persons[1];
  CHECK_EQ_STR(a->id, id);
  CHECK_NEAR(a->age_y, 15267.0 / 365.25, 1e-12);
  CHECK_EQ_INT(a->sex, TW_SEX_FEMALE);
  CHECK_NEAR(a->cov[TW_COV_WEIGHT], 70.5, 0.0);
  CHECK_NEAR(a->cov[TW_COV_HEIGHT], 165.0, 0.0);
  CHECK(a->missing[TW_COV_BMI] && isnan(a->cov[TW_COV_BMI]));
  CHECK_NEAR(a->cov[TW_COV_HBA1C], 6.1, 0.0);
  CHECK(a->missing[TW_COV_GLUCOSE] && !a->missing[TW_COV_EGFR]);
  CHECK(a->cond[TW_COND_T1D] && !a->cond[TW_COND_T2D] && !a->cond[TW_COND_HTN]);
  CHECK_NEAR(b->age_y, 25934.0 / 365.25, 1e-12);
  CHECK_EQ_INT(b->sex, TW_SEX_MALE);
  CHECK(b->missing[TW_COV_HEIGHT] && b->missing[TW_COV_BMI] && b->missing[TW_COV_HBA1C]);
  CHECK_NEAR(b->cov[TW_COV_GLUCOSE], 110.0, 0.0);
  CHECK(!b->cond[TW_COND_T1D] && b->cond[TW_COND_T2D] && b->cond[TW_COND_HTN]);
  CHECK_EQ_INT(t.report.missing[TW_COV_BMI], 2);
  tw_person_table_free(&t);

  CHECK_OK(tw_person_csv_import(DATA "persons_age.csv", &OPT, &t));
  CHECK_EQ_INT(t.n, 2);
  CHECK_NEAR(t.persons[0].age_y, 41.5, 0.0);
  CHECK(t.persons[0].missing[TW_COV_WEIGHT]);
  CHECK_NEAR(t.persons[1].cov[TW_COV_WEIGHT], 24.25, 0.0);
  CHECK(t.persons[1].missing[TW_COV_HEIGHT]);
  tw_person_table_free(&t);
}

/* ---- broken files --------------------------------------------------------------- */

static void expect_synthea_error(const char *p, const char *o, const char *c, const char *where, const char *what) {
  tw_person_table t;
  CHECK_STATUS(tw_synthea_import_files(p, o, c, &OPT, &t), TW_ERR_INPUT);
  CHECK_MESSAGE(where);
  CHECK_MESSAGE(what);
  CHECK(t.n == 0 && t.persons == NULL);
}

/* Columns counted by hand on the broken rows, e.g. the unit on
** observations_unknown_unit.csv line 2 starts after 20+1+36+1+36+1+11+1+7+1+11+1+4+1 = 132 bytes,
** and the weight on persons_out_of_range.csv line 2 after "MRN-0001,F,40," = 14 bytes. */
static void test_broken_synthea_files(void) {
  const char *P = DATA "patients.csv", *O = DATA "observations.csv", *C = DATA "conditions.csv";
  expect_synthea_error(DATA "broken/patients_missing_column.csv", O, C, "patients_missing_column.csv:1:",
                       "missing column GENDER");
  expect_synthea_error(P, DATA "broken/observations_bad_date.csv", C, "observations_bad_date.csv:4:1: column DATE",
                       "'2021-13-01T08:45:50Z' is not a date");
  expect_synthea_error(P, DATA "broken/observations_unknown_unit.csv", C,
                       "observations_unknown_unit.csv:2:133: column UNITS", "unit '[stone]' of LOINC 29463-7");
  expect_synthea_error(P, O, DATA "broken/conditions_bad_date.csv", "conditions_bad_date.csv:4:12: column STOP",
                       "'2021-02-30' is not a date");
  expect_synthea_error(P, DATA "broken/observations_unclosed_quote.csv", C, "observations_unclosed_quote.csv:4:116:",
                       "quoted field not closed");
  expect_synthea_error(P, DATA "broken/observations_text_after_quote.csv", C,
                       "observations_text_after_quote.csv:2:133:", "text after the closing quote");
  expect_synthea_error(DATA "broken/patients_field_count.csv", O, C, "patients_field_count.csv:3:",
                       "27 fields, the header has 28");
  tw_person_table t;
  CHECK_STATUS(tw_synthea_import_files(DATA "no_such_file.csv", O, C, &OPT, &t), TW_ERR_IO);
}

static void test_broken_person_files(void) {
  static const struct { const char *file, *where, *what; } B[] = {
      {"persons_unknown_column.csv", "persons_unknown_column.csv:1:", "column 4 'name' is not a column"},
      {"persons_bad_sex.csv", "persons_bad_sex.csv:3:10: column sex", "sex must be F or M"},
      {"persons_duplicate.csv", "persons_duplicate.csv:4: column person_id", "the same person_id as line 2"},
      {"persons_out_of_range.csv", "persons_out_of_range.csv:2:15: column weight_kg", "outside (0, 700]"}};
  for (size_t i = 0; i < TW_ARRAY_LEN(B); ++i) {
    char path[512];
    tw_person_table t;
    snprintf(path, sizeof path, DATA "broken/%s", B[i].file);
    CHECK_STATUS(tw_person_csv_import(path, &OPT, &t), TW_ERR_INPUT);
    CHECK_MESSAGE(B[i].where);
    CHECK_MESSAGE(B[i].what);
  }
}

/* ---- privacy ----------------------------------------------------------------------- */

typedef struct needles {
  char *s[512];
  int n;
} needles;

/* Adds a string, and each line of a multi-line one; shorter than 4 bytes is no
** useful needle (it would match by chance in binary data). */
static void add_needle(needles *nd, const char *s) {
  const char *nl = strchr(s, '\n');
  if (nl) {
    char head[512];
    snprintf(head, sizeof head, "%.*s", (int)(nl - s), s);
    add_needle(nd, head);
    add_needle(nd, nl + 1);
  }
  if (strlen(s) < 4 || nd->n == (int)TW_ARRAY_LEN(nd->s)) return;
  nd->s[nd->n] = malloc(strlen(s) + 1);
  if (nd->s[nd->n]) strcpy(nd->s[nd->n++], s);
}

/* Every identifying field of patients.csv, the Address answers of
** observations.csv, the person CSVs' ids, and the salt. */
static void collect_needles(needles *nd) {
  static const char *const COLS[] = {"Id",         "SSN",     "DRIVERS", "PASSPORT", "PREFIX", "FIRST",
                                     "MIDDLE",     "LAST",    "SUFFIX",  "MAIDEN",   "BIRTHPLACE", "ADDRESS",
                                     "CITY",       "STATE",   "COUNTY",  "FIPS",     "ZIP",    "LAT",   "LON"};
  tw_ehr_csv *c;
  int more = 1;
  if (tw_ehr_csv_open(DATA "patients.csv", &c) != TW_OK) return;
  while (tw_ehr_csv_next(c, &more) == TW_OK && more)
    for (size_t i = 0; i < TW_ARRAY_LEN(COLS); ++i) add_needle(nd, tw_ehr_csv_field(c, tw_ehr_csv_find(c, COLS[i])));
  tw_ehr_csv_close(c);
  if (tw_ehr_csv_open(DATA "observations.csv", &c) != TW_OK) return;
  while (tw_ehr_csv_next(c, &more) == TW_OK && more)
    if (!strcmp(tw_ehr_csv_field(c, tw_ehr_csv_find(c, "CODE")), "56799-0"))
      add_needle(nd, tw_ehr_csv_field(c, tw_ehr_csv_find(c, "VALUE")));
  tw_ehr_csv_close(c);
  add_needle(nd, "MRN-0001");
  add_needle(nd, "MRN-0003");
  add_needle(nd, SALT);
}

/* The needles found in n bytes (0 when none), the first named in *hit. */
static int scan(const unsigned char *bytes, size_t n, const needles *nd, const char **hit) {
  int found = 0;
  for (int k = 0; k < nd->n; ++k) {
    const size_t len = strlen(nd->s[k]);
    for (size_t i = 0; i + len <= n; ++i)
      if (!memcmp(bytes + i, nd->s[k], len)) {
        if (!found++) *hit = nd->s[k];
        break;
      }
  }
  return found;
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(*n ? *n : 1);
  if (b && fread(b, 1, *n, f) != *n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  return b;
}

/* Writes the table to HDF5, checks what came back, and scans the file's bytes
** and the table's own memory. */
static void write_and_scan(const tw_person_table *t, const char *path, const needles *nd) {
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_person_table_write_h5(f, t));
  CHECK_OK(tw_h5_close(f));
  size_t n = 0;
  const char *hit = "";
  unsigned char *bytes = slurp(path, &n);
  CHECK(bytes != NULL && n > 1000);
  const int found = scan(bytes, n, nd, &hit);
  free(bytes);
  CHECK_MSG(found == 0, "%s holds %d identifying strings, e.g. \"%s\"", path, found, hit);
  CHECK_MSG(scan((const unsigned char *)t->persons, (size_t)t->n * sizeof *t->persons, nd, &hit) == 0,
            "the table's memory holds \"%s\"", hit);
}

static void check_h5_content(const tw_person_table *t, const char *path) {
  tw_h5_file *f;
  char **ids;
  int64_t n;
  tw_tensor w, miss, htn;
  char units[32];
  CHECK_OK(tw_h5_open(path, NULL, &f));
  CHECK_OK(tw_h5_read_strings(f, "/cohort/id", &ids, &n));
  CHECK_EQ_INT(n, t->n);
  for (int64_t i = 0; i < n; ++i) CHECK_EQ_STR(ids[i], t->persons[i].id);
  for (int64_t i = 0; i < n; ++i) free(ids[i]);
  free(ids);
  CHECK_OK(tw_h5_read(f, "/cohort/covariates/weight_kg", TW_F64, &w));
  CHECK_OK(tw_h5_read(f, "/cohort/covariates/missing_weight_kg", TW_I32, &miss));
  CHECK_OK(tw_h5_read(f, "/cohort/conditions/hypertension", TW_I32, &htn));
  CHECK_OK(tw_h5_units(f, "/cohort/covariates/weight_kg", units, sizeof units));
  CHECK_EQ_STR(units, "kg");
  for (int64_t i = 0; i < n; ++i) {
    const double v = ((double *)w.data)[i];
    CHECK(((int32_t *)miss.data)[i] == t->persons[i].missing[TW_COV_WEIGHT]);
    CHECK(t->persons[i].missing[TW_COV_WEIGHT] ? isnan(v) : v == t->persons[i].cov[TW_COV_WEIGHT]);
    CHECK(((int32_t *)htn.data)[i] == t->persons[i].cond[TW_COND_HTN]);
  }
  free(w.data);
  free(miss.data);
  free(htn.data);
  char *ref;
  CHECK_OK(tw_h5_attr_read_string(f, "cohort_reference_date", &ref));
  CHECK_EQ_STR(ref, "2022-01-01");
  free(ref);
  CHECK_OK(tw_h5_close(f));
}

static void test_privacy_of_outputs(void) {
  needles nd = {{0}, 0};
  collect_needles(&nd);
  /* 14 persons x up to 19 fields (those of 4 bytes or more), the Address answers, 2 MRNs, the salt. */
  CHECK_MSG(nd.n > 150, "only %d needles collected", nd.n);
  tw_person_table t;
  const char *path = TW_BINARY_DIR "/test_synthea_privacy.h5";
  const tw_import_options keep = {"2022-01-01", SALT, 1};
  CHECK_OK(tw_synthea_import(DATA, &keep, &t));
  write_and_scan(&t, path, &nd);
  check_h5_content(&t, path);
  tw_person_table_free(&t);
  CHECK_OK(tw_person_csv_import(DATA "persons.csv", &OPT, &t));
  write_and_scan(&t, TW_BINARY_DIR "/test_synthea_person_csv.h5", &nd);
  tw_person_table_free(&t);
  /* The scan can fail: the same bytes with one source Id planted are caught. */
  const char *hit = "";
  char planted[256];
  snprintf(planted, sizeof planted, "....%s....", "999-87-7360");
  CHECK(scan((const unsigned char *)planted, strlen(planted), &nd, &hit) == 1);
  for (int k = 0; k < nd.n; ++k) free(nd.s[k]);
}

int main(void) {
  TW_TEST_RUN(test_import_needs_salt);
  TW_TEST_RUN(test_csv_quoting_and_lines);
  TW_TEST_RUN(test_synthea_matches_python);
  TW_TEST_RUN(test_synthea_by_hand);
  TW_TEST_RUN(test_synthea_keep_deceased);
  TW_TEST_RUN(test_person_csv);
  TW_TEST_RUN(test_broken_synthea_files);
  TW_TEST_RUN(test_broken_person_files);
  TW_TEST_RUN(test_privacy_of_outputs);
  return TW_TEST_RESULT();
}
