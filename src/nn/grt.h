/*
** grt.h: the graph-recurrent twin model (GRT): sizes, weights, and the forward,
** backward and rollout entry points (DESIGN.md "The neural twin").
**
** Per step t, with z0 = x_t of shape (B,N,F):
**   agg_l  = adj @ z_{l-1}                                  (per twin)
**   z_l    = tanh(z_{l-1} W_self_l^T + b_l + agg_l W_nbr_l^T)   l = 1..L
**   (h, c) = LSTMCell(z_L as (B*N,H), (h, c))              gates i,f,g,o
**   y_t    = W_2 relu(W_1 h + b_1) + b_2                     as (B,N,O)
**
** Weights live in ONE contiguous float32 buffer, tensor after tensor in PyTorch
** state_dict order, each in its PyTorch shape, row-major:
**   for l in 0..L-1: gnn.{l}.lin_self.weight (H,in_l), gnn.{l}.lin_self.bias (H),
**                    gnn.{l}.lin_nbr.weight (H,in_l)        in_0 = F, in_l = H
**   lstm.weight_ih (4Hr,H), lstm.weight_hh (4Hr,Hr), lstm.bias_ih (4Hr), lstm.bias_hh (4Hr)
**   head.0.weight (M,Hr), head.0.bias (M), head.2.weight (O,M), head.2.bias (O)
** A gradient buffer has the same layout, so optimisers and file I/O walk both the
** same way, and a model file is this buffer cut at the offsets below.
**
** How the work is laid out (why it is fast; grt_forward.c, grt_backward.c):
**   - inside, everything is time-major: rows are (t, b, n). The GNN only reads
**     x_t, so each GNN layer over ALL steps is one product (T*B*N, in) x (in, 2H)
**     with W_self and W_nbr stacked; the adjacency is applied after the product,
**     adj @ (z W_nbr^T) == (adj @ z) W_nbr^T, fused with bias and tanh.
**   - the LSTM input projection over all steps is one product (T*B*N,H) x (H,4Hr);
**     only h_{t-1} W_hh^T, accumulated into step t's slice, runs per step.
**   - the head over all steps is two products.
**   - a batch larger than the workspace's chunk runs chunk by chunk (twins in
**     order), so memory is planned once and nothing allocates inside.
** Every pointer below lives on the backend's device. Entry points return
** TW_ERR_INPUT on bad sizes (naming the argument) and never print.
*/
#ifndef TW_GRT_H
#define TW_GRT_H

#include "backend/backend.h" /* tw_backend, its gemm and nn ops table */
#include "core/status.h"     /* tw_status */

TW_EXTERN_C_BEGIN

enum {
  TW_GRT_MAX_LAYERS = 16,
  TW_GRT_MAX_TENSORS = 3 * TW_GRT_MAX_LAYERS + 8,
  TW_GRT_NAME_CAP = 40,
  TW_GRT_PER_EXAMPLE = 2 /* a workspace's `train` for tw_grt_per_example_backward */
};

/* Model sizes, the root attributes of a model file. */
typedef struct tw_grt_sizes {
  int N;  /* organ nodes */
  int F;  /* input features per node */
  int H;  /* GNN width */
  int Hr; /* LSTM width */
  int L;  /* GNN layers, 1..TW_GRT_MAX_LAYERS */
  int M;  /* head width */
  int O;  /* outputs per node */
} tw_grt_sizes;

/* One tensor of the parameter buffer. */
typedef struct tw_grt_tensor {
  char name[TW_GRT_NAME_CAP]; /* PyTorch state_dict name, e.g. "gnn.0.lin_self.weight" */
  int rank;                   /* 1 or 2 */
  int64_t dims[2];            /* PyTorch shape */
  int64_t offset;             /* in floats from the start of the buffer */
  int64_t numel;
  int64_t fan_in;             /* PyTorch default init bound is 1/sqrt(fan_in) */
} tw_grt_tensor;

