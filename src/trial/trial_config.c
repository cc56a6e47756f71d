/*
** trial_config.c: the schema tables of the `trial` config kind
** (trial_config.h) and its cross-field checks: at least two arms with distinct
** names, a reference arm that exists, allocation ratios that match the arms,
** blocks that hold whole ratio patterns, a trajectory interval that divides the
** run; and every arm, assembled into a simulate config, passing the simulate
** checks. What needs the pack (observables, the cohort's covariates) is checked
** when the trial is set up (trial_setup.c), still at file:line:col.
*/
#define _POSIX_C_SOURCE 200809L /* getcwd */
#include "trial/trial_config.h"

#include <math.h>   /* floor */
#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */
#include <unistd.h> /* getcwd */

/* ---- the protocol's parts ------------------------------------------------ */

static const tw_cfg_field stratum_fields[] = {
    {.key = "covariate", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_stratum_cfg, covariate), .required = 1,
     .doc = "a covariate of the cohort file (/cohort/covariates/<name>)"},
    {.key = "cuts", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_trial_stratum_cfg, cuts),
     .count_offset = offsetof(tw_trial_stratum_cfg, n_cuts), .has_range = 1, .min = -1e12, .max = 1e12,
     .doc = "ascending cut points (a value v falls in the stratum of the cuts <= v); none: each distinct value "
            "is a stratum (sex, conditions)"},
};
static const tw_cfg_schema stratum_schema = TW_CFG_SCHEMA(tw_trial_stratum_cfg, stratum_fields, NULL);

static const char *const designs[] = {"parallel", "crossover", NULL};

static const tw_cfg_field design_fields[] = {
    {.key = "type", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_design_cfg, type), .required = 1,
     .choices = designs,
     .doc = "parallel: each twin runs one arm, randomised; crossover: every twin runs every arm, with the same "
            "meals and sensor noise, analysed paired"},
    {.key = "ratios", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_trial_design_cfg, ratios),
     .count_offset = offsetof(tw_trial_design_cfg, n_ratios), .has_range = 1, .min = 1, .max = 100,
     .doc = "parallel: allocation ratio of each arm, in arm order, whole numbers (default: 1 each)"},
    {.key = "block_size", .type = TW_CFG_INT, .offset = offsetof(tw_trial_design_cfg, block_size),
     .default_text = "0", .has_range = 1, .min = 0, .max = 10000,
     .doc = "parallel: twins per permuted block, a multiple of the sum of the ratios (0: twice the sum)"},
    {.key = "stratify_by", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_design_cfg, stratify_by),
     .sub = &stratum_schema, .count_offset = offsetof(tw_trial_design_cfg, n_stratify_by), .default_text = "[]",
     .doc = "parallel: covariates whose strata are randomised separately (needs twins from a cohort file)"},
};
static const tw_cfg_schema design_schema = TW_CFG_SCHEMA(tw_trial_design_cfg, design_fields, NULL);

static const tw_cfg_field arm_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_arm_cfg, name), .required = 1,
     .doc = "the arm's name in results"},
    {.key = "controller", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_arm_cfg, controller),
     .doc = "the insulin controller of this arm (none, bb, pid, or a controller library); default: the scenario's"},
    {.key = "controller_params", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_arm_cfg, controller_params),
     .sub = &tw_sim_controller_params_schema, .doc = "the controller's gains for this arm; default: the scenario's"},
    {.key = "boluses", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_arm_cfg, boluses), .sub = &tw_sim_bolus_schema,
     .count_offset = offsetof(tw_trial_arm_cfg, n_boluses), .doc = "insulin boluses of this arm (replace the scenario's)"},
    {.key = "doses", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_arm_cfg, doses), .sub = &tw_sim_dose_schema,
     .count_offset = offsetof(tw_trial_arm_cfg, n_doses), .doc = "drug doses of this arm (replace the scenario's)"},
};
static const tw_cfg_schema arm_schema = TW_CFG_SCHEMA(tw_trial_arm_cfg, arm_fields, NULL);

static const char *const thr_kinds[] = {"below", "above", "between", NULL};

