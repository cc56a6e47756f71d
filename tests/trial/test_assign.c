/*
** test_assign.c: the randomisation of a parallel trial, tw_trial_assign
** (src/trial/trial_assign.h), as properties rather than fixed answers:
**   - every complete block holds each arm ratio * block / sum(ratios) times
**     (1:1, 1:2, 1:2:1, blocks of one and several patterns);
**   - with strata, the same within each stratum's own sequence of twins, and a
**     stratum's allocation is the one its twins would get alone (strata are
**     independent; NULL strata equal one stratum of zeros);
**   - a stratum's incomplete last block is the prefix of a shuffled block, so
**     no arm exceeds its per-block count there;
**   - the same inputs give the same allocation; another seed another one;
**   - the prefix property: the first m twins keep their arms when n grows;
**   - block orders vary: over many blocks, the orders of a 1:1 block of 4 (6
**     possible) and of a 1:2 block of 3 (3 possible) are spread evenly
**     (chi-square against uniform, below the 0.001 critical value), and each
**     position takes each arm about ratio/sum of the time;
**   - tw_trial_cut_level, and the bad block sizes refused as values.
*/
#include "tw_test.h"

#include <stdint.h>
#include <stdlib.h>

#include "trial/trial_assign.h"

enum { N_BIG = 6000 };

/* Counts of each arm among arm_of[idx[k]] for k in [k0, k0 + len). */
static void count_arms(const int32_t *arm_of, const int64_t *idx, int64_t k0, int64_t len, int n_arms, int64_t *cnt) {
  for (int a = 0; a < n_arms; ++a) cnt[a] = 0;
  for (int64_t k = k0; k < k0 + len; ++k) cnt[arm_of[idx ? idx[k] : k]]++;
}

/* Every complete block of the sequence idx (m twins, or 0..m-1 when idx is
** NULL) holds each arm ratio * block / sum times; the incomplete last block
** holds none more than that. Returns the number of complete blocks checked,
** -1 on a violation (printed). */
static int64_t blocks_balanced(const int32_t *arm_of, const int64_t *idx, int64_t m, int n_arms, const int64_t *ratios,
                               int64_t block) {
  int64_t sum = 0, cnt[8];
  for (int a = 0; a < n_arms; ++a) sum += ratios[a];
  int64_t b = 0;
  for (; (b + 1) * block <= m; ++b) {
    count_arms(arm_of, idx, b * block, block, n_arms, cnt);
    for (int a = 0; a < n_arms; ++a)
      if (cnt[a] != ratios[a] * block / sum) {
        fprintf(stderr, "  block %lld: arm %d appears %lld times, expected %lld\n", (long long)b, a, (long long)cnt[a],
                (long long)(ratios[a] * block / sum));
        return -1;
      }
  }
  count_arms(arm_of, idx, b * block, m - b * block, n_arms, cnt);
  for (int a = 0; a < n_arms; ++a)
    if (cnt[a] > ratios[a] * block / sum) {
      fprintf(stderr, "  last (incomplete) block: arm %d appears %lld times\n", a, (long long)cnt[a]);
      return -1;
    }
  return b;
}

static void complete_blocks(void) {
  static int32_t arm_of[N_BIG];
  const struct {
    int n_arms;
    int64_t ratios[4], block, n;
  } cases[] = {
      {2, {1, 1}, 2, 1001}, {2, {1, 1}, 4, 1000}, {2, {1, 2}, 3, 999},  {2, {1, 2}, 6, 1003},
      {3, {1, 2, 1}, 8, 1005}, {3, {1, 1, 1}, 3, 301}, {4, {3, 1, 2, 2}, 16, 2000}, {2, {5, 1}, 12, 77},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    CHECK_OK(tw_trial_assign(cases[c].n, NULL, 1, cases[c].n_arms, cases[c].ratios, cases[c].block, 11, arm_of));
    const int64_t nb = blocks_balanced(arm_of, NULL, cases[c].n, cases[c].n_arms, cases[c].ratios, cases[c].block);
    CHECK_MSG(nb == cases[c].n / cases[c].block, "case %zu: %lld complete blocks balanced", c, (long long)nb);
  }
}

