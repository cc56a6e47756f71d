/*
** pbpk_drug.c: checking a drug, building a twin's PBPK parameters, dosing inputs.
**
** Units change here and only here: drugs are described in L/h and 1/h (how
** clearances and absorption rates are usually reported); the engine runs in
** minutes, so the parameter vector holds L/min and 1/min.
*/
#include "physio/pbpk_drug.h"

#include <math.h>   /* isfinite */
#include <string.h> /* strcmp */

#include "physio/pbpk_model.h" /* parameter and input indices */

static const char *const pbpk_route_names[] = {"iv_bolus", "oral", "iv_infusion"};

static const char *drug_name(const tw_pbpk_drug *d) { return d->name ? d->name : "(unnamed)"; }

tw_status tw_pbpk_drug_check(const tw_pbpk_drug *d) {
  const char *n = drug_name(d);
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++)
    if (!(d->kp[t] > 0.0 && isfinite(d->kp[t])))
      return TW_FAIL(TW_ERR_INPUT, "drug '%s': kp.%s = %g: a partition coefficient must be > 0", n,
                     tw_pbpk_organ_name(t), d->kp[t]);
  if (!(d->bp > 0.0 && isfinite(d->bp)))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': blood_plasma_ratio = %g must be > 0", n, d->bp);
  if (!(d->fu > 0.0 && d->fu <= 1.0))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': fu = %g must be in (0, 1]", n, d->fu);
  if (!(d->clint_l_per_h >= 0.0 && isfinite(d->clint_l_per_h)))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': clint_l_per_h = %g must be >= 0", n, d->clint_l_per_h);
  if (!(d->renal_factor >= 0.0 && isfinite(d->renal_factor)))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': renal_factor = %g must be >= 0", n, d->renal_factor);
  if (!(d->ka_per_h >= 0.0 && isfinite(d->ka_per_h)))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': ka_per_h = %g must be >= 0", n, d->ka_per_h);
  if (!(d->f_oral >= 0.0 && d->f_oral <= 1.0))
    return TW_FAIL(TW_ERR_INPUT, "drug '%s': f_oral = %g must be in [0, 1]", n, d->f_oral);
  return TW_OK;
}

tw_status tw_pbpk_params(const tw_pbpk_physiology *ph, const tw_pbpk_drug *d, double *p,
                         const char *who) {
  TW_TRY(tw_pbpk_drug_check(d));
  for (int o = 0; o < TW_PBPK_N_COMPARTMENTS; o++) p[TW_PBPK_P_V + o] = ph->volume_l[o];
  p[TW_PBPK_P_CO] = ph->cardiac_output_l_per_min;
  for (int f = 0; f < TW_PBPK_N_FLOWS; f++) p[TW_PBPK_P_F + f] = ph->flow_fraction[f];
  for (int t = 0; t < TW_PBPK_N_TISSUES; t++) p[TW_PBPK_P_KP + t] = d->kp[t];
  p[TW_PBPK_P_BP] = d->bp;
  p[TW_PBPK_P_FU] = d->fu;
  p[TW_PBPK_P_CLINT] = d->clint_l_per_h / 60.0;
  /* Filtration clearance of unbound drug, times the drug's net secretion/reabsorption factor. */
  double clr = d->renal_factor * d->fu * ph->gfr_ml_min / 1000.0;
  double q_kidney = ph->flow_fraction[TW_PBPK_F_KIDNEY] * ph->cardiac_output_l_per_min;
  if (clr > q_kidney * d->bp)
    return TW_FAIL(TW_ERR_INPUT,
                   "%s: drug '%s': renal clearance %g L/min (renal_factor %g * fu %g * GFR %g mL/min) "
                   "exceeds what renal blood flow %g L/min can carry (times BP %g)",
                   who, drug_name(d), clr, d->renal_factor, d->fu, ph->gfr_ml_min, q_kidney, d->bp);
  p[TW_PBPK_P_CLR] = clr;
  p[TW_PBPK_P_KA] = d->ka_per_h / 60.0;
  p[TW_PBPK_P_FORAL] = d->f_oral;
  return TW_OK;
}

tw_status tw_pbpk_twin_params(const tw_pbpk_covariates *c, const tw_pbpk_drug *d, double *p,
                              const char *who) {
  tw_pbpk_physiology ph;
  TW_TRY(tw_pbpk_scale(c, &ph, who));
  return tw_pbpk_params(&ph, d, p, who);
}

tw_status tw_pbpk_dose_inputs(const tw_pbpk_dose *dose, int64_t n_minutes, double *u,
                              int64_t u_stride_minute, int64_t u_stride_input, const char *who) {
  const char *route = tw_pbpk_route_name(dose->route);
  if (!route) return TW_FAIL(TW_ERR_INPUT, "%s: unknown dose route %d", who, dose->route);
  if (!(dose->mg >= 0.0 && isfinite(dose->mg)))
    return TW_FAIL(TW_ERR_INPUT, "%s: %s dose of %g mg: a dose must be >= 0 mg", who, route, dose->mg);
  if (dose->time_min < 0 || dose->time_min >= n_minutes)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s dose at minute %lld is outside the simulation [0, %lld)",
                   who, route, (long long)dose->time_min, (long long)n_minutes);
  double *at = u + dose->time_min * u_stride_minute;
  if (dose->route == TW_PBPK_IV_BOLUS) {
    at[TW_PBPK_U_IV_BOLUS * u_stride_input] += dose->mg;
  } else if (dose->route == TW_PBPK_ORAL) {
    at[TW_PBPK_U_ORAL * u_stride_input] += dose->mg;
  } else {
    if (dose->duration_min < 1 || dose->time_min + dose->duration_min > n_minutes)
      return TW_FAIL(TW_ERR_INPUT,
                     "%s: infusion from minute %lld for %lld min must last >= 1 min and end by "
                     "minute %lld",
                     who, (long long)dose->time_min, (long long)dose->duration_min,
                     (long long)n_minutes);
    double rate = dose->mg / (double)dose->duration_min;
    for (int64_t m = 0; m < dose->duration_min; m++)
      at[m * u_stride_minute + TW_PBPK_U_INFUSION * u_stride_input] += rate;
  }
  return TW_OK;
}

const char *tw_pbpk_route_name(int route) {
  return route >= 0 && route < (int)TW_ARRAY_LEN(pbpk_route_names) ? pbpk_route_names[route] : NULL;
}

int tw_pbpk_route_index(const char *name) {
  for (int r = 0; r < (int)TW_ARRAY_LEN(pbpk_route_names); r++)
    if (!strcmp(name, pbpk_route_names[r])) return r;
  return -1;
}
