/*
** nn_lstm_fused.cu: the fused LSTM step (see nn_lstm_fused.h).
**
** Block of 256 threads; thread t owns unit j = t % Hr for "lane" t / Hr (lanes
** = min(256 / Hr, 16); threads past the last lane idle), and RB = 4 rows of
** each tile: rows lane, lane + lanes, ... So one thread holds
** 4 rows x 4 gates = 16 running sums; per k it reads four weights (consecutive
** j across a warp: no bank conflicts) and four inputs (one address per lane:
** broadcast), 8 shared loads for 16 FMAs. The float32 CUDA cores do the
** products in every math mode (no tensor cores here).
**
** Shared memory, with K = H + Hr the width of a row's input [z, h_prev]:
**   wt (K,4Hr) = [W_ih^T; W_hh^T], 16 K Hr bytes, loaded once per block;
**   xt (TILE,K), the tile's [z, h_prev] rows.
** Reference model (H = Hr = 64): 128 KiB + 8 KiB, one block per SM.
*/
#include "nn_lstm_fused.h" /* the contract implemented here */

#include "core/check.h" /* TW_CUDA_CHECK (after the CUDA headers) */
#include "nn/nn_math.h" /* tw_nn_lstm_cell_forward: the cell, as on the CPU */

enum { FUSED_THREADS = 256, RB = 4, MAX_LANES = 16 };

// Rows in flight per block: 256 / Hr lanes, at most 16 so that a small Hr does
// not ask for a huge tile (Hr < 16 leaves threads idle; such sizes are cheap).
static __host__ __device__ int lanes_for(int Hr) {
  return FUSED_THREADS / Hr < MAX_LANES ? FUSED_THREADS / Hr : MAX_LANES;
}
static __host__ __device__ int tile_for(int Hr) { return lanes_for(Hr) * RB; }
static size_t smem_for(int H, int Hr) {
  const size_t K = (size_t)H + Hr;
  return (4 * (size_t)Hr * K + (size_t)tile_for(Hr) * K) * sizeof(float);
}

// z (rows,H), h_prev, c_prev (rows,Hr) -> c, h (rows,Hr); see the header.
static __global__ void __launch_bounds__(FUSED_THREADS)
    lstm_fused_kernel(int64_t rows, int H, int Hr, const float *TW_RESTRICT z, const float *TW_RESTRICT w_ih,
                      const float *TW_RESTRICT w_hh, const float *TW_RESTRICT b_ih, const float *TW_RESTRICT b_hh,
                      const float *TW_RESTRICT h_prev, const float *TW_RESTRICT c_prev, float *TW_RESTRICT c,
                      float *TW_RESTRICT h) {
  extern __shared__ float smem[];
  const int G = 4 * Hr, K = H + Hr, lanes = lanes_for(Hr), tile = tile_for(Hr);
  float *wt = smem;          // (K,4Hr): wt[k*G + q] = w_ih[q*H + k] (k < H), w_hh[q*Hr + k-H] (k >= H)
  float *xt = smem + G * K;  // (tile,K): [z_r, h_prev_r] for the tile's rows
  for (int e = threadIdx.x; e < G * H; e += blockDim.x) wt[(e % H) * G + e / H] = w_ih[e];
  for (int e = threadIdx.x; e < G * Hr; e += blockDim.x) wt[(H + e % Hr) * G + e / Hr] = w_hh[e];

  const int j = threadIdx.x % Hr, lane = threadIdx.x / Hr;
  const bool active = lane < lanes;
  for (int64_t r0 = (int64_t)blockIdx.x * tile; r0 < rows; r0 += (int64_t)gridDim.x * tile) {
    __syncthreads(); // wt is loaded; the previous tile's xt is no longer read
    for (int e = threadIdx.x; e < tile * K; e += blockDim.x) {
      const int64_t r = r0 + e / K;
      const int k = e % K;
      xt[e] = r >= rows ? 0.0f : k < H ? z[r * H + k] : h_prev[r * Hr + (k - H)];
    }
    __syncthreads();
    if (!active) continue;
    float acc[RB][4];
#pragma unroll
    for (int q = 0; q < RB; ++q) acc[q][0] = acc[q][1] = acc[q][2] = acc[q][3] = 0.0f;
#pragma unroll 4
    for (int k = 0; k < K; ++k) {
      const float *w = wt + k * G + j;
      const float wi = w[0], wf = w[Hr], wg = w[2 * Hr], wo = w[3 * Hr];
#pragma unroll
      for (int q = 0; q < RB; ++q) {
        const float v = xt[(lane + q * lanes) * K + k];
        acc[q][0] += v * wi;
        acc[q][1] += v * wf;
        acc[q][2] += v * wg;
        acc[q][3] += v * wo;
      }
    }
#pragma unroll
    for (int q = 0; q < RB; ++q) {
      const int64_t r = r0 + lane + q * lanes;
      if (r >= rows) continue;
      const int jf = j + Hr, jg = j + 2 * Hr, jo = j + 3 * Hr;
      float i_, f_, g_, o_; // activated gates: not kept (inference)
      // (z W_ih^T + h W_hh^T) + b_ih + b_hh, as the generic step adds the biases
      tw_nn_lstm_cell_forward(acc[q][0] + b_ih[j] + b_hh[j], acc[q][1] + b_ih[jf] + b_hh[jf],
                              acc[q][2] + b_ih[jg] + b_hh[jg], acc[q][3] + b_ih[jo] + b_hh[jo], c_prev[r * Hr + j],
                              &i_, &f_, &g_, &o_, &c[r * Hr + j], &h[r * Hr + j]);
    }
  }
}