static const tw_cfg_field threshold_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_threshold_cfg, name), .required = 1,
     .doc = "the endpoint's name in results (percent of samples meeting the threshold)"},
    {.key = "observable", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_threshold_cfg, observable),
     .doc = "the observable it counts (default: the glucose observable); other observables also get <obs>_mean "
            "and <obs>_sd"},
    {.key = "kind", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_threshold_cfg, kind), .required = 1,
     .choices = thr_kinds, .doc = "below (v < value), above (v > value) or between (value <= v <= high)"},
    {.key = "value", .type = TW_CFG_NUMBER, .offset = offsetof(tw_trial_threshold_cfg, value), .required = 1,
     .has_range = 1, .min = -1e12, .max = 1e12, .doc = "the threshold, in the observable's units"},
    {.key = "high", .type = TW_CFG_NUMBER, .offset = offsetof(tw_trial_threshold_cfg, high), .default_text = "0",
     .has_range = 1, .min = -1e12, .max = 1e12, .doc = "between: the upper bound"},
};
static const tw_cfg_schema threshold_schema = TW_CFG_SCHEMA(tw_trial_threshold_cfg, threshold_fields, NULL);

static const tw_cfg_field endpoints_fields[] = {
    {.key = "glucose", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_endpoints_cfg, glucose),
     .default_text = "auto",
     .doc = "observable of the glucose endpoints (TIR, TBR, TAR, mean, SD, CV, GMI, LBGI, HBGI, time to < 54): "
            "an observable (bg every minute, or t1d.bg when several packs run; cgm every sensor sample), none, or auto "
            "(the observable bg of any pack)"},
    {.key = "thresholds", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_endpoints_cfg, thresholds),
     .sub = &threshold_schema, .count_offset = offsetof(tw_trial_endpoints_cfg, n_thresholds), .default_text = "[]",
     .doc = "user endpoints: percent of samples below, above or between thresholds on any observable"},
    {.key = "pk", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_endpoints_cfg, pk),
     .doc = "a drug concentration observable (pbpk.c_venous): Cmax, Tmax, AUC, trough per dose interval"},
};
static const tw_cfg_schema endpoints_schema = TW_CFG_SCHEMA(tw_trial_endpoints_cfg, endpoints_fields, NULL);

static const char *const directions[] = {"at_least", "at_most", NULL};

static const tw_cfg_field responders_fields[] = {
    {.key = "endpoint", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_responders_cfg, endpoint),
     .default_text = "tir_70_180", .doc = "the endpoint that defines a responder, or none"},
    {.key = "threshold", .type = TW_CFG_NUMBER, .offset = offsetof(tw_trial_responders_cfg, threshold),
     .default_text = "70", .has_range = 1, .min = -1e12, .max = 1e12, .doc = "the responder threshold"},
    {.key = "direction", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_responders_cfg, at_most),
     .default_text = "at_least", .choices = directions,
     .doc = "at_least: responds when endpoint >= threshold; at_most: when <="},
};
static const tw_cfg_schema responders_schema = TW_CFG_SCHEMA(tw_trial_responders_cfg, responders_fields, NULL);

static const tw_cfg_field traj_fields[] = {
    {.key = "twins", .type = TW_CFG_INT, .offset = offsetof(tw_trial_traj_cfg, twins), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e6, .doc = "keep the trajectories of the first N twins, every arm"},
    {.key = "every_min", .type = TW_CFG_INT, .offset = offsetof(tw_trial_traj_cfg, every_min), .default_text = "5",
     .has_range = 1, .min = 1, .max = 1e6, .unit = "min",
     .doc = "their sampling interval; divides warmup_min + duration_min"},
};
static const tw_cfg_schema traj_schema = TW_CFG_SCHEMA(tw_trial_traj_cfg, traj_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_output_cfg, path), .default_text = "trial.h5",
     .doc = "HDF5 results file (relative to the working directory)"},
    {.key = "summary", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_output_cfg, summary),
     .doc = "summary.json path (default: summary.json beside the results file)"},
    {.key = "report", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_output_cfg, report),
     .doc = "report.html path (default: report.html beside the results file)"},
    {.key = "trajectories", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_output_cfg, trajectories),
     .sub = &traj_schema, .default_text = "{}", .doc = "trajectories kept for a few twins (and the report's bands)"},
    {.key = "chunk_twins", .type = TW_CFG_INT, .offset = offsetof(tw_trial_output_cfg, chunk_twins),
     .default_text = "0", .has_range = 1, .min = 0, .max = 1e7,
     .doc = "twins integrated together; 0: about 64 chunks for the cohort, 8 to 1024 twins each (docs/run.md)"},
    {.key = "buffer_mb", .type = TW_CFG_INT, .offset = offsetof(tw_trial_output_cfg, buffer_mb), .default_text = "64",
     .has_range = 1, .min = 1, .max = 1e6, .unit = "MiB", .doc = "per rank, for the samples of a chunk in flight"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_trial_output_cfg, output_fields, NULL);

