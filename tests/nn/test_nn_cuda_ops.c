/*
** test_nn_cuda_ops.c: every entry of the CUDA neural-twin table against the CPU
** table (gpu label), one entry at a time so a failure names its kernel.
**
** Fresh random sizes and inputs each run (seed printed; TW_TEST_SEED repeats
** it); every output the entry writes starts as NaN on the device, so an element
** left unwritten fails. Sizes cross the kernels' internal boundaries: row counts
** above the column-sum chunk (4096 rows), widths that are not multiples of a
** warp, per-twin and shared adjacency.
**
** Tolerances (||gpu - cpu|| / ||cpu||), from the arithmetic: both sides evaluate
** the same nn_math.h expressions in float32; nvcc contracts a*b + c into FMA
** where the C build does not, and the adjacency sums add N terms, so elements
** differ by a few ulp: 1e-5 is a wide bound for ~1e-7 differences. The double-
** accumulated reductions (mse, sum, bias gradients) differ only in summation
** order: 1e-10 for the scalar sums of identical float terms, 1e-6 for the bias
** gradients, which round to float at the end.
*/
#include <stdlib.h> /* free */
#include <string.h> /* memcpy, memcmp */

#include "backend/backend.h" /* both backends */
#include "nn/nn_ops.h"       /* tw_nn_ops_cpu, the CUDA table through tw_nn_ops_for */
#include "test_nn_cuda_common.h" /* seed, random arrays, device copies, poisoning, comparison */
#include "tw_test.h"              /* CHECK, TW_TEST_RUN */

static const double TOL = 1e-5;
static uint64_t seed;
static uint64_t stream_id;
static tw_backend *cpu, *gpu;

static tw_rng next_rng(void) { return tw_rng_make(seed, stream_id++, 0, 0); }

static void test_gnn_combine(void) {
  for (int per_twin = 0; per_twin < 2; ++per_twin) {
    tw_rng rng = next_rng();
    const int T = nnc_int(&rng, 1, 5), B = nnc_int(&rng, 1, 9), N = nnc_int(&rng, 1, 12), H = nnc_int(&rng, 1, 70);
    const int64_t rows = (int64_t)T * B * N, nadj = (int64_t)(per_twin ? B : 1) * N * N;
    float *ycat = nnc_random(&rng, rows * 2 * H, -2, 2), *bias = nnc_random(&rng, H, -1, 1);
    float *adj = nnc_random(&rng, nadj, 0, 1), *z_cpu = nnc_poisoned(rows * H);
    CHECK_OK(tw_nn_ops_cpu.gnn_combine(cpu, T, B, N, H, ycat, bias, adj, per_twin, z_cpu));
    float *d_ycat = nnc_upload(gpu, ycat, rows * 2 * H), *d_bias = nnc_upload(gpu, bias, H);
    float *d_adj = nnc_upload(gpu, adj, nadj), *d_z = nnc_device_poisoned(gpu, rows * H);
    CHECK_OK(tw_nn_ops_for(gpu)->gnn_combine(gpu, T, B, N, H, d_ycat, d_bias, d_adj, per_twin, d_z));
    float *z = nnc_download(gpu, d_z, rows * H);
    char what[128];
    snprintf(what, sizeof what, "gnn_combine T=%d B=%d N=%d H=%d per_twin=%d", T, B, N, H, per_twin);
    double e = nnc_rel_err(z, z_cpu, rows * H);
    nnc_device_free(gpu, d_ycat), nnc_device_free(gpu, d_bias), nnc_device_free(gpu, d_adj), nnc_device_free(gpu, d_z);
    free(ycat), free(bias), free(adj), free(z_cpu), free(z);
    fprintf(stderr, "  %-60s rel err %.3g\n", what, e);
    CHECK_MSG(e <= TOL, "%s: relative error %.3g", what, e);
  }
}

