/*
** pack.h: the model-pack interface of the mechanistic physiology engine.
**
** A pack is one mechanistic model (the UVA/Padova T1D model, a whole-body PBPK
** model, ...) described as data plus a few functions:
**
**   - state variables   (name, unit, organ node): integrated by the ODE solvers;
**   - discrete variables (name, unit): per-twin bookkeeping held constant over a
**     minute and updated once at the start of each minute (t1d: the meal being
**     eaten, the stomach content when it started; pbpk: nothing, or the dose
**     being infused). This is how a pack expresses the "action held constant
**     for one minute" semantics of simglucose and the dosing events of PBPK;
**   - parameters        (name, unit, valid range): per twin, checked on input;
**   - inputs            (name, unit): piecewise constant per minute, filled by the
**     scenario (carbohydrate announced, insulin rate, drug doses);
**   - observables       (name, unit, organ node): functions of the state, written
**     to the trajectories and usable as the source of a PD coupling;
**   - the organ graph   (nodes that own states, weighted directed edges; a weight
**     may be a per-twin parameter, e.g. a blood flow).
**
** The math lives in TW_HD functions in the pack's own header (one source for CPU
** and CUDA, DESIGN.md invariant 1). A pack exposes them to the generic engine
** through the per-twin function pointers below (host wrappers, used by composed
** models and tests) and through `advance`, its batched CPU fast path, which
** inlines the same TW_HD right-hand side into a loop over twins that the compiler
** vectorises (integrate.h provides the integrator bodies as macros).
**
** Layout (DESIGN.md invariant 5): every per-twin array is structure-of-arrays,
** [variable][twin] with a leading dimension `ld` >= the number of twins, so that
** x[s * ld + i] is state s of twin i. Per-minute inputs are (n_minutes, n_inputs,
** ld): u[(m * n_inputs + k) * ld + i].
**
** Composition. One twin may run several packs at once (t1d + pbpk): a tw_model is
** a list of parts, each a pack with offsets into the twin's concatenated state,
** parameter, input, discrete and observable vectors, plus couplings. A coupling is
** a pharmacodynamic link: an observable of one part (a drug concentration in a
** named organ, mg/L) scales a named parameter of another part (kp1 of t1d) by
**     p_eff = p * (1 + E(c)),   E(c) = emax * c^h / (ec50^h + c^h)
** (emax < 0 inhibits; h = 1 is the plain Emax model). Couplings are applied before
** every right-hand-side evaluation, on a per-twin copy of the parameters, so the
** effect follows the concentration within a minute as well. model.c holds the
** generic per-twin integrator for composed models; a model of one pack and no
** coupling takes the pack's batched fast path.
**
** Adding a pack: write src/physio/<name>.c defining `const tw_pack tw_pack_<name>`
** (and its TW_HD math in <name>.h), then add one line to the table in packs.c.
** docs/physiology.md walks through the t1d and pbpk packs as examples.
*/
#ifndef TW_PHYSIO_PACK_H
#define TW_PHYSIO_PACK_H

#include "core/defs.h"   /* TW_HD, TW_EXTERN_C_BEGIN/END, fixed-width ints */
#include "core/status.h" /* tw_status */
#include "core/tensor.h" /* tw_dtype */

#include <math.h> /* pow in the PD effect */

TW_EXTERN_C_BEGIN

/* Limits that let per-twin scratch live on the stack (no allocation per twin). */
#define TW_PACK_MAX_STATES 128
#define TW_PACK_MAX_PARAMS 256
#define TW_PACK_MAX_INPUTS 32
#define TW_PACK_MAX_DISC 32
#define TW_PACK_MAX_OBS 64
#define TW_MODEL_MAX_PARTS 4
#define TW_MODEL_MAX_COUPLINGS 8

/* A state or discrete variable. `node` indexes the pack's organ nodes (-1: none). */
typedef struct tw_pack_var {
  const char *name;
  const char *unit;
  int node;
  const char *description;
} tw_pack_var;

/* A parameter and the closed range [lo, hi] a twin's value must lie in. */
typedef struct tw_pack_param {
  const char *name;
  const char *unit;
  double lo, hi;
  const char *description;
} tw_pack_param;

