/*
** neural_engine.c: the neural engine, a learned twin rolled out in place of
** the pack's integrator (engines.h; docs/simulate.md "Engines").
**
** Each step of the model (its training interval, 5 minutes for the shipped
** t1d twin) is one step of the GRT over the chunk's twins: every twin's state,
** the mean rate of each input over the step (what training saw: simulate's
** /inputs are means over the output interval) and its parameters become node
** features, scaled as in training (nn/grt_twin.h); the model's output is the
** scaled change of the state over the step.
**
** The LSTM's (h, c) are carried from step to step, but never further than the
** model was trained to roll out: every `horizon` steps they are made afresh
** as training made them, from zeros through the last `context` steps (the
** engine's own states: there is no truth to give it). Carried through a
** week, the state the LSTM drifted into made bg 11 mg/dL low on average
** (RMSE against the physiology 23 mg/dL); re-encoded, 3.5 mg/dL and 15
** (docs/simulate.md "Engines"). The cost: a teacher-forced forward of
** `context` steps (one batched pass) every `horizon` steps.
**
** (h, c) are kept at the step's start as well as its end, so that a step can
** be taken again (simulate.h: a controller's decision inside it).
** Features are built and the change applied on the host, in double; the GRT
** runs on the run's backend.
**
** Everything that can be checked before the run is checked in the load: the
** file, its pack against the run's, and its step against the run's duration,
** sensor and (with output.states) output interval.
*/
#include "run/engine_internal.h"

#include <math.h>   /* isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset, strcmp */

#include "run/learned_twin.h"

typedef struct neural {
  tw_engine base;       /* first: the table's view */
  tw_learned_twin lt;
  const tw_model *m;    /* the run's: one pack, the model file's */
  char path[4096];
} neural;

/* One chunk's rollout: host features and changes, device buffers for the GRT. */
typedef struct neural_chunk {
  const neural *nn;
  int64_t n;
  double *p;             /* (n, n_params) */
  float *feat, *y_host;  /* (n, N, F), (n, N, O) */
  float *x, *adj, *scratch, *y; /* on the backend: (n,N,F), (N,N) or (n,N,N), rollout, (n,N,O) */
  float *h[2], *c[2];    /* on the backend, (n,N,Hr) each: the LSTM at the step's start [cur] and end */
  int cur;
  int64_t t;             /* the step last taken, -1 before the first */
  int64_t steps;         /* steps started */
  int C, K;              /* the model's context and horizon (steps): re-encoded every K steps */
  float *ring;           /* host (C, n, N, F): the features of the last C steps */
  float *win, *xw, *yw;  /* host (n, C, N, F); device (n, C, N, F), (n, C, N, O) */
  tw_grt_workspace ws;
  int have_ws;
} neural_chunk;

/* ---- a chunk -------------------------------------------------------------------- */

static void chunk_free(neural_chunk *ch) {
  tw_backend *be = ch->nn->lt.be;
  float *dev[] = {ch->x, ch->adj, ch->h[0], ch->h[1], ch->c[0], ch->c[1], ch->scratch, ch->y, ch->xw, ch->yw};
  for (size_t k = 0; k < TW_ARRAY_LEN(dev); ++k)
    if (dev[k]) be->free(be, dev[k]);
  if (ch->have_ws) tw_grt_workspace_destroy(be, &ch->ws);
  free(ch->ring);
  free(ch->win);
  free(ch->p);
  free(ch->feat);
  free(ch->y_host);
  free(ch);
}

static void neural_close(void *state) {
  if (state) chunk_free(state);
}

static tw_status dev_alloc(tw_backend *be, size_t floats, float **out) {
  return be->alloc(be, (floats + 1) * sizeof(float), (void **)out);
}

/* The adjacency of every twin (or the one they share) onto the device. */
static tw_status upload_adjacency(neural_chunk *ch) {
  const tw_grt_twin_map *map = &ch->nn->lt.map;
  const int64_t NN = (int64_t)map->N * map->N, k = map->adj_per_twin ? ch->n : 1;
  const int np = ch->nn->m->n_params;
  float *a = malloc((size_t)(k * NN) * sizeof *a + 1);
  if (!a) return TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory");
  for (int64_t i = 0; i < k; ++i) tw_grt_twin_adjacency(map, ch->p + i * np, a + i * NN);
  tw_backend *be = ch->nn->lt.be;
  tw_status st = dev_alloc(be, (size_t)(k * NN), &ch->adj);
  if (st == TW_OK) st = be->copy(be, ch->adj, a, (size_t)(k * NN) * sizeof *a, TW_COPY_HOST_TO_DEVICE);
  free(a);
  return st;
}

