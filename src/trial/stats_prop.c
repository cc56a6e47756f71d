/*
** stats_prop.c: proportions (responders): the Wilson score interval, Newcombe's
** hybrid score interval for a difference of two independent proportions, the
** exact McNemar test for paired (crossover) responders, and Fisher's exact test
** (two-sided) for a parallel 2x2 table.
**
** References (docs/statistics.md): statsmodels proportion_confint("wilson"),
** confint_proportions_2indep("newcomb"), mcnemar(exact=True); scipy fisher_exact.
*/
#include <math.h>
#include <stdlib.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

static double clip01(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }

/* The Wilson bounds of count/n (n > 0) for the critical value crit (statsmodels' formula). */
static void wilson_bounds(double count, double n, double crit, double *lo, double *hi) {
  const double q = count / n, crit2 = crit * crit;
  const double denom = 1 + crit2 / n;
  const double center = (q + crit2 / (2 * n)) / denom;
  const double dist = crit * sqrt(q * (1.0 - q) / n + crit2 / (4.0 * n * n)) / denom;
  *lo = clip01(center - dist);
  *hi = clip01(center + dist);
}

tw_status tw_stat_wilson(size_t count, size_t n, double level, tw_stat_interval *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "wilson: NULL result");
  TW_TRY(tw_stat_check_level(level, "wilson"));
  if (count > n) return TW_FAIL(TW_ERR_INPUT, "wilson: %zu responders out of %zu", count, n);
  *out = (tw_stat_interval){.estimate = NAN, .lo = NAN, .hi = NAN, .est = TW_STAT_TOO_FEW};
  if (n == 0) return TW_OK;
  double crit;
  TW_TRY(tw_norm_isf((1 - level) / 2, &crit));
  out->estimate = (double)count / (double)n;
  wilson_bounds((double)count, (double)n, crit, &out->lo, &out->hi);
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}

tw_status tw_stat_newcombe_diff(size_t count1, size_t n1, size_t count2, size_t n2, double level,
                                tw_stat_interval *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "newcombe: NULL result");
  tw_stat_interval w1, w2;
  TW_TRY(tw_stat_wilson(count1, n1, level, &w1));
  TW_TRY(tw_stat_wilson(count2, n2, level, &w2));
  *out = (tw_stat_interval){.estimate = NAN, .lo = NAN, .hi = NAN, .est = TW_STAT_TOO_FEW};
  if (w1.est != TW_STAT_ESTIMABLE || w2.est != TW_STAT_ESTIMABLE) return TW_OK;
  const double p1 = w1.estimate, p2 = w2.estimate, diff = p1 - p2;
  out->estimate = diff;
  out->lo = diff - sqrt((p1 - w1.lo) * (p1 - w1.lo) + (w2.hi - p2) * (w2.hi - p2));
  out->hi = diff + sqrt((p2 - w2.lo) * (p2 - w2.lo) + (w1.hi - p1) * (w1.hi - p1));
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}

tw_status tw_stat_mcnemar_exact(size_t b, size_t c, tw_stat_ptest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "mcnemar: NULL result");
  const size_t n = b + c, k = b < c ? b : c;
  *out = (tw_stat_ptest){.statistic = (double)k, .p_value = NAN, .est = TW_STAT_NO_EVENTS};
  if (n == 0) return TW_OK;
  /* binom.cdf(k, n, 1/2) = I_{1/2}(n - k, k + 1); k <= n/2 < n here */
  double cdf, cdf_c;
  TW_TRY(tw_beta_inc((double)(n - k), (double)k + 1, 0.5, &cdf, &cdf_c));
  out->p_value = 2 * cdf > 1 ? 1 : 2 * cdf;
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}

/* Hypergeometric weights w[x - lo] proportional to C(r1, x) C(r2, c1 - x) for
** x in [lo, hi], 1 at the mode, by the ratio of neighbours (no factorials). */
static void hypergeom_weights(double r1, double r2, double c1, size_t lo, size_t hi, size_t mode, double *w) {
  w[mode - lo] = 1;
  for (size_t x = mode; x < hi; x++) { /* w(x+1) / w(x) */
    const double xd = (double)x;
    w[x + 1 - lo] = w[x - lo] * (r1 - xd) * (c1 - xd) / ((xd + 1) * (r2 - c1 + xd + 1));
  }
  for (size_t x = mode; x > lo; x--) { /* w(x-1) / w(x) */
    const double xd = (double)x;
    w[x - 1 - lo] = w[x - lo] * xd * (r2 - c1 + xd) / ((r1 - xd + 1) * (c1 - xd + 1));
  }
}

tw_status tw_stat_fisher_exact(size_t a, size_t b, size_t c, size_t d, tw_stat_ptest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "fisher: NULL result");
  const size_t r1 = a + b, r2 = c + d, c1 = a + c, total = r1 + r2;
  *out = (tw_stat_ptest){.statistic = NAN, .p_value = NAN, .est = TW_STAT_NO_EVENTS};
  if (r1 == 0 || r2 == 0 || c1 == 0 || b + d == 0) return TW_OK;
  out->statistic = (b > 0 && c > 0) ? (double)a * (double)d / ((double)c * (double)b) : INFINITY;
  const size_t lo = c1 > r2 ? c1 - r2 : 0, hi = c1 < r1 ? c1 : r1;
  size_t mode = (size_t)((double)(c1 + 1) * (double)(r1 + 1) / (double)(total + 2)); /* scipy's */
  mode = mode < lo ? lo : (mode > hi ? hi : mode);
  double *w = malloc((hi - lo + 1) * sizeof *w);
  if (!w) return TW_FAIL(TW_ERR_NOMEM, "fisher: cannot allocate %zu weights", hi - lo + 1);
  hypergeom_weights((double)r1, (double)r2, (double)c1, lo, hi, mode, w);
  const double limit = w[a - lo] * (1 + 1e-14); /* scipy's relative tolerance */
  double sum = 0, tail = 0;
  for (size_t i = 0; i <= hi - lo; i++) {
    sum += w[i];
    if (w[i] <= limit) tail += w[i];
  }
  free(w);
  out->p_value = tail / sum > 1 ? 1 : tail / sum;
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}