static const char *const conditionings[] = {"vector", "reject", NULL}; /* tw_gan_conditioning's order */

static const tw_cfg_field generator_fields[] = {
    {.key = "model", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_generator_cfg, model),
     .doc = "a model file of `twinscale gan train` (relative to this file), trained on a cohort of this pack"},
    {.key = "models", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_trial_generator_cfg, models),
     .count_offset = offsetof(tw_trial_generator_cfg, n_models),
     .doc = "in place of model: model files trained on one cohort file (other seeds), sampled as an ensemble "
            "(`gan sample --model` each; docs/gan.md)"},
    {.key = "condition", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_generator_cfg, condition),
     .doc = "NAME=VALUE: every generated twin has this category of a discrete column (retinopathy=1); default: "
            "each twin's conditions drawn at their real frequencies"},
    {.key = "conditioning", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_generator_cfg, conditioning),
     .default_text = "vector", .choices = conditionings,
     .doc = "vector: every candidate is generated for the condition (CTGAN's way); reject: candidates generated "
            "without it, those the generator gave the condition kept (docs/gan.md)"},
    {.key = "n", .type = TW_CFG_INT, .offset = offsetof(tw_trial_generator_cfg, n), .required = 1, .has_range = 1,
     .min = 1, .max = 1e9, .doc = "generated twins (each physiologically valid: invalid candidates are redrawn)"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_trial_generator_cfg, seed), .default_text = "0",
     .has_range = 1, .min = 0, .max = 9007199254740992.0,
     .doc = "Philox key of the sample: the twins `gan sample --seed` gives"},
};
static const tw_cfg_schema generator_schema = TW_CFG_SCHEMA(tw_trial_generator_cfg, generator_fields, NULL);

static const tw_cfg_field cohort_fields[] = {
    {.key = "from_twins", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_cohort_cfg, from_twins),
     .doc = "a twins file of `twinscale twin fit`: its fitted persons are the twins (flagged fits left out)"},
    {.key = "records", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_cohort_cfg, records),
     .doc = "the records file the fit read: the persons' body weights (default: the population twin's)"},
    {.key = "from_generator", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_cohort_cfg, from_generator),
     .sub = &generator_schema,
     .doc = "{model, condition, n, seed}: twins sampled from a GAN model, appended to twins.cohort (or the cohort "
            "alone), flagged in the covariate `synthetic`"},
};
static const tw_cfg_schema cohort_schema = TW_CFG_SCHEMA(tw_trial_cohort_cfg, cohort_fields, NULL);

/* ---- the trial ------------------------------------------------------------- */

static const char *const precisions[] = {"float32", "float64", NULL};
static const char *const backends[] = {"auto", "cpu", "cuda", NULL};

