/*
** nn_ops_cuda.cu: the CUDA table of neural-twin kernels, entry for entry the
** counterpart of src/nn/nn_ops_cpu.c (contract in src/nn/nn_ops.h).
**
** Every kernel calls the same TW_HD pointwise math as the CPU loops (nn_math.h);
** only the indexing differs: one thread per output element, grid-stride loops,
** the element index decomposed into (row, column) or (twin-step, node, unit).
** All work is queued on the backend's stream after making its device current.
**
** Reductions are deterministic, as on the CPU (the same inputs give the same
** bits on every run and every GPU): a sum is cut into pieces that depend only
** on the element count, never on the device or the scheduling; each piece is
** summed by one thread in a fixed order and combined in a fixed tree, in double;
** the pieces are then added in order (on the device for column sums, on the host
** for the scalar sums). Scratch for the partial sums comes from the stream-
** ordered allocator (cudaMallocAsync), a pool that costs no device allocation
** in steady state; these entries run once per chunk, never per step.
*/
#include <cuda_runtime.h> /* launches, streams, stream-ordered allocation */

#include "backend_cuda.h"  /* tw_cuda_stream, tw_cuda_activate */
#include "core/check.h"    /* TW_CUDA_CHECK (after the CUDA headers) */
#include "nn/adamw.h"       /* the shared AdamW element update */
#include "nn/nn_math.h"    /* the shared pointwise math */
#include "nn_ops_cuda.h"   /* the table declared, launch arithmetic */

/* ---- GNN epilogue ---------------------------------------------------------- */

// Element i of an (S,N,H) tensor as (twin-step s, node, unit h), and the twin-
// step's adjacency (N,N): shared, or twin b = s % B's (s = t*B + b).
template <typename I> struct gnn_index {
  I s;
  int node, h;
  const float *adj;
};
template <typename I>
static __device__ gnn_index<I> gnn_locate(I i, int B, int N, int H, const float *adj, int adj_per_twin) {
  gnn_index<I> x;
  const I sn = i / H;
  x.h = (int)(i % H);
  x.s = sn / N;
  x.node = (int)(sn % N);
  x.adj = adj + (adj_per_twin ? (int64_t)(x.s % B) * N * N : 0);
  return x;
}

// ycat is (S,N,2H) with S = T*B twin-steps, time-major (s = t*B + b); z is (S,N,H).
// One thread per z element (s, v, h): consecutive threads walk h, so each of the
// N neighbour reads is coalesced; the N rows of one twin-step stay in L1.
template <typename I>
static __global__ void gnn_combine_kernel(I n, int B, int N, int H, const float *TW_RESTRICT ycat,
                                          const float *TW_RESTRICT bias, const float *TW_RESTRICT adj,
                                          int adj_per_twin, float *TW_RESTRICT z) {
  TW_NN_GRID_STRIDE_T(I, i, n) {
    const gnn_index<I> x = gnn_locate(i, B, N, H, adj, adj_per_twin);
    const int v = x.node, h = x.h;
    const float *a = x.adj + (int64_t)v * N;
    const float *yc = ycat + (int64_t)x.s * N * 2 * H;
    float acc = yc[(int64_t)v * 2 * H + h] + bias[h];
    for (int u = 0; u < N; ++u) acc += a[u] * yc[(int64_t)u * 2 * H + H + h];
    z[i] = tw_nn_tanhf(acc);
  }
}

// dycat (S,N,2H): [dpre, adj^T @ dpre] with dpre = dz * (1 - z^2), recomputed for
// each neighbour instead of staged (it is N multiply-adds against N reads).
template <typename I>
static __global__ void gnn_combine_backward_kernel(I n, int B, int N, int H, const float *TW_RESTRICT z,
                                                   const float *TW_RESTRICT dz, const float *TW_RESTRICT adj,
                                                   int adj_per_twin, float *TW_RESTRICT dycat) {
  TW_NN_GRID_STRIDE_T(I, i, n) {
    const gnn_index<I> x = gnn_locate(i, B, N, H, adj, adj_per_twin);
    const int u = x.node, h = x.h;
    const float *a = x.adj;
    const float *zs = z + (int64_t)x.s * N * H, *dzs = dz + (int64_t)x.s * N * H;
    float *out = dycat + (int64_t)x.s * N * 2 * H + (int64_t)u * 2 * H;
    out[h] = tw_nn_tanh_grad(z[i], dz[i]);
    float acc = 0.0f;
    for (int v = 0; v < N; ++v)
      acc += a[(int64_t)v * N + u] * tw_nn_tanh_grad(zs[(int64_t)v * H + h], dzs[(int64_t)v * H + h]);
    out[H + h] = acc;
  }
}

