/*
** pbpk_model.h: the whole-body, flow-limited PBPK model's math (TW_HD).
**
** One drug, amounts in mg, volumes in L, flows in L/min, time in min. Each
** tissue T is well stirred and in equilibrium with the blood leaving it
** (flow-limited): its plasma concentration is C_T / Kp_T and the blood leaving
** it carries C_T * BP / Kp_T. docs/pbpk.md writes every equation out; this file
** is the one implementation (CPU loops and CUDA call the same functions).
**
**   venous blood -> lung -> arterial blood -> {heart, brain, muscle, adipose,
**   skin, bone, kidney, rest} -> venous blood;  arterial -> {gut, spleen} ->
**   portal vein -> liver;  arterial -> hepatic artery -> liver -> venous blood.
**
** Elimination: hepatic by the well-stirred model (unbound intrinsic clearance
** acting on the unbound concentration in the liver, fu * C_liver / Kp_liver);
** renal by a plasma clearance acting on the arterial plasma reaching the kidney.
** Oral doses go into a gut-lumen depot emptied at rate ka; a fraction F of what
** leaves it enters the gut wall, the rest is "unabsorbed". IV bolus and infusion
** go into venous blood. The eliminated and unabsorbed amounts are states, so
** body + lumen + eliminated + unabsorbed = dose at all times.
**
** Vectors may be strided: state s of a twin is x[s * xs] (xs = 1 for one twin's
** contiguous vector, xs = ld for the structure-of-arrays batch).
*/
#ifndef TW_PBPK_MODEL_H
#define TW_PBPK_MODEL_H

#include "core/defs.h"               /* TW_HD, TW_RESTRICT, TW_EXTERN_C_BEGIN/END */
#include "physio/pbpk_physiology.h"  /* compartment and flow indices */

TW_EXTERN_C_BEGIN

/* States: the 14 compartment amounts (tw_pbpk_organ order), then these. */
enum {
  TW_PBPK_X_LUMEN = TW_PBPK_N_COMPARTMENTS, /* drug in the gut lumen, mg */
  TW_PBPK_X_ELIM_HEPATIC,                   /* metabolised in the liver so far, mg */
  TW_PBPK_X_ELIM_RENAL,                     /* excreted in urine so far, mg */
  TW_PBPK_X_UNABSORBED,                     /* left the lumen without being absorbed, mg */
  TW_PBPK_N_STATES
};

/* Parameters, per twin. */
enum {
  TW_PBPK_P_V = 0,                                   /* + organ: volume, L */
  TW_PBPK_P_CO = TW_PBPK_P_V + TW_PBPK_N_COMPARTMENTS, /* cardiac output, L/min */
  TW_PBPK_P_F,                                       /* + tw_pbpk_flow: fraction of cardiac output */
  TW_PBPK_P_KP = TW_PBPK_P_F + TW_PBPK_N_FLOWS,      /* + tissue: tissue:plasma partition coefficient */
  TW_PBPK_P_BP = TW_PBPK_P_KP + TW_PBPK_N_TISSUES,   /* blood:plasma concentration ratio */
  TW_PBPK_P_FU,                                      /* fraction unbound in plasma */
  TW_PBPK_P_CLINT,                                   /* unbound hepatic intrinsic clearance, L/min */
  TW_PBPK_P_CLR,                                     /* renal plasma clearance, L/min */
  TW_PBPK_P_KA,                                      /* first-order absorption rate, 1/min */
  TW_PBPK_P_FORAL,                                   /* fraction of the lumen outflow absorbed */
  TW_PBPK_N_PARAMS
};

/* Inputs, per minute. */
enum {
  TW_PBPK_U_IV_BOLUS = 0, /* mg into venous blood at the start of the minute */
  TW_PBPK_U_ORAL,         /* mg into the gut lumen at the start of the minute */
  TW_PBPK_U_INFUSION,     /* mg/min into venous blood during the minute */
  TW_PBPK_N_INPUTS
};

/* Observables: concentrations in each compartment (mg/L; tissue concentration for
** tissues, whole-blood concentration for the blood pools), then these. */
enum {
  TW_PBPK_O_PLASMA = TW_PBPK_N_COMPARTMENTS, /* venous plasma concentration, mg/L */
  TW_PBPK_O_BODY,                            /* drug in the 14 compartments, mg */
  TW_PBPK_O_LUMEN,
  TW_PBPK_O_ELIM_HEPATIC,
  TW_PBPK_O_ELIM_RENAL,
  TW_PBPK_O_UNABSORBED,
  TW_PBPK_N_OBS
};

/* float64 then float32: the same source instantiated twice. */
#define TW_PBPK_REAL double
#define TW_PBPK_FN(name) tw_pbpk_##name##_f64
#include "physio/pbpk_model_impl.h"
#undef TW_PBPK_REAL
#undef TW_PBPK_FN
#define TW_PBPK_REAL float
#define TW_PBPK_FN(name) tw_pbpk_##name##_f32
#include "physio/pbpk_model_impl.h"
#undef TW_PBPK_REAL
#undef TW_PBPK_FN

TW_EXTERN_C_END

#endif
