/*
** train_loop.c: the training loop (train.h).
**
** One step:
**   1. the step's windows: positions step*B .. step*B+B-1 of the epoch-shuffled
**      window list (train_windows.c), and which of them are rolled out;
**   2. this rank's groups (tw_dist_block_range over the G groups): each group
**      filled (train_batch.c) and its loss and gradient computed whole by
**      tw_grt_loss_backward, into its row of the groups' rows on the backend;
**   3. the rows gathered on every rank (NCCL between devices, else MPI through
**      the host: see "the groups' gradient rows" below) and summed row by row
**      in group order on the backend (sum_rows), then scaled by 1/G (a group's
**      loss is the mean over its windows, all windows weigh the same): the
**      same float operations in the same order whatever the rank count;
**   4. the norm (on the host), the clipping coefficient, and AdamW (the
**      backend's adamw_step) at this step's learning rate.
** The cost of the fixed order is the gather: G rows of the model's size per
** step instead of an all-reduce of one; for the t1d model, 8 groups of 210 KB.
*/
#include "train/train_internal.h"

#include <math.h>   /* isfinite */
#include <stdio.h>  /* snprintf, rename */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

#include "core/clock.h"   /* tw_now_seconds */
#include "core/log.h"     /* progress lines */
#include "io/h5.h"        /* the model file */
#include "nn/adamw.h"     /* tw_lr_at, tw_clip_coef, tw_grad_norm */
#include "nn/grt_twin_file.h"
#include "nn/nn_ops.h"    /* sum_rows, adamw_step */
#include "physio/pack.h"  /* tw_pack_lookup */
#include "run/run.h"      /* signals, tw_run_check_output */

/* ---- set-up ---------------------------------------------------------------- */

static tw_status read_data(tw_trainer *t, const tw_cfg_doc *doc) {
  const tw_train_config *c = t->c;
  const tw_pack *pack;
  TW_TRY(tw_pack_lookup(c->pack, &pack));
  char **paths = calloc((size_t)c->data.n_files, sizeof *paths);
  if (!paths) return TW_FAIL(TW_ERR_NOMEM, "train: paths");
  tw_status st = TW_OK;
  for (int i = 0; i < c->data.n_files && st == TW_OK; ++i)
    if (!(paths[i] = malloc(4096))) st = TW_FAIL(TW_ERR_NOMEM, "train: paths");
    else tw_cfg_resolve(doc, c->data.files[i], paths[i], 4096);
  if (st == TW_OK) st = tw_grt_twin_map_init(pack, &t->map);
  if (st == TW_OK)
    st = tw_train_data_read(pack, paths, c->data.n_files, t->W + 1, c->data.validation_fraction, (uint64_t)c->seed,
                            &t->data);
  for (int i = 0; i < c->data.n_files; ++i) free(paths[i]);
  free(paths);
  return st;
}

static tw_status make_windows(tw_trainer *t) {
  TW_TRY(tw_windows_make(&t->data, 0, t->W, t->c->window.stride, &t->train));
  TW_TRY(tw_windows_make(&t->data, 1, t->W, t->c->window.stride, &t->val));
  if (t->train.n == 0) return TW_FAIL(TW_ERR_INPUT, "train: no training window (every twin is held out?)");
  return TW_OK;
}

