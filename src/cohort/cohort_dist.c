/*
** cohort_dist.c: the marginals of a cohort's covariates: the standard normal
** CDF and quantile, and each kind's truncated quantile, so that a copula
** uniform u maps to x = F^-1(F(min) + u (F(max) - F(min))): truncation by
** inverse transform, with no rejection, so the copula's dependence is kept
** and every twin uses the same number of random numbers.
*/
#include "cohort/generate.h"

#include <math.h> /* erfc, log, exp, sqrt */

double tw_normal_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* Acklam's rational approximation (relative error 1.15e-9) polished by one
** Halley step on the CDF, which brings it to double precision. */
double tw_normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  if (p <= 0.0) return -INFINITY;
  if (p >= 1.0) return INFINITY;
  double x;
  if (p < 0.02425 || p > 1 - 0.02425) {
    double q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 0.5) x = -x;
  } else {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  double e = tw_normal_cdf(x) - p, u = e * 2.5066282746310002 * exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

/* The untruncated CDF and quantile of each kind, on its own scale. */
static double cdf(const tw_cohort_dist *d, int kind, double x) {
  if (kind == TW_DIST_NORMAL) return tw_normal_cdf((x - d->a) / d->b);
  if (kind == TW_DIST_UNIFORM) return x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
  double s = sqrt(log1p(d->b * d->b));
  return x <= 0 ? 0 : tw_normal_cdf(log(x / d->a) / s);
}

static double quantile(const tw_cohort_dist *d, int kind, double u) {
  if (kind == TW_DIST_NORMAL) return d->a + d->b * tw_normal_quantile(u);
  if (kind == TW_DIST_UNIFORM) return d->a + u * (d->b - d->a);
  double s = sqrt(log1p(d->b * d->b));
  return d->a * exp(s * tw_normal_quantile(u));
}

double tw_cohort_quantile(const tw_cohort_dist *d, int kind, double u) {
  double lo = d->no_min ? 0.0 : cdf(d, kind, d->min), hi = d->no_max ? 1.0 : cdf(d, kind, d->max);
  double x = quantile(d, kind, lo + u * (hi - lo));
  if (!d->no_min && x < d->min) x = d->min; /* round-off at the ends */
  if (!d->no_max && x > d->max) x = d->max;
  return x;
}
