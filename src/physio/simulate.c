/*
** simulate.c: one chunk of twins through a scenario (simulate.h).
**
** The chunk's arrays are SoA with ld = n rounded up to a multiple of 8 (aligned
** vector loads). Inputs are filled `step` minutes at a time into one block that
** is reused, so nothing is allocated inside the time loop.
*/
#include "physio/simulate.h" /* tw_sim_plan */

#include <math.h>   /* NAN */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

static int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

int64_t tw_sim_step(const tw_sim_plan *pl) {
  return pl->cgm ? gcd64(pl->every, pl->cgm->sample_time) : pl->every;
}

tw_status tw_sim_result_alloc(const tw_sim_plan *pl, int64_t n, tw_sim_result *r) {
  memset(r, 0, sizeof *r);
  r->n = n;
  r->n_times = pl->duration / pl->every + 1;
  r->n_out = pl->model->n_obs + (pl->cgm ? 1 : 0);
  const size_t no = (size_t)r->n_out * (size_t)n;
  if (pl->record) r->traj = calloc(no * (size_t)r->n_times + 1, sizeof(double));
  r->mean = calloc(no + 1, sizeof(double));
  r->min = calloc(no + 1, sizeof(double));
  r->max = calloc(no + 1, sizeof(double));
  r->flag = calloc((size_t)n + 1, sizeof(int32_t));
  r->fail_at = calloc((size_t)n + 1, sizeof(int64_t));
  if ((pl->record && !r->traj) || !r->mean || !r->min || !r->max || !r->flag || !r->fail_at) {
    tw_sim_result_free(r);
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for the results of %lld twins", (long long)n);
  }
  return TW_OK;
}

void tw_sim_result_free(tw_sim_result *r) {
  free(r->traj);
  free(r->mean);
  free(r->min);
  free(r->max);
  free(r->flag);
  free(r->fail_at);
  memset(r, 0, sizeof *r);
}

/* The chunk's working arrays. */
typedef struct chunk {
  int64_t n, ld;
  size_t esz;
  void *x, *p, *d, *u, *h;
  void *pt; /* (n, n_params) the parameters again, twin-major, for observe() */
  tw_cgm_state *cgm;
} chunk;

static void chunk_free(chunk *c) {
  free(c->x);
  free(c->p);
  free(c->d);
  free(c->u);
  free(c->h);
  free(c->pt);
  free(c->cgm);
}

/* Stores v into element k of twin i of an SoA array of the chunk's dtype. */
static void put(const chunk *c, void *a, int k, int64_t i, double v) {
  if (c->esz == sizeof(double)) ((double *)a)[k * c->ld + i] = v;
  else ((float *)a)[k * c->ld + i] = (float)v;
}

/* One twin's observables from the chunk's arrays, as doubles. The parameters
** come from the chunk's twin-major copy `pt`, so only the state and the
** discrete variables are gathered from the SoA arrays. */
static void observe_twin(const tw_model *m, const chunk *c, int64_t i, double *obs) {
  if (c->esz == sizeof(double)) {
    double x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS];
    const double *X = c->x, *D = c->d;
    for (int k = 0; k < m->n_states; ++k) x[k] = X[k * c->ld + i];
    for (int k = 0; k < m->n_disc; ++k) d[k] = D[k * c->ld + i];
    tw_model_observe_f64(m, x, (const double *)c->pt + i * m->n_params, d, obs);
  } else {
    float x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS], o[TW_PACK_MAX_OBS * TW_MODEL_MAX_PARTS];
    const float *X = c->x, *D = c->d;
    for (int k = 0; k < m->n_states; ++k) x[k] = X[k * c->ld + i];
    for (int k = 0; k < m->n_disc; ++k) d[k] = D[k * c->ld + i];
    tw_model_observe_f32(m, x, (const float *)c->pt + i * m->n_params, d, o);
    for (int k = 0; k < m->n_obs; ++k) obs[k] = o[k];
  }
}

