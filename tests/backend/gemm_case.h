/*
** gemm_case.h: random GEMM problems for the backend tests (CPU and CUDA).
**
** A case is one tw_gemm_batch with random sizes, transposes, padded leading
** dimensions, gaps between batch entries, a shared (stride 0) or strided
** operand, and alpha/beta, with host buffers for A, B and C's initial contents.
** Every element that lies outside a matrix (the padding of a row, the gap
** between batch entries) is poisoned with NaN (all bytes 0xFF) in A, B and C:
** a GEMM that reads padding gets NaN in its result, and one that writes padding
** changes it. With beta = 0 C's matrix elements start as NaN too (BLAS must not
** read C then), so any element a GEMM fails to write stays NaN.
**
** The reference is a plain triple loop accumulated in double.
*/
#ifndef TW_TEST_GEMM_CASE_H
#define TW_TEST_GEMM_CASE_H

#include "backend/backend.h" /* tw_gemm_batch */
#include "core/random.h"     /* tw_rng */

/* Which operand is one matrix shared by the whole batch (its stride is 0). */
typedef enum gemm_sharing { GEMM_STRIDED, GEMM_SHARED_A, GEMM_SHARED_B } gemm_sharing;

typedef struct gemm_case {
  tw_gemm_batch g;          /* pointers are NULL: the test points them at its buffers */
  void *a, *b, *c0;         /* host buffers of g.dtype: A, B and C's initial contents */
  size_t a_len, b_len, c_len; /* buffer lengths in elements */
} gemm_case;

/* The run's seed: TW_TEST_SEED from the environment if set, else from the
** clock; printed so that a failure can be repeated. */
uint64_t gemm_case_seed(void);

/* A random case with m, n, k in [min_dim, max_dim] and batch in [1, max_batch]. */
void gemm_case_make(gemm_case *tc, tw_rng *rng, tw_dtype dtype, int trans_a, int trans_b, gemm_sharing sharing,
                    int min_dim, int max_dim, int max_batch);
void gemm_case_free(gemm_case *tc);
/* One-line description: "f32 ta=1 tb=0 m=.. n=.. k=.. batch=.. shared=A alpha=.. beta=..". */
void gemm_case_describe(const gemm_case *tc, char *buf, size_t cap);

/* Writes the triple-loop result into c (c_len elements): a copy of c0 with the
** matrices replaced by alpha op(A) op(B) + beta C0, computed in double. */
void gemm_case_reference(const gemm_case *tc, void *c);

/* Runs the case on `be`: allocates A, B, C there, copies A, B and c0 in, runs
** be->gemm and copies C (all c_len elements, padding included) back into c. */
tw_status gemm_case_run(const gemm_case *tc, tw_backend *be, void *c);

/* What running a case on a backend gave, measured against a reference result. */
typedef struct gemm_case_result {
  tw_status status;     /* of gemm_case_run; the rest is meaningful only when TW_OK */
  double rel_err;       /* gemm_case_rel_err against the reference */
  int64_t unwritten;    /* gemm_case_nonfinite */
  int64_t pads_changed; /* gemm_case_pads_changed */
} gemm_case_result;

/* Runs tc on be and measures the result against ref (c_len elements of g.dtype). */
gemm_case_result gemm_case_check(const gemm_case *tc, tw_backend *be, const void *ref);

/* In a tw_test.h case: fails it unless r is a clean result within tol. */
#define CHECK_GEMM_RESULT(r, what, tol)                                                           \
  do {                                                                                            \
    CHECK_MSG((r).status == TW_OK, "%s: %s", (what), tw_error_message());                        \
    CHECK_MSG((r).rel_err <= (tol), "%s: relative error %.3g > %.3g", (what), (r).rel_err, (tol)); \
    CHECK_MSG((r).unwritten == 0, "%s: %lld elements not written", (what), (long long)(r).unwritten); \
    CHECK_MSG((r).pads_changed == 0, "%s: %lld padding elements changed", (what),                \
              (long long)(r).pads_changed);                                                       \
  } while (0)

/* ||c - ref|| / ||ref|| over the matrix elements (NaN if any element is NaN). */
double gemm_case_rel_err(const gemm_case *tc, const void *c, const void *ref);
/* Number of matrix elements of c that are not finite (unwritten elements). */
int64_t gemm_case_nonfinite(const gemm_case *tc, const void *c);
/* Number of elements outside the matrices whose bytes differ from c0. */
int64_t gemm_case_pads_changed(const gemm_case *tc, const void *c);

#endif
