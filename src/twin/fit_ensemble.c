/*
** fit_ensemble.c: the model-free core of the fit's posterior sampler (fit.h):
** the affine-invariant stretch move of Goodman and Weare (2010), the
** differential-evolution move of ter Braak (2006) (emcee's DEMove), and an
** independence move from a multivariate t around the MAP, for many persons'
** ensembles at once, and the split R-hat and effective sample size
** of a scalar over the walkers' chains. Each person's random numbers come
** from its own Philox stream (twin id = the person's key, purpose
** TW_RNG_FIT_MCMC, blocks from the step), so a chain does not depend on
** which persons share its batch.
*/
#include "twin/fit.h"

#include "core/random.h" /* tw_rng */

#include <math.h>   /* log, sqrt, INFINITY, NAN */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

/* Philox blocks reserved per (step, half, phase): 1024 blocks = 4096 words.
** The most one phase draws: the start, 128 walkers x 12 normals (3072
** words); a t move, 64 walkers x (12 + 4) normals (2048 words). Steps up to
** 10^6 keep the block index below 2^32. */
#define BLOCKS_PER_PHASE 1024u
#define MAX_HALF 64

tw_status tw_fit_ensemble_alloc(int64_t n, int k, int W, uint64_t seed, const int64_t *twin_id, tw_fit_ensemble *e) {
  memset(e, 0, sizeof *e);
  if (W < 2 || W % 2 || W / 2 > MAX_HALF || k < 1 || k > TW_FIT_MAX_PARAMS)
    return TW_FAIL(TW_ERR_INPUT, "fit: %d walkers for %d parameters: an even number from 2 to %d", W, k, 2 * MAX_HALF);
  e->n = n, e->k = k, e->W = W, e->a = 2.0, e->seed = seed, e->twin_id = twin_id;
  e->x = calloc((size_t)(n * W * k) + 1, sizeof(double));
  e->lp = calloc((size_t)(n * W) + 1, sizeof(double));
  e->y = calloc((size_t)(n * (W / 2) * k) + 1, sizeof(double));
  e->lz = calloc((size_t)(n * (W / 2)) + 1, sizeof(double));
  e->accepted = calloc((size_t)n + 1, sizeof(int64_t));
  if (!e->x || !e->lp || !e->y || !e->lz || !e->accepted) {
    tw_fit_ensemble_free(e);
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %lld ensembles of %d walkers", (long long)n, W);
  }
  return TW_OK;
}

void tw_fit_ensemble_free(tw_fit_ensemble *e) {
  free(e->x), free(e->lp), free(e->y), free(e->lz), free(e->accepted);
  memset(e, 0, sizeof *e);
}

/* Person i's stream for (step, half, phase): phase 0 proposes, 1 accepts. */
static tw_rng stream(const tw_fit_ensemble *e, int64_t i, int64_t step, int half, int phase) {
  const uint32_t slot = (uint32_t)((step * 2 + half) * 2 + phase);
  return tw_rng_make(e->seed, (uint64_t)e->twin_id[i], TW_RNG_FIT_MCMC, slot * BLOCKS_PER_PHASE);
}

void tw_fit_ensemble_start(tw_fit_ensemble *e, const double *centre, const double *L, double spread) {
  const int K = e->k;
  for (int64_t i = 0; i < e->n; ++i) {
    tw_rng g = stream(e, i, 0, 0, 0);
    for (int w = 0; w < e->W; ++w) {
      double z[TW_FIT_MAX_PARAMS], *x = e->x + (i * e->W + w) * K;
      for (int a = 0; a < K; ++a) z[a] = tw_rng_normal(&g);
      for (int a = 0; a < K; ++a) {
        double s = 0.0;
        if (L)
          for (int c = 0; c <= a; ++c) s += L[(i * K + a) * K + c] * z[c];
        x[a] = centre[i * K + a] + (L ? s : spread * z[a]);
      }
    }
  }
}

void tw_fit_ensemble_propose(tw_fit_ensemble *e, int64_t step, int half) {
  const int K = e->k, H = e->W / 2;
  for (int64_t i = 0; i < e->n; ++i) {
    tw_rng g = stream(e, i, step, half, 0);
    for (int j = 0; j < H; ++j) {
      const int other = (1 - half) * H + (int)(tw_rng_u32(&g) % (uint32_t)H);
      const double u = tw_rng_uniform(&g);
      const double z = ((e->a - 1.0) * u + 1.0) * ((e->a - 1.0) * u + 1.0) / e->a; /* g(z) ~ 1/sqrt(z) on [1/a, a] */
      const double *x = e->x + (i * e->W + half * H + j) * K, *xo = e->x + (i * e->W + other) * K;
      double *y = e->y + (i * H + j) * K;
      for (int a = 0; a < K; ++a) y[a] = xo[a] + z * (x[a] - xo[a]);
      e->lz[i * H + j] = (double)(K - 1) * log(z);
    }
  }
}

