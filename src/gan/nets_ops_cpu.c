/*
** nets_ops_cpu.c: the CPU table of the GAN's kernels (nets_ops.h), the
** reference the CUDA table (cuda/gan_ops_cuda.cu) is compared with.
**
** Element-wise entries are OpenMP loops over rows (or elements) calling the
** TW_HD functions of nets_math.h; BatchNorm's statistics and the weight
** gradients' column sums walk the rows in order for a block of columns, so a
** column's sum is never split between threads and the bits do not depend on
** the thread count. Loops smaller than PARALLEL_MIN elements stay on the
** calling thread (a team costs more than they take).
**
** Speed (docs/gan.md, "Throughput"): the inner loops are `omp simd` over a
** row or a block of columns, in functions compiled as clones for AVX-512,
** AVX2 and the baseline (GCC target_clones, as nn_ops_cpu.c), so that the
** element maps, BatchNorm and Adam run as vector code (Adam's fmaf becomes one
** instruction instead of a libm call; its bits do not change: fma, sqrt and
** division are correctly rounded either way). Products are cut into blocks of
** GEMM_ROWS rows or GEMM_COLS columns, fixed by the shape: 64-row blocks made
** OpenBLAS repack the weights eight times per 500-row product, and its
** small-matrix kernels ran a (64, 410, 648) product at a fifth of the large
** kernels' rate; the critic's weight gradients (256, 4180) repack the other
** operand once per column block, hence wider column blocks.
*/
#if defined(__GNUC__) && !defined(__clang__)
/* Selects become blends (nn_ops_cpu.c). Adam's sqrtf vectorises only without
** errno: src/CMakeLists.txt compiles this file with -fno-math-errno (the
** pragma cannot set that per function in GCC 12); its results are the same. */
#pragma GCC optimize("no-trapping-math")
#endif

#include "gan/nets_ops.h"

#include <stdlib.h> /* calloc, free, malloc */
#include <string.h> /* memcpy */

#include "build_info.h" /* TW_HAVE_OPENBLAS */
#include "core/defs.h"  /* TW_RESTRICT */
#if TW_HAVE_OPENBLAS
#include "backend/blas_lazy.h" /* openblas_get/set_num_threads */
#endif

/* Element-wise loops go parallel from PARALLEL_MIN elements (a team's barrier
** costs more than a smaller loop takes, and far more on a machine whose cores
** are shared); the random fills, some 30 ns an element, from FILL_MIN. */
enum { PARALLEL_MIN = 1 << 18, FILL_MIN = 1 << 15, COLS = 64 };

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define GAN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GAN_CLONES
#endif

/* ---- products ------------------------------------------------------------- */

enum { GEMM_ROWS = 256, GEMM_COLS = 1024, GEMM_PARALLEL_MIN = 1 << 20 };

/* One block of the product: rows [i0, i0 + mb) and columns [j0, j0 + nb) of c. */
static tw_status gemm_block(tw_backend *be, int ta, int tb, int64_t i0, int64_t mb, int64_t j0, int64_t nb,
                            int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                            float *c, int64_t ldc) {
  const tw_gemm_batch g = tw_gan_gemm_desc(ta, tb, i0, mb, j0, nb, k, a, lda, b, ldb, beta, c, ldc);
  return be->gemm(be, &g);
}

