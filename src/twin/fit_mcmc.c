/*
** fit_mcmc.c: every person's posterior by the batched ensemble sampler
** (fit.h, fit_ensemble.c). Persons go through in blocks of s->block; in a
** block every person's W/2 proposals of a half-step are columns of one
** batched simulation (tw_fit_simulate), so a block's whole ensemble advances
** with two simulations per step. The walkers start around the MAP from the
** Laplace covariance; the independence moves' t is centred there with that
** covariance, then (half-way through burn-in and at its end) on the walkers'
** own mean and covariance (fixed after burn-in); the target is the prior times the CGM likelihood with
** the person's own error variance (tw_fit_noise_var). After the block: split
** R-hat and ESS per parameter, the quantiles of the kept samples, S evenly
** thinned draws.
*/
#include "twin/fit.h"

#include "core/random.h" /* tw_cholesky */

#include <math.h>   /* isfinite, floor, sqrt, NAN, INFINITY */
#include <stdlib.h> /* calloc, free, qsort */
#include <string.h> /* memset, memcpy */

#define K_MAX TW_FIT_MAX_PARAMS

tw_fit_mcmc_opts tw_fit_mcmc_defaults(void) {
  tw_fit_mcmc_opts o = {.walkers = 0, .steps = 160, .burn_in = 40, .draws = 200, .stretch = 2.0,
                        .inflate = TW_FIT_INFLATE, .rhat_max = 1.1, .spread = 1.0, .t_every = 1, .t_scale = 1.0, .t_mix = 1, .de = 1, .de_gamma = 0.0,
                        .seed = 0};
  return o;
}

int tw_fit_mcmc_walkers(int walkers, int k) { return walkers ? walkers : TW_MAX(10, 2 * k); }

void tw_fit_mcmc_result_free(tw_fit_mcmc_result *r) {
  free(r->draws), free(r->q), free(r->rhat), free(r->ess), free(r->accept), free(r->flag);
  memset(r, 0, sizeof *r);
}

tw_status tw_fit_mcmc_result_alloc(int64_t n, int K, int S, tw_fit_mcmc_result *r) {
  memset(r, 0, sizeof *r);
  r->n = n, r->k = K, r->S = S;
  r->draws = calloc((size_t)(K * n * S) + 1, sizeof(double));
  r->q = calloc((size_t)(K * n * 3) + 1, sizeof(double));
  r->rhat = calloc((size_t)(K * n) + 1, sizeof(double));
  r->ess = calloc((size_t)(K * n) + 1, sizeof(double));
  r->accept = calloc((size_t)n + 1, sizeof(double));
  r->flag = calloc((size_t)n + 1, sizeof(int32_t));
  if (!r->draws || !r->q || !r->rhat || !r->ess || !r->accept || !r->flag) {
    tw_fit_mcmc_result_free(r);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %d draws of %lld persons", S, (long long)n);
  }
  return TW_OK;
}

/* One block's working memory: B persons' ensembles, the kept chain, a batch. */
typedef struct mc_block {
  int64_t B, i0;
  int *sampled;                /* (B) the person was fitted by the MAP */
  double *var;                 /* (B) the likelihood's variance (mg/dL)^2 */
  tw_fit_ensemble e;
  double *chain;               /* (B, k, W, kept) */
  double *lp_y;                /* (B, W/2) */
  int64_t *col_person;         /* (B W/2) */
  double *params, *bg;         /* (B W/2, n_params), (B W/2, max_obs) */
  int32_t *flag;
  int64_t C;                   /* columns of the current batch */
  int64_t *col_slot;           /* (B) first column of each sampled person, -1 */
  int M;                       /* components of the t moves' mixture */
  double *Lt, *mu, *logw;      /* (B, M, k, k), (B, M, k), (B, M): the t moves' factors, centres, log weights */
  double *pos;                 /* (B, n_pos, k) walker positions since the last adaptation */
  int64_t s_count, n_pos;      /* positions held per person, room for */
  double *work;                /* (n_pos (M + 2)) the mixture fit's; (B, k, k) the Laplace factors at the start */
} mc_block;

