/*
** stats_surv.c: time to event: Kaplan-Meier with the median, the logrank test,
** and Cox proportional hazards (Efron's ties) for one binary covariate,
** optionally stratified, as lifelines computes them (docs/statistics.md).
**
** Why here: issue 8's time-to-event endpoints (time to bg < 54, censored at the
** trial's end) report per-arm medians, a logrank p-value and a hazard ratio.
** All three walk subjects sorted by time, grouped at tied times.
*/
#include <math.h>
#include <stdlib.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

static int cmp_subject(const void *a, const void *b) {
  const tw_stat_subject *p = a, *q = b;
  if (p->stratum != q->stratum) return (p->stratum > q->stratum) - (p->stratum < q->stratum);
  return (p->time > q->time) - (p->time < q->time);
}

tw_status tw_stat_sorted_subjects(const double *time, const unsigned char *event, const unsigned char *x,
                                 const size_t *stratum, size_t n, const char *what, tw_stat_subject **out) {
  if (n > 0 && !event) return TW_FAIL(TW_ERR_INPUT, "%s: NULL event indicators", what);
  TW_TRY(tw_stat_check_finite(time, n, what));
  tw_stat_subject *s = malloc((n ? n : 1) * sizeof *s);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "%s: cannot allocate %zu subjects", what, n);
  for (size_t i = 0; i < n; i++) {
    const unsigned char xi = x ? x[i] : 0;
    if (time[i] < 0 || event[i] > 1 || xi > 1) {
      free(s);
      return TW_FAIL(TW_ERR_INPUT, "%s: subject %zu has time %g, event %u, group %u (want time >= 0, 0/1, 0/1)",
                     what, i, time[i], event[i], xi);
    }
    s[i] = (tw_stat_subject){time[i], stratum ? stratum[i] : 0, event[i], xi};
  }
  qsort(s, n, sizeof *s, cmp_subject);
  *out = s;
  return TW_OK;
}

size_t tw_stat_tie_end(const tw_stat_subject *s, size_t i, size_t n) {
  size_t j = i + 1;
  while (j < n && s[j].time == s[i].time && s[j].stratum == s[i].stratum) j++;
  return j;
}

/* ---- Kaplan-Meier ------------------------------------------------------------ */

/* S(t) = 1/2 exactly (10 twins, 5 events) must count as reached; the float S
** lands an ulp either side (lifelines' does too, either way), so the median
** test allows 1e-12 relative above 1/2. */
#define KM_HALF_TOL 1e-12

tw_status tw_stat_kaplan_meier(const double *time, const unsigned char *event, size_t n, double *step_time,
                               double *step_surv, size_t *n_steps, tw_stat_km *out) {
  if (!out || (!step_time) != (!step_surv))
    return TW_FAIL(TW_ERR_INPUT, "kaplan-meier: NULL result, or only one of the step arrays");
  tw_stat_subject *s;
  TW_TRY(tw_stat_sorted_subjects(time, event, NULL, NULL, n, "kaplan-meier", &s));
  *out = (tw_stat_km){.n = n, .median = INFINITY, .est = n ? TW_STAT_ESTIMABLE : TW_STAT_TOO_FEW};
  double log_s = 0;
  size_t at_risk = n, steps = 0;
  for (size_t i = 0; i < n;) {
    const size_t j = tw_stat_tie_end(s, i, n);
    size_t d = 0;
    for (size_t k = i; k < j; k++) d += s[k].event;
    if (d > 0) {
      log_s += log((double)(at_risk - d)) - log((double)at_risk); /* lifelines' form, same rounding */
      const double surv = exp(log_s);
      if (!out->median_reached && surv <= 0.5 * (1 + KM_HALF_TOL)) {
        out->median = s[i].time;
        out->median_reached = 1;
      }
      if (step_time) step_time[steps] = s[i].time, step_surv[steps] = surv;
      steps++;
      out->events += d;
    }
    at_risk -= j - i;
    i = j;
  }
  free(s);
  if (n_steps) *n_steps = steps;
  return TW_OK;
}

/* ---- logrank ----------------------------------------------------------------- */

tw_status tw_stat_logrank(const double *time, const unsigned char *event, const unsigned char *group, size_t n,
                          tw_stat_ptest *out) {
  if (!out || (n > 0 && !group)) return TW_FAIL(TW_ERR_INPUT, "logrank: NULL result or groups");
  tw_stat_subject *s;
  TW_TRY(tw_stat_sorted_subjects(time, event, group, NULL, n, "logrank", &s));
  double risk[2] = {0, 0}, o_minus_e = 0, var = 0;
  size_t events = 0;
  for (size_t i = 0; i < n; i++) risk[s[i].x] += 1;
  for (size_t i = 0; i < n;) {
    const size_t j = tw_stat_tie_end(s, i, n);
    double d = 0, d1 = 0;
    for (size_t k = i; k < j; k++) d += s[k].event, d1 += s[k].event * s[k].x;
    const double nt = risk[0] + risk[1];
    if (d > 0) {
      o_minus_e += d1 - risk[1] * d / nt;
      const double f = nt > 1 ? (nt - d) / (nt - 1) : 1; /* lifelines replaces 0/0 by 1 */
      var += risk[0] * risk[1] * f * d / (nt * nt);
      events += (size_t)d;
    }
    for (size_t k = i; k < j; k++) risk[s[k].x] -= 1;
    i = j;
  }
  size_t n1 = 0;
  for (size_t i = 0; i < n; i++) n1 += s[i].x;
  free(s);
  *out = (tw_stat_ptest){.statistic = NAN, .p_value = NAN, .est = TW_STAT_ESTIMABLE};
  if (n1 == 0 || n1 == n) out->est = TW_STAT_TOO_FEW;
  else if (events == 0) out->est = TW_STAT_NO_EVENTS;
  else if (!(var > 0)) out->est = TW_STAT_ZERO_VARIANCE;
  if (out->est != TW_STAT_ESTIMABLE) return TW_OK;
  out->statistic = o_minus_e * o_minus_e / var;
  out->p_value = erfc(sqrt(0.5 * out->statistic)); /* chi2.sf(s, 1) = 2 norm.sf(sqrt(s)) */
  return TW_OK;
}