static tw_status cpu_gemm(tw_backend *be, int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a,
                          int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  TW_TRY(tw_gan_gemm_sizes(m, n, k));
  const int by_rows = m >= n;
  const int64_t len = by_rows ? m : n, bl = by_rows ? GEMM_ROWS : GEMM_COLS, blocks = (len + bl - 1) / bl;
  tw_status st = TW_OK;
#if TW_HAVE_OPENBLAS
  const int saved = openblas_get_num_threads();
  openblas_set_num_threads(1);
#endif
#pragma omp parallel for schedule(static) if (blocks > 1 && m * n * k >= GEMM_PARALLEL_MIN)
  for (int64_t q = 0; q < blocks; ++q) {
    const int64_t s0 = q * bl, sl = TW_MIN(bl, len - s0);
    const tw_status r = by_rows ? gemm_block(be, ta, tb, s0, sl, 0, n, k, a, lda, b, ldb, beta, c, ldc)
                                : gemm_block(be, ta, tb, 0, m, s0, sl, k, a, lda, b, ldb, beta, c, ldc);
    if (r != TW_OK) {
#pragma omp critical(tw_gan_gemm_status)
      st = r;
    }
  }
#if TW_HAVE_OPENBLAS
  openblas_set_num_threads(saved);
#endif
  return st;
}

/* ---- random draws and copies ---------------------------------------------- */

/* The fills draw LANES Philox blocks at a time, the ten rounds as vector code,
** then map them to values (tw_gan_draw_word; Box-Muller per block for NORMAL):
** element e gets the value tw_gan_draw_from gives it, block by block. */
enum { LANES = 16 };

/* w[4 i + k] = word k of block i0 + i of stream (seed, twin, purpose), i < LANES:
** tw_philox_block's bits. */
GAN_CLONES static void philox_lanes(uint64_t seed, uint64_t twin, uint32_t purpose, uint32_t i0,
                                    uint32_t *TW_RESTRICT w) {
  uint32_t c0[LANES], c1[LANES], c2[LANES], c3[LANES], k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int i = 0; i < LANES; ++i) {
    c0[i] = i0 + (uint32_t)i;
    c1[i] = purpose;
    c2[i] = (uint32_t)twin;
    c3[i] = (uint32_t)(twin >> 32);
  }
  for (int round = 0; round < 10; ++round) {
#pragma omp simd
    for (int i = 0; i < LANES; ++i) {
      const uint64_t p0 = (uint64_t)TW_PHILOX_M0 * c0[i], p1 = (uint64_t)TW_PHILOX_M1 * c2[i];
      c0[i] = (uint32_t)(p1 >> 32) ^ c1[i] ^ k0;
      c1[i] = (uint32_t)p1;
      c2[i] = (uint32_t)(p0 >> 32) ^ c3[i] ^ k1;
      c3[i] = (uint32_t)p0;
    }
    k0 += TW_PHILOX_W0;
    k1 += TW_PHILOX_W1;
  }
  for (int i = 0; i < LANES; ++i) {
    w[4 * i] = c0[i];
    w[4 * i + 1] = c1[i];
    w[4 * i + 2] = c2[i];
    w[4 * i + 3] = c3[i];
  }
}

/* v = the values of the LANES blocks in w: 2 LANES normals or 4 LANES of the other kinds. */
GAN_CLONES static void lanes_values(tw_gan_draw kind, const uint32_t *TW_RESTRICT w, float p, float *TW_RESTRICT v) {
  if (kind == TW_GAN_DRAW_NORMAL) {
    for (int i = 0; i < LANES; ++i) {
      double z0, z1;
      tw_normal2_f64(w + 4 * i, &z0, &z1);
      v[2 * i] = (float)z0;
      v[2 * i + 1] = (float)z1;
    }
    return;
  }
#pragma omp simd
  for (int i = 0; i < 4 * LANES; ++i) v[i] = tw_gan_draw_word(kind, w[i], p);
}

