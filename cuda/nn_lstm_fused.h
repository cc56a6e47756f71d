/*
** nn_lstm_fused.h: one LSTM step as one kernel: the input and recurrent
** products and the cell, for the GRT's fused path (nn_grt_cuda.h). Include from
** .cu files only.
**
** Equivalent to the generic step
**   gates (rows,4Hr) = z (rows,H) @ W_ih^T + h_prev (rows,Hr) @ W_hh^T   (cuBLAS)
**   lstm_cell_forward(gates, b_ih, b_hh, c_prev -> c, h)                 (nn_ops_cuda.cu)
** but the gates never exist in memory: the thread that owns unit j of a row
** computes its four gate sums in registers and applies the cell at once. The
** stacked weights [W_ih^T; W_hh^T] sit in shared memory for the whole launch,
** the rows' [z, h_prev] are staged tile by tile; blocks loop over row tiles. The
** activated gates are not kept, so the step serves inference and rollout; a
** training forward keeps them and runs the generic step.
*/
#ifndef TW_NN_LSTM_FUSED_H
#define TW_NN_LSTM_FUSED_H

#include <cuda_runtime.h> /* cudaStream_t */

#include "core/status.h" /* tw_status */

/* Launch configuration for one Hr on one device, computed once. */
typedef struct tw_lstm_fused_cfg {
  int H, Hr;
  size_t smem_bytes; /* dynamic shared memory per block */
  int blocks;        /* resident blocks over the whole device */
} tw_lstm_fused_cfg;

/* Largest Hr, for input width H, whose weights and row tile fit the device's
** per-block shared memory (0 if none). */
tw_status tw_lstm_fused_max_hr(int device, int H, int *max_hr);

/* Checks that (H, Hr) fits, raises the kernel's shared-memory limit and sizes the grid. */
tw_status tw_lstm_fused_prepare(int device, int H, int Hr, tw_lstm_fused_cfg *cfg);

/* One step for `rows` rows: z (rows,H) the step's input, w_ih (4Hr,H),
** w_hh (4Hr,Hr), b_ih, b_hh (4Hr) in PyTorch's layout; h_prev, c_prev (rows,Hr)
** in; c, h (rows,Hr) out, not aliasing the inputs. */
tw_status tw_lstm_fused_step(const tw_lstm_fused_cfg *cfg, cudaStream_t stream, int64_t rows, const float *z,
                             const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                             const float *h_prev, const float *c_prev, float *c, float *h);

#endif
