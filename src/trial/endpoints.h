/*
** endpoints.h: trial endpoints computed while simulating (issue 8, item 4;
** definitions in docs/endpoints.md).
**
** A trial cannot keep a million twins' one-minute trajectories, so every endpoint
** is a streaming accumulator: the trial job hands it one sample of an observable
** for all twins of a chunk after each minute, and at the end it is finalised per
** twin into the named endpoints. No trajectory is kept; memory is a few doubles
** per twin and endpoint.
**
** Three accumulators, each structure-of-arrays over a chunk of n twins with
** stride ld (arrays (ld), twin i at [i]; per-threshold or per-interval arrays
** (K, ld), twin i of row k at [k * ld + i]):
**
**   tw_obs_acc     any observable: mean, sd (ddof 1) and "percent of samples
**                  below / above / between" user thresholds;
**   tw_endpoints   blood glucose: the fixed glucose endpoints (TIR, TBR, TAR,
**                  mean, sd, CV, GMI, LBGI, HBGI, time to bg < 54 with its event
**                  flag), plus user thresholds on bg; built on tw_obs_acc;
**   tw_pk_acc      a drug concentration: Cmax, Tmax, AUC (linear-up log-down)
**                  and trough per dose interval.
**
** Determinism: every update and every finalisation touches only the twin's own
** slots (endpoints_math.h), so a twin's results are the same bits for any n, ld,
** chunking or thread count. Reducing endpoints across twins is the statistics'
** job, not this one's.
**
** Failed twins: a non-finite sample (NaN, +-Inf) makes every endpoint of that
** twin NaN. Usage (the sample at minute m is the state at the end of minute m):
**
**   tw_endpoints e;
**   TW_TRY(tw_endpoints_init(&e, n, ld, win, NULL, 0));
**   for (int64_t m = 1; m <= win.warmup_min + win.duration_min; m++) {
**     ... advance the chunk one minute, bg (n) in mg/dL ...
**     TW_TRY(tw_endpoints_update(&e, bg, m));
**   }
**   TW_TRY(tw_endpoints_finalize(&e, out, ld_out)); // out (tw_endpoints_count(&e), ld_out)
**   tw_endpoints_free(&e);
*/
#ifndef TW_TRIAL_ENDPOINTS_H
#define TW_TRIAL_ENDPOINTS_H

#include "core/status.h"          /* tw_status */
#include "trial/endpoints_math.h" /* tw_ep_threshold_kind */

TW_EXTERN_C_BEGIN

/* Which samples count: the one at absolute minute m counts when
** t = m - warmup_min lies in 1..duration_min and t is a multiple of every_min
** (1: every minute of bg; the sensor's sample time for `source: cgm`). Samples
** in the warm-up, off the stride or after the window are ignored. */
typedef struct tw_ep_window {
  int64_t warmup_min;   /* W >= 0, min */
  int64_t duration_min; /* D >= 1, min */
  int64_t every_min;    /* >= 1, min */
} tw_ep_window;

/* A "percent of samples" endpoint: kind BELOW (v < lo), ABOVE (v > lo) or
** BETWEEN (lo <= v <= hi), in the observable's units; result in percent. */
#define TW_EP_NAME_MAX 48
typedef struct tw_ep_threshold {
  char name[TW_EP_NAME_MAX]; /* endpoint name in results, e.g. "pct_bg_below_80" */
  int kind;                  /* tw_ep_threshold_kind */
  double lo, hi;             /* hi used by BETWEEN only */
} tw_ep_threshold;

#define TW_EP_MAX_THRESHOLDS 32

/* ---- any observable ------------------------------------------------------ */

typedef struct tw_obs_acc {
  int64_t n, ld;        /* twins in the chunk, stride of every array */
  tw_ep_window win;
  int n_thr;
  tw_ep_threshold thr[TW_EP_MAX_THRESHOLDS];
  tw_ep_bounds bounds[TW_EP_MAX_THRESHOLDS]; /* thr without names, for endpoints_math.h */
  int64_t n_samples;    /* samples counted so far (the same for every twin) */
  int64_t last_t;       /* t of the last counted sample, 0 before the first */
  double *mean, *mean_lo; /* (ld) Welford mean as hi + lo, observable's units */
  double *m2;             /* (ld) sum of squared deviations, units^2 */
  int64_t *count;       /* (n_thr, ld) samples that met each threshold */
  void *block_;         /* the one allocation behind the arrays */
} tw_obs_acc;

/* Outputs of tw_obs_acc_finalize, rows in this order, then one per threshold. */
enum { TW_OBS_MEAN = 0, TW_OBS_SD = 1, TW_OBS_N_FIXED = 2 };

/* n >= 1 twins, ld >= n; thr (n_thr <= TW_EP_MAX_THRESHOLDS) is copied. */
tw_status tw_obs_acc_init(tw_obs_acc *a, int64_t n, int64_t ld, tw_ep_window win,
                          const tw_ep_threshold *thr, int n_thr);
/* Zeroes the state, for the next arm of the same chunk. */
void tw_obs_acc_reset(tw_obs_acc *a);
void tw_obs_acc_free(tw_obs_acc *a);
/* v (n): the observable of every twin at the end of absolute minute `minute`.
** Minutes must increase between counted samples (TW_ERR_INTERNAL otherwise). */
tw_status tw_obs_acc_update(tw_obs_acc *a, const double *v, int64_t minute);
/* out (TW_OBS_N_FIXED + n_thr, ld_out), ld_out >= n: mean, sd (ddof 1; NaN
** below 2 samples), then the percent of samples meeting each threshold. Every
** row is NaN for a twin with a non-finite sample, or when no sample counted. */
tw_status tw_obs_acc_finalize(const tw_obs_acc *a, double *out, int64_t ld_out);