static tw_status chunk_alloc(neural_chunk *ch) {
  const tw_grt_sizes *sz = &ch->nn->lt.model.layout.sz;
  tw_backend *be = ch->nn->lt.be;
  const size_t n = (size_t)ch->n, nf = n * sz->N * sz->F, no = n * sz->N * sz->O, nh = n * sz->N * sz->Hr;
  ch->feat = calloc(nf + 1, sizeof *ch->feat);
  ch->y_host = calloc(no + 1, sizeof *ch->y_host);
  if (!ch->feat || !ch->y_host) return TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory for %lld twins", (long long)n);
  TW_TRY(dev_alloc(be, nf, &ch->x));
  for (int k = 0; k < 2; ++k) TW_TRY(dev_alloc(be, nh, &ch->h[k]));
  for (int k = 0; k < 2; ++k) TW_TRY(dev_alloc(be, nh, &ch->c[k]));
  TW_TRY(dev_alloc(be, tw_grt_rollout_floats(sz, (int)ch->n), &ch->scratch));
  TW_TRY(dev_alloc(be, no, &ch->y));
  TW_TRY(be->fill_bytes(be, ch->h[0], 0, nh * sizeof(float))); /* the LSTM starts from zeros, as every training window did */
  TW_TRY(be->fill_bytes(be, ch->c[0], 0, nh * sizeof(float)));
  ch->K = (int)ch->nn->lt.info.horizon;
  ch->C = (int)ch->nn->lt.info.context;
  if (!ch->K || !ch->C) return TW_OK;
  ch->ring = calloc(nf * ch->C + 1, sizeof *ch->ring);
  ch->win = calloc(nf * ch->C + 1, sizeof *ch->win);
  if (!ch->ring || !ch->win) return TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory");
  TW_TRY(dev_alloc(be, nf * ch->C, &ch->xw));
  TW_TRY(dev_alloc(be, no * ch->C, &ch->yw));
  const int chunk = tw_grt_default_chunk(be, sz, (int)n, ch->C, 0, 0);
  TW_TRY(tw_grt_workspace_create(be, sz, chunk, ch->C, 0, &ch->ws));
  ch->have_ws = 1;
  return TW_OK;
}

