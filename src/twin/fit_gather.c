/*
** fit_gather.c: the fit over MPI ranks (fit.h, tw_fit_gather). Persons are
** independent: a person's MAP is its own serial algebra and its sampler draws
** from its own Philox stream keyed by its records row, so ranks split the
** persons into contiguous blocks (tw_dist_block_range) and each fits its own
** with no communication at all. Then every array of the results is gathered
** block-wise to every rank: the gathered results are the bits that one rank
** fitting everybody would have written (the mpi test checks).
*/
#include "twin/fit.h"

#include <string.h> /* memcpy */

/* Person-major array g (n blocks of `width` elements of `size` bytes) from this
** rank's l, rows [lo, hi) of it, then gathered. */
static tw_status gather(const tw_dist *d, void *g, const void *l, int64_t n, int64_t lo, int64_t hi, size_t width,
                        size_t size) {
  const size_t block = width * size;
  memcpy((char *)g + (size_t)lo * block, l, (size_t)(hi - lo) * block);
  return tw_dist_allgather_blocks(d, g, n, block);
}

/* The same for a (k, n, width) array: one gather per leading index. */
static tw_status gather_k(const tw_dist *d, double *g, const double *l, int k, int64_t n, int64_t lo, int64_t hi,
                          size_t width) {
  for (int a = 0; a < k; ++a)
    TW_TRY(gather(d, g + (size_t)a * (size_t)n * width, l + (size_t)a * (size_t)(hi - lo) * width, n, lo, hi, width,
                  sizeof(double)));
  return TW_OK;
}

static tw_status gather_map(const tw_dist *d, int64_t n, int64_t lo, int64_t hi, const tw_fit_map_result *l,
                            tw_fit_map_result *m) {
  const size_t k = (size_t)l->k;
  TW_TRY(gather(d, m->theta, l->theta, n, lo, hi, k, sizeof(double)));
  TW_TRY(gather(d, m->hess, l->hess, n, lo, hi, k * k, sizeof(double)));
  TW_TRY(gather(d, m->nlp, l->nlp, n, lo, hi, 1, sizeof(double)));
  TW_TRY(gather(d, m->rms, l->rms, n, lo, hi, 1, sizeof(double)));
  TW_TRY(gather(d, m->rho, l->rho, n, lo, hi, 1, sizeof(double)));
  TW_TRY(gather(d, m->flag, l->flag, n, lo, hi, 1, sizeof(int32_t)));
  TW_TRY(gather(d, m->iters, l->iters, n, lo, hi, 1, sizeof(int32_t)));
  m->evaluations = l->evaluations;
  return tw_dist_sum_i64(d, &m->evaluations, 1);
}

static tw_status gather_mcmc(const tw_dist *d, int64_t n, int64_t lo, int64_t hi, const tw_fit_mcmc_result *l,
                             tw_fit_mcmc_result *mc) {
  TW_TRY(gather_k(d, mc->draws, l->draws, l->k, n, lo, hi, (size_t)l->S));
  TW_TRY(gather_k(d, mc->q, l->q, l->k, n, lo, hi, 3));
  TW_TRY(gather_k(d, mc->rhat, l->rhat, l->k, n, lo, hi, 1));
  TW_TRY(gather_k(d, mc->ess, l->ess, l->k, n, lo, hi, 1));
  TW_TRY(gather(d, mc->accept, l->accept, n, lo, hi, 1, sizeof(double)));
  TW_TRY(gather(d, mc->flag, l->flag, n, lo, hi, 1, sizeof(int32_t)));
  mc->evaluations = l->evaluations;
  return tw_dist_sum_i64(d, &mc->evaluations, 1);
}

tw_status tw_fit_gather(const tw_dist *d, int64_t n, const tw_fit_map_result *lm, const tw_fit_mcmc_result *lmc,
                        tw_fit_map_result *m, tw_fit_mcmc_result *mc) {
  int64_t lo, hi;
  tw_dist_block_range(n, d->rank, d->size, &lo, &hi);
  tw_status st = tw_fit_map_result_alloc(n, lm->k, m);
  if (st == TW_OK) st = tw_fit_mcmc_result_alloc(n, lmc->k, lmc->S, mc);
  st = tw_dist_agree(d, st); /* every rank gathers, or none */
  if (st == TW_OK) st = gather_map(d, n, lo, hi, lm, m);
  if (st == TW_OK) st = gather_mcmc(d, n, lo, hi, lmc, mc);
  if (st != TW_OK) tw_fit_map_result_free(m), tw_fit_mcmc_result_free(mc);
  return st;
}
