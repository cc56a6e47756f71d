/*
** nets_ops.h: the GAN's kernel family, one table per backend, as nn/nn_ops.h
** is the neural twin's.
**
** The orchestration (nets_gen.c, nets_critic.c, gan_train.c) is the same code
** for every backend: products through be->gemm, bias adds, column sums and
** float sums through the nn table (tw_nn_ops_for: bias_act, bias_grad, sum),
** everything else through these entries, which compute with the TW_HD
** functions of gan/nets_math.h and nn/adamw.h. The CPU table is
** tw_gan_ops_cpu (nets_ops_cpu.c, OpenMP), the reference; the CUDA table is
** tw_gan_ops_cuda (cuda/gan_ops_cuda.cu, in the CUDA module), which the module
** puts in a CUDA backend's TW_FAMILY_GAN slot; tw_gan_ops_for (nets_ops_for.c)
** reads the slot.
**
** Conventions: pointers live on the backend's device (the span table too);
** matrices are row-major with the leading dimension given; reductions over rows
** never split a column's sum across threads, so results are the same bits for
** any thread count (DESIGN.md invariant 2).
*/
#ifndef TW_GAN_NETS_OPS_H
#define TW_GAN_NETS_OPS_H

#include <stdint.h> /* INT32_MAX */
#include <string.h> /* memset */

#include "backend/backend.h" /* tw_backend, tw_gemm_batch */
#include "core/status.h"     /* tw_status */
#include "gan/layout.h"      /* tw_gan_span */
#include "gan/nets_math.h"   /* tw_gan_draw */
#include "nn/adamw.h"        /* tw_adamw_coef */

TW_EXTERN_C_BEGIN

/* Where a random fill's element (r, j) comes from: the Philox stream
** (seed, twin0 + r * twin_per_row, purpose), element r * row_elems + j of it,
** counted from block index0 (tw_gan_draw_from). Training fills one stream per
** matrix (twin_per_row 0, row_elems = cols); sampling one stream per output row
** (twin_per_row 1, row_elems 0), so a row's draws do not depend on the batch. */
typedef struct tw_gan_stream {
  uint64_t seed, twin0, twin_per_row;
  uint32_t purpose, index0;
  int64_t row_elems;
} tw_gan_stream;

/* The value of element (r, j) of a fill of `kind` from stream s: the definition
** the CPU's vectorised fill reproduces block by block and the CUDA fill
** computes per element. */
TW_HD float tw_gan_stream_value(tw_gan_draw kind, const tw_gan_stream *s, int64_t r, int64_t j, float p) {
  const int64_t e = r * s->row_elems + j;
  tw_gan_block b;
  tw_gan_block_fill(kind, s->seed, s->twin0 + (uint64_t)r * s->twin_per_row, s->purpose,
                    s->index0 + tw_gan_draw_block(kind, e), &b);
  return tw_gan_draw_from(kind, &b, e, p);
}

/* One product of the gemm entry, or one block of it (rows [i0, i0 + mb),
** columns [j0, j0 + nb) of c), as a single be->gemm call; the caller has
** checked that the sizes fit in int. */
static inline tw_gemm_batch tw_gan_gemm_desc(int ta, int tb, int64_t i0, int64_t mb, int64_t j0, int64_t nb,
                                             int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                                             float beta, float *c, int64_t ldc) {
  tw_gemm_batch g;
  memset(&g, 0, sizeof g);
  g.dtype = TW_F32;
  g.trans_a = ta;
  g.trans_b = tb;
  g.m = (int)mb;
  g.n = (int)nb;
  g.k = (int)k;
  g.alpha = 1.0;
  g.beta = beta;
  g.a = a + (ta ? i0 : i0 * lda);
  g.lda = lda;
  g.b = b + (tb ? j0 * ldb : j0);
  g.ldb = ldb;
  g.c = c + i0 * ldc + j0;
  g.ldc = ldc;
  g.batch = 1;
  return g;
}

/* TW_OK when a GAN product's sizes fit cuBLAS's and BLAS's int arguments. */
static inline tw_status tw_gan_gemm_sizes(int64_t m, int64_t n, int64_t k) {
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    return TW_FAIL(TW_ERR_INTERNAL, "GAN product (%lld,%lld,%lld) exceeds int sizes", (long long)m, (long long)n,
                   (long long)k);
  return TW_OK;
}

