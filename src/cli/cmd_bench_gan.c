/*
** cmd_bench_gan.c: `twinscale bench gan`: the GAN's training steps per second
** on a backend, without a cohort file.
**
** `gan train` reads its table from a cohort file (HDF5); a GPU machine with
** the kernels-only build has no HDF5, so the device's training speed is timed
** here, on the same trainer (tw_gan_train: critic update with the gradient
** penalty, generator update, Adam, the ops table of the backend), with
** CTGAN's networks (tw_gan_sizes_default) and a layout of the shape asked:
** C continuous columns, each a TANH span and an M-mode SOFTMAX span, and D
** discrete columns of K categories, all of them conditioned. The defaults
** (51 x (1 + 7) + 4 x 2 = 416 floats, cond vector 8) are close to the
** rare-condition cohort of docs/gan.md (55 columns, 4 discrete, 410 floats).
**
** The rows are drawn per step on the host from Philox, as `gan train`'s data
** source draws its rows: a uniform offset and a one-hot mode per continuous
** column, a category per discrete column; a conditioned column and category
** per row, the real row taking that category. The cost of a step does not
** depend on the values. Timing: 3 warm-up steps, then R windows of S steps,
** each ended by synchronize(); the median window gives steps/s.
**
** Output: a header, then one line (the headline, last):
**   gan cpu threads=2 batch=500 width=416 cond=8: 38.2 steps/s 19100 rows/s (median of 3 x 20 steps, 0.524 s)
*/
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset */

#include "backend/backend.h" /* the backend under test */
#include "cli/bench.h"       /* tw_bench_median */
#include "cli/cli.h"
#include "cli/options.h"   /* tw_opts_parse_named */
#include "core/clock.h"    /* tw_now_seconds */
#include "core/philox.h"   /* tw_philox_block, tw_u01_f32 */
#include "gan/gan_train.h" /* the trainer */

enum { BENCH_GAN_WARMUP = 3, BENCH_GAN_MAX_REPEATS = 100 };

typedef struct gan_bench {
  const char *backend;
  int device, threads, continuous, modes, discrete, categories, repeats;
  int64_t batch, steps;
} gan_bench;

static int parse_args(int argc, char **argv, gan_bench *b) {
  int backend = 0;
  int64_t device = 0, threads = 0, c = 51, m = 7, d = 4, k = 2, repeats = 3, batch = 500, steps = 20;
  const tw_opt opts[] = {
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends_cpu_cuda},
      {.name = "device", .kind = TW_OPT_INT, .dest = &device, .min = 0, .max = 1023},
      {.name = "threads", .kind = TW_OPT_INT, .dest = &threads, .min = 1, .max = 1024},
      {.name = "batch", .kind = TW_OPT_INT, .dest = &batch, .min = 10, .max = 1 << 16},
      {.name = "steps", .kind = TW_OPT_INT, .dest = &steps, .min = 1, .max = 1 << 20},
      {.name = "repeats", .kind = TW_OPT_INT, .dest = &repeats, .min = 1, .max = BENCH_GAN_MAX_REPEATS},
      {.name = "continuous", .kind = TW_OPT_INT, .dest = &c, .min = 0, .max = 4096},
      {.name = "modes", .kind = TW_OPT_INT, .dest = &m, .min = 1, .max = 64},
      {.name = "discrete", .kind = TW_OPT_INT, .dest = &d, .min = 1, .max = 256},
      {.name = "categories", .kind = TW_OPT_INT, .dest = &k, .min = 2, .max = 1024},
  };
  int bad = tw_opts_parse_named("bench gan", opts, TW_ARRAY_LEN(opts), argc, argv);
  const int pac = tw_gan_sizes_default(1, 1).pac;
  if (!bad && batch % pac) {
    fprintf(stderr, "twinscale: bench gan: --batch must be a multiple of pac %d, got %lld\n", pac, (long long)batch);
    bad = 2;
  }
  *b = (gan_bench){.backend = tw_opt_backends_cpu_cuda[backend], .device = (int)device, .threads = (int)threads,
                   .continuous = (int)c, .modes = (int)m, .discrete = (int)d, .categories = (int)k,
                   .repeats = (int)repeats, .batch = batch, .steps = steps};
  return bad;
}

/* The layout: C x (TANH 1, SOFTMAX M), then D x SOFTMAX K, every discrete span conditioned. */
typedef struct bench_layout {
  tw_gan_layout lay;
  tw_gan_span *spans;
  int *cond_span;
} bench_layout;

static tw_status layout_make(const gan_bench *b, bench_layout *out) {
  const int n = 2 * b->continuous + b->discrete;
  out->spans = malloc((size_t)n * sizeof *out->spans);
  out->cond_span = malloc((size_t)b->discrete * sizeof *out->cond_span);
  if (!out->spans || !out->cond_span) return TW_FAIL(TW_ERR_NOMEM, "bench gan: a layout of %d spans", n);
  int at = 0, s = 0;
  for (int j = 0; j < b->continuous; ++j) {
    out->spans[s++] = (tw_gan_span){TW_GAN_SPAN_TANH, at, 1, j};
    out->spans[s++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, at + 1, b->modes, j};
    at += 1 + b->modes;
  }
  for (int j = 0; j < b->discrete; ++j) {
    out->cond_span[j] = s;
    out->spans[s++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, at, b->categories, b->continuous + j};
    at += b->categories;
  }
  out->lay = (tw_gan_layout){.width = at, .n_spans = n, .spans = out->spans,
                             .cond_width = b->discrete * b->categories, .n_cond_spans = b->discrete,
                             .cond_span = out->cond_span};
  return TW_OK;
}

