/*
** twinscale/pack.h: the public interface of a twinscale model pack, everything
** needed to write one as a shared library that `twinscale simulate` loads at
** run time (`pack: ./libmypack.so`). docs/packs.md walks through an example.
**
** A pack is one mechanistic model described as data plus a few functions:
**
**   - state variables    (name, unit, organ node): integrated by the ODE solvers;
**   - discrete variables (name, unit): per-twin bookkeeping held constant over a
**     minute and updated once at the start of each minute (t1d: the meal being
**     eaten; a pack can also add a bolus to a state there);
**   - parameters         (name, unit, valid range [lo, hi]): per twin, checked on
**     input, read from a `twins: {table: ...}` CSV (one column per parameter), a
**     compiled-in reference table, or computed from covariates by a hook;
**   - inputs             (name, unit): piecewise constant per minute, filled by the
**     scenario: either through the event kinds the pack declares it consumes
**     (meals, boluses, basal insulin, drug doses) or by name (`scenario.inputs`);
**   - observables        (name, unit, organ node, headline): functions of the state
**     written to /trajectories; headline ones are also summarised on the terminal;
**   - the organ graph    (nodes, weighted directed edges; a weight may be a
**     per-twin parameter, e.g. a blood flow).
**
** Layout: every per-twin array of a batch is structure-of-arrays, [variable][twin]
** with leading dimension `ld` >= the number of twins: x[s * ld + i] is state s of
** twin i; per-minute inputs are (n_minutes, n_inputs, ld). The per-twin entry
** points below take contiguous vectors of ONE twin instead.
**
** Time is in minutes. A run advances every twin minute by minute: at the start
** of minute m the engine calls minute_*(m, x, p, u, d) (u: the inputs of minute
** m), then integrates dx/dt = rhs_*(x, p, u, d) over [m, m + 1) with RK4 or
** DOPRI5 (the config's `integrator:`); observe_* maps a state to observables.
**
** Writing a pack as a shared library (docs/packs.md):
**
**     #include "twinscale/pack.h"
**     static const tw_pack my_pack = {.name = "mypack", ...};
**     TW_PACK_DEFINE_ENTRY(my_pack)
**
** and build it against this header alone (it includes only the C library): a
** pack needs no symbol from the twinscale executable. The loader calls the
** entry `twinscale_pack_entry`, refuses a pack whose ABI version differs from
** TW_PACK_ABI_VERSION, and checks the declaration before using it.
**
** This header is also twinscale's own definition of these types (its internal
** src/physio/pack.h includes it), so a pack built against it sees exactly what
** the engine sees.
*/
#ifndef TWINSCALE_PACK_H
#define TWINSCALE_PACK_H

#include <stdint.h> /* int64_t, int32_t */

/* The version of the layout of every struct below and of the entry's contract.
** Bump it on any change to them; a pack built for another version is refused. */
#define TW_PACK_ABI_VERSION 2

/* The ABI a pack reports from its entry: TW_PACK_ABI_VERSION unless overridden
** (twinscale's tests build a deliberately stale copy with -DTW_PACK_ABI_BUILT=0). */
#ifndef TW_PACK_ABI_BUILT
#define TW_PACK_ABI_BUILT TW_PACK_ABI_VERSION
#endif

/* The symbol a pack library exports, and its type: it stores the ABI version the
** pack was built for in *abi_version and returns the pack (static storage). */
#define TW_PACK_ENTRY_SYMBOL "twinscale_pack_entry"

/* TW_HD marks math shared by CPU loops and CUDA kernels; identical to
** src/core/defs.h (a repeated identical definition is allowed). */
#ifndef TW_HD
#if defined(__CUDACC__)
#define TW_HD __host__ __device__ __forceinline__
#else
#define TW_HD static inline
#endif
#endif

#ifndef TW_EXTERN_C_BEGIN
#ifdef __cplusplus
#define TW_EXTERN_C_BEGIN extern "C" {
#define TW_EXTERN_C_END }
#else
#define TW_EXTERN_C_BEGIN
#define TW_EXTERN_C_END
#endif
#endif

#ifdef __cplusplus
#define TW_PACK_C_LINKAGE extern "C"
#else
#define TW_PACK_C_LINKAGE
#endif

#if defined(_WIN32)
#define TW_PACK_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define TW_PACK_EXPORT __attribute__((visibility("default")))
#else
#define TW_PACK_EXPORT
#endif

