/*
** gan_ops_cuda.cu: the CUDA table of the GAN's kernels, entry for entry the
** counterpart of src/gan/nets_ops_cpu.c (contract in src/gan/nets_ops.h).
**
** Every kernel calls the TW_HD functions the CPU loops call (gan/nets_math.h,
** nn/adamw.h, tw_gan_stream_value of gan/nets_ops.h); only the indexing
** differs. Element maps run one thread per output element through the
** neural-twin family's launcher (TW_NN_CUDA_LAUNCH, nn_ops_cuda.h); the
** activations one thread per (row, span), the conditional loss one per row,
** the penalty one per pac group. Products go to the backend's own cuBLAS
** gemm (backend_cuda.cu) as one call: cuBLAS keeps a product's bits fixed for a
** given shape and GPU, so the CPU's cutting into blocks (which is there for
** OpenBLAS's thread-count-dependent rounding) is not needed here.
**
** Determinism: no reduction uses atomics or a tree whose shape depends on the
** launch. A column's BatchNorm statistics, and its dgamma and dbeta, are summed
** by one thread over the rows in row order, in double, as the CPU sums a
** column; a pac group's penalty norm by one thread in element order, a row's
** conditional loss by one thread in span order. So each is the CPU's sum, the
** same bits for any launch. One thread per column leaves a 1024-wide layer at
** four blocks: these sums read a batch of at most a few thousand rows, and
** BatchNorm is a few percent of a step next to the products.
**
** Rounding: cuda/CMakeLists.txt compiles this file with --fmad=false, so nvcc
** does not contract a * b + c into one fused operation where the host C build
** (ISO C17, fp-contract off) rounds twice; the pointwise functions (the float
** exp, tanh and log of nn_math.h and nets_math.h are plain arithmetic) then
** round as on the CPU. What can still differ on a GPU is the device's double
** log, sin and cos (Box-Muller's normal draws, the cross entropy's log), each
** within an ulp or two of glibc's in double, before the rounding to float.
** Under the CUDA emulator (tests/cuda_emu) the host's libm is used and every
** entry but gemm gives the CPU's bits (tests/gan/test_gan_cuda.c).
*/
#include <cuda_runtime.h> /* launches, stream-ordered allocation */

#include "backend_cuda.h"  /* tw_cuda_activate, tw_cuda_stream */
#include "core/check.h"    /* TW_CUDA_CHECK (after the CUDA headers) */
#include "gan/nets_ops.h"  /* the contract, tw_gan_stream_value, tw_gan_gemm_desc */
#include "gan_ops_cuda.h"  /* tw_gan_ops_cuda */
#include "nn_ops_cuda.h"   /* TW_NN_CUDA_LAUNCH, TW_NN_GRID_STRIDE_T */

/* ---- products -------------------------------------------------------------- */

static tw_status cuda_gemm(tw_backend *be, int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a,
                           int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  TW_TRY(tw_gan_gemm_sizes(m, n, k));
  const tw_gemm_batch g = tw_gan_gemm_desc(ta, tb, 0, m, 0, n, k, a, lda, b, ldb, beta, c, ldc);
  return be->gemm(be, &g);
}

/* ---- random draws and copies ----------------------------------------------- */

// Element (r, j) of a (count / cols, cols) fill: its own Philox block, computed
// per element (two or four neighbours share a block; recomputing it costs less
// than the exchange would).
template <typename I>
static __global__ void fill_kernel(I count, int cols, tw_gan_draw kind, tw_gan_stream s, float p,
                                   float *TW_RESTRICT out, int64_t ld) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const I r = i / cols, j = i % cols;
    out[(int64_t)r * ld + j] = tw_gan_stream_value(kind, &s, r, j, p);
  }
}

template <typename I>
static __global__ void copy2d_kernel(I count, int cols, const float *TW_RESTRICT src, int64_t lds,
                                     float *TW_RESTRICT dst, int64_t ldd) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const I r = i / cols, j = i % cols;
    dst[(int64_t)r * ldd + j] = src[(int64_t)r * lds + j];
  }
}

static tw_status cuda_fill_random(tw_backend *be, tw_gan_draw kind, int64_t rows, int cols, const tw_gan_stream *s,
                                  float p, float *out, int64_t ld) {
  TW_TRY(tw_cuda_activate(be));
  if (rows > 0 && cols > 0) TW_NN_CUDA_LAUNCH(fill_kernel, rows * cols, cols, kind, *s, p, out, ld);
  return TW_OK;
}

static tw_status cuda_copy2d(tw_backend *be, int64_t rows, int cols, const float *src, int64_t lds, float *dst,
                             int64_t ldd) {
  TW_TRY(tw_cuda_activate(be));
  if (rows > 0 && cols > 0) TW_NN_CUDA_LAUNCH(copy2d_kernel, rows * cols, cols, src, lds, dst, ldd);
  return TW_OK;
}

