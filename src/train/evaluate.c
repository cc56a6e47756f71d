/*
** evaluate.c: a learned twin against simulated truth (evaluate.h).
**
** The rollouts are those of training's scheduled rollout (train_batch.c) with
** every window rolled: one code path feeds the model its own state, in
** training and when it is judged. Sums are in double, origin after origin in
** file order, so a result is the same for any thread count.
*/
#include "train/evaluate.h"

#include <math.h>   /* sqrt, fabs */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

#include "core/clock.h"   /* tw_now_seconds */
#include "core/json.h"    /* the report */
#include "run/learned_twin.h" /* the model file */
#include "train/train_internal.h"

enum { ORIGIN_EVERY_MIN = 60 };
static const int horizons[TW_EVAL_HORIZONS] = {30, 60, 120};

/* The model file: pack, map, weights on the backend (the trainer owns them after). */
static tw_status load_model(const char *path, tw_trainer *t, tw_grt_twin_info *info) {
  tw_learned_twin lt;
  tw_status st = tw_learned_twin_read(path, &lt);
  if (st == TW_OK) st = tw_learned_twin_upload(&lt, t->be);
  if (st == TW_OK) {
    t->map = lt.map, *info = lt.info, t->lay = lt.model.layout, t->model = lt.model;
    lt.be = NULL; /* the weights are the trainer's now */
  }
  tw_learned_twin_free(&lt);
  return st;
}

/* Origins every hour from step `context` while the longest horizon fits. */
static tw_status make_origins(tw_trainer *t, int64_t every, tw_window_set *s) {
  const int64_t stride = ORIGIN_EVERY_MIN / every;
  TW_TRY(tw_windows_make(&t->data, 0, t->W, stride, s));
  if (s->n == 0) return TW_FAIL(TW_ERR_INPUT, "evaluate: no forecast origin (the series are shorter than %d steps)", t->W + 1);
  return TW_OK;
}

typedef struct sums {
  double se[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS], ae[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS];
  double pse[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS], pae[TW_EVAL_MAX_OBS][TW_EVAL_HORIZONS];
} sums;

static void observe(const tw_pack *pk, const double *x, const double *p, double *obs) {
  double d[TW_PACK_MAX_DISC] = {0};
  pk->observe_f64(x, p, d, obs);
}

/* One window's errors at each horizon. */
static void score(const tw_trainer *t, const tw_window *w, int b, const int *k, sums *s) {
  const tw_pack *pk = t->map.pack;
  const int ns = t->map.n_states;
  const double *p = t->data.p + w->twin * t->data.n_params;
  const float *series = t->data.xs + (t->data.off[w->twin] + w->start) * ns;
  double x[TW_PACK_MAX_STATES], at_origin[TW_PACK_MAX_OBS], truth[TW_PACK_MAX_OBS], pred[TW_PACK_MAX_OBS];
  for (int j = 0; j < ns; ++j) x[j] = series[t->C * ns + j];
  observe(pk, x, p, at_origin);
  for (int h = 0; h < TW_EVAL_HORIZONS; ++h) {
    for (int j = 0; j < ns; ++j) x[j] = series[(t->C + k[h]) * ns + j];
    observe(pk, x, p, truth);
    observe(pk, t->buf.pred + ((int64_t)b * t->W + t->C + k[h]) * ns, p, pred);
    for (int o = 0; o < TW_MIN(pk->n_obs, TW_EVAL_MAX_OBS); ++o) {
      const double e = pred[o] - truth[o], pe = at_origin[o] - truth[o];
      s->se[o][h] += e * e, s->ae[o][h] += fabs(e), s->pse[o][h] += pe * pe, s->pae[o][h] += fabs(pe);
    }
  }
}

static tw_status roll_all(tw_trainer *t, const tw_window_set *origins, const int *k, sums *s) {
  const int B = t->buf.B;
  int rolled[TW_TRAIN_MAX_GROUP];
  for (int b = 0; b < B; ++b) rolled[b] = 1;
  for (int64_t at = 0; at < origins->n; at += B) {
    const int m = (int)TW_MIN(B, origins->n - at);
    TW_TRY(tw_group_fill(t, origins->w + at, rolled, m));
    for (int b = 0; b < m; ++b) score(t, &origins->w[at + b], b, k, s);
  }
  return TW_OK;
}

static void finish(const tw_trainer *t, const sums *s, int64_t n, tw_eval_result *r) {
  const tw_pack *pk = t->map.pack;
  r->n_obs = TW_MIN(pk->n_obs, TW_EVAL_MAX_OBS);
  for (int o = 0; o < r->n_obs; ++o) {
    r->obs_name[o] = pk->obs[o].name, r->obs_unit[o] = pk->obs[o].unit;
    if (pk->cgm_obs && !strcmp(pk->cgm_obs, pk->obs[o].name)) r->headline = o;
    for (int h = 0; h < TW_EVAL_HORIZONS; ++h) {
      r->rmse[o][h] = sqrt(s->se[o][h] / (double)n), r->mae[o][h] = s->ae[o][h] / (double)n;
      r->persistence_rmse[o][h] = sqrt(s->pse[o][h] / (double)n), r->persistence_mae[o][h] = s->pae[o][h] / (double)n;
    }
  }
  r->n_origins = n, r->n_twins = t->data.n;
}

