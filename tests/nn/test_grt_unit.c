/*
** test_grt_unit.c: the GRT's pieces on the CPU (unit label): the parameter
** layout, the pointwise math against libm, rollout against the teacher-forced
** forward and against chained one-step forwards, bit-identical results for 1
** and 2 threads, an empty mask, argument errors, and the largest chunk whose
** products index within int (a chunk past it refused before any allocation; the
** default chunk never past it, as a 65,536-twin batch on an H200 once was).
*/
#include <math.h>   /* expf, tanh, exp */
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcmp, memcpy */

#include "backend/backend.h" /* tw_backend_open */
#include "nn/grt.h"          /* the model */
#include "nn/nn_math.h"      /* pointwise math under test */
#include "nn_case.h"         /* fixture -> model + batch */
#include "tw_test.h"
#if defined(_OPENMP)
#include <omp.h> /* omp_set_num_threads */
#endif

static void layout_matches_pytorch_state_dict(void) {
  const tw_grt_sizes ref = {10, 16, 64, 64, 2, 64, 4};
  tw_grt_layout lay;
  CHECK_OK(tw_grt_layout_make(&ref, &lay));
  CHECK_EQ_INT(lay.count, 3 * 2 + 8);
  static const char *const names[] = {"gnn.0.lin_self.weight", "gnn.0.lin_self.bias", "gnn.0.lin_nbr.weight",
                                      "gnn.1.lin_self.weight", "gnn.1.lin_self.bias", "gnn.1.lin_nbr.weight",
                                      "lstm.weight_ih", "lstm.weight_hh", "lstm.bias_ih", "lstm.bias_hh",
                                      "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"};
  int64_t expect = 0;
  for (int i = 0; i < lay.count; ++i) {
    CHECK_EQ_STR(lay.tensors[i].name, names[i]);
    CHECK_EQ_INT(lay.tensors[i].offset, expect);
    expect += lay.tensors[i].numel;
  }
  /* sum of PyTorch's parameter numels for this module */
  const int64_t torch_numel = (64 * 16 + 64 + 64 * 16) + (64 * 64 + 64 + 64 * 64) + 256 * 64 + 256 * 64 + 256 + 256 +
                              64 * 64 + 64 + 4 * 64 + 4;
  CHECK_EQ_INT(lay.total, torch_numel);
  CHECK_EQ_INT(lay.tensors[1].dims[0], 64);
  CHECK_EQ_INT(lay.lstm_w_hh, tw_grt_find(&lay, "lstm.weight_hh")->offset);
  CHECK(tw_grt_find(&lay, "gnn.2.lin_self.weight") == NULL);
  CHECK_NEAR(tw_grt_flops_per_twin_step(&ref), 972800.0, 0.0);
  tw_grt_sizes bad = ref;
  bad.L = 0;
  CHECK_STATUS(tw_grt_layout_make(&bad, &lay), TW_ERR_INPUT);
  bad.L = TW_GRT_MAX_LAYERS + 1;
  CHECK_STATUS(tw_grt_layout_make(&bad, &lay), TW_ERR_INPUT);
  tw_error_clear();
}

static void pointwise_math_matches_libm(void) {
  double worst_exp = 0.0, worst_tanh = 0.0, worst_sig = 0.0;
  for (int i = -40000; i <= 40000; ++i) {
    const float x = (float)i * 0.0005f * (i % 7 == 0 ? 4.0f : 1.0f);
    const double e = exp((double)x);
    worst_exp = fmax(worst_exp, fabs(tw_nn_expf(x) - e) / e);
    worst_tanh = fmax(worst_tanh, fabs(tw_nn_tanhf(x) - tanh((double)x)));
    worst_sig = fmax(worst_sig, fabs(tw_nn_sigmoidf(x) - 1.0 / (1.0 + exp(-(double)x))));
  }
  CHECK_MSG(worst_exp < 3e-7, "expf rel err %.3g", worst_exp);
  CHECK_MSG(worst_tanh < 2e-7, "tanh abs err %.3g", worst_tanh);
  CHECK_MSG(worst_sig < 2e-7, "sigmoid abs err %.3g", worst_sig);
  /* small |x|: tanh keeps relative accuracy */
  CHECK_NEAR(tw_nn_tanhf(1e-4f) / 1e-4, 1.0, 1e-6);
  /* saturation: finite and exact limits far out */
  CHECK(tw_nn_tanhf(1e30f) == 1.0f && tw_nn_tanhf(-1e30f) == -1.0f);
  CHECK(tw_nn_sigmoidf(-1e30f) >= 0.0f && tw_nn_sigmoidf(-1e30f) < 1e-37f && tw_nn_sigmoidf(1e30f) == 1.0f);
  CHECK(isfinite(tw_nn_expf(1e30f)) && tw_nn_expf(-1e30f) >= 0.0f);
}