/* An input, piecewise constant over each minute. */
typedef struct tw_pack_input {
  const char *name;
  const char *unit;
  const char *description;
} tw_pack_input;

/* An observable: a function of (state, parameters, discrete variables). */
typedef struct tw_pack_obs {
  const char *name;
  const char *unit;
  int node; /* organ node it belongs to, -1: none */
  const char *description;
} tw_pack_obs;

/* A directed edge of the organ graph, from -> to. Its weight is `weight`, or
** when weight_param >= 0 that parameter's per-twin value (a blood-flow fraction). */
typedef struct tw_pack_edge {
  int from, to;
  double weight;
  int weight_param;
} tw_pack_edge;

/* ---- integration options and the batch a pack advances ---------------------- */

typedef enum tw_integrator_kind {
  TW_INTEG_RK4 = 0,   /* fixed-step classical Runge-Kutta, `substeps` steps per minute */
  TW_INTEG_DOPRI5 = 1 /* adaptive Dormand-Prince 5(4), per-twin step control */
} tw_integrator_kind;

typedef struct tw_integrator_opts {
  tw_integrator_kind kind;
  int substeps;        /* RK4: steps per minute (>= 1) */
  double rtol, atol;   /* DOPRI5: tolerances (scipy's dopri5 defaults: 1e-6, 1e-12) */
  double h_min;        /* DOPRI5: a step below this (min) is an underflow failure */
  int max_steps;       /* DOPRI5: most steps in one minute before failing */
} tw_integrator_opts;

/* Per-twin status after integration; a flagged twin is frozen (its state no
** longer changes) and reported, the others continue. */
typedef enum tw_twin_flag {
  TW_TWIN_OK = 0,
  TW_TWIN_NONFINITE = 1,  /* a state became NaN or infinite */
  TW_TWIN_UNDERFLOW = 2,  /* DOPRI5 step size fell below h_min */
  TW_TWIN_MAX_STEPS = 3   /* DOPRI5 needed more than max_steps in one minute */
} tw_twin_flag;

/* A chunk of twins of one pack (or one model) on the host, SoA with stride ld. */
typedef struct tw_physio_batch {
  tw_dtype dtype;         /* TW_F32 or TW_F64: the type of x, p, d, u */
  int64_t n;              /* twins in the batch */
  int64_t ld;             /* leading dimension (>= n) of every array below */
  int64_t first_twin_id;  /* global id of twin 0 of the batch (for messages) */
  void *x;                /* (n_states, ld) state, advanced in place */
  const void *p;          /* (n_params, ld) parameters */
  void *d;                /* (n_disc, ld) discrete variables, updated in place */
  const void *u;          /* (n_minutes, n_inputs, ld) inputs of the minutes advanced */
  int32_t *flag;          /* (n) tw_twin_flag per twin */
  tw_integrator_opts opts;
  void *h;                /* (n) DOPRI5 step size per twin (min, type dtype), carried
                             from call to call; NULL: every minute starts at 1 min */
} tw_physio_batch;

/* ---- the pack ----------------------------------------------------------------- */

typedef struct tw_pack tw_pack;

/* Per-twin entry points: contiguous vectors for ONE twin (not SoA). `minute` is
** the index of the minute that starts; it may change x (a bolus dose) and d. */
typedef void (*tw_pack_init_f64_fn)(const double *p, double *x, double *d);
typedef void (*tw_pack_minute_f64_fn)(int64_t minute, double *x, const double *p,
                                      const double *u, double *d);
typedef void (*tw_pack_rhs_f64_fn)(const double *x, const double *p, const double *u,
                                   const double *d, double *dx);
typedef void (*tw_pack_observe_f64_fn)(const double *x, const double *p, const double *d,
                                       double *obs);
typedef void (*tw_pack_minute_f32_fn)(int64_t minute, float *x, const float *p,
                                      const float *u, float *d);
typedef void (*tw_pack_rhs_f32_fn)(const float *x, const float *p, const float *u,
                                   const float *d, float *dx);