/* ---- deterministic column sums (bias gradients) ---------------------------- */

enum { COLS_PER_BLOCK = 32, ROW_LANES = 8, MIN_ROW_CHUNK = 4096, MAX_ROW_CHUNKS = 65535 };

// partial (chunks,n) in double: block (cx, chunk) sums columns [32cx, 32cx+32) over
// its chunk of rows; lane ty takes rows ty, ty+8, ... in order, then the 8 lanes
// are added in a fixed order.
static __global__ void column_partials_kernel(int64_t rows, int n, int64_t ld, int64_t chunk, const float *TW_RESTRICT d,
                                       double *TW_RESTRICT partial) {
  __shared__ double lanes[ROW_LANES][COLS_PER_BLOCK];
  const int j = blockIdx.x * COLS_PER_BLOCK + threadIdx.x;
  const int64_t r0 = blockIdx.y * chunk, r1 = r0 + chunk < rows ? r0 + chunk : rows;
  double acc = 0.0;
  if (j < n)
    for (int64_t r = r0 + threadIdx.y; r < r1; r += ROW_LANES) acc += d[r * ld + j];
  lanes[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && j < n) {
    double s = 0.0;
    for (int k = 0; k < ROW_LANES; ++k) s += lanes[k][threadIdx.x];
    partial[blockIdx.y * (int64_t)n + j] = s;
  }
}

// db[j] += sum over chunks of partial[., j], in chunk order.
static __global__ void column_finish_kernel(int n, int64_t chunks, const double *TW_RESTRICT partial, float *TW_RESTRICT db) {
  TW_NN_GRID_STRIDE(j, n) {
    double s = 0.0;
    for (int64_t c = 0; c < chunks; ++c) s += partial[c * n + j];
    db[j] += (float)s;
  }
}

/* db (n) += column sums of d (rows,n) with leading dimension ld. */
static tw_status column_sums(cudaStream_t stream, int64_t rows, int n, int64_t ld, const float *d, float *db) {
  if (rows <= 0 || n <= 0) return TW_OK;
  int64_t chunk = MIN_ROW_CHUNK;
  if ((rows + chunk - 1) / chunk > MAX_ROW_CHUNKS) chunk = (rows + MAX_ROW_CHUNKS - 1) / MAX_ROW_CHUNKS;
  const int64_t chunks = (rows + chunk - 1) / chunk;
  double *partial = NULL;
  TW_CUDA_CHECK(cudaMallocAsync((void **)&partial, (size_t)chunks * n * sizeof(double), stream));
  dim3 grid((unsigned)((n + COLS_PER_BLOCK - 1) / COLS_PER_BLOCK), (unsigned)chunks);
  dim3 block(COLS_PER_BLOCK, ROW_LANES);
  column_partials_kernel<<<grid, block, 0, stream>>>(rows, n, ld, chunk, d, partial);
  cudaError_t launch = cudaGetLastError();
  if (launch == cudaSuccess) {
    column_finish_kernel<<<tw_nn_cuda_blocks(n), TW_NN_CUDA_THREADS, 0, stream>>>(n, chunks, partial, db);
    launch = cudaGetLastError();
  }
  TW_CUDA_CHECK(cudaFreeAsync(partial, stream));
  TW_CUDA_CHECK(launch);
  return TW_OK;
}

/* ---- deterministic scalar sums (loss, mask weight) ------------------------- */

enum { SUM_BLOCKS = 1024 };

