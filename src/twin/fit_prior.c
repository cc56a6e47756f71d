/*
** fit_prior.c: the log-normal population prior of the fitted parameters (the
** mean and covariance of log(value) over simglucose's 30 reference patients,
** read through the pack's compiled-in table) and the population twin that
** supplies every parameter not fitted (fit.h).
*/
#include "twin/fit.h"

#include "physio/param_table.h" /* tw_t1d_builtin_table, tw_param_cols */
#include "physio/t1d.h"         /* TW_T1D_P_X0, TW_T1D_P_BW */

#include <math.h>   /* log, exp, sqrt */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strcmp */

#define PRIOR_MAX_ROWS 64

/* The reference patients' parameters, (rows, n_params) row-major. */
static tw_status read_patients(const tw_pack *pack, double *v, int *rows) {
  tw_csv t;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  int cols[TW_PACK_MAX_PARAMS];
  tw_status st = tw_param_cols(pack, &t, cols);
  if (st == TW_OK && (t.n_rows < 2 || t.n_rows > PRIOR_MAX_ROWS))
    st = TW_FAIL(TW_ERR_INTERNAL, "fit: %d reference patients", t.n_rows);
  for (int r = 0; r < t.n_rows && st == TW_OK; ++r) st = tw_param_row_cols(pack, &t, cols, r, v + r * pack->n_params);
  *rows = t.n_rows;
  tw_csv_free(&t);
  return st;
}

/* The population twin: geometric means, or arithmetic where a patient has 0. */
static void base_params(const tw_pack *pack, const double *v, int rows, double *base) {
  for (int k = 0; k < pack->n_params; ++k) {
    double sl = 0.0, s = 0.0;
    int positive = 1;
    for (int r = 0; r < rows; ++r) {
      const double x = v[r * pack->n_params + k];
      positive &= x > 0.0;
      s += x;
      sl += x > 0.0 ? log(x) : 0.0;
    }
    base[k] = positive ? exp(sl / rows) : s / rows;
  }
}

/* Which parameter `name` is, refusing what cannot be fitted. */
static tw_status fitted_index(const tw_pack *pack, const char *name, const tw_fit_prior *pr, int *out) {
  const int k = tw_pack_param_index(pack, name);
  if (k < 0) return TW_FAIL(TW_ERR_INPUT, "fit: '%s' is not a parameter of the %s pack", name, pack->name);
  if (k < TW_T1D_P_X0 + pack->n_states || k == TW_T1D_P_BW)
    return TW_FAIL(TW_ERR_INPUT,
                   "fit: '%s' cannot be fitted (initial states come from the first CGM value and the basal rate, "
                   "body weight from the records)", name);
  for (int j = 0; j < pr->k; ++j)
    if (pr->index[j] == k) return TW_FAIL(TW_ERR_INPUT, "fit: parameter '%s' is given twice", name);
  *out = k;
  return TW_OK;
}

/* Mean and covariance of the logs of the fitted parameters; Cholesky factor. */
static tw_status log_moments(const tw_pack *pack, const double *v, int rows, tw_fit_prior *pr) {
  const int K = pr->k, n = pack->n_params;
  double cov[TW_FIT_MAX_PARAMS * TW_FIT_MAX_PARAMS];
  for (int a = 0; a < K; ++a) {
    double s = 0.0;
    for (int r = 0; r < rows; ++r) s += log(v[r * n + pr->index[a]]);
    pr->mean[a] = s / rows;
  }
  for (int a = 0; a < K; ++a)
    for (int c = 0; c < K; ++c) {
      double s = 0.0;
      for (int r = 0; r < rows; ++r)
        s += (log(v[r * n + pr->index[a]]) - pr->mean[a]) * (log(v[r * n + pr->index[c]]) - pr->mean[c]);
      cov[a * K + c] = s / (rows - 1);
    }
  for (int a = 0; a < K; ++a) {
    if (!(cov[a * K + a] > 1e-12))
      return TW_FAIL(TW_ERR_INPUT, "fit: '%s' is the same for all %d reference patients: its prior is degenerate",
                     pack->params[pr->index[a]].name, rows);
  }
  memset(pr->chol, 0, sizeof pr->chol);
  for (int a = 0; a < K; ++a)
    for (int c = 0; c <= a; ++c) {
      double s = cov[a * K + c];
      for (int j = 0; j < c; ++j) s -= pr->chol[a * K + j] * pr->chol[c * K + j];
      if (a == c) {
        if (!(s > 1e-12 * cov[a * K + a]))
          return TW_FAIL(TW_ERR_INPUT, "fit: the log covariance of the parameters is singular at '%s' (a "
                         "combination of the others over the reference patients)", pack->params[pr->index[a]].name);
        pr->chol[a * K + a] = sqrt(s);
      } else {
        pr->chol[a * K + c] = s / pr->chol[c * K + c];
      }
    }
  return TW_OK;
}