/* Chunk c of elements [e0, e0 + n) of stream `twin`: blocks first + c LANES on,
** element e0 + t written to out[(t / cols) ld + t % cols]. */
static void fill_chunk(tw_gan_draw kind, const tw_gan_stream *st, uint64_t twin, int64_t e0, int64_t n, int64_t c,
                       float p, int cols, float *out, int64_t ld) {
  const int64_t epb = kind == TW_GAN_DRAW_NORMAL ? 2 : 4, b = e0 / epb + c * LANES;
  uint32_t w[4 * LANES];
  float v[4 * LANES];
  philox_lanes(st->seed, twin, st->purpose, st->index0 + (uint32_t)b, w);
  lanes_values(kind, w, p, v);
  const int64_t lo = TW_MAX(e0, b * epb), hi = TW_MIN(e0 + n, (b + LANES) * epb);
  int64_t r = (lo - e0) / cols, j = (lo - e0) % cols;
  for (int64_t e = lo; e < hi; ++e) {
    out[r * ld + j] = v[e - b * epb];
    if (++j == cols) j = 0, ++r;
  }
}

/* Chunks of LANES blocks covering elements [e0, e0 + n), n > 0. */
static int64_t fill_chunks(tw_gan_draw kind, int64_t e0, int64_t n) {
  const int64_t epb = kind == TW_GAN_DRAW_NORMAL ? 2 : 4;
  return ((e0 + n - 1) / epb - e0 / epb) / LANES + 1;
}

static tw_status cpu_fill_random(tw_backend *be, tw_gan_draw kind, int64_t rows, int cols, const tw_gan_stream *s,
                                 float p, float *out, int64_t ld) {
  if (rows <= 0 || cols <= 0) return TW_OK;
  const tw_gan_stream st = *s;
  if (st.twin_per_row == 0 && st.row_elems == cols) { /* one stream, rows after rows */
    const int64_t chunks = fill_chunks(kind, 0, rows * cols);
#pragma omp parallel for schedule(static) if (rows * cols >= FILL_MIN)
    for (int64_t c = 0; c < chunks; ++c) fill_chunk(kind, &st, st.twin0, 0, rows * cols, c, p, cols, out, ld);
    return TW_OK;
  }
#pragma omp parallel for schedule(static) if (rows * cols >= FILL_MIN)
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t twin = st.twin0 + (uint64_t)r * st.twin_per_row;
    const int64_t chunks = fill_chunks(kind, r * st.row_elems, cols);
    for (int64_t c = 0; c < chunks; ++c) fill_chunk(kind, &st, twin, r * st.row_elems, cols, c, p, cols, out + r * ld, ld);
  }
  return TW_OK;
}

static tw_status cpu_copy2d(tw_backend *be, int64_t rows, int cols, const float *src, int64_t lds, float *dst,
                            int64_t ldd) {
  for (int64_t r = 0; r < rows; ++r) memcpy(dst + r * ldd, src + r * lds, (size_t)cols * sizeof(float));
  return TW_OK;
}

/* ---- BatchNorm + ReLU ----------------------------------------------------- */

/* Column sums over rows for columns [j0, j1), in double, rows in order:
** s1 += sum f, and with `mean` given, s2 += sum (f - mean)^2. */
GAN_CLONES static void column_moments(int64_t rows, int n, int j0, int j1, const float *TW_RESTRICT f,
                                      const double *TW_RESTRICT mean, double *TW_RESTRICT s) {
  for (int j = j0; j < j1; ++j) s[j] = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = f + r * n;
    if (mean) {
#pragma omp simd
      for (int j = j0; j < j1; ++j) s[j] += ((double)row[j] - mean[j]) * ((double)row[j] - mean[j]);
    } else {
#pragma omp simd
      for (int j = j0; j < j1; ++j) s[j] += row[j];
    }
  }
}

/* out (rows, n; ld ldo) = relu((f - mean) invstd gamma + beta), rows [r0, r1). */
GAN_CLONES static void bn_relu_rows(int64_t r0, int64_t r1, int n, const float *TW_RESTRICT f,
                                    const float *TW_RESTRICT mean, const float *TW_RESTRICT invstd,
                                    const float *TW_RESTRICT gamma, const float *TW_RESTRICT beta,
                                    float *TW_RESTRICT out, int64_t ldo) {
  for (int64_t r = r0; r < r1; ++r) {
#pragma omp simd
    for (int j = 0; j < n; ++j) out[r * ldo + j] = tw_gan_bn_relu(f[r * n + j], mean[j], invstd[j], gamma[j], beta[j]);
  }
}

