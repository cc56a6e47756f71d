/*
** gemm_ref.c: the reference GEMM behind gemm_ref.h.
**
** The loop order (i, p, j) streams rows of op(B) and C contiguously when B is not
** transposed, which lets the compiler vectorise the inner loop; accumulation is
** in the input precision, as BLAS does.
*/
#include "backend/gemm_ref.h"

#define TW_GEMM_REF_BODY(T)                                                      \
  for (int i = 0; i < m; ++i) {                                                  \
    T *ci = c + (int64_t)i * ldc;                                                \
    for (int j = 0; j < n; ++j) ci[j] = beta == (T)0 ? (T)0 : beta * ci[j];      \
    for (int p = 0; p < k; ++p) {                                                \
      T aip = alpha * (ta ? a[(int64_t)p * lda + i] : a[(int64_t)i * lda + p]);  \
      if (tb) {                                                                  \
        for (int j = 0; j < n; ++j) ci[j] += aip * b[(int64_t)j * ldb + p];      \
      } else {                                                                   \
        const T *bp = b + (int64_t)p * ldb;                                      \
        for (int j = 0; j < n; ++j) ci[j] += aip * bp[j];                        \
      }                                                                          \
    }                                                                            \
  }

void tw_gemm_ref_f32(int ta, int tb, int m, int n, int k, float alpha, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  TW_GEMM_REF_BODY(float)
}

void tw_gemm_ref_f64(int ta, int tb, int m, int n, int k, double alpha, const double *a, int64_t lda,
                     const double *b, int64_t ldb, double beta, double *c, int64_t ldc) {
  TW_GEMM_REF_BODY(double)
}