static tw_status run(tw_trainer *t, const char *model, const char *data, tw_eval_result *r) {
  tw_grt_twin_info info;
  int k[TW_EVAL_HORIZONS];
  TW_TRY(load_model(model, t, &info));
  for (int h = 0; h < TW_EVAL_HORIZONS; ++h) {
    r->horizon_min[h] = horizons[h];
    k[h] = (int)(horizons[h] / info.every_min);
    if (horizons[h] % info.every_min)
      return TW_FAIL(TW_ERR_INPUT, "%s: a step of %lld min does not divide the %d-min horizon", model,
                     (long long)info.every_min, horizons[h]);
  }
  /* one step past the longest horizon: the state at origin + K comes from the output of step C + K - 1,
  ** which the rollout feeds back only when another step follows */
  t->C = (int)info.context, t->K = k[TW_EVAL_HORIZONS - 1], t->W = t->C + t->K + 1;
  char *files[1] = {(char *)data};
  TW_TRY(tw_train_data_read(t->map.pack, files, 1, t->W + 1, 0.0, 0, &t->data));
  if (t->data.every_min != info.every_min)
    return TW_FAIL(TW_ERR_INPUT, "%s: every_min %lld, but %s was trained on %lld-minute steps", data,
                   (long long)t->data.every_min, model, (long long)info.every_min);
  tw_window_set origins = {0};
  TW_TRY(make_origins(t, info.every_min, &origins));
  const int B = (int)TW_MIN(256, origins.n);
  tw_status st = tw_group_buf_create(t, B);
  if (st == TW_OK && !(t->buf.pred = malloc((size_t)B * t->W * t->map.n_states * sizeof(double))))
    st = TW_FAIL(TW_ERR_NOMEM, "evaluate: predictions");
  sums s;
  memset(&s, 0, sizeof s);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = roll_all(t, &origins, k, &s);
  r->seconds = tw_now_seconds() - t0;
  if (st == TW_OK) finish(t, &s, origins.n, r);
  free(origins.w);
  return st;
}

tw_status tw_evaluate(const char *model, const char *data, const char *backend, tw_eval_result *out) {
  tw_trainer t;
  memset(&t, 0, sizeof t);
  memset(out, 0, sizeof *out);
  TW_TRY(tw_backend_open(backend, 0, &t.be));
  snprintf(out->backend, sizeof out->backend, "%s (%s)", t.be->name, t.be->why);
  const tw_status st = run(&t, model, data, out);
  tw_group_buf_destroy(&t);
  if (t.model.params) t.be->free(t.be, t.model.params);
  tw_backend_close(t.be);
  tw_train_data_free(&t.data);
  return st;
}

/* {"30": x, "60": x, "120": x} */
static void by_horizon(tw_json_writer *w, const char *key, const tw_eval_result *r, const double v[TW_EVAL_HORIZONS]) {
  char h[16];
  tw_json_key(w, key);
  tw_json_begin_object(w);
  for (int k = 0; k < TW_EVAL_HORIZONS; ++k) {
    snprintf(h, sizeof h, "%d", r->horizon_min[k]);
    tw_json_key(w, h);
    tw_json_number(w, v[k]);
  }
  tw_json_end_object(w);
}

static void metrics(tw_json_writer *w, const tw_eval_result *r, int o) {
  by_horizon(w, "rmse", r, r->rmse[o]);
  by_horizon(w, "mae", r, r->mae[o]);
  by_horizon(w, "persistence_rmse", r, r->persistence_rmse[o]);
  by_horizon(w, "persistence_mae", r, r->persistence_mae[o]);
}

static void eval_document(tw_json_writer *w, const void *ctx) {
  const tw_eval_result *r = ctx;
  tw_json_begin_object(w);
  tw_json_key(w, "observable");
  tw_json_string(w, r->obs_name[r->headline]);
  tw_json_key(w, "units");
  tw_json_string(w, r->obs_unit[r->headline]);
  metrics(w, r, r->headline);
  tw_json_key(w, "n_origins");
  tw_json_int(w, r->n_origins);
  tw_json_key(w, "n_twins");
  tw_json_int(w, r->n_twins);
  tw_json_key(w, "observables");
  tw_json_begin_object(w);
  for (int o = 0; o < r->n_obs; ++o) {
    tw_json_key(w, r->obs_name[o]);
    tw_json_begin_object(w);
    metrics(w, r, o);
    tw_json_end_object(w);
  }
  tw_json_end_object(w);
  tw_json_end_object(w);
}

tw_status tw_evaluate_write_json(const tw_eval_result *r, const char *path) {
  return tw_json_write_file(path, eval_document, r);
}
