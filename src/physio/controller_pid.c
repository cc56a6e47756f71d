/*
** controller_pid.c: simglucose's PID controller (PIDController), on the CGM.
**
** At each decision, from the observation bg (mg/dL) and the interval s (min):
**
**   basal = P (bg - target) + I integrated + D (bg - prev) / s   U/min
**   bolus = 0
**   then prev = bg, integrated += (bg - target) s
**
** in simglucose's order of operations (the same double results), starting from
** prev = 0 and integrated = 0 as its reset(): so the first decision carries a
** derivative kick D bg / s. The gains and target come from
** scenario.controller_params (defaults: simglucose's example gains P = 1e-3,
** I = 1e-5, D = 1e-3 with target 140; its constructor's P = 1, I = D = 0 would
** give 10 U/min at 150 mg/dL). Below the target the basal is negative: the
** pump (min_basal 0) or, without one, the engine clips it at 0 (controller.h).
** Checked against the formula and against simglucose in the loop
** (tests/physio/test_controller.c).
*/
#include "physio/controller.h"

enum { PID_P, PID_I, PID_D, PID_TARGET, PID_PREV, PID_INTEGRATED, PID_N };

static int pid_init(const tw_controller_twin *twin, double *state, char *error, size_t error_cap) {
  (void)error, (void)error_cap; /* every twin can be served */
  state[PID_P] = twin->gains.p;
  state[PID_I] = twin->gains.i;
  state[PID_D] = twin->gains.d;
  state[PID_TARGET] = twin->gains.target;
  state[PID_PREV] = 0.0;
  state[PID_INTEGRATED] = 0.0;
  return 0;
}

static void pid_act(double *state, double cgm, double meal, int sample_time, double *basal, double *bolus) {
  (void)meal; /* the PID sees the CGM only */
  const double s = (double)sample_time, error = cgm - state[PID_TARGET];
  *basal = state[PID_P] * error + state[PID_I] * state[PID_INTEGRATED] + state[PID_D] * (cgm - state[PID_PREV]) / s;
  *bolus = 0.0;
  state[PID_PREV] = cgm;
  state[PID_INTEGRATED] += error * s;
}

const tw_controller tw_controller_pid = {
    .name = "pid",
    .summary = "PID on the CGM: basal P (cgm - target) + I integral + D slope, no boluses (simglucose)",
    .n_state = PID_N,
    .uses_gains = 1,
    .init = pid_init,
    .act = pid_act,
};
