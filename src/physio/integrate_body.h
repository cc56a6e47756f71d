/*
** integrate_body.h: RK4 and Dormand-Prince 5(4) for one twin over one minute,
** instantiated for a given real type, state count and right-hand side.
**
** Include it after defining TW_INT_RK4, TW_INT_DOPRI5 (the two function names), TW_INT_REAL, TW_INT_NMAX, TW_INT_CTX
** and TW_INT_RHS (see integrate.h); it may be included several times. No include
** guard on purpose.
*/
#include "physio/integrate.h" /* the tableau, tw_dp_step_factor, flags */

/* Steps within a minute add increments far smaller than the state (float32 PBPK
** needs ~32 steps a minute in lung and arterial blood): each addition is
** compensated (Kahan), so the minute's result carries one rounding, not one per step. */
#define TW_INT_KAHAN(xp, cp, inc)       \
  do {                                  \
    real kahan_inc_ = (inc) - *(cp);    \
    real kahan_sum_ = *(xp) + kahan_inc_; \
    *(cp) = (kahan_sum_ - *(xp)) - kahan_inc_; \
    *(xp) = kahan_sum_;                 \
  } while (0)

#if !defined(TW_INT_RK4) || !defined(TW_INT_DOPRI5) || !defined(TW_INT_REAL) || !defined(TW_INT_NMAX) || \
    !defined(TW_INT_CTX) || !defined(TW_INT_RHS)
#error "define TW_INT_RK4, TW_INT_DOPRI5, TW_INT_REAL, TW_INT_NMAX, TW_INT_CTX, TW_INT_RHS before including integrate_body.h"
#endif

/* `nsteps` RK4 steps of size h (a minute: h = 1 / nsteps). x is (n), updated in
** place. The batched CPU path calls it with nsteps = 1 inside its loop over
** twins so that, once inlined, the body is straight-line code that vectorises. */
TW_HD void TW_INT_RK4(int n, TW_INT_REAL *x, const TW_INT_CTX *c, TW_INT_REAL h, int nsteps) {
  typedef TW_INT_REAL real;
  const real h2 = h / (real)2, h6 = h / (real)6;
  real comp[TW_INT_NMAX]; /* compensation of the steps' sum (TW_INT_KAHAN) */
  TW_UNROLL for (int j = 0; j < n; ++j) comp[j] = (real)0;
  TW_UNROLL for (int s = 0; s < nsteps; ++s) {
    real k1[TW_INT_NMAX], k2[TW_INT_NMAX], k3[TW_INT_NMAX], k4[TW_INT_NMAX], xt[TW_INT_NMAX];
    TW_INT_RHS(c, x, k1);
    TW_UNROLL for (int j = 0; j < n; ++j) xt[j] = x[j] + h2 * k1[j];
    TW_INT_RHS(c, xt, k2);
    TW_UNROLL for (int j = 0; j < n; ++j) xt[j] = x[j] + h2 * k2[j];
    TW_INT_RHS(c, xt, k3);
    TW_UNROLL for (int j = 0; j < n; ++j) xt[j] = x[j] + h * k3[j];
    TW_INT_RHS(c, xt, k4);
    TW_UNROLL for (int j = 0; j < n; ++j)
      TW_INT_KAHAN(&x[j], &comp[j], h6 * (k1[j] + (real)2 * (k2[j] + k3[j]) + k4[j]));
  }
}

