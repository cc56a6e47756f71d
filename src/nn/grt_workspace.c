/*
** grt_workspace.c: planning the GRT's memory once, and the checks every entry
** point makes before touching it.
**
** A workspace is one backend allocation cut into the buffers of grt_ws_map.
** Its size is linear in the chunk of twins, so the caller picks the chunk from
** the memory it can spare (tw_grt_workspace_floats(sz, 1, T, train) per twin)
** and batches of any size run through it chunk by chunk. The number of slots
** (one per host thread) is decided here too, so that the scheduler
** (grt_schedule.c) depends on the workspace and not the other way round. Also
** the two small backend calls every pass makes: loading a state, a product.
*/
#include "nn/grt_internal.h"

#include <stdlib.h> /* malloc, free */

#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads */
#endif

float *grt_take(float *base, size_t *used, size_t n) {
  float *p = base ? base + *used : NULL;
  *used += (n + 15) / 16 * 16; /* 16 floats: the next buffer starts 64-byte aligned */
  return p;
}

int grt_host_slots(const tw_backend *be) {
#if defined(_OPENMP)
  if (be->device.kind == TW_DEVICE_HOST) return TW_MIN(omp_get_max_threads(), GRT_MAX_SLOTS);
#endif
  return 1;
}

size_t grt_ws_cut(const tw_grt_sizes *sz, int chunk, int T, int train, float *base, grt_ws_map *map) {
  const size_t R = (size_t)T * chunk * sz->N, Bn = (size_t)chunk * sz->N;
  const size_t H = sz->H, Hr = sz->Hr;
  size_t used = 0;
  *map = (grt_ws_map){0};
  for (int l = 0; l < sz->L; ++l) map->wcat[l] = grt_take(base, &used, 2 * H * tw_grt_layer_in(sz, l));
  map->xt = grt_take(base, &used, R * sz->F);
  map->ycat = grt_take(base, &used, R * 2 * H);
  /* Inference keeps two layer outputs and alternates; training keeps all. */
  const int zbufs = train ? sz->L : TW_MIN(sz->L, 2);
  for (int l = 0; l < zbufs; ++l) map->z[l] = grt_take(base, &used, R * H);
  for (int l = zbufs; l < sz->L; ++l) map->z[l] = map->z[l % 2];
  map->gates = grt_take(base, &used, R * 4 * Hr);
  map->hs = grt_take(base, &used, (T + 1) * Bn * Hr);
  map->cs = grt_take(base, &used, (train ? (size_t)T + 1 : 2) * Bn * Hr);
  map->a1 = grt_take(base, &used, R * sz->M);
  map->yt = grt_take(base, &used, R * sz->O);
  if (train) {
    tw_grt_layout lay;
    map->grads = tw_grt_layout_make(sz, &lay) == TW_OK ? grt_take(base, &used, (size_t)lay.total) : NULL;
    map->dz = grt_take(base, &used, R * (size_t)TW_MAX(sz->H, sz->F));
    map->dhs = grt_take(base, &used, (size_t)T * Bn * Hr);
    map->da1 = grt_take(base, &used, R * sz->M);
    map->dy = grt_take(base, &used, R * sz->O);
    map->tt = grt_take(base, &used, R * sz->O);
    map->mt = grt_take(base, &used, R * sz->O);
    map->dc = grt_take(base, &used, Bn * Hr);
  }
  if (train == TW_GRT_PER_EXAMPLE) {
    const size_t wmax = TW_MAX(TW_MAX(2 * H, 4 * Hr), TW_MAX(TW_MAX((size_t)sz->M, (size_t)sz->O), (size_t)sz->F));
    map->pe_d = grt_take(base, &used, R * wmax);
    map->pe_x = grt_take(base, &used, R * wmax);
    map->ones = grt_take(base, &used, (size_t)T * sz->N);
  }
  return used;
}

int tw_grt_max_chunk(const tw_grt_sizes *sz, int T) {
  const int64_t per_twin = (int64_t)TW_MAX(T, 1) * sz->N * 4 * TW_MAX(TW_MAX(sz->Hr, sz->H), 1);
  return (int)TW_MAX(1, (INT32_MAX - 1) / per_twin);
}

size_t tw_grt_workspace_floats(const tw_grt_sizes *sz, int chunk, int T, int train) {
  grt_ws_map map;
  return grt_ws_cut(sz, chunk, T, train, NULL, &map);
}

