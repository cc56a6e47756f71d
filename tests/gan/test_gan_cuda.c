/*
** test_gan_cuda.c: the GAN's CUDA kernel table (cuda/gan_ops_cuda.cu) against
** the CPU table (src/gan/nets_ops_cpu.c), entry by entry, then a short
** training on each backend (gpu label, exits 77 without a GPU; under the CUDA
** emulator, gan_cuda_emu with label emu, it runs here).
**
** Entries: fresh random sizes and inputs every run (seed printed, TW_TEST_SEED
** repeats it), outputs poisoned with NaN bytes first, so an element a kernel
** forgets to write, or a padding element it writes, fails. Bounds:
**   - gemm: ||cuda - cpu|| / ||cpu|| <= 1e-5. cuBLAS (or, emulated, the
**     reference loop of src/backend/gemm_ref.c) and OpenBLAS add the k
**     products in different orders; each result is within about sqrt(k)
**     float roundings (k <= 300 here: ~1e-6) of the exact product.
**   - copy2d and adam_step: bit for bit everywhere (a copy; Adam's operations
**     are explicitly rounded, nn/adamw.h, as tests/nn/test_nn_cuda_adamw.c).
**   - every other entry calls the same TW_HD function as the CPU loop, with
**     sums over rows in the same order in double; the kernels are compiled
**     without FMA contraction (--fmad=false). Under the emulator the host's
**     compiler and libm run both sides, so any differing bit is a failure. On
**     a GPU the device's double log, sin and cos (normal draws, the cross
**     entropy's log) may round differently before the conversion to float:
**     there the bound is ||cuda - cpu|| / ||cpu|| <= 1e-6, and the count of
**     differing elements is printed.
** Training: the same tiny table, networks and seed on the CPU backend and on
** the CUDA backend, TRAIN_STEPS steps of tw_gan_train (critic and generator
** updates, every entry on the way), then 250 rows of tw_gan_generate
** (evaluation mode) from each:
**   - against the CPU backend: the generator's and critic's parameters,
**     BatchNorm's running statistics, the loss curves and the sampled rows
**     within TRAIN_TOL = 1e-4 relative (norm). What differs is the products'
**     summation order (OpenBLAS against cuBLAS or the emulator's reference
**     loop); training carries it from step to step, and Adam normalises each
**     update, so a gradient component near zero whose last bits differ can
**     move its parameter by up to lr = 2e-4. Measured under the emulator over
**     24 seeds when written: at most 2.3e-5 (the running statistics and the
**     generator's parameters), the sampled rows 1.4e-5, the losses 1.5e-7,
**     the critic's parameters 1.1e-8 (docs/gan.md, "CUDA kernels"); ten
**     steps reached 4.9e-5, hence six;
**   - under the emulator also against a CPU backend whose products are the
**     reference loop the emulated cuBLAS calls (tw_gemm_ref_f32, the same
**     rounding): then every value must be the same bits, which shows that
**     the products are the only difference, and catches an orchestration or
**     kernel difference far below TRAIN_TOL;
**   - with HDF5, the trainer's whole state written from the device and read
**     on the host, and back, bit for bit (nets_file.c copies through the
**     backend).
*/
#include <math.h>   /* fabs */
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* free, malloc */
#include <string.h> /* memcmp, memcpy, memset */

#include "build_info.h"          /* TW_HAVE_HDF5 */
#include "backend/backend.h"     /* both backends */
#include "backend/gemm_ref.h"    /* tw_gemm_ref_f32: the emulated cuBLAS's products, for the host too */
#include "core/philox.h"         /* tw_philox_block, TW_RNG_TEST */
#include "gan/gan_train.h"       /* the trainer and sampler */
#include "gan/nets_ops.h"        /* tw_gan_ops_cpu, the CUDA table through tw_gan_ops_for */
#if TW_HAVE_HDF5
#include "gan/nets_file.h" /* tw_gan_trainer_write, tw_gan_trainer_read */
#endif
#include "nn/test_nn_cuda_common.h" /* seed, random arrays, device copies, rel_err */
#include "tw_test.h"             /* CHECK, TW_TEST_RUN */

static uint64_t seed;
static tw_backend *cpu, *gpu;
static const tw_gan_ops *cuda;

#if defined(TW_CUDA_EMULATED)
static const int emulated = 1;
#else
static const int emulated = 0;
#endif

enum { TRAIN_STEPS = 6 };
static const double GEMM_TOL = 1e-5, POINTWISE_TOL = 1e-6, TRAIN_TOL = 1e-4;

/* ---- comparison ------------------------------------------------------------ */

/* Elements of got that differ from want in any bit. */
static int64_t differing(const float *got, const float *want, int64_t n) {
  int64_t d = 0;
  for (int64_t i = 0; i < n; ++i) d += memcmp(&got[i], &want[i], sizeof(float)) != 0;
  return d;
}

/* The (rows, cols) block of a buffer with leading dimension ld, packed. */
static float *pack(int64_t rows, int cols, int64_t ld, const float *src) {
  float *p = nnc_poisoned(rows * cols);
  for (int64_t r = 0; r < rows; ++r) memcpy(p + r * cols, src + r * ld, (size_t)cols * sizeof(float));
  return p;
}

