/*
** config_example.c: the schema tables of the `example` config kind
** (config_example.h). Read it as the template for a new schema: one field
** table per struct, the nested ones first, and a check hook for what a single
** field cannot say (here: meals in time order).
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
