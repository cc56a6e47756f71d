/*
** baseline.c: the gan report's baselines (baseline.h): bootstrap rows and a
** Gaussian copula on each column's empirical distribution, any stretch of
** their rows (row i is a function of the seed and i, so `gan baseline`'s
** redraws continue the sequence the report draws from), and the real rows of
** one category that a conditioned baseline is fitted on.
**
** The copula's marginal of a column is its empirical distribution, kept as
** the sorted present values, their distinct values with cumulative counts, and
** the missing share, which takes the interval [0, p_miss) of u so that
** missingness is correlated with the other columns like any value. Why
** empirical marginals and SDV's uniform-interval treatment of categories:
** docs/gan.md "Baselines".
*/
#include <math.h>   /* isnan, floor, sqrt, NAN */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, calloc, free, strtod */
#include <string.h> /* strchr, strcmp */

#include "core/random.h" /* tw_rng, tw_normal_cdf, tw_normal_quantile, TW_RNG_GAN_BASELINE */
#include "gan/baseline.h"
#include "gan/combo.h" /* tw_gan_combo_find: the smoothed bootstrap's fixed columns */
#include "gan/metrics_internal.h"

enum { STREAM_BOOTSTRAP = 0, STREAM_FIT = 1, STREAM_SAMPLE = 2, STREAM_SMOOTHED = 4 }; /* 3: metrics_utility.c */

static tw_rng stream(uint64_t seed, int kind, int64_t row) {
  return tw_rng_make(seed, ((uint64_t)kind << 56) | (uint64_t)row, TW_RNG_GAN_BASELINE, 0);
}

const char *const tw_gan_baseline_names[TW_GAN_BASELINE_KINDS + 1] = {"gaussian_copula", "bootstrap",
                                                                      "smoothed_bootstrap", NULL};

const char *tw_gan_baseline_name(tw_gan_baseline_kind kind) { return tw_gan_baseline_names[kind]; }

/* A uniform row index of the real table. */
static int64_t pick_row(tw_rng *rng, int64_t n) {
  int64_t r = (int64_t)floor(tw_rng_uniform(rng) * (double)n);
  return r < n ? r : n - 1;
}

/* Bootstrap rows first, first + 1, ... into the out->n_rows rows of out. */
static void bootstrap_fill(const tw_gan_table *real, int64_t first, tw_gan_table *out, uint64_t seed) {
  const int64_t n_rows = out->n_rows;
  for (int64_t i = 0; i < n_rows; ++i) {
    tw_rng rng = stream(seed, STREAM_BOOTSTRAP, first + i);
    const int64_t r = pick_row(&rng, real->n_rows);
    for (int j = 0; j < real->schema->n_cols; ++j)
      out->data[(size_t)j * (size_t)n_rows + (size_t)i] = tw_gan_col(real, j)[r];
  }
}

tw_status tw_gan_bootstrap(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out) {
  TW_TRY(tw_gan_table_alloc(real->schema, n_rows, out));
  bootstrap_fill(real, 0, out, seed);
  return TW_OK;
}

/* A column's empirical distribution. */
typedef struct marginal {
  int discrete;
  double p_miss;  /* missing share of the real column */
  double *v;      /* (m) the present values, sorted */
  int64_t m;
  double *distinct; /* (k) distinct present values, ascending */
  int64_t *cum;     /* (k + 1) present values below distinct[i]; cum[k] = m */
  int64_t k;
} marginal;

static void marginal_free(marginal *g) { free(g->v), free(g->distinct), free(g->cum); }

static tw_status marginal_fit(const tw_gan_table *real, int j, marginal *g) {
  g->discrete = real->schema->cols[j].kind == TW_GAN_DISCRETE;
  TW_TRY(tw_gan_sorted_present(tw_gan_col(real, j), real->n_rows, &g->v, &g->m));
  g->p_miss = (double)(real->n_rows - g->m) / (double)real->n_rows;
  g->distinct = malloc((size_t)(g->m + 1) * sizeof *g->distinct);
  g->cum = malloc((size_t)(g->m + 2) * sizeof *g->cum);
  if (!g->distinct || !g->cum) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the copula's column %d", j);
  g->k = tw_gan_distinct(g->v, g->m, g->distinct, g->cum + 1); /* counts, made cumulative below */
  g->cum[0] = 0;
  for (int64_t i = 1; i <= g->k; ++i) g->cum[i] += g->cum[i - 1];
  return TW_OK;
}