tw_status tw_lstm_fused_max_hr(int device, int H, int *max_hr) {
  int optin = 0;
  TW_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  *max_hr = 0;
  for (int Hr = 1; Hr <= FUSED_THREADS; ++Hr)
    if (smem_for(H, Hr) <= (size_t)optin) *max_hr = Hr;
  return TW_OK;
}

tw_status tw_lstm_fused_prepare(int device, int H, int Hr, tw_lstm_fused_cfg *cfg) {
  int max_hr = 0, sms = 0, per_sm = 0, optin = 0;
  TW_TRY(tw_lstm_fused_max_hr(device, H, &max_hr));
  if (Hr < 1 || Hr > max_hr)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "fused LSTM step: Hr = %d is above %d, the largest whose weights fit in "
                   "shared memory with H = %d on device %d (use the generic or cuDNN path)", Hr, max_hr, H, device);
  cfg->H = H;
  cfg->Hr = Hr;
  cfg->smem_bytes = smem_for(H, Hr);
  TW_CUDA_CHECK(cudaSetDevice(device));
  // The limit is the kernel's, per device, not the plan's: raise it to all the
  // device allows, so that plans of different sizes never lower it under each other.
  TW_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  TW_CUDA_CHECK(cudaFuncSetAttribute(lstm_fused_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, optin));
  TW_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  TW_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, lstm_fused_kernel, FUSED_THREADS,
                                                              cfg->smem_bytes));
  if (per_sm < 1)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "fused LSTM step: no block of %zu bytes of shared memory fits on device %d",
                   cfg->smem_bytes, device);
  cfg->blocks = sms * per_sm;
  return TW_OK;
}

tw_status tw_lstm_fused_step(const tw_lstm_fused_cfg *cfg, cudaStream_t stream, int64_t rows, const float *z,
                             const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                             const float *h_prev, const float *c_prev, float *c, float *h) {
  if (rows <= 0) return TW_OK;
  const int64_t tiles = (rows + tile_for(cfg->Hr) - 1) / tile_for(cfg->Hr);
  const int blocks = (int)(tiles < cfg->blocks ? tiles : cfg->blocks);
  lstm_fused_kernel<<<blocks, FUSED_THREADS, cfg->smem_bytes, stream>>>(rows, cfg->H, cfg->Hr, z, w_ih, w_hh, b_ih,
                                                                       b_hh, h_prev, c_prev, c, h);
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}