static tw_status alloc_model(tw_trainer *t) {
  const tw_train_model_cfg *mc = &t->c->model;
  const tw_grt_sizes sz = {t->map.N, t->map.F, (int)mc->H, (int)mc->Hr, (int)mc->L, (int)mc->M, t->map.O};
  TW_TRY(tw_grt_layout_make(&sz, &t->lay));
  const size_t bytes = (size_t)t->lay.total * sizeof(float);
  tw_backend *be = t->be;
  t->model.layout = t->lay;
  TW_TRY(be->alloc(be, bytes, (void **)&t->model.params));
  TW_TRY(be->alloc(be, bytes, (void **)&t->grads));
  TW_TRY(be->alloc(be, bytes, (void **)&t->m));
  TW_TRY(be->alloc(be, bytes, (void **)&t->v));
  TW_TRY(be->fill_bytes(be, t->m, 0, bytes));
  TW_TRY(be->fill_bytes(be, t->v, 0, bytes));
  float *host = malloc(bytes);
  if (!host) return TW_FAIL(TW_ERR_NOMEM, "train: weights");
  tw_grt_init_params(&t->lay, (uint64_t)t->c->seed, host);
  const tw_status st = be->copy(be, t->model.params, host, bytes, TW_COPY_HOST_TO_DEVICE);
  free(host);
  t->sum = malloc(bytes + 1);
  t->group_loss = calloc((size_t)t->G + 1, sizeof *t->group_loss);
  if (!t->sum || !t->group_loss) return TW_FAIL(TW_ERR_NOMEM, "train: gradients");
  return st;
}

/* Twins per chunk of a group's backward. The host runs one chunk per thread
** (grt_schedule.c), so a group that is one chunk keeps one thread busy: there
** a group is cut in at least two chunks (8 of the t1d config's 16). The size
** follows from the config alone, never the thread or rank count, so the bits
** stay the same for any of them. */
static int train_chunk(const tw_trainer *t) {
  const int chunk = tw_grt_default_chunk(t->be, &t->lay.sz, (int)t->group, t->W, 1, 0);
  if (t->be->device.kind != TW_DEVICE_HOST) return chunk;
  return TW_MAX(1, TW_MIN(chunk, (int)((t->group + 1) / 2)));
}

static tw_status setup(tw_trainer *t, const tw_cfg_doc *doc, tw_train_report *rep) {
  const tw_train_config *c = t->c;
  t->C = (int)c->window.context, t->K = (int)c->window.horizon, t->W = t->C + t->K;
  t->group = c->batch.group, t->G = c->batch.windows / c->batch.group;
  t->epoch_cached = -1;
  TW_TRY(read_data(t, doc));
  if (t->n_ref) TW_TRY(tw_train_ref_read(t, doc)); /* the scalers from the reference set */
  else tw_train_data_fit(&t->data, &t->map);
  TW_TRY(make_windows(t));
  static const char *const names[] = {"auto", "cpu", "cuda"};
  TW_TRY(tw_backend_open(names[c->backend], t->dist->local_rank, &t->be));
  snprintf(rep->backend, sizeof rep->backend, "%s (%s)", t->be->name, t->be->why);
  TW_TRY(alloc_model(t));
  const int chunk = train_chunk(t);
  TW_TRY(tw_grt_workspace_create(t->be, &t->lay.sz, chunk, t->W, 1, &t->ws));
  return tw_group_buf_create(t, (int)t->group);
}

static void teardown(tw_trainer *t) {
  tw_group_buf_destroy(t);
  tw_dp_close(t);
  if (t->be) {
    tw_grt_workspace_destroy(t->be, &t->ws);
    if (t->model.params) t->be->free(t->be, t->model.params);
    if (t->grads) t->be->free(t->be, t->grads);
    if (t->rows) t->be->free(t->be, t->rows);
    if (t->m) t->be->free(t->be, t->m);
    if (t->v) t->be->free(t->be, t->v);
    tw_backend_close(t->be);
  }
  free(t->sum), free(t->row_of), free(t->rows_host), free(t->group_loss), free(t->perm), free(t->curve);
  free(t->train.w), free(t->val.w);
  tw_train_data_free(&t->data);
  tw_train_ref_free(t);
}

/* ---- the groups' gradient rows ------------------------------------------------
**
** The rank that computes group g writes its gradient row straight into the
** row's slot in `rows`, on its backend; then every rank gets every row:
**   - every rank's backend has device collectives (NCCL) and there is more than
**     one rank: the rows stay on the devices. Every rank's block of groups is
**     padded to the largest block, rows_per_rank = ceil(G / size) rows: rank r's
**     rows sit at slots r * rows_per_rank + (g - lo_r), and one in-place
**     all-gather of rows_per_rank rows per rank fills every slot (the padding
**     rows stay zeros and are never summed);
**   - otherwise the rows go through the host and MPI (tw_dist_allgather_blocks)
**     at slot g: in place on a host backend, by way of rows_host on a device
**     backend; one rank has nothing to gather.
** Every rank then holds the same rows, bit for bit, and sums them in group order
** on its backend (sum_rows).
*/

