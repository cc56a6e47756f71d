/*
** stats_desc.c: descriptive statistics of one arm (n, mean, sd, median, q1, q3)
** as numpy computes them, and the small helpers the tests share (finite check,
** mean and variance, sorting, the reasons a statistic is not estimable).
**
** Why numpy's rules: the issue defines the summary as numpy's mean, std(ddof=1),
** median and percentile(method="linear"), so that a user can recompute them.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

const char *tw_stat_est_text(tw_stat_est e) {
  switch (e) {
  case TW_STAT_ESTIMABLE: return "estimable";
  case TW_STAT_TOO_FEW: return "not estimable: too few observations";
  case TW_STAT_ZERO_VARIANCE: return "not estimable: every value (difference) is equal, zero variance";
  case TW_STAT_ALL_ZERO: return "not estimable: every paired difference is zero";
  case TW_STAT_ALL_TIES: return "not estimable: every value is tied";
  case TW_STAT_NO_EVENTS: return "not estimable: no events (no discordant pairs, or an empty row or column)";
  case TW_STAT_SEPARATION: return "not estimable: every event in one group, the hazard ratio is 0 or infinite";
  }
  return "not estimable: unknown reason";
}

tw_status tw_stat_check_finite(const double *x, size_t n, const char *what) {
  if (n > 0 && !x) return TW_FAIL(TW_ERR_INPUT, "%s: NULL data for %zu values", what, n);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return TW_FAIL(TW_ERR_INPUT, "%s: value %zu is %g, not finite", what, i, x[i]);
  return TW_OK;
}

void tw_stat_mean_var(const double *x, size_t n, double *mean, double *var) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  const double m = n ? s / (double)n : NAN;
  double ss = 0, sc = 0; /* sum of squares and the rounding correction of the mean */
  for (size_t i = 0; i < n; i++) {
    ss += (x[i] - m) * (x[i] - m);
    sc += x[i] - m;
  }
  *mean = m;
  *var = n >= 2 ? (ss - sc * sc / (double)n) / (double)(n - 1) : NAN;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void tw_stat_sort(double *x, size_t n) { qsort(x, n, sizeof *x, cmp_double); }

/* numpy's _lerp: a + (b - a) t, or b - (b - a)(1 - t) when t >= 1/2. */
static double lerp(double a, double b, double t) {
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

double tw_stat_quantile_sorted(const double *sorted, size_t n, double prob) {
  /* numpy's virtual index for "linear" (alpha = beta = 1): n p + (1 - p) - 1 */
  const double virt = (double)n * prob + (1 + prob * (1 - 1 - 1)) - 1;
  const double lo = floor(virt);
  if (lo < 0) return sorted[0];
  if (lo >= (double)(n - 1)) return sorted[n - 1];
  const size_t i = (size_t)lo;
  return lerp(sorted[i], sorted[i + 1], virt - lo);
}

/* numpy.median: the middle value, or the mean of the two middle values. */
static double median_sorted(const double *s, size_t n) {
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

tw_status tw_stat_describe(const double *x, size_t n, tw_stat_summary *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "describe: NULL result");
  TW_TRY(tw_stat_check_finite(x, n, "describe"));
  *out = (tw_stat_summary){.n = n, .mean = NAN, .sd = NAN, .median = NAN, .q1 = NAN, .q3 = NAN,
                           .est = TW_STAT_TOO_FEW, .sd_est = TW_STAT_TOO_FEW};
  if (n == 0) return TW_OK;
  double *s = malloc(n * sizeof *s);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "describe: cannot allocate %zu values", n);
  memcpy(s, x, n * sizeof *s);
  tw_stat_sort(s, n);
  double var;
  tw_stat_mean_var(x, n, &out->mean, &var);
  out->median = median_sorted(s, n);
  out->q1 = tw_stat_quantile_sorted(s, n, 0.25);
  out->q3 = tw_stat_quantile_sorted(s, n, 0.75);
  free(s);
  out->est = TW_STAT_ESTIMABLE;
  if (n >= 2) {
    out->sd = sqrt(var);
    out->sd_est = TW_STAT_ESTIMABLE;
  }
  return TW_OK;
}
