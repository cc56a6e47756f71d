/*
** controller_bb.c: simglucose's basal-bolus controller (BBController).
**
** The therapy a person with type 1 diabetes practises: the steady-state basal
** rate all the time, and with each meal a bolus of carbs / CR, plus a
** correction (CGM - 140) / CF when the CGM is above 150 mg/dL:
**
**   basal = u2ss BW / 6000                                   U/min
**   bolus = (meal s / CR + [cgm > 150] (cgm - 140) / CF) / s  U/min, only when meal > 0
**
** with meal in g/min over the last interval of s minutes, CR (g/U) and CF
** (mg/dL/U) the twin's (tw_controller_twin: the patient's row of Quest.csv,
** filled by tw_controller_start). simglucose falls back to an "Average" row
** for a name it does not know; here that is an error naming the twin, so that
** no twin is dosed with numbers that are not its own. Checked row by row
** against simglucose's reference trace (tests/physio/test_controller.c).
** controllers/basal_bolus/ is the same controller written against the public
** header alone, as the example of a controller library.
*/
#include "physio/controller.h"

#include <math.h>  /* isfinite */
#include <stdio.h> /* snprintf */

enum { BB_BASAL, BB_CR, BB_CF, BB_N };

static const double bb_target = 140.0, bb_correct_above = 150.0; /* mg/dL, as simglucose */

static int bb_init(const tw_controller_twin *twin, double *state, char *error, size_t error_cap) {
  if (!(twin->carb_ratio > 0 && isfinite(twin->carb_ratio) && twin->correction_factor > 0 &&
        isfinite(twin->correction_factor))) {
    snprintf(error, error_cap, "twin '%s' has no carbohydrate ratio and correction factor "
             "(Quest.csv knows the 30 reference patients only)", twin->name);
    return 1;
  }
  state[BB_BASAL] = twin->basal_u_per_min;
  state[BB_CR] = twin->carb_ratio;
  state[BB_CF] = twin->correction_factor;
  return 0;
}

static void bb_act(double *state, double cgm, double meal, int sample_time, double *basal, double *bolus) {
  const double s = (double)sample_time;
  double units = 0.0;
  if (meal > 0)
    units = meal * s / state[BB_CR] + (cgm > bb_correct_above ? (cgm - bb_target) / state[BB_CF] : 0.0);
  *basal = state[BB_BASAL];
  *bolus = units / s;
}

const tw_controller tw_controller_bb = {
    .name = "bb",
    .summary = "basal-bolus: steady-state basal, meal boluses carbs/CR with a correction above 150 mg/dL (simglucose)",
    .n_state = BB_N,
    .init = bb_init,
    .act = bb_act,
};