// Fixed grid of SUM_BLOCKS x 256 threads: thread (b, k) takes elements
// b*256 + k + m*SUM_BLOCKS*256 in order; the block adds its threads in a fixed tree.
static __device__ void block_sum_store(double acc, double *TW_RESTRICT partial) {
  __shared__ double buf[TW_NN_CUDA_THREADS];
  buf[threadIdx.x] = acc;
  __syncthreads();
  for (int s = TW_NN_CUDA_THREADS / 2; s > 0; s /= 2) {
    if ((int)threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = buf[0];
}

static __global__ void mse_kernel(int64_t count, const float *TW_RESTRICT y, const float *TW_RESTRICT target,
                           const float *TW_RESTRICT mask, float scale, float *TW_RESTRICT dy,
                           double *TW_RESTRICT partial) {
  double acc = 0.0;
  TW_NN_GRID_STRIDE(i, count) acc += tw_nn_mse_term(y[i], target[i], mask ? mask[i] : 1.0f, scale, &dy[i]);
  block_sum_store(acc, partial);
}

static __global__ void sum_kernel(int64_t count, const float *TW_RESTRICT x, double *TW_RESTRICT partial) {
  double acc = 0.0;
  TW_NN_GRID_STRIDE(i, count) acc += x[i];
  block_sum_store(acc, partial);
}

/* Adds the SUM_BLOCKS partial sums on the host, in block order. */
static tw_status finish_sum(cudaStream_t stream, double *partial, double *sum_host) {
  double host[SUM_BLOCKS];
  cudaError_t rc = cudaMemcpyAsync(host, partial, sizeof host, cudaMemcpyDeviceToHost, stream);
  TW_CUDA_CHECK(cudaFreeAsync(partial, stream));
  TW_CUDA_CHECK(rc);
  TW_CUDA_CHECK(cudaStreamSynchronize(stream));
  double s = 0.0;
  for (int b = 0; b < SUM_BLOCKS; ++b) s += host[b];
  *sum_host = s;
  return TW_OK;
}

/* ---- LSTM cell ------------------------------------------------------------- */

// gates (rows,4Hr) i|f|g|o; one thread per unit (r, j) reads its four gates, adds
// both biases in the CPU's order, and writes the activated gates back.
template <typename I>
static __global__ void lstm_forward_kernel(I n, int Hr, float *TW_RESTRICT gates, const float *TW_RESTRICT b_ih,
                                           const float *TW_RESTRICT b_hh, const float *TW_RESTRICT c_prev,
                                           float *TW_RESTRICT c, float *TW_RESTRICT h) {
  TW_NN_GRID_STRIDE_T(I, i, n) {
    const I r = i / Hr;
    const int j = (int)(i % Hr), jf = j + Hr, jg = j + 2 * Hr, jo = j + 3 * Hr;
    float *g = gates + (int64_t)r * 4 * Hr;
    tw_nn_lstm_cell_forward(g[j] + b_ih[j] + b_hh[j], g[jf] + b_ih[jf] + b_hh[jf], g[jg] + b_ih[jg] + b_hh[jg],
                            g[jo] + b_ih[jo] + b_hh[jo], c_prev[i], &g[j], &g[jf], &g[jg], &g[jo], &c[i], &h[i]);
  }
}

template <typename I>
static __global__ void lstm_backward_kernel(I n, int Hr, float *TW_RESTRICT gates, const float *TW_RESTRICT c_prev,
                                            const float *TW_RESTRICT c, const float *TW_RESTRICT dh,
                                            float *TW_RESTRICT dc) {
  TW_NN_GRID_STRIDE_T(I, i, n) {
    const I r = i / Hr;
    const int j = (int)(i % Hr);
    float *g = gates + (int64_t)r * 4 * Hr;
    tw_nn_lstm_cell_backward(g[j], g[j + Hr], g[j + 2 * Hr], g[j + 3 * Hr], c_prev[i], c[i], dh[i], dc[i], &g[j],
                             &g[j + Hr], &g[j + 2 * Hr], &g[j + 3 * Hr], &dc[i]);
  }
}

/* ---- bias, activations, layout --------------------------------------------- */

template <typename I>
static __global__ void bias_act_kernel(I count, int n, float *TW_RESTRICT a, const float *TW_RESTRICT bias,
                                       tw_nn_act act) {
  TW_NN_GRID_STRIDE_T(I, i, count) {
    const float u = a[i] + bias[i % n];
    a[i] = act == TW_NN_ACT_RELU ? tw_nn_reluf(u) : act == TW_NN_ACT_TANH ? tw_nn_tanhf(u) : u;
  }
}

template <typename I>
static __global__ void relu_backward_kernel(I count, const float *TW_RESTRICT a, float *TW_RESTRICT da) {
  TW_NN_GRID_STRIDE_T(I, i, count) da[i] = tw_nn_relu_grad(a[i], da[i]);
}

// dst[j*dst_stride0 + i*inner + k] = src[i*src_stride0 + j*inner + k]; threads walk k.
// The element index is split in I; addresses, which strides can carry past the
// element count, are formed in 64 bits.
template <typename I>
static __global__ void swap01_kernel(I n, I d1, I inner, const float *TW_RESTRICT src, int64_t src_stride0,
                                     float *TW_RESTRICT dst, int64_t dst_stride0) {
  TW_NN_GRID_STRIDE_T(I, e, n) {
    const I k = e % inner, ij = e / inner;
    const int64_t j = ij % d1, i = ij / d1;
    dst[j * dst_stride0 + i * inner + k] = src[i * src_stride0 + j * inner + k];
  }
}

/* ---- optimiser ------------------------------------------------------------- */

// One AdamW step, one thread per parameter: the CPU loop's TW_HD update.
template <typename I>
static __global__ void adamw_kernel(I n, float *TW_RESTRICT p, const float *TW_RESTRICT g, float *TW_RESTRICT m,
                                    float *TW_RESTRICT v, tw_adamw_coef c) {
  TW_NN_GRID_STRIDE_T(I, i, n) tw_adamw_update(&p[i], g[i], &m[i], &v[i], c);
}

// The step's gradient, a launch per SUM_ROWS_PER_LAUNCH rows (the pointers go by
// value, in the kernel's parameters): the first launch starts each element from
// row 0, the later ones from out, where the previous left the float sum; only
// the last multiplies by the scale (the others by 1, which is exact).
enum { SUM_ROWS_PER_LAUNCH = 64 };
struct sum_rows_ptrs {
  const float *p[SUM_ROWS_PER_LAUNCH];
};

template <typename I>
static __global__ void sum_rows_kernel(I n, sum_rows_ptrs rows, int k, int first, float scale, float *out) {
  TW_NN_GRID_STRIDE_T(I, i, n) {
    const float s0 = first ? rows.p[0][i] : out[i];
    out[i] = TW_ADAMW_MUL(tw_rows_add_at(s0, rows.p, first, k, i), scale);
  }
}

/* ---- the table's entries --------------------------------------------------- */

static tw_status cuda_gnn_combine(tw_backend *be, int T, int B, int N, int H, const float *ycat, const float *bias,
                                  const float *adj, int adj_per_twin, float *z) {
  TW_TRY(tw_cuda_activate(be));
  const int64_t S = (int64_t)T * B;
  TW_NN_CUDA_LAUNCH(gnn_combine_kernel, S * N * H, B, N, H, ycat, bias, adj, adj_per_twin, z);
  return TW_OK;
}

static tw_status cuda_gnn_combine_backward(tw_backend *be, int T, int B, int N, int H, const float *z,
                                           const float *dz, const float *adj, int adj_per_twin, float *dycat,
                                           float *dbias) {
  TW_TRY(tw_cuda_activate(be));
  const int64_t S = (int64_t)T * B;
  TW_NN_CUDA_LAUNCH(gnn_combine_backward_kernel, S * N * H, B, N, H, z, dz, adj, adj_per_twin, dycat);
  return column_sums(tw_cuda_stream(be), S * N, H, 2 * (int64_t)H, dycat, dbias);
}

static tw_status cuda_lstm_cell_forward(tw_backend *be, int64_t rows, int Hr, float *gates, const float *b_ih,
                                        const float *b_hh, const float *c_prev, float *c, float *h) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(lstm_forward_kernel, rows * Hr, Hr, gates, b_ih, b_hh, c_prev, c, h);
  return TW_OK;
}

static tw_status cuda_lstm_cell_backward(tw_backend *be, int64_t rows, int Hr, float *gates, const float *c_prev,
                                         const float *c, const float *dh, float *dc) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(lstm_backward_kernel, rows * Hr, Hr, gates, c_prev, c, dh, dc);
  return TW_OK;
}

