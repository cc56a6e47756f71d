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
** (cuDNN) run this same walk with their own LSTM. The weight gradients go
** through a sink (grt_wgrad): summed over the chunk, or per twin as batched
** products for DP-SGD (tw_grt_per_example_backward).
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
static tw_status chunk_backward_head(const grt_wgrad *wg, const tw_grt_model *m, const grt_ws_map *w) {
  tw_backend *be = wg->be;
  const tw_grt_layout *lay = &m->layout;
  const int Hr = lay->sz.Hr, M = lay->sz.M, O = lay->sz.O;
  const int64_t bn = (int64_t)wg->bc * lay->sz.N, rows = (int64_t)wg->T * bn;
  const float *h_after = w->hs + bn * Hr; // h after steps 0..T-1, (R,Hr)
  TW_TRY(grt_wgrad_weight(wg, lay->head2_w, O, M, w->dy, O, 0, w->a1, M));
  TW_TRY(grt_wgrad_bias(wg, lay->head2_b, O, w->dy, O, 0));
  TW_TRY(grt_gemm(be, 0, 0, rows, M, O, w->dy, O, m->params + lay->head2_w, M, 0.0f, w->da1, M));
  TW_TRY(tw_nn_ops_for(be)->relu_backward(be, rows * M, w->a1, w->da1));
  TW_TRY(grt_wgrad_weight(wg, lay->head0_w, M, Hr, w->da1, M, 0, h_after, Hr));
  TW_TRY(grt_wgrad_bias(wg, lay->head0_b, M, w->da1, M, 0));
  TW_TRY(grt_gemm(be, 0, 0, rows, Hr, M, w->da1, M, m->params + lay->head0_w, Hr, 0.0f, w->dhs, Hr));
  return TW_OK;
}

/* The generic LSTM backward of a training walk, step by step through the
** backend's kernels (its forward is grt_lstm_generic_seq). */
static tw_status generic_backward(void *ctx, const tw_grt_model *m, int T, int bc, const grt_ws_map *w,
                                  const grt_wgrad *wg) {
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
  TW_TRY(grt_wgrad_weight(wg, lay->lstm_w_hh, (int)G, Hr, w->gates, (int)G, 0, w->hs, Hr));
  TW_TRY(grt_wgrad_weight(wg, lay->lstm_w_ih, (int)G, H, w->gates, (int)G, 0, w->z[s->L - 1], H));
  TW_TRY(grt_wgrad_bias(wg, lay->lstm_b_ih, (int)G, w->gates, (int)G, 0));
  // dz_L (rows,H) = dgates @ W_ih (4Hr,H)
  TW_TRY(grt_gemm(be, 0, 0, rows, H, G, w->gates, G, m->params + lay->lstm_w_ih, H, 0.0f, w->dz, H));
  return TW_OK;
}

