/*
** nn_lstm_fused.h: one LSTM step as one kernel: the recurrent product and the
** cell, for the GRT's fused path (nn_grt_cuda.h). Include from .cu files only.
**
** Equivalent to the generic step
**   gates (rows,4Hr) += h_prev (rows,Hr) @ W_hh^T      (cuBLAS, beta = 1)
**   lstm_cell_forward(gates, b_ih, b_hh, c_prev -> c, h)  (nn_ops_cuda.cu)
** with the same additions in the same order, but the products never leave the
** registers: the thread that owns unit j of a row computes its four gate sums
** and applies the cell at once. W_hh sits transposed in shared memory for the
** whole launch, h_prev is staged tile by tile; blocks loop over row tiles.
*/
#ifndef TW_NN_LSTM_FUSED_H
#define TW_NN_LSTM_FUSED_H

#include <cuda_runtime.h> /* cudaStream_t */

#include "core/status.h" /* tw_status */

/* Launch configuration for one Hr on one device, computed once. */
typedef struct tw_lstm_fused_cfg {
  int Hr;
  size_t smem_bytes; /* dynamic shared memory per block */
  int blocks;        /* resident blocks over the whole device */
} tw_lstm_fused_cfg;

/* Largest Hr whose W_hh^T and row tile fit the device's per-block shared memory. */
tw_status tw_lstm_fused_max_hr(int device, int *max_hr);

/* Checks that Hr fits, raises the kernel's shared-memory limit and sizes the grid. */
tw_status tw_lstm_fused_prepare(int device, int Hr, tw_lstm_fused_cfg *cfg);

/* One step for `rows` rows. gates (rows,4Hr): in, x W_ih^T for this step (no
** biases); out, the activated gates i,f,g,o. w_hh (4Hr,Hr), b_ih, b_hh (4Hr).
** h_prev, c_prev (rows,Hr) in; c, h (rows,Hr) out, not aliasing the inputs. */
tw_status tw_lstm_fused_step(const tw_lstm_fused_cfg *cfg, cudaStream_t stream, int64_t rows, float *gates,
                             const float *w_hh, const float *b_ih, const float *b_hh, const float *h_prev,
                             const float *c_prev, float *c, float *h);

#endif