/* got (rows, cols; ld) of the CUDA table against want of the CPU's: `exact`
** demands every bit; else bits under the emulator and POINTWISE_TOL on a GPU.
** Padding columns [cols, ld) of got must still hold the poison. */
static void compare(const char *what, int64_t rows, int cols, int64_t ld, const float *got, const float *want,
                    int exact) {
  float *g = pack(rows, cols, ld, got), *w = pack(rows, cols, ld, want);
  const int64_t n = rows * cols, diff = differing(g, w, n);
  const double rel = nnc_rel_err(g, w, n);
  int64_t padding_written = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = cols; j < ld; ++j) {
      uint32_t bits;
      memcpy(&bits, &got[r * ld + j], sizeof bits);
      padding_written += bits != 0xFFFFFFFFu;
    }
  fprintf(stderr, "  %-34s %7lld elements: %lld differ, rel %.3g\n", what, (long long)n, (long long)diff, rel);
  CHECK_MSG(padding_written == 0, "%s: %lld padding elements written", what, (long long)padding_written);
  if (exact || emulated)
    CHECK_MSG(diff == 0, "%s: %lld of %lld elements differ from the CPU's (rel %.3g)", what, (long long)diff,
              (long long)n, rel);
  else
    CHECK_MSG(rel <= POINTWISE_TOL, "%s: rel %.3g > %.1g", what, rel, POINTWISE_TOL);
  free(g), free(w);
}

/* The CUDA output d (n floats) downloaded and compared with the CPU's h. */
static void compare_dev(const char *what, int64_t rows, int cols, int64_t ld, const float *d, const float *h,
                        int exact) {
  float *g = nnc_download(gpu, d, rows * ld);
  compare(what, rows, cols, ld, g, h, exact);
  free(g);
}

/* Host and device copies of one input or output. */
typedef struct pair {
  float *h, *d;
  int64_t n;
} pair;

static pair pair_of(const float *host, int64_t n) {
  pair p = {nnc_poisoned(n), NULL, n};
  memcpy(p.h, host, (size_t)n * sizeof(float));
  p.d = nnc_upload(gpu, p.h, n);
  return p;
}
static pair pair_random(tw_rng *rng, int64_t n, float lo, float hi) {
  float *h = nnc_random(rng, n, lo, hi);
  pair p = pair_of(h, n);
  free(h);
  return p;
}
static pair pair_poisoned(int64_t n) {
  pair p = {nnc_poisoned(n), nnc_device_poisoned(gpu, n), n};
  return p;
}
static void pair_free(pair *p) {
  free(p->h);
  nnc_device_free(gpu, p->d);
}

/* ---- products -------------------------------------------------------------- */

static void test_gemm(void) {
  for (int rep = 0; rep < 8; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 1, 0);
    const int ta = rep & 1, tb = (rep >> 1) & 1;
    const float beta = rep & 4 ? 1.0f : 0.0f;
    const int64_t m = nnc_int(&rng, 1, 300), n = nnc_int(&rng, 1, 300), k = nnc_int(&rng, 1, 300);
    const int64_t lda = (ta ? m : k) + nnc_int(&rng, 0, 3), ldb = (tb ? k : n) + nnc_int(&rng, 0, 3);
    const int64_t ldc = n + nnc_int(&rng, 0, 3);
    pair a = pair_random(&rng, (ta ? k : m) * lda, -1, 1), b = pair_random(&rng, (tb ? n : k) * ldb, -1, 1);
    pair c = beta != 0.0f ? pair_random(&rng, m * ldc, -1, 1) : pair_poisoned(m * ldc);
    if (beta != 0.0f) /* padding poisoned on both, data random */
      for (int64_t r = 0; r < m; ++r)
        for (int64_t j = n; j < ldc; ++j) memset(&c.h[r * ldc + j], 0xFF, sizeof(float));
    if (beta != 0.0f) nnc_device_free(gpu, c.d), c.d = nnc_upload(gpu, c.h, c.n);
    CHECK_OK(tw_gan_ops_cpu.gemm(cpu, ta, tb, m, n, k, a.h, lda, b.h, ldb, beta, c.h, ldc));
    CHECK_OK(cuda->gemm(gpu, ta, tb, m, n, k, a.d, lda, b.d, ldb, beta, c.d, ldc));
    float *g = nnc_download(gpu, c.d, c.n), *gp = pack(m, (int)n, ldc, g), *wp = pack(m, (int)n, ldc, c.h);
    const double rel = nnc_rel_err(gp, wp, m * n);
    fprintf(stderr, "  gemm ta=%d tb=%d beta=%g (%lld,%lld,%lld): rel %.3g\n", ta, tb, beta, (long long)m,
            (long long)n, (long long)k, rel);
    CHECK_MSG(rel <= GEMM_TOL, "gemm (%lld,%lld,%lld): rel %.3g > %.1g", (long long)m, (long long)n, (long long)k,
              rel, GEMM_TOL);
    free(g), free(gp), free(wp);
    pair_free(&a), pair_free(&b), pair_free(&c);
  }
}

/* ---- random draws and copies ----------------------------------------------- */

