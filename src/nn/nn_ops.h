/*
** nn_ops.h: the neural-twin kernel family, one table per backend.
**
** The GRT orchestration (grt_forward.c, grt_backward.c, grt_rollout.c) is the
** same code for every backend: it calls be->gemm for the products and these
** entries for everything pointwise, through tw_nn_ops_for(be). The CPU table is
** tw_nn_ops_cpu (nn_ops_cpu.c, OpenMP); the CUDA table mirrors it entry by entry
** (cuda/nn_*.cu). Both compute with the TW_HD functions of nn/nn_math.h
** (and nn/adamw.h for the optimiser).
**
** Conventions for every entry:
**   - pointers live on the backend's device; sizes are in elements;
**   - matrices are row-major; "rows" of a (T,B,N,k) tensor are its T*B*N
**     leading positions, time-major, the layout the orchestration works in;
**   - entries may run asynchronously, except those returning a host value
**     (mse, sum), which synchronise;
**   - reductions (bias_grad, mse, sum) are deterministic: the same inputs give
**     bit-identical results whatever the thread count (DESIGN.md invariant 2);
**   - an entry returns TW_OK or a backend error (a failed launch); argument
**     checking is the orchestration's job.
*/
#ifndef TW_NN_OPS_H
#define TW_NN_OPS_H

#include "backend/backend.h" /* tw_backend */
#include "core/status.h"     /* tw_status */

TW_EXTERN_C_BEGIN

typedef enum tw_nn_act { TW_NN_ACT_NONE = 0, TW_NN_ACT_RELU = 1, TW_NN_ACT_TANH = 2 } tw_nn_act;

