/*
** sim_config.c: the schema tables of the `simulate` config kind
** (sim_config.h) and the cross-field checks that need no pack: meals, boluses
** and doses inside the run, every_min dividing the duration, one source of
** twins. Checks that need the packs (patient names, table columns, parameter
** ranges) run when the run is set up (sim_setup.c), still naming file:line:col.
*/
#include "physio/sim_config.h" /* tw_sim_config */

#include "physio/integrate.h"    /* TW_INTEG_* */
#include "physio/random_meals.h" /* TW_MEAL_SLOTS_MAX */

#include <string.h> /* strcmp */

static const tw_cfg_field meal_fields[] = {
    {.key = "time_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_meal, time_min), .required = 1,
     .has_range = 1, .min = 0, .max = 1e9, .unit = "min",
     .doc = "minute the meal is announced; it is eaten at 5 g/min from then on"},
    {.key = "carbs_g", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_meal, carbs_g), .required = 1,
     .has_range = 1, .min = 0, .max = 1000, .unit = "g", .doc = "carbohydrate"},
};
static const tw_cfg_schema meal_schema = TW_CFG_SCHEMA(tw_sim_meal, meal_fields, NULL);

#define RM_NUM(k, f, lo, hi, def, u, d)                                                                        \
  {.key = k, .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_random_meal, f), .default_text = def, .has_range = 1, \
   .min = lo, .max = hi, .unit = u, .doc = d}
static const tw_cfg_field random_meal_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_random_meal, name), .default_text = "meal",
     .doc = "the slot's name (breakfast, snack, ...), for messages"},
    RM_NUM("probability", probability, 0, 1, "1", "", "chance the slot is eaten on a given day"),
    {.key = "time_mean_min", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_random_meal, time_mean_min),
     .required = 1, .has_range = 1, .min = 0, .max = 1439, .unit = "min",
     .doc = "mean minute of the day (before truncation)"},
    RM_NUM("time_sd_min", time_sd_min, 0, 1440, "0", "min", "sd of the minute of the day (0: always the mean)"),
    {.key = "time_lo_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_random_meal, time_lo_min),
     .default_text = "0", .has_range = 1, .min = 0, .max = 1439, .unit = "min", .doc = "earliest minute of the day"},
    {.key = "time_hi_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_random_meal, time_hi_min),
     .default_text = "1439", .has_range = 1, .min = 0, .max = 1439, .unit = "min", .doc = "latest minute of the day"},
    {.key = "carbs_mean_g", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_random_meal, carbs_mean_g),
     .required = 1, .has_range = 1, .min = 0, .max = 1000, .unit = "g", .doc = "mean carbohydrate"},
    RM_NUM("carbs_sd_g", carbs_sd_g, 0, 1000, "0", "g", "sd of the carbohydrate"),
    RM_NUM("carbs_min_g", carbs_min_g, 0, 1000, "0", "g", "floor of the carbohydrate (simglucose: 0)"),
};
#undef RM_NUM
static const tw_cfg_schema random_meal_schema = TW_CFG_SCHEMA(tw_sim_random_meal, random_meal_fields, NULL);

static const tw_cfg_field bolus_fields[] = {
    {.key = "time_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_bolus, time_min), .required = 1,
     .has_range = 1, .min = 0, .max = 1e9, .unit = "min",
     .doc = "minute t of the bolus: u units are delivered as u U/min during [t, t+1)"},
    {.key = "units", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_bolus, units), .required = 1,
     .has_range = 1, .min = 0, .max = 100, .unit = "U", .doc = "insulin units"},
};
const tw_cfg_schema tw_sim_bolus_schema = TW_CFG_SCHEMA(tw_sim_bolus, bolus_fields, NULL);

static const char *const routes[] = {"oral", "iv_bolus", "iv_infusion", NULL};

static const tw_cfg_field dose_fields[] = {
    {.key = "time_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_dose, time_min), .required = 1,
     .has_range = 1, .min = 0, .max = 1e9, .unit = "min", .doc = "minute the dose is given (or the infusion starts)"},
    {.key = "drug", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_dose, drug), .required = 1,
     .doc = "the drug's name (pack pbpk)"},
    {.key = "route", .type = TW_CFG_ENUM, .offset = offsetof(tw_sim_dose, route), .required = 1, .choices = routes,
     .doc = "oral (into the gut lumen), iv_bolus (into venous blood) or iv_infusion"},
    {.key = "mg", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_dose, mg), .required = 1, .has_range = 1,
     .min = 0, .max = 1e6, .unit = "mg", .doc = "amount of drug (for an infusion: the total)"},
    {.key = "duration_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_dose, duration_min), .default_text = "1",
     .has_range = 1, .min = 1, .max = 1e9, .unit = "min", .doc = "iv_infusion: minutes over which mg is infused"},
};
const tw_cfg_schema tw_sim_dose_schema = TW_CFG_SCHEMA(tw_sim_dose, dose_fields, NULL);