/* ---- BatchNorm + ReLU ------------------------------------------------------ */

// Column j's batch statistics: one thread walks the rows in order, in double,
// as the CPU's column_moments; running statistics moved when rmean is given.
template <typename I>
static __global__ void bn_stats_kernel(I n, int64_t rows, const float *TW_RESTRICT f, float eps, float momentum,
                                       float *TW_RESTRICT mean, float *TW_RESTRICT invstd, float *TW_RESTRICT rmean,
                                       float *TW_RESTRICT rvar) {
  TW_NN_GRID_STRIDE_T(I, j, n) {
    double s1 = 0.0, s2 = 0.0;
    for (int64_t r = 0; r < rows; ++r) s1 += f[r * n + j];
    const double m = s1 / (double)rows;
    for (int64_t r = 0; r < rows; ++r) s2 += ((double)f[r * n + j] - m) * ((double)f[r * n + j] - m);
    tw_gan_bn_column(rows, m, s2, eps, momentum, &mean[j], &invstd[j], rmean ? &rmean[j] : NULL,
                     rvar ? &rvar[j] : NULL);
  }
}

// out (rows, n; ld ldo) = relu(BN(f)); invstd from the batch (training) or,
// when NULL, from the running variance var (evaluation).
template <typename I>
static __global__ void bn_relu_kernel(I count, int n, const float *TW_RESTRICT f, const float *TW_RESTRICT mean,
                                      const float *TW_RESTRICT invstd, const float *TW_RESTRICT var, float eps,
                                      const float *TW_RESTRICT gamma, const float *TW_RESTRICT beta,
                                      float *TW_RESTRICT out, int64_t ldo) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const I r = i / n;
    const int j = (int)(i % n);
    const float is = invstd ? invstd[j] : tw_gan_bn_invstd((double)var[j], eps);
    out[(int64_t)r * ldo + j] = tw_gan_bn_relu(f[i], mean[j], is, gamma[j], beta[j]);
  }
}

static tw_status cuda_bn_train_forward(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                                       const float *beta, float eps, float momentum, float *mean, float *invstd,
                                       float *running_mean, float *running_var, float *out, int64_t ldo) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(bn_stats_kernel, n, rows, f, eps, momentum, mean, invstd, running_mean, running_var);
  TW_NN_CUDA_LAUNCH(bn_relu_kernel, rows * n, n, f, mean, invstd, (const float *)NULL, eps, gamma, beta, out, ldo);
  return TW_OK;
}

static tw_status cuda_bn_eval_forward(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                                      const float *beta, float eps, const float *running_mean,
                                      const float *running_var, float *out, int64_t ldo) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(bn_relu_kernel, rows * n, n, f, running_mean, (const float *)NULL, running_var, eps, gamma, beta,
                    out, ldo);
  return TW_OK;
}

// Column j of the backward's sums (dy and dy xhat over the rows, in order, in
// double, as the CPU's bn_grad_sums): dgamma, dbeta added to, their means
// written to means[j] and means[n + j].
template <typename I>
static __global__ void bn_grad_sums_kernel(I n, int64_t rows, const float *TW_RESTRICT f, const float *TW_RESTRICT mean,
                                           const float *TW_RESTRICT invstd, const float *TW_RESTRICT out, int64_t ldo,
                                           const float *TW_RESTRICT dout, int64_t ldd, float *TW_RESTRICT dgamma,
                                           float *TW_RESTRICT dbeta, float *TW_RESTRICT means) {
  TW_NN_GRID_STRIDE_T(I, j, n) {
    double sdy = 0.0, sdyx = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
      const float dy = tw_gan_bn_dy(out[r * ldo + j], dout[r * ldd + j]);
      sdy += dy;
      sdyx += (double)dy * (double)tw_gan_bn_xhat(f[r * n + j], mean[j], invstd[j]);
    }
    tw_gan_bn_grad_column(rows, sdy, sdyx, &dgamma[j], &dbeta[j], &means[j], &means[n + j]);
  }
}

template <typename I>
static __global__ void bn_grad_rows_kernel(I count, int n, const float *TW_RESTRICT f, const float *TW_RESTRICT mean,
                                           const float *TW_RESTRICT invstd, const float *TW_RESTRICT gamma,
                                           const float *TW_RESTRICT out, int64_t ldo, const float *TW_RESTRICT dout,
                                           int64_t ldd, const float *TW_RESTRICT means, float *TW_RESTRICT df) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const int64_t r = (int64_t)(i / n);
    const int j = (int)(i % n);
    const float dy = tw_gan_bn_dy(out[r * ldo + j], dout[r * ldd + j]);
    const float xhat = tw_gan_bn_xhat(f[i], mean[j], invstd[j]);
    df[i] = tw_gan_bn_df(gamma[j], invstd[j], dy, xhat, means[j], means[n + j]);
  }
}

