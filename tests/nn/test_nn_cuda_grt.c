/*
** test_nn_cuda_grt.c: the whole GRT on CUDA against the CPU reference (gpu).
**
** For each case (the reference sizes N=10,F=16,H=64,Hr=64,L=2,M=64,O=4; the odd
** sizes N=7,F=5,H=24,Hr=40,L=3,M=9,O=3 of the acceptance; two random
** sizes), with fresh random weights (PyTorch's default init, seeded) and inputs
** every run (seed printed; TW_TEST_SEED repeats it), the CPU computes once:
** forward (y, h, c), loss and backward (every gradient tensor, x_grad, y), and a
** rollout whose callback feeds tanh(y_t) back as x_{t+1}. The CUDA backend then
** computes the same for every LSTM path (generic: the shared orchestration with
** the CUDA kernel table; fused; cuDNN where built) and every math mode, with
** shared and per-twin adjacency, with and without h0/c0 and a mask, and with a
** random chunk size so that chunking is exercised. Every device output starts
** as NaN bytes, so an element nobody wrote fails.
**
** Tolerances (normwise relative, per output and per gradient tensor), stated
** before any GPU ran this, for the forward outputs, loss and rollout:
**   FP32  1e-4: float32 throughout, only summation order and FMA contraction
**         differ; the bound for CUDA against CPU.
**   TF32  5e-3, BF16 5e-2: one product's normwise error is ~7e-4 (TF32) and
**         ~6e-3 (BF16) (tests/cuda/test_cuda_gemm.c); the forward chains L+3
**         products, errors adding like a random walk: a few times one product's.
** The gradients (every gradient tensor and x_grad) in TF32 and BF16 are held to
** 1e-1 and 3e-1 instead. A weight gradient is a sum over every (twin, node,
** step) row whose terms largely cancel, so its relative error is one product's
** times that cancellation ratio, which the first estimate (5e-3, 5e-2: a random
** walk, as for the forward) left out. Run under the CUDA emulator, whose cuBLAS
** stand-in rounds the operands to TF32 and BF16 as the tensor cores do
** (tests/cuda_emu/), the worst gradient errors over six seeds were 3.3e-2
** (TF32) and 5.7e-2 (BF16), while the forward stayed within 5.1e-4 and 4.6e-3;
** the gradient bounds are about three and five times those worst cases, loose
** enough for a GPU's own rounding, tight enough that a wrong index (an error
** near 1) or NaN fails. These modes check the wiring; FP32 checks the values.
** FP32 gradients keep 1e-4 (1.5e-6 at worst under the emulator). Inputs that
** put a pre-activation of the head's ReLU within rounding of 0 are drawn again
** first (on_kink): there the CPU and the GPU may take opposite sides of the kink,
** both correct, and one seed showed 7.6e-4 that way (docs/grt-cuda.md).
** The largest error of each kind is printed, for the record.
*/
#include <math.h>   /* tanhf */
#include <stdlib.h> /* free */
#include <string.h> /* memcpy */

#include "backend/backend.h" /* both backends */
#include "build_info.h"      /* TW_HAVE_CUDNN */
#include "nn/grt.h"          /* the model and its entry points */
#include "nn_grt_cuda.h"     /* the CUDA LSTM paths */
#include "test_nn_cuda_common.h" /* seed, random arrays, device copies, poisoning, comparison */
#include "tw_test.h"              /* CHECK, TW_TEST_RUN */

static uint64_t seed;
static uint64_t stream_id;
static tw_backend *cpu, *gpu;

typedef struct mode_case {
  const char *name;
  tw_math_mode mode;
  double tol, grad_tol;        /* forward outputs, loss, rollout; gradients */
  double max_err, max_grad_err; /* the largest seen, for the log */
} mode_case;

static mode_case modes[] = {{"fp32", TW_MATH_FP32, 1e-4, 1e-4, 0.0, 0.0},
                            {"tf32", TW_MATH_TF32, 5e-3, 1e-1, 0.0, 0.0},
                            {"bf16", TW_MATH_BF16, 5e-2, 3e-1, 0.0, 0.0}};