typedef struct tw_nn_ops {
  /* GNN layer epilogue, after the product ycat = z_{l-1} [W_self; W_nbr]^T:
  **   z[t,b,v,:] = tanh(ycat[t,b,v,0:H] + bias + sum_u adj_b[v,u] * ycat[t,b,u,H:2H])
  ** ycat is (T,B,N,2H); bias (H); adj (N,N) shared, or (B,N,N) when adj_per_twin
  ** (adj_b = adj + b*N*N); z is (T,B,N,H). */
  tw_status (*gnn_combine)(tw_backend *be, int T, int B, int N, int H, const float *ycat, const float *bias,
                           const float *adj, int adj_per_twin, float *z);

  /* Its backward. From z (the forward output) and dz, both (T,B,N,H):
  **   dpre = dz * (1 - z^2)
  **   dycat[t,b,u,0:H]  = dpre[t,b,u,:]
  **   dycat[t,b,u,H:2H] = sum_v adj_b[v,u] * dpre[t,b,v,:]      (adj_b^T @ dpre)
  **   dbias[:] += sum over (t,b,v) of dpre                        (accumulates)
  ** dycat is (T,B,N,2H), written. */
  tw_status (*gnn_combine_backward)(tw_backend *be, int T, int B, int N, int H, const float *z, const float *dz,
                                    const float *adj, int adj_per_twin, float *dycat, float *dbias);

  /* LSTM cell for `rows` rows (B*N) of width Hr, gates in PyTorch order i,f,g,o.
  ** gates (rows,4Hr): in, the products x W_ih^T + h W_hh^T without biases; out,
  ** the ACTIVATED gates (sigmoid i, f, o; tanh g), kept for backward.
  ** b_ih, b_hh (4Hr) are both added. c_prev (rows,Hr) in; c, h (rows,Hr) out.
  ** c may not alias c_prev. */
  tw_status (*lstm_cell_forward)(tw_backend *be, int64_t rows, int Hr, float *gates, const float *b_ih,
                                 const float *b_hh, const float *c_prev, float *c, float *h);

  /* Its backward for one step. gates (rows,4Hr): in, the activated gates of the
  ** step; out, the gradients of the pre-activations (in place). c_prev, c (rows,Hr)
  ** from the forward; dh (rows,Hr) the gradient reaching h (head + recurrence);
  ** dc (rows,Hr): in, the gradient reaching c from step t+1 (zeros at the last
  ** step); out, the gradient reaching c_prev. */
  tw_status (*lstm_cell_backward)(tw_backend *be, int64_t rows, int Hr, float *gates, const float *c_prev,
                                  const float *c, const float *dh, float *dc);

  /* a (rows,n) = act(a + bias), in place; bias (n). */
  tw_status (*bias_act)(tw_backend *be, int64_t rows, int n, float *a, const float *bias, tw_nn_act act);

  /* da (count) = da where a > 0, else 0: backward of a = relu(u), in place. */
  tw_status (*relu_backward)(tw_backend *be, int64_t count, const float *a, float *da);

  /* db (n) += column sums of d (rows,n). */
  tw_status (*bias_grad)(tw_backend *be, int64_t rows, int n, const float *d, float *db);

  /* Loss pieces over `count` elements, mask may be NULL (all ones):
  **   dy = 2*mask*(y - target)*scale              (device, written)
  **   *sum_host = sum of mask*(y - target)^2      (host double, accumulated in double) */
  tw_status (*mse)(tw_backend *be, int64_t count, const float *y, const float *target, const float *mask,
                   float scale, float *dy, double *sum_host);

  /* *sum_host = sum of x (count), accumulated in double (the mask's weight). */
  tw_status (*sum)(tw_backend *be, int64_t count, const float *x, double *sum_host);

  /* Swaps the two leading axes: src (d0,d1,inner) -> dst (d1,d0,inner):
  **   dst[j*dst_stride0 + i*inner + k] = src[i*src_stride0 + j*inner + k]
  ** The outer strides (>= d1*inner and >= d0*inner) let a slice of a longer tensor
  ** be read or written in place: (B,T,..) <-> (T,B,..) for a chunk of twins, and
  ** x[:,t] or y[:,t] of a (B,T,..) tensor with d0 or d1 equal to 1. */
  tw_status (*swap01)(tw_backend *be, int64_t d0, int64_t d1, int64_t inner, const float *src,
                      int64_t src_stride0, float *dst, int64_t dst_stride0);

  /* One AdamW step (torch.optim.AdamW semantics, nn/adamw.h) over n flat float
  ** parameters p with gradients g and moments m, v (all n, updated in place but
  ** g): each g is first multiplied by grad_scale (the clipping coefficient,
  ** tw_clip_coef; 1 for none). lr, b1, b2, eps, wd as torch's; step is the
  ** 1-based count of this step (torch's state["step"] after its increment).
  ** Element-wise, so results are bit-identical on every backend and thread count. */
  tw_status (*adamw_step)(tw_backend *be, int64_t n, float *p, const float *g, float *m, float *v, double lr,
                          double b1, double b2, double eps, double wd, int64_t step, float grad_scale);

  /* The step's gradient from k >= 1 group rows (train_loop.c), in a fixed order:
  **   out[i] = ((rows[0][i] + rows[1][i]) + ... + rows[k-1][i]) * scale
  ** each addition and the product one float operation rounded once
  ** (tw_rows_add_at, nn/adamw.h), so every backend and thread count gives the
  ** same bits, and the same as a host loop of `out[i] += row[i]` over the rows.
  ** rows: a HOST array of k pointers to rows of n floats on the device; out (n)
  ** on the device, none of the rows. */
  tw_status (*sum_rows)(tw_backend *be, int64_t n, int k, const float *const *rows, float scale, float *out);
} tw_nn_ops;

/* The CPU table (nn_ops_cpu.c). */
extern const tw_nn_ops tw_nn_ops_cpu;

/* The neural-twin table of backend `be`: its TW_FAMILY_NN slot (the CUDA
** module's tw_nn_ops_cuda), or tw_nn_ops_cpu for a host backend that leaves it
** empty. Never NULL for the backends tw_backend_open makes (nn_ops_for.c). */
const tw_nn_ops *tw_nn_ops_for(const tw_backend *be);

TW_EXTERN_C_END

#endif