static void block_free(mc_block *b) {
  tw_fit_ensemble_free(&b->e);
  free(b->chain), free(b->lp_y), free(b->col_person), free(b->params), free(b->bg), free(b->flag);
  free(b->Lt), free(b->mu), free(b->logw), free(b->pos), free(b->work);
  free(b->sampled), free(b->var), free(b->col_slot);
}

static tw_status block_alloc(const tw_fit_sim *s, const tw_fit_data *d, int K, const tw_fit_mcmc_opts *o,
                             const int64_t *twin_id, mc_block *b) {
  const int64_t B = TW_MIN(d->n, s->block), kept = o->steps - o->burn_in;
  memset(b, 0, sizeof *b);
  TW_TRY(tw_fit_ensemble_alloc(B, K, o->walkers, o->seed, twin_id, &b->e));
  b->e.a = o->stretch;
  b->chain = calloc((size_t)(B * K * o->walkers * kept) + 1, sizeof(double));
  b->lp_y = calloc((size_t)(B * o->walkers) + 1, sizeof(double));
  b->col_person = calloc((size_t)(B * o->walkers) + 1, sizeof(int64_t));
  b->params = calloc((size_t)(B * o->walkers * s->pack->n_params) + 1, sizeof(double));
  b->bg = calloc((size_t)(B * o->walkers * d->max_obs) + 1, sizeof(double));
  b->flag = calloc((size_t)(B * o->walkers) + 1, sizeof(int32_t));
  b->M = o->t_mix, b->n_pos = (int64_t)o->walkers * (o->burn_in - o->burn_in / 4 + 1);
  b->Lt = calloc((size_t)(B * b->M * K * K) + 1, sizeof(double));
  b->mu = calloc((size_t)(B * b->M * K) + 1, sizeof(double));
  b->logw = calloc((size_t)(B * b->M) + 1, sizeof(double));
  b->pos = calloc((size_t)(B * b->n_pos * K) + 1, sizeof(double));
  b->work = calloc((size_t)TW_MAX(b->n_pos * (b->M + 2), B * K * K) + 1, sizeof(double));
  b->sampled = calloc((size_t)B + 1, sizeof(int)), b->var = calloc((size_t)B + 1, sizeof(double));
  b->col_slot = calloc((size_t)B + 1, sizeof(int64_t));
  if (!b->chain || !b->lp_y || !b->col_person || !b->params || !b->bg || !b->flag || !b->Lt || !b->mu || !b->logw ||
      !b->pos || !b->work || !b->sampled || !b->var || !b->col_slot) {
    block_free(b);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for the sampler's block of %lld persons", (long long)B);
  }
  return TW_OK;
}

/* Columns for `count` walker positions per sampled person: pos(i, j) (k). */
static void block_columns(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, mc_block *b,
                          const double *pos, int count) {
  const int np = s->pack->n_params, K = pr->k;
  b->C = 0;
  for (int64_t i = 0; i < b->B; ++i) {
    b->col_slot[i] = -1;
    if (!b->sampled[i]) continue;
    b->col_slot[i] = b->C;
    for (int j = 0; j < count; ++j, ++b->C) {
      b->col_person[b->C] = b->i0 + i;
      tw_fit_params(pr, np, pos + (i * count + j) * K, d->p[b->i0 + i].weight_kg, b->params + b->C * np);
    }
  }
}

/* log p of the block's columns into lp (B, count): the prior plus the CGM likelihood. */
static tw_status block_logp(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, mc_block *b,
                            const double *pos, int count, double *lp, int64_t *evaluations) {
  const int K = pr->k;
  block_columns(s, d, pr, b, pos, count);
  if (b->C > 0) TW_TRY(tw_fit_simulate(s, d, b->C, b->col_person, b->params, b->bg, b->flag));
  *evaluations += b->C > 0;
  for (int64_t i = 0; i < b->B; ++i)
    for (int j = 0; j < count; ++j) {
      const int64_t c = b->col_slot[i] + j;
      double w[K_MAX], s2 = 0.0;
      if (!b->sampled[i]) {
        lp[i * count + j] = -INFINITY;
        continue;
      }
      tw_fit_prior_whiten(pr, pos + (i * count + j) * K, w);
      for (int a = 0; a < K; ++a) s2 += w[a] * w[a];
      const double sse = b->flag[c] == 0 ? tw_fit_cgm_sse(&d->p[b->i0 + i], b->bg + c * d->max_obs) : INFINITY;
      lp[i * count + j] = isfinite(sse) ? -0.5 * (s2 + sse / b->var[i]) : -INFINITY;
    }
  return TW_OK;
}

