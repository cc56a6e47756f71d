/*
** test_secagg.c: secure aggregation (src/fed/secagg.c) on 5 simulated sites:
**   agree       the pair keys: k_ij at site i equals k_ji at site j, and
**               differs between pairs; a low-order public key is refused
**   cancel      every site's quantised update masked among a sampled subset,
**               the masked vectors summed mod 2^64: exactly the sum of the
**               unmasked ones, for several rounds and subsets, a site sitting
**               out not masked; the fixed-point value within 2^-25 per site
**   uniform     one masked vector's bytes: chi-square over the 256 byte values
**               below 400 (255 degrees of freedom; p < 1e-9 to exceed by
**               chance), while the unmasked vector's is far above it; two
**               rounds' masks differ in every 64-bit word
**   cost        (printed, not checked) the time to mask an update of the
**               experiment's model (14,852 words) among 4 sites
**   range       the fixed-point limit 2^63 / sites: a value just inside
**               quantises, one just outside and NaN are TW_ERR_NUMERIC
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h" /* tw_now_seconds */
#include "fed/secagg.h"
#include "tw_test.h"

enum { SITES = 5, N = 10000 };

static tw_secagg sa[SITES];

static int open_all(void) {
  unsigned char pks[SITES * TW_SECAGG_KEY_BYTES];
  for (int s = 0; s < SITES; ++s) {
    if (tw_secagg_open(&sa[s], SITES, s) != TW_OK) return 0;
    memcpy(pks + s * TW_SECAGG_KEY_BYTES, sa[s].pk, TW_SECAGG_KEY_BYTES);
  }
  for (int s = 0; s < SITES; ++s)
    if (tw_secagg_agree(&sa[s], pks) != TW_OK) return 0;
  return 1;
}

static void agree(void) {
  for (int i = 0; i < SITES; ++i)
    for (int j = 0; j < SITES; ++j) {
      if (i == j) continue;
      const unsigned char *kij = sa[i].pair + j * TW_SECAGG_KEY_BYTES;
      CHECK(!memcmp(kij, sa[j].pair + i * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES)); /* both ends agree */
      for (int l = j + 1; l < SITES; ++l) /* and each pair has its own key */
        if (l != i) CHECK(memcmp(kij, sa[i].pair + l * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES));
    }
  tw_secagg bad;
  CHECK_OK(tw_secagg_open(&bad, 2, 0));
  unsigned char pks[2 * TW_SECAGG_KEY_BYTES];
  memcpy(pks, bad.pk, TW_SECAGG_KEY_BYTES);
  memset(pks + TW_SECAGG_KEY_BYTES, 0, TW_SECAGG_KEY_BYTES); /* the identity: a low-order point */
  CHECK_STATUS(tw_secagg_agree(&bad, pks), TW_ERR_INPUT);
  tw_secagg_close(&bad);
}

/* Site s's update: a smooth pattern of magnitude ~0.01 (an AdamW round's change). */
static void update(int s, float *x) {
  for (int k = 0; k < N; ++k) x[k] = 0.01f * sinf(0.001f * (float)k * (float)(s + 1)) + 1e-4f * (float)s;
}

static void cancel(void) {
  static float x[N];
  static uint64_t q[N], masked[N], sum_plain[N], sum_masked[N];
  static const int subsets[3][SITES] = {{1, 1, 1, 1, 1}, {1, 0, 1, 0, 1}, {0, 1, 1, 0, 0}};
  for (int round = 0; round < 3; ++round) {
    memset(sum_plain, 0, sizeof sum_plain), memset(sum_masked, 0, sizeof sum_masked);
    double want[4] = {0};
    for (int s = 0; s < SITES; ++s) {
      if (!subsets[round][s]) {
        CHECK_STATUS(tw_secagg_mask(&sa[s], (uint64_t)round, subsets[round], q, N), TW_ERR_INTERNAL);
        continue;
      }
      update(s, x);
      CHECK_OK(tw_secagg_quantise(x, N, 100.0 + s, SITES, q));
      memcpy(masked, q, sizeof q);
      CHECK_OK(tw_secagg_mask(&sa[s], (uint64_t)round, subsets[round], masked, N));
      for (int k = 0; k < N; ++k) sum_plain[k] += q[k], sum_masked[k] += masked[k];
      for (int k = 0; k < 4; ++k) want[k] += (double)x[k * 997] * (100.0 + s);
    }
    CHECK(!memcmp(sum_plain, sum_masked, sizeof sum_plain));
    for (int k = 0; k < 4; ++k) CHECK_NEAR(tw_secagg_value(sum_masked[k * 997]), want[k], SITES * ldexp(1.0, -25));
  }
}

