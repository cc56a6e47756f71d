/*
** cohort_out.c: generated rows as a cohort file (cohort_out.h).
*/
#include "gan/cohort_out.h"

#include <math.h>   /* rint */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */

#include "cohort/generate.h" /* tw_cohort_write_param_list */
#include "io/h5.h"
#include "physio/pack.h" /* tw_pack_lookup: pack_parameters */

/* /cohort/id: "twin-000000", ... as cohort generate names its twins, in blocks of ID_BLOCK. */
#define ID_BLOCK 1024
static tw_status write_ids(tw_h5_file *f, int64_t n) {
  tw_h5_strings *ds;
  TW_TRY(tw_h5_strings_create(f, "/cohort/id", n, "1", &ds));
  char (*text)[32] = malloc(ID_BLOCK * sizeof *text); /* "twin-" + any int64 + NUL fits in 32 */
  const char *rows[ID_BLOCK];
  tw_status st = text ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin ids");
  for (int64_t i0 = 0; i0 < n && st == TW_OK; i0 += ID_BLOCK) {
    int64_t m = n - i0 < ID_BLOCK ? n - i0 : ID_BLOCK;
    for (int64_t k = 0; k < m; ++k) snprintf(text[k], sizeof text[k], "twin-%06lld", (long long)(i0 + k)), rows[k] = text[k];
    st = tw_h5_strings_write_rows(ds, i0, m, rows);
  }
  free(text);
  tw_status cst = tw_h5_strings_close(ds);
  return st != TW_OK ? st : cst;
}

static tw_status write_strings_column(tw_h5_file *f, const tw_gan_column *c, const double *x, int64_t n,
                                      const char *units) {
  const char **s = malloc((size_t)n * sizeof *s + 1);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "writing %s", c->dataset);
  for (int64_t i = 0; i < n; ++i) s[i] = c->labels[(int64_t)x[i]];
  tw_status st = tw_h5_write_strings(f, c->dataset, s, n, units);
  free(s);
  return st;
}

/* An integer column: int32 when every value fits, else int64. */
static tw_status write_integer_column(tw_h5_file *f, const tw_gan_column *c, const double *x, int64_t n,
                                      const char *units) {
  int wide = 0;
  for (int64_t i = 0; i < n; ++i) wide |= x[i] < -2147483648.0 || x[i] > 2147483647.0;
  int64_t *v = malloc((size_t)n * sizeof *v + 1);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "writing %s", c->dataset);
  int32_t *v32 = (int32_t *)v;
  for (int64_t i = 0; i < n; ++i) {
    if (wide) v[i] = (int64_t)rint(x[i]);
    else v32[i] = (int32_t)rint(x[i]);
  }
  tw_status st = tw_h5_write_array(f, c->dataset, wide ? TW_I64 : TW_I32, v, 1, &n, units);
  free(v);
  return st;
}

static tw_status write_columns(tw_h5_file *f, const tw_gan_transformer *tr, const tw_gan_table *rows) {
  for (int j = 0; j < tr->schema.n_cols; ++j) {
    const tw_gan_column *c = &tr->schema.cols[j];
    const char *units = tr->units && tr->units[j] ? tr->units[j] : "1";
    const double *x = tw_gan_col(rows, j);
    if (c->kind == TW_GAN_CONTINUOUS) TW_TRY(tw_h5_write_array(f, c->dataset, TW_F64, x, 1, &rows->n_rows, units));
    else if (c->strings) TW_TRY(write_strings_column(f, c, x, rows->n_rows, units));
    else TW_TRY(write_integer_column(f, c, x, rows->n_rows, units));
  }
  return TW_OK;
}

/* Attributes pack and pack_parameters (cohort generate's writer of the list). */
static tw_status write_pack(tw_h5_file *f, const char *name) {
  const tw_pack *pk;
  TW_TRY(tw_pack_lookup(name, &pk));
  TW_TRY(tw_h5_attr_write_string(f, "pack", name));
  return tw_cohort_write_param_list(f, pk);
}

static tw_status write_info(tw_h5_file *f, const tw_gan_sample_info *in, int64_t n) {
  const tw_gan_validity_stats none = {0}, *s = in->stats ? in->stats : &none;
  TW_TRY(tw_h5_attr_write_string(f, "cohort_source", "twinscale gan sample"));
  TW_TRY(tw_h5_attr_write_i64(f, "n_twins", n));
  TW_TRY(tw_h5_attr_write_string(f, "gan_model", in->model ? in->model : ""));
  TW_TRY(tw_h5_attr_write_string(f, "gan_condition", in->condition ? in->condition : ""));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_seed", (int64_t)in->seed));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_rows_drawn", s->drawn));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_rows_invalid", s->invalid));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_out_of_range", s->out_of_range));
  TW_TRY(tw_h5_attr_write_i64(f, "gan_invalid_no_steady_state", s->no_steady));
  return tw_h5_attr_write_f64(f, "gan_invalid_rate", tw_gan_invalid_rate(s));
}

static tw_status write_all(tw_h5_file *f, const tw_gan_transformer *tr, const tw_gan_table *rows,
                           const tw_gan_sample_info *info) {
  TW_TRY(write_ids(f, rows->n_rows));
  TW_TRY(write_columns(f, tr, rows));
  if (tr->pack) TW_TRY(write_pack(f, tr->pack));
  return write_info(f, info, rows->n_rows);
}

tw_status tw_gan_cohort_write(const char *path, const tw_gan_transformer *tr, const tw_gan_table *rows,
                              const tw_gan_sample_info *info) {
  tw_h5_run_info run = {.config_text = "", .seed = info->seed, .rank_count = 1};
  tw_h5_file *f;
  TW_TRY(tw_h5_create(path, NULL, &run, &f));
  tw_status st = write_all(f, tr, rows, info);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}