/* The Laplace covariance's factor of each person (its Cholesky failing: 0.05
** in log space, about 5%), scaled by `scale` into L (B, k, k). */
static void block_factors(const tw_fit_prior *pr, const tw_fit_map_result *m, const tw_fit_mcmc_opts *o,
                          const mc_block *b, double scale, double *L) {
  const int K = pr->k;
  for (int64_t i = 0; i < b->B; ++i) {
    double cov[K_MAX * K_MAX], *Li = L + i * K * K;
    memset(Li, 0, sizeof(double) * (size_t)(K * K));
    const int ok = tw_fit_laplace(pr, m, b->i0 + i, TW_FIT_CGM_SIGMA, o->inflate, cov) &&
                   tw_cholesky(K, cov, Li, "the Laplace covariance") == TW_OK;
    for (int a = 0; a < K; ++a)
      for (int c = 0; c <= a; ++c) Li[a * K + c] = scale * (ok ? Li[a * K + c] : (a == c ? 0.05 : 0.0));
  }
}

/* The kept positions of step (post burn-in) t into chain (B, k, W, kept). */
static void block_record(mc_block *b, int64_t t, int64_t kept) {
  const int K = b->e.k, W = b->e.W;
  for (int64_t i = 0; i < b->B; ++i)
    for (int w = 0; w < W; ++w)
      for (int a = 0; a < K; ++a) b->chain[((i * K + a) * W + w) * kept + t] = b->e.x[(i * W + w) * K + a];
}

/* Adds the walkers' positions to the adaptation's samples. */
static void block_accumulate(mc_block *b) {
  const int K = b->e.k, W = b->e.W;
  if (b->s_count + W > b->n_pos) return;
  for (int64_t i = 0; i < b->B; ++i)
    memcpy(b->pos + (i * b->n_pos + b->s_count) * K, b->e.x + i * W * K, sizeof(double) * (size_t)(W * K));
  b->s_count += W;
}

/* The t moves' proposal before any adaptation: every component the t at the
** MAP with the Laplace factor L (B, k, k), equal weights (the single t). */
static void block_t_start(const double *theta, const double *L, mc_block *b) {
  const int K = b->e.k, M = b->M;
  for (int64_t i = 0; i < b->B; ++i)
    for (int c = 0; c < M; ++c) {
      memcpy(b->mu + (i * M + c) * K, theta + i * K, sizeof(double) * (size_t)K);
      memcpy(b->Lt + (i * M + c) * K * K, L + i * K * K, sizeof(double) * (size_t)(K * K));
      b->logw[i * M + c] = -log((double)M);
    }
}

/* Half-way through burn-in and at its end: the t moves' centres, factors
** (times t_scale) and weights become a mixture of M Gaussians fitted to the
** positions since the last adaptation (from a quarter of burn-in on; M = 1:
** their mean and covariance), and stay fixed after burn-in, so the kept chain
** is a Metropolis-Hastings chain with a fixed proposal. A person whose fit
** fails keeps the proposal it had. */
static void block_adapt(const tw_fit_mcmc_opts *o, mc_block *b) {
  const int K = b->e.k, M = b->M;
  if (b->s_count < 2 * K) return;
  for (int64_t i = 0; i < b->B; ++i) {
    double mu[TW_FIT_T_MIX_MAX * K_MAX], L[TW_FIT_T_MIX_MAX * K_MAX * K_MAX], lw[TW_FIT_T_MIX_MAX];
    if (!tw_fit_mixture(b->pos + i * b->n_pos * K, b->s_count, K, M, b->work, mu, L, lw)) continue;
    memcpy(b->mu + i * M * K, mu, sizeof(double) * (size_t)(M * K));
    memcpy(b->logw + i * M, lw, sizeof(double) * (size_t)M);
    for (int e = 0; e < M * K * K; ++e) b->Lt[i * M * K * K + e] = o->t_scale * L[e];
  }
  b->s_count = 0;
}