static void test_fill_random(void) {
  static const char *const kinds[] = {"normal", "uniform", "gumbel", "dropout"};
  for (int rep = 0; rep < 12; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 2, 0);
    const tw_gan_draw kind = (tw_gan_draw)(rep % 4);
    const int mode = rep / 4; /* one stream; a stream per row; one stream, rows apart */
    const int64_t rows = nnc_int(&rng, 1, 200);
    const int cols = nnc_int(&rng, 1, 150);
    const int64_t ld = cols + nnc_int(&rng, 0, 5);
    const tw_gan_stream s = {.seed = tw_rng_u32(&rng), .twin0 = tw_rng_u32(&rng), .twin_per_row = mode == 1,
                             .purpose = TW_RNG_TEST, .index0 = (uint32_t)nnc_int(&rng, 0, 9),
                             .row_elems = mode == 0 ? cols : mode == 1 ? 0 : cols + nnc_int(&rng, 1, 7)};
    pair out = pair_poisoned(rows * ld);
    CHECK_OK(tw_gan_ops_cpu.fill_random(cpu, kind, rows, cols, &s, 0.5f, out.h, ld));
    CHECK_OK(cuda->fill_random(gpu, kind, rows, cols, &s, 0.5f, out.d, ld));
    char what[64];
    snprintf(what, sizeof what, "fill_random %s, mode %d", kinds[kind], mode);
    compare_dev(what, rows, cols, ld, out.d, out.h, 0);
    pair_free(&out);
  }
}

static void test_copy2d(void) {
  tw_rng rng = tw_rng_make(seed, 0, 3, 0);
  const int64_t rows = nnc_int(&rng, 1, 300);
  const int cols = nnc_int(&rng, 1, 100);
  const int64_t lds = cols + nnc_int(&rng, 0, 4), ldd = cols + nnc_int(&rng, 1, 4);
  pair src = pair_random(&rng, rows * lds, -5, 5), dst = pair_poisoned(rows * ldd);
  CHECK_OK(tw_gan_ops_cpu.copy2d(cpu, rows, cols, src.h, lds, dst.h, ldd));
  CHECK_OK(cuda->copy2d(gpu, rows, cols, src.d, lds, dst.d, ldd));
  compare_dev("copy2d", rows, cols, ldd, dst.d, dst.h, 1);
  pair_free(&src), pair_free(&dst);
}

/* ---- BatchNorm + ReLU ------------------------------------------------------ */

typedef struct bn_case {
  int64_t rows, ldo;
  int n;
  pair f, gamma, beta, mean, invstd, rmean, rvar, out;
} bn_case;

static bn_case bn_make(tw_rng *rng) {
  bn_case c;
  c.rows = nnc_int(rng, 2, 600);
  c.n = nnc_int(rng, 1, 300);
  c.ldo = c.n + nnc_int(rng, 0, 5);
  c.f = pair_random(rng, c.rows * c.n, -3, 4);
  c.gamma = pair_random(rng, c.n, 0.5f, 1.5f);
  c.beta = pair_random(rng, c.n, -0.5f, 0.5f);
  c.mean = pair_poisoned(c.n);
  c.invstd = pair_poisoned(c.n);
  c.rmean = pair_random(rng, c.n, -1, 1);
  c.rvar = pair_random(rng, c.n, 0.5f, 2);
  c.out = pair_poisoned(c.rows * c.ldo);
  return c;
}

static void bn_free(bn_case *c) {
  pair *all[] = {&c->f, &c->gamma, &c->beta, &c->mean, &c->invstd, &c->rmean, &c->rvar, &c->out};
  for (size_t i = 0; i < sizeof all / sizeof *all; ++i) pair_free(all[i]);
}

static void bn_train(bn_case *c, int running) {
  CHECK_OK(tw_gan_ops_cpu.bn_train_forward(cpu, c->rows, c->n, c->f.h, c->gamma.h, c->beta.h, 1e-5f, 0.1f,
                                           c->mean.h, c->invstd.h, running ? c->rmean.h : NULL,
                                           running ? c->rvar.h : NULL, c->out.h, c->ldo));
  CHECK_OK(cuda->bn_train_forward(gpu, c->rows, c->n, c->f.d, c->gamma.d, c->beta.d, 1e-5f, 0.1f, c->mean.d,
                                  c->invstd.d, running ? c->rmean.d : NULL, running ? c->rvar.d : NULL, c->out.d,
                                  c->ldo));
}

static void test_bn_forward(void) {
  for (int rep = 0; rep < 2; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 4, 0);
    bn_case c = bn_make(&rng);
    bn_train(&c, rep == 0);
    compare_dev("bn_train_forward mean", 1, c.n, c.n, c.mean.d, c.mean.h, 0);
    compare_dev("bn_train_forward invstd", 1, c.n, c.n, c.invstd.d, c.invstd.h, 0);
    compare_dev("bn_train_forward running_mean", 1, c.n, c.n, c.rmean.d, c.rmean.h, 0);
    compare_dev("bn_train_forward running_var", 1, c.n, c.n, c.rvar.d, c.rvar.h, 0);
    compare_dev("bn_train_forward out", c.rows, c.n, c.ldo, c.out.d, c.out.h, 0);
    pair out = pair_poisoned(c.rows * c.ldo);
    CHECK_OK(tw_gan_ops_cpu.bn_eval_forward(cpu, c.rows, c.n, c.f.h, c.gamma.h, c.beta.h, 1e-5f, c.rmean.h,
                                            c.rvar.h, out.h, c.ldo));
    CHECK_OK(cuda->bn_eval_forward(gpu, c.rows, c.n, c.f.d, c.gamma.d, c.beta.d, 1e-5f, c.rmean.d, c.rvar.d, out.d,
                                   c.ldo));
    compare_dev("bn_eval_forward out", c.rows, c.n, c.ldo, out.d, out.h, 0);
    pair_free(&out);
    bn_free(&c);
  }
}