/* Rollout callback that feeds the batch's own x[:, t+1]: teacher forcing. */
typedef struct feed_ctx {
  const float *x;
  int B, T, row; /* row = N*F */
} feed_ctx;

static tw_status feed_given(void *ctx, int t, const float *y_t, float *x_next) {
  const feed_ctx *f = ctx;
  for (int b = 0; b < f->B; ++b)
    memcpy(x_next + (int64_t)b * f->row, f->x + ((int64_t)b * f->T + t + 1) * f->row, (size_t)f->row * sizeof(float));
  return TW_OK;
}

/* Autoregressive callback: x_{t+1}[b,n,f] = y_t[b,n,f mod O]. */
typedef struct auto_ctx {
  int B, N, F, O;
} auto_ctx;

static tw_status feed_own(void *ctx, int t, const float *y_t, float *x_next) {
  const auto_ctx *a = ctx;
  for (int64_t bn = 0; bn < (int64_t)a->B * a->N; ++bn)
    for (int f = 0; f < a->F; ++f) x_next[bn * a->F + f] = y_t[bn * a->O + f % a->O];
  return TW_OK;
}

/* n_out floats: `reps` copies of the n floats of src one after the other. */
static float *tiled(const float *src, int64_t n, int reps) {
  float *out = malloc((size_t)n * reps * sizeof(float));
  for (int k = 0; out && k < reps; ++k) memcpy(out + k * n, src, (size_t)n * sizeof(float));
  return out;
}

/* 39 twins (the fixture's 13, three times): the host rollout runs several ranges
** of twins in parallel; a teacher-forcing rollout must equal the forward. */
static void rollout_in_ranges_matches_forward(void) {
  nn_case c;
  CHECK(nn_case_load("grt_per_twin.bin", &c) == 0);
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const tw_grt_sizes *s = &c.model.layout.sz;
  const int reps = 3, B = c.batch.B * reps, T = c.batch.T;
  const int64_t xrow = (int64_t)s->N * s->F, ny = (int64_t)B * T * s->N * s->O, nh = (int64_t)B * s->N * s->Hr;
  float *x = tiled(c.x, (int64_t)c.batch.B * T * xrow, reps), *adj = tiled(c.adj, (int64_t)c.batch.B * s->N * s->N, reps);
  float *h0 = tiled(c.h0, nh / reps, reps), *c0 = tiled(c.c0, nh / reps, reps);
  tw_grt_batch batch = {.B = B, .T = T, .x = x, .adj = adj, .adj_per_twin = 1, .h0 = h0, .c0 = c0};
  float *y = malloc(ny * sizeof(float)), *yr = malloc(ny * sizeof(float));
  float *scratch = malloc(tw_grt_rollout_floats(s, B) * sizeof(float));
  tw_grt_workspace ws = {0};
  CHECK_OK(tw_grt_workspace_create(be, s, 7, T, 0, &ws));
  CHECK_OK(tw_grt_forward(be, &c.model, &batch, &ws, y, NULL, NULL));
  feed_ctx fc = {x, B, T, (int)xrow};
  CHECK_OK(tw_grt_rollout(be, &c.model, &batch, feed_given, &fc, scratch, yr, NULL, NULL));
  double num = 0.0, den = 0.0;
  for (int64_t i = 0; i < ny; ++i) num += (yr[i] - y[i]) * (double)(yr[i] - y[i]), den += (double)y[i] * y[i];
  CHECK_MSG(sqrt(num / den) < 1e-6, "rollout in ranges vs forward: rel err %.3g", sqrt(num / den));
  /* the copies of a twin agree to rounding: not bit for bit, since OpenBLAS
  ** computes a row with a different micro-kernel at the edge of a block */
  const int64_t per_copy = ny / reps;
  double diff = 0.0, scale = 0.0;
  for (int64_t i = 0; i < per_copy; ++i) {
    CHECK_NEAR(yr[i + 2 * per_copy], yr[i], 1e-5);
    diff = fmax(diff, fabs(yr[i + 2 * per_copy] - yr[i]));
    scale = fmax(scale, fabs(yr[i]));
  }
  printf("rollout: twin copies in different ranges differ by at most %.3g (max |y| %.3g)\n", diff, scale);
  tw_grt_workspace_destroy(be, &ws);
  tw_backend_close(be);
  free(x), free(adj), free(h0), free(c0), free(y), free(yr), free(scratch);
  nn_case_free(&c);
}

