/*
** test_grt_per_example.c: the GRT's per-example gradients (DP-SGD's grad
** samples, tw_grt_per_example_backward) on the CPU against PyTorch
** (validation label).
**
** References from validation/grt_per_example.py: for each GRT fixture, the
** float64 autograd gradient of every twin's own loss l_b = B * sum(mask_b *
** err_b^2) / sum(mask), one twin at a time. Checked per case, with the whole
** batch in one chunk and in chunks of 2 twins:
**   - every twin's gradient of every tensor within 1e-4 relative of PyTorch's
**     (the same specification as the batch gradient in test_grt_pytorch.c), the
**     worst printed beside a regression bound near the worst achieved (8e-6);
**   - the batch loss equals tw_grt_loss_backward's, and the mean of the rows its
**     gradient, to float rounding (1e-5 relative);
**   - the rows of both chunkings agree to 1e-6 relative per twin (the products
**     over a chunk's rows may round differently with the chunk's size, as in
**     the batch gradient; nothing else may differ).
*/
#include <math.h>   /* fabs */
#include <stdio.h>  /* printf, snprintf */
#include <stdlib.h> /* malloc, free */

#include "backend/backend.h" /* tw_backend_open */
#include "nn_case.h"         /* fixture -> model + batch */
#include "tw_bounds.h"       /* CHECK_BOUNDS */
#include "tw_test.h"

static const double GRAD_TOL = 1e-4, GRAD_REG = 8e-6, MEAN_TOL = 1e-5;

/* Per-example rows (B, total) of a case with chunks of `chunk` twins; loss out. */
static void per_example(tw_backend *be, const nn_case *c, int chunk, double *loss, float *pe) {
  const tw_grt_layout *lay = &c->model.layout;
  tw_grt_workspace ws = {0};
  CHECK_OK(tw_grt_workspace_create(be, &lay->sz, TW_MIN(chunk, c->batch.B), c->batch.T, TW_GRT_PER_EXAMPLE, &ws));
  CHECK_OK(tw_grt_per_example_backward(be, &c->model, &c->batch, c->target, c->mask, &ws, loss, pe));
  tw_grt_workspace_destroy(be, &ws);
}

/* Worst relative error of any twin's gradient of any tensor against PyTorch. */
static void worst_against_torch(const nn_case *c, const nn_fixture *ref, const float *pe, double *worst_out) {
  const tw_grt_layout *lay = &c->model.layout;
  double worst = 0.0;
  *worst_out = INFINITY;
  for (int i = 0; i < lay->count; ++i) {
    const tw_grt_tensor *t = &lay->tensors[i];
    char name[64];
    snprintf(name, sizeof name, "grad_pe/%s", t->name);
    const nn_array *r = nn_fixture_get(ref, name);
    CHECK_MSG(r && r->numel == (int64_t)c->batch.B * t->numel, "%s missing or of the wrong size", name);
    if (!r) continue;
    for (int b = 0; b < c->batch.B; ++b) {
      const double e = nn_rel_error(pe + b * lay->total + t->offset, r->data + b * t->numel, t->numel);
      CHECK_MSG(e <= GRAD_TOL, "%s twin %d: rel err %.3e > %.0e", t->name, b, e, GRAD_TOL);
      if (e > worst) worst = e;
    }
  }
  *worst_out = worst;
}

/* The rows' mean against the batch gradient of tw_grt_loss_backward. */
static void mean_is_batch_gradient(tw_backend *be, const nn_case *c, const float *pe, double pe_loss) {
  const tw_grt_layout *lay = &c->model.layout;
  const int B = c->batch.B;
  float *g = malloc(lay->total * sizeof(float));
  double *mean = calloc((size_t)lay->total, sizeof(double)), loss = 0;
  tw_grt_workspace ws = {0};
  CHECK_OK(tw_grt_workspace_create(be, &lay->sz, B, c->batch.T, 1, &ws));
  CHECK_OK(tw_grt_loss_backward(be, &c->model, &c->batch, c->target, c->mask, &ws, &loss, g, NULL, NULL));
  for (int b = 0; b < B; ++b)
    for (int64_t i = 0; i < lay->total; ++i) mean[i] += pe[b * lay->total + i] / (double)B;
  const double e = nn_rel_error(g, mean, lay->total);
  printf("  mean of the rows vs the batch gradient: rel err %.2e; loss %.9g vs %.9g\n", e, pe_loss, loss);
  CHECK_MSG(e <= MEAN_TOL, "mean of the per-example rows differs from the batch gradient: %.3e", e);
  CHECK(fabs(pe_loss - loss) <= 1e-12 * fabs(loss));
  tw_grt_workspace_destroy(be, &ws);
  free(g), free(mean);
}

static void check_case(const char *file, const char *pe_file) {
  nn_case c;
  nn_fixture ref;
  CHECK(nn_case_load(file, &c) == 0);
  CHECK(nn_fixture_load(pe_file, &ref) == 0);
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const int64_t P = c.model.layout.total;
  double loss_whole = 0, loss_two = 0, apart = 0;
  float *whole = malloc((size_t)c.batch.B * P * sizeof(float)), *two = malloc((size_t)c.batch.B * P * sizeof(float));
  double *row = malloc((size_t)P * sizeof(double));
  per_example(be, &c, 1 << 20, &loss_whole, whole);
  per_example(be, &c, 2, &loss_two, two);
  double worst;
  worst_against_torch(&c, &ref, whole, &worst);
  printf("%s: %d twins, worst per-example gradient rel err %.2e\n", file, c.batch.B, worst);
  CHECK_BOUNDS("worst per-example gradient", worst, GRAD_REG, GRAD_TOL);
  for (int b = 0; b < c.batch.B; ++b) {
    for (int64_t i = 0; i < P; ++i) row[i] = whole[b * P + i];
    apart = fmax(apart, nn_rel_error(two + b * P, row, P));
  }
  printf("  chunks of 2 vs one chunk: worst twin rel diff %.2e\n", apart);
  CHECK_MSG(apart <= 1e-6, "%s: per-example rows of chunks of 2 differ by %.3e", file, apart);
  CHECK(fabs(loss_whole - loss_two) <= 1e-6 * loss_whole);
  mean_is_batch_gradient(be, &c, whole, loss_whole);
  fflush(stdout);
  tw_backend_close(be);
  free(whole), free(two), free(row);
  nn_fixture_free(&ref);
  nn_case_free(&c);
}

static void per_twin_adjacency_with_state(void) { check_case("grt_per_twin.bin", "grt_per_twin_pe.bin"); }
static void shared_adjacency(void) { check_case("grt_shared_adj.bin", "grt_shared_adj_pe.bin"); }
static void masked_loss(void) { check_case("grt_mask.bin", "grt_mask_pe.bin"); }

int main(void) {
  TW_TEST_RUN(per_twin_adjacency_with_state);
  TW_TEST_RUN(shared_adjacency);
  TW_TEST_RUN(masked_loss);
  return TW_TEST_RESULT();
}