static const tw_cfg_field trial_fields[] = {
    {.key = "title", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_config, title),
     .doc = "the report's title (default: from the design and arms)"},
    {.key = "engine", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_config, engine), .default_text = "physio",
     .choices = tw_sim_engine_names,
     .doc = "what the twins run on: physio (their packs' mechanistic models) or neural (a learned twin, with "
            "`model`), as in simulate"},
    {.key = "model", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_config, model),
     .doc = "with engine: neural, the model file `twinscale train` wrote, as in simulate"},
    {.key = "pack", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_config, pack), .required = 1,
     .doc = "model pack, as in simulate"},
    {.key = "twins", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, twins), .sub = &tw_sim_twins_schema,
     .doc = "the cohort: a cohort file, reference patients or a parameter table, as in simulate (or cohort)"},
    {.key = "cohort", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, cohort), .sub = &cohort_schema,
     .doc = "{from_twins: T.h5}: personal twins fitted by `twinscale twin fit`, in place of twins; or "
            "{from_generator: {model: G.h5, condition: NAME=VALUE, n: N}}: generated twins beside twins.cohort"},
    {.key = "duration_min", .type = TW_CFG_INT, .offset = offsetof(tw_trial_config, duration_min), .required = 1,
     .has_range = 1, .min = 1, .max = 1e8, .unit = "min", .doc = "the endpoint window, after the warm-up"},
    {.key = "warmup_min", .type = TW_CFG_INT, .offset = offsetof(tw_trial_config, warmup_min), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e8, .unit = "min",
     .doc = "run-in on each arm's treatment before the endpoint window (not counted)"},
    {.key = "precision", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_config, precision),
     .default_text = "float64", .choices = precisions, .doc = "floating-point type of the integration"},
    {.key = "backend", .type = TW_CFG_ENUM, .offset = offsetof(tw_trial_config, backend), .default_text = "auto",
     .choices = backends, .doc = "where the twins run, as in simulate"},
    {.key = "integrator", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, integrator),
     .sub = &tw_sim_integrator_schema, .default_text = "{}", .doc = "ODE integrator"},
    {.key = "scenario", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, scenario),
     .sub = &tw_sim_scenario_schema, .default_text = "{}",
     .doc = "what every arm shares: basal, meals, random meals, pump (the arms add their treatment)"},
    {.key = "sensor", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, sensor), .sub = &tw_sim_sensor_schema,
     .default_text = "{}", .doc = "CGM device"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_trial_config, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0,
     .doc = "run seed (Philox key): sensor noise, random meals, randomisation"},
    {.key = "drugs", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_config, drugs), .sub = &tw_drug_schema,
     .count_offset = offsetof(tw_trial_config, n_drugs), .default_text = "[]", .doc = "pbpk: the drug (docs/pbpk.md)"},
    {.key = "pd", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_config, pd), .sub = &tw_pd_schema,
     .count_offset = offsetof(tw_trial_config, n_pd), .default_text = "[]", .doc = "PD effects (docs/pbpk.md)"},
    {.key = "design", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, design), .sub = &design_schema,
     .required = 1, .doc = "parallel or crossover, and how twins are allocated"},
    {.key = "arms", .type = TW_CFG_LIST, .offset = offsetof(tw_trial_config, arms), .sub = &arm_schema,
     .count_offset = offsetof(tw_trial_config, n_arms), .required = 1, .doc = "two or more treatments"},
    {.key = "reference_arm", .type = TW_CFG_STRING, .offset = offsetof(tw_trial_config, reference_arm),
     .doc = "the comparator of every comparison (default: the first arm)"},
    {.key = "endpoints", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, endpoints), .sub = &endpoints_schema,
     .default_text = "{}", .doc = "what is measured per twin and arm, while the twins run"},
    {.key = "responders", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, responders),
     .sub = &responders_schema, .default_text = "{}", .doc = "the responder rule"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_trial_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "results file, summary.json, report.html"},
};

void tw_trial_arm_sim(const tw_trial_config *t, int a, tw_sim_config *out) {
  const tw_trial_arm_cfg *arm = &t->arms[a];
  memset(out, 0, sizeof *out);
  out->mark = t->mark;
  out->pack = t->pack;
  out->twins = t->twins;
  if (tw_trial_cohort_written(t)) out->twins.cohort = (char *)t->cohort.file;
  out->duration_min = t->warmup_min + t->duration_min;
  out->precision = t->precision;
  out->backend = t->backend;
  out->engine = t->engine;
  out->model = t->model;
  out->integrator = t->integrator;
  out->scenario = t->scenario;
  out->sensor = t->sensor;
  out->seed = t->seed;
  out->drugs = t->drugs, out->n_drugs = t->n_drugs;
  out->pd = t->pd, out->n_pd = t->n_pd;
  out->output = (tw_sim_output_cfg){.mark = t->output.mark, .path = t->output.path, .every_min = 1,
                                    .chunk_twins = t->output.chunk_twins, .buffer_mb = t->output.buffer_mb};
  if (arm->controller) {
    out->scenario.controller = arm->controller;
    out->scenario.controller_at = arm->mark;
    out->scenario.controller_key = arm->controller_key;
  }
  if (arm->controller_params.mark.line) out->scenario.controller_params = arm->controller_params;
  if (arm->n_boluses) out->scenario.boluses = arm->boluses, out->scenario.n_boluses = arm->n_boluses;
  if (arm->n_doses) out->scenario.doses = arm->doses, out->scenario.n_doses = arm->n_doses;
}

