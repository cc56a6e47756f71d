/*
** simulate.c: one chunk of twins through a scenario (simulate.h).
**
** The chunk's arrays are SoA with ld = n rounded up to a multiple of 8 (aligned
** vector loads). Inputs are filled `step` minutes at a time into one block that
** is reused, so nothing is allocated inside the time loop. Samples go into the
** result's trajectory block (n_out, n, nt), so the block's rows are contiguous
** per observable and twin, as a block of a /trajectories dataset. With the
** plan's states, the inputs given to the integrator are summed per twin since
** the last output sample, and their mean over the interval is written when the
** next output sample is reached (simulate.h).
**
** With an engine (plan.engine) a step is the engine's, several minutes long,
** and the state at its start is kept: samples inside it (output and sensor)
** are taken, in time order, from the state interpolated between its ends. A
** controller's decision at a sensor sample inside the step changes the insulin
** from that minute on, and the engine takes the step again, from the same
** start, with the new inputs (when the decision changed any twin's insulin):
** what the twin does after the decision sees it, as with the integrator, while
** the samples before it stand as taken.
*/
#include "physio/simulate.h" /* tw_sim_plan */

#include "physio/physio_ops.h"        /* tw_physio_ops_for: the backend's physiology entries */
#include "physio/controller.h"        /* tw_controller: insulin decided in the loop */
#include "physio/physio_ops_mirror.h" /* the chunk's batch on the backend's device */

#include <math.h>   /* NAN */
#include <stdio.h>  /* snprintf */
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
  if (pl->engine) return pl->engine->interval;
  return pl->cgm ? gcd64(pl->every, pl->cgm->sample_time) : pl->every;
}

int64_t tw_sim_block_align(const tw_sim_plan *pl) {
  return pl->engine ? pl->engine->interval / gcd64(pl->engine->interval, pl->every) : 1;
}

tw_status tw_sim_result_alloc_block(const tw_sim_plan *pl, int64_t n, int64_t block, tw_sim_result *r) {
  memset(r, 0, sizeof *r);
  r->n = n;
  r->n_times = pl->duration / pl->every + 1;
  r->n_out = pl->model->n_obs + (pl->cgm ? 1 : 0);
  r->block = TW_MAX(1, TW_MIN(block, r->n_times));
  const size_t no = (size_t)r->n_out * (size_t)n;
  if (pl->record) r->traj = calloc(no * (size_t)r->block + 1, sizeof(double));
  if (pl->record && pl->states) {
    r->n_states = pl->model->n_states;
    r->n_inputs = pl->model->n_inputs;
    r->states = calloc((size_t)r->n_states * (size_t)n * (size_t)r->block + 1, sizeof(double));
    r->inputs = calloc((size_t)r->n_inputs * (size_t)n * (size_t)r->block + 1, sizeof(double));
  }
  r->mean = calloc(no + 1, sizeof(double));
  r->min = calloc(no + 1, sizeof(double));
  r->max = calloc(no + 1, sizeof(double));
  r->flag = calloc((size_t)n + 1, sizeof(int32_t));
  r->fail_at = calloc((size_t)n + 1, sizeof(int64_t));
  r->floor = malloc(((size_t)n + 1) * sizeof(int32_t));
  for (int64_t i = 0; r->floor && i < n; ++i) r->floor[i] = -1;
  const int lost_states = pl->record && pl->states && (!r->states || !r->inputs);
  if ((pl->record && !r->traj) || lost_states || !r->mean || !r->min || !r->max || !r->flag || !r->fail_at || !r->floor) {
    tw_sim_result_free(r);
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for the results of %lld twins", (long long)n);
  }
  return TW_OK;
}

tw_status tw_sim_result_alloc(const tw_sim_plan *pl, int64_t n, tw_sim_result *r) {
  return tw_sim_result_alloc_block(pl, n, pl->duration / pl->every + 1, r);
}

void tw_sim_result_free(tw_sim_result *r) {
  free(r->traj);
  free(r->states);
  free(r->inputs);
  free(r->mean);
  free(r->min);
  free(r->max);
  free(r->flag);
  free(r->fail_at);
  free(r->floor);
  memset(r, 0, sizeof *r);
}

