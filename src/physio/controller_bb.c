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
** (mg/dL/U) from the patient's row of Quest.csv (compiled in). simglucose
** falls back to an "Average" row for a name it does not know; here that is an
** error naming the twin, so that no twin is dosed with numbers that are not
** its own. Checked row by row against simglucose's reference trace
** (tests/physio/test_controller.c).
*/
#include "physio/controller.h"

#include "physio/param_table.h" /* tw_t1d_builtin_table: Quest.csv */

enum { BB_BASAL, BB_CR, BB_CF, BB_N };

static const double bb_target = 140.0, bb_correct_above = 150.0; /* mg/dL, as simglucose */

static tw_status bb_init(const tw_controller_twin *twin, double *state) {
  tw_csv q;
  TW_TRY(tw_t1d_builtin_table("Quest.csv", &q));
  const int row = tw_csv_find_name(&q, twin->name);
  tw_status st = TW_OK;
  if (row < 0)
    st = TW_FAIL(TW_ERR_INPUT, "controller bb: twin '%s' has no carbohydrate ratio and correction factor "
                 "(Quest.csv knows the 30 reference patients only)", twin->name);
  else st = tw_csv_number(&q, row, tw_csv_col(&q, "CR"), &state[BB_CR]);
  if (st == TW_OK) st = tw_csv_number(&q, row, tw_csv_col(&q, "CF"), &state[BB_CF]);
  state[BB_BASAL] = twin->basal_u_per_min;
  tw_csv_free(&q);
  return st;
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