int tw_trial_reference_index(const tw_trial_config *t) {
  for (int a = 0; t->reference_arm && a < t->n_arms; ++a)
    if (!strcmp(t->arms[a].name, t->reference_arm)) return a;
  return t->reference_arm ? -1 : 0;
}

static tw_status check_arms(const tw_cfg_doc *doc, const tw_trial_config *t) {
  if (t->n_arms < 2) return tw_cfg_error_at(doc, t->mark, "arms: a trial needs at least two arms, got %d", t->n_arms);
  for (int a = 0; a < t->n_arms; ++a)
    for (int b = 0; b < a; ++b)
      if (!strcmp(t->arms[a].name, t->arms[b].name))
        return tw_cfg_error_at(doc, t->arms[a].mark, "arms[%d].name: '%s' is also the name of arms[%d]", a,
                               t->arms[a].name, b);
  if (tw_trial_reference_index(t) < 0)
    return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "reference_arm"), "reference_arm: '%s' is not one of the arms",
                           t->reference_arm);
  return TW_OK;
}

/* Ratios: one whole number per arm; blocks: whole ratio patterns. */
static tw_status check_design(const tw_cfg_doc *doc, const tw_trial_config *t) {
  const tw_trial_design_cfg *d = &t->design;
  if (d->type == TW_TRIAL_CROSSOVER && (d->n_ratios || d->n_stratify_by || d->block_size)) {
    const char *key = d->n_ratios ? "ratios" : d->block_size ? "block_size" : "stratify_by";
    char dotted[32];
    snprintf(dotted, sizeof dotted, "design.%s", key);
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, dotted, d->mark), "%s: a crossover takes no %s (every twin runs every "
                           "arm); ratios, block_size and stratify_by are for parallel designs", dotted, key);
  }
  if (d->n_ratios && d->n_ratios != t->n_arms)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "design.ratios", d->mark),
                           "design.ratios: %d ratios for %d arms (one per arm, in arm order)", d->n_ratios, t->n_arms);
  int64_t sum = d->n_ratios ? 0 : t->n_arms;
  for (int a = 0; a < d->n_ratios; ++a) {
    if (d->ratios[a] != floor(d->ratios[a]))
      return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "design.ratios", d->mark), "design.ratios[%d]: %g is not a whole number",
                             a, d->ratios[a]);
    sum += (int64_t)d->ratios[a];
  }
  if (d->block_size && d->block_size % sum)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "design.block_size", d->mark),
                           "design.block_size: %lld is not a multiple of the sum of the ratios (%lld)",
                           (long long)d->block_size, (long long)sum);
  for (int s = 0; s < d->n_stratify_by; ++s)
    for (int k = 1; k < d->stratify_by[s].n_cuts; ++k)
      if (!(d->stratify_by[s].cuts[k] > d->stratify_by[s].cuts[k - 1]))
        return tw_cfg_error_at(doc, d->stratify_by[s].mark, "design.stratify_by[%d].cuts: not ascending", s);
  return TW_OK;
}

int tw_trial_cohort_written(const tw_trial_config *t) {
  return t->cohort.from_twins || t->cohort.from_generator.mark.line;
}

void tw_trial_twins_cohort_path(const tw_trial_config *t, char *out, size_t cap) {
  char cwd[4096] = "";
  if (t->output.path[0] != '/' && !getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
  snprintf(out, cap, "%s%s%s%s", cwd, cwd[0] ? "/" : "", t->output.path,
           t->cohort.from_twins ? ".twins.h5" : ".cohort.h5");
}

/* from_generator: model or models (1 to TW_TRIAL_GENERATOR_MODELS_MAX), not both. */
static tw_status check_generator_models(const tw_cfg_doc *doc, const tw_trial_generator_cfg *g) {
  if (!g->mark.line) return TW_OK;
  if (!g->model == !g->n_models)
    return tw_cfg_error_at(doc, g->mark, "cohort.from_generator: give model (a GAN model file) or models (the model "
                           "files of an ensemble), %s", g->model ? "not both" : "one of them");
  if (g->n_models > TW_TRIAL_GENERATOR_MODELS_MAX)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "cohort.from_generator.models", g->mark),
                           "cohort.from_generator.models: %d files; at most %d", g->n_models,
                           TW_TRIAL_GENERATOR_MODELS_MAX);
  return TW_OK;
}

