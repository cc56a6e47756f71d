/*
** backend.c: opening backends by name, device selection, GEMM argument checks.
*/
#include "backend/backend.h"

#include <string.h> /* strcmp */

#include "build_info.h" /* TW_HAVE_CUDA */

tw_status tw_backend_open(const char *name, int device_index, tw_backend **out) {
  *out = NULL;
  if (!strcmp(name, "cpu")) return tw_backend_cpu_create(out);
  if (!strcmp(name, "cuda")) {
#if TW_HAVE_CUDA
    return tw_backend_cuda_create(device_index, out);
#else
    return TW_FAIL(TW_ERR_UNSUPPORTED, "backend 'cuda' requested but this build has no CUDA");
#endif
  }
  return TW_FAIL(TW_ERR_INPUT, "unknown backend '%s' (expected 'cpu' or 'cuda')", name);
}

void tw_backend_close(tw_backend *be) {
  if (be) be->destroy(be);
}

int tw_backend_cuda_device_count(void) {
#if TW_HAVE_CUDA
  return tw_cuda_device_count();
#else
  return 0;
#endif
}

void tw_backend_cuda_describe(char *buf, size_t cap) {
  if (cap) buf[0] = '\0';
#if TW_HAVE_CUDA
  tw_cuda_describe(buf, cap);
#endif
}

int tw_backend_device_for_local_rank(int local_rank) {
  int n = tw_backend_cuda_device_count();
  return n > 0 ? local_rank % n : -1;
}

tw_status tw_gemm_validate(const tw_gemm_batch *g) {
  if (g->dtype != TW_F32 && g->dtype != TW_F64)
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: dtype %s is not float32 or float64", tw_dtype_name(g->dtype));
  if (g->m < 0 || g->n < 0 || g->k < 0 || g->batch < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: negative size m=%d n=%d k=%d batch=%d", g->m, g->n, g->k, g->batch);
  /* Row-major: a row of stored A holds k (no transpose) or m (transposed) elements. */
  int64_t a_cols = g->trans_a ? g->m : g->k, b_cols = g->trans_b ? g->k : g->n;
  if (g->lda < TW_MAX(1, a_cols) || g->ldb < TW_MAX(1, b_cols) || g->ldc < TW_MAX(1, g->n))
    return TW_FAIL(TW_ERR_INTERNAL, "gemm: leading dimension too small (lda=%lld ldb=%lld ldc=%lld for m=%d n=%d k=%d)",
                   (long long)g->lda, (long long)g->ldb, (long long)g->ldc, g->m, g->n, g->k);
  return TW_OK;
}