/* ---- blood glucose --------------------------------------------------------- */

/* The fixed glucose endpoints, the first rows of tw_endpoints_finalize's output
** (user thresholds follow, in the order given). */
typedef enum tw_bg_endpoint {
  TW_EP_TIR_70_180 = 0, /* %, 70 <= bg <= 180 */
  TW_EP_TBR_70,         /* %, bg < 70 */
  TW_EP_TBR_54,         /* %, bg < 54 */
  TW_EP_TAR_180,        /* %, bg > 180 */
  TW_EP_TAR_250,        /* %, bg > 250 */
  TW_EP_MEAN_BG,        /* mg/dL */
  TW_EP_SD_BG,          /* mg/dL, ddof 1 */
  TW_EP_CV_BG,          /* %, 100 sd / mean */
  TW_EP_GMI,            /* %, 3.31 + 0.02392 mean */
  TW_EP_LBGI,           /* Kovatchev low blood glucose index, over all samples */
  TW_EP_HBGI,           /* Kovatchev high blood glucose index, over all samples */
  TW_EP_TIME_TO_BG_BELOW_54, /* min: first t with bg < 54, else the last t (censored) */
  TW_EP_EVENT_BG_BELOW_54,   /* 1 when that happened, 0 when censored */
  TW_EP_N_BG
} tw_bg_endpoint;

typedef struct tw_endpoints {
  tw_obs_acc obs;     /* thresholds 0..4: the TIR/TBR/TAR rows above; then the user's */
  int n_user;
  double *rl, *rl_c;  /* (ld) Neumaier sum of low risks and its compensation */
  double *rh, *rh_c;  /* (ld) the same for high risks */
  int64_t *first54;   /* (ld) t of the first sample below 54 mg/dL, 0 if none */
  void *block_;
} tw_endpoints;

/* user (n_user <= TW_EP_MAX_THRESHOLDS - 5): extra thresholds on bg, mg/dL. */
tw_status tw_endpoints_init(tw_endpoints *e, int64_t n, int64_t ld, tw_ep_window win,
                            const tw_ep_threshold *user, int n_user);
void tw_endpoints_reset(tw_endpoints *e);
void tw_endpoints_free(tw_endpoints *e);
/* bg (n): blood glucose (or the CGM reading) in mg/dL at the end of `minute`. */
tw_status tw_endpoints_update(tw_endpoints *e, const double *bg, int64_t minute);
/* out (tw_endpoints_count(e), ld_out), ld_out >= n: the tw_bg_endpoint rows,
** then one per user threshold. NaN rows as for tw_obs_acc_finalize. */
tw_status tw_endpoints_finalize(const tw_endpoints *e, double *out, int64_t ld_out);
int tw_endpoints_count(const tw_endpoints *e);
/* Name and units of output row k ("tir_70_180", "%"); NULL outside the range. */
const char *tw_endpoints_name(const tw_endpoints *e, int k);
const char *tw_endpoints_units(const tw_endpoints *e, int k);

/* ---- drug concentration per dose interval -------------------------------- */

/* Dose interval j runs from dose_min[j] to dose_min[j + 1] (the last one to
** end_min), both ends included. Every dose time and end_min must be sample
** times; the sample at a dose time is the concentration just before that dose
** (the state at the end of the previous minute's integration). */
typedef enum tw_pk_endpoint {
  TW_PK_CMAX = 0, /* concentration units: the largest sample of the interval */
  TW_PK_TMAX,     /* min after the interval's dose, of the first such sample */
  TW_PK_AUC,      /* units x min, linear-up log-down trapezoids between samples */
  TW_PK_TROUGH,   /* units: the sample at the interval's end (just before the next dose) */
  TW_PK_N
} tw_pk_endpoint;

typedef struct tw_pk_acc {
  int64_t n, ld;
  int n_doses;
  int64_t *bounds;    /* (n_doses + 1) dose times, then end_min, absolute min */
  int iv;             /* current interval */
  int n_closed;       /* intervals whose end sample has been counted */
  int64_t prev_min;   /* minute of the last counted sample, -1 before the first */
  double *prev;       /* (ld) last counted concentration */
  unsigned char *bad; /* (ld) 1 after a non-finite sample */
  double *res;        /* (TW_PK_N, n_doses, ld): row (k, j) at [(k * n_doses + j) * ld] */
  double *auc_c;      /* (ld) Neumaier compensation of the current interval's AUC */
  void *block_;
} tw_pk_acc;

/* dose_min (n_doses >= 1) strictly increasing, end_min > the last dose; the
** same dose times for every twin of the chunk (amounts may differ). */
tw_status tw_pk_acc_init(tw_pk_acc *a, int64_t n, int64_t ld, const int64_t *dose_min,
                         int n_doses, int64_t end_min);
/* Back to before the first sample, for the next arm of the same chunk. */
void tw_pk_acc_reset(tw_pk_acc *a);
void tw_pk_acc_free(tw_pk_acc *a);
/* c (n): concentration at the end of `minute`; samples before the first dose or
** after end_min are ignored; a sample grid that skips a dose time or end_min is
** TW_ERR_INPUT. */
tw_status tw_pk_acc_update(tw_pk_acc *a, const double *c, int64_t minute);
/* out (TW_PK_N, n_doses, ld_out), row (k, j) at [(k * n_doses + j) * ld_out]:
** intervals not reached yet, and every row of a twin with a non-finite sample,
** are NaN. */
tw_status tw_pk_acc_finalize(const tw_pk_acc *a, double *out, int64_t ld_out);

TW_EXTERN_C_END

#endif