/* Rows per OpenMP work item of the row-wise BatchNorm maps. */
enum { BN_ROWS = 64 };

static void bn_relu_map(int64_t rows, int n, const float *f, const float *mean, const float *invstd,
                        const float *gamma, const float *beta, float *out, int64_t ldo) {
  const int64_t blocks = (rows + BN_ROWS - 1) / BN_ROWS;
#pragma omp parallel for schedule(static) if (rows * n >= PARALLEL_MIN)
  for (int64_t q = 0; q < blocks; ++q)
    bn_relu_rows(q * BN_ROWS, TW_MIN(rows, (q + 1) * BN_ROWS), n, f, mean, invstd, gamma, beta, out, ldo);
}

static tw_status cpu_bn_train_forward(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                                      const float *beta, float eps, float momentum, float *mean, float *invstd,
                                      float *running_mean, float *running_var, float *out, int64_t ldo) {
  double m[1024], v[1024]; /* n <= 1024 (tw_gan_sizes_check) */
  const int blocks = (n + COLS - 1) / COLS;
#pragma omp parallel for schedule(static) if (rows * n >= PARALLEL_MIN)
  for (int k = 0; k < blocks; ++k) {
    const int j0 = k * COLS, j1 = TW_MIN(n, j0 + COLS);
    column_moments(rows, n, j0, j1, f, NULL, m);
    for (int j = j0; j < j1; ++j) m[j] /= (double)rows;
    column_moments(rows, n, j0, j1, f, m, v);
  }
  for (int j = 0; j < n; ++j)
    tw_gan_bn_column(rows, m[j], v[j], eps, momentum, &mean[j], &invstd[j], running_mean ? &running_mean[j] : NULL,
                     running_var ? &running_var[j] : NULL);
  bn_relu_map(rows, n, f, mean, invstd, gamma, beta, out, ldo);
  return TW_OK;
}

static tw_status cpu_bn_eval_forward(tw_backend *be, int64_t rows, int n, const float *f, const float *gamma,
                                     const float *beta, float eps, const float *running_mean,
                                     const float *running_var, float *out, int64_t ldo) {
  float invstd[1024];
  for (int j = 0; j < n; ++j) invstd[j] = tw_gan_bn_invstd((double)running_var[j], eps);
  bn_relu_map(rows, n, f, running_mean, invstd, gamma, beta, out, ldo);
  return TW_OK;
}

/* BatchNorm-ReLU backward's column sums over all rows for columns [j0, j1):
** sdy += dy, sdyx += dy xhat, dy = dout where out > 0. */
GAN_CLONES static void bn_grad_sums(int64_t rows, int n, int j0, int j1, const float *TW_RESTRICT f,
                                    const float *TW_RESTRICT mean, const float *TW_RESTRICT invstd,
                                    const float *TW_RESTRICT out, int64_t ldo, const float *TW_RESTRICT dout,
                                    int64_t ldd, double *TW_RESTRICT sdy, double *TW_RESTRICT sdyx) {
  for (int j = j0; j < j1; ++j) sdy[j] = sdyx[j] = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
#pragma omp simd
    for (int j = j0; j < j1; ++j) {
      const float dy = tw_gan_bn_dy(out[r * ldo + j], dout[r * ldd + j]);
      sdy[j] += dy;
      sdyx[j] += (double)dy * (double)tw_gan_bn_xhat(f[r * n + j], mean[j], invstd[j]);
    }
  }
}