static void layout_free(bench_layout *l) { free(l->spans), free(l->cond_span); }

/* Row i's draws, one Philox block each, at index base + 0 (r[0] picks the
** conditioned column, r[1] its category) and base + 1 + j for column j (r[0]
** the offset, r[1] the mode or category). */
static void fill_row(const gan_bench *b, const tw_gan_layout *lay, uint64_t seed, uint64_t ctr, int64_t i,
                     tw_gan_phase phase, const tw_gan_batch *out) {
  const uint32_t base = (uint32_t)(i * (b->continuous + b->discrete + 1));
  uint32_t r[4];
  tw_philox_block(seed, ctr, TW_RNG_TEST, base, r);
  const int col = (int)(r[0] % (uint32_t)b->discrete), cat = (int)(r[1] % (uint32_t)b->categories);
  float *cond = out->cond + i * lay->cond_width, *mask = out->mask + i * lay->n_cond_spans;
  memset(cond, 0, (size_t)lay->cond_width * sizeof(float));
  memset(mask, 0, (size_t)lay->n_cond_spans * sizeof(float));
  cond[col * b->categories + cat] = 1.0f;
  mask[col] = 1.0f;
  if (phase == TW_GAN_PHASE_GENERATOR) return;
  float *row = out->real + i * lay->width;
  memset(row, 0, (size_t)lay->width * sizeof(float));
  for (int j = 0; j < b->continuous + b->discrete; ++j) {
    tw_philox_block(seed, ctr, TW_RNG_TEST, base + 1 + (uint32_t)j, r);
    const tw_gan_span *sp = &lay->spans[j < b->continuous ? 2 * j : lay->cond_span[j - b->continuous]];
    if (j < b->continuous) {
      row[sp->start] = 1.8f * tw_u01_f32(r[0]) - 0.9f;
      row[sp[1].start + (int)(r[1] % (uint32_t)b->modes)] = 1.0f;
    } else {
      const int c = j - b->continuous == col ? cat : (int)(r[1] % (uint32_t)b->categories);
      row[sp->start + c] = 1.0f;
    }
  }
  memcpy(out->real_cond + i * lay->cond_width, cond, (size_t)lay->cond_width * sizeof(float));
}

typedef struct bench_source {
  const gan_bench *b;
  const tw_gan_layout *lay;
} bench_source;

static tw_status data_source(void *ctx, uint64_t seed, int64_t step, tw_gan_phase phase, int k, int64_t batch,
                             const tw_gan_batch *out) {
  const bench_source *src = ctx;
  const uint64_t ctr = (uint64_t)step * 4 + (uint64_t)phase * 2 + (uint64_t)k;
  for (int64_t i = 0; i < batch; ++i) fill_row(src->b, src->lay, seed, ctr, i, phase, out);
  return TW_OK;
}

/* Warm-up, then the timed windows; prints the headline. */
static tw_status run(tw_backend *be, const gan_bench *b, const tw_gan_layout *lay) {
  const tw_gan_sizes sz = tw_gan_sizes_default(lay->width, lay->cond_width);
  printf("bench gan: CTGAN's networks (embedding %d, generator %dx%d, critic %dx%d, pac %d), %d continuous columns "
         "of 1 + %d floats and %d discrete of %d, backend %s, %d threads\n",
         sz.embedding, sz.gen[0], sz.gen[1], sz.dis[0], sz.dis[1], sz.pac, b->continuous, b->modes, b->discrete,
         b->categories, b->backend, b->threads);
  fflush(stdout);
  tw_gan_train_opts o = tw_gan_train_defaults(b->batch, sz.pac, 1);
  o.batch = b->batch;
  o.steps = BENCH_GAN_WARMUP + (int64_t)b->repeats * b->steps;
  tw_gan_trainer *tr = NULL;
  TW_TRY(tw_gan_trainer_create(be, lay, &sz, &o, &tr));
  bench_source src = {b, lay};
  double t[BENCH_GAN_MAX_REPEATS];
  tw_status st = tw_gan_train(tr, data_source, &src, BENCH_GAN_WARMUP);
  if (st == TW_OK) st = be->synchronize(be);
  for (int r = 0; r < b->repeats && st == TW_OK; ++r) {
    const double t0 = tw_now_seconds();
    st = tw_gan_train(tr, data_source, &src, BENCH_GAN_WARMUP + (int64_t)(r + 1) * b->steps);
    if (st == TW_OK) st = be->synchronize(be);
    t[r] = tw_now_seconds() - t0;
  }
  tw_gan_trainer_destroy(tr);
  TW_TRY(st);
  const double med = tw_bench_median(t, b->repeats), rate = (double)b->steps / med;
  printf("gan %s threads=%d batch=%lld width=%d cond=%d: %.1f steps/s %.0f rows/s (median of %d x %lld steps, %.3f s)\n",
         b->backend, b->threads, (long long)b->batch, lay->width, lay->cond_width, rate, rate * (double)b->batch,
         b->repeats, (long long)b->steps, med);
  return TW_OK;
}

int tw_cmd_bench_gan(int argc, char **argv) {
  gan_bench b;
  int rc = parse_args(argc, argv, &b);
  if (rc) return rc;
  b.threads = tw_bench_threads(b.threads);
  bench_layout l = {0};
  tw_status st = layout_make(&b, &l);
  tw_backend *be = NULL;
  if (st == TW_OK) st = tw_backend_open(b.backend, b.device, &be);
  if (st == TW_OK) st = run(be, &b, &l.lay);
  if (be) tw_backend_close(be);
  layout_free(&l);
  return st ? tw_cli_fail(st) : 0;
}
