/*
** train_config.h: the `train` config kind: which simulation files to learn
** from, the model's sizes, the windows, the optimiser and its schedule, the
** scheduled rollout, checkpoints and the model file (docs/training.md).
**
**   kind: train
**   pack: t1d
**   data: {files: [train-data.h5], validation_fraction: 0.1}
**   model: {H: 64, Hr: 64, L: 2, M: 64}
**   window: {context: 12, horizon: 24, stride: 12}
**   optimizer: {lr: 3e-3, lr_min: 3e-4, warmup: 100, weight_decay: 0.01, clip: 1}
**   steps: 2000
**   batch: {windows: 128, group: 16}
**   rollout: {start: 200, ramp: 800, max: 0.5}
**   validate_every: 100
**   checkpoint: {every: 200, path: train-t1d.ckpt.h5}
**   output: {path: t1d-grt.h5}
**   seed: 1
*/
#ifndef TW_TRAIN_CONFIG_H
#define TW_TRAIN_CONFIG_H

#include "core/config.h" /* tw_cfg_schema, tw_cfg_mark */

TW_EXTERN_C_BEGIN

typedef struct tw_train_data_cfg {
  tw_cfg_mark mark;
  char **files;               /* simulate results written with output.states: true */
  int n_files;
  double validation_fraction; /* of the twins, held out (drawn from Philox by twin) */
} tw_train_data_cfg;

typedef struct tw_train_model_cfg {
  tw_cfg_mark mark;
  int64_t H, Hr, L, M;        /* GNN width, LSTM width, GNN layers, head width */
} tw_train_model_cfg;

typedef struct tw_train_window_cfg {
  tw_cfg_mark mark;
  int64_t context;            /* steps fed the true state before the horizon */
  int64_t horizon;            /* steps after the context (fed the model's own state under rollout) */
  int64_t stride;             /* steps between window starts within a twin's series */
} tw_train_window_cfg;

typedef struct tw_train_opt_cfg {
  tw_cfg_mark mark;
  double lr, lr_min, beta1, beta2, eps, weight_decay, clip;
  int64_t warmup;
} tw_train_opt_cfg;

enum { TW_TRAIN_MAX_GROUP = 4096 }; /* windows per gradient group, at most */

typedef struct tw_train_batch_cfg {
  tw_cfg_mark mark;
  int64_t windows;            /* windows per optimiser step */
  int64_t group;              /* windows per gradient group (the unit of the fixed-order sum) */
} tw_train_batch_cfg;

typedef struct tw_train_rollout_cfg {
  tw_cfg_mark mark;
  int64_t start, ramp;        /* steps before rollout begins; steps over which its share grows */
  double max;                 /* the share of windows whose horizon is fed the model's own state */
} tw_train_rollout_cfg;

typedef struct tw_train_ckpt_cfg {
  tw_cfg_mark mark;
  int64_t every;              /* steps between checkpoints (0: only on a signal) */
  char *path;                 /* default: <output.path>.ckpt */
} tw_train_ckpt_cfg;

typedef struct tw_train_output_cfg {
  tw_cfg_mark mark;
  char *path;
} tw_train_output_cfg;

typedef struct tw_train_config {
  tw_cfg_mark mark;
  char *pack;
  tw_train_data_cfg data;
  tw_train_model_cfg model;
  tw_train_window_cfg window;
  tw_train_opt_cfg optimizer;
  int64_t steps;
  tw_train_batch_cfg batch;
  tw_train_rollout_cfg rollout;
  int64_t validate_every;
  tw_train_ckpt_cfg checkpoint;
  tw_train_output_cfg output;
  int backend;                /* 0 auto, 1 cpu, 2 cuda */
  int64_t seed;
} tw_train_config;

extern const tw_cfg_schema tw_train_config_schema;

TW_EXTERN_C_END

#endif
