/*
** trial_config.h: the `trial` config kind (docs/trial.md lists every key).
**
** A trial config is a simulate config (pack, twins, scenario, sensor, integrator,
** precision, seed, drugs, pd: the same keys, bound by the same schemas) plus the
** protocol:
**
**   warmup_min: 1440               # run-in on each arm's treatment, not counted
**   duration_min: 20160            # the endpoint window, after the warm-up
**   design: {type: crossover}      # or {type: parallel, ratios: [1, 1], block_size: 4,
**                                  #     stratify_by: [{covariate: sex}, {covariate: age, cuts: [18]}]}
**   arms:                          # each arm's treatment overrides the scenario's
**     - {name: bb, controller: bb}
**     - {name: pid, controller: pid, controller_params: {p: 0.001, i: 1e-5, d: 0.001}}
**   reference_arm: bb              # default: the first arm
**   endpoints: {glucose: bg, thresholds: [...], pk: pbpk.c_venous, observables: [...]}
**   responders: {endpoint: tir_70_180, threshold: 70, direction: at_least}
**   output: {path: trial.h5, summary: summary.json, report: report.html,
**            trajectories: {twins: 100, every_min: 5}}
**
** Each arm runs as the simulate config tw_trial_arm_sim() assembles from the
** trial's shared keys and the arm's treatment; every arm's assembled config
** passes the simulate checks when the trial config is loaded, so a dose after
** the end of the run is reported at its file:line:col before any work.
*/
#ifndef TW_TRIAL_CONFIG_H
#define TW_TRIAL_CONFIG_H

#include "physio/sim_config.h" /* tw_sim_* parts */

TW_EXTERN_C_BEGIN

typedef struct tw_trial_stratum_cfg {
  tw_cfg_mark mark;
  char *covariate;  /* a /cohort/covariates/<name> of the cohort file */
  double *cuts;     /* ascending; none: the covariate's distinct values are the strata */
  int n_cuts;
} tw_trial_stratum_cfg;

typedef enum tw_trial_design_kind { TW_TRIAL_PARALLEL = 0, TW_TRIAL_CROSSOVER = 1 } tw_trial_design_kind;

typedef struct tw_trial_design_cfg {
  tw_cfg_mark mark;
  int type;              /* tw_trial_design_kind (= tw_trial_design) */
  double *ratios;        /* parallel: allocation ratio per arm (integers >= 1); none: 1 each */
  int n_ratios;
  int64_t block_size;    /* parallel: twins per permuted block; 0: 2 x the sum of the ratios */
  tw_trial_stratum_cfg *stratify_by;
  int n_stratify_by;
} tw_trial_design_cfg;

typedef struct tw_trial_arm_cfg {
  tw_cfg_mark mark;
  char *name;
  char *controller;                          /* NULL: the scenario's */
  tw_sim_controller_params_cfg controller_params; /* mark.line 0: the scenario's */
  tw_sim_bolus *boluses;                     /* non-empty: replace the scenario's */
  int n_boluses;
  tw_sim_dose *doses;                        /* non-empty: replace the scenario's */
  int n_doses;
  char controller_key[96]; /* not bound: "arms[1].controller (arm pid)", its errors' key (set when checked) */
} tw_trial_arm_cfg;

typedef enum tw_trial_thr_kind { TW_TRIAL_BELOW = 0, TW_TRIAL_ABOVE = 1, TW_TRIAL_BETWEEN = 2 } tw_trial_thr_kind;

typedef struct tw_trial_threshold_cfg {
  tw_cfg_mark mark;
  char *name;       /* the endpoint's name in results: "pct_bg_below_80" */
  char *observable; /* NULL: the glucose observable */
  int kind;         /* tw_trial_thr_kind */
  double value, high; /* below/above: value; between: value <= v <= high */
} tw_trial_threshold_cfg;

typedef struct tw_trial_endpoints_cfg {
  tw_cfg_mark mark;
  char *glucose;    /* observable of the glucose endpoints: "bg", "cgm", "none", or "auto" (bg if the pack has it) */
  tw_trial_threshold_cfg *thresholds;
  int n_thresholds;
  char *pk;         /* observable of the PK endpoints per dose interval (NULL: none) */
} tw_trial_endpoints_cfg;

typedef struct tw_trial_responders_cfg {
  tw_cfg_mark mark;
  char *endpoint;   /* "none": no responder analysis */
  double threshold;
  int at_most;      /* 0: responds when endpoint >= threshold; 1: when <= */
} tw_trial_responders_cfg;

typedef struct tw_trial_traj_cfg {
  tw_cfg_mark mark;
  int64_t twins;    /* the first N twins' trajectories are kept (0: none) */
  int64_t every_min;
} tw_trial_traj_cfg;

