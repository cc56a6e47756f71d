/*
** cohort_config.c: the schema of the `cohort` config kind (cohort_config.h)
** and its cross-field checks: height or BMI (not both), uniform lo < hi, the
** covariate correlation matrix (names, square, symmetric, positive definite),
** the pack and its parameter names, and the IIV correlation matrix. Every
** problem is reported at its FILE:LINE:COL before anything is drawn.
*/
#include "cohort/cohort_config.h"

#include <math.h>   /* fabs */
#include <stdlib.h> /* malloc */
#include <string.h> /* strcmp */

#include "core/random.h"  /* tw_cholesky */
#include "physio/pack.h"  /* tw_pack_find, tw_pack_param_index */

static const char *const var_names[TW_CH_N_VARS] = {"age_y", "weight_kg", "height_cm", "bmi", "hba1c_percent",
                                                    "glucose_mg_dl", "egfr", "sex"};
static const char *const var_units[TW_CH_N_VARS] = {"yr", "kg", "cm", "kg/m2", "%", "mg/dL", "mL/min/{1.73_m2}", "1"};

const char *tw_cohort_var_name(int v) { return var_names[v]; }
const char *tw_cohort_var_units(int v) { return var_units[v]; }

int tw_cohort_var_index(const char *name) {
  for (int v = 0; v < TW_CH_N_VARS; ++v)
    if (!strcmp(var_names[v], name)) return v;
  return -1;
}

/* ---- marginals: one struct, three field tables ---------------------------- */

#define TRUNC_FIELDS                                                                                              \
  {.key = "min", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, min), .default_text = "none",          \
   .keyword = "none", .keyword_offset = offsetof(tw_cohort_dist, no_min), .doc = "truncated below here (none: not)"}, \
  {.key = "max", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, max), .default_text = "none",          \
   .keyword = "none", .keyword_offset = offsetof(tw_cohort_dist, no_max), .doc = "truncated above here (none: not)"}

static const tw_cfg_field normal_fields[] = {
    {.key = "mean", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, a), .required = 1, .doc = "the mean"},
    {.key = "sd", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, b), .required = 1, .has_range = 1,
     .min = 1e-12, .max = 1e12, .doc = "standard deviation"},
    TRUNC_FIELDS};
static const tw_cfg_field lognormal_fields[] = {
    {.key = "median", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, a), .required = 1, .has_range = 1,
     .min = 1e-12, .max = 1e12, .doc = "the median"},
    {.key = "cv", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, b), .required = 1, .has_range = 1,
     .min = 1e-6, .max = 10, .doc = "coefficient of variation: sd/mean of the (untruncated) log-normal"},
    TRUNC_FIELDS};
static const tw_cfg_field uniform_fields[] = {
    {.key = "lo", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, a), .required = 1, .doc = "lower end"},
    {.key = "hi", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_dist, b), .required = 1,
     .doc = "upper end, above lo"},
    TRUNC_FIELDS};

/* The truncation must leave an interval with probability in it; uniform lo < hi. */
static tw_status check_dist(const tw_cfg_doc *doc, void *obj) {
  const tw_cohort_dist *d = obj;
  if (!d->no_min && !d->no_max && !(d->min < d->max))
    return tw_cfg_error_at(doc, d->mark, "min (%g) must be below max (%g)", d->min, d->max);
  return TW_OK;
}
static tw_status check_uniform(const tw_cfg_doc *doc, void *obj) {
  const tw_cohort_dist *d = obj;
  if (!(d->a < d->b)) return tw_cfg_error_at(doc, d->mark, "uniform: lo (%g) must be below hi (%g)", d->a, d->b);
  if ((!d->no_min && d->min >= d->b) || (!d->no_max && d->max <= d->a))
    return tw_cfg_error_at(doc, d->mark, "uniform: [min, max] does not overlap [lo, hi]");
  return check_dist(doc, obj);
}