/* u in [2^-53, 1 - 2^-53]: Phi^-1 finite. */
static double clamp_u(double u) {
  const double eps = 1.1102230246251565e-16;
  return u < eps ? eps : u > 1.0 - eps ? 1.0 - eps : u;
}

/* The cell's u: uniform (jitter U in (0, 1)) within its value's interval. */
static double encode(const marginal *g, double x, double U) {
  if (isnan(x)) return clamp_u(U * g->p_miss);
  int64_t i = tw_gan_lower_bound(g->distinct, g->k, x);
  double q = ((double)g->cum[i] + U * (double)(g->cum[i + 1] - g->cum[i])) / (double)g->m;
  return clamp_u(g->p_miss + (1.0 - g->p_miss) * q);
}

/* The category whose interval of counts holds t in [0, m]: the last i < k with cum[i] <= t. */
static double category_at(const marginal *g, double t) {
  int64_t lo = 0, hi = g->k - 1;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo + 1) / 2;
    if ((double)g->cum[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return g->distinct[lo];
}

/* The value at u: missing in [0, p_miss), else the inverse empirical distribution. */
static double decode(const marginal *g, double u) {
  if (g->m == 0 || u < g->p_miss) return NAN;
  double q = (u - g->p_miss) / (1.0 - g->p_miss);
  q = q < 0 ? 0 : q > 1 ? 1 : q;
  if (g->discrete) return category_at(g, q * (double)g->m);
  double t = q * (double)g->m - 0.5; /* Hazen's plotting positions: v[i] at (i + 0.5) / m */
  if (t <= 0) return g->v[0];
  int64_t lo = (int64_t)floor(t);
  if (lo >= g->m - 1) return g->v[g->m - 1];
  return g->v[lo] + (t - (double)lo) * (g->v[lo + 1] - g->v[lo]);
}

int tw_gan_cholesky_psd(int n, const double *a, double *L) {
  double dmax = 0;
  for (int i = 0; i < n; ++i) dmax = a[i * n + i] > dmax ? a[i * n + i] : dmax;
  const double tol = 1e-10 * dmax;
  int rank = 0;
  for (int i = 0; i < n * n; ++i) L[i] = 0;
  for (int j = 0; j < n; ++j) {
    double s = a[j * n + j];
    for (int k = 0; k < j; ++k) s -= L[j * n + k] * L[j * n + k];
    if (s <= tol) continue; /* column j stays zero */
    double d = sqrt(s);
    L[j * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double t = a[i * n + j];
      for (int k = 0; k < j; ++k) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / d;
    }
    ++rank;
  }
  return rank;
}

/* The normal scores of the real rows: z (n, c) row-major. */
static void normal_scores(const tw_gan_table *real, const marginal *g, uint64_t seed, double *z) {
  int c = real->schema->n_cols;
  for (int64_t i = 0; i < real->n_rows; ++i) {
    tw_rng rng = stream(seed, STREAM_FIT, i);
    for (int j = 0; j < c; ++j)
      z[(size_t)i * (size_t)c + (size_t)j] = tw_normal_quantile(encode(&g[j], tw_gan_col(real, j)[i], tw_rng_uniform(&rng)));
  }
}

/* R (c, c): the Pearson correlation of z's columns (1 on the diagonal; 0 against a constant column). */
static void correlation(const double *z, int64_t n, int c, double *mean, double *R) {
  for (int j = 0; j < c; ++j) mean[j] = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < c; ++j) mean[j] += z[(size_t)i * (size_t)c + (size_t)j];
  for (int j = 0; j < c; ++j) mean[j] /= (double)n;
  for (int a = 0; a < c * c; ++a) R[a] = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double *row = z + (size_t)i * (size_t)c;
    for (int a = 0; a < c; ++a)
      for (int b = 0; b <= a; ++b) R[a * c + b] += (row[a] - mean[a]) * (row[b] - mean[b]);
  }
  for (int a = 0; a < c; ++a)
    for (int b = 0; b < a; ++b) {
      double s = sqrt(R[a * c + a] * R[b * c + b]);
      R[a * c + b] = R[b * c + a] = s > 0 ? R[a * c + b] / s : 0.0;
    }
  for (int a = 0; a < c; ++a) R[a * c + a] = 1.0;
}