/* 1:2 in blocks of 6: over 3,000 twins arm 1 gets exactly two thirds. */
static void ratio_one_two(void) {
  static int32_t arm_of[3000];
  const int64_t ratios[2] = {1, 2};
  CHECK_OK(tw_trial_assign(3000, NULL, 1, 2, ratios, 6, 5, arm_of));
  int64_t cnt[2];
  count_arms(arm_of, NULL, 0, 3000, 2, cnt);
  CHECK_EQ_INT(cnt[0], 1000);
  CHECK_EQ_INT(cnt[1], 2000);
}

/* A reproducible stratum per twin (3 strata, unequal sizes, interleaved). */
static void make_strata(int32_t *stratum, int64_t n) {
  uint64_t x = 88172645463325252ull;
  for (int64_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const uint64_t r = x % 10;
    stratum[i] = r < 5 ? 0 : r < 8 ? 1 : 2;
  }
}

static void strata_balanced(void) {
  static int32_t stratum[N_BIG], arm_of[N_BIG], alone[N_BIG], zeros[N_BIG];
  static int64_t idx[N_BIG];
  const int64_t ratios[2] = {1, 2}, n = 2999, block = 6;
  make_strata(stratum, n);
  CHECK_OK(tw_trial_assign(n, stratum, 3, 2, ratios, block, 123, arm_of));
  for (int32_t s = 0; s < 3; ++s) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i)
      if (stratum[i] == s) idx[m++] = i;
    CHECK_MSG(blocks_balanced(arm_of, idx, m, 2, ratios, block) == m / block, "stratum %d unbalanced", s);
    /* the stratum's twins alone (all in stratum s) get the same arms */
    for (int64_t k = 0; k < m; ++k) zeros[k] = s;
    CHECK_OK(tw_trial_assign(m, zeros, 3, 2, ratios, block, 123, alone));
    for (int64_t k = 0; k < m; ++k) CHECK_MSG(alone[k] == arm_of[idx[k]], "stratum %d, twin %lld", s, (long long)idx[k]);
  }
  /* NULL strata = one stratum of zeros */
  for (int64_t i = 0; i < n; ++i) zeros[i] = 0;
  CHECK_OK(tw_trial_assign(n, zeros, 1, 2, ratios, block, 123, alone));
  CHECK_OK(tw_trial_assign(n, NULL, 1, 2, ratios, block, 123, arm_of));
  for (int64_t i = 0; i < n; ++i) CHECK_MSG(alone[i] == arm_of[i], "twin %lld: NULL strata differ from zeros", (long long)i);
}

static void reproducible(void) {
  static int32_t a[N_BIG], b[N_BIG], stratum[N_BIG];
  const int64_t ratios[3] = {1, 2, 1};
  make_strata(stratum, N_BIG);
  CHECK_OK(tw_trial_assign(N_BIG, stratum, 3, 3, ratios, 8, 42, a));
  CHECK_OK(tw_trial_assign(N_BIG, stratum, 3, 3, ratios, 8, 42, b));
  for (int64_t i = 0; i < N_BIG; ++i) CHECK_MSG(a[i] == b[i], "twin %lld differs between two calls", (long long)i);
  CHECK_OK(tw_trial_assign(N_BIG, stratum, 3, 3, ratios, 8, 43, b));
  int64_t differ = 0;
  for (int64_t i = 0; i < N_BIG; ++i) differ += a[i] != b[i];
  fprintf(stderr, "  seed 42 vs 43: %lld of %d twins in another arm\n", (long long)differ, N_BIG);
  CHECK(differ > N_BIG / 4); /* unrelated allocations differ for about 5/8 of the twins */
}

/* The first m twins' arms do not depend on n >= m, with and without strata. */
static void prefix(void) {
  static int32_t full[N_BIG], part[N_BIG], stratum[N_BIG];
  const int64_t ratios[2] = {1, 1}, ms[] = {1, 2, 3, 7, 100, 1001, N_BIG - 1};
  make_strata(stratum, N_BIG);
  for (int strat = 0; strat < 2; ++strat) {
    const int32_t *st = strat ? stratum : NULL;
    CHECK_OK(tw_trial_assign(N_BIG, st, strat ? 3 : 1, 2, ratios, 4, 9, full));
    for (size_t k = 0; k < sizeof ms / sizeof *ms; ++k) {
      CHECK_OK(tw_trial_assign(ms[k], st, strat ? 3 : 1, 2, ratios, 4, 9, part));
      for (int64_t i = 0; i < ms[k]; ++i)
        CHECK_MSG(part[i] == full[i], "strata %d: twin %lld of %lld moved when n grew to %d", strat, (long long)i,
                  (long long)ms[k], N_BIG);
    }
  }
}

