/*
** nn_grt_cuda_backward.cu: the GRT's MSE loss and backpropagation through time
** with cuDNN's LSTM backward (cudnnRNNBackwardData_v8 for dz_L, dh0, dc0;
** cudnnRNNBackwardWeights_v8 for W_ih, W_hh, b_ih, b_hh).
**
** The rest is src/nn/grt_backward.c's walk, call for call (head products, GNN
** epilogue backward and products, the loss normaliser, chunks through
** grt_run_chunks, one at a time on a GPU); only the step-by-step LSTM loop and
** its four weight products are cuDNN's. One difference in the bookkeeping:
** cuDNN reports d b_hh itself (equal to d b_ih, as both biases enter the gates
** as one sum), so it is not copied from d b_ih.
** Keep this file in step with grt_backward.c.
*/
#include "backend_cuda.h"         /* tw_cuda_activate */
#include "nn_grt_cuda_internal.h" /* plan, chunk forward */

#if TW_HAVE_CUDNN

/* Loss normaliser: 1/sum(mask), or 1/(B*T*N*O) without a mask; 0 when the mask is empty. */
static tw_status loss_scale(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, const float *mask,
                            double *scale) {
  const int64_t count = (int64_t)batch->B * batch->T * m->layout.sz.N * m->layout.sz.O;
  double weight = (double)count;
  if (mask) TW_TRY(be->nn->sum(be, count, mask, &weight));
  *scale = weight > 0.0 ? 1.0 / weight : 0.0;
  return TW_OK;
}

/* Head backward for one chunk: weight gradients, and dh reaching every h_t in w->dhs. */
static tw_status chunk_backward_head(tw_backend *be, const tw_grt_model *m, int64_t rows, int64_t bn,
                                    const grt_ws_map *w, float *grads) {
  const tw_grt_layout *lay = &m->layout;
  const int Hr = lay->sz.Hr, M = lay->sz.M, O = lay->sz.O;
  const float *h_after = w->hs + bn * Hr; // h after steps 0..T-1, (rows,Hr)
  TW_TRY(grt_gemm(be, 1, 0, O, M, rows, w->dy, O, w->a1, M, 1.0f, grads + lay->head2_w, M));
  TW_TRY(be->nn->bias_grad(be, rows, O, w->dy, grads + lay->head2_b));
  TW_TRY(grt_gemm(be, 0, 0, rows, M, O, w->dy, O, m->params + lay->head2_w, M, 0.0f, w->da1, M));
  TW_TRY(be->nn->relu_backward(be, rows * M, w->a1, w->da1));
  TW_TRY(grt_gemm(be, 1, 0, M, Hr, rows, w->da1, M, h_after, Hr, 1.0f, grads + lay->head0_w, Hr));
  TW_TRY(be->nn->bias_grad(be, rows, M, w->da1, grads + lay->head0_b));
  TW_TRY(grt_gemm(be, 0, 0, rows, Hr, M, w->da1, M, m->params + lay->head0_w, Hr, 0.0f, w->dhs, Hr));
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
    TW_TRY(be->nn->gnn_combine_backward(be, T, bc, s->N, H, w->z[l], w->dz, adj, adj_per_twin, w->ycat,
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
  tw_grt_cuda_plan *plan;
  const tw_grt_model *m;
  const tw_grt_batch *batch;
  const float *target, *mask;
  float scale;
  float *grads, *x_grad, *y;
  double sum_sq; /* chunks run one after another on a GPU: summed in chunk order */
} backward_ctx;

static tw_status backward_chunk(void *ctx, const grt_ws_map *w, int slot, int b0, int bc) {
  backward_ctx *k = (backward_ctx *)ctx;
  tw_backend *be = k->plan->be;
  const tw_grt_batch *batch = k->batch;
  const tw_grt_layout *lay = &k->m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int T = batch->T, N = s->N, Hr = s->Hr;
  const int64_t bn = (int64_t)bc * N, rows = (int64_t)T * bn;
  const int64_t yrow = (int64_t)N * s->O, xrow = (int64_t)N * s->F;
  float *g = k->grads;
  TW_TRY(grt_cuda_chunk_forward(k->plan, k->m, batch, b0, bc, w, 1, k->y, NULL, NULL));
  // the chunk's target and mask, time-major like yt
  TW_TRY(be->nn->swap01(be, bc, T, yrow, k->target + (int64_t)b0 * T * yrow, T * yrow, w->tt, bn * s->O));
  if (k->mask) TW_TRY(be->nn->swap01(be, bc, T, yrow, k->mask + (int64_t)b0 * T * yrow, T * yrow, w->mt, bn * s->O));
  double chunk_sum = 0.0;
  TW_TRY(be->nn->mse(be, rows * s->O, w->yt, w->tt, k->mask ? w->mt : NULL, k->scale, w->dy, &chunk_sum));
  k->sum_sq += chunk_sum;
  TW_TRY(chunk_backward_head(be, k->m, rows, bn, w, g));
  // dz_L (T,bn,H) and the LSTM weight gradients from dh (T,bn,Hr), through cuDNN
  TW_TRY(tw_cudnn_lstm_backward(k->plan->cudnn, T, (int)bn, w->z[s->L - 1], w->hs, w->cs, w->hs + bn * Hr, w->dhs,
                                NULL, NULL, w->dz, NULL, NULL, g + lay->lstm_w_ih, g + lay->lstm_w_hh,
                                g + lay->lstm_b_ih, g + lay->lstm_b_hh));
  const float *adj = batch->adj_per_twin ? batch->adj + (int64_t)b0 * N * N : batch->adj;
  TW_TRY(chunk_backward_gnn(be, k->m, T, bc, adj, batch->adj_per_twin, w, g, k->x_grad != NULL));
  // x_grad[b0:b0+bc] (bc,T,N,F) <- dx (T,bc,N,F)
  if (k->x_grad)
    TW_TRY(be->nn->swap01(be, T, bc, xrow, w->dz, bn * s->F, k->x_grad + (int64_t)b0 * T * xrow, T * xrow));
  return TW_OK;
}

tw_status grt_cuda_cudnn_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                       const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                       float *grads, float *x_grad, float *y) {
  tw_backend *be = plan->be;
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(grt_check_call(m, batch, ws, 1));
  if (!target) return TW_FAIL(TW_ERR_INPUT, "GRT backward: target is required");
  TW_TRY(tw_cuda_activate(be));
  double scale = 0.0;
  TW_TRY(loss_scale(be, m, batch, mask, &scale));
  TW_TRY(be->fill_bytes(be, grads, 0, (size_t)m->layout.total * sizeof(float)));
  backward_ctx k;
  k.plan = plan, k.m = m, k.batch = batch, k.target = target, k.mask = mask, k.scale = (float)scale;
  k.grads = grads, k.x_grad = x_grad, k.y = y, k.sum_sq = 0.0;
  TW_TRY(grt_run_chunks(be, m, ws, batch->B, backward_chunk, NULL, &k));
  *loss = k.sum_sq * scale;
  return TW_OK;
}

#endif /* TW_HAVE_CUDNN */
