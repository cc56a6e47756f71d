/*
** endpoints.c: the streaming endpoint accumulators of any observable and of
** blood glucose (endpoints.h; definitions in docs/endpoints.md).
**
** The loops here only walk the twins of a chunk; the arithmetic of one sample is
** endpoints_math.h's, shared with a later CUDA kernel. No cross-twin sums: each
** twin's result depends on its own samples alone, whatever the chunking.
*/
#include "trial/endpoints.h"

#include <math.h>   /* NAN, isfinite, sqrt */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset, memcpy, snprintf */
#include <stdio.h>  /* snprintf */

/* The five fixed thresholds of the glucose endpoints, in tw_bg_endpoint order. */
static const tw_ep_bounds BG_BOUNDS[5] = {
    {TW_EP_BETWEEN, 70.0, 180.0}, {TW_EP_BELOW, 70.0, 0.0}, {TW_EP_BELOW, 54.0, 0.0},
    {TW_EP_ABOVE, 180.0, 0.0},    {TW_EP_ABOVE, 250.0, 0.0}};
enum { N_BG_THR = 5 };

static const char *const BG_NAMES[TW_EP_N_BG] = {
    "tir_70_180", "tbr_70", "tbr_54", "tar_180", "tar_250", "mean_bg", "sd_bg",
    "cv_bg", "gmi", "lbgi", "hbgi", "time_to_bg_below_54", "event_bg_below_54"};
static const char *const BG_UNITS[TW_EP_N_BG] = {
    "%", "%", "%", "%", "%", "mg/dL", "mg/dL", "%", "%", "1", "1", "min", "1"};

/* ---- shared checks ---------------------------------------------------------- */

static tw_status check_chunk(int64_t n, int64_t ld) {
  if (n < 1 || ld < n)
    return TW_FAIL(TW_ERR_INTERNAL, "endpoints: chunk of %lld twins with stride %lld",
                   (long long)n, (long long)ld);
  return TW_OK;
}

static tw_status check_window(tw_ep_window w) {
  if (w.warmup_min < 0 || w.duration_min < 1 || w.every_min < 1)
    return TW_FAIL(TW_ERR_INPUT, "endpoints: window needs warm-up >= 0, duration >= 1 and "
                   "a sample stride >= 1 min (got %lld, %lld, %lld)", (long long)w.warmup_min,
                   (long long)w.duration_min, (long long)w.every_min);
  return TW_OK;
}

static tw_status check_thresholds(const tw_ep_threshold *thr, int n_thr, int room) {
  if (n_thr < 0 || n_thr > room || (n_thr > 0 && !thr))
    return TW_FAIL(TW_ERR_INPUT, "endpoints: %d thresholds, at most %d", n_thr, room);
  for (int j = 0; j < n_thr; j++) {
    const tw_ep_threshold *t = &thr[j];
    int kind_ok = t->kind == TW_EP_BELOW || t->kind == TW_EP_ABOVE || t->kind == TW_EP_BETWEEN;
    if (!kind_ok || !isfinite(t->lo) || (t->kind == TW_EP_BETWEEN && !(t->hi >= t->lo)))
      return TW_FAIL(TW_ERR_INPUT, "endpoints: threshold %s: bad kind or bounds", t->name);
  }
  return TW_OK;
}

/* One zeroed allocation of `bytes`, kept in *block. */
static tw_status alloc_block(void **block, size_t bytes) {
  *block = calloc(1, bytes);
  if (!*block) return TW_FAIL(TW_ERR_NOMEM, "endpoints: %zu bytes", bytes);
  return TW_OK;
}

/* Points the k arrays at consecutive (ld) slices of block; returns what follows. */
static void *carve(void *block, size_t ld, double **arrays[], int k) {
  double *p = (double *)block;
  for (int j = 0; j < k; j++, p += ld) *arrays[j] = p;
  return p;
}

/* ---- any observable ---------------------------------------------------------- */

static void obs_add_threshold(tw_obs_acc *a, const char *name, tw_ep_bounds b) {
  tw_ep_threshold *t = &a->thr[a->n_thr];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->kind = b.kind;
  t->lo = b.lo;
  t->hi = b.hi;
  a->bounds[a->n_thr++] = b;
}

static void obs_add_user(tw_obs_acc *a, const tw_ep_threshold *thr, int n_thr) {
  for (int j = 0; j < n_thr; j++) {
    tw_ep_bounds b = {thr[j].kind, thr[j].lo, thr[j].hi};
    obs_add_threshold(a, thr[j].name, b);
  }
}

static size_t obs_bytes(const tw_obs_acc *a) {
  return (size_t)a->ld * (3 * sizeof(double) + TW_EP_MAX_THRESHOLDS * sizeof(int64_t));
}

