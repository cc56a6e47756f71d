/*
** basal_bolus.c: an example insulin controller built as a shared library
** against include/twinscale/controller.h alone (docs/controllers.md).
**
** "Fixed basal plus carb-ratio bolus", the therapy a person with type 1
** diabetes practises, with simglucose's BBController's numbers: the twin's
** steady-state basal all the time, and with each announced meal a bolus of
** carbs / CR plus a correction (CGM - 140) / CF when the CGM is above
** 150 mg/dL, delivered over the sample interval s:
**
**   basal = the twin's reference basal                           U/min
**   bolus = (meal s / CR + [cgm > 150] (cgm - 140) / CF) / s      U/min, when meal > 0
**
** It is written to be the built-in `bb` (src/physio/controller_bb.c) operation
** for operation, so a run with `scenario.controller: ./libtwctl_basal_bolus.so`
** must give the same numbers as `scenario.controller: bb`, to the last bit
** (tests/physio/test_controller_ext.c checks that). Use it as the template of
** your own: change the name, the state and the two functions.
*/
#include "twinscale/controller.h"

#include <math.h>  /* isfinite */
#include <stdio.h> /* snprintf */

/* The per-twin state: three doubles. */
enum { BASAL, CARB_RATIO, CORRECTION_FACTOR, N_STATE };

static const double target = 140.0, correct_above = 150.0; /* mg/dL */

/* The twin's therapy, or a refusal naming it when twinscale knows none. */
static int init(const tw_controller_twin *twin, double *state, char *error, size_t error_cap) {
  const double cr = twin->carb_ratio, cf = twin->correction_factor;
  if (!(cr > 0 && isfinite(cr) && cf > 0 && isfinite(cf))) {
    snprintf(error, error_cap, "twin '%s' has no carbohydrate ratio and correction factor", twin->name);
    return 1;
  }
  state[BASAL] = twin->basal_u_per_min;
  state[CARB_RATIO] = cr;
  state[CORRECTION_FACTOR] = cf;
  return 0;
}

/* One decision: cgm (mg/dL), meal (g/min over the last s minutes). */
static void act(double *state, double cgm, double meal, int sample_time, double *basal, double *bolus) {
  const double s = (double)sample_time;
  double units = 0.0;
  if (meal > 0)
    units = meal * s / state[CARB_RATIO] + (cgm > correct_above ? (cgm - target) / state[CORRECTION_FACTOR] : 0.0);
  *basal = state[BASAL];
  *bolus = units / s;
}

static const tw_controller basal_bolus = {
    .name = "basal_bolus",
    .summary = "fixed basal plus carb-ratio meal boluses with a correction above 150 mg/dL (example library)",
    .n_state = N_STATE,
    .init = init,
    .act = act,
};

TW_CONTROLLER_DEFINE_ENTRY(basal_bolus)
