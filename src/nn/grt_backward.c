/*
** grt_backward.c: the MSE loss and backpropagation through time for the GRT.
**
** Each chunk of twins runs the forward with every activation kept, then walks
** back: head (two products over all rows), the LSTM step by step (fused cell
** backward, then only dgates_t W_hh per step), the LSTM weights as one product
** each over all steps, and the GNN layers (fused epilogue backward, one product
** per layer for the weights and one for the layer input). Weight gradients
** accumulate over chunks in twin order, so the result does not depend on how
** the batch was chunked beyond float rounding of the sums. The LSTM's forward
** and backward come through a hook (grt_lstm_train), so the CUDA-only paths
** (cuDNN) run this same walk with their own LSTM.
**
** Shapes (time-major rows r = (t,b,n), R rows, Bn per step):
**   dy (R,O) -> dW2 (O,M) = dy^T a1, db2 = sum dy, da1 (R,M) = dy W2 * [a1 > 0]
**   dW1 (M,Hr) = da1^T h[1..T], db1 = sum da1, dh (R,Hr) = da1 W1
**   per step t = T-1..0: dgates_t = cell_backward(dh_t, dc); dh_{t-1} += dgates_t W_hh
**   dW_hh (4Hr,Hr) = dgates^T h[0..T-1], dW_ih (4Hr,H) = dgates^T z_L,
**   db_ih = db_hh = sum dgates, dz_L (R,H) = dgates W_ih
**   per layer l = L-1..0: dycat = epilogue_backward(dz_l); d[W_self;W_nbr] = dycat^T z_{l-1};
**                         dz_{l-1} = dycat [W_self; W_nbr]   (dz_{-1} is dx)
*/
#include "nn/grt_internal.h"

/* Loss normaliser: 1/sum(mask), or 1/(B*T*N*O) without a mask; 0 when the mask is empty. */
static tw_status loss_scale(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, const float *mask,
                            double *scale) {
  const int64_t count = (int64_t)batch->B * batch->T * m->layout.sz.N * m->layout.sz.O;
  double weight = (double)count;
  if (mask) TW_TRY(tw_nn_ops_for(be)->sum(be, count, mask, &weight));
  *scale = weight > 0.0 ? 1.0 / weight : 0.0;
  return TW_OK;
}

/* Head backward for one chunk: weight gradients, and dh reaching every h_t in w->dhs. */
static tw_status chunk_backward_head(tw_backend *be, const tw_grt_model *m, int T, int bc, const grt_ws_map *w,
                                     float *grads) {
  const tw_grt_layout *lay = &m->layout;
  const int Hr = lay->sz.Hr, M = lay->sz.M, O = lay->sz.O;
  const int64_t bn = (int64_t)bc * lay->sz.N, rows = (int64_t)T * bn;
  const float *h_after = w->hs + bn * Hr; // h after steps 0..T-1, (R,Hr)
  TW_TRY(grt_gemm(be, 1, 0, O, M, rows, w->dy, O, w->a1, M, 1.0f, grads + lay->head2_w, M));
  TW_TRY(tw_nn_ops_for(be)->bias_grad(be, rows, O, w->dy, grads + lay->head2_b));
  TW_TRY(grt_gemm(be, 0, 0, rows, M, O, w->dy, O, m->params + lay->head2_w, M, 0.0f, w->da1, M));
  TW_TRY(tw_nn_ops_for(be)->relu_backward(be, rows * M, w->a1, w->da1));
  TW_TRY(grt_gemm(be, 1, 0, M, Hr, rows, w->da1, M, h_after, Hr, 1.0f, grads + lay->head0_w, Hr));
  TW_TRY(tw_nn_ops_for(be)->bias_grad(be, rows, M, w->da1, grads + lay->head0_b));
  TW_TRY(grt_gemm(be, 0, 0, rows, Hr, M, w->da1, M, m->params + lay->head0_w, Hr, 0.0f, w->dhs, Hr));
  return TW_OK;
}