/* The backward from the CPU's forward (so out has its ReLU zeros) on both. */
static void test_bn_backward(void) {
  tw_rng rng = tw_rng_make(seed, 0, 5, 0);
  bn_case c = bn_make(&rng);
  bn_train(&c, 1);
  const int64_t ldd = c.ldo + nnc_int(&rng, 0, 3);
  pair mean = pair_of(c.mean.h, c.n), invstd = pair_of(c.invstd.h, c.n), out = pair_of(c.out.h, c.out.n);
  pair dout = pair_random(&rng, c.rows * ldd, -1, 1), df = pair_poisoned(c.rows * c.n);
  pair dgamma = pair_random(&rng, c.n, -1, 1), dbeta = pair_random(&rng, c.n, -1, 1);
  CHECK_OK(tw_gan_ops_cpu.bn_relu_backward(cpu, c.rows, c.n, c.f.h, mean.h, invstd.h, c.gamma.h, out.h, c.ldo,
                                           dout.h, ldd, df.h, dgamma.h, dbeta.h));
  CHECK_OK(cuda->bn_relu_backward(gpu, c.rows, c.n, c.f.d, mean.d, invstd.d, c.gamma.d, out.d, c.ldo, dout.d, ldd,
                                  df.d, dgamma.d, dbeta.d));
  compare_dev("bn_relu_backward df", c.rows, c.n, c.n, df.d, df.h, 0);
  compare_dev("bn_relu_backward dgamma", 1, c.n, c.n, dgamma.d, dgamma.h, 0);
  compare_dev("bn_relu_backward dbeta", 1, c.n, c.n, dbeta.d, dbeta.h, 0);
  pair *all[] = {&mean, &invstd, &out, &dout, &df, &dgamma, &dbeta};
  for (size_t i = 0; i < sizeof all / sizeof *all; ++i) pair_free(all[i]);
  bn_free(&c);
}

/* ---- critic element maps --------------------------------------------------- */

/* Dropout masks (0 or 2) from the CPU fill (its own test is above). */
static pair masks(tw_rng *rng, int64_t count) {
  float *h = nnc_poisoned(count);
  const tw_gan_stream s = {.seed = tw_rng_u32(rng), .twin0 = 1, .purpose = TW_RNG_TEST, .row_elems = count};
  if (tw_gan_ops_cpu.fill_random(cpu, TW_GAN_DRAW_DROPOUT, 1, (int)count, &s, 0.5f, h, count) != TW_OK) {
    fprintf(stderr, "test: the CPU's dropout fill failed: %s\n", tw_error_message());
    abort();
  }
  pair p = pair_of(h, count);
  free(h);
  return p;
}

static void test_leaky(void) {
  tw_rng rng = tw_rng_make(seed, 0, 6, 0);
  const int64_t count = nnc_int(&rng, 1, 60000);
  pair a = pair_random(&rng, count, -2, 2), mask = masks(&rng, count), dh = pair_random(&rng, count, -1, 1);
  pair h = pair_poisoned(count), da = pair_poisoned(count);
  CHECK_OK(tw_gan_ops_cpu.leaky_dropout(cpu, count, a.h, mask.h, 0.2f, h.h));
  CHECK_OK(cuda->leaky_dropout(gpu, count, a.d, mask.d, 0.2f, h.d));
  compare_dev("leaky_dropout", 1, (int)count, count, h.d, h.h, 0);
  CHECK_OK(tw_gan_ops_cpu.leaky_dropout_grad(cpu, count, a.h, mask.h, dh.h, 0.2f, da.h));
  CHECK_OK(cuda->leaky_dropout_grad(gpu, count, a.d, mask.d, dh.d, 0.2f, da.d));
  compare_dev("leaky_dropout_grad", 1, (int)count, count, da.d, da.h, 0);
  /* in place, as the double backward calls it */
  CHECK_OK(tw_gan_ops_cpu.leaky_dropout_grad(cpu, count, a.h, mask.h, dh.h, 0.2f, dh.h));
  CHECK_OK(cuda->leaky_dropout_grad(gpu, count, a.d, mask.d, dh.d, 0.2f, dh.d));
  compare_dev("leaky_dropout_grad in place", 1, (int)count, count, dh.d, dh.h, 0);
  pair_free(&a), pair_free(&mask), pair_free(&dh), pair_free(&h), pair_free(&da);
}

/* ---- output activations and the conditional loss --------------------------- */

/* A random layout: continuous columns (TANH 1 + SOFTMAX 2..6) and discrete
** ones (SOFTMAX 2..8), the discrete ones conditioned on. */
typedef struct layout {
  tw_gan_span spans[64];
  int cond_span[64];
  int n_spans, n_cond, width, cond_width;
  tw_gan_span *d_spans;
  int *d_cond_span;
} layout;

