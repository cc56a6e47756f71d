/*
** records_csv.c: the two CSV files of the records import (records.h,
** docs/personal-twins.md), read with the core CSV reader so that every error
** names FILE:LINE:COL and the column:
**
**   records  person_id,time,kind,value,unit   one row per record; time ISO 8601
**            with its UTC offset; kinds cgm (mg/dL, mmol/L), carbs (g), bolus (U),
**            basal_rate (U/h, holds until the next); an empty unit is the kind's
**            only unit, and for cgm is resolved per person (records_build.c)
**   persons  person_id,weight_kg[,age_y,sex,height_cm]   one row per person
**
** A column other than these, an unknown kind or unit, a time without its
** offset, a value that is not a number and a person listed twice are errors of
** the whole input. Values are range-checked where they are used.
*/
#include "twin/records_internal.h"

#include <math.h>    /* INFINITY, isnan */
#include <stdlib.h>  /* calloc, free */
#include <string.h>  /* strcmp */
#include <strings.h> /* strcasecmp */

#include "core/csv.h"
#include "core/date.h"

/* ---- the records file ------------------------------------------------------------ */

static const char *const RECORD_COLUMNS[] = {"person_id", "time", "kind", "value", "unit"};
static const char *const PERSON_COLUMNS[] = {"person_id", "weight_kg", "age_y", "sex", "height_cm"};

/* Every header column must be one of `names`; the first `required` of them must be there. */
static tw_status check_header(const tw_ehr_csv *c, const char *const *names, int n, int required, int *cols) {
  for (int k = 0; k < n; ++k) cols[k] = tw_ehr_csv_find(c, names[k]);
  for (int k = 0; k < required; ++k) TW_TRY(tw_ehr_csv_require(c, names[k], &cols[k]));
  for (int i = 0; i < tw_ehr_csv_columns(c); ++i) {
    int known = 0;
    for (int k = 0; k < n; ++k) known |= !strcmp(tw_ehr_csv_column_name(c, i), names[k]);
    if (!known)
      return TW_FAIL(TW_ERR_INPUT, "%s:1: column %s is not a column of this file (%s%s%s%s%s%s%s%s%s)",
                     tw_ehr_csv_path(c), tw_ehr_csv_column_name(c, i), names[0], n > 1 ? ", " : "",
                     n > 1 ? names[1] : "", n > 2 ? ", " : "", n > 2 ? names[2] : "", n > 3 ? ", " : "",
                     n > 3 ? names[3] : "", n > 4 ? ", " : "", n > 4 ? names[4] : "");
  }
  return TW_OK;
}

typedef struct kind_info {
  const char *name, *unit; /* the unit an empty cell means (cgm: none, resolved per person) */
  rec_kind kind;
} kind_info;

static const kind_info KINDS[] = {
    {"cgm", NULL, REC_CGM}, {"carbs", "g", REC_CARBS}, {"bolus", "U", REC_BOLUS}, {"basal_rate", "U/h", REC_BASAL}};

static tw_status parse_kind(const tw_ehr_csv *c, int col, const kind_info **k) {
  const char *s = tw_ehr_csv_field(c, col);
  for (size_t i = 0; i < TW_ARRAY_LEN(KINDS); ++i)
    if (!strcmp(s, KINDS[i].name)) return *k = &KINDS[i], TW_OK;
  return tw_ehr_csv_fail(c, col, "kind '%s' is not known (cgm, carbs, bolus, basal_rate)", s);
}

static tw_status parse_unit(const tw_ehr_csv *c, int col, const kind_info *k, rec_unit *u) {
  const char *s = tw_ehr_csv_field(c, col);
  *u = REC_UNIT_NONE;
  if (!*s) return TW_OK;
  if (k->kind == REC_CGM && !strcasecmp(s, "mg/dL")) return *u = REC_UNIT_MGDL, TW_OK;
  if (k->kind == REC_CGM && !strcasecmp(s, "mmol/L")) return *u = REC_UNIT_MMOL, TW_OK;
  if (k->unit && !strcasecmp(s, k->unit)) return TW_OK;
  return tw_ehr_csv_fail(c, col, "unit '%s' of kind %s is not known (%s)", s, k->name,
                         k->unit ? k->unit : "mg/dL or mmol/L");
}

static tw_status parse_time(const tw_ehr_csv *c, int col, int64_t *ms, int *offset) {
  const char *s = tw_ehr_csv_field(c, col);
  if (tw_time_parse(s, ms, offset))
    return tw_ehr_csv_fail(c, col, "'%s' is not an ISO 8601 time with its UTC offset (2026-03-29T01:55:00+01:00 "
                                   "or ...Z)", s);
  return TW_OK;
}

