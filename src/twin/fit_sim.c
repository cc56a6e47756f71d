/*
** fit_sim.c: the twin's initial state from its parameters, basal rate and first
** CGM value, and the batched simulation of (person, parameters) columns on the
** t1d pack's engine, sampling bg at each person's CGM times (fit.h).
*/
#include "twin/fit.h"

#include "physio/integrate.h"          /* tw_integrator_defaults */
#include "physio/physio_ops.h"         /* tw_physio_ops_for: the backend's advance */
#include "physio/physio_ops_mirror.h"  /* tw_physio_mirror: the batch on the backend */
#include "physio/t1d.h"       /* state and parameter indexes */

#include <math.h>   /* sqrt, NAN */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

extern const tw_pack tw_pack_t1d;

tw_fit_sim tw_fit_sim_default(void) { return tw_fit_sim_on(NULL); }

tw_fit_sim tw_fit_sim_on(tw_backend *be) {
  tw_fit_sim s;
  s.pack = &tw_pack_t1d;
  s.opts = tw_integrator_defaults(TW_INTEG_RK4);
  s.opts.substeps = 1;
  const int device = be && be->device.kind != TW_DEVICE_HOST;
  s.backend = device ? be : NULL; /* a host backend's advance is tw_model_advance: called directly */
  s.block = device ? TW_FIT_BLOCK_DEVICE : TW_FIT_BLOCK;
  return s;
}

/* Tissue glucose gt (mg/kg) with dGt/dt = 0 at plasma glucose gp:
** k2 gt^2 + (Vm + k2 Km0 - k1 gp) gt - k1 gp Km0 = 0, the positive root
** written without cancellation. */
static double tissue_glucose(double gp, double vm, double km0, double k1, double k2) {
  const double b = vm + k2 * km0 - k1 * gp, c = k1 * gp * km0;
  const double s = sqrt(b * b + 4.0 * k2 * c);
  if (b >= 0.0) return s + b > 0.0 ? 2.0 * c / (b + s) : 0.0;
  return (s - b) / (2.0 * k2);
}

void tw_fit_init_state(const double *p, double basal, double g0, double *x) {
  for (int s = 0; s < TW_T1D_NSTATES; ++s) x[s] = 0.0;
  const double u = basal * 6000.0 / p[TW_T1D_P_BW]; /* pmol/kg/min */
  const double ka1 = p[TW_T1D_P_ka1], kd = p[TW_T1D_P_kd], ka2 = p[TW_T1D_P_ka2];
  const double m1 = p[TW_T1D_P_m1], m2 = p[TW_T1D_P_m2], m4 = p[TW_T1D_P_m4], m30 = p[TW_T1D_P_m30];
  x[10] = u / (ka1 + kd);
  x[11] = kd * x[10] / ka2;
  /* dIp = 0 and dIl = 0: ka1 isc1 + ka2 isc2 = u enters plasma */
  x[5] = u / (m2 + m4 - m1 * m2 / (m1 + m30));
  x[9] = m2 * x[5] / (m1 + m30);
  const double it = x[5] / p[TW_T1D_P_Vi];
  x[6] = it - p[TW_T1D_P_Ib];
  x[7] = it;
  x[8] = it;
  x[3] = g0 * p[TW_T1D_P_Vg];
  x[12] = x[3];
  double vm = p[TW_T1D_P_Vm0] + p[TW_T1D_P_Vmx] * x[6];
  if (vm < 0.0) vm = 0.0;
  x[4] = tissue_glucose(x[3], vm, p[TW_T1D_P_Km0], p[TW_T1D_P_k1], p[TW_T1D_P_k2]);
}

/* The batch's arrays for C columns. */
typedef struct fit_batch {
  int64_t C;
  double *x, *p, *d, *u, *bg_prev;
  int64_t *cursor;
  int32_t *flag;
} fit_batch;

static void batch_free(fit_batch *b) {
  free(b->x), free(b->p), free(b->d), free(b->u), free(b->bg_prev), free(b->cursor);
  memset(b, 0, sizeof *b);
}

static tw_status batch_alloc(const tw_pack *pk, int64_t C, fit_batch *b) {
  memset(b, 0, sizeof *b);
  b->C = C;
  b->x = calloc((size_t)(pk->n_states * C) + 1, sizeof(double));
  b->p = calloc((size_t)(pk->n_params * C) + 1, sizeof(double));
  b->d = calloc((size_t)(pk->n_disc * C) + 1, sizeof(double));
  b->u = calloc((size_t)(pk->n_inputs * C) + 1, sizeof(double));
  b->bg_prev = calloc((size_t)C + 1, sizeof(double));
  b->cursor = calloc((size_t)C + 1, sizeof(int64_t));
  if (!b->x || !b->p || !b->d || !b->u || !b->bg_prev || !b->cursor) {
    batch_free(b);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for a batch of %lld columns", (long long)C);
  }
  return TW_OK;
}

