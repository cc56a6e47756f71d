/*
** gan_train.c: the GAN's training loop (gan_train.h): one critic update and
** one generator update per step, CTGAN's order, every random number from
** Philox by (seed, draw, kind), Adam through the backend's GAN table.
*/
#include "gan/gan_train.h"

#include <math.h>   /* lround, isfinite */
#include <stdlib.h> /* calloc, free, malloc */

#include "core/philox.h" /* TW_RNG_GAN_TRAIN */
#include "gan/nets_internal.h"

enum { KIND_Z = 1, KIND_GUMBEL = 2, KIND_ALPHA = 3, KIND_MASK = 8 };

void tw_gan_default_schedule(int64_t n_rows, int pac, int64_t epochs, int64_t *batch, int64_t *steps) {
  int64_t b = pac * (int64_t)lround((double)n_rows / (2.0 * pac));
  b = TW_MAX(b, 10 * (int64_t)pac);
  b = TW_MIN(b, 500 / pac * (int64_t)pac);
  b = TW_MAX(b, (int64_t)pac);
  *batch = b;
  *steps = TW_MAX(epochs * ((n_rows + b - 1) / b), (int64_t)3000);
}

tw_gan_train_opts tw_gan_train_defaults(int64_t n_rows, int pac, uint64_t seed) {
  tw_gan_train_opts o = {.seed = seed, .critic_steps = 1, .lr_g = 2e-4, .lr_d = 2e-4, .beta1 = 0.5, .beta2 = 0.9,
                         .eps = 1e-8, .wd_g = 1e-6, .wd_d = 1e-6};
  tw_gan_default_schedule(n_rows, pac, 300, &o.batch, &o.steps);
  return o;
}

/* ---- creation ------------------------------------------------------------- */

static tw_status dev_zeros(tw_backend *be, int64_t floats, float **p) {
  TW_TRY(be->alloc(be, (size_t)TW_MAX(floats, 1) * sizeof(float), (void **)p));
  return be->fill_bytes(be, *p, 0, (size_t)TW_MAX(floats, 1) * sizeof(float));
}

static tw_status trainer_alloc(tw_gan_trainer *tr) {
  tw_backend *be = tr->nets->be;
  const tw_gan_map *m = &tr->nets->map;
  const int64_t B = tr->opts.batch, W = tr->nets->sz.width, C = tr->nets->sz.cond_width, K = tr->nets->n_cond;
  float **dev[] = {&tr->g_grad, &tr->g_m, &tr->g_v, &tr->d_grad, &tr->d_m, &tr->d_v,
                   &tr->dev_real, &tr->dev_real_cond, &tr->dev_cond, &tr->dev_mask};
  const int64_t len[] = {m->gen.total, m->gen.total, m->gen.total, m->dis.total, m->dis.total, m->dis.total,
                         B * W, B * C, B * C, B * K};
  for (size_t i = 0; i < TW_ARRAY_LEN(dev); ++i) TW_TRY(dev_zeros(be, len[i], dev[i]));
  tr->host.real = calloc((size_t)(B * W), sizeof(float));
  tr->host.real_cond = calloc((size_t)TW_MAX(B * C, 1), sizeof(float));
  tr->host.cond = calloc((size_t)TW_MAX(B * C, 1), sizeof(float));
  tr->host.mask = calloc((size_t)TW_MAX(B * K, 1), sizeof(float));
  tr->curve = calloc((size_t)TW_MAX(tr->opts.steps, 1), sizeof(tw_gan_losses));
  if (!tr->host.real || !tr->host.real_cond || !tr->host.cond || !tr->host.mask || !tr->curve)
    return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN trainer's host buffers");
  return TW_OK;
}

tw_status tw_gan_trainer_create(tw_backend *be, const tw_gan_layout *lay, const tw_gan_sizes *sz,
                                const tw_gan_train_opts *opts, tw_gan_trainer **out) {
  if (opts->steps < 0 || opts->critic_steps < 1)
    return TW_FAIL(TW_ERR_INPUT, "GAN training: %lld steps, %d critic steps per step", (long long)opts->steps,
                   opts->critic_steps);
  tw_gan_trainer *tr = calloc(1, sizeof *tr);
  if (!tr) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN trainer");
  tr->opts = *opts;
  tw_status s = tw_gan_nets_create(be, lay, sz, opts->seed, &tr->nets);
  if (s == TW_OK) s = gan_ops(tr->nets, &(const tw_gan_ops *){NULL});
  if (s == TW_OK) s = tw_gan_ws_create(tr->nets, opts->batch, &tr->ws);
  if (s == TW_OK) s = trainer_alloc(tr);
  if (s != TW_OK) {
    tw_gan_trainer_destroy(tr);
    return s;
  }
  *out = tr;
  return TW_OK;
}