TW_EXTERN_C_BEGIN

/* Limits that let per-twin scratch live on the stack (no allocation per twin). */
#define TW_PACK_MAX_STATES 128
#define TW_PACK_MAX_PARAMS 256
#define TW_PACK_MAX_INPUTS 32
#define TW_PACK_MAX_DISC 32
#define TW_PACK_MAX_OBS 64

/* ---- the declaration's tables --------------------------------------------------- */

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

/* An observable: a function of (state, parameters, discrete variables). A
** headline observable is one a run summarises on the terminal (mean, min, max
** per twin); every observable is written to the results file. */
typedef struct tw_pack_obs {
  const char *name;
  const char *unit;
  int node; /* organ node it belongs to, -1: none */
  const char *description;
  int headline; /* 1: summarised on the terminal */
} tw_pack_obs;

/* A directed edge of the organ graph, from -> to. Its weight is `weight`, or
** when weight_param >= 0 that parameter's per-twin value (a blood-flow fraction). */
typedef struct tw_pack_edge {
  int from, to;
  double weight;
  int weight_param;
} tw_pack_edge;

/* A floor of a state: a twin whose state `state` is at or below `value` has
** left the domain the model describes (t1d: plasma glucose at 0, from where
** simglucose's equations never recover). The engine checks floors at every
** sample, flags the twin TW_TWIN_DOMAIN and stops it there, as it does a
** failed integration; `why` is the reason printed with the twin's name. */
typedef struct tw_pack_floor {
  const char *state; /* name of one of the pack's states */
  double value;      /* in the state's unit */
  const char *why;   /* "plasma glucose fell to 0 mg/dL" */
} tw_pack_floor;

/* Scenario events a pack can consume. Each becomes "amount per minute" on one
** input of the pack over [t, t + duration): */
typedef enum tw_pack_event_kind {
  TW_EVENT_MEAL = 0,             /* scenario.meals: carbs_g (g) at time_min, duration 1 */
  TW_EVENT_BOLUS = 1,            /* scenario.boluses: units (U) -> U/min during [t, t+1); pump-quantised */
  TW_EVENT_BASAL = 2,            /* scenario.basal_u_per_h: a per-twin constant rate in U/min (the
                                    pack's `basal` hook gives it for `reference`); pump-quantised */
  TW_EVENT_DOSE_ORAL = 3,        /* scenario.doses, route oral: mg at time_min, duration 1 */
  TW_EVENT_DOSE_IV_BOLUS = 4,    /* scenario.doses, route iv_bolus: mg at time_min, duration 1 */
  TW_EVENT_DOSE_IV_INFUSION = 5, /* scenario.doses, route iv_infusion: mg / duration_min mg/min */
  TW_EVENT_N_KINDS = 6
} tw_pack_event_kind;

/* "Events of `kind` go to my input `input`" (each kind at most once per pack). */
typedef struct tw_pack_event {
  int kind;          /* tw_pack_event_kind */
  const char *input; /* name of one of the pack's inputs */
} tw_pack_event;

/* Reference twins compiled into a pack: a CSV table with a Name column and one
** column per parameter, as text lines (header first). `twins: {reference: [...]}`
** picks rows by name. */
typedef struct tw_pack_reference {
  const char *source;        /* file name for messages, e.g. "vpatient_params.csv" */
  const char *const *lines;  /* (*n_lines) CSV lines */
  const int *n_lines;
  const char *known;         /* the names, for messages: "adult#001..#010, ..." */
} tw_pack_reference;

/* What a covariates hook knows of one twin. */
typedef struct tw_pack_twin {
  const char *name;      /* the twin's name (a reference name, a subject's name) */
  const char *who;       /* "twin 3 (p1)", for messages */
  int has_covariates;    /* 1: the config's twins.subjects gave the fields below */
  int sex;               /* 0 male, 1 female */
  double age_y, weight_kg, height_cm, egfr; /* y, kg, cm, mL/min/1.73m2 */
  double body_weight_kg; /* another pack's body-weight parameter of this twin (kg), 0: none */
  const void *drug;      /* the run's drug (drugs[0]) as twinscale's tw_pbpk_drug
                            (src/physio/pbpk_drug.h), NULL when there is none */
} tw_pack_twin;