tw_status tw_fit_prior_build(const tw_pack *pack, const char *const *names, int k, tw_fit_prior *out) {
  memset(out, 0, sizeof *out);
  if (k < 1 || k > TW_FIT_MAX_PARAMS)
    return TW_FAIL(TW_ERR_INPUT, "fit: %d parameters to fit; between 1 and %d", k, TW_FIT_MAX_PARAMS);
  for (int j = 0; j < k; ++j) {
    int idx = -1;
    TW_TRY(fitted_index(pack, names[j], out, &idx));
    out->index[out->k++] = idx;
  }
  double *v = malloc(sizeof(double) * PRIOR_MAX_ROWS * (size_t)pack->n_params);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for the prior");
  int rows = 0;
  tw_status st = read_patients(pack, v, &rows);
  if (st == TW_OK) base_params(pack, v, rows, out->base);
  if (st == TW_OK) st = log_moments(pack, v, rows, out);
  free(v);
  return st;
}

void tw_fit_prior_whiten(const tw_fit_prior *pr, const double *theta, double *w) {
  const int K = pr->k;
  for (int a = 0; a < K; ++a) {
    double s = theta[a] - pr->mean[a];
    for (int j = 0; j < a; ++j) s -= pr->chol[a * K + j] * w[j];
    w[a] = s / pr->chol[a * K + a];
  }
}

void tw_fit_prior_draw(const tw_fit_prior *pr, const double *z, double *theta) {
  const int K = pr->k;
  for (int a = 0; a < K; ++a) {
    double s = pr->mean[a];
    for (int j = 0; j <= a; ++j) s += pr->chol[a * K + j] * z[j];
    theta[a] = s;
  }
}

void tw_fit_params(const tw_fit_prior *pr, int n_params, const double *theta, double bw_kg, double *p) {
  for (int k = 0; k < n_params; ++k) p[k] = pr->base[k];
  for (int a = 0; a < pr->k; ++a) p[pr->index[a]] = exp(theta[a]);
  if (bw_kg > 0.0) p[TW_T1D_P_BW] = bw_kg; /* NaN fails the test: the base's */
}

/* The prior's inverse covariance Sigma^-1 = L^-T L^-1 (k, k). */
void tw_fit_prior_precision(const tw_fit_prior *pr, double *P) {
  const int K = pr->k;
  double Li[TW_FIT_MAX_PARAMS * TW_FIT_MAX_PARAMS]; /* column c of L^-1 in Li[. * K + c] */
  for (int c = 0; c < K; ++c) {
    double t[TW_FIT_MAX_PARAMS], w[TW_FIT_MAX_PARAMS];
    for (int a = 0; a < K; ++a) t[a] = pr->mean[a] + (a == c);
    tw_fit_prior_whiten(pr, t, w);
    for (int a = 0; a < K; ++a) Li[a * K + c] = w[a];
  }
  for (int a = 0; a < K; ++a)
    for (int c = 0; c < K; ++c) {
      double s = 0.0;
      for (int q = 0; q < K; ++q) s += Li[q * K + a] * Li[q * K + c];
      P[a * K + c] = s;
    }
}

