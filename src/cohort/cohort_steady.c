/*
** cohort_steady.c: the steady-state check of drawn twins (cohort_steady.h).
** Twins are copied into a structure-of-arrays batch of one pack, started from
** the pack's initial state, fed their reference basal on the basal event's
** input, and advanced minute by minute with tw_model_advance (RK4, one step
** per minute in double precision, as `simulate` runs by default); after every
** minute each twin's CGM observable is compared with the rule.
*/
#include "cohort/cohort_steady.h"

#include <math.h>   /* fabs, isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

#include "physio/pack.h" /* tw_model, tw_pack_*_index */

#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads */
#endif

/* The input index TW_EVENT_BASAL feeds, or -1. */
static int basal_input(const tw_pack *pack) {
  for (int k = 0; k < pack->n_events; ++k)
    if (pack->events[k].kind == TW_EVENT_BASAL) return tw_pack_input_index(pack, pack->events[k].input);
  return -1;
}

int tw_cohort_steady_applies(const tw_pack *pack, const tw_cohort_steady_cfg *rule) {
  return rule->hours > 0 && pack->basal && pack->init_f64 && pack->observe_f64 && pack->cgm_obs &&
         tw_pack_obs_index(pack, pack->cgm_obs) >= 0 && basal_input(pack) >= 0;
}

/* One batch: SoA arrays (rows of ld) for the engine, the parameters per twin
** (AoS, for the per-twin init and observe), and each twin's running outcome. */
typedef struct batch {
  const tw_pack *pack;
  int64_t ld;
  double *x, *d, *u, *p, *pa, *at_last_hour;
  int32_t *flag;
} batch;

static tw_status batch_alloc(batch *b, const tw_pack *pack, int64_t ld) {
  memset(b, 0, sizeof *b);
  b->pack = pack, b->ld = ld;
  size_t n = (size_t)ld;
  b->x = calloc(n * (size_t)pack->n_states, sizeof *b->x);
  b->d = calloc(n * (size_t)pack->n_disc + 1, sizeof *b->d);
  b->u = calloc(n * (size_t)pack->n_inputs, sizeof *b->u);
  b->p = calloc(n * (size_t)pack->n_params, sizeof *b->p);
  b->pa = calloc(n * (size_t)pack->n_params, sizeof *b->pa);
  b->at_last_hour = calloc(n, sizeof *b->at_last_hour);
  b->flag = calloc(n, sizeof *b->flag);
  if (b->x && b->d && b->u && b->p && b->pa && b->at_last_hour && b->flag) return TW_OK;
  return TW_FAIL(TW_ERR_NOMEM, "steady-state check of %lld twins", (long long)ld);
}

static void batch_free(batch *b) {
  free(b->x), free(b->d), free(b->u), free(b->p), free(b->pa), free(b->at_last_hour), free(b->flag);
}

/* Twin j of the batch: parameters, initial state, basal input, a clean outcome. */
static void batch_load(batch *b, const double *params, int64_t stride, int64_t id, int64_t j, int u_basal) {
  const tw_pack *pk = b->pack;
  double *pa = b->pa + (size_t)j * (size_t)pk->n_params, x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC + 1];
  for (int q = 0; q < pk->n_params; ++q) b->p[q * b->ld + j] = pa[q] = params[q * stride + id];
  pk->init_f64(pa, x, d);
  for (int s = 0; s < pk->n_states; ++s) b->x[s * b->ld + j] = x[s];
  for (int k = 0; k < pk->n_disc; ++k) b->d[k * b->ld + j] = d[k];
  for (int k = 0; k < pk->n_inputs; ++k) b->u[k * b->ld + j] = 0.0;
  b->u[u_basal * b->ld + j] = pk->basal(pa);
  b->flag[j] = TW_TWIN_OK;
}

/* The CGM observable of twin j now. */
static double observe(const batch *b, int64_t j, int o) {
  const tw_pack *pk = b->pack;
  double x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC + 1], obs[TW_PACK_MAX_OBS];
  for (int s = 0; s < pk->n_states; ++s) x[s] = b->x[s * b->ld + j];
  for (int k = 0; k < pk->n_disc; ++k) d[k] = b->d[k * b->ld + j];
  pk->observe_f64(x, b->pa + (size_t)j * (size_t)pk->n_params, d, obs);
  return obs[o];
}

/* Updates twin j's outcome with its value v at `minute` (the first failure stays). */
static void judge(const tw_cohort_steady_cfg *rule, int flagged, double v, int minute, tw_steady_result *r) {
  r->final = v;
  if (r->verdict != TW_STEADY_PASS) return;
  int verdict = flagged || !isfinite(v) ? TW_STEADY_NONFINITE : v < rule->low ? TW_STEADY_LOW
              : v > rule->high ? TW_STEADY_HIGH : TW_STEADY_PASS;
  if (verdict != TW_STEADY_PASS) r->verdict = verdict, r->minute = minute, r->value = v;
}

