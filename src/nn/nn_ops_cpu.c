/*
** nn_ops_cpu.c: the CPU table of neural-twin kernels (nn_ops.h), the reference
** the CUDA table is compared with.
**
** Each entry is an OpenMP loop over independent blocks (rows, or one twin-step
** of N nodes) around a block kernel whose inner loop over the hidden width is
** vectorised (omp simd) and calls the shared pointwise math of nn_math.h. The
** build targets baseline x86-64 (SSE2), so the block kernels are compiled as
** clones for AVX-512, AVX2 and the baseline, picked at load time (GCC
** target_clones); OpenBLAS does its own dispatch for the products.
**
** Reductions (bias_grad, mse, sum) never split a sum across threads: columns are
** shared out, rows are summed in order, so results do not depend on the number
** of threads (DESIGN.md invariant 2).
*/
/* The kernels never rely on floating-point exceptions, and with them assumed
** possible GCC will not turn the selects of nn_math.h (clamps, tanh's two
** ranges) into vector blends: the loops would stay scalar. Set before any
** #include so that the inlined nn_math.h functions are compiled the same way. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include "nn/nn_ops.h"

#include <string.h> /* memcpy */

#include "nn/adamw.h"   /* the AdamW element update */
#include "nn/nn_math.h" /* sigmoid, tanh, LSTM cell, MSE pieces */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define TW_NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TW_NN_CLONES
#endif

/* Rows per OpenMP work item in the row-wise kernels: big enough to amortise the
** call, small enough to balance. Loops over fewer than PARALLEL_MIN elements run
** on the calling thread: waking a team costs more than they take, and far more
** on a machine whose cores are shared with other processes. */
enum { ROW_BLOCK = 64, PARALLEL_MIN = 1 << 16 };

/* ---- GNN epilogue ---------------------------------------------------------- */

/* One twin-step: z (N,H) = tanh(ycat[:, :H] + bias + adj @ ycat[:, H:]).
** Columns go in blocks of LANES held in a small accumulator that the compiler
** keeps in vector registers across the N neighbours (a plain loop nest would
** load and store z's row once per neighbour). */
enum { LANES = 16 };

TW_NN_CLONES static void gnn_combine_block(int N, int H, const float *TW_RESTRICT ycat,
                                           const float *TW_RESTRICT bias, const float *TW_RESTRICT adj,
                                           float *TW_RESTRICT z) {
  const float *nbr = ycat + H;
  for (int v = 0; v < N; ++v) {
    const float *self = ycat + (int64_t)v * 2 * H, *av = adj + v * N;
    float *zv = z + (int64_t)v * H;
    int h0 = 0;
    for (; h0 + LANES <= H; h0 += LANES) {
      float acc[LANES];
#pragma omp simd
      for (int j = 0; j < LANES; ++j) acc[j] = self[h0 + j] + bias[h0 + j];
      for (int u = 0; u < N; ++u) {
        const float a = av[u], *p = nbr + (int64_t)u * 2 * H + h0;
#pragma omp simd
        for (int j = 0; j < LANES; ++j) acc[j] += a * p[j];
      }
#pragma omp simd
      for (int j = 0; j < LANES; ++j) zv[h0 + j] = tw_nn_tanhf(acc[j]);
    }
    for (int h = h0; h < H; ++h) { /* the last H % LANES columns */
      float acc = self[h] + bias[h];
      for (int u = 0; u < N; ++u) acc += av[u] * nbr[(int64_t)u * 2 * H + h];
      zv[h] = tw_nn_tanhf(acc);
    }
  }
}

static tw_status cpu_gnn_combine(tw_backend *be, int T, int B, int N, int H, const float *ycat,
                                 const float *bias, const float *adj, int adj_per_twin, float *z) {
  const int64_t steps = (int64_t)T * B;
#pragma omp parallel for schedule(static) if (steps * N * H >= PARALLEL_MIN)
  for (int64_t s = 0; s < steps; ++s) {
    const float *a = adj_per_twin ? adj + (s % B) * N * N : adj;
    gnn_combine_block(N, H, ycat + s * N * 2 * H, bias, a, z + s * N * H);
  }
  return TW_OK;
}