static const tw_cfg_schema normal_schema = TW_CFG_SCHEMA(tw_cohort_dist, normal_fields, check_dist);
static const tw_cfg_schema lognormal_schema = TW_CFG_SCHEMA(tw_cohort_dist, lognormal_fields, check_dist);
static const tw_cfg_schema uniform_schema = TW_CFG_SCHEMA(tw_cohort_dist, uniform_fields, check_uniform);
static const char *const dist_kinds[] = {"normal", "lognormal", "uniform", NULL};
static const tw_cfg_schema *const dist_variants[] = {&normal_schema, &lognormal_schema, &uniform_schema};

/* A covariate is a union field of its own (a MAP of a bare union is not a schema). */
#define COV_FIELD(V, NAME, UNIT)                                                                                 \
  {.key = NAME, .type = TW_CFG_UNION, .offset = offsetof(tw_cohort_covariates, m[V].kind),                    \
   .value_offset = offsetof(tw_cohort_covariates, m[V].as), .choices = dist_kinds, .variants = dist_variants, \
   .unit = UNIT, .doc = "marginal of " NAME ": normal {mean, sd}, lognormal {median, cv} or uniform {lo, hi}, " \
   "each with optional min and max (absent: not drawn)"}

static const tw_cfg_field covariates_fields[] = {
    COV_FIELD(TW_CH_AGE, "age_y", "yr"),
    {.key = "sex_male", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_covariates, sex_male),
     .default_text = "none", .keyword = "none", .keyword_offset = offsetof(tw_cohort_covariates, sex_absent),
     .has_range = 1, .min = 0, .max = 1, .doc = "fraction of males (none: sex not drawn)"},
    COV_FIELD(TW_CH_WEIGHT, "weight_kg", "kg"),
    COV_FIELD(TW_CH_HEIGHT, "height_cm", "cm"),
    COV_FIELD(TW_CH_BMI, "bmi", "kg/m2"),
    COV_FIELD(TW_CH_HBA1C, "hba1c_percent", "%"),
    COV_FIELD(TW_CH_GLUCOSE, "glucose_mg_dl", "mg/dL"),
    COV_FIELD(TW_CH_EGFR, "egfr", "mL/min/{1.73_m2}"),
};

/* Height and BMI determine each other given weight: one of them is drawn. */
static tw_status check_covariates(const tw_cfg_doc *doc, void *obj) {
  const tw_cohort_covariates *cv = obj;
  const tw_cohort_dist *h = &cv->m[TW_CH_HEIGHT].as.normal, *b = &cv->m[TW_CH_BMI].as.normal;
  if (h->mark.line && b->mark.line)
    return tw_cfg_error_at(doc, b->mark, "covariates: give height_cm or bmi, not both (the other is derived from "
                           "weight_kg)");
  return TW_OK;
}
static const tw_cfg_schema covariates_schema = TW_CFG_SCHEMA(tw_cohort_covariates, covariates_fields, check_covariates);

#define ROW_FIELD(V, NAME)                                                                                      \
  {.key = NAME, .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_cohort_correlation, row[V]),              \
   .count_offset = offsetof(tw_cohort_correlation, n_row[V]), .marks_offset = offsetof(tw_cohort_correlation, row_marks[V]), \
   .has_range = 1, .min = -1, .max = 1, .doc = "the row of " NAME ": one correlation per name in variables"}

static const tw_cfg_field correlation_fields[] = {
    {.key = "variables", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_cohort_correlation, variables),
     .count_offset = offsetof(tw_cohort_correlation, n_variables),
     .marks_offset = offsetof(tw_cohort_correlation, variable_marks), .default_text = "[]",
     .doc = "the covariates correlated, in column order (others are independent)"},
    ROW_FIELD(TW_CH_AGE, "age_y"), ROW_FIELD(TW_CH_SEX, "sex"), ROW_FIELD(TW_CH_WEIGHT, "weight_kg"),
    ROW_FIELD(TW_CH_HEIGHT, "height_cm"), ROW_FIELD(TW_CH_BMI, "bmi"), ROW_FIELD(TW_CH_HBA1C, "hba1c_percent"),
    ROW_FIELD(TW_CH_GLUCOSE, "glucose_mg_dl"), ROW_FIELD(TW_CH_EGFR, "egfr"),
};
static const tw_cfg_schema correlation_schema = TW_CFG_SCHEMA(tw_cohort_correlation, correlation_fields, NULL);

