/*
** cohort_dist.c: the marginals of a cohort's covariates: the standard normal
** CDF and quantile, and each kind's truncated quantile, so that a copula
** uniform u maps to x = F^-1(F(min) + u (F(max) - F(min))): truncation by
** inverse transform, with no rejection, so the copula's dependence is kept
** and every twin uses the same number of random numbers.
*/
#include "cohort/generate.h"

#include <math.h> /* erfc, log, exp, sqrt */


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

double tw_cohort_cdf(const tw_cohort_dist *d, int kind, double x) {
  double lo = d->no_min ? 0.0 : cdf(d, kind, d->min), hi = d->no_max ? 1.0 : cdf(d, kind, d->max);
  double u = (cdf(d, kind, x) - lo) / (hi - lo);
  return u < 0 ? 0 : u > 1 ? 1 : u;
}
