/*
** cohort_config.h: the `cohort` config kind (twinscale cohort generate,
** docs/cohorts.md): the cohort's size and seed, the covariates' marginal
** distributions joined by a Gaussian copula, conditions with prevalence, and
** how each twin's pack parameters are drawn around a reference patient.
**
** Binding checks everything a user can get wrong before any draw: a
** correlation matrix that is not symmetric or not positive definite, an
** unknown parameter name, height and BMI both given, each with FILE:LINE:COL.
*/
#ifndef TW_COHORT_CONFIG_H
#define TW_COHORT_CONFIG_H

#include "core/config.h" /* tw_cfg_mark, tw_cfg_schema */

TW_EXTERN_C_BEGIN

/* The marginal kinds, in the order of the config's `kind:` names. */
typedef enum tw_cohort_dist_kind { TW_DIST_NORMAL = 0, TW_DIST_LOGNORMAL = 1, TW_DIST_UNIFORM = 2 } tw_cohort_dist_kind;

/* One marginal. a, b: normal (mean, sd), lognormal (median, cv), uniform (lo, hi);
** truncated to [min, max] unless no_min / no_max (the keyword `none`, the default). */
typedef struct tw_cohort_dist {
  tw_cfg_mark mark; /* line 0: the covariate is absent */
  double a, b;
  double min, max;
  int no_min, no_max;
} tw_cohort_dist;

typedef struct tw_cohort_marginal {
  tw_cfg_mark mark;
  int kind; /* tw_cohort_dist_kind */
  union {
    tw_cohort_dist normal, lognormal, uniform;
  } as;
} tw_cohort_marginal;

/* The continuous covariates, in this order everywhere (names and units as the
** Synthea importer writes them, src/cohort/synthea.h), then sex. */
enum {
  TW_CH_AGE = 0, TW_CH_WEIGHT, TW_CH_HEIGHT, TW_CH_BMI, TW_CH_HBA1C, TW_CH_GLUCOSE, TW_CH_EGFR,
  TW_CH_N_CONT,             /* 7 continuous covariates */
  TW_CH_SEX = TW_CH_N_CONT, /* the copula variable of sex */
  TW_CH_N_VARS              /* 8 copula variables at most */
};
/* "age_y", "weight_kg", ..., "sex", and their units ("yr", "kg", ..., "1"). */
const char *tw_cohort_var_name(int v);
const char *tw_cohort_var_units(int v);
/* Index of a copula variable by name, or -1. */
int tw_cohort_var_index(const char *name);

typedef struct tw_cohort_covariates {
  tw_cfg_mark mark;
  tw_cohort_marginal m[TW_CH_N_CONT];
  double sex_male;   /* fraction male */
  int sex_absent;    /* `sex_male: none` (the default): no sex drawn */
} tw_cohort_covariates;

/* The copula's correlation matrix: `variables` names the columns; the row of
** variable v is row[v] (n_row[v] values, one per listed variable). */
typedef struct tw_cohort_correlation {
  tw_cfg_mark mark;
  char **variables;
  int n_variables;
  tw_cfg_mark *variable_marks;
  double *row[TW_CH_N_VARS];
  int n_row[TW_CH_N_VARS];
  tw_cfg_mark *row_marks[TW_CH_N_VARS];
} tw_cohort_correlation;

typedef struct tw_cohort_condition {
  tw_cfg_mark mark;
  char *name;
  double prevalence;
} tw_cohort_condition;

typedef struct tw_cohort_iiv {
  tw_cfg_mark mark;
  char *parameter;
  double cv;
} tw_cohort_iiv;

typedef struct tw_cohort_iiv_corr {
  tw_cfg_mark mark;
  char *a, *b;
  double rho;
} tw_cohort_iiv_corr;

