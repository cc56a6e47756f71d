/*
** metrics_utility.c: the gan report's utility (metrics_utility.h): the three
** trial results files read as tables plus one endpoint, the ridge design
** (standardised continuous columns, one-hot categories, an intercept), its
** fit by Cholesky and its R^2 on the holdout twins; the bootstrap baseline,
** and the Gaussian copula's from trials of `gan baseline` files.
*/
#include <math.h>   /* isnan, sqrt, NAN, floor */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, malloc, free */
#include <string.h> /* memset, strcmp */

#include "core/random.h" /* tw_rng, tw_cholesky, TW_RNG_GAN_BASELINE */
#include "gan/metrics_internal.h"
#include "gan/metrics_utility.h"
#include "io/h5.h"

/* A column's part of the design: a standardised value or a one-hot. */
typedef struct feature {
  int col, width, offset;
  double mean, sd; /* continuous */
  double *cats;    /* discrete: the training categories, sorted (width of them) */
} feature;

typedef struct design {
  int n, width; /* width includes the intercept at 0 */
  feature *f;
} design;

static void design_free(design *d) {
  for (int i = 0; d->f && i < d->n; ++i) free(d->f[i].cats);
  free(d->f);
}

/* Column j's present values on the rows of t where y is present (malloc'd, sorted). */
static tw_status present_on_target(const tw_gan_table *t, const double *y, int j, double **v, int64_t *m) {
  double *x = malloc((size_t)(t->n_rows + 1) * sizeof *x);
  if (!x) return TW_FAIL(TW_ERR_NOMEM, "out of memory: %lld values", (long long)t->n_rows);
  int64_t k = 0;
  for (int64_t i = 0; i < t->n_rows; ++i)
    if (!isnan(y[i])) x[k++] = tw_gan_col(t, j)[i];
  tw_status st = tw_gan_sorted_present(x, k, v, m);
  free(x);
  return st;
}

static tw_status feature_fit(const tw_gan_table *t, const double *y, int j, feature *f) {
  double *v;
  int64_t m;
  TW_TRY(present_on_target(t, y, j, &v, &m));
  f->col = j;
  if (t->schema->cols[j].kind == TW_GAN_DISCRETE) {
    int64_t *counts = malloc((size_t)(m + 1) * sizeof *counts);
    if (!counts) return free(v), TW_FAIL(TW_ERR_NOMEM, "out of memory: categories of column %d", j);
    f->width = (int)tw_gan_distinct(v, m, v, counts);
    f->cats = v;
    free(counts);
    return TW_OK;
  }
  double s = 0, ss = 0;
  for (int64_t i = 0; i < m; ++i) s += v[i];
  f->mean = m ? s / (double)m : 0;
  for (int64_t i = 0; i < m; ++i) ss += (v[i] - f->mean) * (v[i] - f->mean);
  f->sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
  f->width = f->sd > 0; /* a constant or empty column carries nothing */
  free(v);
  return TW_OK;
}

static tw_status design_fit(const tw_gan_table *t, const double *y, design *d) {
  d->n = t->schema->n_cols;
  d->f = calloc((size_t)d->n, sizeof *d->f);
  if (!d->f) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the ridge design");
  d->width = 1;
  for (int j = 0; j < d->n; ++j) {
    TW_TRY(feature_fit(t, y, j, &d->f[j]));
    d->f[j].offset = d->width;
    d->width += d->f[j].width;
  }
  return TW_OK;
}

/* Row i of t as the design's (width) values. */
static void design_row(const design *d, const tw_gan_table *t, int64_t i, double *x) {
  for (int k = 0; k < d->width; ++k) x[k] = 0;
  x[0] = 1;
  for (int j = 0; j < d->n; ++j) {
    const feature *f = &d->f[j];
    double v = tw_gan_col(t, f->col)[i];
    if (!f->width || isnan(v)) continue; /* missing: the mean (0) or no category */
    if (!f->cats) {
      x[f->offset] = (v - f->mean) / f->sd;
      continue;
    }
    int64_t at = tw_gan_lower_bound(f->cats, f->width, v);
    if (at < f->width && f->cats[at] == v) x[f->offset + at] = 1;
  }
}

