/*
** nets.c: the GAN networks' shapes, parameters and workspace (nets.h): the
** tensor map in PyTorch's order, PyTorch's default initialisation from Philox,
** and one device allocation per batch workspace cut into its buffers.
*/
#include "gan/nets_internal.h"

#include <math.h>   /* sqrt */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free, malloc */
#include <string.h> /* memcpy */

#include "core/philox.h" /* TW_RNG_GAN_TRAIN, tw_philox_block, tw_u01_f64 */

tw_status gan_gemm(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  const tw_gan_ops *ops = tw_gan_ops_for(be);
  if (!ops) return TW_FAIL(TW_ERR_UNSUPPORTED, "the GAN has no kernels on the %s backend yet", be->name);
  return ops->gemm(be, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

tw_status gan_ops(const tw_gan_nets *n, const tw_gan_ops **ops) {
  *ops = tw_gan_ops_for(n->be);
  if (!*ops) return TW_FAIL(TW_ERR_UNSUPPORTED, "the GAN has no kernels on the %s backend yet", n->be->name);
  return TW_OK;
}

tw_gan_sizes tw_gan_sizes_default(int width, int cond_width) {
  tw_gan_sizes s = {.embedding = 128, .n_gen = 2, .gen = {256, 256}, .n_dis = 2, .dis = {256, 256}, .pac = 10,
                    .width = width, .cond_width = cond_width};
  return s;
}

/* ---- the tensor map ------------------------------------------------------- */

static int64_t add_tensor(tw_gan_tensors *ts, const char *name, int64_t d0, int64_t d1) {
  tw_gan_tensor *t = &ts->t[ts->count++];
  snprintf(t->name, sizeof t->name, "%s", name);
  t->rank = d1 ? 2 : 1;
  t->dims[0] = d0;
  t->dims[1] = d1;
  t->numel = d1 ? d0 * d1 : d0;
  t->offset = ts->total;
  ts->total += t->numel;
  return t->offset;
}

static tw_status check_layout(const tw_gan_layout *lay) {
  int next = 0, cond = 0;
  for (int s = 0; s < lay->n_spans; ++s) {
    const tw_gan_span *sp = &lay->spans[s];
    if (sp->start != next || sp->width < 1 || (sp->kind == TW_GAN_SPAN_TANH && sp->width != 1))
      return TW_FAIL(TW_ERR_INPUT, "GAN layout: span %d (start %d, width %d) does not continue the row at %d", s,
                     sp->start, sp->width, next);
    next += sp->width;
  }
  if (next != lay->width || lay->width < 1)
    return TW_FAIL(TW_ERR_INPUT, "GAN layout: the spans cover %d columns of a row of %d", next, lay->width);
  for (int k = 0; k < lay->n_cond_spans; ++k) {
    const int s = lay->cond_span[k];
    if (s < 0 || s >= lay->n_spans || lay->spans[s].kind != TW_GAN_SPAN_SOFTMAX)
      return TW_FAIL(TW_ERR_INPUT, "GAN layout: cond span %d is not a SOFTMAX span", k);
    cond += lay->spans[s].width;
  }
  if (cond != lay->cond_width)
    return TW_FAIL(TW_ERR_INPUT, "GAN layout: the cond spans are %d wide, cond_width is %d", cond, lay->cond_width);
  return TW_OK;
}

static tw_status check_sizes(const tw_gan_sizes *sz) {
  if (sz->embedding < 1 || sz->pac < 1 || sz->n_gen < 1 || sz->n_gen > TW_GAN_MAX_LAYERS || sz->n_dis < 1 ||
      sz->n_dis > TW_GAN_MAX_LAYERS)
    return TW_FAIL(TW_ERR_INPUT, "GAN sizes: embedding %d, pac %d, %d generator and %d critic layers (1..%d)",
                   sz->embedding, sz->pac, sz->n_gen, sz->n_dis, TW_GAN_MAX_LAYERS);
  for (int k = 0; k < sz->n_gen; ++k)
    if (sz->gen[k] < 1 || sz->gen[k] > TW_GAN_MAX_WIDTH)
      return TW_FAIL(TW_ERR_INPUT, "GAN sizes: generator width %d is outside 1..%d", sz->gen[k], TW_GAN_MAX_WIDTH);
  for (int l = 0; l < sz->n_dis; ++l)
    if (sz->dis[l] < 1 || sz->dis[l] > TW_GAN_MAX_WIDTH)
      return TW_FAIL(TW_ERR_INPUT, "GAN sizes: critic width %d is outside 1..%d", sz->dis[l], TW_GAN_MAX_WIDTH);
  return TW_OK;
}

tw_status tw_gan_map_make(const tw_gan_layout *lay, const tw_gan_sizes *sz, tw_gan_map *map) {
  TW_TRY(check_sizes(sz));
  TW_TRY(check_layout(lay));
  if (sz->width != lay->width || sz->cond_width != lay->cond_width)
    return TW_FAIL(TW_ERR_INPUT, "GAN sizes (width %d, cond %d) differ from the layout's (%d, %d)", sz->width,
                   sz->cond_width, lay->width, lay->cond_width);
  *map = (tw_gan_map){0};
  char name[TW_GAN_NAME_CAP];
  int in = sz->embedding + sz->cond_width;
  for (int k = 0; k < sz->n_gen; ++k) {
    const int o = sz->gen[k];
    snprintf(name, sizeof name, "seq.%d.fc.weight", k);
    map->fc_w[k] = add_tensor(&map->gen, name, o, in);
    snprintf(name, sizeof name, "seq.%d.fc.bias", k);
    map->fc_b[k] = add_tensor(&map->gen, name, o, 0);
    snprintf(name, sizeof name, "seq.%d.bn.weight", k);
    map->bn_w[k] = add_tensor(&map->gen, name, o, 0);
    snprintf(name, sizeof name, "seq.%d.bn.bias", k);
    map->bn_b[k] = add_tensor(&map->gen, name, o, 0);
    snprintf(name, sizeof name, "seq.%d.bn.running_mean", k);
    map->run_mean[k] = add_tensor(&map->stats, name, o, 0);
    snprintf(name, sizeof name, "seq.%d.bn.running_var", k);
    map->run_var[k] = add_tensor(&map->stats, name, o, 0);
    in += o;
    map->hidden += o;
  }
  snprintf(name, sizeof name, "seq.%d.weight", sz->n_gen);
  map->out_w = add_tensor(&map->gen, name, sz->width, in);
  snprintf(name, sizeof name, "seq.%d.bias", sz->n_gen);
  map->out_b = add_tensor(&map->gen, name, sz->width, 0);
  map->gen_cols = in;
  map->pac_cols = sz->pac * (sz->width + sz->cond_width);
  int d = map->pac_cols;
  for (int l = 0; l <= sz->n_dis; ++l) {
    const int o = l < sz->n_dis ? sz->dis[l] : 1;
    snprintf(name, sizeof name, "seq.%d.weight", 3 * l);
    map->dis_w[l] = add_tensor(&map->dis, name, o, d);
    snprintf(name, sizeof name, "seq.%d.bias", 3 * l);
    map->dis_b[l] = add_tensor(&map->dis, name, o, 0);
    d = o;
  }
  return TW_OK;
}

/* ---- parameters ----------------------------------------------------------- */

/* PyTorch's Linear default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), for every
** tensor of a map whose name ends in weight or bias of a Linear (BatchNorm's
** get 1 and 0): host values, tensor i drawn from Philox twin = base + i. */
static void init_params(const tw_gan_tensors *ts, const int64_t *fan_in, uint64_t seed, uint64_t base, float *p) {
  for (int i = 0; i < ts->count; ++i) {
    const tw_gan_tensor *t = &ts->t[i];
    const double bound = fan_in[i] > 0 ? 1.0 / sqrt((double)fan_in[i]) : 0.0;
    for (int64_t e = 0; e < t->numel; ++e) {
      uint32_t r[4];
      tw_philox_block(seed, TW_GAN_NET_TWIN | (base + (uint64_t)i), TW_RNG_GAN_TRAIN, (uint32_t)(e / 2), r);
      const double u = e % 2 ? tw_u01_f64(r[2], r[3]) : tw_u01_f64(r[0], r[1]);
      p[t->offset + e] = fan_in[i] > 0 ? (float)((2.0 * u - 1.0) * bound) : (fan_in[i] == 0 ? 1.0f : 0.0f);
    }
  }
}

/* fan_in per tensor: a Linear's input width; 0 for BatchNorm weight (1), -1 for its bias (0). */
static void gen_fan_in(const tw_gan_sizes *sz, const tw_gan_map *m, int64_t *fan) {
  int i = 0;
  for (int k = 0; k < sz->n_gen; ++k) {
    fan[i] = fan[i + 1] = m->gen.t[i].dims[1];
    fan[i + 2] = 0;
    fan[i + 3] = -1;
    i += 4;
  }
  fan[i] = fan[i + 1] = m->gen.t[i].dims[1];
}

static tw_status upload(tw_backend *be, const void *host, size_t bytes, void **dev) {
  TW_TRY(be->alloc(be, bytes ? bytes : 4, dev));
  if (bytes) TW_TRY(be->copy(be, *dev, host, bytes, TW_COPY_HOST_TO_DEVICE));
  return TW_OK;
}

static tw_status nets_fill(tw_gan_nets *n, const tw_gan_layout *lay, uint64_t seed) {
  const tw_gan_map *m = &n->map;
  int64_t fan[TW_GAN_MAX_TENSORS];
  float *host = malloc((size_t)(m->gen.total + m->dis.total + m->stats.total) * sizeof(float));
  if (!host) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN's initial parameters");
  gen_fan_in(&n->sz, m, fan);
  init_params(&m->gen, fan, seed, 0, host);
  for (int i = 0; i < m->dis.count; ++i) fan[i] = m->dis.t[i - i % 2].dims[1];
  init_params(&m->dis, fan, seed, 64, host + m->gen.total);
  float *st = host + m->gen.total + m->dis.total;
  for (int k = 0; k < n->sz.n_gen; ++k)
    for (int j = 0; j < n->sz.gen[k]; ++j) {
      st[m->run_mean[k] + j] = 0.0f;
      st[m->run_var[k] + j] = 1.0f;
    }
  tw_status s = upload(n->be, host, (size_t)m->gen.total * sizeof(float), (void **)&n->g);
  if (s == TW_OK) s = upload(n->be, host + m->gen.total, (size_t)m->dis.total * sizeof(float), (void **)&n->d);
  if (s == TW_OK) s = upload(n->be, st, (size_t)m->stats.total * sizeof(float), (void **)&n->stats);
  if (s == TW_OK)
    s = upload(n->be, lay->spans, (size_t)lay->n_spans * sizeof(tw_gan_span), (void **)&n->spans);
  if (s == TW_OK)
    s = upload(n->be, lay->cond_span, (size_t)lay->n_cond_spans * sizeof(int), (void **)&n->cond_span);
  free(host);
  return s;
}

tw_status tw_gan_nets_create(tw_backend *be, const tw_gan_layout *lay, const tw_gan_sizes *sz, uint64_t seed,
                             tw_gan_nets **out) {
  tw_gan_nets *n = calloc(1, sizeof *n);
  if (!n) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN networks");
  n->be = be;
  n->sz = *sz;
  n->bn_eps = 1e-5f;
  n->bn_momentum = 0.1f;
  n->leaky_slope = 0.2f;
  n->dropout = 0.5f;
  n->tau = 0.2f;
  n->n_spans = lay->n_spans;
  n->n_cond = lay->n_cond_spans;
  tw_status s = tw_gan_map_make(lay, sz, &n->map);
  if (s == TW_OK) {
    n->host_spans = malloc((size_t)(lay->n_spans + 1) * sizeof(tw_gan_span));
    n->host_cond_span = malloc((size_t)(lay->n_cond_spans + 1) * sizeof(int));
    if (!n->host_spans || !n->host_cond_span) s = TW_FAIL(TW_ERR_NOMEM, "cannot allocate the GAN layout");
  }
  if (s == TW_OK) {
    memcpy(n->host_spans, lay->spans, (size_t)lay->n_spans * sizeof(tw_gan_span));
    if (lay->n_cond_spans) memcpy(n->host_cond_span, lay->cond_span, (size_t)lay->n_cond_spans * sizeof(int));
    s = nets_fill(n, lay, seed);
  }
  if (s != TW_OK) {
    tw_gan_nets_destroy(n);
    return s;
  }
  *out = n;
  return TW_OK;
}

void tw_gan_nets_destroy(tw_gan_nets *n) {
  if (!n) return;
  void *dev[5] = {n->g, n->d, n->stats, n->spans, n->cond_span};
  for (int i = 0; i < 5; ++i)
    if (dev[i]) n->be->free(n->be, dev[i]);
  free(n->host_spans);
  free(n->host_cond_span);
  free(n);
}

/* ---- workspace ------------------------------------------------------------ */

static float *take(float *base, size_t *used, size_t count) {
  float *p = base ? base + *used : NULL;
  *used += (count + 15) / 16 * 16; /* each buffer 64-byte aligned */
  return p;
}

/* Cuts the workspace of `rows` rows from base (NULL: only counts); returns floats. */
static size_t ws_cut(const tw_gan_nets *n, int64_t rows, float *base, tw_gan_ws *ws) {
  const tw_gan_sizes *sz = &n->sz;
  const size_t R = (size_t)rows, G3 = 3 * (size_t)(rows / sz->pac), P = (size_t)n->map.pac_cols;
  size_t used = 0, wmax = P;
  for (int l = 0; l < sz->n_dis; ++l) wmax = TW_MAX(wmax, (size_t)sz->dis[l]);
  ws->x = take(base, &used, R * n->map.gen_cols);
  ws->dx = take(base, &used, R * n->map.gen_cols);
  ws->gumbel = take(base, &used, R * sz->width);
  ws->raw = take(base, &used, R * sz->width);
  ws->draw = take(base, &used, R * sz->width);
  ws->loss_rows = take(base, &used, R);
  ws->df = take(base, &used, R * TW_GAN_MAX_WIDTH);
  for (int k = 0; k < sz->n_gen; ++k) {
    ws->f[k] = take(base, &used, R * sz->gen[k]);
    ws->mean[k] = take(base, &used, sz->gen[k]);
    ws->invstd[k] = take(base, &used, sz->gen[k]);
  }
  ws->cin = take(base, &used, G3 * P);
  ws->dcin = take(base, &used, G3 * P);
  for (int l = 0; l < sz->n_dis; ++l) {
    ws->mask[l] = take(base, &used, G3 * sz->dis[l]);
    ws->a[l] = take(base, &used, G3 * sz->dis[l]);
    ws->h[l] = take(base, &used, G3 * sz->dis[l]);
    ws->da[l] = take(base, &used, G3 * sz->dis[l]);
  }
  ws->alpha = take(base, &used, G3);
  ws->cout = take(base, &used, G3);
  ws->dout = take(base, &used, G3);
  ws->terms = take(base, &used, G3);
  ws->dh = take(base, &used, G3 * wmax);
  ws->gx = take(base, &used, G3 * P);
  ws->dgx = take(base, &used, G3 * P);
  ws->t0 = take(base, &used, G3 * wmax);
  ws->t1 = take(base, &used, G3 * wmax);
  return used;
}

tw_status tw_gan_ws_create(const tw_gan_nets *n, int64_t rows, tw_gan_ws **out) {
  if (rows < n->sz.pac || rows % n->sz.pac)
    return TW_FAIL(TW_ERR_INPUT, "GAN batch of %lld rows: must be a positive multiple of pac = %d", (long long)rows,
                   n->sz.pac);
  tw_gan_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate a GAN workspace");
  ws->rows = rows;
  const size_t floats = ws_cut(n, rows, NULL, ws);
  ws->host_dout = malloc((size_t)(3 * (rows / n->sz.pac)) * sizeof(float));
  tw_status s = ws->host_dout ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "cannot allocate a GAN workspace");
  if (s == TW_OK) s = n->be->alloc(n->be, floats * sizeof(float), &ws->block);
  if (s == TW_OK) s = n->be->fill_bytes(n->be, ws->block, 0, floats * sizeof(float));
  if (s != TW_OK) {
    tw_gan_ws_destroy(n, ws);
    return s;
  }
  ws_cut(n, rows, ws->block, ws);
  *out = ws;
  return TW_OK;
}

void tw_gan_ws_destroy(const tw_gan_nets *n, tw_gan_ws *ws) {
  if (!ws) return;
  if (ws->block) n->be->free(n->be, ws->block);
  free(ws->host_dout);
  free(ws);
}