static const tw_cfg_field condition_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_condition, name), .required = 1,
     .doc = "the condition (/cohort/conditions/<name>), e.g. type1_diabetes"},
    {.key = "prevalence", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_condition, prevalence), .required = 1,
     .has_range = 1, .min = 0, .max = 1, .doc = "fraction of twins with the condition"},
};
static const tw_cfg_schema condition_schema = TW_CFG_SCHEMA(tw_cohort_condition, condition_fields, NULL);

static const tw_cfg_field subgroup_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_subgroup, name), .required = 1,
     .doc = "the subgroup's name (/cohort/subgroup_names)"},
    {.key = "size", .type = TW_CFG_INT, .offset = offsetof(tw_cohort_subgroup, size), .required = 1, .has_range = 1,
     .min = 1, .max = 1e8, .doc = "its number of twins (part of the cohort's size)"},
    {.key = "covariates", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_subgroup, covariates),
     .sub = &covariates_schema, .default_text = "{}",
     .doc = "marginals replacing the cohort's (of covariates the cohort draws); sex_male none: the cohort's"},
};
static const tw_cfg_schema subgroup_schema = TW_CFG_SCHEMA(tw_cohort_subgroup, subgroup_fields, NULL);

static const tw_cfg_field iiv_fields[] = {
    {.key = "parameter", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_iiv, parameter), .required = 1,
     .doc = "a parameter of the pack"},
    {.key = "cv", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_iiv, cv), .required = 1, .has_range = 1,
     .min = 0, .max = 10, .doc = "coefficient of variation of the log-normal factor"},
};
static const tw_cfg_schema iiv_schema = TW_CFG_SCHEMA(tw_cohort_iiv, iiv_fields, NULL);

static const tw_cfg_field iiv_corr_fields[] = {
    {.key = "a", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_iiv_corr, a), .required = 1,
     .doc = "a parameter in variability"},
    {.key = "b", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_iiv_corr, b), .required = 1,
     .doc = "another parameter in variability"},
    {.key = "rho", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_iiv_corr, rho), .required = 1, .has_range = 1,
     .min = -1, .max = 1, .doc = "correlation of their log-scale deviations"},
};
static const tw_cfg_schema iiv_corr_schema = TW_CFG_SCHEMA(tw_cohort_iiv_corr, iiv_corr_fields, NULL);

static const char *const ref_modes[] = {"nearest", "uniform", NULL};

static const tw_cfg_field steady_fields[] = {
    {.key = "hours", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_steady_cfg, hours), .default_text = "48",
     .has_range = 1, .min = 0, .max = 240, .unit = "h",
     .doc = "fasting hours at the reference basal rate each draw is integrated (0: no check; else at least 2)"},
    {.key = "low", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_steady_cfg, low), .default_text = "70",
     .has_range = 1, .min = 0, .max = 1000, .unit = "mg/dL",
     .doc = "the CGM observable (t1d: bg) must stay at or above this"},
    {.key = "high", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_steady_cfg, high), .default_text = "250",
     .has_range = 1, .min = 0, .max = 1000, .unit = "mg/dL", .doc = "and at or below this"},
    {.key = "drift", .type = TW_CFG_NUMBER, .offset = offsetof(tw_cohort_steady_cfg, drift), .default_text = "1",
     .has_range = 1, .min = 0, .max = 1000, .unit = "mg/dL",
     .doc = "and move by at most this over the last hour (settled)"},
};

static tw_status check_steady(const tw_cfg_doc *doc, void *obj) {
  const tw_cohort_steady_cfg *r = obj;
  if (r->hours > 0 && r->hours < 2)
    return tw_cfg_error_at(doc, r->mark, "steady_state.hours: 0 (no check) or at least 2 (got %g)", r->hours);
  if (!(r->low < r->high))
    return tw_cfg_error_at(doc, r->mark, "steady_state: low (%g) must be below high (%g)", r->low, r->high);
  return TW_OK;
}
static const tw_cfg_schema steady_schema = TW_CFG_SCHEMA(tw_cohort_steady_cfg, steady_fields, check_steady);

