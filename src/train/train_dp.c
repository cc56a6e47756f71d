/*
** train_dp.c: DP-SGD inside the training step (train.h: tw_train_steps_dp;
** docs/privacy.md).
**
** What a DP step changes in train_loop.c's step, and why:
**   - the batch is a Poisson sample at rate q: window i of the training set is
**     in it when its own Philox draw (seed, i, step) falls below q, so no window
**     is in a batch because of another, which is what the sampled Gaussian
**     mechanism's accounting (rdp.h) assumes. The batch size varies; the
**     expected batch size E = q n divides the noised sum, as in Opacus;
**   - group g of the step owns the windows [g n / G, (g+1) n / G) and takes its
**     sampled ones in sub-batches of at most `group` windows, so the groups'
**     split over the ranks, and the order in which rows are summed, stay those
**     of ordinary steps: a DP step is the same bits for any rank count;
**   - every sampled window's gradient is its own (tw_grt_per_example_backward:
**     the window's masked mean loss; the trainer's masks weigh every window the
**     same), clipped to C by Opacus' rule (dp_sgd.h) before anything is added,
**     so one window moves the sum by at most C;
**   - the noise N(0, (sigma C)^2) is added once per step to the summed rows,
**     drawn from Philox keyed by (seed, step) in parameter order: every rank
**     adds the same numbers, and a resumed run the same as one that never
**     stopped.
** The per-example rows make the DP step heavier than an ordinary one: the
** weight gradients are the same FLOPs (batched per window instead of summed),
** but every operand is also copied batch-major, and the rows (group x weights
** floats) are read back for the norms on the host.
*/
#include "train/train_internal.h"

#include <math.h>   /* NAN */
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memcpy, memset */

#include "core/log.h"    /* tw_log (debug) */
#include "core/random.h" /* tw_rng, tw_rng_normal */
#include "train/train.h" /* tw_train_dp */

static int on_host(const tw_backend *be) { return be->device.kind == TW_DEVICE_HOST; }

tw_status tw_dp_open(tw_trainer *t) {
  if (t->dp_sum) return TW_OK;
  const int64_t P = t->lay.total, B = t->group;
  const int chunk = tw_grt_default_chunk(t->be, &t->lay.sz, (int)B, t->W, TW_GRT_PER_EXAMPLE, 0);
  TW_TRY(tw_grt_workspace_create(t->be, &t->lay.sz, chunk, t->W, TW_GRT_PER_EXAMPLE, &t->dp_ws));
  TW_TRY(t->be->alloc(t->be, (size_t)(B * P) * sizeof(float), (void **)&t->dp_pe));
  t->dp_host = on_host(t->be) ? t->dp_pe : malloc((size_t)(B * P) * sizeof(float));
  t->dp_sum = malloc((size_t)P * sizeof(float)), t->dp_row = malloc((size_t)P * sizeof(float));
  t->dp_sizes = malloc((size_t)t->lay.count * sizeof(int64_t));
  t->dp_ids = malloc((size_t)t->train.n * sizeof(uint64_t) + 1);
  if (!t->dp_host || !t->dp_sum || !t->dp_row || !t->dp_sizes || !t->dp_ids)
    return TW_FAIL(TW_ERR_NOMEM, "train: DP-SGD buffers (%lld weights x %lld windows)", (long long)P, (long long)B);
  for (int i = 0; i < t->lay.count; ++i) t->dp_sizes[i] = t->lay.tensors[i].numel;
  return TW_OK;
}

void tw_dp_close(tw_trainer *t) {
  if (t->be) {
    tw_grt_workspace_destroy(t->be, &t->dp_ws);
    if (t->dp_pe) t->be->free(t->be, t->dp_pe);
  }
  if (t->dp_host != t->dp_pe) free(t->dp_host);
  free(t->dp_sum), free(t->dp_row), free(t->dp_sizes), free(t->dp_ids);
  t->dp_pe = t->dp_host = t->dp_sum = t->dp_row = NULL, t->dp_sizes = NULL, t->dp_ids = NULL;
}

/* At debug level, on this site only (the norms are of its records, so they
** never leave it): the sub-batch's gradient norms against C, to choose C by. */
static void log_norms(const tw_trainer *t, const float *norm, int B) {
  if (!tw_log_enabled(TW_LOG_DEBUG)) return;
  double sum = 0, max = 0;
  int clipped = 0;
  for (int b = 0; b < B; ++b) sum += norm[b], max = norm[b] > max ? norm[b] : max, clipped += norm[b] > t->dp->sgd.max_grad_norm;
  tw_log(TW_LOG_DEBUG, "train: DP step %lld: %d windows, gradient norm mean %.4g, max %.4g; %d clipped to C = %g",
         (long long)t->step, B, sum / B, max, clipped, t->dp->sgd.max_grad_norm);
}