/* Solves L L^T b = r in place (L lower, (p, p) row-major). */
static void cholesky_solve(int p, const double *L, double *b) {
  for (int i = 0; i < p; ++i) {
    for (int k = 0; k < i; ++k) b[i] -= L[i * p + k] * b[k];
    b[i] /= L[i * p + i];
  }
  for (int i = p - 1; i >= 0; --i) {
    for (int k = i + 1; k < p; ++k) b[i] -= L[k * p + i] * b[k];
    b[i] /= L[i * p + i];
  }
}

/* beta (p) of min |y - X beta|^2 + alpha |beta without the intercept|^2. */
static tw_status ridge_fit(const design *d, const tw_gan_table *t, const double *y, double alpha, double *beta,
                           double *x, double *A, double *L) {
  int p = d->width;
  for (int k = 0; k < p * p; ++k) A[k] = 0;
  for (int k = 0; k < p; ++k) beta[k] = 0;
  for (int64_t i = 0; i < t->n_rows; ++i) {
    if (isnan(y[i])) continue;
    design_row(d, t, i, x);
    for (int a = 0; a < p; ++a) {
      if (x[a] == 0) continue;
      beta[a] += x[a] * y[i];
      for (int b = 0; b < p; ++b) A[a * p + b] += x[a] * x[b];
    }
  }
  for (int k = 1; k < p; ++k) A[k * p + k] += alpha;
  TW_TRY(tw_cholesky(p, A, L, "the ridge regression's normal equations"));
  cholesky_solve(p, L, beta);
  return TW_OK;
}

static double r2_of(const design *d, const tw_gan_table *t, const double *y, const double *beta, double *x) {
  double sum = 0, sse = 0, sst = 0;
  int64_t m = 0;
  for (int64_t i = 0; i < t->n_rows; ++i)
    if (!isnan(y[i])) sum += y[i], ++m;
  double mean = m ? sum / (double)m : NAN;
  for (int64_t i = 0; i < t->n_rows; ++i) {
    if (isnan(y[i])) continue;
    design_row(d, t, i, x);
    double pred = 0;
    for (int k = 0; k < d->width; ++k) pred += x[k] * beta[k];
    sse += (y[i] - pred) * (y[i] - pred);
    sst += (y[i] - mean) * (y[i] - mean);
  }
  return sst > 0 ? 1.0 - sse / sst : NAN;
}

tw_status tw_gan_ridge_r2(const tw_gan_table *train, const double *y_train, const tw_gan_table *test,
                          const double *y_test, double alpha, double *r2, int *features) {
  design d = {0};
  double *beta = NULL, *x = NULL, *A = NULL, *L = NULL;
  tw_status st = design_fit(train, y_train, &d);
  if (st == TW_OK) {
    size_t p = (size_t)d.width;
    beta = malloc(p * sizeof *beta), x = malloc(p * sizeof *x), A = malloc(p * p * sizeof *A);
    L = malloc(p * p * sizeof *L);
    st = beta && x && A && L ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: a ridge design of %zu columns", p);
  }
  if (st == TW_OK) st = ridge_fit(&d, train, y_train, alpha, beta, x, A, L);
  if (st == TW_OK) *r2 = r2_of(&d, test, y_test, beta, x), *features = d.width;
  design_free(&d);
  free(beta), free(x), free(A), free(L);
  return st;
}

/* The index of `arm` (NULL: 0) among the file's /arms/name. */
static tw_status arm_index(tw_h5_file *f, const char *path, const char *arm, int64_t *a, int64_t *n_arms,
                           char *name, size_t cap) {
  char **arms;
  if (tw_h5_read_strings(f, "/arms/name", &arms, n_arms) != TW_OK)
    return TW_FAIL(TW_ERR_INPUT, "%s: not a trial results file (no /arms/name)", path);
  *a = -1;
  for (int64_t k = 0; k < *n_arms && *a < 0; ++k)
    if (!arm || strcmp(arms[k], arm) == 0) *a = k;
  if (*a >= 0) snprintf(name, cap, "%s", arms[*a]);
  for (int64_t k = 0; k < *n_arms; ++k) free(arms[k]);
  free(arms);
  if (*a < 0) return TW_FAIL(TW_ERR_INPUT, "%s: no arm %s in /arms/name", path, arm ? arm : "(none)");
  return TW_OK;
}

