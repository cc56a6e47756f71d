/*
** fit_mixture.c: a mixture of M Gaussians fitted by EM to the sampler's
** burn-in positions of one person (fit.h, tw_fit_mixture), the centres and
** shapes of the independence moves' t's (fit_mcmc.c). A single t cannot
** follow a curved posterior (the sampler's acceptance and R-hat say so on
** 10 days of data: docs/personal-twins.md, "Choosing the moves"); a few
** components fitted to where the walkers went can. Deterministic: the start
** splits the samples along their leading principal axis, no random numbers.
*/
#include "twin/fit.h"

#include "core/random.h" /* tw_cholesky */

#include <math.h>   /* log, exp, sqrt, INFINITY */
#include <stdlib.h> /* qsort */
#include <string.h> /* memset, memcpy */

#define K_MAX TW_FIT_MAX_PARAMS
#define EM_ITERATIONS 30

/* |L^-1 (x - mu)|^2 for a lower factor L (k, k). */
static double whitened_sq(const double *x, const double *mu, const double *L, int K) {
  double w[K_MAX], s = 0.0;
  for (int a = 0; a < K; ++a) {
    double r = x[a] - mu[a];
    for (int c = 0; c < a; ++c) r -= L[a * K + c] * w[c];
    w[a] = r / L[a * K + a];
    s += w[a] * w[a];
  }
  return s;
}

/* The weighted mean (k) and covariance (k, k) of the samples x (n, k) with
** weights r[j * M] (r NULL: all 1), shrunk towards S by lambda pseudo-samples:
** (sum r (x - m)(x - m)^T + lambda S) / (sum r + lambda). Returns sum r. */
static double moments(const double *x, int64_t n, int K, const double *r, int M, const double *S, double lambda,
                      double *m, double *cov) {
  double sw = 0.0;
  memset(m, 0, sizeof(double) * (size_t)K);
  for (int64_t j = 0; j < n; ++j) {
    const double wj = r ? r[j * M] : 1.0;
    sw += wj;
    for (int a = 0; a < K; ++a) m[a] += wj * x[j * K + a];
  }
  for (int a = 0; a < K; ++a) m[a] /= sw > 0.0 ? sw : 1.0;
  for (int a = 0; a < K * K; ++a) cov[a] = S ? lambda * S[a] : 0.0;
  for (int64_t j = 0; j < n; ++j) {
    const double wj = r ? r[j * M] : 1.0;
    for (int a = 0; a < K; ++a)
      for (int c = 0; c <= a; ++c) cov[a * K + c] += wj * (x[j * K + a] - m[a]) * (x[j * K + c] - m[c]);
  }
  const double den = S ? sw + lambda : sw - 1.0;
  for (int a = 0; a < K; ++a)
    for (int c = 0; c <= a; ++c) cov[a * K + c] = cov[c * K + a] = cov[a * K + c] / den;
  return sw;
}

/* The leading eigenvector v (k) of the covariance S (k, k), by power iteration. */
static void leading_axis(const double *S, int K, double *v) {
  for (int a = 0; a < K; ++a) v[a] = 1.0 / sqrt((double)K + a); /* not orthogonal to a generic axis */
  for (int it = 0; it < 50; ++it) {
    double u[K_MAX], norm = 0.0;
    for (int a = 0; a < K; ++a) {
      u[a] = 0.0;
      for (int c = 0; c < K; ++c) u[a] += S[a * K + c] * v[c];
      norm += u[a] * u[a];
    }
    if (!(norm > 0.0)) return;
    for (int a = 0; a < K; ++a) v[a] = u[a] / sqrt(norm);
  }
}

static int cmp_double(const void *x, const void *y) {
  const double a = *(const double *)x, c = *(const double *)y;
  return (a > c) - (a < c);
}

/* Hard start: sample j to the component of its quantile along the leading axis. */
static void start_split(const double *x, int64_t n, int K, int M, const double *m, const double *S, double *r,
                        double *proj) {
  double v[K_MAX], cut[TW_FIT_T_MIX_MAX];
  leading_axis(S, K, v);
  for (int64_t j = 0; j < n; ++j) {
    proj[j] = 0.0;
    for (int a = 0; a < K; ++a) proj[j] += v[a] * (x[j * K + a] - m[a]);
  }
  double *sorted = proj + n;
  memcpy(sorted, proj, sizeof(double) * (size_t)n);
  qsort(sorted, (size_t)n, sizeof(double), cmp_double);
  for (int c = 1; c < M; ++c) cut[c] = sorted[(int64_t)c * n / M];
  for (int64_t j = 0; j < n; ++j) {
    int c = 0;
    while (c + 1 < M && proj[j] >= cut[c + 1]) ++c;
    for (int d = 0; d < M; ++d) r[j * M + d] = d == c;
  }
}

/* E-step: r (n, M) the responsibilities of components (mu, L, logw). */
static void responsibilities(const double *x, int64_t n, int K, int M, const double *mu, const double *L,
                             const double *logw, double *r) {
  double logdet[TW_FIT_T_MIX_MAX];
  for (int c = 0; c < M; ++c) {
    logdet[c] = 0.0;
    for (int a = 0; a < K; ++a) logdet[c] += log(L[(c * K + a) * K + a]);
  }
  for (int64_t j = 0; j < n; ++j) {
    double l[TW_FIT_T_MIX_MAX], top = -INFINITY, s = 0.0;
    for (int c = 0; c < M; ++c) {
      l[c] = logw[c] - logdet[c] - 0.5 * whitened_sq(x + j * K, mu + c * K, L + c * K * K, K);
      top = l[c] > top ? l[c] : top;
    }
    for (int c = 0; c < M; ++c) s += (r[j * M + c] = exp(l[c] - top));
    for (int c = 0; c < M; ++c) r[j * M + c] /= s;
  }
}

int tw_fit_mixture(const double *x, int64_t n, int K, int M, double *work, double *mu, double *L, double *logw) {
  double S[K_MAX * K_MAX], m[K_MAX], cov[K_MAX * K_MAX];
  if (n < 2 * K || M < 1 || M > TW_FIT_T_MIX_MAX) return 0;
  moments(x, n, K, NULL, 1, NULL, 0.0, m, S);
  if (tw_cholesky(K, S, L, "the walkers' covariance") != TW_OK) return 0;
  memcpy(mu, m, sizeof(double) * (size_t)K);
  logw[0] = 0.0;
  if (M == 1) return 1;
  double *r = work; /* (n, M) responsibilities, then (2 n) projections */
  start_split(x, n, K, M, m, S, r, work + n * M);
  for (int it = 0; it <= EM_ITERATIONS; ++it) {
    for (int c = 0; c < M; ++c) { /* M-step, shrunk towards the samples' covariance by k + 2 samples */
      const double nc = moments(x, n, K, r + c, M, S, K + 2.0, mu + c * K, cov);
      logw[c] = log((nc + 1.0) / ((double)n + M));
      if (tw_cholesky(K, cov, L + c * K * K, "a mixture component's covariance") != TW_OK) return 0;
    }
    if (it < EM_ITERATIONS) responsibilities(x, n, K, M, mu, L, logw, r);
  }
  double total = 0.0; /* the weights sum to 1 */
  for (int c = 0; c < M; ++c) total += exp(logw[c]);
  for (int c = 0; c < M; ++c) logw[c] -= log(total);
  return 1;
}
