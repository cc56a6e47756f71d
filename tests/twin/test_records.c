/*
** test_records.c: the records import of src/twin (records.h), label unit.
**
**   - The CSV fixture tests/data/twin/records.csv + persons.csv (README there):
**     every minute, value, segment, gap, count, first place and flag of its six
**     persons worked out by hand below: the Europe/Berlin clock changes of
**     2026-03-29 and 2026-10-25 (minutes stay 5 apart across them), one instant
**     written with two offsets (an identical duplicate), a conflicting
**     duplicate, a 50-minute gap and a 30-minute non-gap (the threshold is
**     "longer than"), mmol/L and mg/dL for one person, overlapping basal
**     records, a person without CGM, unitless CGM resolved to mmol/L for one
**     person and ambiguous for another, a persons row without records; and a
**     smaller gap threshold finds the gaps it should.
**   - The Nightscout fixture tests/data/twin/nightscout (written from the
**     documented fields): sgv, error codes, mbg and cal entries, Meal, Snack,
**     Correction and Combo Boluses, Carb Corrections, temp basals absolute,
**     rate-only, to zero, cut by the next, ended by duration 0, in percent,
**     created_at with Z, with an offset and without one, AAPS's `date`.
**   - The records file read back equals the table (every array and field), and
**     neither it nor the JSON report holds a source id or the salt, while the
**     scan does find them in the fixture.
**   - Bad input: each fixture of tests/data/twin/bad fails with TW_ERR_INPUT and
**     the exact message naming the file and line or record; a short salt fails.
**   - A generated 3-month Nightscout export (5-minute CGM and Loop-style 5-minute
**     temp basals) imports with the counts it was built with; the time is printed.
*/
#include <math.h>   /* isnan, fabs */
#include <stdio.h>  /* fopen, fprintf, remove */
#include <stdlib.h> /* free */
#include <string.h> /* strcmp, strstr, memcmp */
#include <time.h>   /* clock_gettime */

#include "core/pseudonym.h"
#include "twin/records.h"
#include "tw_test.h"

#define DATA TW_TEST_DATA_DIR "/twin/"
static const char SALT[] = "twinscale-test-salt-0123456789";

#define CHECK_MESSAGE(needle) \
  CHECK_MSG(strstr(tw_error_message(), (needle)) != NULL, "message \"%s\" lacks \"%s\"", tw_error_message(), (needle))

static tw_records_options csv_options(void) {
  return (tw_records_options){.records = DATA "records.csv", .persons = DATA "persons.csv", .salt = SALT};
}

/* The person whose source id is `id`, or NULL. */
static const tw_rec_person *person_of(const tw_records *r, const char *id) {
  char p[TW_PSEUDONYM_LEN + 1];
  if (tw_pseudonym(SALT, id, p) != TW_OK) return NULL;
  for (int64_t i = 0; i < r->n; ++i)
    if (!strcmp(r->persons[i].id, p)) return &r->persons[i];
  return NULL;
}

/* a[begin + i] == want[i] for i < n, exactly. */
static int same(const double *a, int64_t begin, const double *want, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (a[begin + i] != want[i]) {
      fprintf(stderr, "  row %lld: %.17g != %.17g\n", (long long)i, a[begin + i], want[i]);
      return 0;
    }
  return 1;
}

/* ---- the CSV fixture ----------------------------------------------------------- */

