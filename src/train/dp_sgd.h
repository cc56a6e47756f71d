/*
** dp_sgd.h: the DP-SGD aggregation step as Opacus' DPOptimizer does it
** (opacus/optimizers/optimizer.py: clip_and_accumulate, add_noise, scale_grad),
** and Poisson sampling of a step's batch from Philox.
**
** Given per-example gradients g (B x P, row-major), the clipping norm C, the
** noise multiplier sigma, a standard-normal vector z (P) and the expected batch
** size E, in the working precision (float32 as Opacus, or float64):
**   n_i   = || ( ||g_i[t]|| for each parameter tensor t ) ||   the norm of the
**           per-tensor norms, as torch.stack(per_param_norms).norm(2, dim=1)
**   f_i   = min(1, (1 / (n_i + 1e-6)) * C)                     Opacus writes
**           C / (n + 1e-6), which torch evaluates as reciprocal(n + 1e-6) * C
**   s     = sum_i f_i g_i                                      i = 0..B-1 in order
**   out   = (s + (sigma C) z) / E                              sigma C rounded once
** Every operation rounds as PyTorch's CPU kernels do, so that out equals
** Opacus' p.grad bit for bit when z is the noise Opacus drew
** (tests/fed/test_dp_sgd.c, validation/privacy_opacus.py):
**   - a norm is PyTorch's float norm over a contiguous last dimension
**     (ATen's portable kernel, ATEN_CPU_CAPABILITY=default): element d's square
**     added to lane d mod 8 while 8 remain, the 8 lanes summed left to right, the
**     rest added one by one, then sqrt; products and sums rounded separately;
**   - the weighted sum is the single-rounding fused multiply-add chain
**     s = fma(f_i, g_i, s) from s = 0, as the BLAS GEMM behind Opacus' einsum
**     (OpenBLAS) forms it; E is exact in the working precision.
** This file is compiled with floating-point contraction off, so no other
** product and sum fuse.
*/
#ifndef TW_FED_DP_SGD_H
#define TW_FED_DP_SGD_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_dp_sgd {
  double max_grad_norm;    /* C > 0 */
  double noise_multiplier; /* sigma >= 0 (0: clipping alone) */
  int64_t expected_batch;  /* E >= 1: q times the examples, as Opacus' expected_batch_size */
} tw_dp_sgd;

/* One aggregation step. grads (B x P), tensor_sizes (n_tensors) the element
** counts of the parameter tensors in order, summing to P (one tensor of P
** elements gives the plain norm); noise (P) standard normal; out (P) the noised,
** scaled gradient; norm and factor (B each, may be NULL) receive n_i and f_i.
** B = 0 gives out = sigma C z / E (Opacus' empty batch). TW_ERR_INPUT for bad
** sizes or parameters. */
tw_status tw_dp_sgd_step_f32(const tw_dp_sgd *p, int64_t B, int64_t P, const float *grads, int n_tensors,
                             const int64_t *tensor_sizes, const float *noise, float *out, float *norm,
                             float *factor);
tw_status tw_dp_sgd_step_f64(const tw_dp_sgd *p, int64_t B, int64_t P, const double *grads, int n_tensors,
                             const int64_t *tensor_sizes, const double *noise, double *out, double *norm,
                             double *factor);

/* Poisson sampling: whether example `id` (a global id) is in the batch of step
** `step` at rate q in (0, 1]: u < q, u uniform (0, 1) from Philox keyed by seed,
** counter (index step, purpose TW_RNG_DP_SAMPLE, twin id). The same (seed, step,
** id) gives the same answer on every rank, thread and machine. */
int tw_dp_poisson_take(uint64_t seed, uint32_t step, uint64_t id, double q);

/* The batch of step `step` among ids first .. first + n - 1: writes the chosen ids
** in increasing order to ids (room for n) and returns how many. */
int64_t tw_dp_poisson_batch(uint64_t seed, uint32_t step, uint64_t first, int64_t n, double q, uint64_t *ids);

TW_EXTERN_C_END

#endif
