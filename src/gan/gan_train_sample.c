/*
** gan_train_sample.c: drawing rows from a trained generator (gan_train.h,
** tw_gan_generate): evaluation-mode BatchNorm, and noise by output row, so a
** row's values depend on (seed, row, its cond vector) only, whatever the chunk
** it is drawn in or the number of rows asked for.
**
** Row r's stream is Philox (seed, twin = TW_GAN_NET_TWIN | (first_row + r), TW_RNG_GAN_SAMPLE)
** (an ensemble member's row l: candidate l * stride + offset's stream):
** z from blocks [0, ceil(E/2)), the Gumbel noise from block ceil(E/2) on; and
** global row g is always computed as row g % CHUNK of the block of CHUNK rows
** that holds it (sample_block), so its bits do not depend on the call either.
*/
#include "gan/gan_train.h"

#include <stdlib.h> /* calloc, malloc, free */
#include <string.h> /* memcpy */

#include "core/philox.h" /* TW_RNG_GAN_SAMPLE */
#include "gan/nets_internal.h"

enum { SAMPLE_CHUNK_GROUPS = 100 }; /* CHUNK, the rows of one forward: 100 pac groups */

tw_status tw_gan_sampler_create(tw_gan_nets *n, uint64_t seed, tw_gan_sampler **out) {
  return tw_gan_sampler_create_member(n, seed, 1, 0, out);
}

tw_status tw_gan_sampler_create_member(tw_gan_nets *n, uint64_t seed, int k, int m, tw_gan_sampler **out) {
  if (k < 1 || m < 0 || m >= k) return TW_FAIL(TW_ERR_INTERNAL, "GAN sampler: member %d of %d", m, k);
  tw_gan_sampler *s = calloc(1, sizeof *s);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate a GAN sampler");
  s->nets = n;
  s->seed = seed;
  s->stride = (uint64_t)k, s->offset = (uint64_t)m;
  const int64_t rows = (int64_t)((SAMPLE_CHUNK_GROUPS + k - 1) / k) * n->sz.pac;
  tw_status st = tw_gan_ws_create(n, rows, &s->ws);
  if (st == TW_OK)
    st = n->be->alloc(n->be, (size_t)(rows * TW_MAX(n->sz.cond_width, 1)) * sizeof(float), (void **)&s->dev_cond);
  if (st == TW_OK)
    st = n->be->alloc(n->be, (size_t)(rows * (n->sz.width + n->sz.cond_width)) * sizeof(float), (void **)&s->dev_out);
  if (st != TW_OK) {
    tw_gan_sampler_destroy(s);
    return st;
  }
  *out = s;
  return TW_OK;
}

void tw_gan_sampler_destroy(tw_gan_sampler *s) {
  if (!s) return;
  if (s->dev_cond) s->nets->be->free(s->nets->be, s->dev_cond);
  if (s->dev_out) s->nets->be->free(s->nets->be, s->dev_out);
  tw_gan_ws_destroy(s->nets, s->ws);
  free(s);
}

/* The block of CHUNK rows [b0, b0 + CHUNK) (global row numbers, b0 a multiple
** of CHUNK), of which rows [lo, hi) are wanted: cond (hi - lo rows) for them,
** zeros for the others, the whole block run, rows [lo, hi) written to out.
** Every row is computed at the same place of a product of the same shape
** whichever call asks for it: BLAS kernels round by shape and position. */
static tw_status sample_block(tw_gan_sampler *s, const tw_gan_ops *ops, uint64_t b0, uint64_t lo, uint64_t hi,
                              const float *cond, float *out) {
  tw_gan_nets *n = s->nets;
  tw_backend *be = n->be;
  tw_gan_ws *ws = s->ws;
  const int64_t rows = ws->rows, skip = (int64_t)(lo - b0), take = (int64_t)(hi - lo);
  const int D = n->map.gen_cols, S = n->map.hidden, E = n->sz.embedding, C = n->sz.cond_width, W = n->sz.width;
  tw_gan_stream st = {.seed = s->seed, .twin0 = TW_GAN_NET_TWIN | (b0 * s->stride + s->offset),
                      .twin_per_row = s->stride, .purpose = TW_RNG_GAN_SAMPLE,
                      .index0 = 0, .row_elems = 0};
  TW_TRY(ops->fill_random(be, TW_GAN_DRAW_NORMAL, rows, E, &st, 0.0f, ws->x + S, D));
  st.index0 = (uint32_t)((E + 1) / 2);
  TW_TRY(ops->fill_random(be, TW_GAN_DRAW_GUMBEL, rows, W, &st, 0.0f, ws->gumbel, W));
  if (C) {
    TW_TRY(be->fill_bytes(be, s->dev_cond, 0, (size_t)(rows * C) * sizeof(float)));
    TW_TRY(be->copy(be, s->dev_cond + skip * C, cond, (size_t)(take * C) * sizeof(float), TW_COPY_HOST_TO_DEVICE));
    TW_TRY(ops->copy2d(be, rows, C, s->dev_cond, C, ws->x + S + E, D));
  }
  TW_TRY(tw_gan_gen_forward(n, ws, rows, 0, s->dev_out));
  // rows [skip, skip + take) of (rows, W + C) -> (take, W) on the device, then to the host
  TW_TRY(ops->copy2d(be, take, W, s->dev_out + skip * (W + C), W + C, ws->raw, W));
  return be->copy(be, out, ws->raw, (size_t)(take * W) * sizeof(float), TW_COPY_DEVICE_TO_HOST);
}

