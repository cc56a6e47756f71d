/*
** records_h5.c: the records file (records.h; schema in docs/personal-twins.md),
** the fit's input. Ragged per-person records are stored as flat arrays with an
** offset array of P+1 rows (person i owns rows [offset[i], offset[i+1])), the
** layout h5py, pandas and numpy.split read without twinscale. Written through
** src/io (PATH.partial renamed on success); read back whole.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */
#include "twin/records.h"

#if TW_HAVE_HDF5
#include <math.h>   /* NAN */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, calloc, free */
#include <stddef.h> /* offsetof */
#include <string.h> /* memset, strlen */

#include "core/date.h"
#include "io/h5.h"

enum { REC_FORMAT_VERSION = 1 };

/* The ragged kinds: group, the person's range, and their columns. */
typedef struct ragged {
  const char *group, *col[3], *units[3];
  int ncols;
} ragged;

static const ragged RAGGED[] = {{"cgm", {"time_min", "mg_dl"}, {"min", "mg/dL"}, 2},
                                {"carbs", {"time_min", "g"}, {"min", "g"}, 2},
                                {"bolus", {"time_min", "U"}, {"min", "U"}, 2},
                                {"basal", {"start_min", "end_min", "U_per_h"}, {"min", "min", "U/h"}, 3},
                                {"gaps", {"start_min", "end_min"}, {"min", "min"}, 2}};

/* Column c of ragged kind k of a table. */
static double **column(tw_records *r, int k, int c) {
  double **all[5][3] = {{&r->cgm_min, &r->cgm_mgdl},
                        {&r->carb_min, &r->carb_g},
                        {&r->bolus_min, &r->bolus_u},
                        {&r->basal_start_min, &r->basal_end_min, &r->basal_u_h},
                        {&r->gap_start_min, &r->gap_end_min}};
  return all[k][c];
}

static int64_t *total(tw_records *r, int k) {
  int64_t *n[5] = {&r->n_cgm, &r->n_carb, &r->n_bolus, &r->n_basal, &r->n_gap};
  return n[k];
}

static int64_t *range_of(tw_rec_person *p, int k, int64_t **begin) {
  int64_t *b[5] = {&p->cgm_begin, &p->carb_begin, &p->bolus_begin, &p->basal_begin, &p->gap_begin};
  int64_t *n[5] = {&p->n_cgm, &p->n_carb, &p->n_bolus, &p->n_basal, &p->n_gap};
  *begin = b[k];
  return n[k];
}

/* ---- writing ------------------------------------------------------------------- */

static tw_status write_ragged(tw_h5_file *f, tw_records *r, int k, int64_t *offset) {
  char path[96];
  for (int64_t i = 0; i < r->n; ++i) {
    int64_t *begin, *n = range_of(&r->persons[i], k, &begin);
    offset[i] = *begin;
    offset[i + 1] = *begin + *n;
  }
  if (r->n == 0) offset[0] = 0;
  const int64_t np1 = r->n + 1, rows = *total(r, k);
  snprintf(path, sizeof path, "/%s/offset", RAGGED[k].group);
  TW_TRY(tw_h5_write_array(f, path, TW_I64, offset, 1, &np1, "1"));
  for (int c = 0; c < RAGGED[k].ncols; ++c) {
    snprintf(path, sizeof path, "/%s/%s", RAGGED[k].group, RAGGED[k].col[c]);
    TW_TRY(tw_h5_write_array(f, path, TW_F64, *column(r, k, c), 1, &rows, RAGGED[k].units[c]));
  }
  return TW_OK;
}

static tw_status write_f64(tw_h5_file *f, const tw_records *r, const char *path, const char *units, double *buf,
                           size_t field) {
  for (int64_t i = 0; i < r->n; ++i) buf[i] = *(const double *)((const char *)&r->persons[i] + field);
  return tw_h5_write_array(f, path, TW_F64, buf, 1, &r->n, units);
}

static tw_status write_ids_and_times(tw_h5_file *f, const tw_records *r) {
  const char **s = malloc((size_t)TW_MAX(r->n, 1) * sizeof *s);
  char *iso = malloc((size_t)TW_MAX(r->n, 1) * 48);
  tw_status st = s && iso ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "records: out of memory for %lld ids", (long long)r->n);
  for (int64_t i = 0; st == TW_OK && i < r->n; ++i) s[i] = r->persons[i].id;
  if (st == TW_OK) st = tw_h5_write_strings(f, "/persons/id", s, r->n, "1");
  for (int64_t i = 0; st == TW_OK && i < r->n; ++i) {
    tw_time_format(r->persons[i].t0_ms, iso + 48 * i);
    s[i] = iso + 48 * i;
  }
  if (st == TW_OK) st = tw_h5_write_strings(f, "/persons/t0_utc", s, r->n, "1");
  free(s);
  free(iso);
  return st;
}