static int64_t largest_block(const tw_trainer *t) {
  int64_t most = 0, lo, hi;
  for (int r = 0; r < t->dist->size; ++r) {
    tw_dist_block_range(t->G, r, t->dist->size, &lo, &hi);
    most = TW_MAX(most, hi - lo);
  }
  return most;
}

/* Every rank must take the same way: one rank without device collectives sends
** every rank's rows through the host. */
static tw_status choose_gather(tw_trainer *t) {
  double device = t->dist->size > 1 && t->be->allgather ? 1 : 0;
  TW_TRY(tw_dist_min_f64(t->dist, &device, 1));
  t->rows_per_rank = device > 0 ? largest_block(t) : 0;
  return TW_OK;
}

/* Rank 0 names the device communicator, MPI carries the name, every rank joins.
** Each phase is agreed on first: comm_init blocks until every rank calls it. */
static tw_status comm_open(tw_trainer *t) {
  unsigned char id[TW_COMM_ID_BYTES];
  memset(id, 0, sizeof id);
  TW_TRY(tw_dist_agree(t->dist, t->dist->rank == 0 ? t->be->comm_id(t->be, id) : TW_OK));
  TW_TRY(tw_dist_bcast(t->dist, id, sizeof id, 0));
  return tw_dist_agree(t->dist, t->be->comm_init(t->be, id, t->dist->rank, t->dist->size));
}

/* Group g's slot in `rows`. */
static int64_t row_slot(const tw_trainer *t, int64_t g) {
  if (!t->rows_per_rank) return g;
  int64_t lo, hi;
  for (int r = 0;; ++r) {
    tw_dist_block_range(t->G, r, t->dist->size, &lo, &hi);
    if (g < hi) return r * t->rows_per_rank + (g - lo);
  }
}

static tw_status rows_alloc(tw_trainer *t) {
  tw_backend *be = t->be;
  const int64_t slots = t->rows_per_rank ? t->rows_per_rank * t->dist->size : t->G;
  const size_t row = (size_t)t->lay.total * sizeof(float);
  TW_TRY(be->alloc(be, (size_t)slots * row, (void **)&t->rows));
  TW_TRY(be->fill_bytes(be, t->rows, 0, (size_t)slots * row));
  if (!(t->row_of = malloc((size_t)t->G * sizeof *t->row_of))) return TW_FAIL(TW_ERR_NOMEM, "train: gradient rows");
  for (int64_t g = 0; g < t->G; ++g) t->row_of[g] = t->rows + row_slot(t, g) * t->lay.total;
  if (be->device.kind == TW_DEVICE_HOST || t->rows_per_rank || t->dist->size == 1) return TW_OK;
  if (!(t->rows_host = malloc((size_t)t->G * row))) return TW_FAIL(TW_ERR_NOMEM, "train: gradient rows");
  return TW_OK;
}

/* After set-up, on every rank together. */
static tw_status rows_open(tw_trainer *t) {
  TW_TRY(choose_gather(t));
  if (t->rows_per_rank) TW_TRY(comm_open(t));
  return tw_dist_agree(t->dist, rows_alloc(t));
}

/* Every rank's rows [lo, hi) of the groups onto every rank. */
static tw_status gather_rows(tw_trainer *t, int64_t lo, int64_t hi) {
  tw_backend *be = t->be;
  const int64_t n = t->lay.total;
  const size_t row = (size_t)n * sizeof(float);
  if (t->rows_per_rank)
    return be->allgather(be, t->rows + t->dist->rank * t->rows_per_rank * n, t->rows, (size_t)t->rows_per_rank * row);
  if (!t->rows_host) return tw_dist_allgather_blocks(t->dist, t->rows, t->G, row); /* host memory, or one rank */
  TW_TRY(be->copy(be, t->rows_host + lo * n, t->rows + lo * n, (size_t)(hi - lo) * row, TW_COPY_DEVICE_TO_HOST));
  TW_TRY(tw_dist_allgather_blocks(t->dist, t->rows_host, t->G, row));
  return be->copy(be, t->rows, t->rows_host, (size_t)t->G * row, TW_COPY_HOST_TO_DEVICE);
}

