/*
** nn_grt_cuda.cu: plans, forward and rollout for the GRT's CUDA-only LSTM paths
** (nn_grt_cuda.h).
**
** The chunk forward below is the shared orchestration's (src/nn/grt_forward.c)
** with only the LSTM loop exchanged: the GNN, the head and the layout
** transposes are the same calls (grt_gnn, grt_head, tw_nn_ops_for(be)->swap01) on the same
** workspace. The rollout is src/nn/grt_rollout.c's loop itself
** (grt_rollout_with) with the fused step passed as its LSTM.
*/
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "backend_cuda.h"          /* tw_cuda_stream, the device */
#include "core/check.h"            /* TW_CUDA_CHECK */
#include "nn_grt_cuda_internal.h"  /* plan, chunk forward */

const char *tw_grt_lstm_path_name(tw_grt_lstm_path path) {
  switch (path) {
  case TW_GRT_LSTM_GENERIC: return "generic";
  case TW_GRT_LSTM_FUSED: return "fused";
  case TW_GRT_LSTM_CUDNN: return "cudnn";
  }
  return "?";
}

tw_status tw_grt_lstm_path_parse(const char *name, tw_grt_lstm_path *out) {
  for (int p = TW_GRT_LSTM_GENERIC; p <= TW_GRT_LSTM_CUDNN; ++p)
    if (!strcmp(name, tw_grt_lstm_path_name((tw_grt_lstm_path)p))) {
      *out = (tw_grt_lstm_path)p;
      return TW_OK;
    }
  return TW_FAIL(TW_ERR_INPUT, "unknown LSTM path '%s' (expected generic, fused or cudnn)", name);
}

tw_status tw_grt_cuda_fused_max_hr(tw_backend *be, int H, int *max_hr) {
  return tw_lstm_fused_max_hr(be->device.index, H, max_hr);
}

tw_status tw_grt_cuda_plan_create(tw_backend *be, const tw_grt_sizes *sz, tw_grt_lstm_path path,
                                  tw_grt_cuda_plan **out) {
  *out = NULL;
  if (be->device.kind != TW_DEVICE_CUDA)
    return TW_FAIL(TW_ERR_INPUT, "GRT CUDA plan: backend '%s' is not a CUDA backend", be->name);
  tw_grt_layout lay;
  TW_TRY(tw_grt_layout_make(sz, &lay));
#if !TW_HAVE_CUDNN
  if (path == TW_GRT_LSTM_CUDNN)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "GRT CUDA plan: LSTM path 'cudnn' asked for, but this build has no cuDNN");
#endif
  TW_TRY(tw_cuda_activate(be));
  tw_grt_cuda_plan *p = (tw_grt_cuda_plan *)calloc(1, sizeof *p);
  if (!p) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate a GRT CUDA plan");
  p->be = be;
  p->sz = *sz;
  p->path = path;
  /* The fused step serves FUSED plans and the rollout of CUDNN plans, when it fits. */
  tw_status st = tw_lstm_fused_prepare(be->device.index, sz->H, sz->Hr, &p->fused);
  p->fused_ok = st == TW_OK;
  if (st != TW_OK && path == TW_GRT_LSTM_FUSED) {
    free(p);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  tw_error_clear();
#if TW_HAVE_CUDNN
  if (path == TW_GRT_LSTM_CUDNN) {
    st = tw_cudnn_lstm_create(tw_cuda_stream(be), sz->H, sz->Hr, be->math_mode, &p->cudnn);
    if (st != TW_OK) {
      tw_grt_cuda_plan_destroy(p);
      return tw_error_trace(st, __FILE__, __LINE__);
    }
  }
#endif
  *out = p;
  return TW_OK;
}

void tw_grt_cuda_plan_destroy(tw_grt_cuda_plan *plan) {
  if (!plan) return;
#if TW_HAVE_CUDNN
  tw_cudnn_lstm_destroy(plan->cudnn);
#endif
  free(plan);
}