/* The two launches of the backward, with the column means in `means` (2n). */
static tw_status bn_grad_launch(tw_backend *be, int64_t rows, int n, const float *f, const float *mean,
                                const float *invstd, const float *gamma, const float *out, int64_t ldo,
                                const float *dout, int64_t ldd, float *df, float *dgamma, float *dbeta, float *means) {
  TW_NN_CUDA_LAUNCH(bn_grad_sums_kernel, n, rows, f, mean, invstd, out, ldo, dout, ldd, dgamma, dbeta, means);
  TW_NN_CUDA_LAUNCH(bn_grad_rows_kernel, rows * n, n, f, mean, invstd, gamma, out, ldo, dout, ldd, means, df);
  return TW_OK;
}

/* The column means live in scratch from the stream-ordered pool (as
** nn_ops_cuda.cu's column sums): no device allocation in steady state. */
static tw_status cuda_bn_relu_backward(tw_backend *be, int64_t rows, int n, const float *f, const float *mean,
                                       const float *invstd, const float *gamma, const float *out, int64_t ldo,
                                       const float *dout, int64_t ldd, float *df, float *dgamma, float *dbeta) {
  TW_TRY(tw_cuda_activate(be));
  if (n <= 0) return TW_OK;
  cudaStream_t stream = tw_cuda_stream(be);
  float *means = NULL;
  TW_CUDA_CHECK(cudaMallocAsync((void **)&means, 2 * (size_t)n * sizeof(float), stream));
  const tw_status st = bn_grad_launch(be, rows, n, f, mean, invstd, gamma, out, ldo, dout, ldd, df, dgamma, dbeta,
                                      means);
  const cudaError_t freed = cudaFreeAsync(means, stream);
  TW_TRY(st);
  TW_CUDA_CHECK(freed);
  return TW_OK;
}

/* ---- critic element maps --------------------------------------------------- */

template <typename I>
static __global__ void leaky_dropout_kernel(I count, const float *TW_RESTRICT a, const float *TW_RESTRICT mask,
                                            float slope, float *TW_RESTRICT h) {
  TW_NN_GRID_STRIDE_T(I, i, count) h[i] = tw_gan_leaky_dropout(a[i], mask[i], slope);
}

// da may alias dh (the double backward writes in place): no restrict on them.
template <typename I>
static __global__ void leaky_dropout_grad_kernel(I count, const float *TW_RESTRICT a, const float *TW_RESTRICT mask,
                                                 const float *dh, float slope, float *da) {
  TW_NN_GRID_STRIDE_T(I, i, count) da[i] = tw_gan_leaky_dropout_grad(a[i], mask[i], dh[i], slope);
}

static tw_status cuda_leaky_dropout(tw_backend *be, int64_t count, const float *a, const float *mask, float slope,
                                    float *h) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(leaky_dropout_kernel, count, a, mask, slope, h);
  return TW_OK;
}

static tw_status cuda_leaky_dropout_grad(tw_backend *be, int64_t count, const float *a, const float *mask,
                                         const float *dh, float slope, float *da) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(leaky_dropout_grad_kernel, count, a, mask, dh, slope, da);
  return TW_OK;
}

/* ---- output activations and the conditional loss --------------------------- */

// Span s of row r (i = r * n_spans + s): the span's entries of out, from the
// row's logits and noise, through the one-row function with the one span.
template <typename I>
static __global__ void activate_kernel(I count, int n_spans, int width, const tw_gan_span *TW_RESTRICT spans,
                                       const float *TW_RESTRICT raw, const float *TW_RESTRICT gumbel, float tau,
                                       float *TW_RESTRICT out, int64_t ldo) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const int64_t r = (int64_t)(i / n_spans);
    tw_gan_activate_row(1, spans + i % n_spans, raw + r * width, gumbel + r * width, tau, out + r * ldo);
  }
}

template <typename I>
static __global__ void activate_backward_kernel(I count, int n_spans, int width, const tw_gan_span *TW_RESTRICT spans,
                                                const float *TW_RESTRICT out, int64_t ldo,
                                                const float *TW_RESTRICT dout, int64_t ldd, float tau,
                                                float *TW_RESTRICT draw) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const int64_t r = (int64_t)(i / n_spans);
    tw_gan_activate_row_grad(1, spans + i % n_spans, out + r * ldo, dout + r * ldd, tau, draw + r * width);
  }
}