static tw_status obs_alloc(tw_obs_acc *a) {
  double **arrays[] = {&a->mean, &a->mean_lo, &a->m2};
  TW_TRY(alloc_block(&a->block_, obs_bytes(a)));
  a->count = (int64_t *)carve(a->block_, (size_t)a->ld, arrays, 3);
  return TW_OK;
}

tw_status tw_obs_acc_init(tw_obs_acc *a, int64_t n, int64_t ld, tw_ep_window win,
                          const tw_ep_threshold *thr, int n_thr) {
  memset(a, 0, sizeof *a);
  TW_TRY(check_chunk(n, ld));
  TW_TRY(check_window(win));
  TW_TRY(check_thresholds(thr, n_thr, TW_EP_MAX_THRESHOLDS));
  a->n = n;
  a->ld = ld;
  a->win = win;
  obs_add_user(a, thr, n_thr);
  return obs_alloc(a);
}

void tw_obs_acc_reset(tw_obs_acc *a) {
  a->n_samples = 0;
  a->last_t = 0;
  memset(a->block_, 0, obs_bytes(a));
}

void tw_obs_acc_free(tw_obs_acc *a) {
  free(a->block_);
  memset(a, 0, sizeof *a);
}

/* The window minute t of absolute `minute` when that sample counts, else 0;
** -1 when it would go back in time. */
static int64_t obs_counted_t(const tw_obs_acc *a, int64_t minute) {
  const int64_t t = minute - a->win.warmup_min;
  if (t < 1 || t > a->win.duration_min || t % a->win.every_min) return 0;
  return t > a->last_t ? t : -1;
}

static tw_status obs_time_error(const tw_obs_acc *a, int64_t minute) {
  return TW_FAIL(TW_ERR_INTERNAL, "endpoints: sample at minute %lld after window minute %lld",
                 (long long)minute, (long long)a->last_t);
}

/* Counts the sample at window minute t (> 0) for every twin; returns its index k. */
static double obs_count(tw_obs_acc *a, const double *v, int64_t t) {
  a->last_t = t;
  const double k = (double)++a->n_samples;
  for (int64_t i = 0; i < a->n; i++)
    tw_ep_obs_sample(a->mean, a->mean_lo, a->m2, a->count, a->ld, i, a->bounds, a->n_thr, v[i], k);
  return k;
}

tw_status tw_obs_acc_update(tw_obs_acc *a, const double *v, int64_t minute) {
  const int64_t t = obs_counted_t(a, minute);
  if (t < 0) return obs_time_error(a, minute);
  if (t > 0) obs_count(a, v, t);
  return TW_OK;
}

/* 1 when twin i has a usable result: samples counted, all of them finite. */
static int obs_twin_ok(const tw_obs_acc *a, int64_t i) {
  return a->n_samples > 0 && isfinite(a->mean[i]) && isfinite(a->mean_lo[i]) && isfinite(a->m2[i]);
}

static double obs_mean(const tw_obs_acc *a, int64_t i) { return a->mean[i] + a->mean_lo[i]; }

static double obs_sd(const tw_obs_acc *a, int64_t i) {
  return a->n_samples > 1 ? sqrt(a->m2[i] / (double)(a->n_samples - 1)) : NAN;
}

static double obs_percent(const tw_obs_acc *a, int j, int64_t i) {
  return 100.0 * (double)a->count[j * a->ld + i] / (double)a->n_samples;
}

static tw_status check_out(const tw_obs_acc *a, const double *out, int64_t ld_out) {
  if (!out || ld_out < a->n)
    return TW_FAIL(TW_ERR_INTERNAL, "endpoints: output stride %lld for %lld twins",
                   (long long)ld_out, (long long)a->n);
  return TW_OK;
}

tw_status tw_obs_acc_finalize(const tw_obs_acc *a, double *out, int64_t ld_out) {
  TW_TRY(check_out(a, out, ld_out));
  for (int64_t i = 0; i < a->n; i++) {
    const int ok = obs_twin_ok(a, i);
    out[TW_OBS_MEAN * ld_out + i] = ok ? obs_mean(a, i) : NAN;
    out[TW_OBS_SD * ld_out + i] = ok ? obs_sd(a, i) : NAN;
    for (int j = 0; j < a->n_thr; j++)
      out[(TW_OBS_N_FIXED + j) * ld_out + i] = ok ? obs_percent(a, j, i) : NAN;
  }
  return TW_OK;
}

/* ---- blood glucose ------------------------------------------------------------ */

static size_t bg_bytes(const tw_endpoints *e) {
  return (size_t)e->obs.ld * (4 * sizeof(double) + sizeof(int64_t));
}

