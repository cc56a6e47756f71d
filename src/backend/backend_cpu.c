/*
** backend_cpu.c: the CPU backend, the reference every other backend matches.
**
** Memory is ordinary aligned host memory; copies are memcpy; there is nothing
** to synchronise. GEMM goes to OpenBLAS (cblas_sgemm / cblas_dgemm, loaded on
** the first GEMM: blas_lazy.h) when the build has it and to the reference GEMM
** otherwise (or when OpenBLAS cannot be loaded). A batch of small products
** is spread over OpenMP threads, one product per thread with OpenBLAS kept to
** one thread inside; a batch of one large product is left to OpenBLAS's own
** threads.
**
** The kernel families' CPU tables are not named here (the family slots stay
** empty): tw_physio_ops_for and tw_nn_ops_for return them for a host backend.
*/
#include "backend/backend.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* aligned_alloc, free, calloc */
#include <string.h> /* memcpy, memset */

#include "backend/gemm_ref.h" /* fallback GEMM */
#include "build_info.h"       /* TW_HAVE_OPENBLAS */
#if TW_HAVE_OPENBLAS
#include "backend/blas_lazy.h" /* tw_blas_get: cblas_sgemm, cblas_dgemm, thread count */
#endif

/* Products at least this large (m*n*k) in a batch are left to OpenBLAS threads. */
#define TW_CPU_GEMM_LARGE (1 << 21)

static tw_status cpu_alloc(tw_backend *be, size_t bytes, void **ptr) {
  size_t rounded = (bytes + 63) / 64 * 64;
  *ptr = aligned_alloc(64, rounded ? rounded : 64);
  if (!*ptr) return TW_FAIL(TW_ERR_NOMEM, "cpu backend: cannot allocate %zu bytes", bytes);
  return TW_OK;
}

static tw_status cpu_free(tw_backend *be, void *ptr) {
  free(ptr);
  return TW_OK;
}

static tw_status cpu_copy(tw_backend *be, void *dst, const void *src, size_t bytes, tw_copy_kind kind) {
  if (bytes) memmove(dst, src, bytes);
  return TW_OK;
}

static tw_status cpu_fill_bytes(tw_backend *be, void *dst, int byte, size_t bytes) {
  memset(dst, byte, bytes);
  return TW_OK;
}

static tw_status cpu_synchronize(tw_backend *be) { return TW_OK; }

static void gemm_one(const tw_gemm_batch *g, int i) {
#if TW_HAVE_OPENBLAS
  const tw_blas *blas = tw_blas_get(); /* loads OpenBLAS on the first GEMM; NULL entries: not loadable */
#endif
  if (g->dtype == TW_F32) {
    const float *a = (const float *)g->a + i * g->stride_a, *b = (const float *)g->b + i * g->stride_b;
    float *c = (float *)g->c + i * g->stride_c;
#if TW_HAVE_OPENBLAS
    if (blas->sgemm) {
      blas->sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans, g->trans_b ? CblasTrans : CblasNoTrans,
                  g->m, g->n, g->k, (float)g->alpha, a, (int)g->lda, b, (int)g->ldb, (float)g->beta, c, (int)g->ldc);
      return;
    }
#endif
    tw_gemm_ref_f32(g->trans_a, g->trans_b, g->m, g->n, g->k, (float)g->alpha, a, g->lda, b, g->ldb,
                    (float)g->beta, c, g->ldc);
  } else {
    const double *a = (const double *)g->a + i * g->stride_a, *b = (const double *)g->b + i * g->stride_b;
    double *c = (double *)g->c + i * g->stride_c;
#if TW_HAVE_OPENBLAS
    if (blas->dgemm) {
      blas->dgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans, g->trans_b ? CblasTrans : CblasNoTrans,
                  g->m, g->n, g->k, g->alpha, a, (int)g->lda, b, (int)g->ldb, g->beta, c, (int)g->ldc);
      return;
    }
#endif
    tw_gemm_ref_f64(g->trans_a, g->trans_b, g->m, g->n, g->k, g->alpha, a, g->lda, b, g->ldb, g->beta, c, g->ldc);
  }
}

static tw_status cpu_gemm(tw_backend *be, const tw_gemm_batch *g) {
  TW_TRY(tw_gemm_validate(g));
  if (g->batch == 0 || g->m == 0 || g->n == 0) return TW_OK;
  int64_t work = (int64_t)g->m * g->n * g->k;
  if (g->batch == 1 || work >= TW_CPU_GEMM_LARGE) {
    for (int i = 0; i < g->batch; ++i) gemm_one(g, i);
    return TW_OK;
  }
#if TW_HAVE_OPENBLAS
  /* Many small products: one per OpenMP thread, OpenBLAS single-threaded inside. */
  int saved = openblas_get_num_threads();
  openblas_set_num_threads(1);
#endif
#pragma omp parallel for schedule(static)
  for (int i = 0; i < g->batch; ++i) gemm_one(g, i);
#if TW_HAVE_OPENBLAS
  openblas_set_num_threads(saved);
#endif
  return TW_OK;
}

/* OpenBLAS's own line (version, build, the core it chose for this CPU), or the
** reference GEMM where OpenBLAS is not built in or could not be loaded. */
static void cpu_gemm_kernel(tw_backend *be, char *buf, size_t cap) {
  (void)be;
  const char *line = "reference GEMM";
#if TW_HAVE_OPENBLAS
  const tw_blas *blas = tw_blas_get();
  if (blas->sgemm) line = blas->get_config ? blas->get_config() : "OpenBLAS";
#endif
  snprintf(buf, cap, "%s", line);
}

static void cpu_destroy(tw_backend *be) { free(be); }

tw_status tw_backend_cpu_create(tw_backend **out) {
  tw_backend *be = calloc(1, sizeof *be);
  if (!be) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the cpu backend");
  be->name = "cpu";
  be->device.kind = TW_DEVICE_HOST;
  be->device.index = 0;
  be->math_mode = TW_MATH_FP32;
  be->alloc = cpu_alloc;
  be->free = cpu_free;
  be->copy = cpu_copy;
  be->fill_bytes = cpu_fill_bytes;
  be->synchronize = cpu_synchronize;
  be->gemm = cpu_gemm;
  be->gemm_kernel = cpu_gemm_kernel;
  be->destroy = cpu_destroy;
  /* be->family stays NULL: each family's lookup gives its own CPU table. */
  *out = be;
  return TW_OK;
}
