/*
** vgm.h: a variational Bayesian Gaussian mixture of one column (issue 12,
** item 1): the model behind CTGAN's mode-specific normalisation (rdt's
** ClusterBasedNormalizer), which fits scikit-learn's
**   BayesianGaussianMixture(n_components=10, covariance_type='full',
**     weight_concentration_prior_type='dirichlet_process',
**     weight_concentration_prior=0.001, tol=1e-3, reg_covar=1e-6,
**     max_iter=100, n_init=1)
** and keeps the components whose weight exceeds 0.005.
**
** The algorithm is sklearn's (mixture/_bayesian_mixture.py, 1.9.1) in one
** dimension, where 'full' covariances are variances: priors mean = the
** column's mean, mean precision 1, degrees of freedom 1, covariance = the
** column's variance (ddof 1); a stick-breaking (Dirichlet process) weight
** prior; E-step, M-step and the lower bound per iteration until it changes by
** less than tol. sklearn starts from k-means labels drawn with a random
** state; tw_vgm_kmeans gives a deterministic 1-D k-means instead (quantile
** centres, then Lloyd's iterations to a fixed point), and tw_vgm_fit accepts
** any initial labels, so that validation/gan_vgm_reference.py can start
** sklearn from the same ones and compare the fits (tests/gan/test_gan_vgm.c).
*/
#ifndef TW_GAN_VGM_H
#define TW_GAN_VGM_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

#define TW_VGM_MAX_COMPONENTS 10

/* The fit's settings; TW_VGM_DEFAULTS are rdt's and sklearn's. */
typedef struct tw_vgm_options {
  int n_components;      /* K, at most TW_VGM_MAX_COMPONENTS; fewer when n < K (CTGAN: min(n, 10)) */
  double weight_prior;   /* weight_concentration_prior (gamma_0 of the stick-breaking prior) */
  double tol;            /* stop when the lower bound changes by less */
  double reg_covar;      /* added to each component's empirical variance */
  int max_iter;
} tw_vgm_options;
#define TW_VGM_DEFAULTS ((tw_vgm_options){TW_VGM_MAX_COMPONENTS, 0.001, 1e-3, 1e-6, 100})

/* A fitted mixture: sklearn's variational parameters (weight_concentration_
** (a, b), mean_precision_, means_, degrees_of_freedom_, covariances_) and
** what follows from them (weights_, the posterior's per-component terms). */
typedef struct tw_vgm {
  int k; /* components */
  double a[TW_VGM_MAX_COMPONENTS], b[TW_VGM_MAX_COMPONENTS]; /* stick-breaking Beta(a, b) */
  double beta[TW_VGM_MAX_COMPONENTS]; /* mean precision */
  double mean[TW_VGM_MAX_COMPONENTS]; /* the component's mean (x's units) */
  double nu[TW_VGM_MAX_COMPONENTS];   /* degrees of freedom */
  double var[TW_VGM_MAX_COMPONENTS];  /* covariances_: the variance the encoding's sigma^2 is (x's units squared) */
  /* derived by tw_vgm_finish: */
  double weight[TW_VGM_MAX_COMPONENTS]; /* weights_ (sum 1) */
  double prec_chol[TW_VGM_MAX_COMPONENTS]; /* 1 / sqrt(var) */
  double log_const[TW_VGM_MAX_COMPONENTS]; /* the x-free part of each component's log posterior weight */
  int n_iter, converged;
  double lower_bound;
} tw_vgm;

/* Deterministic 1-D k-means of x[0..n) (finite values) into k clusters: the
** centres start at the (j + 0.5) / k quantiles of the sorted values, then
** Lloyd's steps (assign to the nearest centre, move each centre to its
** cluster's mean; an empty cluster keeps its centre) until no label changes
** (at most 300 steps). label: (n) out, in 0..k-1. */
tw_status tw_vgm_kmeans(const double *x, int64_t n, int k, int32_t *label);

/* Fits the mixture to x[0..n) (finite values, n >= 2) from initial labels
** label[0..n) in 0..opt->n_components - 1 (tw_vgm_kmeans's, or any). K =
** min(opt->n_components, n). lower_bounds: NULL or (opt->max_iter) out, the
** bound after each iteration (out->n_iter of them). TW_ERR_INPUT: n < 2, a
** non-finite value, a label out of range; TW_ERR_NUMERIC: a variance that is
** not positive. */
tw_status tw_vgm_fit(const double *x, int64_t n, const int32_t *label, const tw_vgm_options *opt, tw_vgm *out,
                     double *lower_bounds);

/* Computes the derived fields of m from its variational parameters (after
** loading them). */
void tw_vgm_finish(tw_vgm *m);

/* The posterior probabilities of the components for a value x (sklearn's
** predict_proba for one row): prob (m->k) out, summing to 1. */
void tw_vgm_posterior(const tw_vgm *m, double x, double *prob);

TW_EXTERN_C_END

#endif