/* A001: Berlin springs forward at 01:00Z; t0 = 00:30Z. */
static void check_person_a(const tw_records *r) {
  const tw_rec_person *a = person_of(r, "MRN-A001");
  CHECK(a != NULL && a == &r->persons[0]);
  CHECK_EQ_INT(a->t0_ms, 1774744200000LL); /* date -u -d 2026-03-29T00:30:00Z +%s, x 1000 */
  CHECK(a->end_min == 95.0);
  static const double t[] = {0, 5, 10, 15, 20, 25, 30, 40, 90, 95}, v[] = {120, 125, 130, 134, 140, 150, 160, 155, 145, 140};
  CHECK_EQ_INT(a->n_cgm, 10);
  CHECK(same(r->cgm_min, a->cgm_begin, t, 10) && same(r->cgm_mgdl, a->cgm_begin, v, 10));
  static const double gs[] = {40}, ge[] = {90};
  CHECK(a->n_gap == 1 && same(r->gap_start_min, a->gap_begin, gs, 1) && same(r->gap_end_min, a->gap_begin, ge, 1));
  static const double c15[] = {15}, c45[] = {45}, u45[] = {4.5};
  CHECK(a->n_carb == 1 && same(r->carb_min, a->carb_begin, c15, 1) && same(r->carb_g, a->carb_begin, c45, 1));
  CHECK(a->n_bolus == 1 && same(r->bolus_min, a->bolus_begin, c15, 1) && same(r->bolus_u, a->bolus_begin, u45, 1));
  static const double bs[] = {0, 30}, be[] = {30, 95}, bu[] = {0.8, 1.0};
  CHECK(a->n_basal == 2 && same(r->basal_start_min, a->basal_begin, bs, 2) &&
        same(r->basal_end_min, a->basal_begin, be, 2) && same(r->basal_u_h, a->basal_begin, bu, 2));
  CHECK_EQ_INT(a->count[TW_RR_CGM_DUP_MERGED], 1);
  CHECK_EQ_STR(a->first[TW_RR_CGM_DUP_MERGED], "records.csv:6");
  CHECK_EQ_INT(a->count[TW_RR_CGM_DUP_CONFLICT], 2);
  CHECK_EQ_STR(a->first[TW_RR_CGM_DUP_CONFLICT], "records.csv:14");
  CHECK_EQ_INT(a->count[TW_RR_UTC_OFFSET_CHANGES], 5); /* +1 -> Z -> +1 (line 6), +1 -> +2, +2 -> Z -> +2 (line 16) */
  CHECK_EQ_INT(a->flags, TW_REC_DUP_CONFLICT | TW_REC_CGM_GAPS);
  CHECK(a->weight_kg == 72.5 && a->age_y == 34 && a->sex == 0 && a->height_cm == 168);
}

/* B002: Berlin falls back at 01:00Z; mmol/L and mg/dL; overlapping basal at minute 45. */
static void check_person_b(const tw_records *r) {
  const tw_rec_person *b = person_of(r, "MRN-B002");
  CHECK(b == &r->persons[1]);
  const double k = TW_REC_MGDL_PER_MMOL;
  const double t[] = {0, 15, 45, 60, 70}, v[] = {5.5 * k, 6.0 * k, 110, 6.5 * k, 7 * k};
  CHECK(b->n_cgm == 5 && same(r->cgm_min, b->cgm_begin, t, 5) && same(r->cgm_mgdl, b->cgm_begin, v, 5));
  CHECK_EQ_INT(b->n_gap, 0); /* 15 -> 45 is 30 minutes: not longer than 30 */
  static const double bs[] = {0}, be[] = {45}, bu[] = {0.9};
  CHECK(b->n_basal == 1 && same(r->basal_start_min, b->basal_begin, bs, 1) &&
        same(r->basal_end_min, b->basal_begin, be, 1) && same(r->basal_u_h, b->basal_begin, bu, 1));
  CHECK_EQ_INT(b->count[TW_RR_BASAL_OVERLAP], 2);
  CHECK_EQ_STR(b->first[TW_RR_BASAL_OVERLAP], "records.csv:23");
  CHECK_EQ_INT(b->count[TW_RR_UTC_OFFSET_CHANGES], 1);
  CHECK_EQ_INT(b->flags, TW_REC_BASAL_OVERLAP);
  CHECK(b->weight_kg == 81 && b->sex == 1 && isnan(b->height_cm));
  CHECK_NEAR(v[0], 99.0858, 1e-12);
}