static void test_gnn_combine_backward(void) {
  for (int per_twin = 0; per_twin < 2; ++per_twin) {
    tw_rng rng = next_rng();
    const int T = nnc_int(&rng, 1, 5), B = nnc_int(&rng, 1, 9), N = nnc_int(&rng, 1, 12), H = nnc_int(&rng, 1, 70);
    const int64_t rows = (int64_t)T * B * N, nadj = (int64_t)(per_twin ? B : 1) * N * N;
    float *z = nnc_random(&rng, rows * H, -1, 1), *dz = nnc_random(&rng, rows * H, -1, 1);
    float *adj = nnc_random(&rng, nadj, 0, 1), *db0 = nnc_random(&rng, H, -1, 1);
    float *dycat_cpu = nnc_poisoned(rows * 2 * H), *db_cpu = malloc((size_t)H * sizeof(float));
    memcpy(db_cpu, db0, (size_t)H * sizeof(float));
    CHECK_OK(tw_nn_ops_cpu.gnn_combine_backward(cpu, T, B, N, H, z, dz, adj, per_twin, dycat_cpu, db_cpu));
    float *d_z = nnc_upload(gpu, z, rows * H), *d_dz = nnc_upload(gpu, dz, rows * H), *d_adj = nnc_upload(gpu, adj, nadj);
    float *d_db = nnc_upload(gpu, db0, H), *d_dycat = nnc_device_poisoned(gpu, rows * 2 * H);
    CHECK_OK(tw_nn_ops_for(gpu)->gnn_combine_backward(gpu, T, B, N, H, d_z, d_dz, d_adj, per_twin, d_dycat, d_db));
    float *dycat = nnc_download(gpu, d_dycat, rows * 2 * H), *db = nnc_download(gpu, d_db, H);
    double e1 = nnc_rel_err(dycat, dycat_cpu, rows * 2 * H), e2 = nnc_rel_err(db, db_cpu, H);
    fprintf(stderr, "  gnn_combine_backward T=%d B=%d N=%d H=%d per_twin=%d: dycat %.3g dbias %.3g\n", T, B, N, H,
            per_twin, e1, e2);
    nnc_device_free(gpu, d_z), nnc_device_free(gpu, d_dz), nnc_device_free(gpu, d_adj), nnc_device_free(gpu, d_db);
    nnc_device_free(gpu, d_dycat);
    free(z), free(dz), free(adj), free(db0), free(dycat_cpu), free(db_cpu), free(dycat), free(db);
    CHECK_MSG(e1 <= TOL && e2 <= TOL, "gnn_combine_backward: dycat %.3g, dbias %.3g", e1, e2);
  }
}

static void test_lstm_cell_forward(void) {
  tw_rng rng = next_rng();
  const int64_t rows = nnc_int(&rng, 1, 3000);
  const int Hr = nnc_int(&rng, 1, 90);
  const int64_t G = 4 * (int64_t)Hr;
  float *gates = nnc_random(&rng, rows * G, -4, 4), *b_ih = nnc_random(&rng, G, -1, 1), *b_hh = nnc_random(&rng, G, -1, 1);
  float *c_prev = nnc_random(&rng, rows * Hr, -2, 2);
  float *g_cpu = malloc((size_t)(rows * G) * sizeof(float)), *c_cpu = nnc_poisoned(rows * Hr), *h_cpu = nnc_poisoned(rows * Hr);
  memcpy(g_cpu, gates, (size_t)(rows * G) * sizeof(float));
  CHECK_OK(tw_nn_ops_cpu.lstm_cell_forward(cpu, rows, Hr, g_cpu, b_ih, b_hh, c_prev, c_cpu, h_cpu));
  float *d_g = nnc_upload(gpu, gates, rows * G), *d_bih = nnc_upload(gpu, b_ih, G), *d_bhh = nnc_upload(gpu, b_hh, G);
  float *d_cp = nnc_upload(gpu, c_prev, rows * Hr), *d_c = nnc_device_poisoned(gpu, rows * Hr);
  float *d_h = nnc_device_poisoned(gpu, rows * Hr);
  CHECK_OK(tw_nn_ops_for(gpu)->lstm_cell_forward(gpu, rows, Hr, d_g, d_bih, d_bhh, d_cp, d_c, d_h));
  float *g = nnc_download(gpu, d_g, rows * G), *c = nnc_download(gpu, d_c, rows * Hr), *h = nnc_download(gpu, d_h, rows * Hr);
  double eg = nnc_rel_err(g, g_cpu, rows * G), ec = nnc_rel_err(c, c_cpu, rows * Hr), eh = nnc_rel_err(h, h_cpu, rows * Hr);
  fprintf(stderr, "  lstm_cell_forward rows=%lld Hr=%d: gates %.3g c %.3g h %.3g\n", (long long)rows, Hr, eg, ec, eh);
  nnc_device_free(gpu, d_g), nnc_device_free(gpu, d_bih), nnc_device_free(gpu, d_bhh), nnc_device_free(gpu, d_cp);
  nnc_device_free(gpu, d_c), nnc_device_free(gpu, d_h);
  free(gates), free(b_ih), free(b_hh), free(c_prev), free(g_cpu), free(c_cpu), free(h_cpu), free(g), free(c), free(h);
  CHECK_MSG(eg <= TOL && ec <= TOL && eh <= TOL, "lstm_cell_forward: gates %.3g c %.3g h %.3g", eg, ec, eh);
}