/* One problem and the CPU's answers, all on the host. */
typedef struct grt_case {
  tw_grt_layout lay;
  int B, T, per_twin, chunk;
  float *params, *x, *adj, *h0, *c0, *target, *mask; /* h0, c0, mask may be NULL */
  /* CPU results */
  float *y, *h, *c, *grads, *x_grad, *y_bwd, *ry, *rh, *rc;
  double loss;
} grt_case;

static int64_t n_y(const grt_case *g) { return (int64_t)g->B * g->T * g->lay.sz.N * g->lay.sz.O; }
static int64_t n_x(const grt_case *g) { return (int64_t)g->B * g->T * g->lay.sz.N * g->lay.sz.F; }
static int64_t n_state(const grt_case *g) { return (int64_t)g->B * g->lay.sz.N * g->lay.sz.Hr; }
static int64_t n_adj(const grt_case *g) { return (int64_t)(g->per_twin ? g->B : 1) * g->lay.sz.N * g->lay.sz.N; }

/* ---- the rollout callback: x_{t+1}[b,n,f] = tanh(y_t[b,n,f % O]), on the host ---- */

typedef struct feed_ctx {
  tw_backend *be;
  int B, N, F, O;
  float *yh, *xh; /* host scratch */
} feed_ctx;

static tw_status feed_back(void *ctx, int t, const float *y_t, float *x_next) {
  feed_ctx *k = ctx;
  const int64_t rows = (int64_t)k->B * k->N;
  TW_TRY(k->be->copy(k->be, k->yh, y_t, (size_t)(rows * k->O) * sizeof(float), TW_COPY_DEVICE_TO_HOST));
  for (int64_t r = 0; r < rows; ++r)
    for (int f = 0; f < k->F; ++f) k->xh[r * k->F + f] = tanhf(k->yh[r * k->O + f % k->O]);
  return k->be->copy(k->be, x_next, k->xh, (size_t)(rows * k->F) * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

static feed_ctx feed_make(tw_backend *be, const grt_case *g) {
  feed_ctx k = {be, g->B, g->lay.sz.N, g->lay.sz.F, g->lay.sz.O, NULL, NULL};
  k.yh = nnc_poisoned((int64_t)g->B * k.N * k.O);
  k.xh = nnc_poisoned((int64_t)g->B * k.N * k.F);
  return k;
}

/* ---- making a case and its CPU reference ---------------------------------- */

static int case_make(grt_case *g, const tw_grt_sizes *sz, int B, int T, int per_twin, int with_state, int with_mask) {
  memset(g, 0, sizeof *g);
  if (tw_grt_layout_make(sz, &g->lay) != TW_OK) return -1;
  tw_rng rng = tw_rng_make(seed, stream_id++, 0, 0);
  g->B = B, g->T = T, g->per_twin = per_twin, g->chunk = nnc_int(&rng, 1, B);
  g->params = nnc_poisoned(g->lay.total);
  tw_grt_init_params(&g->lay, seed ^ (stream_id * 0x9E3779B97F4A7C15ull), g->params);
  g->x = nnc_random(&rng, n_x(g), -1, 1);
  g->adj = nnc_random(&rng, n_adj(g), 0, 2.0f / sz->N);
  g->h0 = with_state ? nnc_random(&rng, n_state(g), -0.5f, 0.5f) : NULL;
  g->c0 = with_state ? nnc_random(&rng, n_state(g), -0.5f, 0.5f) : NULL;
  g->target = nnc_random(&rng, n_y(g), -1, 1);
  if (with_mask) {
    g->mask = nnc_random(&rng, n_y(g), 0, 1);
    for (int64_t i = 0; i < n_y(g); ++i) g->mask[i] = g->mask[i] < 0.25f ? 0.0f : 1.0f;
  }
  return 0;
}

static tw_grt_batch batch_of(const grt_case *g, const float *x, const float *adj, const float *h0, const float *c0) {
  tw_grt_batch b = {g->B, g->T, x, adj, g->per_twin, h0, c0};
  return b;
}

static tw_status case_reference(grt_case *g) {
  const tw_grt_sizes *s = &g->lay.sz;
  tw_grt_model m = {g->lay, g->params};
  tw_grt_batch b = batch_of(g, g->x, g->adj, g->h0, g->c0);
  g->y = nnc_poisoned(n_y(g)), g->h = nnc_poisoned(n_state(g)), g->c = nnc_poisoned(n_state(g));
  g->grads = nnc_poisoned(g->lay.total), g->x_grad = nnc_poisoned(n_x(g)), g->y_bwd = nnc_poisoned(n_y(g));
  g->ry = nnc_poisoned(n_y(g)), g->rh = nnc_poisoned(n_state(g)), g->rc = nnc_poisoned(n_state(g));
  tw_grt_workspace ws;
  TW_TRY(tw_grt_workspace_create(cpu, s, tw_grt_default_chunk(cpu, s, g->B, g->T, 1, 0), g->T, 1, &ws));
  tw_status st = tw_grt_forward(cpu, &m, &b, &ws, g->y, g->h, g->c);
  if (st == TW_OK) st = tw_grt_loss_backward(cpu, &m, &b, g->target, g->mask, &ws, &g->loss, g->grads, g->x_grad, g->y_bwd);
  tw_grt_workspace_destroy(cpu, &ws);
  TW_TRY(st);
  float *scratch = nnc_poisoned((int64_t)tw_grt_rollout_floats(s, g->B));
  feed_ctx k = feed_make(cpu, g);
  st = tw_grt_rollout(cpu, &m, &b, feed_back, &k, scratch, g->ry, g->rh, g->rc);
  free(scratch), free(k.yh), free(k.xh);
  return st;
}

/* The CPU gradient (every tensor) with head.0's bias moved by `shift`. */
static tw_status grads_shifted(const grt_case *g, float shift, float *grads) {
  const tw_grt_sizes *s = &g->lay.sz;
  float *params = malloc((size_t)g->lay.total * sizeof *params), *x_grad = malloc((size_t)n_x(g) * sizeof *x_grad);
  float *y = malloc((size_t)n_y(g) * sizeof *y);
  if (!params || !x_grad || !y) {
    free(params), free(x_grad), free(y);
    return TW_FAIL(TW_ERR_NOMEM, "test: out of memory");
  }
  memcpy(params, g->params, (size_t)g->lay.total * sizeof *params);
  for (int j = 0; j < s->M; ++j) params[g->lay.head0_b + j] += shift;
  tw_grt_model m = {g->lay, params};
  tw_grt_batch b = batch_of(g, g->x, g->adj, g->h0, g->c0);
  tw_grt_workspace ws;
  double loss;
  tw_status st = tw_grt_workspace_create(cpu, s, tw_grt_default_chunk(cpu, s, g->B, g->T, 1, 0), g->T, 1, &ws);
  if (st == TW_OK) {
    st = tw_grt_loss_backward(cpu, &m, &b, g->target, g->mask, &ws, &loss, grads, x_grad, y);
    tw_grt_workspace_destroy(cpu, &ws);
  }
  free(params), free(x_grad), free(y);
  return st;
}

/* True when the case sits on a ReLU kink: X
** few times the rounding difference of a pre-activation between the CPU and a
** GPU) moves the CPU gradient by more than 5e-5 normwise (half the FP32 bound).
** Away from a kink the gradient is smooth there and moves by about 1e-6; at a
** kink some pre-activation lies within rounding of 0, and a GPU may round it to
** the other side than the CPU:
** relu' is then 1 on one and 0 on the other, both correct subgradients, and the
** comparison would measure the kink, not the kernels (docs/grt-cuda.md). */
static int on_kink(const grt_case *g) {
  float *lo = malloc((size_t)g->lay.total * sizeof *lo), *hi = malloc((size_t)g->lay.total * sizeof *hi);
  int kink = !lo || !hi || grads_shifted(g, -5e-7f, lo) != TW_OK || grads_shifted(g, 5e-7f, hi) != TW_OK;
  if (!kink) kink = nnc_rel_err(hi, lo, g->lay.total) > 5e-5;
  free(lo), free(hi);
  return kink;
}

static void case_free(grt_case *g) {
  float *all[] = {g->params, g->x, g->adj, g->h0, g->c0, g->target, g->mask, g->y, g->h, g->c,
                  g->grads, g->x_grad, g->y_bwd, g->ry, g->rh, g->rc};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i) free(all[i]);
}

/* ---- one GPU run of a case, compared ---------------------------------------- */

/* Device copies of a case's inputs. */
typedef struct dev_inputs {
  float *params, *x, *adj, *h0, *c0, *target, *mask;
} dev_inputs;

static dev_inputs upload_inputs(const grt_case *g) {
  dev_inputs d;
  d.params = nnc_upload(gpu, g->params, g->lay.total);
  d.x = nnc_upload(gpu, g->x, n_x(g));
  d.adj = nnc_upload(gpu, g->adj, n_adj(g));
  d.h0 = nnc_upload(gpu, g->h0, n_state(g));
  d.c0 = nnc_upload(gpu, g->c0, n_state(g));
  d.target = nnc_upload(gpu, g->target, n_y(g));
  d.mask = nnc_upload(gpu, g->mask, n_y(g));
  return d;
}

static void free_inputs(dev_inputs *d) {
  float *all[] = {d->params, d->x, d->adj, d->h0, d->c0, d->target, d->mask};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i) nnc_device_free(gpu, all[i]);
}

