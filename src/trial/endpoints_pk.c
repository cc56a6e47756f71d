/*
** endpoints_pk.c: the per-dose-interval PK endpoints (Cmax, Tmax, AUC linear-up
** log-down, trough) streamed over a concentration observable (endpoints.h,
** docs/endpoints.md).
**
** Dose times are shared by the chunk, so which interval a sample belongs to is
** decided once per sample; the per-twin arithmetic is endpoints_math.h's. A
** sample at a dose time closes the interval before it (its trough) and opens the
** next one (its first point), as the concentration just before that dose.
*/
#include "trial/endpoints.h"

#include <math.h>   /* NAN, isfinite */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

/* Row (k, j) of the result block, twin 0. */
static double *pk_row(const tw_pk_acc *a, int k, int j) {
  return a->res + ((int64_t)k * a->n_doses + j) * a->ld;
}

static tw_status pk_check(int64_t n, int64_t ld, const int64_t *dose_min, int n_doses,
                          int64_t end_min) {
  if (n < 1 || ld < n || n_doses < 1 || !dose_min)
    return TW_FAIL(TW_ERR_INTERNAL, "pk endpoints: %lld twins, stride %lld, %d doses",
                   (long long)n, (long long)ld, n_doses);
  for (int j = 0; j < n_doses; j++) {
    const int64_t next = j + 1 < n_doses ? dose_min[j + 1] : end_min;
    if (dose_min[j] < 0 || next <= dose_min[j])
      return TW_FAIL(TW_ERR_INPUT, "pk endpoints: dose times must increase and end after the "
                     "last dose (dose %d at %lld min, next boundary %lld min)", j,
                     (long long)dose_min[j], (long long)next);
  }
  return TW_OK;
}

static tw_status pk_alloc(tw_pk_acc *a) {
  const size_t ld = (size_t)a->ld, nd = (size_t)a->n_doses;
  const size_t doubles = ld * (2 + TW_PK_N * nd);
  void *p = calloc(1, doubles * sizeof(double) + (nd + 1) * sizeof(int64_t) + ld);
  if (!p) return TW_FAIL(TW_ERR_NOMEM, "pk endpoints: %zu twins x %zu doses", ld, nd);
  a->block_ = p;
  a->prev = (double *)p;
  a->auc_c = a->prev + ld;
  a->res = a->auc_c + ld;
  a->bounds = (int64_t *)(a->res + TW_PK_N * nd * ld);
  a->bad = (unsigned char *)(a->bounds + nd + 1);
  return TW_OK;
}

tw_status tw_pk_acc_init(tw_pk_acc *a, int64_t n, int64_t ld, const int64_t *dose_min,
                         int n_doses, int64_t end_min) {
  memset(a, 0, sizeof *a);
  TW_TRY(pk_check(n, ld, dose_min, n_doses, end_min));
  a->n = n;
  a->ld = ld;
  a->n_doses = n_doses;
  a->prev_min = -1;
  TW_TRY(pk_alloc(a));
  memcpy(a->bounds, dose_min, (size_t)n_doses * sizeof(int64_t));
  a->bounds[n_doses] = end_min;
  return TW_OK;
}

void tw_pk_acc_reset(tw_pk_acc *a) {
  const size_t ld = (size_t)a->ld, nd = (size_t)a->n_doses;
  memset(a->block_, 0, ld * (2 + TW_PK_N * nd) * sizeof(double)); /* prev, auc_c, res */
  memset(a->bad, 0, ld);
  a->iv = 0;
  a->n_closed = 0;
  a->prev_min = -1;
}

void tw_pk_acc_free(tw_pk_acc *a) {
  free(a->block_);
  memset(a, 0, sizeof *a);
}