static void test_lstm_cell_backward(void) {
  tw_rng rng = next_rng();
  const int64_t rows = nnc_int(&rng, 1, 3000);
  const int Hr = nnc_int(&rng, 1, 90);
  const int64_t G = 4 * (int64_t)Hr, n = rows * Hr;
  /* activated gates: sigmoids in (0,1), tanh in (-1,1); any values exercise the algebra */
  float *gates = nnc_random(&rng, rows * G, -1, 1), *c_prev = nnc_random(&rng, n, -2, 2), *c = nnc_random(&rng, n, -2, 2);
  float *dh = nnc_random(&rng, n, -1, 1), *dc = nnc_random(&rng, n, -1, 1);
  float *g_cpu = malloc((size_t)(rows * G) * sizeof(float)), *dc_cpu = malloc((size_t)n * sizeof(float));
  memcpy(g_cpu, gates, (size_t)(rows * G) * sizeof(float));
  memcpy(dc_cpu, dc, (size_t)n * sizeof(float));
  CHECK_OK(tw_nn_ops_cpu.lstm_cell_backward(cpu, rows, Hr, g_cpu, c_prev, c, dh, dc_cpu));
  float *d_g = nnc_upload(gpu, gates, rows * G), *d_cp = nnc_upload(gpu, c_prev, n), *d_c = nnc_upload(gpu, c, n);
  float *d_dh = nnc_upload(gpu, dh, n), *d_dc = nnc_upload(gpu, dc, n);
  CHECK_OK(tw_nn_ops_for(gpu)->lstm_cell_backward(gpu, rows, Hr, d_g, d_cp, d_c, d_dh, d_dc));
  float *g = nnc_download(gpu, d_g, rows * G), *dcg = nnc_download(gpu, d_dc, n);
  double eg = nnc_rel_err(g, g_cpu, rows * G), ec = nnc_rel_err(dcg, dc_cpu, n);
  fprintf(stderr, "  lstm_cell_backward rows=%lld Hr=%d: dgates %.3g dc %.3g\n", (long long)rows, Hr, eg, ec);
  nnc_device_free(gpu, d_g), nnc_device_free(gpu, d_cp), nnc_device_free(gpu, d_c), nnc_device_free(gpu, d_dh);
  nnc_device_free(gpu, d_dc);
  free(gates), free(c_prev), free(c), free(dh), free(dc), free(g_cpu), free(dc_cpu), free(g), free(dcg);
  CHECK_MSG(eg <= TOL && ec <= TOL, "lstm_cell_backward: dgates %.3g dc %.3g", eg, ec);
}

