/*
** nets_math.h: the GAN's pointwise math, one source for the CPU loops
** (nets_ops_cpu.c) and the CUDA kernels that mirror them (cuda/gan_ops_cuda.cu;
** DESIGN.md invariant 1): the random draws of training and sampling, the critic's
** LeakyReLU with dropout (and its backward, which is also its double backward),
** BatchNorm's element maps and column statistics, the output activations (tanh, Gumbel-softmax) and
** their backward, CTGAN's cross-entropy on the conditioned span, and the
** WGAN-GP penalty of one pac group.
**
** Semantics are PyTorch's (torch 1.13), as CTGAN 0.10 calls it:
**   LeakyReLU(0.2) then Dropout(0.5): h = leaky(a) * mask, mask = 0 or 1/(1-p)
**   gumbel_softmax(x, tau, hard=False): softmax((x + g) / tau), g = -log(E), E ~ Exp(1)
**   cross_entropy(x, k) = logsumexp(x) - x_k
** Exponentials use the vectorisable tw_nn_expf (nn/nn_math.h, 3e-7 relative);
** the Gumbel noise's two logarithms the float tw_gan_logf below (Cephes' logf,
** plain arithmetic so that the CPU fill runs as vector code: libm's log kept
** the fill scalar and cost a fifth of a training step).
*/
#ifndef TW_GAN_NETS_MATH_H
#define TW_GAN_NETS_MATH_H

#include <math.h> /* log, sqrt */

#include "core/philox.h" /* tw_philox_block, tw_u01_f32, tw_normal2_f64 */
#include "gan/layout.h"  /* tw_gan_span */
#include "nn/nn_math.h"  /* tw_nn_expf, tw_nn_tanhf */

TW_EXTERN_C_BEGIN

/* What a random fill draws per element. */
typedef enum tw_gan_draw {
  TW_GAN_DRAW_NORMAL = 0,  /* N(0,1): element e is half e%2 of Box-Muller pair e/2 (block e/2) */
  TW_GAN_DRAW_UNIFORM = 1, /* U(0,1): word e%4 of block e/4 */
  TW_GAN_DRAW_GUMBEL = 2,  /* -log(-log(U)), U as UNIFORM */
  TW_GAN_DRAW_DROPOUT = 3  /* 1/(1-p) with probability 1-p, else 0; U as UNIFORM */
} tw_gan_draw;

/* log(x) for a positive normal float x, relative error about 1e-7 (Cephes'
** logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1,
** ln 2 in two parts). Gumbel noise only: not for 0, denormals, inf or NaN. */
TW_HD float tw_gan_logf(float x) {
#if defined(__CUDA_ARCH__)
  uint32_t bits = __float_as_uint(x);
#else
  union { float f; uint32_t u; } v;
  v.f = x;
  uint32_t bits = v.u;
#endif
  int e = (int)(bits >> 23) - 127;
  bits = (bits & 0x007FFFFFu) | 0x3F800000u; /* m in [1, 2) */
#if defined(__CUDA_ARCH__)
  float m = __uint_as_float(bits);
#else
  v.u = bits;
  float m = v.f;
#endif
  const int big = m > 1.41421356f;
  m = big ? 0.5f * m : m;
  e += big;
  const float f = m - 1.0f, z = f * f, fe = (float)e;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  return f + y + 0.693359375f * fe;
}

/* The block index (after index0) that holds element e of a `kind` stream. */
TW_HD uint32_t tw_gan_draw_block(tw_gan_draw kind, int64_t e) {
  return (uint32_t)(kind == TW_GAN_DRAW_NORMAL ? e / 2 : e / 4);
}

/* One block's state: its four words and, for NORMAL, its Box-Muller pair. */
typedef struct tw_gan_block {
  uint32_t r[4];
  double z0, z1;
} tw_gan_block;

TW_HD void tw_gan_block_fill(tw_gan_draw kind, uint64_t seed, uint64_t twin, uint32_t purpose, uint32_t index,
                             tw_gan_block *b) {
  tw_philox_block(seed, twin, purpose, index, b->r);
  if (kind == TW_GAN_DRAW_NORMAL) tw_normal2_f64(b->r, &b->z0, &b->z1);
}

/* The value of a UNIFORM, GUMBEL or DROPOUT element from its word x. */
TW_HD float tw_gan_draw_word(tw_gan_draw kind, uint32_t x, float p) {
  const float u = tw_u01_f32(x);
  if (kind == TW_GAN_DRAW_GUMBEL) return -tw_gan_logf(-tw_gan_logf(u));
  if (kind == TW_GAN_DRAW_DROPOUT) return u < 1.0f - p ? 1.0f / (1.0f - p) : 0.0f;
  return u;
}