void tw_fit_ensemble_propose_de(tw_fit_ensemble *e, int64_t step, int half, double gamma) {
  const int K = e->k, H = e->W / 2;
  for (int64_t i = 0; i < e->n; ++i) {
    tw_rng g = stream(e, i, step, half, 0);
    for (int j = 0; j < H; ++j) {
      const int j1 = (int)(tw_rng_u32(&g) % (uint32_t)H), d = 1 + (int)(tw_rng_u32(&g) % (uint32_t)(H > 1 ? H - 1 : 1));
      const int o1 = (1 - half) * H + j1, o2 = (1 - half) * H + (H > 1 ? (j1 + d) % H : j1);
      const double gj = tw_rng_uniform(&g) < 0.1 ? 1.0 : gamma, jit = 1e-5 * tw_rng_normal(&g);
      const double *x = e->x + (i * e->W + half * H + j) * K, *x1 = e->x + (i * e->W + o1) * K,
                   *x2 = e->x + (i * e->W + o2) * K;
      double *y = e->y + (i * H + j) * K;
      for (int a = 0; a < K; ++a) y[a] = x[a] + gj * (x1[a] - x2[a]) + jit;
      e->lz[i * H + j] = 0.0; /* symmetric: the pair (o1, o2) and (o2, o1) are equally likely */
    }
  }
}

/* log q(x) of the multivariate t (nu) with centre mu and lower factor L (k, k), less its constant. */
static double t_logq(const double *x, const double *mu, const double *L, int K, double nu) {
  double w[TW_FIT_MAX_PARAMS], s = 0.0;
  for (int a = 0; a < K; ++a) {
    double r = x[a] - mu[a];
    for (int c = 0; c < a; ++c) r -= L[a * K + c] * w[c];
    w[a] = r / L[a * K + a];
    s += w[a] * w[a];
  }
  return -0.5 * (nu + K) * log1p(s / nu);
}

/* log q(x) of the mixture of M t's (logw the components' log weights, mu (M, k),
** L (M, k, k)), less the constant common to the components. */
static double mix_logq(const double *x, int M, const double *logw, const double *mu, const double *L, int K, double nu) {
  double lc[TW_FIT_T_MIX_MAX], top = -INFINITY, s = 0.0;
  for (int c = 0; c < M; ++c) {
    const double *Lc = L + c * K * K;
    double logdet = 0.0;
    for (int a = 0; a < K; ++a) logdet += log(Lc[a * K + a]);
    lc[c] = logw[c] - logdet + t_logq(x, mu + c * K, Lc, K, nu);
    top = lc[c] > top ? lc[c] : top;
  }
  for (int c = 0; c < M; ++c) s += exp(lc[c] - top);
  return top + log(s);
}

void tw_fit_ensemble_propose_tmix(tw_fit_ensemble *e, int64_t step, int half, int M, const double *logw,
                                  const double *mu, const double *L, int nu) {
  const int K = e->k, H = e->W / 2;
  for (int64_t i = 0; i < e->n; ++i) {
    tw_rng g = stream(e, i, step, half, 0);
    const double *wi = logw + i * M, *m = mu + i * M * K, *Li = L + i * M * K * K;
    for (int j = 0; j < H; ++j) {
      double z[TW_FIT_MAX_PARAMS], chi2 = 0.0, *y = e->y + (i * H + j) * K;
      int c = 0;
      if (M > 1) { /* the component, by its weight (one uniform; none for a single t) */
        double u = tw_rng_uniform(&g), acc = exp(wi[0]);
        while (c + 1 < M && u >= acc) acc += exp(wi[++c]);
      }
      const double *mc = m + c * K, *Lc = Li + c * K * K;
      for (int a = 0; a < K; ++a) z[a] = tw_rng_normal(&g);
      for (int v = 0; v < nu; ++v) {
        const double n = tw_rng_normal(&g);
        chi2 += n * n;
      }
      const double scale = sqrt((double)nu / chi2);
      for (int a = 0; a < K; ++a) {
        double r = 0.0;
        for (int b = 0; b <= a; ++b) r += Lc[a * K + b] * z[b];
        y[a] = mc[a] + scale * r;
      }
      const double *x = e->x + (i * e->W + half * H + j) * K;
      e->lz[i * H + j] = M == 1 ? t_logq(x, m, Li, K, nu) - t_logq(y, m, Li, K, nu)
                                : mix_logq(x, M, wi, m, Li, K, nu) - mix_logq(y, M, wi, m, Li, K, nu);
    }
  }
}

