/*
** train_file.c: the model file and the checkpoint (train_internal.h).
**
** A checkpoint is a model file (grt_twin_file.h) plus what resuming needs:
**   /optimizer/m, /optimizer/v (n_params) float32  AdamW's moments
**   /training/curve (n, 3) float64                  step, loss, validation loss
**   attributes step (the next step), config (the config text)
** so any checkpoint can also be evaluated as a model. Every draw is a pure
** function of (seed, step) (train_windows.c): the step is the whole position
** of the data and of the random streams. Files are written as <path>.partial
** and renamed into place (tw_h5_create), so a checkpoint is replaced whole or
** not at all, and a kill while writing leaves the previous one.
*/
#include "train/train_internal.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcmp, strcmp */

#include "io/h5.h"
#include "nn/grt_twin_file.h"

static tw_status write_curve(tw_trainer *t, tw_h5_file *f) {
  if (t->n_curve == 0) return TW_OK;
  const int64_t dims[2] = {t->n_curve, 3};
  return tw_h5_write_array(f, "/training/curve", TW_F64, t->curve, 2, dims, "1");
}

/* A device buffer of the model's size, on the host (malloc'd). */
static tw_status fetch(tw_trainer *t, const float *dev, float **host) {
  const size_t bytes = (size_t)t->lay.total * sizeof(float);
  if (!(*host = malloc(bytes))) return TW_FAIL(TW_ERR_NOMEM, "train: writing weights");
  return t->be->copy(t->be, *host, dev, bytes, TW_COPY_DEVICE_TO_HOST);
}

/* The model, and with `optimizer` the checkpoint's extras, into `path`. */
static tw_status write_file(tw_trainer *t, const char *path, const char *config_text, int optimizer) {
  char gemm[256];
  t->be->gemm_kernel(t->be, gemm, sizeof gemm);
  tw_h5_run_info info = {config_text, (uint64_t)t->c->seed, t->dist->size, gemm};
  const tw_grt_twin_info ti = {t->data.every_min, t->C, t->K};
  float *p = NULL, *m = NULL, *v = NULL;
  tw_h5_file *f = NULL;
  tw_status st = fetch(t, t->model.params, &p);
  if (st == TW_OK && optimizer) st = fetch(t, t->m, &m);
  if (st == TW_OK && optimizer) st = fetch(t, t->v, &v);
  if (st == TW_OK) st = tw_h5_create(path, NULL, &info, &f);
  if (st == TW_OK) st = tw_grt_twin_file_write(f, &t->map, &ti, &t->lay, p);
  if (st == TW_OK) st = write_curve(t, f);
  if (st == TW_OK && optimizer) st = tw_h5_write_array(f, "/optimizer/m", TW_F32, m, 1, &t->lay.total, "1");
  if (st == TW_OK && optimizer) st = tw_h5_write_array(f, "/optimizer/v", TW_F32, v, 1, &t->lay.total, "1");
  if (st == TW_OK && optimizer) st = tw_h5_attr_write_i64(f, "step", t->step);
  free(p), free(m), free(v);
  if (!f) return st;
  if (st != TW_OK) return tw_h5_abort(f), st;
  return tw_h5_close(f);
}

tw_status tw_train_model_write(tw_trainer *t, const char *path, const char *config_text) {
  return write_file(t, path, config_text, 0);
}

tw_status tw_train_ckpt_write(tw_trainer *t, const char *path, const char *config_text) {
  return write_file(t, path, config_text, 1);
}

/* ---- resuming ------------------------------------------------------------------ */

static tw_status read_into(tw_trainer *t, tw_h5_file *f, const char *path, float *dev) {
  tw_tensor v;
  TW_TRY(tw_h5_read(f, path, TW_F32, &v));
  tw_status st = v.rank == 1 && v.dims[0] == t->lay.total ? TW_OK
                 : TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld values for a model of %lld", tw_h5_path(f), path,
                           (long long)v.dims[0], (long long)t->lay.total);
  if (st == TW_OK) st = t->be->copy(t->be, dev, v.data, (size_t)t->lay.total * sizeof(float), TW_COPY_HOST_TO_DEVICE);
  free(v.data);
  return st;
}

static tw_status same_config(tw_h5_file *f, const char *config_text) {
  char *was = NULL;
  if (tw_h5_attr_read_string(f, "config", &was) != TW_OK)
    return tw_error_clear(), TW_FAIL(TW_ERR_INPUT, "%s: not a training checkpoint (no attribute `config`)", tw_h5_path(f));
  const int same = !strcmp(was, config_text);
  free(was);
  return same ? TW_OK
              : TW_FAIL(TW_ERR_INPUT, "%s: written by another config; resume with the config that started it (or "
                        "remove the checkpoint to start again)", tw_h5_path(f));
}

/* The scalers fitted now must be those the checkpoint was trained with. */
static tw_status same_data(const tw_trainer *t, const tw_grt_twin_map *was, tw_h5_file *f) {
  const tw_grt_twin_map *m = &t->map;
  if (was->P == m->P && was->F == m->F && !memcmp(was->x_center, m->x_center, sizeof m->x_center) &&
      !memcmp(was->dx_scale, m->dx_scale, sizeof m->dx_scale) && !memcmp(was->p_center, m->p_center, sizeof m->p_center))
    return TW_OK;
  return TW_FAIL(TW_ERR_INPUT, "%s: the training data differ from those the checkpoint was trained on (other scalers)",
                 tw_h5_path(f));
}

static tw_status read_curve(tw_trainer *t, tw_h5_file *f) {
  tw_tensor v;
  if (!tw_h5_exists(f, "/training/curve")) return TW_OK;
  TW_TRY(tw_h5_read(f, "/training/curve", TW_F64, &v));
  t->curve = v.data, t->n_curve = v.dims[0];
  return TW_OK;
}

tw_status tw_train_ckpt_read(tw_trainer *t, const char *path, const char *config_text) {
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_grt_twin_map was;
  tw_grt_twin_info info;
  tw_grt_layout lay;
  float *p = NULL;
  tw_status st = same_config(f, config_text);
  if (st == TW_OK) st = tw_grt_twin_file_read(f, t->map.pack, &was, &info, &lay, &p);
  if (st == TW_OK) st = same_data(t, &was, f);
  if (st == TW_OK) st = t->be->copy(t->be, t->model.params, p, (size_t)t->lay.total * sizeof(float), TW_COPY_HOST_TO_DEVICE);
  if (st == TW_OK) st = read_into(t, f, "/optimizer/m", t->m);
  if (st == TW_OK) st = read_into(t, f, "/optimizer/v", t->v);
  if (st == TW_OK) st = tw_h5_attr_read_i64(f, "step", &t->step);
  if (st == TW_OK) st = read_curve(t, f);
  free(p);
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}