static tw_status cuda_bias_act(tw_backend *be, int64_t rows, int n, float *a, const float *bias, tw_nn_act act) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(bias_act_kernel, rows * n, n, a, bias, act);
  return TW_OK;
}

static tw_status cuda_relu_backward(tw_backend *be, int64_t count, const float *a, float *da) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(relu_backward_kernel, count, a, da);
  return TW_OK;
}

static tw_status cuda_bias_grad(tw_backend *be, int64_t rows, int n, const float *d, float *db) {
  TW_TRY(tw_cuda_activate(be));
  return column_sums(tw_cuda_stream(be), rows, n, n, d, db);
}

static tw_status cuda_mse(tw_backend *be, int64_t count, const float *y, const float *target, const float *mask,
                          float scale, float *dy, double *sum_host) {
  TW_TRY(tw_cuda_activate(be));
  cudaStream_t stream = tw_cuda_stream(be);
  double *partial = NULL;
  TW_CUDA_CHECK(cudaMallocAsync((void **)&partial, SUM_BLOCKS * sizeof(double), stream));
  mse_kernel<<<SUM_BLOCKS, TW_NN_CUDA_THREADS, 0, stream>>>(count, y, target, mask, scale, dy, partial);
  cudaError_t launch = cudaGetLastError();
  if (launch != cudaSuccess) cudaFreeAsync(partial, stream);
  TW_CUDA_CHECK(launch);
  return finish_sum(stream, partial, sum_host);
}

