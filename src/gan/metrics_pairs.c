/*
** metrics_pairs.c: SDMetrics' column-pair metrics as the QualityReport's
** Column Pair Trends calls them (metrics.h): CorrelationSimilarity (Pearson)
** with the real-correlation threshold, ContingencySimilarity with the
** real-association threshold (Cramer's V as scipy.stats.contingency.association
** computes it), and the binning of continuous columns in mixed pairs
** (numpy.histogram_bin_edges then numpy.digitize, each table on its own edges).
*/
#include <math.h>   /* fabs, sqrt, isnan, isfinite, NAN */
#include <stdlib.h> /* malloc, free, qsort */

#include "gan/metrics.h"
#include "gan/metrics_internal.h"

/* pandas' nunique() == 1: exactly one distinct non-missing value. */
static int constant_column(const double *x, int64_t n) {
  int64_t i = 0;
  while (i < n && isnan(x[i])) ++i;
  if (i == n) return 0;
  for (int64_t k = i + 1; k < n; ++k)
    if (!isnan(x[k]) && x[k] != x[i]) return 0;
  return 1;
}

/* Pearson's r over the rows where both are present; NaN for fewer than 2
** such rows or a constant one (scipy.stats.pearsonr's NaN or error). */
static double pearson(const double *x, const double *y, int64_t n) {
  double sx = 0, sy = 0;
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!isnan(x[i]) && !isnan(y[i])) sx += x[i], sy += y[i], ++m;
  if (m < 2) return NAN;
  double mx = sx / (double)m, my = sy / (double)m, sxx = 0, syy = 0, sxy = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(x[i]) || isnan(y[i])) continue;
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  if (sxx == 0 || syy == 0) return NAN;
  double r = sxy / (sqrt(sxx) * sqrt(syy));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

tw_status tw_gan_correlation_similarity(const double *rx, const double *ry, int64_t nr, const double *sx,
                                        const double *sy, int64_t ns, double threshold, tw_gan_pair *out) {
  out->score = out->real_stat = NAN;
  if (constant_column(rx, nr) || constant_column(ry, nr) || constant_column(sx, ns) || constant_column(sy, ns))
    return TW_OK; /* SDMetrics raises ConstantInputError: a NaN score */
  double r_real = pearson(rx, ry, nr);
  out->real_stat = r_real;
  if (isnan(r_real) || fabs(r_real) <= threshold) return TW_OK;
  double r_syn = pearson(sx, sy, ns);
  if (!isnan(r_syn)) out->score = 1.0 - fabs(r_real - r_syn) / 2.0;
  return TW_OK;
}

typedef struct cell {
  double a, b;
} cell;

static int cmp_cell(const void *p, const void *q) {
  const cell *x = p, *y = q;
  int c = (x->a > y->a) - (x->a < y->a);
  return c ? c : (x->b > y->b) - (x->b < y->b);
}

/* The cells (a_i, b_i), sorted, with runs of equal cells collapsed: *k cells
** in c, their counts in cnt. c and cnt have room for n. */
static void count_cells(const double *a, const double *b, int64_t n, cell *c, int64_t *cnt, int64_t *k) {
  for (int64_t i = 0; i < n; ++i) c[i] = (cell){a[i], b[i]};
  qsort(c, (size_t)n, sizeof *c, cmp_cell);
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (m && !cmp_cell(&c[i], &c[m - 1])) {
      ++cnt[m - 1];
    } else {
      c[m] = c[i];
      cnt[m++] = 1;
    }
  }
  *k = m;
}