static void layout_make(tw_rng *rng, layout *l) {
  memset(l, 0, sizeof *l);
  const int columns = nnc_int(rng, 1, 12);
  for (int c = 0; c < columns; ++c) {
    if (nnc_int(rng, 0, 1)) {
      l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_TANH, l->width, 1, c};
      l->width += 1;
      const int w = nnc_int(rng, 2, 6);
      l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, l->width, w, c};
      l->width += w;
    } else {
      const int w = nnc_int(rng, 2, 8);
      l->cond_span[l->n_cond++] = l->n_spans;
      l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, l->width, w, c};
      l->width += w;
      l->cond_width += w;
    }
  }
  void *d = NULL;
  CHECK_OK(gpu->alloc(gpu, sizeof l->spans + sizeof l->cond_span, &d));
  CHECK_OK(gpu->copy(gpu, d, l->spans, sizeof l->spans, TW_COPY_HOST_TO_DEVICE));
  CHECK_OK(gpu->copy(gpu, (char *)d + sizeof l->spans, l->cond_span, sizeof l->cond_span, TW_COPY_HOST_TO_DEVICE));
  l->d_spans = d;
  l->d_cond_span = (int *)((char *)d + sizeof l->spans);
}

static void test_activate(void) {
  for (int rep = 0; rep < 3; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 7, 0);
    layout l;
    layout_make(&rng, &l);
    const int64_t rows = nnc_int(&rng, 1, 400), W = l.width, ldo = W + l.cond_width, ldd = ldo + nnc_int(&rng, 0, 2);
    pair raw = pair_random(&rng, rows * W, -3, 3), gumbel = pair_random(&rng, rows * W, -2, 5);
    pair out = pair_poisoned(rows * ldo), dout = pair_random(&rng, rows * ldd, -1, 1), draw = pair_poisoned(rows * W);
    CHECK_OK(tw_gan_ops_cpu.activate(cpu, rows, l.width, l.n_spans, l.spans, raw.h, gumbel.h, 0.2f, out.h, ldo));
    CHECK_OK(cuda->activate(gpu, rows, l.width, l.n_spans, l.d_spans, raw.d, gumbel.d, 0.2f, out.d, ldo));
    compare_dev("activate", rows, l.width, ldo, out.d, out.h, 0);
    pair out_cpu = pair_of(out.h, out.n); /* the backward from the same activations on both */
    CHECK_OK(tw_gan_ops_cpu.activate_backward(cpu, rows, l.width, l.n_spans, l.spans, out_cpu.h, ldo, dout.h, ldd,
                                              0.2f, draw.h));
    CHECK_OK(cuda->activate_backward(gpu, rows, l.width, l.n_spans, l.d_spans, out_cpu.d, ldo, dout.d, ldd, 0.2f,
                                     draw.d));
    compare_dev("activate_backward", rows, l.width, W, draw.d, draw.h, 0);
    pair_free(&raw), pair_free(&gumbel), pair_free(&out), pair_free(&dout), pair_free(&draw), pair_free(&out_cpu);
    nnc_device_free(gpu, l.d_spans);
  }
}

static void test_cond_loss(void) {
  for (int rep = 0; rep < 3; ++rep) {
    tw_rng rng = tw_rng_make(seed, (uint64_t)rep, 8, 0);
    layout l;
    for (;;) { /* a layout with a conditioned column */
      layout_make(&rng, &l);
      if (l.n_cond) break;
      nnc_device_free(gpu, l.d_spans);
    }
    const int64_t rows = nnc_int(&rng, 1, 400), ldc = l.cond_width + nnc_int(&rng, 0, 30);
    float *cond = calloc((size_t)(rows * ldc), sizeof(float)), *mask = calloc((size_t)(rows * l.n_cond), sizeof(float));
    CHECK(cond && mask);
    for (int64_t r = 0; r < rows; ++r) { /* one conditioned column per row, CTGAN's m1 and c1 */
      const int k = nnc_int(&rng, 0, l.n_cond - 1);
      int off = 0;
      for (int q = 0; q < k; ++q) off += l.spans[l.cond_span[q]].width;
      mask[r * l.n_cond + k] = 1.0f;
      cond[r * ldc + off + nnc_int(&rng, 0, l.spans[l.cond_span[k]].width - 1)] = 1.0f;
    }
    pair c = pair_of(cond, rows * ldc), m = pair_of(mask, rows * l.n_cond);
    pair raw = pair_random(&rng, rows * l.width, -4, 4), draw = pair_random(&rng, rows * l.width, -1, 1);
    pair loss = pair_poisoned(rows);
    const float scale = 1.0f / (float)rows;
    CHECK_OK(tw_gan_ops_cpu.cond_loss(cpu, rows, l.width, l.spans, l.n_cond, l.cond_span, raw.h, c.h, ldc, m.h, scale,
                                      draw.h, loss.h));
    CHECK_OK(cuda->cond_loss(gpu, rows, l.width, l.d_spans, l.n_cond, l.d_cond_span, raw.d, c.d, ldc, m.d, scale,
                             draw.d, loss.d));
    compare_dev("cond_loss loss_rows", 1, (int)rows, rows, loss.d, loss.h, 0);
    compare_dev("cond_loss draw", rows, l.width, l.width, draw.d, draw.h, 0);
    pair_free(&c), pair_free(&m), pair_free(&raw), pair_free(&draw), pair_free(&loss);
    free(cond), free(mask);
    nnc_device_free(gpu, l.d_spans);
  }
}

/* ---- gradient penalty and optimiser ---------------------------------------- */