/* Column sums of d (rows,n) with leading dimension ld, added to db; columns are
** shared among threads, each summed over all rows in order (in double). */
TW_NN_CLONES static void column_sums_block(int64_t rows, int j0, int j1, int64_t ld, const float *TW_RESTRICT d,
                                           float *TW_RESTRICT db) {
  double acc[64];
  const int w = j1 - j0;
  for (int j = 0; j < w; ++j) acc[j] = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = d + r * ld + j0;
#pragma omp simd
    for (int j = 0; j < w; ++j) acc[j] += row[j];
  }
  for (int j = 0; j < w; ++j) db[j0 + j] += (float)acc[j];
}

static void column_sums(int64_t rows, int n, int64_t ld, const float *d, float *db) {
  const int width = 64, blocks = (n + width - 1) / width;
#pragma omp parallel for schedule(static) if (blocks > 1 && rows * n >= PARALLEL_MIN)
  for (int k = 0; k < blocks; ++k) column_sums_block(rows, k * width, TW_MIN(n, (k + 1) * width), ld, d, db);
}

/* One twin-step of the GNN epilogue's backward: dpre into dycat[:, :H], then
** dycat[u, H:] = sum_v adj[v,u] dpre[v,:], accumulated in registers as above. */
TW_NN_CLONES static void gnn_combine_backward_block(int N, int H, const float *TW_RESTRICT z,
                                                    const float *TW_RESTRICT dz, const float *TW_RESTRICT adj,
                                                    float *TW_RESTRICT dycat) {
  for (int v = 0; v < N; ++v) {
    const float *zv = z + (int64_t)v * H, *dzv = dz + (int64_t)v * H;
    float *dp = dycat + (int64_t)v * 2 * H;
#pragma omp simd
    for (int h = 0; h < H; ++h) dp[h] = tw_nn_tanh_grad(zv[h], dzv[h]);
  }
  for (int u = 0; u < N; ++u) {
    float *dn = dycat + (int64_t)u * 2 * H + H;
    int h0 = 0;
    for (; h0 + LANES <= H; h0 += LANES) {
      float acc[LANES] = {0};
      for (int v = 0; v < N; ++v) {
        const float a = adj[v * N + u], *p = dycat + (int64_t)v * 2 * H + h0;
#pragma omp simd
        for (int j = 0; j < LANES; ++j) acc[j] += a * p[j];
      }
#pragma omp simd
      for (int j = 0; j < LANES; ++j) dn[h0 + j] = acc[j];
    }
    for (int h = h0; h < H; ++h) {
      float acc = 0.0f;
      for (int v = 0; v < N; ++v) acc += adj[v * N + u] * dycat[(int64_t)v * 2 * H + h];
      dn[h] = acc;
    }
  }
}

static tw_status cpu_gnn_combine_backward(tw_backend *be, int T, int B, int N, int H, const float *z,
                                          const float *dz, const float *adj, int adj_per_twin, float *dycat,
                                          float *dbias) {
  const int64_t steps = (int64_t)T * B;
#pragma omp parallel for schedule(static) if (steps * N * H >= PARALLEL_MIN)
  for (int64_t s = 0; s < steps; ++s) {
    const float *a = adj_per_twin ? adj + (s % B) * N * N : adj;
    gnn_combine_backward_block(N, H, z + s * N * H, dz + s * N * H, a, dycat + s * N * 2 * H);
  }
  column_sums(steps * N, H, 2 * (int64_t)H, dycat, dbias);
  return TW_OK;
}

/* ---- LSTM cell ------------------------------------------------------------- */