void tw_gan_trainer_destroy(tw_gan_trainer *tr) {
  if (!tr) return;
  if (tr->nets) {
    tw_backend *be = tr->nets->be;
    float *dev[] = {tr->g_grad, tr->g_m, tr->g_v, tr->d_grad, tr->d_m, tr->d_v,
                    tr->dev_real, tr->dev_real_cond, tr->dev_cond, tr->dev_mask};
    for (size_t i = 0; i < TW_ARRAY_LEN(dev); ++i)
      if (dev[i]) be->free(be, dev[i]);
    tw_gan_ws_destroy(tr->nets, tr->ws);
    tw_gan_nets_destroy(tr->nets);
  }
  free(tr->host.real);
  free(tr->host.real_cond);
  free(tr->host.cond);
  free(tr->host.mask);
  free(tr->curve);
  free(tr);
}

/* ---- one step ------------------------------------------------------------- */

/* A (rows, cols) training draw of `kind` for draw id `draw`, into out (ld). */
static tw_status draw_noise(tw_gan_trainer *tr, const tw_gan_ops *ops, uint64_t draw, int kind, tw_gan_draw what,
                            int64_t rows, int cols, float *out, int64_t ld) {
  const tw_gan_stream s = {.seed = tr->opts.seed, .twin0 = TW_GAN_NET_TWIN | draw << 8 | (uint64_t)kind, .twin_per_row = 0,
                           .purpose = TW_RNG_GAN_TRAIN, .index0 = 0, .row_elems = cols};
  return ops->fill_random(tr->nets->be, what, rows, cols, &s, tr->nets->dropout, out, ld);
}

/* The generator's inputs of one update: z, c1 (from the device copy), Gumbel
** noise, and the dropout masks of `groups` critic rows. */
static tw_status gen_inputs(tw_gan_trainer *tr, const tw_gan_ops *ops, uint64_t draw, int64_t groups) {
  tw_gan_nets *n = tr->nets;
  tw_gan_ws *ws = tr->ws;
  const int64_t B = tr->opts.batch;
  const int D = n->map.gen_cols, S = n->map.hidden, E = n->sz.embedding, C = n->sz.cond_width;
  TW_TRY(draw_noise(tr, ops, draw, KIND_Z, TW_GAN_DRAW_NORMAL, B, E, ws->x + S, D));
  if (C) TW_TRY(ops->copy2d(n->be, B, C, tr->dev_cond, C, ws->x + S + E, D));
  TW_TRY(draw_noise(tr, ops, draw, KIND_GUMBEL, TW_GAN_DRAW_GUMBEL, B, n->sz.width, ws->gumbel, n->sz.width));
  for (int l = 0; l < n->sz.n_dis; ++l)
    TW_TRY(draw_noise(tr, ops, draw, KIND_MASK + l, TW_GAN_DRAW_DROPOUT, groups, n->sz.dis[l], ws->mask[l],
                      n->sz.dis[l]));
  return TW_OK;
}

static tw_status upload(tw_backend *be, float *dev, const float *host, int64_t floats) {
  return floats ? be->copy(be, dev, host, (size_t)floats * sizeof(float), TW_COPY_HOST_TO_DEVICE) : TW_OK;
}

