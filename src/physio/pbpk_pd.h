/*
** pbpk_pd.h: pharmacodynamic links from a PBPK drug concentration to a
** parameter of another pack (the Emax / sigmoid Emax models).
**
** A PD effect reads the drug concentration C (mg/L) in a named compartment of
** the pbpk part of a twin model ("liver", ..., or "plasma" for venous plasma)
** and scales a named parameter p of another part:
**
**   inhibition:   p_eff = p * (1 - Imax C^h / (IC50^h + C^h)),   0 <= Imax <= 1
**   stimulation:  p_eff = p * (1 + Emax C^h / (EC50^h + C^h)),   Emax >= 0
**
** h = 1 is the plain Emax model. The engine applies it before every
** right-hand-side evaluation (pack.h, "Composition"), so the effect follows the
** concentration within each minute. Example: a drug that lowers endogenous
** glucose production in `t1d` by inhibiting kp1 (configs/simulate-pbpk-t1d.yaml).
*/
#ifndef TW_PBPK_PD_H
#define TW_PBPK_PD_H

#include "core/status.h"  /* tw_status */
#include "physio/pack.h"  /* tw_model */

TW_EXTERN_C_BEGIN

typedef enum tw_pbpk_pd_effect {
  TW_PBPK_PD_INHIBITION = 0,
  TW_PBPK_PD_STIMULATION = 1
} tw_pbpk_pd_effect;

typedef struct tw_pbpk_pd {
  const char *organ;     /* compartment name (tw_pbpk_organ_name) or "plasma" */
  const char *pack;      /* the pack whose parameter is scaled, e.g. "t1d" */
  const char *parameter; /* its parameter, e.g. "kp1" */
  int effect;            /* tw_pbpk_pd_effect */
  double emax;           /* Imax (inhibition, [0, 1]) or Emax (stimulation, >= 0) */
  double ec50_mg_per_l;  /* IC50 / EC50, mg/L, > 0 */
  double hill;           /* Hill coefficient h, > 0 (1: plain Emax) */
} tw_pbpk_pd;

/* Adds the effect to model `m`, which must hold the "pbpk" pack and pd->pack.
** An unknown organ, pack or parameter, or a value out of range, is TW_ERR_INPUT
** naming `who` and the field. */
tw_status tw_pbpk_pd_couple(tw_model *m, const tw_pbpk_pd *pd, const char *who);

/* "inhibition", "stimulation"; NULL out of range. */
const char *tw_pbpk_pd_effect_name(int effect);

TW_EXTERN_C_END

#endif
