/*
** grt_forward.c: the GRT's teacher-forced forward pass.
**
** A chunk of Bc twins runs as: transpose x to time-major; per GNN layer one
** product over all T*Bc*N rows and the fused adjacency+bias+tanh epilogue; one
** input-projection product for all steps; per step only h_{t-1} W_hh^T (added
** into that step's slice of the projection) and the fused cell; the head as two
** products over all rows; transpose y back. The products go through be->gemm,
** everything pointwise through tw_nn_ops_for(be), so this file serves every backend.
** The LSTM part comes through a hook (grt_lstm_seq_fn, grt_lstm_hooks.h): the
** generic one here, or a backend's own (the CUDA fused step, cuDNN), which then
** runs inside this same orchestration instead of a copy of it.
*/
#include "nn/grt_internal.h"

tw_status grt_gnn(tw_backend *be, const tw_grt_model *m, int T, int bc, const float *adj, int adj_per_twin,
                  const float *x, float *const *wcat, float *ycat, float *const *z) {
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int64_t rows = (int64_t)T * bc * s->N;
  const float *in = x;
  for (int l = 0; l < s->L; ++l) {
    const int k = tw_grt_layer_in(s, l);
    // ycat (rows,2H) = in (rows,k) @ wcat^T (k,2H)
    TW_TRY(grt_gemm(be, 0, 1, rows, 2 * s->H, k, in, k, wcat[l], k, 0.0f, ycat, 2 * s->H));
    // z (rows,H) = tanh(ycat[:, :H] + b + adj @ ycat[:, H:])
    TW_TRY(tw_nn_ops_for(be)->gnn_combine(be, T, bc, s->N, s->H, ycat, m->params + lay->gnn_self_b[l], adj, adj_per_twin, z[l]));
    in = z[l];
  }
  return TW_OK;
}

tw_status grt_head(tw_backend *be, const tw_grt_model *m, int64_t rows, const float *h, float *a1, float *y) {
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  // a1 (rows,M) = relu(h (rows,Hr) @ W1^T + b1)
  TW_TRY(grt_gemm(be, 0, 1, rows, s->M, s->Hr, h, s->Hr, m->params + lay->head0_w, s->Hr, 0.0f, a1, s->M));
  TW_TRY(tw_nn_ops_for(be)->bias_act(be, rows, s->M, a1, m->params + lay->head0_b, TW_NN_ACT_RELU));
  // y (rows,O) = a1 @ W2^T + b2
  TW_TRY(grt_gemm(be, 0, 1, rows, s->O, s->M, a1, s->M, m->params + lay->head2_w, s->M, 0.0f, y, s->O));
  TW_TRY(tw_nn_ops_for(be)->bias_act(be, rows, s->O, y, m->params + lay->head2_b, TW_NN_ACT_NONE));
  return TW_OK;
}

tw_status grt_lstm_generic_seq(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w, int train,
                               const float **c_last) {
  tw_backend *be = ctx;
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int Hr = s->Hr;
  const int64_t G = 4 * (int64_t)Hr;
  // gates (T*bn,4Hr) = zL (T*bn,H) @ W_ih^T: the input projection of every step at once
  TW_TRY(grt_gemm(be, 0, 1, T * bn, G, s->H, w->z[s->L - 1], s->H, m->params + lay->lstm_w_ih, s->H, 0.0f, w->gates,
                  G));
  for (int t = 0; t < T; ++t) {
    float *gt = w->gates + t * bn * G;
    const float *h_prev = w->hs + t * bn * Hr;
    // inference alternates two c buffers; training keeps all T+1 for backward
    const float *c_prev = w->cs + (train ? t : t % 2) * bn * Hr;
    float *c_next = w->cs + (train ? t + 1 : (t + 1) % 2) * bn * Hr;
    // gates_t (bn,4Hr) += h_{t-1} (bn,Hr) @ W_hh^T
    TW_TRY(grt_gemm(be, 0, 1, bn, G, Hr, h_prev, Hr, m->params + lay->lstm_w_hh, Hr, 1.0f, gt, G));
    TW_TRY(tw_nn_ops_for(be)->lstm_cell_forward(be, bn, Hr, gt, m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh, c_prev,
                                     c_next, w->hs + (t + 1) * bn * Hr));
  }
  *c_last = w->cs + (train ? T : T % 2) * bn * Hr;
  return TW_OK;
}