static const tw_cfg_field params_fields[] = {
    {.key = "reference", .type = TW_CFG_ENUM, .offset = offsetof(tw_cohort_params, reference),
     .default_text = "nearest", .choices = ref_modes,
     .doc = "reference patient: nearest by age_y and weight_kg, or uniform among the pack's reference twins"},
    {.key = "variability", .type = TW_CFG_LIST, .offset = offsetof(tw_cohort_params, variability), .sub = &iiv_schema,
     .count_offset = offsetof(tw_cohort_params, n_variability), .default_text = "[]",
     .doc = "log-normal inter-individual variability: {parameter, cv}"},
    {.key = "correlations", .type = TW_CFG_LIST, .offset = offsetof(tw_cohort_params, correlations),
     .sub = &iiv_corr_schema, .count_offset = offsetof(tw_cohort_params, n_correlations), .default_text = "[]",
     .doc = "correlations between variability entries: {a, b, rho}"},
    {.key = "max_attempts", .type = TW_CFG_INT, .offset = offsetof(tw_cohort_params, max_attempts),
     .default_text = "100", .has_range = 1, .min = 1, .max = 65535,
     .doc = "draws of a twin's parameters (out of range or failing steady_state) before giving up"},
    {.key = "steady_state", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_params, steady_state),
     .sub = &steady_schema, .default_text = "{}",
     .doc = "the fasting steady state a draw must have at its basal rate, else it is redrawn"},
};
static const tw_cfg_schema params_schema = TW_CFG_SCHEMA(tw_cohort_params, params_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_output, path), .default_text = "cohort.h5",
     .doc = "the cohort file"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_cohort_output, output_fields, NULL);

static const tw_cfg_field cohort_fields[] = {
    {.key = "size", .type = TW_CFG_INT, .offset = offsetof(tw_cohort_config, size), .required = 1, .has_range = 1,
     .min = 1, .max = 1e8, .doc = "number of twins"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_cohort_config, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0, .doc = "run seed (Philox key) of every draw"},
    {.key = "pack", .type = TW_CFG_STRING, .offset = offsetof(tw_cohort_config, pack), .default_text = "t1d",
     .doc = "the pack whose parameters are drawn (t1d)"},
    {.key = "covariates", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_config, covariates),
     .sub = &covariates_schema, .default_text = "{}", .doc = "marginal distributions of the covariates"},
    {.key = "correlation", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_config, correlation),
     .sub = &correlation_schema, .default_text = "{}", .doc = "the Gaussian copula's correlation matrix"},
    {.key = "conditions", .type = TW_CFG_LIST, .offset = offsetof(tw_cohort_config, conditions),
     .sub = &condition_schema, .count_offset = offsetof(tw_cohort_config, n_conditions), .default_text = "[]",
     .doc = "conditions with prevalence, drawn independently"},
    {.key = "subgroups", .type = TW_CFG_LIST, .offset = offsetof(tw_cohort_config, subgroups),
     .sub = &subgroup_schema, .count_offset = offsetof(tw_cohort_config, n_subgroups), .default_text = "[]",
     .doc = "named subgroups {name, size, covariates}: the first twins; the rest form `main`"},
    {.key = "parameters", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_config, parameters), .sub = &params_schema,
     .default_text = "{}", .doc = "how each twin's pack parameters are drawn"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_cohort_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "where the cohort goes"},
};

/* ---- the copula ------------------------------------------------------------ */

const tw_cohort_dist *tw_cohort_marginal_of(const tw_cohort_config *c, int v) {
  const tw_cohort_dist *d = &c->covariates.m[v].as.normal;
  return d->mark.line ? d : NULL;
}

int tw_cohort_subgroup_of(const tw_cohort_config *c, int64_t i) {
  int64_t end = 0;
  for (int g = 0; g < c->n_subgroups; ++g)
    if (i < (end += c->subgroups[g].size)) return g;
  return c->n_subgroups;
}

