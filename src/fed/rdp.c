/*
** rdp.c: the RDP accountant of the subsampled Gaussian mechanism (rdp.h), as
** Opacus computes it (opacus/accountants/analysis/rdp.py).
**
** Every expression follows Opacus' in its order of operations, so that the
** results agree to a few units of rounding; two pieces are computed differently
** but as accurately:
**   - binomial coefficients (scipy.special.binom there): by the recurrence
**     C(a, i) = C(a, i-1) (a - i + 1) / i, real a;
**   - log erfc(x) (log 2 + scipy.special.log_ndtr(-x sqrt 2) there): log(erfc(x))
**     for x < 20, and for larger x the asymptotic series
**     -x^2 - log x - log(pi)/2 + log(1 + sum_n (-1)^n (2n-1)!! / (2x^2)^n),
**     where erfc itself would lose accuracy and underflow.
*/
#include "fed/rdp.h"

#include <math.h>   /* log, log1p, exp, expm1, erfc, isnan, isinf, floor, INFINITY */
#include <stdlib.h> /* malloc, realloc, free */

enum { RDP_MAX_TERMS = 1000000 }; /* terms of a fractional-order series before it counts as not settling */

static const double SIGMA_MAX = 1e6, SIGMA_MIN = 1e-4, SIGMA_RTOL = 1e-7;

void tw_rdp_default_orders(double *alpha) {
  int k = 0;
  for (int x = 1; x <= 99; ++x) alpha[k++] = 1 + x / 10.0;
  for (int a = 12; a <= 63; ++a) alpha[k++] = a;
}

tw_status tw_rdp_check(double q, double sigma, int64_t steps) {
  if (!(q > 0.0 && q <= 1.0))
    return TW_FAIL(TW_ERR_INPUT, "sampling rate q = %g is outside (0, 1]", q);
  if (!(sigma > 0.0) || isinf(sigma))
    return TW_FAIL(TW_ERR_INPUT, "noise multiplier sigma = %g must be > 0 and finite (sigma <= 0 gives no privacy)",
                   sigma);
  if (steps < 0) return TW_FAIL(TW_ERR_INPUT, "steps = %lld must be >= 0", (long long)steps);
  return TW_OK;
}

static tw_status check_delta(double delta) {
  if (!(delta > 0.0 && delta < 1.0)) return TW_FAIL(TW_ERR_INPUT, "delta = %g is outside (0, 1)", delta);
  return TW_OK;
}

/* ---- log-space arithmetic (Opacus' _log_add, _log_sub, _log_erfc) ------------ */

static double log_add(double logx, double logy) {
  double a = logx < logy ? logx : logy, b = logx < logy ? logy : logx;
  if (a == -INFINITY) return b; /* adding 0 */
  return log1p(exp(a - b)) + b;
}

/* log(exp(x) - exp(y)); TW_ERR_NUMERIC when x < y (the series went negative). */
static tw_status log_sub(double logx, double logy, double *out) {
  if (logx < logy) return TW_FAIL(TW_ERR_NUMERIC, "RDP series: log_sub of a larger term (%g < %g)", logx, logy);
  if (logy == -INFINITY) *out = logx;
  else if (logx == logy) *out = -INFINITY;
  else {
    double d = expm1(logx - logy);
    *out = isinf(d) ? logx : log(d) + logy; /* Python's OverflowError branch */
  }
  return TW_OK;
}

static double log_erfc(double x) {
  if (x < 20.0) return log(erfc(x));
  double r = 1.0 / (2.0 * x * x), term = 1.0, sum = 0.0;
  for (int n = 1; n <= 12; ++n) {
    term *= -(2.0 * n - 1.0) * r;
    sum += term;
  }
  return -x * x - log(x) - 0.5 * log(3.14159265358979323846) + log1p(sum);
}

/* ---- log(A_alpha) ------------------------------------------------------------ */

/* Integer alpha: log sum_i C(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2)). */
static double log_a_int(double q, double sigma, int alpha) {
  double log_a = -INFINITY, coef = 1.0;
  for (int i = 0; i <= alpha; ++i) {
    if (i > 0) coef = coef * (alpha - i + 1) / i;
    double log_coef_i = log(coef) + i * log(q) + (alpha - i) * log(1 - q);
    double s = log_coef_i + (double)(i * i - i) / (2 * (sigma * sigma));
    log_a = log_add(log_a, s);
  }
  return log_a;
}