/* Compares a device result with the CPU's against the mode's forward bound, or
** its gradient bound when `grad`; returns the error, records the worst. */
static double compare_as(const float *dev, const float *want, int64_t n, mode_case *mc, int grad, const char *what,
                         const char *label, int *bad) {
  float *got = nnc_download(gpu, dev, n);
  double e = nnc_rel_err(got, want, n);
  free(got);
  double *worst = grad ? &mc->max_grad_err : &mc->max_err;
  const double tol = grad ? mc->grad_tol : mc->tol;
  if (e > *worst) *worst = e;
  if (!(e <= tol)) {
    fprintf(stderr, "  %s: %s relative error %.3g > %.3g\n", label, what, e, tol);
    *bad = 1;
  }
  return e;
}

static double compare(const float *dev, const float *want, int64_t n, mode_case *mc, const char *what,
                      const char *label, int *bad) {
  return compare_as(dev, want, n, mc, 0, what, label, bad);
}

static void run_path(const grt_case *g, tw_grt_lstm_path path, mode_case *mc, const char *label, int *bad) {
  const tw_grt_sizes *s = &g->lay.sz;
  gpu->math_mode = mc->mode;
  tw_grt_cuda_plan *plan = NULL;
  tw_status st = tw_grt_cuda_plan_create(gpu, s, path, &plan);
  if (st != TW_OK) {
    fprintf(stderr, "  %s: plan: %s\n", label, tw_error_message());
    *bad = 1;
    gpu->math_mode = TW_MATH_FP32;
    return;
  }
  dev_inputs d = upload_inputs(g);
  tw_grt_model m = {g->lay, d.params};
  tw_grt_batch b = batch_of(g, d.x, d.adj, d.h0, d.c0);
  float *y = nnc_device_poisoned(gpu, n_y(g)), *h = nnc_device_poisoned(gpu, n_state(g));
  float *c = nnc_device_poisoned(gpu, n_state(g)), *grads = nnc_device_poisoned(gpu, g->lay.total);
  float *x_grad = nnc_device_poisoned(gpu, n_x(g)), *y_bwd = nnc_device_poisoned(gpu, n_y(g));
  float *ry = nnc_device_poisoned(gpu, n_y(g)), *rh = nnc_device_poisoned(gpu, n_state(g));
  float *rc = nnc_device_poisoned(gpu, n_state(g));
  float *scratch = nnc_device_poisoned(gpu, (int64_t)tw_grt_rollout_floats(s, g->B));
  tw_grt_workspace ws;
  double loss = NAN;
  st = tw_grt_workspace_create(gpu, s, g->chunk, g->T, 1, &ws);
  if (st == TW_OK) {
    st = tw_grt_cuda_forward(plan, &m, &b, &ws, y, h, c);
    if (st == TW_OK) st = tw_grt_cuda_loss_backward(plan, &m, &b, d.target, d.mask, &ws, &loss, grads, x_grad, y_bwd);
    tw_grt_workspace_destroy(gpu, &ws);
  }
  feed_ctx k = feed_make(gpu, g);
  if (st == TW_OK) st = tw_grt_cuda_rollout(plan, &m, &b, feed_back, &k, scratch, ry, rh, rc);
  if (st != TW_OK) {
    fprintf(stderr, "  %s: %s\n", label, tw_error_message());
    *bad = 1;
  } else {
    double ey = compare(y, g->y, n_y(g), mc, "forward y", label, bad);
    compare(h, g->h, n_state(g), mc, "forward h", label, bad);
    compare(c, g->c, n_state(g), mc, "forward c", label, bad);
    double el = fabs(loss - g->loss) / fabs(g->loss);
    if (el > mc->max_err) mc->max_err = el;
    if (!(el <= mc->tol)) {
      fprintf(stderr, "  %s: loss %.9g vs %.9g\n", label, loss, g->loss);
      *bad = 1;
    }
    double eg = 0.0;
    for (int i = 0; i < g->lay.count; ++i) {
      const tw_grt_tensor *t = &g->lay.tensors[i];
      eg = TW_MAX(eg, compare_as(grads + t->offset, g->grads + t->offset, t->numel, mc, 1, t->name, label, bad));
    }
    double ex = compare_as(x_grad, g->x_grad, n_x(g), mc, 1, "x_grad", label, bad);
    compare(y_bwd, g->y_bwd, n_y(g), mc, "backward y", label, bad);
    double er = compare(ry, g->ry, n_y(g), mc, "rollout y", label, bad);
    compare(rh, g->rh, n_state(g), mc, "rollout h", label, bad);
    compare(rc, g->rc, n_state(g), mc, "rollout c", label, bad);
    fprintf(stderr, "  %-58s y %.2g loss %.2g grads<=%.2g x_grad %.2g rollout %.2g\n", label, ey, el, eg, ex, er);
  }
  float *all[] = {y, h, c, grads, x_grad, y_bwd, ry, rh, rc, scratch};
  for (size_t i = 0; i < TW_ARRAY_LEN(all); ++i) nnc_device_free(gpu, all[i]);
  free(k.yh), free(k.xh);
  free_inputs(&d);
  tw_grt_cuda_plan_destroy(plan);
  gpu->math_mode = TW_MATH_FP32;
}

