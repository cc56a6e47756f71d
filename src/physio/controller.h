/*
** controller.h: insulin controllers in the loop, as simglucose's Controller.
**
** A controller decides every sensor sample time (Dexcom: 3 min), for each
** twin, the insulin the pump delivers until the next decision, from two
** things: the sensor's observation and the carbohydrate announced since the
** last decision. The semantics are simglucose's T1DSimEnv.step, so that its
** controllers can be reproduced exactly:
**   - the observation is the mean of the sensor's per-minute output over the
**     interval; the sensor holds its last sample between samples, so with a
**     sample time s it is ((s - 1) CGM(t - s) + CGM(t)) / s, and CGM(0) at t = 0;
**   - the meal is the carbohydrate announced in the interval, in g/min over it
**     (a 56 g meal in a 3-minute interval: 18.67 g/min);
**   - the action is a basal and a bolus rate (U/min), each quantised by the
**     pump when the scenario has one, held for the next s minutes.
** The engine (simulate.c) feeds the pack input that takes boluses with the
** sum, in place of the scenario's basal and boluses (a config cannot give both).
**
** Adding a controller: one file defining a tw_controller, one line in the table
** of controller.c. Per-twin state lives in the chunk (n_state doubles a twin),
** set by init from the twin's profile and the config's gains.
*/
#ifndef TW_PHYSIO_CONTROLLER_H
#define TW_PHYSIO_CONTROLLER_H

#include "core/status.h" /* tw_status */

TW_EXTERN_C_BEGIN

enum { TW_CONTROLLER_MAX_STATE = 8 };

/* scenario.controller_params: the gains of a controller that has them (pid). */
typedef struct tw_controller_gains {
  double p;      /* U/min per mg/dL */
  double i;      /* U/min per mg/dL min */
  double d;      /* U/min per mg/dL/min */
  double target; /* mg/dL */
} tw_controller_gains;

/* What a controller may know of a twin before the run. */
typedef struct tw_controller_twin {
  const char *name;          /* the twin's name (reference patients: adolescent#001 ...) */
  double basal_u_per_min;    /* the pack's reference basal for the twin (t1d: u2ss BW / 6000) */
  tw_controller_gains gains; /* the config's (read by controllers with uses_gains) */
} tw_controller_twin;

typedef struct tw_controller {
  const char *name;    /* "bb", "pid": the value of scenario.controller */
  const char *summary; /* one line */
  int n_state;         /* doubles of state per twin, <= TW_CONTROLLER_MAX_STATE */
  int uses_gains;      /* 1: init reads twin->gains (scenario.controller_params) */
  /* The twin's starting state; TW_ERR_INPUT naming the twin when the
  ** controller cannot serve it (no carbohydrate ratio known for it). */
  tw_status (*init)(const tw_controller_twin *twin, double *state);
  /* One decision: cgm (mg/dL) the observation, meal (g/min) the carbohydrate
  ** announced since the last decision, sample_time (min) the interval; writes
  ** the basal and bolus rates (U/min) for the next interval. A rate may be
  ** negative (pid below its target): the pump, or without one the engine,
  ** clips it at 0. */
  void (*act)(double *state, double cgm, double meal, int sample_time, double *basal, double *bolus);
} tw_controller;

/* The controller called `name`, or TW_ERR_INPUT naming the known ones. */
tw_status tw_controller_lookup(const char *name, const tw_controller **out);

TW_EXTERN_C_END

#endif