/* Element e's value from the block that holds it (tw_gan_block_fill). */
TW_HD float tw_gan_draw_from(tw_gan_draw kind, const tw_gan_block *b, int64_t e, float p) {
  if (kind == TW_GAN_DRAW_NORMAL) return (float)(e % 2 ? b->z1 : b->z0);
  return tw_gan_draw_word(kind, b->r[e % 4], p);
}

/* The critic's LeakyReLU slope at pre-activation a. */
TW_HD float tw_gan_leaky_slope(float a, float slope) { return a > 0.0f ? 1.0f : slope; }

/* h = leaky(a) * mask (mask 0 or 1/(1-p): torch's dropout multiplies by it). */
TW_HD float tw_gan_leaky_dropout(float a, float mask, float slope) {
  return (a > 0.0f ? a : a * slope) * mask;
}

/* Backward of h = leaky(a) * mask: da = dh * mask * slope(a). The map is linear
** in dh with coefficients fixed by (a, mask), so the same function is its double
** backward (what the gradient penalty's gradient goes through): torch's
** leaky_relu_backward has zero derivative with respect to a. */
TW_HD float tw_gan_leaky_dropout_grad(float a, float mask, float dh, float slope) {
  return dh * mask * tw_gan_leaky_slope(a, slope);
}

/* BatchNorm then ReLU for one element: relu((f - mean) * invstd * gamma + beta). */
TW_HD float tw_gan_bn_relu(float f, float mean, float invstd, float gamma, float beta) {
  const float y = (f - mean) * invstd * gamma + beta;
  return y > 0.0f ? y : 0.0f;
}

/* BatchNorm's 1 / sqrt(var + eps) of one column, in double, rounded once. */
TW_HD float tw_gan_bn_invstd(double var, float eps) { return (float)(1.0 / sqrt(var + (double)eps)); }

/* One column's training statistics from its sums over `rows` rows, in double
** (m = sum f / rows, s2 = sum (f - m)^2, both in row order): mean and invstd
** (biased variance); the running mean and variance (unbiased) moved by
** momentum when rmean is not NULL. */
TW_HD void tw_gan_bn_column(int64_t rows, double m, double s2, float eps, float momentum, float *mean, float *invstd,
                            float *rmean, float *rvar) {
  const double var = s2 / (double)rows;
  *mean = (float)m;
  *invstd = tw_gan_bn_invstd(var, eps);
  if (rmean) {
    const double unbiased = rows > 1 ? s2 / (double)(rows - 1) : var;
    *rmean = (float)((1.0 - momentum) * *rmean + momentum * m);
    *rvar = (float)((1.0 - momentum) * *rvar + momentum * unbiased);
  }
}

/* BatchNorm-ReLU backward, one element: dy (the gradient past the ReLU, from
** the output and its gradient), xhat (the normalised input), and df from dy,
** xhat and the column means of dy and dy xhat (msdy, msdyx). */
TW_HD float tw_gan_bn_dy(float out, float dout) { return out > 0.0f ? dout : 0.0f; }
TW_HD float tw_gan_bn_xhat(float f, float mean, float invstd) { return (f - mean) * invstd; }
TW_HD float tw_gan_bn_df(float gamma, float invstd, float dy, float xhat, float msdy, float msdyx) {
  return gamma * invstd * (dy - msdy - xhat * msdyx);
}

/* The same backward's column finish from the double sums over `rows` rows
** (sdy = sum dy, sdyx = sum dy xhat): dbeta += sdy, dgamma += sdyx, and their
** means for tw_gan_bn_df. */
TW_HD void tw_gan_bn_grad_column(int64_t rows, double sdy, double sdyx, float *dgamma, float *dbeta, float *msdy,
                                 float *msdyx) {
  const double inv_rows = 1.0 / (double)rows;
  *dbeta += (float)sdy;
  *dgamma += (float)sdyx;
  *msdy = (float)(sdy * inv_rows);
  *msdyx = (float)(sdyx * inv_rows);
}

/* Gumbel-softmax over one span of w logits x with noise g, into y:
** y = softmax((x + g) / tau), the maximum subtracted first. */
TW_HD void tw_gan_gumbel_softmax(int w, const float *x, const float *g, float tau, float *y) {
  float mx = -3.402823466e38f;
  for (int j = 0; j < w; ++j) {
    y[j] = (x[j] + g[j]) / tau;
    mx = y[j] > mx ? y[j] : mx;
  }
  float s = 0.0f;
  for (int j = 0; j < w; ++j) {
    y[j] = tw_nn_expf(y[j] - mx);
    s += y[j];
  }
  const float inv = 1.0f / s;
  for (int j = 0; j < w; ++j) y[j] *= inv;
}