tw_status tw_gan_generate(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out) {
  tw_gan_sampler *s = ctx;
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(s->nets, &ops));
  if (n < 0) return TW_FAIL(TW_ERR_INPUT, "cannot generate %lld rows", (long long)n);
  const int C = s->nets->sz.cond_width, W = s->nets->sz.width;
  const uint64_t chunk = (uint64_t)s->ws->rows, end = first_row + (uint64_t)n;
  for (uint64_t lo = first_row; lo < end;) {
    const uint64_t b0 = lo / chunk * chunk, hi = TW_MIN(b0 + chunk, end);
    const int64_t r = (int64_t)(lo - first_row);
    TW_TRY(sample_block(s, ops, b0, lo, hi, cond ? cond + r * C : NULL, out + r * W));
    lo = hi;
  }
  return TW_OK;
}

/* ---- ensembles ------------------------------------------------------------- */

tw_status tw_gan_ensemble_init(tw_gan_ensemble *e, tw_gan_sampler **members, int k) {
  *e = (tw_gan_ensemble){.members = members, .k = k, .cond_width = members[0]->nets->sz.cond_width,
                         .width = members[0]->nets->sz.width};
  for (int m = 0; m < k; ++m)
    if (members[m]->stride != (uint64_t)k || members[m]->offset != (uint64_t)m)
      return TW_FAIL(TW_ERR_INTERNAL, "GAN ensemble: sampler %d is member %llu of %llu, not %d of %d", m,
                     (unsigned long long)members[m]->offset, (unsigned long long)members[m]->stride, m, k);
  return TW_OK;
}

void tw_gan_ensemble_free(tw_gan_ensemble *e) {
  free(e->cond), free(e->out);
  e->cond = e->out = NULL, e->cap = 0;
}

static tw_status staging(tw_gan_ensemble *e, int64_t rows) {
  if (rows <= e->cap) return TW_OK;
  tw_gan_ensemble_free(e);
  e->cond = malloc((size_t)(rows * TW_MAX(e->cond_width, 1)) * sizeof(float));
  e->out = malloc((size_t)(rows * e->width) * sizeof(float));
  if (!e->cond || !e->out) return TW_FAIL(TW_ERR_NOMEM, "GAN ensemble: staging of %lld rows", (long long)rows);
  e->cap = rows;
  return TW_OK;
}

/* Member m's candidates of [first_row, first_row + n): g0, g0 + K, ... (its
** rows g0 / K, g0 / K + 1, ...), gathered, generated and put back in place. */
static tw_status member_rows(tw_gan_ensemble *e, int m, int64_t n, const float *cond, uint64_t first_row,
                             float *out) {
  const uint64_t K = (uint64_t)e->k, g0 = first_row + ((uint64_t)m + K - first_row % K) % K;
  const uint64_t end = first_row + (uint64_t)n;
  if (g0 >= end) return TW_OK;
  const int64_t cnt = (int64_t)((end - 1 - g0) / K + 1), C = e->cond_width, W = e->width;
  for (int64_t i = 0; cond && i < cnt; ++i)
    memcpy(e->cond + i * C, cond + (int64_t)(g0 - first_row + (uint64_t)i * K) * C, (size_t)C * sizeof(float));
  TW_TRY(tw_gan_generate(e->members[m], cnt, cond ? e->cond : NULL, g0 / K, e->out));
  for (int64_t i = 0; i < cnt; ++i)
    memcpy(out + (int64_t)(g0 - first_row + (uint64_t)i * K) * W, e->out + i * W, (size_t)W * sizeof(float));
  return TW_OK;
}

tw_status tw_gan_ensemble_generate(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out) {
  tw_gan_ensemble *e = ctx;
  if (e->k == 1) return tw_gan_generate(e->members[0], n, cond, first_row, out);
  TW_TRY(staging(e, n / e->k + 1));
  for (int m = 0; m < e->k; ++m) TW_TRY(member_rows(e, m, n, cond, first_row, out));
  return TW_OK;
}
