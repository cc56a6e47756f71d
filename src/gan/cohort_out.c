/*
** cohort_out.c: generated rows as a cohort file (cohort_out.h): alone (`gan
** sample`, `gan baseline`), or after the rows of a real cohort with the
** generated twins flagged (a trial's cohort.from_generator).
*/
#include "gan/cohort_out.h"

#include <math.h>   /* rint */
#include <stdio.h>  /* snprintf */
#include <stdint.h> /* uint8_t */
#include <stdlib.h> /* malloc, free */

#include "cohort/generate.h" /* tw_cohort_write_param_list */
#include "io/h5.h"
#include "physio/pack.h" /* tw_pack_lookup: pack_parameters */

/* /cohort/id: the `first` names given (n_first of them, NULL: none), then
** "<prefix>000000", ... as cohort generate names its twins, in blocks of ID_BLOCK. */
#define ID_BLOCK 1024
static tw_status write_ids(tw_h5_file *f, int64_t n, const char *prefix, char *const *first, int64_t n_first) {
  tw_h5_strings *ds;
  TW_TRY(tw_h5_strings_create(f, "/cohort/id", n, "1", &ds));
  char (*text)[48] = malloc(ID_BLOCK * sizeof *text); /* an 8-char prefix + any int64 + NUL fits in 48 */
  const char *rows[ID_BLOCK];
  tw_status st = text ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin ids");
  for (int64_t i0 = 0; i0 < n && st == TW_OK; i0 += ID_BLOCK) {
    int64_t m = n - i0 < ID_BLOCK ? n - i0 : ID_BLOCK;
    for (int64_t k = 0, i = i0; k < m; ++k, ++i) {
      snprintf(text[k], sizeof text[k], "%.8s%06lld", prefix, (long long)(i - n_first));
      rows[k] = i < n_first ? first[i] : text[k];
    }
    st = tw_h5_strings_write_rows(ds, i0, m, rows);
  }
  free(text);
  tw_status cst = tw_h5_strings_close(ds);
  return st != TW_OK ? st : cst;
}

/* Column j of the parts, one after the other: (n) values into x, and for a
** string column each cell's text (from its own part's labels) into s. */
static void join_column(const tw_gan_table *const *parts, int n_parts, int j, double *x, const char **s) {
  for (int p = 0; p < n_parts; ++p) {
    const double *v = tw_gan_col(parts[p], j);
    const tw_gan_column *c = &parts[p]->schema->cols[j];
    for (int64_t i = 0; i < parts[p]->n_rows; ++i, ++x) {
      *x = v[i];
      if (s) *s++ = c->labels[(int64_t)v[i]];
    }
  }
}

/* An integer column: int32 when every value fits, else int64. */
static tw_status write_integer_column(tw_h5_file *f, const char *dataset, const double *x, int64_t n,
                                      const char *units) {
  int wide = 0;
  for (int64_t i = 0; i < n; ++i) wide |= x[i] < -2147483648.0 || x[i] > 2147483647.0;
  int64_t *v = malloc((size_t)n * sizeof *v + 1);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "writing %s", dataset);
  int32_t *v32 = (int32_t *)v;
  for (int64_t i = 0; i < n; ++i) {
    if (wide) v[i] = (int64_t)rint(x[i]);
    else v32[i] = (int32_t)rint(x[i]);
  }
  tw_status st = tw_h5_write_array(f, dataset, wide ? TW_I64 : TW_I32, v, 1, &n, units);
  free(v);
  return st;
}

static tw_status write_column(tw_h5_file *f, const tw_gan_column *c, const double *x, const char *const *s, int64_t n,
                              const char *units) {
  if (c->kind == TW_GAN_CONTINUOUS) return tw_h5_write_array(f, c->dataset, TW_F64, x, 1, &n, units);
  if (c->strings) return tw_h5_write_strings(f, c->dataset, s, n, units);
  return write_integer_column(f, c->dataset, x, n, units);
}

