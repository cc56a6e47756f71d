/*
** random.c: the host-only part of random.h, the Cholesky factorisation for
** multivariate normal draws (covariance matrices are small: a model's parameter
** count), so a plain O(n^3/3) loop is the right tool.
*/
#include "core/random.h"

#include <math.h> /* sqrt */

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