/* Where each tensor sits; the same for the parameters and their gradients. */
typedef struct tw_grt_layout {
  tw_grt_sizes sz;
  int count;                              /* 3*L + 8 tensors */
  tw_grt_tensor tensors[TW_GRT_MAX_TENSORS]; /* state_dict order */
  int64_t total;                          /* floats in the buffer */
  /* offsets (in floats) by role */
  int64_t gnn_self_w[TW_GRT_MAX_LAYERS]; /* (H,in_l) */
  int64_t gnn_self_b[TW_GRT_MAX_LAYERS]; /* (H) */
  int64_t gnn_nbr_w[TW_GRT_MAX_LAYERS];  /* (H,in_l) */
  int64_t lstm_w_ih;                      /* (4Hr,H) */
  int64_t lstm_w_hh;                      /* (4Hr,Hr) */
  int64_t lstm_b_ih;                      /* (4Hr) */
  int64_t lstm_b_hh;                      /* (4Hr) */
  int64_t head0_w;                        /* (M,Hr) */
  int64_t head0_b;                        /* (M) */
  int64_t head2_w;                        /* (O,M) */
  int64_t head2_b;                        /* (O) */
} tw_grt_layout;

/* Checks the sizes (all positive, L <= TW_GRT_MAX_LAYERS) and fills the layout. */
tw_status tw_grt_layout_make(const tw_grt_sizes *sz, tw_grt_layout *out);
/* Input width of GNN layer l: F for l == 0, H after. */
static inline int tw_grt_layer_in(const tw_grt_sizes *sz, int l) { return l == 0 ? sz->F : sz->H; }
/* The tensor with this state_dict name, or NULL. */
const tw_grt_tensor *tw_grt_find(const tw_grt_layout *lay, const char *name);
/* Forward FLOPs per twin-step, counting each multiply-add of the products as 2
** (pointwise work not counted):
**   sum_l 2*N*in_l*2H  +  L*2*N*N*H  +  2*N*4Hr*(H+Hr)  +  2*N*M*(Hr+O).
** Reference config: 972,800 (~0.97 MFLOP). Forward+backward counts 3x that. */
double tw_grt_flops_per_twin_step(const tw_grt_sizes *sz);

/* Fills a HOST parameter buffer (layout.total floats) with PyTorch's default
** initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) per tensor, drawn from
** Philox with purpose TW_RNG_NN_INIT (grt_init.c). */
void tw_grt_init_params(const tw_grt_layout *lay, uint64_t seed, float *params);

/* A model: its layout and the parameter buffer (layout.total floats on the
** backend's device, owned by whoever filled it). */
typedef struct tw_grt_model {
  tw_grt_layout layout;
  float *params;
} tw_grt_model;

/* One batch of sequences. adj row v holds v's in-neighbour weights. */
typedef struct tw_grt_batch {
  int B, T;
  const float *x;   /* (B,T,N,F); for rollout only x[:,0] is read, as (B,N,F) with stride T*N*F */
  const float *adj; /* (N,N) when !adj_per_twin, (B,N,N) when adj_per_twin */
  int adj_per_twin;
  const float *h0;  /* (B,N,Hr) or NULL for zeros */
  const float *c0;  /* (B,N,Hr) or NULL for zeros */
} tw_grt_batch;

/* Scratch memory for the entry points, planned once for at most `chunk` twins of
** T steps (longer batches run in chunks of `chunk` twins). `train` adds what
** backward needs (activations of every layer and step, and gradient scratch):
** 0 (inference), 1 (training) or TW_GRT_PER_EXAMPLE (training, also with the
** batch-major operands of per-example gradients, tw_grt_per_example_backward).
** Memory per twin of a chunk: tw_grt_workspace_floats(sz, 1, T, train) floats
** (that is per slot).
**
** On the host the workspace holds one slot per OpenMP thread and chunks run in
** parallel, each on one thread with single-threaded products (no thread-pool
** hand-offs per step, each slot's buffers stay in its core's caches); weight
** gradients are still summed chunk by chunk in twin order, so results are
** bit-identical for any thread count. On a GPU there is one slot and chunks run
** in order. */
typedef struct tw_grt_workspace {
  tw_grt_sizes sz;
  int chunk, T, train;
  int slots;       /* chunks in flight at once: host threads, or 1 on a GPU */
  size_t floats;   /* in all slots */
  float *base;     /* backend allocation of `floats` floats */
} tw_grt_workspace;

