/*
** generate.h: drawing a virtual cohort (`twinscale cohort generate`,
** docs/cohorts.md) and writing it to HDF5.
**
** Every random number is a pure function of (seed, twin id, purpose, index)
** through Philox (core/philox.h), so a twin's covariates and parameters are
** the same whatever the thread count or the range of twins computed:
**   covariates, conditions, uniform reference: purpose TW_RNG_COVARIATES, blocks from 0;
**   parameters, attempt a:                     purpose TW_RNG_COHORT_PARAMS, blocks from a * 65536.
*/
#ifndef TW_COHORT_GENERATE_H
#define TW_COHORT_GENERATE_H

#include "cohort/cohort_config.h"
#include "core/random.h" /* tw_normal_cdf, tw_normal_quantile */
#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_cohort {
  int64_t n;
  int n_vars;                   /* covariates written, in this order: */
  int var[TW_CH_N_VARS];        /* tw_cohort_var_name indices (drawn ones, then a derived height or bmi) */
  double *cov;                  /* (n_vars, n): cov[k * n + i], in tw_cohort_var_units */
  int n_conditions;
  int32_t *cond;                /* (n_conditions, n) 0/1 */
  const struct tw_pack *pack;
  int n_params;                 /* the pack's parameters */
  double *params;               /* (n_params, n): params[k * n + i], in the pack's units */
  int32_t *reference;           /* (n) row of the reference table each twin was drawn around */
  int32_t *attempts;            /* (n) parameter draws used (1: the first was in range) */
  int32_t *subgroup;            /* (n) tw_cohort_subgroup_of: config order, then "main" */
  int n_refs;
  char **ref_names;             /* (n_refs) the reference twins' names */
} tw_cohort;

/* Draws twins [0, c->size) with `threads` OpenMP threads (0: the default).
** TW_ERR_INPUT naming the twin when a twin's parameters stay outside the pack's
** ranges after max_attempts draws, or its body weight is outside BW's range. */
tw_status tw_cohort_generate(const tw_cohort_config *c, int threads, tw_cohort *out);
void tw_cohort_free(tw_cohort *h);

/* Writes the cohort (layout in docs/cohorts.md) with the config text and seed
** as root attributes, and `pack`. */
tw_status tw_cohort_write_h5(const tw_cohort *h, const tw_cohort_config *c, const char *config_text, const char *path);

/* The drawn part of a cohort file, into an open file (io/h5.h): /cohort/parameters/<pack>.<param>,
** /cohort/reference, /cohort/attempts, root attributes pack and n_twins
** (`cohort import` writes the rest itself). HDF5 builds only. */
struct tw_h5_file;
tw_status tw_cohort_write_draws(struct tw_h5_file *f, const tw_cohort *h);

/* Mean, sd (ddof 1), min and max of covariate k of the cohort. */
typedef struct tw_cohort_stats {
  double mean, sd, min, max;
} tw_cohort_stats;
tw_cohort_stats tw_cohort_covariate_stats(const tw_cohort *h, int k);
/* Fraction of twins with condition j. */
double tw_cohort_prevalence(const tw_cohort *h, int j);

/* The truncated marginal's quantile at u in (0,1) (cohort_dist.c). */
double tw_cohort_quantile(const tw_cohort_dist *d, int kind, double u);
/* Its CDF at x: 0 at or below min, 1 at or above max (cohort_dist.c). */
double tw_cohort_cdf(const tw_cohort_dist *d, int kind, double x);

/* Pack parameters for n twins whose covariates are given, not drawn
** (`twinscale cohort import`, docs/import.md). given: (TW_CH_N_VARS, n),
** given[v * n + i] in tw_cohort_var_units(v) (sex 0/1), finite for every
** variable c draws (and a derived height or bmi). Twin i gets the reference
** patient, parameters and redraws that tw_cohort_generate gives twin i of a
** cohort drawn from c when its covariates come out as these (a uniform
** reference: the first uniform of twin i's covariate stream); out->cov holds
** the given values of c's variables; c's size, conditions and subgroups are
** not used. Errors as tw_cohort_generate. */
tw_status tw_cohort_generate_given(const tw_cohort_config *c, int threads, int64_t n, const double *given,
                                   tw_cohort *out);

TW_EXTERN_C_END

#endif
