/*
** test_cuda_gemm.c: the CUDA backend's GEMM against the CPU backend's (gpu).
**
** Fresh random problems every run (seed printed; TW_TEST_SEED repeats it) in
** every layout the backend table allows: float32 and float64, all transpose
** combinations, strided batches and batches sharing A or B, padded leading
** dimensions, alpha and beta. Outputs start poisoned with NaN (gemm_case.h), so
** an element cuBLAS fails to write, or padding it writes, fails the test.
**
** Tolerances (normwise, ||gpu - cpu|| / ||cpu||), set from the arithmetic before
** any GPU ran them:
**   float32, TW_MATH_FP32  1e-5   both sides are float32 GEMMs differing only
**                                 in summation order: ~sqrt(k) 2^-24 ~ 1e-6
**   float64                1e-12  the same in double
**   float32, TW_MATH_TF32  1e-3   operands cut to 10 mantissa bits; a float64
**                                 simulation of truncation (the worse of
**                                 truncation and rounding) gives 6.9e-4 median,
**                                 7.1e-4 max over 1000 problems with m,n,k >= 16
**   float32, TW_MATH_BF16  1e-2   7 mantissa bits: the same simulation gives 5.7e-3
** The reduced-precision modes use m, n, k >= 16 so that the normwise error is
** an average over many products, not one unlucky dot product.
*/
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcmp, memset */

#include "backend/backend.h"   /* both backends */
#include "backend/gemm_case.h" /* random cases */
#include "gpu_skip.h"          /* tw_test_cuda_or_skip */
#include "tw_test.h"

static uint64_t seed;
static uint64_t stream_id;
static tw_backend *cpu, *gpu;

typedef struct mode_case {
  const char *name;
  tw_dtype dtype;
  tw_math_mode math;
  int min_dim;
  double tol;
  double max_err; /* largest error seen, for the log */
} mode_case;

static mode_case modes[] = {
    {"float32 fp32", TW_F32, TW_MATH_FP32, 1, 1e-5, 0.0},
    {"float64", TW_F64, TW_MATH_FP32, 1, 1e-12, 0.0},
    {"float32 tf32", TW_F32, TW_MATH_TF32, 16, 1e-3, 0.0},
    {"float32 bf16", TW_F32, TW_MATH_BF16, 16, 1e-2, 0.0},
};

static void check_case(mode_case *mc, int ta, int tb, gemm_sharing sharing) {
  tw_rng rng = tw_rng_make(seed, stream_id++, 0, 0);
  gemm_case tc;
  gemm_case_make(&tc, &rng, mc->dtype, ta, tb, sharing, mc->min_dim, 300, 4);
  char what[256];
  gemm_case_describe(&tc, what, sizeof what);
  /* The CPU backend computes float32 in full precision whatever mode is asked. */
  void *ref = malloc(tc.c_len * tw_dtype_size(mc->dtype));
  tw_status st = gemm_case_run(&tc, cpu, ref);
  gpu->math_mode = mc->math;
  gemm_case_result r = gemm_case_check(&tc, gpu, ref);
  gpu->math_mode = TW_MATH_FP32;
  gemm_case_free(&tc);
  free(ref);
  CHECK_MSG(st == TW_OK, "cpu %s: %s", what, tw_error_message());
  mc->max_err = TW_MAX(mc->max_err, r.rel_err);
  CHECK_GEMM_RESULT(r, what, mc->tol);
}

static void test_gemm_all_layouts(void) {
  for (size_t m = 0; m < TW_ARRAY_LEN(modes); ++m) {
    for (int rep = 0; rep < 2; ++rep)
      for (int t = 0; t < 4; ++t)
        for (int s = 0; s < 3; ++s) check_case(&modes[m], t & 1, t >> 1, (gemm_sharing)s);
    fprintf(stderr, "%s: largest relative error %.3g (limit %g)\n", modes[m].name, modes[m].max_err,
            modes[m].tol);
  }
}