/* The chunk's working arrays, on the host, SoA; `b` is them as a batch. With
** a backend, `mr` mirrors the batch on its device (on a host backend the
** mirror is the batch itself): inputs go there each step, and the state comes
** back before each sample. */
struct tw_sim_chunk {
  const tw_sim_plan *pl;
  tw_sim_result *r;
  int64_t twin0, n, ld, step;
  int64_t *rows;     /* (n) process rows of a chunk opened by rows, else NULL: [twin0, twin0 + n) */
  uint64_t id_shift; /* global id of twin i: id_shift + (its process row) */
  size_t esz;
  void *x, *p, *d, *u, *h;
  void *pt; /* (n, n_params) the parameters again, twin-major, for observe() */
  tw_cgm_state *cgm;
  int64_t t;       /* minutes simulated */
  int64_t last_sample_t; /* when the state was last brought to the host */
  int64_t next_ti; /* the next sample index to take */
  tw_physio_batch b;
  tw_physio_mirror mr;
  int mirrored;
  /* the controller's per-twin state, when the plan has one (controller.h) */
  double *ctl_state; /* (n, n_state) */
  double *ctl_rate;  /* (n) insulin until the next decision, U/min */
  double *ctl_meal;  /* (n) carbohydrate announced since the last decision, g */
  double *ctl_prev;  /* (n) the sensor's previous sample, mg/dL */
  tw_sim_meal_cache meals; /* the random meals of the day being filled */
  double *in_sum;    /* (n_inputs, n) inputs summed since the last output sample, with states */
  void *eng;         /* the engine's state for the chunk, with plan.engine */
  void *x_prev, *xi; /* with plan.engine: the state before the last step, one between (SoA) */
  int64_t t_prev;    /* with plan.engine: when the last step started */
};

void tw_sim_chunk_close(tw_sim_chunk *c) {
  if (!c) return;
  if (c->mirrored) tw_physio_mirror_destroy(c->pl->backend, &c->mr);
  if (c->eng) c->pl->engine->close(c->eng);
  free(c->x_prev);
  free(c->xi);
  free(c->x);
  free(c->p);
  free(c->d);
  free(c->u);
  free(c->h);
  free(c->pt);
  free(c->cgm);
  free(c->ctl_state);
  free(c->ctl_rate);
  free(c->ctl_meal);
  free(c->ctl_prev);
  free(c->rows);
  free(c->in_sum);
  tw_sim_meal_cache_free(&c->meals);
  free(c);
}

/* Stores v into element k of twin i of an SoA host array of the chunk's dtype. */
static void put(const tw_sim_chunk *c, void *a, int k, int64_t i, double v) {
  if (c->esz == sizeof(double)) ((double *)a)[k * c->ld + i] = v;
  else ((float *)a)[k * c->ld + i] = (float)v;
}

/* One twin's observables from the chunk's host arrays, as doubles, at state
** `xs` (c->x, or one interpolated). The parameters come from the chunk's
** twin-major copy `pt`, so only the state and the discrete variables are
** gathered from the SoA arrays. */
static void observe_twin(const tw_model *m, const tw_sim_chunk *c, const void *xs, int64_t i, double *obs) {
  if (c->esz == sizeof(double)) {
    double x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS];
    const double *X = xs, *D = c->d;
    for (int k = 0; k < m->n_states; ++k) x[k] = X[k * c->ld + i];
    for (int k = 0; k < m->n_disc; ++k) d[k] = D[k * c->ld + i];
    tw_model_observe_f64(m, x, (const double *)c->pt + i * m->n_params, d, obs);
  } else {
    float x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS], o[TW_PACK_MAX_OBS * TW_MODEL_MAX_PARTS];
    const float *X = xs, *D = c->d;
    for (int k = 0; k < m->n_states; ++k) x[k] = X[k * c->ld + i];
    for (int k = 0; k < m->n_disc; ++k) d[k] = D[k * c->ld + i];
    tw_model_observe_f32(m, x, (const float *)c->pt + i * m->n_params, d, o);
    for (int k = 0; k < m->n_obs; ++k) obs[k] = o[k];
  }
}