/* ---- integration options and the batch a pack advances -------------------------- */

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
  TW_TWIN_MAX_STEPS = 3,  /* DOPRI5 needed more than max_steps in one minute */
  TW_TWIN_DOMAIN = 4      /* a state reached one of the pack's floors (tw_pack_floor):
                             the twin left the domain the model describes */
} tw_twin_flag;

/* The floating-point type of a batch (the values of twinscale's TW_F32, TW_F64). */
enum { TW_PACK_F32 = 0, TW_PACK_F64 = 1 };

/* A chunk of twins of one pack (or one model) on the host, SoA with stride ld. */
typedef struct tw_physio_batch {
  int dtype;              /* TW_PACK_F32 or TW_PACK_F64: the type of x, p, d, u, h */
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

/* ---- the pack ------------------------------------------------------------------- */

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
** at minute `minute` (each minute: the pack's minute update, then integration over
** [minute, minute+1) with the inputs of that minute). Returns 0, or a nonzero
** twinscale status code (twinscale's own packs; the message is in its error
** state). NULL: the engine integrates twin by twin with the per-twin functions. */
typedef int (*tw_pack_advance_fn)(const tw_pack *pack, tw_physio_batch *b, int64_t minute,
                                  int n_minutes);
/* A twin's reference basal rate of the input that TW_EVENT_BASAL feeds (U/min),
** from its parameters p (n_params); used for `basal_u_per_h: reference`. */
typedef double (*tw_pack_basal_fn)(const double *p);
/* A twin's parameters p (n_params) from its covariates; 0 on success, or a
** nonzero twinscale status code (the message set through twinscale's error
** state by its own packs; a generic message otherwise). */
typedef int (*tw_pack_covariates_fn)(const tw_pack_twin *twin, double *p);

struct tw_pack {
  const char *name;    /* "t1d", "pbpk": the pack's name in outputs and couplings */
  const char *summary; /* one line */

  int n_states;  const tw_pack_var *states;
  int n_disc;    const tw_pack_var *disc;
  int n_params;  const tw_pack_param *params;
  int n_inputs;  const tw_pack_input *inputs;
  int n_obs;     const tw_pack_obs *obs;
  int n_nodes;   const char *const *nodes;
  int n_edges;   const tw_pack_edge *edges;

  /* Initial state and discrete variables of a twin from its parameters. */
  tw_pack_init_f64_fn init_f64;

  tw_pack_minute_f64_fn minute_f64;
  tw_pack_rhs_f64_fn rhs_f64;
  tw_pack_observe_f64_fn observe_f64;
  tw_pack_minute_f32_fn minute_f32;
  tw_pack_rhs_f32_fn rhs_f32;
  tw_pack_observe_f32_fn observe_f32;

  tw_pack_advance_fn advance; /* may be NULL (packs built outside twinscale: NULL) */

  /* ---- what setting up a run reads (every field may be 0/NULL: not used) ---- */
  int n_events; const tw_pack_event *events; /* scenario events this pack consumes */
  tw_pack_basal_fn basal;                    /* reference basal, for TW_EVENT_BASAL */
  const tw_pack_reference *reference;        /* compiled-in reference twins */
  tw_pack_covariates_fn from_covariates;     /* parameters from covariates when the
                                                twins come without a parameter table */
  int needs_drug;                            /* 1: from_covariates needs drugs[0] */
  const char *body_weight_param;             /* parameter that is body weight (kg),
                                                offered to other packs' covariates */
  const char *cgm_obs;                       /* observable a CGM measures (mg/dL) */
  int n_floors; const tw_pack_floor *floors; /* where a twin leaves the model's domain */
};

/* The entry a pack library defines: `TW_PACK_DEFINE_ENTRY(my_pack)` at file scope. */
typedef const tw_pack *(*tw_pack_entry_fn)(int *abi_version);
#define TW_PACK_DEFINE_ENTRY(pack_object)                                  \
  TW_PACK_C_LINKAGE TW_PACK_EXPORT const tw_pack *twinscale_pack_entry(int *abi_version); \
  TW_PACK_C_LINKAGE TW_PACK_EXPORT const tw_pack *twinscale_pack_entry(int *abi_version) { \
    *abi_version = TW_PACK_ABI_BUILT;                                      \
    return &(pack_object);                                                 \
  }

TW_EXTERN_C_END

#endif
