/*
** train_open.c: what a trainer driven from outside needs beyond tw_train_run's
** (train.h, "a trainer driven from outside"): the reference set, whose twins
** fit the scalers and give a loss every trainer can be compared on, and
** FedProx's proximal term.
**
** Federated sites each train on their own data; fitted on those, their scalers
** (and so their inputs, and the number of parameters the model reads) would
** differ from site to site, and averaging their weights would mix models of
** different inputs. A reference set that every site reads fixes one scaling.
*/
#include "train/train_internal.h"

#include <stdlib.h> /* calloc, free */

tw_status tw_train_ref_read(tw_trainer *t, const tw_cfg_doc *doc) {
  char **paths = calloc((size_t)t->n_ref, sizeof *paths);
  if (!paths) return TW_FAIL(TW_ERR_NOMEM, "train: reference paths");
  tw_status st = TW_OK;
  for (int i = 0; i < t->n_ref && st == TW_OK; ++i)
    if (!(paths[i] = malloc(4096))) st = TW_FAIL(TW_ERR_NOMEM, "train: reference paths");
    else tw_cfg_resolve(doc, t->ref_files[i], paths[i], 4096);
  /* validation fraction 0: every twin is a "training" twin of the reference set,
  ** so that tw_train_data_fit and tw_windows_make take them all */
  if (st == TW_OK) st = tw_train_data_read(t->map.pack, paths, t->n_ref, t->W + 1, 0.0, (uint64_t)t->c->seed, &t->ref);
  for (int i = 0; i < t->n_ref; ++i) free(paths[i]);
  free(paths);
  TW_TRY(st);
  tw_train_data_fit(&t->ref, &t->map);
  return tw_windows_make(&t->ref, 0, t->W, t->c->window.stride, &t->ref_val);
}

void tw_train_ref_free(tw_trainer *t) {
  free(t->ref_val.w);
  t->ref_val.w = NULL, t->ref_val.n = 0;
  if (t->ref.pack) tw_train_data_free(&t->ref);
}

/* grads += mu (w - anchor); loss += mu/2 ||w - anchor||^2 (the sum in double). */
tw_status tw_train_prox_add(tw_trainer *t) {
  const int64_t n = t->lay.total;
  const size_t bytes = (size_t)n * sizeof(float);
  if (!t->prox_host && !(t->prox_host = malloc(bytes))) return TW_FAIL(TW_ERR_NOMEM, "train: proximal term");
  TW_TRY(t->be->copy(t->be, t->prox_host, t->model.params, bytes, TW_COPY_DEVICE_TO_HOST));
  TW_TRY(t->be->copy(t->be, t->sum, t->grads, bytes, TW_COPY_DEVICE_TO_HOST));
  const float mu = (float)t->prox_mu;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float d = t->prox_host[i] - t->prox_anchor[i];
    t->sum[i] += mu * d;
    sq += (double)d * d;
  }
  t->loss += 0.5 * t->prox_mu * sq;
  return t->be->copy(t->be, t->grads, t->sum, bytes, TW_COPY_HOST_TO_DEVICE);
}
