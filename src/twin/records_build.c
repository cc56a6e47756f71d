/*
** records_build.c: raw records into the table of records.h. The readers push
** raw records (UTC instant, value, where from); this file keeps the index of
** source ids, then sorts and applies the rules of docs/personal-twins.md per
** person and kind: CGM units, range, duplicates (identical ones merged,
** conflicting ones left out), gaps, basal segments (a record holds until the
** next one, or for its Nightscout duration; a later one cuts it), and the time
** axis (minutes from the person's first record). Every record left out is
** counted under its reason with the place it first occurred.
*/
#include "twin/records_internal.h"

#include <math.h>   /* NAN, INFINITY, isnan, isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, calloc, realloc, free, qsort */
#include <string.h> /* strcmp, strlen, memset, strrchr */

/* ---- the index of source ids --------------------------------------------------- */

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; ++s) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* The slot of `id`: its own, or the empty one where it would go. */
static int64_t slot_of(const rec_builder *b, const char *id) {
  int64_t i = (int64_t)(fnv1a(id) & (uint64_t)(b->cap_keys - 1));
  while (b->keys[i] && strcmp(b->keys[i], id)) i = (i + 1) & (b->cap_keys - 1);
  return i;
}

static tw_status grow_index(rec_builder *b) {
  const int64_t old_cap = b->cap_keys, cap = old_cap ? 2 * old_cap : 256;
  char **old_keys = b->keys;
  int32_t *old_vals = b->vals;
  b->keys = calloc((size_t)cap, sizeof *b->keys);
  b->vals = calloc((size_t)cap, sizeof *b->vals);
  if (!b->keys || !b->vals) {
    free(b->keys), free(b->vals);
    b->keys = old_keys, b->vals = old_vals;
    return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for the index of %lld persons", (long long)cap);
  }
  b->cap_keys = cap;
  for (int64_t i = 0; i < old_cap; ++i)
    if (old_keys[i]) {
      const int64_t s = slot_of(b, old_keys[i]);
      b->keys[s] = old_keys[i];
      b->vals[s] = old_vals[i];
    }
  free(old_keys);
  free(old_vals);
  return TW_OK;
}

/* Room for one more of n elements of `size` bytes at *items (doubling from `first`). */
static tw_status room_for_one(void **items, int64_t n, int64_t *cap, size_t size, int64_t first, const char *what) {
  if (n < *cap) return TW_OK;
  const int64_t grown = *cap ? 2 * *cap : first;
  void *p = realloc(*items, (size_t)grown * size);
  if (!p) return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for %lld %s", (long long)grown, what);
  *items = p;
  *cap = grown;
  return TW_OK;
}

static tw_status add_person(rec_builder *b, const char *source_id, int32_t *person) {
  tw_records *t = b->out;
  TW_TRY(room_for_one((void **)&t->persons, t->n, &b->cap_persons, sizeof *t->persons, 16, "persons"));
  tw_rec_person *p = &t->persons[t->n];
  memset(p, 0, sizeof *p);
  p->weight_kg = p->age_y = p->height_cm = NAN;
  p->sex = -1;
  TW_TRY(tw_pseudonym(b->salt, source_id, p->id));
  *person = (int32_t)t->n++;
  return TW_OK;
}

tw_status rec_person(rec_builder *b, const char *source_id, int32_t *person) {
  if (2 * (b->out->n + 1) > b->cap_keys) TW_TRY(grow_index(b));
  const int64_t s = slot_of(b, source_id);
  if (b->keys[s]) {
    *person = b->vals[s];
    return TW_OK;
  }
  const size_t len = strlen(source_id) + 1;
  char *key = malloc(len);
  if (!key) return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for an id");
  memcpy(key, source_id, len);
  tw_status st = add_person(b, source_id, person);
  if (st != TW_OK) return free(key), st;
  b->keys[s] = key;
  b->vals[s] = *person;
  return TW_OK;
}

/* ---- raw records and notes ------------------------------------------------------ */

tw_status rec_push(rec_builder *b, const rec_raw *r) {
  TW_TRY(room_for_one((void **)&b->raw, b->n_raw, &b->cap_raw, sizeof *b->raw, 4096, "records"));
  b->raw[b->n_raw++] = *r;
  return TW_OK;
}