/* Every slot's `ones` of a per-example workspace (copied from the host). */
static tw_status fill_ones(tw_backend *be, tw_grt_workspace *ws) {
  const size_t n = (size_t)ws->T * ws->sz.N, per_slot = ws->floats / (size_t)ws->slots;
  float *host = malloc(n * sizeof(float));
  if (!host) return TW_FAIL(TW_ERR_NOMEM, "GRT workspace: %zu floats", n);
  for (size_t i = 0; i < n; ++i) host[i] = 1.0f;
  tw_status st = TW_OK;
  for (int s = 0; s < ws->slots && st == TW_OK; ++s) {
    grt_ws_map map;
    grt_ws_cut(&ws->sz, ws->chunk, ws->T, ws->train, ws->base + s * per_slot, &map);
    st = be->copy(be, map.ones, host, n * sizeof(float), TW_COPY_HOST_TO_DEVICE);
  }
  free(host);
  return st;
}

tw_status tw_grt_workspace_create(tw_backend *be, const tw_grt_sizes *sz, int chunk, int T, int train,
                                  tw_grt_workspace *ws) {
  tw_grt_layout lay;
  TW_TRY(tw_grt_layout_make(sz, &lay));
  if (chunk <= 0 || T <= 0) return TW_FAIL(TW_ERR_INPUT, "GRT workspace: chunk %d and T %d must be positive", chunk, T);
  const int most = tw_grt_max_chunk(sz, T);
  if (chunk > most)
    return TW_FAIL(TW_ERR_INPUT, "GRT workspace: chunk %d x T %d is too large for one product; at most %d twins",
                   chunk, T, most);
  ws->sz = *sz;
  ws->chunk = chunk;
  ws->T = T;
  ws->train = train;
  ws->slots = grt_host_slots(be);
  ws->floats = tw_grt_workspace_floats(sz, chunk, T, train) * ws->slots;
  void *p = NULL;
  TW_TRY(be->alloc(be, ws->floats * sizeof(float), &p));
  ws->base = p;
  return train == TW_GRT_PER_EXAMPLE ? fill_ones(be, ws) : TW_OK;
}

void tw_grt_workspace_destroy(tw_backend *be, tw_grt_workspace *ws) {
  if (ws->base) be->free(be, ws->base);
  ws->base = NULL;
}

tw_status grt_check_call(const tw_grt_model *m, const tw_grt_batch *batch, const tw_grt_workspace *ws, int train) {
  const tw_grt_sizes *s = &m->layout.sz, *w = &ws->sz;
  if (batch->B <= 0 || batch->T <= 0)
    return TW_FAIL(TW_ERR_INPUT, "GRT batch: B = %d and T = %d must be positive", batch->B, batch->T);
  if (!batch->x || !batch->adj) return TW_FAIL(TW_ERR_INPUT, "GRT batch: x and adj are required");
  if (s->N != w->N || s->F != w->F || s->H != w->H || s->Hr != w->Hr || s->L != w->L || s->M != w->M ||
      s->O != w->O)
    return TW_FAIL(TW_ERR_INPUT, "GRT workspace was planned for other model sizes");
  if (ws->T != batch->T)
    return TW_FAIL(TW_ERR_INPUT, "GRT workspace was planned for T = %d steps, batch has T = %d", ws->T, batch->T);
  if (train && !ws->train) return TW_FAIL(TW_ERR_INPUT, "GRT backward needs a workspace planned with train = 1");
  if (!ws->base) return TW_FAIL(TW_ERR_INPUT, "GRT workspace is not allocated");
  return TW_OK;
}

tw_status grt_pack_wcat(tw_backend *be, const tw_grt_model *m, const grt_ws_map *map) {
  const tw_grt_layout *lay = &m->layout;
  for (int l = 0; l < lay->sz.L; ++l) {
    const size_t bytes = (size_t)lay->sz.H * tw_grt_layer_in(&lay->sz, l) * sizeof(float);
    TW_TRY(be->copy(be, map->wcat[l], m->params + lay->gnn_self_w[l], bytes, TW_COPY_DEVICE_TO_DEVICE));
    TW_TRY(be->copy(be, (char *)map->wcat[l] + bytes, m->params + lay->gnn_nbr_w[l], bytes,
                    TW_COPY_DEVICE_TO_DEVICE));
  }
  return TW_OK;
}

tw_status grt_load_state(tw_backend *be, const float *src, int64_t offset, size_t bytes, float *dst) {
  if (src) return be->copy(be, dst, src + offset, bytes, TW_COPY_DEVICE_TO_DEVICE);
  return be->fill_bytes(be, dst, 0, bytes);
}

tw_status grt_gemm(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    return TW_FAIL(TW_ERR_INTERNAL, "GRT product (%lld,%lld,%lld) exceeds int sizes", (long long)m, (long long)n,
                   (long long)k);
  tw_gemm_batch g = {.dtype = TW_F32, .trans_a = trans_a, .trans_b = trans_b, .m = (int)m, .n = (int)n,
                     .k = (int)k, .alpha = 1.0, .beta = beta, .a = a, .lda = lda, .b = b, .ldb = ldb,
                     .c = c, .ldc = ldc, .batch = 1};
  return be->gemm(be, &g);
}