/* df for rows [r0, r1) from the column means of dy and dy xhat (msdy, msdyx). */
GAN_CLONES static void bn_grad_rows(int64_t r0, int64_t r1, int n, const float *TW_RESTRICT f,
                                    const float *TW_RESTRICT mean, const float *TW_RESTRICT invstd,
                                    const float *TW_RESTRICT gamma, const float *TW_RESTRICT out, int64_t ldo,
                                    const float *TW_RESTRICT dout, int64_t ldd, const float *TW_RESTRICT msdy,
                                    const float *TW_RESTRICT msdyx, float *TW_RESTRICT df) {
  for (int64_t r = r0; r < r1; ++r) {
#pragma omp simd
    for (int j = 0; j < n; ++j) {
      const float dy = tw_gan_bn_dy(out[r * ldo + j], dout[r * ldd + j]);
      const float xhat = tw_gan_bn_xhat(f[r * n + j], mean[j], invstd[j]);
      df[r * n + j] = tw_gan_bn_df(gamma[j], invstd[j], dy, xhat, msdy[j], msdyx[j]);
    }
  }
}

static tw_status cpu_bn_relu_backward(tw_backend *be, int64_t rows, int n, const float *f, const float *mean,
                                      const float *invstd, const float *gamma, const float *out, int64_t ldo,
                                      const float *dout, int64_t ldd, float *df, float *dgamma, float *dbeta) {
  double sdy[1024], sdyx[1024];
  float msdy[1024], msdyx[1024];
  const int blocks = (n + COLS - 1) / COLS;
#pragma omp parallel for schedule(static) if (rows * n >= PARALLEL_MIN)
  for (int k = 0; k < blocks; ++k)
    bn_grad_sums(rows, n, k * COLS, TW_MIN(n, (k + 1) * COLS), f, mean, invstd, out, ldo, dout, ldd, sdy, sdyx);
  for (int j = 0; j < n; ++j)
    tw_gan_bn_grad_column(rows, sdy[j], sdyx[j], &dgamma[j], &dbeta[j], &msdy[j], &msdyx[j]);
  const int64_t row_blocks = (rows + BN_ROWS - 1) / BN_ROWS;
#pragma omp parallel for schedule(static) if (rows * n >= PARALLEL_MIN)
  for (int64_t q = 0; q < row_blocks; ++q)
    bn_grad_rows(q * BN_ROWS, TW_MIN(rows, (q + 1) * BN_ROWS), n, f, mean, invstd, gamma, out, ldo, dout, ldd, msdy,
                 msdyx, df);
  return TW_OK;
}

/* ---- critic element maps -------------------------------------------------- */

/* Elements per OpenMP work item of the flat element maps. */
enum { FLAT = 1 << 14 };

GAN_CLONES static void leaky_dropout_span(int64_t i0, int64_t i1, const float *TW_RESTRICT a,
                                          const float *TW_RESTRICT mask, float slope, float *TW_RESTRICT h) {
#pragma omp simd
  for (int64_t i = i0; i < i1; ++i) h[i] = tw_gan_leaky_dropout(a[i], mask[i], slope);
}

/* da may alias dh (the double backward writes in place): no restrict on them. */
GAN_CLONES static void leaky_dropout_grad_span(int64_t i0, int64_t i1, const float *TW_RESTRICT a,
                                               const float *TW_RESTRICT mask, const float *dh, float slope,
                                               float *da) {
#pragma omp simd
  for (int64_t i = i0; i < i1; ++i) da[i] = tw_gan_leaky_dropout_grad(a[i], mask[i], dh[i], slope);
}

static tw_status cpu_leaky_dropout(tw_backend *be, int64_t count, const float *a, const float *mask, float slope,
                                   float *h) {
  const int64_t blocks = (count + FLAT - 1) / FLAT;
#pragma omp parallel for schedule(static) if (count >= PARALLEL_MIN)
  for (int64_t q = 0; q < blocks; ++q) leaky_dropout_span(q * FLAT, TW_MIN(count, (q + 1) * FLAT), a, mask, slope, h);
  return TW_OK;
}