static const tw_cfg_field input_event_fields[] = {
    {.key = "time_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_input_event, time_min), .required = 1,
     .has_range = 1, .min = 0, .max = 1e9, .unit = "min", .doc = "minute the event starts"},
    {.key = "input", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_input_event, input), .required = 1,
     .doc = "the pack input it feeds (<pack>.<input> when several packs run)"},
    {.key = "amount", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_input_event, amount), .required = 1,
     .has_range = 1, .min = -1e12, .max = 1e12,
     .doc = "input unit x minutes, spread evenly over duration_min (one minute: the input's value then)"},
    {.key = "duration_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_input_event, duration_min),
     .default_text = "1", .has_range = 1, .min = 1, .max = 1e9, .unit = "min", .doc = "minutes it lasts"},
};
static const tw_cfg_schema input_event_schema = TW_CFG_SCHEMA(tw_sim_input_event, input_event_fields, NULL);

static const tw_cfg_field twins_fields[] = {
    {.key = "reference", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_sim_twins_cfg, reference),
     .count_offset = offsetof(tw_sim_twins_cfg, n_reference),
     .marks_offset = offsetof(tw_sim_twins_cfg, reference_marks), .default_text = "[]",
     .doc = "t1d: names of simglucose's 30 virtual patients (adolescent#001..010, adult#001..010, child#001..010)"},
    {.key = "subjects", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_twins_cfg, subjects),
     .sub = &tw_pbpk_subject_schema, .count_offset = offsetof(tw_sim_twins_cfg, n_subjects), .default_text = "[]",
     .doc = "pbpk: one twin per subject (name, sex, age_y, weight_kg, height_cm, egfr); with t1d+pbpk and "
            "reference patients: the covariates of each patient, in order"},
    {.key = "table", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_twins_cfg, table),
     .doc = "CSV file with a Name column and one column per pack parameter (vpatient_params.csv format); "
            "a relative path is relative to the config file"},
    {.key = "cohort", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_twins_cfg, cohort),
     .doc = "HDF5 file from `twinscale cohort generate`: one twin per /cohort/id, parameters from "
            "/cohort/parameters/<pack>.<param>; a relative path is relative to the config file"},
};
const tw_cfg_schema tw_sim_twins_schema = TW_CFG_SCHEMA(tw_sim_twins_cfg, twins_fields, NULL);

static const char *const methods[] = {"rk4", "dopri5", NULL};

static const tw_cfg_field integrator_fields[] = {
    {.key = "method", .type = TW_CFG_ENUM, .offset = offsetof(tw_sim_integrator_cfg, method),
     .default_text = "rk4", .choices = methods,
     .doc = "rk4: fixed steps; dopri5: adaptive Dormand-Prince 5(4), per-twin steps (simglucose's solver)"},
    {.key = "substeps", .type = TW_CFG_INT, .offset = offsetof(tw_sim_integrator_cfg, substeps),
     .default_text = "1", .has_range = 1, .min = 1, .max = 1000, .doc = "rk4: steps per minute"},
    {.key = "rtol", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_integrator_cfg, rtol), .default_text = "1e-6",
     .has_range = 1, .min = 1e-14, .max = 1, .doc = "dopri5: relative tolerance"},
    {.key = "atol", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_integrator_cfg, atol), .default_text = "1e-12",
     .has_range = 1, .min = 0, .max = 1e6, .doc = "dopri5: absolute tolerance"},
};
const tw_cfg_schema tw_sim_integrator_schema = TW_CFG_SCHEMA(tw_sim_integrator_cfg, integrator_fields, NULL);

static const tw_cfg_field controller_params_fields[] = {
    {.key = "p", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_controller_params_cfg, p), .default_text = "0.001",
     .has_range = 1, .min = 0, .max = 10, .unit = "U/min per mg/dL", .doc = "pid: proportional gain on cgm - target"},
    {.key = "i", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_controller_params_cfg, i), .default_text = "0.00001",
     .has_range = 1, .min = 0, .max = 10, .unit = "U/min per mg/dL min", .doc = "pid: integral gain"},
    {.key = "d", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_controller_params_cfg, d), .default_text = "0.001",
     .has_range = 1, .min = 0, .max = 10, .unit = "U/min per mg/dL/min", .doc = "pid: derivative gain"},
    {.key = "target", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_controller_params_cfg, target),
     .default_text = "140", .has_range = 1, .min = 40, .max = 400, .unit = "mg/dL", .doc = "pid: target glucose"},
};
const tw_cfg_schema tw_sim_controller_params_schema =
    TW_CFG_SCHEMA(tw_sim_controller_params_cfg, controller_params_fields, NULL);

