/*
** vgm.c: the variational Bayesian Gaussian mixture of one column (vgm.h),
** scikit-learn's BayesianGaussianMixture ('full' covariance, Dirichlet
** process weights) written out for one dimension, and its k-means start.
** Each step names the sklearn function it follows.
*/
#include "gan/vgm.h"

#include <math.h>   /* log, sqrt, isfinite */
#include <stdlib.h> /* malloc, free, qsort */
#include <string.h> /* memset */

#include "core/tw_math.h" /* tw_exp_f64 */

#define LOG_2PI 1.8378770664093454836
#define KMEANS_MAX_STEPS 300

/* ---- special functions (scipy.special's digamma, gammaln, betaln for x > 0) ---- */

/* psi(x), x > 0: recurrence up to 10, then the asymptotic series (error < 1e-15). */
static double digamma(double x) {
  double r = 0.0;
  for (; x < 10.0; x += 1.0) r -= 1.0 / x;
  double f = 1.0 / (x * x);
  double s = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * 691.0 / 32760)))));
  return r + log(x) - 0.5 / x - s;
}

/* log Gamma(x), x > 0: recurrence up to 10, then Stirling's series. Our own
** (not lgamma) because glibc's lgamma writes the global signgam, a data race
** when columns are fitted on several threads. */
static double log_gamma(double x) {
  double shift = 0.0;
  for (; x < 10.0; x += 1.0) shift += log(x);
  double f = 1.0 / (x * x);
  double s = (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680 - f * (1.0 / 1188))))) / x;
  return (x - 0.5) * log(x) - x + 0.5 * LOG_2PI + s - shift;
}

static double log_beta(double a, double b) { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

/* ---- k-means ---- */

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* The index of the centre nearest x (the first on a tie, as sklearn's argmin). */
static int nearest(const double *centre, int k, double x) {
  int best = 0;
  for (int j = 1; j < k; ++j)
    if (fabs(x - centre[j]) < fabs(x - centre[best])) best = j;
  return best;
}

/* One Lloyd step: labels from the centres, then each centre the mean of its
** cluster; returns how many labels changed. */
static int64_t lloyd_step(const double *x, int64_t n, int k, double *centre, int32_t *label) {
  double sum[TW_VGM_MAX_COMPONENTS] = {0};
  int64_t count[TW_VGM_MAX_COMPONENTS] = {0}, changed = 0;
  for (int64_t i = 0; i < n; ++i) {
    int j = nearest(centre, k, x[i]);
    changed += j != label[i];
    label[i] = j;
    sum[j] += x[i];
    ++count[j];
  }
  for (int j = 0; j < k; ++j)
    if (count[j]) centre[j] = sum[j] / (double)count[j];
  return changed;
}

tw_status tw_vgm_kmeans(const double *x, int64_t n, int k, int32_t *label) {
  if (n < 1 || k < 1 || k > TW_VGM_MAX_COMPONENTS)
    return TW_FAIL(TW_ERR_INTERNAL, "k-means of %lld values into %d clusters", (long long)n, k);
  double *sorted = malloc((size_t)n * sizeof *sorted);
  if (!sorted) return TW_FAIL(TW_ERR_NOMEM, "out of memory: k-means of %lld values", (long long)n);
  memcpy(sorted, x, (size_t)n * sizeof *sorted);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
  double centre[TW_VGM_MAX_COMPONENTS];
  for (int j = 0; j < k; ++j) centre[j] = sorted[(int64_t)(((double)j + 0.5) / k * (double)n)];
  free(sorted);
  for (int64_t i = 0; i < n; ++i) label[i] = -1;
  for (int step = 0; step < KMEANS_MAX_STEPS && lloyd_step(x, n, k, centre, label); ++step) {
  }
  return TW_OK;
}

/* ---- the variational fit ---- */

/* The priors (_check_parameters): mean, and variance with ddof 1, of x. */
typedef struct priors {
  double mean, var, weight, beta0, nu0;
} priors;

static priors make_priors(const double *x, int64_t n, double weight) {
  double s = 0.0, q = 0.0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  double mean = s / (double)n;
  for (int64_t i = 0; i < n; ++i) q += (x[i] - mean) * (x[i] - mean);
  return (priors){mean, q / (double)(n - 1), weight, 1.0, 1.0};
}

/* The sufficient statistics (_estimate_gaussian_parameters): nk, xk, sk of
** responsibilities resp (n, k), sk with reg_covar added. */
static void gaussian_stats(const double *x, int64_t n, int k, const double *resp, double reg, double *nk, double *xk,
                           double *sk) {
  for (int j = 0; j < k; ++j) nk[j] = 0.0, xk[j] = 0.0, sk[j] = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j) nk[j] += resp[i * k + j], xk[j] += resp[i * k + j] * x[i];
  for (int j = 0; j < k; ++j) {
    nk[j] += 10.0 * 2.220446049250313e-16; /* 10 * finfo(float64).eps */
    xk[j] /= nk[j];
  }
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j) sk[j] += resp[i * k + j] * (x[i] - xk[j]) * (x[i] - xk[j]);
  for (int j = 0; j < k; ++j) sk[j] = sk[j] / nk[j] + reg;
}