static double chi_square(const uint64_t *v, int n) {
  double count[256] = {0};
  const unsigned char *b = (const unsigned char *)v;
  for (int i = 0; i < n * 8; ++i) count[b[i]] += 1;
  const double e = n * 8 / 256.0;
  double chi = 0;
  for (int i = 0; i < 256; ++i) chi += (count[i] - e) * (count[i] - e) / e;
  return chi;
}

static void uniform(void) {
  static float x[N];
  static uint64_t q[N], m0[N], m1[N];
  static const int all[SITES] = {1, 1, 1, 1, 1};
  update(2, x);
  CHECK_OK(tw_secagg_quantise(x, N, 100.0, SITES, q));
  memcpy(m0, q, sizeof q), memcpy(m1, q, sizeof q);
  CHECK_OK(tw_secagg_mask(&sa[2], 7, all, m0, N));
  CHECK_OK(tw_secagg_mask(&sa[2], 8, all, m1, N));
  const double chi_plain = chi_square(q, N), chi_masked = chi_square(m0, N);
  printf("chi-square over bytes (255 dof): unmasked %.0f, masked %.1f\n", chi_plain, chi_masked);
  CHECK(chi_masked < 400);
  CHECK(chi_plain > 10000);
  int same = 0;
  for (int k = 0; k < N; ++k) same += m0[k] == m1[k];
  CHECK_EQ_INT(same, 0);
}

static void range(void) {
  const double limit = ldexp(1.0, 63 - TW_SECAGG_SCALE_BITS) / SITES; /* in units of x * weight */
  uint64_t q[1];
  float x[1] = {(float)(limit * 0.99)};
  CHECK_OK(tw_secagg_quantise(x, 1, 1.0, SITES, q));
  CHECK((int64_t)q[0] > 0);
  x[0] = (float)(limit * 1.01);
  CHECK_STATUS(tw_secagg_quantise(x, 1, 1.0, SITES, q), TW_ERR_NUMERIC);
  x[0] = -(float)(limit * 1.01);
  CHECK_STATUS(tw_secagg_quantise(x, 1, 1.0, SITES, q), TW_ERR_NUMERIC);
  x[0] = NAN;
  CHECK_STATUS(tw_secagg_quantise(x, 1, 1.0, SITES, q), TW_ERR_NUMERIC);
  x[0] = -1.5f;
  CHECK_OK(tw_secagg_quantise(x, 1, 2.0, SITES, q));
  CHECK(tw_secagg_value(q[0]) == -3.0);
}

static void cost(void) {
  enum { W = 14852 };
  static uint64_t q[W];
  static const int four[SITES] = {1, 1, 1, 1, 0};
  const double t0 = tw_now_seconds();
  for (int r = 0; r < 100; ++r) CHECK_OK(tw_secagg_mask(&sa[0], (uint64_t)r, four, q, W));
  printf("masking %d words among 4 sites: %.3f ms\n", W, (tw_now_seconds() - t0) * 1e3 / 100);
}

int main(void) {
  if (!open_all()) return fprintf(stderr, "secure aggregation set-up failed: %s\n", tw_error_message()), 1;
  TW_TEST_RUN(agree);
  TW_TEST_RUN(cancel);
  TW_TEST_RUN(uniform);
  TW_TEST_RUN(range);
  TW_TEST_RUN(cost);
  for (int s = 0; s < SITES; ++s) tw_secagg_close(&sa[s]);
  return TW_TEST_RESULT();
}