/* Every column of tr's schema: the parts' rows one after the other (n rows in all). */
static tw_status write_columns(tw_h5_file *f, const tw_gan_transformer *tr, const tw_gan_table *const *parts,
                               int n_parts, int64_t n) {
  double *x = malloc((size_t)n * sizeof *x + 1);
  const char **s = malloc((size_t)n * sizeof *s + 1);
  tw_status st = x && s ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "writing the cohort's columns");
  for (int j = 0; st == TW_OK && j < tr->schema.n_cols; ++j) {
    const tw_gan_column *c = &tr->schema.cols[j];
    join_column(parts, n_parts, j, x, c->strings ? s : NULL);
    st = write_column(f, c, x, s, n, tr->units && tr->units[j] ? tr->units[j] : "1");
  }
  free(x), free(s);
  return st;
}

/* Attributes pack and pack_parameters (cohort generate's writer of the list). */
static tw_status write_pack(tw_h5_file *f, const char *name) {
  const tw_pack *pk;
  TW_TRY(tw_pack_lookup(name, &pk));
  TW_TRY(tw_h5_attr_write_string(f, "pack", name));
  return tw_cohort_write_param_list(f, pk);
}

static tw_status write_info(tw_h5_file *f, const tw_gan_sample_info *in, int64_t n, const char *source) {
  const tw_gan_validity_stats none = {0}, *s = in->stats ? in->stats : &none;
  TW_TRY(tw_h5_attr_write_string(f, "cohort_source", source));
  TW_TRY(tw_h5_attr_write_i64(f, "n_twins", n));
  if (in->baseline) {
    TW_TRY(tw_h5_attr_write_string(f, "gan_baseline", in->baseline));
    TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_kept", in->keep_invalid));
  }
  if (in->smoothing) {
    TW_TRY(tw_h5_attr_write_f64(f, "gan_bandwidth", in->smoothing->bandwidth));
    TW_TRY(tw_h5_attr_write_f64(f, "gan_swap", in->smoothing->swap));
  }
  TW_TRY(tw_h5_attr_write_string(f, in->baseline ? "gan_real_cohort" : "gan_model", in->model ? in->model : ""));
  TW_TRY(tw_h5_attr_write_string(f, "gan_condition", in->condition ? in->condition : ""));
  if (in->condition && !in->baseline) {
    TW_TRY(tw_h5_attr_write_string(f, "gan_conditioning", tw_gan_conditioning_names[in->conditioning]));
    TW_TRY(tw_h5_attr_write_i64(f, "gan_rows_off_condition", s->off_condition));
  }
  TW_TRY(tw_h5_attr_write_i64(f, "gan_seed", (int64_t)in->seed));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_rows_drawn", s->drawn));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_rows_invalid", s->invalid));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_out_of_range", s->out_of_range));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_no_steady_state", s->no_steady));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_steady_low", s->steady_by[TW_STEADY_LOW]));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_steady_high", s->steady_by[TW_STEADY_HIGH]));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_steady_drift", s->steady_by[TW_STEADY_DRIFT]));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_steady_nonfinite", s->steady_by[TW_STEADY_NONFINITE]));
  return tw_h5_attr_write_f64(f, "gan_invalid_rate", tw_gan_invalid_rate(s));
}

static tw_status write_all(tw_h5_file *f, const tw_gan_transformer *tr, const tw_gan_table *rows,
                           const tw_gan_sample_info *info) {
  TW_TRY(write_ids(f, rows->n_rows, "twin-", NULL, 0));
  TW_TRY(write_columns(f, tr, &rows, 1, rows->n_rows));
  if (tr->pack) TW_TRY(write_pack(f, tr->pack));
  return write_info(f, info, rows->n_rows, info->baseline ? "twinscale gan baseline" : "twinscale gan sample");
}

