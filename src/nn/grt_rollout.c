/*
** grt_rollout.c: autoregressive GRT rollout, one step at a time.
**
** The simulation engine feeds the model its own predictions: after step t the
** callback turns y_t into x_{t+1}. Each step is the forward of a one-step
** sequence over the whole batch (GNN products, input and recurrent products,
** fused cell, head), with state carried in two alternating (h, c) buffers. The
** state per twin is 2*N*Hr floats; all scratch is planned by
** tw_grt_rollout_floats and nothing allocates inside. On the host a step runs
** as ranges of twins in parallel, one per thread, like the teacher-forced chunks.
** The LSTM of a step comes through a hook (grt_lstm_step_fn), so the CUDA-only
** paths (the fused step) run this same loop with their own LSTM.
*/
#include "nn/grt_internal.h"

/* The scratch of one rollout step for B twins. */
typedef struct rollout_map {
  float *wcat[TW_GRT_MAX_LAYERS]; /* (2H,in_l) */
  float *x[2];                    /* (B,N,F) this step's input, the next step's */
  float *ycat;                    /* (B*N,2H) */
  float *z[TW_GRT_MAX_LAYERS];    /* (B*N,H), two alternating */
  float *gates;                   /* (B*N,4Hr) */
  float *h[2], *c[2];             /* (B*N,Hr) alternating state */
  float *a1;                      /* (B*N,M) */
  float *y;                       /* (B*N,O) */
} rollout_map;

static size_t rollout_cut(const tw_grt_sizes *sz, int B, float *base, rollout_map *map) {
  const size_t bn = (size_t)B * sz->N, H = sz->H, Hr = sz->Hr;
  size_t used = 0;
  *map = (rollout_map){0};
  for (int l = 0; l < sz->L; ++l) map->wcat[l] = grt_take(base, &used, 2 * H * tw_grt_layer_in(sz, l));
  for (int i = 0; i < 2; ++i) map->x[i] = grt_take(base, &used, bn * sz->F);
  map->ycat = grt_take(base, &used, bn * 2 * H);
  for (int l = 0; l < TW_MIN(sz->L, 2); ++l) map->z[l] = grt_take(base, &used, bn * H);
  for (int l = 2; l < sz->L; ++l) map->z[l] = map->z[l % 2];
  map->gates = grt_take(base, &used, bn * 4 * Hr);
  for (int i = 0; i < 2; ++i) map->h[i] = grt_take(base, &used, bn * Hr);
  for (int i = 0; i < 2; ++i) map->c[i] = grt_take(base, &used, bn * Hr);
  map->a1 = grt_take(base, &used, bn * sz->M);
  map->y = grt_take(base, &used, bn * sz->O);
  return used;
}

size_t tw_grt_rollout_floats(const tw_grt_sizes *sz, int B) {
  rollout_map map;
  return rollout_cut(sz, B, NULL, &map);
}

/* The generic LSTM step: two products and the backend's cell. */
static tw_status generic_lstm_step(void *ctx, const tw_grt_model *m, int64_t bn, const float *z, const float *h,
                                   const float *c, float *gates, float *c_next, float *h_next) {
  tw_backend *be = ctx;
  const tw_grt_layout *lay = &m->layout;
  const int64_t G = 4 * (int64_t)lay->sz.Hr, H = lay->sz.H, Hr = lay->sz.Hr;
  // gates (bn,4Hr) = z_L W_ih^T + h W_hh^T
  TW_TRY(grt_gemm(be, 0, 1, bn, G, H, z, H, m->params + lay->lstm_w_ih, H, 0.0f, gates, G));
  TW_TRY(grt_gemm(be, 0, 1, bn, G, Hr, h, Hr, m->params + lay->lstm_w_hh, Hr, 1.0f, gates, G));
  return tw_nn_ops_for(be)->lstm_cell_forward(be, bn, (int)Hr, gates, m->params + lay->lstm_b_ih, m->params + lay->lstm_b_hh, c,
                                   c_next, h_next);
}

/* One step for one range of twins: everything in a step is per twin, so the
** host runs ranges in parallel (grt_parallel); a GPU takes the batch whole. */
typedef struct step_ctx {
  tw_backend *be;
  const tw_grt_model *m;
  const tw_grt_batch *batch;
  const rollout_map *r;
  grt_lstm_step_fn lstm;
  void *lstm_ctx;
  int cur, nxt, twins; /* state buffers read and written; twins per range */
} step_ctx;

