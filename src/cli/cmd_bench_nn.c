/*
** cmd_bench_nn.c: `twinscale bench nn`: GRT throughput on the reference model.
**
** Times the real entry points (tw_grt_forward, tw_grt_loss_backward) on the
** reference configuration of DESIGN.md (N=10, F=16, H=64, Hr=64, L=2, M=64,
** O=4; T=24) with a random model (PyTorch default init), random inputs and a
** random per-twin adjacency, for each batch size asked. Per batch: one warm-up
** call, then R timed calls, each synchronised; the median gives
**   twin-steps/s = B*T / t
**   GFLOP/s      = B*T * flops / t,  flops = tw_grt_flops_per_twin_step (forward,
**                  972,800 for the reference model); forward+backward counts 3x.
** scripts/compare-pytorch.sh runs the same model in PyTorch in the same run.
**
** Output, one line per measurement (parsed by scripts/compare-pytorch.sh):
**   nn cpu threads=2 B=8192 T=24 forward: 1.23e+05 twin-steps/s 119.6 GFLOP/s (median of 3, 1.60 s)
*/
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */

#include "backend/backend.h" /* the backend under test */
#include "cli/bench.h"       /* tw_bench_median */
#include "cli/cli.h"
#include "cli/options.h" /* tw_opts_parse_named, tw_opt_ints */
#include "core/clock.h"  /* tw_now_seconds */
#include "core/random.h" /* Philox inputs */
#include "nn/grt.h"      /* the model and its entry points */

typedef struct nn_bench {
  const char *backend;
  int device, threads, T, repeats, chunk, forward, train;
  tw_opt_ints batches;
} nn_bench;

static const char *const modes[] = {"forward", "train", "both", NULL};

static int parse_args(int argc, char **argv, nn_bench *b) {
  int backend = 0, mode = 2; /* cpu, both */
  int64_t threads = 0, T = 24, repeats = 3, chunk = 0, device = 0; /* 0: the default */
  *b = (nn_bench){.batches = {.v = {1024, 8192, 65536}, .n = 3}};
  const tw_opt opts[] = {
      {.name = "batch", .kind = TW_OPT_INTS, .dest = &b->batches, .min = 1, .max = 1 << 24},
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends_cpu_cuda},
      {.name = "threads", .kind = TW_OPT_INT, .dest = &threads, .min = 1, .max = 1024},
      {.name = "steps", .kind = TW_OPT_INT, .dest = &T, .min = 1, .max = 100000},
      {.name = "repeats", .kind = TW_OPT_INT, .dest = &repeats, .min = 1, .max = 1000},
      {.name = "mode", .kind = TW_OPT_CHOICE, .dest = &mode, .choices = modes},
      {.name = "chunk", .kind = TW_OPT_INT, .dest = &chunk, .min = 1, .max = 1 << 24},
      {.name = "device", .kind = TW_OPT_INT, .dest = &device, .min = 0, .max = 1023},
  };
  int bad = tw_opts_parse_named("bench nn", opts, TW_ARRAY_LEN(opts), argc, argv);
  b->backend = tw_opt_backends_cpu_cuda[backend];
  b->threads = (int)threads, b->T = (int)T, b->repeats = (int)repeats, b->chunk = (int)chunk, b->device = (int)device;
  b->forward = mode != 1;
  b->train = mode != 0;
  return bad;
}

/* n floats uniform in (lo, hi) from Philox stream `purpose` of `seed`. */
static void fill_uniform(float *p, int64_t n, uint64_t seed, float lo, float hi) {
  tw_rng rng = tw_rng_make(seed, 0, TW_RNG_TEST, 0);
  for (int64_t i = 0; i < n; ++i) p[i] = lo + (hi - lo) * tw_u01_f32(tw_rng_u32(&rng));
}