/* How the smoothed bootstrap treats a column. */
typedef enum smooth_mode { KEEP = 0, NOISE = 1, NOISE_LOG = 2, SWAP = 3 } smooth_mode;
typedef struct smooth_col {
  smooth_mode mode;
  double sd;     /* NOISE: of the values; NOISE_LOG: of their logs (population sd) */
  double lo, hi; /* the real [min, max] (of the logs for NOISE_LOG), where the noise is truncated */
} smooth_col;

/* A fitted baseline: the real rows and, for the copula, its marginals and
** the Cholesky factor of its correlation, for the smoothed bootstrap each
** column's treatment; fitted once, drawn from in any number of stretches. */
struct tw_gan_baseline {
  tw_gan_baseline_kind kind;
  const tw_gan_table *real;
  uint64_t seed;
  int c;        /* columns */
  marginal *g;  /* (c) the copula's marginals; NULL otherwise */
  double *L;    /* (c, c) the lower Cholesky factor of R */
  smooth_col *s; /* (c) the smoothed bootstrap's columns; NULL otherwise */
  tw_gan_smoothing smoothing;
};

void tw_gan_baseline_free(tw_gan_baseline *b) {
  if (!b) return;
  for (int j = 0; b->g && j < b->c; ++j) marginal_free(&b->g[j]);
  free(b->g), free(b->L), free(b->s), free(b);
}

/* The copula's fit: marginals, normal scores of the real rows (jittered by
** the seed), their correlation R, and L with L L^T = R. */
static tw_status copula_fit(tw_gan_baseline *b) {
  const tw_gan_table *real = b->real;
  const int c = b->c;
  const size_t cc = (size_t)c * (size_t)c;
  b->g = calloc((size_t)c, sizeof *b->g), b->L = malloc(cc * sizeof *b->L);
  double *z = malloc((size_t)real->n_rows * (size_t)c * sizeof *z), *R = malloc(cc * sizeof *R);
  double *mean = malloc((size_t)c * sizeof *mean);
  tw_status st = b->g && b->L && z && R && mean ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: a copula of %d columns", c);
  for (int j = 0; st == TW_OK && j < c; ++j) st = marginal_fit(real, j, &b->g[j]);
  if (st == TW_OK) {
    normal_scores(real, b->g, b->seed, z);
    correlation(z, real->n_rows, c, mean, R);
    tw_gan_cholesky_psd(c, R, b->L);
  }
  free(z), free(R), free(mean);
  return st;
}

/* ---- the smoothed bootstrap ---- */

/* Column j's treatment: a discrete column is swapped, a member of the
** combination kept, a continuous column with two or more distinct present
** values noised (in log space when they are all positive). */
static tw_status smooth_column(const tw_gan_table *real, const tw_gan_combo *combo, int j, smooth_col *sc) {
  *sc = (smooth_col){.mode = KEEP};
  if (real->schema->cols[j].kind == TW_GAN_DISCRETE) return sc->mode = SWAP, TW_OK;
  if (tw_gan_combo_role(combo, j)) return TW_OK;
  double *v;
  int64_t m;
  TW_TRY(tw_gan_sorted_present(tw_gan_col(real, j), real->n_rows, &v, &m));
  if (m >= 2 && v[0] < v[m - 1]) {
    sc->mode = v[0] > 0 ? NOISE_LOG : NOISE;
    sc->lo = sc->mode == NOISE_LOG ? log(v[0]) : v[0], sc->hi = sc->mode == NOISE_LOG ? log(v[m - 1]) : v[m - 1];
    double mean = 0, ss = 0;
    for (int64_t i = 0; i < m; ++i) mean += sc->mode == NOISE_LOG ? log(v[i]) : v[i];
    mean /= (double)m;
    for (int64_t i = 0; i < m; ++i) {
      double d = (sc->mode == NOISE_LOG ? log(v[i]) : v[i]) - mean;
      ss += d * d;
    }
    sc->sd = sqrt(ss / (double)m);
  }
  free(v);
  return TW_OK;
}