static tw_status block_run(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const tw_fit_map_result *m,
                           const tw_fit_mcmc_opts *o, mc_block *b, int64_t *evaluations) {
  const int H = o->walkers / 2, K = pr->k;
  const int64_t kept = o->steps - o->burn_in;
  const double de_gamma = o->de_gamma > 0.0 ? o->de_gamma : 2.38 / sqrt(2.0 * K);
  double *L = b->work; /* (B, k, k) <= the mixture fit's work */
  block_factors(pr, m, o, b, o->spread, L);
  tw_fit_ensemble_start(&b->e, m->theta + b->i0 * K, L, 0.0);
  block_factors(pr, m, o, b, o->t_scale, L);
  block_t_start(m->theta + b->i0 * K, L, b);
  b->s_count = 0;
  TW_TRY(block_logp(s, d, pr, b, b->e.x, o->walkers, b->e.lp, evaluations));
  for (int64_t step = 1; step <= o->steps; ++step) {
    const int every = step <= o->burn_in ? 2 : o->t_every; /* burn-in alternates stretch and t moves */
    const int t_move = every > 0 && step % every == 0;
    for (int half = 0; half < 2; ++half) {
      if (t_move) tw_fit_ensemble_propose_tmix(&b->e, step, half, b->M, b->logw, b->mu, b->Lt, 4);
      else if (o->de) tw_fit_ensemble_propose_de(&b->e, step, half, de_gamma);
      else tw_fit_ensemble_propose(&b->e, step, half);
      TW_TRY(block_logp(s, d, pr, b, b->e.y, H, b->lp_y, evaluations));
      tw_fit_ensemble_accept(&b->e, step, half, b->lp_y);
    }
    if (step > o->burn_in / 4 && step <= o->burn_in) block_accumulate(b);
    if (step == o->burn_in / 2 || step == o->burn_in) block_adapt(o, b);
    if (step > o->burn_in) block_record(b, step - o->burn_in - 1, kept);
  }
  return TW_OK;
}

static int cmp_double(const void *x, const void *y) {
  const double a = *(const double *)x, c = *(const double *)y;
  return (a > c) - (a < c);
}

/* Quantile p of sorted v (n), linear between order statistics. */
static double quantile(const double *v, int64_t n, double p) {
  const double h = p * (double)(n - 1);
  const int64_t lo = (int64_t)floor(h);
  return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[n - 1];
}

/* Person i's summaries from its chain of parameter a: R-hat, ESS, draws, quantiles. */
static void summarise(const double *chain, int W, int64_t kept, int64_t person, int a, double *sorted,
                      tw_fit_mcmc_result *r) {
  const int64_t total = W * kept, at = (int64_t)a * r->n + person;
  tw_fit_split_rhat(chain, W, kept, &r->rhat[at], &r->ess[at]);
  /* draw s: sample floor(s total / S) in step-major order (step t, walker w) */
  for (int sidx = 0; sidx < r->S; ++sidx) {
    const int64_t j = (int64_t)sidx * total / r->S, t = j / W, w = j % W;
    r->draws[at * r->S + sidx] = chain[w * kept + t];
  }
  memcpy(sorted, chain, sizeof(double) * (size_t)total);
  qsort(sorted, (size_t)total, sizeof(double), cmp_double);
  r->q[at * 3 + 0] = quantile(sorted, total, 0.05);
  r->q[at * 3 + 1] = quantile(sorted, total, 0.5);
  r->q[at * 3 + 2] = quantile(sorted, total, 0.95);
}