/* A device buffer holding n floats from host memory `src`. */
static tw_status upload(tw_backend *be, const float *src, int64_t n, float **out) {
  void *p = NULL;
  TW_TRY(be->alloc(be, (size_t)n * sizeof(float), &p));
  *out = p;
  return be->copy(be, p, src, (size_t)n * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

/* The inputs of one batch on the device. */
typedef struct bench_data {
  float *params, *x, *adj, *target, *y, *grads, *x_grad;
} bench_data;

static tw_status make_data(tw_backend *be, const tw_grt_layout *lay, int B, int T, bench_data *d) {
  const tw_grt_sizes *s = &lay->sz;
  const int64_t nx = (int64_t)B * T * s->N * s->F, ny = (int64_t)B * T * s->N * s->O, na = (int64_t)B * s->N * s->N;
  int64_t most = TW_MAX(TW_MAX(nx, ny), TW_MAX(na, lay->total));
  float *h = malloc((size_t)most * sizeof(float));
  if (!h) return TW_FAIL(TW_ERR_NOMEM, "bench nn: cannot allocate %lld floats", (long long)most);
  tw_status st = TW_OK;
  tw_grt_init_params(lay, 1, h);
  TW_TRY_GOTO(st, upload(be, h, lay->total, &d->params), done);
  fill_uniform(h, nx, 2, -1.0f, 1.0f);
  TW_TRY_GOTO(st, upload(be, h, nx, &d->x), done);
  fill_uniform(h, na, 3, 0.0f, 1.0f);
  for (int64_t r = 0; r < (int64_t)B * s->N; ++r) { // rows of each adjacency sum to 1
    float sum = 0.0f;
    for (int u = 0; u < s->N; ++u) sum += h[r * s->N + u];
    for (int u = 0; u < s->N; ++u) h[r * s->N + u] /= sum;
  }
  TW_TRY_GOTO(st, upload(be, h, na, &d->adj), done);
  fill_uniform(h, ny, 4, -1.0f, 1.0f);
  TW_TRY_GOTO(st, upload(be, h, ny, &d->target), done);
  void *p;
  TW_TRY_GOTO(st, be->alloc(be, (size_t)ny * sizeof(float), &p), done);
  d->y = p;
  TW_TRY_GOTO(st, be->alloc(be, (size_t)lay->total * sizeof(float), &p), done);
  d->grads = p;
  TW_TRY_GOTO(st, be->alloc(be, (size_t)nx * sizeof(float), &p), done);
  d->x_grad = p;
done:
  free(h);
  return st;
}

static void free_data(tw_backend *be, bench_data *d) {
  float *all[] = {d->params, d->x, d->adj, d->target, d->y, d->grads, d->x_grad};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i)
    if (all[i]) be->free(be, all[i]);
  *d = (bench_data){0};
}

/* Times one mode on one batch and prints its line. */
static tw_status run_mode(tw_backend *be, const nn_bench *b, const tw_grt_model *m, const tw_grt_batch *batch,
                          const bench_data *d, int train) {
  const tw_grt_sizes *s = &m->layout.sz;
  int chunk = b->chunk ? TW_MIN(b->chunk, batch->B) : tw_grt_default_chunk(be, s, batch->B, batch->T, train, 0);
  tw_grt_workspace ws = {0};
  TW_TRY(tw_grt_workspace_create(be, s, chunk, batch->T, train, &ws));
  double t[1000], loss = 0.0;
  tw_status st = TW_OK;
  for (int r = -1; r < b->repeats; ++r) {
    double t0 = tw_now_seconds();
    if (train) TW_TRY_GOTO(st, tw_grt_loss_backward(be, m, batch, d->target, NULL, &ws, &loss, d->grads, d->x_grad, NULL), done);
    else TW_TRY_GOTO(st, tw_grt_forward(be, m, batch, &ws, d->y, NULL, NULL), done);
    TW_TRY_GOTO(st, be->synchronize(be), done);
    if (r >= 0) t[r] = tw_now_seconds() - t0;
  }
  const double med = tw_bench_median(t, b->repeats), steps = (double)batch->B * batch->T;
  const double flops = tw_grt_flops_per_twin_step(s) * (train ? 3.0 : 1.0);
  printf("nn %s threads=%d B=%d T=%d %s: %.4g twin-steps/s %.1f GFLOP/s (median of %d, %.3f s, chunk %d x %d slots)\n",
         b->backend, b->threads, batch->B, batch->T, train ? "forward+backward" : "forward", steps / med,
         steps * flops / med * 1e-9, b->repeats, med, chunk, ws.slots);
  fflush(stdout);
done:
  tw_grt_workspace_destroy(be, &ws);
  return st;
}

int tw_cmd_bench_nn(int argc, char **argv) {
  nn_bench b;
  int rc = parse_args(argc, argv, &b);
  if (rc) return rc;
  b.threads = tw_bench_threads(b.threads);
  const tw_grt_sizes sz = {10, 16, 64, 64, 2, 64, 4};
  tw_grt_model m = {0};
  tw_status st = tw_grt_layout_make(&sz, &m.layout);
  if (st) return tw_cli_fail(st);
  tw_backend *be = NULL;
  st = tw_backend_open(b.backend, b.device, &be);
  if (st) return tw_cli_fail(st);
  printf("bench nn: GRT N=10 F=16 H=64 Hr=64 L=2 M=64 O=4, T=%d, per-twin adjacency, backend %s, %d threads\n",
         b.T, b.backend, b.threads);
  printf("  FLOPs per twin-step (forward): %.0f; forward+backward counted as 3x\n", tw_grt_flops_per_twin_step(&sz));
  for (int i = 0; i < b.batches.n && st == TW_OK; ++i) {
    bench_data d = {0};
    st = make_data(be, &m.layout, (int)b.batches.v[i], b.T, &d);
    if (st == TW_OK) {
      m.params = d.params;
      tw_grt_batch batch = {.B = (int)b.batches.v[i], .T = b.T, .x = d.x, .adj = d.adj, .adj_per_twin = 1};
      if (b.forward) st = run_mode(be, &b, &m, &batch, &d, 0);
      if (st == TW_OK && b.train) st = run_mode(be, &b, &m, &batch, &d, 1);
    }
    free_data(be, &d);
  }
  tw_backend_close(be);
  return st ? tw_cli_fail(st) : 0;
}
