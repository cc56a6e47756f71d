/*
** train_data.c: reading training series from simulate results (train_data.h).
**
** A file is read dataset by dataset (one state variable of every twin at a
** time, as HDF5 stores it) and scattered into per-twin series, so the peak
** beyond the series themselves is one (n, T) dataset in double.
*/
#include "train/train_data.h"

#include <math.h>   /* isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, realloc, free */
#include <string.h> /* strcmp, memset */

#include "core/philox.h" /* the validation split */
#include "io/h5.h"

/* One file's shape and which of its twins are kept. */
typedef struct data_file {
  const char *path;
  tw_h5_file *f;
  char **names;
  int64_t n, T;
  int32_t *flag;  /* (n) */
  int64_t first;  /* index in d of its first kept twin */
  int64_t kept;
} data_file;

static tw_status check_pack(data_file *df, const tw_pack *pack, int64_t *every) {
  char *made = NULL;
  if (tw_h5_attr_read_string(df->f, "pack", &made) != TW_OK)
    return tw_error_clear(), TW_FAIL(TW_ERR_INPUT, "%s: no root attribute `pack`: not a twinscale simulate results file",
                                     df->path);
  const int same = !strcmp(made, pack->name);
  tw_status st = same ? TW_OK
                      : TW_FAIL(TW_ERR_INPUT, "%s: data simulated with pack %s, not with %s (the pack of this training or model)", df->path,
                                made, pack->name);
  free(made);
  TW_TRY(st);
  if (!tw_h5_exists(df->f, "/states"))
    return TW_FAIL(TW_ERR_INPUT, "%s: no /states: simulate with `output: {states: true}` to write training data",
                   df->path);
  if (tw_h5_attr_read_i64(df->f, "every_min", every) != TW_OK)
    return tw_error_clear(), TW_FAIL(TW_ERR_INPUT, "%s: no root attribute `every_min`", df->path);
  return TW_OK;
}

/* The (n, T) shape every per-twin dataset must have, from /twins/name and /time_min. */
static tw_status read_shape(data_file *df, int64_t min_steps) {
  int rank;
  int64_t dims[8];
  TW_TRY(tw_h5_read_strings(df->f, "/twins/name", &df->names, &df->n));
  if (df->n == 0) return TW_FAIL(TW_ERR_INPUT, "%s: no twins", df->path);
  TW_TRY(tw_h5_shape(df->f, "/time_min", &rank, dims));
  df->T = dims[0];
  if (df->T < min_steps)
    return TW_FAIL(TW_ERR_INPUT, "%s: %lld steps per twin, fewer than a training window needs (%lld: context + "
                   "horizon + 1)", df->path, (long long)df->T, (long long)min_steps);
  tw_tensor t;
  TW_TRY(tw_h5_read(df->f, "/status/flag", TW_I32, &t));
  df->flag = t.data;
  if (t.rank != 1 || t.dims[0] != df->n)
    return TW_FAIL(TW_ERR_INPUT, "%s: /status/flag has %lld rows for %lld twins", df->path, (long long)t.dims[0],
                   (long long)df->n);
  return TW_OK;
}

static tw_status check_dims(const data_file *df, const char *path, const tw_tensor *t, int64_t cols) {
  if (t->rank == 2 && t->dims[0] == df->n && t->dims[1] == cols) return TW_OK;
  return TW_FAIL(TW_ERR_INPUT, "%s: %s has shape (%lld, %lld), expected (%lld twins, %lld %s)", df->path, path,
                 (long long)t->dims[0], (long long)(t->rank > 1 ? t->dims[1] : 1), (long long)df->n, (long long)cols,
                 cols == df->T ? "steps" : "values");
}

/* Dataset `path` (n, T) into column k of width w of the kept twins' series. */
static tw_status read_series(data_file *df, tw_train_data *d, const char *path, int k, int w, float *dst) {
  tw_tensor t;
  if (!tw_h5_exists(df->f, path)) return TW_FAIL(TW_ERR_INPUT, "%s: no %s (pack %s has it)", df->path, path, d->pack->name);
  TW_TRY(tw_h5_read(df->f, path, TW_F64, &t));
  const double *v = t.data;
  tw_status st = check_dims(df, path, &t, df->T);
  for (int64_t i = 0, kept = 0; i < df->n && st == TW_OK; ++i) {
    if (df->flag[i] != 0) continue;
    float *out = dst + (d->off[df->first + kept++]) * w + k;
    for (int64_t s = 0; s < df->T && st == TW_OK; ++s) {
      if (!isfinite(v[i * df->T + s]))
        st = TW_FAIL(TW_ERR_INPUT, "%s: %s: twin %lld (%s), step %lld: %g, in a twin that did not fail (/status/flag "
                     "0)", df->path, path, (long long)i, df->names[i], (long long)s, v[i * df->T + s]);
      out[s * w] = (float)v[i * df->T + s];
    }
  }
  free(t.data);
  return st;
}

static tw_status read_params(data_file *df, tw_train_data *d) {
  for (int q = 0; q < d->n_params; ++q) {
    char path[256];
    tw_tensor t;
    snprintf(path, sizeof path, "/cohort/parameters/%s.%s", d->pack->name, d->pack->params[q].name);
    if (!tw_h5_exists(df->f, path))
      return TW_FAIL(TW_ERR_INPUT, "%s: no %s: simulate with output.states writes the parameters", df->path, path);
    TW_TRY(tw_h5_read(df->f, path, TW_F64, &t));
    tw_status st = t.rank == 1 && t.dims[0] == df->n ? TW_OK
                   : TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld rows for %lld twins", df->path, path, (long long)t.dims[0],
                             (long long)df->n);
    for (int64_t i = 0, kept = 0; i < df->n && st == TW_OK; ++i)
      if (df->flag[i] == 0) d->p[(df->first + kept++) * d->n_params + q] = ((double *)t.data)[i];
    free(t.data);
    TW_TRY(st);
  }
  return TW_OK;
}

