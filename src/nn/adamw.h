/*
** adamw.h: the optimiser of neural-twin training, one source of math for the CPU
** loop (nn_ops_cpu.c) and the CUDA kernel (cuda/nn_ops_cuda.cu), as llm.c does:
** AdamW with torch.optim.AdamW's semantics (and, through one switch,
** torch.optim.Adam's coupled L2 for the GAN: tw_adam_coefs), llm.c's learning-rate schedule and
** torch.nn.utils.clip_grad_norm_'s clipping; and the fixed order in which the
** step's gradient is summed from its groups' rows (tw_rows_add_at).
**
** AdamW (amsgrad and maximize off), float32 parameters, gradients and moments,
** step t = 1, 2, ... counted after the increment, as torch's state["step"]:
**   p = p * (1 - lr*wd)                          decoupled weight decay, first
**   m = fma(g, 1 - b1, m * b1)
**   v = fma((1 - b2) * g, g, v * b2)
**   p = p + ((-lr / (1 - b1^t)) * m) / (sqrt(v) / sqrt(1 - b2^t) + eps)
** This is the operation order of torch's single-tensor path (_single_tensor_adamw,
** foreach=False, torch 1.13): mul_, mul_ then add_(alpha), mul_ then
** addcmul_(value), sqrt / bias_correction2_sqrt then add_(eps), addcdiv_(value).
** Every scalar is formed in double, as Python does, then rounded once to float
** (tw_adamw_coefs), exactly as ATen casts a Python scalar for a float tensor;
** every tensor operation is one float operation rounded once, except two that
** ATen's CPU kernels (Debian's torch 1.13 on x86-64 with FMA) compute as fused
** multiply-adds: add_ with alpha (vec::fmadd(g, alpha, m)) and addcmul_
** (self + value*t1*t2, contracted to fma(value*t1, t2, self)); addcdiv_ is
** self + (value*t1)/t2, unfused. This order was settled by replaying torch's
** trajectory (validation/adamw_reference.py) under each candidate: the plain
** unfused order differs in 227 of 5600 values, this one in none, and
** tests/nn/test_adamw.c checks all 56 parameters bit for bit after each of 100
** steps. A torch built without FMA kernels would round those two differently.
**
** torch's foreach path (_multi_tensor_adamw, the default on CUDA) computes the
** same formula in a different order: the bias corrections and step size as
** tensors (lr / bc1 then the reciprocal of bc2_sqrt multiplied in), denominators
** via _foreach_div/_foreach_add, and on CUDA nvcc contracts further products into
** FMAs; each reordering rounds differently, so the foreach results can differ
** from these in the last bit or two of each step, and the differences compound
** (not grow: AdamW's update is normalised) over a run.
**
** On the device, __fmul_rn / __fadd_rn / __fdiv_rn / __fsqrt_rn keep nvcc from
** contracting or approximating, so the kernel gives the CPU's bits; on the host
** the C17 build (no GNU extensions) already keeps fp-contract off.
*/
#ifndef TW_NN_ADAMW_H
#define TW_NN_ADAMW_H

#include <math.h> /* pow, sqrt, cos, fmaf (host) */

#include "core/defs.h" /* TW_HD */

TW_EXTERN_C_BEGIN

/* The per-step scalars of one AdamW step, each rounded once to float. */
typedef struct tw_adamw_coef {
  float decay;           /* 1 - lr*wd */
  float beta1, alpha1;   /* b1, 1 - b1 */
  float beta2, alpha2;   /* b2, 1 - b2 */
  float bc2_sqrt;        /* sqrt(1 - b2^t) */
  float eps;             /* eps */
  float neg_step;        /* -lr / (1 - b1^t) */
  float grad_scale;      /* the clipping coefficient applied to g first (1: none) */
  float wd_coupled;      /* Adam's L2 term, g = fma(p, wd, g) (tw_adam_coefs); 0 for AdamW */
} tw_adamw_coef;

/* Host: the scalars of step t >= 1 from the hyper-parameters, in double as torch
** forms them in Python. */
static inline tw_adamw_coef tw_adamw_coefs(double lr, double b1, double b2, double eps, double wd, int64_t t,
                                           float grad_scale) {
  tw_adamw_coef c;
  c.decay = (float)(1.0 - lr * wd);
  c.beta1 = (float)b1;
  c.alpha1 = (float)(1.0 - b1);
  c.beta2 = (float)b2;
  c.alpha2 = (float)(1.0 - b2);
  c.bc2_sqrt = (float)sqrt(1.0 - pow(b2, (double)t));
  c.eps = (float)eps;
  c.neg_step = (float)(-(lr / (1.0 - pow(b1, (double)t))));
  c.grad_scale = grad_scale;
  c.wd_coupled = 0.0f;
  return c;
}