/* The steady-state rule (parameters.steady_state, cohort_steady.h): from its
** initial state at its reference basal rate, with no other input, a twin's
** CGM observable stays in [low, high] (mg/dL) for `hours` and moves by at most
** `drift` (mg/dL) over the last hour. hours 0: no check. */
typedef struct tw_cohort_steady_cfg {
  tw_cfg_mark mark;
  double hours, low, high, drift;
} tw_cohort_steady_cfg;

typedef enum tw_cohort_ref_mode { TW_REF_NEAREST = 0, TW_REF_UNIFORM = 1 } tw_cohort_ref_mode;

typedef struct tw_cohort_params {
  tw_cfg_mark mark;
  int reference; /* tw_cohort_ref_mode */
  tw_cohort_iiv *variability;
  int n_variability;
  tw_cohort_iiv_corr *correlations;
  int n_correlations;
  int64_t max_attempts;
  tw_cohort_steady_cfg steady_state;
} tw_cohort_params;

/* A named subgroup: `size` twins whose covariates' marginals (and sex_male)
** replace the cohort's where given; the copula stays the cohort's. */
typedef struct tw_cohort_subgroup {
  tw_cfg_mark mark;
  char *name;
  int64_t size;
  tw_cohort_covariates covariates;
} tw_cohort_subgroup;

typedef struct tw_cohort_output {
  tw_cfg_mark mark;
  char *path;
} tw_cohort_output;

typedef struct tw_cohort_config {
  tw_cfg_mark mark;
  int64_t size;
  int64_t seed;
  char *pack;
  tw_cohort_covariates covariates;
  tw_cohort_correlation correlation;
  tw_cohort_condition *conditions;
  int n_conditions;
  tw_cohort_subgroup *subgroups;
  int n_subgroups;
  tw_cohort_params parameters;
  tw_cohort_output output;
} tw_cohort_config;

extern const tw_cfg_schema tw_cohort_config_schema;
/* Its parts, for a kind that reads them too (`import`): the same tables. */
extern const tw_cfg_schema tw_cohort_covariates_schema, tw_cohort_correlation_schema, tw_cohort_params_schema,
    tw_cohort_output_schema;

/* The drawn marginal of continuous covariate v, or NULL when the config has none. */
const tw_cohort_dist *tw_cohort_marginal_of(const tw_cohort_config *c, int v);
/* Twin ids: the subgroups in config order take [0, size_1), [size_1, size_1 + size_2), ...;
** the twins left over form the last group, "main" (index n_subgroups). */
int tw_cohort_subgroup_of(const tw_cohort_config *c, int64_t i);
/* The covariates a twin of group g draws from: a subgroup's override of
** variable v where it gives one, else the cohort's (kind in *kind). sex: the
** fraction male. */
const tw_cohort_dist *tw_cohort_group_marginal(const tw_cohort_config *c, int g, int v, int *kind);
double tw_cohort_group_sex_male(const tw_cohort_config *c, int g);

/* The copula: its m variables (indices as above, in column order: the
** correlation's `variables` first, then every other drawn variable, independent)
** and the lower Cholesky factor L (m, m) of their correlation matrix. vars has
** TW_CH_N_VARS room, L TW_CH_N_VARS^2. TW_ERR_NUMERIC when not positive definite. */
tw_status tw_cohort_copula(const tw_cohort_config *c, int *vars, int *m, double *L);

/* The IIV model on pack `pack_name`: k = n_variability log-normal parameters,
** their pack parameter indices idx (k), sd on the log scale omega (k),
** omega_i^2 = ln(1 + cv_i^2), and the lower Cholesky factor L (k, k) of their
** correlation matrix (identity plus `correlations`). Arrays are malloc'd by the
** caller with n_variability (and its square) room. TW_ERR_INPUT for an unknown
** parameter, TW_ERR_NUMERIC when the correlation is not positive definite. */
struct tw_pack;
tw_status tw_cohort_iiv_model(const tw_cohort_config *c, const struct tw_pack *pack, int *idx, double *omega,
                              double *L);

TW_EXTERN_C_END

#endif