/* Twin i's controller decision at sensor sample time t (controller.h): the
** observation is the mean of the sensor's held output over the interval, the
** meal the carbohydrate announced in it, per minute; the rates quantised by the
** pump, or without one clipped at 0. */
static void decide(const tw_sim_chunk *c, int64_t i, int64_t t) {
  const tw_sim_plan *pl = c->pl;
  const double s = (double)pl->cgm->sample_time, now = c->cgm[i].last;
  const double seen = t == 0 ? now : ((s - 1.0) * c->ctl_prev[i] + now) / s;
  double basal, bolus;
  pl->controller->act(c->ctl_state + i * pl->controller->n_state, seen, c->ctl_meal[i] / s, (int)s, &basal, &bolus);
  if (pl->pump) basal = tw_pump_basal(pl->pump, basal), bolus = tw_pump_bolus(pl->pump, bolus);
  else basal = fmax(basal, 0.0), bolus = fmax(bolus, 0.0); /* no negative insulin (controller.h) */
  c->ctl_rate[i] = basal + bolus;
  c->ctl_meal[i] = 0.0;
  c->ctl_prev[i] = now;
}

/* The controller's insulin in place of the scenario's in minute m of the
** inputs in c->u. */
static void hold_insulin(tw_sim_chunk *c, int64_t m) {
  const tw_sim_plan *pl = c->pl;
  const int64_t at = (m * pl->model->n_inputs + pl->ctl_insulin_input) * c->ld;
  for (int64_t i = 0; i < c->n; ++i)
    if (c->esz == sizeof(double)) ((double *)c->u)[at + i] = c->ctl_rate[i];
    else ((float *)c->u)[at + i] = (float)c->ctl_rate[i];
}

/* The carbohydrate announced in minute m of the inputs in c->u, counted for
** the controller's next decision. */
static void count_meals(tw_sim_chunk *c, int64_t m) {
  const tw_sim_plan *pl = c->pl;
  const int64_t at = (m * pl->model->n_inputs + pl->ctl_meal_input) * c->ld;
  for (int64_t i = 0; i < c->n; ++i)
    c->ctl_meal[i] += c->esz == sizeof(double) ? ((const double *)c->u)[at + i] : ((const float *)c->u)[at + i];
}

/* The controller's insulin, and the announced carbohydrate counted, for the
** minutes of inputs just filled in c->u. */
static void controller_inputs(tw_sim_chunk *c) {
  for (int64_t m = 0; m < c->step; ++m) {
    count_meals(c, m);
    hold_insulin(c, m);
  }
}

/* Twin i's state xs into the result's state block at sample ti (NaN once failed). */
static void record_state(const tw_sim_chunk *c, const void *xs, int64_t i, int64_t ti) {
  tw_sim_result *r = c->r;
  const int ok = r->flag[i] == TW_TWIN_OK;
  for (int k = 0; k < r->n_states; ++k) {
    const int64_t at = k * c->ld + i;
    const double v = c->esz == sizeof(double) ? ((const double *)xs)[at] : ((const float *)xs)[at];
    r->states[(k * r->n + i) * r->nt + (ti - r->t0)] = ok ? v : NAN;
  }
}

/* The inputs just given to the integrator (c->u, `step` minutes) added to the
** sums since the last output sample. */
static void sum_inputs(tw_sim_chunk *c) {
  const int64_t ni = c->pl->model->n_inputs;
  for (int64_t m = 0; m < c->step; ++m)
    for (int64_t k = 0; k < ni; ++k)
      for (int64_t i = 0; i < c->n; ++i) {
        const int64_t at = (m * ni + k) * c->ld + i;
        c->in_sum[k * c->n + i] += c->esz == sizeof(double) ? ((const double *)c->u)[at] : ((const float *)c->u)[at];
      }
}

/* At output sample ti: the mean input over [t(ti - 1), t(ti)) is sample ti - 1's
** (when it is in the block); the sums start again. */
static void close_inputs(tw_sim_chunk *c, int64_t ti) {
  tw_sim_result *r = c->r;
  const int64_t at = ti - 1 - r->t0, n = c->n;
  for (int64_t s = 0; at >= 0 && at < r->nt && s < r->n_inputs * n; ++s)
    r->inputs[s * r->nt + at] = c->in_sum[s] / (double)c->pl->every;
  memset(c->in_sum, 0, (size_t)(r->n_inputs * n) * sizeof(double));
}