static void test_penalty(void) {
  tw_rng rng = tw_rng_make(seed, 0, 9, 0);
  const int64_t groups = nnc_int(&rng, 2, 80), n = nnc_int(&rng, 1, 2000);
  pair alpha = pair_random(&rng, groups, 0, 1), real = pair_random(&rng, groups * n, -1, 1);
  pair fake = pair_random(&rng, groups * n, -1, 1), out = pair_poisoned(groups * n);
  CHECK_OK(tw_gan_ops_cpu.interpolate(cpu, groups, n, alpha.h, real.h, fake.h, out.h));
  CHECK_OK(cuda->interpolate(gpu, groups, n, alpha.d, real.d, fake.d, out.d));
  compare_dev("interpolate", groups, (int)n, n, out.d, out.h, 0);
  float *gx = nnc_random(&rng, groups * n, -0.1f, 0.1f);
  memset(gx, 0, (size_t)n * sizeof(float)); /* group 0's norm is 0: torch's zero gradient */
  pair g = pair_of(gx, groups * n), dgx = pair_poisoned(groups * n), terms = pair_poisoned(groups);
  CHECK_OK(tw_gan_ops_cpu.penalty(cpu, groups, n, g.h, 10.0f / (float)groups, dgx.h, terms.h));
  CHECK_OK(cuda->penalty(gpu, groups, n, g.d, 10.0f / (float)groups, dgx.d, terms.d));
  compare_dev("penalty terms", 1, (int)groups, groups, terms.d, terms.h, 0);
  compare_dev("penalty dgx", groups, (int)n, n, dgx.d, dgx.h, 0);
  pair_free(&alpha), pair_free(&real), pair_free(&fake), pair_free(&out), pair_free(&g), pair_free(&dgx);
  pair_free(&terms), free(gx);
}

static void test_adam(void) {
  tw_rng rng = tw_rng_make(seed, 0, 10, 0);
  const int64_t n = nnc_int(&rng, 1, 70000);
  pair p = pair_random(&rng, n, -1, 1), g = pair_random(&rng, n, -1, 1);
  pair m = pair_random(&rng, n, -0.1f, 0.1f), v = pair_random(&rng, n, 0, 0.01f);
  for (int64_t t = 1; t <= 3; ++t) {
    const tw_adamw_coef c = tw_adam_coefs(2e-4 * (double)t, 0.5, 0.9, 1e-8, t == 2 ? 0.0 : 1e-6, t, 1.0f);
    CHECK_OK(tw_gan_ops_cpu.adam_step(cpu, n, p.h, g.h, m.h, v.h, c));
    CHECK_OK(cuda->adam_step(gpu, n, p.d, g.d, m.d, v.d, c));
  }
  compare_dev("adam_step p (3 steps)", 1, (int)n, n, p.d, p.h, 1);
  compare_dev("adam_step m", 1, (int)n, n, m.d, m.h, 1);
  compare_dev("adam_step v", 1, (int)n, n, v.d, v.h, 1);
  pair_free(&p), pair_free(&g), pair_free(&m), pair_free(&v);
}

/* ---- a short training on each backend -------------------------------------- */

/* The tiny table: x (TANH + a 2-mode one-hot) and d (3 categories, conditioned). */
enum { WIDTH = 6, COND = 3 };
static tw_gan_span SPANS[3] = {{TW_GAN_SPAN_TANH, 0, 1, 0}, {TW_GAN_SPAN_SOFTMAX, 1, 2, 0},
                               {TW_GAN_SPAN_SOFTMAX, 3, 3, 1}};
static int COND_SPAN[1] = {2};
static const tw_gan_layout LAYOUT = {WIDTH, 3, SPANS, COND, 1, COND_SPAN};

/* A data source deterministic in (seed, step, phase, k): category d from
** Philox, the mode d == 2, x's offset uniform in [-0.9, 0.9]. */
static tw_status data_source(void *ctx, uint64_t s, int64_t step, tw_gan_phase phase, int k, int64_t batch,
                             const tw_gan_batch *out) {
  for (int64_t i = 0; i < batch; ++i) {
    uint32_t r[4];
    tw_philox_block(s, (uint64_t)(step * 4 + phase * 2 + k), TW_RNG_TEST, (uint32_t)i, r);
    const int d = (int)(r[0] % 3);
    memset(out->cond + i * COND, 0, COND * sizeof(float));
    out->cond[i * COND + d] = 1.0f;
    out->mask[i] = 1.0f;
    if (phase == TW_GAN_PHASE_GENERATOR) continue;
    float *row = out->real + i * WIDTH;
    memset(row, 0, WIDTH * sizeof(float));
    row[0] = 1.8f * tw_u01_f32(r[1]) - 0.9f;
    row[1 + (d == 2)] = 1.0f;
    row[3 + d] = 1.0f;
    memcpy(out->real_cond + i * COND, out->cond + i * COND, COND * sizeof(float));
  }
  return TW_OK;
}

static tw_status train_on(tw_backend *be, tw_gan_trainer **out) {
  tw_gan_sizes sz = tw_gan_sizes_default(WIDTH, COND);
  sz.embedding = 16;
  sz.gen[0] = sz.gen[1] = 32;
  sz.dis[0] = sz.dis[1] = 32;
  tw_gan_train_opts o = tw_gan_train_defaults(1000, sz.pac, seed);
  o.steps = TRAIN_STEPS;
  o.batch = 60;
  TW_TRY(tw_gan_trainer_create(be, &LAYOUT, &sz, &o, out));
  return tw_gan_train(*out, data_source, NULL, 0);
}

