/*
** nn_grt_cuda.cu: plans, forward and rollout for the GRT's CUDA-only LSTM paths
** (nn_grt_cuda.h).
**
** The forward is src/nn/grt_forward.c's orchestration itself (grt_forward_with)
** with the plan's sequence LSTM passed as its hook (the fused step T times, or
** cuDNN over the sequence); the rollout is src/nn/grt_rollout.c's loop itself
** (grt_rollout_with) with the fused step passed as its LSTM. Only the LSTM is
** written here.
*/
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "backend_cuda.h"          /* tw_cuda_stream, the device */
#include "core/check.h"            /* TW_CUDA_CHECK */
#include "nn_grt_cuda_internal.h"  /* plan, the LSTM hooks */

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

/* The forward's LSTM hook of FUSED plans: the fused step T times, c in the two
** alternating buffers. The gates are not kept; a training workspace changes
** nothing here, since no backward pass reads this forward (FUSED plans train
** through the generic path, tw_grt_cuda_loss_backward, which runs its own). */
static tw_status fused_lstm_seq(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w, int train,
                                const float **c_last) {
  const tw_grt_sizes *s = &m->layout.sz;
  const int64_t H = s->H, Hr = s->Hr;
  (void)train;
  for (int t = 0; t < T; ++t)
    TW_TRY(fused_lstm_step(ctx, m, bn, w->z[s->L - 1] + t * bn * H, w->hs + t * bn * Hr, w->cs + (t % 2) * bn * Hr,
                           NULL, w->cs + ((t + 1) % 2) * bn * Hr, w->hs + (t + 1) * bn * Hr));
  *c_last = w->cs + (T % 2) * bn * Hr;
  return TW_OK;
}

#if TW_HAVE_CUDNN
tw_status grt_cuda_cudnn_lstm_seq(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w,
                                  int train, const float **c_last) {
  tw_grt_cuda_plan *plan = (tw_grt_cuda_plan *)ctx;
  const tw_grt_sizes *s = &m->layout.sz;
  // the final c: the last of T+1 (train); in inference the second of the two
  // buffers (never on top of c0 in the first, which cuDNN reads)
  float *c_out = w->cs + (train ? T : 1) * bn * s->Hr;
  // hs[1..T] (T,bn,Hr) = cuDNN LSTM over zL (T,bn,H) from (hs[0], cs[0])
  TW_TRY(tw_cudnn_lstm_forward(plan->cudnn, T, (int)bn, w->z[s->L - 1], w->hs, w->cs, w->hs + bn * s->Hr, NULL, c_out,
                               train));
  *c_last = c_out;
  return TW_OK;
}

static tw_status load_cudnn_weights(tw_grt_cuda_plan *plan, const tw_grt_model *m) {
  const tw_grt_layout *lay = &m->layout;
  return tw_cudnn_lstm_load_weights(plan->cudnn, m->params + lay->lstm_w_ih, m->params + lay->lstm_w_hh,
                                    m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh);
}
#endif

tw_status tw_grt_cuda_forward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_workspace *ws, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  if (plan->path == TW_GRT_LSTM_GENERIC) return tw_grt_forward(be, m, batch, ws, y, h, c);
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(tw_cuda_activate(be));
#if TW_HAVE_CUDNN
  if (plan->path == TW_GRT_LSTM_CUDNN) {
    TW_TRY(load_cudnn_weights(plan, m));
    return grt_forward_with(be, m, batch, ws, y, h, c, grt_cuda_cudnn_lstm_seq, plan);
  }
#endif
  return grt_forward_with(be, m, batch, ws, y, h, c, fused_lstm_seq, plan);
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

tw_status tw_grt_cuda_rollout(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_step_fn step, void *ctx, float *scratch, float *y, float *h, float *c) {
  tw_backend *be = plan->be;
  if (plan->path == TW_GRT_LSTM_GENERIC || !plan->fused_ok)
    return tw_grt_rollout(be, m, batch, step, ctx, scratch, y, h, c);
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(tw_cuda_activate(be));
  return grt_rollout_with(be, m, batch, step, ctx, scratch, y, h, c, fused_lstm_step, plan);
}