static tw_status read_target(tw_h5_file *f, const char *path, const char *endpoint, const char *arm, int64_t n,
                             double *y, char *arm_name) {
  int64_t a, n_arms;
  TW_TRY(arm_index(f, path, arm, &a, &n_arms, arm_name, 128));
  char ds[256];
  snprintf(ds, sizeof ds, "/endpoints/%s", endpoint);
  tw_tensor t;
  TW_TRY(tw_h5_read(f, ds, TW_F64, &t));
  tw_status st = TW_OK;
  if (t.rank != 2 || t.dims[0] != n || t.dims[1] != n_arms)
    st = TW_FAIL(TW_ERR_INPUT, "%s: %s is not (%lld twins, %lld arms)", path, ds, (long long)n, (long long)n_arms);
  for (int64_t i = 0; st == TW_OK && i < n; ++i) y[i] = ((const double *)t.data)[i * n_arms + a];
  free(t.data);
  return st;
}

/* One trial file: its table (against schema) and its endpoint values y (malloc'd). */
static tw_status read_trial(const char *path, const char *role, tw_gan_schema *schema, const char *endpoint,
                            const char *arm, tw_gan_table *t, double **y, char *arm_name, int64_t *rows) {
  TW_TRY(tw_gan_table_read(path, role, schema, t));
  if (!(*y = malloc((size_t)t->n_rows * sizeof **y))) return TW_FAIL(TW_ERR_NOMEM, "out of memory: %s", path);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_target(f, path, endpoint, arm, t->n_rows, *y, arm_name);
  tw_h5_close(f);
  TW_TRY(st);
  *rows = 0;
  for (int64_t i = 0; i < t->n_rows; ++i) *rows += !isnan((*y)[i]);
  if (!*rows) return TW_FAIL(TW_ERR_INPUT, "%s (%s): no twin has a value of %s in arm %s", path, role, endpoint, arm_name);
  return TW_OK;
}

/* n twins drawn with replacement among the real twins with a value (seed;
** Philox TW_RNG_GAN_BASELINE, stream 3), with their endpoint values. */
static tw_status bootstrap_twins(const tw_gan_table *real, const double *y, int64_t n, uint64_t seed,
                                 tw_gan_table *out, double *yb) {
  int64_t m = 0, *idx = malloc((size_t)(real->n_rows + 1) * sizeof *idx);
  if (!idx) return TW_FAIL(TW_ERR_NOMEM, "out of memory: bootstrap of %lld twins", (long long)n);
  for (int64_t i = 0; i < real->n_rows; ++i)
    if (!isnan(y[i])) idx[m++] = i;
  tw_status st = tw_gan_table_alloc(real->schema, n, out);
  for (int64_t i = 0; st == TW_OK && i < n; ++i) {
    tw_rng rng = tw_rng_make(seed, ((uint64_t)3 << 56) | (uint64_t)i, TW_RNG_GAN_BASELINE, 0);
    int64_t k = (int64_t)floor(tw_rng_uniform(&rng) * (double)m), r = idx[k < m ? k : m - 1];
    for (int j = 0; j < real->schema->n_cols; ++j) out->data[(size_t)j * (size_t)n + (size_t)i] = tw_gan_col(real, j)[r];
    yb[i] = y[r];
  }
  free(idx);
  return st;
}

static tw_status bootstrap_r2(tw_gan_utility *u, const tw_gan_table *t, double *const *y, uint64_t seed) {
  int64_t n = u->rows[1];
  double *yb = malloc((size_t)(n + 1) * sizeof *yb);
  if (!yb) return TW_FAIL(TW_ERR_NOMEM, "out of memory: bootstrap of %lld twins", (long long)n);
  tw_status st = TW_OK;
  for (int k = 0; st == TW_OK && k < u->n_seeds; ++k) {
    tw_gan_table b = {0};
    int w;
    st = bootstrap_twins(&t[0], y[0], n, seed + (uint64_t)k, &b, yb);
    if (st == TW_OK) st = tw_gan_ridge_r2(&b, yb, &t[2], y[2], 1.0, &u->r2_bootstrap[k], &w);
    tw_gan_table_free(&b);
  }
  free(yb);
  return st;
}

