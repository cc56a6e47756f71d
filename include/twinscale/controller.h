/*
** twinscale/controller.h: the public interface of an insulin controller in the
** loop, everything needed to write one as a shared library that `twinscale
** simulate` (and the trials) load at run time (`scenario.controller:
** ./libmyctl.so`). docs/controllers.md walks through the shipped example,
** controllers/basal_bolus/basal_bolus.c.
**
** A controller decides, every sensor sample time s (Dexcom: 3 min) and for each
** twin, the insulin the pump delivers until the next decision, from the
** sensor's observation and the carbohydrate announced since the last decision.
** The semantics are simglucose's T1DSimEnv.step:
**   - cgm: the mean of the sensor's per-minute output over the interval (the
**     sensor holds its last sample, so ((s - 1) CGM(t - s) + CGM(t)) / s);
**   - meal: the carbohydrate announced in the interval, in g/min over it (a
**     56 g meal in a 3-minute interval: 18.67 g/min);
**   - the action: a basal and a bolus rate (U/min), held for the next s
**     minutes, each quantised by the pump when the scenario has one; a negative
**     rate is clipped at 0 (by the pump, or by the engine without one).
**
** A controller keeps per-twin state in n_state doubles (at most
** TW_CONTROLLER_MAX_STATE) that twinscale stores with the twin: init fills them
** once before the run from what is known of the twin, act reads and updates
** them at each decision. Both are called for many twins from several threads
** at once, each on its own twin's state: they must not write shared memory.
**
** Writing a controller as a shared library (docs/controllers.md):
**
**     #include "twinscale/controller.h"
**     static const tw_controller my_ctl = {.name = "my_ctl", ...};
**     TW_CONTROLLER_DEFINE_ENTRY(my_ctl)
**
** and build it against this header alone (it includes only <stddef.h>): a
** controller needs no symbol of the twinscale executable. The loader calls the
** entry `twinscale_controller_entry`, refuses a library built for another
** TW_CONTROLLER_ABI_VERSION, and checks the declaration before using it.
**
** This header is also twinscale's own definition of the controller (its
** built-in controllers `bb` and `pid` are declared with it, and the internal
** src/physio/controller.h includes it), so a library sees exactly what the
** engine sees.
*/
#ifndef TWINSCALE_CONTROLLER_H
#define TWINSCALE_CONTROLLER_H

#include <stddef.h> /* size_t */

/* The version of the layout of the structs below and of the entry's contract.
** Bump it on any change to them; a controller built for another is refused. */
#define TW_CONTROLLER_ABI_VERSION 1

/* The ABI a library reports from its entry: TW_CONTROLLER_ABI_VERSION unless
** overridden (twinscale's tests build a stale copy with -DTW_CONTROLLER_ABI_BUILT=0). */
#ifndef TW_CONTROLLER_ABI_BUILT
#define TW_CONTROLLER_ABI_BUILT TW_CONTROLLER_ABI_VERSION
#endif

/* The symbol a controller library exports (TW_CONTROLLER_DEFINE_ENTRY). */
#define TW_CONTROLLER_ENTRY_SYMBOL "twinscale_controller_entry"

/* The most doubles of state a controller keeps per twin. */
#define TW_CONTROLLER_MAX_STATE 8

/* The size of the buffer init may write its refusal into (bytes, with the NUL). */
#define TW_CONTROLLER_ERROR_MAX 256

#ifdef __cplusplus
#define TW_CONTROLLER_C_LINKAGE extern "C"
extern "C" {
#else
#define TW_CONTROLLER_C_LINKAGE
#endif

#if defined(_WIN32)
#define TW_CONTROLLER_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define TW_CONTROLLER_EXPORT __attribute__((visibility("default")))
#else
#define TW_CONTROLLER_EXPORT
#endif

/* scenario.controller_params, the config's gains: the same four numbers for
** every twin (defaults: simglucose's example PID gains). A controller that
** reads them sets uses_gains; any other refuses a config that gives them. */
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
  tw_controller_gains gains; /* the config's scenario.controller_params */
  /* The twin's therapy, for meal and correction boluses: simglucose's
  ** Quest.csv row of the twin's name (the 30 reference patients), or the
  ** twin's own values where twinscale knows them; NaN where unknown (a
  ** controller that needs them refuses the twin from init). */
  double carb_ratio;         /* g of carbohydrate per U (simglucose's CR) */
  double correction_factor;  /* mg/dL of glucose per U (simglucose's CF) */
  /* The reference patient a cohort twin was drawn around (its /cohort/reference),
  ** or NULL: where the twin's own name has no Quest.csv row, its therapy is the
  ** reference patient's (docs/controllers.md). */
  const char *reference;
} tw_controller_twin;

/* The twin's starting state (state: n_state doubles, zeroed before the call).
** Returns 0, or nonzero after writing a one-line reason (naming the twin) into
** error (error_cap bytes, TW_CONTROLLER_ERROR_MAX): the run is refused with it. */
typedef int (*tw_controller_init_fn)(const tw_controller_twin *twin, double *state, char *error,
                                     size_t error_cap);
/* One decision for one twin: cgm (mg/dL) the observation, meal (g/min) the
** carbohydrate announced since the last decision, sample_time (min) the
** interval; writes the basal and the bolus rate (U/min) for the next interval
** and updates state. */
typedef void (*tw_controller_act_fn)(double *state, double cgm, double meal, int sample_time,
                                     double *basal, double *bolus);

typedef struct tw_controller {
  const char *name;    /* its name in messages ("bb", "pid"); a library's must differ from those */
  const char *summary; /* one line */
  int n_state;         /* doubles of state per twin, 0..TW_CONTROLLER_MAX_STATE */
  int uses_gains;      /* 1: init reads twin->gains (scenario.controller_params) */
  tw_controller_init_fn init;
  tw_controller_act_fn act;
} tw_controller;

/* The entry a controller library defines with TW_CONTROLLER_DEFINE_ENTRY(object)
** at file scope: it stores the ABI version the library was built for in
** *abi_version and returns the controller (static storage). */
typedef const tw_controller *(*tw_controller_entry_fn)(int *abi_version);
#define TW_CONTROLLER_DEFINE_ENTRY(controller_object)                                                   \
  TW_CONTROLLER_C_LINKAGE TW_CONTROLLER_EXPORT const tw_controller *twinscale_controller_entry(int *abi_version); \
  TW_CONTROLLER_C_LINKAGE TW_CONTROLLER_EXPORT const tw_controller *twinscale_controller_entry(int *abi_version) { \
    *abi_version = TW_CONTROLLER_ABI_BUILT;                                                             \
    return &(controller_object);                                                                         \
  }

#ifdef __cplusplus
}
#endif

#endif
