/*
** test_nn_cuda_adamw.c: the CUDA table's adamw_step against the CPU table's, bit
** for bit (gpu label; under the CUDA emulator, emu label, it runs here).
**
** Both call tw_adamw_update of nn/adamw.h with coefficients formed on the host
** by the same tw_adamw_coefs, and the kernel's operations are the explicitly
** rounded __fmul_rn/__fadd_rn/__fdiv_rn/__fsqrt_rn/__fmaf_rn, so nvcc cannot
** contract or approximate them: any difference in any bit of p, m or v after
** several steps is a failure. Fresh random sizes (crossing the 256-thread
** blocks) and inputs each run, seed printed (TW_TEST_SEED repeats it); the
** steps vary lr, step count, weight decay and the clipping scale.
*/
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* free */
#include <string.h> /* memcmp */

#include "backend/backend.h"     /* both backends */
#include "nn/nn_ops.h"           /* tw_nn_ops_cpu, the CUDA table through tw_nn_ops_for */
#include "test_nn_cuda_common.h" /* seed, random arrays, device copies */
#include "tw_test.h"             /* CHECK, TW_TEST_RUN */

static uint64_t seed;
static tw_backend *cpu, *gpu;

static void test_adamw_step_bit_identical(void) {
  for (int rep = 0; rep < 3; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 0, 0);
    const int64_t n = nnc_int(&rng, 1, 70000);
    float *p = nnc_random(&rng, n, -2, 2), *m = nnc_random(&rng, n, -0.1f, 0.1f);
    float *v = nnc_random(&rng, n, 0, 0.01f), *g = nnc_random(&rng, n, -3, 3);
    float *d_p = nnc_upload(gpu, p, n), *d_m = nnc_upload(gpu, m, n), *d_v = nnc_upload(gpu, v, n);
    float *d_g = nnc_upload(gpu, g, n);
    for (int64_t step = 1; step <= 5; ++step) {
      const double lr = 1e-3 * (double)step, wd = step % 2 ? 0.1 : 0.0;
      const float scale = step == 3 ? 0.37f : 1.0f;
      CHECK_OK(tw_nn_ops_cpu.adamw_step(cpu, n, p, g, m, v, lr, 0.9, 0.95, 1e-8, wd, step, scale));
      CHECK_OK(tw_nn_ops_for(gpu)->adamw_step(gpu, n, d_p, d_g, d_m, d_v, lr, 0.9, 0.95, 1e-8, wd, step, scale));
    }
    float *gp = nnc_download(gpu, d_p, n), *gm = nnc_download(gpu, d_m, n), *gv = nnc_download(gpu, d_v, n);
    const size_t bytes = (size_t)n * sizeof(float);
    const int same = !memcmp(gp, p, bytes) && !memcmp(gm, m, bytes) && !memcmp(gv, v, bytes);
    fprintf(stderr, "  adamw_step n=%lld, 5 steps: %s\n", (long long)n, same ? "bit-identical" : "DIFFERENT");
    CHECK_MSG(same, "adamw_step n=%lld: CUDA and CPU differ", (long long)n);
    nnc_device_free(gpu, d_p), nnc_device_free(gpu, d_m), nnc_device_free(gpu, d_v), nnc_device_free(gpu, d_g);
    free(p), free(m), free(v), free(g), free(gp), free(gm), free(gv);
  }
}

int main(void) {
  if (nnc_start(&seed, &cpu, &gpu)) return 1;
  TW_TEST_RUN(test_adamw_step_bit_identical);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