/* The generic LSTM backward of a training walk, step by step through the
** backend's kernels (its forward is grt_lstm_generic_seq). */
static tw_status generic_backward(void *ctx, const tw_grt_model *m, int T, int bc, const grt_ws_map *w,
                                  float *grads) {
  tw_backend *be = ctx;
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int Hr = s->Hr, H = s->H;
  const int64_t bn = (int64_t)bc * s->N, rows = (int64_t)T * bn, G = 4 * (int64_t)Hr;
  // gates_t become the pre-activation gradients in place
  TW_TRY(be->fill_bytes(be, w->dc, 0, (size_t)bn * Hr * sizeof(float)));
  for (int t = T - 1; t >= 0; --t) {
    float *gt = w->gates + t * bn * G;
    TW_TRY(tw_nn_ops_for(be)->lstm_cell_backward(be, bn, Hr, gt, w->cs + t * bn * Hr, w->cs + (t + 1) * bn * Hr,
                                      w->dhs + t * bn * Hr, w->dc));
    // dh_{t-1} (bn,Hr) += dgates_t (bn,4Hr) @ W_hh (4Hr,Hr)
    if (t > 0)
      TW_TRY(grt_gemm(be, 0, 0, bn, Hr, G, gt, G, m->params + lay->lstm_w_hh, Hr, 1.0f, w->dhs + (t - 1) * bn * Hr, Hr));
  }
  TW_TRY(grt_gemm(be, 1, 0, G, Hr, rows, w->gates, G, w->hs, Hr, 1.0f, grads + lay->lstm_w_hh, Hr));
  TW_TRY(grt_gemm(be, 1, 0, G, H, rows, w->gates, G, w->z[s->L - 1], H, 1.0f, grads + lay->lstm_w_ih, H));
  TW_TRY(tw_nn_ops_for(be)->bias_grad(be, rows, (int)G, w->gates, grads + lay->lstm_b_ih));
  // dz_L (rows,H) = dgates @ W_ih (4Hr,H)
  TW_TRY(grt_gemm(be, 0, 0, rows, H, G, w->gates, G, m->params + lay->lstm_w_ih, H, 0.0f, w->dz, H));
  return TW_OK;
}

/* GNN backward for one chunk, from dz_L in w->dz; leaves dx (time-major) in w->dz. */
static tw_status chunk_backward_gnn(tw_backend *be, const tw_grt_model *m, int T, int bc, const float *adj,
                                    int adj_per_twin, const grt_ws_map *w, float *grads, int want_dx) {
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int H = s->H;
  const int64_t rows = (int64_t)T * bc * s->N;
  for (int l = s->L - 1; l >= 0; --l) {
    const int k = tw_grt_layer_in(s, l);
    const float *in = l > 0 ? w->z[l - 1] : w->xt;
    TW_TRY(tw_nn_ops_for(be)->gnn_combine_backward(be, T, bc, s->N, H, w->z[l], w->dz, adj, adj_per_twin, w->ycat,
                                        grads + lay->gnn_self_b[l]));
    // dW_self (H,k) += dycat[:, :H]^T @ in (rows,k);  dW_nbr (H,k) += dycat[:, H:]^T @ in
    TW_TRY(grt_gemm(be, 1, 0, H, k, rows, w->ycat, 2 * H, in, k, 1.0f, grads + lay->gnn_self_w[l], k));
    TW_TRY(grt_gemm(be, 1, 0, H, k, rows, w->ycat + H, 2 * H, in, k, 1.0f, grads + lay->gnn_nbr_w[l], k));
    // d in (rows,k) = dycat (rows,2H) @ [W_self; W_nbr] (2H,k)
    if (l > 0 || want_dx) TW_TRY(grt_gemm(be, 0, 0, rows, k, 2 * H, w->ycat, 2 * H, w->wcat[l], k, 0.0f, w->dz, k));
  }
  return TW_OK;
}

typedef struct backward_ctx {
  tw_backend *be;
  const tw_grt_model *m;
  const tw_grt_batch *batch;
  const grt_lstm_train *lstm;
  const float *target, *mask;
  float scale;
  int host;                 /* chunks write their own gradients, summed in chunk order */
  float *grads, *x_grad, *y;
  const grt_ws_map *slot_maps[GRT_MAX_SLOTS]; /* by place in the round: the buffers that ran the chunk */
  double slot_sum[GRT_MAX_SLOTS];             /* by place in the round: the chunk's loss sum */
  double sum_sq;
} backward_ctx;