static void run_case(const char *name, const tw_grt_sizes *sz, int B, int T, int per_twin, int with_state,
                     int with_mask) {
  grt_case g;
  for (int attempt = 0;; ++attempt) { /* inputs on a ReLU kink are drawn again (on_kink) */
    CHECK_MSG(case_make(&g, sz, B, T, per_twin, with_state, with_mask) == 0, "%s: bad sizes", name);
    if (attempt == 8 || !on_kink(&g)) break;
    fprintf(stderr, "  %s B=%d T=%d: inputs on a ReLU kink, drawn again\n", name, B, T);
    case_free(&g);
  }
  tw_status st = case_reference(&g);
  if (st != TW_OK) {
    case_free(&g);
    CHECK_MSG(0, "%s: CPU reference failed: %s", name, tw_error_message());
  }
  const tw_grt_lstm_path paths[] = {TW_GRT_LSTM_GENERIC, TW_GRT_LSTM_FUSED,
#if TW_HAVE_CUDNN
                                    TW_GRT_LSTM_CUDNN
#endif
  };
  int bad = 0;
  for (size_t p = 0; p < TW_ARRAY_LEN(paths); ++p)
    for (size_t mo = 0; mo < TW_ARRAY_LEN(modes); ++mo) {
      char label[200];
      snprintf(label, sizeof label, "%s B=%d T=%d chunk=%d adj=%s state=%d mask=%d %s/%s", name, B, T, g.chunk,
               per_twin ? "twin" : "shared", with_state, with_mask, tw_grt_lstm_path_name(paths[p]),
               modes[mo].name);
      run_path(&g, paths[p], &modes[mo], label, &bad);
    }
  case_free(&g);
  CHECK_MSG(!bad, "%s: CUDA differs from the CPU (see above)", name);
}