/* Below this many twins a sample is cheaper than waking an OpenMP team (it
** runs every output minute: a 1-twin run spent most of its time in the team). */
enum { SIM_SAMPLE_PARALLEL_MIN = 256 };

/* Twin i flagged TW_TWIN_DOMAIN when its state xs at time t is at a floor of
** the model (simulate.h); 1 when it is newly flagged. */
static int check_floors(const tw_sim_chunk *c, const void *xs, int64_t i, int64_t t) {
  tw_sim_result *r = c->r;
  if (r->flag[i] != TW_TWIN_OK) return 0;
  const int k = tw_model_floor_reached(c->pl->model, xs, c->pl->dtype, c->ld, i);
  if (k < 0) return 0;
  r->flag[i] = TW_TWIN_DOMAIN, r->floor[i] = k, r->fail_at[i] = t;
  return 1;
}

/* Observables of every twin at time t, at state xs: into the trajectory block
** and the running summary when t is an output time (sample index ti >= 0), and
** the CGM reading when t is a sensor sample time. Twins are independent:
** OpenMP over them. Returns the twins newly flagged at a floor. */
static int64_t sample(const tw_sim_chunk *c, const void *xs, int64_t t, int64_t ti) {
  const tw_sim_plan *pl = c->pl;
  tw_sim_result *r = c->r;
  const tw_model *m = pl->model;
  const int no = m->n_obs;
  int64_t newly = 0;
#pragma omp parallel for schedule(static) reduction(+ : newly) if (c->n >= SIM_SAMPLE_PARALLEL_MIN)
  for (int64_t i = 0; i < c->n; ++i) {
    double obs[TW_PACK_MAX_OBS * TW_MODEL_MAX_PARTS + 1];
    newly += check_floors(c, xs, i, t);
    observe_twin(m, c, xs, i, obs);
    const int stopped = r->flag[i] != TW_TWIN_OK; /* failed: no value from here on, not even the sensor's */
    for (int k = 0; stopped && k < no + (pl->cgm != NULL); ++k) obs[k] = NAN;
    if (ti >= 0 && r->states) record_state(c, xs, i, ti);
    if (pl->cgm && !stopped) {
      if (t % pl->cgm->sample_time == 0) {
        tw_cgm_measure(pl->cgm, &c->cgm[i], obs[pl->cgm_source_obs]);
        if (pl->controller) decide(c, i, t);
      }
      obs[no] = c->cgm[i].last;
    }
    if (ti < 0) continue; /* a sensor sample between output times */
    for (int k = 0; k < r->n_out; ++k) {
      const int64_t s = k * r->n + i;
      if (r->traj) r->traj[s * r->nt + (ti - r->t0)] = obs[k];
      if (ti == 0) r->min[s] = r->max[s] = obs[k];
      r->mean[s] += obs[k] / (double)r->n_times;
      r->min[s] = obs[k] < r->min[s] ? obs[k] : r->min[s];
      r->max[s] = obs[k] > r->max[s] ? obs[k] : r->max[s];
    }
  }
  return newly;
}

/* The host arrays up to date with the device before a sample. */
static tw_status to_host(tw_sim_chunk *c) {
  return c->mirrored ? tw_physio_mirror_pull(c->pl->backend, &c->mr, TW_MIRROR_STATE) : TW_OK;
}

/* The process row of the chunk's twin i. */
static int64_t row_of(const tw_sim_chunk *c, int64_t i) { return c->rows ? c->rows[i] : c->twin0 + i; }

/* Every twin's initial state, parameters and sensor. */
static void init_twins(tw_sim_chunk *c, const double *params) {
  const tw_sim_plan *pl = c->pl;
  const tw_model *m = pl->model;
  for (int64_t i = 0; i < c->n; ++i) {
    double x[TW_PACK_MAX_STATES], d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS];
    const double *pi = params + i * m->n_params;
    tw_model_init_twin_f64(m, pi, x, d);
    for (int k = 0; k < m->n_states; ++k) put(c, c->x, k, i, x[k]);
    for (int k = 0; k < m->n_params; ++k) {
      put(c, c->p, k, i, pi[k]);
      if (c->esz == sizeof(double)) ((double *)c->pt)[i * m->n_params + k] = pi[k];
      else ((float *)c->pt)[i * m->n_params + k] = (float)pi[k];
    }
    for (int k = 0; k < m->n_disc; ++k) put(c, c->d, k, i, d[k]);
    put(c, c->h, 0, i, 1.0);
    c->r->fail_at[i] = -1, c->r->floor[i] = -1;
    if (pl->cgm) tw_cgm_init(pl->cgm, pl->seed, c->id_shift + (uint64_t)row_of(c, i), &c->cgm[i]);
  }
}