/* ---- one step ---------------------------------------------------------------- */

static tw_grt_batch group_batch(const tw_trainer *t, int B) {
  return (tw_grt_batch){.B = B, .T = t->W, .x = t->buf.dx, .adj = t->buf.dadj, .adj_per_twin = t->map.adj_per_twin};
}

/* Group g of the step: its windows, its loss and its gradient row. */
static tw_status group_grad(tw_trainer *t, int64_t g) {
  if (t->dp) return tw_dp_group_grad(t, g); /* DP-SGD: the group's clipped sum (train_dp.c) */
  tw_window w[TW_TRAIN_MAX_GROUP];
  int rolled[TW_TRAIN_MAX_GROUP];
  const int B = (int)t->group;
  for (int b = 0; b < B; ++b) {
    const int64_t k = g * t->group + b;
    TW_TRY(tw_windows_at(t, t->step * t->c->batch.windows + k, &w[b]));
    rolled[b] = tw_windows_rollout(t, t->step, k);
  }
  TW_TRY(tw_group_fill(t, w, rolled, B));
  const tw_grt_batch batch = group_batch(t, B);
  return tw_grt_loss_backward(t->be, &t->model, &batch, t->buf.dtarget, t->buf.dmask, &t->ws, &t->group_loss[g],
                              t->row_of[g], NULL, NULL);
}

static tw_status groups_grad(tw_trainer *t, int64_t lo, int64_t hi) {
  for (int64_t g = lo; g < hi; ++g) TW_TRY(group_grad(t, g));
  return TW_OK;
}

/* This rank's groups, every group's row on every rank, and their sum in group
** order scaled by 1/G (under DP-SGD not scaled: tw_dp_finish noises and
** scales it): the step's gradient in t->grads, its loss in t->loss.
** The ranks agree before the gather: one that failed would leave the others
** waiting in it (NCCL's on the device has no way to fail them). */
static tw_status step_gradient(tw_trainer *t) {
  int64_t lo, hi;
  tw_dist_block_range(t->G, t->dist->rank, t->dist->size, &lo, &hi);
  TW_TRY(tw_dist_agree(t->dist, groups_grad(t, lo, hi)));
  TW_TRY(gather_rows(t, lo, hi));
  TW_TRY(tw_dist_allgather_blocks(t->dist, t->group_loss, t->G, sizeof(double)));
  TW_TRY(tw_nn_ops_for(t->be)->sum_rows(t->be, t->lay.total, (int)t->G, (const float *const *)t->row_of,
                                        t->dp ? 1.0f : 1.0f / (float)t->G, t->grads));
  if (t->dp) return tw_dp_finish(t);
  double loss = 0;
  for (int64_t g = 0; g < t->G; ++g) loss += t->group_loss[g];
  t->loss = loss / (double)t->G;
  return TW_OK;
}

/* clip_grad_norm_'s coefficient; the norm is taken on the host. */
static tw_status clip_coef(tw_trainer *t, float *coef) {
  const double clip = t->c->optimizer.clip;
  *coef = 1.0f;
  if (clip <= 0 || t->dp) return TW_OK; /* DP-SGD has clipped each window's gradient */
  TW_TRY(t->be->copy(t->be, t->sum, t->grads, (size_t)t->lay.total * sizeof(float), TW_COPY_DEVICE_TO_HOST));
  *coef = tw_clip_coef(tw_grad_norm(t->lay.total, t->sum), (float)clip);
  return TW_OK;
}

