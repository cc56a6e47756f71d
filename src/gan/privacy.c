/*
** privacy.c: SDMetrics' privacy metrics on whole tables (metrics.h):
** NewRowSynthesis, the distance to closest record of
** sdmetrics.single_table.privacy.dcr_utils, DCROverfittingProtection and
** DCRBaselineProtection with its random rows drawn from Philox.
**
** DCR rows are independent, so the loop over them may run on OpenMP threads:
** each row's distance is the same number whichever thread forms it.
*/
#include <math.h>   /* fabs, isnan, floor, NAN */
#include <stdlib.h> /* malloc, free, qsort */
#include <string.h> /* memcpy */

#include "core/random.h" /* tw_rng, TW_RNG_GAN_REPORT */
#include "gan/metrics.h"
#include "gan/metrics_internal.h"

/* One cell of a synthetic row against a real one, as NewRowSynthesis' query. */
static int cell_matches(tw_gan_kind kind, double r, double s, double tol) {
  if (isnan(s)) return isnan(r);
  if (kind == TW_GAN_DISCRETE) return r == s;
  return fabs(r - s) <= fabs(tol * s);
}

static int row_matches(const tw_gan_table *real, int64_t ri, const tw_gan_table *syn, int64_t si, double tol) {
  const tw_gan_schema *sc = real->schema;
  for (int j = 0; j < sc->n_cols; ++j)
    if (!cell_matches(sc->cols[j].kind, tw_gan_col(real, j)[ri], tw_gan_col(syn, j)[si], tol)) return 0;
  return 1;
}

tw_status tw_gan_new_row_synthesis(const tw_gan_table *real, const tw_gan_table *syn, double tol, double *out) {
  int64_t fresh = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : fresh)
  for (int64_t s = 0; s < syn->n_rows; ++s) {
    int64_t r = 0;
    while (r < real->n_rows && !row_matches(real, r, syn, s, tol)) ++r;
    fresh += r == real->n_rows;
  }
  *out = syn->n_rows ? (double)fresh / (double)syn->n_rows : NAN;
  return TW_OK;
}

/* Per column of ref: max - min of the present values (NaN when none). */
static void column_ranges(const tw_gan_table *ref, double *range) {
  for (int j = 0; j < ref->schema->n_cols; ++j) {
    const double *x = tw_gan_col(ref, j);
    double lo = NAN, hi = NAN;
    for (int64_t i = 0; i < ref->n_rows; ++i) {
      if (isnan(x[i])) continue;
      if (isnan(lo) || x[i] < lo) lo = x[i];
      if (isnan(hi) || x[i] > hi) hi = x[i];
    }
    range[j] = hi - lo;
  }
}

/* dcr_utils' per-column difference of a data value d and a reference value r. */
static double cell_distance(tw_gan_kind kind, double d, double r, double range) {
  if (isnan(d) || isnan(r)) return isnan(d) && isnan(r) ? 0.0 : 1.0;
  if (kind == TW_GAN_DISCRETE) return d == r ? 0.0 : 1.0;
  double diff = fabs(r - d);
  if (range == 0) return diff > 0 ? 1.0 : 0.0;
  double x = diff / range;
  return x < 1.0 ? x : 1.0;
}

/* t's cells row by row ((n_rows, n_cols), malloc'd): the DCR loop reads a
** reference row at a time. */
static double *row_major(const tw_gan_table *t) {
  int c = t->schema->n_cols;
  double *x = malloc((size_t)c * (size_t)(t->n_rows ? t->n_rows : 1) * sizeof *x);
  for (int64_t i = 0; x && i < t->n_rows; ++i)
    for (int j = 0; j < c; ++j) x[(size_t)i * (size_t)c + (size_t)j] = tw_gan_col(t, j)[i];
  return x;
}

/* The smallest sum over columns of cell distances from row d to the rows of
** ref (n of them, row-major). Each sum runs left to right, as pandas' row sum;
** a row is left once its partial sum reaches the best (the terms are >= 0, so
** it cannot become smaller). */
static double closest_sum(const tw_gan_schema *sc, const double *d, const double *ref, int64_t n,
                          const double *range) {
  int c = sc->n_cols;
  double best = INFINITY;
  for (int64_t k = 0; k < n; ++k) {
    const double *r = ref + (size_t)k * (size_t)c;
    double sum = 0;
    int j = 0;
    while (j < c && sum < best) sum += cell_distance(sc->cols[j].kind, d[j], r[j], range[j]), ++j;
    if (j == c && sum < best) best = sum;
  }
  return best;
}

tw_status tw_gan_dcr(const tw_gan_table *data, const tw_gan_table *ref, double *dcr) {
  const tw_gan_schema *sc = data->schema;
  double *range = malloc((size_t)sc->n_cols * sizeof *range), *d = row_major(data), *r = row_major(ref);
  tw_status st = range && d && r ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: DCR of %lld rows",
                                                   (long long)data->n_rows);
  if (st == TW_OK) {
    column_ranges(ref, range);
#pragma omp parallel for schedule(dynamic, 16)
    for (int64_t i = 0; i < data->n_rows; ++i)
      dcr[i] = closest_sum(sc, d + (size_t)i * (size_t)sc->n_cols, r, ref->n_rows, range) / (double)sc->n_cols;
  }
  free(range), free(d), free(r);
  return st;
}

