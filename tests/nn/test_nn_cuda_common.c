/*
** test_nn_cuda_common.c: helpers of the CUDA-vs-CPU neural-twin tests (see the header).
*/
#include "test_nn_cuda_common.h" /* the helpers defined here */

#include <math.h>   /* sqrt, isfinite */
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* malloc, getenv, strtoull, abort, exit */
#include <string.h> /* memset */
#include <time.h>   /* time, clock */

#include "core/philox.h" /* tw_u01_f32 */
#include "gpu_skip.h"     /* tw_test_cuda_or_skip */
#include "nn/nn_ops.h"    /* tw_nn_ops_for */

uint64_t nnc_seed(void) {
  const char *env = getenv("TW_TEST_SEED");
  uint64_t seed = env && *env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)clock();
  fprintf(stderr, "seed %llu (set TW_TEST_SEED=%llu to repeat this run)\n", (unsigned long long)seed,
          (unsigned long long)seed);
  return seed;
}

int nnc_start(uint64_t *seed, tw_backend **cpu, tw_backend **gpu) {
  tw_test_cuda_or_skip();
  *seed = nnc_seed();
  if (tw_backend_open("cpu", 0, cpu) != TW_OK || tw_backend_open("cuda", 0, gpu) != TW_OK) {
    fprintf(stderr, "cannot open the backends: %s\n", tw_error_message());
    return -1;
  }
  if (!tw_nn_ops_for(*gpu)) {
    fprintf(stderr, "the CUDA backend has no neural-twin table (tw_nn_ops_for is NULL)\n");
    return -1;
  }
  return 0;
}

int nnc_int(tw_rng *rng, int lo, int hi) { return lo + (int)(tw_rng_u32(rng) % (uint32_t)(hi - lo + 1)); }

float nnc_uniform(tw_rng *rng, float lo, float hi) { return lo + (hi - lo) * tw_u01_f32(tw_rng_u32(rng)); }

static void *checked_malloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "test: out of host memory (%zu bytes)\n", bytes);
    abort();
  }
  return p;
}

float *nnc_random(tw_rng *rng, int64_t n, float lo, float hi) {
  float *p = checked_malloc((size_t)n * sizeof *p);
  for (int64_t i = 0; i < n; ++i) p[i] = nnc_uniform(rng, lo, hi);
  return p;
}

float *nnc_poisoned(int64_t n) {
  float *p = checked_malloc((size_t)n * sizeof *p);
  memset(p, 0xFF, (size_t)n * sizeof *p);
  return p;
}

static void must(tw_status st, const char *what) {
  if (st != TW_OK) {
    fprintf(stderr, "test: %s failed: %s\n", what, tw_error_message());
    abort();
  }
}

float *nnc_upload(tw_backend *be, const float *host, int64_t n) {
  if (!host) return NULL;
  void *d = NULL;
  must(be->alloc(be, (size_t)n * sizeof(float), &d), "device alloc");
  must(be->copy(be, d, host, (size_t)n * sizeof(float), TW_COPY_HOST_TO_DEVICE), "upload");
  return d;
}

float *nnc_device_poisoned(tw_backend *be, int64_t n) {
  void *d = NULL;
  must(be->alloc(be, (size_t)n * sizeof(float), &d), "device alloc");
  must(be->fill_bytes(be, d, 0xFF, (size_t)n * sizeof(float)), "poison");
  return d;
}

float *nnc_download(tw_backend *be, const float *dev, int64_t n) {
  float *h = checked_malloc((size_t)n * sizeof *h);
  must(be->copy(be, h, dev, (size_t)n * sizeof(float), TW_COPY_DEVICE_TO_HOST), "download");
  return h;
}

void nnc_device_free(tw_backend *be, void *dev) {
  if (dev) must(be->free(be, dev), "device free");
}

double nnc_rel_err(const float *got, const float *want, int64_t n) {
  double num = 0.0, den = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    if (!isfinite(got[i])) return INFINITY;
    double d = (double)got[i] - (double)want[i];
    num += d * d;
    den += (double)want[i] * want[i];
  }
  return den > 0.0 ? sqrt(num / den) : sqrt(num);
}
