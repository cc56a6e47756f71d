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

/* ---- the normal distribution: the one implementation -------------------------
** cdf/sf by erf/erfc as Cephes' ndtr (what scipy uses), erf near 0; the quantile
** from Abramowitz-Stegun 26.2.23, then Halley steps on the tail (or centre)
** form, which keeps full relative precision in both tails. Checked against scipy
** by the trial statistics' fixture (tests/trial/test_stats.c: 2.2e-16). */

#define TW_SQRT1_2 0.707106781186547524400844362105
#define TW_INV_SQRT_2PI 0.398942280401432677939946059934

double tw_normal_cdf(double z) {
  const double y = z * TW_SQRT1_2;
  if (fabs(y) < TW_SQRT1_2) return 0.5 + 0.5 * erf(y);
  return y > 0 ? 1.0 - 0.5 * erfc(y) : 0.5 * erfc(-y);
}

double tw_normal_sf(double z) { return tw_normal_cdf(-z); }

double tw_normal_pdf(double z) { return TW_INV_SQRT_2PI * exp(-0.5 * z * z); }

/* The x > 0 with sf(x) = q, for 0 < q <= 1/2. Centre (q >= 1/4): solves
** Phi(x) - 1/2 = 1/2 - q (exact right side); tail: q - sf(x) = 0. */
static double isf_upper(double q) {
  const double t = sqrt(-2.0 * log(q));
  double x = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  if (x < 0) x = 0;
  const int centre = q >= 0.25;
  for (int it = 0; it < 50; it++) {
    const double g = centre ? 0.5 * erf(x * TW_SQRT1_2) - (0.5 - q) : q - tw_normal_sf(x);
    const double v = g / tw_normal_pdf(x);
    const double step = v / (1.0 + 0.5 * x * v);
    x -= step;
    if (fabs(step) <= 1e-16 * fabs(x) || g == 0) break;
  }
  return x;
}

double tw_normal_isf(double q) {
  if (!(q >= 0 && q <= 1)) return NAN;
  if (q == 0) return INFINITY;
  if (q == 1) return -INFINITY;
  if (q == 0.5) return 0;
  return q < 0.5 ? isf_upper(q) : -isf_upper(1.0 - q);
}

double tw_normal_quantile(double p) { return -tw_normal_isf(p); }
