/*
** grt_internal.h: what the GRT entry points share and nobody else needs: the
** map of a workspace into named buffers, the per-chunk forward, a float32
** GEMM shorthand over the backend's strided-batched GEMM, and the training and
** rollout walks with hooks for the LSTM, so that the CUDA-only LSTM paths
** (cuda/nn_grt_cuda*.cu: fused step, cuDNN) reuse them. Included from C and
** from CUDA C++.
**
** Internal layout is time-major: a "row" is one (t, b, n), R = T*Bc*N rows for
** a chunk of Bc twins, Bn = Bc*N rows per step.
*/
#ifndef TW_GRT_INTERNAL_H
#define TW_GRT_INTERNAL_H

#include "nn/grt.h"    /* model, batch, workspace */
#include "nn/nn_ops.h" /* the kernel table */

TW_EXTERN_C_BEGIN

/* A train or inference workspace cut into buffers (all floats, on the device). */
typedef struct grt_ws_map {
  float *wcat[TW_GRT_MAX_LAYERS];  /* (2H,in_l): [W_self; W_nbr] packed for one product */
  float *xt;                       /* (T,Bc,N,F) the chunk's input, time-major */
  float *ycat;                     /* (R,2H) a GNN layer's product; dycat in backward */
  float *z[TW_GRT_MAX_LAYERS];     /* (R,H) layer outputs; inference keeps two, alternating */
  float *gates;                    /* (T,Bn,4Hr) pre-activations, then activated gates */
  float *hs;                       /* (T+1,Bn,Hr) h before step 0 .. after step T-1 */
  float *cs;                       /* train: (T+1,Bn,Hr); inference: (2,Bn,Hr) alternating */
  float *a1;                       /* (R,M) relu(W_1 h + b_1) */
  float *yt;                       /* (R,O) output, time-major */
  /* train only */
  float *grads;                    /* layout.total: one chunk's weight gradients (host slots) */
  float *dz;                       /* (R,max(H,F)) gradient of a layer's output / of x */
  float *dhs;                      /* (T,Bn,Hr) gradient reaching h after each step */
  float *da1;                      /* (R,M) */
  float *dy;                       /* (R,O) */
  float *tt;                       /* (R,O) target, time-major */
  float *mt;                       /* (R,O) mask, time-major */
  float *dc;                       /* (Bn,Hr) gradient reaching c, carried backwards */
} grt_ws_map;

/* Cuts one slot of a workspace into buffers (base NULL: only counts); returns
** the floats one slot uses. */
size_t grt_ws_cut(const tw_grt_sizes *sz, int chunk, int T, int train, float *base, grt_ws_map *map);

/* Runs fn(ctx, k, slot) for k in [0, n): on the host in parallel on `threads`
** OpenMP threads (slot = the thread's number, < threads) with single-threaded
** products (OpenBLAS set to 1 thread meanwhile), k handed out as threads free
** up (dynamic) or k on thread k % threads (static); on a GPU in order on slot 0.
** Returns the first error. */
typedef tw_status (*grt_task_fn)(void *ctx, int k, int slot);
tw_status grt_parallel(tw_backend *be, int n, int threads, int dynamic, grt_task_fn fn, void *ctx);

/* Slots a workspace gets on this backend: OpenMP threads on the host, 1 on a GPU. */
int grt_host_slots(const tw_backend *be);

/* Runs fn on every chunk of B twins (chunk k is twins [k*chunk, ...)), each on
** the buffers of the slot that runs it. Without round_done, chunks go to threads
** as they free up; with it, chunks run in rounds of `slots` and after each round
** round_done runs on one thread with the number of chunks the round had, so the
** round's results (indexed by `pos`, the chunk's place in its round) can be
** combined in chunk order. fn's slot buffers already hold the packed GNN weights. */
typedef tw_status (*grt_chunk_fn)(void *ctx, const grt_ws_map *w, int pos, int b0, int bc);
typedef tw_status (*grt_round_fn)(void *ctx, int chunks);
tw_status grt_run_chunks(tw_backend *be, const tw_grt_model *m, tw_grt_workspace *ws, int B, grt_chunk_fn fn,
                         grt_round_fn round_done, void *ctx);

/* Checks the batch against the model and the workspace; names the bad argument. */
tw_status grt_check_call(const tw_grt_model *m, const tw_grt_batch *batch, const tw_grt_workspace *ws, int train);

/* Packs [W_self_l; W_nbr_l] of every layer into map->wcat. */
tw_status grt_pack_wcat(tw_backend *be, const tw_grt_model *m, const grt_ws_map *map);

/* Forward of twins [b0, b0+bc) into the workspace's buffers: y, h, c (full-batch
** tensors, each may be NULL) receive the chunk's slices. */
tw_status grt_chunk_forward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, int b0, int bc,
                            const grt_ws_map *w, int train, float *y, float *h, float *c);

/* GNN layers, LSTM and head for one step's worth of rows of a chunk: used by the
** chunk forward (all T steps at once) and by rollout (one step). */
tw_status grt_gnn(tw_backend *be, const tw_grt_model *m, int T, int bc, const float *adj, int adj_per_twin,
                  const float *x, float *const *wcat, float *ycat, float *const *z);
tw_status grt_head(tw_backend *be, const tw_grt_model *m, int64_t rows, const float *h, float *a1, float *y);

/* c = alpha*op(a)*op(b) + beta*c in float32, one product, row-major. */
tw_status grt_gemm(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* Copies `bytes` of src + offset into dst (an initial h or c), or zeros dst when src is NULL. */
tw_status grt_load_state(tw_backend *be, const float *src, int64_t offset, size_t bytes, float *dst);

/* ---- training: MSE loss and backpropagation through time (grt_backward.c) ---- */

/* The LSTM of a training walk. forward: grt_chunk_forward's contract with
** train = 1 (h, c not asked for). backward: from the gradient reaching every
** h_t in w->dhs (T,Bn,Hr), add the LSTM weight gradients into grads and leave
** dz_L (R,H) in w->dz. sets_b_hh: backward writes d b_hh itself; otherwise it is
** copied from d b_ih at the end (both biases enter the gates as one sum). */
typedef struct grt_lstm_train {
  tw_status (*forward)(void *ctx, const tw_grt_model *m, const tw_grt_batch *batch, int b0, int bc,
                       const grt_ws_map *w, float *y);
  tw_status (*backward)(void *ctx, const tw_grt_model *m, int T, int bc, const grt_ws_map *w, float *grads);
  int sets_b_hh;
  void *ctx;
} grt_lstm_train;

/* tw_grt_loss_backward with the given LSTM (NULL: the generic one, step by step
** through the backend's kernels). */
tw_status grt_loss_backward_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                                 const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                 float *grads, float *x_grad, float *y, const grt_lstm_train *lstm);

/* ---- rollout (grt_rollout.c) ---- */

/* One rollout step's LSTM for bn rows: gates (bn,4Hr) is scratch; from z_L
** (bn,H) and the state h, c (bn,Hr) to c_next, h_next. */
typedef tw_status (*grt_lstm_step_fn)(void *ctx, const tw_grt_model *m, int64_t bn, const float *z, const float *h,
                                      const float *c, float *gates, float *c_next, float *h_next);

/* tw_grt_rollout with the given LSTM step (NULL: the generic one, two products
** and the backend's cell). */
tw_status grt_rollout_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_step_fn step,
                           void *ctx, float *scratch, float *y, float *h, float *c, grt_lstm_step_fn lstm,
                           void *lstm_ctx);

TW_EXTERN_C_END

#endif
