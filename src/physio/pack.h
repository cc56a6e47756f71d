/*
** pack.h: the model-pack interface of the mechanistic physiology engine, as
** twinscale's own code sees it.
**
** The pack itself (states, discrete variables, parameters with ranges, inputs,
** observables with units and headline flags, the organ graph, the scenario
** events it consumes, its covariates hook, the observable a CGM measures) and
** the batch it advances are defined once, in the public header
** include/twinscale/pack.h, which packs built outside twinscale compile against.
** This header adds what only the engine uses: lookups by name, the checks, the
** registry (built-in packs, and packs loaded from shared libraries by
** pack_load.c), the OpenMP block dispatcher of the fast paths, and composition.
**
** The math lives in TW_HD functions in the pack's own header (one source for CPU
** and CUDA, DESIGN.md invariant 1). A pack exposes them to the generic engine
** through the per-twin function pointers (host wrappers, used by composed
** models and tests) and through `advance`, its batched CPU fast path, which
** inlines the same TW_HD right-hand side into a loop over twins that the compiler
** vectorises (integrate.h provides the integrator bodies as macros).
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
** Adding a pack: as a shared library, docs/packs.md (no twinscale source
** changes); built in, src/physio/<name>.c defining `const tw_pack tw_pack_<name>`
** plus one line in the table of packs.c (docs/physiology.md, "Adding a pack").
*/
#ifndef TW_PHYSIO_PACK_H
#define TW_PHYSIO_PACK_H

#include "core/defs.h"   /* TW_HD, TW_EXTERN_C_BEGIN/END, fixed-width ints */
#include "core/status.h" /* tw_status */
#include "core/tensor.h" /* tw_dtype */
#include "twinscale/pack.h" /* the pack, its tables, the batch: the public definition */

#include <math.h> /* pow in the PD effect */

TW_EXTERN_C_BEGIN

/* Model composition limits (the pack limits are in twinscale/pack.h). */
#define TW_MODEL_MAX_PARTS 4
#define TW_MODEL_MAX_COUPLINGS 8
#define TW_MODEL_MAX_FLOORS 16

/* The batch's dtype codes are twinscale's own tw_dtype values. */
#ifdef __cplusplus
static_assert((int)TW_F32 == TW_PACK_F32 && (int)TW_F64 == TW_PACK_F64, "batch dtype codes");
#else
_Static_assert((int)TW_F32 == TW_PACK_F32 && (int)TW_F64 == TW_PACK_F64, "batch dtype codes");
#endif

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
** names unique, event inputs, the CGM observable and the body-weight parameter
** declared); run on every registered pack in a unit test and on every loaded
** pack before use. */
tw_status tw_pack_validate(const tw_pack *pack);

/* ---- the registry (packs.c) --------------------------------------------------- */

/* The pack called `name`, or NULL. */
const tw_pack *tw_pack_find(const char *name);
int tw_pack_count(void);
const tw_pack *tw_pack_at(int i);
/* The pack called `name`: a built-in pack, or, when tw_pack_is_path(name), the
** pack in that shared library (tw_pack_load). TW_ERR_INPUT naming the known
** packs when `name` is neither. */
tw_status tw_pack_lookup(const char *name, const tw_pack **out);

/* ---- packs in shared libraries (pack_load.c) ----------------------------------- */

/* True when a `pack:` value names a library rather than a built-in pack: it
** holds a '/' or ends in ".so". */
int tw_pack_is_path(const char *name);
/* Loads the pack in the shared library at `path` (dlopen; a path without '/' is
** taken in the working directory), checks its ABI version and its declaration
** (tw_pack_validate), and keeps it loaded for the life of the process; loading
** the same path again returns the same pack. TW_ERR_INPUT naming the path when
** the library cannot be opened, has no entry symbol, was built for another ABI
** version, declares an invalid pack or reuses a built-in pack's name. */
tw_status tw_pack_load(const char *path, const tw_pack **out);

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

/* A pack's floor (tw_pack_floor) at its state's index in the model's state vector. */
typedef struct tw_model_floor {
  int state;
  double value;
  const char *pack, *name, *why; /* for messages: "t1d", "gp", "plasma glucose fell to 0 mg/dL" */
} tw_model_floor;

typedef struct tw_model {
  int n_parts;
  tw_model_part parts[TW_MODEL_MAX_PARTS];
  int n_couplings;
  tw_coupling couplings[TW_MODEL_MAX_COUPLINGS];
  int n_floors;   /* every part's floors, gathered by tw_model_add_pack */
  tw_model_floor floors[TW_MODEL_MAX_FLOORS];
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
/* The floor twin i's state x (SoA of `dtype`, stride ld) is at or below, or -1:
** the engines' check that a twin is still inside the model's domain. */
int tw_model_floor_reached(const tw_model *m, const void *x, int dtype, int64_t ld, int64_t i);
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
