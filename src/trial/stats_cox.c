/*
** stats_cox.c: Cox proportional hazards for one binary covariate (the arm) with
** Efron's handling of tied event times, optionally stratified (a crossover
** stratifies by twin), fitted by Newton-Raphson: the hazard ratio with its CI
** and Wald p-value, as lifelines' CoxPHFitter (docs/statistics.md).
**
** Efron's log partial likelihood, per stratum and distinct event time with d
** events D among the risk set R (w = exp(beta x)):
**   l = sum [ beta sum_D x - sum_{k<d} ln(S0 - k/d T0) ],  S_r = sum_R w x^r,
**   T_r = sum_D w x^r; U = dl/dbeta, I = -d2l/dbeta2 follow term by term.
*/
#include <math.h>
#include <stdlib.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

#define COX_MAXIT 100
#define COX_MAXSTEP 2.0

/* The first of the sorted subjects before `end` that share its stratum and time. */
static size_t tie_start(const tw_stat_subject *s, size_t end) {
  size_t start = end - 1;
  while (start > 0 && s[start - 1].time == s[end - 1].time && s[start - 1].stratum == s[end - 1].stratum) start--;
  return start;
}

/* Whether the group ending at `end` is the latest of its stratum. */
static int stratum_last(const tw_stat_subject *s, size_t end, size_t n) {
  return end == n || s[end].stratum != s[end - 1].stratum;
}

/* A compensated (Neumaier) sum: U adds up ~n terms that cancel, and plain
** summation left Newton's step at a rounding-noise floor above 1e-14 (n = 16,000). */
typedef struct ksum {
  double s, c;
} ksum;

static void ksum_add(ksum *k, double v) {
  const double t = k->s + v;
  k->c += fabs(k->s) >= fabs(v) ? (k->s - t) + v : (v - t) + k->s;
  k->s = t;
}

/* Score U and information I at beta over all strata (subjects sorted by stratum, time). */
static void cox_score(const tw_stat_subject *s, size_t n, double beta, double *u, double *info) {
  ksum U = {0, 0}, I = {0, 0};
  double S0 = 0, S1 = 0;
  /* walk each stratum from its latest time down, so that the risk sums grow */
  for (size_t end = n; end > 0;) {
    const size_t start = tie_start(s, end);
    if (stratum_last(s, end, n)) S0 = S1 = 0; /* a new stratum */
    double T0 = 0, T1 = 0, dx = 0, d = 0;
    for (size_t k = start; k < end; k++) {
      const double x = s[k].x, w = exp(beta * x);
      S0 += w, S1 += w * x;
      if (s[k].event) T0 += w, T1 += w * x, dx += x, d += 1;
    }
    ksum_add(&U, dx);
    for (double k = 0; k < d; k += 1) {
      const double f = k / d, s0 = S0 - f * T0, m = (S1 - f * T1) / s0; /* x^2 = x: S2 = S1 */
      ksum_add(&U, -m);
      ksum_add(&I, m - m * m);
    }
    end = start;
  }
  *u = U.s + U.c;
  *info = I.s + I.c;
}

/* Whether a finite maximum exists: some x = 0 event while an x = 1 subject is
** at risk, and some x = 1 event while an x = 0 subject is at risk (same stratum).
** Also counts the events. */
static int cox_finite(const tw_stat_subject *s, size_t n, size_t *events) {
  int pos = 0, neg = 0;
  size_t risk[2] = {0, 0};
  *events = 0;
  for (size_t end = n; end > 0;) {
    const size_t start = tie_start(s, end);
    if (stratum_last(s, end, n)) risk[0] = risk[1] = 0;
    for (size_t k = start; k < end; k++) risk[s[k].x]++;
    for (size_t k = start; k < end; k++) {
      if (!s[k].event) continue;
      (*events)++;
      if (s[k].x == 0 && risk[1] > 0) neg = 1;
      if (s[k].x == 1 && risk[0] > 0) pos = 1;
    }
    end = start;
  }
  return pos && neg;
}

/* Newton-Raphson from beta = 0. Converged when the step falls below 1e-14
** (1 + |beta|), or, once below 1e-9, stops halving (quadratic convergence has
** reached the rounding noise of U). */
static tw_status cox_newton(const tw_stat_subject *s, size_t n, tw_stat_cox *out) {
  double beta = 0, u, info, prev = INFINITY;
  for (int it = 1; it <= COX_MAXIT; it++) {
    cox_score(s, n, beta, &u, &info);
    if (!(info > 0)) return TW_FAIL(TW_ERR_NUMERIC, "cox: information %g at beta %g is not positive", info, beta);
    double step = u / info;
    if (fabs(step) > COX_MAXSTEP) step = copysign(COX_MAXSTEP, step); /* no overshoot far from the maximum */
    beta += step;
    out->iterations = it;
    const int floor_reached = fabs(step) < 1e-9 && fabs(step) > 0.5 * prev;
    prev = fabs(step);
    if (fabs(step) <= 1e-14 * (1 + fabs(beta)) || floor_reached) {
      cox_score(s, n, beta, &u, &info);
      out->beta = beta;
      out->se = 1 / sqrt(info);
      return TW_OK;
    }
  }
  return TW_FAIL(TW_ERR_NUMERIC, "cox: Newton-Raphson did not converge in %d steps (beta %g)", COX_MAXIT, beta);
}

tw_status tw_stat_cox_efron(const double *time, const unsigned char *event, const unsigned char *x,
                            const size_t *stratum, size_t n, double level, tw_stat_cox *out) {
  if (!out || (n > 0 && !x)) return TW_FAIL(TW_ERR_INPUT, "cox: NULL result or covariate");
  TW_TRY(tw_stat_check_level(level, "cox"));
  tw_stat_subject *s;
  TW_TRY(tw_stat_sorted_subjects(time, event, x, stratum, n, "cox", &s));
  *out = (tw_stat_cox){.beta = NAN, .se = NAN, .hazard_ratio = NAN, .hr_lo = NAN, .hr_hi = NAN, .z = NAN,
                       .p_value = NAN, .est = TW_STAT_ESTIMABLE};
  size_t n1 = 0, events;
  for (size_t i = 0; i < n; i++) n1 += s[i].x;
  const int finite = cox_finite(s, n, &events);
  if (n1 == 0 || n1 == n) out->est = TW_STAT_TOO_FEW;
  else if (events == 0) out->est = TW_STAT_NO_EVENTS;
  else if (!finite) out->est = TW_STAT_SEPARATION;
  tw_status st = out->est == TW_STAT_ESTIMABLE ? cox_newton(s, n, out) : TW_OK;
  free(s);
  if (st != TW_OK || out->est != TW_STAT_ESTIMABLE) return st;
  double crit;
  TW_TRY(tw_norm_isf((1 - level) / 2, &crit));
  out->hazard_ratio = exp(out->beta);
  out->hr_lo = exp(out->beta - crit * out->se);
  out->hr_hi = exp(out->beta + crit * out->se);
  out->z = out->beta / out->se;
  out->p_value = erfc(fabs(out->z) * 0.70710678118654752440); /* chi2.sf(z^2, 1) */
  return TW_OK;
}