static const tw_cfg_field scenario_fields[] = {
    {.key = "basal_u_per_h", .type = TW_CFG_NUMBER, .offset = offsetof(tw_sim_scenario_cfg, basal_u_per_h),
     .default_text = "reference", .has_range = 1, .min = 0, .max = 100, .keyword = "reference",
     .keyword_offset = offsetof(tw_sim_scenario_cfg, basal_is_reference), .unit = "U/h",
     .doc = "t1d basal insulin, or `reference`: each patient's steady-state basal u2ss*BW/6000 U/min"},
    {.key = "meals", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_scenario_cfg, meals), .sub = &meal_schema,
     .count_offset = offsetof(tw_sim_scenario_cfg, n_meals), .default_text = "[]", .doc = "t1d meals"},
    {.key = "random_meals", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_scenario_cfg, random_meals),
     .sub = &random_meal_schema, .count_offset = offsetof(tw_sim_scenario_cfg, n_random_meals), .default_text = "[]",
     .doc = "meal slots drawn per twin and day from Philox (simglucose's RandomScenario: docs/simulate.md), "
            "added to the meals; at most 16"},
    {.key = "boluses", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_scenario_cfg, boluses), .sub = &tw_sim_bolus_schema,
     .count_offset = offsetof(tw_sim_scenario_cfg, n_boluses), .default_text = "[]", .doc = "t1d insulin boluses"},
    {.key = "doses", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_scenario_cfg, doses), .sub = &tw_sim_dose_schema,
     .count_offset = offsetof(tw_sim_scenario_cfg, n_doses), .default_text = "[]", .doc = "pbpk drug doses"},
    {.key = "inputs", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_scenario_cfg, inputs), .sub = &input_event_schema,
     .count_offset = offsetof(tw_sim_scenario_cfg, n_inputs), .default_text = "[]",
     .doc = "events on pack inputs by name (e.g. a glucose bolus of pack bergman; docs/packs.md)"},
    {.key = "pump", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_scenario_cfg, pump), .default_text = "none",
     .doc = "t1d: none, or an insulin pump of simglucose (Cozmo, Insulet) that quantises basal and boluses"},
    {.key = "controller", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_scenario_cfg, controller),
     .default_text = "none",
     .doc = "insulin decided in the loop at every sensor sample: none, bb (simglucose's basal-bolus), pid "
            "(simglucose's PID on the CGM), or a controller library's path relative to this file "
            "(docs/controllers.md); needs a sensor, and takes the place of basal and boluses"},
    {.key = "controller_params", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_scenario_cfg, controller_params),
     .sub = &tw_sim_controller_params_schema, .default_text = "{}",
     .doc = "pid's gains and target (defaults: simglucose's example gains); only with controller: pid"},
};
const tw_cfg_schema tw_sim_scenario_schema = TW_CFG_SCHEMA(tw_sim_scenario_cfg, scenario_fields, NULL);

static const tw_cfg_field sensor_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_sensor_cfg, name), .default_text = "none",
     .doc = "t1d: none, or a CGM of simglucose (Dexcom, GuardianRT, Navigator): adds the observable cgm"},
    {.key = "noise", .type = TW_CFG_BOOL, .offset = offsetof(tw_sim_sensor_cfg, noise), .default_text = "true",
     .doc = "CGM noise (Johnson SU on an AR(1) process, from Philox); false: the sensor reads bg exactly"},
};
const tw_cfg_schema tw_sim_sensor_schema = TW_CFG_SCHEMA(tw_sim_sensor_cfg, sensor_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_output_cfg, path), .default_text = "out.h5",
     .doc = "HDF5 results file (relative to the working directory)"},
    {.key = "every_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_output_cfg, every_min), .default_text = "1",
     .has_range = 1, .min = 1, .max = 1e9, .unit = "min",
     .doc = "trajectory sampling interval; must divide duration_min"},
    {.key = "chunk_twins", .type = TW_CFG_INT, .offset = offsetof(tw_sim_output_cfg, chunk_twins),
     .default_text = "0", .has_range = 1, .min = 0, .max = 1e7,
     .doc = "twins integrated together; 0: about 64 chunks for the cohort, 8 to 1024 twins each (docs/run.md)"},
    {.key = "buffer_mb", .type = TW_CFG_INT, .offset = offsetof(tw_sim_output_cfg, buffer_mb),
     .default_text = "64", .has_range = 1, .min = 1, .max = 1e6, .unit = "MiB",
     .doc = "per rank, for trajectories on their way to the file: they are written in time blocks of this size"},
    {.key = "states", .type = TW_CFG_BOOL, .offset = offsetof(tw_sim_output_cfg, states), .default_text = "false",
     .doc = "also every state variable (/states/<name>) and every input as its mean rate over [t, t + every_min) "
            "(/inputs/<name>) at each output time: training data for the neural twin"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_sim_output_cfg, output_fields, NULL);