static void check_persons_c_to_f(const tw_records *r) {
  const tw_rec_person *c = person_of(r, "MRN-C003"), *d = person_of(r, "MRN-D004");
  const tw_rec_person *e = person_of(r, "MRN-E005"), *f = person_of(r, "MRN-F006");
  CHECK(c == &r->persons[2] && d == &r->persons[3] && e == &r->persons[4] && f == &r->persons[5]);
  CHECK_EQ_INT(c->flags, TW_REC_NO_CGM | TW_REC_NO_WEIGHT | TW_REC_NO_BASAL);
  CHECK(c->n_carb == 1 && r->carb_g[c->carb_begin] == 60 && c->n_bolus == 1 && r->bolus_u[c->bolus_begin] == 6);
  CHECK_EQ_INT(c->count[TW_RR_BOLUS_DUP_MERGED], 1);
  CHECK_EQ_INT(d->flags, TW_REC_NO_CGM | TW_REC_CGM_UNITS | TW_REC_NO_BASAL); /* 6.5 and 120 without a unit */
  CHECK_EQ_INT(d->count[TW_RR_CGM_UNIT_AMBIGUOUS], 2);
  CHECK_EQ_STR(d->first[TW_RR_CGM_UNIT_AMBIGUOUS], "records.csv:30");
  CHECK_EQ_INT(d->count[TW_RR_BASAL_USED], 1); /* its only basal record is its last record: no segment */
  const double ev[] = {5.5 * TW_REC_MGDL_PER_MMOL, 6.1 * TW_REC_MGDL_PER_MMOL}, et[] = {0, 5};
  CHECK(e->n_cgm == 2 && same(r->cgm_mgdl, e->cgm_begin, ev, 2) && same(r->cgm_min, e->cgm_begin, et, 2));
  CHECK_EQ_INT(e->t0_ms, 1780315200000LL); /* date -u -d 2026-06-01T08:00:00-04:00 +%s, x 1000 */
  CHECK_EQ_INT(e->count[TW_RR_CGM_OUT_OF_RANGE], 1);
  CHECK_EQ_STR(e->first[TW_RR_CGM_OUT_OF_RANGE], "records.csv:35");
  CHECK_EQ_INT(e->flags, TW_REC_NO_WEIGHT | TW_REC_NO_BASAL);
  CHECK(e->count[TW_RR_CARBS_OUT_OF_RANGE] == 1 && !strcmp(e->first[TW_RR_CARBS_OUT_OF_RANGE], "records.csv:36"));
  CHECK(e->count[TW_RR_BOLUS_OUT_OF_RANGE] == 1 && !strcmp(e->first[TW_RR_BOLUS_OUT_OF_RANGE], "records.csv:37"));
  CHECK(e->count[TW_RR_BASAL_OUT_OF_RANGE] == 1 && !strcmp(e->first[TW_RR_BASAL_OUT_OF_RANGE], "records.csv:38"));
  CHECK(e->n_carb == 0 && e->n_bolus == 0 && e->n_basal == 0);
  CHECK_EQ_INT(f->flags, TW_REC_NO_RECORDS | TW_REC_NO_CGM | TW_REC_NO_BASAL);
  CHECK(f->weight_kg == 90 && f->n_cgm == 0);
}

static void test_csv_fixture(void) {
  tw_records r;
  const tw_records_options opt = csv_options();
  CHECK_OK(tw_records_import(&opt, &r));
  CHECK_EQ_INT(r.n, 6);
  CHECK_EQ_INT(r.source_records, 37 + 5);
  CHECK_EQ_STR(r.source, "csv");
  CHECK(r.gap_min == 30);
  CHECK_OK(tw_records_check_usable(&r, "records.csv"));
  check_person_a(&r);
  check_person_b(&r);
  check_persons_c_to_f(&r);
  tw_records_free(&r);
}