/* The controller's arrays for the chunk's twins, from the plan's starting states. */
static tw_status controller_alloc(tw_sim_chunk *c) {
  const tw_controller *ctl = c->pl->controller;
  if (!ctl) return TW_OK;
  if (!c->pl->cgm) return TW_FAIL(TW_ERR_INTERNAL, "simulate: controller %s without a sensor", ctl->name);
  c->ctl_state = malloc(((size_t)(c->n * ctl->n_state) + 1) * sizeof(double));
  c->ctl_rate = calloc((size_t)c->n + 1, sizeof(double));
  c->ctl_meal = calloc((size_t)c->n + 1, sizeof(double));
  c->ctl_prev = calloc((size_t)c->n + 1, sizeof(double));
  if (!c->ctl_state || !c->ctl_rate || !c->ctl_meal || !c->ctl_prev)
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for a chunk of %lld twins", (long long)c->n);
  for (int64_t i = 0; i < c->n; ++i)
    memcpy(c->ctl_state + i * ctl->n_state, c->pl->ctl_state + row_of(c, i) * ctl->n_state,
           (size_t)ctl->n_state * sizeof(double));
  return TW_OK;
}

static tw_status chunk_alloc(tw_sim_chunk *c) {
  const tw_model *m = c->pl->model;
  const size_t ld = (size_t)c->ld;
  c->x = calloc((size_t)m->n_states * ld, c->esz);
  c->p = calloc((size_t)m->n_params * ld, c->esz);
  c->d = calloc((size_t)m->n_disc * ld + 1, c->esz);
  c->u = calloc((size_t)(c->step * m->n_inputs) * ld + 1, c->esz);
  c->h = calloc(ld, c->esz);
  c->pt = calloc((size_t)(c->n * m->n_params) + 1, c->esz);
  c->cgm = c->pl->cgm ? calloc((size_t)c->n + 1, sizeof(tw_cgm_state)) : NULL;
  if (!c->x || !c->p || !c->d || !c->u || !c->h || !c->pt || (c->pl->cgm && !c->cgm))
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for a chunk of %lld twins", (long long)c->n);
  TW_TRY(tw_sim_meal_cache_init(&c->meals, c->pl->inputs, c->n));
  if (c->r->inputs && !(c->in_sum = calloc((size_t)(m->n_inputs * c->n) + 1, sizeof(double))))
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for a chunk of %lld twins", (long long)c->n);
  if (c->pl->engine && (!(c->x_prev = calloc((size_t)m->n_states * ld, c->esz)) ||
                        !(c->xi = calloc((size_t)m->n_states * ld, c->esz))))
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for a chunk of %lld twins", (long long)c->n);
  return controller_alloc(c);
}

static void batch_init(tw_sim_chunk *c) {
  tw_physio_batch *b = &c->b;
  memset(b, 0, sizeof *b);
  b->dtype = c->pl->dtype;
  b->n = c->n;
  b->ld = c->ld;
  b->first_twin_id = (int64_t)(c->id_shift + (uint64_t)row_of(c, 0));
  b->x = c->x;
  b->p = c->p;
  b->d = c->d;
  b->u = c->u;
  b->flag = c->r->flag;
  b->opts = c->pl->opts;
  b->h = c->h;
}

/* The batch on the plan's backend, when it has one. */
static tw_status mirror(tw_sim_chunk *c) {
  tw_backend *be = c->pl->backend;
  if (!be) return TW_OK;
  TW_TRY(tw_physio_mirror_create(be, c->pl->model, &c->b, (int)c->step, &c->mr));
  c->mirrored = 1;
  return tw_physio_mirror_push(be, &c->mr, TW_MIRROR_ALL);
}