static void block_finish(const tw_fit_mcmc_opts *o, mc_block *b, double *sorted, tw_fit_mcmc_result *r) {
  const int K = r->k, W = o->walkers;
  const int64_t kept = o->steps - o->burn_in;
  for (int64_t i = 0; i < b->B; ++i) {
    const int64_t p = b->i0 + i;
    r->accept[p] = b->sampled[i] ? (double)b->e.accepted[i] / ((double)W * o->steps) : NAN;
    for (int a = 0; a < K; ++a) {
      const int64_t at = (int64_t)a * r->n + p;
      if (b->sampled[i]) {
        summarise(b->chain + (i * K + a) * W * kept, W, kept, p, a, sorted, r);
        if (!(r->rhat[at] <= o->rhat_max)) r->flag[p] |= TW_FIT_CHAIN_NOT_CONVERGED;
        continue;
      }
      r->rhat[at] = r->ess[at] = NAN;
      for (int q = 0; q < 3; ++q) r->q[at * 3 + q] = NAN;
      for (int sidx = 0; sidx < r->S; ++sidx) r->draws[at * r->S + sidx] = NAN;
    }
  }
}

static tw_status check_opts(const tw_fit_mcmc_opts *o, int K) {
  if (o->walkers < 2 * K || o->walkers % 2 || o->burn_in < 0 || o->steps - o->burn_in < 4 ||
      (int64_t)o->walkers * (o->steps - o->burn_in) < o->draws || o->draws < 1 || !(o->stretch > 1.0) ||
      !(o->inflate > 0.0) || o->t_every < 0 || !(o->t_scale > 0.0) || o->t_mix < 1 || o->t_mix > TW_FIT_T_MIX_MAX)
    return TW_FAIL(TW_ERR_INPUT,
                   "fit: sampler with %d walkers (even, >= 2 x %d parameters), %d steps, burn-in %d (at least 4 "
                   "kept steps, walkers x kept >= %d draws), stretch %g (> 1), inflate %g (> 0), t_every %d (>= 0), t_scale %g (> 0), "
                   "t_mix %d (1 to %d)", o->walkers, K, o->steps, o->burn_in, o->draws, o->stretch, o->inflate, o->t_every,
                   o->t_scale, o->t_mix, TW_FIT_T_MIX_MAX);
  return TW_OK;
}

tw_status tw_fit_mcmc(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const tw_fit_map_result *m,
                      const int64_t *twin_id, const tw_fit_mcmc_opts *opts, tw_fit_mcmc_result *out) {
  const int K = pr->k;
  tw_fit_mcmc_opts resolved = *opts;
  const tw_fit_mcmc_opts *o = &resolved;
  resolved.walkers = tw_fit_mcmc_walkers(opts->walkers, K);
  TW_TRY(check_opts(o, K));
  TW_TRY(tw_fit_mcmc_result_alloc(d->n, K, o->draws, out));
  mc_block b;
  tw_status st = block_alloc(s, d, K, o, twin_id, &b);
  double *sorted = malloc(sizeof(double) * (size_t)(o->walkers * (o->steps - o->burn_in)) + 1);
  if (st == TW_OK && !sorted) st = TW_FAIL(TW_ERR_NOMEM, "fit: out of memory");
  for (int64_t i0 = 0; i0 < d->n && st == TW_OK; i0 += s->block) {
    b.i0 = i0, b.B = TW_MIN(d->n - i0, s->block);
    b.e.n = b.B, b.e.twin_id = twin_id + i0;
    for (int64_t i = 0; i < b.B; ++i) {
      b.sampled[i] = !(m->flag[i0 + i] & (TW_FIT_NO_DATA | TW_FIT_SIM_FAILED));
      b.var[i] = tw_fit_noise_var(m, i0 + i, TW_FIT_CGM_SIGMA, o->inflate);
      b.e.accepted[i] = 0;
    }
    st = block_run(s, d, pr, m, o, &b, &out->evaluations);
    if (st == TW_OK) block_finish(o, &b, sorted, out);
  }
  block_free(&b);
  free(sorted);
  if (st != TW_OK) tw_fit_mcmc_result_free(out);
  return st;
}
