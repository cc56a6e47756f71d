/*
** replay_loop.c: the changed runs of a replay with a controller in the loop
** (replay.h, `controller:`): a person's recorded days through the physio
** simulate engine (tw_sim_run_chunk), whose controller loop decides the
** insulin at every sensor sample from the sensor's reading of the twin's bg
** and the recorded meals announced to it, as in `simulate` and the trials.
** The open-loop fit simulation (tw_fit_simulate) has no such loop; the
** engine runs the same pack and integrator, from the same starting state.
*/
#include "twin/replay_internal.h"

#include "physio/sim_inputs.h" /* tw_sim_inputs */
#include "physio/simulate.h"   /* tw_sim_plan, tw_sim_run_chunk */
#include "physio/t1d.h"        /* TW_T1D_* */

#include <math.h>   /* NAN */
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memset, memcpy, strcmp */

extern const tw_pack tw_pack_t1d;

tw_status tw_replay_loop_init(const tw_replay_controller_cfg *c, tw_replay_loop *l) {
  memset(l, 0, sizeof *l);
  if (!c->name || !strcmp(c->name, "none")) return TW_OK;
  TW_TRY(tw_controller_lookup(c->resolved[0] ? c->resolved : c->name, &l->ctl));
  TW_TRY(tw_cgm_spec_load(c->sensor, c->noise, &l->cgm));
  tw_model_init(&l->model);
  return tw_model_add_pack(&l->model, &tw_pack_t1d, NULL);
}

/* The recorded meals of f as the engine's events (g at the minute eaten). */
static tw_status meal_events(const tw_fit_person *f, int64_t n, tw_sim_inputs *in) {
  TW_TRY(tw_sim_inputs_init(in, TW_T1D_NINPUTS, f->n_steps, n));
  for (int64_t m = 0; m < f->n_steps; ++m)
    if (f->u[m * 2] > 0.0) TW_TRY(tw_sim_inputs_add(in, TW_T1D_U_CHO, m, m + 1, f->u[m * 2]));
  return TW_OK;
}

/* Every column's controller state, from what the scenario says of the person. */
static tw_status start_states(const tw_replay_loop *l, const tw_replay_controller_cfg *c, const char *name,
                              const tw_fit_person *f, int64_t n, double *state) {
  tw_controller_twin *tw = calloc((size_t)n + 1, sizeof *tw);
  if (!tw) return TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  const double cr = c->carb_ratio > 0.0 ? c->carb_ratio : NAN, cf = c->correction_factor > 0.0 ? c->correction_factor : NAN;
  for (int64_t v = 0; v < n; ++v)
    tw[v] = (tw_controller_twin){.name = name, .basal_u_per_min = f->basal0,
                                 .gains = {c->params.p, c->params.i, c->params.d, c->params.target},
                                 .carb_ratio = cr, .correction_factor = cf, .reference = NULL};
  const tw_status st = tw_controller_start(l->ctl, n, tw, state);
  free(tw);
  return st;
}

/* The n columns' parameters with the starting state of the recorded run. */
static double *start_params(const tw_fit_person *f, int64_t n, const double *params) {
  const int np = tw_pack_t1d.n_params;
  double *p = malloc(sizeof(double) * (size_t)(n * np) + 1);
  for (int64_t v = 0; p && v < n; ++v) {
    memcpy(p + v * np, params + v * np, sizeof(double) * (size_t)np);
    tw_fit_init_state(p + v * np, f->basal0, f->g0, p + v * np + TW_T1D_P_X0);
  }
  return p;
}

/* The endpoints of each column; a column the engine stopped at the model's
** floor has none (NaN), and is counted. */
static tw_status score_traj(const tw_sim_result *res, const tw_replay_run_ctx *r, double *out, int64_t stride) {
  const tw_replay_scorer *s = r->scorer;
  for (int64_t v = 0; v < r->n; ++v) {
    if (res->flag[v] != TW_TWIN_OK) {
      for (int e = 0; e < s->n; ++e) out[v * stride + e] = NAN;
      ++*r->stopped;
      continue;
    }
    TW_TRY(s->score(s->ctx, r->person->n_steps, res->traj + (TW_T1D_O_BG * r->n + v) * res->n_times + 1, out + v * stride));
  }
  return TW_OK;
}

tw_status tw_replay_loop_run(const tw_replay_loop *l, const tw_replay_controller_cfg *c, const tw_replay_run_ctx *r,
                             const double *params, double *out, int64_t stride) {
  const tw_fit_person *f = r->person;
  const int64_t n = r->n;
  tw_sim_inputs in;
  tw_sim_result res;
  memset(&in, 0, sizeof in), memset(&res, 0, sizeof res);
  double *state = calloc((size_t)(n * l->ctl->n_state) + 1, sizeof(double)), *p = start_params(f, n, params);
  tw_status st = state && p ? meal_events(f, n, &in) : TW_FAIL(TW_ERR_NOMEM, "twin replay: out of memory");
  if (st == TW_OK) st = start_states(l, c, r->name, f, n, state);
  tw_sim_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.model = &l->model, pl.dtype = TW_F64, pl.opts = tw_fit_sim_default().opts, pl.duration = f->n_steps, pl.every = 1;
  pl.inputs = &in, pl.cgm = &l->cgm, pl.cgm_source_obs = TW_T1D_O_BG, pl.seed = (uint64_t)c->seed, pl.record = 1;
  pl.controller = l->ctl, pl.ctl_state = state, pl.ctl_insulin_input = TW_T1D_U_INSULIN, pl.ctl_meal_input = TW_T1D_U_CHO;
  if (st == TW_OK) st = tw_sim_result_alloc(&pl, n, &res);
  if (st == TW_OK) st = tw_sim_run_chunk(&pl, 0, r->first_id, n, p, &res);
  if (st == TW_OK) st = score_traj(&res, r, out, stride);
  tw_sim_result_free(&res);
  tw_sim_inputs_free(&in);
  free(state), free(p);
  return st;
}