static void test_gap_threshold(void) {
  tw_records r;
  tw_records_options opt = csv_options();
  opt.gap_min = 9;
  CHECK_OK(tw_records_import(&opt, &r));
  const tw_rec_person *b = person_of(&r, "MRN-B002"), *a = person_of(&r, "MRN-A001");
  static const double gs[] = {0, 15, 45, 60}, ge[] = {15, 45, 60, 70};
  CHECK(b->n_gap == 4 && same(r.gap_start_min, b->gap_begin, gs, 4) && same(r.gap_end_min, b->gap_begin, ge, 4));
  CHECK_EQ_INT(a->n_gap, 2); /* 30 -> 40 (the conflicting 03:05 left out) and 40 -> 90 */
  tw_records_free(&r);
}

/* ---- the Nightscout fixture ---------------------------------------------------- */

static void check_nightscout_counts(const tw_rec_person *p) {
  CHECK_EQ_INT(p->count[TW_RR_CGM_USED], 6);
  CHECK_EQ_INT(p->count[TW_RR_CGM_DUP_MERGED], 1);
  CHECK_EQ_STR(p->first[TW_RR_CGM_DUP_MERGED], "entries.json: record 4 (line 50)");
  CHECK_EQ_INT(p->count[TW_RR_CGM_ERROR_CODE], 1);
  CHECK_EQ_INT(p->count[TW_RR_ENTRY_NOT_SGV], 2);
  CHECK_EQ_INT(p->count[TW_RR_BOLUS_DUP_MERGED], 1);
  CHECK_EQ_INT(p->count[TW_RR_BASAL_USED], 3);
  CHECK_EQ_INT(p->count[TW_RR_BASAL_CUT], 2);
  CHECK_EQ_INT(p->count[TW_RR_BASAL_END], 1);
  CHECK_EQ_INT(p->count[TW_RR_BASAL_PERCENT], 1);
  CHECK_EQ_STR(p->first[TW_RR_BASAL_PERCENT], "treatments.json: record 7 (line 39)");
  CHECK_EQ_INT(p->count[TW_RR_COMBO_EXTENDED], 1);
  CHECK_EQ_INT(p->count[TW_RR_TREATMENT_NO_INPUT], 3);
  CHECK_EQ_INT(p->count[TW_RR_NO_TIME], 1);
  CHECK_EQ_STR(p->first[TW_RR_NO_TIME], "treatments.json: record 13 (line 76)");
}

static void test_nightscout_fixture(void) {
  tw_records r;
  const tw_records_options opt = {.records = DATA "nightscout", .salt = SALT, .weight_kg = 70};
  CHECK_OK(tw_records_import(&opt, &r));
  CHECK(r.n == 1 && r.source_records == 25 && !strcmp(r.source, "nightscout"));
  const tw_rec_person *p = person_of(&r, "nightscout"); /* the folder's name */
  CHECK(p != NULL);
  CHECK_EQ_INT(p->t0_ms, 1774742400000LL); /* 2026-03-29T00:00:00Z */
  static const double t[] = {0, 5, 10, 20, 70, 75}, v[] = {120, 122, 125, 130, 140, 138};
  CHECK(p->n_cgm == 6 && same(r.cgm_min, 0, t, 6) && same(r.cgm_mgdl, 0, v, 6));
  static const double ct[] = {10, 25, 35}, cg[] = {40, 15, 10};
  CHECK(p->n_carb == 3 && same(r.carb_min, 0, ct, 3) && same(r.carb_g, 0, cg, 3));
  static const double bt[] = {10, 20, 35, 55}, bu[] = {4, 1.5, 1, 2};
  CHECK(p->n_bolus == 4 && same(r.bolus_min, 0, bt, 4) && same(r.bolus_u, 0, bu, 4));
  static const double ss[] = {0, 20, 50}, se[] = {20, 35, 75}, sr[] = {0.8, 0, 1.5};
  CHECK(p->n_basal == 3 && same(r.basal_start_min, 0, ss, 3) && same(r.basal_end_min, 0, se, 3) &&
        same(r.basal_u_h, 0, sr, 3));
  static const double gs[] = {20}, ge[] = {70};
  CHECK(p->n_gap == 1 && same(r.gap_start_min, 0, gs, 1) && same(r.gap_end_min, 0, ge, 1));
  CHECK(p->weight_kg == 70 && p->flags == TW_REC_CGM_GAPS);
  check_nightscout_counts(p);
  tw_records_free(&r);
  const tw_records_options named = {.records = DATA "nightscout", .salt = SALT, .person_id = "NS-42"};
  CHECK_OK(tw_records_import(&named, &r));
  CHECK(person_of(&r, "NS-42") != NULL && r.persons[0].flags == (TW_REC_CGM_GAPS | TW_REC_NO_WEIGHT));
  tw_records_free(&r);
}