static tw_status bg_alloc(tw_endpoints *e) {
  double **arrays[] = {&e->rl, &e->rl_c, &e->rh, &e->rh_c};
  TW_TRY(alloc_block(&e->block_, bg_bytes(e)));
  e->first54 = (int64_t *)carve(e->block_, (size_t)e->obs.ld, arrays, 4);
  return TW_OK;
}

tw_status tw_endpoints_init(tw_endpoints *e, int64_t n, int64_t ld, tw_ep_window win,
                            const tw_ep_threshold *user, int n_user) {
  memset(e, 0, sizeof *e);
  TW_TRY(check_thresholds(user, n_user, TW_EP_MAX_THRESHOLDS - N_BG_THR));
  TW_TRY(tw_obs_acc_init(&e->obs, n, ld, win, NULL, 0));
  for (int j = 0; j < N_BG_THR; j++) obs_add_threshold(&e->obs, BG_NAMES[j], BG_BOUNDS[j]);
  obs_add_user(&e->obs, user, n_user);
  e->n_user = n_user;
  tw_status st = bg_alloc(e);
  if (st != TW_OK) tw_obs_acc_free(&e->obs);
  return st;
}

void tw_endpoints_reset(tw_endpoints *e) {
  tw_obs_acc_reset(&e->obs);
  memset(e->block_, 0, bg_bytes(e));
}

void tw_endpoints_free(tw_endpoints *e) {
  tw_obs_acc_free(&e->obs);
  free(e->block_);
  memset(e, 0, sizeof *e);
}

tw_status tw_endpoints_update(tw_endpoints *e, const double *bg, int64_t minute) {
  const int64_t t = obs_counted_t(&e->obs, minute);
  if (t < 0) return obs_time_error(&e->obs, minute);
  if (t == 0) return TW_OK;
  obs_count(&e->obs, bg, t);
  for (int64_t i = 0; i < e->obs.n; i++)
    tw_ep_bg_sample(&e->rl[i], &e->rl_c[i], &e->rh[i], &e->rh_c[i], &e->first54[i], bg[i], t);
  return TW_OK;
}

int tw_endpoints_count(const tw_endpoints *e) { return TW_EP_N_BG + e->n_user; }

const char *tw_endpoints_name(const tw_endpoints *e, int k) {
  if (k < 0 || k >= tw_endpoints_count(e)) return NULL;
  return k < TW_EP_N_BG ? BG_NAMES[k] : e->obs.thr[N_BG_THR + k - TW_EP_N_BG].name;
}

const char *tw_endpoints_units(const tw_endpoints *e, int k) {
  if (k < 0 || k >= tw_endpoints_count(e)) return NULL;
  return k < TW_EP_N_BG ? BG_UNITS[k] : "%";
}

/* Every row of twin i (row stride ld_out), when it has a usable result. */
static void bg_twin(const tw_endpoints *e, int64_t i, double *out, int64_t ld_out) {
  const tw_obs_acc *a = &e->obs;
  const double n = (double)a->n_samples, mean = obs_mean(a, i), sd = obs_sd(a, i);
  for (int j = 0; j < N_BG_THR; j++) out[j * ld_out] = obs_percent(a, j, i);
  out[TW_EP_MEAN_BG * ld_out] = mean;
  out[TW_EP_SD_BG * ld_out] = sd;
  out[TW_EP_CV_BG * ld_out] = 100.0 * sd / mean;
  out[TW_EP_GMI * ld_out] = 3.31 + 0.02392 * mean;
  out[TW_EP_LBGI * ld_out] = (e->rl[i] + e->rl_c[i]) / n;
  out[TW_EP_HBGI * ld_out] = (e->rh[i] + e->rh_c[i]) / n;
  out[TW_EP_TIME_TO_BG_BELOW_54 * ld_out] = (double)(e->first54[i] ? e->first54[i] : a->last_t);
  out[TW_EP_EVENT_BG_BELOW_54 * ld_out] = e->first54[i] ? 1.0 : 0.0;
  for (int j = 0; j < e->n_user; j++)
    out[(TW_EP_N_BG + j) * ld_out] = obs_percent(a, N_BG_THR + j, i);
}

tw_status tw_endpoints_finalize(const tw_endpoints *e, double *out, int64_t ld_out) {
  TW_TRY(check_out(&e->obs, out, ld_out));
  const int rows = tw_endpoints_count(e);
  for (int64_t i = 0; i < e->obs.n; i++) {
    if (obs_twin_ok(&e->obs, i)) {
      bg_twin(e, i, out + i, ld_out);
    } else {
      for (int k = 0; k < rows; k++) out[k * ld_out + i] = NAN;
    }
  }
  return TW_OK;
}