/* R^2 on the holdout's twins (test, y_test) trained on the twins of one
** more trial file (a Gaussian copula's): *r2, and its twins with a value. */
static tw_status trial_r2(const char *path, const char *role, tw_gan_schema *sc, const tw_gan_utility_args *a,
                          const tw_gan_table *test, const double *y_test, char *arm_name, int64_t *rows, double *r2) {
  tw_gan_table t = {0};
  double *y = NULL;
  int w;
  tw_status st = read_trial(path, role, sc, a->endpoint, a->arm, &t, &y, arm_name, rows);
  if (st == TW_OK) st = tw_gan_ridge_r2(&t, y, test, y_test, 1.0, r2, &w);
  tw_gan_table_free(&t), free(y);
  return st;
}

/* The Gaussian copula's R^2, one per trial file of its draws. */
static tw_status copula_r2(const tw_gan_utility_args *a, tw_gan_schema *sc, const tw_gan_table *t, double *const *y,
                           tw_gan_utility *u) {
  if (!a->n_copula) return TW_OK;
  u->r2_copula = calloc((size_t)a->n_copula, sizeof *u->r2_copula);
  u->rows_copula = calloc((size_t)a->n_copula, sizeof *u->rows_copula);
  if (!u->r2_copula || !u->rows_copula) return TW_FAIL(TW_ERR_NOMEM, "out of memory: %d copula trials", a->n_copula);
  u->n_copula = a->n_copula;
  for (int k = 0; k < a->n_copula; ++k)
    TW_TRY(trial_r2(a->copula[k], "a Gaussian copula's trial", sc, a, &t[2], y[2], u->arm, &u->rows_copula[k],
                    &u->r2_copula[k]));
  return TW_OK;
}

static tw_status utility(const tw_gan_utility_args *a, tw_gan_schema *sc, tw_gan_table *t, double **y,
                         tw_gan_utility *u) {
  static const char *const roles[3] = {"the real trial", "the synthetic trial", "the holdout trial"};
  TW_TRY(tw_gan_schema_read(a->trials[0], sc));
  for (int i = 0; i < 3; ++i)
    TW_TRY(read_trial(a->trials[i], roles[i], sc, a->endpoint, a->arm, &t[i], &y[i], u->arm, &u->rows[i]));
  TW_TRY(tw_gan_ridge_r2(&t[0], y[0], &t[2], y[2], 1.0, &u->r2_real, &u->features));
  int w;
  TW_TRY(tw_gan_ridge_r2(&t[1], y[1], &t[2], y[2], 1.0, &u->r2_synthetic, &w));
  TW_TRY(copula_r2(a, sc, t, y, u));
  if (u->n_seeds && !(u->r2_bootstrap = calloc((size_t)u->n_seeds, sizeof(double))))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory: %d seeds", u->n_seeds);
  return bootstrap_r2(u, t, y, a->seed);
}

tw_status tw_gan_utility_run(const tw_gan_utility_args *a, tw_gan_utility *u) {
  memset(u, 0, sizeof *u);
  snprintf(u->endpoint, sizeof u->endpoint, "%s", a->endpoint);
  u->n_seeds = a->seeds;
  tw_gan_schema sc = {0};
  tw_gan_table t[3] = {{0}, {0}, {0}};
  double *y[3] = {NULL, NULL, NULL};
  tw_status st = utility(a, &sc, t, y, u);
  for (int i = 0; i < 3; ++i) tw_gan_table_free(&t[i]), free(y[i]);
  tw_gan_schema_free(&sc);
  if (st != TW_OK) tw_gan_utility_free(u);
  return st;
}

void tw_gan_utility_free(tw_gan_utility *u) {
  free(u->r2_bootstrap), free(u->r2_copula), free(u->rows_copula);
  u->r2_bootstrap = u->r2_copula = NULL, u->rows_copula = NULL;
}
