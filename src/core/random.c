/*
** random.c: the host-only part of random.h, the Cholesky factorisation for
** multivariate normal draws (covariance matrices are small: a model's parameter
** count), so a plain O(n^3/3) loop is the right tool.
*/
#include "core/random.h"

#include <math.h> /* sqrt, erfc, exp, log */

tw_status tw_cholesky(int n, const double *a, double *L, const char *what) {
  for (int i = 0; i < n * n; ++i) L[i] = 0.0;
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0.0))
      return TW_FAIL(TW_ERR_NUMERIC, "%s is not positive definite (pivot %d is %g)", what, j, d);
    double ljj = sqrt(d);
    L[j * n + j] = ljj;
    for (int i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (int k = 0; k < j; ++k) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return TW_OK;
}

/* ---- the normal distribution function and its inverse ---- */

/* Acklam's coefficients (lower region p < 0.02425, central region). */
static const double qa[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
static const double qb[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
static const double qc[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
static const double qd[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};

static double acklam(double p) {
  if (p < 0.02425) {
    const double q = sqrt(-2 * log(p));
    return (((((qc[0] * q + qc[1]) * q + qc[2]) * q + qc[3]) * q + qc[4]) * q + qc[5]) /
           ((((qd[0] * q + qd[1]) * q + qd[2]) * q + qd[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((qa[0] * r + qa[1]) * r + qa[2]) * r + qa[3]) * r + qa[4]) * r + qa[5]) * q /
         (((((qb[0] * r + qb[1]) * r + qb[2]) * r + qb[3]) * r + qb[4]) * r + 1);
}

double tw_normal_cdf(double z) { return 0.5 * erfc(-z * 0.70710678118654752440); }

double tw_normal_quantile(double p) {
  if (p <= 0.0) return -INFINITY;
  if (p >= 1.0) return INFINITY;
  if (p > 0.5) return -tw_normal_quantile(1 - p);
  const double x = acklam(p);
  const double u = (tw_normal_cdf(x) - p) * 2.50662827463100050242 * exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