static tw_status smoothed_fit(tw_gan_baseline *b) {
  b->smoothing = TW_GAN_SMOOTHING_DEFAULT;
  if (!(b->s = calloc((size_t)b->c, sizeof *b->s)))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory: a smoothed bootstrap of %d columns", b->c);
  tw_gan_combo combo;
  TW_TRY(tw_gan_combo_find(b->real, b->real->n_rows / 2, &combo));
  tw_status st = TW_OK;
  for (int j = 0; st == TW_OK && j < b->c; ++j) st = smooth_column(b->real, &combo, j, &b->s[j]);
  tw_gan_combo_free(&combo);
  return st;
}

void tw_gan_baseline_smooth(tw_gan_baseline *b, tw_gan_smoothing s) { b->smoothing = s; }

/* t (in [lo, hi]) plus normal noise of sd s truncated to [lo, hi], by the
** inverse of the truncated distribution at w in (0, 1): no mass piles up at
** a bound (clipping would copy the real extremes, a real person's values,
** into every row noised past them). */
static double truncated_step(double t, double s, double lo, double hi, double w) {
  if (!(s > 0)) return t;
  const double a = tw_normal_cdf((lo - t) / s), b = tw_normal_cdf((hi - t) / s);
  const double y = t + s * tw_normal_quantile(a + w * (b - a));
  return y < lo ? lo : y > hi ? hi : y;
}

/* One cell: the picked row's value x of column j, smoothed with this
** column's three numbers (drawn whatever the treatment). */
static double smooth_cell(const tw_gan_baseline *b, int j, double x, tw_rng *rng) {
  const smooth_col *sc = &b->s[j];
  const double u = tw_rng_uniform(rng);
  const int64_t other = pick_row(rng, b->real->n_rows);
  const double w = tw_rng_uniform(rng);
  if (sc->mode == SWAP) return u < b->smoothing.swap ? tw_gan_col(b->real, j)[other] : x;
  if (sc->mode == KEEP || isnan(x)) return x;
  const double s = b->smoothing.bandwidth * sc->sd;
  if (sc->mode == NOISE) return truncated_step(x, s, sc->lo, sc->hi, w);
  return exp(truncated_step(log(x), s, sc->lo, sc->hi, w));
}

/* Smoothed bootstrap rows first, first + 1, ... into the out->n_rows rows of out. */
static void smoothed_fill(const tw_gan_baseline *b, int64_t first, tw_gan_table *out) {
  const int64_t n_rows = out->n_rows;
  for (int64_t i = 0; i < n_rows; ++i) {
    tw_rng rng = stream(b->seed, STREAM_SMOOTHED, first + i);
    const int64_t r = pick_row(&rng, b->real->n_rows);
    for (int j = 0; j < b->c; ++j)
      out->data[(size_t)j * (size_t)n_rows + (size_t)i] = smooth_cell(b, j, tw_gan_col(b->real, j)[r], &rng);
  }
}

tw_status tw_gan_baseline_fit(tw_gan_baseline_kind kind, const tw_gan_table *real, uint64_t seed,
                              tw_gan_baseline **out) {
  tw_gan_baseline *b = calloc(1, sizeof *b);
  if (!b) return TW_FAIL(TW_ERR_NOMEM, "out of memory: a baseline");
  *b = (tw_gan_baseline){.kind = kind, .real = real, .seed = seed, .c = real->schema->n_cols};
  tw_status st = kind == TW_GAN_BASELINE_COPULA ? copula_fit(b) : kind == TW_GAN_BASELINE_SMOOTHED ? smoothed_fit(b) : TW_OK;
  if (st != TW_OK) tw_gan_baseline_free(b), b = NULL;
  *out = b;
  return st;
}

/* Copula rows first, first + 1, ... into the out->n_rows rows of out. */
static tw_status copula_sample(const tw_gan_baseline *b, int64_t first, tw_gan_table *out) {
  const int c = b->c;
  const int64_t n_rows = out->n_rows;
  double *e = malloc((size_t)c * sizeof *e);
  if (!e) return TW_FAIL(TW_ERR_NOMEM, "out of memory: a copula of %d columns", c);
  for (int64_t i = 0; i < n_rows; ++i) {
    tw_rng rng = stream(b->seed, STREAM_SAMPLE, first + i);
    for (int j = 0; j < c; ++j) e[j] = tw_rng_normal(&rng);
    for (int j = 0; j < c; ++j) {
      double z = 0;
      for (int k = 0; k <= j; ++k) z += b->L[j * c + k] * e[k];
      out->data[(size_t)j * (size_t)n_rows + (size_t)i] = decode(&b->g[j], tw_normal_cdf(z));
    }
  }
  free(e);
  return TW_OK;
}

