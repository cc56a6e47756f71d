/*
** stats_ttest.c: what the paired and the Welch t tests share once they have an
** estimate, its standard error and degrees of freedom: t, the two-sided p-value
** 2 sf(|t|; df) (as scipy), and the CI estimate -/+ t_{(1+level)/2, df} se.
*/
#include <math.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

tw_status tw_stat_check_level(double level, const char *what) {
  if (!(level > 0 && level < 1)) return TW_FAIL(TW_ERR_INPUT, "%s: confidence level %g not in (0, 1)", what, level);
  return TW_OK;
}

tw_status tw_stat_t_finish(double estimate, double se, double df, double level, tw_stat_ttest *out) {
  TW_TRY(tw_stat_check_level(level, "t test"));
  double tq, sf;
  TW_TRY(tw_t_isf(0.5 * (1 - level), df, &tq));
  out->estimate = estimate;
  out->t = estimate / se;
  out->df = df;
  TW_TRY(tw_t_sf(fabs(out->t), df, &sf));
  out->p_value = 2 * sf;
  out->ci_lo = estimate - tq * se;
  out->ci_hi = estimate + tq * se;
  out->est = TW_STAT_ESTIMABLE;
  return TW_OK;
}

void tw_stat_t_not_estimable(tw_stat_ttest *out, double estimate, tw_stat_est est) {
  *out = (tw_stat_ttest){.estimate = estimate, .ci_lo = NAN, .ci_hi = NAN, .t = NAN, .df = NAN,
                         .p_value = NAN, .est = est};
}