typedef struct tw_trial_output_cfg {
  tw_cfg_mark mark;
  char *path, *summary, *report; /* summary/report NULL: beside path, summary.json and report.html */
  tw_trial_traj_cfg trajectories;
  int64_t chunk_twins, buffer_mb;
} tw_trial_output_cfg;

/* The most files of from_generator.models: TW_GAN_MODELS_MAX (src/gan is a
** layer above; cmd_trial.c checks the two agree). */
#define TW_TRIAL_GENERATOR_MODELS_MAX 64

/* cohort.from_generator: twins sampled from a conditional GAN (`twinscale gan
** train`; docs/gan.md) as a subgroup of the trial (docs/trial.md, "Synthetic
** twins"). With `twins: {cohort: C.h5}` they are appended to C.h5's twins,
** else they are the cohort alone. src/trial does not read the model (the GAN
** is a layer above): the trial command samples the twins and writes the
** cohort file `file` (real rows first, then the generated ones, flagged in
** /cohort/covariates/synthetic), which every arm reads as its twins.cohort. */
typedef struct tw_trial_generator_cfg {
  tw_cfg_mark mark; /* line 0: no from_generator */
  char *model;      /* the model file of `twinscale gan train` (relative to the config file), or NULL with models */
  char **models;    /* (n_models) in its place: an ensemble's model files, trained on one cohort file */
  int n_models;
  char *condition;  /* "NAME=VALUE": every generated twin has it; NULL: conditions drawn at their real frequencies */
  int conditioning; /* 0 vector, 1 reject: how (tw_gan_conditioning's order; src/gan is a layer above) */
  int64_t n;        /* generated twins, >= 1 */
  int64_t seed;     /* Philox key of the sample (gan sample's --seed) */
} tw_trial_generator_cfg;

/* cohort.from_twins: the fitted persons of a `twinscale twin fit` file as the
** trial's twins (docs/trial.md, "Personal twins"). The trial command writes
** them as a cohort file at `file`, which every arm reads as its twins.cohort
** (tw_trial_arm_sim): the bound twins stay as written, so the normalised
** print checks again. cohort.from_generator: above; the two exclude each other. */
typedef struct tw_trial_cohort_cfg {
  tw_cfg_mark mark;
  char *from_twins; /* the twins file (relative to the config file) */
  char *records;    /* its records file, for the body weights; NULL: the population twin's */
  tw_trial_generator_cfg from_generator;
  char file[4096];  /* not bound: tw_trial_twins_cohort_path, set when checked */
} tw_trial_cohort_cfg;

typedef struct tw_trial_config {
  tw_cfg_mark mark;
  char *title;
  int engine;       /* tw_sim_engine_kind: the packs' equations or the learned twin */
  char *model;      /* with engine neural: the model file */
  /* the simulate keys, shared by every arm */
  char *pack;
  tw_sim_twins_cfg twins;        /* empty with cohort.from_twins */
  tw_trial_cohort_cfg cohort;
  int64_t duration_min, warmup_min;
  int precision, backend;
  tw_sim_integrator_cfg integrator;
  tw_sim_scenario_cfg scenario;
  tw_sim_sensor_cfg sensor;
  int64_t seed;
  tw_drug_cfg *drugs;
  int n_drugs;
  tw_pd_cfg *pd;
  int n_pd;
  /* the protocol */
  tw_trial_design_cfg design;
  tw_trial_arm_cfg *arms;
  int n_arms;
  char *reference_arm;
  tw_cfg_mark reference_mark;
  tw_trial_endpoints_cfg endpoints;
  tw_trial_responders_cfg responders;
  tw_trial_output_cfg output;
} tw_trial_config;

extern const tw_cfg_schema tw_trial_config_schema;

/* Arm a as a simulate config: the shared keys, duration warmup + duration,
** one-minute samples, and the arm's treatment over the scenario's. A shallow
** view into t (never tw_cfg_release it). */
void tw_trial_arm_sim(const tw_trial_config *t, int a, tw_sim_config *out);

/* Where the fitted twins of cohort.from_twins go as a cohort file: the
** results path with ".twins.h5" appended, made absolute (".cohort.h5" for
** cohort.from_generator). */
void tw_trial_twins_cohort_path(const tw_trial_config *t, char *out, size_t cap);
/* True when the command writes the trial's cohort file (from_twins or from_generator). */
int tw_trial_cohort_written(const tw_trial_config *t);
/* The cohort file the twins come from: cohort.file (written by the command),
** twins.cohort, or NULL. */
const char *tw_trial_cohort_file(const tw_trial_config *t);

/* The index of the reference arm (checked when bound). */
int tw_trial_reference_index(const tw_trial_config *t);

TW_EXTERN_C_END

#endif
