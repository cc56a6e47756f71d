/*
** test_gan_train.c: the GAN's training loop (src/gan/gan_train.c) and sampler.
**
** A synthetic table encoded by hand, as the data transformer would: a
** continuous column x from a two-mode mixture (0.7 N(-2, 0.3^2), 0.3 N(3, 0.5^2);
** a TANH span (x - mu_k) / (4 sigma_k) and the mode's one-hot) and a discrete
** column d of 3 categories that depends on the mode (mode 0: d = 0 or 1;
** mode 1: d = 2 mostly), conditioned on. The data source samples as CTGAN's
** (the category by log-frequency, a real row of it, c2 a permutation of c1).
**   - learns: after 1500 steps, samples drawn with the data's category
**     frequencies are decoded and compared with the data: KS(x) < 0.125 and
**     TV(d) < 0.05, and rows generated with cond d = 2 are d = 2 more than 80%
**     of the time (the cond loss); the untrained generator must fail all three
**     (measured when written: untrained 0.228, 0.129, 0.310; trained 0.112,
**     0.000, 0.999; both printed);
**   - deterministic: the same parameters, running statistics, losses and
**     sampled rows, bit for bit, for 1 and 2 OpenMP (and OpenBLAS) threads;
**   - sampling by row: rows drawn in one call equal the same rows drawn in
**     pieces from other first_row offsets;
**   - the small-table schedule: batch and steps for 60 to 100,000 rows;
**   - throughput: steps/s and rows/s of CTGAN's default sizes are printed.
** The learning case uses smaller networks (64 wide) so that it runs in a
** minute on a shared machine.
*/
#include <math.h>   /* fabs */
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free, qsort */
#include <string.h> /* memcmp, memset */
#include <time.h>   /* clock */

#include "build_info.h" /* TW_HAVE_OPENBLAS */
#include "core/clock.h"  /* tw_now_seconds */
#include "core/philox.h"
#include "gan/gan_train.h"
#include "tw_test.h"
#if defined(_OPENMP)
#include <omp.h> /* omp_set_num_threads */
#endif
#if TW_HAVE_OPENBLAS
#include "backend/blas_lazy.h" /* openblas_set_num_threads */
#endif

enum { N_ROWS = 2000, WIDTH = 6, COND = 3, N_SAMPLE = 4000 };
static const double MU[2] = {-2.0, 3.0}, SD[2] = {0.3, 0.5};

typedef struct table {
  float rows[N_ROWS][WIDTH];
  int cat[N_ROWS];
  double x[N_ROWS];
  int count[COND];
  int *by_cat[COND]; /* row indices of each category */
} table;

static tw_gan_span SPANS[3] = {{TW_GAN_SPAN_TANH, 0, 1, 0}, {TW_GAN_SPAN_SOFTMAX, 1, 2, 0},
                               {TW_GAN_SPAN_SOFTMAX, 3, 3, 1}};
static int COND_SPAN[1] = {2};
static const tw_gan_layout LAYOUT = {WIDTH, 3, SPANS, COND, 1, COND_SPAN};

static double u01(uint64_t seed, uint64_t twin, uint32_t index, int word) {
  uint32_t r[4];
  tw_philox_block(seed, twin, TW_RNG_TEST, index, r);
  return tw_u01_f64(r[word], r[(word + 1) % 4]);
}

static void make_table(table *t) {
  memset(t->count, 0, sizeof t->count);
  for (int i = 0; i < N_ROWS; ++i) {
    uint32_t r[4];
    tw_philox_block(7, (uint64_t)i, TW_RNG_TEST, 0, r);
    double z0, z1;
    tw_normal2_f64(r, &z0, &z1);
    const int mode = u01(7, (uint64_t)i, 1, 0) < 0.7 ? 0 : 1;
    const double u = u01(7, (uint64_t)i, 1, 2);
    t->x[i] = MU[mode] + SD[mode] * z0;
    t->cat[i] = mode == 0 ? (u < 0.65 ? 0 : 1) : (u < 0.9 ? 2 : 0);
    memset(t->rows[i], 0, sizeof t->rows[i]);
    double v = (t->x[i] - MU[mode]) / (4.0 * SD[mode]);
    t->rows[i][0] = (float)(v < -0.99 ? -0.99 : v > 0.99 ? 0.99 : v);
    t->rows[i][1 + mode] = 1.0f;
    t->rows[i][3 + t->cat[i]] = 1.0f;
    t->count[t->cat[i]]++;
  }
  for (int c = 0; c < COND; ++c) {
    t->by_cat[c] = malloc((size_t)t->count[c] * sizeof(int));
    int k = 0;
    for (int i = 0; i < N_ROWS; ++i)
      if (t->cat[i] == c) t->by_cat[c][k++] = i;
  }
}