static void test_reference_sizes(void) {
  const tw_grt_sizes sz = {10, 16, 64, 64, 2, 64, 4};
  run_case("reference", &sz, 37, 9, 0, 0, 0);
  run_case("reference", &sz, 21, 6, 1, 1, 1);
  /* 2,240 rows per step: more row tiles (16 rows) than an H100 has resident
  ** fused-step blocks (132), so each block walks several tiles */
  run_case("reference", &sz, 224, 2, 1, 0, 0);
}

static void test_odd_sizes(void) {
  const tw_grt_sizes sz = {7, 5, 24, 40, 3, 9, 3};
  run_case("odd", &sz, 13, 17, 1, 1, 0);
  run_case("odd", &sz, 13, 17, 0, 0, 1);
}

static void test_random_sizes(void) {
  tw_rng rng = tw_rng_make(seed, stream_id++, 0, 0);
  for (int rep = 0; rep < 2; ++rep) {
    int max_hr = 0;
    const int H = nnc_int(&rng, 1, 80);
    CHECK_OK(tw_grt_cuda_fused_max_hr(gpu, H, &max_hr));
    const tw_grt_sizes sz = {nnc_int(&rng, 1, 12), nnc_int(&rng, 1, 20), H, nnc_int(&rng, 1, TW_MIN(96, max_hr)),
                             nnc_int(&rng, 1, 4), nnc_int(&rng, 1, 70), nnc_int(&rng, 1, 6)};
    char name[160];
    snprintf(name, sizeof name, "random N=%d F=%d H=%d Hr=%d L=%d M=%d O=%d", sz.N, sz.F, sz.H, sz.Hr, sz.L, sz.M,
             sz.O);
    run_case(name, &sz, nnc_int(&rng, 1, 40), nnc_int(&rng, 1, 12), rep, rep, !rep);
  }
}