const tw_cohort_dist *tw_cohort_group_marginal(const tw_cohort_config *c, int g, int v, int *kind) {
  const tw_cohort_marginal *m = &c->covariates.m[v];
  if (g < c->n_subgroups && c->subgroups[g].covariates.m[v].as.normal.mark.line) m = &c->subgroups[g].covariates.m[v];
  *kind = m->kind;
  return &m->as.normal;
}

double tw_cohort_group_sex_male(const tw_cohort_config *c, int g) {
  if (g < c->n_subgroups && !c->subgroups[g].covariates.sex_absent) return c->subgroups[g].covariates.sex_male;
  return c->covariates.sex_male;
}

static int var_drawn(const tw_cohort_config *c, int v) {
  return v == TW_CH_SEX ? !c->covariates.sex_absent : tw_cohort_marginal_of(c, v) != NULL;
}

tw_status tw_cohort_copula(const tw_cohort_config *c, int *vars, int *m, double *L) {
  const tw_cohort_correlation *r = &c->correlation;
  int n = 0, listed[TW_CH_N_VARS] = {0};
  for (int i = 0; i < r->n_variables; ++i) listed[vars[n++] = tw_cohort_var_index(r->variables[i])] = 1;
  for (int v = 0; v < TW_CH_N_VARS; ++v)
    if (var_drawn(c, v) && !listed[v]) vars[n++] = v;
  double R[TW_CH_N_VARS * TW_CH_N_VARS];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) R[i * n + j] = i < r->n_variables && j < r->n_variables ? r->row[vars[i]][j] : i == j;
  *m = n;
  return tw_cholesky(n, R, L, "the covariate correlation matrix");
}

/* Each listed name is a drawn covariate, listed once. */
static tw_status check_variables(const tw_cfg_doc *doc, const tw_cohort_config *c) {
  const tw_cohort_correlation *r = &c->correlation;
  for (int i = 0; i < r->n_variables; ++i) {
    int v = tw_cohort_var_index(r->variables[i]);
    if (v < 0) return tw_cfg_error_at(doc, r->variable_marks[i], "correlation: unknown covariate '%.64s'", r->variables[i]);
    if (!var_drawn(c, v))
      return tw_cfg_error_at(doc, r->variable_marks[i], "correlation: %s is not drawn (no marginal under covariates)",
                             r->variables[i]);
    for (int j = 0; j < i; ++j)
      if (!strcmp(r->variables[j], r->variables[i]))
        return tw_cfg_error_at(doc, r->variable_marks[i], "correlation: %s is listed twice", r->variables[i]);
  }
  return TW_OK;
}

/* Rows: one per listed variable, as long as the list, unit diagonal, symmetric. */
static tw_status check_rows(const tw_cfg_doc *doc, const tw_cohort_config *c) {
  const tw_cohort_correlation *r = &c->correlation;
  int k = r->n_variables, idx[TW_CH_N_VARS];
  for (int i = 0; i < k; ++i) idx[i] = tw_cohort_var_index(r->variables[i]);
  for (int v = 0; v < TW_CH_N_VARS; ++v) {
    int pos = -1;
    for (int i = 0; i < k; ++i) pos = idx[i] == v ? i : pos;
    if (pos < 0 && r->n_row[v])
      return tw_cfg_error_at(doc, r->row_marks[v][0], "correlation: a row for %s, which is not in variables", var_names[v]);
    if (pos >= 0 && r->n_row[v] != k)
      return tw_cfg_error_at(doc, r->n_row[v] ? r->row_marks[v][0] : r->mark,
                             "correlation: the row of %s needs %d values (one per variable), has %d", var_names[v], k,
                             r->n_row[v]);
  }
  for (int i = 0; i < k; ++i) {
    const double *ri = r->row[idx[i]];
    if (ri[i] != 1.0) return tw_cfg_error_at(doc, r->row_marks[idx[i]][i], "correlation: the diagonal must be 1");
    for (int j = 0; j < i; ++j)
      if (fabs(ri[j] - r->row[idx[j]][i]) > 1e-12)
        return tw_cfg_error_at(doc, r->row_marks[idx[i]][j], "correlation: not symmetric: %s,%s is %g but %s,%s is %g",
                               var_names[idx[i]], var_names[idx[j]], ri[j], var_names[idx[j]], var_names[idx[i]],
                               r->row[idx[j]][i]);
  }
  return TW_OK;
}