static tw_status step_once(tw_trainer *t) {
  const tw_train_opt_cfg *o = &t->c->optimizer;
  TW_TRY(step_gradient(t));
  if (t->prox_mu > 0) TW_TRY(tw_train_prox_add(t));
  if (!isfinite(t->loss) && !(t->dp && t->dp_taken == 0)) /* a DP step may sample no window */
    return TW_FAIL(TW_ERR_NUMERIC, "train: the loss became %g at step %lld (lower optimizer.lr?)", t->loss,
                   (long long)t->step);
  float coef;
  TW_TRY(clip_coef(t, &coef));
  const tw_lr_schedule sched = {o->lr, o->lr_min, o->warmup, t->c->steps};
  return tw_nn_ops_for(t->be)->adamw_step(t->be, t->lay.total, t->model.params, t->grads, t->m, t->v,
                                          tw_lr_at(&sched, t->step), o->beta1, o->beta2, o->eps, o->weight_decay,
                                          t->step + 1, coef);
}

/* ---- validation: the teacher-forced loss on up to 1,024 held-out windows ---- */

static tw_status validate(tw_trainer *t) {
  const int64_t n = TW_MIN(t->val.n, 1024);
  const int B = (int)t->group;
  const tw_grt_sizes *sz = &t->lay.sz;
  const size_t ys = (size_t)B * t->W * sz->N * sz->O;
  double sum = 0, count = 0;
  t->val_loss = NAN;
  if (n == 0) return TW_OK;
  for (int64_t at = 0; at < n; at += B) {
    tw_window w[TW_TRAIN_MAX_GROUP];
    const int m = (int)TW_MIN(B, n - at);
    for (int b = 0; b < B; ++b) w[b] = t->val.w[(at + TW_MIN(b, m - 1)) * t->val.n / n]; /* spread evenly */
    TW_TRY(tw_group_fill(t, w, NULL, B));
    const tw_grt_batch batch = group_batch(t, B);
    TW_TRY(tw_grt_forward(t->be, &t->model, &batch, &t->ws, t->buf.dy, NULL, NULL));
    const float *y = t->buf.y;
    if (t->buf.dy != t->buf.y) TW_TRY(t->be->copy(t->be, t->buf.y, t->buf.dy, ys * sizeof(float), TW_COPY_DEVICE_TO_HOST));
    for (size_t i = 0; i < ys * (size_t)m / (size_t)B; ++i) {
      const double d = (double)y[i] - t->buf.target[i];
      sum += t->buf.mask[i] * d * d, count += t->buf.mask[i];
    }
  }
  t->val_loss = count > 0 ? sum / count : NAN;
  return TW_OK;
}

/* ---- the run ------------------------------------------------------------------- */

static tw_status add_curve_row(tw_trainer *t) {
  double *c = realloc(t->curve, (size_t)(t->n_curve + 1) * 3 * sizeof *c);
  if (!c) return TW_FAIL(TW_ERR_NOMEM, "train: curve");
  t->curve = c;
  c += t->n_curve++ * 3;
  c[0] = (double)t->step, c[1] = t->loss, c[2] = t->val_loss;
  return TW_OK;
}

static int due(int64_t step, int64_t every, int64_t last) { return step == last || (every > 0 && step % every == 0); }

/* A signal on any rank stops every rank after the same step. */
static int signalled(const tw_trainer *t) {
  double sig = (double)tw_run_signal_caught();
  if (tw_dist_max_f64(t->dist, &sig, 1) != TW_OK) return tw_error_clear(), 15; /* cannot agree: stop as if SIGTERM */
  return (int)sig;
}

static tw_status after_step(tw_trainer *t, const char *ckpt, const char *text, double rate, int sig) {
  const tw_train_config *c = t->c;
  if (due(t->step, c->validate_every, c->steps)) {
    TW_TRY(validate(t));
    TW_TRY(add_curve_row(t));
    const tw_lr_schedule sched = {c->optimizer.lr, c->optimizer.lr_min, c->optimizer.warmup, c->steps};
    tw_log(TW_LOG_INFO, "train: step %lld/%lld  loss %.5g  validation %.5g  lr %.3g  %.4g twin-steps/s",
           (long long)t->step, (long long)c->steps, t->loss, t->val_loss, tw_lr_at(&sched, t->step - 1), rate);
  }
  if (!sig && !(c->checkpoint.every > 0 && t->step % c->checkpoint.every == 0 && t->step < c->steps)) return TW_OK;
  tw_status st = t->dist->rank == 0 ? tw_train_ckpt_write(t, ckpt, text) : TW_OK;
  return tw_dist_agree(t->dist, st);
}