/* Chi-square of the block orders against the uniform distribution over the
** `n_orders` distinct orders (order code: arms as base-n_arms digits). */
static double order_chi2(const int32_t *arm_of, int64_t n_blocks, int64_t block, int n_orders, int *distinct) {
  int64_t freq[64] = {0}, codes[64];
  int n_codes = 0;
  for (int64_t b = 0; b < n_blocks; ++b) {
    int64_t code = 0;
    for (int64_t k = 0; k < block; ++k) code = code * 4 + arm_of[b * block + k];
    int c = 0;
    while (c < n_codes && codes[c] != code) ++c;
    if (c == n_codes && n_codes < 64) codes[n_codes++] = code;
    freq[c]++;
  }
  const double expect = (double)n_blocks / n_orders;
  double chi2 = 0;
  for (int c = 0; c < n_orders; ++c) chi2 += (freq[c] - expect) * (freq[c] - expect) / expect;
  *distinct = n_codes;
  return chi2;
}

static void orders_vary(void) {
  static int32_t arm_of[N_BIG];
  const struct {
    int64_t ratios[2], block;
    int n_orders;
    double crit; /* chi-square 0.999 quantile, n_orders - 1 degrees of freedom */
  } cases[] = {{{1, 1}, 4, 6, 20.515}, {{1, 2}, 3, 3, 13.816}};
  for (size_t c = 0; c < 2; ++c) {
    const int64_t block = cases[c].block, n_blocks = N_BIG / block;
    CHECK_OK(tw_trial_assign(N_BIG, NULL, 1, 2, cases[c].ratios, block, 2026, arm_of));
    int distinct;
    const double chi2 = order_chi2(arm_of, n_blocks, block, cases[c].n_orders, &distinct);
    fprintf(stderr, "  ratios %lld:%lld, block %lld: %d of %d orders seen over %lld blocks, chi2 %.2f (0.001 critical %.2f)\n",
            (long long)cases[c].ratios[0], (long long)cases[c].ratios[1], (long long)block, distinct, cases[c].n_orders,
            (long long)n_blocks, chi2, cases[c].crit);
    CHECK_EQ_INT(distinct, cases[c].n_orders);
    CHECK(chi2 < cases[c].crit);
    /* each position takes arm 0 about ratio0/sum of the time (4 sd) */
    const double p = (double)cases[c].ratios[0] / (double)(cases[c].ratios[0] + cases[c].ratios[1]);
    for (int64_t k = 0; k < block; ++k) {
      int64_t zeros = 0;
      for (int64_t b = 0; b < n_blocks; ++b) zeros += arm_of[b * block + k] == 0;
      CHECK_MSG(fabs((double)zeros - p * (double)n_blocks) < 4 * sqrt((double)n_blocks * p * (1 - p)),
                "position %lld: arm 0 in %lld of %lld blocks", (long long)k, (long long)zeros, (long long)n_blocks);
    }
  }
}

static void cut_levels_and_refusals(void) {
  const double cuts[3] = {18, 40, 65};
  CHECK_EQ_INT(tw_trial_cut_level(5, cuts, 3), 0);
  CHECK_EQ_INT(tw_trial_cut_level(18, cuts, 3), 1); /* a value on a cut falls above it */
  CHECK_EQ_INT(tw_trial_cut_level(64.9, cuts, 3), 2);
  CHECK_EQ_INT(tw_trial_cut_level(90, cuts, 3), 3);
  CHECK_EQ_INT(tw_trial_cut_level(90, cuts, 0), 0);
  int32_t arm_of[8];
  const int64_t ratios[2] = {1, 2};
  CHECK_STATUS(tw_trial_assign(8, NULL, 1, 2, ratios, 4, 1, arm_of), TW_ERR_INTERNAL); /* 4 not a multiple of 3 */
  CHECK_STATUS(tw_trial_assign(8, NULL, 1, 2, ratios, 0, 1, arm_of), TW_ERR_INTERNAL);
  tw_error_clear();
}

int main(void) {
  TW_TEST_RUN(complete_blocks);
  TW_TEST_RUN(ratio_one_two);
  TW_TEST_RUN(strata_balanced);
  TW_TEST_RUN(reproducible);
  TW_TEST_RUN(prefix);
  TW_TEST_RUN(orders_vary);
  TW_TEST_RUN(cut_levels_and_refusals);
  return TW_TEST_RESULT();
}
