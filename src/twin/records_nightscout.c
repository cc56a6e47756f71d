/*
** records_nightscout.c: a Nightscout export folder (entries.json,
** treatments.json, as the API's /api/v1/entries.json and /treatments.json
** return them) read into raw records of one person (records.h). The field
** meanings follow Nightscout's own server and plugins (docs/personal-twins.md):
**
**   entries     type "sgv": sgv (mg/dL, whatever the display unit), date (ms since
**               the epoch; dateString when date is missing), utcOffset (min). sgv
**               below 39 is a Dexcom error code (lib/plugins/errorcodes.js).
**               Other types (mbg, cal, ...) are counted, not used.
**   treatments  created_at (ISO 8601 with its offset; date or mills in ms when it
**               is missing); any treatment's carbs (g) and insulin (U), as the COB
**               and IOB plugins read them, whatever the eventType; "Temp Basal":
**               absolute (else rate) U/h for duration min, a duration of 0 ends
**               the running one, a later one cuts it (lib/data/ddata.js
**               processDurations); percent (of the profile's rate) is counted,
**               since the profile is not imported; a Combo Bolus's extended part
**               (relative U/h) is counted.
**
** A file that is not JSON, not an array of objects, or a field of the wrong
** type is an error naming the file and the record (1-based) and its line.
*/
#include "twin/records_internal.h"

#include <errno.h>  /* errno */
#include <math.h>   /* NAN, isfinite */
#include <stdio.h>  /* FILE, fopen, fread, snprintf */
#include <stdlib.h> /* malloc, free, strtod */
#include <string.h> /* strcmp, strlen, strerror */

#include "core/date.h"
#include "core/json.h"

/* ---- reading a whole file -------------------------------------------------------- */

static tw_status slurp(const char *path, char **text, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return TW_FAIL(TW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  tw_status st = TW_OK;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  *text = n >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)n + 1) : NULL;
  if (!*text) st = TW_FAIL(TW_ERR_IO, "%s: cannot read (%ld bytes)", path, n);
  else if (fread(*text, 1, (size_t)n, f) != (size_t)n) st = TW_FAIL(TW_ERR_IO, "%s: read failed", path);
  fclose(f);
  if (st != TW_OK) return free(*text), *text = NULL, st;
  *len = (size_t)n;
  return TW_OK;
}

/* Parses a file that must hold one JSON array. */
static tw_status load_array(const char *path, tw_json_value *doc) {
  char *text = NULL;
  size_t len = 0;
  TW_TRY(slurp(path, &text, &len));
  tw_status st = tw_json_parse(text, len, path, doc);
  free(text);
  TW_TRY(st);
  if (doc->type != TW_JSON_ARRAY) {
    tw_json_free(doc);
    return TW_FAIL(TW_ERR_INPUT, "%s:1: expected a JSON array of records (a Nightscout export)", path);
  }
  return TW_OK;
}

/* ---- fields ---------------------------------------------------------------------- */

/* Instants from 1970 to 2200 (ms): anything else in a Nightscout record is not a time. */
static int plausible_ms(double ms) { return ms >= 0 && ms < 7258118400000.0; }

typedef struct ns_record {
  const char *path;
  int64_t index; /* 1-based */
  const tw_json_value *v;
} ns_record;

static tw_status ns_fail(const ns_record *r, const char *field, const char *what) {
  return TW_FAIL(TW_ERR_INPUT, "%s: record %lld (line %lld): field %s: %s", r->path, (long long)r->index,
                 (long long)r->v->line, field, what);
}

/* A number field: *v NaN when absent or null; a number, or a string holding one. */
static tw_status ns_number(const ns_record *r, const char *field, double *v) {
  const tw_json_value *x = tw_json_get(r->v, field);
  *v = NAN;
  if (!x || x->type == TW_JSON_NULL) return TW_OK;
  if (x->type == TW_JSON_NUMBER) return *v = x->number, TW_OK;
  if (x->type == TW_JSON_STRING) {
    char *end;
    *v = strtod(x->string, &end);
    if (*x->string && !*end && isfinite(*v)) return TW_OK;
  }
  return ns_fail(r, field, "not a number");
}

/* A string field, or NULL when absent or null. */
static tw_status ns_string(const ns_record *r, const char *field, const char **s) {
  const tw_json_value *x = tw_json_get(r->v, field);
  *s = NULL;
  if (!x || x->type == TW_JSON_NULL) return TW_OK;
  if (x->type != TW_JSON_STRING) return ns_fail(r, field, "not a string");
  *s = x->string;
  return TW_OK;
}

