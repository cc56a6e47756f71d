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

/* Mean, sd (ddof 1), min and max of covariate k of the cohort. */
typedef struct tw_cohort_stats {
  double mean, sd, min, max;
} tw_cohort_stats;
tw_cohort_stats tw_cohort_covariate_stats(const tw_cohort *h, int k);
/* Fraction of twins with condition j. */
double tw_cohort_prevalence(const tw_cohort *h, int j);

/* The truncated marginal's quantile at u in (0,1) (cohort_dist.c). */
double tw_cohort_quantile(const tw_cohort_dist *d, int kind, double u);

TW_EXTERN_C_END

#endif