static tw_status neural_open(void *ctx, int64_t n, const double *params, void **state) {
  const neural *nn = ctx;
  *state = NULL;
  if (n > (int64_t)1 << 30) return TW_FAIL(TW_ERR_INPUT, "neural engine: a chunk of %lld twins is too large", (long long)n);
  neural_chunk *ch = calloc(1, sizeof *ch);
  if (!ch) return TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory");
  ch->nn = nn;
  ch->n = n;
  ch->t = -1;
  const size_t np = (size_t)nn->m->n_params;
  tw_status st = (ch->p = malloc((size_t)n * np * sizeof *ch->p + 1)) ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory");
  if (st == TW_OK) memcpy(ch->p, params, (size_t)n * np * sizeof *ch->p);
  if (st == TW_OK) st = chunk_alloc(ch);
  if (st == TW_OK) st = upload_adjacency(ch);
  if (st != TW_OK) {
    chunk_free(ch);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  *state = ch;
  return TW_OK;
}

/* ---- a step --------------------------------------------------------------------- */

static double get(const tw_physio_batch *b, const void *a, int64_t at) {
  return b->dtype == TW_PACK_F64 ? ((const double *)a)[at] : (double)((const float *)a)[at];
}

/* Twin i's features at the step from t: its state, its inputs' mean rates over
** the step's minutes, its parameters. A failed twin's are zeros (its rows of
** the products are its own; nothing of it is used again). */
static void twin_features(const neural_chunk *ch, const tw_physio_batch *b, int64_t i, int64_t minutes) {
  const tw_grt_twin_map *map = &ch->nn->lt.map;
  const int ns = map->n_states, ni = map->n_inputs;
  float *out = ch->feat + i * map->N * map->F;
  if (b->flag[i] != TW_TWIN_OK) {
    memset(out, 0, (size_t)(map->N * map->F) * sizeof *out);
    return;
  }
  double x[TW_PACK_MAX_STATES];
  float u[TW_PACK_MAX_INPUTS];
  for (int k = 0; k < ns; ++k) x[k] = get(b, b->x, k * b->ld + i);
  for (int k = 0; k < ni; ++k) {
    double s = 0.0;
    for (int64_t m = 0; m < minutes; ++m) s += get(b, b->u, (m * ni + k) * b->ld + i);
    u[k] = (float)(s / (double)minutes);
  }
  tw_grt_twin_features(map, x, u, ch->p + i * ch->nn->m->n_params, out);
}

/* Twin i's state plus the change the model predicts; a non-finite result fails the twin. */
static void twin_advance(const neural_chunk *ch, tw_physio_batch *b, int64_t i) {
  const tw_grt_twin_map *map = &ch->nn->lt.map;
  if (b->flag[i] != TW_TWIN_OK) return;
  double x[TW_PACK_MAX_STATES];
  int finite = 1;
  for (int k = 0; k < map->n_states; ++k) x[k] = get(b, b->x, k * b->ld + i);
  tw_grt_twin_advance(map, ch->y_host + i * map->N * map->O, x);
  for (int k = 0; k < map->n_states; ++k) {
    finite &= isfinite(x[k]) != 0;
    if (b->dtype == TW_PACK_F64) ((double *)b->x)[k * b->ld + i] = x[k];
    else ((float *)b->x)[k * b->ld + i] = (float)x[k];
  }
  if (!finite) b->flag[i] = TW_TWIN_NONFINITE;
}

/* The LSTM state at the start of step `steps`, as training made it: from
** zeros, through the last C steps' features (the engine's own states). */
static tw_status reencode(neural_chunk *ch) {
  const neural *nn = ch->nn;
  const tw_grt_sizes *sz = &nn->lt.model.layout.sz;
  tw_backend *be = nn->lt.be;
  const int64_t n = ch->n, row = (int64_t)sz->N * sz->F;
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < ch->C; ++k) {
      const int64_t s = (ch->steps - ch->C + k) % ch->C;
      memcpy(ch->win + (i * ch->C + k) * row, ch->ring + (s * n + i) * row, (size_t)row * sizeof(float));
    }
  TW_TRY(be->copy(be, ch->xw, ch->win, (size_t)(n * ch->C * row) * sizeof(float), TW_COPY_HOST_TO_DEVICE));
  const tw_grt_batch batch = {.B = (int)n, .T = ch->C, .x = ch->xw, .adj = ch->adj,
                              .adj_per_twin = nn->lt.map.adj_per_twin};
  return tw_grt_forward(be, &nn->lt.model, &batch, &ch->ws, ch->yw, ch->h[ch->cur], ch->c[ch->cur]);
}

/* Below this many twins the host loops run on the calling thread. */
enum { NEURAL_PARALLEL_MIN = 256 };

static tw_status neural_advance(void *state, tw_physio_batch *b, int64_t t) {
  neural_chunk *ch = state;
  const neural *nn = ch->nn;
  const tw_grt_sizes *sz = &nn->lt.model.layout.sz;
  tw_backend *be = nn->lt.be;
  const int64_t n = ch->n, minutes = nn->base.step.interval;
  if (t != ch->t) {
    if (ch->t >= 0) ch->cur ^= 1, ++ch->steps; /* a new step starts where the last one ended */
    if (ch->K && ch->steps >= ch->C && ch->steps % ch->K == 0) TW_TRY(reencode(ch));
  }
  ch->t = t;
  const int cur = ch->cur, end = cur ^ 1;
#pragma omp parallel for schedule(static) if (n >= NEURAL_PARALLEL_MIN)
  for (int64_t i = 0; i < n; ++i) twin_features(ch, b, i, minutes);
  if (ch->ring)
    memcpy(ch->ring + (ch->steps % ch->C) * n * sz->N * sz->F, ch->feat, (size_t)(n * sz->N * sz->F) * sizeof(float));
  TW_TRY(be->copy(be, ch->x, ch->feat, (size_t)(n * sz->N * sz->F) * sizeof(float), TW_COPY_HOST_TO_DEVICE));
  const tw_grt_batch batch = {.B = (int)n, .T = 1, .x = ch->x, .adj = ch->adj,
                              .adj_per_twin = nn->lt.map.adj_per_twin, .h0 = ch->h[cur], .c0 = ch->c[cur]};
  TW_TRY(tw_grt_rollout(be, &nn->lt.model, &batch, NULL, NULL, ch->scratch, ch->y, ch->h[end], ch->c[end]));
  TW_TRY(be->copy(be, ch->y_host, ch->y, (size_t)(n * sz->N * sz->O) * sizeof(float), TW_COPY_DEVICE_TO_HOST));
#pragma omp parallel for schedule(static) if (n >= NEURAL_PARALLEL_MIN)
  for (int64_t i = 0; i < n; ++i) twin_advance(ch, b, i);
  return TW_OK;
}