/* GNN backward for one chunk, from dz_L in w->dz; leaves dx (time-major) in w->dz.
** Summed, the bias gradient comes from the fused epilogue; per example, from
** dycat's first H columns (dpre), the epilogue's own sum going to scratch. */
static tw_status chunk_backward_gnn(const grt_wgrad *wg, const tw_grt_model *m, const float *adj, int adj_per_twin,
                                    const grt_ws_map *w, int want_dx) {
  tw_backend *be = wg->be;
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int H = s->H, T = wg->T;
  const int64_t rows = (int64_t)T * wg->bc * s->N;
  for (int l = s->L - 1; l >= 0; --l) {
    const int k = tw_grt_layer_in(s, l);
    const float *in = l > 0 ? w->z[l - 1] : w->xt;
    float *dbias = wg->pe ? w->grads : wg->g + lay->gnn_self_b[l];
    TW_TRY(tw_nn_ops_for(be)->gnn_combine_backward(be, T, wg->bc, s->N, H, w->z[l], w->dz, adj, adj_per_twin,
                                                   w->ycat, dbias));
    if (wg->pe) TW_TRY(grt_wgrad_bias(wg, lay->gnn_self_b[l], H, w->ycat, 2 * H, 0));
    // dW_self (H,k) += dycat[:, :H]^T @ in (rows,k);  dW_nbr (H,k) += dycat[:, H:]^T @ in
    TW_TRY(grt_wgrad_weight(wg, lay->gnn_self_w[l], H, k, w->ycat, 2 * H, 0, in, k));
    TW_TRY(grt_wgrad_weight(wg, lay->gnn_nbr_w[l], H, k, w->ycat, 2 * H, H, in, k));
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
  float *pe;                /* per example: (B, total) rows, else NULL */
  const grt_ws_map *slot_maps[GRT_MAX_SLOTS]; /* by place in the round: the buffers that ran the chunk */
  double slot_sum[GRT_MAX_SLOTS];             /* by place in the round: the chunk's loss sum */
  double sum_sq;
} backward_ctx;

/* The chunk's sink: per example into its rows of pe; summed into the slot's own
** buffer on the host (zeroed here; added in chunk order after the round), or
** straight into the gradient on a GPU. */
static tw_status chunk_sink(const backward_ctx *k, const grt_ws_map *w, int b0, int bc, grt_wgrad *wg) {
  const int64_t P = k->m->layout.total;
  *wg = (grt_wgrad){.be = k->be, .w = w, .T = k->batch->T, .bc = bc, .N = k->m->layout.sz.N, .P = P};
  if (k->pe) {
    wg->g = w->grads, wg->pe = k->pe + (int64_t)b0 * P;
    return k->be->fill_bytes(k->be, wg->pe, 0, (size_t)bc * P * sizeof(float));
  }
  wg->g = k->host ? w->grads : k->grads;
  return k->host ? k->be->fill_bytes(k->be, wg->g, 0, (size_t)P * sizeof(float)) : TW_OK;
}

static tw_status backward_chunk(void *ctx, const grt_ws_map *w, int pos, int b0, int bc) {
  backward_ctx *k = ctx;
  tw_backend *be = k->be;
  const tw_grt_batch *batch = k->batch;
  const tw_grt_layout *lay = &k->m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int T = batch->T, N = s->N;
  const int64_t bn = (int64_t)bc * N, rows = (int64_t)T * bn;
  const int64_t yrow = (int64_t)N * s->O, xrow = (int64_t)N * s->F;
  grt_wgrad wg;
  TW_TRY(chunk_sink(k, w, b0, bc, &wg));
  k->slot_maps[pos] = w;

  TW_TRY(grt_chunk_forward(be, k->m, batch, b0, bc, w, 1, k->y, NULL, NULL, k->lstm->forward, k->lstm->ctx));
  // the chunk's target and mask, time-major like yt
  TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, yrow, k->target + (int64_t)b0 * T * yrow, T * yrow, w->tt, bn * s->O));
  if (k->mask) TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, yrow, k->mask + (int64_t)b0 * T * yrow, T * yrow, w->mt, bn * s->O));
  TW_TRY(tw_nn_ops_for(be)->mse(be, rows * s->O, w->yt, w->tt, k->mask ? w->mt : NULL, k->scale, w->dy, &k->slot_sum[pos]));
  TW_TRY(chunk_backward_head(&wg, k->m, w));
  TW_TRY(k->lstm->backward(k->lstm->ctx, k->m, T, bc, w, &wg));
  // per example, d b_hh is d b_ih of each twin (w->gates still holds dgates)
  if (k->pe) TW_TRY(grt_wgrad_bias(&wg, lay->lstm_b_hh, 4 * s->Hr, w->gates, 4 * s->Hr, 0));
  const float *adj = batch->adj_per_twin ? batch->adj + (int64_t)b0 * N * N : batch->adj;
  TW_TRY(chunk_backward_gnn(&wg, k->m, adj, batch->adj_per_twin, w, k->x_grad != NULL));
  // x_grad[b0:b0+bc] (bc,T,N,F) <- dx (T,bc,N,F)
  if (k->x_grad)
    TW_TRY(tw_nn_ops_for(be)->swap01(be, T, bc, xrow, w->dz, bn * s->F, k->x_grad + (int64_t)b0 * T * xrow, T * xrow));
  return TW_OK;
}

/* After a round: loss sums and (host, summed) chunk gradients, added in chunk order. */
static tw_status backward_round_done(void *ctx, int chunks) {
  backward_ctx *k = ctx;
  for (int s = 0; s < chunks; ++s) k->sum_sq += k->slot_sum[s];
  if (!k->host || k->pe) return TW_OK;
  const int64_t total = k->m->layout.total;
  float *acc = k->grads;
#pragma omp parallel for schedule(static) if (total > 65536)
  for (int64_t i = 0; i < total; ++i)
    for (int s = 0; s < chunks; ++s) acc[i] += k->slot_maps[s]->grads[i];
  return TW_OK;
}

static tw_status check_backward(const tw_grt_model *m, const tw_grt_batch *batch, const float *target,
                                const tw_grt_workspace *ws) {
  TW_TRY(grt_check_call(m, batch, ws, 1));
  if (!target) return TW_FAIL(TW_ERR_INPUT, "GRT backward: target is required");
  if (ws->slots > GRT_MAX_SLOTS)
    return TW_FAIL(TW_ERR_INTERNAL, "GRT backward: %d slots, at most %d", ws->slots, (int)GRT_MAX_SLOTS);
  return TW_OK;
}