int rec_file(rec_builder *b, const char *path) {
  const char *slash = strrchr(path, '/');
  snprintf(b->files[b->n_files], sizeof b->files[0], "%s", slash ? slash + 1 : path);
  return b->n_files++;
}

void rec_where(const rec_builder *b, const rec_raw *at, char *buf, size_t cap) {
  if (at->line == 0) snprintf(buf, cap, "%s:%lld", b->files[at->file], (long long)at->where);
  else snprintf(buf, cap, "%s: record %lld (line %lld)", b->files[at->file], (long long)at->where, (long long)at->line);
}

void rec_note(rec_builder *b, int32_t p, tw_rec_reason r, int64_t n, const rec_raw *at) {
  tw_rec_person *q = &b->out->persons[p];
  q->count[r] += n;
  if (n > 0 && at && !q->first[r][0]) rec_where(b, at, q->first[r], sizeof q->first[r]);
}

void rec_builder_free(rec_builder *b) {
  for (int64_t i = 0; i < b->cap_keys; ++i)
    if (b->keys[i]) {
      memset(b->keys[i], 0, strlen(b->keys[i])); /* source ids never outlive the import */
      free(b->keys[i]);
    }
  free(b->keys);
  free(b->vals);
  free(b->raw);
  memset(b, 0, sizeof *b);
}

/* ---- sorting ------------------------------------------------------------------- */

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* Person, then instant, then the order of the files. */
static int by_person_time(const void *x, const void *y) {
  const rec_raw *a = x, *b = y;
  int c = CMP(a->person, b->person);
  if (!c) c = CMP(a->ms, b->ms);
  if (!c) c = CMP(a->file, b->file);
  return c ? c : CMP(a->where, b->where);
}

/* Person, kind, instant, then the order of the files. */
static int by_person_kind_time(const void *x, const void *y) {
  const rec_raw *a = x, *b = y;
  int c = CMP(a->person, b->person);
  if (!c) c = CMP(a->kind, b->kind);
  if (!c) c = CMP(a->ms, b->ms);
  if (!c) c = CMP(a->file, b->file);
  return c ? c : CMP(a->where, b->where);
}

/* Per person: the first and last instants and the changes of UTC offset, in time order. */
static void scan_times(rec_builder *b, int64_t *t0, int64_t *t1) {
  qsort(b->raw, (size_t)b->n_raw, sizeof *b->raw, by_person_time);
  for (int64_t i = 0; i < b->n_raw; ++i) {
    const rec_raw *r = &b->raw[i];
    const int first = i == 0 || b->raw[i - 1].person != r->person;
    if (first) t0[r->person] = r->ms;
    t1[r->person] = r->ms;
    if (!first && b->raw[i - 1].offset_min != r->offset_min) rec_note(b, r->person, TW_RR_UTC_OFFSET_CHANGES, 1, r);
  }
}

/* ---- the output arrays --------------------------------------------------------- */

typedef struct rec_out {
  tw_records *t;
  int64_t t0; /* the person's first instant, ms */
} rec_out;

static double minute(const rec_out *o, int64_t ms) { return (double)(ms - o->t0) / 60000.0; }

/* ---- CGM ----------------------------------------------------------------------- */

static const double MMOL_LO = 10.0 / TW_REC_MGDL_PER_MMOL, MMOL_HI = 1000.0 / TW_REC_MGDL_PER_MMOL;

/* The unit of a person's unitless CGM values: one unit when every value is
** plausible in it and at least one is not in the other; else NONE (ambiguous). */
static rec_unit unitless_unit(const rec_raw *r, int64_t n) {
  int all_mmol = 1, all_mgdl = 1, any = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (r[i].unit != REC_UNIT_NONE) continue;
    any = 1;
    all_mmol &= r[i].value >= MMOL_LO && r[i].value <= MMOL_HI;
    all_mgdl &= r[i].value >= 10.0 && r[i].value <= 1000.0;
  }
  if (!any || all_mmol == all_mgdl) return REC_UNIT_NONE;
  return all_mmol ? REC_UNIT_MMOL : REC_UNIT_MGDL;
}