static tw_status backward_chunk(void *ctx, const grt_ws_map *w, int pos, int b0, int bc) {
  backward_ctx *k = ctx;
  tw_backend *be = k->be;
  const tw_grt_batch *batch = k->batch;
  const tw_grt_sizes *s = &k->m->layout.sz;
  const int T = batch->T, N = s->N;
  const int64_t bn = (int64_t)bc * N, rows = (int64_t)T * bn;
  const int64_t yrow = (int64_t)N * s->O, xrow = (int64_t)N * s->F;
  // on the host each chunk's gradients start from zero in the slot and are summed in order afterwards
  float *g = k->host ? w->grads : k->grads;
  if (k->host) TW_TRY(be->fill_bytes(be, g, 0, (size_t)k->m->layout.total * sizeof(float)));
  k->slot_maps[pos] = w;

  TW_TRY(grt_chunk_forward(be, k->m, batch, b0, bc, w, 1, k->y, NULL, NULL, k->lstm->forward, k->lstm->ctx));
  // the chunk's target and mask, time-major like yt
  TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, yrow, k->target + (int64_t)b0 * T * yrow, T * yrow, w->tt, bn * s->O));
  if (k->mask) TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, yrow, k->mask + (int64_t)b0 * T * yrow, T * yrow, w->mt, bn * s->O));
  TW_TRY(tw_nn_ops_for(be)->mse(be, rows * s->O, w->yt, w->tt, k->mask ? w->mt : NULL, k->scale, w->dy, &k->slot_sum[pos]));
  TW_TRY(chunk_backward_head(be, k->m, T, bc, w, g));
  TW_TRY(k->lstm->backward(k->lstm->ctx, k->m, T, bc, w, g));
  const float *adj = batch->adj_per_twin ? batch->adj + (int64_t)b0 * N * N : batch->adj;
  TW_TRY(chunk_backward_gnn(be, k->m, T, bc, adj, batch->adj_per_twin, w, g, k->x_grad != NULL));
  // x_grad[b0:b0+bc] (bc,T,N,F) <- dx (T,bc,N,F)
  if (k->x_grad)
    TW_TRY(tw_nn_ops_for(be)->swap01(be, T, bc, xrow, w->dz, bn * s->F, k->x_grad + (int64_t)b0 * T * xrow, T * xrow));
  return TW_OK;
}

/* After a round: loss sums and (host) chunk gradients, added in chunk order. */
static tw_status backward_round_done(void *ctx, int chunks) {
  backward_ctx *k = ctx;
  for (int s = 0; s < chunks; ++s) k->sum_sq += k->slot_sum[s];
  if (!k->host) return TW_OK;
  const int64_t total = k->m->layout.total;
  float *acc = k->grads;
#pragma omp parallel for schedule(static) if (total > 65536)
  for (int64_t i = 0; i < total; ++i)
    for (int s = 0; s < chunks; ++s) acc[i] += k->slot_maps[s]->grads[i];
  return TW_OK;
}

tw_status grt_loss_backward_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                                 const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                 float *grads, float *x_grad, float *y, const grt_lstm_train *lstm) {
  const grt_lstm_train generic = {grt_lstm_generic_seq, generic_backward, 0, be};
  if (!lstm) lstm = &generic;
  TW_TRY(grt_check_call(m, batch, ws, 1));
  if (!target) return TW_FAIL(TW_ERR_INPUT, "GRT backward: target is required");
  if (ws->slots > GRT_MAX_SLOTS)
    return TW_FAIL(TW_ERR_INTERNAL, "GRT backward: %d slots, at most %d", ws->slots, (int)GRT_MAX_SLOTS);
  const tw_grt_layout *lay = &m->layout;
  double scale = 0.0;
  TW_TRY(loss_scale(be, m, batch, mask, &scale));
  TW_TRY(be->fill_bytes(be, grads, 0, (size_t)lay->total * sizeof(float)));
  backward_ctx k = {.be = be, .m = m, .batch = batch, .lstm = lstm, .target = target, .mask = mask,
                    .scale = (float)scale, .host = be->device.kind == TW_DEVICE_HOST, .grads = grads, .x_grad = x_grad, .y = y};
  TW_TRY(grt_run_chunks(be, m, ws, batch->B, backward_chunk, backward_round_done, &k));
  // the two LSTM biases enter the gates as one sum: equal gradients
  if (!lstm->sets_b_hh)
    TW_TRY(be->copy(be, grads + lay->lstm_b_hh, grads + lay->lstm_b_ih, 4 * (size_t)lay->sz.Hr * sizeof(float),
                    TW_COPY_DEVICE_TO_DEVICE));
  *loss = k.sum_sq * scale;
  return TW_OK;
}

tw_status tw_grt_loss_backward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                               const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                               float *grads, float *x_grad, float *y) {
  return grt_loss_backward_with(be, m, batch, target, mask, ws, loss, grads, x_grad, y, NULL);
}