static tw_status cpu_leaky_dropout_grad(tw_backend *be, int64_t count, const float *a, const float *mask,
                                        const float *dh, float slope, float *da) {
  const int64_t blocks = (count + FLAT - 1) / FLAT;
#pragma omp parallel for schedule(static) if (count >= PARALLEL_MIN)
  for (int64_t q = 0; q < blocks; ++q)
    leaky_dropout_grad_span(q * FLAT, TW_MIN(count, (q + 1) * FLAT), a, mask, dh, slope, da);
  return TW_OK;
}

/* ---- output activations and the conditional loss -------------------------- */

/* The output activations of one row as whole-row vector passes, the same bits
** as tw_gan_activate_row: t = (x + g) / tau, each SOFTMAX span's maximum
** (scalar), e = exp(t - max) and tanh(x) over the whole row, each span's sum in
** order (scalar), then y = tanh or e / sum by the span's kind. sc: 4 width
** floats of scratch; is_tanh (width): 1 on TANH spans. */
GAN_CLONES static void activate_row_vec(int width, int n_spans, const tw_gan_span *spans,
                                        const float *TW_RESTRICT is_tanh, const float *TW_RESTRICT x,
                                        const float *TW_RESTRICT g, float tau, float *TW_RESTRICT sc,
                                        float *TW_RESTRICT y) {
  float *t = sc, *e = sc + width, *th = sc + 2 * width, *k = sc + 3 * width;
#pragma omp simd
  for (int j = 0; j < width; ++j) t[j] = (x[j] + g[j]) / tau;
  for (int s = 0; s < n_spans; ++s) { /* k = the span's maximum, then 1 / its sum */
    const int a = spans[s].start, w = spans[s].width;
    float mx = -3.402823466e38f;
    for (int j = a; j < a + w; ++j) mx = t[j] > mx ? t[j] : mx;
    for (int j = a; j < a + w; ++j) k[j] = mx;
  }
#pragma omp simd
  for (int j = 0; j < width; ++j) {
    e[j] = tw_nn_expf(t[j] - k[j]);
    th[j] = tw_nn_tanhf(x[j]);
  }
  for (int s = 0; s < n_spans; ++s) {
    const int a = spans[s].start, w = spans[s].width;
    float sum = 0.0f;
    for (int j = a; j < a + w; ++j) sum += e[j];
    const float inv = 1.0f / sum;
    for (int j = a; j < a + w; ++j) k[j] = inv;
  }
#pragma omp simd
  for (int j = 0; j < width; ++j) y[j] = is_tanh[j] != 0.0f ? th[j] : e[j] * k[j];
}

/* Rows per OpenMP work item of the activations (each item allocates its scratch). */
enum { ACT_ROWS = 64 };

static tw_status cpu_activate(tw_backend *be, int64_t rows, int width, int n_spans, const tw_gan_span *spans,
                              const float *raw, const float *gumbel, float tau, float *out, int64_t ldo) {
  float *is_tanh = calloc((size_t)width, sizeof(float));
  if (!is_tanh) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the activations' span map");
  for (int s = 0; s < n_spans; ++s)
    for (int j = spans[s].start; j < spans[s].start + spans[s].width; ++j)
      is_tanh[j] = spans[s].kind == TW_GAN_SPAN_TANH ? 1.0f : 0.0f;
  const int64_t blocks = (rows + ACT_ROWS - 1) / ACT_ROWS;
  int failed = 0;
#pragma omp parallel for schedule(static) if (rows * width >= PARALLEL_MIN) reduction(| : failed)
  for (int64_t q = 0; q < blocks; ++q) {
    float *sc = malloc((size_t)width * 4 * sizeof(float));
    failed |= !sc;
    for (int64_t r = q * ACT_ROWS; sc && r < TW_MIN(rows, (q + 1) * ACT_ROWS); ++r)
      activate_row_vec(width, n_spans, spans, is_tanh, raw + r * width, gumbel + r * width, tau, sc, out + r * ldo);
    free(sc);
  }
  free(is_tanh);
  return failed ? TW_FAIL(TW_ERR_NOMEM, "cannot allocate the activations' scratch") : TW_OK;
}

