/*
** nn_grt_cuda.cu: plans, forward and rollout for the GRT's CUDA-only LSTM paths
** (nn_grt_cuda.h).
**
** The chunk forward and the rollout step below are the shared orchestration's
** (src/nn/grt_forward.c, grt_rollout.c) with only the LSTM loop exchanged: the
** GNN, the input projection, the head and the layout transposes are the same
** calls (grt_gnn, grt_gemm, grt_head, be->nn->swap01) on the same workspace and
** scratch. Keep the two in step when either changes.
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

/* hs[0], cs[0] from the chunk's slice of h0, c0, or zeros (as grt_forward.c). */
static tw_status load_state(tw_backend *be, const float *src, int64_t offset, size_t bytes, float *dst) {
  if (src) return be->copy(be, dst, src + offset, bytes, TW_COPY_DEVICE_TO_DEVICE);
  return be->fill_bytes(be, dst, 0, bytes);
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
  TW_TRY(be->nn->swap01(be, bc, T, xrow, batch->x + (int64_t)b0 * T * xrow, T * xrow, w->xt, bn * s->F));
  TW_TRY(grt_gnn(be, m, T, bc, adj, batch->adj_per_twin, w->xt, w->wcat, w->ycat, w->z));
  const float *zL = w->z[s->L - 1];
  TW_TRY(load_state(be, batch->h0, (int64_t)b0 * N * Hr, state_bytes, w->hs));
  TW_TRY(load_state(be, batch->c0, (int64_t)b0 * N * Hr, state_bytes, w->cs));

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
  if (y) TW_TRY(be->nn->swap01(be, T, bc, yrow, w->yt, bn * s->O, y + (int64_t)b0 * T * yrow, T * yrow));
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

/* The scratch of one rollout step for B twins, cut like grt_rollout.c's less
** its gates (the fused step keeps none), so tw_grt_rollout_floats covers it
** (checked below). */
typedef struct rollout_map {
  float *wcat[TW_GRT_MAX_LAYERS]; /* (2H,in_l) */
  float *x[2];                    /* (B,N,F) this step's input, the next step's */
  float *ycat;                    /* (B*N,2H) */
  float *z[TW_GRT_MAX_LAYERS];    /* (B*N,H), two alternating */
  float *h[2], *c[2];             /* (B*N,Hr) alternating state */
  float *a1;                      /* (B*N,M) */
  float *y;                       /* (B*N,O) */
} rollout_map;

static size_t rollout_cut(const tw_grt_sizes *sz, int B, float *base, rollout_map *map) {
  const size_t bn = (size_t)B * sz->N, H = sz->H, Hr = sz->Hr;
  size_t used = 0;
  // each buffer starts at a multiple of 16 floats (64 bytes)
  auto take = [&](float **slot, size_t n) {
    *slot = base + used;
    used += (n + 15) / 16 * 16;
  };
  for (int l = 0; l < sz->L; ++l) take(&map->wcat[l], 2 * H * tw_grt_layer_in(sz, l));
  for (int i = 0; i < 2; ++i) take(&map->x[i], bn * sz->F);
  take(&map->ycat, bn * 2 * H);
  for (int l = 0; l < TW_MIN(sz->L, 2); ++l) take(&map->z[l], bn * H);
  for (int i = 0; i < 2; ++i) take(&map->h[i], bn * Hr);
  for (int i = 0; i < 2; ++i) take(&map->c[i], bn * Hr);
  take(&map->a1, bn * sz->M);
  take(&map->y, bn * sz->O);
  for (int l = 2; l < sz->L; ++l) map->z[l] = map->z[l % 2];
  return used;
}

tw_status tw_grt_cuda_rollout(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_step_fn step, void *ctx, float *scratch, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  if (plan->path == TW_GRT_LSTM_GENERIC || !plan->fused_ok)
    return tw_grt_rollout(be, m, batch, step, ctx, scratch, y, h, c);
  TW_TRY(grt_cuda_check_model(plan, m));
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int B = batch->B, T = batch->T, N = s->N, Hr = s->Hr;
  if (B <= 0 || T <= 0) return TW_FAIL(TW_ERR_INPUT, "GRT rollout: B = %d and T = %d must be positive", B, T);
  if (!batch->x || !batch->adj || !scratch || (T > 1 && !step))
    return TW_FAIL(TW_ERR_INPUT, "GRT rollout: x, adj, scratch and (for T > 1) a step callback are required");
  TW_TRY(tw_cuda_activate(be));
  rollout_map r;
  if (rollout_cut(s, B, scratch, &r) > tw_grt_rollout_floats(s, B))
    return TW_FAIL(TW_ERR_INTERNAL, "GRT CUDA rollout: scratch cut exceeds tw_grt_rollout_floats");
  grt_ws_map packer;
  memset(&packer, 0, sizeof packer);
  for (int l = 0; l < s->L; ++l) packer.wcat[l] = r.wcat[l];
  TW_TRY(grt_pack_wcat(be, m, &packer));

  const int64_t bn = (int64_t)B * N, xrow = (int64_t)N * s->F, yrow = (int64_t)N * s->O;
  const size_t state_bytes = (size_t)bn * Hr * sizeof(float);
  // x_0 (B,N,F) <- x[:,0] of (B,T,N,F)
  TW_TRY(be->nn->swap01(be, B, 1, xrow, batch->x, T * xrow, r.x[0], bn * s->F));
  TW_TRY(load_state(be, batch->h0, 0, state_bytes, r.h[0]));
  TW_TRY(load_state(be, batch->c0, 0, state_bytes, r.c[0]));
  for (int t = 0; t < T; ++t) {
    const int cur = t % 2, nxt = (t + 1) % 2;
    TW_TRY(grt_gnn(be, m, 1, B, batch->adj, batch->adj_per_twin, r.x[cur], r.wcat, r.ycat, r.z));
    // the input and recurrent products and the cell, in one kernel
    TW_TRY(tw_lstm_fused_step(&plan->fused, tw_cuda_stream(be), bn, r.z[s->L - 1], m->params + lay->lstm_w_ih,
                              m->params + lay->lstm_w_hh, m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh,
                              r.h[cur], r.c[cur], r.c[nxt], r.h[nxt]));
    TW_TRY(grt_head(be, m, bn, r.h[nxt], r.a1, r.y));
    // y[:,t] of (B,T,N,O) <- y_t (B,N,O)
    if (y) TW_TRY(be->nn->swap01(be, 1, B, yrow, r.y, bn * s->O, y + t * yrow, T * yrow));
    if (t + 1 < T) TW_TRY(step(ctx, t, r.y, r.x[nxt]));
  }
  if (h) TW_TRY(be->copy(be, h, r.h[T % 2], state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  if (c) TW_TRY(be->copy(be, c, r.c[T % 2], state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  return TW_OK;
}
