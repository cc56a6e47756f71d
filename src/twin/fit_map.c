/*
** fit_map.c: the batched MAP of every person (fit.h). The objective is a sum
** of squares, the CGM residuals (bg - cgm) / sigma and the whitened prior
** residual L^-1 (theta - mean), so each person runs Levenberg-Marquardt in
** log space. One iteration is one batched simulation of every active person's
** trial point and its k forward-difference columns; the person then accepts or
** rejects its trial and solves for its next. Persons leave the batch when they
** converge. No random numbers: the same inputs give the same bits.
*/
#include "twin/fit.h"

#include <math.h>   /* log, fabs, isfinite, INFINITY */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset, memcpy */

#define K_MAX TW_FIT_MAX_PARAMS
#define STEP_MAX 1.0 /* largest step in log space per iteration (a factor e) */
#define LAMBDA0 1e-2
#define LAMBDA_MAX 1e10

tw_fit_map_opts tw_fit_map_defaults(void) {
  tw_fit_map_opts o = {.max_iter = 40, .fd_step = 1e-4, .tol = 1e-6, .sigma = TW_FIT_CGM_SIGMA};
  return o;
}

/* A reading at the sensor's floor (ceiling) says only that glucose was at or
** below (above) it: a model value beyond it costs nothing (a one-sided,
** censored residual). */
static int censored(double cgm, double bg) {
  return (cgm <= TW_FIT_CGM_LO && bg <= cgm) || (cgm >= TW_FIT_CGM_HI && bg >= cgm);
}

/* What every person's objective needs besides its own data. */
typedef struct lm_ctx {
  const tw_fit_prior *pr;
  double sigma, h;
  double P[K_MAX * K_MAX]; /* prior precision */
  int64_t ld;              /* max_obs: the row length of bg */
} lm_ctx;

/* The objective at the first of a person's bg rows; with H, also the
** Gauss-Newton Hessian and the gradient from the k difference rows after it. */
static double person_objective(const lm_ctx *x, const tw_fit_person *f, const double *theta, const double *bg,
                               double *H, double *g) {
  const int K = x->pr->k;
  double w[K_MAX], J[K_MAX], s = 0.0;
  tw_fit_prior_whiten(x->pr, theta, w);
  for (int a = 0; a < K; ++a) s += w[a] * w[a];
  if (H) {
    for (int a = 0; a < K; ++a) {
      g[a] = 0.0;
      for (int c = 0; c < K; ++c) g[a] += x->P[a * K + c] * (theta[c] - x->pr->mean[c]), H[a * K + c] = x->P[a * K + c];
    }
  }
  for (int64_t i = 0; i < f->n_obs; ++i) {
    const double r = (bg[i] - f->obs_g[i]) / x->sigma;
    if (!isfinite(r)) return INFINITY;
    if (censored(f->obs_g[i], bg[i])) continue;
    s += r * r;
    if (!H) continue;
    for (int a = 0; a < K; ++a) J[a] = (bg[(a + 1) * x->ld + i] - bg[i]) / (x->h * x->sigma);
    for (int a = 0; a < K; ++a) {
      if (!isfinite(J[a])) return INFINITY;
      g[a] += J[a] * r;
      for (int c = 0; c < K; ++c) H[a * K + c] += J[a] * J[c];
    }
  }
  return 0.5 * s;
}

/* Solves A x = b (k, k) symmetric positive definite by Cholesky in place; 0 if not. */
static int spd_solve(double *A, double *b, int K) {
  for (int a = 0; a < K; ++a)
    for (int c = 0; c <= a; ++c) {
      double s = A[a * K + c];
      for (int j = 0; j < c; ++j) s -= A[a * K + j] * A[c * K + j];
      if (a == c) {
        if (!(s > 0.0)) return 0;
        A[a * K + a] = sqrt(s);
      } else {
        A[a * K + c] = s / A[c * K + c];
      }
    }
  for (int a = 0; a < K; ++a) {
    for (int j = 0; j < a; ++j) b[a] -= A[a * K + j] * b[j];
    b[a] /= A[a * K + a];
  }
  for (int a = K - 1; a >= 0; --a) {
    for (int j = a + 1; j < K; ++j) b[a] -= A[j * K + a] * b[j];
    b[a] /= A[a * K + a];
  }
  return 1;
}

/* Residual i of a bg row: 0 where the reading is censored. */
static double resid(const tw_fit_person *f, const double *bg, int64_t i) {
  return censored(f->obs_g[i], bg[i]) ? 0.0 : bg[i] - f->obs_g[i];
}