/* A device buffer of the GPU trainer against the CPU trainer's host buffer. */
static double rel_dev(const float *d, const float *h, int64_t n, int64_t *diff) {
  float *g = nnc_download(gpu, d, n);
  const double rel = nnc_rel_err(g, h, n);
  *diff = differing(g, h, n);
  free(g);
  return rel;
}

static void check_train(const char *what, double rel, int64_t diff, int64_t n, int exact) {
  fprintf(stderr, "    after %d steps, %-22s %6lld values: %lld differ, rel %.3g\n", TRAIN_STEPS, what, (long long)n,
          (long long)diff, rel);
  if (exact) CHECK_MSG(diff == 0, "training: %s: %lld values differ (rel %.3g)", what, (long long)diff, rel);
  else CHECK_MSG(rel <= TRAIN_TOL, "training: %s rel %.3g > %.1g", what, rel, TRAIN_TOL);
}

/* Rows sampled from both trained generators (evaluation mode). */
static void compare_samples(tw_gan_trainer *tc, tw_gan_trainer *tg, int exact) {
  enum { ROWS = 250 };
  float *cond = calloc(ROWS * COND, sizeof(float)), *hc = nnc_poisoned(ROWS * WIDTH), *hg = nnc_poisoned(ROWS * WIDTH);
  CHECK(cond != NULL);
  for (int i = 0; i < ROWS; ++i) cond[i * COND + i % COND] = 1.0f;
  tw_gan_sampler *sc = NULL, *sg = NULL;
  CHECK_OK(tw_gan_sampler_create(tc->nets, seed, &sc));
  CHECK_OK(tw_gan_sampler_create(tg->nets, seed, &sg));
  if (sc && sg) {
    CHECK_OK(tw_gan_generate(sc, ROWS, cond, 7, hc));
    CHECK_OK(tw_gan_generate(sg, ROWS, cond, 7, hg));
    check_train("sampled rows", nnc_rel_err(hg, hc, ROWS * WIDTH), differing(hg, hc, ROWS * WIDTH), ROWS * WIDTH,
                exact);
  }
  tw_gan_sampler_destroy(sc), tw_gan_sampler_destroy(sg);
  free(cond), free(hc), free(hg);
}

/* The trained state of the GPU trainer tg against a host trainer tc: every
** bit (exact) or within TRAIN_TOL. */
static void compare_trainers(const char *host, tw_gan_trainer *tc, tw_gan_trainer *tg, int exact) {
  fprintf(stderr, "  CUDA against %s:\n", host);
  const tw_gan_map *m = &tc->nets->map;
  const float *dev[3] = {tg->nets->g, tg->nets->d, tg->nets->stats}, *hst[3] = {tc->nets->g, tc->nets->d,
                                                                             tc->nets->stats};
  const int64_t len[3] = {m->gen.total, m->dis.total, m->stats.total};
  static const char *const what[3] = {"generator parameters", "critic parameters", "running statistics"};
  for (int i = 0; i < 3; ++i) {
    int64_t diff = 0;
    const double rel = rel_dev(dev[i], hst[i], len[i], &diff);
    check_train(what[i], rel, diff, len[i], exact);
  }
  int64_t curve_diff = 0;
  double curve_rel = 0.0;
  for (int64_t s = 0; s < TRAIN_STEPS; ++s) {
    const tw_gan_losses *lc = &tc->curve[s], *lg = &tg->curve[s];
    const float a[4] = {lc->critic, lc->penalty, lc->generator, lc->cond};
    const float b[4] = {lg->critic, lg->penalty, lg->generator, lg->cond};
    const double r = nnc_rel_err(b, a, 4);
    curve_rel = r > curve_rel ? r : curve_rel;
    curve_diff += differing(b, a, 4);
  }
  check_train("losses (worst step)", curve_rel, curve_diff, 4 * TRAIN_STEPS, exact);
  compare_samples(tc, tg, exact);
}

/* The CPU backend with the reference products (tw_gemm_ref_f32, which the
** emulated cuBLAS also calls): with every other entry bit-identical, the whole
** training must then be too, so any difference in the orchestration or an
** entry shows, not only those above the products' rounding. */
static tw_status ref_gemm(tw_backend *be, const tw_gemm_batch *g) {
  if (g->dtype != TW_F32) return TW_FAIL(TW_ERR_INTERNAL, "test: the reference backend is float32 only");
  for (int i = 0; i < g->batch; ++i)
    tw_gemm_ref_f32(g->trans_a, g->trans_b, g->m, g->n, g->k, (float)g->alpha, (const float *)g->a + i * g->stride_a,
                    g->lda, (const float *)g->b + i * g->stride_b, g->ldb, (float)g->beta,
                    (float *)g->c + i * g->stride_c, g->ldc);
  return TW_OK;
}