/* Opens interval iv for every twin with the sample c at its dose time. */
static void pk_open(tw_pk_acc *a, const double *c) {
  double *cmax = pk_row(a, TW_PK_CMAX, a->iv), *tmax = pk_row(a, TW_PK_TMAX, a->iv);
  double *auc = pk_row(a, TW_PK_AUC, a->iv);
  for (int64_t i = 0; i < a->n; i++) {
    cmax[i] = c[i];
    tmax[i] = 0.0;
    auc[i] = 0.0;
    a->auc_c[i] = 0.0;
    a->prev[i] = c[i];
    if (!isfinite(c[i])) a->bad[i] = 1;
  }
}

/* Closes interval iv with the sample c at its end: trough, and the AUC's
** compensation folded in. */
static void pk_close(tw_pk_acc *a, const double *c) {
  double *auc = pk_row(a, TW_PK_AUC, a->iv), *trough = pk_row(a, TW_PK_TROUGH, a->iv);
  for (int64_t i = 0; i < a->n; i++) {
    auc[i] += a->auc_c[i];
    trough[i] = c[i];
  }
  a->n_closed = a->iv + 1;
}

/* A sample inside interval iv (after its first point) for every twin. */
static void pk_inside(tw_pk_acc *a, const double *c, int64_t minute) {
  double *cmax = pk_row(a, TW_PK_CMAX, a->iv), *tmax = pk_row(a, TW_PK_TMAX, a->iv);
  double *auc = pk_row(a, TW_PK_AUC, a->iv);
  const double dt = (double)(minute - a->prev_min), since = (double)(minute - a->bounds[a->iv]);
  for (int64_t i = 0; i < a->n; i++) {
    tw_ep_pk_sample(&cmax[i], &tmax[i], &auc[i], &a->auc_c[i], &a->prev[i], c[i], dt, since);
    if (!isfinite(c[i])) a->bad[i] = 1;
  }
}

static tw_status pk_check_time(const tw_pk_acc *a, int64_t minute) {
  if (a->prev_min < 0 && minute != a->bounds[0])
    return TW_FAIL(TW_ERR_INPUT, "pk endpoints: the first sample (minute %lld) must be at the "
                   "first dose (minute %lld)", (long long)minute, (long long)a->bounds[0]);
  if (a->prev_min >= 0 && minute <= a->prev_min)
    return TW_FAIL(TW_ERR_INTERNAL, "pk endpoints: sample at minute %lld after minute %lld",
                   (long long)minute, (long long)a->prev_min);
  if (a->prev_min >= 0 && minute > a->bounds[a->iv + 1])
    return TW_FAIL(TW_ERR_INPUT, "pk endpoints: no sample at the interval boundary minute %lld "
                   "(next sample at %lld)", (long long)a->bounds[a->iv + 1], (long long)minute);
  return TW_OK;
}

tw_status tw_pk_acc_update(tw_pk_acc *a, const double *c, int64_t minute) {
  if (minute < a->bounds[0] || a->n_closed == a->n_doses) return TW_OK;
  TW_TRY(pk_check_time(a, minute));
  if (a->prev_min >= 0) pk_inside(a, c, minute);
  if (a->prev_min >= 0 && minute == a->bounds[a->iv + 1]) {
    pk_close(a, c);
    if (a->iv + 1 < a->n_doses) a->iv++;
  }
  if (minute == a->bounds[a->iv] && a->n_closed == a->iv) pk_open(a, c);
  a->prev_min = minute;
  return TW_OK;
}

tw_status tw_pk_acc_finalize(const tw_pk_acc *a, double *out, int64_t ld_out) {
  if (!out || ld_out < a->n)
    return TW_FAIL(TW_ERR_INTERNAL, "pk endpoints: output stride %lld for %lld twins",
                   (long long)ld_out, (long long)a->n);
  for (int k = 0; k < TW_PK_N; k++)
    for (int j = 0; j < a->n_doses; j++) {
      const double *src = pk_row(a, k, j);
      double *dst = out + ((int64_t)k * a->n_doses + j) * ld_out;
      for (int64_t i = 0; i < a->n; i++) dst[i] = j < a->n_closed && !a->bad[i] ? src[i] : NAN;
    }
  return TW_OK;
}