/* d[0..n) = DCR(syn -> real): copied from `known` when given, else computed. */
static tw_status dcr_to_real(const tw_gan_table *real, const tw_gan_table *syn, const double *known, double *d) {
  if (!known) return tw_gan_dcr(syn, real, d);
  memcpy(d, known, (size_t)syn->n_rows * sizeof *d);
  return TW_OK;
}

tw_status tw_gan_dcr_overfitting(const tw_gan_table *real, const tw_gan_table *syn, const tw_gan_table *holdout,
                                 const double *dcr_syn_real, double *out) {
  int64_t n = syn->n_rows;
  double *d = malloc((size_t)(2 * n + 1) * sizeof *d);
  if (!d) return TW_FAIL(TW_ERR_NOMEM, "out of memory: DCR of %lld rows", (long long)n);
  tw_status st = dcr_to_real(real, syn, dcr_syn_real, d);
  if (st == TW_OK) st = tw_gan_dcr(syn, holdout, d + n);
  if (st == TW_OK) {
    int64_t closer = 0;
    for (int64_t i = 0; i < n; ++i) closer += d[i] < d[n + i];
    double p = (double)closer / (double)n, score = (1.0 - p) * 2;
    *out = score < 1.0 ? score : 1.0;
  }
  free(d);
  return st;
}

double tw_gan_median(double *v, int64_t n) {
  qsort(v, (size_t)n, sizeof *v, tw_gan_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

tw_status tw_gan_dcr_baseline(const tw_gan_table *real, const tw_gan_table *syn, const double *dcr_syn_real,
                              uint64_t seed, double *out, double medians[2]) {
  int64_t n = syn->n_rows;
  tw_gan_table rnd = {0};
  double *d = malloc((size_t)(2 * n + 1) * sizeof *d);
  tw_status st = d ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: DCR of %lld rows", (long long)n);
  TW_TRY_GOTO(st, st, done);
  TW_TRY_GOTO(st, tw_gan_random_table(real, n, seed, &rnd), done);
  TW_TRY_GOTO(st, dcr_to_real(real, syn, dcr_syn_real, d), done);
  TW_TRY_GOTO(st, tw_gan_dcr(&rnd, real, d + n), done);
  double m_syn = tw_gan_median(d, n), m_rnd = tw_gan_median(d + n, n);
  *out = m_rnd != 0.0 ? (m_syn / m_rnd < 1.0 ? m_syn / m_rnd : 1.0) : NAN;
  if (medians) medians[0] = m_syn, medians[1] = m_rnd;
done:
  tw_gan_table_free(&rnd);
  free(d);
  return st;
}

/* What a random column draws from: the real column's range, its distinct
** values (strings) and its missing share. */
typedef struct random_column {
  double lo, hi, missing_share;
  double *labels; /* strings: the distinct present values, sorted */
  int64_t n_labels;
} random_column;

static tw_status describe_column(const tw_gan_table *real, int j, random_column *rc) {
  const double *x = tw_gan_col(real, j);
  double *v;
  int64_t n;
  TW_TRY(tw_gan_sorted_present(x, real->n_rows, &v, &n));
  rc->lo = n ? v[0] : NAN;
  rc->hi = n ? v[n - 1] : NAN;
  rc->missing_share = (double)(real->n_rows - n) / (double)real->n_rows;
  int64_t *scratch = malloc((size_t)(n + 1) * sizeof *scratch);
  if (!scratch) return free(v), TW_FAIL(TW_ERR_NOMEM, "out of memory: random column %d", j);
  rc->n_labels = tw_gan_distinct(v, n, v, scratch);
  rc->labels = v;
  free(scratch);
  return TW_OK;
}

/* One random cell from two uniforms on (0,1): the value, then missing when u_missing < the share. */
static double random_cell(const tw_gan_column *c, const random_column *rc, double u, double u_missing) {
  if (u_missing < rc->missing_share || isnan(rc->lo)) return NAN;
  if (c->kind == TW_GAN_CONTINUOUS) return rc->lo + u * (rc->hi - rc->lo);
  if (c->strings) {
    int64_t k = (int64_t)floor(u * (double)rc->n_labels);
    return rc->labels[k < rc->n_labels ? k : rc->n_labels - 1];
  }
  double v = rc->lo + floor(u * (rc->hi - rc->lo + 1.0));
  return v < rc->hi ? v : rc->hi;
}

tw_status tw_gan_random_table(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out) {
  const tw_gan_schema *sc = real->schema;
  random_column *rc = calloc((size_t)sc->n_cols, sizeof *rc);
  tw_status st = rc ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: random columns");
  for (int j = 0; st == TW_OK && j < sc->n_cols; ++j) st = describe_column(real, j, &rc[j]);
  if (st == TW_OK) st = tw_gan_table_alloc(sc, n_rows, out);
  for (int64_t i = 0; st == TW_OK && i < n_rows; ++i) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)i, TW_RNG_GAN_REPORT, 0);
    for (int j = 0; j < sc->n_cols; ++j) {
      double u = tw_rng_uniform(&rng), u_missing = tw_rng_uniform(&rng);
      out->data[(size_t)j * (size_t)n_rows + (size_t)i] = random_cell(&sc->cols[j], &rc[j], u, u_missing);
    }
  }
  for (int j = 0; rc && j < sc->n_cols; ++j) free(rc[j].labels);
  free(rc);
  return st;
}