TW_NN_CLONES static void lstm_forward_block(int64_t rows, int Hr, float *TW_RESTRICT gates,
                                            const float *TW_RESTRICT b_ih, const float *TW_RESTRICT b_hh,
                                            const float *TW_RESTRICT c_prev, float *TW_RESTRICT c,
                                            float *TW_RESTRICT h) {
  for (int64_t r = 0; r < rows; ++r) {
    float *gi = gates + r * 4 * Hr, *gf = gi + Hr, *gg = gf + Hr, *go = gg + Hr;
    const float *cp = c_prev + r * Hr;
    float *cr = c + r * Hr, *hr = h + r * Hr;
#pragma omp simd
    for (int j = 0; j < Hr; ++j) {
      const int jf = j + Hr, jg = j + 2 * Hr, jo = j + 3 * Hr;
      tw_nn_lstm_cell_forward(gi[j] + b_ih[j] + b_hh[j], gf[j] + b_ih[jf] + b_hh[jf], gg[j] + b_ih[jg] + b_hh[jg],
                              go[j] + b_ih[jo] + b_hh[jo], cp[j], &gi[j], &gf[j], &gg[j], &go[j], &cr[j], &hr[j]);
    }
  }
}

static tw_status cpu_lstm_cell_forward(tw_backend *be, int64_t rows, int Hr, float *gates, const float *b_ih,
                                       const float *b_hh, const float *c_prev, float *c, float *h) {
  const int64_t blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static) if (rows * Hr >= PARALLEL_MIN)
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t r0 = k * ROW_BLOCK, n = TW_MIN(ROW_BLOCK, rows - r0);
    lstm_forward_block(n, Hr, gates + r0 * 4 * Hr, b_ih, b_hh, c_prev + r0 * Hr, c + r0 * Hr, h + r0 * Hr);
  }
  return TW_OK;
}

TW_NN_CLONES static void lstm_backward_block(int64_t rows, int Hr, float *TW_RESTRICT gates,
                                             const float *TW_RESTRICT c_prev, const float *TW_RESTRICT c,
                                             const float *TW_RESTRICT dh, float *TW_RESTRICT dc) {
  for (int64_t r = 0; r < rows; ++r) {
    float *gi = gates + r * 4 * Hr, *gf = gi + Hr, *gg = gf + Hr, *go = gg + Hr;
    const float *cp = c_prev + r * Hr, *cr = c + r * Hr, *dhr = dh + r * Hr;
    float *dcr = dc + r * Hr;
#pragma omp simd
    for (int j = 0; j < Hr; ++j)
      tw_nn_lstm_cell_backward(gi[j], gf[j], gg[j], go[j], cp[j], cr[j], dhr[j], dcr[j], &gi[j], &gf[j], &gg[j],
                               &go[j], &dcr[j]);
  }
}

static tw_status cpu_lstm_cell_backward(tw_backend *be, int64_t rows, int Hr, float *gates, const float *c_prev,
                                        const float *c, const float *dh, float *dc) {
  const int64_t blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static) if (rows * Hr >= PARALLEL_MIN)
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t r0 = k * ROW_BLOCK, n = TW_MIN(ROW_BLOCK, rows - r0);
    lstm_backward_block(n, Hr, gates + r0 * 4 * Hr, c_prev + r0 * Hr, c + r0 * Hr, dh + r0 * Hr, dc + r0 * Hr);
  }
  return TW_OK;
}

/* ---- bias, activations, reductions ----------------------------------------- */

TW_NN_CLONES static void bias_act_block(int64_t rows, int n, float *TW_RESTRICT a, const float *TW_RESTRICT bias,
                                        tw_nn_act act) {
  for (int64_t r = 0; r < rows; ++r) {
    float *ar = a + r * n;
    if (act == TW_NN_ACT_RELU) {
#pragma omp simd
      for (int j = 0; j < n; ++j) ar[j] = tw_nn_reluf(ar[j] + bias[j]);
    } else if (act == TW_NN_ACT_TANH) {
#pragma omp simd
      for (int j = 0; j < n; ++j) ar[j] = tw_nn_tanhf(ar[j] + bias[j]);
    } else {
#pragma omp simd
      for (int j = 0; j < n; ++j) ar[j] += bias[j];
    }
  }
}

static tw_status cpu_bias_act(tw_backend *be, int64_t rows, int n, float *a, const float *bias, tw_nn_act act) {
  const int64_t blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static) if (rows * n >= PARALLEL_MIN)
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t r0 = k * ROW_BLOCK;
    bias_act_block(TW_MIN(ROW_BLOCK, rows - r0), n, a + r0 * n, bias, act);
  }
  return TW_OK;
}