static void rollout_matches_forward(void) {
  nn_case c;
  CHECK(nn_case_load("grt_per_twin.bin", &c) == 0);
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const tw_grt_sizes *s = &c.model.layout.sz;
  const int B = c.batch.B, T = c.batch.T;
  const int64_t ny = (int64_t)B * T * s->N * s->O, nh = (int64_t)B * s->N * s->Hr, xrow = (int64_t)s->N * s->F;
  float *y = malloc(ny * sizeof(float)), *yr = malloc(ny * sizeof(float));
  float *h = malloc(nh * sizeof(float)), *hr = malloc(nh * sizeof(float)), *cc = malloc(nh * sizeof(float));
  float *cr = malloc(nh * sizeof(float));
  float *scratch = malloc(tw_grt_rollout_floats(s, B) * sizeof(float));
  tw_grt_workspace ws = {0};
  CHECK_OK(tw_grt_workspace_create(be, s, 5, T, 0, &ws));
  CHECK_OK(tw_grt_forward(be, &c.model, &c.batch, &ws, y, h, cc));
  feed_ctx fc = {c.x, B, T, (int)xrow};
  CHECK_OK(tw_grt_rollout(be, &c.model, &c.batch, feed_given, &fc, scratch, yr, hr, cr));
  double num = 0.0, den = 0.0;
  for (int64_t i = 0; i < ny; ++i) num += (yr[i] - y[i]) * (double)(yr[i] - y[i]), den += (double)y[i] * y[i];
  CHECK_MSG(sqrt(num / den) < 1e-6, "teacher-forced rollout vs forward: rel err %.3g", sqrt(num / den));
  for (int64_t i = 0; i < nh; ++i) CHECK_NEAR(hr[i], h[i], 1e-5);

  /* autoregressive: against one-step forwards chained by hand */
  auto_ctx ac = {B, s->N, s->F, s->O};
  CHECK_OK(tw_grt_rollout(be, &c.model, &c.batch, feed_own, &ac, scratch, yr, hr, cr));
  tw_grt_workspace one = {0};
  CHECK_OK(tw_grt_workspace_create(be, s, B, 1, 0, &one));
  float *xt = malloc((size_t)B * xrow * sizeof(float)), *yt = malloc((size_t)B * s->N * s->O * sizeof(float));
  for (int b = 0; b < B; ++b) memcpy(xt + b * xrow, c.x + (int64_t)b * T * xrow, (size_t)xrow * sizeof(float));
  memcpy(h, c.h0, nh * sizeof(float));
  memcpy(cc, c.c0, nh * sizeof(float));
  double worst = 0.0;
  for (int t = 0; t < T; ++t) {
    tw_grt_batch step = {.B = B, .T = 1, .x = xt, .adj = c.adj, .adj_per_twin = 1, .h0 = h, .c0 = cc};
    CHECK_OK(tw_grt_forward(be, &c.model, &step, &one, yt, h, cc));
    for (int b = 0; b < B; ++b)
      for (int64_t k = 0; k < (int64_t)s->N * s->O; ++k)
        worst = fmax(worst, fabs(yt[b * s->N * s->O + k] - yr[((int64_t)b * T + t) * s->N * s->O + k]));
    CHECK_OK(feed_own(&ac, t, yt, xt));
  }
  CHECK_MSG(worst < 1e-5, "autoregressive rollout vs chained steps: max abs diff %.3g", worst);
  tw_grt_workspace_destroy(be, &ws);
  tw_grt_workspace_destroy(be, &one);
  tw_backend_close(be);
  free(y), free(yr), free(h), free(hr), free(cc), free(cr), free(scratch), free(xt), free(yt);
  nn_case_free(&c);
}

/* Loss, gradients and x_grad of the mask case for a thread count. */
static tw_status grads_with_threads(nn_case *c, int threads, double *loss, float *g, float *xg) {
#if defined(_OPENMP)
  omp_set_num_threads(threads);
#endif
  tw_backend *be = NULL;
  TW_TRY(tw_backend_open("cpu", 0, &be));
  tw_grt_workspace ws = {0};
  tw_status st = tw_grt_workspace_create(be, &c->model.layout.sz, 2, c->batch.T, 1, &ws);
  if (st == TW_OK) st = tw_grt_loss_backward(be, &c->model, &c->batch, c->target, c->mask, &ws, loss, g, xg, NULL);
  tw_grt_workspace_destroy(be, &ws);
  tw_backend_close(be);
  return st;
}