static tw_status loop(tw_trainer *t, const char *ckpt, const char *text, tw_train_report *rep) {
  const int64_t per_step = t->c->batch.windows * t->W;
  double busy = 0;
  while (t->step < t->c->steps) {
    const double t0 = tw_now_seconds();
    TW_TRY(tw_dist_agree(t->dist, step_once(t)));
    busy += tw_now_seconds() - t0;
    t->step++;
    const int sig = signalled(t);
    rep->twin_steps_per_s = busy > 0 ? (double)((t->step - rep->step0) * per_step) / busy : 0;
    TW_TRY(after_step(t, ckpt, text, rep->twin_steps_per_s, sig));
    if (sig) {
      snprintf(rep->checkpoint, sizeof rep->checkpoint, "%s", ckpt);
      rep->signal = sig;
      return TW_FAIL(TW_ERR_INTERRUPTED, "train: stopped by signal %d after step %lld; checkpoint %s", sig,
                     (long long)t->step, ckpt);
    }
  }
  rep->seconds = busy;
  return TW_OK;
}

static tw_status resume_from(tw_trainer *t, const char *ckpt, const char *text) {
  FILE *probe = fopen(ckpt, "rb");
  if (!probe) {
    tw_log(TW_LOG_INFO, "train: no checkpoint at %s: starting at step 0", ckpt);
    return TW_OK;
  }
  fclose(probe);
  TW_TRY(tw_train_ckpt_read(t, ckpt, text));
  tw_log(TW_LOG_INFO, "train: resuming from %s at step %lld", ckpt, (long long)t->step);
  return TW_OK;
}

static void fill_report(const tw_trainer *t, tw_train_report *rep) {
  int64_t n_val = 0;
  for (int64_t i = 0; i < t->data.n; ++i) n_val += t->data.validation[i];
  rep->n_train = t->data.n - n_val, rep->n_val = n_val;
  rep->n_windows = t->train.n, rep->n_failed = t->data.n_failed;
  rep->steps = t->step, rep->loss = t->loss, rep->val_loss = t->val_loss;
}

tw_status tw_train_run(const tw_dist *dist, const tw_train_config *c, const tw_cfg_doc *doc, int resume,
                       tw_train_report *rep) {
  tw_trainer t;
  memset(&t, 0, sizeof t);
  memset(rep, 0, sizeof *rep);
  t.c = c, t.dist = dist;
  char ckpt[4096];
  snprintf(ckpt, sizeof ckpt, "%s%s", c->checkpoint.path ? c->checkpoint.path : c->output.path,
           c->checkpoint.path ? "" : ".ckpt");
  const char *text = tw_cfg_text(doc);
  tw_status st = tw_dist_agree(dist, tw_run_check_output(c->output.path, 1));
  if (st == TW_OK) st = tw_dist_agree(dist, tw_run_check_output(ckpt, 1));
  if (st == TW_OK) st = tw_dist_agree(dist, setup(&t, doc, rep));
  if (st == TW_OK) st = rows_open(&t);
  if (st == TW_OK && resume) st = tw_dist_agree(dist, resume_from(&t, ckpt, text));
  rep->step0 = t.step;
  if (st == TW_OK) {
    tw_run_signals_catch();
    st = loop(&t, ckpt, text, rep);
    tw_run_signals_restore();
  }
  if (st == TW_OK && dist->rank == 0) st = tw_train_model_write(&t, c->output.path, text);
  st = tw_dist_agree(dist, st);
  fill_report(&t, rep);
  teardown(&t);
  return st;
}