// Row r's conditional loss and its gradient, the spans in the CPU's order.
template <typename I>
static __global__ void cond_loss_kernel(I rows, int width, const tw_gan_span *TW_RESTRICT spans, int n_cond,
                                        const int *TW_RESTRICT cond_span, const float *TW_RESTRICT raw,
                                        const float *TW_RESTRICT cond, int64_t ldc, const float *TW_RESTRICT mask,
                                        float scale, float *TW_RESTRICT draw, float *TW_RESTRICT loss_rows) {
  TW_NN_GRID_STRIDE_T(I, r, rows) {
    loss_rows[r] = tw_gan_cond_loss_row(spans, n_cond, cond_span, raw + (int64_t)r * width, cond + (int64_t)r * ldc,
                                        mask + (int64_t)r * n_cond, scale, draw + (int64_t)r * width);
  }
}

static tw_status cuda_activate(tw_backend *be, int64_t rows, int width, int n_spans, const tw_gan_span *spans,
                               const float *raw, const float *gumbel, float tau, float *out, int64_t ldo) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(activate_kernel, rows * n_spans, n_spans, width, spans, raw, gumbel, tau, out, ldo);
  return TW_OK;
}

static tw_status cuda_activate_backward(tw_backend *be, int64_t rows, int width, int n_spans,
                                        const tw_gan_span *spans, const float *out, int64_t ldo, const float *dout,
                                        int64_t ldd, float tau, float *draw) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(activate_backward_kernel, rows * n_spans, n_spans, width, spans, out, ldo, dout, ldd, tau, draw);
  return TW_OK;
}

static tw_status cuda_cond_loss(tw_backend *be, int64_t rows, int width, const tw_gan_span *spans, int n_cond,
                                const int *cond_span, const float *raw, const float *cond, int64_t ldc,
                                const float *mask, float scale, float *draw, float *loss_rows) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(cond_loss_kernel, rows, width, spans, n_cond, cond_span, raw, cond, ldc, mask, scale, draw,
                    loss_rows);
  return TW_OK;
}

/* ---- gradient penalty ------------------------------------------------------ */

template <typename I>
static __global__ void interpolate_kernel(I count, int64_t group_elems, const float *TW_RESTRICT alpha,
                                          const float *TW_RESTRICT real, const float *TW_RESTRICT fake,
                                          float *TW_RESTRICT out) {
  TW_NN_GRID_STRIDE_T(I, i, count) out[i] = tw_gan_interpolate(alpha[i / group_elems], real[i], fake[i]);
}

// Group g's penalty term and gradient: one thread, the norm summed in order.
template <typename I>
static __global__ void penalty_kernel(I groups, int64_t n, const float *TW_RESTRICT gx, float coef,
                                      float *TW_RESTRICT dgx, float *TW_RESTRICT terms) {
  TW_NN_GRID_STRIDE_T(I, g, groups) terms[g] = tw_gan_penalty(n, gx + (int64_t)g * n, coef, dgx + (int64_t)g * n);
}

static tw_status cuda_interpolate(tw_backend *be, int64_t groups, int64_t group_elems, const float *alpha,
                                  const float *real, const float *fake, float *out) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(interpolate_kernel, groups * group_elems, group_elems, alpha, real, fake, out);
  return TW_OK;
}

static tw_status cuda_penalty(tw_backend *be, int64_t groups, int64_t n, const float *gx, float coef, float *dgx,
                              float *terms) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(penalty_kernel, groups, n, gx, coef, dgx, terms);
  return TW_OK;
}

/* ---- optimiser ------------------------------------------------------------- */

// Adam's update with the coefficients formed on the host (tw_adam_coefs), as
// the CPU's; its operations are explicitly rounded (nn/adamw.h).
template <typename I>
static __global__ void adam_kernel(I n, float *TW_RESTRICT p, const float *TW_RESTRICT g, float *TW_RESTRICT m,
                                   float *TW_RESTRICT v, tw_adamw_coef c) {
  TW_NN_GRID_STRIDE_T(I, i, n) tw_adamw_update(&p[i], g[i], &m[i], &v[i], c);
}

static tw_status cuda_adam_step(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v,
                                tw_adamw_coef c) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(adam_kernel, n, p, g, m, v, c);
  return TW_OK;
}

/* In nets_ops.h order (C++ has no designated initialisers before C++20). */
extern "C" const tw_gan_ops tw_gan_ops_cuda = {
    cuda_gemm,         cuda_fill_random,      cuda_copy2d,           cuda_bn_train_forward, cuda_bn_eval_forward,
    cuda_bn_relu_backward, cuda_leaky_dropout, cuda_leaky_dropout_grad, cuda_activate,      cuda_activate_backward,
    cuda_cond_loss,    cuda_interpolate,      cuda_penalty,          cuda_adam_step,
};
