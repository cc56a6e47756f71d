/*
** test_nn_cuda_adamw.c: the CUDA table's optimiser entries, adamw_step and
** sum_rows, against the CPU table's, bit for bit (gpu label; under the CUDA
** emulator, emu label, it runs here).
**
** Both call tw_adamw_update of nn/adamw.h with coefficients formed on the host
** by the same tw_adamw_coefs, and the kernel's operations are the explicitly
** rounded __fmul_rn/__fadd_rn/__fdiv_rn/__fsqrt_rn/__fmaf_rn, so nvcc cannot
** contract or approximate them: any difference in any bit of p, m or v after
** several steps is a failure. Fresh random sizes (crossing the 256-thread
** blocks) and inputs each run, seed printed (TW_TEST_SEED repeats it); the
** steps vary lr, step count, weight decay and the clipping scale.
**
** sum_rows (the step's gradient from the groups' rows, train_loop.c) must give,
** on both tables, the bits of the host loop training used before it existed:
** row 0 copied, each further row added with `sum[i] += row[i]`, then `sum[i] *=
** scale`. Row counts of 1, up to 64 and 65 to 150: one CUDA launch, one, and
** two or three (64 rows per launch).
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

/* The reference order: training's host sum before sum_rows. */
static void sum_rows_reference(int64_t n, int k, float *const *rows, float scale, float *sum) {
  memcpy(sum, rows[0], (size_t)n * sizeof(float));
  for (int j = 1; j < k; ++j)
    for (int64_t i = 0; i < n; ++i) sum[i] += rows[j][i];
  for (int64_t i = 0; i < n; ++i) sum[i] *= scale;
}

static void test_sum_rows_bit_identical(void) {
  for (int rep = 0; rep < 4; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 1, 0);
    const int64_t n = nnc_int(&rng, 1, 70000);
    const int k = rep == 0 ? 1 : rep == 1 ? nnc_int(&rng, 2, 64) : nnc_int(&rng, 65, 150); /* 1, 1 and 2+ launches */
    const float scale = 1.0f / (float)k;
    float *all = nnc_random(&rng, n * k, -1e3f, 1e3f);
    float *d_all = nnc_upload(gpu, all, n * k);
    float **rows = malloc((size_t)k * sizeof *rows), **d_rows = malloc((size_t)k * sizeof *d_rows);
    CHECK(rows && d_rows);
    for (int j = 0; j < k; ++j) rows[j] = all + (int64_t)j * n, d_rows[j] = d_all + (int64_t)j * n;
    float *want = nnc_poisoned(n), *cpu_out = nnc_poisoned(n), *d_out = nnc_device_poisoned(gpu, n);
    sum_rows_reference(n, k, rows, scale, want);
    CHECK_OK(tw_nn_ops_cpu.sum_rows(cpu, n, k, (const float *const *)rows, scale, cpu_out));
    CHECK_OK(tw_nn_ops_for(gpu)->sum_rows(gpu, n, k, (const float *const *)d_rows, scale, d_out));
    float *gpu_out = nnc_download(gpu, d_out, n);
    const size_t bytes = (size_t)n * sizeof(float);
    const int cpu_same = !memcmp(cpu_out, want, bytes), gpu_same = !memcmp(gpu_out, want, bytes);
    fprintf(stderr, "  sum_rows n=%lld k=%d against the host loop: CPU %s, CUDA %s\n", (long long)n, k,
            cpu_same ? "bit-identical" : "DIFFERENT", gpu_same ? "bit-identical" : "DIFFERENT");
    CHECK_MSG(cpu_same, "sum_rows n=%lld k=%d: the CPU table differs from the host loop", (long long)n, k);
    CHECK_MSG(gpu_same, "sum_rows n=%lld k=%d: the CUDA table differs from the host loop", (long long)n, k);
    nnc_device_free(gpu, d_all), nnc_device_free(gpu, d_out);
    free(all), free(rows), free(d_rows), free(want), free(cpu_out), free(gpu_out);
  }
}

int main(void) {
  if (nnc_start(&seed, &cpu, &gpu)) return 1;
  TW_TEST_RUN(test_adamw_step_bit_identical);
  TW_TEST_RUN(test_sum_rows_bit_identical);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
