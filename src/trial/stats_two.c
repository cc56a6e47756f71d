/*
** stats_two.c: the parallel-design comparisons of two independent samples:
** Welch's t test with the Welch-Satterthwaite CI (scipy.stats.ttest_ind,
** equal_var=False) and the Mann-Whitney U test (scipy.stats.mannwhitneyu,
** continuity correction, two-sided, normal approximation with the tie correction).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

tw_status tw_stat_welch_t(const double *x, size_t nx, const double *y, size_t ny, double level,
                          tw_stat_ttest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "welch t: NULL result");
  TW_TRY(tw_stat_check_level(level, "welch t"));
  TW_TRY(tw_stat_check_finite(x, nx, "welch t"));
  TW_TRY(tw_stat_check_finite(y, ny, "welch t"));
  double mx, vx, my, vy;
  tw_stat_mean_var(x, nx, &mx, &vx);
  tw_stat_mean_var(y, ny, &my, &vy);
  const double diff = mx - my; /* NaN when a sample is empty */
  if (nx < 2 || ny < 2) {
    tw_stat_t_not_estimable(out, diff, TW_STAT_TOO_FEW);
    return TW_OK;
  }
  const double v1 = vx / (double)nx, v2 = vy / (double)ny;
  if (v1 + v2 == 0) {
    tw_stat_t_not_estimable(out, diff, TW_STAT_ZERO_VARIANCE);
    return TW_OK;
  }
  const double df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (double)(nx - 1) + v2 * v2 / (double)(ny - 1));
  return tw_stat_t_finish(diff, sqrt(v1 + v2), df, level, out);
}

tw_status tw_stat_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, tw_stat_ranktest *out) {
  if (!out) return TW_FAIL(TW_ERR_INPUT, "mann-whitney: NULL result");
  TW_TRY(tw_stat_check_finite(x, nx, "mann-whitney"));
  TW_TRY(tw_stat_check_finite(y, ny, "mann-whitney"));
  const size_t n = nx + ny;
  *out = (tw_stat_ranktest){.statistic = NAN, .z = NAN, .p_value = NAN, .n_used = n, .est = TW_STAT_TOO_FEW};
  if (nx == 0 || ny == 0) return TW_OK;
  double *xy = malloc(2 * n * sizeof *xy), ties;
  if (!xy) return TW_FAIL(TW_ERR_NOMEM, "mann-whitney: cannot allocate %zu values", n);
  double *rank = xy + n;
  memcpy(xy, x, nx * sizeof *xy);
  memcpy(xy + nx, y, ny * sizeof *xy);
  tw_status st = tw_stat_rank(xy, n, rank, &ties);
  double r1 = 0;
  for (size_t i = 0; i < nx; i++) r1 += rank[i];
  free(xy);
  TW_TRY(st);
  const double n1 = (double)nx, n2 = (double)ny, nn = (double)n;
  const double u1 = r1 - n1 * (n1 + 1) / 2, u2 = n1 * n2 - u1, u = u1 > u2 ? u1 : u2;
  const double s = sqrt(n1 * n2 / 12 * ((nn + 1) - ties / (nn * (nn - 1))));
  out->statistic = u1;
  if (!(s > 0)) {
    out->est = TW_STAT_ALL_TIES;
    return TW_OK;
  }
  out->z = (u - n1 * n2 / 2 - 0.5) / s;
  const double p = 2 * tw_norm_sf(out->z);
  out->p_value = p > 1 ? 1 : (p < 0 ? 0 : p);
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}