/* The record's instant: the ISO field `iso` with its offset, else the number
** fields in ms. *ok = 0 when there is none (or the ISO time lacks its offset). */
static tw_status ns_time(const ns_record *r, const char *iso, const char *ms1, const char *ms2, rec_raw *out,
                         int *ok) {
  const char *s;
  double ms = NAN, off = NAN;
  int offset = 0;
  TW_TRY(ns_string(r, iso, &s));
  TW_TRY(ns_number(r, "utcOffset", &off));
  *ok = s && tw_time_parse(s, &out->ms, &offset) == 0 && plausible_ms((double)out->ms);
  if (!*ok && !s) {
    TW_TRY(ns_number(r, ms1, &ms));
    if (isnan(ms) && ms2) TW_TRY(ns_number(r, ms2, &ms));
    *ok = plausible_ms(ms);
    out->ms = *ok ? (int64_t)llround(ms) : 0;
  }
  out->offset_min = (int16_t)(isfinite(off) && fabs(off) <= 18 * 60 ? (int)off : offset);
  return TW_OK;
}

/* ---- entries --------------------------------------------------------------------- */

static tw_status read_entry(rec_builder *b, const ns_record *r, rec_raw *raw) {
  const char *type;
  double sgv;
  int ok;
  TW_TRY(ns_string(r, "type", &type));
  TW_TRY(ns_number(r, "sgv", &sgv));
  if (type ? strcmp(type, "sgv") != 0 : isnan(sgv)) return rec_note(b, raw->person, TW_RR_ENTRY_NOT_SGV, 1, raw), TW_OK;
  if (isnan(sgv)) return ns_fail(r, "sgv", "missing in an entry of type sgv");
  /* the entry's own time is `date` (ms); dateString only when date is missing */
  TW_TRY(ns_number(r, "date", &raw->value));
  if (plausible_ms(raw->value)) {
    double off;
    TW_TRY(ns_number(r, "utcOffset", &off));
    raw->ms = (int64_t)llround(raw->value);
    raw->offset_min = (int16_t)(isfinite(off) && fabs(off) <= 18 * 60 ? (int)off : 0);
    ok = 1;
  } else if (isnan(raw->value)) {
    TW_TRY(ns_time(r, "dateString", "mills", NULL, raw, &ok));
  } else {
    ok = 0; /* a date that is no instant of 1970-2200 */
  }
  if (!ok) return rec_note(b, raw->person, TW_RR_NO_TIME, 1, raw), TW_OK;
  if (sgv < 39) return rec_note(b, raw->person, TW_RR_CGM_ERROR_CODE, 1, raw), TW_OK;
  raw->kind = REC_CGM;
  raw->unit = REC_UNIT_MGDL;
  raw->value = sgv;
  return rec_push(b, raw);
}

/* ---- treatments ------------------------------------------------------------------ */

static int is_temp_basal(const char *type) {
  return type && (!strcmp(type, "Temp Basal") || !strcmp(type, "Temp Basal Start") || !strcmp(type, "Temp Basal End"));
}

/* A Temp Basal: a rate for a duration, an end event, or a percent (counted). */
static tw_status temp_basal(rec_builder *b, const ns_record *r, const char *type, rec_raw *raw, int *used) {
  double dur, ms, abs_rate, rate, percent;
  TW_TRY(ns_number(r, "duration", &dur));
  TW_TRY(ns_number(r, "durationInMilliseconds", &ms));
  TW_TRY(ns_number(r, "absolute", &abs_rate));
  TW_TRY(ns_number(r, "rate", &rate));
  TW_TRY(ns_number(r, "percent", &percent));
  if (isnan(dur) && isfinite(ms)) dur = ms / 60000.0;
  *used = 1;
  raw->kind = REC_BASAL;
  if (!strcmp(type, "Temp Basal End") || !(dur > 0)) {
    raw->value = NAN, raw->dur_min = 0;
    rec_note(b, raw->person, TW_RR_BASAL_END, 1, raw);
    return rec_push(b, raw);
  }
  raw->value = isfinite(abs_rate) ? abs_rate : rate;
  raw->dur_min = dur;
  if (isfinite(raw->value)) return rec_push(b, raw);
  if (isfinite(percent)) return rec_note(b, raw->person, TW_RR_BASAL_PERCENT, 1, raw), TW_OK;
  *used = 0;
  return TW_OK;
}