static tw_status cuda_sum(tw_backend *be, int64_t count, const float *x, double *sum_host) {
  TW_TRY(tw_cuda_activate(be));
  cudaStream_t stream = tw_cuda_stream(be);
  double *partial = NULL;
  TW_CUDA_CHECK(cudaMallocAsync((void **)&partial, SUM_BLOCKS * sizeof(double), stream));
  sum_kernel<<<SUM_BLOCKS, TW_NN_CUDA_THREADS, 0, stream>>>(count, x, partial);
  cudaError_t launch = cudaGetLastError();
  if (launch != cudaSuccess) cudaFreeAsync(partial, stream);
  TW_CUDA_CHECK(launch);
  return finish_sum(stream, partial, sum_host);
}

static tw_status cuda_swap01(tw_backend *be, int64_t d0, int64_t d1, int64_t inner, const float *src,
                             int64_t src_stride0, float *dst, int64_t dst_stride0) {
  TW_TRY(tw_cuda_activate(be));
  TW_NN_CUDA_LAUNCH(swap01_kernel, d0 * d1 * inner, d1, inner, src, src_stride0, dst, dst_stride0);
  return TW_OK;
}

static tw_status cuda_adamw_step(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v,
                                 double lr, double b1, double b2, double eps, double wd, int64_t step,
                                 float grad_scale) {
  TW_TRY(tw_cuda_activate(be));
  const tw_adamw_coef c = tw_adamw_coefs(lr, b1, b2, eps, wd, step, grad_scale); /* on the host, as the CPU */
  TW_NN_CUDA_LAUNCH(adamw_kernel, n, p, g, m, v, c);
  return TW_OK;
}

static tw_status cuda_sum_rows(tw_backend *be, int64_t n, int k, const float *const *rows, float scale,
                               float *out) {
  TW_TRY(tw_cuda_activate(be));
  for (int j0 = 0; j0 < k; j0 += SUM_ROWS_PER_LAUNCH) {
    const int m = k - j0 < SUM_ROWS_PER_LAUNCH ? k - j0 : SUM_ROWS_PER_LAUNCH;
    sum_rows_ptrs ptrs = {};
    for (int j = 0; j < m; ++j) ptrs.p[j] = rows[j0 + j];
    TW_NN_CUDA_LAUNCH(sum_rows_kernel, n, ptrs, m, j0 == 0, j0 + m == k ? scale : 1.0f, out);
  }
  return TW_OK;
}

/* In nn_ops.h order (C++ has no designated initialisers before C++20). */
extern "C" const tw_nn_ops tw_nn_ops_cuda = {
    cuda_gnn_combine,   cuda_gnn_combine_backward, cuda_lstm_cell_forward, cuda_lstm_cell_backward,
    cuda_bias_act,      cuda_relu_backward,        cuda_bias_grad,         cuda_mse,
    cuda_sum,           cuda_swap01,               cuda_adamw_step,        cuda_sum_rows,
};