/* Converts to mg/dL in place; marks left-out values NaN (counted). */
static void cgm_values(rec_builder *b, rec_raw *r, int64_t n) {
  const rec_unit guess = unitless_unit(r, n);
  for (int64_t i = 0; i < n; ++i) {
    const rec_unit u = r[i].unit == REC_UNIT_NONE ? guess : (rec_unit)r[i].unit;
    if (u == REC_UNIT_NONE) {
      rec_note(b, r[i].person, TW_RR_CGM_UNIT_AMBIGUOUS, 1, &r[i]);
      b->out->persons[r[i].person].flags |= TW_REC_CGM_UNITS;
      r[i].value = NAN;
      continue;
    }
    if (u == REC_UNIT_MMOL) r[i].value *= TW_REC_MGDL_PER_MMOL;
    if (!(r[i].value >= 10.0 && r[i].value <= 1000.0)) {
      rec_note(b, r[i].person, TW_RR_CGM_OUT_OF_RANGE, 1, &r[i]);
      r[i].value = NAN;
    }
  }
}

/* The reasons of one kind: used, merged, conflicting. */
typedef struct kind_reasons {
  tw_rec_reason used, merged, conflict;
} kind_reasons;

static const kind_reasons REASONS[REC_KINDS] = {
    {TW_RR_CGM_USED, TW_RR_CGM_DUP_MERGED, TW_RR_CGM_DUP_CONFLICT},
    {TW_RR_CARBS_USED, TW_RR_CARBS_DUP_MERGED, TW_RR_CARBS_DUP_CONFLICT},
    {TW_RR_BOLUS_USED, TW_RR_BOLUS_DUP_MERGED, TW_RR_BOLUS_DUP_CONFLICT},
    {TW_RR_BASAL_USED, TW_RR_BASAL_DUP_MERGED, TW_RR_BASAL_OVERLAP}};

static int same_record(const rec_raw *a, const rec_raw *b) {
  const int same_value = a->value == b->value || (isnan(a->value) && isnan(b->value));
  return same_value && (a->dur_min == b->dur_min || (isnan(a->dur_min) && isnan(b->dur_min)));
}

/* Removes the records marked left out (value NaN) of a kind other than basal,
** whose NaN records (end events) still end the rate before them. */
static int64_t compact(rec_raw *r, int64_t n) {
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!isnan(r[i].value) || r[i].kind == REC_BASAL) r[k++] = r[i];
  return k;
}

/* Collapses records at one instant, in place: identical ones kept once, a group
** with different values kept as one record marked conflicting (value NaN) and
** counted. Returns the records kept. */
static int64_t dedupe(rec_builder *b, rec_raw *r, int64_t n) {
  n = compact(r, n);
  int64_t k = 0;
  for (int64_t i = 0, j; i < n; i = j) {
    int differ = 0;
    for (j = i + 1; j < n && r[j].ms == r[i].ms; ++j) differ |= !same_record(&r[i], &r[j]);
    const kind_reasons *why = &REASONS[r[i].kind];
    r[k] = r[i];
    if (differ) {
      rec_note(b, r[i].person, why->conflict, j - i, &r[i]);
      b->out->persons[r[i].person].flags |= r[i].kind == REC_BASAL ? TW_REC_BASAL_OVERLAP : TW_REC_DUP_CONFLICT;
      r[k].value = NAN;
    } else {
      rec_note(b, r[i].person, why->merged, j - i - 1, j - i > 1 ? &r[i + 1] : NULL);
    }
    ++k;
  }
  return k;
}

/* An end event at the instant a new rate starts is that start's own: dropped
** (it was counted as an end event when read). */
static int64_t drop_ends_at_starts(rec_raw *r, int64_t n) {
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    int start_here = 0;
    for (int64_t j = i - 1; j >= 0 && r[j].ms == r[i].ms; --j) start_here |= !isnan(r[j].value);
    for (int64_t j = i + 1; j < n && r[j].ms == r[i].ms; ++j) start_here |= !isnan(r[j].value);
    if (!(isnan(r[i].value) && r[i].dur_min == 0 && start_here)) r[k++] = r[i];
  }
  return k;
}