static const char *const precisions[] = {"float32", "float64", NULL};
static const char *const backends[] = {"auto", "cpu", "cuda", NULL};
const char *const tw_sim_engine_names[] = {"physio", "neural", NULL};

static const tw_cfg_field sim_fields[] = {
    {.key = "pack", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_config, pack), .required = 1,
     .doc = "model pack: t1d, pbpk, packs joined by + (t1d+pbpk), or a pack library (a path with a '/' or "
            "ending in .so, relative to the config file; docs/packs.md)"},
    {.key = "twins", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_config, twins), .sub = &tw_sim_twins_schema,
     .required = 1, .doc = "who is simulated: reference patients or a parameter table"},
    {.key = "duration_min", .type = TW_CFG_INT, .offset = offsetof(tw_sim_config, duration_min), .required = 1,
     .has_range = 1, .min = 1, .max = 1e8, .unit = "min", .doc = "simulated time"},
    {.key = "precision", .type = TW_CFG_ENUM, .offset = offsetof(tw_sim_config, precision),
     .default_text = "float64", .choices = precisions, .doc = "floating-point type of the integration"},
    {.key = "backend", .type = TW_CFG_ENUM, .offset = offsetof(tw_sim_config, backend), .default_text = "auto",
     .choices = backends, .doc = "where the twins run: a GPU when one is visible (auto), the CPU, or a GPU"},
    {.key = "engine", .type = TW_CFG_ENUM, .offset = offsetof(tw_sim_config, engine), .default_text = "physio",
     .choices = tw_sim_engine_names,
     .doc = "what advances the twins: the pack's equations (physio) or a learned twin (neural, with `model`; "
            "docs/training.md)"},
    {.key = "model", .type = TW_CFG_STRING, .offset = offsetof(tw_sim_config, model),
     .doc = "with engine: neural, the model file `twinscale train` wrote (data/models/t1d-grt.h5 ships); "
            "a relative path is relative to the config file"},
    {.key = "integrator", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_config, integrator),
     .sub = &tw_sim_integrator_schema, .default_text = "{}", .doc = "ODE integrator"},
    {.key = "scenario", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_config, scenario), .sub = &tw_sim_scenario_schema,
     .default_text = "{}", .doc = "inputs: basal, meals, boluses, doses"},
    {.key = "sensor", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_config, sensor), .sub = &tw_sim_sensor_schema,
     .default_text = "{}", .doc = "CGM device"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_sim_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "results file"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_sim_config, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0, .doc = "run seed (Philox key) for sensor noise"},
    {.key = "drugs", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_config, drugs), .sub = &tw_drug_schema,
     .count_offset = offsetof(tw_sim_config, n_drugs), .default_text = "[]",
     .doc = "pbpk: the drug the twins take (one per run; keys in docs/pbpk.md)"},
    {.key = "pd", .type = TW_CFG_LIST, .offset = offsetof(tw_sim_config, pd), .sub = &tw_pd_schema,
     .count_offset = offsetof(tw_sim_config, n_pd), .default_text = "[]",
     .doc = "PD effects: the drug concentration in an organ scaling a parameter of another pack (docs/pbpk.md)"},
};

/* Random meal slots: at most TW_MEAL_SLOTS_MAX (their Philox index layout), lo <= hi. */
static tw_status check_random_meals(const tw_cfg_doc *doc, const tw_sim_scenario_cfg *s) {
  if (s->n_random_meals > TW_MEAL_SLOTS_MAX)
    return tw_cfg_error_at(doc, s->random_meals[TW_MEAL_SLOTS_MAX].mark,
                           "scenario.random_meals: %d slots, at most %d", s->n_random_meals, TW_MEAL_SLOTS_MAX);
  for (int i = 0; i < s->n_random_meals; ++i) {
    const tw_sim_random_meal *r = &s->random_meals[i];
    if (r->time_lo_min > r->time_hi_min)
      return tw_cfg_error_at(doc, r->mark, "scenario.random_meals[%d] (%s): time_lo_min %lld is after time_hi_min %lld",
                             i, r->name, (long long)r->time_lo_min, (long long)r->time_hi_min);
  }
  return TW_OK;
}