/* Room for the file's kept twins after those of earlier files. */
static tw_status grow(tw_train_data *d, data_file *df) {
  df->first = d->n;
  for (int64_t i = 0; i < df->n; ++i) df->kept += df->flag[i] == 0;
  d->n_failed += df->n - df->kept;
  const int64_t n = d->n + df->kept, steps = (d->n ? d->off[d->n - 1] + d->T[d->n - 1] : 0) + df->kept * df->T;
  void *a = realloc(d->T, (size_t)n * sizeof *d->T + 1), *b = realloc(d->off, (size_t)n * sizeof *d->off + 1);
  if (a) d->T = a;
  if (b) d->off = b;
  void *c = realloc(d->xs, (size_t)(steps * d->n_states) * sizeof *d->xs + 1);
  if (c) d->xs = c;
  void *e = realloc(d->us, (size_t)(steps * d->n_inputs) * sizeof *d->us + 1);
  if (e) d->us = e;
  void *g = realloc(d->p, (size_t)(n * d->n_params) * sizeof *d->p + 1);
  if (g) d->p = g;
  void *h = realloc(d->source, (size_t)n * sizeof *d->source + 1);
  if (h) d->source = h;
  void *v = realloc(d->validation, (size_t)n + 1);
  if (v) d->validation = v;
  if (!a || !b || !c || !e || !g || !h || !v) return TW_FAIL(TW_ERR_NOMEM, "train: out of memory for the data");
  for (int64_t i = 0, k = d->n; i < df->n; ++i) {
    if (df->flag[i] != 0) continue;
    d->T[k] = df->T;
    d->off[k] = k ? d->off[k - 1] + d->T[k - 1] : 0;
    char src[512];
    snprintf(src, sizeof src, "%s: twin %lld (%s)", df->path, (long long)i, df->names[i]);
    if (!(d->source[k] = malloc(strlen(src) + 1))) return TW_FAIL(TW_ERR_NOMEM, "train: out of memory");
    memcpy(d->source[k++], src, strlen(src) + 1);
  }
  d->n = n;
  return TW_OK;
}

static tw_status read_file(tw_train_data *d, data_file *df, int64_t min_steps) {
  int64_t every = 0;
  TW_TRY(tw_h5_open(df->path, NULL, &df->f));
  TW_TRY(check_pack(df, d->pack, &every));
  if (d->every_min && every != d->every_min)
    return TW_FAIL(TW_ERR_INPUT, "%s: every_min %lld, but the files before it have %lld: one step length for all data",
                   df->path, (long long)every, (long long)d->every_min);
  d->every_min = every;
  TW_TRY(read_shape(df, min_steps));
  TW_TRY(grow(d, df));
  for (int k = 0; k < d->n_states; ++k) {
    char path[256];
    snprintf(path, sizeof path, "/states/%s", d->pack->states[k].name);
    TW_TRY(read_series(df, d, path, k, d->n_states, d->xs));
  }
  for (int k = 0; k < d->n_inputs; ++k) {
    char path[256];
    snprintf(path, sizeof path, "/inputs/%s", d->pack->inputs[k].name);
    TW_TRY(read_series(df, d, path, k, d->n_inputs, d->us));
  }
  return read_params(df, d);
}

static void file_close(data_file *df) {
  for (int64_t i = 0; df->names && i < df->n; ++i) free(df->names[i]);
  free(df->names), free(df->flag);
  if (df->f) tw_h5_close(df->f);
}

/* Kept twin i (in file order) held out when its draw is below the fraction. */
static void split(tw_train_data *d, double fraction, uint64_t seed) {
  for (int64_t i = 0; i < d->n; ++i) {
    uint32_t r[4];
    tw_philox_block(seed, (uint64_t)i, TW_RNG_TRAIN, 0, r);
    d->validation[i] = tw_u01_f64(r[0], r[1]) < fraction;
  }
}

tw_status tw_train_data_read(const tw_pack *pack, char *const *files, int n_files, int64_t min_steps,
                             double validation_fraction, uint64_t seed, tw_train_data *d) {
  memset(d, 0, sizeof *d);
  d->pack = pack;
  d->n_states = pack->n_states, d->n_inputs = pack->n_inputs, d->n_params = pack->n_params;
  tw_status st = TW_OK;
  for (int i = 0; i < n_files && st == TW_OK; ++i) {
    data_file df = {.path = files[i]};
    st = read_file(d, &df, min_steps);
    file_close(&df);
  }
  if (st == TW_OK && d->n == 0)
    st = TW_FAIL(TW_ERR_INPUT, "%s: no twin to train on (%lld failed)", files[0], (long long)d->n_failed);
  if (st == TW_OK) split(d, validation_fraction, seed);
  return st;
}

void tw_train_data_free(tw_train_data *d) {
  for (int64_t i = 0; d->source && i < d->n; ++i) free(d->source[i]);
  free(d->T), free(d->off), free(d->xs), free(d->us), free(d->p), free(d->validation), free(d->source);
  memset(d, 0, sizeof *d);
}

void tw_train_data_fit(const tw_train_data *d, tw_grt_twin_map *m) {
  tw_grt_twin_stats s;
  tw_grt_twin_stats_init(&s);
  for (int64_t i = 0; i < d->n; ++i)
    if (!d->validation[i])
      tw_grt_twin_stats_add(m, &s, d->T[i], d->xs + d->off[i] * d->n_states, d->us + d->off[i] * d->n_inputs,
                            d->p + i * d->n_params);
  tw_grt_twin_map_fit(m, &s);
}
