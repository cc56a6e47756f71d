/*
** metrics_utility.h: the gan report's utility (issue 12, item 5; docs/gan.md
** "Utility"): does a model trained on the synthetic cohort predict a trial
** endpoint of real twins as well as one trained on the real cohort?
**
** The inputs are three trial results files (docs/trial.md "Results file"),
** one run on each cohort (real, synthetic, holdout): their rows are the
** table of /cohort/covariates/ and /cohort/parameters/ (table.h), their
** target /endpoints/<name>[:, arm]. The model is ridge regression (alpha 1,
** as sklearn's Ridge() default) on the continuous columns standardised by
** the training rows' mean and sd (a missing value at the mean, a constant
** column left out) and one-hot discrete columns (the training rows'
** categories), with an unpenalised intercept; its score is R^2 on the
** holdout trial's twins. Twins whose endpoint is NaN (a parallel arm they did
** not run, a failed integration) are left out, for training and testing.
** Train on real, test on real (holdout) against train on synthetic, test on
** real; and the two baselines: bootstrap, as many real twins as the
** synthetic trial's drawn with replacement (seed + k, k < seeds), and the
** Gaussian copula, whose twins get an endpoint only from a trial of their
** own: `twinscale gan baseline` writes a draw of it as a cohort file, and
** the results file of each such trial given is one more training table
** (R^2 on the same holdout twins). The copula is not given the endpoint as
** a column to synthesise: that would model the endpoint, not simulate it,
** a different quantity from what the synthetic cohort is measured on.
*/
#ifndef TW_GAN_METRICS_UTILITY_H
#define TW_GAN_METRICS_UTILITY_H

#include "gan/table.h"

TW_EXTERN_C_BEGIN

typedef struct tw_gan_utility {
  char endpoint[128], arm[128];
  int64_t rows[3];       /* twins with a value: real, synthetic, holdout (the test set) */
  int features;          /* width of the design, intercept included */
  double r2_real;        /* trained on the real trial's twins, R^2 on the holdout's */
  double r2_synthetic;   /* trained on the synthetic trial's twins */
  int n_seeds;
  double *r2_bootstrap;  /* (n_seeds) trained on a bootstrap of the real twins, seed + k */
  int n_copula;          /* Gaussian copula trials given (0: its utility is unknown) */
  double *r2_copula;     /* (n_copula) trained on each copula trial's twins */
  int64_t *rows_copula;  /* (n_copula) their twins with a value */
} tw_gan_utility;

/* What the utility is computed from. */
typedef struct tw_gan_utility_args {
  const char *trials[3];      /* real, synthetic, holdout results files */
  const char *const *copula;  /* (n_copula) results files of trials on Gaussian copula draws (gan baseline) */
  int n_copula;
  const char *endpoint, *arm; /* arm NULL: the first arm */
  uint64_t seed;              /* the bootstrap's first seed */
  int seeds;                  /* its draws */
} tw_gan_utility_args;

/* TW_ERR_INPUT naming the file: not a results file, no such endpoint or arm,
** tables of other columns, no twin with a value in a table. */
tw_status tw_gan_utility_run(const tw_gan_utility_args *a, tw_gan_utility *u);
void tw_gan_utility_free(tw_gan_utility *u);

/* The ridge model alone (tests): fits on the rows of `train` whose y is not
** NaN, predicts the rows of `test` whose y is not NaN, *r2 their R^2 (NaN when
** the test's y has no spread); *features the design's width. */
tw_status tw_gan_ridge_r2(const tw_gan_table *train, const double *y_train, const tw_gan_table *test,
                          const double *y_test, double alpha, double *r2, int *features);

TW_EXTERN_C_END

#endif