static void test_bias_act_and_relu_backward(void) {
  for (int act = TW_NN_ACT_NONE; act <= TW_NN_ACT_TANH; ++act) {
    tw_rng rng = next_rng();
    const int64_t rows = nnc_int(&rng, 1, 5000);
    const int n = nnc_int(&rng, 1, 70);
    float *a = nnc_random(&rng, rows * n, -3, 3), *bias = nnc_random(&rng, n, -1, 1);
    float *a_cpu = malloc((size_t)(rows * n) * sizeof(float));
    memcpy(a_cpu, a, (size_t)(rows * n) * sizeof(float));
    CHECK_OK(tw_nn_ops_cpu.bias_act(cpu, rows, n, a_cpu, bias, (tw_nn_act)act));
    float *d_a = nnc_upload(gpu, a, rows * n), *d_b = nnc_upload(gpu, bias, n);
    CHECK_OK(tw_nn_ops_for(gpu)->bias_act(gpu, rows, n, d_a, d_b, (tw_nn_act)act));
    float *got = nnc_download(gpu, d_a, rows * n);
    double e = nnc_rel_err(got, a_cpu, rows * n);
    fprintf(stderr, "  bias_act act=%d rows=%lld n=%d: %.3g\n", act, (long long)rows, n, e);
    /* relu backward against the relu output just computed */
    double e2 = 0.0;
    if (act == TW_NN_ACT_RELU) {
      float *da = nnc_random(&rng, rows * n, -1, 1), *da_cpu = malloc((size_t)(rows * n) * sizeof(float));
      memcpy(da_cpu, da, (size_t)(rows * n) * sizeof(float));
      CHECK_OK(tw_nn_ops_cpu.relu_backward(cpu, rows * n, a_cpu, da_cpu));
      float *d_da = nnc_upload(gpu, da, rows * n);
      CHECK_OK(tw_nn_ops_for(gpu)->relu_backward(gpu, rows * n, d_a, d_da));
      float *dg = nnc_download(gpu, d_da, rows * n);
      e2 = nnc_rel_err(dg, da_cpu, rows * n);
      fprintf(stderr, "  relu_backward count=%lld: %.3g\n", (long long)(rows * n), e2);
      nnc_device_free(gpu, d_da);
      free(da), free(da_cpu), free(dg);
    }
    nnc_device_free(gpu, d_a), nnc_device_free(gpu, d_b);
    free(a), free(bias), free(a_cpu), free(got);
    CHECK_MSG(e <= TOL && e2 <= TOL, "bias_act act=%d: %.3g, relu_backward %.3g", act, e, e2);
  }
}

/* Column sums across several 4096-row chunks, twice: the two GPU results must
** be bit-identical (deterministic reduction). */
static void test_bias_grad(void) {
  tw_rng rng = next_rng();
  const int64_t rows = nnc_int(&rng, 1, 20000);
  const int n = nnc_int(&rng, 1, 300);
  float *d = nnc_random(&rng, rows * n, -1, 1), *db0 = nnc_random(&rng, n, -1, 1);
  float *db_cpu = malloc((size_t)n * sizeof(float));
  memcpy(db_cpu, db0, (size_t)n * sizeof(float));
  CHECK_OK(tw_nn_ops_cpu.bias_grad(cpu, rows, n, d, db_cpu));
  float *d_d = nnc_upload(gpu, d, rows * n), *d_db1 = nnc_upload(gpu, db0, n), *d_db2 = nnc_upload(gpu, db0, n);
  CHECK_OK(tw_nn_ops_for(gpu)->bias_grad(gpu, rows, n, d_d, d_db1));
  CHECK_OK(tw_nn_ops_for(gpu)->bias_grad(gpu, rows, n, d_d, d_db2));
  float *g1 = nnc_download(gpu, d_db1, n), *g2 = nnc_download(gpu, d_db2, n);
  double e = nnc_rel_err(g1, db_cpu, n);
  int same = !memcmp(g1, g2, (size_t)n * sizeof(float));
  fprintf(stderr, "  bias_grad rows=%lld n=%d: %.3g, repeat identical %d\n", (long long)rows, n, e, same);
  nnc_device_free(gpu, d_d), nnc_device_free(gpu, d_db1), nnc_device_free(gpu, d_db2);
  free(d), free(db0), free(db_cpu), free(g1), free(g2);
  CHECK_MSG(e <= 1e-6, "bias_grad: %.3g", e);
  CHECK_MSG(same, "bias_grad: two runs on the same input differ");
}