/* The lag-1 autocorrelation of the CGM residuals in one bg row (censored
** readings count 0). Not centred: a lasting bias counts as correlation,
** which it is for the fit. */
static double residual_rho(const tw_fit_person *f, const double *bg) {
  double s0 = 0.0, s1 = 0.0;
  for (int64_t i = 0; i < f->n_obs; ++i) {
    const double r = resid(f, bg, i);
    s0 += r * r;
    if (i > 0) s1 += r * resid(f, bg, i - 1);
  }
  return s0 > 0.0 ? s1 / s0 : 0.0;
}

/* One person's optimisation. */
typedef struct lm_person {
  int active, iters, has_point, small_gains; /* small_gains: accepted steps in a row that gained < tol */
  double f, lambda, last_step, rho;
  double theta[K_MAX], trial[K_MAX];
  double H[K_MAX * K_MAX], g[K_MAX];
} lm_person;

/* The next trial from the accepted point: (H + lambda diag(H)) d = -g, the
** step capped at STEP_MAX in every coordinate. 0 when no step can be formed. */
static int next_trial(lm_person *q, int K) {
  double A[K_MAX * K_MAX], d[K_MAX], big = 0.0;
  memcpy(A, q->H, sizeof(double) * (size_t)(K * K));
  for (int a = 0; a < K; ++a) A[a * K + a] += q->lambda * q->H[a * K + a], d[a] = -q->g[a];
  if (!spd_solve(A, d, K)) return 0;
  for (int a = 0; a < K; ++a) big = fabs(d[a]) > big ? fabs(d[a]) : big;
  const double scale = big > STEP_MAX ? STEP_MAX / big : 1.0;
  for (int a = 0; a < K; ++a) q->trial[a] = q->theta[a] + scale * d[a];
  q->last_step = big * scale;
  return 1;
}

/* After a batch: accept or reject the trial, decide whether the person is done. */
static void lm_update(const lm_ctx *x, const tw_fit_person *f, const tw_fit_map_opts *o, const double *bg,
                      lm_person *q, int32_t *flag) {
  const int K = x->pr->k;
  double H[K_MAX * K_MAX], g[K_MAX];
  const double ft = person_objective(x, f, q->trial, bg, H, g);
  q->iters++;
  if (!q->has_point) { /* the starting point */
    if (!isfinite(ft)) {
      *flag |= TW_FIT_SIM_FAILED, q->active = 0;
      return;
    }
    q->has_point = 1, q->f = ft, q->lambda = LAMBDA0, q->rho = residual_rho(f, bg);
    memcpy(q->theta, q->trial, sizeof q->theta), memcpy(q->H, H, sizeof H), memcpy(q->g, g, sizeof g);
  } else if (ft < q->f) {
    const double gain = q->f - ft;
    q->f = ft, q->lambda = q->lambda / 3.0 > 1e-9 ? q->lambda / 3.0 : 1e-9, q->rho = residual_rho(f, bg);
    memcpy(q->theta, q->trial, sizeof q->theta), memcpy(q->H, H, sizeof H), memcpy(q->g, g, sizeof g);
    const int small = gain < o->tol * (ft > 1.0 ? ft : 1.0);
    q->small_gains = small ? q->small_gains + 1 : 0;
    /* a small gain with a small step, or two small gains in a row (a flat
    ** valley along a poorly identified direction: the objective has converged) */
    if (small && (q->last_step < 1e-3 || q->small_gains >= 2)) q->active = 0;
  } else {
    q->lambda *= 4.0;
    if (q->lambda > LAMBDA_MAX) q->active = 0; /* no step decreases the objective: a minimum to precision */
  }
  if (q->active && !next_trial(q, K)) q->active = 0;
  if (q->active && q->last_step < 1e-7) q->active = 0;
  if (q->active && q->iters >= o->max_iter) *flag |= TW_FIT_NOT_CONVERGED, q->active = 0;
}

/* The columns of every active person: its trial, then trial + h e_a. */
static int64_t build_columns(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const lm_person *q,
                             double h, int64_t i0, int64_t i1, int64_t *col_person, double *params) {
  const int K = pr->k, np = s->pack->n_params;
  int64_t C = 0;
  for (int64_t i = i0; i < i1; ++i) {
    if (!q[i].active) continue;
    for (int a = 0; a <= K; ++a, ++C) {
      double t[K_MAX];
      memcpy(t, q[i].trial, sizeof t);
      if (a > 0) t[a - 1] += h;
      col_person[C] = i;
      tw_fit_params(pr, np, t, d->p[i].weight_kg, params + C * np);
    }
  }
  return C;
}