void tw_fit_ensemble_propose_t(tw_fit_ensemble *e, int64_t step, int half, const double *mu, const double *L, int nu) {
  static const double zero[1] = {0.0};
  const int K = e->k;
  for (int64_t i = 0; i < e->n; ++i) { /* one person at a time: the weights are (n, 1) zeros */
    tw_fit_ensemble one = *e;
    one.n = 1, one.twin_id = e->twin_id + i, one.x = e->x + i * e->W * K, one.y = e->y + i * (e->W / 2) * K;
    one.lz = e->lz + i * (e->W / 2);
    tw_fit_ensemble_propose_tmix(&one, step, half, 1, zero, mu + i * K, L + i * K * K, nu);
  }
}

void tw_fit_ensemble_accept(tw_fit_ensemble *e, int64_t step, int half, const double *lp_y) {
  const int K = e->k, H = e->W / 2;
  for (int64_t i = 0; i < e->n; ++i) {
    tw_rng g = stream(e, i, step, half, 1);
    for (int j = 0; j < H; ++j) {
      const int w = half * H + j;
      const double ly = lp_y[i * H + j], lq = e->lz[i * H + j] + ly - e->lp[i * e->W + w];
      const double u = tw_rng_uniform(&g); /* drawn always: the stream's use does not depend on the outcome */
      if (!(ly > -INFINITY) || !(log(u) < lq)) continue;
      memcpy(e->x + (i * e->W + w) * K, e->y + (i * H + j) * K, sizeof(double) * (size_t)K);
      e->lp[i * e->W + w] = ly;
      e->accepted[i]++;
    }
  }
}

/* Mean and variance (n - 1) of chain c of length N in the split chains. */
static void chain_moments(const double *v, int64_t N, double *mean, double *var) {
  double m = 0.0, s = 0.0;
  for (int64_t t = 0; t < N; ++t) m += v[t];
  m /= (double)N;
  for (int64_t t = 0; t < N; ++t) s += (v[t] - m) * (v[t] - m);
  *mean = m, *var = s / (double)(N - 1);
}

/* The start of split chain c (2W chains of N = L/2): walker c / 2, half c % 2. */
static const double *split_chain(const double *chain, int64_t L, int64_t N, int c) {
  return chain + (int64_t)(c / 2) * L + (c % 2) * N;
}

/* Mean over the M split chains of the autocovariance at lag t (1/N normalised). */
static double mean_acov(const double *chain, int64_t L, int64_t N, int M, const double *means, int64_t t) {
  double s = 0.0;
  for (int c = 0; c < M; ++c) {
    const double *v = split_chain(chain, L, N, c);
    for (int64_t u = 0; u + t < N; ++u) s += (v[u] - means[c]) * (v[u + t] - means[c]);
  }
  return s / ((double)N * M);
}

void tw_fit_split_rhat(const double *chain, int W, int64_t L, double *rhat, double *ess) {
  const int64_t N = L / 2;
  const int M = 2 * W;
  *rhat = NAN, *ess = NAN;
  if (N < 2 || M > 2 * 2 * MAX_HALF) return;
  double means[4 * MAX_HALF], wv = 0.0, grand = 0.0, b = 0.0;
  for (int c = 0; c < M; ++c) {
    double var;
    chain_moments(split_chain(chain, L, N, c), N, &means[c], &var);
    wv += var / M, grand += means[c] / M;
  }
  for (int c = 0; c < M; ++c) b += (means[c] - grand) * (means[c] - grand);
  b *= (double)N / (M - 1);
  const double vplus = (double)(N - 1) / N * wv + b / N;
  if (!(wv > 0.0)) return;
  *rhat = sqrt(vplus / wv);
  /* Geyer's initial positive sequence on rho_t = 1 - (W - acov_t) / var+ */
  double tau = -1.0;
  for (int64_t t = 0; t + 1 < N; t += 2) {
    const double pair = 2.0 - (2.0 * wv - mean_acov(chain, L, N, M, means, t) -
                               mean_acov(chain, L, N, M, means, t + 1)) / vplus;
    if (!(pair > 0.0)) break;
    tau += 2.0 * pair;
  }
  *ess = (double)M * N / (tau > 1.0 / ((double)M * N) ? tau : 1.0 / ((double)M * N));
}
