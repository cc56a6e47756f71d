/*
** config_example.c: the schema tables of the `example` config kind
** (config_example.h). Read it as the template for a new schema: one field
** table per struct, the nested ones first, and a check hook for what a single
** field cannot say (here: meals in time order, and a uniform's lo below hi).
** The distribution kinds show a tagged union (TW_CFG_UNION), alone and in a
** list; variability and the empirical kind show lists of numbers.
*/
#include "core/config_example.h"

static const tw_cfg_field meal_fields[] = {
    {.key = "time_min", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_meal, time_min), .required = 1,
     .has_range = 1, .min = 0, .max = 1e6, .unit = "min", .doc = "when the meal starts, from the start of the run"},
    {.key = "carbs_g", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_meal, carbs_g), .required = 1,
     .has_range = 1, .min = 0, .max = 500, .unit = "g", .doc = "carbohydrate eaten"},
};
static const tw_cfg_schema meal_schema = TW_CFG_SCHEMA(tw_example_meal, meal_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_example_output, path), .default_text = "out.h5",
     .doc = "where results would go"},
    {.key = "every_min", .type = TW_CFG_INT, .offset = offsetof(tw_example_output, every_min), .default_text = "5",
     .has_range = 1, .min = 1, .max = 1440, .unit = "min", .doc = "sampling interval"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_example_output, output_fields, NULL);

static const tw_cfg_field lognormal_fields[] = {
    {.key = "median", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_lognormal, median), .required = 1,
     .has_range = 1, .min = 0, .max = 1e6, .doc = "the median"},
    {.key = "cv", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_lognormal, cv), .default_text = "0.2",
     .has_range = 1, .min = 0, .max = 10, .doc = "coefficient of variation"},
};
static const tw_cfg_field uniform_fields[] = {
    {.key = "lo", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_uniform, lo), .required = 1,
     .doc = "lower bound"},
    {.key = "hi", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_uniform, hi), .required = 1,
     .doc = "upper bound, above lo"},
};
static const tw_cfg_field normal_fields[] = {
    {.key = "mean", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_normal, mean), .required = 1,
     .doc = "the mean"},
    {.key = "sd", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_normal, sd), .default_text = "1",
     .has_range = 1, .min = 0, .max = 1e6, .doc = "standard deviation"},
};
static const tw_cfg_field empirical_fields[] = {
    {.key = "values", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_example_empirical, values), .required = 1,
     .count_offset = offsetof(tw_example_empirical, n_values), .min_count = 1, .max_count = 1000,
     .doc = "the values drawn from, with equal weight"},
};

/* A uniform distribution needs lo < hi, reported at its mapping. */
static tw_status check_uniform(const tw_cfg_doc *doc, void *obj) {
  const tw_example_uniform *u = obj;
  if (u->lo < u->hi) return TW_OK;
  return tw_cfg_error_at(doc, u->mark, "uniform: lo (%g) must be below hi (%g)", u->lo, u->hi);
}

static const tw_cfg_schema lognormal_schema = TW_CFG_SCHEMA(tw_example_lognormal, lognormal_fields, NULL);
static const tw_cfg_schema uniform_schema = TW_CFG_SCHEMA(tw_example_uniform, uniform_fields, check_uniform);
static const tw_cfg_schema normal_schema = TW_CFG_SCHEMA(tw_example_normal, normal_fields, NULL);
static const tw_cfg_schema empirical_schema = TW_CFG_SCHEMA(tw_example_empirical, empirical_fields, NULL);

/* The kind names and their schemas, in tw_example_dist_kind order. */
static const char *const dist_kinds[] = {"lognormal", "uniform", "normal", "empirical", NULL};
static const tw_cfg_schema *const dist_variants[] = {&lognormal_schema, &uniform_schema, &normal_schema,
                                                     &empirical_schema};

/* A list element that is a distribution: a bare union (key ""). */
static const tw_cfg_field distribution_fields[] = {
    {.key = "", .type = TW_CFG_UNION, .offset = offsetof(tw_example_distribution, kind),
     .value_offset = offsetof(tw_example_distribution, as), .choices = dist_kinds, .variants = dist_variants,
     .doc = "a distribution"},
};
static const tw_cfg_schema distribution_schema = TW_CFG_SCHEMA(tw_example_distribution, distribution_fields, NULL);