/* Host -> device -> device -> host returns the bytes; fill_bytes sets every byte. */
static void test_copies_round_trip(void) {
  enum { BYTES = 1 << 20 };
  unsigned char *host = malloc(BYTES), *back = malloc(BYTES);
  tw_rng rng = tw_rng_make(seed, stream_id++, 0, 0);
  for (int i = 0; i < BYTES; ++i) host[i] = (unsigned char)tw_rng_u32(&rng);
  void *d1 = NULL, *d2 = NULL;
  tw_status st = gpu->alloc(gpu, BYTES, &d1);
  if (st == TW_OK) st = gpu->alloc(gpu, BYTES, &d2);
  if (st == TW_OK) st = gpu->copy(gpu, d1, host, BYTES, TW_COPY_HOST_TO_DEVICE);
  if (st == TW_OK) st = gpu->copy(gpu, d2, d1, BYTES, TW_COPY_DEVICE_TO_DEVICE);
  if (st == TW_OK) st = gpu->copy(gpu, back, d2, BYTES, TW_COPY_DEVICE_TO_HOST);
  int same = st == TW_OK && !memcmp(host, back, BYTES);
  if (st == TW_OK) st = gpu->fill_bytes(gpu, d2, 0xA5, BYTES - 3);
  if (st == TW_OK) st = gpu->copy(gpu, back, d2, BYTES, TW_COPY_DEVICE_TO_HOST);
  int filled = 1;
  for (int i = 0; st == TW_OK && i < BYTES; ++i)
    filled &= back[i] == (i < BYTES - 3 ? 0xA5 : host[i]);
  if (st == TW_OK) st = gpu->synchronize(gpu);
  if (d1) gpu->free(gpu, d1);
  if (d2) gpu->free(gpu, d2);
  free(host);
  free(back);
  CHECK_OK(st);
  CHECK_MSG(same, "bytes changed on the way host -> device -> device -> host");
  CHECK_MSG(filled, "fill_bytes did not set exactly the bytes asked for");
}

/* An allocation the device cannot hold is TW_ERR_NOMEM, and the backend still works. */
static void test_out_of_memory_is_reported(void) {
  void *p = NULL;
  CHECK_STATUS(gpu->alloc(gpu, (size_t)1 << 60, &p), TW_ERR_NOMEM);
  tw_error_clear();
  CHECK(p == NULL);
  CHECK_OK(gpu->alloc(gpu, 1024, &p));
  CHECK_OK(gpu->fill_bytes(gpu, p, 0, 1024));
  CHECK_OK(gpu->synchronize(gpu));
  CHECK_OK(gpu->free(gpu, p));
}

/* Ranks sharing a node spread over the visible devices, and each one opens. */
static void test_device_selection(void) {
  int n = tw_backend_cuda_device_count();
  for (int rank = 0; rank < 2 * n; ++rank) {
    int dev = tw_backend_device_for_local_rank(rank);
    CHECK_EQ_INT(dev, rank % n);
    tw_backend *be = NULL;
    CHECK_OK(tw_backend_open("cuda", dev, &be));
    CHECK_EQ_INT(be->device.index, dev);
    CHECK(be->device.kind == TW_DEVICE_CUDA);
    tw_backend_close(be);
  }
  tw_backend *be = NULL;
  CHECK_STATUS(tw_backend_open("cuda", n, &be), TW_ERR_INPUT);
  tw_error_clear();
}

int main(void) {
  tw_test_cuda_or_skip();
  seed = gemm_case_seed();
  tw_status st = tw_backend_open("cpu", 0, &cpu);
  if (st == TW_OK) st = tw_backend_open("cuda", 0, &gpu);
  if (st != TW_OK) {
    fprintf(stderr, "cannot open the backends: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_gemm_all_layouts);
  TW_TEST_RUN(test_copies_round_trip);
  TW_TEST_RUN(test_out_of_memory_is_reported);
  TW_TEST_RUN(test_device_selection);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