/* Host: the same for torch.optim.Adam (single-tensor path, torch 1.13): the
** weight decay is coupled, grad.add(param, alpha=wd) before the moments, which
** ATen's CPU kernel computes as fma(p, wd, g); no decoupled decay (decay = 1,
** so p*decay is exact). Everything after the gradient is AdamW's order. */
static inline tw_adamw_coef tw_adam_coefs(double lr, double b1, double b2, double eps, double wd, int64_t t,
                                          float grad_scale) {
  tw_adamw_coef c = tw_adamw_coefs(lr, b1, b2, eps, 0.0, t, grad_scale);
  c.wd_coupled = (float)wd;
  return c;
}

#if defined(__CUDA_ARCH__)
#define TW_ADAMW_MUL(a, b) __fmul_rn(a, b)
#define TW_ADAMW_ADD(a, b) __fadd_rn(a, b)
#define TW_ADAMW_DIV(a, b) __fdiv_rn(a, b)
#define TW_ADAMW_SQRT(a) __fsqrt_rn(a)
#define TW_ADAMW_FMA(a, b, c) __fmaf_rn(a, b, c)
#else
#define TW_ADAMW_MUL(a, b) ((a) * (b))
#define TW_ADAMW_ADD(a, b) ((a) + (b))
#define TW_ADAMW_DIV(a, b) ((a) / (b))
#define TW_ADAMW_SQRT(a) sqrtf(a)
#define TW_ADAMW_FMA(a, b, c) fmaf(a, b, c)
#endif

/* One element: g scaled by c.grad_scale (torch's g.mul_(clip_coef)), plus
** Adam's coupled L2 term when c.wd_coupled (tw_adam_coefs; the branch is not
** taken for AdamW, whose bits stay as they were), then the update above on *p,
** *m, *v in torch's order. */
TW_HD void tw_adamw_update(float *p, float g, float *m, float *v, tw_adamw_coef c) {
  const float g0 = TW_ADAMW_MUL(g, c.grad_scale);
  const float gs = c.wd_coupled != 0.0f ? TW_ADAMW_FMA(*p, c.wd_coupled, g0) : g0; /* Adam's L2 */
  const float pd = TW_ADAMW_MUL(*p, c.decay);
  const float mn = TW_ADAMW_FMA(gs, c.alpha1, TW_ADAMW_MUL(*m, c.beta1));
  const float vn = TW_ADAMW_FMA(TW_ADAMW_MUL(c.alpha2, gs), gs, TW_ADAMW_MUL(*v, c.beta2));
  const float denom = TW_ADAMW_ADD(TW_ADAMW_DIV(TW_ADAMW_SQRT(vn), c.bc2_sqrt), c.eps);
  *p = TW_ADAMW_ADD(pd, TW_ADAMW_DIV(TW_ADAMW_MUL(c.neg_step, mn), denom));
  *m = mn;
  *v = vn;
}

/* The step's gradient from the groups' rows (nn_ops.h sum_rows, train_loop.c):
** s + rows[j0][i] + rows[j0+1][i] + ... + rows[k-1][i], added left to right,
** each sum rounded once to float: the order of a host loop of `sum[i] += row[i]`
** over the rows, whatever the backend. The caller multiplies by the scale after
** the last row (TW_ADAMW_MUL). */
TW_HD float tw_rows_add_at(float s, const float *const *rows, int j0, int k, int64_t i) {
  for (int j = j0; j < k; ++j) s = TW_ADAMW_ADD(s, rows[j][i]);
  return s;
}

/* llm.c's learning-rate schedule for 0-based step s: lr_max*(s+1)/warmup during
** the warm-up (s < warmup), then cosine decay from lr_max to lr_min at s = total,
** lr_min after. Host, double. */
typedef struct tw_lr_schedule {
  double lr_max, lr_min;
  int64_t warmup, total; /* steps; 0 <= warmup < total */
} tw_lr_schedule;

static inline double tw_lr_at(const tw_lr_schedule *s, int64_t step) {
  if (step < s->warmup) return s->lr_max * (double)(step + 1) / (double)s->warmup;
  if (step > s->total) return s->lr_min;
  const double ratio = (double)(step - s->warmup) / (double)(s->total - s->warmup);
  const double coeff = 0.5 * (1.0 + cos(3.14159265358979323846 * ratio));
  return s->lr_min + coeff * (s->lr_max - s->lr_min);
}

/* clip_grad_norm_'s coefficient from the total L2 norm of all gradients, in
** float as torch: min(max_norm / (norm + 1e-6), 1). Multiplying the gradients by
** it (tw_adamw_coef.grad_scale) scales them to max_norm when norm > max_norm and
** leaves them unchanged otherwise. */
TW_HD float tw_clip_coef(float norm, float max_norm) {
  const float c = max_norm / (norm + 1e-6f);
  return c < 1.0f ? c : 1.0f;
}

/* Host: the L2 norm of n gradients, summed in double in index order, rounded
** to float (torch sums in float per tensor; the two agree to about 1e-7 rel). */
static inline float tw_grad_norm(int64_t n, const float *g) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += (double)g[i] * (double)g[i];
  return (float)sqrt(s);
}

TW_EXTERN_C_END

#endif
