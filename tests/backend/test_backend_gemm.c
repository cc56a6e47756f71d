/*
** test_backend_gemm.c: the CPU backend's GEMM against a plain triple loop.
**
** Fresh random problems every run (the seed is printed; TW_TEST_SEED repeats a
** run): float32 and float64, all four transpose combinations, strided batches
** and batches sharing A or B, padded leading dimensions, alpha and beta. The
** CPU backend is the reference the CUDA backend is tested against, so it is
** itself checked here against the definition. Builds without OpenBLAS run the
** same test through the reference GEMM.
*/
#include <stdlib.h> /* malloc, free */

#include "backend/backend.h"   /* the backend under test */
#include "backend/gemm_case.h" /* random cases and the triple-loop reference */
#include "tw_test.h"

/* Normwise relative error allowed against the double-accumulated triple loop:
** float32 products over k <= 150 terms differ from it by about sqrt(k) * 2^-24
** ~ 1e-6; float64 by about 1e-15. */
static const double tol_f32 = 1e-5, tol_f64 = 1e-12;

static uint64_t seed;
static uint64_t stream_id; /* each case draws from its own Philox stream */
static double max_err[2];  /* largest error seen, float32 and float64, for the log */

static void check_case(tw_backend *be, tw_dtype dtype, int ta, int tb, gemm_sharing sharing) {
  tw_rng rng = tw_rng_make(seed, stream_id++, 0, 0);
  gemm_case tc;
  gemm_case_make(&tc, &rng, dtype, ta, tb, sharing, 1, 150, 5);
  char what[256];
  gemm_case_describe(&tc, what, sizeof what);
  void *ref = malloc(tc.c_len * tw_dtype_size(dtype));
  gemm_case_reference(&tc, ref);
  gemm_case_result r = gemm_case_check(&tc, be, ref);
  gemm_case_free(&tc);
  free(ref);
  max_err[dtype == TW_F64] = TW_MAX(max_err[dtype == TW_F64], r.rel_err);
  CHECK_GEMM_RESULT(r, what, dtype == TW_F32 ? tol_f32 : tol_f64);
}

static void test_all_layouts(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  for (int rep = 0; rep < 2; ++rep)
    for (int d = 0; d < 2; ++d)
      for (int t = 0; t < 4; ++t)
        for (int s = 0; s < 3; ++s) check_case(be, d ? TW_F64 : TW_F32, t & 1, t >> 1, (gemm_sharing)s);
  tw_backend_close(be);
  fprintf(stderr, "largest relative error: float32 %.3g (limit %g), float64 %.3g (limit %g)\n", max_err[0],
          tol_f32, max_err[1], tol_f64);
}

/* k = 0: the product is empty, so C becomes beta C (0 when beta is 0). */
static void test_empty_inner_dimension(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  float a[1] = {7}, b[1] = {7}, c[4] = {1, 2, 3, 4};
  tw_gemm_batch g = {TW_F32, 0, 0, 2, 2, 0, 1.0, 0.5, a, 1, 0, b, 2, 0, c, 2, 4, 1};
  CHECK_OK(be->gemm(be, &g));
  CHECK(c[0] == 0.5f && c[1] == 1.0f && c[2] == 1.5f && c[3] == 2.0f);
  tw_backend_close(be);
}

static void test_rejects_short_leading_dimension(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  float a[6] = {0}, b[6] = {0}, c[4] = {0};
  /* A is 2x3 row-major: lda must be at least 3. */
  tw_gemm_batch g = {TW_F32, 0, 0, 2, 2, 3, 1.0, 0.0, a, 2, 0, b, 2, 0, c, 2, 0, 1};
  CHECK_STATUS(be->gemm(be, &g), TW_ERR_INTERNAL);
  tw_error_clear();
  tw_backend_close(be);
}

int main(void) {
  seed = gemm_case_seed();
  TW_TEST_RUN(test_all_layouts);
  TW_TEST_RUN(test_empty_inner_dimension);
  TW_TEST_RUN(test_rejects_short_leading_dimension);
  return TW_TEST_RESULT();
}