static tw_status cpu_activate_backward(tw_backend *be, int64_t rows, int width, int n_spans,
                                       const tw_gan_span *spans, const float *out, int64_t ldo, const float *dout,
                                       int64_t ldd, float tau, float *draw) {
#pragma omp parallel for schedule(static) if (rows * width >= PARALLEL_MIN)
  for (int64_t r = 0; r < rows; ++r)
    tw_gan_activate_row_grad(n_spans, spans, out + r * ldo, dout + r * ldd, tau, draw + r * width);
  return TW_OK;
}

static tw_status cpu_cond_loss(tw_backend *be, int64_t rows, int width, const tw_gan_span *spans, int n_cond,
                               const int *cond_span, const float *raw, const float *cond, int64_t ldc,
                               const float *mask, float scale, float *draw, float *loss_rows) {
#pragma omp parallel for schedule(static) if (rows * width >= PARALLEL_MIN)
  for (int64_t r = 0; r < rows; ++r)
    loss_rows[r] = tw_gan_cond_loss_row(spans, n_cond, cond_span, raw + r * width, cond + r * ldc, mask + r * n_cond,
                                        scale, draw + r * width);
  return TW_OK;
}

/* ---- gradient penalty ----------------------------------------------------- */

static tw_status cpu_interpolate(tw_backend *be, int64_t groups, int64_t group_elems, const float *alpha,
                                 const float *real, const float *fake, float *out) {
#pragma omp parallel for schedule(static) if (groups * group_elems >= PARALLEL_MIN)
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = g * group_elems; i < (g + 1) * group_elems; ++i)
      out[i] = tw_gan_interpolate(alpha[g], real[i], fake[i]);
  return TW_OK;
}

static tw_status cpu_penalty(tw_backend *be, int64_t groups, int64_t n, const float *gx, float coef, float *dgx,
                             float *terms) {
#pragma omp parallel for schedule(static) if (groups * n >= PARALLEL_MIN)
  for (int64_t g = 0; g < groups; ++g) terms[g] = tw_gan_penalty(n, gx + g * n, coef, dgx + g * n);
  return TW_OK;
}

/* ---- optimiser ------------------------------------------------------------ */

GAN_CLONES static void adam_span(int64_t i0, int64_t i1, float *TW_RESTRICT p, const float *TW_RESTRICT g,
                                 float *TW_RESTRICT m, float *TW_RESTRICT v, tw_adamw_coef c) {
#pragma omp simd
  for (int64_t i = i0; i < i1; ++i) tw_adamw_update(&p[i], g[i], &m[i], &v[i], c);
}

static tw_status cpu_adam_step(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v,
                               tw_adamw_coef c) {
  const int64_t blocks = (n + FLAT - 1) / FLAT;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
  for (int64_t q = 0; q < blocks; ++q) adam_span(q * FLAT, TW_MIN(n, (q + 1) * FLAT), p, g, m, v, c);
  return TW_OK;
}

const tw_gan_ops tw_gan_ops_cpu = {
    .gemm = cpu_gemm,
    .fill_random = cpu_fill_random,
    .copy2d = cpu_copy2d,
    .bn_train_forward = cpu_bn_train_forward,
    .bn_eval_forward = cpu_bn_eval_forward,
    .bn_relu_backward = cpu_bn_relu_backward,
    .leaky_dropout = cpu_leaky_dropout,
    .leaky_dropout_grad = cpu_leaky_dropout_grad,
    .activate = cpu_activate,
    .activate_backward = cpu_activate_backward,
    .cond_loss = cpu_cond_loss,
    .interpolate = cpu_interpolate,
    .penalty = cpu_penalty,
    .adam_step = cpu_adam_step,
};
