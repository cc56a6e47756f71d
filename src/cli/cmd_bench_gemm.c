/*
** cmd_bench_gemm.c: `twinscale bench gemm`: the measured GEMM ceiling.
**
** Times one large square product C = A B (N x N, beta = 0) through the backend
** table, the path every kernel family's products take: OpenBLAS (or the
** reference GEMM) on the CPU, cuBLAS on a GPU. Other benchmarks quote their
** GFLOP/s as a fraction of this figure, measured on the same machine.
**
** Method: two warm-up products (cuBLAS picks its kernel, OpenBLAS starts its
** threads, pages are touched), then R timed products, each followed by
** synchronize() before the clock is read; the median time gives the headline
** rate, 2 N^3 / t. Afterwards 64 entries of C, chosen at random, are checked
** against a float64 dot product, with a bound that holds for any summation
** order (below), so a broken GEMM cannot post a fast time.
**
** Output: a description, then the headline on the last line:
**   gemm cuda fp32 N=4096: <rate> GFLOP/s    (float32; tf32 or bf16 in those modes)
**   gemm cuda f64 N=4096: <rate> GFLOP/s
*/
#include <math.h>   /* sqrt, fabs, ldexp, isfinite */
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strcmp, strchr, strstr */

#include "backend/backend.h" /* the backend under test */
#include "build_info.h"      /* TW_HAVE_OPENBLAS for the description */
#include "cli/bench.h"       /* tw_bench_median */
#include "cli/cli.h"
#include "cli/options.h" /* tw_opts_parse_named */
#include "core/clock.h"  /* tw_now_seconds */
#include "core/random.h" /* Philox inputs */
#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads for the description */
#endif

enum { BENCH_WARMUP = 2, BENCH_CHECKED = 64 };

typedef struct gemm_bench {
  const char *backend;
  int device;
  tw_dtype dtype;
  tw_math_mode math;
  int n, repeats;
} gemm_bench;

static const char *math_name(tw_math_mode m) {
  return m == TW_MATH_TF32 ? "tf32" : m == TW_MATH_BF16 ? "bf16" : "fp32";
}

static const char *const dtypes[] = {"f32", "f64", NULL};
static const char *const maths[] = {"fp32", "tf32", "bf16", NULL};

static int parse_args(int argc, char **argv, gemm_bench *b) {
  int backend = 0, dtype = 0, math = 0; /* cpu, f32, fp32 */
  int64_t n = 0, repeats = 0, device = 0; /* 0: the backend's default */
  const tw_opt opts[] = {
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends_cpu_cuda},
      {.name = "dtype", .kind = TW_OPT_CHOICE, .dest = &dtype, .choices = dtypes},
      {.name = "math", .kind = TW_OPT_CHOICE, .dest = &math, .choices = maths},
      {.name = "size", .kind = TW_OPT_INT, .dest = &n, .min = 1, .max = 65536},
      {.name = "repeats", .kind = TW_OPT_INT, .dest = &repeats, .min = 1, .max = 10000},
      {.name = "device", .kind = TW_OPT_INT, .dest = &device, .min = 0, .max = 1023},
  };
  int bad = tw_opts_parse_named("bench gemm", opts, TW_ARRAY_LEN(opts), argc, argv);
  if (bad) return bad;
  static const tw_math_mode modes[] = {TW_MATH_FP32, TW_MATH_TF32, TW_MATH_BF16};
  const int cuda = !strcmp(tw_opt_backends_cpu_cuda[backend], "cuda");
  *b = (gemm_bench){.backend = tw_opt_backends_cpu_cuda[backend], .device = (int)device,
                    .dtype = dtype ? TW_F64 : TW_F32, .math = modes[math],
                    .n = n ? (int)n : cuda ? 4096 : 2048, .repeats = repeats ? (int)repeats : cuda ? 20 : 5};
  /* The CPU backend computes float32 exactly whatever it is asked, and float64
  ** has no fast mode: a tf32 or bf16 label there would misreport the figure. */
  if (b->math != TW_MATH_FP32 && (b->dtype != TW_F32 || !cuda))
    return tw_cli_usage_error("bench gemm: --math %s needs --backend cuda and --dtype f32", maths[math]);
  return 0;
}

