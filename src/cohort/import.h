/*
** import.h: real twins from EHR exports (`twinscale cohort import`,
** docs/import.md). Reads persons with the Synthea or person-CSV importer
** (synthea.h), imputes their missing covariates from a cohort model (the
** marginals and Gaussian copula of the `cohort` config, cohort_config.h), draws
** their pack parameters as `cohort generate` does for a twin with those
** covariates (generate.h), and writes a cohort file that `simulate` and
** `trial` read like a generated one.
**
** Imputation (tw_impute_person): each known covariate the model has a marginal
** for is mapped to the copula's latent normal, z = Phi^-1(F(x)) with F the
** truncated marginal's CDF and F(x) clamped into [TW_IMPUTE_U_MIN, 1 -
** TW_IMPUTE_U_MIN] (an observed value at or beyond a truncation bound); sex,
** discrete, by the mean of the latent normal on its side of the threshold. A
** missing covariate with a marginal gets the conditional mean of its latent
** normal given the known ones, z_m = R_mo R_oo^-1 z_o, mapped back through its
** marginal's quantile: deterministic, the conditional median of the covariate.
**
** Nothing here reads the environment: the caller gives the salt.
*/
#ifndef TW_COHORT_IMPORT_H
#define TW_COHORT_IMPORT_H

#include "cohort/cohort_config.h" /* tw_cohort_config */
#include "cohort/generate.h"      /* tw_cohort */
#include "cohort/synthea.h"       /* tw_person_table */
#include "core/status.h"

TW_EXTERN_C_BEGIN

/* ---- the `import` config kind (import_config.c) ---------------------------- */

/* Where the persons come from: exactly one of the two (paths relative to the config). */
typedef struct tw_import_source {
  tw_cfg_mark mark;
  char *synthea;    /* a Synthea CSV export directory (patients.csv, observations.csv, conditions.csv) */
  char *person_csv; /* or a person CSV file */
} tw_import_source;

typedef struct tw_import_config {
  tw_cfg_mark mark;
  tw_import_source source;
  char *reference_date; /* "YYYY-MM-DD" */
  char *salt_env;       /* the environment variable that holds the salt (never the salt) */
  int keep_deceased;
  /* The cohort model, bound from the same keys and tables as the `cohort` kind:
  ** seed, pack, covariates, correlation, parameters, output. Its size,
  ** conditions and subgroups are not read (left empty). */
  tw_cohort_config model;
} tw_import_config;

extern const tw_cfg_schema tw_import_config_schema;

/* ---- imputation (import_impute.c) ------------------------------------------ */

/* The smallest latent uniform a known value maps to (and 1 minus it the
** largest): a value at or beyond a truncation bound, or further than 4.75 sd
** into the marginal's tail, counts as 4.75 sd out. */
#define TW_IMPUTE_U_MIN 1e-6

typedef struct tw_impute_model {
  const tw_cohort_config *c;
  int m;                                  /* copula variables */
  int vars[TW_CH_N_VARS];                 /* their tw_cohort_var indices, in the copula's order */
  double R[TW_CH_N_VARS * TW_CH_N_VARS];  /* (m, m) their correlation matrix */
} tw_impute_model;

/* The copula of c's covariates. TW_ERR_NUMERIC when not positive definite. */
tw_status tw_impute_model_make(const tw_cohort_config *c, tw_impute_model *out);

/* One person: x (TW_CH_N_VARS) in tw_cohort_var_units, NaN where missing. Each
** missing variable the model has a marginal for is filled in and flagged in
** imputed[v]; clamped[v] is set for a known value whose F(x) was clamped. */
tw_status tw_impute_person(const tw_impute_model *md, double *x, unsigned char *imputed, unsigned char *clamped);

/* ---- the whole import (import.c) ------------------------------------------- */

/* How a value came about (bits of tw_imported.how). */
enum { TW_IMPORT_IMPUTED = 1, TW_IMPORT_DERIVED = 2, TW_IMPORT_CLAMPED = 4 };

typedef struct tw_imported {
  tw_person_table persons;        /* the persons kept, in source order (twin i = person i) */
  int64_t n;
  double *x;                      /* (TW_CH_N_VARS, n) covariates after imputation; NaN where still missing */
  unsigned char *how;             /* (TW_CH_N_VARS, n) TW_IMPORT_* bits: imputed (from the copula),
                                     derived (one of weight_kg, height_cm, bmi from the other two), clamped
                                     (a known value whose F(x) was clamped: beyond the marginal's
                                     truncation or 4.75 sd into its tail); 0: as read */
  int64_t n_imputed[TW_CH_N_VARS]; /* per variable: values imputed from the copula */
  int64_t n_derived[TW_CH_N_VARS]; /* weight_kg, height_cm, bmi: values derived from the other two */
  int64_t n_clamped[TW_CH_N_VARS]; /* known values whose F(x) was clamped */
  int64_t n_missing[TW_CH_N_VARS]; /* values still missing (no marginal to impute from) */
  int64_t weight_out_of_range;    /* persons left out: body weight outside the pack's range */
  double bw_lo, bw_hi;            /* that range (kg) */
  tw_cohort draws;                /* parameters, reference patients, attempts (twin i = person i) */
} tw_imported;

/* Imports the persons of `source_path` (a Synthea directory when c->source.synthea
** is set, else a person CSV) at c->reference_date with `salt`, imputes, and draws
** their parameters with `threads` OpenMP threads (0: the default). Persons whose
** body weight (the pack's body-weight parameter, when the model has weight_kg)
** is outside the pack's range are left out and counted. No person left:
** TW_ERR_INPUT naming the source and the counts. */
tw_status tw_import_run(const tw_import_config *c, const char *source_path, const char *salt, int threads,
                        tw_imported *out);
void tw_imported_free(tw_imported *im);

/* True when every kept person has variable v (so it is written). */
int tw_imported_complete(const tw_imported *im, int v);

/* Writes the cohort file (docs/import.md): /cohort/id (the pseudonyms),
** /cohort/covariates/<name> (the complete ones), /cohort/imputed/<name>,
** /cohort/conditions/<name>, /cohort/deceased, /cohort/parameters/<pack>.<param>,
** /cohort/reference, /cohort/attempts, root attributes. TW_ERR_UNSUPPORTED
** without HDF5. */
tw_status tw_imported_write_h5(const tw_imported *im, const tw_import_config *c, const char *config_text,
                               const char *path);

/* The `cohort import` job (cohort_job.c): checks c->model.output.path first,
** then tw_import_run and tw_imported_write_h5. tw_imported_free *out either
** way (a failed import leaves it empty). */
tw_status tw_import_job(const tw_import_config *c, const char *source_path, const char *salt,
                        const char *config_text, int force, tw_imported *out);

TW_EXTERN_C_END

#endif
