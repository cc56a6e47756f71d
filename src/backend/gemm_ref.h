/*
** gemm_ref.h: a plain reference GEMM for builds without OpenBLAS.
**
** The kernels-only configuration (scripts/gpu-check.sh) must build with a C
** compiler and CUDA alone, so the CPU backend needs a GEMM of its own. It is
** correct and cache-aware enough for tests, not a substitute for OpenBLAS.
*/
#ifndef TW_GEMM_REF_H
#define TW_GEMM_REF_H

#include "backend/backend.h"

TW_EXTERN_C_BEGIN

/* One row-major product C = alpha op(A) op(B) + beta C, float32 or float64. */
void tw_gemm_ref_f32(int ta, int tb, int m, int n, int k, float alpha, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
void tw_gemm_ref_f64(int ta, int tb, int m, int n, int k, double alpha, const double *a, int64_t lda,
                     const double *b, int64_t ldb, double beta, double *c, int64_t ldc);

TW_EXTERN_C_END

#endif