static tw_status check_copula(const tw_cfg_doc *doc, const tw_cohort_config *c) {
  TW_TRY(check_variables(doc, c));
  TW_TRY(check_rows(doc, c));
  int vars[TW_CH_N_VARS], m;
  double L[TW_CH_N_VARS * TW_CH_N_VARS];
  if (tw_cohort_copula(c, vars, &m, L) != TW_OK)
    return tw_cfg_error_at(doc, c->correlation.mark, "correlation: the matrix is not positive definite (a Cholesky "
                           "pivot is <= 0): no joint distribution has these correlations");
  return TW_OK;
}

/* ---- the IIV model --------------------------------------------------------- */

static int iiv_pos(const tw_cohort_params *p, const char *name) {
  for (int i = 0; i < p->n_variability; ++i)
    if (!strcmp(p->variability[i].parameter, name)) return i;
  return -1;
}

tw_status tw_cohort_iiv_model(const tw_cohort_config *c, const tw_pack *pack, int *idx, double *omega, double *L) {
  const tw_cohort_params *p = &c->parameters;
  int k = p->n_variability;
  double *R = calloc((size_t)k * (size_t)k + 1, sizeof *R);
  if (!R) return TW_FAIL(TW_ERR_NOMEM, "IIV correlation matrix of %d parameters", k);
  for (int i = 0; i < k; ++i) {
    idx[i] = tw_pack_param_index(pack, p->variability[i].parameter);
    omega[i] = sqrt(log1p(p->variability[i].cv * p->variability[i].cv));
    R[i * k + i] = 1.0;
  }
  for (int j = 0; j < p->n_correlations; ++j) {
    int a = iiv_pos(p, p->correlations[j].a), b = iiv_pos(p, p->correlations[j].b);
    R[a * k + b] = R[b * k + a] = p->correlations[j].rho;
  }
  tw_status st = tw_cholesky(k, R, L, "the IIV correlation matrix");
  free(R);
  return st;
}

/* Names: parameters of the pack, each once; correlations between listed ones. */
static tw_status check_iiv_names(const tw_cfg_doc *doc, const tw_cohort_config *c, const tw_pack *pack) {
  const tw_cohort_params *p = &c->parameters;
  for (int i = 0; i < p->n_variability; ++i) {
    const tw_cohort_iiv *v = &p->variability[i];
    if (tw_pack_param_index(pack, v->parameter) < 0)
      return tw_cfg_error_at(doc, v->mark, "parameters.variability[%d]: pack %s has no parameter '%.64s'", i,
                             pack->name, v->parameter);
    if (pack->body_weight_param && !strcmp(v->parameter, pack->body_weight_param) && tw_cohort_marginal_of(c, TW_CH_WEIGHT))
      return tw_cfg_error_at(doc, v->mark, "parameters.variability[%d]: %s is set from the covariate weight_kg", i,
                             v->parameter);
    if (iiv_pos(p, v->parameter) != i)
      return tw_cfg_error_at(doc, v->mark, "parameters.variability[%d]: %s is listed twice", i, v->parameter);
  }
  for (int j = 0; j < p->n_correlations; ++j) {
    const tw_cohort_iiv_corr *r = &p->correlations[j];
    const char *bad = iiv_pos(p, r->a) < 0 ? r->a : iiv_pos(p, r->b) < 0 ? r->b : NULL;
    if (bad)
      return tw_cfg_error_at(doc, r->mark, "parameters.correlations[%d]: '%.64s' is not in parameters.variability", j,
                             bad);
    if (!strcmp(r->a, r->b))
      return tw_cfg_error_at(doc, r->mark, "parameters.correlations[%d]: a and b are the same parameter", j);
  }
  return TW_OK;
}

