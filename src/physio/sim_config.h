/*
** sim_config.h: the `simulate` config kind (docs/simulate.md lists every key).
**
**   pack: t1d                      # or pbpk, t1d+pbpk (one twin runs both), ./libmypack.so
**   twins: {reference: [adolescent#001, child#003]}   # or {table: my_params.csv}, or {subjects: [...]} (pbpk)
**   duration_min: 1440
**   precision: float64             # or float32
**   integrator: {method: rk4, substeps: 1, rtol: 1e-6, atol: 1e-12}
**   scenario: {basal_u_per_h: reference, meals: [...], random_meals: [...], boluses: [...], doses: [...], inputs: [...], pump: none}
**   sensor: {name: none, noise: true}
**   output: {path: out.h5, every_min: 1}
**   seed: 1
**   engine: physio                 # or neural, with model: a `twinscale train` model file
**   drugs: [...]                   # pbpk (schema in pbpk_config.h)
**   pd: [...]                      # PD couplings (pbpk_config.h)
**
** The bound struct is checked in two steps: the schema (types, ranges, unknown
** keys: file:line:col) and tw_sim_config_check, which needs the packs and the
** patient tables (unknown patient, meal after the end, a pack that cannot take
** a dose).
*/
#ifndef TW_PHYSIO_SIM_CONFIG_H
#define TW_PHYSIO_SIM_CONFIG_H

#include <stdint.h> /* int64_t */

#include "core/config.h"         /* tw_cfg_schema, tw_cfg_mark */
#include "physio/pbpk_config.h" /* drug, PD and subject schemas (pack pbpk) */

TW_EXTERN_C_BEGIN

typedef struct tw_sim_meal {
  tw_cfg_mark mark;
  int64_t time_min;
  double carbs_g;
} tw_sim_meal;

/* A slot of scenario.random_meals (random_meals.h tw_meal_slot, with its mark). */
typedef struct tw_sim_random_meal {
  tw_cfg_mark mark;
  char *name;
  double probability;
  double time_mean_min, time_sd_min;
  int64_t time_lo_min, time_hi_min;
  double carbs_mean_g, carbs_sd_g, carbs_min_g;
} tw_sim_random_meal;

typedef struct tw_sim_bolus {
  tw_cfg_mark mark;
  int64_t time_min;
  double units;
} tw_sim_bolus;

typedef enum tw_dose_route { TW_ROUTE_ORAL, TW_ROUTE_IV_BOLUS, TW_ROUTE_IV_INFUSION } tw_dose_route;

typedef struct tw_sim_dose {
  tw_cfg_mark mark;
  int64_t time_min;
  char *drug;
  int route;            /* tw_dose_route */
  double mg;
  int64_t duration_min; /* iv_infusion only */
} tw_sim_dose;

/* An event on a pack input named directly (packs whose inputs no meal, bolus or
** dose feeds): `amount` spread evenly over [time_min, time_min + duration_min). */
typedef struct tw_sim_input_event {
  tw_cfg_mark mark;
  int64_t time_min;
  char *input;          /* "<input>", or "<pack>.<input>" when several packs run */
  double amount;        /* the input's unit x min (a per-minute input: its value for one minute) */
  int64_t duration_min;
} tw_sim_input_event;

typedef struct tw_sim_twins_cfg {
  tw_cfg_mark mark;
  char **reference;
  int n_reference;
  tw_cfg_mark *reference_marks;
  char *table;
  char *cohort;                  /* a `twinscale cohort generate` file: ids and /cohort/parameters */
  tw_pbpk_subject_cfg *subjects; /* pbpk: covariates per twin */
  int n_subjects;
} tw_sim_twins_cfg;

typedef struct tw_sim_integrator_cfg {
  tw_cfg_mark mark;
  int method;        /* tw_integrator_kind */
  int64_t substeps;
  double rtol, atol;
} tw_sim_integrator_cfg;

