/*
** grt_lstm_hooks.h: the GRT with another LSTM: the chunk workspace's buffers,
** the three LSTM hooks and the entry points that take them.
**
** The GRT's orchestration (GNN, head, loss, chunking, the training walk, the
** rollout loop) is written once, in src/nn/. What a faster LSTM changes is only
** the recurrent part, so a backend-specific LSTM (cuda/nn_grt_cuda*.cu: the
** fused step, cuDNN) plugs in here instead of copying the orchestration:
**
**   grt_lstm_seq_fn   the teacher-forced sequence, all T steps of a chunk
**                     (grt_forward_with; training: grt_lstm_train.forward)
**   grt_lstm_train    that, plus the LSTM's backward (grt_loss_backward_with)
**   grt_lstm_step_fn  one step of the autoregressive rollout (grt_rollout_with)
**
** Passing NULL for a hook runs the generic LSTM (the backend's products and
** cell kernels), which is what tw_grt_forward, tw_grt_loss_backward and
** tw_grt_rollout do. This header is the non-private side of the GRT's
** internals; the rest stays in grt_internal.h, for src/nn/ alone. Included from
** C and from CUDA C++.
**
** Internal layout is time-major: a "row" is one (t, b, n), R = T*Bc*N rows for
** a chunk of Bc twins, Bn = Bc*N rows per step.
*/
#ifndef TW_GRT_LSTM_HOOKS_H
#define TW_GRT_LSTM_HOOKS_H

#include "nn/grt.h" /* model, batch, workspace, step callback */

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
  /* per-example training only (train == TW_GRT_PER_EXAMPLE) */
  float *pe_d, *pe_x;              /* (Bc,T,N,wmax): a product's operands, batch-major */
  float *ones;                     /* (T*N) ones: per-example column sums as products */
} grt_ws_map;

/* Where a training walk's weight gradients go (grt_backward.c). Each weight
** gradient of the GRT is dW (out,in) += D^T X over the chunk's R rows, and each
** bias gradient a column sum of D; a sink either sums them over the chunk into
** g (a gradient buffer), or, with pe set, writes them per twin into pe's rows
** (row stride P, twin b of the chunk at pe + b*P), as batched products over
** each twin's T*N rows. */
typedef struct grt_wgrad {
  tw_backend *be;
  const grt_ws_map *w;             /* the slot's buffers (pe_d, pe_x, ones) */
  int T, bc, N;                    /* the chunk: R = T*bc*N rows, time-major */
  float *g;                        /* summed: the gradient buffer */
  float *pe;                       /* per example: (bc, P) rows, or NULL */
  int64_t P;                       /* floats per gradient (layout.total) */
} grt_wgrad;

/* dW (out,in) at offset off += D[:, dcol:dcol+out]^T X[:, 0:in]: D (R,ldd), X (R,ldx). */
tw_status grt_wgrad_weight(const grt_wgrad *s, int64_t off, int out, int in, const float *d, int ldd, int dcol,
                           const float *x, int ldx);
/* db (n) at offset off += column sums of D[:, dcol:dcol+n], D (R,ldd). */
tw_status grt_wgrad_bias(const grt_wgrad *s, int64_t off, int n, const float *d, int ldd, int dcol);

/* ---- teacher-forced forward (grt_forward.c) ---- */

/* The LSTM over a chunk's whole sequence of T steps, bn rows per step. In: z_L
** (T,bn,H) in w->z[L-1], the initial state in hs[0] and cs[0] (bn,Hr). Out: h
** after every step in hs[1..T] (T,bn,Hr), and *c_last pointing at the final c
** (bn,Hr) inside w->cs. w->gates is scratch. With train, it also leaves what
** its backward needs (the generic LSTM: activated gates in w->gates and every c
** in cs[0..T]; the final c then is cs[T]); without, cs holds two buffers only. */
typedef tw_status (*grt_lstm_seq_fn)(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w,
                                     int train, const float **c_last);

/* tw_grt_forward with the given LSTM (NULL: the generic one). */
tw_status grt_forward_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_workspace *ws,
                           float *y, float *h, float *c, grt_lstm_seq_fn lstm, void *lstm_ctx);

/* ---- training: MSE loss and backpropagation through time (grt_backward.c) ---- */

/* The LSTM of a training walk. forward: a sequence hook called with train = 1.
** backward: from the gradient reaching every h_t in w->dhs (T,Bn,Hr), add the
** LSTM weight gradients through the sink and leave dz_L (R,H) in w->dz; a
** backward that writes the summed gradients itself (cuDNN) uses sink->g and
** refuses a per-example sink. sets_b_hh:
** backward writes d b_hh itself; otherwise it is copied from d b_ih at the end
** (both biases enter the gates as one sum). ctx goes to both. */
typedef struct grt_lstm_train {
  grt_lstm_seq_fn forward;
  tw_status (*backward)(void *ctx, const tw_grt_model *m, int T, int bc, const grt_ws_map *w, const grt_wgrad *sink);
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