/* ---- a trainer driven from outside (train.h: tw_train_open) ---------------------- */

tw_status tw_train_open(const tw_dist *dist, const tw_train_config *c, const tw_cfg_doc *doc, char *const *ref_files,
                        int n_ref, tw_trainer **out) {
  tw_train_report rep;
  tw_trainer *t = calloc(1, sizeof *t);
  *out = NULL;
  if (!t) return TW_FAIL(TW_ERR_NOMEM, "train: trainer");
  t->c = c, t->dist = dist, t->ref_files = ref_files, t->n_ref = n_ref;
  tw_status st = tw_dist_agree(dist, setup(t, doc, &rep));
  if (st == TW_OK) st = rows_open(t);
  if (st != TW_OK) return tw_train_close(t), st;
  *out = t;
  return TW_OK;
}

void tw_train_close(tw_trainer *t) {
  if (!t) return;
  teardown(t);
  free(t->prox_host);
  free(t);
}

void tw_train_sizes(const tw_trainer *t, int64_t sizes[8]) {
  const tw_grt_sizes *s = &t->lay.sz;
  const int64_t v[8] = {s->N, s->F, s->H, s->Hr, s->L, s->M, s->O, t->lay.total};
  for (int i = 0; i < 8; ++i) sizes[i] = v[i];
}

int64_t tw_train_windows(const tw_trainer *t) { return t->train.n; }

const char *tw_train_backend(const tw_trainer *t) { return t->be->name; }

tw_status tw_train_params_get(tw_trainer *t, float *host) {
  return t->be->copy(t->be, host, t->model.params, (size_t)t->lay.total * sizeof(float), TW_COPY_DEVICE_TO_HOST);
}

tw_status tw_train_params_set(tw_trainer *t, const float *host) {
  return t->be->copy(t->be, t->model.params, host, (size_t)t->lay.total * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

tw_status tw_train_steps(tw_trainer *t, int64_t from, int64_t to, double mu, const float *anchor, double *loss) {
  t->prox_mu = anchor ? mu : 0, t->prox_anchor = anchor;
  tw_status st = TW_OK;
  for (t->step = from; t->step < to && st == TW_OK; ++t->step) st = tw_dist_agree(t->dist, step_once(t));
  t->prox_mu = 0, t->prox_anchor = NULL;
  *loss = t->loss;
  return st;
}

tw_status tw_train_steps_dp(tw_trainer *t, int64_t from, int64_t to, const tw_train_dp *dp, double mu,
                            const float *anchor, double *loss) {
  if (!(dp->q > 0 && dp->q <= 1)) return TW_FAIL(TW_ERR_INPUT, "DP-SGD: sampling rate q = %g is not in (0, 1]", dp->q);
  TW_TRY(tw_dist_agree(t->dist, tw_dp_open(t)));
  t->dp = dp;
  const tw_status st = tw_train_steps(t, from, to, mu, anchor, loss);
  t->dp = NULL;
  return st;
}

tw_status tw_train_loss(tw_trainer *t, int ref, double *loss) {
  if (!ref) {
    TW_TRY(validate(t));
    *loss = t->val_loss;
    return TW_OK;
  }
  if (!t->n_ref) return TW_FAIL(TW_ERR_INTERNAL, "train: no reference set");
  tw_train_data own = t->data;
  tw_window_set own_val = t->val;
  t->data = t->ref, t->val = t->ref_val; /* the batch is filled from t->data's series */
  const tw_status st = validate(t);
  t->data = own, t->val = own_val;
  *loss = t->val_loss;
  return st;
}

tw_status tw_train_save(tw_trainer *t, const char *path, const char *config_text, int optimizer) {
  return optimizer ? tw_train_ckpt_write(t, path, config_text) : tw_train_model_write(t, path, config_text);
}

tw_status tw_train_load(tw_trainer *t, const char *path, const char *config_text, int64_t *step) {
  TW_TRY(tw_train_ckpt_read(t, path, config_text));
  *step = t->step;
  return TW_OK;
}