/* scenario.controller_params: pid's gains (controller.h tw_controller_gains). */
typedef struct tw_sim_controller_params_cfg {
  tw_cfg_mark mark; /* line 0: not in the config */
  double p, i, d, target;
} tw_sim_controller_params_cfg;

typedef struct tw_sim_scenario_cfg {
  tw_cfg_mark mark;
  double basal_u_per_h;
  int basal_is_reference;
  tw_sim_meal *meals;
  int n_meals;
  tw_sim_random_meal *random_meals; /* slots drawn per twin and day */
  int n_random_meals;
  tw_sim_bolus *boluses;
  int n_boluses;
  tw_sim_dose *doses;
  int n_doses;
  tw_sim_input_event *inputs;
  int n_inputs;
  char *pump;
  char *controller; /* "none" or a controller of controller.c */
  tw_sim_controller_params_cfg controller_params;
  /* Not bound: set by kinds that assemble a simulate config (a trial's arms),
  ** where the controller was named and under which key, for its errors. */
  tw_cfg_mark controller_at;
  const char *controller_key;
} tw_sim_scenario_cfg;

typedef struct tw_sim_sensor_cfg {
  tw_cfg_mark mark;
  char *name;
  int noise;
} tw_sim_sensor_cfg;

typedef struct tw_sim_output_cfg {
  tw_cfg_mark mark;
  char *path;
  int64_t every_min;
  int64_t chunk_twins; /* 0: the run engine's default */
  int64_t buffer_mb;
  int states; /* 1: /states/<name> and /inputs/<name> too (training data) */
} tw_sim_output_cfg;

typedef enum tw_sim_precision { TW_SIM_FLOAT32, TW_SIM_FLOAT64 } tw_sim_precision;
typedef enum tw_sim_backend { TW_SIM_BACKEND_AUTO, TW_SIM_BACKEND_CPU, TW_SIM_BACKEND_CUDA } tw_sim_backend;
/* What advances the twins: the pack's equations, or a learned twin (run/engines.h). */
typedef enum tw_sim_engine_kind { TW_SIM_ENGINE_PHYSIO, TW_SIM_ENGINE_NEURAL } tw_sim_engine_kind;

typedef struct tw_sim_config {
  tw_cfg_mark mark;
  char *pack;
  tw_sim_twins_cfg twins;
  int64_t duration_min;
  int precision; /* tw_sim_precision */
  int backend;   /* tw_sim_backend */
  int engine;    /* tw_sim_engine_kind */
  char *model;   /* with engine neural: the model file, as written in the config */
  tw_sim_integrator_cfg integrator;
  tw_sim_scenario_cfg scenario;
  tw_sim_sensor_cfg sensor;
  tw_sim_output_cfg output;
  int64_t seed;
  tw_drug_cfg *drugs; /* pbpk: the drug (one per run) */
  int n_drugs;
  tw_pd_cfg *pd;      /* PD couplings: a drug concentration scaling a pack parameter */
  int n_pd;
} tw_sim_config;

extern const tw_cfg_schema tw_sim_config_schema;

/* The parts, for config kinds built on this one (the trial, src/trial/trial_config.c). */
extern const tw_cfg_schema tw_sim_twins_schema, tw_sim_integrator_schema, tw_sim_scenario_schema,
    tw_sim_sensor_schema, tw_sim_controller_params_schema, tw_sim_dose_schema, tw_sim_bolus_schema;

/* The engine keys of the simulate and trial kinds (engine, model), and their
** check: a neural engine needs a model file, a model file the neural engine. */
extern const char *const tw_sim_engine_names[];
tw_status tw_sim_config_check_engine(const tw_cfg_doc *doc, int engine, const char *model);

/* The cross-field checks of a bound config (events inside the run, every_min
** dividing it, one source of twins, doses of the defined drug): the schema's
** check, for kinds that assemble a tw_sim_config themselves. */
tw_status tw_sim_config_check(const tw_cfg_doc *doc, void *obj);

TW_EXTERN_C_END

#endif