/* ---- the file, the report and privacy ------------------------------------------ */

static int same_person(const tw_rec_person *a, const tw_rec_person *b) {
  int ok = !strcmp(a->id, b->id) && a->flags == b->flags && a->t0_ms == b->t0_ms && a->end_min == b->end_min;
  ok &= a->sex == b->sex && (a->weight_kg == b->weight_kg || (isnan(a->weight_kg) && isnan(b->weight_kg)));
  ok &= a->cgm_begin == b->cgm_begin && a->n_cgm == b->n_cgm && a->n_basal == b->n_basal && a->n_gap == b->n_gap;
  ok &= a->carb_begin == b->carb_begin && a->bolus_begin == b->bolus_begin && a->basal_begin == b->basal_begin;
  return ok && !memcmp(a->count, b->count, sizeof a->count);
}

static int same_arrays(const tw_records *a, const tw_records *b) {
  return a->n_cgm == b->n_cgm && same(a->cgm_min, 0, b->cgm_min, a->n_cgm) && same(a->cgm_mgdl, 0, b->cgm_mgdl, a->n_cgm) &&
         a->n_carb == b->n_carb && same(a->carb_g, 0, b->carb_g, a->n_carb) && same(a->carb_min, 0, b->carb_min, a->n_carb) &&
         a->n_bolus == b->n_bolus && same(a->bolus_u, 0, b->bolus_u, a->n_bolus) &&
         a->n_basal == b->n_basal && same(a->basal_u_h, 0, b->basal_u_h, a->n_basal) &&
         same(a->basal_end_min, 0, b->basal_end_min, a->n_basal) && a->n_gap == b->n_gap &&
         same(a->gap_end_min, 0, b->gap_end_min, a->n_gap);
}

/* True when `needle` occurs in s[0..len) (bytes, NULs included). */
static int occurs(const char *s, size_t len, const char *needle) {
  const size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i)
    if (!memcmp(s + i, needle, n)) return 1;
  return 0;
}

/* Number of `needles` found in the file's bytes. */
static int found_in(const char *path, const char *const *needles, int n) {
  size_t len;
  char *s = tw_test_slurp(path, &len);
  int hits = 0;
  for (int i = 0; s && i < n; ++i) hits += occurs(s, len, needles[i]);
  free(s);
  return hits;
}

static void test_file_round_trip_and_privacy(void) {
  tw_records r, back;
  const tw_records_options opt = csv_options();
  CHECK_OK(tw_records_import(&opt, &r));
  const char *h5 = TW_BINARY_DIR "/twin_records_test.h5", *json = TW_BINARY_DIR "/twin_records_test.json";
  CHECK_OK(tw_records_write_h5(&r, h5));
  CHECK_OK(tw_records_write_report(&r, json));
  CHECK_OK(tw_records_read_h5(h5, &back));
  CHECK(back.n == r.n && back.gap_min == r.gap_min && back.source_records == r.source_records);
  for (int64_t i = 0; i < r.n; ++i) CHECK_MSG(same_person(&r.persons[i], &back.persons[i]), "person %lld differs", (long long)i);
  CHECK(same_arrays(&r, &back));
  static const char *const IDS[] = {"MRN-A001", "MRN-B002", "MRN-C003", "MRN-D004", "MRN-E005", "MRN-F006", "MRN-", SALT};
  CHECK_EQ_INT(found_in(h5, IDS, 8), 0);
  CHECK_EQ_INT(found_in(json, IDS, 8), 0);
  CHECK_EQ_INT(found_in(DATA "records.csv", IDS, 8), 6); /* the scan finds the ids where they are: A-E, MRN- */
  CHECK_EQ_INT(found_in(DATA "persons.csv", IDS, 8), 6); /* A-D, F, MRN- */
  CHECK_EQ_INT(found_in(json, (const char *const[]){r.persons[0].id, "records.csv:14"}, 2), 2);
  tw_records_free(&r);
  tw_records_free(&back);
  remove(h5);
  remove(json);
}