/* The batch's buffers for every person's k + 1 columns. */
typedef struct lm_buffers {
  int64_t *col_person;
  double *params, *bg;
  int32_t *flag;
} lm_buffers;

static void buffers_free(lm_buffers *b) {
  free(b->col_person), free(b->params), free(b->bg), free(b->flag);
  memset(b, 0, sizeof *b);
}

static tw_status buffers_alloc(int64_t cols, int np, int64_t max_obs, lm_buffers *b) {
  b->col_person = calloc((size_t)cols + 1, sizeof(int64_t));
  b->params = calloc((size_t)(cols * np) + 1, sizeof(double));
  b->bg = calloc((size_t)(cols * max_obs) + 1, sizeof(double));
  b->flag = calloc((size_t)cols + 1, sizeof(int32_t));
  if (!b->col_person || !b->params || !b->bg || !b->flag) {
    buffers_free(b);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %lld columns of %lld CGM samples", (long long)cols,
                   (long long)max_obs);
  }
  return TW_OK;
}

tw_status tw_fit_map_result_alloc(int64_t n, int K, tw_fit_map_result *r) {
  memset(r, 0, sizeof *r);
  r->n = n, r->k = K;
  r->theta = calloc((size_t)(n * K) + 1, sizeof(double));
  r->nlp = calloc((size_t)n + 1, sizeof(double));
  r->rms = calloc((size_t)n + 1, sizeof(double));
  r->rho = calloc((size_t)n + 1, sizeof(double));
  r->hess = calloc((size_t)(n * K * K) + 1, sizeof(double));
  r->flag = calloc((size_t)n + 1, sizeof(int32_t));
  r->iters = calloc((size_t)n + 1, sizeof(int32_t));
  if (!r->theta || !r->nlp || !r->rms || !r->rho || !r->hess || !r->flag || !r->iters) {
    tw_fit_map_result_free(r);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for the results of %lld persons", (long long)n);
  }
  return TW_OK;
}

void tw_fit_map_result_free(tw_fit_map_result *r) {
  free(r->theta), free(r->nlp), free(r->rms), free(r->rho), free(r->hess), free(r->flag), free(r->iters);
  memset(r, 0, sizeof *r);
}

/* Every person starts at the prior mean; one without data is done at once. */
static void lm_start(const tw_fit_data *d, const tw_fit_prior *pr, lm_person *q, int32_t *flag) {
  for (int64_t i = 0; i < d->n; ++i) {
    memcpy(q[i].trial, pr->mean, sizeof(double) * (size_t)pr->k);
    memcpy(q[i].theta, pr->mean, sizeof(double) * (size_t)pr->k);
    q[i].active = d->p[i].n_obs > 0;
    if (!q[i].active) flag[i] |= TW_FIT_NO_DATA;
  }
}

/* One batched simulation per block of s->block persons (bounding the
** memory of the bg samples), all persons' columns advancing together within
** it; each active person then updates. */
static tw_status lm_iterate(const tw_fit_sim *s, const tw_fit_data *d, const lm_ctx *x, const tw_fit_map_opts *o,
                            lm_person *q, lm_buffers *b, tw_fit_map_result *out) {
  const int K = x->pr->k;
  for (int64_t i0 = 0; i0 < d->n; i0 += s->block) {
    const int64_t i1 = TW_MIN(i0 + s->block, d->n);
    const int64_t C = build_columns(s, d, x->pr, q, o->fd_step, i0, i1, b->col_person, b->params);
    if (C == 0) continue;
    TW_TRY(tw_fit_simulate(s, d, C, b->col_person, b->params, b->bg, b->flag));
    out->evaluations++;
    for (int64_t c = 0; c < C; c += K + 1) {
      const int64_t i = b->col_person[c];
      lm_update(x, &d->p[i], o, b->bg + c * d->max_obs, &q[i], &out->flag[i]);
    }
  }
  return TW_OK;
}

/* RMS of the CGM residuals at the accepted point: the objective less its prior part. */
static double residual_rms(const lm_ctx *x, const tw_fit_person *f, const lm_person *q) {
  double w[K_MAX], s = 0.0;
  tw_fit_prior_whiten(x->pr, q->theta, w);
  for (int a = 0; a < x->pr->k; ++a) s += w[a] * w[a];
  const double r2 = 2.0 * q->f - s;
  return x->sigma * sqrt((r2 > 0.0 ? r2 : 0.0) / (double)f->n_obs);
}

static int any_active(const lm_person *q, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (q[i].active) return 1;
  return 0;
}