tw_status tw_sim_config_check_engine(const tw_cfg_doc *doc, int engine, const char *model) {
  if (engine == TW_SIM_ENGINE_NEURAL && !model)
    return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "engine"), "engine: neural needs `model:`, a model file "
                           "written by `twinscale train` (data/models/t1d-grt.h5 for t1d)");
  if (engine != TW_SIM_ENGINE_NEURAL && model)
    return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "model"), "model: a model file is for `engine: neural`, "
                           "and this run's engine is physio");
  return TW_OK;
}

/* Events must fall inside the run; every_min must divide it; twins come from
** exactly one source; the engine has what it needs. */
tw_status tw_sim_config_check(const tw_cfg_doc *doc, void *obj) {
  const tw_sim_config *c = obj;
  const tw_sim_scenario_cfg *s = &c->scenario;
  for (int i = 0; i < s->n_meals; ++i)
    if (s->meals[i].time_min >= c->duration_min)
      return tw_cfg_error_at(doc, s->meals[i].mark, "scenario.meals[%d].time_min: %lld is not before the end of the run (duration_min %lld)",
                             i, (long long)s->meals[i].time_min, (long long)c->duration_min);
  for (int i = 0; i < s->n_boluses; ++i)
    if (s->boluses[i].time_min >= c->duration_min)
      return tw_cfg_error_at(doc, s->boluses[i].mark, "scenario.boluses[%d].time_min: %lld is not before the end of the run (duration_min %lld)",
                             i, (long long)s->boluses[i].time_min, (long long)c->duration_min);
  for (int i = 0; i < s->n_doses; ++i)
    if (s->doses[i].time_min >= c->duration_min)
      return tw_cfg_error_at(doc, s->doses[i].mark, "scenario.doses[%d].time_min: %lld is not before the end of the run (duration_min %lld)",
                             i, (long long)s->doses[i].time_min, (long long)c->duration_min);
  for (int i = 0; i < s->n_inputs; ++i)
    if (s->inputs[i].time_min >= c->duration_min)
      return tw_cfg_error_at(doc, s->inputs[i].mark, "scenario.inputs[%d].time_min: %lld is not before the end of the run (duration_min %lld)",
                             i, (long long)s->inputs[i].time_min, (long long)c->duration_min);
  TW_TRY(check_random_meals(doc, s));
  if (c->duration_min % c->output.every_min != 0)
    return tw_cfg_error_at(doc, c->output.mark, "output.every_min: %lld does not divide duration_min %lld",
                           (long long)c->output.every_min, (long long)c->duration_min);
  const int has_ref = c->twins.n_reference > 0, has_table = (c->twins.table != NULL) + (c->twins.cohort != NULL);
  const int has_subj = c->twins.n_subjects > 0;
  if (has_ref + has_table + (has_subj && !has_ref) != 1)
    return tw_cfg_error_at(doc, c->twins.mark,
                           "twins: give one of `reference` (names), `table` (a CSV file), `cohort` (an HDF5 cohort) or "
                           "`subjects` (pbpk covariates)");
  if (has_ref && has_subj && c->twins.n_subjects != c->twins.n_reference)
    return tw_cfg_error_at(doc, c->twins.mark, "twins: %d subjects for %d reference patients (one each, in order)",
                           c->twins.n_subjects, c->twins.n_reference);
  if (c->n_drugs > 1)
    return tw_cfg_error_at(doc, c->drugs[1].mark, "drugs: one drug per run (the pbpk pack carries one)");
  for (int i = 0; i < s->n_doses; ++i)
    if (c->n_drugs == 0 || strcmp(s->doses[i].drug, c->drugs[0].name) != 0)
      return tw_cfg_error_at(doc, s->doses[i].mark, "scenario.doses[%d].drug: '%s' is not defined under drugs:", i,
                             s->doses[i].drug);
  return tw_sim_config_check_engine(doc, c->engine, c->model);
}

const tw_cfg_schema tw_sim_config_schema = TW_CFG_SCHEMA(tw_sim_config, sim_fields, tw_sim_config_check);