static const tw_cfg_field variability_fields[] = {
    {.key = "cv", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_example_variability, cv),
     .count_offset = offsetof(tw_example_variability, n_cv), .marks_offset = offsetof(tw_example_variability, cv_marks),
     .default_text = "[]", .has_range = 1, .min = 0, .max = 10, .doc = "coefficients of variation"},
    {.key = "correlation_row", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_example_variability, correlation_row),
     .count_offset = offsetof(tw_example_variability, n_correlation_row), .min_count = 3, .max_count = 3,
     .has_range = 1, .min = -1, .max = 1, .doc = "a row of a 3x3 correlation matrix"},
};
static const tw_cfg_schema variability_schema = TW_CFG_SCHEMA(tw_example_variability, variability_fields, NULL);

static const char *const precisions[] = {"float32", "float64", NULL};

static const tw_cfg_field example_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_example_config, name), .required = 1,
     .doc = "a name for the run"},
    {.key = "enabled", .type = TW_CFG_BOOL, .offset = offsetof(tw_example_config, enabled), .default_text = "true",
     .doc = "a switch"},
    {.key = "twins", .type = TW_CFG_INT, .offset = offsetof(tw_example_config, twins), .default_text = "1",
     .has_range = 1, .min = 1, .max = 1e9, .doc = "cohort size"},
    {.key = "basal_u_per_h", .type = TW_CFG_NUMBER, .offset = offsetof(tw_example_config, basal_u_per_h),
     .default_text = "reference", .has_range = 1, .min = 0, .max = 100, .keyword = "reference",
     .keyword_offset = offsetof(tw_example_config, basal_is_reference), .unit = "U/h",
     .doc = "basal insulin rate, or `reference` for each patient's own"},
    {.key = "precision", .type = TW_CFG_ENUM, .offset = offsetof(tw_example_config, precision),
     .default_text = "float64", .choices = precisions, .doc = "floating-point precision"},
    {.key = "patients", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_example_config, patients),
     .count_offset = offsetof(tw_example_config, n_patients), .marks_offset = offsetof(tw_example_config, patient_marks),
     .default_text = "[]", .doc = "patient names"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_example_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "where and how often to write"},
    {.key = "meals", .type = TW_CFG_LIST, .offset = offsetof(tw_example_config, meals), .sub = &meal_schema,
     .count_offset = offsetof(tw_example_config, n_meals), .default_text = "[]", .doc = "meals, in time order"},
    {.key = "note", .type = TW_CFG_STRING, .offset = offsetof(tw_example_config, note), .doc = "free text"},
    {.key = "variability", .type = TW_CFG_MAP, .offset = offsetof(tw_example_config, variability),
     .sub = &variability_schema, .default_text = "{}", .doc = "lists of numbers"},
    {.key = "distribution", .type = TW_CFG_UNION, .offset = offsetof(tw_example_config, distribution.kind),
     .value_offset = offsetof(tw_example_config, distribution.as), .choices = dist_kinds, .variants = dist_variants,
     .default_text = "{kind: normal, mean: 70, sd: 10}", .doc = "one of these kinds of distribution"},
    {.key = "covariates", .type = TW_CFG_LIST, .offset = offsetof(tw_example_config, covariates),
     .sub = &distribution_schema, .count_offset = offsetof(tw_example_config, n_covariates), .default_text = "[]",
     .doc = "a list of distributions (a list of unions)"},
};

/* Meals must come in time order: a check no single field can make, reported
** at the meal that breaks it. */
static tw_status check_example(const tw_cfg_doc *doc, void *obj) {
  const tw_example_config *c = obj;
  for (int i = 1; i < c->n_meals; ++i)
    if (c->meals[i].time_min < c->meals[i - 1].time_min)
      return tw_cfg_error_at(doc, c->meals[i].mark, "meals[%d]: starts at %g min, before the meal above it (%g min)",
                             i, c->meals[i].time_min, c->meals[i - 1].time_min);
  return TW_OK;
}

const tw_cfg_schema tw_example_config_schema = TW_CFG_SCHEMA(tw_example_config, example_fields, check_example);