/* Parameters and initial states into SoA layout. */
static void batch_init(const tw_pack *pk, const tw_fit_data *d, const int64_t *col_person, const double *params,
                       fit_batch *b) {
  const int64_t C = b->C;
  for (int64_t c = 0; c < C; ++c) {
    const double *pc = params + c * pk->n_params;
    const tw_fit_person *f = &d->p[col_person[c]];
    double x[TW_PACK_MAX_STATES];
    tw_fit_init_state(pc, f->basal0, f->n_steps > 0 ? f->g0 : 100.0, x);
    for (int k = 0; k < pk->n_params; ++k) b->p[k * C + c] = pc[k];
    for (int s = 0; s < pk->n_states; ++s) b->x[s * C + c] = x[s];
    for (int s = 0; s < pk->n_disc; ++s) b->d[s * C + c] = 0.0;
    b->bg_prev[c] = x[12] / pc[TW_T1D_P_Vg];
    b->cursor[c] = 0;
    b->flag[c] = TW_TWIN_OK;
  }
}

/* After minute `step` (time s0 + step -> s0 + step + 1): bg at the CGM samples
** of column c that fall in that minute, linear between its ends. */
static void sample_minute(const tw_fit_data *d, const int64_t *col_person, int64_t step, fit_batch *b, double *bg) {
  const int64_t C = b->C;
  for (int64_t c = 0; c < C; ++c) {
    const tw_fit_person *f = &d->p[col_person[c]];
    const double now = b->x[12 * C + c] / b->p[TW_T1D_P_Vg * C + c];
    const double t0 = (double)(f->s0 + step);
    int64_t k = b->cursor[c];
    for (; k < f->n_obs && f->obs_t[k] <= t0 + 1.0; ++k)
      bg[c * d->max_obs + k] = b->bg_prev[c] + (f->obs_t[k] - t0) * (now - b->bg_prev[c]);
    b->cursor[c] = k;
    b->bg_prev[c] = now;
  }
}

/* The inputs of minute `step` of every column. */
static void fill_minute(const tw_fit_data *d, const int64_t *col_person, int64_t step, fit_batch *b) {
  const int64_t C = b->C;
  for (int64_t c = 0; c < C; ++c) {
    const tw_fit_person *f = &d->p[col_person[c]];
    const int in = step < f->n_steps;
    b->u[TW_T1D_U_CHO * C + c] = in ? f->u[step * 2] : 0.0;
    b->u[TW_T1D_U_INSULIN * C + c] = in ? f->u[step * 2 + 1] : f->basal0;
  }
}

/* Minute by minute: the inputs in, one minute of integration, bg sampled.
** With a backend the batch is mirrored there (on the host backend the mirror is
** the batch itself: no copies). */
static tw_status run_minutes(const tw_fit_sim *s, const tw_model *m, const tw_fit_data *d, const int64_t *col_person,
                             fit_batch *b, tw_physio_batch *pb, double *bg) {
  tw_physio_mirror mr;
  if (s->backend) {
    TW_TRY(tw_physio_mirror_create(s->backend, m, pb, 1, &mr));
    const tw_status st = tw_physio_mirror_push(s->backend, &mr, TW_MIRROR_ALL);
    if (st != TW_OK) return tw_physio_mirror_destroy(s->backend, &mr), st;
  }
  tw_status st = TW_OK;
  for (int64_t step = 0; step < d->max_steps && st == TW_OK; ++step) {
    fill_minute(d, col_person, step, b);
    if (!s->backend) st = tw_model_advance(m, pb, step, 1);
    else if ((st = tw_physio_mirror_push(s->backend, &mr, TW_MIRROR_INPUTS)) == TW_OK &&
             (st = tw_physio_ops_for(s->backend)->advance(s->backend, m, &mr.dev, step, 1)) == TW_OK)
      st = tw_physio_mirror_pull(s->backend, &mr, TW_MIRROR_STATE);
    if (st == TW_OK) sample_minute(d, col_person, step, b, bg);
  }
  if (s->backend) tw_physio_mirror_destroy(s->backend, &mr);
  return st;
}

tw_status tw_fit_simulate(const tw_fit_sim *s, const tw_fit_data *d, int64_t C, const int64_t *col_person,
                          const double *params, double *bg, int32_t *flag) {
  const tw_pack *pk = s->pack;
  if (pk->n_states != TW_T1D_NSTATES || pk->n_params != TW_T1D_NPARAMS)
    return TW_FAIL(TW_ERR_INTERNAL, "fit: the fit runs the t1d pack, not %s", pk->name);
  tw_model m;
  tw_model_init(&m);
  TW_TRY(tw_model_add_pack(&m, pk, NULL));
  fit_batch b;
  TW_TRY(batch_alloc(pk, C, &b));
  b.flag = flag;
  for (int64_t i = 0; i < C * d->max_obs; ++i) bg[i] = NAN;
  batch_init(pk, d, col_person, params, &b);
  tw_physio_batch pb = {.dtype = TW_PACK_F64, .n = C, .ld = C, .first_twin_id = 0, .x = b.x, .p = b.p,
                        .d = b.d, .u = b.u, .flag = flag, .opts = s->opts, .h = NULL};
  const tw_status st = run_minutes(s, &m, d, col_person, &b, &pb, bg);
  for (int64_t c = 0; c < C && st == TW_OK; ++c)
    if (flag[c] != TW_TWIN_OK)
      for (int64_t k = 0; k < d->max_obs; ++k) bg[c * d->max_obs + k] = NAN;
  batch_free(&b);
  return st;
}