/* ---- bad input ----------------------------------------------------------------- */

static void expect_error(const char *records, const char *message) {
  tw_records r;
  const tw_records_options opt = {.records = records, .salt = SALT};
  tw_status st = tw_records_import(&opt, &r);
  if (st == TW_OK) {
    st = tw_records_check_usable(&r, records);
    tw_records_free(&r);
  }
  CHECK_MSG(st == TW_ERR_INPUT, "%s: %s", records, tw_status_name(st));
  CHECK_EQ_STR(tw_error_message(), message);
}

static void test_bad_inputs(void) {
#define BAD DATA "bad/"
  expect_error(BAD "no_offset.csv", BAD "no_offset.csv:3:4: column time: '2026-03-29T01:35:00' is not an ISO 8601 "
                                    "time with its UTC offset (2026-03-29T01:55:00+01:00 or ...Z)");
  expect_error(BAD "unknown_unit.csv", BAD "unknown_unit.csv:3:38: column unit: unit 'mg' of kind cgm is not known "
                                       "(mg/dL or mmol/L)");
  expect_error(BAD "short_row.csv", BAD "short_row.csv:3: 4 fields, the header has 5");
  expect_error(BAD "not_a_number.csv", BAD "not_a_number.csv:2:36: column value: 'forty' is not a number");
  expect_error(BAD "unitless_mixed.csv", BAD "unitless_mixed.csv: no person has a usable CGM sample (1 person(s); "
                                         "first left out: cgm_unit_ambiguous at unitless_mixed.csv:2)");
  expect_error(BAD "ns_truncated", BAD "ns_truncated/entries.json:4:1: JSON: expected ',' or '}'");
  expect_error(BAD "ns_bad_field", BAD "ns_bad_field/treatments.json: record 2 (line 3): field carbs: not a number");
  expect_error(BAD "ns_not_array", BAD "ns_not_array/entries.json:1: expected a JSON array of records (a Nightscout export)");
  expect_error(DATA, DATA ": no entries.json in this folder (a Nightscout export holds entries.json and treatments.json)");
  expect_error(BAD "ns_no_treatments", BAD "ns_no_treatments: no treatments.json in this folder (a Nightscout export "
                                       "holds entries.json and treatments.json)");
  tw_records r;
  tw_records_options opt = csv_options();
  opt.salt = "short-salt";
  CHECK_STATUS(tw_records_import(&opt, &r), TW_ERR_INPUT);
  CHECK_MESSAGE("salt");
#undef BAD
}

/* ---- a generated 3-month Nightscout export ------------------------------------- */

enum { DAYS = 90, PER_DAY = 288, MEALS_PER_DAY = 3 };