tw_status tw_fit_map(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const tw_fit_map_opts *o,
                     tw_fit_map_result *out) {
  const int K = pr->k;
  TW_TRY(tw_fit_map_result_alloc(d->n, K, out));
  lm_ctx x = {.pr = pr, .sigma = o->sigma, .h = o->fd_step, .ld = d->max_obs};
  tw_fit_prior_precision(pr, x.P);
  lm_person *q = calloc((size_t)d->n + 1, sizeof *q);
  lm_buffers b;
  memset(&b, 0, sizeof b);
  tw_status st = q ? buffers_alloc(TW_MIN(d->n, s->block) * (K + 1), s->pack->n_params, d->max_obs, &b)
                   : TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %lld persons", (long long)d->n);
  if (st == TW_OK) lm_start(d, pr, q, out->flag);
  while (st == TW_OK && any_active(q, d->n)) st = lm_iterate(s, d, &x, o, q, &b, out);
  for (int64_t i = 0; i < d->n && st == TW_OK; ++i) {
    memcpy(out->theta + i * K, q[i].theta, sizeof(double) * (size_t)K);
    memcpy(out->hess + i * K * K, q[i].H, sizeof(double) * (size_t)(K * K));
    out->nlp[i] = q[i].has_point ? q[i].f : NAN;
    out->rms[i] = q[i].has_point ? residual_rms(&x, &d->p[i], &q[i]) : NAN;
    out->rho[i] = q[i].has_point ? q[i].rho : NAN;
    if (out->rms[i] > 3.0 * o->sigma) out->flag[i] |= TW_FIT_POOR_FIT;
    out->iters[i] = q[i].iters;
  }
  buffers_free(&b);
  free(q);
  if (st != TW_OK) tw_fit_map_result_free(out);
  return st;
}

tw_status tw_fit_objective(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, double sigma,
                           const double *theta, double *nlp) {
  const int np = s->pack->n_params;
  lm_ctx x = {.pr = pr, .sigma = sigma, .h = 1.0, .ld = d->max_obs};
  lm_buffers b;
  memset(&b, 0, sizeof b);
  TW_TRY(buffers_alloc(d->n, np, d->max_obs, &b));
  for (int64_t i = 0; i < d->n; ++i) {
    b.col_person[i] = i;
    tw_fit_params(pr, np, theta + i * pr->k, d->p[i].weight_kg, b.params + i * np);
  }
  tw_status st = tw_fit_simulate(s, d, d->n, b.col_person, b.params, b.bg, b.flag);
  for (int64_t i = 0; i < d->n && st == TW_OK; ++i)
    nlp[i] = person_objective(&x, &d->p[i], theta + i * pr->k, b.bg + i * d->max_obs, NULL, NULL);
  buffers_free(&b);
  return st;
}

double tw_fit_cgm_sse(const tw_fit_person *f, const double *bg) {
  double s = 0.0;
  for (int64_t i = 0; i < f->n_obs; ++i) {
    if (!isfinite(bg[i])) return INFINITY;
    const double r = resid(f, bg, i);
    s += r * r;
  }
  return s;
}

double tw_fit_noise_var(const tw_fit_map_result *m, int64_t i, double sigma, double inflate) {
  const double rho = m->rho[i] > 0.0 ? (m->rho[i] < 0.999 ? m->rho[i] : 0.999) : 0.0;
  const double rms = m->rms[i] > sigma ? m->rms[i] : sigma;
  return inflate * rms * rms * (1.0 + rho) / (1.0 - rho);
}

/* The Laplace covariance of person i (fit.h): the data's part of the
** Gauss-Newton Hessian rescaled from sigma^2 to tw_fit_noise_var, plus the
** prior's precision, inverted. */
int tw_fit_laplace(const tw_fit_prior *pr, const tw_fit_map_result *m, int64_t i, double sigma, double inflate,
                   double *cov) {
  const int K = pr->k;
  double P[K_MAX * K_MAX], A[K_MAX * K_MAX];
  tw_fit_prior_precision(pr, P);
  const double c = (sigma * sigma) / tw_fit_noise_var(m, i, sigma, inflate);
  const double *H = m->hess + i * K * K;
  for (int e = 0; e < K * K; ++e) A[e] = c * (H[e] - P[e]) + P[e];
  for (int col = 0; col < K; ++col) {
    double A2[K_MAX * K_MAX], b[K_MAX];
    memcpy(A2, A, sizeof A2);
    for (int a = 0; a < K; ++a) b[a] = a == col;
    if (!spd_solve(A2, b, K)) return 0;
    for (int a = 0; a < K; ++a) cov[a * K + col] = b[a];
  }
  return 1;
}