/* Fractional alpha: the two halves of A_alpha, integrals over (-inf, z0] and
** [z0, inf), each an alternating series weighted by erfc, until both terms are
** below exp(-30). */
static tw_status log_a_frac(double q, double sigma, double alpha, double *out) {
  double log_a0 = -INFINITY, log_a1 = -INFINITY, coef = 1.0;
  const double s2 = sigma * sigma, z0 = s2 * log(1 / q - 1) + 0.5, root2 = 1.4142135623730951;
  for (int i = 0; i < RDP_MAX_TERMS; ++i) {
    if (i > 0) coef = coef * (alpha - (i - 1)) / i;
    double log_coef = log(fabs(coef)), j = alpha - i;
    double log_t0 = log_coef + i * log(q) + j * log(1 - q);
    double log_t1 = log_coef + j * log(q) + i * log(1 - q);
    double log_e0 = log(0.5) + log_erfc((i - z0) / (root2 * sigma));
    double log_e1 = log(0.5) + log_erfc((z0 - j) / (root2 * sigma));
    double log_s0 = log_t0 + (double)(i * i - i) / (2 * s2) + log_e0;
    double log_s1 = log_t1 + (j * j - j) / (2 * s2) + log_e1;
    if (coef > 0) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      TW_TRY(log_sub(log_a0, log_s0, &log_a0));
      TW_TRY(log_sub(log_a1, log_s1, &log_a1));
    }
    if ((log_s0 > log_s1 ? log_s0 : log_s1) < -30) {
      *out = log_add(log_a0, log_a1);
      return TW_OK;
    }
  }
  return TW_FAIL(TW_ERR_NUMERIC, "RDP series at order %g (q %g, sigma %g) did not settle in %d terms", alpha, q,
                 sigma, (int)RDP_MAX_TERMS);
}

/* RDP of one step at order alpha (Opacus' _compute_rdp). */
static tw_status rdp_one(double q, double sigma, double alpha, double *out) {
  if (q == 1.0) {
    *out = alpha / (2 * (sigma * sigma));
    return TW_OK;
  }
  double log_a = 0.0;
  if (alpha == floor(alpha)) log_a = log_a_int(q, sigma, (int)alpha);
  else TW_TRY(log_a_frac(q, sigma, alpha, &log_a));
  *out = log_a / (alpha - 1);
  return TW_OK;
}

tw_status tw_rdp_compute(double q, double sigma, int64_t steps, int n, const double *orders, double *rdp) {
  TW_TRY(tw_rdp_check(q, sigma, steps));
  for (int k = 0; k < n; ++k) {
    if (!(orders[k] > 1.0 && orders[k] <= 1e6))
      return TW_FAIL(TW_ERR_INPUT, "RDP order %g is outside (1, 1e6]", orders[k]);
    TW_TRY(rdp_one(q, sigma, orders[k], &rdp[k]));
    rdp[k] *= (double)steps;
  }
  return TW_OK;
}

tw_status tw_rdp_epsilon(int n, const double *orders, const double *rdp, double delta, double *eps, double *order) {
  TW_TRY(check_delta(delta));
  *eps = INFINITY;
  *order = NAN;
  int best = -1;
  for (int k = 0; k < n; ++k) {
    double a = orders[k];
    double e = rdp[k] - (log(delta) + log(a)) / (a - 1) + log((a - 1) / a);
    if (isnan(e)) continue; /* numpy's nanargmin: NaN ignored, the first minimum wins */
    if (best < 0 || e < *eps) {
      best = k;
      *eps = e;
    }
  }
  if (best >= 0) *order = orders[best];
  return TW_OK;
}

tw_status tw_rdp_sgm_epsilon(double q, double sigma, int64_t steps, double delta, double *eps, double *order) {
  double alpha[TW_RDP_N_ORDERS], rdp[TW_RDP_N_ORDERS];
  tw_rdp_default_orders(alpha);
  TW_TRY(check_delta(delta));
  TW_TRY(tw_rdp_compute(q, sigma, steps, TW_RDP_N_ORDERS, alpha, rdp));
  return tw_rdp_epsilon(TW_RDP_N_ORDERS, alpha, rdp, delta, eps, order);
}

/* ---- the inverse: sigma for a budget ------------------------------------------ */

static tw_status eps_at(double q, double sigma, int64_t steps, double delta, double *eps) {
  double order;
  return tw_rdp_sgm_epsilon(q, sigma, steps, delta, eps, &order);
}