typedef void (*tw_pack_observe_f32_fn)(const float *x, const float *p, const float *d,
                                       float *obs);
/* Batched fast path: advance every twin of `b` by n_minutes whole minutes starting
** at minute `minute` (each minute: the pack's minute update, then integration
** over [minute, minute+1) with the inputs of that minute). NULL: the engine uses
** the generic per-twin path of model.c. */
typedef tw_status (*tw_pack_advance_fn)(const tw_pack *pack, tw_physio_batch *b,
                                        int64_t minute, int n_minutes);

/* One block of a fast path: advance twins [i0, i1) of `b` by n_minutes. */
typedef void (*tw_pack_range_fn)(tw_physio_batch *b, int n_minutes, int64_t i0, int64_t i1);
/* The range functions of a fast path, by precision (index: 0 float64, 1 float32)
** and integrator (0 RK4, 1 DOPRI5). */
typedef struct tw_pack_ranges {
  tw_pack_range_fn fn[2][2];
} tw_pack_ranges;

/* What every pack's fast path does around its arithmetic: checks the batch
** (dtype, RK4 substeps; `who` names the pack in errors) and runs the range
** function for its precision and integrator over blocks of `block` twins, one
** OpenMP work item per block. */
tw_status tw_pack_advance_blocks(const char *who, const tw_pack_ranges *ranges, int64_t block,
                                 tw_physio_batch *b, int n_minutes);

struct tw_pack {
  const char *name;    /* "t1d", "pbpk": the `pack:` value of a simulate config */
  const char *summary; /* one line */

  int n_states;  const tw_pack_var *states;
  int n_disc;    const tw_pack_var *disc;
  int n_params;  const tw_pack_param *params;
  int n_inputs;  const tw_pack_input *inputs;
  int n_obs;     const tw_pack_obs *obs;
  int n_nodes;   const char *const *nodes;
  int n_edges;   const tw_pack_edge *edges;

  /* Initial state and discrete variables of a twin from its parameters (e.g. the
  ** steady state stored with the t1d patients). */
  tw_pack_init_f64_fn init_f64;

  tw_pack_minute_f64_fn minute_f64;
  tw_pack_rhs_f64_fn rhs_f64;
  tw_pack_observe_f64_fn observe_f64;
  tw_pack_minute_f32_fn minute_f32;
  tw_pack_rhs_f32_fn rhs_f32;
  tw_pack_observe_f32_fn observe_f32;

  tw_pack_advance_fn advance; /* may be NULL */
};

/* Index of the variable/parameter/input/observable/node called `name`, or -1. */
int tw_pack_state_index(const tw_pack *pack, const char *name);
int tw_pack_disc_index(const tw_pack *pack, const char *name);
int tw_pack_param_index(const tw_pack *pack, const char *name);
int tw_pack_input_index(const tw_pack *pack, const char *name);
int tw_pack_obs_index(const tw_pack *pack, const char *name);
int tw_pack_node_index(const tw_pack *pack, const char *name);

/* True when v is a finite value inside parameter k's declared range. */
int tw_pack_param_ok(const tw_pack *pack, int k, double v);

/* Checks a twin's parameter vector against the declared ranges; the message names
** the twin (`who`), the parameter, its value and the range. TW_ERR_INPUT. */
tw_status tw_pack_check_params(const tw_pack *pack, const double *p, const char *who);

/* Checks the declaration itself (sizes within limits, nodes and edges in range,
** names unique); packs.c runs it on every registered pack in a unit test. */
tw_status tw_pack_validate(const tw_pack *pack);

/* ---- the registry (packs.c) --------------------------------------------------- */

/* The pack called `name`, or NULL. */
const tw_pack *tw_pack_find(const char *name);
int tw_pack_count(void);
const tw_pack *tw_pack_at(int i);
/* TW_ERR_INPUT naming the known packs when `name` is not one of them. */
tw_status tw_pack_lookup(const char *name, const tw_pack **out);

/* ---- composition: one twin running several packs ------------------------------ */