/* Adaptive Dormand-Prince 5(4) over one minute, first-same-as-last. *h_io is the
** first step to try (clamped to the minute) and receives the proposal for the
** next minute. Returns a tw_twin_flag; on failure x holds the last accepted state. */
TW_HD int TW_INT_DOPRI5(int n, TW_INT_REAL *x, const TW_INT_CTX *c,
                             const tw_integrator_opts *o, TW_INT_REAL *h_io) {
  typedef TW_INT_REAL real;
  real k1[TW_INT_NMAX], k2[TW_INT_NMAX], k3[TW_INT_NMAX], k4[TW_INT_NMAX];
  real k5[TW_INT_NMAX], k6[TW_INT_NMAX], k7[TW_INT_NMAX], xt[TW_INT_NMAX], y[TW_INT_NMAX];
  real dx[TW_INT_NMAX], comp[TW_INT_NMAX]; /* the step's increment; its compensation */
  for (int j = 0; j < n; ++j) comp[j] = (real)0;
  double t = 0.0;
  double h = (double)*h_io;
  if (!(h > 0.0) || h > 1.0) h = 1.0;
  int steps = 0;
  TW_INT_RHS(c, x, k1);
  while (t < 1.0) {
    double hs = h;                  /* the step taken: clipped at the minute's end */
    if (t + hs > 1.0) hs = 1.0 - t;
    const real rh = (real)hs;
    for (int j = 0; j < n; ++j) xt[j] = x[j] + rh * ((real)TW_DP_A21 * k1[j]);
    TW_INT_RHS(c, xt, k2);
    for (int j = 0; j < n; ++j)
      xt[j] = x[j] + rh * ((real)TW_DP_A31 * k1[j] + (real)TW_DP_A32 * k2[j]);
    TW_INT_RHS(c, xt, k3);
    for (int j = 0; j < n; ++j)
      xt[j] = x[j] + rh * ((real)TW_DP_A41 * k1[j] + (real)TW_DP_A42 * k2[j] +
                           (real)TW_DP_A43 * k3[j]);
    TW_INT_RHS(c, xt, k4);
    for (int j = 0; j < n; ++j)
      xt[j] = x[j] + rh * ((real)TW_DP_A51 * k1[j] + (real)TW_DP_A52 * k2[j] +
                           (real)TW_DP_A53 * k3[j] + (real)TW_DP_A54 * k4[j]);
    TW_INT_RHS(c, xt, k5);
    for (int j = 0; j < n; ++j)
      xt[j] = x[j] + rh * ((real)TW_DP_A61 * k1[j] + (real)TW_DP_A62 * k2[j] +
                           (real)TW_DP_A63 * k3[j] + (real)TW_DP_A64 * k4[j] +
                           (real)TW_DP_A65 * k5[j]);
    TW_INT_RHS(c, xt, k6);
    for (int j = 0; j < n; ++j) {
      dx[j] = rh * ((real)TW_DP_B1 * k1[j] + (real)TW_DP_B3 * k3[j] + (real)TW_DP_B4 * k4[j] +
                    (real)TW_DP_B5 * k5[j] + (real)TW_DP_B6 * k6[j]);
      y[j] = x[j] + dx[j];
    }
    TW_INT_RHS(c, y, k7);
    double sum = 0.0;
    for (int j = 0; j < n; ++j) {
      double e = (double)rh * ((double)TW_DP_E1 * k1[j] + (double)TW_DP_E3 * k3[j] +
                               (double)TW_DP_E4 * k4[j] + (double)TW_DP_E5 * k5[j] +
                               (double)TW_DP_E6 * k6[j] + (double)TW_DP_E7 * k7[j]);
      double a = fabs((double)x[j]), b = fabs((double)y[j]);
      double sc = o->atol + o->rtol * (a > b ? a : b);
      sum += (e / sc) * (e / sc);
    }
    double err = sqrt(sum / (double)n);
    if (!(err == err)) return TW_TWIN_NONFINITE; /* NaN in a stage */
    double hnew = hs * tw_dp_step_factor(err);
    if (err <= 1.0) {
      t += hs;
      for (int j = 0; j < n; ++j) {
        TW_INT_KAHAN(&x[j], &comp[j], dx[j]); /* y[j], less the rounding of many small steps */
        k1[j] = k7[j];
      }
      /* a step shortened to land on the minute's end does not shrink the next */
      if (hs < h && hnew < h) hnew = h;
    }
    h = hnew > 1.0 ? 1.0 : hnew;
    if (t < 1.0 && h < o->h_min) return TW_TWIN_UNDERFLOW;
    if (++steps > o->max_steps) return TW_TWIN_MAX_STEPS;
  }
  *h_io = (real)h;
  return TW_TWIN_OK;
}

#undef TW_INT_RK4
#undef TW_INT_DOPRI5
#undef TW_INT_REAL
#undef TW_INT_NMAX
#undef TW_INT_CTX
#undef TW_INT_RHS
#undef TW_INT_KAHAN