/* A fused plan for an Hr whose W_hh cannot fit in shared memory is refused, and
** a cuDNN plan in a build without cuDNN too; neither is a crash. */
static void test_plan_limits(void) {
  int max_hr = 0;
  CHECK_OK(tw_grt_cuda_fused_max_hr(gpu, 64, &max_hr));
  fprintf(stderr, "  fused step: Hr up to %d with H = 64 on this device\n", max_hr);
  CHECK(max_hr >= 64); /* the reference model fits */
  tw_grt_sizes sz = {3, 4, 64, max_hr + 1, 1, 4, 2};
  tw_grt_cuda_plan *plan = NULL;
  CHECK_STATUS(tw_grt_cuda_plan_create(gpu, &sz, TW_GRT_LSTM_FUSED, &plan), TW_ERR_UNSUPPORTED);
  tw_error_clear();
  CHECK(plan == NULL);
#if !TW_HAVE_CUDNN
  sz.Hr = 8;
  CHECK_STATUS(tw_grt_cuda_plan_create(gpu, &sz, TW_GRT_LSTM_CUDNN, &plan), TW_ERR_UNSUPPORTED);
  tw_error_clear();
#endif
  CHECK_STATUS(tw_grt_cuda_plan_create(cpu, &sz, TW_GRT_LSTM_GENERIC, &plan), TW_ERR_INPUT);
  tw_error_clear();
}

int main(void) {
  if (nnc_start(&seed, &cpu, &gpu)) return 1;
  TW_TEST_RUN(test_plan_limits);
  TW_TEST_RUN(test_reference_sizes);
  TW_TEST_RUN(test_odd_sizes);
  TW_TEST_RUN(test_random_sizes);
  for (size_t m = 0; m < TW_ARRAY_LEN(modes); ++m)
    fprintf(stderr, "%s: largest relative error %.3g (limit %g), of a gradient %.3g (limit %g)\n", modes[m].name,
            modes[m].max_err, modes[m].tol, modes[m].max_grad_err, modes[m].grad_tol);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