static void emit_cgm(rec_builder *b, const rec_out *o, rec_raw *r, int64_t n, double gap_min) {
  tw_records *t = o->t;
  tw_rec_person *p = &t->persons[r[0].person];
  cgm_values(b, r, n);
  n = dedupe(b, r, n);
  p->cgm_begin = t->n_cgm;
  p->gap_begin = t->n_gap;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(r[i].value)) continue; /* a conflicting group */
    const double m = minute(o, r[i].ms);
    if (t->n_cgm > p->cgm_begin && m - t->cgm_min[t->n_cgm - 1] > gap_min) {
      t->gap_start_min[t->n_gap] = t->cgm_min[t->n_cgm - 1];
      t->gap_end_min[t->n_gap++] = m;
    }
    t->cgm_min[t->n_cgm] = m;
    t->cgm_mgdl[t->n_cgm++] = r[i].value;
  }
  p->n_cgm = t->n_cgm - p->cgm_begin;
  p->n_gap = t->n_gap - p->gap_begin;
  rec_note(b, r[0].person, TW_RR_CGM_USED, p->n_cgm, NULL);
  rec_note(b, r[0].person, TW_RR_CGM_GAPS, p->n_gap, NULL);
}

/* Carbs or boluses: positive amounts at instants. */
static void emit_events(rec_builder *b, const rec_out *o, rec_raw *r, int64_t n) {
  tw_records *t = o->t;
  tw_rec_person *p = &t->persons[r[0].person];
  const int carbs = r[0].kind == REC_CARBS;
  for (int64_t i = 0; i < n; ++i)
    if (!(r[i].value > 0 && r[i].value <= (carbs ? 1000.0 : 100.0))) {
      rec_note(b, r[i].person, carbs ? TW_RR_CARBS_OUT_OF_RANGE : TW_RR_BOLUS_OUT_OF_RANGE, 1, &r[i]);
      r[i].value = NAN;
    }
  n = dedupe(b, r, n);
  double *when = carbs ? t->carb_min : t->bolus_min, *amount = carbs ? t->carb_g : t->bolus_u;
  int64_t *count = carbs ? &t->n_carb : &t->n_bolus;
  const int64_t begin = *count;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(r[i].value)) continue;
    when[*count] = minute(o, r[i].ms);
    amount[(*count)++] = r[i].value;
  }
  if (carbs) p->carb_begin = begin, p->n_carb = *count - begin;
  else p->bolus_begin = begin, p->n_bolus = *count - begin;
  rec_note(b, r[0].person, carbs ? TW_RR_CARBS_USED : TW_RR_BOLUS_USED, *count - begin, NULL);
}

/* Basal: each record holds for its duration (INFINITY: until the next record,
** the last one until the person's last record) and is cut by the next record. */
static void emit_basal(rec_builder *b, const rec_out *o, rec_raw *r, int64_t n, int64_t t_end) {
  tw_records *t = o->t;
  tw_rec_person *p = &t->persons[r[0].person];
  for (int64_t i = 0; i < n; ++i)
    if (r[i].value < 0 || r[i].value > 50) {
      rec_note(b, r[i].person, TW_RR_BASAL_OUT_OF_RANGE, 1, &r[i]);
      r[i].value = NAN; /* holds no rate, but still ends the one before */
    }
  n = dedupe(b, r, drop_ends_at_starts(r, n));
  p->basal_begin = t->n_basal;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(r[i].value)) continue; /* an end event, an overlap, a negative rate: no segment */
    const int64_t next = i + 1 < n ? r[i + 1].ms : t_end;
    int64_t end = next;
    if (isfinite(r[i].dur_min)) { /* in double: a duration of any size cannot overflow */
      const double own = (double)r[i].ms + r[i].dur_min * 60000.0;
      if (i + 1 < n && (double)next < own) rec_note(b, r[i].person, TW_RR_BASAL_CUT, 1, &r[i + 1]);
      if (own < (double)next) end = (int64_t)llround(own);
    }
    rec_note(b, r[i].person, TW_RR_BASAL_USED, 1, NULL);
    if (end <= r[i].ms) continue;
    t->basal_start_min[t->n_basal] = minute(o, r[i].ms);
    t->basal_end_min[t->n_basal] = minute(o, end);
    t->basal_u_h[t->n_basal++] = r[i].value;
  }
  p->n_basal = t->n_basal - p->basal_begin;
}

/* ---- the whole table ----------------------------------------------------------- */

