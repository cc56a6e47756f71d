/*
** trial_assign.c: permuted-block randomisation within strata (trial_assign.h).
*/
#include "trial/trial_assign.h"

#include <stdlib.h> /* malloc, calloc, free */

#include "core/philox.h" /* tw_philox_block, TW_RNG_ALLOCATION */

int32_t tw_trial_cut_level(double v, const double *cuts, int n_cuts) {
  int32_t level = 0;
  while (level < n_cuts && cuts[level] <= v) ++level;
  return level;
}

/* Block b of stratum s: the pattern (each arm ratio times, repeated) shuffled
** by Fisher-Yates with one 32-bit Philox word per swap. */
static void draw_block(int32_t *perm, const int32_t *pattern, int64_t block, uint64_t seed, int32_t s, int64_t b) {
  uint32_t r[4] = {0};
  for (int64_t k = 0; k < block; ++k) perm[k] = pattern[k];
  for (int64_t k = block - 1, w = 0; k > 0; --k, ++w) {
    if (w % 4 == 0) /* block b: its low 20 bits in the counter, the rest beside the stratum (< 2^20) */
      tw_philox_block(seed, (uint64_t)s | (uint64_t)(b >> 20) << 32, TW_RNG_ALLOCATION,
                      (uint32_t)((b & 0xFFFFF) * 4096 + w / 4), r);
    const int64_t j = (int64_t)(((uint64_t)r[w % 4] * (uint64_t)(k + 1)) >> 32); /* uniform in [0, k] */
    const int32_t t = perm[k];
    perm[k] = perm[j];
    perm[j] = t;
  }
}

tw_status tw_trial_assign(int64_t n, const int32_t *stratum, int32_t n_strata, int n_arms, const int64_t *ratios,
                          int64_t block, uint64_t seed, int32_t *arm_of) {
  int64_t sum = 0;
  for (int a = 0; a < n_arms; ++a) sum += ratios[a];
  if (n_arms < 1 || sum < 1 || block < sum || block % sum || block > 4096 * 4 || n_strata < 1)
    return TW_FAIL(TW_ERR_INTERNAL, "trial: block of %lld for ratios summing to %lld", (long long)block, (long long)sum);
  int32_t *pattern = malloc((size_t)block * sizeof *pattern), *perm = malloc((size_t)block * sizeof *perm);
  int64_t *seen = calloc((size_t)n_strata, sizeof *seen);
  tw_status st = pattern && perm && seen ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "trial: randomisation");
  for (int64_t k = 0, a = 0, left = ratios[0]; st == TW_OK && k < block; ++k) {
    pattern[k] = (int32_t)a;
    if (--left == 0) a = (a + 1) % n_arms, left = ratios[a];
  }
  /* Strata are interleaved in id order, so each twin redraws its block: a
  ** Philox call per swap of a block of a few twins, cheaper than keeping a
  ** block per stratum. */
  for (int64_t i = 0; st == TW_OK && i < n; ++i) {
    const int32_t s = stratum ? stratum[i] : 0;
    const int64_t k = seen[s]++;
    if (k % block == 0 || stratum) draw_block(perm, pattern, block, seed, s, k / block);
    arm_of[i] = perm[k % block];
  }
  free(pattern);
  free(perm);
  free(seen);
  return st;
}