tw_status tw_gan_baseline_fill(const tw_gan_baseline *b, int64_t first_row, tw_gan_table *out) {
  if (b->kind == TW_GAN_BASELINE_COPULA) return copula_sample(b, first_row, out);
  if (b->kind == TW_GAN_BASELINE_SMOOTHED) smoothed_fill(b, first_row, out);
  else bootstrap_fill(b->real, first_row, out, b->seed);
  return TW_OK;
}

tw_status tw_gan_baseline_draw(tw_gan_baseline_kind kind, const tw_gan_table *real, int64_t n_rows, uint64_t seed,
                               tw_gan_table *out) {
  tw_gan_baseline *b = NULL;
  TW_TRY(tw_gan_baseline_fit(kind, real, seed, &b));
  tw_status st = tw_gan_table_alloc(real->schema, n_rows, out);
  if (st == TW_OK) st = tw_gan_baseline_fill(b, 0, out);
  if (st != TW_OK) tw_gan_table_free(out);
  tw_gan_baseline_free(b);
  return st;
}

tw_status tw_gan_copula(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out) {
  return tw_gan_baseline_draw(TW_GAN_BASELINE_COPULA, real, n_rows, seed, out);
}

/* ---- a conditioned baseline: the real rows of one category ---- */

/* The discrete column named `name` of t, or -1. */
static int discrete_column(const tw_gan_table *t, const char *name) {
  for (int j = 0; j < t->schema->n_cols; ++j)
    if (!strcmp(t->schema->cols[j].name, name) && t->schema->cols[j].kind == TW_GAN_DISCRETE) return j;
  return -1;
}

/* Does a cell of column c hold `value` (a string column's label, else the number)? */
static int cell_is(const tw_gan_column *c, double cell, const char *value) {
  if (c->strings) return !isnan(cell) && !strcmp(c->labels[(int64_t)cell], value);
  char *end;
  double v = strtod(value, &end);
  return *value && !*end && cell == v;
}

/* Copies the rows of t whose column j holds `value` (m of them) into out. */
static tw_status keep_rows(const tw_gan_table *t, int j, const char *value, int64_t m, tw_gan_table *out) {
  TW_TRY(tw_gan_table_alloc(t->schema, m, out));
  const tw_gan_column *c = &t->schema->cols[j];
  for (int64_t i = 0, k = 0; i < t->n_rows; ++i) {
    if (!cell_is(c, tw_gan_col(t, j)[i], value)) continue;
    for (int q = 0; q < t->schema->n_cols; ++q) out->data[(size_t)q * (size_t)m + (size_t)k] = tw_gan_col(t, q)[i];
    ++k;
  }
  return TW_OK;
}

tw_status tw_gan_baseline_restrict(const tw_gan_table *real, const char *condition, const char *path,
                                   tw_gan_table *out) {
  const char *eq = strchr(condition, '=');
  if (!eq || eq == condition) return TW_FAIL(TW_ERR_INPUT, "--condition %s: expected NAME=VALUE", condition);
  char name[256];
  snprintf(name, sizeof name, "%.*s", (int)(eq - condition), condition);
  int j = discrete_column(real, name);
  if (j < 0)
    return TW_FAIL(TW_ERR_INPUT, "--condition %s: %s has no discrete column %s (a condition names a covariate, "
                   "parameter or condition of integers or strings)", condition, path, name);
  int64_t m = 0;
  for (int64_t i = 0; i < real->n_rows; ++i) m += cell_is(&real->schema->cols[j], tw_gan_col(real, j)[i], eq + 1);
  if (!m) return TW_FAIL(TW_ERR_INPUT, "--condition %s: no row of %s has %s = %s", condition, path, name, eq + 1);
  return keep_rows(real, j, eq + 1, m, out);
}