tw_status grt_loss_backward_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                                 const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                 float *grads, float *x_grad, float *y, const grt_lstm_train *lstm) {
  const grt_lstm_train generic = {grt_lstm_generic_seq, generic_backward, 0, be};
  if (!lstm) lstm = &generic;
  TW_TRY(check_backward(m, batch, target, ws));
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

tw_status tw_grt_per_example_backward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch,
                                      const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                      float *pe) {
  const grt_lstm_train generic = {grt_lstm_generic_seq, generic_backward, 0, be};
  TW_TRY(check_backward(m, batch, target, ws));
  if (ws->train != TW_GRT_PER_EXAMPLE)
    return TW_FAIL(TW_ERR_INPUT, "GRT per-example backward needs a workspace planned with TW_GRT_PER_EXAMPLE");
  if (!pe) return TW_FAIL(TW_ERR_INPUT, "GRT per-example backward: pe is required");
  double scale = 0.0;
  TW_TRY(loss_scale(be, m, batch, mask, &scale));
  backward_ctx k = {.be = be, .m = m, .batch = batch, .lstm = &generic, .target = target, .mask = mask,
                    .scale = (float)(scale * batch->B), .host = be->device.kind == TW_DEVICE_HOST, .pe = pe};
  TW_TRY(grt_run_chunks(be, m, ws, batch->B, backward_chunk, backward_round_done, &k));
  *loss = k.sum_sq * scale;
  return TW_OK;
}

/* ---- the sinks ------------------------------------------------------------------ */

/* Rows of a time-major (T, bc, N, ld) operand, batch-major into dst: (bc, T*N, ld). */
static tw_status batch_major(const grt_wgrad *s, const float *src, int ld, float *dst) {
  const int64_t inner = (int64_t)s->N * ld;
  return tw_nn_ops_for(s->be)->swap01(s->be, s->T, s->bc, inner, src, s->bc * inner, dst, s->T * inner);
}

tw_status grt_wgrad_weight(const grt_wgrad *s, int64_t off, int out, int in, const float *d, int ldd, int dcol,
                           const float *x, int ldx) {
  const int64_t tn = (int64_t)s->T * s->N;
  if (!s->pe) return grt_gemm(s->be, 1, 0, out, in, tn * s->bc, d + dcol, ldd, x, ldx, 1.0f, s->g + off, in);
  TW_TRY(batch_major(s, d, ldd, s->w->pe_d));
  TW_TRY(batch_major(s, x, ldx, s->w->pe_x));
  // twin b: dW_b (out,in) += D_b[:, dcol:]^T (T*N,out)^T X_b (T*N,in)
  const tw_gemm_batch g = {.dtype = TW_F32, .trans_a = 1, .m = out, .n = in, .k = (int)tn, .alpha = 1.0,
                           .beta = 1.0, .a = s->w->pe_d + dcol, .lda = ldd, .stride_a = tn * ldd, .b = s->w->pe_x,
                           .ldb = ldx, .stride_b = tn * ldx, .c = s->pe + off, .ldc = in, .stride_c = s->P,
                           .batch = s->bc};
  return s->be->gemm(s->be, &g);
}

tw_status grt_wgrad_bias(const grt_wgrad *s, int64_t off, int n, const float *d, int ldd, int dcol) {
  const int64_t tn = (int64_t)s->T * s->N;
  if (!s->pe) {
    if (ldd != n || dcol != 0) return TW_FAIL(TW_ERR_INTERNAL, "GRT bias gradient: a column slice needs a sink per example");
    return tw_nn_ops_for(s->be)->bias_grad(s->be, tn * s->bc, n, d, s->g + off);
  }
  TW_TRY(batch_major(s, d, ldd, s->w->pe_d));
  // twin b: db_b (1,n) += ones (1,T*N) D_b[:, dcol:] (T*N,n)
  const tw_gemm_batch g = {.dtype = TW_F32, .m = 1, .n = n, .k = (int)tn, .alpha = 1.0, .beta = 1.0,
                           .a = s->w->ones, .lda = tn, .stride_a = 0, .b = s->w->pe_d + dcol, .ldb = ldd,
                           .stride_b = tn * ldd, .c = s->pe + off, .ldc = n, .stride_c = s->P, .batch = s->bc};
  return s->be->gemm(s->be, &g);
}
