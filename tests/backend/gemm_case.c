/*
** gemm_case.c: random GEMM problems and their triple-loop reference (gemm_case.h).
*/
#include "backend/gemm_case.h"

#include <math.h>   /* sqrt, isfinite */
#include <stdio.h>  /* fprintf, snprintf */
#include <stdlib.h> /* malloc, getenv, strtoull */
#include <string.h> /* memset, memcmp */
#include <time.h>   /* time, clock: the default seed */

uint64_t gemm_case_seed(void) {
  const char *env = getenv("TW_TEST_SEED");
  uint64_t seed = env && *env ? strtoull(env, NULL, 0)
                              : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)clock();
  fprintf(stderr, "seed %llu (set TW_TEST_SEED=%llu to repeat this run)\n", (unsigned long long)seed,
          (unsigned long long)seed);
  return seed;
}

static int rand_int(tw_rng *rng, int lo, int hi) { /* in [lo, hi] */
  return lo + (int)(tw_rng_u32(rng) % (uint32_t)(hi - lo + 1));
}

/* Element e of a buffer of `dtype`, as double. */
static double get(tw_dtype dtype, const void *p, int64_t e) {
  return dtype == TW_F32 ? (double)((const float *)p)[e] : ((const double *)p)[e];
}

static void put(tw_dtype dtype, void *p, int64_t e, double v) {
  if (dtype == TW_F32) ((float *)p)[e] = (float)v;
  else ((double *)p)[e] = v;
}

/* Runs the statement(s) given last with e set to each element index of the `rows` x `cols` matrices of
** a batch stored row-major with leading dimension ld and batch stride `stride`. */
#define FOR_MATRIX_ELEMENTS(batch, stride, rows, cols, ld, e, ...) \
  for (int64_t bi_ = 0; bi_ < (batch); ++bi_)                         \
    for (int64_t r_ = 0; r_ < (rows); ++r_)                           \
      for (int64_t c_ = 0; c_ < (cols); ++c_) {                       \
        int64_t e = bi_ * (stride) + r_ * (ld) + c_;                  \
        __VA_ARGS__;                                                  \
      }

/* A buffer for `batch` matrices of rows x cols (1 when shared), poisoned
** outside them and uniform in [-1, 1] inside. */
static void *make_operand(tw_rng *rng, tw_dtype dtype, int rows, int cols, int shared, int batch,
                          int64_t *ld, int64_t *stride, size_t *len) {
  *ld = cols + rand_int(rng, 0, 3);
  int64_t span = (int64_t)rows * *ld;
  *stride = shared ? 0 : span + rand_int(rng, 0, 5);
  int64_t count = shared ? 1 : batch;
  *len = (size_t)((count - 1) * *stride + span + 1); /* +1: never zero-sized */
  void *p = malloc(*len * tw_dtype_size(dtype));
  memset(p, 0xFF, *len * tw_dtype_size(dtype));
  FOR_MATRIX_ELEMENTS(count, *stride, rows, cols, *ld, e, put(dtype, p, e, 2.0 * tw_rng_uniform(rng) - 1.0));
  return p;
}

void gemm_case_make(gemm_case *tc, tw_rng *rng, tw_dtype dtype, int trans_a, int trans_b, gemm_sharing sharing,
                    int min_dim, int max_dim, int max_batch) {
  memset(tc, 0, sizeof *tc);
  tw_gemm_batch *g = &tc->g;
  g->dtype = dtype;
  g->trans_a = trans_a;
  g->trans_b = trans_b;
  g->m = rand_int(rng, min_dim, max_dim);
  g->n = rand_int(rng, min_dim, max_dim);
  g->k = rand_int(rng, min_dim, max_dim);
  g->batch = rand_int(rng, 1, max_batch);
  /* Multiples of 1/8: exact in float and double, so every backend sees the same values. */
  g->alpha = rand_int(rng, 1, 16) / 8.0 * (rand_int(rng, 0, 1) ? 1 : -1);
  g->beta = rand_int(rng, 0, 1) ? 0.0 : rand_int(rng, -16, 16) / 8.0;
  int a_rows = trans_a ? g->k : g->m, a_cols = trans_a ? g->m : g->k;
  int b_rows = trans_b ? g->n : g->k, b_cols = trans_b ? g->k : g->n;
  tc->a = make_operand(rng, dtype, a_rows, a_cols, sharing == GEMM_SHARED_A, g->batch, &g->lda, &g->stride_a,
                       &tc->a_len);
  tc->b = make_operand(rng, dtype, b_rows, b_cols, sharing == GEMM_SHARED_B, g->batch, &g->ldb, &g->stride_b,
                       &tc->b_len);
  tc->c0 = make_operand(rng, dtype, g->m, g->n, 0, g->batch, &g->ldc, &g->stride_c, &tc->c_len);
  if (g->beta == 0.0) memset(tc->c0, 0xFF, tc->c_len * tw_dtype_size(dtype));
}

void gemm_case_free(gemm_case *tc) {
  free(tc->a);
  free(tc->b);
  free(tc->c0);
  memset(tc, 0, sizeof *tc);
}