static tw_status critic_update(tw_gan_trainer *tr, const tw_gan_ops *ops, int k, tw_gan_losses *L) {
  tw_gan_nets *n = tr->nets;
  tw_gan_ws *ws = tr->ws;
  tw_backend *be = n->be;
  const int64_t B = tr->opts.batch, G = B / n->sz.pac, P = n->map.pac_cols;
  const int W = n->sz.width, C = n->sz.cond_width;
  const uint64_t draw = (uint64_t)(tr->step * (tr->opts.critic_steps + 1) + k + 1);
  TW_TRY(tr->data_fn(tr->data_ctx, tr->opts.seed, tr->step, TW_GAN_PHASE_CRITIC, k, B, &tr->host));
  TW_TRY(upload(be, tr->dev_real, tr->host.real, B * W));
  TW_TRY(upload(be, tr->dev_real_cond, tr->host.real_cond, B * C));
  TW_TRY(upload(be, tr->dev_cond, tr->host.cond, B * C));
  // critic input rows: [real | c2] then the generator's [fake | c1]
  TW_TRY(ops->copy2d(be, B, W, tr->dev_real, W, ws->cin, W + C));
  if (C) TW_TRY(ops->copy2d(be, B, C, tr->dev_real_cond, C, ws->cin + W, W + C));
  TW_TRY(gen_inputs(tr, ops, draw, 3 * G));
  TW_TRY(draw_noise(tr, ops, draw, KIND_ALPHA, TW_GAN_DRAW_UNIFORM, G, 1, ws->alpha, 1));
  TW_TRY(tw_gan_gen_forward(n, ws, B, 1, ws->cin + G * P));
  double loss_d = 0.0, pen = 0.0;
  TW_TRY(tw_gan_critic_grads(n, ws, B, tr->d_grad, &loss_d, &pen));
  const tw_adamw_coef c = tw_adam_coefs(tr->opts.lr_d, tr->opts.beta1, tr->opts.beta2, tr->opts.eps, tr->opts.wd_d,
                                        ++tr->critic_updates, 1.0f);
  TW_TRY(ops->adam_step(be, n->map.dis.total, n->d, tr->d_grad, tr->d_m, tr->d_v, c));
  L->critic = (float)loss_d;
  L->penalty = (float)pen;
  return TW_OK;
}

static tw_status generator_update(tw_gan_trainer *tr, const tw_gan_ops *ops, tw_gan_losses *L) {
  tw_gan_nets *n = tr->nets;
  tw_gan_ws *ws = tr->ws;
  tw_backend *be = n->be;
  const int64_t B = tr->opts.batch, G = B / n->sz.pac;
  const uint64_t draw = (uint64_t)(tr->step * (tr->opts.critic_steps + 1) + tr->opts.critic_steps + 1);
  const tw_gan_batch gb = {NULL, NULL, tr->host.cond, tr->host.mask};
  TW_TRY(tr->data_fn(tr->data_ctx, tr->opts.seed, tr->step, TW_GAN_PHASE_GENERATOR, 0, B, &gb));
  TW_TRY(upload(be, tr->dev_cond, tr->host.cond, B * n->sz.cond_width));
  TW_TRY(upload(be, tr->dev_mask, tr->host.mask, B * n->n_cond));
  TW_TRY(gen_inputs(tr, ops, draw, G));
  TW_TRY(tw_gan_gen_forward(n, ws, B, 1, ws->cin));
  double adv = 0.0, ce = 0.0;
  TW_TRY(tw_gan_critic_fake_grad(n, ws, B, ws->cin, &adv));
  TW_TRY(tw_gan_gen_backward(n, ws, B, ws->cin, ws->dcin, n->n_cond ? tr->dev_mask : NULL, tr->g_grad, &ce));
  const tw_adamw_coef c =
      tw_adam_coefs(tr->opts.lr_g, tr->opts.beta1, tr->opts.beta2, tr->opts.eps, tr->opts.wd_g, tr->step + 1, 1.0f);
  TW_TRY(ops->adam_step(be, n->map.gen.total, n->g, tr->g_grad, tr->g_m, tr->g_v, c));
  L->generator = (float)(adv + ce);
  L->cond = (float)ce;
  return TW_OK;
}

tw_status tw_gan_train(tw_gan_trainer *tr, tw_gan_data_fn data, void *data_ctx, int64_t until) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(tr->nets, &ops));
  tr->data_fn = data;
  tr->data_ctx = data_ctx;
  const int64_t end = until > 0 ? TW_MIN(until, tr->opts.steps) : tr->opts.steps;
  while (tr->step < end) {
    tw_gan_losses L = {0};
    for (int k = 0; k < tr->opts.critic_steps; ++k) TW_TRY(critic_update(tr, ops, k, &L));
    TW_TRY(generator_update(tr, ops, &L));
    if (!isfinite(L.critic) || !isfinite(L.penalty) || !isfinite(L.generator))
      return TW_FAIL(TW_ERR_NUMERIC, "GAN training diverged at step %lld: critic loss %g, penalty %g, generator loss %g",
                     (long long)tr->step, L.critic, L.penalty, L.generator);
    tr->curve[tr->step++] = L;
    if (tr->opts.on_step) TW_TRY(tr->opts.on_step(tr->opts.on_step_ctx, tr->step - 1, &L));
  }
  return TW_OK;
}