static tw_status cpu_relu_backward(tw_backend *be, int64_t count, const float *a, float *da) {
#pragma omp parallel for simd schedule(static) if (count >= PARALLEL_MIN)
  for (int64_t i = 0; i < count; ++i) da[i] = tw_nn_relu_grad(a[i], da[i]);
  return TW_OK;
}

static tw_status cpu_bias_grad(tw_backend *be, int64_t rows, int n, const float *d, float *db) {
  column_sums(rows, n, n, d, db);
  return TW_OK;
}

static tw_status cpu_mse(tw_backend *be, int64_t count, const float *y, const float *target, const float *mask,
                         float scale, float *dy, double *sum_host) {
  double s = 0.0;
  for (int64_t i = 0; i < count; ++i) s += tw_nn_mse_term(y[i], target[i], mask ? mask[i] : 1.0f, scale, &dy[i]);
  *sum_host = s;
  return TW_OK;
}

static tw_status cpu_sum(tw_backend *be, int64_t count, const float *x, double *sum_host) {
  double s = 0.0;
  for (int64_t i = 0; i < count; ++i) s += x[i];
  *sum_host = s;
  return TW_OK;
}

static tw_status cpu_swap01(tw_backend *be, int64_t d0, int64_t d1, int64_t inner, const float *src,
                            int64_t src_stride0, float *dst, int64_t dst_stride0) {
#pragma omp parallel for collapse(2) schedule(static) if (d0 * d1 * inner >= PARALLEL_MIN)
  for (int64_t i = 0; i < d0; ++i)
    for (int64_t j = 0; j < d1; ++j)
      memcpy(dst + j * dst_stride0 + i * inner, src + i * src_stride0 + j * inner, (size_t)inner * sizeof(float));
  return TW_OK;
}

/* ---- optimiser ------------------------------------------------------------- */

/* A block of parameters; as a target clone, the fmaf of the update is one
** instruction on AVX2/AVX-512 (the baseline clone calls libm's exact fmaf). */
TW_NN_CLONES static void adamw_block(int64_t n, float *TW_RESTRICT p, const float *TW_RESTRICT g,
                                     float *TW_RESTRICT m, float *TW_RESTRICT v, tw_adamw_coef c) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) tw_adamw_update(&p[i], g[i], &m[i], &v[i], c);
}

enum { ADAMW_BLOCK = 4096 };

static tw_status cpu_adamw_step(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v,
                                double lr, double b1, double b2, double eps, double wd, int64_t step,
                                float grad_scale) {
  const tw_adamw_coef c = tw_adamw_coefs(lr, b1, b2, eps, wd, step, grad_scale);
  const int64_t blocks = (n + ADAMW_BLOCK - 1) / ADAMW_BLOCK;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t i0 = k * ADAMW_BLOCK, len = TW_MIN(ADAMW_BLOCK, n - i0);
    adamw_block(len, p + i0, g + i0, m + i0, v + i0, c);
  }
  return TW_OK;
}

static tw_status cpu_sum_rows(tw_backend *be, int64_t n, int k, const float *const *rows, float scale,
                              float *out) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
  for (int64_t i = 0; i < n; ++i) out[i] = TW_ADAMW_MUL(tw_rows_add_at(rows[0][i], rows, 1, k, i), scale);
  return TW_OK;
}

const tw_nn_ops tw_nn_ops_cpu = {
    .gnn_combine = cpu_gnn_combine,
    .gnn_combine_backward = cpu_gnn_combine_backward,
    .lstm_cell_forward = cpu_lstm_cell_forward,
    .lstm_cell_backward = cpu_lstm_cell_backward,
    .bias_act = cpu_bias_act,
    .relu_backward = cpu_relu_backward,
    .bias_grad = cpu_bias_grad,
    .mse = cpu_mse,
    .sum = cpu_sum,
    .swap01 = cpu_swap01,
    .adamw_step = cpu_adamw_step,
    .sum_rows = cpu_sum_rows,
};
