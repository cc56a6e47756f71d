/*
** stats_paired.c: the crossover comparisons, on paired differences d = x - y:
** the paired t test with its CI (scipy.stats.ttest_rel) and the Wilcoxon
** signed-rank test (scipy.stats.wilcoxon, zero_method="wilcox", no continuity
** correction, normal approximation with the tie-corrected variance).
*/
#include <math.h>
#include <stdlib.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

static tw_status paired_diff(const double *x, const double *y, size_t n, const char *what, double **d) {
  TW_TRY(tw_stat_check_finite(x, n, what));
  TW_TRY(tw_stat_check_finite(y, n, what));
  *d = malloc((n ? n : 1) * sizeof **d);
  if (!*d) return TW_FAIL(TW_ERR_NOMEM, "%s: cannot allocate %zu differences", what, n);
  for (size_t i = 0; i < n; i++) (*d)[i] = x[i] - y[i];
  return TW_OK;
}

static int all_equal(const double *d, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (d[i] != d[0]) return 0;
  return 1;
}

tw_status tw_stat_paired_t(const double *x, const double *y, size_t n, double level, tw_stat_ttest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "paired t: NULL result");
  TW_TRY(tw_stat_check_level(level, "paired t"));
  double *d, mean, var;
  TW_TRY(paired_diff(x, y, n, "paired t", &d));
  tw_stat_mean_var(d, n, &mean, &var);
  const int constant = all_equal(d, n);
  free(d);
  if (n < 2) {
    tw_stat_t_not_estimable(out, mean, TW_STAT_TOO_FEW);
    return TW_OK;
  }
  if (constant) {
    tw_stat_t_not_estimable(out, mean, TW_STAT_ZERO_VARIANCE);
    return TW_OK;
  }
  return tw_stat_t_finish(mean, sqrt(var / (double)n), (double)(n - 1), level, out);
}

/* R+ and R- of the non-zero differences among d[0..n) (compacted in place),
** their count and the tie term of |d|. */
static tw_status signed_ranks(double *d, size_t n, double *r_plus, double *r_minus, size_t *count,
                              double *ties) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (d[i] != 0) d[m++] = d[i];
  double *a = malloc((m ? m : 1) * 2 * sizeof *a);
  if (!a) return TW_FAIL(TW_ERR_NOMEM, "wilcoxon: cannot allocate %zu ranks", m);
  double *rank = a + m;
  for (size_t i = 0; i < m; i++) a[i] = fabs(d[i]);
  tw_status st = tw_stat_rank(a, m, rank, ties);
  *r_plus = *r_minus = 0;
  for (size_t i = 0; i < m && st == TW_OK; i++) *(d[i] > 0 ? r_plus : r_minus) += rank[i];
  free(a);
  *count = m;
  return st;
}

tw_status tw_stat_wilcoxon(const double *x, const double *y, size_t n, tw_stat_ranktest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "wilcoxon: NULL result");
  double *d, rp = 0, rm = 0, ties = 0;
  size_t m = 0;
  TW_TRY(paired_diff(x, y, n, "wilcoxon", &d));
  tw_status st = signed_ranks(d, n, &rp, &rm, &m, &ties);
  free(d);
  TW_TRY(st);
  *out = (tw_stat_ranktest){.statistic = NAN, .z = NAN, .p_value = NAN, .n_used = m, .est = TW_STAT_ALL_ZERO};
  if (m == 0) return TW_OK;
  const double c = (double)m, T = rp < rm ? rp : rm;
  const double mn = c * (c + 1) * 0.25;
  /* scipy subtracts 0.5 sum(t (t^2 - 1)) from n(n+1)(2n+1), then divides by 24 */
  const double se = sqrt((c * (c + 1) * (2 * c + 1) - 0.5 * ties) / 24);
  out->statistic = T;
  out->z = (T - mn) / se;
  out->p_value = 2 * tw_norm_sf(fabs(out->z));
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}