static tw_status check_iiv(const tw_cfg_doc *doc, const tw_cohort_config *c, const tw_pack *pack) {
  TW_TRY(check_iiv_names(doc, c, pack));
  int k = c->parameters.n_variability;
  int *idx = malloc(((size_t)k + 1) * sizeof *idx);
  double *omega = malloc(((size_t)k + 1) * sizeof *omega), *L = malloc(((size_t)k * (size_t)k + 1) * sizeof *L);
  tw_status st = idx && omega && L ? tw_cohort_iiv_model(c, pack, idx, omega, L)
                                   : TW_FAIL(TW_ERR_NOMEM, "IIV model of %d parameters", k);
  free(idx), free(omega), free(L);
  if (st == TW_ERR_NUMERIC)
    return tw_cfg_error_at(doc, c->parameters.mark, "parameters.correlations: the IIV correlation matrix is not "
                           "positive definite");
  return st;
}

/* Subgroups fit in the cohort, have distinct names other than `main`, and
** override only what the cohort draws (the copula is the cohort's). */
static tw_status check_subgroups(const tw_cfg_doc *doc, const tw_cohort_config *c) {
  int64_t total = 0;
  for (int g = 0; g < c->n_subgroups; ++g) {
    const tw_cohort_subgroup *s = &c->subgroups[g];
    if ((total += s->size) > c->size)
      return tw_cfg_error_at(doc, s->mark, "subgroups[%d]: the subgroups hold %lld twins, more than size (%lld)", g,
                             (long long)total, (long long)c->size);
    for (int h = 0; h <= g; ++h)
      if (!strcmp(s->name, h < g ? c->subgroups[h].name : "main"))
        return tw_cfg_error_at(doc, s->mark, "subgroups[%d]: the name '%.64s' is taken", g, s->name);
    for (int v = 0; v < TW_CH_N_VARS; ++v) {
      int given = v == TW_CH_SEX ? !s->covariates.sex_absent : s->covariates.m[v].as.normal.mark.line != 0;
      if (given && !var_drawn(c, v))
        return tw_cfg_error_at(doc, v == TW_CH_SEX ? s->covariates.mark : s->covariates.m[v].as.normal.mark,
                               "subgroups[%d]: %s is not drawn for the cohort (give its marginal under covariates)", g,
                               var_names[v]);
    }
  }
  return TW_OK;
}

static tw_status check_cohort(const tw_cfg_doc *doc, void *obj) {
  const tw_cohort_config *c = obj;
  TW_TRY(check_copula(doc, c));
  TW_TRY(check_subgroups(doc, c));
  const tw_pack *pack = tw_pack_find(c->pack);
  if (!pack || strcmp(c->pack, "t1d"))
    return tw_cfg_error_at(doc, c->mark, "pack: cohorts draw parameters for the t1d pack only (got '%.64s')", c->pack);
  if (c->parameters.reference == TW_REF_NEAREST && !tw_cohort_marginal_of(c, TW_CH_AGE) &&
      !tw_cohort_marginal_of(c, TW_CH_WEIGHT))
    return tw_cfg_error_at(doc, c->parameters.mark, "parameters.reference: nearest needs age_y or weight_kg among "
                           "the covariates (or say reference: uniform)");
  return check_iiv(doc, c, pack);
}

const tw_cfg_schema tw_cohort_config_schema = TW_CFG_SCHEMA(tw_cohort_config, cohort_fields, check_cohort);

/* The parts the `import` kind (src/cohort/import_config.c) binds with the same
** tables, so that both kinds read covariates, correlation, parameters and
** output alike. */
const tw_cfg_schema tw_cohort_covariates_schema = TW_CFG_SCHEMA(tw_cohort_covariates, covariates_fields,
                                                                check_covariates);
const tw_cfg_schema tw_cohort_correlation_schema = TW_CFG_SCHEMA(tw_cohort_correlation, correlation_fields, NULL);
const tw_cfg_schema tw_cohort_params_schema = TW_CFG_SCHEMA(tw_cohort_params, params_fields, NULL);
const tw_cfg_schema tw_cohort_output_schema = TW_CFG_SCHEMA(tw_cohort_output, output_fields, NULL);