/* Cramer's V of the real table (cells c, counts cnt, k of them, n rows):
** sqrt(chi2 / n / min(rows - 1, cols - 1)), chi2 without continuity
** correction; NaN for fewer than 2 rows or columns. bv, bc: scratch (k). */
static double cramers_v(const cell *c, const int64_t *cnt, int64_t k, int64_t n, double *bv, int64_t *bc) {
  for (int64_t i = 0; i < k; ++i) bv[i] = c[i].b;
  qsort(bv, (size_t)k, sizeof *bv, tw_gan_cmp_double);
  int64_t cols = tw_gan_distinct(bv, k, bv, bc), rows = 0;
  for (int64_t j = 0; j < cols; ++j) bc[j] = 0;
  for (int64_t i = 0; i < k; ++i) {
    bc[tw_gan_lower_bound(bv, cols, c[i].b)] += cnt[i];
    rows += !i || c[i].a != c[i - 1].a;
  }
  if (rows < 2 || cols < 2) return NAN;
  double chi2 = 0, expected_seen = 0, N = (double)n;
  int64_t row = 0;
  for (int64_t i = 0; i < k; ++i) {
    if (!i || c[i].a != c[i - 1].a) {
      row = 0;
      for (int64_t q = i; q < k && c[q].a == c[i].a; ++q) row += cnt[q];
    }
    double e = (double)row * (double)bc[tw_gan_lower_bound(bv, cols, c[i].b)] / N, d = (double)cnt[i] - e;
    chi2 += d * d / e;
    expected_seen += e;
  }
  chi2 += N - expected_seen; /* the empty cells: (0 - e)^2 / e = e each */
  int64_t m = (rows < cols ? rows : cols) - 1;
  return sqrt(chi2 / N / (double)m);
}

/* 1 - (1/2) sum over the union of cells of |p_real - p_syn|. */
static double contingency_score(const cell *rc, const int64_t *rn, int64_t kr, int64_t nr, const cell *sc,
                                const int64_t *sn, int64_t ks, int64_t ns) {
  double sum = 0;
  int64_t i = 0, j = 0;
  while (i < kr || j < ks) {
    int c = i == kr ? 1 : j == ks ? -1 : cmp_cell(&rc[i], &sc[j]);
    double pr = c <= 0 ? (double)rn[i] / (double)nr : 0.0;
    double ps = c >= 0 ? (double)sn[j] / (double)ns : 0.0;
    sum += fabs(pr - ps) / 2.0;
    i += c <= 0;
    j += c >= 0;
  }
  return 1.0 - sum;
}

tw_status tw_gan_contingency_similarity(const double *ra, const double *rb, int64_t nr, const double *sa,
                                        const double *sb, int64_t ns, double threshold, tw_gan_pair *out) {
  out->score = out->real_stat = NAN;
  int64_t n = nr + ns, kr, ks;
  cell *c = malloc((size_t)(n + 1) * sizeof *c);
  int64_t *cnt = malloc((size_t)(n + 1) * sizeof *cnt), *bc = malloc((size_t)(nr + 1) * sizeof *bc);
  double *bv = malloc((size_t)(nr + 1) * sizeof *bv);
  tw_status st = TW_OK;
  if (!c || !cnt || !bc || !bv) {
    st = TW_FAIL(TW_ERR_NOMEM, "out of memory: a contingency table of %lld rows", (long long)n);
  } else {
    count_cells(ra, rb, nr, c, cnt, &kr);
    out->real_stat = cramers_v(c, cnt, kr, nr, bv, bc);
    if (threshold <= 0 || (!isnan(out->real_stat) && out->real_stat > threshold)) {
      count_cells(sa, sb, ns, c + kr, cnt + kr, &ks);
      out->score = contingency_score(c, cnt, kr, nr, c + kr, cnt + kr, ks, ns);
    }
  }
  free(c), free(cnt), free(bc), free(bv);
  return st;
}

int tw_gan_digitize(const double *x, int64_t n, double *codes) {
  double lo = NAN, hi = NAN;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(x[i])) continue;
    if (isnan(lo) || x[i] < lo) lo = x[i];
    if (isnan(hi) || x[i] > hi) hi = x[i];
  }
  if (isnan(lo)) lo = 0, hi = 1; /* histogram_bin_edges of nothing: range (0, 1) */
  if (!isfinite(lo) || !isfinite(hi)) return 0;
  if (lo == hi) lo -= 0.5, hi += 0.5;
  double edges[11], delta = hi - lo, step = delta / 10.0;
  for (int i = 0; i < 10; ++i) {
    volatile double p = step == 0 ? (double)i / 10.0 * delta : (double)i * step; /* linspace: no fused multiply-add */
    edges[i] = p + lo;
  }
  edges[10] = hi;
  for (int64_t i = 0; i < n; ++i) {
    int k = 0;
    if (isnan(x[i])) k = 11;
    else
      while (k < 11 && edges[k] <= x[i]) ++k;
    codes[i] = (double)k;
  }
  return 1;
}