static tw_status step_range(void *ctx, int k, int slot) {
  const step_ctx *sc = ctx;
  tw_backend *be = sc->be;
  const tw_grt_layout *lay = &sc->m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const rollout_map *r = sc->r;
  const int b0 = k * sc->twins, bc = TW_MIN(sc->twins, sc->batch->B - b0);
  const int64_t r0 = (int64_t)b0 * s->N, bn = (int64_t)bc * s->N, G = 4 * (int64_t)s->Hr, Hr = s->Hr;
  float *z[TW_GRT_MAX_LAYERS];
  for (int l = 0; l < s->L; ++l) z[l] = r->z[l] + r0 * s->H;
  const float *adj = sc->batch->adj_per_twin ? sc->batch->adj + (int64_t)b0 * s->N * s->N : sc->batch->adj;
  float *h_next = r->h[sc->nxt] + r0 * Hr;
  TW_TRY(grt_gnn(be, sc->m, 1, bc, adj, sc->batch->adj_per_twin, r->x[sc->cur] + r0 * s->F, r->wcat,
                 r->ycat + r0 * 2 * s->H, z));
  TW_TRY(sc->lstm(sc->lstm_ctx, sc->m, bn, z[s->L - 1], r->h[sc->cur] + r0 * Hr, r->c[sc->cur] + r0 * Hr,
                  r->gates + r0 * G, r->c[sc->nxt] + r0 * Hr, h_next));
  return grt_head(be, sc->m, bn, h_next, r->a1 + r0 * s->M, r->y + r0 * s->O);
}

tw_status grt_rollout_with(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_step_fn step,
                           void *ctx, float *scratch, float *y, float *h, float *c, grt_lstm_step_fn lstm,
                           void *lstm_ctx) {
  const tw_grt_layout *lay = &m->layout;
  const tw_grt_sizes *s = &lay->sz;
  const int B = batch->B, T = batch->T, N = s->N, Hr = s->Hr;
  if (B <= 0 || T <= 0) return TW_FAIL(TW_ERR_INPUT, "GRT rollout: B = %d and T = %d must be positive", B, T);
  if (!batch->x || !batch->adj || !scratch || (T > 1 && !step))
    return TW_FAIL(TW_ERR_INPUT, "GRT rollout: x, adj, scratch and (for T > 1) a step callback are required");
  rollout_map r;
  rollout_cut(s, B, scratch, &r);
  grt_ws_map packer = {0};
  for (int l = 0; l < s->L; ++l) packer.wcat[l] = r.wcat[l];
  TW_TRY(grt_pack_wcat(be, m, &packer));

  const int64_t bn = (int64_t)B * N, xrow = (int64_t)N * s->F, yrow = (int64_t)N * s->O;
  const size_t state_bytes = (size_t)bn * Hr * sizeof(float);
  // x_0 (B,N,F) <- x[:,0] of (B,T,N,F)
  TW_TRY(tw_nn_ops_for(be)->swap01(be, B, 1, xrow, batch->x, T * xrow, r.x[0], bn * s->F));
  TW_TRY(grt_load_state(be, batch->h0, 0, state_bytes, r.h[0]));
  TW_TRY(grt_load_state(be, batch->c0, 0, state_bytes, r.c[0]));

  // host: ranges of 32 twins in parallel, handed out as threads free up; GPU: the whole batch
  step_ctx sc = {be, m, batch, &r, lstm ? lstm : generic_lstm_step, lstm ? lstm_ctx : be, 0, 1,
                 be->device.kind == TW_DEVICE_HOST ? TW_MIN(B, 32) : B};
  const int ranges = (B + sc.twins - 1) / sc.twins;
  for (int t = 0; t < T; ++t) {
    sc.cur = t % 2;
    sc.nxt = (t + 1) % 2;
    TW_TRY(grt_parallel(be, ranges, grt_host_slots(be), 1, step_range, &sc));
    // y[:,t] of (B,T,N,O) <- y_t (B,N,O)
    if (y) TW_TRY(tw_nn_ops_for(be)->swap01(be, 1, B, yrow, r.y, bn * s->O, y + t * yrow, T * yrow));
    if (t + 1 < T) TW_TRY(step(ctx, t, r.y, r.x[sc.nxt]));
  }
  if (h) TW_TRY(be->copy(be, h, r.h[T % 2], state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  if (c) TW_TRY(be->copy(be, c, r.c[T % 2], state_bytes, TW_COPY_DEVICE_TO_DEVICE));
  return TW_OK;
}

tw_status tw_grt_rollout(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, tw_grt_step_fn step,
                         void *ctx, float *scratch, float *y, float *h, float *c) {
  return grt_rollout_with(be, m, batch, step, ctx, scratch, y, h, c, NULL, NULL);
}