/* _estimate_weights, _estimate_means, _estimate_wishart_full. */
static tw_status update_params(const priors *p, const double *nk, const double *xk, const double *sk, tw_vgm *m) {
  double tail = 0.0;
  for (int j = m->k - 1; j >= 0; --j) {
    m->a[j] = 1.0 + nk[j];
    m->b[j] = p->weight + tail;
    tail += nk[j];
  }
  for (int j = 0; j < m->k; ++j) {
    m->beta[j] = p->beta0 + nk[j];
    m->mean[j] = (p->beta0 * p->mean + nk[j] * xk[j]) / m->beta[j];
    m->nu[j] = p->nu0 + nk[j];
    double diff = xk[j] - p->mean;
    m->var[j] = (p->var + nk[j] * sk[j] + nk[j] * p->beta0 / m->beta[j] * diff * diff) / m->nu[j];
    if (!(m->var[j] > 0.0) || !isfinite(m->var[j]))
      return TW_FAIL(TW_ERR_NUMERIC, "mixture fit: component %d has variance %g (collapsed)", j, m->var[j]);
  }
  tw_vgm_finish(m);
  return TW_OK;
}

void tw_vgm_finish(tw_vgm *m) {
  double log_w_tail = 0.0, stick = 1.0, total = 0.0;
  for (int j = 0; j < m->k; ++j) {
    double ab = m->a[j] + m->b[j], psi_ab = digamma(ab);
    double log_w = digamma(m->a[j]) - psi_ab + log_w_tail; /* _estimate_log_weights */
    log_w_tail += digamma(m->b[j]) - psi_ab;
    m->weight[j] = m->a[j] / ab * stick; /* _set_parameters */
    stick *= m->b[j] / ab;
    total += m->weight[j];
    m->prec_chol[j] = 1.0 / sqrt(m->var[j]);
    /* _estimate_log_prob: the Gaussian's constant, -0.5 log nu, 0.5 (log lambda - 1 / beta) */
    double log_lambda = log(2.0) + digamma(0.5 * m->nu[j]);
    m->log_const[j] = -0.5 * LOG_2PI + log(m->prec_chol[j]) - 0.5 * log(m->nu[j]) +
                      0.5 * (log_lambda - 1.0 / m->beta[j]) + log_w;
  }
  for (int j = 0; j < m->k; ++j) m->weight[j] /= total;
}

/* The weighted log probabilities of x under each component (_estimate_weighted_log_prob). */
static void weighted_log_prob(const tw_vgm *m, double x, double *out) {
  for (int j = 0; j < m->k; ++j) {
    double y = x * m->prec_chol[j] - m->mean[j] * m->prec_chol[j];
    out[j] = m->log_const[j] - 0.5 * y * y;
  }
}

/* log resp of one value (_estimate_log_prob_resp): out (k) = weighted - logsumexp. */
static void log_resp_of(const tw_vgm *m, double x, double *out) {
  weighted_log_prob(m, x, out);
  double top = out[0], s = 0.0;
  for (int j = 1; j < m->k; ++j) top = fmax(top, out[j]);
  for (int j = 0; j < m->k; ++j) s += tw_exp_f64(out[j] - top);
  double norm = top + log(s);
  for (int j = 0; j < m->k; ++j) out[j] -= norm;
}

void tw_vgm_posterior(const tw_vgm *m, double x, double *prob) {
  log_resp_of(m, x, prob);
  for (int j = 0; j < m->k; ++j) prob[j] = tw_exp_f64(prob[j]);
}

