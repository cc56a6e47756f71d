/*
** train_batch.c: one group's batch, teacher-forced or partly rolled out
** (train_internal.h).
**
** Scheduled rollout, as the "pushforward" of neural PDE solvers: the windows
** drawn for it are first rolled out by the current model without gradients,
** from the true state at the origin (step `context`); their horizon inputs are
** then rebuilt from the model's own states and their targets become the
** change from that own state to the true next state. The teacher-forced loss
** on that batch teaches the model to correct its own drift, at the cost of one
** extra forward per rolled window, and without backpropagating through the
** rollout (docs/training.md says why).
*/
#include "train/train_internal.h"

#include <stdlib.h> /* calloc, free */
#include <string.h> /* memcpy */

static int on_host(const tw_backend *be) { return be->device.kind == TW_DEVICE_HOST; }

/* A device twin of a host buffer (the same pointer on the host backend). */
static tw_status mirror(tw_backend *be, float *host, size_t floats, float **dev) {
  if (on_host(be)) return (*dev = host), TW_OK;
  return be->alloc(be, floats * sizeof(float), (void **)dev);
}

static tw_status to_device(tw_backend *be, float *dev, const float *host, size_t floats) {
  if (on_host(be)) return TW_OK;
  return be->copy(be, dev, host, floats * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

tw_status tw_group_buf_create(tw_trainer *t, int B) {
  tw_group_buf *g = &t->buf;
  const tw_grt_sizes *sz = &t->lay.sz;
  const size_t xs = (size_t)B * t->W * sz->N * sz->F, ys = (size_t)B * t->W * sz->N * sz->O;
  const size_t as = (size_t)(t->map.adj_per_twin ? B : 1) * sz->N * sz->N;
  g->B = B, g->W = t->W;
  g->x = malloc(xs * sizeof(float) + 1), g->target = malloc(ys * sizeof(float) + 1);
  g->mask = malloc(ys * sizeof(float) + 1), g->adj = malloc(as * sizeof(float) + 1);
  g->y = malloc(ys * sizeof(float) + 1);
  g->state = malloc((size_t)B * t->map.n_states * sizeof(double) + 1);
  if (!g->x || !g->target || !g->mask || !g->adj || !g->y || !g->state) return TW_FAIL(TW_ERR_NOMEM, "train: batch");
  TW_TRY(mirror(t->be, g->x, xs, &g->dx));
  TW_TRY(mirror(t->be, g->target, ys, &g->dtarget));
  TW_TRY(mirror(t->be, g->mask, ys, &g->dmask));
  TW_TRY(mirror(t->be, g->adj, as, &g->dadj));
  TW_TRY(mirror(t->be, g->y, ys, &g->dy));
  return t->be->alloc(t->be, tw_grt_rollout_floats(sz, B) * sizeof(float) + 1, (void **)&g->dscratch);
}

void tw_group_buf_destroy(tw_trainer *t) {
  tw_group_buf *g = &t->buf;
  if (t->be && !on_host(t->be)) {
    if (g->dx) t->be->free(t->be, g->dx);
    if (g->dtarget) t->be->free(t->be, g->dtarget);
    if (g->dmask) t->be->free(t->be, g->dmask);
    if (g->dadj) t->be->free(t->be, g->dadj);
    if (g->dy) t->be->free(t->be, g->dy);
  }
  if (t->be && g->dscratch) t->be->free(t->be, g->dscratch);
  free(g->x), free(g->target), free(g->mask), free(g->adj), free(g->y), free(g->state), free(g->pred);
  memset(g, 0, sizeof *g);
}

/* ---- the rollout of the drawn windows ------------------------------------ */

typedef struct roll_ctx {
  tw_trainer *t;
  const tw_window *w;
  const int *idx;   /* (R) the group's rolled windows */
  int R;
  float *x_sub;     /* host (R, W, N, F): what the rollout reads at step 0 */
} roll_ctx;

static const float *true_state(const tw_trainer *t, const tw_window *w, int64_t s) {
  return t->data.xs + (t->data.off[w->twin] + w->start + s) * t->data.n_states;
}

/* Window b's input at step s+1 from the state carried in the group's buffer. */
static void refeed(tw_trainer *t, const tw_window *w, int b, int s, const float *y) {
  tw_group_buf *g = &t->buf;
  const tw_grt_sizes *sz = &t->lay.sz;
  const int ns = t->map.n_states, NO = sz->N * sz->O;
  double *st = g->state + (int64_t)b * ns;
  double *rec = g->pred ? g->pred + ((int64_t)b * g->W + s + 1) * ns : NULL;
  if (s + 1 <= t->C) { /* the context and the origin: the true state */
    const float *xt = true_state(t, w, s + 1);
    for (int k = 0; k < ns; ++k) st[k] = xt[k];
    if (rec) memcpy(rec, st, (size_t)ns * sizeof *st);
    return;
  }
  tw_grt_twin_advance(&t->map, y, st);
  if (rec) memcpy(rec, st, (size_t)ns * sizeof *st);
  const float *u = t->data.us + (t->data.off[w->twin] + w->start + s + 1) * t->data.n_inputs;
  float *xf = g->x + ((int64_t)b * g->W + s + 1) * sz->N * sz->F;
  tw_grt_twin_features(&t->map, st, u, t->data.p + w->twin * t->data.n_params, xf);
  const float *next = true_state(t, w, s + 2);
  float *tg = g->target + ((int64_t)b * g->W + s + 1) * NO;
  for (int k = 0; k < ns; ++k) tg[t->map.slot[k]] = (float)(((double)next[k] - st[k]) / t->map.dx_scale[k]);
}

static tw_status roll_step(void *ctx, int s, const float *y_dev, float *x_next_dev) {
  roll_ctx *r = ctx;
  tw_trainer *t = r->t;
  const tw_grt_sizes *sz = &t->lay.sz;
  const size_t NO = (size_t)sz->N * sz->O, NF = (size_t)sz->N * sz->F;
  const float *y = y_dev;
  if (!on_host(t->be)) {
    TW_TRY(t->be->copy(t->be, t->buf.y, y_dev, (size_t)r->R * NO * sizeof(float), TW_COPY_DEVICE_TO_HOST));
    y = t->buf.y;
  }
  for (int j = 0; j < r->R; ++j) {
    const int b = r->idx[j];
    refeed(t, &r->w[b], b, s, y + j * NO);
    memcpy(r->x_sub + j * NF, t->buf.x + ((int64_t)b * t->W + s + 1) * NF, NF * sizeof(float));
  }
  if (on_host(t->be)) return memcpy(x_next_dev, r->x_sub, (size_t)r->R * NF * sizeof(float)), TW_OK;
  return t->be->copy(t->be, x_next_dev, r->x_sub, (size_t)r->R * NF * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

/* The rolled windows' gathered copy: inputs (R, W, N, F) and, with per-twin
** graphs, adjacencies (R, N, N); on the host and on the device. */
typedef struct sub_batch {
  float *x, *adj, *dx, *dadj;
} sub_batch;

static tw_status sub_gather(tw_trainer *t, const int *idx, int R, sub_batch *sb) {
  const tw_grt_sizes *sz = &t->lay.sz;
  const size_t per = (size_t)t->W * sz->N * sz->F, nn = (size_t)sz->N * sz->N;
  if (!(sb->x = malloc((size_t)R * per * sizeof(float) + 1))) return TW_FAIL(TW_ERR_NOMEM, "train: rollout");
  for (int j = 0; j < R; ++j) memcpy(sb->x + j * per, t->buf.x + (size_t)idx[j] * per, per * sizeof(float));
  TW_TRY(mirror(t->be, sb->x, (size_t)R * per, &sb->dx));
  TW_TRY(to_device(t->be, sb->dx, sb->x, (size_t)R * per));
  if (!t->map.adj_per_twin) return (sb->dadj = t->buf.dadj), TW_OK; /* shared: already there */
  if (!(sb->adj = malloc((size_t)R * nn * sizeof(float)))) return TW_FAIL(TW_ERR_NOMEM, "train: rollout");
  for (int j = 0; j < R; ++j) memcpy(sb->adj + j * nn, t->buf.adj + (size_t)idx[j] * nn, nn * sizeof(float));
  TW_TRY(mirror(t->be, sb->adj, (size_t)R * nn, &sb->dadj));
  return to_device(t->be, sb->dadj, sb->adj, (size_t)R * nn);
}

static void sub_free(tw_trainer *t, sub_batch *sb) {
  if (sb->dx && sb->dx != sb->x) t->be->free(t->be, sb->dx);
  if (sb->adj && sb->dadj && sb->dadj != sb->adj) t->be->free(t->be, sb->dadj);
  free(sb->x), free(sb->adj);
}

/* Rolls out the group's windows idx[0..R) and rewrites their horizons. */
static tw_status rollout(tw_trainer *t, const tw_window *w, const int *idx, int R) {
  for (int j = 0; j < R; ++j) {
    double *st = t->buf.state + (int64_t)idx[j] * t->map.n_states;
    for (int k = 0; k < t->map.n_states; ++k) st[k] = true_state(t, &w[idx[j]], 0)[k];
  }
  sub_batch sb = {0};
  tw_status st = sub_gather(t, idx, R, &sb);
  roll_ctx ctx = {t, w, idx, R, sb.x};
  tw_grt_batch batch = {.B = R, .T = t->W, .x = sb.dx, .adj = sb.dadj, .adj_per_twin = t->map.adj_per_twin};
  if (st == TW_OK) st = tw_grt_rollout(t->be, &t->model, &batch, roll_step, &ctx, t->buf.dscratch, NULL, NULL, NULL);
  sub_free(t, &sb);
  return st;
}

tw_status tw_group_fill(tw_trainer *t, const tw_window *w, const int *rolled, int B) {
  tw_group_buf *g = &t->buf;
  const tw_grt_sizes *sz = &t->lay.sz;
  const size_t xs = (size_t)t->W * sz->N * sz->F, ys = (size_t)t->W * sz->N * sz->O, nn = (size_t)sz->N * sz->N;
  int idx[TW_TRAIN_MAX_GROUP], R = 0;
  for (int b = 0; b < B; ++b) {
    const int64_t i = w[b].twin, at = t->data.off[i] + w[b].start;
    tw_grt_twin_window(&t->map, t->W, t->data.xs + at * t->data.n_states, t->data.us + at * t->data.n_inputs,
                       t->data.p + i * t->data.n_params, g->x + b * xs, g->target + b * ys, g->mask + b * ys);
    if (b == 0 || t->map.adj_per_twin)
      tw_grt_twin_adjacency(&t->map, t->data.p + i * t->data.n_params, g->adj + (t->map.adj_per_twin ? b * nn : 0));
    if (rolled && rolled[b]) idx[R++] = b;
  }
  TW_TRY(to_device(t->be, g->dadj, g->adj, (t->map.adj_per_twin ? (size_t)B : 1) * nn)); /* the rollout's too */
  if (R) TW_TRY(rollout(t, w, idx, R));
  TW_TRY(to_device(t->be, g->dx, g->x, (size_t)B * xs));
  TW_TRY(to_device(t->be, g->dtarget, g->target, (size_t)B * ys));
  return to_device(t->be, g->dmask, g->mask, (size_t)B * ys);
}