static void write_export(const char *dir, size_t *bytes) {
  char path[512];
  const long long base = 1767225600000LL; /* 2026-01-01T00:00:00Z */
  snprintf(path, sizeof path, "%s/entries.json", dir);
  FILE *f = fopen(path, "w");
  fprintf(f, "[");
  for (int k = 0; k < DAYS * PER_DAY; ++k)
    fprintf(f, "%s{\"_id\":\"%024x\",\"device\":\"xDrip-DexcomG6\",\"date\":%lld,\"dateString\":\"x\",\"sgv\":%d,"
               "\"delta\":1.5,\"direction\":\"Flat\",\"type\":\"sgv\",\"filtered\":0,\"unfiltered\":0,\"rssi\":100,"
               "\"noise\":1,\"sysTime\":\"x\",\"utcOffset\":60}", k ? "," : "", k, base + 300000LL * k, 80 + k % 150);
  fprintf(f, "]\n");
  *bytes = (size_t)ftell(f);
  fclose(f);
  snprintf(path, sizeof path, "%s/treatments.json", dir);
  f = fopen(path, "w");
  fprintf(f, "[");
  for (int k = 0; k < DAYS * PER_DAY; ++k) {
    fprintf(f, "%s{\"_id\":\"%024x\",\"eventType\":\"Temp Basal\",\"created_at\":\"", k ? "," : "", k);
    const long long s = (base + 300000LL * k) / 1000 - 1767225600LL, day = s / 86400;
    fprintf(f, "2026-%02lld-%02lldT%02lld:%02lld:00.000Z\",\"absolute\":%.2f,\"rate\":%.2f,\"duration\":30,"
               "\"enteredBy\":\"loop://iPhone\",\"utcOffset\":60}",
            day < 31 ? 1LL : day < 59 ? 2LL : 3LL, day < 31 ? day + 1 : day < 59 ? day - 30 : day - 58,
            s % 86400 / 3600, s % 3600 / 60, 0.5 + 0.1 * (k % 10), 0.5 + 0.1 * (k % 10));
    if (k % (PER_DAY / MEALS_PER_DAY) == 40)
      fprintf(f, ",{\"eventType\":\"Meal Bolus\",\"date\":%lld,\"carbs\":50,\"insulin\":5.5}", base + 300000LL * k + 1000);
  }
  fprintf(f, "]\n");
  *bytes += (size_t)ftell(f);
  fclose(f);
}

static void test_three_month_export(void) {
  const char *dir = TW_BINARY_DIR "/twin_ns_3months";
  char cmd[600];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  CHECK(system(cmd) == 0);
  size_t bytes;
  write_export(dir, &bytes);
  struct timespec t0, t1;
  tw_records r;
  const tw_records_options opt = {.records = dir, .salt = SALT, .weight_kg = 70};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_OK(tw_records_import(&opt, &r));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  const int64_t n = DAYS * PER_DAY, meals = DAYS * MEALS_PER_DAY;
  fprintf(stderr, "  3-month Nightscout export: %.1f MB, %lld records, imported in %.3f s (%.1f MB/s, %.0f records/s)\n",
          (double)bytes / 1e6, (long long)(2 * n + meals), s, (double)bytes / 1e6 / s, (double)(2 * n + meals) / s);
  CHECK_EQ_INT(r.source_records, 2 * n + meals);
  /* the last temp basal starts with the last record, so it holds no time of the record period */
  CHECK(r.n_cgm == n && r.n_basal == n - 1 && r.n_carb == meals && r.n_bolus == meals && r.n_gap == 0);
  CHECK_EQ_INT(r.persons[0].count[TW_RR_BASAL_CUT], n - 1); /* every 30-minute temp is replaced after 5 */
  CHECK(r.basal_end_min[n - 2] == r.persons[0].end_min && r.cgm_min[n - 1] == 5.0 * (double)(n - 1));
  CHECK(r.basal_u_h[7] == 1.2); /* "%.2f" of 0.5 + 0.1 * 7 */
  CHECK_NEAR(r.carb_min[0], 200.0 + 1.0 / 60.0, 1e-12); /* k = 40, one second after the temp basal */
  tw_records_free(&r);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

int main(void) {
  TW_TEST_RUN(test_csv_fixture);
  TW_TEST_RUN(test_gap_threshold);
  TW_TEST_RUN(test_nightscout_fixture);
  TW_TEST_RUN(test_file_round_trip_and_privacy);
  TW_TEST_RUN(test_bad_inputs);
  TW_TEST_RUN(test_three_month_export);
  return TW_TEST_RESULT();
}