size_t tw_grt_workspace_floats(const tw_grt_sizes *sz, int chunk, int T, int train);
/* The most twins one chunk of T steps may hold: the largest product of a chunk
** (T * chunk * N rows of 4 * max(H, Hr) gates) must index below INT32_MAX, as
** BLAS and cuBLAS take int dimensions. */
int tw_grt_max_chunk(const tw_grt_sizes *sz, int T);
/* A chunk size that suits the backend: on the host small enough that a slot's
** per-step buffers stay in cache; on a GPU large enough to fill it, within
** `max_bytes` of workspace (0: no limit) and tw_grt_max_chunk. Never more than B. */
int tw_grt_default_chunk(const tw_backend *be, const tw_grt_sizes *sz, int B, int T, int train, size_t max_bytes);
tw_status tw_grt_workspace_create(tw_backend *be, const tw_grt_sizes *sz, int chunk, int T, int train,
                                  tw_grt_workspace *ws);
void tw_grt_workspace_destroy(tw_backend *be, tw_grt_workspace *ws);

/* Teacher-forced forward over the whole batch.
**   y is (B,T,N,O), written;   h, c are (B,N,Hr): final state, each may be NULL.
** ws must match the model's sizes and have ws->T == batch->T. */
tw_status tw_grt_forward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                         tw_grt_workspace *ws, float *y, float *h, float *c);

/* Forward, MSE loss and backpropagation through time.
**   target, mask are (B,T,N,O); mask may be NULL (all ones). The loss is
**     sum(mask * (y - target)^2) / sum(mask)     (with no mask: mean over B*T*N*O),
**   0 with zero gradients when sum(mask) == 0.
**   loss: host pointer, written.
**   grads: layout.total floats, OVERWRITTEN with d loss / d params (same layout).
**   x_grad: (B,T,N,F) d loss / d x, or NULL.   y: (B,T,N,O) forward output, or NULL.
** ws must be a train workspace. */
tw_status tw_grt_loss_backward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                               const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                               float *grads, float *x_grad, float *y);

/* Per-example gradients, as DP-SGD needs them (Opacus' GradSampleModule with
** loss_reduction "mean"): row b of pe (B, layout.total) is d l_b / d params for
**   l_b = B * sum(mask_b * (y_b - target_b)^2) / sum(mask),
** twin b's share of tw_grt_loss_backward's loss times B: the batch loss is the
** mean of the l_b and its gradient the mean of the rows. Each weight gradient
** is one batched product over the twins (their T*N rows gathered batch-major),
** not a loop over examples. loss (host) receives the batch loss. The LSTM is
** the generic one on every backend. ws must be planned with TW_GRT_PER_EXAMPLE. */
tw_status tw_grt_per_example_backward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                                      const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                      float *pe);

/* Autoregressive rollout: called after step t with y_t (B,N,O) and the buffer
** x_next (B,N,F) to fill with step t+1's input (t = 0..T-2). Both on the device. */
typedef tw_status (*tw_grt_step_fn)(void *ctx, int t, const float *y_t, float *x_next);

/* Scratch for rollout: per step, so it holds the whole batch of B twins. */
size_t tw_grt_rollout_floats(const tw_grt_sizes *sz, int B);

/* Rollout of T steps from x_0 = batch->x[:,0] (batch->T is the number of steps).
**   y is (B,T,N,O) or NULL;   h, c are (B,N,Hr): final state, each may be NULL.
**   scratch holds tw_grt_rollout_floats(sz, B) floats on the device. */
tw_status tw_grt_rollout(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_step_fn step,
                         void *ctx, float *scratch, float *y, float *h, float *c);

TW_EXTERN_C_END

#endif