typedef struct tw_gan_ops {
  /* c (m,n) = op(a) op(b) + beta c, float32, row-major (be->gemm's semantics),
  ** computed so that the bits depend on the shapes only: on the CPU the larger
  ** of m and n is cut into fixed blocks (256 rows or 1024 columns), one single-threaded BLAS
  ** call each, the blocks shared among OpenMP threads (OpenBLAS's own threads
  ** split the work by thread count, and its kernels round by shape, so its
  ** results differ between 1 and 2 threads). */
  tw_status (*gemm)(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                    int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

  /* out[r*ld + j] (rows, cols) = draw `kind` of element (r, j); p the dropout rate. */
  tw_status (*fill_random)(tw_backend *be, tw_gan_draw kind, int64_t rows, int cols, const tw_gan_stream *s,
                           float p, float *out, int64_t ld);

  /* dst (rows, cols; ld ldd) = src (ld lds). */
  tw_status (*copy2d)(tw_backend *be, int64_t rows, int cols, const float *src, int64_t lds, float *dst, int64_t ldd);

  /* BatchNorm1d in training mode then ReLU, over f (rows, n) contiguous:
  ** mean, invstd (n) of the batch (biased variance, eps), written;
  ** out (rows, n; ld ldo) = relu((f - mean) invstd gamma + beta);
  ** running_mean/var (n) updated with momentum (unbiased variance), when not NULL. */
  tw_status (*bn_train_forward)(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                                const float *beta, float eps, float momentum, float *mean, float *invstd,
                                float *running_mean, float *running_var, float *out, int64_t ldo);

  /* The same in evaluation mode: the running statistics, nothing updated. */
  tw_status (*bn_eval_forward)(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                               const float *beta, float eps, const float *running_mean, const float *running_var,
                               float *out, int64_t ldo);

  /* Backward of bn_train_forward from out (ld ldo) and dout (ld ldd):
  ** dy = dout where out > 0; dgamma += sum dy xhat, dbeta += sum dy;
  ** df (rows, n) = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)). */
  tw_status (*bn_relu_backward)(tw_backend *be, int64_t rows, int n, const float *f, const float *mean,
                                const float *invstd, const float *gamma, const float *out, int64_t ldo,
                                const float *dout, int64_t ldd, float *df, float *dgamma, float *dbeta);

  /* h (count) = leaky(a) * mask (tw_gan_leaky_dropout). */
  tw_status (*leaky_dropout)(tw_backend *be, int64_t count, const float *a, const float *mask, float slope,
                             float *h);

  /* da (count) = dh * mask * slope(a); da may alias dh. Also the double backward. */
  tw_status (*leaky_dropout_grad)(tw_backend *be, int64_t count, const float *a, const float *mask,
                                  const float *dh, float slope, float *da);

  /* The generator's output activations, row by row: out (rows, width; ld ldo)
  ** from raw (rows, width) contiguous: tanh over TANH spans, Gumbel-softmax with
  ** noise gumbel (rows, width) and temperature tau over SOFTMAX spans. */
  tw_status (*activate)(tw_backend *be, int64_t rows, int width, int n_spans, const tw_gan_span *spans,
                        const float *raw, const float *gumbel, float tau, float *out, int64_t ldo);

  /* Its backward: draw (rows, width) = d raw from out (ld ldo) and dout (ld ldd). */
  tw_status (*activate_backward)(tw_backend *be, int64_t rows, int width, int n_spans, const tw_gan_span *spans,
                                 const float *out, int64_t ldo, const float *dout, int64_t ldd, float tau,
                                 float *draw);

  /* CTGAN's _cond_loss pieces: for each row r and conditioned span k
  ** (spans[cond_span[k]]; its one-hot at cond[r*ldc + off_k..], off_k the widths of
  ** the spans before it), loss_rows[r] = sum_k mask[r,k] CE(raw span, argmax cond),
  ** and draw (rows, width) += scale * its gradient (tw_gan_cond_ce). */
  tw_status (*cond_loss)(tw_backend *be, int64_t rows, int width, const tw_gan_span *spans, int n_cond,
                         const int *cond_span, const float *raw, const float *cond, int64_t ldc,
                         const float *mask, float scale, float *draw, float *loss_rows);

  /* out = alpha[g] * real + (1 - alpha[g]) * fake over groups of group_elems
  ** (torch's order: the two products, then the sum, each rounded). */
  tw_status (*interpolate)(tw_backend *be, int64_t groups, int64_t group_elems, const float *alpha,
                           const float *real, const float *fake, float *out);

  /* The gradient penalty per group (tw_gan_penalty): terms[g] = (||gx_g|| - 1)^2,
  ** dgx (groups, n) its gradient times coef. */
  tw_status (*penalty)(tw_backend *be, int64_t groups, int64_t n, const float *gx, float coef, float *dgx,
                       float *terms);

  /* One Adam / AdamW step over n parameters (tw_adamw_update with c). */
  tw_status (*adam_step)(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v, tw_adamw_coef c);
} tw_gan_ops;

extern const tw_gan_ops tw_gan_ops_cpu;

/* The GAN table of backend `be`: its TW_FAMILY_GAN slot (the CUDA table on a
** CUDA backend), the CPU table on a host backend; NULL on a device backend
** without GAN kernels. */
const tw_gan_ops *tw_gan_ops_for(const tw_backend *be);

TW_EXTERN_C_END

#endif