/* Its backward from the output y and dy: dx = y * (dy - sum(dy * y)) / tau. */
TW_HD void tw_gan_gumbel_softmax_grad(int w, const float *y, const float *dy, float tau, float *dx) {
  float dot = 0.0f;
  for (int j = 0; j < w; ++j) dot += dy[j] * y[j];
  for (int j = 0; j < w; ++j) dx[j] = y[j] * (dy[j] - dot) / tau;
}

/* One row's output activations: y from logits x and Gumbel noise g, span by span. */
TW_HD void tw_gan_activate_row(int n_spans, const tw_gan_span *spans, const float *x, const float *g, float tau,
                               float *y) {
  for (int s = 0; s < n_spans; ++s) {
    const int a = spans[s].start, w = spans[s].width;
    if (spans[s].kind == TW_GAN_SPAN_TANH) {
      for (int j = a; j < a + w; ++j) y[j] = tw_nn_tanhf(x[j]);
    } else {
      tw_gan_gumbel_softmax(w, x + a, g + a, tau, y + a);
    }
  }
}

/* Its backward: dx from the activated y and dy. */
TW_HD void tw_gan_activate_row_grad(int n_spans, const tw_gan_span *spans, const float *y, const float *dy, float tau,
                                    float *dx) {
  for (int s = 0; s < n_spans; ++s) {
    const int a = spans[s].start, w = spans[s].width;
    if (spans[s].kind == TW_GAN_SPAN_TANH) {
      for (int j = a; j < a + w; ++j) dx[j] = tw_nn_tanh_grad(y[j], dy[j]);
    } else {
      tw_gan_gumbel_softmax_grad(w, y + a, dy + a, tau, dx + a);
    }
  }
}

/* CTGAN's _cond_loss term of one row and one conditioned span: the cross entropy
** of logits x (w) against the argmax k of the cond one-hot c (w; the first
** maximum, as torch.argmax), weighted by m (the row's mask for this column).
** Adds m * scale * (softmax(x) - onehot(k)) to dx and returns m * CE. */
TW_HD float tw_gan_cond_ce(int w, const float *x, const float *c, float m, float scale, float *dx) {
  if (m == 0.0f) return 0.0f;
  int k = 0;
  float mx = x[0];
  for (int j = 1; j < w; ++j) {
    k = c[j] > c[k] ? j : k;
    mx = x[j] > mx ? x[j] : mx;
  }
  float s = 0.0f;
  for (int j = 0; j < w; ++j) s += tw_nn_expf(x[j] - mx);
  const float inv = 1.0f / s;
  for (int j = 0; j < w; ++j) dx[j] += m * scale * (tw_nn_expf(x[j] - mx) * inv - (j == k ? 1.0f : 0.0f));
  return m * ((float)log((double)s) + mx - x[k]);
}

/* CTGAN's _cond_loss of one row: the tw_gan_cond_ce terms of its n_cond
** conditioned spans (spans[cond_span[k]], whose one-hot sits at cond[off_k..],
** off_k the widths of the cond spans before it), summed in k order; adds their
** gradients to the row's dx. x, cond, mask (n_cond) and dx are the row's. */
TW_HD float tw_gan_cond_loss_row(const tw_gan_span *spans, int n_cond, const int *cond_span, const float *x,
                                 const float *cond, const float *mask, float scale, float *dx) {
  float loss = 0.0f;
  int off = 0;
  for (int k = 0; k < n_cond; ++k) {
    const tw_gan_span *sp = &spans[cond_span[k]];
    loss += tw_gan_cond_ce(sp->width, x + sp->start, cond + off, mask[k], scale, dx + sp->start);
    off += sp->width;
  }
  return loss;
}

/* The penalty's interpolate of one element, torch's order: alpha * real and
** (1 - alpha) * fake, each rounded, then their sum. */
TW_HD float tw_gan_interpolate(float alpha, float real, float fake) {
  const float x = alpha * real, y = (1.0f - alpha) * fake;
  return x + y;
}

/* The gradient penalty of one pac group from the critic's input gradient gx
** (n elements, the group's row): returns (||gx|| - 1)^2 and writes
** dgx = coef * 2 (||gx|| - 1) / ||gx|| * gx, coef = lambda / groups, the
** gradient of lambda * mean over groups (zero where ||gx|| = 0, as torch's norm). */
TW_HD float tw_gan_penalty(int64_t n, const float *gx, float coef, float *dgx) {
  double ss = 0.0;
  for (int64_t i = 0; i < n; ++i) ss += (double)gx[i] * (double)gx[i];
  const float norm = (float)sqrt(ss), d = norm - 1.0f;
  const float k = norm > 0.0f ? coef * 2.0f * d / norm : 0.0f;
  for (int64_t i = 0; i < n; ++i) dgx[i] = k * gx[i];
  return d * d;
}

TW_EXTERN_C_END

#endif