static tw_status alloc_arrays(tw_records *t, const int64_t per_kind[REC_KINDS]) {
  const size_t c = (size_t)TW_MAX(per_kind[REC_CGM], 1), g = (size_t)TW_MAX(per_kind[REC_CARBS], 1);
  const size_t u = (size_t)TW_MAX(per_kind[REC_BOLUS], 1), s = (size_t)TW_MAX(per_kind[REC_BASAL], 1);
  t->cgm_min = malloc(c * sizeof(double)), t->cgm_mgdl = malloc(c * sizeof(double));
  t->gap_start_min = malloc(c * sizeof(double)), t->gap_end_min = malloc(c * sizeof(double));
  t->carb_min = malloc(g * sizeof(double)), t->carb_g = malloc(g * sizeof(double));
  t->bolus_min = malloc(u * sizeof(double)), t->bolus_u = malloc(u * sizeof(double));
  t->basal_start_min = malloc(s * sizeof(double)), t->basal_end_min = malloc(s * sizeof(double));
  t->basal_u_h = malloc(s * sizeof(double));
  if (!t->cgm_min || !t->cgm_mgdl || !t->gap_start_min || !t->gap_end_min || !t->carb_min || !t->carb_g ||
      !t->bolus_min || !t->bolus_u || !t->basal_start_min || !t->basal_end_min || !t->basal_u_h)
    return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for %lld records", (long long)(c + g + u + s));
  return TW_OK;
}

/* One kind of one person: rows [i, j) of the sorted raw records. */
static void emit_kind(rec_builder *b, const rec_out *o, rec_raw *r, int64_t n, double gap_min, int64_t t_end) {
  switch (r[0].kind) {
  case REC_CGM: emit_cgm(b, o, r, n, gap_min); break;
  case REC_CARBS:
  case REC_BOLUS: emit_events(b, o, r, n); break;
  default: emit_basal(b, o, r, n, t_end); break;
  }
}

/* Persons without records of a kind get the empty range where theirs would start,
** so that every kind's ranges are contiguous in person order. */
static void fix_ranges(tw_records *t) {
  int64_t c = 0, g = 0, u = 0, s = 0, q = 0;
  for (int64_t i = 0; i < t->n; ++i) {
    tw_rec_person *p = &t->persons[i];
    p->cgm_begin = c, c += p->n_cgm;
    p->carb_begin = g, g += p->n_carb;
    p->bolus_begin = u, u += p->n_bolus;
    p->basal_begin = s, s += p->n_basal;
    p->gap_begin = q, q += p->n_gap;
  }
}

static void set_flags(tw_rec_person *p, int has_records) {
  if (!has_records) p->flags |= TW_REC_NO_RECORDS;
  if (p->n_cgm == 0) p->flags |= TW_REC_NO_CGM;
  if (p->n_basal == 0) p->flags |= TW_REC_NO_BASAL;
  if (p->n_gap > 0) p->flags |= TW_REC_CGM_GAPS;
  if (isnan(p->weight_kg)) p->flags |= TW_REC_NO_WEIGHT;
}

tw_status rec_finish(rec_builder *b, double gap_min) {
  tw_records *t = b->out;
  const int64_t np = TW_MAX(t->n, 1);
  int64_t *t0 = calloc((size_t)np, sizeof *t0), *t1 = calloc((size_t)np, sizeof *t1);
  unsigned char *seen = calloc((size_t)np, 1);
  int64_t per_kind[REC_KINDS] = {0};
  for (int64_t i = 0; i < b->n_raw; ++i) per_kind[b->raw[i].kind]++;
  tw_status st = t0 && t1 && seen ? alloc_arrays(t, per_kind) : TW_FAIL(TW_ERR_NOMEM, "records: out of memory");
  if (st == TW_OK) {
    scan_times(b, t0, t1);
    qsort(b->raw, (size_t)b->n_raw, sizeof *b->raw, by_person_kind_time);
    for (int64_t i = 0, j; i < b->n_raw; i = j) {
      const rec_raw *r = &b->raw[i];
      for (j = i + 1; j < b->n_raw && b->raw[j].person == r->person && b->raw[j].kind == r->kind; ++j) {}
      const rec_out o = {t, t0[r->person]};
      seen[r->person] = 1;
      t->persons[r->person].t0_ms = t0[r->person];
      t->persons[r->person].end_min = minute(&o, t1[r->person]);
      emit_kind(b, &o, &b->raw[i], j - i, gap_min, t1[r->person]);
    }
    fix_ranges(t);
    for (int64_t p = 0; p < t->n; ++p) set_flags(&t->persons[p], seen[p]);
  }
  free(t0);
  free(t1);
  free(seen);
  return st;
}
