/*
** endpoints_math.h: the per-sample arithmetic of the streaming trial endpoints
** (docs/endpoints.md), as TW_HD functions so that the CPU accumulator
** (endpoints.c) and a later CUDA kernel update a twin with the same instructions.
**
** Everything here works on one twin at a time and touches only that twin's slots,
** so per-twin results cannot depend on how twins are chunked or threaded. The
** state lives in structure-of-arrays buffers owned by endpoints.c; these
** functions take the twin's scalars by pointer.
**
** Numerics (measured against validation/endpoints_reference.py in
** tests/trial/test_endpoints.c):
**   mean and variance: Welford's update (d = x - mean; mean += d/k;
**     m2 += d (x - mean')) with the mean kept as an unevaluated sum hi + lo
**     (TwoSum of each increment, renormalised). Plain Welford keeps the mean's
**     error a random walk (about eps |mean| sqrt(k/3)), but every later d carries
**     that absolute error, so sd loses digits as mean/sd grows: 1.07e-11
**     relative on the fixture's tiny_sd_at_300 trace (sd 1e-4 at 300 mg/dL),
**     against 1e-12 asked. With the compensated mean each d is correct to a few
**     eps of itself, so m2 is too, whatever mean/sd: sd within 1.3e-15 of
**     numpy on every fixture trace.
**   sums of risks and AUC segments: Neumaier's compensated summation, error
**     about 2 eps independent of the number of samples.
**   Kovatchev f: the C library's log and pow (double), about 1 ulp each.
*/
#ifndef TW_TRIAL_ENDPOINTS_MATH_H
#define TW_TRIAL_ENDPOINTS_MATH_H

#include <math.h> /* log, pow, fabs: host libm, CUDA device math under nvcc */

#include "core/defs.h" /* TW_HD, int64_t */

TW_EXTERN_C_BEGIN

/* Kinds of "percent of samples" endpoints; BETWEEN includes both ends. */
typedef enum tw_ep_threshold_kind {
  TW_EP_BELOW = 0,  /* v < lo */
  TW_EP_ABOVE = 1,  /* v > lo */
  TW_EP_BETWEEN = 2 /* lo <= v <= hi */
} tw_ep_threshold_kind;

/* One threshold: kind (tw_ep_threshold_kind) and its bounds, observable units. */
typedef struct tw_ep_bounds {
  int kind;
  double lo, hi; /* hi used by BETWEEN only */
} tw_ep_bounds;

/* 1 when v meets threshold b (a NaN never does). */
TW_HD int tw_ep_threshold_hit(tw_ep_bounds b, double v) {
  if (b.kind == TW_EP_BELOW) return v < b.lo;
  if (b.kind == TW_EP_ABOVE) return v > b.lo;
  return v >= b.lo && v <= b.hi;
}

/* Welford's update with sample x as the k-th (k >= 1): running mean hi + lo
** (lo the compensation, |lo| <= ulp(hi)/2) and sum of squared deviations m2.
** A non-finite x leaves hi, lo or m2 non-finite for good (NaN and inf - inf are
** sticky), which is how a failed twin is recognised. */
TW_HD void tw_ep_welford(double *hi, double *lo, double *m2, double x, double k) {
  const double d = (x - *hi) - *lo;
  const double inc = d / k, s = *hi + inc;
  const double bp = s - *hi, err = (*hi - (s - bp)) + (inc - bp); /* TwoSum: s + err = hi + inc */
  const double l = *lo + err, h = s + l;                          /* FastTwoSum renormalisation */
  *lo = l - (h - s);
  *hi = h;
  *m2 += d * ((x - *hi) - *lo);
}

/* Neumaier's compensated sum: s + c is the sum, c the running rounding error. */
TW_HD void tw_ep_neumaier(double *s, double *c, double x) {
  const double t = *s + x;
  if (fabs(*s) >= fabs(x))
    *c += (*s - t) + x;
  else
    *c += (x - t) + *s;
  *s = t;
}

/* Kovatchev's symmetrised blood glucose, f = 1.509 (ln(max(bg, 1))^1.084 - 5.381)
** (bg in mg/dL; clamped at 1 so the log is never negative). */
TW_HD double tw_ep_kovatchev_f(double bg) {
  const double b = bg > 1.0 ? bg : 1.0;
  return 1.509 * (pow(log(b), 1.084) - 5.381);
}

/* Low and high risk of one sample: 10 f^2 on the side where f lies, else 0. */
TW_HD double tw_ep_risk_low(double f) { return f < 0.0 ? 10.0 * f * f : 0.0; }
TW_HD double tw_ep_risk_high(double f) { return f > 0.0 ? 10.0 * f * f : 0.0; }

/* Area under a concentration segment from c0 to c1 over dt minutes, linear-up
** log-down: the log-trapezoid (c0 - c1) dt / ln(c0 / c1) only where the curve
** falls strictly and both ends are positive; otherwise (rising, flat, or a
** non-positive end, where the log form is 0/0 or undefined) the linear one. */
TW_HD double tw_ep_auc_segment(double c0, double c1, double dt) {
  if (c1 < c0 && c1 > 0.0) return (c0 - c1) * dt / log(c0 / c1);
  return 0.5 * (c0 + c1) * dt;
}

/* One twin's sample x, the k-th counted, into an observable's state: twin i of
** the (ld) Welford arrays and of the (n_thr, ld) threshold counts. */
TW_HD void tw_ep_obs_sample(double *TW_RESTRICT mean, double *TW_RESTRICT mean_lo,
                            double *TW_RESTRICT m2, int64_t *TW_RESTRICT count, int64_t ld,
                            int64_t i, const tw_ep_bounds *b, int n_thr, double x, double k) {
  tw_ep_welford(&mean[i], &mean_lo[i], &m2[i], x, k);
  for (int j = 0; j < n_thr; j++) count[j * ld + i] += tw_ep_threshold_hit(b[j], x);
}

/* The glucose-only part of one twin's sample bg (mg/dL) at window minute t:
** compensated sums of the low and high risks, and the first t below 54 mg/dL
** (first54 == 0 until then). */
TW_HD void tw_ep_bg_sample(double *rl, double *rl_c, double *rh, double *rh_c,
                           int64_t *first54, double bg, int64_t t) {
  const double f = tw_ep_kovatchev_f(bg);
  tw_ep_neumaier(rl, rl_c, tw_ep_risk_low(f));
  tw_ep_neumaier(rh, rh_c, tw_ep_risk_high(f));
  if (*first54 == 0 && bg < 54.0) *first54 = t;
}

/* One twin's concentration c, dt minutes after its previous sample *prev and
** since_dose minutes after the current interval's dose: the AUC segment into the
** compensated sum (auc, auc_c), and Cmax/Tmax (the first maximum is kept). */
TW_HD void tw_ep_pk_sample(double *cmax, double *tmax, double *auc, double *auc_c,
                           double *prev, double c, double dt, double since_dose) {
  tw_ep_neumaier(auc, auc_c, tw_ep_auc_segment(*prev, c, dt));
  if (c > *cmax) {
    *cmax = c;
    *tmax = since_dose;
  }
  *prev = c;
}

TW_EXTERN_C_END

#endif
