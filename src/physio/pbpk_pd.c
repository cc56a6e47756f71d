/*
** pbpk_pd.c: turning a PD effect (pbpk_pd.h) into a coupling of the twin model.
**
** The engine's coupling multiplies a parameter by 1 + emax E(C) with
** E = C^h / (EC50^h + C^h) (pack.h); inhibition is the same with emax = -Imax.
** The source observable of organ X is the pbpk pack's "c_X".
*/
#include "physio/pbpk_pd.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

#include "physio/pbpk_physiology.h" /* organ names */

static const char *const pbpk_pd_effect_names[] = {"inhibition", "stimulation"};

const char *tw_pbpk_pd_effect_name(int effect) {
  return effect >= 0 && effect < (int)TW_ARRAY_LEN(pbpk_pd_effect_names) ? pbpk_pd_effect_names[effect]
                                                                         : NULL;
}

tw_status tw_pbpk_pd_couple(tw_model *m, const tw_pbpk_pd *pd, const char *who) {
  const char *organ = pd->organ ? pd->organ : "";
  if (strcmp(organ, "plasma") != 0 && tw_pbpk_organ_index(organ) < 0) {
    char known[512] = "plasma";
    size_t len = strlen(known);
    for (int o = 0; o < TW_PBPK_N_COMPARTMENTS && len < sizeof known; o++)
      len += (size_t)snprintf(known + len, sizeof known - len, ", %s", tw_pbpk_organ_name(o));
    return TW_FAIL(TW_ERR_INPUT, "%s: unknown organ '%s' for a PD effect (known: %s)", who, organ,
                   known);
  }
  if (!tw_pbpk_pd_effect_name(pd->effect))
    return TW_FAIL(TW_ERR_INPUT, "%s: effect must be inhibition or stimulation", who);
  if (pd->effect == TW_PBPK_PD_INHIBITION && !(pd->emax >= 0.0 && pd->emax <= 1.0))
    return TW_FAIL(TW_ERR_INPUT, "%s: emax = %g: an inhibition's Imax must be in [0, 1]", who, pd->emax);
  if (pd->effect == TW_PBPK_PD_STIMULATION && !(pd->emax >= 0.0 && pd->emax < 1e300))
    return TW_FAIL(TW_ERR_INPUT, "%s: emax = %g: a stimulation's Emax must be >= 0", who, pd->emax);
  if (!(pd->ec50_mg_per_l > 0.0))
    return TW_FAIL(TW_ERR_INPUT, "%s: ec50_mg_per_l = %g must be > 0", who, pd->ec50_mg_per_l);
  if (!(pd->hill > 0.0)) return TW_FAIL(TW_ERR_INPUT, "%s: hill = %g must be > 0", who, pd->hill);
  char obs[64];
  snprintf(obs, sizeof obs, "c_%s", organ);
  const double emax = pd->effect == TW_PBPK_PD_INHIBITION ? -pd->emax : pd->emax;
  const tw_coupling_kind kind = pd->hill == 1.0 ? TW_COUPLE_EMAX : TW_COUPLE_SIGMOID_EMAX;
  tw_status st = tw_model_couple(m, "pbpk", obs, pd->pack ? pd->pack : "", pd->parameter ? pd->parameter : "",
                                 kind, emax, pd->ec50_mg_per_l, pd->hill);
  if (st != TW_OK) {
    char why[512];
    snprintf(why, sizeof why, "%s", tw_error_message());
    tw_error_clear();
    return TW_FAIL(st, "%s: %s", who, why);
  }
  return TW_OK;
}