/* cohort: from_twins or from_generator (not both); records only with from_twins. */
static tw_status check_cohort(const tw_cfg_doc *doc, const tw_trial_config *t) {
  const tw_trial_cohort_cfg *c = &t->cohort;
  if (!c->mark.line) return TW_OK;
  if (!c->from_twins && !c->from_generator.mark.line)
    return tw_cfg_error_at(doc, c->mark, "cohort: give from_twins (a twins file of `twinscale twin fit`) or "
                           "from_generator ({model, condition, n}: twins sampled from a GAN model)");
  if (c->records && !c->from_twins)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "cohort.records", c->mark),
                           "cohort.records: only with cohort.from_twins (the records its fit read)");
  if (c->from_twins && c->from_generator.mark.line)
    return tw_cfg_error_at(doc, c->from_generator.mark, "cohort.from_generator: not with cohort.from_twins; the "
                           "generated twins join a cohort file (twins: {cohort: C.h5}) or form the cohort alone");
  return check_generator_models(doc, &c->from_generator);
}

/* The twins: `twins`; cohort.from_twins in its place; cohort.from_generator
** alone or beside a cohort file (twins.cohort), as the cohort file the command writes. */
static tw_status check_twins(const tw_cfg_doc *doc, tw_trial_config *t) {
  const int has_twins = t->twins.mark.line != 0, gen = t->cohort.from_generator.mark.line != 0;
  TW_TRY(check_cohort(doc, t));
  if (!t->cohort.from_twins && !gen && !has_twins)
    return tw_cfg_error_at(doc, t->mark, "twins: missing: give the twins (as in simulate) or cohort.from_twins "
                           "(a twins file of `twinscale twin fit`), or cohort.from_generator (a GAN model)");
  if (t->cohort.from_twins && has_twins)
    return tw_cfg_error_at(doc, t->twins.mark, "twins: give twins or cohort.from_twins, not both");
  if (gen && has_twins && (!t->twins.cohort || t->twins.n_reference || t->twins.table || t->twins.n_subjects))
    return tw_cfg_error_at(doc, t->twins.mark, "twins: with cohort.from_generator the generated twins join a cohort "
                           "file (twins: {cohort: C.h5} and nothing else) or form the cohort alone (no twins)");
  if (tw_trial_cohort_written(t)) tw_trial_twins_cohort_path(t, t->cohort.file, sizeof t->cohort.file);
  return TW_OK;
}

const char *tw_trial_cohort_file(const tw_trial_config *t) {
  return tw_trial_cohort_written(t) ? t->cohort.file : t->twins.cohort;
}

static tw_status check_trial(const tw_cfg_doc *doc, void *obj) {
  tw_trial_config *t = obj;
  TW_TRY(check_twins(doc, t));
  for (int a = 0; a < t->n_arms; ++a) /* where the arm's controller errors point (tw_trial_arm_sim) */
    snprintf(t->arms[a].controller_key, sizeof t->arms[a].controller_key, "arms[%d].controller (arm %.40s)", a,
             t->arms[a].name);
  TW_TRY(check_arms(doc, t));
  TW_TRY(check_design(doc, t));
  const int64_t run = t->warmup_min + t->duration_min;
  if (t->output.trajectories.twins && run % t->output.trajectories.every_min)
    return tw_cfg_error_at(doc, t->output.trajectories.mark,
                           "output.trajectories.every_min: %lld does not divide warmup_min + duration_min = %lld",
                           (long long)t->output.trajectories.every_min, (long long)run);
  for (int i = 0; i < t->endpoints.n_thresholds; ++i) {
    const tw_trial_threshold_cfg *h = &t->endpoints.thresholds[i];
    if (h->kind == TW_TRIAL_BETWEEN && !(h->high >= h->value))
      return tw_cfg_error_at(doc, h->mark, "endpoints.thresholds[%d] (%s): between needs high >= value", i, h->name);
  }
  for (int a = 0; a < t->n_arms; ++a) {
    tw_sim_config sim;
    tw_trial_arm_sim(t, a, &sim);
    TW_TRY(tw_sim_config_check(doc, &sim));
  }
  return TW_OK;
}

const tw_cfg_schema tw_trial_config_schema = TW_CFG_SCHEMA(tw_trial_config, trial_fields, check_trial);