static double element(tw_dtype dtype, const void *p, size_t i) {
  return dtype == TW_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

/* Unit roundoff of the operands as the matrix units see them: float32 rounded to
** 10 (TF32) or 7 (BF16) stored mantissa bits; 2^-p+1 covers truncation too. */
static double operand_roundoff(const gemm_bench *b) {
  if (b->dtype == TW_F64) return ldexp(1.0, -53);
  return b->math == TW_MATH_TF32 ? ldexp(1.0, -10) : b->math == TW_MATH_BF16 ? ldexp(1.0, -7) : ldexp(1.0, -24);
}

/* Checks BENCH_CHECKED random entries of C = A B against float64 dot products.
** For any summation order |c_ij - sum_p a_ip b_pj| <= (2 u_op + n u_acc)
** sum_p |a_ip b_pj| <= (2 u_op + n u_acc) ||a_i|| ||b_j|| (Cauchy-Schwarz, to
** first order), with u_op the operands' roundoff and u_acc the accumulator's;
** the float64 reference dot product adds its own n 2^-53. Returns the largest
** error in units of ||a_i|| ||b_j|| (NaN if any entry is not finite); *bound
** gets the bound. */
static double check_sample(const gemm_bench *b, const void *a, const void *bm, const void *c, double *bound) {
  int n = b->n;
  double u_acc = b->dtype == TW_F64 ? ldexp(1.0, -53) : ldexp(1.0, -24);
  *bound = 2.0 * operand_roundoff(b) + n * u_acc + n * ldexp(1.0, -53);
  tw_rng rng = tw_rng_make(2, 0, 0, 0);
  double worst = 0.0;
  for (int s = 0; s < BENCH_CHECKED; ++s) {
    size_t i = tw_rng_u32(&rng) % (uint32_t)n, j = tw_rng_u32(&rng) % (uint32_t)n;
    double dot = 0.0, na = 0.0, nb = 0.0;
    for (size_t p = 0; p < (size_t)n; ++p) {
      double x = element(b->dtype, a, i * n + p), y = element(b->dtype, bm, p * n + j);
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    double err = fabs(element(b->dtype, c, i * n + j) - dot) / (sqrt(na * nb) + 1e-300);
    if (!isfinite(err)) return err;
    worst = TW_MAX(worst, err);
  }
  return worst;
}

/* Prints what is measured, on which device and with which library. */
static void describe(const gemm_bench *b) {
  printf("gemm: C = A B, square N=%d, %s, beta 0, backend %s", b->n, tw_dtype_name(b->dtype), b->backend);
  if (!strcmp(b->backend, "cuda")) {
    char list[4096], prefix[16];
    tw_backend_cuda_describe(list, sizeof list);
    snprintf(prefix, sizeof prefix, "%d: ", b->device);
    const char *line = strstr(list, prefix);
    const char *end = line ? strchr(line, '\n') : NULL;
    printf(" (device %.*s), cuBLAS", end ? (int)(end - line) : 0, line ? line : "");
    if (b->dtype == TW_F32) printf(", math %s", math_name(b->math));
    printf("\n");
  } else {
#if defined(_OPENMP)
    int threads = omp_get_max_threads();
#else
    int threads = 1;
#endif
    printf(" (%s, %d OpenMP threads)\n", TW_HAVE_OPENBLAS ? "OpenBLAS" : "reference GEMM", threads);
  }
  double flop = 2.0 * b->n * (double)b->n * b->n;
  printf("  work: 2 N^3 = %.2f GFLOP per product; %d warm-up, %d timed products\n", flop * 1e-9, BENCH_WARMUP,
         b->repeats);
}

/* Frees p on be; a failure becomes *st unless an earlier error is already there. */
static void release(tw_backend *be, void *p, tw_status *st) {
  if (!p) return;
  tw_status fs = be->free(be, p);
  if (*st == TW_OK) *st = fs;
}

/* Fills the host matrices, runs the timings into t[], copies C back into hc. */
static tw_status measure(tw_backend *be, const gemm_bench *b, void *ha, void *hb, void *hc, double *t) {
  size_t es = tw_dtype_size(b->dtype), count = (size_t)b->n * b->n, bytes = count * es;
  tw_rng rng = tw_rng_make(1, 0, 0, 0);
  for (size_t i = 0; i < count; ++i) {
    double x = 2.0 * tw_rng_uniform(&rng) - 1.0, y = 2.0 * tw_rng_uniform(&rng) - 1.0;
    if (b->dtype == TW_F32) {
      ((float *)ha)[i] = (float)x;
      ((float *)hb)[i] = (float)y;
    } else {
      ((double *)ha)[i] = x;
      ((double *)hb)[i] = y;
    }
  }
  void *a = NULL, *bm = NULL, *c = NULL;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, be->alloc(be, bytes, &a), done);
  TW_TRY_GOTO(st, be->alloc(be, bytes, &bm), done);
  TW_TRY_GOTO(st, be->alloc(be, bytes, &c), done);
  TW_TRY_GOTO(st, be->copy(be, a, ha, bytes, TW_COPY_HOST_TO_DEVICE), done);
  TW_TRY_GOTO(st, be->copy(be, bm, hb, bytes, TW_COPY_HOST_TO_DEVICE), done);
  /* NaN in C: an element the product fails to write fails the check. */
  TW_TRY_GOTO(st, be->fill_bytes(be, c, 0xFF, bytes), done);
  tw_gemm_batch g = {b->dtype, 0, 0, b->n, b->n, b->n, 1.0, 0.0, a, b->n, 0, bm, b->n, 0, c, b->n, 0, 1};
  be->math_mode = b->math;
  for (int r = -BENCH_WARMUP; r < b->repeats; ++r) {
    double t0 = tw_now_seconds();
    TW_TRY_GOTO(st, be->gemm(be, &g), done);
    TW_TRY_GOTO(st, be->synchronize(be), done);
    if (r >= 0) t[r] = tw_now_seconds() - t0;
  }
  TW_TRY_GOTO(st, be->copy(be, hc, c, bytes, TW_COPY_DEVICE_TO_HOST), done);
done:
  release(be, a, &st);
  release(be, bm, &st);
  release(be, c, &st);
  return st;
}

int tw_cmd_bench_gemm(int argc, char **argv) {
  gemm_bench b;
  int rc = parse_args(argc, argv, &b);
  if (rc) return rc;
  tw_backend *be = NULL;
  tw_status st = tw_backend_open(b.backend, b.device, &be);
  if (st != TW_OK) return tw_cli_fail(st);
  describe(&b);
  fflush(stdout);
  size_t bytes = (size_t)b.n * b.n * tw_dtype_size(b.dtype);
  void *ha = malloc(bytes), *hb = malloc(bytes), *hc = malloc(bytes);
  double *t = malloc((size_t)b.repeats * sizeof *t);
  if (!ha || !hb || !hc || !t) st = TW_FAIL(TW_ERR_NOMEM, "bench gemm: cannot allocate 3 x %zu bytes on the host", bytes);
  else st = measure(be, &b, ha, hb, hc, t);
  double bound = 0.0, err = st == TW_OK ? check_sample(&b, ha, hb, hc, &bound) : 0.0;
  free(ha);
  free(hb);
  free(hc);
  tw_backend_close(be);
  if (st != TW_OK) {
    free(t);
    return tw_cli_fail(st);
  }
  const double median = tw_bench_median(t, b.repeats);
  double flop = 2.0 * b.n * (double)b.n * b.n;
  printf("  time: median %.4f ms (min %.4f, max %.4f)\n", median * 1e3, t[0] * 1e3, t[b.repeats - 1] * 1e3);
  printf("  check: %d random entries vs float64 dot products, largest error %.2e x ||a_i|| ||b_j|| (bound %.2e)\n",
         BENCH_CHECKED, err, bound);
  free(t);
  if (!(err <= bound)) {
    fprintf(stderr, "bench gemm: the product is wrong (error %.3g above the bound %.3g); no rate reported\n", err,
            bound);
    return 1;
  }
  /* The math mode applies to float32 only: float64 is labelled by its type alone. */
  printf("gemm %s %s N=%d: %.1f GFLOP/s\n", b.backend, b.dtype == TW_F32 ? math_name(b.math) : "f64", b.n,
         flop / median * 1e-9);
  return 0;
}