static tw_status write_persons(tw_h5_file *f, const tw_records *r, void *buf) {
  double *d = buf;
  int64_t *i64 = buf;
  int32_t *i32 = buf;
  TW_TRY(write_ids_and_times(f, r));
  TW_TRY(write_f64(f, r, "/persons/weight_kg", "kg", d, offsetof(tw_rec_person, weight_kg)));
  TW_TRY(write_f64(f, r, "/persons/age_y", "yr", d, offsetof(tw_rec_person, age_y)));
  TW_TRY(write_f64(f, r, "/persons/height_cm", "cm", d, offsetof(tw_rec_person, height_cm)));
  TW_TRY(write_f64(f, r, "/persons/end_min", "min", d, offsetof(tw_rec_person, end_min)));
  for (int64_t i = 0; i < r->n; ++i) i32[i] = r->persons[i].sex;
  TW_TRY(tw_h5_write_array(f, "/persons/sex", TW_I32, i32, 1, &r->n, "1"));
  for (int64_t i = 0; i < r->n; ++i) i32[i] = (int32_t)r->persons[i].flags;
  TW_TRY(tw_h5_write_array(f, "/persons/flag", TW_I32, i32, 1, &r->n, "1"));
  for (int64_t i = 0; i < r->n; ++i) i64[i] = r->persons[i].t0_ms;
  return tw_h5_write_array(f, "/persons/t0_unix_ms", TW_I64, i64, 1, &r->n, "ms");
}

static tw_status write_report(tw_h5_file *f, const tw_records *r, int64_t *buf) {
  char path[96];
  for (int k = 0; k < TW_RR_COUNT; ++k) {
    for (int64_t i = 0; i < r->n; ++i) buf[i] = r->persons[i].count[k];
    snprintf(path, sizeof path, "/report/%s", tw_rec_reason_name((tw_rec_reason)k));
    TW_TRY(tw_h5_write_array(f, path, TW_I64, buf, 1, &r->n, "1"));
  }
  return TW_OK;
}

static tw_status write_attrs(tw_h5_file *f, const tw_records *r) {
  char flags[512] = "";
  for (int b = 0; b < TW_REC_FLAG_COUNT; ++b)
    snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s=%d", b ? "," : "", tw_rec_flag_name(b), 1 << b);
  TW_TRY(tw_h5_attr_write_i64(f, "records_format_version", REC_FORMAT_VERSION));
  TW_TRY(tw_h5_attr_write_string(f, "records_source", r->source));
  TW_TRY(tw_h5_attr_write_string(f, "records_pseudonym", "HMAC-SHA-256 hex"));
  TW_TRY(tw_h5_attr_write_string(f, "records_flags", flags));
  TW_TRY(tw_h5_attr_write_f64(f, "records_gap_min", r->gap_min));
  TW_TRY(tw_h5_attr_write_f64(f, "records_mgdl_per_mmol", TW_REC_MGDL_PER_MMOL));
  TW_TRY(tw_h5_attr_write_i64(f, "records_source_records", r->source_records));
  return tw_h5_attr_write_i64(f, "n_persons", r->n);
}

static tw_status write_all(tw_h5_file *f, tw_records *r, void *buf) {
  TW_TRY(write_persons(f, r, buf));
  for (int k = 0; k < (int)TW_ARRAY_LEN(RAGGED); ++k) TW_TRY(write_ragged(f, r, k, buf));
  TW_TRY(write_report(f, r, buf));
  return write_attrs(f, r);
}

tw_status tw_records_write_h5(const tw_records *r, const char *path) {
  void *buf = malloc((size_t)(r->n + 1) * sizeof(double));
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "records: out of memory writing %s", path);
  tw_h5_file *f;
  tw_status st = tw_h5_create(path, NULL, NULL, &f);
  if (st == TW_OK) {
    st = write_all(f, (tw_records *)r, buf); /* column() hands out the table's arrays; they are only read */
    if (st != TW_OK) tw_h5_abort(f);
    else st = tw_h5_close(f);
  }
  free(buf);
  return st;
}

/* ---- reading ------------------------------------------------------------------- */

/* A 1-D dataset of `n` rows into a malloc'd array. */
static tw_status read_1d(tw_h5_file *f, const char *path, tw_dtype dtype, int64_t n, void **out) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, path, dtype, &t));
  if (t.rank != 1 || t.dims[0] != n) {
    free(t.data);
    return TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld rows, expected %lld", tw_h5_path(f), path,
                   (long long)(t.rank == 1 ? t.dims[0] : -1), (long long)n);
  }
  *out = t.data;
  return TW_OK;
}

static tw_status read_ragged(tw_h5_file *f, tw_records *r, int k) {
  char path[96];
  int64_t *offset;
  snprintf(path, sizeof path, "/%s/offset", RAGGED[k].group);
  TW_TRY(read_1d(f, path, TW_I64, r->n + 1, (void **)&offset));
  tw_status st = TW_OK;
  for (int64_t i = 0; i < r->n && st == TW_OK; ++i) {
    int64_t *begin, *n = range_of(&r->persons[i], k, &begin);
    *begin = offset[i];
    *n = offset[i + 1] - offset[i];
    if (offset[0] != 0 || *n < 0) st = TW_FAIL(TW_ERR_INPUT, "%s: %s is not ascending from 0 (row %lld)", tw_h5_path(f), path, (long long)i);
  }
  *total(r, k) = offset[r->n];
  free(offset);
  TW_TRY(st);
  for (int c = 0; c < RAGGED[k].ncols; ++c) {
    snprintf(path, sizeof path, "/%s/%s", RAGGED[k].group, RAGGED[k].col[c]);
    TW_TRY(read_1d(f, path, TW_F64, *total(r, k), (void **)column(r, k, c)));
  }
  return TW_OK;
}