static tw_status read_record(rec_builder *b, const tw_ehr_csv *c, const int *col, int file) {
  const kind_info *k = NULL;
  rec_unit unit;
  int offset;
  rec_raw r = {.file = (uint8_t)file, .where = tw_ehr_csv_line(c), .dur_min = INFINITY};
  TW_TRY(parse_time(c, col[1], &r.ms, &offset));
  TW_TRY(parse_kind(c, col[2], &k));
  TW_TRY(tw_ehr_csv_number(c, col[3], &r.value));
  TW_TRY(parse_unit(c, col[4], k, &unit));
  TW_TRY(rec_person(b, tw_ehr_csv_field(c, col[0]), &r.person));
  r.kind = (uint8_t)k->kind;
  r.unit = (uint8_t)unit;
  r.offset_min = (int16_t)offset;
  return rec_push(b, &r);
}

static tw_status read_records(rec_builder *b, tw_ehr_csv *c) {
  int col[5], more = 1;
  const int file = rec_file(b, tw_ehr_csv_path(c));
  TW_TRY(check_header(c, RECORD_COLUMNS, 5, 5, col));
  for (;;) {
    TW_TRY(tw_ehr_csv_next(c, &more));
    if (!more) return TW_OK;
    if (!*tw_ehr_csv_field(c, col[0])) return tw_ehr_csv_fail(c, col[0], "empty person_id");
    b->out->source_records++;
    TW_TRY(read_record(b, c, col, file));
  }
}

tw_status rec_read_csv(rec_builder *b, const char *path) {
  tw_ehr_csv *c;
  TW_TRY(tw_ehr_csv_open(path, &c));
  const tw_status st = read_records(b, c);
  tw_ehr_csv_close(c);
  return st;
}

/* ---- the persons file ------------------------------------------------------------ */

/* An optional number in (0, hi], or [0, hi] when zero_ok (an empty cell leaves *v NaN). */
static tw_status optional_number(const tw_ehr_csv *c, int col, int zero_ok, double hi, double *v) {
  if (col < 0 || !*tw_ehr_csv_field(c, col)) return TW_OK;
  TW_TRY(tw_ehr_csv_number(c, col, v));
  if (!(*v >= 0 && *v <= hi) || (!zero_ok && *v == 0))
    return tw_ehr_csv_fail(c, col, "%g is outside %s0, %g]", *v, zero_ok ? "[" : "(", hi);
  return TW_OK;
}

static tw_status optional_sex(const tw_ehr_csv *c, int col, int *sex) {
  if (col < 0 || !*tw_ehr_csv_field(c, col)) return TW_OK;
  const char *s = tw_ehr_csv_field(c, col);
  if ((s[0] == 'F' || s[0] == 'f') && !s[1]) *sex = 0;
  else if ((s[0] == 'M' || s[0] == 'm') && !s[1]) *sex = 1;
  else return tw_ehr_csv_fail(c, col, "sex must be F or M (or empty)");
  return TW_OK;
}

/* The line of each person's row, to name both lines of an id given twice. */
typedef struct person_lines {
  int64_t *line;
  int64_t cap;
} person_lines;

static tw_status note_line(person_lines *pl, const tw_ehr_csv *c, int32_t person) {
  if (person >= pl->cap) {
    const int64_t cap = TW_MAX(2 * pl->cap, (int64_t)person + 64);
    int64_t *l = realloc(pl->line, (size_t)cap * sizeof *l);
    if (!l) return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for the persons file");
    memset(l + pl->cap, 0, (size_t)(cap - pl->cap) * sizeof *l);
    pl->line = l;
    pl->cap = cap;
  }
  if (pl->line[person])
    return TW_FAIL(TW_ERR_INPUT, "%s:%lld: this person_id is given again (first on line %lld)", tw_ehr_csv_path(c),
                   (long long)tw_ehr_csv_line(c), (long long)pl->line[person]);
  pl->line[person] = tw_ehr_csv_line(c);
  return TW_OK;
}

static tw_status read_person(rec_builder *b, const tw_ehr_csv *c, const int *col, person_lines *pl) {
  int32_t person;
  if (!*tw_ehr_csv_field(c, col[0])) return tw_ehr_csv_fail(c, col[0], "empty person_id");
  TW_TRY(rec_person(b, tw_ehr_csv_field(c, col[0]), &person));
  TW_TRY(note_line(pl, c, person));
  tw_rec_person *p = &b->out->persons[person];
  TW_TRY(optional_number(c, col[1], 0, 700.0, &p->weight_kg));
  TW_TRY(optional_number(c, col[2], 1, 130.0, &p->age_y));
  TW_TRY(optional_sex(c, col[3], &p->sex));
  return optional_number(c, col[4], 0, 300.0, &p->height_cm);
}

static tw_status read_persons(rec_builder *b, tw_ehr_csv *c, person_lines *pl) {
  int col[5], more = 1;
  TW_TRY(check_header(c, PERSON_COLUMNS, 5, 2, col));
  for (;;) {
    TW_TRY(tw_ehr_csv_next(c, &more));
    if (!more) return TW_OK;
    b->out->source_records++;
    TW_TRY(read_person(b, c, col, pl));
  }
}

tw_status rec_read_persons(rec_builder *b, const char *path) {
  tw_ehr_csv *c;
  person_lines pl = {0};
  TW_TRY(tw_ehr_csv_open(path, &c));
  const tw_status st = read_persons(b, c, &pl);
  tw_ehr_csv_close(c);
  free(pl.line);
  return st;
}