static void test_training(void) {
  tw_gan_trainer *tc = NULL, *tg = NULL, *tr = NULL;
  tw_backend *ref = NULL;
  CHECK_OK(train_on(cpu, &tc));
  CHECK_OK(train_on(gpu, &tg));
  if (tc && tg && tc->step == TRAIN_STEPS && tg->step == TRAIN_STEPS) compare_trainers("the CPU", tc, tg, 0);
  if (emulated && tg && tg->step == TRAIN_STEPS) {
    CHECK_OK(tw_backend_open("cpu", 0, &ref));
    if (ref) ref->gemm = ref_gemm;
    if (ref) CHECK_OK(train_on(ref, &tr));
    if (tr && tr->step == TRAIN_STEPS) compare_trainers("the CPU with reference products", tr, tg, 1);
  }
  tw_gan_trainer_destroy(tc), tw_gan_trainer_destroy(tg), tw_gan_trainer_destroy(tr);
  if (ref) tw_backend_close(ref);
}

#if TW_HAVE_HDF5
/* Buffer i of a trainer's state (parameters, statistics, Adam's moments) and its length. */
static const float *state_buf(const tw_gan_trainer *t, int i, int64_t *n) {
  const tw_gan_map *m = &t->nets->map;
  const float *b[7] = {t->nets->g, t->nets->d, t->nets->stats, t->g_m, t->g_v, t->d_m, t->d_v};
  const int64_t len[7] = {m->gen.total, m->dis.total, m->stats.total, m->gen.total, m->gen.total, m->dis.total,
                          m->dis.total};
  *n = len[i];
  return b[i];
}

/* The whole state of two trainers, each on its backend, bit for bit: the
** values that differ (the counters and the loss curves count one). */
static int64_t state_differs(const tw_gan_trainer *a, tw_backend *ba, const tw_gan_trainer *b, tw_backend *bb) {
  int64_t diff = a->step != b->step || a->critic_updates != b->critic_updates ||
                 a->nets->bn_batches != b->nets->bn_batches;
  if (!diff) diff += memcmp(a->curve, b->curve, (size_t)a->step * sizeof(tw_gan_losses)) != 0; /* host, both */
  for (int i = 0; i < 7; ++i) {
    int64_t n = 0;
    const float *pa = state_buf(a, i, &n), *pb = state_buf(b, i, &n);
    float *ha = nnc_download(ba, pa, n), *hb = nnc_download(bb, pb, n);
    diff += differing(ha, hb, n);
    free(ha), free(hb);
  }
  return diff;
}

/* A checkpoint written from the device is read on the host, and one written
** from the host on the device: every value of the state the same bits (the
** model file code copies through the backend, nets_file.c). */
static void test_model_file(void) {
  const char *path = TW_BINARY_DIR "/test_gan_cuda_ckpt.h5";
  tw_gan_trainer *tg = NULL, *tc = NULL, *tg2 = NULL;
  CHECK_OK(train_on(gpu, &tg));
  tw_h5_file *f = NULL;
  if (!tg) return;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  if (f) CHECK_OK(tw_gan_trainer_write(f, tg));
  if (f) CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_gan_trainer_create(cpu, &LAYOUT, &tg->nets->sz, &tg->opts, &tc));
  CHECK_OK(tw_gan_trainer_create(gpu, &LAYOUT, &tg->nets->sz, &tg->opts, &tg2));
  if (tc && tg2 && tw_h5_open(path, NULL, &f) == TW_OK) {
    CHECK_OK(tw_gan_trainer_read(f, tc));
    CHECK_OK(tw_h5_close(f));
    const int64_t d1 = state_differs(tc, cpu, tg, gpu);
    CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
    CHECK_OK(tw_gan_trainer_write(f, tc));
    CHECK_OK(tw_h5_close(f));
    CHECK_OK(tw_h5_open(path, NULL, &f));
    CHECK_OK(tw_gan_trainer_read(f, tg2));
    CHECK_OK(tw_h5_close(f));
    const int64_t d2 = state_differs(tg2, gpu, tg, gpu);
    fprintf(stderr, "  checkpoint device -> host: %lld values differ; host -> device: %lld\n", (long long)d1,
            (long long)d2);
    CHECK_MSG(d1 == 0 && d2 == 0, "a checkpoint changed the state across backends (%lld, %lld values)",
              (long long)d1, (long long)d2);
  }
  remove(path);
  tw_gan_trainer_destroy(tg), tw_gan_trainer_destroy(tc), tw_gan_trainer_destroy(tg2);
}
#endif

int main(void) {
  if (nnc_start(&seed, &cpu, &gpu)) return 1;
  cuda = tw_gan_ops_for(gpu);
  if (!cuda || cuda == &tw_gan_ops_cpu) {
    fprintf(stderr, "the CUDA backend has no GAN table (tw_gan_ops_for gives %s)\n", cuda ? "the CPU's" : "NULL");
    return 1;
  }
  TW_TEST_RUN(test_gemm);
  TW_TEST_RUN(test_fill_random);
  TW_TEST_RUN(test_copy2d);
  TW_TEST_RUN(test_bn_forward);
  TW_TEST_RUN(test_bn_backward);
  TW_TEST_RUN(test_leaky);
  TW_TEST_RUN(test_activate);
  TW_TEST_RUN(test_cond_loss);
  TW_TEST_RUN(test_penalty);
  TW_TEST_RUN(test_adam);
  TW_TEST_RUN(test_training);
#if TW_HAVE_HDF5
  TW_TEST_RUN(test_model_file);
#endif
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