tw_status grt_chunk_forward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, int b0, int bc,
                            const grt_ws_map *w, int train, float *y, float *h, float *c, grt_lstm_seq_fn lstm,
                            void *lstm_ctx) {
  const tw_grt_sizes *s = &m->layout.sz;
  const int T = batch->T, N = s->N, Hr = s->Hr;
  const int64_t bn = (int64_t)bc * N, rows = (int64_t)T * bn;
  const size_t state_bytes = (size_t)bn * Hr * sizeof(float);
  const float *adj = batch->adj_per_twin ? batch->adj + (int64_t)b0 * N * N : batch->adj;

  // xt (T,bc,N,F) <- x[b0:b0+bc] (bc,T,N,F)
  const int64_t xrow = (int64_t)N * s->F;
  TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, xrow, batch->x + (int64_t)b0 * T * xrow, T * xrow, w->xt, bn * s->F));
  TW_TRY(grt_gnn(be, m, T, bc, adj, batch->adj_per_twin, w->xt, w->wcat, w->ycat, w->z));
  // hs[0], cs[0] from the chunk's slice of h0, c0, or zeros; then hs[1..T] from the LSTM
  TW_TRY(grt_load_state(be, batch->h0, (int64_t)b0 * N * Hr, state_bytes, w->hs));
  TW_TRY(grt_load_state(be, batch->c0, (int64_t)b0 * N * Hr, state_bytes, w->cs));
  const float *c_last = NULL;
  TW_TRY(lstm(lstm_ctx, m, T, bn, w, train, &c_last));
  TW_TRY(grt_head(be, m, rows, w->hs + bn * Hr, w->a1, w->yt));

  const int64_t yrow = (int64_t)N * s->O;
  // y[b0:b0+bc] (bc,T,N,O) <- yt (T,bc,N,O)
  if (y) TW_TRY(tw_nn_ops_for(be)->swap01(be, T, bc, yrow, w->yt, bn * s->O, y + (int64_t)b0 * T * yrow, T * yrow));
  if (h)
    TW_TRY(be->copy(be, h + (int64_t)b0 * N * Hr, w->hs + T * bn * Hr, state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  if (c) TW_TRY(be->copy(be, c + (int64_t)b0 * N * Hr, c_last, state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  return TW_OK;
}

typedef struct forward_ctx {
  tw_backend *be;
  const tw_grt_model *m;
  const tw_grt_batch *batch;
  int train;
  float *y, *h, *c;
  grt_lstm_seq_fn lstm;
  void *lstm_ctx;
} forward_ctx;

static tw_status forward_chunk(void *ctx, const grt_ws_map *w, int pos, int b0, int bc) {
  forward_ctx *f = ctx;
  return grt_chunk_forward(f->be, f->m, f->batch, b0, bc, w, f->train, f->y, f->h, f->c, f->lstm, f->lstm_ctx);
}

tw_status grt_forward_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_workspace *ws,
                           float *y, float *h, float *c, grt_lstm_seq_fn lstm, void *lstm_ctx) {
  TW_TRY(grt_check_call(m, batch, ws, 0));
  forward_ctx f = {be, m, batch, ws->train, y, h, c, lstm ? lstm : grt_lstm_generic_seq, lstm ? lstm_ctx : be};
  return grt_run_chunks(be, m, ws, batch->B, forward_chunk, NULL, &f);
}

tw_status tw_grt_forward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_workspace *ws,
                         float *y, float *h, float *c) {
  return grt_forward_with(be, m, batch, ws, y, h, c, NULL, NULL);
}