/* Writes the file at `path` with `body`, to PATH.partial renamed when whole. */
static tw_status write_file(const char *path, uint64_t seed, tw_status (*body)(tw_h5_file *, const void *),
                            const void *ctx) {
  tw_h5_run_info run = {.config_text = "", .seed = seed, .rank_count = 1};
  tw_h5_file *f;
  TW_TRY(tw_h5_create(path, NULL, &run, &f));
  tw_status st = body(f, ctx);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

typedef struct sample_file {
  const tw_gan_transformer *tr;
  const tw_gan_table *rows;
  const tw_gan_sample_info *info;
  const tw_gan_cohort_real *real;
} sample_file;

static tw_status sample_body(tw_h5_file *f, const void *ctx) {
  const sample_file *c = ctx;
  return write_all(f, c->tr, c->rows, c->info);
}

tw_status tw_gan_cohort_write(const char *path, const tw_gan_transformer *tr, const tw_gan_table *rows,
                              const tw_gan_sample_info *info) {
  const sample_file c = {.tr = tr, .rows = rows, .info = info};
  return write_file(path, info->seed, sample_body, &c);
}

/* ---- a trial's cohort: real twins, then generated ones -------------------- */

/* /cohort/covariates/synthetic: 0 for the n_real real twins, 1 for the n generated ones. */
static tw_status write_flag(tw_h5_file *f, int64_t n_real, int64_t n) {
  const int64_t total = n_real + n;
  uint8_t *flag = malloc((size_t)total + 1);
  if (!flag) return TW_FAIL(TW_ERR_NOMEM, "writing %s", TW_GAN_SYNTHETIC_DATASET);
  for (int64_t i = 0; i < total; ++i) flag[i] = i >= n_real;
  tw_status st = tw_h5_write_array(f, TW_GAN_SYNTHETIC_DATASET, TW_U8, flag, 1, &total, "1");
  free(flag);
  return st;
}

/* /cohort/reference: the real twins' reference patients, "" for the generated ones. */
static tw_status write_references(tw_h5_file *f, char *const *refs, int64_t n_real, int64_t n) {
  const char **s = malloc((size_t)(n_real + n) * sizeof *s + 1);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "writing /cohort/reference");
  for (int64_t i = 0; i < n_real + n; ++i) s[i] = i < n_real ? refs[i] : "";
  tw_status st = tw_h5_write_strings(f, "/cohort/reference", s, n_real + n, "1");
  free(s);
  return st;
}

static tw_status joined_body(tw_h5_file *f, const void *ctx) {
  const sample_file *c = ctx;
  const tw_gan_cohort_real *r = c->real;
  const int64_t n_real = r->rows ? r->rows->n_rows : 0, n = n_real + c->rows->n_rows;
  const tw_gan_table *parts[2] = {r->rows, c->rows};
  TW_TRY(write_ids(f, n, TW_GAN_SYNTHETIC_ID_PREFIX, r->ids, n_real));
  TW_TRY(write_columns(f, c->tr, parts + !r->rows, 2 - !r->rows, n));
  TW_TRY(write_flag(f, n_real, c->rows->n_rows));
  if (r->references) TW_TRY(write_references(f, r->references, n_real, c->rows->n_rows));
  if (c->tr->pack) TW_TRY(write_pack(f, c->tr->pack));
  TW_TRY(write_info(f, c->info, n, "twinscale trial cohort.from_generator"));
  TW_TRY(tw_h5_attr_write_string(f, "real_cohort", r->path ? r->path : ""));
  TW_TRY(tw_h5_attr_write_i64(f, "n_real", n_real));
  return tw_h5_attr_write_i64(f, "n_synthetic", c->rows->n_rows);
}

tw_status tw_gan_cohort_write_joined(const char *path, const tw_gan_transformer *tr, const tw_gan_cohort_real *real,
                                     const tw_gan_table *rows, const tw_gan_sample_info *info) {
  const sample_file c = {.tr = tr, .rows = rows, .info = info, .real = real};
  return write_file(path, info->seed, joined_body, &c);
}