/* Windows ids[0..B): their per-example gradients, clipped and added into dp_row;
** their losses' sum into *loss_sum. */
static tw_status sub_batch(tw_trainer *t, const uint64_t *ids, int B, double *loss_sum) {
  const int64_t P = t->lay.total;
  tw_window w[TW_TRAIN_MAX_GROUP];
  int rolled[TW_TRAIN_MAX_GROUP];
  for (int b = 0; b < B; ++b) w[b] = t->train.w[ids[b]], rolled[b] = tw_windows_rollout(t, t->step, (int64_t)ids[b]);
  TW_TRY(tw_group_fill(t, w, rolled, B));
  const tw_grt_batch batch = {.B = B, .T = t->W, .x = t->buf.dx, .adj = t->buf.dadj,
                              .adj_per_twin = t->map.adj_per_twin};
  double loss = 0;
  TW_TRY(tw_grt_per_example_backward(t->be, &t->model, &batch, t->buf.dtarget, t->buf.dmask, &t->dp_ws, &loss,
                                     t->dp_pe));
  *loss_sum += loss * B; /* the batch loss is the mean of the windows' own */
  if (!on_host(t->be))
    TW_TRY(t->be->copy(t->be, t->dp_host, t->dp_pe, (size_t)(B * P) * sizeof(float), TW_COPY_DEVICE_TO_HOST));
  const tw_dp_sgd clip = {.max_grad_norm = t->dp->sgd.max_grad_norm, .noise_multiplier = 0, .expected_batch = 1};
  float norm[TW_TRAIN_MAX_GROUP];
  TW_TRY(tw_dp_sgd_step_f32(&clip, B, P, t->dp_host, t->lay.count, t->dp_sizes, NULL, t->dp_sum, norm, NULL));
  log_norms(t, norm, B);
  for (int64_t j = 0; j < P; ++j) t->dp_row[j] += t->dp_sum[j];
  return TW_OK;
}

tw_status tw_dp_group_grad(tw_trainer *t, int64_t g) {
  const int64_t P = t->lay.total;
  int64_t lo, hi;
  tw_dist_block_range(t->train.n, (int)g, (int)t->G, &lo, &hi);
  const int64_t k = tw_dp_poisson_batch(t->dp->seed, (uint32_t)t->step, (uint64_t)lo, hi - lo, t->dp->q, t->dp_ids);
  memset(t->dp_row, 0, (size_t)P * sizeof(float));
  double loss_sum = 0;
  for (int64_t s = 0; s < k; s += t->group) TW_TRY(sub_batch(t, t->dp_ids + s, (int)TW_MIN(t->group, k - s), &loss_sum));
  t->group_loss[g] = loss_sum;
  if (on_host(t->be)) return memcpy(t->row_of[g], t->dp_row, (size_t)P * sizeof(float)), TW_OK;
  return t->be->copy(t->be, t->row_of[g], t->dp_row, (size_t)P * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

/* Windows sampled in the step over the whole training set (every rank counts). */
static int64_t taken(const tw_trainer *t) {
  int64_t k = 0;
  for (int64_t i = 0; i < t->train.n; ++i) k += tw_dp_poisson_take(t->dp->seed, (uint32_t)t->step, (uint64_t)i, t->dp->q);
  return k;
}

tw_status tw_dp_finish(tw_trainer *t) {
  const int64_t P = t->lay.total;
  const tw_dp_sgd *p = &t->dp->sgd;
  TW_TRY(t->be->copy(t->be, t->sum, t->grads, (size_t)P * sizeof(float), TW_COPY_DEVICE_TO_HOST));
  const float std = (float)(p->noise_multiplier * p->max_grad_norm), e = (float)p->expected_batch;
  tw_rng rng = tw_rng_make(t->dp->seed, (uint64_t)t->step, TW_RNG_DP_NOISE, 0);
  for (int64_t j = 0; j < P; ++j) {
    const float z = std == 0 ? 0.0f : std * (float)tw_rng_normal(&rng);
    t->sum[j] = (t->sum[j] + z) / e;
  }
  t->dp_taken = taken(t);
  double loss = 0;
  for (int64_t g = 0; g < t->G; ++g) loss += t->group_loss[g];
  t->loss = t->dp_taken ? loss / (double)t->dp_taken : NAN;
  return t->be->copy(t->be, t->grads, t->sum, (size_t)P * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}
