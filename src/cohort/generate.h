/*
** generate.h: drawing a virtual cohort (`twinscale cohort generate`,
** docs/cohorts.md) and writing it to HDF5.
**
** Every random number is a pure function of (seed, twin id, purpose, index)
** through Philox (core/philox.h), so a twin's covariates and parameters are
** the same whatever the thread count or the range of twins computed:
**   covariates, conditions, uniform reference: purpose TW_RNG_COVARIATES, blocks from 0;
**   parameters, attempt a:                     purpose TW_RNG_COHORT_PARAMS, blocks from a * 65536.
** A twin keeps its first attempt whose parameters are in the pack's ranges and
** pass the steady-state rule (cohort_steady.h); both rejections share the
** attempt count.
*/
#ifndef TW_COHORT_GENERATE_H
#define TW_COHORT_GENERATE_H

#include "cohort/cohort_config.h"
#include "cohort/cohort_steady.h" /* TW_STEADY_N_VERDICTS */
#include "core/random.h" /* tw_normal_cdf, tw_normal_quantile */
#include "core/status.h"

TW_EXTERN_C_BEGIN

/* What the redraw rules rejected (docs/cohorts.md, "The redraw rules"). */
typedef struct tw_cohort_redraws {
  int steady_rule;          /* 1: the steady-state rule ran (the pack has one and hours > 0) */
  int64_t range;            /* draws rejected: a parameter outside the pack's range */
  int64_t steady;           /* draws rejected by the steady-state rule ... */
  int64_t steady_by[TW_STEADY_N_VERDICTS]; /* ... by tw_steady_verdict (low, high, drift, non-finite) */
  int64_t first_draw_failed; /* twins whose first in-range draw failed the steady-state rule */
  int64_t draws_checked;    /* draws integrated by the steady-state rule */
  double steady_seconds;    /* wall time of the steady-state rule (s) */
} tw_cohort_redraws;

/* Twins per batch of the steady-state check (any value gives the same cohort). */
#define TW_COHORT_STEADY_CHUNK 256

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
  int32_t *attempts;            /* (n) parameter draws used (1: the first was kept) */
  double *fasting;              /* (n) the pack's CGM observable at the end of the steady-state
                                   check of the kept draw (mg/dL); NULL when the rule did not run */
  tw_cohort_redraws redraws;
  int32_t *subgroup;            /* (n) tw_cohort_subgroup_of: config order, then "main" */
  int n_refs;
  char **ref_names;             /* (n_refs) the reference twins' names */
} tw_cohort;

/* Draws twins [0, c->size) with `threads` OpenMP threads (0: the default).
** TW_ERR_INPUT naming the twin and the reason when a twin has no physiological
** draw in max_attempts: its parameters stay outside the pack's ranges (or its
** body weight is outside BW's range), or its draws fail the steady-state rule. */
tw_status tw_cohort_generate(const tw_cohort_config *c, int threads, tw_cohort *out);
/* The same with the steady-state check run on batches of `chunk` twins (>= 1):
** the cohort does not depend on it (tested). */
tw_status tw_cohort_generate_chunked(const tw_cohort_config *c, int threads, int64_t chunk, tw_cohort *out);
/* The same drawn by the ranks of `d` (mpi/dist.h): each draws its block of twin
** ids, then every rank holds the whole cohort, identical to tw_cohort_generate's
** (tested for 1, 2 and 3 ranks). A failure is every rank's status. */
struct tw_dist;
tw_status tw_cohort_generate_ranks(const struct tw_dist *d, const tw_cohort_config *c, int threads, tw_cohort *out);
void tw_cohort_free(tw_cohort *h);

/* Writes the cohort (layout in docs/cohorts.md) with the config text and seed
** as root attributes, and `pack`. */
tw_status tw_cohort_write_h5(const tw_cohort *h, const tw_cohort_config *c, const char *config_text, const char *path);

/* The `cohort generate` job (cohort_job.c): checks c->output.path as the run
** engine does (unless `force`, an existing file that is not writable is an
** error), draws the cohort over the ranks of d into *out with the default
** threads, and rank 0 writes it; every rank returns the same status.
** On failure *out may hold a drawn cohort: tw_cohort_free it either way.
** Builds with HDF5 and libyaml. */
tw_status tw_cohort_job(const struct tw_dist *d, const tw_cohort_config *c, const char *config_text, int force,
                        tw_cohort *out);

/* The drawn part of a cohort file, into an open file (io/h5.h), by the
** config c it was drawn from: /cohort/parameters/<pack>.<param>,
** /cohort/reference, /cohort/attempts, /cohort/fasting_<obs> (when the
** steady-state rule ran), the redraw counts and root attributes pack,
** pack_parameters and n_twins. tw_cohort_write_h5 writes it after the
** covariates; `cohort import` after its own. HDF5 builds only. */
struct tw_h5_file;
tw_status tw_cohort_write_draws(struct tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c);
/* Root attribute `pack_parameters`: the pack's parameter names, comma-separated,
** so that a reader can tell a cohort drawn with another version of the pack
** (also written by `gan sample`). HDF5 builds only. */
struct tw_pack;
tw_status tw_cohort_write_param_list(struct tw_h5_file *f, const struct tw_pack *pk);

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