tw_status grt_cuda_check_model(const tw_grt_cuda_plan *plan, const tw_grt_model *m) {
  const tw_grt_sizes *a = &plan->sz, *b = &m->layout.sz;
  if (a->N != b->N || a->F != b->F || a->H != b->H || a->Hr != b->Hr || a->L != b->L || a->M != b->M ||
      a->O != b->O)
    return TW_FAIL(TW_ERR_INPUT, "GRT CUDA plan was made for other model sizes");
  return TW_OK;
}

tw_status grt_cuda_chunk_forward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch, int b0,
                                 int bc, const grt_ws_map *w, int train, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int T = batch->T, N = s->N, Hr = s->Hr;
  const int64_t bn = (int64_t)bc * N, rows = (int64_t)T * bn;
  const size_t state_bytes = (size_t)bn * Hr * sizeof(float);
  const float *adj = batch->adj_per_twin ? batch->adj + (int64_t)b0 * N * N : batch->adj;
  // where the final c lands: the last of T+1 (train); in inference the second of
  // the two buffers for cuDNN (never on top of c0, which it reads), the
  // alternating one where the fused steps leave it
  const int cudnn = plan->path == TW_GRT_LSTM_CUDNN;
  float *c_last = w->cs + (train ? T : cudnn ? 1 : T % 2) * bn * Hr;

  // xt (T,bc,N,F) <- x[b0:b0+bc] (bc,T,N,F)
  const int64_t xrow = (int64_t)N * s->F;
  TW_TRY(tw_nn_ops_for(be)->swap01(be, bc, T, xrow, batch->x + (int64_t)b0 * T * xrow, T * xrow, w->xt, bn * s->F));
  TW_TRY(grt_gnn(be, m, T, bc, adj, batch->adj_per_twin, w->xt, w->wcat, w->ycat, w->z));
  const float *zL = w->z[s->L - 1];
  // hs[0], cs[0] from the chunk's slice of h0, c0, or zeros
  TW_TRY(grt_load_state(be, batch->h0, (int64_t)b0 * N * Hr, state_bytes, w->hs));
  TW_TRY(grt_load_state(be, batch->c0, (int64_t)b0 * N * Hr, state_bytes, w->cs));

  if (cudnn) {
#if TW_HAVE_CUDNN
    // hs[1..T] (T,bn,Hr) = cuDNN LSTM over zL (T,bn,H) from (hs[0], cs[0])
    TW_TRY(tw_cudnn_lstm_forward(plan->cudnn, T, (int)bn, zL, w->hs, w->cs, w->hs + bn * Hr, NULL, c_last, train));
#else
    return TW_FAIL(TW_ERR_INTERNAL, "GRT CUDA: cuDNN path in a build without cuDNN");
#endif
  } else {
    // one fused kernel per step: gates from zL_t and h_{t-1}, then the cell; the
    // gates are not kept, so a training forward (which keeps them) is not fused
    if (train) return TW_FAIL(TW_ERR_INTERNAL, "GRT CUDA: the fused LSTM step does not keep gates for training");
    for (int t = 0; t < T; ++t)
      TW_TRY(tw_lstm_fused_step(&plan->fused, tw_cuda_stream(be), bn, zL + t * bn * s->H, m->params + lay->lstm_w_ih,
                                m->params + lay->lstm_w_hh, m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh,
                                w->hs + t * bn * Hr, w->cs + (t % 2) * bn * Hr, w->cs + ((t + 1) % 2) * bn * Hr,
                                w->hs + (t + 1) * bn * Hr));
  }
  TW_TRY(grt_head(be, m, rows, w->hs + bn * Hr, w->a1, w->yt));

  const int64_t yrow = (int64_t)N * s->O;
  // y[b0:b0+bc] (bc,T,N,O) <- yt (T,bc,N,O)
  if (y) TW_TRY(tw_nn_ops_for(be)->swap01(be, T, bc, yrow, w->yt, bn * s->O, y + (int64_t)b0 * T * yrow, T * yrow));
  if (h) TW_TRY(be->copy(be, h + (int64_t)b0 * N * Hr, w->hs + T * bn * Hr, state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  if (c) TW_TRY(be->copy(be, c + (int64_t)b0 * N * Hr, c_last, state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  return TW_OK;
}

#if TW_HAVE_CUDNN
static tw_status load_cudnn_weights(tw_grt_cuda_plan *plan, const tw_grt_model *m) {
  const tw_grt_layout *lay = &m->layout;
  return tw_cudnn_lstm_load_weights(plan->cudnn, m->params + lay->lstm_w_ih, m->params + lay->lstm_w_hh,
                                    m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh);
}
#endif

typedef struct forward_ctx {
  tw_grt_cuda_plan *plan;
  const tw_grt_model *m;
  const tw_grt_batch *batch;
  float *y, *h, *c;
} forward_ctx;

static tw_status forward_chunk(void *ctx, const grt_ws_map *w, int slot, int b0, int bc) {
  forward_ctx *k = (forward_ctx *)ctx;
  return grt_cuda_chunk_forward(k->plan, k->m, k->batch, b0, bc, w, 0, k->y, k->h, k->c);
}

tw_status tw_grt_cuda_forward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_workspace *ws, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  if (plan->path == TW_GRT_LSTM_GENERIC) return tw_grt_forward(be, m, batch, ws, y, h, c);
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(grt_check_call(m, batch, ws, 0));
  TW_TRY(tw_cuda_activate(be));
#if TW_HAVE_CUDNN
  if (plan->path == TW_GRT_LSTM_CUDNN) TW_TRY(load_cudnn_weights(plan, m));
#endif
  forward_ctx k;
  k.plan = plan, k.m = m, k.batch = batch, k.y = y, k.h = h, k.c = c;
  return grt_run_chunks(be, m, ws, batch->B, forward_chunk, NULL, &k);
}

tw_status tw_grt_cuda_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                    const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                    float *grads, float *x_grad, float *y) {
  if (plan->path != TW_GRT_LSTM_CUDNN)
    return tw_grt_loss_backward(plan->be, m, batch, target, mask, ws, loss, grads, x_grad, y);
#if TW_HAVE_CUDNN
  TW_TRY(load_cudnn_weights(plan, m));
  return grt_cuda_cudnn_loss_backward(plan, m, batch, target, mask, ws, loss, grads, x_grad, y);
#else
  return TW_FAIL(TW_ERR_INTERNAL, "GRT CUDA: cuDNN path in a build without cuDNN");
#endif
}

/* ---- rollout ---------------------------------------------------------------- */

/* The rollout's LSTM hook: the input and recurrent products and the cell, in
** one kernel (no gates kept). */
static tw_status fused_lstm_step(void *ctx, const tw_grt_model *m, int64_t bn, const float *z, const float *h,
                                 const float *c, float *gates, float *c_next, float *h_next) {
  tw_grt_cuda_plan *plan = (tw_grt_cuda_plan *)ctx;
  const tw_grt_layout *lay = &m->layout;
  (void)gates;
  return tw_lstm_fused_step(&plan->fused, tw_cuda_stream(plan->be), bn, z, m->params + lay->lstm_w_ih,
                            m->params + lay->lstm_w_hh, m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh, h, c,
                            c_next, h_next);
}

tw_status tw_grt_cuda_rollout(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_step_fn step, void *ctx, float *scratch, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  if (plan->path == TW_GRT_LSTM_GENERIC || !plan->fused_ok)
    return tw_grt_rollout(be, m, batch, step, ctx, scratch, y, h, c);
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(tw_cuda_activate(be));
  return grt_rollout_with(be, m, batch, step, ctx, scratch, y, h, c, fused_lstm_step, plan);
}