void gemm_case_describe(const gemm_case *tc, char *buf, size_t cap) {
  const tw_gemm_batch *g = &tc->g;
  snprintf(buf, cap, "%s ta=%d tb=%d m=%d n=%d k=%d batch=%d lda=%lld ldb=%lld ldc=%lld shared=%s alpha=%g beta=%g",
           tw_dtype_name(g->dtype), g->trans_a, g->trans_b, g->m, g->n, g->k, g->batch, (long long)g->lda,
           (long long)g->ldb, (long long)g->ldc, g->stride_a == 0 ? "A" : g->stride_b == 0 ? "B" : "none",
           g->alpha, g->beta);
}

void gemm_case_reference(const gemm_case *tc, void *c) {
  const tw_gemm_batch *g = &tc->g;
  size_t es = tw_dtype_size(g->dtype);
  memcpy(c, tc->c0, tc->c_len * es);
  for (int64_t bi = 0; bi < g->batch; ++bi)
    for (int64_t i = 0; i < g->m; ++i)
      for (int64_t j = 0; j < g->n; ++j) {
        double sum = 0.0;
        for (int64_t p = 0; p < g->k; ++p) {
          int64_t ea = bi * g->stride_a + (g->trans_a ? p * g->lda + i : i * g->lda + p);
          int64_t eb = bi * g->stride_b + (g->trans_b ? j * g->ldb + p : p * g->ldb + j);
          sum += get(g->dtype, tc->a, ea) * get(g->dtype, tc->b, eb);
        }
        int64_t ec = bi * g->stride_c + i * g->ldc + j;
        double prior = g->beta == 0.0 ? 0.0 : g->beta * get(g->dtype, tc->c0, ec);
        put(g->dtype, c, ec, g->alpha * sum + prior);
      }
}

double gemm_case_rel_err(const gemm_case *tc, const void *c, const void *ref) {
  const tw_gemm_batch *g = &tc->g;
  double diff2 = 0.0, ref2 = 0.0;
  FOR_MATRIX_ELEMENTS(g->batch, g->stride_c, g->m, g->n, g->ldc, e, {
    double d = get(g->dtype, c, e) - get(g->dtype, ref, e), r = get(g->dtype, ref, e);
    diff2 += d * d;
    ref2 += r * r;
  });
  return sqrt(diff2) / (ref2 > 0.0 ? sqrt(ref2) : 1.0);
}

int64_t gemm_case_nonfinite(const gemm_case *tc, const void *c) {
  const tw_gemm_batch *g = &tc->g;
  int64_t bad = 0;
  FOR_MATRIX_ELEMENTS(g->batch, g->stride_c, g->m, g->n, g->ldc, e, bad += !isfinite(get(g->dtype, c, e)));
  return bad;
}

int64_t gemm_case_pads_changed(const gemm_case *tc, const void *c) {
  const tw_gemm_batch *g = &tc->g;
  size_t es = tw_dtype_size(g->dtype);
  /* Mark the matrix elements, then compare everything else bytewise with c0. */
  unsigned char *inside = calloc(tc->c_len, 1);
  FOR_MATRIX_ELEMENTS(g->batch, g->stride_c, g->m, g->n, g->ldc, e, inside[e] = 1);
  int64_t changed = 0;
  for (size_t e = 0; e < tc->c_len; ++e)
    if (!inside[e] && memcmp((const char *)c + e * es, (const char *)tc->c0 + e * es, es)) ++changed;
  free(inside);
  return changed;
}

/* Frees p on be; a failure becomes *st unless an earlier error is already there. */
static void release(tw_backend *be, void *p, tw_status *st) {
  if (!p) return;
  tw_status fs = be->free(be, p);
  if (*st == TW_OK) *st = fs;
}

tw_status gemm_case_run(const gemm_case *tc, tw_backend *be, void *c) {
  size_t es = tw_dtype_size(tc->g.dtype);
  tw_gemm_batch g = tc->g;
  void *a = NULL, *b = NULL, *dc = NULL;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, be->alloc(be, tc->a_len * es, &a), done);
  TW_TRY_GOTO(st, be->alloc(be, tc->b_len * es, &b), done);
  TW_TRY_GOTO(st, be->alloc(be, tc->c_len * es, &dc), done);
  TW_TRY_GOTO(st, be->copy(be, a, tc->a, tc->a_len * es, TW_COPY_HOST_TO_DEVICE), done);
  TW_TRY_GOTO(st, be->copy(be, b, tc->b, tc->b_len * es, TW_COPY_HOST_TO_DEVICE), done);
  TW_TRY_GOTO(st, be->copy(be, dc, tc->c0, tc->c_len * es, TW_COPY_HOST_TO_DEVICE), done);
  g.a = a;
  g.b = b;
  g.c = dc;
  TW_TRY_GOTO(st, be->gemm(be, &g), done);
  TW_TRY_GOTO(st, be->copy(be, c, dc, tc->c_len * es, TW_COPY_DEVICE_TO_HOST), done);
done:
  release(be, a, &st);
  release(be, b, &st);
  release(be, dc, &st);
  return st;
}

gemm_case_result gemm_case_check(const gemm_case *tc, tw_backend *be, const void *ref) {
  gemm_case_result r = {TW_OK, -1.0, 0, 0};
  void *c = malloc(tc->c_len * tw_dtype_size(tc->g.dtype));
  r.status = gemm_case_run(tc, be, c);
  if (r.status == TW_OK) {
    r.rel_err = gemm_case_rel_err(tc, c, ref);
    r.unwritten = gemm_case_nonfinite(tc, c);
    r.pads_changed = gemm_case_pads_changed(tc, c);
  }
  free(c);
  return r;
}
