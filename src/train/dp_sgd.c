/*
** dp_sgd.c: the DP-SGD aggregation step and Poisson sampling (dp_sgd.h).
**
** The step is written once in dp_sgd_body.h and instantiated here for float and
** double (the define-then-include idiom of src/physio/model_body.h). Contraction
** of a product and a sum into a fused multiply-add is switched off for this
** file: bit-for-bit agreement with Opacus needs every rounding where PyTorch has
** one, and the one fused operation (the weighted sum) is written as fma().
*/
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "train/dp_sgd.h"

#include <math.h> /* sqrt, sqrtf, fma, fmaf, isfinite */

#include "core/philox.h" /* tw_philox_block, tw_u01_f64, TW_RNG_DP_SAMPLE */

enum { DP_LANES = 8 }; /* PyTorch's Vectorized<float> width in its portable kernels */

static tw_status dp_check(const tw_dp_sgd *p, int64_t B, int64_t P, int n_tensors, const int64_t *sizes) {
  if (!(p->max_grad_norm > 0.0) || !isfinite(p->max_grad_norm))
    return TW_FAIL(TW_ERR_INPUT, "DP-SGD: max_grad_norm = %g must be > 0 and finite", p->max_grad_norm);
  if (!(p->noise_multiplier >= 0.0) || !isfinite(p->noise_multiplier))
    return TW_FAIL(TW_ERR_INPUT, "DP-SGD: noise_multiplier = %g must be >= 0 and finite", p->noise_multiplier);
  if (p->expected_batch < 1)
    return TW_FAIL(TW_ERR_INPUT, "DP-SGD: expected batch size %lld must be >= 1", (long long)p->expected_batch);
  if (B < 0 || P < 1 || n_tensors < 1)
    return TW_FAIL(TW_ERR_INPUT, "DP-SGD: %lld examples of %lld parameters in %d tensors", (long long)B,
                   (long long)P, n_tensors);
  int64_t sum = 0;
  for (int t = 0; t < n_tensors; ++t) {
    if (sizes[t] < 1) return TW_FAIL(TW_ERR_INPUT, "DP-SGD: parameter tensor %d has %lld elements", t, (long long)sizes[t]);
    sum += sizes[t];
  }
  if (sum != P)
    return TW_FAIL(TW_ERR_INPUT, "DP-SGD: the tensor sizes add up to %lld, not the %lld parameters", (long long)sum,
                   (long long)P);
  return TW_OK;
}

#define TW_DP_REAL float
#define TW_DP_SUF(name) name##_f32
#define TW_DP_SQRT sqrtf
#define TW_DP_FMA fmaf
#include "train/dp_sgd_body.h"
#define TW_DP_REAL double
#define TW_DP_SUF(name) name##_f64
#define TW_DP_SQRT sqrt
#define TW_DP_FMA fma
#include "train/dp_sgd_body.h"

int tw_dp_poisson_take(uint64_t seed, uint32_t step, uint64_t id, double q) {
  uint32_t r[4];
  tw_philox_block(seed, id, TW_RNG_DP_SAMPLE, step, r);
  return tw_u01_f64(r[0], r[1]) < q;
}

int64_t tw_dp_poisson_batch(uint64_t seed, uint32_t step, uint64_t first, int64_t n, double q, uint64_t *ids) {
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    if (tw_dp_poisson_take(seed, step, first + (uint64_t)i, q)) ids[k++] = first + (uint64_t)i;
  return k;
}