/* The engine's steps must end at the end of the run and at the end of every
** block of samples (tw_sim_block_align), and states are recorded only at step
** ends (their inputs are sums over whole steps). The run layer checks the
** config against this first. */
static tw_status check_engine(const tw_sim_plan *pl, const tw_sim_result *r) {
  const tw_sim_engine *e = pl->engine;
  if (!e) return TW_OK;
  const int whole_blocks = r->block >= r->n_times || (r->block * pl->every) % e->interval == 0;
  if (e->interval < 1 || pl->duration % e->interval || !whole_blocks || (r->states && pl->every % e->interval))
    return TW_FAIL(TW_ERR_INTERNAL, "simulate: the %s engine's %lld-minute steps do not fit this run (duration %lld, "
                   "output every %lld min)", e->name, (long long)e->interval, (long long)pl->duration, (long long)pl->every);
  return TW_OK;
}

/* The chunk's twins on the plan's engine (when it has one) or its backend. */
static tw_status start(tw_sim_chunk *c, const double *params) {
  const tw_sim_engine *e = c->pl->engine;
  if (!e) return mirror(c);
  return e->open(e->ctx, c->n, params, &c->eng);
}

/* A chunk of n twins: its rows (NULL: from twin0) and global ids set by the caller. */
static tw_status chunk_open(const tw_sim_plan *pl, tw_sim_chunk *c, int64_t n, const double *params,
                            tw_sim_result *r, tw_sim_chunk **out) {
  *out = NULL;
  if (pl->every < 1 || pl->duration % pl->every != 0)
    return TW_FAIL(TW_ERR_INTERNAL, "simulate: every %lld does not divide duration %lld",
                   (long long)pl->every, (long long)pl->duration);
  if (r->n != n) return TW_FAIL(TW_ERR_INTERNAL, "simulate: results for %lld twins, chunk of %lld", (long long)r->n, (long long)n);
  c->pl = pl;
  c->r = r;
  c->n = n;
  c->ld = (n + 7) / 8 * 8;
  c->step = tw_sim_step(pl);
  c->esz = pl->dtype == TW_F64 ? sizeof(double) : sizeof(float);
  tw_status st = check_engine(pl, r);
  if (st == TW_OK) st = chunk_alloc(c);
  if (st == TW_OK) {
    init_twins(c, params);
    batch_init(c);
    st = start(c, params);
  }
  if (st != TW_OK) {
    tw_sim_chunk_close(c);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  *out = c;
  return TW_OK;
}

tw_status tw_sim_chunk_open(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                            const double *params, tw_sim_result *r, tw_sim_chunk **out) {
  tw_sim_chunk *c = calloc(1, sizeof *c);
  if (!c) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  c->twin0 = twin0;
  c->id_shift = first_id - (uint64_t)twin0;
  return chunk_open(pl, c, n, params, r, out);
}

tw_status tw_sim_chunk_open_rows(const tw_sim_plan *pl, const int64_t *rows, int64_t n, const double *params,
                                 tw_sim_result *r, tw_sim_chunk **out) {
  tw_sim_chunk *c = calloc(1, sizeof *c);
  if (!c || !(c->rows = malloc(((size_t)n + 1) * sizeof *c->rows))) {
    free(c);
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  }
  memcpy(c->rows, rows, (size_t)n * sizeof *rows);
  c->id_shift = pl->inputs->id0;
  return chunk_open(pl, c, n, params, r, out);
}

/* The scenario's inputs of the step's minutes into c->u. */
static void fill_inputs(tw_sim_chunk *c) {
  const tw_sim_plan *pl = c->pl;
  if (c->rows) tw_sim_inputs_fill_rows(pl->inputs, &c->meals, c->t, (int)c->step, c->rows, c->n, c->ld, pl->dtype, c->u);
  else tw_sim_inputs_fill_cached(pl->inputs, &c->meals, c->t, (int)c->step, c->twin0, c->n, c->ld, pl->dtype, c->u);
}

/* Advances every twin by one step of the plan: inputs, integration. */
static tw_status advance(tw_sim_chunk *c) {
  const tw_sim_plan *pl = c->pl;
  fill_inputs(c);
  if (pl->controller) controller_inputs(c);
  if (c->in_sum) sum_inputs(c);
  if (c->mirrored) {
    TW_TRY(tw_physio_mirror_push(pl->backend, &c->mr, TW_MIRROR_INPUTS));
    TW_TRY(tw_physio_ops_for(pl->backend)->advance(pl->backend, pl->model, &c->mr.dev, c->t, (int)c->step));
  } else {
    TW_TRY(tw_model_advance(pl->model, &c->b, c->t, (int)c->step));
  }
  c->t += c->step;
  return TW_OK;
}

/* Twins flagged since the last look failed in the step before it: exactly the
** step that just ended on the host, where flags are seen every step; on a
** device, flags come back with the state at samples, so a failure is placed
** at the first step after the previous sample. */
static void note_failures(tw_sim_chunk *c, int64_t since) {
  for (int64_t i = 0; i < c->n; ++i)
    if (c->r->flag[i] != TW_TWIN_OK && c->r->fail_at[i] < 0) c->r->fail_at[i] = since;
}

/* The sample (output or sensor) at c->t, with the state brought to the host. */
static tw_status take(tw_sim_chunk *c, int is_output) {
  TW_TRY(to_host(c));
  if (c->mirrored) note_failures(c, c->last_sample_t);
  c->last_sample_t = c->t;
  const int64_t newly = sample(c, c->x, c->t, is_output ? c->t / c->pl->every : -1);
  if (is_output) ++c->next_ti;
  /* the device stops a twin flagged here only once it sees the flag */
  if (newly > 0 && c->mirrored) TW_TRY(tw_physio_mirror_push(c->pl->backend, &c->mr, TW_MIRROR_STATE));
  return TW_OK;
}

/* xi = x_prev + w (x - x_prev), element by element. */
static void interpolate(tw_sim_chunk *c, double w) {
  const int64_t len = c->pl->model->n_states * c->ld;
  if (c->esz == sizeof(double)) {
    const double *a = c->x_prev, *b = c->x;
    double *o = c->xi;
    for (int64_t k = 0; k < len; ++k) o[k] = a[k] + w * (b[k] - a[k]);
  } else {
    const float *a = c->x_prev, *b = c->x;
    float *o = c->xi;
    for (int64_t k = 0; k < len; ++k) o[k] = (float)(a[k] + w * (b[k] - a[k]));
  }
}

/* Whether a decision changed any twin's insulin from what minute m holds. */
static int insulin_changed(const tw_sim_chunk *c, int64_t m) {
  const tw_sim_plan *pl = c->pl;
  const int64_t at = (m * pl->model->n_inputs + pl->ctl_insulin_input) * c->ld;
  for (int64_t i = 0; i < c->n; ++i) {
    const double held = c->esz == sizeof(double) ? ((const double *)c->u)[at + i] : ((const float *)c->u)[at + i];
    const double now = c->esz == sizeof(double) ? c->ctl_rate[i] : (double)(float)c->ctl_rate[i];
    if (held != now) return 1;
  }
  return 0;
}

/* The engine's step from c->t_prev again, from the state at its start. */
static tw_status engine_redo(tw_sim_chunk *c) {
  memcpy(c->x, c->x_prev, (size_t)(c->pl->model->n_states * c->ld) * c->esz);
  return c->pl->engine->advance(c->eng, &c->b, c->t_prev);
}

/* Minute m inside the engine's step: the output and sensor samples due then,
** at the interpolated state; after a decision, the step again. Blocks end at
** step ends (check_engine), so an output sample inside is in this block. */
static tw_status inside(tw_sim_chunk *c, int64_t m) {
  const tw_sim_plan *pl = c->pl;
  const int64_t t = c->t_prev + m;
  const int is_output = t % pl->every == 0, is_sensor = pl->cgm && t % pl->cgm->sample_time == 0;
  if (!is_output && !is_sensor) return TW_OK;
  interpolate(c, (double)m / (double)c->step);
  (void)sample(c, c->xi, t, is_output ? t / pl->every : -1); /* the engine runs on the host batch */
  if (is_output) ++c->next_ti;
  if (!is_sensor || !pl->controller || !insulin_changed(c, m)) return TW_OK;
  for (int64_t k = m; k < c->step; ++k) hold_insulin(c, k);
  return engine_redo(c);
}

/* One step of the engine: inputs (a controller's insulin held at its last
** decision), the step, then the minutes inside it in order. */
static tw_status engine_step(tw_sim_chunk *c) {
  const tw_sim_plan *pl = c->pl;
  fill_inputs(c);
  for (int64_t m = 0; pl->controller && m < c->step; ++m) hold_insulin(c, m);
  memcpy(c->x_prev, c->x, (size_t)(pl->model->n_states * c->ld) * c->esz);
  c->t_prev = c->t;
  TW_TRY(pl->engine->advance(c->eng, &c->b, c->t));
  for (int64_t m = 1; m < c->step; ++m) {
    if (pl->controller) count_meals(c, m - 1);
    TW_TRY(inside(c, m));
  }
  if (pl->controller) count_meals(c, c->step - 1);
  if (c->in_sum) sum_inputs(c);
  c->t += c->step;
  return TW_OK;
}

/* After the step that ended at c->t: the sample (output or sensor) due then;
** an output sample past the block (index >= `end`) waits for the next block. */
static tw_status sample_due(tw_sim_chunk *c, int64_t end) {
  const tw_sim_plan *pl = c->pl;
  const int is_output = c->t % pl->every == 0;
  if (!c->mirrored) note_failures(c, c->t - c->step);
  if (is_output && c->in_sum) close_inputs(c, c->t / pl->every);
  if (is_output && c->t / pl->every >= end) return TW_OK;
  if (!pl->cgm && !is_output) return TW_OK;
  return take(c, is_output);
}

tw_status tw_sim_chunk_next(tw_sim_chunk *c, int (*tick)(void *arg, int64_t minutes), void *arg) {
  tw_sim_result *r = c->r;
  r->t0 = c->next_ti;
  r->nt = TW_MIN(r->block, r->n_times - r->t0);
  if (r->nt <= 0) {
    r->nt = 0;
    return TW_OK;
  }
  if (r->inputs) memset(r->inputs, 0, (size_t)(r->n_inputs * r->n * r->nt) * sizeof(double));
  const int64_t every = c->pl->every, end = r->t0 + r->nt;
  if (c->t == c->next_ti * every) TW_TRY(take(c, 1)); /* t = 0, or the sample the last block ran up to */ /* t = 0, or the sample the last block ran up to */
  /* to the block's last sample, and with inputs on through the interval after it */
  const int64_t t_end = (end - 1) * every + (r->inputs && end < r->n_times ? every : 0);
  while (c->t < t_end) {
    TW_TRY(c->pl->engine ? engine_step(c) : advance(c));
    TW_TRY(sample_due(c, end));
    if (tick && tick(arg, c->t)) {
      r->nt = c->next_ti - r->t0;
      break;
    }
  }
  return TW_OK;
}

void tw_sim_failure_text(const tw_sim_plan *pl, const tw_sim_result *r, int64_t i, char *buf, size_t cap) {
  const int f = r->flag[i];
  const long long at = (long long)r->fail_at[i];
  if (f == TW_TWIN_DOMAIN && r->floor[i] >= 0) {
    const tw_model_floor *fl = &pl->model->floors[r->floor[i]];
    snprintf(buf, cap, "left the model's domain at minute %lld: %s (%s.%s <= %g)", at, fl->why, fl->pack, fl->name,
             fl->value);
    return;
  }
  snprintf(buf, cap, "integration failed in the step starting at minute %lld: %s", at,
           f == TW_TWIN_NONFINITE   ? "the state became NaN or infinite"
           : f == TW_TWIN_UNDERFLOW ? "the step size underflowed"
                                    : "too many steps in one minute");
}

tw_status tw_sim_run_chunk(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                           const double *params, tw_sim_result *r) {
  if (pl->record && r->block < r->n_times)
    return TW_FAIL(TW_ERR_INTERNAL, "simulate: results hold %lld of %lld samples", (long long)r->block, (long long)r->n_times);
  tw_sim_chunk *c;
  TW_TRY(tw_sim_chunk_open(pl, twin0, first_id, n, params, r, &c));
  tw_status st = tw_sim_chunk_next(c, NULL, NULL);
  tw_sim_chunk_close(c);
  return st;
}