/* carbs and insulin of any treatment (insulin of a temp basal is not a bolus). */
static tw_status amounts(rec_builder *b, const ns_record *r, const char *type, rec_raw *raw, int *used) {
  double carbs, insulin, relative, dur;
  TW_TRY(ns_number(r, "carbs", &carbs));
  TW_TRY(ns_number(r, "insulin", &insulin));
  TW_TRY(ns_number(r, "relative", &relative));
  TW_TRY(ns_number(r, "duration", &dur));
  rec_raw c = *raw, u = *raw;
  c.kind = REC_CARBS, c.value = carbs;
  u.kind = REC_BOLUS, u.value = insulin;
  if (isfinite(carbs)) {
    TW_TRY(rec_push(b, &c));
    *used = 1;
  }
  if (isfinite(insulin) && !is_temp_basal(type)) {
    TW_TRY(rec_push(b, &u));
    *used = 1;
  }
  if (type && !strcmp(type, "Combo Bolus") && relative > 0 && dur > 0) {
    rec_note(b, raw->person, TW_RR_COMBO_EXTENDED, 1, raw);
    *used = 1;
  }
  return TW_OK;
}

static tw_status read_treatment(rec_builder *b, const ns_record *r, rec_raw *raw) {
  const char *type;
  int ok, used = 0;
  TW_TRY(ns_string(r, "eventType", &type));
  TW_TRY(ns_time(r, "created_at", "date", "mills", raw, &ok));
  if (!ok) return rec_note(b, raw->person, TW_RR_NO_TIME, 1, raw), TW_OK;
  raw->dur_min = INFINITY;
  if (is_temp_basal(type)) TW_TRY(temp_basal(b, r, type, raw, &used));
  TW_TRY(amounts(b, r, type, raw, &used));
  if (!used) rec_note(b, raw->person, TW_RR_TREATMENT_NO_INPUT, 1, raw);
  return TW_OK;
}

/* ---- the folder ------------------------------------------------------------------ */

typedef tw_status (*ns_reader)(rec_builder *b, const ns_record *r, rec_raw *raw);

static tw_status read_file(rec_builder *b, const char *path, int32_t person, ns_reader read) {
  tw_json_value doc;
  TW_TRY(load_array(path, &doc));
  const int file = rec_file(b, path);
  tw_status st = TW_OK;
  for (size_t i = 0; i < doc.n && st == TW_OK; ++i) {
    const ns_record r = {path, (int64_t)i + 1, &doc.items[i]};
    rec_raw raw = {.person = person, .file = (uint8_t)file, .where = r.index, .line = TW_MAX(r.v->line, 1)};
    b->out->source_records++;
    if (r.v->type != TW_JSON_OBJECT) st = TW_FAIL(TW_ERR_INPUT, "%s: record %lld (line %lld): not a JSON object",
                                                  path, (long long)r.index, (long long)r.v->line);
    else st = read(b, &r, &raw);
  }
  tw_json_free(&doc);
  return st;
}

/* The folder's last name, the default source id. */
static void folder_name(const char *dir, char *buf, size_t cap) {
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/') --n;
  size_t s = n;
  while (s > 0 && dir[s - 1] != '/') --s;
  snprintf(buf, cap, "%.*s", (int)(n - s), dir + s);
}

tw_status rec_read_nightscout(rec_builder *b, const char *dir, const char *person_id) {
  char entries[4096], treatments[4096], name[1024];
  snprintf(entries, sizeof entries, "%s/entries.json", dir);
  snprintf(treatments, sizeof treatments, "%s/treatments.json", dir);
  const char *const need[] = {entries, treatments};
  for (int i = 0; i < 2; ++i) {
    FILE *probe = fopen(need[i], "rb");
    if (!probe)
      return TW_FAIL(TW_ERR_INPUT, "%s: no %s in this folder (a Nightscout export holds entries.json and "
                                   "treatments.json)", dir, i ? "treatments.json" : "entries.json");
    fclose(probe);
  }
  folder_name(dir, name, sizeof name);
  int32_t person;
  TW_TRY(rec_person(b, person_id ? person_id : name, &person));
  memset(name, 0, sizeof name);
  TW_TRY(read_file(b, entries, person, read_entry));
  return read_file(b, treatments, person, read_treatment);
}