/* ---- the engine ------------------------------------------------------------------- */

static tw_status neural_attach(tw_engine *e, tw_backend *be) {
  return tw_learned_twin_upload(&((neural *)e)->lt, be);
}

static void neural_detach(tw_engine *e) { tw_learned_twin_unload(&((neural *)e)->lt); }

static void neural_destroy(tw_engine *e) {
  neural *nn = (neural *)e;
  tw_learned_twin_free(&nn->lt);
  free(nn);
}

/* The model file's pack must be the run's only pack. */
static tw_status check_pack(const tw_cfg_doc *doc, const neural *nn) {
  const tw_model *m = nn->m;
  const char *want = nn->lt.map.pack->name;
  if (m->n_parts == 1 && !strcmp(m->parts[0].pack->name, want)) return TW_OK;
  char have[256] = "";
  for (int k = 0; k < m->n_parts; ++k)
    snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", k ? "+" : "", m->parts[k].pack->name);
  return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "model"), "model: %s is a learned twin of pack %s, and this run's "
                         "pack is %s", nn->path, want, have);
}

/* The model's steps must end at the end of the run; states are written only
** at step ends (each with its inputs' mean over the step). */
static tw_status check_steps(const tw_cfg_doc *doc, const neural *nn, const tw_sim_plan *pl) {
  const long long dt = (long long)nn->lt.info.every_min;
  if (pl->duration % dt)
    return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "duration_min"), "duration_min: %lld is not a whole number of "
                           "the neural twin's %lld-minute steps (%s)", (long long)pl->duration, dt, nn->path);
  if (pl->states && pl->every % dt)
    return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "output"), "output.every_min: %lld with states: true must be a "
                           "whole number of the neural twin's %lld-minute steps (%s)", (long long)pl->every, dt, nn->path);
  return TW_OK;
}

static tw_status load_file(const tw_cfg_doc *doc, const char *model, neural *nn) {
  tw_cfg_resolve(doc, model, nn->path, sizeof nn->path);
  if (tw_learned_twin_read(nn->path, &nn->lt) == TW_OK) return TW_OK;
  char why[1024];
  snprintf(why, sizeof why, "%s", tw_error_message());
  return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "model"), "model: %s", why);
}

tw_status tw_neural_engine_load(const tw_cfg_doc *doc, const char *model, const tw_sim_plan *plan, tw_engine **out) {
  neural *nn = calloc(1, sizeof *nn);
  if (!nn) return TW_FAIL(TW_ERR_NOMEM, "neural engine: out of memory");
  nn->m = plan->model;
  nn->base = (tw_engine){.attach = neural_attach, .detach = neural_detach, .destroy = neural_destroy};
  tw_status st = load_file(doc, model, nn);
  if (st == TW_OK) st = check_pack(doc, nn);
  if (st == TW_OK) st = check_steps(doc, nn, plan);
  if (st != TW_OK) {
    neural_destroy(&nn->base);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  nn->base.step = (tw_sim_engine){.name = "neural", .interval = nn->lt.info.every_min, .ctx = nn,
                                  .open = neural_open, .advance = neural_advance, .close = neural_close};
  *out = &nn->base;
  return TW_OK;
}