/* Observables of every twin at time t: into the trajectories and the running
** summary when t is an output time (sample index ti >= 0), and the CGM reading
** when t is a sensor sample time. Twins are independent: OpenMP over them. */
static void sample(const tw_sim_plan *pl, const chunk *c, tw_sim_result *r, int64_t t, int64_t ti) {
  const tw_model *m = pl->model;
  const int no = m->n_obs;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < c->n; ++i) {
    double obs[TW_PACK_MAX_OBS * TW_MODEL_MAX_PARTS + 1];
    observe_twin(m, c, i, obs);
    if (r->flag[i] != TW_TWIN_OK) /* failed: no value from here on */
      for (int k = 0; k < no; ++k) obs[k] = NAN;
    if (pl->cgm) {
      if (t % pl->cgm->sample_time == 0) tw_cgm_measure(pl->cgm, &c->cgm[i], obs[pl->cgm_source_obs]);
      obs[no] = c->cgm[i].last;
    }
    if (ti < 0) continue; /* a sensor sample between output times */
    for (int k = 0; k < r->n_out; ++k) {
      const int64_t s = k * r->n + i;
      if (r->traj) r->traj[s * r->n_times + ti] = obs[k];
      if (ti == 0) r->min[s] = r->max[s] = obs[k];
      r->mean[s] += obs[k] / (double)r->n_times;
      r->min[s] = obs[k] < r->min[s] ? obs[k] : r->min[s];
      r->max[s] = obs[k] > r->max[s] ? obs[k] : r->max[s];
    }
  }
}

tw_status tw_sim_run_chunk(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                           const double *params, tw_sim_result *r) {
  const tw_model *m = pl->model;
  if (pl->every < 1 || pl->duration % pl->every != 0)
    return TW_FAIL(TW_ERR_INTERNAL, "simulate: every %lld does not divide duration %lld",
                   (long long)pl->every, (long long)pl->duration);
  const int64_t step = tw_sim_step(pl);
  chunk c;
  memset(&c, 0, sizeof c);
  c.n = n;
  c.ld = (n + 7) / 8 * 8;
  c.esz = pl->dtype == TW_F64 ? sizeof(double) : sizeof(float);
  c.x = calloc((size_t)(m->n_states * c.ld), c.esz);
  c.p = calloc((size_t)(m->n_params * c.ld), c.esz);
  c.d = calloc((size_t)(m->n_disc * c.ld) + 1, c.esz);
  c.u = calloc((size_t)(step * m->n_inputs * c.ld) + 1, c.esz);
  c.h = calloc((size_t)c.ld, c.esz);
  c.pt = calloc((size_t)(n * m->n_params) + 1, c.esz);
  c.cgm = pl->cgm ? calloc((size_t)n, sizeof(tw_cgm_state)) : NULL;
  if (!c.x || !c.p || !c.d || !c.u || !c.h || !c.pt || (pl->cgm && !c.cgm)) {
    chunk_free(&c);
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for a chunk of %lld twins", (long long)n);
  }
  for (int64_t i = 0; i < n; ++i) {
    double x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS];
    const double *pi = params + i * m->n_params;
    tw_model_init_twin_f64(m, pi, x, d);
    for (int k = 0; k < m->n_states; ++k) put(&c, c.x, k, i, x[k]);
    for (int k = 0; k < m->n_params; ++k) {
      put(&c, c.p, k, i, pi[k]);
      if (c.esz == sizeof(double)) ((double *)c.pt)[i * m->n_params + k] = pi[k];
      else ((float *)c.pt)[i * m->n_params + k] = (float)pi[k];
    }
    for (int k = 0; k < m->n_disc; ++k) put(&c, c.d, k, i, d[k]);
    put(&c, c.h, 0, i, 1.0);
    r->fail_at[i] = -1;
    if (pl->cgm) tw_cgm_init(pl->cgm, pl->seed, first_id + (uint64_t)i, &c.cgm[i]);
  }
  tw_physio_batch b;
  memset(&b, 0, sizeof b);
  b.dtype = pl->dtype;
  b.n = n;
  b.ld = c.ld;
  b.first_twin_id = (int64_t)first_id;
  b.x = c.x;
  b.p = c.p;
  b.d = c.d;
  b.u = c.u;
  b.flag = r->flag;
  b.opts = pl->opts;
  b.h = c.h;
  tw_status st = TW_OK;
  sample(pl, &c, r, 0, 0);
  for (int64_t t = 0; t < pl->duration && st == TW_OK; t += step) {
    tw_sim_inputs_fill(pl->inputs, t, (int)step, twin0, n, c.ld, pl->dtype, c.u);
    st = tw_model_advance(m, &b, t, (int)step);
    for (int64_t i = 0; i < n; ++i)
      if (r->flag[i] != TW_TWIN_OK && r->fail_at[i] < 0) r->fail_at[i] = t;
    const int64_t te = t + step;
    if (pl->cgm || te % pl->every == 0) sample(pl, &c, r, te, te % pl->every == 0 ? te / pl->every : -1);
  }
  chunk_free(&c);
  return st;
}