/* Advances batch b (n twins) minute by minute and judges every twin. Runs on
** one thread (inside tw_cohort_steady_check's parallel loop, the engine's own
** OpenMP loop is nested and so inactive). */
static tw_status batch_run(batch *b, const tw_model *m, const tw_cohort_steady_cfg *rule, int64_t n,
                           tw_steady_result *out) {
  const int minutes = (int)(rule->hours * 60.0 + 0.5), o = tw_pack_obs_index(b->pack, b->pack->cgm_obs);
  tw_physio_batch pb = {.dtype = TW_PACK_F64, .n = n, .ld = b->ld, .x = b->x, .p = b->p, .d = b->d, .u = b->u,
                        .flag = b->flag, .opts = {.kind = TW_INTEG_RK4, .substeps = 1}};
  for (int64_t j = 0; j < n; ++j) {
    memset(&out[j], 0, sizeof out[j]);
    judge(rule, 0, observe(b, j, o), 0, &out[j]);
  }
  for (int t = 1; t <= minutes; ++t) {
    TW_TRY(tw_model_advance(m, &pb, t - 1, 1));
    for (int64_t j = 0; j < n; ++j) {
      double v = observe(b, j, o);
      judge(rule, b->flag[j] != TW_TWIN_OK, v, t, &out[j]);
      if (t == minutes - 60) b->at_last_hour[j] = v;
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    double moved = fabs(out[j].final - b->at_last_hour[j]);
    if (out[j].verdict == TW_STEADY_PASS && moved > rule->drift)
      out[j].verdict = TW_STEADY_DRIFT, out[j].minute = minutes, out[j].value = moved;
  }
  return TW_OK;
}

/* Batches [k0, ...) of `chunk` twins on this thread, from a batch of its own. */
static tw_status thread_run(const tw_model *m, const tw_cohort_steady_cfg *rule, const double *params, int64_t stride,
                            const int64_t *ids, int64_t n, int64_t chunk, int64_t k, tw_steady_result *out,
                            batch *b) {
  const int u_basal = basal_input(b->pack);
  int64_t i0 = k * chunk, nb = n - i0 < chunk ? n - i0 : chunk;
  for (int64_t j = 0; j < nb; ++j) batch_load(b, params, stride, ids[i0 + j], j, u_basal);
  return batch_run(b, m, rule, nb, out + i0);
}

int tw_cohort_team(int threads) {
#if defined(_OPENMP)
  return threads > 0 ? threads : omp_get_max_threads();
#else
  return (void)threads, 1;
#endif
}

tw_status tw_cohort_steady_check(const tw_pack *pack, const tw_cohort_steady_cfg *rule, const double *params,
                                 int64_t stride, const int64_t *ids, int64_t n, int64_t chunk, int threads,
                                 tw_steady_result *out) {
  if (!tw_cohort_steady_applies(pack, rule) || chunk < 1)
    return TW_FAIL(TW_ERR_INTERNAL, "steady-state check: pack %s has no basal steady state to check", pack->name);
  tw_model m;
  tw_model_init(&m);
  TW_TRY(tw_model_add_pack(&m, pack, NULL));
  const int64_t n_batches = (n + chunk - 1) / chunk;
  tw_status err = TW_OK;
  char msg[512] = "";
#pragma omp parallel num_threads(tw_cohort_team(threads))
  {
    batch b;
    tw_status st = batch_alloc(&b, pack, chunk);
#pragma omp for schedule(dynamic, 1)
    for (int64_t k = 0; k < n_batches; ++k)
      if (st == TW_OK) st = thread_run(&m, rule, params, stride, ids, n, chunk, k, out, &b);
    batch_free(&b);
    if (st != TW_OK) {
#pragma omp critical(tw_cohort_steady_error)
      if (err == TW_OK) err = st, snprintf(msg, sizeof msg, "%s", tw_error_message());
    }
  }
  return err == TW_OK ? TW_OK : TW_FAIL(err, "%s", msg);
}

void tw_cohort_steady_describe(const tw_steady_result *r, const tw_cohort_steady_cfg *rule, char *buf, size_t cap) {
  switch (r->verdict) {
  case TW_STEADY_LOW:
    snprintf(buf, cap, "fell to %.4g mg/dL at minute %d (below %g)", r->value, (int)r->minute, rule->low);
    break;
  case TW_STEADY_HIGH:
    snprintf(buf, cap, "rose to %.4g mg/dL at minute %d (above %g)", r->value, (int)r->minute, rule->high);
    break;
  case TW_STEADY_DRIFT:
    snprintf(buf, cap, "still moved %.3g mg/dL in the last hour (more than %g)", r->value, rule->drift);
    break;
  case TW_STEADY_NONFINITE:
    snprintf(buf, cap, "the integration failed at minute %d (a state not finite)", (int)r->minute);
    break;
  default:
    snprintf(buf, cap, "passed");
  }
}