/* A category drawn by log(count + 1) (CTGAN's log_frequency), from u. */
static int log_freq_category(const table *t, double u) {
  double w[COND], s = 0.0;
  for (int c = 0; c < COND; ++c) s += w[c] = log((double)t->count[c] + 1.0);
  for (int c = 0; c < COND; ++c) {
    if (u < w[c] / s) return c;
    u -= w[c] / s;
  }
  return COND - 1;
}

/* The data source: deterministic in (seed, step, phase, k). */
static tw_status data_source(void *ctx, uint64_t seed, int64_t step, tw_gan_phase phase, int k, int64_t batch,
                             const tw_gan_batch *out) {
  const table *t = ctx;
  const uint64_t stream = ((uint64_t)step * 4 + (uint64_t)phase * 2 + (uint64_t)k) * 1000003u;
  int cats[512];
  for (int64_t i = 0; i < batch; ++i) {
    cats[i] = log_freq_category(t, u01(seed, stream, (uint32_t)i, 0));
    memset(out->cond + i * COND, 0, COND * sizeof(float));
    out->cond[i * COND + cats[i]] = 1.0f;
    out->mask[i] = 1.0f;
  }
  if (phase == TW_GAN_PHASE_GENERATOR) return TW_OK;
  for (int64_t i = batch - 1; i > 0; --i) { /* c2 = c1 permuted (Fisher-Yates) */
    const int64_t j = (int64_t)(u01(seed, stream + 1, (uint32_t)i, 0) * (double)(i + 1));
    const int tmp = cats[i];
    cats[i] = cats[j], cats[j] = tmp;
  }
  for (int64_t i = 0; i < batch; ++i) {
    const int c = cats[i];
    const int row = t->by_cat[c][(int)(u01(seed, stream + 2, (uint32_t)i, 0) * t->count[c])];
    memcpy(out->real + i * WIDTH, t->rows[row], WIDTH * sizeof(float));
    memset(out->real_cond + i * COND, 0, COND * sizeof(float));
    out->real_cond[i * COND + c] = 1.0f;
  }
  return TW_OK;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The two-sample KS statistic (sorted inputs). */
static double ks(const double *a, int na, const double *b, int nb) {
  double d = 0.0;
  int i = 0, j = 0;
  while (i < na && j < nb) {
    const double v = a[i] < b[j] ? a[i] : b[j];
    while (i < na && a[i] <= v) ++i;
    while (j < nb && b[j] <= v) ++j;
    d = fmax(d, fabs((double)i / na - (double)j / nb));
  }
  return d;
}

/* Decodes generated rows: x from the TANH value and the argmax mode, d the argmax category. */
static void decode(const float *rows, int n, double *x, int *cat) {
  for (int i = 0; i < n; ++i) {
    const float *r = rows + (int64_t)i * WIDTH;
    const int mode = r[2] > r[1] ? 1 : 0;
    x[i] = r[0] * 4.0 * SD[mode] + MU[mode];
    cat[i] = r[4] > r[3] ? (r[5] > r[4] ? 2 : 1) : (r[5] > r[3] ? 2 : 0);
  }
}

typedef struct fidelity {
  double ks_x, tv_d, cond_hit;
} fidelity;

/* Samples with the data's category frequencies and with cond d = 2. */
static tw_status measure(tw_gan_nets *n, const table *t, fidelity *f) {
  static float cond[N_SAMPLE * COND], out[N_SAMPLE * WIDTH];
  static double xs[N_SAMPLE], xr[N_ROWS];
  static int cs[N_SAMPLE];
  memset(cond, 0, sizeof cond);
  for (int i = 0; i < N_SAMPLE; ++i) cond[i * COND + t->cat[i % N_ROWS]] = 1.0f;
  tw_gan_sampler *s = NULL;
  TW_TRY(tw_gan_sampler_create(n, 99, &s));
  tw_status st = tw_gan_generate(s, N_SAMPLE, cond, 0, out);
  if (st == TW_OK) {
    decode(out, N_SAMPLE, xs, cs);
    memcpy(xr, t->x, sizeof xr);
    qsort(xs, N_SAMPLE, sizeof(double), cmp_double);
    qsort(xr, N_ROWS, sizeof(double), cmp_double);
    f->ks_x = ks(xr, N_ROWS, xs, N_SAMPLE);
    double fs[COND] = {0};
    for (int i = 0; i < N_SAMPLE; ++i) fs[cs[i]] += 1.0 / N_SAMPLE;
    f->tv_d = 0.0;
    for (int c = 0; c < COND; ++c) f->tv_d += 0.5 * fabs(fs[c] - (double)t->count[c] / N_ROWS);
    memset(cond, 0, sizeof cond);
    for (int i = 0; i < N_SAMPLE; ++i) cond[i * COND + 2] = 1.0f;
    st = tw_gan_generate(s, N_SAMPLE, cond, N_SAMPLE, out);
  }
  if (st == TW_OK) {
    decode(out, N_SAMPLE, xs, cs);
    int hit = 0;
    for (int i = 0; i < N_SAMPLE; ++i) hit += cs[i] == 2;
    f->cond_hit = (double)hit / N_SAMPLE;
  }
  tw_gan_sampler_destroy(s);
  return st;
}

/* A trainer of `steps` steps of `batch` rows (sizes: CTGAN's defaults when
** NULL), trained when `run`. */
static tw_status make_trainer(const tw_gan_sizes *sizes, int64_t steps, int64_t batch, tw_backend *be,
                              tw_gan_trainer **out) {
  tw_gan_train_opts o = tw_gan_train_defaults(N_ROWS, 10, 2026);
  o.steps = steps;
  o.batch = batch;
  const tw_gan_sizes sz = sizes ? *sizes : tw_gan_sizes_default(WIDTH, COND);
  *out = NULL;
  return tw_gan_trainer_create(be, &LAYOUT, &sz, &o, out);
}

static tw_status train_run(const table *t, const tw_gan_sizes *sizes, int64_t steps, int64_t batch, tw_backend *be,
                           tw_gan_trainer **out) {
  TW_TRY(make_trainer(sizes, steps, batch, be, out));
  return tw_gan_train(*out, data_source, (void *)t, 0);
}

static table T;

/* The thresholds a trained generator meets and an untrained one fails. */
static int meets(const fidelity *f) { return f->ks_x < 0.125 && f->tv_d < 0.05 && f->cond_hit > 0.8; }
static int fails_all(const fidelity *f) { return f->ks_x >= 0.125 && f->tv_d >= 0.05 && f->cond_hit <= 0.8; }

/* Learning, with smaller networks than CTGAN's (the loop is the subject; the
** default sizes' throughput is test_throughput's). */
static void test_learns(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_gan_sizes sz = tw_gan_sizes_default(WIDTH, COND);
  sz.embedding = 32;
  sz.gen[0] = sz.gen[1] = sz.dis[0] = sz.dis[1] = 64;
  const int64_t steps = 1500, batch = 200;
  tw_gan_trainer *tr = NULL;
  fidelity f0, f1;
  CHECK_OK(make_trainer(&sz, steps, batch, be, &tr));
  CHECK_OK(measure(tr->nets, &T, &f0));
  CHECK_OK(tw_gan_train(tr, data_source, &T, 0));
  CHECK_OK(measure(tr->nets, &T, &f1));
  printf("untrained: KS(x) %.3f, TV(d) %.3f, P(d=2 | cond d=2) %.3f\n", f0.ks_x, f0.tv_d, f0.cond_hit);
  printf("after %lld steps of %lld rows: KS(x) %.3f, TV(d) %.3f, P(d=2 | cond d=2) %.3f\n", (long long)steps,
         (long long)batch, f1.ks_x, f1.tv_d, f1.cond_hit);
  const tw_gan_losses *L = &tr->curve[steps - 1];
  printf("losses at the last step: critic %.4f, penalty %.4f, generator %.4f (cond %.4f)\n", L->critic, L->penalty,
         L->generator, L->cond);
  CHECK(fails_all(&f0));
  CHECK(meets(&f1));
  tw_gan_trainer_destroy(tr);
  tw_backend_close(be);
}

/* Steps/s and rows/s of CTGAN's default sizes, batch 500 (wall and CPU time:
** the build machine's cores are shared). */
static void test_throughput(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const int64_t steps = 10, batch = 500;
  tw_gan_trainer *tr = NULL;
  CHECK_OK(make_trainer(NULL, steps, batch, be, &tr));
  CHECK_OK(tw_gan_train(tr, data_source, &T, 1)); /* warm-up: first touch, OpenBLAS loaded */
  const double w0 = tw_now_seconds();
  const clock_t c0 = clock();
  CHECK_OK(tw_gan_train(tr, data_source, &T, 0));
  const double wall = tw_now_seconds() - w0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC, done = steps - 1;
  printf("throughput, default sizes, batch 500: %.2f steps/s, %.0f rows/s (wall %.2f s; CPU %.2f s: %.2f steps/CPU-s)\n",
         done / wall, done * batch / wall, wall, cpu, done / cpu);
  tw_gan_trainer_destroy(tr);
  tw_backend_close(be);
}

static void set_threads(int n) {
#if defined(_OPENMP)
  omp_set_num_threads(n);
#endif
#if TW_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
}

static void test_threads_bit_identical(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_gan_trainer *a = NULL, *b = NULL;
  set_threads(1);
  CHECK_OK(train_run(&T, NULL, 8, 500, be, &a));
  set_threads(2);
  CHECK_OK(train_run(&T, NULL, 8, 500, be, &b));
  const tw_gan_map *m = &a->nets->map;
  CHECK(!memcmp(a->nets->g, b->nets->g, (size_t)m->gen.total * sizeof(float)));
  CHECK(!memcmp(a->nets->d, b->nets->d, (size_t)m->dis.total * sizeof(float)));
  CHECK(!memcmp(a->nets->stats, b->nets->stats, (size_t)m->stats.total * sizeof(float)));
  CHECK(!memcmp(a->curve, b->curve, 8 * sizeof(tw_gan_losses)));
  CHECK(!memcmp(a->g_m, b->g_m, (size_t)m->gen.total * sizeof(float)));
  // sampling, 1 thread against 2 (the sampler's products run in 1000-row blocks)
  enum { N = 2500 };
  static float cond[N * COND], sa[N * WIDTH], sb[N * WIDTH];
  for (int i = 0; i < N; ++i) cond[i * COND + i % COND] = 1.0f;
  tw_gan_sampler *s = NULL;
  set_threads(1);
  CHECK_OK(tw_gan_sampler_create(a->nets, 8, &s));
  CHECK_OK(tw_gan_generate(s, N, cond, 0, sa));
  set_threads(2);
  CHECK_OK(tw_gan_generate(s, N, cond, 0, sb));
  tw_gan_sampler_destroy(s);
  CHECK(!memcmp(sa, sb, sizeof sa));
  tw_gan_trainer_destroy(a);
  tw_gan_trainer_destroy(b);
  tw_backend_close(be);
}

static void test_sample_by_row(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_gan_trainer *tr = NULL;
  CHECK_OK(train_run(&T, NULL, 3, 100, be, &tr));
  enum { N = 1500 };
  static float cond[N * COND], all[N * WIDTH], part[N * WIDTH];
  for (int i = 0; i < N; ++i) cond[i * COND + i % COND] = 1.0f;
  tw_gan_sampler *s = NULL;
  CHECK_OK(tw_gan_sampler_create(tr->nets, 5, &s));
  CHECK_OK(tw_gan_generate(s, N, cond, 1000, all));
  CHECK_OK(tw_gan_generate(s, 7, cond, 1000, part));
  CHECK_OK(tw_gan_generate(s, N - 7, cond + 7 * COND, 1007, part + 7 * WIDTH));
  CHECK(!memcmp(all, part, sizeof all));
  CHECK_OK(tw_gan_generate(s, N, cond, 1001, part)); /* other rows: other noise */
  CHECK(memcmp(all, part, sizeof all));
  tw_gan_sampler_destroy(s);
  tw_gan_trainer_destroy(tr);
  tw_backend_close(be);
}

/* The small-table schedule (gan_train.h): batch and steps by table size. */
static void test_default_schedule(void) {
  const int64_t n[4] = {60, 300, 5000, 100000}, want_batch[4] = {100, 150, 500, 500},
                want_steps[4] = {3000, 3000, 3000, 60000};
  for (int i = 0; i < 4; ++i) {
    int64_t batch = 0, steps = 0;
    tw_gan_default_schedule(n[i], 10, 300, &batch, &steps);
    CHECK_EQ_INT(batch, want_batch[i]);
    CHECK_EQ_INT(steps, want_steps[i]);
  }
}

int main(void) {
  make_table(&T);
  TW_TEST_RUN(test_default_schedule);
  TW_TEST_RUN(test_sample_by_row);
  TW_TEST_RUN(test_threads_bit_identical);
  TW_TEST_RUN(test_throughput);
  TW_TEST_RUN(test_learns);
  return TW_TEST_RESULT();
}