static void backward_bit_identical_across_threads(void) {
  nn_case c;
  CHECK(nn_case_load("grt_mask.bin", &c) == 0);
  const int64_t np = c.model.layout.total;
  const int64_t nx = (int64_t)c.batch.B * c.batch.T * c.model.layout.sz.N * c.model.layout.sz.F;
  float *g1 = malloc(np * sizeof(float)), *g2 = malloc(np * sizeof(float));
  float *x1 = malloc(nx * sizeof(float)), *x2 = malloc(nx * sizeof(float));
  double l1 = 0.0, l2 = 1.0;
  CHECK_OK(grads_with_threads(&c, 1, &l1, g1, x1));
  CHECK_OK(grads_with_threads(&c, 2, &l2, g2, x2));
  CHECK(l1 == l2);
  CHECK(!memcmp(g1, g2, np * sizeof(float)));
  CHECK(!memcmp(x1, x2, nx * sizeof(float)));
  /* an empty mask: loss 0 and zero gradients */
  for (int64_t i = 0; i < (int64_t)c.batch.B * c.batch.T * c.model.layout.sz.N * c.model.layout.sz.O; ++i) c.mask[i] = 0.0f;
  CHECK_OK(grads_with_threads(&c, 2, &l1, g1, x1));
  CHECK(l1 == 0.0);
  for (int64_t i = 0; i < np; ++i) CHECK(g1[i] == 0.0f);
  free(g1), free(g2), free(x1), free(x2);
  nn_case_free(&c);
}

static void bad_arguments_are_input_errors(void) {
  nn_case c;
  CHECK(nn_case_load("grt_shared_adj.bin", &c) == 0);
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_grt_workspace ws = {0};
  CHECK_OK(tw_grt_workspace_create(be, &c.model.layout.sz, 4, c.batch.T + 1, 0, &ws));
  float *y = malloc((size_t)c.batch.B * c.batch.T * c.model.layout.sz.N * c.model.layout.sz.O * sizeof(float));
  CHECK_STATUS(tw_grt_forward(be, &c.model, &c.batch, &ws, y, NULL, NULL), TW_ERR_INPUT); /* T mismatch */
  double loss;
  CHECK_STATUS(tw_grt_loss_backward(be, &c.model, &c.batch, c.target, NULL, &ws, &loss, y, NULL, NULL),
               TW_ERR_INPUT); /* not a train workspace */
  tw_error_clear();
  tw_grt_workspace_destroy(be, &ws);
  tw_backend_close(be);
  free(y);
  nn_case_free(&c);
}

static void chunk_within_int_products(void) {
  const tw_grt_sizes ref = {10, 16, 64, 64, 2, 64, 4};
  const int max = tw_grt_max_chunk(&ref, 24); /* 24 * 10 * 4 * 64 = 61,440 per twin */
  CHECK_EQ_INT(max, (INT32_MAX - 1) / 61440);
  CHECK((int64_t)max * 61440 < INT32_MAX && (int64_t)(max + 1) * 61440 >= INT32_MAX);
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_grt_workspace ws = {0};
  CHECK_STATUS(tw_grt_workspace_create(be, &ref, max + 1, 24, 0, &ws), TW_ERR_INPUT);
  CHECK(ws.base == NULL);
  tw_error_clear();
  CHECK(tw_grt_default_chunk(be, &ref, 1 << 20, 24, 0, 0) <= 16);
  be->device.kind = TW_DEVICE_CUDA; /* the GPU's rule, on a host table: the whole batch, capped */
  CHECK_EQ_INT(tw_grt_default_chunk(be, &ref, 1 << 16, 24, 0, 0), max);
  CHECK_EQ_INT(tw_grt_default_chunk(be, &ref, 1 << 12, 24, 0, 0), 1 << 12);
  be->device.kind = TW_DEVICE_HOST;
  tw_backend_close(be);
}

int main(void) {
  TW_TEST_RUN(layout_matches_pytorch_state_dict);
  TW_TEST_RUN(pointwise_math_matches_libm);
  TW_TEST_RUN(rollout_matches_forward);
  TW_TEST_RUN(rollout_in_ranges_matches_forward);
  TW_TEST_RUN(backward_bit_identical_across_threads);
  TW_TEST_RUN(bad_arguments_are_input_errors);
  TW_TEST_RUN(chunk_within_int_products);
  return TW_TEST_RESULT();
}
