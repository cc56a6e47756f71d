/*
** sensor.h: the CGM sensor and insulin pump of simglucose (sensor/cgm.py,
** sensor/noise_gen.py, actuator/pump.py), with the noise drawn from Philox.
**
** CGM. Every sample_time minutes the sensor reads BG + noise, clipped to [min,
** max], and holds the value in between. The noise is simglucose's: an AR(1)
** process on a 15-minute grid, e_k = PACF (e_{k-1} + z_k) with e_0 = z_0 and z
** standard normal, mapped through the Johnson SU transform xi + lambda sinh((e -
** gamma) / delta), and interpolated to the sample times by a not-a-knot cubic
** spline over blocks of 11 knots (150 min; scipy's interp1d 'cubic'), the last
** knot of a block starting the next. The first sample (t = 0) takes the value
** the spline gives at t = sample_time, as simglucose's generator does (it
** drops the block's first point). The normals come from the twin's Philox
** stream (seed, twin id, TW_RNG_SENSOR), so every twin's noise is reproducible
** anywhere (DESIGN.md invariant 2); they are not numpy's, so traces differ from
** simglucose's sample by sample while the process is the same.
**
** Pump. Rates are quantised as simglucose's InsulinPump does: amount (U/min)
** -> pmol/min, rounded to a multiple of the increment, back to U/min, clipped to
** [min, max] (bolus and basal separately).
*/
#ifndef TW_PHYSIO_SENSOR_H
#define TW_PHYSIO_SENSOR_H

#include "core/random.h" /* tw_rng */
#include "core/status.h" /* tw_status */

TW_EXTERN_C_BEGIN

#define TW_CGM_KNOTS 11         /* knots per interpolation block (PRECOMPUTE + 1) */
#define TW_CGM_BLOCK_MIN 150    /* minutes per block: 10 intervals of 15 min */
#define TW_CGM_MAX_PER 150      /* samples per block for a 1-minute sensor */

typedef struct tw_cgm_spec {
  char name[32];
  double pacf, gamma, lambda, delta, xi;
  int sample_time;  /* min */
  double min, max;  /* mg/dL */
  int noise;        /* 0: the sensor reads BG exactly (still sampled, held, clipped) */
  int per_block;    /* samples per block: floor(150 / sample_time) */
  double w[TW_CGM_MAX_PER][TW_CGM_KNOTS]; /* sample j+1 of a block = sum_k w[j][k] knot_k */
} tw_cgm_spec;

/* Per-twin sensor state. */
typedef struct tw_cgm_state {
  tw_rng rng;
  double e;                       /* AR(1) state */
  double knots[TW_CGM_KNOTS];     /* the current block */
  int pos;                        /* next sample of the block (per_block: block used up) */
  double last;                    /* the held reading */
} tw_cgm_state;

/* The sensor called `name` (Dexcom, GuardianRT, Navigator) from the compiled-in
** sensor_params.csv; TW_ERR_INPUT naming the known ones otherwise. */
tw_status tw_cgm_spec_load(const char *name, int noise, tw_cgm_spec *out);

/* The weights of the not-a-knot cubic spline through 11 unit-spaced knots at
** s (0 <= s <= 10): value = sum_k w[k] y_k. Exposed for the test against scipy. */
void tw_cgm_spline_weights(double s, double w[TW_CGM_KNOTS]);

/* A fresh sensor for twin `twin_id`. */
void tw_cgm_init(const tw_cgm_spec *spec, uint64_t seed, uint64_t twin_id, tw_cgm_state *st);
/* A reading at a sample time (t % sample_time == 0): BG + noise, clipped; held in st->last. */
double tw_cgm_measure(const tw_cgm_spec *spec, tw_cgm_state *st, double bg);

typedef struct tw_pump_spec {
  char name[32];
  double min_bolus, max_bolus, inc_bolus, min_basal, max_basal, inc_basal;
} tw_pump_spec;

tw_status tw_pump_spec_load(const char *name, tw_pump_spec *out);
/* simglucose's InsulinPump.bolus / .basal: U/min in, U/min out. */
double tw_pump_bolus(const tw_pump_spec *p, double u_per_min);
double tw_pump_basal(const tw_pump_spec *p, double u_per_min);

TW_EXTERN_C_END

#endif
