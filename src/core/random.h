/*
** random.h: distributions drawn from a Philox stream, shared by CPU and CUDA.
**
** A tw_rng is one stream: (seed, twin id, purpose) fixed, the block index
** advancing as numbers are drawn. Two streams never overlap because they differ
** in twin id or purpose; within a stream each block is used once. The sequence of
** numbers a stream yields depends only on the sequence of calls made on it, so a
** twin's draws are reproducible wherever the twin runs (DESIGN.md invariant 2).
**
** Multivariate normal draws need a Cholesky factor of the covariance; the
** factorisation (host only) is tw_cholesky in random.c.
*/
#ifndef TW_RANDOM_H
#define TW_RANDOM_H

#include "core/philox.h"
#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_rng {
  uint64_t seed;
  uint64_t twin_id;
  uint32_t purpose;
  uint32_t index;   /* next block */
  uint32_t buf[4];  /* the current block */
  int used;         /* words of buf consumed (4: empty) */
  int has_spare;    /* a second Box-Muller normal is waiting */
  double spare;
} tw_rng;

TW_HD tw_rng tw_rng_make(uint64_t seed, uint64_t twin_id, uint32_t purpose, uint32_t first_index) {
  tw_rng r;
  r.seed = seed;
  r.twin_id = twin_id;
  r.purpose = purpose;
  r.index = first_index;
  r.buf[0] = r.buf[1] = r.buf[2] = r.buf[3] = 0;
  r.used = 4;
  r.has_spare = 0;
  r.spare = 0.0;
  return r;
}

TW_HD uint32_t tw_rng_u32(tw_rng *r) {
  if (r->used == 4) {
    tw_philox_block(r->seed, r->twin_id, r->purpose, r->index++, r->buf);
    r->used = 0;
  }
  return r->buf[r->used++];
}

/* Uniform on (0,1), 52 bits. */
TW_HD double tw_rng_uniform(tw_rng *r) {
  uint32_t hi = tw_rng_u32(r);
  uint32_t lo = tw_rng_u32(r);
  return tw_u01_f64(hi, lo);
}

/* N(0,1) by Box-Muller; the second value of each pair is kept for the next call. */
TW_HD double tw_rng_normal(tw_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  uint32_t w[4];
  for (int i = 0; i < 4; ++i) w[i] = tw_rng_u32(r);
  double z0, z1;
  tw_normal2_f64(w, &z0, &z1);
  r->spare = z1;
  r->has_spare = 1;
  return z0;
}

/* Log-normal: exp(mu + sigma Z), mu and sigma on the log scale. */
TW_HD double tw_rng_lognormal(tw_rng *r, double mu, double sigma) {
  return exp(mu + sigma * tw_rng_normal(r));
}

/* Gamma(shape, scale 1) by Marsaglia and Tsang (2000); shape < 1 through the
** boost U^(1/shape). shape must be positive. */
TW_HD double tw_rng_gamma(tw_rng *r, double shape) {
  double boost = 1.0;
  if (shape < 1.0) {
    boost = pow(tw_rng_uniform(r), 1.0 / shape);
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x = tw_rng_normal(r), v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    double u = tw_rng_uniform(r);
    if (u < 1.0 - 0.0331 * x * x * x * x) return boost * d * v;
    if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return boost * d * v;
  }
}

/* Beta(a, b) as G_a / (G_a + G_b). */
TW_HD double tw_rng_beta(tw_rng *r, double a, double b) {
  double x = tw_rng_gamma(r, a), y = tw_rng_gamma(r, b);
  return x / (x + y);
}

/* x = mu + L z, z ~ N(0, I_n), L lower triangular row-major (n,n): x ~ N(mu, L L^T).
** `z` is scratch of n doubles. */
TW_HD void tw_rng_mvnormal(tw_rng *r, int n, const double *mu, const double *L, double *z, double *x) {
  for (int i = 0; i < n; ++i) z[i] = tw_rng_normal(r);
  for (int i = 0; i < n; ++i) {
    double s = mu[i];
    for (int j = 0; j <= i; ++j) s += L[i * n + j] * z[j];
    x[i] = s;
  }
}

/* Cholesky factor of a symmetric positive definite (n,n) row-major matrix into
** L (lower, zeros above). Fails with TW_ERR_NUMERIC naming the pivot when `a`
** is not positive definite; `what` names the matrix in that message. */
tw_status tw_cholesky(int n, const double *a, double *L, const char *what);

/* The standard normal distribution to double precision, as scipy.stats.norm:
** cdf, sf = 1 - cdf without cancellation, pdf, and the quantiles (ppf, isf),
** accurate relative to the value in both tails. quantile(0) = -inf, (1) = +inf;
** NaN outside [0, 1]. The one implementation: cohorts, random meals and the
** trial statistics (trial/stats.h, which adds input checks) use it. */
double tw_normal_cdf(double z);
double tw_normal_sf(double z);
double tw_normal_pdf(double z);
double tw_normal_quantile(double p);
double tw_normal_isf(double q);

TW_EXTERN_C_END

#endif