static tw_status read_f64(tw_h5_file *f, tw_records *r, const char *path, size_t field) {
  double *d;
  TW_TRY(read_1d(f, path, TW_F64, r->n, (void **)&d));
  for (int64_t i = 0; i < r->n; ++i) *(double *)((char *)&r->persons[i] + field) = d[i];
  free(d);
  return TW_OK;
}

static tw_status read_ids(tw_h5_file *f, tw_records *r) {
  char **ids;
  int64_t n;
  TW_TRY(tw_h5_read_strings(f, "/persons/id", &ids, &n));
  tw_status st = n == r->n ? TW_OK : TW_FAIL(TW_ERR_INPUT, "%s: /persons/id has %lld rows, n_persons is %lld",
                                             tw_h5_path(f), (long long)n, (long long)r->n);
  for (int64_t i = 0; i < n; ++i) {
    if (st == TW_OK) snprintf(r->persons[i].id, sizeof r->persons[i].id, "%s", ids[i]);
    free(ids[i]);
  }
  free(ids);
  return st;
}

static tw_status read_persons(tw_h5_file *f, tw_records *r) {
  int32_t *i32;
  int64_t *i64;
  TW_TRY(read_ids(f, r));
  TW_TRY(read_f64(f, r, "/persons/weight_kg", offsetof(tw_rec_person, weight_kg)));
  TW_TRY(read_f64(f, r, "/persons/age_y", offsetof(tw_rec_person, age_y)));
  TW_TRY(read_f64(f, r, "/persons/height_cm", offsetof(tw_rec_person, height_cm)));
  TW_TRY(read_f64(f, r, "/persons/end_min", offsetof(tw_rec_person, end_min)));
  TW_TRY(read_1d(f, "/persons/sex", TW_I32, r->n, (void **)&i32));
  for (int64_t i = 0; i < r->n; ++i) r->persons[i].sex = i32[i];
  free(i32);
  TW_TRY(read_1d(f, "/persons/flag", TW_I32, r->n, (void **)&i32));
  for (int64_t i = 0; i < r->n; ++i) r->persons[i].flags = (uint32_t)i32[i];
  free(i32);
  TW_TRY(read_1d(f, "/persons/t0_unix_ms", TW_I64, r->n, (void **)&i64));
  for (int64_t i = 0; i < r->n; ++i) r->persons[i].t0_ms = i64[i];
  free(i64);
  char path[96];
  for (int k = 0; k < TW_RR_COUNT; ++k) {
    snprintf(path, sizeof path, "/report/%s", tw_rec_reason_name((tw_rec_reason)k));
    TW_TRY(read_1d(f, path, TW_I64, r->n, (void **)&i64));
    for (int64_t i = 0; i < r->n; ++i) r->persons[i].count[k] = i64[i];
    free(i64);
  }
  return TW_OK;
}

static tw_status read_all(tw_h5_file *f, tw_records *r) {
  int64_t version;
  char *source;
  TW_TRY(tw_h5_attr_read_i64(f, "records_format_version", &version));
  if (version != REC_FORMAT_VERSION)
    return TW_FAIL(TW_ERR_INPUT, "%s: records format version %lld, this build reads %d", tw_h5_path(f),
                   (long long)version, REC_FORMAT_VERSION);
  TW_TRY(tw_h5_attr_read_i64(f, "n_persons", &r->n));
  TW_TRY(tw_h5_attr_read_f64(f, "records_gap_min", &r->gap_min));
  TW_TRY(tw_h5_attr_read_i64(f, "records_source_records", &r->source_records));
  TW_TRY(tw_h5_attr_read_string(f, "records_source", &source));
  snprintf(r->source, sizeof r->source, "%s", source);
  free(source);
  r->persons = calloc((size_t)TW_MAX(r->n, 1), sizeof *r->persons);
  if (!r->persons) return TW_FAIL(TW_ERR_NOMEM, "records: out of memory for %lld persons", (long long)r->n);
  TW_TRY(read_persons(f, r));
  for (int k = 0; k < (int)TW_ARRAY_LEN(RAGGED); ++k) TW_TRY(read_ragged(f, r, k));
  return TW_OK;
}

tw_status tw_records_read_h5(const char *path, tw_records *out) {
  memset(out, 0, sizeof *out);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_all(f, out);
  const tw_status closed = tw_h5_close(f);
  if (st == TW_OK) st = closed;
  if (st != TW_OK) tw_records_free(out);
  return st;
}

#else
tw_status tw_records_write_h5(const tw_records *r, const char *path) {
  (void)r;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: this build has no HDF5", path);
}
tw_status tw_records_read_h5(const char *path, tw_records *out) {
  (void)out;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: this build has no HDF5", path);
}
#endif