/* A bracket lo < hi with eps(hi) <= target < eps(lo), by doubling or halving from 1. */
static tw_status bracket(double q, int64_t steps, double delta, double target, double *lo, double *hi) {
  double e;
  *hi = 1.0;
  TW_TRY(eps_at(q, *hi, steps, delta, &e));
  while (!(e <= target)) {
    if (*hi >= SIGMA_MAX)
      return TW_FAIL(TW_ERR_INPUT, "epsilon = %g is out of reach: even sigma = %g gives epsilon %g (q %g, %lld steps, "
                     "delta %g)", target, *hi, e, q, (long long)steps, delta);
    *hi *= 2.0;
    TW_TRY(eps_at(q, *hi, steps, delta, &e));
  }
  *lo = *hi / 2.0;
  TW_TRY(eps_at(q, *lo, steps, delta, &e));
  while (e <= target) {
    if (*lo <= SIGMA_MIN)
      return TW_FAIL(TW_ERR_INPUT, "epsilon = %g is met by any sigma down to %g: no smallest sigma to report", target,
                     *lo);
    *hi = *lo;
    *lo /= 2.0;
    TW_TRY(eps_at(q, *lo, steps, delta, &e));
  }
  return TW_OK;
}

tw_status tw_rdp_sgm_sigma(double q, int64_t steps, double delta, double target, double *sigma) {
  TW_TRY(tw_rdp_check(q, 1.0, steps));
  TW_TRY(check_delta(delta));
  if (!(target > 0.0) || isinf(target))
    return TW_FAIL(TW_ERR_INPUT, "target epsilon = %g must be > 0 and finite", target);
  double lo = 0.0, hi = 0.0, e = 0.0;
  TW_TRY(bracket(q, steps, delta, target, &lo, &hi));
  while (hi - lo > SIGMA_RTOL * hi) {
    double mid = 0.5 * (lo + hi);
    TW_TRY(eps_at(q, mid, steps, delta, &e));
    if (e <= target) hi = mid;
    else lo = mid;
  }
  *sigma = hi;
  return TW_OK;
}

/* ---- the ledger ---------------------------------------------------------------- */

tw_status tw_rdp_ledger_add(tw_rdp_ledger *l, double q, double sigma, int64_t steps) {
  TW_TRY(tw_rdp_check(q, sigma, steps));
  if (l->n > 0 && l->e[l->n - 1].q == q && l->e[l->n - 1].sigma == sigma) {
    l->e[l->n - 1].steps += steps;
    return TW_OK;
  }
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 8;
    tw_rdp_entry *e = realloc(l->e, (size_t)cap * sizeof *e);
    if (!e) return TW_FAIL(TW_ERR_NOMEM, "privacy ledger: cannot grow to %d entries", cap);
    l->e = e;
    l->cap = cap;
  }
  l->e[l->n++] = (tw_rdp_entry){q, sigma, steps};
  return TW_OK;
}

tw_status tw_rdp_ledger_epsilon(const tw_rdp_ledger *l, double delta, double *eps, double *order) {
  TW_TRY(check_delta(delta));
  if (l->n == 0) {
    *eps = 0.0;
    *order = 0.0;
    return TW_OK;
  }
  double alpha[TW_RDP_N_ORDERS], sum[TW_RDP_N_ORDERS] = {0}, rdp[TW_RDP_N_ORDERS];
  tw_rdp_default_orders(alpha);
  for (int i = 0; i < l->n; ++i) {
    TW_TRY(tw_rdp_compute(l->e[i].q, l->e[i].sigma, l->e[i].steps, TW_RDP_N_ORDERS, alpha, rdp));
    for (int k = 0; k < TW_RDP_N_ORDERS; ++k) sum[k] += rdp[k];
  }
  return tw_rdp_epsilon(TW_RDP_N_ORDERS, alpha, sum, delta, eps, order);
}

tw_status tw_rdp_ledger_fits(const tw_rdp_ledger *l, double q, double sigma, int64_t steps, double delta,
                             double budget, int *fits) {
  tw_rdp_ledger t = {0};
  tw_status st = TW_OK;
  double eps, order;
  for (int i = 0; i < l->n && st == TW_OK; ++i) st = tw_rdp_ledger_add(&t, l->e[i].q, l->e[i].sigma, l->e[i].steps);
  if (st == TW_OK) st = tw_rdp_ledger_add(&t, q, sigma, steps);
  if (st == TW_OK) st = tw_rdp_ledger_epsilon(&t, delta, &eps, &order);
  tw_rdp_ledger_free(&t);
  TW_TRY(st);
  *fits = eps <= budget;
  return TW_OK;
}

void tw_rdp_ledger_free(tw_rdp_ledger *l) {
  free(l->e);
  *l = (tw_rdp_ledger){0};
}