/* E-step: resp (n, k) and the entropy term -sum resp log resp of the bound. */
static double e_step(const tw_vgm *m, const double *x, int64_t n, double *resp) {
  double entropy = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double *r = resp + i * m->k;
    log_resp_of(m, x[i], r);
    for (int j = 0; j < m->k; ++j) {
      double lr = r[j];
      r[j] = tw_exp_f64(lr);
      entropy -= r[j] * lr;
    }
  }
  return entropy;
}

/* _compute_lower_bound, given the entropy term of the E-step before the M-step. */
static double lower_bound(const tw_vgm *m, double entropy) {
  double log_wishart = 0.0, log_norm_weight = 0.0, log_beta_sum = 0.0;
  for (int j = 0; j < m->k; ++j) {
    double log_det = log(m->prec_chol[j]) - 0.5 * log(m->nu[j]);
    log_wishart += -(m->nu[j] * log_det + m->nu[j] * 0.5 * log(2.0) + log_gamma(0.5 * m->nu[j]));
    log_norm_weight -= log_beta(m->a[j], m->b[j]);
    log_beta_sum += log(m->beta[j]);
  }
  return entropy - log_wishart - log_norm_weight - 0.5 * log_beta_sum;
}

static tw_status check_input(const double *x, int64_t n, const int32_t *label, int k) {
  if (n < 2) return TW_FAIL(TW_ERR_INPUT, "a mixture needs at least 2 values, got %lld", (long long)n);
  for (int64_t i = 0; i < n; ++i) {
    if (!isfinite(x[i])) return TW_FAIL(TW_ERR_INPUT, "mixture fit: value %lld is %g", (long long)i, x[i]);
    if (label[i] < 0 || label[i] >= k)
      return TW_FAIL(TW_ERR_INPUT, "mixture fit: label %d of value %lld is not in 0..%d", label[i], (long long)i, k - 1);
  }
  return TW_OK;
}

/* The iterations of BaseMixture.fit_predict from the initialised model m. */
static tw_status iterate(const double *x, int64_t n, const priors *p, const tw_vgm_options *opt, double *resp,
                         tw_vgm *m, double *bounds) {
  double nk[TW_VGM_MAX_COMPONENTS], xk[TW_VGM_MAX_COMPONENTS], sk[TW_VGM_MAX_COMPONENTS];
  double bound = -INFINITY;
  for (int it = 1; it <= opt->max_iter; ++it) {
    double prev = bound, entropy = e_step(m, x, n, resp);
    gaussian_stats(x, n, m->k, resp, opt->reg_covar, nk, xk, sk);
    TW_TRY(update_params(p, nk, xk, sk, m));
    bound = lower_bound(m, entropy);
    if (bounds) bounds[it - 1] = bound;
    m->n_iter = it;
    m->lower_bound = bound;
    if (fabs(bound - prev) < opt->tol) return (m->converged = 1), TW_OK;
  }
  return TW_OK;
}

tw_status tw_vgm_fit(const double *x, int64_t n, const int32_t *label, const tw_vgm_options *opt, tw_vgm *out,
                     double *lower_bounds) {
  memset(out, 0, sizeof *out);
  out->k = (int)(n < opt->n_components ? n : opt->n_components);
  if (opt->n_components < 1 || opt->n_components > TW_VGM_MAX_COMPONENTS)
    return TW_FAIL(TW_ERR_INTERNAL, "mixture of %d components", opt->n_components);
  TW_TRY(check_input(x, n, label, out->k));
  double *resp = calloc((size_t)n * (size_t)out->k, sizeof *resp);
  if (!resp) return TW_FAIL(TW_ERR_NOMEM, "out of memory: mixture of %lld values", (long long)n);
  for (int64_t i = 0; i < n; ++i) resp[i * out->k + label[i]] = 1.0; /* _initialize_parameters, 'kmeans' */
  priors p = make_priors(x, n, opt->weight_prior);
  double nk[TW_VGM_MAX_COMPONENTS], xk[TW_VGM_MAX_COMPONENTS], sk[TW_VGM_MAX_COMPONENTS];
  gaussian_stats(x, n, out->k, resp, opt->reg_covar, nk, xk, sk);
  tw_status st = update_params(&p, nk, xk, sk, out);
  if (st == TW_OK) st = iterate(x, n, &p, opt, resp, out, lower_bounds);
  free(resp);
  return st;
}
