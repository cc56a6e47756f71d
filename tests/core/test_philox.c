/*
** test_philox.c: Philox4x32-10 against the Random123 known-answer vectors, the
** stream layout of DESIGN.md invariant 2, and the distributions built on it.
*/
#include <math.h>   /* erfc, sqrt */
#include <stdlib.h> /* qsort, malloc */

#include "core/random.h"
#include "tw_test.h"

static void known_answers(void) {
  static const uint32_t ctr[3][4] = {{0, 0, 0, 0},
                                     {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                                     {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
  static const uint32_t key[3][2] = {{0, 0}, {0xffffffffu, 0xffffffffu}, {0xa4093822u, 0x299f31d0u}};
  static const uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                                      {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                                      {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
  for (int v = 0; v < 3; ++v) {
    uint32_t out[4];
    tw_philox4x32_10(ctr[v], key[v], out);
    for (int i = 0; i < 4; ++i) CHECK_MSG(out[i] == want[v][i], "vector %d word %d: %08x != %08x", v, i, out[i], want[v][i]);
  }
}

/* The block for (seed, twin, purpose, index) is the raw Philox of the documented layout. */
static void stream_layout(void) {
  uint64_t seed = 0x0123456789abcdefULL, twin = 0xfedcba9876543210ULL;
  uint32_t a[4], b[4];
  tw_philox_block(seed, twin, TW_RNG_SENSOR, 77, a);
  const uint32_t ctr[4] = {77, TW_RNG_SENSOR, 0x76543210u, 0xfedcba98u};
  const uint32_t key[2] = {0x89abcdefu, 0x01234567u};
  tw_philox4x32_10(ctr, key, b);
  for (int i = 0; i < 4; ++i) CHECK_EQ_INT(a[i], b[i]);
  /* A stream started at index k continues exactly where one started at 0 would be. */
  tw_rng r0 = tw_rng_make(seed, twin, TW_RNG_TEST, 0), r5 = tw_rng_make(seed, twin, TW_RNG_TEST, 5);
  for (int i = 0; i < 20; ++i) tw_rng_u32(&r0);
  for (int i = 0; i < 8; ++i) CHECK_EQ_INT(tw_rng_u32(&r0), tw_rng_u32(&r5));
}

static void uniforms_open_interval(void) {
  CHECK(tw_u01_f32(0) > 0.0f && tw_u01_f32(0xffffffffu) < 1.0f);
  CHECK(tw_u01_f64(0, 0) > 0.0 && tw_u01_f64(0xffffffffu, 0xffffffffu) < 1.0);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Kolmogorov-Smirnov: 10^6 draws against N(0,1), at a fixed seed. The critical value
** for alpha = 0.01 is 1.6276 / sqrt(n) (asymptotic Kolmogorov distribution). */
static void normal_ks(void) {
  enum { N = 1000000 };
  double *z = malloc(N * sizeof *z);
  CHECK(z != NULL);
  tw_rng r = tw_rng_make(20261128, 42, TW_RNG_TEST, 0);
  for (int i = 0; i < N; ++i) z[i] = tw_rng_normal(&r);
  qsort(z, N, sizeof *z, cmp_double);
  double d = 0.0;
  for (int i = 0; i < N; ++i) {
    double f = normal_cdf(z[i]);
    double lo = f - (double)i / N, hi = (double)(i + 1) / N - f;
    d = fmax(d, fmax(lo, hi));
  }
  free(z);
  double critical = 1.6276 / sqrt((double)N);
  fprintf(stderr, "  KS statistic D = %.6f (critical %.6f at alpha 0.01)\n", d, critical);
  CHECK_MSG(d < critical, "KS D = %g >= %g", d, critical);
}

/* Sample moments of n draws, for the distributions whose moments are known. */
typedef double (*draw_fn)(tw_rng *r, double a, double b);
static double draw_gamma(tw_rng *r, double a, double b) { return tw_rng_gamma(r, a); }
static double draw_beta(tw_rng *r, double a, double b) { return tw_rng_beta(r, a, b); }
static double draw_lognormal(tw_rng *r, double a, double b) { return tw_rng_lognormal(r, a, b); }

static void moments(draw_fn f, double a, double b, int n, double *mean, double *var) {
  tw_rng r = tw_rng_make(7, 3, TW_RNG_TEST, 0);
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = f(&r, a, b);
    s += x;
    s2 += x * x;
  }
  *mean = s / n;
  *var = s2 / n - *mean * *mean;
}

/* Means within 5 standard errors; variances within 5% (n = 4e5). */
static void distribution_moments(void) {
  enum { N = 400000 };
  double m, v;
  for (int k = 0; k < 3; ++k) {
    double shape = (double[]){0.3, 1.0, 7.5}[k];
    moments(draw_gamma, shape, 0, N, &m, &v);
    CHECK_NEAR(m, shape, 5 * sqrt(shape / N));
    CHECK_NEAR(v / shape, 1.0, 0.05);
  }
  double a = 2.0, b = 5.0;
  moments(draw_beta, a, b, N, &m, &v);
  double bm = a / (a + b), bv = a * b / ((a + b) * (a + b) * (a + b + 1));
  CHECK_NEAR(m, bm, 5 * sqrt(bv / N));
  CHECK_NEAR(v / bv, 1.0, 0.05);
  moments(draw_lognormal, 0.1, 0.4, N, &m, &v);
  double lm = exp(0.1 + 0.08), lv = (exp(0.16) - 1) * exp(0.2 + 0.16);
  CHECK_NEAR(m, lm, 5 * sqrt(lv / N));
  CHECK_NEAR(v / lv, 1.0, 0.05);
}

static void mvnormal_covariance(void) {
  enum { N = 200000 };
  const double cov[9] = {4.0, 1.2, -0.8, 1.2, 2.0, 0.3, -0.8, 0.3, 1.0};
  const double mu[3] = {1.0, -2.0, 0.5};
  double L[9], z[3], x[3], s[3] = {0}, s2[9] = {0};
  CHECK_OK(tw_cholesky(3, cov, L, "cov"));
  tw_rng r = tw_rng_make(11, 5, TW_RNG_TEST, 0);
  for (int i = 0; i < N; ++i) {
    tw_rng_mvnormal(&r, 3, mu, L, z, x);
    for (int p = 0; p < 3; ++p) {
      s[p] += x[p];
      for (int q = 0; q < 3; ++q) s2[p * 3 + q] += x[p] * x[q];
    }
  }
  for (int p = 0; p < 3; ++p) CHECK_NEAR(s[p] / N, mu[p], 0.02);
  for (int p = 0; p < 3; ++p)
    for (int q = 0; q < 3; ++q) CHECK_NEAR(s2[p * 3 + q] / N - (s[p] / N) * (s[q] / N), cov[p * 3 + q], 0.04);
}

static void cholesky_rejects_indefinite(void) {
  const double bad[4] = {1.0, 2.0, 2.0, 1.0};
  double L[4];
  CHECK_STATUS(tw_cholesky(2, bad, L, "omega"), TW_ERR_NUMERIC);
  CHECK(strstr(tw_error_message(), "omega is not positive definite") != NULL);
}

int main(void) {
  TW_TEST_RUN(known_answers);
  TW_TEST_RUN(stream_layout);
  TW_TEST_RUN(uniforms_open_interval);
  TW_TEST_RUN(normal_ks);
  TW_TEST_RUN(distribution_moments);
  TW_TEST_RUN(mvnormal_covariance);
  TW_TEST_RUN(cholesky_rejects_indefinite);
  return TW_TEST_RESULT();
}