typedef enum tw_coupling_kind {
  TW_COUPLE_EMAX = 0,         /* E = emax c / (ec50 + c) */
  TW_COUPLE_SIGMOID_EMAX = 1  /* E = emax c^h / (ec50^h + c^h) */
} tw_coupling_kind;

typedef struct tw_model_part {
  const tw_pack *pack;
  /* offsets of this part's block in the twin's concatenated vectors */
  int x_off, p_off, u_off, d_off, o_off;
} tw_model_part;

/* The observable `src_obs` of part `src_part` (a concentration, mg/L) scales the
** parameter `dst_param` of part `dst_part` by 1 + E(c). */
typedef struct tw_coupling {
  int src_part, src_obs;
  int dst_part, dst_param;
  tw_coupling_kind kind;
  double emax, ec50, hill;
} tw_coupling;

typedef struct tw_model {
  int n_parts;
  tw_model_part parts[TW_MODEL_MAX_PARTS];
  int n_couplings;
  tw_coupling couplings[TW_MODEL_MAX_COUPLINGS];
  /* totals: sizes of the concatenated per-twin vectors */
  int n_states, n_params, n_inputs, n_disc, n_obs;
} tw_model;

/* The multiplicative factor 1 + E(c) of a coupling; c < 0 (round-off) counts as 0. */
TW_HD double tw_coupling_factor(int kind, double emax, double ec50, double hill, double c) {
  if (c <= 0.0) return 1.0;
  if (kind == TW_COUPLE_EMAX) return 1.0 + emax * c / (ec50 + c);
  double ch = pow(c, hill), eh = pow(ec50, hill);
  return 1.0 + emax * ch / (eh + ch);
}

/* An empty model. */
void tw_model_init(tw_model *m);
/* Appends a pack as a new part; its index is written to *part (may be NULL). */
tw_status tw_model_add_pack(tw_model *m, const tw_pack *pack, int *part);
/* Appends a coupling after checking indexes, ec50 > 0 and hill > 0. */
tw_status tw_model_add_coupling(tw_model *m, const tw_coupling *c);
/* Adds a coupling by names: observable `src_obs` of the part running pack
** `src_pack` scales parameter `dst_param` of the part running `dst_pack`.
** TW_ERR_INPUT naming whichever name is unknown. */
tw_status tw_model_couple(tw_model *m, const char *src_pack, const char *src_obs,
                          const char *dst_pack, const char *dst_param, tw_coupling_kind kind,
                          double emax, double ec50, double hill);
/* Index of the part running the pack called `pack_name`, or -1. */
int tw_model_part_index(const tw_model *m, const char *pack_name);

/* Per-twin model functions on concatenated vectors. `p_scratch` holds n_params
** values: the parameters after the couplings (model.c). */
void tw_model_init_twin_f64(const tw_model *m, const double *p, double *x, double *d);
void tw_model_minute_f64(const tw_model *m, int64_t minute, double *x, const double *p,
                         const double *u, double *d);
void tw_model_rhs_f64(const tw_model *m, const double *x, const double *p, const double *u,
                      const double *d, double *p_scratch, double *dx);
void tw_model_observe_f64(const tw_model *m, const double *x, const double *p, const double *d,
                          double *obs);
void tw_model_minute_f32(const tw_model *m, int64_t minute, float *x, const float *p,
                         const float *u, float *d);
void tw_model_rhs_f32(const tw_model *m, const float *x, const float *p, const float *u,
                      const float *d, float *p_scratch, float *dx);
void tw_model_observe_f32(const tw_model *m, const float *x, const float *p, const float *d,
                          float *obs);

/* Advances a batch of the model's twins by n_minutes from `minute` (the batch's
** arrays use the model's concatenated sizes). Takes the pack's fast path when the
** model is one pack without couplings and the pack has one; otherwise integrates
** twin by twin with tw_model_rhs_*. Twins whose integration fails are flagged in
** b->flag and frozen; the call itself fails only on bad arguments. OpenMP runs
** over twins inside. */
tw_status tw_model_advance(const tw_model *m, tw_physio_batch *b, int64_t minute, int n_minutes);

TW_EXTERN_C_END

#endif