static void test_mse_and_sum(void) {
  for (int masked = 0; masked < 2; ++masked) {
    tw_rng rng = next_rng();
    const int64_t count = nnc_int(&rng, 1, 400000);
    const float scale = 1.0f / (float)count;
    float *y = nnc_random(&rng, count, -2, 2), *t = nnc_random(&rng, count, -2, 2);
    float *mask = masked ? nnc_random(&rng, count, 0, 1) : NULL;
    if (mask)
      for (int64_t i = 0; i < count; ++i) mask[i] = mask[i] < 0.3f ? 0.0f : 1.0f;
    float *dy_cpu = nnc_poisoned(count);
    double s_cpu = 0.0, s_gpu = 0.0, w_cpu = 0.0, w_gpu = 0.0;
    CHECK_OK(tw_nn_ops_cpu.mse(cpu, count, y, t, mask, scale, dy_cpu, &s_cpu));
    float *d_y = nnc_upload(gpu, y, count), *d_t = nnc_upload(gpu, t, count), *d_m = nnc_upload(gpu, mask, count);
    float *d_dy = nnc_device_poisoned(gpu, count);
    CHECK_OK(tw_nn_ops_for(gpu)->mse(gpu, count, d_y, d_t, d_m, scale, d_dy, &s_gpu));
    CHECK_OK(tw_nn_ops_cpu.sum(cpu, count, y, &w_cpu));
    CHECK_OK(tw_nn_ops_for(gpu)->sum(gpu, count, d_y, &w_gpu));
    float *dy = nnc_download(gpu, d_dy, count);
    double e = nnc_rel_err(dy, dy_cpu, count);
    double es = fabs(s_gpu - s_cpu) / fabs(s_cpu), ew = fabs(w_gpu - w_cpu) / TW_MAX(fabs(w_cpu), 1e-30);
    fprintf(stderr, "  mse count=%lld masked=%d: dy %.3g, loss sum %.3g, sum %.3g\n", (long long)count, masked, e,
            es, ew);
    nnc_device_free(gpu, d_y), nnc_device_free(gpu, d_t), nnc_device_free(gpu, d_m), nnc_device_free(gpu, d_dy);
    free(y), free(t), free(mask), free(dy_cpu), free(dy);
    CHECK_MSG(e <= TOL, "mse dy: %.3g", e);
    CHECK_MSG(es <= 1e-10 && ew <= 1e-10, "mse sum %.3g, sum %.3g", es, ew);
  }
}

/* A slice of a padded tensor: the GPU must write exactly the CPU's elements,
** leaving the padding (NaN on both sides) alone. */
static void test_swap01(void) {
  tw_rng rng = next_rng();
  const int64_t d0 = nnc_int(&rng, 1, 40), d1 = nnc_int(&rng, 1, 40), inner = nnc_int(&rng, 1, 170);
  const int64_t ss = d1 * inner + nnc_int(&rng, 0, 5), ds = d0 * inner + nnc_int(&rng, 0, 5);
  const int64_t ns = d0 * ss, nd = d1 * ds;
  float *src = nnc_random(&rng, ns, -1, 1), *dst_cpu = nnc_poisoned(nd);
  CHECK_OK(tw_nn_ops_cpu.swap01(cpu, d0, d1, inner, src, ss, dst_cpu, ds));
  float *d_src = nnc_upload(gpu, src, ns), *d_dst = nnc_device_poisoned(gpu, nd);
  CHECK_OK(tw_nn_ops_for(gpu)->swap01(gpu, d0, d1, inner, d_src, ss, d_dst, ds));
  float *dst = nnc_download(gpu, d_dst, nd);
  int same = !memcmp(dst, dst_cpu, (size_t)nd * sizeof(float)); /* a copy: bit-identical, NaN padding included */
  fprintf(stderr, "  swap01 d0=%lld d1=%lld inner=%lld: identical %d\n", (long long)d0, (long long)d1,
          (long long)inner, same);
  nnc_device_free(gpu, d_src), nnc_device_free(gpu, d_dst);
  free(src), free(dst_cpu), free(dst);
  CHECK_MSG(same, "swap01 differs from the CPU's (values or padding)");
}

int main(void) {
  if (nnc_start(&seed, &cpu, &gpu)) return 1;
  for (int rep = 0; rep < 3; ++rep) {
    TW_TEST_RUN(test_gnn_combine);
    TW_TEST_RUN(test_gnn_combine_backward);
    TW_TEST_RUN(test_lstm_cell_forward);
    TW_TEST_RUN(test_lstm_cell_backward);
    TW_TEST_RUN(test_bias_act_and_relu_backward);
    TW_TEST_RUN(test_bias_grad);
    TW_TEST_RUN(test_mse_and_sum);
    TW_TEST_RUN(test_swap01);
  }
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
