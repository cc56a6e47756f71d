/*
** pbpk_drug.h: a drug's parameters, and a twin's PBPK parameter vector.
**
** A drug is described by what the PBPK model needs of it: tissue:plasma
** partition coefficients, blood:plasma ratio, fraction unbound, hepatic
** intrinsic clearance, a renal factor, absorption rate and the fraction absorbed.
** Combined with a twin's physiology (pbpk_physiology.h) it gives the twin's
** parameter vector in pack order (pbpk_model.h), in the engine's units (L/min,
** 1/min). Dosing regimens become per-minute inputs through tw_pbpk_dose_inputs.
*/
#ifndef TW_PBPK_DRUG_H
#define TW_PBPK_DRUG_H

#include "core/status.h"            /* tw_status */
#include "physio/pbpk_physiology.h" /* tw_pbpk_physiology, TW_PBPK_N_TISSUES */

TW_EXTERN_C_BEGIN

typedef struct tw_pbpk_drug {
  const char *name;
  double kp[TW_PBPK_N_TISSUES]; /* tissue:plasma partition coefficients (> 0), tw_pbpk_organ order */
  double bp;                    /* blood:plasma concentration ratio (> 0) */
  double fu;                    /* fraction unbound in plasma, (0, 1] */
  double clint_l_per_h;         /* unbound hepatic intrinsic clearance, L/h (>= 0) */
  double renal_factor;          /* renal plasma clearance = renal_factor * fu * GFR (>= 0) */
  double ka_per_h;              /* first-order absorption rate from the gut lumen, 1/h (>= 0) */
  double f_oral;                /* fraction of the lumen outflow absorbed into the gut wall, [0, 1] */
} tw_pbpk_drug;

/* Checks the drug's values (Kp > 0, fu in (0, 1], ...); TW_ERR_INPUT naming the drug
** and the field. */
tw_status tw_pbpk_drug_check(const tw_pbpk_drug *d);

/* Fills p[TW_PBPK_N_PARAMS] for a twin of physiology `ph` taking drug `d`. Fails
** (TW_ERR_INPUT, naming `who`) when the drug is invalid or its renal clearance would
** exceed the kidney's blood flow times BP. */
tw_status tw_pbpk_params(const tw_pbpk_physiology *ph, const tw_pbpk_drug *d, double *p,
                         const char *who);

/* Both steps at once: scales the covariates (tw_pbpk_scale) and fills p. */
tw_status tw_pbpk_twin_params(const tw_pbpk_covariates *c, const tw_pbpk_drug *d, double *p,
                              const char *who);

typedef enum tw_pbpk_route {
  TW_PBPK_IV_BOLUS = 0,   /* the whole dose into venous blood at time_min */
  TW_PBPK_ORAL = 1,       /* the whole dose into the gut lumen at time_min */
  TW_PBPK_IV_INFUSION = 2 /* mg spread evenly over [time_min, time_min + duration_min) */
} tw_pbpk_route;

/* One dose of a regimen. Times are whole minutes (inputs are per minute). */
typedef struct tw_pbpk_dose {
  int route;            /* tw_pbpk_route */
  int64_t time_min;
  double mg;
  int64_t duration_min; /* infusions only, >= 1 */
} tw_pbpk_dose;

/* Adds a dose to the inputs of one twin: u[(m * u_stride_minute) + k * u_stride_input]
** is input k (pbpk_model.h order) of minute m, for m in [0, n_minutes). A negative
** dose, a start outside [0, n_minutes), an infusion running past the end or with a
** duration < 1 is TW_ERR_INPUT naming `who`. */
tw_status tw_pbpk_dose_inputs(const tw_pbpk_dose *dose, int64_t n_minutes, double *u,
                              int64_t u_stride_minute, int64_t u_stride_input, const char *who);

/* "iv_bolus", "oral", "iv_infusion"; and back (-1 when unknown). */
const char *tw_pbpk_route_name(int route);
int tw_pbpk_route_index(const char *name);

TW_EXTERN_C_END

#endif
