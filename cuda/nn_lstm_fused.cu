/*
** nn_lstm_fused.cu: the fused LSTM step (see nn_lstm_fused.h).
**
** Block of 256 threads; thread t owns unit j = t % Hr for "lane" t / Hr, and
** RB = 4 rows of each tile: rows lane, lane + lanes, ... So one thread holds
** 4 rows x 4 gates = 16 running sums; per k it reads four weights (consecutive
** j across a warp: no bank conflicts) and four h values (one address per lane:
** broadcast), 8 shared loads for 16 FMAs. The float32 CUDA cores do the
** products in every math mode (no tensor cores here).
**
** Shared memory: wt (Hr,4Hr) = W_hh^T, 16 Hr^2 bytes, loaded once per block;
** ht (TILE,Hr), the tile's h_prev rows. Hr = 64 takes 64 KiB + 4 KiB.
*/
#include "nn_lstm_fused.h"

#include "core/check.h" /* TW_CUDA_CHECK (after the CUDA headers) */
#include "nn/nn_math.h" /* tw_nn_lstm_cell_forward: the cell, as on the CPU */

enum { FUSED_THREADS = 256, RB = 4 };

static __host__ __device__ int lanes_for(int Hr) { return FUSED_THREADS / Hr; }
static __host__ __device__ int tile_for(int Hr) { return lanes_for(Hr) * RB; }
static size_t smem_for(int Hr) { return ((size_t)4 * Hr * Hr + (size_t)tile_for(Hr) * Hr) * sizeof(float); }

// gates (rows,4Hr) in: x W_ih^T, out: activated; see the header for the rest.
static __global__ void __launch_bounds__(FUSED_THREADS)
    lstm_fused_kernel(int64_t rows, int Hr, float *TW_RESTRICT gates, const float *TW_RESTRICT w_hh,
                      const float *TW_RESTRICT b_ih, const float *TW_RESTRICT b_hh,
                      const float *TW_RESTRICT h_prev, const float *TW_RESTRICT c_prev, float *TW_RESTRICT c,
                      float *TW_RESTRICT h) {
  extern __shared__ float smem[];
  const int G = 4 * Hr, lanes = lanes_for(Hr), tile = tile_for(Hr);
  float *wt = smem;              // (Hr,4Hr): wt[k*G + q] = w_hh[q*Hr + k]
  float *ht = smem + G * Hr;     // (tile,Hr)
  for (int e = threadIdx.x; e < G * Hr; e += blockDim.x) wt[(e % Hr) * G + e / Hr] = w_hh[e];

  const int j = threadIdx.x % Hr, lane = threadIdx.x / Hr;
  const bool active = lane < lanes;
  for (int64_t r0 = (int64_t)blockIdx.x * tile; r0 < rows; r0 += (int64_t)gridDim.x * tile) {
    __syncthreads(); // wt is loaded; the previous tile's ht is no longer read
    for (int e = threadIdx.x; e < tile * Hr; e += blockDim.x) {
      const int64_t r = r0 + e / Hr;
      ht[e] = r < rows ? h_prev[r * Hr + e % Hr] : 0.0f;
    }
    __syncthreads();
    if (!active) continue;
    float acc[RB][4];
#pragma unroll
    for (int q = 0; q < RB; ++q) acc[q][0] = acc[q][1] = acc[q][2] = acc[q][3] = 0.0f;
#pragma unroll 4
    for (int k = 0; k < Hr; ++k) {
      const float *w = wt + k * G + j;
      const float wi = w[0], wf = w[Hr], wg = w[2 * Hr], wo = w[3 * Hr];
#pragma unroll
      for (int q = 0; q < RB; ++q) {
        const float hv = ht[(lane + q * lanes) * Hr + k];
        acc[q][0] += hv * wi;
        acc[q][1] += hv * wf;
        acc[q][2] += hv * wg;
        acc[q][3] += hv * wo;
      }
    }
#pragma unroll
    for (int q = 0; q < RB; ++q) {
      const int64_t r = r0 + lane + q * lanes;
      if (r >= rows) continue;
      float *g = gates + r * G;
      const int jf = j + Hr, jg = j + 2 * Hr, jo = j + 3 * Hr;
      // (x W_ih^T + h W_hh^T) + b_ih + b_hh, as the generic step adds them
      tw_nn_lstm_cell_forward((g[j] + acc[q][0]) + b_ih[j] + b_hh[j], (g[jf] + acc[q][1]) + b_ih[jf] + b_hh[jf],
                              (g[jg] + acc[q][2]) + b_ih[jg] + b_hh[jg], (g[jo] + acc[q][3]) + b_ih[jo] + b_hh[jo],
                              c_prev[r * Hr + j], &g[j], &g[jf], &g[jg], &g[jo], &c[r * Hr + j], &h[r * Hr + j]);
    }
  }
}

tw_status tw_lstm_fused_max_hr(int device, int *max_hr) {
  int optin = 0;
  TW_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  *max_hr = 0;
  for (int Hr = 1; Hr <= FUSED_THREADS && smem_for(Hr) <= (size_t)optin; ++Hr) *max_hr = Hr;
  return TW_OK;
}

tw_status tw_lstm_fused_prepare(int device, int Hr, tw_lstm_fused_cfg *cfg) {
  int max_hr = 0, sms = 0, per_sm = 0;
  TW_TRY(tw_lstm_fused_max_hr(device, &max_hr));
  if (Hr < 1 || Hr > max_hr)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "fused LSTM step: Hr = %d is above %d, the largest whose W_hh fits in "
                   "shared memory on device %d (use the generic or cuDNN path)", Hr, max_hr, device);
  cfg->Hr = Hr;
  cfg->smem_bytes = smem_for(Hr);
  TW_CUDA_CHECK(cudaSetDevice(device));
  TW_CUDA_CHECK(cudaFuncSetAttribute(lstm_fused_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int)cfg->smem_bytes));
  TW_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  TW_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, lstm_fused_kernel, FUSED_THREADS,
                                                              cfg->smem_bytes));
  if (per_sm < 1)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "fused LSTM step: no block of %zu bytes of shared memory fits on device %d",
                   cfg->smem_bytes, device);
  cfg->blocks = sms * per_sm;
  return TW_OK;
}

tw_status tw_lstm_fused_step(const tw_lstm_fused_cfg *cfg, cudaStream_t stream, int64_t rows, float *gates,
                             const float *w_hh, const float *b_ih, const float *b_hh, const float *h_prev,
                             const float *c_prev, float *c, float *h) {
  if (rows <= 0) return TW_OK;
  const int64_t tiles = (rows + tile_for(cfg->Hr) - 1) / tile_for(cfg->Hr);
  const int blocks = (int)(tiles < cfg->blocks ? tiles : cfg->blocks);
  lstm_fused_kernel<<<blocks, FUSED_THREADS, cfg->smem_bytes, stream>>>(rows, cfg->Hr, gates, w_hh, b_ih, b_hh,
                                                                       h_prev, c_prev, c, h);
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}
