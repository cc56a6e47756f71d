/*
** import_config.c: the schema of the `import` config kind (import.h,
** docs/import.md): where the persons come from, the reference date, the name
** of the environment variable that holds the salt, and the cohort model bound
** with the `cohort` kind's own tables (covariates, correlation, parameters,
** output) and checked by the `cohort` kind's own cross-field check, so that
** both kinds read the model alike and report its errors alike (FILE:LINE:COL).
*/
#include "cohort/import.h"

#include <ctype.h>  /* isalpha, isalnum */
#include <stddef.h> /* offsetof */

static const tw_cfg_field source_fields[] = {
    {.key = "synthea", .type = TW_CFG_STRING, .offset = offsetof(tw_import_source, synthea),
     .doc = "a Synthea CSV export directory (patients.csv, observations.csv, conditions.csv), relative to the config"},
    {.key = "person_csv", .type = TW_CFG_STRING, .offset = offsetof(tw_import_source, person_csv),
     .doc = "a person CSV file (docs/import.md), relative to the config"},
};

static tw_status check_source(const tw_cfg_doc *doc, void *obj) {
  const tw_import_source *s = obj;
  if (!s->synthea == !s->person_csv)
    return tw_cfg_error_at(doc, s->mark, "source: give exactly one of synthea (a directory) or person_csv (a file)");
  return TW_OK;
}
static const tw_cfg_schema source_schema = TW_CFG_SCHEMA(tw_import_source, source_fields, check_source);

#define MODEL(field) offsetof(tw_import_config, model) + offsetof(tw_cohort_config, field)

static const tw_cfg_field import_fields[] = {
    {.key = "source", .type = TW_CFG_MAP, .offset = offsetof(tw_import_config, source), .sub = &source_schema,
     .required = 1, .doc = "the persons: {synthea: DIR} or {person_csv: FILE}"},
    {.key = "reference_date", .type = TW_CFG_STRING, .offset = offsetof(tw_import_config, reference_date),
     .required = 1, .doc = "YYYY-MM-DD: ages, covariates and conditions as at the end of this day"},
    {.key = "salt_env", .type = TW_CFG_STRING, .offset = offsetof(tw_import_config, salt_env), .required = 1,
     .doc = "the environment variable holding the pseudonym salt (at least 16 bytes; never written anywhere)"},
    {.key = "keep_deceased", .type = TW_CFG_BOOL, .offset = offsetof(tw_import_config, keep_deceased),
     .default_text = "false", .doc = "keep persons who died before the reference date"},
    {.key = "seed", .type = TW_CFG_INT, .offset = MODEL(seed), .default_text = "1", .has_range = 1, .min = 0,
     .max = 9007199254740992.0, .doc = "run seed (Philox key) of the parameter draws"},
    {.key = "pack", .type = TW_CFG_STRING, .offset = MODEL(pack), .default_text = "t1d",
     .doc = "the pack whose parameters are drawn (t1d)"},
    {.key = "covariates", .type = TW_CFG_MAP, .offset = MODEL(covariates), .sub = &tw_cohort_covariates_schema,
     .default_text = "{}", .doc = "the cohort model's marginals (as in a cohort config): what missing values are imputed from"},
    {.key = "correlation", .type = TW_CFG_MAP, .offset = MODEL(correlation), .sub = &tw_cohort_correlation_schema,
     .default_text = "{}", .doc = "the cohort model's Gaussian copula (as in a cohort config)"},
    {.key = "parameters", .type = TW_CFG_MAP, .offset = MODEL(parameters), .sub = &tw_cohort_params_schema,
     .default_text = "{}", .doc = "how each twin's pack parameters are drawn (as in a cohort config)"},
    {.key = "output", .type = TW_CFG_MAP, .offset = MODEL(output), .sub = &tw_cohort_output_schema,
     .default_text = "{}", .doc = "where the cohort goes"},
};

/* An environment variable's name: a letter or _, then letters, digits, _. */
static int env_name_ok(const char *s) {
  if (!(isalpha((unsigned char)*s) || *s == '_')) return 0;
  for (++s; *s; ++s)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return 1;
}

static tw_status check_import(const tw_cfg_doc *doc, void *obj) {
  tw_import_config *c = obj;
  int64_t seconds;
  if (tw_date_parse(c->reference_date, &seconds) != 0 || c->reference_date[10] != '\0')
    return tw_cfg_error_at(doc, tw_cfg_path_mark(doc, "reference_date"), "reference_date: expected a day YYYY-MM-DD "
                           "(got '%.32s')", c->reference_date);
  if (!env_name_ok(c->salt_env))
    return tw_cfg_error_at(doc, tw_cfg_path_mark(doc, "salt_env"), "salt_env: expected the name of an environment "
                           "variable (letters, digits, _), not the salt itself");
  c->model.mark = c->mark; /* the cohort check's messages point at this file's top */
  return tw_cohort_config_schema.check(doc, &c->model);
}

const tw_cfg_schema tw_import_config_schema = TW_CFG_SCHEMA(tw_import_config, import_fields, check_import);
